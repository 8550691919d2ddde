package scim_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestRequestLimits checks every limit on what one request may ask for:
// each is refused with a SCIM error, and nothing is written.
func TestRequestLimits(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping, "maxBodyBytes: 65536", "defaultPageSize: 2", "maxPageSize: 2")
	before := s.count("SELECT COUNT(*) FROM users")
	nested := func(n int) string {
		return `{"userName":"deep@example.com","x":` + strings.Repeat(`[`, n) + strings.Repeat(`]`, n) + `}`
	}
	terms := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`userName eq "u%d"`, i)
		}
		return "/scim/v2/Users?filter=" + url.QueryEscape(strings.Join(parts, " or "))
	}
	ops := func(n int) string {
		o := make([]string, n)
		for i := range o {
			o[i] = `{"op":"replace","path":"displayName","value":"x"}`
		}
		return patchBody(o...)
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		scimType                 string
	}{
		{"body over maxBodyBytes (64 KiB here)", "POST", "/scim/v2/Users", `{"userName":"big@example.com","displayName":"` + strings.Repeat("x", 70000) + `"}`, 413, ""},
		{"JSON nested 33 deep", "POST", "/scim/v2/Users", nested(32), 400, "invalidSyntax"},
		{"JSON nested 5000 deep", "PATCH", "/scim/v2/Users/1", `{"Operations":[{"op":"add","value":` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `}]}`, 400, "invalidSyntax"},
		{"invalid UTF-8", "POST", "/scim/v2/Users", "{\"userName\":\"bad\xff\xfe@example.com\"}", 400, "invalidSyntax"},
		{"unpaired surrogate escape", "POST", "/scim/v2/Users", `{"userName":"half\ud83d@example.com"}`, 400, "invalidSyntax"},
		{"filter over 4096 characters", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "`+strings.Repeat("a", 4100)+`"`), "", 400, "invalidFilter"},
		{"filter with 51 comparisons", "GET", terms(51), "", 400, "invalidFilter"},
		{"filter with not nested 33 deep", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(strings.Repeat("not (", 33)+`userName eq "x"`+strings.Repeat(")", 33)), "", 400, "invalidFilter"},
		{"filter that is not UTF-8", "GET", "/scim/v2/Users?filter=" + url.QueryEscape("userName eq \"\xff\""), "", 400, "invalidValue"},
		{"id that is not UTF-8", "GET", "/scim/v2/Users/%ff", "", 404, ""},
		{"PATCH with 1001 operations", "PATCH", "/scim/v2/Users/1", ops(1001), 413, ""},
		{"userName over its 100-character column", "POST", "/scim/v2/Users", `{"userName":"` + strings.Repeat("x", 101) + `"}`, 400, "invalidValue"},
		{"101 four-byte characters in a 100-character column", "POST", "/scim/v2/Users", `{"userName":"` + strings.Repeat("😀", 101) + `"}`, 400, "invalidValue"},
		{"PATCH a value over its column", "PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"name.givenName","value":"` + strings.Repeat("é", 51) + `"}`), 400, "invalidValue"},
		{"PUT a value over its column", "PUT", "/scim/v2/Users/1", `{"userName":"alice","displayName":"` + strings.Repeat("d", 121) + `"}`, 400, "invalidValue"},
		{"startIndex past int64", "GET", "/scim/v2/Users?startIndex=99999999999999999999", "", 400, "invalidValue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			checkError(t, s.do(c.method, c.path, body), c.status, c.scimType)
		})
	}
	if after := s.count("SELECT COUNT(*) FROM users"); after != before {
		t.Errorf("refused requests wrote rows: %d before, %d after", before, after)
	}
	if row := s.row("SELECT display_name, first_name FROM users WHERE id = 1"); row["display_name"] != "Alice Archer" || row["first_name"] != "Alice" {
		t.Errorf("refused requests changed alice: %v", row)
	}

	// Just within the limits: accepted, and stored exactly.
	if r := s.do("GET", terms(50), nil); r.Status != 200 {
		t.Errorf("50 comparisons: %d %s", r.Status, r.Raw)
	}
	if r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(strings.Repeat("not (", 31)+`userName eq "x"`+strings.Repeat(")", 31)), nil); r.Status != 200 {
		t.Errorf("not nested 31 deep: %d %s", r.Status, r.Raw)
	}
	if r := s.do("POST", "/scim/v2/Users", nested(31)); r.Status == 400 && strings.Contains(r.Raw, "nests") {
		t.Errorf("32 levels refused as too deep: %s", r.Raw)
	}
	emoji := strings.Repeat("😀", 100)
	r := s.do("POST", "/scim/v2/Users", `{"userName":"`+emoji+`"}`)
	if r.Status != 201 || r.Body["userName"] != emoji {
		t.Fatalf("100 four-byte characters: %d %.200s", r.Status, r.Raw)
	}
	if got := s.row("SELECT login FROM users WHERE id = ?", r.Body["id"])["login"]; got != emoji {
		t.Errorf("stored %q", got)
	}
	// Page size: count is cut to maxPageSize; huge and negative counts
	// and start indexes are answered, not failed.
	for _, q := range []string{"count=1000000", "count=-1", "startIndex=-5&count=2", "startIndex=9223372036854775807", "count=9223372036854775807"} {
		r := s.do("GET", "/scim/v2/Users?"+q, nil)
		if r.Status != 200 {
			t.Errorf("%s: %d %s", q, r.Status, r.Raw)
			continue
		}
		if n, _ := r.Body["itemsPerPage"].(float64); n > 2 {
			t.Errorf("%s: %v items, over maxPageSize 2", q, n)
		}
	}
}

// syncWriter is a concurrency-safe log sink.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestAuthFailuresThrottled checks that failed authentications are logged
// without the token and counted by client address, that an address over
// the limit gets 429 for every further failed attempt while a valid token
// from it is still served (IdPs share addresses among tenants), that other
// addresses are not refused, and that X-Forwarded-For counts only from a
// trusted proxy.
func TestAuthFailuresThrottled(t *testing.T) {
	dsn, db := scratchDB(t, legacySchema)
	logs := &syncWriter{}
	s := attachLogged(t, db, dsn, legacyMapping,
		serverSection("authThrottle: {maxFailures: 3, window: 1m, blockFor: 2m}", "trustedProxies: [203.0.113.10]"),
		slog.New(slog.NewTextHandler(logs, nil)))
	from := func(remote, auth string, headers map[string]string) response {
		req, _ := http.NewRequest("GET", "http://sidecar.test/scim/v2/Users", nil)
		req.RemoteAddr = remote
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		return s.send(req)
	}
	good := "Bearer " + testToken
	const secret = "guessed-token-s3cr3t"

	for i := range 3 {
		checkError(t, from("198.51.100.7:4000", "Bearer "+secret, nil), http.StatusUnauthorized, "")
		if r := from("198.51.100.7:4001", good, nil); r.Status != 200 {
			t.Fatalf("the valid token after %d failures: %d", i+1, r.Status)
		}
	}
	// Blocked: failed attempts get 429, again and again...
	for range 20 {
		r := from("198.51.100.7:4002", "Bearer "+secret, nil)
		checkError(t, r, http.StatusTooManyRequests, "")
		if ra := r.Header.Get("Retry-After"); ra != "120" {
			t.Errorf("Retry-After %q, want 120", ra)
		}
		checkError(t, from("198.51.100.7:4002", "", nil), http.StatusTooManyRequests, "")
		// ...while the valid token from the same address is served.
		if r := from("198.51.100.7:4003", good, nil); r.Status != 200 {
			t.Fatalf("the valid token from a blocked address: %d %s", r.Status, r.Raw)
		}
	}
	checkError(t, from("198.51.100.8:4000", "Bearer "+secret, nil), http.StatusUnauthorized, "")
	if r := from("198.51.100.8:4000", good, nil); r.Status != 200 {
		t.Errorf("another address: %d", r.Status)
	}
	// An untrusted peer cannot choose the address it is counted under...
	checkError(t, from("198.51.100.7:4003", "Bearer "+secret, map[string]string{"X-Forwarded-For": "192.0.2.99"}), http.StatusTooManyRequests, "")
	// ...nor get another client blocked by naming it.
	for range 3 {
		from("198.51.100.9:4000", "Bearer wrong", map[string]string{"X-Forwarded-For": "192.0.2.50"})
	}
	checkError(t, from("203.0.113.10:5000", "Bearer wrong", map[string]string{"X-Forwarded-For": "192.0.2.50"}), http.StatusUnauthorized, "")
	// Behind the trusted proxy, clients are told apart by the header.
	for range 3 {
		from("203.0.113.10:5001", "Bearer wrong", map[string]string{"X-Forwarded-For": "192.0.2.60"})
	}
	checkError(t, from("203.0.113.10:5002", "Bearer wrong", map[string]string{"X-Forwarded-For": "192.0.2.60"}), http.StatusTooManyRequests, "")
	if r := from("203.0.113.10:5002", good, map[string]string{"X-Forwarded-For": "192.0.2.60"}); r.Status != 200 {
		t.Errorf("the valid token from a blocked client behind the proxy: %d", r.Status)
	}
	checkError(t, from("203.0.113.10:5003", "Bearer wrong", map[string]string{"X-Forwarded-For": "192.0.2.61"}), http.StatusUnauthorized, "")

	out := logs.String()
	if strings.Contains(out, secret) || strings.Contains(out, testToken) {
		t.Errorf("the log holds a token:\n%s", out)
	}
	// 3 each from .7, .9 and 192.0.2.60 up to their blocks, and one each
	// from .8, 192.0.2.50 and 192.0.2.61; refused attempts are not counted.
	if n := strings.Count(out, `msg="authentication failed"`); n != 12 {
		t.Errorf("%d failed authentications logged, want 12:\n%s", n, out)
	}
	if !strings.Contains(out, "remote=198.51.100.7") || !strings.Contains(out, `reason="unknown token"`) {
		t.Errorf("the failure log lacks the address or the reason:\n%s", out)
	}
	if n := strings.Count(out, "refusing a client address"); n != 3 {
		t.Errorf("%d blocks logged, want 3 (198.51.100.7, .9 and 192.0.2.60):\n%s", n, out)
	}
}
