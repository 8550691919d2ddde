-- A users table whose data tells init more than its types: an integer
-- login_id (a number, no login), Mattermost-like epoch-millisecond times
-- named CreateAt and UpdateAt, an inverted flag named block (Joomla's),
-- and a system account.
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login_id INT NOT NULL,
  email VARCHAR(190) NOT NULL,
  CreateAt BIGINT NOT NULL DEFAULT 0,
  UpdateAt BIGINT NOT NULL DEFAULT 0,
  block TINYINT(1) NOT NULL DEFAULT 0,
  UNIQUE KEY users_login_id (login_id),
  UNIQUE KEY users_email (email)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO users (login_id, email, CreateAt, UpdateAt, block) VALUES
  (1001, 'alice@example.com', 1700000000000, 1700000000000, 0),
  (1002, 'bob@example.com', 1710000000000, 1710000000000, 1),
  (1003, 'carol@example.com', 1720000000000, 1720000000000, 0),
  (1004, 'system@example.com', 1690000000000, 1690000000000, 0);

-- Roles and their memberships, without foreign keys: the join table is
-- known by its columns' names alone.
CREATE TABLE roles (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  UNIQUE KEY roles_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE user_roles (
  user_id INT NOT NULL,
  role_id INT NOT NULL,
  PRIMARY KEY (user_id, role_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO roles (name) VALUES ('admin'), ('staff'), ('Everyone');
INSERT INTO user_roles (user_id, role_id) VALUES (1, 1), (2, 2);
