-- The tables of "Taskboard", a project-management application built with a
-- Rails-style ORM: a surrogate BIGINT key on every table, created_at and
-- updated_at everywhere, and classic role-based access control: a roles
-- table and a user_roles join table with one row per grant. Foreign keys
-- keep the join table honest. scimbridge.yaml beside this file maps users
-- to SCIM Users and roles to SCIM Groups.
CREATE TABLE users (
	id BIGINT NOT NULL AUTO_INCREMENT,
	email VARCHAR(255) NOT NULL,
	name VARCHAR(255) NULL,
	-- The application's own sign-in; SCIM-provisioned users get '!' and
	-- sign in through the identity provider.
	encrypted_password VARCHAR(255) NOT NULL,
	active TINYINT(1) NOT NULL DEFAULT 1,
	time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
	last_sign_in_at DATETIME NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY index_users_on_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE roles (
	id BIGINT NOT NULL AUTO_INCREMENT,
	name VARCHAR(100) NOT NULL,
	description VARCHAR(255) NULL,
	-- The identity provider's id for a group pushed into Taskboard (SCIM
	-- externalId); NULL for roles the application created itself.
	sso_group_id VARCHAR(255) NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY index_roles_on_name (name),
	KEY index_roles_on_sso_group_id (sso_group_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- One row per grant of a role to a user. The application reads it from both
-- sides, so there is an index for each.
CREATE TABLE user_roles (
	id BIGINT NOT NULL AUTO_INCREMENT,
	user_id BIGINT NOT NULL,
	role_id BIGINT NOT NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY index_user_roles_on_user_id_and_role_id (user_id, role_id),
	KEY index_user_roles_on_role_id (role_id),
	CONSTRAINT fk_user_roles_user FOREIGN KEY (user_id) REFERENCES users (id),
	CONSTRAINT fk_user_roles_role FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- What the application holds before an identity provider is connected:
-- four people (dave has left and is deactivated), the four roles Taskboard
-- ships with, and who has which.
INSERT INTO users (email, name, encrypted_password, active, time_zone, last_sign_in_at, created_at, updated_at) VALUES
	('alice@example.com', 'Alice Archer', '$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', 1, 'Europe/London', '2024-05-02 08:11:09', '2019-02-11 09:00:00', '2024-05-02 08:11:09'),
	('bob@example.com', 'Bob Baker', '$2a$12$7oF6Yb6mN3mQf7bRhWQy6eF1cQfOBm1t8yQ9c3c6m0F2jKX4yW2e6', 1, 'America/New_York', '2024-04-30 14:20:00', '2020-06-01 12:30:00', '2024-04-30 14:20:00'),
	('carol@example.com', 'Carol Cruz', '$2a$12$Wq3x0Pz4nB9m1kT6vL2sYuA8dC5fG7hJ9kL1zX3cV5bN7mQ9wE1rT', 1, 'UTC', NULL, '2021-09-14 16:45:00', '2021-09-14 16:45:00'),
	('dave@example.com', 'Dave Diaz', '$2a$12$Mn8b7V6c5X4z3L2k1J0hGfDsA9pO8iU7yT6rE5wQ4aS3dF2gH1jK0', 0, 'UTC', '2022-01-07 10:00:00', '2018-03-03 10:10:10', '2023-01-31 17:00:00');

INSERT INTO roles (name, description, created_at, updated_at) VALUES
	('Admin', 'Manages the workspace, billing and every project', '2018-03-01 00:00:00', '2018-03-01 00:00:00'),
	('Project Manager', 'Creates projects and plans milestones', '2018-03-01 00:00:00', '2018-03-01 00:00:00'),
	('Developer', 'Works on issues in every project', '2018-03-01 00:00:00', '2018-03-01 00:00:00'),
	('Guest', 'Reads issues, cannot change them', '2018-03-01 00:00:00', '2018-03-01 00:00:00');

INSERT INTO user_roles (user_id, role_id, created_at) VALUES
	(1, 1, '2019-02-11 09:00:00'),
	(1, 2, '2019-02-11 09:00:00'),
	(2, 3, '2020-06-01 12:30:00'),
	(3, 3, '2021-09-14 16:45:00'),
	(4, 4, '2018-03-03 10:10:10');
