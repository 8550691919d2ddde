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
