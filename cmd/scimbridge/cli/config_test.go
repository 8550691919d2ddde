package cli

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.err from the current messages")

// TestInvalidConfigs pins the exact message an operator sees for each
// broken config in testdata/invalid-*.yaml: every problem at once, each
// with its YAML path, what is wrong and what was expected. Configs whose
// mistakes need the live schema are compiled against testdata/schema.sql.
func TestInvalidConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid configs: %v", err)
	}
	dsn := newSchemaDB(t, "testdata/schema.sql")
	dir := t.TempDir()
	// invalid-env-token.yaml reads it; empty is unset to a secret.
	t.Setenv("SCIMBRIDGE_TEST_UNSET_TOKEN", "")
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// Loaded from a file of the same name, as check and serve
			// load it, so that problems carry file:line:col.
			path := filepath.Join(dir, filepath.Base(f))
			data = []byte(strings.ReplaceAll(string(data), "${DSN}", dsn))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			err = problemsOf(path)
			if err == nil {
				t.Fatal("config accepted, want an error")
			}
			got := strings.ReplaceAll(strings.ReplaceAll(err.Error(), dsn, "${DSN}"), dir+string(filepath.Separator), "") + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("message differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

// problemsOf loads the config file at path and compiles its mapping
// against the database, as check does, and returns every problem found.
func problemsOf(path string) error {
	ctx := context.Background()
	cfg, err := loadConfig(path)
	if cfg == nil {
		return err
	}
	ad, _, err := cfg.compile(ctx, err, openAdapter(ctx, nil))
	if ad != nil {
		ad.Close()
	}
	return err
}

// newSchemaDB creates a test database loaded with a schema file and
// returns its DSN.
func newSchemaDB(t *testing.T, schemaFile string) string {
	t.Helper()
	dsn := mysqltest.NewDatabase(t)
	schema, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := execSQL(dsn, string(schema)); err != nil {
		t.Fatalf("loading %s: %v", schemaFile, err)
	}
	return dsn
}
