package scim_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	naturalSchema  = "testdata/natural_schema.sql"
	naturalMapping = "testdata/natural_mapping.yaml"
)

// withoutRenames writes the natural-key mapping with no id.renames, so
// that its keys cannot change, and returns its path.
func withoutRenames(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(naturalMapping)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	skip := false
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(l, "    renames:"):
			skip = true
			continue
		case skip && strings.HasPrefix(l, "      - "):
			continue
		}
		skip = false
		keep = append(keep, strings.Replace(l, ", renames: []", "", 1))
	}
	p := filepath.Join(t.TempDir(), "mapping.yaml")
	if err := os.WriteFile(p, []byte(strings.Join(keep, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const renamePatch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"alice.archer@example.com"}]}`

// TestNaturalKeyCreate: the SCIM id is the login, stored as the key with
// the userName's transform, and found by it.
func TestNaturalKeyCreate(t *testing.T) {
	s := newSidecar(t, naturalSchema, naturalMapping)
	r := s.do("POST", "/scim/v2/Users", map[string]any{"userName": "Bob.Baker@Example.com", "displayName": "Bob Baker"})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if r.Body["id"] != "bob.baker@example.com" || r.Body["userName"] != "bob.baker@example.com" {
		t.Errorf("id %v, userName %v; want both bob.baker@example.com", r.Body["id"], r.Body["userName"])
	}
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/Users/bob.baker%40example.com") {
		t.Errorf("Location %q", loc)
	}
	if n := s.count("SELECT COUNT(*) FROM mailbox WHERE username = 'bob.baker@example.com' AND name = 'Bob Baker'"); n != 1 {
		t.Errorf("%d mailbox rows keyed by the login, want 1", n)
	}
	if r := s.do("GET", "/scim/v2/Users/bob.baker@example.com", nil); r.Status != http.StatusOK {
		t.Errorf("get by the login: %d %s", r.Status, r.Raw)
	}
	// The login taken is a conflict, whatever its case.
	r = s.do("POST", "/scim/v2/Users", map[string]any{"userName": "ALICE@example.com"})
	checkError(t, r, http.StatusConflict, "uniqueness")

	r = s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "editors", "members": []any{map[string]any{"value": "bob.baker@example.com"}}})
	if r.Status != http.StatusCreated || r.Body["id"] != "role:editors" {
		t.Fatalf("create group: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles WHERE role = 'editors' AND username = 'bob.baker@example.com'"); n != 1 {
		t.Errorf("%d memberships of the new group, want 1", n)
	}
}

// TestNaturalKeyRenameRefused: without id.renames a change of the login
// is refused, and nothing changes.
func TestNaturalKeyRenameRefused(t *testing.T) {
	s := newSidecar(t, naturalSchema, withoutRenames(t))
	r := s.do("PATCH", "/scim/v2/Users/alice@example.com", renamePatch)
	checkError(t, r, http.StatusBadRequest, "mutability")
	r = s.do("PUT", "/scim/v2/Users/alice@example.com", map[string]any{"userName": "alice.archer@example.com", "displayName": "Alice Archer"})
	checkError(t, r, http.StatusBadRequest, "mutability")
	if n := s.count("SELECT COUNT(*) FROM mailbox WHERE username = 'alice@example.com'"); n != 1 {
		t.Errorf("the mailbox was renamed")
	}
	// The same login in another case is the same key: not a rename.
	r = s.do("PUT", "/scim/v2/Users/alice@example.com", map[string]any{"userName": "Alice@Example.com", "displayName": "Alice A."})
	if r.Status != http.StatusOK || r.Body["id"] != "alice@example.com" {
		t.Errorf("PUT with the login in capitals: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Groups/role:admins", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"owners"}]}`)
	checkError(t, r, http.StatusBadRequest, "mutability")
}

// TestNaturalKeyRename: with id.renames, the key and every column
// holding it change in one transaction, and the response says where the
// resource is now.
func TestNaturalKeyRename(t *testing.T) {
	s := newSidecar(t, naturalSchema, naturalMapping)
	r := s.do("PATCH", "/scim/v2/Users/alice@example.com", renamePatch)
	if r.Status != http.StatusOK || r.Body["id"] != "alice.archer@example.com" {
		t.Fatalf("rename: %d %s", r.Status, r.Raw)
	}
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/Users/alice.archer%40example.com") {
		t.Errorf("Location %q, want the new id", loc)
	}
	for q, want := range map[string]int{
		"SELECT COUNT(*) FROM mailbox WHERE username = 'alice.archer@example.com'":                                    1,
		"SELECT COUNT(*) FROM mailbox WHERE username = 'alice@example.com'":                                           0,
		"SELECT COUNT(*) FROM alias WHERE address = 'alice.archer@example.com' AND `goto` = address":                  1,
		"SELECT COUNT(*) FROM alias WHERE address = 'postmaster@example.com' AND `goto` = 'alice.archer@example.com'": 1,
		"SELECT COUNT(*) FROM user_roles WHERE username = 'alice.archer@example.com' AND role = 'admins'":             1,
	} {
		if n := s.count(q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	if r := s.do("GET", "/scim/v2/Users/alice@example.com", nil); r.Status != http.StatusNotFound {
		t.Errorf("old id: %d", r.Status)
	}
	r = s.do("GET", "/scim/v2/Users/alice.archer@example.com", nil)
	if gs, _ := r.Body["groups"].([]any); r.Status != http.StatusOK || len(gs) != 1 {
		t.Errorf("new id: %d %s", r.Status, r.Raw)
	}

	// A login another mailbox has is a conflict, and changes nothing.
	s.do("POST", "/scim/v2/Users", map[string]any{"userName": "carol@example.com"})
	r = s.do("PUT", "/scim/v2/Users/carol@example.com", map[string]any{"userName": "alice.archer@example.com"})
	checkError(t, r, http.StatusConflict, "uniqueness")

	// A group renamed by PATCH answers with its body and new place, and
	// its memberships follow.
	r = s.do("PATCH", "/scim/v2/Groups/role:admins", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"owners"}]}`)
	if r.Status != http.StatusOK || r.Body["id"] != "role:owners" || !strings.HasSuffix(r.Header.Get("Location"), "/Groups/role:owners") {
		t.Fatalf("group rename: %d %v %s", r.Status, r.Header.Get("Location"), r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles WHERE role = 'owners'"); n != 1 {
		t.Errorf("%d memberships moved with the group, want 1", n)
	}
}
