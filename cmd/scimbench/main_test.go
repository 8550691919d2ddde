package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// serverDSN returns the DSN of the test server without a database, as
// -dsn takes it.
func serverDSN(t *testing.T) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = ""
	cfg.MultiStatements = false
	return cfg.FormatDSN()
}

// tiny is a configuration small enough for a test: every scenario and
// measure runs, on a directory of 100 users.
var tiny = []string{"-n", "20", "-users", "100", "-sizes", "100,300", "-growth-n", "6"}

// clients is the -c of the tests: two concurrent clients, or one on the
// embedded engine, which loses concurrent writes to one table (a row
// inserted by one connection is then missing when it is read back).
func clients() string {
	if mysqltest.Embedded() {
		return "1"
	}
	return "2"
}

// runBench runs scimbench with args and returns its output, failing the
// test unless it succeeds and drops its scratch database.
func runBench(t *testing.T, dsn string, args ...string) string {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := scratchDatabases(t, db)
	var out, errb bytes.Buffer
	if code := run(context.Background(), append([]string{"-dsn", dsn}, args...), &out, &errb); code != 0 {
		t.Fatalf("scimbench exited with %d:\n%s\n%s", code, out.String(), errb.String())
	}
	if after := scratchDatabases(t, db); after > before {
		t.Errorf("scimbench left %d scratch databases behind", after-before)
	}
	t.Logf("output:\n%s", out.String())
	return out.String()
}

func scratchDatabases(t *testing.T, db *sql.DB) int {
	t.Helper()
	rows, err := db.Query("SHOW DATABASES")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "scimbench_") {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkReport fails unless out has a line for every scenario, and for the
// growth study and the process report when asked.
func checkReport(t *testing.T, out string, growth bool, lines ...string) {
	t.Helper()
	want := []string{"create user", "get by id", "filter userName eq", "PATCH deactivate", "PUT", "add 50 members", "remove 50 members", "page through users", "Okta import", "resident memory"}
	if growth {
		want = append(want, "filter userName eq", "list page, count=100", "PATCH 50 members", "first list page")
	}
	for _, w := range append(want, lines...) {
		if !strings.Contains(out, w) {
			t.Errorf("the report has no %q", w)
		}
	}
}

// TestInProcess runs every scenario and the growth study with the sidecar
// inside the test.
func TestInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole benchmark in a tiny configuration")
	}
	out := runBench(t, serverDSN(t), append([]string{"-inprocess", "-c", clients()}, tiny...)...)
	checkReport(t, out, true, "from cli.Build to listening")
}

// TestBinary runs the comparison against the production binary, as make
// bench does. SCIMBRIDGE_TEST_BINARY names one already built, by its
// absolute path (make build: bin/scimbridge; CI gives it), so that go test
// builds nothing itself.
// Without it the test builds one, with the flags of make build, within
// maxBinaryBuild (and the test's own -timeout): on a fresh machine that
// compiles every package a second time (CGO off, -trimpath), so a build
// that runs out of time skips the test, and fails it under CI.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds scimbridge and runs the benchmark in a tiny configuration")
	}
	bin := os.Getenv("SCIMBRIDGE_TEST_BINARY")
	if bin == "" {
		bin = buildForTest(t)
	} else if _, err := os.Stat(bin); err != nil {
		t.Fatalf("SCIMBRIDGE_TEST_BINARY: %v", err)
	}
	out := runBench(t, serverDSN(t), "-binary", bin, "-c", clients(), "-n", "10", "-users", "100", "-sizes", "")
	checkReport(t, out, false, "binary size", "from exec to /healthz/ready")
}

// maxBinaryBuild bounds TestBinary's own build of scimbridge.
const maxBinaryBuild = 2 * time.Minute

// buildForTest builds the production binary for TestBinary within
// maxBinaryBuild, or skips the test when it takes longer (fails it under
// CI, which gives SCIMBRIDGE_TEST_BINARY).
func buildForTest(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is needed to build scimbridge (or give SCIMBRIDGE_TEST_BINARY)")
	}
	limit := maxBinaryBuild
	if d, ok := t.Deadline(); ok {
		// Leave the benchmark a minute of the test's -timeout.
		limit = min(limit, time.Until(d)-time.Minute)
	}
	ctx, cancel := context.WithTimeout(context.Background(), max(limit, 0))
	defer cancel()
	start := time.Now()
	bin, err := buildBinary(ctx, t.TempDir())
	if err != nil && ctx.Err() != nil {
		msg := fmt.Sprintf("building scimbridge took longer than %s (a fresh build cache); give SCIMBRIDGE_TEST_BINARY=$PWD/bin/scimbridge (an absolute path) after make build to run this test", limit.Round(time.Second))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built scimbridge in %s", time.Since(start).Round(time.Millisecond))
	return bin
}
