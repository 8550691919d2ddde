package scim_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// The fault tests put a TCP proxy between the sidecar and MariaDB that
// drops, refuses and stalls connections, and kill the sidecar's
// connections on the server. They need what the embedded engine lacks: a
// server that rolls back the transaction of a connection that goes away,
// row locks, KILL, and lock-wait timeouts.
const faultSkip = "fault tests need a server that rolls back a dropped connection's transaction, row locks, KILL and lock-wait timeouts"

var rolesTables = []string{"users", "roles", "user_roles"}

// faultSidecar is a sidecar on the roles schema that reaches its database
// through a fault proxy.
func faultSidecar(t *testing.T, params map[string]string, serverExtra ...string) (*sidecar, *faultproxy.Proxy, string) {
	t.Helper()
	return faultSidecarOn(t, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml", params, serverExtra...)
}

// faultSidecarOn is faultSidecar on another schema and mapping.
func faultSidecarOn(t *testing.T, schemaFile, mappingFile string, params map[string]string, serverExtra ...string) (*sidecar, *faultproxy.Proxy, string) {
	t.Helper()
	mysqltest.SkipIfEmbedded(t, faultSkip)
	dsn, db := scratchDB(t, schemaFile)
	pdsn, p := proxied(t, withParams(t, dsn, params))
	return attach(t, db, pdsn, mappingFile, serverSection(serverExtra...)), p, dsn
}

// checkUnavailable asserts a 503 SCIM error with Retry-After.
func checkUnavailable(t *testing.T, r response) {
	t.Helper()
	checkError(t, r, http.StatusServiceUnavailable, "")
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After: %v", r.Header)
	}
}

// ready asks the sidecar's telemetry handler for /healthz/ready.
func (s *sidecar) ready() int {
	w := httptest.NewRecorder()
	s.cli.Telemetry.ServeHTTP(w, httptest.NewRequest("GET", "/healthz/ready", nil))
	return w.Code
}

// TestFaultConnectionDropsMidTransaction drops the sidecar's connection at
// a chosen statement of each kind of write: the request fails with 503 and
// Retry-After, the database is exactly as before, and the same request
// then succeeds on a new connection.
func TestFaultConnectionDropsMidTransaction(t *testing.T) {
	s, p, _ := faultSidecar(t, nil)
	cases := []struct {
		name, method, path, body, at string
		want                         int
	}{
		{"create user, at COMMIT", "POST", "/scim/v2/Users", `{"userName":"new@example.com","displayName":"New"}`, "COMMIT", 201},
		{"create user, at INSERT", "POST", "/scim/v2/Users", `{"userName":"new2@example.com"}`, "INSERT INTO", 201},
		{"patch user, at COMMIT", "PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"B2"}`, `{"op":"replace","path":"active","value":false}`), "COMMIT", 200},
		{"put user, at UPDATE", "PUT", "/scim/v2/Users/3", `{"userName":"carol2","displayName":"C2","active":false}`, "UPDATE `users`", 200},
		{"create group with members, at COMMIT", "POST", "/scim/v2/Groups", `{"displayName":"ops","members":[{"value":"1"},{"value":"2"},{"value":"4"}]}`, "COMMIT", 201},
		{"patch group: rename and members, at COMMIT", "PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"replace","path":"displayName","value":"writers"}`, `{"op":"add","path":"members","value":[{"value":"1"},{"value":"4"}]}`, `{"op":"remove","path":"members[value eq \"3\"]"}`), "COMMIT", 204},
		{"patch group: members, after the first statement", "PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`, `{"op":"remove","path":"members[value eq \"2\"]"}`), "DELETE FROM `user_roles`", 204},
		{"remove members, one statement that autocommits", "PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"remove","path":"members[value eq \"4\"]"}`), "DELETE FROM `user_roles`", 204},
		{"delete user with memberships, at COMMIT", "DELETE", "/scim/v2/Users/2", "", "COMMIT", 204},
		{"delete group, at the row's DELETE", "DELETE", "/scim/v2/Groups/1", "", "DELETE FROM `roles`", 204},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			before := dump(t, s.db, rolesTables...)
			hit := p.On(c.at, faultproxy.Cut)
			r := s.do(c.method, c.path, body)
			select {
			case <-hit:
			default:
				p.ClearRules()
				t.Fatalf("the request never sent %q (status %d %s)", c.at, r.Status, r.Raw)
			}
			checkUnavailable(t, r)
			if after := dump(t, s.db, rolesTables...); after != before {
				t.Fatalf("half-written after the dropped connection:\nbefore\n%s\nafter\n%s", before, after)
			}
			if r := s.do(c.method, c.path, body); r.Status != c.want {
				t.Fatalf("the same request afterwards: %d %s", r.Status, r.Raw)
			}
		})
	}
}

// TestFaultDatabaseDown takes the database away (connections reset, new
// ones refused, as when the server restarts): requests fail with 503 and
// readiness fails; when it is back the sidecar recovers by itself.
func TestFaultDatabaseDown(t *testing.T) {
	s, p, _ := faultSidecar(t, nil)
	if r := s.do("GET", "/scim/v2/Users/1", nil); r.Status != 200 {
		t.Fatalf("before: %d %s", r.Status, r.Raw)
	}
	before := dump(t, s.db, rolesTables...)
	p.Down()
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/scim/v2/Users/1", ""},
		{"GET", "/scim/v2/Users?filter=userName%20eq%20%22alice%22", ""},
		{"POST", "/scim/v2/Users", `{"userName":"down@example.com"}`},
		{"PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"active","value":false}`)},
		{"PATCH", "/scim/v2/Groups/1", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`)},
		{"GET", "/scim/v2/Groups/2", ""},
		{"DELETE", "/scim/v2/Users/4", ""},
	} {
		var body any
		if req.body != "" {
			body = req.body
		}
		start := time.Now()
		checkUnavailable(t, s.do(req.method, req.path, body))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s %s took %v to fail with the database down", req.method, req.path, d)
		}
	}
	if code := s.ready(); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz/ready = %d with the database down, want 503", code)
	}
	if err := p.Up(); err != nil {
		t.Fatal(err)
	}
	if after := dump(t, s.db, rolesTables...); after != before {
		t.Fatalf("writes while the database was down changed it:\n%s\n%s", before, after)
	}
	// Recovered with no restart: the very first requests succeed.
	if r := s.do("GET", "/scim/v2/Users/1", nil); r.Status != 200 {
		t.Fatalf("first request after the database is back: %d %s", r.Status, r.Raw)
	}
	if r := s.do("POST", "/scim/v2/Users", `{"userName":"down@example.com"}`); r.Status != 201 {
		t.Fatalf("create after the database is back: %d %s", r.Status, r.Raw)
	}
	if code := s.ready(); code != http.StatusOK {
		t.Errorf("/healthz/ready = %d after the database is back, want 200", code)
	}
}

// TestFaultNetworkStall stalls the network (no bytes either way, no
// reset): each request fails with 503 once its deadline
// (server.requestTimeout) passes, because the deadline reaches the driver;
// nothing is half-written; when the network is back the sidecar recovers.
func TestFaultNetworkStall(t *testing.T) {
	s, p, _ := faultSidecar(t, nil, "requestTimeout: 1s")
	if r := s.do("GET", "/scim/v2/Users/1", nil); r.Status != 200 {
		t.Fatalf("before: %d %s", r.Status, r.Raw)
	}
	before := dump(t, s.db, rolesTables...)
	p.StallAll()
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/scim/v2/Users/1", ""},
		{"GET", "/scim/v2/Users?filter=userName%20sw%20%22a%22", ""},
		{"POST", "/scim/v2/Users", `{"userName":"stall@example.com"}`},
		{"PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`)},
	} {
		var body any
		if req.body != "" {
			body = req.body
		}
		start := time.Now()
		checkUnavailable(t, s.do(req.method, req.path, body))
		if d := time.Since(start); d < 900*time.Millisecond || d > 4*time.Second {
			t.Errorf("%s %s failed after %v; want about the 1s request timeout", req.method, req.path, d)
		}
	}
	p.Resume()
	if after := dump(t, s.db, rolesTables...); after != before {
		t.Fatalf("half-written after the stall:\n%s\n%s", before, after)
	}
	if r := s.do("POST", "/scim/v2/Users", `{"userName":"stall@example.com"}`); r.Status != 201 {
		t.Fatalf("create after the stall: %d %s", r.Status, r.Raw)
	}
}

// TestFaultStallAtStatement stalls one connection just before a chosen
// statement of a create; the request must still end at its deadline with
// 503, and the held statement must never reach the server. users.login of
// the legacy schema has no unique index, so a create takes a named lock
// (GET_LOCK) and releases it after the commit (RELEASE_LOCK).
func TestFaultStallAtStatement(t *testing.T) {
	s, p, _ := faultSidecarOn(t, legacySchema, legacyMapping, nil, "requestTimeout: 1s")
	for _, at := range []string{"INSERT INTO", "COMMIT", "RELEASE_LOCK"} {
		t.Run(at, func(t *testing.T) {
			name := "stall-" + strings.ToLower(strings.Fields(at)[0]) + "@example.com"
			hit := p.On(at, faultproxy.Stall)
			type result struct {
				r response
				d time.Duration
			}
			done := make(chan result, 1)
			go func() {
				start := time.Now()
				r := s.do("POST", "/scim/v2/Users", `{"userName":"`+name+`"}`)
				done <- result{r, time.Since(start)}
			}()
			var res result
			select {
			case res = <-done:
			case <-time.After(10 * time.Second):
				p.Resume()
				<-done
				t.Fatalf("a create stalled at %s was still running 10s after its 1s deadline", at)
			}
			select {
			case <-hit:
			default:
				t.Fatalf("the request never sent %q: %d %s", at, res.r.Status, res.r.Raw)
			}
			p.Resume()
			n := s.count("SELECT COUNT(*) FROM users WHERE login = ?", name)
			switch {
			case res.r.Status == http.StatusServiceUnavailable:
				checkUnavailable(t, res.r)
				if at != "RELEASE_LOCK" && n != 0 {
					t.Errorf("503, yet the row was written")
				}
			case at == "RELEASE_LOCK" && res.r.Status == http.StatusCreated:
				// Committed before the stall: acknowledged and stored.
				if n != 1 {
					t.Errorf("201, yet %d rows", n)
				}
			default:
				t.Errorf("status %d %s", res.r.Status, res.r.Raw)
			}
			if res.d > 4*time.Second {
				t.Errorf("took %v with a 1s request timeout", res.d)
			}
		})
	}
}

// sidecarConnections returns the server's ids of the connections to the
// database name that run a statement containing info.
func sidecarConnections(t *testing.T, admin *sql.DB, dbName, info string) []int64 {
	t.Helper()
	rows, err := admin.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ? AND ID <> CONNECTION_ID()", dbName, "%"+info+"%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// TestFaultConnectionKilled kills, on the server, the sidecar's connection
// while its request waits for a row lock (KILL CONNECTION, and KILL QUERY):
// 503 with Retry-After, nothing written, and the next request works.
func TestFaultConnectionKilled(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, faultSkip)
	dsn, db := scratchDB(t, "testdata/roles_schema.sql")
	s := attach(t, db, dsn, "testdata/roles_mapping.yaml", serverSection())
	var dbName string
	if err := db.QueryRow("SELECT DATABASE()").Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	for _, kill := range []string{"KILL CONNECTION", "KILL QUERY"} {
		t.Run(kill, func(t *testing.T) {
			holder, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Rollback()
			if _, err := holder.Exec("SELECT * FROM users WHERE id = 2 FOR UPDATE"); err != nil {
				t.Fatal(err)
			}
			before := dump(t, db, rolesTables...)
			done := make(chan response, 1)
			go func() {
				done <- s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"killed"}`))
			}()
			var ids []int64
			for deadline := time.Now().Add(10 * time.Second); len(ids) == 0; {
				if time.Now().After(deadline) {
					t.Fatal("the sidecar's PATCH never waited for the row lock")
				}
				time.Sleep(20 * time.Millisecond)
				ids = sidecarConnections(t, db, dbName, "FOR UPDATE")
			}
			for _, id := range ids {
				if _, err := db.Exec(fmt.Sprintf("%s %d", kill, id)); err != nil {
					t.Fatal(err)
				}
			}
			r := <-done
			checkUnavailable(t, r)
			holder.Rollback()
			if after := dump(t, db, rolesTables...); after != before {
				t.Fatalf("written after %s:\n%s\n%s", kill, before, after)
			}
			if r := s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"after"}`)); r.Status != 200 {
				t.Fatalf("the next request: %d %s", r.Status, r.Raw)
			}
		})
	}
}

// TestLockWaitTimeoutRetried holds a row lock the sidecar needs, with a
// 1s innodb_lock_wait_timeout on the sidecar's connections. A lock held
// for 2.5s costs two or three timed-out attempts and then succeeds; a lock
// held past every attempt ends in 503 after exactly eight attempts
// (maxAttempts), with backoff between them.
func TestLockWaitTimeoutRetried(t *testing.T) {
	s, p, _ := faultSidecar(t, map[string]string{"innodb_lock_wait_timeout": "1"})
	p.Count("FOR UPDATE")
	// hold locks user 2's row from another connection until release.
	hold := func() (release func()) {
		holder, err := s.db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := holder.Exec("SELECT * FROM users WHERE id = 2 FOR UPDATE"); err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		release = func() { once.Do(func() { holder.Rollback() }) }
		t.Cleanup(release)
		return release
	}

	release := hold()
	time.AfterFunc(2500*time.Millisecond, release)
	start := time.Now()
	r := s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"patient"}`))
	d := time.Since(start)
	attempts := p.Counted("FOR UPDATE")
	if r.Status != 200 || r.Body["displayName"] != "patient" {
		t.Fatalf("PATCH behind a 2.5s lock: %d %s", r.Status, r.Raw)
	}
	if attempts < 3 || d < 2*time.Second {
		t.Errorf("succeeded after %v and %d attempts; want the lock-wait timeouts retried", d, attempts)
	}
	t.Logf("a lock held 2.5s: 200 after %v, %d attempts", d.Round(time.Millisecond), attempts)

	release = hold()
	n0 := p.Counted("FOR UPDATE")
	start = time.Now()
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"impatient"}`))
	d = time.Since(start)
	release()
	attempts = p.Counted("FOR UPDATE") - n0
	checkUnavailable(t, r)
	// Every attempt waits out its 1s lock wait; the request's 30s
	// deadline leaves room for all eight (maxAttempts in adapters/mysql).
	if attempts != 8 {
		t.Errorf("%d attempts behind a lock held past them all, want 8", attempts)
	}
	if d < 8*time.Second {
		t.Errorf("gave up after %v; want eight 1s lock waits plus backoff", d)
	}
	if got := s.row("SELECT full_name FROM users WHERE id = 2")["full_name"]; got != "patient" {
		t.Errorf("full_name %q after the refused PATCH, want patient", got)
	}
	t.Logf("a lock held past every attempt: 503 after %v, %d attempts", d.Round(time.Millisecond), attempts)
}

// TestDeadlockRetried makes the sidecar's transaction the victim of a real
// deadlock (error 1213): it holds a group's row lock and waits for a
// membership row another transaction holds, which then asks for the
// group's row. The other transaction has written more, so InnoDB rolls the
// sidecar's back; the sidecar runs it again and succeeds.
func TestDeadlockRetried(t *testing.T) {
	s, p, _ := faultSidecar(t, nil)
	var dbName string
	if err := s.db.QueryRow("SELECT DATABASE()").Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("CREATE TABLE ballast (id INT PRIMARY KEY, v INT); INSERT INTO ballast SELECT seq, 0 FROM seq_1_to_500"); err != nil {
		t.Skipf("no sequence engine for the ballast rows: %v", err)
	}
	p.Count("DELETE FROM `user_roles`")
	other, err := s.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	// The other transaction: heavy (so that it is not the victim), and
	// holding the membership (2, 3).
	if _, err := other.Exec("UPDATE ballast SET v = v + 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec("DELETE FROM user_roles WHERE role_id = 2 AND user_id = 3"); err != nil {
		t.Fatal(err)
	}
	done := make(chan response, 1)
	go func() {
		done <- s.do("PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"remove","path":"members[value eq \"3\"]"}`, `{"op":"add","path":"members","value":[{"value":"4"}]}`))
	}()
	// Wait until the sidecar holds the group row and waits for (2, 3).
	for deadline := time.Now().Add(10 * time.Second); ; {
		if len(sidecarConnections(t, s.db, dbName, "DELETE FROM `user_roles`")) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sidecar never waited for the membership row")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var deadlocks0 int64
	var name string
	_ = s.db.QueryRow("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'").Scan(&name, &deadlocks0)
	// Now the cycle: the other transaction wants the group's row.
	if _, err := other.Exec("SELECT * FROM roles WHERE id = 2 FOR UPDATE"); err != nil {
		t.Fatalf("the heavier transaction was chosen as the victim (%v); the test needs the sidecar's", err)
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.Status != http.StatusNoContent {
		t.Fatalf("PATCH after a deadlock: %d %s", r.Status, r.Raw)
	}
	var deadlocks1 int64
	_ = s.db.QueryRow("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'").Scan(&name, &deadlocks1)
	if deadlocks1 <= deadlocks0 {
		t.Errorf("Innodb_deadlocks %d -> %d: no deadlock happened", deadlocks0, deadlocks1)
	}
	if n := p.Counted("DELETE FROM `user_roles`"); n != 2 {
		t.Errorf("the membership DELETE ran %d times, want 2 (the deadlocked attempt and its retry)", n)
	}
	if got := s.joinMembers("SELECT user_id FROM user_roles WHERE role_id = 2"); got != "2,4" {
		t.Errorf("members of group 2: %q, want 2,4", got)
	}
}
