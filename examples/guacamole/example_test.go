package guacamole_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The entities schema.sql creates, by entity_id.
const (
	guacadmin = "1"
	jane      = "2" // a disabled account, member of the group support
)

// account reads a user's entity and account rows, as Guacamole's user
// editor shows them.
const account = `SELECT e.name, e.type, u.full_name, u.email_address, u.organization, u.organizational_role,
	u.timezone, u.disabled, u.expired, LENGTH(u.password_hash), u.password_salt IS NULL, u.password_date IS NOT NULL
	FROM guacamole_entity e JOIN guacamole_user u ON u.entity_id = e.entity_id WHERE e.entity_id = ?`

// untouched reads the rows a user's provisioning must leave alone: the
// administrator, the groups and the memberships.
const untouched = `SELECT CONCAT(e.entity_id, ' ', e.name, ' ', e.type) FROM guacamole_entity e WHERE e.entity_id <= 4
	UNION ALL SELECT CONCAT('group ', user_group_id, ' ', entity_id, ' ', disabled) FROM guacamole_user_group
	UNION ALL SELECT CONCAT('member ', user_group_id, ' ', member_entity_id) FROM guacamole_user_group_member`

// TestOktaLifecycle replays Okta's SCIM 2.0 app against Guacamole: the
// lookup by userName, the create (an entity and its account row, with no
// password of its own), a profile push (PUT), a deactivation and its end
// (Guacamole's "Disable login"), and the delete, which removes both rows.
func TestOktaLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	before := s.Rows(untouched)
	// sam.lee is a user group's name: no user has it.
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "sam.lee"`)+"&startIndex=1&count=1", ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName": "sam.lee",
		"name": {"givenName": "Sam", "familyName": "Lee"},
		"displayName": "Sam Lee",
		"emails": [{"primary": true, "value": "sam.lee@example.com", "type": "work"}],
		"title": "Engineer",
		"locale": "en-US",
		"password": "never-stored-2024",
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "Example Corp"}}`)
	id, _ := created["id"].(string)
	if created["userName"] != "sam.lee" || created["active"] != true || created["displayName"] != "Sam Lee" {
		t.Errorf("POST /Users: %v", created)
	}
	s.CheckRows("POST /Users: the entity and its account, with no password of its own",
		[]string{"sam.lee | USER | Sam Lee | sam.lee@example.com | Example Corp | Engineer | NULL | 0 | 0 | 32 | 1 | 1"}, account, id)

	// A second create of the name (Okta retrying) is a conflict.
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "Sam.Lee", "active": true}`)

	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"id": "`+id+`",
		"userName": "sam.lee",
		"displayName": "Sam Lee-Park",
		"emails": [{"primary": true, "value": "sam.lee-park@example.com", "type": "work"}],
		"title": "Senior Engineer",
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "Example Corp"}}`)
	s.CheckRows("PUT: the account row's profile",
		[]string{"sam.lee | USER | Sam Lee-Park | sam.lee-park@example.com | Example Corp | Senior Engineer | NULL | 0 | 0 | 32 | 1 | 1"}, account, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("deactivate: Disable login", []string{"1"}, `SELECT disabled FROM guacamole_user WHERE entity_id = ?`, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("reactivate", []string{"0"}, `SELECT disabled FROM guacamole_user WHERE entity_id = ?`, id)

	// Guacamole's own users are matched, not created again.
	for _, m := range []struct {
		filter, id string
		active     bool
	}{
		{`userName eq "GUACADMIN"`, guacadmin, true},
		{`userName eq "jane.roe"`, jane, false},
		{`emails.value eq "jane.roe@example.com"`, jane, false},
	} {
		got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(m.filter)+"&count=1", ""), 1)
		if got[0]["id"] != m.id || got[0]["active"] != m.active {
			t.Errorf("%s: %v, want id %s, active %v", m.filter, got[0], m.id, m.active)
		}
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?count=100", ""), 3)

	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE: the account row and the entity are gone", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM guacamole_entity WHERE entity_id = ?), (SELECT COUNT(*) FROM guacamole_user WHERE entity_id = ?)`, id, id)
	s.CheckRows("the administrator, the groups and the memberships are as they were", before, untouched)
}

// TestEntraLifecycle replays Microsoft Entra ID's provisioning of a user:
// the lookup by userName, the create with its enterprise extension, the
// attribute updates as one PATCH with capitalised ops, the deactivation
// with "False" as a string, and the delete.
func TestEntraLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	before := s.Rows(untouched)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "amy.chen@example.com"`), ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "amy.chen",
		"userName": "amy.chen@example.com",
		"active": true,
		"displayName": "Amy Chen",
		"emails": [{"primary": true, "type": "work", "value": "amy.chen@example.com"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Amy Chen", "familyName": "Chen", "givenName": "Amy"},
		"title": "Analyst",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "Finance"}}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Users", []string{"amy.chen@example.com | USER | Amy Chen | amy.chen@example.com | Finance | Analyst | NULL | 0 | 0 | 32 | 1 | 1"}, account, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "title", "value": "Senior Analyst"}`,
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "amy.c@example.com"}`,
		`{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization", "value": "Treasury"}`,
		`{"op": "Add", "path": "displayName", "value": "Amy C. Chen"}`))
	s.CheckRows("PATCH: the account row's profile", []string{"amy.chen@example.com | USER | Amy C. Chen | amy.c@example.com | Treasury | Senior Analyst | NULL | 0 | 0 | 32 | 1 | 1"}, account, id)
	got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`emails[type eq "work"].value eq "amy.c@example.com"`), ""), 1)
	if got[0]["id"] != id {
		t.Errorf("lookup by the new address: %v", got[0])
	}

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("deactivate", []string{"1"}, `SELECT disabled FROM guacamole_user WHERE entity_id = ?`, id)

	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM guacamole_entity WHERE entity_id = ?), (SELECT COUNT(*) FROM guacamole_user WHERE entity_id = ?)`, id, id)
	s.CheckRows("the rest is as it was", before, untouched)
}

// The group entities schema.sql creates, by entity_id: support's group
// row is user_group_id 1, sam.lee's 2.
const support = "3"

// memberships reads every membership as Guacamole's group editor shows
// it: the group's name, its user_group_id, and the member's name and type
// (spelled out: the embedded engine's CONCAT gives an ENUM's index).
const memberships = `SELECT CONCAT(g.name, ' ', m.user_group_id, ' ', e.name, ' ', IF(e.type = 'USER', 'USER', 'USER_GROUP'))
	FROM guacamole_user_group_member m JOIN guacamole_user_group ug ON ug.user_group_id = m.user_group_id
	JOIN guacamole_entity g ON g.entity_id = ug.entity_id JOIN guacamole_entity e ON e.entity_id = m.member_entity_id
	ORDER BY g.name, e.name`

// group reads a group's entity and group row.
const group = `SELECT e.name, e.type, ug.disabled FROM guacamole_entity e JOIN guacamole_user_group ug ON ug.entity_id = e.entity_id WHERE e.entity_id = ?`

// TestOktaGroupPush replays Okta's Group Push: the lookup by displayName,
// the create with its members (an entity and its group row, the
// memberships naming the new user_group_id), the membership PATCHes
// (Okta sends a replace of displayName and adds and removes by value),
// and the delete, which removes the memberships, the group row and the
// entity. Guacamole's own group, support, keeps jane and its nested group.
func TestOktaGroupPush(t *testing.T) {
	s := exampletest.Start(t, ".")
	// A group of the same name as a user is only the group.
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "guacadmin"`)+"&startIndex=1&count=100", ""), 0)
	s.Rows(`INSERT INTO guacamole_user_group_member (user_group_id, member_entity_id) VALUES (1, 4)`) // sam.lee's group in support
	found := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "support"`), ""), 1)
	if found[0]["id"] != support || !slices.Equal(exampletest.Members(t, found[0]), []string{jane}) {
		t.Errorf("support: %v", found[0])
	}

	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Remote Staff",
		"members": [{"value": "`+guacadmin+`", "display": "guacadmin"}]}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Groups: the entity and its group row, enabled", []string{"Remote Staff | USER_GROUP | 0"}, group, id)
	ug := s.Value(`SELECT user_group_id FROM guacamole_user_group WHERE entity_id = ?`, id)
	s.CheckRows("POST /Groups: the membership names the new group row", []string{
		"Remote Staff " + ug + " guacadmin USER",
		"support 1 jane.roe USER", "support 1 sam.lee USER_GROUP"}, memberships)
	s.Must(http.StatusConflict, "POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "support"}`)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+id+`", "displayName": "Remote Staff EU"}}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+jane+`", "display": "jane.roe"}]}`,
		`{"op": "remove", "path": "members", "value": [{"value": "`+guacadmin+`", "display": "guacadmin"}]}`))
	s.CheckRows("PATCH: renamed, jane in, guacadmin out", []string{
		"Remote Staff EU " + ug + " jane.roe USER",
		"support 1 jane.roe USER", "support 1 sam.lee USER_GROUP"}, memberships)
	// An unknown member is refused, and nothing is written.
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+guacadmin+`"}, {"value": "`+support+`"}]}`))
	got := s.Must(http.StatusOK, "GET", "/Users/"+jane, "")
	if gs := groupValues(got); !slices.Equal(gs, []string{support, id}) && !slices.Equal(gs, []string{id, support}) {
		t.Errorf("jane's groups: %v", got["groups"])
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`members.value eq "`+jane+`"`), ""), 2)

	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+id, "")
	s.CheckRows("DELETE: the memberships, the group row and the entity are gone", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM guacamole_entity WHERE entity_id = ?), (SELECT COUNT(*) FROM guacamole_user_group WHERE entity_id = ?)`, id, id)
	s.CheckRows("support is as it was", []string{"support 1 jane.roe USER", "support 1 sam.lee USER_GROUP"}, memberships)
}

// TestEntraGroups replays Microsoft Entra ID's group provisioning: the
// create without members, the members added with a capitalised op, a
// member removed by a filtered path, a replace of the whole membership
// (which leaves support's nested group alone), and the deletion of a
// user, which takes it out of its groups.
func TestEntraGroups(t *testing.T) {
	s := exampletest.Start(t, ".")
	s.Rows(`INSERT INTO guacamole_user_group_member (user_group_id, member_entity_id) VALUES (1, 4)`)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Finance"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"externalId": "4f1c1f2e-9d1b-4d3a-8a7e-2b8b6c1d0e5f",
		"displayName": "Finance", "members": []}`)
	id, _ := created["id"].(string)
	ug := s.Value(`SELECT user_group_id FROM guacamole_user_group WHERE entity_id = ?`, id)
	amy := s.Must(http.StatusCreated, "POST", "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "amy.chen@example.com", "active": true}`)
	amyID, _ := amy["id"].(string)

	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "`+amyID+`"}, {"value": "`+jane+`"}]}`))
	s.CheckRows("Add: two members", []string{
		"Finance " + ug + " amy.chen@example.com USER", "Finance " + ug + " jane.roe USER",
		"support 1 jane.roe USER", "support 1 sam.lee USER_GROUP"}, memberships)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+id, exampletest.Patch(
		`{"op": "Remove", "path": "members[value eq \"`+jane+`\"]"}`))
	s.CheckRows("Remove by a filtered path", []string{
		"Finance " + ug + " amy.chen@example.com USER",
		"support 1 jane.roe USER", "support 1 sam.lee USER_GROUP"}, memberships)

	// A replace of support's members: the nested group is no user.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+support, exampletest.Patch(
		`{"op": "Replace", "path": "members", "value": [{"value": "`+amyID+`"}]}`))
	s.CheckRows("Replace: support's users, and only they", []string{
		"Finance " + ug + " amy.chen@example.com USER",
		"support 1 amy.chen@example.com USER", "support 1 sam.lee USER_GROUP"}, memberships)

	s.Must(http.StatusNoContent, "DELETE", "/Users/"+amyID, "")
	s.CheckRows("DELETE a user: out of every group", []string{"support 1 sam.lee USER_GROUP"}, memberships)
	s.CheckRows("the groups' rows stay", []string{"Finance | USER_GROUP | 0"}, group, id)
}

// groupValues returns the values of a User document's groups.
func groupValues(doc map[string]any) []string {
	var out []string
	list, _ := doc["groups"].([]any)
	for _, g := range list {
		obj, _ := g.(map[string]any)
		v, _ := obj["value"].(string)
		out = append(out, v)
	}
	return out
}
