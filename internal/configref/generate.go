package configref

import (
	"os"
	"path/filepath"
)

// Output paths, relative to the module root.
const (
	ReferencePath = "docs/config-reference.md"
	SchemaPath    = "docs/scimbridge.schema.json"
)

// Generate builds the reference and the schema from the Go types and the
// sources under root, the module's root directory.
func Generate(root string) (reference, schema []byte, err error) {
	m, err := Walk(root)
	if err != nil {
		return nil, nil, err
	}
	files, err := ExampleFiles(root)
	if err != nil {
		return nil, nil, err
	}
	found, err := harvest(root, files)
	if err != nil {
		return nil, nil, err
	}
	ref, err := m.Reference(found)
	if err != nil {
		return nil, nil, err
	}
	sch, err := m.Schema()
	if err != nil {
		return nil, nil, err
	}
	return []byte(ref), sch, nil
}

// ModuleRoot returns the directory holding go.mod, dir or one of its
// parents.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
