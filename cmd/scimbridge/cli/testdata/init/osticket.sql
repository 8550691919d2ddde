-- osTicket's user tables, as its MySQL install script creates them
-- (ost_ prefix): a user, its account row (one per user, by user_id), and
-- its e-mail addresses.
CREATE TABLE ost_user (
  id int(10) unsigned NOT NULL AUTO_INCREMENT,
  org_id int(10) unsigned NOT NULL,
  default_email_id int(10) NOT NULL,
  status int(11) unsigned NOT NULL DEFAULT '0',
  name varchar(128) NOT NULL,
  created datetime NOT NULL,
  updated datetime NOT NULL,
  PRIMARY KEY (id),
  KEY org_id (org_id)
) DEFAULT CHARSET=utf8;

CREATE TABLE ost_user_email (
  id int(10) unsigned NOT NULL AUTO_INCREMENT,
  user_id int(10) unsigned NOT NULL,
  flags int(10) unsigned NOT NULL DEFAULT 0,
  address varchar(255) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY address (address),
  KEY user_email_lookup (user_id)
) DEFAULT CHARSET=utf8;

CREATE TABLE ost_user_account (
  id int(11) unsigned NOT NULL AUTO_INCREMENT,
  user_id int(10) unsigned NOT NULL,
  status int(11) unsigned NOT NULL DEFAULT '0',
  timezone varchar(64) DEFAULT NULL,
  lang varchar(16) DEFAULT NULL,
  username varchar(64) DEFAULT NULL,
  passwd varchar(128) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  backend varchar(32) DEFAULT NULL,
  extra text,
  registered timestamp NULL DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY user_id (user_id),
  UNIQUE KEY username (username)
) DEFAULT CHARSET=utf8;

INSERT INTO ost_user VALUES (1, 0, 1, 0, 'Jane Roe', '2024-01-01 00:00:00', '2024-01-01 00:00:00');
INSERT INTO ost_user_email VALUES (1, 1, 0, 'jane@example.com');
INSERT INTO ost_user_account (id, user_id, status, username) VALUES (1, 1, 1, 'jane');
