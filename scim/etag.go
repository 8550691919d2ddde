package scim

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/scimbridge/scimbridge/adapters"
)

// ETags (RFC 7644 section 3.14) for resources whose mapping sets version.

// matchETag reports whether an If-Match / If-None-Match header value names
// etag: "*" or a comma-separated list of entity tags, compared weakly.
func matchETag(header, etag string) bool {
	if etag == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// checkIfMatch returns a 412 SCIM error when the request's If-Match names
// none of the row's versions. It runs inside the write's transaction, on
// the locked row, so no other write can slip in between.
func (s *Server) checkIfMatch(c *gin.Context, r *resource, cur adapters.Record) error {
	h := c.GetHeader("If-Match")
	if h == "" || !r.res.Versioned() {
		return nil
	}
	if !matchETag(h, r.res.Version(cur)) {
		return errorf(http.StatusPreconditionFailed, "", "the %s has changed since the version in If-Match", r.res.Name)
	}
	return nil
}

// notModified answers 304 when If-None-Match names the row's version.
func (s *Server) notModified(c *gin.Context, r *resource, rec adapters.Record) bool {
	h := c.GetHeader("If-None-Match")
	if h == "" || !r.res.Versioned() {
		return false
	}
	v := r.res.Version(rec)
	if !matchETag(h, v) {
		return false
	}
	c.Header("ETag", v)
	c.Status(http.StatusNotModified)
	return true
}
