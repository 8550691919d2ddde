package cli

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unreachableDSN names a database no test can reach: check -offline must
// not try.
const unreachableDSN = "scim:pw@tcp(127.0.0.1:1)/nowhere"

// offlineReport runs check -offline -format json on path, with extra
// flags, and decodes its report.
func offlineReport(t *testing.T, path string, flags ...string) (int, checkReport) {
	t.Helper()
	code, out, errs := run(t, append(append([]string{"check", "-offline", "-format", "json"}, flags...), "-config", path)...)
	var r checkReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("check -offline -format json %s: exit %d, %v\n%s%s", path, code, err, out, errs)
	}
	if !r.Offline || len(r.Skipped) == 0 {
		t.Errorf("%s: report does not say it is offline and what it skipped: %+v", path, r)
	}
	return code, r
}

// TestCheckOfflineFindsNothingCheckDoesNot runs check -offline, with no
// database, on every golden invalid configuration: each problem it
// reports must be one check reports with the database (the .err file),
// so that a CI pipeline never fails on what serve would accept; and it
// must find the mistakes that need no database (unknown keys, wrong
// types, SCIM attribute names, references).
func TestCheckOfflineFindsNothingCheckDoesNot(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid configs: %v", err)
	}
	dir := t.TempDir()
	t.Setenv("SCIMBRIDGE_TEST_UNSET_TOKEN", "")
	caught := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".err")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "${DSN}", unreachableDSN)), 0o600); err != nil {
			t.Fatal(err)
		}
		code, r := offlineReport(t, path)
		if code == exitOK {
			continue
		}
		if code != exitFailure || r.OK || len(r.Problems) == 0 {
			t.Errorf("%s: exit %d, %+v; want 1 with problems", name, code, r)
			continue
		}
		caught[name] = true
		for _, p := range r.Problems {
			p = strings.ReplaceAll(strings.ReplaceAll(p, unreachableDSN, "${DSN}"), dir+string(filepath.Separator), "")
			if !strings.Contains(string(want), p) {
				t.Errorf("%s: offline reports a problem check with the database does not:\n  %s\nwant only problems of:\n%s", name, p, want)
			}
		}
	}
	// Mistakes seen without a database, one of each kind.
	for _, name := range []string{
		"invalid-unknown-keys", "invalid-types", "invalid-yaml-indent", "invalid-key-typo", "invalid-server-limits", "invalid-values",
	} {
		if _, err := os.Stat(filepath.Join("testdata", name+".yaml")); err != nil {
			t.Errorf("testdata/%s.yaml: %v", name, err)
		} else if !caught[name] {
			t.Errorf("check -offline accepts testdata/%s.yaml", name)
		}
	}
	t.Logf("check -offline refuses %d of %d invalid configurations", len(caught), len(files))
}

// TestCheckOfflineExamples checks that every example's configuration
// passes check -offline without a database, that the text output says
// what was not checked, and that -strict still fails on a warning.
func TestCheckOfflineExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(exampleRoot, "examples", "*", "scimbridge.yaml"))
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	t.Setenv("SCIMBRIDGE_DSN", unreachableDSN) // serve's override, which check applies too
	for _, f := range files {
		code, r := offlineReport(t, f)
		if code != exitOK || !r.OK || len(r.Problems) > 0 || len(r.Resources) == 0 {
			t.Errorf("%s: check -offline: exit %d, %+v; want 0 and its resources", f, code, r)
		}
		for _, w := range r.Warnings {
			t.Errorf("%s: check -offline warns %q; offline, no warning about columns can be told", f, w)
		}
	}
	code, out, errs := run(t, "check", "-offline", "-config", files[0])
	if code != exitOK || !strings.Contains(out, "offline: not checked without a database: the database connection; tables, columns") || !strings.HasSuffix(out, ": OK\n") {
		t.Errorf("check -offline %s: exit %d\n%s%s", files[0], code, out, errs)
	}
	// A listen address in use is a warning offline too, and -strict
	// fails on it.
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if code, r := offlineReport(t, files[0], "-listen", held.Addr().String()); code != exitOK || len(r.Warnings) != 1 {
		t.Errorf("check -offline -listen (in use): exit %d, %+v; want 0 with a warning", code, r)
	}
	if code, r := offlineReport(t, files[0], "-strict", "-listen", held.Addr().String()); code != exitFailure || r.OK || !r.Strict {
		t.Errorf("check -offline -strict -listen (in use): exit %d, %+v; want 1", code, r)
	}
}
