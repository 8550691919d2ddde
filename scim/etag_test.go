package scim_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestETags(t *testing.T) {
	s := newSidecar(t, legacySchema, "testdata/etag_mapping.yaml")
	r := s.do("GET", "/scim/v2/ServiceProviderConfig", nil)
	if r.Body["etag"].(map[string]any)["supported"] != true {
		t.Errorf("etag not advertised: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/Users/1", nil)
	v := r.Header.Get("ETag")
	if !strings.HasPrefix(v, `W/"`) || r.Body["meta"].(map[string]any)["version"] != v {
		t.Fatalf("ETag %q, meta.version %v", v, r.Body["meta"])
	}
	// If-None-Match with the current version: 304 and no body.
	r = s.doHeaders("GET", "/scim/v2/Users/1", nil, map[string]string{"If-None-Match": v})
	if r.Status != http.StatusNotModified || r.Raw != "" {
		t.Errorf("If-None-Match current: %d %q", r.Status, r.Raw)
	}
	r = s.doHeaders("GET", "/scim/v2/Users/1", nil, map[string]string{"If-None-Match": `W/"other"`})
	if r.Status != http.StatusOK {
		t.Errorf("If-None-Match other: %d", r.Status)
	}
	// If-Match with the current version writes and changes the version.
	r = s.doHeaders("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"displayName","value":"Alice A."}`), map[string]string{"If-Match": v})
	if r.Status != http.StatusOK || r.Header.Get("ETag") == v || r.Header.Get("ETag") == "" {
		t.Fatalf("If-Match current: %d %s %q", r.Status, r.Raw, r.Header.Get("ETag"))
	}
	// A stale version is refused with 412 and nothing is written.
	for _, req := range []struct{ method, body string }{
		{"PATCH", patchBody(`{"op":"replace","path":"displayName","value":"Lost update"}`)},
		{"PUT", `{"userName":"alice","displayName":"Lost update"}`},
		{"DELETE", ""},
	} {
		var body any
		if req.body != "" {
			body = req.body
		}
		r = s.doHeaders(req.method, "/scim/v2/Users/1", body, map[string]string{"If-Match": v})
		checkError(t, r, http.StatusPreconditionFailed, "")
	}
	if row := s.row("SELECT display_name, status FROM users WHERE id = 1"); row["display_name"] != "Alice A." || row["status"] != "active" {
		t.Errorf("stale If-Match wrote: %v", row)
	}
	// "*" matches any version.
	r = s.doHeaders("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"displayName","value":"Any"}`), map[string]string{"If-Match": "*"})
	if r.Status != http.StatusOK {
		t.Errorf("If-Match *: %d", r.Status)
	}
}
