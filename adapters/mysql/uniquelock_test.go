package mysql

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// collationPairs are names a collation may call equal while lower-casing
// in Go does not: a trailing space (PAD SPACE, even utf8mb4_bin on
// MariaDB), final and medial sigma, long s, dotless i, composed and
// decomposed é, sharp s, fullwidth letters.
var collationPairs = [][2]string{
	{"bob", "bob "}, {"σx", "ςx"}, {"sam", "ſam"}, {"kiwi", "kıwı"},
	{"caf\u00e9", "cafe\u0301"}, {"ß", "ss"}, {"ｂｏｂ", "bob"},
}

// TestConcurrentCreatesOneNameUnderCollation creates, through two stores
// with separate pools (two replicas) on a table without a unique index,
// two names its collation calls equal, at once and many times over: each
// time exactly one is created and the other is a conflict, because both
// take the one named lock the server derives from the collation's weight
// of the name. Created one after the other, the second is a conflict too.
func TestConcurrentCreatesOneNameUnderCollation(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the embedded engine has neither these collations nor WEIGHT_STRING")
	dsn := mysqltest.NewDatabase(t)
	open := func() *Adapter {
		db, err := sqlx.Open("mysql", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return New(db, nil)
	}
	a1, a2 := open(), open()
	ctx := context.Background()
	// The pairs each collation calls equal, as MariaDB 10.11 compares
	// (utf8mb4_bin only pads; general_ci folds ſ and ı but not ß or
	// decomposed é).
	want := map[string][]int{
		"utf8mb4_general_ci":     {0, 1, 2, 3},
		"utf8mb4_unicode_ci":     {0, 1, 2, 4, 5, 6},
		"utf8mb4_unicode_520_ci": {0, 1, 2, 4, 5, 6},
		"utf8mb4_bin":            {0},
	}
	const trials = 8
	for _, coll := range []string{"utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_unicode_520_ci", "utf8mb4_bin"} {
		t.Run(coll, func(t *testing.T) {
			table := adapters.Table("u_" + coll)
			if _, err := a1.db.Exec(fmt.Sprintf("CREATE TABLE `%s` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(64) COLLATE %s NOT NULL) DEFAULT CHARSET=utf8mb4", table, coll)); err != nil {
				t.Fatal(err)
			}
			spec := adapters.TableSpec{Table: table, Key: "id", Columns: []adapters.Column{"id", "login"},
				Uniques: []adapters.Unique{{Column: "login", Fold: true}}}
			var stores [2]adapters.Store
			for i, a := range []*Adapter{a1, a2} {
				if _, err := a.Describe(ctx, table); err != nil {
					t.Fatal(err)
				}
				st, err := a.Store(spec)
				if err != nil {
					t.Fatal(err)
				}
				stores[i] = st
			}
			clear := func() {
				if _, err := a1.db.Exec(fmt.Sprintf("DELETE FROM `%s`", table)); err != nil {
					t.Fatal(err)
				}
			}
			var equal []int
			for i, p := range collationPairs {
				clear()
				if _, err := stores[0].Create(ctx, adapters.Record{"login": p[0]}); err != nil {
					t.Fatal(err)
				}
				_, err := stores[1].Create(ctx, adapters.Record{"login": p[1]})
				switch {
				case errors.Is(err, adapters.ErrConflict):
					equal = append(equal, i)
				case err != nil:
					t.Fatalf("%q after %q: %v", p[1], p[0], err)
				}
			}
			if !slices.Equal(equal, want[coll]) {
				t.Errorf("pairs called equal, one after the other: %v, want %v", equal, want[coll])
			}
			for _, i := range want[coll] {
				p := collationPairs[i]
				for trial := range trials {
					clear()
					var errs [2]error
					var wg sync.WaitGroup
					start := make(chan struct{})
					for j := range 2 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							<-start
							_, errs[j] = stores[j].Create(ctx, adapters.Record{"login": p[(j+trial)%2]})
						}()
					}
					close(start)
					wg.Wait()
					created := 0
					for _, err := range errs {
						switch {
						case err == nil:
							created++
						case !errors.Is(err, adapters.ErrConflict):
							t.Fatalf("%q and %q: %v", p[0], p[1], err)
						}
					}
					var rows int
					if err := a1.db.Get(&rows, fmt.Sprintf("SELECT COUNT(*) FROM `%s`", table)); err != nil {
						t.Fatal(err)
					}
					if created != 1 || rows != 1 {
						t.Fatalf("%q and %q created at once (trial %d): %d created, %d rows; want one and a conflict", p[0], p[1], trial, created, rows)
					}
				}
			}
		})
	}
}
