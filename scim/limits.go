package scim

import (
	"context"
	"net/http"
	"strings"
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
