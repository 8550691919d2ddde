package filter

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CompareOperator is the operator of an attribute expression, always in
// lower case when it comes from the parser.
type CompareOperator string

// The compare operators of RFC 7644 section 3.4.2.2.
const (
	// PR is "present": the attribute has a non-empty value.
	PR CompareOperator = "pr"
	// EQ is "equal".
	EQ CompareOperator = "eq"
	// NE is "not equal".
	NE CompareOperator = "ne"
	// CO is "contains".
	CO CompareOperator = "co"
	// SW is "starts with".
	SW CompareOperator = "sw"
	// EW is "ends with".
	EW CompareOperator = "ew"
	// GT is "greater than".
	GT CompareOperator = "gt"
	// LT is "less than".
	LT CompareOperator = "lt"
	// GE is "greater than or equal to".
	GE CompareOperator = "ge"
	// LE is "less than or equal to".
	LE CompareOperator = "le"
)

// LogicalOperator is the operator of a logical expression, always in lower
// case when it comes from the parser.
type LogicalOperator string

// The logical operators of RFC 7644 section 3.4.2.2.
const (
	// AND holds when both operands hold.
	AND LogicalOperator = "and"
	// OR holds when either operand holds.
	OR LogicalOperator = "or"
)

// Expression is a node of a filter: *AttributeExpression,
// *LogicalExpression, *NotExpression or *ValuePath. Its String method
// renders it as filter text that ParseFilter parses back into an equal
// tree.
type Expression interface {
	String() string
	expression()
}

// AttributePath names an attribute, optionally qualified by a schema URI
// and optionally followed by one sub-attribute.
//
// Example: urn:ietf:params:scim:schemas:core:2.0:User:name.givenName
//   - URIPrefix: urn:ietf:params:scim:schemas:core:2.0:User
//   - AttributeName: name
//   - SubAttribute: givenName
//
// A path naming a whole schema, such as
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User, has a nil
// URIPrefix and the whole URN as AttributeName (see the package
// documentation).
type AttributePath struct {
	URIPrefix     *string
	AttributeName string
	SubAttribute  *string
}

// SubAttributeName returns the sub-attribute, or "" if there is none.
func (p *AttributePath) SubAttributeName() string {
	if p.SubAttribute != nil {
		return *p.SubAttribute
	}
	return ""
}

// URI returns the schema URI prefix, or "" if there is none.
func (p *AttributePath) URI() string {
	if p.URIPrefix != nil {
		return *p.URIPrefix
	}
	return ""
}

// String renders the path as it is written in a filter:
// [URIPrefix ":"] AttributeName ["." SubAttribute].
func (p AttributePath) String() string {
	var b strings.Builder
	writePath(&b, p)
	return b.String()
}

// AttributeExpression compares an attribute with a value (attrPath op
// value) or tests its presence (attrPath pr, with a nil CompareValue).
// CompareValue is a string, bool, int, float64 or nil (null).
type AttributeExpression struct {
	AttributePath AttributePath
	Operator      CompareOperator
	CompareValue  any
}

// String renders the expression as filter text, the value as JSON.
func (e *AttributeExpression) String() string { return exprString(e) }

func (*AttributeExpression) expression() {}

// LogicalExpression joins two expressions with and or or.
type LogicalExpression struct {
	Left, Right Expression
	Operator    LogicalOperator
}

// String renders the expression as filter text, with the parentheses its
// structure needs.
func (e *LogicalExpression) String() string { return exprString(e) }

func (*LogicalExpression) expression() {}

// NotExpression negates an expression: not (Expression).
type NotExpression struct {
	Expression Expression
}

// String renders the expression as not (...).
func (e *NotExpression) String() string { return exprString(e) }

func (*NotExpression) expression() {}

// ValuePath filters the values of a multi-valued attribute:
// AttributePath[ValueFilter], ValueFilter being over its sub-attributes.
type ValuePath struct {
	AttributePath AttributePath
	ValueFilter   Expression
}

// String renders the value path as attr[filter].
func (e *ValuePath) String() string { return exprString(e) }

func (*ValuePath) expression() {}

// Path is the target of a PATCH operation (RFC 7644 section 3.5.2):
// attrPath, or valuePath with an optional sub-attribute.
//
// Example: members[value eq "2819c223"].displayName
//   - AttributePath: members
//   - ValueExpression: value eq "2819c223"
//   - SubAttribute: displayName
type Path struct {
	AttributePath   AttributePath
	ValueExpression Expression
	SubAttribute    *string
}

// SubAttributeName returns the sub-attribute after the value filter, or ""
// if there is none.
func (p *Path) SubAttributeName() string {
	if p.SubAttribute != nil {
		return *p.SubAttribute
	}
	return ""
}

// String renders the path as it is written in a PATCH operation; ParsePath
// parses it back into an equal Path.
func (p Path) String() string {
	var b strings.Builder
	writePath(&b, p.AttributePath)
	if p.ValueExpression != nil {
		b.WriteByte('[')
		writeExpr(&b, p.ValueExpression)
		b.WriteByte(']')
	}
	if p.SubAttribute != nil {
		b.WriteByte('.')
		b.WriteString(*p.SubAttribute)
	}
	return b.String()
}

func exprString(e Expression) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writePath(b *strings.Builder, p AttributePath) {
	if p.URIPrefix != nil {
		b.WriteString(*p.URIPrefix)
		b.WriteByte(':')
	}
	b.WriteString(p.AttributeName)
	if p.SubAttribute != nil {
		b.WriteByte('.')
		b.WriteString(*p.SubAttribute)
	}
}

func writeExpr(b *strings.Builder, e Expression) {
	switch x := e.(type) {
	case *AttributeExpression:
		if x == nil {
			break
		}
		writePath(b, x.AttributePath)
		b.WriteByte(' ')
		b.WriteString(string(x.Operator))
		if !strings.EqualFold(string(x.Operator), string(PR)) {
			b.WriteByte(' ')
			writeValue(b, x.CompareValue)
		}
		return
	case *LogicalExpression:
		if x == nil {
			break
		}
		writeOperand(b, x.Left, x.Operator, false)
		b.WriteByte(' ')
		b.WriteString(string(x.Operator))
		b.WriteByte(' ')
		writeOperand(b, x.Right, x.Operator, true)
		return
	case *NotExpression:
		if x == nil {
			break
		}
		b.WriteString("not (")
		writeExpr(b, x.Expression)
		b.WriteByte(')')
		return
	case *ValuePath:
		if x == nil {
			break
		}
		writePath(b, x.AttributePath)
		b.WriteByte('[')
		writeExpr(b, x.ValueFilter)
		b.WriteByte(']')
		return
	}
	b.WriteString("<nil>")
}

// writeOperand writes an operand of a logical expression with operator op,
// in parentheses where the tree's shape is not what precedence and left
// associativity would give without them: an or under an and, or a right
// operand with the same operator as its parent.
func writeOperand(b *strings.Builder, e Expression, op LogicalOperator, right bool) {
	if l, ok := e.(*LogicalExpression); ok && l != nil {
		isOr := strings.EqualFold(string(l.Operator), string(OR))
		parentAnd := !strings.EqualFold(string(op), string(OR))
		if isOr && parentAnd || right && strings.EqualFold(string(l.Operator), string(op)) {
			b.WriteByte('(')
			writeExpr(b, e)
			b.WriteByte(')')
			return
		}
	}
	writeExpr(b, e)
}

// writeValue writes v as a JSON value.
func writeValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writeString(b, x)
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case uint64:
		b.WriteString(strconv.FormatUint(x, 10))
	case uint:
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	case float64:
		writeFloat(b, x, 64)
	case float32:
		writeFloat(b, float64(x), 32)
	default:
		b.WriteString(fmt.Sprint(v))
	}
}

// writeFloat writes f as encoding/json does, but always with a fraction or
// an exponent, so that it parses back as a float64 and not as an int.
func writeFloat(b *strings.Builder, f float64, bits int) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		b.WriteString(strconv.FormatFloat(f, 'g', -1, bits))
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, bits)
	if format == 'e' {
		// 1e-07 as 1e-7, like encoding/json.
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	b.WriteString(s)
	if !strings.ContainsAny(s, ".e") {
		b.WriteString(".0")
	}
}

// writeString writes s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by \ufffd, everything else
// as is.
func writeString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		b.WriteString(s[start:i])
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default: // a byte of invalid UTF-8
			b.WriteString(`\ufffd`)
		}
		i++
		start = i
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
