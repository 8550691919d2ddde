package mysql

import (
	"maps"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// scopeTerms renders a table's scope as " AND ..." terms over columns
// prefixed with prefix ("" or "u."), and their arguments in order: the
// constants (sorted by column), then the conditions, then, when soft is
// set, "not soft-deleted". Every term is false for NULL except where
// the condition says NULL is in scope (notIn, ne, not deleted).
func scopeTerms(prefix string, consts map[adapters.Column]any, conds []adapters.Condition, soft *adapters.SoftDelete, cols map[adapters.Column]adapters.ColumnInfo) (string, []any) {
	var b strings.Builder
	var args []any
	for _, c := range slices.Sorted(maps.Keys(consts)) {
		b.WriteString(" AND " + prefix + quote(string(c)) + " = ?")
		args = append(args, consts[c])
	}
	for _, c := range conds {
		q := prefix + quote(string(c.Column))
		b.WriteString(" AND ")
		switch c.Op {
		case adapters.CondIn:
			b.WriteString(q + " IN (" + marks(len(c.Values)) + ")")
			args = append(args, c.Values...)
		case adapters.CondNotIn:
			b.WriteString("(" + q + " IS NULL OR " + q + " NOT IN (" + marks(len(c.Values)) + "))")
			args = append(args, c.Values...)
		case adapters.CondNull:
			b.WriteString(q + " IS NULL")
		case adapters.CondNotNull:
			b.WriteString(q + " IS NOT NULL")
		case adapters.CondNe:
			b.WriteString("NOT (" + q + " <=> ?)")
			args = append(args, c.Values[0])
		case adapters.CondLt, adapters.CondLe, adapters.CondGt, adapters.CondGe:
			op := map[adapters.CondOp]string{adapters.CondLt: " < ?", adapters.CondLe: " <= ?", adapters.CondGt: " > ?", adapters.CondGe: " >= ?"}[c.Op]
			b.WriteString(q + op)
			args = append(args, c.Values[0])
		default:
			// The mapping produces only the operators above; an unknown
			// one must not widen the scope.
			b.WriteString("1=0")
		}
	}
	if soft != nil {
		q := prefix + quote(string(soft.Column))
		switch {
		case soft.Now && isInteger(cols[soft.Column].DataType):
			b.WriteString(" AND (" + q + " IS NULL OR " + q + " = 0)")
		case soft.Now:
			b.WriteString(" AND " + q + " IS NULL")
		default:
			b.WriteString(" AND NOT (" + q + " <=> ?)")
			args = append(args, soft.Value)
		}
	}
	return b.String(), args
}

// coerce returns SQL for expr, a value of column from, as it must be
// written to compare with column to through to's index: converted to to's
// character set and collation when the two differ (a users key in
// utf8mb4_unicode_ci and the join table's copy of it in
// utf8mb4_general_ci, or latin1), which MySQL would otherwise refuse as an
// illegal mix of collations or compare without the index. The conversion
// is put on the side that is not looked up, so to's index still serves.
func coerce(expr string, from, to adapters.ColumnInfo) string {
	if from.Collation == "" || to.Collation == "" || from.Collation == to.Collation {
		return expr
	}
	if from.Charset != to.Charset && to.Charset != "" {
		expr = "CONVERT(" + expr + " USING " + to.Charset + ")"
	}
	return expr + " COLLATE " + to.Collation
}
