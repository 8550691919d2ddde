package main

import (
	"context"
	"io"
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
	// raw and sidecar: statements per request. Writes run with autocommit
	// off, so a transaction has no BEGIN. A create is INSERT ...
	// RETURNING, COMMIT, with no query for the groups a new user cannot
	// have; an update is the locked read, UPDATE, COMMIT (the row is
	// known, not read back) and the user's groups; a PATCH that only adds
	// members is one INSERT that autocommits (joining the share-locked
	// group row, on the condition that every id names a user).
	want := map[string][2]float64{
		"create user":        {2, 2},
		"get by id":          {2, 2},
		"filter userName eq": {2, 2},
		"PATCH deactivate":   {3, 4},
		"PUT":                {3, 4},
		"add 50 members":     {1, 1},
		"Okta import":        {4, 4},
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
		if got.raw != w[0] || got.sidecar != w[1] {
			t.Errorf("%s: %v statements per request (raw → sidecar), want %v → %v; the sidecar's first request sent %v", s.name, got, w[0], w[1], got.sequence)
		}
	}
}
