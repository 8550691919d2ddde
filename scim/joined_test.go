package scim_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

const (
	drupalSchema  = "testdata/drupal_schema.sql"
	drupalMapping = "testdata/drupal_mapping.yaml"
)

// TestJoinedTableDrupal: a Drupal 10 user is a users row (uid, uuid,
// langcode) and its users_field_data row of the default language, which
// holds the name, address, status and times. Reads join them, filters
// and sorting work on the data row's columns, a create writes both rows
// (the data row with its scope and defaults), PATCH and PUT write the
// data row, a user with no data row reads as unassigned attributes until
// a write makes the row, and a delete removes both, every language's
// data row first.
func TestJoinedTableDrupal(t *testing.T) {
	s := newSidecar(t, drupalSchema, drupalMapping)
	get := func(id string) map[string]any {
		t.Helper()
		r := s.do("GET", "/scim/v2/Users/"+id, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", id, r.Status, r.Raw)
		}
		return r.Body
	}

	// A failing insert into the data table (an orphan data row holds the
	// next uid, as after a crash of the application) leaves no users row.
	r := s.do("POST", "/scim/v2/Users", `{"userName":"carol","emails":[{"value":"carol@example.com","primary":true}],"active":true}`)
	if r.Status < 400 {
		t.Fatalf("create over the orphan data row: %d %s, want an error", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM users WHERE uid >= 100"); n != 0 {
		t.Errorf("%d users rows left by the failed create, want none", n)
	}
	if _, err := s.db.Exec("DELETE FROM users_field_data WHERE uid = 100"); err != nil {
		t.Fatal(err)
	}

	bob := get("2")
	if bob["userName"] != "bob" || bob["active"] != false || bob["timezone"] != "Europe/Berlin" {
		t.Errorf("bob read as %v", bob)
	}
	// uid 3 has no data row: no attribute of it is assigned, and active
	// reads false, as a NULL status does.
	if u := get("3"); u["userName"] != nil || u["emails"] != nil || u["timezone"] != nil || u["active"] != false {
		t.Errorf("uid 3 without data row read as %v, want its data attributes unassigned", u)
	}

	// A create: the users row, then its data row in the default language.
	r = s.do("POST", "/scim/v2/Users", `{"userName":"carol","emails":[{"value":"carol@example.com","primary":true}],"active":true,"timezone":"Europe/Paris","password":"s3cret-Passw0rd"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id, _ := r.Body["id"].(string)
	if r.Body["userName"] != "carol" || r.Body["active"] != true {
		t.Errorf("created user answered as %v", r.Body)
	}
	if u := s.row("SELECT uuid, langcode FROM users WHERE uid = ?", id); len(u["uuid"]) != 36 || u["langcode"] != "en" {
		t.Errorf("users row %v, want a uuid and langcode en", u)
	}
	d := s.row("SELECT name, mail, init, status, timezone, langcode, default_langcode, preferred_langcode, access, created > 0 AS created, pass LIKE '$2%' AS hashed FROM users_field_data WHERE uid = ?", id)
	if want := map[string]string{"name": "carol", "mail": "carol@example.com", "init": "carol@example.com", "status": "1", "timezone": "Europe/Paris", "langcode": "en", "default_langcode": "1", "preferred_langcode": "en", "access": "0", "created": "1", "hashed": "1"}; !mapsEqual(d, want) {
		t.Errorf("data row %v, want %v", d, want)
	}

	// userName is unique across the data rows, case-insensitively.
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"CAROL"}`), http.StatusConflict, "uniqueness")
	checkError(t, s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"userName","value":"Admin"}`)), http.StatusConflict, "uniqueness")

	// Filters and sorting on the data row's columns; a comparison that
	// is true of an unassigned attribute (ne) holds for uid 3.
	for f, want := range map[string][]string{
		`userName eq "BOB"`:                           {"2"},
		`emails.value eq "carol@example.com"`:         {id},
		`emails[type eq "work" and value co "admin"]`: {"1"},
		`active eq false`:                             {"2", "3"},
		`userName ne "bob"`:                           {"1", "3", id},
		`userName pr`:                                 {"1", "2", id},
		`not (userName sw "a")`:                       {"2", "3", id},
		`timezone eq "europe/berlin"`:                 {"2"},
	} {
		slices.Sort(want)
		if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(f), nil)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", f, got, want)
		}
	}
	if got := orderedIDs(t, s.do("GET", "/scim/v2/Users?sortBy=userName&sortOrder=descending", nil)); !slices.Equal(got, []string{id, "2", "1", "3"}) {
		t.Errorf("sorted by userName descending: %v", got)
	}

	// PATCH active and PUT write the data row of the default language
	// only; the users row is left as it is.
	if r := s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"active","value":true}`)); r.Status != http.StatusOK || r.Body["active"] != true {
		t.Fatalf("activating bob: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT langcode, status FROM users_field_data WHERE uid = 2 ORDER BY langcode"); !slices.Equal(got, []string{"de | 0", "en | 1"}) {
		t.Errorf("bob's data rows after PATCH active: %q", got)
	}
	if r := s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"carol.c","emails":[{"value":"cc@example.com","primary":true}],"active":false}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if d := s.row("SELECT name, mail, status, timezone FROM users_field_data WHERE uid = ?", id); !mapsEqual(d, map[string]string{"name": "carol.c", "mail": "cc@example.com", "status": "0", "timezone": "<nil>"}) {
		t.Errorf("data row after PUT: %v", d)
	}

	// A write to the user without a data row makes it, with the scope and
	// the defaults.
	if r := s.do("PUT", "/scim/v2/Users/3", `{"userName":"dave","active":true}`); r.Status != http.StatusOK || r.Body["userName"] != "dave" {
		t.Fatalf("PUT uid 3: %d %s", r.Status, r.Raw)
	}
	if d := s.row("SELECT name, status, langcode, default_langcode, access FROM users_field_data WHERE uid = 3"); !mapsEqual(d, map[string]string{"name": "dave", "status": "1", "langcode": "en", "default_langcode": "1", "access": "0"}) {
		t.Errorf("uid 3's new data row: %v", d)
	}

	// A bad value writes nothing: neither row.
	checkError(t, s.do("PUT", "/scim/v2/Users/3", `{"userName":"`+string(make([]byte, 0))+`x123456789x123456789x123456789x123456789x123456789x123456789x","active":false}`), http.StatusBadRequest, "invalidValue")
	if d := s.row("SELECT name, status FROM users_field_data WHERE uid = 3"); d["name"] != "dave" || d["status"] != "1" {
		t.Errorf("uid 3 after a refused PUT: %v", d)
	}

	// DELETE removes every data row of the user, then the users row.
	if r := s.do("DELETE", "/scim/v2/Users/2", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete bob: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM users WHERE uid = 2") + s.count("SELECT COUNT(*) FROM users_field_data WHERE uid = 2"); n != 0 {
		t.Errorf("%d rows of bob left, want none", n)
	}
	if n := s.count("SELECT COUNT(*) FROM users_field_data"); n != 3 {
		t.Errorf("%d data rows left, want the other three users'", n)
	}
}

// TestConcurrentCreatesSameJoinedUserName creates one userName, kept in
// the joined data table, 16 times at once through one and two sidecars:
// one 201, the rest 409, one users row and one data row. Drupal's unique
// index on the name is dropped first, so that only scimbridge's lock and
// check keep the name unique.
func TestConcurrentCreatesSameJoinedUserName(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, drupalSchema, drupalMapping, func(t *testing.T, s []*sidecar) {
		if _, err := s[0].db.Exec("ALTER TABLE users_field_data DROP INDEX user__name"); err != nil {
			t.Fatal(err)
		}
		const n = 16
		codes := make([]int, n)
		hammer(n, func(i int) {
			name := []string{"erin", "ERIN", "Erin"}[i%3]
			codes[i] = s[i%len(s)].do("POST", "/scim/v2/Users", `{"userName":"`+name+`"}`).Status
		})
		slices.Sort(codes)
		if codes[0] != 201 || codes[1] != 409 || codes[n-1] != 409 {
			t.Errorf("codes %v: want one 201 and %d 409", codes, n-1)
		}
		if got := s[0].count("SELECT COUNT(*) FROM users_field_data WHERE LOWER(name) = 'erin'"); got != 1 {
			t.Errorf("%d data rows for the userName, want 1", got)
		}
		if got := s[0].count("SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM users_field_data d WHERE d.uid = u.uid)"); got != 1 {
			t.Errorf("%d users rows without a data row, want only uid 3", got)
		}
	})
}

// orderedIDs is listIDs in the order of the response.
func orderedIDs(t *testing.T, r response) []string {
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
	return ids
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestJoinedTableGuacamole: a Guacamole user is a guacamole_entity row of
// type USER and its guacamole_user row, which has a key of its own and
// refers to the entity by entity_id. A create inserts the entity, then the
// user row with an unusable password hash and the password date; active
// is the user row's disabled flag, inverted.
func TestJoinedTableGuacamole(t *testing.T) {
	s := newSidecar(t, "testdata/guacamole_schema.sql", "testdata/guacamole_mapping.yaml")
	r := s.do("POST", "/scim/v2/Users", `{"userName":"kim","displayName":"Kim Lee","emails":[{"value":"kim@example.com","primary":true}],"active":true,"title":"Engineer",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"organization":"R&D"}}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id, _ := r.Body["id"].(string)
	if e := s.row("SELECT name, type FROM guacamole_entity WHERE entity_id = ?", id); e["name"] != "kim" || e["type"] != "USER" {
		t.Errorf("entity row %v", e)
	}
	u := s.row("SELECT full_name, email_address, disabled, organizational_role, organization, LENGTH(password_hash) AS hl, password_hash <> REPEAT(x'00', 32) AS set_hash, password_date IS NOT NULL AS dated, user_id > 2 AS own_key FROM guacamole_user WHERE entity_id = ?", id)
	if want := map[string]string{"full_name": "Kim Lee", "email_address": "kim@example.com", "disabled": "0", "organizational_role": "Engineer", "organization": "R&D", "hl": "32", "set_hash": "1", "dated": "1", "own_key": "1"}; !mapsEqual(u, want) {
		t.Errorf("user row %v, want %v", u, want)
	}

	// A user group of the same name is no user; a name taken by a user is.
	checkError(t, s.do("POST", "/scim/v2/Users", `{"userName":"JANE"}`), http.StatusConflict, "uniqueness")
	for f, want := range map[string][]string{
		`userName eq "jane"`:                {"3"},
		`emails.value eq "KIM@example.com"`: {id},
		`active eq false`:                   {"3", "5"},
		`displayName co "a"`:                {"1", "3"},
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization eq "Sales"`: {"3"},
	} {
		slices.Sort(want)
		if got := listIDs(t, s.do("GET", "/scim/v2/Users?"+filterQuery(f), nil)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", f, got, want)
		}
	}

	// Okta deactivates and reactivates through the user row's flag.
	if r := s.do("PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"replace","path":"active","value":false}`)); r.Status != http.StatusOK || r.Body["active"] != false {
		t.Fatalf("deactivating: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT disabled FROM guacamole_user WHERE entity_id = ?", id); n != 1 {
		t.Errorf("disabled = %d after deactivation, want 1", n)
	}
	// A PUT renames the entity and rewrites the user row.
	if r := s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"kim.lee","displayName":"Kim A. Lee","active":true}`); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT e.name, u.full_name, u.email_address, u.disabled FROM guacamole_entity e JOIN guacamole_user u USING (entity_id) WHERE e.entity_id = ?", id); !slices.Equal(got, []string{"kim.lee | Kim A. Lee | NULL | 0"}) {
		t.Errorf("rows after PUT: %q", got)
	}
	// ghost has no user row: a PATCH makes it, with the defaults.
	if r := s.do("PATCH", "/scim/v2/Users/5", patchBody(`{"op":"replace","path":"displayName","value":"Ghost"}`)); r.Status != http.StatusOK || r.Body["displayName"] != "Ghost" {
		t.Fatalf("PATCH ghost: %d %s", r.Status, r.Raw)
	}
	if got := s.Rows("SELECT full_name, disabled, LENGTH(password_hash) FROM guacamole_user WHERE entity_id = 5"); !slices.Equal(got, []string{"Ghost | 0 | 32"}) {
		t.Errorf("ghost's new user row: %q", got)
	}

	// DELETE removes the user row, then the entity; the group named jane
	// stays.
	for _, del := range []string{id, "3"} {
		if r := s.do("DELETE", "/scim/v2/Users/"+del, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete %s: %d %s", del, r.Status, r.Raw)
		}
	}
	if got := s.Rows("SELECT e.entity_id, e.type, COUNT(u.user_id) FROM guacamole_entity e LEFT JOIN guacamole_user u USING (entity_id) GROUP BY e.entity_id, e.type ORDER BY e.entity_id"); !slices.Equal(got, []string{"1 | USER | 1", "2 | USER_GROUP | 0", "4 | USER_GROUP | 0", "5 | USER | 1"}) {
		t.Errorf("rows after the deletes: %q", got)
	}
}
