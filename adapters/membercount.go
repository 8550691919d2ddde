package adapters

import (
	"context"
	"sync/atomic"
)

// MemberCounts tallies the membership rows that writes actually added and
// removed (not the ids they named: adding a member twice adds one row), for
// metrics and audit records. A caller that wants the counts of a request
// puts a MemberCounts in its context with WithMemberCounts; stores add to it
// once a transaction that changed memberships has committed, so retried
// attempts are not counted twice. Its methods are safe for concurrent use
// and on a nil *MemberCounts.
type MemberCounts struct {
	added, removed atomic.Int64
}

// Add records added and removed membership rows.
func (m *MemberCounts) Add(added, removed int64) {
	if m == nil {
		return
	}
	m.added.Add(added)
	m.removed.Add(removed)
}

// Added returns the membership rows added so far.
func (m *MemberCounts) Added() int64 {
	if m == nil {
		return 0
	}
	return m.added.Load()
}

// Removed returns the membership rows removed so far.
func (m *MemberCounts) Removed() int64 {
	if m == nil {
		return 0
	}
	return m.removed.Load()
}

// WithMemberCounts returns a context whose membership changes are counted
// in m.
func WithMemberCounts(ctx context.Context, m *MemberCounts) context.Context {
	return withValue(ctx, m)
}

// MemberCountsFrom returns the MemberCounts of ctx, or nil (on which Add
// does nothing) when the caller did not ask for counts.
func MemberCountsFrom(ctx context.Context) *MemberCounts { return valueFrom[MemberCounts](ctx) }

// valueKey is the context key of a request's *T.
type valueKey[T any] struct{}

// withValue returns a context holding v, the request's *T.
func withValue[T any](ctx context.Context, v *T) context.Context {
	return context.WithValue(ctx, valueKey[T]{}, v)
}

// valueFrom returns the *T of ctx, or nil.
func valueFrom[T any](ctx context.Context) *T {
	v, _ := ctx.Value(valueKey[T]{}).(*T)
	return v
}
