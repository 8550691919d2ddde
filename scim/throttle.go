package scim

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// maxThrottled bounds the addresses the auth throttle remembers, so that a
// flood of addresses cannot grow it without limit.
const maxThrottled = 10000

// authThrottle counts failed authentications by client address and refuses
// further failed attempts from an address that fails too often; requests
// with a valid token are served whatever their address. IPv6 clients are
// counted by /64, the block one host usually controls. Successful
// authentications do not reset the count: an attacker sharing an address
// with an IdP must not be able to wash its failures away with the IdP's
// successes.
type authThrottle struct {
	max           int // failures within window before a block; <= 0: off
	window, block time.Duration
	now           func() time.Time

	// until is the latest time, in Unix nanoseconds, an address is
	// blocked until: while it is past, no address is refused and a
	// request's address is not looked at.
	until atomic.Int64

	mu    sync.Mutex
	addrs map[netip.Addr]*failures
}

type failures struct {
	n       int
	since   time.Time // start of the counting window
	blocked time.Time // refused until then
}

func newAuthThrottle(c AuthThrottleConfig) *authThrottle {
	return &authThrottle{max: c.MaxFailures, window: c.Window, block: c.BlockFor, now: time.Now, addrs: map[netip.Addr]*failures{}}
}

// throttleKey is the address failures are counted under, or false for a
// peer address that does not parse (never the case for TCP peers).
func throttleKey(ip string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Addr{}, false
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		a = p.Addr()
	}
	return a, true
}

// blocking reports whether any address may be blocked now.
func (t *authThrottle) blocking() bool {
	return t.max > 0 && t.now().UnixNano() < t.until.Load()
}

// refused reports whether ip is blocked now, and for how much longer.
func (t *authThrottle) refused(ip string) (time.Duration, bool) {
	if t.max <= 0 {
		return 0, false
	}
	k, ok := throttleKey(ip)
	if !ok {
		return 0, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.addrs[k]
	if f == nil {
		return 0, false
	}
	if left := f.blocked.Sub(t.now()); left > 0 {
		return left, true
	}
	return 0, false
}

// fail counts a failed authentication from ip and reports whether it has
// just made the address blocked, and the failures counted.
func (t *authThrottle) fail(ip string) (blocked bool, n int) {
	if t.max <= 0 {
		return false, 0
	}
	k, ok := throttleKey(ip)
	if !ok {
		return false, 0
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.addrs[k]
	if f == nil {
		if len(t.addrs) >= maxThrottled && !t.evict(now) {
			return false, 0
		}
		f = &failures{since: now}
		t.addrs[k] = f
	}
	if now.Sub(f.since) > t.window {
		f.n, f.since = 0, now
	}
	f.n++
	if f.n >= t.max && !f.blocked.After(now) {
		f.blocked = now.Add(t.block)
		if u := f.blocked.UnixNano(); u > t.until.Load() {
			t.until.Store(u) // under mu: no other store races this one
		}
		f.n, f.since = 0, now
		return true, t.max
	}
	return false, f.n
}

// evict makes room for one address: it drops every entry that is neither
// blocked nor inside its window, and failing that any entry not blocked.
// It reports false when every remembered address is blocked.
func (t *authThrottle) evict(now time.Time) bool {
	for k, f := range t.addrs {
		if !f.blocked.After(now) && now.Sub(f.since) > t.window {
			delete(t.addrs, k)
		}
	}
	if len(t.addrs) < maxThrottled {
		return true
	}
	for k, f := range t.addrs {
		if !f.blocked.After(now) {
			delete(t.addrs, k)
			return true
		}
	}
	return false
}

// throttled answers 429 to a request without a valid token from a client
// address that is refused for repeated authentication failures, and
// reports whether it did. Such a request is not counted again.
func (s *Server) throttled(c *gin.Context) bool {
	if !s.throttle.blocking() {
		return false // the common case: no address to compare
	}
	left, ok := s.throttle.refused(c.ClientIP())
	if !ok {
		return false
	}
	c.Header("Retry-After", strconv.Itoa(int((left+time.Second-1)/time.Second)))
	s.fail(c, errorf(http.StatusTooManyRequests, "", "too many failed authentications from this address; retry later"))
	return true
}

// authFailed logs a failed authentication (never the token) and counts it
// against the client's address.
func (s *Server) authFailed(c *gin.Context, reason string) {
	ip := c.ClientIP()
	ctx := c.Request.Context()
	s.logger.WarnContext(ctx, "authentication failed", "request_id", c.GetString("requestID"), "remote", ip, "reason", reason)
	if blocked, n := s.throttle.fail(ip); blocked {
		s.logger.LogAttrs(context.WithoutCancel(ctx), slog.LevelWarn, "refusing a client address after repeated authentication failures",
			slog.String("request_id", c.GetString("requestID")), slog.String("remote", ip),
			slog.Int("failures", n), slog.Duration("for", s.throttle.block))
	}
}

// authFailure says why an Authorization header was refused, for the log.
func authFailure(header, scheme string) string {
	switch {
	case strings.TrimSpace(header) == "":
		return "no Authorization header"
	case !strings.EqualFold(scheme, "Bearer"):
		return "not a bearer token"
	}
	return "unknown token"
}
