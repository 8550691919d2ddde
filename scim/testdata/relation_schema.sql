-- A helpdesk whose customers are the users holding role 3; bots are users
-- too, told apart only by a row in bots. Neither table has a foreign key,
-- as in many PHP applications.
CREATE TABLE users (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(100) NOT NULL,
  email VARCHAR(190) NOT NULL DEFAULT '',
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE bots (
  user_id INT UNSIGNED NOT NULL PRIMARY KEY,
  owner_id INT UNSIGNED NULL,
  description VARCHAR(255) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE roles (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_roles (
  user_id INT UNSIGNED NOT NULL,
  role_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, role_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE teams (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE team_members (
  team_id INT UNSIGNED NOT NULL,
  user_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (team_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO roles (id, name) VALUES (1, 'admin'), (2, 'agent'), (3, 'customer');

-- 1 admin (an agent, not a customer), 2 alice and 3 bob (customers),
-- 4 the mail importer (a customer-role bot), 5 carol (customer, disabled).
INSERT INTO users (id, username, email, disabled) VALUES
  (1, 'admin', 'admin@example.com', 0),
  (2, 'alice', 'alice@example.com', 0),
  (3, 'bob', 'bob@example.com', 0),
  (4, 'importer', 'importer@example.com', 0),
  (5, 'carol', 'carol@example.com', 1);
INSERT INTO bots (user_id, owner_id, description) VALUES (4, 1, 'mail importer');
INSERT INTO user_roles (user_id, role_id) VALUES (1, 1), (1, 2), (2, 3), (3, 3), (4, 3), (5, 3), (3, 2);

INSERT INTO teams (id, name) VALUES (1, 'Support');
INSERT INTO team_members (team_id, user_id) VALUES (1, 1), (1, 2), (1, 4);
