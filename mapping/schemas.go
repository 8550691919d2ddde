package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Extensions lists the extension schema URNs the resource has attributes of.
func (r *Resource) Extensions() []string {
	var out []string
	for _, a := range r.attrs {
		if a.schema != r.Schema && !slices.Contains(out, a.schema) {
			out = append(out, a.schema)
		}
	}
	return out
}

// schemaSet holds the attribute definitions of every schema a resource
// knows, by URN: its core schema, and for users the enterprise extension
// and any operator-declared extensions.
type schemaSet struct {
	core  string
	defs  map[string][]*AttrDef
	names map[string]string // URN → schema name, for /Schemas
	descs map[string]string
}

func newSchemaSet(core string) *schemaSet {
	s := &schemaSet{core: core, defs: map[string][]*AttrDef{}, names: map[string]string{}, descs: map[string]string{}}
	switch core {
	case UserSchema:
		s.defs[UserSchema] = userSchema
		s.names[UserSchema], s.descs[UserSchema] = "User", "User Account"
		s.defs[EnterpriseSchema] = enterpriseSchema
		s.names[EnterpriseSchema], s.descs[EnterpriseSchema] = "EnterpriseUser", "Enterprise User"
	case GroupSchema:
		s.defs[GroupSchema] = groupSchema
		s.names[GroupSchema], s.descs[GroupSchema] = "Group", "Group"
	}
	return s
}

// paths lists the attribute paths the schemas define (userName,
// name.givenName, urn:...:User:department), for suggestions.
func (s *schemaSet) paths() []string {
	var out []string
	for _, urn := range slices.Sorted(maps.Keys(s.defs)) {
		defs := s.defs[urn]
		if urn == s.core {
			defs = append(slices.Clone(defs), commonAttrs...)
		}
		for _, d := range defs {
			out = append(out, canonicalPath(urn, s.core, nil, d))
			for _, sd := range d.Sub {
				out = append(out, canonicalPath(urn, s.core, d, sd))
			}
		}
	}
	return out
}

// canonical returns the registered spelling of a schema URN, matched
// case-insensitively.
func (s *schemaSet) canonical(urn string) (string, bool) {
	for u := range s.defs {
		if strings.EqualFold(u, urn) {
			return u, true
		}
	}
	return "", false
}

// lookup resolves a SCIM attribute path (with or without a schema URN
// prefix, case-insensitively) to its schema, parent and definition.
func (s *schemaSet) lookup(path string) (urn string, parent, def *AttrDef, ok bool) {
	urn = s.core
	rest := path
	if strings.HasPrefix(strings.ToLower(path), "urn:") {
		i := strings.LastIndex(path, ":")
		// A sub-attribute path keeps its dot after the last colon.
		var found bool
		if urn, found = s.canonical(path[:i]); !found {
			return "", nil, nil, false
		}
		rest = path[i+1:]
	}
	name, sub, dotted := strings.Cut(rest, ".")
	defs := s.defs[urn]
	if urn == s.core {
		defs = append(slices.Clone(defs), commonAttrs...)
	}
	for _, d := range defs {
		if !strings.EqualFold(d.Name, name) {
			continue
		}
		if !dotted {
			return urn, nil, d, true
		}
		if sd := d.sub(sub); sd != nil {
			return urn, d, sd, true
		}
		return "", nil, nil, false
	}
	return "", nil, nil, false
}

func canonicalPath(urn, coreURN string, parent, def *AttrDef) string {
	p := def.Name
	if parent != nil {
		p = parent.Name + "." + def.Name
	}
	if urn != coreURN {
		p = urn + ":" + p
	}
	return p
}

// extensions registers the operator-declared extension schemas.
func (c *compiler) extensions(path string, r *Resource, exts []ExtensionConfig) {
	for i, e := range exts {
		ep := fmt.Sprintf("%s.extensions[%d]", path, i)
		if !strings.HasPrefix(strings.ToLower(e.URN), "urn:") || strings.ContainsAny(e.URN, " \t[]\"") {
			c.add(ep+".urn", "%q is not a schema URN; expected something like urn:acme:params:scim:schemas:extension:acme:2.0:%s", e.URN, r.Name)
			continue
		}
		if _, dup := r.schemas.canonical(e.URN); dup {
			c.add(ep+".urn", "%s is already a schema of %s", e.URN, r.Name)
			continue
		}
		if len(e.Attributes) == 0 {
			c.add(ep+".attributes", "none; expected at least one attribute")
			continue
		}
		names := slices.Sorted(maps.Keys(e.Attributes))
		var defs []*AttrDef
		for _, n := range names {
			a := e.Attributes[n]
			d := &AttrDef{Name: n, Mutability: ReadWrite, Returned: "default", Uniqueness: "none", Description: a.Description, CaseExact: a.CaseExact, Required: a.Required}
			switch a.Type {
			case "", "string":
				d.Type = String
			case "boolean":
				d.Type = Boolean
			case "integer":
				d.Type = Integer
			case "dateTime":
				d.Type = DateTime
			default:
				c.add(ep+".attributes."+n+".type", "unknown type %q; expected string, boolean, integer or dateTime", a.Type)
				continue
			}
			if !attrNameRE.MatchString(n) {
				c.add(ep+".attributes."+n, "%q is not a SCIM attribute name; expected a letter, then letters, digits, _ or -", n)
				continue
			}
			defs = append(defs, d)
		}
		r.schemas.defs[e.URN] = defs
		r.schemas.names[e.URN] = e.Name
		r.schemas.descs[e.URN] = e.Description
	}
}

// SchemaName returns the name and description of a schema of the resource.
func (r *Resource) SchemaName(urn string) (name, description string) {
	return r.schemas.names[urn], r.schemas.descs[urn]
}
