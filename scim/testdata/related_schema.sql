-- Users whose e-mails and phone numbers live in child tables, and whose
-- names live in a WordPress-style key/value meta table beside other keys
-- the application owns.
CREATE TABLE people (
  ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_login VARCHAR(60) NOT NULL,
  user_registered DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00',
  KEY user_login_key (user_login)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE person_emails (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  address VARCHAR(190) NOT NULL,
  label VARCHAR(20) NULL,
  is_primary TINYINT(1) NOT NULL DEFAULT 0,
  KEY person_emails_person (person_id),
  KEY person_emails_address (address)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE person_phones (
  person_id BIGINT UNSIGNED NOT NULL,
  number VARCHAR(40) NOT NULL,
  KEY person_phones_person (person_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE usermeta (
  umeta_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  meta_key VARCHAR(255) NULL,
  meta_value LONGTEXT NULL,
  KEY user_id (user_id),
  KEY meta_key (meta_key(191))
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO people (user_login) VALUES ('admin'), ('editor');
INSERT INTO person_emails (person_id, address, label, is_primary) VALUES
  (1, 'admin@example.com', 'work', 1), (1, 'admin@home.example', 'home', 0), (2, 'ed@example.com', 'work', 1);
INSERT INTO person_phones VALUES (1, '+1 555 0100');
INSERT INTO usermeta (user_id, meta_key, meta_value) VALUES
  (1, 'first_name', 'Ada'), (1, 'last_name', 'Admin'), (1, 'wp_capabilities', 'a:1:{s:13:"administrator";b:1;}'),
  (2, 'first_name', 'Ed'), (2, 'wp_capabilities', 'a:1:{s:6:"editor";b:1;}');
