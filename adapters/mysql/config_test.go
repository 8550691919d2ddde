package mysql

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestFormatDSNMultiStatements checks that connections take several
// statements per query unless the DSN or params say otherwise, and that a
// params value that is no boolean is refused rather than guessed.
func TestFormatDSNMultiStatements(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		want bool
	}{
		{"dsn", Config{DSN: adapters.Secret{Value: "u:p?w@tcp(db:3306)/app"}}, true},
		{"dsn says false", Config{DSN: adapters.Secret{Value: "u:p@tcp(db:3306)/app?tls=preferred&multiStatements=false"}}, false},
		{"dsn says true", Config{DSN: adapters.Secret{Value: "u:p@tcp(db:3306)/app?multiStatements=true"}}, true},
		{"parts", Config{User: "u", Database: "app"}, true},
		{"params say false", Config{User: "u", Database: "app", Params: map[string]string{"multiStatements": "false"}}, false},
	} {
		dsn, err := c.cfg.FormatDSN()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		parsed, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("%s: %s: %v", c.name, dsn, err)
		}
		if parsed.MultiStatements != c.want || parsed.Params["multiStatements"] != "" {
			t.Errorf("%s: %s: multiStatements %v (params %v), want %v", c.name, dsn, parsed.MultiStatements, parsed.Params, c.want)
		}
	}
	bad := Config{User: "u", Database: "app", Params: map[string]string{"multiStatements": "maybe"}}
	if _, err := bad.FormatDSN(); err == nil {
		t.Error("multiStatements: maybe was accepted")
	}
}

// TestFormatDSNStrictSession checks that scimbridge's sessions run in
// strict mode, keeping the server's other modes, so that a value a column
// cannot hold fails instead of being stored as another; and that an
// operator's own sql_mode stands.
func TestFormatDSNStrictSession(t *testing.T) {
	dsn, err := (&Config{DSN: adapters.Secret{Value: mysqltest.NewDatabase(t)}}).FormatDSN()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Params["sql_mode"] != StrictSQLMode {
		t.Fatalf("sql_mode param %q, want %q", parsed.Params["sql_mode"], StrictSQLMode)
	}
	// Start from a session with no modes at all, as a lax server gives.
	parsed.Params["sql_mode"] = strings.ReplaceAll(StrictSQLMode, "@@SESSION.sql_mode", "''")
	db, err := sql.Open("mysql", parsed.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mode, "STRICT_TRANS_TABLES") {
		t.Errorf("session sql_mode %q is not strict", mode)
	}
	own, err := (&Config{User: "u", Database: "app", Params: map[string]string{"sql_mode": "'ANSI_QUOTES'"}}).FormatDSN()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := mysql.ParseDSN(own); p.Params["sql_mode"] != "'ANSI_QUOTES'" {
		t.Errorf("the operator's sql_mode became %q", p.Params["sql_mode"])
	}
}
