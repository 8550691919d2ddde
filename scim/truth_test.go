package scim_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// newSidecarText is newSidecar with the schema and the resources section
// given as text.
func newSidecarText(t testing.TB, schema, mapping string, serverExtra ...string) *sidecar {
	t.Helper()
	dir := t.TempDir()
	sf, mf := filepath.Join(dir, "schema.sql"), filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(sf, []byte(schema), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mf, []byte(mapping), 0o600); err != nil {
		t.Fatal(err)
	}
	return newSidecar(t, sf, mf, serverExtra...)
}

// listUsers returns the userNames a filter selects, sorted, and the
// active value of each as listed.
func (s *sidecar) listUsers(filter string) ([]string, map[string]any) {
	s.t.Helper()
	path := "/scim/v2/Users?count=1000"
	if filter != "" {
		path += "&filter=" + url.QueryEscape(filter)
	}
	r := s.do("GET", path, nil)
	if r.Status != 200 {
		s.t.Fatalf("GET %s: %d %s", path, r.Status, r.Raw)
	}
	var names []string
	active := map[string]any{}
	list, _ := r.Body["Resources"].([]any)
	for _, e := range list {
		u := e.(map[string]any)
		n := fmt.Sprint(u["userName"])
		names = append(names, n)
		active[n] = u["active"]
	}
	slices.Sort(names)
	return names, active
}

// TestActiveFilterAgreesWithRead stores every kind of value in a status
// column (the trueValue, another trueValue, the falseValue, a value the
// mapping does not name, NULL, the trueValue in another case and with a
// trailing space) and requires the filters on active to select exactly the
// users each read shows with that active value: an IdP that asks for the
// active users gets those it is shown as active, and no other.
func TestActiveFilterAgreesWithRead(t *testing.T) {
	for _, tc := range []struct {
		name, column, values, active string
	}{
		{"status ci", "status VARCHAR(16) COLLATE utf8mb4_general_ci NULL",
			"('a', 'active'), ('b', 'staff'), ('c', 'disabled'), ('d', 'pending'), ('e', NULL), ('f', 'Active'), ('g', 'active '), ('h', 'STAFF')",
			"{column: status, trueValue: active, trueValues: [staff], falseValue: disabled}"},
		{"status bin", "status VARCHAR(16) COLLATE utf8mb4_bin NULL",
			"('a', 'active'), ('b', 'staff'), ('c', 'disabled'), ('d', 'pending'), ('e', NULL), ('f', 'Active'), ('g', 'active ')",
			"{column: status, trueValue: active, trueValues: [staff], falseValue: disabled}"},
		{"flag", "status TINYINT NULL",
			"('a', 1), ('b', 2), ('c', 0), ('d', -1), ('e', NULL)",
			"status"},
		{"codes", "status TINYINT NULL",
			"('a', 1), ('b', 2), ('c', 0), ('d', 3), ('e', NULL)",
			"{column: status, trueValues: [1, 2], falseValue: 0}"},
		{"enum", "status ENUM('on','off','gone') NULL",
			"('a', 'on'), ('c', 'off'), ('d', 'gone'), ('e', NULL)",
			"{column: status, trueValue: 'on', falseValue: 'off'}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema := "CREATE TABLE accounts (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(60) NOT NULL, " +
				tc.column + ") DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\nINSERT INTO accounts (login, status) VALUES " + tc.values + ";\n"
			mapping := "User:\n  table: accounts\n  attributes:\n    userName: login\n    active: " + tc.active + "\n  delete: hard\n"
			s := newSidecarText(t, schema, mapping)
			all, read := s.listUsers("")
			var wantTrue, wantFalse []string
			for _, n := range all {
				switch read[n] {
				case true:
					wantTrue = append(wantTrue, n)
				case false:
					wantFalse = append(wantFalse, n)
				default:
					t.Errorf("%s reads active %v; want true or false for every row", n, read[n])
				}
			}
			for filter, want := range map[string][]string{
				"active eq true":       wantTrue,
				"active eq false":      wantFalse,
				"active ne true":       wantFalse,
				"active ne false":      wantTrue,
				"not (active eq true)": wantFalse,
				"active pr":            all,
			} {
				got, _ := s.listUsers(filter)
				if !slices.Equal(got, want) {
					t.Errorf("filter %s selects %v; the reads say %v (read: %v)", filter, got, want, read)
				}
			}
		})
	}
}

// TestDeactivationNobodyStoredIsAnError gives the application a trigger
// that keeps its block flag as it was (as an application's own rule
// might), and requires a PATCH or POST whose active the row then does not
// say to fail, with nothing of it written, rather than answer 200 with
// the active the IdP asked for.
func TestDeactivationNobodyStoredIsAnError(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the embedded engine has no triggers")
	schema := `CREATE TABLE accounts (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(60) NOT NULL,
		given VARCHAR(60) NULL, block TINYINT NOT NULL DEFAULT 0) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO accounts (login, given, block) VALUES ('ann', 'Ann', 0);
CREATE TRIGGER accounts_keep_block BEFORE UPDATE ON accounts FOR EACH ROW SET NEW.block = OLD.block;
CREATE TRIGGER accounts_new_unblocked BEFORE INSERT ON accounts FOR EACH ROW SET NEW.block = 0;
`
	mapping := "User:\n  table: accounts\n  attributes:\n    userName: login\n    name.givenName: given\n    active: {column: block, trueValue: 0, falseValue: 1}\n  delete: hard\n"
	s := newSidecarText(t, schema, mapping)
	r := s.do("PATCH", "/scim/v2/Users/1", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{
			map[string]any{"op": "replace", "value": map[string]any{"active": false, "name.givenName": "Annie"}},
		},
	})
	checkError(t, r, 500, "")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "did not keep what this request wrote") {
		t.Errorf("detail %q does not say what happened", d)
	}
	if row := s.row("SELECT given, block FROM accounts WHERE id = 1"); row["given"] != "Ann" || row["block"] != "0" {
		t.Errorf("the failed PATCH left the row %v; want it unchanged", row)
	}
	got := s.do("GET", "/scim/v2/Users/1", nil)
	if got.Body["active"] != true {
		t.Errorf("GET after the failed PATCH says active %v; the row is enabled", got.Body["active"])
	}

	r = s.do("POST", "/scim/v2/Users", map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": "bob", "active": false,
	})
	checkError(t, r, 500, "")
	if n := s.count("SELECT COUNT(*) FROM accounts WHERE login = 'bob'"); n != 0 {
		t.Errorf("the failed POST left %d rows", n)
	}
	// Reactivating, which the trigger does not undo on insert, works.
	r = s.do("POST", "/scim/v2/Users", map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": "cy", "active": true,
	})
	if r.Status != 201 {
		t.Errorf("POST of an active user: %d %s", r.Status, r.Raw)
	}
}

// membershipSchema is a roles model whose join table is keyed by a UUID
// the mapping generates, as some applications key every table.
const membershipSchema = `CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL,
  UNIQUE KEY users_login (login)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE roles (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL,
  UNIQUE KEY roles_name (name)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE user_roles (id CHAR(36) NOT NULL PRIMARY KEY, user_id INT NOT NULL, role_id INT NOT NULL,
  source VARCHAR(10) NOT NULL, KEY user_roles_role (role_id)%s) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO users (login) VALUES ('u1'), ('u2'), ('u3'), ('u4'), ('u5');
INSERT INTO roles (name) VALUES ('staff');
`

const membershipMapping = `User:
  table: users
  attributes:
    userName: login
  delete: hard
Group:
  table: roles
  attributes:
    displayName: name
  members:
    table: user_roles
    group: role_id
    user: user_id
    defaults: {id: {generate: uuid}, source: scim}
`

func addMembers(ids ...string) map[string]any {
	var members []any
	for _, id := range ids {
		members = append(members, map[string]any{"value": id})
	}
	return map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "add", "path": "members", "value": members}},
	}
}

// TestAddManyMembersGeneratedKeys adds five members in one PATCH to a
// join table keyed by a generated UUID: each row gets its own, and the
// five are added; and a unique index of the join table that refuses a row
// is never reported as a taken name (409).
func TestAddManyMembersGeneratedKeys(t *testing.T) {
	s := newSidecarText(t, fmt.Sprintf(membershipSchema, ""), membershipMapping)
	r := s.do("PATCH", "/scim/v2/Groups/1", addMembers("1", "2", "3", "4", "5"))
	if r.Status != 200 && r.Status != 204 {
		t.Fatalf("PATCH adding 5 members: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(DISTINCT id) FROM user_roles WHERE role_id = 1 AND CHAR_LENGTH(id) = 36"); n != 5 {
		t.Errorf("%d distinct UUID keys among the new rows, want 5", n)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles WHERE source = 'scim'"); n != 5 {
		t.Errorf("%d membership rows, want 5", n)
	}

	// source is unique here: the second row added is refused by it.
	s = newSidecarText(t, fmt.Sprintf(membershipSchema, ", UNIQUE KEY user_roles_source (source)"), membershipMapping)
	r = s.do("PATCH", "/scim/v2/Groups/1", addMembers("1", "2"))
	if r.Status == 409 || r.Status < 500 {
		t.Errorf("a membership row refused by another unique index answered %d, want a 5xx and no 409: %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles"); n != 0 {
		t.Errorf("%d membership rows after the failed PATCH, want 0", n)
	}
}

// TestSoftDeleteReleasesToAFreeName soft-deletes users whose released
// name (the template) another row holds already, with and without a
// unique index on the login: the delete succeeds, and the row gets a name
// no other row has, within the column's length.
func TestSoftDeleteReleasesToAFreeName(t *testing.T) {
	for _, index := range []string{"", ", UNIQUE KEY users_login (login)"} {
		t.Run(fmt.Sprintf("index=%v", index != ""), func(t *testing.T) {
			schema := "CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(16) NOT NULL, deleted TINYINT NOT NULL DEFAULT 0" + index +
				") DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n" +
				"INSERT INTO users (id, login, deleted) VALUES (1, 'bob', 0), (2, 'bob#deleted-1', 0), (3, 'BOB#deleted-1-2', 1), (4, 'abcdefghijkl', 0), (5, 'abcdef#deleted-4', 1);\n"
			mapping := "User:\n  table: users\n  attributes:\n    userName: login\n  delete: {mark: {column: deleted, value: 1}, release: \"{value}#deleted-{id}\"}\n"
			s := newSidecarText(t, schema, mapping)
			for _, id := range []string{"1", "4"} {
				if r := s.do("DELETE", "/scim/v2/Users/"+id, nil); r.Status != 204 {
					t.Fatalf("DELETE /Users/%s: %d %s", id, r.Status, r.Raw)
				}
			}
			for id, want := range map[string]string{"1": "bob#deleted-1-3", "4": "abcd#deleted-4-2"} {
				if got := s.row("SELECT login, deleted FROM users WHERE id = ?", id); got["login"] != want || got["deleted"] != "1" {
					t.Errorf("user %s after DELETE: %v, want login %q, deleted", id, got, want)
				}
			}
			if n := s.count("SELECT COUNT(*) FROM users a JOIN users b ON a.id < b.id AND a.login = b.login"); n != 0 {
				t.Errorf("%d pairs of rows share a login", n)
			}
			// The name is free again.
			r := s.do("POST", "/scim/v2/Users", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "bob"})
			if r.Status != 201 {
				t.Errorf("POST bob after its deletion: %d %s", r.Status, r.Raw)
			}
		})
	}
}

// TestSoftDeletedUserLeavesItsGroups soft-deletes a member of a group: its
// membership rows go in the same transaction (the IdP considers the user
// gone, and could not remove a member it can no longer name), while a row
// of the join table outside the membership's scope (an application still
// pending) stays, and the user's row stays for the application.
func TestSoftDeletedUserLeavesItsGroups(t *testing.T) {
	schema := `CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(60) NOT NULL, deleted TINYINT NOT NULL DEFAULT 0)
  DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE teams (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(60) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE team_users (team_id INT NOT NULL, user_id INT NOT NULL, pending TINYINT NOT NULL DEFAULT 0, PRIMARY KEY (team_id, user_id))
  DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO users (login) VALUES ('ann'), ('ben');
INSERT INTO teams (name) VALUES ('red'), ('blue');
INSERT INTO team_users (team_id, user_id, pending) VALUES (1, 1, 0), (2, 1, 1), (1, 2, 0);
`
	mapping := `User:
  table: users
  attributes:
    userName: login
  delete: {mark: {column: deleted, value: 1}}
Group:
  table: teams
  id: {prefix: g-}
  attributes:
    displayName: name
  members:
    table: team_users
    group: team_id
    user: user_id
    scope: {pending: 0}
`
	s := newSidecarText(t, schema, mapping)
	if r := s.do("DELETE", "/scim/v2/Users/1", nil); r.Status != 204 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM team_users WHERE user_id = 1 AND pending = 0"); n != 0 {
		t.Errorf("%d memberships of the deleted user remain", n)
	}
	if n := s.count("SELECT COUNT(*) FROM team_users WHERE user_id = 1 AND pending = 1"); n != 1 {
		t.Errorf("the application's pending row is gone (%d rows)", n)
	}
	if n := s.count("SELECT COUNT(*) FROM team_users WHERE user_id = 2"); n != 1 {
		t.Errorf("another user's membership changed (%d rows)", n)
	}
	if n := s.count("SELECT COUNT(*) FROM users WHERE id = 1 AND deleted = 1"); n != 1 {
		t.Errorf("the user's row was not kept, marked deleted")
	}
	r := s.do("GET", "/scim/v2/Groups/g-1", nil)
	if members, _ := r.Body["members"].([]any); len(members) != 1 {
		t.Errorf("group red lists %v; want ben only", r.Body["members"])
	}
}

// joomlaUsers is Joomla 4's #__users table as Joomla creates it.
const joomlaUsers = "CREATE TABLE `j4_users` (\n" +
	"  `id` int NOT NULL AUTO_INCREMENT,\n" +
	"  `name` varchar(400) NOT NULL DEFAULT '',\n" +
	"  `username` varchar(150) NOT NULL DEFAULT '',\n" +
	"  `email` varchar(100) NOT NULL DEFAULT '',\n" +
	"  `password` varchar(100) NOT NULL DEFAULT '',\n" +
	"  `block` tinyint NOT NULL DEFAULT 0,\n" +
	"  `sendEmail` tinyint DEFAULT 0,\n" +
	"  `registerDate` datetime NOT NULL,\n" +
	"  `lastvisitDate` datetime,\n" +
	"  `activation` varchar(100) NOT NULL DEFAULT '',\n" +
	"  `params` text NOT NULL,\n" +
	"  `lastResetTime` datetime COMMENT 'Date of last password reset',\n" +
	"  `resetCount` int NOT NULL DEFAULT 0 COMMENT 'Count of password resets since lastResetTime',\n" +
	"  `otpKey` varchar(1000) NOT NULL DEFAULT '' COMMENT 'Two factor authentication encrypted keys',\n" +
	"  `otep` varchar(1000) NOT NULL DEFAULT '' COMMENT 'Backup Codes',\n" +
	"  `requireReset` tinyint NOT NULL DEFAULT 0 COMMENT 'Require user to reset password on next login',\n" +
	"  PRIMARY KEY (`id`),\n" +
	"  KEY `idx_name` (`name`(100)),\n" +
	"  KEY `idx_block` (`block`),\n" +
	"  UNIQUE KEY `idx_username` (`username`),\n" +
	"  KEY `email` (`email`)\n" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 DEFAULT COLLATE=utf8mb4_unicode_ci;\n" +
	"INSERT INTO j4_users (name, username, email, block, registerDate, activation, params) VALUES\n" +
	"  ('Ann Active', 'ann', 'ann@example.com', 0, '2024-01-01 00:00:00', '', '{}'),\n" +
	"  ('Pat Pending', 'pat', 'pat@example.com', 1, '2024-01-02 00:00:00', 'a1b2c3d4e5f6', '{}');\n"

// TestActiveInTwoColumnsJoomla maps Joomla's active, which is the block
// flag plus an activation token that must be cleared when an account is
// enabled (a blocked account with a token is one that never confirmed its
// e-mail): reactivating clears the token in the same write, deactivating
// leaves it, and reads decide active from block alone.
func TestActiveInTwoColumnsJoomla(t *testing.T) {
	mapping := `User:
  table: j4_users
  attributes:
    userName: username
    displayName: name
    emails: email
    active: {column: block, trueValue: 0, falseValue: 1, onTrue: {activation: ''}}
    meta.created: registerDate
  defaults:
    params: '{}'
  delete: refuse
`
	s := newSidecarText(t, joomlaUsers, mapping)
	if r := s.do("GET", "/scim/v2/Users/2", nil); r.Body["active"] != false {
		t.Errorf("the pending user reads active %v, want false", r.Body["active"])
	}
	patch := func(id string, active bool) response {
		return s.do("PATCH", "/scim/v2/Users/"+id, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": active}},
		})
	}
	if r := patch("2", true); r.Status != 200 || r.Body["active"] != true {
		t.Fatalf("reactivating: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT block, activation FROM j4_users WHERE id = 2"); row["block"] != "0" || row["activation"] != "" {
		t.Errorf("reactivated row: %v, want block 0 and the activation token cleared", row)
	}
	if r := patch("1", false); r.Status != 200 || r.Body["active"] != false {
		t.Fatalf("deactivating: %d %s", r.Status, r.Raw)
	}
	if _, err := s.db.Exec("UPDATE j4_users SET activation = 'fromtheapp' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	if row := s.row("SELECT block, activation FROM j4_users WHERE id = 1"); row["block"] != "1" {
		t.Errorf("deactivated row: %v, want block 1", row)
	}
	// A blocked row with a token still reads inactive; a create writes
	// both columns.
	if r := s.do("GET", "/scim/v2/Users/1", nil); r.Body["active"] != false {
		t.Errorf("user 1 reads active %v, want false", r.Body["active"])
	}
	r := s.do("POST", "/scim/v2/Users", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "cy", "active": true,
	})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT block, activation FROM j4_users WHERE username = 'cy'"); row["block"] != "0" || row["activation"] != "" {
		t.Errorf("created row: %v", row)
	}
	if r := patch("1", true); r.Status != 200 {
		t.Fatalf("reactivating user 1: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT block, activation FROM j4_users WHERE id = 1"); row["block"] != "0" || row["activation"] != "" {
		t.Errorf("user 1 reactivated: %v, want block 0 and the token cleared", row)
	}
}
