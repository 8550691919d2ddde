package scim

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// maxJSONDepth bounds the nesting of a request body's arrays and objects.
// The deepest SCIM document is a PATCH of an extension's complex attribute,
// about six levels deep.
const maxJSONDepth = 32

// checkJSONText refuses, before it is decoded, JSON text that
// encoding/json would accept only at a cost or by changing it: arrays and
// objects nested deeper than maxJSONDepth, and \u escapes of lone UTF-16
// surrogates, which it would silently decode to U+FFFD. Whether the text
// is otherwise valid JSON is the decoder's business.
func checkJSONText(b []byte) error {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '[', '{':
			depth++
			if depth > maxJSONDepth {
				return errorf(http.StatusBadRequest, "invalidSyntax", "request body nests arrays and objects deeper than %d levels", maxJSONDepth)
			}
		case ']', '}':
			depth--
		case '"':
			// Skip the string, checking its \u escapes.
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] != '\\' {
					continue
				}
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
		}
	}
	return nil
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
	for k, vs := range c.Request.URL.Query() {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				s.fail(c, errorf(http.StatusBadRequest, "invalidValue", "query parameters must be UTF-8"))
				return
			}
		}
	}
	c.Next()
}
