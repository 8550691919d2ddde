package scim_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestScopeByRelation: a resource scoped by rows of other tables (NOT
// EXISTS a bots row, EXISTS a user_roles row with role 3) is scoped so by
// every read, filter, uniqueness check, membership and write, and a create
// writes the relation it needs in the same transaction.
func TestScopeByRelation(t *testing.T) {
	s := newSidecar(t, "testdata/relation_schema.sql", "testdata/relation_mapping.yaml")

	// Reads: only customers that are not bots.
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?count=100", nil)); !slices.Equal(got, []string{"2", "3", "5"}) {
		t.Errorf("users listed: %v, want 2 3 5 (not the admin, who is no customer, nor the importer bot)", got)
	}
	if r := s.do("GET", "/scim/v2/Users?count=1", nil); r.Body["totalResults"] != float64(3) {
		t.Errorf("totalResults %v, want 3: %s", r.Body["totalResults"], r.Raw)
	}
	for _, id := range []string{"1", "4"} {
		checkError(t, s.do("GET", "/scim/v2/Users/"+id, nil), http.StatusNotFound, "")
		checkError(t, s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"active","value":false}`)), http.StatusNotFound, "")
		checkError(t, s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"renamed"}`), http.StatusNotFound, "")
		checkError(t, s.do("DELETE", "/scim/v2/Users/"+id, nil), http.StatusNotFound, "")
	}
	if got := s.row("SELECT username, disabled FROM users WHERE id = 4"); got["username"] != "importer" || got["disabled"] != "0" {
		t.Errorf("a write reached the bot: %v", got)
	}
	for _, f := range []string{`userName eq "importer"`, `userName eq "admin"`, `emails.value eq "importer@example.com"`} {
		if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(f), nil)); len(got) != 0 {
			t.Errorf("%s finds %v, want nothing", f, got)
		}
	}
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(`active eq true`), nil)); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("active eq true: %v, want 2 3", got)
	}
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(`userName sw "a"`)+"&sortBy=userName", nil)); !slices.Equal(got, []string{"2"}) {
		t.Errorf("userName sw a: %v, want only alice (not the admin)", got)
	}

	// Writes reach the rows in scope.
	if r := s.do("PATCH", "/scim/v2/Users/5", patchBody(`{"op":"replace","path":"active","value":true}`)); r.Status != http.StatusOK {
		t.Fatalf("reactivating carol: %d %s", r.Status, r.Raw)
	}
	if r := s.do("PUT", "/scim/v2/Users/2", `{"userName":"alice","emails":[{"value":"alice@new.example","type":"work"}],"active":true}`); r.Status != http.StatusOK {
		t.Fatalf("replacing alice: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT disabled FROM users WHERE id = 5"); got["disabled"] != "0" {
		t.Errorf("carol: %v, want disabled 0", got)
	}
	if got := s.row("SELECT email FROM users WHERE id = 2"); got["email"] != "alice@new.example" {
		t.Errorf("alice: %v, want the new address", got)
	}

	// Memberships: the bot and the admin are in the team's rows, but are
	// no SCIM users, so they are no members and cannot be added.
	if got := memberValues(s.do("GET", "/scim/v2/Groups/t-1", nil).Body, "members"); !slices.Equal(got, []string{"2"}) {
		t.Errorf("Support members %v, want only 2", got)
	}
	checkError(t, s.do("PATCH", "/scim/v2/Groups/t-1", patchBody(`{"op":"add","path":"members","value":[{"value":"4"}]}`)), http.StatusBadRequest, "invalidValue")
	if r := s.do("PATCH", "/scim/v2/Groups/t-1", patchBody(`{"op":"add","path":"members","value":[{"value":"3"}]}`)); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("adding bob: %d %s", r.Status, r.Raw)
	}
	if got := s.count("SELECT COUNT(*) FROM team_members WHERE team_id = 1"); got != 4 {
		t.Errorf("team_members rows: %d, want 4 (admin, alice, importer, bob)", got)
	}

	// Uniqueness counts the rows in scope: the bot's and the admin's
	// names are not SCIM users' (the table has no unique index).
	r := s.do("POST", "/scim/v2/Users", `{"userName":"dave","emails":[{"value":"dave@example.com","type":"work","primary":true}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id, _ := r.Body["id"].(string)
	if got := s.row("SELECT role_id FROM user_roles WHERE user_id = ?", id); got["role_id"] != "3" {
		t.Errorf("the new user's role rows: %v, want the customer role written with the user", got)
	}
	if got := s.count("SELECT COUNT(*) FROM user_roles WHERE user_id = ?", id); got != 1 {
		t.Errorf("the new user has %d user_roles rows, want 1", got)
	}
	if g := s.do("GET", "/scim/v2/Users/"+id, nil); g.Status != http.StatusOK {
		t.Errorf("the new user cannot be read: %d %s", g.Status, g.Raw)
	}
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"DAVE"}`), http.StatusConflict, "uniqueness")

	// A hard delete removes the row and the relation it was given, and
	// leaves the other users' roles alone.
	if d := s.do("DELETE", "/scim/v2/Users/3", nil); d.Status != http.StatusNoContent {
		t.Fatalf("delete bob: %d %s", d.Status, d.Raw)
	}
	if got := s.count("SELECT COUNT(*) FROM users WHERE id = 3"); got != 0 {
		t.Errorf("bob's row is still there")
	}
	if got := s.count("SELECT COUNT(*) FROM user_roles WHERE user_id = 3 AND role_id = 3"); got != 0 {
		t.Errorf("bob's customer role is still there")
	}
	if got := s.count("SELECT COUNT(*) FROM user_roles WHERE user_id IN (1, 2, 4, 5)"); got != 5 {
		t.Errorf("other users' role rows: %d, want 5", got)
	}
}

// TestScopeByTextRelation: a relation whose related column is text and
// the key an integer (GLPI keeps the system account's id in the TEXT
// value of a setting) compares the integer as decimal text: "2" matches
// 2, and "3x", "04" and " 5", which MySQL's own comparison would take for
// numbers, match nothing. A written relation stores and finds the key as
// text too, and a hard delete removes only its own row.
func TestScopeByTextRelation(t *testing.T) {
	s := newSidecarText(t, `
CREATE TABLE users (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(100) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE configs (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  context VARCHAR(150) NULL,
  name VARCHAR(150) NULL,
  value TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE customers (
  user_ref VARCHAR(20) NOT NULL,
  kind VARCHAR(10) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO users (id, username) VALUES (1, 'one'), (2, 'system'), (3, 'three'), (4, 'four'), (5, 'five'), (6, 'six');
INSERT INTO configs (context, name, value) VALUES ('core', 'system_user', '2'), ('core', 'other', '3'), ('plugin', 'system_user', '4');
INSERT INTO configs (context, name, value) VALUES ('core', 'x', '3x'), ('core', 'y', '04'), ('core', 'z', ' 5');
INSERT INTO customers (user_ref, kind) VALUES ('1', 'customer'), ('2', 'customer'), ('3', 'customer'), ('4', 'customer'), ('5', 'customer'), ('6x', 'customer'), ('07', 'customer'), ('6', 'staff');
`, `
User:
  table: users
  attributes:
    userName: username
  relations:
    - notExists: {table: configs, column: value, where: {context: core, name: system_user}}
    - notExists: {table: configs, column: value, where: {context: core, name: {in: [x, y, z]}}}
    - exists: {table: customers, column: user_ref, where: {kind: customer}}
  delete: hard
`)
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?count=100", nil)); !slices.Equal(got, []string{"1", "3", "4", "5"}) {
		t.Errorf("users listed: %v, want 1 3 4 5 (not the system account 2, nor 6, whose customers row says 6x)", got)
	}
	checkError(t, s.do("GET", "/scim/v2/Users/2", nil), http.StatusNotFound, "")
	checkError(t, s.do("GET", "/scim/v2/Users/6", nil), http.StatusNotFound, "")
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(`userName eq "system"`), nil)); len(got) != 0 {
		t.Errorf("the system account is found: %v", got)
	}

	// The new user is 7: its customers row is written as "7" (the "07"
	// row is not its own), and removed with it.
	r := s.do("POST", "/scim/v2/Users", `{"userName":"seven"}`)
	if r.Status != http.StatusCreated || r.Body["id"] != "7" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if got := s.count("SELECT COUNT(*) FROM customers WHERE user_ref = '7' AND kind = 'customer'"); got != 1 {
		t.Errorf("customers rows of 7: %d, want the one written with the user", got)
	}
	if g := s.do("GET", "/scim/v2/Users/7", nil); g.Status != http.StatusOK {
		t.Errorf("the new user cannot be read: %d %s", g.Status, g.Raw)
	}
	if d := s.do("DELETE", "/scim/v2/Users/7", nil); d.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", d.Status, d.Raw)
	}
	if got := s.count("SELECT COUNT(*) FROM customers WHERE user_ref IN ('7', '07')"); got != 1 {
		t.Errorf("customers rows 7 and 07 after the delete: %d, want only 07 left", got)
	}
}
