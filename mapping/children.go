package mapping

import (
	"fmt"
	"maps"
	"slices"

	"github.com/scimbridge/scimbridge/adapters"
)

// columnOf returns a look-up of the columns of table (described as info)
// for the keys under path: the column a key names, or nil after reporting
// a missing one (when need says the key is required) or one not in the
// table.
func (c *compiler) columnOf(path, table string, info adapters.TableInfo) func(key, name string, need bool) *adapters.ColumnInfo {
	return func(key, name string, need bool) *adapters.ColumnInfo {
		if name == "" {
			if need {
				c.add(path+"."+key, "missing; expected a column of %s", table)
			}
			return nil
		}
		ci, ok := info.Column(adapters.Column(name))
		if !ok {
			c.add(path+"."+key, "%s", notInTable(name, table, info))
			return nil
		}
		return &ci
	}
}

// child compiles a multi-valued attribute held in a child table.
func (c *compiler) child(path string, r *Resource, a *attr, cc ChildConfig) bool {
	if !a.def.MultiValued {
		c.add(path, "%s is single-valued; a child table holds multi-valued attributes such as emails", a.path)
		return false
	}
	if cc.Table == "" {
		c.add(path+".table", "missing; expected the table with one row per value")
		return false
	}
	info, err := c.db.Describe(c.ctx, adapters.Table(cc.Table))
	if err != nil {
		c.tableNotFound(path+".table", cc.Table)
		return false
	}
	col := c.columnOf(path, cc.Table, info)
	cols := &childCols{name: adapters.Column("@" + a.path)}
	var parent *adapters.ColumnInfo
	var link *childLink
	if cc.Link != nil && cc.PrimaryRef != nil {
		c.add(path+".primaryRef", "not supported with link; expected link.primary to flag the primary")
		return false
	}
	if cc.Link != nil {
		link = c.childLink(path, r, cc, info)
		if link == nil {
			return false
		}
		parent, cols.primary = &link.parent, link.primary
	} else {
		parent = col("parent", cc.Parent, true)
		cols.primary = col("primary", cc.Primary, false)
		if cc.Key != "" && cc.PrimaryRef == nil {
			c.add(path+".key", "applies only with link or primaryRef; expected it left out")
			return false
		}
		if cc.PrimaryRef != nil {
			if cols.pointer = c.childPointer(path, cc, info); cols.pointer == nil {
				return false
			}
			cols.primary = pointerFlagColumn()
		}
	}
	cols.value = col("value", cc.Value, true)
	cols.typ = col("type", cc.Type, false)
	cols.display = col("display", cc.Display, false)
	if parent == nil || cols.value == nil {
		return false
	}
	// own is the column of the child table that no mapping may write:
	// the parent column, or, through a link, the child row's key.
	own := parent.Name
	if link != nil {
		own = link.spec.Key
	}
	bad := false
	if link == nil && cols.pointer == nil && cols.primary != nil && !isIntColumn(*cols.primary) && cols.primary.Kind != adapters.KindBit {
		c.add(path+".primary", "column %q is %s; expected a numeric flag", cols.primary.Name, cols.primary.ColumnType)
		bad = true
	}
	for _, f := range []struct {
		key string
		ci  *adapters.ColumnInfo
	}{{"value", cols.value}, {"type", cols.typ}, {"display", cols.display}} {
		if f.ci != nil && !isStringColumn(*f.ci) {
			c.add(path+"."+f.key, "column %q is %s; expected a character column for the %s", f.ci.Name, f.ci.ColumnType, f.key)
			bad = true
		}
	}
	if msg := joinable(*parent, r.key); msg != "" && r.key.Name != "" && link == nil {
		c.add(path+".parent", "%s", msg)
		bad = true
	}
	spec := adapters.ChildSpec{Name: cols.name, Table: adapters.Table(cc.Table), Parent: parent.Name}
	if link != nil {
		spec.Parent, spec.Link = "", link.spec
	}
	for _, ci := range []*adapters.ColumnInfo{cols.value, cols.typ, cols.primary, cols.display} {
		if ci != nil {
			if slices.Contains(spec.Columns, ci.Name) || (ci.Name == own && (link == nil || ci != cols.primary)) {
				c.add(path, "column %q is given twice; expected a column for each of value, type, primary and display", ci.Name)
				bad = true
			}
			spec.Columns = append(spec.Columns, ci.Name)
		}
	}
	for i, x := range cc.Also {
		xp := fmt.Sprintf("%s.also[%d]", path, i)
		if !validTransform(x.Transform) {
			c.add(xp+".transform", "unknown transform %q; expected %s", x.Transform, transformNames())
			bad = true
			continue
		}
		xc := col(fmt.Sprintf("also[%d].column", i), x.Column, true)
		switch {
		case xc == nil:
			bad = true
		case !isStringColumn(*xc):
			c.add(xp+".column", "column %q is %s; expected a character column", xc.Name, xc.ColumnType)
			bad = true
		case slices.Contains(spec.Columns, xc.Name) || xc.Name == own:
			c.add(xp+".column", "column %q is already written; expected a further column", xc.Name)
			bad = true
		default:
			spec.Columns = append(spec.Columns, xc.Name)
			cols.also = append(cols.also, extraCol{col: *xc, xform: x.Transform})
		}
	}
	if cols.primary != nil {
		spec.Order = cols.primary.Name
	}
	if cols.pointer != nil {
		spec.Pointer = cols.pointer.spec
	}
	childColumn := func(p, name string) (adapters.ColumnInfo, bool) {
		ci, ok := info.Column(adapters.Column(name))
		if !ok {
			c.add(p, "%s", notInTable(name, cc.Table, info))
		}
		return ci, ok
	}
	var covered map[adapters.Column]bool
	childRules := defaultRules{}
	if link != nil {
		childRules.noNext = fmt.Sprintf("rows of %s have no parent column to count within, only links; expected generate: next in link.defaults", cc.Table)
	}
	spec.Defaults, covered = c.tableDefaults(path+".defaults", cc.Defaults, childColumn, childRules)
	for _, d := range spec.Defaults {
		if (slices.Contains(spec.Columns, d.Column) && (link == nil || !slices.Contains(link.spec.Columns, d.Column))) || (d.Column == parent.Name && link == nil) {
			c.add(path+".defaults."+string(d.Column), "column %q is written from the attribute; expected a default only for a column nothing else writes", d.Column)
			bad = true
		}
	}
	if link != nil {
		ki, _ := info.Column(link.spec.Key)
		if i := slices.IndexFunc(spec.Defaults, func(d adapters.Default) bool { return d.Column == ki.Name }); !ki.AutoIncrement && (i < 0 || spec.Defaults[i].Kind == adapters.DefaultConstant || spec.Defaults[i].Kind == adapters.DefaultNow) {
			c.add(path+".defaults", "the key %q of %s is neither AUTO_INCREMENT nor generated, but each new row needs a new key for its link; expected defaults.%s: {generate: uuid} (or another generator)", ki.Name, cc.Table, ki.Name)
			bad = true
		}
	}
	for _, ci := range info.Columns {
		if !ci.Nullable && !ci.HasDefault && !ci.AutoIncrement && (ci.Name != parent.Name || link != nil) && !(slices.Contains(spec.Columns, ci.Name) && (link == nil || !slices.Contains(link.spec.Columns, ci.Name))) && !covered[ci.Name] {
			c.add(path+".defaults", "column %q of %s is NOT NULL without a default and nothing writes it; expected defaults.%s (a constant, {generate: now} or {generate: uuid}), or a mapping of it", ci.Name, cc.Table, ci.Name)
			bad = true
		}
	}
	if bad {
		return false
	}
	if link != nil {
		c.joinWarnings(path+".link.parent", "the links' parent column", *parent, r.key, link.spec.Table, r.Spec.Table)
		if leadingIndex(link.info, parent.Name) == "" {
			c.warn = append(c.warn, fmt.Sprintf("%s: %s has no index starting with %s: reading %s scans the table", path+".link", link.spec.Table, parent.Name, a.path))
		}
	} else {
		c.joinWarnings(path+".parent", "the child rows' parent column", *parent, r.key, adapters.Table(cc.Table), r.Spec.Table)
		if leadingIndex(info, parent.Name) == "" {
			c.warn = append(c.warn, fmt.Sprintf("%s: %s has no index starting with %s: reading %s scans the table", path, cc.Table, cc.Parent, a.path))
		}
	}
	a.kind = kindChild
	a.child = cols
	a.col = adapters.ColumnInfo{Name: cols.name, DataType: "child", Nullable: true}
	r.Spec.Children = append(r.Spec.Children, spec)
	return true
}

// metaAttr compiles an attribute held in the key/value table.
func (c *compiler) metaAttr(path, rpath string, r *Resource, a *attr, key string, mt *MetaTableConfig) bool {
	if mt == nil {
		c.add(path, "no metaTable; expected %s.metaTable {table, parent, key, value}", rpath)
		return false
	}
	if a.list == nil && !kvType(a) {
		c.add(path, "%s is not a single value; a key/value entry holds one string, boolean, integer or dateTime, one value of a multi-valued attribute such as %s[type eq \"work\"].value, or a list", a.path, a.def.Name)
		return false
	}
	if !c.metaTable(rpath, r, mt) {
		return false
	}
	for _, k := range r.Spec.KV.Keys {
		if k == key {
			c.add(path, "meta key %q is already mapped; expected one attribute per key", key)
			return false
		}
	}
	r.Spec.KV.Keys = append(r.Spec.KV.Keys, key)
	vc, _ := r.kvInfo.Column(r.Spec.KV.Value)
	kc, _ := r.kvInfo.Column(r.Spec.KV.Key)
	if kc.MaxLength > 0 && int64(len(key)) > kc.MaxLength {
		c.add(path, "meta key %q is longer than the %d characters of %s", key, kc.MaxLength, kc.Name)
		return false
	}
	a.single = a.kind == kindSingle
	a.kind = kindKV
	a.kvKey = key
	a.col = vc
	a.col.Name = adapters.KVColumn(key)
	a.col.Nullable = true
	return true
}

// metaTable compiles the resource's key/value table (metaTable at rpath)
// the first time an attribute or membership keeps an entry in it,
// reporting whether r.Spec.KV is set.
func (c *compiler) metaTable(rpath string, r *Resource, mt *MetaTableConfig) bool {
	if r.Spec.KV == nil {
		if c.failedTables[mt.Table] {
			// Reported with the first attribute kept in it.
			return false
		}
		info, err := c.db.Describe(c.ctx, adapters.Table(mt.Table))
		if err != nil {
			c.tableNotFound(rpath+".metaTable.table", mt.Table)
			return false
		}
		ok := true
		for _, f := range []struct{ key, col string }{{"parent", mt.Parent}, {"key", mt.Key}, {"value", mt.Value}} {
			if f.col == "" {
				c.add(rpath+".metaTable."+f.key, "missing; expected a column of %s", mt.Table)
				ok = false
			} else if _, found := info.Column(adapters.Column(f.col)); !found {
				c.add(rpath+".metaTable."+f.key, "%s", notInTable(f.col, mt.Table, info))
				ok = false
			}
		}
		if !ok {
			return false
		}
		kv := &adapters.KVSpec{Table: adapters.Table(mt.Table), Parent: adapters.Column(mt.Parent), Key: adapters.Column(mt.Key), Value: adapters.Column(mt.Value), Scope: map[adapters.Column]any{}, DeleteAll: mt.DeleteAll}
		kvColumn := func(p, name string) (adapters.ColumnInfo, bool) {
			ci, found := info.Column(adapters.Column(name))
			if !found {
				c.add(p, "%s", notInTable(name, mt.Table, info))
			}
			return ci, found
		}
		for _, col := range slices.Sorted(maps.Keys(mt.Scope)) {
			sp := rpath + ".metaTable.scope." + col
			ci, found := kvColumn(sp, col)
			sv := scalar(mt.Scope[col])
			switch {
			case !found:
				ok = false
			case sv == nil:
				c.add(sp, "expected a scalar value (string, number or boolean)")
				ok = false
			case ci.Name == kv.Parent || ci.Name == kv.Key || ci.Name == kv.Value:
				c.add(sp, "column %q is the entries' parent, key or value; expected another column", col)
				ok = false
			default:
				kv.Scope[ci.Name] = sv
			}
		}
		var covered map[adapters.Column]bool
		kv.Defaults, covered = c.tableDefaults(rpath+".metaTable.defaults", mt.Defaults, kvColumn, defaultRules{})
		for _, ci := range info.Columns {
			n := ci.Name
			if ci.Nullable || ci.HasDefault || ci.AutoIncrement || n == kv.Parent || n == kv.Key || n == kv.Value || covered[n] {
				continue
			}
			if _, scoped := kv.Scope[n]; scoped {
				continue
			}
			c.add(rpath+".metaTable.defaults", "column %q of %s is NOT NULL without a default and nothing writes it; expected defaults.%s or a scope setting it", n, mt.Table, n)
			ok = false
		}
		for _, f := range []adapters.Column{kv.Key, kv.Value} {
			if ci, _ := info.Column(f); !isStringColumn(ci) {
				c.add(rpath+".metaTable", "column %q of %s is %s; expected a character column for the entries' keys and values", f, mt.Table, ci.ColumnType)
				ok = false
			}
		}
		pc, _ := info.Column(kv.Parent)
		if msg := joinable(pc, r.key); msg != "" && r.key.Name != "" {
			c.add(rpath+".metaTable.parent", "%s", msg)
			ok = false
		}
		if !ok {
			return false
		}
		c.joinWarnings(rpath+".metaTable.parent", "the entries' parent column", pc, r.key, kv.Table, r.Spec.Table)
		r.Spec.KV = kv
		r.kvInfo = info
	}
	return true
}

func childTable(r *Resource, a *attr) adapters.Table {
	for _, c := range r.Spec.Children {
		if c.Name == a.child.name {
			return c.Table
		}
	}
	return ""
}
