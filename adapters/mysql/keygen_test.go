package mysql

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestGeneratedKeyCollision: a generated key that a row already has is
// replaced by a new one, and the insert succeeds; a source that keeps
// repeating it ends in ErrConflict, not a loop.
func TestGeneratedKeyCollision(t *testing.T) {
	db, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE accounts (id CHAR(8) NOT NULL PRIMARY KEY, login VARCHAR(64) NOT NULL) DEFAULT CHARSET=utf8mb4",
		"INSERT INTO accounts VALUES ('deadbeef', 'old')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	a := New(db, nil)
	if _, err := a.Describe(context.Background(), "accounts"); err != nil {
		t.Fatal(err)
	}
	open := func(src []byte) adapters.Store {
		s, err := a.Store(adapters.TableSpec{Table: "accounts", Key: "id", KeyKind: adapters.KeyGenerated,
			KeyGen:  adapters.Generator{Kind: adapters.GenHex, Length: 8, Rand: bytes.NewReader(src)},
			Columns: []adapters.Column{"id", "login"}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	taken, fresh := []byte{0xde, 0xad, 0xbe, 0xef}, []byte{0xca, 0xfe, 0xba, 0xbe}
	rec, err := open(append(taken, fresh...)).Create(context.Background(), adapters.Record{"login": "new"})
	if err != nil || rec["id"] != "cafebabe" {
		t.Fatalf("create over a taken key: %v, %v; want the next key cafebabe", rec, err)
	}
	var n int
	if err := db.Get(&n, "SELECT COUNT(*) FROM accounts WHERE id = 'deadbeef' AND login = 'old'"); err != nil || n != 1 {
		t.Errorf("the row holding the key changed: %d, %v", n, err)
	}
	_, err = open(bytes.Repeat(taken, maxKeyAttempts+1)).Create(context.Background(), adapters.Record{"login": "unlucky"})
	if !errors.Is(err, adapters.ErrConflict) {
		t.Errorf("a key that stays taken: %v, want ErrConflict", err)
	}
}

// TestGeneratedKeyCollisionCopies: a column that copies the generated key
// (copy: id) holds the key the row was stored with, not the one replaced
// because a row had it.
func TestGeneratedKeyCollisionCopies(t *testing.T) {
	db, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE accounts (id CHAR(8) NOT NULL PRIMARY KEY, login VARCHAR(64) NOT NULL, legacy_id CHAR(8) NOT NULL) DEFAULT CHARSET=utf8mb4",
		"INSERT INTO accounts VALUES ('deadbeef', 'old', 'deadbeef')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	a := New(db, nil)
	if _, err := a.Describe(context.Background(), "accounts"); err != nil {
		t.Fatal(err)
	}
	s, err := a.Store(adapters.TableSpec{Table: "accounts", Key: "id", KeyKind: adapters.KeyGenerated,
		KeyGen:   adapters.Generator{Kind: adapters.GenHex, Length: 8, Rand: bytes.NewReader([]byte{0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe})},
		Columns:  []adapters.Column{"id", "login", "legacy_id"},
		Defaults: []adapters.Default{{Column: "legacy_id", Kind: adapters.DefaultCopy, From: "id"}}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Create(context.Background(), adapters.Record{"login": "new"})
	if err != nil || rec["id"] != "cafebabe" || rec["legacy_id"] != "cafebabe" {
		t.Fatalf("create over a taken key: %v, %v; want id and legacy_id cafebabe", rec, err)
	}
}
