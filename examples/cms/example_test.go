package cms_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The users schema.sql creates: their IDs in wp_users.
const (
	admin  = "1"
	jdoe   = "2"
	msmith = "3"
)

// user shows the wp_users columns the mapping writes, except the password
// hash and the times, which change with every run.
const user = `SELECT user_login, user_nicename, user_email, user_url, display_name, user_status, user_activation_key
	FROM wp_users WHERE ID = ?`

// identity shows a user's wp_usermeta rows that the mapping owns, as
// "key=value".
const identity = `SELECT CONCAT(meta_key, '=', meta_value) FROM wp_usermeta
	WHERE user_id = ? AND meta_key IN ('first_name', 'last_name', 'nickname') ORDER BY meta_key`

// appMeta shows every wp_usermeta row the CMS owns, with its umeta_id: the
// rows scimbridge must never change or delete.
const appMeta = `SELECT umeta_id, user_id, meta_key, meta_value FROM wp_usermeta
	WHERE meta_key NOT IN ('first_name', 'last_name', 'nickname') ORDER BY umeta_id`

// times reads a user's user_registered and user_changed.
func times(t *testing.T, s *exampletest.Sidecar, id string) (registered, changed int64) {
	t.Helper()
	f := strings.Split(s.Value(`SELECT user_registered, user_changed FROM wp_users WHERE ID = ?`, id), " | ")
	registered, err1 := strconv.ParseInt(f[0], 10, 64)
	changed, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("user %s: times %q", id, f)
	}
	return registered, changed
}

// checkPassword reports an error unless the user's user_pass is a bcrypt
// hash, of cost 10, that PHP's password_verify would accept for password.
func checkPassword(t *testing.T, s *exampletest.Sidecar, step, id, password string) {
	t.Helper()
	hash := s.Value(`SELECT user_pass FROM wp_users WHERE ID = ?`, id)
	if !strings.HasPrefix(hash, "$2a$10$") || bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		t.Errorf("%s: user_pass %q is not a cost-10 bcrypt hash of %q", step, hash, password)
	}
}

// TestOktaLifecycle replays Okta provisioning a new author with "Sync
// Password" on: the lookup, the create, a profile push (PUT), a password
// change, a deactivation, a reactivation and the delete. After every step
// it checks the wp_users row, the user's name rows in wp_usermeta, and that
// the CMS's own wp_usermeta rows (the role the CMS grants the new user, and
// every row of the other users) are exactly as they were.
func TestOktaLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	appBefore := s.Rows(appMeta)
	checkApp := func(step string, added ...string) {
		t.Helper()
		s.CheckRows(step+": the CMS's own wp_usermeta rows", append(slices.Clone(appBefore), added...), appMeta)
	}

	lookup := `/Users?` + exampletest.Filter(`userName eq "ana.lima"`) + `&startIndex=1&count=100`
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)

	start := time.Now().Unix()
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "Ana.Lima",
		"name": {"givenName": "Ana", "familyName": "Lima"},
		"nickName": "Ana",
		"displayName": "Ana Lima",
		"profileUrl": "https://analima.example",
		"emails": [{"value": "ana.lima@inkwell.example", "type": "work", "primary": true}],
		"locale": "pt-BR",
		"password": "Corr3ct-Horse-Battery",
		"active": true}`)
	end := time.Now().Unix()
	id, _ := created["id"].(string)
	if _, has := created["password"]; has {
		t.Errorf("POST /Users returned the password: %v", created)
	}
	s.CheckRows("POST /Users: wp_users, with the lower-cased login in user_nicename",
		[]string{"Ana.Lima | ana.lima | ana.lima@inkwell.example | https://analima.example | Ana Lima | 0 | "}, user, id)
	s.CheckRows("POST /Users: the names and nickname in wp_usermeta", []string{"first_name=Ana", "last_name=Lima", "nickname=Ana"}, identity, id)
	s.CheckRows("POST /Users: no other wp_usermeta row", []string{"3"}, `SELECT COUNT(*) FROM wp_usermeta WHERE user_id = ?`, id)
	checkPassword(t, s, "POST /Users", id, "Corr3ct-Horse-Battery")
	registered, changed := times(t, s, id)
	if registered < start || registered > end || changed != registered {
		t.Errorf("POST /Users: user_registered %d, user_changed %d; want both the Unix time of the request (%d-%d)", registered, changed, start, end)
	}
	meta, _ := created["meta"].(map[string]any)
	if want := time.Unix(registered, 0).UTC().Format(time.RFC3339); meta["created"] != want || meta["lastModified"] != want {
		t.Errorf("POST /Users: meta %v, want created and lastModified %s", meta, want)
	}
	checkApp("POST /Users")

	// The CMS gives every new user the author role, in its own meta rows.
	if _, err := s.DB.Exec(`INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES
		(?, 'wp_capabilities', 'a:1:{s:6:"author";b:1;}'), (?, 'wp_user_level', '2')`, id, id); err != nil {
		t.Fatal(err)
	}
	role := s.Rows(`SELECT umeta_id, user_id, meta_key, meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key LIKE 'wp\_%' ORDER BY umeta_id`, id)

	// Okta finds the user by userName in any case, and by the names kept in
	// wp_usermeta.
	for _, f := range []string{`userName eq "ANA.LIMA"`, `name.familyName eq "lima"`, `nickName eq "Ana" and active eq true`, `emails.value eq "ana.lima@inkwell.example"`} {
		if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(f), ""), 1); got[0]["id"] != id {
			t.Errorf("filter %s: %v, want user %s", f, got, id)
		}
	}
	// user_login has no unique key, but userName is unique all the same.
	for _, name := range []string{"ana.lima", "ADMIN", "msmith"} {
		if r := s.Do("POST", "/Users", `{"userName": "`+name+`"}`); r.Status != http.StatusConflict {
			t.Errorf("POST /Users %s: %d %s, want 409", name, r.Status, r.Raw)
		}
	}

	// A profile push: Okta PUTs the whole user, without the password. The
	// family name, display name and URL change; the hash stays.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "Ana.Lima",
		"name": {"givenName": "Ana", "familyName": "Lima Souza"},
		"nickName": "Ana",
		"displayName": "Ana Lima Souza",
		"profileUrl": "https://analimasouza.example",
		"emails": [{"value": "ana.lima@inkwell.example", "type": "work", "primary": true}],
		"active": true}`)
	s.CheckRows("PUT /Users: wp_users", []string{"Ana.Lima | ana.lima | ana.lima@inkwell.example | https://analimasouza.example | Ana Lima Souza | 0 | "}, user, id)
	s.CheckRows("PUT /Users: wp_usermeta", []string{"first_name=Ana", "last_name=Lima Souza", "nickname=Ana"}, identity, id)
	checkPassword(t, s, "PUT /Users without a password", id, "Corr3ct-Horse-Battery")
	if r, c := times(t, s, id); r != registered || c < registered {
		t.Errorf("PUT /Users: user_registered %d, user_changed %d; want %d and no earlier", r, c, registered)
	}
	s.CheckRows("PUT /Users: the role the CMS granted", role, `SELECT umeta_id, user_id, meta_key, meta_value FROM wp_usermeta WHERE user_id = ? AND meta_key LIKE 'wp\_%' ORDER BY umeta_id`, id)
	checkApp("PUT /Users", role...)

	// A password change in Okta.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"password": "N3w-Staple-Battery"}}`))
	checkPassword(t, s, "PATCH password", id, "N3w-Staple-Battery")
	checkApp("PATCH password", role...)

	// Deactivation blocks the account and keeps everything else.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("PATCH active false", []string{"Ana.Lima | ana.lima | ana.lima@inkwell.example | https://analimasouza.example | Ana Lima Souza | 1 | "}, user, id)
	s.CheckRows("PATCH active false: wp_usermeta", []string{"first_name=Ana", "last_name=Lima Souza", "nickname=Ana"}, identity, id)
	checkApp("PATCH active false", role...)
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`active eq false`), ""), 2); got[0]["id"] != msmith || got[1]["id"] != id {
		t.Errorf("active eq false: %v, want msmith and the new user", got)
	}

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("PATCH active true", []string{"Ana.Lima | ana.lima | ana.lima@inkwell.example | https://analimasouza.example | Ana Lima Souza | 0 | "}, user, id)
	checkPassword(t, s, "PATCH active true", id, "N3w-Staple-Battery")

	// Deleting the user in Okta blocks the account: posts keep their author.
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE (delete: deactivate)", []string{"Ana.Lima | ana.lima | ana.lima@inkwell.example | https://analimasouza.example | Ana Lima Souza | 1 | "}, user, id)
	s.CheckRows("DELETE: wp_usermeta", []string{"first_name=Ana", "last_name=Lima Souza", "nickname=Ana"}, identity, id)
	checkApp("DELETE", role...)
}

// TestExistingUsers links the users the CMS already had: Okta finds them
// by userName, imports them with their names from wp_usermeta, changes a
// name, takes a nickname away and unblocks a user; only the mapped keys
// change, and a user's other meta rows are untouched.
func TestExistingUsers(t *testing.T) {
	s := exampletest.Start(t, ".")
	appBefore := s.Rows(appMeta)

	all := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users", ""), 3)
	type view struct{ userName, given, family, nick string }
	var got []view
	for _, u := range all {
		n, _ := u["name"].(map[string]any)
		given, _ := n["givenName"].(string)
		family, _ := n["familyName"].(string)
		nick, _ := u["nickName"].(string)
		got = append(got, view{u["userName"].(string), given, family, nick})
	}
	// The administrator's empty first_name and last_name read as unset.
	want := []view{{"admin", "", "", "admin"}, {"jdoe", "Jane", "Doe", "Jane"}, {"MSmith", "Mark", "Smith", "Mark"}}
	if !slices.Equal(got, want) {
		t.Errorf("GET /Users: %v, want %v", got, want)
	}
	if all[0]["active"] != true || all[1]["active"] != true || all[2]["active"] != false {
		t.Errorf("GET /Users: active %v %v %v, want true, true, false (user_status 1)", all[0]["active"], all[1]["active"], all[2]["active"])
	}

	// Okta's import finds MSmith by the lower-case login.
	found := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "msmith"`), ""), 1)
	if found[0]["id"] != msmith {
		t.Fatalf("lookup of msmith: %v", found)
	}
	_, changedBefore := times(t, s, jdoe)

	// Jane marries: one meta row changes, and user_changed moves on.
	s.Must(http.StatusOK, "PATCH", "/Users/"+jdoe, exampletest.Patch(`{"op": "replace", "path": "name.familyName", "value": "Doe-Martin"}`))
	s.CheckRows("PATCH name.familyName", []string{"first_name=Jane", "last_name=Doe-Martin", "nickname=Jane"}, identity, jdoe)
	s.CheckRows("PATCH name.familyName: wp_users", []string{"jdoe | jdoe | jane.doe@inkwell.example |  | Jane Doe | 0 | "}, user, jdoe)
	if _, c := times(t, s, jdoe); c <= changedBefore {
		t.Errorf("PATCH name.familyName: user_changed %d, want later than %d", c, changedBefore)
	}

	// Mark is unblocked and his nickname is removed in Okta: the nickname
	// row goes, the rest of his meta rows stay.
	s.Must(http.StatusOK, "PATCH", "/Users/"+msmith, exampletest.Patch(
		`{"op": "replace", "path": "active", "value": true}`,
		`{"op": "remove", "path": "nickName"}`))
	s.CheckRows("PATCH active true, remove nickName", []string{"MSmith | msmith | mark.smith@inkwell.example | https://marksmith.example | Mark Smith | 0 | "}, user, msmith)
	s.CheckRows("PATCH remove nickName: wp_usermeta", []string{"first_name=Mark", "last_name=Smith"}, identity, msmith)

	// Renaming the login renames its nicename too.
	s.Must(http.StatusOK, "PATCH", "/Users/"+msmith, exampletest.Patch(`{"op": "replace", "path": "userName", "value": "Mark.Smith"}`))
	s.CheckRows("PATCH userName", []string{"Mark.Smith | mark.smith | mark.smith@inkwell.example | https://marksmith.example | Mark Smith | 0 | "}, user, msmith)

	// The administrator gets a name.
	s.Must(http.StatusOK, "PATCH", "/Users/"+admin, exampletest.Patch(`{"op": "add", "value": {"name": {"givenName": "Sam", "familyName": "Admin"}}}`))
	s.CheckRows("PATCH add name", []string{"first_name=Sam", "last_name=Admin", "nickname=admin"}, identity, admin)

	s.CheckRows("the CMS's own wp_usermeta rows", appBefore, appMeta)
	s.CheckRows("no user was added or removed", []string{"3"}, `SELECT COUNT(*) FROM wp_users`)
}
