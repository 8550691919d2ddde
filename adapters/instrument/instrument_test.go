package instrument

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/adapters"
)

// fakeStore returns err from every call, after running the caller's
// callbacks.
type fakeStore struct{ err error }

func (f fakeStore) Create(context.Context, adapters.Record) (adapters.Record, error) {
	return adapters.Record{}, f.err
}

func (f fakeStore) Get(context.Context, string) (adapters.Record, error) {
	return adapters.Record{}, f.err
}

func (f fakeStore) List(context.Context, adapters.Query) (adapters.Page, error) {
	return adapters.Page{}, f.err
}

func (f fakeStore) Update(_ context.Context, _ string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, error) {
	if _, err := fn(adapters.Record{}); err != nil {
		return nil, err
	}
	return adapters.Record{}, f.err
}

func (f fakeStore) Delete(context.Context, string, func(adapters.Record) error) (adapters.Written, error) {
	return adapters.Written{}, f.err
}

// fakeGroups adds the Groups capability.
type fakeGroups struct{ fakeStore }

func (f fakeGroups) CreateGroup(context.Context, adapters.Record, []string) (adapters.Record, adapters.Written, error) {
	return adapters.Record{}, adapters.Written{}, f.err
}

func (f fakeGroups) UpdateGroup(_ context.Context, _ string, fn func(adapters.Record) (adapters.Record, []adapters.MemberOp, error)) (adapters.Record, adapters.Written, error) {
	if _, _, err := fn(adapters.Record{}); err != nil {
		return nil, adapters.Written{}, err
	}
	return adapters.Record{}, adapters.Written{}, f.err
}

func (f fakeGroups) EachMember(_ context.Context, _ string, fn func(adapters.Member) error) error {
	if err := fn(adapters.Member{ID: "1"}); err != nil {
		return err
	}
	return f.err
}

// AddMembers declines the ids "0", doing nothing, like a mapping that
// needs UpdateGroup.
func (f fakeGroups) AddMembers(_ context.Context, _ string, ids []string) (bool, adapters.Written, error) {
	if len(ids) == 1 && ids[0] == "0" {
		return false, adapters.Written{}, nil
	}
	return true, adapters.Written{}, f.err
}

// RemoveMembers declines the ids "0", as AddMembers does.
func (f fakeGroups) RemoveMembers(_ context.Context, _ string, ids []string) (bool, adapters.Written, error) {
	if len(ids) == 1 && ids[0] == "0" {
		return false, adapters.Written{}, nil
	}
	return true, adapters.Written{}, f.err
}

func (f fakeGroups) GroupsOf(context.Context, []string) (map[string][]adapters.Member, error) {
	return nil, f.err
}

func TestGroupsCapabilityKept(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Store("User", fakeStore{}).(adapters.Groups); ok {
		t.Error("a plain store gained the Groups capability")
	}
	if _, ok := m.Store("Group", fakeGroups{}).(adapters.Groups); !ok {
		t.Error("a group store lost the Groups capability")
	}
}

func TestDurationsAndErrorsByKind(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	same := func(r adapters.Record) (adapters.Record, error) { return r, nil }
	refuse := errors.New("the patch does not validate")
	for _, c := range []struct {
		err  error
		kind string
	}{
		{nil, ""},
		{adapters.ErrNotFound, ""},
		{fmt.Errorf("%w: server gone", adapters.ErrUnavailable), KindUnavailable},
		{fmt.Errorf("%w: login taken", adapters.ErrConflict), KindConflict},
		{adapters.ErrInvalid, KindInvalid},
		{adapters.ErrUnknownMember, KindInvalid},
		{context.Canceled, KindCanceled},
		{context.DeadlineExceeded, KindUnavailable},
		{errors.New("Error 1146: Table 'app.users' doesn't exist"), KindOther},
	} {
		if got := Kind(c.err); got != c.kind {
			t.Errorf("Kind(%v) = %q, want %q", c.err, got, c.kind)
		}
		st := m.Store("Group", fakeGroups{fakeStore{c.err}})
		g := st.(adapters.Groups)
		_, _ = st.Create(ctx, nil)
		_, _ = st.Get(ctx, "1")
		_, _ = st.List(ctx, adapters.Query{})
		_, _ = st.Update(ctx, "1", same)
		_, _ = st.Delete(ctx, "1", nil)
		_, _, _ = g.CreateGroup(ctx, nil, nil)
		_, _, _ = g.UpdateGroup(ctx, "1", func(r adapters.Record) (adapters.Record, []adapters.MemberOp, error) { return r, nil, nil })
		_, _, _ = g.AddMembers(ctx, "1", []string{"2"})
		if done, _, _ := g.AddMembers(ctx, "1", []string{"0"}); done {
			t.Error("AddMembers reported done for a call the store declined")
		}
		_, _, _ = g.RemoveMembers(ctx, "1", []string{"2"})
		if done, _, _ := g.RemoveMembers(ctx, "1", []string{"0"}); done {
			t.Error("RemoveMembers reported done for a call the store declined")
		}
		_ = g.EachMember(ctx, "1", func(adapters.Member) error { return nil })
		_, _ = g.GroupsOf(ctx, nil)
	}
	// The caller's own errors are not the database's.
	st := m.Store("User", fakeStore{})
	if _, err := st.Update(ctx, "1", func(adapters.Record) (adapters.Record, error) { return nil, refuse }); !errors.Is(err, refuse) {
		t.Fatalf("Update returned %v, want the callback's error", err)
	}
	g := m.Store("Group", fakeGroups{}).(adapters.Groups)
	_ = g.EachMember(ctx, "1", func(adapters.Member) error { return refuse })

	// Every call is timed; errors are counted by kind, except not found
	// and the callers' own.
	counts, errs := gather(t, reg)
	// A declined AddMembers or RemoveMembers did nothing and is not timed.
	for _, method := range []string{"add_members", "create", "create_group", "delete", "each_member", "get", "groups_of", "list", "remove_members", "update", "update_group"} {
		calls := uint64(9)
		if method == "each_member" {
			calls++ // the refused one
		}
		if n := counts["Group/"+method]; n != calls {
			t.Errorf("Group/%s timed %d times, want %d", method, n, calls)
		}
		for _, kind := range []string{KindCanceled, KindConflict, KindInvalid, KindOther, KindUnavailable} {
			want := 1.0
			if kind == KindInvalid || kind == KindUnavailable {
				want = 2
			}
			if got := errs["Group/"+method+"/"+kind]; got != want {
				t.Errorf("Group/%s errors of kind %s: %v, want %v", method, kind, got, want)
			}
		}
	}
	if counts["User/update"] != 1 || errs["User/update/other"] != 0 || errs["Group/each_member/other"] != 1 {
		t.Errorf("the callers' own errors were counted: %v", errs)
	}
	if len(errs) != 11*5 {
		t.Errorf("%d error series, want %d: %v", len(errs), 11*5, errs)
	}
}

// gather returns the sample counts of the duration histogram by
// resource/method, and the error counters by resource/method/kind.
func gather(t *testing.T, reg *prometheus.Registry) (map[string]uint64, map[string]float64) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts, errs := map[string]uint64{}, map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			switch mf.GetName() {
			case "scimbridge_database_operation_duration_seconds":
				counts[l["resource"]+"/"+l["method"]] = m.GetHistogram().GetSampleCount()
			case "scimbridge_database_errors_total":
				errs[l["resource"]+"/"+l["method"]+"/"+l["kind"]] = m.GetCounter().GetValue()
			default:
				t.Errorf("unexpected metric %s", mf.GetName())
			}
		}
	}
	return counts, errs
}
