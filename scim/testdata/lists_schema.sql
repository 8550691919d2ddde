-- Roles held in one column, as published applications keep them:
-- Symfony's JSON roles (LONGTEXT NOT NULL, no default), Mattermost's
-- space-separated Roles, Snipe-IT's JSON permissions object.
CREATE TABLE app_user (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(180) NOT NULL,
  roles LONGTEXT NOT NULL COMMENT '(DC2Type:json)',
  Roles2 VARCHAR(256) NOT NULL DEFAULT '',
  permissions TEXT NULL,
  UNIQUE KEY uniq_email (email)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO app_user (email, roles, Roles2, permissions) VALUES
  ('admin@example.com', '["ROLE_ADMIN","ROLE_USER"]', 'system_user system_admin', '{"superuser":"1","admin":"0","reports.view":"1"}'),
  ('user@example.com', '["ROLE_USER"]', 'system_user', NULL),
  ('near@example.com', '["ROLE_ADMINX","role_admin","say \\"ROLE_ADMIN"]', 'xsystem_admin system_adminx', '{"superuser":0}'),
  ('broken@example.com', '["ROLE_ADMIN",', 'system_user', '{"superuser":');
