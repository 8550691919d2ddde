package mysql

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

// related is a child or key/value table of a store: rows that belong to
// one row of the store's table through a parent column.
type related struct {
	name   adapters.Column // Record key (children), or "@kv"
	table  string          // quoted
	parent string          // quoted parent column
	cols   []adapters.Column
	list   string // quoted select list of cols
	order  string // ORDER BY tail after the parent column
	in     *store // the child's columns, for expressions over them
	kv     *adapters.KVSpec
	// parentCol is the parent column, whose type and collation the
	// parent's key is converted to in joins (see coerce).
	parentCol adapters.ColumnInfo
	// defaults are written into every new row, in loc (the parent
	// table's time zone).
	defaults []adapters.Default
	loc      *time.Location
	// scope is a key/value table's scope (" AND ..." terms, unaliased)
	// and its arguments; scopeCols and scopeVals are the constants
	// written into new entries.
	scope     string
	sargs     []any
	scopeCols []adapters.Column
	// from is the FROM clause of a read (the table, or the link table
	// joined to the child table), and parentQ the parent column as it is
	// correlated with the parent table's key.
	from    string
	parentQ string
	// link is set for child rows reached through a link table; scope and
	// sargs then hold the link's scope, and parent is the link's.
	link *linkRel
	// pointer is set for child rows whose primary the parent's column
	// names (see pointed.go).
	pointer *pointerRel
}

// Aliases of the link and child tables in the joins of a linked child.
const (
	linkAlias  = "`_l`"
	childAlias = "`_c`"
)

// linkRel is the link table of a linked child (adapters.LinkSpec).
type linkRel struct {
	spec  *adapters.LinkSpec
	table string // quoted
	// scopeBare is the link's scope unaliased (with "not removed"), with
	// its arguments, for statements on the link table alone.
	scopeBare string
	bargs     []any
	lcols     map[adapters.Column]adapters.ColumnInfo // the link table's
	ccols     map[adapters.Column]adapters.ColumnInfo // the child table's
	// own are the Record columns held in the child table.
	own     []adapters.Column
	autoKey bool // the child key is AUTO_INCREMENT
}

// kvName is the Exists.Child name of the key/value table.
const kvName adapters.Column = "@kv"

func (s *store) initRelated(a *Adapter) error {
	for _, c := range s.spec.Children {
		info, ok := a.described(c.Table)
		if !ok {
			return fmt.Errorf("table %s has not been described", c.Table)
		}
		var r *related
		var err error
		switch {
		case c.Link != nil:
			r, err = newLinked(a, info, c)
		case c.Pointer != nil:
			r, err = s.newPointed(info, c)
		default:
			r, err = newRelated(info, c.Name, c.Table, c.Parent, c.Columns)
		}
		if err != nil {
			return err
		}
		r.defaults, r.loc = c.Defaults, s.spec.Location
		order := make([]string, 0, len(c.Columns)+1)
		if c.Order != "" {
			order = append(order, r.in.ident(c.Order)+" DESC")
		}
		for _, col := range c.Columns {
			order = append(order, r.in.ident(col))
		}
		r.order = strings.Join(order, ", ")
		if s.children == nil {
			s.children = map[adapters.Column]*related{}
		}
		s.children[c.Name] = r
	}
	if kv := s.spec.KV; kv != nil {
		info, ok := a.described(kv.Table)
		if !ok {
			return fmt.Errorf("table %s has not been described", kv.Table)
		}
		r, err := newRelated(info, kvName, kv.Table, kv.Parent, []adapters.Column{kv.Key, kv.Value})
		if err != nil {
			return err
		}
		r.kv = kv
		r.order = quote(string(kv.Key))
		r.defaults, r.loc = kv.Defaults, s.spec.Location
		r.scope, r.sargs = scopeTerms("", kv.Scope, nil, nil, r.in.cols)
		r.scopeCols = slices.Sorted(maps.Keys(kv.Scope))
		s.kv = r
	}
	return nil
}

func newRelated(info adapters.TableInfo, name adapters.Column, t adapters.Table, parent adapters.Column, cols []adapters.Column) (*related, error) {
	in := &store{cols: map[adapters.Column]adapters.ColumnInfo{}, table: quote(string(t))}
	for _, c := range info.Columns {
		in.cols[c.Name] = c
	}
	q := make([]string, len(cols))
	for i, c := range append([]adapters.Column{parent}, cols...) {
		if _, ok := in.cols[c]; !ok {
			return nil, fmt.Errorf("column %s of %s: %w", c, t, errNotDescribed)
		}
		if i > 0 {
			q[i-1] = quote(string(c))
		}
	}
	r := &related{name: name, table: quote(string(t)), parent: quote(string(parent)), cols: cols, list: strings.Join(q, ", "), in: in, parentCol: in.cols[parent]}
	r.from, r.parentQ = r.table, r.table+"."+r.parent
	return r, nil
}

// newLinked makes the related table of a child reached through a link
// table: reads join the link table (aliased _l) to the child table (_c).
func newLinked(a *Adapter, info adapters.TableInfo, c adapters.ChildSpec) (*related, error) {
	ls := c.Link
	linfo, ok := a.described(ls.Table)
	if !ok {
		return nil, fmt.Errorf("table %s has not been described", ls.Table)
	}
	l := &linkRel{spec: ls, table: quote(string(ls.Table)), lcols: map[adapters.Column]adapters.ColumnInfo{}, ccols: map[adapters.Column]adapters.ColumnInfo{}}
	for _, ci := range linfo.Columns {
		l.lcols[ci.Name] = ci
	}
	for _, ci := range info.Columns {
		l.ccols[ci.Name] = ci
	}
	in := &store{cols: map[adapters.Column]adapters.ColumnInfo{}, table: quote(string(c.Table)), prefix: map[adapters.Column]string{}}
	for _, col := range c.Columns {
		if slices.Contains(ls.Columns, col) {
			in.cols[col], in.prefix[col] = l.lcols[col], linkAlias+"."
		} else {
			in.cols[col], in.prefix[col] = l.ccols[col], childAlias+"."
			l.own = append(l.own, col)
		}
	}
	for _, col := range append([]adapters.Column{ls.Parent, ls.Child}, ls.Columns...) {
		if _, ok := l.lcols[col]; !ok {
			return nil, fmt.Errorf("column %s of %s: %w", col, ls.Table, errNotDescribed)
		}
	}
	for _, col := range append([]adapters.Column{ls.Key}, l.own...) {
		if _, ok := l.ccols[col]; !ok {
			return nil, fmt.Errorf("column %s of %s: %w", col, c.Table, errNotDescribed)
		}
	}
	l.autoKey = l.ccols[ls.Key].AutoIncrement
	q := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		q[i] = in.ident(col)
	}
	r := &related{name: c.Name, table: quote(string(c.Table)), parent: linkAlias + "." + quote(string(ls.Parent)), cols: c.Columns, list: strings.Join(q, ", "), in: in, parentCol: l.lcols[ls.Parent], link: l}
	r.from = l.table + " AS " + linkAlias + " JOIN " + r.table + " AS " + childAlias + " ON " + childAlias + "." + quote(string(ls.Key)) + " = " + coerce(linkAlias+"."+quote(string(ls.Child)), l.lcols[ls.Child], l.ccols[ls.Key])
	r.parentQ = r.parent
	r.scope, r.sargs = scopeTerms(linkAlias+".", ls.Scope, nil, ls.Removed, l.lcols)
	l.scopeBare, l.bargs = scopeTerms("", ls.Scope, nil, ls.Removed, l.lcols)
	return r, nil
}

// splitRelated separates a Record's own columns from its child rows and
// key/value entries.
func splitRelated(rec adapters.Record) (row, rel adapters.Record) {
	row, rel = adapters.Record{}, adapters.Record{}
	for c, v := range rec {
		if strings.HasPrefix(string(c), "@") {
			rel[c] = v
		} else {
			row[c] = v
		}
	}
	return row, rel
}

// sameRelated reports whether two values of a related Record key (child
// rows, or one key/value entry) are equal.
func sameRelated(a, b any) bool {
	ra, aok := a.([]adapters.Record)
	rb, bok := b.([]adapters.Record)
	if aok != bok {
		return false
	}
	if !aok {
		return (a == nil) == (b == nil) && canonical(a) == canonical(b)
	}
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if len(ra[i]) != len(rb[i]) {
			return false
		}
		for c, v := range ra[i] {
			w, ok := rb[i][c]
			if !ok || (v == nil) != (w == nil) || canonical(v) != canonical(w) {
				return false
			}
		}
	}
	return true
}

// loadRelated reads the child rows and key/value entries of recs, one
// query per related table for all of them.
func (s *store) loadRelated(ctx context.Context, q queryer, recs []adapters.Record) error {
	if len(recs) == 0 || (len(s.children) == 0 && s.kv == nil && len(s.joins) == 0) {
		return nil
	}
	byKey := map[string]adapters.Record{}
	keys := make([]any, 0, len(recs))
	for _, r := range recs {
		k := r[s.spec.Key]
		byKey[canonical(k)] = r
		keys = append(keys, k)
		for name := range s.children {
			r[name] = []adapters.Record{}
		}
		if s.kv != nil {
			for _, k := range s.kv.kv.Keys {
				r[adapters.KVColumn(k)] = nil
			}
		}
	}
	if err := s.loadJoined(ctx, q, recs, keys, byKey); err != nil {
		return err
	}
	all := make([]*related, 0, len(s.children)+1)
	for _, r := range s.children {
		all = append(all, r)
	}
	if s.kv != nil {
		all = append(all, s.kv)
	}
	for _, r := range all {
		for part := range slices.Chunk(keys, chunk) {
			query := "SELECT " + r.parent + ", " + r.list + " FROM " + r.from + " WHERE " + r.parent + " IN (" + marks(len(part)) + ")"
			args := slices.Clone(part)
			if r.kv != nil {
				terms, targs := r.kvKeyTerms(r.kv.Keys)
				query += terms + r.scope
				args = append(append(args, targs...), r.sargs...)
			} else {
				query += r.scope
				args = append(args, r.sargs...)
			}
			query += " ORDER BY " + r.parent + ", " + r.order
			if err := r.read(ctx, q, query, args, s.key, byKey); err != nil {
				return err
			}
		}
	}
	if s.kv != nil {
		s.kv.fillMissing(recs)
	}
	return nil
}

func (r *related) read(ctx context.Context, q queryer, query string, args []any, key adapters.ColumnInfo, byKey map[string]adapters.Record) error {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", r.table, err)
	}
	defer rows.Close()
	vals := make([]any, len(r.cols)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("scanning %s: %w", r.table, err)
		}
		parent := byKey[canonical(normalize(key, vals[0]))]
		if parent == nil {
			continue
		}
		if r.kv != nil {
			k := canonical(normalize(r.in.cols[r.kv.Key], vals[1]))
			c := adapters.KVColumn(k)
			if parent[c] == nil {
				// Several rows for one key: the first wins, as most
				// applications read them.
				parent[c] = normalize(r.in.cols[r.kv.Value], vals[2])
			}
			continue
		}
		child := make(adapters.Record, len(r.cols))
		for i, c := range r.cols {
			child[c] = normalize(r.in.cols[c], vals[i+1])
		}
		parent[r.name] = append(parent[r.name].([]adapters.Record), child)
	}
	return rows.Err()
}

// writeRelated writes the child rows and key/value entries in rel for the
// row with that key: a child's rows are replaced, a key/value entry is
// replaced or (nil) removed. fresh says the row was just inserted, so
// there is nothing to delete first.
func (s *store) writeRelated(ctx context.Context, t *txn, key any, rel adapters.Record, fresh bool) error {
	var kvKeys []string
	for c, v := range rel {
		if r, ok := s.children[c]; ok {
			rows, _ := v.([]adapters.Record)
			if err := r.replace(ctx, t, key, rows, fresh); err != nil {
				return err
			}
			continue
		}
		if s.kv != nil && strings.HasPrefix(string(c), "@kv:") {
			kvKeys = append(kvKeys, strings.TrimPrefix(string(c), "@kv:"))
			continue
		}
		return fmt.Errorf("record key %s is neither a child nor a key/value entry", c)
	}
	if len(kvKeys) == 0 {
		return nil
	}
	slices.Sort(kvKeys)
	kv := s.kv.kv
	if !fresh {
		terms, targs := s.kv.kvKeyTerms(kvKeys)
		q := "DELETE FROM " + s.kv.table + " WHERE " + s.kv.parent + " = ?" + terms + s.kv.scope
		if _, err := t.ExecContext(ctx, q, append(append([]any{key}, targs...), s.kv.sargs...)...); err != nil {
			return fmt.Errorf("replacing %s entries: %w", kv.Table, err)
		}
	}
	next, err := nextBases(ctx, t, s.kv.table, s.kv.parent, key, s.kv.defaults, nil)
	if err != nil {
		return err
	}
	extraCols, _ := s.kv.extra(nil)
	head := "INSERT INTO " + s.kv.table + " (" + s.kv.parent + ", " + quote(string(kv.Key)) + ", " + quote(string(kv.Value)) + extraCols
	var vals []string
	var args []any
	for _, k := range kvKeys {
		v := rel[adapters.KVColumn(k)]
		if v == nil {
			continue
		}
		_, extra := s.kv.extra(next)
		if len(kv.KeyScope[k]) > 0 {
			// Its own further columns: a statement of its own.
			kcols, kvals := s.kv.kvExtra(k)
			q := head + kcols + ") VALUES (" + marks(3+len(extra)+len(kvals)) + ")"
			if _, err := t.ExecContext(ctx, q, append(append([]any{key, k, v}, extra...), kvals...)...); err != nil {
				return fmt.Errorf("writing %s entries: %w", kv.Table, err)
			}
			continue
		}
		vals = append(vals, "(?, ?, ?"+strings.Repeat(", ?", len(extra))+")")
		args = append(append(args, key, k, v), extra...)
	}
	if len(vals) == 0 {
		return nil
	}
	q := head + ") VALUES " + strings.Join(vals, ", ")
	if _, err := t.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("writing %s entries: %w", kv.Table, err)
	}
	return nil
}

// replace makes rows the child rows of the row with that key.
func (r *related) replace(ctx context.Context, t *txn, key any, rows []adapters.Record, fresh bool) error {
	if r.link != nil {
		return r.replaceLinked(ctx, t, key, rows, fresh)
	}
	if r.pointer != nil {
		return r.replacePointed(ctx, t, key, rows, fresh)
	}
	if !fresh {
		if _, err := t.ExecContext(ctx, "DELETE FROM "+r.table+" WHERE "+r.parent+" = ?", key); err != nil {
			return fmt.Errorf("replacing %s rows: %w", r.table, err)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	next, err := nextBases(ctx, t, r.table, r.parent, key, r.defaults, r.cols)
	if err != nil {
		return err
	}
	extraCols, _ := r.extra(nil)
	vals := make([]string, len(rows))
	args := make([]any, 0, len(rows)*(len(r.cols)+1))
	for i, row := range rows {
		_, extra := r.extra(next)
		vals[i] = "(" + marks(len(r.cols)+1+len(extra)) + ")"
		args = append(args, key)
		for _, c := range r.cols {
			args = append(args, row[c])
		}
		args = append(args, extra...)
	}
	q := "INSERT INTO " + r.table + " (" + r.parent + ", " + r.list + extraCols + ") VALUES " + strings.Join(vals, ", ")
	if _, err := t.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("writing %s rows: %w", r.table, err)
	}
	return nil
}

// nextBases returns, for each next number among defs that cols does not
// write, the greatest value of its column among the rows of table
// (quoted) whose parent column (quoted) holds key, all of them, or 0:
// the parent's lock, which its write holds, keeps it current until the
// transaction ends. Each new row then takes the next one (takeNext).
func nextBases(ctx context.Context, t *txn, table, parent string, key any, defs []adapters.Default, cols []adapters.Column) (map[adapters.Column]int64, error) {
	var out map[adapters.Column]int64
	for _, d := range defs {
		if d.Kind != adapters.DefaultNext || slices.Contains(cols, d.Column) {
			continue
		}
		n, err := maxPlusOne(ctx, t, table, quote(string(d.Column)), " AND "+parent+" = ?", []any{key})
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[adapters.Column]int64{}
		}
		out[d.Column] = n - 1
	}
	return out, nil
}

// takeNext returns the next number of column c from next (see
// nextBases), counting it as taken.
func takeNext(next map[adapters.Column]int64, c adapters.Column) int64 {
	next[c]++
	return next[c]
}

// extra returns the further columns of a new row, as ", `c`" text, and
// their values: the scope's constants, then the defaults that no mapped
// column already writes. Each call makes fresh values (a new UUID, the
// next number from next, see nextBases; nil for the text alone).
func (r *related) extra(next map[adapters.Column]int64) (string, []any) {
	var cols strings.Builder
	var vals []any
	for _, c := range r.scopeCols {
		cols.WriteString(", " + quote(string(c)))
		vals = append(vals, r.kv.Scope[c])
	}
	now := adapters.Now()
	for _, d := range r.defaults {
		if slices.Contains(r.cols, d.Column) || slices.Contains(r.scopeCols, d.Column) {
			continue
		}
		cols.WriteString(", " + quote(string(d.Column)))
		if d.Kind == adapters.DefaultNext {
			if next != nil {
				vals = append(vals, takeNext(next, d.Column))
			}
			continue
		}
		vals = append(vals, defaultValue(d, r.in.cols[d.Column], r.loc, now))
	}
	return cols.String(), vals
}

// dropRelated deletes the joined rows, child rows and key/value entries
// of a row.
func (s *store) dropRelated(ctx context.Context, t *txn, key any) error {
	if err := s.dropJoined(ctx, t, key); err != nil {
		return err
	}
	for _, r := range s.children {
		if r.link != nil {
			if err := r.unlink(ctx, t, key); err != nil {
				return err
			}
			continue
		}
		if _, err := t.ExecContext(ctx, "DELETE FROM "+r.table+" WHERE "+r.parent+" = ?", key); err != nil {
			return fmt.Errorf("deleting %s rows: %w", r.table, err)
		}
	}
	if s.kv != nil {
		kv := s.kv.kv
		q, args := "DELETE FROM "+s.kv.table+" WHERE "+s.kv.parent+" = ?", []any{key}
		if !kv.DeleteAll {
			// Only the keys the mapping owns: the application's other
			// entries go with the row only if the application says so.
			terms, targs := s.kv.kvKeyTerms(kv.Keys)
			q += terms + s.kv.scope
			args = append(append(args, targs...), s.kv.sargs...)
		}
		if _, err := t.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("deleting %s entries: %w", kv.Table, err)
		}
	}
	return nil
}

// exists renders an Exists expression as a correlated subquery.
func (s *store) exists(b *builder, x adapters.Exists) error {
	r := s.children[x.Child]
	if x.Child == kvName {
		r = s.kv
	}
	if r == nil {
		return fmt.Errorf("no related table %s", x.Child)
	}
	b.sql.WriteString("EXISTS (SELECT 1 FROM " + r.from + " WHERE " + r.parentQ + " = " + coerce(s.table+"."+quote(string(s.spec.Key)), s.key, r.parentCol) + r.scope + " AND ")
	b.args = append(b.args, r.sargs...)
	if err := r.in.expr(b, x.Where); err != nil {
		return err
	}
	b.sql.WriteString(")")
	return nil
}

// relatedOrder returns the ORDER BY term for sorting by a child table's
// value (the primary value, else the first, as RFC 7644 section 3.4.2.3
// sorts by a multi-valued attribute) or a key/value entry, and its
// arguments; ok is false for a column of the table itself.
func (s *store) relatedOrder(o adapters.Order) (expr string, args []any, ok bool) {
	if r, found := s.children[o.Column]; found && len(r.cols) > 0 {
		key := coerce(s.table+"."+quote(string(s.spec.Key)), s.key, r.parentCol)
		v := r.in.operand(r.in.cols[r.cols[0]], o.Fold)
		return "(SELECT " + v + " FROM " + r.from + " WHERE " + r.parentQ + " = " + key + r.scope + " ORDER BY " + r.order + " LIMIT 1)", slices.Clone(r.sargs), true
	}
	if k, found := strings.CutPrefix(string(o.Column), "@kv:"); found && s.kv != nil {
		r := s.kv
		key := coerce(s.table+"."+quote(string(s.spec.Key)), s.key, r.parentCol)
		v := r.in.operand(r.in.cols[r.kv.Value], o.Fold)
		terms, targs := r.kvKeyTerms([]string{k})
		q := "(SELECT " + v + " FROM " + r.table + " WHERE " + r.table + "." + r.parent + " = " + key + terms + r.scope + " LIMIT 1)"
		args := append(targs, r.sargs...)
		if m, ok := r.kv.Missing[k]; ok {
			q, args = "COALESCE("+q+", ?)", append(args, m)
		}
		return q, args, true
	}
	return "", nil, false
}

// replaceLinked makes rows the child rows of the row with that key through
// the link table: its current links are marked (or deleted), and each row
// is inserted into the child table with a new key and linked. Child rows
// are never reused, updated or deleted: other parents' links may name
// them, and a changed address is a new one, as for the application.
func (r *related) replaceLinked(ctx context.Context, t *txn, key any, rows []adapters.Record, fresh bool) error {
	l := r.link
	ls := l.spec
	if !fresh {
		if err := r.unlink(ctx, t, key); err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	now := adapters.Now()
	// The link's own columns: parent, child, mapped (primary), scope
	// constants, the restored mark, then defaults nothing else writes.
	lhead := []adapters.Column{ls.Parent, ls.Child}
	lhead = append(lhead, ls.Columns...)
	scopeCols := slices.Sorted(maps.Keys(ls.Scope))
	lhead = append(lhead, scopeCols...)
	restore := ls.Removed != nil && ls.Restore != nil && !slices.Contains(lhead, ls.Removed.Column)
	if restore {
		lhead = append(lhead, ls.Removed.Column)
	}
	var ldefs []adapters.Default
	for _, d := range ls.Defaults {
		if !slices.Contains(lhead, d.Column) {
			ldefs = append(ldefs, d)
		}
	}
	next, err := nextBases(ctx, t, l.table, quote(string(ls.Parent)), key, ldefs, nil)
	if err != nil {
		return err
	}
	lvals := make([]string, 0, len(rows))
	var largs []any
	for _, row := range rows {
		cols := make([]string, 0, len(l.own)+len(r.defaults))
		args := make([]any, 0, cap(cols))
		for _, c := range l.own {
			cols, args = append(cols, quote(string(c))), append(args, row[c])
		}
		var id any
		for _, d := range r.defaults {
			if slices.Contains(l.own, d.Column) {
				continue
			}
			v := defaultValue(d, l.ccols[d.Column], r.loc, now)
			cols, args = append(cols, quote(string(d.Column))), append(args, v)
			if d.Column == ls.Key {
				id = v
			}
		}
		res, err := t.ExecContext(ctx, "INSERT INTO "+r.table+" ("+strings.Join(cols, ", ")+") VALUES ("+marks(len(args))+")", args...)
		if err != nil {
			return fmt.Errorf("writing %s rows: %w", r.table, err)
		}
		if id == nil {
			if !l.autoKey {
				return fmt.Errorf("writing %s rows: no value for the key %s", r.table, ls.Key)
			}
			n, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("reading the key of a new %s row: %w", r.table, err)
			}
			id = n
		}
		largs = append(largs, key, id)
		for _, c := range ls.Columns {
			largs = append(largs, row[c])
		}
		for _, c := range scopeCols {
			largs = append(largs, ls.Scope[c])
		}
		if restore {
			largs = append(largs, ls.Restore)
		}
		for _, d := range ldefs {
			if d.Kind == adapters.DefaultNext {
				largs = append(largs, takeNext(next, d.Column))
				continue
			}
			largs = append(largs, defaultValue(d, l.lcols[d.Column], r.loc, now))
		}
		lvals = append(lvals, "("+marks(len(lhead)+len(ldefs))+")")
	}
	head := make([]string, 0, len(lhead)+len(ldefs))
	for _, c := range lhead {
		head = append(head, quote(string(c)))
	}
	for _, d := range ldefs {
		head = append(head, quote(string(d.Column)))
	}
	q := "INSERT INTO " + l.table + " (" + strings.Join(head, ", ") + ") VALUES " + strings.Join(lvals, ", ")
	if _, err := t.ExecContext(ctx, q, largs...); err != nil {
		return fmt.Errorf("writing %s rows: %w", l.table, err)
	}
	return nil
}

// unlink removes the links of the row with that key: marks them where the
// link has a Removed mark, else deletes them. Links outside the link's
// scope (another module's) are never touched.
func (r *related) unlink(ctx context.Context, t *txn, key any) error {
	l := r.link
	q, args := "DELETE FROM "+l.table, []any(nil)
	if m := l.spec.Removed; m != nil {
		v := m.Value
		if m.Now {
			v = defaultValue(adapters.Default{Column: m.Column, Kind: adapters.DefaultNow}, l.lcols[m.Column], r.loc, adapters.Now())
		}
		q, args = "UPDATE "+l.table+" SET "+quote(string(m.Column))+" = ?", []any{v}
	}
	q += " WHERE " + quote(string(l.spec.Parent)) + " = ?" + l.scopeBare
	args = append(append(args, key), l.bargs...)
	if _, err := t.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("removing %s links: %w", l.table, err)
	}
	return nil
}

// markLinks marks the links of a soft-deleted row, where its linked
// children's links have a Removed mark, as the application marks a
// deleted record's relationships.
func (s *store) markLinks(ctx context.Context, t *txn, key any) error {
	for _, r := range s.children {
		if r.link != nil && r.link.spec.Removed != nil {
			if err := r.unlink(ctx, t, key); err != nil {
				return err
			}
		}
	}
	return nil
}
