package mapping

import (
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// memberGroupRef resolves members.references: a column of the group's
// table, or, qualified by its table, of a joined table of the group
// (Guacamole's guacamole_user_group.user_group_id). It returns the
// column, named as the group's Record carries it, and adds it to the
// columns the group's reads load.
func (c *compiler) memberGroupRef(p string, g *Resource, ref string, ginfo adapters.TableInfo, gok bool) (adapters.ColumnInfo, bool) {
	t, bare, qualified := strings.Cut(ref, ".")
	if !qualified || t == string(g.Spec.Table) {
		if !qualified {
			bare = ref
		}
		if !gok {
			return adapters.ColumnInfo{}, false
		}
		ci, ok := ginfo.Column(adapters.Column(bare))
		if !ok {
			c.add(p, "column %q not in table %s%s; expected the group column the membership stores (default the key), or a joined table's column as table.column", bare, g.Spec.Table, DidYouMean(bare, columnNames(ginfo)))
			return adapters.ColumnInfo{}, false
		}
		if !slices.Contains(g.Spec.Columns, ci.Name) {
			g.Spec.Columns = append(g.Spec.Columns, ci.Name)
		}
		return ci, true
	}
	i := slices.IndexFunc(g.Spec.Joined, func(j adapters.JoinSpec) bool { return string(j.Table) == t })
	k := slices.IndexFunc(g.joined, func(j *joinedTable) bool { return string(j.spec.Table) == t })
	if i < 0 || k < 0 {
		if k >= 0 {
			return adapters.ColumnInfo{}, false // the joined table's own mistake is reported
		}
		var names []string
		for _, j := range g.joined {
			names = append(names, string(j.spec.Table))
		}
		if len(names) == 0 {
			c.add(p, "column %q names table %s, which is not joined to the group; expected a column of %s, or %s declared in the group's joined", ref, t, g.Spec.Table, t)
		} else {
			c.add(p, "column %q names table %s, which is not joined to the group%s", ref, t, DidYouMean(t, names))
		}
		return adapters.ColumnInfo{}, false
	}
	j := g.joined[k]
	if !j.described {
		return adapters.ColumnInfo{}, false
	}
	ci, ok := j.info.Column(adapters.Column(bare))
	if !ok {
		c.add(p, "%s", notInTable(bare, t, j.info))
		return adapters.ColumnInfo{}, false
	}
	if len(g.Spec.Joined[i].Scope) > 0 {
		c.add(p, "column %q is of joined table %s, which has a scope; expected a joined table without scope (one row per group), or a column of %s", ref, t, g.Spec.Table)
		return adapters.ColumnInfo{}, false
	}
	if !slices.Contains(g.Spec.Joined[i].Columns, ci.Name) {
		g.Spec.Joined[i].Columns = append(g.Spec.Joined[i].Columns, ci.Name)
	}
	ci.Name = adapters.JoinColumn(j.spec.Table, ci.Name)
	return ci, true
}

// memberUserRef resolves members.userReferences: a column of the users'
// own table that names one user (the key, or a column with a unique
// index of its own), which the join table's user column stores. It adds
// the column to the columns the users' reads load, for a deletion and a
// rename to find the user's rows by it.
func (c *compiler) memberUserRef(p string, u *Resource, ref string, uinfo adapters.TableInfo, uok bool) (adapters.ColumnInfo, bool) {
	if t, _, qualified := strings.Cut(ref, "."); qualified && t != string(u.Spec.Table) {
		c.add(p, "column %q names table %s; expected a column of the users table %s", ref, t, u.Spec.Table)
		return adapters.ColumnInfo{}, false
	} else if qualified {
		ref = strings.TrimPrefix(ref, t+".")
	}
	if !uok {
		return adapters.ColumnInfo{}, false
	}
	ci, ok := uinfo.Column(adapters.Column(ref))
	if !ok {
		c.add(p, "column %q not in table %s%s; expected the users column the membership's user column stores (default the key)", ref, u.Spec.Table, DidYouMean(ref, columnNames(uinfo)))
		return adapters.ColumnInfo{}, false
	}
	if ci.Name != u.Spec.Key && !uniqueAlone(uinfo, ci.Name) {
		c.add(p, "column %q of %s has no unique index of its own, so one membership row could name several users; expected the key or a column with a unique index (a login)", ref, u.Spec.Table)
		return adapters.ColumnInfo{}, false
	}
	if !slices.Contains(u.Spec.Columns, ci.Name) {
		u.Spec.Columns = append(u.Spec.Columns, ci.Name)
	}
	return ci, true
}

// uniqueAlone reports whether a unique index of the table is on col alone.
func uniqueAlone(info adapters.TableInfo, col adapters.Column) bool {
	for _, ix := range info.Indexes {
		if ix.Unique && len(ix.Columns) == 1 && ix.Columns[0] == col {
			return true
		}
	}
	return false
}

// bareName is ci with its Record key (a joined column's) turned back into
// its own column name, for messages.
func bareName(ci adapters.ColumnInfo) adapters.ColumnInfo {
	if _, col, ok := strings.Cut(strings.TrimPrefix(string(ci.Name), "@j:"), "."); ok && isJoinedColumn(ci) {
		ci.Name = adapters.Column(col)
	}
	return ci
}
