package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
