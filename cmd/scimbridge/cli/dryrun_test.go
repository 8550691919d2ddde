package cli

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDryRun checks that with -dry-run every write answers as it would,
// is logged with its SQL, and leaves the database as it was.
func TestDryRun(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	cfg, err := ParseConfig([]byte(strings.ReplaceAll(checkConfig, "${DSN}", dsn)))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.setDryRun(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	sc, err := Build(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func() (n int) {
		if err := db.QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	req := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(`{"userName":"dry@example.com","name":{"givenName":"Dry"}}`))
	req.Header.Set("Authorization", "Bearer abc")
	req.Header.Set("Content-Type", "application/scim+json")
	w := httptest.NewRecorder()
	sc.Handler.ServeHTTP(w, req)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"userName":"dry@example.com"`) {
		t.Fatalf("dry-run create: %d %s", w.Code, w.Body.String())
	}
	if got := w.Header().Get(DryRunHeader); !strings.Contains(got, "nothing was stored") {
		t.Errorf("dry-run create: %s header %q, want it to say nothing was stored", DryRunHeader, got)
	}
	if after := count(); after != before {
		t.Errorf("dry run wrote: %d rows before, %d after", before, after)
	}
	for _, want := range []string{"dry run: would execute", "INSERT INTO `users`", "dry run: rolling back"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	// The log shows the statements, never the attribute values (personal
	// data): each parameter is its type and size.
	for _, value := range []string{"dry@example.com", "Dry"} {
		if strings.Contains(logs.String(), value) {
			t.Errorf("the dry-run log shows the value %q:\n%s", value, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "string(15)") {
		t.Errorf("the dry-run log does not describe the userName parameter as string(15):\n%s", logs.String())
	}
	// A read is answered as usual, without the header.
	req = httptest.NewRequest("GET", "/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer abc")
	w = httptest.NewRecorder()
	sc.Handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK || w.Header().Get(DryRunHeader) != "" {
		t.Errorf("dry-run GET: %d, %s header %q", w.Code, DryRunHeader, w.Header().Get(DryRunHeader))
	}
}
