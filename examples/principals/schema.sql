-- The tables of "Wikid", a self-hosted wiki. Page permissions are granted to
-- principals, and a principal is a person, a group or a service account
-- (the search indexer, an import bot): all three live in one principals
-- table, told apart by its type column, so that space_permissions can refer
-- to any of them with one key. Keys are UUIDs the application generates.
-- Group membership is a join table between two principals. People's
-- e-mail addresses are in a side table, any number per person, each with
-- its type and a primary flag; groups and service accounts have none.
-- scimbridge.yaml beside this file maps the 'User' rows to SCIM Users and
-- the 'Group' rows to SCIM Groups.
CREATE TABLE principals (
	id CHAR(36) NOT NULL,
	-- 'User', 'Group' or 'Service'.
	type VARCHAR(16) NOT NULL,
	-- A person's login, or a group's or service account's name; unique per
	-- type, so a group may be called like a person.
	name VARCHAR(190) NOT NULL,
	display_name VARCHAR(255) NULL,
	-- The identity provider's id for the principal.
	external_id VARCHAR(255) NULL,
	-- Wikid's flag is the other way round: 1 means the principal cannot
	-- sign in or be granted anything.
	disabled TINYINT(1) NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY principals_type_name (type, name),
	KEY principals_external_id (external_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- People's e-mail addresses. Wikid sends notifications to the primary one
-- and lets people sign in with any of them, so an address belongs to one
-- principal only.
CREATE TABLE principal_emails (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	principal_id CHAR(36) NOT NULL,
	email VARCHAR(255) NOT NULL,
	-- 'work', 'home' or 'other', or NULL when the person gave none.
	type VARCHAR(16) NULL,
	is_primary TINYINT(1) NOT NULL DEFAULT 0,
	added_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY principal_emails_email (email),
	KEY principal_emails_principal (principal_id),
	CONSTRAINT principal_emails_principal FOREIGN KEY (principal_id) REFERENCES principals (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Who is in which group: group_id is a 'Group' principal, member_id a
-- 'User' or 'Service' principal. Removing a principal removes its rows.
CREATE TABLE group_members (
	group_id CHAR(36) NOT NULL,
	member_id CHAR(36) NOT NULL,
	added_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (group_id, member_id),
	KEY group_members_member (member_id),
	CONSTRAINT group_members_group FOREIGN KEY (group_id) REFERENCES principals (id) ON DELETE CASCADE,
	CONSTRAINT group_members_member FOREIGN KEY (member_id) REFERENCES principals (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- What each principal may do in each wiki space. Owned by Wikid; scimbridge
-- never reads or writes it.
CREATE TABLE space_permissions (
	principal_id CHAR(36) NOT NULL,
	space_key VARCHAR(32) NOT NULL,
	permission VARCHAR(16) NOT NULL,
	PRIMARY KEY (principal_id, space_key),
	CONSTRAINT space_permissions_principal FOREIGN KEY (principal_id) REFERENCES principals (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Three people (carol has been disabled), two groups, and the search
-- indexer, a service account in the engineering group so that it can read
-- the engineering space.
INSERT INTO principals (id, type, name, display_name, external_id, disabled, created_at, updated_at) VALUES
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f41', 'User', 'alice', 'Alice Archer', NULL, 0, '2020-01-06 09:00:00', '2024-03-01 10:00:00'),
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f42', 'User', 'bob', 'Bob Baker', NULL, 0, '2020-02-10 09:30:00', NULL),
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f43', 'User', 'carol', 'Carol Cruz', NULL, 1, '2021-07-19 14:00:00', '2023-08-31 17:00:00'),
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c61', 'Group', 'engineering', 'Engineering', NULL, 0, '2020-01-06 09:00:00', NULL),
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c62', 'Group', 'everyone', 'Everyone', NULL, 0, '2020-01-06 09:00:00', NULL),
	('0d0e0a0d-beef-4c0f-9e11-5e2a7c1b0001', 'Service', 'search-indexer', 'Search indexer', NULL, 0, '2020-01-06 09:00:00', NULL);

-- Alice has a work and a home address, bob one work address, and carol
-- kept the address of her old team besides her work one.
INSERT INTO principal_emails (principal_id, email, type, is_primary, added_at) VALUES
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f41', 'alice@example.com', 'work', 1, '2020-01-06 09:00:00'),
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f41', 'alice.archer@home.example', 'home', 0, '2022-05-14 19:30:00'),
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f42', 'bob@example.com', 'work', 1, '2020-02-10 09:30:00'),
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f43', 'carol@example.com', 'work', 1, '2021-07-19 14:00:00'),
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f43', 'carol@support.example.com', 'other', 0, '2021-07-19 14:00:00');

INSERT INTO group_members (group_id, member_id, added_at) VALUES
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c61', '6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f41', '2020-01-06 09:00:00'),
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c61', '0d0e0a0d-beef-4c0f-9e11-5e2a7c1b0001', '2020-01-06 09:00:00'),
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c62', '6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f41', '2020-01-06 09:00:00'),
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c62', '6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f42', '2020-02-10 09:30:00'),
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c62', '6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f43', '2021-07-19 14:00:00');

INSERT INTO space_permissions (principal_id, space_key, permission) VALUES
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c62', 'HANDBOOK', 'read'),
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c61', 'ENG', 'write'),
	('6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f41', 'ENG', 'admin');
