package adapters

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Sentinel errors returned (wrapped with %w) by every Store implementation.
// Callers test for them with errors.Is.
var (
	// ErrNotFound: no row with that key exists inside the table's scope.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write would duplicate a unique value.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the database could not be reached, did not answer in
	// time, or refuses the work for now (read-only, too many connections,
	// a cluster node not synced); nothing was written, and the request may
	// be retried later.
	ErrUnavailable = errors.New("database unavailable")
	// ErrInvalid: the database refused a value (too long, out of range, wrong
	// type) that validation did not catch.
	ErrInvalid = errors.New("invalid value")
	// ErrOutOfScope: a new row would not satisfy the table's Conditions, so
	// it would be invisible once written; nothing was written. It is a
	// mistake of the mapping (its defaults), not of the request.
	ErrOutOfScope = errors.New("the new row would be outside the mapping's scope")
	// ErrHeldByDeleted wraps ErrConflict when the unique value is held by a
	// soft-deleted row, which keeps it unless the mapping releases it.
	ErrHeldByDeleted = errors.New("held by a deleted row the application keeps")
	// ErrHeldOutOfScope wraps ErrConflict when the unique value is held by
	// a row outside the mapping's scope (a bot, another kind of account),
	// which the database's unique index still counts.
	ErrHeldOutOfScope = errors.New("held by a row outside the mapping's scope")
	// ErrReferenced wraps ErrConflict when the application's own rows
	// still refer to the row (a foreign key without ON DELETE CASCADE):
	// it was not deleted, or its key not changed; nothing was written.
	ErrReferenced = errors.New("rows of the application refer to it")
	// ErrNoReferencedRow wraps ErrInvalid when a value written names no
	// row of the table a foreign key points at; nothing was written.
	ErrNoReferencedRow = errors.New("a value names no row the application's foreign key points at")
	// ErrNeedsValue wraps ErrInvalid when the table needs a column that
	// nothing wrote (NOT NULL without a default); nothing was written.
	ErrNeedsValue = errors.New("the table needs a value nothing wrote")
	// ErrNotStored: the row as stored does not read as what was written
	// (a trigger reverted it, the server converted the value); nothing
	// was written. See TableSpec.Verify.
	ErrNotStored = errors.New("the database did not store what was written")
)

// Table names a table of the application's database.
type Table string

// Column names a column of a Table.
type Column string

// DBDefault, as a value in a Record to write, sets the column to its own
// DEFAULT, for clearing an attribute whose column is NOT NULL but has a
// default (the SQL keyword DEFAULT, not a value the mapping knows).
var DBDefault any = dbDefault{}

type dbDefault struct{}

func (dbDefault) String() string { return "DEFAULT" }

// Record is one row, as column values. Values are Go scalars: string, int64,
// uint64, float64, bool, time.Time, []byte, or nil for SQL NULL. A Record
// handed to Create or returned by an Update func holds only the columns to
// write; a Record read back holds every column of the TableSpec.
type Record map[Column]any

// KeyKind says how the key of a new row is obtained.
type KeyKind int

const (
	// KeyAutoIncrement: the database assigns the key (AUTO_INCREMENT).
	KeyAutoIncrement KeyKind = iota
	// KeyUUID: the store generates a random UUID string.
	KeyUUID
	// KeyProvided: the Record given to Create carries the key (a natural
	// key: the login or group name).
	KeyProvided
	// KeyGenerated: the store makes the key with TableSpec.KeyGen.
	KeyGenerated
)

// ColumnRef names a column of some table.
type ColumnRef struct {
	Table  Table
	Column Column
}

// DefaultKind says how a default column value is produced on insert.
type DefaultKind int

const (
	// DefaultConstant writes Default.Value.
	DefaultConstant DefaultKind = iota
	// DefaultNow writes the current time.
	DefaultNow
	// DefaultUUID writes a fresh random UUID string.
	DefaultUUID
	// DefaultGenerated writes a fresh value of Default.Gen.
	DefaultGenerated
	// DefaultNext writes 1 + the greatest value the column holds among
	// the rows that share the new row's owner (Default.Per), 1 when there
	// is none, computed in the inserting transaction under a lock on the
	// owner, so that two concurrent inserts never take one number.
	DefaultNext
	// DefaultCopy writes the value of another column (Default.From) as the
	// insert writes it, or of the member's user or group row
	// (Default.FromRow).
	DefaultCopy
)

// Owners of a DefaultNext number: the rows it counts among.
const (
	// NextPerParent counts among the rows of the same parent (a child,
	// link or key/value row), or, for a resource or joined row, the
	// whole table within its scope.
	NextPerParent = ""
	// NextPerUser counts among the membership rows of the same user.
	NextPerUser = "user"
	// NextPerGroup counts among the membership rows of the same group.
	NextPerGroup = "group"
)

// Rows a DefaultCopy copies from.
const (
	// CopyRow copies a column the insert itself writes.
	CopyRow = ""
	// CopyUser copies a column of a new membership's user row.
	CopyUser = "user"
	// CopyGroup copies a column of a new membership's group row.
	CopyGroup = "group"
)

// Default is a value written to a column on insert when the Record does not
// set it, for NOT NULL columns the application needs but SCIM does not carry.
type Default struct {
	Column Column
	Kind   DefaultKind
	Value  any       // for DefaultConstant
	Gen    Generator // for DefaultGenerated
	// Milliseconds writes DefaultNow into an integer column as Unix
	// milliseconds rather than seconds.
	Milliseconds bool
	// Per is the owner a DefaultNext counts within (NextPerParent,
	// NextPerUser, NextPerGroup).
	Per string
	// From is the column a DefaultCopy copies, of the row FromRow names
	// (CopyRow, CopyUser, CopyGroup).
	From    Column
	FromRow string
}

// Computed reports whether the value depends on the row being written or
// on the table (DefaultNext, DefaultCopy) rather than on the default alone.
func (d Default) Computed() bool { return d.Kind == DefaultNext || d.Kind == DefaultCopy }

// Unique names a column whose values must be unique inside the scope,
// compared case-insensitively when Fold is set. Stores enforce it whether or
// not the database has a unique index on the column.
type Unique struct {
	Column Column
	Fold   bool
	// Plain compares the column as stored, for a column that already holds
	// a normalised (lower-cased) copy: its index serves the check.
	Plain bool
}

// TableSpec describes one mapped table to a Store. It is produced by the
// compiled mapping from validated configuration; every identifier in it is
// trusted to be a real table or column name.
type TableSpec struct {
	Table   Table
	Key     Column
	KeyKind KeyKind
	// KeyGen makes the keys of new rows when KeyKind is KeyGenerated. A
	// generated key (or UUID) that a row already has is replaced by a
	// new one and the insert tried again.
	KeyGen Generator
	// Columns lists every column the mapping reads; Get and List return them.
	Columns []Column
	// RenameKey lets Update change the key (a natural key, KeyProvided):
	// when the Record it writes sets the key column to a new value, the
	// row's key and every column of KeyRefs holding the old key are
	// updated in the same transaction. Without it Update never changes
	// the key.
	RenameKey bool
	// KeyRefs are the columns, of this table or others, that hold a
	// row's key and move with it when RenameKey renames it: child and
	// key/value parents, membership user columns, and columns the
	// operator declared.
	KeyRefs []ColumnRef
	// IDPrefix is put before the key to make the SCIM id (g-7 for the
	// group with key 7), so that the ids of two resource types kept in
	// separate tables cannot collide. Every Store method takes and
	// returns such ids; an id without the prefix names no row.
	IDPrefix string
	// Scope holds constant column values that every read filters on and every
	// insert writes (a discriminator or tenant column).
	Scope map[Column]any
	// Conditions further restrict the rows in scope (user_type IN (0, 1),
	// deleted_at IS NULL, id > 1): rows that fail one are invisible to every
	// read, filter, uniqueness check and membership, and no write touches
	// them. Unlike Scope they are not written; see VerifyInsert.
	Conditions []Condition
	// Relations restrict the scope by rows of other tables that refer to a
	// row (NOT EXISTS a row in bots; EXISTS a user_roles row with role 3),
	// with the same effect as Conditions on every read, filter, uniqueness
	// check, membership and write.
	Relations []Relation
	// VerifyInsert asks the store to check, before it commits, that a new
	// row satisfies Conditions, failing with ErrOutOfScope otherwise; the
	// mapping sets it when its defaults do not already prove it.
	VerifyInsert bool
	// SoftDelete, when set, makes Delete mark the row instead of removing
	// it: a marked row is out of scope (but still holds its unique
	// values, unless released).
	SoftDelete *SoftDelete
	Defaults   []Default
	Uniques    []Unique
	// Touch lists columns set to the current time on every insert and update
	// (a last-modified column); Created lists those set only on insert.
	Touch   []Column
	Created []Column
	// Members is set on a group table: where its members are stored. Its
	// Store then also implements Groups, and Delete removes the group's
	// memberships with it.
	Members *MembershipSpec
	// Memberships lists join tables holding rows of this table's keys
	// (user_roles.user_id): Delete removes those rows with the row.
	Memberships []MembershipRef
	// Display is the column a membership shows for this row (a group's
	// displayName), used by GroupsOf.
	Display Column
	// MemberOf is set on a user table whose users are members of groups:
	// where, for MemberOf filters.
	MemberOf *GroupLink
	// Increment lists integer columns set to their value plus one on every
	// update (an optimistic-locking version column).
	Increment []Column
	// SelfReferences are columns holding the key of another row of the
	// same table and scope (a manager): writes naming a row that does not
	// exist fail with ErrInvalid.
	SelfReferences []Column
	// Children are tables holding several rows per row of this table
	// (e-mail addresses, phone numbers). A Record carries a child's rows
	// under the child's Name as a []Record of the child's columns.
	Children []ChildSpec
	// KV is a key/value table holding attributes as one row per key
	// (WordPress's wp_usermeta). A Record carries each key's value under
	// KVColumn(key).
	KV *KVSpec
	// Joined are tables holding one more row per row of this table, keyed
	// by its key: a data or profile table (Drupal's users_field_data
	// beside users), or the user row of an entity row (Guacamole's
	// guacamole_user beside guacamole_entity). A Record carries their
	// columns under JoinColumn.
	Joined []JoinSpec
	// Verify, when set, is called in every insert's and update's
	// transaction, before it commits, with the columns written and the
	// row as it is then stored (read back, or known to be stored as
	// written); an error (wrapping ErrNotStored) rolls the write back.
	// The mapping uses it to prove that what it reports (active) is what
	// the row now says.
	Verify func(written, stored Record) error
	// Milliseconds lists integer columns of the table that hold times as
	// Unix milliseconds rather than seconds, for the times the store
	// writes (Touch, Created, a SoftDelete's Now).
	Milliseconds []Column
	// Location is the time zone of the table's local-time columns
	// (ColumnInfo.LocalTime), for the times the store writes (defaults, created and modified stamps);
	// nil means UTC.
	Location *time.Location
	// Hooks are the application's side effects, run in the transaction
	// of each write on its events (member events are the membership's:
	// see MembershipSpec.Hooks). A hook's failure rolls the write back
	// and returns a *HookError.
	Hooks Hooks
	// Active reports whether a row is active, for AfterDeactivate and
	// AfterReactivate hooks; nil when the table has no such state.
	Active func(Record) bool
	// Values, on a group spec with Members and no Table, are the groups
	// themselves: a fixed, declared set of values the membership stores
	// (Symfony's ROLE_ADMIN), with no table. Each reads as a Record of
	// Key (its ID), Display (its DisplayName) and Members.GroupRef (its
	// Value). The Store lists, filters and reads them, changes their
	// members, and refuses to create, rename or delete one
	// (FixedGroupError).
	Values []ValueGroup
}

// ValueGroup is one group of a TableSpec's Values.
type ValueGroup struct {
	ID          string
	DisplayName string
	// Value is what the membership stores: the join table's group
	// column, the user column, or the token of the user's list.
	Value any
}

// FixedGroupError refuses a write that would create, rename or delete a
// group of a TableSpec's Values. Declared is set when a new group's
// displayName is that of a declared group (ID, DisplayName): it then
// wraps ErrConflict.
type FixedGroupError struct {
	Op          string // create, rename, delete
	DisplayName string // asked for
	Declared    bool
	ID          string // of the declared group with that name
	Names       []string
}

func (e *FixedGroupError) Error() string {
	if e.Declared {
		return "group " + e.DisplayName + " is declared, id " + e.ID
	}
	return "the groups are a fixed, declared set; cannot " + e.Op + " " + e.DisplayName
}

// Unwrap makes a declared name a conflict.
func (e *FixedGroupError) Unwrap() error {
	if e.Declared {
		return ErrConflict
	}
	return nil
}

// CondOp is the operator of a Condition.
type CondOp string

// Condition operators.
const (
	CondIn      CondOp = "in"      // the column equals one of Values
	CondNotIn   CondOp = "notIn"   // the column is NULL or equals none of Values
	CondNull    CondOp = "null"    // the column is NULL
	CondNotNull CondOp = "notNull" // the column is not NULL
	CondNe      CondOp = "ne"      // the column is NULL or differs from Values[0]
	CondLt      CondOp = "lt"      // the column is less than Values[0]
	CondLe      CondOp = "le"
	CondGt      CondOp = "gt"
	CondGe      CondOp = "ge"
)

// Condition is one restriction on the rows of a table in scope.
type Condition struct {
	Column Column
	Op     CondOp
	Values []any
}

// Relation is a scope term over another table: a row is in scope when a
// row of Table whose Column equals the row's References column, and that
// satisfies Scope and Conditions, exists (Exists) or does not (!Exists).
type Relation struct {
	Exists     bool
	Table      Table
	Column     Column
	References Column
	// Scope holds constant columns of the related row: matched, and
	// written when Write is set.
	Scope      map[Column]any
	Conditions []Condition
	// Write makes an Exists relation part of the row: an insert adds the
	// related row (Column = the new row's References, plus Scope) in the
	// same transaction, and a hard delete removes the rows it matches.
	Write bool
}

// SoftDelete says how a deleted row is marked.
type SoftDelete struct {
	// Column holds the mark.
	Column Column
	// Now marks a row with the time of its deletion (a deleted_at column);
	// NULL, or 0 in an integer column, means not deleted. Otherwise the
	// row is marked with Value (a status such as 'deleted', a flag 1) and
	// any other value means not deleted.
	Now   bool
	Value any
	// Release lists columns rewritten on delete, so that the unique values
	// they held (a userName) can be given to a new row.
	Release []Release
	// KeepMemberships leaves a deleted user's membership rows in place,
	// for an application that restores users from a trash with their
	// groups; by default they are removed with the mark.
	KeepMemberships bool
	// UniqueAmongLive makes uniqueness count only rows that are not
	// marked, as applications that ignore deleted rows do (SuiteCRM's
	// deleted = 1, Laravel's deleted_at): a deleted row's name does not
	// refuse a new row. Values are still locked by value, so two
	// concurrent writes of one name still make one row.
	UniqueAmongLive bool
}

// Release renames a column of a soft-deleted row: Template with {value}
// replaced by the column's value and {id} by the row's key, then
// Transform (nil: none), cut to MaxLength characters by shortening
// {value}.
type Release struct {
	Column    Column
	Template  string
	Transform func(string) string
	MaxLength int64
}

// ChildSpec describes a child table of a TableSpec. Writing a child (its
// Name present in a Record) replaces all of the row's child rows.
type ChildSpec struct {
	// Name is the Record key the child's rows travel under; it starts
	// with @ so it never collides with a column.
	Name    Column
	Table   Table
	Parent  Column   // refers to the parent row's key
	Order   Column   // optional: rows with a higher value come first (a primary flag)
	Columns []Column // the child columns read and written
	// Defaults are written into every new child row (created_on, a
	// NOT NULL flag the application needs).
	Defaults []Default
	// Link, when set, ties the child rows to the parent through a link
	// table (SuiteCRM's email_addr_bean_rel) instead of a parent column
	// of the child table; Parent is then empty.
	Link *LinkSpec
	// Pointer, when set, designates the primary row by a column of the
	// parent table holding its key, instead of a flag in the child rows.
	Pointer *PointerSpec
}

// PointerSpec is a column of the parent table holding the key of the
// primary child row (osTicket's ost_user.default_email_id). Read child
// rows carry Flag (1 on the row the column names, else 0), which is no
// column of the child table; writing the child inserts the rows, then
// sets Column to the key of the first row flagged (else the first row),
// or to None when there is none, in the same transaction.
type PointerSpec struct {
	Column Column // the parent table's column (default_email_id)
	Key    Column // the child table's key it holds (id)
	Flag   Column // the Record key of the primary flag in child rows
	None   any    // held when there is no child row (nil: NULL)
}

// LinkSpec is a link table between a parent row and its child rows: one
// link row per child row, naming the parent (Parent) and the child row's
// key (Child). Link rows outside Scope or marked Removed are no links.
// Writing the child replaces the parent's links: the old ones are marked
// (or deleted, without Removed) and new child rows are inserted, each
// with a new key, and linked; child rows are never updated or deleted,
// as other parents' links may name them. A hard delete of the parent
// deletes (or marks) its links, and a soft delete marks them when
// Removed is set.
type LinkSpec struct {
	Table  Table
	Parent Column // refers to the parent row's key (bean_id)
	Child  Column // refers to the child row's key (email_address_id)
	// Key is the child table's key column, which Child refers to; a new
	// child row's key comes from the child's Defaults (a generator) or
	// AUTO_INCREMENT.
	Key Column
	// Columns are the columns of ChildSpec.Columns held in the link
	// table rather than the child table (the primary flag).
	Columns []Column
	// Scope holds constant columns of the links that are the parent's
	// (bean_module = 'Users', the owner's type in a polymorphic link):
	// matched on read and written on insert.
	Scope map[Column]any
	// Removed, when set, marks a removed link instead of deleting it;
	// marked links are no links. Restore, unless nil, is written into new
	// links' mark column.
	Removed *SoftDelete
	Restore any
	// Defaults are written into every new link row.
	Defaults []Default
}

// KVSpec describes a key/value table of a TableSpec.
type KVSpec struct {
	Table  Table
	Parent Column // refers to the parent row's key
	Key    Column
	Value  Column
	// Keys are the keys the mapping reads and writes; other keys in the
	// table are the application's and are never touched.
	Keys []string
	// Scope holds constant column values of the entries the mapping
	// owns (Nextcloud's appid = 'settings'): read, matched and written.
	Scope map[Column]any
	// Defaults are written into every new entry.
	Defaults []Default
	// KeyScope holds, for keys whose entries carry further constant
	// columns than Scope (Nextcloud's appid 'core' for enabled, where
	// the other keys are 'settings'), those columns: matched on read and
	// written on insert with the key.
	KeyScope map[string]map[Column]any
	// Missing holds, by key, the stored value that a missing entry (or
	// one whose value is NULL) stands for: no 'enabled' entry means
	// 'true'. Reads and filters see it in place of nothing.
	Missing map[string]any
	// DeleteAll makes a hard delete remove every entry of the row, of
	// any key and scope, as the application itself does; otherwise only
	// the mapped keys' entries go.
	DeleteAll bool
}

// JoinSpec describes a joined table of a TableSpec: at most one row per
// row of the table (within Scope), whose Key column holds the row's key.
// Reads load it with the row, and a row that has none reads as NULL in
// every column; filters and sorting see its columns as the row's; a
// create inserts it after the row, an update writes its changed columns
// (inserting it when it is missing), and a hard delete removes every row
// of the joined table with the row's key before the row itself, all in the
// write's transaction.
type JoinSpec struct {
	Table Table
	// Key is the joined table's column holding the row's key (uid).
	Key Column
	// Columns are the joined table's columns the mapping reads and
	// writes, by their own names; a Record carries each under
	// JoinColumn(Table, column).
	Columns []Column
	// Scope holds constant columns of the joined row (langcode = 'en'):
	// matched on every read and written on insert.
	Scope map[Column]any
	// Defaults are written into a new joined row for the columns the
	// Record does not set.
	Defaults []Default
}

// JoinColumn is the Record key under which column c of joined table t
// travels.
func JoinColumn(t Table, c Column) Column { return Column("@j:" + string(t) + "." + string(c)) }

// JoinPresent is the Record key that a read sets to true when the row has
// its row in joined table t, and to false when it has none.
func JoinPresent(t Table) Column { return Column("@j:" + string(t)) }

// KVColumn is the Record key under which a key/value table's key travels.
func KVColumn(key string) Column { return Column("@kv:" + key) }

// Exists is true when some row of a child (or the key/value table, named
// "@kv") related to the row satisfies Where, whose columns are the child's.
type Exists struct {
	Child Column
	Where Expr
}

func (Exists) expr() {}

// HasMember, on a group table, is true for the groups that have one of
// the users with these ids as a member, or any member when IDs is empty.
// Only members in the users' scope count.
type HasMember struct{ IDs []string }

// MemberOf, on a user table whose spec has MemberOf, is true for the users
// in one of the groups with these ids, or in any group when IDs is empty.
type MemberOf struct{ IDs []string }

// JSONHas is true for the rows whose Column holds a JSON array with the
// string Value among its elements, compared exactly. NULL, text that is
// not JSON and any other JSON value do not match.
type JSONHas struct {
	Column Column
	Value  string
}

func (JSONHas) expr()   {}
func (HasMember) expr() {}
func (MemberOf) expr()  {}

// GroupLink tells a user table where its users' groups are, for MemberOf
// filters: the groups' table and the membership.
type GroupLink struct {
	Groups     TableSpec
	Membership MembershipSpec
}

// MembershipRef names a join-table column that refers to a row's key,
// or to the row's column Ref.
type MembershipRef struct {
	Table  Table
	Column Column
	// Ref, when set, is the row's column that Column holds
	// (MembershipSpec.UserRef): deleting the row removes the rows holding
	// its value, and an update changing it moves them to the new one.
	Ref Column
	// Scope and Conditions say which of the join table's rows are
	// memberships (MembershipSpec.JoinScope, JoinConditions): a soft
	// delete removes only those, leaving the application's other rows
	// (a pending application) as they are.
	Scope      map[Column]any
	Conditions []Condition
	// Removed is the membership's removal mark (MembershipSpec.Removed):
	// a soft delete marks the rows, as the application keeps its
	// membership history, instead of deleting them.
	Removed *SoftDelete
	// Location is the join table's time zone, for a time mark.
	Location *time.Location
	// RemovedMillis: a time mark in an integer column is in Unix
	// milliseconds (MembershipSpec.RemovedMillis).
	RemovedMillis bool
}

// ColumnKind is what a column holds, in terms every backend can state:
// the adapter's Describe classifies its own type names into these, and
// the mapping layer checks columns by kind, never by a type name.
type ColumnKind string

// The column kinds. KindOther is a type the port has no kind for (a
// geometry, a UUID type, ...): the mapping layer stores such a column's
// values as they come and refuses it where it needs a particular kind.
const (
	KindOther   ColumnKind = ""
	KindText    ColumnKind = "text"    // character strings of any length
	KindInteger ColumnKind = "integer" // whole numbers, range in IntMin..IntMax
	KindDecimal ColumnKind = "decimal" // exact fractional numbers
	KindFloat   ColumnKind = "float"   // approximate numbers
	KindTime    ColumnKind = "time"    // a date and a time of day (see LocalTime)
	KindDate    ColumnKind = "date"    // a date without a time
	KindJSON    ColumnKind = "json"    // a JSON document
	KindBinary  ColumnKind = "binary"  // byte strings
	KindBit     ColumnKind = "bit"     // a bit field, read as an integer in 0..IntMax
	KindEnum    ColumnKind = "enum"    // text limited to Members, one at a time
	KindSet     ColumnKind = "set"     // text of comma-separated Members
)

// ColumnInfo is what the database reports about one column. Kind and the
// fields after it describe the column neutrally, and are what the mapping
// layer decides by; DataType, ColumnType, Collation and Charset are the
// backend's own names, for messages and for the backend itself.
type ColumnInfo struct {
	Name          Column
	DataType      string // the backend's base type name, for messages: varchar, int, ...
	ColumnType    string // the backend's full type, for messages: varchar(255), tinyint(1)
	Nullable      bool
	HasDefault    bool
	AutoIncrement bool
	MaxLength     int64 // characters, for string types; 0 if unbounded/not a string
	Unsigned      bool
	Collation     string // the backend's collation name; "" for columns that are not text
	Charset       string // the backend's character set of Collation

	// Kind is what the column holds.
	Kind ColumnKind
	// LocalTime: a KindTime column keeps the wall-clock time without a
	// zone, so scimbridge reads and writes it in the configured time zone;
	// otherwise the database itself converts times to and from UTC.
	LocalTime bool
	// IntMin and IntMax bound a KindInteger or KindBit column's values;
	// IntMax is 0 when the range is not known.
	IntMin int64
	IntMax uint64
	// Members are the values a KindEnum or KindSet column allows, as
	// written in its type.
	Members []string
	// FoldsCase: comparisons on the column ignore letter case.
	FoldsCase bool
	// DropsTrailingSpaces: text stored in the column reads back without
	// its trailing spaces (a fixed-length, space-padded column).
	DropsTrailingSpaces bool
}

// CaseInsensitive reports whether comparisons on the column fold case.
func (c ColumnInfo) CaseInsensitive() bool {
	return c.FoldsCase
}

// IsText reports whether the column holds character strings: KindText,
// KindEnum or KindSet.
func (c ColumnInfo) IsText() bool {
	return c.Kind == KindText || c.Kind == KindEnum || c.Kind == KindSet
}

// IsFreeText reports whether the column holds any character string:
// KindText, not an ENUM or SET of fixed members.
func (c ColumnInfo) IsFreeText() bool { return c.Kind == KindText }

// IsTime reports whether the column holds a date or a time: KindTime or
// KindDate.
func (c ColumnInfo) IsTime() bool { return c.Kind == KindTime || c.Kind == KindDate }

// IntRange returns the smallest and largest value a KindInteger or
// KindBit column holds; ok is false when the range is not known.
func (c ColumnInfo) IntRange() (lo int64, hi uint64, ok bool) {
	if (c.Kind != KindInteger && c.Kind != KindBit) || c.IntMax == 0 {
		return 0, 0, false
	}
	return c.IntMin, c.IntMax, true
}

// PrimaryIndex is the Name of a table's primary key among its Indexes.
const PrimaryIndex = "PRIMARY"

// IndexInfo is one index of a table.
type IndexInfo struct {
	// Name is the index's name; the primary key's is PrimaryIndex.
	Name    string
	Unique  bool
	Columns []Column
}

// TableInfo is what the database reports about one table.
type TableInfo struct {
	Name    Table
	Columns []ColumnInfo
	Indexes []IndexInfo
}

// PrimaryKey returns the table's primary key column when the key is a
// single column, else "".
func (t TableInfo) PrimaryKey() Column {
	for _, ix := range t.Indexes {
		if ix.Name == PrimaryIndex && len(ix.Columns) == 1 {
			return ix.Columns[0]
		}
	}
	return ""
}

// Column returns the named column and reports whether it exists.
func (t TableInfo) Column(name Column) (ColumnInfo, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return ColumnInfo{}, false
}

// Op is a comparison operator of a filter expression. The names are those of
// RFC 7644 section 3.4.2.2.
type Op string

// Comparison operators.
const (
	OpEq Op = "eq"
	OpNe Op = "ne"
	OpCo Op = "co"
	OpSw Op = "sw"
	OpEw Op = "ew"
	OpGt Op = "gt"
	OpGe Op = "ge"
	OpLt Op = "lt"
	OpLe Op = "le"
	OpPr Op = "pr"
)

// Expr is a filter expression over columns: Compare, And, Or, Not, or the
// constants True and False.
type Expr interface{ expr() }

// Compare compares a column with a value. Fold asks for a case-insensitive
// comparison whatever the column's own case folding (ColumnInfo.FoldsCase);
// otherwise the comparison is case-exact. Value is ignored for OpPr.
type Compare struct {
	Column Column
	Op     Op
	Value  any
	Fold   bool
	// Plain compares under the column's own rules, for a column that
	// holds a normalised copy (a lower-cased lookup column), so that its
	// index serves the comparison. Fold is ignored.
	Plain bool
	// Exact compares text character for character with OpEq or OpNe: as
	// Fold false does, and trailing spaces count (a comparison that pads
	// with spaces ignores them), so that the filter agrees with a Go string
	// comparison of the value read (the stored values of active).
	Exact bool
}

// And is true when both sides are.
type And struct{ Left, Right Expr }

// Or is true when either side is.
type Or struct{ Left, Right Expr }

// Not negates its operand.
type Not struct{ X Expr }

// Const is an expression with a fixed truth value, for filters on attributes
// that have no column (RFC 7644: an unassigned attribute matches nothing).
type Const bool

func (Compare) expr() {}
func (And) expr()     {}
func (Or) expr()      {}
func (Not) expr()     {}
func (Const) expr()   {}

// Order sorts a list.
type Order struct {
	Column     Column
	Descending bool
	Fold       bool
}

// Query selects rows of one table. Offset counts from 0.
type Query struct {
	Where  Expr // nil: every row in scope
	Order  []Order
	Offset int
	Limit  int // 0: return no rows, only the total
}

// Page is one page of a List.
type Page struct {
	Records []Record
	Total   int
}

// Store reads and writes the rows of one mapped table inside its scope.
// Implementations are safe for concurrent use. Every method that writes is
// one transaction: it happens entirely or not at all.
type Store interface {
	// Create inserts a row and returns it as read back. A Unique violation
	// returns ErrConflict.
	Create(ctx context.Context, rec Record) (Record, error)
	// Get returns the row with that key, or ErrNotFound.
	Get(ctx context.Context, id string) (Record, error)
	// List returns the rows matching q and how many match in all.
	List(ctx context.Context, q Query) (Page, error)
	// Update reads the row with that key under a lock, passes it to fn and
	// writes the columns of the Record fn returns, in one transaction. An
	// error from fn aborts the transaction and is returned as is. It returns
	// ErrNotFound for an unknown key and ErrConflict on a Unique violation.
	Update(ctx context.Context, id string, fn func(Record) (Record, error)) (Record, error)
	// Delete removes the row with that key (or, with a SoftDelete in the
	// spec, marks it), or returns ErrNotFound. check, if not nil, is
	// called with the row as read under the delete's lock, before
	// anything is written (an If-Match precondition); an error from it
	// aborts the delete and is returned as is. It returns what it did:
	// the memberships it removed with the row.
	Delete(ctx context.Context, id string, check func(Record) error) (Written, error)
}

// Adapter is one connection pool to the application's database.
type Adapter interface {
	// Describe returns what the database reports about a table, for
	// validating a mapping against the live schema. It returns ErrNotFound
	// for a table that does not exist.
	Describe(ctx context.Context, t Table) (TableInfo, error)
	// Store returns a Store for the table. The spec must have been checked
	// against Describe; Store itself does not query the database.
	Store(spec TableSpec) (Store, error)
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the pool.
	Close() error
}

// Readier is an Adapter that can tell whether the database takes writes
// now, beyond answering a ping: a read-only server, or a cluster node not
// in sync, answers but refuses writes.
type Readier interface {
	// Ready returns nil when the database answers and takes writes, else
	// an error wrapping ErrUnavailable that says why, for an operator.
	Ready(ctx context.Context) error
}

// ValueCount is one value stored in a column (nil for NULL) and how many
// rows hold it.
type ValueCount struct {
	Value any
	Rows  int64
}

// ValueCounter is an optional capability of a Store, for check: the
// values stored in one of its columns, over the rows in scope, most
// frequent first, at most limit of them (the rest summed in the second
// result).
type ValueCounter interface {
	CountValues(ctx context.Context, c Column, limit int) (counts []ValueCount, more int64, err error)
}

// IntRanger is an optional capability of a Store, for check: the least
// non-zero and the greatest value of an integer column over the rows in
// scope, in one aggregate query; ok is false when no row holds a
// non-zero value.
type IntRanger interface {
	IntRange(ctx context.Context, c Column) (least, greatest int64, ok bool, err error)
}

// Config opens an Adapter; each storage type has one.
type Config interface {
	Open(ctx context.Context, logger *slog.Logger) (Adapter, error)
}

// Now is the clock used for timestamps written by stores; tests may replace
// it. It returns UTC time truncated to whole seconds, the precision of a
// time column without fractional seconds.
var Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
