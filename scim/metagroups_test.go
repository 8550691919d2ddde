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

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// Memberships held as a list in a key/value entry (members: {meta, list}):
// WordPress's wp_usermeta row wp_capabilities.

const metaGroupsSchema = `
CREATE TABLE wp_users (
  ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_login VARCHAR(60) NOT NULL DEFAULT '',
  gone TINYINT NOT NULL DEFAULT 0
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
CREATE TABLE wp_usermeta (
  umeta_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  meta_key VARCHAR(255) DEFAULT NULL,
  meta_value LONGTEXT,
  KEY user_id (user_id),
  KEY meta_key (meta_key(191))
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
INSERT INTO wp_users (ID, user_login) VALUES (1, 'admin'), (2, 'sub'), (3, 'nobody');
INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES
  (1, 'wp_capabilities', 'a:1:{s:13:"administrator";b:1;}'),
  (1, 'first_name', 'Ada'),
  (2, 'wp_capabilities', 'a:2:{s:10:"subscriber";b:1;s:13:"wpseo_manager";b:1;}'),
  (3, 'first_name', 'No');
`

const metaGroupsMapping = `
User:
  table: wp_users
  id: {column: ID}
  metaTable: {table: wp_usermeta, parent: user_id, key: meta_key, value: meta_value}
  attributes:
    userName: user_login
    name.givenName: {meta: first_name}
  delete: hard
  ignoreDeactivation: true
Group:
  values:
    - {value: administrator, displayName: Administrator}
    - {value: editor, displayName: Editor}
    - {value: subscriber, displayName: Subscriber}
  members: {meta: wp_capabilities, list: php}
`

// metaCaps is user id's wp_capabilities entries, joined by " | ", or
// "none".
func metaCaps(s *sidecar, id string) string {
	got := s.Rows("SELECT meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key = 'wp_capabilities' ORDER BY umeta_id", id)
	if len(got) == 0 {
		return "none"
	}
	return strings.Join(got, " | ")
}

// TestMetaGroupsValuesPHP: WordPress roles as groups declared by values,
// held in the PHP-serialized wp_capabilities entry: members are read by
// decoding the entries, changes rewrite the entry (inserting it for a
// user who has none, keeping the empty array when the last role goes),
// other keys and entries are kept, and a hard delete removes the entry.
func TestMetaGroupsValuesPHP(t *testing.T) {
	s := newSidecarText(t, metaGroupsSchema, metaGroupsMapping)
	r := s.do("GET", "/scim/v2/Groups/administrator", nil)
	if r.Status != 200 || r.Body["displayName"] != "Administrator" || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("administrators: %d %s", r.Status, r.Raw)
	}
	if got := userGroups(t, s, "/scim/v2/Users/2"); !slices.Equal(got, []string{"subscriber"}) {
		t.Errorf("groups of user 2: %q", got)
	}
	if got := userGroups(t, s, "/scim/v2/Users/3"); len(got) != 0 {
		t.Errorf("groups of user 3 (no entry): %q", got)
	}
	// Okta adds to a user with an entry and to one without.
	if r := s.do("PATCH", "/scim/v2/Groups/editor", patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"3"}]}`)); r.Status != http.StatusNoContent {
		t.Fatalf("add: %d %s", r.Status, r.Raw)
	}
	if metaCaps(s, "1") != `a:2:{s:13:"administrator";b:1;s:6:"editor";b:1;}` || metaCaps(s, "3") != `a:1:{s:6:"editor";b:1;}` {
		t.Errorf("after add: %s / %s", metaCaps(s, "1"), metaCaps(s, "3"))
	}
	if got := userGroups(t, s, "/scim/v2/Users/1"); !slices.Equal(got, []string{"administrator", "editor"}) {
		t.Errorf("groups of user 1: %q", got)
	}
	// Filters decode every user's entry: a PHP array cannot be searched
	// in SQL.
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "editor"`), nil)); !slices.Equal(got, []string{"1", "3"}) {
		t.Errorf("users in editor: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "editor" and userName eq "nobody"`), nil)); !slices.Equal(got, []string{"3"}) {
		t.Errorf("editors named nobody: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "3"`), nil)); !slices.Equal(got, []string{"editor"}) {
		t.Errorf("groups with member 3: %q", got)
	}
	// An unknown member: 400, nothing written.
	r = s.do("PATCH", "/scim/v2/Groups/administrator", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"99"}]}`))
	if r.Status != http.StatusBadRequest || metaCaps(s, "2") != `a:2:{s:10:"subscriber";b:1;s:13:"wpseo_manager";b:1;}` {
		t.Errorf("unknown member: %d %s; %s", r.Status, r.Raw, metaCaps(s, "2"))
	}
	// Entra removes the last role: the empty array stays, as WordPress's
	// remove_role() leaves it.
	if r := s.do("PATCH", "/scim/v2/Groups/editor", patchBody(`{"op":"Remove","path":"members","value":[{"value":"3"}]}`)); r.Status != http.StatusNoContent || metaCaps(s, "3") != `a:0:{}` {
		t.Errorf("remove: %d %s; %s", r.Status, r.Raw, metaCaps(s, "3"))
	}
	// PUT replaces the members, keeping the plugin's capability.
	r = s.do("PUT", "/scim/v2/Groups/subscriber", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Subscriber","members":[{"value":"1"}]}`)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if metaCaps(s, "2") != `a:1:{s:13:"wpseo_manager";b:1;}` || metaCaps(s, "1") != `a:3:{s:13:"administrator";b:1;s:6:"editor";b:1;s:10:"subscriber";b:1;}` {
		t.Errorf("after PUT: %s / %s", metaCaps(s, "1"), metaCaps(s, "2"))
	}
	if got := s.Rows("SELECT meta_value FROM wp_usermeta WHERE meta_key = 'first_name' ORDER BY user_id"); strings.Join(got, ",") != "Ada,No" {
		t.Errorf("other entries: %q", got)
	}
	// Hard delete: the entry goes with the user.
	if r := s.do("DELETE", "/scim/v2/Users/1", nil); r.Status != http.StatusNoContent || metaCaps(s, "1") != "none" {
		t.Errorf("delete: %d %s; %s", r.Status, r.Raw, metaCaps(s, "1"))
	}
	if r := s.do("GET", "/scim/v2/Groups/administrator", nil); r.Status != 200 || len(memberIDs(t, r.Body)) != 0 {
		t.Errorf("administrators after delete: %d %s", r.Status, r.Raw)
	}
}

// TestMetaGroupsSoftDelete: a soft-deleted user leaves the declared
// groups of its entry and keeps the other capabilities.
func TestMetaGroupsSoftDelete(t *testing.T) {
	s := newSidecarText(t, metaGroupsSchema+"UPDATE wp_usermeta SET meta_value = 'a:2:{s:10:\"subscriber\";b:1;s:13:\"wpseo_manager\";b:1;}' WHERE user_id = 1 AND meta_key = 'wp_capabilities';",
		strings.Replace(metaGroupsMapping, "delete: hard", "delete: {mark: {column: gone, value: 1}}", 1))
	if r := s.do("DELETE", "/scim/v2/Users/1", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if got := metaCaps(s, "1"); got != `a:1:{s:13:"wpseo_manager";b:1;}` {
		t.Errorf("entry after the soft delete: %s", got)
	}
}

// TestMetaGroupsTableJSON: groups that are rows of a table, referred to
// by name in a JSON array held in a key/value entry, shared with a roles
// attribute owning other values. SQL searches the entry, so filters by
// members and groups work.
func TestMetaGroupsTableJSON(t *testing.T) {
	s := newSidecarText(t, metaGroupsSchema+`
CREATE TABLE app_role (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(60) NOT NULL UNIQUE) DEFAULT CHARSET=utf8mb4;
INSERT INTO app_role (id, name) VALUES (1, 'ROLE_ADMIN'), (2, 'ROLE_EDITOR');
INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (1, 'roles', '["ROLE_ADMIN","ROLE_USER"]'), (2, 'roles', '["ROLE_USER","ROLE_ADMINX"]');
`, `
User:
  table: wp_users
  id: {column: ID}
  metaTable: {table: wp_usermeta, parent: user_id, key: meta_key, value: meta_value}
  attributes:
    userName: user_login
    roles: {meta: roles, list: {encoding: json, values: [ROLE_USER]}}
  delete: hard
  ignoreDeactivation: true
Group:
  table: app_role
  attributes:
    displayName: name
  members: {meta: roles, list: json, references: name}
`)
	entry := func(id string) string {
		return strings.Join(s.Rows("SELECT meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key = 'roles'", id), " | ")
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "1"`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("users in group 1: %q", got)
	}
	if r := s.do("PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"3"}]}`)); r.Status != http.StatusNoContent {
		t.Fatalf("add: %d %s", r.Status, r.Raw)
	}
	if entry("2") != `["ROLE_USER","ROLE_ADMINX","ROLE_EDITOR"]` || entry("3") != `["ROLE_EDITOR"]` {
		t.Errorf("after add: %s / %s", entry("2"), entry("3"))
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "3"`), nil)); !slices.Equal(got, []string{"2"}) {
		t.Errorf("groups with member 3: %q", got)
	}
	if got := userGroups(t, s, "/scim/v2/Users/2"); !slices.Equal(got, []string{"2"}) {
		t.Errorf("groups of user 2: %q", got)
	}
	// The roles attribute keeps its own values beside the groups'.
	if r := s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"remove","path":"roles"}`)); r.Status != 200 {
		t.Fatalf("roles remove: %d %s", r.Status, r.Raw)
	}
	if entry("2") != `["ROLE_ADMINX","ROLE_EDITOR"]` {
		t.Errorf("after the roles' removal: %s", entry("2"))
	}
	// Renaming the group moves its token.
	if r := s.do("PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"replace","path":"displayName","value":"ROLE_WRITER"}`)); r.Status >= 300 {
		t.Fatalf("rename: %d %s", r.Status, r.Raw)
	}
	if entry("2") != `["ROLE_ADMINX","ROLE_WRITER"]` {
		t.Errorf("after the rename: %s", entry("2"))
	}
	// Deleting the group takes its token out of every entry.
	if r := s.do("DELETE", "/scim/v2/Groups/2", nil); r.Status != http.StatusNoContent || entry("2") != `["ROLE_ADMINX"]` || entry("3") != `[]` {
		t.Errorf("group delete: %d %s; %s / %s", r.Status, r.Raw, entry("2"), entry("3"))
	}
}

// TestConcurrentMetaGroupPatches: PATCHes adding different groups to one
// user whose entry does not exist yet, and to one whose entry the User's
// own roles attribute (owning the plugin's roles) changes at the same
// time, on two replicas: no change is lost, and each user ends with one
// entry.
func TestConcurrentMetaGroupPatches(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	dir := t.TempDir()
	var b strings.Builder
	m := strings.Replace(metaGroupsMapping, "  values:\n", "  values:\n    - {value: author, displayName: Author}\n    - {value: contributor, displayName: Contributor}\n", 1)
	m = strings.Replace(m, "    name.givenName: {meta: first_name}\n", "    name.givenName: {meta: first_name}\n    roles: {meta: wp_capabilities, list: {encoding: php, values: [wpseo_manager, shop_manager, translator]}}\n", 1)
	b.WriteString(m)
	sf, mf := filepath.Join(dir, "schema.sql"), filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(sf, []byte(metaGroupsSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mf, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	groups := []string{"administrator", "editor", "subscriber", "author", "contributor"}
	forReplicas(t, sf, mf, func(t *testing.T, s []*sidecar) {
		var mu sync.Mutex
		var failed []string
		hammer(2*len(groups)+3, func(i int) {
			var r response
			switch {
			case i == 2*len(groups):
				r = s[i%len(s)].do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"roles","value":[{"value":"shop_manager"}]}`))
			case i == 2*len(groups)+1:
				r = s[i%len(s)].do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"roles","value":[{"value":"translator"}]}`))
			case i == 2*len(groups)+2:
				r = s[i%len(s)].do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"remove","path":"roles[value eq \"wpseo_manager\"]"}`))
			default:
				user := []string{"2", "3"}[i/len(groups)]
				r = s[i%len(s)].do("PATCH", "/scim/v2/Groups/"+groups[i%len(groups)], patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, user)))
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
		for _, u := range []string{"2", "3"} {
			got := userGroups(t, s[0], "/scim/v2/Users/"+u)
			slices.Sort(got)
			if want := slices.Sorted(slices.Values(groups)); !slices.Equal(got, want) {
				t.Errorf("groups of %s: %q; entry %s", u, got, metaCaps(s[0], u))
			}
			if n := len(s[0].Rows("SELECT umeta_id FROM wp_usermeta WHERE user_id = ? AND meta_key = 'wp_capabilities'", u)); n != 1 {
				t.Errorf("user %s has %d entries: %s", u, n, metaCaps(s[0], u))
			}
		}
		roles := listValues(s[0].do("GET", "/scim/v2/Users/2", nil).Body, "roles")
		slices.Sort(roles)
		if !slices.Equal(roles, []string{"shop_manager", "translator"}) {
			t.Errorf("roles of 2: %q; entry %s", roles, metaCaps(s[0], "2"))
		}
	})
}
