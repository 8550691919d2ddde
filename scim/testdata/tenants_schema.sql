-- A multi-tenant SaaS: every row belongs to an organisation.
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id INT NOT NULL,
  email VARCHAR(190) NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  UNIQUE KEY users_org_email (org_id, email)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE teams (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id INT NOT NULL,
  name VARCHAR(100) NOT NULL,
  UNIQUE KEY teams_org_name (org_id, name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE team_members (
  team_id INT NOT NULL,
  user_id INT NOT NULL,
  PRIMARY KEY (team_id, user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO users (org_id, email) VALUES (1, 'ann@acme.test'), (1, 'bo@acme.test'), (2, 'cy@globex.test'), (2, 'ann@acme.test');
INSERT INTO teams (org_id, name) VALUES (1, 'Engineering'), (2, 'Engineering');
INSERT INTO team_members VALUES (1, 1), (2, 3);
