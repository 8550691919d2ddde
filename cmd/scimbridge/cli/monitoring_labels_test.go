package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// k8sObject is the part of a Kubernetes manifest the monitoring tests read.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		// Service
		Ports []struct {
			Name string `yaml:"name"`
		} `yaml:"ports"`
		// ServiceMonitor
		JobLabel string `yaml:"jobLabel"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Endpoints []struct {
			Port string `yaml:"port"`
		} `yaml:"endpoints"`
	} `yaml:"spec"`
}

// renderKustomization reads the objects of a kustomization's resources,
// as kubectl apply -k would apply them (only the namespace transformer,
// the one that changes labels Prometheus sees, is applied).
func renderKustomization(t *testing.T, dir string) []k8sObject {
	t.Helper()
	var k struct {
		Namespace string   `yaml:"namespace"`
		Resources []string `yaml:"resources"`
	}
	readYAML(t, filepath.Join(dir, "kustomization.yaml"), &k)
	var out []k8sObject
	for _, r := range k.Resources {
		data, err := os.ReadFile(filepath.Join(dir, r))
		if err != nil {
			t.Fatalf("kustomization.yaml names %s: %v", r, err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o k8sObject
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			if k.Namespace != "" {
				o.Metadata.Namespace = k.Namespace
			}
			if o.Metadata.Namespace == "" {
				o.Metadata.Namespace = "default"
			}
			out = append(out, o)
		}
	}
	return out
}

// scrapeTarget is the target labels a scrape config gives scimbridge's
// series: job and namespace as known from the manifests; instance, pod and
// the others differ per replica.
type scrapeTarget struct {
	from      string
	job       string
	namespace string // "" when the scrape config does not add one
}

// scrapeTargets returns the targets of the ServiceMonitors of
// deploy/kubernetes (the Prometheus Operator's job label: the Service's
// jobLabel label, else its name) and of the scrape config in
// examples/monitoring/README.md.
func scrapeTargets(t *testing.T) []scrapeTarget {
	t.Helper()
	objs := renderKustomization(t, filepath.Join(exampleRoot, "deploy", "kubernetes"))
	var out []scrapeTarget
	for _, sm := range objs {
		if sm.Kind != "ServiceMonitor" {
			continue
		}
		found := false
		for _, svc := range objs {
			if svc.Kind != "Service" || svc.Metadata.Namespace != sm.Metadata.Namespace {
				continue
			}
			matches := true
			for k, v := range sm.Spec.Selector.MatchLabels {
				matches = matches && svc.Metadata.Labels[k] == v
			}
			if !matches {
				continue
			}
			found = true
			for _, ep := range sm.Spec.Endpoints {
				if !slices.ContainsFunc(svc.Spec.Ports, func(p struct {
					Name string `yaml:"name"`
				}) bool {
					return p.Name == ep.Port
				}) {
					t.Errorf("ServiceMonitor %s scrapes port %q, which Service %s does not have", sm.Metadata.Name, ep.Port, svc.Metadata.Name)
				}
			}
			job := svc.Metadata.Name
			if sm.Spec.JobLabel != "" {
				job = svc.Metadata.Labels[sm.Spec.JobLabel]
				if job == "" {
					t.Errorf("ServiceMonitor %s: jobLabel %s is not a label of Service %s", sm.Metadata.Name, sm.Spec.JobLabel, svc.Metadata.Name)
				}
			}
			out = append(out, scrapeTarget{from: "ServiceMonitor " + sm.Metadata.Name + " (Service " + svc.Metadata.Name + ")", job: job, namespace: svc.Metadata.Namespace})
		}
		if !found {
			t.Errorf("ServiceMonitor %s selects no Service", sm.Metadata.Name)
		}
	}
	if len(out) == 0 {
		t.Fatal("deploy/kubernetes has no ServiceMonitor that selects a Service")
	}
	// The README's scrape_configs.
	data, err := os.ReadFile(filepath.Join(monitoringDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	n := 0
	for _, b := range blocks {
		var pc struct {
			ScrapeConfigs []struct {
				JobName string `yaml:"job_name"`
			} `yaml:"scrape_configs"`
		}
		if yaml.Unmarshal([]byte(b[1]), &pc) != nil {
			continue
		}
		for _, sc := range pc.ScrapeConfigs {
			out = append(out, scrapeTarget{from: "examples/monitoring/README.md scrape config", job: sc.JobName})
			n++
		}
	}
	if n == 0 {
		t.Error("examples/monitoring/README.md shows no scrape_configs")
	}
	return out
}

// selectorRE finds the series selectors of a PromQL expression: a metric
// name and its matchers. up is Prometheus's own series per target.
var selectorRE = regexp.MustCompile(`\b((?:scimbridge|go|process)_[a-zA-Z0-9_]+|up)\b(\{[^}]*\})?`)

// matcherRE finds one label matcher.
var matcherRE = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"`)

type matcher struct{ label, op, value string }

// selectors returns each series selector of expr with its matchers.
func selectors(expr string) map[string][][]matcher {
	out := map[string][][]matcher{}
	for _, m := range selectorRE.FindAllStringSubmatchIndex(expr, -1) {
		name := expr[m[2]:m[3]]
		// A name followed by ( is a function; one inside by (...) or
		// on (...) a label.
		if rest := expr[m[1]:]; strings.HasPrefix(strings.TrimSpace(rest), "(") {
			continue
		}
		if name == "up" && m[4] < 0 {
			continue
		}
		var ms []matcher
		if m[4] >= 0 {
			for _, x := range matcherRE.FindAllStringSubmatch(expr[m[4]:m[5]], -1) {
				ms = append(ms, matcher{x[1], x[2], x[3]})
			}
		}
		out[name] = append(out[name], ms)
	}
	return out
}

// matches reports whether the matcher selects value.
func (m matcher) matches(value string) bool {
	switch m.op {
	case "=":
		return value == m.value
	case "!=":
		return value != m.value
	}
	re, err := regexp.Compile("^(?:" + m.value + ")$")
	if err != nil {
		return false
	}
	return re.MatchString(value) == (m.op == "=~")
}

// TestMonitoringFitsScrapeConfig checks that the alerting rules and the
// dashboard select the series the scrape configs produce: deploy/
// kubernetes's ServiceMonitor (rendered from its kustomization) and the
// README's scrape config give the same job label, every selector of every
// rule and panel names that job (so that other applications' sidecars are
// neither counted nor missed), matches the other labels only on labels the
// metric has, and the dashboard's job, namespace and instance variables
// narrow every panel. The pool panel shows the read and the write pool.
func TestMonitoringFitsScrapeConfig(t *testing.T) {
	targets := scrapeTargets(t)
	job := targets[0].job
	for _, tg := range targets {
		if tg.job != job {
			t.Errorf("%s gives job %q, %s gives %q; expected the same job everywhere", targets[0].from, job, tg.from, tg.job)
		}
	}
	// The labels each metric has: the sidecar's, and the target's.
	s := newTelemetrySidecar(t)
	oktaSession(s)
	m := s.scrape()
	labels := map[string]map[string]bool{}
	for _, se := range m.samples {
		name := se.name
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			name = strings.TrimSuffix(name, suffix)
		}
		for _, n := range []string{se.name, name} {
			if labels[n] == nil {
				labels[n] = map[string]bool{}
			}
			for k := range se.labels {
				labels[n][k] = true
			}
			if strings.HasSuffix(se.name, "_bucket") {
				labels[se.name]["le"] = true
			}
		}
	}
	targetLabels := []string{"job", "instance", "namespace", "pod", "service", "endpoint", "container"}

	check := func(where, expr string, vars map[string]string, narrow bool) {
		sels := selectors(expr)
		if len(sels) == 0 {
			t.Errorf("%s: no series selector in %q", where, expr)
		}
		for name, list := range sels {
			for _, ms := range list {
				var jobM *matcher
				for i, x := range ms {
					x.value = os.Expand(x.value, func(v string) string {
						if r, ok := vars[v]; ok {
							return r
						}
						return "$" + v
					})
					ms[i] = x
					if x.label == "job" {
						jobM = &ms[i]
					}
					if slices.Contains(targetLabels, x.label) {
						continue
					}
					if name != "up" && !labels[name][x.label] {
						t.Errorf("%s: %s{%s%s%q}: %s has no label %s", where, name, x.label, x.op, x.value, name, x.label)
					}
				}
				if jobM == nil {
					t.Errorf("%s: %s selects no job; expected job=%q (the scrape configs' job), so that other sidecars are not counted", where, name, job)
				} else if !jobM.matches(job) {
					t.Errorf("%s: %s{job%s%q} does not select job %q, the job the scrape configs give", where, name, jobM.op, jobM.value, job)
				}
				if !narrow {
					continue
				}
				for _, l := range []string{"namespace", "instance"} {
					if !slices.ContainsFunc(ms, func(x matcher) bool { return x.label == l && x.op == "=~" && x.value == vars[l] }) {
						t.Errorf("%s: %s is not narrowed by the $%s variable; expected %s=~\"$%s\"", where, name, l, l, l)
					}
				}
			}
		}
	}

	rules, _ := filepath.Glob(filepath.Join(monitoringDir, "*.rules.yml"))
	for _, f := range rules {
		var r rulesFile
		readYAML(t, f, &r)
		for _, g := range r.Groups {
			for _, rule := range g.Rules {
				check(filepath.Base(f)+": alert "+rule.Alert, rule.Expr, nil, false)
			}
		}
	}

	dashboards, _ := filepath.Glob(filepath.Join(monitoringDir, "*.dashboard.json"))
	for _, f := range dashboards {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
			Templating struct {
				List []struct {
					Name       string `json:"name"`
					Definition string `json:"definition"`
					AllValue   string `json:"allValue"`
					Current    struct {
						Value any `json:"value"`
					} `json:"current"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		// Variables as Grafana substitutes them: the current value, or
		// the all value for All.
		vars := map[string]string{"__rate_interval": "1m"}
		var defs = map[string]string{}
		for _, v := range d.Templating.List {
			cur := ""
			switch c := v.Current.Value.(type) {
			case string:
				cur = c
			case []any:
				if len(c) == 1 {
					cur, _ = c[0].(string)
				}
			}
			if cur == "$__all" {
				cur = v.AllValue
			}
			vars[v.Name] = cur
			defs[v.Name] = v.Definition
		}
		base := filepath.Base(f)
		for _, name := range []string{"job", "namespace", "instance"} {
			if _, ok := vars[name]; !ok {
				t.Errorf("%s: no %s variable; several applications' sidecars would be summed", base, name)
			}
		}
		if vars["job"] != job {
			t.Errorf("%s: variable job defaults to %q; expected %q, the scrape configs' job", base, vars["job"], job)
		}
		narrowed := map[string]string{"job": vars["job"], "namespace": "$namespace", "instance": "$instance"}
		for name, def := range defs {
			// The job variable lists the jobs; the others are of
			// the job chosen.
			if strings.HasPrefix(def, "label_values(") && name != "job" {
				check(base+": variable "+name, def, narrowed, false)
			}
		}
		pools := map[string]bool{}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				// $job as it defaults, $namespace and $instance
				// left for the narrowing check.
				check(base+": panel "+p.Title, tg.Expr, narrowed, true)
				for name, list := range selectors(tg.Expr) {
					if !strings.HasPrefix(name, "go_sql_") {
						continue
					}
					for _, ms := range list {
						for _, x := range ms {
							for _, pool := range []string{"app", "app_writes"} {
								if x.label == "db_name" && x.matches(pool) {
									pools[pool] = true
								}
							}
						}
					}
				}
			}
		}
		for _, pool := range []string{"app", "app_writes"} {
			if !pools[pool] {
				t.Errorf("%s: no panel shows the %s connection pool (go_sql_*{db_name=%q})", base, pool, pool)
			}
		}
	}
}
