package cli

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplain runs a create and a filtered list through explain and checks
// that it prints the statements with their arguments and the answer, and
// that the create stored nothing.
func TestExplain(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	path := filepath.Join(t.TempDir(), "scimbridge.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(checkConfig, "${DSN}", dsn)), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func() (n int) {
		if err := db.QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()

	run := func(args ...string) string {
		t.Helper()
		var out, errw bytes.Buffer
		if code := runExplain(context.Background(), append([]string{"-config", path}, args...), &out, &errw); code != exitOK {
			t.Fatalf("explain %v: exit %d\n%s%s", args, code, out.String(), errw.String())
		}
		return out.String()
	}
	out := run("POST", "/Users", `{"userName":"explained@example.com","name":{"givenName":"Ex"},"active":true}`)
	for _, want := range []string{"POST /scim/v2/Users (dry run", "INSERT INTO `users`", `"explained@example.com"`, `"Ex"`, `"active"`, "ROLLBACK", "-> 201 Created", `"userName": "explained@example.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("explain POST lacks %q:\n%s", want, out)
		}
	}
	// Writes run with autocommit off: no BEGIN, the INSERT opens the
	// transaction the ROLLBACK ends.
	if strings.Index(out, "INSERT INTO") > strings.Index(out, "ROLLBACK") {
		t.Errorf("explain POST rolled back before the INSERT:\n%s", out)
	}
	if strings.Contains(out, "COMMIT") {
		t.Errorf("explain POST committed:\n%s", out)
	}
	if after := count(); after != before {
		t.Errorf("explain stored the user: %d rows before, %d after", before, after)
	}

	out = run("GET", `/Users?filter=userName eq "nobody@example.com"`)
	for _, want := range []string{"SELECT", "FROM `users`", `"nobody@example.com"`, "-> 200 OK", `"totalResults": 0`} {
		if !strings.Contains(out, want) {
			t.Errorf("explain GET lacks %q:\n%s", want, out)
		}
	}

	// Bad usage and an unknown directory are usage errors.
	var out2, errw bytes.Buffer
	if code := runExplain(context.Background(), []string{"-config", path, "GET"}, &out2, &errw); code != exitUsage {
		t.Errorf("explain without a path: exit %d, want %d", code, exitUsage)
	}
	if code := runExplain(context.Background(), []string{"-config", path, "-directory", "entra", "GET", "/Users"}, &out2, &errw); code != exitUsage || !strings.Contains(errw.String(), `no token is named "entra"`) {
		t.Errorf("explain -directory entra: exit %d, %s", code, errw.String())
	}
}
