package mapping

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/internal/jsonenc"
)

// Mode says which rules ToRecord applies to attributes a document leaves out.
type Mode int

const (
	// Create: absent attributes are not written; the column's default
	// applies. Attributes whose column needs a value are required.
	Create Mode = iota
	// Replace: absent attributes are cleared (NULL) where the column
	// allows it, and left as they are where it does not.
	Replace
	// Patch: like Replace, but removing an attribute whose column cannot
	// be empty is an error rather than a no-op.
	Patch
)

// Get returns the member of a JSON object whose name matches key
// case-insensitively, as SCIM attribute names are (RFC 7643 section 2.1).
func Get(obj map[string]any, key string) (any, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// ToRecord converts a SCIM resource document (JSON decoded with UseNumber)
// into the columns to write. It refuses attributes the schema does not know,
// values of the wrong type and missing required attributes with a
// *FieldError; attributes the schema knows but the application cannot store
// are ignored. Read-only attributes (id, meta) are ignored.
func (r *Resource) ToRecord(doc map[string]any, mode Mode) (adapters.Record, error) {
	if err := r.checkShape(doc); err != nil {
		return nil, err
	}
	if err := r.checkDeactivation(doc); err != nil {
		return nil, err
	}
	w := newRecordWriter(doc)
	// A PUT body is checked here and written through Replacement, which
	// knows which of the attributes sharing a column changed.
	w.lenient = mode == Replace
	for _, a := range r.attrs {
		if a.kind == kindMeta {
			continue
		}
		v, present := r.value(doc, a)
		if ov, ok := a.omittedValue(); ok && mode == Create && (!present || v == nil) {
			// The value the mapping gives a create that leaves it out.
			v, present = ov, true
		}
		if err := r.put(w, a, v, present && v != nil, mode); err != nil {
			return nil, err
		}
	}
	if err := r.putComputed(w.rec, doc, nil); err != nil {
		return nil, err
	}
	if err := r.checkScope(w.rec); err != nil {
		return nil, err
	}
	return w.rec, nil
}

// checkScope refuses a record whose values would put the row outside a
// scope condition (a team renamed to a reserved name the scope hides, a
// status the scope excludes): the client's value is at fault, so it is a
// 400 naming the attribute, before anything is written. The database
// checks the same conditions again; this check gives the clear answer.
func (r *Resource) checkScope(rec adapters.Record) error {
	for _, sc := range r.conds {
		v, ok := rec[sc.Column]
		if !ok || v == adapters.DBDefault || holds(sc.Condition, sc.col, v) {
			continue
		}
		path := string(sc.Column)
		if a := r.writerOf(sc.Column); a != nil {
			path = a.path
		}
		return fieldErr(path, ScimInvalidValue, "this value is one the application keeps out of provisioning (outside the mapping's scope), so nothing was stored")
	}
	return nil
}

// writerOf returns the attribute that writes column c, as its primary or
// a further column, or nil.
func (r *Resource) writerOf(c adapters.Column) *attr {
	for _, a := range r.attrs {
		if a.col.Name == c {
			return a
		}
		for _, x := range a.extra {
			if x.col.Name == c {
				return a
			}
		}
	}
	return nil
}

// recordWriter collects the columns a document writes.
type recordWriter struct {
	rec adapters.Record
	// by is the attribute whose value a shared column holds.
	by map[adapters.Column]*attr
	// doc is the document written, where attributes sharing a column
	// are looked up.
	doc map[string]any
	// lenient lets attributes sharing a column disagree (the first
	// wins), for a record that only validates a document.
	lenient bool
	// cur is the row as stored, nil for a new one: a list column is
	// re-encoded over its stored value, keeping what the mapping does
	// not own.
	cur adapters.Record
}

func newRecordWriter(doc map[string]any) *recordWriter {
	return &recordWriter{rec: adapters.Record{}, by: map[adapters.Column]*attr{}, doc: doc}
}

// checkDeactivation refuses active: false on a User resource that cannot
// store it, unless the operator chose to ignore it: the IdP must not
// believe an account disabled that still works.
func (r *Resource) checkDeactivation(doc map[string]any) error {
	if r.Name != "User" || r.active != nil || r.ignoreDeactivation {
		return nil
	}
	v, ok := Get(doc, "active")
	if b, isBool := ParseBool(v); ok && isBool && !b {
		return fieldErr("active", ScimMutability, "this application has no way to deactivate a user, so nothing was changed; the operator can map active to the application's status column (or set ignoreDeactivation to accept and ignore it)")
	}
	return nil
}

// put writes attribute a's value v (or its absence) into the record: the
// primary column and every further column. A column several attributes
// share is written by the ones that have a value, which must agree, and
// cleared only when none of them has one.
func (r *Resource) put(w *recordWriter, a *attr, v any, present bool, mode Mode) error {
	rec := w.rec
	if a.list != nil {
		return putList(w, a, v, present, mode)
	}
	if a.kind == kindChild && a.child.pointer != nil && mode == Create {
		// The new row points at no child row until the adapter has
		// inserted them and sets it.
		rec[a.child.pointer.spec.Column] = a.child.pointer.spec.None
	}
	if a.kind == kindPassword && !present {
		// Passwords are never read back, so one not given is unchanged.
		return nil
	}
	if present {
		enc, err := a.encode(v)
		if err != nil {
			return err
		}
		if s, ok := enc.(string); ok && s == "" && a.def.Uniqueness == "server" {
			return fieldErr(a.path, ScimInvalidValue, "must not be empty")
		}
		if enc == nil && !a.col.Nullable {
			return fieldErr(a.path, ScimInvalidValue, "this application cannot store it empty")
		}
		if prev := w.by[a.col.Name]; prev != nil && canonicalString(rec[a.col.Name]) != canonicalString(enc) && !w.lenient {
			return fieldErr(a.path, ScimInvalidValue, "%s and %s are one value in this application (column %s); expected them equal, or only one of them", prev.path, a.path, a.col.Name)
		}
		if len(a.shared) > 0 {
			w.by[a.col.Name] = a
		}
		if a.kind == kindChild && a.child.copy != nil {
			rec[a.child.copy.col.Name] = copyValue(a.child.copy.col, primaryValue(v))
		}
		rec[a.col.Name] = enc
		if b, ok := ParseBool(v); ok && a.def.Type == Boolean {
			also := a.onFalse
			if b {
				also = a.onTrue
			}
			for _, x := range also {
				rec[x.col.Name] = x.value
			}
		}
		for _, x := range a.extra {
			if s, ok := enc.(string); ok {
				rec[x.col.Name] = transform(x.xform, s)
			} else {
				rec[x.col.Name] = canonicalString(enc)
			}
		}
		return nil
	}
	if a.def.Required {
		return fieldErr(a.path, ScimInvalidValue, "required: this application cannot store a %s without it", r.Name)
	}
	if len(a.shared) > 0 && w.sharedGiven(r, a) {
		// Another attribute gives the column its value.
		return nil
	}
	switch {
	case a.kind == kindChild && a.child.copy != nil:
		if mode != Create {
			rec[a.col.Name] = nil
		}
		if cv := copyValue(a.child.copy.col, nil); mode != Create || cv == "" {
			// On create only a NOT NULL copy without a default needs it.
			rec[a.child.copy.col.Name] = cv
		}
		return nil
	case mode == Create && a.required:
		return fieldErr(a.path, ScimInvalidValue, "required: this application cannot store a %s without it", r.Name)
	case mode == Create:
		if a.nullTrue {
			// Not given: active, which the NULL default already says.
			return nil
		}
	case a.col.Nullable:
		rec[a.col.Name] = nil
		for _, x := range a.extra {
			if x.col.Nullable {
				rec[x.col.Name] = nil
			} else if x.col.HasDefault {
				rec[x.col.Name] = adapters.DBDefault
			}
		}
	case a.col.HasDefault && a.def.Type != Boolean:
		// NOT NULL, but the application's own default stands for "not
		// set" (an empty string, 'UTC'). Not for active: a PUT that
		// leaves it out must not reactivate or deactivate anyone.
		rec[a.col.Name] = adapters.DBDefault
		for _, x := range a.extra {
			if x.col.Nullable {
				rec[x.col.Name] = nil
			} else if x.col.HasDefault {
				rec[x.col.Name] = adapters.DBDefault
			}
		}
	case mode == Patch:
		return fieldErr(a.path, ScimInvalidValue, "this application cannot store a %s without it", r.Name)
	}
	return nil
}

// putList writes a list attribute: the stored list re-encoded to hold
// the values given, or none. A list left out of a new row is not written
// where the column has a default or may be NULL, and is written empty
// where it must have a value.
func putList(w *recordWriter, a *attr, v any, present bool, mode Mode) error {
	if !present {
		if mode == Create && (a.col.Nullable || a.col.HasDefault) {
			return nil
		}
		v = nil
	}
	enc, err := a.encodeList(v, w.cur[a.col.Name])
	if err != nil {
		return err
	}
	w.rec[a.col.Name] = enc
	return nil
}

// sharedGiven reports whether an attribute sharing a's column has a
// value in the document written.
func (w *recordWriter) sharedGiven(r *Resource, a *attr) bool {
	if w.by[a.col.Name] != nil {
		return true
	}
	for _, o := range a.shared {
		if v, ok := r.value(w.doc, o); ok && v != nil {
			return true
		}
	}
	return false
}

// putComputed writes the computed columns rendered from doc; with only
// set, just those whose attributes are in it.
func (r *Resource) putComputed(rec adapters.Record, doc map[string]any, only map[*attr]bool) error {
	for _, cm := range r.computed {
		if only != nil {
			hit := false
			for _, a := range cm.attrs {
				hit = hit || only[a]
			}
			if !hit {
				continue
			}
		}
		var b strings.Builder
		for i, p := range cm.parts {
			if i%2 == 0 {
				b.WriteString(p)
				continue
			}
			a := cm.attrs[i/2]
			if v, ok := r.value(doc, a); ok && v != nil {
				s := canonicalString(v)
				for _, x := range strings.Split(cm.xforms[i/2], "|") {
					s = transform(x, s)
				}
				b.WriteString(s)
			}
		}
		s := strings.Join(strings.Fields(b.String()), " ")
		if limit := cm.col.MaxLength; limit > 0 && int64(utf8.RuneCountInString(s)) > limit {
			return fieldErr(cm.attrs[0].path, ScimInvalidValue, "together with the other attributes of %s it is longer than the %d characters this application stores", cm.col.Name, limit)
		}
		if s == "" && cm.col.Nullable {
			rec[cm.col.Name] = nil
		} else {
			rec[cm.col.Name] = s
		}
	}
	return nil
}

// Changes returns the columns a PATCH writes over the row cur, read
// under the update's lock, to make it the document after: the columns of
// the attributes whose values differ from cur's. Attributes a PATCH did
// not touch are never written, even where reading and writing back would
// normalise their stored form.
func (r *Resource) Changes(cur adapters.Record, after map[string]any) (adapters.Record, error) {
	return r.diff(cur, after, Patch)
}

// Replacement returns the columns a PUT of after writes over the row cur:
// attributes left out are cleared where their column allows it, and, as
// with PATCH, attributes whose SCIM value does not change are not
// written, so a PUT repeating active: true leaves a stored status that
// reads as active (2, "pending") as it is.
func (r *Resource) Replacement(cur adapters.Record, after map[string]any) (adapters.Record, error) {
	return r.diff(cur, after, Replace)
}

func (r *Resource) diff(cur adapters.Record, after map[string]any, mode Mode) (adapters.Record, error) {
	if err := r.checkShape(after); err != nil {
		return nil, err
	}
	if err := r.checkDeactivation(after); err != nil {
		return nil, err
	}
	before := r.FromRecord(cur)
	w := newRecordWriter(after)
	w.cur = cur
	out := w.rec
	changed := map[*attr]bool{}
	for _, a := range r.attrs {
		if a.kind == kindMeta {
			continue
		}
		bv, bok := r.value(before, a)
		av, aok := r.value(after, a)
		if a.kind != kindPassword && sameAttr(a, bv, bok, av, aok) {
			continue
		}
		changed[a] = true
		if err := r.put(w, a, av, aok && av != nil, mode); err != nil {
			return nil, err
		}
	}
	if err := r.putComputed(out, after, changed); err != nil {
		return nil, err
	}
	if err := r.checkScope(out); err != nil {
		return nil, err
	}
	if err := r.checkRename(before, out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkRename refuses a change of a natural key (the userName that is the
// key) unless the mapping allows renaming it (id.renames). A change of
// case alone, which a case-insensitive key column holds as the same key,
// is not written.
func (r *Resource) checkRename(before map[string]any, out adapters.Record) error {
	if r.natural == nil {
		return nil
	}
	v, ok := out[r.Spec.Key]
	if !ok {
		return nil
	}
	id, _ := before["id"].(string)
	old, _ := r.Key(id)
	next := canonicalString(v)
	switch {
	case next == old:
		return nil
	case r.key.CaseInsensitive() && strings.EqualFold(next, old):
		// The same key to the database: the stored spelling stays.
		delete(out, r.Spec.Key)
		return nil
	case !r.Spec.RenameKey:
		return fieldErr(r.natural.path, ScimMutability, "this application's key is the %s, which cannot be changed here, so nothing was changed; the operator can allow it by listing the columns that refer to it in id.renames", r.natural.path)
	}
	return nil
}

// sameAttr reports whether an attribute has the same SCIM value in two
// documents; booleans compare as booleans, so Entra's "True" equals true.
func sameAttr(a *attr, bv any, bok bool, av any, aok bool) bool {
	if a.list != nil {
		// The same values in any order: a list no write would change.
		b, err1 := a.listValues(bv)
		v, err2 := a.listValues(av)
		if err1 != nil || err2 != nil {
			return false
		}
		slices.Sort(b)
		slices.Sort(v)
		return slices.Equal(slices.Compact(b), slices.Compact(v))
	}
	bok, aok = bok && bv != nil, aok && av != nil
	if bok != aok {
		return false
	}
	if !bok {
		return true
	}
	if a.def.Type == Boolean && a.kind != kindChild {
		b1, ok1 := ParseBool(bv)
		b2, ok2 := ParseBool(av)
		if ok1 && ok2 {
			return b1 == b2
		}
	}
	return sameJSON(bv, av)
}

// sameJSON reports whether two decoded JSON values are equal.
func sameJSON(a, b any) bool {
	var bufA, bufB [64]byte
	ja, err1 := jsonenc.Append(bufA[:0], a)
	jb, err2 := jsonenc.Append(bufB[:0], b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// value finds the attribute's value in doc. For a multi-valued attribute
// held in one column it picks the primary entry, else the first of the
// mapped type, else the first.
func (r *Resource) value(doc map[string]any, a *attr) (any, bool) {
	obj := doc
	if a.schema != r.Schema {
		ext, ok := Get(doc, a.schema)
		if !ok {
			return nil, false
		}
		m, _ := ext.(map[string]any)
		obj = m
	}
	if a.parent != nil {
		p, ok := Get(obj, a.parent.Name)
		if !ok || p == nil {
			return nil, false
		}
		m, _ := p.(map[string]any)
		obj = m
	}
	v, ok := Get(obj, a.def.Name)
	if !ok || (a.kind != kindSingle && !a.single) || v == nil {
		return v, ok
	}
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil, true
	}
	if a.strictType {
		for _, e := range list {
			m, _ := e.(map[string]any)
			if t, _ := Get(m, "type"); t != nil && strings.EqualFold(canonicalString(t), a.typ) {
				val, ok := Get(m, "value")
				return val, ok
			}
		}
		return nil, true
	}
	pick := -1
	for i, e := range list {
		m, _ := e.(map[string]any)
		if p, _ := Get(m, "primary"); p != nil {
			if b, _ := ParseBool(p); b {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		for i, e := range list {
			m, _ := e.(map[string]any)
			if t, _ := Get(m, "type"); t != nil && strings.EqualFold(canonicalString(t), a.typ) {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		pick = 0
	}
	m, _ := list[pick].(map[string]any)
	val, ok := Get(m, "value")
	return val, ok
}

// checkShape refuses documents whose structure the schema does not allow:
// unknown attributes, objects where values belong and the reverse.
func (r *Resource) checkShape(doc map[string]any) error {
	for k, v := range doc {
		lk := strings.ToLower(k)
		switch {
		case lk == "schemas":
			list, ok := v.([]any)
			if !ok {
				return fieldErr("schemas", ScimInvalidSyntax, "expected an array of schema URNs")
			}
			for _, s := range list {
				if _, ok := s.(string); !ok {
					return fieldErr("schemas", ScimInvalidSyntax, "expected an array of schema URNs")
				}
			}
		case lk == "id" || lk == "meta" || (r.Schema == UserSchema && (knownUnmapped[lk] && !r.Maps(lk) || lk == "password")):
		case strings.HasPrefix(lk, "urn:"):
			urn, known := r.schemas.canonical(k)
			if !known || urn == r.Schema {
				if _, ok := r.byPath[lk]; ok || strings.EqualFold(k, r.Schema) {
					continue
				}
				return fieldErr(k, ScimInvalidSyntax, "unknown schema extension")
			}
			if v == nil {
				continue
			}
			ext, ok := v.(map[string]any)
			if !ok {
				return fieldErr(k, ScimInvalidValue, "expected an object, got %s", describe(v))
			}
			for sk, sv := range ext {
				if err := checkAttr(urn+":", r.schemas.defs[urn], sk, sv); err != nil {
					return err
				}
			}
		default:
			if err := checkAttr("", append(slices.Clone(r.schemas.defs[r.Schema]), commonAttrs...), k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAttr checks one member of a resource object against the schema.
func checkAttr(prefix string, defs []*AttrDef, k string, v any) error {
	var def *AttrDef
	for _, d := range defs {
		if strings.EqualFold(d.Name, k) {
			def = d
		}
	}
	if def == nil {
		return fieldErr(prefix+k, ScimInvalidSyntax, "unknown attribute")
	}
	if v == nil || def.Mutability == ReadOnly {
		return nil
	}
	if def == managerAttr {
		// Entra sends the manager's id as a bare string.
		if _, ok := v.(string); ok {
			return nil
		}
	}
	switch {
	case def.MultiValued:
		list, ok := v.([]any)
		if !ok {
			return fieldErr(prefix+def.Name, ScimInvalidValue, "expected an array, got %s", describe(v))
		}
		for _, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				return fieldErr(prefix+def.Name, ScimInvalidValue, "expected an array of objects")
			}
			for sk, sv := range m {
				if err := checkAttr(prefix+def.Name+".", def.Sub, sk, sv); err != nil {
					return err
				}
			}
		}
	case def.Type == Complex:
		m, ok := v.(map[string]any)
		if !ok {
			return fieldErr(prefix+def.Name, ScimInvalidValue, "expected an object, got %s", describe(v))
		}
		for sk, sv := range m {
			if def == managerAttr && strings.EqualFold(sk, "managerId") {
				// SCIM 1.1's name of the manager's id, which
				// OneLogin's enterprise template still sends: read as
				// value.
				if _, ok := sv.(string); ok || sv == nil {
					continue
				}
			}
			if err := checkAttr(prefix+def.Name+".", def.Sub, sk, sv); err != nil {
				return err
			}
		}
	case def.Type == Boolean:
		if _, ok := ParseBool(v); !ok {
			return fieldErr(prefix+def.Name, ScimInvalidValue, "expected a boolean, got %s", describe(v))
		}
	case def.Type == Integer:
		if _, ok := filterInt(v); !ok {
			return fieldErr(prefix+def.Name, ScimInvalidValue, "expected an integer, got %s", describe(v))
		}
	default:
		if _, ok := v.(string); !ok {
			return fieldErr(prefix+def.Name, ScimInvalidValue, "expected a string, got %s", describe(v))
		}
	}
	return nil
}

// FromRecord renders a row as a SCIM resource document, without
// meta.location, which the caller adds.
func (r *Resource) FromRecord(rec adapters.Record) map[string]any {
	// Room for every attribute, id, schemas, meta and the groups the
	// caller adds: built at its size, not grown.
	doc := make(map[string]any, len(r.attrs)+4)
	doc["id"] = r.ID(rec)
	schemas := []any{r.schemaValue}
	meta := map[string]any{"resourceType": r.nameValue}
	for _, a := range r.attrs {
		if a.kind == kindPassword {
			continue
		}
		v, ok := a.decode(rec[a.col.Name])
		if !ok {
			continue
		}
		if a.kind == kindManager {
			v = map[string]any{"value": r.Spec.IDPrefix + canonicalString(v)}
		}
		obj := doc
		if a.schema != r.Schema {
			ext, _ := obj[a.schema].(map[string]any)
			if ext == nil {
				ext = map[string]any{}
				obj[a.schema] = ext
				schemas = append(schemas, a.schema)
			}
			obj = ext
		}
		switch {
		case a.kind == kindMeta:
			meta[a.def.Name] = v
			continue
		case a.parent != nil:
			sub, _ := obj[a.parent.Name].(map[string]any)
			if sub == nil {
				sub = map[string]any{}
				obj[a.parent.Name] = sub
			}
			obj = sub
		case a.kind == kindSingle || a.single:
			v = []any{map[string]any{"value": v, "type": a.typValue, "primary": true}}
		}
		obj[a.def.Name] = v
	}
	if v := r.Version(rec); v != "" {
		meta["version"] = v
	}
	doc["schemas"] = schemas
	doc["meta"] = meta
	return doc
}

// ID returns the SCIM id of a row.
func (r *Resource) ID(rec adapters.Record) string {
	return r.Spec.IDPrefix + keyString(rec[r.Spec.Key])
}

// Key returns the key an id names: the id without the resource's id
// prefix; ok is false for an id without it, which names no row.
func (r *Resource) Key(id string) (key string, ok bool) {
	return strings.CutPrefix(id, r.Spec.IDPrefix)
}

// Schemas returns, per schema URN, the attribute definitions the mapping
// stores, for /Schemas: only what the application can hold is advertised.
func (r *Resource) Schemas() map[string][]*AttrDef {
	out := map[string][]*AttrDef{}
	parents := map[string]*AttrDef{}
	if r.HasMembers() {
		out[r.Schema] = append(out[r.Schema], groupSchema[1])
	}
	if r.groups {
		out[r.Schema] = append(out[r.Schema], userGroupsAttr)
	}
	for _, a := range r.attrs {
		if a.kind == kindMeta || a.def.Name == "externalId" {
			continue
		}
		d := *a.def
		d.Required = d.Required || a.required
		if a.kind == kindSingle || a.single {
			d.Sub = slices.Clone(a.def.Sub)
		}
		if a.list != nil {
			// A list stores values only: type, display and primary are
			// neither kept nor returned.
			d.Sub = []*AttrDef{a.def.sub("value")}
		}
		if a.parent == nil {
			out[a.schema] = append(out[a.schema], &d)
			continue
		}
		p, ok := parents[a.parent.Name]
		if !ok {
			cp := *a.parent
			cp.Sub = nil
			p = &cp
			parents[a.parent.Name] = p
			out[a.schema] = append(out[a.schema], p)
		}
		p.Sub = append(p.Sub, &d)
	}
	return out
}

// MemberIDs returns the member ids of a Group document's members attribute
// and reports whether the attribute is present. Each member needs a string
// value; display, type and $ref are ignored.
func MemberIDs(doc map[string]any) ([]string, bool, error) {
	v, ok := Get(doc, "members")
	if !ok {
		return nil, false, nil
	}
	ids, err := MemberValues(v)
	return ids, true, err
}

// MemberValues reads member ids from a members value: an array of
// {"value": id} objects (or a single one), as Okta and Entra send them.
func MemberValues(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	ids := make([]string, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fieldErr("members", ScimInvalidValue, "expected member objects with a value")
		}
		id, _ := Get(m, "value")
		s, ok := id.(string)
		if !ok || s == "" {
			return nil, fieldErr("members", ScimInvalidValue, "every member needs a string value (the user's id)")
		}
		ids = append(ids, s)
	}
	return ids, nil
}

// Ignored lists the attributes a write was asked to change (asked differs
// from before) that it did not change (after is as before): values the
// application cannot store as given, and a deactivation that
// ignoreDeactivation accepts without effect. before is nil for a create.
// Passwords, which are never read back, are never listed.
func (r *Resource) Ignored(before, asked, after map[string]any) []string {
	if before == nil {
		before = map[string]any{}
	}
	var out []string
	for _, a := range r.attrs {
		if a.kind == kindMeta || a.kind == kindPassword {
			continue
		}
		qv, qok := r.value(asked, a)
		if !qok {
			continue
		}
		bv, bok := r.value(before, a)
		av, aok := r.value(after, a)
		if !sameAttrFold(a, bv, bok, qv, qok) && sameAttr(a, bv, bok, av, aok) {
			out = append(out, a.path)
		}
	}
	if r.Name == "User" && r.active == nil {
		if v, ok := Get(asked, "active"); ok {
			if b, isBool := ParseBool(v); isBool && !b {
				out = append(out, "active")
			}
		}
	}
	slices.Sort(out)
	return out
}

// sameAttrFold is sameAttr that compares strings of attributes that are
// not caseExact without case, as the application's transforms and
// collations may store them.
func sameAttrFold(a *attr, bv any, bok bool, av any, aok bool) bool {
	if sameAttr(a, bv, bok, av, aok) {
		return true
	}
	bs, ok1 := bv.(string)
	as, ok2 := av.(string)
	return ok1 && ok2 && !a.def.CaseExact && strings.EqualFold(strings.TrimSpace(bs), strings.TrimSpace(as))
}

// primaryValue is the value of the primary entry of a multi-valued
// attribute's value, else of the first; nil when there is none.
func primaryValue(v any) any {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var first any
	for i, e := range list {
		m, _ := e.(map[string]any)
		val, _ := Get(m, "value")
		if i == 0 {
			first = val
		}
		if p, _ := Get(m, "primary"); p != nil {
			if b, _ := ParseBool(p); b {
				return val
			}
		}
	}
	return first
}

// copyValue is what a column keeping a copy of a value holds for v: the
// value, or, for none, NULL, the column's default, or an empty string.
func copyValue(ci adapters.ColumnInfo, v any) any {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	switch {
	case ci.Nullable:
		return nil
	case ci.HasDefault:
		return adapters.DBDefault
	}
	return ""
}
