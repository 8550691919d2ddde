package mapping

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

var rolesTable = adapters.TableInfo{Name: "roles", Columns: []adapters.ColumnInfo{
	col("id", "int", "auto"),
	col("name", "varchar", "notnull"),
}}

func joinTable(userCol adapters.ColumnInfo) adapters.TableInfo {
	return adapters.TableInfo{Name: "user_roles", Columns: []adapters.ColumnInfo{col("role_id", "int", "notnull"), userCol}}
}

func compileWarnings(t *testing.T, cfg Config, db fakeDB) []string {
	t.Helper()
	m, err := Compile(context.Background(), cfg, db, "resources")
	if err != nil {
		t.Fatal(err)
	}
	return m.Warnings
}

func hasWarning(ws []string, parts ...string) bool {
	return slices.ContainsFunc(ws, func(w string) bool {
		for _, p := range parts {
			if !strings.Contains(w, p) {
				return false
			}
		}
		return true
	})
}

// TestWarnings: check warns about what works but surprises: overlapping
// id spaces, joins across collations, delete: deactivate, and a User
// without active.
func TestWarnings(t *testing.T) {
	users := &ResourceConfig{Table: "users", Attributes: map[string]AttributeConfig{"userName": {Column: "login"}}}
	group := func(prefix string) *ResourceConfig {
		return &ResourceConfig{Table: "roles", ID: IDConfig{Prefix: prefix}, Attributes: map[string]AttributeConfig{"displayName": {Column: "name"}},
			Members: &MembersConfig{Table: "user_roles", Group: "role_id", User: "user_id"}}
	}
	intJoin := fakeDB{"users": usersTable, "roles": rolesTable, "user_roles": joinTable(col("user_id", "int", "notnull"))}
	ws := compileWarnings(t, Config{User: users, Group: group("")}, intJoin)
	if !hasWarning(ws, "resources.Group.id", "User ids (integer keys of users) and Group ids (integer keys of roles) can be equal", "prefix") {
		t.Errorf("no warning about overlapping ids: %q", ws)
	}
	if !hasWarning(ws, "resources.User.delete", "405") || !hasWarning(ws, "resources.User.attributes", "active is not mapped") {
		t.Errorf("no warning about DELETE or a missing active: %q", ws)
	}
	if ws := compileWarnings(t, Config{User: users, Group: group("g-")}, intJoin); hasWarning(ws, "can be equal") {
		t.Errorf("warning about ids with a prefix g-: %q", ws)
	}
	if ws := compileWarnings(t, Config{User: users, Group: group("1")}, intJoin); !hasWarning(ws, "can be equal") {
		t.Errorf("no warning with a prefix an integer id can start with: %q", ws)
	}

	// The join table's copy of the key in another collation (and a
	// varchar copy of an integer key).
	ci := col("user_id", "varchar", "notnull")
	ws = compileWarnings(t, Config{User: users, Group: group("g-")}, fakeDB{"users": usersTable, "roles": rolesTable, "user_roles": joinTable(ci)})
	if !hasWarning(ws, "resources.Group.members.user", "user_roles.user_id is varchar but users.id is int") {
		t.Errorf("no warning about a varchar copy of an integer key: %q", ws)
	}
	strUsers := adapters.TableInfo{Name: "users", Columns: []adapters.ColumnInfo{col("id", "char", "notnull"), col("login", "varchar", "notnull")}}
	strUsers.Columns[0].MaxLength = 36
	strUsers.Columns[0].Collation = "utf8mb4_unicode_ci"
	uuidUsers := &ResourceConfig{Table: "users", ID: IDConfig{Generate: GenerateUUID}, Attributes: users.Attributes}
	ws = compileWarnings(t, Config{User: uuidUsers, Group: group("g-")}, fakeDB{"users": strUsers, "roles": rolesTable, "user_roles": joinTable(ci)})
	if !hasWarning(ws, "user_roles.user_id is utf8mb4_general_ci but users.id is utf8mb4_unicode_ci", "COLLATE utf8mb4_unicode_ci") {
		t.Errorf("no warning about the collations: %q", ws)
	}

	deactivate := &ResourceConfig{Table: "users", Delete: DeleteConfig{Policy: DeleteDeactivate}, Attributes: map[string]AttributeConfig{
		"userName": {Column: "login"}, "active": {Column: "locked", TrueValue: int64(0), FalseValue: int64(1)}}}
	if ws := compileWarnings(t, Config{User: deactivate}, fakeDB{"users": usersTable}); !hasWarning(ws, "resources.User.delete", "not RFC 7644") {
		t.Errorf("no warning about delete: deactivate: %q", ws)
	}
}

// TestTypedValuePath: emails[type eq "work"].value is the work entry,
// never another one, and may share its column with userName.
func TestTypedValuePath(t *testing.T) {
	r := compileUsers(t, map[string]AttributeConfig{
		"userName":                     {Column: "login"},
		`emails[type eq "work"].value`: {Column: "login"},
	})
	rec, err := r.ToRecord(decode(t, `{"userName":"a@x","emails":[{"value":"h@x","type":"home","primary":true},{"value":"a@x","type":"work"}]}`), Create)
	if err != nil || rec["login"] != "a@x" {
		t.Fatalf("create: %v %v", rec, err)
	}
	if _, err := r.ToRecord(decode(t, `{"userName":"a@x","emails":[{"value":"b@x","type":"work"}]}`), Create); err == nil || !strings.Contains(err.Error(), "emails and userName are one value") {
		t.Errorf("disagreeing values: %v", err)
	}
	doc := r.FromRecord(adapters.Record{"id": int64(1), "login": "a@x"})
	emails, _ := doc["emails"].([]any)
	if len(emails) != 1 || emails[0].(map[string]any)["type"] != "work" || doc["userName"] != "a@x" {
		t.Errorf("read back: %v", doc)
	}
	for _, c := range []struct {
		attrs map[string]AttributeConfig
		want  string
	}{
		{map[string]AttributeConfig{"userName": {Column: "login"}, "active": {Column: "login", TrueValue: "a", FalseValue: "b"}}, "only string attributes"},
		{map[string]AttributeConfig{"userName": {Column: "login", Transform: "lower"}, "displayName": {Column: "login"}}, "expected the same transform"},
		{map[string]AttributeConfig{"userName": {Column: "login"}, `title[type eq "work"].value`: {Column: "email"}}, "only a multi-valued attribute"},
	} {
		_, err := Compile(context.Background(), Config{User: &ResourceConfig{Table: "users", Attributes: c.attrs}}, fakeDB{"users": usersTable}, "resources")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a problem saying %q", c.attrs, err, c.want)
		}
	}
}

// TestConditionsHold checks the Go evaluation of scope conditions that
// compile-time checks rest on, against SQL's meaning.
func TestConditionsHold(t *testing.T) {
	num := col("t", "tinyint")
	ci := col("s", "varchar")
	for _, c := range []struct {
		cond adapters.Condition
		ci   adapters.ColumnInfo
		v    any
		want bool
	}{
		{adapters.Condition{Op: adapters.CondIn, Values: []any{int64(0), int64(3)}}, num, int64(3), true},
		{adapters.Condition{Op: adapters.CondIn, Values: []any{int64(0), int64(3)}}, num, nil, false},
		{adapters.Condition{Op: adapters.CondNotIn, Values: []any{int64(2)}}, num, nil, true},
		{adapters.Condition{Op: adapters.CondNotIn, Values: []any{int64(2)}}, num, "2", false},
		{adapters.Condition{Op: adapters.CondGt, Values: []any{int64(1)}}, num, int64(10), true},
		{adapters.Condition{Op: adapters.CondGt, Values: []any{int64(9)}}, num, int64(10), true},
		{adapters.Condition{Op: adapters.CondNe, Values: []any{"Deleted"}}, ci, "deleted", false},
		{adapters.Condition{Op: adapters.CondNe, Values: []any{"deleted"}}, ci, nil, true},
		{adapters.Condition{Op: adapters.CondNull}, ci, nil, true},
		{adapters.Condition{Op: adapters.CondNotNull}, ci, "", true},
	} {
		if got := holds(c.cond, c.ci, c.v); got != c.want {
			t.Errorf("%s %v on %v: %v, want %v", c.cond.Op, c.cond.Values, c.v, got, c.want)
		}
	}
}

// TestChildPrimaryColumn: a child table's primary value is also kept in
// a column of the resource's own row, as Gitea keeps user.email.
func TestChildPrimaryColumn(t *testing.T) {
	emails := adapters.TableInfo{Name: "email_address", Columns: []adapters.ColumnInfo{
		col("id", "int", "auto"), col("uid", "int", "notnull"), col("email", "varchar", "notnull"),
		col("lower_email", "varchar", "notnull"), col("is_primary", "tinyint", "notnull", "default"),
	}}
	users := adapters.TableInfo{Name: "users", Columns: []adapters.ColumnInfo{
		col("id", "int", "auto"), col("login", "varchar", "notnull"), col("email", "varchar", "notnull"),
	}}
	m, err := Compile(context.Background(), Config{User: &ResourceConfig{Table: "users", Attributes: map[string]AttributeConfig{
		"userName": {Column: "login"},
		"emails": {Child: &ChildConfig{Table: "email_address", Parent: "uid", Value: "email", Primary: "is_primary",
			Also: []ColumnConfig{{Column: "lower_email", Transform: "lower"}}, PrimaryColumn: "email"}},
	}}}, fakeDB{"users": users, "email_address": emails}, "resources")
	if err != nil {
		t.Fatal(err)
	}
	r := m.User
	rec, err := r.ToRecord(decode(t, `{"userName":"a","emails":[{"value":"Home@X","type":"home"},{"value":"Work@X","primary":true}]}`), Create)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := rec["@emails"].([]adapters.Record)
	if rec["email"] != "Work@X" || len(rows) != 2 || rows[1]["lower_email"] != "work@x" || rows[1]["is_primary"] != int64(1) {
		t.Errorf("create: %#v", rec)
	}
	// Without emails a NOT NULL copy without a default is written empty.
	rec, err = r.ToRecord(decode(t, `{"userName":"a"}`), Create)
	if err != nil || rec["email"] != "" {
		t.Errorf("create without emails: %#v %v", rec, err)
	}
	cur := adapters.Record{"id": int64(1), "login": "a", "email": "w@x", "@emails": []adapters.Record{{"email": "w@x", "lower_email": "w@x", "is_primary": int64(1)}}}
	if got := r.FromRecord(cur)["emails"]; got == nil {
		t.Fatalf("the stored row reads without emails")
	}
	after := map[string]any{"userName": "a"}
	ch, err := r.Changes(cur, after)
	if err != nil || ch["email"] != "" || ch["@emails"] != nil {
		t.Errorf("removing emails: %#v %v", ch, err)
	}
}
