package mysql

import (
	"context"
	"fmt"
	"slices"

	"github.com/scimbridge/scimbridge/adapters"
)

// removeHead is the start of the statement that removes memberships from
// the join table: a DELETE, or, where removals only mark rows
// (MembershipSpec.Removed), an UPDATE that marks them.
func (m *members) removeHead() string {
	r := m.spec.Removed
	if r == nil {
		return "DELETE FROM " + m.join
	}
	return "UPDATE " + m.join + " SET " + quote(string(r.Column)) + " = ?"
}

// removeArgs are the arguments of removeHead: the mark, made now.
func (m *members) removeArgs() []any {
	r := m.spec.Removed
	if r == nil {
		return nil
	}
	if !r.Now {
		return []any{r.Value}
	}
	d := adapters.Default{Column: r.Column, Kind: adapters.DefaultNow, Milliseconds: m.spec.RemovedMillis}
	return []any{defaultValue(d, m.jcols[r.Column], m.spec.Location, adapters.Now())}
}

// revive clears the mark of the users' removed join rows of the group,
// so that adding a member again brings back the row it had rather than
// adding a second one, and returns how many rows it changed. Only rows
// the join scope's constants and conditions select are brought back.
func (m *members) revive(ctx context.Context, t *txn, ref any, keys []any) (int64, error) {
	r := m.spec.Removed
	mark := quote(string(r.Column))
	// The rows that are memberships but for the mark.
	kept, kargs := scopeTerms("", m.spec.JoinScope, m.spec.JoinConditions, nil, m.jcols)
	var removed string
	var rargs []any
	switch ci := m.jcols[r.Column]; {
	case r.Now && isInteger(ci.DataType):
		removed = " AND " + mark + " IS NOT NULL AND " + mark + " <> 0"
	case r.Now:
		removed = " AND " + mark + " IS NOT NULL"
	default:
		removed, rargs = " AND "+mark+" <=> ?", []any{r.Value}
	}
	var n int64
	size := chunk
	if !m.pairKey {
		size = 1
	}
	for part := range slices.Chunk(keys, size) {
		q := "UPDATE " + m.join + " SET " + mark + " = ? WHERE " + m.jg + " = ? AND " + m.ju + m.juIn(len(part), false) + removed + kept
		args := append(append(append([]any{m.spec.Restore, ref}, part...), rargs...), kargs...)
		if !m.pairKey {
			// Without a unique (group, user) key the application may
			// keep several removed rows of one member: one comes back
			// (the newest, where the mark is a time), one member at a
			// time.
			if r.Now {
				q += " ORDER BY " + mark + " DESC"
			}
			q += " LIMIT 1"
		}
		res, err := t.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("bringing back removed memberships: %w", membershipDuplicate(err))
		}
		n += rowsAffected(res)
	}
	return n, nil
}
