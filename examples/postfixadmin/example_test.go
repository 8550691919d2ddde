package postfixadmin_test

import (
	"net/http"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// mailbox shows the columns of one mailbox that provisioning writes.
const mailbox = "SELECT username, name, local_part, domain, maildir, password, quota, active FROM mailbox WHERE username = ?"

// aliases lists every alias row, as Postfix reads them.
const aliases = "SELECT address, `goto`, domain FROM alias ORDER BY address"

// before is alias as schema.sql leaves it; no request here writes it
// except a rename.
var before = []string{
	"alice@example.com | alice@example.com | example.com",
	"bob@example.org | bob@example.org | example.org",
	"postmaster@example.com | alice@example.com | example.com",
}

// TestOktaLifecycle replays Okta's provisioning of a user to an app with
// "Create", "Update" and "Deactivate" enabled: a lookup by userName, a
// create, a full replace with a new name, a deactivation and a
// reactivation. After each step it checks the mailbox row.
func TestOktaLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")

	// Okta looks the user up first; alice exists and is found by her
	// address in any case; bob's domain is not this directory's.
	list := s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "Alice@Example.com"`)+"&startIndex=1&count=100", "")
	if got := exampletest.Resources(t, list, 1); got[0]["id"] != "alice@example.com" {
		t.Errorf("lookup of alice: %v", got[0])
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "bob@example.org"`), ""), 0)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "jo.smith@example.com"`), ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "Jo.Smith@example.com",
		"name": {"givenName": "Jo", "familyName": "Smith"},
		"emails": [{"primary": true, "value": "Jo.Smith@example.com", "type": "work"}],
		"displayName": "Jo Smith",
		"active": true}`)
	if created["id"] != "jo.smith@example.com" {
		t.Fatalf("POST: id %v, want the lower-cased address", created["id"])
	}
	s.CheckRows("POST: a mailbox keyed by its address",
		[]string{"jo.smith@example.com | Jo Smith | jo.smith | example.com | example.com/jo.smith/ | ! | 0 | 1"}, mailbox, "jo.smith@example.com")

	s.Must(http.StatusOK, "PUT", "/Users/jo.smith%40example.com", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "jo.smith@example.com",
		"userName": "jo.smith@example.com",
		"name": {"givenName": "Joanna", "familyName": "Smith"},
		"displayName": "Joanna Smith",
		"active": true}`)
	s.CheckRows("PUT: the new name",
		[]string{"jo.smith@example.com | Joanna Smith | jo.smith | example.com | example.com/jo.smith/ | ! | 0 | 1"}, mailbox, "jo.smith@example.com")

	for _, step := range []struct{ active, want string }{{"false", "0"}, {"true", "1"}} {
		doc := s.Must(http.StatusOK, "PATCH", "/Users/jo.smith%40example.com", exampletest.Patch(`{"op": "replace", "value": {"active": `+step.active+`}}`))
		if doc["active"] != (step.active == "true") {
			t.Errorf("PATCH active %s: %v", step.active, doc["active"])
		}
		s.CheckRows("PATCH active "+step.active, []string{step.want}, "SELECT active FROM mailbox WHERE username = 'jo.smith@example.com'")
	}
	s.CheckRows("the aliases, untouched", before, aliases)
	s.CheckRows("bob's mailbox, in another domain, untouched",
		[]string{"bob@example.org | Bob Baker | bob | example.org | example.org/bob/ | 0 | 1"},
		"SELECT username, name, local_part, domain, maildir, quota, active FROM mailbox WHERE domain <> 'example.com'")
}

// TestEntraLifecycle replays Entra ID's provisioning: a lookup by
// userName, a create, PATCHes with capitalised ops and "False" strings,
// and a change of the user principal name, which renames the mailbox and
// the aliases that name it.
func TestEntraLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim@example.com"`), ""), 0)
	s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "6a4b1d3e-0000-4000-8000-000000000001",
		"userName": "kim@example.com",
		"active": true,
		"displayName": "Kim Lee",
		"name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
		"emails": [{"primary": true, "type": "work", "value": "kim@example.com"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"}}`)
	s.CheckRows("POST", []string{"kim@example.com | Kim Lee | kim | example.com | example.com/kim/ | ! | 0 | 1"}, mailbox, "kim@example.com")

	s.Must(http.StatusOK, "PATCH", "/Users/kim%40example.com", exampletest.Patch(
		`{"op": "Replace", "path": "displayName", "value": "Kim Park"}`,
		`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("PATCH displayName and active False", []string{"kim@example.com | Kim Park | kim | example.com | example.com/kim/ | ! | 0 | 0"}, mailbox, "kim@example.com")

	// An address in another domain is not this directory's to create.
	r := s.Do("POST", "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "lee@example.org"}`)
	if r.Status != http.StatusBadRequest {
		t.Errorf("POST in another domain: %d %s", r.Status, r.Raw)
	}

	// alice's principal name changes: the mailbox is renamed, with her
	// alias and the postmaster alias delivering to her.
	doc := s.Must(http.StatusOK, "PATCH", "/Users/alice%40example.com", exampletest.Patch(
		`{"op": "Replace", "path": "userName", "value": "alice.archer@example.com"}`))
	if doc["id"] != "alice.archer@example.com" {
		t.Errorf("rename: id %v", doc["id"])
	}
	s.CheckRows("the renamed mailbox",
		[]string{"alice.archer@example.com | Alice Archer | alice.archer | example.com | example.com/alice.archer/ | 0 | 1"},
		"SELECT username, name, local_part, domain, maildir, quota, active FROM mailbox WHERE domain = 'example.com' AND username LIKE 'alice%'")
	s.CheckRows("the aliases follow", []string{
		"alice.archer@example.com | alice.archer@example.com | example.com",
		"bob@example.org | bob@example.org | example.org",
		"postmaster@example.com | alice.archer@example.com | example.com",
	}, aliases)
	r = s.Do("GET", "/Users/alice%40example.com", "")
	if r.Status != http.StatusNotFound {
		t.Errorf("the old id: %d", r.Status)
	}
	// Deprovisioning disables the mailbox and keeps it.
	s.Must(http.StatusNoContent, "DELETE", "/Users/kim%40example.com", "")
	s.CheckRows("DELETE", []string{"0"}, "SELECT active FROM mailbox WHERE username = 'kim@example.com'")
}
