-- Apache Guacamole 1.5's MySQL schema for its users and user groups, as
-- 001-create-schema.sql creates it (the tables of connections,
-- permissions and history are left out), with the default administrator
-- 002-create-admin-user.sql adds, and a few users and groups an
-- administrator made in the web application.
--
-- Every user and user group is a guacamole_entity row; a user's account
-- data is its guacamole_user row, which refers to the entity by entity_id
-- and has its own AUTO_INCREMENT user_id; a group's is its
-- guacamole_user_group row. Group membership refers to the group by
-- user_group_id and to the member by its entity_id.
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

CREATE TABLE guacamole_user_group (
  user_group_id INT(11) NOT NULL AUTO_INCREMENT,
  entity_id INT(11) NOT NULL,
  -- Group disabled status
  disabled BOOLEAN NOT NULL DEFAULT 0,
  PRIMARY KEY (user_group_id),
  UNIQUE KEY guacamole_user_group_single_entity (entity_id),
  CONSTRAINT guacamole_user_group_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_group_member (
  user_group_id INT(11) NOT NULL,
  member_entity_id INT(11) NOT NULL,
  PRIMARY KEY (user_group_id, member_entity_id),
  -- Parent must be a user group
  CONSTRAINT guacamole_user_group_member_parent_id FOREIGN KEY (user_group_id)
    REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE,
  -- Member may be either a user or a user group (any entity)
  CONSTRAINT guacamole_user_group_member_entity_id FOREIGN KEY (member_entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- guacadmin / guacadmin, as 002-create-admin-user.sql makes it.
INSERT INTO guacamole_entity (entity_id, name, type) VALUES (1, 'guacadmin', 'USER');
INSERT INTO guacamole_user (user_id, entity_id, password_hash, password_salt, password_date) VALUES
  (1, 1, x'CA458A7D494E3BE824F5E1E175A1556C0F8EEF2C2D7DF3633BEC4A29C4411960',
   x'FE24ADC5E11E2B25288D1704ABE67A79E342ECC26064CE69C5B3177795A82264', '2023-01-01 00:00:00');

-- Made in the web application: jane (a disabled account), the group
-- "support" with jane in it, and a group named like a user, which is no
-- user.
INSERT INTO guacamole_entity (entity_id, name, type) VALUES
  (2, 'jane.roe', 'USER'),
  (3, 'support', 'USER_GROUP'),
  (4, 'sam.lee', 'USER_GROUP');
INSERT INTO guacamole_user (user_id, entity_id, password_hash, password_salt, password_date, disabled, full_name, email_address, organization, organizational_role) VALUES
  (2, 2, x'5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8', NULL, '2024-02-01 09:30:00', 1, 'Jane Roe', 'jane.roe@example.com', 'Example Corp', 'Support');
INSERT INTO guacamole_user_group (user_group_id, entity_id, disabled) VALUES (1, 3, 0), (2, 4, 0);
INSERT INTO guacamole_user_group_member (user_group_id, member_entity_id) VALUES (1, 2);
