package phpbb_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The people schema.sql creates, by phpbb_users.user_id. Anonymous (1)
// and the bots (3 to 6) are user_type 2 and no SCIM Users.
const (
	founder = "2"  // admin, user_type 3
	jane    = "58" // Jane Doe, leader of Beta Testers
	john    = "59" // john_smith, a pending applicant to Beta Testers
	ian     = "60" // ian.inactive, registered but never activated
	adsbot  = "3"
)

// beta is the one group of the board that is not special: Beta Testers,
// an open group (group_type 0).
const beta = "g-8"

// account shows the phpbb_users columns of one person that provisioning
// writes, and those phpBB needs set for an account.
const account = `SELECT username, username_clean, user_email, user_type, group_id, user_timezone,
	user_lang, user_style, user_new, user_permissions, user_sig, user_password, user_email_hash,
	user_inactive_reason, user_dateformat, user_options, user_full_folder FROM phpbb_users WHERE user_id = ?`

// newAccount is what account reads for a user created just now, from its
// username to its time zone; the rest as user_add() writes it, with no
// password and no e-mail hash (see README.md).
func newAccount(username, clean, email, tz string) string {
	return username + " | " + clean + " | " + email + " | 0 | 2 | " + tz + " | en | 1 | 0 |  |  |  | 0 | 0 | d M Y H:i | 230271 | -3"
}

// members lists a group's phpbb_user_group rows, memberships or not: user
// id, group_leader, user_pending.
const members = `SELECT user_id, group_leader, user_pending FROM phpbb_user_group WHERE group_id = ? ORDER BY user_id, user_pending`

// seedMemberships is every phpbb_user_group row schema.sql creates for
// the special groups (1 to 7), which nothing may touch; specialMemberships
// reads them.
var seedMemberships = []string{
	"1 | 1 | 0 | 0", "2 | 2 | 0 | 0", "2 | 58 | 0 | 0", "2 | 59 | 0 | 0", "2 | 60 | 0 | 0",
	"4 | 2 | 0 | 0", "5 | 2 | 1 | 0",
	"6 | 3 | 0 | 0", "6 | 4 | 0 | 0", "6 | 5 | 0 | 0", "6 | 6 | 0 | 0",
	"7 | 59 | 0 | 0", "7 | 60 | 0 | 0",
}

const specialMemberships = `SELECT group_id, user_id, group_leader, user_pending FROM phpbb_user_group
	WHERE group_id < 8 ORDER BY group_id, user_id`

// systemUsers shows phpBB's own accounts, Anonymous, the founder and the
// bots, as schema.sql creates them; specialGroups the special groups.
const systemUsers = `SELECT user_id, user_type, username, username_clean, user_email FROM phpbb_users
	WHERE user_id < 58 ORDER BY user_id`

var seedSystemUsers = []string{
	"1 | 2 | Anonymous | anonymous | ",
	"2 | 3 | admin | admin | admin@example.com",
	"3 | 2 | AdsBot [Google] | adsbot [google] | ",
	"4 | 2 | Ahrefs [Bot] | ahrefs [bot] | ",
	"5 | 2 | Alexa [Bot] | alexa [bot] | ",
	"6 | 2 | Alta Vista [Bot] | alta vista [bot] | ",
}

const specialGroups = `SELECT group_id, group_type, group_name FROM phpbb_groups WHERE group_id < 8 ORDER BY group_id`

var seedSpecialGroups = []string{
	"1 | 3 | GUESTS", "2 | 3 | REGISTERED", "3 | 3 | REGISTERED_COPPA", "4 | 3 | GLOBAL_MODERATORS",
	"5 | 3 | ADMINISTRATORS", "6 | 3 | BOTS", "7 | 3 | NEWLY_REGISTERED",
}

// checkSystemRows checks that phpBB's own rows are as schema.sql made them.
func checkSystemRows(s *exampletest.Sidecar, step string) {
	s.CheckRows(step+": Anonymous, the founder and the bots untouched", seedSystemUsers, systemUsers)
	s.CheckRows(step+": the special groups untouched", seedSpecialGroups, specialGroups)
	s.CheckRows(step+": the special groups' members untouched", seedMemberships, specialMemberships)
}

// unixTimes reads integer columns of a row, checking that they are Unix
// times within the last minute.
func unixTimes(t *testing.T, s *exampletest.Sidecar, step, query string, args ...any) []int64 {
	t.Helper()
	var out []int64
	now := time.Now().Unix()
	for _, f := range strings.Split(s.Value(query, args...), " | ") {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n < now-60 || n > now+1 {
			t.Errorf("%s: %q, want a Unix time of the last minute", step, f)
		}
		out = append(out, n)
	}
	return out
}

// TestOktaLifecycle replays what Okta's SCIM 2.0 app sends for a person
// assigned to phpBB: the lookup by userName, the create, a profile push
// (PUT), a deactivation and its end, and the group push of a usergroup.
// After every step it checks phpbb_users and phpbb_user_group.
func TestOktaLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	lookup := `/Users?` + exampletest.Filter(`userName eq "Jane Roe"`) + `&startIndex=1&count=100`
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName": "Jane Roe",
		"name": {"givenName": "Jane", "familyName": "Roe"},
		"emails": [{"primary": true, "value": "Jane.Roe@Example.com", "type": "work"}],
		"displayName": "Jane Roe",
		"locale": "en-US",
		"timezone": "Europe/Berlin",
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"groups": [],
		"password": "never-stored-2024",
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "EMP-2001", "department": "Support"}}`)
	id, _ := created["id"].(string)
	if created["userName"] != "Jane Roe" || created["active"] != true {
		t.Errorf("POST /Users: %v", created)
	}
	s.CheckRows("POST /Users: a member of the board as user_add() makes one",
		[]string{newAccount("Jane Roe", "jane roe", "jane.roe@example.com", "Europe/Berlin")}, account, id)
	times := unixTimes(t, s, "POST /Users: user_regdate, user_passchg, user_lastmark",
		`SELECT user_regdate, user_passchg, user_lastmark FROM phpbb_users WHERE user_id = ?`, id)
	if len(times) == 3 && (times[0] != times[1] || times[0] != times[2]) {
		t.Errorf("POST /Users: user_regdate, user_passchg, user_lastmark %v; want one time", times)
	}
	if meta, _ := created["meta"].(map[string]any); len(times) > 0 && meta["created"] != time.Unix(times[0], 0).UTC().Format(time.RFC3339) {
		t.Errorf("POST /Users: meta.created %v, user_regdate %d", meta["created"], times[0])
	}
	// scimbridge writes no phpbb_user_group row for the default group
	// (user_add() does): see README.md.
	s.CheckRows("POST /Users: no membership rows", []string{"0"}, `SELECT COUNT(*) FROM phpbb_user_group WHERE user_id = ?`, id)
	// The lookup now finds her, in any case, as Okta compares userName.
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 1); got[0]["id"] != id {
		t.Errorf("lookup after create: %v", got)
	}
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "JANE ROE"`), ""), 1); got[0]["id"] != id {
		t.Errorf("lookup in capitals: %v", got)
	}
	// The same name in another case is taken (username_clean's unique
	// index), and so are the names of Anonymous and the bots, though no
	// SCIM User has them.
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "jane ROE", "emails": [{"value": "other@example.com"}]}`)
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "JANE DOE"}`)
	if r := s.Do("POST", "/Users", `{"userName": "anonymous"}`); r.Status != http.StatusConflict || !strings.Contains(r.Raw, "outside the mapping's scope") {
		t.Errorf("POST Anonymous's name: %d %s, want 409 naming an account outside the scope", r.Status, r.Raw)
	}
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "AdsBot [Google]"}`)
	s.CheckRows("conflicts: nothing created", []string{id + " | 4"}, `SELECT MAX(user_id), COUNT(*) FROM phpbb_users WHERE user_id >= 58`)
	checkSystemRows(s, "conflicts")

	// A profile push: Okta sends the whole user, here without a time zone.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "Jane Roe",
		"name": {"givenName": "Jane", "familyName": "Roe-Smith"},
		"emails": [{"primary": true, "value": "jane.roe-smith@example.com", "type": "work"}],
		"active": true}`)
	s.CheckRows("PUT: the new address; the time zone back to the column's default",
		[]string{newAccount("Jane Roe", "jane roe", "jane.roe-smith@example.com", "")}, account, id)
	if len(times) == 3 {
		s.CheckRows("PUT: the registration and password times kept", []string{strconv.FormatInt(times[0], 10) + " | " + strconv.FormatInt(times[1], 10)},
			`SELECT user_regdate, user_passchg FROM phpbb_users WHERE user_id = ?`, id)
	}

	// Okta deactivates: user_type 1, USER_INACTIVE, which phpBB does not
	// let sign in; reactivated, 0 again.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	// The hooks write what user_active_flip() does beside user_type: the
	// reason (3, by an administrator) and the time.
	s.CheckRows("deactivate", []string{"1 | 3 | 1"}, `SELECT user_type, user_inactive_reason, user_inactive_time > UNIX_TIMESTAMP() - 60 FROM phpbb_users WHERE user_id = ?`, id)
	if u := s.Must(http.StatusOK, "GET", "/Users/"+id, ""); u["active"] != false {
		t.Errorf("deactivated user reads active %v", u["active"])
	}
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": true}}`))
	s.CheckRows("reactivate", []string{"0 | 0 | 0"}, `SELECT user_type, user_inactive_reason, user_inactive_time FROM phpbb_users WHERE user_id = ?`, id)

	// The board's members are matched, not created again: the founder and
	// normal members read active, the account never activated inactive.
	for _, m := range []struct {
		filter, id string
		active     bool
	}{
		{`userName eq "admin"`, founder, true},
		{`userName eq "jane doe"`, jane, true},
		{`userName eq "John_Smith"`, john, true},
		{`userName eq "ian.inactive"`, ian, false},
	} {
		got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(m.filter), ""), 1)
		if got[0]["id"] != m.id || got[0]["active"] != m.active {
			t.Errorf("%s: %v, want id %s, active %v", m.filter, got[0], m.id, m.active)
		}
	}
	// Okta pushes the founder's profile with active true: the founder
	// stays the founder (3), not a normal user (0).
	s.Must(http.StatusOK, "PATCH", "/Users/"+founder, exampletest.Patch(`{"op": "replace", "value": {"active": true, "emails": [{"value": "admin@example.com", "primary": true}]}}`))
	s.CheckRows("founder: still user_type 3", []string{"3 | admin@example.com"}, `SELECT user_type, user_email FROM phpbb_users WHERE user_id = ?`, founder)

	// Anonymous and the bots are not SCIM Users.
	for _, name := range []string{"Anonymous", "AdsBot [Google]", "alexa [bot]"} {
		exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "`+name+`"`), ""), 0)
	}
	s.Must(http.StatusNotFound, "GET", "/Users/1", "")
	s.Must(http.StatusNotFound, "GET", "/Users/"+adsbot, "")
	s.Must(http.StatusNotFound, "PATCH", "/Users/"+adsbot, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	s.Must(http.StatusNotFound, "PUT", "/Users/1", `{"userName": "Anonymous", "active": false}`)
	list := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?count=100", ""), 5)
	var ids []string
	for _, u := range list {
		ids = append(ids, u["id"].(string))
	}
	if want := []string{founder, jane, john, ian, id}; !slices.Equal(ids, want) {
		t.Errorf("GET /Users: ids %v, want %v", ids, want)
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`active eq false`), ""), 1)
	checkSystemRows(s, "users")

	// Push Groups: the special groups are not SCIM Groups...
	for _, name := range []string{"REGISTERED", "ADMINISTRATORS", "bots"} {
		exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "`+name+`"`), ""), 0)
	}
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups", ""), 1); got[0]["id"] != beta {
		t.Errorf("GET /Groups: %v", got)
	}
	s.Must(http.StatusNotFound, "GET", "/Groups/g-2", "")
	s.Must(http.StatusNotFound, "PATCH", "/Groups/g-5", exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.Must(http.StatusNotFound, "DELETE", "/Groups/g-6", "")

	// phpBB has cached some permissions: each membership change clears
	// the member's cache (a hook), and no one else's.
	cache := `SELECT user_id, user_permissions FROM phpbb_users WHERE user_id IN (?, ?, ?) ORDER BY user_id`
	if _, err := s.DB.Exec(`UPDATE phpbb_users SET user_permissions = 'cached' WHERE user_id IN (?, ?, ?)`, founder, jane, john); err != nil {
		t.Fatal(err)
	}

	// ...so Okta creates its own: a new group with two members, a member
	// added and one removed, a rename, and the delete.
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`displayName eq "Support Team"`), ""), 0)
	group := s.Must(http.StatusCreated, "POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Support Team",
		"members": [{"value": "`+id+`", "display": "Jane Roe"}, {"value": "`+jane+`", "display": "Jane Doe"}]}`)
	gid, _ := group["id"].(string)
	key, ok := strings.CutPrefix(gid, "g-")
	if !ok {
		t.Fatalf("group id %q, want the prefix g-", gid)
	}
	s.CheckRows("POST /Groups: a closed usergroup", []string{"Support Team | 1 |  | 7 | 0 | 0 | 0 | "},
		`SELECT group_name, group_type, group_desc, group_desc_options, group_founder_manage, group_legend, group_display, group_colour FROM phpbb_groups WHERE group_id = ?`, key)
	s.CheckRows("POST /Groups: its members, approved, not leaders", []string{jane + " | 0 | 0", id + " | 0 | 0"}, members, key)
	s.CheckRows("POST /Groups: jane's permissions cache cleared", []string{founder + " | cached", jane + " | ", john + " | cached"}, cache, founder, jane, john)
	if got := exampletest.Members(t, group); !slices.Equal(got, []string{jane, id}) {
		t.Errorf("POST /Groups: members %v", got)
	}
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "add", "path": "members", "value": [{"value": "`+john+`", "display": "john_smith"}]}`))
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "remove", "path": "members[value eq \"`+jane+`\"]"}`))
	s.CheckRows("PATCH members", []string{john + " | 0 | 0", id + " | 0 | 0"}, members, key)
	s.CheckRows("PATCH members: john's permissions cache cleared", []string{founder + " | cached", jane + " | ", john + " | "}, cache, founder, jane, john)
	// Anonymous and the bots cannot be members.
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+gid, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+adsbot+`"}]}`))
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+gid, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "1"}]}`))
	s.CheckRows("PATCH with a bot: nothing added", []string{john + " | 0 | 0", id + " | 0 | 0"}, members, key)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+gid, exampletest.Patch(
		`{"op": "replace", "value": {"id": "`+gid+`", "displayName": "Customer Support"}}`))
	s.CheckRows("rename", []string{"Customer Support"}, `SELECT group_name FROM phpbb_groups WHERE group_id = ?`, key)
	// A name the board already has is taken, in any case.
	s.Must(http.StatusConflict, "POST", "/Groups", `{"displayName": "beta testers"}`)
	// The user shows the group.
	roe := s.Must(http.StatusOK, "GET", "/Users/"+id, "")
	if groups, _ := roe["groups"].([]any); len(groups) != 1 || groups[0].(map[string]any)["value"] != gid {
		t.Errorf("Jane Roe's groups: %v", roe["groups"])
	}
	// A user's id is no group's, and the reverse.
	s.Must(http.StatusNotFound, "GET", "/Groups/"+key, "")
	s.Must(http.StatusNotFound, "GET", "/Users/"+gid, "")
	s.Must(http.StatusNoContent, "DELETE", "/Groups/"+gid, "")
	s.CheckRows("DELETE /Groups: the group and its members' rows are gone", []string{"0 | 0"},
		`SELECT (SELECT COUNT(*) FROM phpbb_groups WHERE group_id = ?), (SELECT COUNT(*) FROM phpbb_user_group WHERE group_id = ?)`, key, key)
	s.CheckRows("DELETE /Groups: Beta Testers' rows stay", []string{jane + " | 1 | 0", john + " | 0 | 1"}, members, 8)
	checkSystemRows(s, "groups")
}

// TestEntraLifecycle replays Microsoft Entra ID: the match by userName,
// the create, PATCH updates with capitalised ops and a filtered e-mail
// path, the deactivation with the string "False", member changes with
// value lists (among them a pending applicant's approval), and the delete
// of a user deleted in Entra, which phpBB's mapping refuses.
func TestEntraLifecycle(t *testing.T) {
	s := exampletest.Start(t, ".")
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.lee"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName": "kim.lee",
		"active": true,
		"displayName": "Kim Lee",
		"emails": [{"primary": true, "type": "work", "value": "Kim.Lee@contoso.example"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Library"},
		"roles": []}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST", []string{newAccount("kim.lee", "kim.lee", "kim.lee@contoso.example", "")}, account, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "Kim.Park@contoso.example"}`,
		`{"op": "Replace", "path": "userName", "value": "Kim Park"}`,
		`{"op": "Add", "path": "timezone", "value": "Asia/Seoul"}`))
	s.CheckRows("PATCH: the new name (and its clean copy), address and time zone",
		[]string{newAccount("Kim Park", "kim park", "kim.park@contoso.example", "Asia/Seoul")}, account, id)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim.lee"`), ""), 0)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "kim park"`), ""), 1)
	// Renaming onto a name the board has, in another case, is refused.
	s.Must(http.StatusConflict, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "userName", "value": "Jane doe"}`))
	s.CheckRows("PATCH onto a taken name: unchanged", []string{"Kim Park | kim park"}, `SELECT username, username_clean FROM phpbb_users WHERE user_id = ?`, id)

	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	s.CheckRows("disable", []string{"1"}, `SELECT user_type FROM phpbb_users WHERE user_id = ?`, id)

	// Groups: Entra matches a group by displayName with members excluded,
	// then removes and adds members with value lists.
	found := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?excludedAttributes=members&"+exampletest.Filter(`displayName eq "Beta Testers"`), ""), 1)
	if _, has := found[0]["members"]; has || found[0]["id"] != beta {
		t.Errorf("match of Beta Testers: %v", found[0])
	}
	// john_smith has applied and waits for the leader: no member.
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/"+beta, "")); !slices.Equal(got, []string{jane}) {
		t.Errorf("Beta Testers' members %v, want only Jane Doe", got)
	}
	if groups, _ := s.Must(http.StatusOK, "GET", "/Users/"+john, "")["groups"].([]any); len(groups) != 0 {
		t.Errorf("john_smith's groups: %v, want none", groups)
	}
	// Removing him removes no membership, and leaves his application.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+beta, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"value": "`+john+`"}]}`))
	s.CheckRows("Remove of a pending applicant: his row stays", []string{jane + " | 1 | 0", john + " | 0 | 1"}, members, 8)
	// Adding him approves the application: the same row, now user_pending 0.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+beta, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}, {"value": "`+john+`"}]}`))
	s.CheckRows("Add: the applicant a member, no second row; Kim added", []string{jane + " | 1 | 0", john + " | 0 | 0", id + " | 0 | 0"}, members, 8)
	// Adding members already in changes nothing.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+beta, exampletest.Patch(
		`{"op": "Add", "path": "members", "value": [{"value": "`+john+`"}, {"value": "`+jane+`"}]}`))
	s.CheckRows("Add again: no duplicates", []string{jane + " | 1 | 0", john + " | 0 | 0", id + " | 0 | 0"}, members, 8)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+beta, exampletest.Patch(
		`{"op": "Remove", "path": "members", "value": [{"value": "`+jane+`"}]}`))
	s.CheckRows("Remove the leader", []string{john + " | 0 | 0", id + " | 0 | 0"}, members, 8)
	if got := exampletest.Members(t, s.Must(http.StatusOK, "GET", "/Groups/"+beta, "")); !slices.Equal(got, []string{john, id}) {
		t.Errorf("Beta Testers' members %v", got)
	}
	// A bot cannot be a member, nor Anonymous.
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+beta, exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "`+adsbot+`"}]}`))
	s.Must(http.StatusBadRequest, "PATCH", "/Groups/"+beta, exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "1"}]}`))
	s.CheckRows("Add of a bot: nothing changed", []string{john + " | 0 | 0", id + " | 0 | 0"}, members, 8)
	checkSystemRows(s, "groups")

	// The user is deleted in Entra: phpBB's mapping refuses (405), and the
	// account stays as it was, deactivated, with its memberships.
	s.Must(http.StatusMethodNotAllowed, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE: refused, the row as it was", []string{"Kim Park | 1"}, `SELECT username, user_type FROM phpbb_users WHERE user_id = ?`, id)
	s.CheckRows("DELETE: memberships as they were", []string{"8"}, `SELECT group_id FROM phpbb_user_group WHERE user_id = ?`, id)
	if u := s.Must(http.StatusOK, "GET", "/Users/"+id, ""); u["active"] != false {
		t.Errorf("after DELETE: active %v", u["active"])
	}
}

// TestUsernames shows what the lower-cased username_clean can and cannot
// be for phpBB, whose utf8_clean_string() also folds ß to ss, maps
// look-alike characters and collapses spaces (see README.md).
func TestUsernames(t *testing.T) {
	s := exampletest.Start(t, ".")
	clean := `SELECT username, username_clean FROM phpbb_users WHERE user_id = ?`
	zoe := s.Must(http.StatusCreated, "POST", "/Users", `{"userName": "Zoë Quinn"}`)
	s.CheckRows("accented letters: the clean copy phpBB would write", []string{"Zoë Quinn | zoë quinn"}, clean, zoe["id"])
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "ZOË QUINN"}`)
	// phpBB folds ß to ss; lower case keeps it, so the two names are
	// two accounts here, and phpBB's sign-in by name, which looks up
	// "strasse", does not find the first.
	first := s.Must(http.StatusCreated, "POST", "/Users", `{"userName": "Straße"}`)
	second := s.Must(http.StatusCreated, "POST", "/Users", `{"userName": "STRASSE"}`)
	s.CheckRows("ß: lower case, not phpBB's case folding", []string{"Straße | straße"}, clean, first["id"])
	s.CheckRows("ss", []string{"STRASSE | strasse"}, clean, second["id"])
}

// TestFourByteCharacters shows that phpBB 3.3's utf8mb3 columns refuse
// characters beyond the BMP, and that the create then writes nothing.
func TestFourByteCharacters(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "go-mysql-server stores 4-byte characters in utf8mb3 columns (and then cannot read them)")
	s := exampletest.Start(t, ".")
	r := s.Do("POST", "/Users", `{"userName": "Emoji \ud83d\ude00 Fan"}`)
	if r.Status != http.StatusBadRequest {
		t.Errorf("POST with an emoji: %d, want 400\n%s", r.Status, r.Raw)
	}
	s.CheckRows("emoji: nothing written", []string{"0"}, `SELECT COUNT(*) FROM phpbb_users WHERE user_id > 60`)
}
