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
