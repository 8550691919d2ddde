-- Redmine 5.x, as its Rails migrations create the tables on MySQL and
-- MariaDB (mysql2 adapter): users, email_addresses and groups_users,
-- column for column, with Redmine's own index names.
--
-- Sources: redmine/redmine db/migrate (001_setup.rb, 080_add_users_type.rb,
-- 20090704172355_create_groups_users.rb,
-- 20100129193402_change_users_mail_notification_to_string.rb, the salt,
-- must_change_passwd, passwd_changed_on, builtin-groups, email_addresses and
-- two-factor migrations), app/models/principal.rb, user.rb, group.rb and
-- email_address.rb, cross-checked against mysqldumps of Redmine 5.x
-- installs. Rails maps :string to varchar(255) (or its :limit), :integer to
-- int(11), :boolean to tinyint(1), and 001_setup.rb's :timestamp to
-- TIMESTAMP NULL DEFAULT NULL (users.created_on, updated_on). Rails puts no
-- charset on a table; the tables take the database's, utf8mb4 as Redmine's
-- install guide creates it (utf8mb4_general_ci on MariaDB 10.11). There
-- are no foreign keys and no unique index on login or address: Redmine
-- enforces both uniquenesses, case-insensitively, in its models only.
--
-- What the columns mean: users holds every principal, told apart by the
-- STI column type (User, AnonymousUser, Group, GroupAnonymous,
-- GroupNonMember); a group's name is its lastname. status is 0 for the
-- anonymous user, 1 active, 2 registered (self-registered, awaiting
-- activation), 3 locked. hashed_password is SHA1(salt || SHA1(password)) in
-- lower-case hex, checked only when auth_source_id is NULL (else the LDAP
-- source checks the password). email_addresses holds a user's addresses,
-- the one with is_default = 1 being User#mail. Redmine writes every time in
-- its server's local time (config.active_record.default_timezone = :local).
--
-- Seed rows: 1-4 as a fresh install has them (the admin, the built-in
-- groups GroupAnonymous and GroupNonMember, and the AnonymousUser, which
-- Redmine creates on its first request), then users as an administrator
-- creates them (one active, one locked, one registered) and two groups.
-- Password hashes are real: admin/admin, alice/alice-Secret1,
-- bob/bob-Secret1, carol/carol-Secret1.

SET NAMES utf8mb4;
SET time_zone = '+00:00';   -- only so the TIMESTAMP literals below load unchanged

DROP TABLE IF EXISTS `groups_users`;
DROP TABLE IF EXISTS `email_addresses`;
DROP TABLE IF EXISTS `users`;

-- -----------------------------------------------------------------------------
-- users  (single-table inheritance: User, AnonymousUser, Group, GroupAnonymous,
--         GroupNonMember all live here, discriminated by `type`)
-- -----------------------------------------------------------------------------
CREATE TABLE `users` (
  `id`                      int(11)      NOT NULL AUTO_INCREMENT,
  `login`                   varchar(255) NOT NULL DEFAULT '',
  `hashed_password`         varchar(40)  NOT NULL DEFAULT '',
  `firstname`               varchar(30)  NOT NULL DEFAULT '',
  `lastname`                varchar(255) NOT NULL DEFAULT '',   -- group NAME is stored here
  `admin`                   tinyint(1)   NOT NULL DEFAULT 0,
  `status`                  int(11)      NOT NULL DEFAULT 1,    -- 0 anonymous, 1 active, 2 registered, 3 locked
  `last_login_on`           datetime     DEFAULT NULL,
  `language`                varchar(5)   DEFAULT '',
  `auth_source_id`          int(11)      DEFAULT NULL,          -- NULL = local password; else LDAP auth_sources.id
  `created_on`              timestamp    NULL DEFAULT NULL,
  `updated_on`              timestamp    NULL DEFAULT NULL,
  `type`                    varchar(255) DEFAULT NULL,          -- STI class name
  `mail_notification`       varchar(255) NOT NULL DEFAULT '',   -- all|selected|only_my_events|only_assigned|only_owner|none
  `salt`                    varchar(64)  DEFAULT NULL,          -- 32 hex chars in practice
  `must_change_passwd`      tinyint(1)   NOT NULL DEFAULT 0,
  `passwd_changed_on`       datetime     DEFAULT NULL,
  `twofa_scheme`            varchar(255) DEFAULT NULL,          -- NULL or 'totp'
  `twofa_totp_key`          varchar(255) DEFAULT NULL,          -- TOTP secret (Redmine::Ciphering: 'aes-256-cbc:...' if database_cipher_key is set, else plain base32)
  `twofa_totp_last_used_at` int(11)      DEFAULT NULL,          -- Unix seconds of the last accepted TOTP code (replay protection)
  `twofa_required`          tinyint(1)   DEFAULT 0,             -- only meaningful on Group rows
  PRIMARY KEY (`id`),
  KEY `index_users_on_id_and_type` (`id`,`type`),
  KEY `index_users_on_auth_source_id` (`auth_source_id`),
  KEY `index_users_on_type` (`type`)
  -- NOTE: no UNIQUE index on login: uniqueness (case-insensitive) is enforced only by
  -- the Rails model validation.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- -----------------------------------------------------------------------------
-- email_addresses  (since Redmine 3.0; users.mail was removed)
-- -----------------------------------------------------------------------------
CREATE TABLE `email_addresses` (
  `id`         int(11)      NOT NULL AUTO_INCREMENT,
  `user_id`    int(11)      NOT NULL,
  `address`    varchar(255) NOT NULL,
  `is_default` tinyint(1)   NOT NULL DEFAULT 0,   -- exactly one default per user = User#mail
  `notify`     tinyint(1)   NOT NULL DEFAULT 1,   -- also receive notifications on this address
  `created_on` datetime     NOT NULL,             -- NOT NULL, no default: the app always sets it
  `updated_on` datetime     NOT NULL,
  PRIMARY KEY (`id`),
  KEY `index_email_addresses_on_user_id` (`user_id`)
  -- NOTE: no UNIQUE index on address; uniqueness (case-insensitive, across all
  -- users) is a model validation only. No foreign keys.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- -----------------------------------------------------------------------------
-- groups_users  (HABTM join table, no id column, no FKs)
-- -----------------------------------------------------------------------------
CREATE TABLE `groups_users` (
  `group_id` int(11) NOT NULL,   -- users.id of a row with type 'Group' (or a builtin group)
  `user_id`  int(11) NOT NULL,   -- users.id of a row with type 'User'
  UNIQUE KEY `groups_users_ids` (`group_id`,`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- =============================================================================
-- SEED DATA
--
-- Rows 1-4 are what a fresh Redmine 5.x has (ids/order as in real fresh-install dumps):
--   1  admin            created by 001_setup.rb; hashed_password = SHA1('admin') then salted by
--                       20110223180953_salt_user_passwords.rb; must_change_passwd = 1 set by
--                       20160404080304_force_password_reset_during_setup.rb; mail_notification
--                       'all' (converted from the old boolean true); passwd_changed_on stays NULL
--                       because the salting migration uses update_all.
--   2  GroupAnonymous   'Anonymous users'   (20140920094058_insert_builtin_groups.rb)
--   3  GroupNonMember   'Non member users'  (same migration)
--   4  AnonymousUser    created lazily by User.anonymous on the FIRST HTTP REQUEST, not by a
--                       migration: lastname 'Anonymous', login '', status 0 (STATUS_ANONYMOUS).
-- Rows 5-9 are examples (what Redmine would write when an admin creates them in the UI).
--
-- Password hashes are REAL: hashed_password = SHA1( salt || SHA1(password) ), all lowercase hex.
--   admin / admin          salt 7a1c0f3e9b2d4c6a8e0f1a2b3c4d5e6f
--   alice / alice-Secret1  salt 1b2c3d4e5f60718293a4b5c6d7e8f901
--   bob   / bob-Secret1    salt 2c3d4e5f60718293a4b5c6d7e8f90112
--   carol / carol-Secret1  salt 3d4e5f60718293a4b5c6d7e8f9011223
-- (salts in a real install are random: Redmine::Utils.random_hex(16) -> 32 hex chars)
-- =============================================================================

INSERT INTO `users`
 (`id`,`login`,`hashed_password`,`firstname`,`lastname`,`admin`,`status`,`last_login_on`,`language`,`auth_source_id`,`created_on`,`updated_on`,`type`,`mail_notification`,`salt`,`must_change_passwd`,`passwd_changed_on`,`twofa_scheme`,`twofa_totp_key`,`twofa_totp_last_used_at`,`twofa_required`)
VALUES
 -- built-in rows of a fresh install
 (1,'admin','7664f627b8762e64776fa1904f737c299810ad7a','Redmine','Admin',1,1,NULL,'',NULL,'2024-05-01 10:00:00','2024-05-01 10:00:00','User','all','7a1c0f3e9b2d4c6a8e0f1a2b3c4d5e6f',1,NULL,NULL,NULL,NULL,0),
 (2,'','','','Anonymous users',0,1,NULL,'',NULL,'2024-05-01 10:00:05','2024-05-01 10:00:05','GroupAnonymous','',NULL,0,NULL,NULL,NULL,NULL,0),
 (3,'','','','Non member users',0,1,NULL,'',NULL,'2024-05-01 10:00:05','2024-05-01 10:00:05','GroupNonMember','',NULL,0,NULL,NULL,NULL,NULL,0),
 (4,'','','','Anonymous',0,0,NULL,'',NULL,'2024-05-01 10:00:12','2024-05-01 10:00:12','AnonymousUser','only_my_events',NULL,0,NULL,NULL,NULL,NULL,0),
 -- ordinary users
 -- alice: ACTIVE (1), has logged in, TOTP 2FA enabled
 (5,'alice','1dc437ad46698e9516babbe2524160b5cf387b10','Alice','Anderson',0,1,'2024-06-03 08:15:00','en',NULL,'2024-05-02 09:00:00','2024-06-03 08:15:00','User','only_my_events','1b2c3d4e5f60718293a4b5c6d7e8f901',0,'2024-05-02 09:00:00','totp','JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',1717402500,0),
 -- bob: LOCKED (3) — cannot log in, still listed, keeps memberships
 (6,'bob','512a62d1db16e6a4f95431b95c6d912f4b1023b0','Bob','Builder',0,3,'2024-05-20 17:40:00','de',NULL,'2024-05-02 09:05:00','2024-06-01 12:00:00','User','only_my_events','2c3d4e5f60718293a4b5c6d7e8f90112',0,'2024-05-02 09:05:00',NULL,NULL,NULL,0),
 -- carol: REGISTERED (2) — self-registered, waiting for e-mail / admin activation, never logged in
 (7,'carol','69bde759de7d6e4138325e0214d410e7933fd27c','Carol','Clark',0,2,NULL,'en',NULL,'2024-06-04 14:00:00','2024-06-04 14:00:00','User','only_my_events','3d4e5f60718293a4b5c6d7e8f9011223',0,'2024-06-04 14:00:00',NULL,NULL,NULL,0),
 -- ordinary groups: type 'Group', the group name lives in lastname, login/firstname empty,
 -- status 1, no password, mail_notification '' (Group rows do not get a default)
 (8,'','','','Developers',0,1,NULL,'',NULL,'2024-05-02 10:00:00','2024-05-02 10:00:00','Group','',NULL,0,NULL,NULL,NULL,NULL,0),
 (9,'','','','QA',0,1,NULL,'',NULL,'2024-05-02 10:01:00','2024-05-02 10:01:00','Group','',NULL,0,NULL,NULL,NULL,NULL,1);

INSERT INTO `email_addresses` (`id`,`user_id`,`address`,`is_default`,`notify`,`created_on`,`updated_on`) VALUES
 (1,1,'admin@example.net',1,1,'2024-05-01 10:00:00','2024-05-01 10:00:00'),   -- address from 001_setup.rb
 (2,5,'alice@example.com',1,1,'2024-05-02 09:00:00','2024-05-02 09:00:00'),
 (3,5,'alice.anderson@example.org',0,0,'2024-05-10 11:30:00','2024-05-10 11:30:00'), -- additional address, no notifications
 (4,6,'bob@example.com',1,1,'2024-05-02 09:05:00','2024-05-02 09:05:00'),
 (5,7,'carol@example.com',1,1,'2024-06-04 14:00:00','2024-06-04 14:00:00');
 -- groups, builtin groups and the AnonymousUser never have email_addresses rows

INSERT INTO `groups_users` (`group_id`,`user_id`) VALUES
 (8,5),   -- Developers: alice
 (8,6),   -- Developers: bob (locked users stay members)
 (9,5),   -- QA: alice
 (9,7);   -- QA: carol
 -- Builtin groups (2,3) never have groups_users rows: membership in them is implicit.
