package adapters

import "context"

// GroupsRead is what a GroupsReader read of a user's groups with the user:
// Done says whether it read them, which are then Groups, as GroupsOf would
// return them for the user. A store that did not (it cannot batch the
// statements, or the write moved the user to another group) leaves Done
// false, and the caller asks GroupsOf.
type GroupsRead struct {
	Done   bool
	Groups []Member
}

// GroupsReader is an optional capability of a Store whose TableSpec has
// MemberOf: it reads a user's groups with the user, in the same round trip
// where the store can, so that a request answering with one user needs no
// query of GroupsOf after it.
type GroupsReader interface {
	// GetWithGroups is Store.Get that also reads the user's groups.
	GetWithGroups(ctx context.Context, id string) (Record, GroupsRead, error)
	// UpdateWithGroups is Store.Update that also reads the user's groups
	// with the row it locks; they are not Done when the update changed
	// them.
	UpdateWithGroups(ctx context.Context, id string, fn func(Record) (Record, error)) (Record, GroupsRead, error)
}

// Written is what a committed write did, for metrics and audit records:
// the membership rows it actually added and removed (not the ids it named:
// adding a member twice adds one row). A write that failed did nothing,
// and returns a zero Written.
type Written struct {
	MembersAdded, MembersRemoved int64
}

// Add returns the sum of w and o.
func (w Written) Add(o Written) Written {
	return Written{MembersAdded: w.MembersAdded + o.MembersAdded, MembersRemoved: w.MembersRemoved + o.MembersRemoved}
}
