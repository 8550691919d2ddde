-- The users table of "Legacy", an in-house application written long before
-- SCIM existed. Nothing here was designed for scimbridge: the login column
-- is not called userName, the account state is a status string rather than
-- a flag, the application insists on a password hash for every row, and it
-- keeps columns of its own (theme) that provisioning never touches. HR
-- fields came later: an employee number, a department and the manager,
-- another row of the same table. lock_version is the ORM's optimistic lock,
-- bumped by every update.
CREATE TABLE users (
	id INT NOT NULL AUTO_INCREMENT,
	login VARCHAR(100) NOT NULL,
	first_name VARCHAR(100) NULL,
	last_name VARCHAR(100) NULL,
	display_name VARCHAR(200) NULL,
	status VARCHAR(16) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	theme VARCHAR(16) NOT NULL DEFAULT 'light',
	employee_no VARCHAR(20) NULL,
	department VARCHAR(100) NULL,
	manager_id INT NULL,
	lock_version INT NOT NULL DEFAULT 0,
	-- Added when single sign-on came: the identity provider's own id for
	-- the person (Entra's objectId, Okta's user id), by which it matches
	-- and re-links accounts.
	sso_id VARCHAR(64) NULL,
	created_at DATETIME NULL,
	updated_at DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY users_login (login),
	KEY users_manager (manager_id),
	KEY users_sso_id (sso_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Three people the application created itself, before any identity
-- provider was connected. scimbridge lists and matches them exactly like
-- the users it creates. alice manages bob and carol.
INSERT INTO users (login, first_name, last_name, display_name, status, password_hash, theme, employee_no, department, manager_id, lock_version, created_at, updated_at) VALUES
	('alice', 'Alice', 'Archer', 'Alice Archer', 'active', '$2y$10$Q9m3mJ0sVZ8rA1mC7y0R2uV3Xw0mS1Gm1F5R0l8rGZ6tqK2b3b5e2', 'dark', 'E-1001', 'Engineering', NULL, 4, '2019-03-04 09:15:00', '2024-01-10 17:02:11'),
	('bob', 'Bob', 'Baker', 'Bob Baker', 'active', '$2y$10$7b1Lr9pD2eJqk9yqv3C3DOf4Xo8s0sY8F1m5a2VnUe0wQ4nS6jT3a', 'light', 'E-1002', 'Engineering', 1, 2, '2020-11-23 14:40:00', '2023-06-01 08:30:00'),
	('carol', 'Carol', 'Cruz', 'Carol Cruz', 'disabled', '$2y$10$Zx4c1v8bN2m3Q5w7E9r0tuY1i3O5p7A9s0D2f4G6h8J0k2L4z6X8c', 'light', 'E-0917', 'Support', 1, 7, '2018-07-19 11:05:42', '2022-12-31 23:59:59');

-- E-mail addresses, any number per user, each labelled (work, home, ...)
-- and one of them the primary address Legacy sends mail to.
CREATE TABLE user_emails (
	id INT NOT NULL AUTO_INCREMENT,
	user_id INT NOT NULL,
	address VARCHAR(255) NOT NULL,
	label VARCHAR(16) NULL,
	is_primary TINYINT(1) NOT NULL DEFAULT 0,
	PRIMARY KEY (id),
	KEY user_emails_user (user_id),
	KEY user_emails_address (address)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO user_emails (user_id, address, label, is_primary) VALUES
	(1, 'alice@example.com', 'work', 1),
	(1, 'alice.archer@home.example', 'home', 0),
	(2, 'bob@example.com', 'work', 1),
	(3, 'carol@example.com', 'work', 1);

-- Legacy's roles, and who has which: one user_roles row per role a user
-- holds. scimbridge serves the roles as SCIM Groups, so that an identity
-- provider's groups decide who is an administrator.
CREATE TABLE roles (
	id INT NOT NULL AUTO_INCREMENT,
	name VARCHAR(64) NOT NULL,
	description VARCHAR(255) NULL,
	-- The identity provider's id for a group pushed into Legacy.
	sso_id VARCHAR(64) NULL,
	created_at DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY roles_name (name),
	KEY roles_sso_id (sso_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE user_roles (
	user_id INT NOT NULL,
	role_id INT NOT NULL,
	granted_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (role_id, user_id),
	KEY user_roles_user (user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO roles (name, description, created_at) VALUES
	('Administrators', 'Everything, including user management', '2018-06-01 09:00:00'),
	('Editors', 'Create and change records', '2018-06-01 09:00:00'),
	('Read-only', 'See records, change nothing', '2018-06-01 09:00:00');

-- alice administers and edits, bob edits, carol only reads.
INSERT INTO user_roles (user_id, role_id, granted_at) VALUES
	(1, 1, '2019-03-04 09:15:00'),
	(1, 2, '2019-03-04 09:15:00'),
	(2, 2, '2020-11-23 14:40:00'),
	(3, 3, '2018-07-19 11:05:42');
