package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlaceholder(t *testing.T) {
	for _, v := range []string{"CHANGE_ME", "changeme", "change-me", "TODO", "xxx", "XXXXXXXX", "<token>", "<your okta token>", "your-token-here", "example-token-do-not-use", "secret", " changeme\n"} {
		if placeholder(v, "x") == "" {
			t.Errorf("%q not flagged", v)
		}
	}
	for _, v := range []string{"abc", "test-token-0123456789", "demo-token-not-a-secret", "9f86d081884c7d659a2feaa0c55ad015", "xx", "todo-list-app-token-7Hq"} {
		if why := placeholder(v, "x"); why != "" {
			t.Errorf("%q flagged: %s", v, why)
		}
	}
	if why := placeholder("$OKTA_TOKEN", "x"); !strings.Contains(why, "{fromEnv: OKTA_TOKEN}") {
		t.Errorf("unexpanded variable: %q", why)
	}
}

func TestPlaceholderHash(t *testing.T) {
	if placeholderHash("3690A4A2ED3B26B46A696E9AB873A300D9DA3AE56BC84352E2BF724885C91DFD") == "" {
		t.Error("the example's hash (upper case) not flagged")
	}
	if why := placeholderHash("a3868da123f48b0ce03630ec5bd79020f8bfc6ee7906beb215f830c11191f83f"); why != "" {
		t.Errorf("an ordinary hash flagged: %s", why)
	}
}

// TestStartupProblems checks the secrets and files serve resolves at
// start: each that cannot be had is named by its path, and a readable
// token file passes.
func TestStartupProblems(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("s3cr3t-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCIMBRIDGE_TEST_UNSET", "")
	doc := `server:
  tokens:
    - {name: a, token: {fromFile: ` + tokenFile + `}}
    - {name: b, token: {fromEnv: SCIMBRIDGE_TEST_UNSET}}
    - {name: c, token: {fromFile: ` + filepath.Join(dir, "missing") + `}}
audit: {output: ` + filepath.Join(dir, "no-such-dir", "audit.log") + `}
database:
  type: mysql
  config: {dsn: {value: "scim:changeme@tcp(127.0.0.1:3306)/app"}}
resources: {User: {table: users, attributes: {userName: login}}}
`
	cfg, err := ParseConfig([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(startupProblems(cfg), "\n")
	for _, want := range []string{
		"server.tokens[1].token: environment variable SCIMBRIDGE_TEST_UNSET is not set",
		"server.tokens[2].token: reading secret file: open " + filepath.Join(dir, "missing"),
		"audit.output: cannot create " + filepath.Join(dir, "no-such-dir", "audit.log"),
		`database.config.dsn: the password in it: "changeme" is a placeholder`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "tokens[0]") {
		t.Errorf("the readable token file was reported:\n%s", got)
	}
}

// TestAuditWritable checks that check's probe of the audit file changes
// nothing: a missing file is not created, an existing one not truncated.
func TestAuditWritable(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "audit.log")
	if err := auditWritable(AuditConfig{Output: missing}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the probe created %s", missing)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the probe left %v", entries)
	}
	if err := os.WriteFile(missing, []byte("kept\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := auditWritable(AuditConfig{Output: missing}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(missing); string(b) != "kept\n" {
		t.Errorf("the probe changed the file: %q", b)
	}
	if err := auditWritable(AuditConfig{Output: dir}); err == nil {
		t.Error("a directory as the audit file was accepted")
	}
}
