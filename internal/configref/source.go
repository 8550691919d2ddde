package configref

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// modulePath is the import path of the module whose sources are read.
const modulePath = "github.com/scimbridge/scimbridge"

// typeDocs holds the doc comments of one package's types: the type's own,
// and each struct field's, by Go field name.
type typeDocs struct {
	doc    string
	fields map[string]string
}

// sources reads doc comments from the module's Go files, one package at a
// time, as types from the package are met.
type sources struct {
	root string
	pkgs map[string]map[string]typeDocs // import path → type name → docs
}

func newSources(root string) *sources {
	return &sources{root: root, pkgs: map[string]map[string]typeDocs{}}
}

// lookup returns the docs of the named type of the package with the given
// import path. Types outside the module have none.
func (s *sources) lookup(pkgPath, name string) (typeDocs, error) {
	if pkgPath != modulePath && !strings.HasPrefix(pkgPath, modulePath+"/") {
		return typeDocs{}, nil
	}
	types, ok := s.pkgs[pkgPath]
	if !ok {
		var err error
		if types, err = s.parse(pkgPath); err != nil {
			return typeDocs{}, err
		}
		s.pkgs[pkgPath] = types
	}
	return types[name], nil
}

// parse reads the package's non-test files with go/parser and collects
// its type and field docs with go/doc.
func (s *sources) parse(pkgPath string) (map[string]typeDocs, error) {
	dir := filepath.Join(s.root, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(pkgPath, modulePath), "/")))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the sources of %s: %w", pkgPath, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", n, err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, pkgPath, doc.PreserveAST)
	if err != nil {
		return nil, fmt.Errorf("reading the docs of %s: %w", pkgPath, err)
	}
	out := map[string]typeDocs{}
	for _, t := range p.Types {
		td := typeDocs{doc: t.Doc, fields: map[string]string{}}
		for _, spec := range t.Decl.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok || ts.Name.Name != t.Name {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			fieldDocs(st, td.fields)
		}
		out[t.Name] = td
	}
	return out, nil
}

// fieldDocs records the doc comment of each named field of st. A comment
// above a group of fields declared together (Lt, Le, Gt, Ge any) belongs
// to each of them; a field with no comment of its own takes that of the
// field above it if that comment names it, as "Lt, Le, Gt and Ge bound
// ..." does.
func fieldDocs(st *ast.StructType, out map[string]string) {
	prev := ""
	for _, f := range st.Fields.List {
		text := ""
		if f.Doc != nil {
			text = f.Doc.Text()
		} else if f.Comment != nil {
			text = f.Comment.Text()
		}
		for _, n := range f.Names {
			out[n.Name] = text
			if text == "" && mentions(prev, n.Name) {
				out[n.Name] = prev
			}
		}
		if text != "" {
			prev = text
		}
	}
}

// mentions reports whether text has name as a whole word.
func mentions(text, name string) bool {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if w == name {
			return true
		}
	}
	return false
}
