package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
)

// TestFaultServeWaitsForDatabase starts serve while its database refuses
// connections (a fault proxy that is down): serve listens, answers SCIM
// requests with 503 and Retry-After and is not ready, logs each retry of
// compiling the mapping, and becomes ready and serves once the database
// answers. check, run by an operator, still fails at once.
func TestFaultServeWaitsForDatabase(t *testing.T) {
	t.Run("refusing connections", func(t *testing.T) {
		serveWaiting(t, (*faultproxy.Proxy).Down, func(p *faultproxy.Proxy) error { return p.Up() }, true)
	})
	// Its packets dropped: connections open but the server never greets.
	t.Run("not answering", func(t *testing.T) {
		serveWaiting(t, (*faultproxy.Proxy).StallAll, func(p *faultproxy.Proxy) error { p.Resume(); return nil }, false)
	})
}

// serveWaiting runs serve with its database made unavailable by down,
// checks that it waits, not ready, and, once back brings the database back,
// that it serves; with check set, also that check fails at once.
func serveWaiting(t *testing.T, down func(*faultproxy.Proxy), back func(*faultproxy.Proxy) error, check bool) {
	text := string(telemetryConfig(t, ""))
	m := regexp.MustCompile(`dsn: \{value: "([^"]+)"\}`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("no DSN in the test config")
	}
	dcfg, err := mysql.ParseDSN(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if dcfg.Net != "tcp" {
		t.Skip("the fault proxy needs a TCP server")
	}
	p, err := faultproxy.Start(dcfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	dcfg.Addr = p.Addr()
	text = strings.Replace(text, m[0], `dsn: {value: "`+dcfg.FormatDSN()+`"}`, 1)
	down(p)

	startRetry = func() (time.Duration, time.Duration, time.Duration) {
		return 50 * time.Millisecond, 200 * time.Millisecond, time.Second
	}
	t.Cleanup(func() { startRetry = nil })
	cfg, err := ParseConfig([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Listen, cfg.Telemetry.Listen = "127.0.0.1:0", "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type addrs struct{ scim, tel string }
	up := make(chan addrs, 1)
	served := make(chan error, 1)
	logs := new(syncBuffer)
	go func() { served <- Serve(ctx, cfg, logs, func(s, tel string) { up <- addrs{s, tel} }) }()
	var a addrs
	select {
	case a = <-up:
	case err := <-served:
		t.Fatalf("serve exited with the database down: %v\n%s", err, logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not listen with the database down\n%s", logs)
	}
	get := func(url string, auth bool) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+oktaToken)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	code, h, body := get("http://"+a.scim+"/scim/v2/Users", true)
	var doc map[string]any
	_ = json.Unmarshal([]byte(body), &doc)
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || doc["status"] != "503" {
		t.Errorf("SCIM request while the database is down: %d %v %s", code, h, body)
	}
	if code, _, body := get("http://"+a.tel+"/healthz/ready", false); code != http.StatusServiceUnavailable || !strings.Contains(body, "starting") {
		t.Errorf("/healthz/ready while the database is down: %d %s", code, body)
	}
	if code, _, _ := get("http://"+a.tel+"/healthz/live", false); code != http.StatusOK {
		t.Errorf("/healthz/live while the database is down: %d", code)
	}
	// Each attempt is logged, with why.
	for deadline := time.Now().Add(10 * time.Second); strings.Count(logs.String(), "serving 503 until it answers") < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("retries not logged:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), `"attempt":3`) {
		t.Errorf("the retries' log lines do not count attempts:\n%s", logs)
	}

	if check {
		// check does not wait.
		path := filepath.Join(t.TempDir(), "scimbridge.yaml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errw bytes.Buffer
		start := time.Now()
		if code := Main(context.Background(), []string{"check", "-config", path}, &out, &errw); code != exitFailure || !strings.Contains(errw.String(), "cannot connect") {
			t.Errorf("check with the database down: exit %d: %s%s", code, out.String(), errw.String())
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("check took %v with the database down", d)
		}
	}

	if err := back(p); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if code, _, _ := get("http://"+a.tel+"/healthz/ready", false); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready 20s after the database came back:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _, body := get("http://"+a.scim+"/scim/v2/Users/1", true); code != http.StatusOK {
		t.Errorf("SCIM request once the database answers: %d %s", code, body)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}
