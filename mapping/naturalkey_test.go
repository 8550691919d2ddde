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
	before := adapters.Record{"username": "jo@example.com", "name": "Jo"}
	after := u.FromRecord(before)
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

var tokensDB = fakeDB{"accounts": {Name: "accounts", Columns: []adapters.ColumnInfo{
	{Name: "id", DataType: "varchar", ColumnType: "varchar(26)", MaxLength: 26},
	{Name: "n", DataType: "int", ColumnType: "int(11)"},
	{Name: "login", DataType: "varchar", ColumnType: "varchar(64)", MaxLength: 64},
	{Name: "token", DataType: "char", ColumnType: "char(32)", MaxLength: 32},
	{Name: "born", DataType: "datetime", ColumnType: "datetime", Nullable: true},
}}}

func compileAccounts(id IDConfig, defaults map[string]DefaultConfig) (*Mapping, error) {
	return Compile(context.Background(), Config{User: &ResourceConfig{
		Table: "accounts", ID: id, Defaults: defaults,
		Attributes: map[string]AttributeConfig{"userName": {Column: "login"}},
	}}, tokensDB, "resources")
}

func TestGenerators(t *testing.T) {
	m, err := compileAccounts(IDConfig{Column: "id", Generate: "base32", Length: 26}, map[string]DefaultConfig{"token": {Generate: "uuid-hex"}, "n": {Value: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.User.Spec; s.KeyKind != adapters.KeyGenerated || s.KeyGen.Kind != "base32" || s.KeyGen.Length != 26 ||
		len(s.Defaults) != 2 || s.Defaults[1].Kind != adapters.DefaultGenerated || s.Defaults[1].Gen.Kind != "uuid-hex" {
		t.Errorf("compiled to %+v", s)
	}
	for _, tc := range []struct {
		name     string
		id       IDConfig
		defaults map[string]DefaultConfig
		want     string
	}{
		{"longer than the key", IDConfig{Column: "id", Generate: "uuid-hex"}, nil,
			`resources.User.id.generate: uuid-hex values have 32 characters, but "id" holds 26 (varchar(26)); expected a shorter generator or a wider column`},
		{"integer key", IDConfig{Column: "n", Generate: "ulid"}, nil,
			`resources.User.id.generate: ulid makes text, but "n" is int(11); expected generate: auto (an AUTO_INCREMENT key) or a character column`},
		{"no length", IDConfig{Column: "id", Generate: "hex"}, nil,
			`resources.User.id.length: hex needs a length between 1 and 255 (such as {generate: hex, length: 26}); got 0`},
		{"length of a ulid", IDConfig{Column: "id", Generate: "ulid", Length: 20}, nil,
			`resources.User.id.length: ulid values have 26 characters; expected no length`},
		{"unknown", IDConfig{Column: "id", Generate: "snowflake"}, nil,
			`resources.User.id.generate: unknown generator "snowflake"; expected auto, uuid, uuid-hex, ulid, hex, base32, base62`},
		{"default longer than its column", IDConfig{Column: "id", Generate: "ulid"}, map[string]DefaultConfig{"token": {Generate: "hex", Length: 40}},
			`resources.User.defaults.token.generate: hex values have 40 characters, but "token" holds 32 (char(32))`},
		{"default on a datetime", IDConfig{Column: "id", Generate: "ulid"}, map[string]DefaultConfig{"born": {Generate: "base62", Length: 10}},
			`resources.User.defaults.born.generate: base62 makes text, but "born" is datetime; expected a character column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileAccounts(tc.id, tc.defaults)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("problems %v; want %q", err, tc.want)
			}
		})
	}
}

func TestTimeUnitProblems(t *testing.T) {
	for _, tc := range []struct {
		name     string
		attrs    map[string]AttributeConfig
		defaults map[string]DefaultConfig
		want     string
	}{
		{"on a datetime", map[string]AttributeConfig{"meta.lastModified": {Column: "updated", TimeUnit: "milliseconds"}}, nil,
			`resources.User.attributes["meta.lastModified"].timeUnit: column "updated" is datetime, which holds times itself; expected timeUnit only for a time kept in an integer column`},
		{"unknown unit", map[string]AttributeConfig{"meta.created": {Column: "hired", TimeUnit: "ms"}}, nil,
			`resources.User.attributes["meta.created"].timeUnit: unknown unit "ms"; expected seconds or milliseconds`},
		{"not a time", map[string]AttributeConfig{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": {Column: "emp_no", TimeUnit: "seconds"}}, nil,
			`.timeUnit: applies only to a time: a dateTime attribute or activeWhenNull`},
		{"default that is no time", nil, map[string]DefaultConfig{"email": {Value: "x", TimeUnit: "milliseconds"}},
			`resources.User.defaults.email.timeUnit: applies only to generate: now`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string]AttributeConfig{"userName": {Column: "login"}}
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			_, err := Compile(context.Background(), Config{User: &ResourceConfig{Table: "users", Attributes: attrs, Defaults: tc.defaults}}, fakeDB{"users": usersTable}, "resources")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("problems %v; want %q", err, tc.want)
			}
		})
	}
}

func TestAddressTransforms(t *testing.T) {
	m, err := Compile(context.Background(), Config{User: &ResourceConfig{
		Table: "mailbox", ID: IDConfig{Column: "username"},
		Attributes: map[string]AttributeConfig{"userName": {Column: "username", Transform: "lower"}},
		Computed:   map[string]string{"name": "{userName|lower|domain}/{userName|lower|localpart}/"},
	}}, mailboxDB, "resources")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := m.User.ToRecord(decode(t, `{"userName":"Jo.Smith@Example.com"}`), Create)
	if err != nil || rec["name"] != "example.com/jo.smith/" {
		t.Errorf("record %v, %v; want name example.com/jo.smith/", rec, err)
	}
	for in, want := range map[string][2]string{"a@b@c.org": {"a@b", "c.org"}, "nobody": {"nobody", ""}} {
		if l, d := transform("localpart", in), transform("domain", in); l != want[0] || d != want[1] {
			t.Errorf("%q: localpart %q, domain %q; want %q", in, l, d, want)
		}
	}
	_, err = Compile(context.Background(), Config{User: &ResourceConfig{
		Table: "mailbox", ID: IDConfig{Column: "username"},
		Attributes: map[string]AttributeConfig{"userName": {Column: "username"}},
		Computed:   map[string]string{"name": "{userName|host}"},
	}}, mailboxDB, "resources")
	if want := `resources.User.computed.name: unknown transform "host" in {userName|host}`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("problems %v; want %q", err, want)
	}
}
