package mysql

import (
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
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
