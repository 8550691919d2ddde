package scim_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
)

// answeredMembers returns the values of a group document's members, sorted.
func answeredMembers(doc map[string]any) []string {
	var out []string
	ms, _ := doc["members"].([]any)
	for _, m := range ms {
		if v, ok := m.(map[string]any)["value"].(string); ok {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// TestFaultReadAfterCommit drops the connection of a read that runs after
// a write has committed (a group's row and members read to answer, the
// check of an addition of members): the write stands, so the answer is
// its success, with what the request itself says where the read would
// have said it, never a 5xx that the IdP would retry into a 409.
func TestFaultReadAfterCommit(t *testing.T) {
	s, p, _ := faultSidecar(t, nil)
	const (
		groupRead   = "FROM `roles` WHERE `id` ="
		membersRead = "FROM `user_roles` j JOIN `users`"
	)
	cases := []struct {
		name, method, path, body, at string
		want                         int
		members                      []string // in the answer; nil: not checked
		stored                       string   // members of the group after, by a direct read
	}{
		{"create group, its row read to answer", "POST", "/scim/v2/Groups", `{"displayName":"ops","members":[{"value":"1"},{"value":"2"},{"value":"4"}]}`, groupRead, 201, []string{"1", "2", "4"}, "1,2,4"},
		{"create group, its members read to answer", "POST", "/scim/v2/Groups", `{"displayName":"sre","members":[{"value":"3"},{"value":"1"}]}`, membersRead, 201, []string{"1", "3"}, "1,3"},
		{"create group without members", "POST", "/scim/v2/Groups", `{"displayName":"empty"}`, membersRead, 201, []string{}, ""},
		{"replace group with members", "PUT", "/scim/v2/Groups/2", `{"displayName":"writers","members":[{"value":"1"},{"value":"4"}]}`, membersRead, 200, []string{"1", "4"}, "1,4"},
		{"replace group's name only", "PUT", "/scim/v2/Groups/3", `{"displayName":"readers"}`, membersRead, 200, nil, ""},
		{"patch group, answer asked for", "PATCH", "/scim/v2/Groups/1?attributes=displayName,members", patchBody(`{"op":"add","path":"members","value":[{"value":"3"}]}`, `{"op":"replace","path":"displayName","value":"root"}`), membersRead, 200, nil, "1,3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hit := p.On(c.at, faultproxy.Cut)
			r := s.do(c.method, c.path, c.body)
			select {
			case <-hit:
			default:
				p.ClearRules()
				t.Fatalf("the answer never read %q (status %d %s)", c.at, r.Status, r.Raw)
			}
			if r.Status != c.want {
				t.Fatalf("status %d %s, want %d: the write committed", r.Status, r.Raw, c.want)
			}
			id, _ := r.Body["id"].(string)
			if id == "" {
				t.Fatalf("no id in %s", r.Raw)
			}
			if c.method == "POST" && r.Header.Get("Location") == "" {
				t.Errorf("201 without Location")
			}
			if c.members != nil {
				if got := answeredMembers(r.Body); !slices.Equal(got, c.members) {
					t.Errorf("members in the answer %v, want %v: %s", got, c.members, r.Raw)
				}
			}
			if got := s.joinMembers("SELECT user_id FROM user_roles WHERE role_id = ? ORDER BY user_id", id); got != c.stored {
				t.Errorf("stored members %q, want %q", got, c.stored)
			}
		})
	}
	// A PATCH that only adds members is one statement that autocommits;
	// when some users were members already it used to read the group
	// after it, to find out why fewer rows were added.
	t.Run("add members, some already in", func(t *testing.T) {
		defer p.ClearRules()
		p.On("SELECT 1 FROM `roles`", faultproxy.Cut)
		r := s.do("PATCH", "/scim/v2/Groups/1", patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"}]}`))
		if r.Status != http.StatusNoContent {
			t.Fatalf("status %d %s, want 204: the addition committed", r.Status, r.Raw)
		}
		if got := s.joinMembers("SELECT user_id FROM user_roles WHERE role_id = 1 ORDER BY user_id"); got != "1,2,3" {
			t.Errorf("members of group 1: %q, want 1,2,3", got)
		}
	})
}

// TestFaultCommitAnswerLost lets each kind of write reach and run its
// COMMIT on the server, and then loses the answer (the proxy resets the
// sidecar's connection once it has forwarded the COMMIT): the write has
// committed but the sidecar was not told. It finds out, on a fresh
// connection, and answers with its success; every 2xx is stored.
// TestFaultConnectionDropsMidTransaction is the other side: a COMMIT that
// never reached the server is 503, and nothing is stored.
func TestFaultCommitAnswerLost(t *testing.T) {
	s, p, _ := faultSidecar(t, nil)
	// A COMMIT of its own (a COM_QUERY packet's command byte, then the
	// statement), not READ COMMITTED of a new connection's set-up.
	const commit = "\x03COMMIT"
	cases := []struct {
		name, method, path, body, at string
		want                         int
		stored                       string // a query that finds the write: its count must be 1
		args                         []any
	}{
		{"create user", "POST", "/scim/v2/Users", `{"userName":"lost@example.com","displayName":"Lost"}`, commit, 201,
			"SELECT COUNT(*) FROM users WHERE login = ? AND full_name = ?", []any{"lost@example.com", "Lost"}},
		{"patch user (UPDATE; COMMIT)", "PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"B2"}`), "; COMMIT", 200,
			"SELECT COUNT(*) FROM users WHERE id = 2 AND full_name = ?", []any{"B2"}},
		{"put user", "PUT", "/scim/v2/Users/3", `{"userName":"carol2","displayName":"C2","active":false}`, "; COMMIT", 200,
			"SELECT COUNT(*) FROM users WHERE id = 3 AND login = ? AND status = 0", []any{"carol2"}},
		{"create group with members", "POST", "/scim/v2/Groups", `{"displayName":"ops","members":[{"value":"1"},{"value":"2"}]}`, commit, 201,
			"SELECT COUNT(*) FROM roles r WHERE name = ? AND (SELECT COUNT(*) FROM user_roles WHERE role_id = r.id) = 2", []any{"ops"}},
		{"patch group: rename and members", "PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"replace","path":"displayName","value":"writers"}`, `{"op":"add","path":"members","value":[{"value":"4"}]}`), commit, 204,
			"SELECT COUNT(*) FROM roles WHERE id = 2 AND name = ? AND EXISTS (SELECT 1 FROM user_roles WHERE role_id = 2 AND user_id = 4)", []any{"writers"}},
		{"patch group: members alone", "PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"3"}]}`, `{"op":"remove","path":"members[value eq \"4\"]"}`), commit, 204,
			"SELECT COUNT(*) = 2 FROM user_roles WHERE role_id = 3 AND user_id IN (1, 3)", nil},
		{"put group: members alone", "PUT", "/scim/v2/Groups/3", `{"displayName":"viewer","members":[{"value":"4"}]}`, commit, 200,
			"SELECT GROUP_CONCAT(user_id) = '4' FROM user_roles WHERE role_id = 3", nil},
		{"add members, one statement that autocommits", "PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`), "INSERT INTO `user_roles`", 204,
			"SELECT COUNT(*) FROM user_roles WHERE role_id = 3 AND user_id = 2", nil},
		{"remove members, one statement that autocommits", "PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"Remove","path":"members","value":[{"value":"2"}]}`), "DELETE FROM `user_roles`", 204,
			"SELECT COUNT(*) = 0 FROM user_roles WHERE role_id = 3 AND user_id = 2", nil},
		{"delete user with memberships", "DELETE", "/scim/v2/Users/2", "", commit, 204,
			"SELECT COUNT(*) = 0 FROM users WHERE id = 2", nil},
		{"delete group", "DELETE", "/scim/v2/Groups/1", "", commit, 204,
			"SELECT COUNT(*) = 0 FROM roles WHERE id = 1", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			hit := p.On(c.at, faultproxy.LoseAnswer)
			r := s.do(c.method, c.path, body)
			select {
			case <-hit:
			default:
				p.ClearRules()
				t.Fatalf("the request never sent %q (status %d %s)", c.at, r.Status, r.Raw)
			}
			stored := s.count(c.stored, c.args...) == 1
			switch {
			case r.Status == c.want && stored:
			case r.Status < 300 && !stored:
				t.Fatalf("%d, yet not stored: %s", r.Status, r.Raw)
			case r.Status >= 500 && stored:
				t.Fatalf("%d, yet the write stands: %s", r.Status, r.Raw)
			default:
				t.Fatalf("status %d %s, stored %v; want %d", r.Status, r.Raw, stored, c.want)
			}
		})
	}
}
