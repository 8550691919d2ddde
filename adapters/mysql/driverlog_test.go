package mysql

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// syncBuffer is a bytes.Buffer safe for the driver's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestDriverLogsAreStructured cuts the pool's idle connections under it:
// the driver, finding them broken, says so through the adapter's slog
// logger, as JSON records, rather than as plain "[mysql] ..." lines.
func TestDriverLogsAreStructured(t *testing.T) {
	dsn := mysqltest.NewDatabase(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Net != "tcp" {
		t.Skip("the fault proxy needs a TCP server")
	}
	p, err := faultproxy.Start(cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	cfg.Addr = p.Addr()
	var out syncBuffer
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	ad, err := (&Config{DSN: adapters.Secret{Value: cfg.FormatDSN()}}).Open(context.Background(), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ad.Close() })
	a := ad.(*Adapter)
	ctx := context.Background()
	if err := a.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	p.CutAll()
	// The pool's connection is broken: the driver logs finding it so
	// and the pool opens another.
	if err := a.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	logged := strings.TrimSpace(out.String())
	if logged == "" {
		t.Fatal("the driver logged nothing about the broken connection")
	}
	for _, line := range strings.Split(logged, "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON record: %q", line)
		}
		if rec["msg"] != "database driver" || rec["level"] != "WARN" || rec["detail"] == "" || rec["at"] == nil {
			t.Errorf("record %q, want a warning about the database driver with a detail and the driver's line", line)
		}
	}
	t.Logf("driver logged: %s", logged)
}
