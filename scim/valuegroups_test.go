package scim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// Groups declared by values (resources.Group.values): no groups table.

const valueGroupsSymfony = `
CREATE TABLE app_user (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(180) NOT NULL,
  roles LONGTEXT NOT NULL COMMENT '(DC2Type:json)',
  deleted_at DATETIME NULL,
  UNIQUE KEY uniq_email (email)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO app_user (id, email, roles) VALUES
  (1, 'admin@example.com', '["ROLE_ADMIN","ROLE_USER"]'),
  (2, 'user@example.com', '["ROLE_USER"]'),
  (3, 'near@example.com', '["ROLE_ADMINX","role_admin","ROLE_SUPER"]');
`

const valueGroupsSymfonyMapping = `
User:
  table: app_user
  attributes:
    userName: email
    roles: {column: roles, list: {encoding: json, values: [ROLE_USER]}}
  delete: hard
  ignoreDeactivation: true
Group:
  values:
    - {value: ROLE_ADMIN, displayName: Administrators}
    - {value: ROLE_EDITOR, displayName: Editors}
  members: {userColumn: roles, list: json}
`

// TestValueGroupsJSONList: Symfony's roles JSON array, with the groups a
// declared set of role values and no roles table. Reads, filters and
// membership changes of Okta and Entra rewrite only the declared tokens;
// a group cannot be created, renamed or deleted, and a refused write
// changes nothing.
func TestValueGroupsJSONList(t *testing.T) {
	s := newSidecarText(t, valueGroupsSymfony, valueGroupsSymfonyMapping)
	col := func(id string) string { return s.column("roles", id) }

	r := s.do("GET", "/scim/v2/Groups/ROLE_ADMIN", nil)
	if r.Status != 200 || r.Body["displayName"] != "Administrators" || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("admins: %d %s", r.Status, r.Raw)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups", nil)); !slices.Equal(got, []string{"ROLE_ADMIN", "ROLE_EDITOR"}) {
		t.Errorf("groups: %q", got)
	}
	if r := s.do("GET", "/scim/v2/Groups/ROLE_SUPER", nil); r.Status != http.StatusNotFound {
		t.Errorf("an undeclared value is no group: %d %s", r.Status, r.Raw)
	}
	// Okta and Entra look a group up by displayName, any case.
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "editors"`), nil)); !slices.Equal(got, []string{"ROLE_EDITOR"}) {
		t.Errorf("displayName eq: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "ROLE_SUPER"`), nil)); len(got) != 0 {
		t.Errorf("an undeclared name: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?sortBy=displayName&sortOrder=descending&count=1", nil)); !slices.Equal(got, []string{"ROLE_EDITOR"}) {
		t.Errorf("sorted, one page: %q", got)
	}
	// Only declared values are groups of a user; the roles attribute
	// keeps its own.
	if got := userGroups(t, s, "/scim/v2/Users/3"); len(got) != 0 {
		t.Errorf("groups of user 3 (near misses only): %q", got)
	}

	// Okta adds a member, Entra another with its capitalised op.
	if r := s.do("PATCH", "/scim/v2/Groups/ROLE_EDITOR", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`)); r.Status != http.StatusNoContent {
		t.Fatalf("Okta add: %d %s", r.Status, r.Raw)
	}
	if r := s.do("PATCH", "/scim/v2/Groups/ROLE_EDITOR", patchBody(`{"op":"Add","path":"members","value":[{"value":"1"},{"value":"3"}]}`)); r.Status != http.StatusNoContent {
		t.Fatalf("Entra add: %d %s", r.Status, r.Raw)
	}
	if col("1") != `["ROLE_ADMIN","ROLE_USER","ROLE_EDITOR"]` || col("3") != `["ROLE_ADMINX","role_admin","ROLE_SUPER","ROLE_EDITOR"]` {
		t.Errorf("after adds: %s | %s", col("1"), col("3"))
	}
	if got := userGroups(t, s, "/scim/v2/Users/1"); !slices.Equal(got, []string{"ROLE_ADMIN", "ROLE_EDITOR"}) {
		t.Errorf("groups of user 1: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "3"`), nil)); !slices.Equal(got, []string{"ROLE_EDITOR"}) {
		t.Errorf("groups with member 3: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "ROLE_ADMIN"`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("users in ROLE_ADMIN: %q", got)
	}
	// An unknown member: 400, nothing written.
	r = s.do("PATCH", "/scim/v2/Groups/ROLE_ADMIN", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"99"}]}`))
	if r.Status != http.StatusBadRequest || col("2") != `["ROLE_USER"]` {
		t.Errorf("unknown member: %d %s; %s", r.Status, r.Raw, col("2"))
	}
	// PUT replaces the members, keeping the undeclared tokens.
	r = s.do("PUT", "/scim/v2/Groups/ROLE_EDITOR", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Editors","members":[{"value":"2"}]}`)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "2" {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if col("1") != `["ROLE_ADMIN","ROLE_USER"]` || col("2") != `["ROLE_USER","ROLE_EDITOR"]` || col("3") != `["ROLE_ADMINX","role_admin","ROLE_SUPER"]` {
		t.Errorf("after PUT: %s | %s | %s", col("1"), col("2"), col("3"))
	}
	// Entra removes by value.
	if r := s.do("PATCH", "/scim/v2/Groups/ROLE_ADMIN", patchBody(`{"op":"Remove","path":"members","value":[{"value":"1"}]}`)); r.Status != http.StatusNoContent || col("1") != `["ROLE_USER"]` {
		t.Errorf("Entra remove: %d %s; %s", r.Status, r.Raw, col("1"))
	}

	// No group is created, renamed or deleted; nothing is written.
	before := col("2")
	r = s.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"editors","members":[{"value":"1"}]}`)
	if r.Status != http.StatusConflict || r.Body["scimType"] != "uniqueness" || !strings.Contains(r.Raw, `\"ROLE_EDITOR\"`) {
		t.Errorf("POST of a declared name: %d %s", r.Status, r.Raw)
	}
	r = s.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Auditors","members":[{"value":"2"}]}`)
	if r.Status != http.StatusBadRequest || r.Body["scimType"] != "invalidValue" {
		t.Errorf("POST of another name: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Groups/ROLE_EDITOR", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`, `{"op":"replace","path":"displayName","value":"Writers"}`))
	if r.Status != http.StatusBadRequest || r.Body["scimType"] != "mutability" {
		t.Errorf("rename: %d %s", r.Status, r.Raw)
	}
	if r := s.do("DELETE", "/scim/v2/Groups/ROLE_EDITOR", nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d %s", r.Status, r.Raw)
	}
	if r := s.do("DELETE", "/scim/v2/Groups/ROLE_NONE", nil); r.Status != http.StatusNotFound {
		t.Errorf("DELETE of no group: %d %s", r.Status, r.Raw)
	}
	if col("1") != `["ROLE_USER"]` || col("2") != before {
		t.Errorf("refused writes wrote: %s | %s", col("1"), col("2"))
	}
}

// TestValueGroupsSoftDelete: a soft-deleted user leaves the declared
// groups of its list, and keeps every other token.
func TestValueGroupsSoftDelete(t *testing.T) {
	mapping := strings.Replace(valueGroupsSymfonyMapping, "delete: hard", "delete: {mark: {column: deleted_at, generate: now}}", 1)
	s := newSidecarText(t, valueGroupsSymfony+"UPDATE app_user SET roles = '[\"ROLE_SUPER\",\"ROLE_ADMIN\",\"ROLE_USER\",\"ROLE_EDITOR\"]' WHERE id = 1;", mapping)
	if r := s.do("DELETE", "/scim/v2/Users/1", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if got := s.column("roles", "1"); got != `["ROLE_SUPER","ROLE_USER"]` {
		t.Errorf("roles after the soft delete: %s", got)
	}
}

const valueGroupsSpring = `
CREATE TABLE users (
  username VARCHAR(50) NOT NULL PRIMARY KEY,
  password VARCHAR(500) NOT NULL,
  enabled BOOLEAN NOT NULL
);
CREATE TABLE authorities (
  username VARCHAR(50) NOT NULL,
  authority VARCHAR(50) NOT NULL,
  CONSTRAINT fk_authorities_users FOREIGN KEY (username) REFERENCES users (username),
  UNIQUE KEY ix_auth_username (username, authority)
);
INSERT INTO users VALUES ('alice', '{noop}x', 1), ('bob', '{noop}x', 1), ('carol', '{noop}x', 1);
INSERT INTO authorities VALUES ('alice', 'ROLE_USER'), ('alice', 'ROLE_ADMIN'), ('bob', 'ROLE_USER'), ('carol', 'ROLE_OPERATOR');
`

const valueGroupsSpringMapping = `
User:
  table: users
  id: {column: username}
  attributes:
    userName: username
    active: enabled
  defaults: {password: "{noop}!"}
  delete: hard
Group:
  values:
    - {value: ROLE_ADMIN, displayName: Admins}
    - {value: ROLE_USER, displayName: Users}
  members: {table: authorities, group: authority, user: username}
`

// TestValueGroupsJoinTable: Spring Security's published users and
// authorities schema, where groups are the authority values of a join
// table with no authority table, and rows refer to users by username.
func TestValueGroupsJoinTable(t *testing.T) {
	s := newSidecarText(t, valueGroupsSpring, valueGroupsSpringMapping)
	rows := func() string {
		return strings.Join(s.Rows("SELECT username, authority FROM authorities ORDER BY username, authority"), "; ")
	}
	r := s.do("GET", "/scim/v2/Groups/ROLE_USER", nil)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "alice,bob" {
		t.Fatalf("users: %d %s", r.Status, r.Raw)
	}
	if got := userGroups(t, s, "/scim/v2/Users/alice"); !slices.Equal(got, []string{"ROLE_ADMIN", "ROLE_USER"}) {
		t.Errorf("alice's groups: %q", got)
	}
	if got := userGroups(t, s, "/scim/v2/Users/carol"); len(got) != 0 {
		t.Errorf("carol's groups (ROLE_OPERATOR is not declared): %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "bob" and displayName sw "us"`), nil)); !slices.Equal(got, []string{"ROLE_USER"}) {
		t.Errorf("filter: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members pr`), nil)); !slices.Equal(got, []string{"ROLE_ADMIN", "ROLE_USER"}) {
		t.Errorf("members pr: %q", got)
	}
	// A new user, then Okta's and Entra's membership requests.
	if r := s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dave","active":true}`); r.Status != http.StatusCreated {
		t.Fatalf("create dave: %d %s", r.Status, r.Raw)
	}
	if r := s.do("PATCH", "/scim/v2/Groups/ROLE_ADMIN", patchBody(`{"op":"add","path":"members","value":[{"value":"dave"},{"value":"alice"}]}`)); r.Status != http.StatusNoContent {
		t.Fatalf("add: %d %s", r.Status, r.Raw)
	}
	if r := s.do("PATCH", "/scim/v2/Groups/ROLE_USER", patchBody(`{"op":"remove","path":"members[value eq \"bob\"]"}`)); r.Status != http.StatusNoContent {
		t.Fatalf("remove: %d %s", r.Status, r.Raw)
	}
	want := "alice | ROLE_ADMIN; alice | ROLE_USER; carol | ROLE_OPERATOR; dave | ROLE_ADMIN"
	if got := rows(); got != want {
		t.Errorf("rows:\n got %s\nwant %s", got, want)
	}
	// PUT with no members empties the group, and only its rows.
	r = s.do("PUT", "/scim/v2/Groups/ROLE_ADMIN", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Admins","members":[]}`)
	if r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if got := rows(); got != "alice | ROLE_USER; carol | ROLE_OPERATOR" {
		t.Errorf("after PUT: %s", got)
	}
	// Concurrent adds of the same and different users: no lost update,
	// no duplicate row error.
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := []string{"bob", "carol", "dave", "alice"}[i%4]
			if r := s.do("PATCH", "/scim/v2/Groups/ROLE_ADMIN", patchBody(`{"op":"add","path":"members","value":[{"value":"`+u+`"}]}`)); r.Status != http.StatusNoContent {
				errs <- r.Raw
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent add: %s", e)
	}
	if got := s.count("SELECT COUNT(*) FROM authorities WHERE authority = 'ROLE_ADMIN'"); got != 4 {
		t.Errorf("admins after concurrent adds: %d (%s)", got, rows())
	}
}

const valueGroupsEnum = `
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(64) NOT NULL,
  role ENUM('admin','editor','viewer') NOT NULL DEFAULT 'viewer'
);
INSERT INTO users (id, login, role) VALUES (1, 'ann', 'admin'), (2, 'ben', 'viewer'), (3, 'cat', 'editor');
`

const valueGroupsEnumMapping = `
User:
  table: users
  attributes: {userName: login}
  ignoreDeactivation: true
Group:
  values:
    - {value: admin, displayName: Administrators}
    - {value: editor, displayName: Editors}
  members: {userColumn: role, whenRemoved: viewer}
`

// TestValueGroupsEnumColumn: one group per user in an ENUM column; a user
// who leaves falls back to the application's default role, which is no
// declared group.
func TestValueGroupsEnumColumn(t *testing.T) {
	s := newSidecarText(t, valueGroupsEnum, valueGroupsEnumMapping)
	role := func() string { return strings.Join(s.Rows("SELECT login, role FROM users ORDER BY id"), "; ") }
	if got := userGroups(t, s, "/scim/v2/Users/1"); !slices.Equal(got, []string{"admin"}) {
		t.Errorf("ann's groups: %q", got)
	}
	if r := s.do("PATCH", "/scim/v2/Groups/editor", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`)); r.Status != http.StatusNoContent {
		t.Fatalf("add: %d %s", r.Status, r.Raw)
	}
	if r := s.do("PATCH", "/scim/v2/Groups/admin", patchBody(`{"op":"remove","path":"members","value":[{"value":"1"},{"value":"3"}]}`)); r.Status != http.StatusNoContent {
		t.Fatalf("remove: %d %s", r.Status, r.Raw)
	}
	// cat is an editor, not an admin: removing her from admin leaves her.
	if got := role(); got != "ann | viewer; ben | editor; cat | editor" {
		t.Errorf("roles: %s", got)
	}
	r := s.do("GET", "/scim/v2/Groups/editor", nil)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "2,3" {
		t.Errorf("editors: %d %s", r.Status, r.Raw)
	}
	// /Schemas and /ResourceTypes say what the Group is.
	r = s.do("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group", nil)
	if r.Status != 200 || !strings.Contains(r.Raw, `"displayName"`) || !strings.Contains(r.Raw, `"members"`) {
		t.Errorf("schema: %d %s", r.Status, r.Raw)
	}
	if r := s.do("GET", "/scim/v2/ResourceTypes/Group", nil); r.Status != 200 {
		t.Errorf("resource type: %d %s", r.Status, r.Raw)
	}
}

// TestConcurrentValueGroupPatches: concurrent PATCHes of several declared
// groups, a PUT and the user's own roles, all on one user's JSON list, on
// one and two replicas: every change is kept (each list is rewritten under
// its row lock) and the undeclared tokens stay.
func TestConcurrentValueGroupPatches(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	dir := t.TempDir()
	schema, mapping := filepath.Join(dir, "schema.sql"), filepath.Join(dir, "mapping.yaml")
	var values strings.Builder
	for i := range 6 {
		fmt.Fprintf(&values, "    - {value: ROLE_G%d, displayName: G%d}\n", i, i)
	}
	m := strings.Replace(valueGroupsSymfonyMapping, "    - {value: ROLE_EDITOR, displayName: Editors}\n", "    - {value: ROLE_EDITOR, displayName: Editors}\n"+values.String(), 1)
	if err := os.WriteFile(schema, []byte(valueGroupsSymfony), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mapping, []byte(m), 0o600); err != nil {
		t.Fatal(err)
	}
	forReplicas(t, schema, mapping, func(t *testing.T, s []*sidecar) {
		if _, err := s[0].db.Exec(`UPDATE app_user SET roles = '["ROLE_SUPER","ROLE_USER"]' WHERE id = 2`); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var failed []string
		hammer(9, func(i int) {
			var r response
			switch {
			case i < 6:
				r = s[i%len(s)].do("PATCH", fmt.Sprintf("/scim/v2/Groups/ROLE_G%d", i), patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`))
			case i == 6:
				r = s[i%len(s)].do("PUT", "/scim/v2/Groups/ROLE_EDITOR", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Editors","members":[{"value":"1"},{"value":"2"}]}`)
			case i == 7:
				r = s[i%len(s)].do("PATCH", "/scim/v2/Groups/ROLE_ADMIN", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`))
			default:
				r = s[i%len(s)].do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"remove","path":"roles[value eq \"ROLE_USER\"]"}`))
			}
			if r.Status >= 300 {
				mu.Lock()
				defer mu.Unlock()
				failed = append(failed, fmt.Sprintf("%d: %d %s", i, r.Status, r.Raw))
			}
		})
		if len(failed) > 0 {
			t.Fatalf("failed: %q", failed)
		}
		got := userGroups(t, s[0], "/scim/v2/Users/2")
		want := []string{"ROLE_ADMIN", "ROLE_EDITOR", "ROLE_G0", "ROLE_G1", "ROLE_G2", "ROLE_G3", "ROLE_G4", "ROLE_G5"}
		if !slices.Equal(got, want) {
			t.Errorf("groups: %q; column %s", got, s[0].column("roles", "2"))
		}
		if roles := listValues(s[0].do("GET", "/scim/v2/Users/2", nil).Body, "roles"); len(roles) != 0 || !strings.Contains(s[0].column("roles", "2"), `"ROLE_SUPER"`) {
			t.Errorf("roles: %q; column %s", roles, s[0].column("roles", "2"))
		}
	})
}

// TestFaultValueGroupCommitAnswerLost: a membership change of a declared
// group whose COMMIT's answer is lost has committed; the sidecar finds
// that out and answers with its success.
func TestFaultValueGroupCommitAnswerLost(t *testing.T) {
	dir := t.TempDir()
	schema, mapping := filepath.Join(dir, "schema.sql"), filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(schema, []byte(valueGroupsSpring), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mapping, []byte(valueGroupsSpringMapping), 0o600); err != nil {
		t.Fatal(err)
	}
	s, p, _ := faultSidecarOn(t, schema, mapping, nil)
	for _, c := range []struct{ name, method, path, body, stored string }{
		{"patch", "PATCH", "/scim/v2/Groups/ROLE_ADMIN", patchBody(`{"op":"add","path":"members","value":[{"value":"bob"}]}`, `{"op":"remove","path":"members[value eq \"alice\"]"}`),
			"SELECT GROUP_CONCAT(username ORDER BY username) = 'bob' FROM authorities WHERE authority = 'ROLE_ADMIN'"},
		{"put", "PUT", "/scim/v2/Groups/ROLE_USER", `{"displayName":"Users","members":[{"value":"carol"}]}`,
			"SELECT GROUP_CONCAT(username ORDER BY username) = 'carol' FROM authorities WHERE authority = 'ROLE_USER'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			hit := p.On("\x03COMMIT", faultproxy.LoseAnswer)
			r := s.do(c.method, c.path, c.body)
			select {
			case <-hit:
			default:
				p.ClearRules()
				t.Fatalf("the request never sent COMMIT (status %d %s)", r.Status, r.Raw)
			}
			if stored := s.count(c.stored) == 1; !stored || r.Status >= 300 {
				t.Fatalf("status %d %s, stored %v; want success, stored", r.Status, r.Raw, stored)
			}
		})
	}
}
