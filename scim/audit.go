package scim

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/internal/jsonenc"
	"github.com/scimbridge/scimbridge/mapping"
)

// An Option configures a Server.
type Option func(*Server)

// WithAudit writes an audit record of every write request (create,
// replace, patch, delete) to logger, whatever its outcome: time, request
// id, directory, resource type, id, operation, the names of the attributes
// it changed, and the outcome. Attribute values are never recorded, and
// passwords not even by name.
func WithAudit(logger *slog.Logger) Option {
	return func(s *Server) { s.audit = logger }
}

type requestIDKey struct{}

// RequestID returns the id of the SCIM request ctx belongs to (from its
// X-Request-Id header, or generated), or "" outside a request. Log handlers
// use it to tag every record logged with the request's context.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID returns a context carrying a request id, as the SCIM
// server gives each request's context.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// change is what one write request did, filled in by the recording stores
// below as the handler calls them, and turned into metrics and an audit
// record by track once the response is sent.
type change struct {
	resource string
	op       string // opCreate, opReplace, opPatch or opDelete, from the route
	id       string
	// before is the resource as it was read under lock; intended is what
	// the handler asked to write over it; after is what was read back.
	// Each is nil when the request did not get that far.
	before, intended, after map[string]any
	// asked is the document the client asked for: the body of a POST or
	// PUT, the resource with a PATCH's operations applied.
	asked map[string]any
	res   *mapping.Resource
	// written is what the request's writes did, as the stores returned
	// it (the memberships added and removed).
	written adapters.Written
}

// noteAsked records the document a write request asked for, for the
// audit record's list of what was ignored.
func noteAsked(ctx context.Context, res *mapping.Resource, doc map[string]any) {
	if ch := changeFrom(ctx); ch != nil {
		ch.asked, ch.res = doc, res
	}
}

type changeKey struct{}

func changeFrom(ctx context.Context) *change {
	ch, _ := ctx.Value(changeKey{}).(*change)
	return ch
}

// maxAuditID bounds the id recorded for a request, which comes from the URL.
const maxAuditID = 256

// track counts and audits write requests. It runs after auth, so the
// directory is known, and records whatever the handler's outcome, panics
// included.
func (s *Server) track(c *gin.Context) {
	ch := s.changeOf(c)
	if ch == nil {
		c.Next()
		return
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), changeKey{}, ch))
	defer func() {
		v := recover()
		status := c.Writer.Status()
		if v != nil && v != http.ErrAbortHandler {
			// recover (outside) answers 500.
			status = http.StatusInternalServerError
		}
		s.finish(c, ch, status)
		if v != nil {
			panic(v)
		}
	}()
	c.Next()
}

// changeOf returns a new change for a write request to a resource route,
// or nil for reads, searches and discovery.
func (s *Server) changeOf(c *gin.Context) *change {
	route := c.FullPath()
	for _, r := range s.resources {
		base := s.cfg.BasePath + r.res.Endpoint
		var op string
		switch {
		case route == base && c.Request.Method == http.MethodPost:
			op = opCreate
		case route != base+"/:id":
			continue
		case c.Request.Method == http.MethodPut:
			op = opReplace
		case c.Request.Method == http.MethodPatch:
			op = opPatch
		case c.Request.Method == http.MethodDelete:
			op = opDelete
		default:
			return nil
		}
		id := c.Param("id")
		if len(id) > maxAuditID {
			id = id[:maxAuditID]
		}
		return &change{resource: r.res.Name, op: op, id: id}
	}
	return nil
}

// finish records a write request's metrics and audit record.
func (s *Server) finish(c *gin.Context, ch *change, status int) {
	now := time.Now()
	dir := c.GetString("directory")
	out := outcome(status)
	op := ch.operation()
	added, removed := ch.written.MembersAdded, ch.written.MembersRemoved
	var attrs, ignored []string
	if out == outcomeSuccess {
		attrs = changedAttributes(ch.before, ch.after)
		if added > 0 || removed > 0 {
			attrs = append(attrs, "members")
		}
		if ch.asked != nil && ch.res != nil && ch.after != nil {
			ignored = ch.res.Ignored(ch.before, ch.asked, ch.after)
		}
		if len(ignored) > 0 && len(attrs) == 0 && ch.op != opCreate {
			// Asked to change something and changed nothing: never
			// reported as a success.
			out = outcomeIgnored
		}
	}
	s.metrics.provisioned(dir, ch.resource, op, out, added, removed, now)
	if s.audit == nil {
		return
	}
	if attrs == nil {
		attrs = []string{}
	}
	rec := []slog.Attr{
		slog.String("request_id", c.GetString("requestID")),
		slog.String("directory", dir),
		slog.String("resource", ch.resource),
		slog.String("id", ch.id),
		slog.String("operation", op),
		slog.Any("attributes", attrs),
		slog.String("outcome", out),
		slog.Int("status", status),
	}
	if added > 0 || removed > 0 {
		rec = append(rec, slog.Int64("members_added", added), slog.Int64("members_removed", removed))
	}
	if len(ignored) > 0 {
		rec = append(rec, slog.Any("ignored", ignored))
	}
	s.audit.LogAttrs(c.Request.Context(), slog.LevelInfo, "audit", rec...)
}

// operation is the change's operation label: a replace or patch that
// turns active off or on is a deactivation or reactivation, judged by what
// the request asked for, so that a deactivation that failed is still
// counted as one.
func (ch *change) operation() string {
	if ch.op != opReplace && ch.op != opPatch || ch.before == nil || ch.intended == nil {
		return ch.op
	}
	was, wok := ch.before["active"].(bool)
	is, iok := ch.intended["active"].(bool)
	if !wok && !iok && ch.asked != nil {
		// active is not stored: judged by what was asked.
		if v, ok := mapping.Get(ch.asked, "active"); ok {
			if b, isBool := mapping.ParseBool(v); isBool {
				was, wok, is, iok = true, true, b, true
			}
		}
	}
	switch {
	case !wok || !iok || was == is:
		return ch.op
	case was:
		return opDeactivate
	default:
		return opReactivate
	}
}

// changedAttributes lists the attribute paths whose values differ between
// two documents of a resource (every attribute of after when before is nil,
// for a create), sorted: name.givenName, emails,
// urn:…:enterprise:2.0:User:department. Read-only members (id, meta,
// schemas, groups) are left out, and so is any password.
func changedAttributes(before, after map[string]any) []string {
	if after == nil {
		return nil
	}
	b, a := map[string]string{}, map[string]string{}
	leaves("", before, b)
	leaves("", after, a)
	var out []string
	for p, v := range a {
		if bv, ok := b[p]; !ok || bv != v {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// leaves flattens a resource document into attribute paths and the JSON of
// their values. Complex attributes are followed one level (name.givenName),
// extension schemas by URN (urn:…:User:department, urn:…:User:manager.value);
// multi-valued attributes are one leaf.
func leaves(prefix string, doc map[string]any, out map[string]string) {
	for k, v := range doc {
		var path string
		switch {
		case prefix != "":
			path = prefix + "." + k
		case strings.EqualFold(k, "id"), strings.EqualFold(k, "meta"), strings.EqualFold(k, "schemas"), strings.EqualFold(k, "groups"):
			continue
		default:
			path = k
		}
		if strings.EqualFold(k, "password") {
			continue
		}
		sub, ok := v.(map[string]any)
		switch {
		case ok && prefix == "" && strings.HasPrefix(strings.ToLower(k), "urn:"):
			for ek, ev := range sub {
				if strings.EqualFold(ek, "password") {
					continue
				}
				p := k + ":" + ek
				if m, ok := ev.(map[string]any); ok {
					leaves(p, m, out)
				} else {
					out[p] = jsonOf(ev)
				}
			}
		case ok && prefix == "":
			leaves(path, sub, out)
		default:
			out[path] = jsonOf(v)
		}
	}
}

func jsonOf(v any) string {
	var buf [64]byte
	b, err := jsonenc.Append(buf[:0], v)
	if err != nil {
		return ""
	}
	return string(b)
}

// recordChanges makes the stores of a resource set note, in the request's
// change, what each write read and wrote.
func recordChanges(set []*resource) {
	for _, r := range set {
		rs := recordingStore{Store: r.store, res: r.res}
		r.store = rs
		if r.groups != nil {
			r.groups = recordingGroups{Groups: r.groups, res: r.res}
		}
	}
}

// recordingStore is a Store that notes the documents before and after each
// write, and what each write did, in the request's change, if it has one.
// It reads a user's groups with the user where the store it wraps does
// (adapters.GroupsReader), and reports them not read otherwise.
type recordingStore struct {
	adapters.Store
	res *mapping.Resource
}

var _ adapters.GroupsReader = recordingStore{}

func (s recordingStore) Delete(ctx context.Context, id string, check func(adapters.Record) error) (adapters.Written, error) {
	w, err := s.Store.Delete(ctx, id, check)
	noteWritten(ctx, w)
	return w, err
}

func (s recordingStore) GetWithGroups(ctx context.Context, id string) (adapters.Record, adapters.GroupsRead, error) {
	if gr, ok := s.Store.(adapters.GroupsReader); ok {
		return gr.GetWithGroups(ctx, id)
	}
	rec, err := s.Store.Get(ctx, id)
	return rec, adapters.GroupsRead{}, err
}

func (s recordingStore) UpdateWithGroups(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, adapters.GroupsRead, error) {
	gr, ok := s.Store.(adapters.GroupsReader)
	if !ok {
		rec, err := s.Update(ctx, id, fn)
		return rec, adapters.GroupsRead{}, err
	}
	ch := changeFrom(ctx)
	if ch == nil {
		return gr.UpdateWithGroups(ctx, id, fn)
	}
	out, groups, err := gr.UpdateWithGroups(ctx, id, func(cur adapters.Record) (adapters.Record, error) {
		next, err := fn(cur)
		ch.noteIntent(s.res, cur, next)
		return next, err
	})
	if err == nil {
		ch.after = s.res.FromRecord(out)
	}
	return out, groups, err
}

func (s recordingStore) Create(ctx context.Context, rec adapters.Record) (adapters.Record, error) {
	out, err := s.Store.Create(ctx, rec)
	noteCreated(ctx, s.res, out, err)
	return out, err
}

func (s recordingStore) Update(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, error) {
	ch := changeFrom(ctx)
	if ch == nil {
		return s.Store.Update(ctx, id, fn)
	}
	out, err := s.Store.Update(ctx, id, func(cur adapters.Record) (adapters.Record, error) {
		next, err := fn(cur)
		ch.noteIntent(s.res, cur, next)
		return next, err
	})
	if err == nil {
		ch.after = s.res.FromRecord(out)
	}
	return out, err
}

// recordingGroups is the Groups capability of a recordingStore.
type recordingGroups struct {
	adapters.Groups
	res *mapping.Resource
}

func (g recordingGroups) CreateGroup(ctx context.Context, rec adapters.Record, members []string) (adapters.Record, adapters.Written, error) {
	out, w, err := g.Groups.CreateGroup(ctx, rec, members)
	noteCreated(ctx, g.res, out, err)
	noteWritten(ctx, w)
	return out, w, err
}

func (g recordingGroups) UpdateGroup(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, []adapters.MemberOp, error)) (adapters.Record, adapters.Written, error) {
	ch := changeFrom(ctx)
	if ch == nil {
		return g.Groups.UpdateGroup(ctx, id, fn)
	}
	out, w, err := g.Groups.UpdateGroup(ctx, id, func(cur adapters.Record) (adapters.Record, []adapters.MemberOp, error) {
		next, ops, err := fn(cur)
		ch.noteIntent(g.res, cur, next)
		return next, ops, err
	})
	if err == nil {
		ch.after = g.res.FromRecord(out)
	}
	ch.note(w)
	return out, w, err
}

// AddMembers leaves the change without a before and after: the group's
// row is neither read nor changed; only the members added are noted.
func (g recordingGroups) AddMembers(ctx context.Context, id string, ids []string) (bool, adapters.Written, error) {
	done, w, err := g.Groups.AddMembers(ctx, id, ids)
	noteWritten(ctx, w)
	return done, w, err
}

// RemoveMembers, as AddMembers, notes only the members removed.
func (g recordingGroups) RemoveMembers(ctx context.Context, id string, ids []string) (bool, adapters.Written, error) {
	done, w, err := g.Groups.RemoveMembers(ctx, id, ids)
	noteWritten(ctx, w)
	return done, w, err
}

// noteWritten adds what a write did to the request's change, if it has
// one.
func noteWritten(ctx context.Context, w adapters.Written) {
	if ch := changeFrom(ctx); ch != nil {
		ch.note(w)
	}
}

// note adds what a write did to the change.
func (ch *change) note(w adapters.Written) { ch.written = ch.written.Add(w) }

func noteCreated(ctx context.Context, res *mapping.Resource, out adapters.Record, err error) {
	if ch := changeFrom(ctx); ch != nil && err == nil {
		ch.id = res.ID(out)
		ch.after = res.FromRecord(out)
	}
}

// noteIntent records the row read under lock and what the handler asked to
// write over it.
func (ch *change) noteIntent(res *mapping.Resource, cur, next adapters.Record) {
	ch.before = res.FromRecord(cur)
	merged := make(adapters.Record, len(cur)+len(next))
	for k, v := range cur {
		merged[k] = v
	}
	for k, v := range next {
		merged[k] = v
	}
	ch.intended = res.FromRecord(merged)
}
