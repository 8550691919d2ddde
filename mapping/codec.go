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
			id, _ = Get(m, "value")
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
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
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
	if v == nil {
		if a.nullTrue {
			return true, true
		}
		return nil, false
	}
	if a.kind == kindChild {
		return a.decodeChild(v)
	}
	switch a.def.Type {
	case Boolean:
		if a.nullTrue {
			// 0 in an integer column is no time, as NULL is.
			n, isInt := integerOf(v)
			return isInt && n == 0, true
		}
		if a.mapped {
			if sameValue(v, a.trueV) {
				return true, true
			}
			for _, t := range a.trueVs {
				if sameValue(v, t) {
					return true, true
				}
			}
			return false, true
		}
		return canonicalString(v) != "0" && canonicalString(v) != "", true
	case DateTime:
		switch t := v.(type) {
		case time.Time:
			if t.IsZero() {
				return nil, false
			}
			if a.col.DataType == "datetime" && a.loc != nil {
				// A wall-clock time in the table's zone, read as if UTC.
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), a.loc)
			}
			return t.UTC().Format(time.RFC3339), true
		case int64:
			return a.unixTime(t).Format(time.RFC3339), true
		case uint64:
			if t > 1<<62 {
				return nil, false
			}
			return a.unixTime(int64(t)).Format(time.RFC3339), true
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
	if col.DataType == "datetime" && loc != nil {
		w := t.In(loc)
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	}
	return t.UTC()
}

// transform applies a column transform to a string.
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
