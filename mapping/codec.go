package mapping

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/adapters"
)

// encode converts a SCIM JSON value (as decoded with UseNumber) to the value
// stored in the attribute's column.
func (a *attr) encode(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch {
	case a.kind == kindPassword:
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fieldErr(a.path, ScimInvalidValue, "expected a non-empty string")
		}
		h, err := a.hash.hash(s)
		if err != nil {
			return nil, err
		}
		if limit := a.col.MaxLength; limit > 0 && int64(len(h)) > limit {
			return nil, fieldErr(a.path, ScimInvalidValue, "the %s hash does not fit the application's column", a.hash.kind)
		}
		return h, nil
	case a.kind == kindManager:
		id := v
		if m, ok := v.(map[string]any); ok {
			var has bool
			if id, has = Get(m, "value"); !has {
				// SCIM 1.1's managerId (OneLogin's template).
				id, _ = Get(m, "managerId")
			}
		}
		s, _ := id.(string)
		if s == "" {
			return nil, nil
		}
		if a.idPrefix != "" {
			k, ok := strings.CutPrefix(s, a.idPrefix)
			if !ok {
				return nil, fieldErr(a.path, ScimInvalidValue, "no User has the id %q", s)
			}
			s = k
		}
		if isIntColumn(a.col) {
			n, ok := parseKeyInt(s)
			if !ok {
				return nil, fieldErr(a.path, ScimInvalidValue, "no User has the id %q", s)
			}
			return n, nil
		}
		return s, nil
	case a.kind == kindChild:
		return a.encodeChild(v)
	case a.def.Type == Integer:
		i, ok := filterInt(v)
		if !ok {
			return nil, fieldErr(a.path, ScimInvalidValue, "expected an integer, got %s", describe(v))
		}
		return i, nil
	}
	switch a.def.Type {
	case Boolean:
		b, ok := ParseBool(v)
		if !ok {
			return nil, fieldErr(a.path, ScimInvalidValue, "expected a boolean, got %s", describe(v))
		}
		switch {
		case a.nullTrue && b && isIntColumn(a.col):
			// The integer convention (Mattermost's DeleteAt = 0): no
			// time is 0.
			return int64(0), nil
		case a.nullTrue && b:
			return nil, nil
		case a.nullTrue:
			return a.timeValue(adapters.Now()), nil
		case a.mapped && b:
			return a.trueV, nil
		case a.mapped:
			return a.falseV, nil
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	case DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, fieldErr(a.path, ScimInvalidValue, "expected a dateTime string, got %s", describe(v))
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fieldErr(a.path, ScimInvalidValue, "expected an RFC 3339 dateTime such as 2024-01-31T12:00:00Z")
		}
		return a.timeValue(t), nil
	default:
		s, ok := v.(string)
		if !ok {
			return nil, fieldErr(a.path, ScimInvalidValue, "expected a string, got %s", describe(v))
		}
		s = transform(a.xform, s)
		if a.def.Uniqueness == "server" && s != strings.TrimSpace(s) {
			// userName, a Group's displayName: " alice" would be a
			// second account beside "alice", or no one the application
			// can find. Trimmed only where the mapping says so.
			return nil, fieldErr(a.path, ScimInvalidValue, "must not begin or end with white space (the mapping can declare transform: trim to store it trimmed)")
		}
		if isIntColumn(a.col) {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, fieldErr(a.path, ScimInvalidValue, "this application stores %s as an integer; %q is not one", a.path, s)
			}
			return n, nil
		}
		if !utf8.ValidString(s) {
			return nil, fieldErr(a.path, ScimInvalidValue, "not valid UTF-8")
		}
		if limit := a.col.MaxLength; limit > 0 && int64(utf8.RuneCountInString(s)) > limit {
			return nil, fieldErr(a.path, ScimInvalidValue, "longer than the %d characters this application stores", limit)
		}
		return s, nil
	}
}

// decode converts a column value to its SCIM JSON value; ok is false when
// the attribute is unassigned (NULL, or an empty string).
func (a *attr) decode(v any) (out any, ok bool) {
	if a.list != nil {
		return a.decodeList(v)
	}
	if v == nil {
		if a.def.Type == Boolean && a.kind != kindChild {
			// Every row has a value: NULL means what readsTrue says.
			return a.readsTrue(nil), true
		}
		return nil, false
	}
	if a.kind == kindChild {
		return a.decodeChild(v)
	}
	switch a.def.Type {
	case Boolean:
		return a.readsTrue(v), true
	case DateTime:
		switch t := v.(type) {
		case time.Time:
			if t.IsZero() {
				return nil, false
			}
			return a.instant(t).Format(time.RFC3339), true
		case int64:
			return a.unixTime(t).Format(time.RFC3339), true
		case uint64:
			if t > 1<<62 {
				return nil, false
			}
			return a.unixTime(int64(t)).Format(time.RFC3339), true
		case string:
			// Text: an entry of a key/value table.
			return textTime(t, a.loc)
		}
		return nil, false
	case Integer:
		switch n := v.(type) {
		case int64:
			return n, true
		case uint64:
			return n, true
		}
		i, err := strconv.ParseInt(canonicalString(v), 10, 64)
		return i, err == nil
	default:
		if s, ok := v.(string); ok {
			// Already a string, as text columns are read: the value
			// itself, not a copy of it boxed again.
			return v, s != ""
		}
		s := canonicalString(v)
		if s == "" {
			return nil, false
		}
		return s, true
	}
}

// readsTrue is the one rule that says what a stored value of a boolean
// attribute means; decode reads by it, the filter boolFilter builds selects
// exactly the rows it calls true, and compile refuses a mapping whose
// trueValue would not read as true or whose falseValue would:
//
//   - activeWhenNull: NULL is true, any other value (a time) is false;
//   - trueValue, trueValues and falseValue: a stored value equal to
//     trueValue or one of trueValues is true; anything else is false,
//     falseValue, NULL and values the mapping does not name alike (check
//     lists those stored). Equal means integers as numbers and text
//     character for character: 'Active' and 'active ' are not 'active',
//     whatever the column's collation says;
//   - a numeric flag: NULL and 0 are false, any other number true.
//
// Reading an unknown value as false keeps the IdP from believing that a
// user it never enabled can sign in; check warns of such rows.
func (a *attr) readsTrue(v any) bool {
	switch {
	case a.nullTrue:
		// NULL, or 0 in an integer column (Mattermost's DeleteAt), is
		// no time.
		if v == nil {
			return true
		}
		n, isInt := integerOf(v)
		return isInt && n == 0
	case v == nil:
		return false
	case a.mapped:
		if a.storedEqual(v, a.trueV) {
			return true
		}
		for _, t := range a.trueVs {
			if a.storedEqual(v, t) {
				return true
			}
		}
		return false
	}
	if n, ok := intValue(v); ok {
		return n != 0
	}
	s := canonicalString(v)
	return s != "0" && s != ""
}

// storedEqual reports whether two values of the attribute's column are
// the same stored value: integers as numbers, text character for
// character (as the Exact filter compares it).
func (a *attr) storedEqual(x, y any) bool {
	if isIntColumn(a.col) || a.col.Kind == adapters.KindBit {
		nx, okx := intValue(x)
		ny, oky := intValue(y)
		if okx && oky {
			return nx == ny
		}
	}
	return canonicalString(x) == canonicalString(y)
}

// boolFilter is the filter expression for "attribute eq b", selecting
// exactly the rows readsTrue calls b.
func (a *attr) boolFilter(b bool) adapters.Expr {
	col := a.col.Name
	var isTrue adapters.Expr
	switch {
	case a.nullTrue && isIntColumn(a.col):
		// 0 is no time, as NULL is (Mattermost's DeleteAt).
		isTrue = adapters.Or{
			Left:  adapters.Compare{Column: col, Op: adapters.OpEq, Value: nil},
			Right: adapters.Compare{Column: col, Op: adapters.OpEq, Value: int64(0)},
		}
	case a.nullTrue:
		isTrue = adapters.Compare{Column: col, Op: adapters.OpEq, Value: nil}
	case a.mapped:
		isTrue = adapters.Compare{Column: col, Op: adapters.OpEq, Value: a.trueV, Exact: true}
		for _, v := range a.trueVs {
			isTrue = adapters.Or{Left: isTrue, Right: adapters.Compare{Column: col, Op: adapters.OpEq, Value: v, Exact: true}}
		}
	default:
		// Compare is never NULL: NOT (col = 0) holds for a NULL col, so
		// NULL is excluded here explicitly.
		isTrue = adapters.Not{X: adapters.Or{
			Left:  adapters.Compare{Column: col, Op: adapters.OpEq, Value: int64(0)},
			Right: adapters.Compare{Column: col, Op: adapters.OpEq, Value: nil},
		}}
	}
	if b {
		return isTrue
	}
	return adapters.Not{X: isTrue}
}

// verifyStored returns the check the store runs on every write before it
// commits (adapters.TableSpec.Verify): each boolean attribute written
// (active) must read back from the row as stored as it was written, so
// that a write the database converted, or a trigger undid, is an error
// and never a 200 that reports a state the application does not have.
// Other attributes are not checked: applications legitimately rewrite
// them (a trigger that upper-cases a name).
func (r *Resource) verifyStored() func(written, stored adapters.Record) error {
	var bools []*attr
	for _, a := range r.attrs {
		if a.kind == kindSimple && a.def.Type == Boolean && a.col.Name != "" {
			bools = append(bools, a)
		}
	}
	if len(bools) == 0 {
		return nil
	}
	return func(written, stored adapters.Record) error {
		for _, a := range bools {
			w, ok := written[a.col.Name]
			if !ok || w == adapters.DBDefault {
				continue
			}
			got, read := stored[a.col.Name]
			if !read {
				continue
			}
			want := a.readsTrue(w)
			if a.readsTrue(got) != want {
				return fmt.Errorf("%w: %s was set to %v, but the row as stored reads %v (column %s holds %s)",
					adapters.ErrNotStored, a.path, want, !want, a.col.Name, describeStored(got))
			}
			also := a.onFalse
			if want {
				also = a.onTrue
			}
			for _, x := range also {
				got, read := stored[x.col.Name]
				if _, wrote := written[x.col.Name]; !wrote || !read {
					continue
				}
				if (got == nil) != (x.value == nil) || got != nil && canonicalString(got) != canonicalString(x.value) {
					return fmt.Errorf("%w: %s was set to %v, which writes %s to column %s, but the row as stored holds %s",
						adapters.ErrNotStored, a.path, want, describeStored(x.value), x.col.Name, describeStored(got))
				}
			}
		}
		return nil
	}
}

// describeStored shows a stored value in a log line: short, and NULL as
// NULL.
func describeStored(v any) string {
	if v == nil {
		return "NULL"
	}
	s := canonicalString(v)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "..."
	}
	return strconv.Quote(s)
}

// ActiveColumn is the column the active attribute is read from, when it
// is a value map or a flag whose stored values check should count (not an
// activeWhenNull time, whose every value has a meaning).
func (r *Resource) ActiveColumn() (adapters.Column, bool) {
	if r.active == nil || r.active.nullTrue || r.active.kind != kindSimple || isJoinedColumn(r.active.col) {
		return "", false
	}
	return r.active.col.Name, true
}

// IntTime is an integer column holding a time, as the mapping reads it.
type IntTime struct {
	Path   string // the YAML path of the attribute or mark
	Column adapters.Column
	Millis bool // read as Unix milliseconds, else seconds
}

// IntTimes lists the resource's integer columns that hold times
// (dateTime attributes, meta times, activeWhenNull), for check to compare
// their stored values with their unit.
func (r *Resource) IntTimes() []IntTime {
	var out []IntTime
	for _, a := range r.attrs {
		if a.kind != kindSimple && a.kind != kindMeta || !isIntColumn(a.col) || a.def == nil {
			continue
		}
		if a.def.Type != DateTime && !a.nullTrue {
			continue
		}
		out = append(out, IntTime{Path: fmt.Sprintf("resources.%s.attributes[%q]", r.Name, a.path), Column: a.col.Name, Millis: a.ms})
	}
	return out
}

// TimeUnitWarning judges the least non-zero and greatest values stored in
// an integer time column: values of 1e11 and more are milliseconds (1e11
// seconds is the year 5138), smaller ones seconds (1e11 milliseconds is
// March 1973).
func TimeUnitWarning(t IntTime, least, greatest int64) string {
	const millis = 100_000_000_000
	switch {
	case !t.Millis && greatest >= millis:
		return fmt.Sprintf("%s: column %s is read as Unix seconds, but holds %d, a time in milliseconds (as seconds, the year %d); expected timeUnit: milliseconds", t.Path, t.Column, greatest, time.Unix(greatest, 0).UTC().Year())
	case t.Millis && least < millis:
		return fmt.Sprintf("%s: column %s is read as Unix milliseconds, but holds %d, a time in seconds (as milliseconds, %s); expected timeUnit: seconds, or the column's values repaired", t.Path, t.Column, least, time.UnixMilli(least).UTC().Format("2006-01-02"))
	}
	return ""
}

// ActiveReport judges the values stored in the active column (counted by
// check over the rows in scope): how many rows read as active and as
// inactive, and, as warnings, the values the mapping names as neither
// true nor false, which read as inactive.
func (r *Resource) ActiveReport(counts []adapters.ValueCount, more int64) (info string, warnings []string) {
	a := r.active
	var on, off int64
	var unknown []string
	var unknownRows int64
	for _, vc := range counts {
		if a.readsTrue(vc.Value) {
			on += vc.Rows
			continue
		}
		off += vc.Rows
		if a.mapped && vc.Value != nil && a.storedEqual(vc.Value, a.falseV) || !a.mapped && vc.Value != nil {
			continue
		}
		unknownRows += vc.Rows
		unknown = append(unknown, fmt.Sprintf("%s (%d %s)", describeStored(vc.Value), vc.Rows, plural(vc.Rows, "row", "rows")))
	}
	info = fmt.Sprintf("%s.active: %d %s read as active, %d as inactive", r.Name, on, plural(on, "row", "rows"), off)
	if more > 0 {
		info += fmt.Sprintf(", %d more in values not counted", more)
	}
	if len(unknown) > 0 {
		what := "neither trueValue, trueValues nor falseValue"
		if !a.mapped {
			what = "NULL, not a 0/1 flag value"
		}
		warnings = append(warnings, fmt.Sprintf("resources.%s.attributes[\"active\"]: column %s holds values that are %s, on %d %s, which read as inactive: %s; expected them mapped (trueValues) or changed in the application",
			r.Name, a.col.Name, what, unknownRows, plural(unknownRows, "row", "rows"), strings.Join(unknown, ", ")))
	}
	return info, warnings
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ParseBool accepts a JSON boolean or the strings "true" and "false" in any
// case, which Entra sends.
func ParseBool(v any) (value, ok bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func sameValue(a, b any) bool { return canonicalString(a) == canonicalString(b) }

func canonicalString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		// The key and integer columns: as fmt.Sprint writes them, without
		// its reflection.
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case int:
		return strconv.Itoa(x)
	}
	return fmt.Sprint(v)
}

// describe names a JSON value's type for error messages, without echoing
// the value.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int64, int:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// keyString renders a key column value as a SCIM id.
func keyString(v any) string { return canonicalString(v) }

// parseKeyInt reads an integer key from an id, or the key part of one,
// only as keyString renders it: decimal digits without a sign, leading
// zeros or spaces. "01", "+1" and " 1" name no row, so that only the id
// the server renders names a resource.
func parseKeyInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	var buf [20]byte // the comparison allocates nothing
	return n, err == nil && string(strconv.AppendInt(buf[:0], n, 10)) == s
}

// timeValue converts an instant to what the attribute's column stores: Unix
// seconds for an integer column, the wall-clock time in the table's zone for
// DATETIME, the instant itself for TIMESTAMP (the session runs in UTC).
func (a *attr) timeValue(t time.Time) any {
	if a.ms && isIntColumn(a.col) {
		return t.UnixMilli()
	}
	return storedTime(a.col, a.loc, t)
}

// unixTime reads an integer column's time, in the attribute's unit.
// instant returns the instant a time read from the attribute's column
// names, in UTC.
func (a *attr) instant(t time.Time) time.Time {
	if a.col.Kind == adapters.KindTime && a.col.LocalTime && a.loc != nil {
		// A wall-clock time in the table's zone, read as if UTC.
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), a.loc)
	}
	return t.UTC()
}

func (a *attr) unixTime(n int64) time.Time {
	if a.ms {
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// integerOf returns an integer column's value as an int64.
func integerOf(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		return int64(n), n < 1<<63 //nolint:gosec // range checked
	}
	i, err := strconv.ParseInt(canonicalString(v), 10, 64)
	return i, err == nil
}

// storedTime converts an instant to the value a column of that type
// stores, with DATETIME columns holding wall-clock time in loc.
func storedTime(col adapters.ColumnInfo, loc *time.Location, t time.Time) any {
	if isIntColumn(col) {
		return t.Unix()
	}
	if isStringColumn(col) {
		// Text (an entry of a key/value table): the DATETIME form, UTC.
		return t.UTC().Format("2006-01-02 15:04:05")
	}
	if col.Kind == adapters.KindTime && col.LocalTime && loc != nil {
		w := t.In(loc)
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	}
	return t.UTC()
}

// Transforms are the names of the column transforms (AttributeConfig's
// and ColumnConfig's transform, and the steps of a template's
// {userName|lower|localpart}), in the order messages and the reference
// list them. A new transform is a name here and a case of transform.
var Transforms = []string{"lower", "upper", "trim", "localpart", "domain"}

// transformNames lists Transforms for a message: "lower, upper, trim,
// localpart or domain".
func transformNames() string {
	n := len(Transforms)
	return strings.Join(Transforms[:n-1], ", ") + " or " + Transforms[n-1]
}

// transform applies a column transform, one of Transforms, to a string.
func transform(x, s string) string {
	switch x {
	case "lower":
		return strings.ToLower(s)
	case "upper":
		return strings.ToUpper(s)
	case "trim":
		return strings.TrimSpace(s)
	case "localpart":
		// The part of an address before its last @ (all of a value
		// without one), as mail servers keep local_part.
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			return s[:i]
		}
	case "domain":
		// The part after the last @, or nothing.
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			return s[i+1:]
		}
		return ""
	}
	return s
}

// encodeChild turns a multi-valued attribute into child rows.
func (a *attr) encodeChild(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	cc := a.child
	rows := make([]adapters.Record, 0, len(list))
	primaries := 0
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fieldErr(a.path, ScimInvalidValue, "expected an array of objects")
		}
		row := adapters.Record{}
		val, _ := Get(m, "value")
		s, ok := val.(string)
		if !ok || s == "" {
			return nil, fieldErr(a.path+".value", ScimInvalidValue, "every %s entry needs a string value", a.def.Name)
		}
		put := func(sub string, ci *adapters.ColumnInfo, s string) error {
			if limit := ci.MaxLength; limit > 0 && int64(utf8.RuneCountInString(s)) > limit {
				return fieldErr(a.path+"."+sub, ScimInvalidValue, "longer than the %d characters this application stores", limit)
			}
			row[ci.Name] = s
			return nil
		}
		if err := put("value", cc.value, s); err != nil {
			return nil, err
		}
		for _, x := range cc.also {
			if err := put("value", &x.col, transform(x.xform, s)); err != nil {
				return nil, err
			}
		}
		if cc.typ != nil {
			if t, _ := Get(m, "type"); t != nil {
				ts, ok := t.(string)
				if !ok {
					return nil, fieldErr(a.path+".type", ScimInvalidValue, "expected a string")
				}
				if err := put("type", cc.typ, ts); err != nil {
					return nil, err
				}
			} else {
				row[cc.typ.Name] = nil
			}
		}
		if cc.display != nil {
			if d, _ := Get(m, "display"); d != nil {
				ds, ok := d.(string)
				if !ok {
					return nil, fieldErr(a.path+".display", ScimInvalidValue, "expected a string")
				}
				if err := put("display", cc.display, ds); err != nil {
					return nil, err
				}
			} else {
				row[cc.display.Name] = nil
			}
		}
		if cc.primary != nil {
			p, _ := Get(m, "primary")
			b, _ := ParseBool(p)
			if b {
				primaries++
				row[cc.primary.Name] = int64(1)
			} else {
				row[cc.primary.Name] = int64(0)
			}
		}
		rows = append(rows, row)
	}
	if primaries > 1 {
		return nil, fieldErr(a.path, ScimInvalidValue, "more than one primary %s; RFC 7643 allows one", a.def.Name)
	}
	return rows, nil
}

// decodeChild turns child rows into the multi-valued attribute.
func (a *attr) decodeChild(v any) (any, bool) {
	rows, _ := v.([]adapters.Record)
	if len(rows) == 0 {
		return nil, false
	}
	cc := a.child
	out := make([]any, 0, len(rows))
	for _, row := range rows {
		m := map[string]any{"value": canonicalString(row[cc.value.Name])}
		if cc.typ == nil && a.typ != "" {
			// No type column: every row is of the attribute's type.
			m["type"] = a.typ
		} else if cc.typ != nil && row[cc.typ.Name] != nil {
			m["type"] = canonicalString(row[cc.typ.Name])
		}
		if cc.display != nil && row[cc.display.Name] != nil {
			m["display"] = canonicalString(row[cc.display.Name])
		}
		if cc.primary != nil {
			if p := canonicalString(row[cc.primary.Name]); p != "" && p != "0" {
				m["primary"] = true
			}
		}
		out = append(out, m)
	}
	return out, true
}
