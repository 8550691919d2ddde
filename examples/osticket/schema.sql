-- osTicket 1.18: the three tables of an end user (a "client"), as osTicket's
-- installer creates them (setup/inc/streams/core/install-mysql.sql, with the
-- default ost_ table prefix), column for column and with every index:
-- ost_user (the person; default_email_id holds the id of the person's
-- primary ost_user_email row), ost_user_email (one row per address) and
-- ost_user_account (the sign-in account of a registered user: username,
-- password, status flags). address is VARCHAR(255) as the v1.14 patch
-- (cc6d1b03) widened it; the installer's CREATE still says 128 on older
-- releases. Then a few rows osTicket itself would have written: a
-- registered user with two addresses whose primary is the second, a
-- locked account, and a guest who opened a ticket by e-mail and has no
-- account.

DROP TABLE IF EXISTS `ost_user`;
CREATE TABLE `ost_user` (
  `id` int(10) unsigned NOT NULL auto_increment,
  `org_id` int(10) unsigned NOT NULL,
  `default_email_id` int(10) NOT NULL,
  `status` int(11) unsigned NOT NULL DEFAULT '0',
  `name` varchar(128) NOT NULL,
  `created` datetime NOT NULL,
  `updated` datetime NOT NULL,
  PRIMARY KEY  (`id`),
  KEY `org_id` (`org_id`)
) DEFAULT CHARSET=utf8;

DROP TABLE IF EXISTS `ost_user_email`;
CREATE TABLE `ost_user_email` (
  `id` int(10) unsigned NOT NULL auto_increment,
  `user_id` int(10) unsigned NOT NULL,
  `flags` int(10) unsigned NOT NULL DEFAULT 0,
  `address` varchar(255) NOT NULL,
  PRIMARY KEY  (`id`),
  UNIQUE KEY `address` (`address`),
  KEY `user_email_lookup` (`user_id`)
) DEFAULT CHARSET=utf8;

DROP TABLE IF EXISTS `ost_user_account`;
CREATE TABLE `ost_user_account` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `user_id` int(10) unsigned NOT NULL,
  `status` int(11) unsigned NOT NULL DEFAULT '0',
  `timezone` varchar(64) DEFAULT NULL,
  `lang` varchar(16) DEFAULT NULL,
  `username` varchar(64) DEFAULT NULL,
  `passwd` varchar(128) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  `backend` varchar(32) DEFAULT NULL,
  `extra` text,
  `registered` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `user_id` (`user_id`),
  UNIQUE KEY `username` (`username`)
) DEFAULT CHARSET=utf8;

-- Jane (1) registered herself and later added a second address, which she
-- made her primary one: default_email_id names row 2, not the first.
-- Bob (2) is locked by an agent (status CONFIRMED|LOCKED = 3). Carol (3)
-- wrote in by e-mail: a guest, with no account row.
INSERT INTO `ost_user` (`id`, `org_id`, `default_email_id`, `status`, `name`, `created`, `updated`) VALUES
  (1, 0, 2, 0, 'Jane Roe', '2024-01-10 09:00:00', '2024-03-01 10:00:00'),
  (2, 0, 3, 0, 'Bob Stone', '2024-02-01 09:00:00', '2024-02-01 09:00:00'),
  (3, 0, 4, 0, 'Carol Guest', '2024-02-15 09:00:00', '2024-02-15 09:00:00');
INSERT INTO `ost_user_email` (`id`, `user_id`, `flags`, `address`) VALUES
  (1, 1, 0, 'jane@home.example'),
  (2, 1, 0, 'jane.roe@example.com'),
  (3, 2, 0, 'bob.stone@example.com'),
  (4, 3, 0, 'carol@elsewhere.example');
INSERT INTO `ost_user_account` (`id`, `user_id`, `status`, `timezone`, `lang`, `username`, `passwd`, `backend`, `extra`, `registered`) VALUES
  (1, 1, 1, 'Europe/London', NULL, 'jane', '$2a$08$0123456789012345678901uQ1cE1mKzU3zVZ5a1B2c3D4e5F6g7H8', NULL, NULL, '2024-01-10 09:00:00'),
  (2, 2, 3, NULL, NULL, 'bob', NULL, 'ldap', NULL, '2024-02-01 09:00:00');
