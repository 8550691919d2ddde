package mapping

import (
	"fmt"

	"github.com/scimbridge/scimbridge/adapters"
)

// pointerFlag is the Record key of the primary flag of child rows whose
// primary is designated by a column of the parent (child.primaryRef): no
// column of the child table, so it cannot collide with one.
const pointerFlag adapters.Column = "@primary"

// childPointer is a compiled child.primaryRef.
type childPointer struct {
	spec *adapters.PointerSpec
	key  adapters.ColumnInfo // the child table's key
	col  adapters.ColumnInfo // the parent table's column, once resolved
}

// childPointer compiles the child-table half of child.primaryRef: the
// child's key, which the parent column will hold. The column itself is
// resolved with the resource's table (pointerColumn).
func (c *compiler) childPointer(path string, cc ChildConfig, info adapters.TableInfo) *childPointer {
	pp := path + ".primaryRef"
	bad := false
	if cc.Primary != "" {
		c.add(path+".primary", "given with primaryRef; the primary is the row primaryRef.column names: expected one of them")
		bad = true
	}
	if cc.PrimaryRef.Column == "" {
		c.add(pp+".column", "missing; expected the column of the resource's table holding the key of the primary %s row", cc.Table)
		bad = true
	}
	key := cc.Key
	if key == "" {
		key = string(info.PrimaryKey())
		if key == "" {
			c.add(path+".key", "missing, and %s has no single-column primary key; expected the column of %s that primaryRef.column holds", cc.Table, cc.Table)
			return nil
		}
	}
	ki, ok := info.Column(adapters.Column(key))
	if !ok {
		c.add(path+".key", "%s", notInTable(key, cc.Table, info))
		return nil
	}
	if !isIntColumn(ki) && !isStringColumn(ki) {
		c.add(path+".key", "column %q is %s; expected an integer or character key", ki.Name, ki.ColumnType)
		bad = true
	}
	if !ki.AutoIncrement && !slicesHasDefault(cc.Defaults, key) {
		c.add(path+".defaults", "the key %q of %s is neither AUTO_INCREMENT nor generated, but primaryRef needs the key of each new row; expected defaults.%s: {generate: uuid} (or another generator)", ki.Name, cc.Table, ki.Name)
		bad = true
	}
	if bad {
		return nil
	}
	return &childPointer{spec: &adapters.PointerSpec{Key: ki.Name, Flag: pointerFlag}, key: ki}
}

// slicesHasDefault reports whether defaults generate column col.
func slicesHasDefault(defs map[string]DefaultConfig, col string) bool {
	d, ok := defs[col]
	return ok && d.Generate != "" && d.Generate != "now"
}

// pointerFlagColumn is the column the primary flag of pointer children
// stands in for.
func pointerFlagColumn() *adapters.ColumnInfo {
	return &adapters.ColumnInfo{Name: pointerFlag, Kind: adapters.KindInteger, IntMin: 0, IntMax: 1, ColumnType: "a flag computed from the parent's column"}
}

// pointerColumn resolves primaryRef.column in the resource's table (ci,
// found by the caller) and checks that it can hold the child's key and
// the none value; it reports problems under path and returns false.
func (c *compiler) pointerColumn(path string, p *childPointer, ci adapters.ColumnInfo, none any) bool {
	switch {
	case isIntColumn(p.key) && !isIntColumn(ci):
		c.add(path+".column", "column %q is %s, but the key %q it holds is %s; expected an integer column", ci.Name, ci.ColumnType, p.key.Name, p.key.DataType)
		return false
	case isStringColumn(p.key) && !isStringColumn(ci):
		c.add(path+".column", "column %q is %s, but the key %q it holds is %s; expected a character column", ci.Name, ci.ColumnType, p.key.Name, p.key.ColumnType)
		return false
	case isStringColumn(p.key) && ci.MaxLength > 0 && p.key.MaxLength > ci.MaxLength:
		c.add(path+".column", "column %q is %s, shorter than the key %q (%s) it holds; expected a column as long as the key", ci.Name, ci.ColumnType, p.key.Name, p.key.ColumnType)
		return false
	}
	if isIntColumn(p.key) {
		if lo, hi, ok := intRange(ci); ok {
			if klo, khi, kok := intRange(p.key); kok && (khi > hi || klo < lo && klo < 0) {
				c.warn = append(c.warn, fmt.Sprintf("%s.column: column %q is %s and the key %q is %s: keys above %d cannot be stored in it", path, ci.Name, ci.ColumnType, p.key.Name, p.key.ColumnType, hi))
			}
		}
	}
	v := scalar(none)
	switch {
	case none == nil && !ci.Nullable:
		c.add(path+".none", "missing, and column %q is NOT NULL; expected the value it holds when there is no row (such as 0)", ci.Name)
		return false
	case none != nil && v == nil:
		c.add(path+".none", "expected a constant (number or string) the column holds when there is no row")
		return false
	case v != nil:
		if msg := valueFits(ci, v); msg != "" {
			c.add(path+".none", "%s", msg)
			return false
		}
		if isIntColumn(ci) {
			v, _ = intValue(v)
		}
	}
	p.col = ci
	p.spec.Column, p.spec.None = ci.Name, v
	return true
}
