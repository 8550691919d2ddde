package cli

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// reloadPoll is how often the config file is checked for changes.
const reloadPoll = 2 * time.Second

// generation is one loaded configuration serving requests.
type generation struct {
	sc *Sidecar

	mu     sync.RWMutex // held for reading by each request it serves
	closed bool         // guarded by mu
}

// switcher serves every request with the current generation. A reload
// swaps in a new one; requests already running finish on the one they
// started with, which closes once they are done.
type switcher struct {
	cur atomic.Pointer[generation]
}

func (s *switcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for {
		g := s.cur.Load()
		g.mu.RLock()
		if g.closed {
			// Retired between Load and RLock: take the new one.
			g.mu.RUnlock()
			continue
		}
		g.sc.Handler.ServeHTTP(w, r)
		g.mu.RUnlock()
		return
	}
}

// retire closes an old generation once its requests have finished. The
// telemetry stays: it belongs to the process.
func retire(g *generation, logger *slog.Logger) {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	if err := errors.Join(g.sc.Adapter.Close(), g.sc.closeAudit()); err != nil {
		logger.Warn("closing the previous configuration", "err", err)
	}
}

// reloader reloads the configuration on SIGHUP and when its file changes:
// the new configuration is validated and compiled against the database;
// only if all of it is good does it replace the running one. A bad one is
// logged with every problem, counted, and the running one stays.
type reloader struct {
	path   string
	sw     *switcher
	logger *slog.Logger
	last   []byte // the file's bytes as last loaded
	// building reports every reload attempt's result to tests.
	done func(err error)
}

func (rl *reloader) run(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(reloadPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			rl.reload(ctx, "SIGHUP")
		case <-tick.C:
			data, err := os.ReadFile(rl.path)
			if err != nil || bytes.Equal(data, rl.last) {
				continue
			}
			rl.reload(ctx, "file changed")
		}
	}
}

func (rl *reloader) reload(ctx context.Context, why string) {
	err := rl.try(ctx)
	if err != nil {
		rl.sw.cur.Load().sc.tel.config.failed()
		rl.logger.Error("configuration reload refused; the running configuration stays", "reason", why, "path", rl.path, "err", err)
	} else {
		rl.logger.Info("configuration reloaded", "reason", why, "path", rl.path)
	}
	if rl.done != nil {
		rl.done(err)
	}
}

func (rl *reloader) try(ctx context.Context) error {
	data, err := os.ReadFile(rl.path)
	if err != nil {
		return err
	}
	rl.last = data
	// As check and serve load it: positions, secrets resolved.
	cfg, err := loadConfig(rl.path)
	if err != nil {
		return allProblems(ctx, cfg, err)
	}
	old := rl.sw.cur.Load()
	sc, err := build(ctx, cfg, rl.logger, old.sc.tel)
	if err != nil {
		return err
	}
	sc.tel.use(sc.Adapter)
	rl.sw.cur.Store(&generation{sc: sc})
	go retire(old, rl.logger)
	return nil
}
