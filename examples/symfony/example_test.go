package symfony_test

import (
	"net/http"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The rows of user schema.sql creates, by id.
const (
	admin       = "1" // ["ROLE_ADMIN"]
	jane        = "2"
	unconfirmed = "3" // is_verified 0
	ops         = "4" // ["ROLE_SUPER_ADMIN","ROLE_ADMIN"]: ROLE_SUPER_ADMIN is the application's
)

// account shows one user row: every column but the id.
const account = `SELECT email, roles, password, is_verified FROM user WHERE id = ?`

// everyone lists every row of user.
const everyone = `SELECT id, email, roles, password, is_verified FROM user ORDER BY id`

// seed is everyone as schema.sql creates it.
var seed = []string{
	`1 | admin@example.com | ["ROLE_ADMIN"] | $2y$13$Q0y9F7vH8mZ3kL1pR5tW6uN2bC4dE6fG8hJ0kL2mN4pQ6rS8tU0vW | 1`,
	`2 | jane@example.com | [] | $2y$13$A1b2C3d4E5f6G7h8I9j0KuL1m2N3o4P5q6R7s8T9u0V1w2X3y4Z5a | 1`,
	`3 | unconfirmed@example.com | [] | $2y$13$Z9y8X7w6V5u4T3s2R1q0PoN9m8L7k6J5i4H3g2F1e0D9c8B7a6Z5y | 0`,
	`4 | ops@example.com | ["ROLE_SUPER_ADMIN","ROLE_ADMIN"] | $2y$13$M1n2B3v4C5x6Z7l8K9j0HgF1d2S3a4P5o6I7u8Y9t0R1e2W3q4E5r | 1`,
}

// start serves the example, checking the rows schema.sql made.
func start(t *testing.T) *exampletest.Sidecar {
	s := exampletest.Start(t, ".")
	s.CheckRows("schema.sql", seed, everyone)
	return s
}

// others checks that the rows schema.sql made are as it made them.
func others(s *exampletest.Sidecar, step string) {
	s.CheckRows(step+": the application's accounts are untouched", seed, everyone4)
}

// everyone4 lists the rows schema.sql made.
const everyone4 = `SELECT id, email, roles, password, is_verified FROM user WHERE id <= 4 ORDER BY id`

// roles returns the values of a User document's roles.
func roles(t *testing.T, doc map[string]any) []string {
	t.Helper()
	out := []string{}
	list, _ := doc["roles"].([]any)
	for _, r := range list {
		obj, _ := r.(map[string]any)
		v, _ := obj["value"].(string)
		out = append(out, v)
	}
	return out
}

// TestOktaLifecycle replays what Okta's SCIM 2.0 app sends for a person
// assigned to the application (userName the e-mail address): the lookup,
// the create, a profile push that changes the address, a deactivation and
// its end, which change nothing, and the group push, which the
// application has nothing for.
func TestOktaLifecycle(t *testing.T) {
	s := start(t)
	lookup := "/Users?" + exampletest.Filter(`userName eq "alice@example.com"`) + "&startIndex=1&count=1"
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "alice@example.com",
		"name": {"givenName": "Alice", "familyName": "Martin"},
		"emails": [{"primary": true, "value": "alice@example.com", "type": "work"}],
		"displayName": "Alice Martin",
		"locale": "en-US",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true}`)
	id, _ := created["id"].(string)
	if created["userName"] != "alice@example.com" || len(roles(t, created)) != 0 {
		t.Errorf("POST /Users: %v", created)
	}
	// No role stored (ROLE_USER is added by getRoles()), no usable
	// password, the address confirmed.
	s.CheckRows("POST /Users", []string{`alice@example.com | [] | ! | 1`}, account, id)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 1)
	// The address is unique whatever its case.
	s.Must(http.StatusConflict, "POST", "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "JANE@example.com"}`)

	// Profile push with a new address: userName and emails are one column.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "alice.martin@example.com",
		"name": {"givenName": "Alice", "familyName": "Martin"},
		"emails": [{"primary": true, "value": "alice.martin@example.com", "type": "work"}],
		"active": true,
		"groups": []}`)
	s.CheckRows("PUT /Users: the new address", []string{`alice.martin@example.com | [] | ! | 1`}, account, id)

	// Deactivation: accepted, and nothing changes (see README.md).
	for _, active := range []string{"false", "true"} {
		u := s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": `+active+`}}`))
		if _, ok := u["active"]; ok {
			t.Errorf("PATCH active %s: active %v in the response, want none (not mapped)", active, u["active"])
		}
		s.CheckRows("PATCH active "+active+": the row is unchanged", []string{`alice.martin@example.com | [] | ! | 1`}, account, id)
	}

	// Push Groups: the Okta group "Support" is found by name and linked
	// to the declared group, whose members hold ROLE_SUPPORT; a group the
	// application does not have cannot be pushed.
	list := s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Support"`), "")
	if got := exampletest.Resources(t, list, 1); got[0]["id"] != "ROLE_SUPPORT" {
		t.Fatalf("group lookup: %v", got)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_SUPPORT", exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+id+`"}, {"value": "`+ops+`"}]}`))
	s.CheckRows("Push Groups: members added", []string{`alice.martin@example.com | ["ROLE_SUPPORT"] | ! | 1`}, account, id)
	s.CheckRows("Push Groups: ops keeps its roles", []string{`ops@example.com | ["ROLE_SUPER_ADMIN","ROLE_ADMIN","ROLE_SUPPORT"] | $2y$13$M1n2B3v4C5x6Z7l8K9j0HgF1d2S3a4P5o6I7u8Y9t0R1e2W3q4E5r | 1`}, account, ops)
	if got := roles(t, s.Must(http.StatusOK, "GET", "/Users/"+id, "")); len(got) != 0 {
		t.Errorf("a group's role is no app role: roles %q", got)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_SUPPORT", exampletest.Patch(`{"op": "remove", "path": "members[value eq \"`+ops+`\"]"}`))
	if r := s.Do("POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Editors", "members": [{"value": "`+id+`"}]}`); r.Status != http.StatusBadRequest {
		t.Errorf("POST /Groups of an undeclared group: %d %s, want 400", r.Status, r.Raw)
	}
	others(s, "Okta")

	// Unassigning with delete enabled removes the row.
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE /Users", []string{}, account, id)
	s.CheckRows("DELETE /Users: the others stay", seed, everyone)
}

// TestEntraLifecycle replays what Entra ID's provisioning service sends
// for a user with an app role: the lookup, the create with Entra's body
// ("active" as a string, the role as Entra sends it), app-role PATCHes
// with Entra's capitalised operations, and "False"/"True".
func TestEntraLifecycle(t *testing.T) {
	s := start(t)
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
		"roles": [{"primary": false, "type": "WindowsAzureActiveDirectoryRole", "value": "ROLE_EDITOR"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Finance"}}`)
	id, _ := created["id"].(string)
	if got := roles(t, created); len(got) != 1 || got[0] != "ROLE_EDITOR" {
		t.Errorf("POST /Users: roles %q", got)
	}
	s.CheckRows("POST /Users: the app role stored", []string{`kim.park@contoso.example | ["ROLE_EDITOR"] | ! | 1`}, account, id)

	// Another app role assigned.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Add", "path": "roles", "value": [{"primary": false, "type": "WindowsAzureActiveDirectoryRole", "value": "ROLE_ADMIN"}]}`))
	s.CheckRows("PATCH Add roles", []string{`kim.park@contoso.example | ["ROLE_EDITOR","ROLE_ADMIN"] | ! | 1`}, account, id)
	// One removed.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Remove", "path": "roles[value eq \"ROLE_EDITOR\"]"}`))
	s.CheckRows("PATCH Remove roles", []string{`kim.park@contoso.example | ["ROLE_ADMIN"] | ! | 1`}, account, id)

	// An app role on a user the application made a super-administrator:
	// ROLE_SUPER_ADMIN is the application's, kept in place and not shown.
	u := s.Must(http.StatusOK, "PATCH", "/Users/"+ops, exampletest.Patch(
		`{"op": "Add", "path": "roles", "value": [{"primary": false, "type": "WindowsAzureActiveDirectoryRole", "value": "ROLE_EDITOR"}]}`))
	if got := roles(t, u); len(got) != 2 || got[0] != "ROLE_ADMIN" || got[1] != "ROLE_EDITOR" {
		t.Errorf("PATCH ops: roles %q, want ROLE_ADMIN and ROLE_EDITOR", got)
	}
	s.CheckRows("PATCH ops: ROLE_SUPER_ADMIN kept", []string{`ops@example.com | ["ROLE_SUPER_ADMIN","ROLE_ADMIN","ROLE_EDITOR"] | $2y$13$M1n2B3v4C5x6Z7l8K9j0HgF1d2S3a4P5o6I7u8Y9t0R1e2W3q4E5r | 1`}, account, ops)
	s.Must(http.StatusOK, "PATCH", "/Users/"+ops, exampletest.Patch(`{"op": "Replace", "path": "roles", "value": []}`))
	s.CheckRows("PATCH ops: replacing the roles with none keeps ROLE_SUPER_ADMIN", []string{`ops@example.com | ["ROLE_SUPER_ADMIN"] | $2y$13$M1n2B3v4C5x6Z7l8K9j0HgF1d2S3a4P5o6I7u8Y9t0R1e2W3q4E5r | 1`}, account, ops)
	// A role the identity provider does not manage cannot be assigned.
	if r := s.Do("PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Add", "path": "roles", "value": [{"value": "ROLE_SUPER_ADMIN"}]}`)); r.Status != http.StatusBadRequest {
		t.Errorf("PATCH ROLE_SUPER_ADMIN: %d %s, want 400", r.Status, r.Raw)
	}
	s.CheckRows("PATCH ROLE_SUPER_ADMIN changes nothing", []string{`kim.park@contoso.example | ["ROLE_ADMIN"] | ! | 1`}, account, id)

	// A new address (Entra's mail): userName must follow, as they are one
	// column.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "userName", "value": "kim.lee@contoso.example"}`,
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "kim.lee@contoso.example"}`))
	s.CheckRows("PATCH the address", []string{`kim.lee@contoso.example | ["ROLE_ADMIN"] | ! | 1`}, account, id)
	// Both in one request, but different: refused, nothing written.
	if r := s.Do("PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "userName", "value": "kim@contoso.example"}`,
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "other@contoso.example"}`)); r.Status != http.StatusBadRequest {
		t.Errorf("PATCH an address other than the userName: %d %s, want 400", r.Status, r.Raw)
	}
	s.CheckRows("PATCH two addresses: nothing written", []string{`kim.lee@contoso.example | ["ROLE_ADMIN"] | ! | 1`}, account, id)
	// The address alone: the login follows it, since they are one column.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "kim.p@contoso.example"}`))
	s.CheckRows("PATCH the address alone", []string{`kim.p@contoso.example | ["ROLE_ADMIN"] | ! | 1`}, account, id)

	// "False" and "True": accepted, nothing written.
	for _, v := range []string{"False", "True"} {
		s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "`+v+`"}`))
		s.CheckRows(`PATCH active "`+v+`": unchanged`, []string{`kim.p@contoso.example | ["ROLE_ADMIN"] | ! | 1`}, account, id)
	}
	s.CheckRows("the unconfirmed user untouched", []string{`unconfirmed@example.com | [] | $2y$13$Z9y8X7w6V5u4T3s2R1q0PoN9m8L7k6J5i4H3g2F1e0D9c8B7a6Z5y | 0`}, account, unconfirmed)
	s.CheckRows("Entra: the application's other accounts are untouched", seed[:3],
		`SELECT id, email, roles, password, is_verified FROM user WHERE id <= 3 ORDER BY id`)
	s.CheckRows("the administrator untouched", []string{`admin@example.com | ["ROLE_ADMIN"] | $2y$13$Q0y9F7vH8mZ3kL1pR5tW6uN2bC4dE6fG8hJ0kL2mN4pQ6rS8tU0vW | 1`}, account, admin)

	// Entra provisions the group "Billing": looked up by name without its
	// members, then members added and removed by value list.
	list := s.Must(http.StatusOK, "GET", "/Groups?excludedAttributes=members&"+exampletest.Filter(`displayName eq "Billing"`), "")
	if got := exampletest.Resources(t, list, 1); got[0]["id"] != "ROLE_BILLING" {
		t.Fatalf("group lookup: %v", got)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_BILLING", exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}, {"value": "`+admin+`"}]}`))
	s.CheckRows("Entra group: member added", []string{`kim.p@contoso.example | ["ROLE_ADMIN","ROLE_BILLING"] | ! | 1`}, account, id)
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/ROLE_BILLING", "")); len(got) != 2 {
		t.Errorf("Billing's members: %q", got)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/ROLE_BILLING", exampletest.Patch(`{"op": "Remove", "path": "members", "value": [{"value": "`+admin+`"}]}`))
	s.CheckRows("Entra group: the administrator back as it was", []string{`admin@example.com | ["ROLE_ADMIN"] | $2y$13$Q0y9F7vH8mZ3kL1pR5tW6uN2bC4dE6fG8hJ0kL2mN4pQ6rS8tU0vW | 1`}, account, admin)

	// Entra's delete, when the user is gone from Entra.
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE /Users", []string{}, account, id)
	s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
}
