package scim_test

import (
	"strings"
	"testing"
)

// TestRequestLimitsStrictJSON checks that every body (POST, PUT, PATCH,
// Bulk, .search) is one JSON object and nothing else, naming each member
// once: trailing data, a second value and a member named twice (in any
// case, at any depth) are 400 invalidSyntax, and nothing is written.
func TestRequestLimitsStrictJSON(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	before := s.count("SELECT COUNT(*) FROM users")
	user := `{"userName":"strict@example.com","displayName":"Strict"}`
	bulk := func(data string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":` + data + `}]}`
	}
	cases := []struct{ name, method, path, body string }{
		{"a stray } after the object", "POST", "/scim/v2/Users", user + `}garbage`},
		{"a stray ] after the object", "POST", "/scim/v2/Users", user + `]`},
		{"a second object", "POST", "/scim/v2/Users", user + ` {"userName":"other@example.com"}`},
		{"text after the object", "PUT", "/scim/v2/Users/1", `{"userName":"alice"} x`},
		{"userName twice", "POST", "/scim/v2/Users", `{"userName":"a@example.com","userName":"b@example.com"}`},
		{"userName and username", "POST", "/scim/v2/Users", `{"userName":"a@example.com","username":"b@example.com"}`},
		{"an escaped case variant", "POST", "/scim/v2/Users", `{"userName":"a@example.com","user\u004eame":"b@example.com"}`},
		{"a nested member twice", "POST", "/scim/v2/Users", `{"userName":"a@example.com","name":{"givenName":"A","GIVENNAME":"B"}}`},
		{"a member twice in a large object", "POST", "/scim/v2/Users", `{"userName":"a@example.com",` + manyMembers(40) + `,"M7":1}`},
		{"PUT with displayName twice", "PUT", "/scim/v2/Users/1", `{"userName":"alice","displayName":"X","DisplayName":"Y"}`},
		{"PATCH Operations twice", "PATCH", "/scim/v2/Users/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[],"operations":[{"op":"replace","path":"displayName","value":"X"}]}`},
		{"PATCH value with a member twice", "PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","value":{"displayName":"X","displayname":"Y"}}`)},
		{"PATCH op twice", "PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","OP":"remove","path":"displayName","value":"X"}`)},
		{"PATCH trailing }", "PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"displayName","value":"X"}`) + `}`},
		{"Bulk data with a member twice", "POST", "/scim/v2/Bulk", bulk(`{"userName":"a@example.com","USERNAME":"b@example.com"}`)},
		{"Bulk trailing ]", "POST", "/scim/v2/Bulk", bulk(user) + `]`},
		{"search with filter twice", "POST", "/scim/v2/Users/.search", `{"filter":"userName eq \"alice\"","Filter":"userName eq \"bob\""}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkError(t, s.do(c.method, c.path, c.body), 400, "invalidSyntax")
		})
	}
	if after := s.count("SELECT COUNT(*) FROM users"); after != before {
		t.Errorf("refused requests wrote rows: %d before, %d after", before, after)
	}
	if row := s.row("SELECT login, display_name FROM users WHERE id = 1"); row["login"] != "alice" || row["display_name"] != "Alice Archer" {
		t.Errorf("refused requests changed alice: %v", row)
	}
	// The same names in different objects, white space after the object
	// and a large object without repeats are fine.
	ok := []struct{ method, path, body string }{
		{"POST", "/scim/v2/Users", `{"userName":"fine@example.com","name":{"givenName":"F","familyName":"G"},"emails":[{"value":"f@example.com","type":"work"}]}` + " \r\n\t"},
		{"PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"displayName","value":"A"}`, `{"op":"replace","path":"displayName","value":"Alice Archer"}`)},
	}
	for _, c := range ok {
		if r := s.do(c.method, c.path, c.body); r.Status >= 300 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Raw)
		}
	}
}

// manyMembers is n distinct members m0..m(n-1) of an object, as JSON text.
func manyMembers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"m` + strconvItoa(i) + `":1`
	}
	return strings.Join(parts, ",")
}
