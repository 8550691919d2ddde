package scim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// groupIDs returns the ids of a list response's resources, in order.
func groupIDs(t testing.TB, r response) []string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Raw)
	}
	var out []string
	res, _ := r.Body["Resources"].([]any)
	for _, e := range res {
		out = append(out, e.(map[string]any)["id"].(string))
	}
	return out
}

// userGroups returns the values of a user's groups attribute.
func userGroups(t testing.TB, s *sidecar, path string) []string {
	t.Helper()
	r := s.do("GET", path, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Raw)
	}
	return listValues(r.Body, "groups")
}

// TestListGroupsJSON: Symfony's JSON roles array holds both the SCIM
// roles (ROLE_USER) and the groups (rows of app_role, referred to by
// name), and each keeps the other's tokens; Okta's and Entra's membership
// requests rewrite exactly the user's column.
func TestListGroupsJSON(t *testing.T) {
	s := newSidecar(t, "testdata/listgroups_schema.sql", "testdata/listgroups_mapping.yaml")
	col := func(id string) string { return s.column("roles", id) }

	// Members are the users whose list holds the group's name exactly:
	// not ROLE_ADMINX, role_admin, or a list that cannot be read.
	r := s.do("GET", "/scim/v2/Groups/1", nil)
	if r.Status != 200 || r.Body["displayName"] != "ROLE_ADMIN" || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("admins: %d %s", r.Status, r.Raw)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups", nil)); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("groups: %q", got)
	}
	if got := userGroups(t, s, "/scim/v2/Users/3"); !slices.Equal(got, []string{"2"}) {
		t.Errorf("groups of user 3: %q", got)
	}
	if got := userGroups(t, s, "/scim/v2/Users/4"); len(got) != 0 {
		t.Errorf("groups of the unreadable user 4: %q", got)
	}
	// The roles attribute shows only its own values.
	if got := listValues(s.do("GET", "/scim/v2/Users/1", nil).Body, "roles"); !slices.Equal(got, []string{"ROLE_USER"}) {
		t.Errorf("roles of user 1: %q", got)
	}

	// Okta adds a member.
	r = s.do("PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`))
	if r.Status != http.StatusNoContent {
		t.Fatalf("Okta add: %d %s", r.Status, r.Raw)
	}
	if got := col("1"); got != `["ROLE_ADMIN","ROLE_USER","ROLE_EDITOR"]` {
		t.Errorf("after Okta's add: %s", got)
	}
	// Entra adds with a capitalised op; adding again changes nothing.
	r = s.do("PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"Add","path":"members","value":[{"value":"1"},{"value":"2"}]}`))
	if r.Status != http.StatusNoContent || col("1") != `["ROLE_ADMIN","ROLE_USER","ROLE_EDITOR"]` || col("2") != `["ROLE_USER","ROLE_EDITOR"]` {
		t.Errorf("Entra add: %d %s; %s %s", r.Status, r.Raw, col("1"), col("2"))
	}
	// A member that is no user: 400 and nothing written.
	r = s.do("PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"99"}]}`))
	if r.Status != http.StatusBadRequest || col("2") != `["ROLE_USER","ROLE_EDITOR"]` {
		t.Errorf("unknown member: %d %s; %s", r.Status, r.Raw, col("2"))
	}
	// Entra removes by value.
	r = s.do("PATCH", "/scim/v2/Groups/1", patchBody(`{"op":"Remove","path":"members","value":[{"value":"1"}]}`))
	if r.Status != http.StatusNoContent || col("1") != `["ROLE_USER","ROLE_EDITOR"]` {
		t.Errorf("Entra remove: %d %s; %s", r.Status, r.Raw, col("1"))
	}
	// A filter on members and on groups.
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "2"`), nil)); !slices.Equal(got, []string{"2"}) {
		t.Errorf("groups with member 2: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "2"`), nil)); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("users in group 2: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "4"`), nil)); len(got) != 0 {
		t.Errorf("groups with the unreadable member 4: %q", got)
	}
	// PUT replaces the members: user 3 leaves, 2 stays, 1 leaves, and
	// the near misses in user 3's list stay as they were.
	r = s.do("PUT", "/scim/v2/Groups/2", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ROLE_EDITOR","members":[{"value":"2"}]}`)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "2" {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if col("1") != `["ROLE_USER"]` || col("2") != `["ROLE_USER","ROLE_EDITOR"]` || col("3") != `["ROLE_ADMINX","role_admin"]` {
		t.Errorf("after PUT: %s | %s | %s", col("1"), col("2"), col("3"))
	}
	// The user's own roles change beside the groups, keeping them.
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"roles","value":[{"value":"ROLE_SUPPORT"}]}`))
	if r.Status != 200 || col("2") != `["ROLE_EDITOR","ROLE_SUPPORT"]` {
		t.Errorf("roles replace: %d %s; %s", r.Status, r.Raw, col("2"))
	}
	if got := listValues(r.Body, "groups"); !slices.Equal(got, []string{"2"}) {
		t.Errorf("groups in the PATCH answer: %q (%s)", got, r.Raw)
	}
	// A list that cannot be read is never overwritten.
	r = s.do("PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"add","path":"members","value":[{"value":"4"}]}`))
	if r.Status != http.StatusInternalServerError || col("4") != `["ROLE_ADMIN",` {
		t.Errorf("add to an unreadable list: %d %s; %s", r.Status, r.Raw, col("4"))
	}
	// POST makes the group's row and adds its members to their lists.
	r = s.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ROLE_NEW","members":[{"value":"2"}]}`)
	if r.Status != http.StatusCreated || col("2") != `["ROLE_EDITOR","ROLE_SUPPORT","ROLE_NEW"]` {
		t.Errorf("POST: %d %s; %s", r.Status, r.Raw, col("2"))
	}
	// Deleting a group takes its name out of every list.
	if r := s.do("DELETE", "/scim/v2/Groups/2", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if col("2") != `["ROLE_SUPPORT","ROLE_NEW"]` {
		t.Errorf("after the group's delete: %s", col("2"))
	}
}

// TestListGroupsDelimited: Mattermost's space-separated Users.Roles,
// with groups as rows of Roles referred to by name.
func TestListGroupsDelimited(t *testing.T) {
	s := newSidecar(t, "testdata/listgroups_schema.sql", "testdata/listgroups_mm_mapping.yaml")
	col := func(id string) string {
		return s.row("SELECT Roles FROM Users WHERE Id = ?", id)["Roles"]
	}
	r := s.do("GET", "/scim/v2/Groups/r1", nil)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "u1" {
		t.Fatalf("system admins: %d %s", r.Status, r.Raw)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "u3"`), nil)); len(got) != 0 {
		t.Errorf("near misses are members: %q", got)
	}
	r = s.do("PATCH", "/scim/v2/Groups/r2", patchBody(`{"op":"add","path":"members","value":[{"value":"u1"},{"value":"u3"}]}`))
	if r.Status != http.StatusNoContent || col("u1") != "system_user system_admin channel_moderator" || col("u3") != "xsystem_admin system_adminx SYSTEM_ADMIN channel_moderator" {
		t.Fatalf("add: %d %s; %q %q", r.Status, r.Raw, col("u1"), col("u3"))
	}
	r = s.do("PATCH", "/scim/v2/Groups/r1", patchBody(`{"op":"Remove","path":"members","value":[{"value":"u1"}]}`))
	if r.Status != http.StatusNoContent || col("u1") != "system_user channel_moderator" {
		t.Fatalf("remove: %d %s; %q", r.Status, r.Raw, col("u1"))
	}
	r = s.do("PATCH", "/scim/v2/Groups/r1", patchBody(`{"op":"add","path":"members","value":[{"value":"u2"}]}`))
	if r.Status != http.StatusNoContent || col("u2") != "system_user system_admin" {
		t.Fatalf("add to bob: %d %s; %q", r.Status, r.Raw, col("u2"))
	}
	if got := userGroups(t, s, "/scim/v2/Users/u2"); !slices.Equal(got, []string{"r1"}) {
		t.Errorf("bob's groups: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "r2"`), nil)); !slices.Equal(got, []string{"u1", "u3"}) {
		t.Errorf("users in r2: %q", got)
	}
	// Okta's PATCH replace of the members.
	r = s.do("PATCH", "/scim/v2/Groups/r2", patchBody(`{"op":"replace","path":"members","value":[{"value":"u2"}]}`))
	if r.Status != http.StatusNoContent || col("u1") != "system_user" || col("u2") != "system_user system_admin channel_moderator" || col("u3") != "xsystem_admin system_adminx SYSTEM_ADMIN" {
		t.Fatalf("replace: %d %s; %q %q %q", r.Status, r.Raw, col("u1"), col("u2"), col("u3"))
	}
	// Renaming the group's reference renames it in every list.
	r = s.do("PATCH", "/scim/v2/Groups/r2", patchBody(`{"op":"replace","path":"displayName","value":"chan_mod"}`))
	if r.Status != http.StatusNoContent || col("u2") != "system_user system_admin chan_mod" || col("u1") != "system_user" {
		t.Fatalf("rename: %d %s; %q %q", r.Status, r.Raw, col("u1"), col("u2"))
	}
	// Deleting a group takes its name out of every list, near misses
	// left as they were.
	if r := s.do("DELETE", "/scim/v2/Groups/r1", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if col("u2") != "system_user chan_mod" || col("u3") != "xsystem_admin system_adminx SYSTEM_ADMIN" {
		t.Errorf("after delete: %q %q", col("u2"), col("u3"))
	}
}

// TestConcurrentListGroupPatches: PATCHes adding different groups to one
// user and a PUT of another group's members, on two replicas, beside
// PATCHes of that user's own roles held in the same column: no change is
// lost.
func TestConcurrentListGroupPatches(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/listgroups_schema.sql", "testdata/listgroups_mapping.yaml", func(t *testing.T, s []*sidecar) {
		for i := 4; i <= 9; i++ {
			if _, err := s[0].db.Exec(fmt.Sprintf("INSERT INTO app_role (id, name, label) VALUES (%d, 'ROLE_G%d', 'G%d')", i, i, i)); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		var failed []string
		hammer(9, func(i int) {
			var r response
			switch {
			case i < 6:
				r = s[i%len(s)].do("PATCH", fmt.Sprintf("/scim/v2/Groups/%d", i+4), patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`))
			case i == 8:
				r = s[i%len(s)].do("PUT", "/scim/v2/Groups/3", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ROLE_AUDITOR","members":[{"value":"1"},{"value":"2"}]}`)
			case i == 6:
				r = s[i%len(s)].do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"roles","value":[{"value":"ROLE_SUPPORT"}]}`))
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
		slices.Sort(got)
		if !slices.Equal(got, []string{"3", "4", "5", "6", "7", "8", "9"}) {
			t.Errorf("groups: %q; column %s", got, s[0].column("roles", "2"))
		}
		if roles := listValues(s[0].do("GET", "/scim/v2/Users/2", nil).Body, "roles"); !slices.Equal(roles, []string{"ROLE_SUPPORT"}) {
			t.Errorf("roles: %q; column %s", roles, s[0].column("roles", "2"))
		}
	})
}

// TestSoftDeletedUserLeavesItsListGroups soft-deletes a user whose groups
// are tokens of its own roles list: the groups' tokens leave with the
// mark, the user's roles and unknown tokens stay.
func TestSoftDeletedUserLeavesItsListGroups(t *testing.T) {
	schema, err := os.ReadFile("testdata/listgroups_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	mapping, err := os.ReadFile("testdata/listgroups_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := newSidecarText(t, string(schema)+"\nALTER TABLE app_user ADD COLUMN gone TINYINT NOT NULL DEFAULT 0;\nUPDATE app_user SET roles = '[\"ROLE_ADMIN\",\"ROLE_X\",\"ROLE_USER\",\"ROLE_EDITOR\"]' WHERE id = 1;\n",
		strings.Replace(string(mapping), "  delete: hard\n", "  delete: {mark: {column: gone, value: 1}}\n", 1))
	if r := s.do("DELETE", "/scim/v2/Users/1", nil); r.Status != 204 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT roles, gone FROM app_user WHERE id = 1"); row["roles"] != `["ROLE_X","ROLE_USER"]` || row["gone"] != "1" {
		t.Errorf("soft-deleted user: %v", row)
	}
	// With memberships: keep, the list stays as it was, and no group
	// lists the deleted user.
	s = newSidecarText(t, string(schema)+"\nALTER TABLE app_user ADD COLUMN gone TINYINT NOT NULL DEFAULT 0;\n",
		strings.Replace(string(mapping), "  delete: hard\n", "  delete: {mark: {column: gone, value: 1}, memberships: keep}\n", 1))
	if r := s.do("DELETE", "/scim/v2/Users/1", nil); r.Status != 204 {
		t.Fatalf("DELETE keeping memberships: %d %s", r.Status, r.Raw)
	}
	if got := s.column("roles", "1"); got != `["ROLE_ADMIN","ROLE_USER"]` {
		t.Errorf("kept memberships: %s", got)
	}
	if r := s.do("GET", "/scim/v2/Groups/1", nil); r.Status != 200 || len(memberIDs(t, r.Body)) != 0 {
		t.Errorf("group of a deleted user: %d %s", r.Status, r.Raw)
	}
}

// TestListGroupsPHP: a PHP-serialized capabilities array, which SQL
// cannot search: a group's members, and filters by members or groups,
// are found by decoding every user's list, and changes keep the array's
// other keys and values.
func TestListGroupsPHP(t *testing.T) {
	s := newSidecarText(t, `
CREATE TABLE wp_users (ID INT NOT NULL AUTO_INCREMENT PRIMARY KEY, user_login VARCHAR(60) NOT NULL, caps LONGTEXT NULL) DEFAULT CHARSET=utf8mb4;
CREATE TABLE wp_roles (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, slug VARCHAR(60) NOT NULL) DEFAULT CHARSET=utf8mb4;
INSERT INTO wp_roles (id, slug) VALUES (1, 'administrator'), (2, 'editor');
INSERT INTO wp_users (ID, user_login, caps) VALUES
  (1, 'admin', 'a:2:{s:13:"administrator";b:1;s:6:"editor";b:0;}'),
  (2, 'ed', 'a:1:{s:10:"subscriber";b:1;}'),
  (3, 'nobody', NULL);
`, `
User:
  table: wp_users
  id: {column: ID}
  attributes:
    userName: user_login
  delete: hard
  ignoreDeactivation: true
Group:
  table: wp_roles
  attributes:
    displayName: slug
  members: {userColumn: caps, list: php, references: slug}
`)
	col := func(id string) string { return s.row("SELECT caps FROM wp_users WHERE ID = ?", id)["caps"] }
	r := s.do("GET", "/scim/v2/Groups/1", nil)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("administrators: %d %s", r.Status, r.Raw)
	}
	// editor's key is false for user 1: no member.
	r = s.do("GET", "/scim/v2/Groups/2", nil)
	if r.Status != 200 || len(memberIDs(t, r.Body)) != 0 {
		t.Fatalf("editors: %d %s", r.Status, r.Raw)
	}
	// editor's false value is no membership; neither is the undeclared
	// subscriber.
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "1"`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("groups with member 1: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members pr`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("groups with members: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "1"`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("users in group 1: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`not (groups pr)`), nil)); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("users in no group: %q", got)
	}
	r = s.do("PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"},{"value":"3"}]}`))
	if r.Status != http.StatusNoContent {
		t.Fatalf("add: %d %s", r.Status, r.Raw)
	}
	if col("1") != `a:2:{s:13:"administrator";b:1;s:6:"editor";b:1;}` || col("2") != `a:2:{s:10:"subscriber";b:1;s:6:"editor";b:1;}` || col("3") != `a:1:{s:6:"editor";b:1;}` {
		t.Errorf("after add: %q %q %q", col("1"), col("2"), col("3"))
	}
	if got := userGroups(t, s, "/scim/v2/Users/1"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("groups of user 1: %q", got)
	}
	r = s.do("PATCH", "/scim/v2/Groups/1", patchBody(`{"op":"Remove","path":"members","value":[{"value":"1"}]}`))
	if r.Status != http.StatusNoContent || col("1") != `a:1:{s:6:"editor";b:1;}` {
		t.Errorf("remove: %d %s; %q", r.Status, r.Raw, col("1"))
	}
}
