package mapping

import (
	"context"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestUniqueAmongLive: delete.uniqueAmong: live makes uniqueness count
// only rows not marked deleted; a unique index that counts deleted rows
// too contradicts it and is reported, one that includes the mark is not.
func TestUniqueAmongLive(t *testing.T) {
	withIndex := func(cols ...adapters.Column) adapters.TableInfo {
		info := usersTable
		info.Columns = append(append([]adapters.ColumnInfo{}, usersTable.Columns...), col("deleted", "tinyint", "default"))
		if len(cols) > 0 {
			info.Indexes = []adapters.IndexInfo{{Name: "users_login", Unique: true, Columns: cols}}
		}
		return info
	}
	cfg := func(among, release string) Config {
		return Config{User: &ResourceConfig{Table: "users", Attributes: map[string]AttributeConfig{"userName": {Column: "login"}},
			Delete: DeleteConfig{Mark: &MarkConfig{Column: "deleted", Value: 1}, UniqueAmong: among, Release: release}}}
	}
	for _, tc := range []struct {
		name, among, release string
		index                []adapters.Column
		want                 string // a problem, or "" with UniqueAmongLive as among says
	}{
		{name: "default", among: ""},
		{name: "all", among: "all"},
		{name: "live", among: "live"},
		{name: "live with an index over the mark", among: "live", index: []adapters.Column{"login", "deleted"}},
		{name: "live with a unique login", among: "live", index: []adapters.Column{"login"},
			want: `resources.User.delete.uniqueAmong: live, but the unique index users_login of users on login counts deleted rows too`},
		{name: "live with release", among: "live", release: "{value}#{id}", want: "resources.User.delete.uniqueAmong: live lets a new row take a deleted row's name, which release renames"},
		{name: "typo", among: "alive", want: `resources.User.delete.uniqueAmong: unknown value "alive"; expected all or live`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Compile(context.Background(), cfg(tc.among, tc.release), fakeDB{"users": withIndex(tc.index...)}, "resources")
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.User.Spec.SoftDelete.UniqueAmongLive; got != (tc.among == "live") {
				t.Errorf("UniqueAmongLive %v", got)
			}
		})
	}
	if _, err := Compile(context.Background(), Config{User: &ResourceConfig{Table: "users", Attributes: map[string]AttributeConfig{"userName": {Column: "login"}},
		Delete: DeleteConfig{Policy: "hard", UniqueAmong: "live"}}}, fakeDB{"users": usersTable}, "resources"); err == nil || !strings.Contains(err.Error(), "delete.uniqueAmong: applies to a soft delete") {
		t.Errorf("uniqueAmong without a mark: %v", err)
	}
}
