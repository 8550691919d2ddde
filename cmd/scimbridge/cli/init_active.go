package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/adapters"
)

// activeCandidate is a column that may hold the account's state.
type activeCandidate struct {
	col  adapters.ColumnInfo
	kind int
}

// Kinds of active columns, in the order init prefers them.
//
// A flag named for the blocked state (prohibit_login, disabled, locked,
// suspended) comes before one named for the active state: where an
// application has both, the blocking flag is the switch an administrator
// uses to stop someone signing in, while "active" often records a step
// of the account's life instead (in Gitea, that the e-mail address was
// confirmed), and clearing it sends the user back through activation
// rather than locking them out. Where there is only one, it is the one.
const (
	blockedFlag   = iota // 1 stops sign-in: the inverted flag
	activeFlag           // 1 is active
	inactiveFlag         // 1 is inactive: the plain negation of active
	activeStatus         // a status code or word
	inactiveTime         // NULL is active: disabled_at
	typeStatus           // a type code that is also the account's state (phpBB's user_type)
	deletedAsFlag        // deleted = 1, when nothing else tells the state
)

// activeCandidates lists the columns that may hold the account's state.
func (p *planner) activeCandidates() []activeCandidate {
	var out []activeCandidate
	for kind := blockedFlag; kind <= deletedAsFlag; kind++ {
		for _, c := range p.t.Columns {
			if !p.free(c.Name) {
				continue
			}
			ok := false
			switch kind {
			case blockedFlag:
				ok = nameIs(blockedFlagNames, c.Name, p.base) && (isFlag(c) || isInitString(c))
			case activeFlag:
				ok = nameIs(activeFlagNames, c.Name, p.base) && (isFlag(c) || isInitString(c))
			case inactiveFlag:
				ok = nameIs(inactiveFlagNames, c.Name, p.base) && (isFlag(c) || isInitString(c))
			case activeStatus:
				ok = nameIs(statusNames, c.Name, p.base) && (isFlag(c) || isInitString(c))
			case inactiveTime:
				ok = nameIs(inactiveTimeNames, c.Name, p.base) && c.Nullable && (isInitTime(c) || isInitInt(c))
			case typeStatus:
				ok = nameIs(typeNames, c.Name, p.base) && isInitInt(c)
			case deletedAsFlag:
				ok = nameIs(deletedFlagNames, c.Name, p.base) && isFlag(c)
			}
			if ok {
				out = append(out, activeCandidate{c, kind})
			}
		}
	}
	return out
}

// pickActive maps active to the best candidate, noting the others.
func (p *planner) pickActive() {
	cands := p.activeCandidates()
	for i, c := range cands {
		e, ok := p.activeEntry(c)
		if !ok {
			continue
		}
		var others []string
		for j, o := range cands {
			if j != i && o.kind != deletedAsFlag && o.kind != typeStatus {
				others = append(others, string(o.col.Name))
			}
		}
		if len(others) > 0 {
			e.guess += fmt.Sprintf(" Also found: %s; map active to whichever stops the user signing in.", strings.Join(others, ", "))
			if c.kind == blockedFlag && slices.ContainsFunc(cands, func(o activeCandidate) bool { return o.kind == activeFlag }) {
				e.guess += fmt.Sprintf(" %s is taken because it is named for the blocked state: a flag named active often records something else, such as a confirmed e-mail address.", c.col.Name)
			}
		}
		if !c.col.Nullable && !c.col.HasDefault {
			e = whenOmittedTrue(e)
		}
		p.attrs = append(p.attrs, e)
		p.used[c.col.Name] = "active"
		p.mapped["active"] = true
		p.activeCol = c.col.Name
		return
	}
}

// activeEntry writes active for one candidate column.
func (p *planner) activeEntry(c activeCandidate) (entry, bool) {
	ci := c.col
	col := yamlKey(string(ci.Name))
	switch {
	case c.kind == inactiveTime:
		return entry{key: "active", value: flow("column", col, "activeWhenNull", "true"),
			guess: fmt.Sprintf("%s (%s) looks like the time the account was disabled: NULL is active, deactivating writes the time, activating clears it.", ci.Name, ci.ColumnType)}, true
	case c.kind == activeFlag && isFlag(ci):
		p.activeValues = []string{"0", "1"}
		return entry{key: "active", value: col,
			guess: fmt.Sprintf("%s (%s) looks like a flag that is 1 for an active account: non-zero reads as active; deactivating writes 0, activating 1.", ci.Name, ci.ColumnType)}, true
	case (c.kind == blockedFlag || c.kind == inactiveFlag || c.kind == deletedAsFlag) && isFlag(ci):
		p.activeValues = []string{"0", "1"}
		g := fmt.Sprintf("%s (%s) looks like an inverted flag, 1 for a blocked account: active is its opposite (trueValue 0, falseValue 1), so deactivating writes 1 and activating 0.", ci.Name, ci.ColumnType)
		if c.kind == deletedAsFlag {
			g += fmt.Sprintf(" It is the only state column found: deactivating marks the account deleted. If the application tells deleted from disabled, map active to that and make %s the soft delete instead (delete: {mark: {column: %s, value: 1}}).", ci.Name, col)
		}
		return entry{key: "active", value: flow("column", col, "trueValue", "0", "falseValue", "1"), guess: g}, true
	case c.kind == activeStatus && isFlag(ci) && (ci.ColumnType == "tinyint(1)" || ci.Kind == adapters.KindBit):
		p.activeValues = []string{"0", "1"}
		return entry{key: "active", value: col,
			guess: fmt.Sprintf("%s (%s) looks like a flag that is 1 for an active account: non-zero reads as active; deactivating writes 0.", ci.Name, ci.ColumnType)}, true
	case c.kind == typeStatus:
		return p.typeCodes(ci)
	}
	return p.valueMap(ci, c.kind == blockedFlag || c.kind == inactiveFlag)
}

// valueMap writes active as a value map over a status column (an ENUM,
// a word or an integer code), from the values the column holds.
// inverted says the column names the blocked state (locked = 'Y').
func (p *planner) valueMap(ci adapters.ColumnInfo, inverted bool) (entry, bool) {
	seen := p.sample(ci.Name, "")
	members := enumMembers(ci)
	if isFlag(ci) {
		c := p.intCodes(ci, seen)
		return p.statusEntry(ci, seen, members, c)
	}
	def, hasDef := p.s.columnDefault(p.ctx, string(p.t.Name), ci.Name)
	var tv, fv, dv string
	var why []string
	cands := members
	for _, v := range seen {
		if !v.null && !containsFold(cands, v.value) {
			cands = append(cands, v.value)
		}
	}
	on, off := activeValues, inactiveValues
	if inverted {
		on, off = words(`n|no|false|0|off`), words(`y|yes|true|1|on`)
	}
	for _, v := range cands {
		l := strings.ToLower(v)
		switch {
		case tv == "" && on.MatchString(l):
			tv = v
		case fv == "" && off.MatchString(l):
			fv = v
		case dv == "" && !inverted && deletedValues.MatchString(l):
			dv = v
		}
	}
	switch {
	case tv != "":
		why = append(why, fmt.Sprintf("%q reads as active", tv))
	case hasDef && def != fv && def != dv:
		tv = def
		why = append(why, fmt.Sprintf("the column's default %q reads as active", tv))
	case len(seen) > 0 && !seen[0].null && seen[0].value != fv && seen[0].value != dv:
		tv = seen[0].value
		why = append(why, fmt.Sprintf("the commonest value, %q, reads as active", tv))
	case members == nil:
		tv = "active"
		why = append(why, `"active" reads as active`)
	}
	if fv == "" {
		fv = p.otherValue(members, tv, dv, ci)
	}
	if fv != "" {
		why = append(why, fmt.Sprintf("%q is written on deactivation", fv))
	}
	if dv != "" && fitsColumn(ci, dv) {
		p.statusDeleted = dv
	}
	return p.statusEntry(ci, seen, members, codes{active: tv, inactive: fv, why: why})
}

// codes are the stored values init maps active to: active is written for
// true, inactive for false, and further ones read as true too.
type codes struct {
	active, inactive string
	further          []string
	why              []string
	// shown says that the data shows inactive to be the state the
	// application gives a deactivated account (a deactivation column
	// is set on its rows and no others).
	shown bool
}

// statusEntry writes active over a status column with the values c.
func (p *planner) statusEntry(ci adapters.ColumnInfo, seen []valueCount, members []string, c codes) (entry, bool) {
	tv, fv := c.active, c.inactive
	if tv == "" || fv == "" || tv == fv || !fitsColumn(ci, tv) || !fitsColumn(ci, fv) {
		p.statusDeleted = ""
		p.notes = append(p.notes, fmt.Sprintf("GUESS: %s (%s) may hold the account's state (%s), but init found no pair of values for active and inactive: map active to it with trueValue and falseValue.", ci.Name, ci.ColumnType, describeValues(seen)))
		return entry{}, false
	}
	integer := isFlag(ci)
	p.activeValues = append([]string{tv, fv}, c.further...)
	g := fmt.Sprintf("%s (%s) looks like the account's status. It holds %s", ci.Name, ci.ColumnType, describeValues(seen))
	if members != nil {
		g += fmt.Sprintf("; the column allows %s", quoteAll(members))
	}
	g += ". Assumed: " + strings.Join(c.why, ", ") + "; any other value reads as inactive. Check what the application means by each value; further active values go in trueValues: [...]."
	block := []entry{{key: "column", value: yamlKey(string(ci.Name))}}
	if len(c.further) > 0 {
		vs := make([]string, 0, 1+len(c.further))
		for _, v := range append([]string{tv}, c.further...) {
			vs = append(vs, yamlValue(v, integer))
		}
		block = append(block, entry{key: "trueValues", value: flowList(vs)})
	} else {
		block = append(block, entry{key: "trueValue", value: yamlValue(tv, integer)})
	}
	block = append(block, entry{key: "falseValue", value: yamlValue(fv, integer)})
	return entry{key: "active", guess: g, block: block}, true
}

// maxTypeCode bounds the codes of a type column init takes for the
// account's state: small enumerations, not keys of another table.
const maxTypeCode = 15

// typeCodes maps active to a type column (phpBB's user_type: 0 normal, 1
// inactive, 2 bots and Anonymous, 3 founder) when its codes are small
// integers and the data shows which of them is the deactivated state. A
// type column usually holds a kind (organization, bot, role), and
// writing a kind's code to deactivate an account would turn it into
// something else; so without that evidence it is left to the scope note.
func (p *planner) typeCodes(ci adapters.ColumnInfo) (entry, bool) {
	seen := p.sample(ci.Name, "")
	if len(seen) < 2 || len(seen) == maxSampled {
		return entry{}, false
	}
	for _, v := range seen {
		n, err := strconv.Atoi(v.value)
		if v.null || err != nil || n < 0 || n > maxTypeCode {
			return entry{}, false
		}
	}
	c := p.intCodes(ci, seen)
	if !c.shown {
		return entry{}, false
	}
	e, ok := p.statusEntry(ci, seen, nil, c)
	if ok {
		var out []string
		for _, v := range seen {
			if v.value != c.active && v.value != c.inactive && !slices.Contains(c.further, v.value) {
				out = append(out, v.value)
			}
		}
		if len(out) > 0 {
			vs := append([]string{c.active, c.inactive}, c.further...)
			slices.Sort(vs)
			e.guess += fmt.Sprintf(" %s is a type too: if its other codes (%s) are not people (bots, a guest account), keep them out with scope: {%s: {in: [%s]}}.", ci.Name, strings.Join(out, ", "), yamlKey(string(ci.Name)), strings.Join(vs, ", "))
		}
	}
	return e, ok
}

// intCodes guesses the active and inactive codes of an integer status
// from its rows. An account that has signed in (a last-login column is
// set) holds a code the application let it sign in with, or the one it
// was given when it was deactivated after use; an account that never has
// holds the code of a pending sign-up, a bot or a built-in row, or a
// default. So:
//   - inactive is the one code whose rows, and no others, a deactivation
//     column (inactive_reason, locked_at, disabled_time) is set on, if
//     the data shows one;
//   - active is the column's default if accounts with it have signed in
//     (a new account gets it, and it is no pending state), else the
//     commonest code of accounts that have;
//   - without a deactivation column, inactive is a code of accounts that
//     have signed in, used once and no longer active: 0, the usual "off",
//     if it is one, else the commonest (Redmine's locked 3, not its
//     registered 2, which no one has signed in with);
//   - the other codes of accounts that have signed in read as active too
//     (phpBB's founder, 3, beside its normal 0; a password expired);
//   - without sign-in data, active is the commonest code, else the
//     default, else 1, and inactive 0, or 1 when 0 is active.
func (p *planner) intCodes(ci adapters.ColumnInfo, seen []valueCount) codes {
	var c codes
	def, hasDef := p.s.columnDefault(p.ctx, string(p.t.Name), ci.Name)
	if _, err := strconv.ParseInt(def, 10, 64); err != nil {
		hasDef = false
	}
	var inactiveWhy string
	if e, col := p.deactivatedCode(ci); e != "" {
		c.inactive, c.shown = e, true
		inactiveWhy = fmt.Sprintf("%s is written on deactivation (%s is set on the rows with %s and no others)", e, col, e)
	}
	var signed []string // codes of accounts that have signed in, commonest first, without inactive
	signCol := p.signInColumn()
	if signCol.Name != "" {
		for _, v := range p.sample(ci.Name, isSet(signCol)) {
			if !v.null && v.value != c.inactive {
				signed = append(signed, v.value)
			}
		}
	}
	switch {
	case hasDef && slices.Contains(signed, def):
		c.active = def
		c.why = append(c.why, fmt.Sprintf("the column's default, %s, is active (accounts with it have signed in: %s is set)", def, signCol.Name))
	case len(signed) > 0:
		c.active = signed[0]
		c.why = append(c.why, fmt.Sprintf("%s is active, the commonest code of accounts that have signed in (%s is set)", c.active, signCol.Name))
	default:
		for _, v := range seen {
			if !v.null && v.value != c.inactive {
				c.active = v.value
				c.why = append(c.why, fmt.Sprintf("the commonest code, %s, is active", c.active))
				break
			}
		}
		if c.active == "" && hasDef && def != c.inactive {
			c.active = def
			c.why = append(c.why, fmt.Sprintf("the column's default, %s, is active", def))
		}
		if c.active == "" && c.inactive != "1" {
			c.active = "1"
			c.why = append(c.why, "1 is active")
		}
	}
	if c.inactive == "" {
		used := slices.DeleteFunc(slices.Clone(signed), func(v string) bool { return v == c.active })
		switch {
		case slices.Contains(used, "0"):
			c.inactive = "0"
		case len(used) > 0:
			c.inactive = used[0]
		}
		if c.inactive != "" {
			inactiveWhy = fmt.Sprintf("%s is written on deactivation (accounts with it have signed in, so it is no pending state)", c.inactive)
		}
	}
	for _, v := range signed {
		if v != c.active && v != c.inactive {
			c.further = append(c.further, v)
		}
	}
	switch len(c.further) {
	case 0:
	case 1:
		c.why = append(c.why, fmt.Sprintf("%s reads as active too (accounts with it have signed in)", c.further[0]))
	default:
		c.why = append(c.why, fmt.Sprintf("%s read as active too (accounts with them have signed in)", strings.Join(c.further, ", ")))
	}
	if c.inactive == "" {
		c.inactive = "0"
		if c.active == "0" {
			c.inactive = "1"
		}
		inactiveWhy = fmt.Sprintf("%s is written on deactivation", c.inactive)
	}
	c.why = append(c.why, inactiveWhy)
	return c
}

// signInColumn returns the column recording when an account last signed
// in, or none.
func (p *planner) signInColumn() adapters.ColumnInfo {
	for _, c := range p.t.Columns {
		if (isInitTime(c) || isInitInt(c)) && nameIs(signInNames, c.Name, p.base) {
			return c
		}
	}
	return adapters.ColumnInfo{}
}

// deactivatedCode returns the code of status that a deactivation column
// of the table (user_inactive_reason, locked_at) is set on, and that
// column, when the rows with it set all hold one code and every column
// of that kind agrees.
func (p *planner) deactivatedCode(status adapters.ColumnInfo) (code string, col adapters.Column) {
	for _, c := range p.t.Columns {
		if c.Name == status.Name || !(isInitTime(c) || isInitInt(c) || isInitString(c)) || !nameIs(deactivationNames, c.Name, p.base) {
			continue
		}
		vs := p.sample(status.Name, isSet(c))
		switch {
		case len(vs) == 0:
			continue
		case len(vs) > 1 || vs[0].null || code != "" && vs[0].value != code:
			return "", ""
		}
		if code == "" {
			code, col = vs[0].value, c.Name
		}
	}
	return code, col
}

// otherValue picks the value deactivating writes when none of the stored
// values says inactive: an ENUM's other member, else "disabled".
func (p *planner) otherValue(members []string, tv, dv string, ci adapters.ColumnInfo) string {
	if members != nil {
		for _, m := range members {
			if m != tv && m != dv && m != "" {
				return m
			}
		}
		return ""
	}
	for _, v := range []string{"disabled", "inactive", "off", "0"} {
		if v != tv && fitsColumn(ci, v) {
			return v
		}
	}
	return ""
}

// fitsColumn reports whether a string fits a character column.
func fitsColumn(ci adapters.ColumnInfo, v string) bool {
	return ci.MaxLength == 0 || int64(utf8.RuneCountInString(v)) <= ci.MaxLength
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// softDeleteNote says what a soft delete does.
const softDeleteNote = "DELETE keeps the row for the application and marks it; the mark takes marked rows out of SCIM's sight by itself (every read, filter and uniqueness check leaves them out, and later requests for the user answer 404), so the scope needs no entry for it."

// pickDelete chooses what DELETE /Users/{id} does: a soft delete where a
// column marks deleted rows, else refuse.
func (p *planner) pickDelete() {
	if e, ok := p.softDelete(); ok {
		p.extra = append(p.extra, e)
		return
	}
	p.extra = append(p.extra, entry{key: "delete", value: "refuse",
		comment: "DELETE is refused (405) rather than removing the application's rows; Okta and Entra deprovision by PATCH active: false. Use hard, or a soft delete {mark: {column, value}}, when the application allows it."})
}

// softDelete finds a column marking deleted rows: a deleted_at time, a
// deleted flag, or a deleted value of the status column.
func (p *planner) softDelete() (entry, bool) {
	var mark, what string
	for _, c := range p.t.Columns {
		if !p.free(c.Name) {
			continue
		}
		switch {
		case nameIs(deletedTimeNames, c.Name, p.base) && c.Nullable && (isInitTime(c) || isInitInt(c)):
			mark = flow("column", yamlKey(string(c.Name)), "generate", "now")
			what = fmt.Sprintf("%s (%s, NULL for a live row) looks like the time a row was deleted: DELETE writes the time.", c.Name, c.ColumnType)
		case nameIs(deletedFlagNames, c.Name, p.base) && isFlag(c):
			mark = flow("column", yamlKey(string(c.Name)), "value", "1")
			what = fmt.Sprintf("%s (%s) looks like a deleted flag: DELETE writes 1. The table holds %s.", c.Name, c.ColumnType, describeValues(p.sample(c.Name, "")))
		default:
			continue
		}
		p.used[c.Name] = "delete"
		break
	}
	if mark == "" && p.statusDeleted != "" {
		ci, _ := p.t.Column(p.activeCol)
		mark = flow("column", yamlKey(string(p.activeCol)), "value", yamlValue(p.statusDeleted, isFlag(ci)))
		what = fmt.Sprintf("the status %s holds %q, which looks like a deleted account: DELETE writes it.", p.activeCol, p.statusDeleted)
	}
	if mark == "" {
		return entry{}, false
	}
	block := []entry{{key: "mark", value: mark}}
	if a, ok := p.userNameColumn(); ok {
		block = append(block, entry{key: "release", value: yamlString("{value}#deleted-{id}"),
			guess: fmt.Sprintf("renames %s of a deleted row so that the name can be given to a new user; drop it if the application must keep the name as it was.", a)})
	}
	return entry{key: "delete", guess: what + " " + softDeleteNote, block: block}, true
}

// userNameColumn returns the character column userName is mapped to.
func (p *planner) userNameColumn() (adapters.Column, bool) {
	ci, ok := p.t.Column(p.userName)
	return p.userName, ok && isInitString(ci)
}

// whenOmittedTrue makes an active entry take true when a create leaves
// active out, as OneLogin's and authentik's default mappings do: the
// column is NOT NULL without a default, so such a create would otherwise
// be refused for a value nothing gives.
func whenOmittedTrue(e entry) entry {
	switch {
	case e.block != nil:
		e.block = append(e.block, entry{key: "whenOmitted", value: "true"})
	case strings.HasPrefix(e.value, "{") && strings.HasSuffix(e.value, "}"):
		e.value = strings.TrimSuffix(e.value, "}") + ", whenOmitted: true}"
	default:
		e.value = flow("column", e.value, "whenOmitted", "true")
	}
	e.guess += " A create without active (OneLogin's and authentik's default mappings send none) makes the account active (whenOmitted), since the column has no default."
	return e
}
