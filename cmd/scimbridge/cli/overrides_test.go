package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parseOverrides parses override flags as serve does.
func parseOverrides(t *testing.T, env map[string]string, args ...string) *overrides {
	t.Helper()
	o := &overrides{getenv: func(k string) string { return env[k] }}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	o.define(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestOverridePrecedence checks flag > environment > file for every
// setting.
func TestOverridePrecedence(t *testing.T) {
	file := func() *Config {
		c := &Config{}
		c.Server.Listen = ":8080"
		c.Telemetry.Listen = "127.0.0.1:9090"
		c.Log = LogConfig{Format: "text", Level: "info"}
		return c
	}
	env := map[string]string{
		"SCIMBRIDGE_LISTEN": ":8181", "SCIMBRIDGE_TELEMETRY_LISTEN": ":9191",
		"SCIMBRIDGE_LOG_LEVEL": "warn", "SCIMBRIDGE_LOG_FORMAT": "json",
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want [4]string // server.listen, telemetry.listen, log.level, log.format
	}{
		{"file only", nil, nil, [4]string{":8080", "127.0.0.1:9090", "info", "text"}},
		{"environment over file", env, nil, [4]string{":8181", ":9191", "warn", "json"}},
		{"empty variable is unset", map[string]string{"SCIMBRIDGE_LISTEN": ""}, nil, [4]string{":8080", "127.0.0.1:9090", "info", "text"}},
		{"flags over environment", env, []string{"-listen", "127.0.0.1:0", "-telemetry-listen", "off", "-log-level", "debug", "-log-format", "text"},
			[4]string{"127.0.0.1:0", "off", "debug", "text"}},
		{"one flag, the rest from the environment", env, []string{"--log-level=error"}, [4]string{":8181", ":9191", "error", "json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := file()
			if err := parseOverrides(t, c.env, c.args...).apply(cfg, nil); err != nil {
				t.Fatal(err)
			}
			got := [4]string{cfg.Server.Listen, cfg.Telemetry.Listen, cfg.Log.Level, cfg.Log.Format}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestOverrideProblems checks that invalid overrides are reported as
// config problems, named by the flag or variable, together with the
// file's own problems, and that nothing invalid is applied.
func TestOverrideProblems(t *testing.T) {
	env := map[string]string{"SCIMBRIDGE_TELEMETRY_LISTEN": "9090", "SCIMBRIDGE_LOG_FORMAT": "xml", "SCIMBRIDGE_LOG_LEVEL": "info"}
	o := parseOverrides(t, env, "-listen", "localhost:http-ish", "-log-level", "loud")
	cfg := &Config{Log: LogConfig{Level: "warn", Format: "text"}}
	fileErr := configError([]string{`server.tokenz: unknown key "tokenz" (line 3)`})
	err := o.apply(cfg, fileErr)
	want := `invalid configuration (5 problems):
  server.tokenz: unknown key "tokenz" (line 3)
  -listen (overriding server.listen): invalid port "http-ish" in address "localhost:http-ish"; expected a number from 0 to 65535
  SCIMBRIDGE_TELEMETRY_LISTEN (overriding telemetry.listen): invalid address "9090": missing port in address; expected host:port, such as :8080 or 127.0.0.1:8080
  -log-level (overriding log.level): unknown level "loud"; expected debug, info, warn or error
  SCIMBRIDGE_LOG_FORMAT (overriding log.format): unknown format "xml"; expected text or json`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	if cfg.Log.Level != "warn" || cfg.Log.Format != "text" || cfg.Server.Listen != "" {
		t.Errorf("invalid overrides were applied: %+v %+v", cfg.Log, cfg.Server.Listen)
	}
	if fileErr.Error() == err.Error() {
		t.Error("the file's error was not extended")
	}

	// No problems in the file: the overrides' alone.
	err = parseOverrides(t, nil, "-listen", "").apply(&Config{}, nil)
	if err == nil || !strings.Contains(err.Error(), `invalid configuration (1 problem):
  -listen (overriding server.listen): invalid address "": missing port in address`) {
		t.Errorf("empty -listen: %v", err)
	}
	// A file that could not be read is reported as it is.
	readErr := errors.New("reading config: no such file")
	if err := parseOverrides(t, nil, "-log-level", "loud").apply(nil, readErr); err != readErr {
		t.Errorf("unreadable file: %v", err)
	}
	// Valid overrides add nothing.
	if err := parseOverrides(t, nil, "-listen", "[::1]:8443", "-telemetry-listen", "0.0.0.0:9090").apply(&Config{}, nil); err != nil {
		t.Errorf("valid addresses refused: %v", err)
	}
}

// TestServeOverrides runs serve on a config file whose listen addresses
// cannot be bound, overridden by a flag and an environment variable, and
// checks that the sidecar listens where those say, logs at the flag's
// level and format over the variable's, and is ready for healthcheck.
func TestServeOverrides(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	// 192.0.2.1 (TEST-NET-1) is no address of this machine: binding it
	// fails, so serve only starts if both overrides are applied.
	base := strings.ReplaceAll(checkConfig, "${DSN}", dsn)
	base = strings.Replace(base, "server:\n", "telemetry:\n  listen: 192.0.2.1:9090\nlog: {level: info, format: text}\nserver:\n  listen: 192.0.2.1:8080\n", 1)
	path := filepath.Join(t.TempDir(), "scimbridge.yaml")
	if err := os.WriteFile(path, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCIMBRIDGE_TELEMETRY_LISTEN", "127.0.0.1:0")
	t.Setenv("SCIMBRIDGE_LOG_LEVEL", "error")
	t.Setenv("SCIMBRIDGE_LOG_FORMAT", "json")
	t.Setenv("SCIMBRIDGE_LISTEN", "192.0.2.1:8081")

	logs := new(syncBuffer)
	addrs := make(chan [2]string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"-config", path, "-listen", "127.0.0.1:0", "-log-level", "info"}, logs,
			func(scim, tel string) { addrs <- [2]string{scim, tel} })
	}()
	var a [2]string
	select {
	case a = <-addrs:
	case code := <-done:
		t.Fatalf("serve exited %d:\n%s", code, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	if !strings.HasPrefix(a[0], "127.0.0.1:") || !strings.HasPrefix(a[1], "127.0.0.1:") {
		t.Errorf("listening on %q, want 127.0.0.1 from the overrides", a)
	}
	// info from the flag (over SCIMBRIDGE_LOG_LEVEL=error), json from
	// the environment (over the file's text).
	var started map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "scimbridge started") {
			if err := json.Unmarshal([]byte(line), &started); err != nil {
				t.Errorf("start record %q is not JSON: %v", line, err)
			}
		}
	}
	if started["level"] != "INFO" {
		t.Errorf("no JSON start record at level INFO in the logs:\n%s", logs.String())
	}
	if code, stdout, stderr := run(t, "healthcheck", "-url", "http://"+a[1]+readyPath); code != 0 {
		t.Errorf("healthcheck of the running sidecar: exit %d: %s%s", code, stdout, stderr)
	}
	t.Setenv("SCIMBRIDGE_TELEMETRY_LISTEN", a[1])
	if code, stdout, stderr := run(t, "healthcheck"); code != 0 {
		t.Errorf("healthcheck from SCIMBRIDGE_TELEMETRY_LISTEN: exit %d: %s%s", code, stdout, stderr)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d:\n%s", code, logs.String())
	}
	// A shutdown ends with a line saying the sidecar has stopped.
	if lines := strings.Split(strings.TrimSpace(logs.String()), "\n"); !strings.Contains(lines[len(lines)-1], `"msg":"scimbridge stopped"`) {
		t.Errorf("the last log line after a shutdown is %q, want scimbridge stopped", lines[len(lines)-1])
	}
	if code, _, _ := run(t, "healthcheck"); code != 1 {
		t.Errorf("healthcheck after shutdown: exit %d, want 1", code)
	}
}

// TestServeReportsBadOverrides checks that serve refuses an invalid
// override like any config problem: exit 1, with the flag's name.
func TestServeReportsBadOverrides(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	path := filepath.Join(t.TempDir(), "scimbridge.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(checkConfig, "${DSN}", dsn)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCIMBRIDGE_LOG_FORMAT", "yaml")
	code, _, stderr := run(t, "serve", "-config", path, "-log-level", "loud")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	for _, want := range []string{
		path + ": invalid configuration (2 problems):",
		`-log-level (overriding log.level): unknown level "loud"; expected debug, info, warn or error`,
		`SCIMBRIDGE_LOG_FORMAT (overriding log.format): unknown format "yaml"; expected text or json`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestCheckSeesOverrides checks that check applies the same overrides as
// serve: a bad -log-level or SCIMBRIDGE_LOG_LEVEL fails check, named by
// the flag or variable.
func TestCheckSeesOverrides(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	path := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(checkConfig, "${DSN}", dsn)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if code := runCheck(context.Background(), []string{"-config", path}, &out, &errw); code != exitOK {
		t.Fatalf("check of the good config: exit %d\n%s", code, errw.String())
	}
	errw.Reset()
	if code := runCheck(context.Background(), []string{"-config", path, "-log-level", "loud"}, &out, &errw); code != exitFailure || !strings.Contains(errw.String(), "-log-level (overriding log.level)") {
		t.Errorf("check -log-level loud: exit %d, %s", code, errw.String())
	}
	t.Setenv("SCIMBRIDGE_LOG_LEVEL", "loud")
	errw.Reset()
	if code := runCheck(context.Background(), []string{"-config", path}, &out, &errw); code != exitFailure || !strings.Contains(errw.String(), "SCIMBRIDGE_LOG_LEVEL") {
		t.Errorf("check with SCIMBRIDGE_LOG_LEVEL=loud: exit %d, %s", code, errw.String())
	}
}
