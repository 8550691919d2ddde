package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestStatementsPerRequest pins the statements (each one round trip) that
// a request of every scenario sends to MariaDB, counted on the wire as
// make bench counts them, so that a change that adds one fails here and
// not only in a benchmark nobody reads. The baseline's counts check the
// counter itself.
func TestStatementsPerRequest(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the counts are those of MariaDB 10.5 or later (INSERT ... RETURNING, unique indexes that collate); the embedded engine takes other paths")
	ctx := context.Background()
	db, err := createScratch(ctx, serverDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.drop(); err != nil {
			t.Error(err)
		}
	}()
	if err := db.createSchema(ctx); err != nil {
		t.Fatal(err)
	}
	b := &bencher{o: &options{conc: 1, users: 200}, db: db, out: io.Discard}
	if err := b.setupDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	stop, err := b.startCounting(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	// raw and sidecar: statements and round trips per request. Writes run
	// with autocommit off, so a transaction has no BEGIN; the sidecar's
	// UPDATE carries its COMMIT, and its read of one user by id the query
	// of the user's groups. A create is INSERT ... RETURNING, then COMMIT
	// (on its own: see txn.execCommit), with no query for the groups a new
	// user cannot have; a get is the row with its groups; an update is the
	// locked read with the groups, then UPDATE with COMMIT (the row is
	// known, not read back); a PATCH that only adds members is one INSERT
	// that autocommits (joining the share-locked group row, on the
	// condition that every id names a user), one that only removes listed
	// members one DELETE that autocommits. A filter needs the users' keys
	// before their groups: two round trips.
	want := map[string]stmtCount{
		"create user":        {raw: 2, rawTrips: 2, sidecar: 2, sidecarTrips: 2},
		"get by id":          {raw: 2, rawTrips: 2, sidecar: 2, sidecarTrips: 1},
		"filter userName eq": {raw: 2, rawTrips: 2, sidecar: 2, sidecarTrips: 2},
		"PATCH deactivate":   {raw: 3, rawTrips: 3, sidecar: 4, sidecarTrips: 2},
		"PUT":                {raw: 3, rawTrips: 3, sidecar: 4, sidecarTrips: 2},
		"add 50 members":     {raw: 1, rawTrips: 1, sidecar: 1, sidecarTrips: 1},
		"remove 50 members":  {raw: 1, rawTrips: 1, sidecar: 1, sidecarTrips: 1},
		"Okta import":        {raw: 4, rawTrips: 4, sidecar: 4, sidecarTrips: 4},
	}
	scenarios := b.scenarios()
	for _, s := range scenarios {
		if s.name == "get by id" || s.name == "create user" {
			// Open the connections of the pools of reads and of writes,
			// whose set-up is no request's.
			if _, err := b.statements(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, s := range scenarios {
		w, ok := want[s.name]
		if !ok {
			continue // a list page counts its rows now and then
		}
		got, err := b.statements(ctx, s)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got.counts() != w.counts() {
			t.Errorf("%s: %v statements/round trips per request (raw → sidecar), want %v; the sidecar's first request sent %v", s.name, got, w, got.sequence)
		}
	}
}

// TestFirstWords checks how the counter splits a query text into
// statements: at semicolons, but not at those inside strings (escaped or
// doubled quotes included) or quoted identifiers.
func TestFirstWords(t *testing.T) {
	for q, want := range map[string]string{
		"SELECT 1":            "SELECT",
		"  start transaction": "BEGIN",
		"UPDATE t SET a = 'x;y' WHERE id = 1; COMMIT": "UPDATE+COMMIT",
		`UPDATE t SET a = 'it\'s; "' ; COMMIT`:        "UPDATE+COMMIT",
		"UPDATE t SET a = 'it''s;' ;COMMIT;":          "UPDATE+COMMIT",
		"SELECT `a;b` FROM t; SELECT \"c;\"":          "SELECT+SELECT",
		"":                                            "",
	} {
		if got := strings.Join(firstWords([]byte(q)), "+"); got != want {
			t.Errorf("firstWords(%q) = %q, want %q", q, got, want)
		}
	}
}
