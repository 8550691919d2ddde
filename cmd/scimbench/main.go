package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	mysqladapter "github.com/scimbridge/scimbridge/adapters/mysql"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command-line flags.
type options struct {
	dsn        string
	conc       int
	requests   int
	duration   time.Duration
	users      int
	sizes      []int
	growthN    int
	binary     string
	inProcess  bool
	cpuProfile string
	only       *regexp.Regexp
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("scimbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dsn, "dsn", "root@tcp(127.0.0.1:3306)/", "MySQL or MariaDB server (go-sql-driver DSN, no database): a scratch database is created and dropped on it")
	fs.IntVar(&o.conc, "c", 8, "concurrent clients in every comparison")
	fs.IntVar(&o.requests, "n", 3000, "requests per scenario, for each of raw SQL and the sidecar")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "longest a scenario runs, for each of raw SQL and the sidecar")
	fs.IntVar(&o.users, "users", 20000, "users in the directory for the comparisons (at least 100)")
	sizes := fs.String("sizes", "1000,100000", "directory sizes for the growth study, comma-separated; empty to skip it")
	fs.IntVar(&o.growthN, "growth-n", 300, "requests per measurement of the growth study (list pages: at least this many)")
	fs.StringVar(&o.binary, "binary", "", "scimbridge binary to run (default: build one with the flags of make build)")
	fs.BoolVar(&o.inProcess, "inprocess", false, "run the sidecar inside this process instead of as the binary")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (needs -inprocess; sidecar samples carry component=sidecar)")
	run := fs.String("run", "", "run only the scenarios whose names match this regular expression")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.conc < 1 || o.requests < 1 || o.duration <= 0 || o.users < 100 || o.growthN < 1 {
		return nil, errors.New("-c, -n, -d and -growth-n must be positive and -users at least 100")
	}
	for _, f := range strings.Split(*sizes, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n < 100 {
			return nil, fmt.Errorf("-sizes: %q is not a number of users of at least 100", f)
		}
		o.sizes = append(o.sizes, n)
	}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			return nil, fmt.Errorf("-run: %w", err)
		}
		o.only = re
	}
	if o.cpuProfile != "" && !o.inProcess {
		return nil, errors.New("-cpuprofile needs -inprocess: the sidecar must run in this process to be profiled")
	}
	if o.inProcess && o.binary != "" {
		return nil, errors.New("give -binary or -inprocess, not both")
	}
	return o, nil
}

// run runs the benchmark with the command-line args and returns the exit
// code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "scimbench: %v\n", err)
		}
		return 2
	}
	if err := bench(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "scimbench: %v\n", err)
		return 1
	}
	return 0
}

func bench(ctx context.Context, o *options, stdout, stderr io.Writer) (err error) {
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	db, err := createScratch(ctx, o.dsn)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.drop()) }()
	if err := db.createSchema(ctx); err != nil {
		return err
	}

	sc, err := startSidecar(ctx, o, db.dsn, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sc.stop()) }()

	raw, err := openRaw(db.dsn)
	if err != nil {
		return err
	}
	defer raw.Close()

	cpus := runtime.NumCPU()
	fmt.Fprintf(stdout, "scimbench: %s on %s; %d CPUs, load average %s; sidecar %s\n", db.version, db.addr, cpus, loadAverage(), sc.describe())
	fmt.Fprintf(stdout, "comparison: %d clients, %d requests or %v per scenario and side, %d users\n\n", o.conc, o.requests, o.duration, o.users)

	b := &bencher{o: o, db: db, raw: raw, http: newClient(sc.base, o.conc), out: stdout, cpu: newCPUMeter(ctx, db.admin, db.addr, sc.pid)}
	if err := b.compare(ctx); err != nil {
		return err
	}
	if len(o.sizes) > 0 {
		if err := b.growth(ctx); err != nil {
			return err
		}
	}
	b.resources(sc)
	return nil
}

// openRaw opens the baseline's pool: the DSN the sidecar's adapter would
// use for the same database, with the adapter's default pool settings.
func openRaw(dsn string) (*sql.DB, error) {
	cfg := mysqladapter.Config{DSN: adapters.Secret{Value: dsn}}
	full, err := cfg.FormatDSN()
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("mysql", full)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(mysqladapter.DefaultMaxOpenConns)
	db.SetMaxIdleConns(mysqladapter.DefaultMaxIdleConns)
	db.SetConnMaxLifetime(mysqladapter.DefaultConnMaxLifetime)
	return db, nil
}

// loadAverage returns the one-minute load average (Linux), to tell a run
// on a busy machine.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
