package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/scimbridge/scimbridge/adapters"
)

var _ adapters.Groups = groupStore{}

// chunk bounds the ids in one IN list, keeping statements a sane size; a
// change of k members costs about k/chunk statements whatever the group's
// size.
const chunk = 1000

// groupStore is the Store of a group table: a store plus membership.
type groupStore struct{ *store }

// members is the compiled membership of a group table.
type members struct {
	spec    adapters.MembershipSpec
	group   *store // the group table's store
	users   *store // the user table's store (for keys and scope)
	userKey adapters.ColumnInfo
	refCol  adapters.ColumnInfo
	join    string // quoted join table, or ""
	jg, ju  string // quoted join columns
	ucol    string // quoted user column, or ""
	// jgCol and juCol are the join table's group and user columns, ucolCol
	// the user column; joins convert to and from them (see coerce).
	jgCol, juCol, ucolCol adapters.ColumnInfo
	// jscope is the join rows' scope as " AND ..." terms on the join
	// table aliased j, jscopeBare the same unaliased, jargs their
	// arguments.
	jscope, jscopeBare string
	jargs              []any
	// addCols and addVals are the further columns an added join row gets
	// (its scope constants and defaults) and their SQL, ", ?" each.
	addCols string
	jcols   map[adapters.Column]adapters.ColumnInfo
	// countAfter checks that added members are users after adding them,
	// and only when fewer rows were added than asked for, saving a
	// statement per change. Only on MySQL and MariaDB: the embedded
	// go-mysql-server of the tests, rolling the addition back when a
	// user is missing, loses rows from the join table's secondary index.
	countAfter bool
	// upsert says that a unique key of the join table on its group and
	// user columns, and no other, lets an added membership that exists
	// already be skipped by the INSERT itself (ON DUPLICATE KEY UPDATE
	// of nothing), with no NOT EXISTS lookup per row (see skipsByKey).
	upsert bool

	// groupsOnce makes groupsHead and groupsTail, the text of the groups
	// query before and after its list of user keys (see groupsQuery).
	groupsOnce             sync.Once
	groupsHead, groupsTail string
}

func newMembers(a *Adapter, group *store, spec adapters.MembershipSpec) (*members, error) {
	uinfo, ok := a.described(spec.Users.Table)
	if !ok {
		return nil, fmt.Errorf("table %s has not been described", spec.Users.Table)
	}
	users, err := newStore(a, spec.Users, uinfo)
	if err != nil {
		return nil, err
	}
	m := &members{spec: spec, group: group, users: users, userKey: users.key, countAfter: a.indexesCollate()}
	if m.refCol, ok = group.cols[spec.GroupRef]; !ok {
		return nil, fmt.Errorf("group reference column %s: %w", spec.GroupRef, errNotDescribed)
	}
	if spec.JoinTable != "" {
		jinfo, ok := a.described(spec.JoinTable)
		if !ok {
			return nil, fmt.Errorf("table %s has not been described", spec.JoinTable)
		}
		m.join, m.jg, m.ju = quote(string(spec.JoinTable)), quote(string(spec.JoinGroup)), quote(string(spec.JoinUser))
		m.jcols = map[adapters.Column]adapters.ColumnInfo{}
		for _, c := range jinfo.Columns {
			m.jcols[c.Name] = c
		}
		if m.jgCol, ok = m.jcols[spec.JoinGroup]; !ok {
			return nil, fmt.Errorf("join column %s: %w", spec.JoinGroup, errNotDescribed)
		}
		if m.juCol, ok = m.jcols[spec.JoinUser]; !ok {
			return nil, fmt.Errorf("join column %s: %w", spec.JoinUser, errNotDescribed)
		}
		m.jscope, m.jargs = scopeTerms("j.", spec.JoinScope, spec.JoinConditions, nil, m.jcols)
		m.jscopeBare, _ = scopeTerms("", spec.JoinScope, spec.JoinConditions, nil, m.jcols)
		for _, c := range slices.Sorted(maps.Keys(spec.JoinScope)) {
			m.addCols += ", " + quote(string(c))
		}
		for _, d := range spec.JoinDefaults {
			if _, scoped := spec.JoinScope[d.Column]; !scoped {
				m.addCols += ", " + quote(string(d.Column))
			}
		}
		m.upsert = m.countAfter && len(spec.JoinScope) == 0 && len(spec.JoinConditions) == 0 && skipsByKey(jinfo, spec.JoinGroup, spec.JoinUser)
	} else {
		m.ucol = quote(string(spec.UserColumn))
		if m.ucolCol, ok = users.cols[spec.UserColumn]; !ok {
			return nil, fmt.Errorf("user column %s: %w", spec.UserColumn, errNotDescribed)
		}
	}
	return m, nil
}

// skipsByKey reports whether a duplicate-key error of an INSERT into the
// join table can only mean that the membership (group, user) exists: a
// unique index on exactly those two columns exists, and every other unique
// index is on an AUTO_INCREMENT column alone, which the insert does not
// set. Then ON DUPLICATE KEY UPDATE skips existing memberships and can
// swallow nothing else (INSERT IGNORE would also swallow truncations and
// other errors).
func skipsByKey(info adapters.TableInfo, group, user adapters.Column) bool {
	found := false
	for _, ix := range info.Indexes {
		if !ix.Unique {
			continue
		}
		if len(ix.Columns) == 2 && slices.Contains(ix.Columns, group) && slices.Contains(ix.Columns, user) {
			found = true
			continue
		}
		if c, ok := info.Column(ix.Columns[0]); len(ix.Columns) == 1 && ok && c.AutoIncrement {
			continue
		}
		return false
	}
	return found
}

// addArgs returns the values of addCols for one new join row.
func (m *members) addArgs() []any {
	var out []any
	for _, c := range slices.Sorted(maps.Keys(m.spec.JoinScope)) {
		out = append(out, m.spec.JoinScope[c])
	}
	now := adapters.Now()
	for _, d := range m.spec.JoinDefaults {
		if _, scoped := m.spec.JoinScope[d.Column]; !scoped {
			out = append(out, defaultValue(d, m.jcols[d.Column], m.spec.Location, now))
		}
	}
	return out
}

// described returns the cached description of a table.
func (a *Adapter) described(t adapters.Table) (adapters.TableInfo, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	info, ok := a.tables[t]
	return info, ok
}

// scopeSQL returns a store's scope terms for the table aliased u or g;
// their arguments are the store's sargs.
func scopeSQL(alias string, s *store) string {
	if alias == "g" {
		return s.scopeG
	}
	return s.scopeU
}

// userKeys converts user ids to key values; an id no key can have is an
// unknown member.
func (m *members) userKeys(ids []string) ([]any, error) {
	seen := map[string]bool{}
	keys := make([]any, 0, len(ids))
	for _, id := range ids {
		k, ok := m.users.keyArg(id)
		if !ok {
			return nil, fmt.Errorf("%w: %q", adapters.ErrUnknownMember, id)
		}
		// "7" and "07" are one user: counting the users found against
		// the keys asked for needs each key once.
		if c := canonical(k); !seen[c] {
			seen[c] = true
			keys = append(keys, k)
		}
	}
	return keys, nil
}

func marks(n int) string {
	if n == 1 {
		return "?" // a single user's read
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// requireUsers fails with ErrUnknownMember unless every key names a user
// in scope.
func (m *members) requireUsers(ctx context.Context, t *txn, keys []any) error {
	u := m.users
	for part := range slices.Chunk(keys, chunk) {
		var n int
		// A shared lock on the users read, so that none of them can be
		// deleted before this transaction's memberships commit.
		q := "SELECT COUNT(*) FROM " + u.table + " WHERE " + quote(string(u.spec.Key)) + " IN (" + marks(len(part)) + ")" + u.scope + " LOCK IN SHARE MODE"
		if err := t.QueryRowxContext(ctx, q, append(slices.Clone(part), u.sargs...)...).Scan(&n); err != nil {
			return fmt.Errorf("checking members exist: %w", err)
		}
		if n != len(part) {
			return fmt.Errorf("%w: %d of %d ids name no user", adapters.ErrUnknownMember, len(part)-n, len(part))
		}
	}
	return nil
}

// apply runs membership operations for the group whose reference value is
// ref, in order, inside t. It returns how many membership rows were added
// and removed.
func (m *members) apply(ctx context.Context, t *txn, ref any, ops []adapters.MemberOp) (added, removed int64, err error) {
	for _, op := range ops {
		keys, err := m.userKeys(op.IDs)
		if err != nil {
			if op.Kind == adapters.MemberRemove {
				// Removing an id that cannot exist removes nothing.
				keys = m.validKeys(op.IDs)
			} else {
				return 0, 0, err
			}
		}
		var a, r int64
		switch op.Kind {
		case adapters.MemberAdd:
			a, err = m.add(ctx, t, ref, keys)
		case adapters.MemberRemove:
			r, err = m.remove(ctx, t, ref, keys)
		case adapters.MemberReplace:
			if err = m.requireUsers(ctx, t, keys); err != nil {
				break
			}
			if r, err = m.removeAllBut(ctx, t, ref, keys); err != nil {
				break
			}
			a, err = m.add(ctx, t, ref, keys)
		}
		if err != nil {
			return 0, 0, err
		}
		added, removed = added+a, removed+r
	}
	return added, removed, nil
}

func (m *members) validKeys(ids []string) []any {
	var keys []any
	for _, id := range ids {
		if k, ok := m.users.keyArg(id); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// add adds the users with these keys and returns how many rows it changed.
// Every key must name a user in scope. With countAfter, the users are
// counted only when a statement adds fewer rows than it has keys (some may
// be members already), and the transaction fails if one is missing;
// otherwise they are counted first.
func (m *members) add(ctx context.Context, t *txn, ref any, keys []any) (int64, error) {
	// With a join scope, rows brought into it count as added, so the
	// count after cannot tell a missing user: check the users first.
	countAfter := m.countAfter && len(m.spec.JoinScope) == 0
	if !countAfter {
		if err := m.requireUsers(ctx, t, keys); err != nil {
			return 0, err
		}
	}
	var n int64
	if m.join != "" && len(m.spec.JoinScope) > 0 {
		// A row of the user that the scope's constants leave out (an
		// applicant still pending) becomes the membership, rather than
		// a second row beside it.
		for part := range slices.Chunk(keys, chunk) {
			cols := slices.Sorted(maps.Keys(m.spec.JoinScope))
			sets := make([]string, len(cols))
			same := make([]string, len(cols))
			var args, cargs []any
			for i, c := range cols {
				sets[i] = quote(string(c)) + " = ?"
				same[i] = quote(string(c)) + " <=> ?"
				args = append(args, m.spec.JoinScope[c])
				cargs = append(cargs, m.spec.JoinScope[c])
			}
			conds, condArgs := scopeTerms("", nil, m.spec.JoinConditions, nil, m.jcols)
			q := "UPDATE " + m.join + " SET " + strings.Join(sets, ", ") + " WHERE " + m.jg + " = ? AND " + m.ju + " IN (" + marks(len(part)) + ")" +
				" AND NOT (" + strings.Join(same, " AND ") + ")" + conds
			args = append(append(append(append(args, ref), part...), cargs...), condArgs...)
			res, err := t.ExecContext(ctx, q, args...)
			if err != nil {
				return 0, fmt.Errorf("bringing join rows into the membership scope: %w", err)
			}
			n += rowsAffected(res)
		}
	}
	u := m.users
	uk := quote(string(u.spec.Key))
	for part := range slices.Chunk(keys, chunk) {
		var q string
		var args []any
		if m.join != "" {
			// One statement adds every user not yet a member: existing
			// memberships are skipped, not duplicated. The group row is
			// locked, so concurrent changes to this group are serialised.
			extra := m.addArgs()
			q = "INSERT INTO " + m.join + " (" + m.jg + ", " + m.ju + m.addCols + ") SELECT ?, u." + uk + strings.Repeat(", ?", len(extra)) + " FROM " + u.table + " u" +
				" WHERE u." + uk + " IN (" + marks(len(part)) + ")" + scopeSQL("u", u)
			args = append(append(append([]any{ref}, extra...), part...), u.sargs...)
			if !m.upsert {
				q += " AND NOT EXISTS (SELECT 1 FROM " + m.join + " j WHERE j." + m.jg + " = ? AND j." + m.ju + " = " + coerce("u."+uk, u.key, m.juCol) + m.jscope + ")"
				args = append(append(args, ref), m.jargs...)
			}
			// Share-lock the users added, so none is deleted before
			// the membership commits (a delete takes the row's
			// exclusive lock first, then removes its memberships).
			q += " LOCK IN SHARE MODE"
			if m.upsert {
				// An existing membership is left as it is: it counts
				// as no row changed, so added stays exact.
				q += " ON DUPLICATE KEY UPDATE " + m.join + "." + m.jg + " = " + m.join + "." + m.jg
			}
		} else {
			q = "UPDATE " + u.table + " SET " + m.ucol + " = ? WHERE " + uk + " IN (" + marks(len(part)) + ")" + u.scope
			args = append(append([]any{ref}, part...), u.sargs...)
		}
		res, err := t.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("adding members: %w", err)
		}
		added := rowsAffected(res)
		if countAfter && added != int64(len(part)) {
			// A row was added for every user selected, so when there is
			// one per key, every key named a user.
			if err := m.requireUsers(ctx, t, part); err != nil {
				return 0, err
			}
		}
		n += added
	}
	return n, nil
}

// remove removes the users with these keys and returns how many rows it
// changed.
func (m *members) remove(ctx context.Context, t *txn, ref any, keys []any) (int64, error) {
	u := m.users
	var n int64
	for part := range slices.Chunk(keys, chunk) {
		var q string
		var args []any
		if m.join != "" {
			q = "DELETE FROM " + m.join + " WHERE " + m.jg + " = ? AND " + m.ju + " IN (" + marks(len(part)) + ")" + m.jscopeBare + m.inUserScope()
			args = append(append(append([]any{ref}, part...), m.jargs...), u.sargs...)
		} else {
			q = "UPDATE " + u.table + " SET " + m.ucol + " = ? WHERE " + m.ucol + " = ? AND " + quote(string(u.spec.Key)) + " IN (" + marks(len(part)) + ")" + u.scope
			args = append(append([]any{m.spec.Cleared, ref}, part...), u.sargs...)
		}
		res, err := t.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("removing members: %w", err)
		}
		n += rowsAffected(res)
	}
	return n, nil
}

// removeAllBut removes every member not in keys (all of them when keys is
// empty), in one statement, and returns how many rows it changed.
func (m *members) removeAllBut(ctx context.Context, t *txn, ref any, keys []any) (int64, error) {
	u := m.users
	var q string
	var args []any
	if m.join != "" {
		q = "DELETE FROM " + m.join + " WHERE " + m.jg + " = ?"
		args = []any{ref}
		if len(keys) > 0 {
			q += " AND " + m.ju + " NOT IN (" + marks(len(keys)) + ")"
			args = append(args, keys...)
		}
		q += m.jscopeBare + m.inUserScope()
		args = append(append(args, m.jargs...), u.sargs...)
	} else {
		q = "UPDATE " + u.table + " SET " + m.ucol + " = ? WHERE " + m.ucol + " = ?" + u.scope
		args = append([]any{m.spec.Cleared, ref}, u.sargs...)
		if len(keys) > 0 {
			q += " AND " + quote(string(u.spec.Key)) + " NOT IN (" + marks(len(keys)) + ")"
			args = append(args, keys...)
		}
	}
	res, err := t.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("replacing members: %w", err)
	}
	return rowsAffected(res), nil
}

// rowsAffected is the number of rows a membership statement changed. It
// feeds metrics only, so a driver that cannot tell counts nothing.
func rowsAffected(res sql.Result) int64 {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return n
}

// inUserScope restricts a join-table statement to members that are users
// in scope: rows naming other things (a service account kept in the same
// table, another tenant's user) are the application's, not the IdP's.
func (m *members) inUserScope() string {
	u := m.users
	if u.scope == "" {
		return ""
	}
	return " AND " + m.ju + " IN (SELECT " + coerce(quote(string(u.spec.Key)), u.key, m.juCol) + " FROM " + u.table + " WHERE 1=1" + u.scope + ")"
}

// dropGroup removes every membership of the group with reference ref,
// whatever the member, as the group goes away, and returns how many rows
// it changed. The role users fall back to cannot go.
func (m *members) dropGroup(ctx context.Context, t *txn, ref any) (int64, error) {
	if m.spec.Cleared != nil && canonical(ref) == canonical(m.spec.Cleared) {
		return 0, fmt.Errorf("%w: it is the role users fall back to (whenRemoved)", adapters.ErrRefused)
	}
	var q string
	var args []any
	if m.join != "" {
		q, args = "DELETE FROM "+m.join+" WHERE "+m.jg+" = ?", []any{ref}
	} else {
		q = "UPDATE " + m.users.table + " SET " + m.ucol + " = ? WHERE " + m.ucol + " = ?" + m.users.scope
		args = append([]any{m.spec.Cleared, ref}, m.users.sargs...)
	}
	res, err := t.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("removing the group's memberships: %w", err)
	}
	return rowsAffected(res), nil
}

// rename moves memberships from one reference value to another, for
// applications that refer to groups by a column that just changed.
func (m *members) rename(ctx context.Context, t *txn, from, to any) error {
	var q string
	var args []any
	if m.join != "" {
		q, args = "UPDATE "+m.join+" SET "+m.jg+" = ? WHERE "+m.jg+" = ?", []any{to, from}
	} else {
		q = "UPDATE " + m.users.table + " SET " + m.ucol + " = ? WHERE " + m.ucol + " = ?" + m.users.scope
		args = append([]any{to, from}, m.users.sargs...)
	}
	if _, err := t.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("moving memberships to the renamed group: %w", err)
	}
	return nil
}

func (g groupStore) CreateGroup(ctx context.Context, rec adapters.Record, ids []string) (adapters.Record, error) {
	var out adapters.Record
	var added int64
	err := g.tx(ctx, func(t *txn) (err error) {
		added = 0
		if out, err = g.insertRow(ctx, t, rec); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		added, _, err = g.members.apply(ctx, t, out[g.members.spec.GroupRef], []adapters.MemberOp{{Kind: adapters.MemberAdd, IDs: ids}})
		return err
	})
	if err == nil {
		adapters.MemberCountsFrom(ctx).Add(added, 0)
	}
	return out, err
}

func (g groupStore) UpdateGroup(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, []adapters.MemberOp, error)) (adapters.Record, error) {
	key, ok := g.keyArg(id)
	if !ok {
		return nil, adapters.ErrNotFound
	}
	var out adapters.Record
	var added, removed int64
	err := g.tx(ctx, func(t *txn) error {
		added, removed = 0, 0
		var ops []adapters.MemberOp
		cur, next, err := g.updateRow(ctx, t, key, func(r adapters.Record) (adapters.Record, error) {
			rec, o, err := fn(r)
			ops = o
			return rec, err
		}, false)
		if err != nil {
			return err
		}
		ref := g.members.spec.GroupRef
		if canonical(cur[ref]) != canonical(next[ref]) {
			if c := g.members.spec.Cleared; c != nil && canonical(cur[ref]) == canonical(c) {
				return fmt.Errorf("%w: it is the role users fall back to (whenRemoved), so it cannot be renamed", adapters.ErrRefused)
			}
			if err := g.members.rename(ctx, t, cur[ref], next[ref]); err != nil {
				return err
			}
		}
		out = next
		added, removed, err = g.members.apply(ctx, t, next[ref], ops)
		if err != nil {
			return err
		}
		if added+removed > 0 && len(g.spec.Touch)+len(g.spec.Increment) > 0 && sameRecord(cur, next) {
			// Only the membership changed: the group was still modified.
			out, err = g.touch(ctx, t, next[g.spec.Key])
		}
		return err
	})
	if err == nil {
		adapters.MemberCountsFrom(ctx).Add(added, removed)
	}
	return out, err
}

// AddMembers adds users to a group in one statement that autocommits: an
// INSERT ... SELECT joining the group's row, share-locked, to the users',
// on the condition that every key names a user. The group row is not read
// first. The share lock orders the addition with a change or delete of the
// group, which locks the row exclusively first, and the users' share locks
// with their deletion (no orphan membership); the unique key of the join
// table skips users who are members already. The condition makes the
// statement add all or nothing: a missing user writes no row.
//
// Only when fewer rows are added than keys does it look why. No group:
// ErrNotFound. A user missing with no row added: ErrUnknownMember, and
// nothing was written. A user missing with rows added was deleted while
// the statement ran, after its check: the addition took effect as if just
// before that delete, which removed the user's memberships, so it
// succeeded. Otherwise the others were members already.
//
// It declines, doing nothing, where the full path is needed: when the
// group row itself changes on a membership change (Touch, Increment), when
// existing memberships are not skipped by a unique key (upsert), in a dry
// run (whose transaction is rolled back), for more users than one
// statement takes, and for an id that is no user key (the full path
// reports a missing group first).
func (g groupStore) AddMembers(ctx context.Context, id string, ids []string) (bool, error) {
	m := g.members
	if !m.upsert || len(g.spec.Touch)+len(g.spec.Increment) > 0 || g.dryRun != nil || len(ids) == 0 || len(ids) > chunk {
		return false, nil
	}
	key, ok := g.keyArg(id)
	if !ok {
		return true, adapters.ErrNotFound
	}
	keys, err := m.userKeys(ids)
	if err != nil {
		return false, nil
	}
	u := m.users
	uk := quote(string(u.spec.Key))
	in := " IN (" + marks(len(keys)) + ")"
	extra := m.addArgs()
	q := "INSERT INTO " + m.join + " (" + m.jg + ", " + m.ju + m.addCols + ")" +
		" SELECT g." + quote(string(m.spec.GroupRef)) + ", u." + uk + strings.Repeat(", ?", len(extra)) +
		" FROM " + g.table + " g JOIN " + u.table + " u ON u." + uk + in + scopeSQL("u", u) +
		" WHERE g." + quote(string(g.spec.Key)) + " = ?" + scopeSQL("g", g.store) +
		" AND (SELECT COUNT(*) FROM " + u.table + " WHERE " + uk + in + u.scope + ") = ?" +
		" LOCK IN SHARE MODE" +
		" ON DUPLICATE KEY UPDATE " + m.join + "." + m.jg + " = " + m.join + "." + m.jg
	args := make([]any, 0, len(extra)+2*(len(keys)+len(u.sargs))+2+len(g.sargs))
	args = append(append(append(append(append(args, extra...), keys...), u.sargs...), key), g.sargs...)
	args = append(append(append(args, keys...), u.sargs...), len(keys))
	var added int64
	err = g.write(ctx, func() error {
		res, err := g.db.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("adding members: %w", err)
		}
		added = rowsAffected(res)
		return nil
	})
	if err != nil || added == int64(len(keys)) {
		if err == nil {
			adapters.MemberCountsFrom(ctx).Add(added, 0)
		}
		return true, err
	}
	var one int
	err = g.db.QueryRowxContext(ctx, "SELECT 1 FROM "+g.table+" WHERE "+quote(string(g.spec.Key))+" = ?"+g.scope, append([]any{key}, g.sargs...)...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, adapters.ErrNotFound
	case err != nil:
		return true, classify(fmt.Errorf("reading the group: %w", err))
	}
	var n int
	if err := g.db.QueryRowxContext(ctx, "SELECT COUNT(*) FROM "+u.table+" WHERE "+uk+in+u.scope, append(slices.Clone(keys), u.sargs...)...).Scan(&n); err != nil {
		return true, classify(fmt.Errorf("checking members exist: %w", err))
	}
	if n < len(keys) && added == 0 {
		return true, fmt.Errorf("%w: %d of %d ids name no user", adapters.ErrUnknownMember, len(keys)-n, len(keys))
	}
	adapters.MemberCountsFrom(ctx).Add(added, 0)
	return true, nil
}

func (g groupStore) EachMember(ctx context.Context, id string, fn func(adapters.Member) error) error {
	key, ok := g.keyArg(id)
	if !ok {
		return adapters.ErrNotFound
	}
	row, err := g.getOne(ctx, g.db, key, false, nil)
	if err != nil {
		return classify(err)
	}
	m := g.members
	u := m.users
	q, args := m.membersQuery(row[m.spec.GroupRef])
	rows, err := g.db.QueryContext(ctx, q, args...)
	if err != nil {
		return classify(fmt.Errorf("listing members: %w", err))
	}
	defer rows.Close()
	dispCol := u.cols[m.spec.Display]
	for rows.Next() {
		var k, d any
		if err := rows.Scan(&k, &d); err != nil {
			return fmt.Errorf("scanning member: %w", err)
		}
		if err := fn(adapters.Member{ID: u.idOf(k), Display: canonical(normalize(dispCol, d))}); err != nil {
			return err
		}
	}
	return classify(rows.Err())
}

func (g groupStore) GroupsOf(ctx context.Context, userIDs []string) (map[string][]adapters.Member, error) {
	m := g.members
	out := map[string][]adapters.Member{}
	for part := range slices.Chunk(m.validKeys(userIDs), chunk) {
		q, args := m.groupsQuery(part)
		rows, err := g.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, classify(fmt.Errorf("listing groups of users: %w", err))
		}
		err = m.scanGroups(rows, func(uid any, gm adapters.Member) {
			id := m.users.idOf(uid)
			out[id] = append(out[id], gm)
		})
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// membersQuery is the query listing the members of the group whose
// reference value is ref: user key and display, in key order.
func (m *members) membersQuery(ref any) (string, []any) {
	u := m.users
	uk := "u." + quote(string(u.spec.Key))
	disp := "u." + quote(string(m.spec.Display))
	if m.join != "" {
		// Driven by the join table's group index; each user is found by
		// its key, which the join column is converted to.
		q := "SELECT " + uk + ", " + disp + " FROM " + m.join + " j JOIN " + u.table + " u ON " + uk + " = " + coerce("j."+m.ju, m.juCol, u.key) +
			" WHERE j." + m.jg + " = ?" + m.jscope + scopeSQL("u", u) + " ORDER BY " + uk
		return q, append(append([]any{ref}, m.jargs...), u.sargs...)
	}
	q := "SELECT " + uk + ", " + disp + " FROM " + u.table + " u WHERE u." + m.ucol + " = ?" + scopeSQL("u", u) + " ORDER BY " + uk
	return q, append([]any{ref}, u.sargs...)
}

// groupsQuery is the query listing the groups of the users with these
// keys: user key, group key and display (see scanGroups).
func (m *members) groupsQuery(keys []any) (string, []any) {
	// Every user's read sends it: its text around the key list is made
	// once.
	m.groupsOnce.Do(func() { m.groupsHead, m.groupsTail = m.groupsQueryText() })
	q := m.groupsHead + marks(len(keys)) + m.groupsTail
	if m.join != "" {
		return q, append(append(slices.Clone(keys), m.jargs...), m.group.sargs...)
	}
	return q, append(append(slices.Clone(keys), m.users.sargs...), m.group.sargs...)
}

// groupsQueryText is the text of groupsQuery before and after its list of
// user keys.
func (m *members) groupsQueryText() (head, tail string) {
	u, g := m.users, m.group
	gk := "g." + quote(string(g.spec.Key))
	gd := "g." + quote(string(g.spec.Display))
	gref := "g." + quote(string(m.spec.GroupRef))
	if m.join != "" {
		// The users asked about were read in scope: only the join rows'
		// and the groups' scopes apply.
		return "SELECT j." + m.ju + ", " + gk + ", " + gd + " FROM " + m.join + " j JOIN " + g.table + " g ON " + gref + " = " + coerce("j."+m.jg, m.jgCol, m.refCol) +
				" WHERE j." + m.ju + " IN (",
			")" + m.jscope + scopeSQL("g", g) + " ORDER BY " + gk
	}
	uk := "u." + quote(string(u.spec.Key))
	return "SELECT " + uk + ", " + gk + ", " + gd + " FROM " + u.table + " u JOIN " + g.table + " g ON " + gref + " = " + coerce("u."+m.ucol, m.ucolCol, m.refCol) +
			" WHERE " + uk + " IN (",
		")" + scopeSQL("u", u) + scopeSQL("g", g) + " ORDER BY " + gk
}

// scanGroups reads the rows of a groupsQuery, calling fn with each row's
// user (as the query returns it) and group. It leaves rows open.
func (m *members) scanGroups(rows *sql.Rows, fn func(uid any, g adapters.Member)) error {
	dispCol := m.group.cols[m.group.spec.Display]
	for rows.Next() {
		var uid, gid, d any
		if err := rows.Scan(&uid, &gid, &d); err != nil {
			return fmt.Errorf("scanning group: %w", err)
		}
		fn(uid, adapters.Member{ID: m.group.idOf(gid), Display: canonical(normalize(dispCol, d))})
	}
	return classify(rows.Err())
}
