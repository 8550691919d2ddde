package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// token is the bearer token the benchmark's sidecar accepts.
const token = "scimbench-token-0123456789abcdef"

// basePath is the sidecar's SCIM base path.
const basePath = "/scim/v2"

// sidecarConfig is the sidecar's configuration file for the scratch
// database at dsn. Logs are at the production default (info, a line per
// request); audit records are written, to the null device.
func sidecarConfig(dsn string) string {
	q, _ := json.Marshal(dsn)
	return `server:
  listen: 127.0.0.1:0
  basePath: ` + basePath + `
  tokens:
    - name: bench
      token: {value: ` + token + `}
telemetry:
  listen: 127.0.0.1:0
log: {format: json, level: info}
audit: {output: ` + os.DevNull + `}
database:
  type: mysql
  config:
    dsn: {value: ` + string(q) + `}
resources:` + mappingYAML
}

// sidecar is a running scimbridge.
type sidecar struct {
	base    string        // http://127.0.0.1:port/scim/v2
	startup time.Duration // from start to ready
	binary  string        // the binary run, or "" in-process
	size    int64         // of the binary
	built   string        // how the binary was obtained
	pid     int           // whose memory to report
	logPath string        // the binary's standard error
	stop    func() error
}

func (s *sidecar) describe() string {
	if s.binary == "" {
		return "in-process (cli.Build behind net/http on loopback)"
	}
	return fmt.Sprintf("%s (%s, %.1f MB), a child process on loopback", s.binary, s.built, float64(s.size)/1e6)
}

func startSidecar(ctx context.Context, o *options, dsn string, stderr io.Writer) (*sidecar, error) {
	if o.inProcess {
		return startInProcess(ctx, dsn)
	}
	return startBinary(ctx, o.binary, dsn, stderr)
}

// startInProcess wires the sidecar with cli.Build and serves it on a
// loopback port. Its requests run under the pprof label
// component=sidecar.
func startInProcess(ctx context.Context, dsn string) (*sidecar, error) {
	start := time.Now()
	cfg, err := cli.ParseConfig([]byte(sidecarConfig(dsn)))
	if err != nil {
		return nil, fmt.Errorf("sidecar config: %w", err)
	}
	// Every record is formatted, as the binary's logger formats it.
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})) //nolint:sloglint // not DiscardHandler: formatting is part of the cost
	sc, err := cli.Build(ctx, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("starting the sidecar: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sc.Close()
		return nil, err
	}
	labels := pprof.Labels("component", "sidecar")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), labels, func(ctx context.Context) { sc.Handler.ServeHTTP(w, r.WithContext(ctx)) })
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &sidecar{
		base:    "http://" + ln.Addr().String() + basePath,
		startup: time.Since(start),
		pid:     os.Getpid(),
		stop: func() error {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return errors.Join(srv.Shutdown(sctx), sc.Close())
		},
	}, nil
}

// buildBinary builds the production binary as make build does.
func buildBinary(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "scimbridge")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags",
		"-s -w -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Version=scimbench",
		"-o", out, "github.com/scimbridge/scimbridge/cmd/scimbridge")
	// The production build: CGO off, and none of the caller's GOFLAGS
	// (CI runs its tests with -race, which needs cgo).
	env := []string{"CGO_ENABLED=0", "GOFLAGS="}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOFLAGS=") && !strings.HasPrefix(kv, "CGO_ENABLED=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building scimbridge (run from the repository, or give -binary or -inprocess): %v\n%s", err, msg.String())
	}
	return out, nil
}

// startBinary runs the scimbridge binary (built first unless given) on a
// config in a temporary directory, and waits until /healthz/ready answers.
// Its standard error goes to a file there, read for the listener
// addresses.
func startBinary(ctx context.Context, bin, dsn string, stderr io.Writer) (s *sidecar, err error) {
	dir, err := os.MkdirTemp("", "scimbench")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	s = &sidecar{built: "given with -binary"}
	if bin == "" {
		fmt.Fprintln(stderr, "scimbench: building scimbridge with the flags of make build")
		if bin, err = buildBinary(ctx, dir); err != nil {
			return nil, err
		}
		s.built = "built with the flags of make build"
	}
	fi, err := os.Stat(bin)
	if err != nil {
		return nil, err
	}
	s.binary, s.size = bin, fi.Size()
	conf := filepath.Join(dir, "scimbridge.yaml")
	if err := os.WriteFile(conf, []byte(sidecarConfig(dsn)), 0o600); err != nil {
		return nil, err
	}
	s.logPath = filepath.Join(dir, "stderr.log")
	logf, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()

	cmd := exec.Command(bin, "serve", "-config", conf)
	cmd.Stderr = logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.pid = cmd.Process.Pid
	s.stop = func() error {
		defer os.RemoveAll(dir)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				return fmt.Errorf("scimbridge exited: %v%s", err, tail(s.logPath))
			}
			return nil
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			return errors.New("scimbridge did not stop within 30s of SIGTERM")
		}
	}
	defer func() {
		if err != nil {
			_ = s.stop()
		}
	}()

	// The "scimbridge started" line names both listeners; then
	// /healthz/ready says the database answers.
	var scimAddr, telAddr string
	deadline := time.Now().Add(30 * time.Second)
	for scimAddr == "" {
		select {
		case err := <-exited:
			exited <- err
			return nil, fmt.Errorf("scimbridge exited at start-up: %v%s", err, tail(s.logPath))
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("scimbridge did not start within 30s%s", tail(s.logPath))
		}
		scimAddr, telAddr = startedLine(s.logPath)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		res, err := client.Get("http://" + telAddr + "/healthz/ready")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("scimbridge was not ready within 30s%s", tail(s.logPath))
		}
		time.Sleep(time.Millisecond)
	}
	s.startup = time.Since(start)
	s.base = "http://" + scimAddr + basePath
	return s, nil
}

// startedLine returns the listener addresses from the "scimbridge started"
// log line, if it has been written.
func startedLine(path string) (scimAddr, telAddr string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			Msg       string `json:"msg"`
			SCIM      string `json:"scim"`
			Telemetry string `json:"telemetry"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "scimbridge started" {
			return l.SCIM, l.Telemetry
		}
	}
	return "", ""
}

// tail returns the end of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "; its log ends:\n" + string(b)
}

// logErrors counts the lines logged at ERROR level, and returns the first.
func logErrors(path string) (n int, first string) {
	f, err := os.Open(path)
	if err != nil {
		return 0, ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if bytes.Contains(sc.Bytes(), []byte(`"level":"ERROR"`)) {
			if n == 0 {
				first = sc.Text()
			}
			n++
		}
	}
	return n, first
}

// memory returns the peak and current resident set size of a process, in
// bytes, from /proc (Linux).
func memory(pid int) (peak, current int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmHWM":
			peak = n << 10
		case "VmRSS":
			current = n << 10
		}
	}
	return peak, current, nil
}
