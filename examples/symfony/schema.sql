-- A Symfony application's `user` table as MakerBundle generates it:
-- `make:user` (an entity User with email as the identifier, roles and a
-- hashed password), then `make:registration-form` (the isVerified flag
-- that the e-mail confirmation sets), then `make:migration` and
-- `doctrine:migrations:migrate` on MariaDB. Doctrine's migration says
--
--   CREATE TABLE `user` (id INT AUTO_INCREMENT NOT NULL, email VARCHAR(180) NOT NULL,
--     roles JSON NOT NULL, password VARCHAR(255) NOT NULL, is_verified TINYINT(1) NOT NULL,
--     UNIQUE INDEX UNIQ_IDENTIFIER_EMAIL (email), PRIMARY KEY(id))
--     DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB
--
-- and MariaDB, which has no JSON type, keeps roles as LONGTEXT in
-- utf8mb4_bin with a JSON_VALID check: the table below is that, as SHOW
-- CREATE TABLE prints it.

DROP TABLE IF EXISTS `user`;
CREATE TABLE `user` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `email` varchar(180) NOT NULL,
  `roles` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL CHECK (json_valid(`roles`)),
  `password` varchar(255) NOT NULL,
  `is_verified` tinyint(1) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `UNIQ_IDENTIFIER_EMAIL` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Rows the application made: an administrator promoted by hand (roles are
-- stored without ROLE_USER, which User::getRoles() adds at run time), a
-- user who registered and confirmed the address, one who never confirmed
-- it, and a super-administrator whose role the identity provider does not
-- manage. Passwords are the "auto" hasher's bcrypt hashes (placeholders).
INSERT INTO `user` (`id`, `email`, `roles`, `password`, `is_verified`) VALUES
 (1, 'admin@example.com', '["ROLE_ADMIN"]', '$2y$13$Q0y9F7vH8mZ3kL1pR5tW6uN2bC4dE6fG8hJ0kL2mN4pQ6rS8tU0vW', 1),
 (2, 'jane@example.com', '[]', '$2y$13$A1b2C3d4E5f6G7h8I9j0KuL1m2N3o4P5q6R7s8T9u0V1w2X3y4Z5a', 1),
 (3, 'unconfirmed@example.com', '[]', '$2y$13$Z9y8X7w6V5u4T3s2R1q0PoN9m8L7k6J5i4H3g2F1e0D9c8B7a6Z5y', 0),
 (4, 'ops@example.com', '["ROLE_SUPER_ADMIN","ROLE_ADMIN"]', '$2y$13$M1n2B3v4C5x6Z7l8K9j0HgF1d2S3a4P5o6I7u8Y9t0R1e2W3q4E5r', 1);
