package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// relation is a compiled adapters.Relation: a scope term over another
// table, rendered as an EXISTS or NOT EXISTS subquery correlated with the
// row of the store's table.
type relation struct {
	spec  adapters.Relation
	table string // quoted related table
	col   string // quoted column of the related table referring to the row
	// alias names the related table inside the subquery, apart from any
	// alias the outer query uses.
	alias   string
	refCol  adapters.ColumnInfo // the store's column the related rows refer to
	linkCol adapters.ColumnInfo // the related table's column referring to it
	// where and wargs are the related rows' scope over alias, and
	// bare the same over the unaliased table (for writes).
	where, bare string
	wargs       []any
}

// initRelations compiles the spec's relations and appends their terms to
// the store's scopes. The related tables must have been described.
func (s *store) initRelations(a *Adapter) error {
	for i, rs := range s.spec.Relations {
		info, ok := a.described(rs.Table)
		if !ok {
			return fmt.Errorf("table %s has not been described", rs.Table)
		}
		cols := map[adapters.Column]adapters.ColumnInfo{}
		for _, c := range info.Columns {
			cols[c.Name] = c
		}
		r := &relation{spec: rs, table: quote(string(rs.Table)), col: quote(string(rs.Column)), alias: "sb_rel" + strconv.Itoa(i)}
		if r.linkCol, ok = cols[rs.Column]; !ok {
			return fmt.Errorf("column %s of %s: %w", rs.Column, rs.Table, errNotDescribed)
		}
		if r.refCol, ok = s.cols[rs.References]; !ok {
			return fmt.Errorf("column %s: %w", rs.References, errNotDescribed)
		}
		for c := range rs.Scope {
			if _, ok := cols[c]; !ok {
				return fmt.Errorf("column %s of %s: %w", c, rs.Table, errNotDescribed)
			}
		}
		for _, c := range rs.Conditions {
			if _, ok := cols[c.Column]; !ok {
				return fmt.Errorf("column %s of %s: %w", c.Column, rs.Table, errNotDescribed)
			}
		}
		r.where, r.wargs = scopeTerms(r.alias+".", rs.Scope, rs.Conditions, nil, cols)
		r.bare, _ = scopeTerms("", rs.Scope, rs.Conditions, nil, cols)
		s.relations = append(s.relations, r)
	}
	if len(s.relations) == 0 {
		return nil
	}
	terms, args := s.relationTerms(s.table + ".")
	s.scope += terms
	s.sargs = append(slices.Clone(s.sargs), args...)
	s.uscope += terms
	s.uargs = append(s.uargs, args...)
	s.scopeU += s.mustTerms("u.")
	s.scopeG += s.mustTerms("g.")
	return nil
}

// relationTerms renders the relations as " AND [NOT] EXISTS (...)" terms
// correlated with the store's row through outer ("u." or the quoted
// table and a dot), and their arguments.
func (s *store) relationTerms(outer string) (string, []any) {
	var b strings.Builder
	var args []any
	for _, r := range s.relations {
		b.WriteString(" AND ")
		if !r.spec.Exists {
			b.WriteString("NOT ")
		}
		link, ref := r.compared(r.alias+"."+r.col, outer+quote(string(r.spec.References)))
		b.WriteString("EXISTS (SELECT 1 FROM " + r.table + " " + r.alias + " WHERE " + link + " = " + ref + r.where + ")")
		args = append(args, r.wargs...)
	}
	return b.String(), args
}

// compared returns the two sides of the link as they are compared: link
// is the related table's column, ref the store's. When one is an integer
// and the other text (GLPI keeps a user's id in a TEXT setting), the
// integer is written as text, so that '6' matches 6 and '6x' or '06' do
// not, where MySQL's own comparison would read the text as a number; the
// text column's index cannot serve an integer side converted so, nor the
// integer column's its own. Otherwise ref is coerced to link's collation.
func (r *relation) compared(link, ref string) (string, string) {
	switch li, ri := isInteger(r.linkCol.DataType), isInteger(r.refCol.DataType); {
	case ri && !li:
		return link, asText(ref, r.linkCol)
	case li && !ri:
		return asText(link, r.refCol), ref
	}
	return link, coerce(ref, r.refCol, r.linkCol)
}

// asText returns SQL for expr, an integer, as decimal text in the
// character set and collation of the text column to.
func asText(expr string, to adapters.ColumnInfo) string {
	if to.Charset == "" || to.Collation == "" {
		return "CAST(" + expr + " AS CHAR)"
	}
	return "CAST(" + expr + " AS CHAR CHARACTER SET " + to.Charset + ") COLLATE " + to.Collation
}

// refArg returns ref, the store's column value, as the argument compared
// with the related table's column in r.linkSQL: decimal text when either
// side is text and the other an integer.
func (r *relation) refArg(ref any) any {
	if isInteger(r.linkCol.DataType) == isInteger(r.refCol.DataType) {
		return ref
	}
	switch x := ref.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case []byte:
		return string(x)
	}
	return ref
}

// linkSQL returns the related table's column, unaliased, as compared with
// refArg's argument.
func (r *relation) linkSQL() string {
	if isInteger(r.linkCol.DataType) && !isInteger(r.refCol.DataType) {
		return "CAST(" + r.col + " AS CHAR)"
	}
	return r.col
}

// mustTerms is relationTerms for scopes whose arguments are those of
// scope: the relations' arguments follow the scope's in s.sargs, in the
// same order, whatever the prefix.
func (s *store) mustTerms(outer string) string {
	terms, _ := s.relationTerms(outer)
	return terms
}

// writeRelations adds, for a new row, the related rows of the relations
// the row needs and the mapping can write, unless the application already
// has them (a trigger, a leftover row).
func (s *store) writeRelations(ctx context.Context, t *txn, key any) error {
	var ref any
	for _, r := range s.relations {
		if !r.spec.Write {
			continue
		}
		if ref == nil {
			var err error
			if ref, err = s.referenced(ctx, t, key, r.spec.References); err != nil {
				return err
			}
		}
		var one int
		err := t.QueryRowxContext(ctx, "SELECT 1 FROM "+r.table+" WHERE "+r.linkSQL()+" = ?"+r.bare+" LIMIT 1", append([]any{r.refArg(ref)}, r.wargs...)...).Scan(&one)
		switch {
		case err == nil:
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("reading %s: %w", r.spec.Table, err)
		}
		names := []string{r.col}
		args := []any{r.refArg(ref)}
		for _, c := range slices.Sorted(maps.Keys(r.spec.Scope)) {
			names = append(names, quote(string(c)))
			args = append(args, r.spec.Scope[c])
		}
		if _, err := t.ExecContext(ctx, "INSERT INTO "+r.table+" ("+strings.Join(names, ", ")+") VALUES ("+marks(len(names))+")", args...); err != nil {
			return fmt.Errorf("inserting into %s: %w", r.spec.Table, err)
		}
	}
	return nil
}

// relationRefs reads, before a row is deleted, the values its written
// relations' rows refer to (row is the row as read, which may lack the
// column), for dropRelations.
func (s *store) relationRefs(ctx context.Context, t *txn, key any, row adapters.Record) ([]any, error) {
	var refs []any
	for _, r := range s.relations {
		if !r.spec.Write {
			continue
		}
		ref, ok := row[r.spec.References]
		if !ok {
			var err error
			if ref, err = s.referenced(ctx, t, key, r.spec.References); err != nil {
				return nil, err
			}
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// dropRelations removes, with a row, the related rows that writeRelations
// would have written for it; refs is what relationRefs read.
func (s *store) dropRelations(ctx context.Context, t *txn, refs []any) error {
	i := 0
	for _, r := range s.relations {
		if !r.spec.Write {
			continue
		}
		ref := refs[i]
		i++
		if _, err := t.ExecContext(ctx, "DELETE FROM "+r.table+" WHERE "+r.linkSQL()+" = ?"+r.bare, append([]any{r.refArg(ref)}, r.wargs...)...); err != nil {
			return fmt.Errorf("deleting from %s: %w", r.spec.Table, err)
		}
	}
	return nil
}

// referenced returns the value of column c of the row with key, which
// relations refer to: the key itself, or read.
func (s *store) referenced(ctx context.Context, t *txn, key any, c adapters.Column) (any, error) {
	if c == s.spec.Key {
		return key, nil
	}
	var v any
	if err := t.QueryRowxContext(ctx, "SELECT "+quote(string(c))+" FROM "+s.table+" WHERE "+quote(string(s.spec.Key))+" = ?", key).Scan(&v); err != nil {
		return nil, fmt.Errorf("reading %s: %w", c, err)
	}
	return normalize(s.cols[c], v), nil
}
