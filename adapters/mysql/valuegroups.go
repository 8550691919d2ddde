package mysql

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// Groups declared by values (TableSpec.Values) have no table: the groups
// are the declared values, held in memory, and only their membership is
// stored, in a join table, a user column or a list in one. Reads and
// filters of the groups are evaluated here; membership reads and changes
// are the members' own, with the group's value as its reference. A change
// of one group's members runs in a transaction on the users' store,
// serialised by a lock named after the group (a uniqueness lock, so a
// GET_LOCK or, on a Galera cluster, a row of LocksTable), in place of the
// group row's lock a group table has; a list membership is rewritten
// under each user row's lock as well.

var (
	_ adapters.Store  = valueGroups{}
	_ adapters.Groups = valueGroups{}
)

// valueGroups is the Store of a Group declared by values.
type valueGroups struct {
	spec adapters.TableSpec
	m    *members
}

// groupLock is the pseudo-column the lock of a declared group's
// membership is named by (see store.lock).
const groupLock adapters.Column = "@group"

// newValueMembers compiles the membership of groups declared by values
// (gspec.Values): the members of a group store made up of the Records'
// columns, whose reference column reads as the membership's own.
func newValueMembers(a *Adapter, gspec adapters.TableSpec, ms adapters.MembershipSpec) (*members, error) {
	gspec.Members, gspec.MemberOf = nil, nil
	info := adapters.TableInfo{Columns: []adapters.ColumnInfo{
		{Name: gspec.Key, DataType: "varchar"}, {Name: gspec.Display, DataType: "varchar"}, {Name: ms.GroupRef, DataType: "varchar"},
	}}
	g, err := newStore(a, gspec, info)
	if err != nil {
		return nil, err
	}
	m, err := newMembers(a, g, ms)
	if err != nil {
		return nil, err
	}
	m.values = gspec.Values
	if m.join != "" {
		m.refCol = m.jgCol
	} else {
		m.refCol = m.ucolCol
	}
	return m, nil
}

// declared returns the index of the declared group whose value the
// membership column col holds as v: compared as the column compares (a
// case-insensitive collation folds case) except in a list, whose tokens
// are exact.
func (m *members) declared(v any, col adapters.ColumnInfo) (int, bool) {
	if v == nil {
		return 0, false
	}
	s := canonical(normalize(col, v))
	fold := m.spec.List == nil && col.CaseInsensitive()
	for i, g := range m.values {
		gv := canonical(g.Value)
		if gv == s || fold && strings.EqualFold(gv, s) {
			return i, true
		}
	}
	return 0, false
}

// member is the Member of declared group i.
func (m *members) member(i int) adapters.Member {
	return adapters.Member{ID: m.values[i].ID, Display: m.values[i].DisplayName}
}

// record is the Record of declared group i.
func (v valueGroups) record(i int) adapters.Record {
	g := v.spec.Values[i]
	return adapters.Record{v.spec.Key: g.ID, v.spec.Display: g.DisplayName, v.m.spec.GroupRef: g.Value}
}

// find returns the index of the group with that id.
func (v valueGroups) find(id string) (int, bool) {
	for i, g := range v.spec.Values {
		if g.ID == id {
			return i, true
		}
	}
	return 0, false
}

func (v valueGroups) Get(_ context.Context, id string) (adapters.Record, error) {
	i, ok := v.find(id)
	if !ok {
		return nil, adapters.ErrNotFound
	}
	return v.record(i), nil
}

// List filters, sorts and pages the declared groups. A members filter
// reads the memberships of the users it names (or, with none, whether each
// group has a member).
func (v valueGroups) List(ctx context.Context, q adapters.Query) (adapters.Page, error) {
	e := &valueEval{v: v, ctx: ctx}
	var match []int
	for i := range v.spec.Values {
		ok := true
		if q.Where != nil {
			var err error
			if ok, err = e.eval(q.Where, i); err != nil {
				return adapters.Page{}, classify(err)
			}
		}
		if ok {
			match = append(match, i)
		}
	}
	if len(q.Order) > 0 {
		slices.SortStableFunc(match, func(a, b int) int {
			ra, rb := v.record(a), v.record(b)
			for _, o := range q.Order {
				x, y := canonical(ra[o.Column]), canonical(rb[o.Column])
				if o.Fold {
					x, y = strings.ToLower(x), strings.ToLower(y)
				}
				c := cmp.Compare(x, y)
				if o.Descending {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	page := adapters.Page{Total: len(match)}
	if q.Offset < len(match) {
		match = match[q.Offset:]
		if len(match) > q.Limit {
			match = match[:q.Limit]
		}
		for _, i := range match {
			page.Records = append(page.Records, v.record(i))
		}
	}
	return page, nil
}

// valueEval evaluates a filter on the declared groups, reading each
// membership test once.
type valueEval struct {
	v   valueGroups
	ctx context.Context
	// of holds, per user id list, the groups (by index) those users are
	// in; any, per group, whether it has a member.
	of  map[string]map[int]bool
	any map[int]bool
}

func (e *valueEval) eval(x adapters.Expr, i int) (bool, error) {
	switch x := x.(type) {
	case adapters.Const:
		return bool(x), nil
	case adapters.And:
		l, err := e.eval(x.Left, i)
		if err != nil || !l {
			return false, err
		}
		return e.eval(x.Right, i)
	case adapters.Or:
		l, err := e.eval(x.Left, i)
		if err != nil || l {
			return l, err
		}
		return e.eval(x.Right, i)
	case adapters.Not:
		r, err := e.eval(x.X, i)
		return !r, err
	case adapters.Compare:
		return compareValue(e.v.record(i)[x.Column], x), nil
	case adapters.HasMember:
		return e.hasMember(x, i)
	}
	return false, fmt.Errorf("filtering declared groups by %T", x)
}

func (e *valueEval) hasMember(x adapters.HasMember, i int) (bool, error) {
	m := e.v.m
	if len(x.IDs) == 0 {
		if e.any == nil {
			e.any = map[int]bool{}
			for j := range m.values {
				has := false
				err := m.eachMember(e.ctx, m.group.db, m.values[j].Value, func(adapters.Member) error {
					has = true
					return errStop
				})
				if err != nil && !errors.Is(err, errStop) {
					return false, err
				}
				e.any[j] = has
			}
		}
		return e.any[i], nil
	}
	k := strings.Join(x.IDs, "\x00")
	if e.of == nil {
		e.of = map[string]map[int]bool{}
	}
	in, ok := e.of[k]
	if !ok {
		in = map[int]bool{}
		err := m.valueGroupsOf(e.ctx, m.validKeys(x.IDs), func(_ any, j int) { in[j] = true })
		if err != nil {
			return false, err
		}
		e.of[k] = in
	}
	return in[i], nil
}

// errStop ends a walk of members early.
var errStop = errors.New("stop")

// compareValue evaluates a comparison on a declared group's string value,
// as SQL would on a character column: Fold compares case-insensitively,
// a missing value matches nothing (and ne).
func compareValue(v any, x adapters.Compare) bool {
	if x.Op == adapters.OpPr {
		return v != nil && canonical(v) != ""
	}
	if v == nil || x.Value == nil {
		return x.Op == adapters.OpNe && (v == nil) != (x.Value == nil)
	}
	a, b := canonical(v), canonical(x.Value)
	if x.Fold {
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	switch x.Op {
	case adapters.OpEq:
		return a == b
	case adapters.OpNe:
		return a != b
	case adapters.OpCo:
		return strings.Contains(a, b)
	case adapters.OpSw:
		return strings.HasPrefix(a, b)
	case adapters.OpEw:
		return strings.HasSuffix(a, b)
	case adapters.OpGt:
		return a > b
	case adapters.OpGe:
		return a >= b
	case adapters.OpLt:
		return a < b
	case adapters.OpLe:
		return a <= b
	}
	return false
}

// fixed is the error refusing to create a group with rec's displayName.
func (v valueGroups) fixed(rec adapters.Record) error {
	name := canonical(rec[v.spec.Display])
	e := &adapters.FixedGroupError{Op: "create", DisplayName: name}
	for _, g := range v.spec.Values {
		e.Names = append(e.Names, g.DisplayName)
		if strings.EqualFold(g.DisplayName, name) && !e.Declared {
			e.Declared, e.ID, e.DisplayName = true, g.ID, g.DisplayName
		}
	}
	return e
}

// Create refuses: the groups are declared.
func (v valueGroups) Create(_ context.Context, rec adapters.Record) (adapters.Record, error) {
	return nil, v.fixed(rec)
}

// CreateGroup refuses: the groups are declared. Nothing is written.
func (v valueGroups) CreateGroup(_ context.Context, rec adapters.Record, _ []string) (adapters.Record, adapters.Written, error) {
	return nil, adapters.Written{}, v.fixed(rec)
}

func (v valueGroups) Update(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, error) {
	rec, _, err := v.UpdateGroup(ctx, id, func(r adapters.Record) (adapters.Record, []adapters.MemberOp, error) {
		rec, err := fn(r)
		return rec, nil, err
	})
	return rec, err
}

// UpdateGroup applies the membership changes of fn in one transaction,
// under the group's lock. A change of the group itself (its displayName)
// is refused, having written nothing.
func (v valueGroups) UpdateGroup(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, []adapters.MemberOp, error)) (adapters.Record, adapters.Written, error) {
	i, ok := v.find(id)
	if !ok {
		return nil, adapters.Written{}, adapters.ErrNotFound
	}
	cur := v.record(i)
	g := v.spec.Values[i]
	m := v.m
	var added, removed int64
	err := m.users.tx(ctx, func(t *txn) error {
		added, removed = 0, 0
		if err := m.users.lock(ctx, t, adapters.Unique{Column: groupLock}, g.Value); err != nil {
			return err
		}
		rec, ops, err := fn(cloneRecord(cur))
		if err != nil {
			return err
		}
		for c, val := range rec {
			if canonical(val) != canonical(cur[c]) {
				return &adapters.FixedGroupError{Op: "rename", DisplayName: g.DisplayName, ID: g.ID}
			}
		}
		added, removed, err = m.apply(ctx, t, g.ID, g.Value, ops)
		if err == nil && added+removed > 0 {
			// Nothing but the memberships tells that the transaction
			// committed when its COMMIT's answer is lost.
			t.check, t.settleBy = nil, func(ctx context.Context) bool { return m.settled(ctx, g.Value, ops) }
		}
		return err
	})
	if err != nil {
		return nil, adapters.Written{}, err
	}
	return cur, adapters.Written{MembersAdded: added, MembersRemoved: removed}, nil
}

// Delete refuses: the groups are declared.
func (v valueGroups) Delete(_ context.Context, id string, _ func(adapters.Record) error) (adapters.Written, error) {
	i, ok := v.find(id)
	if !ok {
		return adapters.Written{}, adapters.ErrNotFound
	}
	g := v.spec.Values[i]
	return adapters.Written{}, &adapters.FixedGroupError{Op: "delete", DisplayName: g.DisplayName, ID: g.ID}
}

// AddMembers declines: the full path takes the group's lock.
func (v valueGroups) AddMembers(context.Context, string, []string) (bool, adapters.Written, error) {
	return false, adapters.Written{}, nil
}

// RemoveMembers declines: the full path takes the group's lock.
func (v valueGroups) RemoveMembers(context.Context, string, []string) (bool, adapters.Written, error) {
	return false, adapters.Written{}, nil
}

func (v valueGroups) EachMember(ctx context.Context, id string, fn func(adapters.Member) error) error {
	i, ok := v.find(id)
	if !ok {
		return adapters.ErrNotFound
	}
	err := v.m.eachMember(ctx, v.m.group.db, v.spec.Values[i].Value, fn)
	if errors.Is(err, errStop) {
		return err
	}
	return classify(err)
}

func (v valueGroups) GroupsOf(ctx context.Context, userIDs []string) (map[string][]adapters.Member, error) {
	m := v.m
	in := map[string][]int{}
	err := m.valueGroupsOf(ctx, m.validKeys(userIDs), func(uid any, i int) {
		id := m.users.idOf(uid)
		if !slices.Contains(in[id], i) {
			in[id] = append(in[id], i)
		}
	})
	if err != nil {
		return nil, classify(err)
	}
	out := make(map[string][]adapters.Member, len(in))
	for id, is := range in {
		slices.Sort(is) // in declared order
		for _, i := range is {
			out[id] = append(out[id], m.member(i))
		}
	}
	return out, nil
}

// valueGroupsOf calls fn with each user in scope among keys and each
// declared group it is in; stored values not declared are skipped.
func (m *members) valueGroupsOf(ctx context.Context, keys []any, fn func(uid any, i int)) error {
	u := m.users
	uk := quote(string(u.spec.Key))
	for part := range slices.Chunk(keys, chunk) {
		var q string
		var args []any
		col := m.ucolCol
		if m.join != "" {
			vals := make([]any, len(m.values))
			for i, g := range m.values {
				vals[i] = g.Value
			}
			q = "SELECT j." + m.ju + ", j." + m.jg + " FROM " + m.join + " j WHERE j." + m.ju + " IN (" + marks(len(part)) + ") AND j." + m.jg + " IN (" + marks(len(vals)) + ")" + m.jscope + m.inUserScope()
			args = append(append(append(slices.Clone(part), vals...), m.jargs...), u.sargs...)
			col = m.jgCol
		} else {
			sel, sargs := m.listSel("")
			q = "SELECT " + uk + ", " + sel + " FROM " + u.table + " WHERE " + uk + " IN (" + marks(len(part)) + ")" + u.scope
			args = append(append(sargs, part...), u.sargs...)
		}
		err := func() error {
			rows, err := m.group.db.QueryxContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("reading users' groups: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var uid, stored any
				if err := rows.Scan(&uid, &stored); err != nil {
					return fmt.Errorf("scanning user's groups: %w", err)
				}
				if m.spec.List == nil {
					if i, ok := m.declared(stored, col); ok {
						fn(uid, i)
					}
					continue
				}
				toks, _ := m.spec.List.Tokens(normalize(col, stored)) // unreadable: no groups
				for _, tk := range toks {
					if i, ok := m.declared(tk, adapters.ColumnInfo{}); ok {
						fn(uid, i)
					}
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return err
		}
	}
	return nil
}
