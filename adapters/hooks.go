package adapters

import (
	"context"
	"errors"
	"fmt"
)

// HookEvent names a point in the life of a write at which the
// application's own side effects run (see Hook).
type HookEvent string

// Hook events. After* hooks run after the write's own statements, Before*
// before them, all in the write's transaction.
const (
	// AfterCreate: a row was inserted (with its child rows, before a new
	// group's first members are added).
	AfterCreate HookEvent = "afterCreate"
	// AfterUpdate: an update changed the row's stored attributes (a
	// change of members alone is no update).
	AfterUpdate HookEvent = "afterUpdate"
	// AfterDeactivate: an update turned the row from active to inactive
	// (it is an AfterUpdate too, whose hooks run first).
	AfterDeactivate HookEvent = "afterDeactivate"
	// AfterReactivate: an update turned the row from inactive to active.
	AfterReactivate HookEvent = "afterReactivate"
	// BeforeDelete: a row is about to be deleted (or marked deleted); it
	// is locked, and nothing of it is removed yet.
	BeforeDelete HookEvent = "beforeDelete"
	// AfterDelete: a row was deleted (or marked deleted).
	AfterDelete HookEvent = "afterDelete"
	// AfterMemberAdd: a user became a member of a group; once per member
	// actually added (not for one who was a member already).
	AfterMemberAdd HookEvent = "afterMemberAdd"
	// AfterMemberRemove: a user stopped being a member of a group; once
	// per member actually removed, including the members a group's or a
	// user's deletion removes.
	AfterMemberRemove HookEvent = "afterMemberRemove"
)

// HookArgKind says where the value of a Hook's argument comes from.
type HookArgKind int

const (
	// ArgKey is the key of the row the event is about, as stored.
	ArgKey HookArgKind = iota
	// ArgColumn is the value of Column of that row, as stored.
	ArgColumn
	// ArgGroup is the key of the group of a member event.
	ArgGroup
	// ArgUser is the key of the user of a member event, as the
	// membership stores it.
	ArgUser
)

// HookArg is the value bound to one ? of a Hook.
type HookArg struct {
	Kind   HookArgKind
	Column Column // for ArgColumn
}

// Hook is one SQL statement of the application's own side effects (a
// counter, a cache column, dependent rows, a job-queue row), run inside
// the transaction of a write on an event. A Hook comes from validated
// configuration only: SQL is a single INSERT, UPDATE, DELETE or REPLACE
// with one ? per argument, whose values are bound, never spliced in.
type Hook struct {
	// Name is where the hook was declared (a YAML path such as
	// resources.Group.hooks.afterMemberAdd[0]), for errors and logs.
	Name string
	SQL  string
	Args []HookArg
}

// Hooks are a table's hooks by event.
type Hooks map[HookEvent][]Hook

// HookError is the failure of a hook, which rolled the whole write back.
// It does not unwrap: the database's error is the hook's, not the write's,
// and must not be taken for a conflict or an invalid value of the request;
// Err is kept for logs.
type HookError struct {
	Hook string
	Err  error
}

func (e *HookError) Error() string { return fmt.Sprintf("hook %s: %v", e.Hook, e.Err) }

// StatementChecker is the optional capability of an Adapter to check a
// statement against the live schema without running it, as a server
// checks a statement it prepares: that its syntax is right and that the
// tables and columns it names exist.
type StatementChecker interface {
	// CheckStatement checks query, whose ? placeholders stand for args
	// values. It returns a *StatementError when the database refuses the
	// statement, ErrUnsupported when it cannot check statements, and any
	// other error when it could not be asked.
	CheckStatement(ctx context.Context, query string, args int) error
}

// ErrUnsupported: the database cannot do what was asked (check a
// statement without running it).
var ErrUnsupported = errors.New("not supported by the database")

// StatementError is why the database refused a statement: a table or a
// column it names does not exist, or else the database's Message.
type StatementError struct {
	Table   string // a table that does not exist, or ""
	Column  string // a column that does not exist, or ""
	Message string
}

func (e *StatementError) Error() string {
	switch {
	case e.Table != "":
		return fmt.Sprintf("table %q not found", e.Table)
	case e.Column != "":
		return fmt.Sprintf("column %q not found", e.Column)
	}
	return e.Message
}
