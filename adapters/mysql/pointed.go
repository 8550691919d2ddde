package mysql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// parentAlias is the alias of the parent table joined to the rows of a
// child whose primary the parent's column names.
const parentAlias = "`_p`"

// pointerRel is the parent's column naming the primary row of a child
// (adapters.PointerSpec).
type pointerRel struct {
	spec *adapters.PointerSpec
	// own are the Record columns held in the child table (all but the
	// flag), and parentBare the child's parent column, unqualified.
	own        []adapters.Column
	parentBare string
	autoKey    bool   // the child key is AUTO_INCREMENT
	update     string // sets the parent's column of one parent row
}

// newPointed makes the related table of a child whose primary row the
// parent's column names: reads join the parent table (aliased _p) to
// compute the primary flag, so it reads, filters and sorts as a column.
// The child's columns are qualified, as the parent table may share their
// names.
func (s *store) newPointed(info adapters.TableInfo, c adapters.ChildSpec) (*related, error) {
	p := c.Pointer
	own := slices.DeleteFunc(slices.Clone(c.Columns), func(col adapters.Column) bool { return col == p.Flag })
	r, err := newRelated(info, c.Name, c.Table, c.Parent, own)
	if err != nil {
		return nil, err
	}
	kc, ok := r.in.cols[p.Key]
	if !ok {
		return nil, fmt.Errorf("column %s of %s: %w", p.Key, c.Table, errNotDescribed)
	}
	pc, ok := s.cols[p.Column]
	if !ok {
		return nil, fmt.Errorf("column %s of %s: %w", p.Column, s.spec.Table, errNotDescribed)
	}
	r.in.prefix = map[adapters.Column]string{}
	for col := range r.in.cols {
		r.in.prefix[col] = r.table + "."
	}
	r.in.cols[p.Flag] = adapters.ColumnInfo{Name: p.Flag, DataType: "tinyint", ColumnType: "tinyint(1)"}
	r.in.exprs = map[adapters.Column]string{p.Flag: "(" + r.table + "." + quote(string(p.Key)) + " <=> " + coerce(parentAlias+"."+quote(string(p.Column)), pc, kc) + ")"}
	r.cols = c.Columns
	q := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		q[i] = r.in.ident(col)
	}
	r.list = strings.Join(q, ", ")
	r.parent = r.table + "." + quote(string(c.Parent))
	r.parentQ = r.parent
	r.from = r.table + " JOIN " + s.table + " AS " + parentAlias + " ON " + parentAlias + "." + quote(string(s.spec.Key)) + " = " + coerce(r.parent, r.parentCol, s.key)
	r.pointer = &pointerRel{spec: p, own: own, parentBare: quote(string(c.Parent)), autoKey: kc.AutoIncrement,
		update: "UPDATE " + s.table + " SET " + quote(string(p.Column)) + " = ? WHERE " + quote(string(s.spec.Key)) + " = ?"}
	return r, nil
}

// replacePointed makes rows the child rows of the parent row with that
// key, then points the parent's column at the first row flagged primary
// (else the first row), or sets it to the none value when there is no
// row: each row is inserted alone, so its new key is known.
func (r *related) replacePointed(ctx context.Context, t *txn, key any, rows []adapters.Record, fresh bool) error {
	p := r.pointer
	if !fresh {
		if _, err := t.ExecContext(ctx, "DELETE FROM "+r.table+" WHERE "+r.parent+" = ?", key); err != nil {
			return fmt.Errorf("replacing %s rows: %w", r.table, err)
		}
	}
	ptr := p.spec.None
	if len(rows) > 0 {
		next, err := nextBases(ctx, t, r.table, r.parent, key, r.defaults, r.cols)
		if err != nil {
			return err
		}
		pick := slices.IndexFunc(rows, func(row adapters.Record) bool {
			f := canonical(row[p.spec.Flag])
			return f != "" && f != "0"
		})
		pick = max(pick, 0)
		extraCols, _ := r.extra(nil)
		head := make([]string, 0, len(p.own)+1)
		head = append(head, p.parentBare)
		for _, c := range p.own {
			head = append(head, quote(string(c)))
		}
		q := "INSERT INTO " + r.table + " (" + strings.Join(head, ", ") + extraCols + ") VALUES ("
		keyAt := r.extraIndex(p.spec.Key)
		for i, row := range rows {
			_, extra := r.extra(next)
			args := make([]any, 0, len(head)+len(extra))
			args = append(args, key)
			for _, c := range p.own {
				args = append(args, row[c])
			}
			args = append(args, extra...)
			res, err := t.ExecContext(ctx, q+marks(len(args))+")", args...)
			if err != nil {
				return fmt.Errorf("writing %s rows: %w", r.table, err)
			}
			if i != pick {
				continue
			}
			switch {
			case slices.Contains(p.own, p.spec.Key):
				ptr = row[p.spec.Key]
			case keyAt >= 0:
				ptr = extra[keyAt]
			case p.autoKey:
				n, err := res.LastInsertId()
				if err != nil {
					return fmt.Errorf("reading the key of a new %s row: %w", r.table, err)
				}
				ptr = n
			default:
				return fmt.Errorf("writing %s rows: no value for the key %s", r.table, p.spec.Key)
			}
		}
	}
	if _, err := t.ExecContext(ctx, p.update, ptr, key); err != nil {
		return fmt.Errorf("pointing at the primary %s row: %w", r.table, err)
	}
	return nil
}

// extraIndex returns the position of column c among the values extra
// returns, or -1.
func (r *related) extraIndex(c adapters.Column) int {
	i := 0
	for _, sc := range r.scopeCols {
		if sc == c {
			return i
		}
		i++
	}
	for _, d := range r.defaults {
		if slices.Contains(r.cols, d.Column) || slices.Contains(r.scopeCols, d.Column) {
			continue
		}
		if d.Column == c {
			return i
		}
		i++
	}
	return -1
}
