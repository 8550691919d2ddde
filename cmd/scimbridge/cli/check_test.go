package cli

import (
	"bytes"
	"context"
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
	for _, name := range []string{"env-token", "placeholder", "values", "table-typo", "column-typo", "key-typo", "missing-table", "mapping", "scope", "database", "yaml-indent"} {
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
