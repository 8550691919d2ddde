package scim_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// fuzzing reports whether the test binary runs with -fuzz, rather than
// running the seed corpus as ordinary tests.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// FuzzHandler drives the whole SCIM handler — routing, auth, body
// reading, filters, PATCH, projection, the mapping and the MySQL adapter —
// with arbitrary methods, paths, query strings and bodies, and checks that
// every response is a well-formed SCIM answer: never a 5xx, an error always
// a SCIM error with nothing of SQL or Go in it. As ordinary tests the seeds
// run on the database SCIMBRIDGE_TEST_DSN names; when fuzzing (go test
// -fuzz FuzzHandler) every worker uses its own embedded engine, which
// keeps fuzzing fast and leaves nothing behind on a shared server, but
// means engine differences are not fuzzed.
func FuzzHandler(f *testing.F) {
	for _, s := range []struct {
		method uint8
		target string
		body   string
	}{
		{0, "/scim/v2/Users?filter=userName%20eq%20%22alice%22&startIndex=1&count=100", ""},
		{0, "/scim/v2/Users?filter=" + urlq(`emails[type eq "work" and value co "@"] or not (displayName pr)`) + "&sortBy=userName&sortOrder=descending", ""},
		{0, "/scim/v2/Users/1?attributes=userName,groups", ""},
		{0, "/scim/v2/Groups/2?excludedAttributes=members", ""},
		{0, "/scim/v2/Groups?filter=displayName%20eq%20%22editor%22", ""},
		{0, "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", ""},
		{0, "/scim/v2/ServiceProviderConfig", ""},
		{1, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"fuzz@example.com","displayName":"Fuzz","active":true}`},
		{1, "/scim/v2/Groups", `{"displayName":"fuzzers","members":[{"value":"1"},{"value":"3"}]}`},
		{1, "/scim/v2/Users/.search", `{"filter":"userName sw \"a\"","attributes":["userName"],"count":2}`},
		{2, "/scim/v2/Users/2", `{"userName":"bob","displayName":"Bob","active":false}`},
		{2, "/scim/v2/Groups/2", `{"displayName":"editor","members":[{"value":"2"}]}`},
		{3, "/scim/v2/Users/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"active":"False","displayName":"A"}}]}`},
		{3, "/scim/v2/Groups/2", `{"Operations":[{"op":"add","path":"members","value":[{"value":"4"}]},{"op":"remove","path":"members[value eq \"3\"]"}]}`},
		{3, "/scim/v2/Groups/1?attributes=members", `{"Operations":[{"op":"remove","path":"members","value":[{"value":"1"}]}]}`},
		{4, "/scim/v2/Users/4", ""},
		{4, "/scim/v2/Groups/3", ""},
		{0, "/scim/v2/Users/%ff", ""},
		{1, "/scim/v2/Users", "{\"userName\":\"\\ud800\"}"},
		{3, "/scim/v2/Users/1", `{"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"x@y"}]}`},
	} {
		f.Add(s.method, s.target, []byte(s.body))
	}
	if fuzzing() {
		os.Unsetenv(mysqltest.EnvDSN)
	}
	s := newSidecar(f, "testdata/roles_schema.sql", "testdata/roles_mapping.yaml", "authThrottle: {maxFailures: -1}", "requestTimeout: 10s")
	f.Fuzz(func(t *testing.T, method uint8, target string, body []byte) {
		if !strings.HasPrefix(target, "/") {
			target = "/scim/v2/" + target
		}
		req, err := http.NewRequest(fuzzMethods[int(method)%len(fuzzMethods)], "http://sidecar.test"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/scim+json")
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, req)
		what := req.Method + " " + target
		if w.Code >= 500 {
			t.Fatalf("%s %q: %d %s", what, body, w.Code, w.Body.String())
		}
		if w.Body.Len() == 0 {
			return
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/scim+json" {
			t.Fatalf("%s: Content-Type %q", what, ct)
		}
		var doc map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
			t.Fatalf("%s: the response is not a JSON object: %v\n%s", what, err, w.Body.String())
		}
		if w.Code < 400 {
			return
		}
		if schemas, _ := doc["schemas"].([]any); len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || doc["status"] != strconvItoa(w.Code) {
			t.Fatalf("%s: %d is not a SCIM error: %s", what, w.Code, w.Body.String())
		}
		detail, _ := doc["detail"].(string)
		for _, leak := range []string{"SELECT ", "INSERT ", "UPDATE ", "Error 1", "goroutine ", ".go:", "panic"} {
			if strings.Contains(detail, leak) && !strings.Contains(target+string(body), leak) {
				t.Fatalf("%s: the error holds %q: %s", what, leak, detail)
			}
		}
	})
}

func urlq(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, " ", "%20"), `"`, "%22") }
