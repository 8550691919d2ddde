-- Snipe-IT 7 (Laravel): the users, permission_groups and users_groups
-- tables as `php artisan migrate` creates them on MySQL/MariaDB for a fresh
-- install, with the columns of the migrations up to 7.x (the Sentry
-- install migrations of 2012 and the ones that added columns since).
-- Laravel's builder: increments() is INT UNSIGNED AUTO_INCREMENT, string()
-- a VARCHAR(191) (Snipe-IT's AppServiceProvider sets
-- Schema::defaultStringLength(191)), boolean() TINYINT(1), timestamps() and
-- softDeletes() TIMESTAMP NULL; the connection's utf8mb4 with
-- utf8mb4_unicode_ci. See README.md for what is left out.
CREATE TABLE `users` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `email` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `password` varchar(191) COLLATE utf8mb4_unicode_ci NOT NULL,
  `permissions` text COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `activated` tinyint(1) NOT NULL DEFAULT 0,
  `created_by` int(11) DEFAULT NULL,
  `activation_code` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `activated_at` timestamp NULL DEFAULT NULL,
  `last_login` timestamp NULL DEFAULT NULL,
  `persist_code` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `reset_password_code` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `first_name` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `last_name` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  `updated_at` timestamp NULL DEFAULT NULL,
  `deleted_at` timestamp NULL DEFAULT NULL,
  `website` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `country` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `gravatar` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `location_id` int(11) DEFAULT NULL,
  `phone` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `jobtitle` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `manager_id` int(11) DEFAULT NULL,
  `employee_num` text COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `avatar` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `username` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `notes` text COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `company_id` int(10) unsigned DEFAULT NULL,
  `remember_token` text COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `ldap_import` tinyint(1) NOT NULL DEFAULT 0,
  `locale` varchar(10) COLLATE utf8mb4_unicode_ci DEFAULT 'en-US',
  `show_in_list` tinyint(1) NOT NULL DEFAULT 1,
  `two_factor_secret` varchar(32) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `two_factor_enrolled` tinyint(1) NOT NULL DEFAULT 0,
  `two_factor_optin` tinyint(1) NOT NULL DEFAULT 0,
  `department_id` int(11) DEFAULT NULL,
  `address` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `city` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `state` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `zip` varchar(10) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `skin` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `remote` tinyint(1) DEFAULT 0,
  `start_date` date DEFAULT NULL,
  `end_date` date DEFAULT NULL,
  `scim_externalid` varchar(191) COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `autoassign_licenses` tinyint(1) NOT NULL DEFAULT 1,
  `vip` tinyint(1) DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `users_activation_code_index` (`activation_code`),
  KEY `users_reset_password_code_index` (`reset_password_code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `permission_groups` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(191) COLLATE utf8mb4_unicode_ci NOT NULL,
  `permissions` text COLLATE utf8mb4_unicode_ci DEFAULT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  `updated_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `users_groups` (
  `user_id` int(10) unsigned NOT NULL,
  `group_id` int(10) unsigned NOT NULL,
  PRIMARY KEY (`user_id`,`group_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The rows of a Snipe-IT in use. 1: the superuser that the setup wizard
-- creates. 2: a user created in the web UI, whose per-user permissions
-- the UI saved as Snipe-IT does: "1" grant, "0" inherit from the groups,
-- "-1" deny. 3: an account imported by the LDAP sync and then set to
-- "cannot log in" (activated 0); the sync writes no permissions (NULL). 4:
-- a user deleted in the UI: Laravel's SoftDeletes set deleted_at, and the
-- row, its group membership and its history stay. 5 and 6: users created
-- in the UI, whose permissions UsersController::store() saved as
-- json_encode() of the posted permission array after removing
-- "superuser" when the administrator is no superuser: "[]" when that was
-- the only key posted, "null" when none was.
INSERT INTO `users` (`id`, `email`, `password`, `permissions`, `activated`, `first_name`, `last_name`, `username`, `jobtitle`, `employee_num`, `phone`, `ldap_import`, `locale`, `created_at`, `updated_at`, `deleted_at`) VALUES
  (1, 'admin@example.com', '$2y$10$8VvUgBQ9FvfVM6HQfQ2FUe1f6c6tS4oBMl2Zl6mqH2e5wBv2gS1vK', '{"superuser":"1"}', 1, 'Admin', 'User', 'admin', NULL, NULL, NULL, 0, 'en-US', '2024-01-15 09:00:00', '2024-01-15 09:00:00', NULL),
  (2, 'jane.doe@example.com', '$2y$10$Q5cGq7zR4H9b2vX1mJ8yUe0aT3sP6dF9gK2lZ5xC8vB1nM4qW7eR0', '{"admin":"0","assets.view":"1","reports.view":"-1"}', 1, 'Jane', 'Doe', 'jane.doe', 'IT Technician', 'E-1002', '+1 555 0102', 0, 'en-US', '2024-02-01 10:30:00', '2024-03-05 16:45:00', NULL),
  (3, 'mark.off@example.com', '', NULL, 0, 'Mark', 'Offline', 'mark.off', 'Contractor', 'E-1003', NULL, 1, 'en-US', '2024-02-10 08:00:00', '2024-06-01 12:00:00', NULL),
  (4, 'old.employee@example.com', '', '{"assets.view":"1"}', 1, 'Olga', 'Leaver', 'old.employee', NULL, 'E-0904', NULL, 0, 'en-US', '2023-05-02 09:00:00', '2024-04-30 17:00:00', '2024-04-30 17:00:00'),
  (5, 'pat.empty@example.com', '', '[]', 1, 'Pat', 'Empty', 'pat.empty', NULL, NULL, NULL, 0, 'en-US', '2024-07-01 11:00:00', '2024-07-01 11:00:00', NULL),
  (6, 'nat.null@example.com', '', 'null', 1, 'Nat', 'Null', 'nat.null', NULL, NULL, NULL, 0, 'en-US', '2024-07-02 11:00:00', '2024-07-02 11:00:00', NULL);

-- Snipe-IT creates no groups of its own: these are an installation's,
-- made in Settings > Groups, with the permissions JSON the UI saves ("1"
-- grant, "0" not granted).
INSERT INTO `permission_groups` (`id`, `name`, `permissions`, `created_at`, `updated_at`) VALUES
  (1, 'IT Admins', '{"admin":"1","assets.view":"1","assets.create":"1"}', '2024-01-15 09:05:00', '2024-01-15 09:05:00'),
  (2, 'Staff', '{"admin":"0","assets.view":"1"}', '2024-01-15 09:06:00', '2024-01-15 09:06:00');

INSERT INTO `users_groups` (`user_id`, `group_id`) VALUES
  (2, 1), (2, 2), (3, 2), (4, 2);
