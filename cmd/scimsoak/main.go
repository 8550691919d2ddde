package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const token = "soak-token-0123456789abcdef"

type options struct {
	dsn      string
	duration time.Duration
	clients  int
	users    int
	groups   int
	keep     bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := options{}
	fs := flag.NewFlagSet("scimsoak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := os.Getenv("SCIMBRIDGE_TEST_DSN")
	if def == "" {
		def = "root@tcp(127.0.0.1:3306)/"
	}
	fs.StringVar(&o.dsn, "dsn", def, "MySQL or MariaDB server (go-sql-driver DSN, no database; default $SCIMBRIDGE_TEST_DSN): a scratch database is created and dropped on it")
	fs.DurationVar(&o.duration, "duration", 3*time.Minute, "how long the load runs")
	fs.IntVar(&o.clients, "clients", 16, "concurrent clients")
	fs.IntVar(&o.users, "users", 2000, "users the application has before the load")
	fs.IntVar(&o.groups, "groups", 20, "roles (SCIM groups) the application has before the load")
	fs.BoolVar(&o.keep, "keep", false, "keep the scratch database")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.clients < 1 || o.users < 10 || o.groups < 1 || o.duration <= 0 {
		fmt.Fprintln(stderr, "scimsoak: -clients, -groups and -duration must be positive and -users at least 10")
		return 2
	}
	rep, err := soak(ctx, o, stderr)
	if rep != nil {
		rep.print(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scimsoak: %v\n", err)
		return 1
	}
	if fails := rep.failures(); len(fails) > 0 {
		fmt.Fprintf(stdout, "\nFAIL: %s\n", strings.Join(fails, "; "))
		return 1
	}
	fmt.Fprintln(stdout, "\nPASS")
	return 0
}

// scratch is the scratch database.
type scratch struct {
	admin *sql.DB
	db    *sql.DB
	name  string
	dsn   string
}

func createScratch(ctx context.Context, dsn string) (*scratch, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("-dsn: %w", err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("connecting to %s: %w", cfg.Addr, err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	s := &scratch{admin: admin, name: "scimsoak_" + hex.EncodeToString(b[:])}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+s.name+"`"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("creating the scratch database: %w", err)
	}
	cfg.DBName = s.name
	cfg.MultiStatements = true
	cfg.ParseTime = true
	s.dsn = cfg.FormatDSN()
	if s.db, err = sql.Open("mysql", s.dsn); err != nil {
		s.drop()
		return nil, err
	}
	return s, nil
}

func (s *scratch) drop() {
	if s.db != nil {
		s.db.Close()
	}
	_, _ = s.admin.Exec("DROP DATABASE IF EXISTS `" + s.name + "`")
	s.admin.Close()
}

const schema = `
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  email VARCHAR(190) NULL,
  first_name VARCHAR(50) NULL,
  last_name VARCHAR(50) NULL,
  display_name VARCHAR(120) NULL,
  okta_id VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'active',
  password_hash VARCHAR(255) NOT NULL,
  created_at DATETIME NULL,
  updated_at DATETIME NULL,
  KEY users_login (login)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE roles (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  UNIQUE KEY roles_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE user_roles (
  user_id INT NOT NULL,
  role_id INT NOT NULL,
  PRIMARY KEY (role_id, user_id),
  KEY user_roles_user (user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
`

const mappingYAML = `resources:
  User:
    table: users
    attributes:
      userName: login
      externalId: okta_id
      name.givenName: first_name
      name.familyName: last_name
      displayName: display_name
      emails: {column: email, type: work}
      active: {column: status, trueValue: active, falseValue: disabled}
      meta.created: created_at
      meta.lastModified: updated_at
    defaults:
      password_hash: "!"
    delete: deactivate
  Group:
    table: roles
    attributes:
      displayName: name
    members:
      table: user_roles
      group: role_id
      user: user_id
`

func (s *scratch) load(ctx context.Context, users, groups int) error {
	if _, err := s.db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("loading the schema: %w", err)
	}
	for start := 0; start < users; start += 500 {
		var rows []string
		for i := start; i < min(users, start+500); i++ {
			rows = append(rows, fmt.Sprintf("('app.user%05d@example.com','app.user%05d@example.com','App','User %d','!',NOW())", i, i, i))
		}
		if _, err := s.db.ExecContext(ctx, "INSERT INTO users (login, email, first_name, last_name, password_hash, created_at) VALUES "+strings.Join(rows, ",")); err != nil {
			return fmt.Errorf("loading users: %w", err)
		}
	}
	var rows []string
	for g := range groups {
		rows = append(rows, fmt.Sprintf("('role-%02d')", g))
	}
	if _, err := s.db.ExecContext(ctx, "INSERT INTO roles (name) VALUES "+strings.Join(rows, ",")); err != nil {
		return fmt.Errorf("loading roles: %w", err)
	}
	// Every user starts in one role.
	_, err := s.db.ExecContext(ctx, fmt.Sprintf("INSERT INTO user_roles (user_id, role_id) SELECT id, 1 + id %% %d FROM users", groups))
	return err
}

func soak(ctx context.Context, o options, stderr io.Writer) (*report, error) {
	sc, err := createScratch(ctx, o.dsn)
	if err != nil {
		return nil, err
	}
	if o.keep {
		defer func() { sc.db.Close(); sc.admin.Close() }()
		fmt.Fprintf(stderr, "scimsoak: keeping database %s\n", sc.name)
	} else {
		defer sc.drop()
	}
	if err := sc.load(ctx, o.users, o.groups); err != nil {
		return nil, err
	}
	cfgText := fmt.Sprintf(`server:
  listen: 127.0.0.1:0
  tokens:
    - {name: okta, token: {value: %s}}
  authThrottle: {maxFailures: -1}
telemetry: {listen: "127.0.0.1:0"}
log: {level: warn}
audit: {output: off}
database:
  type: mysql
  config:
    dsn: {value: %q}
%s`, token, sc.dsn, mappingYAML)
	cfg, err := cli.ParseConfig([]byte(cfgText))
	if err != nil {
		return nil, err
	}

	baseline := settledGoroutines(0)
	logs := &countingWriter{}
	sctx, stopSidecar := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSidecar()
	ready := make(chan [2]string, 1)
	served := make(chan error, 1)
	go func() { served <- cli.Serve(sctx, cfg, logs, func(a, t string) { ready <- [2]string{a, t} }) }()
	var addr, telemetry string
	select {
	case a := <-ready:
		addr, telemetry = a[0], a[1]
	case err := <-served:
		return nil, fmt.Errorf("starting the sidecar: %v\n%s", err, logs)
	}
	base := "http://" + addr + "/scim/v2"

	rep := &report{opts: o, db: sc.name, server: serverVersion(sc.db), started: time.Now()}
	// Warm up with as many clients as the load has, so that the
	// database pools hold their idle connections (each has a goroutine in
	// the driver, and each pool a cleaner once it has had one), then count
	// the idle sidecar's goroutines. Reads and writes have a pool each:
	// the warm-up writes too.
	var warm sync.WaitGroup
	for i := range o.clients {
		warm.Add(1)
		go func() {
			defer warm.Done()
			c := newClient(-i, base, o.users, o.groups)
			for range 20 {
				_, _ = c.do(ctx, "GET", "/Users?filter="+q(`userName eq "`+c.appUser().name+`"`), "", nil)
			}
			for range 5 {
				_, _, _ = c.patchActive(ctx)
			}
			c.close()
		}()
	}
	warm.Wait()
	rep.goroutinesBefore = settledGoroutines(0)
	rep.connsBefore = openConnections(telemetry)

	sampler := startSampler()
	// lctx ends the load: each client finishes the request it is
	// sending (they are never cancelled, so that every write the
	// database holds was acknowledged) and stops.
	lctx, stopLoad := context.WithTimeout(ctx, o.duration)
	clients := make([]*client, o.clients)
	var wg sync.WaitGroup
	for i := range clients {
		clients[i] = newClient(i+1, base, o.users, o.groups)
		wg.Add(1)
		go func() { defer wg.Done(); clients[i].loop(lctx, context.WithoutCancel(ctx)) }()
	}
	progress := time.NewTicker(30 * time.Second)
	go func() {
		for {
			select {
			case <-progress.C:
				var n int64
				for _, c := range clients {
					n += c.count.Load()
				}
				fmt.Fprintf(stderr, "scimsoak: %s, %d requests\n", time.Since(rep.started).Round(time.Second), n)
			case <-lctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	stopLoad()
	progress.Stop()
	rep.elapsed = time.Since(rep.started)
	for _, c := range clients {
		c.close()
		rep.add(c)
	}
	// The idle sidecar again, its clients gone: the goroutine count must
	// come back to what it was before the load.
	rep.heapPeak, rep.goroutinesPeak = sampler.stop()
	rep.goroutinesAfter = settledGoroutines(rep.goroutinesBefore)
	rep.connsAfter = openConnections(telemetry)
	if rep.goroutinesAfter-rep.connsAfter > rep.goroutinesBefore-rep.connsBefore {
		// Let a few more seconds pass before calling it a leak.
		rep.goroutinesAfter = settledGoroutines(rep.goroutinesBefore - rep.connsBefore + rep.connsAfter)
	}
	if rep.goroutinesAfter-rep.connsAfter > rep.goroutinesBefore-rep.connsBefore {
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		rep.goroutineDump = b.String()
	}
	rep.check(ctx, sc.db, clients)

	stopSidecar()
	select {
	case err := <-served:
		if err != nil {
			rep.problems = append(rep.problems, "shutdown: "+err.Error())
		}
	case <-time.After(30 * time.Second):
		rep.problems = append(rep.problems, "the sidecar did not stop within 30s")
	}
	rep.goroutinesBaseline = baseline
	rep.goroutinesStopped = settledGoroutines(baseline)
	rep.rssPeak = vmHWM()
	rep.logErrors = logs.errors.Load()
	if rep.logErrors > 0 {
		rep.logSample = logs.errorLines(5)
	}
	return rep, nil
}

// openConnections scrapes the sidecar's database pools' size from its
// telemetry listener, or returns 0.
func openConnections(telemetry string) int {
	// No keep-alive: an idle connection would show as goroutines.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := hc.Get("http://" + telemetry + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	open := 0 // of every pool: reads' and writes'
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "go_sql_open_connections{") {
			n, _ := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
			open += int(n)
		}
	}
	return open
}

// settledGoroutines waits up to 10s for the goroutine count to come down
// to want (0: just for it to stop changing) and returns it.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		m := runtime.NumGoroutine()
		if (want > 0 && m <= want) || (want == 0 && m == n) {
			return m
		}
		n = m
	}
	return n
}

func serverVersion(db *sql.DB) string {
	var v string
	_ = db.QueryRow("SELECT VERSION()").Scan(&v)
	return v
}

// countingWriter keeps the sidecar's log and counts its error lines.
type countingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	errors atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.errors.Add(int64(bytes.Count(p, []byte("level=ERROR"))))
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() < 1<<20 {
		w.buf.Write(p)
	}
	return len(p), nil
}

// errorLines returns the first n ERROR lines logged.
func (w *countingWriter) errorLines(n int) []string {
	var out []string
	for _, l := range strings.Split(w.String(), "\n") {
		if strings.Contains(l, "level=ERROR") && len(out) < n {
			out = append(out, l)
		}
	}
	return out
}

func (w *countingWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// sampler records the largest heap and goroutine count seen.
type sampler struct {
	stopc        chan struct{}
	done         chan struct{}
	heap         uint64
	maxGoroutine int
}

func startSampler() *sampler {
	s := &sampler{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			s.heap = max(s.heap, ms.HeapInuse)
			s.maxGoroutine = max(s.maxGoroutine, runtime.NumGoroutine())
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) stop() (uint64, int) {
	close(s.stopc)
	<-s.done
	return s.heap, s.maxGoroutine
}

// vmHWM is the process's peak resident set size (Linux), or 0.
func vmHWM() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
