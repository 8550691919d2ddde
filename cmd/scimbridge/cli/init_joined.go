package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// joinedRef finds the column of table t that holds the key of the users
// table one to one: t's primary key, or a column with a unique index of
// its own, referring to the users' key by a declared foreign key or by
// its name (user_id, entity_id). It returns "" when there is none.
func joinedRef(s *initSchema, t, users adapters.TableInfo) (col adapters.Column, how string) {
	for _, c := range t.Columns {
		if c.AutoIncrement || !(c.Name == t.PrimaryKey() || uniqueAlone(t, c.Name, false)) {
			continue
		}
		if h, _, ok := refersTo(s, t, c, users, userRefNames(users)); ok {
			return c.Name, h
		}
	}
	return "", ""
}

// pickJoined proposes joined tables: tables holding one row per user
// beside the users' own (osTicket's ost_user_account beside ost_user,
// Guacamole's guacamole_user beside guacamole_entity), each mapping the
// attributes still unmapped that its columns are named like, by
// table-qualified name. A table none of whose columns maps an attribute
// is left out (Guacamole's guacamole_user_group is a group's row).
func (p *planner) pickJoined(exclude map[string]bool) {
	var joined []entry
	for _, n := range p.s.names {
		t := p.s.tables[n]
		if n == string(p.t.Name) || exclude[n] {
			continue
		}
		key, how := joinedRef(p.s, t, p.t)
		if key == "" {
			continue
		}
		base := tableBase(n)
		var attrs []entry
		written := []adapters.Column{key}
		mapCol := func(attr string, c adapters.ColumnInfo, why string) {
			q := adapters.Column(n + "." + string(c.Name))
			p.used[q] = attr
			p.mapped[attr] = true
			written = append(written, c.Name)
			attrs = append(attrs, entry{key: attr, value: yamlKey(string(q)), guess: fmt.Sprintf("%s.%s looks like %s (%s).", n, c.Name, why, c.ColumnType)})
		}
		if !p.mapped["userName"] {
			for _, c := range t.Columns {
				if c.Name != key && isInitString(c) && nameIs(loginNames, c.Name, base) {
					mapCol("userName", c, "the login")
					p.userName = adapters.Column(n + "." + string(c.Name))
					// The placeholder pickUserName left goes.
					p.attrs = slices.DeleteFunc(p.attrs, func(e entry) bool { return e.key == "userName" && e.value == "CHANGE_ME" })
					break
				}
			}
		}
		if !p.mapped["emails"] {
			for _, c := range t.Columns {
				if c.Name != key && isInitString(c) && nameIs(emailNames, c.Name, base) && !slices.Contains(written, c.Name) {
					mapCol("emails", c, "the e-mail address")
					break
				}
			}
		}
		for _, r := range userRules {
			if p.mapped[r.attr] {
				continue
			}
			for _, c := range t.Columns {
				if c.Name == key || c.Name == t.PrimaryKey() || slices.Contains(written, c.Name) || !fits(c, r.holds) || !nameIs(r.re, c.Name, base) {
					continue
				}
				if r.holds == holdsTime && isInitInt(c) {
					continue // its unit is for the operator to say
				}
				mapCol(r.attr, c, r.why)
				break
			}
		}
		if len(attrs) == 0 {
			continue
		}
		exclude[n] = true
		p.attrs = append(p.attrs, attrs...)
		block := []entry{{key: "table", value: yamlKey(n)}, {key: "key", value: yamlKey(string(key))}}
		if d := tableDefaults(t, written); len(d) > 0 {
			block = append(block, entry{key: "defaults", comment: notNullNote, block: d})
		}
		var cols []string
		for _, a := range attrs {
			cols = append(cols, strings.TrimPrefix(a.value, n+"."))
		}
		joined = append(joined, entry{key: "-", block: block,
			guess: fmt.Sprintf("%s looks like one more row per %s (%s holds its key, one row each%s): its columns %s are mapped as %s.column; a create inserts its row after the %s row, a hard delete removes it first.", n, p.base, key, how, strings.Join(cols, ", "), n, p.t.Name)})
	}
	if len(joined) > 0 {
		p.extra = append([]entry{{key: "joined", block: joined}}, p.extra...)
	}
}
