package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDirectoriesAreIsolated checks that a token bound to one tenant's
// scope can never read or change another tenant's rows.
func TestDirectoriesAreIsolated(t *testing.T) {
	s := newSidecarServer(t, "testdata/tenants_schema.sql", "testdata/tenants_mapping.yaml", `server:
  tokens:
    - {name: acme, token: {value: acme-token}, scope: {org_id: 1}}
    - {name: acme, token: {value: acme-token-next}, scope: {org_id: 1}}
    - {name: globex, token: {value: globex-token}, scope: {org_id: 2}}
`)
	acme := func(method, path string, body any) response { return s.doAuth(method, path, body, "Bearer acme-token") }
	globex := func(method, path string, body any) response {
		return s.doAuth(method, path, body, "Bearer globex-token")
	}

	if r := acme("GET", "/scim/v2/Users", nil); r.Body["totalResults"] != float64(2) || strings.Contains(r.Raw, "globex") {
		t.Errorf("acme lists: %s", r.Raw)
	}
	if r := s.doAuth("GET", "/scim/v2/Users", nil, "Bearer acme-token-next"); r.Body["totalResults"] != float64(2) {
		t.Errorf("acme's second token (rotation) lists: %s", r.Raw)
	}
	// The same userName exists in both tenants; each sees its own.
	f := "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "ann@acme.test"`)
	if r := globex("GET", f, nil); r.Body["totalResults"] != float64(1) || r.Body["Resources"].([]any)[0].(map[string]any)["id"] != "4" {
		t.Errorf("globex ann: %s", r.Raw)
	}
	// Every way of reaching another tenant's row finds nothing and
	// changes nothing.
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/scim/v2/Users/3", nil},
		{"PUT", "/scim/v2/Users/3", `{"userName":"taken@acme.test"}`},
		{"PATCH", "/scim/v2/Users/3", patchBody(`{"op":"replace","value":{"active":false}}`)},
		{"DELETE", "/scim/v2/Users/3", nil},
		{"GET", "/scim/v2/Groups/2", nil},
		{"PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`)},
		{"DELETE", "/scim/v2/Groups/2", nil},
	} {
		checkError(t, acme(req.method, req.path, req.body), http.StatusNotFound, "")
	}
	if row := s.row("SELECT email, active FROM users WHERE id = 3"); row["email"] != "cy@globex.test" || row["active"] != "1" {
		t.Errorf("globex's user changed: %v", row)
	}
	// Another tenant's user cannot be made a member.
	checkError(t, acme("PATCH", "/scim/v2/Groups/1", patchBody(`{"op":"add","path":"members","value":[{"value":"3"}]}`)), http.StatusBadRequest, "invalidValue")
	// Creates land in the token's tenant; uniqueness is per tenant.
	r := globex("POST", "/scim/v2/Users", `{"userName":"bo@acme.test"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("globex create: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT org_id FROM users WHERE id = ?", r.Body["id"]); row["org_id"] != "2" {
		t.Errorf("created in org %s", row["org_id"])
	}
	checkError(t, acme("POST", "/scim/v2/Users", `{"userName":"BO@acme.test"}`), http.StatusConflict, "uniqueness")
	r = acme("POST", "/scim/v2/Groups", `{"displayName":"Sales","members":[{"value":"1"},{"value":"2"}]}`)
	if r.Status != http.StatusCreated || s.row("SELECT org_id FROM teams WHERE id = ?", r.Body["id"])["org_id"] != "1" {
		t.Fatalf("acme group: %d %s", r.Status, r.Raw)
	}
	// A user's groups come only from the tenant's teams.
	if r := acme("GET", "/scim/v2/Users/1", nil); strings.Count(r.Raw, `"display":"`) != 2 {
		t.Errorf("ann's groups: %s", r.Raw)
	}
}
