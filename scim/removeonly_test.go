package scim_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// metric returns the value of a counter, or the sample count of a
// histogram, of the sidecar's registry whose labels include these
// name/value pairs; 0 when there is none.
func (s *sidecar) metric(name string, labels ...string) float64 {
	s.t.Helper()
	mfs, err := s.cli.Registry.Gather()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue next
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// storeCalls is the number of calls of a store method on groups.
func (s *sidecar) storeCalls(method string) float64 {
	return s.metric("scimbridge_database_operation_duration_seconds", "resource", "Group", "method", method)
}

// TestRemoveOnlyPatch checks the path of a PATCH that only removes listed
// members, in Okta's shape (a filtered path) and Entra's (a value list):
// the group's RemoveMembers, which leaves every other member, answers 204
// for a non-member and 404 for a group that does not exist, and is
// counted in the metrics as any removal is. A removal of every member
// takes the full path.
func TestRemoveOnlyPatch(t *testing.T) {
	s := newSidecar(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml")
	members := func(role string) string {
		return s.joinMembers("SELECT user_id FROM user_roles WHERE role_id = ?", role)
	}
	s.db.Exec("INSERT INTO user_roles (user_id, role_id) VALUES (1, 2), (4, 2), (2, 1)")
	removed := func() float64 { return s.metric("scimbridge_group_members_removed_total", "directory", "okta") }
	for _, c := range []struct {
		name, group, op string
		status          int
		members         string // of the group after
		removed         float64
	}{
		{"Okta: one member", "2", `{"op":"remove","path":"members[value eq \"2\"]"}`, http.StatusNoContent, "1,3,4", 1},
		{"Entra: one member", "2", `{"op":"Remove","path":"members","value":[{"value":"3"}]}`, http.StatusNoContent, "1,4", 1},
		{"Entra: a non-member", "2", `{"op":"Remove","path":"members","value":[{"value":"2"}]}`, http.StatusNoContent, "1,4", 0},
		{"Okta: a user that does not exist", "2", `{"op":"remove","path":"members[value eq \"99\"]"}`, http.StatusNoContent, "1,4", 0},
		{"Okta: two members", "2", `{"op":"remove","path":"members[value eq \"1\" or value eq \"4\"]"}`, http.StatusNoContent, "", 2},
		{"a group that does not exist", "99", `{"op":"remove","path":"members[value eq \"1\"]"}`, http.StatusNotFound, "", 0},
	} {
		calls, before := s.storeCalls("remove_members"), removed()
		r := s.do("PATCH", "/scim/v2/Groups/"+c.group, patchBody(c.op))
		if r.Status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Raw, c.status)
		}
		if got := members(c.group); got != c.members {
			t.Errorf("%s: members %q, want %q", c.name, got, c.members)
		}
		if got := s.storeCalls("remove_members") - calls; got != 1 {
			t.Errorf("%s: RemoveMembers called %v times, want once", c.name, got)
		}
		if got := removed() - before; got != c.removed {
			t.Errorf("%s: %v members counted removed, want %v", c.name, got, c.removed)
		}
	}
	if got := members("1"); got != "1,2" {
		t.Errorf("admin's members %q, want 1,2 as before", got)
	}
	if got := members("3"); got != "" {
		t.Errorf("viewer's members %q, want none as before", got)
	}
	// A remove of members with no value or filter removes them all, and
	// additions with removals go together: both take the full path.
	for _, c := range []struct {
		name, ops, members string
	}{
		{"remove and add", `{"op":"remove","path":"members[value eq \"1\"]"},{"op":"add","path":"members","value":[{"value":"3"}]}`, "2,3"},
		{"remove every member", `{"op":"remove","path":"members"}`, ""},
	} {
		calls, updates := s.storeCalls("remove_members"), s.storeCalls("update_group")
		if r := s.do("PATCH", "/scim/v2/Groups/1", patchBody(c.ops)); r.Status != http.StatusNoContent {
			t.Errorf("%s: %d %s, want 204", c.name, r.Status, r.Raw)
		}
		if got := members("1"); got != c.members {
			t.Errorf("%s: members %q, want %q", c.name, got, c.members)
		}
		if s.storeCalls("remove_members") != calls || s.storeCalls("update_group") != updates+1 {
			t.Errorf("%s: not the full path", c.name)
		}
	}
}

// TestRemoveOnlyPatchTouchesGroup: where the group's row records its last
// change, a PATCH that only removes members takes the full path, which
// writes it.
func TestRemoveOnlyPatchTouchesGroup(t *testing.T) {
	dir := t.TempDir()
	schema, err := os.ReadFile("testdata/roles_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	mapping, err := os.ReadFile("testdata/roles_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const created = "    meta.created: created_at\n"
	if !strings.Contains(string(mapping), created) {
		t.Fatalf("roles mapping has no %q", created)
	}
	sf, mf := filepath.Join(dir, "schema.sql"), filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(sf, append(schema, "\nALTER TABLE roles ADD updated_at DATETIME NULL;\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mf, []byte(strings.Replace(string(mapping), created, created+"    meta.lastModified: updated_at\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSidecar(t, sf, mf)
	for _, op := range []string{
		`{"op":"remove","path":"members[value eq \"2\"]"}`,
		`{"op":"Remove","path":"members","value":[{"value":"3"}]}`,
	} {
		s.db.Exec("UPDATE roles SET updated_at = NULL WHERE id = 2")
		calls, updates := s.storeCalls("remove_members"), s.storeCalls("update_group")
		if r := s.do("PATCH", "/scim/v2/Groups/2", patchBody(op)); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", op, r.Status, r.Raw)
		}
		if got := s.count("SELECT COUNT(*) FROM roles WHERE id = 2 AND updated_at IS NOT NULL"); got != 1 {
			t.Errorf("%s: the group's updated_at was not written", op)
		}
		if s.storeCalls("remove_members") != calls || s.storeCalls("update_group") != updates+1 {
			t.Errorf("%s: not the full path", op)
		}
	}
	if got := s.joinMembers("SELECT user_id FROM user_roles WHERE role_id = 2"); got != "" {
		t.Errorf("editor's members %q, want none", got)
	}
}
