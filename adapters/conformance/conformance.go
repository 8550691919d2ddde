// Package conformance is the test suite every storage adapter runs: the
// behaviour the adapters port promises (CRUD, scope, filters, paging,
// membership, uniqueness), checked through the port alone, as dex's
// storage/conformance does for its storages.
//
// An adapter's tests call Run with a function that opens the adapter on a
// fresh database holding the tables of Tables (created with the
// backend's own DDL from their description). Where a change goes: a
// promise of the port that every backend must keep gets a test here; what
// only one backend does stays in that backend's tests.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// Tables are the tables Run expects the database to hold, empty:
//
//	users      (id integer auto-increment primary key, login varchar(100) not null,
//	            display varchar(100) null, tenant varchar(10) not null)
//	roles      (id integer auto-increment primary key, name varchar(64) not null,
//	            tenant varchar(10) not null)
//	user_roles (user_id integer not null, role_id integer not null,
//	            primary key (role_id, user_id))
var Tables = []adapters.Table{"users", "roles", "user_roles"}

// Run runs the suite; open returns an adapter on a fresh database
// holding Tables, closed by the caller's cleanup.
func Run(t *testing.T, open func(t *testing.T) adapters.Adapter) {
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"CRUD", testCRUD},
		{"Scope", testScope},
		{"Filters", testFilters},
		{"Paging", testPaging},
		{"Membership", testMembership},
		{"Uniqueness", testUniqueness},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, newFixture(t, open(t)))
		})
	}
}

// fixture is one adapter with the stores of two tenants.
type fixture struct {
	ad adapters.Adapter
	// users and groups are tenant a's; others are tenant b's users.
	users, others adapters.Store
	groups        adapters.Groups
}

func userSpec(tenant string) adapters.TableSpec {
	return adapters.TableSpec{
		Table: "users", Key: "id", KeyKind: adapters.KeyAutoIncrement,
		Columns: []adapters.Column{"id", "login", "display"},
		Scope:   map[adapters.Column]any{"tenant": tenant},
		Uniques: []adapters.Unique{{Column: "login", Fold: true}},
	}
}

func newFixture(t *testing.T, ad adapters.Adapter) *fixture {
	t.Helper()
	ctx := context.Background()
	for _, tb := range Tables {
		if _, err := ad.Describe(ctx, tb); err != nil {
			t.Fatalf("describing %s: %v", tb, err)
		}
	}
	f := &fixture{ad: ad}
	f.users = store(t, ad, userSpec("a"))
	f.others = store(t, ad, userSpec("b"))
	g := store(t, ad, adapters.TableSpec{
		Table: "roles", Key: "id", KeyKind: adapters.KeyAutoIncrement,
		Columns: []adapters.Column{"id", "name"}, Display: "name",
		Scope:   map[adapters.Column]any{"tenant": "a"},
		Uniques: []adapters.Unique{{Column: "name", Fold: true}},
		Members: &adapters.MembershipSpec{Users: userSpec("a"), Display: "login",
			JoinTable: "user_roles", JoinGroup: "role_id", JoinUser: "user_id", GroupRef: "id"},
	})
	groups, ok := g.(adapters.Groups)
	if !ok {
		t.Fatal("the store of a table with Members does not implement adapters.Groups")
	}
	f.groups = groups
	return f
}

func store(t *testing.T, ad adapters.Adapter, spec adapters.TableSpec) adapters.Store {
	t.Helper()
	st, err := ad.Store(spec)
	if err != nil {
		t.Fatalf("Store(%s): %v", spec.Table, err)
	}
	return st
}

// create makes users with these logins in st and returns their ids.
func create(t *testing.T, st adapters.Store, logins ...string) []string {
	t.Helper()
	var ids []string
	for _, l := range logins {
		rec, err := st.Create(context.Background(), adapters.Record{"login": l, "display": "The " + l})
		if err != nil {
			t.Fatalf("creating %s: %v", l, err)
		}
		ids = append(ids, fmt.Sprint(rec["id"]))
	}
	return ids
}

func testCRUD(t *testing.T, f *fixture) {
	ctx := context.Background()
	rec, err := f.users.Create(ctx, adapters.Record{"login": "ann", "display": "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(rec["id"])
	if id == "" || id == "<nil>" || rec["login"] != "ann" || rec["display"] != "Ann" {
		t.Fatalf("Create returned %v; want the row read back with its key", rec)
	}
	got, err := f.users.Get(ctx, id)
	if err != nil || got["login"] != "ann" {
		t.Fatalf("Get = %v, %v", got, err)
	}
	out, err := f.users.Update(ctx, id, func(cur adapters.Record) (adapters.Record, error) {
		if cur["display"] != "Ann" {
			t.Errorf("Update saw %v", cur)
		}
		return adapters.Record{"display": nil}, nil
	})
	if err != nil || out["display"] != nil || out["login"] != "ann" {
		t.Fatalf("Update = %v, %v; want display NULL, login kept", out, err)
	}
	refused := errors.New("refused by fn")
	if _, err := f.users.Update(ctx, id, func(adapters.Record) (adapters.Record, error) { return nil, refused }); !errors.Is(err, refused) {
		t.Errorf("Update whose fn fails = %v; want fn's error", err)
	}
	if _, err := f.users.Delete(ctx, id, func(adapters.Record) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("Delete whose check fails = %v; want the check's error", err)
	}
	if _, err := f.users.Delete(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Get":           second(f.users.Get(ctx, id)),
		"Update":        second(f.users.Update(ctx, id, func(r adapters.Record) (adapters.Record, error) { return r, nil })),
		"Delete":        second(f.users.Delete(ctx, id, nil)),
		"Get of no key": second(f.users.Get(ctx, "no such id")),
	} {
		if !errors.Is(err, adapters.ErrNotFound) {
			t.Errorf("%s of a deleted row = %v; want ErrNotFound", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func testScope(t *testing.T, f *fixture) {
	ctx := context.Background()
	theirs := create(t, f.others, "bob")[0]
	create(t, f.users, "ann")
	if _, err := f.users.Get(ctx, theirs); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("Get of another tenant's row = %v; want ErrNotFound", err)
	}
	if _, err := f.users.Update(ctx, theirs, func(r adapters.Record) (adapters.Record, error) { return r, nil }); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("Update of another tenant's row = %v; want ErrNotFound", err)
	}
	if _, err := f.users.Delete(ctx, theirs, nil); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("Delete of another tenant's row = %v; want ErrNotFound", err)
	}
	page, err := f.users.List(ctx, adapters.Query{Limit: 10})
	if err != nil || page.Total != 1 || len(page.Records) != 1 || page.Records[0]["login"] != "ann" {
		t.Errorf("List = %v, %v; want ann alone", page, err)
	}
	if _, err := f.others.Get(ctx, theirs); err != nil {
		t.Errorf("the other tenant's Get of its own row: %v", err)
	}
	// Another tenant's value does not conflict.
	create(t, f.others, "ann")
}

func logins(t *testing.T, st adapters.Store, q adapters.Query) []string {
	t.Helper()
	q.Limit = max(q.Limit, 100)
	page, err := st.List(context.Background(), q)
	if err != nil {
		t.Fatalf("List(%+v): %v", q.Where, err)
	}
	var out []string
	for _, r := range page.Records {
		out = append(out, fmt.Sprint(r["login"]))
	}
	sort.Strings(out)
	return out
}

func testFilters(t *testing.T, f *fixture) {
	create(t, f.users, "ann", "Anna", "bob", "carol")
	if _, err := f.users.Update(context.Background(), create(t, f.users, "dave")[0], func(adapters.Record) (adapters.Record, error) {
		return adapters.Record{"display": nil}, nil
	}); err != nil {
		t.Fatal(err)
	}
	create(t, f.others, "ann2")
	login := func(op adapters.Op, v any, fold bool) adapters.Expr {
		return adapters.Compare{Column: "login", Op: op, Value: v, Fold: fold}
	}
	for _, c := range []struct {
		name  string
		where adapters.Expr
		want  []string
	}{
		{"eq exact", login(adapters.OpEq, "ann", false), []string{"ann"}},
		{"eq folded", login(adapters.OpEq, "ANN", true), []string{"ann"}},
		{"eq exact, other case", login(adapters.OpEq, "ANN", false), nil},
		{"sw folded", login(adapters.OpSw, "an", true), []string{"Anna", "ann"}},
		{"co", login(adapters.OpCo, "ro", false), []string{"carol"}},
		{"ew", login(adapters.OpEw, "b", false), []string{"bob"}},
		{"gt", login(adapters.OpGt, "bob", false), []string{"carol", "dave"}},
		{"pr", adapters.Compare{Column: "display", Op: adapters.OpPr}, []string{"Anna", "ann", "bob", "carol"}},
		{"not pr", adapters.Not{X: adapters.Compare{Column: "display", Op: adapters.OpPr}}, []string{"dave"}},
		{"and", adapters.And{Left: login(adapters.OpSw, "a", true), Right: login(adapters.OpNe, "ann", false)}, []string{"Anna"}},
		{"or", adapters.Or{Left: login(adapters.OpEq, "bob", false), Right: login(adapters.OpEq, "dave", false)}, []string{"bob", "dave"}},
		{"true", adapters.Const(true), []string{"Anna", "ann", "bob", "carol", "dave"}},
		{"false", adapters.Const(false), nil},
	} {
		if got := logins(t, f.users, adapters.Query{Where: c.where}); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
}

func testPaging(t *testing.T, f *fixture) {
	ctx := context.Background()
	all := []string{"u01", "u02", "u03", "u04", "u05", "u06", "u07"}
	create(t, f.users, "u05", "u02", "u07", "u01", "u04", "u06", "u03")
	var seen []string
	for off := 0; off < len(all); off += 3 {
		page, err := f.users.List(ctx, adapters.Query{Order: []adapters.Order{{Column: "login"}}, Offset: off, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(all) {
			t.Errorf("offset %d: Total %d; want %d", off, page.Total, len(all))
		}
		for _, r := range page.Records {
			seen = append(seen, fmt.Sprint(r["login"]))
		}
	}
	if !slices.Equal(seen, all) {
		t.Errorf("pages in login order: %v; want %v", seen, all)
	}
	page, err := f.users.List(ctx, adapters.Query{Order: []adapters.Order{{Column: "login", Descending: true}}, Limit: 2})
	if err != nil || len(page.Records) != 2 || page.Records[0]["login"] != "u07" {
		t.Errorf("descending: %v, %v", page.Records, err)
	}
	page, err = f.users.List(ctx, adapters.Query{Limit: 0})
	if err != nil || page.Total != len(all) || len(page.Records) != 0 {
		t.Errorf("Limit 0: %d records, total %d, %v; want only the total", len(page.Records), page.Total, err)
	}
}

func members(t *testing.T, g adapters.Groups, id string) []string {
	t.Helper()
	var out []string
	if err := g.EachMember(context.Background(), id, func(m adapters.Member) error {
		out = append(out, m.Display)
		return nil
	}); err != nil {
		t.Fatalf("EachMember: %v", err)
	}
	sort.Strings(out)
	return out
}

func testMembership(t *testing.T, f *fixture) {
	ctx := context.Background()
	ids := create(t, f.users, "ann", "bob", "carol")
	theirs := create(t, f.others, "dan")[0]
	g, w, err := f.groups.CreateGroup(ctx, adapters.Record{"name": "writers"}, ids[:2])
	if err != nil {
		t.Fatal(err)
	}
	gid := fmt.Sprint(g["id"])
	if w.MembersAdded != 2 {
		t.Errorf("CreateGroup with 2 members: added %d", w.MembersAdded)
	}
	if got := members(t, f.groups, gid); !slices.Equal(got, []string{"ann", "bob"}) {
		t.Errorf("members %v; want ann, bob", got)
	}
	update := func(ops ...adapters.MemberOp) (adapters.Written, error) {
		_, w, err := f.groups.UpdateGroup(ctx, gid, func(r adapters.Record) (adapters.Record, []adapters.MemberOp, error) { return r, ops, nil })
		return w, err
	}
	for _, c := range []struct {
		name           string
		op             adapters.MemberOp
		added, removed int64
		want           []string
	}{
		{"add one new, one member", adapters.MemberOp{Kind: adapters.MemberAdd, IDs: ids[1:]}, 1, 0, []string{"ann", "bob", "carol"}},
		{"remove one, and a non-member", adapters.MemberOp{Kind: adapters.MemberRemove, IDs: []string{ids[0], theirs}}, 0, 1, []string{"bob", "carol"}},
		{"replace", adapters.MemberOp{Kind: adapters.MemberReplace, IDs: ids[:2]}, 1, 1, []string{"ann", "bob"}},
	} {
		w, err := update(c.op)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if w.MembersAdded != c.added || w.MembersRemoved != c.removed {
			t.Errorf("%s: Written %+v; want %d added, %d removed", c.name, w, c.added, c.removed)
		}
		if got := members(t, f.groups, gid); !slices.Equal(got, c.want) {
			t.Errorf("%s: members %v; want %v", c.name, got, c.want)
		}
	}
	// Another tenant's user names no user of this scope: nothing changes.
	if _, err := update(adapters.MemberOp{Kind: adapters.MemberAdd, IDs: []string{ids[2], theirs}}); !errors.Is(err, adapters.ErrUnknownMember) {
		t.Errorf("adding another tenant's user = %v; want ErrUnknownMember", err)
	}
	if got := members(t, f.groups, gid); !slices.Equal(got, []string{"ann", "bob"}) {
		t.Errorf("after a refused change: members %v; want ann, bob", got)
	}
	// A store that removes listed members by itself (RemoveMembers)
	// removes them alone; another tenant's user is no member, and no
	// error.
	if done, w, err := f.groups.RemoveMembers(ctx, gid, []string{ids[1], theirs}); done {
		if err != nil || w.MembersRemoved != 1 {
			t.Errorf("RemoveMembers of bob and another tenant's user: %+v, %v; want 1 removed", w, err)
		}
		if got := members(t, f.groups, gid); !slices.Equal(got, []string{"ann"}) {
			t.Errorf("after RemoveMembers: members %v; want ann", got)
		}
		if _, err := update(adapters.MemberOp{Kind: adapters.MemberAdd, IDs: ids[1:2]}); err != nil {
			t.Fatal(err)
		}
	}
	of, err := f.groups.GroupsOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(of[ids[0]]) != 1 || of[ids[0]][0].ID != gid || of[ids[0]][0].Display != "writers" || len(of[ids[2]]) != 0 {
		t.Errorf("GroupsOf = %v; want ann and bob in writers, carol in none", of)
	}
	if r, ok := f.users.(adapters.GroupsReader); ok {
		_, _, err := r.GetWithGroups(ctx, ids[0])
		if err != nil {
			t.Errorf("GetWithGroups: %v", err)
		}
	}
	w, err = f.groups.(adapters.Store).Delete(ctx, gid, nil)
	if err != nil || w.MembersRemoved != 2 {
		t.Errorf("deleting the group: %+v, %v; want 2 memberships removed", w, err)
	}
	if err := f.groups.EachMember(ctx, gid, func(adapters.Member) error { return nil }); !errors.Is(err, adapters.ErrNotFound) && err != nil {
		t.Errorf("EachMember of a deleted group: %v", err)
	}
}

func testUniqueness(t *testing.T, f *fixture) {
	ctx := context.Background()
	ids := create(t, f.users, "alice", "bob")
	if _, err := f.users.Create(ctx, adapters.Record{"login": "ALICE"}); !errors.Is(err, adapters.ErrConflict) {
		t.Errorf("creating ALICE beside alice = %v; want ErrConflict", err)
	}
	if _, err := f.users.Update(ctx, ids[1], func(adapters.Record) (adapters.Record, error) {
		return adapters.Record{"login": "Alice"}, nil
	}); !errors.Is(err, adapters.ErrConflict) {
		t.Errorf("renaming bob to Alice = %v; want ErrConflict", err)
	}
	if got := logins(t, f.users, adapters.Query{}); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("after the refused writes: %v; want alice, bob", got)
	}
	if _, err := f.users.Delete(ctx, ids[0], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.Create(ctx, adapters.Record{"login": "ALICE"}); err != nil {
		t.Errorf("creating ALICE once alice is deleted: %v", err)
	}
}
