package scim_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/faultproxy"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// The scoped schema's accounts: 1 is the anonymous visitor and 2 a bot,
// both out of scope; 6 was deleted by the forum itself.
const (
	scopedSchema  = "testdata/scoped_schema.sql"
	scopedMapping = "testdata/scoped_mapping.yaml"
)

func listIDs(t *testing.T, r response) []string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Raw)
	}
	var ids []string
	rs, _ := r.Body["Resources"].([]any)
	for _, e := range rs {
		m, _ := e.(map[string]any)
		id, _ := m["id"].(string)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func memberValues(doc map[string]any, attr string) []string {
	var out []string
	list, _ := doc[attr].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		v, _ := m["value"].(string)
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

func filterQuery(f string) string { return "filter=" + url.QueryEscape(f) }

// TestScopeConditionsHideRows: rows outside the scope's conditions (a bot,
// the anonymous account, a special team, a pending applicant, a deleted
// account) are invisible to every read, filter, uniqueness check and
// membership, and no write reaches them.
func TestScopeConditionsHideRows(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?count=100", nil)); !slices.Equal(got, []string{"3", "4", "5"}) {
		t.Errorf("users listed: %v, want 3 4 5 (no anonymous, bot or deleted account)", got)
	}
	for _, id := range []string{"1", "2", "6"} {
		checkError(t, s.do("GET", "/scim/v2/Users/"+id, nil), http.StatusNotFound, "")
		checkError(t, s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"displayName","value":"X"}`)), http.StatusNotFound, "")
		checkError(t, s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"x@example.com"}`), http.StatusNotFound, "")
		checkError(t, s.do("DELETE", "/scim/v2/Users/"+id, nil), http.StatusNotFound, "")
	}
	if got := s.row("SELECT real_name, email FROM accounts WHERE account_id = 2"); got["real_name"] != "Crawler" || got["email"] != "bot@crawler.example" {
		t.Errorf("a write reached the bot: %v", got)
	}
	for _, f := range []string{`userName eq "bot@crawler.example"`, `userName eq "anonymous"`, `userName eq "dave@example.com"`, `displayName eq "Crawler"`} {
		if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(f), nil)); len(got) != 0 {
			t.Errorf("%s finds %v, want nothing", f, got)
		}
	}
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(`active eq true`), nil)); !slices.Equal(got, []string{"3", "4"}) {
		t.Errorf("active eq true: %v, want 3 4", got)
	}

	// Groups: the special team is not one; ids carry the prefix.
	if got := listIDs(t, s.do("GET", "/scim/v2/Groups", nil)); !slices.Equal(got, []string{"g-2", "g-3"}) {
		t.Errorf("groups listed: %v, want g-2 g-3", got)
	}
	checkError(t, s.do("GET", "/scim/v2/Groups/g-1", nil), http.StatusNotFound, "")
	// Ids are unique across resource types: a user's id names no group,
	// a group's no user.
	checkError(t, s.do("GET", "/scim/v2/Groups/3", nil), http.StatusNotFound, "")
	checkError(t, s.do("GET", "/scim/v2/Users/g-3", nil), http.StatusNotFound, "")
	if got := listIDs(t, s.do("GET", "/scim/v2/Groups?"+filterQuery(`id eq "g-3"`), nil)); !slices.Equal(got, []string{"g-3"}) {
		t.Errorf("id eq g-3: %v", got)
	}
	if got := listIDs(t, s.do("GET", "/scim/v2/Groups?"+filterQuery(`id eq "3"`), nil)); len(got) != 0 {
		t.Errorf("id eq 3 (without the prefix): %v", got)
	}
	checkError(t, s.do("DELETE", "/scim/v2/Groups/g-1", nil), http.StatusNotFound, "")
	staff := s.do("GET", "/scim/v2/Groups/g-2", nil)
	if got := memberValues(staff.Body, "members"); !slices.Equal(got, []string{"3", "4"}) {
		t.Errorf("Staff members %v, want 3 and 4 (not the pending applicant 5, not the bot 2): %s", got, staff.Raw)
	}
	if got := memberValues(s.do("GET", "/scim/v2/Groups/g-3", nil).Body, "members"); len(got) != 0 {
		t.Errorf("Moderators members %v, want none (its one member is deleted)", got)
	}
	alice := s.do("GET", "/scim/v2/Users/3", nil)
	if got := memberValues(alice.Body, "groups"); !slices.Equal(got, []string{"g-2"}) {
		t.Errorf("alice's groups %v, want only g-2 (ADMINISTRATORS is not a SCIM group)", got)
	}
	checkError(t, s.do("PATCH", "/scim/v2/Groups/g-2", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`)), http.StatusBadRequest, "invalidValue")
	checkError(t, s.do("PATCH", "/scim/v2/Groups/g-2", patchBody(`{"op":"add","path":"members","value":[{"value":"6"}]}`)), http.StatusBadRequest, "invalidValue")

	// The unique index still counts hidden rows; the 409 says why.
	r := s.do("POST", "/scim/v2/Users", `{"userName":"BOT@crawler.example"}`)
	checkError(t, r, http.StatusConflict, "uniqueness")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "not provisioned as a SCIM User") {
		t.Errorf("conflict with a bot: detail %q, want it to say the holder is outside the scope", d)
	}
	r = s.do("POST", "/scim/v2/Users", `{"userName":"dave@example.com"}`)
	checkError(t, r, http.StatusConflict, "uniqueness")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "deleted User still holds") {
		t.Errorf("conflict with a deleted account: detail %q, want it to say a deleted User holds it", d)
	}
	r = s.do("POST", "/scim/v2/Users", `{"userName":"ALICE@example.com"}`)
	checkError(t, r, http.StatusConflict, "uniqueness")
	if d, _ := r.Body["detail"].(string); strings.Contains(d, "deleted") || strings.Contains(d, "scope") {
		t.Errorf("conflict with a user in scope: detail %q says it is hidden", d)
	}
	if n := s.count("SELECT COUNT(*) FROM accounts"); n != 6 {
		t.Errorf("%d accounts after refused creates, want 6", n)
	}
	// A group's displayName held by a team outside the scope gets the
	// same explanation, on a create and on a rename.
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/scim/v2/Groups", `{"displayName":"ADMINISTRATORS"}`},
		{"PATCH", "/scim/v2/Groups/g-2", patchBody(`{"op":"replace","path":"displayName","value":"ADMINISTRATORS"}`)},
	} {
		r = s.do(c.method, c.path, c.body)
		checkError(t, r, http.StatusConflict, "uniqueness")
		if d, _ := r.Body["detail"].(string); !strings.Contains(d, "not provisioned as a SCIM Group") {
			t.Errorf("%s %s: conflict with the forum's own team: detail %q, want it to say the holder is outside the scope", c.method, c.path, d)
		}
	}
	r = s.do("PATCH", "/scim/v2/Groups/g-2", patchBody(`{"op":"replace","path":"displayName","value":"Moderators"}`))
	checkError(t, r, http.StatusConflict, "uniqueness")
	if d, _ := r.Body["detail"].(string); strings.Contains(d, "scope") {
		t.Errorf("conflict with a group in scope: detail %q says it is hidden", d)
	}
	if got := s.Rows("SELECT team_id, team_name FROM teams ORDER BY team_id"); !slices.Equal(got, []string{"1 | ADMINISTRATORS", "2 | Staff", "3 | Moderators"}) {
		t.Errorf("teams after refused writes: %q", got)
	}
}

// TestScopeConditionsOnWrites: creates land in scope; an attribute sharing
// a condition's column writes only values in it; a database default that
// would put a new row out of scope fails the create without writing.
func TestScopeConditionsOnWrites(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	adapters.Now = func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { adapters.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) } }()
	r := s.do("POST", "/scim/v2/Users", `{"userName":"Erin@Example.com","displayName":"Erin Eagle"}`)
	if r.Status != http.StatusCreated || r.Body["active"] != true {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id, _ := r.Body["id"].(string)
	row := s.row("SELECT * FROM accounts WHERE account_id = ?", id)
	if row["account_type"] != "0" || row["email"] != "Erin@Example.com" || row["email_lc"] != "erin@example.com" || row["signature"] != "" || row["created"] != "1740830400" {
		t.Errorf("new account row: %v", row)
	}
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"active","value":false}`))
	if r.Status != http.StatusOK || r.Body["active"] != false || s.row("SELECT account_type FROM accounts WHERE account_id = ?", id)["account_type"] != "1" {
		t.Errorf("deactivate: %d %s", r.Status, r.Raw)
	}
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"active","value":"True"}`))
	if r.Status != http.StatusOK || r.Body["active"] != true {
		t.Errorf("reactivate: %d %s", r.Status, r.Raw)
	}

	// The application changes its mind about new accounts: they would be
	// bots now. The create is refused and nothing is written.
	if _, err := s.db.Exec("ALTER TABLE accounts ALTER account_type SET DEFAULT 2"); err != nil {
		t.Fatal(err)
	}
	before := s.count("SELECT COUNT(*) FROM accounts")
	r = s.do("POST", "/scim/v2/Users", `{"userName":"frank@example.com"}`)
	checkError(t, r, http.StatusInternalServerError, "")
	if n := s.count("SELECT COUNT(*) FROM accounts"); n != before {
		t.Errorf("%d accounts after the refused create, want %d", n, before)
	}
}

// TestMembershipScopeAndDefaults: a member added gets the join row the
// application counts as a membership (pending = 0, joined_at now); a
// pending applicant's row becomes the membership instead of a second row;
// rows outside the membership scope are never removed.
func TestMembershipScopeAndDefaults(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	adapters.Now = func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { adapters.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) } }()
	erin := s.do("POST", "/scim/v2/Users", `{"userName":"erin@example.com"}`).Body["id"].(string)
	r := s.do("PATCH", "/scim/v2/Groups/g-2", patchBody(`{"op":"add","path":"members","value":[{"value":"5"},{"value":"`+erin+`"},{"value":"4"}]}`))
	if r.Status != http.StatusNoContent {
		t.Fatalf("add members: %d %s", r.Status, r.Raw)
	}
	rows := strings.Join(s.Rows("SELECT team_id, account_id, pending, leader, joined_at FROM team_members"), "\n")
	for _, want := range []string{
		"2 | 5 | 0 | 0 | 2019-01-01T00:00:00Z", // the applicant, accepted
		"2 | " + erin + " | 0 | 0 | 2025-03-01T12:00:00Z",
		"2 | 4 | 0 | 0 | 2018-01-01T00:00:00Z",
	} {
		if !strings.Contains(rows, want) {
			t.Errorf("team_members lacks %q:\n%s", want, rows)
		}
	}
	if got := memberValues(s.do("GET", "/scim/v2/Groups/g-2", nil).Body, "members"); !slices.Equal(got, []string{"3", "4", "5", erin}) {
		t.Errorf("Staff members %v", got)
	}
	// A new applicant to Moderators, and a replace of its members: the
	// applicant's row and the deleted account's row are the forum's.
	if _, err := s.db.Exec("INSERT INTO team_members (team_id, account_id, pending, joined_at) VALUES (3, 4, 1, '2025-01-01')"); err != nil {
		t.Fatal(err)
	}
	r = s.do("PATCH", "/scim/v2/Groups/g-3", patchBody(`{"op":"replace","path":"members","value":[{"value":"3"}]}`))
	if r.Status != http.StatusNoContent {
		t.Fatalf("replace members: %d %s", r.Status, r.Raw)
	}
	got := s.Rows("SELECT account_id, pending FROM team_members WHERE team_id = 3 ORDER BY account_id")
	if want := []string{"3 | 0", "4 | 1", "6 | 0"}; !slices.Equal(got, want) {
		t.Errorf("Moderators rows %q, want %q", got, want)
	}
	r = s.do("PATCH", "/scim/v2/Groups/g-2", patchBody(`{"op":"remove","path":"members[value eq \"4\"]"}`))
	if r.Status != http.StatusNoContent || s.count("SELECT COUNT(*) FROM team_members WHERE team_id = 2 AND account_id = 4") != 0 {
		t.Errorf("remove bob: %d %s", r.Status, r.Raw)
	}
	// A group created with members gets its defaults and its members' rows.
	r = s.do("POST", "/scim/v2/Groups", `{"displayName":"Editors","members":[{"value":"3"}]}`)
	if r.Status != http.StatusCreated || !strings.HasPrefix(r.Body["id"].(string), "g-") {
		t.Fatalf("create group: %d %s", r.Status, r.Raw)
	}
	key := strings.TrimPrefix(r.Body["id"].(string), "g-")
	if got := s.row("SELECT team_type, description FROM teams WHERE team_id = ?", key); got["team_type"] != "0" || got["description"] != "" {
		t.Errorf("new team: %v", got)
	}
	if got := s.Rows("SELECT account_id, pending, leader, joined_at FROM team_members WHERE team_id = ?", key); !slices.Equal(got, []string{"3 | 0 | 0 | 2025-03-01T12:00:00Z"}) {
		t.Errorf("new team's rows: %q", got)
	}
}

// TestChildAndKeyValueDefaults: child rows and key/value entries get the
// defaults of their own NOT NULL columns, and only the entries of the
// mapping's own application are read and written.
func TestChildAndKeyValueDefaults(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	adapters.Now = func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { adapters.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) } }()
	alice := s.do("GET", "/scim/v2/Users/3", nil)
	if alice.Body["title"] != "Founder" {
		t.Errorf("title %v, want the core application's Founder", alice.Body["title"])
	}
	r := s.do("PATCH", "/scim/v2/Users/3", patchBody(
		`{"op":"replace","path":"title","value":"Owner"}`,
		`{"op":"add","path":"phoneNumbers","value":[{"value":"+1 555 0100","type":"mobile"}]}`))
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT app, value, changed FROM profile_fields WHERE account_id = 3 ORDER BY app"); !slices.Equal(got, []string{"core | Owner | 1740830400", "gallery | Chief Photographer | 1500000100"}) {
		t.Errorf("profile_fields: %q", got)
	}
	if got := s.Rows("SELECT number, kind, created_on, updated_on FROM account_phones WHERE account_id = 3 ORDER BY number"); !slices.Equal(got, []string{
		"+1 555 0100 | mobile | 2025-03-01T12:00:00Z | 2025-03-01T12:00:00Z",
		"+44 20 7946 0000 | work | 2025-03-01T12:00:00Z | 2025-03-01T12:00:00Z",
	}) {
		t.Errorf("account_phones: %q", got)
	}
	r = s.do("POST", "/scim/v2/Users", `{"userName":"gil@example.com","title":"Guest","phoneNumbers":[{"value":"+49 30 1234"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	if got := s.Rows("SELECT app, field, value, changed FROM profile_fields WHERE account_id = ?", id); !slices.Equal(got, []string{"core | title | Guest | 1740830400"}) {
		t.Errorf("new user's profile_fields: %q", got)
	}
	if got := s.Rows("SELECT number, created_on FROM account_phones WHERE account_id = ?", id); !slices.Equal(got, []string{"+49 30 1234 | 2025-03-01T12:00:00Z"}) {
		t.Errorf("new user's phones: %q", got)
	}
}

// TestSharedColumn: userName and emails[type eq "work"].value are one
// column: reads return both, writes that disagree are refused naming both,
// and a write of either updates the column once.
func TestSharedColumn(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	r := s.do("POST", "/scim/v2/Users", `{"userName":"hana@example.com","emails":[{"value":"hana.home@example.net","type":"home","primary":true},{"value":"hana@example.com","type":"work"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create with both: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	emails, _ := r.Body["emails"].([]any)
	if len(emails) != 1 || emails[0].(map[string]any)["value"] != "hana@example.com" || emails[0].(map[string]any)["type"] != "work" {
		t.Errorf("emails read back: %v", r.Body["emails"])
	}
	r = s.do("POST", "/scim/v2/Users", `{"userName":"ian@example.com","emails":[{"value":"someone@example.com","type":"work"}]}`)
	checkError(t, r, http.StatusBadRequest, "invalidValue")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "emails") || !strings.Contains(d, "userName") {
		t.Errorf("disagreeing create: detail %q, want it to name emails and userName", d)
	}
	// Okta renames the user: userName alone.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"userName","value":"hana.h@example.com"}`))
	if r.Status != http.StatusOK || memberValues(r.Body, "emails")[0] != "hana.h@example.com" {
		t.Errorf("rename: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT email, email_lc FROM accounts WHERE account_id = ?", id); got["email"] != "hana.h@example.com" || got["email_lc"] != "hana.h@example.com" {
		t.Errorf("row after rename: %v", got)
	}
	// Entra changes the work e-mail through a value path.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"Hana@Example.org"}`))
	if r.Status != http.StatusOK || r.Body["userName"] != "Hana@Example.org" {
		t.Errorf("e-mail change: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT email, email_lc FROM accounts WHERE account_id = ?", id); got["email"] != "Hana@Example.org" || got["email_lc"] != "hana@example.org" {
		t.Errorf("row after the e-mail change: %v", got)
	}
	// Both at once, disagreeing.
	checkError(t, s.do("PATCH", "/scim/v2/Users/"+id, patchBody(
		`{"op":"replace","path":"userName","value":"a@example.org"}`,
		`{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@example.org"}`)), http.StatusBadRequest, "invalidValue")
	// A PUT with the new userName and the e-mail as it was: the change wins.
	r = s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"hana@example.org","emails":[{"value":"Hana@Example.org","type":"work"}],"active":true}`)
	if r.Status != http.StatusOK || r.Body["userName"] != "hana@example.org" {
		t.Errorf("PUT: %d %s", r.Status, r.Raw)
	}
	// Removing the e-mail cannot clear the userName: nothing changes.
	r = s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"remove","path":"emails"}`))
	if r.Status != http.StatusOK || s.row("SELECT email FROM accounts WHERE account_id = ?", id)["email"] != "hana@example.org" {
		t.Errorf("remove emails: %d %s", r.Status, r.Raw)
	}
	// Filters on either find the user.
	for _, f := range []string{`userName eq "HANA@example.org"`, `emails.value eq "hana@example.org"`, `emails[type eq "work" and value eq "hana@example.org"]`} {
		if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(f), nil)); !slices.Equal(got, []string{id}) {
			t.Errorf("%s: %v, want %s", f, got, id)
		}
	}
}

// TestClearingWritesColumnDefault: removing an attribute whose column is
// NOT NULL with a DEFAULT writes the default, not a 400.
func TestClearingWritesColumnDefault(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	r := s.do("PATCH", "/scim/v2/Users/3", patchBody(`{"op":"remove","path":"displayName"}`, `{"op":"remove","path":"timezone"}`))
	if r.Status != http.StatusOK {
		t.Fatalf("remove: %d %s", r.Status, r.Raw)
	}
	if _, ok := r.Body["displayName"]; ok || r.Body["timezone"] != "UTC" {
		t.Errorf("after remove: displayName %v, timezone %v; want none and the column default UTC", r.Body["displayName"], r.Body["timezone"])
	}
	if got := s.row("SELECT real_name, timezone FROM accounts WHERE account_id = 3"); got["real_name"] != "" || got["timezone"] != "UTC" {
		t.Errorf("row: %v", got)
	}
	s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"replace","path":"timezone","value":"Asia/Tokyo"}`))
	r = s.do("PUT", "/scim/v2/Users/4", `{"userName":"bob@example.com","displayName":"Bob B"}`)
	if r.Status != http.StatusOK || r.Body["timezone"] != "UTC" {
		t.Errorf("PUT without timezone: %d %s", r.Status, r.Raw)
	}
	// active left out of a PUT is left as it is.
	if got := s.row("SELECT account_type FROM accounts WHERE account_id = 4")["account_type"]; got != "0" {
		t.Errorf("account_type after the PUT: %s", got)
	}
	checkError(t, s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"remove","path":"userName"}`)), http.StatusBadRequest, "invalidValue")
}

// TestSoftDelete: DELETE means gone (RFC 7644 section 3.6) while the row
// stays for the application; the released userName can be given again.
func TestSoftDelete(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	adapters.Now = func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	defer func() { adapters.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) } }()
	if r := s.do("DELETE", "/scim/v2/Users/4", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	row := s.row("SELECT email, email_lc, deleted_at, account_type FROM accounts WHERE account_id = 4")
	if row["email"] != "bob@example.com#deleted-4" || row["email_lc"] != "bob@example.com#deleted-4" || row["deleted_at"] != "2025-03-01T12:00:00Z" || row["account_type"] != "0" {
		t.Errorf("deleted row: %v", row)
	}
	checkError(t, s.do("GET", "/scim/v2/Users/4", nil), http.StatusNotFound, "")
	checkError(t, s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"replace","path":"active","value":false}`)), http.StatusNotFound, "")
	checkError(t, s.do("PUT", "/scim/v2/Users/4", `{"userName":"bob@example.com"}`), http.StatusNotFound, "")
	checkError(t, s.do("DELETE", "/scim/v2/Users/4", nil), http.StatusNotFound, "")
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(`userName sw "bob"`), nil)); len(got) != 0 {
		t.Errorf("filter finds the deleted user: %v", got)
	}
	if got := memberValues(s.do("GET", "/scim/v2/Groups/g-2", nil).Body, "members"); slices.Contains(got, "4") {
		t.Errorf("the deleted user is still a member: %v", got)
	}
	if n := s.count("SELECT COUNT(*) FROM team_members WHERE account_id = 4"); n != 0 {
		t.Errorf("the deleted user's membership rows: %d, want them removed with the user (see TestSoftDeletedUserLeavesItsGroups)", n)
	}
	r := s.do("POST", "/scim/v2/Users", `{"userName":"bob@example.com"}`)
	if r.Status != http.StatusCreated || r.Body["id"] == "4" {
		t.Errorf("create again after release: %d %s", r.Status, r.Raw)
	}

	// Without a release the name stays taken, and the 409 says why.
	path := withoutLine(t, scopedMapping, `    release: "{value}#deleted-{id}"`)
	s = newSidecar(t, scopedSchema, path)
	if r := s.do("DELETE", "/scim/v2/Users/4", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if got := s.row("SELECT email FROM accounts WHERE account_id = 4")["email"]; got != "bob@example.com" {
		t.Errorf("email renamed without a release: %s", got)
	}
	r = s.do("POST", "/scim/v2/Users", `{"userName":"bob@example.com"}`)
	checkError(t, r, http.StatusConflict, "uniqueness")
	if d, _ := r.Body["detail"].(string); !strings.Contains(d, "deleted User still holds") {
		t.Errorf("detail %q", d)
	}
}

// TestNoResponseBeforeReads: when the members query of a POST /Groups
// response fails after the group committed, the client gets the create's
// success (201 with the group as sent, never a body cut off): answering an
// error for a committed write would make the IdP's retry a 409 for its
// own group (issue 22).
func TestNoResponseBeforeReads(t *testing.T) {
	dsn, db := scratchDB(t, scopedSchema)
	pdsn, p := proxied(t, dsn)
	s := attach(t, db, pdsn, scopedMapping, serverSection())
	hit := p.On("FROM `team_members` j JOIN", faultproxy.Cut)
	r := s.do("POST", "/scim/v2/Groups", `{"displayName":"Night shift","members":[{"value":"3"},{"value":"4"}]}`)
	select {
	case <-hit:
	default:
		t.Fatalf("the members were never read (%d %s)", r.Status, r.Raw)
	}
	if r.Status != http.StatusCreated || r.Body["displayName"] != "Night shift" || r.Header.Get("Location") == "" {
		t.Fatalf("create whose read-back failed: %d %v %s, want 201 with the group and its Location", r.Status, r.Header, r.Raw)
	}
	if got := memberValues(r.Body, "members"); !slices.Equal(got, []string{"3", "4"}) {
		t.Errorf("members in the 201: %v, want 3 and 4", got)
	}
	// The write itself committed, with its members.
	r = s.do("GET", "/scim/v2/Groups?"+filterQuery(`displayName eq "Night shift"`), nil)
	if n, _ := r.Body["totalResults"].(float64); n != 1 {
		t.Errorf("after the failed read: %s", r.Raw)
	}
}

// Rows returns the rows a query gives, one string each: the columns
// joined with " | ", NULL as NULL.
func (s *sidecar) Rows(query string, args ...any) []string {
	s.t.Helper()
	_, rows := s.query(query, args...)
	out := []string{}
	for _, vals := range rows {
		f := make([]string, len(vals))
		for i, v := range vals {
			f[i] = "NULL"
			if v.Valid {
				f[i] = v.String
			}
		}
		out = append(out, strings.Join(f, " | "))
	}
	return out
}

// withoutLine returns the mapping file with one line taken out, written
// to a temporary file.
func withoutLine(t *testing.T, mappingFile, line string) string {
	t.Helper()
	data, err := os.ReadFile(mappingFile)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(data), line+"\n", "", 1)
	if out == string(data) {
		t.Fatalf("%s has no line %q", mappingFile, line)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(mappingFile))
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// auditedSidecar is newSidecar with the audit records written to a file,
// whose records it returns.
func auditedSidecar(t *testing.T, schemaFile, mappingFile string) (*sidecar, func() []map[string]any) {
	t.Helper()
	dsn, db := scratchDB(t, schemaFile)
	mapping, err := os.ReadFile(mappingFile)
	if err != nil {
		t.Fatal(err)
	}
	auditFile := filepath.Join(t.TempDir(), "audit.log")
	var cfg strings.Builder
	cfg.WriteString(serverSection())
	cfg.WriteString("audit: {output: " + strconvQuote(auditFile) + "}\n")
	cfg.WriteString("database:\n  type: mysql\n  config:\n    dsn: {value: " + strconvQuote(dsn) + "}\n")
	cfg.WriteString("resources:\n")
	for _, l := range strings.Split(strings.TrimRight(string(mapping), "\n"), "\n") {
		cfg.WriteString("  " + l + "\n")
	}
	c, err := cli.ParseConfig([]byte(cfg.String()))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	sc, err := cli.Build(context.Background(), c, slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatalf("building sidecar: %v", err)
	}
	t.Cleanup(func() { sc.Close() })
	records := func() []map[string]any {
		data, err := os.ReadFile(auditFile)
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if l == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("audit line %q: %v", l, err)
			}
			out = append(out, m)
		}
		return out
	}
	return &sidecar{t: t, h: sc.Handler, db: db, cli: sc}, records
}

// TestDeactivationNeverDropped: without active mapped, active: false is
// refused (nothing could disable the account) unless the operator said
// to ignore it; then the audit record says ignored, not success.
func TestDeactivationNeverDropped(t *testing.T) {
	noActive := withoutLine(t, scopedMapping, `    active: {column: account_type, trueValues: [0, 3], falseValue: 1}`)
	s := newSidecar(t, scopedSchema, noActive)
	for _, body := range []string{
		patchBody(`{"op":"replace","path":"active","value":false}`),
		patchBody(`{"op":"replace","value":{"active":"False"}}`),
	} {
		r := s.do("PATCH", "/scim/v2/Users/4", body)
		checkError(t, r, http.StatusBadRequest, "mutability")
	}
	checkError(t, s.do("PUT", "/scim/v2/Users/4", `{"userName":"bob@example.com","active":false}`), http.StatusBadRequest, "mutability")
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"new@example.com","active":false}`), http.StatusBadRequest, "mutability")
	if r := s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"replace","path":"active","value":true}`)); r.Status != http.StatusOK {
		t.Errorf("active: true on an account that cannot be disabled: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM accounts"); n != 6 {
		t.Errorf("%d accounts, want 6", n)
	}

	// The operator accepts that deactivations change nothing.
	ignoring := filepath.Join(t.TempDir(), "ignoring.yaml")
	data, err := os.ReadFile(noActive)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ignoring, []byte(strings.Replace(string(data), "  table: accounts\n", "  table: accounts\n  ignoreDeactivation: true\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, audit := auditedSidecar(t, scopedSchema, ignoring)
	if r := s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"replace","path":"active","value":false}`)); r.Status != http.StatusOK {
		t.Fatalf("deactivate, ignored: %d %s", r.Status, r.Raw)
	}
	if r := s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"replace","path":"active","value":false}`, `{"op":"replace","path":"displayName","value":"Bob B."}`)); r.Status != http.StatusOK {
		t.Fatalf("deactivate and rename: %d %s", r.Status, r.Raw)
	}
	recs := audit()
	if len(recs) != 2 {
		t.Fatalf("%d audit records, want 2: %v", len(recs), recs)
	}
	if recs[0]["outcome"] != "ignored" || recs[0]["operation"] != "deactivate" || !slices.Equal(anyStrings(recs[0]["ignored"]), []string{"active"}) {
		t.Errorf("an ignored deactivation is audited as %v", recs[0])
	}
	if recs[1]["outcome"] != "success" || !slices.Equal(anyStrings(recs[1]["attributes"]), []string{"displayName"}) || !slices.Equal(anyStrings(recs[1]["ignored"]), []string{"active"}) {
		t.Errorf("a rename with an ignored deactivation is audited as %v", recs[1])
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// TestSortByRelated: sortBy on an attribute kept in a child table (its
// primary, else first, value) or in the key/value table sorts by it; on
// a write-only password it is refused.
func TestSortByRelated(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	for id, title := range map[string]string{"4": "bassist", "5": "Cellist"} {
		if r := s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"add","path":"title","value":"`+title+`"}`)); r.Status != http.StatusOK {
			t.Fatalf("title: %d %s", r.Status, r.Raw)
		}
	}
	if r := s.do("PATCH", "/scim/v2/Users/4", patchBody(`{"op":"add","path":"phoneNumbers","value":[{"value":"+1 000"},{"value":"+9 999","primary":true}]}`)); r.Status != http.StatusOK {
		t.Fatalf("phones: %d %s", r.Status, r.Raw)
	}
	order := func(q string) []string {
		r := s.do("GET", "/scim/v2/Users?"+q, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", q, r.Status, r.Raw)
		}
		var ids []string
		for _, e := range r.Body["Resources"].([]any) {
			ids = append(ids, e.(map[string]any)["id"].(string))
		}
		return ids
	}
	// Titles: Founder (3), bassist (4), Cellist (5): without case.
	if got := order("sortBy=title"); !slices.Equal(got, []string{"4", "5", "3"}) {
		t.Errorf("sortBy=title: %v, want 4 5 3", got)
	}
	if got := order("sortBy=title&sortOrder=descending"); !slices.Equal(got, []string{"3", "5", "4"}) {
		t.Errorf("sortBy=title descending: %v", got)
	}
	// Phones: 3 has +44 ..., 5 none (NULL sorts first); 4's rows have no
	// primary flag to keep (the table has none), so its first is +1 000.
	if got := order("sortBy=phoneNumbers.value"); !slices.Equal(got, []string{"5", "4", "3"}) {
		t.Errorf("sortBy=phoneNumbers: %v, want 5 4 3", got)
	}
	if got := order("sortBy=phoneNumbers&sortOrder=descending"); !slices.Equal(got, []string{"3", "4", "5"}) {
		t.Errorf("sortBy=phoneNumbers descending: %v, want 3 4 5", got)
	}
}

// TestRootSearch: POST /.search searches every resource type (RFC 7644
// section 3.4.3), type by type, paging through the whole.
func TestRootSearch(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	search := func(body string) response {
		t.Helper()
		return s.do("POST", "/scim/v2/.search", body)
	}
	r := search(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName co \"a\"","sortBy":"displayName"}`)
	if r.Status != http.StatusOK || r.Body["totalResults"] != float64(5) {
		t.Fatalf("search: %d %s", r.Status, r.Raw)
	}
	if got := idsOf(r); !slices.Equal(got, []string{"3", "4", "5", "g-3", "g-2"}) {
		t.Errorf("ids %v, want the users (sorted by displayName), then the groups", got)
	}
	r = search(`{"filter":"displayName co \"a\"","sortBy":"displayName","startIndex":3,"count":2,"attributes":["displayName"]}`)
	if got := idsOf(r); r.Body["totalResults"] != float64(5) || r.Body["startIndex"] != float64(3) || !slices.Equal(got, []string{"5", "g-3"}) {
		t.Errorf("page 3-4: %v %s", got, r.Raw)
	}
	if strings.Contains(r.Raw, `"timezone"`) {
		t.Errorf("attributes ignored: %s", r.Raw)
	}
	// Groups have no userName: only users match.
	if got := idsOf(search(`{"filter":"userName sw \"a\""}`)); !slices.Equal(got, []string{"3"}) {
		t.Errorf("userName sw a: %v", got)
	}
	checkError(t, search(`{"filter":"displayName eq"}`), http.StatusBadRequest, "invalidFilter")
	checkError(t, search(`{"filter":"shoeSize eq 3"}`), http.StatusBadRequest, "invalidFilter")
}

func idsOf(r response) []string {
	var ids []string
	rs, _ := r.Body["Resources"].([]any)
	for _, e := range rs {
		m, _ := e.(map[string]any)
		id, _ := m["id"].(string)
		ids = append(ids, id)
	}
	return ids
}

// TestMembershipFilters: members[value eq "x"], members.value, members pr
// on /Groups and groups.value on /Users become one EXISTS in SQL, counting
// only memberships and members in scope.
func TestMembershipFilters(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping)
	for _, c := range []struct {
		path, filter string
		want         []string
	}{
		{"/Groups", `members[value eq "4"]`, []string{"g-2"}},
		{"/Groups", `members.value eq "3"`, []string{"g-2"}},
		{"/Groups", `members[value eq "3" or value eq "6"]`, []string{"g-2"}},
		{"/Groups", `members.value eq "5"`, nil}, // a pending applicant
		{"/Groups", `members.value eq "2"`, nil}, // a bot
		{"/Groups", `members.value eq "x"`, nil},
		{"/Groups", `members pr`, []string{"g-2"}}, // g-3's only member is deleted
		{"/Groups", `not (members pr)`, []string{"g-3"}},
		{"/Groups", `members.value ne "4"`, []string{"g-3"}},
		{"/Groups", `displayName sw "S" and members.value eq "4"`, []string{"g-2"}},
		{"/Users", `groups.value eq "g-2"`, []string{"3", "4"}},
		{"/Users", `groups[value eq "g-2"]`, []string{"3", "4"}},
		{"/Users", `groups.value eq "g-1"`, nil}, // not a SCIM group
		{"/Users", `groups.value eq "2"`, nil},   // no prefix: no group's id
		{"/Users", `groups pr`, []string{"3", "4"}},
		{"/Users", `not (groups pr)`, []string{"5"}},
	} {
		got := listIDs(t, s.do("GET", "/scim/v2"+c.path+"?"+filterQuery(c.filter), nil))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %s: %v, want %v", c.path, c.filter, got, c.want)
		}
	}
	checkError(t, s.do("GET", "/scim/v2/Groups?"+filterQuery(`members.display eq "x"`), nil), http.StatusBadRequest, "invalidFilter")
	checkError(t, s.do("GET", "/scim/v2/Groups?"+filterQuery(`members.value co "4"`), nil), http.StatusBadRequest, "invalidFilter")

	// The same with the membership in a column of the users row.
	s = newSidecar(t, "testdata/rolecolumn_schema.sql", "testdata/rolecolumn_mapping.yaml")
	if got := listIDs(t, s.do("GET", "/scim/v2/Groups?"+filterQuery(`members.value eq "1"`), nil)); !slices.Equal(got, []string{"2"}) {
		t.Errorf("role column, members.value eq 1: %v", got)
	}
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(`groups.value eq "3"`), nil)); !slices.Equal(got, []string{"3"}) {
		t.Errorf("role column, groups.value eq 3: %v", got)
	}
}

// TestScopeReservesAUserName: a scope condition on the userName column
// (GLPI's name: {ne: glpi-system}, the system account's name) is
// accepted, and every write that would give a user the reserved name,
// in any case, answers 400 invalidValue naming userName and writes
// nothing; other names are written as usual.
func TestScopeReservesAUserName(t *testing.T) {
	s := newSidecarText(t, `
CREATE TABLE glpi_users (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NULL,
  realname VARCHAR(255) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO glpi_users (id, name, realname) VALUES (1, 'glpi', NULL), (6, 'glpi-system', 'Support');
`, `
User:
  table: glpi_users
  attributes:
    userName: name
    name.familyName: realname
  scope:
    name: {ne: glpi-system}
  delete: hard
`)
	if got := listIDs(t, s.do("GET", "/scim/v2/Users?count=100", nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("users listed: %v, want only 1", got)
	}
	before := s.Rows("SELECT id, name, realname FROM glpi_users ORDER BY id")
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/scim/v2/Users", `{"userName":"glpi-system"}`},
		{"POST", "/scim/v2/Users", `{"userName":"GLPI-System"}`},
		{"PUT", "/scim/v2/Users/1", `{"userName":"glpi-system"}`},
		{"PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","path":"userName","value":"glpi-system"}`)},
		{"PATCH", "/scim/v2/Users/1", patchBody(`{"op":"replace","value":{"userName":"Glpi-System","name":{"familyName":"X"}}}`)},
	} {
		r := s.do(c.method, c.path, c.body)
		checkError(t, r, http.StatusBadRequest, "invalidValue")
		if d, _ := r.Body["detail"].(string); !strings.Contains(d, "userName") || !strings.Contains(d, "outside the mapping's scope") {
			t.Errorf("%s %s %s: detail %q, want it to name userName and the scope", c.method, c.path, c.body, d)
		}
	}
	if after := s.Rows("SELECT id, name, realname FROM glpi_users ORDER BY id"); !slices.Equal(after, before) {
		t.Errorf("rows after the refused writes: %q, want %q", after, before)
	}
	if r := s.do("POST", "/scim/v2/Users", `{"userName":"glpi-systems"}`); r.Status != http.StatusCreated {
		t.Errorf("a name beside the reserved one: %d %s", r.Status, r.Raw)
	}
}
