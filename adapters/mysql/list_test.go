package mysql

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// listFixture is a store over a table of n rows with logins u0001 and so
// on, whose statements are recorded.
func listFixture(t *testing.T, n int) (adapters.Store, *recorder, func(q string)) {
	t.Helper()
	db, rec := openRecording(t)
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	exec("CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL, UNIQUE KEY (login)) COLLATE=utf8mb4_general_ci")
	var vals []string
	for i := 1; i <= n; i++ {
		vals = append(vals, fmt.Sprintf("('u%04d')", i))
	}
	exec("INSERT INTO users (login) VALUES " + strings.Join(vals, ","))
	a := New(db, nil)
	if _, err := a.Describe(context.Background(), "users"); err != nil {
		t.Fatal(err)
	}
	st, err := a.Store(adapters.TableSpec{Table: "users", Key: "id", Columns: []adapters.Column{"id", "login"}})
	if err != nil {
		t.Fatal(err)
	}
	return st, rec, exec
}

// logins returns the logins of a page.
func logins(p adapters.Page) []string {
	out := make([]string, len(p.Records))
	for i, r := range p.Records {
		out[i] = fmt.Sprint(r["login"])
	}
	return out
}

// counts returns how many of the statements count rows.
func counts(stmts []string) int {
	n := 0
	for _, s := range stmts {
		if strings.Contains(s, "COUNT(*)") {
			n++
		}
	}
	return n
}

// TestListTotals checks totalResults on every kind of page, and that a
// page which ends the list is read without a count.
func TestListTotals(t *testing.T) {
	st, rec, _ := listFixture(t, 25)
	ctx := context.Background()
	eq := func(v string) adapters.Expr {
		return adapters.Compare{Column: "login", Op: adapters.OpEq, Value: v, Fold: true}
	}
	for _, tc := range []struct {
		name       string
		q          adapters.Query
		total, n   int
		wantCounts int
	}{
		{"a filter matching one row", adapters.Query{Where: eq("U0007"), Limit: 100}, 1, 1, 0},
		{"a filter matching none", adapters.Query{Where: eq("nobody"), Limit: 100}, 0, 0, 0},
		{"every row on one page", adapters.Query{Limit: 100}, 25, 25, 0},
		{"exactly one page", adapters.Query{Limit: 25}, 25, 25, 0},
		{"a first page of several", adapters.Query{Limit: 10}, 25, 10, 1},
		{"the last page", adapters.Query{Offset: 20, Limit: 10}, 25, 5, 0},
		{"past the end", adapters.Query{Offset: 30, Limit: 10}, 25, 0, 1},
		{"only the total", adapters.Query{Where: eq("u0003"), Limit: 0}, 1, 0, 1},
		// The count of the first page above answers, whatever the order.
		{"sorted, a middle page", adapters.Query{Order: []adapters.Order{{Column: "login", Descending: true}}, Offset: 10, Limit: 10}, 25, 10, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.take()
			p, err := st.List(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			stmts := rec.take()
			if p.Total != tc.total || len(p.Records) != tc.n {
				t.Errorf("total %d with %d rows, want %d with %d", p.Total, len(p.Records), tc.total, tc.n)
			}
			if got := counts(stmts); got != tc.wantCounts {
				t.Errorf("%d counts, want %d:\n%s", got, tc.wantCounts, strings.Join(stmts, "\n"))
			}
		})
	}
}

// TestListPagesFromKey pages through a table: every row comes once, in
// order, with the right total; the pages after the first start from the
// key the page before ended with, and are not counted again.
func TestListPagesFromKey(t *testing.T) {
	st, rec, exec := listFixture(t, 95)
	ctx := context.Background()
	var seen []string
	for offset := 0; ; offset += 10 {
		rec.take()
		p, err := st.List(ctx, adapters.Query{Offset: offset, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		stmts := rec.take()
		if p.Total != 95 {
			t.Fatalf("page at %d: total %d, want 95", offset, p.Total)
		}
		if offset > 0 {
			if counts(stmts) != 0 {
				t.Errorf("page at %d counted the rows again:\n%s", offset, strings.Join(stmts, "\n"))
			}
			if !strings.Contains(stmts[0], "`id` > ?") || !strings.HasSuffix(stmts[0], " 11 0]") {
				t.Errorf("page at %d did not start from the key the page before ended with:\n%s", offset, stmts[0])
			}
		}
		seen = append(seen, logins(p)...)
		if len(p.Records) < 10 {
			break
		}
	}
	if len(seen) != 95 || seen[0] != "u0001" || seen[94] != "u0095" {
		t.Fatalf("paging read %d rows, from %s to %s", len(seen), seen[0], seen[len(seen)-1])
	}

	// A row removed before the next page by the application shifts
	// OFFSET; the next page still starts after the last row served.
	if _, err := st.List(ctx, adapters.Query{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	exec("DELETE FROM users WHERE login = 'u0003'")
	p, err := st.List(ctx, adapters.Query{Offset: 10, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := logins(p); got[0] != "u0011" {
		t.Errorf("after a deletion before it, the second page starts at %s, want u0011", got[0])
	}

	// A write through the adapter makes the count stale at once.
	if _, err := st.Create(ctx, adapters.Record{"login": "u0096"}); err != nil {
		t.Fatal(err)
	}
	rec.take()
	p, err = st.List(ctx, adapters.Query{Offset: 20, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if counts(rec.take()) != 1 || p.Total != 95 {
		t.Errorf("after a create: total %d, want 95 (one deleted, one created), counted again", p.Total)
	}
}

// TestPageEnds checks the bookkeeping of page ends: the closest end before
// an offset answers, and a query keeps at most maxEnds of them, the
// newest.
func TestPageEnds(t *testing.T) {
	var writes atomic.Uint64
	p := newPages(&writes)
	for _, off := range []int{300, 100, 200} {
		p.ended("q", off, off*10)
	}
	for _, tc := range []struct{ offset, want int }{{50, -1}, {100, 100}, {250, 200}, {1000, 300}} {
		e, ok := p.end("q", tc.offset)
		if !ok {
			e.offset = -1
		}
		if e.offset != tc.want || (ok && e.key != tc.want*10) {
			t.Errorf("end before %d: %d (%v), want %d", tc.offset, e.offset, e.key, tc.want)
		}
	}
	for i := range maxEnds + 10 {
		p.ended("q", 1000+i, i)
	}
	if n := len(p.queries["q"].ends); n != maxEnds {
		t.Errorf("%d ends kept, want %d", n, maxEnds)
	}
	if e, ok := p.end("q", 150); ok {
		t.Errorf("the oldest ends were kept: %+v", e)
	}
	if !slices.IsSortedFunc(p.queries["q"].ends, func(a, b pageEnd) int { return a.offset - b.offset }) {
		t.Error("ends out of order")
	}

	p.counted("q", 42, writes.Load())
	if n, ok := p.total("q"); !ok || n != 42 {
		t.Errorf("total %d, %v; want 42", n, ok)
	}
	writes.Add(1)
	if _, ok := p.total("q"); ok {
		t.Error("a count taken before a write still answers")
	}
}
