package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// monitoringDir holds the example dashboard and alerting rules.
var monitoringDir = filepath.Join(exampleRoot, "examples", "monitoring")

// dashboard is the part of a Grafana dashboard these tests read.
type dashboard struct {
	Title  string `json:"title"`
	UID    string `json:"uid"`
	Panels []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		GridPos struct {
			X, Y, W, H int
		} `json:"gridPos"`
		Targets []struct {
			Expr  string `json:"expr"`
			RefID string `json:"refId"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

// rulesFile is the part of a Prometheus rules file these tests read.
type rulesFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert string `yaml:"alert"`
			Expr  string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// monitoringQueries returns every PromQL expression of the dashboard and
// of the rules files, each with where it comes from. Dashboard variables
// are replaced as Grafana would ($__rate_interval by 1m, $directory by
// the all value).
func monitoringQueries(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	dashboards, _ := filepath.Glob(filepath.Join(monitoringDir, "*.dashboard.json"))
	rules, _ := filepath.Glob(filepath.Join(monitoringDir, "*.rules.yml"))
	if len(dashboards) == 0 || len(rules) == 0 {
		t.Fatalf("examples/monitoring has %d dashboards and %d rules files, want at least one of each", len(dashboards), len(rules))
	}
	grafana := strings.NewReplacer("$__rate_interval", "1m", "$directory", ".*", "$job", "scimbridge", "$namespace", ".*", "$instance", ".*")
	for _, f := range dashboards {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ids := map[int]bool{}
		for _, p := range d.Panels {
			where := fmt.Sprintf("%s: panel %q", filepath.Base(f), p.Title)
			if ids[p.ID] {
				t.Errorf("%s: id %d used twice", where, p.ID)
			}
			ids[p.ID] = true
			if p.GridPos.W <= 0 || p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H <= 0 {
				t.Errorf("%s: gridPos %+v does not fit the 24 columns", where, p.GridPos)
			}
			if p.Type == "row" {
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: no query", where)
			}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("%s: target %s has no expr", where, tg.RefID)
				}
				out[where+" "+tg.RefID] = grafana.Replace(tg.Expr)
			}
		}
		for _, v := range d.Templating.List {
			if strings.HasPrefix(v.Definition, "label_values(") {
				// label_values(metric, label) names a metric too.
				// Its selector may have matchers, with commas: the
				// label is after the last one.
				args := strings.TrimSuffix(strings.TrimPrefix(v.Definition, "label_values("), ")")
				metric := args[:max(0, strings.LastIndex(args, ","))]
				out[fmt.Sprintf("%s: variable %s", filepath.Base(f), v.Name)] = grafana.Replace(metric)
			}
		}
	}
	for _, f := range rules {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r rulesFile
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range r.Groups {
			for _, rule := range g.Rules {
				out[fmt.Sprintf("%s: alert %s", filepath.Base(f), rule.Alert)] = rule.Expr
			}
		}
	}
	return out
}

// metricRE finds the metric names a query uses: ours, and the Go, process
// and database/sql collectors'. Label names and functions never have these
// prefixes.
var metricRE = regexp.MustCompile(`\b(?:scimbridge|go|process)_[a-zA-Z0-9_]+`)

// TestMonitoringNamesExistingMetrics checks that the dashboard and the
// alerting rules name only metrics that a sidecar exports, after a session
// that has made every labelled series appear.
func TestMonitoringNamesExistingMetrics(t *testing.T) {
	s := newTelemetrySidecar(t)
	oktaSession(s)
	names := s.scrape().names()
	used := map[string]bool{}
	for where, q := range monitoringQueries(t) {
		for _, name := range metricRE.FindAllString(q, -1) {
			used[name] = true
			if !names[name] {
				t.Errorf("%s uses %s, which the sidecar does not export", where, name)
			}
		}
	}
	// The cases an operator cares about are covered.
	for _, name := range []string{
		"scimbridge_provisioning_last_success_timestamp_seconds", "scimbridge_provisioning_operations_total",
		"scimbridge_provisioning_last_request_timestamp_seconds",
		"scimbridge_database_up", "scimbridge_http_requests_total", "scimbridge_group_members_added_total",
		"scimbridge_database_errors_total", "scimbridge_config_info",
	} {
		if !used[name] {
			t.Errorf("examples/monitoring does not use %s", name)
		}
	}
}

// TestReadmeListsEveryMetric checks that the README's metrics table names
// every scimbridge metric the sidecar exports, and nothing else.
func TestReadmeListsEveryMetric(t *testing.T) {
	s := newTelemetrySidecar(t)
	oktaSession(s)
	exported := map[string]bool{}
	for f := range s.scrape().families {
		if strings.HasPrefix(f, "scimbridge_") {
			exported[f] = true
		}
	}
	data, err := os.ReadFile(filepath.Join(exampleRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "\n### Metrics")
	if start < 0 {
		t.Fatal("README.md has no ### Metrics section")
	}
	text = text[start+1:]
	if end := strings.Index(text, "\n#"); end >= 0 {
		text = text[:end]
	}
	listed := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "| `scimbridge_") {
			name := strings.TrimPrefix(l, "| `")
			name = name[:strings.IndexAny(name, "`{")]
			listed[name] = true
		}
	}
	for f := range exported {
		if !listed[f] {
			t.Errorf("README's Metrics table does not list %s", f)
		}
	}
	for f := range listed {
		if !exported[f] {
			t.Errorf("README's Metrics table lists %s, which the sidecar does not export", f)
		}
	}
}

// promtool returns the path of promtool, or skips the test.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; CI installs Debian's prometheus package", name)
		}
		t.Skipf("%s is not installed (apt-get install prometheus)", name)
	}
	return p
}

// TestPromtool runs promtool on the rules, their unit tests and a scrape
// of the sidecar, as the README tells operators to.
func TestPromtool(t *testing.T) {
	promtool := lookTool(t, "promtool")
	rules, _ := filepath.Glob(filepath.Join(monitoringDir, "*.rules.yml"))
	tests, _ := filepath.Glob(filepath.Join(monitoringDir, "*.rules.test.yml"))
	if len(tests) == 0 {
		t.Error("examples/monitoring has no *.rules.test.yml")
	}
	for _, args := range [][]string{append([]string{"check", "rules"}, rules...), append([]string{"test", "rules"}, tests...)} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	s := newTelemetrySidecar(t)
	oktaSession(s)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(s.scrape().raw)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestPrometheusScrapesSidecar runs a real Prometheus that scrapes the
// sidecar and evaluates the alerting rules, then checks a scraped value,
// that every rule evaluates, and that every dashboard query runs.
func TestPrometheusScrapesSidecar(t *testing.T) {
	bin := lookTool(t, "prometheus")
	s := newTelemetrySidecar(t)
	oktaSession(s)

	dir := t.TempDir()
	rules, _ := filepath.Glob(filepath.Join(monitoringDir, "*.rules.yml"))
	for i, r := range rules {
		abs, err := filepath.Abs(r)
		if err != nil {
			t.Fatal(err)
		}
		rules[i] = abs
	}
	target := strings.TrimPrefix(s.tel.URL, "http://")
	ruleFiles, _ := json.Marshal(rules)
	conf := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: %s
scrape_configs:
  - job_name: scimbridge
    static_configs: [{targets: [%q]}]
`, ruleFiles, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	api := "http://" + addr + "/api/v1/"

	type result struct {
		Metric map[string]string `json:"metric"`
		Value  [2]any            `json:"value"`
	}
	query := func(q string) ([]result, error) {
		resp, err := http.Get(api + "query?query=" + url.QueryEscape(q))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var body struct {
			Status string `json:"status"`
			Error  string `json:"error"`
			Data   struct {
				Result json.RawMessage `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return nil, err
		}
		if body.Status != "success" {
			return nil, fmt.Errorf("%s", body.Error)
		}
		var res []result
		_ = json.Unmarshal(body.Data.Result, &res) // scalars are not vectors
		return res, nil
	}
	eventually := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("after 30s: %s", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	eventually("Prometheus scrapes the sidecar (up == 1)", func() bool {
		r, err := query(`up{job="scimbridge"}`)
		return err == nil && len(r) == 1 && r[0].Value[1] == "1"
	})
	r, err := query(`scimbridge_provisioning_operations_total{directory="okta",resource="User",operation="deactivate",outcome="success"}`)
	if err != nil || len(r) != 1 || r[0].Value[1] != "1" {
		t.Errorf("deactivations as Prometheus scraped them: %v %v", r, err)
	}

	// Every rule has been evaluated, without an error.
	type rule struct {
		Name      string `json:"name"`
		Health    string `json:"health"`
		LastError string `json:"lastError"`
	}
	var last []rule
	eventually("every alerting rule evaluates", func() bool {
		resp, err := http.Get(api + "rules")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var body struct {
			Data struct {
				Groups []struct {
					Rules []rule `json:"rules"`
				} `json:"groups"`
			} `json:"data"`
		}
		raw, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(raw, &body) != nil {
			return false
		}
		last = last[:0]
		for _, g := range body.Data.Groups {
			last = append(last, g.Rules...)
		}
		return len(last) > 0 && !slices.ContainsFunc(last, func(r rule) bool { return r.Health != "ok" })
	})
	for _, r := range last {
		if r.LastError != "" {
			t.Errorf("rule %s: %s", r.Name, r.LastError)
		}
	}
	for where, q := range monitoringQueries(t) {
		if _, err := query(q); err != nil {
			t.Errorf("%s: Prometheus refuses %q: %v", where, q, err)
		}
	}
}
