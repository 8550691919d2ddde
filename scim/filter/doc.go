// Package filter parses the filters of RFC 7644 section 3.4.2.2 and the
// PATCH paths of section 3.5.2 into a small syntax tree.
//
// ParseFilter reads a filter such as
//
//	userName eq "bjensen" and (emails[type eq "work" and value co "@example.com"] or not (active eq false))
//
// and ParsePath a PATCH path such as members[value eq "2819c223"] or
// emails[type eq "work"].value. Both are hand-written recursive-descent
// parsers over the string: a one-comparison filter costs a few allocations
// and well under a microsecond.
//
// # Grammar
//
// The grammar is the RFC's ABNF with errata 4690 and 7322, plus a few
// leniencies identity providers rely on:
//
//   - Precedence is not > and > or; and and or are left-associative;
//     parentheses group. Keywords, operators and true, false and null are
//     case-insensitive (EQ, And, NOT, TRUE); the tree always holds the
//     lower-case operator constants.
//   - Tokens are separated by one or more spaces, tabs, CRs or LFs, and
//     whitespace is allowed around parentheses and brackets, after not,
//     and before and after the whole filter. Whitespace is required
//     between an attribute path and its operator, between an operator and
//     its value, and before and after and and or (except next to a
//     parenthesis or bracket: (a pr)and(b pr) is accepted).
//   - A value filter (the part in brackets) is a full filter over
//     sub-attributes, with and, or, not and parentheses, but no nested
//     value path.
//   - Entra ID's non-standard attr[filter].sub op value (and
//     attr[filter].sub pr) is accepted by ParseFilter and returned as the
//     equivalent standard attr[filter and sub op value]: a *ValuePath whose
//     ValueFilter is the *LogicalExpression AND of the bracketed filter and
//     the comparison on sub.
//   - An attribute name is ALPHA *(ALPHA / DIGIT / "-" / "_"), or "$ref"
//     (case-insensitive). An attribute path may start with a schema URI
//     (segments of ALPHA / DIGIT / "-" / "_" / "." separated by ":"): the
//     URI is everything before the last ":" of the path, so dotted versions
//     such as 2.0 are fine, and URIPrefix holds it without the final ":".
//   - A value is a JSON value (RFC 8259): false, null, true, a number or a
//     string. Every string escape is decoded (\" \\ \/ \b \f \n \r \t and
//     \uXXXX with upper- or lower-case hex digits, surrogate pairs
//     combined). An unknown escape, a lone surrogate, a raw control
//     character or invalid UTF-8 is a syntax error. Integers without a
//     fraction or exponent that fit an int are returned as int, every
//     other number as float64.
//   - pr takes no value.
//   - Parentheses, not and brackets nest at most 32 levels deep (each
//     "not (" is one level).
//
// # Whole-schema paths
//
// A path naming a whole schema rather than an attribute in one, such as
// the PATCH path urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,
// is returned with URIPrefix nil and AttributeName holding the entire URN,
// so that a caller can tell it apart from an attribute (whose
// AttributeName never contains a ":") and use it directly as the key of
// the extension in a resource. A path is read this way when it begins
// with "urn:" (in any case) and either its last segment begins with an
// upper-case letter and directly follows a version segment (a segment of
// digits and dots that begins with a digit), as in …:2.0:User, …:1.0:Group
// and …:2.0:EnterpriseUser; or its last segment is itself a version, as in
// the SCIM 1.1 style urn:scim:schemas:extension:enterprise:1.0. Such a path
// may still carry a sub-attribute after a ".": …:2.0:User.manager is
// AttributeName "…:2.0:User" with SubAttribute "manager". Everything else
// is split at the last ":":
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value
// has URIPrefix "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
// AttributeName "manager" and SubAttribute "value". In both forms
// AttributePath.String gives back the text of the path.
//
// # Errors
//
// Every error is a *SyntaxError with the byte offset in the input where the
// parser gave up and a message saying what it expected there. Neither
// function panics, whatever the input.
package filter
