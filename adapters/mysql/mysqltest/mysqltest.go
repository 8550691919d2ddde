package mysqltest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	gmssql "github.com/dolthub/go-mysql-server/sql"
	"github.com/go-sql-driver/mysql"
	"github.com/sirupsen/logrus"
)

// EnvDSN is the environment variable naming an external MySQL or MariaDB
// server to test against, as a go-sql-driver DSN without a database, for
// example "root@tcp(127.0.0.1:3306)/". When it is unset or empty, tests use
// an embedded go-mysql-server instead.
const EnvDSN = "SCIMBRIDGE_TEST_DSN"

var (
	serverOnce sync.Once
	serverCfg  *mysql.Config // the selected server, without a database
	errServer  error
)

// Embedded reports whether tests run on the embedded engine rather than
// SCIMBRIDGE_TEST_DSN.
func Embedded() bool {
	return os.Getenv(EnvDSN) == ""
}

// SkipIfEmbedded skips t with the given reason when running on the embedded
// engine (for tests the engine cannot support), so the skip names the test
// and the reason.
func SkipIfEmbedded(t testing.TB, why string) {
	t.Helper()
	if Embedded() {
		recordSkip(t.Name(), why)
		t.Skipf("%s: skipped on the embedded go-mysql-server engine: %s", t.Name(), why)
	}
}

var (
	skipsMu sync.Mutex // guards skips
	skips   []skip
)

// skip is one test SkipIfEmbedded skipped.
type skip struct{ test, why string }

func recordSkip(test, why string) {
	skipsMu.Lock()
	defer skipsMu.Unlock()
	skips = append(skips, skip{test, why})
}

// Main runs the tests of a package (m.Run) and then prints how many of
// them SkipIfEmbedded skipped, and why, so that a run without a server
// says what it did not test. Call it from the package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(mysqltest.Main(m)) }
//
// go test shows the lines with -v, for a failing package, or when it runs
// the package in its directory (go test, without a package list).
func Main(m *testing.M) int {
	code := m.Run()
	SkipReport(os.Stdout)
	return code
}

// SkipReport writes the summary Main prints: nothing when no test was
// skipped, else the count, each reason with its tests, and how to run
// them.
func SkipReport(w io.Writer) {
	skipsMu.Lock()
	defer skipsMu.Unlock()
	if len(skips) == 0 {
		return
	}
	var reasons []string
	tests := map[string][]string{}
	for _, s := range skips {
		if _, ok := tests[s.why]; !ok {
			reasons = append(reasons, s.why)
		}
		tests[s.why] = append(tests[s.why], s.test)
	}
	fmt.Fprintf(w, "mysqltest: %d %s skipped on the embedded go-mysql-server engine (set %s='root@tcp(127.0.0.1:3306)/' to run them on MySQL or MariaDB):\n", len(skips), plural(len(skips), "test", "tests"), EnvDSN)
	for _, why := range reasons {
		fmt.Fprintf(w, "  %d: %s (%s)\n", len(tests[why]), why, strings.Join(tests[why], ", "))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// NewDatabase creates a fresh, uniquely named empty database on the test
// server, registers t.Cleanup to drop it, and returns a go-sql-driver DSN for
// it that includes parseTime=true and multiStatements=true (so a schema.sql
// file can be executed in one Exec). Other parameters given in
// SCIMBRIDGE_TEST_DSN are kept. The first call in a test binary without
// SCIMBRIDGE_TEST_DSN starts the embedded engine and discards the output of
// the standard logrus logger, which go-mysql-server logs every connection to.
func NewDatabase(t testing.TB) string {
	t.Helper()
	serverOnce.Do(selectServer)
	if errServer != nil {
		t.Fatalf("mysqltest: %v", errServer)
	}

	name := databaseName(t.Name())
	if err := adminExec("CREATE DATABASE " + quoteIdent(name)); err != nil {
		t.Fatalf("mysqltest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := adminExec("DROP DATABASE IF EXISTS " + quoteIdent(name)); err != nil {
			t.Errorf("mysqltest: drop database %s: %v", name, err)
		}
	})

	cfg := serverCfg.Clone()
	cfg.DBName = name
	cfg.ParseTime = true
	cfg.MultiStatements = true
	return cfg.FormatDSN()
}

// StartEmbedded starts an embedded engine listening on addr (e.g.
// "127.0.0.1:0") holding one empty database named dbName, and returns a DSN
// for that database (user root, no password, parseTime=true,
// multiStatements=true) and a stop func that closes the server. The actual
// address, useful when addr asked for port 0, is the Addr of the DSN (see
// mysql.ParseDSN). Unlike NewDatabase it leaves the engine's logging alone.
func StartEmbedded(addr, dbName string) (dsn string, stop func() error, err error) {
	srv, bound, err := startEngine(addr, dbName)
	if err != nil {
		return "", nil, err
	}
	cfg := rootConfig(bound)
	cfg.DBName = dbName
	cfg.ParseTime = true
	cfg.MultiStatements = true
	return cfg.FormatDSN(), srv.Close, nil
}

// selectServer sets serverCfg from EnvDSN, or starts the embedded engine
// (with its logrus output silenced) for the rest of the test binary.
func selectServer() {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		serverCfg, errServer = mysql.ParseDSN(dsn)
		if errServer != nil {
			errServer = fmt.Errorf("parse %s: %w", EnvDSN, errServer)
			return
		}
		serverCfg.DBName = ""
		return
	}
	// go-mysql-server logs every connection and query error at info level
	// through the standard logrus logger; keep test output readable.
	logrus.SetOutput(io.Discard)
	_, bound, err := startEngine("127.0.0.1:0")
	if err != nil {
		errServer = fmt.Errorf("start embedded go-mysql-server: %w", err)
		return
	}
	serverCfg = rootConfig(bound)
}

// startEngine serves an in-memory go-mysql-server on addr holding the
// databases dbNames. Any user name is accepted without a password because no
// user accounts are configured.
func startEngine(addr string, dbNames ...string) (*server.Server, string, error) {
	pro := memory.NewDBProvider()
	pro.WithOption(memory.NativeIndexProvider(true))
	for _, name := range dbNames {
		if err := pro.CreateDatabase(gmssql.NewEmptyContext(), name); err != nil {
			return nil, "", err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	cfg := server.Config{Protocol: "tcp", Address: ln.Addr().String(), Listener: ln}
	srv, err := server.NewServer(cfg, sqle.NewDefault(pro), gmssql.NewContext, memory.NewSessionBuilder(pro), nil)
	if err != nil {
		ln.Close()
		return nil, "", err
	}
	// The listener is already bound, so clients may connect at once; their
	// connections wait in the backlog until Start accepts them.
	go func() { _ = srv.Start() }()
	return srv, ln.Addr().String(), nil
}

func rootConfig(addr string) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "tcp"
	cfg.Addr = addr
	return cfg
}

// adminExec runs one statement on the selected server outside any database.
func adminExec(query string) error {
	db, err := sql.Open("mysql", serverCfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(query)
	return err
}

// databaseName returns a unique database name that starts with a readable
// form of the test name, so leftovers on a shared server can be traced.
func databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	var suffix [6]byte
	rand.Read(suffix[:])
	return "t_" + b.String() + "_" + hex.EncodeToString(suffix[:])
}

func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
