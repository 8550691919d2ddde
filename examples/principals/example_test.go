package principals_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The principals schema.sql creates.
const (
	alice       = "6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f41"
	bob         = "6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f42"
	carol       = "6f1c2a3e-0b1d-4c5e-8f7a-9b0c1d2e3f43"
	engineering = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c61"
	everyone    = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c62"
	indexer     = "0d0e0a0d-beef-4c0f-9e11-5e2a7c1b0001"
)

// memberships lists every row of group_members as "group | member (type)".
const memberships = `SELECT CONCAT(g.name, ' | ', m.name, ' (', m.type, ')') FROM group_members gm
	JOIN principals g ON g.id = gm.group_id JOIN principals m ON m.id = gm.member_id
	ORDER BY g.name, m.name`

// before is group_members as schema.sql leaves it.
var before = []string{
	"engineering | alice (User)",
	"engineering | search-indexer (Service)",
	"everyone | alice (User)",
	"everyone | bob (User)",
	"everyone | carol (User)",
}

// with returns before without the rows in drop and with the rows in add,
// in memberships order.
func with(drop []string, add ...string) []string {
	var out []string
	for _, r := range before {
		if !slices.Contains(drop, r) {
			out = append(out, r)
		}
	}
	out = append(out, add...)
	// The database orders by the columns' case-insensitive collation.
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

// principal shows one principals row.
const principal = `SELECT type, name, COALESCE(display_name, 'NULL'), COALESCE(email, 'NULL'), COALESCE(external_id, 'NULL'), disabled,
	created_at IS NOT NULL, updated_at IS NOT NULL FROM principals WHERE id = ?`

// counts shows how many principals of each type there are.
const counts = `SELECT type, COUNT(*) FROM principals GROUP BY type ORDER BY type`

// TestOktaPushGroups replays Okta's "Push Groups" for a new group: lookup by
// displayName, create with members, add without a member type, remove by a
// value filter, rename by a no-path replace carrying the id, and delete.
// The group is a 'Group' row of principals and its members group_members
// rows; each step is checked there.
func TestOktaPushGroups(t *testing.T) {
	s := exampletest.Start(t, ".")
	s.CheckRows("schema.sql", before, memberships)

	list := s.Must(http.StatusOK, "GET", `/Groups?`+exampletest.Filter(`displayName eq "design"`)+`&startIndex=1&count=100`, "")
	exampletest.Resources(t, list, 0)

	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "design",
		"members": [
			{"value": "`+alice+`", "display": "alice"},
			{"value": "`+bob+`", "display": "bob"}
		]}`)
	id, _ := created["id"].(string)
	if got := exampletest.Members(t, created); !slices.Equal(got, []string{alice, bob}) {
		t.Errorf("POST /Groups: members %v, want alice and bob", got)
	}
	s.CheckRows("POST /Groups: a 'Group' principal, its name copied to display_name, no e-mail",
		[]string{"Group | design | design | NULL | NULL | 0 | 1 | 1"}, principal, id)
	s.CheckRows("POST /Groups: a group_members row per member",
		with(nil, "design | alice (User)", "design | bob (User)"), memberships)
	s.CheckRows("POST /Groups: one more group, nothing else", []string{"Group | 3", "Service | 1", "User | 3"}, counts)

	// The new group is not a user.
	s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users", ""), 3)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+carol+`", "display": "carol"}]}`))
	s.CheckRows("PATCH add carol", with(nil, "design | alice (User)", "design | bob (User)", "design | carol (User)"), memberships)

	// A member must be a user: neither a group nor a service account can be
	// added, and the whole PATCH is refused.
	for _, notUser := range []string{everyone, indexer} {
		r := s.Do("PATCH", "/Groups/"+id, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+notUser+`"}]}`))
		if r.Status != http.StatusBadRequest || r.Body["scimType"] != "invalidValue" {
			t.Errorf("adding principal %s as a member: %d %s; want 400 invalidValue", notUser, r.Status, r.Raw)
		}
	}
	s.CheckRows("refused PATCHes change nothing", with(nil, "design | alice (User)", "design | bob (User)", "design | carol (User)"), memberships)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"`+alice+`\"]"}`))
	s.CheckRows("PATCH remove alice", with(nil, "design | bob (User)", "design | carol (User)"), memberships)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+id+`", "displayName": "product-design"}}`))
	s.CheckRows("PATCH replace displayName: name and its copy",
		[]string{"Group | product-design | product-design | NULL | NULL | 0 | 1 | 1"}, principal, id)
	s.CheckRows("PATCH replace displayName: members stay",
		with(nil, "product-design | bob (User)", "product-design | carol (User)"), memberships)

	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+id, "")
	s.CheckRows("DELETE: the principal is gone", nil, principal, id)
	s.CheckRows("DELETE: its memberships are gone", before, memberships)
	s.CheckRows("DELETE: no user is touched", []string{"Group | 2", "Service | 1", "User | 3"}, counts)
}

// TestEntraGroupProvisioning replays Microsoft Entra ID provisioning: a
// group it creates (with its object id as externalId) and a group Wikid
// already had, matched by displayName with excludedAttributes=members;
// membership changes with capitalised ops and {"$ref": null, "value": ...}
// members; a rename with a path; and deletes. The service account in the
// engineering group is not a SCIM member: it is never shown and never
// removed.
func TestEntraGroupProvisioning(t *testing.T) {
	s := exampletest.Start(t, ".")
	const objectID = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"
	lookup := func(name string, want int) []map[string]any {
		t.Helper()
		r := s.Do("GET", `/Groups?excludedAttributes=members&`+exampletest.Filter(`displayName eq "`+name+`"`), "")
		if r.Status != http.StatusOK {
			t.Fatalf("lookup %s: %d %s", name, r.Status, r.Raw)
		}
		rs := exampletest.Resources(t, r.Body, want)
		for _, g := range rs {
			if _, has := g["members"]; has {
				t.Errorf("lookup %s: members returned despite excludedAttributes=members: %s", name, r.Raw)
			}
		}
		return rs
	}

	// A group Entra creates.
	lookup("Support", 0)
	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
		"externalId": "`+objectID+`",
		"displayName": "Support",
		"meta": {"resourceType": "Group"}}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Groups", []string{"Group | Support | Support | NULL | " + objectID + " | 0 | 1 | 1"}, principal, id)
	s.CheckRows("POST /Groups: no members", before, memberships)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+bob+`"}]}`,
		`{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+carol+`"}]}`))
	s.CheckRows("PATCH Add bob and carol", with(nil, "Support | bob (User)", "Support | carol (User)"), memberships)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "`+carol+`"}]}`))
	s.CheckRows("PATCH Remove carol", with(nil, "Support | bob (User)"), memberships)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "displayName", "value": "Customer Support"}`))
	s.CheckRows("PATCH Replace displayName", []string{"Group | Customer Support | Customer Support | NULL | " + objectID + " | 0 | 1 | 1"}, principal, id)
	if rs := lookup("Customer Support", 1); rs[0]["id"] != id || rs[0]["externalId"] != objectID {
		t.Errorf("lookup after rename: %v", rs[0])
	}

	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+id, "")
	s.CheckRows("DELETE", nil, principal, id)
	s.CheckRows("DELETE: memberships", before, memberships)

	// A group Wikid already had: "Engineering" matches the name
	// engineering, and its members are only the users in it.
	eng := lookup("Engineering", 1)[0]
	if eng["id"] != engineering {
		t.Fatalf("lookup Engineering: %v", eng)
	}
	doc := s.Must(http.StatusOK, "GET", "/Groups/"+engineering, "")
	if got := exampletest.Members(t, doc); !slices.Equal(got, []string{alice}) {
		t.Errorf("engineering: members %v, want only alice (the search indexer is not a user)", got)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+engineering, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+bob+`"}]}`,
		`{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "`+alice+`"}]}`))
	s.CheckRows("PATCH Add bob, Remove alice: the service account stays",
		with([]string{"engineering | alice (User)"}, "engineering | bob (User)"), memberships)

	// Users show the groups they are in.
	bobDoc := s.Must(http.StatusOK, "GET", "/Users/"+bob, "")
	var groups []string
	list, _ := bobDoc["groups"].([]any)
	for _, g := range list {
		groups = append(groups, g.(map[string]any)["display"].(string))
	}
	slices.Sort(groups)
	if !slices.Equal(groups, []string{"engineering", "everyone"}) {
		t.Errorf("bob's groups: %v, want engineering and everyone", groups)
	}

	// Deleting engineering removes it, its memberships (the service
	// account's too: the group is gone) and, by the schema's cascade, its
	// space permissions.
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+engineering, "")
	s.CheckRows("DELETE engineering", []string{"everyone | alice (User)", "everyone | bob (User)", "everyone | carol (User)"}, memberships)
	s.CheckRows("DELETE engineering: the service account itself stays", []string{"Service | search-indexer | Search indexer | NULL | NULL | 0 | 1 | 0"}, principal, indexer)
}

// TestUsersAreUserRows checks the User side of the one table: only 'User'
// rows are listed, e-mails come from the principals row, the inverted flag
// reads as active, and a user created through SCIM is a 'User' row that
// may share its name with a group.
func TestUsersAreUserRows(t *testing.T) {
	s := exampletest.Start(t, ".")
	users := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users", ""), 3)
	for _, u := range users {
		name, _ := u["userName"].(string)
		emails, _ := u["emails"].([]any)
		if len(emails) != 1 || emails[0].(map[string]any)["value"] != name+"@example.com" {
			t.Errorf("%s: emails %v", name, u["emails"])
		}
		if want := name != "carol"; u["active"] != want {
			t.Errorf("%s: active %v, want %v", name, u["active"], want)
		}
	}
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "everyone",
		"displayName": "Eve Ryan",
		"emails": [{"value": "eve@example.com", "type": "work", "primary": true}],
		"active": true}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Users", []string{"User | everyone | Eve Ryan | eve@example.com | NULL | 0 | 1 | 1"}, principal, id)
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE /Users (delete: deactivate)", []string{"User | everyone | Eve Ryan | eve@example.com | NULL | 1 | 1 | 1"}, principal, id)
}
