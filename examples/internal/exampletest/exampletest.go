// Package exampletest runs an example's scimbridge.yaml over its schema.sql
// for the examples' end-to-end tests: it loads the schema into a fresh
// database (mysqltest: SCIMBRIDGE_TEST_DSN, or an embedded engine), builds
// the sidecar from the example's own configuration exactly as
// "scimbridge serve" would, serves it over HTTP with httptest, and gives the
// test the application's database to check rows in.
package exampletest

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql" // the driver mysqltest's DSNs are for

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
	"github.com/scimbridge/scimbridge/scim"
)

// The environment variables the examples' scimbridge.yaml files take their
// secrets from, as the examples' READMEs tell an operator to set them.
const (
	// DSNEnv names the application database.
	DSNEnv = "SCIMBRIDGE_DSN"
	// TokenEnv holds the identity provider's bearer token.
	TokenEnv = "SCIMBRIDGE_TOKEN"
)

// Token is the bearer token the tests send; Start puts it in TokenEnv.
const Token = "example-test-token"

// PatchOp is the schema URN of a PATCH request body.
const PatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// Sidecar is an example's scimbridge, serving over HTTP on a fresh copy of
// the example's database.
type Sidecar struct {
	t *testing.T
	// Base is the SCIM base URL, e.g. http://127.0.0.1:40123/scim/v2.
	Base string
	// DB is the application's database, for checking rows.
	DB *sql.DB
	// Client is the HTTP client for Base.
	Client *http.Client
	// token is the bearer token Do sends instead of Token if as is set.
	token string
	as    bool
}

// As returns a Sidecar for the same server and database that sends token
// instead of Token, for configurations with several tokens (one per
// tenant, or a rotated one); As("") sends no Authorization header. The
// receiver is not changed.
func (s *Sidecar) As(token string) *Sidecar {
	c := *s
	c.token, c.as = token, true
	return &c
}

// Start creates a database from dir/schema.sql, points dir/scimbridge.yaml
// at it through DSNEnv and TokenEnv (with t.Setenv, so the test must not be
// parallel), builds the sidecar with cli.ParseConfig and cli.Build, and
// serves it until the end of the test.
func Start(t *testing.T, dir string) *Sidecar {
	t.Helper()
	dsn := mysqltest.NewDatabase(t)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schemaFile := filepath.Join(dir, "schema.sql")
	schema, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatalf("loading %s: %v", schemaFile, err)
	}

	configFile := filepath.Join(dir, "scimbridge.yaml")
	data, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(DSNEnv, dsn)
	t.Setenv(TokenEnv, Token)
	cfg, err := cli.ParseConfig(data)
	if err != nil {
		t.Fatalf("%s: %v", configFile, err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	sc, err := cli.Build(context.Background(), cfg, logger)
	if err != nil {
		t.Fatalf("%s on %s: %v", configFile, schemaFile, err)
	}
	t.Cleanup(func() { sc.Close() })
	srv := httptest.NewServer(sc.Handler)
	t.Cleanup(srv.Close)
	basePath := cfg.Server.BasePath
	if basePath == "" {
		basePath = scim.DefaultBasePath
	}
	return &Sidecar{t: t, Base: srv.URL + basePath, DB: db, Client: srv.Client()}
}

// Response is a decoded SCIM response.
type Response struct {
	Status int
	Header http.Header
	// Body is the JSON object sent, or nil for an empty body.
	Body map[string]any
	// Raw is the body as sent, for messages.
	Raw string
}

// Do sends a request with the bearer token (Token, or the one given to
// As); path is relative to Base and body, if not empty, is sent as
// application/scim+json.
func (s *Sidecar) Do(method, path, body string) Response {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.Base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	switch {
	case !s.as:
		req.Header.Set("Authorization", "Bearer "+Token)
	case s.token != "":
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	r := Response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			s.t.Fatalf("%s %s: %d, body is not a JSON object: %v\n%s", method, path, resp.StatusCode, err, raw)
		}
	}
	return r
}

// Must sends a request like Do and stops the test unless the response has
// the given status; it returns the decoded body.
func (s *Sidecar) Must(status int, method, path, body string) map[string]any {
	s.t.Helper()
	r := s.Do(method, path, body)
	if r.Status != status {
		s.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.Status, status, r.Raw)
	}
	return r.Body
}

// Rows runs a query on the application's database and returns one string
// per row: its columns separated by " | ", NULL as NULL.
func (s *Sidecar) Rows(query string, args ...any) []string {
	s.t.Helper()
	rows, err := s.DB.Query(query, args...)
	if err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		s.t.Fatal(err)
	}
	out := []string{}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			s.t.Fatalf("%s: %v", query, err)
		}
		fields := make([]string, len(cols))
		for i, v := range vals {
			fields[i] = "NULL"
			if v.Valid {
				fields[i] = v.String
			}
		}
		out = append(out, strings.Join(fields, " | "))
	}
	if err := rows.Err(); err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
	return out
}

// Value runs a query expected to return one row of one column and returns
// it as Rows formats it.
func (s *Sidecar) Value(query string, args ...any) string {
	s.t.Helper()
	rows := s.Rows(query, args...)
	if len(rows) != 1 {
		s.t.Fatalf("%s %v: %d rows, want 1: %q", query, args, len(rows), rows)
	}
	return rows[0]
}

// CheckRows reports an error, naming step, unless the query returns
// exactly the rows want, in order (see Rows for their form).
func (s *Sidecar) CheckRows(step string, want []string, query string, args ...any) {
	s.t.Helper()
	if got := s.Rows(query, args...); !slices.Equal(got, want) {
		s.t.Errorf("%s: %s %v\n got  %q\n want %q", step, oneLine(query), args, got, want)
	}
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

// Patch returns a PATCH request body with the given operations, each a
// JSON object.
func Patch(ops ...string) string {
	return `{"schemas":["` + PatchOp + `"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

// Members returns the member values of a Group document, sorted, and
// stops the test if members is not a list of objects with values.
func Members(t testing.TB, doc map[string]any) []string {
	t.Helper()
	ids := []string{}
	list, ok := doc["members"].([]any)
	if !ok && doc["members"] != nil {
		t.Fatalf("members is %T, want a list: %v", doc["members"], doc)
	}
	for _, m := range list {
		obj, _ := m.(map[string]any)
		v, ok := obj["value"].(string)
		if !ok {
			t.Fatalf("member %v has no string value", m)
		}
		ids = append(ids, v)
	}
	slices.Sort(ids)
	return ids
}

// Resources returns the Resources of a ListResponse, stopping the test
// unless totalResults is want.
func Resources(t testing.TB, list map[string]any, want int) []map[string]any {
	t.Helper()
	if n, _ := list["totalResults"].(float64); int(n) != want {
		t.Fatalf("totalResults %v, want %d: %v", list["totalResults"], want, list)
	}
	var out []map[string]any
	rs, _ := list["Resources"].([]any)
	for _, r := range rs {
		obj, _ := r.(map[string]any)
		out = append(out, obj)
	}
	return out
}

// Filter returns a query string selecting with a SCIM filter, escaped as
// Okta and Entra send it (%20 for spaces).
func Filter(expr string) string {
	return "filter=" + strings.ReplaceAll(url.QueryEscape(expr), "+", "%20")
}
