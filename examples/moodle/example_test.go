package moodle_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The people schema.sql creates, by mdl_user.id: 1 is the guest account
// and 5 a user Moodle deleted itself, neither of them a SCIM User.
const (
	admin = "2"
	alice = "3"
	bob   = "4" // suspended
	dave  = "6" // self-registered, not confirmed yet
)

// account shows the mdl_user columns of one person that provisioning
// writes, and those Moodle needs set for an account that can sign in.
const account = `SELECT username, auth, confirmed, deleted, suspended, mnethostid, firstname, lastname, email,
	phone1, idnumber, institution, department, timezone FROM mdl_user WHERE id = ?`

// members lists a cohort's members by username.
const members = `SELECT u.username FROM mdl_cohort_members m JOIN mdl_user u ON u.id = m.userid
	WHERE m.cohortid = ? ORDER BY u.username`

// unixTimes reads two integer columns of a row, checking that they are
// Unix times within the last minute.
func unixTimes(t *testing.T, s *exampletest.Sidecar, step, query string, args ...any) (int64, int64) {
	t.Helper()
	f := strings.Split(s.Value(query, args...), " | ")
	a, err1 := strconv.ParseInt(f[0], 10, 64)
	b, err2 := strconv.ParseInt(f[1], 10, 64)
	now := time.Now().Unix()
	if err1 != nil || err2 != nil || a < now-60 || a > now+1 || b < now-60 || b > now+1 {
		t.Errorf("%s: %q, want two Unix times of the last minute", step, f)
	}
	return a, b
}

// TestOktaLifecycle replays what Okta's SCIM 2.0 app sends for a person
// assigned to Moodle: the lookup by userName, the create, a profile push
// (PUT), a suspension and its end, and the group push of a cohort. After
// every step it checks mdl_user and mdl_cohort_members.
func TestOktaLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	lookup := `/Users?` + exampletest.Filter(`userName eq "Jane.Roe@uni.example"`) + `&startIndex=1&count=100`
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName": "Jane.Roe@uni.example",
		"name": {"givenName": "Jane", "familyName": "Roe"},
		"emails": [{"primary": true, "value": "jane.roe@uni.example", "type": "work"}],
		"phoneNumbers": [{"primary": true, "value": "+49 30 1234567", "type": "work"}],
		"displayName": "Jane Roe",
		"locale": "de-DE",
		"timezone": "Europe/Berlin",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "EMP-2001", "organization": "Example University", "department": "Chemistry"}}`)
	id, _ := created["id"].(string)
	if created["userName"] != "jane.roe@uni.example" || created["active"] != true {
		t.Errorf("POST /Users: %v", created)
	}
	s.CheckRows("POST /Users: an account Moodle lets sign in through the IdP",
		[]string{"jane.roe@uni.example | oauth2 | 1 | 0 | 0 | 1 | Jane | Roe | jane.roe@uni.example | +49 30 1234567 | EMP-2001 | Example University | Chemistry | Europe/Berlin"}, account, id)
	s.CheckRows("POST /Users: no password stored", []string{""}, `SELECT password FROM mdl_user WHERE id = ?`, id)
	created1, modified1 := unixTimes(t, s, "POST /Users: timecreated, timemodified", `SELECT timecreated, timemodified FROM mdl_user WHERE id = ?`, id)
	if created1 != modified1 {
		t.Errorf("POST /Users: timecreated %d, timemodified %d; want equal", created1, modified1)
	}
	// The lookup now finds her, in any case, as Okta compares userName.
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 1); got[0]["id"] != id {
		t.Errorf("lookup after create: %v", got)
	}
	// The same userName again is a conflict: Okta then links instead.
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName":"jane.roe@UNI.example","name":{"givenName":"J","familyName":"R"}}`)

	// A profile push: Okta sends the whole user.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "jane.roe@uni.example",
		"name": {"givenName": "Jane", "familyName": "Roe-Smith"},
		"emails": [{"primary": true, "value": "jane.roe-smith@uni.example", "type": "work"}],
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "EMP-2001", "organization": "Example University"}}`)
	s.CheckRows("PUT: the new name and address; left-out attributes back to Moodle's defaults",
		[]string{"jane.roe@uni.example | oauth2 | 1 | 0 | 0 | 1 | Jane | Roe-Smith | jane.roe-smith@uni.example |  | EMP-2001 | Example University |  | 99"}, account, id)

	// Okta deactivates: Moodle suspends the account, keeping everything.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.CheckRows("deactivate: suspended", []string{"1 | 0"}, `SELECT suspended, deleted FROM mdl_user WHERE id = ?`, id)
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("reactivate", []string{"0 | 0"}, `SELECT suspended, deleted FROM mdl_user WHERE id = ?`, id)

	// Existing people are matched, not created again: Moodle's own users
	// are SCIM Users, the guest account is not.
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "alice"`), ""), 1); got[0]["id"] != alice || got[0]["active"] != true {
		t.Errorf("lookup of alice: %v", got)
	}
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "bob"`), ""), 1); got[0]["active"] != false {
		t.Errorf("bob is suspended, but reads as %v", got[0]["active"])
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "guest"`), ""), 0)
	s.Must(http.StatusNotFound, "GET", "/Users/1", "")
	// Moodle's own deleted user is gone for SCIM.
	s.Must(http.StatusNotFound, "GET", "/Users/5", "")
	list := s.Must(http.StatusOK, "GET", "/Users?count=100", "")
	exampletest.Resources(t, list, 5) // admin, alice, bob, dave, jane

	// Push Groups: a new cohort with two members, a member added and one
	// removed, a rename, and the delete.
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Chemistry 2025"`), ""), 0)
	group := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Chemistry 2025",
		"members": [{"value": "`+id+`", "display": "jane.roe@uni.example"}, {"value": "`+alice+`", "display": "alice"}]}`)
	gid, _ := group["id"].(string)
	cid, ok := strings.CutPrefix(gid, "cohort-")
	if !ok {
		t.Fatalf("group id %q, want the prefix cohort-", gid)
	}
	s.CheckRows("POST /Groups: a site cohort, managed by hand", []string{"1 | Chemistry 2025 | NULL | 1 | 1 | "},
		`SELECT contextid, name, idnumber, descriptionformat, visible, component FROM mdl_cohort WHERE id = ?`, cid)
	s.CheckRows("POST /Groups: its members", []string{"alice", "jane.roe@uni.example"}, members, cid)
	unixTimes(t, s, "POST /Groups: timeadded", `SELECT MIN(timeadded), MAX(timeadded) FROM mdl_cohort_members WHERE cohortid = ?`, cid)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+bob+`", "display": "bob"}]}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"`+alice+`\"]"}`))
	s.CheckRows("PATCH members", []string{"bob", "jane.roe@uni.example"}, members, cid)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+gid+`", "displayName": "Chemistry Class of 2025"}}`))
	s.CheckRows("rename", []string{"Chemistry Class of 2025"}, `SELECT name FROM mdl_cohort WHERE id = ?`, cid)
	// The user shows the cohort.
	jane := s.Must(http.StatusOK, "GET", "/Users/"+id, "")
	if groups, _ := jane["groups"].([]any); len(groups) != 1 || groups[0].(map[string]any)["value"] != gid {
		t.Errorf("jane's groups: %v", jane["groups"])
	}
	// A user's id is no cohort's, and the reverse.
	s.Must(http.StatusNotFound, "GET", "/Groups/"+cid, "")
	s.Must(http.StatusNotFound, "GET", "/Users/"+gid, "")
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+gid, "")
	s.CheckRows("DELETE /Groups: the cohort and its members' rows are gone", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM mdl_cohort WHERE id = ?), (SELECT COUNT(*) FROM mdl_cohort_members WHERE cohortid = ?)`, cid, cid)
	s.CheckRows("DELETE /Groups: the other cohorts' rows stay", []string{"alice", "bob"}, members, 1)
}

// TestEntraLifecycle replays Microsoft Entra ID: the match by userName,
// the create, PATCH updates with capitalised ops and a filtered e-mail
// path, the deactivation with the string "False", and the delete once the
// user is deleted in Entra. Moodle keeps the deleted row, as its own
// delete does (deleted = 1, the username renamed), and SCIM answers 404
// for it from then on; the same person can then be provisioned anew.
func TestEntraLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.lee@uni.example"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName": "kim.lee@uni.example",
		"active": true,
		"emails": [{"primary": true, "type": "work", "value": "kim.lee@uni.example"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Library"},
		"roles": []}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST", []string{"kim.lee@uni.example | oauth2 | 1 | 0 | 0 | 1 | Kim | Lee | kim.lee@uni.example |  |  |  | Library | 99"}, account, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "kim.lee@library.uni.example"}`,
		`{"op": "Replace", "path": "name.familyName", "value": "Lee-Park"}`,
		`{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "EMP-3300"}`))
	s.CheckRows("PATCH", []string{"kim.lee@uni.example | oauth2 | 1 | 0 | 0 | 1 | Kim | Lee-Park | kim.lee@library.uni.example |  | EMP-3300 |  | Library | 99"}, account, id)
	// Entra removes an attribute cleared in the directory: Moodle's
	// NOT NULL columns take their default ('') instead of failing.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}`))
	s.CheckRows("PATCH remove department", []string{""}, `SELECT department FROM mdl_user WHERE id = ?`, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("disable", []string{"1 | 0"}, `SELECT suspended, deleted FROM mdl_user WHERE id = ?`, id)

	// Groups: Entra matches a group by displayName with members excluded,
	// then adds and removes members with value lists.
	staff := s.Must(http.StatusOK, "GET", "/Groups?excludedAttributes=members&"+exampletest.Filter(`displayName eq "All staff"`), "")
	found := exampletest.Resources(t, staff, 1)
	if _, has := found[0]["members"]; has || found[0]["id"] != "cohort-1" {
		t.Errorf("match of All staff: %v", found[0])
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/cohort-1", exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}, {"value": "`+dave+`"}]}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/cohort-1", exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"value": "`+bob+`"}]}`))
	s.CheckRows("All staff after Entra's changes", []string{"alice", "dave", "kim.lee@uni.example"}, members, 1)
	// A deleted or hidden account cannot be a member.
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/cohort-1", exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "5"}]}`))
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/cohort-1", exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "1"}]}`))

	// The user is deleted in Entra.
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE: Moodle's deleted account, renamed",
		[]string{"kim.lee@uni.example.deleted." + id + " | 1 | 1"}, `SELECT username, deleted, suspended FROM mdl_user WHERE id = ?`, id)
	s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
	s.Must(http.StatusNotFound, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "True"}`))
	s.Must(http.StatusNotFound, "DELETE", "/Users/"+id, "")
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.lee@uni.example"`), ""), 0)
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/cohort-1", "")); slices.Contains(got, id) {
		t.Errorf("the deleted user is still listed in All staff: %v", got)
	}
	// Provisioned again, Kim gets a new account.
	again := s.Must(http.StatusCreated, "POST", "/Users", `{"userName": "kim.lee@uni.example", "name": {"givenName": "Kim", "familyName": "Lee"}, "active": true}`)
	if again["id"] == id {
		t.Errorf("re-created with the deleted id %s", id)
	}
	s.CheckRows("two rows for Kim: the deleted one and the new one", []string{"2"}, `SELECT COUNT(*) FROM mdl_user WHERE username LIKE 'kim.lee@uni.example%'`)
}
