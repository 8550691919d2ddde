-- Role model 2: one role per user, as a column of the users row that
-- refers to roles by name; 'Members' is the role every user falls back to.
CREATE TABLE roles (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  UNIQUE KEY roles_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(190) NOT NULL,
  role VARCHAR(64) NOT NULL DEFAULT 'Members',
  active TINYINT(1) NOT NULL DEFAULT 1,
  KEY users_role (role)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO roles (name) VALUES ('Members'), ('Administrators'), ('Billing');
INSERT INTO users (email, role) VALUES ('alice@example.com', 'Administrators'), ('bob@example.com', 'Members'), ('carol@example.com', 'Billing');
