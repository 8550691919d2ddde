package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// refersTo reports whether column c of table t looks like a reference to
// the key of table to (whose rows are called base): a declared foreign
// key, or a name such as user_id, userid or uid of the key's kind. how
// says which.
func refersTo(s *initSchema, t adapters.TableInfo, c adapters.ColumnInfo, to adapters.TableInfo, names []string) (how string, strong, ok bool) {
	key, _ := to.Column(to.PrimaryKey())
	if key.Name == "" || isInitInt(key) != isInitInt(c) || isInitString(key) != isInitString(c) {
		return "", false, false
	}
	if s.references(string(t.Name), c.Name) == string(to.Name) {
		return ", a declared foreign key", true, true
	}
	if slices.Contains(names, canon(string(c.Name))) {
		return "", false, true
	}
	return "", false, false
}

// userRefNames are the names of columns referring to a user.
func userRefNames(users adapters.TableInfo) []string {
	b := canon(tableBase(string(users.Name)))
	return []string{b + "id", "userid", "uid", "memberid", "personid"}
}

// groupRefNames are the names of columns referring to a group; when users
// and groups share a table, only the names that say group.
func groupRefNames(groups adapters.TableInfo, same bool) []string {
	out := []string{"groupid", "gid", "roleid", "teamid", "cohortid"}
	if !same {
		out = append(out, canon(tableBase(string(groups.Name)))+"id")
	}
	return out
}

// emailChild is a table holding the users' e-mail addresses, one row per
// address.
type emailChild struct {
	table                      string
	t                          adapters.TableInfo
	parent, value, primary, tp adapters.Column
	lower                      adapters.Column
	how                        string
}

var (
	emailValueNames   = words(`email|address|emailaddress|mail|value|addr|emailaddr`)
	emailPrimaryNames = words(`isprimary|primary|isdefault|default|preferred|ismain|main|primaryemail`)
	emailTypeNames    = words(`type|label|kind|emailtype`)
)

// findEmailChild finds a table of e-mail addresses referring to the users
// table: user_emails, email_addresses, principal_emails.
func findEmailChild(ctx context.Context, s *initSchema, users adapters.TableInfo, exclude map[string]bool) *emailChild {
	for _, n := range s.names {
		t := s.tables[n]
		if n == string(users.Name) || exclude[n] || !strings.Contains(canon(n), "mail") {
			continue
		}
		ch := &emailChild{table: n, t: t}
		for _, c := range t.Columns {
			if c.Name == t.PrimaryKey() {
				continue
			}
			if ch.parent == "" {
				if how, _, ok := refersTo(s, t, c, users, userRefNames(users)); ok {
					ch.parent, ch.how = c.Name, how
					continue
				}
			}
			switch {
			case ch.value == "" && isInitString(c) && emailValueNames.MatchString(canon(string(c.Name))):
				ch.value = c.Name
			case ch.primary == "" && isFlag(c) && emailPrimaryNames.MatchString(canon(string(c.Name))):
				ch.primary = c.Name
			case ch.tp == "" && isInitString(c) && emailTypeNames.MatchString(canon(string(c.Name))):
				ch.tp = c.Name
			}
		}
		if ch.parent == "" || ch.value == "" {
			continue
		}
		ch.lower = lowerCopy(t, ch.value, func(c adapters.Column) bool { return c != ch.parent && c != ch.tp })
		return ch
	}
	return nil
}

// entries writes the child table's mapping.
func (ch *emailChild) entries() []entry {
	out := []entry{{key: "table", value: yamlKey(ch.table)}, {key: "parent", value: yamlKey(string(ch.parent))}, {key: "value", value: yamlKey(string(ch.value))}}
	if ch.tp != "" {
		out = append(out, entry{key: "type", value: yamlKey(string(ch.tp))})
	}
	if ch.primary != "" {
		out = append(out, entry{key: "primary", value: yamlKey(string(ch.primary)), guess: fmt.Sprintf("%s looks like the flag of the primary address.", ch.primary)})
	}
	if ch.lower != "" {
		out = append(out, entry{key: "also", value: flowList([]string{flow("column", yamlKey(string(ch.lower)), "transform", "lower")}),
			guess: fmt.Sprintf("%s looks like the address lower-cased.", ch.lower)})
	}
	written := []adapters.Column{ch.parent, ch.value, ch.tp, ch.primary, ch.lower}
	if d := tableDefaults(ch.t, written); len(d) > 0 {
		out = append(out, entry{key: "defaults", comment: notNullNote, block: d})
	}
	return out
}

// tableDefaults guesses a value for each NOT NULL column of t without a
// default that is not in written.
func tableDefaults(t adapters.TableInfo, written []adapters.Column) []entry {
	var out []entry
	for _, c := range t.Columns {
		if c.Nullable || c.HasDefault || c.AutoIncrement || slices.Contains(written, c.Name) {
			continue
		}
		v, g := defaultFor(c)
		out = append(out, entry{key: string(c.Name), value: v, guess: g})
	}
	return out
}

// joinTable is a table with one row per membership.
type joinTable struct {
	t           adapters.TableInfo
	group, user adapters.Column
	score       int
	why         string
}

// findJoin finds the membership table between users and groups: a table
// with a column referring to each (declared foreign keys count most), such
// as user_roles, groups_users, group_members or mdl_cohort_members.
func findJoin(s *initSchema, users, groups adapters.TableInfo, exclude map[string]bool) *joinTable {
	same := users.Name == groups.Name
	var best *joinTable
	for _, n := range s.names {
		t := s.tables[n]
		if n == string(users.Name) || n == string(groups.Name) || exclude[n] {
			continue
		}
		j := &joinTable{t: t}
		var gHow, uHow string
		for _, c := range t.Columns {
			if c.Name == t.PrimaryKey() && c.AutoIncrement {
				continue
			}
			if j.group == "" {
				if how, strong, ok := refersTo(s, t, c, groups, groupRefNames(groups, same)); ok && (!same || slices.Contains(groupRefNames(groups, true), canon(string(c.Name)))) {
					j.group, gHow = c.Name, how
					j.score += map[bool]int{true: 30, false: 20}[strong]
					continue
				}
			}
			if j.user == "" {
				if how, strong, ok := refersTo(s, t, c, users, userRefNames(users)); ok {
					j.user, uHow = c.Name, how
					j.score += map[bool]int{true: 30, false: 20}[strong]
				}
			}
		}
		if j.group == "" || j.user == "" {
			continue
		}
		l := canon(n)
		for _, w := range []string{canon(tableBase(string(users.Name))), canon(tableBase(string(groups.Name))), "member", "user"} {
			if strings.Contains(l, w) {
				j.score += 5
			}
		}
		j.score -= len(t.Columns)
		j.why = fmt.Sprintf("%s looks like the membership table: %s refers to the group%s, %s to the user%s.", n, j.group, gHow, j.user, uHow)
		if best == nil || j.score > best.score {
			best = j
		}
	}
	return best
}

// pendingNames are the join-table columns of memberships not yet granted.
var (
	pendingNames  = words(`pending|ispending|userpending|memberpending`)
	approvedNames = words(`approved|isapproved|accepted|isaccepted`)
)

// entries writes the join table's members section.
func (j *joinTable) entries() []entry {
	out := []entry{{key: "table", value: yamlKey(string(j.t.Name))}, {key: "group", value: yamlKey(string(j.group))}, {key: "user", value: yamlKey(string(j.user))}}
	written := []adapters.Column{j.group, j.user}
	var scope []entry
	for _, c := range j.t.Columns {
		if !isFlag(c) || slices.Contains(written, c.Name) {
			continue
		}
		v := ""
		switch cn := canon(string(c.Name)); {
		case pendingNames.MatchString(cn):
			v = "0"
		case approvedNames.MatchString(cn):
			v = "1"
		default:
			continue
		}
		written = append(written, c.Name)
		scope = append(scope, entry{key: string(c.Name), value: v,
			guess: fmt.Sprintf("%s looks like the state of a membership request: only rows with %s are memberships, and a member added gets %s (a pending row becomes the membership).", c.Name, v, v)})
	}
	if len(scope) > 0 {
		out = append(out, entry{key: "scope", block: scope})
	}
	if d := tableDefaults(j.t, written); len(d) > 0 {
		out = append(out, entry{key: "defaults", comment: notNullNote, block: d})
	}
	return out
}

// userColumnMembers finds, when there is no join table, a users column
// holding each user's one group: role_id, or role holding the role's name.
func userColumnMembers(ctx context.Context, s *initSchema, users, groups adapters.TableInfo, groupName adapters.Column, free func(adapters.Column) bool) ([]entry, string) {
	if users.Name == groups.Name {
		return nil, ""
	}
	gb := canon(tableBase(string(groups.Name)))
	key, _ := groups.Column(groups.PrimaryKey())
	gname, _ := groups.Column(groupName)
	for _, c := range users.Columns {
		if !free(c.Name) {
			continue
		}
		cn := canon(string(c.Name))
		var out []entry
		switch {
		case (cn == gb+"id" || cn == "roleid" || cn == "groupid") && key.Name != "" && isInitInt(c) == isInitInt(key):
			out = []entry{{key: "userColumn", value: yamlKey(string(c.Name))}}
		case (cn == gb || cn == gb+"name" || cn == "role" || cn == "group") && isInitString(c) && isInitString(gname):
			out = []entry{{key: "userColumn", value: yamlKey(string(c.Name))}, {key: "references", value: yamlKey(string(gname.Name))}}
		default:
			continue
		}
		if !c.Nullable {
			v, hasDef := s.columnDefault(ctx, string(users.Name), c.Name)
			val := yamlValue(v, isInitInt(c))
			g := fmt.Sprintf("written when a user leaves the group: %s's default.", c.Name)
			if !hasDef {
				val, g = "0", "written when a user leaves the group: give the application's default group."
				if isInitString(c) {
					val = `""`
				}
			}
			out = append(out, entry{key: "whenRemoved", value: val, guess: g})
		}
		why := fmt.Sprintf("no membership table found; %s.%s looks like each user's one %s (a user is in one group at a time).", users.Name, c.Name, gb)
		return out, why
	}
	return nil, ""
}

// metaTable is a key/value table of user attributes, as wp_usermeta.
type metaTable struct {
	t                  adapters.TableInfo
	parent, key, value adapters.Column
	how                string
}

var (
	metaKeyNames   = words(`metakey|key|name|field|fieldname|attribute|attr|property|optionname|setting|configkey|metaname|keyname`)
	metaValueNames = words(`metavalue|value|val|fieldvalue|data|configvalue|optionvalue|settingvalue|content`)
)

// maxMetaKeys is how many distinct keys init reads from a key/value table.
const maxMetaKeys = 200

// findMeta finds a key/value table of the users' attributes.
func findMeta(s *initSchema, users adapters.TableInfo, exclude map[string]bool) *metaTable {
	for _, n := range s.names {
		t := s.tables[n]
		if n == string(users.Name) || exclude[n] {
			continue
		}
		m := &metaTable{t: t}
		for _, c := range t.Columns {
			if c.Name == t.PrimaryKey() && c.AutoIncrement {
				continue
			}
			cn := canon(string(c.Name))
			switch {
			case m.parent == "":
				if how, _, ok := refersTo(s, t, c, users, userRefNames(users)); ok {
					m.parent, m.how = c.Name, how
				}
			case m.key == "" && isInitString(c) && metaKeyNames.MatchString(cn):
				m.key = c.Name
			case m.value == "" && isInitString(c) && metaValueNames.MatchString(cn):
				m.value = c.Name
			}
		}
		if m.parent != "" && m.key != "" && m.value != "" {
			return m
		}
	}
	return nil
}

// pickMeta maps the attributes still unmapped whose names are keys of the
// users' key/value table.
func (p *planner) pickMeta(exclude map[string]bool) {
	m := findMeta(p.s, p.t, exclude)
	if m == nil {
		return
	}
	keys := p.s.sample(p.ctx, string(m.t.Name), m.key, maxMetaKeys)
	var found []string
	for _, r := range userRules {
		if p.mapped[r.attr] || r.holds != holdsText || r.attr == "phoneNumbers" {
			continue
		}
		for _, k := range keys {
			if k.null || !r.re.MatchString(canon(k.value)) {
				continue
			}
			p.mapped[r.attr] = true
			p.attrs = append(p.attrs, entry{key: r.attr, value: flow("meta", yamlString(k.value)),
				guess: fmt.Sprintf("the %s entry of %s (%d %s) looks like %s.", k.value, m.t.Name, k.rows, plural(k.rows, "row", "rows"), r.why)})
			found = append(found, k.value)
			break
		}
	}
	if len(found) == 0 {
		return
	}
	exclude[string(m.t.Name)] = true
	block := []entry{{key: "table", value: yamlKey(string(m.t.Name))}, {key: "parent", value: yamlKey(string(m.parent))},
		{key: "key", value: yamlKey(string(m.key))}, {key: "value", value: yamlKey(string(m.value))}}
	if d := tableDefaults(m.t, []adapters.Column{m.parent, m.key, m.value}); len(d) > 0 {
		block = append(block, entry{key: "defaults", comment: notNullNote, block: d})
	}
	p.extra = append(p.extra, entry{key: "metaTable", block: block,
		guess: fmt.Sprintf("%s looks like a key/value table of the users' attributes (%s refers to the user%s; keys in %s, values in %s). Only the keys mapped with meta: are read or written: %s.", m.t.Name, m.parent, m.how, m.key, m.value, strings.Join(found, ", "))})
}
