package scim_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// listValues returns the values of a multi-valued attribute of a resource.
func listValues(body map[string]any, name string) []string {
	var out []string
	list, _ := body[name].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		v, _ := m["value"].(string)
		out = append(out, v)
	}
	return out
}

func (s *sidecar) column(col, id string) string {
	s.t.Helper()
	return s.row("SELECT "+col+" AS c FROM app_user WHERE id = ?", id)["c"]
}

// TestListRolesJSON: Symfony's roles, a JSON array in a LONGTEXT column,
// read and written as SCIM roles, with Entra's and Okta's requests.
func TestListRolesJSON(t *testing.T) {
	s := newSidecar(t, "testdata/lists_schema.sql", "testdata/lists_mapping.yaml")

	r := s.do("GET", "/scim/v2/Users/1", nil)
	if got := listValues(r.Body, "roles"); !slices.Equal(got, []string{"ROLE_ADMIN", "ROLE_USER"}) {
		t.Fatalf("roles = %q (%s)", got, r.Raw)
	}
	if got := listValues(r.Body, "entitlements"); !slices.Equal(got, []string{"system_user", "system_admin"}) {
		t.Errorf("entitlements = %q", got)
	}

	// Entra assigns an app role.
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"Add","path":"roles","value":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"ROLE_EDITOR"}]}`))
	if r.Status != 200 {
		t.Fatalf("Entra add: %d %s", r.Status, r.Raw)
	}
	if got := s.column("roles", "1"); got != `["ROLE_ADMIN","ROLE_USER","ROLE_EDITOR"]` {
		t.Errorf("after Entra's add: %s", got)
	}
	// Adding one already there changes nothing.
	s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"add","path":"roles","value":[{"value":"ROLE_USER"}]}`))
	if got := s.column("roles", "1"); got != `["ROLE_ADMIN","ROLE_USER","ROLE_EDITOR"]` {
		t.Errorf("after a repeated add: %s", got)
	}
	// Removal by a value filter, and by value.
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"remove","path":"roles[value eq \"ROLE_USER\"]"}`))
	if r.Status != 200 || s.column("roles", "1") != `["ROLE_ADMIN","ROLE_EDITOR"]` {
		t.Errorf("remove by filter: %d %s; column %s", r.Status, r.Raw, s.column("roles", "1"))
	}
	s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"Remove","path":"roles","value":[{"value":"ROLE_ADMIN"}]}`))
	if got := s.column("roles", "1"); got != `["ROLE_EDITOR"]` {
		t.Errorf("remove by value: %s", got)
	}
	// Okta replaces the whole list.
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"roles","value":[{"value":"ROLE_USER"},{"value":"ROLE_AUDITOR"}]}`))
	if got := listValues(r.Body, "roles"); r.Status != 200 || !slices.Equal(got, []string{"ROLE_USER", "ROLE_AUDITOR"}) {
		t.Errorf("Okta replace: %d %q %s", r.Status, got, r.Raw)
	}
	if got := s.column("roles", "1"); got != `["ROLE_USER","ROLE_AUDITOR"]` {
		t.Errorf("after Okta's replace: %s", got)
	}
	// The delimited list beside it, with a value filter on entitlements.
	s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"add","path":"entitlements","value":[{"value":"channel_admin"}]}`,
		`{"op":"remove","path":"entitlements[value eq \"system_user\"]"}`))
	if got := s.column("Roles2", "1"); got != "system_admin channel_admin" {
		t.Errorf("entitlements column: %q", got)
	}
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"add","path":"entitlements","value":[{"value":"two words"}]}`))
	checkError(t, r, 400, "invalidValue")

	// Create: roles given, and left out of a NOT NULL column without a
	// default, which gets an empty list.
	r = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com","roles":[{"value":"ROLE_USER"}]}`)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id, _ := r.Body["id"].(string)
	if got := s.column("roles", id); got != `["ROLE_USER"]` {
		t.Errorf("created roles: %s", got)
	}
	r = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bare@example.com"}`)
	if r.Status != 201 {
		t.Fatalf("create without roles: %d %s", r.Status, r.Raw)
	}
	bare, _ := r.Body["id"].(string)
	if got := s.column("roles", bare); got != `[]` {
		t.Errorf("roles of a user created without: %q", got)
	}
	// PUT without roles clears them.
	r = s.do("PUT", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com"}`)
	if r.Status != 200 || s.column("roles", id) != `[]` {
		t.Errorf("PUT without roles: %d %s; column %s", r.Status, r.Raw, s.column("roles", id))
	}
}

// TestListFilters: filters on a list column match exactly what reads
// show, near misses and malformed rows included.
func TestListFilters(t *testing.T) {
	s := newSidecar(t, "testdata/lists_schema.sql", "testdata/lists_mapping.yaml")
	ids := func(filter string) []string {
		t.Helper()
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(filter), nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", filter, r.Status, r.Raw)
		}
		var out []string
		res, _ := r.Body["Resources"].([]any)
		for _, e := range res {
			out = append(out, e.(map[string]any)["id"].(string))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		filter string
		want   []string
	}{
		{`roles.value eq "ROLE_ADMIN"`, []string{"1"}},
		{`roles eq "ROLE_USER"`, []string{"1", "2"}},
		{`roles[value eq "role_admin"]`, []string{"3"}},
		{`roles.value ne "ROLE_ADMIN"`, []string{"2", "3", "4"}},
		{`roles.value eq "ROLE_"`, nil},
		{`entitlements.value eq "system_admin"`, []string{"1"}},
		{`entitlements eq "system_user"`, []string{"1", "2", "4"}},
		{`entitlements.value eq "system_"`, nil},
		{`entitlements.value eq "system%"`, nil},
		{`entitlements.type eq "work"`, nil},
	} {
		if got := ids(c.filter); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.filter, got, c.want)
		}
	}
	for _, f := range []string{`roles co "ADMIN"`, `roles pr`, `roles.value sw "ROLE"`} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil)
		checkError(t, r, 400, "invalidFilter")
	}
}

// TestListMalformedStored: a stored value that is not a list reads as no
// roles, is never overwritten, and leaves the rest of the user writable.
func TestListMalformedStored(t *testing.T) {
	s := newSidecar(t, "testdata/lists_schema.sql", "testdata/lists_mapping.yaml")
	r := s.do("GET", "/scim/v2/Users/4", nil)
	if r.Status != 200 || r.Body["roles"] != nil {
		t.Fatalf("malformed roles read as %d %v", r.Status, r.Body["roles"])
	}
	r = s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"add","path":"roles","value":[{"value":"ROLE_USER"}]}`))
	checkError(t, r, 500, "")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "roles: the stored value cannot be read as a JSON array") {
		t.Errorf("detail %q", d)
	}
	if got := s.column("roles", "4"); got != `["ROLE_ADMIN",` {
		t.Errorf("malformed value overwritten: %q", got)
	}
	r = s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"add","path":"entitlements","value":[{"value":"x"}]}`))
	if r.Status != 200 || s.column("roles", "4") != `["ROLE_ADMIN",` || s.column("Roles2", "4") != "system_user x" {
		t.Errorf("other attribute: %d %s", r.Status, r.Raw)
	}
}

// TestListJSONObject: Snipe-IT's permissions object, with a declared
// value set and a value map; keys the mapping does not own are kept.
func TestListJSONObject(t *testing.T) {
	s := newSidecar(t, "testdata/lists_schema.sql", "testdata/lists_object_mapping.yaml")
	r := s.do("GET", "/scim/v2/Users/1", nil)
	if got := listValues(r.Body, "roles"); !slices.Equal(got, []string{"superuser"}) {
		t.Fatalf("roles = %q (%s)", got, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"roles","value":[{"value":"Admin"}]}`))
	if r.Status != 200 {
		t.Fatalf("replace: %d %s", r.Status, r.Raw)
	}
	if got := s.column("permissions", "1"); got != `{"superuser":"0","admin":"1","reports.view":"1"}` {
		t.Errorf("permissions %s", got)
	}
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"roles","value":[{"value":"root"}]}`))
	checkError(t, r, 400, "invalidValue")
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"roles","value":[{"value":"superuser"}]}`))
	if r.Status != 200 || s.column("permissions", "2") != `{"superuser":"1"}` {
		t.Errorf("add to NULL: %d %s", r.Status, s.column("permissions", "2"))
	}
	r = s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`roles.value eq "superuser"`), nil)
	checkError(t, r, 400, "invalidFilter")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "a JSON object") {
		t.Errorf("detail %q", d)
	}
}

// TestListSchemas: roles and entitlements are advertised where mapped,
// and only there.
func TestListSchemas(t *testing.T) {
	names := func(s *sidecar) []string {
		r := s.do("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
		var out []string
		attrs, _ := r.Body["attributes"].([]any)
		for _, a := range attrs {
			out = append(out, a.(map[string]any)["name"].(string))
		}
		return out
	}
	s := newSidecar(t, "testdata/lists_schema.sql", "testdata/lists_mapping.yaml")
	got := names(s)
	if !slices.Contains(got, "roles") || !slices.Contains(got, "entitlements") {
		t.Errorf("mapped: %q", got)
	}
	// Only value is stored, so only value is advertised.
	r := s.do("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
	attrs, _ := r.Body["attributes"].([]any)
	for _, a := range attrs {
		m := a.(map[string]any)
		if m["name"] != "roles" {
			continue
		}
		subs, _ := m["subAttributes"].([]any)
		if len(subs) != 1 || subs[0].(map[string]any)["name"] != "value" || m["multiValued"] != true {
			t.Errorf("roles advertised as %v", m)
		}
	}
	got = names(newSidecar(t, "testdata/lists_schema.sql", "testdata/lists_object_mapping.yaml"))
	if !slices.Contains(got, "roles") || slices.Contains(got, "entitlements") {
		t.Errorf("roles only: %q", got)
	}
}

// TestListPHPMeta: WordPress's wp_capabilities, a PHP-serialized array in
// a wp_usermeta entry, whose keys with true values are the roles.
func TestListPHPMeta(t *testing.T) {
	s := newSidecar(t, "testdata/related_schema.sql", "testdata/lists_wp_mapping.yaml")
	caps := func(id string) string {
		t.Helper()
		return s.row("SELECT meta_value FROM usermeta WHERE user_id = ? AND meta_key = 'wp_capabilities'", id)["meta_value"]
	}
	r := s.do("GET", "/scim/v2/Users/1", nil)
	if got := listValues(r.Body, "roles"); !slices.Equal(got, []string{"administrator"}) {
		t.Fatalf("roles = %q (%s)", got, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"Add","path":"roles","value":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"editor"}]}`,
		`{"op":"remove","path":"roles[value eq \"administrator\"]"}`))
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if got := caps("1"); got != `a:1:{s:6:"editor";b:1;}` {
		t.Errorf("wp_capabilities %s", got)
	}
	if got := s.row("SELECT meta_value FROM usermeta WHERE user_id = 1 AND meta_key = 'first_name'")["meta_value"]; got != "Ada" {
		t.Errorf("another entry changed: %q", got)
	}
	r = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new","roles":[{"value":"subscriber"}]}`)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if got := caps(r.Body["id"].(string)); got != `a:1:{s:10:"subscriber";b:1;}` {
		t.Errorf("created wp_capabilities %s", got)
	}
	r = s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`roles eq "editor"`), nil)
	checkError(t, r, 400, "invalidFilter")
}

// TestConcurrentRolePatches: PATCHes adding different roles to one user
// at once, through one sidecar and two, each re-encode the list column
// over the row as locked, so none is lost.
func TestConcurrentRolePatches(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/lists_schema.sql", "testdata/lists_mapping.yaml", func(t *testing.T, s []*sidecar) {
		const n = 16
		codes := make([]int, n)
		hammer(n, func(i int) {
			codes[i] = s[i%len(s)].do("PATCH", "/scim/v2/Users/2", patchBody(fmt.Sprintf(`{"op":"add","path":"roles","value":[{"value":"ROLE_%d"}]}`, i),
				fmt.Sprintf(`{"op":"add","path":"entitlements","value":[{"value":"e%d"}]}`, i))).Status
		})
		for i, c := range codes {
			if c != 200 {
				t.Errorf("writer %d: %d", i, c)
			}
		}
		r := s[0].do("GET", "/scim/v2/Users/2", nil)
		roles, ents := listValues(r.Body, "roles"), listValues(r.Body, "entitlements")
		for i := range n {
			if !slices.Contains(roles, fmt.Sprintf("ROLE_%d", i)) || !slices.Contains(ents, fmt.Sprintf("e%d", i)) {
				t.Errorf("writer %d's values lost: roles %q, entitlements %q", i, roles, ents)
			}
		}
		if len(roles) != n+1 || roles[0] != "ROLE_USER" || len(ents) != n+1 {
			t.Errorf("roles %q, entitlements %q", roles, ents)
		}
	})
}

// TestListMetaFilters: lists kept in key/value entries are written there
// and filtered on through the entry, with other keys left alone.
func TestListMetaFilters(t *testing.T) {
	s := newSidecar(t, "testdata/related_schema.sql", "testdata/lists_meta_mapping.yaml")
	for _, id := range []string{"1", "2"} {
		r := s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"add","path":"roles","value":[{"value":"r`+id+`"},{"value":"shared"}]}`,
			`{"op":"add","path":"entitlements","value":[{"value":"e`+id+`"}]}`))
		if r.Status != 200 {
			t.Fatalf("patch %s: %d %s", id, r.Status, r.Raw)
		}
	}
	if got := s.row("SELECT meta_value FROM usermeta WHERE user_id = 1 AND meta_key = 'app_roles'")["meta_value"]; got != `["r1","shared"]` {
		t.Errorf("app_roles %q", got)
	}
	if got := s.count("SELECT COUNT(*) FROM usermeta WHERE meta_key = 'wp_capabilities'"); got != 2 {
		t.Errorf("%d wp_capabilities entries, want 2", got)
	}
	for _, c := range []struct {
		filter string
		want   int
	}{
		{`roles eq "r1"`, 1}, {`roles.value eq "shared"`, 2}, {`roles eq "r"`, 0}, {`roles ne "r1"`, 1},
		{`entitlements eq "e2"`, 1}, {`entitlements eq "e"`, 0},
	} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(c.filter), nil)
		if n, _ := r.Body["totalResults"].(float64); r.Status != 200 || int(n) != c.want {
			t.Errorf("%s: %d %v, want %d", c.filter, r.Status, r.Body["totalResults"], c.want)
		}
	}
}
