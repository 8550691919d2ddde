package mysql

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestReadyOnServer checks that Ready's query runs on the server of the
// tests, which takes writes: on MariaDB the query with the Galera
// variables, elsewhere read_only alone.
func TestReadyOnServer(t *testing.T) {
	db, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := New(db, nil)
	for range 2 {
		if err := a.Ready(context.Background()); err != nil {
			t.Fatalf("Ready: %v", err)
		}
	}
	if !mysqltest.Embedded() && a.readyPlain.Load() {
		t.Error("MariaDB answered only read_only: the Galera variables are not read")
	}
}
