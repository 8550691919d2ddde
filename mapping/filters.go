package mapping

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

// Compare translates one filter comparison (RFC 7644 section 3.4.2.2) on a
// SCIM attribute path into an expression over the mapped columns. value is
// what the filter grammar produced: string, number, boolean or nil.
//
// An attribute the schema knows but the mapping does not store is
// unassigned on every row: pr and every comparison are false, ne is true.
// An attribute the schema does not know is refused with invalidFilter.
func (r *Resource) Compare(path string, op adapters.Op, value any) (adapters.Expr, error) {
	lp := strings.ToLower(path)
	if strings.HasPrefix(lp, strings.ToLower(r.Schema)+":") {
		lp = lp[len(r.Schema)+1:]
		path = path[len(r.Schema)+1:]
	}
	if lp == "id" {
		return r.compareKey(op, value)
	}
	if lp == "email" && r.Name == "User" {
		// PingOne's documented matching filter (email co "%s"): the User
		// schema has no email attribute, and the one it can mean is
		// emails.
		lp, path = "emails", "emails"
	}
	if a, ok := r.byPath[strings.TrimSuffix(lp, ".value")]; ok && a.kind == kindManager {
		return r.compareKeyColumn(a.col, path, op, value)
	}
	if a, ok := r.byPath[lp]; ok && a.kind == kindPassword {
		return nil, fieldErr(path, ScimInvalidFilter, "password cannot be filtered on")
	}
	if (r.HasMembers() && strings.HasPrefix(lp, "members")) || (r.groups && strings.HasPrefix(lp, "groups")) {
		return r.compareMembership(path, lp, op, value)
	}
	sub := ""
	a, ok := r.byPath[lp]
	if !ok {
		if base, s, cut := strings.Cut(lp, "."); cut {
			if m, ok2 := r.byPath[base]; ok2 && (m.kind == kindSingle || m.kind == kindChild || m.list != nil || m.single) {
				a, sub, ok = m, s, true
			}
		}
	}
	if ok && a.list != nil {
		return r.compareList(a, path, sub, op, value)
	}
	if ok && a.kind == kindChild {
		return r.compareChild(a, path, sub, op, value)
	}
	if ok && a.kind == kindKV {
		return r.compareKV(a, path, sub, op, value)
	}
	if !ok {
		if _, _, _, known := r.schemas.lookup(path); !known {
			return nil, fieldErr(path, ScimInvalidFilter, "unknown attribute in filter")
		}
		return adapters.Const(op == adapters.OpNe), nil
	}
	switch sub {
	case "", "value":
	case "type", "primary":
		// The one stored value has a fixed type and is primary.
		var fixed any = a.typ
		if sub == "primary" {
			fixed = true
		}
		present := adapters.Compare{Column: a.col.Name, Op: adapters.OpPr}
		if op == adapters.OpPr {
			return present, nil
		}
		match := (op == adapters.OpEq) == (canonicalString(fixed) == canonicalString(value) ||
			(sub == "type" && strings.EqualFold(canonicalString(fixed), canonicalString(value))))
		if op != adapters.OpEq && op != adapters.OpNe {
			return nil, fieldErr(path, ScimInvalidFilter, "only eq, ne and pr apply to %s", path)
		}
		if match {
			return present, nil
		}
		return adapters.Not{X: present}, nil
	default:
		return adapters.Const(op == adapters.OpNe), nil
	}
	col := a.col.Name
	if op == adapters.OpPr && a.def.Type == Boolean {
		// Every row reads as true or false (see readsTrue).
		return adapters.Const(true), nil
	}
	if op == adapters.OpPr {
		return adapters.Compare{Column: col, Op: op}, nil
	}
	switch a.def.Type {
	case Boolean:
		b, ok := ParseBool(value)
		if !ok || (op != adapters.OpEq && op != adapters.OpNe) {
			return nil, fieldErr(path, ScimInvalidFilter, "%s is a boolean: expected eq or ne with true or false", a.path)
		}
		if op == adapters.OpNe {
			b = !b
		}
		return a.boolFilter(b), nil
	case Integer:
		n, ok := filterInt(value)
		if !ok || op == adapters.OpCo || op == adapters.OpSw || op == adapters.OpEw {
			return nil, fieldErr(path, ScimInvalidFilter, "%s is an integer: expected eq, ne, gt, ge, lt or le with a number", a.path)
		}
		return adapters.Compare{Column: col, Op: op, Value: n}, nil
	case DateTime:
		s, _ := value.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || op == adapters.OpCo || op == adapters.OpSw || op == adapters.OpEw {
			return nil, fieldErr(path, ScimInvalidFilter, "%s is a dateTime: expected eq, ne, gt, ge, lt or le with an RFC 3339 time", a.path)
		}
		var v any = t.UTC()
		if isIntColumn(a.col) {
			v = a.timeValue(t)
		}
		return adapters.Compare{Column: col, Op: op, Value: v}, nil
	default:
		// Strings and references, below.
	}
	s, ok := value.(string)
	if !ok {
		if value == nil {
			return adapters.Compare{Column: col, Op: op, Value: nil}, nil
		}
		return nil, fieldErr(path, ScimInvalidFilter, "%s is a string: expected a quoted value", a.path)
	}
	if isIntColumn(a.col) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || op == adapters.OpCo || op == adapters.OpSw || op == adapters.OpEw {
			// No stored integer can equal or contain it.
			return adapters.Const(op == adapters.OpNe), nil
		}
		return adapters.Compare{Column: col, Op: op, Value: n}, nil
	}
	if a.lookup != nil && !a.def.CaseExact {
		return adapters.Compare{Column: a.lookup.col.Name, Op: op, Value: strings.ToLower(s), Plain: true}, nil
	}
	return adapters.Compare{Column: col, Op: op, Value: s, Fold: !a.def.CaseExact}, nil
}

func (r *Resource) compareKey(op adapters.Op, value any) (adapters.Expr, error) {
	if op == adapters.OpPr {
		return adapters.Const(true), nil
	}
	return r.compareKeyColumn(r.key, "id", op, value)
}

// compareKeyColumn compares a column holding keys (the key itself, or a
// manager reference) with an id from a filter.
func (r *Resource) compareKeyColumn(col adapters.ColumnInfo, path string, op adapters.Op, value any) (adapters.Expr, error) {
	if op == adapters.OpPr {
		return adapters.Compare{Column: col.Name, Op: op}, nil
	}
	var s string
	switch v := value.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case int, int64:
		s = canonicalString(v)
	default:
		return nil, fieldErr(path, ScimInvalidFilter, "expected a quoted id")
	}
	if r.Spec.IDPrefix != "" {
		k, ok := r.Key(s)
		if !ok || (op != adapters.OpEq && op != adapters.OpNe) {
			if op != adapters.OpEq && op != adapters.OpNe {
				return nil, fieldErr(path, ScimInvalidFilter, "ids of %s resources are compared with eq and ne only", r.Name)
			}
			return adapters.Const(op == adapters.OpNe), nil
		}
		s = k
	}
	if isIntColumn(col) {
		// Only the id as rendered names a row: "01" matches nothing.
		n, ok := parseKeyInt(s)
		if !ok || op == adapters.OpCo || op == adapters.OpSw || op == adapters.OpEw {
			return adapters.Const(op == adapters.OpNe), nil
		}
		return adapters.Compare{Column: col.Name, Op: op, Value: n}, nil
	}
	return adapters.Compare{Column: col.Name, Op: op, Value: s}, nil
}

// Order resolves a sortBy attribute path. ok is false for an attribute the
// schema knows but the mapping does not store (sorting by it is a no-op);
// an unknown attribute is a *FieldError.
func (r *Resource) Order(path string, descending bool) (o adapters.Order, ok bool, err error) {
	lp := strings.ToLower(path)
	if strings.HasPrefix(lp, strings.ToLower(r.Schema)+":") {
		lp = lp[len(r.Schema)+1:]
	}
	if lp == "id" {
		return adapters.Order{Column: r.Spec.Key, Descending: descending}, true, nil
	}
	lp = strings.TrimSuffix(lp, ".value")
	if a, found := r.byPath[lp]; found && a.list != nil {
		// A list has no primary value to sort by: in stored order.
		return o, false, nil
	} else if found && a.kind == kindPassword {
		return o, false, fieldErr(path, ScimInvalidValue, "password is write-only and cannot be sorted by")
	} else if found && a.kind == kindChild {
		// The primary value, else the first (RFC 7644 section 3.4.2.3).
		return adapters.Order{Column: a.child.name, Descending: descending, Fold: !a.def.CaseExact}, true, nil
	} else if found && a.kind == kindKV {
		return adapters.Order{Column: a.col.Name, Descending: descending, Fold: !a.def.CaseExact}, true, nil
	} else if found {
		if a.lookup != nil && !a.def.CaseExact {
			return adapters.Order{Column: a.lookup.col.Name, Descending: descending}, true, nil
		}
		return adapters.Order{Column: a.col.Name, Descending: descending, Fold: a.def.Type == String && !a.def.CaseExact}, true, nil
	}
	if _, _, _, known := r.schemas.lookup(path); !known {
		return o, false, fieldErr(path, ScimInvalidValue, "unknown attribute in sortBy")
	}
	return o, false, nil
}

// filterInt reads a whole number from a filter value.
func filterInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		if n >= 1<<63 {
			return 0, false
		}
		return int64(n), true //nolint:gosec // range checked above
	case float64:
		return int64(n), n == float64(int64(n))
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// kvValueCol is the key/value table's value column.
func (r *Resource) kvValueCol() adapters.ColumnInfo {
	vc, _ := r.kvInfo.Column(r.Spec.KV.Value)
	return vc
}

// compareValue compares a string attribute stored in column col.
func (r *Resource) compareValue(a *attr, col adapters.ColumnInfo, path string, op adapters.Op, value any) (adapters.Expr, error) {
	if op == adapters.OpPr {
		return adapters.Compare{Column: col.Name, Op: op}, nil
	}
	s, ok := value.(string)
	if !ok {
		if value == nil {
			return adapters.Compare{Column: col.Name, Op: op}, nil
		}
		return nil, fieldErr(path, ScimInvalidFilter, "%s is a string: expected a quoted value", a.path)
	}
	return adapters.Compare{Column: col.Name, Op: op, Value: s, Fold: !a.def.CaseExact}, nil
}

// compareChild translates a comparison on a multi-valued attribute held in
// a child table into "some child row matches".
func (r *Resource) compareChild(a *attr, path, sub string, op adapters.Op, value any) (adapters.Expr, error) {
	cc := a.child
	var inner adapters.Expr
	switch sub {
	case "", "value":
		e, err := r.compareValue(a, *cc.value, path, op, value)
		if err != nil {
			return nil, err
		}
		inner = e
	case "type", "display":
		ci := cc.typ
		if sub == "display" {
			ci = cc.display
		}
		if ci == nil && sub == "type" && a.typ != "" {
			// Every row has the attribute's fixed type: the comparison
			// holds for all of them or none.
			if op != adapters.OpEq && op != adapters.OpNe && op != adapters.OpPr {
				return nil, fieldErr(path, ScimInvalidFilter, "only eq, ne and pr apply to %s", path)
			}
			s, _ := value.(string)
			same := strings.EqualFold(s, a.typ)
			if op == adapters.OpPr || op == adapters.OpEq && same || op == adapters.OpNe && !same {
				return adapters.Exists{Child: cc.name, Where: adapters.Const(true)}, nil
			}
			return adapters.Const(false), nil
		}
		if ci == nil {
			return adapters.Const(op == adapters.OpNe), nil
		}
		e, err := r.compareValue(a, *ci, path, op, value)
		if err != nil {
			return nil, err
		}
		inner = e
	case "primary":
		if cc.primary == nil {
			return adapters.Const(op == adapters.OpNe), nil
		}
		b, ok := ParseBool(value)
		if op == adapters.OpPr {
			b, ok = true, true
		} else if !ok || (op != adapters.OpEq && op != adapters.OpNe) {
			return nil, fieldErr(path, ScimInvalidFilter, "primary is a boolean: expected eq or ne with true or false")
		}
		isSet := adapters.Not{X: adapters.Or{
			Left:  adapters.Compare{Column: cc.primary.Name, Op: adapters.OpEq, Value: int64(0)},
			Right: adapters.Compare{Column: cc.primary.Name, Op: adapters.OpEq},
		}}
		if b {
			inner = isSet
		} else {
			inner = adapters.Not{X: isSet}
		}
		if op == adapters.OpNe {
			return adapters.Not{X: adapters.Exists{Child: cc.name, Where: isSet}}, nil
		}
	default:
		return nil, fieldErr(path, ScimInvalidFilter, "%s has no sub-attribute %s", a.def.Name, sub)
	}
	if op == adapters.OpNe && sub != "primary" {
		eq, _ := r.compareChild(a, path, sub, adapters.OpEq, value)
		return adapters.Not{X: eq}, nil
	}
	return adapters.Exists{Child: cc.name, Where: inner}, nil
}

// compareMembership translates a filter on a group's members or a user's
// groups (members.value eq "2819c223", members pr, groups.value eq "g-7")
// into a membership test. Only the ids can be compared, with eq, ne and
// pr: display names are not stored with the membership.
func (r *Resource) compareMembership(path, lp string, op adapters.Op, value any) (adapters.Expr, error) {
	attr, sub, _ := strings.Cut(lp, ".")
	if (attr != "members" && attr != "groups") || (sub != "" && sub != "value") {
		return nil, fieldErr(path, ScimInvalidFilter, "%s can be filtered by value only, such as %s.value eq \"id\"", attr, attr)
	}
	// A list SQL cannot search (a PHP array, a JSON object) is read and
	// decoded by the store instead.
	test := func(ids []string) adapters.Expr {
		if attr == "members" {
			return adapters.HasMember{IDs: ids}
		}
		return adapters.MemberOf{IDs: ids}
	}
	if op == adapters.OpPr {
		return test(nil), nil
	}
	id, ok := value.(string)
	if !ok || (op != adapters.OpEq && op != adapters.OpNe) {
		return nil, fieldErr(path, ScimInvalidFilter, "%s.value is compared with eq or ne and a quoted id, or tested with pr", attr)
	}
	if op == adapters.OpNe {
		return adapters.Not{X: test([]string{id})}, nil
	}
	return test([]string{id}), nil
}
