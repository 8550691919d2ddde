package scim_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// testToken is the bearer token of the test sidecars.
const testToken = "test-token-0123456789"

// sidecar is a scimbridge wired to a fresh database, driven in-process.
type sidecar struct {
	t   testing.TB
	h   http.Handler
	db  *sql.DB
	cli *cli.Sidecar
}

// newSidecar creates a database from schemaFile, maps it with the resources
// section in mappingFile, and returns the wired sidecar. Extra server
// settings can be given as YAML lines indented for the server section.
func newSidecar(t testing.TB, schemaFile, mappingFile string, serverExtra ...string) *sidecar {
	t.Helper()
	return newSidecarServer(t, schemaFile, mappingFile, serverSection(serverExtra...))
}

// newSidecarServer is newSidecar with the whole server section given.
func newSidecarServer(t testing.TB, schemaFile, mappingFile, server string) *sidecar {
	t.Helper()
	dsn, db := scratchDB(t, schemaFile)
	return attachLogged(t, db, dsn, mappingFile, server, slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// tlog writes a sidecar's warnings and errors to the test log.
type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// response is a recorded SCIM response.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// do sends one request with the test token; body may be a string or any
// JSON-encodable value.
func (s *sidecar) do(method, path string, body any) response {
	return s.doAuth(method, path, body, "Bearer "+testToken)
}

// doHeaders sends a request with the test token and extra headers.
func (s *sidecar) doHeaders(method, path string, body any, headers map[string]string) response {
	s.t.Helper()
	return s.doWith(method, path, body, "Bearer "+testToken, headers)
}

func (s *sidecar) doAuth(method, path string, body any, auth string) response {
	s.t.Helper()
	return s.doWith(method, path, body, auth, nil)
}

func (s *sidecar) doWith(method, path string, body any, auth string, headers map[string]string) response {
	s.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(enc)
	}
	req := httptest.NewRequest(method, "http://sidecar.test"+path, r)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return s.send(req)
}

// send serves req and decodes the response.
func (s *sidecar) send(req *http.Request) response {
	s.t.Helper()
	method, path := req.Method, req.URL.RequestURI()
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	res := response{Status: w.Code, Header: w.Header(), Raw: w.Body.String()}
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &res.Body); err != nil {
			s.t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, w.Body.String())
		}
	}
	return res
}

// row reads one row of the users table as strings (NULL as "<nil>").
func (s *sidecar) row(query string, args ...any) map[string]string {
	s.t.Helper()
	cols, rows := s.query(query, args...)
	if len(rows) == 0 {
		s.t.Fatalf("no row for %s %v", query, args)
	}
	out := map[string]string{}
	for i, c := range cols {
		out[c] = "<nil>"
		if rows[0][i].Valid {
			out[c] = rows[0][i].String
		}
	}
	return out
}

// query returns the column names and every row a query gives, as
// nullable strings; the row, rows and Rows helpers format them.
func (s *sidecar) query(query string, args ...any) ([]string, [][]sql.NullString) {
	s.t.Helper()
	rows, err := s.db.Query(query, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]sql.NullString
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return cols, out
}

func (s *sidecar) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.QueryRow(query, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// checkError asserts a SCIM error response.
func checkError(t testing.TB, r response, status int, scimType string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		t.Errorf("Content-Type %q, want application/scim+json", ct)
	}
	schemas, _ := r.Body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("schemas = %v, want the Error schema", r.Body["schemas"])
	}
	if got, _ := r.Body["status"].(string); got != strconvItoa(status) {
		t.Errorf("status member = %#v, want the string %q", r.Body["status"], strconvItoa(status))
	}
	if got, _ := r.Body["scimType"].(string); got != scimType {
		t.Errorf("scimType = %q, want %q (%s)", got, scimType, r.Raw)
	}
	for _, leak := range []string{"SELECT", "INSERT", "UPDATE ", "Error 1", "goroutine", "users`"} {
		if strings.Contains(r.Raw, leak) {
			t.Errorf("error body leaks %q: %s", leak, r.Raw)
		}
	}
}

func strconvItoa(n int) string { b, _ := json.Marshal(n); return string(b) }
