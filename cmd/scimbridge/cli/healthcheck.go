package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// readyPath is the readiness endpoint on the telemetry listener.
const readyPath = "/healthz/ready"

// defaultHealthcheckTimeout bounds one probe; Docker's HEALTHCHECK
// --timeout should be longer.
const defaultHealthcheckTimeout = 2 * time.Second

// healthcheckOptions are the flags of healthcheck.
type healthcheckOptions struct {
	url     string
	timeout time.Duration
	config  string
}

// define adds healthcheck's flags to fs.
func (o *healthcheckOptions) define(fs *flag.FlagSet) {
	fs.StringVar(&o.url, "url", "", "the readiness `URL` to GET (default http://ADDRESS"+readyPath+", ADDRESS the telemetry address)")
	fs.DurationVar(&o.timeout, "timeout", defaultHealthcheckTimeout, "give up after this `duration`")
	fs.StringVar(&o.config, "config", "", "read telemetry.listen from this configuration `file` (default $SCIMBRIDGE_CONFIG, else none)")
}

// runHealthcheck GETs the readiness endpoint of a running sidecar: exit 0
// on 200 OK, 1 otherwise. It never exits 2 for an unhealthy sidecar, as
// Docker reserves that code; only bad flags do.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o healthcheckOptions
	fs := newFlagSet("healthcheck")
	o.define(fs)
	if !parseFlags(fs, args, stderr) {
		return exitUsage
	}
	if o.url != "" {
		if err := checkProbeURL(o.url); err != nil {
			return usageError("healthcheck", stderr, "-url: %v", err)
		}
	}
	if o.timeout <= 0 {
		return usageError("healthcheck", stderr, "-timeout: must be positive, such as 2s")
	}
	target, err := o.target(os.Getenv)
	if err == nil {
		err = probe(ctx, target, o.timeout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge healthcheck: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s: ready\n", target)
	return exitOK
}

// target returns the URL to probe: -url, else /healthz/ready on the
// telemetry address of SCIMBRIDGE_TELEMETRY_LISTEN, of the config file, or
// the default.
func (o *healthcheckOptions) target(getenv func(string) string) (string, error) {
	if o.url != "" {
		return o.url, nil
	}
	addr, from := getenv("SCIMBRIDGE_TELEMETRY_LISTEN"), "SCIMBRIDGE_TELEMETRY_LISTEN"
	if addr == "" {
		path := o.config
		if path == "" {
			path = getenv("SCIMBRIDGE_CONFIG")
		}
		if path != "" {
			var err error
			if addr, err = telemetryListenOf(path); err != nil {
				return "", err
			}
			from = path + ": telemetry.listen"
		}
	}
	if addr == "" {
		addr, from = DefaultTelemetryListen, "the default telemetry address"
	}
	return readyURL(addr, from)
}

// telemetryListenOf reads telemetry.listen from a config file, ignoring
// the rest: a health check needs no secrets and no database.
func telemetryListenOf(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading config: %w", err)
	}
	var doc struct {
		Telemetry TelemetryConfig `yaml:"telemetry"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("%s: %s", path, yamlError(err))
	}
	return doc.Telemetry.Listen, nil
}

// readyURL turns a listen address into the URL of its readiness endpoint.
// An unspecified host is reached on the loopback interface. from says
// where addr came from, for errors.
func readyURL(addr, from string) (string, error) {
	if addr == "off" {
		return "", fmt.Errorf("telemetry is off (%s): there is no readiness endpoint to probe", from)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%s: invalid address %q: %v", from, addr, err)
	}
	if port == "0" || port == "" {
		return "", fmt.Errorf("%s: %q listens on a random port; pass -url", from, addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + readyPath, nil
}

// checkProbeURL checks that raw is an absolute http or https URL.
func checkProbeURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL", raw)
	}
	return nil
}

// probe GETs target and returns nil if it answers 200 OK. Redirects are
// not followed: only the endpoint's own answer counts.
func probe(ctx context.Context, target string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			if ue.Timeout() {
				return fmt.Errorf("%s: no answer within %s", target, timeout)
			}
			err = ue.Err
		}
		return fmt.Errorf("%s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		reason := strings.TrimSpace(strings.SplitN(string(body), "\n", 2)[0])
		if reason != "" {
			return fmt.Errorf("%s: not ready: %s: %s", target, resp.Status, reason)
		}
		return fmt.Errorf("%s: not ready: %s", target, resp.Status)
	}
	return nil
}
