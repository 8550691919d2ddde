-- Group membership held as a list in a column of the user's row, the
-- groups being the rows of a small table of the application's roles:
-- Symfony's JSON roles (roles also carry ROLE_USER, which the SCIM roles
-- attribute owns) and Mattermost's space-separated Users.Roles.
CREATE TABLE app_user (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(180) NOT NULL,
  roles LONGTEXT NOT NULL COMMENT '(DC2Type:json)',
  UNIQUE KEY uniq_email (email)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE app_role (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  label VARCHAR(128) NULL,
  UNIQUE KEY uniq_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE Users (
  Id VARCHAR(26) NOT NULL PRIMARY KEY,
  Username VARCHAR(64) NOT NULL,
  Roles VARCHAR(256) NOT NULL DEFAULT '',
  UNIQUE KEY Username (Username)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE Roles (
  Id VARCHAR(26) NOT NULL PRIMARY KEY,
  Name VARCHAR(64) NOT NULL,
  DisplayName VARCHAR(128) NOT NULL DEFAULT '',
  UNIQUE KEY Name (Name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO app_role (id, name, label) VALUES (1, 'ROLE_ADMIN', 'Administrators'), (2, 'ROLE_EDITOR', 'Editors'), (3, 'ROLE_AUDITOR', 'Auditors');
INSERT INTO app_user (id, email, roles) VALUES
  (1, 'admin@example.com', '["ROLE_ADMIN","ROLE_USER"]'),
  (2, 'user@example.com', '["ROLE_USER"]'),
  (3, 'near@example.com', '["ROLE_ADMINX","role_admin","ROLE_EDITOR"]'),
  (4, 'broken@example.com', '["ROLE_ADMIN",');

INSERT INTO Roles (Id, Name, DisplayName) VALUES ('r1', 'system_admin', 'System admins'), ('r2', 'channel_moderator', 'Moderators');
INSERT INTO Users (Id, Username, Roles) VALUES
  ('u1', 'alice', 'system_user system_admin'),
  ('u2', 'bob', 'system_user'),
  ('u3', 'carol', 'xsystem_admin system_adminx SYSTEM_ADMIN');
