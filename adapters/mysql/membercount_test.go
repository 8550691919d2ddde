package mysql

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestMemberCounts checks that group writes report the membership rows they
// really added and removed (adapters.Written): an id added twice or a
// non-member removed counts nothing, and deleting a group counts its
// memberships as removed.
func TestMemberCounts(t *testing.T) {
	f := newGroupFixture(t, 10)
	type want struct{ added, removed int64 }
	counted := func(name string, w want, fn func(ctx context.Context) (adapters.Written, error)) {
		t.Helper()
		got, err := fn(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if g := (want{got.MembersAdded, got.MembersRemoved}); g != w {
			t.Errorf("%s: counted %+v, want %+v", name, g, w)
		}
	}
	var gid string
	counted("create with 3 members", want{3, 0}, func(ctx context.Context) (adapters.Written, error) {
		g, w, err := f.groups.CreateGroup(ctx, adapters.Record{"name": "g"}, ids(0, 3))
		gid = fmt.Sprint(g["id"])
		return w, err
	})
	update := func(ops ...adapters.MemberOp) func(ctx context.Context) (adapters.Written, error) {
		return func(ctx context.Context) (adapters.Written, error) {
			_, w, err := f.groups.UpdateGroup(ctx, gid, func(r adapters.Record) (adapters.Record, []adapters.MemberOp, error) {
				return r, ops, nil
			})
			return w, err
		}
	}
	counted("add 2 members and 1 existing", want{2, 0}, update(adapters.MemberOp{Kind: adapters.MemberAdd, IDs: ids(2, 5)}))
	counted("remove 1 member and 1 non-member", want{0, 1}, update(adapters.MemberOp{Kind: adapters.MemberRemove, IDs: []string{"1", "9"}}))
	// Members now 2..5; the replace keeps 4 and 5, drops 2 and 3, adds 6.
	counted("replace", want{1, 2}, update(adapters.MemberOp{Kind: adapters.MemberReplace, IDs: []string{"4", "5", "6"}}))
	counted("no change", want{0, 0}, update())
	counted("delete the group", want{0, 3}, func(ctx context.Context) (adapters.Written, error) {
		return f.groups.(adapters.Store).Delete(ctx, gid, nil)
	})

	// An unknown member fails the whole change: nothing is counted.
	g, _, err := f.groups.CreateGroup(context.Background(), adapters.Record{"name": "h"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	gid = fmt.Sprint(g["id"])
	w, err := update(adapters.MemberOp{Kind: adapters.MemberAdd, IDs: []string{"1", "999"}})(context.Background())
	if err == nil {
		t.Fatal("adding an unknown member succeeded")
	}
	if w.MembersAdded != 0 || w.MembersRemoved != 0 {
		t.Errorf("a failed change counted %d added, %d removed; want none", w.MembersAdded, w.MembersRemoved)
	}
}
