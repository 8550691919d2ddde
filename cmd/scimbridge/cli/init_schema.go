package cli

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
)

// initSchema is what init reads about the database: every table's columns
// and indexes, the declared foreign keys, and, on request, column defaults
// and the values stored in a column.
type initSchema struct {
	ad     adapters.Adapter
	in     adapters.Inspector // nil if the adapter has no such capability
	db     *sql.DB            // for sampling queries; nil if the adapter does not speak MySQL's SQL
	tables map[string]adapters.TableInfo
	names  []string          // table names, sorted
	fks    map[string]string // "table.column" -> referenced table
}

// maxInitTables bounds how many tables init describes when it looks for
// join, e-mail and key/value tables.
const maxInitTables = 400

// readSchema describes the tables of the connection's database. Tables it
// cannot describe are left out; foreign keys are read where the server
// reports them.
func readSchema(ctx context.Context, ad adapters.Adapter) (*initSchema, error) {
	s := &initSchema{ad: ad, tables: map[string]adapters.TableInfo{}, fks: map[string]string{}}
	in, ok := ad.(adapters.Inspector)
	tl, lists := ad.(mapping.TableLister)
	if !ok || !lists {
		return s, nil
	}
	s.in, s.db = in, in.SQL()
	names, err := tl.Tables(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		s.names = append(s.names, string(n))
	}
	slices.Sort(s.names)
	if len(s.names) > maxInitTables {
		s.names = s.names[:maxInitTables]
	}
	for _, n := range s.names {
		if t, err := ad.Describe(ctx, adapters.Table(n)); err == nil {
			s.tables[n] = t
		}
	}
	s.readForeignKeys(ctx)
	return s, nil
}

// table returns the named table, describing it if readSchema did not.
func (s *initSchema) table(ctx context.Context, name string) (adapters.TableInfo, error) {
	if t, ok := s.tables[name]; ok {
		return t, nil
	}
	t, err := s.ad.Describe(ctx, adapters.Table(name))
	if err != nil {
		return t, err
	}
	s.tables[name] = t
	return t, nil
}

// readForeignKeys records the declared foreign keys. Servers that do not
// report them leave init to guess from names.
func (s *initSchema) readForeignKeys(ctx context.Context) {
	fks, _ := s.in.ForeignKeys(ctx)
	for _, fk := range fks {
		s.fks[string(fk.Table)+"."+string(fk.Column)] = string(fk.References)
	}
}

// references returns the table a declared foreign key of table.column
// refers to, or "".
func (s *initSchema) references(table string, col adapters.Column) string {
	return s.fks[table+"."+string(col)]
}

// columnDefault returns the column's DEFAULT as the value it stores, and
// whether it has one that is not NULL.
func (s *initSchema) columnDefault(ctx context.Context, table string, col adapters.Column) (string, bool) {
	if s.in == nil {
		return "", false
	}
	return s.in.ColumnDefault(ctx, adapters.Table(table), col)
}

// maxInt returns the largest value of an integer column over the rows
// for which cond holds (as sampleWhere), and whether it read one.
func (s *initSchema) maxInt(ctx context.Context, table string, col adapters.Column, cond string, args ...any) (int64, bool) {
	if s.db == nil {
		return 0, false
	}
	var v sql.NullInt64
	q := fmt.Sprintf("SELECT MAX(%s) FROM %s WHERE %s", quoteIdent(string(col)), quoteIdent(table), cond)
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&v); err != nil || !v.Valid {
		return 0, false
	}
	return v.Int64, true
}

// epochMillis is the least integer time init and check take for
// milliseconds: 1e11 seconds is the year 5138, 1e11 milliseconds 1973.
const epochMillis = 100_000_000_000

// valueCount is one value stored in a column and how many rows hold it.
type valueCount struct {
	value string
	null  bool
	rows  int64
}

// maxSampled is how many distinct values init reads from a column.
const maxSampled = 20

// sample returns up to limit distinct values of the column, the most
// frequent first, read from the data. A table init cannot read gives none.
func (s *initSchema) sample(ctx context.Context, table string, col adapters.Column, limit int) []valueCount {
	return s.sampleWhere(ctx, table, col, limit, "TRUE")
}

// sampleWhere is sample over the rows for which cond, an SQL condition
// built from quoted identifiers and placeholders for args, holds.
func (s *initSchema) sampleWhere(ctx context.Context, table string, col adapters.Column, limit int, cond string, args ...any) []valueCount {
	if s.db == nil {
		return nil
	}
	c := quoteIdent(string(col))
	q := fmt.Sprintf("SELECT %s, COUNT(*) FROM %s WHERE %s GROUP BY %s ORDER BY COUNT(*) DESC, %s LIMIT %d", c, quoteIdent(table), cond, c, c, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []valueCount
	for rows.Next() {
		var v sql.NullString
		var n int64
		if rows.Scan(&v, &n) != nil {
			return out
		}
		out = append(out, valueCount{value: v.String, null: !v.Valid, rows: n})
	}
	return out
}

// isSet is the SQL condition that a column holds something: neither NULL
// nor the zero or empty value that NOT NULL columns use for "never"
// (user_lastvisit = 0, locked_reason = ”, a zero date).
func isSet(ci adapters.ColumnInfo) string {
	c := quoteIdent(string(ci.Name))
	switch {
	case isInitTime(ci):
		return c + " > '1000-01-01'"
	case isInitString(ci):
		return c + " <> ''"
	default:
		return c + " <> 0"
	}
}

// quoteIdent quotes a MySQL identifier read from information_schema.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// uniqueAlone reports whether a unique index of the table has col as its
// only column, or as one of its columns when inAny is set.
func uniqueAlone(t adapters.TableInfo, col adapters.Column, inAny bool) bool {
	for _, ix := range t.Indexes {
		if !ix.Unique || ix.Name == adapters.PrimaryIndex {
			continue
		}
		if len(ix.Columns) == 1 && ix.Columns[0] == col || inAny && slices.Contains(ix.Columns, col) {
			return true
		}
	}
	return false
}

// enumMembers returns the members of an ENUM column, or nil.
func enumMembers(ci adapters.ColumnInfo) []string {
	if ci.Kind != adapters.KindEnum {
		return nil
	}
	return ci.Members
}

// Column kinds, as the mapping's type checks see them.
func isInitString(ci adapters.ColumnInfo) bool { return ci.IsText() }

func isInitInt(ci adapters.ColumnInfo) bool { return ci.Kind == adapters.KindInteger }

func isInitTime(ci adapters.ColumnInfo) bool { return ci.IsTime() }

// isFlag reports whether a column can hold a 0/1 flag.
func isFlag(ci adapters.ColumnInfo) bool { return isInitInt(ci) || ci.Kind == adapters.KindBit }
