package mapping

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// relations compiles a resource's relations into Spec.Relations: each
// names a described table and columns, its where holds values the columns
// can hold, and the two columns of the link can be compared.
func (c *compiler) relations(path string, r *Resource, rc ResourceConfig, column func(p, col string) (adapters.ColumnInfo, bool)) {
	for i, rel := range rc.Relations {
		rp := fmt.Sprintf("%s.relations[%d]", path, i)
		var t *RelationTarget
		exists := false
		switch {
		case rel.Exists != nil && rel.NotExists != nil:
			c.add(rp, "both exists and notExists given; expected one of them")
			continue
		case rel.Exists != nil:
			t, exists = rel.Exists, true
			rp += ".exists"
		case rel.NotExists != nil:
			t = rel.NotExists
			rp += ".notExists"
		default:
			c.add(rp, "empty; expected {exists: {table, column}} or {notExists: {table, column}}")
			continue
		}
		spec, ok := c.relation(rp, rc, t, column)
		if !ok {
			continue
		}
		spec.Exists = exists
		// An exists relation that only constants describe can be made
		// true by writing its row; one with conditions cannot, and its
		// inserts are checked instead.
		spec.Write = exists && len(spec.Conditions) == 0
		if spec.Write {
			if info, err := c.db.Describe(c.ctx, spec.Table); err == nil {
				for _, ci := range info.Columns {
					if _, scoped := spec.Scope[ci.Name]; ci.Nullable || ci.HasDefault || ci.AutoIncrement || ci.Name == spec.Column || scoped {
						continue
					}
					c.warn = append(c.warn, fmt.Sprintf("%s: column %q of %s is NOT NULL without a default, so scimbridge cannot write the related row and creating a %s answers 400 unless the application's own code adds it; give it in where to have it written", rp, ci.Name, t.Table, r.Name))
					spec.Write = false
					break
				}
			}
		}
		r.Spec.Relations = append(r.Spec.Relations, spec)
	}
	if len(r.Spec.Relations) > 0 {
		// A new row must land in scope: the store checks it after
		// writing the relations it can write.
		r.Spec.VerifyInsert = true
	}
}

// relation compiles one relation target at path rp.
func (c *compiler) relation(rp string, rc ResourceConfig, t *RelationTarget, column func(p, col string) (adapters.ColumnInfo, bool)) (adapters.Relation, bool) {
	spec := adapters.Relation{Table: adapters.Table(t.Table), Column: adapters.Column(t.Column)}
	if t.Table == "" {
		c.add(rp+".table", "missing; expected the table whose rows refer to the %s rows", rc.Table)
		return spec, false
	}
	info, err := c.db.Describe(c.ctx, spec.Table)
	switch {
	case errors.Is(err, adapters.ErrNotFound):
		c.tableNotFound(rp+".table", t.Table)
		return spec, false
	case err != nil:
		c.unreadable(rp+".table", err)
		return spec, false
	}
	ref := t.References
	if ref == "" {
		ref = rc.ID.Column
		if ref == "" {
			ref = "id"
		}
	}
	spec.References = adapters.Column(ref)
	refCol, refOK := column(rp+".references", ref)
	ok := refOK
	var linkCol adapters.ColumnInfo
	if t.Column == "" {
		c.add(rp+".column", "missing; expected the column of %s that holds the %s row's %s", t.Table, rc.Table, ref)
		ok = false
	} else if ci, found := info.Column(spec.Column); !found {
		c.add(rp+".column", "%s", notInTable(t.Column, t.Table, info))
		ok = false
	} else {
		linkCol = ci
	}
	if ok && isIntColumn(linkCol) != isIntColumn(refCol) {
		text := linkCol
		if isIntColumn(linkCol) {
			text = refCol
		}
		if text.IsFreeText() {
			// An application that keeps settings as text (GLPI's
			// glpi_configs.value holds the system account's id): the
			// integer is compared as decimal text.
			idx := fmt.Sprintf("%s.%s", rc.Table, ref)
			if isIntColumn(linkCol) {
				idx = fmt.Sprintf("%s.%s", t.Table, t.Column)
			}
			c.warn = append(c.warn, fmt.Sprintf("%s: column %q of %s is %s but %s.%s is %s: the integer is compared as decimal text (\"6\" matches 6; \"06\", \" 6\" and \"6x\" do not), and no index on %s can serve the comparison", rp+".column", t.Column, t.Table, linkCol.DataType, rc.Table, ref, refCol.DataType, idx))
		} else {
			c.add(rp+".column", "column %q of %s is %s but %s.%s is %s; expected the same kind of column, or an integer and a character column, so that the two compare", t.Column, t.Table, linkCol.DataType, rc.Table, ref, refCol.DataType)
			ok = false
		}
	}
	spec.Scope = map[adapters.Column]any{}
	for _, col := range slices.Sorted(maps.Keys(t.Where)) {
		v := t.Where[col]
		wp := rp + ".where." + col
		ci, found := info.Column(adapters.Column(col))
		if !found {
			c.add(wp, "%s", notInTable(col, t.Table, info))
			ok = false
			continue
		}
		if v.Constant {
			sv := scalar(v.Const)
			if sv == nil {
				c.add(wp, "expected a scalar value (string, number or boolean), or conditions such as {in: [0, 1]}")
				ok = false
				continue
			}
			if msg := valueFits(ci, sv); msg != "" {
				c.add(wp, "%s", msg)
				ok = false
				continue
			}
			if isIntColumn(ci) {
				sv, _ = intValue(sv)
			}
			spec.Scope[ci.Name] = sv
			continue
		}
		conds := c.conditions(wp, ci, v)
		if len(conds) == 0 {
			ok = false
		}
		for _, sc := range conds {
			spec.Conditions = append(spec.Conditions, sc.Condition)
		}
	}
	return spec, ok
}

// relationText describes a resource's relations for explain and check.
func relationText(rels []adapters.Relation) string {
	parts := make([]string, len(rels))
	for i, rel := range rels {
		var b strings.Builder
		if !rel.Exists {
			b.WriteString("no ")
		}
		fmt.Fprintf(&b, "row of %s with %s = %s", rel.Table, rel.Column, rel.References)
		if w := conditionText(rel.Scope, rel.Conditions, false); w != "" {
			b.WriteString(" and " + w)
		}
		if rel.Write {
			b.WriteString(" (written on create, removed on hard delete)")
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, "; ")
}

// membershipRemoved compiles members.removed: the join-table column a
// removal marks, the mark, and the value that restores a membership.
func (c *compiler) membershipRemoved(path string, spec *adapters.MembershipSpec, jinfo adapters.TableInfo, rc RemovedConfig) {
	reserved := func(ci adapters.ColumnInfo) string {
		switch ci.Name {
		case spec.JoinGroup, spec.JoinUser:
			return fmt.Sprintf("column %q is the group or user column; expected the column that marks a removal", ci.Name)
		}
		if _, scoped := spec.JoinScope[ci.Name]; scoped || slices.ContainsFunc(spec.JoinConditions, func(x adapters.Condition) bool { return x.Column == ci.Name }) {
			return fmt.Sprintf("column %q is in the membership scope; the mark adds its own condition (not removed), expected it out of the scope", ci.Name)
		}
		return ""
	}
	if sd, restore, ms, ok := c.removedMark(path, "membership", string(spec.JoinTable), jinfo, rc, reserved, true); ok {
		spec.Removed, spec.Restore, spec.RemovedMillis = sd, restore, ms
	}
}

// removedMark compiles a removal mark ({column, value, restore} or
// {column, generate: now}, see markOf) of rows of table, each a noun
// (membership, link); reserved says why a column cannot hold it.
// needRestore says that a NOT NULL column needs a restore value; ms
// reports a time in Unix milliseconds.
func (c *compiler) removedMark(path, noun, table string, info adapters.TableInfo, rc RemovedConfig, reserved func(adapters.ColumnInfo) string, needRestore bool) (sd *adapters.SoftDelete, restore any, ms, ok bool) {
	if rc.Column == "" {
		c.add(path+".column", "missing; expected the column of %s that marks a removed %s", table, noun)
		return nil, nil, false, false
	}
	ci, found := info.Column(adapters.Column(rc.Column))
	if !found {
		c.add(path+".column", "%s", notInTable(rc.Column, table, info))
		return nil, nil, false, false
	}
	if msg := reserved(ci); msg != "" {
		c.add(path+".column", "%s", msg)
		return nil, nil, false, false
	}
	mark, ms, ok := c.markOf(path, ci, rc.Generate, rc.Value, rc.TimeUnit, "a current "+noun)
	if !ok {
		return nil, nil, false, false
	}
	sd = &mark
	switch {
	case sd.Now && isIntColumn(ci) && !ci.Nullable:
		restore = int64(0)
	case sd.Now:
	case rc.Restore != nil:
	case isIntColumn(ci) && !ci.Nullable:
		restore = int64(0)
	case !ci.Nullable && needRestore:
		c.add(path+".restore", "missing; column %q is NOT NULL, so a current %s holds some value there: expected it", ci.Name, noun)
		return nil, nil, false, false
	}
	if rc.Restore != nil {
		restore = scalar(rc.Restore)
		if restore == nil {
			c.add(path+".restore", "expected a scalar value (string, number or boolean)")
			return nil, nil, false, false
		}
		if msg := valueFits(ci, restore); msg != "" {
			c.add(path+".restore", "%s", msg)
			return nil, nil, false, false
		}
		if isIntColumn(ci) {
			restore, _ = intValue(restore)
		}
		if !sd.Now && sameValue(restore, sd.Value) {
			c.add(path+".restore", "%v is also the removed mark; expected the value a current %s holds", restore, noun)
			return nil, nil, false, false
		}
		if sd.Now && restore != nil && !(isIntColumn(ci) && sameValue(restore, int64(0))) {
			c.add(path+".restore", "a time mark is cleared to NULL (or 0 in an integer column); expected restore left out")
			return nil, nil, false, false
		}
	}
	if restore == nil && !ci.Nullable && needRestore {
		c.add(path+".column", "column %q is NOT NULL, but restoring a %s writes NULL; expected restore", ci.Name, noun)
		return nil, nil, false, false
	}
	return sd, restore, ms, true
}
