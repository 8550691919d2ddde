package mapping

import (
	"fmt"
	"maps"
	"slices"

	"github.com/scimbridge/scimbridge/adapters"
)

// childLink is a compiled child.link: the link table between a resource
// and its child rows.
type childLink struct {
	spec    *adapters.LinkSpec
	info    adapters.TableInfo   // the link table's
	parent  adapters.ColumnInfo  // the link's parent column
	primary *adapters.ColumnInfo // the link's primary flag, or nil
}

// childLink compiles child.link of a child table described by info, or
// reports its problems and returns nil.
func (c *compiler) childLink(path string, r *Resource, cc ChildConfig, info adapters.TableInfo) *childLink {
	lc := *cc.Link
	lp := path + ".link"
	bad := false
	if cc.Parent != "" {
		c.add(path+".parent", "given with link; the link table refers to the resource: expected link.parent instead")
		bad = true
	}
	if cc.Primary != "" {
		c.add(path+".primary", "given with link; the link rows carry the primary flag: expected link.primary instead")
		bad = true
	}
	if cc.PrimaryColumn != "" {
		c.add(path+".primaryColumn", "not supported with link; expected it left out")
		bad = true
	}
	// The child table's key, which the link refers to.
	key := cc.Key
	if key == "" {
		key = string(info.PrimaryKey())
		if key == "" {
			c.add(path+".key", "missing, and %s has no single-column primary key; expected the column of %s the link refers to", cc.Table, cc.Table)
			bad = true
		}
	}
	var kc adapters.ColumnInfo
	if key != "" {
		ci, ok := info.Column(adapters.Column(key))
		if !ok {
			c.add(path+".key", "%s", notInTable(key, cc.Table, info))
			bad = true
		}
		kc = ci
	}
	if lc.Table == "" {
		c.add(lp+".table", "missing; expected the table with one row per link")
		return nil
	}
	linfo, err := c.db.Describe(c.ctx, adapters.Table(lc.Table))
	if err != nil {
		c.tableNotFound(lp+".table", lc.Table)
		return nil
	}
	col := c.columnOf(lp, lc.Table, linfo)
	parent := col("parent", lc.Parent, true)
	child := col("child", lc.Child, true)
	primary := col("primary", lc.Primary, false)
	if parent == nil || child == nil || bad {
		return nil
	}
	if parent.Name == child.Name {
		c.add(lp+".child", "column %q is also the parent column; expected the column referring to the %s row", child.Name, cc.Table)
		return nil
	}
	if msg := joinable(*parent, r.key); msg != "" && r.key.Name != "" {
		c.add(lp+".parent", "%s", msg)
		bad = true
	}
	if msg := joinable(*child, kc); msg != "" {
		c.add(lp+".child", "%s", msg)
		bad = true
	}
	spec := &adapters.LinkSpec{Table: adapters.Table(lc.Table), Parent: parent.Name, Child: child.Name, Key: kc.Name, Scope: map[adapters.Column]any{}}
	written := []adapters.Column{parent.Name, child.Name}
	if primary != nil {
		switch {
		case !isIntColumn(*primary) && primary.Kind != adapters.KindBit:
			c.add(lp+".primary", "column %q is %s; expected a numeric flag", primary.Name, primary.ColumnType)
			bad = true
		case slices.Contains(written, primary.Name):
			c.add(lp+".primary", "column %q is the parent or child column; expected the column flagging the primary value", primary.Name)
			bad = true
		default:
			spec.Columns = append(spec.Columns, primary.Name)
			written = append(written, primary.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(lc.Scope)) {
		sp := lp + ".scope." + name
		ci := col("scope."+name, name, true)
		v := scalar(lc.Scope[name])
		switch {
		case ci == nil:
			bad = true
		case slices.Contains(written, ci.Name):
			c.add(sp, "column %q is already written by the link; expected a further column", ci.Name)
			bad = true
		case v == nil:
			c.add(sp, "expected a constant (string, number or boolean) that the resource's links hold")
			bad = true
		default:
			if msg := valueFits(*ci, v); msg != "" {
				c.add(sp, "%s", msg)
				bad = true
				continue
			}
			if isIntColumn(*ci) {
				v, _ = intValue(v)
			}
			spec.Scope[ci.Name] = v
			written = append(written, ci.Name)
		}
	}
	if lc.Removed != nil {
		reserved := func(ci adapters.ColumnInfo) string {
			if slices.Contains(written, ci.Name) {
				return fmt.Sprintf("column %q is already written by the link; expected the column that marks a removed link", ci.Name)
			}
			return ""
		}
		sd, restore, ms, ok := c.removedMark(lp+".removed", "link", lc.Table, linfo, *lc.Removed, reserved, false)
		switch {
		case !ok:
			bad = true
		case ms:
			c.add(lp+".removed.timeUnit", "a link's removal time is written in seconds; expected timeUnit left out")
			bad = true
		default:
			spec.Removed, spec.Restore = sd, restore
			if restore != nil {
				written = append(written, sd.Column)
			}
		}
	}
	linkColumn := func(p, name string) (adapters.ColumnInfo, bool) {
		ci, ok := linfo.Column(adapters.Column(name))
		if !ok {
			c.add(p, "%s", notInTable(name, lc.Table, linfo))
		}
		return ci, ok
	}
	var covered map[adapters.Column]bool
	spec.Defaults, covered = c.tableDefaults(lp+".defaults", lc.Defaults, linkColumn, defaultRules{})
	for _, d := range spec.Defaults {
		if slices.Contains(written, d.Column) {
			c.add(lp+".defaults."+string(d.Column), "column %q is written by the link; expected a default only for a column nothing else writes", d.Column)
			bad = true
		}
	}
	for _, ci := range linfo.Columns {
		if !ci.Nullable && !ci.HasDefault && !ci.AutoIncrement && !slices.Contains(written, ci.Name) && !covered[ci.Name] {
			c.add(lp+".defaults", "column %q of %s is NOT NULL without a default and nothing writes it; expected defaults.%s (a constant, {generate: now} or {generate: uuid}), or a mapping of it", ci.Name, lc.Table, ci.Name)
			bad = true
		}
	}
	if bad {
		return nil
	}
	return &childLink{spec: spec, info: linfo, parent: *parent, primary: primary}
}
