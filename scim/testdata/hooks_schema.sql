-- Side effects an application performs in its own code, modelled on
-- Gitea: a team keeps its member count in team.num_members and a user
-- the number of its teams in user.num_teams; a team's admins are rows of
-- their own; the application's job queue takes a row per event; a user's
-- access tokens are revoked when the account is disabled, and a note on
-- the account says why.
CREATE TABLE `user` (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  lower_name VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  full_name VARCHAR(255) NULL,
  is_active TINYINT(1) NOT NULL DEFAULT 1,
  num_teams INT NOT NULL DEFAULT 0,
  status_note VARCHAR(64) NULL,
  UNIQUE KEY UQE_user_lower_name (lower_name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE team (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  num_members INT NOT NULL DEFAULT 0,
  UNIQUE KEY UQE_team_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE team_user (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT NOT NULL,
  uid BIGINT NOT NULL,
  UNIQUE KEY UQE_team_user_s (team_id, uid)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE team_admin (
  team_id BIGINT NOT NULL,
  uid BIGINT NOT NULL,
  PRIMARY KEY (team_id, uid)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE job_queue (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(32) NOT NULL,
  user_id BIGINT NOT NULL,
  login VARCHAR(255) NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE access_token (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uid BIGINT NOT NULL,
  KEY IDX_access_token_uid (uid)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO `user` (lower_name, name, full_name, num_teams) VALUES
  ('alice', 'alice', 'Alice Archer', 1), ('bob', 'bob', 'Bob Baker', 0),
  ('carol', 'carol', 'Carol Cook', 1), ('dave', 'dave', NULL, 0);
INSERT INTO team (name, num_members) VALUES ('owners', 2), ('devs', 0);
INSERT INTO team_user (team_id, uid) VALUES (1, 1), (1, 3);
INSERT INTO team_admin (team_id, uid) VALUES (1, 1), (2, 2);
INSERT INTO access_token (uid) VALUES (2), (2), (3);
