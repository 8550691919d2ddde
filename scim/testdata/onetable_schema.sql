-- Role model 3: users and groups in one principals table told apart by a
-- kind column, with memberships in a join table.
CREATE TABLE principals (
  id CHAR(36) NOT NULL PRIMARY KEY,
  kind VARCHAR(8) NOT NULL,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(190) NULL,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  UNIQUE KEY principals_kind_name (kind, name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE memberships (
  group_id CHAR(36) NOT NULL,
  member_id CHAR(36) NOT NULL,
  PRIMARY KEY (group_id, member_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO principals (id, kind, name, email) VALUES
  ('00000000-0000-4000-8000-000000000001', 'User', 'alice', 'alice@example.com'),
  ('00000000-0000-4000-8000-000000000002', 'User', 'bob', 'bob@example.com'),
  ('00000000-0000-4000-8000-0000000000a1', 'Group', 'staff', NULL);
INSERT INTO memberships VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001');
