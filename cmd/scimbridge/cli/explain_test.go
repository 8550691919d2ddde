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

// TestExplainHooks shows a write's hooks among its statements, each named
// by its YAML path, with the values bound to it, and rolled back with the
// write.
func TestExplainHooks(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	path := filepath.Join(t.TempDir(), "scimbridge.yaml")
	cfg := strings.ReplaceAll(checkConfig, "${DSN}", dsn) + `    hooks:
      afterCreate:
        - INSERT INTO user_fields (user_id, app, field, value, changed) VALUES (:id, 'jobs', 'welcome', :userName, 0)
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if code := runExplain(context.Background(), []string{"-config", path, "POST", "/Users", `{"userName":"hooked@example.com"}`}, &out, &errw); code != exitOK {
		t.Fatalf("explain: exit %d\n%s%s", code, out.String(), errw.String())
	}
	got := out.String()
	want := "[hook resources.User.hooks.afterCreate[0]]\n     INSERT INTO user_fields (user_id, app, field, value, changed) VALUES (?, 'jobs', 'welcome', ?, 0)\n     args: [4, \"hooked@example.com\"]"
	if !strings.Contains(got, want) {
		t.Errorf("explain lacks the hook:\n%s\nwant:\n%s", got, want)
	}
	if strings.Index(got, "[hook ") > strings.Index(got, "ROLLBACK") || !strings.Contains(got, "-> 201 Created") {
		t.Errorf("explain ran the hook after the rollback, or failed:\n%s", got)
	}
	// check lists the hook with the resource's mapping.
	out.Reset()
	if code := Main(context.Background(), []string{"check", "-config", path}, &out, &errw); code != exitOK {
		t.Fatalf("check: exit %d\n%s%s", code, out.String(), errw.String())
	}
	if want := "  hook afterCreate: INSERT INTO user_fields (user_id, app, field, value, changed) VALUES (:id, 'jobs', 'welcome', :userName, 0)\n"; !strings.Contains(out.String(), want) {
		t.Errorf("check lacks the hook:\n%s", out.String())
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM user_fields WHERE app = 'jobs'").Scan(&n); err != nil || n != 0 {
		t.Errorf("explain stored %d hook rows (%v), want none", n, err)
	}
}

// TestExplainComputedDefaults shows the statements that compute a new
// row's columns: the next number of a key/value entry among its parent's,
// and a membership row's next position among its user's rows, under the
// user's lock, with a copy of the user's login, in its INSERT.
func TestExplainComputedDefaults(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	path := filepath.Join(t.TempDir(), "scimbridge.yaml")
	cfg := strings.ReplaceAll(checkConfig, "${DSN}", dsn) + `      display_name: {copy: login}
    metaTable:
      table: user_fields
      parent: user_id
      key: field
      value: value
      scope: {app: core}
      defaults:
        changed: {generate: next}
  Group:
    table: teams
    id: {prefix: g-}
    attributes:
      displayName: name
    members:
      table: team_users
      group: team_id
      user: user_login
      defaults:
        joined_at: {generate: now}
        pending: {generate: next}
`
	cfg = strings.Replace(cfg, "      userName: login\n", "      userName: login\n      nickName: {meta: nick}\n", 1)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errw bytes.Buffer
		if code := runExplain(context.Background(), append([]string{"-config", path}, args...), &out, &errw); code != exitOK {
			t.Fatalf("explain %v: exit %d\n%s%s", args, code, out.String(), errw.String())
		}
		return out.String()
	}
	out := run("POST", "/Users", `{"userName":"numbered@example.com","nickName":"n"}`)
	for _, want := range []string{
		"SELECT COALESCE(MAX(`changed`), 0) + 1 FROM `user_fields` WHERE 1=1 AND `user_id` = ?",
		"`display_name`",
		"-> 201 Created",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain POST /Users lacks %q:\n%s", want, out)
		}
	}
	out = run("POST", "/Groups", `{"displayName":"numbered","members":[{"value":"1"}]}`)
	for _, want := range []string{
		"GET_LOCK(",
		"(SELECT COALESCE(MAX(x.`pending`), 0) + 1 FROM `team_users` x WHERE x.`user_login` = ",
		"-> 201 Created",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain POST /Groups lacks %q:\n%s", want, out)
		}
	}
}
