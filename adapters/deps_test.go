package adapters_test

// This file guards the architecture of the module rather than the behaviour
// of package adapters: it asks the go tool for the (non-test) dependency graph
// of each of our packages and fails when an import points the wrong way. It
// lives here because adapters is the innermost package and every build of the
// module compiles it; it uses only the standard library and the go command.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// module is the module path of this repository (checked against go list -m).
const module = "github.com/scimbridge/scimbridge"

// goPackage is the part of `go list -json` that these tests read.
type goPackage struct {
	ImportPath string
	Name       string
	Doc        string
	Standard   bool
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Error      *struct{ Err string }
}

// goList runs `go list -json=<fields> args...` with extra environment
// variables and decodes the stream of packages it prints.
func goList(t *testing.T, env []string, args ...string) []goPackage {
	t.Helper()
	full := append([]string{"list", "-json=ImportPath,Name,Doc,Standard,GoFiles,CgoFiles,Imports,Error"}, args...)
	cmd := exec.Command(goTool(t), full...)
	cmd.Env = append(listEnv(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(full, " "), err, stderr.String())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go %s: decoding output: %v", strings.Join(full, " "), err)
		}
		if p.Error != nil {
			t.Fatalf("go %s: package %s: %s", strings.Join(full, " "), p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// under reports whether import path p is prefix itself or inside it.
func under(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// chain returns the shortest import chain from root to target, for messages.
func chain(graph map[string][]string, root, target string) []string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == target {
			var path []string
			for p := target; p != ""; p = prev[p] {
				path = append([]string{p}, path...)
			}
			return path
		}
		for _, next := range graph[cur] {
			if _, seen := prev[next]; !seen {
				prev[next] = cur
				queue = append(queue, next)
			}
		}
	}
	return nil
}

// forbidden is one banned dependency of a package: any import path under
// prefix (or, with nonStd, any package outside the standard library).
type forbidden struct {
	prefix string
	nonStd bool
	why    string
}

func TestImportDirection(t *testing.T) {
	if got := strings.TrimSpace(string(mustGo(t, "list", "-m"))); got != module {
		t.Fatalf("go list -m = %q, want %q: update the module constant of this test", got, module)
	}

	const (
		gin       = "github.com/gin-gonic"
		sqlx      = "github.com/jmoiron/sqlx"
		sqlDriver = "github.com/go-sql-driver/mysql"
		prom      = "github.com/prometheus"
		dolthub   = "github.com/dolthub"
	)
	rules := []struct {
		pkg    string // relative to the module
		banned []forbidden
	}{
		{"adapters", []forbidden{
			{nonStd: true, why: "the storage port imports only the standard library, so that every layer can depend on it"},
		}},
		{"mapping", []forbidden{
			{prefix: gin, why: "mapping knows nothing of HTTP; only scim serves requests"},
			{prefix: sqlx, why: "mapping talks to storage through the adapters port only"},
			{prefix: sqlDriver, why: "mapping talks to storage through the adapters port only"},
			{prefix: prom, why: "metrics belong to the scim and cli layers"},
			{prefix: module + "/scim", why: "scim depends on mapping, never the reverse"},
			{prefix: module + "/adapters/mysql", why: "mapping programs against the adapters port; a second storage backend must need no change here"},
		}},
		{"adapters/mysql", []forbidden{
			{prefix: gin, why: "the MySQL adapter knows nothing of HTTP"},
			{prefix: module + "/mapping", why: "the adapter implements the adapters port and must not depend on the mapping layer above it"},
			{prefix: module + "/scim", why: "the adapter must not depend on the HTTP layer above it"},
		}},
		{"scim", []forbidden{
			{prefix: module + "/adapters/mysql", why: "scim programs against the adapters port; only cmd/scimbridge/cli picks the MySQL implementation"},
			{prefix: sqlDriver, why: "scim must not reach the database driver directly"},
		}},
		{"adapters/instrument", []forbidden{
			{prefix: gin, why: "the store decorator knows nothing of HTTP"},
			{prefix: module + "/scim", why: "the store decorator sits below the HTTP layer"},
			{prefix: module + "/adapters/mysql", why: "the store decorator wraps any adapters.Store, not one implementation"},
		}},
		{"cmd/scimbridge", []forbidden{
			{prefix: dolthub, why: "the embedded test engine (go-mysql-server) must never be linked into the production binary"},
		}},
	}

	for _, r := range rules {
		root := module + "/" + r.pkg
		t.Run(r.pkg, func(t *testing.T) {
			// The production binary is built with CGO_ENABLED=0 and the race
			// tests with cgo on: check the union of both file sets.
			graph := map[string][]string{}
			std := map[string]bool{}
			for _, cgo := range []string{"0", "1"} {
				for _, p := range goList(t, []string{"CGO_ENABLED=" + cgo}, "-deps", root) {
					graph[p.ImportPath] = p.Imports
					std[p.ImportPath] = p.Standard
				}
			}
			if _, ok := graph[root]; !ok {
				t.Fatalf("go list -deps %s did not list the package itself", root)
			}
			deps := make([]string, 0, len(graph))
			for p := range graph {
				if p != root {
					deps = append(deps, p)
				}
			}
			sort.Strings(deps)
			for _, b := range r.banned {
				// Name the offender closest to root: it is where the
				// wrong import enters the graph.
				var worst []string
				var offenders []string
				for _, p := range deps {
					if (b.nonStd && !std[p]) || (b.prefix != "" && under(p, b.prefix)) {
						offenders = append(offenders, p)
						if c := chain(graph, root, p); worst == nil || len(c) < len(worst) {
							worst = c
						}
					}
				}
				if len(offenders) == 0 {
					continue
				}
				more := ""
				if len(offenders) > 1 {
					more = fmt.Sprintf(" (and %d more packages under the same rule)", len(offenders)-1)
				}
				t.Errorf("%s must not depend on %s%s: %s\n\timport chain: %s",
					r.pkg, worst[len(worst)-1], more, b.why, strings.Join(worst, " -> "))
			}
		})
	}
}

func TestPackageDocs(t *testing.T) {
	pkgs := goList(t, nil, module+"/...")
	seen := map[string]bool{}
	for _, p := range pkgs {
		if len(p.GoFiles)+len(p.CgoFiles) == 0 {
			continue // only _test.go files: not a package of the build
		}
		seen[p.ImportPath] = true
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("package %s (%s) has no package doc comment: add a doc.go starting %q", p.ImportPath, p.Name, docStart(p))
		}
	}
	for _, must := range []string{module + "/cmd/scimbridge", module + "/adapters"} {
		if !seen[must] {
			t.Errorf("go list %s/... did not list %s", module, must)
		}
	}
}

func docStart(p goPackage) string {
	if p.Name == "main" {
		name := p.ImportPath[strings.LastIndex(p.ImportPath, "/")+1:]
		return "// Command " + name + " ..."
	}
	return "// Package " + p.Name + " ..."
}

// goTool finds the go command; go test puts its own GOROOT/bin first on PATH.
func goTool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to inspect the import graph: %v", err)
	}
	return path
}

// mustGo runs the go command and returns its standard output.
func mustGo(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(goTool(t), args...)
	cmd.Env = listEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// listEnv is the test's environment without build flags meant for the test
// run itself: CI runs the tests with GOFLAGS=-race, which go list refuses
// with CGO_ENABLED=0.
func listEnv() []string {
	env := os.Environ()
	for i, kv := range env {
		if strings.HasPrefix(kv, "GOFLAGS=") {
			var keep []string
			for _, f := range strings.Fields(strings.TrimPrefix(kv, "GOFLAGS=")) {
				if f != "-race" && !strings.HasPrefix(f, "-count") {
					keep = append(keep, f)
				}
			}
			env[i] = "GOFLAGS=" + strings.Join(keep, " ")
		}
	}
	return env
}

// adapterImport is the import path of the MySQL adapter.
const adapterImport = module + "/adapters/mysql"

// constructors are the files outside adapters/mysql that may import it:
// where a program constructs the adapter. Everything else reaches storage
// through the adapters port and its named capabilities.
var constructors = map[string]string{
	"cmd/scimbridge/cli/adapters.go": "adapterTypes: database.type to the adapter's config",
	"cmd/scimbridge/cli/init.go":     "init opens a MySQL DSN given on the command line",
	"cmd/scimbench/main.go":          "the benchmark opens its own MySQL database",
}

// TestAdapterConstructedOnlyInCommands checks that, outside the adapter
// itself and its tests, only the files that construct the MySQL adapter
// import it, and that no package under internal/ depends on a command
// (configref's tests give it the command's configuration type).
func TestAdapterConstructedOnlyInCommands(t *testing.T) {
	root := strings.TrimSpace(string(mustGo(t, "list", "-m", "-f", "{{.Dir}}")))
	cmd := exec.Command(goTool(t), "list", "-json=ImportPath,Dir,GoFiles,CgoFiles,Deps", module+"/...")
	cmd.Env = listEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath, Dir   string
			GoFiles, CgoFiles []string
			Deps              []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if under(p.ImportPath, adapterImport) {
			continue
		}
		for _, f := range append(p.GoFiles, p.CgoFiles...) {
			file := filepath.Join(p.Dir, f)
			parsed, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				name, _ := filepath.Rel(root, file)
				name = filepath.ToSlash(name)
				if path == adapterImport && constructors[name] == "" {
					t.Errorf("%s imports %s: only where the adapter is constructed (%s) may; use the adapters port and its capabilities", name, adapterImport, strings.Join(sortedKeys(constructors), ", "))
				}
			}
		}
		if under(rel, "internal") {
			for _, d := range p.Deps {
				if under(d, module+"/cmd") {
					t.Errorf("%s depends on %s: nothing under internal/ may depend on a command", rel, d)
					break
				}
			}
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// backendTypeNames are MySQL type names that the mapping layer must not
// decide by: it checks a column's neutral ColumnInfo.Kind and the fields
// after it, which each adapter fills from its own type names. (SCIM's own
// type names, such as "integer" and "dateTime", are not in the list.)
var backendTypeNames = strings.Fields("tinyint smallint mediumint int bigint decimal float double bit " +
	"datetime timestamp date char varchar tinytext text mediumtext longtext enum set " +
	"binary varbinary tinyblob blob mediumblob longblob")

// TestMappingNamesNoBackendTypes keeps the mapping layer free of MySQL:
// no string literal in its (non-test) code is a MySQL type name, a
// collation suffix or a character set, so a second backend needs no
// change there.
func TestMappingNamesNoBackendTypes(t *testing.T) {
	root := strings.TrimSpace(string(mustGo(t, "list", "-m", "-f", "{{.Dir}}")))
	files, err := filepath.Glob(filepath.Join(root, "mapping", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in mapping: %v", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		parsed, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(parsed, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if slices.Contains(backendTypeNames, s) || strings.HasSuffix(s, "_ci") || strings.Contains(s, "utf8mb4") {
				pos := fset.Position(lit.Pos())
				name, _ := filepath.Rel(root, pos.Filename)
				t.Errorf("%s:%d: %q is a MySQL type name; mapping decides by adapters.ColumnInfo.Kind and its neutral fields, filled by the adapter's Describe", filepath.ToSlash(name), pos.Line, s)
			}
			return true
		})
	}
}
