package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckStrictAndJSON checks -strict (warnings fail the check) and
// -format json (one object for tools, for a good, a warned and a broken
// configuration).
func TestCheckStrictAndJSON(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	dir := t.TempDir()
	write := func(name, listen string) string {
		t.Helper()
		cfg := strings.ReplaceAll(checkConfig, "${DSN}", dsn)
		cfg = strings.Replace(cfg, "server:\n", "server:\n  listen: \""+listen+"\"\n", 1)
		cfg = strings.Replace(cfg, "    table: users\n", "    table: users\n    delete: refuse\n", 1) // no warning for want of it
		cfg += "telemetry:\n  listen: \"off\"\n"
		path := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := func(args ...string) (int, string, string) {
		var out, errw bytes.Buffer
		code := Main(context.Background(), args, &out, &errw)
		return code, out.String(), errw.String()
	}
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	warned := write("warned", held.Addr().String()) // in use: a warning
	clean := write("clean", "127.0.0.1:0")

	if code, out, errs := run("check", "-config", warned); code != exitOK || !strings.Contains(out, ": OK, with 1 warnings") {
		t.Errorf("check with a warning: exit %d, want 0:\n%s%s", code, out, errs)
	}
	if code, out, errs := run("check", "-strict", "-config", warned); code != exitFailure || !strings.Contains(out, "warning: server.listen: ") || !strings.Contains(out, ": FAILED under -strict: 1 warnings") {
		t.Errorf("check -strict with a warning: exit %d, want 1 and the warning:\n%s%s", code, out, errs)
	}
	if code, out, errs := run("check", "-strict", "-config", clean); code != exitOK || !strings.HasSuffix(out, clean+": OK\n") {
		t.Errorf("check -strict without warnings: exit %d, want 0:\n%s%s", code, out, errs)
	}

	decode := func(name, out string) checkReport {
		t.Helper()
		var r checkReport
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil || dec.More() {
			t.Fatalf("%s: output is not one JSON object (%v):\n%s", name, err, out)
		}
		return r
	}
	code, out, errs := run("check", "-format", "json", "-config", warned)
	r := decode("json, warned", out)
	if code != exitOK || !r.OK || r.Config != warned || len(r.Problems) != 0 || len(r.Warnings) != 1 ||
		!strings.HasPrefix(r.Warnings[0], "server.listen: ") || len(r.Resources) == 0 || r.Resources[0].Table == "" || len(r.Resources[0].Lines) == 0 || errs != "" {
		t.Errorf("check -format json with a warning: exit %d, %+v, stderr %q", code, r, errs)
	}
	code, out, _ = run("check", "-format", "json", "-strict", "-config", warned)
	if r := decode("json, strict", out); code != exitFailure || r.OK || !r.Strict || len(r.Warnings) != 1 {
		t.Errorf("check -format json -strict with a warning: exit %d, %+v", code, r)
	}
	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte("server:\n  frobnicate: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run("check", "-format", "json", "-config", broken)
	if r := decode("json, broken", out); code != exitFailure || r.OK || len(r.Problems) < 2 || !strings.Contains(strings.Join(r.Problems, "\n"), "frobnicate") || errs != "" {
		t.Errorf("check -format json of a broken config: exit %d, %+v, stderr %q", code, r, errs)
	}
	if code, out, errs := run("check", "-format", "yaml", "-config", clean); code != exitUsage || out != "" || !strings.Contains(errs, "expected text or json") {
		t.Errorf("check -format yaml: exit %d, %q %q; want a usage error", code, out, errs)
	}
}
