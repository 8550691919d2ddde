package adapters

import (
	"context"
	"errors"
	"time"
)

// ErrUnknownMember: a membership change names a user that does not exist in
// the users table's scope. Nothing of the change is applied.
var ErrUnknownMember = errors.New("unknown member")

// ErrRefused: the application depends on the row as it is (a default
// role users fall back to), so it cannot be deleted or renamed.
var ErrRefused = errors.New("refused")

// ErrUnknownReference: a column that refers to another row (a manager)
// names a row that does not exist in scope. Nothing is written.
var ErrUnknownReference = errors.New("unknown reference")

// MembershipSpec says where a group's members are stored, in one of two
// shapes:
//
//   - a join table with one row per membership (JoinTable, JoinGroup,
//     JoinUser), for roles + user_roles, or for users and groups kept in
//     one table;
//   - a column on the user's row (UserColumn) holding a reference to the
//     one group the user is in, cleared to Cleared on removal.
type MembershipSpec struct {
	// Users is the user table: its key and scope say which member ids exist.
	Users TableSpec
	// Display is the user column shown as a member's display.
	Display Column

	JoinTable Table
	JoinGroup Column // references the group (GroupRef)
	JoinUser  Column // references the user (UserRef)
	// UserRef is the user-table column that JoinUser stores: the user's
	// key when empty, else a unique column such as the login (Spring
	// Security's authorities.username beside a numeric users.id).
	UserRef Column
	// JoinScope holds constant values of the join rows that are
	// memberships (user_pending = 0): read, matched and written on add.
	// JoinConditions further restrict which rows are memberships. Rows
	// outside them are the application's (an applicant, a revoked grant)
	// and are neither listed nor removed, though a group's deletion
	// removes them with it.
	JoinScope      map[Column]any
	JoinConditions []Condition
	// JoinDefaults are written into every new join row (granted_at, a
	// leader flag).
	JoinDefaults []Default
	// Removed, when set, makes removing a member mark its join row (a
	// left_at or DeleteAt time, a deleted flag) instead of deleting it,
	// as applications that keep membership history do: marked rows are
	// no memberships, and adding the member again clears the mark on the
	// same row, writing Restore.
	Removed *SoftDelete
	Restore any
	// RemovedMillis writes a Removed time into an integer column as Unix
	// milliseconds rather than seconds.
	RemovedMillis bool
	// Location is the time zone of the join table's local-time columns
	// (ColumnInfo.LocalTime), for defaults of kind DefaultNow; nil means UTC.
	Location *time.Location

	UserColumn Column
	Cleared    any // written to UserColumn on removal; nil is NULL
	// List, with UserColumn, says the column holds a list of group
	// references (a JSON array of roles, a space-delimited string, a
	// PHP-serialized array): the user is in every group whose GroupRef
	// the list holds. A membership change rewrites the list inside the
	// user row's lock, keeping every other token; Cleared is unused.
	List ListCodec
	// MetaKey, with List and no UserColumn, says the list is held in the
	// user's entry of that key in the users' key/value table (Users.KV):
	// WordPress's wp_usermeta row wp_capabilities. A user with no entry
	// holds no groups; a change rewrites the entry inside the user row's
	// lock, inserting it when missing and removing it when the codec
	// returns nil, as the key/value attribute writes do.
	MetaKey string

	// GroupRef is the group-table column that the membership stores: the
	// group's key unless the application refers to groups by, e.g., name.
	// It may be a joined table's column (JoinColumn): Guacamole's
	// memberships name a group by its guacamole_user_group.user_group_id,
	// the joined row's own key. That joined table has no scope.
	GroupRef Column

	// Hooks are the membership's AfterMemberAdd and AfterMemberRemove
	// hooks, run once per member actually added or removed, whichever
	// write does it (a group's change or deletion, a user's deletion).
	Hooks Hooks
}

// ListCodec reads and rewrites a list of tokens held in one column.
type ListCodec interface {
	// Tokens returns the tokens the stored value holds, in order; an
	// error says the stored value cannot be read.
	Tokens(stored any) ([]string, error)
	// Edit returns the stored value with token added (in) or removed,
	// everything else kept as it was; an error says the stored value
	// cannot be read, or the result does not fit the column.
	Edit(stored any, token string, in bool) (any, error)
	// Search says how SQL can find the rows holding a token: ListJSON
	// (a JSON array), ListDelimited (Delimiter between tokens) or
	// ListOpaque (it cannot; rows are decoded instead).
	Search() (kind ListSearch, delimiter string)
}

// ListSearch is how SQL finds a token in a list column.
type ListSearch int

// How a list column is searched.
const (
	ListOpaque ListSearch = iota
	ListJSONArray
	ListDelimitedText
)

// MemberOpKind is what a MemberOp does.
type MemberOpKind int

// Membership operations.
const (
	MemberAdd MemberOpKind = iota
	MemberRemove
	MemberReplace
)

// MemberOp is one change to a group's membership. Adding a member twice or
// removing a non-member is not an error.
type MemberOp struct {
	Kind MemberOpKind
	IDs  []string // user ids
}

// Member is a user in a group, or a group of a user.
type Member struct {
	ID      string
	Display string
}

// Groups is the optional capability of a Store whose TableSpec has Members:
// group membership, changed in the same transaction as the group's row.
// Every change costs a number of statements that depends on the number of
// members changed, not on the size of the group.
type Groups interface {
	// CreateGroup inserts the group row and its members in one transaction,
	// and says how many memberships it added.
	CreateGroup(ctx context.Context, rec Record, members []string) (Record, Written, error)
	// UpdateGroup is Store.Update whose fn also returns membership changes,
	// applied in order in the same transaction. It returns
	// ErrUnknownMember for a member id that names no user, and what it
	// did to the memberships.
	UpdateGroup(ctx context.Context, id string, fn func(Record) (Record, []MemberOp, error)) (Record, Written, error)
	// AddMembers adds users to a group whose row the change leaves as it
	// is (no PATCH of its attributes, no precondition), in one
	// transaction, without reading the row for the caller: it returns
	// ErrNotFound for an unknown group and ErrUnknownMember for an id that
	// names no user, having written nothing. It reports false, having done
	// nothing, when the mapping needs UpdateGroup for the change. Written
	// counts the memberships added where the store knows them (not after
	// an answer lost on the way back, when it only knows the change
	// committed).
	AddMembers(ctx context.Context, id string, ids []string) (bool, Written, error)
	// RemoveMembers removes users from a group whose row the change leaves
	// as it is, as AddMembers adds them: in one transaction, without
	// reading the row for the caller. It returns ErrNotFound for an
	// unknown group; an id that names no member, or no user, is no error
	// (RFC 7644 section 3.5.2.2). It reports false, having done nothing,
	// when the mapping needs UpdateGroup for the change. Written counts
	// the memberships removed where the store knows them.
	RemoveMembers(ctx context.Context, id string, ids []string) (bool, Written, error)
	// EachMember calls fn for every member of the group, streaming them in
	// key order without holding them all in memory.
	EachMember(ctx context.Context, id string, fn func(Member) error) error
	// GroupsOf returns the groups each of the given users is directly in.
	GroupsOf(ctx context.Context, userIDs []string) (map[string][]Member, error)
}
