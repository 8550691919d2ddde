package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// countersRight checks that every team's num_members and every user's
// num_teams, kept by hooks, equal the memberships there are.
func (s *sidecar) countersRight() {
	s.t.Helper()
	if n := s.count("SELECT COUNT(*) FROM team t WHERE num_members <> (SELECT COUNT(*) FROM team_user tu WHERE tu.team_id = t.id)"); n != 0 {
		s.t.Errorf("%d teams with num_members wrong: %s", n, s.joinMembers("SELECT CONCAT(id, ':', num_members) FROM team"))
	}
	if n := s.count("SELECT COUNT(*) FROM `user` u WHERE num_teams <> (SELECT COUNT(*) FROM team_user tu WHERE tu.uid = u.id)"); n != 0 {
		s.t.Errorf("%d users with num_teams wrong: %s", n, s.joinMembers("SELECT CONCAT(id, ':', num_teams) FROM `user`"))
	}
}

// TestHooksKeepCounters runs membership changes of every kind through a
// mapping whose member hooks keep Gitea's counters: each hook runs once
// per member actually added or removed, so the counters stay right,
// including for members added twice, removed when not members, and
// memberships a user's or a group's deletion removes.
func TestHooksKeepCounters(t *testing.T) {
	s := newSidecar(t, "testdata/hooks_schema.sql", "testdata/hooks_mapping.yaml")
	s.countersRight()
	member := func(id string) string { return `{"value":"` + id + `"}` }
	steps := []struct {
		name, method, path, body string
		status                   int
		members                  string // team_user rows of the team, afterwards
		team                     string
	}{
		{"create with members", "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ops","members":[` + member("1") + `,` + member("2") + `]}`, http.StatusCreated, "1,2", "3"},
		// bob is a member already: only carol is added (the fast path
		// of a members-only PATCH must be declined).
		{"add one new, one existing", "PATCH", "/scim/v2/Groups/g-3", patchBody(`{"op":"add","path":"members","value":[` + member("2") + `,` + member("3") + `]}`), http.StatusNoContent, "1,2,3", "3"},
		{"add existing only", "PATCH", "/scim/v2/Groups/g-3", patchBody(`{"op":"add","path":"members","value":[` + member("3") + `]}`), http.StatusNoContent, "1,2,3", "3"},
		{"remove a member and a non-member", "PATCH", "/scim/v2/Groups/g-3", patchBody(`{"op":"remove","path":"members[value eq \"2\"]"}`, `{"op":"remove","path":"members[value eq \"4\"]"}`), http.StatusNoContent, "1,3", "3"},
		{"replace members", "PATCH", "/scim/v2/Groups/g-3", patchBody(`{"op":"replace","path":"members","value":[` + member("3") + `,` + member("4") + `]}`), http.StatusNoContent, "3,4", "3"},
		{"put members", "PUT", "/scim/v2/Groups/g-3", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ops","members":[` + member("1") + `,` + member("4") + `]}`, http.StatusOK, "1,4", "3"},
		{"add to the seeded team", "PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"add","path":"members","value":[` + member("4") + `]}`), http.StatusNoContent, "1,3,4", "1"},
		// dave leaves both teams with his account.
		{"delete a member user", "DELETE", "/scim/v2/Users/4", "", http.StatusNoContent, "1,3", "1"},
		// alice leaves owners and ops with the groups.
		{"delete a group", "DELETE", "/scim/v2/Groups/g-3", "", http.StatusNoContent, "", "3"},
	}
	for _, st := range steps {
		var body any
		if st.body != "" {
			body = st.body
		}
		r := s.do(st.method, st.path, body)
		if r.Status != st.status {
			t.Fatalf("%s: %s %s: status %d, want %d: %s", st.name, st.method, st.path, r.Status, st.status, r.Raw)
		}
		if got := s.joinMembers("SELECT uid FROM team_user WHERE team_id = ?", st.team); got != st.members {
			t.Fatalf("%s: members of team %s = %q, want %q", st.name, st.team, got, st.members)
		}
		s.countersRight()
		if t.Failed() {
			t.Fatalf("after %s", st.name)
		}
	}
	if got := s.joinMembers("SELECT CONCAT(id, ':', num_members) FROM team"); got != "1:2,2:0" {
		t.Errorf("teams = %q, want 1:2,2:0", got)
	}
}

// TestHooksDependentRows deletes a group whose admins are rows of their
// own: the beforeDelete hook removes them, and only them, in the delete's
// transaction.
func TestHooksDependentRows(t *testing.T) {
	s := newSidecar(t, "testdata/hooks_schema.sql", "testdata/hooks_mapping.yaml")
	if r := s.do("DELETE", "/scim/v2/Groups/g-1", nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Raw)
	}
	if got := s.joinMembers("SELECT CONCAT(team_id, ':', uid) FROM team_admin"); got != "2:2" {
		t.Errorf("team_admin = %q, want only the other team's 2:2", got)
	}
	s.countersRight()
}

// TestHooksJobQueue checks the user events: a job-queue row with the
// bound values on create, on deactivation (with the user's tokens
// revoked) and on reactivation, and none for writes that are neither.
func TestHooksJobQueue(t *testing.T) {
	s := newSidecar(t, "testdata/hooks_schema.sql", "testdata/hooks_mapping.yaml")
	jobs := func() string {
		return s.joinMembers("SELECT CONCAT(id, ':', kind, ':', user_id, ':', login) FROM job_queue")
	}
	r := s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Erin.Evans","active":true}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST: %d %s", r.Status, r.Raw)
	}
	if got := jobs(); got != "1:welcome:5:Erin.Evans" {
		t.Fatalf("after create: jobs = %q", got)
	}
	active := func(v bool) string {
		return patchBody(fmt.Sprintf(`{"op":"replace","path":"active","value":%v}`, v))
	}
	for _, st := range []struct {
		name, id, body, jobs string
		tokens               int // bob's access tokens afterwards
	}{
		{"rename only", "2", patchBody(`{"op":"replace","path":"displayName","value":"Robert Baker"}`), "1:welcome:5:Erin.Evans", 2},
		{"deactivate", "2", active(false), "1:welcome:5:Erin.Evans,2:deactivated:2:bob", 0},
		{"deactivate again", "2", active(false), "1:welcome:5:Erin.Evans,2:deactivated:2:bob", 0},
		{"reactivate", "2", active(true), "1:welcome:5:Erin.Evans,2:deactivated:2:bob,3:reactivated:2:bob", 0},
		{"reactivate again", "2", active(true), "1:welcome:5:Erin.Evans,2:deactivated:2:bob,3:reactivated:2:bob", 0},
	} {
		r := s.do("PATCH", "/scim/v2/Users/"+st.id, st.body)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", st.name, r.Status, r.Raw)
		}
		// The answer is the row as the hooks left it.
		if st.name == "deactivate" && r.Body["title"] != "disabled by the IdP" {
			t.Errorf("%s: title %v, want the note a hook wrote", st.name, r.Body["title"])
		}
		if got := jobs(); got != st.jobs {
			t.Errorf("%s: jobs = %q, want %q", st.name, got, st.jobs)
		}
		if n := s.count("SELECT COUNT(*) FROM access_token WHERE uid = 2"); n != st.tokens {
			t.Errorf("%s: bob has %d tokens, want %d", st.name, n, st.tokens)
		}
	}
	// Carol's tokens are hers: bob's deactivation left them.
	if n := s.count("SELECT COUNT(*) FROM access_token WHERE uid = 3"); n != 1 {
		t.Errorf("carol has %d tokens, want 1", n)
	}
	// A PUT that deactivates is a deactivation too.
	r = s.do("PUT", "/scim/v2/Users/3", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"carol","active":false}`)
	if r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if got := s.joinMembers("SELECT CONCAT(kind, ':', user_id) FROM job_queue WHERE id > 3"); got != "deactivated:3" {
		t.Errorf("after PUT active false: new jobs = %q, want deactivated:3", got)
	}
}

// TestHookFailureRollsBack makes hooks fail: the whole write is rolled
// back (no row, no membership, no counter moved), and the client gets a
// 500 naming the hook, with neither its SQL nor the database's error.
func TestHookFailureRollsBack(t *testing.T) {
	s := newSidecar(t, "testdata/hooks_schema.sql", "testdata/hooks_failing_mapping.yaml")
	noLeak := func(r response) {
		t.Helper()
		for _, leak := range []string{"INSERT", "team_admin", "job_queue", "Duplicate", "cannot be null", "Error 1", "?"} {
			if strings.Contains(r.Raw, leak) {
				t.Errorf("body leaks %q: %s", leak, r.Raw)
			}
		}
	}

	// The first member's hooks succeed, the second's fail.
	r := s.do("PATCH", "/scim/v2/Groups/g-2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"}]}`))
	checkError(t, r, http.StatusInternalServerError, "")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "resources.Group.hooks.afterMemberAdd[1]") {
		t.Errorf("detail %q does not name the hook", d)
	}
	noLeak(r)
	if got := s.joinMembers("SELECT uid FROM team_user WHERE team_id = 2"); got != "" {
		t.Errorf("members of devs = %q after a failed hook, want none", got)
	}
	if got := s.joinMembers("SELECT CONCAT(team_id, ':', uid) FROM team_admin"); got != "1:1,2:2" {
		t.Errorf("team_admin = %q, want it as it was", got)
	}
	if n := s.count("SELECT num_members FROM team WHERE id = 2"); n != 0 {
		t.Errorf("num_members of devs = %d after a failed hook, want 0", n)
	}

	r = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"frank"}`)
	checkError(t, r, http.StatusInternalServerError, "")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "resources.User.hooks.afterCreate[0]") {
		t.Errorf("detail %q does not name the hook", d)
	}
	noLeak(r)
	if n := s.count("SELECT COUNT(*) FROM `user` WHERE name = 'frank'"); n != 0 {
		t.Errorf("%d users frank after a failed hook, want 0", n)
	}
	// With the value the hook needs, the same create works.
	r = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"frank","displayName":"Frank Fisher"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST with displayName: %d %s", r.Status, r.Raw)
	}
	if got := s.joinMembers("SELECT CONCAT(kind, ':', login) FROM job_queue"); got != "welcome:Frank Fisher" {
		t.Errorf("jobs = %q", got)
	}
}

// TestHooksRoleColumn keeps a per-role count of users where each user has
// one role, in a column: adding a user to a role takes them out of the
// one they had, and removing them puts them in the role users fall back
// to (whenRemoved), each running the hooks of both roles, as the groups'
// member lists change.
func TestHooksRoleColumn(t *testing.T) {
	s := newSidecar(t, "testdata/hooks_rolecolumn_schema.sql", "testdata/hooks_rolecolumn_mapping.yaml")
	counts := func() string { return s.joinMembers("SELECT CONCAT(name, ':', num_users) FROM roles") }
	right := func(step string) {
		t.Helper()
		if n := s.count("SELECT COUNT(*) FROM roles r WHERE num_users <> (SELECT COUNT(*) FROM users u WHERE u.role = r.name)"); n != 0 {
			t.Fatalf("%s: %d roles with num_users wrong: %s; users: %s", step, n, counts(), s.joinMembers("SELECT CONCAT(id, ':', role) FROM users"))
		}
	}
	right("seeded")
	for _, st := range []struct{ name, method, path, body, roles string }{
		{"add alice to Billing", "PATCH", "/scim/v2/Groups/g-3", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`), "Administrators:0,Billing:2,Members:1"},
		{"remove carol from Billing", "PATCH", "/scim/v2/Groups/g-3", patchBody(`{"op":"remove","path":"members[value eq \"3\"]"}`), "Administrators:0,Billing:1,Members:2"},
		{"remove bob from Members", "PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"remove","path":"members[value eq \"2\"]"}`), "Administrators:0,Billing:1,Members:2"},
		{"add bob to Members", "PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`), "Administrators:0,Billing:1,Members:2"},
		{"replace Billing by bob", "PUT", "/scim/v2/Groups/g-3", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Billing","members":[{"value":"2"}]}`, "Administrators:0,Billing:1,Members:2"},
		{"create Support with alice", "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Support","members":[{"value":"1"}]}`, "Administrators:0,Billing:1,Members:1,Support:1"},
		{"delete Billing", "DELETE", "/scim/v2/Groups/g-3", "", "Administrators:0,Members:2,Support:1"},
		{"delete carol", "DELETE", "/scim/v2/Users/3", "", "Administrators:0,Members:1,Support:1"},
	} {
		var body any
		if st.body != "" {
			body = st.body
		}
		if r := s.do(st.method, st.path, body); r.Status >= 300 {
			t.Fatalf("%s: %d %s", st.name, r.Status, r.Raw)
		}
		right(st.name)
		if got := counts(); got != st.roles {
			t.Errorf("%s: roles = %q, want %q", st.name, got, st.roles)
		}
	}
}

// TestConcurrentHookedMembership fires membership changes at one team
// from many requests at once, through one sidecar and two, with users
// deleted meanwhile: the member hooks run once per membership that
// really changed, in its transaction, so the counters end right whatever
// the order (a deadlock runs the whole write again, hooks included).
func TestConcurrentHookedMembership(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/hooks_schema.sql", "testdata/hooks_mapping.yaml", func(t *testing.T, s []*sidecar) {
		values := make([]string, 30)
		for i := range values {
			values[i] = fmt.Sprintf("('h%02d', 'h%02d')", i, i)
		}
		if _, err := s[0].db.Exec("INSERT INTO `user` (lower_name, name) VALUES " + strings.Join(values, ",")); err != nil {
			t.Fatal(err)
		}
		// Users 5..34: each is added to devs with its neighbour, removed
		// from it, and every other one deleted, all at once.
		var statuses sync.Map
		hammer(90, func(i int) {
			id := 5 + i/3
			sc := s[i%len(s)]
			var r response
			switch i % 3 {
			case 0:
				r = sc.do("PATCH", "/scim/v2/Groups/g-2", patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":"%d"},{"value":"%d"}]}`, id, 5+(id-4)%30)))
			case 1:
				r = sc.do("PATCH", "/scim/v2/Groups/g-2", patchBody(fmt.Sprintf(`{"op":"remove","path":"members[value eq \"%d\"]"}`, id)))
			case 2:
				if id%2 == 0 {
					r = sc.do("DELETE", fmt.Sprintf("/scim/v2/Users/%d", id), nil)
				} else {
					r = sc.do("PATCH", "/scim/v2/Groups/g-1", patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":"%d"}]}`, id)))
				}
			}
			statuses.Store(r.Status, true)
		})
		statuses.Range(func(k, _ any) bool {
			// 400: a member deleted before the add named them.
			if st := k.(int); st >= 500 {
				t.Errorf("a request answered %d", st)
			}
			return true
		})
		s[0].countersRight()
	})
}

// TestHooksDeleteDeactivates runs a mapping whose DELETE deactivates and
// whose active is a nullable deleted_at: a DELETE is a deactivation, and
// a PATCH of active true a reactivation, each running its hooks once;
// deactivating an inactive account runs none.
func TestHooksDeleteDeactivates(t *testing.T) {
	s := newSidecar(t, "testdata/hooks_deactivate_schema.sql", "testdata/hooks_deactivate_mapping.yaml")
	jobs := func() string {
		return s.joinMembers("SELECT CONCAT(id, ':', kind, ':', account_id, ':', login) FROM jobs")
	}
	for _, st := range []struct{ name, method, path, body, jobs string }{
		{"delete alice", "DELETE", "/scim/v2/Users/1", "", "1:deactivated:1:Alice.Smith"},
		{"delete alice again", "DELETE", "/scim/v2/Users/1", "", "1:deactivated:1:Alice.Smith"},
		{"delete bob, inactive", "DELETE", "/scim/v2/Users/2", "", "1:deactivated:1:Alice.Smith"},
		{"reactivate bob", "PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"active","value":true}`), "1:deactivated:1:Alice.Smith,2:reactivated:2:BOB"},
		{"rename bob", "PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"name.givenName","value":"Robert"}`), "1:deactivated:1:Alice.Smith,2:reactivated:2:BOB"},
	} {
		var body any
		if st.body != "" {
			body = st.body
		}
		if r := s.do(st.method, st.path, body); r.Status >= 300 {
			t.Fatalf("%s: %d %s", st.name, r.Status, r.Raw)
		}
		if got := jobs(); got != st.jobs {
			t.Errorf("%s: jobs = %q, want %q", st.name, got, st.jobs)
		}
	}
}
