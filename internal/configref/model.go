package configref

import (
	"cmp"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// A Section is one struct type of the configuration: a YAML mapping with
// fixed keys, wherever it appears.
type Section struct {
	// Type is the Go struct type.
	Type reflect.Type
	// ID names the section: the package-qualified type name (scim.Config),
	// which is also its key under $defs in the schema.
	ID string
	// Doc is the type's doc comment, rewritten for operators.
	Doc string
	// Paths are the YAML paths at which the section appears, map keys and
	// list elements written as <column> and [].
	Paths []string
	// Keys are the section's keys, in field order.
	Keys []*Key
	// Shape describes the other forms the section's value can take, for
	// types that decode themselves; nil for a plain mapping.
	Shape *Shape
	// at is the first of Paths as steps, for examples.
	at []step
}

// A step is one level of a YAML path: a key, a map entry (placeholder
// names the keys, sample is one) or a list element.
type step struct {
	key, placeholder, sample string
	// display, if set, is written for key in paths: <User|Group> for a
	// part of the configuration that both resources have.
	display string
	list    bool
}

// format writes steps as a YAML path: resources.User.attributes.<attribute>.
func format(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		switch {
		case s.list:
			b.WriteString("[]")
		case s.placeholder != "":
			b.WriteString(".<" + s.placeholder + ">")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(cmp.Or(s.display, s.key))
		}
	}
	if b.Len() == 0 {
		return "(top level)"
	}
	return b.String()
}

// with returns steps and s, sharing nothing with steps.
func with(steps []step, s ...step) []step {
	return append(append([]step(nil), steps...), s...)
}

// A Key is one key of a section: a struct field with a yaml tag.
type Key struct {
	// Name is the YAML key.
	Name string
	// GoName is the struct field's name.
	GoName string
	// Type is the field's Go type.
	Type reflect.Type
	// Doc is the field's doc comment, rewritten for operators.
	Doc string
	// Info is what the hand-written tables add: default, enum, map key.
	Info FieldInfo
	// Elem is the section of the struct the value holds (directly, as
	// list elements or as map values), if any.
	Elem *Section
	// Owner is the section the key belongs to.
	Owner *Section
}

// Path is the key's YAML path in its section's first place.
func (k *Key) Path() string {
	return join(cmp.Or(titles[k.Owner.Type].Prefix, k.Owner.Paths[0]), k.Name)
}

// Model is the whole configuration, as sections in the order they are met
// walking the types from the root.
type Model struct {
	Root     *Section
	Sections []*Section
	byType   map[reflect.Type]*Section
}

// Section returns the section of the struct type t, or nil.
func (m *Model) Section(t reflect.Type) *Section { return m.byType[t] }

var (
	durationType = reflect.TypeOf(time.Duration(0))
	nodeType     = reflect.TypeOf(yaml.Node{})
)

// walker builds a Model by reflection.
type walker struct {
	src *sources
	m   *Model
}

// Walk builds the model of the configuration from the Go types, reading
// their doc comments from the module's sources under root.
func Walk(root string) (*Model, error) {
	w := &walker{src: newSources(root), m: &Model{byType: map[reflect.Type]*Section{}}}
	s, err := w.section(configType, nil)
	if err != nil {
		return nil, err
	}
	w.m.Root = s
	return w.m, nil
}

// section returns the section of struct type t, met at path, walking its
// fields the first time.
func (w *walker) section(t reflect.Type, at []step) (*Section, error) {
	if s, ok := w.m.byType[t]; ok {
		// The shortest path names the section.
		if p := format(at); len(p) < len(s.Paths[0]) {
			s.Paths, s.at = append([]string{p}, s.Paths...), at
		} else {
			s.Paths = appendNew(s.Paths, p)
		}
		return s, nil
	}
	td, err := w.src.lookup(t.PkgPath(), t.Name())
	if err != nil {
		return nil, err
	}
	s := &Section{Type: t, ID: typeID(t), Paths: []string{format(at)}, Shape: shapes[t], at: at}
	w.m.byType[t] = s
	w.m.Sections = append(w.m.Sections, s)
	names := map[string]string{}
	for _, f := range yamlFields(t) {
		names[f.Name] = yamlKey(f)
	}
	s.Doc = operatorDoc(td.doc, t.Name(), names, true)
	for _, f := range yamlFields(t) {
		k := &Key{Name: yamlKey(f), GoName: f.Name, Type: f.Type, Owner: s, Info: fieldInfo[fieldKey{t, yamlKey(f)}]}
		k.Doc = operatorDoc(td.fields[f.Name], f.Name, names, false)
		s.Keys = append(s.Keys, k)
		if err := w.elem(k, with(at, step{key: k.Name, display: pathAlias[fieldKey{t, k.Name}]})); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// elem walks into the struct that key k's value holds, at path.
func (w *walker) elem(k *Key, path []step) error {
	t := valueType(k.Type)
	if at, ok := adapterConfig[fieldKey{k.Owner.Type, k.Name}]; ok {
		t = at
	}
	for {
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
			continue
		case reflect.Slice:
			t, path = valueType(t.Elem()), with(path, step{list: true})
			continue
		case reflect.Map:
			t, path = valueType(t.Elem()), with(path, step{placeholder: k.Info.mapKeyName(), sample: k.Info.Sample})
			continue
		case reflect.Struct:
			if t == durationType {
				return nil
			}
			if groupOnly[t] {
				path = onlyGroup(path)
			}
			s, err := w.section(t, path)
			k.Elem = s
			return err
		default:
			return nil
		}
	}
}

// yamlFields lists the exported fields of struct t that have a yaml key.
func yamlFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && yamlKey(f) != "" && yamlKey(f) != "-" {
			out = append(out, f)
		}
	}
	return out
}

func yamlKey(f reflect.StructField) string {
	return strings.Split(f.Tag.Get("yaml"), ",")[0]
}

func valueType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// typeID is the package-qualified name of t: scim.Config.
func typeID(t reflect.Type) string {
	pkg := t.PkgPath()
	return pkg[strings.LastIndex(pkg, "/")+1:] + "." + t.Name()
}

func join(path, key string) string {
	if path == "" || path == "(top level)" {
		return key
	}
	return path + "." + key
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// operatorDoc rewrites a Go doc comment for the configuration's reader:
// the leading Go name of a type ("TokenConfig is one named ...") is
// dropped, Go field names become their YAML keys (`maxFailures`), and
// named Go constants become their values.
func operatorDoc(text, goName string, yamlNames map[string]string, isType bool) string {
	text = strings.Join(strings.Fields(text), " ")
	if isType {
		for _, lead := range []string{goName + " is ", goName + " are ", goName + " "} {
			if rest, ok := strings.CutPrefix(text, lead); ok {
				text = strings.ToUpper(rest[:1]) + rest[1:]
				break
			}
		}
	}
	return replaceWords(text, func(w, before string) (string, bool) {
		v, isConst := constants()[w]
		afterDefault := strings.HasSuffix(strings.ToLower(before), "default ")
		if y, ok := yamlNames[w]; ok && y != w && !(isConst && afterDefault) && (before == "" || !plainWord(w) || !sentenceStart(before)) {
			return "`" + y + "`", true
		}
		if isConst {
			return "`" + render(v) + "`", true
		}
		return "", false
	})
}

// plainWord reports whether a Go name is also an ordinary word (In, Table,
// Value): at the start of a sentence other than the first, it is taken as
// the word, not the field.
func plainWord(name string) bool {
	return len(name) > 1 && strings.ToLower(name[1:]) == name[1:]
}

func sentenceStart(before string) bool {
	t := strings.TrimRight(before, " ")
	return t == "" || strings.HasSuffix(t, ".") || strings.HasSuffix(t, ":") || strings.HasSuffix(t, ";")
}

// replaceWords replaces each whole word of text for which repl, given the
// word and the text before it, says so.
func replaceWords(text string, repl func(word, before string) (string, bool)) string {
	var b strings.Builder
	isWord := func(r byte) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	for i := 0; i < len(text); {
		if !isWord(text[i]) {
			b.WriteByte(text[i])
			i++
			continue
		}
		j := i
		for j < len(text) && isWord(text[j]) {
			j++
		}
		w := text[i:j]
		// Qualified names (mysql.Config) and code in backquotes stay.
		if r, ok := repl(w, text[:i]); ok && (i == 0 || text[i-1] != '.' && text[i-1] != '`') && (j == len(text) || text[j] != '`') {
			b.WriteString(r)
		} else {
			b.WriteString(w)
		}
		i = j
	}
	return b.String()
}

// onlyGroup rewrites a path under resources.<User|Group> as one under
// resources.Group.
func onlyGroup(path []step) []step {
	out := with(path)
	for i, s := range out {
		if s.display != "" {
			out[i] = step{key: "Group"}
		}
	}
	return out
}
