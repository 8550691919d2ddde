package roles_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// grants lists every row of user_roles as "role | user", the way the
// application's admin screen would show them.
const grants = `SELECT r.name, u.email FROM user_roles ur
	JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id
	ORDER BY r.name, u.email`

// before is user_roles as schema.sql leaves it.
var before = []string{
	"Admin | alice@example.com",
	"Developer | bob@example.com",
	"Developer | carol@example.com",
	"Guest | dave@example.com",
	"Project Manager | alice@example.com",
}

// with returns before plus the given rows, in grants order.
func with(rows ...string) []string {
	out := append(slices.Clone(before), rows...)
	slices.Sort(out)
	return out
}

// The users' SCIM ids: their keys in users.
const (
	alice = "1"
	bob   = "2"
	carol = "3"
	dave  = "4"
)

// TestOktaPushGroups replays what Okta sends for "Push Groups" on an app
// with Group Push enabled: a lookup by displayName, a create with the
// group's members, membership PATCHes (add without a member type, remove
// by a value filter), a rename sent as a no-path replace carrying the id,
// and a delete when the push is unlinked with "delete the group in the
// app". After each step it checks the roles and user_roles rows.
func TestOktaPushGroups(t *testing.T) {
	s := exampletest.Start(t, ".")
	s.CheckRows("schema.sql", before, grants)

	// Okta looks the group up by name before creating it.
	list := s.Must(http.StatusOK, "GET", `/Groups?`+exampletest.Filter(`displayName eq "Engineering"`)+`&startIndex=1&count=100`, "")
	exampletest.Resources(t, list, 0)

	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Engineering",
		"members": [
			{"value": "`+bob+`", "display": "bob@example.com"},
			{"value": "`+carol+`", "display": "carol@example.com"}
		]}`)
	id, _ := created["id"].(string)
	if got := exampletest.Members(t, created); !slices.Equal(got, []string{bob, carol}) {
		t.Errorf("POST /Groups: members %v, want bob and carol", got)
	}
	s.CheckRows("POST /Groups: a new role", []string{"Engineering | NULL | 1 | 1"},
		`SELECT name, sso_group_id, created_at IS NOT NULL, updated_at IS NOT NULL FROM roles WHERE id = ?`, id)
	s.CheckRows("POST /Groups: one grant per member", with("Engineering | bob@example.com", "Engineering | carol@example.com"), grants)

	// The user now shows the group.
	bobDoc := s.Must(http.StatusOK, "GET", "/Users/"+bob, "")
	if groups, _ := bobDoc["groups"].([]any); len(groups) != 2 {
		t.Errorf("GET /Users/%s: groups %v, want Developer and Engineering", bob, bobDoc["groups"])
	}

	// Okta adds members without a type, and may repeat one already in.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+alice+`", "display": "alice@example.com"}, {"value": "`+carol+`", "display": "carol@example.com"}]}`))
	s.CheckRows("PATCH add alice (and carol again)",
		with("Engineering | alice@example.com", "Engineering | bob@example.com", "Engineering | carol@example.com"), grants)
	if n := s.Value(`SELECT COUNT(*) FROM user_roles WHERE role_id = ? AND user_id = ?`, id, carol); n != "1" {
		t.Errorf("carol has %s Engineering grants, want 1", n)
	}

	// Unassigning a person removes them by a value filter.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"`+bob+`\"]"}`))
	s.CheckRows("PATCH remove bob", with("Engineering | alice@example.com", "Engineering | carol@example.com"), grants)

	// A rename in Okta is a no-path replace that repeats the id.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+id+`", "displayName": "Platform Engineering"}}`))
	if renamed := s.Must(http.StatusOK, "GET", "/Groups/"+id, ""); renamed["displayName"] != "Platform Engineering" {
		t.Errorf("rename: displayName %v", renamed["displayName"])
	}
	s.CheckRows("PATCH replace displayName: the role is renamed", []string{"Platform Engineering"}, `SELECT name FROM roles WHERE id = ?`, id)
	s.CheckRows("PATCH replace displayName: grants stay",
		with("Platform Engineering | alice@example.com", "Platform Engineering | carol@example.com"), grants)

	// Unlinking the push with "delete the group in the app".
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+id, "")
	s.CheckRows("DELETE: the role is gone", nil, `SELECT name FROM roles WHERE id = ?`, id)
	s.CheckRows("DELETE: its grants are gone, the rest stay", before, grants)
	s.CheckRows("DELETE: no user is touched", []string{"4 | 3"}, `SELECT COUNT(*), SUM(active) FROM users`)
	s.Must(http.StatusNotFound, "GET", "/Groups/"+id, "")
}

// TestOktaPushExistingRole links an Okta group to a role Taskboard already
// had ("Push Groups" → "Link Group"): the lookup finds the application's
// own row, and membership pushes change only its grants.
func TestOktaPushExistingRole(t *testing.T) {
	s := exampletest.Start(t, ".")
	list := s.Must(http.StatusOK, "GET", `/Groups?`+exampletest.Filter(`displayName eq "Developer"`)+`&startIndex=1&count=100`, "")
	found := exampletest.Resources(t, list, 1)
	id, _ := found[0]["id"].(string)
	if id != "3" || !slices.Equal(exampletest.Members(t, found[0]), []string{bob, carol}) {
		t.Fatalf("lookup of Developer: %v; want role 3 with bob and carol", found[0])
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+alice+`", "display": "alice@example.com"}]}`,
		`{"op": "remove", "path": "members[value eq \"`+carol+`\"]"}`))
	s.CheckRows("PATCH add alice, remove carol",
		[]string{
			"Admin | alice@example.com",
			"Developer | alice@example.com",
			"Developer | bob@example.com",
			"Guest | dave@example.com",
			"Project Manager | alice@example.com",
		}, grants)
	s.CheckRows("the role row itself is unchanged", []string{"Developer | Works on issues in every project | NULL"},
		`SELECT name, description, sso_group_id FROM roles WHERE id = ?`, id)
}

// TestEntraGroupProvisioning replays Microsoft Entra ID provisioning an
// assigned group: a lookup with excludedAttributes=members, a create
// carrying Entra's own schema URN and the group's object id as externalId,
// membership changes with capitalised ops and {"$ref": null, "value": ...}
// members, a rename with a path, and a delete when the group is
// unassigned.
func TestEntraGroupProvisioning(t *testing.T) {
	s := exampletest.Start(t, ".")
	const objectID = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"

	list := s.Do("GET", `/Groups?excludedAttributes=members&`+exampletest.Filter(`displayName eq "Design"`), "")
	if list.Status != http.StatusOK {
		t.Fatalf("lookup: %d %s", list.Status, list.Raw)
	}
	exampletest.Resources(t, list.Body, 0)

	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
		"externalId": "`+objectID+`",
		"displayName": "Design",
		"meta": {"resourceType": "Group"}}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Groups: a new role with Entra's object id", []string{"Design | " + objectID}, `SELECT name, sso_group_id FROM roles WHERE id = ?`, id)
	s.CheckRows("POST /Groups: no grants yet", before, grants)

	// Entra reads the group back without its members.
	got := s.Do("GET", "/Groups/"+id+"?excludedAttributes=members", "")
	if _, has := got.Body["members"]; got.Status != http.StatusOK || has || got.Body["externalId"] != objectID {
		t.Errorf("GET /Groups/%s?excludedAttributes=members: %d %s", id, got.Status, got.Raw)
	}

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+alice+`"}, {"$ref": null, "value": "`+carol+`"}]}`))
	s.CheckRows("PATCH Add alice and carol", with("Design | alice@example.com", "Design | carol@example.com"), grants)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "`+alice+`"}]}`))
	s.CheckRows("PATCH Remove alice", with("Design | carol@example.com"), grants)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "displayName", "value": "Product Design"}`))
	s.CheckRows("PATCH Replace displayName", []string{"Product Design | " + objectID}, `SELECT name, sso_group_id FROM roles WHERE id = ?`, id)
	s.CheckRows("PATCH Replace displayName: grants stay", with("Product Design | carol@example.com"), grants)

	// Entra finds it again by its new name, still without members.
	list = s.Do("GET", `/Groups?excludedAttributes=members&`+exampletest.Filter(`displayName eq "Product Design"`), "")
	if rs := exampletest.Resources(t, list.Body, 1); rs[0]["id"] != id || rs[0]["members"] != nil {
		t.Errorf("lookup after rename: %s", list.Raw)
	}

	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+id, "")
	s.CheckRows("DELETE: the role is gone", nil, `SELECT name FROM roles WHERE id = ?`, id)
	s.CheckRows("DELETE: its grants are gone", before, grants)
}

// TestDeprovisionUser checks that deactivating or deleting a user in the
// IdP keeps the user's row and roles: Taskboard still shows who did what.
func TestDeprovisionUser(t *testing.T) {
	s := exampletest.Start(t, ".")
	s.Must(http.StatusOK, "PATCH", "/Users/"+bob, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("PATCH active false", []string{"bob@example.com | 0"}, `SELECT email, active FROM users WHERE id = ?`, bob)
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+carol, "")
	s.CheckRows("DELETE (delete: deactivate)", []string{"carol@example.com | 0"}, `SELECT email, active FROM users WHERE id = ?`, carol)
	s.CheckRows("grants are kept", before, grants)
}
