package scim_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// The concurrency tests fire parallel writes at one user, one group and
// one userName, through one sidecar and through two sidecars with
// separate connection pools on one database (two replicas), and check
// that the end state is one that some serial order of the writes that
// succeeded explains: no lost update, no torn write, no duplicate row.
const concurrencySkip = "the embedded engine has no row locks and loses concurrent writes"

// hammer runs fn(0..n-1) in parallel, released together.
func hammer(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// replicas returns n sidecars, each with its own connection pool, on one
// database loaded with schemaFile.
func replicas(t *testing.T, n int, schemaFile, mappingFile string) []*sidecar {
	t.Helper()
	dsn, db := scratchDB(t, schemaFile)
	out := make([]*sidecar, n)
	for i := range out {
		out[i] = attach(t, db, dsn, mappingFile, serverSection())
	}
	return out
}

// forReplicas runs a test once on one sidecar and once on two.
func forReplicas(t *testing.T, schemaFile, mappingFile string, test func(t *testing.T, s []*sidecar)) {
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d replicas", n), func(t *testing.T) {
			test(t, replicas(t, n, schemaFile, mappingFile))
		})
	}
}

// TestConcurrentCreatesSameUserName creates one userName, in different
// cases, 24 times at once; users.login has no unique index (and a binary
// collation), so only scimbridge's GET_LOCK on the database server keeps
// it unique: exactly one 201, 23 409s, one row.
func TestConcurrentCreatesSameUserName(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, legacySchema, legacyMapping, func(t *testing.T, s []*sidecar) {
		const n = 24
		codes := make([]int, n)
		hammer(n, func(i int) {
			name := []string{"dup@example.com", "DUP@example.com", "Dup@Example.com"}[i%3]
			codes[i] = s[i%len(s)].do("POST", "/scim/v2/Users", oktaUser(name)).Status
		})
		slices.Sort(codes)
		if codes[0] != 201 || codes[1] != 409 || codes[n-1] != 409 {
			t.Errorf("codes %v: want one 201 and %d 409", codes, n-1)
		}
		if got := s[0].count("SELECT COUNT(*) FROM users WHERE LOWER(login) = 'dup@example.com'"); got != 1 {
			t.Errorf("%d rows for the userName, want 1", got)
		}
	})
}

// TestConcurrentGroupCreatesSameName creates one group name 16 times at
// once: one 201, the rest 409.
func TestConcurrentGroupCreatesSameName(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml", func(t *testing.T, s []*sidecar) {
		const n = 16
		codes := make([]int, n)
		hammer(n, func(i int) {
			codes[i] = s[i%len(s)].do("POST", "/scim/v2/Groups", `{"displayName":"ops","members":[{"value":"1"}]}`).Status
		})
		slices.Sort(codes)
		if codes[0] != 201 || codes[1] != 409 || codes[n-1] != 409 {
			t.Errorf("codes %v: want one 201 and %d 409", codes, n-1)
		}
		if got := s[0].count("SELECT COUNT(*) FROM roles WHERE name = 'ops'"); got != 1 {
			t.Errorf("%d rows for the group, want 1", got)
		}
	})
}

// TestConcurrentUserPutsAndPatches sends PUTs and PATCHes to one user at
// once, each setting displayName, givenName and familyName to its own
// value: every one succeeds, and the row holds one writer's three values,
// never a mix.
func TestConcurrentUserPutsAndPatches(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, legacySchema, legacyMapping, func(t *testing.T, s []*sidecar) {
		const n = 24
		codes := make([]int, n)
		hammer(n, func(i int) {
			v := fmt.Sprintf("w%02d", i)
			sc := s[i%len(s)]
			if i%2 == 0 {
				codes[i] = sc.do("PUT", "/scim/v2/Users/1", fmt.Sprintf(`{"userName":"alice","displayName":%q,"name":{"givenName":%q,"familyName":%q},"emails":[{"value":"alice@example.com","primary":true}]}`, v, v, v)).Status
			} else {
				codes[i] = sc.do("PATCH", "/scim/v2/Users/1", patchBody(
					fmt.Sprintf(`{"op":"replace","path":"displayName","value":%q}`, v),
					fmt.Sprintf(`{"op":"replace","value":{"name.givenName":%q}}`, v),
					fmt.Sprintf(`{"op":"replace","path":"name.familyName","value":%q}`, v))).Status
			}
		})
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("writer %d: %d", i, c)
			}
		}
		row := s[0].row("SELECT display_name, first_name, last_name, login, email FROM users WHERE id = 1")
		if row["display_name"] != row["first_name"] || row["display_name"] != row["last_name"] || !strings.HasPrefix(row["display_name"], "w") {
			t.Errorf("torn write: %v", row)
		}
		if row["login"] != "alice" || row["email"] != "alice@example.com" {
			t.Errorf("columns no writer changed were changed: %v", row)
		}
	})
}

// TestConcurrentUserAppends adds an e-mail and a phone number (rows of
// child tables) to one user from many PATCHes at once: none is lost.
func TestConcurrentUserAppends(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/related_schema.sql", "testdata/related_mapping.yaml", func(t *testing.T, s []*sidecar) {
		const n = 20
		codes := make([]int, n)
		hammer(n, func(i int) {
			codes[i] = s[i%len(s)].do("PATCH", "/scim/v2/Users/1", patchBody(
				fmt.Sprintf(`{"op":"add","path":"emails","value":[{"value":"e%02d@example.com","type":"other"}]}`, i),
				fmt.Sprintf(`{"op":"add","path":"phoneNumbers","value":[{"value":"+1 555 01%02d"}]}`, i))).Status
		})
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("writer %d: %d", i, c)
			}
		}
		if got := s[0].count("SELECT COUNT(*) FROM person_emails WHERE person_id = 1"); got != 2+n {
			t.Errorf("%d e-mails, want %d: updates were lost", got, 2+n)
		}
		if got := s[0].count("SELECT COUNT(*) FROM person_phones WHERE person_id = 1"); got != 1+n {
			t.Errorf("%d phone numbers, want %d: updates were lost", got, 1+n)
		}
	})
}

// TestConcurrentGroupPutsAndPatches sends, at once, PUTs that replace a
// group's name and members with their own set and PATCHes that each add
// one more member. A serial order explains the result only if the group
// holds some PUT k's name and all of its members, and otherwise only
// members PATCHes added.
func TestConcurrentGroupPutsAndPatches(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml", func(t *testing.T, s []*sidecar) {
		insertNamed(t, s[0], "INSERT INTO users (login) VALUES ", "c", 100)
		const puts, patches = 8, 16
		sets := make([][]string, puts) // PUT k's members: users 5+10k .. 5+10k+4
		added := map[string]bool{}     // members PATCHes add: users 85..100
		for k := range puts {
			for j := range 5 {
				sets[k] = append(sets[k], fmt.Sprint(5+10*k+j))
			}
		}
		for j := range patches {
			added[fmt.Sprint(85+j)] = true
		}
		codes := make([]int, puts+patches)
		hammer(puts+patches, func(i int) {
			sc := s[i%len(s)]
			if i < puts {
				ms := make([]string, 0, 5)
				for _, id := range sets[i] {
					ms = append(ms, `{"value":"`+id+`"}`)
				}
				codes[i] = sc.do("PUT", "/scim/v2/Groups/2", fmt.Sprintf(`{"displayName":"put-%d","members":[%s]}`, i, strings.Join(ms, ","))).Status
				return
			}
			codes[i] = sc.do("PATCH", "/scim/v2/Groups/2", patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":"%d"}]}`, 85+i-puts))).Status
		})
		for i, c := range codes {
			if c != http.StatusOK && c != http.StatusNoContent {
				t.Errorf("writer %d: %d", i, c)
			}
		}
		name := s[0].row("SELECT name FROM roles WHERE id = 2")["name"]
		var k int
		if _, err := fmt.Sscanf(name, "put-%d", &k); err != nil || k < 0 || k >= puts {
			t.Fatalf("group name %q is no PUT's", name)
		}
		members := strings.Split(s[0].joinMembers("SELECT user_id FROM user_roles WHERE role_id = 2"), ",")
		have := map[string]bool{}
		for _, m := range members {
			have[m] = true
			if !slices.Contains(sets[k], m) && !added[m] {
				t.Errorf("member %s is neither PUT %d's nor added by a PATCH (members %v)", m, k, members)
			}
		}
		for _, m := range sets[k] {
			if !have[m] {
				t.Errorf("PUT %d's member %s is missing though its name won (members %v)", k, m, members)
			}
		}
	})
}

// TestConcurrentDeleteAndAddMember hard-deletes users while other requests
// add the same users to a group: whichever comes first, no membership may
// be left naming a user that no longer exists.
func TestConcurrentDeleteAndAddMember(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml", func(t *testing.T, s []*sidecar) {
		insertNamed(t, s[0], "INSERT INTO users (login) VALUES ", "d", 60)
		// Users 5..64: each is deleted by one request and added to group 3
		// by another, at once.
		hammer(120, func(i int) {
			id := 5 + i/2
			sc := s[i%len(s)]
			if i%2 == 0 {
				sc.do("DELETE", fmt.Sprintf("/scim/v2/Users/%d", id), nil)
			} else {
				sc.do("PATCH", "/scim/v2/Groups/3", patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":"%d"}]}`, id)))
			}
		})
		if n := s[0].count("SELECT COUNT(*) FROM user_roles r LEFT JOIN users u ON u.id = r.user_id WHERE u.id IS NULL"); n != 0 {
			t.Errorf("%d memberships name deleted users", n)
		}
	})
}

// TestConcurrentGroupDeleteAndAddMember deletes groups while other
// requests add members to them: whichever comes first, no membership may be
// left naming a group that no longer exists.
func TestConcurrentGroupDeleteAndAddMember(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml", func(t *testing.T, s []*sidecar) {
		first := insertNamed(t, s[0], "INSERT INTO roles (name) VALUES ", "g", 40)
		// Each new group is deleted by one request and given members
		// 1 to 4 by another, at once.
		var statuses sync.Map
		hammer(80, func(i int) {
			gid := first + int64(i/2)
			sc := s[i%len(s)]
			if i%2 == 0 {
				sc.do("DELETE", fmt.Sprintf("/scim/v2/Groups/%d", gid), nil)
			} else {
				r := sc.do("PATCH", fmt.Sprintf("/scim/v2/Groups/%d", gid), patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"},{"value":"3"},{"value":"4"}]}`))
				statuses.Store(r.Status, true)
			}
		})
		statuses.Range(func(k, _ any) bool {
			if st := k.(int); st != http.StatusNoContent && st != http.StatusNotFound {
				t.Errorf("a PATCH adding members to a group being deleted answered %d", st)
			}
			return true
		})
		if n := s[0].count("SELECT COUNT(*) FROM user_roles m LEFT JOIN roles g ON g.id = m.role_id WHERE g.id IS NULL"); n != 0 {
			t.Errorf("%d memberships name deleted groups", n)
		}
	})
}

// insertNamed inserts n rows named prefix000, prefix001, ... with insert
// (an INSERT ... VALUES of one column) and returns the first's
// AUTO_INCREMENT key.
func insertNamed(t *testing.T, s *sidecar, insert, prefix string, n int) int64 {
	t.Helper()
	values := make([]string, n)
	for i := range values {
		values[i] = fmt.Sprintf("('%s%03d')", prefix, i)
	}
	res, err := s.db.Exec(insert + strings.Join(values, ","))
	if err != nil {
		t.Fatal(err)
	}
	first, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return first
}
