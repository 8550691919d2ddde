-- The tables of "Backoffice", an internal admin tool: staff sign in to look
-- up customers, issue refunds and change settings. Every user has exactly
-- one role, stored by name in users.role; the roles table lists the roles
-- the tool knows and the permissions each one grants. A user whose role is
-- taken away falls back to 'viewer' (read-only), which is also the column's
-- default. There is no join table and no foreign key: the tool compares
-- names. A user's account state is a status code, and several codes mean
-- the user may still work: the tool locks accounts and expires passwords by
-- itself. scimbridge.yaml beside this file maps users to SCIM Users and
-- roles to SCIM Groups whose members are the users holding the role.
CREATE TABLE roles (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	-- What users.role holds.
	name VARCHAR(32) NOT NULL,
	-- Owned by the tool: what the role may do. New roles start with none.
	permissions VARCHAR(255) NOT NULL DEFAULT '',
	created_at DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY roles_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE users (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	username VARCHAR(64) NOT NULL,
	email VARCHAR(190) NULL,
	display_name VARCHAR(128) NULL,
	-- The user's one role, by name.
	role VARCHAR(32) NOT NULL DEFAULT 'viewer',
	-- 0 disabled (the person left); 1 active; 2 active, but the password
	-- has expired and must be changed at the next sign-in; 3 active, but
	-- locked for 30 minutes after too many failed sign-ins.
	status TINYINT UNSIGNED NOT NULL DEFAULT 1,
	last_login DATETIME NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY users_username (username),
	KEY users_role (role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- The roles Backoffice ships with, and the staff it already has: bob's
-- password has expired, carol is locked out, and erin has left.
INSERT INTO roles (name, permissions, created_at) VALUES
	('viewer', 'customers:read', '2017-10-02 09:00:00'),
	('support', 'customers:read,customers:write,tickets:write', '2017-10-02 09:00:00'),
	('finance', 'customers:read,refunds:write,invoices:write', '2017-10-02 09:00:00'),
	('admin', '*', '2017-10-02 09:00:00');

INSERT INTO users (username, email, display_name, role, status, last_login, created_at) VALUES
	('alice', 'alice@example.com', 'Alice Archer', 'admin', 1, '2024-05-02 08:11:09', '2017-10-02 09:00:00'),
	('bob', 'bob@example.com', 'Bob Baker', 'support', 2, '2024-04-30 14:20:00', '2019-01-15 10:00:00'),
	('carol', 'carol@example.com', 'Carol Cruz', 'finance', 3, '2024-05-01 16:45:00', '2020-03-09 11:30:00'),
	('dave', 'dave@example.com', 'Dave Diaz', 'viewer', 1, NULL, '2023-11-20 13:00:00'),
	('erin', 'erin@example.com', 'Erin Evans', 'viewer', 0, '2021-06-30 18:00:00', '2018-02-01 08:00:00');
