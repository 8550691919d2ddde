package mysql

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// joined is a joined table of a store (adapters.JoinSpec): one row per
// row of the store's table, keyed by its key.
type joined struct {
	spec    adapters.JoinSpec
	table   string // quoted
	key     string // quoted key column
	keyCol  adapters.ColumnInfo
	in      *store // the joined table's columns, for expressions over them
	list    string // quoted select list of spec.Columns
	present adapters.Column
	// scope is the joined row's scope as " AND ..." terms (unaliased)
	// and its arguments; scopeCols are its columns, sorted.
	scope     string
	sargs     []any
	scopeCols []adapters.Column
}

// joinRef is a Record key of a joined column: its table and column.
type joinRef struct {
	j   *joined
	col adapters.Column
}

func (s *store) initJoined(a *Adapter) error {
	for _, js := range s.spec.Joined {
		info, ok := a.described(js.Table)
		if !ok {
			return fmt.Errorf("table %s has not been described", js.Table)
		}
		j := &joined{spec: js, table: quote(string(js.Table)), key: quote(string(js.Key)), present: adapters.JoinPresent(js.Table)}
		j.in = &store{cols: map[adapters.Column]adapters.ColumnInfo{}, table: j.table}
		for _, c := range info.Columns {
			j.in.cols[c.Name] = c
		}
		if j.keyCol, ok = j.in.cols[js.Key]; !ok {
			return fmt.Errorf("column %s of %s: %w", js.Key, js.Table, errNotDescribed)
		}
		q := make([]string, len(js.Columns))
		for i, c := range js.Columns {
			ci, ok := j.in.cols[c]
			if !ok {
				return fmt.Errorf("column %s of %s: %w", c, js.Table, errNotDescribed)
			}
			q[i] = quote(string(c))
			rc := adapters.JoinColumn(js.Table, c)
			ci.Name = rc
			s.cols[rc] = ci
			if s.joinCols == nil {
				s.joinCols = map[adapters.Column]joinRef{}
			}
			s.joinCols[rc] = joinRef{j: j, col: c}
		}
		j.list = strings.Join(q, ", ")
		j.scope, j.sargs = scopeTerms("", js.Scope, nil, nil, j.in.cols)
		j.scopeCols = slices.Sorted(maps.Keys(js.Scope))
		s.joins = append(s.joins, j)
	}
	return nil
}

// correlated is the condition, inside a subquery over the joined table,
// that its row is the one of the outer row of the store's table.
func (j *joined) correlated(s *store) string {
	return j.table + "." + j.key + " = " + coerce(s.table+"."+quote(string(s.spec.Key)), s.key, j.keyCol) + j.scope
}

// isJoined reports whether a Record key is a joined table's (a column or
// its presence).
func isJoined(c adapters.Column) bool { return strings.HasPrefix(string(c), "@j:") }

// loadJoined reads the joined rows of recs, one query per joined table
// for all of them. A record whose joined row is missing gets NULL in its
// columns and false in its presence key.
func (s *store) loadJoined(ctx context.Context, q queryer, recs []adapters.Record, keys []any, byKey map[string]adapters.Record) error {
	for _, j := range s.joins {
		for _, r := range recs {
			r[j.present] = false
			for _, c := range j.spec.Columns {
				r[adapters.JoinColumn(j.spec.Table, c)] = nil
			}
		}
		for part := range slices.Chunk(keys, chunk) {
			query := "SELECT " + j.key + ", " + j.list + " FROM " + j.table + " WHERE " + j.key + " IN (" + marks(len(part)) + ")" + j.scope
			if err := j.read(ctx, q, query, append(slices.Clone(part), j.sargs...), s.key, byKey); err != nil {
				return err
			}
		}
	}
	return nil
}

func (j *joined) read(ctx context.Context, q queryer, query string, args []any, key adapters.ColumnInfo, byKey map[string]adapters.Record) error {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", j.table, err)
	}
	defer rows.Close()
	vals := make([]any, len(j.spec.Columns)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("scanning %s: %w", j.table, err)
		}
		parent := byKey[canonical(normalize(key, vals[0]))]
		if parent == nil || parent[j.present] == true {
			// Several rows in scope for one key: the first wins.
			continue
		}
		parent[j.present] = true
		for i, c := range j.spec.Columns {
			parent[adapters.JoinColumn(j.spec.Table, c)] = normalize(j.in.cols[c], vals[i+1])
		}
	}
	return rows.Err()
}

// splitJoined takes the joined tables' values out of rel, by table.
func (s *store) splitJoined(rel adapters.Record) map[*joined]adapters.Record {
	out := map[*joined]adapters.Record{}
	for c, v := range rel {
		if !isJoined(c) {
			continue
		}
		delete(rel, c)
		if ref, ok := s.joinCols[c]; ok {
			if out[ref.j] == nil {
				out[ref.j] = adapters.Record{}
			}
			out[ref.j][ref.col] = v
		}
	}
	return out
}

// writeJoined writes the joined rows of the row with that key: with cur
// nil (a new row) it inserts every joined table's row, with vals's
// columns, the scope and the defaults; otherwise it updates the columns
// of vals in each joined row, and inserts a joined row that cur does not
// have, with every joined column of next.
func (s *store) writeJoined(ctx context.Context, t *txn, key any, vals map[*joined]adapters.Record, cur, next adapters.Record) error {
	for _, j := range s.joins {
		v := vals[j]
		if cur != nil && len(v) == 0 {
			continue
		}
		if cur != nil && cur[j.present] == true {
			cols := slices.Sorted(maps.Keys(v))
			sets := make([]string, len(cols))
			args := make([]any, 0, len(cols)+1+len(j.sargs))
			for i, c := range cols {
				if v[c] == adapters.DBDefault {
					sets[i] = quote(string(c)) + " = DEFAULT"
					continue
				}
				sets[i] = quote(string(c)) + " = ?"
				args = append(args, v[c])
			}
			args = append(append(args, key), j.sargs...)
			if _, err := t.ExecContext(ctx, "UPDATE "+j.table+" SET "+strings.Join(sets, ", ")+" WHERE "+j.key+" = ?"+j.scope, args...); err != nil {
				return fmt.Errorf("updating %s: %w", j.spec.Table, err)
			}
			continue
		}
		row := adapters.Record{}
		if cur != nil {
			// The joined row is missing: it is made with every value
			// the write leaves.
			for _, c := range j.spec.Columns {
				if w, ok := next[adapters.JoinColumn(j.spec.Table, c)]; ok && w != nil {
					row[c] = w
				}
			}
		}
		maps.Copy(row, v)
		if err := j.insert(ctx, t, s, key, row); err != nil {
			return err
		}
	}
	return nil
}

// insert adds the joined row of the row with that key.
func (j *joined) insert(ctx context.Context, t *txn, s *store, key any, row adapters.Record) error {
	now := adapters.Now()
	for c, v := range row {
		if v == adapters.DBDefault {
			delete(row, c)
		}
	}
	for _, d := range j.spec.Defaults {
		if _, set := row[d.Column]; !set && !d.Computed() {
			row[d.Column] = defaultValue(d, j.in.cols[d.Column], s.spec.Location, now)
		}
	}
	maps.Copy(row, j.spec.Scope)
	row[j.spec.Key] = key
	// Next numbers count over the joined table within its scope, under
	// its own lock.
	err := fillComputed(ctx, t, row, j.spec.Defaults, func(d adapters.Default) (int64, error) {
		if err := s.ownerLock(ctx, t, j.spec.Table, d.Column, nil); err != nil {
			return 0, err
		}
		return maxPlusOne(ctx, t, j.table, quote(string(d.Column)), j.scope, j.sargs)
	})
	if err != nil {
		return err
	}
	cols := slices.Sorted(maps.Keys(row))
	names := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		names[i], args[i] = quote(string(c)), row[c]
	}
	q := "INSERT INTO " + j.table + " (" + strings.Join(names, ", ") + ") VALUES (" + marks(len(cols)) + ")"
	if _, err := t.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("inserting into %s: %w", j.spec.Table, err)
	}
	return nil
}

// dropJoined deletes the joined rows of a row: every row of each joined
// table with its key, whatever the scope (another language's row of the
// same user), as the application deletes them with the row.
func (s *store) dropJoined(ctx context.Context, t *txn, key any) error {
	for _, j := range s.joins {
		if _, err := t.ExecContext(ctx, "DELETE FROM "+j.table+" WHERE "+j.key+" = ?", key); err != nil {
			return fmt.Errorf("deleting %s rows: %w", j.spec.Table, err)
		}
	}
	return nil
}

// compareJoined renders a comparison on a joined column as a correlated
// subquery over the joined table, with the meaning the comparison has on
// a column of the row itself whose value is NULL when the joined row is
// missing: a comparison true for NULL (ne, eq null) holds unless a joined
// row fails it; any other holds when a joined row satisfies it.
func (s *store) compareJoined(b *builder, ref joinRef, x adapters.Compare) error {
	inner := x
	inner.Column = ref.col
	trueOnNull := x.Op == adapters.OpNe || (x.Value == nil && x.Op == adapters.OpEq)
	if trueOnNull {
		b.sql.WriteString("NOT EXISTS (SELECT 1 FROM " + ref.j.table + " WHERE " + ref.j.correlated(s) + " AND NOT (")
	} else {
		b.sql.WriteString("EXISTS (SELECT 1 FROM " + ref.j.table + " WHERE " + ref.j.correlated(s) + " AND (")
	}
	b.args = append(b.args, ref.j.sargs...)
	if err := ref.j.in.compare(b, inner); err != nil {
		return err
	}
	b.sql.WriteString("))")
	return nil
}

// joinedOrder returns the ORDER BY term for sorting by a joined column
// (NULL where the joined row is missing), and its arguments.
func (s *store) joinedOrder(ref joinRef, fold bool) (string, []any) {
	v := ref.j.in.operand(ref.j.in.cols[ref.col], fold)
	return "(SELECT " + v + " FROM " + ref.j.table + " WHERE " + ref.j.correlated(s) + " LIMIT 1)", slices.Clone(ref.j.sargs)
}

// withJoined returns row with the joined values of vals under their
// Record keys, for the checks that see a write as one record (uniqueness,
// Verify); row itself is left as it is.
func (s *store) withJoined(row adapters.Record, vals map[*joined]adapters.Record) adapters.Record {
	if len(vals) == 0 {
		return row
	}
	out := maps.Clone(row)
	for j, v := range vals {
		for c, w := range v {
			out[adapters.JoinColumn(j.spec.Table, c)] = w
		}
	}
	return out
}

// withoutJoined returns rel without the joined tables' keys.
func withoutJoined(rel adapters.Record) adapters.Record {
	out := adapters.Record{}
	for c, v := range rel {
		if !isJoined(c) {
			out[c] = v
		}
	}
	return out
}
