package mapping

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// omittedValues checks the whenOmitted value of each attribute that has
// one: it must be a value the attribute takes, through the same codec as
// a value sent, and one its column holds. An attribute with one is not
// required on create.
func (c *compiler) omittedValues(r *Resource) {
	for _, a := range r.attrs {
		if a.omittedAt == "" {
			continue
		}
		p := a.omittedAt
		shown := fmt.Sprint(a.omitted)
		if s, ok := a.omitted.(string); ok {
			shown = strconv.Quote(s)
		}
		switch {
		case a.def.Required:
			c.add(p, "%s is required by the SCIM schema, so a create always gives it; expected no whenOmitted", a.path)
			a.omittedAt = ""
			continue
		case a.kind != kindSimple && a.kind != kindKV || a.list != nil || a.single:
			c.add(p, "applies only to a single-valued attribute stored in a column or meta entry (such as active or title); %s is not one", a.path)
			a.omittedAt = ""
			continue
		}
		v, ok := jsonScalar(a.omitted)
		if !ok {
			c.add(p, "expected a scalar SCIM value (a boolean, string or number), not %s", describe(a.omitted))
			a.omittedAt = ""
			continue
		}
		enc, err := a.encode(v)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				c.add(p, "%s is not a value of %s: %s", shown, a.path, fe.Detail)
			} else {
				c.add(p, "%s is not a value of %s: %v", shown, a.path, err)
			}
			a.omittedAt = ""
			continue
		}
		if a.kind != kindKV && enc != nil && !isTimeColumn(a.col) {
			if msg := valueFits(a.col, enc); msg != "" {
				c.add(p, "%s is stored as %v, which the column cannot hold: %s", shown, enc, msg)
				a.omittedAt = ""
				continue
			}
		}
		if enc == nil && a.kind != kindKV && !a.col.Nullable && !a.nullTrue {
			c.add(p, "%s is stored as NULL, but column %q is NOT NULL; expected a value it holds", shown, a.col.Name)
			a.omittedAt = ""
			continue
		}
		a.omitted = v
		a.required = false
	}
}

// jsonScalar converts a YAML scalar to the value a JSON document decoded
// with UseNumber would hold: numbers as json.Number, times as RFC 3339
// text.
func jsonScalar(v any) (any, bool) {
	switch x := v.(type) {
	case string, bool:
		return x, true
	case int:
		return json.Number(strconv.Itoa(x)), true
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	case uint64:
		return json.Number(strconv.FormatUint(x, 10)), true
	case float64:
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64)), true
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), true
	}
	return nil, false
}

// omittedValue returns the value a create gives attribute a when the
// document leaves it out (or null), and whether it has one.
func (a *attr) omittedValue() (any, bool) {
	return a.omitted, a.omittedAt != ""
}
