package instrument

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/adapters"
)

// namespace prefixes the metric names, as scim.Namespace does for the rest
// (this package sits below scim and cannot import it).
const namespace = "scimbridge"

// Store methods, the method label.
const (
	methodGet           = "get"
	methodList          = "list"
	methodCreate        = "create"
	methodUpdate        = "update"
	methodDelete        = "delete"
	methodCreateGroup   = "create_group"
	methodUpdateGroup   = "update_group"
	methodAddMembers    = "add_members"
	methodRemoveMembers = "remove_members"
	methodEachMember    = "each_member"
	methodGroupsOf      = "groups_of"
)

// Error kinds, the kind label.
const (
	// KindUnavailable: the database could not be reached or timed out
	// (adapters.ErrUnavailable).
	KindUnavailable = "unavailable"
	// KindConflict: a unique value was taken (adapters.ErrConflict).
	KindConflict = "conflict"
	// KindInvalid: the database refused a value, or a member or reference
	// named no row (adapters.ErrInvalid, ErrUnknownMember,
	// ErrUnknownReference).
	KindInvalid = "invalid"
	// KindCanceled: the client went away before the call finished.
	KindCanceled = "canceled"
	// KindOther: anything else, such as an SQL error the adapter does not
	// classify; worth an alert.
	KindOther = "other"
)

// Metrics are the store metrics. Create them with NewMetrics; they are safe
// for concurrent use.
type Metrics struct {
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
}

// NewMetrics creates the store metrics and registers them on reg:
//
//	scimbridge_database_operation_duration_seconds{resource,method}
//	scimbridge_database_errors_total{resource,method,kind}
//
// An operation is one store call: a query, or a whole transaction with its
// retries. ErrNotFound is an answer, not an error, and is not counted; nor
// is an error returned by the caller's own update function (a PATCH that
// does not validate).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "database", Name: "operation_duration_seconds",
			Help:    "Time of store operations on the application's database (one query, or one transaction with its retries), by resource type and store method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"resource", "method"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "database", Name: "errors_total",
			Help: "Failed store operations on the application's database, by resource type, store method and kind (unavailable, conflict, invalid, canceled, other).",
		}, []string{"resource", "method", "kind"}),
	}
	for _, c := range []prometheus.Collector{m.duration, m.errors} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Kind returns the kind label of a store error, or "" for nil and
// ErrNotFound.
func Kind(err error) string {
	switch {
	case err == nil, errors.Is(err, adapters.ErrNotFound):
		return ""
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, adapters.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return KindUnavailable
	case errors.Is(err, adapters.ErrConflict):
		return KindConflict
	case errors.Is(err, adapters.ErrInvalid), errors.Is(err, adapters.ErrUnknownMember), errors.Is(err, adapters.ErrUnknownReference):
		return KindInvalid
	}
	return KindOther
}

// Store returns st with every call measured under the resource type's
// name. When st also implements adapters.Groups, or
// adapters.GroupsReader, so does the Store returned.
func (m *Metrics) Store(resource string, st adapters.Store) adapters.Store {
	s := store{next: st, m: m, resource: resource}
	if g, ok := st.(adapters.Groups); ok {
		return groups{store: s, next: g}
	}
	if r, ok := st.(adapters.GroupsReader); ok {
		return groupsReader{store: s, next: r}
	}
	return s
}

// observe records one call. callerErr is the last error the caller's own
// callback returned, which is not the database's doing.
func (m *Metrics) observe(resource, method string, start time.Time, err, callerErr error) {
	m.duration.WithLabelValues(resource, method).Observe(time.Since(start).Seconds())
	if err == nil || callerErr != nil && errors.Is(err, callerErr) {
		return
	}
	if k := Kind(err); k != "" {
		m.errors.WithLabelValues(resource, method, k).Inc()
	}
}

var (
	_ adapters.Store        = store{}
	_ adapters.Store        = groups{}
	_ adapters.Groups       = groups{}
	_ adapters.Store        = groupsReader{}
	_ adapters.GroupsReader = groupsReader{}
)

// store measures an adapters.Store.
type store struct {
	next     adapters.Store
	m        *Metrics
	resource string
}

func (s store) Create(ctx context.Context, rec adapters.Record) (adapters.Record, error) {
	start := time.Now()
	out, err := s.next.Create(ctx, rec)
	s.m.observe(s.resource, methodCreate, start, err, nil)
	return out, err
}

func (s store) Get(ctx context.Context, id string) (adapters.Record, error) {
	start := time.Now()
	out, err := s.next.Get(ctx, id)
	s.m.observe(s.resource, methodGet, start, err, nil)
	return out, err
}

func (s store) List(ctx context.Context, q adapters.Query) (adapters.Page, error) {
	start := time.Now()
	page, err := s.next.List(ctx, q)
	s.m.observe(s.resource, methodList, start, err, nil)
	return page, err
}

func (s store) Update(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, error) {
	start := time.Now()
	var fnErr error
	out, err := s.next.Update(ctx, id, func(r adapters.Record) (adapters.Record, error) {
		next, err := fn(r)
		fnErr = err
		return next, err
	})
	s.m.observe(s.resource, methodUpdate, start, err, fnErr)
	return out, err
}

func (s store) Delete(ctx context.Context, id string, check func(adapters.Record) error) (adapters.Written, error) {
	start := time.Now()
	w, err := s.next.Delete(ctx, id, check)
	s.m.observe(s.resource, methodDelete, start, err, nil)
	return w, err
}

// groupsReader measures a Store that implements adapters.GroupsReader,
// under the methods it stands for (get, update).
type groupsReader struct {
	store
	next adapters.GroupsReader
}

func (r groupsReader) GetWithGroups(ctx context.Context, id string) (adapters.Record, adapters.GroupsRead, error) {
	start := time.Now()
	out, groups, err := r.next.GetWithGroups(ctx, id)
	r.m.observe(r.resource, methodGet, start, err, nil)
	return out, groups, err
}

func (r groupsReader) UpdateWithGroups(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, adapters.GroupsRead, error) {
	start := time.Now()
	var fnErr error
	out, groups, err := r.next.UpdateWithGroups(ctx, id, func(rec adapters.Record) (adapters.Record, error) {
		next, err := fn(rec)
		fnErr = err
		return next, err
	})
	r.m.observe(r.resource, methodUpdate, start, err, fnErr)
	return out, groups, err
}

// groups measures a Store that implements adapters.Groups.
type groups struct {
	store
	next adapters.Groups
}

func (g groups) CreateGroup(ctx context.Context, rec adapters.Record, members []string) (adapters.Record, adapters.Written, error) {
	start := time.Now()
	out, w, err := g.next.CreateGroup(ctx, rec, members)
	g.m.observe(g.resource, methodCreateGroup, start, err, nil)
	return out, w, err
}

func (g groups) UpdateGroup(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, []adapters.MemberOp, error)) (adapters.Record, adapters.Written, error) {
	start := time.Now()
	var fnErr error
	out, w, err := g.next.UpdateGroup(ctx, id, func(r adapters.Record) (adapters.Record, []adapters.MemberOp, error) {
		next, ops, err := fn(r)
		fnErr = err
		return next, ops, err
	})
	g.m.observe(g.resource, methodUpdateGroup, start, err, fnErr)
	return out, w, err
}

func (g groups) AddMembers(ctx context.Context, id string, ids []string) (bool, adapters.Written, error) {
	start := time.Now()
	done, w, err := g.next.AddMembers(ctx, id, ids)
	if done {
		g.m.observe(g.resource, methodAddMembers, start, err, nil)
	}
	return done, w, err
}

func (g groups) RemoveMembers(ctx context.Context, id string, ids []string) (bool, adapters.Written, error) {
	start := time.Now()
	done, w, err := g.next.RemoveMembers(ctx, id, ids)
	if done {
		g.m.observe(g.resource, methodRemoveMembers, start, err, nil)
	}
	return done, w, err
}

func (g groups) EachMember(ctx context.Context, id string, fn func(adapters.Member) error) error {
	start := time.Now()
	var fnErr error
	err := g.next.EachMember(ctx, id, func(m adapters.Member) error {
		err := fn(m)
		if err != nil {
			fnErr = err
		}
		return err
	})
	g.m.observe(g.resource, methodEachMember, start, err, fnErr)
	return err
}

func (g groups) GroupsOf(ctx context.Context, userIDs []string) (map[string][]adapters.Member, error) {
	start := time.Now()
	out, err := g.next.GroupsOf(ctx, userIDs)
	g.m.observe(g.resource, methodGroupsOf, start, err, nil)
	return out, err
}
