-- A Spring Security application's users as JdbcUserDetailsManager keeps
-- them: the default schema published with Spring Security
-- (org/springframework/security/core/userdetails/jdbc/users.ddl, "User
-- Schema" in the reference documentation), in its MySQL spelling, which
-- the documentation gives as
--
--   create table users(username varchar(50) not null primary key,
--     password varchar(500) not null, enabled boolean not null);
--   create table authorities (username varchar(50) not null,
--     authority varchar(50) not null,
--     constraint fk_authorities_users foreign key(username) references users(username));
--   create unique index ix_auth_username on authorities (username,authority);
--
-- There is no table of authorities: an authority is whatever string the
-- rows hold, and rows refer to the user by username, the primary key.

CREATE TABLE users (
  username VARCHAR(50) NOT NULL PRIMARY KEY,
  password VARCHAR(500) NOT NULL,
  enabled BOOLEAN NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE authorities (
  username VARCHAR(50) NOT NULL,
  authority VARCHAR(50) NOT NULL,
  CONSTRAINT fk_authorities_users FOREIGN KEY (username) REFERENCES users (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE UNIQUE INDEX ix_auth_username ON authorities (username, authority);

-- Accounts the application made itself: an administrator, a user, and an
-- operator whose ROLE_OPERATOR is the application's own, not the IdP's.
INSERT INTO users (username, password, enabled) VALUES
  ('admin', '{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG', 1),
  ('jdoe', '{bcrypt}$2a$10$GRLdNijSQMUvl/au9ofL.eDwmoohzzS7.rmNSJZ.0FxO/BTk76klW', 1),
  ('ops', '{bcrypt}$2a$10$eH5LZ8CTnOVDlQIDxAfLFuC3.S7Sg3KpPRx5jYdKLsGVIlfPMV/MO', 0);
INSERT INTO authorities (username, authority) VALUES
  ('admin', 'ROLE_ADMIN'), ('admin', 'ROLE_USER'),
  ('jdoe', 'ROLE_USER'),
  ('ops', 'ROLE_OPERATOR');
