package scim_test

import (
	"net/url"
	"os"
	"path/filepath"
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

// TestInjectionNonCanonicalIDs checks that only the id the server renders
// names a resource: other spellings of an integer key ("01", "+1", " 1")
// are 404 in URLs, match nothing in id filters, and name no user as
// member or manager values, and nothing is changed through them.
func TestInjectionNonCanonicalIDs(t *testing.T) {
	mappingFile := filepath.Join(t.TempDir(), "roles_prefixed.yaml")
	data, err := os.ReadFile("testdata/roles_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prefixed := strings.Replace(string(data), "  table: roles\n", "  table: roles\n  id: {column: id, prefix: g-}\n", 1)
	if err := os.WriteFile(mappingFile, []byte(prefixed), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSidecar(t, "testdata/roles_schema.sql", mappingFile)
	if r := s.do("GET", "/scim/v2/Users/1", nil); r.Status != 200 {
		t.Fatalf("GET /Users/1: %d %s", r.Status, r.Raw)
	}
	if r := s.do("GET", "/scim/v2/Groups/g-1", nil); r.Status != 200 {
		t.Fatalf("GET /Groups/g-1: %d %s", r.Status, r.Raw)
	}
	for _, id := range []string{"01", "+1", "%201", "1%20", "00000000001", "1.0", "-0", "0x1"} {
		checkError(t, s.do("GET", "/scim/v2/Users/"+id, nil), 404, "")
		checkError(t, s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"mallory"}`), 404, "")
		checkError(t, s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"displayName","value":"Mallory"}`)), 404, "")
		checkError(t, s.do("DELETE", "/scim/v2/Users/"+id, nil), 404, "")
	}
	for _, id := range []string{"g-01", "g-+1", "g-%201", "g-001"} {
		checkError(t, s.do("GET", "/scim/v2/Groups/"+id, nil), 404, "")
		checkError(t, s.do("PATCH", "/scim/v2/Groups/"+id, patchBody(`{"op":"add","path":"members","value":[{"value":"4"}]}`)), 404, "")
		checkError(t, s.do("DELETE", "/scim/v2/Groups/"+id, nil), 404, "")
	}
	// Member values: another spelling of a user's id names no user.
	for _, v := range []string{"02", "+2", " 2"} {
		checkError(t, s.do("PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"add","path":"members","value":[{"value":`+strconvQuote(v)+`}]}`)), 400, "invalidValue")
		checkError(t, s.do("POST", "/scim/v2/Groups", `{"displayName":"sneaky","members":[{"value":`+strconvQuote(v)+`}]}`), 400, "invalidValue")
	}
	// Filters: a non-canonical id matches nothing (and ne everything).
	for f, want := range map[string]float64{
		`id eq "1"`:                      1,
		`id eq "01"`:                     0,
		`id eq "+1"`:                     0,
		`id eq " 1"`:                     0,
		`id ne "01"`:                     4,
		`groups.value eq "g-1"`:          1,
		`groups.value eq "g-01"`:         0,
		`id eq "1" or id eq "001"`:       1,
		`not (id eq "1")`:                3,
		`id gt "01"`:                     0,
		`id eq "1" and id eq "+1"`:       0,
		`groups.value eq "g-+2"`:         0,
		`groups.value eq "g-2"`:          2,
		`groups.value ne "g-02"`:         4,
		`id eq "2" or id eq "02 "`:       1,
		`id eq "4" and not (id eq "04")`: 1,
	} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil)
		if r.Status != 200 || r.Body["totalResults"] != want {
			t.Errorf("Users %s: %d %v, want %v", f, r.Status, r.Body["totalResults"], want)
		}
	}
	for f, want := range map[string]float64{
		`id eq "g-1"`:           1,
		`id eq "g-01"`:          0,
		`members.value eq "1"`:  1,
		`members.value eq "01"`: 0,
		`members.value eq "+2"`: 0,
	} {
		r := s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(f), nil)
		if r.Status != 200 || r.Body["totalResults"] != want {
			t.Errorf("Groups %s: %d %v, want %v", f, r.Status, r.Body["totalResults"], want)
		}
	}
	if n := s.count("SELECT COUNT(*) FROM users"); n != 4 {
		t.Errorf("%d users, want the 4 there were", n)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles"); n != 3 {
		t.Errorf("%d memberships, want the 3 there were", n)
	}
	if n := s.count("SELECT COUNT(*) FROM roles"); n != 3 {
		t.Errorf("%d roles, want the 3 there were", n)
	}
	if got := s.row("SELECT login, full_name FROM users WHERE id = 1"); got["login"] != "alice" || got["full_name"] != "Alice Archer" {
		t.Errorf("alice changed: %v", got)
	}
}

// TestInjectionNonCanonicalManager checks that a manager value names a
// user only as its id is rendered, in writes and in filters.
func TestInjectionNonCanonicalManager(t *testing.T) {
	s := newSidecar(t, "testdata/enterprise_schema.sql", "testdata/enterprise_mapping.yaml")
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, v := range []string{"01", "+1", " 1"} {
		checkError(t, s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"`+ent+`:manager","value":`+strconvQuote(v)+`}`)), 400, "invalidValue")
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(ent+`:manager.value eq `+strconvQuote(v)), nil)
		if r.Status != 200 || r.Body["totalResults"] != float64(0) {
			t.Errorf("manager.value eq %q: %d %v, want 0", v, r.Status, r.Body["totalResults"])
		}
	}
	r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(ent+`:manager.value eq "1"`), nil)
	if r.Status != 200 || r.Body["totalResults"] != float64(1) {
		t.Errorf(`manager.value eq "1": %d %v, want 1`, r.Status, r.Body["totalResults"])
	}
	if got := s.row("SELECT manager_id FROM staff WHERE id = 2"); got["manager_id"] != "1" {
		t.Errorf("manager changed: %v", got)
	}
}

// TestInjectionWhitespaceNames checks that a userName or a Group's
// displayName that is only white space, or begins or ends with it, is
// refused with 400 invalidValue on every write, and nothing is written,
// unless the mapping declares transform: trim on it: then it is stored
// trimmed.
func TestInjectionWhitespaceNames(t *testing.T) {
	padded := []string{" alice2", "alice2 ", "   ", "\talice2", "alice2\n", "\u00a0alice2", "alice2\u2003", ""}
	s := newSidecar(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml")
	for _, v := range padded {
		q := strconvQuote(v)
		checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":`+q+`}`), 400, "invalidValue")
		checkError(t, s.do("PUT", "/scim/v2/Users/1", `{"userName":`+q+`}`), 400, "invalidValue")
		checkError(t, s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"userName","value":`+q+`}`)), 400, "invalidValue")
		checkError(t, s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","value":{"userName":`+q+`}}`)), 400, "invalidValue")
		checkError(t, s.do("POST", "/scim/v2/Groups", `{"displayName":`+q+`}`), 400, "invalidValue")
		checkError(t, s.do("PUT", "/scim/v2/Groups/1", `{"displayName":`+q+`}`), 400, "invalidValue")
		checkError(t, s.do("PATCH", "/scim/v2/Groups/1", patchBody(`{"op":"replace","path":"displayName","value":`+q+`}`)), 400, "invalidValue")
	}
	if n := s.count("SELECT COUNT(*) FROM users"); n != 4 {
		t.Errorf("%d users, want the 4 there were", n)
	}
	if n := s.count("SELECT COUNT(*) FROM roles"); n != 3 {
		t.Errorf("%d roles, want the 3 there were", n)
	}
	if got := s.row("SELECT login FROM users WHERE id = 1")["login"]; got != "alice" {
		t.Errorf("alice's login is %q", got)
	}
	if got := s.row("SELECT name FROM roles WHERE id = 1")["name"]; got != "admin" {
		t.Errorf("admin's name is %q", got)
	}
	// Inner white space is part of the name.
	if r := s.do("POST", "/scim/v2/Groups", `{"displayName":"Sales Team"}`); r.Status != 201 {
		t.Errorf("Sales Team: %d %s", r.Status, r.Raw)
	}

	// With transform: trim, the value is stored trimmed.
	mappingFile := filepath.Join(t.TempDir(), "roles_trim.yaml")
	data, err := os.ReadFile("testdata/roles_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	trimmed := strings.Replace(string(data), "    userName: login\n", "    userName: {column: login, transform: trim}\n", 1)
	trimmed = strings.Replace(trimmed, "    displayName: name\n", "    displayName: {column: name, transform: trim}\n", 1)
	if trimmed == string(data) || strings.Count(trimmed, "transform: trim") != 2 {
		t.Fatal("the mapping did not take transform: trim")
	}
	if err := os.WriteFile(mappingFile, []byte(trimmed), 0o600); err != nil {
		t.Fatal(err)
	}
	s = newSidecar(t, "testdata/roles_schema.sql", mappingFile)
	r := s.do("POST", "/scim/v2/Users", `{"userName":"  erin@example.com\t"}`)
	if r.Status != 201 || r.Body["userName"] != "erin@example.com" {
		t.Fatalf("trimmed userName: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT login FROM users WHERE id = ?", r.Body["id"])["login"]; got != "erin@example.com" {
		t.Errorf("stored %q", got)
	}
	r = s.do("POST", "/scim/v2/Groups", `{"displayName":" auditors "}`)
	if r.Status != 201 || r.Body["displayName"] != "auditors" {
		t.Fatalf("trimmed displayName: %d %s", r.Status, r.Raw)
	}
	// Nothing left after trimming is still refused.
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"   "}`), 400, "invalidValue")
	checkError(t, s.do("POST", "/scim/v2/Groups", `{"displayName":"\t"}`), 400, "invalidValue")
}

// TestRequestLimitsFilterNesting checks the README's filter limit of 32
// levels of nesting, counting parentheses, not and value filters alike:
// 32 levels are answered, 33 are 400 invalidFilter.
func TestRequestLimitsFilterNesting(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	nest := func(open, inner, close string, n int) string {
		return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
	}
	cases := []struct {
		name   string
		filter func(n int) string
	}{
		{"parentheses", func(n int) string { return nest("(", `userName eq "alice"`, ")", n) }},
		{"not", func(n int) string { return nest("not (", `userName eq "x"`, ")", n) }},
		{"not around a value filter", func(n int) string { return nest("not (", `emails[value eq "x"]`, ")", n-1) }},
		{"parentheses and not", func(n int) string { return nest("(", nest("not (", `userName eq "x"`, ")", n/2), ")", n-n/2) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.filter(32)
			if r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil); r.Status != 200 {
				t.Errorf("32 levels: %d %s", r.Status, r.Raw)
			}
			if r := s.do("POST", "/scim/v2/Users/.search", map[string]any{"filter": f}); r.Status != 200 {
				t.Errorf("32 levels in a search: %d %s", r.Status, r.Raw)
			}
			f = c.filter(33)
			checkError(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil), 400, "invalidFilter")
			checkError(t, s.do("POST", "/scim/v2/Users/.search", map[string]any{"filter": f}), 400, "invalidFilter")
		})
	}
}
