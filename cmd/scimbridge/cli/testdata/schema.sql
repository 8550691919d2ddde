-- A users table as a legacy application might have it: not designed for
-- SCIM, with a binary-collated login (so case folding is scimbridge's job),
-- a status string, a NOT NULL password hash the app requires, and a column
-- scimbridge does not map.
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  email VARCHAR(255) NULL,
  first_name VARCHAR(50) NULL,
  last_name VARCHAR(50) NULL,
  display_name VARCHAR(120) NULL,
  okta_id VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'active',
  password_hash VARCHAR(255) NOT NULL,
  theme VARCHAR(20) NOT NULL DEFAULT 'light',
  created_at DATETIME NULL,
  updated_at DATETIME NULL,
  KEY users_login (login)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO users (login, email, first_name, last_name, display_name, status, password_hash, theme, created_at, updated_at) VALUES
  ('alice', 'alice@example.com', 'Alice', 'Archer', 'Alice Archer', 'active', '$2y$10$abcdefghijklmnopqrstuv', 'dark', '2019-03-01 09:00:00', '2023-06-01 10:00:00'),
  ('bob', 'bob@example.com', 'Bob', 'Baker', 'Bob Baker', 'disabled', '$2y$10$abcdefghijklmnopqrstuw', 'light', '2020-01-15 12:30:00', '2022-02-02 08:00:00'),
  ('carol_x', 'carol@example.com', 'Carol', 'Cook', NULL, 'active', '$2y$10$abcdefghijklmnopqrstux', 'light', '2021-07-07 07:07:07', NULL);

-- Further tables of the application, for the legacy patterns: e-mail rows
-- with NOT NULL stamps and no defaults, a membership table whose rows
-- start out pending, profile fields of several applications, and a
-- roles table whose key is a string.
CREATE TABLE user_emails (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id INT NOT NULL,
  address VARCHAR(255) NOT NULL,
  is_default TINYINT(1) NOT NULL DEFAULT 0,
  created_on DATETIME NOT NULL,
  updated_on DATETIME NOT NULL,
  KEY user_emails_user (user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE teams (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  kind TINYINT NOT NULL DEFAULT 0
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE team_users (
  team_id INT NOT NULL,
  user_login VARCHAR(100) COLLATE utf8mb4_unicode_ci NOT NULL,
  pending TINYINT NOT NULL DEFAULT 1,
  joined_at DATETIME NOT NULL,
  KEY team_users_team (team_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE user_fields (
  user_id INT NOT NULL,
  app VARCHAR(16) NOT NULL,
  field VARCHAR(64) NOT NULL,
  value TEXT NULL,
  changed INT NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- An application whose account flags are narrow types: a TINYINT block
-- flag, an unsigned level, an ENUM state and a short code, for stored
-- values a column cannot hold.
CREATE TABLE kiosk_logins (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(100) NOT NULL,
  block TINYINT NOT NULL DEFAULT 0,
  level TINYINT UNSIGNED NOT NULL DEFAULT 0,
  state ENUM('on','off','gone') NOT NULL DEFAULT 'on',
  code VARCHAR(3) NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
