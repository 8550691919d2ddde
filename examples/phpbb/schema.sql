# phpBB 3.3: phpbb_users, phpbb_groups and phpbb_user_group as phpBB's
# installer creates them on MySQL and MariaDB, column for column, with
# phpBB's own index names, utf8 (utf8mb3) and utf8_bin.
#
# Sources: phpBB/install/schemas/schema.json (3.2/3.3) plus the 3.3.12
# migrations v33x/add_resend_activation_expiration (user_actkey_expiration,
# after user_actkey) and v33x/add_user_last_active (user_last_active,
# appended), turned into MySQL DDL the way phpBB/phpbb/db/tools/tools.php
# does it for mysqli (mysql_41): UINT is mediumint(8) UNSIGNED, TIMESTAMP
# int(11) UNSIGNED, BOOL tinyint(1) UNSIGNED, every column
# "DEFAULT '<x>' NOT NULL" except the text ones, which keep NOT NULL but
# lose the default (MySQL cannot default TEXT): user_permissions, user_sig
# and group_desc. No ENGINE (the server's default), and the indexes added
# afterwards with ALTER TABLE, as the installer does. phpbb_user_group has
# no primary or unique key. Seed rows follow install/schemas/
# schema_data.sql (the Anonymous user, id 1; the founder, id 2; the seven
# special groups), install_data/task/add_bots.php (the first four of its
# bots, ids 3 to 6; a fresh board has 55, ids 3 to 57) and user_add() for
# the members who registered themselves.
#
# What the columns mean for an account (includes/constants.php):
#   user_type   0 USER_NORMAL, 1 USER_INACTIVE (not activated yet, or
#               deactivated), 2 USER_IGNORE (Anonymous and the bots, which
#               cannot sign in), 3 USER_FOUNDER (a normal user whom other
#               administrators cannot demote or delete)
#   user_inactive_reason  1 registered, not activated; 2 profile changed;
#               3 deactivated by an administrator; 4 reminder sent
#   group_type  0 open (members ask, the leader approves: user_pending = 1
#               until then), 1 closed, 2 hidden, 3 special (phpBB's own:
#               GUESTS, REGISTERED, ... whose group_name is a language
#               key), 4 free (anyone may join)
#   username_clean  utf8_clean_string(username): case folded, NFKC,
#               look-alike characters mapped, spaces collapsed and trimmed;
#               it carries the unique index, username none
#   user_email_hash  crc32(lower-cased address) followed by its length
#               (deprecated in 3.3, gone in 4.0)
#   times       Unix seconds, 0 for never
# Passwords are phpBB's bcrypt ($2y$10$); Anonymous and the bots have none.

SET NAMES 'utf8';

# Table: 'phpbb_users'
CREATE TABLE phpbb_users (
	user_id mediumint(8) UNSIGNED NOT NULL auto_increment,
	user_type tinyint(2) DEFAULT '0' NOT NULL,
	group_id mediumint(8) UNSIGNED DEFAULT '3' NOT NULL,
	user_permissions mediumtext NOT NULL,
	user_perm_from mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	user_ip varchar(40) DEFAULT '' NOT NULL,
	user_regdate int(11) UNSIGNED DEFAULT '0' NOT NULL,
	username varchar(255) DEFAULT '' NOT NULL,
	username_clean varchar(255) DEFAULT '' NOT NULL,
	user_password varchar(255) DEFAULT '' NOT NULL,
	user_passchg int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_email varchar(100) DEFAULT '' NOT NULL,
	user_email_hash bigint(20) DEFAULT '0' NOT NULL,
	user_birthday varchar(10) DEFAULT '' NOT NULL,
	user_lastvisit int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_lastmark int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_lastpost_time int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_lastpage varchar(200) DEFAULT '' NOT NULL,
	user_last_confirm_key varchar(10) DEFAULT '' NOT NULL,
	user_last_search int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_warnings tinyint(4) DEFAULT '0' NOT NULL,
	user_last_warning int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_login_attempts tinyint(4) DEFAULT '0' NOT NULL,
	user_inactive_reason tinyint(2) DEFAULT '0' NOT NULL,
	user_inactive_time int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_posts mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	user_lang varchar(30) DEFAULT '' NOT NULL,
	user_timezone varchar(100) DEFAULT '' NOT NULL,
	user_dateformat varchar(30) DEFAULT 'd M Y H:i' NOT NULL,
	user_style mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	user_rank mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	user_colour varchar(6) DEFAULT '' NOT NULL,
	user_new_privmsg int(4) DEFAULT '0' NOT NULL,
	user_unread_privmsg int(4) DEFAULT '0' NOT NULL,
	user_last_privmsg int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_message_rules tinyint(1) UNSIGNED DEFAULT '0' NOT NULL,
	user_full_folder int(11) DEFAULT '-3' NOT NULL,
	user_emailtime int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_topic_show_days smallint(4) UNSIGNED DEFAULT '0' NOT NULL,
	user_topic_sortby_type varchar(1) DEFAULT 't' NOT NULL,
	user_topic_sortby_dir varchar(1) DEFAULT 'd' NOT NULL,
	user_post_show_days smallint(4) UNSIGNED DEFAULT '0' NOT NULL,
	user_post_sortby_type varchar(1) DEFAULT 't' NOT NULL,
	user_post_sortby_dir varchar(1) DEFAULT 'a' NOT NULL,
	user_notify tinyint(1) UNSIGNED DEFAULT '0' NOT NULL,
	user_notify_pm tinyint(1) UNSIGNED DEFAULT '1' NOT NULL,
	user_notify_type tinyint(4) DEFAULT '0' NOT NULL,
	user_allow_pm tinyint(1) UNSIGNED DEFAULT '1' NOT NULL,
	user_allow_viewonline tinyint(1) UNSIGNED DEFAULT '1' NOT NULL,
	user_allow_viewemail tinyint(1) UNSIGNED DEFAULT '1' NOT NULL,
	user_allow_massemail tinyint(1) UNSIGNED DEFAULT '1' NOT NULL,
	user_options int(11) UNSIGNED DEFAULT '230271' NOT NULL,
	user_avatar varchar(255) DEFAULT '' NOT NULL,
	user_avatar_type varchar(255) DEFAULT '' NOT NULL,
	user_avatar_width smallint(4) UNSIGNED DEFAULT '0' NOT NULL,
	user_avatar_height smallint(4) UNSIGNED DEFAULT '0' NOT NULL,
	user_sig mediumtext NOT NULL,
	user_sig_bbcode_uid varchar(8) DEFAULT '' NOT NULL,
	user_sig_bbcode_bitfield varchar(255) DEFAULT '' NOT NULL,
	user_jabber varchar(255) DEFAULT '' NOT NULL,
	user_actkey varchar(32) DEFAULT '' NOT NULL,
	user_actkey_expiration int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_newpasswd varchar(255) DEFAULT '' NOT NULL,
	user_form_salt varchar(32) DEFAULT '' NOT NULL,
	user_new tinyint(1) UNSIGNED DEFAULT '1' NOT NULL,
	user_reminded tinyint(4) DEFAULT '0' NOT NULL,
	user_reminded_time int(11) UNSIGNED DEFAULT '0' NOT NULL,
	user_last_active int(11) UNSIGNED DEFAULT '0' NOT NULL,
	PRIMARY KEY (user_id)
) CHARACTER SET `utf8` COLLATE `utf8_bin`;

ALTER TABLE phpbb_users ADD INDEX user_birthday (user_birthday);
ALTER TABLE phpbb_users ADD INDEX user_email_hash (user_email_hash);
ALTER TABLE phpbb_users ADD INDEX user_type (user_type);
ALTER TABLE phpbb_users ADD UNIQUE INDEX username_clean(username_clean);


# Table: 'phpbb_groups'
CREATE TABLE phpbb_groups (
	group_id mediumint(8) UNSIGNED NOT NULL auto_increment,
	group_type tinyint(4) DEFAULT '1' NOT NULL,
	group_founder_manage tinyint(1) UNSIGNED DEFAULT '0' NOT NULL,
	group_skip_auth tinyint(1) UNSIGNED DEFAULT '0' NOT NULL,
	group_name varchar(255) DEFAULT '' NOT NULL,
	group_desc text NOT NULL,
	group_desc_bitfield varchar(255) DEFAULT '' NOT NULL,
	group_desc_options int(11) UNSIGNED DEFAULT '7' NOT NULL,
	group_desc_uid varchar(8) DEFAULT '' NOT NULL,
	group_display tinyint(1) UNSIGNED DEFAULT '0' NOT NULL,
	group_avatar varchar(255) DEFAULT '' NOT NULL,
	group_avatar_type varchar(255) DEFAULT '' NOT NULL,
	group_avatar_width smallint(4) UNSIGNED DEFAULT '0' NOT NULL,
	group_avatar_height smallint(4) UNSIGNED DEFAULT '0' NOT NULL,
	group_rank mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	group_colour varchar(6) DEFAULT '' NOT NULL,
	group_sig_chars mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	group_receive_pm tinyint(1) UNSIGNED DEFAULT '0' NOT NULL,
	group_message_limit mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	group_legend mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	group_max_recipients mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	PRIMARY KEY (group_id)
) CHARACTER SET `utf8` COLLATE `utf8_bin`;

ALTER TABLE phpbb_groups ADD INDEX group_legend_name (group_legend, group_name);


# Table: 'phpbb_user_group'   (no primary key, no unique key -- duplicates are possible)
CREATE TABLE phpbb_user_group (
	group_id mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	user_id mediumint(8) UNSIGNED DEFAULT '0' NOT NULL,
	group_leader tinyint(1) UNSIGNED DEFAULT '0' NOT NULL,
	user_pending tinyint(1) UNSIGNED DEFAULT '1' NOT NULL
) CHARACTER SET `utf8` COLLATE `utf8_bin`;

ALTER TABLE phpbb_user_group ADD INDEX group_id (group_id);
ALTER TABLE phpbb_user_group ADD INDEX user_id (user_id);
ALTER TABLE phpbb_user_group ADD INDEX group_leader (group_leader);


# =============================================================================
# SEED DATA
# =============================================================================

# -- Groups (schema_data.sql, ids come from the insert order).  group_name holds a
#    language key for special groups (displayed as G_GUESTS etc.).
INSERT INTO phpbb_groups (group_name, group_type, group_founder_manage, group_colour, group_legend, group_avatar, group_desc, group_desc_uid, group_max_recipients) VALUES ('GUESTS', 3, 0, '', 0, '', '', '', 5);
INSERT INTO phpbb_groups (group_name, group_type, group_founder_manage, group_colour, group_legend, group_avatar, group_desc, group_desc_uid, group_max_recipients) VALUES ('REGISTERED', 3, 0, '', 0, '', '', '', 5);
INSERT INTO phpbb_groups (group_name, group_type, group_founder_manage, group_colour, group_legend, group_avatar, group_desc, group_desc_uid, group_max_recipients) VALUES ('REGISTERED_COPPA', 3, 0, '', 0, '', '', '', 5);
INSERT INTO phpbb_groups (group_name, group_type, group_founder_manage, group_colour, group_legend, group_avatar, group_desc, group_desc_uid, group_max_recipients) VALUES ('GLOBAL_MODERATORS', 3, 0, '00AA00', 2, '', '', '', 0);
INSERT INTO phpbb_groups (group_name, group_type, group_founder_manage, group_colour, group_legend, group_avatar, group_desc, group_desc_uid, group_max_recipients) VALUES ('ADMINISTRATORS', 3, 1, 'AA0000', 1, '', '', '', 0);
INSERT INTO phpbb_groups (group_name, group_type, group_founder_manage, group_colour, group_legend, group_avatar, group_desc, group_desc_uid, group_max_recipients) VALUES ('BOTS', 3, 0, '9E8DA7', 0, '', '', '', 5);
INSERT INTO phpbb_groups (group_name, group_type, group_founder_manage, group_colour, group_legend, group_avatar, group_desc, group_desc_uid, group_max_recipients) VALUES ('NEWLY_REGISTERED', 3, 0, '', 0, '', '', '', 5);
# (Newest 3.3.x code also has a migration/installer task creating a special group
#  'AI_CRAWLERS' (colour 7D9EAE, group_max_recipients 5) plus ~26 AI crawler bot users;
#  not seeded here because it is not in every 3.3 release.)

# -- A user-created group: "Open" (GROUP_OPEN = 0: members request, leader approves).
INSERT INTO phpbb_groups (group_id, group_name, group_type, group_founder_manage, group_skip_auth, group_desc, group_desc_bitfield, group_desc_options, group_desc_uid, group_display, group_colour, group_legend, group_receive_pm, group_max_recipients)
VALUES (8, 'Beta Testers', 0, 0, 0, 'People who try new board features first.', '', 7, '', 0, '3366CC', 0, 1, 0);

# -- Users / Anonymous user (schema_data.sql), user_regdate set by the installer.
#    user_permissions and user_sig MUST be given: mediumtext NOT NULL without default.
INSERT INTO phpbb_users (user_type, group_id, username, username_clean, user_regdate, user_password, user_email, user_lang, user_style, user_rank, user_colour, user_posts, user_permissions, user_ip, user_birthday, user_lastpage, user_last_confirm_key, user_post_sortby_type, user_post_sortby_dir, user_topic_sortby_type, user_topic_sortby_dir, user_avatar, user_sig, user_sig_bbcode_uid, user_jabber, user_actkey, user_newpasswd, user_allow_massemail)
VALUES (2, 1, 'Anonymous', 'anonymous', 1717171200, '', '', 'en', 1, 0, '', 0, '', '', '', '', '', 't', 'a', 't', 'd', '', '', '', '', '', '', 0);

# -- Founder admin (user_id 2): schema_data.sql row ('Admin', md5 'admin' placeholder,
#    user_posts 1, user_rank 1, colour AA0000), then update_user_and_post_data sets
#    username/username_clean/password/ip/lang/email/dateformat/timezone (+ email hash in 3.3).
INSERT INTO phpbb_users (user_type, group_id, username, username_clean, user_regdate, user_password, user_passchg, user_email, user_email_hash, user_lang, user_timezone, user_dateformat, user_style, user_rank, user_colour, user_posts, user_permissions, user_ip, user_birthday, user_lastvisit, user_lastmark, user_lastpage, user_last_confirm_key, user_post_sortby_type, user_post_sortby_dir, user_topic_sortby_type, user_topic_sortby_dir, user_avatar, user_sig, user_sig_bbcode_uid, user_jabber, user_actkey, user_newpasswd, user_form_salt, user_last_active)
VALUES (3, 5, 'admin', 'admin', 1717171200, '$2y$10$tIgIjP41arJGXugmXaE7eurQBaB7kQBUCAx5CoIJQDZKe2Fffk1La', 0, 'admin@example.com', 143317126117, 'en', 'UTC', 'D M d, Y g:i a', 1, 1, 'AA0000', 1, '', '192.0.2.10', '', 1718600000, 1717171200, 'index.php', '', 't', 'a', 't', 'd', '', '', '', '', '', '', '79fd00f3230a4d1f', 1718600000);

# -- Bots created by install_data/task/add_bots.php via user_add() (first 4 of 55).
INSERT INTO phpbb_users (user_type, group_id, username, username_clean, user_password, user_email, user_email_hash, user_permissions, user_timezone, user_dateformat, user_lang, user_style, user_actkey, user_ip, user_regdate, user_passchg, user_options, user_new, user_inactive_reason, user_inactive_time, user_lastmark, user_lastvisit, user_lastpost_time, user_lastpage, user_posts, user_colour, user_avatar, user_avatar_type, user_avatar_width, user_avatar_height, user_new_privmsg, user_unread_privmsg, user_last_privmsg, user_message_rules, user_full_folder, user_emailtime, user_notify, user_notify_pm, user_notify_type, user_allow_pm, user_allow_viewonline, user_allow_viewemail, user_allow_massemail, user_sig, user_sig_bbcode_uid, user_sig_bbcode_bitfield, user_form_salt) VALUES
 (2, 6, 'AdsBot [Google]',  'adsbot [google]',  '', '', 0, '', 'UTC', 'D M d, Y g:i a', 'en', 1, '', '', 1717171201, 1717171201, 230271, 0, 0, 0, 1717171201, 0, 0, '', 0, '9E8DA7', '', '', 0, 0, 0, 0, 0, 0, -3, 0, 0, 1, 0, 0, 1, 1, 0, '', '', '', '7a58db7905161693'),
 (2, 6, 'Ahrefs [Bot]',     'ahrefs [bot]',     '', '', 0, '', 'UTC', 'D M d, Y g:i a', 'en', 1, '', '', 1717171201, 1717171201, 230271, 0, 0, 0, 1717171201, 0, 0, '', 0, '9E8DA7', '', '', 0, 0, 0, 0, 0, 0, -3, 0, 0, 1, 0, 0, 1, 1, 0, '', '', '', 'afc76afea424ba46'),
 (2, 6, 'Alexa [Bot]',      'alexa [bot]',      '', '', 0, '', 'UTC', 'D M d, Y g:i a', 'en', 1, '', '', 1717171201, 1717171201, 230271, 0, 0, 0, 1717171201, 0, 0, '', 0, '9E8DA7', '', '', 0, 0, 0, 0, 0, 0, -3, 0, 0, 1, 0, 0, 1, 1, 0, '', '', '', 'e02d50fa6362d004'),
 (2, 6, 'Alta Vista [Bot]', 'alta vista [bot]', '', '', 0, '', 'UTC', 'D M d, Y g:i a', 'en', 1, '', '', 1717171201, 1717171201, 230271, 0, 0, 0, 1717171201, 0, 0, '', 0, '9E8DA7', '', '', 0, 0, 0, 0, 0, 0, -3, 0, 0, 1, 0, 0, 1, 1, 0, '', '', '', '76c26736a499ca8d');
# (user_id 7..57 would be 'Amazon [Bot]' ... 'YahooSeeker [Bot]'; each also has a
#  phpbb_bots row (bot_name, user_id, bot_agent) -- not part of this file.)

# -- Ordinary users, registered through ucp_register -> user_add().
# 58: established active member (user_new already cleared after new_member_post_limit posts,
#     hence no NEWLY_REGISTERED membership any more).  Note the space/case in the username.
INSERT INTO phpbb_users (user_id, user_type, group_id, username, username_clean, user_password, user_passchg, user_email, user_email_hash, user_permissions, user_timezone, user_dateformat, user_lang, user_style, user_ip, user_regdate, user_lastvisit, user_lastmark, user_lastpost_time, user_posts, user_new, user_inactive_reason, user_inactive_time, user_actkey, user_sig, user_form_salt, user_last_active)
VALUES (58, 0, 2, 'Jane Doe', 'jane doe', '$2y$10$pg6sumBJVtYhh/.nsqHzKOhdPmg8Cg62t0XfVVH2yrE56RIWKSJ9C', 1717300000, 'jane.doe@example.com', 176914635220, '', 'Europe/Berlin', 'D M d, Y g:i a', 'en', 1, '203.0.113.5', 1717300000, 1718500000, 1718500000, 1718400000, 12, 0, 0, 0, '', '', 'fe3d61c26d0649ba', 1718550000);

# 59: new active member (user_new=1 -> also in NEWLY_REGISTERED, still default group REGISTERED).
INSERT INTO phpbb_users (user_id, user_type, group_id, username, username_clean, user_password, user_passchg, user_email, user_email_hash, user_permissions, user_timezone, user_dateformat, user_lang, user_style, user_ip, user_regdate, user_lastvisit, user_lastmark, user_posts, user_new, user_inactive_reason, user_inactive_time, user_actkey, user_sig, user_form_salt, user_last_active)
VALUES (59, 0, 2, 'john_smith', 'john_smith', '$2y$10$Xy6DszSIxx.2dIqiN/hIuOaeb.q/Ufg2tnIGi6nXg8LcPezLIHxNy', 1718000000, 'john.smith@example.com', 58448222622, '', 'UTC', 'D M d, Y g:i a', 'en', 1, '203.0.113.6', 1718000000, 1718300000, 1718000000, 0, 1, 0, 0, '', '', '8459e736bc82ac2f', 1718300000);

# 60: registered but never activated: user_type USER_INACTIVE (1), reason INACTIVE_REGISTER (1),
#     user_actkey = activation key mailed to the user.
INSERT INTO phpbb_users (user_id, user_type, group_id, username, username_clean, user_password, user_passchg, user_email, user_email_hash, user_permissions, user_timezone, user_dateformat, user_lang, user_style, user_ip, user_regdate, user_lastmark, user_posts, user_new, user_inactive_reason, user_inactive_time, user_actkey, user_sig, user_form_salt)
VALUES (60, 1, 2, 'ian.inactive', 'ian.inactive', '$2y$10$bHXWWAfUGysEpcyJouyUwOigoYe4ELBqzFywHEpwuYIM/OCk2eQNW', 1718200000, 'ian.inactive@example.com', 285213378324, '', 'UTC', 'D M d, Y g:i a', 'en', 1, '203.0.113.7', 1718200000, 1718200000, 0, 1, 1, 1718200000, 'q7Hk2mZp', '', 'c05da2e473e28c35');

# -- User -> Group (schema_data.sql for users 1 and 2, then user_add() for the others).
INSERT INTO phpbb_user_group (group_id, user_id, user_pending, group_leader) VALUES (1, 1, 0, 0);
INSERT INTO phpbb_user_group (group_id, user_id, user_pending, group_leader) VALUES (2, 2, 0, 0);
INSERT INTO phpbb_user_group (group_id, user_id, user_pending, group_leader) VALUES (4, 2, 0, 0);
INSERT INTO phpbb_user_group (group_id, user_id, user_pending, group_leader) VALUES (5, 2, 0, 1);
INSERT INTO phpbb_user_group (group_id, user_id, group_leader, user_pending) VALUES
 (6, 3, 0, 0), (6, 4, 0, 0), (6, 5, 0, 0), (6, 6, 0, 0),
 (2, 58, 0, 0),
 (2, 59, 0, 0), (7, 59, 0, 0),
 (2, 60, 0, 0), (7, 60, 0, 0),
 (8, 58, 1, 0),
 (8, 59, 0, 1);
