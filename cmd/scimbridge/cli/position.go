package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Where a config problem is: every problem starts with the YAML path it is
// about (resources.User.attributes["name.givenName"].column), and is
// printed after the file, line and column of the node that path names, as
// compilers do: scimbridge.yaml:17:23: resources.User...: column ...

// locate puts the position of each problem's path in c's document before
// it. A problem is "path: message", or "line N: message" when only the
// line is known.
func (c *Config) locate(probs []string) []string {
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = c.at(p)
	}
	return out
}

var lineOnlyRE = regexp.MustCompile(`^line (\d+): (.*)$`)

func (c *Config) at(p string) string {
	if m := lineOnlyRE.FindStringSubmatch(p); m != nil {
		line, _ := strconv.Atoi(m[1])
		return position(c.path, line, 0) + m[2]
	}
	path, msg := splitProblem(p)
	n, key := nodeAt(c.doc, path)
	if key != nil && strings.HasPrefix(msg, "unknown key") {
		// The key is what is wrong, not its value.
		n = key
	}
	if n != nil {
		return position(c.path, n.Line, n.Column) + p
	}
	if c.path != "" {
		return c.path + ": " + p
	}
	return p
}

// position formats file:line:col: ("12:7: " without a file; the column is
// left out when unknown).
func position(file string, line, col int) string {
	s := strconv.Itoa(line)
	if col > 0 {
		s += ":" + strconv.Itoa(col)
	}
	if file != "" {
		s = file + ":" + s
	}
	return s + ": "
}

// splitProblem splits "path: message" at the first ": " outside brackets
// and quotes (attribute paths such as attributes["urn:...:User:manager"]
// hold colons).
func splitProblem(p string) (path, msg string) {
	depth, quoted := 0, false
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; {
		case quoted && ch == '\\':
			i++
		case ch == '"':
			quoted = !quoted
		case quoted:
		case ch == '[':
			depth++
		case ch == ']':
			depth--
		case ch == ':' && depth == 0 && i+1 < len(p) && p[i+1] == ' ':
			return p[:i], p[i+2:]
		}
	}
	return "", p
}

// pathSegments splits a YAML path (a.b[0]["x.y"].c) into keys and
// indexes; indexes are returned as "[0]".
func pathSegments(path string) []string {
	var segs []string
	for len(path) > 0 {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			if strings.HasPrefix(path, `["`) {
				// A quoted key: find its closing quote.
				q, err := strconv.QuotedPrefix(path[1:])
				if err != nil {
					return segs
				}
				k, _ := strconv.Unquote(q)
				segs = append(segs, k)
				path = strings.TrimPrefix(path[1+len(q):], "]")
				continue
			}
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return segs
			}
			segs = append(segs, path[:end+1])
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, path[:end])
			path = path[end:]
		}
	}
	return segs
}

// nodeAt returns the node path names in doc, or the node of its longest
// prefix that exists (a problem about a missing key points at its parent).
// A key whose value is a mapping or list is located at the key; a scalar
// at its value. Nil if not even the first key exists. When the whole path
// exists and ends in a key, key is that key's node.
func nodeAt(doc *yaml.Node, path string) (at, key *yaml.Node) {
	if doc == nil || path == "" {
		return nil, nil
	}
	n := doc
	for _, seg := range pathSegments(path) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		next, k := child(n, seg)
		if next == nil {
			return at, nil
		}
		at, key = k, k
		if next.Kind == yaml.ScalarNode || k == nil {
			at = next
		}
		n = next
	}
	return at, key
}

// child returns the value seg names in n (a key of a mapping, or "[i]" of
// a list) and, for a mapping, its key node.
func child(n *yaml.Node, seg string) (value, key *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1], n.Content[i]
			}
		}
	case yaml.SequenceNode:
		var i int
		if _, err := fmt.Sscanf(seg, "[%d]", &i); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], nil
		}
	default:
		// Scalars have no children.
	}
	return nil, nil
}
