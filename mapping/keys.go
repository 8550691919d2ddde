package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// naturalKeyAttr returns the configured path of the attribute stored in
// the key column (as its column or a further one), or "".
func naturalKeyAttr(rc ResourceConfig, keyCol string) string {
	for _, p := range slices.Sorted(maps.Keys(rc.Attributes)) {
		ac := rc.Attributes[p]
		if ac.Child != nil || ac.Meta != "" {
			continue
		}
		if ac.Column == keyCol {
			return p
		}
		for _, x := range ac.Also {
			if x.Column == keyCol {
				return p
			}
		}
	}
	return ""
}

// naturalKey checks the attribute that gives a natural key: one string
// value, always given on create.
func (c *compiler) naturalKey(path string, r *Resource) {
	a := r.byPath[strings.ToLower(r.naturalPath)]
	if a == nil {
		if _, _, def, ok := r.schemas.lookup(r.naturalPath); ok {
			a = r.byPath[strings.ToLower(def.Name)]
		}
	}
	if a == nil {
		return // its own problem is reported
	}
	if a.kind != kindSimple || (a.def.Type != String && a.def.Type != Reference) || a.def.Mutability == ReadOnly {
		c.add(path+".id.column", "the key column %q is where %s is stored, which is not a single string value; expected a key of its own (generate: auto or uuid) or the column of a string attribute such as userName", r.key.Name, a.path)
		return
	}
	r.natural = a
	a.required = true
}

// keyRefs compiles the columns that move with a renamed natural key: the
// mapping's own child, key/value and membership rows and self-references,
// and the operator's declared columns.
func (c *compiler) keyRefs(path string, r *Resource, renames []RenameConfig) {
	if renames == nil {
		return
	}
	if r.natural == nil {
		if r.key.Name != "" {
			c.add(path, "the key %q is not natural (no attribute is stored in it), so it never changes; expected renames only where the key is the userName (or a Group's displayName)", r.key.Name)
		}
		return
	}
	var refs []adapters.ColumnRef
	ref := func(t adapters.Table, col adapters.Column) {
		cr := adapters.ColumnRef{Table: t, Column: col}
		if !slices.Contains(refs, cr) {
			refs = append(refs, cr)
		}
	}
	for _, ch := range r.Spec.Children {
		ref(ch.Table, ch.Parent)
	}
	if kv := r.Spec.KV; kv != nil {
		ref(kv.Table, kv.Parent)
	}
	for _, j := range r.Spec.Joined {
		ref(j.Table, j.Key)
	}
	for _, m := range r.Spec.Memberships {
		if m.Ref == "" {
			// One that holds another column does not hold the key.
			ref(m.Table, m.Column)
		}
	}
	for _, col := range r.Spec.SelfReferences {
		ref(r.Spec.Table, col)
	}
	for i, rn := range renames {
		rp := fmt.Sprintf("%s[%d]", path, i)
		if rn.Table == "" || rn.Column == "" {
			c.add(rp, "expected {table, column}: a column holding the key %s", r.key.Name)
			continue
		}
		info, err := c.db.Describe(c.ctx, adapters.Table(rn.Table))
		if err != nil {
			c.tableNotFound(rp+".table", rn.Table)
			continue
		}
		ci, ok := info.Column(adapters.Column(rn.Column))
		switch {
		case !ok:
			c.add(rp+".column", "%s", notInTable(rn.Column, rn.Table, info))
			continue
		case adapters.Table(rn.Table) == r.Spec.Table && ci.Name == r.Spec.Key:
			c.add(rp+".column", "%q is the key itself, which is renamed anyway; expected another column holding the key", rn.Column)
			continue
		}
		if msg := joinable(ci, r.key); msg != "" {
			c.add(rp+".column", "%s", msg)
			continue
		}
		if isIntColumn(ci) != isIntColumn(r.key) {
			c.add(rp+".column", "column %q is %s but the key %q is %s; expected a column of the key's type", ci.Name, ci.ColumnType, r.key.Name, r.key.ColumnType)
			continue
		}
		if isStringColumn(ci) && ci.MaxLength > 0 && (r.key.MaxLength == 0 || ci.MaxLength < r.key.MaxLength) {
			c.add(rp+".column", "column %q holds %d characters but the key %q up to %d; expected a column that holds every key", ci.Name, ci.MaxLength, r.key.Name, r.key.MaxLength)
			continue
		}
		ref(adapters.Table(rn.Table), ci.Name)
	}
	r.Spec.RenameKey = true
	r.Spec.KeyRefs = refs
}
