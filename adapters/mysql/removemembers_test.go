package mysql

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestRemoveMembers checks the path of a PATCH that only removes listed
// members: one DELETE that autocommits, and, only when it removes
// nothing, one read of the group to tell a group that does not exist. A
// non-member, or an id no user has, is no error.
func TestRemoveMembers(t *testing.T) {
	ctx := context.Background()
	f := newGroupFixture(t, 10)
	f.exec("INSERT INTO roles (id, name) VALUES (1, 'admins'), (2, 'staff')")
	f.addMembers(1, 0, 6) // users 1 to 6
	f.addMembers(2, 0, 3) // users 1 to 3
	members := func(gid int) string {
		t.Helper()
		var s string
		if err := f.db.QueryRow("SELECT COALESCE(GROUP_CONCAT(user_id ORDER BY user_id), '') FROM user_roles WHERE role_id = ?", gid).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		name    string
		group   string
		ids     []string
		err     error
		removed int64
		stmts   int64
		members string // of group 1 after
	}{
		{"two members", "1", []string{"2", "3"}, nil, 2, 1, "1,4,5,6"},
		{"a member given twice", "1", []string{"4", "4"}, nil, 1, 1, "1,5,6"},
		{"a member and a non-member", "1", []string{"5", "9"}, nil, 1, 1, "1,6"},
		{"a non-member", "1", []string{"9"}, nil, 0, 2, "1,6"},
		{"an id no user has", "1", []string{"999"}, nil, 0, 2, "1,6"},
		{"an id no user key can be", "1", []string{"abc"}, nil, 0, 1, "1,6"},
		{"a group that does not exist", "3", []string{"1"}, adapters.ErrNotFound, 0, 2, "1,6"},
		{"a group id no key can be", "x", []string{"1"}, adapters.ErrNotFound, 0, 0, "1,6"},
	} {
		before := f.count.n.Load()
		done, w, err := f.groups.RemoveMembers(ctx, c.group, c.ids)
		stmts := f.count.n.Load() - before
		if !done {
			t.Errorf("%s: RemoveMembers declined", c.name)
			continue
		}
		if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.err)
		}
		if w.MembersRemoved != c.removed {
			t.Errorf("%s: %d members removed, want %d", c.name, w.MembersRemoved, c.removed)
		}
		if stmts != c.stmts {
			t.Errorf("%s: %d statements, want %d", c.name, stmts, c.stmts)
		}
		if got := members(1); got != c.members {
			t.Errorf("%s: group 1 has members %s, want %s", c.name, got, c.members)
		}
		if got := members(2); got != "1,2,3" {
			t.Errorf("%s: group 2 has members %s, want 1,2,3 as before", c.name, got)
		}
	}
}

// TestRemoveMembersDeclines checks that RemoveMembers leaves to the full
// path, doing nothing, every mapping whose removal does more than delete
// the join rows of a group found by its key, or that one statement does
// not take.
func TestRemoveMembersDeclines(t *testing.T) {
	ctx := context.Background()
	f := newGroupFixture(t, 10)
	f.exec("ALTER TABLE roles ADD updated_at DATETIME NULL")
	f.exec("ALTER TABLE user_roles ADD removed_at DATETIME NULL")
	f.exec("ALTER TABLE users ADD role_id INT NULL")
	f.exec("INSERT INTO roles (id, name) VALUES (1, 'admins')")
	f.addMembers(1, 0, 3)
	f.exec("UPDATE users SET role_id = 1")
	users := adapters.TableSpec{Table: "users", Key: "id", Columns: []adapters.Column{"id", "login"}}
	joined := func() *adapters.MembershipSpec {
		return &adapters.MembershipSpec{Users: users, Display: "login", JoinTable: "user_roles", JoinGroup: "role_id", JoinUser: "user_id", GroupRef: "id"}
	}
	hook := []adapters.Hook{{Name: "test", SQL: "DO 1"}}
	for _, c := range []struct {
		name   string
		change func(s *adapters.TableSpec, a *Adapter)
		ids    []string
	}{
		{"the group's row is touched", func(s *adapters.TableSpec, _ *Adapter) { s.Touch = []adapters.Column{"updated_at"} }, nil},
		{"removal marks the row", func(s *adapters.TableSpec, _ *Adapter) {
			s.Members.Removed = &adapters.SoftDelete{Column: "removed_at", Now: true}
		}, nil},
		{"a hook after a removal", func(s *adapters.TableSpec, _ *Adapter) {
			s.Members.Hooks = adapters.Hooks{adapters.AfterMemberRemove: hook}
		}, nil},
		{"a hook after an addition", func(s *adapters.TableSpec, _ *Adapter) {
			s.Members.Hooks = adapters.Hooks{adapters.AfterMemberAdd: hook}
		}, nil},
		{"memberships in a user column", func(s *adapters.TableSpec, _ *Adapter) {
			s.Members = &adapters.MembershipSpec{Users: users, Display: "login", UserColumn: "role_id", GroupRef: "id"}
		}, nil},
		{"memberships name the group by another column", func(s *adapters.TableSpec, _ *Adapter) { s.Members.GroupRef = "name" }, nil},
		{"a dry run", func(_ *adapters.TableSpec, a *Adapter) { a.dryRun = true }, nil},
		{"more users than one statement takes", func(*adapters.TableSpec, *Adapter) {}, ids(0, chunk+1)},
		{"no users", func(*adapters.TableSpec, *Adapter) {}, []string{}},
	} {
		a := New(f.db, nil)
		for _, tb := range []adapters.Table{"users", "roles", "user_roles"} {
			if _, err := a.Describe(ctx, tb); err != nil {
				t.Fatal(err)
			}
		}
		spec := adapters.TableSpec{Table: "roles", Key: "id", Columns: []adapters.Column{"id", "name", "updated_at"}, Display: "name", Members: joined()}
		c.change(&spec, a)
		st, err := a.Store(spec)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ids := c.ids
		if ids == nil {
			ids = []string{"1"}
		}
		before := f.count.n.Load()
		done, w, err := st.(adapters.Groups).RemoveMembers(ctx, "1", ids)
		if done || err != nil || w != (adapters.Written{}) || f.count.n.Load() != before {
			t.Errorf("%s: done %v, %+v, err %v, %d statements; want it declined, nothing sent", c.name, done, w, err, f.count.n.Load()-before)
		}
	}
	var n int
	if err := f.db.QueryRow("SELECT COUNT(*) FROM user_roles WHERE role_id = 1 AND removed_at IS NULL").Scan(&n); err != nil || n != 3 {
		t.Errorf("group 1 has %d members (%v), want 3 as before", n, err)
	}
}

// TestRemoveMembersInScope checks that RemoveMembers keeps to the scope:
// the memberships of a group out of the group table's scope, of users
// out of the users', and join rows out of the join scope stay, and a
// group out of scope is one that does not exist.
func TestRemoveMembersInScope(t *testing.T) {
	ctx := context.Background()
	f := newGroupFixture(t, 6)
	f.exec("ALTER TABLE roles ADD tenant INT NOT NULL DEFAULT 1")
	f.exec("ALTER TABLE users ADD tenant INT NOT NULL DEFAULT 1")
	f.exec("ALTER TABLE user_roles ADD pending TINYINT NOT NULL DEFAULT 0")
	f.exec("INSERT INTO roles (id, name, tenant) VALUES (1, 'mine', 1), (2, 'theirs', 2)")
	f.exec("UPDATE users SET tenant = 2 WHERE id = 6")
	f.addMembers(1, 0, 6)
	f.addMembers(2, 0, 6)
	f.exec("UPDATE user_roles SET pending = 1 WHERE user_id = 5")
	a := New(f.db, nil)
	for _, tb := range []adapters.Table{"users", "roles", "user_roles"} {
		if _, err := a.Describe(ctx, tb); err != nil {
			t.Fatal(err)
		}
	}
	users := adapters.TableSpec{Table: "users", Key: "id", Columns: []adapters.Column{"id", "login"}, Scope: map[adapters.Column]any{"tenant": 1}}
	st, err := a.Store(adapters.TableSpec{
		Table: "roles", Key: "id", Columns: []adapters.Column{"id", "name"}, Display: "name", Scope: map[adapters.Column]any{"tenant": 1},
		Members: &adapters.MembershipSpec{Users: users, Display: "login", JoinTable: "user_roles", JoinGroup: "role_id", JoinUser: "user_id", GroupRef: "id",
			JoinScope: map[adapters.Column]any{"pending": 0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	g := st.(adapters.Groups)
	members := func(gid int) string {
		t.Helper()
		var s string
		if err := f.db.QueryRow("SELECT COALESCE(GROUP_CONCAT(user_id ORDER BY user_id), '') FROM user_roles WHERE role_id = ?", gid).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Another tenant's group does not exist here; its members stay.
	if done, _, err := g.RemoveMembers(ctx, "2", ids(0, 6)); !done || !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("removing from another tenant's group: done %v, err %v; want ErrNotFound", done, err)
	}
	if got := members(2); got != "1,2,3,4,5,6" {
		t.Errorf("another tenant's group has members %s, want all six", got)
	}
	// User 5's row is pending (out of the join scope), user 6 another
	// tenant's: both rows stay, as on the full path.
	done, w, err := g.RemoveMembers(ctx, "1", []string{"1", "5", "6"})
	if !done || err != nil || w.MembersRemoved != 1 {
		t.Errorf("removing members: done %v, %+v, err %v; want 1 removed", done, w, err)
	}
	if got := members(1); got != "2,3,4,5,6" {
		t.Errorf("group 1 has members %s, want 2,3,4,5,6", got)
	}
	if got := members(2); !slices.Equal(strings.Split(got, ","), []string{"1", "2", "3", "4", "5", "6"}) {
		t.Errorf("another tenant's group has members %s, want all six", got)
	}
}
