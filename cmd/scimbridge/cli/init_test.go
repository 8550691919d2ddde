package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitWritesAMappingThatChecks runs init on the legacy schema and
// checks that the configuration it writes passes check as it is, with every
// guess marked.
func TestInitWritesAMappingThatChecks(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	out := filepath.Join(t.TempDir(), "scimbridge.yaml")
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"init", "-dsn", dsn, "-users-table", "users", "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("init exited %d: %s", code, stderr.String())
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"      userName: login\n", "      externalId: okta_id\n", "      name.givenName: first_name\n",
		"      name.familyName: last_name\n", "      displayName: display_name\n", "      emails: email\n",
		"        column: status\n", "      meta.created: created_at\n", "      meta.lastModified: updated_at\n",
		"      password_hash: \"!\"\n", "delete: refuse",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("init output lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(string(text), "GUESS"); n < 9 {
		t.Errorf("only %d guesses marked", n)
	}
	if strings.Contains(string(text), dsn) {
		t.Error("the DSN was written into the file")
	}
	// Groups in a table of their own, keyed by AUTO_INCREMENT like the
	// users: their ids get a prefix.
	var groupsOut bytes.Buffer
	if code := Main(context.Background(), []string{"init", "-dsn", dsn, "-users-table", "users", "-groups-table", "teams"}, &groupsOut, &stderr); code != 0 {
		t.Fatalf("init with groups exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(groupsOut.String(), "    id: {column: id, generate: auto, prefix: g-}\n") {
		t.Errorf("init gives the groups no id prefix:\n%s", groupsOut.String())
	}
	// Refuses to overwrite.
	if code := Main(context.Background(), []string{"init", "-dsn", dsn, "-o", out}, &stdout, &stderr); code != 1 {
		t.Errorf("init over an existing file exited %d, want 1", code)
	}
	t.Setenv("SCIMBRIDGE_DSN", dsn)
	t.Setenv("SCIMBRIDGE_OKTA_TOKEN", "t")
	stdout.Reset()
	stderr.Reset()
	if code := Main(context.Background(), []string{"check", "-config", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("check of the init output exited %d:\n%s\n%s", code, stderr.String(), text)
	}
}
