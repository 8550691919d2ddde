-- The tables of "Beacon", a hosted incident-management service sold to
-- companies: every customer is an organisation, and every row that belongs
-- to a customer carries its org_id. People sign in with their e-mail
-- address, which is unique within an organisation but not across them (a
-- contractor can work for two customers with one address). Teams are the
-- on-call rotations pages go to; team_members says who is on which. Each
-- customer connects its own identity provider: scimbridge.yaml beside this
-- file gives each of them a token bound to its org_id.
CREATE TABLE organizations (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	-- The customer's subdomain: acme.beacon.example.
	slug VARCHAR(63) NOT NULL,
	name VARCHAR(255) NOT NULL,
	billing_plan VARCHAR(32) NOT NULL DEFAULT 'trial',
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY organizations_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE users (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	org_id BIGINT UNSIGNED NOT NULL,
	email VARCHAR(255) NOT NULL,
	name VARCHAR(255) NULL,
	title VARCHAR(128) NULL,
	-- Where Beacon sends SMS pages.
	mobile_phone VARCHAR(32) NULL,
	time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
	-- Beacon's own permission level within the organisation; owners and
	-- admins are set in Beacon, never by the identity provider.
	role VARCHAR(16) NOT NULL DEFAULT 'member',
	-- The identity provider's id for the person.
	external_id VARCHAR(255) NULL,
	-- Set when someone leaves: they stop getting pages and cannot sign in,
	-- but their incident history stays.
	deactivated_at DATETIME NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY users_org_email (org_id, email),
	KEY users_org_external_id (org_id, external_id),
	CONSTRAINT users_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- On-call teams, named uniquely within an organisation.
CREATE TABLE teams (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	org_id BIGINT UNSIGNED NOT NULL,
	name VARCHAR(100) NOT NULL,
	-- Beacon's own: the escalation policy pages to this team follow.
	escalation_minutes INT NOT NULL DEFAULT 15,
	external_id VARCHAR(255) NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY teams_org_name (org_id, name),
	CONSTRAINT teams_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Who is on which team. A team and its members are always in the same
-- organisation; Beacon checks that when it adds someone.
CREATE TABLE team_members (
	team_id BIGINT UNSIGNED NOT NULL,
	user_id BIGINT UNSIGNED NOT NULL,
	-- Beacon's own: 'responder' or 'lead'.
	role VARCHAR(16) NOT NULL DEFAULT 'responder',
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (team_id, user_id),
	KEY team_members_user (user_id),
	CONSTRAINT team_members_team FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE,
	CONSTRAINT team_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Three customers: Acme (Okta), Globex (Entra ID) and Initech, which has
-- not connected an identity provider.
INSERT INTO organizations (slug, name, billing_plan, created_at) VALUES
	('acme', 'Acme Corporation', 'business', '2021-03-01 09:00:00'),
	('globex', 'Globex', 'enterprise', '2022-06-15 12:00:00'),
	('initech', 'Initech', 'trial', '2024-01-08 08:00:00');

-- Pat, a contractor, works for Acme and Globex with one address: two
-- users, one per organisation. Globex's dan has left.
INSERT INTO users (org_id, email, name, title, mobile_phone, time_zone, role, external_id, deactivated_at, created_at, updated_at) VALUES
	(1, 'alice@acme.example', 'Alice Archer', 'SRE Lead', '+1 555 0101', 'America/New_York', 'owner', NULL, NULL, '2021-03-01 09:00:00', '2024-02-01 10:00:00'),
	(1, 'bob@acme.example', 'Bob Baker', 'Engineer', '+1 555 0102', 'America/Chicago', 'member', NULL, NULL, '2021-04-12 14:30:00', '2021-04-12 14:30:00'),
	(1, 'pat@contractors.example', 'Pat Quinn', 'Contractor', NULL, 'Europe/Dublin', 'member', NULL, NULL, '2023-09-01 08:00:00', '2023-09-01 08:00:00'),
	(2, 'carol@globex.example', 'Carol Cruz', 'Head of Operations', '+44 7700 900101', 'Europe/London', 'owner', NULL, NULL, '2022-06-15 12:00:00', '2024-05-20 16:00:00'),
	(2, 'pat@contractors.example', 'Pat Quinn', 'Contractor', '+353 85 555 0199', 'Europe/Dublin', 'member', NULL, NULL, '2023-10-02 08:00:00', '2023-10-02 08:00:00'),
	(2, 'dan@globex.example', 'Dan Diaz', 'Engineer', NULL, 'Europe/London', 'member', NULL, '2024-03-31 17:00:00', '2022-07-01 09:00:00', '2024-03-31 17:00:00'),
	(3, 'erin@initech.example', 'Erin Evans', 'IT Manager', NULL, 'America/Denver', 'owner', NULL, NULL, '2024-01-08 08:00:00', '2024-01-08 08:00:00');

-- Acme and Globex both have a Platform team.
INSERT INTO teams (org_id, name, escalation_minutes, created_at, updated_at) VALUES
	(1, 'Platform', 10, '2021-03-02 09:00:00', '2021-03-02 09:00:00'),
	(1, 'Payments', 5, '2021-05-01 09:00:00', '2021-05-01 09:00:00'),
	(2, 'Platform', 15, '2022-06-16 12:00:00', '2022-06-16 12:00:00'),
	(3, 'IT', 30, '2024-01-08 08:00:00', '2024-01-08 08:00:00');

INSERT INTO team_members (team_id, user_id, role, created_at) VALUES
	(1, 1, 'lead', '2021-03-02 09:00:00'),
	(1, 3, 'responder', '2023-09-01 08:00:00'),
	(2, 2, 'lead', '2021-05-01 09:00:00'),
	(3, 4, 'lead', '2022-06-16 12:00:00'),
	(3, 5, 'responder', '2023-10-02 08:00:00'),
	(3, 6, 'responder', '2022-07-01 09:00:00'),
	(4, 7, 'lead', '2024-01-08 08:00:00');
