package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// report is what a soak run found.
type report struct {
	opts    options
	db      string
	server  string
	started time.Time
	elapsed time.Duration

	ops       map[string]*stats
	all       []time.Duration
	requests  int
	statuses  map[int]int
	fivexx    int
	unexpect  int
	transport int

	heapPeak                                          uint64
	rssPeak                                           uint64
	goroutinesBefore, goroutinesAfter, goroutinesPeak int
	goroutinesBaseline, goroutinesStopped             int
	connsBefore, connsAfter                           int
	logErrors                                         int64
	logSample                                         []string
	// goroutineDump is every goroutine's stack, when some leaked.
	goroutineDump                               string
	acked, stored, duplicates, orphans, deleted int
	problems                                    []string
}

// add merges one client's results.
func (r *report) add(c *client) {
	if r.ops == nil {
		r.ops, r.statuses = map[string]*stats{}, map[int]int{}
	}
	for name, st := range c.ops {
		m := r.ops[name]
		if m == nil {
			m = &stats{statuses: map[int]int{}}
			r.ops[name] = m
		}
		for s, n := range st.statuses {
			m.statuses[s] += n
			r.statuses[s] += n
			r.requests += n
			if s >= 500 {
				r.fivexx += n
			}
		}
		m.unexpected += st.unexpected
		m.transport += st.transport
		r.unexpect += st.unexpected
		r.transport += st.transport
		r.requests += st.transport
		m.latencies = append(m.latencies, st.latencies...)
		r.all = append(r.all, st.latencies...)
		if m.example == "" {
			m.example = st.example
		}
	}
}

// check verifies the database after the load: every acknowledged create
// is stored under its userName, no userName is there twice (in any case),
// no membership names a user that does not exist, and every user an
// acknowledged DELETE deactivated is inactive.
func (r *report) check(ctx context.Context, db *sql.DB, clients []*client) {
	want := map[string]string{}
	var deleted []user
	for _, c := range clients {
		for _, u := range c.created {
			want[u.id] = u.name
		}
		for _, u := range c.deleted {
			want[u.id] = u.name
		}
		deleted = append(deleted, c.deleted...)
	}
	r.acked = len(want)
	rows, err := db.QueryContext(ctx, "SELECT id, login FROM users WHERE login LIKE 'soak-%'")
	if err != nil {
		r.problems = append(r.problems, "reading users: "+err.Error())
		return
	}
	got := map[string]string{}
	for rows.Next() {
		var id, login string
		if err := rows.Scan(&id, &login); err != nil {
			r.problems = append(r.problems, err.Error())
		}
		got[id] = login
	}
	rows.Close()
	for id, name := range want {
		if got[id] == name {
			r.stored++
		} else {
			r.problems = append(r.problems, fmt.Sprintf("acknowledged user %s (%s) is stored as %q", id, name, got[id]))
		}
	}
	if len(got) != len(want) {
		r.problems = append(r.problems, fmt.Sprintf("%d soak users stored, %d acknowledged", len(got), len(want)))
	}
	queries := []struct {
		into *int
		q    string
	}{
		{&r.duplicates, "SELECT COUNT(*) FROM (SELECT LOWER(login) FROM users GROUP BY LOWER(login) HAVING COUNT(*) > 1) d"},
		{&r.orphans, "SELECT COUNT(*) FROM user_roles m LEFT JOIN users u ON u.id = m.user_id LEFT JOIN roles g ON g.id = m.role_id WHERE u.id IS NULL OR g.id IS NULL"},
	}
	for _, c := range queries {
		if err := db.QueryRowContext(ctx, c.q).Scan(c.into); err != nil {
			r.problems = append(r.problems, err.Error())
		}
	}
	for _, u := range deleted {
		var status string
		if err := db.QueryRowContext(ctx, "SELECT status FROM users WHERE id = ?", u.id).Scan(&status); err == nil && status == "disabled" {
			r.deleted++
		} else {
			r.problems = append(r.problems, fmt.Sprintf("user %s was deleted (deactivated) but its status is %q", u.id, status))
		}
	}
}

// failures lists why the run fails, if it does.
func (r *report) failures() []string {
	var f []string
	if r.fivexx > 0 {
		f = append(f, fmt.Sprintf("%d responses were 5xx", r.fivexx))
	}
	if r.unexpect > 0 {
		f = append(f, fmt.Sprintf("%d responses had an unexpected status", r.unexpect))
	}
	if r.transport > 0 {
		f = append(f, fmt.Sprintf("%d requests failed in transport", r.transport))
	}
	if r.goroutinesAfter-r.connsAfter > r.goroutinesBefore-r.connsBefore {
		f = append(f, fmt.Sprintf("goroutines leaked: %d before the load (%d database connections), %d after (%d)",
			r.goroutinesBefore, r.connsBefore, r.goroutinesAfter, r.connsAfter))
	}
	if r.goroutinesStopped > r.goroutinesBaseline {
		f = append(f, fmt.Sprintf("goroutines left after shutdown: %d, %d before start", r.goroutinesStopped, r.goroutinesBaseline))
	}
	if r.logErrors > 0 {
		f = append(f, fmt.Sprintf("the sidecar logged %d errors", r.logErrors))
	}
	if r.duplicates > 0 || r.orphans > 0 {
		f = append(f, fmt.Sprintf("%d duplicate userNames, %d orphan memberships", r.duplicates, r.orphans))
	}
	return append(f, r.problems...)
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func statusList(m map[int]int) string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d: %d", s, m[s]))
	}
	return strings.Join(parts, ", ")
}

func (r *report) print(w io.Writer) {
	slices.Sort(r.all)
	dropped := "dropped"
	if r.opts.keep {
		dropped = "kept"
	}
	fmt.Fprintf(w, "scimbridge soak: %s, %d clients, server %s, database %s (%s), %d users and %d groups before the load\n\n",
		r.elapsed.Round(time.Second), r.opts.clients, r.server, r.db, dropped, r.opts.users, r.opts.groups)
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "requests           %d (%.0f/s)\n", r.requests, float64(r.requests)/secs)
	fmt.Fprintf(w, "  by status        %s\n", statusList(r.statuses))
	fmt.Fprintf(w, "  5xx              %d\n", r.fivexx)
	fmt.Fprintf(w, "  unexpected       %d (a status the operation should not get)\n", r.unexpect)
	fmt.Fprintf(w, "  transport errors %d\n", r.transport)
	fmt.Fprintf(w, "latency            p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
		ms(percentile(r.all, .5)), ms(percentile(r.all, .9)), ms(percentile(r.all, .99)), ms(percentile(r.all, .999)), ms(percentile(r.all, 1)))
	fmt.Fprintf(w, "\n%-18s %8s %9s %9s %9s  %s\n", "operation", "requests", "p50", "p99", "max", "statuses")
	for _, o := range workload {
		st := r.ops[o.name]
		if st == nil {
			continue
		}
		slices.Sort(st.latencies)
		extra := ""
		if st.unexpected+st.transport > 0 {
			extra = fmt.Sprintf("  (%d unexpected, %d transport errors; first: %s)", st.unexpected, st.transport, st.example)
		}
		fmt.Fprintf(w, "%-18s %8d %9s %9s %9s  %s%s\n", o.name, len(st.latencies),
			ms(percentile(st.latencies, .5)), ms(percentile(st.latencies, .99)), ms(percentile(st.latencies, 1)), statusList(st.statuses), extra)
	}
	fmt.Fprintf(w, "\nmemory             heap in use: peak %s; resident set high-water mark (VmHWM): %s (sidecar and load generator share the process)\n", mib(r.heapPeak), mib(r.rssPeak))
	fmt.Fprintf(w, "goroutines         idle sidecar: %d before the load, %d after it (peak %d during it); database pool: %d connections before, %d after\n",
		r.goroutinesBefore, r.goroutinesAfter, r.goroutinesPeak, r.connsBefore, r.connsAfter)
	fmt.Fprintf(w, "                   after shutdown: %d (%d before the sidecar started)\n", r.goroutinesStopped, r.goroutinesBaseline)
	fmt.Fprintf(w, "sidecar log        %d ERROR lines\n", r.logErrors)
	for _, l := range r.logSample {
		fmt.Fprintf(w, "                   %s\n", l)
	}
	if r.goroutineDump != "" {
		fmt.Fprintf(w, "\ngoroutines of the idle sidecar after the load:\n%s\n", r.goroutineDump)
	}
	fmt.Fprintf(w, "database           %d acknowledged creates, %d stored as acknowledged; %d duplicate userNames; %d orphan memberships; %d deleted users inactive\n",
		r.acked, r.stored, r.duplicates, r.orphans, r.deleted)
}
