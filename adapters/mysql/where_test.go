package mysql

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

func newTestStore(t *testing.T, schema string, spec adapters.TableSpec) (*store, *sqlx.DB) {
	t.Helper()
	db, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	a := New(db, nil)
	if _, err := a.Describe(context.Background(), spec.Table); err != nil {
		t.Fatal(err)
	}
	st, err := a.Store(spec)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*store), db
}

const accountsSchema = `CREATE TABLE accounts (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login_ci VARCHAR(100) COLLATE utf8mb4_general_ci NOT NULL,
  login_bin VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  ext VARCHAR(100) COLLATE utf8mb4_general_ci NULL,
  UNIQUE KEY accounts_login_ci (login_ci),
  KEY accounts_login_bin (login_bin),
  KEY accounts_ext (ext)
) DEFAULT CHARSET=utf8mb4;
INSERT INTO accounts (login_ci, login_bin, ext) VALUES
  ('Alice', 'Alice', 'X1'), ('bob', 'bob', 'x1'), ('50%_off', '50%_off', NULL), ('a!b', 'a!b', 'x!');`

var accountsSpec = adapters.TableSpec{Table: "accounts", Key: "id", Columns: []adapters.Column{"id", "login_ci", "login_bin", "ext"}}

// TestCompareSemantics runs each comparison on the server and checks which
// rows match: case folding whatever the collation, exact comparison on a
// case-insensitive column, literal % _ and ! in patterns, and two-valued
// logic around NULL.
func TestCompareSemantics(t *testing.T) {
	s, db := newTestStore(t, accountsSchema, accountsSpec)
	cases := []struct {
		e    adapters.Expr
		want string
	}{
		{adapters.Compare{Column: "login_ci", Op: adapters.OpEq, Value: "ALICE", Fold: true}, "1"},
		{adapters.Compare{Column: "login_bin", Op: adapters.OpEq, Value: "ALICE", Fold: true}, "1"},
		{adapters.Compare{Column: "login_bin", Op: adapters.OpEq, Value: "ALICE"}, ""},
		{adapters.Compare{Column: "ext", Op: adapters.OpEq, Value: "x1"}, "2"},
		{adapters.Compare{Column: "ext", Op: adapters.OpEq, Value: "x1", Fold: true}, "1,2"},
		{adapters.Compare{Column: "login_ci", Op: adapters.OpCo, Value: "%_", Fold: true}, "3"},
		{adapters.Compare{Column: "login_bin", Op: adapters.OpSw, Value: "A", Fold: true}, "1,4"},
		{adapters.Compare{Column: "login_ci", Op: adapters.OpEw, Value: "!B", Fold: true}, "4"},
		{adapters.Compare{Column: "ext", Op: adapters.OpNe, Value: "x1"}, "1,3,4"},
		{adapters.Not{X: adapters.Compare{Column: "ext", Op: adapters.OpPr}}, "3"},
		{adapters.Or{Left: adapters.Compare{Column: "ext", Op: adapters.OpEq, Value: "X1"}, Right: adapters.Not{X: adapters.Compare{Column: "ext", Op: adapters.OpCo, Value: "x"}}}, "1,3"},
		{adapters.Compare{Column: "login_ci", Op: adapters.OpGt, Value: "b", Fold: true}, "2"},
		{adapters.Compare{Column: "ext", Op: adapters.OpEq, Value: "' OR 1=1 -- "}, ""},
	}
	for _, c := range cases {
		var b builder
		if err := s.expr(&b, c.e); err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := db.Select(&got, "SELECT CAST(id AS CHAR) FROM accounts WHERE "+b.sql.String()+" ORDER BY id", b.args...); err != nil {
			t.Fatalf("%#v: %v", c.e, err)
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%#v\n  %s %v\n  matched %v, want %s", c.e, b.sql.String(), b.args, got, c.want)
		}
	}
}

// TestEqUsesIndex shows with EXPLAIN that a case-insensitive userName eq
// on a case-insensitive column, and an exact externalId eq, use the
// column's index.
func TestEqUsesIndex(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "go-mysql-server's EXPLAIN output has another shape")
	s, db := newTestStore(t, accountsSchema, accountsSpec)
	for _, c := range []struct {
		e   adapters.Compare
		key string
	}{
		{adapters.Compare{Column: "login_ci", Op: adapters.OpEq, Value: "alice", Fold: true}, "accounts_login_ci"},
		{adapters.Compare{Column: "ext", Op: adapters.OpEq, Value: "X1"}, "accounts_ext"},
	} {
		var b builder
		if err := s.expr(&b, c.e); err != nil {
			t.Fatal(err)
		}
		key := explainKey(t, db, "EXPLAIN SELECT id FROM accounts WHERE 1=1 AND "+b.sql.String(), b.args...)
		if key.String != c.key {
			t.Errorf("%s uses index %q, want %q", b.sql.String(), key.String, c.key)
		}
	}
}

// explainKey returns the index EXPLAIN says a query uses.
func explainKey(t *testing.T, db *sqlx.DB, query string, args ...any) sql.NullString {
	t.Helper()
	rows, err := db.Queryx(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var key sql.NullString
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			t.Fatal(err)
		}
		if k, ok := m["key"].([]byte); ok {
			key = sql.NullString{String: string(k), Valid: true}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return key
}
