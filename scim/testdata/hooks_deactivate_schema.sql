-- A users table with a display login and a lower-cased lookup copy (the
-- only indexed one), a computed full name, and a soft-delete timestamp in
-- place of a status, with DATETIMEs in the application's local zone.
CREATE TABLE accounts (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  login_lc VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  first VARCHAR(50) NULL,
  last VARCHAR(50) NULL,
  full_name VARCHAR(101) NULL,
  deleted_at DATETIME NULL,
  created DATETIME NOT NULL,
  UNIQUE KEY accounts_login_lc (login_lc)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO accounts (login, login_lc, first, last, full_name, deleted_at, created) VALUES
  ('Alice.Smith', 'alice.smith', 'Alice', 'Smith', 'Alice Smith', NULL, '2024-01-15 10:00:00'),
  ('BOB', 'bob', 'Bob', NULL, 'Bob', '2024-03-01 09:30:00', '2024-02-01 12:00:00');

-- The application's job queue, which hooks fill.
CREATE TABLE jobs (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(32) NOT NULL,
  account_id INT NOT NULL,
  login VARCHAR(100) NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
