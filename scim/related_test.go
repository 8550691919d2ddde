package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestChildAndMetaTables(t *testing.T) {
	s := newSidecar(t, "testdata/related_schema.sql", "testdata/related_mapping.yaml")
	emails := func(id string) string {
		return s.joinMembers("SELECT CONCAT(address, '/', COALESCE(label, '-'), '/', is_primary) FROM person_emails WHERE person_id = ?", id)
	}
	meta := func(id string) string {
		return s.joinMembers("SELECT CONCAT(meta_key, '=', meta_value) FROM usermeta WHERE user_id = ?", id)
	}

	r := s.do("GET", "/scim/v2/Users/1", nil)
	if r.Status != 200 {
		t.Fatalf("get: %d %s", r.Status, r.Raw)
	}
	if n := r.Body["name"].(map[string]any); n["givenName"] != "Ada" || n["familyName"] != "Admin" {
		t.Errorf("name from meta: %v", n)
	}
	em := r.Body["emails"].([]any)
	if len(em) != 2 || em[0].(map[string]any)["primary"] != true || em[0].(map[string]any)["value"] != "admin@example.com" {
		t.Errorf("emails: %v", em)
	}
	if ph := r.Body["phoneNumbers"].([]any); len(ph) != 1 || ph[0].(map[string]any)["value"] != "+1 555 0100" {
		t.Errorf("phones: %v", ph)
	}

	// Filters reach into child and meta rows, a value filter on one row.
	for f, want := range map[string]string{
		`emails.value eq "ED@example.com"`:                          "2",
		`emails[type eq "home" and value co "admin"]`:               "1",
		`emails[type eq "home" and value co "ed"]`:                  "",
		`emails[type eq "work"].value ew "example.com"`:             "1,2",
		`emails[primary eq true].value eq "admin@home.example"`:     "",
		`name.givenName eq "ada"`:                                   "1",
		`name.familyName pr`:                                        "1",
		`not (name.familyName pr)`:                                  "2",
		`name.givenName sw "E" and phoneNumbers pr`:                 "",
		`phoneNumbers.value co "555" or name.givenName eq "Nobody"`: "1",
	} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil)
		if r.Status != 200 {
			t.Errorf("%s: %d %s", f, r.Status, r.Raw)
			continue
		}
		var ids []string
		for _, u := range r.Body["Resources"].([]any) {
			ids = append(ids, u.(map[string]any)["id"].(string))
		}
		if got := strings.Join(ids, ","); got != want {
			t.Errorf("%s: ids %q, want %q", f, got, want)
		}
	}

	// Create writes the child and meta rows; the app's own meta keys of
	// other users are untouched.
	r = s.do("POST", "/scim/v2/Users", `{"userName":"new","name":{"givenName":"Nia"},"emails":[{"value":"nia@x.test","type":"work","primary":true},{"value":"n@y.test"}],"phoneNumbers":[{"value":"1"},{"value":"2"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	if got := emails(id); got != "n@y.test/-/0,nia@x.test/work/1" {
		t.Errorf("emails rows: %s", got)
	}
	if got := meta(id); got != "first_name=Nia" {
		t.Errorf("meta rows: %s", got)
	}
	// PATCH a value path: only that e-mail changes; one meta key changes.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"nia@new.test"}`, `{"op":"add","path":"name.familyName","value":"Nkosi"}`))
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if got := emails(id); got != "n@y.test/-/0,nia@new.test/work/1" {
		t.Errorf("emails rows after PATCH: %s", got)
	}
	if got := meta(id); got != "first_name=Nia,last_name=Nkosi" {
		t.Errorf("meta rows after PATCH: %s", got)
	}
	// Removing a meta attribute deletes its row; the app's keys stay.
	r = s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"remove","path":"name.familyName"}`, `{"op":"remove","path":"emails[type eq \"home\"]"}`))
	if r.Status != 200 || meta("1") != "first_name=Ada,wp_capabilities=a:1:{s:13:\"administrator\";b:1;}" || emails("1") != "admin@example.com/work/1" {
		t.Errorf("after remove: %d meta %s emails %s", r.Status, meta("1"), emails("1"))
	}
	checkError(t, s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"add","path":"emails","value":[{"value":"b@x","primary":true}]}`)), http.StatusBadRequest, "invalidValue")
	// Deleting the user deletes its rows and its mapped meta keys only.
	if r := s.do("DELETE", "/scim/v2/Users/1", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d", r.Status)
	}
	if emails("1") != "" || meta("1") != "wp_capabilities=a:1:{s:13:\"administrator\";b:1;}" {
		t.Errorf("after delete: emails %q meta %q", emails("1"), meta("1"))
	}
}
