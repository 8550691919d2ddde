-- Gitea 1.21/1.22: user, email_address, team, team_user and org_user as
-- Gitea's xorm Sync creates them on MySQL and MariaDB, column for column,
-- with xorm's index names (IDX_<table>_<column>, UQE_<table>_<column>,
-- UQE_<table>_s for a UNIQUE(s) group).
--
-- Sources: go-gitea/gitea models/user/user.go (User), models/user/
-- email_address.go (EmailAddress), models/organization/team.go (Team),
-- team_user.go (TeamUser), org_user.go (OrgUser), and createUser() in
-- models/user/user.go for what a new account's row holds. xorm maps int64
-- to BIGINT(20), int to INT(11), bool to TINYINT(1) and string to
-- VARCHAR(255) unless the tag gives a type; a field without NOT NULL is
-- nullable, and one without DEFAULT has none (Gitea's own inserts write
-- every column, so its rows have no NULLs). Gitea's timeutil.TimeStamp
-- columns (*_unix) are Unix seconds in a BIGINT, 0 for never. There are
-- no foreign keys. Since 1.22 Gitea wants a case-sensitive collation on
-- MySQL and MariaDB (it warns at startup and on the admin Self-Check page
-- otherwise, and "gitea doctor convert" converts): utf8mb4_bin here.
-- Names and addresses are then unique case-insensitively only through
-- their lower-cased copies, lower_name and lower_email, which Gitea's own
-- look-ups use.
--
-- What the columns mean:
--   user.type   0 individual, 1 organization, 2 reserved user name, 3
--               reserved organization name, 4 bot, 5 remote (federated)
--               user. Organizations are rows of user too: their teams and
--               members hang off their id.
--   is_active   the primary address is confirmed; an inactive account can
--               only sign in to confirm it
--   prohibit_login  the administrator's "Disable sign-in": the account
--               cannot sign in or use its tokens and SSH keys
--   login_type  0 none / 1 plain (local password), 2 LDAP, 3 SMTP, 4 PAM,
--               5 LDAP (simple auth), 6 OAuth2, 7 SSPI; login_source the
--               auth source's id, login_name the name there
--   passwd      a hash in passwd_hash_algo's format with salt; '' (and
--               passwd_hash_algo '') for an account with no password
--   visibility  0 public, 1 limited, 2 private
--   team.authorize  the team's access mode: 0 none, 1 read, 2 write, 3
--               admin, 4 owner (the Owners team); the per-unit modes are in
--               team_unit, not created here
--   email_address  every address of an individual, the one with
--               is_primary = 1 also in user.email; organizations have none
--
-- Seed rows: the administrator who ran the installer (1), two people (2
-- alice, 4 bob, whose sign-in the administrator disabled), a self-
-- registered person who has not confirmed her address (5 carol), a bot
-- account (6), and two organizations (3 acme, 7 globex), each with the
-- Owners team Gitea creates with the organization; acme also has
-- Developers. Gitea's Ghost (-1) and Actions (-2) users are not rows.
-- The passwd, salt and rands values are random placeholders, not hashes
-- of any password.

CREATE TABLE `user` (
  `id` BIGINT(20) PRIMARY KEY AUTO_INCREMENT NOT NULL,
  `lower_name` VARCHAR(255) NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `full_name` VARCHAR(255) NULL,
  `email` VARCHAR(255) NOT NULL,
  `keep_email_private` TINYINT(1) NULL,
  `email_notifications_preference` VARCHAR(20) DEFAULT 'enabled' NOT NULL,
  `passwd` VARCHAR(255) NOT NULL,
  `passwd_hash_algo` VARCHAR(255) DEFAULT 'argon2' NOT NULL,
  `must_change_password` TINYINT(1) DEFAULT false NOT NULL,
  `login_type` INT(11) NULL,
  `login_source` BIGINT(20) DEFAULT 0 NOT NULL,
  `login_name` VARCHAR(255) NULL,
  `type` INT(11) NULL,
  `location` VARCHAR(255) NULL,
  `website` VARCHAR(255) NULL,
  `rands` VARCHAR(32) NULL,
  `salt` VARCHAR(32) NULL,
  `language` VARCHAR(5) NULL,
  `description` VARCHAR(255) NULL,
  `created_unix` BIGINT(20) NULL,
  `updated_unix` BIGINT(20) NULL,
  `last_login_unix` BIGINT(20) NULL,
  `last_repo_visibility` TINYINT(1) NULL,
  `max_repo_creation` INT(11) DEFAULT -1 NOT NULL,
  `is_active` TINYINT(1) NULL,
  `is_admin` TINYINT(1) NULL,
  `is_restricted` TINYINT(1) DEFAULT false NOT NULL,
  `allow_git_hook` TINYINT(1) NULL,
  `allow_import_local` TINYINT(1) NULL,
  `allow_create_organization` TINYINT(1) DEFAULT true NULL,
  `prohibit_login` TINYINT(1) DEFAULT false NOT NULL,
  `avatar` VARCHAR(2048) NOT NULL,
  `avatar_email` VARCHAR(255) NOT NULL,
  `use_custom_avatar` TINYINT(1) NULL,
  `num_followers` INT(11) NULL,
  `num_following` INT(11) DEFAULT 0 NOT NULL,
  `num_stars` INT(11) NULL,
  `num_repos` INT(11) NULL,
  `num_teams` INT(11) NULL,
  `num_members` INT(11) NULL,
  `visibility` INT(11) DEFAULT 0 NOT NULL,
  `repo_admin_change_team_access` TINYINT(1) DEFAULT false NOT NULL,
  `diff_view_style` VARCHAR(255) DEFAULT '' NOT NULL,
  `theme` VARCHAR(255) DEFAULT '' NOT NULL,
  `keep_activity_private` TINYINT(1) DEFAULT false NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;
CREATE UNIQUE INDEX `UQE_user_lower_name` ON `user` (`lower_name`);
CREATE UNIQUE INDEX `UQE_user_name` ON `user` (`name`);
CREATE INDEX `IDX_user_created_unix` ON `user` (`created_unix`);
CREATE INDEX `IDX_user_updated_unix` ON `user` (`updated_unix`);
CREATE INDEX `IDX_user_last_login_unix` ON `user` (`last_login_unix`);
CREATE INDEX `IDX_user_is_active` ON `user` (`is_active`);

CREATE TABLE `email_address` (
  `id` BIGINT(20) PRIMARY KEY AUTO_INCREMENT NOT NULL,
  `uid` BIGINT(20) NOT NULL,
  `email` VARCHAR(255) NOT NULL,
  `lower_email` VARCHAR(255) NOT NULL,
  `is_activated` TINYINT(1) NULL,
  `is_primary` TINYINT(1) DEFAULT false NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;
CREATE INDEX `IDX_email_address_uid` ON `email_address` (`uid`);
CREATE UNIQUE INDEX `UQE_email_address_email` ON `email_address` (`email`);
CREATE UNIQUE INDEX `UQE_email_address_lower_email` ON `email_address` (`lower_email`);

CREATE TABLE `team` (
  `id` BIGINT(20) PRIMARY KEY AUTO_INCREMENT NOT NULL,
  `org_id` BIGINT(20) NULL,
  `lower_name` VARCHAR(255) NULL,
  `name` VARCHAR(255) NULL,
  `description` VARCHAR(255) NULL,
  `authorize` INT(11) NULL,
  `num_repos` INT(11) NULL,
  `num_members` INT(11) NULL,
  `includes_all_repositories` TINYINT(1) DEFAULT false NOT NULL,
  `can_create_org_repo` TINYINT(1) DEFAULT false NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;
CREATE INDEX `IDX_team_org_id` ON `team` (`org_id`);

CREATE TABLE `team_user` (
  `id` BIGINT(20) PRIMARY KEY AUTO_INCREMENT NOT NULL,
  `org_id` BIGINT(20) NULL,
  `team_id` BIGINT(20) NULL,
  `uid` BIGINT(20) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;
CREATE INDEX `IDX_team_user_org_id` ON `team_user` (`org_id`);
CREATE UNIQUE INDEX `UQE_team_user_s` ON `team_user` (`team_id`, `uid`);

CREATE TABLE `org_user` (
  `id` BIGINT(20) PRIMARY KEY AUTO_INCREMENT NOT NULL,
  `uid` BIGINT(20) NULL,
  `org_id` BIGINT(20) NULL,
  `is_public` TINYINT(1) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;
CREATE INDEX `IDX_org_user_uid` ON `org_user` (`uid`);
CREATE INDEX `IDX_org_user_org_id` ON `org_user` (`org_id`);
CREATE INDEX `IDX_org_user_is_public` ON `org_user` (`is_public`);
CREATE UNIQUE INDEX `UQE_org_user_s` ON `org_user` (`uid`, `org_id`);

-- Individuals as createUser() writes them (every column, with the
-- installation's defaults: theme gitea-auto, e-mail notifications
-- enabled, repositories unlimited), organizations as CreateOrganization()
-- does (no password, no address rows, email '' unless one is given, the
-- member and team counters kept up to date by Gitea).
INSERT INTO `user` (`id`, `lower_name`, `name`, `full_name`, `email`, `keep_email_private`, `email_notifications_preference`,
  `passwd`, `passwd_hash_algo`, `must_change_password`, `login_type`, `login_source`, `login_name`, `type`, `location`, `website`,
  `rands`, `salt`, `language`, `description`, `created_unix`, `updated_unix`, `last_login_unix`, `last_repo_visibility`,
  `max_repo_creation`, `is_active`, `is_admin`, `is_restricted`, `allow_git_hook`, `allow_import_local`, `allow_create_organization`,
  `prohibit_login`, `avatar`, `avatar_email`, `use_custom_avatar`, `num_followers`, `num_following`, `num_stars`, `num_repos`,
  `num_teams`, `num_members`, `visibility`, `repo_admin_change_team_access`, `diff_view_style`, `theme`, `keep_activity_private`) VALUES
(1, 'admin', 'admin', 'Site Admin', 'admin@example.com', 0, 'enabled',
  '336bc22c6924a1dea7449273d253a3517189462812388a7f14f7838175fe3e997ec341e4a4ebe1649c4b4bec84c41d329882', 'argon2', 0, 0, 0, '', 0, '', '',
  '256a4a4bd810b480dcc08f1639dcd28f', 'eb235b0e39f1263a0034d942bef6db3b', 'en-US', '', 1717480800, 1717480800, 1717567200, 0,
  -1, 1, 1, 0, 0, 0, 1,
  0, '', 'admin@example.com', 0, 0, 0, 0, 0,
  0, 0, 0, 0, '', 'gitea-auto', 0),
(2, 'alice', 'alice', 'Alice Liddell', 'alice@example.com', 0, 'enabled',
  '', '', 0, 0, 0, '', 0, '', '',
  'dda5815d0ea3fc375d2f99dca49711b7', '', 'en-US', '', 1717484400, 1717484400, 1717570800, 0,
  -1, 1, 0, 0, 0, 0, 1,
  0, '', 'alice@example.com', 0, 0, 0, 0, 0,
  0, 0, 0, 0, '', 'gitea-auto', 0),
(3, 'acme', 'acme', 'ACME Corp', '', 0, 'enabled',
  '', '', 0, 0, 0, '', 1, '', '',
  '142c4ce7de2bf5355df597f59f613cac', '', '', '', 1717488000, 1717488000, 0, 0,
  -1, 1, 0, 0, 0, 0, 1,
  0, '', '', 0, 0, 0, 0, 0,
  2, 3, 0, 1, '', '', 0),
(4, 'bob', 'bob', 'Bob Builder', 'bob@example.com', 0, 'enabled',
  '', '', 0, 0, 0, '', 0, '', '',
  'a18a68c0aca02d60a3c5612a8a20d886', '', 'en-US', '', 1717491600, 1717660800, 1717574400, 0,
  -1, 1, 0, 0, 0, 0, 1,
  1, '', 'bob@example.com', 0, 0, 0, 0, 0,
  0, 0, 0, 0, '', 'gitea-auto', 0),
(5, 'carol', 'Carol', '', 'carol@example.com', 0, 'enabled',
  '62b2353db6f86b5533b66215e29b852c62b2353db6f86b5533b66215e29b852c62b2353db6f86b5533b66215e29b852c6299', 'argon2', 0, 0, 0, '', 0, '', '',
  '62b2353db6f86b5533b66215e29b852c', '142c4ce7de2bf5355df597f59f613cac', 'de-DE', '', 1717495200, 1717495200, 0, 0,
  -1, 0, 0, 0, 0, 0, 1,
  0, '', 'carol@example.com', 0, 0, 0, 0, 0,
  0, 0, 0, 0, '', 'gitea-auto', 0),
(6, 'renovate-bot', 'renovate-bot', 'Renovate', 'renovate-bot@example.com', 0, 'disabled',
  '', '', 0, 0, 0, '', 4, '', '',
  'eb235b0e39f1263a0034d942bef6db3b', '', '', '', 1717498800, 1717498800, 0, 0,
  -1, 1, 0, 0, 0, 0, 0,
  0, '', 'renovate-bot@example.com', 0, 0, 0, 0, 0,
  0, 0, 0, 0, '', 'gitea-auto', 0),
(7, 'globex', 'Globex', 'Globex Corporation', 'it@globex.example', 0, 'enabled',
  '', '', 0, 0, 0, '', 1, '', '',
  '256a4a4bd810b480dcc08f1639dcd28f', '', '', '', 1717502400, 1717502400, 0, 0,
  -1, 1, 0, 0, 0, 0, 1,
  0, '', '', 0, 0, 0, 0, 0,
  1, 1, 2, 1, '', '', 0);

-- One row per address of an individual. alice also has a second,
-- confirmed address; carol's is not confirmed yet. user.email is the
-- primary one, lower-cased by Gitea (User.BeforeUpdate); the row keeps it
-- as it was typed.
INSERT INTO `email_address` (`id`, `uid`, `email`, `lower_email`, `is_activated`, `is_primary`) VALUES
(1, 1, 'admin@example.com', 'admin@example.com', 1, 1),
(2, 2, 'Alice@Example.com', 'alice@example.com', 1, 1),
(3, 2, 'alice@home.example', 'alice@home.example', 1, 0),
(4, 4, 'bob@example.com', 'bob@example.com', 1, 1),
(5, 5, 'carol@example.com', 'carol@example.com', 0, 1),
(6, 6, 'renovate-bot@example.com', 'renovate-bot@example.com', 1, 1);

-- The Owners teams CreateOrganization() makes (authorize 4, every
-- repository, may create repositories), and acme's Developers (read).
INSERT INTO `team` (`id`, `org_id`, `lower_name`, `name`, `description`, `authorize`, `num_repos`, `num_members`,
  `includes_all_repositories`, `can_create_org_repo`) VALUES
(1, 3, 'owners', 'Owners', '', 4, 0, 1, 1, 1),
(2, 3, 'developers', 'Developers', 'Everyone who writes code', 1, 0, 2, 0, 0),
(3, 7, 'owners', 'Owners', '', 4, 0, 1, 1, 1);

-- admin owns acme, alice owns globex; alice and bob are acme's
-- Developers. Every team member is also a member of the organization
-- (org_user), which Gitea's AddTeamMember() ensures.
INSERT INTO `team_user` (`id`, `org_id`, `team_id`, `uid`) VALUES
(1, 3, 1, 1),
(2, 3, 2, 2),
(3, 3, 2, 4),
(4, 7, 3, 2);

INSERT INTO `org_user` (`id`, `uid`, `org_id`, `is_public`) VALUES
(1, 1, 3, 1),
(2, 2, 3, 0),
(3, 4, 3, 0),
(4, 2, 7, 1);
