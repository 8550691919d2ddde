package mapping

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/coltype"
)

// fakeDB describes tables from a fixed list; mapping tests need only the
// schema, not a server.
type fakeDB map[adapters.Table]adapters.TableInfo

func (f fakeDB) Describe(_ context.Context, t adapters.Table) (adapters.TableInfo, error) {
	info, ok := f[t]
	if !ok {
		return info, adapters.ErrNotFound
	}
	// The tables give MySQL type names, as the adapter reads them; the
	// adapter classifies them into kinds the same way.
	return coltype.ClassifyTable(info), nil
}

func col(name, dataType string, opts ...string) adapters.ColumnInfo {
	c := adapters.ColumnInfo{Name: adapters.Column(name), DataType: dataType, ColumnType: dataType, Nullable: true, Collation: "utf8mb4_general_ci"}
	if dataType == "varchar" {
		c.MaxLength = 20
	}
	for _, o := range opts {
		switch o {
		case "notnull":
			c.Nullable = false
		case "default":
			c.HasDefault = true
		case "auto":
			c.AutoIncrement, c.Nullable = true, false
		case "bin":
			c.Collation = "utf8mb4_bin"
		}
	}
	return coltype.Classify(c)
}

var usersTable = adapters.TableInfo{Name: "users", Columns: []adapters.ColumnInfo{
	col("id", "int", "auto"),
	col("login", "varchar", "notnull", "bin"),
	col("first_name", "varchar"),
	col("status", "varchar", "notnull", "default"),
	col("locked", "tinyint", "notnull", "default"),
	col("email", "varchar"),
	col("emp_no", "int"),
	col("hired", "int"),
	col("updated", "datetime"),
}}

func compileUsers(t testing.TB, attrs map[string]AttributeConfig) *Resource {
	t.Helper()
	m, err := Compile(context.Background(), Config{User: &ResourceConfig{Table: "users", Attributes: attrs}}, fakeDB{"users": usersTable}, "resources")
	if err != nil {
		t.Fatal(err)
	}
	return m.User
}

func testResource(t testing.TB) *Resource {
	return compileUsers(t, map[string]AttributeConfig{
		"userName":                           {Column: "login"},
		"name.givenName":                     {Column: "first_name"},
		"active":                             {Column: "status", TrueValue: "on", FalseValue: "off"},
		"emails":                             {Column: "email", Type: "home"},
		EnterpriseSchema + ":employeeNumber": {Column: "emp_no"},
		"meta.lastModified":                  {Column: "updated"},
	})
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestToRecord(t *testing.T) {
	r := testResource(t)
	cases := []struct {
		name string
		doc  string
		mode Mode
		want adapters.Record
		err  string
	}{
		{
			"create", `{"userName":"Ann","name":{"givenName":"A"},"active":true,"emails":[{"value":"x@y","type":"work"},{"value":"p@y","primary":true}]}`, Create,
			adapters.Record{"login": "Ann", "first_name": "A", "status": "on", "email": "p@y"},
			"",
		},
		{
			"case-insensitive names, string boolean", `{"USERNAME":"Ann","Active":"False"}`, Create,
			adapters.Record{"login": "Ann", "status": "off"},
			"",
		},
		{
			"email of the mapped type when none is primary", `{"userName":"a","emails":[{"value":"w@y","type":"work"},{"value":"h@y","type":"home"}]}`, Create,
			adapters.Record{"login": "a", "email": "h@y"},
			"",
		},
		{
			"integer column from a string attribute", `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"0042"}}`, Create,
			adapters.Record{"login": "a", "emp_no": int64(42)},
			"",
		},
		{
			"replace clears nullable columns only", `{"userName":"a"}`, Replace,
			adapters.Record{"login": "a", "first_name": nil, "email": nil, "emp_no": nil},
			"",
		},
		{
			"known but unmapped attributes are ignored", `{"userName":"a","title":"x","groups":[],"password":"p","locale":"en"}`, Create,
			adapters.Record{"login": "a"},
			"",
		},
		{"read-only attributes are ignored", `{"userName":"a","id":"9","meta":{"created":"x"}}`, Create, adapters.Record{"login": "a"}, ""},
		{"missing userName", `{"name":{"givenName":"A"}}`, Create, nil, "userName: required"},
		{"too long", `{"userName":"123456789012345678901"}`, Create, nil, "userName: longer than the 20 characters"},
		{"non-integer employee number", `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E1"}}`, Create, nil, "stores urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber as an integer"},
		{"unknown attribute", `{"userName":"a","shoe":"x"}`, Create, nil, "shoe: unknown attribute"},
		{"unknown enterprise attribute", `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoe":"x"}}`, Create, nil, "User:shoe: unknown attribute"},
		{"wrong type in a sub-attribute", `{"userName":"a","name":{"givenName":5}}`, Create, nil, "name.givenName: expected a string, got a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.ToRecord(decode(t, c.doc), c.mode)
			if c.err != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want a FieldError containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v\nwant %#v", got, c.want)
			}
		})
	}
}

func TestFromRecord(t *testing.T) {
	r := testResource(t)
	doc := r.FromRecord(adapters.Record{
		"id": int64(7), "login": "ann", "first_name": "", "status": "on", "email": "a@b", "emp_no": int64(42),
		"updated": time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC),
	})
	want := map[string]any{
		"id":             "7",
		"schemas":        []any{UserSchema, EnterpriseSchema},
		"userName":       "ann",
		"active":         true,
		"emails":         []any{map[string]any{"value": "a@b", "type": "home", "primary": true}},
		EnterpriseSchema: map[string]any{"employeeNumber": "42"},
		"meta":           map[string]any{"resourceType": "User", "lastModified": "2024-02-03T04:05:06Z"},
	}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("got  %#v\nwant %#v", doc, want)
	}
}

func TestCompare(t *testing.T) {
	r := testResource(t)
	flag := compileUsers(t, map[string]AttributeConfig{"userName": {Column: "login"}, "active": {Column: "locked", TrueValue: 0, FalseValue: 1}})
	plain := compileUsers(t, map[string]AttributeConfig{"userName": {Column: "login"}, "active": {Column: "locked"}})
	isOn := adapters.Compare{Column: "status", Op: adapters.OpEq, Value: "on", Exact: true}
	cases := []struct {
		res  *Resource
		path string
		op   adapters.Op
		val  any
		want adapters.Expr
		err  string
	}{
		{r, "userName", "eq", "Ann", adapters.Compare{Column: "login", Op: "eq", Value: "Ann", Fold: true}, ""},
		{r, "urn:ietf:params:scim:schemas:core:2.0:User:USERNAME", "sw", "A", adapters.Compare{Column: "login", Op: "sw", Value: "A", Fold: true}, ""},
		{r, "id", "eq", "12", adapters.Compare{Column: "id", Op: "eq", Value: int64(12)}, ""},
		{r, "id", "eq", "x'; DROP TABLE users", adapters.Const(false), ""},
		{r, "id", "ne", "abc", adapters.Const(true), ""},
		{r, "active", "eq", true, isOn, ""},
		{r, "active", "eq", "False", adapters.Not{X: isOn}, ""},
		{r, "active", "ne", true, adapters.Not{X: isOn}, ""},
		{flag, "active", "eq", true, adapters.Compare{Column: "locked", Op: "eq", Value: int64(0), Exact: true}, ""},
		{plain, "active", "eq", true, adapters.Not{X: adapters.Or{Left: adapters.Compare{Column: "locked", Op: "eq", Value: int64(0)}, Right: adapters.Compare{Column: "locked", Op: "eq"}}}, ""},
		{r, "emails.value", "co", "@x", adapters.Compare{Column: "email", Op: "co", Value: "@x", Fold: true}, ""},
		{r, "emails.type", "eq", "HOME", adapters.Compare{Column: "email", Op: "pr"}, ""},
		{r, "emails.type", "eq", "work", adapters.Not{X: adapters.Compare{Column: "email", Op: "pr"}}, ""},
		{r, "meta.lastModified", "gt", "2024-01-01T00:00:00Z", adapters.Compare{Column: "updated", Op: "gt", Value: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, ""},
		{r, EnterpriseSchema + ":employeeNumber", "eq", "42", adapters.Compare{Column: "emp_no", Op: "eq", Value: int64(42)}, ""},
		{r, EnterpriseSchema + ":employeeNumber", "eq", "E42", adapters.Const(false), ""},
		{r, "title", "eq", "x", adapters.Const(false), ""},
		{r, "title", "ne", "x", adapters.Const(true), ""},
		{r, "title", "pr", nil, adapters.Const(false), ""},
		{r, "shoeSize", "eq", "x", nil, "unknown attribute"},
		{r, "active", "gt", true, nil, "boolean"},
		{r, "meta.lastModified", "eq", "yesterday", nil, "dateTime"},
		{r, "userName", "eq", 5.0, nil, "quoted"},
	}
	for _, c := range cases {
		got, err := c.res.Compare(c.path, c.op, c.val)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %s %v: err = %v, want %q", c.path, c.op, c.val, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s %v: %v", c.path, c.op, c.val, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s %v:\n got %#v\nwant %#v", c.path, c.op, c.val, got, c.want)
		}
	}
}

func TestChangesWritesOnlyWhatChanged(t *testing.T) {
	r := testResource(t)
	// A stored empty first name reads as unassigned; a PATCH that does not
	// touch it must not turn it into NULL.
	cur := adapters.Record{"id": int64(1), "login": "a", "first_name": "", "status": "weird", "email": nil}
	after := r.FromRecord(cur)
	after["userName"] = "b"
	got, err := r.Changes(cur, after)
	if err != nil {
		t.Fatal(err)
	}
	if want := (adapters.Record{"login": "b"}); !reflect.DeepEqual(got, want) {
		t.Errorf("changes %#v, want %#v", got, want)
	}
}

func TestCompileRequiredAndSchemas(t *testing.T) {
	r := testResource(t)
	defs := r.Schemas()
	var names []string
	for _, d := range defs[UserSchema] {
		names = append(names, d.Name)
		if d.Name == "userName" && !d.Required {
			t.Error("userName not required")
		}
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "userName") || strings.Contains(got, "title") {
		t.Errorf("User schema attributes %s", got)
	}
	if len(defs[EnterpriseSchema]) != 1 || r.Extensions()[0] != EnterpriseSchema {
		t.Errorf("enterprise schema: %v %v", defs[EnterpriseSchema], r.Extensions())
	}
	if r.Delete != DeleteRefuse {
		t.Errorf("default delete policy %q with active mapped, want refuse (deactivate only when asked for)", r.Delete)
	}
	noActive := compileUsers(t, map[string]AttributeConfig{"userName": {Column: "login"}})
	if noActive.Delete != DeleteRefuse {
		t.Errorf("default delete policy %q without active, want refuse", noActive.Delete)
	}
}
