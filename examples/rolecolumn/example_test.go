package rolecolumn_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// userRoles lists every user with the role the users.role column gives.
const userRoles = `SELECT username, role FROM users ORDER BY id`

// roleNames lists the roles table.
const roleNames = `SELECT name FROM roles ORDER BY id`

// The users' SCIM ids: their keys in users.
const (
	alice = "1"
	bob   = "2"
	carol = "3"
	dave  = "4"
	erin  = "5"
)

// roles returns users.role as schema.sql leaves it, with the given
// changes ("bob", "auditor", ...), in userRoles form.
func roles(changes ...string) []string {
	r := map[string]string{"alice": "admin", "bob": "support", "carol": "finance", "dave": "viewer", "erin": "viewer"}
	for i := 0; i+1 < len(changes); i += 2 {
		r[changes[i]] = changes[i+1]
	}
	var out []string
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		out = append(out, u+" | "+r[u])
	}
	return out
}

var shippedRoles = []string{"viewer", "support", "finance", "admin"}

// TestOktaPushGroups replays Okta's "Push Groups" for a new group: lookup
// by displayName, create with members, add a member without a type, remove
// one by a value filter, rename with a no-path replace, and delete. The
// membership is users.role, so every step is checked there.
func TestOktaPushGroups(t *testing.T) {
	s := exampletest.Start(t, ".")
	s.CheckRows("schema.sql", roles(), userRoles)

	list := s.Must(http.StatusOK, "GET", `/Groups?`+exampletest.Filter(`displayName eq "auditor"`)+`&startIndex=1&count=100`, "")
	exampletest.Resources(t, list, 0)

	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "auditor",
		"members": [{"value": "`+bob+`", "display": "bob"}]}`)
	id, _ := created["id"].(string)
	if got := exampletest.Members(t, created); !slices.Equal(got, []string{bob}) {
		t.Errorf("POST /Groups: members %v, want bob", got)
	}
	s.CheckRows("POST /Groups: a new role, with no permissions until an admin grants some", []string{"auditor |  | 1"},
		`SELECT name, permissions, created_at IS NOT NULL FROM roles WHERE id = ?`, id)
	s.CheckRows("POST /Groups: bob moves from support to auditor", roles("bob", "auditor"), userRoles)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+carol+`", "display": "carol"}]}`))
	s.CheckRows("PATCH add carol", roles("bob", "auditor", "carol", "auditor"), userRoles)

	// The group's members are read from users.role.
	doc := s.Must(http.StatusOK, "GET", "/Groups/"+id, "")
	if got := exampletest.Members(t, doc); !slices.Equal(got, []string{bob, carol}) {
		t.Errorf("GET /Groups/%s: members %v, want bob and carol", id, got)
	}

	// Removal writes whenRemoved: bob is a viewer now, not back in support.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"`+bob+`\"]"}`))
	s.CheckRows("PATCH remove bob", roles("bob", "viewer", "carol", "auditor"), userRoles)

	// The users rows refer to the role by name, so a rename moves them.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+id+`", "displayName": "auditors"}}`))
	s.CheckRows("PATCH replace displayName: the role", append(slices.Clone(shippedRoles), "auditors"), roleNames)
	s.CheckRows("PATCH replace displayName: its members follow", roles("bob", "viewer", "carol", "auditors"), userRoles)
	carolDoc := s.Must(http.StatusOK, "GET", "/Users/"+carol, "")
	if g, _ := carolDoc["groups"].([]any); len(g) != 1 || g[0].(map[string]any)["display"] != "auditors" || g[0].(map[string]any)["value"] != id {
		t.Errorf("GET /Users/%s: groups %v, want auditors", carol, carolDoc["groups"])
	}

	// Deleting the group returns its members to viewer.
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+id, "")
	s.CheckRows("DELETE: the role is gone", shippedRoles, roleNames)
	s.CheckRows("DELETE: its members are viewers", roles("bob", "viewer", "carol", "viewer"), userRoles)
}

// TestEntraGroupProvisioning replays Microsoft Entra ID provisioning two
// groups whose names match roles Backoffice already has: lookups with
// excludedAttributes=members, membership changes with capitalised ops and
// {"$ref": null, "value": ...} members, and a rename by path.
func TestEntraGroupProvisioning(t *testing.T) {
	s := exampletest.Start(t, ".")

	lookup := func(name string) string {
		t.Helper()
		r := s.Do("GET", `/Groups?excludedAttributes=members&`+exampletest.Filter(`displayName eq "`+name+`"`), "")
		if r.Status != http.StatusOK {
			t.Fatalf("lookup %s: %d %s", name, r.Status, r.Raw)
		}
		rs := exampletest.Resources(t, r.Body, 1)
		if _, has := rs[0]["members"]; has {
			t.Errorf("lookup %s with excludedAttributes=members returned members: %s", name, r.Raw)
		}
		id, _ := rs[0]["id"].(string)
		return id
	}
	// displayName matches case-insensitively: Entra's "Support" is the
	// tool's support role.
	support := lookup("Support")
	admin := lookup("admin")
	if support != "2" || admin != "4" {
		t.Fatalf("lookups: support %s, admin %s; want 2 and 4", support, admin)
	}

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+support, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+dave+`"}, {"$ref": null, "value": "`+alice+`"}]}`))
	s.CheckRows("PATCH Add dave and alice to support: both move there", roles("dave", "support", "alice", "support"), userRoles)

	// alice already left admin by joining support; removing her from admin
	// changes nothing.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+admin, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "`+alice+`"}]}`))
	s.CheckRows("PATCH Remove alice from admin: not a member, nothing changes", roles("dave", "support", "alice", "support"), userRoles)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+support, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "`+bob+`"}]}`))
	s.CheckRows("PATCH Remove bob from support", roles("dave", "support", "alice", "support", "bob", "viewer"), userRoles)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+support, exampletest.Patch(
		`{"op": "Replace", "path": "displayName", "value": "customer-support"}`))
	s.CheckRows("PATCH Replace displayName", []string{"viewer", "customer-support", "finance", "admin"}, roleNames)
	s.CheckRows("PATCH Replace displayName: members follow", roles("dave", "customer-support", "alice", "customer-support", "bob", "viewer"), userRoles)
	s.CheckRows("the role keeps its permissions", []string{"customers:read,customers:write,tickets:write"},
		`SELECT permissions FROM roles WHERE id = ?`, support)

	// A group Entra creates: its object id (externalId) is accepted, and
	// not stored since the roles table has no column for it.
	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
		"externalId": "5b2e8c1d-3f4a-4e6b-9c7d-1a2b3c4d5e6f",
		"displayName": "oncall",
		"meta": {"resourceType": "Group"}}`)
	oncall, _ := created["id"].(string)
	s.CheckRows("POST /Groups", []string{"viewer", "customer-support", "finance", "admin", "oncall"}, roleNames)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+oncall, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+erin+`"}]}`))
	s.CheckRows("PATCH Add erin to oncall", roles("dave", "customer-support", "alice", "customer-support", "bob", "viewer", "erin", "oncall"), userRoles)
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+oncall, "")
	s.CheckRows("DELETE oncall", []string{"viewer", "customer-support", "finance", "admin"}, roleNames)
	s.CheckRows("DELETE oncall: erin is a viewer again", roles("dave", "customer-support", "alice", "customer-support", "bob", "viewer"), userRoles)
}

// TestViewerGroup shows the default role as a group: it lists every user
// who holds no other role, and taking someone out of it leaves them there,
// because viewer is where a user without a role goes.
func TestViewerGroup(t *testing.T) {
	s := exampletest.Start(t, ".")
	list := s.Must(http.StatusOK, "GET", `/Groups?`+exampletest.Filter(`displayName eq "viewer"`), "")
	viewer := exampletest.Resources(t, list, 1)[0]
	if got := exampletest.Members(t, viewer); !slices.Equal(got, []string{dave, erin}) {
		t.Errorf("viewer: members %v, want dave and erin", got)
	}
	id, _ := viewer["id"].(string)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(`{"op": "remove", "path": "members[value eq \"`+dave+`\"]"}`))
	s.CheckRows("PATCH remove dave from viewer", roles(), userRoles)
}

// status shows every user's status code.
const status = `SELECT username, status FROM users ORDER BY id`

// TestStatusCodes checks the status codes that all mean active: they read
// as active, filters on active find them, and a PATCH that keeps a user
// active keeps the code Backoffice set (an expired password, a lockout).
// Deactivating writes 0, activating 1.
func TestStatusCodes(t *testing.T) {
	s := exampletest.Start(t, ".")
	before := []string{"alice | 1", "bob | 2", "carol | 3", "dave | 1", "erin | 0"}
	s.CheckRows("schema.sql", before, status)

	list := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users", ""), 5)
	for _, u := range list {
		if want := u["userName"] != "erin"; u["active"] != want {
			t.Errorf("%s: active %v, want %v", u["userName"], u["active"], want)
		}
	}
	for f, want := range map[string][]string{
		`active eq true`:       {"alice", "bob", "carol", "dave"},
		`active eq false`:      {"erin"},
		`active ne false`:      {"alice", "bob", "carol", "dave"},
		`not (active eq true)`: {"erin"},
	} {
		list := s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(f), "")
		var got []string
		for _, u := range exampletest.Resources(t, list, len(want)) {
			got = append(got, u["userName"].(string))
		}
		if slices.Sort(got); !slices.Equal(got, want) {
			t.Errorf("filter %s: %v, want %v", f, got, want)
		}
	}

	// Okta reactivates with PATCH active true; for users who are active
	// already that changes nothing: bob must still change his password
	// and carol is still locked out.
	s.Must(http.StatusOK, "PATCH", "/Users/"+bob, exampletest.Patch(`{"op": "replace", "value": {"active": true, "displayName": "Robert Baker"}}`))
	s.Must(http.StatusOK, "PATCH", "/Users/"+carol, exampletest.Patch(`{"op": "replace", "path": "active", "value": true}`))
	s.CheckRows("PATCH active true keeps codes 2 and 3", before, status)
	s.CheckRows("PATCH changed the display name", []string{"Robert Baker"}, `SELECT display_name FROM users WHERE id = ?`, bob)
	// A profile push (PUT) of an active user.
	s.Must(http.StatusOK, "PUT", "/Users/"+alice, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "alice", "displayName": "Alice Archer-Smith",
		"emails": [{"value": "alice@example.com", "type": "work", "primary": true}],
		"active": true}`)
	s.CheckRows("PUT active true", before, status)

	// Deactivating writes 0, whatever the code was.
	s.Must(http.StatusOK, "PATCH", "/Users/"+carol, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+bob, "")
	s.CheckRows("PATCH active false, DELETE", []string{"alice | 1", "bob | 0", "carol | 0", "dave | 1", "erin | 0"}, status)

	// Activating writes 1: carol comes back unlocked, erin is rehired.
	s.Must(http.StatusOK, "PATCH", "/Users/"+carol, exampletest.Patch(`{"op": "replace", "path": "active", "value": true}`))
	s.Must(http.StatusOK, "PATCH", "/Users/"+erin, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "True"}`))
	s.CheckRows("PATCH active true", []string{"alice | 1", "bob | 0", "carol | 1", "dave | 1", "erin | 1"}, status)

	// A user created active gets 1.
	created := s.Must(http.StatusCreated, "POST", "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "frank", "active": true}`)
	s.CheckRows("POST /Users", []string{"frank | 1 | viewer"}, `SELECT username, status, role FROM users WHERE id = ?`, created["id"])
	// Their roles are untouched by all of it.
	s.CheckRows("roles", roles(), `SELECT username, role FROM users WHERE username <> 'frank' ORDER BY id`)
}
