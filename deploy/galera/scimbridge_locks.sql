-- The uniqueness lock rows of scimbridge, for database.config.uniquenessLocks: table.
-- Run once in the application's database, as a user that may create tables:
--   mariadb helpdesk < deploy/galera/scimbridge_locks.sql
-- scimbridge's own user then needs INSERT and UPDATE on it.
-- The statement is adapters/mysql.LocksTableSQL (a test keeps the two the same).
CREATE TABLE IF NOT EXISTS scimbridge_locks (
  name VARBINARY(32) NOT NULL PRIMARY KEY,
  uses BIGINT UNSIGNED NOT NULL DEFAULT 1
) ENGINE=InnoDB;
