package configref

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// SchemaID is the $id of the generated schema: where it is published.
const SchemaID = "https://github.com/scimbridge/scimbridge/raw/main/docs/scimbridge.schema.json"

// durationPattern matches what time.ParseDuration accepts, without a
// sign: a negative duration is refused anyway, and a bare 0 is not a YAML
// string.
const durationPattern = `^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`

// Schema returns the model as a JSON Schema (draft 2020-12): one $defs
// entry per section, with additionalProperties false everywhere, as the
// parser refuses unknown keys.
func (m *Model) Schema() ([]byte, error) {
	defs := map[string]any{}
	for _, s := range m.Sections {
		defs[s.ID] = m.sectionSchema(s)
	}
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         SchemaID,
		"title":       "scimbridge configuration",
		"description": "The configuration file of scimbridge (scimbridge.yaml). Generated from the Go types by internal/configref; docs/config-reference.md explains every key.",
		"$ref":        ref(m.Root),
		"$defs":       defs,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func ref(s *Section) string { return "#/$defs/" + s.ID }

// sectionSchema is the schema of one section: its mapping form, and the
// scalar form of a shape if it has one.
func (m *Model) sectionSchema(s *Section) map[string]any {
	props := map[string]any{}
	var required []string
	for _, k := range s.Keys {
		props[k.Name] = m.keySchema(k)
		if k.Info.Required {
			required = append(required, k.Name)
		}
	}
	obj := map[string]any{
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if len(required) > 0 {
		obj["required"] = required
	}
	if oneOf, ok := extraRules[s.Type]; ok {
		obj["oneOf"] = oneOf
	}
	desc := s.Doc
	if s.Shape != nil {
		desc = plainText(s.Shape.Summary)
		if s.Shape.OneKey {
			obj["maxProperties"] = 1
		}
		if s.Shape.Scalar != nil {
			return map[string]any{"description": desc, "anyOf": []any{s.Shape.Scalar, obj}}
		}
	}
	obj["description"] = desc
	return obj
}

// keySchema is the schema of key k's value.
func (m *Model) keySchema(k *Key) map[string]any {
	t := k.Type
	if at, ok := adapterConfig[fieldKey{k.Owner.Type, k.Name}]; ok {
		t = at
	}
	s := m.typeSchema(t, k)
	s["description"] = plainText(k.Doc)
	if k.Info.Default != nil {
		s["default"] = jsonDefault(k.Info.Default)
	}
	return s
}

// typeSchema is the schema of a value of type t, the value of key k.
func (m *Model) typeSchema(t reflect.Type, k *Key) map[string]any {
	t = valueType(t)
	if t == durationType {
		return map[string]any{"type": "string", "pattern": durationPattern}
	}
	switch t.Kind() {
	case reflect.Struct:
		return map[string]any{"$ref": ref(m.byType[t])}
	case reflect.Map:
		elem := m.typeSchema(t.Elem(), k)
		if t.Elem().Kind() == reflect.String {
			// Map values are decoded into strings from any scalar.
			elem = map[string]any{"type": scalarTypes}
		}
		return map[string]any{"type": "object", "additionalProperties": elem}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": m.typeSchema(t.Elem(), k)}
	case reflect.String:
		s := map[string]any{"type": "string"}
		if len(k.Info.Enum) > 0 {
			s["enum"] = k.Info.Enum
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Interface:
		return map[string]any{"type": append(scalarTypes, "null")}
	default:
		return map[string]any{}
	}
}

// jsonDefault is a default value as JSON has it: durations as strings.
func jsonDefault(v any) any {
	if reflect.TypeOf(v) == durationType {
		return render(v)
	}
	return v
}

// plainText drops Markdown code quotes, for editors' hover text.
func plainText(md string) string { return strings.ReplaceAll(md, "`", "") }
