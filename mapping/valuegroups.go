package mapping

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// A Group resource declared by values (ResourceConfig.Values) has no
// table: its groups are the declared values, read as Records of three
// virtual columns, and only its membership is stored.

// The virtual columns of a declared group's Record.
const (
	valueGroupID      adapters.Column = "id"
	valueGroupDisplay adapters.Column = "displayName"
	valueGroupValue   adapters.Column = "value"
)

// urlSafeID matches an id that needs no escaping in a URL path.
var urlSafeID = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// otherRun matches a run of characters that valueID replaces by one -.
var otherRun = regexp.MustCompile(`[^a-z0-9]+`)

// valueID is the default id of a declared group: its value where that is
// URL-safe, else the value lower-cased with every run of other characters
// one - (ROLE_ADMIN stays ROLE_ADMIN; "Site Admin" is site-admin).
func valueID(v string) string {
	if urlSafeID.MatchString(v) && v != "." && v != ".." {
		return v
	}
	return strings.Trim(otherRun.ReplaceAllString(strings.ToLower(v), "-"), "-")
}

// IsFixed reports whether the resource is a Group declared by values,
// whose groups cannot be created, renamed or deleted.
func (r *Resource) IsFixed() bool { return r.Spec.Values != nil }

// valueGroups compiles a Group resource declared by values: the groups
// themselves. Its membership is compiled by members, which checks that
// every value fits where it is stored.
func (c *compiler) valueGroups(path string, rc ResourceConfig) *Resource {
	r := &Resource{Name: "Group", Endpoint: "/Groups", Schema: GroupSchema, nameValue: "Group", schemaValue: GroupSchema, byPath: map[string]*attr{}, given: map[string]bool{}, schemas: newSchemaSet(GroupSchema)}
	const also = "a Group declared by values has no table"
	for _, f := range []struct {
		key string
		set bool
	}{
		{"id", rc.ID.Column != "" || rc.ID.Generate != "" || rc.ID.Prefix != "" || rc.ID.Length != 0 || rc.ID.Renames != nil}, {"attributes", len(rc.Attributes) > 0}, {"defaults", len(rc.Defaults) > 0},
		{"scope", len(rc.Scope) > 0}, {"relations", len(rc.Relations) > 0}, {"delete", rc.Delete.Policy != "" || rc.Delete.Mark != nil},
		{"computed", len(rc.Computed) > 0}, {"metaTable", rc.MetaTable != nil}, {"joined", len(rc.Joined) > 0},
		{"version", rc.Version != ""}, {"extensions", len(rc.Extensions) > 0}, {"timeZone", rc.TimeZone != ""}, {"hooks", rc.Hooks != nil},
	} {
		if f.set {
			c.add(path+"."+f.key, "%s; expected no %s beside values (each value's id and displayName are given in it)", also, f.key)
		}
	}
	if rc.Members == nil {
		c.add(path+".members", "missing; expected where the values are stored: {table, group, user}, {userColumn} or {userColumn, list}")
	} else if rc.Members.References != "" {
		c.add(path+".members.references", "%s to refer to; the membership stores the values, expected no references", also)
	}
	if len(rc.Values) == 0 {
		c.add(path+".values", "empty; expected at least one {value, displayName}")
	}
	r.Spec.Key, r.Spec.KeyKind, r.Spec.Display = valueGroupID, adapters.KeyProvided, valueGroupDisplay
	r.Spec.Columns = []adapters.Column{valueGroupID, valueGroupDisplay, valueGroupValue}
	r.Delete = DeleteRefuse
	r.key = adapters.ColumnInfo{Name: valueGroupID, DataType: "varchar", ColumnType: "varchar(255)"}
	_, _, def, _ := r.schemas.lookup("displayName")
	a := &attr{path: "displayName", schema: GroupSchema, def: def, kind: kindSimple, required: true,
		col: adapters.ColumnInfo{Name: valueGroupDisplay, DataType: "varchar", ColumnType: "varchar(255)"}}
	r.attrs = append(r.attrs, a)
	r.byPath["displayname"] = a
	r.given["displayname"] = true
	ids, names, vals := map[string]int{}, map[string]int{}, map[string]int{}
	r.Spec.Values = make([]adapters.ValueGroup, 0, len(rc.Values))
	for i, v := range rc.Values {
		vp := fmt.Sprintf("%s.values[%d]", path, i)
		sv := scalar(v.Value)
		if _, isBool := sv.(bool); sv == nil || isBool {
			c.add(vp+".value", "missing or not a string or number; expected the value the membership stores for the group (quote yes/no/true/false)")
			continue
		}
		s := canonicalString(sv)
		if s == "" {
			c.add(vp+".value", "empty; expected the value the membership stores for the group")
			continue
		}
		if j, dup := vals[s]; dup {
			c.add(vp+".value", "%q is declared already at values[%d]; expected each value once", s, j)
			continue
		}
		vals[s] = i
		g := adapters.ValueGroup{ID: v.ID, DisplayName: v.DisplayName, Value: sv}
		if g.DisplayName == "" {
			g.DisplayName = s
		}
		if g.ID == "" {
			g.ID = valueID(s)
			if g.ID == "" {
				c.add(vp+".id", "value %q has no letter or digit to make an id of; expected an id", s)
				continue
			}
		} else if !urlSafeID.MatchString(g.ID) || g.ID == "." || g.ID == ".." {
			c.add(vp+".id", "%q cannot be a path segment of a URL as it is; expected letters, digits and -._~ only, and not . or ..", g.ID)
			continue
		}
		if j, dup := ids[g.ID]; dup {
			c.add(vp+".id", "id %q is values[%d]'s too; expected ids unique among the groups (give an id)", g.ID, j)
			continue
		}
		ids[g.ID] = i
		if j, dup := names[strings.ToLower(g.DisplayName)]; dup {
			c.add(vp+".displayName", "%q is values[%d]'s displayName too (compared case-insensitively, as IdPs look groups up by it); expected displayNames unique", g.DisplayName, j)
			continue
		}
		names[strings.ToLower(g.DisplayName)] = i
		r.Spec.Values = append(r.Spec.Values, g)
		r.valueAt = append(r.valueAt, i)
	}
	return r
}

// valueFitsMembership checks that every declared value fits the column
// the membership stores it in, reporting each that does not.
func (c *compiler) valueFitsMembership(path string, g *Resource, ci adapters.ColumnInfo, where string) {
	for i, v := range g.Spec.Values {
		if msg := valueFits(ci, v.Value); msg != "" {
			c.add(fmt.Sprintf("%s.values[%d].value", path, g.valueAt[i]), "%s (%s)", msg, where)
		} else if isIntColumn(ci) && canonicalString(v.Value) != canonicalString(scalar(mustInt(v.Value))) {
			c.add(fmt.Sprintf("%s.values[%d].value", path, g.valueAt[i]), "column %q is %s; expected the integer as the column stores it, not %q", ci.Name, ci.ColumnType, canonicalString(v.Value))
		}
	}
}

// mustInt is v as an integer, for a value valueFits accepted in an
// integer column.
func mustInt(v any) any {
	n, _ := intValue(v)
	return n
}

// valueTokens checks the declared values as tokens of a list membership.
func (c *compiler) valueTokens(path string, g, u *Resource, col adapters.Column, codec *listCodec) {
	for i, v := range g.Spec.Values {
		s := canonicalString(v.Value)
		vp := fmt.Sprintf("%s.values[%d].value", path, g.valueAt[i])
		if codec.enc == ListDelimited && strings.Contains(s, codec.delim) {
			c.add(vp, "%q contains %q, which separates the list's values; expected a value without it", s, codec.delim)
		}
		for _, a := range u.attrs {
			if a.list != nil && a.col.Name == col && a.list.owned[s] {
				c.add(vp, "%q is also a value of the User attribute %s, which shares the column; expected it in one of them", s, a.path)
			}
		}
	}
}
