-- Role model 2 (one role per user, in a column of the users row, by
-- name) with a per-role count of users the application keeps itself.
CREATE TABLE roles (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  num_users INT NOT NULL DEFAULT 0,
  UNIQUE KEY roles_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(190) NOT NULL,
  role VARCHAR(64) NOT NULL DEFAULT 'Members',
  active TINYINT(1) NOT NULL DEFAULT 1,
  KEY users_role (role)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO roles (name, num_users) VALUES ('Members', 1), ('Administrators', 1), ('Billing', 1);
INSERT INTO users (email, role) VALUES ('alice@example.com', 'Administrators'), ('bob@example.com', 'Members'), ('carol@example.com', 'Billing');
