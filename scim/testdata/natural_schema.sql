-- Natural keys, as Postfixadmin keeps them: the mailbox's key is its
-- address (the login), an alias row refers to it by value, and roles are
-- keyed by their name.
CREATE TABLE mailbox (
  username VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  active TINYINT(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (username)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE alias (
  address VARCHAR(255) NOT NULL,
  `goto` TEXT NOT NULL,
  PRIMARY KEY (address)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE roles (
  name VARCHAR(64) NOT NULL,
  PRIMARY KEY (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE user_roles (
  username VARCHAR(255) NOT NULL,
  role VARCHAR(64) NOT NULL,
  PRIMARY KEY (role, username),
  KEY user_roles_user (username)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO mailbox (username, name) VALUES ('alice@example.com', 'Alice Archer');
INSERT INTO alias (address, `goto`) VALUES ('alice@example.com', 'alice@example.com'), ('postmaster@example.com', 'alice@example.com');
INSERT INTO roles (name) VALUES ('admins');
INSERT INTO user_roles (username, role) VALUES ('alice@example.com', 'admins');
