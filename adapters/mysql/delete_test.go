package mysql

import (
	"context"
	"errors"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestDeleteCheckHoldsTheLock: Delete's check (an If-Match) runs on the
// row the delete has locked, so no write can come between the check and
// the delete; an error from the check deletes nothing.
func TestDeleteCheckHoldsTheLock(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "no row locks")
	s, db := newTestStore(t, accountsSchema, accountsSpec)
	ctx := context.Background()
	refused := errors.New("precondition failed")
	_, err := s.Delete(ctx, "2", func(r adapters.Record) error {
		if r["login_ci"] != "bob" {
			t.Errorf("check saw %v", r)
		}
		// Another session cannot change the row meanwhile: its update
		// waits for the lock and gives up.
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SET SESSION innodb_lock_wait_timeout = 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "UPDATE accounts SET ext = 'changed' WHERE id = 2"); err == nil {
			t.Error("another session changed the row while the delete held it")
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Delete returned %v, want the check's error", err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM accounts WHERE id = 2 AND ext = 'x1'").Scan(&n); err != nil || n != 1 {
		t.Errorf("row after the refused delete: %d %v", n, err)
	}
	if _, err := s.Delete(ctx, "2", func(adapters.Record) error { return nil }); err != nil {
		t.Fatalf("delete with a passing check: %v", err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM accounts WHERE id = 2").Scan(&n); err != nil || n != 0 {
		t.Errorf("row after the delete: %d %v", n, err)
	}
}
