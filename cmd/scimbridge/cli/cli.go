package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/scim"
)

// Version, Commit and Date are set at build time with -ldflags
// "-X ...cli.Version=v1.2.3 -X ...cli.Commit=<sha> -X ...cli.Date=<RFC 3339>"
// (make build and the Dockerfile do). An empty Commit or Date falls back
// to what the Go toolchain recorded (vcs.revision, vcs.time, or a
// pseudo-version's commit and time).
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// shutdownGrace bounds how long in-flight requests may run after a stop
// signal.
const shutdownGrace = 25 * time.Second

// Main runs the command line args (without the program name) and returns
// the exit code: exitOK, exitFailure for a problem, exitUsage for bad
// usage. ctx is cancelled to stop a running server. Help goes to stdout;
// usage errors are one line on stderr with a pointer to the help.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			usage(stdout)
			return exitOK
		case "-version", "--version":
			args = append([]string{"version"}, args[1:]...)
		}
	}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	cmd, ok := lookupCommand(name)
	if !ok {
		return unknownCommand(name, stderr)
	}
	if wantsHelp(args) {
		cmd.printHelp(stdout)
		return exitOK
	}
	return cmd.run(ctx, args, stdout, stderr)
}

// configFlag parses the flags of a command that reads the config file:
// -config, and any others that define adds. It returns the config file's
// path (-config, else $SCIMBRIDGE_CONFIG, else scimbridge.yaml), or false
// after reporting a usage error on stderr.
func configFlag(name string, args []string, stderr io.Writer, define ...func(*flag.FlagSet)) (string, bool) {
	fs := newFlagSet(name)
	for _, d := range define {
		d(fs)
	}
	var path string
	defineConfigFlag(fs, &path)
	if !parseFlags(fs, args, stderr) {
		return "", false
	}
	return configPath(path), true
}

func openAdapter(ctx context.Context, logger *slog.Logger) func(adapters.Config) (adapters.Adapter, error) {
	return func(c adapters.Config) (adapters.Adapter, error) { return c.Open(ctx, logger) }
}

// runCheck loads, validates and compiles the config against the live
// database, and prints what each attribute maps to.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var ov overrides
	var co checkOutput
	path, ok := configFlag("check", args, stderr, ov.define, co.define)
	if !ok || !co.valid(stderr) {
		return exitUsage
	}
	cfg, err := readConfig(path, !co.offline)
	// check sees what serve would run with: the same overrides.
	err = ov.apply(cfg, err)
	if cfg == nil {
		return co.failed(stdout, stderr, path, err)
	}
	lp, warnings := listenProblems(listenKeys(cfg, &ov))
	err = withProblems(err, cfg.locate(lp))
	if co.offline {
		return checkOffline(ctx, cfg, err, co, stdout, stderr, path, warnings)
	}
	ad, m, err := cfg.compile(ctx, err, openAdapter(ctx, nil))
	if err != nil {
		return co.failed(stdout, stderr, path, err)
	}
	defer ad.Close()
	// A resource serve could not start: uniqueness that would not hold
	// on the engine found (GET_LOCK on a Galera node).
	var failed []string
	for _, r := range m.Resources() {
		if _, err := ad.Store(r.Spec); err != nil {
			failed = append(failed, fmt.Sprintf("resources.%s: %v", r.Name, err))
		}
	}
	if len(failed) > 0 {
		if co.format == "json" {
			return co.failed(stdout, stderr, path, configError(failed))
		}
		for _, f := range failed {
			fmt.Fprintf(stderr, "%s: %s\n", path, f)
		}
		return exitFailure
	}
	out := co.text(stdout)
	if e, ok := ad.(adapters.Enginer); ok && e.Engine() != "" {
		fmt.Fprintf(out, "database: %s\n", e.Engine())
	}
	warnings = slices.Concat(m.Warnings, warnings)
	if r, ok := ad.(adapters.Readier); ok {
		// A replica, a read-only primary after a failover, a Galera
		// node out of sync: serve would answer every write with 503.
		if err := r.Ready(ctx); err != nil {
			warnings = append(warnings, fmt.Sprintf("database: the server does not take writes now (%v): point the DSN at the writer (the primary, not a replica or a read-only endpoint)", err))
		}
	}
	for _, r := range m.Resources() {
		if r.IsFixed() {
			fmt.Fprintf(out, "%s -> values declared in the mapping (no table)\n", r.Name)
		} else {
			fmt.Fprintf(out, "%s -> table %s (key %s)\n", r.Name, r.Spec.Table, r.Spec.Key)
		}
		for _, l := range r.Describe() {
			fmt.Fprintf(out, "  %s\n", l)
		}
	}
	for _, r := range m.Resources() {
		info, ws := activeData(ctx, ad, r)
		if info != "" {
			fmt.Fprintf(out, "%s\n", info)
		}
		warnings = append(warnings, ws...)
		warnings = append(warnings, timeUnitData(ctx, ad, r)...)
	}
	return co.passed(stdout, path, m, warnings)
}

// maxActiveValues is how many stored values of the active column check
// lists.
const maxActiveValues = 20

// activeData reads the values stored in a resource's active column over
// the rows in scope (one grouped query) and reports how many rows read as
// active, with warnings for values the mapping names as neither true nor
// false: a mapping that passes check must not misread the application's
// accounts.
func activeData(ctx context.Context, ad adapters.Adapter, r *mapping.Resource) (string, []string) {
	col, ok := r.ActiveColumn()
	if !ok {
		return "", nil
	}
	st, err := ad.Store(r.Spec)
	if err != nil {
		return "", []string{fmt.Sprintf("resources.%s: cannot read the active column's values: %v", r.Name, err)}
	}
	vc, ok := st.(adapters.ValueCounter)
	if !ok {
		return "", nil
	}
	counts, more, err := vc.CountValues(ctx, col, maxActiveValues)
	if err != nil {
		return "", []string{fmt.Sprintf("resources.%s: cannot read the active column's values: %v", r.Name, err)}
	}
	return r.ActiveReport(counts, more)
}

// timeUnitData reads the least non-zero and greatest values of each
// integer time column over the rows in scope (one aggregate query each)
// and warns when they suggest the other unit: a seconds column holding
// milliseconds reads as dates tens of thousands of years away.
func timeUnitData(ctx context.Context, ad adapters.Adapter, r *mapping.Resource) []string {
	times := r.IntTimes()
	if len(times) == 0 {
		return nil
	}
	st, err := ad.Store(r.Spec)
	if err != nil {
		return []string{fmt.Sprintf("resources.%s: cannot read the time columns' values: %v", r.Name, err)}
	}
	ir, ok := st.(adapters.IntRanger)
	if !ok {
		return nil
	}
	var out []string
	for _, t := range times {
		least, greatest, found, err := ir.IntRange(ctx, t.Column)
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("%s: cannot read the values of column %s: %v", t.Path, t.Column, err))
		case found:
			if w := mapping.TimeUnitWarning(t, least, greatest); w != "" {
				out = append(out, w)
			}
		}
	}
	return out
}

// newLogger returns the logger the config asks for, writing to w. Records
// logged with a SCIM request's context carry its request id.
func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(orString(c.Level, "info")))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(requestIDHandler{slog.NewJSONHandler(w, opts)})
	}
	return slog.New(requestIDHandler{slog.NewTextHandler(w, opts)})
}

func orString(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// Ready is called by runServe once both listeners accept connections, with
// their addresses; tests and the demo use it.
type Ready func(scimAddr, telemetryAddr string)

func runServe(ctx context.Context, args []string, stderr io.Writer, ready Ready) int {
	var opts serveOptions
	path, ok := configFlag("serve", args, stderr, opts.define)
	if !ok {
		return exitUsage
	}
	cfg, err := loadConfig(path)
	err = opts.overrides.apply(cfg, err)
	if err == nil && opts.dryRun {
		err = cfg.setDryRun()
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", path, allProblems(ctx, cfg, err))
		return exitFailure
	}
	tuneServedGC()
	if err := Serve(ctx, cfg, stderr, ready); err != nil {
		fmt.Fprintf(stderr, "scimbridge: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// Sidecar is a wired scimbridge: the SCIM handler over an open database.
type Sidecar struct {
	// Handler serves the SCIM API.
	Handler http.Handler
	// Telemetry serves /metrics, /healthz/live and /healthz/ready.
	Telemetry http.Handler
	// Registry holds every metric.
	Registry *prometheus.Registry
	// Adapter is the open database; Close closes it.
	Adapter adapters.Adapter
	// Mapping is the compiled mapping.
	Mapping *mapping.Mapping

	tel        *telemetry
	closeAudit func() error
}

// Close releases the database pool and the audit log.
func (s *Sidecar) Close() error { return errors.Join(s.Adapter.Close(), s.closeAudit()) }

// Drain makes /healthz/ready fail from now on, so that load balancers stop
// sending requests before the sidecar stops.
func (s *Sidecar) Drain() { s.tel.draining.Store(true) }

// Build opens the database, compiles the mapping against it, opens the
// audit log and wires the SCIM server with a fresh metrics registry.
func Build(ctx context.Context, cfg *Config, logger *slog.Logger) (sc *Sidecar, err error) {
	return build(ctx, cfg, logger, nil)
}

// build is Build; with tel set (a reload), the new sidecar reports into
// the running one's telemetry, which the caller points at it (tel.use)
// once it serves.
func build(ctx context.Context, cfg *Config, logger *slog.Logger, tel *telemetry) (sc *Sidecar, err error) {
	ad, m, err := cfg.compile(ctx, nil, openAdapter(ctx, logger))
	if err != nil {
		return nil, err
	}
	if logger != nil {
		for _, w := range m.Warnings {
			logger.WarnContext(ctx, "mapping", "warning", w)
		}
	}
	defer func() {
		if err != nil {
			ad.Close()
		}
	}()
	if tel == nil {
		if tel, err = newTelemetry(ad); err != nil {
			return nil, err
		}
	}
	stores, err := buildStores(ad, m, cfg.Server.Directories())
	if err != nil {
		return nil, err
	}
	tel.instrument(stores)
	audit, closeAudit, err := openAudit(cfg.Audit)
	if err != nil {
		return nil, err
	}
	if cfg.dryRun() && audit != nil {
		// The writes it records are rolled back.
		audit = audit.With("dry_run", true)
	}
	srv, err := scim.NewServer(cfg.Server, m, stores, logger, tel.reg, scim.WithAudit(audit))
	if err != nil {
		_ = closeAudit()
		return nil, err
	}
	tel.config.loaded(cfg.hash, time.Now())
	var h http.Handler = srv
	if cfg.dryRun() {
		h = dryRunHeader(srv)
	}
	return &Sidecar{Handler: h, Telemetry: tel.handler(), Registry: tel.reg, Adapter: ad, Mapping: m, tel: tel, closeAudit: closeAudit}, nil
}

// DryRunHeader is the response header a dry run adds to the answer of
// every write, so that whoever reads a 201 or 200 (an operator replaying
// a request, an IdP's log) sees that nothing was stored.
const DryRunHeader = "Scimbridge-Dry-Run"

// dryRunHeader marks the answers to writes (POST, PUT, PATCH, DELETE) as
// rolled back.
func dryRunHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			w.Header().Set(DryRunHeader, "rolled back: nothing was stored")
		}
		next.ServeHTTP(w, r)
	})
}

// Serve runs the sidecar for cfg until ctx is cancelled, then shuts down
// gracefully: listeners stop accepting, in-flight requests finish.
func Serve(ctx context.Context, cfg *Config, logw io.Writer, ready Ready) error {
	logger := newLogger(cfg.Log, logw)
	sw := &switcher{}
	bctx, stop := context.WithCancel(ctx)
	var background sync.WaitGroup
	var stopping time.Time // when a started sidecar began to stop
	defer func() {
		// Stopped before the sidecar that serves last is closed.
		stop()
		background.Wait()
		if g := sw.cur.Load(); g != nil {
			g.sc.Close()
		}
		if !stopping.IsZero() {
			// The last line: listeners, requests in flight, the
			// database pool and the audit log are all done with.
			logger.Info("scimbridge stopped", "shutdown", time.Since(stopping).Round(time.Millisecond).String())
		}
	}()
	reload := func() {
		if cfg.path == "" {
			return
		}
		data, _ := os.ReadFile(cfg.path)
		rl := &reloader{path: cfg.path, sw: sw, logger: logger, last: data, done: reloaded}
		background.Go(func() { rl.run(bctx) })
	}
	// fatal hears a config found wrong once a database that was
	// unavailable at start-up answers.
	fatal := make(chan error, 1)
	// A database that does not answer at all (its packets dropped) is
	// waited for like one that refuses connections.
	_, _, bound := startTimes()
	actx, cancel := context.WithTimeout(ctx, bound)
	sc, err := Build(actx, cfg, logger)
	cancel()
	var down *databaseDown
	switch {
	case errors.As(err, &down):
		// The database is down, restarting or refusing connections:
		// serve 503, not ready, until it answers (check, run by an
		// operator, fails at once instead).
		ad := &waiting{cause: down.cause}
		tel, terr := newTelemetry(ad)
		if terr != nil {
			return terr
		}
		sc = waitingSidecar(tel, ad)
		logger.Warn("the database is unavailable at start-up; serving 503 until it answers", "err", down.cause)
		background.Go(func() {
			if _, err := awaitDatabase(bctx, cfg, logger, sw, tel, ad); err != nil {
				if bctx.Err() == nil {
					fatal <- err
				}
				return
			}
			reload()
		})
	case err != nil:
		return err
	default:
		reload()
	}
	sw.cur.Store(&generation{sc: sc})

	scimLn, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listening for SCIM (server.listen): %w", err)
	}
	if cfg.Server.TLS != nil {
		tc, err := cfg.Server.TLS.ServerConfig()
		if err != nil {
			scimLn.Close()
			return err
		}
		scimLn = tls.NewListener(scimLn, tc)
	}
	// ReadTimeout: a body trickled in slowly must not hold a connection
	// longer than the request itself may take.
	servers := []*http.Server{{Handler: sw, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: cfg.Server.RequestTimeout, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}}
	listeners := []net.Listener{scimLn}
	telAddr := ""
	if cfg.Telemetry.Listen != "off" {
		telLn, err := net.Listen("tcp", cfg.Telemetry.Listen)
		if err != nil {
			scimLn.Close()
			return fmt.Errorf("listening for telemetry (telemetry.listen): %w", err)
		}
		telAddr = telLn.Addr().String()
		servers = append(servers, &http.Server{Handler: sc.Telemetry, ReadHeaderTimeout: 10 * time.Second})
		listeners = append(listeners, telLn)
	}

	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	if cfg.dryRun() {
		logger.Warn("dry run: every write is logged and rolled back; nothing reaches the database")
	}
	logger.Info("scimbridge started", "version", currentVersion().Version, "scim", scimLn.Addr().String(),
		"base_path", cfg.Server.BasePath, "telemetry", telAddr, "tls", cfg.Server.TLS != nil)
	if ready != nil {
		ready(scimLn.Addr().String(), telAddr)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	case serveErr = <-fatal:
		logger.Error("the configuration cannot serve", "err", serveErr)
	}
	logger.Info("scimbridge stopping")
	stopping = time.Now()
	sw.cur.Load().sc.Drain()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	// The SCIM listener first: its requests in flight finish while the
	// telemetry listener still answers, not ready, to probes and scrapes.
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			logger.Warn("shutting down listener", "err", err)
		}
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// buildStores opens every resource's store once per directory, each with
// the directory's scope.
func buildStores(ad adapters.Adapter, m *mapping.Mapping, dirs []scim.Directory) (map[string]map[string]adapters.Store, error) {
	out := map[string]map[string]adapters.Store{}
	for _, d := range dirs {
		specs, probs := m.Specs(d.Scope)
		if len(probs) > 0 {
			return nil, fmt.Errorf("directory %s: %s", d.Name, strings.Join(probs, "; "))
		}
		out[d.Name] = map[string]adapters.Store{}
		for name, spec := range specs {
			st, err := ad.Store(spec)
			if err != nil {
				return nil, fmt.Errorf("opening store for %s: %w", name, err)
			}
			out[d.Name][name] = st
		}
	}
	return out, nil
}

// reloaded, when set by a test, hears the result of every reload.
var reloaded func(err error)
