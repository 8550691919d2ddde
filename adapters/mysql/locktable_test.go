package mysql

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestLockRows: with uniquenessLocks: table, a create or rename to a unique
// value writes the value's lock row (one row per value as the collation
// compares it, taken again on each use), and two stores (two sidecars)
// creating case variants of one name at once store it once. Without the
// lock table the store refuses to start.
func TestLockRows(t *testing.T) {
	dsn := mysqltest.NewDatabase(t)
	setup := galeraAdapter(t, dsn, "")
	if _, err := setup.db.Exec("CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(64) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"); err != nil {
		t.Fatal(err)
	}
	spec := adapters.TableSpec{Table: "users", Key: "id", Columns: []adapters.Column{"id", "login"},
		Uniques: []adapters.Unique{{Column: "login", Fold: true}}}
	ctx := context.Background()
	missing := galeraAdapter(t, dsn, LocksTableMode)
	if _, err := missing.Describe(ctx, "users"); err != nil {
		t.Fatal(err)
	}
	if _, err := missing.Store(spec); err == nil || !strings.Contains(err.Error(), LocksTable) {
		t.Errorf("lock rows without their table: %v, want an error naming %s", err, LocksTable)
	}
	if _, err := setup.db.Exec(LocksTableSQL); err != nil {
		t.Fatal(err)
	}
	_, stores := galeraStores(t, []string{dsn, dsn}, spec, LocksTableMode)
	if _, err := stores[0].Create(ctx, adapters.Record{"login": "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[1].Create(ctx, adapters.Record{"login": "ALICE"}); !errors.Is(err, adapters.ErrConflict) {
		t.Fatalf("ALICE after alice: %v, want ErrConflict", err)
	}
	// Created again once alice is gone: the same lock row, used twice.
	if _, err := setup.db.Exec("DELETE FROM users"); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[1].Create(ctx, adapters.Record{"login": "ALICE"}); err != nil {
		t.Fatal(err)
	}
	var rows, uses int
	if err := setup.db.QueryRow("SELECT COUNT(*), COALESCE(SUM(uses), 0) FROM "+LocksTable).Scan(&rows, &uses); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || uses != 2 {
		t.Errorf("lock rows after alice and ALICE: %d rows used %d times, want 1 row used twice", rows, uses)
	}
	if mysqltest.Embedded() {
		return // the embedded engine has no row locks to wait on
	}
	names := []string{"bob", "BOB", "Bob", "bOB"}
	for trial := range 8 {
		if _, err := setup.db.Exec("DELETE FROM users WHERE login <> 'ALICE'"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(names))
		for i, n := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = stores[i%2].Create(ctx, adapters.Record{"login": n})
			}()
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, adapters.ErrConflict):
				t.Fatalf("trial %d: %v", trial, err)
			}
		}
		var n int
		if err := setup.db.QueryRow("SELECT COUNT(*) FROM users WHERE login = 'bob'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if created != 1 || n != 1 {
			t.Fatalf("trial %d: %d created, %d rows; want 1", trial, created, n)
		}
	}
}

// TestLocksTableSQLFile: the SQL file the README tells operators to run
// creates the table the adapter writes.
func TestLocksTableSQLFile(t *testing.T) {
	b, err := os.ReadFile("../../deploy/galera/scimbridge_locks.sql")
	if err != nil {
		t.Fatal(err)
	}
	var stmt []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "--") && strings.TrimSpace(l) != "" {
			stmt = append(stmt, l)
		}
	}
	if got := strings.TrimSuffix(strings.Join(stmt, "\n"), ";"); got != LocksTableSQL {
		t.Errorf("deploy/galera/scimbridge_locks.sql holds\n%s\nwant LocksTableSQL:\n%s", got, LocksTableSQL)
	}
}
