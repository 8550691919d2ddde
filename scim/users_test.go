package scim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

const (
	legacySchema  = "testdata/legacy_schema.sql"
	legacyMapping = "testdata/legacy_mapping.yaml"
)

func oktaUser(userName string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName,
		"name":     map[string]any{"givenName": "Given", "familyName": "Family"},
		"emails":   []any{map[string]any{"primary": true, "value": userName, "type": "work"}},
		"active":   true,
	}
}

// TestLifecycleRows checks the rows the Okta lifecycle leaves behind: only
// mapped columns change, app defaults fill what SCIM does not carry, and
// the status value map is written as the app expects.
func TestLifecycleRows(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	r := s.do("POST", "/scim/v2/Users", oktaUser("dana@example.com"))
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	row := s.row("SELECT * FROM users WHERE id = ?", id)
	want := map[string]string{
		"login": "dana@example.com", "email": "dana@example.com", "first_name": "Given",
		"last_name": "Family", "status": "active", "password_hash": "!", "theme": "light",
		"display_name": "<nil>", "okta_id": "<nil>",
	}
	for c, v := range want {
		if row[c] != v {
			t.Errorf("after create, %s = %q, want %q", c, row[c], v)
		}
	}
	if row["created_at"] == "<nil>" || row["updated_at"] == "<nil>" {
		t.Errorf("created_at/updated_at not set: %v", row)
	}

	r = s.do("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if r.Status != http.StatusOK || r.Body["active"] != false {
		t.Fatalf("deactivate: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT status FROM users WHERE id = ?", id)["status"]; got != "disabled" {
		t.Errorf("after deactivate, status = %q, want disabled", got)
	}
	// Pre-existing rows keep columns scimbridge does not map.
	r = s.do("PATCH", "/scim/v2/Users/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if r.Status != http.StatusOK {
		t.Fatalf("deactivate alice: %d %s", r.Status, r.Raw)
	}
	alice := s.row("SELECT * FROM users WHERE id = 1")
	if alice["theme"] != "dark" || alice["password_hash"] != "$2y$10$abcdefghijklmnopqrstuv" || alice["status"] != "disabled" || alice["display_name"] != "Alice Archer" {
		t.Errorf("alice after deactivate: %v", alice)
	}
	// DELETE under the deactivate policy keeps the row.
	if r := s.do("DELETE", "/scim/v2/Users/"+id, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM users WHERE id = ?", id); n != 1 {
		t.Errorf("row deleted under the deactivate policy")
	}
}

// TestPutClearsOnlyWhatItMay checks PUT semantics: absent attributes are
// cleared where the column allows NULL, read-only ones are ignored.
func TestPutClearsOnlyWhatItMay(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	r := s.do("PUT", "/scim/v2/Users/1", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": "999",
		"userName": "alice", "meta": map[string]any{"created": "2000-01-01T00:00:00Z"},
	})
	if r.Status != http.StatusOK {
		t.Fatalf("put: %d %s", r.Status, r.Raw)
	}
	row := s.row("SELECT * FROM users WHERE id = 1")
	if row["first_name"] != "<nil>" || row["email"] != "<nil>" || row["status"] != "active" || row["created_at"] != "2019-03-01T09:00:00Z" {
		t.Errorf("after PUT: %v", row)
	}
	if r.Body["id"] != "1" {
		t.Errorf("id = %v, want 1 (the body's id is read-only)", r.Body["id"])
	}
}

func TestUniqueness(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	// login has a binary collation and no unique index: case-insensitive
	// uniqueness is scimbridge's job.
	for _, name := range []string{"alice", "ALICE", "Alice"} {
		checkError(t, s.do("POST", "/scim/v2/Users", oktaUser(name)), http.StatusConflict, "uniqueness")
	}
	// Renaming onto another user's name conflicts too, and writes nothing.
	r := s.do("PATCH", "/scim/v2/Users/2", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"ALICE"},{"op":"replace","path":"displayName","value":"x"}]}`)
	checkError(t, r, http.StatusConflict, "uniqueness")
	if row := s.row("SELECT login, display_name FROM users WHERE id = 2"); row["login"] != "bob" || row["display_name"] != "Bob Baker" {
		t.Errorf("partial write after conflict: %v", row)
	}
	// Changing only the case of one's own name is allowed.
	r = s.do("PATCH", "/scim/v2/Users/2", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"Bob"}]}`)
	if r.Status != http.StatusOK || r.Body["userName"] != "Bob" {
		t.Fatalf("case change: %d %s", r.Status, r.Raw)
	}
}

// TestConcurrentCreates fires parallel creates of one userName: exactly one
// wins, on a table without a unique index.
func TestConcurrentCreates(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the in-memory engine loses concurrent writes to one table")
	s := newSidecar(t, legacySchema, legacyMapping)
	const n = 12
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "race@example.com"
			if i%2 == 1 {
				name = "RACE@example.com"
			}
			codes[i] = s.do("POST", "/scim/v2/Users", oktaUser(name)).Status
		}()
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			conflicts++
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Errorf("codes %v: want one 201 and %d 409", codes, n-1)
	}
	if got := s.count("SELECT COUNT(*) FROM users WHERE LOWER(login) = 'race@example.com'"); got != 1 {
		t.Errorf("%d rows for the userName, want 1", got)
	}
}

func TestBadInput(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	before := s.count("SELECT COUNT(*) FROM users")
	long := strings.Repeat("x", 101)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		scimType           string
	}{
		{"malformed JSON", "POST", "/scim/v2/Users", `{"userName": `, 400, "invalidSyntax"},
		{"not an object", "POST", "/scim/v2/Users", `["a"]`, 400, "invalidSyntax"},
		{"trailing data", "POST", "/scim/v2/Users", `{"userName":"a"} {}`, 400, "invalidSyntax"},
		{"empty body", "POST", "/scim/v2/Users", ``, 400, "invalidSyntax"},
		{"missing userName", "POST", "/scim/v2/Users", `{"name":{"givenName":"x"}}`, 400, "invalidValue"},
		{"empty userName", "POST", "/scim/v2/Users", `{"userName":""}`, 400, "invalidValue"},
		{"userName a number", "POST", "/scim/v2/Users", `{"userName":12}`, 400, "invalidValue"},
		{"active not boolean", "POST", "/scim/v2/Users", `{"userName":"z","active":"yes"}`, 400, "invalidValue"},
		{"name not an object", "POST", "/scim/v2/Users", `{"userName":"z","name":"x"}`, 400, "invalidValue"},
		{"emails not an array", "POST", "/scim/v2/Users", `{"userName":"z","emails":"a@b"}`, 400, "invalidValue"},
		{"unknown attribute", "POST", "/scim/v2/Users", `{"userName":"z","favouriteColour":"red"}`, 400, "invalidSyntax"},
		{"unknown sub-attribute", "POST", "/scim/v2/Users", `{"userName":"z","name":{"nickname":"x"}}`, 400, "invalidSyntax"},
		{"unknown extension", "POST", "/scim/v2/Users", `{"userName":"z","urn:example:ext:1.0:User":{"a":1}}`, 400, "invalidSyntax"},
		{"too long for the column", "POST", "/scim/v2/Users", `{"userName":"` + long + `"}`, 400, "invalidValue"},
		{"PUT missing userName", "PUT", "/scim/v2/Users/1", `{"displayName":"x"}`, 400, "invalidValue"},
		{"PATCH unknown op", "PATCH", "/scim/v2/Users/1", `{"Operations":[{"op":"move","path":"userName","value":"x"}]}`, 400, "invalidSyntax"},
		{"PATCH remove without path", "PATCH", "/scim/v2/Users/1", `{"Operations":[{"op":"remove"}]}`, 400, "noTarget"},
		{"PATCH no operations", "PATCH", "/scim/v2/Users/1", `{"Operations":[]}`, 400, "invalidSyntax"},
		{"PATCH bad path", "PATCH", "/scim/v2/Users/1", `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, 400, "invalidPath"},
		{"PATCH read-only id", "PATCH", "/scim/v2/Users/1", `{"Operations":[{"op":"replace","path":"id","value":"7"}]}`, 400, "mutability"},
		{"PATCH wrong type", "PATCH", "/scim/v2/Users/1", `{"Operations":[{"op":"replace","path":"active","value":"maybe"}]}`, 400, "invalidValue"},
		{"PATCH second op bad, first not applied", "PATCH", "/scim/v2/Users/1", `{"Operations":[{"op":"replace","path":"displayName","value":"changed"},{"op":"replace","path":"userName","value":7}]}`, 400, "invalidValue"},
		{"filter malformed", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq`), nil, 400, "invalidFilter"},
		{"filter unquoted value", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq alice`), nil, 400, "invalidFilter"},
		{"filter unknown attribute", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(`shoeSize gt "4"`), nil, 400, "invalidFilter"},
		{"filter too long", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "`+strings.Repeat("a", 5000)+`"`), nil, 400, "invalidFilter"},
		{"count not a number", "GET", "/scim/v2/Users?count=ten", nil, 400, "invalidValue"},
		{"unknown id", "GET", "/scim/v2/Users/424242", nil, 404, ""},
		{"non-numeric id", "GET", "/scim/v2/Users/abc'--", nil, 404, ""},
		{"PUT unknown id", "PUT", "/scim/v2/Users/424242", `{"userName":"q"}`, 404, ""},
		{"PATCH unknown id", "PATCH", "/scim/v2/Users/424242", `{"Operations":[{"op":"replace","value":{"active":false}}]}`, 404, ""},
		{"DELETE unknown id", "DELETE", "/scim/v2/Users/424242", nil, 404, ""},
		{"unknown endpoint", "GET", "/scim/v2/Widgets", nil, 404, ""},
		{"POST to discovery", "POST", "/scim/v2/Schemas", `{}`, 405, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkError(t, s.do(c.method, c.path, c.body), c.status, c.scimType)
		})
	}
	if after := s.count("SELECT COUNT(*) FROM users"); after != before {
		t.Errorf("bad input wrote rows: %d before, %d after", before, after)
	}
	if row := s.row("SELECT display_name, login FROM users WHERE id = 1"); row["display_name"] != "Alice Archer" || row["login"] != "alice" {
		t.Errorf("bad input changed alice: %v", row)
	}
}

func TestAuth(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	for _, auth := range []string{"", "Bearer", "Bearer wrong", "Basic " + testToken, "bearer " + testToken + "x"} {
		r := s.doAuth("GET", "/scim/v2/Users", nil, auth)
		checkError(t, r, http.StatusUnauthorized, "")
		if r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%q: no WWW-Authenticate header", auth)
		}
	}
	if r := s.doAuth("GET", "/scim/v2/Users", nil, "bearer "+testToken); r.Status != http.StatusOK {
		t.Errorf("lower-case scheme refused: %d", r.Status)
	}
}

func TestContentTypes(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	for _, ct := range []string{"application/json", "application/scim+json", "application/scim+json; charset=utf-8"} {
		req := fmt.Sprintf(`{"userName":"ct-%d@example.com"}`, len(ct))
		r := s.doCT("POST", "/scim/v2/Users", req, ct)
		if r.Status != http.StatusCreated {
			t.Errorf("%s: %d %s", ct, r.Status, r.Raw)
		}
		if got := r.Header.Get("Content-Type"); got != "application/scim+json" {
			t.Errorf("response Content-Type %q", got)
		}
	}
	checkError(t, s.doCT("POST", "/scim/v2/Users", `userName=x`, "application/x-www-form-urlencoded"), http.StatusUnsupportedMediaType, "invalidSyntax")
}

func TestListAndFilter(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	ids := func(r response) []string {
		var out []string
		list, _ := r.Body["Resources"].([]any)
		for _, e := range list {
			out = append(out, e.(map[string]any)["id"].(string))
		}
		return out
	}
	cases := []struct {
		query string
		total int
		ids   string
	}{
		{"", 3, "1,2,3"},
		{"count=0", 3, ""},
		{"count=-5", 3, ""},
		{"startIndex=0&count=2", 3, "1,2"},
		{"startIndex=3", 3, "3"},
		{"startIndex=9", 3, ""},
		{"filter=" + url.QueryEscape(`userName eq "ALICE"`), 1, "1"},
		{"filter=" + url.QueryEscape(`USERNAME Eq "bob"`), 1, "2"},
		{"filter=" + url.QueryEscape(`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "carol_x"`), 1, "3"},
		{"filter=" + url.QueryEscape(`id eq "2"`), 1, "2"},
		{"filter=" + url.QueryEscape(`id eq "not-a-number"`), 0, ""},
		{"filter=" + url.QueryEscape(`active eq true`), 2, "1,3"},
		{"filter=" + url.QueryEscape(`active eq false`), 1, "2"},
		{"filter=" + url.QueryEscape(`userName sw "a" or userName ew "X"`), 2, "1,3"},
		{"filter=" + url.QueryEscape(`userName co "_"`), 1, "3"},
		{"filter=" + url.QueryEscape(`userName co "%"`), 0, ""},
		{"filter=" + url.QueryEscape(`not (displayName pr)`), 1, "3"},
		{"filter=" + url.QueryEscape(`displayName ne "Bob Baker"`), 2, "1,3"},
		{"filter=" + url.QueryEscape(`emails.value eq "BOB@example.com"`), 1, "2"},
		{"filter=" + url.QueryEscape(`emails[type eq "work" and value co "carol"]`), 1, "3"},
		{"filter=" + url.QueryEscape(`emails[type eq "work"].value eq "carol@EXAMPLE.com"`), 1, "3"},
		{"filter=" + url.QueryEscape(`emails[type eq "home"].value eq "carol@example.com"`), 0, ""},
		{"filter=" + url.QueryEscape(`meta.created gt "2020-01-01T00:00:00Z"`), 2, "2,3"},
		{"filter=" + url.QueryEscape(`name.familyName eq "archer" and active eq true`), 1, "1"},
		{"filter=" + url.QueryEscape(`title eq "CEO"`), 0, ""},
		{"sortBy=userName&sortOrder=descending", 3, "3,2,1"},
		{"sortBy=name.givenName", 3, "1,2,3"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := s.do("GET", "/scim/v2/Users?"+c.query, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
			if got := int(r.Body["totalResults"].(float64)); got != c.total {
				t.Errorf("totalResults %d, want %d", got, c.total)
			}
			if got := strings.Join(ids(r), ","); got != c.ids {
				t.Errorf("ids %q, want %q", got, c.ids)
			}
			if got := int(r.Body["itemsPerPage"].(float64)); got != len(ids(r)) {
				t.Errorf("itemsPerPage %d, want %d", got, len(ids(r)))
			}
		})
	}
	// POST .search takes the same parameters in the body.
	r := s.do("POST", "/scim/v2/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"bob\"","attributes":["userName"],"count":10}`)
	if r.Status != http.StatusOK || r.Body["totalResults"] != float64(1) {
		t.Fatalf(".search: %d %s", r.Status, r.Raw)
	}
	u := r.Body["Resources"].([]any)[0].(map[string]any)
	if _, ok := u["name"]; ok || u["userName"] != "bob" || u["id"] != "2" {
		t.Errorf(".search attributes=userName returned %v", u)
	}
}

func TestDiscovery(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	r := s.do("GET", "/scim/v2/ServiceProviderConfig", nil)
	if r.Status != 200 || r.Body["patch"].(map[string]any)["supported"] != true {
		t.Fatalf("ServiceProviderConfig: %d %s", r.Status, r.Raw)
	}
	if r.Body["changePassword"].(map[string]any)["supported"] != false {
		t.Errorf("changePassword advertised by a mapping without a password attribute: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/ResourceTypes/User", nil)
	if r.Status != 200 || r.Body["endpoint"] != "/Users" {
		t.Fatalf("ResourceTypes/User: %d %s", r.Status, r.Raw)
	}
	r = s.do("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
	if r.Status != 200 {
		t.Fatalf("Schemas/User: %d %s", r.Status, r.Raw)
	}
	names := map[string]map[string]any{}
	for _, a := range r.Body["attributes"].([]any) {
		m := a.(map[string]any)
		names[m["name"].(string)] = m
	}
	for _, want := range []string{"userName", "name", "displayName", "emails", "active"} {
		if _, ok := names[want]; !ok {
			t.Errorf("/Schemas lacks mapped attribute %s", want)
		}
	}
	for _, absent := range []string{"title", "nickName", "phoneNumbers", "password"} {
		if _, ok := names[absent]; ok {
			t.Errorf("/Schemas advertises %s, which the app cannot store", absent)
		}
	}
	if u := names["userName"]; u["required"] != true || u["uniqueness"] != "server" || u["caseExact"] != false {
		t.Errorf("userName definition: %v", u)
	}
	subs := names["name"]["subAttributes"].([]any)
	if len(subs) != 2 {
		t.Errorf("name has %d sub-attributes, want the 2 mapped ones", len(subs))
	}
}

func (s *sidecar) doCT(method, path, body, contentType string) response {
	s.t.Helper()
	req, _ := http.NewRequest(method, "http://sidecar.test"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", contentType)
	return s.send(req)
}

// TestWriteResponsesHonourAttributes: attributes and excludedAttributes
// apply to POST, PUT and PATCH responses too (RFC 7644 section 3.9).
func TestWriteResponsesHonourAttributes(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	r := s.do("POST", "/scim/v2/Users?attributes=userName", `{"userName":"pat@example.com","name":{"givenName":"Pat"}}`)
	if r.Status != http.StatusCreated || r.Body["userName"] != "pat@example.com" || r.Body["name"] != nil || r.Body["id"] == nil {
		t.Errorf("POST ?attributes=userName: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/1?excludedAttributes=name,emails", patchBody(`{"op":"replace","path":"displayName","value":"A"}`))
	if r.Status != http.StatusOK || r.Body["name"] != nil || r.Body["emails"] != nil || r.Body["displayName"] != "A" {
		t.Errorf("PATCH ?excludedAttributes: %d %s", r.Status, r.Raw)
	}
}
