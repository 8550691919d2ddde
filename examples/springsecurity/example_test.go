package springsecurity_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// everyone lists every account.
const everyone = `SELECT username, password, enabled FROM users ORDER BY username`

// grants lists every authorities row.
const grants = `SELECT username, authority FROM authorities ORDER BY username, authority`

// seedUsers and seedGrants are the rows schema.sql makes.
var (
	seedUsers = []string{
		`admin | {bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG | 1`,
		`jdoe | {bcrypt}$2a$10$GRLdNijSQMUvl/au9ofL.eDwmoohzzS7.rmNSJZ.0FxO/BTk76klW | 1`,
		`ops | {bcrypt}$2a$10$eH5LZ8CTnOVDlQIDxAfLFuC3.S7Sg3KpPRx5jYdKLsGVIlfPMV/MO | 0`,
	}
	seedGrants = []string{`admin | ROLE_ADMIN`, `admin | ROLE_USER`, `jdoe | ROLE_USER`, `ops | ROLE_OPERATOR`}
)

// start serves the example, checking the rows schema.sql made.
func start(t *testing.T) *exampletest.Sidecar {
	s := exampletest.Start(t, ".")
	s.CheckRows("schema.sql users", seedUsers, everyone)
	s.CheckRows("schema.sql authorities", seedGrants, grants)
	return s
}

// ids returns the ids of a list's resources.
func ids(t *testing.T, list map[string]any, want int) []string {
	t.Helper()
	var out []string
	for _, r := range exampletest.Resources(t, list, want) {
		id, _ := r["id"].(string)
		out = append(out, id)
	}
	return out
}

// TestOktaLifecycle replays Okta's SCIM 2.0 app for a person assigned to
// the application, and its Group Push of an Okta group linked to the
// declared group "Administrators": the user's lookup and create, the
// group's lookup by name (Push Groups links by name), the members added,
// the group's name pushed unchanged, a member removed, a push of a group
// the application does not have, and the deactivation.
func TestOktaLifecycle(t *testing.T) {
	s := start(t)
	lookup := "/Users?" + exampletest.Filter(`userName eq "alice"`) + "&startIndex=1&count=1"
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)
	s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "alice",
		"name": {"givenName": "Alice", "familyName": "Martin"},
		"emails": [{"primary": true, "value": "alice@example.com", "type": "work"}],
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true}`)
	s.CheckRows("POST /Users", []string{`alice | {bcrypt}! | 1`}, `SELECT username, password, enabled FROM users WHERE username = 'alice'`)

	// Group Push: the lookup by name finds the declared group.
	found := ids(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Administrators"`)+"&startIndex=1&count=100", ""), 1)
	if !slices.Equal(found, []string{"ROLE_ADMIN"}) {
		t.Fatalf("group lookup: %q", found)
	}
	// Creating it anyway is a conflict that names it.
	r := s.Do("POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Administrators", "members": []}`)
	if r.Status != http.StatusConflict || r.Body["scimType"] != "uniqueness" {
		t.Errorf("POST of a declared group: %d %s", r.Status, r.Raw)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_ADMIN", exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "alice", "display": "alice"}, {"value": "jdoe", "display": "jdoe"}]}`))
	// Okta pushes the group's name with every membership change.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_ADMIN", exampletest.Patch(
		`{"op": "replace", "value": {"id": "ROLE_ADMIN", "displayName": "Administrators"}}`))
	s.CheckRows("Group Push: members added", []string{
		`admin | ROLE_ADMIN`, `admin | ROLE_USER`, `alice | ROLE_ADMIN`, `jdoe | ROLE_ADMIN`, `jdoe | ROLE_USER`, `ops | ROLE_OPERATOR`,
	}, grants)
	g := s.Must(http.StatusOK, "GET", "/Groups/ROLE_ADMIN", "")
	if got := exampletest.Members(t, g); !slices.Equal(got, []string{"admin", "alice", "jdoe"}) {
		t.Errorf("members: %q", got)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_ADMIN", exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"jdoe\"]"}`))
	// Renaming the Okta group is refused: the application's authority
	// keeps its name.
	if r := s.Do("PATCH", "/Groups/ROLE_ADMIN", exampletest.Patch(`{"op": "replace", "value": {"id": "ROLE_ADMIN", "displayName": "Admins"}}`)); r.Status != http.StatusBadRequest || r.Body["scimType"] != "mutability" {
		t.Errorf("rename: %d %s", r.Status, r.Raw)
	}
	// A group the application has no authority for.
	if r := s.Do("POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Marketing", "members": [{"value": "alice"}]}`); r.Status != http.StatusBadRequest || r.Body["scimType"] != "invalidValue" {
		t.Errorf("POST of another group: %d %s", r.Status, r.Raw)
	}
	s.CheckRows("Group Push: one member removed, refused pushes wrote nothing", []string{
		`admin | ROLE_ADMIN`, `admin | ROLE_USER`, `alice | ROLE_ADMIN`, `jdoe | ROLE_USER`, `ops | ROLE_OPERATOR`,
	}, grants)

	// Deactivation and reactivation.
	s.Must(http.StatusOK, "PATCH", "/Users/alice", exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("deactivated", []string{`alice | {bcrypt}! | 0`}, `SELECT username, password, enabled FROM users WHERE username = 'alice'`)
	u := s.Must(http.StatusOK, "PATCH", "/Users/alice", exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	if u["active"] != true {
		t.Errorf("reactivated: %v", u)
	}
	s.CheckRows("the application's accounts are untouched", seedUsers[:2], `SELECT username, password, enabled FROM users WHERE username IN ('admin', 'jdoe') ORDER BY username`)
}

// TestEntraLifecycle replays Entra ID's provisioning of a user and of the
// Entra group "Auditors", matched to the declared group by displayName:
// the lookups (groups with excludedAttributes=members), the create, the
// members added and removed with Entra's capitalised operations and value
// lists, the user's groups, and the user's deletion, which removes its
// authorities rows with it.
func TestEntraLifecycle(t *testing.T) {
	s := start(t)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.park"`), ""), 0)
	s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "kpark",
		"userName": "kim.park",
		"active": "True",
		"displayName": "Kim Park",
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Kim Park", "familyName": "Park", "givenName": "Kim"}}`)

	found := ids(t, s.Must(http.StatusOK, "GET", "/Groups?excludedAttributes=members&"+exampletest.Filter(`displayName eq "Auditors"`), ""), 1)
	if !slices.Equal(found, []string{"ROLE_AUDITOR"}) {
		t.Fatalf("group lookup: %q", found)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_AUDITOR", exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "kim.park"}, {"value": "ops"}]}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_USER", exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "kim.park"}]}`))
	u := s.Must(http.StatusOK, "GET", "/Users/kim.park", "")
	var groups []string
	for _, g := range u["groups"].([]any) {
		groups = append(groups, g.(map[string]any)["value"].(string))
	}
	if !slices.Equal(groups, []string{"ROLE_USER", "ROLE_AUDITOR"}) {
		t.Errorf("groups of kim.park: %q", groups)
	}
	// ops's own ROLE_OPERATOR is no group of it.
	if got := s.Must(http.StatusOK, "GET", "/Users/ops", "")["groups"]; len(got.([]any)) != 1 {
		t.Errorf("groups of ops: %v", got)
	}
	// A member that is no user: 400, nothing written.
	if r := s.Do("PATCH", "/Groups/ROLE_AUDITOR", exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "jdoe"}, {"value": "nobody"}]}`)); r.Status != http.StatusBadRequest {
		t.Errorf("unknown member: %d %s", r.Status, r.Raw)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_AUDITOR", exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"value": "ops"}]}`))
	s.CheckRows("Entra: memberships", []string{
		`admin | ROLE_ADMIN`, `admin | ROLE_USER`, `jdoe | ROLE_USER`, `kim.park | ROLE_AUDITOR`, `kim.park | ROLE_USER`, `ops | ROLE_OPERATOR`,
	}, grants)
	// Entra disables, then deletes: the authorities rows go first.
	s.Must(http.StatusOK, "PATCH", "/Users/kim.park", exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("disabled", []string{`kim.park | {bcrypt}! | 0`}, `SELECT username, password, enabled FROM users WHERE username = 'kim.park'`)
	s.Must(http.StatusNoContent, "DELETE", "/Users/kim.park", "")
	s.CheckRows("deleted", seedUsers, everyone)
	s.CheckRows("deleted with its authorities", seedGrants, grants)
	// Groups are not deleted.
	if r := s.Do("DELETE", "/Groups/ROLE_AUDITOR", ""); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /Groups: %d %s", r.Status, r.Raw)
	}
}
