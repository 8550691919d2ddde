package scim

import (
	"context"
	"errors"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/coltype"
	"github.com/scimbridge/scimbridge/mapping"
)

type fakeDB map[adapters.Table]adapters.TableInfo

func (f fakeDB) Describe(_ context.Context, t adapters.Table) (adapters.TableInfo, error) {
	if info, ok := f[t]; ok {
		return coltype.ClassifyTable(info), nil
	}
	return adapters.TableInfo{}, adapters.ErrNotFound
}

// fuzzResource is a compiled User mapping over a described (not real)
// table, enough to translate filters and PATCH documents.
func fuzzResource(t testing.TB) *mapping.Resource {
	t.Helper()
	str := func(n string) adapters.ColumnInfo {
		return adapters.ColumnInfo{Name: adapters.Column(n), DataType: "varchar", ColumnType: "varchar(100)", Nullable: true, MaxLength: 100, Collation: "utf8mb4_bin"}
	}
	info := adapters.TableInfo{Name: "users", Columns: []adapters.ColumnInfo{
		{Name: "id", DataType: "int", ColumnType: "int", AutoIncrement: true},
		str("login"), str("first"), str("email"), str("ext"),
		{Name: "status", DataType: "tinyint", ColumnType: "tinyint(1)", Nullable: true},
		{Name: "updated", DataType: "datetime", ColumnType: "datetime", Nullable: true},
	}}
	cfg := mapping.Config{User: &mapping.ResourceConfig{Table: "users", Attributes: map[string]mapping.AttributeConfig{
		"userName": {Column: "login"}, "name.givenName": {Column: "first"}, "emails": {Column: "email"},
		"externalId": {Column: "ext"}, "active": {Column: "status"}, "meta.lastModified": {Column: "updated"},
	}}}
	m, err := mapping.Compile(context.Background(), cfg, fakeDB{"users": info}, "resources")
	if err != nil {
		t.Fatal(err)
	}
	return m.User
}

// acceptable reports whether err is one the SCIM layer answers with a 4xx.
func acceptable(err error) bool {
	var se *Error
	var fe *mapping.FieldError
	if errors.As(err, &se) {
		return se.Status >= 400 && se.Status < 500
	}
	return errors.As(err, &fe)
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		`userName eq "bjensen"`, `name.givenName co "a" and not (active eq false)`,
		`emails[type eq "work" and value co "@example.com"]`, `meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, `id eq "1" or externalId pr`,
		`userName eq x`, `emails[type eq "work"].value eq "a"`, `((((`, `title eq "%_\\"`, "userName eq \"\x00\xff\"",
	} {
		f.Add(s)
	}
	r := fuzzResource(f)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := parseFilter(r, s); err != nil && !acceptable(err) {
			t.Fatalf("filter %q: unexpected error %v", s, err)
		}
	})
}

func FuzzPatch(f *testing.F) {
	for _, s := range []string{
		`{"Operations":[{"op":"replace","value":{"active":false}}]}`,
		`{"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"a@b"}]}`,
		`{"Operations":[{"op":"add","value":{"name.givenName":"x","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"d"}}]}`,
		`{"Operations":[{"op":"remove","path":"name.givenName"},{"op":"remove","path":"emails[value eq \"x\"]"}]}`,
		`{"Operations":[{"op":"replace","path":"name","value":{"givenName":7}}]}`,
		`{"Operations":[{"op":"add","path":"userName","value":["a"]}]}`,
	} {
		f.Add(s)
	}
	r := fuzzResource(f)
	cur := adapters.Record{"id": int64(1), "login": "a", "first": "b", "email": "c@d", "ext": nil, "status": int64(1), "updated": nil}
	f.Fuzz(func(t *testing.T, body string) {
		doc := func() map[string]any { return r.FromRecord(cur) }
		var m map[string]any
		if err := decodeInto(body, &m); err != nil || m == nil {
			return
		}
		ops, err := parsePatch(m)
		if err != nil {
			if !acceptable(err) {
				t.Fatalf("parse %s: %v", body, err)
			}
			return
		}
		after := doc()
		if err := (patcher{schema: r.Schema}).apply(after, ops); err != nil {
			if !acceptable(err) {
				t.Fatalf("apply %s: %v", body, err)
			}
			return
		}
		if _, err := r.Changes(cur, after); err != nil && !acceptable(err) {
			t.Fatalf("changes %s: %v", body, err)
		}
	})
}
