package wordpress_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The people schema.sql creates, by wp_users.ID.
const (
	admin = "1" // admin, administrator
	jdoe  = "2" // jdoe, editor and a plugin's role
	mark  = "3" // mark.smith, no role for this site
)

// userRow shows the wp_users columns of one user but the password hash and
// the registration time, which are checked on their own.
const userRow = `SELECT user_login, user_nicename, user_email, user_url, display_name, user_status, user_activation_key
	FROM wp_users WHERE ID = ?`

// metaRows shows one user's wp_usermeta rows, by key.
const metaRows = `SELECT meta_key, meta_value FROM wp_usermeta WHERE user_id = ? ORDER BY meta_key, umeta_id`

// seeded reads every row schema.sql created, for the users given; the
// rows that a test must find unchanged.
func seeded(s *exampletest.Sidecar, ids ...string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, s.Rows(`SELECT ID, user_login, user_pass, user_nicename, user_email, user_url, user_registered,
			user_activation_key, user_status, display_name FROM wp_users WHERE ID = ?`, id)...)
		out = append(out, s.Rows(`SELECT umeta_id, meta_key, meta_value FROM wp_usermeta WHERE user_id = ? ORDER BY umeta_id`, id)...)
	}
	return out
}

// checkRegistered checks that user_registered is a time of the last
// minute, in UTC as WordPress writes it.
func checkRegistered(t *testing.T, s *exampletest.Sidecar, step, id string) {
	t.Helper()
	v := s.Value(`SELECT user_registered FROM wp_users WHERE ID = ?`, id)
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		ts, err = time.Parse(time.DateTime, v)
	}
	if err != nil || time.Since(ts) > time.Minute || time.Until(ts) > time.Minute {
		t.Errorf("%s: user_registered %q, want a UTC time of the last minute", step, v)
	}
}

// caps is the query of one user's wp_capabilities rows.
const caps = `SELECT meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key = 'wp_capabilities'`

// groups returns the ids of a User's groups (its roles).
func groups(t *testing.T, u map[string]any) []string {
	t.Helper()
	var out []string
	list, _ := u["groups"].([]any)
	for _, r := range list {
		v, _ := r.(map[string]any)["value"].(string)
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// TestOktaLifecycle replays Okta's SCIM 2.0 app: the lookup by userName,
// the create with a synced password, a group push of two roles, a
// profile push (PUT), a deactivation and its end, which WordPress cannot
// hold, and the matching of WordPress's own users and roles. After every step it checks wp_users
// and wp_usermeta, and that the seeded users' rows are unchanged.
func TestOktaLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	before := seeded(s, admin, jdoe, mark)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "slee"`)+"&startIndex=1&count=1", ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "slee",
		"name": {"givenName": "Sam", "familyName": "Lee"},
		"emails": [{"primary": true, "value": "sam.lee@example.org", "type": "work"}],
		"displayName": "Sam Lee",
		"locale": "en-US",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "Correct-Horse-2024",
		"active": true}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST: the wp_users row", []string{"slee | slee | sam.lee@example.org |  | Sam Lee | 0 | "}, userRow, id)
	s.CheckRows("POST: the names as meta rows, nothing else",
		[]string{"first_name | Sam", "last_name | Lee"}, metaRows, id)
	checkRegistered(t, s, "POST", id)
	hash := s.Value(`SELECT user_pass FROM wp_users WHERE ID = ?`, id)
	if !strings.HasPrefix(hash, "$2a$10$") || bcrypt.CompareHashAndPassword([]byte(hash), []byte("Correct-Horse-2024")) != nil {
		t.Errorf("POST: user_pass %q, want a bcrypt hash of the password", hash)
	}

	// Okta's group push: the role is found by its displayName, and the
	// user added to it; the first role inserts the wp_capabilities row.
	grp := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Author"`)+"&excludedAttributes=members", ""), 1)
	if grp[0]["id"] != "author" {
		t.Errorf("group push lookup: %v", grp[0])
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/author", exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+id+`", "display": "slee"}]}`))
	s.CheckRows("group push: the role as a meta row",
		[]string{"first_name | Sam", "last_name | Lee", `wp_capabilities | a:1:{s:6:"author";b:1;}`}, metaRows, id)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/editor", exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.CheckRows("group push: a second role", []string{`a:2:{s:6:"author";b:1;s:6:"editor";b:1;}`}, caps, id)
	if got := groups(t, s.Must(http.StatusOK, "GET", "/Users/"+id, "")); !slices.Equal(got, []string{"author", "editor"}) {
		t.Errorf("groups of the new user: %v", got)
	}

	// Okta's profile push: a new surname and nickname; the password is not
	// sent again and stays, and so do the roles.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "slee",
		"name": {"givenName": "Sam", "familyName": "Lee-Park"},
		"nickName": "Sammy",
		"emails": [{"primary": true, "value": "sam.lee-park@example.org", "type": "work"}],
		"displayName": "Sam Lee-Park",
		"active": true}`)
	s.CheckRows("PUT: wp_users", []string{"slee | slee | sam.lee-park@example.org |  | Sam Lee-Park | 0 | "}, userRow, id)
	s.CheckRows("PUT: the meta rows",
		[]string{"first_name | Sam", "last_name | Lee-Park", "nickname | Sammy", `wp_capabilities | a:2:{s:6:"author";b:1;s:6:"editor";b:1;}`}, metaRows, id)
	s.CheckRows("PUT: the password kept", []string{hash}, `SELECT user_pass FROM wp_users WHERE ID = ?`, id)

	// WordPress cannot disable an account: the deactivation is accepted
	// and changes nothing (ignoreDeactivation), as does its end.
	beforeDeactivation := append(s.Rows(userRow, id), s.Rows(metaRows, id)...)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	if got := append(s.Rows(userRow, id), s.Rows(metaRows, id)...); !slices.Equal(got, beforeDeactivation) {
		t.Errorf("deactivate: rows changed\n got  %q\n want %q", got, beforeDeactivation)
	}
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	if got := append(s.Rows(userRow, id), s.Rows(metaRows, id)...); !slices.Equal(got, beforeDeactivation) {
		t.Errorf("reactivate: rows changed\n got  %q\n want %q", got, beforeDeactivation)
	}

	// WordPress's users are matched, not created again, case-insensitively
	// as username_exists() does; their groups read from wp_capabilities
	// (jdoe's plugin role is no declared group, mark's array is empty).
	for _, m := range []struct {
		filter, id string
		groups     []string
	}{
		{`userName eq "admin"`, admin, []string{"administrator"}},
		{`userName eq "JDoe"`, jdoe, []string{"editor"}},
		{`userName eq "Mark.Smith"`, mark, nil},
	} {
		got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(m.filter)+"&count=1", ""), 1)
		if got[0]["id"] != m.id || !slices.Equal(groups(t, got[0]), m.groups) {
			t.Errorf("%s: %v, want id %s, groups %v", m.filter, got[0], m.id, m.groups)
		}
	}
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "ADMIN"}`)
	// mark.smith's slug is mark-smith: he is found by his login all the
	// same, and cannot be created twice.
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "mark.smith"}`)
	s.CheckRows("one mark.smith", []string{"1"}, `SELECT COUNT(*) FROM wp_users WHERE user_login = 'mark.smith'`)
	// A serialized array cannot be searched in SQL: filtering users by
	// group decodes every user's wp_capabilities (README.md).
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`groups.value eq "editor"`), ""), 2); got[0]["id"] != jdoe || got[1]["id"] != id {
		t.Errorf("filter on groups: %v", got)
	}
	// The five roles are the groups; the editors are read by decoding
	// every user's wp_capabilities.
	all := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?excludedAttributes=members", ""), 5)
	if all[0]["displayName"] != "Administrator" {
		t.Errorf("GET /Groups: %v", all)
	}
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/editor", "")); !slices.Equal(got, []string{jdoe, id}) {
		t.Errorf("editors: %v", got)
	}
	s.Must(http.StatusBadRequest, "POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Shop Manager"}`)

	if after := seeded(s, admin, jdoe, mark); !slices.Equal(after, before) {
		t.Errorf("WordPress's own rows changed:\n got  %q\n want %q", after, before)
	}
}

// TestEntraLifecycle replays Microsoft Entra ID: the match by userName,
// the create with Entra's body (the string "True", the enterprise
// extension), PATCH updates with capitalised ops, group memberships
// added and removed as value lists, on a new user and on an editor who
// holds a plugin's role too, the disable with the string "False", and the
// delete, which removes every wp_usermeta row as wp_delete_user() does.
func TestEntraLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	before := seeded(s, admin, mark)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.lee"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName": "kim.lee",
		"active": "True",
		"displayName": "Kim Lee",
		"emails": [{"primary": true, "type": "work", "value": "kim.lee@contoso.example"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Newsroom", "employeeNumber": "E-3001"}}`)
	id, _ := created["id"].(string)
	// user_nicename is the login as given: kim.lee, where WordPress's
	// sanitize_title() would write kim-lee (README.md).
	s.CheckRows("POST", []string{"kim.lee | kim.lee | kim.lee@contoso.example |  | Kim Lee | 0 | "}, userRow, id)
	s.CheckRows("POST: meta rows, no role yet", []string{"first_name | Kim", "last_name | Lee"}, metaRows, id)
	checkRegistered(t, s, "POST", id)
	s.CheckRows("POST: no password", []string{""}, `SELECT user_pass FROM wp_users WHERE ID = ?`, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "displayName", "value": "Kim Park"}`,
		`{"op": "Replace", "path": "name.familyName", "value": "Park"}`,
		`{"op": "Add", "path": "nickName", "value": "kimp"}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/contributor", exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.CheckRows("PATCH: wp_users", []string{"kim.lee | kim.lee | kim.lee@contoso.example |  | Kim Park | 0 | "}, userRow, id)
	s.CheckRows("PATCH: meta rows",
		[]string{"first_name | Kim", "last_name | Park", "nickname | kimp", `wp_capabilities | a:1:{s:11:"contributor";b:1;}`}, metaRows, id)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/author", exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/contributor", exampletest.Patch(`{"op": "Remove", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.CheckRows("PATCH groups: contributor to author", []string{`a:1:{s:6:"author";b:1;}`}, caps, id)

	// jdoe is an editor and holds a plugin's role (wpseo_manager). Entra
	// makes her an author: editor goes, author comes, the plugin's role
	// stays where it was; her other meta rows are untouched.
	jdoeBefore := s.Rows(`SELECT umeta_id, meta_key, meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key <> 'wp_capabilities' ORDER BY umeta_id`, jdoe)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/editor", exampletest.Patch(`{"op": "Remove", "path": "members", "value": [{"value": "`+jdoe+`"}]}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/author", exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "`+jdoe+`"}]}`))
	s.CheckRows("PATCH jdoe's groups", []string{`a:2:{s:13:"wpseo_manager";b:1;s:6:"author";b:1;}`}, caps, jdoe)
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/author", "")); !slices.Equal(got, []string{jdoe, id}) {
		t.Errorf("authors: %v", got)
	}
	s.CheckRows("PATCH jdoe's roles: her other meta rows", jdoeBefore,
		`SELECT umeta_id, meta_key, meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key <> 'wp_capabilities' ORDER BY umeta_id`, jdoe)
	// wp_user_level is not kept in step (README.md).
	s.CheckRows("jdoe's wp_user_level as it was", []string{"7"}, `SELECT meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key = 'wp_user_level'`, jdoe)

	// "False": accepted, nothing changes.
	rows := append(s.Rows(userRow, id), s.Rows(metaRows, id)...)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	if got := append(s.Rows(userRow, id), s.Rows(metaRows, id)...); !slices.Equal(got, rows) {
		t.Errorf("disable: rows changed\n got  %q\n want %q", got, rows)
	}

	// WordPress adds its own rows as the user signs in; the delete removes
	// them with the mapped ones, as wp_delete_user() does.
	if _, err := s.DB.Exec(`INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (?, 'session_tokens', 'a:0:{}'), (?, 'admin_color', 'fresh')`, id, id); err != nil {
		t.Fatal(err)
	}
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE: the row and every meta row are gone", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM wp_users WHERE ID = ?), (SELECT COUNT(*) FROM wp_usermeta WHERE user_id = ?)`, id, id)
	s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
	// The name is free again.
	again := s.Must(http.StatusCreated, "POST", "/Users", `{"userName": "kim.lee", "active": "True"}`)
	if again["id"] == id {
		t.Errorf("re-created user has the deleted one's id %s", id)
	}

	if after := seeded(s, admin, mark); !slices.Equal(after, before) {
		t.Errorf("WordPress's own rows changed:\n got  %q\n want %q", after, before)
	}
}
