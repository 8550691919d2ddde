package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/scimbridge/scimbridge/mapping"
)

// Bulk message schema URNs (RFC 7644 section 3.7).
const (
	BulkRequestSchema  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseSchema = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// bulkConfig is the bulk member of /ServiceProviderConfig.
func (s *Server) bulkConfig() map[string]any {
	if s.cfg.Bulk.MaxOperations <= 0 {
		return map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0}
	}
	return map[string]any{"supported": true, "maxOperations": s.cfg.Bulk.MaxOperations, "maxPayloadSize": s.cfg.MaxBodyBytes}
}

// bulkOp is one operation of a bulk request.
type bulkOp struct {
	index   int
	method  string
	bulkID  string
	path    string
	version string
	data    any
	hasData bool
	// refs are the bulkIds its path and data refer to ("bulkId:qwerty").
	refs []string
}

const bulkRef = "bulkId:"

// bulk serves POST /Bulk (RFC 7644 section 3.7). Every operation runs as
// the request it describes would on its own, through the same handlers,
// authentication, audit and metrics, each in its own transaction. An
// operation that refers to another's bulkId ("bulkId:qwerty" in its path
// or data, as a group's members refer to users created in the same
// request) runs after it, with the id it got; a reference that cannot be
// resolved (unknown, failed, or circular) fails that operation with 409.
// Results keep the order of the request. With failOnErrors, processing
// stops once that many operations have failed.
func (s *Server) bulk(c *gin.Context) {
	body, err := s.readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	raw, _ := mapping.Get(body, "Operations")
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		s.fail(c, errorf(http.StatusBadRequest, "invalidSyntax", "expected a BulkRequest with a non-empty Operations array"))
		return
	}
	if len(list) > s.cfg.Bulk.MaxOperations {
		s.fail(c, errorf(http.StatusRequestEntityTooLarge, "", "the bulk request has %d operations; maxOperations is %d", len(list), s.cfg.Bulk.MaxOperations))
		return
	}
	failOn := 0
	if v, ok := mapping.Get(body, "failOnErrors"); ok && v != nil {
		n, err := strconv.Atoi(scalarString(v))
		if err != nil || n < 0 {
			s.fail(c, errorf(http.StatusBadRequest, "invalidValue", "failOnErrors must be a non-negative integer"))
			return
		}
		failOn = n
	}
	ops := make([]*bulkOp, len(list))
	seen := map[string]bool{}
	for i, e := range list {
		op, err := parseBulkOp(i, e)
		if err == nil && op.bulkID != "" {
			if seen[op.bulkID] {
				err = errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: bulkId %q is used twice", i, op.bulkID)
			}
			seen[op.bulkID] = true
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		ops[i] = op
	}

	results := make([]map[string]any, len(ops))
	ids := map[string]string{}  // bulkId -> the id its POST created
	failed := map[string]bool{} // bulkIds whose operation failed
	errors := 0
	done := make([]bool, len(ops))
	// Run every operation whose references are resolved, in request
	// order, until none is left that can run.
	for progress := true; progress && (failOn == 0 || errors < failOn); {
		progress = false
		for _, op := range ops {
			if done[op.index] || (failOn > 0 && errors >= failOn) {
				continue
			}
			ready, broken := true, ""
			for _, ref := range op.refs {
				switch {
				case failed[ref] || !seen[ref]:
					broken = ref
				case ids[ref] == "":
					ready = false
				}
			}
			if broken == "" && !ready {
				continue
			}
			done[op.index], progress = true, true
			var res map[string]any
			if broken != "" {
				res = bulkError(op, errorf(http.StatusConflict, "invalidValue", "bulkId %q names no resource created in this request", broken))
			} else {
				res = s.runBulkOp(c, op, ids)
			}
			results[op.index] = res
			if st, _ := strconv.Atoi(res["status"].(string)); st >= 400 {
				errors++
				if op.bulkID != "" {
					failed[op.bulkID] = true
				}
			} else if op.bulkID != "" {
				ids[op.bulkID] = res["id"].(string)
			}
			delete(res, "id")
		}
	}
	// What is left refers, directly or not, to itself.
	if failOn == 0 || errors < failOn {
		for _, op := range ops {
			if !done[op.index] {
				results[op.index] = bulkError(op, errorf(http.StatusConflict, "invalidValue", "the operation's bulkId references are circular"))
				errors++
				if failOn > 0 && errors >= failOn {
					break
				}
			}
		}
	}
	out := []any{}
	for _, r := range results {
		if r != nil {
			out = append(out, r)
		}
	}
	s.write(c, http.StatusOK, map[string]any{"schemas": []string{BulkResponseSchema}, "Operations": out})
}

func parseBulkOp(i int, e any) (*bulkOp, error) {
	m, ok := e.(map[string]any)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: expected an object", i)
	}
	str := func(k string) string {
		v, _ := mapping.Get(m, k)
		s, _ := v.(string)
		return s
	}
	op := &bulkOp{index: i, method: strings.ToUpper(str("method")), bulkID: str("bulkId"), path: str("path"), version: str("version")}
	op.data, op.hasData = mapping.Get(m, "data")
	switch op.method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if _, isObj := op.data.(map[string]any); !isObj {
			return nil, errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: %s needs data, an object", i, op.method)
		}
	case http.MethodDelete:
	default:
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: method must be POST, PUT, PATCH or DELETE", i)
	}
	if !strings.HasPrefix(op.path, "/") || strings.ContainsAny(op.path, "?#") {
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: path must be a resource path such as /Users or /Users/{id}", i)
	}
	if op.method == http.MethodPost && op.bulkID == "" {
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "Operations[%d]: a POST needs a bulkId", i)
	}
	refs := map[string]bool{}
	collectRefs(op.path, refs)
	collectRefs(op.data, refs)
	for r := range refs {
		op.refs = append(op.refs, r)
	}
	return op, nil
}

// collectRefs adds the bulkIds that "bulkId:…" strings in v refer to.
func collectRefs(v any, out map[string]bool) {
	switch x := v.(type) {
	case string:
		for _, part := range strings.Split(x, "/") {
			if id, ok := strings.CutPrefix(part, bulkRef); ok && id != "" {
				out[id] = true
			}
		}
	case []any:
		for _, e := range x {
			collectRefs(e, out)
		}
	case map[string]any:
		for _, e := range x {
			collectRefs(e, out)
		}
	}
}

// resolve replaces "bulkId:…" references in v with the ids they name.
func resolve(v any, ids map[string]string) any {
	switch x := v.(type) {
	case string:
		parts := strings.Split(x, "/")
		for i, p := range parts {
			if id, ok := strings.CutPrefix(p, bulkRef); ok && ids[id] != "" {
				parts[i] = ids[id]
			}
		}
		return strings.Join(parts, "/")
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolve(e, ids)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = resolve(e, ids)
		}
		return out
	}
	return v
}

// resolvePath replaces the bulkId references of a path by the ids they
// stand for, escaped as path segments.
func resolvePath(path string, ids map[string]string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if id, ok := strings.CutPrefix(p, bulkRef); ok && ids[id] != "" {
			parts[i] = escapeID(ids[id])
		}
	}
	return strings.Join(parts, "/")
}

// runBulkOp runs one operation as a request of its own on the server's
// routes, with the bulk request's credentials, and returns its result:
// method, bulkId, location, version and status, and for a failure the
// SCIM error as response. For a created resource, "id" carries its id
// for later references (and is removed before the result is sent).
func (s *Server) runBulkOp(c *gin.Context, op *bulkOp, ids map[string]string) map[string]any {
	var body []byte
	if op.hasData && op.method != http.MethodDelete {
		var err error
		if body, err = json.Marshal(resolve(op.data, ids)); err != nil {
			return bulkError(op, errorf(http.StatusBadRequest, "invalidSyntax", "data cannot be encoded"))
		}
	}
	path := resolvePath(op.path, ids)
	req, err := http.NewRequestWithContext(withBulkOp(c.Request.Context()), op.method, s.cfg.BasePath+path, bytes.NewReader(body))
	if err != nil || strings.HasPrefix(path, "/Bulk") {
		return bulkError(op, errorf(http.StatusBadRequest, "invalidSyntax", "path %q is not a resource path", op.path))
	}
	req.Header.Set("Authorization", c.GetHeader("Authorization"))
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("X-Request-Id", c.GetString("requestID")+"."+strconv.Itoa(op.index))
	if op.version != "" && op.method != http.MethodPost {
		req.Header.Set("If-Match", op.version)
	}
	req.RemoteAddr = c.Request.RemoteAddr
	req.Host = c.Request.Host
	if c.Request.TLS != nil {
		req.TLS = c.Request.TLS
	}
	if p := c.GetHeader("X-Forwarded-Proto"); p != "" {
		req.Header.Set("X-Forwarded-Proto", p)
	}
	rec := httptest.NewRecorder()
	s.engine.ServeHTTP(rec, req)
	res := map[string]any{"method": op.method, "status": strconv.Itoa(rec.Code)}
	if op.bulkID != "" {
		res["bulkId"] = op.bulkID
	}
	if v := rec.Header().Get("ETag"); v != "" {
		res["version"] = v
	}
	var doc map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &doc)
	if rec.Code >= 400 {
		res["response"] = doc
		return res
	}
	loc := rec.Header().Get("Location")
	if loc == "" {
		if meta, ok := doc["meta"].(map[string]any); ok {
			loc, _ = meta["location"].(string)
		}
	}
	if loc == "" && op.method != http.MethodPost {
		loc = s.baseURL(c) + path
	}
	if loc != "" {
		res["location"] = loc
	}
	if op.method == http.MethodPost {
		id, _ := doc["id"].(string)
		res["id"] = id
	}
	return res
}

// bulkError is the result of an operation that failed with e.
func bulkError(op *bulkOp, e *Error) map[string]any {
	res := map[string]any{"method": op.method, "status": strconv.Itoa(e.Status), "response": e.body()}
	if op.bulkID != "" {
		res["bulkId"] = op.bulkID
	}
	if op.method != http.MethodPost {
		res["location"] = op.path
	}
	return res
}
