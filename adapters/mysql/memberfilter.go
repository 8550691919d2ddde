package mysql

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// hasMember renders HasMember on a group table as a correlated EXISTS
// over the membership: the group has one of the users (in their scope)
// as a member.
func (s *store) hasMember(b *builder, x adapters.HasMember) error {
	m := s.members
	if m == nil {
		return fmt.Errorf("filtering by members of %s, which has none", s.spec.Table)
	}
	u := m.users
	keys := m.validKeys(x.IDs)
	if len(x.IDs) > 0 && len(keys) == 0 {
		b.sql.WriteString("1=0") // no id can name a user
		return nil
	}
	ref := m.outerRef(s.table, m.jgCol)
	uk := "u." + quote(string(u.spec.Key))
	if m.join != "" {
		b.sql.WriteString("EXISTS (SELECT 1 FROM " + m.join + " j JOIN " + u.table + " u ON u." + m.uref + " = " + coerce("j."+m.ju, m.juCol, m.urefCol) +
			" WHERE j." + m.jg + " = " + ref + m.jscope + scopeSQL("u", u))
		b.args = append(append(b.args, m.jargs...), u.sargs...)
	} else if m.spec.List != nil {
		cond, args, ok := m.holds("u", m.outerRef(s.table, m.refCol), nil)
		if !ok {
			return m.groupsHeldBy(b, m.outerRef(s.table, m.refCol), keys, len(x.IDs) > 0)
		}
		b.sql.WriteString("EXISTS (SELECT 1 FROM " + u.table + " u WHERE " + cond + scopeSQL("u", u))
		b.args = append(append(b.args, args...), u.sargs...)
	} else {
		ref = m.outerRef(s.table, m.ucolCol)
		b.sql.WriteString("EXISTS (SELECT 1 FROM " + u.table + " u WHERE u." + m.ucol + " = " + ref + scopeSQL("u", u))
		b.args = append(b.args, u.sargs...)
	}
	if len(keys) > 0 {
		b.sql.WriteString(" AND " + uk + " IN (" + marks(len(keys)) + ")")
		b.args = append(b.args, keys...)
	}
	b.sql.WriteString(")")
	return nil
}

// memberOf renders MemberOf on a user table: the user is in one of the
// groups (in their scope).
func (s *store) memberOf(b *builder, x adapters.MemberOf) error {
	m := s.groupsOf
	if m == nil {
		return fmt.Errorf("filtering by groups of %s, which has none", s.spec.Table)
	}
	if m.values != nil {
		return s.memberOfValues(b, m, x)
	}
	g := m.group
	var gkeys []any
	for _, id := range x.IDs {
		if k, ok := g.keyArg(id); ok {
			gkeys = append(gkeys, k)
		}
	}
	if len(x.IDs) > 0 && len(gkeys) == 0 {
		b.sql.WriteString("1=0") // no id can name a group
		return nil
	}
	// The references of the groups meant: "SELECT g.ref FROM groups g
	// WHERE <they are the groups asked for> <in scope>".
	groups := func(to adapters.ColumnInfo) {
		b.sql.WriteString("(SELECT " + coerce(m.gref, m.refCol, to) + " FROM " + m.gfrom + " WHERE 1=1" + scopeSQL("g", g))
		b.args = append(b.args, g.sargs...)
		if len(gkeys) > 0 {
			b.sql.WriteString(" AND g." + quote(string(g.spec.Key)) + " IN (" + marks(len(gkeys)) + ")")
			b.args = append(b.args, gkeys...)
		}
		b.sql.WriteString(")")
	}
	if m.join != "" {
		b.sql.WriteString("EXISTS (SELECT 1 FROM " + m.join + " j WHERE j." + m.ju + " = " + coerce(s.table+"."+m.uref, m.urefCol, m.juCol) + m.jscope)
		b.args = append(b.args, m.jargs...)
		b.sql.WriteString(" AND j." + m.jg + " IN ")
		groups(m.jgCol)
		b.sql.WriteString(")")
		return nil
	}
	if m.spec.List != nil {
		cond, args, ok := m.holds(s.table, m.gref, nil)
		if !ok {
			return s.usersHoldingGroups(b, m, gkeys)
		}
		b.sql.WriteString("EXISTS (SELECT 1 FROM " + m.gfrom + " WHERE " + cond + scopeSQL("g", g))
		b.args = append(append(b.args, args...), g.sargs...)
		if len(gkeys) > 0 {
			b.sql.WriteString(" AND g." + quote(string(g.spec.Key)) + " IN (" + marks(len(gkeys)) + ")")
			b.args = append(b.args, gkeys...)
		}
		b.sql.WriteString(")")
		return nil
	}
	b.sql.WriteString(s.table + "." + m.ucol + " IN ")
	groups(m.ucolCol)
	return nil
}

// memberOfValues is memberOf for groups declared by values: the user's
// membership holds one of the values of the groups asked for (of every
// declared group when none is named).
func (s *store) memberOfValues(b *builder, m *members, x adapters.MemberOf) error {
	var vals []any
	for i, g := range m.values {
		if len(x.IDs) == 0 || slices.Contains(x.IDs, g.ID) {
			vals = append(vals, m.values[i].Value)
		}
	}
	if len(vals) == 0 {
		b.sql.WriteString("1=0") // no id names a declared group
		return nil
	}
	switch {
	case m.join != "":
		b.sql.WriteString("EXISTS (SELECT 1 FROM " + m.join + " j WHERE j." + m.ju + " = " + coerce(s.table+"."+quote(string(s.spec.Key)), s.key, m.juCol) + m.jscope +
			" AND j." + m.jg + " IN (" + marks(len(vals)) + "))")
		b.args = append(append(b.args, m.jargs...), vals...)
	case m.spec.List != nil && m.opaque():
		toks := map[string]bool{}
		for _, v := range vals {
			toks[listToken(v)] = true
		}
		return s.usersHolding(b, m, toks)
	case m.spec.List != nil:
		b.sql.WriteString("(")
		for i, v := range vals {
			cond, args, ok := m.holds(s.table, "?", []any{listToken(v)})
			if !ok {
				return errListOpaque
			}
			if i > 0 {
				b.sql.WriteString(" OR ")
			}
			b.sql.WriteString(cond)
			b.args = append(b.args, args...)
		}
		b.sql.WriteString(")")
	default:
		b.sql.WriteString(s.table + "." + m.ucol + " IN (" + marks(len(vals)) + ")")
		b.args = append(b.args, vals...)
	}
	return nil
}

// A filter on a membership list that SQL cannot search (a PHP array, a
// JSON object) reads and decodes the lists of the users in scope, then
// compares the keys or references it found: exact, at the cost of a scan.

// opaque reports whether SQL cannot search the membership's list.
func (m *members) opaque() bool {
	kind, _ := m.spec.List.Search()
	return kind == adapters.ListOpaque
}

// eachList calls fn with the key and decoded tokens of every user in scope
// (of those with these keys, unless all), in key order, streaming.
func (m *members) eachList(b *builder, keys []any, all bool, fn func(key any, toks []string)) error {
	if b.q == nil {
		return errListOpaque
	}
	u := m.users
	uk := "u." + quote(string(u.spec.Key))
	sel, args := m.listSel("u")
	query := "SELECT " + uk + ", " + sel + " FROM " + u.table + " u WHERE 1=1" + scopeSQL("u", u)
	args = append(args, u.sargs...)
	if !all {
		if len(keys) == 0 {
			return nil
		}
		query += " AND " + uk + " IN (" + marks(len(keys)) + ")"
		args = append(args, keys...)
	}
	rows, err := b.q.QueryxContext(b.ctx, query+" ORDER BY "+uk, args...)
	if err != nil {
		return fmt.Errorf("reading members' lists: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, stored any
		if err := rows.Scan(&k, &stored); err != nil {
			return fmt.Errorf("scanning member's list: %w", err)
		}
		toks, _ := m.spec.List.Tokens(normalize(m.ucolCol, stored)) // unreadable: no groups
		fn(normalize(u.key, k), toks)
	}
	return rows.Err()
}

// usersHolding renders "the user is one of those whose list holds one of
// toks" as the keys found.
func (s *store) usersHolding(b *builder, m *members, toks map[string]bool) error {
	var found []any
	err := m.eachList(b, nil, true, func(k any, held []string) {
		for _, t := range held {
			if toks[t] {
				found = append(found, k)
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		b.sql.WriteString("1=0")
		return nil
	}
	b.sql.WriteString(s.table + "." + quote(string(s.spec.Key)) + " IN (" + marks(len(found)) + ")")
	b.args = append(b.args, found...)
	return nil
}

// usersHoldingGroups is usersHolding for the tokens of the groups in
// scope with these keys (of every group in scope when there are none).
func (s *store) usersHoldingGroups(b *builder, m *members, gkeys []any) error {
	if b.q == nil {
		return errListOpaque
	}
	g := m.group
	query := "SELECT " + m.gref + " FROM " + m.gfrom + " WHERE 1=1" + scopeSQL("g", g)
	args := slices.Clone(g.sargs)
	if len(gkeys) > 0 {
		query += " AND g." + quote(string(g.spec.Key)) + " IN (" + marks(len(gkeys)) + ")"
		args = append(args, gkeys...)
	}
	toks := map[string]bool{}
	err := func() error {
		rows, err := b.q.QueryxContext(b.ctx, query, args...)
		if err != nil {
			return fmt.Errorf("reading groups' references: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r any
			if err := rows.Scan(&r); err != nil {
				return err
			}
			toks[listToken(normalize(m.refCol, r))] = true
		}
		return rows.Err()
	}()
	if err != nil {
		return err
	}
	return s.usersHolding(b, m, toks)
}

// groupsHeldBy renders "the group's reference ref is held by the list of
// one of the users with these keys" (of any user in scope unless named),
// compared exactly, as list tokens are.
func (m *members) groupsHeldBy(b *builder, ref string, keys []any, named bool) error {
	toks := map[string]bool{}
	err := m.eachList(b, keys, !named, func(_ any, held []string) {
		for _, t := range held {
			toks[t] = true
		}
	})
	if err != nil {
		return err
	}
	if len(toks) == 0 {
		b.sql.WriteString("1=0")
		return nil
	}
	sorted := slices.Sorted(maps.Keys(toks))
	b.sql.WriteString("CAST(" + ref + " AS BINARY) IN (" + strings.TrimSuffix(strings.Repeat("CAST(? AS BINARY), ", len(sorted)), ", ") + ")")
	for _, t := range sorted {
		b.args = append(b.args, t)
	}
	return nil
}
