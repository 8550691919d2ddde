package scim_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// computedMapping writes a copy of testdata/computed_mapping.yaml with
// old replaced by new, and returns its path.
func computedMapping(t *testing.T, old, new string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/computed_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("mapping has no %q", old)
	}
	path := filepath.Join(t.TempDir(), "mapping.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func wantStatus(t *testing.T, what string, r response, codes ...int) {
	t.Helper()
	if !slices.Contains(codes, r.Status) {
		t.Fatalf("%s: %d %s", what, r.Status, r.Raw)
	}
}

// TestColumnsComputedOnInsert: a new user's row takes the next number of
// the table within its scope and copies of its other columns (an
// attribute's, a scope constant's), its joined row the next number of
// the joined table and a copy of its key, and its child, link and
// key/value rows the next numbers among their parent's rows.
func TestColumnsComputedOnInsert(t *testing.T) {
	s := newSidecar(t, "testdata/computed_schema.sql", "testdata/computed_mapping.yaml")
	r := s.do("POST", "/scim/v2/Users", `{"userName":"carol","displayName":"Carol","title":"Engineer","nickName":"cc",
		"emails":[{"value":"carol@example.com","primary":true},{"value":"c@example.org"}],
		"phoneNumbers":[{"value":"+1 555 0100"},{"value":"+1 555 0101"}]}`)
	wantStatus(t, "POST carol", r, http.StatusCreated)
	id, _ := r.Body["id"].(string)
	// Tenant 1 numbers to 5; tenant 2's 40 is out of scope.
	if got := s.row("SELECT sortorder, login_copy, tenant_copy FROM accounts WHERE id = ?", id); got["sortorder"] != "6" || got["login_copy"] != "carol" || got["tenant_copy"] != "1" {
		t.Errorf("carol's row %v, want sortorder 6, login_copy carol, tenant_copy 1", got)
	}
	if got := s.row("SELECT `rank`, owner_ref, title FROM account_profiles WHERE account_id = ?", id); got["rank"] != "10" || got["owner_ref"] != id || got["title"] != "Engineer" {
		t.Errorf("carol's profile %v, want rank 10 and owner_ref %s", got, id)
	}
	if got := s.Rows("SELECT email, position FROM account_emails WHERE account_id = ? ORDER BY position", id); !slices.Equal(got, []string{"carol@example.com | 1", "c@example.org | 2"}) {
		t.Errorf("carol's emails %q, want positions 1 and 2", got)
	}
	if got := s.Rows("SELECT p.number, l.seq FROM account_phones l JOIN phones p ON p.id = l.phone_id WHERE l.account_id = ? ORDER BY l.seq", id); !slices.Equal(got, []string{"+1 555 0100 | 1", "+1 555 0101 | 2"}) {
		t.Errorf("carol's phone links %q, want seq 1 and 2", got)
	}
	if got := s.Rows("SELECT name, value, seq FROM account_prefs WHERE account_id = ?", id); !slices.Equal(got, []string{"nick | cc | 1"}) {
		t.Errorf("carol's entries %q, want nick with seq 1", got)
	}

	// The next user counts carol's number; a PATCH adding a phone links
	// it after the kept ones' numbers (the replaced links stay, marked).
	r = s.do("POST", "/scim/v2/Users", `{"userName":"dave"}`)
	wantStatus(t, "POST dave", r, http.StatusCreated)
	dave, _ := r.Body["id"].(string)
	if got := s.row("SELECT sortorder FROM accounts WHERE id = ?", dave); got["sortorder"] != "7" {
		t.Errorf("dave's sortorder %s, want 7", got["sortorder"])
	}
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"add","path":"phoneNumbers","value":[{"value":"+1 555 0102"}]}`))
	wantStatus(t, "PATCH phones", r, http.StatusOK, http.StatusNoContent)
	if got := s.Rows("SELECT l.seq, l.deleted FROM account_phones l WHERE l.account_id = ? ORDER BY l.seq", id); len(got) != 5 || got[4] != "5 | 0" {
		t.Errorf("carol's phone links after adding one %q, want the new links numbered 3 to 5", got)
	}

	// alice's new entry counts her entry the mapping does not own.
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"nickName","value":"al"}`))
	wantStatus(t, "PATCH alice's nickName", r, http.StatusOK, http.StatusNoContent)
	if got := s.Rows("SELECT name, seq FROM account_prefs WHERE account_id = 1 ORDER BY seq"); !slices.Equal(got, []string{"theme | 4", "nick | 5"}) {
		t.Errorf("alice's entries %q, want nick numbered 5 after theme", got)
	}

	// A create that fails writes nothing, numbers included.
	r = s.do("POST", "/scim/v2/Users", `{"userName":"alice"}`)
	wantStatus(t, "POST alice again", r, http.StatusConflict)
	if n := s.count("SELECT COUNT(*) FROM accounts"); n != 5 {
		t.Errorf("%d accounts after a refused create, want 5", n)
	}
}

// TestMembershipColumnsComputedOnInsert: a membership row takes the next
// position among its user's rows, in every group, and copies of the
// user's login and the group's name; a refused addition writes none.
func TestMembershipColumnsComputedOnInsert(t *testing.T) {
	s := newSidecar(t, "testdata/computed_schema.sql", "testdata/computed_mapping.yaml")
	r := s.do("PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"}]}`))
	wantStatus(t, "adding alice and bob to Support", r, http.StatusOK, http.StatusNoContent)
	// alice's greatest is 7 (in Sales); bob has none.
	if got := s.Rows("SELECT account_id, sortorder, login, team_name FROM team_members WHERE team_id = 3 ORDER BY account_id"); !slices.Equal(got, []string{"1 | 8 | alice | Support", "2 | 1 | bob | Support"}) {
		t.Errorf("Support's rows %q", got)
	}
	r = s.do("POST", "/scim/v2/Groups", `{"displayName":"Platform","members":[{"value":"1"}]}`)
	wantStatus(t, "POST Platform", r, http.StatusCreated)
	gid, _ := r.Body["id"].(string)
	if got := s.Rows("SELECT sortorder, login, team_name FROM team_members WHERE team_id = ?", gid); !slices.Equal(got, []string{"9 | alice | Platform"}) {
		t.Errorf("Platform's row %q, want alice at 9", got)
	}

	// An unknown member refuses the whole addition.
	r = s.do("PATCH", "/scim/v2/Groups/4", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"999"}]}`))
	checkError(t, r, http.StatusBadRequest, "invalidValue")
	if n := s.count("SELECT COUNT(*) FROM team_members WHERE team_id = 4"); n != 0 {
		t.Errorf("%d rows in Ops after a refused addition", n)
	}
}

// TestMembershipPositionPerGroup: with per: group, each new membership
// row of a group takes the next number among the group's rows, one after
// the other within one request.
func TestMembershipPositionPerGroup(t *testing.T) {
	mapping := computedMapping(t, "      sortorder: {generate: next}\n      login:", "      sortorder: {generate: next, per: group}\n      login:")
	s := newSidecar(t, "testdata/computed_schema.sql", mapping)
	r := s.do("POST", "/scim/v2/Users", `{"userName":"carol"}`)
	wantStatus(t, "POST carol", r, http.StatusCreated)
	carol, _ := r.Body["id"].(string)
	r = s.do("PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"`+carol+`"}]}`))
	wantStatus(t, "adding bob and carol to Sales", r, http.StatusOK, http.StatusNoContent)
	// Sales numbers to 7 (alice's row).
	if got := s.Rows("SELECT sortorder FROM team_members WHERE team_id = 2 AND account_id IN (2, ?) ORDER BY sortorder", carol); !slices.Equal(got, []string{"8", "9"}) {
		t.Errorf("the new Sales rows are numbered %q, want 8 and 9", got)
	}
	r = s.do("POST", "/scim/v2/Groups", `{"displayName":"Platform","members":[{"value":"1"},{"value":"2"}]}`)
	wantStatus(t, "POST Platform", r, http.StatusCreated)
	gid, _ := r.Body["id"].(string)
	if got := s.Rows("SELECT sortorder FROM team_members WHERE team_id = ? ORDER BY sortorder", gid); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("Platform's rows are numbered %q, want 1 and 2", got)
	}
}

// TestMembershipPositionLocksTheUser: two additions of one user to two
// groups, at once, take two numbers. The first is held inside its
// transaction, after its insert, by a hook waiting for a row the test
// holds locked; the second is started only then, and must wait for the
// user's lock rather than count without the first's uncommitted row.
// Without the lock both read the user's greatest number as 7 and store
// 8 twice.
func TestMembershipPositionLocksTheUser(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	mapping := computedMapping(t, "      team_name: {copy: group.name}\n", "      team_name: {copy: group.name}\n  hooks:\n    afterMemberAdd:\n      - UPDATE gate SET n = n + 1 WHERE id = 1\n")
	s := newSidecar(t, "testdata/computed_schema.sql", mapping)
	var dbName string
	if err := s.db.QueryRow("SELECT DATABASE()").Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	gate, err := s.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer gate.Rollback() //nolint:errcheck // committed below
	if _, err := gate.Exec("SELECT n FROM gate WHERE id = 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	// waiting counts the sessions of this database whose statement is
	// the hook's UPDATE (held by the gate) or a named lock's GET_LOCK.
	waiting := func(what string) int {
		return s.count("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID() AND INFO LIKE ?", dbName, "%"+what+"%")
	}
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("waited a minute for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	done := make(chan response, 2)
	add := func(group string) {
		done <- s.do("PATCH", "/scim/v2/Groups/"+group, patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`))
	}
	go add("3")
	until("the first addition to reach its hook", func() bool { return waiting("UPDATE gate") == 1 })
	go add("4")
	// The second waits for alice's lock, or (without it) has inserted
	// and waits at the gate too.
	until("the second addition to wait", func() bool { return waiting("UPDATE gate")+waiting("GET_LOCK") == 2 })
	if err := gate.Commit(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		r := <-done
		wantStatus(t, "adding alice", r, http.StatusOK, http.StatusNoContent)
	}
	if got := s.Rows("SELECT sortorder FROM team_members WHERE account_id = 1 AND team_id IN (3, 4) ORDER BY sortorder"); !slices.Equal(got, []string{"8", "9"}) {
		t.Errorf("alice's new positions %q, want 8 and 9", got)
	}
}

// TestMembershipPositionsUnderConcurrentAdds: one user added to many
// groups at once, through one sidecar and through two, gets a different
// position in each; also with the locks kept as rows of the locks table
// (uniquenessLocks: table, for Galera), on two sidecars.
func TestMembershipPositionsUnderConcurrentAdds(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/computed_schema.sql", "testdata/computed_mapping.yaml", concurrentPositions)
	t.Run("lock rows", func(t *testing.T) {
		dsn, db := scratchDB(t, "testdata/computed_schema.sql")
		if _, err := db.Exec(mysql.LocksTableSQL); err != nil {
			t.Fatal(err)
		}
		mapping, err := os.ReadFile("testdata/computed_mapping.yaml")
		if err != nil {
			t.Fatal(err)
		}
		var s []*sidecar
		for range 2 {
			cfg := serverSection() + "audit: {output: off}\ndatabase:\n  type: mysql\n  config:\n    dsn: {value: " + strconvQuote(dsn) + "}\n    uniquenessLocks: table\nresources:\n  " +
				strings.ReplaceAll(strings.TrimRight(string(mapping), "\n"), "\n", "\n  ") + "\n"
			c, err := cli.ParseConfig([]byte(cfg))
			if err != nil {
				t.Fatal(err)
			}
			sc, err := cli.Build(t.Context(), c, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sc.Close() })
			s = append(s, &sidecar{t: t, h: sc.Handler, db: db, cli: sc})
		}
		concurrentPositions(t, s)
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + mysql.LocksTable).Scan(&n); err != nil || n == 0 {
			t.Errorf("%d lock rows (%v), want bob's", n, err)
		}
	})
}

// concurrentPositions adds bob to twelve new groups at once, through the
// sidecars in turn, and checks that he holds positions 1 to 12.
func concurrentPositions(t *testing.T, s []*sidecar) {
	const n = 12
	for i := range n {
		r := s[0].do("POST", "/scim/v2/Groups", `{"displayName":"g`+strconvItoa(i)+`"}`)
		wantStatus(t, "POST group", r, http.StatusCreated)
	}
	hammer(n, func(i int) {
		r := s[i%len(s)].do("PATCH", "/scim/v2/Groups/"+strconvItoa(5+i), patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`))
		if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
			t.Errorf("adding bob to group %d: %d %s", 5+i, r.Status, r.Raw)
		}
	})
	got := s[0].Rows("SELECT sortorder FROM team_members WHERE account_id = 2 ORDER BY sortorder")
	want := make([]string, n)
	for i := range want {
		want[i] = strconvItoa(i + 1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("bob's positions %q, want 1 to %d once each", got, n)
	}
}
