package adapters

import "context"

// GroupsRead asks a user Store's Get, or the read of the row an Update
// locks, to read the user's groups too, in the same round trip where the
// store can: a request that answers with one user then needs no query of
// GroupsOf after it. A caller puts one in the context with WithGroupsRead;
// Done says whether the store read the groups, which are then Groups, as
// GroupsOf would return them for the user. A store that did not leaves
// Done false, and the caller asks GroupsOf.
type GroupsRead struct {
	Done   bool
	Groups []Member
}

// WithGroupsRead returns a context whose read of one user reads the user's
// groups into r where the store can.
func WithGroupsRead(ctx context.Context, r *GroupsRead) context.Context {
	return withValue(ctx, r)
}

// GroupsReadFrom returns the GroupsRead of ctx, or nil when the caller did
// not ask for the groups.
func GroupsReadFrom(ctx context.Context) *GroupsRead { return valueFrom[GroupsRead](ctx) }
