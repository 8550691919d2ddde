-- Drupal 10's user entity as its SQL storage lays it out: the base table
-- users (id, uuid, language) and the data table users_field_data with one
-- row per user and language (default_langcode = 1 marks the user's own),
-- holding the name, address, status and times. Real names, types,
-- collations and indexes (uid 0, the anonymous user, is left out: it
-- needs NO_AUTO_VALUE_ON_ZERO to load).
CREATE TABLE users (
  uid INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  uuid VARCHAR(128) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  langcode VARCHAR(12) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  PRIMARY KEY (uid),
  UNIQUE KEY user_field__uuid__value (uuid)
) ENGINE=InnoDB AUTO_INCREMENT=100 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE users_field_data (
  uid INT(10) UNSIGNED NOT NULL,
  langcode VARCHAR(12) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  preferred_langcode VARCHAR(12) CHARACTER SET ascii COLLATE ascii_general_ci DEFAULT NULL,
  preferred_admin_langcode VARCHAR(12) CHARACTER SET ascii COLLATE ascii_general_ci DEFAULT NULL,
  name VARCHAR(60) NOT NULL,
  pass VARCHAR(255) DEFAULT NULL,
  mail VARCHAR(254) DEFAULT NULL,
  timezone VARCHAR(32) DEFAULT NULL,
  status TINYINT(4) DEFAULT NULL,
  created INT(11) NOT NULL,
  changed INT(11) DEFAULT NULL,
  access INT(11) NOT NULL,
  login INT(11) DEFAULT NULL,
  init VARCHAR(254) DEFAULT NULL,
  default_langcode TINYINT(4) NOT NULL,
  PRIMARY KEY (uid, langcode),
  UNIQUE KEY user__name (name, langcode),
  KEY user_field__mail (mail),
  KEY user__id__default_langcode__langcode (uid, default_langcode, langcode)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO users (uid, uuid, langcode) VALUES
  (1, 'a2a6f1f4-0000-4000-8000-000000000001', 'en'),
  (2, 'a2a6f1f4-0000-4000-8000-000000000002', 'en'),
  (3, 'a2a6f1f4-0000-4000-8000-000000000003', 'en');
INSERT INTO users_field_data (uid, langcode, preferred_langcode, name, pass, mail, timezone, status, created, changed, access, login, init, default_langcode) VALUES
  (1, 'en', 'en', 'admin', '$2y$10$abcdefghijklmnopqrstuu', 'admin@example.com', 'UTC', 1, 1700000000, 1700000000, 0, 0, 'admin@example.com', 1),
  (2, 'en', 'en', 'bob', NULL, 'bob@example.com', 'Europe/Berlin', 0, 1700000000, 1700000000, 0, 0, 'bob@example.com', 1),
  -- bob's translation: another language's row of the same user.
  (2, 'de', 'de', 'bob', NULL, 'bob@example.com', 'Europe/Berlin', 0, 1700000000, 1700000000, 0, 0, 'bob@example.com', 0);
-- uid 3 has no data row: its attributes are unassigned until a write
-- makes it. uid 100, the next key, has an orphan data row that a create
-- collides with.
INSERT INTO users_field_data (uid, langcode, name, created, access, default_langcode) VALUES
  (100, 'en', 'orphan', 1700000000, 0, 1);
