package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

const rolesSchema = `
CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL) COLLATE=utf8mb4_general_ci;
CREATE TABLE roles (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL) COLLATE=utf8mb4_general_ci;
CREATE TABLE user_roles (user_id INT NOT NULL, role_id INT NOT NULL, PRIMARY KEY (role_id, user_id)) COLLATE=utf8mb4_general_ci;
`

// groupFixture is a group store over a users/roles/user_roles schema,
// with a statement counter on its pool.
type groupFixture struct {
	groups adapters.Groups
	count  *countingConnector
	exec   func(q string, args ...any)
	db     *sqlx.DB
}

func newGroupFixture(t testing.TB, users int) *groupFixture {
	t.Helper()
	return newGroupFixtureOn(t, mysqltest.NewDatabase(t), users)
}

// newGroupFixtureOn is newGroupFixture on the database of dsn.
func newGroupFixtureOn(t testing.TB, dsn string, users int) *groupFixture {
	t.Helper()
	db, cc, err := openCounting(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	exec(rolesSchema)
	for start := 0; start < users; start += 5000 {
		var vals []string
		for i := start; i < min(users, start+5000); i++ {
			vals = append(vals, fmt.Sprintf("('u%d')", i))
		}
		exec("INSERT INTO users (login) VALUES " + strings.Join(vals, ","))
	}
	a := New(db, nil)
	for _, tb := range []adapters.Table{"users", "roles", "user_roles"} {
		if _, err := a.Describe(context.Background(), tb); err != nil {
			t.Fatal(err)
		}
	}
	userSpec := adapters.TableSpec{Table: "users", Key: "id", Columns: []adapters.Column{"id", "login"}}
	st, err := a.Store(adapters.TableSpec{
		Table: "roles", Key: "id", Columns: []adapters.Column{"id", "name"}, Display: "name",
		Members: &adapters.MembershipSpec{Users: userSpec, Display: "login", JoinTable: "user_roles", JoinGroup: "role_id", JoinUser: "user_id", GroupRef: "id"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &groupFixture{groups: st.(adapters.Groups), count: cc, exec: exec, db: db}
}

// addMembers fills group gid with users [from, to) directly.
func (f *groupFixture) addMembers(gid, from, to int) {
	for start := from; start < to; start += 5000 {
		var vals []string
		for i := start; i < min(to, start+5000); i++ {
			vals = append(vals, fmt.Sprintf("(%d,%d)", i+1, gid))
		}
		f.exec("INSERT INTO user_roles (user_id, role_id) VALUES " + strings.Join(vals, ","))
	}
}

func ids(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprint(i+1))
	}
	return out
}

// TestMembershipCostDoesNotGrow checks that adding 50 members costs the
// same number of statements to a group of 10 members as to one of 5,000,
// and that the number is small: one round trip's worth of work, not 50.
func TestMembershipCostDoesNotGrow(t *testing.T) {
	f := newGroupFixture(t, 5200)
	ctx := context.Background()
	small, _, err := f.groups.CreateGroup(ctx, adapters.Record{"name": "small"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	big, _, err := f.groups.CreateGroup(ctx, adapters.Record{"name": "big"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.addMembers(int(small["id"].(int64)), 0, 10)
	f.addMembers(int(big["id"].(int64)), 0, 5000)

	cost := func(rec adapters.Record, ops ...adapters.MemberOp) int64 {
		before := f.count.n.Load()
		_, _, err := f.groups.UpdateGroup(ctx, fmt.Sprint(rec["id"]), func(r adapters.Record) (adapters.Record, []adapters.MemberOp, error) {
			return r, ops, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return f.count.n.Load() - before
	}
	add := adapters.MemberOp{Kind: adapters.MemberAdd, IDs: ids(5100, 5150)}
	remove := adapters.MemberOp{Kind: adapters.MemberRemove, IDs: ids(5100, 5150)}
	smallAdd, bigAdd := cost(small, add), cost(big, add)
	smallRemove, bigRemove := cost(small, remove), cost(big, remove)
	t.Logf("statements to add 50 members: %d (group of 10), %d (group of 5,000); to remove them: %d, %d", smallAdd, bigAdd, smallRemove, bigRemove)
	if smallAdd != bigAdd || smallRemove != bigRemove {
		t.Errorf("cost grows with the group: add %d vs %d, remove %d vs %d", smallAdd, bigAdd, smallRemove, bigRemove)
	}
	// BEGIN, lock the group row, check the users exist, insert, COMMIT.
	if bigAdd > 6 {
		t.Errorf("adding 50 members took %d statements, want at most 6", bigAdd)
	}

	var n int
	count := func(gid any) int {
		var members int
		if err := f.groups.EachMember(ctx, fmt.Sprint(gid), func(adapters.Member) error { members++; return nil }); err != nil {
			t.Fatal(err)
		}
		return members
	}
	if n = count(big["id"]); n != 5000 {
		t.Errorf("big group has %d members after add and remove, want 5000", n)
	}
}

// TestAddMembers checks the path of a PATCH that only adds members: one
// INSERT joining the group row, and on a shortfall the reason, with
// nothing written on an error.
func TestAddMembers(t *testing.T) {
	ctx := context.Background()
	f := newGroupFixture(t, 10)
	f.exec("INSERT INTO roles (id, name) VALUES (1, 'admins'), (2, 'staff')")
	f.addMembers(1, 0, 2) // users 1 and 2
	memberships := func(gid int) int {
		t.Helper()
		var n int
		if err := f.db.QueryRow("SELECT COUNT(*) FROM user_roles WHERE role_id = ?", gid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if mysqltest.Embedded() {
		// The embedded engine does not skip existing memberships by the
		// unique key (see members.upsert): the full path must answer.
		done, _, err := f.groups.AddMembers(ctx, "1", []string{"3"})
		if done || err != nil || memberships(1) != 2 {
			t.Fatalf("AddMembers on the embedded engine: done %v, err %v, %d members; want it declined, nothing written", done, err, memberships(1))
		}
		return
	}
	// Another spelling of a user's id ("06") names no user: declined, for
	// the full path to answer that the member is unknown.
	if done, _, err := f.groups.AddMembers(ctx, "1", []string{"3", "03"}); done || err != nil || memberships(1) != 2 {
		t.Errorf("another spelling of a user's id: done %v, err %v, %d members; want it declined, nothing written", done, err, memberships(1))
	}
	for _, c := range []struct {
		name    string
		group   string
		ids     []string
		err     error
		members int // of the group after
	}{
		{"new members", "1", []string{"3", "4"}, nil, 4},
		{"members already, and one new", "1", []string{"1", "2", "5"}, nil, 5},
		{"one user twice", "1", []string{"6", "6"}, nil, 6},
		{"all members already", "1", []string{"1", "6"}, nil, 6},
		{"an unknown user among known ones", "2", []string{"7", "8", "99"}, adapters.ErrUnknownMember, 0},
		{"a group that does not exist", "3", []string{"7"}, adapters.ErrNotFound, 0},
		{"a group id no key can be", "x", []string{"7"}, adapters.ErrNotFound, 0},
	} {
		done, _, err := f.groups.AddMembers(ctx, c.group, c.ids)
		if !done {
			t.Errorf("%s: AddMembers declined", c.name)
			continue
		}
		if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.err)
		}
		if c.err == adapters.ErrUnknownMember && (err == nil || err.Error() != `unknown member: "99"`) {
			t.Errorf("%s: err %v, want the unknown id named: unknown member: \"99\"", c.name, err)
		}
		gid := 1
		if c.group != "1" {
			gid = 2
		}
		if n := memberships(gid); n != c.members {
			t.Errorf("%s: group %d has %d members, want %d", c.name, gid, n, c.members)
		}
	}
	var orphans int
	if err := f.db.QueryRow("SELECT COUNT(*) FROM user_roles WHERE role_id NOT IN (1, 2)").Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("%d memberships of groups that do not exist (%v)", orphans, err)
	}
	// An id that is no user key at all is answered by the full path,
	// which reports a missing group before an unknown member.
	if done, _, err := f.groups.AddMembers(ctx, "3", []string{"abc"}); done || err != nil {
		t.Errorf("AddMembers of a malformed user id: done %v, err %v; want it declined", done, err)
	}
}
