-- The users and roles of a classic PHP-era business application: a
-- helpdesk that several customer accounts share, with its own ideas about
-- naming (username, full_name, sso_subject), an ENUM for the account state,
-- NOT NULL columns that SCIM knows nothing about (password_hash, role,
-- api_key, password_changed_at), and per-account roles granted through a
-- user_roles join table. config.example.yaml and scimbridge.yaml in this
-- directory map it.
CREATE TABLE users (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	-- The customer account (tenant) the user belongs to.
	account_id INT UNSIGNED NOT NULL,
	username VARCHAR(64) NOT NULL,
	email VARCHAR(190) NULL,
	first_name VARCHAR(64) NULL,
	last_name VARCHAR(64) NULL,
	full_name VARCHAR(128) NULL,
	job_title VARCHAR(128) NULL,
	phone VARCHAR(32) NULL,
	locale VARCHAR(16) NULL,
	timezone VARCHAR(64) NULL,
	employee_no VARCHAR(32) NULL,
	department VARCHAR(64) NULL,
	-- The identity provider's id for the user (SCIM externalId).
	sso_subject VARCHAR(255) NULL,
	status ENUM('active', 'suspended') NOT NULL DEFAULT 'active',
	-- The application refuses rows without these.
	password_hash VARCHAR(255) NOT NULL,
	role VARCHAR(32) NOT NULL,
	api_key CHAR(36) NOT NULL,
	password_changed_at DATETIME NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	-- Owned by the application; scimbridge never reads or writes it.
	last_login_at DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY users_username (username),
	UNIQUE KEY users_api_key (api_key),
	KEY users_account (account_id),
	KEY users_email (email),
	KEY users_sso_subject (sso_subject)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Two users the application created itself, in account 1 (the one the
-- mapping serves), and one in another customer's account, which the
-- mapping's scope keeps out of sight.
INSERT INTO users (account_id, username, email, first_name, last_name, full_name, job_title, department,
	status, password_hash, role, api_key, password_changed_at, created_at, last_login_at) VALUES
	(1, 'jsmith', 'jane.smith@example.com', 'Jane', 'Smith', 'Jane Smith', 'Support Lead', 'Support',
	 'active', '$2y$10$Dk3jVt1WmF0pR8sN5bL2QeXo7aZ9cY4uH6gT1iK3nM5vB7xC9zA1e', 'admin',
	 '1b4e28ba-2fa1-11d2-883f-0016d3cca427', '2023-02-01 10:00:00', '2016-05-12 08:30:00', '2024-11-02 09:12:44'),
	(1, 'mlopez', 'miguel.lopez@example.com', 'Miguel', 'Lopez', 'Miguel Lopez', 'Agent', 'Support',
	 'suspended', '$2y$10$Hq7mW2eR4tY6uI8oP0aS2dF4gH6jK8lZ0xC2vB4nM6qW8eR0tY2u4', 'member',
	 '6fa459ea-ee8a-3ca4-894e-db77e160355e', '2021-09-15 16:20:00', '2018-01-03 12:00:00', NULL),
	(2, 'other.tenant', 'ops@other.example', 'Olga', 'Tenant', 'Olga Tenant', NULL, NULL,
	 'active', '!', 'member',
	 '886313e1-3b8a-5372-9b90-0c9aee199e5d', '2022-04-04 04:04:04', '2022-04-04 04:04:04', NULL);

-- The helpdesk's roles, per customer account: what an agent may do
-- (answer tickets, supervise queues, edit the knowledge base). A user can
-- hold several roles; user_roles has one row per grant. The older
-- users.role column above predates this table and is kept by the
-- application for its own use.
CREATE TABLE roles (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	account_id INT UNSIGNED NOT NULL,
	name VARCHAR(64) NOT NULL,
	description VARCHAR(255) NULL,
	-- The identity provider's id for a group pushed into the helpdesk
	-- (SCIM externalId).
	sso_group_id VARCHAR(255) NULL,
	created_at DATETIME NOT NULL,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY roles_account_name (account_id, name),
	KEY roles_sso_group_id (sso_group_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE user_roles (
	user_id INT UNSIGNED NOT NULL,
	role_id INT UNSIGNED NOT NULL,
	granted_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (role_id, user_id),
	KEY user_roles_user (user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Account 1's three roles and account 2's own Agents role, which the
-- mapping's scope keeps out of sight like account 2's user.
INSERT INTO roles (account_id, name, description, created_at) VALUES
	(1, 'Agents', 'Answer and update tickets', '2016-05-12 08:30:00'),
	(1, 'Supervisors', 'Assign tickets and manage queues', '2016-05-12 08:30:00'),
	(1, 'Knowledge Base Editors', 'Write and publish help articles', '2019-10-01 12:00:00'),
	(2, 'Agents', 'Answer and update tickets', '2022-04-04 04:04:04');

-- jsmith supervises and answers tickets; mlopez answers them; other.tenant
-- is an agent of account 2.
INSERT INTO user_roles (user_id, role_id, granted_at) VALUES
	(1, 1, '2016-05-12 08:30:00'),
	(1, 2, '2020-02-17 09:00:00'),
	(2, 1, '2018-01-03 12:00:00'),
	(3, 4, '2022-04-04 04:04:04');
