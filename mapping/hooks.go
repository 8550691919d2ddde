package mapping

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// hookEvents lists the events of HooksConfig in the order they are
// reported and described, with the statements cfg gives for each.
func hookEvents(cfg *HooksConfig) []struct {
	event adapters.HookEvent
	stmts []string
} {
	return []struct {
		event adapters.HookEvent
		stmts []string
	}{
		{adapters.AfterCreate, cfg.AfterCreate},
		{adapters.AfterUpdate, cfg.AfterUpdate},
		{adapters.AfterDeactivate, cfg.AfterDeactivate},
		{adapters.AfterReactivate, cfg.AfterReactivate},
		{adapters.BeforeDelete, cfg.BeforeDelete},
		{adapters.AfterDelete, cfg.AfterDelete},
		{adapters.AfterMemberAdd, cfg.AfterMemberAdd},
		{adapters.AfterMemberRemove, cfg.AfterMemberRemove},
	}
}

// isMemberEvent reports whether e is about one membership.
func isMemberEvent(e adapters.HookEvent) bool {
	return e == adapters.AfterMemberAdd || e == adapters.AfterMemberRemove
}

// Named parameters that are not attribute paths.
const (
	paramID      = "id"
	paramGroupID = "groupId"
	paramUserID  = "userId"
)

// hooks compiles a resource's hooks into r.Spec.Hooks, except member
// events, which wait in r.memberHooks for the membership (see Compile).
func (c *compiler) hooks(path string, r *Resource, cfg *HooksConfig) {
	if cfg == nil {
		return
	}
	checker, _ := c.db.(adapters.StatementChecker)
	for _, ev := range hookEvents(cfg) {
		if len(ev.stmts) == 0 {
			continue
		}
		ep := path + "." + string(ev.event)
		switch {
		case isMemberEvent(ev.event) && r.Name != "Group":
			c.add(ep, "only a Group has members; expected it under resources.Group.hooks")
			continue
		case (ev.event == adapters.AfterDeactivate || ev.event == adapters.AfterReactivate) && r.Name != "User":
			c.add(ep, "only a User is deactivated; expected afterUpdate for a %s", r.Name)
			continue
		case (ev.event == adapters.AfterDeactivate || ev.event == adapters.AfterReactivate) && r.active == nil && !r.given["active"]:
			c.add(ep, "active is not mapped, so a user is never deactivated or reactivated; expected active mapped to a column")
			continue
		}
		if isMemberEvent(ev.event) {
			r.memberEvents = append(r.memberEvents, ev.event)
		}
		for i, text := range ev.stmts {
			hp := fmt.Sprintf("%s[%d]", ep, i)
			h, ok := c.hook(hp, r, ev.event, text)
			if !ok {
				continue
			}
			if checker != nil && !c.hooksUnchecked {
				c.checkStatement(hp, checker, h)
			}
			if isMemberEvent(ev.event) {
				if r.memberHooks == nil {
					r.memberHooks = adapters.Hooks{}
				}
				r.memberHooks[ev.event] = append(r.memberHooks[ev.event], h)
			} else {
				if r.Spec.Hooks == nil {
					r.Spec.Hooks = adapters.Hooks{}
				}
				r.Spec.Hooks[ev.event] = append(r.Spec.Hooks[ev.event], h)
			}
			r.hookText = append(r.hookText, hookLine(ev.event, text))
		}
	}
	if a := r.active; a != nil && (len(r.Spec.Hooks[adapters.AfterDeactivate]) > 0 || len(r.Spec.Hooks[adapters.AfterReactivate]) > 0) {
		r.Spec.Active = func(rec adapters.Record) bool {
			v, ok := a.decode(rec[a.col.Name])
			b, _ := v.(bool)
			// An unassigned active (NULL in a plain flag) is no
			// deactivation.
			return !ok || b
		}
	}
}

// hookLine is how check and explain show a hook: its event and its text
// on one line.
func hookLine(e adapters.HookEvent, text string) string {
	return fmt.Sprintf("hook %s: %s", e, strings.Join(strings.Fields(text), " "))
}

// hook compiles one statement of event e: its parameters bound to
// arguments, its kind and shape checked.
func (c *compiler) hook(path string, r *Resource, e adapters.HookEvent, text string) (adapters.Hook, bool) {
	ps, err := parseStatement(text)
	if err != nil {
		c.add(path, "%v", err)
		return adapters.Hook{}, false
	}
	if msg := statementKind(ps.keyword); msg != "" {
		c.add(path, "%s", msg)
		return adapters.Hook{}, false
	}
	h := adapters.Hook{Name: path, SQL: ps.sql}
	ok := true
	for _, name := range ps.params {
		arg, msg := r.hookParam(e, name)
		if msg != "" {
			c.add(path, "%s", msg)
			ok = false
			continue
		}
		h.Args = append(h.Args, arg)
	}
	return h, ok
}

// hookParam resolves the named parameter :name of a statement of event e.
func (r *Resource) hookParam(e adapters.HookEvent, name string) (adapters.HookArg, string) {
	member := isMemberEvent(e)
	switch {
	case strings.EqualFold(name, paramGroupID), strings.EqualFold(name, paramUserID):
		if !member {
			return adapters.HookArg{}, fmt.Sprintf("parameter :%s is not available for %s: only afterMemberAdd and afterMemberRemove have :groupId and :userId; expected :id or a mapped attribute such as :%s", name, e, r.exampleParam())
		}
		if strings.EqualFold(name, paramGroupID) {
			return adapters.HookArg{Kind: adapters.ArgGroup}, ""
		}
		return adapters.HookArg{Kind: adapters.ArgUser}, ""
	case member:
		if strings.EqualFold(name, paramID) || r.byPath[strings.ToLower(name)] != nil {
			return adapters.HookArg{}, fmt.Sprintf("parameter :%s is not available for %s, which is about one membership; expected :groupId or :userId", name, e)
		}
		return adapters.HookArg{}, fmt.Sprintf("unknown parameter :%s%s", name, didYouMeanOr(name, []string{paramGroupID, paramUserID}, "; expected :groupId or :userId"))
	case strings.EqualFold(name, paramID):
		return adapters.HookArg{Kind: adapters.ArgKey}, ""
	}
	a, ok := r.byPath[strings.ToLower(name)]
	if !ok {
		if r.given[strings.ToLower(name)] {
			// Its own mistake is reported; this use of it is right.
			return adapters.HookArg{Kind: adapters.ArgKey}, ""
		}
		return adapters.HookArg{}, fmt.Sprintf("unknown parameter :%s%s", name, didYouMeanOr(name, r.paramNames(), fmt.Sprintf("; expected :id or an attribute %s maps to a column (%s)", r.Name, nameList(prefixed(r.paramNames())))))
	}
	switch a.kind {
	case kindPassword:
		return adapters.HookArg{}, fmt.Sprintf("parameter :%s is write-only and never read; expected another attribute", name)
	case kindChild, kindKV:
		return adapters.HookArg{}, fmt.Sprintf("parameter :%s is not stored in a column of %s; expected :id or an attribute mapped to a column", name, r.Spec.Table)
	}
	if isJoinedColumn(a.col) {
		return adapters.HookArg{}, fmt.Sprintf("parameter :%s is stored in a joined table, not in a column of %s; expected :id or an attribute mapped to a column of %s", name, r.Spec.Table, r.Spec.Table)
	}
	return adapters.HookArg{Kind: adapters.ArgColumn, Column: a.col.Name}, ""
}

// paramNames lists the parameters of a resource's own (not member)
// events: id and the attributes mapped to a column of its table.
func (r *Resource) paramNames() []string {
	out := []string{paramID}
	if r.offlineNames != nil {
		return append(out, r.offlineNames...)
	}
	for _, a := range r.attrs {
		if a.kind != kindPassword && a.kind != kindChild && a.kind != kindKV && !isJoinedColumn(a.col) {
			out = append(out, a.path)
		}
	}
	return out
}

// exampleParam is a parameter to suggest for the resource's own events.
func (r *Resource) exampleParam() string {
	if r.Name == "Group" {
		return "displayName"
	}
	return "userName"
}

func prefixed(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = ":" + n
	}
	return out
}

// didYouMeanOr is DidYouMean's hint for name, or otherwise.
func didYouMeanOr(name string, candidates []string, otherwise string) string {
	if c, ok := Closest(name, candidates); ok {
		return fmt.Sprintf("; did you mean :%s?", c)
	}
	return otherwise
}

// statementKind says why a statement that starts with keyword cannot be a
// hook, or "".
func statementKind(keyword string) string {
	switch strings.ToUpper(keyword) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
		return ""
	case "":
		return "no statement; expected one INSERT, UPDATE, DELETE or REPLACE"
	case "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "HANDLER":
		return fmt.Sprintf("a %s statement only reads; expected one INSERT, UPDATE, DELETE or REPLACE", strings.ToUpper(keyword))
	case "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "GRANT", "REVOKE", "ANALYZE", "OPTIMIZE", "REPAIR", "FLUSH":
		return fmt.Sprintf("%s changes the schema or the server; expected one INSERT, UPDATE, DELETE or REPLACE", strings.ToUpper(keyword))
	case "BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "LOCK", "UNLOCK", "XA", "USE":
		return fmt.Sprintf("%s controls the transaction or the session, which are the write's; expected one INSERT, UPDATE, DELETE or REPLACE", strings.ToUpper(keyword))
	}
	return fmt.Sprintf("%s is not a statement a hook runs; expected one INSERT, UPDATE, DELETE or REPLACE", strings.ToUpper(keyword))
}

// parsedStatement is a hook's text with its named parameters replaced by
// placeholders.
type parsedStatement struct {
	sql     string   // the text with ? for each parameter
	params  []string // the parameters' names, in order
	keyword string   // the statement's first word
}

// parseStatement reads one SQL statement as MySQL and MariaDB lex it:
// quoted strings and identifiers, comments, named parameters (:name, or
// :name.sub for a sub-attribute) outside them, and a ; ending it. It
// refuses what would make the statement mean something else than it
// reads: a second statement, a ? placeholder of its own, an executable
// comment (/*! ... */, run by the server), and a backslash in a string,
// whose meaning depends on the server's sql_mode.
func parseStatement(text string) (parsedStatement, error) {
	var ps parsedStatement
	var b strings.Builder
	n := len(text)
	end := -1 // where a ; ended the statement
	isWord := func(ch byte) bool {
		return ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch >= 0x80
	}
	for i := 0; i < n; {
		ch := text[i]
		if end >= 0 && !isSpace(ch) && !startsComment(text, i) {
			return ps, errors.New("holds more than one statement; expected one statement (give each its own entry in the list)")
		}
		switch {
		case ch == '\'' || ch == '"' || ch == '`':
			j := i + 1
			for {
				if j >= n {
					return ps, fmt.Errorf("a quoted %s starting at character %d is not closed", quotedKind(ch), i+1)
				}
				if text[j] == '\\' && ch != '`' {
					return ps, errors.New("a backslash in a string means different things under different sql_modes; expected none (write a quote as two)")
				}
				if text[j] == ch {
					if j+1 < n && text[j+1] == ch {
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(text[i : j+1])
			i = j + 1
		case startsComment(text, i):
			j := commentEnd(text, i)
			if j < 0 {
				return ps, fmt.Errorf("a comment starting at character %d is not closed", i+1)
			}
			if strings.HasPrefix(text[i:], "/*!") || strings.HasPrefix(text[i:], "/*M!") {
				return ps, errors.New("an executable comment (/*! ... */) is run by the server; expected plain SQL")
			}
			b.WriteString(text[i:j])
			i = j
		case ch == ';':
			end = i
			b.WriteByte(' ')
			i++
		case ch == '?':
			return ps, errors.New("a ? placeholder would have no value; expected named parameters such as :id")
		case ch == ':' && i+1 < n && text[i+1] == '=':
			b.WriteString(":=")
			i += 2
		case ch == ':':
			j := i + 1
			for j < n && (isWord(text[j]) || text[j] == '.' && j+1 < n && isWord(text[j+1]) && j > i+1) {
				j++
			}
			name := text[i+1 : j]
			if name == "" || name[0] >= '0' && name[0] <= '9' {
				return ps, fmt.Errorf("a : at character %d names no parameter; expected a named parameter such as :id", i+1)
			}
			ps.params = append(ps.params, name)
			b.WriteByte('?')
			i = j
		case isWord(ch):
			j := i
			for j < n && isWord(text[j]) {
				j++
			}
			if ps.keyword == "" {
				ps.keyword = text[i:j]
			}
			b.WriteString(text[i:j])
			i = j
		default:
			b.WriteByte(ch)
			i++
		}
	}
	ps.sql = strings.TrimSpace(b.String())
	return ps, nil
}

func quotedKind(q byte) string {
	if q == '`' {
		return "identifier"
	}
	return "string"
}

func isSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'
}

// startsComment reports whether a comment starts at text[i]: #, -- and a
// space (or the end), or /*.
func startsComment(text string, i int) bool {
	switch {
	case text[i] == '#':
		return true
	case strings.HasPrefix(text[i:], "--"):
		return i+2 == len(text) || isSpace(text[i+2])
	case strings.HasPrefix(text[i:], "/*"):
		return true
	}
	return false
}

// commentEnd returns the index after the comment starting at text[i], or
// -1 when a /* comment is not closed.
func commentEnd(text string, i int) int {
	if strings.HasPrefix(text[i:], "/*") {
		j := strings.Index(text[i+2:], "*/")
		if j < 0 {
			return -1
		}
		return i + 2 + j + 2
	}
	j := strings.IndexByte(text[i:], '\n')
	if j < 0 {
		return len(text)
	}
	return i + j
}

// checkStatement asks the database to check a hook's statement (its
// tables and columns) without running it.
func (c *compiler) checkStatement(path string, checker adapters.StatementChecker, h adapters.Hook) {
	err := checker.CheckStatement(c.ctx, h.SQL, len(h.Args))
	var se *adapters.StatementError
	switch {
	case err == nil:
	case errors.As(err, &se) && se.Table != "":
		names := c.tables()
		if hint := DidYouMean(se.Table, names); hint != "" {
			c.add(path, "table %q not found in the database%s", se.Table, hint)
		} else if names != nil {
			c.add(path, "table %q not found in the database (tables: %s)", se.Table, nameList(names))
		} else {
			c.add(path, "table %q not found in the database", se.Table)
		}
	case errors.As(err, &se) && se.Column != "":
		c.add(path, "column %q not found in the tables the statement names; expected a column of one of them", se.Column)
	case errors.As(err, &se):
		c.add(path, "the database refuses the statement: %s", se.Message)
	case errors.Is(err, adapters.ErrUnsupported):
		c.hooksUnchecked = true
		c.warn = append(c.warn, fmt.Sprintf("%s: the database cannot check statements without running them, so the hooks' tables and columns are not checked; a mistake in one fails the writes that run it (500), rolled back", path))
	default:
		c.add(path, "cannot check the statement against the database: %v", err)
	}
}

// memberHooksTo moves the member hooks of group g into its membership
// (and the users' view of it, u's MemberOf), or reports them when g has
// none.
func (c *compiler) memberHooksTo(path string, g, u *Resource) {
	if g.Spec.Members == nil {
		for _, e := range g.memberEvents {
			c.add(path+"."+string(e), "the Group has no members mapping, so members are never added or removed; expected resources.Group.members")
		}
		return
	}
	if len(g.memberHooks) == 0 {
		return
	}
	if g.Spec.Members.List != nil {
		for _, e := range g.memberEvents {
			c.add(path+"."+string(e), "member hooks are not supported for a membership held in a list column; expected none")
		}
		return
	}
	g.Spec.Members.Hooks = g.memberHooks
	if u != nil && u.Spec.MemberOf != nil {
		u.Spec.MemberOf.Membership.Hooks = g.memberHooks
	}
}
