package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/scim"
)

// The backoff between attempts to compile the mapping against a database
// that was unavailable at start-up, and the bound of one attempt.
const (
	startRetryFirst  = time.Second
	startRetryMax    = 30 * time.Second
	startAttemptTime = 15 * time.Second
)

// startRetry, when set by a test, replaces the backoff's first and
// largest wait and the bound of one attempt.
var startRetry func() (first, most, attempt time.Duration)

// startTimes returns the backoff's first and largest wait and the bound
// of one attempt.
func startTimes() (first, most, attempt time.Duration) {
	if startRetry != nil {
		return startRetry()
	}
	return startRetryFirst, startRetryMax, startAttemptTime
}

// waiting is the adapter of a sidecar still waiting for its database:
// it answers nothing, and readiness reports why.
type waiting struct {
	mu    sync.Mutex
	cause error
}

func (w *waiting) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fmt.Errorf("starting: the mapping is not compiled yet: %w", w.cause)
}

func (w *waiting) set(err error) {
	w.mu.Lock()
	w.cause = err
	w.mu.Unlock()
}

func (w *waiting) Describe(context.Context, adapters.Table) (adapters.TableInfo, error) {
	return adapters.TableInfo{}, w.err()
}
func (w *waiting) Store(adapters.TableSpec) (adapters.Store, error) { return nil, w.err() }
func (w *waiting) Ping(context.Context) error                       { return w.err() }
func (w *waiting) Close() error                                     { return nil }

// waitingSidecar is what serves while the database is unavailable at
// start-up: every SCIM request gets 503 with Retry-After, /healthz/live
// answers, /healthz/ready says why it is not ready, /metrics works.
func waitingSidecar(tel *telemetry, ad *waiting) *Sidecar {
	body, _ := json.Marshal(map[string]any{
		"schemas": []string{scim.ErrorSchema}, "status": "503",
		"detail": "scimbridge is starting: the application's database is unavailable; retry later",
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", scim.ContentType)
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(body)
	})
	return &Sidecar{Handler: h, Telemetry: tel.handler(), Registry: tel.reg, Adapter: ad, tel: tel, closeAudit: func() error { return nil }}
}

// awaitDatabase compiles cfg against the database again and again, with
// backoff, logging why each attempt failed, until it succeeds: the new
// sidecar then serves (swapped into sw, reporting into tel). It returns
// the sidecar, or an error when the config turns out to be wrong once the
// database answers (or ctx ends).
func awaitDatabase(ctx context.Context, cfg *Config, logger *slog.Logger, sw *switcher, tel *telemetry, ad *waiting) (*Sidecar, error) {
	wait, most, bound := startTimes()
	for attempt := 2; ; attempt++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		actx, cancel := context.WithTimeout(ctx, bound)
		sc, err := build(actx, cfg, logger, tel)
		cancel()
		var down *databaseDown
		switch {
		case err == nil:
			sc.tel.use(sc.Adapter)
			old := sw.cur.Load()
			sw.cur.Store(&generation{sc: sc})
			go retire(old, logger)
			logger.Info("the database answers: the mapping is compiled and scimbridge is ready", "attempt", attempt)
			return sc, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.As(err, &down):
			ad.set(down.cause)
			wait = min(2*wait, most)
			logger.Warn("the database is unavailable; serving 503 until it answers", "attempt", attempt, "retry_in", wait.String(), "err", down.cause)
		default:
			return nil, err
		}
	}
}
