package mysql

import (
	"context"
	"database/sql"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestSessionReadCommitted checks that the pool Config.Open makes runs
// every session at READ COMMITTED, so that transactions can start with a
// plain BEGIN.
func TestSessionReadCommitted(t *testing.T) {
	cfg := &Config{DSN: adapters.Secret{Value: mysqltest.NewDatabase(t)}}
	ad, err := cfg.Open(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ad.Close()
	a := ad.(*Adapter)
	if !a.readCommitted {
		t.Error("Config.Open did not mark the pool as READ COMMITTED")
	}
	db := a.DB()
	db.SetMaxOpenConns(3)
	// Every connection, not only the first.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		if conns[i], err = db.Conn(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
	}
	for i, c := range conns {
		var level string
		// MySQL 8 knows only transaction_isolation, MariaDB before 11.1
		// only tx_isolation.
		err := c.QueryRowContext(context.Background(), "SELECT @@transaction_isolation").Scan(&level)
		if err != nil {
			err = c.QueryRowContext(context.Background(), "SELECT @@tx_isolation").Scan(&level)
		}
		if err != nil {
			t.Fatal(err)
		}
		if level != "READ-COMMITTED" {
			t.Errorf("connection %d: isolation %s, want READ-COMMITTED", i, level)
		}
	}
}
