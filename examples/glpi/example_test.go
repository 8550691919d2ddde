package glpi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The rows of glpi_users schema.sql creates, by id.
const (
	glpiAdmin = "2" // glpi, the installer's Super-Admin
	tech      = "4"
	system    = "6" // glpi-system: out of scope
	jdoe      = "7"
	mleroy    = "8" // disabled (is_active 0)
	pbernard  = "9" // in GLPI's trash (is_deleted 1): out of sight
)

// The groups, as SCIM ids: only group-1 is a SCIM Group; group-2 is kept
// by GLPI's LDAP import and group-3 is for items only.
const (
	serviceDesk = "group-1"
	paris       = "group-2"
	printers    = "group-3"
)

// account shows the glpi_users columns of one person that provisioning
// writes, and those GLPI reads to let the account sign in.
const account = `SELECT name, firstname, realname, phone, is_active, is_deleted, authtype, auths_id, entities_id,
	profiles_id, password, registration_number, timezone, language, user_dn FROM glpi_users WHERE id = ?`

// emails lists a user's glpi_useremails rows, the default first.
const emails = `SELECT email, is_default, is_dynamic FROM glpi_useremails WHERE users_id = ? ORDER BY is_default DESC, email`

// group shows a glpi_groups row.
const group = `SELECT name, completename, entities_id, is_recursive, groups_id, level, is_usergroup, is_itemgroup,
	is_requester, is_assign, ldap_group_dn, ldap_value FROM glpi_groups WHERE id = ?`

// members lists a group's glpi_groups_users rows: user, is_dynamic,
// is_manager, is_userdelegate.
const members = `SELECT users_id, is_dynamic, is_manager, is_userdelegate FROM glpi_groups_users WHERE groups_id = ? ORDER BY users_id`

// glpiRows are GLPI's own rows, which no request may change: the
// installer's accounts and glpi-system, the trashed user and their
// addresses, and the groups out of scope with their members.
var glpiRows = []string{
	`SELECT * FROM glpi_users WHERE id <= 6 OR id = 9 ORDER BY id`,
	`SELECT * FROM glpi_useremails WHERE users_id = 9 ORDER BY id`,
	`SELECT * FROM glpi_groups WHERE id IN (2, 3) ORDER BY id`,
	`SELECT * FROM glpi_groups_users WHERE groups_id IN (2, 3) OR is_dynamic = 1 ORDER BY id`,
	`SELECT * FROM glpi_configs ORDER BY id`,
}

// start serves the example and returns GLPI's own rows as they are before
// any request.
func start(t *testing.T) (*exampletest.Sidecar, [][]string) {
	s := exampletest.Start(t, ".")
	var before [][]string
	for _, q := range glpiRows {
		before = append(before, s.Rows(q))
	}
	if len(before[0]) != 6 || len(before[2]) != 2 {
		t.Fatalf("schema.sql: %q %q", before[0], before[2])
	}
	return s, before
}

// untouched checks that GLPI's own rows are as they were.
func untouched(s *exampletest.Sidecar, step string, before [][]string) {
	for i, q := range glpiRows {
		s.CheckRows(step+": GLPI's own rows are untouched", before[i], q)
	}
}

// recent checks that a TIMESTAMP column of a row holds a time of the last
// minute, as scimbridge stamps date_creation and date_mod.
func recent(t *testing.T, s *exampletest.Sidecar, step, query string, args ...any) {
	t.Helper()
	v := s.Value(query, args...)
	at, err := time.Parse(time.DateTime, v)
	if err != nil {
		at, err = time.Parse(time.RFC3339, v)
	}
	if err != nil {
		t.Errorf("%s: %q is not a time", step, v)
		return
	}
	// The session's time zone is the server's; allow for any offset, but
	// not for an empty or stale stamp.
	if d := time.Since(at); d > 15*time.Hour || d < -15*time.Hour {
		t.Errorf("%s: %s, want about now", step, v)
	}
}

// userNames returns the userNames of a ListResponse, sorted.
func userNames(t *testing.T, list map[string]any, want int) []string {
	t.Helper()
	var out []string
	for _, r := range exampletest.Resources(t, list, want) {
		n, _ := r["userName"].(string)
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TestOktaLifecycle replays what Okta's SCIM 2.0 app sends for a person
// assigned to GLPI: the lookup by userName, the create, a profile push
// (PUT), a deactivation and its end, Push Groups (a new group with a
// member, members added and removed in GLPI's own group), and a delete,
// checking glpi_users, glpi_useremails, glpi_groups and glpi_groups_users
// after every step.
func TestOktaLifecycle(t *testing.T) {
	s, before := start(t)

	// The installer's accounts, jdoe and the disabled mleroy are Users;
	// glpi-system and the trashed pbernard are not.
	if got := userNames(t, s.Must(http.StatusOK, "GET", "/Users?count=100", ""), 6); !slices.Equal(got,
		[]string{"glpi", "jdoe", "mleroy", "normal", "post-only", "tech"}) {
		t.Errorf("GET /Users: %q", got)
	}
	for _, id := range []string{system, pbernard} {
		s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "glpi-system"`), ""), 0)
	if u := s.Must(http.StatusOK, "GET", "/Users/"+mleroy, ""); u["active"] != false {
		t.Errorf("GET /Users/%s: active %v, want false (is_active 0)", mleroy, u["active"])
	}

	lookup := "/Users?" + exampletest.Filter(`userName eq "alice.martin"`) + "&startIndex=1&count=1"
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName": "alice.martin",
		"name": {"givenName": "Alice", "familyName": "Martin"},
		"emails": [{"primary": true, "value": "alice.martin@example.com", "type": "work"}],
		"phoneNumbers": [{"primary": true, "value": "+33 1 98 76 54 32", "type": "work"}],
		"displayName": "Alice Martin",
		"locale": "fr-FR",
		"timezone": "Europe/Paris",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E-2001", "department": "Support"}}`)
	id, _ := created["id"].(string)
	if created["userName"] != "alice.martin" || created["active"] != true {
		t.Errorf("POST /Users: %v", created)
	}
	s.CheckRows("POST /Users: an external account in the root entity, no password",
		[]string{"alice.martin | Alice | Martin | +33 1 98 76 54 32 | 1 | 0 | 4 | 0 | 0 | 0 | NULL | E-2001 | Europe/Paris | NULL | NULL"}, account, id)
	s.CheckRows("POST /Users: the address is the default one",
		[]string{"alice.martin@example.com | 1 | 0"}, emails, id)
	recent(t, s, "POST /Users: date_creation", `SELECT date_creation FROM glpi_users WHERE id = ?`, id)
	recent(t, s, "POST /Users: date_mod", `SELECT date_mod FROM glpi_users WHERE id = ?`, id)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 1)
	untouched(s, "POST /Users", before)

	// The login is taken whatever the case (utf8mb4_unicode_ci).
	s.Must(http.StatusConflict, "POST", "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "JDOE"}`)

	// Profile push: a new surname and a new address; the old address row
	// goes, the new one is the default.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"id": "`+id+`",
		"userName": "alice.martin",
		"name": {"givenName": "Alice", "familyName": "Dubois"},
		"emails": [{"primary": true, "value": "alice.dubois@example.com", "type": "work"}],
		"phoneNumbers": [{"primary": true, "value": "+33 1 98 76 54 32", "type": "work"}],
		"timezone": "Europe/Paris",
		"active": true,
		"groups": [],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E-2001"}}`)
	s.CheckRows("PUT /Users: the new surname",
		[]string{"alice.martin | Alice | Dubois | +33 1 98 76 54 32 | 1 | 0 | 4 | 0 | 0 | 0 | NULL | E-2001 | Europe/Paris | NULL | NULL"}, account, id)
	s.CheckRows("PUT /Users: the new address replaces the old", []string{"alice.dubois@example.com | 1 | 0"}, emails, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("PATCH active false: is_active 0, not in the trash", []string{"0 | 0"},
		`SELECT is_active, is_deleted FROM glpi_users WHERE id = ?`, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("PATCH active true: is_active 1", []string{"1 | 0"},
		`SELECT is_active, is_deleted FROM glpi_users WHERE id = ?`, id)

	// Push Groups: a new group with Alice; then Alice into GLPI's own
	// Service Desk, and the disabled mleroy out of it.
	g := s.Must(http.StatusCreated, "POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Network team", "members": [{"value": "`+id+`", "display": "alice.martin"}]}`)
	gid, _ := g["id"].(string)
	if len(gid) < 7 || gid[:6] != "group-" {
		t.Fatalf("POST /Groups: id %q", gid)
	}
	gkey := gid[6:]
	s.CheckRows("POST /Groups: a root group that can contain users",
		[]string{"Network team | Network team | 0 | 1 | 0 | 1 | 1 | 1 | 1 | 1 | NULL | NULL"}, group, gkey)
	s.CheckRows("POST /Groups: Alice a plain member", []string{id + " | 0 | 0 | 0"}, members, gkey)
	recent(t, s, "POST /Groups: date_creation", `SELECT date_creation FROM glpi_groups WHERE id = ?`, gkey)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+serviceDesk, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+id+`"}]}`,
		`{"op": "remove", "path": "members[value eq \"`+mleroy+`\"]"}`))
	s.CheckRows("PATCH Service Desk: Alice in, mleroy out, jdoe still its manager, tech and the rule's row untouched",
		[]string{tech + " | 0 | 0 | 0", "5 | 1 | 0 | 0", jdoe + " | 0 | 1 | 0", id + " | 0 | 0 | 0"}, members, "1")
	// The row a rule gave normal (5) is GLPI's: no member for SCIM, and a
	// replace of the members keeps it.
	if ms := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/"+serviceDesk, "")); !slices.Equal(ms, slices.Sorted(slices.Values([]string{tech, jdoe, id}))) {
		t.Errorf("GET Service Desk: members %q", ms)
	}
	s.Must(http.StatusOK, "PUT", "/Groups/"+serviceDesk, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"id": "`+serviceDesk+`", "displayName": "Service Desk", "members": [{"value": "`+jdoe+`"}, {"value": "`+id+`"}]}`)
	s.CheckRows("PUT Service Desk: tech out; jdoe keeps is_manager; the rule's row stays",
		[]string{"5 | 1 | 0 | 0", jdoe + " | 0 | 1 | 0", id + " | 0 | 0 | 0"}, members, "1")
	s.CheckRows("PUT Service Desk: the group row", []string{"Service Desk | Service Desk | 0 | 1 | 0 | 1 | 1 | 1 | 1 | 1 | NULL | NULL"}, group, "1")

	// The groups out of scope are no SCIM Groups.
	for _, gid := range []string{paris, printers} {
		s.Must(http.StatusNotFound, "PATCH", "/Groups/"+gid, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Paris office"`), ""), 0)
	// GLPI's group names are not unique (no index), and a group out of
	// scope holds none: a group for users named like the items' group is a
	// second row.
	p := s.Must(http.StatusCreated, "POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Printers"}`)
	pid, _ := p["id"].(string)
	s.CheckRows("POST /Groups Printers: a second group",
		[]string{"Printers | Printers | 0 | 1 | 0 | 1 | 1 | 1 | 1 | 1 | NULL | NULL"}, group, pid[len("group-"):])
	untouched(s, "Push Groups", before)

	// DELETE puts the user in GLPI's trash: the row, its addresses and
	// memberships stay, as GLPI's own "Delete" keeps them
	// (delete.memberships: keep).
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE /Users: in the trash, still active as it was",
		[]string{"alice.martin | Alice | Dubois | +33 1 98 76 54 32 | 1 | 1 | 4 | 0 | 0 | 0 | NULL | E-2001 | Europe/Paris | NULL | NULL"}, account, id)
	s.CheckRows("DELETE /Users: the address stays", []string{"alice.dubois@example.com | 1 | 0"}, emails, id)
	s.CheckRows("DELETE /Users: the memberships stay", []string{id + " | 0 | 0 | 0"}, members, gkey)
	s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)
	if ms := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/"+gid, "")); len(ms) != 0 {
		t.Errorf("GET /Groups after the delete: members %q, want none (a trashed user is no member)", ms)
	}
	// The login stays taken until the user is purged in GLPI.
	s.Must(http.StatusConflict, "POST", "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "alice.martin"}`)
	untouched(s, "DELETE /Users", before)
}

// TestEntraLifecycle replays what Entra ID's provisioning service sends:
// the lookup by userName, the create with Entra's body (the enterprise
// extension, "active" as a string), PATCH with Entra's capitalised
// operations and "False"/"True" strings, and group provisioning (a group
// created empty, members added and removed).
func TestEntraLifecycle(t *testing.T) {
	s, before := start(t)
	lookup := "/Users?" + exampletest.Filter(`userName eq "kim.park@contoso.example"`)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "kpark",
		"userName": "kim.park@contoso.example",
		"active": "True",
		"displayName": "Kim Park",
		"emails": [{"primary": true, "type": "work", "value": "kim.park@contoso.example"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Kim Park", "familyName": "Park", "givenName": "Kim"},
		"phoneNumbers": [{"type": "work", "value": "+1 206 555 0100"}],
		"title": "Analyst",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "700123", "department": "Finance"}}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Users",
		[]string{"kim.park@contoso.example | Kim | Park | +1 206 555 0100 | 1 | 0 | 4 | 0 | 0 | 0 | NULL | 700123 | NULL | NULL | NULL"}, account, id)
	s.CheckRows("POST /Users: the address", []string{"kim.park@contoso.example | 1 | 0"}, emails, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "name.familyName", "value": "Park-Lee"}`,
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "kim.parklee@contoso.example"}`,
		`{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "700124"}`))
	s.CheckRows("PATCH: surname, address and number",
		[]string{"kim.park@contoso.example | Kim | Park-Lee | +1 206 555 0100 | 1 | 0 | 4 | 0 | 0 | 0 | NULL | 700124 | NULL | NULL | NULL"}, account, id)
	s.CheckRows("PATCH: the work address replaced", []string{"kim.parklee@contoso.example | 1 | 0"}, emails, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows(`PATCH active "False"`, []string{"0 | 0"}, `SELECT is_active, is_deleted FROM glpi_users WHERE id = ?`, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "True"}`))
	s.CheckRows(`PATCH active "True"`, []string{"1 | 0"}, `SELECT is_active, is_deleted FROM glpi_users WHERE id = ?`, id)

	// Entra creates a group without members, then adds and removes them.
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Finance"`), ""), 0)
	g := s.Must(http.StatusCreated, "POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"externalId": "9c1d7f3e-2b4a-4f6e-8d0c-1a2b3c4d5e6f", "displayName": "Finance", "meta": {"resourceType": "Group"}}`)
	gid, _ := g["id"].(string)
	gkey := gid[len("group-"):]
	s.CheckRows("POST /Groups", []string{"Finance | Finance | 0 | 1 | 0 | 1 | 1 | 1 | 1 | 1 | NULL | NULL"}, group, gkey)
	s.CheckRows("POST /Groups: no members", []string{}, members, gkey)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}, {"value": "`+jdoe+`"}]}`))
	s.CheckRows("PATCH Add members", []string{jdoe + " | 0 | 0 | 0", id + " | 0 | 0 | 0"}, members, gkey)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"value": "`+jdoe+`"}]}`))
	s.CheckRows("PATCH Remove members", []string{id + " | 0 | 0 | 0"}, members, gkey)
	// glpi-system cannot be made a member.
	if r := s.Do("PATCH", "/Groups/"+gid, exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "`+system+`"}]}`)); r.Status < 400 {
		t.Errorf("adding glpi-system: %d %s", r.Status, r.Raw)
	}
	s.CheckRows("adding glpi-system changes nothing", []string{id + " | 0 | 0 | 0"}, members, gkey)

	// Entra's delete, when the user is gone from Entra: the trash.
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE /Users: in the trash", []string{"1 | 1"}, `SELECT is_active, is_deleted FROM glpi_users WHERE id = ?`, id)
	s.Must(http.StatusNotFound, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	// A group delete removes the group and its rows, as GLPI's purge does.
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+gid, "")
	s.CheckRows("DELETE /Groups", []string{}, group, gkey)
	s.CheckRows("DELETE /Groups: its memberships", []string{}, members, gkey)
	// The system account is out of scope, and GLPI's unique key is
	// (name, authtype, auths_id): the scope's name: {ne: glpi-system}
	// reserves the name, so a second glpi-system is refused with 400,
	// whether created or renamed to.
	r := s.Do("POST", "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "glpi-system"}`)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "invalidValue") || !strings.Contains(r.Raw, "userName") {
		t.Errorf("POST glpi-system: %d %s, want 400 invalidValue naming userName", r.Status, r.Raw)
	}
	s.Must(http.StatusBadRequest, "PATCH", "/Users/"+jdoe, exampletest.Patch(`{"op": "Replace", "path": "userName", "value": "GLPI-System"}`))
	s.CheckRows("POST glpi-system: no second account of that name", []string{"1 | Support | 0"},
		`SELECT authtype, realname, is_deleted FROM glpi_users WHERE name = 'glpi-system' ORDER BY id`)
	s.CheckRows("jdoe unchanged",
		[]string{"jdoe | Jane | Doe | +33 1 23 45 67 89 | 1 | 0 | 4 | 0 | 0 | 1 | NULL | E-1007 | Europe/Paris | NULL | NULL"}, account, jdoe)
	untouched(s, "Entra", before)
}
