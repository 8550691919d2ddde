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
	// gfrom is the group table aliased g, joined (aliased gj) to the
	// joined table holding GroupRef when it is a joined column; gref is
	// GroupRef on them (g.ref or gj.ref), and gjoin that joined table.
	gfrom, gref string
	gjoin       *joined
	// uref is the quoted user column the join's user column holds (the
	// key unless UserRef names another), urefCol its column; byRef says
	// it is not the key, so user keys are turned into it in SQL.
	uref    string
	urefCol adapters.ColumnInfo
	byRef   bool
	join    string // quoted join table, or ""
	jg, ju  string // quoted join columns
	ucol    string // quoted user column, or ""
	// meta is the users' key/value table when the list is held in its
	// entry spec.MetaKey (ucol is then "").
	meta *related
	// jgCol and juCol are the join table's group and user columns, ucolCol
	// the user column; joins convert to and from them (see coerce).
	jgCol, juCol, ucolCol adapters.ColumnInfo
	// jscope is the join rows' scope as " AND ..." terms on the join
	// table aliased j, jscopeBare the same unaliased, jargs their
	// arguments.
	jscope, jscopeBare string
	jargs              []any
	// addCols and addVals are the further columns an added join row gets
	// (its scope constants and defaults) and their SQL: ", ?" each, or
	// ", UUID()" for a generated key.
	addCols, addVals string
	// computed says that a join default is computed (next, copy), so
	// that AddMembers leaves the addition to the full path; perGroup
	// that one counts per group, so that each row needs its own
	// statement; nextPerUser that one counts per user, whose lock the
	// addition takes.
	computed, perGroup, nextPerUser bool
	jcols                           map[adapters.Column]adapters.ColumnInfo
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
	// countOver says that the engine counts the users AddMembers joins
	// with a window function (engineKind.countsOver; see addSQL).
	countOver bool

	// hooks are the membership's (spec.Hooks): AfterMemberAdd and
	// AfterMemberRemove.
	hooks hookSet

	// groupsOnce makes groupsHead and groupsTail, the text of the groups
	// query before and after its list of user keys (see groupsQuery).
	// pairKey: the join table has a unique key on (group, user).
	pairKey bool

	groupsOnce             sync.Once
	groupsHead, groupsTail string

	// values are the groups of a Group declared by values, which has no
	// table (TableSpec.Values); nil for a group table.
	values []adapters.ValueGroup
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
	m := &members{spec: spec, group: group, users: users, userKey: users.key, countAfter: a.indexesCollate(), hooks: newHookSet(spec.Hooks)}
	kind, version := a.engineOf()
	m.countOver = kind.countsOver(version)
	if m.refCol, ok = group.cols[spec.GroupRef]; !ok {
		return nil, fmt.Errorf("group reference column %s: %w", spec.GroupRef, errNotDescribed)
	}
	m.gfrom, m.gref = group.table+" g", "g."+quote(string(spec.GroupRef))
	if ref, ok := group.joinCols[spec.GroupRef]; ok {
		if len(ref.j.spec.Scope) > 0 {
			return nil, fmt.Errorf("group reference column %s: its joined table has a scope", spec.GroupRef)
		}
		m.gjoin = ref.j
		m.gfrom += " JOIN " + ref.j.table + " gj ON gj." + ref.j.key + " = " + coerce("g."+quote(string(group.spec.Key)), group.key, ref.j.keyCol)
		m.gref = "gj." + quote(string(ref.col))
	}
	m.uref, m.urefCol = quote(string(users.spec.Key)), users.key
	if spec.UserRef != "" && spec.UserRef != users.spec.Key {
		if m.urefCol, ok = users.cols[spec.UserRef]; !ok {
			return nil, fmt.Errorf("user reference column %s: %w", spec.UserRef, errNotDescribed)
		}
		m.uref, m.byRef = quote(string(spec.UserRef)), true
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
		m.jscope, m.jargs = scopeTerms("j.", spec.JoinScope, spec.JoinConditions, spec.Removed, m.jcols)
		m.jscopeBare, _ = scopeTerms("", spec.JoinScope, spec.JoinConditions, spec.Removed, m.jcols)
		if r := spec.Removed; r != nil {
			if _, ok := m.jcols[r.Column]; !ok {
				return nil, fmt.Errorf("join column %s: %w", r.Column, errNotDescribed)
			}
		}
		for _, c := range slices.Sorted(maps.Keys(spec.JoinScope)) {
			m.addCols += ", " + quote(string(c))
			m.addVals += ", ?"
		}
		for _, d := range spec.JoinDefaults {
			if _, scoped := spec.JoinScope[d.Column]; !scoped {
				m.addCols += ", " + quote(string(d.Column))
				switch {
				case d.Kind == adapters.DefaultUUID:
					// One statement adds many rows: the server makes
					// each its own UUID, where one argument would give
					// them all the same.
					m.addVals += ", UUID()"
				case d.Computed():
					v, err := m.computedValue(d)
					if err != nil {
						return nil, err
					}
					m.addVals += ", " + v
					m.computed = true
				default:
					m.addVals += ", ?"
				}
			}
		}
		m.pairKey = skipsByKey(jinfo, spec.JoinGroup, spec.JoinUser)
		m.upsert = m.countAfter && len(spec.JoinScope) == 0 && len(spec.JoinConditions) == 0 && spec.Removed == nil && skipsByKey(jinfo, spec.JoinGroup, spec.JoinUser)
	} else if spec.MetaKey != "" {
		if users.kv == nil {
			return nil, fmt.Errorf("meta entry %s: %w", spec.MetaKey, errNotDescribed)
		}
		m.meta = users.kv
		m.ucolCol = users.kv.in.cols[users.kv.kv.Value]
		m.ucolCol.Nullable = true // a missing entry
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

// errMembershipKey is a duplicate key of a membership row that is not the
// membership itself (those are skipped): a unique index of the join table
// the mapping does not fill per row. It is the mapping's fault, never a
// name that is taken, so it is no ErrConflict.
var errMembershipKey = errors.New("a unique index of the membership table refused a new row that is no existing membership")

// membershipDuplicate turns a duplicate-key error of a membership insert
// into errMembershipKey, keeping the server's message but not its error
// number, so that classify does not make it a conflict.
func membershipDuplicate(err error) error {
	if isDuplicate(err) {
		return fmt.Errorf("%w (%v)", errMembershipKey, err)
	}
	return err
}

// computedValue is the SQL of a computed default of a join row added by
// the INSERT ... SELECT of add, over the users table aliased u: the next
// number among the user's (or the group's, by the argument ref) join
// rows, all of them, marked or out of scope too; a column of the user's
// row; a column of the group's row, found by its reference (ref).
func (m *members) computedValue(d adapters.Default) (string, error) {
	col := quote(string(d.Column))
	u := m.users
	switch {
	case d.Kind == adapters.DefaultNext && d.Per == adapters.NextPerGroup:
		m.perGroup = true
		return "(SELECT COALESCE(MAX(x." + col + "), 0) + 1 FROM " + m.join + " x WHERE x." + m.jg + " = ?)", nil
	case d.Kind == adapters.DefaultNext:
		m.nextPerUser = true
		// The join rows hold the user's key, or the column userReferences
		// names.
		ucol, uinfo := quote(string(u.spec.Key)), u.key
		if m.spec.UserRef != "" {
			ucol, uinfo = quote(string(m.spec.UserRef)), u.cols[m.spec.UserRef]
		}
		return "(SELECT COALESCE(MAX(x." + col + "), 0) + 1 FROM " + m.join + " x WHERE x." + m.ju + " = " + coerce("u."+ucol, uinfo, m.juCol) + ")", nil
	case d.FromRow == adapters.CopyUser:
		if _, ok := u.cols[d.From]; !ok {
			return "", fmt.Errorf("user column %s: %w", d.From, errNotDescribed)
		}
		return "u." + quote(string(d.From)), nil
	case d.FromRow == adapters.CopyGroup:
		if strings.HasPrefix(string(m.spec.GroupRef), "@j:") {
			return "", fmt.Errorf("join column %s: a copy of the group's %s where memberships name the group by a joined table's column is not supported", d.Column, d.From)
		}
		if _, ok := m.group.cols[d.From]; !ok {
			return "", fmt.Errorf("group column %s: %w", d.From, errNotDescribed)
		}
		return "(SELECT gc." + quote(string(d.From)) + " FROM " + m.group.table + " gc WHERE gc." + quote(string(m.spec.GroupRef)) + " = ? LIMIT 1)", nil
	}
	return "", fmt.Errorf("join column %s: a copy of the join row's own columns is not supported", d.Column)
}

// addArgs returns the arguments of addVals for the new join rows of the
// group whose reference value is ref.
func (m *members) addArgs(ref any) []any {
	var out []any
	for _, c := range slices.Sorted(maps.Keys(m.spec.JoinScope)) {
		out = append(out, m.spec.JoinScope[c])
	}
	now := adapters.Now()
	for _, d := range m.spec.JoinDefaults {
		if _, scoped := m.spec.JoinScope[d.Column]; scoped || d.Kind == adapters.DefaultUUID {
			continue
		}
		switch {
		case d.Kind == adapters.DefaultNext && d.Per == adapters.NextPerGroup, d.Kind == adapters.DefaultCopy && d.FromRow == adapters.CopyGroup:
			out = append(out, ref)
		case d.Computed():
		default:
			out = append(out, defaultValue(d, m.jcols[d.Column], m.spec.Location, now))
		}
	}
	return out
}

// lockOwners takes the locks of the owners of the next numbers of the
// join rows add is about to insert for the group ref and these users:
// the group's, and each user's in a fixed order, so that two additions
// of one user to two groups count one after the other.
func (m *members) lockOwners(ctx context.Context, t *txn, ref any, keys []any) error {
	if m.perGroup {
		if err := m.group.ownerLock(ctx, t, m.spec.JoinTable, m.spec.JoinGroup, ref); err != nil {
			return err
		}
	}
	if !m.nextPerUser {
		return nil
	}
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b any) int { return strings.Compare(canonical(a), canonical(b)) })
	for _, k := range sorted {
		if err := m.group.ownerLock(ctx, t, m.spec.JoinTable, m.spec.JoinUser, k); err != nil {
			return err
		}
	}
	return nil
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
		// One user given twice: counting the users found against the
		// keys asked for needs each key once.
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
		q := "SELECT COUNT(*) FROM " + u.table + " WHERE " + quote(string(u.spec.Key)) + " IN (" + marks(len(part)) + ")" + u.scope + u.share
		if err := t.QueryRowxContext(ctx, q, append(slices.Clone(part), u.sargs...)...).Scan(&n); err != nil {
			return fmt.Errorf("checking members exist: %w", err)
		}
		if n != len(part) {
			return m.unknownMembers(ctx, t, part)
		}
	}
	return nil
}

// apply runs membership operations for the group with key group, whose
// reference value is ref, in order, inside t. It returns how many
// membership rows were added and removed.
func (m *members) apply(ctx context.Context, t *txn, group, ref any, ops []adapters.MemberOp) (added, removed int64, err error) {
	if m.spec.List != nil {
		return m.applyList(ctx, t, ref, ops)
	}
	if m.hooks.has(adapters.AfterMemberAdd, adapters.AfterMemberRemove) {
		return m.applyHooked(ctx, t, group, ref, ops)
	}
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

// applyHooked is apply for a membership with hooks, which run once per
// member each operation actually adds or removes: the members it touches
// are read, and locked, before it runs.
func (m *members) applyHooked(ctx context.Context, t *txn, group, ref any, ops []adapters.MemberOp) (added, removed int64, err error) {
	for _, op := range ops {
		keys, err := m.userKeys(op.IDs)
		if err != nil {
			if op.Kind != adapters.MemberRemove {
				return 0, 0, err
			}
			// Removing an id that cannot exist removes nothing.
			keys = m.validKeys(op.IDs)
		}
		var in, gone, movedUsers, movedFrom []any
		var a, r int64
		switch op.Kind {
		case adapters.MemberAdd, adapters.MemberReplace:
			// Every key must name a user before the members are read.
			if err := m.requireUsers(ctx, t, keys); err != nil {
				return 0, 0, err
			}
			if op.Kind == adapters.MemberReplace {
				if gone, err = m.among(ctx, t, ref, keys, true); err != nil {
					return 0, 0, err
				}
			}
			if len(keys) > 0 {
				if in, err = m.among(ctx, t, ref, keys, false); err != nil {
					return 0, 0, err
				}
			}
			if movedUsers, movedFrom, err = m.moved(ctx, t, ref, keys); err != nil {
				return 0, 0, err
			}
			if op.Kind == adapters.MemberReplace {
				if r, err = m.removeAllBut(ctx, t, ref, keys); err != nil {
					return 0, 0, err
				}
			}
			a, err = m.add(ctx, t, ref, keys)
		case adapters.MemberRemove:
			if len(keys) == 0 {
				continue
			}
			if gone, err = m.among(ctx, t, ref, keys, false); err != nil {
				return 0, 0, err
			}
			r, err = m.remove(ctx, t, ref, keys)
		}
		if err != nil {
			return 0, 0, err
		}
		if m.removesNothing(ref) {
			gone = nil
		}
		if err := m.runMembers(ctx, t, adapters.AfterMemberRemove, group, gone); err != nil {
			return 0, 0, err
		}
		if err := m.removedTo(ctx, t, gone); err != nil {
			return 0, 0, err
		}
		for i, u := range movedUsers {
			if err := m.runMembers(ctx, t, adapters.AfterMemberRemove, movedFrom[i], []any{u}); err != nil {
				return 0, 0, err
			}
		}
		if op.Kind != adapters.MemberRemove {
			if err := m.runMembers(ctx, t, adapters.AfterMemberAdd, group, without(keys, in)); err != nil {
				return 0, 0, err
			}
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
	// With a join scope, or removals that only mark rows, rows brought
	// back count as added, so the count after cannot tell a missing user:
	// check the users first.
	countAfter := m.countAfter && len(m.spec.JoinScope) == 0 && m.spec.Removed == nil
	if !countAfter {
		if err := m.requireUsers(ctx, t, keys); err != nil {
			return 0, err
		}
	}
	var n int64
	if m.join != "" && m.spec.Removed != nil {
		revived, err := m.revive(ctx, t, ref, keys)
		if err != nil {
			return 0, err
		}
		n += revived
	}
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
			q := "UPDATE " + m.join + " SET " + strings.Join(sets, ", ") + " WHERE " + m.jg + " = ? AND " + m.ju + m.juIn(len(part), false) +
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
	size := chunk
	if m.join != "" {
		if err := m.lockOwners(ctx, t, ref, keys); err != nil {
			return 0, err
		}
		if m.perGroup {
			// Each row's number counts the one added before it.
			size = 1
		}
	}
	for part := range slices.Chunk(keys, size) {
		var q string
		var args []any
		if m.join != "" {
			// One statement adds every user not yet a member: existing
			// memberships are skipped, not duplicated. The group row is
			// locked, so concurrent changes to this group are serialised.
			extra := m.addArgs(ref)
			q = "INSERT INTO " + m.join + " (" + m.jg + ", " + m.ju + m.addCols + ") SELECT ?, u." + m.uref + m.addVals + " FROM " + u.table + " u" +
				" WHERE u." + uk + " IN (" + marks(len(part)) + ")" + scopeSQL("u", u)
			args = append(append(append([]any{ref}, extra...), part...), u.sargs...)
			if !m.upsert {
				q += " AND NOT EXISTS (SELECT 1 FROM " + m.join + " j WHERE j." + m.jg + " = ? AND j." + m.ju + " = " + coerce("u."+m.uref, m.urefCol, m.juCol) + m.jscope + ")"
				args = append(append(args, ref), m.jargs...)
			}
			// Share-lock the users added, so none is deleted before
			// the membership commits (a delete takes the row's
			// exclusive lock first, then removes its memberships).
			q += u.share
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
			return 0, fmt.Errorf("adding members: %w", membershipDuplicate(err))
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
			q, args = m.removeJoin("?", []any{ref}, part)
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

// removeJoin is the statement that removes the users with these keys
// from the group whose reference is ref, SQL ("?", or a subquery) whose
// arguments are refArgs, in the join table: its memberships in the join
// scope, of users in scope. It returns the statement and its arguments.
func (m *members) removeJoin(ref string, refArgs, keys []any) (string, []any) {
	q := m.removeHead() + " WHERE " + m.jg + " = " + ref + " AND " + m.ju + m.juIn(len(keys), false) + m.jscopeBare + m.inUserScope()
	args := append(append(append(m.removeArgs(), refArgs...), keys...), m.jargs...)
	return q, append(args, m.users.sargs...)
}

// removeAllBut removes every member not in keys (all of them when keys is
// empty), in one statement, and returns how many rows it changed.
func (m *members) removeAllBut(ctx context.Context, t *txn, ref any, keys []any) (int64, error) {
	u := m.users
	var q string
	var args []any
	if m.join != "" {
		q = m.removeHead() + " WHERE " + m.jg + " = ?"
		args = append(m.removeArgs(), ref)
		if len(keys) > 0 {
			q += " AND " + m.ju + m.juIn(len(keys), true)
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
	return " AND " + m.ju + " IN (SELECT " + coerce(m.uref, m.urefCol, m.juCol) + " FROM " + u.table + " WHERE 1=1" + u.scope + ")"
}

// juIn is the condition, after the join table's user column, that it
// names one of n users given by their keys (" NOT IN" with not): the
// keys themselves, or, where the membership holds another user column
// (UserRef), those users' values of it.
func (m *members) juIn(n int, not bool) string {
	in := " IN (" + marks(n) + ")"
	if m.byRef {
		in = " IN (SELECT " + coerce(m.uref, m.urefCol, m.juCol) + " FROM " + m.users.table + " WHERE " + quote(string(m.users.spec.Key)) + in + ")"
	}
	if not {
		return " NOT" + in
	}
	return in
}

// juKey is the user key of the join row, unaliased: its user column, or,
// where that holds another user column (UserRef), the key of the user
// whose column it holds; ci is the column to read the key as.
func (m *members) juKey() (expr string, ci adapters.ColumnInfo) {
	if !m.byRef {
		return m.ju, m.juCol
	}
	u := m.users
	return "(SELECT " + quote(string(u.spec.Key)) + " FROM " + u.table + " WHERE " + m.uref + " = " + coerce(m.join+"."+m.ju, m.juCol, m.urefCol) + " LIMIT 1)", u.key
}

// groupsOn joins the groups (aliased g, and gj for a joined reference
// table) to a query on the condition that their reference is ref.
func (m *members) groupsOn(ref string) string {
	g := m.group
	if m.gjoin == nil {
		return " JOIN " + g.table + " g ON " + m.gref + " = " + ref
	}
	j := m.gjoin
	return " JOIN " + j.table + " gj ON " + m.gref + " = " + ref + " JOIN " + g.table + " g ON g." + quote(string(g.spec.Key)) + " = " + coerce("gj."+j.key, j.keyCol, g.key)
}

// outerRef is the reference of the group row of table (unaliased, in an
// enclosing query), converted to column to.
func (m *members) outerRef(table string, to adapters.ColumnInfo) string {
	g := m.group
	if m.gjoin == nil {
		return coerce(table+"."+quote(string(m.spec.GroupRef)), m.refCol, to)
	}
	j := m.gjoin
	return "(SELECT " + coerce(m.gref, m.refCol, to) + " FROM " + j.table + " gj WHERE gj." + j.key + " = " + coerce(table+"."+quote(string(g.spec.Key)), g.key, j.keyCol) + ")"
}

// dropGroup removes every membership of the group with reference ref,
// whatever the member, as the group goes away, and returns how many rows
// it changed. The role users fall back to cannot go.
func (m *members) dropGroup(ctx context.Context, t *txn, ref any) (int64, error) {
	if m.spec.Cleared != nil && canonical(ref) == canonical(m.spec.Cleared) {
		return 0, fmt.Errorf("%w: it is the role users fall back to (whenRemoved)", adapters.ErrRefused)
	}
	if m.spec.List != nil {
		return m.dropList(ctx, t, listToken(ref), "")
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
	if m.spec.List != nil {
		_, err := m.dropList(ctx, t, listToken(from), listToken(to))
		return err
	}
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

func (g groupStore) CreateGroup(ctx context.Context, rec adapters.Record, ids []string) (adapters.Record, adapters.Written, error) {
	var out adapters.Record
	var added int64
	err := g.tx(ctx, func(t *txn) (err error) {
		added = 0
		if out, err = g.insertRow(ctx, t, rec); err != nil {
			return err
		}
		if out, err = g.afterCreate(ctx, t, out); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		added, _, err = g.members.apply(ctx, t, out[g.spec.Key], out[g.members.spec.GroupRef], []adapters.MemberOp{{Kind: adapters.MemberAdd, IDs: ids}})
		return err
	})
	if err != nil {
		return out, adapters.Written{}, err
	}
	return out, adapters.Written{MembersAdded: added}, nil
}

func (g groupStore) UpdateGroup(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, []adapters.MemberOp, error)) (adapters.Record, adapters.Written, error) {
	key, ok := g.keyArg(id)
	if !ok {
		return nil, adapters.Written{}, adapters.ErrNotFound
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
		}, false, nil)
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
		added, removed, err = g.members.apply(ctx, t, key, next[ref], ops)
		if err != nil {
			return err
		}
		if added+removed > 0 && len(g.spec.Touch)+len(g.spec.Increment) > 0 && sameRecord(cur, next) {
			// Only the membership changed: the group was still modified.
			out, err = g.touch(ctx, t, next[g.spec.Key])
		}
		if err == nil && added+removed > 0 && (t.check == nil || sameRecord(cur, next)) {
			// Nothing of the group's row tells that it committed (a
			// modified time alone may equal that of a change within
			// the same second): its memberships do.
			gref := next[ref]
			t.check, t.settleBy = nil, func(ctx context.Context) bool { return g.members.settled(ctx, gref, ops) }
		}
		return err
	})
	if err != nil {
		return out, adapters.Written{}, err
	}
	return out, adapters.Written{MembersAdded: added, MembersRemoved: removed}, nil
}

// AddMembers adds users to a group in one statement that autocommits: an
// INSERT ... SELECT joining the group's row, share-locked, to the users',
// on the condition that every key names a user (see addSQL). The group
// row is not read first. The share lock orders the addition with a change
// or delete of the group, which locks the row exclusively first, and the
// users' share locks with their deletion (no orphan membership); the
// unique key of the join table skips users who are members already. The
// condition makes the statement add all or nothing: a missing user writes
// no row.
//
// Any row added means success, committed: fewer rows than keys are users
// who were members already, or a user deleted while the statement ran,
// after its check (the addition took effect as if just before that
// delete, which removed the user's memberships). Nothing is read after
// it, so no failing read can turn the committed addition into an error.
// Only when no row is added does it look why, having written nothing: no
// group, ErrNotFound; a user missing, ErrUnknownMember; else every user
// was a member already.
//
// It declines, doing nothing, where the full path is needed: when the
// group row itself changes on a membership change (Touch, Increment), when
// existing memberships are not skipped by a unique key (upsert), in a dry
// run (whose transaction is rolled back), for more users than one
// statement takes, for an id that is no user key (the full path reports
// a missing group first), when members added run hooks, which need to
// know which of them were members already, and when a join row has a
// computed default (a next number needs its owner's lock).
func (g groupStore) AddMembers(ctx context.Context, id string, ids []string) (bool, adapters.Written, error) {
	m := g.members
	if !m.upsert || m.computed || len(g.spec.Touch)+len(g.spec.Increment) > 0 || g.dryRun != nil || len(ids) == 0 || len(ids) > chunk || m.hooks.has(adapters.AfterMemberAdd) {
		return false, adapters.Written{}, nil
	}
	key, ok := g.keyArg(id)
	if !ok {
		return true, adapters.Written{}, adapters.ErrNotFound
	}
	keys, err := m.userKeys(ids)
	if err != nil {
		return false, adapters.Written{}, nil
	}
	u := m.users
	uk := quote(string(u.spec.Key))
	in := " IN (" + marks(len(keys)) + ")"
	q, args := g.addSQL(key, keys)
	var added int64
	err = g.write(ctx, func() error {
		res, err := g.db.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("adding members: %w", membershipDuplicate(err))
		}
		added = rowsAffected(res)
		return nil
	})
	if err != nil && lostAnswer(err) {
		// The statement may have run: it did if every user is a member
		// now (it adds all or nothing), and then it succeeded.
		sctx, cancel := settleContext(ctx)
		ok := g.settledOn(sctx, key, adapters.MemberOp{Kind: adapters.MemberAdd, IDs: ids})
		cancel()
		if ok {
			return true, adapters.Written{}, nil
		}
	}
	if err != nil || added > 0 {
		// Rows added: the group exists, every key named a user, and the
		// addition has committed; whatever it did not add were members
		// already (or users deleted meanwhile, see above). It succeeded,
		// and nothing read now could change that.
		if err != nil {
			return true, adapters.Written{}, err
		}
		return true, adapters.Written{MembersAdded: added}, nil
	}
	// Nothing added, nothing written: find out why.
	if err := g.exists(ctx, key); err != nil {
		return true, adapters.Written{}, err
	}
	var n int
	if err := g.db.QueryRowxContext(ctx, "SELECT COUNT(*) FROM "+u.table+" WHERE "+uk+in+u.scope, append(slices.Clone(keys), u.sargs...)...).Scan(&n); err != nil {
		return true, adapters.Written{}, classify(fmt.Errorf("checking members exist: %w", err))
	}
	if n < len(keys) {
		return true, adapters.Written{}, m.unknownMembers(ctx, g.db, keys)
	}
	return true, adapters.Written{}, nil
}

// exists returns nil if the group with that key exists in scope,
// ErrNotFound if not.
func (g groupStore) exists(ctx context.Context, key any) error {
	var one int
	err := g.db.QueryRowxContext(ctx, "SELECT 1 FROM "+g.table+" WHERE "+quote(string(g.spec.Key))+" = ?"+g.scope, append([]any{key}, g.sargs...)...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return adapters.ErrNotFound
	case err != nil:
		return classify(fmt.Errorf("reading the group: %w", err))
	}
	return nil
}

// RemoveMembers removes users from a group in one statement that
// autocommits: the DELETE of the full path (members.remove), of the
// memberships of the group whose key, looked up in the group table
// within the statement, is given, so that a group out of scope loses
// none. The group row is not read first, nor locked: a removal creates
// no row another change could leave behind, and the memberships it
// deletes are locked by the DELETE itself, ordering it with an addition
// or a deletion of the group. Removing a non-member removes nothing and
// succeeds; an id no user key can be is no member. Only when nothing is
// removed is the group read, to tell a group that does not exist
// (ErrNotFound).
//
// It declines, doing nothing, where the full path is needed or does more
// than delete the rows: when the group row itself changes on a membership
// change (Touch, Increment), in a dry run, for more users than one
// statement takes, where memberships are held in a user's column, list
// or key/value entry rather than join rows, where a removal only marks
// the row (Removed), where memberships name the group by another column
// than its key (the full path reads it), and where membership changes run
// hooks (which need the members removed, and a removal may move users to
// the group they fall back to).
func (g groupStore) RemoveMembers(ctx context.Context, id string, ids []string) (bool, adapters.Written, error) {
	m := g.members
	if m.join == "" || m.spec.Removed != nil || m.gjoin != nil || m.spec.GroupRef != g.spec.Key ||
		len(g.spec.Touch)+len(g.spec.Increment) > 0 || g.dryRun != nil || len(ids) == 0 || len(ids) > chunk ||
		m.hooks.has(adapters.AfterMemberAdd, adapters.AfterMemberRemove) {
		return false, adapters.Written{}, nil
	}
	key, ok := g.keyArg(id)
	if !ok {
		return true, adapters.Written{}, adapters.ErrNotFound
	}
	if keys := m.validKeys(ids); len(keys) > 0 {
		gk := quote(string(g.spec.Key))
		ref := "(SELECT " + coerce("g."+gk, g.key, m.jgCol) + " FROM " + g.table + " g WHERE g." + gk + " = ?" + g.scopeG + ")"
		q, args := m.removeJoin(ref, append([]any{key}, g.sargs...), keys)
		var removed int64
		err := g.write(ctx, func() error {
			res, err := g.db.ExecContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("removing members: %w", err)
			}
			removed = rowsAffected(res)
			return nil
		})
		if err != nil && lostAnswer(err) {
			// The statement may have run; if none of the users is a
			// member of the group now, the removal holds either way.
			sctx, cancel := settleContext(ctx)
			ok := g.settledOn(sctx, key, adapters.MemberOp{Kind: adapters.MemberRemove, IDs: ids})
			cancel()
			if ok {
				return true, adapters.Written{}, nil
			}
		}
		if err != nil {
			return true, adapters.Written{}, err
		}
		if removed > 0 {
			// The group existed: the memberships were its.
			return true, adapters.Written{MembersRemoved: removed}, nil
		}
	}
	// Nothing removed: the users were no members, or there is no group.
	return true, adapters.Written{}, g.exists(ctx, key)
}

// countOverFrom is the least number of users for which AddMembers checks
// them with COUNT(*) OVER () where the engine has it. Measured on MariaDB
// 10.11 (the server's CPU per statement, 20,000 users), the window
// function costs more than the COUNT subquery it saves for up to 20 users
// (+12% for 2 to 5, +3% for 20), as much for 30, less from 50 (-4%; -13%
// for 100, -15% for 200, -21% for 1,000). One user needs neither (-12%).
const countOverFrom = 40

// addSQL is AddMembers' statement for the group with that key and these
// distinct user keys, and its arguments. It adds every user of the join
// of the group's row with the users' rows, share-locked, provided the
// join has a row for every key; one key needs no more than the join
// itself. For more, the users are counted over the join itself where the
// engine counts over a window (for many users, where that costs less:
// see countOverFrom), else by a second read of the users.
func (g groupStore) addSQL(key any, keys []any) (string, []any) {
	m, u := g.members, g.members.users
	uk := quote(string(u.spec.Key))
	in := " IN (" + marks(len(keys)) + ")"
	extra := m.addArgs(nil)
	from := " FROM " + m.gfrom + " JOIN " + u.table + " u ON u." + uk + in + scopeSQL("u", u) +
		" WHERE g." + quote(string(g.spec.Key)) + " = ?" + scopeSQL("g", g.store)
	args := make([]any, 0, len(extra)+2*(len(keys)+len(u.sargs))+2+len(g.sargs))
	args = append(append(append(append(append(args, extra...), keys...), u.sargs...), key), g.sargs...)
	q := "INSERT INTO " + m.join + " (" + m.jg + ", " + m.ju + m.addCols + ")"
	switch {
	case len(keys) == 1:
		// The join has a row only if both the group and the user exist.
		q += " SELECT " + m.gref + ", u." + m.uref + m.addVals + from + u.share
	case m.countOver && len(keys) >= countOverFrom:
		// The derived table's reads take the share locks.
		q += " SELECT x.gr, x.ur" + m.addVals + " FROM (SELECT " + m.gref + " AS gr, u." + m.uref + " AS ur, COUNT(*) OVER () AS n" + from + u.share + ") x" +
			" WHERE x.n = ?"
		args = append(args, len(keys))
	default:
		q += " SELECT " + m.gref + ", u." + m.uref + m.addVals + from +
			" AND (SELECT COUNT(*) FROM " + u.table + " WHERE " + uk + in + u.scope + ") = ?" + u.share
		args = append(append(append(args, keys...), u.sargs...), len(keys))
	}
	q += " ON DUPLICATE KEY UPDATE " + m.join + "." + m.jg + " = " + m.join + "." + m.jg
	return q, args
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
	return classify(g.members.eachMember(ctx, g.db, row[g.members.spec.GroupRef], fn))
}

func (g groupStore) GroupsOf(ctx context.Context, userIDs []string) (map[string][]adapters.Member, error) {
	m := g.members
	out := map[string][]adapters.Member{}
	for part := range slices.Chunk(m.validKeys(userIDs), chunk) {
		if m.spec.List != nil {
			err := m.listGroupsOf(ctx, g.db, part, func(uid any, gm adapters.Member) {
				id := m.users.idOf(uid)
				out[id] = append(out[id], gm)
			})
			if err != nil {
				return nil, classify(err)
			}
			continue
		}
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
		q := "SELECT " + uk + ", " + disp + " FROM " + m.join + " j JOIN " + u.table + " u ON u." + m.uref + " = " + coerce("j."+m.ju, m.juCol, m.urefCol) +
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
	uk := "u." + quote(string(u.spec.Key))
	if m.join != "" {
		// The users asked about were read in scope: only the join rows'
		// and the groups' scopes apply.
		user, from := "j."+m.ju, m.join+" j"
		if m.byRef {
			// The join rows name the users by another column.
			user, from = uk, from+" JOIN "+u.table+" u ON u."+m.uref+" = "+coerce("j."+m.ju, m.juCol, m.urefCol)
		}
		return "SELECT " + user + ", " + gk + ", " + gd + " FROM " + from + m.groupsOn(coerce("j."+m.jg, m.jgCol, m.refCol)) +
				" WHERE " + user + " IN (",
			")" + m.jscope + scopeSQL("g", g) + " ORDER BY " + gk
	}
	return "SELECT " + uk + ", " + gk + ", " + gd + " FROM " + u.table + " u" + m.groupsOn(coerce("u."+m.ucol, m.ucolCol, m.refCol)) +
			" WHERE " + uk + " IN (",
		")" + scopeSQL("u", u) + scopeSQL("g", g) + " ORDER BY " + gk
}

// scanGroups reads the rows of a groupsQuery, calling fn with each row's
// user (as the query returns it) and group. It leaves rows open.
func (m *members) scanGroups(rows *sql.Rows, fn func(uid any, g adapters.Member)) error {
	dispCol := m.group.cols[m.group.spec.Display]
	// A text display is read as the driver's bytes, copied once into
	// its string; the destinations serve every row.
	var uid, gid, d any
	var raw sql.RawBytes
	text := isText(dispCol.DataType)
	dest := []any{&uid, &gid, &d}
	if text {
		dest[2] = &raw
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scanning group: %w", err)
		}
		display := ""
		if text {
			display = string(raw)
		} else {
			display = canonical(normalize(dispCol, d))
		}
		fn(uid, adapters.Member{ID: m.group.idOf(gid), Display: display})
	}
	return classify(rows.Err())
}

// settled reports whether the memberships of the group with reference ref
// are as ops, applied in order, leave them, which tells whether a
// transaction that applied them (and changed some) committed. Locking
// reads wait until that transaction has ended on the server: it holds the
// rows it added, removed or changed until it commits or rolls back. With
// a replace among ops, the whole membership is compared; otherwise only
// that of the users ops name. It reports false when it cannot tell.
func (m *members) settled(ctx context.Context, ref any, ops []adapters.MemberOp) bool {
	want := map[string]bool{}
	var keys []any
	whole := false
	for _, op := range ops {
		ks := m.validKeys(op.IDs)
		if op.Kind == adapters.MemberReplace {
			want, keys, whole = map[string]bool{}, nil, true
		}
		for _, k := range ks {
			c := canonical(k)
			if _, seen := want[c]; !seen {
				keys = append(keys, k)
			}
			want[c] = op.Kind != adapters.MemberRemove
		}
	}
	if len(want) == 0 && !whole {
		return false // nothing to tell by
	}
	var have map[string]bool
	var err error
	if whole {
		have, err = m.membersLocked(ctx, ref, nil)
	} else {
		have = map[string]bool{}
		for part := range slices.Chunk(keys, chunk) {
			var h map[string]bool
			if h, err = m.membersLocked(ctx, ref, part); err != nil {
				break
			}
			maps.Copy(have, h)
		}
	}
	if err != nil {
		return false
	}
	for c, in := range want {
		if have[c] != in {
			return false
		}
	}
	if whole {
		for c := range have {
			if !want[c] {
				return false
			}
		}
	}
	return true
}

// membersLocked returns, with a locking read, the members of the group
// with reference ref among the users with these keys (all users in scope
// when keys is nil), as canonical user keys.
func (m *members) membersLocked(ctx context.Context, ref any, keys []any) (map[string]bool, error) {
	if m.spec.List != nil {
		return nil, errors.New("a list membership cannot tell a change committed")
	}
	u := m.users
	var q string
	var col adapters.ColumnInfo
	args := []any{ref}
	if m.join != "" {
		var sel string
		sel, col = m.juKey()
		q = "SELECT " + sel + " FROM " + m.join + " WHERE " + m.jg + " = ?"
		if keys != nil {
			q += " AND " + m.ju + m.juIn(len(keys), false)
			args = append(args, keys...)
		}
		q += m.jscopeBare + m.inUserScope()
		args = append(append(args, m.jargs...), u.sargs...)
	} else {
		uk := quote(string(u.spec.Key))
		q, col = "SELECT "+uk+" FROM "+u.table+" WHERE "+m.ucol+" = ?", u.key
		if keys != nil {
			q += " AND " + uk + " IN (" + marks(len(keys)) + ")"
			args = append(args, keys...)
		}
		q += u.scope
		args = append(args, u.sargs...)
	}
	rows, err := m.group.db.QueryContext(ctx, q+u.share, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		have[canonical(normalize(col, v))] = true
	}
	return have, rows.Err()
}

// settledOn reports whether the group with that key exists and its
// membership is as op leaves it (every user a member, or none), which
// tells that an AddMembers statement whose answer was lost ran, or that a
// RemoveMembers statement's removal holds.
func (g groupStore) settledOn(ctx context.Context, key any, op adapters.MemberOp) bool {
	var ref any
	err := g.db.QueryRowxContext(ctx, "SELECT "+g.members.gref+" FROM "+g.members.gfrom+" WHERE g."+quote(string(g.spec.Key))+" = ?"+scopeSQL("g", g.store), append([]any{key}, g.sargs...)...).Scan(&ref)
	if err != nil {
		return false
	}
	ref = normalize(g.members.refCol, ref)
	return g.members.settled(ctx, ref, []adapters.MemberOp{op})
}

// eachMember calls fn with every member of the group whose reference is
// ref, in user key order.
func (m *members) eachMember(ctx context.Context, q queryer, ref any, fn func(adapters.Member) error) error {
	u := m.users
	dispCol := u.cols[m.spec.Display]
	if m.spec.List != nil {
		return m.listMembers(ctx, q, listToken(ref), func(k, d any) error {
			return fn(adapters.Member{ID: u.idOf(k), Display: canonical(normalize(dispCol, d))})
		})
	}
	query, args := m.membersQuery(ref)
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("listing members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, d any
		if err := rows.Scan(&k, &d); err != nil {
			return fmt.Errorf("scanning member: %w", err)
		}
		if err := fn(adapters.Member{ID: u.idOf(k), Display: canonical(normalize(dispCol, d))}); err != nil {
			return err
		}
	}
	return rows.Err()
}
