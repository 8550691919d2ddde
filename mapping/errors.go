package mapping

import (
	"fmt"
	"strings"
)

// Problem is one mistake in a mapping: where it is (a YAML path such as
// resources.User.attributes["name.givenName"].column), what is wrong and what
// was expected.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// ProblemsError is every mistake found in a mapping, reported together.
type ProblemsError []Problem

func (ps ProblemsError) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = "  " + p.String()
	}
	return fmt.Sprintf("invalid mapping (%d problems):\n%s", len(ps), strings.Join(lines, "\n"))
}

// SCIM error types (RFC 7644 section 3.12) a FieldError can carry.
const (
	ScimInvalidValue  = "invalidValue"
	ScimInvalidSyntax = "invalidSyntax"
	ScimMutability    = "mutability"
	ScimInvalidFilter = "invalidFilter"
	ScimNoTarget      = "noTarget"
	ScimInvalidPath   = "invalidPath"
)

// FieldError is a request value the mapping cannot accept. The SCIM layer
// answers it with 400 and ScimType.
type FieldError struct {
	Path     string // the SCIM attribute path, if known
	ScimType string
	Detail   string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Detail
	}
	return e.Path + ": " + e.Detail
}

func fieldErr(path, scimType, format string, args ...any) *FieldError {
	return &FieldError{Path: path, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// Closest returns the candidate nearest to name by edit distance (optimal
// string alignment: insertions, deletions, substitutions and swaps of two
// neighbours), compared case-insensitively, and reports whether it is close
// enough to be what was meant: at most max(2, len/3) edits, and at most half
// of name's length, so that short names are not "corrected" into unrelated
// ones. Of equally close candidates the first wins.
func Closest(name string, candidates []string) (string, bool) {
	n := []rune(strings.ToLower(name))
	limit := min(max(2, len(n)/3), max(1, len(n)/2))
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := editDistance(n, []rune(strings.ToLower(c))); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// DidYouMean returns `; did you mean "x"?` for the candidate Closest finds,
// or "" when none is close.
func DidYouMean(name string, candidates []string) string {
	if c, ok := Closest(name, candidates); ok {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b.
func editDistance(a, b []rune) int {
	// d[i][j] is the distance between a[:i] and b[:j]; three rows suffice.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// maxListed bounds how many names a problem lists (the tables of a
// database can be hundreds).
const maxListed = 20

// nameList joins names for a problem message, at most maxListed of them,
// saying how many more there are.
func nameList(names []string) string {
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, ... (%d more)", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
}
