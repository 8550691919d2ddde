package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// run runs Main and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := Main(context.Background(), args, &out, &errw)
	return code, out.String(), errw.String()
}

// TestHelpGolden pins what an operator sees for help and for usage
// mistakes (testdata/help/*.golden; go test -run TestHelpGolden -update
// rewrites them). Every spelling of a request for help must print the
// same text to stdout and exit 0; every usage mistake exits 2 with its
// message on stderr only.
func TestHelpGolden(t *testing.T) {
	cases := []struct {
		golden string
		code   int
		// argss are command lines that must all give the same output.
		argss [][]string
	}{
		{"help", 0, [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}}},
		{"serve", 0, [][]string{{"serve", "-h"}, {"serve", "--help"}, {"help", "serve"}, {"-config", "x.yaml", "-h"}, {"serve", "-dry-run", "-help"}}},
		{"check", 0, [][]string{{"check", "-h"}, {"check", "-config", "x.yaml", "--help"}, {"help", "check"}}},
		{"init", 0, [][]string{{"init", "-h"}, {"help", "init"}}},
		{"healthcheck", 0, [][]string{{"healthcheck", "-h"}, {"healthcheck", "-help"}, {"help", "healthcheck"}}},
		{"version-help", 0, [][]string{{"version", "-h"}, {"help", "version"}}},
		{"help-help", 0, [][]string{{"help", "-h"}, {"help", "help"}}},
		{"unknown-command", 2, [][]string{{"frobnicate"}, {"frobnicate", "-h"}, {"help", "frobnicate"}}},
		{"unknown-flag-serve", 2, [][]string{{"serve", "-frob"}, {"-frob"}, {"serve", "--frob"}}},
		{"unknown-flag-check", 2, [][]string{{"check", "-frob"}}},
		{"unknown-flag-healthcheck", 2, [][]string{{"healthcheck", "-frob"}}},
		{"extra-argument-serve", 2, [][]string{{"serve", "extra"}, {"serve", "-config", "x.yaml", "extra"}}},
		{"extra-argument-version", 2, [][]string{{"version", "extra"}, {"--version", "extra"}}},
		{"help-too-many", 2, [][]string{{"help", "serve", "check"}}},
		{"healthcheck-bad-url", 2, [][]string{{"healthcheck", "-url", "ftp://example.com/"}}},
		{"healthcheck-bad-timeout", 2, [][]string{{"healthcheck", "-timeout", "0s"}}},
		{"healthcheck-unparsable-timeout", 2, [][]string{{"healthcheck", "-timeout", "soon"}}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			var first string
			for i, args := range c.argss {
				code, stdout, stderr := run(t, args...)
				got, other, otherName := stdout, stderr, "stderr"
				if c.code != 0 {
					got, other, otherName = stderr, stdout, "stdout"
				}
				if code != c.code {
					t.Errorf("%q: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, c.code, stdout, stderr)
				}
				if other != "" {
					t.Errorf("%q: unexpected %s: %s", args, otherName, other)
				}
				if i == 0 {
					first = got
					checkGolden(t, filepath.Join("testdata", "help", c.golden+".golden"), got)
				} else if got != first {
					t.Errorf("%q differs from %q:\n%s\nwant:\n%s", args, c.argss[0], got, first)
				}
			}
		})
	}
}

// checkGolden compares got with the file, or rewrites it under -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestUsageErrorsAreOneLine checks the shape of every usage error: one
// line saying what is wrong, then one pointing at the help.
func TestUsageErrorsAreOneLine(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"serve", "-frob"}, {"check", "-frob"}, {"healthcheck", "x"}, {"version", "-x"}, {"help", "nope"}} {
		code, _, stderr := run(t, args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != 2 || len(lines) != 2 || !strings.HasPrefix(lines[1], "Run 'scimbridge help") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2, one error line and a pointer to scimbridge help", args, code, stderr)
		}
	}
}

// TestEveryCommandHasHelp checks the command table: every command is
// listed in the overview and answers -h with its own help.
func TestEveryCommandHasHelp(t *testing.T) {
	_, overview, _ := run(t, "help")
	for _, c := range commands() {
		if !strings.Contains(overview, "\n  "+c.name+" ") {
			t.Errorf("scimbridge help does not list %s:\n%s", c.name, overview)
		}
		code, stdout, stderr := run(t, c.name, "-h")
		if code != 0 || stderr != "" || !strings.Contains(strings.ToLower(stdout), "usage: scimbridge "+c.name) {
			t.Errorf("%s -h: exit %d, stdout %q, stderr %q", c.name, code, stdout, stderr)
		}
	}
}

// TestHelpFlagsAreAccepted checks that every flag a command's help lists
// is one the command really parses: given with a value, it must not be a
// usage error. A missing config file or an unusable DSN makes each run
// stop right after parsing, with exit 1.
func TestHelpFlagsAreAccepted(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	values := map[string]string{
		"config": missing, "dry-run": "true", "listen": ":8080", "telemetry-listen": ":9090",
		"log-level": "debug", "log-format": "json", "dsn": "not a dsn", "users-table": "users",
		"groups-table": "roles", "o": filepath.Join(t.TempDir(), "out.yaml"),
		"url": deadURL(t), "timeout": "1s", "format": "json", "strict": "true", "offline": "true",
		// init -locks prints a statement and succeeds without a database.
		"locks": "false", "apply": "false",
	}
	for _, c := range commands() {
		if c.flags == nil {
			continue
		}
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		fs.VisitAll(func(f *flag.Flag) {
			v, ok := values[f.Name]
			if !ok {
				t.Errorf("%s -%s: no test value for this flag", c.name, f.Name)
				return
			}
			args := []string{c.name, "-" + f.Name + "=" + v}
			if f.Name != "config" && c.name != "init" && c.name != "healthcheck" {
				args = append(args, "-config", missing)
			}
			if c.name == "healthcheck" && f.Name != "url" {
				args = append(args, "-url", deadURL(t))
			}
			if c.name == "init" && f.Name != "dsn" {
				args = append(args, "-dsn", "not a dsn")
			}
			if code, _, stderr := run(t, args...); code != exitFailure {
				t.Errorf("%q: exit %d, want %d (past flag parsing): %s", args, code, exitFailure, stderr)
			}
		})
	}
}

// TestVersionFrom checks where each part of the version line comes from.
func TestVersionFrom(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "abc1234def5678abc1234def5678abc1234def56"},
		{Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	dirty := append(append([]debug.BuildSetting(nil), vcs[:3]...), debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	goVer := runtime.Version()
	cases := []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"stamped, with VCS", "v1.2.3", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"scimbridge v1.2.3 (commit abc1234, 2026-11-30T10:00:00Z, go1.26.8)"},
		{"stamped wins over the module version", "v1.2.3", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.9.0"}},
			"scimbridge v1.2.3 (go1.26.8)"},
		{"go install module@version", unstamped, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}},
			"scimbridge v1.2.3 (go1.26.8)"},
		{"checkout: pseudo-version ignored", unstamped, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261130100000-abc1234def56+dirty"}, Settings: dirty},
			"scimbridge dev (commit abc1234+dirty, 2026-11-30T10:00:00Z, go1.26.8)"},
		{"checkout on a tag, stamped dev (as the Dockerfile does)", unstamped, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: vcs},
			"scimbridge dev (commit abc1234, 2026-11-30T10:00:00Z, go1.26.8)"},
		{"go test or go run", unstamped, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"scimbridge dev (go1.26.8)"},
		{"go install module@main: the pseudo-version's commit and time", unstamped, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261130100000-abc1234def56"}},
			"scimbridge v0.0.0-20261130100000-abc1234def56 (commit abc1234, 2026-11-30T10:00:00Z, go1.26.8)"},
		{"go install of a commit after a tag", unstamped, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.4-0.20261130100000-abc1234def56+incompatible"}},
			"scimbridge v1.2.4-0.20261130100000-abc1234def56+incompatible (commit abc1234, 2026-11-30T10:00:00Z, go1.26.8)"},
		{"no build info", unstamped, nil, "scimbridge dev (" + goVer + ")"},
		{"empty stamp", "", nil, "scimbridge dev (" + goVer + ")"},
	}
	for _, c := range cases {
		if got := versionFrom(c.stamped, c.bi).String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestServeWithoutConfig checks that serve (and check) without a config
// file say how to name one.
func TestServeWithoutConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("SCIMBRIDGE_CONFIG", "")
	for _, args := range [][]string{{"serve"}, {"check"}} {
		code, _, stderr := run(t, args...)
		if code != exitFailure || !strings.Contains(stderr, "scimbridge.yaml") || !strings.Contains(stderr, "-config FILE") || !strings.Contains(stderr, "SCIMBRIDGE_CONFIG") {
			t.Errorf("%q without a config: exit %d, %q; want 1 and a hint naming -config and SCIMBRIDGE_CONFIG", args, code, stderr)
		}
	}
}

// TestVersionStamp checks that a commit and date stamped with -ldflags -X
// (make build, the Dockerfile) are printed, over what the build
// information says, and that an empty stamp leaves it alone.
func TestVersionStamp(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc1234def5678abc1234def5678abc1234def56"},
		{Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	withVCS := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs}
	noVCS := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}
	cases := []struct {
		name, commit, date string
		bi                 *debug.BuildInfo
		want               string
	}{
		{"Dockerfile: no .git, stamped", "0123456789abcdef0123456789abcdef01234567", "2026-12-01T09:30:00Z", noVCS,
			"scimbridge v1.2.3 (commit 0123456, 2026-12-01T09:30:00Z, go1.26.8)"},
		{"make build: stamped as recorded keeps +dirty", "abc1234def5678abc1234def5678abc1234def56", "2026-11-30T10:00:00Z", withVCS,
			"scimbridge v1.2.3 (commit abc1234+dirty, 2026-11-30T10:00:00Z, go1.26.8)"},
		{"stamped commit other than recorded", "0123456789abcdef0123456789abcdef01234567", "", withVCS,
			"scimbridge v1.2.3 (commit 0123456, 2026-11-30T10:00:00Z, go1.26.8)"},
		{"empty stamps fall back to vcs", "", "", withVCS,
			"scimbridge v1.2.3 (commit abc1234+dirty, 2026-11-30T10:00:00Z, go1.26.8)"},
	}
	for _, c := range cases {
		if got := versionFrom("v1.2.3", c.bi).stamp(c.commit, c.date).String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	for _, v := range []string{"v1.2.3", "v0.0.0-2026113010000-abc1234def56", "v0.0.0-20261130100000-abc1234def5g", "v0.0.0-20261130100000-abc1234def567", "v0.0.0x20261130100000-abc1234def56"} {
		if c, d, ok := pseudoVersion(v); ok {
			t.Errorf("pseudoVersion(%q) = %q, %q; want not a pseudo-version", v, c, d)
		}
	}
}

// TestVersionCommand checks that version, -version and --version print
// the same line, the one currentVersion makes.
func TestVersionCommand(t *testing.T) {
	want := currentVersion().String() + "\n"
	if !strings.HasPrefix(want, "scimbridge "+Version+" (") {
		t.Fatalf("version line %q does not start with scimbridge %s", want, Version)
	}
	for _, args := range [][]string{{"version"}, {"-version"}, {"--version"}} {
		code, stdout, stderr := run(t, args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", args, code, stdout, stderr, want)
		}
	}
}
