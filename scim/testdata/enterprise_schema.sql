-- An HR-flavoured users table: enterprise attributes, a manager column
-- referring to another user, a password hash the app requires, and
-- columns for the operator's own extension.
CREATE TABLE staff (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(80) NOT NULL,
  employee_no INT NULL,
  dept VARCHAR(60) NULL,
  manager_id INT NULL,
  password_hash VARCHAR(255) NOT NULL,
  badge VARCHAR(20) NULL,
  clearance TINYINT NULL,
  remote TINYINT(1) NULL,
  hired DATE NULL,
  UNIQUE KEY staff_username (username),
  KEY staff_manager (manager_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO staff (username, employee_no, dept, manager_id, password_hash) VALUES
  ('boss', 1, 'Board', NULL, '$2y$10$abcdefghijklmnopqrstuv'),
  ('worker', 2, 'Ops', 1, '$2y$10$abcdefghijklmnopqrstuw');
