package mapping

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/internal/jsonenc"
)

// Rendered is what AppendDocument writes besides the row's own columns:
// meta.location and the user's groups. One Rendered may serve every row
// of a response; it keeps the scratch space of the rows rendered.
type Rendered struct {
	// Location appends meta.location of the resource with the given id
	// as a JSON string.
	Location func(dst []byte, id string) []byte
	// Groups are the user's groups, rendered as the groups attribute
	// (RFC 7643 section 4.1.2); none leave it out. GroupRef appends the
	// $ref of one as a JSON string.
	Groups   []adapters.Member
	GroupRef func(dst []byte, id string) []byte

	// The decoded value of each attribute of the row, by its index in
	// the resource's attributes; a time is kept as one, in times, and
	// formatted as it is written, not as a string first.
	vals   []any
	oks    []bool
	times  []time.Time
	isTime []bool
}

// docField is one member of a document's object, in the layout
// AppendDocument writes.
type docField struct {
	name string // the member's name
	key  string // its name as JSON, with the quotes and the colon
	kind fieldKind
	// attrs render a fieldAttr or fieldMeta member: the last of them
	// with a value is written, as FromRecord sets each in turn.
	attrs []int
	// fields are a fieldObject's members, sorted by name.
	fields []docField
}

type fieldKind int

const (
	fieldAttr       fieldKind = iota // an attribute's value
	fieldObject                      // a complex attribute or an extension's object
	fieldID                          // id
	fieldSchemas                     // schemas
	fieldMeta                        // meta
	fieldMetaMember                  // a member of meta
	fieldGroups                      // groups
)

// docLayout is a resource's document as AppendDocument writes it: the
// members FromRecord can set, each object's sorted as encoding/json sorts
// a map's keys.
type docLayout struct {
	fields []docField
	meta   []docField // meta's members: resourceType, location, version and the meta attributes
	// ext is, by attribute index, the index in exts of the extension
	// schema the attribute is of, or -1 for the core schema.
	ext  []int
	exts []string
}

// layout returns the resource's document layout, or nil when
// AppendDocument cannot write its documents (FromRecord must): a manager
// (completed with its $ref and name from other rows), or names that
// collide with each other or with id, schemas, meta and groups.
func (r *Resource) layout() *docLayout {
	r.layoutOnce.Do(func() { r.docLayout = r.newLayout() })
	return r.docLayout
}

func (r *Resource) newLayout() *docLayout {
	l := &docLayout{ext: make([]int, len(r.attrs))}
	top := &docField{kind: fieldObject}
	top.fields = append(top.fields,
		docField{name: "id", kind: fieldID},
		docField{name: "schemas", kind: fieldSchemas},
		docField{name: "meta", kind: fieldMeta},
		docField{name: "groups", kind: fieldGroups})
	meta := &docField{kind: fieldObject, fields: []docField{
		{name: "resourceType", kind: fieldMetaMember}, {name: "location", kind: fieldMetaMember}, {name: "version", kind: fieldMetaMember}}}
	for i, a := range r.attrs {
		l.ext[i] = -1
		if a.kind == kindPassword {
			continue
		}
		if a.kind == kindManager || a.def == nil {
			return nil
		}
		obj := top
		if a.schema != r.Schema {
			if a.kind == kindMeta {
				return nil
			}
			if l.ext[i] = slices.Index(l.exts, a.schema); l.ext[i] < 0 {
				l.ext[i] = len(l.exts)
				l.exts = append(l.exts, a.schema)
			}
			if obj = obj.object(a.schema); obj == nil {
				return nil
			}
		}
		if a.kind == kindMeta {
			if !meta.attr(a.def.Name, i, fieldMetaMember) {
				return nil
			}
			continue
		}
		if a.parent != nil {
			if obj = obj.object(a.parent.Name); obj == nil {
				return nil
			}
		}
		if !obj.attr(a.def.Name, i, fieldAttr) {
			return nil
		}
	}
	top.sort()
	meta.sort()
	l.fields, l.meta = top.fields, meta.fields
	return l
}

// object returns the member name of f, an object, adding it if new; nil
// when name is a member that is no object.
func (f *docField) object(name string) *docField {
	for i := range f.fields {
		if g := &f.fields[i]; g.name == name {
			if g.kind != fieldObject {
				return nil
			}
			return g
		}
	}
	f.fields = append(f.fields, docField{name: name, kind: fieldObject})
	return &f.fields[len(f.fields)-1]
}

// attr adds the attribute of index i as the member name of f, of the
// kind given, after any attribute of that name before it; false when name
// is a member of another kind.
func (f *docField) attr(name string, i int, kind fieldKind) bool {
	for j := range f.fields {
		if g := &f.fields[j]; g.name == name {
			if g.kind != kind {
				return false
			}
			g.attrs = append(g.attrs, i)
			return true
		}
	}
	f.fields = append(f.fields, docField{name: name, kind: kind, attrs: []int{i}})
	return true
}

// sort orders f's members, and theirs, as encoding/json orders a map's
// keys, and makes their JSON keys.
func (f *docField) sort() {
	slices.SortFunc(f.fields, func(a, b docField) int { return strings.Compare(a.name, b.name) })
	for i := range f.fields {
		g := &f.fields[i]
		g.key = string(jsonenc.AppendString(nil, g.name)) + ":"
		if g.kind == fieldObject {
			g.sort()
		}
	}
}

// CanAppendDocument reports whether AppendDocument writes the resource's
// documents.
func (r *Resource) CanAppendDocument() bool { return r.layout() != nil }

// AppendDocument appends the JSON of the document of rec, byte for byte as
// encoding/json encodes FromRecord(rec) with meta.location and the groups
// of x set, without building it. It must only be called when
// CanAppendDocument reports true.
func (r *Resource) AppendDocument(dst []byte, rec adapters.Record, x *Rendered) ([]byte, error) {
	l := r.layout()
	if n := len(r.attrs); cap(x.vals) < n {
		x.vals, x.oks, x.times, x.isTime = make([]any, n), make([]bool, n), make([]time.Time, n), make([]bool, n)
	} else {
		x.vals, x.oks, x.times, x.isTime = x.vals[:n], x.oks[:n], x.times[:n], x.isTime[:n]
	}
	for i, a := range r.attrs {
		x.vals[i], x.oks[i], x.isTime[i] = nil, false, false
		if a.kind == kindPassword {
			continue
		}
		v := rec[a.col.Name]
		if t, ok := v.(time.Time); ok && a.def.Type == DateTime && a.list == nil && a.kind != kindChild {
			// What decode makes of it, but as a time.
			x.times[i], x.oks[i], x.isTime[i] = a.instant(t), !t.IsZero(), true
			continue
		}
		x.vals[i], x.oks[i] = a.decode(v)
	}
	d := docWriter{r: r, l: l, rec: rec, x: x, id: r.ID(rec)}
	dst, _ = d.object(dst, l.fields)
	return dst, d.err
}

// docWriter writes one document.
type docWriter struct {
	r   *Resource
	l   *docLayout
	rec adapters.Record
	x   *Rendered
	id  string
	err error
}

// object appends an object of the fields given, leaving out those without
// a value, and reports whether it has any member.
func (d *docWriter) object(dst []byte, fields []docField) ([]byte, bool) {
	dst = append(dst, '{')
	n := 0
	for i := range fields {
		f := &fields[i]
		mark := len(dst)
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, f.key...)
		ok := true
		switch f.kind {
		case fieldAttr:
			dst, ok = d.attr(dst, f.attrs)
		case fieldObject:
			dst, ok = d.object(dst, f.fields)
		case fieldID:
			dst = jsonenc.AppendString(dst, d.id)
		case fieldSchemas:
			dst = d.schemas(dst)
		case fieldMeta:
			dst, _ = d.object(dst, d.l.meta)
		case fieldMetaMember:
			dst, ok = d.metaMember(dst, f)
		case fieldGroups:
			dst, ok = d.groups(dst)
		}
		if !ok {
			dst = dst[:mark]
			continue
		}
		n++
	}
	return append(dst, '}'), n > 0
}

// attr appends the value of the last of attrs that has one.
func (d *docWriter) attr(dst []byte, attrs []int) ([]byte, bool) {
	for j := len(attrs) - 1; j >= 0; j-- {
		i := attrs[j]
		if !d.x.oks[i] {
			continue
		}
		a := d.r.attrs[i]
		if a.parent == nil && (a.kind == kindSingle || a.single) {
			// [{"primary":true,"type":…,"value":…}]
			dst = append(dst, `[{"primary":true,"type":`...)
			dst = d.value(dst, a.typValue)
			dst = append(dst, `,"value":`...)
			dst = d.valueOf(dst, i)
			return append(dst, "}]"...), true
		}
		return d.valueOf(dst, i), true
	}
	return dst, false
}

// valueOf appends the value of the attribute of index i.
func (d *docWriter) valueOf(dst []byte, i int) []byte {
	if d.x.isTime[i] {
		// As decode formats it; RFC 3339 has nothing JSON escapes.
		dst = d.x.times[i].AppendFormat(append(dst, '"'), time.RFC3339)
		return append(dst, '"')
	}
	return d.value(dst, d.x.vals[i])
}

func (d *docWriter) value(dst []byte, v any) []byte {
	dst, err := jsonenc.Append(dst, v)
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("encoding %s: %w", d.r.Name, err)
	}
	return dst
}

// schemas appends the core schema and the extensions with a value, in
// the order of their first attribute with one.
func (d *docWriter) schemas(dst []byte) []byte {
	dst = append(dst, '[')
	dst = jsonenc.AppendString(dst, d.r.Schema)
	var seen uint64
	for i, e := range d.l.ext {
		if e < 0 || !d.x.oks[i] || e < 64 && seen&(1<<e) != 0 {
			continue
		}
		if e < 64 {
			seen |= 1 << e
		} else if d.seenBefore(i, e) {
			continue
		}
		dst = append(dst, ',')
		dst = jsonenc.AppendString(dst, d.l.exts[e])
	}
	return append(dst, ']')
}

// seenBefore reports whether an attribute before i of extension e has a
// value (for the 65th extension on, which the bit set does not hold).
func (d *docWriter) seenBefore(i, e int) bool {
	for j := range i {
		if d.l.ext[j] == e && d.x.oks[j] {
			return true
		}
	}
	return false
}

// metaMember appends one member of meta: location is always the
// resource's, version the row's when it has one, and resourceType the
// resource's name where no attribute sets it.
func (d *docWriter) metaMember(dst []byte, f *docField) ([]byte, bool) {
	switch f.name {
	case "location":
		return d.x.Location(dst, d.id), true
	case "version":
		if v := d.r.Version(d.rec); v != "" {
			return jsonenc.AppendString(dst, v), true
		}
	}
	if dst, ok := d.attr(dst, f.attrs); ok {
		return dst, true
	}
	if f.name == "resourceType" {
		return jsonenc.AppendString(dst, d.r.Name), true
	}
	return dst, false
}

// groups appends the user's groups, if any.
func (d *docWriter) groups(dst []byte) ([]byte, bool) {
	if len(d.x.Groups) == 0 {
		return dst, false
	}
	dst = append(dst, '[')
	for i, m := range d.x.Groups {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"$ref":`...)
		dst = d.x.GroupRef(dst, m.ID)
		if m.Display != "" {
			dst = append(dst, `,"display":`...)
			dst = jsonenc.AppendString(dst, m.Display)
		}
		dst = append(dst, `,"type":"direct","value":`...)
		dst = jsonenc.AppendString(dst, m.ID)
		dst = append(dst, '}')
	}
	return append(dst, ']'), true
}
