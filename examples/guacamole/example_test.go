package guacamole_test

import (
	"net/http"
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
