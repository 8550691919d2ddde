-- Teams whose memberships keep their history, as Mattermost's TeamMembers
-- do: a removed member's row stays with DeleteAt set (milliseconds in
-- Mattermost; any non-zero time marks it), and joining again clears it.
CREATE TABLE Users (
  Id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  Username VARCHAR(64) NOT NULL,
  DeleteAt BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY Username (Username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE Teams (
  Id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  DisplayName VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE TeamMembers (
  TeamId INT NOT NULL,
  UserId INT NOT NULL,
  Roles VARCHAR(256) NOT NULL DEFAULT '',
  DeleteAt BIGINT NOT NULL DEFAULT 0,
  SchemeUser TINYINT(1) NULL,
  PRIMARY KEY (TeamId, UserId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- A legacy history table without a unique key: one row per stint.
CREATE TABLE project_members (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  project_id INT NOT NULL,
  user_id INT NOT NULL,
  removed TINYINT NOT NULL DEFAULT 0,
  KEY project_members_project (project_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO Users (Id, Username) VALUES (1, 'alice'), (2, 'bob'), (3, 'carol');
INSERT INTO Teams (Id, DisplayName) VALUES (1, 'Engineering');
INSERT INTO TeamMembers (TeamId, UserId, Roles, DeleteAt, SchemeUser) VALUES
  (1, 1, 'team_user', 0, 1),
  (1, 2, 'team_user team_admin', 1700000000000, 1);
