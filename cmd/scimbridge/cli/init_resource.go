package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// planner guesses the mapping of one resource (User or Group) onto its
// table and collects what init writes for it.
type planner struct {
	ctx  context.Context
	s    *initSchema
	t    adapters.TableInfo
	name string // User or Group
	base string // what a row is called: user, cohort, principal
	key  adapters.Column

	used     map[adapters.Column]string // column -> the attribute writing it
	mapped   map[string]bool            // attributes mapped
	attrs    []entry
	defaults []entry
	scope    []entry
	scoped   map[adapters.Column]bool
	extra    []entry // metaTable, delete, members: after the rest
	notes    []string

	// activeCol is the column active writes; activeValues what it
	// writes there.
	activeCol    adapters.Column
	activeValues []string
	// statusDeleted is a value of the active status column that marks
	// deleted rows, for the soft delete.
	statusDeleted string
	// userName is the column userName is mapped to.
	userName adapters.Column
	// rowsOf are the constants that select the resource's rows in a
	// table it shares (type = 'User'), for the values init reads.
	rowsOf map[adapters.Column]string
}

// where is the SQL condition selecting the resource's own rows, with
// its arguments.
func (p *planner) where() (string, []any) {
	conds := []string{"TRUE"}
	var args []any
	for c, v := range p.rowsOf {
		conds = append(conds, quoteIdent(string(c))+" = ?")
		args = append(args, v)
	}
	return strings.Join(conds, " AND "), args
}

// sample is initSchema.sample over the resource's own rows, and further
// only those for which cond, if given, holds.
func (p *planner) sample(col adapters.Column, cond string) []valueCount {
	w, args := p.where()
	if cond != "" {
		w += " AND " + cond
	}
	return p.s.sampleWhere(p.ctx, string(p.t.Name), col, maxSampled, w, args...)
}

func newPlanner(ctx context.Context, s *initSchema, t adapters.TableInfo, name string) *planner {
	p := &planner{ctx: ctx, s: s, t: t, name: name, base: tableBase(string(t.Name)),
		used: map[adapters.Column]string{}, mapped: map[string]bool{}, scoped: map[adapters.Column]bool{}}
	p.key = t.PrimaryKey()
	if p.key != "" {
		p.used[p.key] = "id"
	}
	return p
}

// free reports whether no attribute writes the column yet.
func (p *planner) free(c adapters.Column) bool { _, ok := p.used[c]; return !ok && !p.scoped[c] }

// mapAttr records that attr writes col, as value.
func (p *planner) mapAttr(attr string, col adapters.Column, value, guess string) {
	if col != "" {
		if _, ok := p.used[col]; !ok {
			p.used[col] = attr
		}
	}
	p.mapped[attr] = true
	p.attrs = append(p.attrs, entry{key: attr, value: value, guess: guess})
}

// idEntry is the resource's id: its key column, how new keys are made,
// and a prefix where another resource's keys count up too.
func (p *planner) idEntry(prefix string) entry {
	if p.key == "" {
		return entry{key: "id", value: flow("column", "id"), guess: "no single-column primary key found: name the column whose value is the SCIM id (unique, never reused)."}
	}
	ci, _ := p.t.Column(p.key)
	switch {
	case p.userName == p.key:
		return entry{key: "id", value: flow("column", yamlKey(string(p.key))),
			guess: fmt.Sprintf("%s is the key and the login: a new %s's key is its userName (a natural key), and a change of userName is refused unless id.renames lists the columns that refer to the key.", p.key, strings.ToLower(p.name))}
	case ci.AutoIncrement && prefix != "":
		return entry{key: "id", value: flow("column", yamlKey(string(p.key)), "generate", "auto", "prefix", prefix),
			comment: fmt.Sprintf("The users' keys count up too: the prefix keeps group %s7 apart from user 7 (ids are unique across resource types).", prefix)}
	case ci.AutoIncrement:
		return entry{key: "id", value: flow("column", yamlKey(string(p.key)), "generate", "auto")}
	case isInitString(ci) && (ci.MaxLength == 0 || ci.MaxLength >= 36):
		return entry{key: "id", value: flow("column", yamlKey(string(p.key)), "generate", "uuid"),
			guess: fmt.Sprintf("%s is %s and not AUTO_INCREMENT: scimbridge makes a random UUID for each new %s. Check that the application accepts UUID keys.", p.key, ci.ColumnType, strings.ToLower(p.name))}
	default:
		return entry{key: "id", value: flow("column", yamlKey(string(p.key)), "generate", "auto"),
			guess: fmt.Sprintf("%s is %s but not AUTO_INCREMENT, so scimbridge cannot make new keys (check refuses this): make it AUTO_INCREMENT, or use a character key of 36 or more with generate: uuid.", p.key, ci.ColumnType)}
	}
}

// fits reports whether a column can hold what the rule's attribute holds.
func fits(ci adapters.ColumnInfo, holds int) bool {
	if holds == holdsTime {
		return isInitTime(ci) || isInitInt(ci)
	}
	return isInitString(ci) || isInitInt(ci)
}

// applyRules maps every rule's attribute to the first free column whose
// name the rule knows.
func (p *planner) applyRules(rules []attrRule) {
	for _, r := range rules {
		if p.mapped[r.attr] {
			continue
		}
		for _, c := range p.t.Columns {
			if !p.free(c.Name) || !fits(c, r.holds) || !nameIs(r.re, c.Name, p.base) {
				continue
			}
			attr := r.attr
			if attr == "name.formatted" && p.name == "User" && !p.mapped["displayName"] {
				// Okta and Entra send displayName; a full name serves it.
				attr = "displayName"
			}
			value, guess := yamlKey(string(c.Name)), ruleGuess(c, r)
			if r.holds == holdsTime && isInitInt(c) {
				w, args := p.where()
				if m, ok := p.s.maxInt(p.ctx, string(p.t.Name), c.Name, w, args...); ok && m >= epochMillis {
					value = flow("column", yamlKey(string(c.Name)), "timeUnit", "milliseconds")
					guess = fmt.Sprintf("%s looks like %s (%s), in milliseconds since the epoch: it holds values up to %d, which as seconds would be far in the future.", c.Name, r.why, c.ColumnType, m)
				}
			}
			p.mapAttr(attr, c.Name, value, guess)
			break
		}
	}
}

func ruleGuess(c adapters.ColumnInfo, r attrRule) string {
	g := fmt.Sprintf("%s looks like %s (%s).", c.Name, r.why, c.ColumnType)
	if r.holds == holdsTime && isInitInt(c) {
		g += " An integer: read and written as Unix seconds; check that it is not milliseconds."
	}
	return g
}

// lowerCopy finds a column holding a lower-cased copy of col (lower_name,
// username_clean), which the mapping writes with also.
func lowerCopy(t adapters.TableInfo, col adapters.Column, free func(adapters.Column) bool) adapters.Column {
	n := strings.ToLower(string(col))
	for _, c := range t.Columns {
		l := strings.ToLower(string(c.Name))
		if c.Name == col || !free(c.Name) || !isInitString(c) {
			continue
		}
		for _, f := range []string{"lower_" + n, n + "_lower", n + "_lc", "lc_" + n, n + "_clean", n + "_canonical", "canonical_" + n, n + "_normalized", n + "_ci", "lowercase_" + n} {
			if l == f {
				return c.Name
			}
		}
	}
	return ""
}

// stringValue writes a column value with its lower-cased copy, if any.
func (p *planner) withCopy(attr string, col adapters.Column) (value, note string) {
	cp := lowerCopy(p.t, col, p.free)
	if cp == "" {
		return yamlKey(string(col)), ""
	}
	p.used[cp] = attr
	return flow("column", yamlKey(string(col)), "also", flowList([]string{flow("column", yamlKey(string(cp)), "transform", "lower")})),
		fmt.Sprintf(" %s looks like its lower-cased copy, written with it (and used for case-insensitive lookups).", cp)
}

// pickUserName maps userName: a login column, else an e-mail address,
// else a unique name.
func (p *planner) pickUserName() {
	type pick struct {
		why  string
		test func(adapters.ColumnInfo) bool
	}
	for _, k := range []pick{
		{"the login", func(c adapters.ColumnInfo) bool { return nameIs(loginNames, c.Name, p.base) }},
		{"a unique name", func(c adapters.ColumnInfo) bool {
			return isInitString(c) && nameIs(fullNames, c.Name, p.base) && uniqueAlone(p.t, c.Name, false)
		}},
		{"an e-mail address, which the users sign in with", func(c adapters.ColumnInfo) bool {
			return isInitString(c) && nameIs(emailNames, c.Name, p.base)
		}},
		{"a unique name", func(c adapters.ColumnInfo) bool {
			return isInitString(c) && nameIs(fullNames, c.Name, p.base) && uniqueAlone(p.t, c.Name, true)
		}},
		{"a unique name (the only unique character column)", func(c adapters.ColumnInfo) bool {
			return isInitString(c) && uniqueAlone(p.t, c.Name, false) && !passwordNames.MatchString(strings.ToLower(string(c.Name)))
		}},
	} {
		for _, c := range p.t.Columns {
			// A character key named like the login (or an address) that
			// the database does not number is the login itself: a
			// natural key.
			natural := c.Name == p.key && !c.AutoIncrement && isInitString(c) && (k.why == "the login" || strings.HasPrefix(k.why, "an e-mail"))
			// An integer or a time is no login: Okta and Entra send
			// userName as text (an e-mail address, a name).
			if (!p.free(c.Name) && !natural) || !isInitString(c) || !k.test(c) {
				continue
			}
			value, copyNote := p.withCopy("userName", c.Name)
			g := fmt.Sprintf("%s looks like %s (%s): Okta and Entra match users by userName.", c.Name, k.why, c.ColumnType)
			if uniqueAlone(p.t, c.Name, false) {
				g += " A unique index keeps it unique."
			} else {
				g += " scimbridge keeps it unique among the users in scope (case-insensitively)."
			}
			p.mapAttr("userName", c.Name, value, g+copyNote)
			p.userName = c.Name
			return
		}
	}
	p.attrs = append(p.attrs, entry{key: "userName", value: "CHANGE_ME", guess: "no login column recognised: name the column Okta and Entra match users by (check refuses CHANGE_ME)."})
}

// pickEmails maps emails: a child table of addresses if there is one,
// else the users table's e-mail column.
func (p *planner) pickEmails(exclude map[string]bool) {
	var col adapters.Column
	for _, c := range p.t.Columns {
		if isInitString(c) && nameIs(emailNames, c.Name, p.base) && (p.free(c.Name) || p.used[c.Name] == "userName") {
			col = c.Name
			break
		}
	}
	if ch := findEmailChild(p.ctx, p.s, p.t, exclude); ch != nil {
		exclude[ch.table] = true
		block := ch.entries()
		g := fmt.Sprintf("%s looks like the users' e-mail addresses, one row per address (%s refers to the user%s). A write of emails replaces the user's rows there.", ch.table, ch.parent, ch.how)
		if ref, note := p.primaryRef(ch); ref != "" {
			block = append(block, entry{key: "primaryRef", value: ref, guess: note})
		}
		if col != "" && p.free(col) {
			block = append(block, entry{key: "primaryColumn", value: yamlKey(string(col)),
				comment: fmt.Sprintf("%s.%s keeps a copy of the primary address.", p.t.Name, col)})
			p.used[col] = "emails"
		}
		p.mapped["emails"] = true
		p.attrs = append(p.attrs, entry{key: "emails", guess: g, block: []entry{{key: "child", block: block}}})
		return
	}
	if el := findEmailLink(p.ctx, p.s, p.t, exclude); col == "" && el != nil {
		exclude[string(el.addr.Name)], exclude[string(el.link.Name)] = true, true
		g := fmt.Sprintf("%s looks like the users' e-mail addresses, reached through the link rows of %s (%s names the user, %s the address). A write of emails links new address rows and unlinks the old ones; address rows are never changed or deleted, as other records may link them.", el.addr.Name, el.link.Name, el.parent, el.child)
		p.mapped["emails"] = true
		p.attrs = append(p.attrs, entry{key: "emails", guess: g, block: []entry{{key: "child", block: el.entries()}}})
		return
	}
	if col == "" {
		return
	}
	ci, _ := p.t.Column(col)
	g := fmt.Sprintf("%s looks like the e-mail address (%s).", col, ci.ColumnType)
	if p.used[col] == "userName" {
		g += " It is the userName too: a write that sets the two differently is refused."
	}
	p.mapAttr("emails", col, yamlKey(string(col)), g)
}

// emailRefNames are names of a users column holding the key of the
// primary address row (osTicket's default_email_id).
var emailRefNames = words(`(default|primary|main|preferred)(e?mail|address|emailaddress)(id)?`)

// primaryRef guesses child.primaryRef for an address table without a
// primary flag: an integer column of the users table, named like
// default_email_id, that can hold the table's AUTO_INCREMENT key. It
// returns the flow value and its GUESS note, or "".
func (p *planner) primaryRef(ch *emailChild) (value, note string) {
	if ch.primary != "" {
		return "", ""
	}
	var key adapters.ColumnInfo
	for _, c := range ch.t.Columns {
		if c.AutoIncrement {
			key = c
		}
	}
	if key.Name == "" {
		return "", ""
	}
	for _, c := range p.t.Columns {
		if !p.free(c.Name) || !isInitInt(c) || c.Name == p.key || !nameIs(emailRefNames, c.Name, p.base) {
			continue
		}
		p.used[c.Name] = "emails"
		value, none := flow("column", yamlKey(string(c.Name))), "NULL"
		if !c.Nullable {
			value, none = flow("column", yamlKey(string(c.Name)), "none", "0"), "0 (it is NOT NULL)"
		}
		return value, fmt.Sprintf("%s.%s looks like the key (%s.%s) of the primary address row, set after the rows are written; %s when there is none.", p.t.Name, c.Name, ch.table, key.Name, none)
	}
	return "", ""
}

// describeValues lists sampled values for a GUESS note.
func describeValues(vs []valueCount) string {
	if len(vs) == 0 {
		return "no rows yet"
	}
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		s := fmt.Sprintf("%q", v.value)
		if v.null {
			s = "NULL"
		}
		parts = append(parts, fmt.Sprintf("%s (%d %s)", s, v.rows, plural(v.rows, "row", "rows")))
	}
	more := ""
	if len(vs) == maxSampled {
		more = ", and maybe more"
	}
	return strings.Join(parts, ", ") + more
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// defaultFor guesses a value for a NOT NULL column without a default that
// no attribute writes, and says what it guessed.
func defaultFor(ci adapters.ColumnInfo) (value, guess string) {
	l := strings.ToLower(string(ci.Name))
	switch {
	case isInitString(ci) && passwordNames.MatchString(l) && ci.Kind != adapters.KindEnum:
		return `"!"`, fmt.Sprintf("%s looks like a password hash: \"!\" matches no password, so provisioned users sign in through the identity provider only.", ci.Name)
	case isInitTime(ci):
		return flow("generate", "now"), fmt.Sprintf("%s (%s): the time the row is written.", ci.Name, ci.ColumnType)
	case isInitInt(ci) && timeLikeNames.MatchString(l):
		return flow("generate", "now"), fmt.Sprintf("%s (%s) looks like a time in Unix seconds: the time the row is written.", ci.Name, ci.ColumnType)
	case ci.Kind == adapters.KindEnum:
		m := enumMembers(ci)
		if len(m) > 0 {
			return yamlString(m[0]), fmt.Sprintf("%s (%s): its first value; the application may want another.", ci.Name, ci.ColumnType)
		}
	case isInitString(ci) && (ci.MaxLength == 0 || ci.MaxLength >= 36) && regexpUUID.MatchString(l):
		return flow("generate", "uuid"), fmt.Sprintf("%s (%s) looks like a key or token of its own: a random UUID.", ci.Name, ci.ColumnType)
	case ci.Kind == adapters.KindJSON:
		return `"{}"`, fmt.Sprintf("%s (%s): an empty JSON object.", ci.Name, ci.ColumnType)
	case isInitString(ci):
		return `""`, fmt.Sprintf("%s (%s): empty; give the value the application writes for a new row.", ci.Name, ci.ColumnType)
	case isFlag(ci) || ci.Kind == adapters.KindDecimal || ci.Kind == adapters.KindFloat:
		return "0", fmt.Sprintf("%s (%s): 0; give the value the application writes for a new row.", ci.Name, ci.ColumnType)
	}
	return `""`, fmt.Sprintf("%s (%s): empty; give the value the application writes for a new row.", ci.Name, ci.ColumnType)
}

var regexpUUID = words(`.*(uuid|guid|token|apikey|key|salt|secret).*`)

// fillDefaults gives every NOT NULL column without a default that nothing
// writes a value, each a guess.
func (p *planner) fillDefaults() {
	for _, c := range p.t.Columns {
		if c.Nullable || c.HasDefault || c.AutoIncrement || !p.free(c.Name) {
			continue
		}
		v, g := defaultFor(c)
		p.defaults = append(p.defaults, entry{key: string(c.Name), value: v, guess: g})
	}
}

// notNullNote introduces the defaults section.
const notNullNote = "NOT NULL columns without a default that nothing above writes: every new row needs a value the application accepts."

// entries returns the resource's section of the configuration.
func (p *planner) entries(id entry) []entry {
	out := []entry{{key: "table", value: yamlKey(string(p.t.Name))}, id, {key: "attributes", block: p.attrs}}
	if len(p.defaults) > 0 {
		out = append(out, entry{key: "defaults", comment: notNullNote, block: p.defaults})
	}
	if len(p.scope) > 0 {
		out = append(out, entry{key: "scope", block: p.scope})
	}
	out = append(out, p.extra...)
	return out
}

// discriminator finds, in a table holding users and groups, the column
// telling them apart and the values of each.
func (p *planner) discriminator() (col adapters.Column, userV, groupV string, seen []valueCount) {
	for _, c := range p.t.Columns {
		if !isInitString(c) || !nameIs(words(`type|kind|principaltype|discriminator|entitytype|accounttype|objecttype|class|objectclass|usertype`), c.Name, p.base) {
			continue
		}
		vs := p.s.sample(p.ctx, string(p.t.Name), c.Name, maxSampled)
		u, g := "", ""
		for _, v := range vs {
			l := strings.ToLower(v.value)
			if u == "" && !v.null && words(`user|person|member|human|individual|people|account|principal`).MatchString(l) {
				u = v.value
			}
			if g == "" && !v.null && words(`group|team|role|usergroup|securitygroup`).MatchString(l) {
				g = v.value
			}
		}
		if u != "" && g != "" {
			return c.Name, u, g, vs
		}
	}
	return "", "", "", nil
}

// typeNote points at a column that may tell users from other rows, with
// the values it holds.
func (p *planner) typeNote() {
	for _, c := range p.t.Columns {
		if !p.free(c.Name) || !(isInitString(c) || isInitInt(c)) || !nameIs(typeNames, c.Name, p.base) {
			continue
		}
		vs := p.s.sample(p.ctx, string(p.t.Name), c.Name, maxSampled)
		if len(vs) < 2 {
			continue
		}
		p.notes = append(p.notes, fmt.Sprintf("GUESS: %s holds %s. If it tells people from other rows (bots, organizations, a guest account), add a scope with the people's values: scope: {%s: {in: [...]}}.", c.Name, describeValues(vs), yamlKey(string(c.Name))))
		return
	}
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// Names of the accounts and groups applications make for themselves: the
// anonymous visitor, a guest, the system or a bot account; Joomla's and
// Drupal's built-in groups.
var (
	systemUserNames  = []string{"anonymous", "anon", "guest", "system", "root", "nobody", "bot", "daemon", "service", "cron", "scheduler", "mailer"}
	builtInGroupName = []string{"everyone", "public", "guest", "guests", "registered", "anonymous", "authenticated", "authenticated user", "super users", "superusers", "system", "nobody", "all users"}
)

// builtInNote lists the rows of col named like the application's own
// accounts or groups (and, for users, any whose name holds "system"),
// with their keys, as a scope the operator may add: a hint in a comment,
// never an active scope, since only the operator knows which the
// application keeps to itself.
func (p *planner) builtInNote(col adapters.Column, names []string, what string) {
	if p.s.db == nil || col == "" || p.key == "" {
		return
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
	w, args := p.where()
	cond := "LOWER(" + quoteIdent(string(col)) + ") IN (" + marks + ")"
	for _, n := range names {
		args = append(args, n)
	}
	if p.name == "User" {
		cond += " OR LOWER(" + quoteIdent(string(col)) + ") LIKE '%system%'"
	}
	q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE (%s) AND (%s) ORDER BY %s LIMIT 10", quoteIdent(string(p.key)), quoteIdent(string(col)), quoteIdent(string(p.t.Name)), w, cond, quoteIdent(string(p.key)))
	rows, err := p.s.db.QueryContext(p.ctx, q, args...)
	if err != nil {
		return
	}
	defer rows.Close()
	var found, vals []string
	for rows.Next() {
		var k, v string
		if rows.Scan(&k, &v) != nil {
			return
		}
		found = append(found, fmt.Sprintf("%s %s (%s %q)", p.key, k, col, v))
		vals = append(vals, yamlString(v))
	}
	if len(found) == 0 {
		return
	}
	p.notes = append(p.notes, fmt.Sprintf("GUESS: %s: %s. If the application keeps them to itself, keep them out of provisioning with a scope (not added here): scope: {%s: {notIn: [%s]}}.",
		what, strings.Join(found, ", "), yamlKey(string(col)), strings.Join(vals, ", ")))
}
