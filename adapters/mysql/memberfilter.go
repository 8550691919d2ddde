package mysql

import (
	"fmt"
	"slices"

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
			return errListOpaque
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
			return errListOpaque
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
