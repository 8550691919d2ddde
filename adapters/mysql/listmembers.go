package mysql

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// A membership held as a list in a column of the user's row
// (MembershipSpec.List): the user is in every group whose reference the
// list holds. Changes rewrite each user's list inside its row lock (SELECT
// ... FOR UPDATE, then UPDATE), so that a concurrent change of the same
// user's list, by another group or by the user's own roles, is never lost.
// Reads search the column in SQL where its encoding allows it exactly
// (JSON_CONTAINS, delimiters) and always check the decoded list, so a
// near miss of the search never counts.

// errListOpaque: a filter on a membership whose list SQL cannot search.
var errListOpaque = errors.New("this membership's list encoding cannot be searched by the database")

// listHolds returns an SQL condition that the list column col (qualified)
// holds the token that the SQL expression tok gives, and the arguments
// of its placeholders, which come before tokArgs' (tok's own). ok is false
// when SQL cannot search the encoding.
func (m *members) listHolds(col, tok string, tokArgs []any) (cond string, args []any, ok bool) {
	kind, d := m.spec.List.Search()
	// Tokens are exact: a case-insensitive column is compared in its
	// character set's binary collation.
	switch kind {
	case adapters.ListJSONArray:
		return "(CASE WHEN " + col + " IS NULL THEN 0 WHEN NOT JSON_VALID(" + col + ") THEN 0 WHEN JSON_TYPE(" + col + ") <> 'ARRAY' THEN 0" +
			" ELSE COALESCE(JSON_CONTAINS(" + col + ", JSON_QUOTE(CAST(" + tok + " AS CHAR))), 0) END) = 1", slices.Clone(tokArgs), true
	case adapters.ListDelimitedText:
		c := col
		if m.ucolCol.CaseInsensitive() {
			if cs := collationRE.FindStringSubmatch(m.ucolCol.Collation); cs != nil {
				c += " COLLATE " + cs[1] + "_bin"
			}
		}
		cond = "INSTR(CONCAT(?, " + c + ", ?), CONCAT(?, " + tok + ", ?)) > 0"
		args = append(append([]any{d, d, d}, tokArgs...), d)
		return cond, args, true
	}
	return "", nil, false
}

// listToken is the token of a group reference in the list.
func listToken(ref any) string { return canonical(ref) }

// listHas reports whether the stored list holds token; a list that cannot
// be read holds nothing.
func (m *members) listHas(stored any, token string) bool {
	toks, err := m.spec.List.Tokens(stored)
	return err == nil && slices.Contains(toks, token)
}

// listMembers calls fn with the key, display and stored list of every user
// in scope whose list holds token, in key order, without locking: a
// caller that changes them locks each (editUsers) and decodes it again.
// Where SQL cannot search the encoding, every user in scope is read,
// streamed, and decoded here.
func (m *members) listMembers(ctx context.Context, q queryer, token string, fn func(key, display any) error) error {
	u := m.users
	uk := "u." + quote(string(u.spec.Key))
	col, args := m.listSel("u")
	query := "SELECT " + uk + ", u." + quote(string(m.spec.Display)) + ", " + col + " FROM " + u.table + " u WHERE 1=1"
	if cond, cargs, ok := m.holds("u", "?", []any{token}); ok {
		query += " AND " + cond
		args = append(args, cargs...)
	}
	query += scopeSQL("u", u) + " ORDER BY " + uk
	args = append(args, u.sargs...)
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("listing members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, d, stored any
		if err := rows.Scan(&k, &d, &stored); err != nil {
			return fmt.Errorf("scanning member: %w", err)
		}
		if !m.listHas(normalize(m.ucolCol, stored), token) {
			continue
		}
		if err := fn(normalize(u.key, k), d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// editUsers rewrites the lists of the users with these keys, locking their
// rows in key order, with token added (in) or removed, and returns how
// many lists changed. With require, every key must name a user in scope
// (ErrUnknownMember otherwise, nothing written).
func (m *members) editUsers(ctx context.Context, t *txn, token string, keys []any, in, require bool) (int64, error) {
	u := m.users
	uk := quote(string(u.spec.Key))
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b any) int { return strings.Compare(canonical(a), canonical(b)) })
	var n int64
	for part := range slices.Chunk(keys, chunk) {
		type row struct{ key, stored any }
		var found []row
		err := func() error {
			sel := ", " + m.ucol
			if m.meta != nil {
				sel = ", NULL" // the entries are locked next
			}
			rows, err := t.QueryxContext(ctx, "SELECT "+uk+sel+" FROM "+u.table+" WHERE "+uk+" IN ("+marks(len(part))+")"+u.scope+" ORDER BY "+uk+" FOR UPDATE",
				append(slices.Clone(part), u.sargs...)...)
			if err != nil {
				return fmt.Errorf("locking members: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.key, &r.stored); err != nil {
					return fmt.Errorf("scanning member: %w", err)
				}
				found = append(found, row{normalize(u.key, r.key), normalize(m.ucolCol, r.stored)})
			}
			if err := rows.Err(); err != nil || m.meta == nil || len(found) == 0 {
				return err
			}
			keys := make([]any, len(found))
			for i, r := range found {
				keys[i] = r.key
			}
			lists, err := m.lockEntries(ctx, t, keys)
			if err != nil {
				return err
			}
			for i := range found {
				found[i].stored = lists[canonical(found[i].key)]
			}
			return nil
		}()
		if err != nil {
			return 0, err
		}
		if require && len(found) != len(part) {
			return 0, fmt.Errorf("%w: %d of %d ids name no user", adapters.ErrUnknownMember, len(part)-len(found), len(part))
		}
		for _, r := range found {
			if m.listHas(r.stored, token) == in {
				continue // a member already, or no member
			}
			next, err := m.spec.List.Edit(r.stored, token, in)
			if err != nil {
				return 0, err
			}
			if err := m.writeList(ctx, t, r.key, next); err != nil {
				return 0, err
			}
			n++
		}
	}
	return n, nil
}

// applyList is apply for a list membership: each operation rewrites the
// lists of the users it names (a replace, also of the members it drops).
// The group's row is locked by the caller, so no other change of this
// group's membership runs meanwhile.
func (m *members) applyList(ctx context.Context, t *txn, ref any, ops []adapters.MemberOp) (added, removed int64, err error) {
	token := listToken(ref)
	for _, op := range ops {
		keys, err := m.userKeys(op.IDs)
		if err != nil {
			if op.Kind != adapters.MemberRemove {
				return 0, 0, err
			}
			keys = m.validKeys(op.IDs) // removing an id that cannot exist removes nothing
		}
		var a, r int64
		switch op.Kind {
		case adapters.MemberAdd:
			a, err = m.editUsers(ctx, t, token, keys, true, true)
		case adapters.MemberRemove:
			r, err = m.editUsers(ctx, t, token, keys, false, false)
		case adapters.MemberReplace:
			// The members given first, each locked once (a shared lock
			// taken before would have to be upgraded, which deadlocks
			// two replaces of one user), then the others leave.
			if a, err = m.editUsers(ctx, t, token, keys, true, true); err != nil {
				break
			}
			keep := map[string]bool{}
			for _, k := range keys {
				keep[canonical(k)] = true
			}
			var drop []any
			err = m.listMembers(ctx, t, token, func(k, _ any) error {
				if !keep[canonical(k)] {
					drop = append(drop, k)
				}
				return nil
			})
			if err != nil {
				break
			}
			r, err = m.editUsers(ctx, t, token, drop, false, false)
		}
		if err != nil {
			return 0, 0, err
		}
		added, removed = added+a, removed+r
	}
	return added, removed, nil
}

// dropList removes the group's token from every user's list, as the group
// goes away, or moves it to the token to (a renamed reference) when to
// is not "".
func (m *members) dropList(ctx context.Context, t *txn, from, to string) (int64, error) {
	var keys []any
	if err := m.listMembers(ctx, t, from, func(k, _ any) error { keys = append(keys, k); return nil }); err != nil {
		return 0, err
	}
	n, err := m.editUsers(ctx, t, from, keys, false, false)
	if err != nil || to == "" {
		return n, err
	}
	_, err = m.editUsers(ctx, t, to, keys, true, false)
	return n, err
}

// listGroupsOf returns the groups of the users with these keys: their lists
// are read and decoded, then the groups whose references they hold are
// read, in group key order.
func (m *members) listGroupsOf(ctx context.Context, q queryer, keys []any, fn func(uid any, g adapters.Member)) error {
	u, g := m.users, m.group
	uk := quote(string(u.spec.Key))
	sel, sargs := m.listSel("")
	rows, err := q.QueryxContext(ctx, "SELECT "+uk+", "+sel+" FROM "+u.table+" WHERE "+uk+" IN ("+marks(len(keys))+")"+u.scope, append(append(sargs, keys...), u.sargs...)...)
	if err != nil {
		return fmt.Errorf("reading users' groups: %w", err)
	}
	type held struct {
		key    any
		tokens map[string]bool
	}
	var users []held
	all := map[string]bool{}
	for rows.Next() {
		var k, stored any
		if err := rows.Scan(&k, &stored); err != nil {
			rows.Close()
			return fmt.Errorf("scanning user's groups: %w", err)
		}
		toks, _ := m.spec.List.Tokens(normalize(m.ucolCol, stored)) // unreadable: no groups
		h := held{key: k, tokens: map[string]bool{}}
		for _, t := range toks {
			h.tokens[t], all[t] = true, true
		}
		users = append(users, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(all) == 0 {
		return nil
	}
	toks := slices.Sorted(func(yield func(string) bool) {
		for t := range all {
			if !yield(t) {
				return
			}
		}
	})
	dispCol := g.cols[g.spec.Display]
	for part := range slices.Chunk(toks, chunk) {
		args := make([]any, 0, len(part)+len(g.sargs))
		for _, t := range part {
			args = append(args, t)
		}
		grows, err := q.QueryxContext(ctx, "SELECT g."+quote(string(g.spec.Key))+", g."+quote(string(g.spec.Display))+", "+m.gref+
			" FROM "+m.gfrom+" WHERE "+m.gref+" IN ("+marks(len(part))+")"+scopeSQL("g", g)+" ORDER BY g."+quote(string(g.spec.Key)), append(args, g.sargs...)...)
		if err != nil {
			return fmt.Errorf("reading users' groups: %w", err)
		}
		for grows.Next() {
			var gid, d, ref any
			if err := grows.Scan(&gid, &d, &ref); err != nil {
				grows.Close()
				return fmt.Errorf("scanning group: %w", err)
			}
			t := listToken(normalize(m.refCol, ref))
			gm := adapters.Member{ID: g.idOf(gid), Display: canonical(normalize(dispCol, d))}
			for _, h := range users {
				if h.tokens[t] {
					fn(h.key, gm)
				}
			}
		}
		grows.Close()
		if err := grows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// withoutGroups returns the list of the user with that key, locked by the
// caller, without the tokens of groups in scope, as a soft-deleted user
// leaves its groups; changed is false when it holds none (or cannot be
// read: it is left as it is).
func (m *members) withoutGroups(ctx context.Context, t *txn, key any) (next any, changed bool, err error) {
	u, g := m.users, m.group
	var stored any
	if m.meta != nil {
		lists, err := m.lockEntries(ctx, t, []any{key})
		if err != nil {
			return nil, false, err
		}
		stored = lists[canonical(key)]
	} else if err := t.QueryRowxContext(ctx, "SELECT "+m.ucol+" FROM "+u.table+" WHERE "+quote(string(u.spec.Key))+" = ?", key).Scan(&stored); err != nil {
		return nil, false, fmt.Errorf("reading the user's groups: %w", err)
	}
	next = normalize(m.ucolCol, stored)
	toks, err := m.spec.List.Tokens(next)
	if err != nil || len(toks) == 0 {
		return nil, false, nil
	}
	if m.values != nil {
		// The declared groups' tokens, no others.
		for _, tk := range toks {
			if _, ok := m.declared(tk, adapters.ColumnInfo{}); ok {
				if next, err = m.spec.List.Edit(next, tk, false); err != nil {
					return nil, false, err
				}
				changed = true
			}
		}
		return next, changed, nil
	}
	args := make([]any, 0, len(toks)+len(g.sargs))
	for _, tk := range toks {
		args = append(args, tk)
	}
	rows, err := t.QueryxContext(ctx, "SELECT "+m.gref+" FROM "+m.gfrom+" WHERE "+m.gref+" IN ("+marks(len(toks))+")"+scopeSQL("g", g), append(args, g.sargs...)...)
	if err != nil {
		return nil, false, fmt.Errorf("reading the user's groups: %w", err)
	}
	var refs []string
	for rows.Next() {
		var ref any
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("scanning group: %w", err)
		}
		if tk := listToken(normalize(m.refCol, ref)); slices.Contains(toks, tk) {
			refs = append(refs, tk)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	for _, tk := range refs {
		if next, err = m.spec.List.Edit(next, tk, false); err != nil {
			return nil, false, err
		}
		changed = true
	}
	return next, changed, nil
}

// A list held in a key/value entry (MembershipSpec.MetaKey) rather than a
// users column: reads take it with a correlated subquery, writes lock the
// user's row, then its entries, and replace the entry as the key/value
// attributes do (users.writeRelated).

// metaFrom renders the user's entries of the key, from the key/value
// table aliased x, for the user row whose key is alias.key, and the
// arguments of its placeholders.
func (m *members) metaFrom(alias string) (string, []any) {
	r := m.meta
	terms, args := r.kvKeyTerms([]string{m.spec.MetaKey})
	return " FROM " + r.table + " x WHERE x." + r.parent + " = " + alias + "." + quote(string(m.users.spec.Key)) + terms + r.scope, append(args, r.sargs...)
}

// listSel renders the list of the user row aliased alias (a table name or
// alias; "" for the users table unqualified) as an SQL expression, and the
// arguments of its placeholders.
func (m *members) listSel(alias string) (string, []any) {
	if m.meta == nil {
		if alias == "" {
			return m.ucol, nil
		}
		return alias + "." + m.ucol, nil
	}
	if alias == "" {
		alias = m.users.table
	}
	from, args := m.metaFrom(alias)
	return "(SELECT MAX(x." + quote(string(m.meta.kv.Value)) + ")" + from + ")", args
}

// holds is listHolds on the list of the user row aliased alias.
func (m *members) holds(alias, tok string, tokArgs []any) (cond string, args []any, ok bool) {
	if m.meta == nil {
		return m.listHolds(alias+"."+m.ucol, tok, tokArgs)
	}
	cond, cargs, ok := m.listHolds("x."+quote(string(m.meta.kv.Value)), tok, tokArgs)
	if !ok {
		return "", nil, false
	}
	from, args := m.metaFrom(alias)
	return "EXISTS (SELECT 1" + from + " AND " + cond + ")", append(args, cargs...), true
}

// lockEntries returns the stored lists of the users with these keys,
// whose rows the caller has locked, by canonical key, locking their
// entries too (a locking read sees the latest committed entry).
func (m *members) lockEntries(ctx context.Context, t *txn, keys []any) (map[string]any, error) {
	r := m.meta
	out := map[string]any{}
	terms, targs := r.kvKeyTerms([]string{m.spec.MetaKey})
	vc := quote(string(r.kv.Value))
	rows, err := t.QueryxContext(ctx, "SELECT "+r.parent+", "+vc+" FROM "+r.table+" WHERE "+r.parent+" IN ("+marks(len(keys))+")"+terms+r.scope+" ORDER BY "+r.parent+", "+vc+" FOR UPDATE",
		append(append(slices.Clone(keys), targs...), r.sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("locking members' lists: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v any
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("scanning member's list: %w", err)
		}
		out[canonical(normalize(m.users.key, k))] = normalize(m.ucolCol, v) // the greatest, as listSel reads
	}
	return out, rows.Err()
}

// writeList stores next as the list of the user with that key, locked
// by the caller: the column, or the entry (nil removes it).
func (m *members) writeList(ctx context.Context, t *txn, key, next any) error {
	if m.meta != nil {
		return m.users.writeRelated(ctx, t, key, adapters.Record{adapters.KVColumn(m.spec.MetaKey): next}, false)
	}
	u := m.users
	if _, err := t.ExecContext(ctx, "UPDATE "+u.table+" SET "+m.ucol+" = ? WHERE "+quote(string(u.spec.Key))+" = ?"+u.scope, append([]any{next, key}, u.sargs...)...); err != nil {
		return fmt.Errorf("writing a member's list: %w", err)
	}
	return nil
}
