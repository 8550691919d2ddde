-- Accounts with an ENUM status (whose first member is not the active
-- one), a deleted_at time, groups in a table of their own and a
-- membership table that declares its foreign keys and whose name says
-- nothing of users or groups.
CREATE TABLE accounts (
  account_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email_address VARCHAR(190) NOT NULL,
  given_name VARCHAR(50) NULL,
  surname VARCHAR(50) NULL,
  job_title VARCHAR(100) NULL,
  mobile VARCHAR(32) NULL,
  lang VARCHAR(8) NULL,
  sso_id VARCHAR(64) NULL,
  status ENUM('pending', 'active', 'inactive', 'banned') NOT NULL DEFAULT 'pending',
  created_on DATETIME NOT NULL,
  deleted_at DATETIME NULL,
  UNIQUE KEY accounts_email (email_address)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE account_groups (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  group_name VARCHAR(100) NOT NULL,
  created_on DATETIME NOT NULL,
  UNIQUE KEY account_groups_name (group_name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE grants (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  holder INT NOT NULL,
  grp INT NOT NULL,
  granted_at DATETIME NOT NULL,
  CONSTRAINT grants_holder FOREIGN KEY (holder) REFERENCES accounts (account_id),
  CONSTRAINT grants_grp FOREIGN KEY (grp) REFERENCES account_groups (id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO accounts (email_address, given_name, surname, status, created_on, deleted_at) VALUES
  ('ann@example.com', 'Ann', 'Abbott', 'active', '2020-01-01 00:00:00', NULL),
  ('ben@example.com', 'Ben', 'Brook', 'active', '2020-01-02 00:00:00', NULL),
  ('cat@example.com', 'Cat', 'Cole', 'active', '2020-01-03 00:00:00', NULL),
  ('dan@example.com', 'Dan', 'Dale', 'pending', '2020-01-04 00:00:00', NULL),
  ('eve@example.com', 'Eve', 'Ernst', 'pending', '2020-01-05 00:00:00', '2021-01-01 00:00:00'),
  ('fay@example.com', 'Fay', 'Fox', 'inactive', '2020-01-06 00:00:00', NULL);
INSERT INTO account_groups (group_name, created_on) VALUES ('Staff', '2020-01-01 00:00:00');
INSERT INTO grants (holder, grp, granted_at) VALUES (1, 1, '2020-01-01 00:00:00');
