package mapping

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

// kvTypes are the attribute types an entry of the key/value table can
// hold: its value column is text, and each type has a text form.
func kvType(a *attr) bool {
	d := a.def
	if a.kind == kindSingle {
		// One value of a multi-valued attribute, picked by its type.
		return true
	}
	if d.MultiValued {
		return false
	}
	switch d.Type {
	case String, Reference, Boolean, Integer, DateTime:
		return true
	}
	return false
}

// kvAttr compiles what an attribute stored with meta adds to the entry
// metaAttr made: the text a boolean is stored as, the entry's further
// scope columns, and the value a missing entry stands for.
func (c *compiler) kvAttr(ap string, r *Resource, a *attr, ac AttributeConfig) bool {
	kv := r.Spec.KV
	key := a.kvKey
	ok := true
	text := func(p string, v any) (string, bool) {
		sv := scalar(v)
		switch sv.(type) {
		case nil:
			c.add(p, "expected a scalar value (string or number)")
			return "", false
		case bool:
			c.add(p, "%v is a YAML boolean; expected the text the application stores, quoted: '%v' or '%d'", sv, sv, map[bool]int{true: 1, false: 0}[sv.(bool)])
			return "", false
		}
		return canonicalString(sv), true
	}
	if a.def.Type == Boolean {
		tv := ac.TrueValue
		if tv == nil && len(ac.TrueValues) > 0 {
			tv = ac.TrueValues[0]
		}
		switch {
		case ac.ActiveWhenNull:
			c.add(ap+".activeWhenNull", "an entry of the key/value table holds no timestamp; expected trueValue and falseValue, and whenMissing for an absent entry")
			return false
		case tv == nil || ac.FalseValue == nil:
			c.add(ap, "a boolean in the key/value table needs trueValue and falseValue: the text the application stores, such as 'true' and 'false' or '1' and '0'")
			return false
		}
		t, tok := text(ap+".trueValue", tv)
		f, fok := text(ap+".falseValue", ac.FalseValue)
		if !tok || !fok {
			return false
		}
		if t == f {
			c.add(ap+".falseValue", "%q is also trueValue; expected two different values", f)
			return false
		}
		a.trueV, a.falseV, a.mapped = t, f, true
		for i, v := range ac.TrueValues {
			s, sok := text(ap+".trueValues["+strconv.Itoa(i)+"]", v)
			switch {
			case !sok:
				ok = false
			case s == f:
				c.add(ap+".trueValues["+strconv.Itoa(i)+"]", "%q is also falseValue; expected values that read as true only", s)
				ok = false
			case s != t:
				a.trueVs = append(a.trueVs, s)
			}
		}
	}
	if len(ac.MetaScope) > 0 {
		extra := map[adapters.Column]any{}
		for _, col := range slices.Sorted(maps.Keys(ac.MetaScope)) {
			sp := ap + ".metaScope." + col
			ci, found := r.kvInfo.Column(adapters.Column(col))
			sv := scalar(ac.MetaScope[col])
			switch {
			case !found:
				c.add(sp, "%s", notInTable(col, string(kv.Table), r.kvInfo))
				ok = false
			case ci.Name == kv.Parent || ci.Name == kv.Key || ci.Name == kv.Value:
				c.add(sp, "column %q is the entries' parent, key or value; expected another column", col)
				ok = false
			case sv == nil:
				c.add(sp, "expected a scalar value (string, number or boolean)")
				ok = false
			default:
				if msg := valueFits(ci, sv); msg != "" {
					c.add(sp, "%s", msg)
					ok = false
					continue
				}
				if isIntColumn(ci) {
					sv, _ = intValue(sv)
				}
				extra[ci.Name] = sv
			}
		}
		if kv.KeyScope == nil {
			kv.KeyScope = map[string]map[adapters.Column]any{}
		}
		kv.KeyScope[key] = extra
	}
	if ac.WhenMissing != nil {
		wp := ap + ".whenMissing"
		s, sok := text(wp, ac.WhenMissing)
		if !sok {
			return false
		}
		if vc := r.kvValueCol(); vc.MaxLength > 0 && int64(len([]rune(s))) > vc.MaxLength {
			c.add(wp, "%q is longer than the %d characters of column %q", s, vc.MaxLength, vc.Name)
			return false
		}
		if a.def.Type == Boolean && s != a.trueV && s != a.falseV && !slices.Contains(a.trueVs, any(s)) {
			c.add(wp, "%q is neither trueValue nor falseValue; expected one of the values the application stores", s)
			return false
		}
		if _, decoded := a.decode(s); !decoded {
			c.add(wp, "%q reads as no value of %s; expected a value the application stores for it", s, a.path)
			return false
		}
		if kv.Missing == nil {
			kv.Missing = map[string]any{}
		}
		kv.Missing[key] = s
	}
	return ok
}

// finishKV settles the key/value table's scope once every attribute is
// compiled: a column that some key's metaScope sets apart from the
// table's scope leaves the table's scope and becomes every other key's
// own, so that each entry is matched by exactly its own constants.
func finishKV(kv *adapters.KVSpec) {
	if kv == nil || len(kv.KeyScope) == 0 {
		return
	}
	moved := map[adapters.Column]bool{}
	for _, extra := range kv.KeyScope {
		for c := range extra {
			if v, ok := kv.Scope[c]; !ok || !sameValue(v, extra[c]) {
				moved[c] = true
			}
		}
	}
	for c := range moved {
		v, shared := kv.Scope[c]
		delete(kv.Scope, c)
		for _, k := range kv.Keys {
			extra := kv.KeyScope[k]
			if _, own := extra[c]; own || !shared {
				continue
			}
			if extra == nil {
				extra = map[adapters.Column]any{}
				kv.KeyScope[k] = extra
			}
			extra[c] = v
		}
	}
	// Columns a key gives with the table's own value are the table's.
	for k, extra := range kv.KeyScope {
		for c, v := range extra {
			if tv, ok := kv.Scope[c]; ok && sameValue(tv, v) {
				delete(extra, c)
			}
		}
		if len(extra) == 0 {
			delete(kv.KeyScope, k)
		}
	}
}

// compareKV translates a comparison on an attribute kept in the key/value
// table into "the row has a matching entry", counting a missing entry as
// the value it stands for (whenMissing).
func (r *Resource) compareKV(a *attr, path, sub string, op adapters.Op, value any) (adapters.Expr, error) {
	kv := r.Spec.KV
	vc := r.kvValueCol()
	var isKey adapters.Expr = adapters.Compare{Column: kv.Key, Op: adapters.OpEq, Value: a.kvKey, Plain: true}
	extra := kv.KeyScope[a.kvKey]
	for _, c := range slices.Sorted(maps.Keys(extra)) {
		isKey = adapters.And{Left: isKey, Right: adapters.Compare{Column: c, Op: adapters.OpEq, Value: extra[c], Plain: true}}
	}
	entry := func(x adapters.Expr) adapters.Expr {
		return adapters.Exists{Child: "@kv", Where: adapters.And{Left: isKey, Right: x}}
	}
	present := entry(adapters.Compare{Column: vc.Name, Op: adapters.OpPr})
	missing, hasMissing := kv.Missing[a.kvKey]
	// matches reports whether the missing entry's value satisfies the
	// comparison, as the expression below does for stored ones.
	matches := func(op adapters.Op) bool {
		if !hasMissing {
			return false
		}
		v, ok := a.decode(missing)
		return ok && scalarMatches(a, v, op, value)
	}

	switch sub {
	case "", "value":
	case "type", "primary":
		// The one entry has a fixed type and is primary, as a column's
		// one value is: a comparison on them asks whether it is there.
		if op == adapters.OpPr {
			return present, nil
		}
		if op != adapters.OpEq && op != adapters.OpNe {
			return nil, fieldErr(path, ScimInvalidFilter, "only eq, ne and pr apply to %s", path)
		}
		var fixed any = a.typ
		if sub == "primary" {
			fixed = true
		}
		same := canonicalString(fixed) == canonicalString(value) || (sub == "type" && strings.EqualFold(canonicalString(fixed), canonicalString(value)))
		if same == (op == adapters.OpEq) {
			return present, nil
		}
		return adapters.Not{X: present}, nil
	default:
		return adapters.Const(op == adapters.OpNe), nil
	}
	if op == adapters.OpPr {
		if hasMissing {
			return adapters.Const(true), nil
		}
		return present, nil
	}
	var hit adapters.Expr
	switch a.def.Type {
	case Boolean:
		b, ok := ParseBool(value)
		if !ok || (op != adapters.OpEq && op != adapters.OpNe) {
			return nil, fieldErr(path, ScimInvalidFilter, "%s is a boolean: expected eq or ne with true or false", a.path)
		}
		var isTrue adapters.Expr = adapters.Compare{Column: vc.Name, Op: adapters.OpEq, Value: a.trueV, Plain: true}
		for _, v := range a.trueVs {
			isTrue = adapters.Or{Left: isTrue, Right: adapters.Compare{Column: vc.Name, Op: adapters.OpEq, Value: v, Plain: true}}
		}
		if b == (op == adapters.OpNe) {
			// false: an entry that is present and not a true value.
			isTrue = adapters.And{Left: adapters.Compare{Column: vc.Name, Op: adapters.OpPr}, Right: adapters.Not{X: isTrue}}
		}
		hit = entry(isTrue)
	case Integer:
		n, ok := filterInt(value)
		if !ok || op == adapters.OpCo || op == adapters.OpSw || op == adapters.OpEw {
			return nil, fieldErr(path, ScimInvalidFilter, "%s is an integer: expected eq, ne, gt, ge, lt or le with a number", a.path)
		}
		if op == adapters.OpNe {
			hit = adapters.Not{X: entry(adapters.Compare{Column: vc.Name, Op: adapters.OpEq, Value: n})}
		} else {
			hit = entry(adapters.Compare{Column: vc.Name, Op: op, Value: n})
		}
	case DateTime:
		return nil, fieldErr(path, ScimInvalidFilter, "%s is kept as text in the application's key/value table; only pr applies to it", a.path)
	default:
		if op == adapters.OpNe {
			// ne: not an entry equal to it (a missing entry is not equal).
			eq, err := r.compareValue(a, vc, path, adapters.OpEq, value)
			if err != nil {
				return nil, err
			}
			hit = adapters.Not{X: entry(eq)}
		} else {
			inner, err := r.compareValue(a, vc, path, op, value)
			if err != nil {
				return nil, err
			}
			hit = entry(inner)
		}
	}
	if !hasMissing {
		return hit, nil
	}
	if _, isNot := hit.(adapters.Not); isNot {
		// A negated match already holds for a missing entry.
		if matches(op) {
			return hit, nil
		}
		return adapters.And{Left: hit, Right: present}, nil
	}
	if matches(op) {
		return adapters.Or{Left: hit, Right: adapters.Not{X: present}}, nil
	}
	return hit, nil
}

// scalarMatches reports whether the SCIM value v of attribute a satisfies
// "v op value", comparing as the filter's SQL does.
func scalarMatches(a *attr, v any, op adapters.Op, value any) bool {
	switch a.def.Type {
	case Boolean:
		b, ok := ParseBool(value)
		got, _ := v.(bool)
		return ok && (got == b) == (op == adapters.OpEq)
	case Integer:
		n, ok := filterInt(value)
		got, gok := filterInt(v)
		if !ok || !gok {
			return false
		}
		return cmpMatches(cmpInt(got, n), op)
	}
	s, ok := value.(string)
	got := canonicalString(v)
	if !ok {
		return false
	}
	if !a.def.CaseExact {
		s, got = strings.ToLower(s), strings.ToLower(got)
	}
	switch op {
	case adapters.OpCo:
		return strings.Contains(got, s)
	case adapters.OpSw:
		return strings.HasPrefix(got, s)
	case adapters.OpEw:
		return strings.HasSuffix(got, s)
	}
	return cmpMatches(strings.Compare(got, s), op)
}

// cmpMatches reports whether a comparison result d satisfies op.
func cmpMatches(d int, op adapters.Op) bool {
	switch op {
	case adapters.OpEq:
		return d == 0
	case adapters.OpNe:
		return d != 0
	case adapters.OpGt:
		return d > 0
	case adapters.OpGe:
		return d >= 0
	case adapters.OpLt:
		return d < 0
	case adapters.OpLe:
		return d <= 0
	}
	return false
}

// textTimeLayouts are the forms a time kept as text takes: what
// scimbridge writes (the driver's DATETIME text), RFC 3339, and a date.
var textTimeLayouts = []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}

// textTime reads a time kept as text: one of textTimeLayouts, wall-clock
// times in loc (nil: UTC), or Unix seconds as digits.
func textTime(s string, loc *time.Location) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC().Format(time.RFC3339), true
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, l := range textTimeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC().Format(time.RFC3339), true
		}
	}
	return nil, false
}
