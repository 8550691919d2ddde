-- Postfixadmin 3.3 (postfixadmin/postfixadmin, upgrade.php), the tables a
-- mailbox lives in, as its MySQL installer creates them: the key of a
-- mailbox is its address, and its local part, domain and maildir are kept
-- beside it. An alias row maps an address to where mail goes.
CREATE TABLE `domain` (
  `domain` varchar(255) NOT NULL,
  `description` varchar(255) CHARACTER SET utf8 NOT NULL,
  `aliases` int(10) NOT NULL default '0',
  `mailboxes` int(10) NOT NULL default '0',
  `maxquota` bigint(20) NOT NULL default '0',
  `quota` bigint(20) NOT NULL default '0',
  `transport` varchar(255) NOT NULL,
  `backupmx` tinyint(1) NOT NULL default '0',
  `created` datetime NOT NULL default '2000-01-01 00:00:00',
  `modified` datetime NOT NULL default '2000-01-01 00:00:00',
  `active` tinyint(1) NOT NULL default '1',
  PRIMARY KEY (`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='Postfix Admin - Virtual Domains';

CREATE TABLE `mailbox` (
  `username` varchar(255) NOT NULL,
  `password` varchar(255) NOT NULL,
  `name` varchar(255) CHARACTER SET utf8 NOT NULL,
  `maildir` varchar(255) NOT NULL,
  `quota` bigint(20) NOT NULL default '0',
  `local_part` varchar(255) NOT NULL,
  `domain` varchar(255) NOT NULL,
  `created` datetime NOT NULL default '2000-01-01 00:00:00',
  `modified` datetime NOT NULL default '2000-01-01 00:00:00',
  `active` tinyint(1) NOT NULL default '1',
  PRIMARY KEY (`username`),
  KEY `domain` (`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='Postfix Admin - Virtual Mailboxes';

CREATE TABLE `alias` (
  `address` varchar(255) NOT NULL,
  `goto` text NOT NULL,
  `domain` varchar(255) NOT NULL,
  `created` datetime NOT NULL default '2000-01-01 00:00:00',
  `modified` datetime NOT NULL default '2000-01-01 00:00:00',
  `active` tinyint(1) NOT NULL default '1',
  PRIMARY KEY (`address`),
  KEY `domain` (`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='Postfix Admin - Virtual Aliases';

INSERT INTO `domain` (`domain`, `description`, `transport`, `created`, `modified`) VALUES
  ('example.com', 'Example Corp', 'virtual', '2024-01-01 09:00:00', '2024-01-01 09:00:00'),
  ('example.org', 'Example Foundation', 'virtual', '2024-01-01 09:00:00', '2024-01-01 09:00:00');

-- Postfixadmin's own mailboxes, each with the alias row it creates for
-- it (address = goto), and a postmaster alias delivering to alice.
INSERT INTO `mailbox` (`username`, `password`, `name`, `maildir`, `local_part`, `domain`, `created`, `modified`) VALUES
  ('alice@example.com', '{BLF-CRYPT}$2y$10$abcdefghijklmnopqrstuuJ1lJm0aV7s1bO1Ck3Z2p3b7b1vNwR5e', 'Alice Archer', 'example.com/alice/', 'alice', 'example.com', '2024-02-01 10:00:00', '2024-02-01 10:00:00'),
  ('bob@example.org', '{BLF-CRYPT}$2y$10$abcdefghijklmnopqrstuuJ1lJm0aV7s1bO1Ck3Z2p3b7b1vNwR5e', 'Bob Baker', 'example.org/bob/', 'bob', 'example.org', '2024-02-01 10:00:00', '2024-02-01 10:00:00');
INSERT INTO `alias` (`address`, `goto`, `domain`, `created`, `modified`) VALUES
  ('alice@example.com', 'alice@example.com', 'example.com', '2024-02-01 10:00:00', '2024-02-01 10:00:00'),
  ('postmaster@example.com', 'alice@example.com', 'example.com', '2024-02-01 10:00:00', '2024-02-01 10:00:00'),
  ('bob@example.org', 'bob@example.org', 'example.org', '2024-02-01 10:00:00', '2024-02-01 10:00:00');
