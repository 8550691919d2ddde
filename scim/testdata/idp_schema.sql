-- An application's accounts as the IdP replays (testdata/idp) provision
-- them: an enabled flag that is NOT NULL without a database default (so a
-- create that leaves active out needs the mapping's whenOmitted), a
-- unique username, and teams with a join table. alice (1) and bob (2)
-- exist already; bob is disabled; alice is in the team admins (1).
CREATE TABLE accounts (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(100) NOT NULL,
  email VARCHAR(255) NULL,
  given_name VARCHAR(60) NULL,
  family_name VARCHAR(60) NULL,
  display_name VARCHAR(120) NULL,
  title VARCHAR(60) NULL,
  department VARCHAR(60) NULL,
  external_id VARCHAR(64) NULL,
  enabled TINYINT(1) NOT NULL,
  created_at DATETIME NULL,
  updated_at DATETIME NULL,
  UNIQUE KEY accounts_username (username)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE teams (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  external_id VARCHAR(64) NULL,
  UNIQUE KEY teams_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE team_members (
  team_id INT NOT NULL,
  account_id INT NOT NULL,
  PRIMARY KEY (team_id, account_id),
  KEY team_members_account (account_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO accounts (username, email, given_name, family_name, display_name, enabled, created_at, updated_at) VALUES
  ('alice@example.com', 'alice@example.com', 'Alice', 'Archer', 'Alice Archer', 1, '2019-03-01 09:00:00', '2023-06-01 10:00:00'),
  ('bob@example.com', 'bob@example.com', 'Bob', 'Baker', 'Bob Baker', 0, '2020-01-15 12:30:00', '2022-02-02 08:00:00');
INSERT INTO teams (name) VALUES ('admins');
INSERT INTO team_members (team_id, account_id) VALUES (1, 1);
