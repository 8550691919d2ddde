package filter

import (
	"strconv"
	"unicode/utf8"
)

// maxNesting bounds how deeply parentheses, not and brackets nest, so
// that no input can exhaust the stack; the README promises 32 levels.
const maxNesting = 32

// The messages of the syntax errors.
const (
	msgStart     = `expected an attribute name, "not" or "("`
	msgName      = "expected an attribute name"
	msgSubName   = "expected a sub-attribute name"
	msgOperator  = "expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)"
	msgValue     = "expected a value (a string in double quotes, a number, true, false or null)"
	msgNumber    = "invalid number"
	msgRange     = "number out of range"
	msgEnd       = `expected "and", "or" or the end of the filter`
	msgClose     = `expected "and", "or" or ")"`
	msgBracket   = `expected "and", "or" or "]"`
	msgNested    = "value filters cannot be nested"
	msgDeep      = "parentheses, not and brackets nest deeper than 32 levels"
	msgPathEnd   = "expected the end of the path"
	msgPathOpen  = `expected "[" or the end of the path`
	msgTwoSubs   = `unexpected "." (an attribute path has at most one sub-attribute)`
	msgEmptySeg  = "empty segment in schema URI"
	msgUnclosed  = "unterminated string"
	msgEscape    = `invalid escape in string (expected \" \\ \/ \b \f \n \r \t or \uXXXX)`
	msgHexEscape = `invalid \u escape in string (expected 4 hexadecimal digits)`
	msgUTF8      = "invalid UTF-8 in string"
)

// SyntaxError reports input that is not a filter or path: Offset is the
// byte offset in the input (counting from 0) where the parser gave up, and
// Message says what it expected there.
type SyntaxError struct {
	Offset  int
	Message string
}

// Error returns "at character Offset: Message".
func (e *SyntaxError) Error() string {
	return "at character " + strconv.Itoa(e.Offset) + ": " + e.Message
}

// ParseFilter parses an RFC 7644 filter, such as userName eq "bjensen".
// Its errors are *SyntaxError.
func ParseFilter(s string) (Expression, error) {
	p := parser{s: s}
	p.skipWS()
	e, err := p.or(false)
	if err != nil {
		return nil, err
	}
	if p.pos < len(s) {
		return nil, p.fail(p.pos, msgEnd)
	}
	return e, nil
}

// ParsePath parses the path of a PATCH operation (RFC 7644 section
// 3.5.2): attrPath, or valuePath with an optional sub-attribute, such as
// name.givenName, members[value eq "2819c223"] or
// emails[type eq "work"].value. Its errors are *SyntaxError.
func ParsePath(s string) (Path, error) {
	p := parser{s: s}
	p.skipWS()
	if p.pos >= len(s) || class[s[p.pos]]&clsRun == 0 {
		return Path{}, p.fail(p.pos, msgName)
	}
	pp, err := p.path()
	if err != nil {
		return Path{}, err
	}
	p.skipWS()
	if p.pos >= len(s) {
		if !pp.hasURI && !pp.hasSub {
			return Path{AttributePath: AttributePath{AttributeName: pp.name}}, nil
		}
		h := &pathHolder{uri: pp.uri, sub: pp.sub}
		return Path{AttributePath: pp.attributePath(&h.uri, &h.sub)}, nil
	}
	if s[p.pos] != '[' {
		return Path{}, p.fail(p.pos, msgPathOpen)
	}
	vf, err := p.bracket()
	if err != nil {
		return Path{}, err
	}
	var sub string
	hasSub := false
	if p.pos < len(s) && s[p.pos] == '.' {
		j, err := p.attrName(p.pos+1, msgSubName)
		if err != nil {
			return Path{}, err
		}
		sub, hasSub = s[p.pos+1:j], true
		p.pos = j
	}
	p.skipWS()
	if p.pos < len(s) {
		return Path{}, p.fail(p.pos, msgPathEnd)
	}
	h := &pathHolder{uri: pp.uri, sub: pp.sub, sub2: sub}
	path := Path{AttributePath: pp.attributePath(&h.uri, &h.sub), ValueExpression: vf}
	if hasSub {
		path.SubAttribute = &h.sub2
	}
	return path, nil
}

// Character classes.
const (
	clsAlpha = 1 << iota // A-Z a-z
	clsDigit             // 0-9
	clsDash              // - _
	clsPunct             // . : $
	clsSpace             // space, tab, CR, LF

	clsName = clsAlpha | clsDigit | clsDash // nameChar
	clsRun  = clsName | clsPunct            // a character of an attribute path
)

var class = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clsAlpha
		t[c-'a'+'A'] = clsAlpha
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit
	}
	t['-'], t['_'] = clsDash, clsDash
	t['.'], t[':'], t['$'] = clsPunct, clsPunct, clsPunct
	t[' '], t['\t'], t['\r'], t['\n'] = clsSpace, clsSpace, clsSpace, clsSpace
	return t
}()

type parser struct {
	s     string
	pos   int
	depth int
}

func (p *parser) fail(at int, msg string) error {
	return &SyntaxError{Offset: at, Message: msg}
}

// skipWS skips whitespace and reports how much.
func (p *parser) skipWS() int {
	i := p.pos
	for i < len(p.s) && class[p.s[i]]&clsSpace != 0 {
		i++
	}
	n := i - p.pos
	p.pos = i
	return n
}

// or parses and-expressions joined by or. Like and, it returns with pos
// past any whitespace that follows.
func (p *parser) or(inValue bool) (Expression, error) {
	left, err := p.and(inValue)
	if err != nil {
		return nil, err
	}
	for {
		ok, err := p.keyword("or")
		if err != nil {
			return nil, err
		}
		if !ok {
			return left, nil
		}
		p.skipWS()
		right, err := p.and(inValue)
		if err != nil {
			return nil, err
		}
		left = &LogicalExpression{Left: left, Right: right, Operator: OR}
	}
}

// and parses unary expressions joined by and.
func (p *parser) and(inValue bool) (Expression, error) {
	left, err := p.unary(inValue)
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		ok, err := p.keyword("and")
		if err != nil {
			return nil, err
		}
		if !ok {
			return left, nil
		}
		p.skipWS()
		right, err := p.unary(inValue)
		if err != nil {
			return nil, err
		}
		left = &LogicalExpression{Left: left, Right: right, Operator: AND}
	}
}

// keyword consumes the keyword w (and or or, in any case) if it is at pos
// as a whole word. It must follow whitespace or a closing parenthesis or
// bracket.
func (p *parser) keyword(w string) (bool, error) {
	s, i := p.s, p.pos
	if len(s)-i < len(w) || !equalFoldASCII(s[i:i+len(w)], w) ||
		i+len(w) < len(s) && class[s[i+len(w)]]&clsRun != 0 {
		return false, nil
	}
	if i > 0 {
		if c := s[i-1]; class[c]&clsSpace == 0 && c != ')' && c != ']' {
			return false, p.fail(i, `expected a space before "`+w+`"`)
		}
	}
	p.pos = i + len(w)
	return true, nil
}

// unary parses an attribute expression, a value path, a parenthesized
// filter or not and a parenthesized filter.
func (p *parser) unary(inValue bool) (Expression, error) {
	s := p.s
	if p.pos >= len(s) {
		return nil, p.fail(p.pos, msgStart)
	}
	c := s[p.pos]
	if c == '(' {
		return p.group(inValue)
	}
	if c|0x20 == 'n' && len(s)-p.pos >= 3 && equalFoldASCII(s[p.pos:p.pos+3], "not") &&
		(len(s)-p.pos == 3 || class[s[p.pos+3]]&clsRun == 0) {
		// not (...); "not" followed by anything else is an attribute.
		i := p.pos + 3
		for i < len(s) && class[s[i]]&clsSpace != 0 {
			i++
		}
		if i < len(s) && s[i] == '(' {
			p.pos = i
			e, err := p.group(inValue)
			if err != nil {
				return nil, err
			}
			return &NotExpression{Expression: e}, nil
		}
	}
	if class[c]&clsRun == 0 {
		return nil, p.fail(p.pos, msgStart)
	}
	return p.comparison(inValue)
}

// group parses "(" filter ")".
func (p *parser) group(inValue bool) (Expression, error) {
	if p.depth++; p.depth > maxNesting {
		return nil, p.fail(p.pos, msgDeep)
	}
	p.pos++
	p.skipWS()
	e, err := p.or(inValue)
	if err != nil {
		return nil, err
	}
	if p.pos >= len(p.s) || p.s[p.pos] != ')' {
		return nil, p.fail(p.pos, msgClose)
	}
	p.pos++
	p.depth--
	return e, nil
}

// comparison parses attrPath followed by an operator and value or by a
// value filter in brackets.
func (p *parser) comparison(inValue bool) (Expression, error) {
	pp, err := p.path()
	if err != nil {
		return nil, err
	}
	end := p.pos
	ws := p.skipWS()
	if p.pos < len(p.s) && p.s[p.pos] == '[' {
		if inValue {
			return nil, p.fail(p.pos, msgNested)
		}
		return p.valuePath(pp)
	}
	if ws == 0 {
		return nil, p.fail(end, msgOperator)
	}
	return p.predicate(pp)
}

// predicate parses, at pos, pr or an operator, whitespace and a value.
func (p *parser) predicate(pp pathParts) (*AttributeExpression, error) {
	s, i := p.s, p.pos
	if len(s)-i < 2 || len(s)-i > 2 && class[s[i+2]]&clsRun != 0 {
		return nil, p.fail(i, msgOperator)
	}
	var op CompareOperator
	switch uint16(s[i]|0x20)<<8 | uint16(s[i+1]|0x20) {
	case 'e'<<8 | 'q':
		op = EQ
	case 'n'<<8 | 'e':
		op = NE
	case 'c'<<8 | 'o':
		op = CO
	case 's'<<8 | 'w':
		op = SW
	case 'e'<<8 | 'w':
		op = EW
	case 'g'<<8 | 't':
		op = GT
	case 'l'<<8 | 't':
		op = LT
	case 'g'<<8 | 'e':
		op = GE
	case 'l'<<8 | 'e':
		op = LE
	case 'p'<<8 | 'r':
		p.pos = i + 2
		return newAttr(pp, PR, nil), nil
	default:
		return nil, p.fail(i, msgOperator)
	}
	p.pos = i + 2
	if p.skipWS() == 0 {
		if p.pos >= len(s) {
			return nil, p.fail(p.pos, msgValue)
		}
		return nil, p.fail(p.pos, "expected a space after "+string(op))
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return newAttr(pp, op, v), nil
}

// valuePath parses, at "[", the value filter of the attribute pp, and
// Entra's .sub op value after it.
func (p *parser) valuePath(pp pathParts) (Expression, error) {
	vf, err := p.bracket()
	if err != nil {
		return nil, err
	}
	s := p.s
	if p.pos < len(s) && s[p.pos] == '.' {
		// attr[filter].sub op value means attr[filter and sub op value].
		j, err := p.attrName(p.pos+1, msgSubName)
		if err != nil {
			return nil, err
		}
		sub := pathParts{name: s[p.pos+1 : j]}
		if j < len(s) && class[s[j]]&clsRun != 0 {
			return nil, p.fail(j, unexpected(s[j]))
		}
		p.pos = j
		if p.skipWS() == 0 {
			return nil, p.fail(j, msgOperator)
		}
		cmp, err := p.predicate(sub)
		if err != nil {
			return nil, err
		}
		vf = &LogicalExpression{Left: vf, Right: cmp, Operator: AND}
	}
	if !pp.hasURI && !pp.hasSub {
		return &ValuePath{AttributePath: AttributePath{AttributeName: pp.name}, ValueFilter: vf}, nil
	}
	n := &valuePathNode{uri: pp.uri, sub: pp.sub}
	n.v = ValuePath{AttributePath: pp.attributePath(&n.uri, &n.sub), ValueFilter: vf}
	return &n.v, nil
}

// bracket parses "[" valFilter "]".
func (p *parser) bracket() (Expression, error) {
	if p.depth++; p.depth > maxNesting {
		return nil, p.fail(p.pos, msgDeep)
	}
	p.pos++
	p.skipWS()
	vf, err := p.or(true)
	if err != nil {
		return nil, err
	}
	if p.pos >= len(p.s) || p.s[p.pos] != ']' {
		return nil, p.fail(p.pos, msgBracket)
	}
	p.pos++
	p.depth--
	return vf, nil
}

// pathParts is a parsed attribute path, before its pointers are
// allocated.
type pathParts struct {
	uri, name, sub string
	hasURI, hasSub bool
}

// attributePath makes the AttributePath of pp, with uri and sub (holding
// pp.uri and pp.sub) as its pointers.
func (pp *pathParts) attributePath(uri, sub *string) AttributePath {
	ap := AttributePath{AttributeName: pp.name}
	if pp.hasURI {
		ap.URIPrefix = uri
	}
	if pp.hasSub {
		ap.SubAttribute = sub
	}
	return ap
}

// attrNode, valuePathNode and pathHolder allocate a node together with
// the strings its path's pointers point to.
type attrNode struct {
	e        AttributeExpression
	uri, sub string
}

type valuePathNode struct {
	v        ValuePath
	uri, sub string
}

type pathHolder struct {
	uri, sub, sub2 string
}

func newAttr(pp pathParts, op CompareOperator, v any) *AttributeExpression {
	if !pp.hasURI && !pp.hasSub {
		return &AttributeExpression{AttributePath: AttributePath{AttributeName: pp.name}, Operator: op, CompareValue: v}
	}
	n := &attrNode{uri: pp.uri, sub: pp.sub}
	n.e = AttributeExpression{AttributePath: pp.attributePath(&n.uri, &n.sub), Operator: op, CompareValue: v}
	return &n.e
}

// path parses attrPath = [URI ":"] ATTRNAME ["." ATTRNAME] at pos, which
// holds a character of one.
func (p *parser) path() (pathParts, error) {
	s, start := p.s, p.pos
	// The common case: a name and at most one sub-attribute.
	if i := start; class[s[i]]&clsAlpha != 0 {
		i++
		for i < len(s) && class[s[i]]&clsName != 0 {
			i++
		}
		if i == len(s) || class[s[i]]&clsRun == 0 {
			p.pos = i
			return pathParts{name: s[start:i]}, nil
		}
		if s[i] == '.' && i+1 < len(s) && class[s[i+1]]&clsAlpha != 0 {
			j := i + 2
			for j < len(s) && class[s[j]]&clsName != 0 {
				j++
			}
			if j == len(s) || class[s[j]]&clsRun == 0 {
				p.pos = j
				return pathParts{name: s[start:i], sub: s[i+1 : j], hasSub: true}, nil
			}
		}
	}
	return p.pathURI()
}

// pathURI is path for paths with a URI, $ref, or errors.
func (p *parser) pathURI() (pathParts, error) {
	s, start := p.s, p.pos
	end, last := start, -1
	for end < len(s) && class[s[end]]&clsRun != 0 {
		if s[end] == ':' {
			last = end
		}
		end++
	}
	var pp pathParts
	nameStart := start
	urn := false
	if last >= 0 {
		seg := start
		for k := start; k <= last; k++ {
			switch s[k] {
			case ':':
				if k == seg {
					return pp, p.fail(k, msgEmptySeg)
				}
				seg = k + 1
			case '$':
				return pp, p.fail(k, `unexpected "$" in schema URI`)
			}
		}
		nameStart = last + 1
		urn = last-start >= 3 && equalFoldASCII(s[start:start+4], "urn:")
		if urn && isVersion(s[nameStart:end]) {
			// urn:…:1.0 names a whole schema.
			p.pos = end
			return pathParts{name: s[start:end]}, nil
		}
		pp.uri, pp.hasURI = s[start:last], true
	}
	i, err := p.attrName(nameStart, msgName)
	if err != nil {
		return pp, err
	}
	pp.name = s[nameStart:i]
	if urn && s[nameStart] >= 'A' && s[nameStart] <= 'Z' && isVersion(lastSegment(pp.uri)) {
		// urn:…:2.0:User names a whole schema.
		pp.name, pp.uri, pp.hasURI = s[start:i], "", false
	}
	if i < end && s[i] == '.' {
		j, err := p.attrName(i+1, msgSubName)
		if err != nil {
			return pp, err
		}
		pp.sub, pp.hasSub = s[i+1:j], true
		i = j
	}
	if i < end {
		return pp, p.fail(i, unexpected(s[i]))
	}
	p.pos = end
	return pp, nil
}

// attrName reads ATTRNAME or $ref at i and returns where it ends, or
// fails with msg.
func (p *parser) attrName(i int, msg string) (int, error) {
	s := p.s
	if i < len(s) && class[s[i]]&clsAlpha != 0 {
		i++
		for i < len(s) && class[s[i]]&clsName != 0 {
			i++
		}
		return i, nil
	}
	if len(s)-i >= 4 && s[i] == '$' && equalFoldASCII(s[i+1:i+4], "ref") &&
		(len(s)-i == 4 || class[s[i+4]]&clsName == 0) {
		return i + 4, nil
	}
	return 0, p.fail(i, msg)
}

// isVersion reports whether seg is DIGIT *(DIGIT / "."), like 2.0.
func isVersion(seg string) bool {
	if seg == "" || class[seg[0]]&clsDigit == 0 {
		return false
	}
	for i := 1; i < len(seg); i++ {
		if class[seg[i]]&clsDigit == 0 && seg[i] != '.' {
			return false
		}
	}
	return true
}

func lastSegment(uri string) string {
	for i := len(uri) - 1; i >= 0; i-- {
		if uri[i] == ':' {
			return uri[i+1:]
		}
	}
	return uri
}

func unexpected(c byte) string {
	if c == '.' {
		return msgTwoSubs
	}
	return "unexpected " + strconv.QuoteRuneToASCII(rune(c)) + " in attribute path"
}

// value parses compValue at pos.
func (p *parser) value() (any, error) {
	s, i := p.s, p.pos
	if i >= len(s) {
		return nil, p.fail(i, msgValue)
	}
	c := s[i]
	switch {
	case c == '"':
		return p.str()
	case c == '-' || class[c]&clsDigit != 0:
		return p.number()
	case class[c]&clsAlpha != 0:
		j := i + 1
		for j < len(s) && class[s[j]]&clsRun != 0 {
			j++
		}
		var v any
		switch w := s[i:j]; {
		case equalFoldASCII(w, "true"):
			v = true
		case equalFoldASCII(w, "false"):
			v = false
		case equalFoldASCII(w, "null"):
		default:
			return nil, p.fail(i, msgValue)
		}
		p.pos = j
		return v, nil
	}
	return nil, p.fail(i, msgValue)
}

// number parses a JSON number at pos: an int if it has no fraction or
// exponent and fits, a float64 otherwise.
func (p *parser) number() (any, error) {
	s, start := p.s, p.pos
	i := start
	if s[i] == '-' {
		i++
	}
	digits := func() bool {
		n := i
		for i < len(s) && class[s[i]]&clsDigit != 0 {
			i++
		}
		return i > n
	}
	isInt := true
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return nil, p.fail(start, msgNumber)
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return nil, p.fail(start, msgNumber)
		}
		isInt = false
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return nil, p.fail(start, msgNumber)
		}
		isInt = false
	}
	if i < len(s) && (class[s[i]]&clsRun != 0 || s[i] == '"') {
		return nil, p.fail(start, msgNumber)
	}
	text := s[start:i]
	p.pos = i
	if isInt {
		if n, err := strconv.Atoi(text); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, p.fail(start, msgRange)
	}
	return f, nil
}

// str parses a JSON string at pos.
func (p *parser) str() (any, error) {
	s := p.s
	start := p.pos + 1
	for i := start; i < len(s); {
		switch c := s[i]; {
		case c == '"':
			p.pos = i + 1
			return s[start:i], nil
		case c == '\\':
			return p.unescape(start, i)
		case c < 0x20:
			return nil, p.fail(i, controlMsg(c))
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.fail(i, msgUTF8)
			}
			i += size
		}
	}
	return nil, p.fail(p.pos, msgUnclosed)
}

// unescape continues str from the first backslash, at i, of the string
// whose text starts at start.
func (p *parser) unescape(start, i int) (any, error) {
	s := p.s
	buf := make([]byte, 0, len(s)-start)
	buf = append(buf, s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(buf), nil
		case c == '\\':
			if i+1 >= len(s) {
				return nil, p.fail(start-1, msgUnclosed)
			}
			var e byte
			switch s[i+1] {
			case '"', '\\', '/':
				e = s[i+1]
			case 'b':
				e = '\b'
			case 'f':
				e = '\f'
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 't':
				e = '\t'
			case 'u':
				r, ok := hex4(s, i+2)
				if !ok {
					return nil, p.fail(i, msgHexEscape)
				}
				n := 6
				switch {
				case r >= 0xDC00 && r <= 0xDFFF:
					return nil, p.fail(i, "unpaired surrogate "+s[i:i+6]+" in string")
				case r >= 0xD800 && r <= 0xDBFF:
					lo, ok := rune(0), false
					if len(s)-i >= 12 && s[i+6] == '\\' && s[i+7] == 'u' {
						lo, ok = hex4(s, i+8)
					}
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return nil, p.fail(i, "unpaired surrogate "+s[i:i+6]+" in string")
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					n = 12
				}
				buf = utf8.AppendRune(buf, r)
				i += n
				continue
			default:
				return nil, p.fail(i, msgEscape)
			}
			buf = append(buf, e)
			i += 2
		case c < 0x20:
			return nil, p.fail(i, controlMsg(c))
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.fail(i, msgUTF8)
			}
			buf = append(buf, s[i:i+size]...)
			i += size
		}
	}
	return nil, p.fail(start-1, msgUnclosed)
}

// hex4 reads four hexadecimal digits at i.
func hex4(s string, i int) (rune, bool) {
	if len(s)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			c = (c | 0x20) - 'a' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func controlMsg(c byte) string {
	const hex = "0123456789ABCDEF"
	return "unescaped control character U+00" + string([]byte{hex[c>>4], hex[c&0xf]}) + " in string"
}

// equalFoldASCII reports whether s equals the lower-case ASCII word w in
// any case.
func equalFoldASCII(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}
