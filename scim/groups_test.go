package scim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

func patchBody(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

// memberIDs returns the member values of a group document, sorted; a
// group without members has no members attribute (RFC 7643 section 2.5).
func memberIDs(t testing.TB, doc map[string]any) []string {
	t.Helper()
	list, ok := doc["members"].([]any)
	if _, has := doc["members"]; has && (!ok || len(list) == 0) {
		t.Fatalf("members is %#v in %v; want it left out when empty", doc["members"], doc)
	}
	var ids []string
	for _, m := range list {
		ids = append(ids, m.(map[string]any)["value"].(string))
	}
	sort.Strings(ids)
	return ids
}

// joinMembers reads user_roles for a role, sorted.
func (s *sidecar) joinMembers(q string, args ...any) string {
	s.t.Helper()
	rows, err := s.db.Query(q, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			s.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

func TestGroupsJoinTable(t *testing.T) {
	s := newSidecar(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml")
	members := func(role string) string {
		return s.joinMembers("SELECT user_id FROM user_roles WHERE role_id = ?", role)
	}

	r := s.do("GET", "/scim/v2/Groups", nil)
	if r.Status != 200 || r.Body["totalResults"] != float64(3) {
		t.Fatalf("list: %d %s", r.Status, r.Raw)
	}
	editor := r.Body["Resources"].([]any)[1].(map[string]any)
	if editor["displayName"] != "editor" || strings.Join(memberIDs(t, editor), ",") != "2,3" {
		t.Errorf("editor: %v", editor)
	}
	m0 := editor["members"].([]any)[0].(map[string]any)
	if m0["display"] != "Bob Baker" || m0["$ref"] != "http://sidecar.test/scim/v2/Users/2" {
		t.Errorf("member rendering: %v", m0)
	}
	r = s.do("GET", "/scim/v2/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "EDITOR"`), nil)
	if r.Body["totalResults"] != float64(1) || strings.Contains(r.Raw, "members") {
		t.Errorf("excludedAttributes=members, case-insensitive displayName: %s", r.Raw)
	}

	// Create with members; a duplicate name conflicts.
	r = s.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ops","externalId":"okta-ops","members":[{"value":"1"},{"value":"4","display":"Dave"}]}`)
	if r.Status != http.StatusCreated || strings.Join(memberIDs(t, r.Body), ",") != "1,4" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	ops := r.Body["id"].(string)
	if got := members(ops); got != "1,4" {
		t.Errorf("rows after create: %s", got)
	}
	checkError(t, s.do("POST", "/scim/v2/Groups", `{"displayName":"OPS"}`), http.StatusConflict, "uniqueness")
	r = s.do("POST", "/scim/v2/Groups", `{"displayName":"x","members":[{"value":"1"},{"value":"999"}]}`)
	checkError(t, r, http.StatusBadRequest, "invalidValue")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, `"999"`) || strings.Contains(d, `"1"`) {
		t.Errorf("unknown member 999 among known ones: detail %q, want it to name \"999\" only", d)
	}
	if n := s.count("SELECT COUNT(*) FROM roles WHERE name = 'x'"); n != 0 {
		t.Errorf("a group with an unknown member was created")
	}

	steps := []struct {
		name, body, want string
	}{
		{"Okta add (no type, existing member too)", patchBody(`{"op":"add","path":"members","value":[{"value":"2","display":"Bob"},{"value":"1"}]}`), "1,2,4"},
		{"Okta remove by filter", patchBody(`{"op":"remove","path":"members[value eq \"1\"]"}`), "2,4"},
		{"Entra Remove listed only", patchBody(`{"op":"Remove","path":"members","value":[{"$ref":null,"value":"2"}]}`), "4"},
		{"Entra Add capitalised", patchBody(`{"op":"Add","path":"members","value":[{"value":"3"}]}`), "3,4"},
		{"replace all", patchBody(`{"op":"replace","path":"members","value":[{"value":"1"},{"value":"2"}]}`), "1,2"},
		{"add and remove the same member, in order", patchBody(`{"op":"add","path":"members","value":[{"value":"3"}]}`, `{"op":"remove","path":"members","value":[{"value":"3"}]}`), "1,2"},
		{"rename with the read-only id: members stay", patchBody(`{"op":"replace","value":{"id":"` + ops + `","displayName":"operations"}}`), "1,2"},
		{"Entra Replace displayName", patchBody(`{"op":"Replace","path":"displayName","value":"Operations Team"}`), "1,2"},
		{"replace with the empty list", patchBody(`{"op":"replace","path":"members","value":[]}`), ""},
		{"no-path add of members", patchBody(`{"op":"add","value":{"members":[{"value":"4"}]}}`), "4"},
	}
	for _, st := range steps {
		r := s.do("PATCH", "/scim/v2/Groups/"+ops, st.body)
		if r.Status != http.StatusNoContent || r.Raw != "" {
			t.Fatalf("%s: %d %s, want 204 and no body", st.name, r.Status, r.Raw)
		}
		r = s.do("GET", "/scim/v2/Groups/"+ops, nil)
		if got := members(ops); got != st.want {
			t.Fatalf("%s: rows %q, want %q", st.name, got, st.want)
		}
		if got := strings.Join(memberIDs(t, r.Body), ","); got != st.want {
			t.Errorf("%s: members read back %q, want %q", st.name, got, st.want)
		}
	}
	if row := s.row("SELECT name, idp_ref FROM roles WHERE id = ?", ops); row["name"] != "Operations Team" || row["idp_ref"] != "okta-ops" {
		t.Errorf("group row: %v", row)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles WHERE role_id = ? AND user_id = 4", ops); n != 1 {
		t.Errorf("%d rows for one membership", n)
	}

	// An unknown member anywhere in a PATCH applies nothing of it.
	r = s.do("PATCH", "/scim/v2/Groups/"+ops, patchBody(`{"op":"replace","path":"displayName","value":"Renamed"}`, `{"op":"add","path":"members","value":[{"value":"1"},{"value":"12345"}]}`))
	checkError(t, r, http.StatusBadRequest, "invalidValue")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, `"12345"`) {
		t.Errorf("unknown member 12345 in a PATCH: detail %q, want it named", d)
	}
	if got := members(ops); got != "4" {
		t.Errorf("members after a refused PATCH: %q", got)
	}
	if n := s.count("SELECT COUNT(*) FROM roles WHERE name = 'Renamed'"); n != 0 {
		t.Errorf("rename applied from a refused PATCH")
	}
	checkError(t, s.do("PATCH", "/scim/v2/Groups/"+ops, patchBody(`{"op":"replace","path":"members[value eq \"4\"].display","value":"x"}`)), http.StatusBadRequest, "invalidPath")

	// Users show their groups.
	r = s.do("GET", "/scim/v2/Users/2", nil)
	groups, _ := r.Body["groups"].([]any)
	if len(groups) != 1 || groups[0].(map[string]any)["display"] != "editor" || groups[0].(map[string]any)["type"] != "direct" {
		t.Errorf("bob's groups: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/Users?attributes=userName", nil)
	if strings.Contains(r.Raw, `"groups"`) {
		t.Errorf("attributes=userName still returned groups: %s", r.Raw)
	}
	checkError(t, s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"groups","value":[{"value":"1"}]}`)), http.StatusBadRequest, "mutability")

	// PUT without members keeps them; PUT with members replaces them.
	r = s.do("PUT", "/scim/v2/Groups/"+ops, `{"displayName":"Operations Team","externalId":"okta-ops"}`)
	if r.Status != 200 || members(ops) != "4" {
		t.Errorf("PUT without members: %d %s, rows %s", r.Status, r.Raw, members(ops))
	}
	r = s.do("PUT", "/scim/v2/Groups/"+ops, `{"displayName":"Operations Team","members":[{"value":"2"},{"value":"3"}]}`)
	if r.Status != 200 || members(ops) != "2,3" {
		t.Errorf("PUT with members: %d %s, rows %s", r.Status, r.Raw, members(ops))
	}

	// Deleting a group takes its memberships, not its users; deleting a
	// user takes theirs.
	if r := s.do("DELETE", "/scim/v2/Groups/"+ops, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete group: %d %s", r.Status, r.Raw)
	}
	if members(ops) != "" || s.count("SELECT COUNT(*) FROM users") != 4 {
		t.Errorf("after group delete: members %q, users %d", members(ops), s.count("SELECT COUNT(*) FROM users"))
	}
	if r := s.do("DELETE", "/scim/v2/Users/3", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete user: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles WHERE user_id = 3"); n != 0 {
		t.Errorf("%d memberships left for a deleted user", n)
	}
	checkError(t, s.do("GET", "/scim/v2/Groups/"+ops, nil), http.StatusNotFound, "")
	// Adding members to the deleted group, alone in a PATCH (no row read
	// first where the join table's key skips existing members), is a 404
	// that writes nothing.
	checkError(t, s.do("PATCH", "/scim/v2/Groups/"+ops, patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"}]}`)), http.StatusNotFound, "")
	if members(ops) != "" {
		t.Errorf("adding members to a deleted group left rows %s", members(ops))
	}
}

func TestGroupsRoleColumn(t *testing.T) {
	s := newSidecar(t, "testdata/rolecolumn_schema.sql", "testdata/rolecolumn_mapping.yaml")
	role := func(id string) string { return s.row("SELECT role FROM users WHERE id = ?", id)["role"] }
	r := s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "administrators"`), nil)
	if r.Body["totalResults"] != float64(1) {
		t.Fatalf("filter: %s", r.Raw)
	}
	admins := r.Body["Resources"].([]any)[0].(map[string]any)
	if strings.Join(memberIDs(t, admins), ",") != "1" {
		t.Errorf("admins: %v", admins)
	}
	id := admins["id"].(string)
	// Adding a member sets the column (moving them out of their old group).
	r = s.do("PATCH", "/scim/v2/Groups/"+id, patchBody(`{"op":"add","path":"members","value":[{"value":"3"}]}`))
	if r.Status != http.StatusNoContent || role("3") != "Administrators" {
		t.Fatalf("add: %d %s; role %s", r.Status, r.Raw, role("3"))
	}
	// Removing sets the declared default role.
	r = s.do("PATCH", "/scim/v2/Groups/"+id, patchBody(`{"op":"remove","path":"members[value eq \"1\"]"}`))
	if r.Status != http.StatusNoContent || role("1") != "Members" || role("3") != "Administrators" {
		t.Fatalf("remove: %d %s; roles %s %s", r.Status, r.Raw, role("1"), role("3"))
	}
	// Renaming a group referred to by name moves its members along.
	// With attributes asked for, PATCH answers 200 with the group.
	r = s.do("PATCH", "/scim/v2/Groups/"+id+"?attributes=displayName,members", patchBody(`{"op":"replace","path":"displayName","value":"Admins"}`))
	if r.Status != 200 || role("3") != "Admins" || strings.Join(memberIDs(t, r.Body), ",") != "3" {
		t.Fatalf("rename: %d %s; role %s", r.Status, r.Raw, role("3"))
	}
	r = s.do("GET", "/scim/v2/Users/3", nil)
	if g, _ := r.Body["groups"].([]any); len(g) != 1 || g[0].(map[string]any)["display"] != "Admins" {
		t.Errorf("user groups: %s", r.Raw)
	}
	// Deleting the group returns its members to the default role.
	if r := s.do("DELETE", "/scim/v2/Groups/"+id, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if role("3") != "Members" {
		t.Errorf("role after group delete: %s", role("3"))
	}
}

func TestGroupsOneTable(t *testing.T) {
	s := newSidecar(t, "testdata/onetable_schema.sql", "testdata/onetable_mapping.yaml")
	r := s.do("GET", "/scim/v2/Users", nil)
	if r.Body["totalResults"] != float64(2) {
		t.Fatalf("users include groups: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/Groups", nil)
	if r.Body["totalResults"] != float64(1) {
		t.Fatalf("groups include users: %s", r.Raw)
	}
	r = s.do("POST", "/scim/v2/Groups", `{"displayName":"alice","members":[{"value":"00000000-0000-4000-8000-000000000002"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("a group may share a user's name (different kind): %d %s", r.Status, r.Raw)
	}
	gid := r.Body["id"].(string)
	if row := s.row("SELECT kind, name FROM principals WHERE id = ?", gid); row["kind"] != "Group" {
		t.Errorf("new group row: %v", row)
	}
	// A group id is not a user id: adding a group as a member is refused.
	checkError(t, s.do("PATCH", "/scim/v2/Groups/"+gid, patchBody(`{"op":"add","path":"members","value":[{"value":"00000000-0000-4000-8000-0000000000a1"}]}`)), http.StatusBadRequest, "invalidValue")
	checkError(t, s.do("GET", "/scim/v2/Users/"+gid, nil), http.StatusNotFound, "")
	if got := s.joinMembers("SELECT member_id FROM memberships WHERE group_id = ?", gid); got != "00000000-0000-4000-8000-000000000002" {
		t.Errorf("memberships: %q", got)
	}
}

// TestGroupsConcurrentPatches fires PATCHes adding disjoint members to one
// group in parallel, as Okta does when it splits a big push: none is lost.
func TestGroupsConcurrentPatches(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the in-memory engine has no row locks and loses concurrent writes")
	s := newSidecar(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml")
	var values []string
	for i := range 120 {
		values = append(values, fmt.Sprintf("('u%03d')", i))
	}
	if _, err := s.db.Exec("INSERT INTO users (login) VALUES " + strings.Join(values, ",")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	codes := make([]int, 12)
	for w := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every request also adds alice: one row must come of it.
			ms := []string{`{"value":"1"}`}
			for i := range 10 {
				ms = append(ms, fmt.Sprintf(`{"value":"%d"}`, 5+w*10+i))
			}
			// Every other request also removes a member all of them share.
			ops := []string{`{"op":"add","path":"members","value":[` + strings.Join(ms, ",") + `]}`}
			if w%2 == 0 {
				ops = append(ops, `{"op":"remove","path":"members[value eq \"2\"]"}`)
			}
			codes[w] = s.do("PATCH", "/scim/v2/Groups/2", patchBody(ops...)).Status
		}()
	}
	wg.Wait()
	for w, c := range codes {
		if c != http.StatusNoContent {
			t.Errorf("request %d: %d", w, c)
		}
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles WHERE role_id = 2"); n != 122 {
		t.Errorf("%d members, want 122 (carol, alice and 120 added)", n)
	}
	if n := s.count("SELECT COUNT(*) FROM user_roles WHERE role_id = 2 AND user_id = 2"); n != 0 {
		t.Errorf("bob still a member")
	}
}

// TestEmptyMultiValuedOmitted: a group without members and a user without
// e-mail are sent without members and emails, not with empty arrays: RFC
// 7643 section 2.5 treats an empty multi-valued attribute as unassigned,
// and independent checkers refuse "members": [].
func TestEmptyMultiValuedOmitted(t *testing.T) {
	s := newSidecar(t, "testdata/idp_schema.sql", "testdata/idp_mapping.yaml")
	r := s.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"empty","members":[]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	for _, res := range []response{
		r,
		s.do("GET", "/scim/v2/Groups/"+id, nil),
		s.do("GET", "/scim/v2/Groups/"+id+"?attributes=members", nil),
		s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "empty"`), nil),
		s.do("PUT", "/scim/v2/Groups/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"empty","members":[]}`),
		s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nomail","emails":[]}`),
	} {
		if res.Status/100 != 2 {
			t.Fatalf("%d %s", res.Status, res.Raw)
		}
		if strings.Contains(res.Raw, `[]`) || present(res.Body, "members") || present(res.Body, "Resources.members") || present(res.Body, "emails") {
			t.Errorf("an empty multi-valued attribute is sent: %s", res.Raw)
		}
	}
	if r := s.do("GET", "/scim/v2/Groups/g-1", nil); strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Errorf("a group with a member: %s", r.Raw)
	}
}
