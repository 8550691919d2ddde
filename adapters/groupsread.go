package adapters

import "context"

// GroupsRead asks a user Store's reads for a request (Get, the read of
// the row an Update locks, a List that looks users up by an indexed
// value) to read the users' groups too, in the same round trip where the
// store can: the response then needs no query of GroupsOf after the read.
// A caller puts one in the context with WithGroupsRead; Done says whether
// the store read the groups, which are then in Of as GroupsOf would
// return them (by user id, a user in no group absent). A store that did
// not leaves Done false, and the caller asks GroupsOf.
type GroupsRead struct {
	Done bool
	Of   map[string][]Member
}

type groupsReadKey struct{}

// WithGroupsRead returns a context whose reads of users read their groups
// into r where the store can.
func WithGroupsRead(ctx context.Context, r *GroupsRead) context.Context {
	return context.WithValue(ctx, groupsReadKey{}, r)
}

// GroupsReadFrom returns the GroupsRead of ctx, or nil when the caller did
// not ask for the groups.
func GroupsReadFrom(ctx context.Context) *GroupsRead {
	r, _ := ctx.Value(groupsReadKey{}).(*GroupsRead)
	return r
}
