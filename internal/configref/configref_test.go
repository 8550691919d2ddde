package configref

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

var update = flag.Bool("update", false, "rewrite docs/config-reference.md and docs/scimbridge.schema.json")

const hint = "go test ./internal/configref -run 'TestReference|TestSchema' -update"

func root(t *testing.T) string {
	t.Helper()
	r, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func generate(t *testing.T) (ref, schema []byte) {
	t.Helper()
	ref, schema, err := Generate(root(t))
	if err != nil {
		t.Fatal(err)
	}
	return ref, schema
}

// checkGenerated compares a generated file with the one checked in, or
// writes it with -update.
func checkGenerated(t *testing.T, rel string, got []byte) {
	t.Helper()
	path := filepath.Join(root(t), rel)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; generate it with: %s", err, hint)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date (the config types, their docs or the example configs changed); regenerate it with:\n  %s\nfirst difference: %s", rel, hint, firstDiff(want, got))
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  checked in: %q\n  generated:  %q", i+1, x, y)
		}
	}
	return "none"
}

func TestReference(t *testing.T) {
	ref, _ := generate(t)
	checkGenerated(t, ReferencePath, ref)
}

func TestSchema(t *testing.T) {
	_, schema := generate(t)
	checkGenerated(t, SchemaPath, schema)
}

// parserKeys lists every key the parser accepts, as "Type.key", walking the
// config types by reflection on its own, as cli's strictKeys does: struct
// fields with yaml tags, through pointers, maps and slices, and the
// database adapter's config under database.config.
func parserKeys() map[reflect.Type][]string {
	out := map[reflect.Type][]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeOf(yaml.Node{}) || t.PkgPath() == "time" {
			return
		}
		if _, seen := out[t]; seen {
			return
		}
		out[t] = []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if !f.IsExported() || tag == "" || tag == "-" {
				continue
			}
			out[t] = append(out[t], tag)
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(cli.Config{}))
	walk(reflect.TypeOf(mysql.Config{})) // database.config for type: mysql
	return out
}

// TestEveryKeyDocumented checks that every key the parser accepts has an
// entry in the reference, with a description, and a property in the
// schema; and that no entry documents a key the parser does not accept.
func TestEveryKeyDocumented(t *testing.T) {
	ref, schema := generate(t)
	m, err := Walk(root(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
			AnyOf      []struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"anyOf"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	keys := parserKeys()
	for typ, names := range keys {
		s := m.Section(typ)
		if s == nil {
			t.Errorf("%s: not in the reference", typ)
			continue
		}
		def := doc.Defs[s.ID]
		props := def.Properties
		for _, a := range def.AnyOf {
			if a.Properties != nil {
				props = a.Properties
			}
		}
		for _, name := range names {
			n++
			k := findKey(s, name)
			if k == nil {
				t.Errorf("%s.%s: accepted by the parser, missing from the reference", s.ID, name)
				continue
			}
			if !bytes.Contains(ref, []byte(fmt.Sprintf("<a id=%q></a>\n\n### `%s`", keyAnchor(k), k.Path()))) {
				t.Errorf("%s: no entry in %s", k.Path(), ReferencePath)
			}
			if strings.TrimSpace(k.Doc) == "" {
				t.Errorf("%s: no description (doc comment of %s.%s)", k.Path(), s.ID, k.GoName)
			}
			if _, ok := props[name]; !ok {
				t.Errorf("%s: no property in the schema's %s", k.Path(), s.ID)
			}
		}
		if len(s.Keys) != len(names) {
			t.Errorf("%s: the reference has %d keys, the parser accepts %d", s.ID, len(s.Keys), len(names))
		}
	}
	if len(m.Sections) != len(keys) {
		t.Errorf("the reference has %d sections, the parser knows %d struct types", len(m.Sections), len(keys))
	}
	if n < 100 {
		t.Errorf("only %d keys found; the walk is broken", n)
	}
	for fk := range fieldInfo {
		if m.Section(fk.t) == nil || findKey(m.Section(fk.t), fk.key) == nil {
			t.Errorf("the tables describe %s.%s, which is not a key", fk.t, fk.key)
		}
	}
}

func findKey(s *Section, name string) *Key {
	for _, k := range s.Keys {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// TestEveryValueKeyHasExample checks that each key whose value is not a
// section of its own (a scalar, a list or mapping of scalars, or a type
// with several forms) has an example in the reference.
func TestEveryValueKeyHasExample(t *testing.T) {
	r := root(t)
	m, err := Walk(r)
	if err != nil {
		t.Fatal(err)
	}
	files, err := ExampleFiles(r)
	if err != nil {
		t.Fatal(err)
	}
	found, err := harvest(r, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Sections {
		for _, k := range s.Keys {
			if k.Elem != nil && k.Elem.Shape == nil {
				continue
			}
			ex, err := exampleOf(k, found)
			if err != nil {
				t.Error(err)
				continue
			}
			if ex == "" {
				t.Errorf("%s: no example; give one in fieldInfo (shapes.go)", k.Path())
				continue
			}
			// The example must be valid YAML naming the key.
			var v any
			if err := yaml.Unmarshal([]byte(ex), &v); err != nil {
				t.Errorf("%s: example does not parse: %v\n%s", k.Path(), err, ex)
			}
			if !strings.Contains(ex, k.Name+":") {
				t.Errorf("%s: example does not set it:\n%s", k.Path(), ex)
			}
		}
	}
}

// TestDefaultsMatchCode checks the documented defaults of the keys whose
// defaults the parser fills in against a parsed configuration that leaves
// them out.
func TestDefaultsMatchCode(t *testing.T) {
	cfg, err := cli.ParseConfig([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Walk(root(t))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	var visit func(v reflect.Value, s *Section)
	visit = func(v reflect.Value, s *Section) {
		for _, k := range s.Keys {
			f := v.FieldByName(k.GoName)
			if k.Elem != nil && f.Kind() == reflect.Struct && f.Type() == k.Elem.Type {
				visit(f, k.Elem)
			}
			if k.Info.Default == nil {
				continue
			}
			checked++
			want := reflect.ValueOf(k.Info.Default)
			if !want.CanConvert(f.Type()) || !reflect.DeepEqual(want.Convert(f.Type()).Interface(), f.Interface()) {
				t.Errorf("%s: documented default %v, the parsed config has %v", k.Path(), k.Info.Default, f.Interface())
			}
		}
	}
	v := reflect.ValueOf(*cfg)
	for _, name := range []string{"Server", "Telemetry", "Audit"} {
		k := findKey(m.Root, strings.ToLower(name))
		visit(v.FieldByName(name), k.Elem)
	}
	if checked < 10 {
		t.Errorf("only %d defaults checked", checked)
	}
}

// minimal is the smallest configuration the parser accepts.
const minimal = `server:
  tokens: [{name: okta, sha256: 3690a4a2ed3b26b46a696e9ab873a300d9da3ae56bc84352e2bf724885c91dfd}]
database:
  type: mysql
  config: {host: db, user: u, database: app}
resources:
  User:
    table: users
    attributes: {userName: login}
`

// compileSchema compiles the generated schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	_, schema := generate(t)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return s
}

// instance reads a YAML document as the JSON value editors validate.
func instance(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonable turns YAML's map[any]any (non-string keys) into JSON objects.
func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonable(e)
		}
		return v
	case map[any]any:
		out := map[string]any{}
		for k, e := range v {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		for i, e := range v {
			v[i] = jsonable(e)
		}
		return v
	default:
		return v
	}
}

// TestExampleConfigsValidate checks that every configuration shipped with
// scimbridge is accepted by both the parser and the schema.
func TestExampleConfigsValidate(t *testing.T) {
	r := root(t)
	sch := compileSchema(t)
	files, err := ExampleFiles(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("only %d example configs found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(r, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.ParseConfig(data); err != nil {
			t.Errorf("%s: the parser refuses it: %v", f, err)
		}
		if err := sch.Validate(instance(t, data)); err != nil {
			t.Errorf("%s: the schema refuses it: %v", f, err)
		}
	}
}

// testdataDir holds the configs the cli package's tests refuse.
const testdataDir = "cmd/scimbridge/cli/testdata"

// schemaRefused are the testdata configs whose problems are of shape or
// type, which the schema must refuse too. The others are refused only
// once the mapping meets the database (a missing column, a NOT NULL
// column nothing writes) or for values the schema cannot know (an
// environment variable that is not set), so the schema accepts them.
var schemaRefused = []string{
	"invalid-unknown-keys.yaml",
	"invalid-types.yaml",
	"invalid-key-typo.yaml",
}

func TestInvalidConfigsRefused(t *testing.T) {
	r := root(t)
	sch := compileSchema(t)
	for _, f := range schemaRefused {
		data, err := os.ReadFile(filepath.Join(r, testdataDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(instance(t, data)); err == nil {
			t.Errorf("%s: the schema accepts it", f)
		}
	}
}

// TestSchemaFlagsOnlyWhatScimbridgeRefuses validates every testdata
// config and checks that each place the schema objects to is the path, or
// a parent or child of the path, of a problem scimbridge itself reports
// for the file (its .err, which the cli tests pin): the schema never
// flags a config scimbridge would run.
func TestSchemaFlagsOnlyWhatScimbridgeRefuses(t *testing.T) {
	r := root(t)
	sch := compileSchema(t)
	files, err := filepath.Glob(filepath.Join(r, testdataDir, "*.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("testdata configs: %d, %v", len(files), err)
	}
	flagged := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if yaml.Unmarshal(data, &v) != nil {
			continue // not YAML: no editor validates it either
		}
		errText, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".err")
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		problems := problemPaths(string(errText))
		var ve *jsonschema.ValidationError
		if err := sch.Validate(instance(t, data)); !errors.As(err, &ve) {
			continue
		}
		flagged++
		for _, loc := range leafLocations(ve) {
			if !slices.ContainsFunc(problems, func(p string) bool { return related(loc, p) }) {
				t.Errorf("%s: the schema flags %q, which scimbridge does not report (it reports %v)", filepath.Base(f), loc, problems)
			}
		}
	}
	if flagged < len(schemaRefused) {
		t.Errorf("the schema flags only %d testdata configs", flagged)
	}
}

var problemRE = regexp.MustCompile(`^  [^:]+\.yaml:\d+:\d+: (.*?): `)

// problemPaths extracts the YAML paths of the problems in an .err file,
// written as dotted paths: attributes["name.givenName"] and tokens[0]
// become attributes.name.givenName and tokens.0.
func problemPaths(errText string) []string {
	var out []string
	for _, line := range strings.Split(errText, "\n") {
		m := problemRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		p := regexp.MustCompile(`\["([^"]*)"\]|\[(\d+)\]`).ReplaceAllString(m[1], ".$1$2")
		out = append(out, p)
	}
	return out
}

// leafLocations lists where the innermost errors of a validation error
// are, as dotted paths.
func leafLocations(e *jsonschema.ValidationError) []string {
	if len(e.Causes) == 0 {
		return []string{strings.Join(e.InstanceLocation, ".")}
	}
	var out []string
	for _, c := range e.Causes {
		out = append(out, leafLocations(c)...)
	}
	return out
}

// related reports whether two dotted paths are equal or one is within the
// other.
func related(a, b string) bool {
	return a == b || a == "" || strings.HasPrefix(b, a+".") || strings.HasPrefix(a, b+".")
}

// TestSchemaRefusesUnknownKeys adds an unknown key to every mapping of
// config.example.yaml in turn: the parser and the schema must both refuse
// each result, so that no level of the schema lets a misspelt key through.
func TestSchemaRefusesUnknownKeys(t *testing.T) {
	r := root(t)
	sch := compileSchema(t)
	data, err := os.ReadFile(filepath.Join(r, "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var mappings []*yaml.Node
	var find func(n *yaml.Node, t reflect.Type)
	find = func(n *yaml.Node, t reflect.Type) {
		t = valueType(t)
		switch {
		case t.Kind() == reflect.Struct && t != durationType && n.Kind == yaml.MappingNode:
			mappings = append(mappings, n)
			fields := map[string]reflect.Type{}
			for _, f := range yamlFields(t) {
				fields[yamlKey(f)] = f.Type
				if at, ok := adapterConfig[fieldKey{t, yamlKey(f)}]; ok {
					fields[yamlKey(f)] = at
				}
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if ft, ok := fields[n.Content[i].Value]; ok {
					find(n.Content[i+1], ft)
				}
			}
		case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				find(n.Content[i], t.Elem())
			}
		case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
			for _, e := range n.Content {
				find(e, t.Elem())
			}
		}
	}
	find(doc.Content[0], configType)
	if len(mappings) < 20 {
		t.Fatalf("only %d mappings found", len(mappings))
	}
	for i, n := range mappings {
		bogus := []*yaml.Node{{Kind: yaml.ScalarNode, Value: "bogusKey"}, {Kind: yaml.ScalarNode, Value: "1"}}
		n.Content = append(n.Content, bogus...)
		out, err := yaml.Marshal(&doc)
		n.Content = n.Content[:len(n.Content)-2]
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.ParseConfig(out); err == nil || !strings.Contains(err.Error(), `unknown key "bogusKey"`) {
			t.Errorf("mapping %d (line %d): the parser does not refuse bogusKey: %v", i, n.Line, err)
		}
		if err := sch.Validate(instance(t, out)); err == nil {
			t.Errorf("mapping %d (line %d): the schema accepts bogusKey", i, n.Line)
		}
	}
}

// TestSchemaRefusesWrongTypes gives keys of config.example.yaml values of
// the wrong type: both the parser and the schema must refuse them.
func TestSchemaRefusesWrongTypes(t *testing.T) {
	sch := compileSchema(t)
	for _, c := range []struct{ name, from, to string }{
		{"integer as word", "maxPageSize: 1000", "maxPageSize: lots"},
		{"duration as number", "requestTimeout: 30s", "requestTimeout: 30"},
		{"secret as string", "token: {fromEnv: SCIMBRIDGE_OKTA_TOKEN}", "token: SCIMBRIDGE_OKTA_TOKEN"},
		{"mapping as list", "trustedProxies: [10.0.0.0/8]", "trustedProxies: {a: 10.0.0.0/8}"},
		{"boolean as word", "    port: 3306", "    port: [3306]"},
		{"two secret sources", "password: {fromEnv: SCIMBRIDGE_DB_PASSWORD}", "password: {fromEnv: A, value: b}"},
		{"unknown log format", "format: json", "format: yaml"},
	} {
		data, err := os.ReadFile(filepath.Join(root(t), "config.example.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(c.from)) {
			t.Fatalf("%s: config.example.yaml has no %q", c.name, c.from)
		}
		bad := bytes.Replace(data, []byte(c.from), []byte(c.to), 1)
		if _, err := cli.ParseConfig(bad); err == nil {
			t.Errorf("%s: the parser accepts %q", c.name, c.to)
		}
		if err := sch.Validate(instance(t, bad)); err == nil {
			t.Errorf("%s: the schema accepts %q", c.name, c.to)
		}
	}
}
