package osticket_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The rows of ost_user schema.sql creates, by id.
const (
	jane  = "1" // two addresses; default_email_id names the second
	bob   = "2" // locked (status 3)
	carol = "3" // a guest: no account row
)

// person shows the ost_user and ost_user_account columns of one user.
const person = `SELECT u.name, u.org_id, u.status, a.username, a.status, a.backend, a.timezone, a.passwd
	FROM ost_user u JOIN ost_user_account a ON a.user_id = u.id WHERE u.id = ?`

// addresses lists a user's ost_user_email rows, and which one
// default_email_id names.
const addresses = `SELECT e.address, e.flags, e.id = u.default_email_id FROM ost_user u JOIN ost_user_email e ON e.user_id = u.id
	WHERE u.id = ? ORDER BY e.id`

// pointer is a user's default_email_id.
const pointer = `SELECT default_email_id FROM ost_user WHERE id = ?`

// osticketRows are the rows no request here may change: Jane's, Bob's and
// Carol's.
var osticketRows = []string{
	`SELECT * FROM ost_user WHERE id <= 3 ORDER BY id`,
	`SELECT * FROM ost_user_email WHERE user_id <= 3 ORDER BY id`,
	`SELECT * FROM ost_user_account WHERE user_id <= 3 ORDER BY id`,
}

func start(t *testing.T) (*exampletest.Sidecar, [][]string) {
	s := exampletest.Start(t, ".")
	var before [][]string
	for _, q := range osticketRows {
		before = append(before, s.Rows(q))
	}
	if len(before[0]) != 3 || len(before[1]) != 4 {
		t.Fatalf("schema.sql: %q %q", before[0], before[1])
	}
	return s, before
}

func untouched(s *exampletest.Sidecar, step string, before [][]string) {
	for i, q := range osticketRows {
		s.CheckRows(step+": the existing users' rows are untouched", before[i], q)
	}
}

// primaries returns the addresses a User document marks primary.
func primaries(doc map[string]any) []string {
	var out []string
	list, _ := doc["emails"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m["primary"] == true {
			v, _ := m["value"].(string)
			out = append(out, v)
		}
	}
	return out
}

// TestReadPointer: the primary address is the row default_email_id names,
// whatever the rows' order, in reads and filters; guests, who have no
// account row, are no Users.
func TestReadPointer(t *testing.T) {
	s, _ := start(t)
	u := s.Must(http.StatusOK, "GET", "/Users/"+jane, "")
	if got := primaries(u); !slices.Equal(got, []string{"jane.roe@example.com"}) {
		t.Errorf("GET /Users/%s: primary %q, want the row default_email_id names", jane, got)
	}
	if list, _ := u["emails"].([]any); len(list) != 2 {
		t.Errorf("GET /Users/%s: emails %v, want both rows", jane, u["emails"])
	}
	if u["userName"] != "jane" || u["active"] != true {
		t.Errorf("GET /Users/%s: %v", jane, u)
	}
	if b := s.Must(http.StatusOK, "GET", "/Users/"+bob, ""); b["active"] != false {
		t.Errorf("GET /Users/%s: active %v, want false (LOCKED)", bob, b["active"])
	}
	s.Must(http.StatusNotFound, "GET", "/Users/"+carol, "")

	for _, c := range []struct {
		filter string
		want   int
	}{
		{`emails[primary eq true].value eq "jane.roe@example.com"`, 1},
		{`emails[primary eq true].value eq "jane@home.example"`, 0},
		{`emails.value eq "jane@home.example"`, 1},
	} {
		exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(c.filter), ""), c.want)
	}
}

// TestOktaLifecycle replays what Okta's SCIM 2.0 app sends: the lookup,
// the create, profile pushes (PUT) that change the addresses and which
// one is primary, a deactivation and its end, and the delete, checking
// ost_user, ost_user_email and ost_user_account after every step.
func TestOktaLifecycle(t *testing.T) {
	s, before := start(t)

	lookup := "/Users?" + exampletest.Filter(`userName eq "alice.martin"`) + "&startIndex=1&count=1"
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "alice.martin",
		"name": {"givenName": "Alice", "familyName": "Martin", "formatted": "Alice Martin"},
		"displayName": "Alice Martin",
		"emails": [{"primary": true, "value": "alice.martin@example.com", "type": "work"}],
		"locale": "en_GB",
		"timezone": "Europe/London",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true}`)
	id, _ := created["id"].(string)
	if got := primaries(created); !slices.Equal(got, []string{"alice.martin@example.com"}) {
		t.Errorf("POST /Users: primary %q", got)
	}
	s.CheckRows("POST /Users: the user and a confirmed account signing in through SSO",
		[]string{"Alice Martin | 0 | 0 | alice.martin | 1 | oauth2.client | Europe/London | NULL"}, person, id)
	s.CheckRows("POST /Users: default_email_id names the new row",
		[]string{"alice.martin@example.com | 0 | 1"}, addresses, id)
	first := s.Value(pointer, id)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 1)
	untouched(s, "POST /Users", before)

	// A second address, made primary: both rows, the pointer on the new one.
	put := func(emails string) map[string]any {
		return s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
			"id": "`+id+`",
			"userName": "alice.martin",
			"name": {"givenName": "Alice", "familyName": "Martin", "formatted": "Alice Martin"},
			"displayName": "Alice Martin",
			"emails": `+emails+`,
			"timezone": "Europe/London",
			"active": true}`)
	}
	u := put(`[{"value": "alice.martin@example.com", "type": "work"}, {"primary": true, "value": "alice@martin.example", "type": "work"}]`)
	if got := primaries(u); !slices.Equal(got, []string{"alice@martin.example"}) {
		t.Errorf("PUT /Users: primary %q, want the second address", got)
	}
	s.CheckRows("PUT /Users: the second address is primary",
		[]string{"alice.martin@example.com | 0 | 0", "alice@martin.example | 0 | 1"}, addresses, id)
	if p := s.Value(pointer, id); p == first || p == "0" {
		t.Errorf("PUT /Users: default_email_id %s, want the new row's id", p)
	}

	// The primary address removed: the pointer moves to the one left.
	put(`[{"value": "alice.martin@example.com", "type": "work"}]`)
	s.CheckRows("PUT /Users without the primary: the pointer moves to the remaining row",
		[]string{"alice.martin@example.com | 0 | 1"}, addresses, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("PATCH active false: Locked (Administrative)", []string{"3"}, `SELECT status FROM ost_user_account WHERE user_id = ?`, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("PATCH active true: confirmed", []string{"1"}, `SELECT status FROM ost_user_account WHERE user_id = ?`, id)
	untouched(s, "PUT and PATCH", before)

	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	for _, table := range []string{"ost_user WHERE id", "ost_user_email WHERE user_id", "ost_user_account WHERE user_id"} {
		s.CheckRows("DELETE /Users: "+table, []string{"0"}, "SELECT COUNT(*) FROM "+table+" = ?", id)
	}
	untouched(s, "DELETE /Users", before)
}

// TestEntraLifecycle replays what Entra ID's provisioning service sends:
// the create, PATCH of emails[type eq "work"].value (the pointer follows
// the new row), the address removed (the pointer falls back to 0), a
// disable with "False" as a string, and the delete.
func TestEntraLifecycle(t *testing.T) {
	s, before := start(t)

	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "bjensen@contoso.com"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "bjensen",
		"userName": "bjensen@contoso.com",
		"active": true,
		"displayName": "Barbara Jensen",
		"emails": [{"primary": true, "type": "work", "value": "bjensen@contoso.com"}],
		"name": {"formatted": "Barbara Jensen", "familyName": "Jensen", "givenName": "Barbara"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"}}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Users: the user and its account",
		[]string{"Barbara Jensen | 0 | 0 | bjensen@contoso.com | 1 | oauth2.client | NULL | NULL"}, person, id)
	s.CheckRows("POST /Users: default_email_id names the new row", []string{"bjensen@contoso.com | 0 | 1"}, addresses, id)
	first := s.Value(pointer, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "barbara.jensen@contoso.com"}`,
		`{"op": "Replace", "path": "displayName", "value": "Barbara J. Jensen"}`))
	s.CheckRows("PATCH emails[type eq work].value: the new address is the primary row",
		[]string{"barbara.jensen@contoso.com | 0 | 1"}, addresses, id)
	if p := s.Value(pointer, id); p == first {
		t.Errorf("PATCH emails: default_email_id %s still names the removed row", p)
	}
	u := s.Must(http.StatusOK, "GET", "/Users/"+id, "")
	if got := primaries(u); !slices.Equal(got, []string{"barbara.jensen@contoso.com"}) {
		t.Errorf("GET after PATCH: primary %q", got)
	}

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Remove", "path": "emails[type eq \"work\"]"}`))
	s.CheckRows("PATCH remove emails: no rows", []string{}, addresses, id)
	s.CheckRows("PATCH remove emails: default_email_id is the declared none", []string{"0"}, pointer, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("PATCH active False: locked", []string{"3"}, `SELECT status FROM ost_user_account WHERE user_id = ?`, id)

	// A duplicate address is refused as a whole: nothing changes.
	before2 := s.Rows(`SELECT * FROM ost_user_email ORDER BY id`)
	s.Must(http.StatusConflict, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Add", "path": "emails", "value": [{"type": "work", "primary": true, "value": "bob.stone@example.com"}]}`))
	s.CheckRows("PATCH with Bob's address: nothing written", before2, `SELECT * FROM ost_user_email ORDER BY id`)
	s.CheckRows("PATCH with Bob's address: the pointer is unchanged", []string{"0"}, pointer, id)

	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE /Users: gone", []string{"0"}, `SELECT COUNT(*) FROM ost_user_email WHERE user_id = ?`, id)
	untouched(s, "Entra", before)
}
