package saas_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The tokens whose SHA-256 hashes scimbridge.yaml lists: one per
// organisation, and a second for Acme, being rotated in.
const (
	acmeToken     = "acme-okta-token-for-examples-only"
	acmeNextToken = "acme-okta-token-next-for-examples-only"
	globexToken   = "globex-entra-token-for-examples-only"
)

// The rows schema.sql creates: users by org (Acme is org 1, Globex 2,
// Initech 3) and teams.
const (
	acmeAlice  = "1"
	acmeBob    = "2"
	acmePat    = "3"
	globexCaro = "4"
	globexPat  = "5"
	globexDan  = "6"
	initechErn = "7"

	acmePlatform   = "1"
	acmePayments   = "2"
	globexPlatform = "3"
	initechIT      = "4"
)

// users shows every row of users, as "id | org | email | name |
// deactivated?".
const users = `SELECT id, org_id, email, COALESCE(name, 'NULL'), deactivated_at IS NOT NULL FROM users ORDER BY id`

// teams shows every team with its members, as "org | team | member".
const teams = `SELECT CONCAT(t.org_id, ' | ', t.name, ' | ', COALESCE(u.email, '-')) FROM teams t
	LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id
	ORDER BY t.org_id, t.name, u.email`

// The tables as schema.sql leaves them.
var (
	usersBefore = []string{
		"1 | 1 | alice@acme.example | Alice Archer | 0",
		"2 | 1 | bob@acme.example | Bob Baker | 0",
		"3 | 1 | pat@contractors.example | Pat Quinn | 0",
		"4 | 2 | carol@globex.example | Carol Cruz | 0",
		"5 | 2 | pat@contractors.example | Pat Quinn | 0",
		"6 | 2 | dan@globex.example | Dan Diaz | 1",
		"7 | 3 | erin@initech.example | Erin Evans | 0",
	}
	teamsBefore = []string{
		"1 | Payments | bob@acme.example",
		"1 | Platform | alice@acme.example",
		"1 | Platform | pat@contractors.example",
		"2 | Platform | carol@globex.example",
		"2 | Platform | dan@globex.example",
		"2 | Platform | pat@contractors.example",
		"3 | IT | erin@initech.example",
	}
)

// ids returns the ids of a ListResponse's resources, sorted.
func ids(t *testing.T, list map[string]any) []string {
	t.Helper()
	var out []string
	rs, _ := list["Resources"].([]any)
	for _, r := range rs {
		id, _ := r.(map[string]any)["id"].(string)
		out = append(out, id)
	}
	slices.Sort(out)
	if n, _ := list["totalResults"].(float64); int(n) != len(out) {
		t.Fatalf("totalResults %v but %d resources: %v", list["totalResults"], len(out), list)
	}
	return out
}

// TestTokensSeeOnlyTheirOrganisation lists, filters and searches with
// every token: each sees exactly its organisation's users and teams, and
// nobody sees Initech, which has no token.
func TestTokensSeeOnlyTheirOrganisation(t *testing.T) {
	s := exampletest.Start(t, ".")
	acme, acmeNext, globex := s.As(acmeToken), s.As(acmeNextToken), s.As(globexToken)
	s.CheckRows("schema.sql: users", usersBefore, users)
	s.CheckRows("schema.sql: teams", teamsBefore, teams)

	for _, c := range []struct {
		name        string
		s           *exampletest.Sidecar
		users, grps []string
	}{
		{"acme", acme, []string{acmeAlice, acmeBob, acmePat}, []string{acmePlatform, acmePayments}},
		{"acme's next token", acmeNext, []string{acmeAlice, acmeBob, acmePat}, []string{acmePlatform, acmePayments}},
		{"globex", globex, []string{globexCaro, globexPat, globexDan}, []string{globexPlatform}},
	} {
		if got := ids(t, c.s.Must(http.StatusOK, "GET", "/Users", "")); !slices.Equal(got, c.users) {
			t.Errorf("%s: GET /Users: %v, want %v", c.name, got, c.users)
		}
		if got := ids(t, c.s.Must(http.StatusOK, "GET", "/Groups", "")); !slices.Equal(got, sorted(c.grps)) {
			t.Errorf("%s: GET /Groups: %v, want %v", c.name, got, c.grps)
		}
	}

	// The default token of the test harness, and no token at all, are
	// not any organisation's.
	for _, tok := range []string{exampletest.Token, "", acmeToken + "x"} {
		if r := s.As(tok).Do("GET", "/Users", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("GET /Users with token %q: %d, want 401", tok, r.Status)
		}
	}

	// The same address is a user of both Acme and Globex: each token
	// finds its own.
	pat := `/Users?` + exampletest.Filter(`userName eq "PAT@contractors.example"`)
	if got := ids(t, acme.Must(http.StatusOK, "GET", pat, "")); !slices.Equal(got, []string{acmePat}) {
		t.Errorf("acme: pat is %v, want %s", got, acmePat)
	}
	if got := ids(t, globex.Must(http.StatusOK, "GET", pat, "")); !slices.Equal(got, []string{globexPat}) {
		t.Errorf("globex: pat is %v, want %s", got, globexPat)
	}

	// Filters never reach across: not by userName, not inside an or, not
	// by a match on every row, not through POST .search.
	for _, f := range []string{
		`userName eq "carol@globex.example"`,
		`userName eq "erin@initech.example" or userName eq "alice@acme.example"`,
		`userName ew "globex.example" or displayName co "Erin"`,
		`userName pr`,
		`not (userName eq "nobody")`,
		`active eq false`,
	} {
		got := ids(t, acme.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(f), ""))
		for _, id := range got {
			if !slices.Contains([]string{acmeAlice, acmeBob, acmePat}, id) {
				t.Errorf("acme: filter %s found user %s of another organisation", f, id)
			}
		}
	}
	search := acme.Must(http.StatusOK, "POST", "/Users/.search",
		`{"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName ew \".example\"", "count": 100}`)
	if got := ids(t, search); !slices.Equal(got, []string{acmeAlice, acmeBob, acmePat}) {
		t.Errorf("acme: POST /Users/.search: %v, want Acme's three users", got)
	}
	// Globex's only deactivated user is dan; Acme has none.
	if got := ids(t, globex.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`active eq false`), "")); !slices.Equal(got, []string{globexDan}) {
		t.Errorf("globex: active eq false: %v, want dan", got)
	}
	if got := ids(t, acme.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`active eq false`), "")); len(got) != 0 {
		t.Errorf("acme: active eq false: %v, want none", got)
	}

	// Both have a team called Platform: each finds its own, with its own
	// members.
	platform := `/Groups?` + exampletest.Filter(`displayName eq "platform"`)
	for _, c := range []struct {
		name    string
		s       *exampletest.Sidecar
		id      string
		members []string
	}{
		{"acme", acme, acmePlatform, []string{acmeAlice, acmePat}},
		{"globex", globex, globexPlatform, []string{globexCaro, globexPat, globexDan}},
	} {
		found := exampletest.Resources(t, c.s.Must(http.StatusOK, "GET", platform, ""), 1)[0]
		if found["id"] != c.id || !slices.Equal(exampletest.Members(t, found), c.members) {
			t.Errorf("%s: Platform is %v, want team %s with members %v", c.name, found, c.id, c.members)
		}
	}
	// A user's groups are its organisation's teams.
	patDoc := globex.Must(http.StatusOK, "GET", "/Users/"+globexPat, "")
	if g, _ := patDoc["groups"].([]any); len(g) != 1 || g[0].(map[string]any)["value"] != globexPlatform {
		t.Errorf("globex: pat's groups %v, want Globex's Platform only", patDoc["groups"])
	}
}

// TestTokensCannotTouchOtherOrganisations tries every way of reaching
// another organisation's rows by id: each is 404, and no row changes.
func TestTokensCannotTouchOtherOrganisations(t *testing.T) {
	s := exampletest.Start(t, ".")
	acme, globex := s.As(acmeToken), s.As(globexToken)

	type req struct{ method, path, body string }
	reach := func(user, group string) []req {
		return []req{
			{"GET", "/Users/" + user, ""},
			{"PUT", "/Users/" + user, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "taken@acme.example", "active": false}`},
			{"PATCH", "/Users/" + user, exampletest.Patch(`{"op": "replace", "value": {"active": false, "displayName": "Taken"}}`)},
			{"DELETE", "/Users/" + user, ""},
			{"GET", "/Groups/" + group, ""},
			{"PUT", "/Groups/" + group, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Taken", "members": []}`},
			{"PATCH", "/Groups/" + group, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "` + user + `"}]}`)},
			{"PATCH", "/Groups/" + group, exampletest.Patch(`{"op": "replace", "path": "members", "value": []}`)},
			{"DELETE", "/Groups/" + group, ""},
		}
	}
	for _, c := range []struct {
		name        string
		s           *exampletest.Sidecar
		user, group string
	}{
		{"acme → globex", acme, globexCaro, globexPlatform},
		{"acme → initech", acme, initechErn, initechIT},
		{"globex → acme", globex, acmeAlice, acmePlatform},
		{"globex → initech", globex, initechErn, initechIT},
	} {
		for _, r := range reach(c.user, c.group) {
			if got := c.s.Do(r.method, r.path, r.body); got.Status != http.StatusNotFound {
				t.Errorf("%s: %s %s: %d %s, want 404", c.name, r.method, r.path, got.Status, got.Raw)
			}
		}
	}
	s.CheckRows("after every attempt: users unchanged", usersBefore, users)
	s.CheckRows("after every attempt: teams unchanged", teamsBefore, teams)

	// Another organisation's user cannot be made a member of one's own
	// team, whether the team is new or existing, and the whole request is
	// refused.
	for _, r := range []req{
		{"PATCH", "/Groups/" + acmePlatform, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "` + acmeBob + `"}, {"value": "` + globexPat + `"}]}`)},
		{"PATCH", "/Groups/" + acmePlatform, exampletest.Patch(`{"op": "replace", "path": "members", "value": [{"value": "` + initechErn + `"}]}`)},
		{"PUT", "/Groups/" + acmePlatform, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Platform", "members": [{"value": "` + globexCaro + `"}]}`},
		{"POST", "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Shared", "members": [{"value": "` + acmeAlice + `"}, {"value": "` + globexCaro + `"}]}`},
	} {
		got := acme.Do(r.method, r.path, r.body)
		if got.Status != http.StatusBadRequest || got.Body["scimType"] != "invalidValue" {
			t.Errorf("acme: %s %s with another organisation's member: %d %s, want 400 invalidValue", r.method, r.path, got.Status, got.Raw)
		}
	}
	s.CheckRows("refused memberships: users unchanged", usersBefore, users)
	s.CheckRows("refused memberships: teams unchanged", teamsBefore, teams)
}

// TestOktaProvisionsAcme replays Okta provisioning Acme through Acme's
// token: a lookup, a create that lands in org 1 with an address Globex also
// has, a duplicate refused (case-insensitively, within Acme only), a
// profile push, a deactivation and a reactivation, and a pushed group.
func TestOktaProvisionsAcme(t *testing.T) {
	s := exampletest.Start(t, ".")
	acme, globex := s.As(acmeToken), s.As(globexToken)
	const row = `SELECT org_id, email, COALESCE(name, 'NULL'), COALESCE(title, 'NULL'), COALESCE(mobile_phone, 'NULL'), time_zone, role,
		COALESCE(external_id, 'NULL'), deactivated_at IS NOT NULL, created_at IS NOT NULL, updated_at IS NOT NULL FROM users WHERE id = ?`

	// carol@globex.example is Globex's; for Acme she does not exist yet.
	lookup := `/Users?` + exampletest.Filter(`userName eq "carol@globex.example"`) + `&startIndex=1&count=100`
	exampletest.Resources(t, acme.Must(http.StatusOK, "GET", lookup, ""), 0)
	created := acme.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "carol@globex.example",
		"externalId": "00u1carolacme",
		"name": {"givenName": "Carol", "familyName": "Cruz"},
		"displayName": "Carol Cruz",
		"title": "Advisor",
		"emails": [{"value": "carol@globex.example", "type": "work", "primary": true}],
		"phoneNumbers": [{"value": "+44 7700 900101", "type": "mobile"}],
		"locale": "en-GB",
		"active": true}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Users: a user of org 1 beside Globex's carol, Beacon's own role and time zone defaulted",
		[]string{"1 | carol@globex.example | Carol Cruz | Advisor | +44 7700 900101 | UTC | member | 00u1carolacme | 0 | 1 | 1"}, row, id)
	s.CheckRows("POST /Users: Globex's carol untouched",
		[]string{"2 | carol@globex.example | Carol Cruz | Head of Operations | +44 7700 900101 | Europe/London | owner | NULL | 0 | 1 | 1"}, row, globexCaro)
	if got := ids(t, globex.Must(http.StatusOK, "GET", "/Users", "")); !slices.Equal(got, []string{globexCaro, globexPat, globexDan}) {
		t.Errorf("globex after Acme's create: %v", got)
	}

	// userName is unique within Acme, case-insensitively; Globex may
	// still create the same address.
	for _, name := range []string{"CAROL@globex.example", "alice@acme.example", "Pat@Contractors.Example"} {
		r := acme.Do("POST", "/Users", `{"userName": "`+name+`"}`)
		if r.Status != http.StatusConflict || r.Body["scimType"] != "uniqueness" {
			t.Errorf("acme: POST %s: %d %s, want 409 uniqueness", name, r.Status, r.Raw)
		}
	}
	other := globex.Must(http.StatusCreated, "POST", "/Users", `{"userName": "alice@acme.example", "displayName": "Alice Archer (advisor)"}`)
	otherID, _ := other["id"].(string)
	s.CheckRows("globex: POST alice@acme.example lands in org 2",
		[]string{"2 | alice@acme.example | Alice Archer (advisor) | NULL | NULL | UTC | member | NULL | 0 | 1 | 1"}, row, otherID)

	// Okta pushes a profile change with a PUT of the whole user; the
	// phone number it no longer sends is cleared, the NOT NULL time zone
	// kept, and Beacon's role never touched.
	acme.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "carol@globex.example",
		"externalId": "00u1carolacme",
		"name": {"givenName": "Carol", "familyName": "Cruz-Lee"},
		"displayName": "Carol Cruz-Lee",
		"title": "Principal Advisor",
		"active": true}`)
	s.CheckRows("PUT /Users", []string{"1 | carol@globex.example | Carol Cruz-Lee | Principal Advisor | NULL | UTC | member | 00u1carolacme | 0 | 1 | 1"}, row, id)

	// Deactivation sets deactivated_at; reactivation clears it.
	acme.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("PATCH active false", []string{"1 | carol@globex.example | Carol Cruz-Lee | Principal Advisor | NULL | UTC | member | 00u1carolacme | 1 | 1 | 1"}, row, id)
	if got := ids(t, acme.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`active eq false`), "")); !slices.Equal(got, []string{id}) {
		t.Errorf("acme: active eq false after deactivating: %v, want %s", got, id)
	}
	acme.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("PATCH active true", []string{"1 | carol@globex.example | Carol Cruz-Lee | Principal Advisor | NULL | UTC | member | 00u1carolacme | 0 | 1 | 1"}, row, id)

	// Push Groups: a team of Acme's with a name Globex also has, then a
	// rename to a name Acme already has (refused) and one it has not.
	exampletest.Resources(t, acme.Must(http.StatusOK, "GET", `/Groups?`+exampletest.Filter(`displayName eq "Incident Command"`), ""), 0)
	team := acme.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Incident Command",
		"externalId": "00g1incident",
		"members": [{"value": "`+acmeAlice+`"}, {"value": "`+id+`"}]}`)
	tid, _ := team["id"].(string)
	s.CheckRows("POST /Groups: an Acme team with its escalation default",
		[]string{"1 | Incident Command | 15 | 00g1incident"}, `SELECT org_id, name, escalation_minutes, external_id FROM teams WHERE id = ?`, tid)
	s.CheckRows("POST /Groups: its members", append([]string{
		"1 | Incident Command | alice@acme.example",
		"1 | Incident Command | carol@globex.example",
	}, teamsBefore...), teams)
	r := acme.Do("PATCH", "/Groups/"+tid, exampletest.Patch(`{"op": "replace", "path": "displayName", "value": "PAYMENTS"}`))
	if r.Status != http.StatusConflict {
		t.Errorf("acme: renaming a team to Payments, which Acme has: %d %s, want 409", r.Status, r.Raw)
	}
	acme.Must(http.StatusNoContent, "PATCH", "/Groups/"+tid, exampletest.Patch(`{"op": "replace", "path": "displayName", "value": "Platform Leads"}`))
	globex.Must(http.StatusNoContent, "PATCH", "/Groups/"+globexPlatform, exampletest.Patch(`{"op": "replace", "path": "displayName", "value": "Platform Leads"}`))
	s.CheckRows("both organisations may call a team Platform Leads",
		[]string{"1 | Platform Leads", "2 | Platform Leads"}, `SELECT org_id, name FROM teams WHERE name = 'Platform Leads' ORDER BY org_id`)

	// Deleting the user in Okta deactivates it; deleting the team removes
	// it and its memberships, nobody else's.
	acme.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE /Users (delete: deactivate)", []string{"1 | carol@globex.example | Carol Cruz-Lee | Principal Advisor | NULL | UTC | member | 00u1carolacme | 1 | 1 | 1"}, row, id)
	acme.Must(http.StatusNoContent, "DELETE", "/Groups/"+tid, "")
	s.CheckRows("DELETE /Groups", nil, `SELECT name FROM teams WHERE id = ?`, tid)
	s.CheckRows("DELETE /Groups: no membership of it is left", []string{"0"}, `SELECT COUNT(*) FROM team_members WHERE team_id = ?`, tid)
	s.CheckRows("Initech is untouched", []string{"7 | 3 | erin@initech.example | Erin Evans | 0"},
		`SELECT id, org_id, email, name, deactivated_at IS NOT NULL FROM users WHERE org_id = 3`)
}

// TestEntraProvisionsGlobex replays Entra ID's group provisioning for
// Globex, with Entra's capitalised ops: the existing Platform team is
// matched by name (Acme's is never found), members are added and removed,
// and an Acme user id sent by mistake is refused without writing anything.
func TestEntraProvisionsGlobex(t *testing.T) {
	s := exampletest.Start(t, ".")
	globex := s.As(globexToken)

	list := globex.Must(http.StatusOK, "GET", `/Groups?excludedAttributes=members&`+exampletest.Filter(`displayName eq "Platform"`), "")
	found := exampletest.Resources(t, list, 1)[0]
	if found["id"] != globexPlatform || found["members"] != nil {
		t.Fatalf("globex: lookup of Platform: %v; want team %s without members", found, globexPlatform)
	}
	globex.Must(http.StatusNoContent, "PATCH", "/Groups/"+globexPlatform, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "`+globexDan+`"}]}`,
		`{"op": "Replace", "path": "externalId", "value": "5b2e8c1d-3f4a-4e6b-9c7d-1a2b3c4d5e6f"}`))
	s.CheckRows("PATCH Remove dan, Replace externalId", []string{
		"1 | Payments | bob@acme.example",
		"1 | Platform | alice@acme.example",
		"1 | Platform | pat@contractors.example",
		"2 | Platform | carol@globex.example",
		"2 | Platform | pat@contractors.example",
		"3 | IT | erin@initech.example",
	}, teams)
	s.CheckRows("the team row: only external_id changed", []string{"2 | Platform | 15 | 5b2e8c1d-3f4a-4e6b-9c7d-1a2b3c4d5e6f"},
		`SELECT org_id, name, escalation_minutes, external_id FROM teams WHERE id = ?`, globexPlatform)

	// Entra (with aadOptscim062020, real booleans) repeats the
	// deactivation of a user who left long ago: the time he left stays.
	globex.Must(http.StatusOK, "PATCH", "/Users/"+globexDan, exampletest.Patch(`{"op": "replace", "path": "active", "value": false}`))
	s.CheckRows("PATCH active false of an inactive user", []string{"2024-03-31 17:00:00"},
		`SELECT DATE_FORMAT(deactivated_at, '%Y-%m-%d %H:%i:%s') FROM users WHERE id = ?`, globexDan)

	// Entra sends Acme's pat (3) instead of Globex's (5): refused whole.
	r := globex.Do("PATCH", "/Groups/"+globexPlatform, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+globexDan+`"}, {"$ref": null, "value": "`+acmePat+`"}]}`))
	if r.Status != http.StatusBadRequest {
		t.Errorf("globex: adding Acme's user: %d %s, want 400", r.Status, r.Raw)
	}
	if n := s.Value(`SELECT COUNT(*) FROM team_members WHERE team_id = ?`, globexPlatform); n != "2" {
		t.Errorf("after the refused PATCH Globex's Platform has %s members, want 2", n)
	}
	// The members Globex's token reads are still its own.
	doc := globex.Must(http.StatusOK, "GET", "/Groups/"+globexPlatform, "")
	if got := exampletest.Members(t, doc); !slices.Equal(got, []string{globexCaro, globexPat}) {
		t.Errorf("globex: Platform members %v", got)
	}
	s.CheckRows("Acme's Platform is untouched", []string{acmeAlice, acmePat}, `SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id`, acmePlatform)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
