package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSyntaxProblems checks that YAML syntax errors come out with the
// line that is wrong (not the start of the enclosing block, which yaml.v3
// names), its column when known, and the keys it is under.
func TestSyntaxProblems(t *testing.T) {
	for _, c := range []struct {
		name, doc, want string
	}{
		{"dedent matches no key",
			"resources:\n  User:\n    table: users\n    attributes:\n      userName: login\n     active: status\n",
			`f.yaml:6:6: "active" starts at column 6, in line with no key above it; expected column 7 (the keys of resources.User.attributes), 5 (the keys of resources.User), 3 (the keys of resources) or 1 (the top level)`},
		{"nested under a value",
			"server:\n  listen: :8080\n    basePath: /scim\n",
			"f.yaml:3:5: this line is indented under server.listen, which has a value on its own line; expected it in line with the keys of server (column 3)"},
		{"list entry out of line",
			"server:\n  tokens:\n    - name: a\n   - name: b\n",
			"f.yaml:4:4: this line starts at column 4, in line with no key above it; expected column 5 (the keys of server.tokens), 3 (the keys of server) or 1 (the top level)"},
		{"tab",
			"server:\n\tlisten: :8080\n",
			"f.yaml:2: the line is indented with a tab; YAML indents with spaces only"},
		{"unclosed flow mapping",
			"server:\n  tokens:\n    - {name: a, token: {value: b}\n",
			"f.yaml:3: a { or [ that is never closed; did not find expected ',' or '}' (under server.tokens)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parseConfig("f.yaml", []byte(c.doc))
			if cfg != nil || err == nil {
				t.Fatalf("parsed: %v", err)
			}
			got := strings.TrimPrefix(err.Error(), "invalid configuration:\n  ")
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestSyntaxValidDocuments checks that the indentation scan finds nothing
// wrong in valid documents: every shipped config passes it.
func TestSyntaxValidDocuments(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(exampleRoot, "examples", "*", "*.yaml"))
	files = append(files, filepath.Join(exampleRoot, "config.example.yaml"), "testdata/invalid-legacy.yaml", "testdata/invalid-scope.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if p, bad := checkIndentation(strings.Split(string(data), "\n")); bad {
			t.Errorf("%s:%d:%d: valid YAML reported: %s", f, p.line, p.col, p.msg)
		}
	}
}

func TestNodeAt(t *testing.T) {
	cfg, _ := parseConfig("f.yaml", []byte("server:\n  tokens:\n    - {name: a, token: {value: b}}\nresources:\n  User:\n    attributes:\n      name.givenName: first\n")) //nolint:errcheck // problems expected
	for _, c := range []struct{ prob, want string }{
		{`resources.User.attributes["name.givenName"].column: x`, "f.yaml:7:23: "},
		{`server.tokens[0].token: x`, "f.yaml:3:17: "},
		{`server.tokens[0].token.value: x`, "f.yaml:3:32: "},
		{`server.tokens[0].nope: x`, "f.yaml:3:7: "},
		{`resources.User.defaults: x`, "f.yaml:5:3: "},
		{`database.type: x`, "f.yaml: "},
		{`line 4: x`, "f.yaml:4: "},
	} {
		got := cfg.at(c.prob)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("at(%q) = %q, want prefix %q", c.prob, got, c.want)
		}
	}
}
