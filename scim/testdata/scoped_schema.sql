-- A forum that nobody designed for SCIM (after phpBB and its kin): one
-- accounts table for people, bots and the anonymous visitor, told apart by
-- account_type (0 normal, 1 inactive, 2 bot, 3 founder) and by the
-- anonymous account's id 1; the e-mail address is the sign-in name, kept
-- beside a lower-cased copy that a unique index keeps unique; deleted
-- accounts stay, with deleted_at set; NOT NULL text columns that the
-- application fills in itself. Phone numbers in a latin1 child table with
-- NOT NULL stamps and no defaults, profile fields in a key/value table of
-- several applications, teams with special ones the forum keeps to
-- itself, and memberships that start out pending.
CREATE TABLE accounts (
	account_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	account_type TINYINT NOT NULL DEFAULT 0,
	email VARCHAR(100) NOT NULL,
	email_lc VARCHAR(100) NOT NULL,
	real_name VARCHAR(100) NOT NULL DEFAULT '',
	timezone VARCHAR(40) NOT NULL DEFAULT 'UTC',
	signature TEXT NOT NULL,
	created INT UNSIGNED NOT NULL,
	deleted_at DATETIME NULL,
	PRIMARY KEY (account_id),
	UNIQUE KEY accounts_email_lc (email_lc)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO accounts (account_id, account_type, email, email_lc, real_name, timezone, signature, created, deleted_at) VALUES
	(1, 0, 'anonymous', 'anonymous', '', 'UTC', '', 1500000000, NULL),
	(2, 2, 'bot@crawler.example', 'bot@crawler.example', 'Crawler', 'UTC', '', 1500000000, NULL),
	(3, 3, 'Alice@Example.com', 'alice@example.com', 'Alice Archer', 'Europe/London', '-- alice', 1500000100, NULL),
	(4, 0, 'bob@example.com', 'bob@example.com', 'Bob Baker', 'UTC', '', 1500000200, NULL),
	(5, 1, 'carol@example.com', 'carol@example.com', 'Carol Cruz', 'UTC', '', 1500000300, NULL),
	(6, 0, 'dave@example.com', 'dave@example.com', 'Dave Diaz', 'UTC', '', 1500000400, '2024-01-01 00:00:00');

CREATE TABLE account_phones (
	id INT NOT NULL AUTO_INCREMENT,
	account_id INT UNSIGNED NOT NULL,
	number VARCHAR(32) NOT NULL,
	kind VARCHAR(16) NULL,
	created_on DATETIME NOT NULL,
	updated_on DATETIME NOT NULL,
	PRIMARY KEY (id),
	KEY account_phones_account (account_id)
) DEFAULT CHARSET=latin1;

INSERT INTO account_phones (account_id, number, kind, created_on, updated_on) VALUES
	(3, '+44 20 7946 0000', 'work', '2020-01-01 00:00:00', '2020-01-01 00:00:00');

-- Profile fields of several applications, one row per field.
CREATE TABLE profile_fields (
	account_id INT UNSIGNED NOT NULL,
	app VARCHAR(16) NOT NULL,
	field VARCHAR(64) NOT NULL,
	value TEXT NULL,
	changed INT UNSIGNED NOT NULL,
	PRIMARY KEY (account_id, app, field)
) DEFAULT CHARSET=utf8mb4;

INSERT INTO profile_fields VALUES
	(3, 'core', 'title', 'Founder', 1500000100),
	(3, 'gallery', 'title', 'Chief Photographer', 1500000100);

CREATE TABLE teams (
	team_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	team_type TINYINT NOT NULL DEFAULT 0,
	team_name VARCHAR(100) NOT NULL,
	description TEXT NOT NULL,
	PRIMARY KEY (team_id),
	UNIQUE KEY teams_name (team_name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO teams (team_id, team_type, team_name, description) VALUES
	(1, 3, 'ADMINISTRATORS', 'The forum''s own'),
	(2, 0, 'Staff', ''),
	(3, 1, 'Moderators', '');

-- pending = 1 is an applicant the team has not accepted yet.
CREATE TABLE team_members (
	team_id INT UNSIGNED NOT NULL,
	account_id INT UNSIGNED NOT NULL,
	pending TINYINT NOT NULL DEFAULT 1,
	leader TINYINT NOT NULL DEFAULT 0,
	joined_at DATETIME NOT NULL,
	PRIMARY KEY (team_id, account_id),
	KEY team_members_account (account_id)
) DEFAULT CHARSET=utf8mb4;

INSERT INTO team_members (team_id, account_id, pending, leader, joined_at) VALUES
	(1, 3, 0, 1, '2017-07-14 00:00:00'),
	(2, 3, 0, 1, '2017-07-14 00:00:00'),
	(2, 4, 0, 0, '2018-01-01 00:00:00'),
	(2, 5, 1, 0, '2019-01-01 00:00:00'),
	(2, 2, 0, 0, '2019-01-01 00:00:00'),
	(3, 6, 0, 0, '2019-01-01 00:00:00');
