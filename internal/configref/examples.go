package configref

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ExampleFiles lists the configuration files shipped with scimbridge,
// relative to the module root: config.example.yaml first, then every
// examples/*/scimbridge.yaml. Examples are taken from them in this order.
func ExampleFiles(root string) ([]string, error) {
	more, err := filepath.Glob(filepath.Join(root, "examples", "*", "scimbridge.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(more)
	out := []string{"config.example.yaml"}
	for _, m := range more {
		rel, err := filepath.Rel(root, m)
		if err != nil {
			return nil, err
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out, nil
}

// example is a value some configuration file gives a key, and where.
type example struct {
	path []step
	node *yaml.Node
}

// harvest records, for every key that the files set, the first value
// given to it.
func harvest(root string, files []string) (map[fieldKey]example, error) {
	out := map[fieldKey]example{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", f, err)
		}
		if len(doc.Content) > 0 {
			collect(doc.Content[0], configType, nil, out)
		}
	}
	return out, nil
}

// collect walks node n, decoded into type t at path, as the parser would.
func collect(n *yaml.Node, t reflect.Type, path []step, out map[fieldKey]example) {
	t = valueType(t)
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == durationType || n.Kind != yaml.MappingNode {
			return
		}
		fields := map[string]reflect.Type{}
		for _, f := range yamlFields(t) {
			fields[yamlKey(f)] = f.Type
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			ft, ok := fields[k]
			if !ok {
				continue
			}
			fk := fieldKey{t, k}
			p := with(path, step{key: k})
			if _, seen := out[fk]; !seen {
				out[fk] = example{p, v}
			}
			if at, ok := adapterConfig[fk]; ok {
				ft = at
			}
			collect(v, ft, p, out)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			collect(n.Content[i+1], t.Elem(), with(path, step{key: n.Content[i].Value}), out)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for _, e := range n.Content {
			collect(e, t.Elem(), with(path, step{list: true}), out)
		}
	default:
		// Scalars hold no keys.
	}
}

// maxFlow is the longest value written on one line in an example; longer
// mappings and lists are left to their own section.
const maxFlow = 90

// exampleOf returns a YAML document setting key k, nested in its parents,
// or "" if there is none: a value a shipped file gives, else the table's.
func exampleOf(k *Key, found map[fieldKey]example) (string, error) {
	if ex, ok := found[fieldKey{k.Owner.Type, k.Name}]; ok {
		v := plain(ex.node)
		if fits(v) {
			return nest(ex.path, v)
		}
	}
	if k.Info.Example == "" {
		return "", nil
	}
	var v yaml.Node
	if err := yaml.Unmarshal([]byte(k.Info.Example), &v); err != nil {
		return "", fmt.Errorf("%s: example %q: %w", k.Path(), k.Info.Example, err)
	}
	path := with(k.Owner.at, step{key: k.Name})
	for i, s := range path {
		if s.placeholder != "" {
			path[i] = step{key: s.sample}
		}
	}
	return nest(path, plain(v.Content[0]))
}

// plain copies n without comments, anchors or styles, mappings and lists
// of scalars written on one line.
func plain(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value}
	if n.Kind == yaml.ScalarNode {
		c.Style = n.Style &^ (yaml.FlowStyle | yaml.LiteralStyle | yaml.FoldedStyle)
	}
	for _, e := range n.Content {
		c.Content = append(c.Content, plain(e))
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		c.Style = yaml.FlowStyle
	}
	return c
}

// fits reports whether v is written on one line of at most maxFlow
// characters.
func fits(v *yaml.Node) bool {
	b, err := yaml.Marshal(v)
	return err == nil && len(b) <= maxFlow+1 && bytes.Count(b, []byte("\n")) == 1
}

// nest writes value v at path as a YAML document.
func nest(path []step, v *yaml.Node) (string, error) {
	node := v
	for i := len(path) - 1; i >= 0; i-- {
		s := path[i]
		if s.list {
			node = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{node}}
			continue
		}
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: s.key}
		node = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, node}}
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}
