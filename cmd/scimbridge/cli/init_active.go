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
			if j != i && o.kind != deletedAsFlag {
				others = append(others, string(o.col.Name))
			}
		}
		if len(others) > 0 {
			e.guess += fmt.Sprintf(" Also found: %s; map active to whichever stops the user signing in.", strings.Join(others, ", "))
			if c.kind == blockedFlag && slices.ContainsFunc(cands, func(o activeCandidate) bool { return o.kind == activeFlag }) {
				e.guess += fmt.Sprintf(" %s is taken because it is named for the blocked state: a flag named active often records something else, such as a confirmed e-mail address.", c.col.Name)
			}
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
	case c.kind == activeStatus && isFlag(ci) && (ci.ColumnType == "tinyint(1)" || ci.DataType == "bit"):
		p.activeValues = []string{"0", "1"}
		return entry{key: "active", value: col,
			guess: fmt.Sprintf("%s (%s) looks like a flag that is 1 for an active account: non-zero reads as active; deactivating writes 0.", ci.Name, ci.ColumnType)}, true
	}
	return p.valueMap(ci, c.kind == blockedFlag || c.kind == inactiveFlag)
}

// valueMap writes active as a value map over a status column (an ENUM,
// a word or an integer code), from the values the column holds.
// inverted says the column names the blocked state (locked = 'Y').
func (p *planner) valueMap(ci adapters.ColumnInfo, inverted bool) (entry, bool) {
	seen := p.sample(ci.Name, "")
	members := enumMembers(ci)
	integer := isFlag(ci)
	def, hasDef := p.s.columnDefault(p.ctx, string(p.t.Name), ci.Name)
	var tv, fv, dv string
	var why []string
	if integer {
		tv, fv, why = intStatus(seen, def, hasDef)
	} else {
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
	}
	if tv == "" || fv == "" || tv == fv || !fitsColumn(ci, tv) || !fitsColumn(ci, fv) {
		p.notes = append(p.notes, fmt.Sprintf("GUESS: %s (%s) may hold the account's state (%s), but init found no pair of values for active and inactive: map active to it with trueValue and falseValue.", ci.Name, ci.ColumnType, describeValues(seen)))
		return entry{}, false
	}
	p.activeValues = []string{tv, fv}
	if dv != "" && fitsColumn(ci, dv) {
		p.statusDeleted = dv
	}
	g := fmt.Sprintf("%s (%s) looks like the account's status. It holds %s", ci.Name, ci.ColumnType, describeValues(seen))
	if members != nil {
		g += fmt.Sprintf("; the column allows %s", quoteAll(members))
	}
	g += ". Assumed: " + strings.Join(why, ", ") + "; any other value reads as inactive. Check what the application means by each value; further active values go in trueValues: [...]."
	return entry{key: "active", guess: g, block: []entry{
		{key: "column", value: yamlKey(string(ci.Name))},
		{key: "trueValue", value: yamlValue(tv, integer)},
		{key: "falseValue", value: yamlValue(fv, integer)},
	}}, true
}

// intStatus guesses the active and inactive codes of an integer status:
// active is the commonest code (most accounts are active), else the
// column's default, else 1; inactive is 0, or 1 when 0 is active.
func intStatus(seen []valueCount, def string, hasDef bool) (tv, fv string, why []string) {
	for _, v := range seen {
		if !v.null {
			tv = v.value
			why = append(why, fmt.Sprintf("the commonest code, %s, is active", tv))
			break
		}
	}
	if _, err := strconv.ParseInt(def, 10, 64); tv == "" && hasDef && err == nil {
		tv = def
		why = append(why, fmt.Sprintf("the column's default, %s, is active", tv))
	}
	if tv == "" {
		tv = "1"
		why = append(why, "1 is active")
	}
	fv = "0"
	if tv == "0" {
		fv = "1"
	}
	why = append(why, fmt.Sprintf("%s is written on deactivation", fv))
	return tv, fv, why
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
