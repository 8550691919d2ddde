package scim_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestEpochMilliseconds: times kept as Unix milliseconds (Mattermost's
// CreateAt, UpdateAt, DeleteAt) are read and written in milliseconds, and
// DeleteAt = 0 is an active account.
func TestEpochMilliseconds(t *testing.T) {
	now := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)
	adapters.Now = func() time.Time { return now }
	defer func() { adapters.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) } }()
	const ext = "urn:example:params:scim:schemas:extension:chat:2.0:User"
	s := newSidecar(t, "testdata/epochms_schema.sql", "testdata/epochms_mapping.yaml")

	r := s.do("GET", "/scim/v2/Users/u-aaaaaaaaaaaaaaaaaaaaaaaaaa", nil)
	meta, _ := r.Body["meta"].(map[string]any)
	chat, _ := r.Body[ext].(map[string]any)
	if r.Body["active"] != true || meta["created"] != "2023-11-14T22:13:20Z" || chat["lastPasswordUpdate"] != "2023-11-14T22:15:00Z" {
		t.Errorf("user with DeleteAt 0: %s", r.Raw)
	}
	if r := s.do("GET", "/scim/v2/Users/u-bbbbbbbbbbbbbbbbbbbbbbbbbb", nil); r.Body["active"] != false {
		t.Errorf("user with DeleteAt set: %s", r.Raw)
	}
	for filter, want := range map[string]float64{
		`active eq true`:  1,
		`active eq false`: 1,
		ext + `:lastPasswordUpdate gt "2023-11-14T22:14:00Z"`: 1,
		ext + `:lastPasswordUpdate lt "2023-11-14T22:14:00Z"`: 0,
	} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(filter), nil)
		if r.Body["totalResults"] != want {
			t.Errorf("filter %s: %v results, want %v", filter, r.Body["totalResults"], want)
		}
	}

	r = s.do("POST", "/scim/v2/Users", map[string]any{"userName": "nia", ext: map[string]any{"lastPasswordUpdate": "2026-01-02T03:04:05Z"}})
	if r.Status != http.StatusCreated || r.Body["active"] != true {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)[2:]
	ms := now.UnixMilli()
	want := map[string]string{"CreateAt": itoa(ms), "UpdateAt": itoa(ms), "LastActivityAt": itoa(ms), "LastPasswordUpdate": "1767323045000"}
	row := s.row("SELECT CreateAt, UpdateAt, LastActivityAt, LastPasswordUpdate, DeleteAt FROM Users WHERE Id = ?", id)
	for c, v := range want {
		if row[c] != v {
			t.Errorf("after create, %s = %s, want %s", c, row[c], v)
		}
	}
	r = s.do("PATCH", "/scim/v2/Users/u-"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if r.Status != http.StatusOK || r.Body["active"] != false {
		t.Fatalf("deactivate: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT DeleteAt FROM Users WHERE Id = ?", id)["DeleteAt"]; got != itoa(ms) {
		t.Errorf("after deactivate, DeleteAt = %s, want %d", got, ms)
	}
	r = s.do("PATCH", "/scim/v2/Users/u-"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`)
	if got := s.row("SELECT DeleteAt FROM Users WHERE Id = ?", id)["DeleteAt"]; r.Status != http.StatusOK || got != "0" {
		t.Errorf("after reactivate: %d, DeleteAt = %s, want 0", r.Status, got)
	}

	if r := s.do("DELETE", "/scim/v2/Groups/t-tttttttttttttttttttttttttt", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete team: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT DeleteAt FROM Teams WHERE Id = 'tttttttttttttttttttttttttt'")["DeleteAt"]; got != itoa(ms) {
		t.Errorf("deleted team's DeleteAt = %s, want %d", got, ms)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
