package scim_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestIDsInURLs: ids holding spaces, "/", "@", "+" or non-ASCII letters
// (logins that are the key) are escaped in every URL the server writes,
// and found again however the client escapes them.
func TestIDsInURLs(t *testing.T) {
	s := newSidecar(t, naturalSchema, naturalMapping)
	const base = "http://sidecar.test/scim/v2"
	for _, tc := range []struct {
		id, escaped string
		also        []string // further spellings of the path a client may send
	}{
		{"jo smith", "jo%20smith", nil},
		{"a/b", "a%2Fb", []string{"a%2fb"}},
		{"x+y@example.com", "x%2By%40example.com", []string{"x+y@example.com", "x+y%40example.com"}},
		{"müller", "m%C3%BCller", nil},
		{"100%", "100%25", nil},
	} {
		r := s.do("POST", "/scim/v2/Users", map[string]any{"userName": tc.id})
		if r.Status != http.StatusCreated || r.Body["id"] != tc.id {
			t.Fatalf("create %q: %d %s", tc.id, r.Status, r.Raw)
		}
		want := base + "/Users/" + tc.escaped
		if loc := r.Header.Get("Location"); loc != want {
			t.Errorf("%q: Location %q, want %q", tc.id, loc, want)
		}
		if meta, _ := r.Body["meta"].(map[string]any); meta["location"] != want {
			t.Errorf("%q: meta.location %v, want %q", tc.id, meta["location"], want)
		}
		for _, p := range append([]string{tc.escaped}, tc.also...) {
			if r := s.do("GET", "/scim/v2/Users/"+p, nil); r.Status != http.StatusOK || r.Body["id"] != tc.id {
				t.Errorf("GET /Users/%s: %d %s", p, r.Status, r.Raw)
			}
		}
		r = s.do("PATCH", "/scim/v2/Users/"+tc.escaped, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Renamed"}]}`)
		if r.Status != http.StatusOK || r.Body["displayName"] != "Renamed" {
			t.Errorf("PATCH %s: %d %s", tc.escaped, r.Status, r.Raw)
		}
		r = s.do("PATCH", "/scim/v2/Groups/role:admins", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":`+strconvQuote(tc.id)+`}]}]}`)
		if r.Status != http.StatusNoContent {
			t.Errorf("add %q to a group: %d %s", tc.id, r.Status, r.Raw)
		}
		r = s.do("GET", "/scim/v2/Users/"+tc.escaped, nil)
		groups, _ := r.Body["groups"].([]any)
		if len(groups) != 1 || groups[0].(map[string]any)["$ref"] != base+"/Groups/role:admins" {
			t.Errorf("%q: groups %v", tc.id, r.Body["groups"])
		}
	}
	r := s.do("GET", "/scim/v2/Groups/role%3Aadmins", nil)
	members, _ := r.Body["members"].([]any)
	refs := map[string]bool{}
	for _, m := range members {
		refs[m.(map[string]any)["$ref"].(string)] = true
	}
	for _, want := range []string{"/Users/jo%20smith", "/Users/a%2Fb", "/Users/x%2By%40example.com", "/Users/m%C3%BCller", "/Users/100%25"} {
		if !refs[base+want] {
			t.Errorf("members lack $ref %s: %v", want, refs)
		}
	}
	if r := s.do("DELETE", "/scim/v2/Users/a%2Fb", nil); r.Status != http.StatusNoContent {
		t.Errorf("DELETE a%%2Fb: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM mailbox WHERE username = 'a/b'"); n != 0 {
		t.Errorf("a/b not deleted")
	}
	// An escape that is no UTF-8 names nothing and is refused as such.
	if r := s.do("GET", "/scim/v2/Users/%FF", nil); r.Status < 400 || r.Status >= 500 || strings.Contains(r.Raw, "panic") {
		t.Errorf("GET /Users/%%FF: %d %s", r.Status, r.Raw)
	}
}
