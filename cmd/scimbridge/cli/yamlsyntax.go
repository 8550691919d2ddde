package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// YAML syntax errors. yaml.v3 says "yaml: line 2: did not find expected
// key", where line 2 is often the start of the enclosing mapping rather
// than the line that is wrong. syntaxProblem reads the lines itself to find
// the line whose indentation lines up with nothing above it, and names the
// key it sits under.

var syntaxLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxProblem turns a yaml.v3 parse error of data into one problem:
// position, what is wrong, and the key path it is under.
func syntaxProblem(file string, data []byte, err error) string {
	lines := strings.Split(string(data), "\n")
	if bad, ok := checkIndentation(lines); ok {
		return position(file, bad.line, bad.col) + bad.msg
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := syntaxLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if line > 0 && line <= len(lines) && strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "\t") {
		return position(file, line, 0) + "the line is indented with a tab; YAML indents with spaces only"
	}
	if strings.HasPrefix(msg, "did not find expected ',' or") {
		// The parser names the block the flow collection is in; the
		// line that leaves a bracket open is the one to look at.
		for i := max(line-1, 0); i < len(lines); i++ {
			if flowDepth(lines[i]) > 0 {
				line = i + 1
				msg = "a { or [ that is never closed; " + msg
				break
			}
		}
	}
	msg = friendlySyntax(msg)
	if line == 0 {
		return orFile(file) + msg
	}
	if under := keyPathAt(lines, line); under != "" {
		msg += " (under " + under + ")"
	}
	return position(file, line, 0) + msg
}

func orFile(file string) string {
	if file == "" {
		return ""
	}
	return file + ": "
}

// friendlySyntax rewords the parser's commonest messages.
func friendlySyntax(msg string) string {
	switch msg {
	case "mapping values are not allowed in this context":
		return "a key: value where none can be (is the line indented too far, or does a value hold an unquoted \": \"?)"
	case "did not find expected key":
		return "a line is not in line with the keys above it; check the indentation"
	case "found character that cannot start any token":
		return "a character that cannot start a value (a tab, or an unquoted @ or `); indent with spaces and quote such values"
	}
	return msg
}

// yamlLine is one meaningful line of a YAML file.
type yamlLine struct {
	num    int    // 1-based line number
	indent int    // where the key (after any "- ") starts
	dash   int    // where the "- " starts, or -1
	key    string // the key, if the line has one
	opens  bool   // the key has no value on its line: a block follows
}

var keyRE = regexp.MustCompile(`^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"{\[][^#]*?)\s*:(?:\s+|$)(.*)$`)

// parseLine reads a line's indentation, list dash and key; ok is false for
// blank lines, comments and document markers.
func parseLine(num int, s string) (yamlLine, bool) {
	trimmed := strings.TrimLeft(s, " ")
	if t := strings.TrimSpace(trimmed); t == "" || strings.HasPrefix(t, "#") || t == "---" || t == "..." {
		return yamlLine{}, false
	}
	l := yamlLine{num: num, indent: len(s) - len(trimmed), dash: -1}
	for strings.HasPrefix(trimmed, "- ") || trimmed == "-" {
		l.dash = l.indent
		rest := strings.TrimLeft(strings.TrimPrefix(trimmed, "-"), " ")
		l.indent += len(trimmed) - len(rest)
		trimmed = rest
	}
	if m := keyRE.FindStringSubmatch(trimmed); m != nil {
		l.key = strings.Trim(m[1], `"'`)
		v := strings.TrimSpace(m[2])
		l.opens = v == "" || strings.HasPrefix(v, "#")
		if strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">") {
			l.opens = true // a block scalar; its lines are skipped
		}
	}
	return l, true
}

// frame is a key (or list entry) whose block the scan is inside.
type frame struct {
	name     string // key, or "[i]" for a list entry
	indent   int
	children int  // indentation of its block's entries, -1 until seen
	opens    bool // it may have a block
	items    int  // list entries seen under it
	scalar   bool // its block is a block scalar (| or >)
}

// indentProblem is a line whose indentation cannot be right.
type indentProblem struct {
	line, col int
	msg       string
}

// checkIndentation scans block-style YAML for the first line indented to
// a column no key above it uses, or nested under a key that has a value.
func checkIndentation(lines []string) (indentProblem, bool) {
	stack := []*frame{{name: "", indent: -1, children: -1, opens: true}}
	depth := 0 // open flow brackets: lines inside flow collections are skipped
	for i, s := range lines {
		l, ok := parseLine(i+1, s)
		if !ok {
			continue
		}
		top := stack[len(stack)-1]
		if depth > 0 || (top.scalar && len(s)-len(strings.TrimLeft(s, " ")) > top.indent) {
			depth = max(0, depth+flowDepth(s))
			continue
		}
		at := l.indent
		if l.dash >= 0 {
			at = l.dash
		}
		for len(stack) > 1 && (stack[len(stack)-1].indent > at || stack[len(stack)-1].indent == at && (l.dash < 0 || stack[len(stack)-1].name[0] == '[')) {
			stack = stack[:len(stack)-1]
		}
		parent := stack[len(stack)-1]
		switch {
		case !parent.opens:
			return indentProblem{l.num, at + 1, fmt.Sprintf("this line is indented under %s, which has a value on its own line; expected it in line with %s", pathOf(stack), siblingsText(stack))}, true
		case parent.children < 0:
			parent.children = at
		case parent.children != at:
			what := "this line"
			if l.key != "" && l.dash < 0 {
				what = strconv.Quote(l.key)
			}
			return indentProblem{l.num, at + 1, fmt.Sprintf("%s starts at column %d, in line with no key above it; expected column %s", what, at+1, columnsText(stack))}, true
		}
		if l.dash >= 0 {
			item := &frame{name: fmt.Sprintf("[%d]", parent.items), indent: l.dash, children: l.indent, opens: true}
			parent.items++
			stack = append(stack, item)
			if l.key == "" {
				item.opens = false
			}
		}
		if l.key != "" {
			stack = append(stack, &frame{name: l.key, indent: l.indent, children: -1, opens: l.opens, scalar: isBlockScalar(s)})
		}
		depth = max(0, flowDepth(s))
	}
	return indentProblem{}, false
}

var blockScalarRE = regexp.MustCompile(`:\s+[|>][-+0-9]*\s*(#.*)?$`)

func isBlockScalar(s string) bool { return blockScalarRE.MatchString(s) }

// flowDepth counts the flow brackets a line leaves open, outside quotes.
func flowDepth(s string) int {
	d := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '#' && (i == 0 || s[i-1] == ' '):
			return d
		case ch == '{' || ch == '[':
			d++
		case ch == '}' || ch == ']':
			d--
		}
	}
	return d
}

// pathOf is the YAML path of the innermost frame.
func pathOf(stack []*frame) string {
	var p string
	for _, f := range stack[1:] {
		if f.name[0] == '[' {
			p += f.name
		} else {
			p = join(p, f.name)
		}
	}
	return orRoot(p)
}

// columnsText lists the columns the open blocks' entries start at, inner
// first: "5 (the entries of server.tokens), 3 (server) or 1 (the top level)".
func columnsText(stack []*frame) string {
	var parts []string
	for i := len(stack) - 1; i >= 0; i-- {
		if f := stack[i]; f.children >= 0 {
			what := "the keys of " + pathOf(stack[:i+1])
			if i == 0 {
				what = "the top level"
			}
			parts = append(parts, fmt.Sprintf("%d (%s)", f.children+1, what))
		}
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
	}
	return strings.Join(parts, "")
}

// siblingsText names the keys a line nested under a scalar should line
// up with.
func siblingsText(stack []*frame) string {
	return "the keys of " + pathOf(stack[:len(stack)-1]) + " (column " + strconv.Itoa(stack[len(stack)-1].indent+1) + ")"
}

// keyPathAt is the path of the keys line (1-based) is under, by
// indentation, or "".
func keyPathAt(lines []string, line int) string {
	stack := []*frame{{indent: -1}}
	for i := 0; i < line-1 && i < len(lines); i++ {
		l, ok := parseLine(i+1, lines[i])
		if !ok || l.key == "" {
			continue
		}
		for len(stack) > 1 && stack[len(stack)-1].indent >= l.indent {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, &frame{name: l.key, indent: l.indent})
	}
	cur := line - 1
	if cur < len(lines) {
		if l, ok := parseLine(line, lines[cur]); ok {
			for len(stack) > 1 && stack[len(stack)-1].indent >= l.indent {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 1 {
		return ""
	}
	return pathOf(stack)
}
