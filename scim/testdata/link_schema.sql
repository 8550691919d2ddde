-- Modelled on SuiteCRM 7 / SugarCRM CE: users, their e-mail addresses in
-- a table of their own, and the polymorphic link between any record
-- (bean_module names its type) and an address.
CREATE TABLE users (
  id char(36) NOT NULL,
  user_name varchar(60) DEFAULT NULL,
  user_hash varchar(255) DEFAULT NULL,
  first_name varchar(255) DEFAULT NULL,
  last_name varchar(255) DEFAULT NULL,
  is_admin tinyint(1) DEFAULT 0,
  date_entered datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  status varchar(100) DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  PRIMARY KEY (id),
  KEY idx_user_name (user_name, status, last_name, first_name, id)
);
CREATE TABLE email_addresses (
  id char(36) NOT NULL,
  email_address varchar(255) DEFAULT NULL,
  email_address_caps varchar(255) DEFAULT NULL,
  invalid_email tinyint(1) DEFAULT 0,
  opt_out tinyint(1) DEFAULT 0,
  confirm_opt_in varchar(255) DEFAULT 'not-opt-in',
  date_created datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  PRIMARY KEY (id),
  KEY idx_ea_caps_opt_out_invalid (email_address_caps, opt_out, invalid_email)
);
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
);
INSERT INTO users (id, user_name, first_name, last_name, status, deleted) VALUES
  ('1', 'admin', 'Ada', 'Admin', 'Active', 0),
  ('seed-max', 'max', 'Max', 'Mustermann', 'Active', 0);
INSERT INTO email_addresses (id, email_address, email_address_caps) VALUES
  ('ea-1', 'admin@example.com', 'ADMIN@EXAMPLE.COM'),
  ('ea-2', 'max@example.com', 'MAX@EXAMPLE.COM'),
  ('ea-3', 'max.old@example.com', 'MAX.OLD@EXAMPLE.COM'),
  ('ea-4', 'acct@example.com', 'ACCT@EXAMPLE.COM');
INSERT INTO email_addr_bean_rel (id, email_address_id, bean_id, bean_module, primary_address, deleted) VALUES
  ('r-1', 'ea-1', '1', 'Users', 1, 0),
  ('r-2', 'ea-2', 'seed-max', 'Users', 1, 0),
  ('r-3', 'ea-3', 'seed-max', 'Users', 0, 1),
  ('r-4', 'ea-4', 'seed-max', 'Accounts', 0, 0);
