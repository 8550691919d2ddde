package scim

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
)

// ListResponseSchema is the schema URN of list responses.
const ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

// SearchRequestSchema is the schema URN of POST .search bodies.
const SearchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

func (s *Server) get(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := s.in(c, r)
		p := s.projection(c, r)
		rec, groups, err := r.get(c.Request.Context(), c.Param("id"), wantsGroups(r, p))
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		if s.notModified(c, r, rec) {
			return
		}
		s.respond(c, http.StatusOK, r, rec, p, &groups, nil)
	}
}

// projection is the request's attributes/excludedAttributes selection
// (RFC 7644 section 3.9), which applies to every response with resources.
func (s *Server) projection(c *gin.Context, r *resource) projection {
	return newProjection(r.res.Schema, c.Query("attributes"), c.Query("excludedAttributes"))
}

// wantsGroups reports whether a response of r with projection p shows
// the user's groups, which the store may then read with the user (see
// resource.get and resource.update).
func wantsGroups(r *resource, p projection) bool {
	return r.groupsOf != nil && !p.excludes("groups")
}

// get reads one resource; with withGroups, the user's groups too where
// the store reads them with the row (adapters.GroupsReader), else the
// GroupsRead returned is not Done.
func (r *resource) get(ctx context.Context, id string, withGroups bool) (adapters.Record, adapters.GroupsRead, error) {
	if gr, ok := r.store.(adapters.GroupsReader); ok && withGroups {
		return gr.GetWithGroups(ctx, id)
	}
	rec, err := r.store.Get(ctx, id)
	return rec, adapters.GroupsRead{}, err
}

// respond sends one resource read back from the store; groups, if not
// nil, is what the store read of the user's groups (see resource.get). w is
// set when rec is what a committed write left (see written).
func (s *Server) respond(c *gin.Context, status int, r *resource, rec adapters.Record, p projection, groups *adapters.GroupsRead, w *written) {
	items, err := s.prepareFor(c, r, []adapters.Record{rec}, p, groups, w)
	if err != nil {
		s.failFor(c, err, r.res.Name)
		return
	}
	if v := r.res.Version(rec); v != "" {
		c.Header("ETag", v)
	}
	if status == http.StatusCreated || renamed(c, r, rec) {
		// From the row: the projection may have left meta out.
		c.Header("Location", s.baseURL(c)+r.res.Endpoint+"/"+escapeID(r.res.ID(rec)))
	}
	s.sendOne(c, status, r, items[0])
}

func (s *Server) create(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := s.in(c, r)
		body, err := s.readBody(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		rec, err := r.res.ToRecord(body, mapping.Create)
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		noteAsked(c.Request.Context(), r.res, body)
		var out adapters.Record
		w := &written{}
		if r.groups != nil {
			ids, _, idErr := mapping.MemberIDs(body)
			if idErr != nil {
				s.failFor(c, idErr, r.res.Name)
				return
			}
			w.members = append([]string{}, ids...)
			out, _, err = r.groups.CreateGroup(c.Request.Context(), rec, ids)
		} else {
			out, err = r.store.Create(c.Request.Context(), rec)
		}
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		p := s.projection(c, r)
		if len(p.include) == 0 && newUsersHaveNoGroups(r) {
			// Nothing to read: the groups attribute of the new user
			// would be empty, and an empty attribute is left out.
			p.exclude = append(p.exclude, "groups")
		}
		s.respond(c, http.StatusCreated, r, out, p, nil, w)
	}
}

// renamed reports whether a PUT or PATCH changed the id of the resource
// (a natural key renamed): the response then says where it is now.
func renamed(c *gin.Context, r *resource, rec adapters.Record) bool {
	m := c.Request.Method
	return (m == http.MethodPut || m == http.MethodPatch) && r.res.ID(rec) != c.Param("id")
}

// newUsersHaveNoGroups reports whether a user r has just created cannot be
// in any group: memberships are rows of a join table naming the user's
// key, and the key is one no row had before (assigned by the database, or
// a fresh UUID), so no membership can name it until a later request adds
// one. Where a user's group is a column of its own row (which a default
// may set) or the key comes from the request, the groups are read.
func newUsersHaveNoGroups(r *resource) bool {
	if r.groupsOf == nil {
		return false // no groups attribute: nothing is read anyway
	}
	ms := r.groupsOf.res.Spec.Members
	k := r.res.Spec.KeyKind
	return ms != nil && ms.JoinTable != "" && (k == adapters.KeyAutoIncrement || k == adapters.KeyUUID || k == adapters.KeyGenerated)
}

func (s *Server) replace(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := s.in(c, r)
		body, err := s.readBody(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		rec, err := r.res.ToRecord(body, mapping.Replace)
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		// rec above validated the body; what is written is what differs
		// from the locked row.
		_ = rec
		noteAsked(c.Request.Context(), r.res, body)
		same := func(cur adapters.Record) (adapters.Record, error) {
			if err := s.checkIfMatch(c, r, cur); err != nil {
				return nil, err
			}
			return r.res.Replacement(cur, body)
		}
		var ops []adapters.MemberOp
		w := &written{}
		if r.groups != nil {
			// members given are the new membership; members left out leave
			// it as it is, so a PUT of the name alone loses no one.
			ids, present, idErr := mapping.MemberIDs(body)
			if idErr != nil {
				s.failFor(c, idErr, r.res.Name)
				return
			}
			if present {
				ops = []adapters.MemberOp{{Kind: adapters.MemberReplace, IDs: ids}}
				w.members = append([]string{}, ids...)
			}
		}
		p := s.projection(c, r)
		out, groups, err := r.update(c.Request.Context(), c.Param("id"), same, ops, wantsGroups(r, p))
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		s.respond(c, http.StatusOK, r, out, p, &groups, w)
	}
}

func (s *Server) patch(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := s.in(c, r)
		body, err := s.readBody(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		ops, err := parsePatch(body)
		if err != nil {
			s.fail(c, err)
			return
		}
		var memberOps []adapters.MemberOp
		if r.groups != nil {
			if ops, memberOps, err = splitMemberOps(ops); err != nil {
				s.failFor(c, err, r.res.Name)
				return
			}
		}
		if s.membersOnly(c, r, ops, memberOps) {
			return
		}
		p := patcher{schema: r.res.Schema, known: r.res.SchemaURN}
		change := func(cur adapters.Record) (adapters.Record, error) {
			if err := s.checkIfMatch(c, r, cur); err != nil {
				return nil, err
			}
			after := r.res.FromRecord(cur)
			if err := p.apply(after, ops); err != nil {
				return nil, err
			}
			noteAsked(c.Request.Context(), r.res, after)
			return r.res.Changes(cur, after)
		}
		proj := s.projection(c, r)
		out, groups, err := r.update(c.Request.Context(), c.Param("id"), change, memberOps, wantsGroups(r, proj))
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		if r.groups != nil && c.Query("attributes") == "" && c.Query("excludedAttributes") == "" && !renamed(c, r, out) {
			// RFC 7644 section 3.5.2 allows 204 for a PATCH; Okta and
			// Entra accept it. Sending the whole group back would cost
			// as much as reading every member, on every membership change.
			if v := r.res.Version(out); v != "" {
				c.Header("ETag", v)
			}
			c.Status(http.StatusNoContent)
			return
		}
		s.respond(c, http.StatusOK, r, out, proj, &groups, &written{})
	}
}

// membersOnly answers a PATCH that only adds members to a group, or only
// removes listed members, and asks for nothing back, with the group's
// AddMembers or RemoveMembers: the group row, which such a change leaves
// as it is, is not read. It reports false, having done nothing, when the
// PATCH needs the full path: other operations, additions and removals
// together, a removal of every member (a remove of members without a
// value or filter, a replace), an If-Match precondition or an ETag to
// answer with (both need the row), a response body, or a mapping the
// store declines.
func (s *Server) membersOnly(c *gin.Context, r *resource, ops []patchOp, memberOps []adapters.MemberOp) bool {
	if r.groups == nil || len(ops) > 0 || len(memberOps) == 0 || r.res.Versioned() ||
		c.GetHeader("If-Match") != "" || c.Query("attributes") != "" || c.Query("excludedAttributes") != "" {
		return false
	}
	kind := memberOps[0].Kind
	if kind != adapters.MemberAdd && kind != adapters.MemberRemove {
		return false
	}
	var ids []string
	for _, op := range memberOps {
		if op.Kind != kind {
			return false
		}
		ids = append(ids, op.IDs...)
	}
	change := r.groups.AddMembers
	if kind == adapters.MemberRemove {
		change = r.groups.RemoveMembers
	}
	done, _, err := change(c.Request.Context(), c.Param("id"), ids)
	switch {
	case !done:
		return false
	case err != nil:
		s.failFor(c, err, r.res.Name)
	default:
		c.Status(http.StatusNoContent)
	}
	return true
}

func (s *Server) delete(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := s.in(c, r)
		var err error
		switch r.res.Delete {
		case mapping.DeleteRefuse:
			// 404 for what does not exist, as for every other method.
			if _, err := r.store.Get(c.Request.Context(), c.Param("id")); err != nil {
				s.failFor(c, err, r.res.Name)
				return
			}
			if r.res.IsFixed() {
				_, err := r.store.Delete(c.Request.Context(), c.Param("id"), nil)
				s.failFor(c, err, r.res.Name)
				return
			}
			s.fail(c, errorf(http.StatusMethodNotAllowed, "", "this application does not delete %ss; deactivate them instead", r.res.Name))
			return
		case mapping.DeleteDeactivate:
			_, err = r.store.Update(c.Request.Context(), c.Param("id"), func(cur adapters.Record) (adapters.Record, error) {
				if err := s.checkIfMatch(c, r, cur); err != nil {
					return nil, err
				}
				after := r.res.FromRecord(cur)
				after["active"] = false
				return r.res.Changes(cur, after)
			})
		default:
			var check func(adapters.Record) error
			if c.GetHeader("If-Match") != "" && r.res.Versioned() {
				// On the row the delete has locked: no write can come
				// between the check and the delete.
				check = func(cur adapters.Record) error { return s.checkIfMatch(c, r, cur) }
			}
			_, err = r.store.Delete(c.Request.Context(), c.Param("id"), check)
		}
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// listParams are the query parameters of a list or search request.
type listParams struct {
	filter, sortBy, sortOrder, attributes, excluded string
	startIndex, count                               string
}

func (s *Server) list(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := s.in(c, r)
		s.runList(c, r, listParams{
			filter: c.Query("filter"), sortBy: c.Query("sortBy"), sortOrder: c.Query("sortOrder"),
			attributes: c.Query("attributes"), excluded: c.Query("excludedAttributes"),
			startIndex: c.Query("startIndex"), count: c.Query("count"),
		})
	}
}

// search serves POST /{Resource}/.search (RFC 7644 section 3.4.3).
func (s *Server) search(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := s.in(c, r)
		if c.Param("id") != ".search" {
			s.fail(c, errorf(http.StatusMethodNotAllowed, "", "method not allowed"))
			return
		}
		body, err := s.readBody(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.runList(c, r, searchParams(body))
	}
}

// searchParams reads the list parameters of a SearchRequest body (RFC
// 7644 section 3.4.3); attributes may be given as arrays or strings.
func searchParams(body map[string]any) listParams {
	str := func(k string) string {
		v, _ := mapping.Get(body, k)
		switch x := v.(type) {
		case string:
			return x
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				if es, ok := e.(string); ok {
					parts = append(parts, es)
				}
			}
			return strings.Join(parts, ",")
		case nil:
			return ""
		}
		return scalarString(v)
	}
	return listParams{
		filter: str("filter"), sortBy: str("sortBy"), sortOrder: str("sortOrder"),
		attributes: str("attributes"), excluded: str("excludedAttributes"),
		startIndex: str("startIndex"), count: str("count"),
	}
}

// rootSearch serves POST /.search (RFC 7644 section 3.4.3): a search
// across every resource type. The filter applies to each type; a type
// that does not know one of its attributes matches nothing. Results come
// type by type (Users, then Groups), each type sorted by sortBy where it
// has the attribute, and startIndex and count page through the whole.
func (s *Server) rootSearch(c *gin.Context) {
	body, err := s.readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	lp := searchParams(body)
	start, err := intParam("startIndex", lp.startIndex, 1)
	if err != nil {
		s.fail(c, err)
		return
	}
	start = max(start, 1)
	count, err := intParam("count", lp.count, s.cfg.DefaultPageSize)
	if err != nil {
		s.fail(c, err)
		return
	}
	count = max(0, min(count, s.cfg.MaxPageSize))
	desc := strings.EqualFold(lp.sortOrder, "descending")
	if lp.sortOrder != "" && !desc && !strings.EqualFold(lp.sortOrder, "ascending") {
		s.fail(c, errorf(http.StatusBadRequest, "invalidValue", "sortOrder must be ascending or descending"))
		return
	}
	ctx := c.Request.Context()
	offset, total := start-1, 0
	var items []item
	var firstErr error
	searched := 0
	for _, r0 := range s.resources {
		r := s.in(c, r0)
		where, err := parseFilter(r.res, lp.filter)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue // not a filter this type can answer: nothing of it matches
		}
		searched++
		q := adapters.Query{Where: where}
		if lp.sortBy != "" {
			if o, ok, err := r.res.Order(lp.sortBy, desc); err == nil && ok {
				q.Order = append(q.Order, o)
			}
		}
		n, err := r.store.List(ctx, q)
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		total += n.Total
		if offset >= n.Total || len(items) >= count {
			offset = max(0, offset-n.Total)
			continue
		}
		q.Offset, q.Limit = offset, count-len(items)
		offset = 0
		page, err := r.store.List(ctx, q)
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		got, err := s.prepare(c, r, page.Records, newProjection(r.res.Schema, lp.attributes, lp.excluded), nil)
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		items = append(items, got...)
	}
	if searched == 0 && firstErr != nil {
		s.fail(c, firstErr)
		return
	}
	s.sendList(c, "resource", total, start, items)
}

func (s *Server) runList(c *gin.Context, r *resource, lp listParams) {
	start, err := intParam("startIndex", lp.startIndex, 1)
	if err != nil {
		s.fail(c, err)
		return
	}
	if start < 1 {
		start = 1
	}
	count, err := intParam("count", lp.count, s.cfg.DefaultPageSize)
	if err != nil {
		s.fail(c, err)
		return
	}
	count = max(0, min(count, s.cfg.MaxPageSize))
	where, err := parseFilter(r.res, lp.filter)
	if err != nil {
		s.failFor(c, err, r.res.Name)
		return
	}
	q := adapters.Query{Where: where, Offset: start - 1, Limit: count}
	if lp.sortBy != "" {
		desc := strings.EqualFold(lp.sortOrder, "descending")
		if lp.sortOrder != "" && !desc && !strings.EqualFold(lp.sortOrder, "ascending") {
			s.fail(c, errorf(http.StatusBadRequest, "invalidValue", "sortOrder must be ascending or descending"))
			return
		}
		o, ok, err := r.res.Order(lp.sortBy, desc)
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		if ok {
			q.Order = append(q.Order, o)
		}
	}
	page, err := r.store.List(c.Request.Context(), q)
	if err != nil {
		s.failFor(c, err, r.res.Name)
		return
	}
	items, err := s.prepare(c, r, page.Records, newProjection(r.res.Schema, lp.attributes, lp.excluded), nil)
	if err != nil {
		s.failFor(c, err, r.res.Name)
		return
	}
	s.sendList(c, r.res.Name, page.Total, start, items)
}

func intParam(name, v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, errorf(http.StatusBadRequest, "invalidValue", "%s must be an integer", name)
	}
	return n, nil
}

// update runs fn on the locked row and, for a group, applies the
// membership changes in the same transaction. With withGroups it reads a
// user's groups as get does.
func (r *resource) update(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error), ops []adapters.MemberOp, withGroups bool) (adapters.Record, adapters.GroupsRead, error) {
	if r.groups != nil {
		out, _, err := r.groups.UpdateGroup(ctx, id, func(cur adapters.Record) (adapters.Record, []adapters.MemberOp, error) {
			next, err := fn(cur)
			return next, ops, err
		})
		return out, adapters.GroupsRead{}, err
	}
	if gr, ok := r.store.(adapters.GroupsReader); ok && withGroups {
		return gr.UpdateWithGroups(ctx, id, fn)
	}
	out, err := r.store.Update(ctx, id, fn)
	return out, adapters.GroupsRead{}, err
}
