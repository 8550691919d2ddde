package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/scimbridge/scimbridge/adapters"
)

// List encodings: how a multi-valued attribute (roles, entitlements) is
// held in one column or key/value entry.
const (
	// ListJSON is a JSON array of strings: ["ROLE_ADMIN","ROLE_USER"]
	// (Symfony's roles).
	ListJSON = "json"
	// ListJSONObject is a JSON object whose keys with true values are the
	// list: {"superuser":"1","admin":"0"} (Snipe-IT's permissions).
	ListJSONObject = "jsonObject"
	// ListDelimited is a string of values between a delimiter:
	// "system_user system_admin" (Mattermost's Roles).
	ListDelimited = "delimited"
	// ListPHP is a PHP-serialized array whose keys with true values are
	// the list: a:1:{s:13:"administrator";b:1;} (WordPress's
	// wp_capabilities).
	ListPHP = "php"
	// ListPHPList is a PHP-serialized array of strings:
	// a:2:{i:0;s:5:"admin";i:1;s:6:"editor";}.
	ListPHPList = "phpList"
)

// ListConfig says how a multi-valued attribute is held in one column: as
// a list encoded in a string. In YAML it is an encoding name (list: json)
// or a mapping with the fields below ({delimiter: " "} alone means
// delimited).
//
// Reading renders each value the attribute owns as {"value": v}. Writing
// re-encodes the whole stored value: entries the mapping does not own
// (values outside Values, keys with false values, elements that are not
// strings) are kept as they are, in place; values kept stay in their
// order and new ones are appended. A stored value that cannot be parsed
// reads as no values, and a write of the attribute over it is refused
// with 500 rather than overwriting what the application stored.
type ListConfig struct {
	// Encoding is json (an array of strings), jsonObject (an object
	// whose keys with true values are the list), delimited (values
	// between Delimiter), php (a PHP-serialized array whose keys with
	// true values are the list, as WordPress's capabilities) or phpList
	// (a PHP-serialized array of strings).
	Encoding string `yaml:"encoding"`
	// Delimiter separates the values of a delimited list (" ", ",");
	// required for delimited. Empty values between two delimiters are
	// skipped; a value containing the delimiter cannot be written.
	Delimiter string `yaml:"delimiter"`
	// TrueValue is written as the value of a key that is in the list,
	// for jsonObject and php; default true. A key reads as in the list
	// when its value is true, a number above 0, or a string "1", "true",
	// "yes" or "on".
	TrueValue any `yaml:"trueValue"`
	// FalseValue is written as the value of a key that leaves the list,
	// for jsonObject and php; without it the key is removed.
	FalseValue any `yaml:"falseValue"`
	// Values are the SCIM values the attribute may hold. Stored values
	// outside them are the application's: not shown, never removed, and
	// a write of another value is refused. Default: any value.
	Values []string `yaml:"values"`
	// Map translates SCIM values to the tokens stored (Admin:
	// ROLE_ADMIN); a value mapped is allowed. Tokens read back are
	// translated the other way.
	Map map[string]string `yaml:"map"`
}

// UnmarshalYAML accepts an encoding name as shorthand for {encoding: name}.
func (l *ListConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		l.Encoding = n.Value
		return nil
	}
	type plain ListConfig
	if err := n.Decode((*plain)(l)); err != nil {
		return err
	}
	if l.Encoding == "" && l.Delimiter != "" {
		l.Encoding = ListDelimited
	}
	return nil
}

// StoredValueError is a stored value a write would have to rewrite but
// cannot read (a list column holding malformed JSON): nothing is written,
// and the SCIM layer answers 500, since the application's data, not the
// request, is at fault.
type StoredValueError struct {
	Path   string // the SCIM attribute
	Detail string
}

func (e *StoredValueError) Error() string {
	return e.Path + ": the stored value cannot be read as " + e.Detail + "; nothing was changed (the application's data needs repair)"
}

// listCodec is a compiled ListConfig.
type listCodec struct {
	enc    string
	delim  string
	trueV  any // jsonObject/php: written for a key in the list
	falseV any // written for a key that leaves it; nil: the key is removed
	// restricted says only the tokens in owned are the attribute's.
	restricted bool
	owned      map[string]bool
	toToken    map[string]string // SCIM value → stored token
	toValue    map[string]string // stored token → SCIM value
	allowed    []string          // SCIM values, for messages
}

// compileList checks a ListConfig and compiles it; problems are reported
// through add with a path relative to the list key.
func compileList(lc ListConfig, add func(sub, format string, args ...any)) *listCodec {
	c := &listCodec{enc: lc.Encoding, delim: lc.Delimiter, trueV: true, owned: map[string]bool{}, toToken: map[string]string{}, toValue: map[string]string{}}
	ok := true
	switch lc.Encoding {
	case ListJSON, ListJSONObject, ListPHP, ListPHPList:
		if lc.Delimiter != "" {
			add(".delimiter", "applies only to delimited lists; expected no delimiter with encoding %s", lc.Encoding)
			ok = false
		}
	case ListDelimited:
		if lc.Delimiter == "" {
			add(".delimiter", "missing; expected the text between values, such as \" \" or \",\"")
			ok = false
		}
	case "":
		add(".encoding", "missing; expected json, jsonObject, delimited (with delimiter), php or phpList")
		return nil
	default:
		add(".encoding", "unknown encoding %q; expected json, jsonObject, delimited (with delimiter), php or phpList", lc.Encoding)
		return nil
	}
	if lc.TrueValue != nil || lc.FalseValue != nil {
		if lc.Encoding != ListJSONObject && lc.Encoding != ListPHP {
			add("", "trueValue and falseValue apply only to keyed lists (jsonObject, php)")
			ok = false
		}
		for _, v := range []struct {
			name string
			v    any
		}{{"trueValue", lc.TrueValue}, {"falseValue", lc.FalseValue}} {
			if v.v != nil && scalar(v.v) == nil {
				add("."+v.name, "expected a scalar (string, number or boolean)")
				ok = false
			}
		}
		if tv := scalar(lc.TrueValue); tv != nil {
			c.trueV = tv
			if !truthyScalar(tv) {
				add(".trueValue", "%v would read back as not in the list; expected true, a number above 0 or a string such as \"1\"", tv)
				ok = false
			}
		}
		if fv := scalar(lc.FalseValue); fv != nil {
			c.falseV = fv
			if truthyScalar(fv) {
				add(".falseValue", "%v would read back as in the list; expected false, 0 or a string such as \"0\"", fv)
				ok = false
			}
		}
	}
	check := func(sub, v string) bool {
		switch {
		case v == "":
			add(sub, "empty; expected a value")
		case c.enc == ListDelimited && strings.Contains(v, c.delim):
			add(sub, "%q contains the delimiter %q; expected values without it", v, c.delim)
		case !utf8.ValidString(v):
			add(sub, "not valid UTF-8")
		default:
			return true
		}
		ok = false
		return false
	}
	for i, v := range lc.Values {
		if check(fmt.Sprintf(".values[%d]", i), v) {
			c.allowed = append(c.allowed, v)
		}
	}
	for _, k := range sortedKeys(lc.Map) {
		t := lc.Map[k]
		if !check(".map."+k, t) {
			continue
		}
		if prev, dup := c.toValue[t]; dup {
			add(".map."+k, "token %q is already the one of %q; expected each value its own token", t, prev)
			ok = false
			continue
		}
		c.toToken[k], c.toValue[t] = t, k
		if !slices.Contains(c.allowed, k) {
			c.allowed = append(c.allowed, k)
		}
	}
	c.restricted = len(c.allowed) > 0
	for _, v := range c.allowed {
		t := v
		if m, ok := c.toToken[v]; ok {
			t = m
		} else if prev, dup := c.toValue[t]; dup && prev != v {
			add(".values", "%q is both a value and the token of %q; expected them apart", v, prev)
			ok = false
		}
		c.owned[t] = true
	}
	if !ok {
		return nil
	}
	return c
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// name describes the encoding for messages.
func (c *listCodec) name() string {
	switch c.enc {
	case ListJSON:
		return "a JSON array"
	case ListJSONObject:
		return "a JSON object"
	case ListPHP, ListPHPList:
		return "a PHP-serialized array"
	}
	return "a " + strconv.Quote(c.delim) + "-delimited list"
}

// describe says, for check, how the list is stored and filtered.
func (c *listCodec) describe() string {
	s := c.name()
	if c.restricted {
		s += " of " + strings.Join(quoteAll(c.allowed), ", ")
	}
	switch c.enc {
	case ListJSON:
		return s + "; filters use JSON_CONTAINS and scan the table"
	case ListDelimited:
		return s + "; filters use LIKE and scan the table"
	}
	return s + "; cannot be filtered on"
}

// listEntry is one element of a stored list, kept as stored.
type listEntry struct {
	key    string // raw encoded key (jsonObject, php); "" for others
	raw    string // raw encoded value or element
	token  string // the token the entry names
	named  bool   // the entry names a token
	member bool   // the token is in the list (a true value)
	intKey bool   // php: the key is an integer
	n      int64  // php: the integer key
}

// listValue is a parsed stored list.
type listValue struct {
	entries []listEntry
	null    bool // the stored value was NULL
	// keyed says a PHP array's keys are not 0, 1, 2…: they are kept.
	keyed bool
}

// parse reads a stored value. NULL and the empty string are empty lists.
func (c *listCodec) parse(stored any) (listValue, error) {
	if stored == nil {
		return listValue{null: true}, nil
	}
	s := canonicalString(stored)
	if s == "" || c.enc != ListDelimited && strings.TrimSpace(s) == "" {
		return listValue{}, nil
	}
	var lv listValue
	var err error
	switch c.enc {
	case ListJSON:
		lv.entries, err = parseJSONArray(s)
	case ListJSONObject:
		lv.entries, err = parseJSONObject(s)
	case ListDelimited:
		for _, t := range strings.Split(s, c.delim) {
			if t != "" {
				lv.entries = append(lv.entries, listEntry{raw: t, token: t, named: true, member: true})
			}
		}
	case ListPHP, ListPHPList:
		lv.entries, err = parsePHPArray(s, c.enc == ListPHPList)
		for i, e := range lv.entries {
			if !e.intKey || e.n != int64(i) {
				lv.keyed = true
			}
		}
	}
	if c.enc == ListPHP || c.enc == ListJSONObject {
		// A key given twice has its last value, as PHP and JSON decoders
		// read it: the earlier entries are shadowed, kept as they are.
		seen := map[string]bool{}
		for i := len(lv.entries) - 1; i >= 0; i-- {
			e := &lv.entries[i]
			if seen[e.token] {
				e.named, e.member = false, false
			}
			seen[e.token] = true
		}
	}
	return lv, err
}

// values lists the SCIM values of the tokens the attribute owns, in
// stored order, without repeats.
func (c *listCodec) values(lv listValue) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range lv.entries {
		if !e.named || !e.member || !c.owns(e.token) || seen[e.token] {
			continue
		}
		seen[e.token] = true
		v := e.token
		if m, ok := c.toValue[v]; ok {
			v = m
		}
		out = append(out, v)
	}
	return out
}

// owns reports whether a stored token is the attribute's to show and
// change. Text that is not UTF-8 is not: JSON could only show it mangled,
// and a write of the mangled value would replace it.
func (c *listCodec) owns(token string) bool {
	return utf8.ValidString(token) && (!c.restricted || c.owned[token])
}

// token returns the stored token of a SCIM value, or a FieldError for a
// value the attribute may not hold.
func (c *listCodec) token(path, v string) (string, error) {
	if v == "" {
		return "", fieldErr(path, ScimInvalidValue, "every entry needs a non-empty string value")
	}
	if !utf8.ValidString(v) {
		return "", fieldErr(path, ScimInvalidValue, "not valid UTF-8")
	}
	if c.restricted {
		if !slices.Contains(c.allowed, v) {
			// Case aside, as IdPs' app role values may differ.
			i := slices.IndexFunc(c.allowed, func(a string) bool { return strings.EqualFold(a, v) })
			if i < 0 {
				return "", fieldErr(path, ScimInvalidValue, "%q is not one this application has; expected one of %s", v, strings.Join(quoteAll(c.allowed), ", "))
			}
			v = c.allowed[i]
		}
		if t, ok := c.toToken[v]; ok {
			return t, nil
		}
		return v, nil
	}
	if c.enc == ListDelimited && strings.Contains(v, c.delim) {
		return "", fieldErr(path, ScimInvalidValue, "%q contains %q, which separates this application's values", v, c.delim)
	}
	return v, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}

// merge makes the stored list hold exactly the owned tokens want: owned
// entries not wanted leave (or turn false), wanted ones not there are
// appended, and everything else stays as it was, where it was.
func (c *listCodec) merge(lv listValue, want []string) listValue {
	wanted := map[string]bool{}
	for _, t := range want {
		wanted[t] = true
	}
	have := map[string]bool{}
	out := listValue{null: lv.null, keyed: lv.keyed}
	keyed := c.enc == ListJSONObject || c.enc == ListPHP
	for _, e := range lv.entries {
		if !e.named || !c.owns(e.token) {
			out.entries = append(out.entries, e)
			continue
		}
		switch {
		case wanted[e.token] && have[e.token] && e.member:
			// A repeat of a value kept once.
			if keyed {
				out.entries = append(out.entries, e)
			}
			continue
		case wanted[e.token] && e.member:
		case wanted[e.token]:
			e.raw, e.member = c.encodeScalar(c.trueV), true
		case !e.member:
		case keyed && c.falseV != nil:
			e.raw, e.member = c.encodeScalar(c.falseV), false
		default:
			continue
		}
		if e.member {
			have[e.token] = true
		}
		out.entries = append(out.entries, e)
	}
	for _, t := range want {
		if have[t] {
			continue
		}
		have[t] = true
		out.entries = append(out.entries, c.newEntry(t))
	}
	return out
}

// newEntry is the stored form of a token added to the list.
func (c *listCodec) newEntry(t string) listEntry {
	e := listEntry{token: t, named: true, member: true}
	switch c.enc {
	case ListJSON:
		e.raw = jsonString(t)
	case ListJSONObject:
		e.key, e.raw = jsonString(t), c.encodeScalar(c.trueV)
	case ListDelimited:
		e.raw = t
	case ListPHP:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil && strconv.FormatInt(n, 10) == t {
			// PHP stores numeric string keys as integers.
			e.key, e.intKey, e.n = "i:"+t+";", true, n
		} else {
			e.key = phpString(t)
		}
		e.raw = c.encodeScalar(c.trueV)
	case ListPHPList:
		e.raw, e.intKey, e.n = phpString(t), true, -1
	}
	return e
}

// encodeScalar encodes a true or false value for a keyed list.
func (c *listCodec) encodeScalar(v any) string {
	if c.enc == ListJSONObject {
		b, _ := json.Marshal(v)
		return string(b)
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "b:1;"
		}
		return "b:0;"
	case int64:
		return "i:" + strconv.FormatInt(x, 10) + ";"
	case uint64:
		return "i:" + strconv.FormatUint(x, 10) + ";"
	case float64:
		return "d:" + strconv.FormatFloat(x, 'g', -1, 64) + ";"
	}
	return phpString(canonicalString(v))
}

// format encodes a list for storage.
func (c *listCodec) format(lv listValue) string {
	var b strings.Builder
	switch c.enc {
	case ListJSON:
		b.WriteByte('[')
		for i, e := range lv.entries {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(e.raw)
		}
		b.WriteByte(']')
	case ListJSONObject:
		b.WriteByte('{')
		for i, e := range lv.entries {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(e.key + ":" + e.raw)
		}
		b.WriteByte('}')
	case ListDelimited:
		for i, e := range lv.entries {
			if i > 0 {
				b.WriteString(c.delim)
			}
			b.WriteString(e.raw)
		}
	case ListPHP, ListPHPList:
		// A list numbered 0, 1, 2… (as PHP writes an array of values) is
		// numbered again so it stays one; other keys are kept, and new
		// entries of a phpList take the next integer.
		seq := c.enc == ListPHPList && !lv.keyed
		max := int64(-1)
		for _, e := range lv.entries {
			if e.intKey && e.key != "" && e.n > max {
				max = e.n
			}
		}
		fmt.Fprintf(&b, "a:%d:{", len(lv.entries))
		i := int64(0)
		for _, e := range lv.entries {
			key := e.key
			switch {
			case seq:
				key = "i:" + strconv.FormatInt(i, 10) + ";"
			case key == "":
				max++
				key = "i:" + strconv.FormatInt(max, 10) + ";"
			}
			b.WriteString(key + e.raw)
			i++
		}
		b.WriteByte('}')
	}
	return b.String()
}

// jsonString encodes s as a JSON string, without HTML escapes.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// phpString serializes s as PHP does: its length in bytes, then the
// bytes, unescaped.
func phpString(s string) string {
	return "s:" + strconv.Itoa(len(s)) + ":\"" + s + "\";"
}

var errListSyntax = errors.New("malformed list")

func parseJSONArray(s string) ([]listEntry, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(s), &raws); err != nil || raws == nil {
		return nil, errListSyntax
	}
	out := make([]listEntry, 0, len(raws))
	for _, r := range raws {
		e := listEntry{raw: string(r)}
		var t string
		if len(r) > 0 && r[0] == '"' && json.Unmarshal(r, &t) == nil {
			e.token, e.named, e.member = t, true, true
		}
		out = append(out, e)
	}
	return out, nil
}

func parseJSONObject(s string) ([]listEntry, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errListSyntax
	}
	var out []listEntry
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, errListSyntax
		}
		k, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errListSyntax
		}
		out = append(out, listEntry{key: jsonString(k), raw: string(raw), token: k, named: true, member: truthyJSON(raw)})
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, errListSyntax
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errListSyntax
	}
	return out, nil
}

// truthyJSON reports whether a JSON value means "in the list": true, a
// number above 0, or a string "1", "true", "yes" or "on".
func truthyJSON(raw json.RawMessage) bool {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return false
	}
	switch x := v.(type) {
	case bool:
		return x
	case json.Number:
		f, err := x.Float64()
		return err == nil && f > 0
	case string:
		return truthyString(x)
	}
	return false
}

func truthyString(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on":
		return true
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil && f > 0
}

func truthyScalar(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x > 0
	case uint64:
		return x > 0
	case float64:
		return x > 0
	case string:
		return truthyString(x)
	}
	return false
}

// maxPHPDepth bounds the nesting of arrays in a PHP-serialized value.
const maxPHPDepth = 32

// phpParser reads PHP's serialize() format.
type phpParser struct {
	s   string
	pos int
}

// parsePHPArray reads a serialized array's entries; values names the
// entries' string values (phpList) rather than their keys (php).
func parsePHPArray(s string, values bool) ([]listEntry, error) {
	p := &phpParser{s: s}
	n, err := p.arrayHead()
	if err != nil {
		return nil, err
	}
	out := make([]listEntry, 0, min(n, 64))
	for range n {
		kStart := p.pos
		kind, kv, err := p.value(1)
		if err != nil {
			return nil, err
		}
		if kind != 'i' && kind != 's' {
			return nil, errListSyntax
		}
		e := listEntry{key: s[kStart:p.pos]}
		if kind == 'i' {
			e.intKey = true
			e.n, _ = strconv.ParseInt(kv, 10, 64)
		}
		vStart := p.pos
		vkind, vv, err := p.value(1)
		if err != nil {
			return nil, err
		}
		e.raw = s[vStart:p.pos]
		if values {
			if vkind == 's' {
				e.token, e.named, e.member = vv, true, true
			}
		} else {
			e.token, e.named = kv, true
			switch vkind {
			case 'b', 'i', 'd':
				f, err := strconv.ParseFloat(vv, 64)
				e.member = err == nil && f > 0
			case 's':
				e.member = truthyString(vv)
			}
		}
		out = append(out, e)
	}
	if !p.eat("}") || p.pos != len(s) {
		return nil, errListSyntax
	}
	return out, nil
}

func (p *phpParser) eat(t string) bool {
	if strings.HasPrefix(p.s[p.pos:], t) {
		p.pos += len(t)
		return true
	}
	return false
}

// upTo returns the text before the next stop byte and moves past it.
func (p *phpParser) upTo(stop byte) (string, bool) {
	i := strings.IndexByte(p.s[p.pos:], stop)
	if i < 0 {
		return "", false
	}
	t := p.s[p.pos : p.pos+i]
	p.pos += i + 1
	return t, true
}

// count reads a non-negative decimal count ending in stop.
func (p *phpParser) count(stop byte) (int, bool) {
	t, ok := p.upTo(stop)
	if !ok || t == "" || len(t) > 9 {
		return 0, false
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(t)
	return n, err == nil
}

// arrayHead reads "a:N:{" and returns N.
func (p *phpParser) arrayHead() (int, error) {
	if !p.eat("a:") {
		return 0, errListSyntax
	}
	n, ok := p.count(':')
	// Each entry takes at least 8 bytes (i:0;b:1;): a count the rest
	// cannot hold is refused before anything is allocated for it.
	if !ok || !p.eat("{") || n > (len(p.s)-p.pos)/4 {
		return 0, errListSyntax
	}
	return n, nil
}

// value reads one serialized value and returns its type letter and, for
// scalars, its text (a string's contents, a number's digits).
func (p *phpParser) value(depth int) (byte, string, error) {
	if p.pos+1 >= len(p.s) {
		return 0, "", errListSyntax
	}
	kind := p.s[p.pos]
	switch kind {
	case 'N':
		if !p.eat("N;") {
			return 0, "", errListSyntax
		}
		return kind, "", nil
	case 'b', 'i', 'd':
		if p.s[p.pos+1] != ':' {
			return 0, "", errListSyntax
		}
		p.pos += 2
		t, ok := p.upTo(';')
		if !ok {
			return 0, "", errListSyntax
		}
		switch kind {
		case 'b':
			if t != "0" && t != "1" {
				return 0, "", errListSyntax
			}
		case 'i':
			if _, err := strconv.ParseInt(t, 10, 64); err != nil {
				return 0, "", errListSyntax
			}
		default:
			if _, err := strconv.ParseFloat(t, 64); err != nil && t != "INF" && t != "-INF" && t != "NAN" {
				return 0, "", errListSyntax
			}
		}
		return kind, t, nil
	case 's':
		if !p.eat("s:") {
			return 0, "", errListSyntax
		}
		n, ok := p.count(':')
		if !ok || !p.eat("\"") || n > len(p.s)-p.pos {
			return 0, "", errListSyntax
		}
		t := p.s[p.pos : p.pos+n]
		p.pos += n
		if !p.eat("\";") {
			return 0, "", errListSyntax
		}
		return kind, t, nil
	case 'a':
		if depth >= maxPHPDepth {
			return 0, "", errListSyntax
		}
		n, err := p.arrayHead()
		if err != nil {
			return 0, "", err
		}
		for range 2 * n {
			if _, _, err := p.value(depth + 1); err != nil {
				return 0, "", err
			}
		}
		if !p.eat("}") {
			return 0, "", errListSyntax
		}
		return kind, "", nil
	}
	// Objects (O:, C:) and references (r:, R:) are not kept in the lists
	// this reads; refusing them keeps a write from mangling one.
	return 0, "", errListSyntax
}

// decodeList renders a stored list as the attribute's entries; ok is
// false for an empty list and for a stored value that cannot be read.
func (a *attr) decodeList(stored any) (any, bool) {
	lv, err := a.list.parse(stored)
	if err != nil {
		return nil, false
	}
	vals := a.list.values(lv)
	if len(vals) == 0 {
		return nil, false
	}
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = map[string]any{"value": v}
	}
	return out, true
}

// listValues reads the values of a multi-valued attribute's entries (an
// array of {"value": v}, or a single one).
func (a *attr) listValues(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		var val any = e
		if m, ok := e.(map[string]any); ok {
			val, _ = Get(m, "value")
		}
		s, ok := val.(string)
		if !ok || s == "" {
			return nil, fieldErr(a.path+".value", ScimInvalidValue, "every %s entry needs a non-empty string value", a.def.Name)
		}
		out = append(out, s)
	}
	return out, nil
}

// encodeList re-encodes the stored value cur so that it holds the
// values of v (nil: none), keeping what the attribute does not own.
func (a *attr) encodeList(v any, cur any) (any, error) {
	vals, err := a.listValues(v)
	if err != nil {
		return nil, err
	}
	want := make([]string, 0, len(vals))
	for _, s := range vals {
		t, err := a.list.token(a.path, s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(want, t) {
			want = append(want, t)
		}
	}
	lv, err := a.list.parse(cur)
	if err != nil {
		return nil, &StoredValueError{Path: a.path, Detail: a.list.name()}
	}
	out := a.list.merge(lv, want)
	if len(out.entries) == 0 && out.null && a.col.Nullable {
		return nil, nil
	}
	s := a.list.format(out)
	if limit := a.col.MaxLength; limit > 0 && int64(utf8.RuneCountInString(s)) > limit {
		return nil, fieldErr(a.path, ScimInvalidValue, "together these values are longer than the %d characters this application stores", limit)
	}
	return s, nil
}

// compareList translates a filter on a list attribute (roles eq "x",
// roles.value eq "x", ne) into SQL that matches the stored list exactly:
// JSON_CONTAINS for a JSON array, the delimiter around the value for a
// delimited list. Other comparisons, and encodings SQL cannot search
// exactly, are refused with invalidFilter rather than answered wrongly.
func (r *Resource) compareList(a *attr, path, sub string, op adapters.Op, value any) (adapters.Expr, error) {
	switch sub {
	case "", "value":
	case "type", "display", "primary":
		// Not stored: unassigned on every entry.
		return adapters.Const(op == adapters.OpNe), nil
	default:
		return nil, fieldErr(path, ScimInvalidFilter, "%s has no sub-attribute %s", a.def.Name, sub)
	}
	l := a.list
	if l.enc != ListJSON && l.enc != ListDelimited {
		return nil, fieldErr(path, ScimInvalidFilter, "this application stores %s as %s, which the database cannot search exactly; filter on another attribute", a.def.Name, l.name())
	}
	s, ok := value.(string)
	if !ok || (op != adapters.OpEq && op != adapters.OpNe) {
		return nil, fieldErr(path, ScimInvalidFilter, "%s is a list held in one column: only eq and ne with a quoted value apply, such as %s eq \"admin\"", a.def.Name, a.def.Name)
	}
	t, err := l.token(path, s)
	if err != nil || !l.owns(t) {
		// A value the attribute cannot hold: no row has it.
		return adapters.Const(op == adapters.OpNe), nil
	}
	col := a.col.Name
	var kv *adapters.KVSpec
	if a.kind == kindKV {
		kv = r.Spec.KV
		col = kv.Value
	}
	var has adapters.Expr
	if l.enc == ListJSON {
		has = adapters.JSONHas{Column: col, Value: t}
	} else {
		d := l.delim
		has = adapters.Or{
			Left: adapters.Or{
				Left:  adapters.Compare{Column: col, Op: adapters.OpEq, Value: t},
				Right: adapters.Compare{Column: col, Op: adapters.OpSw, Value: t + d},
			},
			Right: adapters.Or{
				Left:  adapters.Compare{Column: col, Op: adapters.OpEw, Value: d + t},
				Right: adapters.Compare{Column: col, Op: adapters.OpCo, Value: d + t + d},
			},
		}
	}
	if kv != nil {
		isKey := adapters.Compare{Column: kv.Key, Op: adapters.OpEq, Value: a.kvKey, Plain: true}
		has = adapters.Exists{Child: "@kv", Where: adapters.And{Left: isKey, Right: has}}
	}
	if op == adapters.OpNe {
		return adapters.Not{X: has}, nil
	}
	return has, nil
}

// memberList is the list codec of a group membership held in the user's
// row: its tokens are the groups' references, whatever else the column
// holds (roles mapped beside it, the application's own tokens) is kept.
type memberList struct {
	c   *listCodec
	col adapters.ColumnInfo
}

var _ adapters.ListCodec = memberList{}

// Tokens lists the tokens in the list, in stored order, without repeats.
func (m memberList) Tokens(stored any) ([]string, error) {
	lv, err := m.c.parse(stored)
	if err != nil {
		return nil, &StoredValueError{Path: "members", Detail: m.c.name()}
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range lv.entries {
		if e.named && e.member && !seen[e.token] && utf8.ValidString(e.token) {
			seen[e.token] = true
			out = append(out, e.token)
		}
	}
	return out, nil
}

// Edit adds or removes one token, keeping every other entry where it is.
func (m memberList) Edit(stored any, token string, in bool) (any, error) {
	if m.c.enc == ListDelimited && strings.Contains(token, m.c.delim) {
		return nil, fieldErr("members", ScimInvalidValue, "the group's reference %q contains %q, which separates this application's values", token, m.c.delim)
	}
	lv, err := m.c.parse(stored)
	if err != nil {
		return nil, &StoredValueError{Path: "members", Detail: m.c.name()}
	}
	one := *m.c
	one.restricted, one.owned = true, map[string]bool{token: true}
	var want []string
	if in {
		want = []string{token}
	}
	out := one.merge(lv, want)
	if len(out.entries) == 0 && out.null && m.col.Nullable {
		return nil, nil
	}
	s := one.format(out)
	if limit := m.col.MaxLength; limit > 0 && int64(utf8.RuneCountInString(s)) > limit {
		return nil, fieldErr("members", ScimInvalidValue, "the user's %s would be longer than the %d characters this application stores", m.col.Name, limit)
	}
	return s, nil
}

// Search says how SQL finds the rows holding a token.
func (m memberList) Search() (adapters.ListSearch, string) {
	switch m.c.enc {
	case ListJSON:
		return adapters.ListJSONArray, ""
	case ListDelimited:
		return adapters.ListDelimitedText, m.c.delim
	}
	return adapters.ListOpaque, ""
}
