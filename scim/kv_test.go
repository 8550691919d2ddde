package scim_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"
)

const cloudExt = "urn:example:params:scim:schemas:extension:cloud:2.0:User"

// TestKeyValueStorage: attributes of any type kept in a key/value table
// keyed by application and name (Nextcloud's oc_preferences): booleans as
// 'true'/'false' text, a missing entry standing for a declared value,
// integers and Unix-second times as text, each key under its own
// application, and a hard delete removing every entry of the account.
func TestKeyValueStorage(t *testing.T) {
	s := newSidecar(t, "testdata/kv_schema.sql", "testdata/kv_mapping.yaml")
	get := func(id string) map[string]any {
		t.Helper()
		r := s.do("GET", "/scim/v2/Users/"+id, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", id, r.Status, r.Raw)
		}
		return r.Body
	}
	ext := func(doc map[string]any) map[string]any {
		m, _ := doc[cloudExt].(map[string]any)
		return m
	}

	alice := get("1")
	if alice["active"] != false {
		t.Errorf("alice active %v, want false (core/enabled is 'false')", alice["active"])
	}
	if got := ext(alice)["lastLogin"]; got != "2023-11-14T22:13:20Z" {
		t.Errorf("alice lastLogin %v, want the Unix seconds read as a time", got)
	}
	if _, ok := ext(alice)["quotaGB"]; ok {
		t.Errorf("alice quotaGB %v: files/quota_gb is another application's entry", ext(alice)["quotaGB"])
	}
	// bob has no core/enabled entry (only files/enabled 'false'): enabled.
	if bob := get("2"); bob["active"] != true || !reflect.DeepEqual(bob["emails"], []any{map[string]any{"value": "bob@example.com", "type": "work", "primary": true}}) {
		t.Errorf("bob active %v emails %v, want true (no core/enabled entry; files/enabled is not it) and his address", bob["active"], bob["emails"])
	}
	if carol := get("3"); carol["active"] != true || ext(carol)["quotaGB"] != float64(5) {
		t.Errorf("carol: active %v quotaGB %v, want true and 5", carol["active"], ext(carol)["quotaGB"])
	}

	// Filters agree with reads, missing entries included.
	for f, want := range map[string][]string{
		`active eq true`:                                    {"2", "3"},
		`active eq false`:                                   {"1"},
		`active ne false`:                                   {"2", "3"},
		`active ne true`:                                    {"1"},
		cloudExt + `:quotaGB gt 3`:                          {"3"},
		cloudExt + `:quotaGB eq 50`:                         nil,
		`emails.value eq "BOB@example.com"`:                 {"2"},
		`emails[type eq "work" and value ew "example.com"]`: {"2"},
		`emails.type eq "work"`:                             {"2"},
		`displayName eq "BOB BAKER"`:                        {"2"},
		cloudExt + `:lastLogin pr`:                          {"1"},
	} {
		if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(f), nil)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", f, got, want)
		}
	}
	checkError(t, s.do("GET", "/scim/v2/Users?"+filterQuery(cloudExt+`:lastLogin gt "2020-01-01T00:00:00Z"`), nil), http.StatusBadRequest, "invalidFilter")

	// Deactivating bob writes the entry under core; reactivating alice
	// rewrites hers; other applications' entries stay.
	if r := s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"active","value":false}`)); r.Status != http.StatusOK || r.Body["active"] != false {
		t.Fatalf("deactivating bob: %d %s", r.Status, r.Raw)
	}
	if r := s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"active","value":true}`)); r.Status != http.StatusOK || r.Body["active"] != true {
		t.Fatalf("reactivating alice: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT userid, appid, configkey, configvalue FROM preferences WHERE configkey = 'enabled' ORDER BY userid, appid"); !slices.Equal(got, []string{"1 | core | enabled | true", "2 | core | enabled | false", "2 | files | enabled | false", "3 | core | enabled | true"}) {
		t.Errorf("enabled entries: %q", got)
	}
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(`active eq true`), nil)); !slices.Equal(got, []string{"1", "3"}) {
		t.Errorf("active eq true after the PATCHes: %v, want 1 3", got)
	}

	// A create writes each entry under its own application.
	r := s.do("POST", "/scim/v2/Users", `{"userName":"dave","active":true,"displayName":"Dave Dunn","emails":[{"value":"dave@example.com","type":"work","primary":true}],
		"`+cloudExt+`":{"quotaGB":10,"lastLogin":"2024-01-31T12:00:00Z"}}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id, _ := r.Body["id"].(string)
	if got := s.Rows("SELECT appid, configkey, configvalue FROM preferences WHERE userid = ? ORDER BY appid, configkey", id); !slices.Equal(got, []string{"core | enabled | true", "login | lastLogin | 2024-01-31 12:00:00", "settings | displayname | Dave Dunn", "settings | email | dave@example.com", "settings | quota_gb | 10"}) {
		t.Errorf("dave's entries: %q", got)
	}
	if d := get(id); ext(d)["lastLogin"] != "2024-01-31T12:00:00Z" || ext(d)["quotaGB"] != float64(10) {
		t.Errorf("dave read back: %v", d)
	}

	// A hard delete with deleteAll removes every entry of the account,
	// whatever the application, and no one else's.
	if d := s.do("DELETE", "/scim/v2/Users/3", nil); d.Status != http.StatusNoContent {
		t.Fatalf("delete carol: %d %s", d.Status, d.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM preferences WHERE userid = 3"); n != 0 {
		t.Errorf("carol has %d entries left, want none", n)
	}
	if n := s.count("SELECT COUNT(*) FROM preferences WHERE userid = 1"); n != 4 {
		t.Errorf("alice has %d entries, want her 4", n)
	}
}
