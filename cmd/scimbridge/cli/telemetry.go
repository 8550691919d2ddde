package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/instrument"
	"github.com/scimbridge/scimbridge/scim"
)

// readyTimeout bounds the database ping behind /healthz/ready and
// scimbridge_database_up.
const readyTimeout = 2 * time.Second

// configHashLen is how many hex digits of the config file's SHA-256 the
// hash label of scimbridge_config_info carries.
const configHashLen = 12

// configHash identifies a config file's bytes.
func configHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:configHashLen]
}

// telemetry is the operator's side of a sidecar: the metrics registry and
// the handler of the telemetry listener (/metrics, /healthz/live,
// /healthz/ready).
type telemetry struct {
	reg    *prometheus.Registry
	config *configMetrics
	store  *instrument.Metrics

	mu     sync.Mutex // guards the following fields
	ad     adapters.Adapter
	dbStat []prometheus.Collector // the pools' statistics
	// draining is set once shutdown has begun: /healthz/ready then fails,
	// so that load balancers stop sending requests while those in flight
	// finish.
	draining atomic.Bool
}

// newTelemetry creates a registry holding the process-wide metrics: Go
// runtime and process, build info, the database's pool and up gauge, the
// config metrics and the store metrics. The SCIM server adds its own.
func newTelemetry(ad adapters.Adapter) (*telemetry, error) {
	t := &telemetry{reg: prometheus.NewRegistry(), ad: ad}
	t.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: scim.Namespace, Name: "build_info",
		Help: "Always 1; labels carry the scimbridge version, its VCS revision (unknown if not recorded) and the Go version.",
	}, []string{"version", "revision", "goversion"})
	v := currentVersion()
	buildInfo.WithLabelValues(v.Version, orString(v.Commit, "unknown"), runtime.Version()).Set(1)
	t.reg.MustRegister(buildInfo)
	t.use(ad)
	t.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: scim.Namespace, Subsystem: "database", Name: "up",
		Help: "1 if the application's database answered a ping within 2 seconds at scrape time, else 0.",
	}, func() float64 {
		if t.ping(context.Background()) != nil {
			return 0
		}
		return 1
	}))
	t.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Namespace: scim.Namespace, Subsystem: "database", Name: "write_retries_total",
		Help: "Writes run again, whole, after a deadlock, lock-wait timeout or a cluster's certification failure (Galera's 1213).",
	}, func() float64 {
		t.mu.Lock()
		ad := t.ad
		t.mu.Unlock()
		if r, ok := ad.(adapters.RetryCounter); ok {
			return float64(r.Retries())
		}
		return 0
	}))
	t.config = newConfigMetrics(t.reg)
	var err error
	if t.store, err = instrument.NewMetrics(t.reg); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *telemetry) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	t.mu.Lock()
	ad := t.ad
	t.mu.Unlock()
	return ad.Ping(ctx)
}

// ready reports whether the database answers and takes writes (see
// adapters.Readier), within readyTimeout.
func (t *telemetry) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	t.mu.Lock()
	ad := t.ad
	t.mu.Unlock()
	if r, ok := ad.(adapters.Readier); ok {
		return r.Ready(ctx)
	}
	return ad.Ping(ctx)
}

// use points the database metrics and the readiness check at ad, the pool
// of the configuration now serving.
func (t *telemetry) use(ad adapters.Adapter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ad = ad
	for _, c := range t.dbStat {
		t.reg.Unregister(c)
	}
	t.dbStat = nil
	// The go_sql_* metrics: db_name="app" is the pool of reads (and of
	// writes, when they share it), "app_writes" that of write transactions.
	if p, ok := ad.(adapters.Pooler); ok {
		for _, pool := range p.Pools() {
			t.dbStat = append(t.dbStat, collectors.NewDBStatsCollector(pool.DB, pool.Name))
		}
	}
	for _, c := range t.dbStat {
		t.reg.MustRegister(c)
	}
}

// instrument wraps every store so that its calls are measured.
func (t *telemetry) instrument(dirs map[string]map[string]adapters.Store) {
	for _, stores := range dirs {
		for name, st := range stores {
			stores[name] = t.store.Store(name, st)
		}
	}
}

// handler serves the telemetry listener.
func (t *telemetry) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{Registry: t.reg}))
	mux.HandleFunc("GET /healthz/live", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /healthz/ready", func(w http.ResponseWriter, r *http.Request) {
		if t.draining.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if err := t.ready(r.Context()); err != nil {
			// Why, for the operator: unreachable, read-only, a Galera
			// node out of sync.
			msg := err.Error()
			if !errors.Is(err, adapters.ErrUnavailable) {
				msg = adapters.ErrUnavailable.Error() + ": " + msg
			}
			http.Error(w, msg, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// configMetrics report configuration loads. The load at start-up counts as
// the first successful reload; a later hot reload calls the same methods.
type configMetrics struct {
	reloads     *prometheus.CounterVec
	lastSuccess prometheus.Gauge
	successful  prometheus.Gauge
	info        *prometheus.GaugeVec
}

// Results of a configuration load, the result label.
const (
	reloadSuccess = "success"
	reloadFailure = "failure"
)

func newConfigMetrics(reg prometheus.Registerer) *configMetrics {
	m := &configMetrics{
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: scim.Namespace, Subsystem: "config", Name: "reloads_total",
			Help: "Configuration loads by result (success, failure); the load at start-up counts as one.",
		}, []string{"result"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: scim.Namespace, Subsystem: "config", Name: "last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load.",
		}),
		successful: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: scim.Namespace, Subsystem: "config", Name: "last_reload_successful",
			Help: "1 if the last configuration load succeeded, 0 if it failed and an older configuration is still running.",
		}),
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: scim.Namespace, Subsystem: "config", Name: "info",
			Help: "Always 1; hash is the start of the SHA-256 of the running configuration file.",
		}, []string{"hash"}),
	}
	m.reloads.WithLabelValues(reloadSuccess)
	m.reloads.WithLabelValues(reloadFailure)
	reg.MustRegister(m.reloads, m.lastSuccess, m.successful, m.info)
	return m
}

// loaded records that the configuration with this hash was loaded and is
// now running.
func (m *configMetrics) loaded(hash string, at time.Time) {
	m.reloads.WithLabelValues(reloadSuccess).Inc()
	m.lastSuccess.Set(float64(at.UnixNano()) / 1e9)
	m.successful.Set(1)
	m.info.Reset()
	m.info.WithLabelValues(hash).Set(1)
}

// failed records a configuration that was refused; the running one stays.
func (m *configMetrics) failed() {
	m.reloads.WithLabelValues(reloadFailure).Inc()
	m.successful.Set(0)
}

// Audit outputs other than a file path.
const (
	auditStdout = "stdout"
	auditStderr = "stderr"
	auditOff    = "off"
)

// AuditConfig says where the audit records of provisioning writes go: one
// JSON object per line for every create, replace, patch, delete,
// deactivation and reactivation, whatever its outcome.
type AuditConfig struct {
	// Output is stdout (default), stderr, off, or the path of a file the
	// records are appended to (created with mode 0600 if missing).
	Output string `yaml:"output"`
}

func (a *AuditConfig) validate() []string {
	if a.Output == "" {
		a.Output = auditStdout
	}
	return nil
}

// openAudit returns the audit logger the config asks for (nil for off) and
// a function that closes its file.
func openAudit(c AuditConfig) (*slog.Logger, func() error, error) {
	var w io.Writer
	closer := func() error { return nil }
	switch c.Output {
	case auditOff:
		return nil, closer, nil
	case "", auditStdout:
		w = os.Stdout
	case auditStderr:
		w = os.Stderr
	default:
		f, err := os.OpenFile(c.Output, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("audit.output: opening the audit log: %w", err)
		}
		w, closer = f, f.Close
	}
	return slog.New(slog.NewJSONHandler(w, nil)), closer, nil
}

// requestIDHandler adds the SCIM request id to every record logged with a
// request's context, unless the record has one already.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := scim.RequestID(ctx); id != "" {
		has := false
		r.Attrs(func(a slog.Attr) bool {
			has = a.Key == "request_id"
			return !has
		})
		if !has {
			r = r.Clone()
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
