package cli

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHotReload edits the config file under a running sidecar: a good
// change is picked up without a restart, a bad one is refused with the old
// configuration still serving, and the config metrics say so.
func TestHotReload(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	base := strings.ReplaceAll(checkConfig, "${DSN}", dsn)
	base = strings.Replace(base, "server:\n", "telemetry:\n  listen: 127.0.0.1:0\nserver:\n  listen: 127.0.0.1:0\n", 1)
	path := filepath.Join(t.TempDir(), "scimbridge.yaml")
	if err := os.WriteFile(path, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 4)
	reloaded = func(err error) { results <- err }
	defer func() { reloaded = nil }()
	addrs := make(chan [2]string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"-config", path}, io.Discard, func(scim, tel string) { addrs <- [2]string{scim, tel} })
	}()
	var a [2]string
	select {
	case a = <-addrs:
	case code := <-done:
		t.Fatalf("serve exited %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	get := func(url string) string {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer abc")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	user := "http://" + a[0] + "/scim/v2/Users/1"
	if body := get(user); strings.Contains(body, "displayName") {
		t.Fatalf("displayName before it is mapped: %s", body)
	}
	wait := func(what string) error {
		select {
		case err := <-results:
			return err
		case <-time.After(15 * time.Second):
			t.Fatalf("no reload after %s", what)
		}
		return nil
	}
	// A good change: map displayName.
	good := strings.Replace(base, "      userName: login\n", "      userName: login\n      displayName: display_name\n", 1)
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := wait("a good change"); err != nil {
		t.Fatalf("good config refused: %v", err)
	}
	if body := get(user); !strings.Contains(body, `"displayName":"Alice Archer"`) {
		t.Errorf("after reload: %s", body)
	}
	// A bad change: refused, the good one keeps serving.
	bad := strings.Replace(good, "display_name", "display_nme", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := wait("a bad change"); err == nil || !strings.Contains(err.Error(), `column "display_nme" not in table users`) {
		t.Fatalf("bad config: %v", err)
	}
	if body := get(user); !strings.Contains(body, `"displayName":"Alice Archer"`) {
		t.Errorf("after a refused reload: %s", body)
	}
	metrics := get("http://" + a[1] + "/metrics")
	for _, want := range []string{
		`scimbridge_config_reloads_total{result="success"} 2`,
		`scimbridge_config_reloads_total{result="failure"} 1`,
		"scimbridge_config_last_reload_successful 0",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
}
