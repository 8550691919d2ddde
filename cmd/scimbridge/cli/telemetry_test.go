package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/scim"
)

// Bearer tokens of the two directories of the telemetry sidecar.
const (
	oktaToken  = "okta-token-0123456789"
	entraToken = "entra-token-0123456789"
)

// telemetrySidecar is a sidecar on the roles schema (users, roles,
// user_roles) with two directories, okta and entra, its SCIM and telemetry
// handlers served over HTTP, its audit records in a file and its logs, as
// JSON, in a buffer.
type telemetrySidecar struct {
	t         *testing.T
	sc        *Sidecar
	scim, tel *httptest.Server
	auditPath string
	logs      *syncBuffer
	hash      string // of the config file's bytes
}

func newTelemetrySidecar(t *testing.T) *telemetrySidecar {
	t.Helper()
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	data := telemetryConfig(t, fmt.Sprintf("audit: {output: %q}\n", auditPath))
	cfg, err := ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	logs := new(syncBuffer)
	sc, err := Build(context.Background(), cfg, newLogger(cfg.Log, logs))
	if err != nil {
		t.Fatal(err)
	}
	s := &telemetrySidecar{
		t: t, sc: sc, scim: httptest.NewServer(sc.Handler), tel: httptest.NewServer(sc.Telemetry),
		auditPath: auditPath, logs: logs, hash: configHash(data),
	}
	t.Cleanup(func() {
		s.scim.Close()
		s.tel.Close()
		sc.Close()
	})
	return s
}

// telemetryConfig returns a config for a fresh database holding the roles
// schema, with the okta and entra tokens, JSON logs and the extra
// top-level sections given.
func telemetryConfig(t *testing.T, extra string) []byte {
	t.Helper()
	schema, err := os.ReadFile(filepath.Join(exampleRoot, "scim", "testdata", "roles_schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	mapping, err := os.ReadFile(filepath.Join(exampleRoot, "scim", "testdata", "roles_mapping.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dsn := mysqltest.NewDatabase(t)
	if err := execSQL(dsn, string(schema)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `server:
  tokens:
    - {name: okta, token: {value: %s}}
    - {name: entra, token: {value: %s}}
log: {format: json, level: info}
%sdatabase:
  type: mysql
  config:
    dsn: {value: %q}
resources:
`, oktaToken, entraToken, extra, dsn)
	for _, l := range strings.Split(strings.TrimRight(string(mapping), "\n"), "\n") {
		b.WriteString("  " + l + "\n")
	}
	return []byte(b.String())
}

// call sends one SCIM request and checks its status. headers are
// name/value pairs.
func (s *telemetrySidecar) call(token, method, path, body string, want int, headers ...string) (map[string]any, http.Header) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.scim.URL+"/scim/v2"+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.scim.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	var doc map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &doc); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return doc, resp.Header
}

// get fetches a telemetry endpoint and returns its status and body.
func (s *telemetrySidecar) get(path string) (int, string) {
	s.t.Helper()
	resp, err := s.tel.Client().Get(s.tel.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// scrape reads /metrics.
func (s *telemetrySidecar) scrape() scraped {
	s.t.Helper()
	code, body := s.get("/metrics")
	if code != http.StatusOK {
		s.t.Fatalf("GET /metrics: %d %s", code, body)
	}
	m, err := parseExposition(body)
	if err != nil {
		s.t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	m.raw = body
	return m
}

// series is one sample of a scrape.
type series struct {
	name   string
	labels map[string]string
	value  float64
}

func (s series) key() string {
	keys := slices.Sorted(maps.Keys(s.labels))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(s.labels[k])
	}
	return s.name + "{" + strings.Join(parts, ",") + "}"
}

// scraped is a parsed scrape in the text exposition format.
type scraped struct {
	samples  []series
	families map[string]string // metric family → type
	raw      string
}

var sampleRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)

// parseExposition parses the text format as client_golang writes it.
func parseExposition(text string) (scraped, error) {
	m := scraped{families: map[string]string{}}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			m.families[f[2]] = f[3]
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sm := sampleRE.FindStringSubmatch(line)
		if sm == nil {
			return m, fmt.Errorf("bad sample line %q", line)
		}
		v, err := strconv.ParseFloat(sm[3], 64)
		if err != nil {
			return m, fmt.Errorf("bad value in %q: %w", line, err)
		}
		labels := map[string]string{}
		rest := sm[2]
		for rest != "" {
			k, after, ok := strings.Cut(rest, "=")
			if !ok {
				return m, fmt.Errorf("bad labels in %q", line)
			}
			val, tail, err := unquotePrefix(after)
			if err != nil {
				return m, fmt.Errorf("bad label value in %q: %w", line, err)
			}
			labels[k] = val
			rest = strings.TrimPrefix(tail, ",")
		}
		m.samples = append(m.samples, series{name: sm[1], labels: labels, value: v})
	}
	return m, nil
}

// unquotePrefix reads one double-quoted string from the start of s.
func unquotePrefix(s string) (string, string, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", fmt.Errorf("no opening quote in %q", s)
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			v, err := strconv.Unquote(s[:i+1])
			return v, s[i+1:], err
		}
	}
	return "", "", fmt.Errorf("no closing quote in %q", s)
}

// find returns the samples of name whose labels include want.
func (m scraped) find(name string, want map[string]string) []series {
	var out []series
	for _, s := range m.samples {
		if s.name != name {
			continue
		}
		ok := true
		for k, v := range want {
			ok = ok && s.labels[k] == v
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// value returns the one sample of name with exactly the labels given
// (name=value pairs).
func (m scraped) value(name string, labelPairs ...string) (float64, bool) {
	want := map[string]string{}
	for i := 0; i+1 < len(labelPairs); i += 2 {
		want[labelPairs[i]] = labelPairs[i+1]
	}
	for _, s := range m.find(name, want) {
		if len(s.labels) == len(want) {
			return s.value, true
		}
	}
	return 0, false
}

// names returns every metric name that may be queried: the sample names
// (histograms' _bucket, _sum and _count included) and the families.
func (m scraped) names() map[string]bool {
	out := map[string]bool{}
	for _, s := range m.samples {
		out[s.name] = true
	}
	for f := range m.families {
		out[f] = true
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// readJSONLines decodes a file of JSON objects, one per line.
func readJSONLines(t *testing.T, text string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func patchOps(ops string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
}

// oktaSession replays what Okta sends for an assignment's lifecycle and a
// pushed group, with a conflict and an unknown id among it, then one
// user from the entra directory and one request with a bad token. It
// returns the new user's id, the group's id and the X-Request-Id of the
// create.
func oktaSession(s *telemetrySidecar) (uid, gid, createRID string) {
	const user = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jane@example.com",
		"name":{"givenName":"Jane","familyName":"Doe"},"displayName":"Jane Doe","emails":[{"primary":true,"value":"jane@example.com","type":"work"}],
		"locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","password":"S3cret-Pa55word!","active":true}`
	s.call(oktaToken, "GET", "/Users?filter="+url.QueryEscape(`userName eq "jane@example.com"`)+"&startIndex=1&count=100", "", 200)
	doc, h := s.call(oktaToken, "POST", "/Users", user, 201, "X-Request-Id", "okta-create-1")
	uid, createRID = doc["id"].(string), h.Get("X-Request-Id")
	s.call(oktaToken, "POST", "/Users", strings.Replace(user, "jane@", "JANE@", 1), 409)
	s.call(oktaToken, "GET", "/Users/"+uid, "", 200)
	s.call(oktaToken, "PUT", "/Users/"+uid, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"`+uid+`",
		"userName":"jane@example.com","displayName":"Jane Q. Doe","active":true}`, 200)
	s.call(oktaToken, "PATCH", "/Users/"+uid, patchOps(`{"op":"replace","value":{"active":false}}`), 200)
	s.call(oktaToken, "PATCH", "/Users/"+uid, patchOps(`{"op":"replace","value":{"active":true}}`), 200)
	s.call(oktaToken, "PATCH", "/Users/999999", patchOps(`{"op":"replace","value":{"active":false}}`), 404)

	s.call(oktaToken, "GET", "/Groups?filter="+url.QueryEscape(`displayName eq "Engineering"`), "", 200)
	doc, _ = s.call(oktaToken, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering",
		"members":[{"value":"`+uid+`"},{"value":"1"}]}`, 201)
	gid = doc["id"].(string)
	// bob joins; jane is a member already.
	s.call(oktaToken, "PATCH", "/Groups/"+gid, patchOps(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"`+uid+`"}]}`), 204)
	s.call(oktaToken, "PATCH", "/Groups/"+gid, patchOps(`{"op":"remove","path":"members[value eq \"1\"]"}`), 204)
	s.call(oktaToken, "DELETE", "/Groups/"+gid, "", 204) // jane and bob
	s.call(oktaToken, "DELETE", "/Users/"+uid, "", 204)

	s.call(entraToken, "POST", "/Users", `{"userName":"eve@example.com"}`, 201)
	s.call("not-a-token", "GET", "/Users", "", 401)
	return uid, gid, createRID
}

// TestMetricsAfterOktaSession scrapes /metrics after a scripted Okta
// session and checks the value of every scimbridge metric.
func TestMetricsAfterOktaSession(t *testing.T) {
	s := newTelemetrySidecar(t)
	start := time.Now()
	uid, gid, _ := oktaSession(s)
	end := time.Now()
	m := s.scrape()

	type want struct {
		name   string
		labels []string
		value  float64
	}
	op := func(dir, res, op, outcome string, n float64) want {
		return want{"scimbridge_provisioning_operations_total", []string{"directory", dir, "resource", res, "operation", op, "outcome", outcome}, n}
	}
	for _, w := range []want{
		op("okta", "User", "create", "success", 1),
		op("okta", "User", "create", "conflict", 1),
		op("okta", "User", "replace", "success", 1),
		op("okta", "User", "deactivate", "success", 1),
		op("okta", "User", "reactivate", "success", 1),
		op("okta", "User", "patch", "not_found", 1),
		op("okta", "User", "delete", "success", 1),
		op("okta", "Group", "create", "success", 1),
		op("okta", "Group", "patch", "success", 2),
		op("okta", "Group", "delete", "success", 1),
		op("entra", "User", "create", "success", 1),
		{"scimbridge_group_members_added_total", []string{"directory", "okta"}, 3},
		{"scimbridge_group_members_removed_total", []string{"directory", "okta"}, 3},
		{"scimbridge_group_members_added_total", []string{"directory", "entra"}, 0},
		{"scimbridge_group_members_removed_total", []string{"directory", "entra"}, 0},
		{"scimbridge_http_requests_total", []string{"route", "/scim/v2/Users", "method", "POST", "code", "201"}, 2},
		{"scimbridge_http_requests_total", []string{"route", "/scim/v2/Users", "method", "POST", "code", "409"}, 1},
		{"scimbridge_http_requests_total", []string{"route", "/scim/v2/Users/:id", "method", "PATCH", "code", "200"}, 2},
		{"scimbridge_http_requests_total", []string{"route", "/scim/v2/Users/:id", "method", "PATCH", "code", "404"}, 1},
		{"scimbridge_http_requests_total", []string{"route", "/scim/v2/Users", "method", "GET", "code", "401"}, 1},
		{"scimbridge_http_request_duration_seconds_count", []string{"route", "/scim/v2/Users/:id", "method", "PATCH"}, 3},
		{"scimbridge_http_request_duration_seconds_count", []string{"route", "/scim/v2/Groups/:id", "method", "PATCH"}, 2},
		{"scimbridge_http_auth_failures_total", nil, 1},
		{"scimbridge_database_operation_duration_seconds_count", []string{"resource", "User", "method", "create"}, 3},
		{"scimbridge_database_operation_duration_seconds_count", []string{"resource", "User", "method", "update"}, 4},
		{"scimbridge_database_operation_duration_seconds_count", []string{"resource", "User", "method", "delete"}, 1},
		{"scimbridge_database_operation_duration_seconds_count", []string{"resource", "Group", "method", "create_group"}, 1},
		{"scimbridge_database_operation_duration_seconds_count", []string{"resource", "Group", "method", "delete"}, 1},
		{"scimbridge_database_errors_total", []string{"resource", "User", "method", "create", "kind", "conflict"}, 1},
		{"scimbridge_database_up", nil, 1},
		{"scimbridge_config_reloads_total", []string{"result", "success"}, 1},
		{"scimbridge_config_reloads_total", []string{"result", "failure"}, 0},
		{"scimbridge_config_last_reload_successful", nil, 1},
		{"scimbridge_config_info", []string{"hash", s.hash}, 1},
		{"scimbridge_build_info", []string{"version", Version, "revision", orString(currentVersion().Commit, "unknown"), "goversion", runtime.Version()}, 1},
		// DefaultMaxOpenConns, split between the pools of reads and writes.
		{"go_sql_max_open_connections", []string{"db_name", "app"}, 8},
		{"go_sql_max_open_connections", []string{"db_name", "app_writes"}, 8},
	} {
		got, ok := m.value(w.name, w.labels...)
		if !ok {
			t.Errorf("%s%v: missing", w.name, w.labels)
		} else if got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	// The two group PATCHes: the one that only adds members is
	// add_members where the database skips existing memberships by a
	// unique key (on MariaDB), update_group where it cannot (the embedded
	// engine); the one that only removes a listed member is
	// remove_members.
	upd, _ := m.value("scimbridge_database_operation_duration_seconds_count", "resource", "Group", "method", "update_group")
	add, _ := m.value("scimbridge_database_operation_duration_seconds_count", "resource", "Group", "method", "add_members")
	rem, _ := m.value("scimbridge_database_operation_duration_seconds_count", "resource", "Group", "method", "remove_members")
	if upd+add != 1 || rem != 1 {
		t.Errorf("group PATCHes timed as update_group %v, add_members %v and remove_members %v; want the addition as update_group or add_members, the removal as remove_members", upd, add, rem)
	}
	// The 404 is an answer, not a database error; so is the conflict for
	// update (none happened).
	if e := m.find("scimbridge_database_errors_total", map[string]string{"method": "update"}); len(e) > 0 {
		t.Errorf("update errors counted: %v", e)
	}
	// No other provisioning series than those above.
	if n := len(m.find("scimbridge_provisioning_operations_total", nil)); n != 11 {
		t.Errorf("%d provisioning series, want 11:\n%s", n, grep(m.raw, "scimbridge_provisioning_operations_total"))
	}
	for _, dir := range []string{"okta", "entra"} {
		ts, ok := m.value("scimbridge_provisioning_last_success_timestamp_seconds", "directory", dir)
		if !ok || ts < float64(start.Unix()) || ts > float64(end.Unix()+1) {
			t.Errorf("last success of %s = %v (present %v), want between %d and %d", dir, ts, ok, start.Unix(), end.Unix())
		}
	}
	if ts, _ := m.value("scimbridge_config_last_reload_success_timestamp_seconds"); ts < float64(start.Add(-time.Minute).Unix()) || ts > float64(end.Unix()+1) {
		t.Errorf("last reload %v, want shortly before the session (%d)", ts, start.Unix())
	}
	for _, name := range []string{"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total"} {
		for _, pool := range []string{"app", "app_writes"} {
			if _, ok := m.value(name, "db_name", pool); !ok {
				t.Errorf("%s{db_name=%q} missing", name, pool)
			}
		}
	}
	checkNoIdentities(t, m, "jane@example.com", "JANE@example.com", "eve@example.com", "00ujl29u0le5T6Aj10h7", "Jane", "/Users/"+uid, "/Groups/"+gid)
}

// checkNoIdentities fails if a label value of any series holds one of the
// given identities.
func checkNoIdentities(t *testing.T, m scraped, identities ...string) {
	t.Helper()
	for _, s := range m.samples {
		for k, v := range s.labels {
			for _, id := range identities {
				if strings.Contains(v, id) {
					t.Errorf("%s: label %s=%q holds %q", s.key(), k, v, id)
				}
			}
		}
	}
}

func grep(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// allowedLabels are the only labels scimbridge's own metrics may carry:
// each has a value set fixed by the code or the configuration.
var allowedLabels = map[string]bool{
	"route": true, "method": true, "code": true, "directory": true, "resource": true, "operation": true,
	"outcome": true, "kind": true, "result": true, "hash": true, "version": true, "revision": true, "goversion": true, "le": true,
}

// TestMetricLabelsDoNotGrowWithUsers runs the same lifecycle for one user
// and then for twenty more, and checks that the second run adds no
// series: no label can grow with the number of users or groups.
func TestMetricLabelsDoNotGrowWithUsers(t *testing.T) {
	s := newTelemetrySidecar(t)
	lifecycle := func(i int) {
		name := fmt.Sprintf("user%d@example.com", i)
		doc, _ := s.call(oktaToken, "POST", "/Users", `{"userName":"`+name+`","displayName":"User `+strconv.Itoa(i)+`"}`, 201)
		id := doc["id"].(string)
		s.call(oktaToken, "GET", "/Users?filter="+url.QueryEscape(`userName eq "`+name+`"`), "", 200)
		s.call(oktaToken, "GET", "/Users/"+id, "", 200)
		s.call(oktaToken, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","value":{"active":false}}`), 200)
		s.call(oktaToken, "GET", "/Users/"+id+"0000", "", 404)
		g, _ := s.call(oktaToken, "POST", "/Groups", `{"displayName":"Group `+strconv.Itoa(i)+`","members":[{"value":"`+id+`"}]}`, 201)
		s.call(oktaToken, "PATCH", "/Groups/"+g["id"].(string), patchOps(`{"op":"remove","path":"members"}`), 204)
	}
	keys := func() map[string]bool {
		out := map[string]bool{}
		for _, sm := range s.scrape().samples {
			if strings.HasPrefix(sm.name, "scimbridge_") {
				out[sm.key()] = true
			}
		}
		return out
	}
	lifecycle(0)
	before := keys()
	var names []string
	for i := 1; i <= 20; i++ {
		lifecycle(i)
		names = append(names, fmt.Sprintf("user%d@example.com", i))
	}
	after := keys()
	for k := range after {
		if !before[k] {
			t.Errorf("new series after more users: %s", k)
		}
	}
	m := s.scrape()
	for _, sm := range m.samples {
		if !strings.HasPrefix(sm.name, "scimbridge_") {
			continue
		}
		for k := range sm.labels {
			if !allowedLabels[k] {
				t.Errorf("%s: label %q is not one of the bounded labels", sm.key(), k)
			}
		}
		if d, ok := sm.labels["directory"]; ok && d != "okta" && d != "entra" {
			t.Errorf("%s: directory %q is not a configured token name", sm.key(), d)
		}
		if r, ok := sm.labels["route"]; ok && r != "unmatched" && !strings.HasPrefix(r, "/scim/v2/") {
			t.Errorf("%s: route %q is not a route template", sm.key(), r)
		}
	}
	checkNoIdentities(t, m, names...)
}

// TestAuditAndRequestLogs checks the audit record of every write of the
// Okta session, and that request logs and audit records carry the request
// id the response returned.
func TestAuditAndRequestLogs(t *testing.T) {
	s := newTelemetrySidecar(t)
	uid, gid, rid := oktaSession(s)
	if rid != "okta-create-1" {
		t.Errorf("X-Request-Id returned %q, want the one sent", rid)
	}
	data, err := os.ReadFile(s.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"S3cret", "password", "jane@example.com", "Jane"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the audit log holds %q:\n%s", secret, data)
		}
	}
	type rec struct {
		dir, res, id, op, outcome, attrs string
		added, removed                   float64
	}
	want := []rec{
		{"okta", "User", uid, "create", "success", "active displayName userName", 0, 0},
		{"okta", "User", "", "create", "conflict", "", 0, 0},
		{"okta", "User", uid, "replace", "success", "displayName", 0, 0},
		{"okta", "User", uid, "deactivate", "success", "active", 0, 0},
		{"okta", "User", uid, "reactivate", "success", "active", 0, 0},
		{"okta", "User", "999999", "patch", "not_found", "", 0, 0},
		{"okta", "Group", gid, "create", "success", "displayName members", 2, 0},
		{"okta", "Group", gid, "patch", "success", "members", 1, 0},
		{"okta", "Group", gid, "patch", "success", "members", 0, 1},
		{"okta", "Group", gid, "delete", "success", "members", 0, 2},
		{"okta", "User", uid, "delete", "success", "", 0, 0},
		{"entra", "User", "{{any}}", "create", "success", "active userName", 0, 0},
	}
	lines := readJSONLines(t, string(data))
	if len(lines) != len(want) {
		t.Fatalf("%d audit records, want %d:\n%s", len(lines), len(want), data)
	}
	for i, l := range lines {
		var attrs []string
		for _, a := range l["attributes"].([]any) {
			attrs = append(attrs, a.(string))
		}
		added, _ := l["members_added"].(float64)
		removed, _ := l["members_removed"].(float64)
		got := rec{
			l["directory"].(string), l["resource"].(string), l["id"].(string), l["operation"].(string), l["outcome"].(string),
			strings.Join(attrs, " "), added, removed,
		}
		w := want[i]
		if w.id == "{{any}}" {
			w.id = got.id
		}
		if got != w {
			t.Errorf("audit record %d:\n got %+v\nwant %+v\n%v", i+1, got, w, l)
		}
		if l["msg"] != "audit" || l["time"] == nil || l["request_id"] == "" || l["status"] == nil {
			t.Errorf("audit record %d lacks msg, time, request_id or status: %v", i+1, l)
		}
	}
	if lines[0]["request_id"] != rid {
		t.Errorf("the create's audit record has request id %v, want %q", lines[0]["request_id"], rid)
	}

	// One request log line per request, each with its request id; the
	// create's is the one the client sent.
	var requests int
	found := false
	for _, l := range readJSONLines(t, s.logs.String()) {
		if l["msg"] != "request" {
			continue
		}
		requests++
		if id, _ := l["request_id"].(string); id == "" {
			t.Errorf("request log line without request_id: %v", l)
		}
		if l["request_id"] == rid {
			found = l["route"] == "/scim/v2/Users" && l["status"] == float64(201) && l["directory"] == "okta"
		}
	}
	if requests != 16 || !found {
		t.Errorf("%d request log lines (want 16), create's found with its id: %v\n%s", requests, found, s.logs.String())
	}
	if strings.Contains(s.logs.String(), "S3cret") {
		t.Error("the log holds the password")
	}
}

// TestRequestIDHandler checks that records logged with a request's
// context get its id, once.
func TestRequestIDHandler(t *testing.T) {
	var buf bytes.Buffer
	logger := newLogger(LogConfig{Format: "json"}, &buf)
	r := httptest.NewRequest("GET", "/", nil)
	ctx := scim.WithRequestID(r.Context(), "rid-1")
	logger.InfoContext(ctx, "from a request")
	logger.InfoContext(ctx, "explicit", "request_id", "rid-1")
	logger.Info("no request")
	logger.With("component", "x").InfoContext(ctx, "derived")
	lines := readJSONLines(t, buf.String())
	for i, want := range []string{"rid-1", "rid-1", "", "rid-1"} {
		if got, _ := lines[i]["request_id"].(string); got != want {
			t.Errorf("line %d: request_id %q, want %q", i+1, got, want)
		}
	}
	if n := strings.Count(buf.String(), `"request_id"`); n != 3 {
		t.Errorf("%d request_id keys, want 3:\n%s", n, buf.String())
	}
}

// TestHealthEndpoints checks liveness, readiness while the database
// answers, and not ready while draining or once the database is gone.
func TestHealthEndpoints(t *testing.T) {
	s := newTelemetrySidecar(t)
	for _, p := range []string{"/healthz/live", "/healthz/ready"} {
		if code, body := s.get(p); code != 200 || body != "ok\n" {
			t.Errorf("GET %s: %d %q", p, code, body)
		}
	}
	s.sc.Drain()
	if code, _ := s.get("/healthz/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("ready while draining: %d", code)
	}
	if code, _ := s.get("/healthz/live"); code != 200 {
		t.Errorf("live while draining: %d", code)
	}
	s.sc.tel.draining.Store(false)
	s.sc.Adapter.Close()
	if code, _ := s.get("/healthz/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("ready with the database closed: %d", code)
	}
	if v, _ := s.scrape().value("scimbridge_database_up"); v != 0 {
		t.Errorf("scimbridge_database_up = %v with the database closed", v)
	}
}

// TestConfigReloadMetrics checks the functions a reload calls.
func TestConfigReloadMetrics(t *testing.T) {
	s := newTelemetrySidecar(t)
	s.sc.tel.config.failed()
	m := s.scrape()
	if v, _ := m.value("scimbridge_config_reloads_total", "result", "failure"); v != 1 {
		t.Errorf("failures %v, want 1", v)
	}
	if v, _ := m.value("scimbridge_config_last_reload_successful"); v != 0 {
		t.Errorf("last_reload_successful %v after a failure, want 0", v)
	}
	if _, ok := m.value("scimbridge_config_info", "hash", s.hash); !ok {
		t.Error("a failed reload dropped the running config's info")
	}
	s.sc.tel.config.loaded("0123456789ab", time.Now())
	m = s.scrape()
	if v, _ := m.value("scimbridge_config_reloads_total", "result", "success"); v != 2 {
		t.Errorf("successes %v, want 2", v)
	}
	if len(m.find("scimbridge_config_info", nil)) != 1 {
		t.Errorf("config_info series: %v", m.find("scimbridge_config_info", nil))
	}
	if _, ok := m.value("scimbridge_config_info", "hash", "0123456789ab"); !ok {
		t.Error("config_info does not show the new hash")
	}
}

// TestGracefulShutdown stops a serving sidecar while a request is in
// flight: readiness fails at once, the request still completes, and Serve
// returns only then.
func TestGracefulShutdown(t *testing.T) {
	cfg, err := ParseConfig(telemetryConfig(t, "audit: {output: off}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Listen, cfg.Telemetry.Listen = "127.0.0.1:0", "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan [2]string, 1)
	served := make(chan error, 1)
	logs := new(syncBuffer)
	go func() {
		served <- Serve(ctx, cfg, logs, func(scimAddr, telAddr string) { addrs <- [2]string{scimAddr, telAddr} })
	}()
	var a [2]string
	select {
	case a = <-addrs:
	case err := <-served:
		t.Fatalf("Serve: %v\n%s", err, logs)
	}
	ready := func() int {
		resp, err := http.Get("http://" + a[1] + "/healthz/ready")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := ready(); code != http.StatusOK {
		t.Fatalf("ready before the stop: %d", code)
	}

	// A create whose body is still on its way when the stop comes.
	body := `{"userName":"late@example.com","displayName":"Late Comer"}`
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", "http://"+a[0]+"/scim/v2/Users", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Authorization", "Bearer "+oktaToken)
	req.Header.Set("Content-Type", "application/scim+json")
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	if _, err := io.WriteString(pw, body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the handler is reading the body
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for ready() != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("/healthz/ready did not fail after the stop")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned with a request in flight: %v", err)
	default:
	}
	if _, err := io.WriteString(pw, body[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if r := <-done; r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("the request in flight: status %d, %v", r.status, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the last request")
	}
	if _, err := net.DialTimeout("tcp", a[0], time.Second); err == nil {
		t.Error("the SCIM listener still accepts connections")
	}
}

// TestDryRunAuditRecords checks that the audit records of a dry run say
// that their writes were rolled back.
func TestDryRunAuditRecords(t *testing.T) {
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	cfg, err := ParseConfig(telemetryConfig(t, fmt.Sprintf("audit: {output: %q}\n", auditPath)))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.setDryRun(); err != nil {
		t.Fatal(err)
	}
	sc, err := Build(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	req := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(`{"userName":"dry@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+oktaToken)
	req.Header.Set("Content-Type", "application/scim+json")
	w := httptest.NewRecorder()
	sc.Handler.ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		t.Fatalf("dry-run create: %d %s", w.Code, w.Body.String())
	}
	data, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := readJSONLines(t, string(data))
	if len(lines) != 1 || lines[0]["dry_run"] != true || lines[0]["operation"] != "create" {
		t.Errorf("dry-run audit records: %s", data)
	}
}

// TestLastRequestOfQuietDirectory checks that a directory whose IdP only
// reads (a quiet directory: nothing changed) is seen in contact:
// scimbridge_provisioning_last_request_timestamp_seconds is set by any
// authenticated request, while the last successful write stays absent;
// a request refused for its token sets neither.
func TestLastRequestOfQuietDirectory(t *testing.T) {
	s := newTelemetrySidecar(t)
	start := time.Now()
	s.call(oktaToken, "GET", "/Users?count=1", "", 200)
	s.call("not-a-token", "GET", "/Users", "", 401)
	end := time.Now()
	m := s.scrape()
	ts, ok := m.value("scimbridge_provisioning_last_request_timestamp_seconds", "directory", "okta")
	if !ok || ts < float64(start.Unix()) || ts > float64(end.Unix()+1) {
		t.Errorf("last request of okta = %v (present %v), want between %d and %d", ts, ok, start.Unix(), end.Unix())
	}
	if got := m.find("scimbridge_provisioning_last_request_timestamp_seconds", nil); len(got) != 1 {
		t.Errorf("last request series %v, want okta's only", got)
	}
	if got := m.find("scimbridge_provisioning_last_success_timestamp_seconds", nil); len(got) != 0 {
		t.Errorf("a read set the last successful write: %v", got)
	}
}

// TestBuildInfoLabels checks that scimbridge_build_info carries the
// version, the VCS revision and the Go version.
func TestBuildInfoLabels(t *testing.T) {
	s := newTelemetrySidecar(t)
	v := currentVersion()
	got := s.scrape().find("scimbridge_build_info", nil)
	if len(got) != 1 {
		t.Fatalf("build_info series %v, want one", got)
	}
	want := map[string]string{"version": v.Version, "revision": orString(v.Commit, "unknown"), "goversion": runtime.Version()}
	for k, w := range want {
		if g, ok := got[0].labels[k]; !ok || g != w {
			t.Errorf("build_info %s=%q (present %v), want %q", k, g, ok, w)
		}
	}
}
