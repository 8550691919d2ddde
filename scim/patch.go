package scim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/scim/filter"
)

// PatchOpSchema is the schema URN of a PATCH request body.
const PatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// maxPatchOps bounds the operations of one PATCH request.
const maxPatchOps = 1000

// patchOp is one operation of a PATCH request, with op lower-cased (Entra
// sends "Replace").
type patchOp struct {
	Op    string
	Path  string
	Value any
}

// parsePatch reads the PatchOp message of RFC 7644 section 3.5.2.
func parsePatch(body map[string]any) ([]patchOp, error) {
	raw, ok := mapping.Get(body, "Operations")
	list, isList := raw.([]any)
	if !ok || !isList || len(list) == 0 {
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "expected a PatchOp message with a non-empty Operations array")
	}
	if len(list) > maxPatchOps {
		return nil, errorf(http.StatusRequestEntityTooLarge, "", "more than %d operations in one PATCH", maxPatchOps)
	}
	ops := make([]patchOp, 0, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: expected an object", i)
		}
		var op patchOp
		o, _ := mapping.Get(m, "op")
		s, _ := o.(string)
		op.Op = strings.ToLower(s)
		switch op.Op {
		case "add", "remove", "replace":
		default:
			return nil, errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: unknown op %q; expected add, remove or replace", i, s)
		}
		if p, ok := mapping.Get(m, "path"); ok && p != nil {
			ps, ok := p.(string)
			if !ok {
				return nil, errorf(http.StatusBadRequest, "invalidPath", "Operations[%d]: path must be a string", i)
			}
			op.Path = strings.TrimSpace(ps)
		}
		op.Value, _ = mapping.Get(m, "value")
		if op.Op == "remove" && op.Path == "" {
			return nil, errorf(http.StatusBadRequest, "noTarget", "Operations[%d]: remove needs a path", i)
		}
		if op.Op != "remove" && op.Path == "" {
			if _, ok := op.Value.(map[string]any); !ok {
				return nil, errorf(http.StatusBadRequest, "invalidValue", "Operations[%d]: without a path, value must be an object of attributes", i)
			}
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// patcher applies PATCH operations to a resource document.
type patcher struct {
	schema string // the resource's core schema URN
	// known returns the registered spelling of a schema URN of the
	// resource; nil knows only the core schema.
	known func(urn string) (string, bool)
}

// apply runs the operations in order on doc.
func (p patcher) apply(doc map[string]any, ops []patchOp) error {
	for i, op := range ops {
		if err := p.one(doc, op); err != nil {
			if e, ok := err.(*Error); ok {
				e.Detail = "Operations[" + strconv.Itoa(i) + "]: " + e.Detail
			}
			return err
		}
	}
	return nil
}

func (p patcher) one(doc map[string]any, op patchOp) error {
	if op.Path == "" {
		for k, v := range op.Value.(map[string]any) {
			lk := strings.ToLower(k)
			switch {
			case lk == "id" || lk == "meta" || lk == "schemas":
				// Read-only; Okta and Entra echo them back. Ignored.
			case strings.HasPrefix(lk, "urn:") && !strings.Contains(k[strings.LastIndex(k, ":")+1:], "."):
				if ext, ok := v.(map[string]any); ok && !strings.HasPrefix(lk, strings.ToLower(p.schema)+":") && isSchemaURN(k) {
					ext, err := withoutOwnSchemas(k, ext)
					if err != nil {
						return err
					}
					for sk, sv := range ext {
						if err := p.one(doc, patchOp{Op: op.Op, Path: k + ":" + sk, Value: sv}); err != nil {
							return err
						}
					}
					continue
				}
				if err := p.one(doc, patchOp{Op: op.Op, Path: k, Value: v}); err != nil {
					return err
				}
			case strings.Contains(k, "."):
				if err := p.one(doc, patchOp{Op: op.Op, Path: k, Value: v}); err != nil {
					return err
				}
			default:
				set(doc, k, v, op.Op)
			}
		}
		return nil
	}
	if strings.HasPrefix(strings.ToLower(op.Path), "urn:") && (isSchemaURN(op.Path) || p.knows(op.Path)) {
		return p.schemaPath(doc, op)
	}
	path, err := filter.ParsePath(op.Path)
	if err != nil {
		return errorf(http.StatusBadRequest, "invalidPath", "path %q is not a valid attribute path", op.Path)
	}
	obj := doc
	if u := path.AttributePath.URIPrefix; u != nil && !strings.EqualFold(*u, p.schema) {
		k := findKey(doc, *u)
		ext, _ := doc[k].(map[string]any)
		if ext == nil {
			if op.Op == "remove" {
				return nil
			}
			ext = map[string]any{}
			doc[k] = ext
		}
		obj = ext
	}
	name := path.AttributePath.AttributeName
	switch strings.ToLower(name) {
	case "id", "meta", "schemas", "groups":
		return errorf(http.StatusBadRequest, "mutability", "%s is read-only", name)
	}
	sub := path.AttributePath.SubAttribute
	if path.ValueExpression != nil {
		return p.filtered(obj, name, path.ValueExpression, path.SubAttribute, op)
	}
	if sub != nil {
		k := findKey(obj, name)
		inner, _ := obj[k].(map[string]any)
		if inner == nil {
			if op.Op == "remove" {
				return nil
			}
			inner = map[string]any{}
			obj[k] = inner
		}
		obj, name = inner, *sub
	}
	if op.Op == "remove" {
		k := findKey(obj, name)
		list, isList := obj[k].([]any)
		vals, hasVals := op.Value.([]any)
		if isList && hasVals {
			// Remove only the listed values (Entra and Okta send removals
			// of members this way), not the whole attribute.
			obj[k] = without(list, vals)
			return nil
		}
		delete(obj, k)
		return nil
	}
	set(obj, name, op.Value, op.Op)
	return nil
}

// knows reports whether urn is one of the resource's schemas.
func (p patcher) knows(urn string) bool {
	if p.known == nil {
		return false
	}
	_, ok := p.known(urn)
	return ok
}

// schemaPath applies an operation whose path is a whole schema's URN
// (RFC 7644 section 3.5.2: the path may name a schema): add and replace
// set the attributes of the object value in that schema, remove clears
// every attribute of an extension. The core schema's URN is the resource
// itself.
func (p patcher) schemaPath(doc map[string]any, op patchOp) error {
	urn := op.Path
	if p.known != nil {
		u, ok := p.known(op.Path)
		if !ok {
			return errorf(http.StatusBadRequest, "invalidPath", "path %q names a schema this resource does not have", op.Path)
		}
		urn = u
	}
	core := strings.EqualFold(urn, p.schema)
	if op.Op == "remove" {
		if core {
			return errorf(http.StatusBadRequest, "invalidPath", "the core schema cannot be removed; remove its attributes instead")
		}
		if _, ok := op.Value.(map[string]any); !ok {
			delete(doc, findKey(doc, urn))
			return nil
		}
	}
	attrs, ok := op.Value.(map[string]any)
	if !ok {
		return errorf(http.StatusBadRequest, "invalidValue", "a path naming the schema %s takes an object of its attributes as value", urn)
	}
	if core {
		return p.one(doc, patchOp{Op: op.Op, Value: attrs})
	}
	attrs, err := withoutOwnSchemas(urn, attrs)
	if err != nil {
		return err
	}
	for k, v := range attrs {
		if err := p.one(doc, patchOp{Op: op.Op, Path: urn + ":" + k, Value: v}); err != nil {
			return err
		}
	}
	return nil
}

// filtered applies op to the elements of the multi-valued attribute name
// that match expr; sub, if set, targets a sub-attribute of each.
func (p patcher) filtered(obj map[string]any, name string, expr filter.Expression, sub *string, op patchOp) error {
	k := findKey(obj, name)
	var list []any
	if obj[k] != nil {
		var ok bool
		if list, ok = obj[k].([]any); !ok {
			return errorf(http.StatusBadRequest, "invalidPath", "%s is not multi-valued", name)
		}
	}
	matched := false
	out := list[:0:0]
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m == nil || !matches(m, expr) {
			out = append(out, e)
			continue
		}
		matched = true
		switch {
		case op.Op == "remove" && sub == nil:
			continue
		case op.Op == "remove":
			delete(m, findKey(m, *sub))
		case sub != nil:
			set(m, *sub, op.Value, op.Op)
		default:
			if v, ok := op.Value.(map[string]any); ok {
				for vk, vv := range v {
					set(m, vk, vv, "replace")
				}
			}
		}
		out = append(out, m)
	}
	if !matched && op.Op != "remove" {
		// Nothing matches: the element the filter describes is created,
		// once, seeded with the equalities of the filter.
		m := map[string]any{}
		seed(m, expr)
		if sub != nil {
			m[*sub] = op.Value
		} else if v, ok := op.Value.(map[string]any); ok {
			for vk, vv := range v {
				m[vk] = vv
			}
		}
		out = append(out, m)
	}
	obj[k] = out
	return nil
}

// set writes value at obj[name] (name matched case-insensitively): add
// appends to multi-valued attributes and merges complex ones; replace
// merges complex attributes and replaces everything else.
func set(obj map[string]any, name string, value any, op string) {
	k := findKey(obj, name)
	cur := obj[k]
	switch c := cur.(type) {
	case []any:
		if op == "add" {
			if add, ok := value.([]any); ok {
				obj[k] = append(c, add...)
				return
			}
			if value != nil {
				obj[k] = append(c, value)
				return
			}
		}
	case map[string]any:
		if v, ok := value.(map[string]any); ok {
			for vk, vv := range v {
				set(c, vk, vv, "replace")
			}
			return
		}
	}
	obj[k] = value
}

// findKey returns the key of obj that matches name case-insensitively, or
// name itself.
func findKey(obj map[string]any, name string) string {
	if _, ok := obj[name]; ok {
		return name
	}
	for k := range obj {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// without returns list less the elements whose value equals the value of
// one of vals.
func without(list, vals []any) []any {
	drop := map[string]bool{}
	for _, v := range vals {
		if m, ok := v.(map[string]any); ok {
			if x, ok := mapping.Get(m, "value"); ok {
				drop[scalarString(x)] = true
			}
		} else {
			drop[scalarString(v)] = true
		}
	}
	out := list[:0:0]
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if x, ok := mapping.Get(m, "value"); ok && drop[scalarString(x)] {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// matches evaluates a value filter against one element of a multi-valued
// attribute. Strings compare case-insensitively.
func matches(m map[string]any, e filter.Expression) bool {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(x.Operator), "or") {
			return matches(m, x.Left) || matches(m, x.Right)
		}
		return matches(m, x.Left) && matches(m, x.Right)
	case *filter.NotExpression:
		return !matches(m, x.Expression)
	case *filter.AttributeExpression:
		v, ok := mapping.Get(m, x.AttributePath.AttributeName)
		if ok && x.AttributePath.SubAttribute != nil {
			inner, _ := v.(map[string]any)
			v, ok = mapping.Get(inner, *x.AttributePath.SubAttribute)
		}
		op := strings.ToLower(string(x.Operator))
		if op == "pr" {
			return ok && v != nil && v != ""
		}
		if b, isBool := x.CompareValue.(bool); isBool {
			got, valid := mapping.ParseBool(v)
			eq := valid && got == b
			return eq == (op == "eq")
		}
		got := strings.ToLower(scalarString(v))
		want := strings.ToLower(scalarString(x.CompareValue))
		if _, isNum := x.CompareValue.(float64); isNum {
			want = strconv.FormatFloat(x.CompareValue.(float64), 'f', -1, 64)
		}
		switch op {
		case "eq":
			return ok && got == want
		case "ne":
			return !ok || got != want
		case "co":
			return ok && strings.Contains(got, want)
		case "sw":
			return ok && strings.HasPrefix(got, want)
		case "ew":
			return ok && strings.HasSuffix(got, want)
		case "gt":
			return ok && got > want
		case "ge":
			return ok && got >= want
		case "lt":
			return ok && got < want
		case "le":
			return ok && got <= want
		}
	}
	return false
}

// seed sets in m the attribute values that equality terms of e require.
func seed(m map[string]any, e filter.Expression) {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(x.Operator), "and") {
			seed(m, x.Left)
			seed(m, x.Right)
		}
	case *filter.AttributeExpression:
		if strings.EqualFold(string(x.Operator), "eq") && x.AttributePath.SubAttribute == nil {
			m[x.AttributePath.AttributeName] = x.CompareValue
		}
	}
}

// isSchemaURN reports whether k names a whole schema (…:2.0:User) rather
// than an attribute in one (…:2.0:User:department).
func isSchemaURN(k string) bool {
	last := k[strings.LastIndex(k, ":")+1:]
	return last == "User" || last == "Group" || strings.EqualFold(k, mapping.EnterpriseSchema)
}

// withoutOwnSchemas returns an extension's attributes in a PATCH value
// without a schemas member that names the extension itself, which some
// clients put in the object ({"schemas": [urn], "department": "x"}): it
// says nothing beyond the path, so it is dropped. One that does not name
// the extension is refused, since the value would then be meant for
// another schema.
func withoutOwnSchemas(urn string, ext map[string]any) (map[string]any, error) {
	k := ""
	for key := range ext {
		if strings.EqualFold(key, "schemas") {
			k = key
		}
	}
	if k == "" {
		return ext, nil
	}
	list, _ := ext[k].([]any)
	named := false
	for _, e := range list {
		s, ok := e.(string)
		named = named || ok && strings.EqualFold(s, urn)
	}
	if !named {
		return nil, errorf(http.StatusBadRequest, "invalidValue", "the value for %s has schemas that do not name it; expected its attributes only, or schemas: [%q]", urn, urn)
	}
	out := make(map[string]any, len(ext)-1)
	for key, v := range ext {
		if key != k {
			out[key] = v
		}
	}
	return out, nil
}
