package snipeit_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The people schema.sql creates, by users.id.
const (
	admin = "1" // the superuser of the setup wizard
	jane  = "2" // jane.doe: per-user permissions with a grant, an inherit and a deny
	mark  = "3" // mark.off: imported by LDAP, cannot log in (activated 0), permissions NULL
	olga  = "4" // old.employee: deleted in the UI (deleted_at set)
	pat   = "5" // pat.empty: permissions "[]", PHP's json_encode of an empty array
	nat   = "6" // nat.null: permissions "null", PHP's json_encode(null)
)

// The groups schema.sql creates.
const (
	itAdmins = "g-1"
	staff    = "g-2"
)

// account shows the users columns a mapping writes, and those Snipe-IT
// gives a new account by their defaults.
const account = `SELECT username, scim_externalid, email, first_name, last_name, jobtitle, phone, employee_num,
	activated, permissions, password, deleted_at, locale, show_in_list, ldap_import, autoassign_licenses,
	two_factor_enrolled, vip FROM users WHERE id = ?`

// defaultsTail is what account reads after deleted_at for a user created
// through SCIM: the columns' own defaults.
const defaultsTail = " | en-US | 1 | 0 | 1 | 0 | 0"

// others reads every row of users and permission_groups as schema.sql
// made them, but for the ids given, and every users_groups row of the
// seeded groups; rows the mapping must not touch.
func others(s *exampletest.Sidecar, skip ...string) []string {
	rows := s.Rows(`SELECT id, email, password, permissions, activated, first_name, last_name, username, jobtitle,
		employee_num, phone, ldap_import, created_at, updated_at, deleted_at FROM users WHERE id <= 6 ORDER BY id`)
	var out []string
	for _, r := range rows {
		if id, _, _ := strings.Cut(r, " | "); !slices.Contains(skip, id) {
			out = append(out, r)
		}
	}
	// A member change counts as a change of the group: updated_at is
	// checked where it is expected to move.
	out = append(out, s.Rows(`SELECT id, name, permissions, created_at FROM permission_groups WHERE id <= 2 ORDER BY id`)...)
	return out
}

const members = `SELECT user_id FROM users_groups WHERE group_id = ? ORDER BY user_id`

// recent checks that a TIMESTAMP column holds a time of the last minute
// (the session's time zone is UTC, as Snipe-IT's is); the driver reads
// it as RFC 3339 or as MySQL writes it, depending on the DSN.
func recent(t *testing.T, step, v string) {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		ts, err = time.Parse(time.DateTime, v)
	}
	if err != nil || time.Since(ts) > time.Minute || time.Until(ts) > time.Minute {
		t.Errorf("%s: %q, want a time of the last minute", step, v)
	}
}

// TestOktaLifecycle replays Okta's SCIM 2.0 app: the lookup by userName,
// the create, a profile push with entitlements (PUT), a deactivation and
// its end, a group push, and the delete. After every step it checks the
// rows of users and users_groups, and that Snipe-IT's other rows are as
// they were.
func TestOktaLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	before := others(s)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "sam.lee"`)+"&startIndex=1&count=1", ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName": "sam.lee",
		"name": {"givenName": "Sam", "familyName": "Lee"},
		"emails": [{"primary": true, "value": "sam.lee@example.com", "type": "work"}],
		"phoneNumbers": [{"primary": true, "value": "+1 555 0199", "type": "work"}],
		"title": "Field Technician",
		"displayName": "Sam Lee",
		"locale": "en-US",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E-2001", "department": "Field"}}`)
	id, _ := created["id"].(string)
	if created["userName"] != "sam.lee" || created["active"] != true {
		t.Errorf("POST /Users: %v", created)
	}
	s.CheckRows("POST /Users: a user who can log in, no permissions of its own, no password",
		[]string{"sam.lee | 00u1ab2cd3EFgh4ij5k6 | sam.lee@example.com | Sam | Lee | Field Technician | +1 555 0199 | E-2001 | 1 | NULL |  | NULL" + defaultsTail}, account, id)
	times := strings.Split(s.Value(`SELECT created_at, updated_at FROM users WHERE id = ?`, id), " | ")
	for _, v := range times {
		recent(t, "POST /Users: created_at, updated_at", v)
	}

	// Okta's profile push: a new title and surname, and the entitlements
	// assigned in Okta, which become per-user grants.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"id": "`+id+`",
		"userName": "sam.lee",
		"name": {"givenName": "Sam", "familyName": "Lee-Park"},
		"emails": [{"primary": true, "value": "sam.lee-park@example.com", "type": "work"}],
		"phoneNumbers": [{"primary": true, "value": "+1 555 0199", "type": "work"}],
		"title": "Senior Field Technician",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"active": true,
		"entitlements": [{"value": "assets.view"}, {"value": "reports.view"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E-2001"}}`)
	s.CheckRows("PUT: the profile and the grants",
		[]string{`sam.lee | 00u1ab2cd3EFgh4ij5k6 | sam.lee-park@example.com | Sam | Lee-Park | Senior Field Technician | +1 555 0199 | E-2001 | 1 | {"assets.view":"1","reports.view":"1"} |  | NULL` + defaultsTail}, account, id)
	// A second push without reports.view: "0", inherit, as Snipe-IT's form
	// writes a permission no longer granted.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "replace", "path": "entitlements", "value": [{"value": "assets.view"}]}`))
	s.CheckRows("PATCH entitlements: reports.view inherits", []string{`{"assets.view":"1","reports.view":"0"}`},
		`SELECT permissions FROM users WHERE id = ?`, id)
	if got := s.Must(http.StatusOK, "GET", "/Users/"+id, "")["entitlements"]; len(got.([]any)) != 1 {
		t.Errorf("entitlements %v, want assets.view only", got)
	}

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("deactivate", []string{"0 | NULL"}, `SELECT activated, deleted_at FROM users WHERE id = ?`, id)
	if u := s.Must(http.StatusOK, "GET", "/Users/"+id, ""); u["active"] != false {
		t.Errorf("deactivated user reads active %v", u["active"])
	}
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("reactivate", []string{"1"}, `SELECT activated FROM users WHERE id = ?`, id)

	// Snipe-IT's users are matched, not created again; the LDAP account
	// that cannot log in reads inactive; the deleted one is not there.
	for _, m := range []struct {
		filter, id string
		active     bool
	}{
		{`userName eq "admin"`, admin, true},
		{`userName eq "jane.doe"`, jane, true},
		{`userName eq "mark.off"`, mark, false},
	} {
		got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(m.filter)+"&count=1", ""), 1)
		if got[0]["id"] != m.id || got[0]["active"] != m.active {
			t.Errorf("%s: %v, want id %s, active %v", m.filter, got[0], m.id, m.active)
		}
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "old.employee"`), ""), 0)
	s.Must(http.StatusNotFound, "GET", "/Users/"+olga, "")
	s.Must(http.StatusNotFound, "PATCH", "/Users/"+olga, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	list := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?count=100", ""), 6)
	var ids []string
	for _, u := range list {
		ids = append(ids, u["id"].(string))
	}
	if want := []string{admin, jane, mark, pat, nat, id}; !slices.Equal(ids, want) {
		t.Errorf("GET /Users: ids %v, want %v", ids, want)
	}
	// The superuser's grants read as an entitlement.
	if got := s.Must(http.StatusOK, "GET", "/Users/"+admin, "")["entitlements"]; len(got.([]any)) != 1 || got.([]any)[0].(map[string]any)["value"] != "superuser" {
		t.Errorf("admin's entitlements %v, want superuser", got)
	}

	// Group push: the deleted user's row in Staff is no membership.
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/"+staff, "")); !slices.Equal(got, []string{jane, mark}) {
		t.Errorf("Staff's members %v, want jane.doe and mark.off", got)
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Field Team"`), ""), 0)
	group := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Field Team",
		"members": [{"value": "`+id+`", "display": "sam.lee"}, {"value": "`+jane+`", "display": "jane.doe"}]}`)
	gid, _ := group["id"].(string)
	key, ok := strings.CutPrefix(gid, "g-")
	if !ok {
		t.Fatalf("group id %q, want the prefix g-", gid)
	}
	s.CheckRows("POST /Groups: a group that grants nothing", []string{"Field Team | {}"},
		`SELECT name, permissions FROM permission_groups WHERE id = ?`, key)
	gtimes := strings.Split(s.Value(`SELECT created_at, updated_at FROM permission_groups WHERE id = ?`, key), " | ")
	for _, v := range gtimes {
		recent(t, "POST /Groups: created_at, updated_at", v)
	}
	s.CheckRows("POST /Groups: its members", []string{jane, id}, members, key)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+mark+`", "display": "mark.off"}]}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"`+jane+`\"]"}`))
	s.CheckRows("PATCH members", []string{mark, id}, members, key)
	// The deleted user cannot be made a member.
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+gid, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+olga+`"}]}`))
	s.CheckRows("PATCH with a deleted user: nothing added", []string{mark, id}, members, key)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+gid+`", "displayName": "Field Operations"}}`))
	s.CheckRows("rename", []string{"Field Operations | {}"}, `SELECT name, permissions FROM permission_groups WHERE id = ?`, key)
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+gid, "")
	s.CheckRows("DELETE /Groups: the group and its rows are gone", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM permission_groups WHERE id = ?), (SELECT COUNT(*) FROM users_groups WHERE group_id = ?)`, key, key)
	s.CheckRows("the seeded groups' rows", []string{"2 | 1", "2 | 2", "3 | 2", "4 | 2"},
		`SELECT user_id, group_id FROM users_groups ORDER BY user_id, group_id`)

	// Okta never deletes, but an operator may: Laravel's soft delete.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+staff, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	row := strings.Split(s.Value(`SELECT username, activated, permissions, deleted_at FROM users WHERE id = ?`, id), " | ")
	if len(row) != 4 || row[0] != "sam.lee" || row[1] != "1" || row[2] != `{"assets.view":"1","reports.view":"0"}` {
		t.Errorf("DELETE: row %q, want it kept as it was", row)
	} else {
		recent(t, "DELETE: deleted_at", row[3])
	}
	// scimbridge removes the deleted user's memberships; Snipe-IT's own
	// delete would leave them (README.md). old.employee's row, from a
	// delete in Snipe-IT, stays.
	s.CheckRows("DELETE: the user's group row removed, others kept", []string{jane, mark, olga}, members, 2)
	s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "sam.lee"`), ""), 0)
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/"+staff, "")); !slices.Equal(got, []string{jane, mark}) {
		t.Errorf("Staff's members after the delete %v", got)
	}

	// Adding to Staff moved its updated_at (Eloquent's attach() would not:
	// see README.md); IT Admins, untouched, keeps its own.
	recent(t, "PATCH Staff: updated_at", s.Value(`SELECT updated_at FROM permission_groups WHERE id = 2`))
	s.CheckRows("IT Admins: updated_at as it was", []string{"2024-01-15 09:05:00"}, `SELECT DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s') FROM permission_groups WHERE id = 1`)
	if after := others(s); !slices.Equal(after, before) {
		t.Errorf("Snipe-IT's own rows changed:\n got  %q\n want %q", after, before)
	}
}

// TestEntraLifecycle replays Microsoft Entra ID: the match by userName,
// the create with Entra's body (the string "True", the enterprise
// extension), PATCH updates with capitalised ops and filtered paths,
// entitlements added and removed on an account with Snipe-IT's own
// grants and denials, the disable with the string "False", member
// changes with value lists, and the delete, a soft delete that leaves the
// name taken.
func TestEntraLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	before := others(s, jane, pat, nat)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.lee"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName": "kim.lee",
		"active": "True",
		"displayName": "Kim Lee",
		"title": "Asset Manager",
		"emails": [{"primary": true, "type": "work", "value": "kim.lee@contoso.example"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E-3001", "department": "Finance"},
		"roles": []}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST", []string{"kim.lee | 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef | kim.lee@contoso.example | Kim | Lee | Asset Manager | NULL | E-3001 | 1 | NULL |  | NULL" + defaultsTail}, account, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "kim.park@contoso.example"}`,
		`{"op": "Replace", "path": "name.familyName", "value": "Park"}`,
		`{"op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "+82 2 555 0100"}`,
		`{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "E-3002"}`,
		`{"op": "Add", "path": "entitlements", "value": [{"value": "assets.view"}, {"value": "licenses.view"}]}`))
	s.CheckRows("PATCH: profile, and grants on a NULL permissions column",
		[]string{`kim.lee | 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef | kim.park@contoso.example | Kim | Park | Asset Manager | +82 2 555 0100 | E-3002 | 1 | {"assets.view":"1","licenses.view":"1"} |  | NULL` + defaultsTail}, account, id)

	// jane.doe, made in Snipe-IT: admin "0" (inherit), assets.view "1",
	// reports.view "-1" (denied). Entra grants reports.view and takes
	// assets.view away: the denial becomes a grant in its place, the
	// grant "0"; admin stays as it was.
	if got := s.Must(http.StatusOK, "GET", "/Users/"+jane, "")["entitlements"]; len(got.([]any)) != 1 {
		t.Errorf("jane.doe's entitlements %v, want assets.view only", got)
	}
	s.Must(http.StatusOK, "PATCH", "/Users/"+jane, exampletest.Patch(
		`{"op": "Add", "path": "entitlements", "value": [{"value": "reports.view"}]}`,
		`{"op": "Remove", "path": "entitlements", "value": [{"value": "assets.view"}]}`))
	s.CheckRows("PATCH jane.doe's entitlements: her other keys kept, in place",
		[]string{`{"admin":"0","assets.view":"0","reports.view":"1"}`}, `SELECT permissions FROM users WHERE id = ?`, jane)

	// pat.empty's permissions are "[]" and nat.null's "null", what PHP's
	// json_encode() writes for an empty array and for none: to Snipe-IT
	// no permissions. scimbridge reads them as no entitlements and takes
	// them for an empty object: a grant writes a JSON object in their
	// place.
	for _, u := range []struct{ id, stored, row string }{
		{pat, "[]", "pat.empty@example.com | Pat | Empty | pat.empty | 1"},
		{nat, "null", "nat.null@example.com | Nat | Null | nat.null | 1"},
	} {
		if got := s.Must(http.StatusOK, "GET", "/Users/"+u.id, "")["entitlements"]; got != nil {
			t.Errorf("user %s (%s): entitlements %v, want none", u.id, u.stored, got)
		}
		s.Must(http.StatusOK, "PATCH", "/Users/"+u.id, exampletest.Patch(`{"op": "Add", "path": "entitlements", "value": [{"value": "assets.view"}]}`))
		s.CheckRows("PATCH over "+u.stored+": an object in its place", []string{`{"assets.view":"1"} | ` + u.row},
			`SELECT permissions, email, first_name, last_name, username, activated FROM users WHERE id = ?`, u.id)
	}

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("disable", []string{"0 | NULL"}, `SELECT activated, deleted_at FROM users WHERE id = ?`, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "True"}`))
	s.CheckRows("enable", []string{"1"}, `SELECT activated FROM users WHERE id = ?`, id)

	// Groups: Entra matches by displayName without members, then adds and
	// removes members with value lists.
	found := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?excludedAttributes=members&"+exampletest.Filter(`displayName eq "Staff"`), ""), 1)
	if _, has := found[0]["members"]; has || found[0]["id"] != staff {
		t.Errorf("match of Staff: %v", found[0])
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+staff, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}, {"value": "`+jane+`"}]}`))
	s.CheckRows("Add: Kim added, jane.doe not twice", []string{jane, mark, olga, id}, members, 2)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+staff, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"value": "`+mark+`"}]}`))
	s.CheckRows("Remove mark.off; the deleted user's row stays", []string{jane, olga, id}, members, 2)
	// Replacing the members (as a PUT would) keeps the deleted user's row:
	// it is no membership the identity provider sees.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+staff, exampletest.Patch(
		`{"op": "Replace", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.CheckRows("Replace members", []string{olga, id}, members, 2)
	s.CheckRows("IT Admins' rows untouched", []string{jane}, members, 1)

	// Deleted in Entra: Snipe-IT's soft delete.
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	row := strings.Split(s.Value(`SELECT username, activated, deleted_at FROM users WHERE id = ?`, id), " | ")
	if len(row) != 3 || row[0] != "kim.lee" || row[1] != "1" {
		t.Errorf("DELETE: row %q, want it kept", row)
	} else {
		recent(t, "DELETE: deleted_at", row[2])
	}
	s.Must(http.StatusNotFound, "DELETE", "/Users/"+id, "")
	// Snipe-IT lets a new user take a deleted user's name (its
	// unique_undeleted rule); scimbridge does not (README.md, limits).
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "kim.lee", "active": "True"}`)
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "old.employee", "active": "True"}`)
	s.CheckRows("no second kim.lee", []string{"1"}, `SELECT COUNT(*) FROM users WHERE username = 'kim.lee'`)

	if after := others(s, jane, pat, nat); !slices.Equal(after, before) {
		t.Errorf("Snipe-IT's own rows changed:\n got  %q\n want %q", after, before)
	}
	s.CheckRows("jane.doe: only her permissions changed",
		[]string{"jane.doe | jane.doe@example.com | Jane | Doe | IT Technician | +1 555 0102 | E-1002 | 1"},
		`SELECT username, email, first_name, last_name, jobtitle, phone, employee_num, activated FROM users WHERE id = ?`, jane)
}
