-- The user tables of "Inkwell", a PHP publishing CMS that took its users
-- tables from WordPress: wp_users and wp_usermeta, column for column, so
-- that WordPress-style plugins and importers work on them. Like WordPress,
-- it keeps the essentials in wp_users and everything else (names,
-- nickname, roles, editor preferences, sessions) as key/value rows of
-- wp_usermeta; user_login has an index but no unique key (the CMS checks
-- uniqueness itself); user_nicename is the login as it appears in author
-- URLs; and user_pass holds a PHP password_hash() bcrypt hash. Where it
-- departs from WordPress is time: like most PHP CMSs of its generation it
-- stores times as integer Unix seconds, so user_registered is an INT and
-- user_changed, which WordPress does not have, records the last change.
-- user_status is 0 for an active account and 1 for a blocked one.
-- scimbridge.yaml beside this file maps wp_users and wp_usermeta to SCIM
-- Users.
CREATE TABLE wp_users (
	ID BIGINT(20) UNSIGNED NOT NULL AUTO_INCREMENT,
	user_login VARCHAR(60) NOT NULL DEFAULT '',
	user_pass VARCHAR(255) NOT NULL DEFAULT '',
	user_nicename VARCHAR(50) NOT NULL DEFAULT '',
	user_email VARCHAR(100) NOT NULL DEFAULT '',
	user_url VARCHAR(100) NOT NULL DEFAULT '',
	user_registered INT(10) UNSIGNED NOT NULL DEFAULT 0,
	user_changed INT(10) UNSIGNED NOT NULL DEFAULT 0,
	user_activation_key VARCHAR(255) NOT NULL DEFAULT '',
	user_status INT(11) NOT NULL DEFAULT 0,
	display_name VARCHAR(250) NOT NULL DEFAULT '',
	PRIMARY KEY (ID),
	KEY user_login_key (user_login),
	KEY user_nicename (user_nicename),
	KEY user_email (user_email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE wp_usermeta (
	umeta_id BIGINT(20) UNSIGNED NOT NULL AUTO_INCREMENT,
	user_id BIGINT(20) UNSIGNED NOT NULL DEFAULT 0,
	meta_key VARCHAR(255) DEFAULT NULL,
	meta_value LONGTEXT,
	PRIMARY KEY (umeta_id),
	KEY user_id (user_id),
	KEY meta_key (meta_key(191))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- The site's administrator, an editor, and an author who was blocked. The
-- hashes are of passwords nobody knows.
INSERT INTO wp_users (user_login, user_pass, user_nicename, user_email, user_url, user_registered, user_changed, user_status, display_name) VALUES
	('admin', '$2y$10$3euPcmQFCiblsZeEu5s7p.9OVHgeHWFDk9nhMqZ0m/3pd/lhwZgES', 'admin', 'webmaster@inkwell.example', 'https://inkwell.example', 1546300800, 1714552800, 0, 'Site Admin'),
	('jdoe', '$2y$10$8VvUgBQ9FvfVM6HQfQ2FUe1f6c6tS4oBMl2Zl6mqH2e5wBv2gS1vK', 'jdoe', 'jane.doe@inkwell.example', '', 1577836800, 1709251200, 0, 'Jane Doe'),
	('MSmith', '$2y$10$Q5cGq7zR4H9b2vX1mJ8yUe0aT3sP6dF9gK2lZ5xC8vB1nM4qW7eR0', 'msmith', 'mark.smith@inkwell.example', 'https://marksmith.example', 1609459200, 1690848000, 1, 'Mark Smith');

-- What the CMS keeps per user. first_name, last_name and nickname are what
-- the identity provider manages; everything else is the CMS's own: the
-- role (wp_capabilities, a serialized PHP array, and the legacy
-- wp_user_level), editor preferences, the biography, and sign-in sessions.
INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES
	(1, 'nickname', 'admin'),
	(1, 'first_name', ''),
	(1, 'last_name', ''),
	(1, 'description', ''),
	(1, 'rich_editing', 'true'),
	(1, 'admin_color', 'fresh'),
	(1, 'show_admin_bar_front', 'true'),
	(1, 'wp_capabilities', 'a:1:{s:13:"administrator";b:1;}'),
	(1, 'wp_user_level', '10'),
	(1, 'dismissed_wp_pointers', ''),
	(2, 'nickname', 'Jane'),
	(2, 'first_name', 'Jane'),
	(2, 'last_name', 'Doe'),
	(2, 'description', 'Editor of the culture section.'),
	(2, 'rich_editing', 'false'),
	(2, 'admin_color', 'midnight'),
	(2, 'wp_capabilities', 'a:1:{s:6:"editor";b:1;}'),
	(2, 'wp_user_level', '7'),
	(2, 'session_tokens', 'a:1:{s:64:"6f0c2b7a9e1d4c3b8a7f6e5d4c3b2a19f8e7d6c5b4a3928170f6e5d4c3b2a190";a:1:{s:10:"expiration";i:1717200000;}}'),
	(3, 'nickname', 'Mark'),
	(3, 'first_name', 'Mark'),
	(3, 'last_name', 'Smith'),
	(3, 'description', ''),
	(3, 'wp_capabilities', 'a:1:{s:6:"author";b:1;}'),
	(3, 'wp_user_level', '2');
