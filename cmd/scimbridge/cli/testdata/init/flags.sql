-- A users table of an in-house application, the shape whose starting
-- mapping once had no active: short name columns (first, last, uname,
-- mail), a disabled TINYINT that is 1 for a blocked account, Unix-second
-- times, and a deleted_at time of its own.
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uname VARCHAR(64) NOT NULL,
  first VARCHAR(50) NULL,
  last VARCHAR(50) NULL,
  mail VARCHAR(190) NULL,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  pwd VARCHAR(255) NOT NULL,
  created_unix INT UNSIGNED NOT NULL,
  updated_unix INT UNSIGNED NOT NULL DEFAULT 0,
  deleted_at DATETIME NULL,
  UNIQUE KEY users_uname (uname)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO users (uname, first, last, mail, disabled, pwd, created_unix, updated_unix) VALUES
  ('alice', 'Alice', 'Archer', 'alice@example.com', 0, '$2y$10$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab', 1546300800, 1700000000),
  ('bob', 'Bob', 'Baker', 'bob@example.com', 0, '$2y$10$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzac', 1577836800, 1700000000),
  ('carol', 'Carol', 'Cook', 'carol@example.com', 1, '$2y$10$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzad', 1609459200, 1700000000);
