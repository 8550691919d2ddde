package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deadURL returns a readiness URL on a loopback port that was free a
// moment ago and is closed now: nothing answers there.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + readyPath
}

// healthcheck runs `scimbridge healthcheck args...` with the telemetry
// address and config variables cleared unless the test sets them.
func healthcheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return run(t, append([]string{"healthcheck"}, args...)...)
}

// TestHealthcheckExitCodes probes fake endpoints: 200 is healthy (exit 0),
// anything else, no answer, or no answer in time is unhealthy (exit 1),
// with one line on stderr saying why.
func TestHealthcheckExitCodes(t *testing.T) {
	t.Setenv("SCIMBRIDGE_TELEMETRY_LISTEN", "")
	t.Setenv("SCIMBRIDGE_CONFIG", "")
	handler := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != readyPath || r.Method != http.MethodGet {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	ready := httptest.NewServer(handler(http.StatusOK, "ok\n"))
	defer ready.Close()
	draining := httptest.NewServer(handler(http.StatusServiceUnavailable, "shutting down\n"))
	defer draining.Close()
	redirect := httptest.NewServer(http.RedirectHandler(ready.URL+readyPath, http.StatusFound))
	defer redirect.Close()
	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(stop)

	cases := []struct {
		name    string
		args    []string
		code    int
		message string // in stderr, or in stdout when code is 0
	}{
		{"ready", []string{"-url", ready.URL + readyPath}, 0, ready.URL + readyPath + ": ready"},
		{"draining", []string{"-url", draining.URL + readyPath}, 1, "not ready: 503 Service Unavailable: shutting down"},
		{"wrong path", []string{"-url", ready.URL + "/nope"}, 1, "not ready: 404 Not Found"},
		{"redirect not followed", []string{"-url", redirect.URL + readyPath}, 1, "not ready: 302 Found"},
		{"server down", []string{"-url", deadURL(t)}, 1, "connection refused"},
		{"too slow", []string{"-url", slow.URL + readyPath, "-timeout", "200ms"}, 1, "no answer within 200ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, stdout, stderr := healthcheck(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout, stderr)
			}
			got, quiet := stderr, stdout
			if c.code == 0 {
				got, quiet = stdout, stderr
			}
			if !strings.Contains(got, c.message) || strings.Count(got, "\n") != 1 || quiet != "" {
				t.Errorf("stdout %q, stderr %q; want one line with %q", stdout, stderr, c.message)
			}
			if c.code != 0 && !strings.HasPrefix(stderr, "scimbridge healthcheck: ") {
				t.Errorf("stderr %q does not start with scimbridge healthcheck:", stderr)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestHealthcheckTarget checks where healthcheck looks without -url: the
// environment, then the config file, then the default, with unspecified
// hosts probed on loopback.
func TestHealthcheckTarget(t *testing.T) {
	dir := t.TempDir()
	conf := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Only telemetry.listen is read: the rest may be anything, even a
	// config that would not validate, with secrets from unset variables.
	withTelemetry := conf("tel.yaml", "telemetry:\n  listen: 0.0.0.0:9191\nserver:\n  tokens: [{name: x, token: {fromEnv: UNSET_FOR_TEST}}]\nbogus: 1\n")
	noTelemetry := conf("none.yaml", "server:\n  listen: :8080\n")
	off := conf("off.yaml", "telemetry: {listen: \"off\"}\n")
	random := conf("random.yaml", "telemetry: {listen: \"127.0.0.1:0\"}\n")
	broken := conf("broken.yaml", "telemetry: [\n")
	cases := []struct {
		name string
		opts healthcheckOptions
		env  map[string]string
		want string // the URL, or the error's text
		err  bool
	}{
		{"-url wins", healthcheckOptions{url: "http://127.0.0.2:1/x", config: withTelemetry}, map[string]string{"SCIMBRIDGE_TELEMETRY_LISTEN": ":9292"}, "http://127.0.0.2:1/x", false},
		{"environment over file", healthcheckOptions{config: withTelemetry}, map[string]string{"SCIMBRIDGE_TELEMETRY_LISTEN": ":9292"}, "http://127.0.0.1:9292/healthz/ready", false},
		{"-config file", healthcheckOptions{config: withTelemetry}, nil, "http://127.0.0.1:9191/healthz/ready", false},
		{"SCIMBRIDGE_CONFIG file", healthcheckOptions{}, map[string]string{"SCIMBRIDGE_CONFIG": withTelemetry}, "http://127.0.0.1:9191/healthz/ready", false},
		{"file without telemetry", healthcheckOptions{config: noTelemetry}, nil, "http://127.0.0.1:9090/healthz/ready", false},
		{"default", healthcheckOptions{}, nil, "http://127.0.0.1:9090/healthz/ready", false},
		{"named host kept", healthcheckOptions{}, map[string]string{"SCIMBRIDGE_TELEMETRY_LISTEN": "localhost:9090"}, "http://localhost:9090/healthz/ready", false},
		{"IPv6 unspecified", healthcheckOptions{}, map[string]string{"SCIMBRIDGE_TELEMETRY_LISTEN": "[::]:9090"}, "http://[::1]:9090/healthz/ready", false},
		{"telemetry off", healthcheckOptions{config: off}, nil, "telemetry is off (" + off + ": telemetry.listen)", true},
		{"random port", healthcheckOptions{config: random}, nil, "listens on a random port; pass -url", true},
		{"bad address", healthcheckOptions{}, map[string]string{"SCIMBRIDGE_TELEMETRY_LISTEN": "9090"}, `SCIMBRIDGE_TELEMETRY_LISTEN: invalid address "9090"`, true},
		{"missing file", healthcheckOptions{config: filepath.Join(dir, "missing.yaml")}, nil, "reading config:", true},
		{"broken file", healthcheckOptions{config: broken}, nil, broken + ":", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.opts.target(func(k string) string { return c.env[k] })
			switch {
			case c.err && err == nil:
				t.Errorf("target %q, want an error with %q", got, c.want)
			case c.err && !strings.Contains(err.Error(), c.want):
				t.Errorf("error %q, want one with %q", err, c.want)
			case !c.err && (err != nil || got != c.want):
				t.Errorf("target %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// TestHealthcheckFromEnvironment runs the command with no flags at all,
// as the Dockerfile's HEALTHCHECK does, with SCIMBRIDGE_TELEMETRY_LISTEN
// naming the listener as ":port".
func TestHealthcheckFromEnvironment(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != readyPath {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	t.Setenv("SCIMBRIDGE_CONFIG", "")
	t.Setenv("SCIMBRIDGE_TELEMETRY_LISTEN", ":"+port)
	if code, stdout, stderr := healthcheck(t); code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	srv.Close()
	if code, _, stderr := healthcheck(t); code != 1 || !strings.Contains(stderr, "127.0.0.1:"+port) {
		t.Fatalf("after the server stopped: exit %d, %s", code, stderr)
	}
}

// TestHealthcheckRealSidecar probes a real sidecar's telemetry handler:
// ready while the database answers, not ready while draining or with the
// database gone.
func TestHealthcheckRealSidecar(t *testing.T) {
	s := newTelemetrySidecar(t)
	url := s.tel.URL + readyPath
	if code, stdout, stderr := healthcheck(t, "-url", url); code != 0 {
		t.Fatalf("ready sidecar: exit %d: %s%s", code, stdout, stderr)
	}
	s.sc.Drain()
	if code, _, stderr := healthcheck(t, "-url", url); code != 1 || !strings.Contains(stderr, "503 Service Unavailable: shutting down") {
		t.Errorf("draining sidecar: exit %d, %s", code, stderr)
	}
	s.sc.tel.draining.Store(false)
	s.sc.Adapter.Close()
	if code, _, stderr := healthcheck(t, "-url", url); code != 1 || !strings.Contains(stderr, "database unavailable") {
		t.Errorf("sidecar without its database: exit %d, %s", code, stderr)
	}
}
