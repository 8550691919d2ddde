package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// measure is one line of the growth table: an operation timed at every
// directory size.
type measure struct {
	name  string
	limit float64 // the most the largest size may cost, as a multiple of the smallest; 0: no target
	op    func(ctx context.Context, size int) func(ctx context.Context, w *worker, i int) error
	n     func(size int) int
	// whole asks for every request to run, whatever -d says: a list
	// page's mean is over whole passes through the directory.
	whole  bool
	costs  []time.Duration // mean latency at each size
	counts []int
}

// growth fills the directory to each size in turn and measures, with one
// client so that the latency is the cost, a filter, a list page and a
// membership change, through the sidecar and by raw SQL.
func (b *bencher) growth(ctx context.Context) error {
	var group int64
	var members int // users 0 to members-1 are in group; the others are spare
	gn := b.o.growthN
	sidecarFilter := func(_ context.Context, size int) func(context.Context, *worker, int) error {
		return func(ctx context.Context, _ *worker, i int) error {
			return b.filter(ctx, fmt.Sprintf("user%07d", (i*7919)%size), 1)
		}
	}
	rawFilter := func(_ context.Context, size int) func(context.Context, *worker, int) error {
		return func(ctx context.Context, _ *worker, i int) error {
			login := fmt.Sprintf("user%07d", (i*7919)%size)
			n, err := b.rawFilter(ctx, login)
			if err == nil && n != 1 {
				err = fmt.Errorf("filter %s: %d users", login, n)
			}
			return err
		}
	}
	sidecarPage := func(_ context.Context, size int) func(context.Context, *worker, int) error {
		return func(ctx context.Context, w *worker, _ int) error {
			n, err := b.page(ctx, int(w.state)+1, size)
			w.state += pageSize
			if n < pageSize {
				w.state = 0
			}
			return err
		}
	}
	firstPage := func(_ context.Context, size int) func(context.Context, *worker, int) error {
		return func(ctx context.Context, _ *worker, _ int) error {
			_, err := b.page(ctx, 1, size)
			return err
		}
	}
	rawPage := func(_ context.Context, _ int) func(context.Context, *worker, int) error {
		return func(ctx context.Context, w *worker, _ int) error {
			n, last, err := b.rawPage(ctx, w.state)
			w.state = last
			if n < pageSize {
				w.state = 0
			}
			return err
		}
	}
	// Membership: request 2j adds batch j of the spare users, request
	// 2j+1 removes it again, so the group keeps its size.
	spareBatch := func(size, i int) []int64 {
		batches := (size - members) / memberBatch
		j := (i / 2) % batches
		out := make([]int64, memberBatch)
		for k := range out {
			out[k] = b.first + int64(members+j*memberBatch+k)
		}
		return out
	}
	sidecarMembers := func(_ context.Context, size int) func(context.Context, *worker, int) error {
		return func(ctx context.Context, _ *worker, i int) error {
			body := addMembersBody(spareBatch(size, i))
			if i%2 == 1 {
				body = []byte(strings.Replace(string(body), `"op":"add"`, `"op":"remove"`, 1))
			}
			_, err := b.http.do(ctx, "PATCH", "/Groups/"+strconv.FormatInt(group, 10), body, http.StatusNoContent, false)
			return err
		}
	}
	rawMembers := func(_ context.Context, size int) func(context.Context, *worker, int) error {
		return func(ctx context.Context, _ *worker, i int) error {
			batch := spareBatch(size, i)
			var q strings.Builder
			if i%2 == 0 {
				q.WriteString("INSERT INTO user_roles (user_id, role_id) VALUES ")
				for k, u := range batch {
					if k > 0 {
						q.WriteByte(',')
					}
					fmt.Fprintf(&q, "(%d,%d)", u, group)
				}
			} else {
				q.WriteString("DELETE FROM user_roles WHERE role_id = " + strconv.FormatInt(group, 10) + " AND user_id IN (" + joinIDs(batch) + ")")
			}
			res, err := b.raw.ExecContext(ctx, q.String())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != memberBatch {
				return fmt.Errorf("membership change touched %d rows, want %d", n, memberBatch)
			}
			return nil
		}
	}
	fixed := func(int) int { return gn }
	// even makes every add of a membership measure followed by its remove.
	even := func(int) int { return (gn + 1) &^ 1 }
	// passes is enough whole passes through the directory for gn pages.
	passes := func(size int) int {
		per := (size + pageSize) / pageSize // the last page is short, or empty
		return (gn + per - 1) / per * per
	}
	measures := []*measure{
		{name: "filter userName eq", limit: 1.3, op: sidecarFilter, n: fixed},
		{name: "list page, count=100", limit: 1.3, op: sidecarPage, n: passes, whole: true},
		{name: "PATCH 50 members", limit: 1.3, op: sidecarMembers, n: even},
		{name: "first list page", op: firstPage, n: func(int) int { return max(10, gn/10) }},
		{name: "raw: filter", op: rawFilter, n: fixed},
		{name: "raw: keyset page", op: rawPage, n: passes, whole: true},
		{name: "raw: INSERT/DELETE 50", op: rawMembers, n: even},
	}
	for _, size := range b.o.sizes {
		start := time.Now()
		if err := b.db.truncate(ctx); err != nil {
			return err
		}
		var err error
		if b.first, err = b.db.fillUsers(ctx, 0, size); err != nil {
			return err
		}
		members = size / 2
		ids, err := b.db.createGroups(ctx, "growth")
		if err != nil {
			return err
		}
		group = ids[0]
		if err := b.db.addMembers(ctx, group, b.first, members); err != nil {
			return err
		}
		if err := b.db.analyze(ctx); err != nil {
			return err
		}
		fmt.Fprintf(b.out, "growth: %d users, a group of %d, set up in %v\n", size, members, time.Since(start).Round(time.Millisecond))
		for _, m := range measures {
			if b.o.only != nil && !b.o.only.MatchString(m.name) {
				m.costs = append(m.costs, 0)
				m.counts = append(m.counts, 0)
				continue
			}
			d := b.o.duration
			if m.whole {
				d = time.Hour
			}
			r, err := load(ctx, 1, m.n(size), d, 0, m.op(ctx, size))
			if err != nil {
				return fmt.Errorf("growth, %s at %d users: %w", m.name, size, err)
			}
			m.costs = append(m.costs, r.mean())
			m.counts = append(m.counts, r.requests)
		}
	}

	fmt.Fprintf(b.out, "\ncost as the directory grows (mean latency, one client)\n%-26s", "measure")
	for _, size := range b.o.sizes {
		fmt.Fprintf(b.out, " %10s", thousands(size))
	}
	fmt.Fprintf(b.out, " | %6s  %s\n", "growth", "target")
	last := len(b.o.sizes) - 1
	for _, m := range measures {
		if m.costs[0] == 0 {
			continue
		}
		fmt.Fprintf(b.out, "%-26s", m.name)
		for _, c := range m.costs {
			fmt.Fprintf(b.out, " %10s", ms(c))
		}
		g := float64(m.costs[last]) / float64(m.costs[0])
		verdict := ""
		if m.limit > 0 && last > 0 {
			verdict = fmt.Sprintf("<= %.1fx ", m.limit)
			if g <= m.limit {
				verdict += "met"
			} else {
				verdict += "NOT met"
			}
		}
		fmt.Fprintf(b.out, " | %5.2fx  %s\n", g, verdict)
	}
	fmt.Fprintf(b.out, "(list page: the mean over paging through every user from startIndex=1; first list page: startIndex=1 alone)\n\n")
	return nil
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
