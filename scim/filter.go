package scim

import (
	"net/http"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/scim/filter"
)

// Filter limits: a longer or larger filter is refused rather than turned
// into a slow query.
const (
	maxFilterLength = 4096
	maxFilterTerms  = 50
	// maxFilterDepth bounds how deeply not, value filters and
	// alternations of and and or nest, which the term count alone does
	// not: not (not (not ...)). A chain of one operator (a or b or c)
	// is one level.
	maxFilterDepth = 32
)

// parseFilter parses an RFC 7644 filter and translates it through the
// mapping into an expression over columns.
func parseFilter(res *mapping.Resource, raw string) (adapters.Expr, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	if len(raw) > maxFilterLength {
		return nil, errorf(http.StatusBadRequest, "invalidFilter", "filter longer than %d characters", maxFilterLength)
	}
	ast, err := filter.ParseFilter(raw)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "invalidFilter", "not a valid RFC 7644 filter: %v", err)
	}
	t := translator{res: res}
	return t.expr(ast, "")
}

type translator struct {
	res   *mapping.Resource
	terms int
	depth int
	op    string // the operator of the enclosing and/or, lower-cased
}

// expr translates e; prefix is the multi-valued attribute a value filter
// is inside of ("emails" in emails[type eq "work"]).
func (t *translator) expr(e filter.Expression, prefix string) (adapters.Expr, error) {
	op := ""
	if l, ok := e.(*filter.LogicalExpression); ok {
		op = strings.ToLower(string(l.Operator))
	}
	if _, leaf := e.(*filter.AttributeExpression); !leaf && (op == "" || op != t.op) {
		t.depth++
		defer func() { t.depth-- }()
		if t.depth > maxFilterDepth {
			return nil, errorf(http.StatusBadRequest, "invalidFilter", "filter nests not, [] and alternations of and and or deeper than %d levels", maxFilterDepth)
		}
	}
	outer := t.op
	t.op = op
	defer func() { t.op = outer }()
	switch x := e.(type) {
	case *filter.LogicalExpression:
		l, err := t.expr(x.Left, prefix)
		if err != nil {
			return nil, err
		}
		r, err := t.expr(x.Right, prefix)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(string(x.Operator), "or") {
			return adapters.Or{Left: l, Right: r}, nil
		}
		return adapters.And{Left: l, Right: r}, nil
	case *filter.NotExpression:
		in, err := t.expr(x.Expression, prefix)
		if err != nil {
			return nil, err
		}
		return adapters.Not{X: in}, nil
	case *filter.ValuePath:
		if prefix != "" {
			return nil, errorf(http.StatusBadRequest, "invalidFilter", "value filters cannot be nested")
		}
		in, err := t.expr(x.ValueFilter, pathString(x.AttributePath))
		if err != nil {
			return nil, err
		}
		return hoist(in), nil
	case *filter.AttributeExpression:
		t.terms++
		if t.terms > maxFilterTerms {
			return nil, errorf(http.StatusBadRequest, "invalidFilter", "filter has more than %d comparisons", maxFilterTerms)
		}
		path := pathString(x.AttributePath)
		if prefix != "" {
			path = prefix + "." + path
		}
		return t.res.Compare(path, adapters.Op(strings.ToLower(string(x.Operator))), x.CompareValue)
	}
	return nil, errorf(http.StatusBadRequest, "invalidFilter", "unsupported filter expression")
}

func pathString(p filter.AttributePath) string {
	s := p.AttributeName
	if p.SubAttribute != nil {
		s += "." + *p.SubAttribute
	}
	if p.URIPrefix != nil {
		s = *p.URIPrefix + ":" + s
	}
	return s
}

// hoist turns a value filter whose every comparison is "some child row
// matches" into one "some child row matches all of it":
// emails[type eq "work" and value co "@x"] must hold for one e-mail, not
// for one e-mail's type and another's value.
func hoist(e adapters.Expr) adapters.Expr {
	child, ok := soleChild(e, "")
	if !ok || child == "" {
		return e
	}
	return adapters.Exists{Child: child, Where: strip(e)}
}

// soleChild reports the child every Exists leaf of e is on, if they are
// all on one and e has no other leaves.
func soleChild(e adapters.Expr, child adapters.Column) (adapters.Column, bool) {
	switch x := e.(type) {
	case adapters.Exists:
		if child != "" && child != x.Child {
			return "", false
		}
		return x.Child, true
	case adapters.And:
		c, ok := soleChild(x.Left, child)
		if !ok {
			return "", false
		}
		return soleChild(x.Right, c)
	case adapters.Or:
		c, ok := soleChild(x.Left, child)
		if !ok {
			return "", false
		}
		return soleChild(x.Right, c)
	case adapters.Not:
		// NOT EXISTS cannot move inside one EXISTS.
		return "", false
	}
	return "", false
}

func strip(e adapters.Expr) adapters.Expr {
	switch x := e.(type) {
	case adapters.Exists:
		return x.Where
	case adapters.And:
		return adapters.And{Left: strip(x.Left), Right: strip(x.Right)}
	case adapters.Or:
		return adapters.Or{Left: strip(x.Left), Right: strip(x.Right)}
	}
	return e
}
