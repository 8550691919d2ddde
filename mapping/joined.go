package mapping

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// joinedTable is a compiled joined table of a resource (JoinedConfig).
type joinedTable struct {
	path string // resources.User.joined[0]
	spec *adapters.JoinSpec
	info adapters.TableInfo
	// described says info is the table's; a table the database lacks is
	// reported once, and its columns are not.
	described bool
	// defaulted holds the columns the joined defaults cover; given
	// those they name, covered or not, and those a misspelt key, scope
	// column or default was probably meant to be.
	defaulted map[adapters.Column]bool
	given     []adapters.Column
}

// isJoinedColumn reports whether a compiled column is a joined table's.
func isJoinedColumn(ci adapters.ColumnInfo) bool { return strings.HasPrefix(string(ci.Name), "@j:") }

// joinedTables compiles the resource's joined tables, before its
// attributes, which refer to their columns.
func (c *compiler) joinedTables(path string, r *Resource, cfgs []JoinedConfig, written map[adapters.Column]string) {
	for i, jc := range cfgs {
		p := path + ".joined[" + strconv.Itoa(i) + "]"
		j := &joinedTable{path: p, spec: &adapters.JoinSpec{Table: adapters.Table(jc.Table), Key: adapters.Column(jc.Key)}}
		switch {
		case jc.Table == "":
			c.add(p+".table", "missing; expected the table holding one row per %s beside %s", r.Name, r.Spec.Table)
			continue
		case jc.Table == string(r.Spec.Table):
			c.add(p+".table", "%s is the resource's own table; expected another table, holding one row per %s", jc.Table, r.Name)
			continue
		case slices.ContainsFunc(r.joined, func(o *joinedTable) bool { return o.spec.Table == j.spec.Table }):
			c.add(p+".table", "%s is joined twice; expected each table once", jc.Table)
			continue
		}
		r.joined = append(r.joined, j)
		info, err := c.db.Describe(c.ctx, j.spec.Table)
		switch {
		case errors.Is(err, adapters.ErrNotFound):
			c.tableNotFound(p+".table", jc.Table)
			continue
		case err != nil:
			c.unreadable(p+".table", err)
			continue
		}
		j.info, j.described = info, true
		own := func(sp, col string) (adapters.ColumnInfo, bool) {
			ci, ok := info.Column(adapters.Column(col))
			if !ok {
				c.add(sp, "%s", notInTable(col, jc.Table, info))
				if m, close := Closest(col, columnNames(info)); close {
					// Not also reported as written by nothing.
					j.given = append(j.given, adapters.Column(m))
				}
			}
			return ci, ok
		}
		if jc.Key == "" {
			c.add(p+".key", "missing; expected the column of %s holding the %s key (%s)", jc.Table, r.Spec.Table, r.Spec.Key)
		} else if ci, ok := own(p+".key", jc.Key); ok && r.key.Name != "" && isIntColumn(ci) != isIntColumn(r.key) {
			c.add(p+".key", "column %q is %s but the key %q of %s is %s; expected a column of the key's type", jc.Key, ci.ColumnType, r.key.Name, r.Spec.Table, r.key.ColumnType)
		}
		written[adapters.JoinColumn(j.spec.Table, j.spec.Key)] = p + ".key"
		for _, col := range slices.Sorted(maps.Keys(jc.Scope)) {
			sp := p + ".scope." + col
			ci, ok := own(sp, col)
			if !ok {
				continue
			}
			sv := scalar(jc.Scope[col])
			switch {
			case col == jc.Key:
				c.add(sp, "column %q is the key; expected another column", col)
				continue
			case sv == nil:
				c.add(sp, "expected a scalar value (string, number or boolean)")
				continue
			}
			if msg := valueFits(ci, sv); msg != "" {
				c.add(sp, "%s", msg)
				continue
			}
			if isIntColumn(ci) {
				sv, _ = intValue(sv)
			}
			if j.spec.Scope == nil {
				j.spec.Scope = map[adapters.Column]any{}
			}
			j.spec.Scope[ci.Name] = sv
			written[adapters.JoinColumn(j.spec.Table, ci.Name)] = sp
		}
		j.spec.Defaults, j.defaulted = c.tableDefaults(p+".defaults", jc.Defaults, own, defaultRules{copy: c.copyOwn(jc.Defaults, own)})
		for col := range jc.Defaults {
			// A default that is wrong is reported as that, and its
			// column not also as written by nothing.
			j.given = append(j.given, adapters.Column(col))
		}
	}
}

// attrColumn resolves the column of an attribute (or of its further
// columns): a column of the resource's table, or, qualified by its table
// (users_field_data.name), of a joined table, whose Record key it then
// takes (adapters.JoinColumn).
func (c *compiler) attrColumn(r *Resource, p, col string, column func(p, col string) (adapters.ColumnInfo, bool)) (adapters.ColumnInfo, bool) {
	t, bare, qualified := strings.Cut(col, ".")
	if !qualified {
		return column(p, col)
	}
	if t == string(r.Spec.Table) {
		return column(p, bare)
	}
	i := slices.IndexFunc(r.joined, func(j *joinedTable) bool { return string(j.spec.Table) == t })
	if i < 0 {
		var names []string
		for _, j := range r.joined {
			names = append(names, string(j.spec.Table))
		}
		if len(names) == 0 {
			c.add(p, "column %q names table %s, which is not joined; expected a column of %s, or %s declared in joined", col, t, r.Spec.Table, t)
		} else {
			hint := DidYouMean(t, names)
			if hint == "" {
				hint = "; expected a column of " + string(r.Spec.Table) + " or of a joined table (" + nameList(names) + ")"
			}
			c.add(p, "column %q names table %s, which is not joined%s", col, t, hint)
		}
		return adapters.ColumnInfo{}, false
	}
	j := r.joined[i]
	if !j.described {
		return adapters.ColumnInfo{}, false
	}
	ci, ok := j.info.Column(adapters.Column(bare))
	if !ok {
		c.add(p, "%s", notInTable(bare, t, j.info))
		return adapters.ColumnInfo{}, false
	}
	if !slices.Contains(j.spec.Columns, ci.Name) {
		j.spec.Columns = append(j.spec.Columns, ci.Name)
	}
	ci.Name = adapters.JoinColumn(j.spec.Table, ci.Name)
	return ci, true
}

// joinedIndex is leadingIndex for a joined column, in its own table with
// its scope fixed.
func (r *Resource) joinedIndex(ci adapters.ColumnInfo) string {
	for _, j := range r.joined {
		prefix := string(adapters.JoinColumn(j.spec.Table, ""))
		if bare, ok := strings.CutPrefix(string(ci.Name), prefix); ok {
			return leadingIndex(j.info, adapters.Column(bare), slices.Collect(maps.Keys(j.spec.Scope))...)
		}
	}
	return ""
}

// finishJoined checks what the attributes leave of the joined tables
// (their NOT NULL columns), marks the attributes their defaults cover as
// not required, and hands them to the spec.
func (c *compiler) finishJoined(r *Resource, written map[adapters.Column]string) {
	for _, j := range r.joined {
		for _, a := range r.attrs {
			if isJoinedColumn(a.col) && j.defaulted[adapters.Column(strings.TrimPrefix(string(a.col.Name), string(adapters.JoinColumn(j.spec.Table, ""))))] {
				a.required = false
			}
		}
		if j.described {
			for _, ci := range j.info.Columns {
				if ci.Nullable || ci.HasDefault || ci.AutoIncrement || j.defaulted[ci.Name] || slices.Contains(j.given, ci.Name) {
					continue
				}
				if _, ok := written[adapters.JoinColumn(j.spec.Table, ci.Name)]; ok {
					continue
				}
				c.add(j.path+".defaults", "column %q of %s is NOT NULL without a default and nothing writes it; expected an attribute mapped to it (column: %s.%s), defaults.%s, or scope setting it", ci.Name, j.spec.Table, j.spec.Table, ci.Name, ci.Name)
			}
		}
		r.Spec.Joined = append(r.Spec.Joined, *j.spec)
	}
}
