package scim

import (
	"bufio"
	"net/http"
	"strconv"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/internal/jsonenc"
	"github.com/scimbridge/scimbridge/mapping"
)

// escapeID escapes an id for a URL path segment: everything but letters,
// digits, "-._~" (RFC 3986 unreserved) and ":" (which id prefixes use)
// is percent-encoded, so that ids holding spaces, "/", "@", "+", "%" or
// non-ASCII letters (a login that is the key) name the resource, and a
// client that decodes "+" as a space does not change one.
func escapeID(id string) string {
	clean := true
	for i := 0; i < len(id); i++ {
		if !idSafe(id[i]) {
			clean = false
			break
		}
	}
	if clean {
		return id
	}
	return string(appendEscapedID(make([]byte, 0, len(id)+16), id))
}

// appendEscapedID appends id escaped as escapeID escapes it.
func appendEscapedID(b []byte, id string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(id); i++ {
		c := id[i]
		if idSafe(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

func idSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == ':'
}

// item is one resource to send.
type item struct {
	id string
	// doc is the document to send; when it is nil, the document is
	// written straight from the row, rec, with groups as the user's
	// groups, by the resource's AppendDocument, through x.
	doc    map[string]any
	rec    adapters.Record
	groups []adapters.Member
	x      *mapping.Rendered
	// members asks for the group's members to be streamed into the
	// document from the database, so that a group of any size is sent
	// without holding its membership in memory.
	members bool
	// r is the resource type the item is of.
	r *resource
	// written is set when the item answers a write that has committed.
	written *written
}

// written describes the answer to a write that has committed: the write
// stands whatever happens after it, so what the answer reads after the
// commit (a user's groups, managers' names, a group's members) is read on
// a best-effort basis. A failed read leaves out what it would have added,
// or puts in what the request itself says, and is logged; it never turns
// the write's success into an error, which the IdP would retry (getting
// 409 for its own create).
type written struct {
	// members are the ids of the group's members as the write left
	// them, when the request says so (a POST, a PUT with members); nil
	// when unknown.
	members []string
}

// render turns a row into the response document, with meta.location
// under base, the request's base URL.
func (s *Server) render(base string, r *resource, rec adapters.Record) item {
	doc := r.res.FromRecord(rec)
	id, ok := doc["id"].(string)
	if !ok {
		id = r.res.ID(rec)
	}
	if meta, ok := doc["meta"].(map[string]any); ok {
		meta["location"] = base + r.res.Endpoint + "/" + escapeID(id)
	}
	return item{id: id, doc: doc, r: r}
}

// prepare renders rows for a response: the users' groups are looked up in
// one query for all of them (or, for one user, taken from read when the
// store read them with the user), the projection is applied, and groups
// are marked for member streaming unless members are excluded.
func (s *Server) prepare(c *gin.Context, r *resource, recs []adapters.Record, p projection, read *adapters.GroupsRead) ([]item, error) {
	return s.prepareFor(c, r, recs, p, read, nil)
}

// prepareFor is prepare; with w set, the records are what a committed
// write left (see written), and a failed read leaves out what it would
// have added.
func (s *Server) prepareFor(c *gin.Context, r *resource, recs []adapters.Record, p projection, read *adapters.GroupsRead, w *written) ([]item, error) {
	base := s.baseURL(c)
	items := make([]item, len(recs))
	// Without a projection, documents are written from the rows when
	// the resource's AppendDocument can: no document is built per row.
	var x *mapping.Rendered
	if p.none() && r.res.CanAppendDocument() {
		x = s.rendered(base, r)
	}
	for i, rec := range recs {
		if x != nil {
			items[i] = item{id: r.res.ID(rec), rec: rec, x: x, r: r, written: w}
			continue
		}
		items[i] = s.render(base, r, rec)
		items[i].written = w
	}
	if g := r.groupsOf; g != nil && !p.excludes("groups") && len(items) > 0 {
		var of map[string][]adapters.Member
		if read != nil && read.Done && len(items) == 1 {
			of = map[string][]adapters.Member{items[0].id: read.Groups}
		} else {
			ids := make([]string, len(items))
			for i, it := range items {
				ids[i] = it.id
			}
			var err error
			if of, err = g.groups.GroupsOf(c.Request.Context(), ids); err != nil {
				if w == nil {
					return nil, err
				}
				s.afterCommit(c, "groups", err)
			}
		}
		for i, it := range items {
			if gs := of[it.id]; len(gs) > 0 {
				if it.doc == nil {
					items[i].groups = gs
					continue
				}
				it.doc["groups"] = groupEntries(base, g, gs)
			}
		}
	}
	if x == nil && r.res.HasManager() {
		if err := s.managers(c, base, r, items); err != nil {
			if w == nil {
				return nil, err
			}
			s.afterCommit(c, "manager", err)
		}
	}
	for i := range items {
		items[i].doc = p.apply(items[i].doc)
		items[i].members = r.groups != nil && !p.excludes("members")
	}
	return items, nil
}

// groupEntries renders a user's groups as its groups attribute.
func groupEntries(base string, g *resource, gs []adapters.Member) []any {
	list := make([]any, len(gs))
	for j, m := range gs {
		e := map[string]any{"value": m.ID, "type": "direct", "$ref": base + g.res.Endpoint + "/" + escapeID(m.ID)}
		if m.Display != "" {
			e["display"] = m.Display
		}
		list[j] = e
	}
	return list
}

// rendered returns what a response's documents of r written from their
// rows need: their location and their groups' $ref under base.
func (s *Server) rendered(base string, r *resource) *mapping.Rendered {
	x := &mapping.Rendered{Location: urlAppender(base + r.res.Endpoint + "/")}
	if g := r.groupsOf; g != nil {
		x.GroupRef = urlAppender(base + g.res.Endpoint + "/")
	}
	return x
}

// urlAppender returns a function appending, as a JSON string, prefix and
// an id escaped as escapeID escapes it.
func urlAppender(prefix string) func([]byte, string) []byte {
	return func(dst []byte, id string) []byte {
		dst = jsonenc.AppendStringBody(append(dst, '"'), prefix)
		// What escapeID writes is ASCII that JSON does not escape.
		return append(appendEscapedID(dst, id), '"')
	}
}

// managers completes the enterprise manager of each item with its $ref
// (RFC 7643 section 4.3) and, where the users' displayName is mapped, its
// displayName, read for all the items in one query.
func (s *Server) managers(c *gin.Context, base string, r *resource, items []item) error {
	var ids []string
	refs := map[string][]map[string]any{}
	for _, it := range items {
		ext, _ := it.doc[mapping.EnterpriseSchema].(map[string]any)
		m, _ := ext["manager"].(map[string]any)
		id, _ := m["value"].(string)
		if id == "" {
			continue
		}
		m["$ref"] = base + r.res.Endpoint + "/" + escapeID(id)
		if refs[id] == nil {
			ids = append(ids, id)
		}
		refs[id] = append(refs[id], m)
	}
	if len(ids) == 0 || !r.res.Maps("displayName") {
		return nil
	}
	var where adapters.Expr
	for _, id := range ids {
		e, err := r.res.Compare("id", adapters.OpEq, id)
		if err != nil {
			return err
		}
		if where == nil {
			where = e
		} else {
			where = adapters.Or{Left: where, Right: e}
		}
	}
	page, err := r.store.List(c.Request.Context(), adapters.Query{Where: where, Limit: len(ids)})
	if err != nil {
		return err
	}
	for _, rec := range page.Records {
		doc := r.res.FromRecord(rec)
		if d, ok := doc["displayName"].(string); ok {
			for _, m := range refs[r.res.ID(rec)] {
				m["displayName"] = d
			}
		}
	}
	return nil
}

// afterCommit logs a read that failed after a write committed, which the
// answer does without.
func (s *Server) afterCommit(c *gin.Context, what string, err error) {
	s.logger.WarnContext(c.Request.Context(), "the write committed; answering without what could not be read after it",
		"request_id", c.GetString("requestID"), "read", what, "err", err)
}

// sendOne writes one resource. For a committed write (it.written) whose
// members cannot be read, the document is sent without them, if nothing
// was sent yet.
func (s *Server) sendOne(c *gin.Context, status int, r *resource, it item) {
	s.stream(c, status, r.res.Name, func(w *bufio.Writer) error {
		err := s.encode(c, w, it)
		if err == nil || it.written == nil || !it.members || c.Writer.Written() {
			return err
		}
		s.afterCommit(c, "members", err)
		w.Reset(c.Writer) // drop what was buffered
		it.members = false
		return s.encode(c, w, it)
	})
}

// sendList writes a list response.
func (s *Server) sendList(c *gin.Context, resource string, total, start int, items []item) {
	s.stream(c, http.StatusOK, resource, func(w *bufio.Writer) error {
		// The members as encoding/json orders them, Resources last.
		b := append(w.AvailableBuffer(), `{"itemsPerPage":`...)
		b = strconv.AppendInt(b, int64(len(items)), 10)
		b = append(b, `,"schemas":["`+ListResponseSchema+`"],"startIndex":`...)
		b = strconv.AppendInt(b, int64(start), 10)
		b = append(b, `,"totalResults":`...)
		b = strconv.AppendInt(b, int64(total), 10)
		w.Write(append(b, `,"Resources":[`...))
		for i, it := range items {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := s.encode(c, w, it); err != nil {
				return err
			}
		}
		w.WriteString("]}")
		return nil
	})
}

// writers holds the buffers responses are written through: a fresh 32 KiB
// buffer per response was 70% of the bytes a GET of a user allocated.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}

// stream sends a SCIM JSON body produced by fn. Nothing reaches the
// client until the body fills the buffer or is complete, so an error
// before then (the members query of a group failing) is answered as a
// SCIM error with its status, and no byte of the failed body is sent.
// Once part of the body is sent an error can no longer become a SCIM
// error: it is logged and the connection is cut, so the client sees a
// broken response rather than a short one.
func (s *Server) stream(c *gin.Context, status int, resource string, fn func(*bufio.Writer) error) {
	c.Header("Content-Type", ContentType)
	c.Status(status)
	w := writers.Get().(*bufio.Writer)
	w.Reset(c.Writer)
	defer func() {
		w.Reset(nil)
		writers.Put(w)
	}()
	if err := fn(w); err != nil {
		if !c.Writer.Written() {
			w.Reset(nil) // drop what was buffered
			for _, h := range []string{"ETag", "Location"} {
				c.Writer.Header().Del(h)
			}
			s.failFor(c, err, resource)
			return
		}
		s.logger.ErrorContext(c.Request.Context(), "response cut short", "request_id", c.GetString("requestID"), "err", err)
		panic(http.ErrAbortHandler)
	}
	if err := w.Flush(); err != nil {
		s.logger.DebugContext(c.Request.Context(), "writing response", "err", err)
	}
}

// encode writes one resource document, streaming a group's members.
func (s *Server) encode(c *gin.Context, w *bufio.Writer, it item) error {
	r := it.r
	// Encoded in the writer's free space, where it fits: no copy.
	var b []byte
	var err error
	if it.doc != nil {
		b, err = jsonenc.Append(w.AvailableBuffer(), it.doc)
	} else {
		it.x.Groups = it.groups
		b, err = r.res.AppendDocument(w.AvailableBuffer(), it.rec, it.x)
		if err == nil && checkRendering {
			err = s.checkRendered(c, it, b)
		}
	}
	if err != nil {
		return err
	}
	if !it.members {
		w.Write(b)
		return nil
	}
	// The members array is opened with the first member: a group without
	// members has no members attribute, as RFC 7643 section 2.5 treats an
	// empty multi-valued attribute as unassigned.
	w.Write(b[:len(b)-1])
	users := s.baseURL(c) + "/Users/"
	for _, u := range s.resources {
		if u.groupsOf == r {
			users = s.baseURL(c) + u.res.Endpoint + "/"
		}
	}
	first := true
	var buf []byte
	write := func(m adapters.Member) error {
		if first {
			w.WriteString(`,"members":[`)
		} else {
			w.WriteByte(',')
		}
		first = false
		doc := map[string]any{"value": m.ID, "type": "User", "$ref": users + escapeID(m.ID)}
		if m.Display != "" {
			doc["display"] = m.Display
		}
		var err error
		if buf, err = jsonenc.Append(buf[:0], doc); err != nil {
			return err
		}
		_, err = w.Write(buf)
		return err
	}
	known := it.written != nil && it.written.members != nil
	var sent map[string]bool
	if known {
		sent = map[string]bool{}
	}
	err = r.groups.EachMember(c.Request.Context(), it.id, func(m adapters.Member) error {
		if sent != nil {
			sent[m.ID] = true
		}
		return write(m)
	})
	if err != nil && known {
		// After a commit, the members the request set are the members:
		// those not read yet are sent as the request named them.
		s.afterCommit(c, "members", err)
		err = nil
		for _, id := range it.written.members {
			if !sent[id] {
				sent[id] = true
				if err = write(adapters.Member{ID: id}); err != nil {
					break
				}
			}
		}
	}
	if !first {
		w.WriteByte(']')
	}
	w.WriteByte('}')
	return err
}
