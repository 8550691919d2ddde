-- WordPress 6.8: wp_users and wp_usermeta as wp-admin/includes/schema.php
-- creates them on a single site with the table prefix wp_ (unchanged since
-- WordPress 4.4). $charset_collate is utf8mb4 with
-- utf8mb4_unicode_520_ci, which WordPress chooses where MySQL (5.6 and
-- later) or MariaDB has it. user_registered keeps WordPress's zero-date
-- default: MariaDB and MySQL accept it in their default sql_mode, which
-- has no NO_ZERO_DATE (WordPress itself removes NO_ZERO_DATE from the
-- session's mode), and so does the embedded engine the tests use.
CREATE TABLE wp_users (
  ID bigint(20) unsigned NOT NULL auto_increment,
  user_login varchar(60) NOT NULL default '',
  user_pass varchar(255) NOT NULL default '',
  user_nicename varchar(50) NOT NULL default '',
  user_email varchar(100) NOT NULL default '',
  user_url varchar(100) NOT NULL default '',
  user_registered datetime NOT NULL default '0000-00-00 00:00:00',
  user_activation_key varchar(255) NOT NULL default '',
  user_status int(11) NOT NULL default '0',
  display_name varchar(250) NOT NULL default '',
  PRIMARY KEY  (ID),
  KEY user_login_key (user_login),
  KEY user_nicename (user_nicename),
  KEY user_email (user_email)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;

CREATE TABLE wp_usermeta (
  umeta_id bigint(20) unsigned NOT NULL auto_increment,
  user_id bigint(20) unsigned NOT NULL default '0',
  meta_key varchar(255) default NULL,
  meta_value longtext,
  PRIMARY KEY  (umeta_id),
  KEY user_id (user_id),
  KEY meta_key (meta_key(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;

-- 1: the administrator wp_install() creates. 2: an editor added in
-- Users > Add New, who also holds the role an SEO plugin (Yoast) adds.
-- 3: an author whose role an administrator removed ("No role for this
-- site"), which is as close to disabled as WordPress comes: the account
-- still signs in, to its profile. The hashes are in WordPress 6.8's form
-- ($wp plus bcrypt) and, for user 3, from before 6.8 (phpass, $P$); they
-- match no password.
INSERT INTO wp_users (ID, user_login, user_pass, user_nicename, user_email, user_url, user_registered, user_activation_key, user_status, display_name) VALUES
  (1, 'admin', '$wp$2y$10$3euPcmQFCiblsZeEu5s7p.9OVHgeHWFDk9nhMqZ0m/3pd/lhwZgES', 'admin', 'webmaster@example.org', 'https://example.org', '2024-01-15 09:00:00', '', 0, 'admin'),
  (2, 'jdoe', '$wp$2y$10$8VvUgBQ9FvfVM6HQfQ2FUe1f6c6tS4oBMl2Zl6mqH2e5wBv2gS1vK', 'jdoe', 'jane.doe@example.org', '', '2024-02-01 10:30:00', '', 0, 'Jane Doe'),
  (3, 'mark.smith', '$P$BBjw9AogP55EL3mp3f2NRAXUevyLbv1', 'mark-smith', 'mark.smith@example.org', '', '2023-05-02 08:00:00', '', 0, 'Mark Smith');

-- The meta rows wp_insert_user() writes for every user (the names, the
-- nickname, the personal options), and set_role()'s wp_capabilities and
-- the deprecated wp_user_level; then what WordPress adds as it is used
-- (sessions, dismissed pointers, the welcome panel).
INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES
  (1, 'nickname', 'admin'),
  (1, 'first_name', ''),
  (1, 'last_name', ''),
  (1, 'description', ''),
  (1, 'rich_editing', 'true'),
  (1, 'syntax_highlighting', 'true'),
  (1, 'comment_shortcuts', 'false'),
  (1, 'admin_color', 'fresh'),
  (1, 'use_ssl', '0'),
  (1, 'show_admin_bar_front', 'true'),
  (1, 'locale', ''),
  (1, 'wp_capabilities', 'a:1:{s:13:"administrator";b:1;}'),
  (1, 'wp_user_level', '10'),
  (1, 'dismissed_wp_pointers', ''),
  (1, 'show_welcome_panel', '1'),
  (2, 'nickname', 'jdoe'),
  (2, 'first_name', 'Jane'),
  (2, 'last_name', 'Doe'),
  (2, 'description', 'Edits the culture section.'),
  (2, 'rich_editing', 'true'),
  (2, 'syntax_highlighting', 'true'),
  (2, 'comment_shortcuts', 'false'),
  (2, 'admin_color', 'midnight'),
  (2, 'use_ssl', '0'),
  (2, 'show_admin_bar_front', 'true'),
  (2, 'locale', ''),
  (2, 'wp_capabilities', 'a:2:{s:6:"editor";b:1;s:13:"wpseo_manager";b:1;}'),
  (2, 'wp_user_level', '7'),
  (2, 'session_tokens', 'a:1:{s:64:"6f0c2b7a9e1d4c3b8a7f6e5d4c3b2a19f8e7d6c5b4a3928170f6e5d4c3b2a190";a:1:{s:10:"expiration";i:1717200000;}}'),
  (3, 'nickname', 'mark.smith'),
  (3, 'first_name', 'Mark'),
  (3, 'last_name', 'Smith'),
  (3, 'description', ''),
  (3, 'rich_editing', 'true'),
  (3, 'syntax_highlighting', 'true'),
  (3, 'comment_shortcuts', 'false'),
  (3, 'admin_color', 'fresh'),
  (3, 'use_ssl', '0'),
  (3, 'show_admin_bar_front', 'true'),
  (3, 'locale', ''),
  (3, 'wp_capabilities', 'a:0:{}'),
  (3, 'wp_user_level', '0');
