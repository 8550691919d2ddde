-- A CMS-style users table: several status codes mean active, timestamps
-- are integer Unix seconds.
CREATE TABLE members (
  member_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  handle VARCHAR(60) NOT NULL,
  state TINYINT NOT NULL DEFAULT 1,
  joined INT UNSIGNED NOT NULL,
  changed INT UNSIGNED NULL,
  KEY members_handle (handle)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- 1 active, 2 active (pending e-mail change), 0 blocked, 3 banned.
INSERT INTO members (handle, state, joined, changed) VALUES
  ('ann', 1, 1700000000, NULL), ('ben', 2, 1700000100, 1700000200), ('cy', 0, 1700000300, NULL), ('di', 3, 1700000400, NULL);
