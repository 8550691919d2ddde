package scim

import "strings"

// rewriteValuePathComparisons turns Entra ID's non-standard filter form
// attr[filter].sub op value into the RFC 7644 form attr[filter and sub op
// value], which means the same: some element matches both. Text inside
// quoted strings is never touched; anything it does not recognise is left
// for the parser to judge.
func rewriteValuePathComparisons(f string) string {
	var out strings.Builder
	inQuote := false
	open := -1 // position in out of the '[' of the current value path
	for i := 0; i < len(f); i++ {
		ch := f[i]
		switch {
		case inQuote:
			out.WriteByte(ch)
			if ch == '\\' && i+1 < len(f) {
				i++
				out.WriteByte(f[i])
			} else if ch == '"' {
				inQuote = false
			}
			continue
		case ch == '"':
			inQuote = true
		case ch == '[':
			open = out.Len()
		case ch == ']' && open >= 0 && i+1 < len(f) && f[i+1] == '.':
			sub, op, val, n := comparisonAfter(f[i+2:])
			if n > 0 {
				out.WriteString(" and " + sub + " " + op)
				if val != "" {
					out.WriteString(" " + val)
				}
				out.WriteByte(']')
				i += 1 + n
				open = -1
				continue
			}
		case ch == ']':
			open = -1
		}
		out.WriteByte(ch)
	}
	return out.String()
}

// comparisonAfter reads "sub op value" at the start of s and returns its
// parts and length, or n == 0 if s does not start with one.
func comparisonAfter(s string) (sub, op, val string, n int) {
	i := 0
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	if i == 0 {
		return "", "", "", 0
	}
	sub = s[:i]
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	k := j
	for k < len(s) && s[k] != ' ' && s[k] != ')' {
		k++
	}
	op = strings.ToLower(s[j:k])
	switch op {
	case "pr":
		return sub, op, "", k
	case "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le":
	default:
		return "", "", "", 0
	}
	for k < len(s) && s[k] == ' ' {
		k++
	}
	v := k
	if v < len(s) && s[v] == '"' {
		v++
		for v < len(s) && s[v] != '"' {
			if s[v] == '\\' {
				v++
			}
			v++
		}
		if v >= len(s) {
			return "", "", "", 0
		}
		v++
	} else {
		for v < len(s) && s[v] != ' ' && s[v] != ')' {
			v++
		}
	}
	if v == k {
		return "", "", "", 0
	}
	return sub, op, s[k:v], v
}

func isNameChar(c byte) bool {
	return c == '_' || c == '-' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
