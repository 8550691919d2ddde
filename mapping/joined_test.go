package mapping

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// entityDB is Guacamole's entity and user tables, and a membership table.
var entityDB = fakeDB{
	"entity": {Name: "entity", Columns: []adapters.ColumnInfo{
		{Name: "entity_id", DataType: "int", ColumnType: "int(11)", AutoIncrement: true},
		{Name: "name", DataType: "varchar", ColumnType: "varchar(128)", MaxLength: 128, Collation: "utf8mb4_general_ci"},
		{Name: "type", DataType: "enum", ColumnType: "enum('USER','USER_GROUP')", MaxLength: 10, Collation: "utf8mb4_general_ci"},
	}},
	"account": {Name: "account", Columns: []adapters.ColumnInfo{
		{Name: "user_id", DataType: "int", ColumnType: "int(11)", AutoIncrement: true},
		{Name: "entity_id", DataType: "int", ColumnType: "int(11)"},
		{Name: "full_name", DataType: "varchar", ColumnType: "varchar(256)", MaxLength: 256, Nullable: true, Collation: "utf8mb4_general_ci"},
		{Name: "password_date", DataType: "datetime", ColumnType: "datetime"},
	}, Indexes: []adapters.IndexInfo{{Name: "single", Unique: true, Columns: []adapters.Column{"entity_id"}}}},
	"member": {Name: "member", Columns: []adapters.ColumnInfo{
		{Name: "group_id", DataType: "int", ColumnType: "int(11)"},
		{Name: "member_id", DataType: "int", ColumnType: "int(11)"},
	}},
}

func compileEntities(groupDisplay string) (*Mapping, error) {
	joined := []JoinedConfig{{Table: "account", Key: "entity_id", Defaults: map[string]DefaultConfig{"password_date": {Generate: GenerateNow}}}}
	return Compile(context.Background(), Config{
		User: &ResourceConfig{
			Table: "entity", ID: IDConfig{Column: "entity_id"}, Scope: map[string]ScopeValue{"type": {Const: "USER", Constant: true}},
			Joined:     joined,
			Attributes: map[string]AttributeConfig{"userName": {Column: "name"}, "displayName": {Column: "account.full_name"}},
		},
		Group: &ResourceConfig{
			Table: "entity", ID: IDConfig{Column: "entity_id", Prefix: "g-"}, Scope: map[string]ScopeValue{"type": {Const: "USER_GROUP", Constant: true}},
			Joined:     joined,
			Attributes: map[string]AttributeConfig{"displayName": {Column: groupDisplay}},
			Members:    &MembersConfig{Table: "member", Group: "group_id", User: "member_id"},
		},
	}, entityDB, "resources")
}

// TestJoinedCompile: a joined column travels under its Record key, the
// joined table's spec lists what is read and written, and the members'
// display falls back from a joined displayName to a column of the users'
// own table; a group's displayName, read with memberships, may not be
// joined.
func TestJoinedCompile(t *testing.T) {
	m, err := compileEntities("name")
	if err != nil {
		t.Fatal(err)
	}
	u := m.User
	if len(u.Spec.Joined) != 1 {
		t.Fatalf("joined %v, want one table", u.Spec.Joined)
	}
	j := u.Spec.Joined[0]
	if j.Table != "account" || j.Key != "entity_id" || !slices.Equal(j.Columns, []adapters.Column{"full_name"}) || len(j.Defaults) != 1 {
		t.Errorf("joined spec %+v", j)
	}
	rec, err := u.ToRecord(decode(t, `{"userName":"kim","displayName":"Kim Lee"}`), Create)
	if err != nil || rec[adapters.JoinColumn("account", "full_name")] != "Kim Lee" || rec["name"] != "kim" {
		t.Errorf("create record %v, %v", rec, err)
	}
	if d := m.Group.Spec.Members.Display; d != "name" {
		t.Errorf("members' display %q, want the users' own name column, not the joined full_name", d)
	}
	if desc := strings.Join(u.Describe(), "\n"); !strings.Contains(desc, "displayName -> account.full_name") || strings.Contains(desc, "@j:") {
		t.Errorf("check shows:\n%s", desc)
	}

	_, err = compileEntities("account.full_name")
	if err == nil || !strings.Contains(err.Error(), `resources.Group.attributes["displayName"]: a group's displayName is read with its memberships`) {
		t.Errorf("a joined group displayName: %v", err)
	}
}
