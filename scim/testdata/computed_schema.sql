-- Columns an application computes when it inserts a row: a per-user
-- position in each membership row (Moodle's role_assignments.sortorder),
-- copies of the user's login and the group's name next to their keys, a
-- running number over the table, and per-parent positions of child,
-- link and key/value rows.
CREATE TABLE accounts (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant INT NOT NULL DEFAULT 1,
  login VARCHAR(64) NOT NULL,
  display VARCHAR(100) NULL,
  sortorder INT NOT NULL,
  login_copy VARCHAR(64) NOT NULL,
  tenant_copy BIGINT NOT NULL,
  UNIQUE KEY accounts_login (login)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE account_profiles (
  account_id INT NOT NULL PRIMARY KEY,
  title VARCHAR(100) NULL,
  `rank` INT NOT NULL,
  owner_ref INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE account_emails (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  email VARCHAR(255) NOT NULL,
  position SMALLINT UNSIGNED NOT NULL,
  KEY account_emails_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE phones (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  number VARCHAR(40) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE account_phones (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  phone_id INT NOT NULL,
  deleted TINYINT NOT NULL DEFAULT 0,
  seq INT NOT NULL,
  KEY account_phones_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE account_prefs (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  name VARCHAR(64) NOT NULL,
  value VARCHAR(255) NULL,
  seq INT NOT NULL,
  KEY account_prefs_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE teams (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE team_members (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  team_id INT NOT NULL,
  account_id INT NOT NULL,
  sortorder INT NOT NULL,
  login VARCHAR(100) NOT NULL,
  team_name VARCHAR(64) NOT NULL,
  UNIQUE KEY team_members_pair (team_id, account_id),
  KEY team_members_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- A row the tests hold locked to stop a write inside its transaction.
CREATE TABLE gate (
  id INT NOT NULL PRIMARY KEY,
  n INT NOT NULL DEFAULT 0
) ENGINE=InnoDB;

INSERT INTO gate (id) VALUES (1);
INSERT INTO accounts (id, tenant, login, sortorder, login_copy, tenant_copy) VALUES
  (1, 1, 'alice', 5, 'alice', 1),
  (2, 1, 'bob', 2, 'bob', 1),
  (3, 2, 'other-tenant', 40, 'other-tenant', 2);
-- An entry of alice's that the mapping does not own, numbered 4.
INSERT INTO account_prefs (account_id, name, value, seq) VALUES (1, 'theme', 'dark', 4);
INSERT INTO account_profiles (account_id, title, `rank`, owner_ref) VALUES (1, 'Boss', 9, 1);
INSERT INTO teams (id, name) VALUES (1, 'Engineering'), (2, 'Sales'), (3, 'Support'), (4, 'Ops');
-- alice holds positions 3 and 7 in her two teams; team 2 numbers to 4.
INSERT INTO team_members (team_id, account_id, sortorder, login, team_name) VALUES
  (1, 1, 3, 'alice', 'Engineering'),
  (2, 1, 7, 'alice', 'Sales'),
  (2, 3, 4, 'other-tenant', 'Sales');
