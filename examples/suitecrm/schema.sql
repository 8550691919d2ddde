-- SuiteCRM 7.14 (SugarCRM CE lineage): the tables provisioning touches, as
-- the installer creates them from the vardefs (columns the mapping does
-- not use are kept where the application needs them). Every key is a
-- char(36) UUID the application generates; nothing is deleted, rows are
-- marked deleted = 1 and every query of the application adds deleted = 0.
CREATE TABLE users (
  id char(36) NOT NULL,
  user_name varchar(60) DEFAULT NULL,
  user_hash varchar(255) DEFAULT NULL,
  system_generated_password tinyint(1) DEFAULT NULL,
  pwd_last_changed datetime DEFAULT NULL,
  authenticate_id varchar(100) DEFAULT NULL,
  sugar_login tinyint(1) DEFAULT 1,
  first_name varchar(255) DEFAULT NULL,
  last_name varchar(255) DEFAULT NULL,
  is_admin tinyint(1) DEFAULT 0,
  external_auth_only tinyint(1) DEFAULT 0,
  receive_notifications tinyint(1) DEFAULT 1,
  description text,
  date_entered datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  modified_user_id char(36) DEFAULT NULL,
  created_by char(36) DEFAULT NULL,
  title varchar(50) DEFAULT NULL,
  department varchar(50) DEFAULT NULL,
  phone_work varchar(50) DEFAULT NULL,
  phone_mobile varchar(50) DEFAULT NULL,
  status varchar(100) DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  portal_only tinyint(1) DEFAULT 0,
  show_on_employees tinyint(1) DEFAULT 1,
  employee_status varchar(100) DEFAULT NULL,
  reports_to_id char(36) DEFAULT NULL,
  is_group tinyint(1) DEFAULT NULL,
  factor_auth tinyint(1) DEFAULT NULL,
  PRIMARY KEY (id),
  KEY idx_user_name (user_name, is_group, status, last_name, first_name, id)
) DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE email_addresses (
  id char(36) NOT NULL,
  email_address varchar(255) DEFAULT NULL,
  email_address_caps varchar(255) DEFAULT NULL,
  invalid_email tinyint(1) DEFAULT 0,
  opt_out tinyint(1) DEFAULT 0,
  confirm_opt_in varchar(255) DEFAULT 'not-opt-in',
  confirm_opt_in_date datetime DEFAULT NULL,
  confirm_opt_in_sent_date datetime DEFAULT NULL,
  confirm_opt_in_fail_date datetime DEFAULT NULL,
  confirm_opt_in_token varchar(255) DEFAULT NULL,
  date_created datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  PRIMARY KEY (id),
  KEY idx_ea_caps_opt_out_invalid (email_address_caps, opt_out, invalid_email),
  KEY idx_ea_opt_out_invalid (email_address, opt_out, invalid_email)
) DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- The link between any record (bean_module names its module) and an
-- address: users, contacts, leads and accounts share it.
CREATE TABLE email_addr_bean_rel (
  id char(36) NOT NULL,
  email_address_id char(36) NOT NULL,
  bean_id char(36) NOT NULL,
  bean_module varchar(100) DEFAULT NULL,
  primary_address tinyint(1) DEFAULT 0,
  reply_to_address tinyint(1) DEFAULT 0,
  date_created datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  PRIMARY KEY (id),
  KEY idx_email_address_id (email_address_id),
  KEY idx_bean_id (bean_id, bean_module)
) DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE securitygroups (
  id char(36) NOT NULL,
  name varchar(255) DEFAULT NULL,
  date_entered datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  modified_user_id char(36) DEFAULT NULL,
  created_by char(36) DEFAULT NULL,
  description text,
  deleted tinyint(1) DEFAULT 0,
  assigned_user_id char(36) DEFAULT NULL,
  noninheritable tinyint(1) DEFAULT NULL,
  PRIMARY KEY (id)
) DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE securitygroups_users (
  id varchar(36) NOT NULL,
  date_modified datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  securitygroup_id varchar(36) DEFAULT NULL,
  user_id varchar(36) DEFAULT NULL,
  primary_group tinyint(1) DEFAULT NULL,
  noninheritable tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  KEY securitygroups_users_idxa (securitygroup_id),
  KEY securitygroups_users_idxb (user_id),
  KEY securitygroups_users_idxc (user_id, deleted, securitygroup_id, id),
  KEY securitygroups_users_idxd (user_id, deleted, securitygroup_id)
) DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- The installer's administrator, a group user (is_group = 1, an inbound
-- mail queue, not a person), a colleague with an address that is also a
-- contact's, a former colleague (Inactive), and a security group.
INSERT INTO users (id, user_name, first_name, last_name, is_admin, status, deleted, is_group, date_entered, date_modified) VALUES
  ('1', 'admin', '', 'Administrator', 1, 'Active', 0, 0, '2024-01-10 09:00:00', '2024-01-10 09:00:00'),
  ('a1b2c3d4-0000-4000-8000-000000000001', 'support', '', 'Support Inbox', 0, 'Active', 0, 1, '2024-01-10 09:05:00', '2024-01-10 09:05:00'),
  ('a1b2c3d4-0000-4000-8000-000000000002', 'sally', 'Sally', 'Bronsen', 0, 'Active', 0, 0, '2024-02-01 08:00:00', '2024-02-01 08:00:00'),
  ('a1b2c3d4-0000-4000-8000-000000000003', 'will', 'Will', 'Westin', 0, 'Inactive', 0, 0, '2024-02-02 08:00:00', '2024-06-30 17:00:00');
INSERT INTO email_addresses (id, email_address, email_address_caps, date_created, date_modified) VALUES
  ('e0000000-0000-4000-8000-000000000001', 'admin@example.com', 'ADMIN@EXAMPLE.COM', '2024-01-10 09:00:00', '2024-01-10 09:00:00'),
  ('e0000000-0000-4000-8000-000000000002', 'sally@example.com', 'SALLY@EXAMPLE.COM', '2024-02-01 08:00:00', '2024-02-01 08:00:00');
INSERT INTO email_addr_bean_rel (id, email_address_id, bean_id, bean_module, primary_address, deleted) VALUES
  ('b0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000001', '1', 'Users', 1, 0),
  ('b0000000-0000-4000-8000-000000000002', 'e0000000-0000-4000-8000-000000000002', 'a1b2c3d4-0000-4000-8000-000000000002', 'Users', 1, 0),
  ('b0000000-0000-4000-8000-000000000003', 'e0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000009', 'Contacts', 1, 0);
INSERT INTO securitygroups (id, name, date_entered, date_modified, deleted) VALUES
  ('5e000000-0000-4000-8000-000000000001', 'Sales EMEA', '2024-01-11 10:00:00', '2024-01-11 10:00:00', 0);
INSERT INTO securitygroups_users (id, date_modified, deleted, securitygroup_id, user_id, noninheritable) VALUES
  ('50000000-0000-4000-8000-000000000001', '2024-02-01 08:00:00', 0, '5e000000-0000-4000-8000-000000000001', 'a1b2c3d4-0000-4000-8000-000000000002', 0);
