package mapping

import (
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// computedDB has a users table with a running number and a nullable
// nickname, a groups table, and a membership table with a per-user
// position and copies of the user's login and the group's name.
var computedDB = fakeDB{
	"users": {Name: "users", Columns: []adapters.ColumnInfo{
		{Name: "id", DataType: "int", ColumnType: "int(11)", AutoIncrement: true},
		{Name: "login", DataType: "varchar", ColumnType: "varchar(64)", MaxLength: 64, Collation: "utf8mb4_general_ci"},
		{Name: "nick", DataType: "varchar", ColumnType: "varchar(64)", MaxLength: 64, Nullable: true, Collation: "utf8mb4_general_ci"},
		{Name: "seq", DataType: "int", ColumnType: "int(11)"},
		{Name: "login_copy", DataType: "varchar", ColumnType: "varchar(64)", MaxLength: 64, Collation: "utf8mb4_general_ci"},
		{Name: "nick_copy", DataType: "varchar", ColumnType: "varchar(64)", MaxLength: 64, Collation: "utf8mb4_general_ci"},
	}},
	"groups": {Name: "groups", Columns: []adapters.ColumnInfo{
		{Name: "id", DataType: "int", ColumnType: "int(11)", AutoIncrement: true},
		{Name: "name", DataType: "varchar", ColumnType: "varchar(64)", MaxLength: 64, Collation: "utf8mb4_general_ci"},
	}},
	"members": {Name: "members", Columns: []adapters.ColumnInfo{
		{Name: "group_id", DataType: "int", ColumnType: "int(11)"},
		{Name: "user_id", DataType: "int", ColumnType: "int(11)"},
		{Name: "sortorder", DataType: "int", ColumnType: "int(11)"},
		{Name: "login", DataType: "varchar", ColumnType: "varchar(100)", MaxLength: 100, Collation: "utf8mb4_general_ci"},
		{Name: "group_name", DataType: "varchar", ColumnType: "varchar(64)", MaxLength: 64, Collation: "utf8mb4_general_ci"},
	}},
}

// TestComputedDefaultsCompile: generate: next and copy compile into the
// specs the store runs (a membership's number per user unless per says
// group), and a copy of a nullable column into a NOT NULL one without a
// default is warned about, since a create leaving it out is refused.
func TestComputedDefaultsCompile(t *testing.T) {
	cfg := Config{
		User: &ResourceConfig{Table: "users",
			Attributes: map[string]AttributeConfig{"userName": {Column: "login"}, "nickName": {Column: "nick"}},
			Defaults: map[string]DefaultConfig{
				"seq":        {Generate: GenerateNext},
				"login_copy": {Copy: "login"},
				"nick_copy":  {Copy: "nick"},
			}},
		Group: &ResourceConfig{Table: "groups", ID: IDConfig{Prefix: "g-"},
			Attributes: map[string]AttributeConfig{"displayName": {Column: "name"}},
			Members: &MembersConfig{Table: "members", Group: "group_id", User: "user_id", Defaults: map[string]DefaultConfig{
				"sortorder":  {Generate: GenerateNext},
				"login":      {Copy: "user.login"},
				"group_name": {Copy: "group.name"},
			}}},
	}
	ws := compileWarnings(t, cfg, computedDB)
	if !hasWarning(ws, "resources.User.defaults.nick_copy.copy", `"nick" may be NULL`) {
		t.Errorf("no warning about copying nick into a NOT NULL column: %q", ws)
	}
	if hasWarning(ws, "login_copy") {
		t.Errorf("a warning about copying the NOT NULL login: %q", ws)
	}
	m, err := Compile(t.Context(), cfg, computedDB, "resources")
	if err != nil {
		t.Fatal(err)
	}
	byCol := func(ds []adapters.Default) map[adapters.Column]adapters.Default {
		out := map[adapters.Column]adapters.Default{}
		for _, d := range ds {
			out[d.Column] = d
		}
		return out
	}
	u := byCol(m.User.Spec.Defaults)
	if d := u["seq"]; d.Kind != adapters.DefaultNext || d.Per != adapters.NextPerParent {
		t.Errorf("seq %+v, want the table's next number", d)
	}
	if d := u["login_copy"]; d.Kind != adapters.DefaultCopy || d.From != "login" || d.FromRow != adapters.CopyRow {
		t.Errorf("login_copy %+v, want a copy of login", d)
	}
	j := byCol(m.Group.Spec.Members.JoinDefaults)
	if d := j["sortorder"]; d.Kind != adapters.DefaultNext || d.Per != adapters.NextPerUser {
		t.Errorf("sortorder %+v, want the user's next number", d)
	}
	if d := j["login"]; d.Kind != adapters.DefaultCopy || d.From != "login" || d.FromRow != adapters.CopyUser {
		t.Errorf("login %+v, want a copy of the user's login", d)
	}
	if d := j["group_name"]; d.Kind != adapters.DefaultCopy || d.From != "name" || d.FromRow != adapters.CopyGroup {
		t.Errorf("group_name %+v, want a copy of the group's name", d)
	}

	cfg.Group.Members.Defaults["sortorder"] = DefaultConfig{Generate: GenerateNext, Per: adapters.NextPerGroup}
	if m, err = Compile(t.Context(), cfg, computedDB, "resources"); err != nil {
		t.Fatal(err)
	}
	if d := byCol(m.Group.Spec.Members.JoinDefaults)["sortorder"]; d.Per != adapters.NextPerGroup {
		t.Errorf("sortorder with per: group %+v", d)
	}
}
