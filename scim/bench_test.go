package scim_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	mysqladapter "github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// addBatch is the number of members one PATCH (or one INSERT) adds, as an
// IdP pushing a big group sends them.
const addBatch = 50

// maxSpare bounds the users created for the benchmarks to add: beyond it
// they are reused, which is sound because every iteration's members are
// removed again outside the timer.
const maxSpare = 50_000

// benchGroup is a role with a fixed number of members on the roles
// schema, plus spare users who are not members, for benchmarks to add. The
// members are users first to first+size-1.
type benchGroup struct {
	s      *sidecar
	gid    int64
	first  int64   // id of the first member
	spare  []int64 // ids of users that are never left in the group
	cursor int     // next spare user to add
}

// newBenchGroup builds the roles schema with a group of size members,
// filling the tables with multi-row INSERTs.
func newBenchGroup(b testing.TB, size int) *benchGroup {
	b.Helper()
	start := time.Now()
	s := newSidecar(b, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml")
	res, err := s.db.Exec("INSERT INTO roles (name) VALUES (?)", fmt.Sprintf("bench-%d", size))
	if err != nil {
		b.Fatal(err)
	}
	g := &benchGroup{s: s}
	if g.gid, err = res.LastInsertId(); err != nil {
		b.Fatal(err)
	}
	members := g.newUsers(b, "m", 0, size)
	g.first = members[0]
	g.insertMembers(b, members)
	b.Logf("setup: %d users and memberships in %v", size, time.Since(start).Round(time.Millisecond))
	return g
}

// newUsers inserts n users named prefix+number (numbered from first),
// 5,000 to a statement, and returns their ids: consecutive, as
// AUTO_INCREMENT gives them to a multi-row insert.
func (g *benchGroup) newUsers(b testing.TB, prefix string, first, n int) []int64 {
	b.Helper()
	ids := make([]int64, 0, n)
	for from := 0; from < n; from += 5000 {
		to := min(n, from+5000)
		var q strings.Builder
		q.WriteString("INSERT INTO users (login) VALUES ")
		for i := from; i < to; i++ {
			if i > from {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "('%s%07d')", prefix, first+i)
		}
		res, err := g.s.db.Exec(q.String())
		if err != nil {
			b.Fatal(err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			b.Fatal(err)
		}
		// A multi-row insert takes consecutive ids unless the server is set
		// to interleave or step them; then the ids below would be wrong.
		var last int64
		if err := g.s.db.QueryRow("SELECT MAX(id) FROM users").Scan(&last); err != nil {
			b.Fatal(err)
		}
		if last != id+int64(to-from)-1 {
			b.Fatalf("the insert of %d users took ids %d to %d, not consecutive ones", to-from, id, last)
		}
		for i := range to - from {
			ids = append(ids, id+int64(i))
		}
	}
	return ids
}

// insertMembersSQL is the direct statement: one multi-row INSERT with the
// values in its text, which go-sql-driver sends in a single round trip.
func (g *benchGroup) insertMembersSQL(users []int64) string {
	var q strings.Builder
	q.WriteString("INSERT INTO user_roles (user_id, role_id) VALUES ")
	for i, u := range users {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(" + strconv.FormatInt(u, 10) + "," + strconv.FormatInt(g.gid, 10) + ")")
	}
	return q.String()
}

func (g *benchGroup) insertMembers(b testing.TB, users []int64) {
	b.Helper()
	for from := 0; from < len(users); from += 5000 {
		if _, err := g.s.db.Exec(g.insertMembersSQL(users[from:min(len(users), from+5000)])); err != nil {
			b.Fatal(err)
		}
	}
}

// reserve makes sure n spare users follow the cursor (creating them up to
// maxSpare, wrapping around after that).
func (g *benchGroup) reserve(b testing.TB, n int) {
	b.Helper()
	if want := min(maxSpare, g.cursor+n); want > len(g.spare) {
		g.spare = append(g.spare, g.newUsers(b, "s", len(g.spare), want-len(g.spare))...)
	}
}

// next returns the next addBatch spare users.
func (g *benchGroup) next() []int64 {
	if g.cursor+addBatch > len(g.spare) {
		g.cursor = 0
	}
	batch := g.spare[g.cursor : g.cursor+addBatch]
	g.cursor += addBatch
	return batch
}

// restore removes the batch just added, so the group is back to its size,
// and fails unless exactly the batch had been added.
func (g *benchGroup) restore(b testing.TB, batch []int64) {
	b.Helper()
	ids := make([]string, len(batch))
	for i, u := range batch {
		ids[i] = strconv.FormatInt(u, 10)
	}
	res, err := g.s.db.Exec("DELETE FROM user_roles WHERE role_id = ? AND user_id IN ("+strings.Join(ids, ",")+")", g.gid)
	if err != nil {
		b.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != addBatch {
		b.Fatalf("%d of %d members were added", n, addBatch)
	}
}

// discard is a ResponseWriter that keeps only the status and the number of
// bytes, so a big response costs the handler what it costs on the wire.
type discard struct {
	header http.Header
	status int
	n      int64
}

func newDiscard() *discard { return &discard{header: http.Header{}} }

func (d *discard) Header() http.Header { return d.header }

func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

func (d *discard) Write(p []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	d.n += int64(len(p))
	return len(p), nil
}

// BenchmarkAddMembers compares, for a group of 100 and one of 100,000
// members, the members per second added through the sidecar (one HTTP
// PATCH adding 50 new members, served in-process, its response written to
// a counting writer) with the same 50 rows added by one multi-row INSERT
// through database/sql. Every iteration adds users who are not members;
// they are removed again outside the timer, so the group keeps its size.
// The SQL is the floor: the PATCH also parses the request, checks the
// users exist, locks the group row and answers 204 No Content, as
// RFC 7644 allows and Okta and Entra accept.
//
//	SCIMBRIDGE_TEST_DSN='root@tcp(127.0.0.1:3306)/' go test ./scim/ -run '^$' -bench Members -benchtime 200x
func BenchmarkAddMembers(b *testing.B) {
	mysqltest.SkipIfEmbedded(b, "timings on the in-memory engine say nothing about a real server")
	for _, size := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("group=%d", size), func(b *testing.B) {
			g := newBenchGroup(b, size)
			path := fmt.Sprintf("/scim/v2/Groups/%d", g.gid)
			b.Run("via=patch", func(b *testing.B) {
				g.reserve(b, b.N*addBatch)
				var sent int64
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					batch := g.next()
					values := make([]string, len(batch))
					for i, u := range batch {
						values[i] = fmt.Sprintf(`{"value":"%d"}`, u)
					}
					req := httptest.NewRequest("PATCH", "http://sidecar.test"+path,
						strings.NewReader(patchBody(`{"op":"add","path":"members","value":[`+strings.Join(values, ",")+`]}`)))
					req.Header.Set("Authorization", "Bearer "+testToken)
					req.Header.Set("Content-Type", "application/scim+json")
					w := newDiscard()
					g.s.h.ServeHTTP(w, req)
					b.StopTimer()
					if w.status != http.StatusNoContent {
						b.Fatalf("PATCH: status %d", w.status)
					}
					sent += w.n
					g.restore(b, batch)
					b.StartTimer()
				}
				b.ReportMetric(float64(b.N*addBatch)/b.Elapsed().Seconds(), "members/s")
				b.ReportMetric(float64(sent)/float64(b.N), "resp-B/op")
			})
			b.Run("via=sql", func(b *testing.B) {
				g.reserve(b, b.N*addBatch)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					batch := g.next()
					if _, err := g.s.db.Exec(g.insertMembersSQL(batch)); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					g.restore(b, batch)
					b.StartTimer()
				}
				b.ReportMetric(float64(b.N*addBatch)/b.Elapsed().Seconds(), "members/s")
			})
		})
	}
}

// readUsers is the number of users of the read benchmarks; each is in one
// of readGroups groups, as in cmd/scimbench.
const (
	readUsers  = 1000
	readGroups = 10
)

// readBench is a sidecar on cmd/scimbench's schema and mapping, configured
// as scimbench configures it: every request logged at info level (as JSON,
// here discarded) and audit records written to the null device.
type readBench struct {
	s       *sidecar
	first   int64 // id of user0000000
	members int64 // id of the member scenario's group (newPathBench)
}

// userCols is the select list of a users row, as the sidecar reads it.
const userCols = "id, login, email, first_name, last_name, display_name, okta_id, status, created_at, updated_at"

func newReadBench(b testing.TB) *readBench {
	b.Helper()
	mysqltest.SkipIfEmbedded(b, "timings on the in-memory engine say nothing about a real server")
	dsn, db := scratchDB(b, "testdata/bench_schema.sql")
	var q strings.Builder
	q.WriteString("INSERT INTO users (login, email, first_name, last_name, display_name, okta_id, status, created_at, updated_at) VALUES ")
	for i := range readUsers {
		if i > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "('user%07d','user%07d@example.com','First','Last%d','First Last%d','00u%07d',1,'2024-01-01 00:00:00','2024-01-01 00:00:00')", i, i, i, i, i)
	}
	res, err := db.Exec(q.String())
	if err != nil {
		b.Fatal(err)
	}
	rb := &readBench{}
	if rb.first, err = res.LastInsertId(); err != nil {
		b.Fatal(err)
	}
	for g := range readGroups {
		res, err := db.Exec("INSERT INTO roles (name, created_at) VALUES (?, '2024-01-01 00:00:00')", fmt.Sprintf("dept-%d", g))
		if err != nil {
			b.Fatal(err)
		}
		gid, _ := res.LastInsertId()
		if _, err := db.Exec("INSERT INTO user_roles (user_id, role_id) SELECT id, ? FROM users WHERE MOD(id - ?, ?) = ?", gid, rb.first, readGroups, g); err != nil {
			b.Fatal(err)
		}
	}
	mapping, err := os.ReadFile("testdata/bench_mapping.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := cli.ParseConfig([]byte(serverSection() +
		"audit: {output: " + os.DevNull + "}\n" +
		"database:\n  type: mysql\n  config:\n    dsn: {value: " + strconvQuote(dsn) + "}\n" +
		"resources:\n  " + strings.ReplaceAll(strings.TrimRight(string(mapping), "\n"), "\n", "\n  ") + "\n"))
	if err != nil {
		b.Fatal(err)
	}
	// Every record is formatted, as the binary's logger formats it.
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sc, err := cli.Build(context.Background(), cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sc.Close() })
	// The baseline's pool is the one the adapter would open: client-side
	// interpolated parameters, so one round trip a statement.
	full, err := (&mysqladapter.Config{DSN: adapters.Secret{Value: dsn}}).FormatDSN()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("mysql", full)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	rb.s = &sidecar{t: b, h: sc.Handler, db: raw, cli: sc}
	return rb
}

// reportCPU runs fn and reports the CPU time this process (the sidecar
// or the database/sql client, not the database server) used per
// iteration: on 2 shared cores the wall time per request is mostly the
// server's round trips and noise.
func reportCPU(b *testing.B, fn func()) {
	start := processCPU()
	fn()
	if end := processCPU(); start >= 0 && end >= 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// serve runs one GET through the sidecar and checks its status.
func (rb *readBench) serve(b *testing.B, path string) int64 {
	req := httptest.NewRequest("GET", "http://sidecar.test/scim/v2"+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	w := newDiscard()
	rb.s.h.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("GET %s: status %d", path, w.status)
	}
	return w.n
}

// rawGroups reads a user's groups as an application would.
func (rb *readBench) rawGroups(ctx context.Context, b *testing.B, id int64) {
	rows, err := rb.s.db.QueryContext(ctx, "SELECT r.id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ?", id)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var gid int64
		var name string
		if err := rows.Scan(&gid, &name); err != nil {
			b.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}

type benchUserRow struct {
	id                                  int64
	login                               string
	email, first, last, display, oktaID sql.NullString
	status                              int
	created, updated                    sql.NullTime
}

func (u *benchUserRow) ptrs() []any {
	return []any{&u.id, &u.login, &u.email, &u.first, &u.last, &u.display, &u.oktaID, &u.status, &u.created, &u.updated}
}

// viaSCIM runs the sidecar's side of a read benchmark: request i is a GET
// of path(i).
func (rb *readBench) viaSCIM(b *testing.B, path func(i int) string) {
	var sent int64
	b.ReportAllocs()
	reportCPU(b, func() {
		for i := range b.N {
			sent += rb.serve(b, path(i))
		}
	})
	b.ReportMetric(float64(sent)/float64(b.N), "resp-B/op")
}

// viaSQL runs the raw side of a read benchmark: request i is read(i).
func (rb *readBench) viaSQL(b *testing.B, read func(ctx context.Context, i int)) {
	// Cancelable, as a request's context is: database/sql and the
	// driver then watch it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	reportCPU(b, func() {
		for i := range b.N {
			read(ctx, i)
		}
	})
}

// BenchmarkGetUser compares GET /Users/{id} through the sidecar (served
// in-process, the response written to a counting writer) with the two
// statements it sends run through database/sql: the row, then its groups.
// The difference is the sidecar's own CPU per request: routing, auth,
// mapping the row, rendering, metrics, logging.
//
//	SCIMBRIDGE_TEST_DSN='root@tcp(127.0.0.1:3306)/' go test ./scim/ -run '^$' -bench 'Get|Filter' -benchmem
func BenchmarkGetUser(b *testing.B) {
	rb := newReadBench(b)
	b.Run("via=scim", func(b *testing.B) {
		rb.viaSCIM(b, func(i int) string { return "/Users/" + strconv.FormatInt(rb.first+int64(i%readUsers), 10) })
	})
	b.Run("via=sql", func(b *testing.B) {
		rb.viaSQL(b, func(ctx context.Context, i int) {
			id := rb.first + int64(i%readUsers)
			var u benchUserRow
			if err := rb.s.db.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id).Scan(u.ptrs()...); err != nil {
				b.Fatal(err)
			}
			rb.rawGroups(ctx, b, id)
		})
	})
}

// BenchmarkFilterUser is BenchmarkGetUser for GET /Users?filter=userName
// eq "x": a list response of one user with its groups.
func BenchmarkFilterUser(b *testing.B) {
	rb := newReadBench(b)
	b.Run("via=scim", func(b *testing.B) {
		rb.viaSCIM(b, func(i int) string {
			return "/Users?filter=" + url.QueryEscape(fmt.Sprintf(`userName eq "user%07d"`, i%readUsers))
		})
	})
	b.Run("via=sql", func(b *testing.B) {
		rb.viaSQL(b, func(ctx context.Context, i int) {
			rows, err := rb.s.db.QueryContext(ctx, "SELECT "+userCols+" FROM users WHERE login = ?", fmt.Sprintf("user%07d", i%readUsers))
			if err != nil {
				b.Fatal(err)
			}
			var ids []int64
			for rows.Next() {
				var u benchUserRow
				if err := rows.Scan(u.ptrs()...); err != nil {
					b.Fatal(err)
				}
				ids = append(ids, u.id)
			}
			rows.Close()
			if len(ids) != 1 {
				b.Fatalf("%d users", len(ids))
			}
			rb.rawGroups(ctx, b, ids[0])
		})
	})
}
