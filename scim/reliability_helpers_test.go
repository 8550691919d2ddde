package scim_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// This file holds the helpers of the reliability tests (faults,
// concurrency, several replicas, hostile input): sidecars attached to a
// database created separately, so that several can share one, or reach it
// through a fault-injecting proxy.

// scratchDB creates a fresh database loaded with schemaFile and returns its
// DSN and a direct connection to it.
func scratchDB(t testing.TB, schemaFile string) (string, *sql.DB) {
	t.Helper()
	dsn := mysqltest.NewDatabase(t)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schema, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatalf("loading %s: %v", schemaFile, err)
	}
	return dsn, db
}

// serverSection is a server section with the test token and extra lines.
func serverSection(extra ...string) string {
	s := "server:\n  tokens:\n    - name: okta\n      token: {value: " + testToken + "}\n"
	for _, l := range extra {
		s += "  " + l + "\n"
	}
	return s
}

// attach wires a sidecar, with its own connection pool, to the database at
// dsn; db is a direct connection for the test's own queries.
func attach(t testing.TB, db *sql.DB, dsn, mappingFile, server string) *sidecar {
	t.Helper()
	return attachLogged(t, db, dsn, mappingFile, server, slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelError})))
}

// attachLogged is attach with the sidecar's logger given.
func attachLogged(t testing.TB, db *sql.DB, dsn, mappingFile, server string, logger *slog.Logger) *sidecar {
	t.Helper()
	mapping, err := os.ReadFile(mappingFile)
	if err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString(server)
	cfg.WriteString("audit: {output: off}\n")
	cfg.WriteString("database:\n  type: mysql\n  config:\n    dsn: {value: " + strconvQuote(dsn) + "}\n")
	cfg.WriteString("resources:\n")
	for _, l := range strings.Split(strings.TrimRight(string(mapping), "\n"), "\n") {
		cfg.WriteString("  " + l + "\n")
	}
	c, err := cli.ParseConfig([]byte(cfg.String()))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	sc, err := cli.Build(context.Background(), c, logger)
	if err != nil {
		t.Fatalf("building sidecar: %v", err)
	}
	t.Cleanup(func() { sc.Close() })
	return &sidecar{t: t, h: sc.Handler, db: db, cli: sc}
}

// withParams returns dsn with extra DSN parameters (session variables
// such as innodb_lock_wait_timeout are set on every connection).
func withParams(t testing.TB, dsn string, params map[string]string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	for k, v := range params {
		cfg.Params[k] = v
	}
	return cfg.FormatDSN()
}

// proxied starts a fault proxy in front of the server of dsn and returns
// the DSN that goes through it.
func proxied(t testing.TB, dsn string) (string, *faultproxy.Proxy) {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Net != "tcp" {
		t.Skipf("the fault proxy needs a TCP server; %s is %s", mysqltest.EnvDSN, cfg.Net)
	}
	p, err := faultproxy.Start(cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	cfg.Addr = p.Addr()
	return cfg.FormatDSN(), p
}

// dump renders the rows of tables, in key order, to compare states.
func dump(t testing.TB, db *sql.DB, tables ...string) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range tables {
		rows, err := db.Query("SELECT * FROM `" + tbl + "` ORDER BY 1, 2")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "%s %v\n", tbl, cols)
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if v.Valid {
					fmt.Fprintf(&b, " %q", v.String)
				} else {
					b.WriteString(" NULL")
				}
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}
