package scim_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// The errors of a server that cannot take writes or connections for now,
// as MariaDB, MySQL and Galera send them.
var (
	errReadOnly = faultproxy.ServerError{Number: 1290, SQLState: "HY000", Message: "The MariaDB server is running with the --read-only option so it cannot execute this statement"}
	errROMode   = faultproxy.ServerError{Number: 1836, SQLState: "HY000", Message: "Running in read-only mode"}
	errROTx     = faultproxy.ServerError{Number: 1792, SQLState: "25006", Message: "Cannot execute statement in a READ ONLY transaction."}
	errTooMany  = faultproxy.ServerError{Number: 1040, SQLState: "08004", Message: "Too many connections"}
	errUserMax  = faultproxy.ServerError{Number: 1203, SQLState: "42000", Message: "User scim already has more than 'max_user_connections' active connections"}
	errWsrep    = faultproxy.ServerError{Number: 1047, SQLState: "08S01", Message: "WSREP has not yet prepared node for application use"}
)

// TestFaultServerRefusesWrites has the server refuse statements as a
// read-only server (--read-only, SET GLOBAL read_only, a MySQL in
// read-only mode, a replica's read-only transaction) and a Galera node
// that is not synced do: the proxy answers the statement with the
// server's own error packet, and the server never runs it. Each request
// gets 503 with Retry-After, never 500, and nothing is written.
//
// The proxy speaks for the server rather than the test setting read_only
// on it: read_only is global, and the server is shared with other tests
// (root, which most use, would not even notice it).
func TestFaultServerRefusesWrites(t *testing.T) {
	s, p, _ := faultSidecar(t, nil)
	cases := []struct {
		name, method, path, body, at string
		e                            faultproxy.ServerError
	}{
		{"create user, read_only", "POST", "/scim/v2/Users", `{"userName":"ro@example.com"}`, "INSERT INTO", errReadOnly},
		{"create user, read-only mode", "POST", "/scim/v2/Users", `{"userName":"ro@example.com"}`, "INSERT INTO", errROMode},
		{"create user, read-only transaction", "POST", "/scim/v2/Users", `{"userName":"ro@example.com"}`, "INSERT INTO", errROTx},
		{"patch user, read_only", "PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"RO"}`), "UPDATE `users`", errReadOnly},
		{"create group, read_only", "POST", "/scim/v2/Groups", `{"displayName":"ro","members":[{"value":"1"}]}`, "INSERT INTO `roles`", errReadOnly},
		{"patch group members, read_only", "PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`), "INSERT INTO `user_roles`", errReadOnly},
		{"delete user, read_only", "DELETE", "/scim/v2/Users/4", "", "DELETE FROM", errReadOnly},
		{"get user, Galera node not ready", "GET", "/scim/v2/Users/1", "", "SELECT", errWsrep},
		{"create user, Galera node not ready", "POST", "/scim/v2/Users", `{"userName":"ro@example.com"}`, "INSERT INTO", errWsrep},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			before := dump(t, s.db, rolesTables...)
			hit := p.OnError(c.at, c.e)
			r := s.do(c.method, c.path, body)
			select {
			case <-hit:
			default:
				p.ClearRules()
				t.Fatalf("the request never sent %q (status %d %s)", c.at, r.Status, r.Raw)
			}
			checkUnavailable(t, r)
			if after := dump(t, s.db, rolesTables...); after != before {
				t.Fatalf("written although the server refused:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
	if r := s.do("POST", "/scim/v2/Users", `{"userName":"ro@example.com"}`); r.Status != http.StatusCreated {
		t.Fatalf("create once the server takes writes: %d %s", r.Status, r.Raw)
	}
}

// TestFaultServerRefusesConnections has the server turn new connections
// away, as it does past max_connections (1040) and the server-wide
// max_user_connections (1203), and as a Galera node that is not synced
// does (1047): the proxy answers each new connection with
// the server's error packet in place of its greeting. Requests get 503
// with Retry-After, and succeed once connections are accepted again.
func TestFaultServerRefusesConnections(t *testing.T) {
	s, p, _ := faultSidecar(t, nil)
	for _, e := range []faultproxy.ServerError{errTooMany, errUserMax, errWsrep} {
		before := dump(t, s.db, rolesTables...)
		p.RefuseWith(e)
		p.CutAll() // the pool's connections are gone: every request needs a new one
		for _, req := range []struct{ method, path, body string }{
			{"GET", "/scim/v2/Users/1", ""},
			{"POST", "/scim/v2/Users", `{"userName":"refused@example.com"}`},
			{"PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"1"}]}`)},
		} {
			var body any
			if req.body != "" {
				body = req.body
			}
			r := s.do(req.method, req.path, body)
			if r.Status != http.StatusServiceUnavailable {
				t.Errorf("error %d: %s %s: %d %s", e.Number, req.method, req.path, r.Status, r.Raw)
				continue
			}
			checkUnavailable(t, r)
		}
		p.Accept()
		if after := dump(t, s.db, rolesTables...); after != before {
			t.Fatalf("error %d: written although the server refused connections:\n%s\n%s", e.Number, before, after)
		}
		if r := s.do("GET", "/scim/v2/Users/1", nil); r.Status != http.StatusOK {
			t.Fatalf("error %d: a request once connections are accepted: %d %s", e.Number, r.Status, r.Raw)
		}
	}
}

// TestFaultUserConnectionLimit gives the sidecar an account of its own
// with MAX_USER_CONNECTIONS 1 and holds that one connection from the
// test: the server refuses the sidecar's connections with its real error
// (1226 ER_USER_LIMIT_REACHED on MariaDB; 1203 for the server-wide
// max_user_connections), which is 503 with Retry-After, and
// the sidecar works again once the connection is given back.
func TestFaultUserConnectionLimit(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the embedded engine has no per-account connection limits")
	dsn, db := scratchDB(t, "testdata/roles_schema.sql")
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	user, pass := "sb_limit_"+hex.EncodeToString(b[:]), hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + pass + "' WITH MAX_USER_CONNECTIONS 1"); err != nil {
		t.Skipf("cannot create a user for the test: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("mysql", dsn)
		if err == nil {
			_, _ = admin.Exec("DROP USER IF EXISTS '" + user + "'@'%'")
			admin.Close()
		}
	})
	if _, err := db.Exec("GRANT ALL ON `" + cfg.DBName + "`.* TO '" + user + "'@'%'"); err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Passwd = user, pass
	udsn := cfg.FormatDSN()
	s := attach(t, db, udsn, "testdata/roles_mapping.yaml", serverSection())
	// The sidecar keeps no idle connection, so that each request needs a
	// new one, and the test can take the account's only connection.
	pools, ok := s.cli.Adapter.(interface {
		DB() *sql.DB
		WriteDB() *sql.DB
	})
	if !ok {
		t.Fatal("the adapter does not expose its pools")
	}
	for _, p := range []*sql.DB{pools.DB(), pools.WriteDB()} {
		if p != nil {
			p.SetMaxIdleConns(0)
		}
	}
	holder, err := sql.Open("mysql", udsn)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	ctx := context.Background()
	var conn *sql.Conn
	for deadline := time.Now().Add(10 * time.Second); ; {
		// The sidecar's last connection may still be closing.
		if conn, err = holder.Conn(ctx); err == nil {
			if err = conn.PingContext(ctx); err == nil {
				break
			}
			conn.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test cannot take the account's connection: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	before := dump(t, db, rolesTables...)
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/scim/v2/Users/1", ""},
		{"POST", "/scim/v2/Users", `{"userName":"limited@example.com"}`},
		{"PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"displayName","value":"limited"}`)},
	} {
		var body any
		if req.body != "" {
			body = req.body
		}
		r := s.do(req.method, req.path, body)
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s %s with the account's connections used up: %d %s", req.method, req.path, r.Status, r.Raw)
			continue
		}
		checkUnavailable(t, r)
	}
	if after := dump(t, db, rolesTables...); after != before {
		t.Fatalf("written without a connection:\n%s\n%s", before, after)
	}
	conn.Close()
	holder.Close()
	var r response
	for deadline := time.Now().Add(10 * time.Second); ; {
		// The server counts the connection until it has seen it close.
		if r = s.do("POST", "/scim/v2/Users", `{"userName":"limited@example.com"}`); r.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.Status != http.StatusCreated {
		t.Fatalf("create once the connection is given back: %d %s", r.Status, r.Raw)
	}
}

// pad returns s padded with spaces to the length of like, for a
// faultproxy Rewrite.
func pad(s, like string) string { return s + strings.Repeat(" ", len(like)-len(s)) }

// TestFaultReadinessReadOnly checks that /healthz/ready fails while the
// server does not take writes, though it answers: read_only on, or a
// Galera node not ready or not synced. The server runs the readiness
// query itself; the proxy replaces the variable the test needs to differ
// with a constant (read_only is global and the server shared; the tests'
// server is no Galera node), and the server reports the rest: without
// Galera, MariaDB reports wsrep_ready OFF.
func TestFaultReadinessReadOnly(t *testing.T) {
	const (
		readOnly = "@@global.read_only"
		wsrepOn  = "@@global.wsrep_on"
		ready    = "(SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY')"
		state    = "(SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE')"
	)
	for _, c := range []struct {
		name    string
		rewrite map[string]string
		want    int
		why     string
	}{
		{"writable", nil, http.StatusOK, ""},
		{"read_only", map[string]string{readOnly: "1"}, http.StatusServiceUnavailable, "read-only"},
		{"Galera, wsrep_ready as this server reports it", map[string]string{wsrepOn: "1"}, http.StatusServiceUnavailable, "wsrep_ready=OFF"},
		{"Galera, synced", map[string]string{wsrepOn: "1", ready: "'ON'", state: "'4'"}, http.StatusOK, ""},
		{"Galera, donor", map[string]string{wsrepOn: "1", ready: "'ON'", state: "'2'"}, http.StatusServiceUnavailable, "wsrep_local_state=2"},
		{"Galera, synced but read_only", map[string]string{readOnly: "1", wsrepOn: "1", ready: "'ON'", state: "'4'"}, http.StatusServiceUnavailable, "read-only"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, p, _ := faultSidecar(t, nil)
			for from, to := range c.rewrite {
				p.Rewrite(from, pad(to, from))
			}
			w := httptest.NewRecorder()
			s.cli.Telemetry.ServeHTTP(w, httptest.NewRequest("GET", "/healthz/ready", nil))
			if w.Code != c.want || !strings.Contains(w.Body.String(), c.why) {
				t.Errorf("/healthz/ready = %d %q, want %d saying %q", w.Code, w.Body.String(), c.want, c.why)
			}
			// The SCIM API still answers reads meanwhile.
			if r := s.do("GET", "/scim/v2/Users/1", nil); r.Status != http.StatusOK {
				t.Errorf("GET while %s: %d %s", c.name, r.Status, r.Raw)
			}
		})
	}
}
