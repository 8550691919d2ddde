package scim_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMembershipsKeepHistory: where removing a member marks its join row
// (members.removed), the marked rows are no memberships for any read or
// filter, a removal marks instead of deleting, and adding the member
// again brings back the same row with the application's columns as they
// were.
func TestMembershipsKeepHistory(t *testing.T) {
	s := newSidecar(t, "testdata/msoft_schema.sql", "testdata/msoft_mapping.yaml")
	members := func() []string {
		t.Helper()
		r := s.do("GET", "/scim/v2/Groups/t-1", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET team: %d %s", r.Status, r.Raw)
		}
		return memberValues(r.Body, "members")
	}
	if got := members(); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("members %v, want only alice (bob's row is marked removed)", got)
	}
	if got := memberValues(s.do("GET", "/scim/v2/Users/2", nil).Body, "groups"); len(got) != 0 {
		t.Errorf("bob's groups %v, want none", got)
	}
	if got := listIDs(t, s.do("GET", "/scim/v2/Groups?"+filterQuery(`members.value eq "2"`), nil)); len(got) != 0 {
		t.Errorf("groups with member bob: %v, want none", got)
	}

	// Removing alice marks her row.
	if r := s.do("PATCH", "/scim/v2/Groups/t-1", patchBody(`{"op":"remove","path":"members[value eq \"1\"]"}`)); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("removing alice: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT Roles, DeleteAt > 1000000000000 AS removed FROM TeamMembers WHERE TeamId = 1 AND UserId = 1"); got["removed"] != "1" || got["Roles"] != "team_user" {
		t.Errorf("alice's row after removal: %v, want it kept and marked with the time in milliseconds", got)
	}
	if got := members(); len(got) != 0 {
		t.Errorf("members after removing alice: %v", got)
	}

	// Adding bob back clears his mark on the same row; carol gets a new one.
	if r := s.do("PATCH", "/scim/v2/Groups/t-1", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"3"}]}`)); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("adding bob and carol: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT UserId, Roles, DeleteAt, SchemeUser FROM TeamMembers WHERE TeamId = 1 ORDER BY UserId"); len(got) != 3 || got[1] != "2 | team_user team_admin | 0 | 1" || got[2] != "3 |  | 0 | 1" {
		t.Errorf("join rows after adding bob and carol: %q", got)
	}
	if got := members(); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("members %v, want bob and carol", got)
	}
	// Adding a current member again changes nothing.
	if r := s.do("PATCH", "/scim/v2/Groups/t-1", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`)); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("adding bob again: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM TeamMembers WHERE TeamId = 1 AND UserId = 2 AND DeleteAt = 0"); n != 1 {
		t.Errorf("bob has %d current rows, want 1", n)
	}

	// A PUT replacing the members marks those it leaves out.
	if r := s.do("PUT", "/scim/v2/Groups/t-1", `{"displayName":"Engineering","members":[{"value":"3"}]}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT UserId, DeleteAt > 0 FROM TeamMembers WHERE TeamId = 1 ORDER BY UserId"); !slices.Equal(got, []string{"1 | 1", "2 | 1", "3 | 0"}) {
		t.Errorf("join rows after PUT: %q", got)
	}
}

// TestMembershipsKeepHistoryByFlag: a removed flag without a unique
// (group, user) key, where the application keeps one row per stint: a
// removal sets the flag, and adding the member again brings back one of
// the member's rows, never a second current one.
func TestMembershipsKeepHistoryByFlag(t *testing.T) {
	dir := t.TempDir()
	mapping := filepath.Join(dir, "mapping.yaml")
	data, err := os.ReadFile("testdata/msoft_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `  members:
    table: TeamMembers
    group: TeamId
    user: UserId
    defaults:
      SchemeUser: 1
    removed: {column: DeleteAt, generate: now, timeUnit: milliseconds}`, `  members:
    table: project_members
    group: project_id
    user: user_id
    removed: {column: removed, value: 1}`, 1)
	if err := os.WriteFile(mapping, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSidecar(t, "testdata/msoft_schema.sql", mapping)
	if _, err := s.db.Exec("INSERT INTO project_members (id, project_id, user_id, removed) VALUES (1, 1, 2, 1), (2, 1, 2, 1), (3, 1, 1, 0)"); err != nil {
		t.Fatal(err)
	}
	if got := memberValues(s.do("GET", "/scim/v2/Groups/t-1", nil).Body, "members"); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("members %v, want alice", got)
	}
	if r := s.do("PATCH", "/scim/v2/Groups/t-1", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`, `{"op":"remove","path":"members","value":[{"value":"1"}]}`)); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT user_id, SUM(removed = 0), COUNT(*) FROM project_members GROUP BY user_id ORDER BY user_id"); !slices.Equal(got, []string{"1 | 0 | 1", "2 | 1 | 2"}) {
		t.Errorf("current and all rows by user: %q, want alice's one row marked and one of bob's two stints back", got)
	}
}

// TestSoftDeletedUserMarksItsMemberships: where removing a member marks
// its row (Mattermost's DeleteAt, SuiteCRM's deleted), a soft-deleted
// user's memberships are marked too, not deleted: the application keeps
// that history. A row marked before keeps its mark.
func TestSoftDeletedUserMarksItsMemberships(t *testing.T) {
	mapping, err := os.ReadFile("testdata/msoft_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("testdata/msoft_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	m := strings.Replace(string(mapping), "  delete: hard\n", "  delete: {mark: {column: DeleteAt, generate: now, timeUnit: milliseconds}, release: \"{value}#{id}\"}\n", 1)
	s := newSidecarText(t, string(schema), m)
	for _, id := range []string{"1", "2"} {
		if r := s.do("DELETE", "/scim/v2/Users/"+id, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete %s: %d %s", id, r.Status, r.Raw)
		}
	}
	if got := s.joinMembers("SELECT CONCAT(UserId, ':', DeleteAt > 0, ':', DeleteAt = 1700000000000) FROM TeamMembers WHERE TeamId = ?", "1"); got != "1:1:0,2:1:1" {
		t.Errorf("memberships after the deletes: %s, want alice's marked now and bob's mark kept", got)
	}
}
