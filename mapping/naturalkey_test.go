package mapping

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

var mailboxDB = fakeDB{
	"mailbox": {Name: "mailbox", Columns: []adapters.ColumnInfo{
		{Name: "username", DataType: "varchar", ColumnType: "varchar(255)", MaxLength: 255, Collation: "utf8mb4_general_ci"},
		{Name: "name", DataType: "varchar", ColumnType: "varchar(255)", MaxLength: 255, Nullable: true, Collation: "utf8mb4_general_ci"},
		{Name: "serial", DataType: "int", ColumnType: "int(11)", AutoIncrement: true},
	}},
	"alias": {Name: "alias", Columns: []adapters.ColumnInfo{
		{Name: "address", DataType: "varchar", ColumnType: "varchar(255)", MaxLength: 255},
		{Name: "goto", DataType: "text", ColumnType: "text", MaxLength: 65535},
		{Name: "short", DataType: "varchar", ColumnType: "varchar(20)", MaxLength: 20},
		{Name: "n", DataType: "int", ColumnType: "int(11)"},
	}},
}

func compileMailbox(id IDConfig) (*Mapping, error) {
	return Compile(context.Background(), Config{User: &ResourceConfig{
		Table: "mailbox", ID: id,
		Attributes: map[string]AttributeConfig{"userName": {Column: "username", Transform: "lower"}, "displayName": {Column: "name"}},
	}}, mailboxDB, "resources")
}

func TestNaturalKey(t *testing.T) {
	m, err := compileMailbox(IDConfig{Column: "username"})
	if err != nil {
		t.Fatal(err)
	}
	u := m.User
	if u.Spec.KeyKind != adapters.KeyProvided || u.Spec.RenameKey {
		t.Errorf("key kind %v, rename %v; want a provided key that is not renamed", u.Spec.KeyKind, u.Spec.RenameKey)
	}
	rec, err := u.ToRecord(decode(t, `{"userName":"Jo@Example.com"}`), Create)
	if err != nil || rec["username"] != "jo@example.com" {
		t.Errorf("create record %v, %v; want the lower-cased login as the key", rec, err)
	}
	before := u.FromRecord(adapters.Record{"username": "jo@example.com", "name": "Jo"})
	after := u.FromRecord(adapters.Record{"username": "jo@example.com", "name": "Jo"})
	after["userName"] = "joe@example.com"
	var fe *FieldError
	if _, err := u.Changes(before, after); !errors.As(err, &fe) || fe.ScimType != ScimMutability {
		t.Errorf("rename without renames: %v, want a mutability error", err)
	}
	after["userName"] = "JO@example.com"
	if rec, err := u.Changes(before, after); err != nil || rec["username"] != "jo@example.com" {
		t.Errorf("the login in capitals: %v, %v; want the same key", rec, err)
	}

	m, err = compileMailbox(IDConfig{Column: "username", Renames: []RenameConfig{{Table: "alias", Column: "goto"}}})
	if err != nil {
		t.Fatal(err)
	}
	if u := m.User; !u.Spec.RenameKey || len(u.Spec.KeyRefs) != 1 || u.Spec.KeyRefs[0] != (adapters.ColumnRef{Table: "alias", Column: "goto"}) {
		t.Errorf("renames compiled to %v %v", u.Spec.RenameKey, u.Spec.KeyRefs)
	}
}

func TestNaturalKeyProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   IDConfig
		want []string
	}{
		{"uuid over the login", IDConfig{Column: "username", Generate: "uuid"},
			[]string{`resources.User.id.generate: "uuid" makes keys, but the key column "username" is where userName is stored`}},
		{"auto over the login", IDConfig{Column: "username", Generate: "auto"},
			[]string{`resources.User.id.generate: "auto" makes keys`}},
		{"renames of a generated key", IDConfig{Column: "serial", Renames: []RenameConfig{}},
			[]string{`resources.User.id.renames: the key "serial" is not natural`}},
		{"bad renames", IDConfig{Column: "username", Renames: []RenameConfig{
			{Table: "aliases", Column: "goto"}, {Table: "alias", Column: "gotoo"}, {Table: "alias", Column: "short"},
			{Table: "alias", Column: "n"}, {Table: "mailbox", Column: "username"}, {Table: "alias"},
		}}, []string{
			`resources.User.id.renames[0].table: table "aliases" not found`,
			`resources.User.id.renames[1].column: column "gotoo" not in table alias; did you mean "goto"?`,
			`resources.User.id.renames[2].column: column "short" holds 20 characters but the key "username" up to 255`,
			`resources.User.id.renames[3].column: column "n" is int(11) but the key "username" is varchar(255)`,
			`resources.User.id.renames[4].column: "username" is the key itself`,
			`resources.User.id.renames[5]: expected {table, column}`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileMailbox(tc.id)
			if err == nil {
				t.Fatal("compiled")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems lack %q:\n%v", w, err)
				}
			}
		})
	}
}
