package mapping

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// listAttr compiles a list codec into an attribute on a text column.
func listAttr(t *testing.T, lc ListConfig) *attr {
	t.Helper()
	var probs []string
	c := compileList(lc, func(sub, format string, args ...any) {
		probs = append(probs, sub)
	})
	if c == nil {
		t.Fatalf("compileList(%+v): problems at %v", lc, probs)
	}
	return &attr{path: "roles", def: &AttrDef{Name: "roles"}, list: c, col: adapters.ColumnInfo{Name: "roles", DataType: "longtext", Nullable: true}}
}

func entries(vals ...string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = map[string]any{"value": v}
	}
	return out
}

func readValues(t *testing.T, a *attr, stored any) []string {
	t.Helper()
	v, ok := a.decodeList(stored)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(map[string]any)["value"].(string))
	}
	return out
}

func TestListCodecs(t *testing.T) {
	cases := []struct {
		name   string
		cfg    ListConfig
		stored any
		read   []string
		write  []string
		want   any
	}{
		{"json", ListConfig{Encoding: ListJSON}, `["ROLE_ADMIN","ROLE_USER"]`, []string{"ROLE_ADMIN", "ROLE_USER"},
			[]string{"ROLE_USER", "ROLE_EDITOR"}, `["ROLE_USER","ROLE_EDITOR"]`},
		{"json keeps what is not a string, in place", ListConfig{Encoding: ListJSON}, `[1, "a", {"x":1}, "b"]`, []string{"a", "b"},
			[]string{"b", "c"}, `[1,{"x":1},"b","c"]`},
		{"json keeps values outside the value set", ListConfig{Encoding: ListJSON, Values: []string{"ROLE_ADMIN"}}, `["ROLE_USER","ROLE_ADMIN"]`, []string{"ROLE_ADMIN"},
			nil, `["ROLE_USER"]`},
		{"json from NULL", ListConfig{Encoding: ListJSON}, nil, nil, []string{"a<b&c/d"}, `["a<b&c/d"]`},
		{"json to nothing from NULL stays NULL", ListConfig{Encoding: ListJSON}, nil, nil, nil, nil},
		{"json to nothing", ListConfig{Encoding: ListJSON}, `["x"]`, []string{"x"}, nil, `[]`},
		{"json repeats read once", ListConfig{Encoding: ListJSON}, `["x","x"]`, []string{"x"}, []string{"x"}, `["x"]`},
		{"json value map", ListConfig{Encoding: ListJSON, Map: map[string]string{"Admin": "ROLE_ADMIN", "User": "ROLE_USER"}}, `["ROLE_USER","ROLE_OTHER"]`, []string{"User"},
			[]string{"Admin", "User"}, `["ROLE_USER","ROLE_OTHER","ROLE_ADMIN"]`},
		{"jsonObject", ListConfig{Encoding: ListJSONObject, TrueValue: "1", FalseValue: "0"}, `{"superuser":"1","admin":"0","reports.view":"1"}`, []string{"superuser", "reports.view"},
			[]string{"admin", "superuser"}, `{"superuser":"1","admin":"1","reports.view":"0"}`},
		{"jsonObject removes keys without falseValue", ListConfig{Encoding: ListJSONObject}, `{"a":true,"b":false,"c":-1}`, []string{"a"},
			[]string{"d"}, `{"b":false,"c":-1,"d":true}`},
		{"jsonObject truthy forms", ListConfig{Encoding: ListJSONObject}, `{"a":1,"b":"yes","c":"0","d":null,"e":[1],"f":"true","g":0.5}`, []string{"a", "b", "f", "g"}, nil, `{"c":"0","d":null,"e":[1]}`},
		{"jsonObject over PHP's empty array", ListConfig{Encoding: ListJSONObject, TrueValue: "1", FalseValue: "0"}, `[]`, nil,
			[]string{"assets.view"}, `{"assets.view":"1"}`},
		{"jsonObject over JSON null", ListConfig{Encoding: ListJSONObject, TrueValue: "1", FalseValue: "0"}, `null`, nil,
			[]string{"assets.view"}, `{"assets.view":"1"}`},
		{"jsonObject over a spaced empty array", ListConfig{Encoding: ListJSONObject}, ` [ ] `, nil, []string{"a"}, `{"a":true}`},
		{"jsonObject over the empty string", ListConfig{Encoding: ListJSONObject}, ``, nil, []string{"a"}, `{"a":true}`},
		{"delimited", ListConfig{Encoding: ListDelimited, Delimiter: " "}, "system_user  system_admin", []string{"system_user", "system_admin"},
			[]string{"system_admin", "channel_user"}, "system_admin channel_user"},
		{"comma", ListConfig{Encoding: ListDelimited, Delimiter: ","}, "a,b,,c", []string{"a", "b", "c"}, []string{"c", "a"}, "a,c"},
		{"delimited to nothing", ListConfig{Encoding: ListDelimited, Delimiter: ","}, "a", []string{"a"}, nil, ""},
		{"php", ListConfig{Encoding: ListPHP}, `a:2:{s:13:"administrator";b:1;s:6:"editor";b:0;}`, []string{"administrator"},
			[]string{"editor", "author"}, `a:2:{s:6:"editor";b:1;s:6:"author";b:1;}`},
		{"php keys outside the value set stay", ListConfig{Encoding: ListPHP, Values: []string{"editor"}}, `a:2:{s:13:"administrator";b:1;s:9:"bbp_staff";i:1;}`, nil,
			[]string{"editor"}, `a:3:{s:13:"administrator";b:1;s:9:"bbp_staff";i:1;s:6:"editor";b:1;}`},
		{"php numeric key", ListConfig{Encoding: ListPHP}, ``, nil, []string{"42"}, `a:1:{i:42;b:1;}`},
		{"php multibyte length in bytes", ListConfig{Encoding: ListPHP}, `a:1:{s:6:"rédac";b:1;}`, []string{"rédac"}, []string{"rédac", "ü"}, `a:2:{s:6:"rédac";b:1;s:2:"ü";b:1;}`},
		{"phpList", ListConfig{Encoding: ListPHPList}, `a:2:{i:0;s:5:"admin";i:1;s:6:"editor";}`, []string{"admin", "editor"},
			[]string{"editor", "viewer"}, `a:2:{i:0;s:6:"editor";i:1;s:6:"viewer";}`},
		{"phpList with keys kept", ListConfig{Encoding: ListPHPList}, `a:2:{i:3;s:1:"a";s:1:"k";s:1:"b";}`, []string{"a", "b"},
			[]string{"a", "b", "c"}, `a:3:{i:3;s:1:"a";s:1:"k";s:1:"b";i:4;s:1:"c";}`},
		{"php nested array value", ListConfig{Encoding: ListPHPList}, `a:2:{i:0;a:1:{i:0;N;}i:1;s:1:"x";}`, []string{"x"}, nil, `a:1:{i:0;a:1:{i:0;N;}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := listAttr(t, c.cfg)
			if got := readValues(t, a, c.stored); !slices.Equal(got, c.read) {
				t.Errorf("read %v = %q, want %q", c.stored, got, c.read)
			}
			var v any
			if c.write != nil {
				v = entries(c.write...)
			}
			got, err := a.encodeList(v, c.stored)
			if err != nil {
				t.Fatalf("write %q over %v: %v", c.write, c.stored, err)
			}
			if got != c.want {
				t.Errorf("write %q over %v = %#v, want %#v", c.write, c.stored, got, c.want)
			}
			// What was written reads back as what was asked.
			if s, ok := got.(string); ok {
				back := readValues(t, a, s)
				back, asked := slices.Sorted(slices.Values(back)), slices.Sorted(slices.Values(c.write))
				if !slices.Equal(back, asked) {
					t.Errorf("read back %q = %q, want %q", s, back, c.write)
				}
			}
		})
	}
}

// TestListMalformed: a stored value that cannot be parsed reads as no
// values and is never overwritten; nothing panics.
func TestListMalformed(t *testing.T) {
	cases := []struct {
		enc    string
		stored string
	}{
		{ListJSON, `["a",`},
		{ListJSON, `{"a":1}`},
		{ListJSON, `"a"`},
		{ListJSON, `null`},
		{ListJSON, `["a"] x`},
		{ListJSONObject, `["a"]`},
		{ListJSONObject, `{"a":1`},
		{ListJSONObject, `{"a":1} {}`},
		{ListJSONObject, `[] []`},
		{ListJSONObject, `[1]`},
		{ListJSONObject, `null null`},
		{ListJSONObject, `[`},
		{ListPHP, `a:1:{s:13:"administrator";b:1;`},
		{ListPHP, `a:1:{s:99:"administrator";b:1;}`},
		{ListPHP, `a:1:{s:-1:"administrator";b:1;}`},
		{ListPHP, `a:99999999:{}`},
		{ListPHP, `a:2:{s:1:"a";b:1;}`},
		{ListPHP, `a:1:{s:1:"a";b:2;}`},
		{ListPHP, `a:1:{s:1:"a";O:8:"stdClass":0:{}}`},
		{ListPHP, `a:1:{b:1;b:1;}`},
		{ListPHP, `a:1:{s:1:"a";b:1;}trailing`},
		{ListPHP, `s:5:"admin";`},
		{ListPHP, strings.Repeat("a:1:{i:0;", 100) + "N;" + strings.Repeat("}", 100)},
		{ListPHPList, `a:1:{i:0;s:3:"ab";}`},
		{ListPHPList, "a:1:{i:0;s:1:\"\xff\";}x"},
	}
	for _, c := range cases {
		a := listAttr(t, ListConfig{Encoding: c.enc})
		if got := readValues(t, a, c.stored); got != nil {
			t.Errorf("%s %q read as %q, want nothing", c.enc, c.stored, got)
		}
		_, err := a.encodeList(entries("x"), c.stored)
		var sv *StoredValueError
		if !errors.As(err, &sv) {
			t.Errorf("%s: writing over %q: err = %v, want a StoredValueError", c.enc, c.stored, err)
		}
	}
}

// TestListRefusesValues: values the attribute may not hold are 400s.
func TestListRefusesValues(t *testing.T) {
	a := listAttr(t, ListConfig{Encoding: ListDelimited, Delimiter: " "})
	for _, v := range []any{entries("two words"), entries(""), []any{map[string]any{"display": "x"}}, []any{map[string]any{"value": 1}}} {
		_, err := a.encodeList(v, "a")
		var fe *FieldError
		if !errors.As(err, &fe) || fe.ScimType != ScimInvalidValue {
			t.Errorf("write %v: err = %v, want invalidValue", v, err)
		}
	}
	r := listAttr(t, ListConfig{Encoding: ListJSON, Values: []string{"Admin", "User"}})
	if _, err := r.encodeList(entries("Root"), nil); err == nil || !strings.Contains(err.Error(), `"Admin", "User"`) {
		t.Errorf("value outside the set: err = %v", err)
	}
	if got, err := r.encodeList(entries("admin"), nil); err != nil || got != `["Admin"]` {
		t.Errorf("value in another case = %v, %v; want the declared spelling", got, err)
	}
	r.col.MaxLength = 5
	if _, err := r.encodeList(entries("Admin"), nil); err == nil || !strings.Contains(err.Error(), "longer than the 5") {
		t.Errorf("too long for the column: err = %v", err)
	}
}

func TestCompileListProblems(t *testing.T) {
	cases := []struct {
		cfg  ListConfig
		want string
	}{
		{ListConfig{}, ".encoding: missing"},
		{ListConfig{Encoding: "yaml"}, `.encoding: unknown encoding "yaml"`},
		{ListConfig{Encoding: ListDelimited}, ".delimiter: missing"},
		{ListConfig{Encoding: ListJSON, Delimiter: ","}, ".delimiter: applies only to delimited"},
		{ListConfig{Encoding: ListJSON, TrueValue: "1"}, ": trueValue and falseValue apply only to keyed"},
		{ListConfig{Encoding: ListJSONObject, TrueValue: "0"}, ".trueValue: 0 would read back as not in the list"},
		{ListConfig{Encoding: ListPHP, FalseValue: true}, ".falseValue: true would read back as in the list"},
		{ListConfig{Encoding: ListDelimited, Delimiter: ",", Values: []string{"a,b"}}, `.values[0]: "a,b" contains the delimiter`},
		{ListConfig{Encoding: ListJSON, Map: map[string]string{"A": "X", "B": "X"}}, `.map.B: token "X" is already the one of "A"`},
	}
	for _, c := range cases {
		var probs []string
		if compileList(c.cfg, func(sub, format string, args ...any) {
			probs = append(probs, sub+": "+fmt.Sprintf(format, args...))
		}) != nil {
			t.Errorf("%+v compiled", c.cfg)
		}
		if !slices.ContainsFunc(probs, func(p string) bool { return strings.HasPrefix(p, c.want) }) {
			t.Errorf("%+v: problems %q, want one starting %q", c.cfg, probs, c.want)
		}
	}
}

// TestListResource: a compiled list attribute reads, writes over the
// stored row keeping what it does not own, compares sets, translates
// filters, and is advertised and described.
func TestListResource(t *testing.T) {
	users := adapters.TableInfo{Name: "users", Columns: []adapters.ColumnInfo{
		col("id", "int", "auto"), col("login", "varchar", "notnull"), col("roles", "longtext", "notnull"), col("perms", "text"),
	}}
	m, err := Compile(context.Background(), Config{User: &ResourceConfig{Table: "users", Attributes: map[string]AttributeConfig{
		"userName":     {Column: "login"},
		"roles":        {Column: "roles", List: &ListConfig{Encoding: ListJSON, Values: []string{"Admin", "User"}, Map: map[string]string{"Admin": "ROLE_ADMIN"}}},
		"entitlements": {Column: "perms", List: &ListConfig{Encoding: ListDelimited, Delimiter: ","}},
	}}}, fakeDB{"users": users}, "resources")
	if err != nil {
		t.Fatal(err)
	}
	r := m.User
	cur := adapters.Record{"id": int64(1), "login": "a", "roles": `["ROLE_OWNER","ROLE_ADMIN"]`, "perms": nil}
	doc := r.FromRecord(cur)
	if got := listValues(t, doc["roles"]); !slices.Equal(got, []string{"Admin"}) {
		t.Fatalf("roles read as %q", got)
	}
	after := r.FromRecord(cur)
	after["roles"] = entries("User", "Admin")
	ch, err := r.Changes(cur, after)
	if err != nil || ch["roles"] != `["ROLE_OWNER","ROLE_ADMIN","User"]` || len(ch) != 1 {
		t.Errorf("changes %#v %v", ch, err)
	}
	// The same values in another order change nothing.
	after["roles"] = entries("Admin")
	if ch, err := r.Changes(cur, after); err != nil || len(ch) != 0 {
		t.Errorf("no change: %#v %v", ch, err)
	}
	// A PUT leaving roles out keeps what the mapping does not own.
	ch, err = r.Replacement(cur, map[string]any{"userName": "a"})
	if err != nil || ch["roles"] != `["ROLE_OWNER"]` {
		t.Errorf("replacement %#v %v", ch, err)
	}
	rec, err := r.ToRecord(decode(t, `{"userName":"b"}`), Create)
	if err != nil || rec["roles"] != `[]` || rec["perms"] != nil {
		t.Errorf("create without: %#v %v", rec, err)
	}
	e, err := r.Compare("roles.value", adapters.OpEq, "admin")
	if want := (adapters.JSONHas{Column: "roles", Value: "ROLE_ADMIN"}); err != nil || e != want {
		t.Errorf("filter %#v %v", e, err)
	}
	if e, err := r.Compare("roles", adapters.OpEq, "ROLE_OWNER"); err != nil || e != adapters.Const(false) {
		t.Errorf("filter on a value the mapping does not own: %#v %v", e, err)
	}
	e, err = r.Compare("entitlements", adapters.OpNe, "x")
	if n, ok := e.(adapters.Not); err != nil || !ok || !strings.Contains(fmt.Sprint(n.X), ",x,") {
		t.Errorf("delimited filter %#v %v", e, err)
	}
	if _, ok := r.Schemas()[UserSchema]; !ok || !slices.ContainsFunc(r.Schemas()[UserSchema], func(d *AttrDef) bool { return d.Name == "roles" }) {
		t.Errorf("roles not advertised")
	}
	if d := strings.Join(r.Describe(), "\n"); !strings.Contains(d, `roles -> roles longtext [list: a JSON array of "Admin", "User"; filters use JSON_CONTAINS`) {
		t.Errorf("describe:\n%s", d)
	}
}

func listValues(t *testing.T, v any) []string {
	t.Helper()
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		out = append(out, e.(map[string]any)["value"].(string))
	}
	return out
}

// FuzzListCodecs: no stored value makes a codec panic, and a value that
// parses survives a write of its own values: what reads back is what was
// read, and every entry the attribute does not own is still there.
func FuzzListCodecs(f *testing.F) {
	for _, s := range []string{
		`["ROLE_ADMIN","ROLE_USER"]`, `[1,"a",{"b":[2]}]`, `{"superuser":"1","admin":"0"}`,
		"system_user system_admin", "a,,b", `a:1:{s:13:"administrator";b:1;}`,
		`a:2:{i:0;s:5:"admin";i:1;s:6:"editor";}`, `a:1:{i:0;a:1:{s:1:"x";d:0.5;}}`, "",
	} {
		f.Add(s)
	}
	cfgs := []ListConfig{
		{Encoding: ListJSON}, {Encoding: ListJSONObject}, {Encoding: ListDelimited, Delimiter: " "},
		{Encoding: ListDelimited, Delimiter: ","}, {Encoding: ListPHP}, {Encoding: ListPHPList},
		{Encoding: ListJSON, Values: []string{"a", "ROLE_ADMIN"}}, {Encoding: ListPHP, Values: []string{"administrator"}, FalseValue: false},
	}
	f.Fuzz(func(t *testing.T, stored string) {
		for _, cfg := range cfgs {
			a := listAttr(t, cfg)
			a.col.MaxLength = 0
			lv, err := a.list.parse(stored)
			vals := a.list.values(lv)
			_, _ = a.decodeList(stored)
			if err != nil {
				if _, werr := a.encodeList(entries("x"), stored); werr == nil {
					t.Fatalf("%+v: a write over %q that does not parse succeeded", cfg, stored)
				}
				continue
			}
			if slices.ContainsFunc(vals, func(v string) bool {
				return v == "" || cfg.Encoding == ListDelimited && strings.Contains(v, cfg.Delimiter)
			}) {
				continue
			}
			out, err := a.encodeList(entries(vals...), stored)
			if err != nil {
				t.Fatalf("%+v: writing back %q read from %q: %v", cfg, vals, stored, err)
			}
			s, _ := out.(string)
			lv2, err := a.list.parse(s)
			if err != nil {
				t.Fatalf("%+v: %q written over %q does not parse: %v", cfg, s, stored, err)
			}
			if got := a.list.values(lv2); !slices.Equal(got, vals) {
				t.Fatalf("%+v: %q read back as %q, want %q", cfg, s, got, vals)
			}
			var kept, kept2 []string
			for _, e := range lv.entries {
				if !e.named || !a.list.owns(e.token) || !e.member {
					kept = append(kept, e.key+e.raw)
				}
			}
			for _, e := range lv2.entries {
				if !e.named || !a.list.owns(e.token) || !e.member {
					kept2 = append(kept2, e.key+e.raw)
				}
			}
			if cfg.Encoding != ListJSONObject && !slices.Equal(kept, kept2) && cfg.Encoding != ListPHPList {
				t.Fatalf("%+v: entries not owned changed: %q -> %q (%q -> %q)", cfg, kept, kept2, stored, s)
			}
		}
	})
}
