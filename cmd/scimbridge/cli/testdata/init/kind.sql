-- A users table whose user_type is a kind of account (0 staff, 1
-- customer, 2 partner), not its state: small integer codes, as phpBB's
-- user_type has, but no column says which rows are deactivated. init
-- must not take it for the account's state: deactivating would turn a
-- customer into staff.
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(64) NOT NULL,
  user_type TINYINT NOT NULL DEFAULT 0,
  last_login DATETIME NULL,
  UNIQUE KEY users_login (login)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO users (login, user_type, last_login) VALUES
  ('alice', 0, '2024-05-02 08:00:00'),
  ('bob', 1, '2024-05-03 09:00:00'),
  ('carol', 1, NULL),
  ('dave', 2, '2024-05-04 10:00:00');
