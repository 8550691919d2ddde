package scim

import (
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/scimbridge/scimbridge/mapping"
)

// Discovery schema URNs (RFC 7643 sections 5-7).
const (
	ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeSchema          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

func (s *Server) serviceProviderConfig(c *gin.Context) {
	s.write(c, http.StatusOK, map[string]any{
		"schemas":          []string{ServiceProviderConfigSchema},
		"documentationUri": "https://github.com/scimbridge/scimbridge#readme",
		"patch":            map[string]any{"supported": true},
		"bulk":             s.bulkConfig(),
		"filter":           map[string]any{"supported": true, "maxResults": s.cfg.MaxPageSize},
		"changePassword":   map[string]any{"supported": s.passwords()},
		"sort":             map[string]any{"supported": true},
		"etag":             map[string]any{"supported": s.etags()},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "Authentication with a bearer token in the Authorization header.",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.baseURL(c) + "/ServiceProviderConfig"},
	})
}

func (s *Server) resourceTypeDoc(c *gin.Context, r *resource) map[string]any {
	exts := []any{}
	for _, e := range r.res.Extensions() {
		exts = append(exts, map[string]any{"schema": e, "required": false})
	}
	return map[string]any{
		"schemas":          []string{ResourceTypeSchema},
		"id":               r.res.Name,
		"name":             r.res.Name,
		"endpoint":         r.res.Endpoint,
		"schema":           r.res.Schema,
		"schemaExtensions": exts,
		"meta":             map[string]any{"resourceType": "ResourceType", "location": s.baseURL(c) + "/ResourceTypes/" + r.res.Name},
	}
}

func (s *Server) resourceTypes(c *gin.Context) {
	items := []any{}
	for _, r := range s.resources {
		items = append(items, s.resourceTypeDoc(c, r))
	}
	s.writeList(c, items)
}

func (s *Server) resourceType(c *gin.Context) {
	for _, r := range s.resources {
		if strings.EqualFold(r.res.Name, c.Param("name")) {
			s.write(c, http.StatusOK, s.resourceTypeDoc(c, r))
			return
		}
	}
	s.fail(c, errorf(http.StatusNotFound, "", "resource type not found"))
}

// schemaDocs renders every schema the mapping stores attributes of.
func (s *Server) schemaDocs(c *gin.Context) []map[string]any {
	var out []map[string]any
	for _, r := range s.resources {
		defs := r.res.Schemas()
		urns := make([]string, 0, len(defs))
		for u := range defs {
			urns = append(urns, u)
		}
		sort.Strings(urns)
		for _, u := range urns {
			attrs := make([]any, 0, len(defs[u]))
			for _, d := range defs[u] {
				attrs = append(attrs, attrDoc(d))
			}
			name, desc := r.res.SchemaName(u)
			out = append(out, map[string]any{
				"schemas":     []string{SchemaSchema},
				"id":          u,
				"name":        name,
				"description": desc,
				"attributes":  attrs,
				"meta":        map[string]any{"resourceType": "Schema", "location": s.baseURL(c) + "/Schemas/" + u},
			})
		}
	}
	return out
}

func attrDoc(d *mapping.AttrDef) map[string]any {
	m := map[string]any{
		"name":        d.Name,
		"type":        string(d.Type),
		"multiValued": d.MultiValued,
		"description": d.Description,
		"required":    d.Required,
		"caseExact":   d.CaseExact,
		"mutability":  d.Mutability,
		"returned":    d.Returned,
		"uniqueness":  d.Uniqueness,
	}
	if m["returned"] == "" {
		m["returned"] = "default"
	}
	if m["uniqueness"] == "" {
		m["uniqueness"] = "none"
	}
	if len(d.ReferenceType) > 0 {
		m["referenceTypes"] = d.ReferenceType
	}
	if len(d.Sub) > 0 {
		subs := make([]any, len(d.Sub))
		for i, sd := range d.Sub {
			subs[i] = attrDoc(sd)
		}
		m["subAttributes"] = subs
	}
	return m
}

func (s *Server) schemas(c *gin.Context) {
	items := []any{}
	for _, d := range s.schemaDocs(c) {
		items = append(items, d)
	}
	s.writeList(c, items)
}

func (s *Server) schema(c *gin.Context) {
	for _, d := range s.schemaDocs(c) {
		if strings.EqualFold(d["id"].(string), c.Param("id")) {
			s.write(c, http.StatusOK, d)
			return
		}
	}
	s.fail(c, errorf(http.StatusNotFound, "", "schema not found"))
}

func (s *Server) writeList(c *gin.Context, items []any) {
	s.write(c, http.StatusOK, map[string]any{
		"schemas":      []string{ListResponseSchema},
		"totalResults": len(items),
		"startIndex":   1,
		"itemsPerPage": len(items),
		"Resources":    items,
	})
}

// passwords reports whether a password can be set: some resource maps
// the password attribute (PATCH and PUT then change it).
func (s *Server) passwords() bool {
	for _, r := range s.resources {
		if r.res.Maps("password") {
			return true
		}
	}
	return false
}

// etags reports whether any resource has ETags.
func (s *Server) etags() bool {
	for _, r := range s.resources {
		if r.res.Versioned() {
			return true
		}
	}
	return false
}
