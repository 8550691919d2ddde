package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

const (
	ent  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	acme = "urn:acme:params:scim:schemas:extension:acme:2.0:User"
)

func TestEnterpriseManagerPasswordAndExtensions(t *testing.T) {
	s := newSidecar(t, "testdata/enterprise_schema.sql", "testdata/enterprise_mapping.yaml")
	r := s.do("GET", "/scim/v2/ServiceProviderConfig", nil)
	if r.Body["changePassword"].(map[string]any)["supported"] != true {
		t.Errorf("changePassword not advertised by a mapping with a password attribute: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/Users/2", nil)
	if e, _ := r.Body[ent].(map[string]any); e == nil || e["manager"].(map[string]any)["value"] != "1" || e["employeeNumber"] != "2" {
		t.Fatalf("worker: %s", r.Raw)
	}
	if strings.Contains(r.Raw, "password") || strings.Contains(r.Raw, "$2y$") {
		t.Errorf("password readable: %s", r.Raw)
	}

	// Create with a password, the enterprise and the operator's extension.
	r = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`","`+acme+`"],
		"userName":"newbie","password":"correct horse",
		"`+ent+`":{"employeeNumber":"3","department":"Ops","manager":{"value":"2"}},
		"`+acme+`":{"badge":"B-17","clearance":3,"remote":"True","hired":"2024-05-01T00:00:00Z"}}`)
	if r.Status != http.StatusCreated || strings.Contains(r.Raw, "correct horse") || strings.Contains(r.Raw, "password") {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	if x := r.Body[acme].(map[string]any); x["clearance"] != float64(3) || x["remote"] != true || x["badge"] != "B-17" || x["hired"] != "2024-05-01T00:00:00Z" {
		t.Errorf("extension read back: %v", x)
	}
	hash := s.row("SELECT password_hash FROM staff WHERE id = ?", id)["password_hash"]
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte("correct horse")) != nil {
		t.Errorf("stored %q is not a bcrypt hash of the password", hash)
	}
	// Entra sets the manager as a bare string; Okta as an object.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"Add","path":"`+ent+`:manager","value":"1"}`))
	if r.Status != 200 || s.row("SELECT manager_id FROM staff WHERE id = ?", id)["manager_id"] != "1" {
		t.Fatalf("bare manager: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","value":{"`+ent+`:manager":{"value":"2"},"`+ent+`:department":"Ops"}}`))
	if r.Status != 200 || s.row("SELECT manager_id FROM staff WHERE id = ?", id)["manager_id"] != "2" {
		t.Fatalf("object manager: %d %s", r.Status, r.Raw)
	}
	// A manager that does not exist is refused, and nothing is written.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"`+ent+`:department","value":"Gone"}`, `{"op":"replace","path":"`+ent+`:manager","value":"999"}`))
	checkError(t, r, http.StatusBadRequest, "invalidValue")
	if got := s.row("SELECT dept, manager_id FROM staff WHERE id = ?", id); got["dept"] != "Ops" || got["manager_id"] != "2" {
		t.Errorf("after refused PATCH: %v", got)
	}
	// Filters reach the manager, integers and the extension.
	for f, want := range map[string]float64{
		ent + `:manager.value eq "2"`:  1,
		ent + `:manager eq "1"`:        1,
		acme + `:clearance ge 3`:       1,
		acme + `:clearance gt 3`:       0,
		ent + `:employeeNumber eq "2"`: 1,
		acme + `:badge eq "b-17"`:      1,
	} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil)
		if r.Status != 200 || r.Body["totalResults"] != want {
			t.Errorf("%s: %d %v, want %v", f, r.Status, r.Body["totalResults"], want)
		}
	}
	checkError(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`password eq "x"`), nil), http.StatusBadRequest, "invalidFilter")
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"q","`+acme+`":{"clearance":"high"}}`), http.StatusBadRequest, "invalidValue")
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"q","`+acme+`":{"shoe":1}}`), http.StatusBadRequest, "invalidSyntax")
	// Removing the manager clears the column.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"remove","path":"`+ent+`:manager"}`))
	if r.Status != 200 || s.row("SELECT manager_id FROM staff WHERE id = ?", id)["manager_id"] != "<nil>" {
		t.Errorf("remove manager: %d %s", r.Status, r.Raw)
	}

	// PUT without a password keeps it; a user created without one gets
	// the unusable marker.
	if r := s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"newbie"}`); r.Status != 200 {
		t.Fatalf("put: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT password_hash, badge FROM staff WHERE id = ?", id); got["password_hash"] != hash || got["badge"] != "<nil>" {
		t.Errorf("after PUT: %v", got)
	}
	// Changing the password, as /ServiceProviderConfig advertises.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"password","value":"battery staple"}`))
	changed := s.row("SELECT password_hash FROM staff WHERE id = ?", id)["password_hash"]
	if r.Status != 200 || strings.Contains(r.Raw, "battery") || bcrypt.CompareHashAndPassword([]byte(changed), []byte("battery staple")) != nil {
		t.Errorf("PATCH password: %d %s, stored %q", r.Status, r.Raw, changed)
	}
	r = s.do("POST", "/scim/v2/Users", `{"userName":"nopass"}`)
	if r.Status != http.StatusCreated || s.row("SELECT password_hash FROM staff WHERE username = 'nopass'")["password_hash"] != "!" {
		t.Errorf("user without password: %d %s", r.Status, r.Raw)
	}

	// /Schemas shows the three schemas, the password as write-only.
	r = s.do("GET", "/scim/v2/Schemas", nil)
	for _, want := range []string{`"name":"AcmeUser"`, `"name":"EnterpriseUser"`, `"name":"manager"`, `"mutability":"writeOnly"`, `"returned":"never"`} {
		if !strings.Contains(r.Raw, want) {
			t.Errorf("/Schemas lacks %s", want)
		}
	}
	r = s.do("GET", "/scim/v2/ResourceTypes/User", nil)
	if !strings.Contains(r.Raw, acme) || !strings.Contains(r.Raw, ent) {
		t.Errorf("ResourceTypes lacks the extensions: %s", r.Raw)
	}
}

// TestPatchExtensionURNPath: a PATCH whose path is an extension schema's
// URN adds, replaces or removes that extension's attributes, and a path
// into the manager's value works, as RFC 7644 section 3.5.2 allows.
func TestPatchExtensionURNPath(t *testing.T) {
	s := newSidecar(t, "testdata/enterprise_schema.sql", "testdata/enterprise_mapping.yaml")
	r := s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"`+ent+`","value":{"department":"X","employeeNumber":"7"}}`))
	if r.Status != http.StatusOK {
		t.Fatalf("add at the extension's URN: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT dept, employee_no FROM staff WHERE id = 2"); row["dept"] != "X" || row["employee_no"] != "7" {
		t.Errorf("after add: %v", row)
	}
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"Replace","path":"`+strings.ToUpper(ent[:3])+ent[3:]+`","value":{"department":"Y"}}`))
	if r.Status != http.StatusOK || s.row("SELECT dept FROM staff WHERE id = 2")["dept"] != "Y" {
		t.Errorf("replace at the extension's URN: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"`+ent+`:manager.value","value":"2"}`))
	if r.Status != http.StatusOK || s.row("SELECT manager_id FROM staff WHERE id = 2")["manager_id"] != "2" {
		t.Errorf("replace manager.value: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"remove","path":"`+ent+`"}`))
	if r.Status != http.StatusOK {
		t.Fatalf("remove the extension: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT dept, employee_no, manager_id FROM staff WHERE id = 2"); row["dept"] != "<nil>" || row["employee_no"] != "<nil>" || row["manager_id"] != "<nil>" {
		t.Errorf("after removing the extension: %v", row)
	}
	if _, has := r.Body[ent]; has {
		t.Errorf("the response still has the extension: %s", r.Raw)
	}
	checkError(t, s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"`+ent+`","value":"x"}`)), http.StatusBadRequest, "invalidValue")
	checkError(t, s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","path":"urn:example:unknown:2.0:User","value":{"a":"b"}}`)), http.StatusBadRequest, "invalidPath")
}

// TestPatchExtensionOwnSchemas: a PATCH value for an extension that
// carries a schemas member naming that extension (as an independent
// conformance checker sends it) is accepted, with a path of the URN and
// without a path; schemas naming another schema are refused.
func TestPatchExtensionOwnSchemas(t *testing.T) {
	s := newSidecar(t, "testdata/enterprise_schema.sql", "testdata/enterprise_mapping.yaml")
	r := s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"`+ent+`","value":{"schemas":["`+ent+`"],"department":"Ops"}}`))
	if r.Status != http.StatusOK || s.row("SELECT dept FROM staff WHERE id = 2")["dept"] != "Ops" {
		t.Fatalf("replace at the URN with schemas: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"add","value":{"`+ent+`":{"Schemas":["`+strings.ToLower(ent)+`"],"department":"Sales"}}}`))
	if r.Status != http.StatusOK || s.row("SELECT dept FROM staff WHERE id = 2")["dept"] != "Sales" {
		t.Fatalf("no-path add with schemas: %d %s", r.Status, r.Raw)
	}
	checkError(t, s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"`+ent+`","value":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"department":"X"}}`)), http.StatusBadRequest, "invalidValue")
	checkError(t, s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","value":{"`+ent+`":{"schemas":"x","department":"X"}}}`)), http.StatusBadRequest, "invalidValue")
	if got := s.row("SELECT dept FROM staff WHERE id = 2")["dept"]; got != "Sales" {
		t.Errorf("dept = %s after refused PATCHes, want Sales", got)
	}
}

// TestManagerID: OneLogin's enterprise template sends the manager as
// SCIM 1.1's {"managerId": ...}; it is read as the manager's value.
func TestManagerID(t *testing.T) {
	s := newSidecar(t, "testdata/enterprise_schema.sql", "testdata/enterprise_mapping.yaml")
	r := s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"newbie","`+ent+`":{"manager":{"managerId":"2","displayName":"worker"}}}`)
	if r.Status != http.StatusCreated || s.row("SELECT manager_id FROM staff WHERE username = 'newbie'")["manager_id"] != "2" {
		t.Fatalf("create with managerId: %d %s", r.Status, r.Raw)
	}
	checkError(t, s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"other","`+ent+`":{"manager":{"managerId":7}}}`), http.StatusBadRequest, "invalidSyntax")
}

// TestManagerRef: the manager comes with its $ref (RFC 7643 section 4.3)
// and, the users' displayName being mapped, its displayName.
func TestManagerRef(t *testing.T) {
	s := newSidecar(t, "testdata/enterprise_schema.sql", "testdata/enterprise_mapping.yaml")
	r := s.do("GET", "/scim/v2/Users/2", nil)
	m, _ := r.Body[ent].(map[string]any)["manager"].(map[string]any)
	if m["value"] != "1" || m["$ref"] != "http://sidecar.test/scim/v2/Users/1" || m["displayName"] != "boss" {
		t.Errorf("worker's manager: %v", m)
	}
	list := s.do("GET", "/scim/v2/Users?"+filterQuery(ent+`:manager.value eq "1"`), nil)
	rs, _ := list.Body["Resources"].([]any)
	if len(rs) != 1 {
		t.Fatalf("reports of boss: %s", list.Raw)
	}
	if m, _ := rs[0].(map[string]any)[ent].(map[string]any)["manager"].(map[string]any); m["$ref"] == nil || m["displayName"] != "boss" {
		t.Errorf("manager in a list: %v", m)
	}
}

// TestSortByPassword: a write-only attribute cannot be sorted by.
func TestSortByPassword(t *testing.T) {
	s := newSidecar(t, "testdata/enterprise_schema.sql", "testdata/enterprise_mapping.yaml")
	checkError(t, s.do("GET", "/scim/v2/Users?sortBy=password", nil), http.StatusBadRequest, "invalidValue")
}
