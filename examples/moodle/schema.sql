-- Moodle 4.x, as its installer creates the tables on MySQL and MariaDB:
-- mdl_user, mdl_cohort and mdl_cohort_members, column for column, with
-- Moodle's own index names, utf8mb4_unicode_ci and ROW_FORMAT=Dynamic.
--
-- Sources: lib/db/install.xml (XMLDB, VERSION 20230324), turned into MySQL
-- DDL the way lib/ddl/mysql_sql_generator.php does it: int(10) is
-- BIGINT(10), char is VARCHAR, text is LONGTEXT, every NOT NULL char column
-- without an XMLDB default gets DEFAULT '' on MySQL (so mdl_user has no
-- NOT NULL column without a default, while mdl_cohort's contextid,
-- descriptionformat, timecreated and timemodified have none). Integers are
-- signed; foreign keys are plain indexes. Seed rows follow
-- lib/db/install.php (the guest user, id 1, and the admin, id 2),
-- user/lib.php user_create_user(), and lib/moodlelib.php delete_user(),
-- which keeps a deleted user's row with deleted = 1, its username replaced
-- by the e-mail address and the deletion time, its email by
-- md5(username), and its cohort memberships removed.
--
-- What the columns mean for an account: deleted = 1 is gone (Moodle keeps
-- the row), suspended = 1 cannot sign in (and is distinct from deleted),
-- confirmed = 0 is a self-registration awaiting its e-mail confirmation,
-- auth names the sign-in plugin (manual, email, oauth2, saml2, ...),
-- mnethostid is the Moodle site the account belongs to (1, the local one;
-- MNet peers' users have others), and times are Unix seconds.

SET NAMES utf8mb4;

-- -----------------------------------------------------------------------------
-- <TABLE NAME="user" COMMENT="One record for each person">
-- -----------------------------------------------------------------------------
CREATE TABLE mdl_user (
    id BIGINT(10) NOT NULL auto_increment,
    auth VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT 'manual',
    confirmed TINYINT(1) NOT NULL DEFAULT 0,
    policyagreed TINYINT(1) NOT NULL DEFAULT 0,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    suspended TINYINT(1) NOT NULL DEFAULT 0,
    mnethostid BIGINT(10) NOT NULL DEFAULT 0,
    username VARCHAR(100) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    password VARCHAR(255) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    idnumber VARCHAR(255) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    firstname VARCHAR(100) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    lastname VARCHAR(100) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    email VARCHAR(100) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    emailstop TINYINT(1) NOT NULL DEFAULT 0,
    phone1 VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    phone2 VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    institution VARCHAR(255) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    department VARCHAR(255) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    address VARCHAR(255) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    city VARCHAR(120) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    country VARCHAR(2) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    lang VARCHAR(30) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT 'en',
    calendartype VARCHAR(30) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT 'gregorian',
    theme VARCHAR(50) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    timezone VARCHAR(100) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '99',
    firstaccess BIGINT(10) NOT NULL DEFAULT 0,
    lastaccess BIGINT(10) NOT NULL DEFAULT 0,
    lastlogin BIGINT(10) NOT NULL DEFAULT 0,
    currentlogin BIGINT(10) NOT NULL DEFAULT 0,
    lastip VARCHAR(45) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    secret VARCHAR(15) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    picture BIGINT(10) NOT NULL DEFAULT 0,
    description LONGTEXT COLLATE utf8mb4_unicode_ci,
    descriptionformat TINYINT(2) NOT NULL DEFAULT 1,
    mailformat TINYINT(1) NOT NULL DEFAULT 1,
    maildigest TINYINT(1) NOT NULL DEFAULT 0,
    maildisplay TINYINT(2) NOT NULL DEFAULT 2,
    autosubscribe TINYINT(1) NOT NULL DEFAULT 1,
    trackforums TINYINT(1) NOT NULL DEFAULT 0,
    timecreated BIGINT(10) NOT NULL DEFAULT 0,
    timemodified BIGINT(10) NOT NULL DEFAULT 0,
    trustbitmask BIGINT(10) NOT NULL DEFAULT 0,
    imagealt VARCHAR(255) COLLATE utf8mb4_unicode_ci,
    lastnamephonetic VARCHAR(255) COLLATE utf8mb4_unicode_ci,
    firstnamephonetic VARCHAR(255) COLLATE utf8mb4_unicode_ci,
    middlename VARCHAR(255) COLLATE utf8mb4_unicode_ci,
    alternatename VARCHAR(255) COLLATE utf8mb4_unicode_ci,
    moodlenetprofile VARCHAR(255) COLLATE utf8mb4_unicode_ci,
CONSTRAINT  PRIMARY KEY (id)
, UNIQUE KEY mdl_user_mneuse_uix (mnethostid, username)
, KEY mdl_user_del_ix (deleted)
, KEY mdl_user_con_ix (confirmed)
, KEY mdl_user_fir_ix (firstname)
, KEY mdl_user_las_ix (lastname)
, KEY mdl_user_cit_ix (city)
, KEY mdl_user_cou_ix (country)
, KEY mdl_user_las2_ix (lastaccess)
, KEY mdl_user_ema_ix (email)
, KEY mdl_user_aut_ix (auth)
, KEY mdl_user_idn_ix (idnumber)
, KEY mdl_user_fir2_ix (firstnamephonetic)
, KEY mdl_user_las3_ix (lastnamephonetic)
, KEY mdl_user_mid_ix (middlename)
, KEY mdl_user_alt_ix (alternatename)
)
 ENGINE = InnoDB
 DEFAULT COLLATE = utf8mb4_unicode_ci
 ROW_FORMAT=Dynamic
 COMMENT='One record for each person';

-- -----------------------------------------------------------------------------
-- <TABLE NAME="cohort" COMMENT="Each record represents one cohort (aka site-wide group).">
--   KEY context (foreign contextid -> context.id)  => plain index mdl_coho_con_ix
--   NOTE: contextid, descriptionformat, timecreated, timemodified are NOT NULL with
--   NO default (XMLDB has none, and the '' trick only applies to char columns).
--   idnumber is NOT unique in the schema (uniqueness is checked only in the UI/API code).
-- -----------------------------------------------------------------------------
CREATE TABLE mdl_cohort (
    id BIGINT(10) NOT NULL auto_increment,
    contextid BIGINT(10) NOT NULL,
    name VARCHAR(254) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    idnumber VARCHAR(100) COLLATE utf8mb4_unicode_ci,
    description LONGTEXT COLLATE utf8mb4_unicode_ci,
    descriptionformat TINYINT(2) NOT NULL,
    visible TINYINT(1) NOT NULL DEFAULT 1,
    component VARCHAR(100) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    timecreated BIGINT(10) NOT NULL,
    timemodified BIGINT(10) NOT NULL,
    theme VARCHAR(50) COLLATE utf8mb4_unicode_ci,
CONSTRAINT  PRIMARY KEY (id)
, KEY mdl_coho_con_ix (contextid)
)
 ENGINE = InnoDB
 DEFAULT COLLATE = utf8mb4_unicode_ci
 ROW_FORMAT=Dynamic
 COMMENT='Each record represents one cohort (aka site-wide group).';

-- -----------------------------------------------------------------------------
-- <TABLE NAME="cohort_members" COMMENT="Link a user to a cohort.">
--   INDEX cohortid-userid UNIQUE              => mdl_cohomemb_cohuse_uix
--   KEY cohortid (foreign -> cohort.id)       => mdl_cohomemb_coh_ix
--   KEY userid   (foreign -> user.id)         => mdl_cohomemb_use_ix
-- -----------------------------------------------------------------------------
CREATE TABLE mdl_cohort_members (
    id BIGINT(10) NOT NULL auto_increment,
    cohortid BIGINT(10) NOT NULL DEFAULT 0,
    userid BIGINT(10) NOT NULL DEFAULT 0,
    timeadded BIGINT(10) NOT NULL DEFAULT 0,
CONSTRAINT  PRIMARY KEY (id)
, UNIQUE KEY mdl_cohomemb_cohuse_uix (cohortid, userid)
, KEY mdl_cohomemb_coh_ix (cohortid)
, KEY mdl_cohomemb_use_ix (userid)
)
 ENGINE = InnoDB
 DEFAULT COLLATE = utf8mb4_unicode_ci
 ROW_FORMAT=Dynamic
 COMMENT='Link a user to a cohort.';


-- =============================================================================
-- SEED DATA
-- =============================================================================

-- id 1: the guest account exactly as xmldb_main_install() inserts it (columns it does
-- not set take their DB defaults: timecreated 0, calendartype 'gregorian', timezone '99',
-- maildisplay 2, descriptionformat 1 ...).  It must never be deleted (delete_user()
-- refuses username 'guest' / $CFG->siteguest).
INSERT INTO mdl_user (id, auth, confirmed, policyagreed, deleted, suspended, mnethostid,
    username, password, idnumber, firstname, lastname, email, lang,
    description, timecreated, timemodified)
VALUES (1, 'manual', 1, 0, 0, 0, 1,
    'guest', '$2y$10$koXA6fRfpEohElr48ChnH.fSMTSPeVTu8DoPslygiLY6szDK8Q812', '', 'Guest user', ' ', 'root@localhost', 'en',
    'This user is a special user that allows read-only access to some courses.', 0, 1717171200);

-- id 2: the admin.  Inserted with password 'adminsetuppending' and email '', then the
-- install wizard sets a real password/email.  Being an admin is NOT stored here: it is
-- $CFG->siteadmins = '2' in mdl_config.  timecreated stays 0.
INSERT INTO mdl_user (id, auth, confirmed, policyagreed, deleted, suspended, mnethostid,
    username, password, idnumber, firstname, lastname, email, city, country, lang,
    firstaccess, lastaccess, lastlogin, currentlogin, lastip, maildisplay,
    timecreated, timemodified)
VALUES (2, 'manual', 1, 0, 0, 0, 1,
    'admin', '$2y$10$tIgIjP41arJGXugmXaE7eurQBaB7kQBUCAx5CoIJQDZKe2Fffk1La', '', 'Admin', 'User', 'admin@example.com', 'Berlin', 'DE', 'en',
    1717171300, 1718600000, 1718500000, 1718600000, '192.0.2.10', 1,
    0, 1717171260);

-- id 3: ordinary active user created by an admin / upload (user_create_user()).
INSERT INTO mdl_user (id, auth, confirmed, policyagreed, deleted, suspended, mnethostid,
    username, password, idnumber, firstname, lastname, email, institution, department,
    city, country, lang, calendartype, timezone,
    firstaccess, lastaccess, lastlogin, currentlogin, lastip,
    description, descriptionformat, mailformat, maildigest, maildisplay, autosubscribe, trackforums,
    timecreated, timemodified, alternatename)
VALUES (3, 'manual', 1, 0, 0, 0, 1,
    'alice', '$2y$10$TGrJVzAVjr7k2gezaImeAOKdkdmO18UharJtVLNdA68WPvDu5aoRO', 'EMP-1001', 'Alice', 'Anderson', 'alice.anderson@example.org', 'Example University', 'Physics',
    'Berlin', 'DE', 'en', 'gregorian', 'Europe/Berlin',
    1717210000, 1718590000, 1718400000, 1718590000, '198.51.100.7',
    '', 1, 1, 0, 2, 1, 0,
    1717200000, 1717200000, 'Ali');

-- id 4: suspended user (suspended=1 blocks login; row, enrolments and cohort
-- memberships stay intact).
INSERT INTO mdl_user (id, auth, confirmed, policyagreed, deleted, suspended, mnethostid,
    username, password, idnumber, firstname, lastname, email, city, country, lang, timezone,
    firstaccess, lastaccess, lastlogin, currentlogin, lastip,
    description, timecreated, timemodified)
VALUES (4, 'manual', 1, 0, 0, 1, 1,
    'bob', '$2y$10$sPcY9BmqvkHG2/3yv2ubHelObpoE5MiUio49.zlMBGJiKXQHIpyEC', 'EMP-1002', 'Bob', 'Brown', 'bob.brown@example.org', 'Hamburg', 'DE', 'en', '99',
    1717220000, 1717700000, 1717600000, 1717700000, '198.51.100.8',
    '', 1717200100, 1717800000);

-- id 5: deleted the way delete_user() does it, at time 1718000000.  Before deletion the
-- row was: username 'carol', email 'carol.danvers@example.org', idnumber 'EMP-1003'.
--   username = 'carol.danvers@example.org' . '.' . 1718000000
--   email    = md5('carol') = 'a9a0198010a6073db96434f6cc5f22a8'
--   idnumber = '', picture = 0, timemodified = 1718000000, deleted = 1
-- Names, password hash, auth, lastaccess ... are left untouched.
INSERT INTO mdl_user (id, auth, confirmed, policyagreed, deleted, suspended, mnethostid,
    username, password, idnumber, firstname, lastname, email, city, country, lang,
    firstaccess, lastaccess, lastlogin, currentlogin, lastip, picture,
    description, timecreated, timemodified)
VALUES (5, 'manual', 1, 0, 1, 0, 1,
    'carol.danvers@example.org.1718000000', '$2y$10$VZXsE7jEAitgONCPt2Y0zej6FtOyR5XxQDQBgVZqZeZ8y/ltNYz3G', '', 'Carol', 'Danvers', 'a9a0198010a6073db96434f6cc5f22a8', 'Munich', 'DE', 'en',
    1717230000, 1717900000, 1717800000, 1717900000, '198.51.100.9', 0,
    '', 1717200200, 1718000000);

-- id 6: self-registered via auth_email and not yet confirmed (confirmed=0, secret holds the
-- confirmation token).  This is Moodle's only notion of "pending".
INSERT INTO mdl_user (id, auth, confirmed, policyagreed, deleted, suspended, mnethostid,
    username, password, idnumber, firstname, lastname, email, city, country, lang,
    lastip, secret, description, timecreated, timemodified)
VALUES (6, 'email', 0, 0, 0, 0, 1,
    'dave', '$2y$10$1KV2Ar0Qk4.wyqFAgM66/uRI2FpVp5tCKJFmwtth2Brv21eCklzQm', '', 'Dave', 'Davis', 'dave.davis@example.net', 'Vienna', 'AT', 'en',
    '203.0.113.44', 'Xk3pQ9aLm2Vb7Rt', '', 1718100000, 1718100000);

ALTER TABLE mdl_user AUTO_INCREMENT = 7;

-- Cohorts in the system context (contextid 1), manual (component '').
INSERT INTO mdl_cohort (id, contextid, name, idnumber, description, descriptionformat, visible,
    component, timecreated, timemodified, theme)
VALUES (1, 1, 'All staff', 'staff', '', 1, 1, '', 1717300000, 1717300000, ''),
       (2, 1, 'Students 2024', 'students-2024', '<p>Everyone enrolled in the 2024 intake.</p>', 1, 1, '', 1717300050, 1717300050, '');

ALTER TABLE mdl_cohort AUTO_INCREMENT = 3;

-- cohort_members.  id 3 was carol (user 5) in "All staff"; delete_user() removed it,
-- hence the gap.  The suspended user keeps his membership.
INSERT INTO mdl_cohort_members (id, cohortid, userid, timeadded)
VALUES (1, 1, 3, 1717300100),
       (2, 1, 4, 1717300100),
       (4, 2, 3, 1717300200),
       (5, 2, 6, 1718100500);

ALTER TABLE mdl_cohort_members AUTO_INCREMENT = 6;
