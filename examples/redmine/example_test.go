package redmine_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The principals schema.sql creates, by users.id. Only the rows of type
// User are SCIM Users and only those of type Group SCIM Groups: 2, 3 and
// 4 are Redmine's built-in rows.
const (
	admin          = "1"
	anonymousUsers = "2" // GroupAnonymous
	nonMembers     = "3" // GroupNonMember
	anonymous      = "4" // AnonymousUser
	alice          = "5"
	bob            = "6" // locked
	carol          = "7" // registered, awaiting activation
	developers     = "8"
	qa             = "9"
)

// account shows the users columns of one person that provisioning writes,
// and those Redmine reads to let the account sign in.
const account = `SELECT login, firstname, lastname, type, status, admin, mail_notification, hashed_password, salt,
	must_change_passwd, language, auth_source_id FROM users WHERE id = ?`

// group shows the users columns of one group.
const group = `SELECT type, lastname, login, firstname, status, mail_notification, hashed_password, twofa_required
	FROM users WHERE id = ?`

// emails lists a user's email_addresses rows, the default one first.
const emails = `SELECT address, is_default, notify FROM email_addresses WHERE user_id = ? ORDER BY is_default DESC, id`

// members lists a group's members by login.
const members = `SELECT u.login FROM groups_users gu JOIN users u ON u.id = gu.user_id
	WHERE gu.group_id = ? ORDER BY u.login`

// builtins are Redmine's own rows, which no request may change.
const builtins = `SELECT * FROM users WHERE type NOT IN ('User', 'Group') ORDER BY id`

// builtinRefs counts the memberships and addresses of the built-in rows:
// Redmine gives them none.
const builtinRefs = `SELECT (SELECT COUNT(*) FROM groups_users WHERE group_id IN (2, 3, 4) OR user_id IN (2, 3, 4)),
	(SELECT COUNT(*) FROM email_addresses WHERE user_id IN (2, 3, 4))`

// start serves the example and returns the built-in rows as they are
// before any request.
func start(t *testing.T) (*exampletest.Sidecar, []string) {
	s := exampletest.Start(t, ".")
	s.CheckRows("the built-in rows", []string{
		"2 | GroupAnonymous | Anonymous users | 1",
		"3 | GroupNonMember | Non member users | 1",
		"4 | AnonymousUser | Anonymous | 0",
	}, `SELECT id, type, lastname, status FROM users WHERE type NOT IN ('User', 'Group') ORDER BY id`)
	return s, s.Rows(builtins)
}

// untouched checks that the built-in rows are as they were and still have
// no memberships and no addresses.
func untouched(s *exampletest.Sidecar, step string, before []string) {
	s.CheckRows(step+": the built-in rows are untouched", before, builtins)
	s.CheckRows(step+": the built-in rows have no memberships and no addresses", []string{"0 | 0"}, builtinRefs)
}

// recent checks that every column of every row the query returns is a
// time of the last minute.
func recent(t *testing.T, s *exampletest.Sidecar, step, query string, args ...any) {
	t.Helper()
	rows := s.Rows(query, args...)
	if len(rows) == 0 {
		t.Errorf("%s: no rows", step)
	}
	now := time.Now()
	for _, row := range rows {
		for _, f := range strings.Split(row, " | ") {
			at, err := time.Parse(time.RFC3339Nano, f)
			if err != nil || at.Before(now.Add(-time.Minute)) || at.After(now.Add(time.Second)) {
				t.Errorf("%s: %q, want times of the last minute", step, row)
			}
		}
	}
}

// ids returns the ids of the resources of a ListResponse in numeric
// order.
func ids(t *testing.T, list map[string]any, want int) []string {
	t.Helper()
	var out []string
	for _, r := range exampletest.Resources(t, list, want) {
		id, _ := r["id"].(string)
		out = append(out, id)
	}
	return numeric(out)
}

// numeric sorts ids in numeric order.
func numeric(ids []string) []string {
	slices.SortFunc(ids, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return ids
}

// workEmail is what Okta and Entra send as a person's address, and what
// they should read back.
func workEmail(address string) []any {
	return []any{map[string]any{"value": address, "type": "work", "primary": true}}
}

// sameJSON reports whether a and b encode to the same JSON (object keys
// sorted).
func sameJSON(a, b any) bool {
	as, err1 := json.Marshal(a)
	bs, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(as) == string(bs)
}

// TestOktaLifecycle replays what Okta's SCIM 2.0 app sends for a person
// assigned to Redmine: the lookup by userName, the create, a profile push
// (PUT), a deactivation and its end, and Push Groups (a new group with
// members, members added and removed, a rename, the delete). After every
// step it checks users, email_addresses and groups_users.
func TestOktaLifecycle(t *testing.T) {
	s, before := start(t)
	lookup := `/Users?` + exampletest.Filter(`userName eq "jane.roe@example.com"`) + `&startIndex=1&count=100`
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "jane.roe@example.com",
		"name": {"givenName": "Jane", "familyName": "Roe"},
		"emails": [{"primary": true, "value": "jane.roe@example.com", "type": "work"}],
		"displayName": "Jane Roe",
		"locale": "en-US",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true}`)
	id, _ := created["id"].(string)
	if created["userName"] != "jane.roe@example.com" || created["active"] != true {
		t.Errorf("POST /Users: %v", created)
	}
	if !sameJSON(created["emails"], workEmail("jane.roe@example.com")) {
		t.Errorf("POST /Users: emails %v, want what Okta sent back: %v", created["emails"], workEmail("jane.roe@example.com"))
	}
	s.CheckRows("POST /Users: a User as Redmine creates one, without a password",
		[]string{"jane.roe@example.com | Jane | Roe | User | 1 | 0 | only_my_events |  | NULL | 0 | en | NULL"}, account, id)
	s.CheckRows("POST /Users: her default address", []string{"jane.roe@example.com | 1 | 1"}, emails, id)
	recent(t, s, "POST /Users: users.created_on, updated_on", `SELECT created_on, updated_on FROM users WHERE id = ?`, id)
	recent(t, s, "POST /Users: email_addresses.created_on, updated_on", `SELECT created_on, updated_on FROM email_addresses WHERE user_id = ?`, id)
	// The lookup now finds her, in any case, as Redmine compares logins.
	upper := `/Users?` + exampletest.Filter(`userName eq "Jane.Roe@EXAMPLE.com"`)
	if got := ids(t, s.Must(http.StatusOK, "GET", upper, ""), 1); got[0] != id {
		t.Errorf("lookup after create: %v", got)
	}
	// The same login again, in another case, is a conflict: Okta then
	// links the existing account instead.
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "JANE.ROE@example.com", "name": {"givenName": "J", "familyName": "R"}}`)
	s.CheckRows("the refused POST created no user", []string{"5"}, `SELECT COUNT(*) FROM users WHERE type = 'User'`)

	// A profile push: Okta sends the whole user.
	push := func(familyName, address string) string {
		return `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
			"id": "` + id + `",
			"userName": "jane.roe@example.com",
			"name": {"givenName": "Jane", "familyName": "` + familyName + `"},
			"emails": [{"primary": true, "value": "` + address + `", "type": "work"}],
			"displayName": "Jane ` + familyName + `",
			"active": true}`
	}
	s.Must(http.StatusOK, "PUT", "/Users/"+id, push("Roe-Smith", "jane.roe-smith@example.com"))
	s.CheckRows("PUT: the new name", []string{"jane.roe@example.com | Jane | Roe-Smith | User | 1 | 0 | only_my_events |  | NULL | 0 | en | NULL"}, account, id)
	s.CheckRows("PUT: the new address replaces the old one", []string{"jane.roe-smith@example.com | 1 | 1"}, emails, id)
	recent(t, s, "PUT: the new address's times", `SELECT created_on, updated_on FROM email_addresses WHERE user_id = ?`, id)
	// The next push with the same profile leaves the address's row as it is.
	row := s.Rows(`SELECT id, created_on FROM email_addresses WHERE user_id = ?`, id)
	s.Must(http.StatusOK, "PUT", "/Users/"+id, push("Roe-Smith", "jane.roe-smith@example.com"))
	s.CheckRows("PUT of the same profile: the address's row is kept", row, `SELECT id, created_on FROM email_addresses WHERE user_id = ?`, id)
	jane := s.Must(http.StatusOK, "GET", "/Users/"+id, "")
	if !sameJSON(jane["emails"], workEmail("jane.roe-smith@example.com")) {
		t.Errorf("GET after PUT: emails %v, want what Okta pushed: %v", jane["emails"], workEmail("jane.roe-smith@example.com"))
	}

	// Okta deactivates: Redmine locks the account, keeping everything.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("deactivate: locked", []string{"3"}, `SELECT status FROM users WHERE id = ?`, id)
	s.CheckRows("deactivate: the address stays", []string{"jane.roe-smith@example.com | 1 | 1"}, emails, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("reactivate: active", []string{"1"}, `SELECT status FROM users WHERE id = ?`, id)

	// Redmine's own users are matched, not created again: locked bob and
	// registered carol read as inactive.
	for login, want := range map[string]struct {
		id     string
		active bool
	}{"admin": {admin, true}, "alice": {alice, true}, "bob": {bob, false}, "carol": {carol, false}} {
		got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "`+login+`"`), ""), 1)
		if got[0]["id"] != want.id || got[0]["active"] != want.active {
			t.Errorf("lookup of %s: id %v active %v, want %s %v", login, got[0]["id"], got[0]["active"], want.id, want.active)
		}
	}
	// Okta assigns carol: active true activates her registration, as
	// Redmine's "Activate" does.
	s.Must(http.StatusOK, "PATCH", "/Users/"+carol, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("carol activated", []string{"1 | 2024-06-04T14:00:00Z"}, `SELECT status, created_on FROM users WHERE id = ?`, carol)
	recent(t, s, "carol activated: updated_on", `SELECT updated_on FROM users WHERE id = ?`, carol)

	// The anonymous user and the groups are no SCIM Users.
	if got := ids(t, s.Must(http.StatusOK, "GET", "/Users?count=100", ""), 5); !slices.Equal(got, []string{admin, alice, bob, carol, id}) {
		t.Errorf("GET /Users: %v (jane is %s)", got, id)
	}
	for _, other := range []string{anonymousUsers, nonMembers, anonymous, developers, qa} {
		s.Must(http.StatusNotFound, "GET", "/Users/"+other, "")
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`name.familyName eq "Anonymous"`), ""), 0)
	untouched(s, "after the user steps", before)

	// Push Groups: a new group with two members, a member added and one
	// removed, a rename, and the delete.
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Designers"`), ""), 0)
	created = s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Designers",
		"members": [{"value": "`+id+`", "display": "jane.roe@example.com"}, {"value": "`+alice+`", "display": "alice"}]}`)
	gid, _ := created["id"].(string)
	s.CheckRows("POST /Groups: a Group row as Redmine creates one", []string{"Group | Designers |  |  | 1 |  |  | 0"}, group, gid)
	recent(t, s, "POST /Groups: created_on, updated_on", `SELECT created_on, updated_on FROM users WHERE id = ?`, gid)
	s.CheckRows("POST /Groups: its members", []string{"alice", "jane.roe@example.com"}, members, gid)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+bob+`", "display": "bob"}]}`))
	s.CheckRows("PATCH add bob (locked users may be members)", []string{"alice", "bob", "jane.roe@example.com"}, members, gid)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"`+alice+`\"]"}`))
	s.CheckRows("PATCH remove alice", []string{"bob", "jane.roe@example.com"}, members, gid)
	// Only users can be members: not another group, not the group
	// itself, not a built-in group, not the anonymous user.
	for _, other := range []string{qa, gid, anonymousUsers, nonMembers, anonymous} {
		s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+gid, exampletest.Patch(
			`{"op": "add", "path": "members", "value": [{"value": "`+alice+`"}, {"value": "`+other+`"}]}`))
	}
	s.CheckRows("the refused PATCHes changed no membership", []string{"bob", "jane.roe@example.com"}, members, gid)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+gid+`", "displayName": "Product Design"}}`))
	s.CheckRows("rename", []string{"Group | Product Design |  |  | 1 |  |  | 0"}, group, gid)
	// The user shows the group; a user's id is no group's, and the
	// reverse.
	jane = s.Must(http.StatusOK, "GET", "/Users/"+id, "")
	if groups, _ := jane["groups"].([]any); len(groups) != 1 || groups[0].(map[string]any)["value"] != gid {
		t.Errorf("jane's groups: %v", jane["groups"])
	}
	s.Must(http.StatusNotFound, "GET", "/Groups/"+id, "")
	s.Must(http.StatusNotFound, "GET", "/Users/"+gid, "")
	// The built-in groups are not listed, not found by name and not
	// readable by id.
	list := s.Must(http.StatusOK, "GET", "/Groups", "")
	if got := ids(t, list, 3); !slices.Equal(got, []string{developers, qa, gid}) {
		t.Errorf("GET /Groups: %v", got)
	}
	for _, g := range exampletest.Resources(t, list, 3) {
		for _, m := range exampletest.Members(t, g) {
			if !slices.Contains([]string{admin, alice, bob, carol, id}, m) {
				t.Errorf("group %v lists %s, which is no user", g["displayName"], m)
			}
		}
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Anonymous users"`), ""), 0)
	s.Must(http.StatusNotFound, "GET", "/Groups/"+anonymousUsers, "")
	s.Must(http.StatusNotFound, "GET", "/Groups/"+nonMembers, "")

	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+gid, "")
	s.CheckRows("DELETE /Groups: the group's row and its memberships are gone", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM users WHERE id = ?), (SELECT COUNT(*) FROM groups_users WHERE group_id = ?)`, gid, gid)
	s.CheckRows("DELETE /Groups: its members stay", []string{"5"}, `SELECT COUNT(*) FROM users WHERE type = 'User'`)
	s.CheckRows("DELETE /Groups: Developers keeps its members", []string{"alice", "bob"}, members, developers)
	s.CheckRows("DELETE /Groups: QA keeps its members", []string{"alice", "carol"}, members, qa)
	s.Must(http.StatusNotFound, "GET", "/Groups/"+gid, "")
	untouched(s, "after the group steps", before)
}

// TestEntraLifecycle replays Microsoft Entra ID: the match by userName,
// the create, PATCH updates with capitalised ops and a filtered e-mail
// path, the deactivation with the string "False", group member changes
// with value lists, the match of a group with members excluded, and the
// delete once the user is deleted in Entra, which Redmine refuses.
func TestEntraLifecycle(t *testing.T) {
	s, before := start(t)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.lee@contoso.example"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName": "kim.lee@contoso.example",
		"active": true,
		"emails": [{"primary": true, "type": "work", "value": "kim.lee@contoso.example"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Support"},
		"roles": []}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST", []string{"kim.lee@contoso.example | Kim | Lee | User | 1 | 0 | only_my_events |  | NULL | 0 | en | NULL"}, account, id)
	s.CheckRows("POST: her default address", []string{"kim.lee@contoso.example | 1 | 1"}, emails, id)
	recent(t, s, "POST: the address's times", `SELECT created_on, updated_on FROM email_addresses WHERE user_id = ?`, id)

	// Entra changes the address through a filtered path: the default
	// address is the work one.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "kim.lee@fabrikam.example"}`,
		`{"op": "Replace", "path": "name.familyName", "value": "Lee-Park"}`,
		`{"op": "Add", "path": "name.givenName", "value": "Kimberly"}`))
	s.CheckRows("PATCH: the names", []string{"kim.lee@contoso.example | Kimberly | Lee-Park | User | 1 | 0 | only_my_events |  | NULL | 0 | en | NULL"}, account, id)
	s.CheckRows("PATCH emails[type eq \"work\"].value: the default address changed", []string{"kim.lee@fabrikam.example | 1 | 1"}, emails, id)
	recent(t, s, "PATCH: the address's times", `SELECT created_on, updated_on FROM email_addresses WHERE user_id = ?`, id)
	kim := s.Must(http.StatusOK, "GET", "/Users/"+id, "")
	if !sameJSON(kim["emails"], workEmail("kim.lee@fabrikam.example")) {
		t.Errorf("GET after PATCH: emails %v, want %v", kim["emails"], workEmail("kim.lee@fabrikam.example"))
	}

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("disable: locked", []string{"3"}, `SELECT status FROM users WHERE id = ?`, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "True"}`))
	s.CheckRows("enable: active", []string{"1"}, `SELECT status FROM users WHERE id = ?`, id)

	// Groups: Entra matches a group by displayName with members excluded,
	// then adds and removes members with value lists.
	found := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?excludedAttributes=members&"+exampletest.Filter(`displayName eq "Developers"`), ""), 1)
	if _, has := found[0]["members"]; has || found[0]["id"] != developers {
		t.Errorf("match of Developers: %v", found[0])
	}
	if doc := s.Must(http.StatusOK, "GET", "/Groups/"+developers+"?excludedAttributes=members", ""); doc["members"] != nil || doc["displayName"] != "Developers" {
		t.Errorf("GET /Groups/%s?excludedAttributes=members: %v", developers, doc)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+developers, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}, {"value": "`+carol+`"}]}`))
	s.CheckRows("Add members", []string{"alice", "bob", "carol", "kim.lee@contoso.example"}, members, developers)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+developers, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"value": "`+bob+`"}, {"value": "`+carol+`"}]}`))
	s.CheckRows("Remove members", []string{"alice", "kim.lee@contoso.example"}, members, developers)
	s.CheckRows("QA is as it was", []string{"alice", "carol"}, members, qa)
	// A group is never a member: neither QA nor a built-in group nor the
	// group itself, and the whole request writes nothing.
	for _, other := range []string{qa, developers, nonMembers, anonymous} {
		s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+developers, exampletest.Patch(
			`{"op": "Add", "path": "members", "value": [{"value": "`+carol+`"}, {"value": "`+other+`"}]}`))
	}
	s.CheckRows("the refused Adds changed nothing", []string{"alice", "kim.lee@contoso.example"}, members, developers)
	if got := numeric(exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/"+developers, ""))); !slices.Equal(got, []string{alice, id}) {
		t.Errorf("Developers' members: %v, want alice and kim", got)
	}

	// The user is deleted in Entra. Redmine has no soft delete and its own
	// delete reassigns the user's work first: DELETE is refused and
	// changes nothing; the account stays, and is locked by Entra's
	// disable before the delete.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	r := s.Do("DELETE", "/Users/"+id, "")
	if r.Status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /Users/%s: %d %s, want 405", id, r.Status, r.Raw)
	}
	s.CheckRows("the refused DELETE kept the account, locked", []string{"kim.lee@contoso.example | Kimberly | Lee-Park | User | 3 | 0 | only_my_events |  | NULL | 0 | en | NULL"}, account, id)
	s.CheckRows("the refused DELETE kept the address", []string{"kim.lee@fabrikam.example | 1 | 1"}, emails, id)
	s.CheckRows("the refused DELETE kept the membership", []string{"alice", "kim.lee@contoso.example"}, members, developers)
	if doc := s.Must(http.StatusOK, "GET", "/Users/"+id, ""); doc["active"] != false {
		t.Errorf("GET after the refused DELETE: active %v, want false", doc["active"])
	}
	untouched(s, "after Entra's session", before)
}
