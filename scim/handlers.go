package scim

import (
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

// render turns a row into the response document, with meta.location.
func (s *Server) render(c *gin.Context, r *resource, rec adapters.Record) map[string]any {
	doc := r.res.FromRecord(rec)
	if meta, ok := doc["meta"].(map[string]any); ok {
		meta["location"] = s.baseURL(c) + r.res.Endpoint + "/" + r.res.ID(rec)
	}
	return doc
}

func (s *Server) get(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		rec, err := r.store.Get(c.Request.Context(), c.Param("id"))
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		p := newProjection(r.res.Schema, c.Query("attributes"), c.Query("excludedAttributes"))
		s.write(c, http.StatusOK, p.apply(s.render(c, r, rec)))
	}
}

func (s *Server) create(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
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
		out, err := r.store.Create(c.Request.Context(), rec)
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		doc := s.render(c, r, out)
		c.Header("Location", doc["meta"].(map[string]any)["location"].(string))
		s.write(c, http.StatusCreated, doc)
	}
}

func (s *Server) replace(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
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
		out, err := r.store.Update(c.Request.Context(), c.Param("id"), func(adapters.Record) (adapters.Record, error) {
			return rec, nil
		})
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		s.write(c, http.StatusOK, s.render(c, r, out))
	}
}

func (s *Server) patch(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
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
		p := patcher{schema: r.res.Schema}
		out, err := r.store.Update(c.Request.Context(), c.Param("id"), func(cur adapters.Record) (adapters.Record, error) {
			before := r.res.FromRecord(cur)
			after := r.res.FromRecord(cur)
			if err := p.apply(after, ops); err != nil {
				return nil, err
			}
			return r.res.Changes(before, after)
		})
		if err != nil {
			s.failFor(c, err, r.res.Name)
			return
		}
		s.write(c, http.StatusOK, s.render(c, r, out))
	}
}

func (s *Server) delete(r *resource) gin.HandlerFunc {
	return func(c *gin.Context) {
		var err error
		switch r.res.Delete {
		case mapping.DeleteRefuse:
			s.fail(c, errorf(http.StatusMethodNotAllowed, "", "this application does not delete %ss; deactivate them instead", r.res.Name))
			return
		case mapping.DeleteDeactivate:
			_, err = r.store.Update(c.Request.Context(), c.Param("id"), func(cur adapters.Record) (adapters.Record, error) {
				before := r.res.FromRecord(cur)
				after := r.res.FromRecord(cur)
				after["active"] = false
				return r.res.Changes(before, after)
			})
		default:
			err = r.store.Delete(c.Request.Context(), c.Param("id"))
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
		if c.Param("id") != ".search" {
			s.fail(c, errorf(http.StatusMethodNotAllowed, "", "method not allowed"))
			return
		}
		body, err := s.readBody(c)
		if err != nil {
			s.fail(c, err)
			return
		}
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
		s.runList(c, r, listParams{
			filter: str("filter"), sortBy: str("sortBy"), sortOrder: str("sortOrder"),
			attributes: str("attributes"), excluded: str("excludedAttributes"),
			startIndex: str("startIndex"), count: str("count"),
		})
	}
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
	p := newProjection(r.res.Schema, lp.attributes, lp.excluded)
	items := make([]any, 0, len(page.Records))
	for _, rec := range page.Records {
		items = append(items, p.apply(s.render(c, r, rec)))
	}
	s.write(c, http.StatusOK, map[string]any{
		"schemas":      []string{ListResponseSchema},
		"totalResults": page.Total,
		"startIndex":   start,
		"itemsPerPage": len(items),
		"Resources":    items,
	})
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
