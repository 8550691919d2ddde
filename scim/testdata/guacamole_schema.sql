-- Apache Guacamole 1.5's MySQL schema for users (001-create-schema.sql):
-- every user and user group is a guacamole_entity row (name, type), and a
-- user's account data is its guacamole_user row, which refers to the
-- entity by entity_id and has its own AUTO_INCREMENT user_id. A group
-- with the same name as a user is another entity.
CREATE TABLE guacamole_entity (
  entity_id INT(11) NOT NULL AUTO_INCREMENT,
  name VARCHAR(128) NOT NULL,
  type ENUM('USER', 'USER_GROUP') NOT NULL,
  PRIMARY KEY (entity_id),
  UNIQUE KEY guacamole_entity_name_scope (type, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user (
  user_id INT(11) NOT NULL AUTO_INCREMENT,
  entity_id INT(11) NOT NULL,
  -- Optionally-salted password
  password_hash BINARY(32) NOT NULL,
  password_salt BINARY(32),
  password_date DATETIME NOT NULL,
  -- Account disabled/expired status
  disabled BOOLEAN NOT NULL DEFAULT 0,
  expired BOOLEAN NOT NULL DEFAULT 0,
  -- Time-based access restriction
  access_window_start TIME,
  access_window_end TIME,
  -- Date-based access restriction
  valid_from DATE,
  valid_until DATE,
  -- Timezone used for all date/time comparisons and interpretation
  timezone VARCHAR(64),
  -- Profile information
  full_name VARCHAR(256),
  email_address VARCHAR(256),
  organization VARCHAR(256),
  organizational_role VARCHAR(256),
  PRIMARY KEY (user_id),
  UNIQUE KEY guacamole_user_single_entity (entity_id),
  CONSTRAINT guacamole_user_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- The default administrator (password guacadmin), a group named like a
-- user, and a user whose account row is missing.
INSERT INTO guacamole_entity (entity_id, name, type) VALUES
  (1, 'guacadmin', 'USER'),
  (2, 'admins', 'USER_GROUP'),
  (3, 'jane', 'USER'),
  (4, 'jane', 'USER_GROUP'),
  (5, 'ghost', 'USER');
INSERT INTO guacamole_user (user_id, entity_id, password_hash, password_salt, password_date, disabled, full_name, email_address, organization) VALUES
  (1, 1, x'CA458A7D494E3BE824F5E1E175A1556C0F8EEF2C2D7DF3633BEC4A29C4411960', x'FE24ADC5E11E2B25288D1704ABE67A79E342ECC26064CE69C5B3177795A82264', '2020-01-01 00:00:00', 0, 'Guacamole Admin', 'admin@example.com', 'IT'),
  (2, 3, x'00', NULL, '2021-06-01 12:00:00', 1, 'Jane Roe', 'jane@example.com', 'Sales');
