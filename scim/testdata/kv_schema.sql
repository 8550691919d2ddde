-- Accounts whose settings live in a key/value table keyed by application
-- and name, as Nextcloud keeps them in oc_preferences: the address under
-- settings/email, the account's state under core/enabled (no entry means
-- enabled), the last login as Unix seconds in text, a quota as text.
CREATE TABLE users (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(64) NOT NULL,
  UNIQUE KEY users_login (login)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE preferences (
  userid INT UNSIGNED NOT NULL,
  appid VARCHAR(32) NOT NULL DEFAULT '',
  configkey VARCHAR(64) NOT NULL DEFAULT '',
  configvalue LONGTEXT NULL,
  PRIMARY KEY (userid, appid, configkey)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO users (id, login) VALUES (1, 'alice'), (2, 'bob'), (3, 'carol');
INSERT INTO preferences (userid, appid, configkey, configvalue) VALUES
  (1, 'settings', 'displayname', 'Alice Archer'),
  (1, 'core', 'enabled', 'false'),
  (1, 'login', 'lastLogin', '1700000000'),
  (1, 'files', 'quota_gb', '50'),
  (2, 'settings', 'displayname', 'Bob Baker'),
  (2, 'settings', 'email', 'bob@example.com'),
  (2, 'files', 'enabled', 'false'),
  (3, 'core', 'enabled', 'true'),
  (3, 'settings', 'quota_gb', '5'),
  (3, 'files', 'recent', '[]');
