package scim_test

import (
	"fmt"
	"testing"
)

// TestWhenOmitted: OneLogin's Core template and authentik's default
// mapping create users without active. On a NOT NULL enabled column with
// no database default, such a create is refused unless the mapping says
// what active is then (whenOmitted: true); /Schemas advertises active as
// not required only then.
func TestWhenOmitted(t *testing.T) {
	const create = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","name":{"givenName":"Eve","familyName":"Evans"},"emails":[{"value":"%s","primary":true}]}`
	activeRequired := func(s *sidecar) bool {
		t.Helper()
		res := s.do("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
		if res.Status != 200 {
			t.Fatalf("/Schemas: %d %s", res.Status, res.Raw)
		}
		attrs, _ := res.Body["attributes"].([]any)
		for _, a := range attrs {
			if m, _ := a.(map[string]any); m["name"] == "active" {
				return m["required"] == true
			}
		}
		t.Fatalf("active not in /Schemas: %s", res.Raw)
		return false
	}

	t.Run("without whenOmitted", func(t *testing.T) {
		s := newSidecar(t, "testdata/idp_schema.sql", "testdata/idp_nodefault_mapping.yaml")
		checkError(t, s.do("POST", "/scim/v2/Users", fmt.Sprintf(create, "eve@example.com", "eve@example.com")), 400, "invalidValue")
		if n := s.count("SELECT COUNT(*) FROM accounts"); n != 2 {
			t.Errorf("%d accounts after a refused create, want 2", n)
		}
		if !activeRequired(s) {
			t.Error("/Schemas: active not required, but a create without it is refused")
		}
	})

	t.Run("whenOmitted true", func(t *testing.T) {
		s := newSidecar(t, "testdata/idp_schema.sql", "testdata/idp_mapping.yaml")
		if activeRequired(s) {
			t.Error("/Schemas: active required, want not required with whenOmitted")
		}
		res := s.do("POST", "/scim/v2/Users", fmt.Sprintf(create, "eve@example.com", "eve@example.com"))
		if res.Status != 201 || res.Body["active"] != true {
			t.Fatalf("create without active: %d %s", res.Status, res.Raw)
		}
		id := res.Body["id"].(string)
		if got := s.row("SELECT enabled FROM accounts WHERE id = ?", id)["enabled"]; got != "1" {
			t.Errorf("enabled = %s, want 1", got)
		}
		// null is unassigned (RFC 7643 section 2.5), as if left out.
		res = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nul@example.com","active":null}`)
		if res.Status != 201 || s.row("SELECT enabled FROM accounts WHERE username = 'nul@example.com'")["enabled"] != "1" {
			t.Fatalf("create with active null: %d %s", res.Status, res.Raw)
		}
		// A value given wins.
		res = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"off@example.com","active":false}`)
		if res.Status != 201 || s.row("SELECT enabled FROM accounts WHERE username = 'off@example.com'")["enabled"] != "0" {
			t.Fatalf("create with active false: %d %s", res.Status, res.Raw)
		}
		offID := res.Body["id"].(string)
		// A PUT that leaves active out changes nothing: whenOmitted is for
		// creates only.
		res = s.do("PUT", "/scim/v2/Users/"+offID, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"off@example.com","title":"Clerk"}`)
		if res.Status != 200 || s.row("SELECT enabled FROM accounts WHERE id = ?", offID)["enabled"] != "0" {
			t.Fatalf("PUT without active: %d %s", res.Status, res.Raw)
		}
	})
}
