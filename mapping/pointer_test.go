package mapping

import (
	"context"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// pointerDB is osTicket's ost_user and ost_user_email, reduced.
var pointerDB = fakeDB{
	"people": {Name: "people", Columns: []adapters.ColumnInfo{
		col("id", "int", "auto"),
		col("login", "varchar", "notnull"),
		col("default_email_id", "int", "notnull"),
		col("maybe_email_id", "int"),
		col("email_code", "varchar"),
		col("flag", "tinyint"),
	}},
	"addrs": {Name: "addrs", Columns: []adapters.ColumnInfo{
		col("id", "int", "auto"),
		col("user_id", "int", "notnull"),
		col("address", "varchar", "notnull"),
		col("is_primary", "tinyint", "notnull", "default"),
	}, Indexes: []adapters.IndexInfo{{Name: "PRIMARY", Unique: true, Columns: []adapters.Column{"id"}}}},
}

func compilePointer(child ChildConfig) (*Mapping, error) {
	var defs map[string]DefaultConfig
	if child.PrimaryRef.Column != "default_email_id" {
		defs = map[string]DefaultConfig{"default_email_id": {Value: 0}}
	}
	return Compile(context.Background(), Config{User: &ResourceConfig{
		Table: "people", ID: IDConfig{Column: "id"}, Defaults: defs,
		Attributes: map[string]AttributeConfig{"userName": {Column: "login"}, "emails": {Child: &child}},
	}}, pointerDB, "resources")
}

// TestPointerCompile: child.primaryRef puts a computed primary flag in the
// child rows, the pointer in the child spec, and the none value into a
// created row's column.
func TestPointerCompile(t *testing.T) {
	m, err := compilePointer(ChildConfig{Table: "addrs", Parent: "user_id", Value: "address", PrimaryRef: &PrimaryRefConfig{Column: "default_email_id", None: 0}})
	if err != nil {
		t.Fatal(err)
	}
	specs := m.User.Spec.Children
	if len(specs) != 1 || specs[0].Pointer == nil {
		t.Fatalf("children %+v", specs)
	}
	p := specs[0].Pointer
	if p.Column != "default_email_id" || p.Key != "id" || p.Flag != pointerFlag || p.None != int64(0) || specs[0].Order != pointerFlag {
		t.Errorf("pointer %+v, order %q", p, specs[0].Order)
	}
	rec, err := m.User.ToRecord(decode(t, `{"userName":"kim","emails":[{"value":"a@x"},{"value":"b@x","primary":true}]}`), Create)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := rec["@emails"].([]adapters.Record)
	if rec["default_email_id"] != int64(0) || len(rows) != 2 || rows[1][pointerFlag] != int64(1) || rows[0][pointerFlag] != int64(0) {
		t.Errorf("create record %v", rec)
	}
	doc := m.User.FromRecord(adapters.Record{"id": int64(1), "login": "kim", "@emails": []adapters.Record{
		{"address": "a@x", pointerFlag: int64(0)}, {"address": "b@x", pointerFlag: int64(1)}}})
	if got := primaryValue(doc["emails"]); got != "b@x" {
		t.Errorf("read primary %v in %v", got, doc["emails"])
	}
}

// TestPointerInvalid: every mistake in child.primaryRef is reported at
// load, with its YAML path and what was expected.
func TestPointerInvalid(t *testing.T) {
	base := ChildConfig{Table: "addrs", Parent: "user_id", Value: "address"}
	const at = `resources.User.attributes["emails"].child.`
	for _, c := range []struct {
		name string
		ref  PrimaryRefConfig
		edit func(*ChildConfig)
		want string
	}{
		{"missing column", PrimaryRefConfig{None: 0}, nil, at + "primaryRef.column: missing"},
		{"unknown column", PrimaryRefConfig{Column: "nope", None: 0}, nil, at + `primaryRef.column: column "nope"`},
		{"not null without none", PrimaryRefConfig{Column: "default_email_id"}, nil, at + `primaryRef.none: missing, and column "default_email_id" is NOT NULL`},
		{"character column for an integer key", PrimaryRefConfig{Column: "email_code"}, nil, at + `primaryRef.column: column "email_code" is varchar, but the key "id" it holds is int; expected an integer column`},
		{"none out of range", PrimaryRefConfig{Column: "flag", None: 300}, nil, at + `primaryRef.none: column "flag" is tinyint, which holds -128 to 127`},
		{"none not a number", PrimaryRefConfig{Column: "default_email_id", None: "x"}, nil, at + `primaryRef.none: column "default_email_id" is int; expected an integer`},
		{"the resource's key", PrimaryRefConfig{Column: "id", None: 0}, nil, at + `primaryRef.column: column "id" is the resource's key`},
		{"with primary", PrimaryRefConfig{Column: "maybe_email_id"}, func(c *ChildConfig) { c.Primary = "is_primary" }, at + "primary: given with primaryRef"},
		{"unknown key", PrimaryRefConfig{Column: "maybe_email_id"}, func(c *ChildConfig) { c.Key = "uid" }, at + `key: column "uid"`},
		{"with link", PrimaryRefConfig{Column: "maybe_email_id"}, func(c *ChildConfig) { c.Link = &LinkConfig{Table: "addrs"} }, at + "primaryRef: not supported with link"},
	} {
		cc := base
		ref := c.ref
		cc.PrimaryRef = &ref
		if c.edit != nil {
			c.edit(&cc)
		}
		_, err := compilePointer(cc)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %q", c.name, err, c.want)
		}
	}
	// A nullable column needs no none: NULL is it.
	if _, err := compilePointer(ChildConfig{Table: "addrs", Parent: "user_id", Value: "address", PrimaryRef: &PrimaryRefConfig{Column: "maybe_email_id"}}); err != nil {
		t.Errorf("a nullable pointer: %v", err)
	}
}
