package scim_test

import (
	"net/http"
	"regexp"
	"testing"
)

// TestGeneratedIDs: keys and defaults made by the generators real
// applications use, in the application's own format.
func TestGeneratedIDs(t *testing.T) {
	s := newSidecar(t, "testdata/keygen_schema.sql", "testdata/keygen_mapping.yaml")
	base32 := regexp.MustCompile(`^[a-z2-7]{26}$`)
	seen := map[string]bool{}
	for _, name := range []string{"ann", "ben"} {
		r := s.do("POST", "/scim/v2/Users", map[string]any{"userName": name})
		id, _ := r.Body["id"].(string)
		if r.Status != http.StatusCreated || !base32.MatchString(id) || seen[id] {
			t.Fatalf("create %s: %d %s", name, r.Status, r.Raw)
		}
		seen[id] = true
		row := s.row("SELECT Username, Token, Ref FROM Users WHERE Id = ?", id)
		if row["Username"] != name || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(row["Token"]) ||
			!regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`).MatchString(row["Ref"]) {
			t.Errorf("row %v: want the login, a 32-digit hex token and a ULID", row)
		}
		if r := s.do("GET", "/scim/v2/Users/"+id, nil); r.Status != http.StatusOK {
			t.Errorf("get %s: %d", id, r.Status)
		}
	}
	r := s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "general"})
	if id, _ := r.Body["id"].(string); r.Status != http.StatusCreated || !regexp.MustCompile(`^r-[0-9A-Za-z]{17}$`).MatchString(id) {
		t.Fatalf("create group: %d %s", r.Status, r.Raw)
	}
}
