package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	scimmysql "github.com/scimbridge/scimbridge/adapters/mysql"
)

// TestCheckGalera: on a Galera node, check names the engine, refuses a
// mapping whose userName uniqueness would rely on GET_LOCK (no unique
// index compares as it does), and accepts it with uniquenessLocks: table.
// It runs with SCIMBRIDGE_TEST_GALERA set (deploy/galera/cluster.sh).
func TestCheckGalera(t *testing.T) {
	nodes := os.Getenv("SCIMBRIDGE_TEST_GALERA")
	if nodes == "" {
		t.Skipf("%s: skipped: no Galera cluster; start one with deploy/galera/cluster.sh start and set SCIMBRIDGE_TEST_GALERA", t.Name())
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sbgalera_" + hex.EncodeToString(b[:])
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.MultiStatements = "tcp", strings.Split(nodes, ",")[0], "root", true
	admin, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("DROP DATABASE " + name)
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("USE " + name + "; " + string(schema)); err != nil {
		t.Fatal(err)
	}
	c.DBName = name
	dsn := c.FormatDSN()
	dir := t.TempDir()
	run := func(extra string) (int, string, string) {
		path := filepath.Join(dir, "c.yaml")
		cfg := strings.Replace(strings.ReplaceAll(checkConfig, "${DSN}", dsn), "    dsn: {value:", extra+"    dsn: {value:", 1)
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errw bytes.Buffer
		code := Main(context.Background(), []string{"check", "-config", path}, &out, &errw)
		return code, out.String(), errw.String()
	}
	code, out, errs := run("")
	if code != exitFailure || !strings.Contains(errs, "resources.User") || !strings.Contains(errs, "GET_LOCK, which holds on one Galera node only") {
		t.Errorf("check with GET_LOCK on Galera: exit %d\n%s%s\nwant exit 1 naming resources.User and GET_LOCK", code, out, errs)
	}
	if _, err := admin.Exec("USE " + name + "; " + scimmysql.LocksTableSQL); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run("    uniquenessLocks: table\n")
	if code != exitOK || !strings.Contains(out, "a Galera cluster node (wsrep_on=ON); uniqueness locks: rows of scimbridge_locks") ||
		!strings.Contains(out, "reads see every committed write (scimbridge sets wsrep_sync_wait)") {
		t.Errorf("check with lock rows on Galera: exit %d\n%s%s\nwant OK naming the engine, the locks and what reads see", code, out, errs)
	}
}

// TestCheckGaleraWarnsReadOnly: check warns when the DSN reaches a server that
// does not take writes (read_only=ON, as a replica or a failed-over
// primary has it). It sets read_only on the cluster's last node, its own
// throw-away server, and turns it off again.
func TestCheckGaleraWarnsReadOnly(t *testing.T) {
	nodes := os.Getenv("SCIMBRIDGE_TEST_GALERA")
	if nodes == "" {
		t.Skipf("%s: skipped: no Galera cluster (a server of its own to set read_only on); start one with deploy/galera/cluster.sh start and set SCIMBRIDGE_TEST_GALERA", t.Name())
	}
	list := strings.Split(nodes, ",")
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sbgalera_" + hex.EncodeToString(b[:])
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.MultiStatements = "tcp", list[len(list)-1], "root", true
	admin, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	admin.SetMaxOpenConns(1)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("DROP DATABASE " + name)
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("USE " + name + "; " + string(schema) + "\n" + scimmysql.LocksTableSQL); err != nil {
		t.Fatal(err)
	}
	c.DBName = name
	path := filepath.Join(t.TempDir(), "c.yaml")
	cfg := strings.Replace(strings.ReplaceAll(checkConfig, "${DSN}", c.FormatDSN()), "    dsn: {value:", "    uniquenessLocks: table\n    dsn: {value:", 1)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func() string {
		var out, errw bytes.Buffer
		if code := Main(context.Background(), []string{"check", "-config", path}, &out, &errw); code != exitOK {
			t.Fatalf("check: exit %d\n%s%s", code, out.String(), errw.String())
		}
		return out.String() + errw.String()
	}
	const warning = "the server does not take writes now"
	if got := check(); strings.Contains(got, warning) {
		t.Errorf("check of a writable node warns:\n%s", got)
	}
	if _, err := admin.Exec("SET GLOBAL read_only = ON"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := admin.Exec("SET GLOBAL read_only = OFF"); err != nil {
			t.Errorf("turning read_only off again on %s: %v", c.Addr, err)
		}
	}()
	if got := check(); !strings.Contains(got, warning) || !strings.Contains(got, "read_only=ON") {
		t.Errorf("check of a read-only server:\n%s\nwant a warning naming read_only", got)
	}
}
