package mysql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
)

var _ adapters.StatementChecker = (*Adapter)(nil)

// errUnsupportedPS is the server's refusal to prepare a kind of
// statement.
const errUnsupportedPS = 1295

// Server messages naming what a statement refers to that does not exist:
// MySQL and MariaDB's (Table 'db.t' doesn't exist, Unknown column 'c' in
// 'SET'), and the embedded go-mysql-server's.
var (
	missingTableRE  = regexp.MustCompile(`^Table '(?:[^'.]*\.)?([^']+)' doesn't exist|^table not found: (\S+)`)
	missingColumnRE = regexp.MustCompile(`^Unknown column '([^']+)'|^column "([^"]+)" could not be found`)
)

// CheckStatement prepares query on the server and closes it, without
// running it: the server parses it and resolves the tables and columns it
// names. The ? placeholders make that safe whatever the values will be.
// It makes the Adapter an adapters.StatementChecker.
func (a *Adapter) CheckStatement(ctx context.Context, query string, args int) error {
	conn, err := a.db.Conn(ctx)
	if err != nil {
		return classify(err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return adapters.ErrUnsupported
		}
		st, err := p.PrepareContext(ctx, query)
		if err != nil {
			return statementError(err)
		}
		defer st.Close()
		if n := st.NumInput(); n >= 0 && n != args {
			return &adapters.StatementError{Message: fmt.Sprintf("the server counts %d placeholders and the statement has %d parameters", n, args)}
		}
		return nil
	})
}

// statementError explains why the server refused to prepare a statement.
func statementError(err error) error {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return classify(err)
	}
	if m := missingTableRE.FindStringSubmatch(me.Message); m != nil {
		return &adapters.StatementError{Table: m[1] + m[2]}
	}
	if m := missingColumnRE.FindStringSubmatch(me.Message); m != nil {
		return &adapters.StatementError{Column: m[1] + m[2]}
	}
	if me.Number == errUnsupportedPS {
		return adapters.ErrUnsupported
	}
	if c := classify(err); errors.Is(c, adapters.ErrUnavailable) {
		return c
	}
	return &adapters.StatementError{Message: me.Message}
}

// hookStmt is a Hook as a store runs it: its text carries a comment naming
// the hook, so that the statement is recognised in the server's process
// list and logs, and in a trace.
type hookStmt struct {
	name string
	text string
	args []adapters.HookArg
}

// hookSet is a table's compiled hooks by event.
type hookSet map[adapters.HookEvent][]hookStmt

func newHookSet(hs adapters.Hooks) hookSet {
	if len(hs) == 0 {
		return nil
	}
	out := hookSet{}
	for e, list := range hs {
		for _, h := range list {
			name := strings.ReplaceAll(h.Name, "*/", "* /")
			out[e] = append(out[e], hookStmt{name: h.Name, text: "/* scimbridge hook " + name + " */ " + h.SQL, args: h.Args})
		}
	}
	return out
}

// has reports whether any of the events has a hook.
func (hs hookSet) has(events ...adapters.HookEvent) bool {
	for _, e := range events {
		if len(hs[e]) > 0 {
			return true
		}
	}
	return false
}

// hookValues are what a hook's arguments are bound from.
type hookValues struct {
	row   adapters.Record // the row of a resource's own event
	key   any             // its key
	group any             // a member event's group key
	user  any             // a member event's user key
}

// run runs the hooks of event e in t, in order. A failure is a
// *adapters.HookError, unless the database is unavailable or the
// transaction deadlocked, which are reported as for any statement (and a
// deadlock runs the write again).
func (hs hookSet) run(ctx context.Context, t *txn, e adapters.HookEvent, v hookValues) error {
	for _, h := range hs[e] {
		args := make([]any, len(h.args))
		for i, a := range h.args {
			switch a.Kind {
			case adapters.ArgKey:
				args[i] = v.key
			case adapters.ArgColumn:
				args[i] = v.row[a.Column]
			case adapters.ArgGroup:
				args[i] = v.group
			case adapters.ArgUser:
				args[i] = v.user
			}
		}
		if _, err := t.ExecContext(ctx, h.text, args...); err != nil {
			if retryable(err) || errors.Is(classify(err), adapters.ErrUnavailable) {
				return fmt.Errorf("running hook %s: %w", h.name, err)
			}
			return &adapters.HookError{Hook: h.name, Err: err}
		}
	}
	return nil
}

// runRow runs the hooks of a resource's own event e for a row.
func (s *store) runRow(ctx context.Context, t *txn, e adapters.HookEvent, key any, row adapters.Record) error {
	if len(s.hooks[e]) == 0 {
		return nil
	}
	return s.hooks.run(ctx, t, e, hookValues{row: row, key: key})
}

// afterCreate runs the AfterCreate hooks of the row just inserted, and
// returns the row read again when they ran: a hook may have written it.
func (s *store) afterCreate(ctx context.Context, t *txn, out adapters.Record) (adapters.Record, error) {
	if len(s.hooks[adapters.AfterCreate]) == 0 {
		return out, nil
	}
	key := out[s.spec.Key]
	if err := s.runRow(ctx, t, adapters.AfterCreate, key, out); err != nil {
		return nil, err
	}
	return s.getOne(ctx, t, key, false, nil)
}

// afterUpdate runs the hooks of an update that changed the row from cur
// to out: AfterUpdate, then AfterDeactivate or AfterReactivate when the
// row's active state changed. It returns the row read again when hooks
// ran: a hook may have written it.
func (s *store) afterUpdate(ctx context.Context, t *txn, key any, cur, out adapters.Record) (adapters.Record, error) {
	events := []adapters.HookEvent{adapters.AfterUpdate}
	if s.spec.Active != nil {
		switch was, is := s.spec.Active(cur), s.spec.Active(out); {
		case was && !is:
			events = append(events, adapters.AfterDeactivate)
		case !was && is:
			events = append(events, adapters.AfterReactivate)
		}
	}
	if !s.hooks.has(events...) {
		return out, nil
	}
	for _, e := range events {
		if err := s.runRow(ctx, t, e, key, out); err != nil {
			return nil, err
		}
	}
	return s.getOne(ctx, t, key, false, nil)
}

// updateRow is writeRow followed by the update's hooks, when the row
// changed. It returns the row before and after. last says that nothing
// follows in the transaction; with hooks something does, so the UPDATE
// does not carry the COMMIT. groups, if not nil, asks for the user's
// groups with the locked row (see writeRow).
func (s *store) updateRow(ctx context.Context, t *txn, key any, fn func(adapters.Record) (adapters.Record, error), last bool, groups *adapters.GroupsRead) (cur, out adapters.Record, err error) {
	if !s.updateHooks() {
		return s.writeRow(ctx, t, key, fn, last, groups)
	}
	cur, out, err = s.writeRow(ctx, t, key, fn, false, groups)
	if err != nil || unchanged(cur, out) {
		return cur, out, err
	}
	if out, err = s.afterUpdate(ctx, t, key, cur, out); err != nil {
		return nil, nil, err
	}
	return cur, out, nil
}

// unchanged reports whether writeRow wrote nothing: it then returns the
// row it read as both before and after, one map.
func unchanged(cur, out adapters.Record) bool {
	return reflect.ValueOf(cur).UnsafePointer() == reflect.ValueOf(out).UnsafePointer()
}

// deleted runs the hooks of a row just deleted (n rows, 0 or 1): the
// AfterMemberRemove hooks of the groups whose memberships the deletion
// removed (a user's), then AfterDelete.
func (s *store) deleted(ctx context.Context, t *txn, key any, row adapters.Record, groups []any, n int64) error {
	if n == 0 {
		return nil
	}
	for _, g := range groups {
		if err := s.groupsOf.hooks.run(ctx, t, adapters.AfterMemberRemove, hookValues{group: g, user: key}); err != nil {
			return err
		}
	}
	return s.runRow(ctx, t, adapters.AfterDelete, key, row)
}

// updateHooks reports whether an update runs hooks.
func (s *store) updateHooks() bool {
	return s.hooks.has(adapters.AfterUpdate, adapters.AfterDeactivate, adapters.AfterReactivate)
}

// runMembers runs the member hooks of event e once for each user of the
// group with key group.
func (m *members) runMembers(ctx context.Context, t *txn, e adapters.HookEvent, group any, users []any) error {
	for _, u := range users {
		if err := m.hooks.run(ctx, t, e, hookValues{group: group, user: u}); err != nil {
			return err
		}
	}
	return nil
}

// column reads one column of the rows a query returns, normalized as a
// column of type ci.
func readColumn(ctx context.Context, t *txn, ci adapters.ColumnInfo, query string, args ...any) ([]any, error) {
	rows, err := t.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, normalize(ci, v))
	}
	return out, rows.Err()
}

// among returns which of the users with these keys are members of the
// group with reference ref (with but, every member but them; with no
// keys, every member), locking their memberships: the rows a removal of
// them would change, as the users' keys.
func (m *members) among(ctx context.Context, t *txn, ref any, keys []any, but bool) ([]any, error) {
	u := m.users
	var out []any
	parts := slices.Collect(slices.Chunk(keys, chunk))
	if but || len(keys) == 0 {
		// NOT IN takes every key at once, as removeAllBut does.
		parts = [][]any{keys}
	}
	for _, part := range parts {
		in := ""
		if len(part) > 0 {
			in = " IN (" + marks(len(part)) + ")"
			if but {
				in = " NOT" + in
			}
		}
		var q string
		var args []any
		var ci adapters.ColumnInfo
		if m.join != "" {
			var sel string
			sel, ci = m.juKey()
			q = "SELECT " + sel + " FROM " + m.join + " WHERE " + m.jg + " = ?"
			if in != "" {
				q += " AND " + m.ju + m.juIn(len(part), but)
			}
			q += m.jscopeBare + m.inUserScope() + " FOR UPDATE"
			args = append(append(append([]any{ref}, part...), m.jargs...), u.sargs...)
		} else {
			uk := quote(string(u.spec.Key))
			q = "SELECT " + uk + " FROM " + u.table + " WHERE " + m.ucol + " = ?"
			if in != "" {
				q += " AND " + uk + in
			}
			q += u.scope + " FOR UPDATE"
			args = append(append([]any{ref}, part...), u.sargs...)
			ci = u.key
		}
		vals, err := readColumn(ctx, t, ci, q, args...)
		if err != nil {
			return nil, fmt.Errorf("reading the members a change touches: %w", err)
		}
		for _, v := range vals {
			if v == nil {
				// A row naming no user by its login: no user to tell.
				continue
			}
			// As the user's key, whatever type the join column has.
			out = append(out, normalize(u.key, []byte(canonical(v))))
		}
	}
	return out, nil
}

// without returns the keys not in others, compared as values.
func without(keys, others []any) []any {
	seen := make(map[string]bool, len(others))
	for _, o := range others {
		seen[canonical(o)] = true
	}
	var out []any
	for _, k := range keys {
		if !seen[canonical(k)] {
			out = append(out, k)
		}
	}
	return out
}

// groupKeys returns the keys of the groups in scope whose reference
// values are refs, by canonical reference.
func (m *members) groupKeys(ctx context.Context, t *txn, refs []any) (map[string]any, error) {
	g := m.group
	out := map[string]any{}
	for part := range slices.Chunk(refs, chunk) {
		q := "SELECT " + m.gref + ", g." + quote(string(g.spec.Key)) + " FROM " + m.gfrom +
			" WHERE " + m.gref + " IN (" + marks(len(part)) + ")" + scopeSQL("g", g)
		rows, err := t.QueryxContext(ctx, q, append(slices.Clone(part), g.sargs...)...)
		if err != nil {
			return nil, fmt.Errorf("reading the groups of memberships: %w", err)
		}
		for rows.Next() {
			var ref, key any
			if err := rows.Scan(&ref, &key); err != nil {
				rows.Close()
				return nil, err
			}
			out[canonical(normalize(m.refCol, ref))] = normalize(g.key, key)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// moved returns, for a userColumn membership, the users with these keys
// that are in another group than ref, whom adding them to ref takes out
// of it: their keys and the keys of the groups they leave.
func (m *members) moved(ctx context.Context, t *txn, ref any, keys []any) (users, groups []any, err error) {
	if m.ucol == "" || !m.hooks.has(adapters.AfterMemberRemove) {
		return nil, nil, nil
	}
	u := m.users
	uk := quote(string(u.spec.Key))
	var refs []any
	for part := range slices.Chunk(keys, chunk) {
		q := "SELECT " + uk + ", " + m.ucol + " FROM " + u.table + " WHERE " + uk + " IN (" + marks(len(part)) + ") AND " + m.ucol + " IS NOT NULL AND " + m.ucol + " <> ?" + u.scope + " FOR UPDATE"
		rows, err := t.QueryxContext(ctx, q, append(append(slices.Clone(part), ref), u.sargs...)...)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the groups members leave: %w", err)
		}
		for rows.Next() {
			var k, r any
			if err := rows.Scan(&k, &r); err != nil {
				rows.Close()
				return nil, nil, err
			}
			users = append(users, normalize(u.key, k))
			refs = append(refs, normalize(m.ucolCol, r))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	return m.resolve(ctx, t, users, refs)
}

// resolve pairs users with the keys of the groups refs name, dropping the
// pairs whose group is not in scope (no SCIM membership).
func (m *members) resolve(ctx context.Context, t *txn, users, refs []any) (us, gs []any, err error) {
	if len(refs) == 0 {
		return nil, nil, nil
	}
	keys, err := m.groupKeys(ctx, t, refs)
	if err != nil {
		return nil, nil, err
	}
	for i, r := range refs {
		if k, ok := keys[canonical(r)]; ok {
			us, gs = append(us, users[i]), append(gs, k)
		}
	}
	return us, gs, nil
}

// groupsOfUser returns the keys of the groups the user with key key is a
// member of, locking the memberships, before the user's deletion removes
// them.
func (m *members) groupsOfUser(ctx context.Context, t *txn, key any) ([]any, error) {
	var refs []any
	var err error
	if m.join != "" {
		refs, err = readColumn(ctx, t, m.jgCol, "SELECT "+m.jg+" FROM "+m.join+" WHERE "+m.ju+m.juIn(1, false)+m.jscopeBare+" FOR UPDATE", append([]any{key}, m.jargs...)...)
	} else {
		u := m.users
		refs, err = readColumn(ctx, t, m.ucolCol, "SELECT "+m.ucol+" FROM "+u.table+" WHERE "+quote(string(u.spec.Key))+" = ? AND "+m.ucol+" IS NOT NULL", key)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the groups of a deleted user: %w", err)
	}
	users := make([]any, len(refs))
	for i := range users {
		users[i] = key
	}
	_, gs, err := m.resolve(ctx, t, users, refs)
	return gs, err
}

// fallback returns, for a userColumn membership whose removal writes a
// group's reference (whenRemoved, the role users fall back to), that
// group's key when it is a group in scope: users removed from a group
// become its members. Otherwise nil.
func (m *members) fallback(ctx context.Context, t *txn) (any, error) {
	if m.ucol == "" || m.spec.Cleared == nil || !m.hooks.has(adapters.AfterMemberAdd) {
		return nil, nil
	}
	keys, err := m.groupKeys(ctx, t, []any{m.spec.Cleared})
	if err != nil {
		return nil, err
	}
	return keys[canonical(m.spec.Cleared)], nil
}

// removedTo runs the AfterMemberAdd hooks of the group users fall back
// to (see fallback) for users just removed from another group.
func (m *members) removedTo(ctx context.Context, t *txn, users []any) error {
	if len(users) == 0 {
		return nil
	}
	fb, err := m.fallback(ctx, t)
	if err != nil || fb == nil {
		return err
	}
	return m.runMembers(ctx, t, adapters.AfterMemberAdd, fb, users)
}

// removesNothing reports whether removing members from the group with
// reference ref changes nothing: with a userColumn membership, the group
// users fall back to, to which a removal writes them again.
func (m *members) removesNothing(ref any) bool {
	return m.ucol != "" && m.spec.Cleared != nil && canonical(ref) == canonical(m.spec.Cleared)
}
