package mapping

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/adapters"
)

// Delete policies beyond those an operator names: a soft delete is given
// as delete: {mark: ...}.
const (
	// DeleteSoft marks the row deleted; it leaves the scope but stays.
	DeleteSoft = "soft"
)

var (
	idPrefixRE = regexp.MustCompile(`^[A-Za-z0-9._~:-]+$`)
	// typedValueRE matches an attribute path that picks one entry of a
	// multi-valued attribute by type: emails[type eq "work"].value.
	typedValueRE = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9]*)\s*\[\s*type\s+eq\s+"([^"]+)"\s*\]\s*\.\s*value\s*$`)
)

// shareable reports whether an attribute may share its column with
// another: one string value, written as it is.
func shareable(a *attr) bool {
	switch a.kind {
	case kindSingle:
		return true
	case kindSimple:
		return a.def.Type == String || a.def.Type == Reference
	}
	return false
}

// defaultRules says which computed defaults (generate: next, copy) a
// table's defaults section takes, and how they resolve.
type defaultRules struct {
	// pers are the owners generate: next may name with per, the first
	// being the default; empty where per is not taken.
	pers []string
	// noNext, when set, is why generate: next is refused here.
	noNext string
	// copy resolves the source of copy: at path: the column copied, the
	// row it is of (adapters.CopyRow, CopyUser, CopyGroup) and its
	// description; false after reporting a problem. Nil where copy is
	// not taken.
	copy func(path, from string) (adapters.Column, string, adapters.ColumnInfo, bool)
}

// tableDefaults compiles a defaults section for a table: the defaults, and
// which columns they cover. column resolves a column of the table,
// reporting a problem for a missing one.
func (c *compiler) tableDefaults(path string, cfg map[string]DefaultConfig, column func(p, col string) (adapters.ColumnInfo, bool), rules defaultRules) ([]adapters.Default, map[adapters.Column]bool) {
	var out []adapters.Default
	covered := map[adapters.Column]bool{}
	for _, col := range slices.Sorted(maps.Keys(cfg)) {
		d := cfg[col]
		dp := path + "." + col
		ci, ok := column(dp, col)
		def := adapters.Default{Column: adapters.Column(col)}
		switch {
		case d.Generate != "" && d.Value != nil:
			c.add(dp, "both value and generate given; expected one of them")
			continue
		case d.Copy != "" && (d.Generate != "" || d.Value != nil):
			c.add(dp, "copy given with value or generate; expected one of them")
			continue
		case d.Per != "" && d.Generate != GenerateNext:
			c.add(dp+".per", "applies only to generate: next")
			continue
		case d.Copy != "":
			if !c.copyDefault(dp, d, &def, ci, ok, rules) {
				continue
			}
		case d.Generate == GenerateNext:
			if !c.nextDefault(dp, d, &def, ci, ok, rules) {
				continue
			}
		case d.Generate == GenerateNow:
			def.Kind = adapters.DefaultNow
			if ok && !isTimeColumn(ci) && !isIntColumn(ci) {
				c.add(dp, "generate: now needs a DATETIME, TIMESTAMP or integer column; %q is %s", col, ci.ColumnType)
			}
			def.Milliseconds = c.timeUnit(dp+".timeUnit", d.TimeUnit, ci, ok)
		case d.TimeUnit != "":
			c.add(dp+".timeUnit", "applies only to generate: now")
			continue
		case d.Generate == GenerateUUID && d.Length == 0:
			def.Kind = adapters.DefaultUUID
			if ok && (!isStringColumn(ci) || (ci.MaxLength > 0 && ci.MaxLength < 36)) {
				c.add(dp, "generate: uuid needs a character column of at least 36 characters; %q is %s", col, ci.ColumnType)
			}
		case d.Generate != "":
			g, valid := c.generator(dp, adapters.Generator{Kind: d.Generate, Length: d.Length}, ci, ok, "now, ")
			if !valid {
				continue
			}
			def.Kind, def.Gen = adapters.DefaultGenerated, g
		case d.Value == nil:
			c.add(dp, "no value; expected {value: ...}, {generate: now|uuid|next} or {copy: column}")
			continue
		default:
			def.Kind, def.Value = adapters.DefaultConstant, scalar(d.Value)
			if def.Value == nil {
				c.add(dp+".value", "expected a scalar value (string, number or boolean)")
				continue
			}
			if ok {
				if msg := valueFits(ci, def.Value); msg != "" {
					c.add(dp+".value", "%s", msg)
					continue
				}
			}
		}
		covered[def.Column] = true
		out = append(out, def)
	}
	return out, covered
}

// copyOwn resolves copy: sources among the columns of the row itself,
// which column resolves: a column the insert writes, neither assigned
// after it (AUTO_INCREMENT) nor a copy itself.
func (c *compiler) copyOwn(cfg map[string]DefaultConfig, column func(p, col string) (adapters.ColumnInfo, bool)) func(path, from string) (adapters.Column, string, adapters.ColumnInfo, bool) {
	return func(path, from string) (adapters.Column, string, adapters.ColumnInfo, bool) {
		if strings.HasPrefix(from, "user.") || strings.HasPrefix(from, "group.") {
			c.add(path, "%q names a member's user or group, which only members.defaults have; expected a column of the row", from)
			return "", "", adapters.ColumnInfo{}, false
		}
		ci, ok := column(path, from)
		switch {
		case !ok:
			return "", "", ci, false
		case ci.AutoIncrement:
			c.add(path, "column %q is AUTO_INCREMENT, assigned only after the insert; expected a column the insert writes", from)
			return "", "", ci, false
		case cfg[from].Copy != "":
			c.add(path, "column %q is a copy itself; expected the column it copies", from)
			return "", "", ci, false
		}
		return ci.Name, adapters.CopyRow, ci, true
	}
}

// copyMember resolves copy: sources of a membership row: user.<column>
// of the users' table or group.<column> of the groups'.
func (c *compiler) copyMember(uinfo adapters.TableInfo, uok bool, ginfo adapters.TableInfo, gok bool) func(path, from string) (adapters.Column, string, adapters.ColumnInfo, bool) {
	return func(path, from string) (adapters.Column, string, adapters.ColumnInfo, bool) {
		side, col, _ := strings.Cut(from, ".")
		info, known := uinfo, uok
		switch {
		case side == adapters.CopyUser && col != "":
		case side == adapters.CopyGroup && col != "":
			info, known = ginfo, gok
		default:
			c.add(path, "%q names no user or group column; expected user.<column> (a column of the member's user row) or group.<column>", from)
			return "", "", adapters.ColumnInfo{}, false
		}
		if !known {
			return "", "", adapters.ColumnInfo{}, false
		}
		ci, ok := info.Column(adapters.Column(col))
		if !ok {
			c.add(path, "%s", notInTable(col, string(info.Name), info))
			return "", "", ci, false
		}
		return ci.Name, side, ci, true
	}
}

// nextDefault compiles generate: next at path into def, for column ci
// (when known), reporting whether it is valid.
func (c *compiler) nextDefault(path string, d DefaultConfig, def *adapters.Default, ci adapters.ColumnInfo, known bool, rules defaultRules) bool {
	switch {
	case rules.noNext != "":
		c.add(path+".generate", "%s", rules.noNext)
		return false
	case d.Length != 0 || d.TimeUnit != "":
		c.add(path, "generate: next takes no length or timeUnit")
		return false
	case d.Per != "" && len(rules.pers) == 0:
		c.add(path+".per", "the owner is implied here (the parent row, or the whole table within its scope); expected no per")
		return false
	case d.Per != "" && !slices.Contains(rules.pers, d.Per):
		c.add(path+".per", "unknown owner %q; expected %s", d.Per, strings.Join(rules.pers, " or "))
		return false
	case known && !isIntColumn(ci):
		c.add(path+".generate", "generate: next counts in an integer column; %q is %s", ci.Name, ci.ColumnType)
		return false
	}
	def.Kind, def.Per = adapters.DefaultNext, d.Per
	if def.Per == "" && len(rules.pers) > 0 {
		def.Per = rules.pers[0]
	}
	return true
}

// copyDefault compiles copy: at path into def, for column ci (when
// known), reporting whether it is valid.
func (c *compiler) copyDefault(path string, d DefaultConfig, def *adapters.Default, ci adapters.ColumnInfo, known bool, rules defaultRules) bool {
	if d.Length != 0 || d.TimeUnit != "" {
		c.add(path, "copy takes no length or timeUnit")
		return false
	}
	if rules.copy == nil {
		c.add(path+".copy", "not available for these rows; expected copy in the defaults of a resource, a joined table or members")
		return false
	}
	from, row, src, ok := rules.copy(path+".copy", d.Copy)
	if !ok {
		return false
	}
	if known {
		if msg := copyFits(ci, src); msg != "" {
			c.add(path+".copy", "%s", msg)
			return false
		}
		if row != adapters.CopyRow && src.Nullable && !ci.Nullable {
			// A member's row is copied whatever it holds.
			c.add(path+".copy", "column %q of the %s may be NULL, but %q is NOT NULL; expected a NOT NULL column to copy, or a nullable one to copy into", src.Name, row, ci.Name)
			return false
		}
		if row == adapters.CopyRow && src.Nullable && !ci.Nullable && !ci.HasDefault {
			c.warn = append(c.warn, fmt.Sprintf("%s.copy: column %q may be NULL or left out of an insert, and %q is NOT NULL without a default: such a create is refused with 400", path, src.Name, ci.Name))
		}
	}
	def.Kind, def.From, def.FromRow = adapters.DefaultCopy, from, row
	return true
}

// copyFits says why column to cannot hold the values of column from, or
// "": a character column must be at least as long (or hold text of any
// length), an integer column at least as wide, a time column must take a
// time, and any other type must be the same.
func copyFits(to, from adapters.ColumnInfo) string {
	switch {
	case to.Kind == adapters.KindEnum || to.Kind == adapters.KindSet:
		if to.ColumnType != from.ColumnType {
			return fmt.Sprintf("column %q is %s and %q is %s; expected a column of the same type", to.Name, to.ColumnType, from.Name, from.ColumnType)
		}
	case isStringColumn(to):
		if !isStringColumn(from) && !isIntColumn(from) && !isTimeColumn(from) {
			return fmt.Sprintf("column %q is %s and cannot hold %q's values (%s); expected a character, integer or time column to copy", to.Name, to.ColumnType, from.Name, from.ColumnType)
		}
		if to.MaxLength > 0 && isStringColumn(from) && (from.MaxLength == 0 || from.MaxLength > to.MaxLength) {
			return fmt.Sprintf("column %q is %s, shorter than %q (%s), so a copy could be cut off; expected a column at least as long", to.Name, to.ColumnType, from.Name, from.ColumnType)
		}
	case isIntColumn(to):
		if !isIntColumn(from) {
			return fmt.Sprintf("column %q is %s and cannot hold %q's values (%s); expected an integer column to copy", to.Name, to.ColumnType, from.Name, from.ColumnType)
		}
		tlo, thi, ok1 := intRange(to)
		flo, fhi, ok2 := intRange(from)
		if ok1 && ok2 && (flo < tlo || fhi > thi) {
			return fmt.Sprintf("column %q is %s, narrower than %q (%s); expected an integer column at least as wide", to.Name, to.ColumnType, from.Name, from.ColumnType)
		}
	case isTimeColumn(to):
		if !isTimeColumn(from) {
			return fmt.Sprintf("column %q is %s and cannot hold %q's values (%s); expected a DATETIME, TIMESTAMP or DATE column to copy", to.Name, to.ColumnType, from.Name, from.ColumnType)
		}
	case to.DataType != from.DataType:
		return fmt.Sprintf("column %q is %s and %q is %s; expected a column of the same type", to.Name, to.ColumnType, from.Name, from.ColumnType)
	}
	return ""
}

// generator checks a generator given at path for column ci (when known):
// a kind that exists, a length where it takes one, and values that fit
// the column. others lists further choices for the message.
func (c *compiler) generator(path string, g adapters.Generator, ci adapters.ColumnInfo, known bool, others string) (adapters.Generator, bool) {
	switch {
	case !slices.Contains(adapters.GeneratorKinds, g.Kind):
		c.add(path+".generate", "unknown generator %q; expected %s%s", g.Kind, others, strings.Join(adapters.GeneratorKinds, ", "))
		return g, false
	case g.Sized() && (g.Length <= 0 || g.Length > 255):
		c.add(path+".length", "%s needs a length between 1 and 255 (such as {generate: %s, length: 26}); got %d", g.Kind, g.Kind, g.Length)
		return g, false
	case !g.Sized() && g.Length != 0:
		c.add(path+".length", "%s values have %d characters; expected no length", g.Kind, g.Size())
		return g, false
	case !known:
		return g, true
	case isIntColumn(ci):
		c.add(path+".generate", "%s makes text, but %q is %s; expected generate: auto (an AUTO_INCREMENT key) or a character column", g.Kind, ci.Name, ci.ColumnType)
		return g, false
	case !ci.IsFreeText():
		c.add(path+".generate", "%s makes text, but %q is %s; expected a character column", g.Kind, ci.Name, ci.ColumnType)
		return g, false
	case ci.MaxLength > 0 && int64(g.Size()) > ci.MaxLength:
		c.add(path+".generate", "%s values have %d characters, but %q holds %d (%s); expected a shorter generator or a wider column", g.Kind, g.Size(), ci.Name, ci.MaxLength, ci.ColumnType)
		return g, false
	}
	return g, true
}

// timeUnit checks the unit of a time kept in column ci (when known) and
// reports whether it is milliseconds: a unit applies only to an integer
// column, whose times are otherwise Unix seconds.
func (c *compiler) timeUnit(path, unit string, ci adapters.ColumnInfo, known bool) bool {
	switch {
	case unit == "":
		return false
	case unit != TimeSeconds && unit != TimeMilliseconds:
		c.add(path, "unknown unit %q; expected seconds or milliseconds", unit)
		return false
	case known && !isIntColumn(ci):
		c.add(path, "column %q is %s, which holds times itself; expected timeUnit only for a time kept in an integer column", ci.Name, ci.ColumnType)
		return false
	}
	return unit == TimeMilliseconds
}

// valueFits reports why a constant cannot be stored in a column exactly,
// or "": what the database would refuse, or (in a session that is not
// strict) silently convert into another value. An integer column takes
// integers in its type's range, a BIT(n) column what n bits hold, an ENUM
// column one of its values, a character column what fits its length.
func valueFits(ci adapters.ColumnInfo, v any) string {
	switch {
	case isIntColumn(ci) || ci.Kind == adapters.KindBit:
		// The type without a display width, which servers spell
		// differently (tinyint(4), tinyint).
		typ := ci.DataType
		if ci.Unsigned {
			typ += " unsigned"
		}
		n, ok := intValue(v)
		if !ok {
			return fmt.Sprintf("column %q is %s; expected an integer, not %v", ci.Name, typ, v)
		}
		if lo, hi, ok := intRange(ci); ok && (n < lo || uint64(n) > hi && n >= 0) {
			return fmt.Sprintf("column %q is %s, which holds %d to %d; %v is out of its range", ci.Name, typ, lo, hi, v)
		}
	case ci.Kind == adapters.KindEnum:
		s := canonicalString(v)
		vals := ci.Members
		// Exactly: the database would store 'ON' as 'on', which then
		// reads as another value.
		if !slices.Contains(vals, s) {
			return fmt.Sprintf("column %q is %s; expected one of its values as written there, not %q", ci.Name, ci.ColumnType, s)
		}
	case isStringColumn(ci):
		s := canonicalString(v)
		if ci.MaxLength > 0 && int64(utf8.RuneCountInString(s)) > ci.MaxLength {
			return fmt.Sprintf("%q is longer than the %d characters of column %q", s, ci.MaxLength, ci.Name)
		}
		if ci.DropsTrailingSpaces && strings.HasSuffix(s, " ") {
			return fmt.Sprintf("column %q is %s, which drops trailing spaces; expected %q without them", ci.Name, ci.ColumnType, s)
		}
	}
	return ""
}

// intRange returns the smallest and largest value an integer or BIT
// column holds; ok is false when the type is not known.
func intRange(ci adapters.ColumnInfo) (lo int64, hi uint64, ok bool) { return ci.IntRange() }

// intValue reads an integer from a YAML scalar: a number, a numeric
// string, or a boolean as 0/1.
func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return filterInt(v)
}

// scopeCond is one compiled scope condition and whether inserts are known
// to satisfy it.
type scopeCond struct {
	adapters.Condition
	col adapters.ColumnInfo
}

// conditions compiles the conditions of one scope column.
func (c *compiler) conditions(path string, ci adapters.ColumnInfo, v ScopeValue) []scopeCond {
	var out []scopeCond
	add := func(op adapters.CondOp, vals ...any) {
		out = append(out, scopeCond{Condition: adapters.Condition{Column: ci.Name, Op: op, Values: vals}, col: ci})
	}
	values := func(key string, list []any) ([]any, bool) {
		if len(list) == 0 {
			c.add(path+"."+key, "empty list; expected at least one value")
			return nil, false
		}
		out := make([]any, 0, len(list))
		for i, e := range list {
			sv, ok := c.condValue(fmt.Sprintf("%s.%s[%d]", path, key, i), ci, e)
			if !ok {
				return nil, false
			}
			out = append(out, sv)
		}
		return out, true
	}
	if v.In != nil {
		if vals, ok := values("in", v.In); ok {
			add(adapters.CondIn, vals...)
		}
	}
	if v.NotIn != nil {
		if vals, ok := values("notIn", v.NotIn); ok {
			add(adapters.CondNotIn, vals...)
		}
	}
	if v.IsNull != nil {
		if *v.IsNull {
			add(adapters.CondNull)
		} else {
			add(adapters.CondNotNull)
		}
		if *v.IsNull && !ci.Nullable {
			c.add(path+".isNull", "column %q is NOT NULL, so no row would be in scope", ci.Name)
		}
	}
	for _, b := range []struct {
		key string
		op  adapters.CondOp
		v   any
	}{{"ne", adapters.CondNe, v.Ne}, {"lt", adapters.CondLt, v.Lt}, {"le", adapters.CondLe, v.Le}, {"gt", adapters.CondGt, v.Gt}, {"ge", adapters.CondGe, v.Ge}} {
		if b.v == nil {
			continue
		}
		if sv, ok := c.condValue(path+"."+b.key, ci, b.v); ok {
			add(b.op, sv)
		}
	}
	if len(out) == 0 && !c.probs.has(path) {
		c.add(path, "no condition; expected a constant or one of in, notIn, isNull, ne, lt, le, gt, ge")
	}
	return out
}

// has reports whether a problem was already reported at or under path.
func (ps ProblemsError) has(path string) bool {
	for _, p := range ps {
		if strings.HasPrefix(p.Path, path) {
			return true
		}
	}
	return false
}

// condValue checks and normalises one value of a condition on column ci.
func (c *compiler) condValue(path string, ci adapters.ColumnInfo, v any) (any, bool) {
	sv := scalar(v)
	if sv == nil {
		c.add(path, "expected a scalar value (string, number or boolean)")
		return nil, false
	}
	if isIntColumn(ci) || ci.Kind == adapters.KindBit {
		n, ok := intValue(sv)
		if !ok {
			c.add(path, "column %q is %s; expected an integer, not %v", ci.Name, ci.ColumnType, sv)
			return nil, false
		}
		return n, true
	}
	return sv, true
}

// holds reports whether a value (nil for NULL) satisfies a condition on a
// column, comparing as the column does: numbers as numbers, text under a
// case-insensitive collation without case.
func holds(cond adapters.Condition, ci adapters.ColumnInfo, v any) bool {
	eq := func(a, b any) bool { return compareValues(ci, a, b) == 0 }
	switch cond.Op {
	case adapters.CondIn:
		return v != nil && slices.ContainsFunc(cond.Values, func(x any) bool { return eq(v, x) })
	case adapters.CondNotIn:
		return v == nil || !slices.ContainsFunc(cond.Values, func(x any) bool { return eq(v, x) })
	case adapters.CondNull:
		return v == nil
	case adapters.CondNotNull:
		return v != nil
	case adapters.CondNe:
		return v == nil || !eq(v, cond.Values[0])
	}
	if v == nil {
		return false
	}
	d := compareValues(ci, v, cond.Values[0])
	switch cond.Op {
	case adapters.CondLt:
		return d < 0
	case adapters.CondLe:
		return d <= 0
	case adapters.CondGt:
		return d > 0
	case adapters.CondGe:
		return d >= 0
	}
	return false
}

// compareValues orders two values as column ci compares them.
func compareValues(ci adapters.ColumnInfo, a, b any) int {
	if x, ok := intValue(a); ok && !isStringColumn(ci) {
		if y, ok := intValue(b); ok {
			return cmpInt(x, y)
		}
	}
	sa, sb := canonicalString(a), canonicalString(b)
	if ci.CaseInsensitive() {
		sa, sb = strings.ToLower(sa), strings.ToLower(sb)
	}
	return strings.Compare(sa, sb)
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// resourceScope compiles a resource's scope: constants into Spec.Scope,
// conditions into Spec.Conditions, and whether inserts must be verified
// against them. byCol maps columns to the attributes written to them.
func (c *compiler) resourceScope(path string, r *Resource, rc ResourceConfig, column func(p, col string) (adapters.ColumnInfo, bool), written map[adapters.Column]string, byCol map[adapters.Column]*attr) {
	r.Spec.Scope = map[adapters.Column]any{}
	for _, col := range slices.Sorted(maps.Keys(rc.Scope)) {
		v := rc.Scope[col]
		sp := path + ".scope." + col
		ci, ok := column(sp, col)
		if v.Constant {
			sv := scalar(v.Const)
			if sv == nil {
				c.add(sp, "expected a scalar value (string, number or boolean), or conditions such as {in: [0, 1]}")
				continue
			}
			if ok {
				if msg := valueFits(ci, sv); msg != "" {
					c.add(sp, "%s", msg)
					continue
				}
			}
			r.Spec.Scope[adapters.Column(col)] = sv
			if prev, dup := written[adapters.Column(col)]; dup {
				c.add(sp, "column %q is also mapped by %s; a scope column is fixed", col, prev)
			}
			continue
		}
		if !ok {
			continue
		}
		for _, sc := range c.conditions(sp, ci, v) {
			if a := byCol[ci.Name]; a != nil {
				if msg := c.writesInScope(a, sc); msg != "" {
					c.add(sp, "column %q is also mapped by %s, which %s; expected a condition every value it writes satisfies", col, a.path, msg)
					break
				}
			}
			r.Spec.Conditions = append(r.Spec.Conditions, sc.Condition)
			r.conds = append(r.conds, sc)
		}
	}
}

// writesInScope reports how attribute a could write a value outside
// condition sc, or "".
func (c *compiler) writesInScope(a *attr, sc scopeCond) string {
	var vals []any
	switch {
	case a.nullTrue:
		if !holds(sc.Condition, sc.col, nil) {
			return "writes NULL for an active user"
		}
		if isIntColumn(sc.col) {
			vals = []any{adapters.Now().Unix()}
		} else if sc.Op != adapters.CondNotNull && sc.Op != adapters.CondNotIn && sc.Op != adapters.CondNe {
			return "writes the time of deactivation"
		}
	case a.mapped:
		vals = []any{a.trueV, a.falseV}
	case a.def.Type == Boolean:
		vals = []any{int64(0), int64(1)}
	case a.kind == kindSimple || a.kind == kindSingle:
		// The value is the client's, written as given: checkScope
		// refuses one outside the condition with 400 before anything
		// is written (a name the application reserves: GLPI's
		// glpi-system, with name: {ne: glpi-system}).
		return ""
	default:
		return "can write any value"
	}
	for _, v := range vals {
		if !holds(sc.Condition, sc.col, v) {
			return fmt.Sprintf("writes %v", v)
		}
	}
	return ""
}

// insertProven reports whether every insert satisfies the resource's
// conditions by the mapping alone: a default that satisfies it, a NULL
// that does, or, for an attribute with a value map, both its values
// satisfy it and the column's default is covered by a mapping default.
func (r *Resource) insertProven(covered map[adapters.Column]bool) bool {
	for _, sc := range r.conds {
		var def *adapters.Default
		for i := range r.Spec.Defaults {
			if r.Spec.Defaults[i].Column == sc.Column {
				def = &r.Spec.Defaults[i]
			}
		}
		switch {
		case def != nil && def.Kind == adapters.DefaultConstant && holds(sc.Condition, sc.col, def.Value):
		case !covered[sc.Column] && sc.col.Nullable && !sc.col.HasDefault && holds(sc.Condition, sc.col, nil) && !slices.ContainsFunc(r.attrs, func(a *attr) bool { return a.col.Name == sc.Column }):
		default:
			return false
		}
	}
	return true
}

// checkDefaultsInScope reports defaults that would put new rows outside a
// condition.
func (c *compiler) checkDefaultsInScope(path string, r *Resource) {
	for _, d := range r.Spec.Defaults {
		if d.Kind != adapters.DefaultConstant {
			continue
		}
		for _, sc := range r.conds {
			if sc.Column == d.Column && !holds(sc.Condition, sc.col, d.Value) {
				c.add(path+".defaults."+string(d.Column), "%v is outside the scope's condition on %s, so every new row would be invisible; expected a value in scope", d.Value, d.Column)
			}
		}
	}
}

// deletePolicy compiles what DELETE does.
func (c *compiler) deletePolicy(path string, r *Resource, rc ResourceConfig, column func(p, col string) (adapters.ColumnInfo, bool), byCol map[adapters.Column]*attr) {
	dc := rc.Delete
	dp := path + ".delete"
	if dc.Mark == nil {
		if dc.Release != "" {
			c.add(dp+".release", "a release renames a soft-deleted row; expected it with delete.mark")
		}
		if dc.Memberships != "" {
			c.add(dp+".memberships", "says what a soft delete does to memberships; expected it with delete.mark")
		}
		if dc.UniqueAmong != "" {
			c.add(dp+".uniqueAmong", "applies to a soft delete, whose deleted rows stay; expected it with delete.mark")
		}
		switch dc.Policy {
		case "":
			r.Delete = DefaultUserDelete
			if r.Name == "Group" {
				r.Delete = DefaultGroupDelete
			} else {
				c.warn = append(c.warn, fmt.Sprintf("%s: not set, so DELETE /%ss answers 405; expected hard, a soft delete {mark: ...}, or refuse to say so", dp, r.Name))
			}
		case DeleteHard, DeleteRefuse:
			r.Delete = dc.Policy
		case DeleteDeactivate:
			r.Delete = dc.Policy
			if r.active == nil && !r.given["active"] {
				c.add(dp, "deactivate needs the active attribute mapped; expected active: <column> or delete: hard|refuse")
			} else {
				c.warn = append(c.warn, fmt.Sprintf("%s: deactivate is not RFC 7644 behaviour: a deleted %s stays visible (inactive) instead of answering 404; a soft delete {mark: ...} keeps the row and is", dp, r.Name))
			}
		case DeleteSoft:
			c.add(dp, "a soft delete needs its mark; expected {mark: {column: ..., value: ...}}")
		default:
			c.add(dp, "unknown policy %q; expected hard, deactivate, refuse, or a soft delete {mark: {column, value}}", dc.Policy)
		}
		return
	}
	m := dc.Mark
	mp := dp + ".mark"
	ci, ok := column(mp+".column", m.Column)
	if !ok {
		return
	}
	sd := &adapters.SoftDelete{Column: ci.Name}
	switch dc.Memberships {
	case "", "remove":
	case "keep":
		sd.KeepMemberships = true
	default:
		c.add(dp+".memberships", "unknown choice %q; expected remove or keep", dc.Memberships)
	}
	mark, ms, ok := c.markOf(mp, ci, m.Generate, m.Value, m.TimeUnit, "a row that is not deleted")
	if !ok {
		return
	}
	sd.Now, sd.Value = mark.Now, mark.Value
	if ms {
		r.Spec.Milliseconds = append(r.Spec.Milliseconds, ci.Name)
	}
	if _, scoped := r.Spec.Scope[ci.Name]; scoped || slices.ContainsFunc(r.Spec.Conditions, func(x adapters.Condition) bool { return x.Column == ci.Name }) {
		c.add(mp+".column", "column %q is in the scope; the mark adds its own condition (not deleted), expected it out of the scope", ci.Name)
		return
	}
	if a := byCol[ci.Name]; a != nil {
		switch {
		case a != r.active:
			c.add(mp+".column", "column %q is mapped by %s; expected a column only the mark writes, or the active attribute's status column", ci.Name, a.path)
			return
		case sd.Now || a.nullTrue || !a.mapped:
			c.add(mp+".column", "column %q is the active attribute's too, so a deleted row could not be told from an inactive one; expected a mark value that active never writes (a status such as deleted)", ci.Name)
			return
		}
		for _, v := range append([]any{a.trueV, a.falseV}, a.trueVs...) {
			if sameValue(v, sd.Value) {
				c.add(mp+".value", "%v is what active writes or reads as true; expected a value that marks deleted rows only (such as deleted)", v)
				return
			}
		}
	}
	if dc.Release != "" {
		c.release(dp+".release", r, sd, dc.Release)
	}
	switch dc.UniqueAmong {
	case "", UniqueAmongAll:
	case UniqueAmongLive:
		if dc.Release != "" {
			c.add(dp+".uniqueAmong", "live lets a new row take a deleted row's name, which release renames for the same end; expected one of them")
			break
		}
		sd.UniqueAmongLive = true
		c.liveUniqueIndexes(dp+".uniqueAmong", r, sd.Column)
	default:
		c.add(dp+".uniqueAmong", "unknown value %q; expected all or live", dc.UniqueAmong)
	}
	r.Spec.SoftDelete = sd
	r.Delete = DeleteSoft
}

var releasePlaceholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// release compiles the rename of a soft-deleted row's identifying
// attribute (userName, or a Group's displayName) and its further columns.
func (c *compiler) release(path string, r *Resource, sd *adapters.SoftDelete, tmpl string) {
	for _, ph := range releasePlaceholderRE.FindAllString(tmpl, -1) {
		if ph != "{value}" && ph != "{id}" {
			c.add(path, "unknown placeholder %s; expected {value} and {id}", ph)
			return
		}
	}
	if !strings.Contains(tmpl, "{id}") {
		c.add(path, "%q has no {id}, so two deletions of one name would collide; expected something like \"{value}#deleted-{id}\"", tmpl)
		return
	}
	name := "username"
	if r.Name == "Group" {
		name = "displayname"
	}
	a, ok := r.byPath[name]
	if !ok && r.given[name] {
		// Its own mistake is reported.
		return
	}
	if !ok || a.kind != kindSimple || isJoinedColumn(a.col) {
		c.add(path, "%s is not mapped to a column of %s; expected it mapped to release it", name, r.Spec.Table)
		return
	}
	xf := func(x string) func(string) string {
		if x == "" {
			return nil
		}
		return func(s string) string { return transform(x, s) }
	}
	sd.Release = append(sd.Release, adapters.Release{Column: a.col.Name, Template: tmpl, Transform: xf(a.xform), MaxLength: a.col.MaxLength})
	for _, x := range a.extra {
		sd.Release = append(sd.Release, adapters.Release{Column: x.col.Name, Template: tmpl, Transform: xf(x.xform), MaxLength: x.col.MaxLength})
	}
	if isIntColumn(a.col) {
		c.add(path, "%s is stored as an integer in %q; a renamed value would not fit", name, a.col.Name)
	}
}

// joinWarnings reports joins between columns of different types or
// collations: from refers to the key to (a membership's user column to
// the users key).
func (c *compiler) joinWarnings(path, what string, from, to adapters.ColumnInfo, fromTable, toTable adapters.Table) {
	switch {
	case isIntColumn(from) != isIntColumn(to):
		c.warn = append(c.warn, fmt.Sprintf("%s: %s.%s is %s but %s.%s is %s: the join compares them as numbers and cannot use an index on the character column", path, fromTable, from.Name, from.ColumnType, toTable, to.Name, to.ColumnType))
	case from.Collation != "" && to.Collation != "" && from.Collation != to.Collation:
		c.warn = append(c.warn, fmt.Sprintf("%s: %s %s.%s is %s but %s.%s is %s: scimbridge converts %s (COLLATE %s) so that the index on %s.%s still serves the lookups", path, what, fromTable, from.Name, from.Collation, toTable, to.Name, to.Collation, "the other side", to.Collation, toTable, to.Name))
	}
}

// joinable reports why column from cannot refer to key column to, or "".
func joinable(from, to adapters.ColumnInfo) string {
	ok := func(ci adapters.ColumnInfo) bool { return isIntColumn(ci) || isStringColumn(ci) }
	if !ok(from) || !ok(to) {
		return fmt.Sprintf("column %q is %s and %q is %s; expected integer or character columns", from.Name, from.ColumnType, to.Name, to.ColumnType)
	}
	return ""
}

// idsOverlap reports why the ids of two resources could be equal, or ""
// when they cannot: RFC 7643 section 3.1 wants an id unique across all of
// a service provider's resources, and an IdP that stores "7" cannot tell
// the user 7 from the group 7.
func idsOverlap(a, b *Resource) string {
	if b.IsFixed() {
		return fixedIDsOverlap(a, b)
	}
	if a.Spec.Table == b.Spec.Table && a.Spec.Key == b.Spec.Key {
		return "" // one table, one key: told apart by its scope
	}
	pa, pb := a.Spec.IDPrefix, b.Spec.IDPrefix
	if pa != "" && pb != "" && !strings.HasPrefix(pa, pb) && !strings.HasPrefix(pb, pa) {
		return ""
	}
	if a.Spec.KeyKind == adapters.KeyUUID && b.Spec.KeyKind == adapters.KeyUUID && pa == pb {
		return "" // random UUIDs do not collide
	}
	// With one prefix empty, the other resource's ids start with it;
	// they overlap only if a key of the unprefixed one can too.
	switch {
	case pa == "" && pb != "":
		if !keyCanStartWith(a, pb) {
			return ""
		}
	case pb == "" && pa != "":
		if !keyCanStartWith(b, pa) {
			return ""
		}
	}
	return fmt.Sprintf("%s ids (%s keys of %s) and %s ids (%s keys of %s) can be equal",
		a.Name, keyKindWord(a), a.Spec.Table, b.Name, keyKindWord(b), b.Spec.Table)
}

// keyCanStartWith reports whether a key of r, as an id, can start with p.
func keyCanStartWith(r *Resource, p string) bool {
	switch {
	case isIntColumn(r.key):
		return strings.Trim(p, "-0123456789") == "" && !strings.Contains(strings.TrimPrefix(p, "-"), "-")
	case r.Spec.KeyKind == adapters.KeyUUID:
		return strings.Trim(p, "-0123456789abcdef") == ""
	}
	return true
}

func keyKindWord(r *Resource) string {
	switch {
	case r.Spec.KeyKind == adapters.KeyUUID:
		return "UUID"
	case isIntColumn(r.key):
		return "integer"
	}
	return "character"
}

// shareExtras gives every attribute of a shared column the further
// columns (and lower-cased lookup column) that one of them declares: they
// belong to the column, whichever attribute writes it. Uniqueness and
// index notes follow the lookup column.
func (c *compiler) shareExtras(r *Resource, info adapters.TableInfo, fixed []adapters.Column) {
	for _, a := range r.attrs {
		if len(a.shared) == 0 || len(a.extra) > 0 {
			continue
		}
		for _, o := range a.shared {
			if len(o.extra) > 0 {
				a.extra, a.lookup = o.extra, o.lookup
			}
		}
		if a.lookup == nil {
			continue
		}
		a.index = leadingIndex(info, a.lookup.col.Name, fixed...)
		if a.def.Uniqueness == "server" && !a.def.CaseExact {
			for i, u := range r.Spec.Uniques {
				if u.Column == a.col.Name {
					r.Spec.Uniques[i] = adapters.Unique{Column: a.lookup.col.Name, Plain: true}
				}
			}
		}
	}
}

// markOf compiles a mark written into column ci at path mp (a soft
// delete's, a removed membership's): generate: now, a time in the
// column's type whose NULL (or 0 in an integer column) means unmarked, in
// the unit given for an integer column (ms reports milliseconds); or a
// constant value. current names what an unmarked row is, for messages.
func (c *compiler) markOf(mp string, ci adapters.ColumnInfo, generate string, value any, unit, current string) (mark adapters.SoftDelete, ms, ok bool) {
	mark.Column = ci.Name
	switch {
	case generate != "" && value != nil:
		c.add(mp, "both value and generate given; expected one of them")
		return mark, false, false
	case unit != "" && generate != GenerateNow:
		c.add(mp+".timeUnit", "applies only to generate: now")
		return mark, false, false
	case generate == GenerateNow:
		mark.Now = true
		ms = c.timeUnit(mp+".timeUnit", unit, ci, true)
		switch {
		case isIntColumn(ci):
		case isTimeColumn(ci) && ci.Nullable:
		case isTimeColumn(ci):
			c.add(mp+".column", "column %q is NOT NULL, but %s has NULL there; expected a nullable DATETIME or TIMESTAMP, or an integer column", ci.Name, current)
			return mark, false, false
		default:
			c.add(mp+".column", "generate: now needs a DATETIME, TIMESTAMP or integer column; %q is %s", ci.Name, ci.ColumnType)
			return mark, false, false
		}
	case generate != "":
		c.add(mp+".generate", "unknown generator %q; expected now", generate)
		return mark, false, false
	case value == nil:
		c.add(mp, "no value; expected {column, value} or {column, generate: now}")
		return mark, false, false
	default:
		mark.Value = scalar(value)
		if mark.Value == nil {
			c.add(mp+".value", "expected a scalar value (string, number or boolean)")
			return mark, false, false
		}
		if msg := valueFits(ci, mark.Value); msg != "" {
			c.add(mp+".value", "%s", msg)
			return mark, false, false
		}
		if isIntColumn(ci) {
			mark.Value, _ = intValue(mark.Value)
		}
	}
	return mark, ms, true
}

// Values of delete.uniqueAmong.
const (
	UniqueAmongAll  = "all"
	UniqueAmongLive = "live"
)

// liveUniqueIndexes reports each unique index of the resource's table that
// keeps a unique attribute's column unique among all rows, deleted or not,
// which uniqueAmong: live contradicts: the database would still refuse a
// deleted row's name. An index that includes the mark column counts it.
func (c *compiler) liveUniqueIndexes(path string, r *Resource, mark adapters.Column) {
	info, err := c.db.Describe(c.ctx, r.Spec.Table)
	if err != nil {
		return
	}
	for _, u := range r.Spec.Uniques {
		for _, ix := range info.Indexes {
			if !ix.Unique || !slices.Contains(ix.Columns, u.Column) || slices.Contains(ix.Columns, mark) {
				continue
			}
			if slices.ContainsFunc(ix.Columns, func(col adapters.Column) bool {
				_, scoped := r.Spec.Scope[col]
				return col != u.Column && !scoped
			}) {
				continue
			}
			c.add(path, "live, but the unique index %s of %s on %s counts deleted rows too, so the database would still refuse a deleted row's name; expected the index to include %s, or uniqueAmong left out (with release to free names)", ix.Name, r.Spec.Table, strings.Join(colNames(ix.Columns), ", "), mark)
		}
	}
}

func colNames(cols []adapters.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = string(c)
	}
	return out
}

// fixedIDsOverlap is idsOverlap of users a and groups b declared by
// values, whose ids are known: the first one a user's id can be.
func fixedIDsOverlap(a, b *Resource) string {
	for _, g := range b.Spec.Values {
		rest, ok := strings.CutPrefix(g.ID, a.Spec.IDPrefix)
		if !ok || isIntColumn(a.key) && strings.Trim(rest, "0123456789") != "" {
			continue
		}
		return fmt.Sprintf("the declared group id %q can be the id of a User (%s keys of %s)", g.ID, keyKindWord(a), a.Spec.Table)
	}
	return ""
}
