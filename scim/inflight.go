package scim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// bodyBudget bounds the request body bytes that all requests together hold
// at once, so that many large bodies arriving together cannot take the
// process's memory with them.
type bodyBudget struct {
	max  int64 // <= 0: no budget
	used atomic.Int64
}

// take reserves n bytes and reports whether they were within the budget.
func (b *bodyBudget) take(n int64) bool {
	for {
		u := b.used.Load()
		if u+n > b.max {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// give returns n bytes to the budget.
func (b *bodyBudget) give(n int64) { b.used.Add(-n) }

// errBudget is what a body of unknown length reads once it would take
// more of the budget than is left.
var errBudget = errors.New("scim: request bodies in flight over maxBodyBytesInFlight")

// budgetedBody counts a body of unknown length (chunked) against the
// budget as it is read.
type budgetedBody struct {
	io.ReadCloser
	budget *bodyBudget
	held   int64
}

func (b *budgetedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		if !b.budget.take(int64(n)) {
			return 0, errBudget
		}
		b.held += int64(n)
	}
	return n, err
}

// bulkOpKey marks the requests runBulkOp makes for the operations of a
// bulk request, which run within the bulk request's own admission.
type bulkOpKey struct{}

// inBulk reports whether c is an operation of a bulk request.
func inBulk(c *gin.Context) bool {
	v, _ := c.Request.Context().Value(bulkOpKey{}).(bool)
	return v
}

// withBulkOp marks ctx as that of an operation of a bulk request.
func withBulkOp(ctx context.Context) context.Context {
	return context.WithValue(ctx, bulkOpKey{}, true)
}

// admit runs after auth and bounds what an authenticated request may hold:
// a place among its directory's requests in progress
// (maxConcurrentPerToken), waiting at most concurrencyWait for one, else
// 429 with Retry-After; and its body's bytes within the budget of bodies in
// flight (maxBodyBytesInFlight), else 503 with Retry-After, before the body
// is read when its length is given, and as it is read otherwise. Both are
// released when the request ends. The operations of a bulk request run
// within the bulk request's own place and budget.
func (s *Server) admit(c *gin.Context) {
	if inBulk(c) {
		c.Next()
		return
	}
	if slots := s.slots[c.GetString("directory")]; slots != nil {
		if !s.enter(c, slots) {
			return
		}
		defer func() { <-slots }()
	}
	if s.budget.max > 0 && c.Request.Body != nil && c.Request.Body != http.NoBody {
		n := c.Request.ContentLength
		switch {
		case n > s.cfg.MaxBodyBytes:
			// readBody refuses it unread with 413: nothing to reserve.
		case n > 0:
			if !s.budget.take(n) {
				s.busy(c)
				return
			}
			defer s.budget.give(n)
		case n < 0:
			b := &budgetedBody{ReadCloser: c.Request.Body, budget: &s.budget}
			c.Request.Body = b
			defer func() { s.budget.give(b.held) }()
		}
	}
	c.Next()
}

// enter takes a place in slots, waiting at most concurrencyWait, and
// reports whether it did; if not, it has answered 429.
func (s *Server) enter(c *gin.Context, slots chan struct{}) bool {
	select {
	case slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(s.cfg.ConcurrencyWait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return true
	case <-t.C:
	case <-c.Request.Context().Done():
	}
	c.Header("Retry-After", "1")
	s.fail(c, errorf(http.StatusTooManyRequests, "", "this client already has %d requests in progress (server.maxConcurrentPerToken); retry later", cap(slots)))
	return false
}

// busy answers 503 to a request whose body the budget of bodies in flight
// cannot hold now.
func (s *Server) busy(c *gin.Context) { s.fail(c, errBusy()) }

// errBusy is the error of a body the budget cannot hold now: 503, which
// fail sends with Retry-After.
func errBusy() *Error {
	return errorf(http.StatusServiceUnavailable, "", "the server holds as many request bodies as it may (server.maxBodyBytesInFlight); retry later")
}

// newSlots makes a semaphore of places for every directory: its own
// maxConcurrent if it gives one, else perToken; none where that is -1.
func newSlots(perToken int, dirs []Directory) map[string]chan struct{} {
	out := make(map[string]chan struct{}, len(dirs))
	for _, d := range dirs {
		n := perToken
		if d.MaxConcurrent != 0 {
			n = d.MaxConcurrent
		}
		if n > 0 {
			out[d.Name] = make(chan struct{}, n)
		}
	}
	return out
}
