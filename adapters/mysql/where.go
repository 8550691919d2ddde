package mysql

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// builder accumulates SQL text and its parameters. Values only ever go into
// args; the text holds quoted identifiers from the spec and fixed keywords.
type builder struct {
	sql  strings.Builder
	args []any
	// ctx and q, when set, let a filter on a membership list that SQL
	// cannot search read and decode the lists first (see opaqueKeys).
	ctx context.Context
	q   queryer
}

// likeEscape is the escape character of LIKE patterns built here.
const likeEscape = "!"

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// ident returns the SQL for a column of the store's table: quoted, and
// qualified where the store stands for two joined tables (a child's rows
// reached through a link table).
func (s *store) ident(c adapters.Column) string {
	if e, ok := s.exprs[c]; ok {
		return e
	}
	return s.prefix[c] + quote(string(c))
}

// operand returns the SQL for a column as one side of a comparison: folded
// to lower case when a case-insensitive comparison is asked for on a column
// whose collation is case-sensitive, and forced to the binary collation of
// its character set when a case-exact comparison is asked for on a
// case-insensitive column.
func (s *store) operand(c adapters.ColumnInfo, fold bool) string {
	q := s.ident(c.Name)
	if !isText(c.DataType) || c.DataType == "decimal" || c.DataType == "json" {
		return q
	}
	switch {
	case fold && !c.CaseInsensitive():
		return "LOWER(" + q + ")"
	case !fold && c.CaseInsensitive() && c.DataType != "enum":
		// An ENUM holds only its own values, distinct under its
		// collation: equal to one of them is exactly it.
		if m := collationRE.FindStringSubmatch(c.Collation); m != nil {
			return q + " COLLATE " + m[1] + "_bin"
		}
	}
	return q
}

// expr appends e as a boolean SQL expression that is never NULL, so that NOT
// and OR behave as two-valued logic, as SCIM filters expect.
func (s *store) expr(b *builder, e adapters.Expr) error {
	switch x := e.(type) {
	case adapters.Const:
		if x {
			b.sql.WriteString("1=1")
		} else {
			b.sql.WriteString("1=0")
		}
	case adapters.And:
		return s.binary(b, " AND ", x.Left, x.Right)
	case adapters.Or:
		return s.binary(b, " OR ", x.Left, x.Right)
	case adapters.Not:
		b.sql.WriteString("NOT (")
		if err := s.expr(b, x.X); err != nil {
			return err
		}
		b.sql.WriteString(")")
	case adapters.Compare:
		return s.compare(b, x)
	case adapters.Exists:
		return s.exists(b, x)
	case adapters.JSONHas:
		return s.jsonHas(b, x)
	case adapters.HasMember:
		return s.hasMember(b, x)
	case adapters.MemberOf:
		return s.memberOf(b, x)
	default:
		return fmt.Errorf("unsupported expression %T", e)
	}
	return nil
}

func (s *store) binary(b *builder, op string, l, r adapters.Expr) error {
	b.sql.WriteString("(")
	if err := s.expr(b, l); err != nil {
		return err
	}
	b.sql.WriteString(op)
	if err := s.expr(b, r); err != nil {
		return err
	}
	b.sql.WriteString(")")
	return nil
}

func (s *store) compare(b *builder, x adapters.Compare) error {
	if ref, ok := s.joinCols[x.Column]; ok {
		return s.compareJoined(b, ref, x)
	}
	c, ok := s.cols[x.Column]
	if !ok {
		return fmt.Errorf("filtering on %s: %w", x.Column, errNotDescribed)
	}
	q := s.ident(c.Name)
	text := isText(c.DataType)
	if x.Op == adapters.OpPr {
		if text {
			b.sql.WriteString("(" + q + " IS NOT NULL AND " + q + " <> '')")
		} else {
			b.sql.WriteString(q + " IS NOT NULL")
		}
		return nil
	}
	if x.Value == nil {
		// Comparing with null: only eq and ne have a meaning.
		switch x.Op {
		case adapters.OpEq:
			b.sql.WriteString(q + " IS NULL")
		case adapters.OpNe:
			b.sql.WriteString(q + " IS NOT NULL")
		default:
			b.sql.WriteString("1=0")
		}
		return nil
	}
	val := x.Value
	foldValue := x.Fold && text && !c.CaseInsensitive() && !x.Plain
	if str, ok := val.(string); ok && foldValue {
		val = strings.ToLower(str)
	}
	lhs := s.operand(c, x.Fold && text)
	if x.Plain {
		lhs = q
	}
	neg := false
	var cmp string
	switch x.Op {
	case adapters.OpEq:
		cmp = lhs + " = ?"
	case adapters.OpNe:
		cmp, neg = lhs+" = ?", true
	case adapters.OpGt:
		cmp = lhs + " > ?"
	case adapters.OpGe:
		cmp = lhs + " >= ?"
	case adapters.OpLt:
		cmp = lhs + " < ?"
	case adapters.OpLe:
		cmp = lhs + " <= ?"
	case adapters.OpCo, adapters.OpSw, adapters.OpEw:
		pat := likeEscaper.Replace(canonical(val))
		switch x.Op {
		case adapters.OpCo:
			pat = "%" + pat + "%"
		case adapters.OpSw:
			pat += "%"
		default: // OpEw
			pat = "%" + pat
		}
		cmp, val = lhs+" LIKE ? ESCAPE '"+likeEscape+"'", pat
	default:
		return fmt.Errorf("unsupported operator %q", x.Op)
	}
	exact := x.Exact && text && c.DataType != "enum" && (x.Op == adapters.OpEq || x.Op == adapters.OpNe)
	if exact {
		// Equal under a padding collation and of the same length:
		// equal with trailing spaces counted, whatever the charset.
		cmp += " AND CHAR_LENGTH(" + q + ") = CHAR_LENGTH(?)"
	}
	if neg {
		b.sql.WriteString("NOT ")
	}
	b.sql.WriteString("(" + q + " IS NOT NULL AND " + cmp + ")")
	b.args = append(b.args, val)
	if exact {
		b.args = append(b.args, val)
	}
	return nil
}

// jsonHas tests that a column holds a JSON array with a string element.
// CASE decides in order, so JSON_TYPE and JSON_CONTAINS only see valid
// JSON (MySQL raises an error for text that is not), and the result is
// never NULL.
func (s *store) jsonHas(b *builder, x adapters.JSONHas) error {
	c, ok := s.cols[x.Column]
	if !ok {
		return fmt.Errorf("filtering on %s: %w", x.Column, errNotDescribed)
	}
	q := s.ident(c.Name)
	b.sql.WriteString("(CASE WHEN " + q + " IS NULL THEN 0 WHEN NOT JSON_VALID(" + q + ") THEN 0 WHEN JSON_TYPE(" + q + ") <> 'ARRAY' THEN 0 ELSE COALESCE(JSON_CONTAINS(" + q + ", ?), 0) END) = 1")
	v, err := json.Marshal(x.Value)
	if err != nil {
		return err
	}
	b.args = append(b.args, string(v))
	return nil
}
