package scim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// heldBody is a request body that blocks at its first read until it is
// released: the request it belongs to stays in flight, past admission and
// inside the handler, for as long as the test wants.
type heldBody struct {
	r        io.Reader
	started  chan struct{} // closed at the first read
	released chan struct{}
	once     sync.Once
	free     sync.Once
}

func newHeldBody(text string) *heldBody {
	return &heldBody{r: strings.NewReader(text), started: make(chan struct{}), released: make(chan struct{})}
}

func (b *heldBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.released
	return b.r.Read(p)
}

func (b *heldBody) release() { b.free.Do(func() { close(b.released) }) }

// watchedBody records whether anything read it.
type watchedBody struct {
	r    io.Reader
	read atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.read.Store(true)
	return b.r.Read(p)
}

// paddedUser is a User body of exactly size bytes: the JSON object, then
// white space.
func paddedUser(t testing.TB, userName string, size int) string {
	t.Helper()
	obj := `{"userName":` + strconvQuote(userName) + `}`
	if len(obj) > size {
		t.Fatalf("%d bytes is too small for %s", size, obj)
	}
	return obj + strings.Repeat(" ", size-len(obj))
}

// request builds a request with the given token and a body of the given
// Content-Length (-1: unknown, as a chunked body).
func request(method, path, token string, body io.Reader, length int64) *http.Request {
	req := httptest.NewRequest(method, "http://sidecar.test"+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	req.ContentLength = length
	return req
}

// inFlight serves req in the background and returns once the handler has
// begun reading its held body; the response arrives on the channel after
// the body is released.
func (s *sidecar) inFlight(t *testing.T, req *http.Request, body *heldBody) <-chan response {
	t.Helper()
	t.Cleanup(body.release)
	out := make(chan response, 1)
	go func() {
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, req)
		res := response{Status: w.Code, Header: w.Header(), Raw: w.Body.String()}
		_ = json.Unmarshal(w.Body.Bytes(), &res.Body)
		out <- res
	}()
	select {
	case <-body.started:
	case r := <-out:
		t.Fatalf("the held request ended before reading its body: %d %s", r.Status, r.Raw)
	}
	return out
}

// TestRequestLimitsBodiesInFlight checks server.maxBodyBytesInFlight: while
// bodies of other requests hold the budget, a request whose body would
// pass it gets 503 with Retry-After before its body is read (or, without a
// Content-Length, once what it has sent passes it); smaller bodies and
// requests without one are served; and a body's bytes are free again when
// its request ends.
func TestRequestLimitsBodiesInFlight(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping, "maxBodyBytes: 65536", "maxBodyBytesInFlight: 100000")
	post := func(body io.Reader, length int64) *http.Request {
		return request("POST", "/scim/v2/Users", testToken, body, length)
	}
	held := newHeldBody(paddedUser(t, "held1@example.com", 60000))
	done := s.inFlight(t, post(held, 60000), held)

	// 60000 + 50000 > 100000: refused unread.
	big := &watchedBody{r: strings.NewReader(paddedUser(t, "big@example.com", 50000))}
	r := s.send(post(big, 50000))
	checkError(t, r, http.StatusServiceUnavailable, "")
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if big.read.Load() {
		t.Error("the refused body was read")
	}
	// Without a Content-Length, refused once the bytes read pass it.
	r = s.send(post(io.NopCloser(strings.NewReader(paddedUser(t, "chunked@example.com", 45000))), -1))
	checkError(t, r, http.StatusServiceUnavailable, "")
	// What fits is served, with and without a Content-Length; reads too.
	if r := s.send(post(strings.NewReader(paddedUser(t, "small@example.com", 30000)), 30000)); r.Status != http.StatusCreated {
		t.Errorf("a body within the budget: %d %s", r.Status, r.Raw)
	}
	if r := s.send(post(io.NopCloser(strings.NewReader(paddedUser(t, "small2@example.com", 30000))), -1)); r.Status != http.StatusCreated {
		t.Errorf("a chunked body within the budget: %d %s", r.Status, r.Raw)
	}
	if r := s.do("GET", "/scim/v2/Users?count=1", nil); r.Status != 200 {
		t.Errorf("a GET: %d %s", r.Status, r.Raw)
	}
	held.release()
	if r := <-done; r.Status != http.StatusCreated {
		t.Errorf("the held request: %d %s", r.Status, r.Raw)
	}
	// Every request has ended and given its bytes back: 60000 held and
	// 40000 more fill the budget exactly.
	held = newHeldBody(paddedUser(t, "held2@example.com", 60000))
	done = s.inFlight(t, post(held, 60000), held)
	if r := s.send(post(strings.NewReader(paddedUser(t, "exact@example.com", 40000)), 40000)); r.Status != http.StatusCreated {
		t.Errorf("a body filling the budget exactly: %d %s", r.Status, r.Raw)
	}
	checkError(t, s.send(post(strings.NewReader(paddedUser(t, "over@example.com", 40001)), 40001)), http.StatusServiceUnavailable, "")
	held.release()
	if r := <-done; r.Status != http.StatusCreated {
		t.Errorf("the second held request: %d %s", r.Status, r.Raw)
	}
	for _, u := range []string{"big@example.com", "chunked@example.com", "over@example.com"} {
		if n := s.count("SELECT COUNT(*) FROM users WHERE login = ?", u); n != 0 {
			t.Errorf("the refused %s was created", u)
		}
	}
}

// TestConcurrentRequestsPerToken checks server.maxConcurrentPerToken: with
// its directory's requests in progress at the bound, a request with any of
// the directory's tokens gets 429 with Retry-After after a short wait,
// while another directory is served, up to its own bound (a token's
// maxConcurrent); a place is free again when a request ends; and the
// operations of a bulk request run within its place.
func TestConcurrentRequestsPerToken(t *testing.T) {
	s := newSidecarServer(t, "testdata/tenants_schema.sql", "testdata/tenants_mapping.yaml", `server:
  maxConcurrentPerToken: 2
  concurrencyWait: 10ms
  tokens:
    - {name: acme, token: {value: acme-token}, scope: {org_id: 1}}
    - {name: acme, token: {value: acme-token-next}, scope: {org_id: 1}}
    - {name: globex, token: {value: globex-token}, scope: {org_id: 2}, maxConcurrent: 1}
`)
	hold := func(token, userName string) (*heldBody, <-chan response) {
		body := `{"userName":` + strconvQuote(userName) + `}`
		h := newHeldBody(body)
		return h, s.inFlight(t, request("POST", "/scim/v2/Users", token, h, int64(len(body))), h)
	}
	a1, done1 := hold("acme-token", "held1@acme.test")
	a2, done2 := hold("acme-token-next", "held2@acme.test")
	for _, tok := range []string{"acme-token", "acme-token-next"} {
		r := s.send(request("GET", "/scim/v2/Users", tok, nil, 0))
		checkError(t, r, http.StatusTooManyRequests, "")
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	// Another directory is served, up to its own bound (1).
	if r := s.send(request("GET", "/scim/v2/Users", "globex-token", nil, 0)); r.Status != 200 {
		t.Errorf("globex while acme is at its bound: %d %s", r.Status, r.Raw)
	}
	g1, gdone := hold("globex-token", "held@globex.test")
	checkError(t, s.send(request("GET", "/scim/v2/Users", "globex-token", nil, 0)), http.StatusTooManyRequests, "")
	g1.release()
	if r := <-gdone; r.Status != http.StatusCreated {
		t.Errorf("globex's held request: %d %s", r.Status, r.Raw)
	}
	// A place is free again once a request ends.
	a1.release()
	if r := <-done1; r.Status != http.StatusCreated {
		t.Errorf("acme's first held request: %d %s", r.Status, r.Raw)
	}
	if r := s.send(request("GET", "/scim/v2/Users", "acme-token", nil, 0)); r.Status != 200 {
		t.Errorf("acme after a place was freed: %d %s", r.Status, r.Raw)
	}
	// One place left: a bulk request takes it, and its three operations
	// run within it.
	bulk := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` +
		`{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"bulk1@acme.test"}},` +
		`{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"bulk2@acme.test"}},` +
		`{"method":"POST","path":"/Users","bulkId":"c","data":{"userName":"bulk3@acme.test"}}]}`
	r := s.send(request("POST", "/scim/v2/Bulk", "acme-token", strings.NewReader(bulk), int64(len(bulk))))
	if r.Status != 200 || strings.Count(r.Raw, `"status":"201"`) != 3 {
		t.Errorf("bulk at the bound: %d %s", r.Status, r.Raw)
	}
	a2.release()
	if r := <-done2; r.Status != http.StatusCreated {
		t.Errorf("acme's second held request: %d %s", r.Status, r.Raw)
	}
}
