package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// memberBatch is the number of members one PATCH (or one INSERT) adds.
const memberBatch = 50

// pageSize is the count of a list page.
const pageSize = 100

// deptGroups is the number of groups every directory user belongs to one
// of, so that user reads return a group, as they do in real directories.
const deptGroups = 10

// bencher runs the scenarios of one benchmark.
type bencher struct {
	o    *options
	db   *scratch
	raw  *sql.DB
	http *client
	out  io.Writer

	cpu *cpuMeter

	// counter counts the statements of the in-process sidecar behind
	// countHTTP and of the baseline pool countRaw (see statements).
	counter   *stmtCounter
	countHTTP *client
	countRaw  *sql.DB

	first        int64   // id of user0000000
	memberGroups []int64 // one per worker, for the members scenario
	importGroups []int64 // one per worker, for the import scenario
}

// scenario is one kind of request, done by raw SQL and by the sidecar.
type scenario struct {
	name string
	// raw describes the baseline's statements, for the report.
	raw string
	// unit is what the rate counts, per is how many of it one request
	// does (members per PATCH).
	unit string
	per  float64
	// target is the least sidecar/raw ratio the issue asks for; 0 if none.
	target float64
	// cpu is the most sidecar CPU a request may cost (issue 26).
	cpu cpuTarget
	// limit bounds the requests of one worker (0: none); n bounds them
	// all (0: -n).
	limit, n int
	// reset puts the data back before each side runs; undo, if set,
	// removes what reset made once the scenario is done, so that it does
	// not weigh on the next.
	reset, undo      func(ctx context.Context) error
	doRaw, doSidecar func(ctx context.Context, w *worker, i int) error
}

const (
	coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"
	patchOp  = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// user returns the id and userName of the directory user for request i,
// spread over the directory so that the same rows are touched by both
// sides in the same order.
func (b *bencher) user(i int) (int64, string) {
	idx := (i * 7919) % b.o.users
	return b.first + int64(idx), fmt.Sprintf("user%07d", idx)
}

func (b *bencher) setupDirectory(ctx context.Context) error {
	start := time.Now()
	var err error
	if b.first, err = b.db.fillUsers(ctx, 0, b.o.users); err != nil {
		return err
	}
	var names []string
	for i := range deptGroups {
		names = append(names, fmt.Sprintf("dept-%d", i))
	}
	depts, err := b.db.createGroups(ctx, names...)
	if err != nil {
		return err
	}
	// User i is a member of dept-(i mod 10).
	for d, gid := range depts {
		var q strings.Builder
		q.WriteString("INSERT INTO user_roles (user_id, role_id) SELECT id, " + strconv.FormatInt(gid, 10) + " FROM users WHERE MOD(id - " + strconv.FormatInt(b.first, 10) + ", " + strconv.Itoa(deptGroups) + ") = " + strconv.Itoa(d))
		if err := b.db.exec(ctx, q.String()); err != nil {
			return err
		}
	}
	names = names[:0]
	for w := range b.o.conc {
		names = append(names, fmt.Sprintf("members-%d", w), fmt.Sprintf("import-%d", w))
	}
	ids, err := b.db.createGroups(ctx, names...)
	if err != nil {
		return err
	}
	for w := range b.o.conc {
		b.memberGroups = append(b.memberGroups, ids[2*w])
		b.importGroups = append(b.importGroups, ids[2*w+1])
	}
	if err := b.db.analyze(ctx); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "setup: %d users, each in one of %d groups, in %v\n", b.o.users, deptGroups, time.Since(start).Round(time.Millisecond))
	return nil
}

// compare runs every scenario, raw SQL first, and prints the table, with
// the statements a request of each side sends (see statements).
func (b *bencher) compare(ctx context.Context) (err error) {
	if err := b.setupDirectory(ctx); err != nil {
		return err
	}
	scenarios := b.scenarios()
	// Warm both up with gets and creates: the pools' connections (the
	// sidecar has one pool for reads and one for writes), buffer pool,
	// the sidecar's first requests. Creates are undone by their reset.
	var warm []scenario
	for _, s := range scenarios {
		if s.name == "get by id" || s.name == "create user" {
			warm = append(warm, s)
		}
	}
	for _, s := range warm {
		for _, do := range []func(context.Context, *worker, int) error{s.doRaw, s.doSidecar} {
			if s.reset != nil {
				if err := s.reset(ctx); err != nil {
					return fmt.Errorf("warming up: %w", err)
				}
			}
			if _, err := load(ctx, b.o.conc, 500, time.Minute, s.limit, do); err != nil {
				return fmt.Errorf("warming up: %w", err)
			}
		}
	}
	stopCounting, err := b.startCounting(ctx)
	if err != nil {
		return fmt.Errorf("starting the statement counter: %w", err)
	}
	defer func() { err = errors.Join(err, stopCounting()) }()
	for _, s := range warm {
		if _, err := b.statements(ctx, s); err != nil {
			return fmt.Errorf("warming up the statement counter: %w", err)
		}
	}
	fmt.Fprintf(b.out, "\n%-24s %-10s | %-28s | %-28s | %-11s | %s\n", "", "", "raw SQL", "sidecar", "stmts/trips", "")
	fmt.Fprintf(b.out, "%-24s %-10s | %10s %8s %8s | %10s %8s %8s | %-11s | %5s  %s\n", "scenario", "unit", "rate", "p50", "p99", "rate", "p50", "p99", "raw → scim", "ratio", "target")
	var notes []string
	type cpuLine struct {
		s    scenario
		used [2]cpuTimes
		res  [2]result
	}
	var cpu []cpuLine
	for _, s := range scenarios {
		if b.o.only != nil && !b.o.only.MatchString(s.name) {
			continue
		}
		st, err := b.statements(ctx, s)
		if err != nil {
			return fmt.Errorf("%s: counting statements: %w", s.name, err)
		}
		n := b.o.requests
		if s.n > 0 {
			n = min(n, s.n)
		}
		var res [2]result
		var used [2]cpuTimes
		for side, do := range []func(context.Context, *worker, int) error{s.doRaw, s.doSidecar} {
			if s.reset != nil {
				if err := s.reset(ctx); err != nil {
					return fmt.Errorf("%s: resetting: %w", s.name, err)
				}
			}
			before := b.cpu.read()
			r, err := load(ctx, b.o.conc, n, b.o.duration, s.limit, do)
			if err != nil {
				return fmt.Errorf("%s (%s): %w", s.name, []string{"raw SQL", "sidecar"}[side], err)
			}
			res[side], used[side] = r, b.cpu.read().since(before)
		}
		if s.reset != nil {
			if err := s.reset(ctx); err != nil {
				return fmt.Errorf("%s: resetting: %w", s.name, err)
			}
		}
		if s.undo != nil {
			if err := s.undo(ctx); err != nil {
				return fmt.Errorf("%s: undoing its data: %w", s.name, err)
			}
		}
		ratio := res[1].rate() / res[0].rate()
		verdict := ""
		if s.target > 0 {
			verdict = fmt.Sprintf(">= %.1f ", s.target)
			if ratio >= s.target {
				verdict += "met"
			} else {
				verdict += "NOT met"
			}
		}
		fmt.Fprintf(b.out, "%-24s %-10s | %10.0f %8s %8s | %10.0f %8s %8s | %-11s | %5.2f  %s\n", s.name, s.unit,
			res[0].rate()*s.per, ms(res[0].quantile(.5)), ms(res[0].quantile(.99)),
			res[1].rate()*s.per, ms(res[1].quantile(.5)), ms(res[1].quantile(.99)), st, ratio, verdict)
		notes = append(notes, fmt.Sprintf("  %-22s %d+%d requests; raw SQL: %s; the sidecar's first: %s", s.name+":", res[0].requests, res[1].requests, s.raw, strings.Join(st.sequence, ", ")))
		cpu = append(cpu, cpuLine{s, used, res})
	}
	fmt.Fprintf(b.out, "\n%s\n", strings.Join(notes, "\n"))
	fmt.Fprintf(b.out, "  (stmts/trips: statements and round trips per request, the mean over %d requests of one client, counted on the wire by a proxy in front of an in-process sidecar and of a baseline pool; a round trip of the sidecar may carry several statements, joined by + above)\n\n", countRequests)
	client := "scimbench"
	if b.o.inProcess {
		client = "scimbench+sidecar"
	}
	floor, err := b.floor(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "CPU per request, microseconds (db: the database server; scimbench: the baseline's or the HTTP client's side; - unknown;\n")
	fmt.Fprintf(b.out, "beyond SQL: the sidecar's CPU above the floor less the raw client's, which runs the same kind of statements through the same driver;\n")
	fmt.Fprintf(b.out, "target: the sidecar's CPU above the HTTP floor, %s µs, as issue 26 sets it)\n", perRequest(floor, 1))
	fmt.Fprintf(b.out, "%-24s | %8s %8s | %8s %8s %8s | %10s | %s\n", "scenario", "raw: db", client, "db", "sidecar", client, "beyond SQL", "target")
	for _, l := range cpu {
		sidecar := perRequestDuration(l.used[1].sidecar, l.res[1].requests)
		fmt.Fprintf(b.out, "%-24s | %8s %8s | %8s %8s %8s | %10s | %s\n", l.s.name,
			perRequest(l.used[0].db, l.res[0].requests), perRequest(l.used[0].self, l.res[0].requests),
			perRequest(l.used[1].db, l.res[1].requests), perRequest(l.used[1].sidecar, l.res[1].requests), perRequest(l.used[1].self, l.res[1].requests),
			beyondSQL(sidecar, floor, perRequestDuration(l.used[0].self, l.res[0].requests)),
			l.s.cpu.verdict(sidecar, floor))
	}
	fmt.Fprintln(b.out)
	return nil
}

// floor measures what a request costs the sidecar and the client with no
// database work at all: GET /ServiceProviderConfig, served from memory. It
// returns the sidecar's CPU per request, or -1 when it is unknown.
func (b *bencher) floor(ctx context.Context) (time.Duration, error) {
	before := b.cpu.read()
	r, err := load(ctx, b.o.conc, b.o.requests, b.o.duration, 0, func(ctx context.Context, _ *worker, _ int) error {
		_, err := b.http.do(ctx, "GET", "/ServiceProviderConfig", nil, http.StatusOK, false)
		return err
	})
	if err != nil {
		return -1, fmt.Errorf("GET /ServiceProviderConfig: %w", err)
	}
	used := b.cpu.read().since(before)
	fmt.Fprintf(b.out, "HTTP floor, GET /ServiceProviderConfig (no database): %.0f req/s, p50 %s, p99 %s; CPU per request: sidecar %s µs, scimbench %s µs\n\n",
		r.rate(), ms(r.quantile(.5)), ms(r.quantile(.99)), perRequest(used.sidecar, r.requests), perRequest(used.self, r.requests))
	return perRequestDuration(used.sidecar, r.requests), nil
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }

func (b *bencher) scenarios() []scenario {
	return []scenario{
		{
			name: "create user", unit: "req/s", per: 1, target: 0.5, cpu: cpuTarget{over: 150 * time.Microsecond},
			raw:   "INSERT, SELECT it back by id",
			reset: func(ctx context.Context) error { return b.db.exec(ctx, "DELETE FROM users WHERE login LIKE 'new%'") },
			doRaw: func(ctx context.Context, _ *worker, i int) error {
				_, err := b.rawCreate(ctx, fmt.Sprintf("new%07d", i))
				return err
			},
			doSidecar: func(ctx context.Context, _ *worker, i int) error {
				_, err := b.http.do(ctx, "POST", "/Users", newUserBody(fmt.Sprintf("new%07d", i)), http.StatusCreated, false)
				return err
			},
		},
		{
			name: "get by id", unit: "req/s", per: 1, target: 0.7, cpu: cpuTarget{over: 60 * time.Microsecond},
			raw: "SELECT the row by id, SELECT its groups (JOIN roles)",
			doRaw: func(ctx context.Context, _ *worker, i int) error {
				id, _ := b.user(i)
				return b.rawGet(ctx, id)
			},
			doSidecar: func(ctx context.Context, _ *worker, i int) error {
				id, _ := b.user(i)
				_, err := b.http.do(ctx, "GET", "/Users/"+strconv.FormatInt(id, 10), nil, http.StatusOK, false)
				return err
			},
		},
		{
			name: "filter userName eq", unit: "req/s", per: 1, target: 0.7, cpu: cpuTarget{over: 60 * time.Microsecond},
			raw: "SELECT the row WHERE login = ?, SELECT its groups",
			doRaw: func(ctx context.Context, _ *worker, i int) error {
				_, login := b.user(i)
				n, err := b.rawFilter(ctx, login)
				if err == nil && n != 1 {
					err = fmt.Errorf("filter %s: %d users", login, n)
				}
				return err
			},
			doSidecar: func(ctx context.Context, _ *worker, i int) error {
				_, login := b.user(i)
				return b.filter(ctx, login, 1)
			},
		},
		{
			name: "PATCH deactivate", unit: "req/s", per: 1, target: 0.5, cpu: cpuTarget{over: 150 * time.Microsecond},
			raw: "UPDATE status and updated_at, SELECT the row back, SELECT its groups",
			n:   b.o.users,
			reset: func(ctx context.Context) error {
				return b.db.exec(ctx, "UPDATE users SET status = 1 WHERE status <> 1")
			},
			doRaw: func(ctx context.Context, _ *worker, i int) error {
				id := b.first + int64(i%b.o.users)
				return b.rawUpdate(ctx, id, "UPDATE users SET status = 0, updated_at = ? WHERE id = ?", now(), id)
			},
			doSidecar: func(ctx context.Context, _ *worker, i int) error {
				id := b.first + int64(i%b.o.users)
				body := `{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","path":"active","value":false}]}`
				_, err := b.http.do(ctx, "PATCH", "/Users/"+strconv.FormatInt(id, 10), []byte(body), http.StatusOK, false)
				return err
			},
		},
		{
			name: "PUT", unit: "req/s", per: 1, target: 0.5, cpu: cpuTarget{over: 150 * time.Microsecond},
			raw: "UPDATE every mapped column, SELECT the row back, SELECT its groups",
			doRaw: func(ctx context.Context, _ *worker, i int) error {
				id, login := b.user(i)
				v := putValues(login, "raw", i)
				return b.rawUpdate(ctx, id, "UPDATE users SET login = ?, okta_id = ?, first_name = ?, last_name = ?, display_name = ?, email = ?, status = 1, updated_at = ? WHERE id = ?",
					v.login, v.oktaID, v.given, v.family, v.display, v.email, now(), id)
			},
			doSidecar: func(ctx context.Context, _ *worker, i int) error {
				id, login := b.user(i)
				_, err := b.http.do(ctx, "PUT", "/Users/"+strconv.FormatInt(id, 10), putValues(login, "sidecar", i).body(), http.StatusOK, false)
				return err
			},
		},
		{
			name: "add 50 members", unit: "members/s", per: memberBatch, target: 0.5,
			raw:   "one multi-row INSERT INTO user_roles of 50 rows (each client its own group)",
			limit: b.o.users / memberBatch,
			reset: func(ctx context.Context) error {
				return b.db.exec(ctx, "DELETE FROM user_roles WHERE role_id IN ("+joinIDs(b.memberGroups)+")")
			},
			doRaw: func(ctx context.Context, w *worker, _ int) error {
				var q strings.Builder
				q.WriteString("INSERT INTO user_roles (user_id, role_id) VALUES ")
				for j, u := range b.batch(w) {
					if j > 0 {
						q.WriteByte(',')
					}
					fmt.Fprintf(&q, "(%d,%d)", u, b.memberGroups[w.id])
				}
				_, err := b.raw.ExecContext(ctx, q.String())
				return err
			},
			doSidecar: func(ctx context.Context, w *worker, _ int) error {
				_, err := b.http.do(ctx, "PATCH", "/Groups/"+strconv.FormatInt(b.memberGroups[w.id], 10), addMembersBody(b.batch(w)), http.StatusNoContent, false)
				return err
			},
		},
		{
			name: "remove 50 members", unit: "members/s", per: memberBatch,
			raw:   "one DELETE FROM user_roles of 50 rows (each client its own group, every user in it)",
			limit: b.o.users / memberBatch,
			reset: func(ctx context.Context) error {
				groups := joinIDs(b.memberGroups)
				return b.db.exec(ctx, "DELETE FROM user_roles WHERE role_id IN ("+groups+")",
					"INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u JOIN roles r ON r.id IN ("+groups+")"+
						" WHERE u.id BETWEEN "+strconv.FormatInt(b.first, 10)+" AND "+strconv.FormatInt(b.first+int64(b.o.users)-1, 10))
			},
			undo: func(ctx context.Context) error {
				return b.db.exec(ctx, "DELETE FROM user_roles WHERE role_id IN ("+joinIDs(b.memberGroups)+")")
			},
			doRaw: func(ctx context.Context, w *worker, _ int) error {
				_, err := b.raw.ExecContext(ctx, "DELETE FROM user_roles WHERE role_id = "+strconv.FormatInt(b.memberGroups[w.id], 10)+" AND user_id IN ("+joinIDs(b.batch(w))+")")
				return err
			},
			doSidecar: func(ctx context.Context, w *worker, _ int) error {
				_, err := b.http.do(ctx, "PATCH", "/Groups/"+strconv.FormatInt(b.memberGroups[w.id], 10), removeMembersBody(b.batch(w)), http.StatusNoContent, false)
				return err
			},
		},
		{
			name: "page through users", unit: "pages/s", per: 1, cpu: cpuTarget{over: 5 * time.Microsecond, per: pageSize},
			raw: "SELECT 100 rows WHERE id > last ORDER BY id LIMIT 100 (keyset), SELECT their groups; no count",
			doRaw: func(ctx context.Context, w *worker, _ int) error {
				n, last, err := b.rawPage(ctx, w.state)
				w.state = last
				if n < pageSize {
					w.state = 0
				}
				return err
			},
			doSidecar: func(ctx context.Context, w *worker, _ int) error {
				n, err := b.page(ctx, int(w.state)+1, -1)
				w.state += pageSize
				if n < pageSize {
					w.state = 0
				}
				return err
			},
		},
		{
			name: "Okta import", unit: "users/s", per: 1, target: 0,
			raw: "SELECT WHERE login = ? (none), INSERT, SELECT it back, INSERT INTO user_roles (each client its own group)",
			reset: func(ctx context.Context) error {
				return b.db.exec(ctx, "DELETE FROM user_roles WHERE role_id IN ("+joinIDs(b.importGroups)+")", "DELETE FROM users WHERE login LIKE 'imp%'")
			},
			doRaw: func(ctx context.Context, w *worker, i int) error {
				login := fmt.Sprintf("imp%07d", i)
				n, err := b.rawFilter(ctx, login)
				if err != nil || n != 0 {
					return fmt.Errorf("import %s: %d users found (%v)", login, n, err)
				}
				id, err := b.rawCreate(ctx, login)
				if err != nil {
					return err
				}
				_, err = b.raw.ExecContext(ctx, "INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)", id, b.importGroups[w.id])
				return err
			},
			doSidecar: func(ctx context.Context, w *worker, i int) error {
				login := fmt.Sprintf("imp%07d", i)
				if err := b.filter(ctx, login, 0); err != nil {
					return err
				}
				doc, err := b.http.do(ctx, "POST", "/Users", newUserBody(login), http.StatusCreated, true)
				if err != nil {
					return err
				}
				var u struct{ ID string }
				if err := json.Unmarshal(doc, &u); err != nil || u.ID == "" {
					return fmt.Errorf("POST /Users: no id in %.200s", doc)
				}
				body := `{"schemas":["` + patchOp + `"],"Operations":[{"op":"add","path":"members","value":[{"value":"` + u.ID + `"}]}]}`
				_, err = b.http.do(ctx, "PATCH", "/Groups/"+strconv.FormatInt(b.importGroups[w.id], 10), []byte(body), http.StatusNoContent, false)
				return err
			},
		},
	}
}

// batch returns the users a worker's next members request adds: its k-th
// request adds users 50k to 50k+49, to the worker's own group.
func (b *bencher) batch(w *worker) []int64 {
	out := make([]int64, memberBatch)
	for j := range out {
		out[j] = b.first + int64(w.k*memberBatch+j)
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func addMembersBody(ids []int64) []byte {
	var b strings.Builder
	b.WriteString(`{"schemas":["` + patchOp + `"],"Operations":[{"op":"add","path":"members","value":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"value":"` + strconv.FormatInt(id, 10) + `"}`)
	}
	b.WriteString(`]}]}`)
	return []byte(b.String())
}

// removeMembersBody removes the members with these ids, listed in one
// operation's value, as Entra sends it.
func removeMembersBody(ids []int64) []byte {
	return []byte(strings.Replace(string(addMembersBody(ids)), `"op":"add"`, `"op":"remove"`, 1))
}

// filter asks the sidecar for userName eq login and checks the number of
// results.
func (b *bencher) filter(ctx context.Context, login string, want int) error {
	f := url.QueryEscape(`userName eq "` + login + `"`)
	doc, err := b.http.do(ctx, "GET", "/Users?filter="+f, nil, http.StatusOK, true)
	if err != nil {
		return err
	}
	if n, ok := jsonInt(doc, "totalResults"); !ok || n != want {
		return fmt.Errorf("filter userName eq %q: totalResults %d, want %d", login, n, want)
	}
	return nil
}

// page gets a list page from startIndex and returns its itemsPerPage,
// checking totalResults against wantTotal unless it is negative.
func (b *bencher) page(ctx context.Context, startIndex, wantTotal int) (int, error) {
	doc, err := b.http.do(ctx, "GET", "/Users?startIndex="+strconv.Itoa(startIndex)+"&count="+strconv.Itoa(pageSize), nil, http.StatusOK, true)
	if err != nil {
		return 0, err
	}
	n, ok := jsonInt(doc, "itemsPerPage")
	total, ok2 := jsonInt(doc, "totalResults")
	if !ok || !ok2 {
		return 0, fmt.Errorf("list page at %d: no itemsPerPage or totalResults in %.200s", startIndex, doc)
	}
	if wantTotal >= 0 && total != wantTotal {
		return 0, fmt.Errorf("list page at %d: totalResults %d, want %d", startIndex, total, wantTotal)
	}
	return n, nil
}

func newUserBody(login string) []byte {
	return []byte(`{"schemas":["` + coreUser + `"],"userName":"` + login + `","externalId":"00u` + login +
		`","name":{"givenName":"New","familyName":"User ` + login + `"},"displayName":"New User ` + login +
		`","emails":[{"value":"` + login + `@example.com","type":"work","primary":true}],"active":true}`)
}

// putFields are the values of a PUT.
type putFields struct{ login, oktaID, given, family, display, email string }

func putValues(login, side string, i int) putFields {
	return putFields{
		login: login, oktaID: "00u" + login, given: "Put", family: side + " " + strconv.Itoa(i),
		display: "Put " + side + " " + strconv.Itoa(i), email: login + "@example.org",
	}
}

func (v putFields) body() []byte {
	return []byte(`{"schemas":["` + coreUser + `"],"userName":"` + v.login + `","externalId":"` + v.oktaID +
		`","name":{"givenName":"` + v.given + `","familyName":"` + v.family + `"},"displayName":"` + v.display +
		`","emails":[{"value":"` + v.email + `","type":"work","primary":true}],"active":true}`)
}

func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// userRow is a users row as a hand-written application reads it.
type userRow struct {
	id                                  int64
	login                               string
	email, first, last, display, oktaID sql.NullString
	status                              int
	created, updated                    sql.NullTime
}

func (u *userRow) ptrs() []any {
	return []any{&u.id, &u.login, &u.email, &u.first, &u.last, &u.display, &u.oktaID, &u.status, &u.created, &u.updated}
}

// rawCreate inserts a user and reads it back, as an application would.
func (b *bencher) rawCreate(ctx context.Context, login string) (int64, error) {
	t := now()
	res, err := b.raw.ExecContext(ctx, "INSERT INTO users (login, okta_id, first_name, last_name, display_name, email, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
		login, "00u"+login, "New", "User "+login, "New User "+login, login+"@example.com", t, t)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	var u userRow
	return id, b.raw.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id).Scan(u.ptrs()...)
}

// rawGet reads a user and its groups.
func (b *bencher) rawGet(ctx context.Context, id int64) error {
	var u userRow
	if err := b.raw.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id).Scan(u.ptrs()...); err != nil {
		return err
	}
	return b.rawGroups(ctx, "ur.user_id = ?", id)
}

// rawFilter reads the users with that login and their groups, and returns
// how many there are.
func (b *bencher) rawFilter(ctx context.Context, login string) (int, error) {
	ids, err := b.rawUsers(ctx, "SELECT "+userCols+" FROM users WHERE login = ?", login)
	if err != nil || len(ids) != 1 {
		return len(ids), err
	}
	return 1, b.rawGroups(ctx, "ur.user_id = ?", ids[0])
}

// rawUsers reads the users a query selects and returns their ids.
func (b *bencher) rawUsers(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := b.raw.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var u userRow
		if err := rows.Scan(u.ptrs()...); err != nil {
			return nil, err
		}
		ids = append(ids, u.id)
	}
	return ids, rows.Err()
}

// rawUpdate runs an UPDATE of user id, then reads the user and its groups
// back.
func (b *bencher) rawUpdate(ctx context.Context, id int64, q string, args ...any) error {
	if _, err := b.raw.ExecContext(ctx, q, args...); err != nil {
		return err
	}
	return b.rawGet(ctx, id)
}

// rawPage reads the page of users after id last, with their groups, and
// returns how many it read and the last id.
func (b *bencher) rawPage(ctx context.Context, last int64) (int, int64, error) {
	ids, err := b.rawUsers(ctx, "SELECT "+userCols+" FROM users WHERE id > ? ORDER BY id LIMIT ?", last, pageSize)
	if err != nil || len(ids) == 0 {
		return 0, last, err
	}
	return len(ids), ids[len(ids)-1], b.rawGroups(ctx, "ur.user_id IN ("+joinIDs(ids)+")")
}

// rawGroups reads the groups of the users the condition on ur selects.
func (b *bencher) rawGroups(ctx context.Context, cond string, args ...any) error {
	rows, err := b.raw.QueryContext(ctx, "SELECT ur.user_id, r.id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE "+cond+" ORDER BY r.id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid, gid int64
		var name string
		if err := rows.Scan(&uid, &gid, &name); err != nil {
			return err
		}
	}
	return rows.Err()
}
