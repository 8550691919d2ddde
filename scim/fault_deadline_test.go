package scim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
)

// TestFaultDeadlineBoundsEveryStatement stalls, one request at a time,
// the statement of each kind a request sends (the server never answers
// it) with a 1s requestTimeout: every request ends with 503 within the
// timeout plus the 2s the sidecar may take after it to find out whether a
// commit whose answer it lost committed, plus slack for a loaded machine;
// no retry or cleanup starts a fresh budget of its own. A stall at
// RELEASE_LOCK, after the commit, is answered 201.
func TestFaultDeadlineBoundsEveryStatement(t *testing.T) {
	const (
		timeout = time.Second
		bound   = timeout + 2*time.Second + 3*time.Second
	)
	legacy, lp, _ := faultSidecarOn(t, legacySchema, legacyMapping, nil, "requestTimeout: 1s")
	roles, rp, _ := faultSidecar(t, nil, "requestTimeout: 1s")
	for _, c := range []struct {
		name                   string
		s                      *sidecar
		p                      *faultproxy.Proxy
		method, path, body, at string
		want                   int
	}{
		{"get user", legacy, lp, "GET", "/scim/v2/Users/1", "", "SELECT", 503},
		{"create user, uniqueness lock", legacy, lp, "POST", "/scim/v2/Users", `{"userName":"d1@example.com"}`, "GET_LOCK", 503},
		{"create user, INSERT", legacy, lp, "POST", "/scim/v2/Users", `{"userName":"d2@example.com"}`, "INSERT INTO", 503},
		{"create user, COMMIT", legacy, lp, "POST", "/scim/v2/Users", `{"userName":"d3@example.com"}`, "\x03COMMIT", 503},
		{"create user, lock release after the commit", legacy, lp, "POST", "/scim/v2/Users", `{"userName":"d4@example.com"}`, "RELEASE_LOCK", 201},
		{"patch user, locked read", legacy, lp, "PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"displayName","value":"D"}`), "FOR UPDATE", 503},
		{"patch user, UPDATE; COMMIT", roles, rp, "PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"displayName","value":"D2"}`), "; COMMIT", 503},
		{"create group, members", roles, rp, "POST", "/scim/v2/Groups", `{"displayName":"d","members":[{"value":"1"}]}`, "INSERT INTO `user_roles`", 503},
		{"get group, members", roles, rp, "GET", "/scim/v2/Groups/2", "", "FROM `user_roles` j JOIN", 503},
		{"add members, one statement", roles, rp, "PATCH", "/scim/v2/Groups/2", patchBody(`{"op":"add","path":"members","value":[{"value":"4"}]}`), "INSERT INTO `user_roles`", 503},
		{"delete user", roles, rp, "DELETE", "/scim/v2/Users/4", "", "DELETE FROM `users`", 503},
	} {
		t.Run(c.name, func(t *testing.T) {
			hit := c.p.On(c.at, faultproxy.Stall)
			defer c.p.Resume()
			var body any
			if c.body != "" {
				body = c.body
			}
			start := time.Now()
			r := c.s.do(c.method, c.path, body)
			d := time.Since(start)
			select {
			case <-hit:
			default:
				c.p.ClearRules()
				t.Fatalf("the request never sent %q: %d %s", c.at, r.Status, r.Raw)
			}
			if r.Status != c.want {
				t.Errorf("status %d %s, want %d", r.Status, r.Raw, c.want)
			}
			if r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if d > bound {
				t.Errorf("answered after %v with a %v request timeout; want at most %v", d, timeout, bound)
			}
			t.Logf("stalled at %q: %d after %v", c.at, r.Status, d.Round(10*time.Millisecond))
		})
	}
}
