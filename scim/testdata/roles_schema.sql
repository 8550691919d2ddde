-- Role model 1: a roles table and a user_roles join table, with rows the
-- application created itself.
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(100) NOT NULL,
  full_name VARCHAR(120) NULL,
  status TINYINT(1) NOT NULL DEFAULT 1,
  UNIQUE KEY users_login (login)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE roles (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  idp_ref VARCHAR(64) NULL,
  created_at DATETIME NULL,
  UNIQUE KEY roles_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE user_roles (
  user_id INT NOT NULL,
  role_id INT NOT NULL,
  granted_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (role_id, user_id),
  KEY user_roles_user (user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO users (login, full_name) VALUES ('alice', 'Alice Archer'), ('bob', 'Bob Baker'), ('carol', 'Carol Cook'), ('dave', NULL);
INSERT INTO roles (name, created_at) VALUES ('admin', '2020-01-01 00:00:00'), ('editor', '2020-01-01 00:00:00'), ('viewer', NULL);
INSERT INTO user_roles (user_id, role_id) VALUES (1, 1), (2, 2), (3, 2);
