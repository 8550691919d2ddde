package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const checkConfig = `server:
  tokens:
    - name: okta
      token: {value: abc}
database:
  type: mysql
  config:
    dsn: {value: "${DSN}"}
resources:
  User:
    table: users
    attributes:
      userName: login
      name.givenName: first_name
      active: {column: status, trueValue: active, falseValue: disabled}
      meta.lastModified: updated_at
    defaults:
      password_hash: "!"
`

func TestCheckCommand(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte(strings.ReplaceAll(checkConfig, "${DSN}", dsn)), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := strings.ReplaceAll(strings.ReplaceAll(checkConfig, "${DSN}", dsn), "first_name", "first_nme")
	broken = strings.Replace(broken, "okta", "okta\n      colour: red", 1)
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}

	var out, errw bytes.Buffer
	if code := Main(context.Background(), []string{"check", "-config", good}, &out, &errw); code != 0 {
		t.Fatalf("check of a good config exited %d: %s", code, errw.String())
	}
	for _, want := range []string{
		"User -> table users (key id)",
		"userName -> login varchar(100) [index unusable: the column's collation (utf8mb4_bin) is case-sensitive, so case-insensitive filters compare LOWER(column) and scan the table; uniqueness enforced by scimbridge (no case-insensitive unique index); required on create (NOT NULL, no default)]",
		"name.givenName -> first_name varchar(50) [no index: filters on it scan the table]",
		"active -> status varchar(16) [no index: filters on it scan the table; true=active false=disabled]",
		"default password_hash on insert",
		good + ": OK",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	errw.Reset()
	if code := Main(context.Background(), []string{"check", "-config", bad}, &out, &errw); code != 1 {
		t.Fatalf("check of a bad config exited %d, want 1", code)
	}
	// Both the structural and the schema problem are reported in one run.
	for _, want := range []string{
		`server.tokens[0].colour: unknown key "colour"`,
		`resources.User.attributes["name.givenName"].column: column "first_nme" not in table users`,
	} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("check errors lack %q:\n%s", want, errw.String())
		}
	}
	if code := Main(context.Background(), []string{"check", "-config", filepath.Join(dir, "missing.yaml")}, &out, &errw); code != 1 {
		t.Errorf("check of a missing file exited %d, want 1", code)
	}
	if code := Main(context.Background(), []string{"frobnicate"}, &out, &errw); code != 2 {
		t.Errorf("unknown command exited %d, want 2", code)
	}
}

// TestCheckRefusesWhatServeRefuses runs check and serve on each broken
// config of testdata (a secret unset, a secret file missing, a placeholder,
// a misspelt table or key, a mapping mistake) and requires both to fail
// with the same problems: an operator whose check passes is not surprised
// by serve.
func TestCheckRefusesWhatServeRefuses(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	t.Setenv("SCIMBRIDGE_TEST_UNSET_TOKEN", "")
	dir := t.TempDir()
	for _, name := range []string{"env-token", "placeholder", "values", "table-typo", "column-typo", "key-typo", "missing-table", "mapping", "scope", "relations", "database", "yaml-indent", "active-values", "active-also"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/invalid-" + name + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name+".yaml")
			if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "${DSN}", dsn)), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, checkErr bytes.Buffer
			if code := Main(context.Background(), []string{"check", "-config", path}, &out, &checkErr); code != exitFailure {
				t.Fatalf("check exited %d, want %d:\n%s%s", code, exitFailure, out.String(), checkErr.String())
			}
			// serve must refuse before it listens; the deadline only
			// stops a serve that wrongly started.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var serveErr bytes.Buffer
			if code := Main(ctx, []string{"serve", "-config", path, "-listen", "127.0.0.1:0", "-telemetry-listen", "off"}, &out, &serveErr); code != exitFailure {
				t.Fatalf("serve exited %d, want %d:\n%s", code, exitFailure, serveErr.String())
			}
			got, want := problemLines(serveErr.String()), problemLines(checkErr.String())
			if len(want) == 0 {
				t.Fatalf("check printed no problems:\n%s", checkErr.String())
			}
			if !slices.Equal(got, want) {
				t.Errorf("serve's problems differ from check's:\n--- serve\n%s\n--- check\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// problemLines returns the problems of an invalid configuration message:
// its indented lines, sorted.
func problemLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "  ") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	slices.Sort(out)
	return out
}

// TestCheckExitCodes pins check's documented exit codes: 0 for a config
// serve would accept, 1 for problems, 2 for bad usage.
func TestCheckExitCodes(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(strings.ReplaceAll(checkConfig, "${DSN}", dsn)), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.ReplaceAll(strings.ReplaceAll(checkConfig, "${DSN}", dsn), "table: users", "table: user")), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"check", "-config", good}, exitOK},
		{[]string{"check", "-config", bad}, exitFailure},
		{[]string{"check", "-config", filepath.Join(dir, "missing.yaml")}, exitFailure},
		{[]string{"check", "-bogus"}, exitUsage},
		{[]string{"check", "-config", good, "extra"}, exitUsage},
	} {
		var out, errw bytes.Buffer
		if code := Main(context.Background(), c.args, &out, &errw); code != c.want {
			t.Errorf("%v exited %d, want %d:\n%s%s", c.args, code, c.want, out.String(), errw.String())
		}
	}
}

// TestCheckListen runs check on configs whose listen addresses serve
// could not open: one in use is a warning (the scimbridge already serving
// the config holds it), and serve names the key when it fails on it; two
// keys on one address, an address the host does not have and one that is
// no host:port are problems, with the key or the override that gave them.
func TestCheckListen(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	dir := t.TempDir()
	write := func(name, listen, telemetry string) string {
		t.Helper()
		cfg := strings.ReplaceAll(checkConfig, "${DSN}", dsn)
		cfg = strings.Replace(cfg, "server:\n", "server:\n  listen: \""+listen+"\"\n", 1)
		cfg += "telemetry:\n  listen: \"" + telemetry + "\"\n"
		path := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := func(args ...string) (code int, stdout, stderr string) {
		var out, errw bytes.Buffer
		code = Main(context.Background(), args, &out, &errw)
		return code, out.String(), errw.String()
	}

	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	inUse := held.Addr().String()
	path := write("in-use", inUse, "off")
	code, out, errs := run("check", "-config", path)
	if want := "warning: server.listen: " + inUse + " is in use: serve would not start on this host, unless this is the scimbridge already serving there\n"; code != exitOK || !strings.Contains(out, want) || !strings.Contains(out, ": OK, with ") {
		t.Errorf("check with server.listen in use exited %d, want %d and %q:\n%s%s", code, exitOK, want, out, errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var serveErr bytes.Buffer
	if code := Main(ctx, []string{"serve", "-config", path}, io.Discard, &serveErr); code != exitFailure || !strings.Contains(serveErr.String(), "listening for SCIM (server.listen): ") {
		t.Errorf("serve on an address in use exited %d, want %d naming server.listen:\n%s", code, exitFailure, serveErr.String())
	}

	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	same := free.Addr().String()
	free.Close()
	code, _, errs = run("check", "-config", write("same", same, same))
	if want := "same.yaml:21:11: telemetry.listen: " + same + " overlaps server.listen (" + same + "), which serve listens on first; expected another port"; code != exitFailure || !strings.Contains(errs, want) {
		t.Errorf("check with both keys on %s exited %d, want %d and %q:\n%s", same, code, exitFailure, want, errs)
	}

	code, _, errs = run("check", "-config", write("syntax", "8080", "off"))
	if want := "syntax.yaml:2:11: server.listen: invalid address \"8080\": missing port in address"; code != exitFailure || !strings.Contains(errs, want) {
		t.Errorf("check with listen 8080 exited %d, want %d and %q:\n%s", code, exitFailure, want, errs)
	}

	// 192.0.2.1 is TEST-NET-1, on no host (unless the kernel is told to
	// bind addresses it does not have).
	if ln, err := net.Listen("tcp", "192.0.2.1:0"); err == nil {
		ln.Close()
		t.Skip("this host can listen on 192.0.2.1")
	}
	code, _, errs = run("check", "-config", write("absent", "127.0.0.1:0", "192.0.2.1:9090"))
	if want := "absent.yaml:21:11: telemetry.listen: cannot listen on 192.0.2.1:9090 (bind: cannot assign requested address): the host has no such address"; code != exitFailure || !strings.Contains(errs, want) {
		t.Errorf("check with telemetry.listen on 192.0.2.1 exited %d, want %d and %q:\n%s", code, exitFailure, want, errs)
	}
	t.Setenv("SCIMBRIDGE_LISTEN", "192.0.2.1:8080")
	code, _, errs = run("check", "-config", write("override", "127.0.0.1:0", "off"))
	if want := "SCIMBRIDGE_LISTEN (overriding server.listen): cannot listen on 192.0.2.1:8080"; code != exitFailure || !strings.Contains(errs, want) {
		t.Errorf("check with SCIMBRIDGE_LISTEN on 192.0.2.1 exited %d, want %d and %q:\n%s", code, exitFailure, want, errs)
	}
}

// TestCheckCountsActiveValues runs check on a status column holding, in
// scope, values the mapping names as neither true nor false (and NULL),
// and beyond the scope one it must not count: check says how many rows
// read as active and warns of the others with their counts.
func TestCheckCountsActiveValues(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	if err := execSQL(dsn, `ALTER TABLE users MODIFY status VARCHAR(16) NULL, ADD COLUMN kind TINYINT NOT NULL DEFAULT 0;
INSERT INTO users (login, status, password_hash) VALUES ('dan', 'pending', '!'), ('eve', 'pending', '!'), ('fay', NULL, '!'), ('gus', 'Active', '!');
INSERT INTO users (login, status, password_hash, kind) VALUES ('bot', 'robot', '!', 1);`); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "check.yaml")
	cfg := strings.ReplaceAll(checkConfig, "${DSN}", dsn) + "    scope:\n      kind: 0\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if code := Main(context.Background(), []string{"check", "-config", path}, &out, &errw); code != 0 {
		t.Fatalf("check exited %d: %s", code, errw.String())
	}
	for _, want := range []string{
		"User.active: 2 rows read as active, 5 as inactive\n",
		`warning: resources.User.attributes["active"]: column status holds values that are neither trueValue, trueValues nor falseValue, on 4 rows, which read as inactive: "pending" (2 rows), NULL (1 row), "Active" (1 row); expected them mapped (trueValues) or changed in the application`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "robot") {
		t.Errorf("check counted a row outside the scope:\n%s", out.String())
	}
}

// TestCheckWarnsOfTextRelation: a relation between a TEXT column and the
// integer key is accepted, with a warning that says how the two compare
// and that no index serves it.
func TestCheckWarnsOfTextRelation(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	path := filepath.Join(t.TempDir(), "check.yaml")
	cfg := strings.ReplaceAll(checkConfig, "${DSN}", dsn) + "    relations:\n      - notExists: {table: user_fields, column: value, where: {app: core, field: system_user}}\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if code := Main(context.Background(), []string{"check", "-config", path}, &out, &errw); code != 0 {
		t.Fatalf("check exited %d: %s", code, errw.String())
	}
	want := `warning: resources.User.relations[0].notExists.column: column "value" of user_fields is text but users.id is int: the integer is compared as decimal text ("6" matches 6; "06", " 6" and "6x" do not), and no index on users.id can serve the comparison`
	if !strings.Contains(out.String(), want) {
		t.Errorf("check output lacks %q:\n%s", want, out.String())
	}
}

// TestCheckWarnsOfTimeUnits runs check on integer time columns whose
// stored values, in scope, contradict their unit: milliseconds in a
// column read as seconds, seconds in one read as milliseconds. A row
// outside the scope, and zeros, are not counted; a column whose values
// fit its unit gets no warning.
func TestCheckWarnsOfTimeUnits(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	if err := execSQL(dsn, `ALTER TABLE users ADD COLUMN kind TINYINT NOT NULL DEFAULT 0, ADD COLUMN made BIGINT NOT NULL DEFAULT 0, ADD COLUMN seen BIGINT NOT NULL DEFAULT 0;
UPDATE users SET made = 1700000000000, seen = 1700000000;
UPDATE users SET made = 0, seen = 0 WHERE id = 1;
INSERT INTO users (login, status, password_hash, kind, made, seen) VALUES ('bot', 'active', '!', 1, 5, 5);`); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "check.yaml")
	cfg := strings.ReplaceAll(checkConfig, "${DSN}", dsn)
	cfg = strings.Replace(cfg, "      meta.lastModified: updated_at\n", "      meta.lastModified: {column: seen, timeUnit: milliseconds}\n      meta.created: made\n", 1)
	cfg += "    scope:\n      kind: 0\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if code := Main(context.Background(), []string{"check", "-config", path}, &out, &errw); code != 0 {
		t.Fatalf("check exited %d: %s", code, errw.String())
	}
	for _, want := range []string{
		`warning: resources.User.attributes["meta.created"]: column made is read as Unix seconds, but holds 1700000000000, a time in milliseconds (as seconds, the year 55840); expected timeUnit: milliseconds`,
		`warning: resources.User.attributes["meta.lastModified"]: column seen is read as Unix milliseconds, but holds 1700000000, a time in seconds (as milliseconds, 1970-01-20); expected timeUnit: seconds, or the column's values repaired`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), " 5,") || strings.Contains(out.String(), "holds 5") {
		t.Errorf("check read a row outside the scope:\n%s", out.String())
	}
}
