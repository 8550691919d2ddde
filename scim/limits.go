package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// maxJSONDepth bounds the nesting of a request body's arrays and objects.
// The deepest SCIM document is a PATCH of an extension's complex attribute,
// about six levels deep.
const maxJSONDepth = 32

// keysLinear is how many member names of one object are compared one by
// one for duplicates; an object with more is checked through a map.
const keysLinear = 16

// keySpan is a member name in the body: the bytes between its quotes, and
// whether they hold an escape.
type keySpan struct {
	start, end int
	escaped    bool
}

// checkJSONText refuses, before it is decoded, JSON text that
// encoding/json would accept only at a cost or by changing it: arrays and
// objects nested deeper than maxJSONDepth; \u escapes of lone UTF-16
// surrogates, which it would silently decode to U+FFFD; and objects that
// name a member twice, in any case, since SCIM attribute names are
// case-insensitive and the decoder would keep one of the values without a
// word ({"userName":"a","username":"b"}). Whether the text is otherwise
// valid JSON is the decoder's business. It is one pass over the bytes,
// allocating only for objects of many members and for escaped names.
func checkJSONText(b []byte) error {
	var (
		depth     int
		inObject  [maxJSONDepth + 1]bool
		base      [maxJSONDepth + 1]int // the first of keys that is the object's
		sets      [maxJSONDepth + 1]map[string]bool
		expectKey bool
		buf       [2 * keysLinear]keySpan
	)
	keys := buf[:0]
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '[', '{':
			depth++
			if depth > maxJSONDepth {
				return errorf(http.StatusBadRequest, "invalidSyntax", "request body nests arrays and objects deeper than %d levels", maxJSONDepth)
			}
			inObject[depth] = b[i] == '{'
			expectKey = inObject[depth]
			base[depth], sets[depth] = len(keys), nil
		case ']', '}':
			if depth == 0 {
				return errorf(http.StatusBadRequest, "invalidSyntax", "request body has an unmatched %q", b[i])
			}
			keys, sets[depth] = keys[:base[depth]], nil
			depth--
			expectKey = false
		case ',':
			expectKey = inObject[depth]
		case '"':
			k := keySpan{start: i + 1}
			// Skip the string, checking its \u escapes.
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] != '\\' {
					continue
				}
				k.escaped = true
				i++
				if i >= len(b) || b[i] != 'u' {
					continue
				}
				r, ok := hex4(b, i+1)
				if !ok {
					continue
				}
				switch {
				case r >= 0xd800 && r < 0xdc00:
					lo, ok := rune(0), false
					if i+6 < len(b) && b[i+5] == '\\' && b[i+6] == 'u' {
						lo, ok = hex4(b, i+7)
					}
					if !ok || lo < 0xdc00 || lo > 0xdfff {
						return errorf(http.StatusBadRequest, "invalidSyntax", "request body has a \\u escape of an unpaired UTF-16 surrogate")
					}
					i += 10
				case r >= 0xdc00 && r <= 0xdfff:
					return errorf(http.StatusBadRequest, "invalidSyntax", "request body has a \\u escape of an unpaired UTF-16 surrogate")
				default:
					i += 4
				}
			}
			if !expectKey || i >= len(b) {
				continue
			}
			expectKey = false
			k.end = i
			var err error
			if keys, err = addKey(b, keys, base[depth], &sets[depth], k); err != nil {
				return err
			}
		}
	}
	return nil
}

// addKey adds member name k to the names of the object open at keys[from:]
// (or in *set, once the object has many), and refuses it if the object
// already has it in any case.
func addKey(b []byte, keys []keySpan, from int, set *map[string]bool, k keySpan) ([]keySpan, error) {
	dup := func() error {
		return errorf(http.StatusBadRequest, "invalidSyntax", "request body names the member %s twice in one object (names are case-insensitive)", strconv.Quote(keyText(b, k)))
	}
	if *set != nil {
		f := foldKey(keyText(b, k))
		if (*set)[f] {
			return nil, dup()
		}
		(*set)[f] = true
		return keys, nil
	}
	for _, o := range keys[from:] {
		if sameKey(b, o, k) {
			return nil, dup()
		}
	}
	keys = append(keys, k)
	if len(keys)-from > keysLinear {
		m := make(map[string]bool, 2*keysLinear)
		for _, o := range keys[from:] {
			m[foldKey(keyText(b, o))] = true
		}
		*set, keys = m, keys[:from]
	}
	return keys, nil
}

// sameKey reports whether two member names are one attribute name.
func sameKey(b []byte, x, y keySpan) bool {
	if !x.escaped && !y.escaped {
		return bytes.EqualFold(b[x.start:x.end], b[y.start:y.end])
	}
	return strings.EqualFold(keyText(b, x), keyText(b, y))
}

// keyText is a member name with its escapes decoded.
func keyText(b []byte, k keySpan) string {
	if !k.escaped {
		return string(b[k.start:k.end])
	}
	var s string
	if json.Unmarshal(b[k.start-1:k.end+1], &s) != nil {
		return string(b[k.start:k.end]) // malformed: the decoder refuses it
	}
	return s
}

// foldKey maps the names strings.EqualFold deems equal to one string: each
// rune becomes the least of its case-folding orbit.
func foldKey(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		sb.WriteRune(least)
	}
	return sb.String()
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// deadline bounds the request by the configured request timeout. Its
// context is the one every store call and so every SQL statement runs
// under, so the driver abandons a statement that runs out of time, and
// the request fails with 503.
func (s *Server) deadline(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// validText answers requests whose id or query parameters are not UTF-8
// before they reach a handler: SCIM ids and parameter values are strings,
// which invalid UTF-8 cannot spell, and databases differ in what they make
// of it (an error, a warning, a mangled comparison). No resource has such
// an id (404); such a parameter is refused (400).
func (s *Server) validText(c *gin.Context) {
	if !utf8.ValidString(c.Param("id")) {
		s.fail(c, errorf(http.StatusNotFound, "", "resource not found"))
		return
	}
	if !validQuery(c.Request.URL.RawQuery) {
		s.fail(c, errorf(http.StatusBadRequest, "invalidValue", "query parameters must be UTF-8"))
		return
	}
	c.Next()
}

// validQuery reports whether every parameter name and value of a raw
// query, as url.ParseQuery decodes them, is valid UTF-8. Like
// url.ParseQuery it skips a parameter with a semicolon or a malformed
// escape, which reaches no handler. It decodes each parameter into a
// small buffer rather than building the url.Values that gin builds
// again for the handler.
func validQuery(raw string) bool {
	var buf [256]byte
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" || strings.Contains(part, ";") {
			continue
		}
		if !strings.Contains(part, "%") {
			// Decoding only turns + into a space.
			if !utf8.ValidString(part) {
				return false
			}
			continue
		}
		b, ok := buf[:0], true
		for i := 0; i < len(part); i++ {
			if part[i] != '%' {
				b = append(b, part[i])
				continue
			}
			if i+2 >= len(part) || !isHex(part[i+1]) || !isHex(part[i+2]) {
				ok = false
				break
			}
			b = append(b, unhex(part[i+1])<<4|unhex(part[i+2]))
			i += 2
		}
		if ok && !utf8.Valid(b) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
