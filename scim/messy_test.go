package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

func TestSoftDeleteLookupColumnAndTimeZone(t *testing.T) {
	s := newSidecar(t, "testdata/softdelete_schema.sql", "testdata/softdelete_mapping.yaml")
	// DATETIMEs are Berlin wall-clock times: 10:00 CET is 09:00Z.
	r := s.do("GET", "/scim/v2/Users/1", nil)
	if r.Status != 200 || r.Body["active"] != true || r.Body["meta"].(map[string]any)["created"] != "2024-01-15T09:00:00Z" {
		t.Fatalf("alice: %d %s", r.Status, r.Raw)
	}
	r = s.do("GET", "/scim/v2/Users/2", nil)
	if r.Body["active"] != false {
		t.Errorf("bob (deleted_at set) reads as active: %s", r.Raw)
	}
	// Filters on userName use the lower-cased lookup column.
	for _, f := range []string{`userName eq "ALICE.smith"`, `userName sw "alice"`} {
		r = s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil)
		if r.Body["totalResults"] != float64(1) {
			t.Errorf("%s: %s", f, r.Raw)
		}
	}
	r = s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`active eq false`), nil)
	if r.Body["totalResults"] != float64(1) || !strings.Contains(r.Raw, `"BOB"`) {
		t.Errorf("active eq false: %s", r.Raw)
	}
	// Create: both login columns, the computed name, trimmed userName.
	adapters.Now = func() time.Time { return time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { adapters.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) } }()
	r = s.do("POST", "/scim/v2/Users", `{"userName":"  Carol.Jones ","name":{"givenName":"Carol","familyName":"Jones"}}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	row := s.row("SELECT * FROM accounts WHERE id = ?", id)
	if row["login"] != "Carol.Jones" || row["login_lc"] != "carol.jones" || row["full_name"] != "Carol Jones" || row["deleted_at"] != "<nil>" {
		t.Errorf("created row: %v", row)
	}
	// 12:00Z on 1 July is 14:00 in Berlin (CEST).
	if row["created"] != "2024-07-01T14:00:00Z" {
		t.Errorf("created = %s, want Berlin wall-clock 14:00", row["created"])
	}
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"alice.SMITH"}`), http.StatusConflict, "uniqueness")
	// Deactivate writes the time; a PATCH of the name rewrites full_name
	// and nothing else.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","value":{"active":false}}`))
	if r.Status != 200 || r.Body["active"] != false {
		t.Fatalf("deactivate: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT deleted_at FROM accounts WHERE id = ?", id)["deleted_at"]; got != "2024-07-01T14:00:00Z" {
		t.Errorf("deleted_at = %s", got)
	}
	adapters.Now = func() time.Time { return time.Date(2024, 8, 1, 12, 0, 0, 0, time.UTC) }
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"name.familyName","value":"Jones-Smith"}`))
	row = s.row("SELECT * FROM accounts WHERE id = ?", id)
	if r.Status != 200 || row["full_name"] != "Carol Jones-Smith" || row["deleted_at"] != "2024-07-01T14:00:00Z" {
		t.Errorf("after rename: %d %v", r.Status, row)
	}
	// Reactivate clears it.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"active","value":"True"}`))
	if r.Body["active"] != true || s.row("SELECT deleted_at FROM accounts WHERE id = ?", id)["deleted_at"] != "<nil>" {
		t.Errorf("reactivate: %s", r.Raw)
	}
	// Renaming updates both columns.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"userName","value":"CJ"}`))
	if row := s.row("SELECT login, login_lc FROM accounts WHERE id = ?", id); row["login"] != "CJ" || row["login_lc"] != "cj" {
		t.Errorf("rename: %v", row)
	}
	// Removing a NOT NULL attribute is refused, not silently ignored.
	checkError(t, s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"remove","path":"userName"}`)), http.StatusBadRequest, "invalidValue")
}

func TestStatusValuesAndUnixTimes(t *testing.T) {
	s := newSidecar(t, "testdata/status_schema.sql", "testdata/status_mapping.yaml")
	r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`active eq true`), nil)
	if r.Body["totalResults"] != float64(2) {
		t.Fatalf("active eq true: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`active eq false`)+"&sortBy=userName", nil)
	if r.Body["totalResults"] != float64(2) || !strings.Contains(r.Raw, `"cy"`) || !strings.Contains(r.Raw, `"di"`) {
		t.Fatalf("active eq false: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/Users/2", nil)
	meta := r.Body["meta"].(map[string]any)
	if r.Body["active"] != true || meta["created"] != "2023-11-14T22:15:00Z" || meta["lastModified"] != "2023-11-14T22:16:40Z" {
		t.Errorf("ben: %s", r.Raw)
	}
	r = s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`meta.created gt "2023-11-14T22:16:00Z"`), nil)
	if r.Body["totalResults"] != float64(2) {
		t.Errorf("created gt: %s", r.Raw)
	}
	// Deactivating writes the false value; a pending (2) member stays 2
	// when something else changes.
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"userName","value":"benjamin"}`))
	if r.Status != 200 || s.row("SELECT state FROM members WHERE member_id = 2")["state"] != "2" {
		t.Errorf("rename changed state: %s", r.Raw)
	}
	if got := s.row("SELECT changed FROM members WHERE member_id = 2")["changed"]; got == "1700000200" || got == "<nil>" {
		t.Errorf("changed not stamped with Unix seconds: %s", got)
	}
	// Repeating active: true, as Okta's PUT and Entra's "True" do, keeps
	// the pending status rather than writing 1 over it.
	r = s.do("PUT", "/scim/v2/Users/2", `{"userName":"benjamin","active":true}`)
	if r.Status != 200 || s.row("SELECT state FROM members WHERE member_id = 2")["state"] != "2" {
		t.Errorf("PUT active:true rewrote the status: %d %s", r.Status, s.row("SELECT state FROM members WHERE member_id = 2"))
	}
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"Replace","path":"active","value":"True"}`))
	if r.Status != 200 || s.row("SELECT state FROM members WHERE member_id = 2")["state"] != "2" {
		t.Errorf("PATCH active \"True\" rewrote the status: %d %s", r.Status, s.row("SELECT state FROM members WHERE member_id = 2"))
	}
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","value":{"active":false}}`))
	if r.Status != 200 || s.row("SELECT state FROM members WHERE member_id = 2")["state"] != "0" {
		t.Errorf("deactivate: %s", r.Raw)
	}
	r = s.do("POST", "/scim/v2/Users", `{"userName":"eve"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if row := s.row("SELECT state, joined FROM members WHERE handle = 'eve'"); row["state"] != "1" || row["joined"] == "0" {
		t.Errorf("created row: %v", row)
	}
	checkError(t, s.do("DELETE", "/scim/v2/Users/1", nil), http.StatusMethodNotAllowed, "")
}
