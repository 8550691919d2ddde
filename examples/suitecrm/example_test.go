package suitecrm_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/examples/internal/exampletest"
)

// The rows schema.sql creates.
const (
	sally = "a1b2c3d4-0000-4000-8000-000000000002"
	sales = "5e000000-0000-4000-8000-000000000001"
)

// account shows the users columns of one person that provisioning writes
// and those SuiteCRM reads to let the account sign in.
const account = `SELECT user_name, first_name, last_name, title, department, phone_work, status, deleted,
	is_group, portal_only, is_admin, sugar_login, employee_status, user_hash IS NULL FROM users WHERE id = ?`

// emails lists a user's links with their addresses, as SuiteCRM's
// SugarEmailAddress reads them (deleted links included, last column).
const emails = `SELECT a.email_address, a.email_address_caps, l.bean_module, l.primary_address, l.deleted
	FROM email_addr_bean_rel l JOIN email_addresses a ON a.id = l.email_address_id
	WHERE l.bean_id = ? ORDER BY l.deleted, l.primary_address DESC, a.email_address`

// members lists a security group's members by user_name, with the
// membership's deleted flag.
const members = `SELECT u.user_name, m.deleted FROM securitygroups_users m JOIN users u ON u.id = m.user_id
	WHERE m.securitygroup_id = ? ORDER BY u.user_name, m.deleted`

// others are the rows no request may change: the administrator, the
// group user, the contact's link to Sally's address.
const others = `SELECT id, user_name, status, deleted, is_group FROM users WHERE id IN ('1', 'a1b2c3d4-0000-4000-8000-000000000001')
	UNION ALL SELECT id, bean_module, primary_address, deleted, '' FROM email_addr_bean_rel WHERE bean_module <> 'Users' ORDER BY 1`

func start(t *testing.T) (*exampletest.Sidecar, []string) {
	s := exampletest.Start(t, ".")
	return s, s.Rows(others)
}

// TestOktaLifecycle replays what Okta's SCIM 2.0 app sends for a person
// assigned to SuiteCRM: the lookup, the create, a profile push (PUT) with a
// new address, a deactivation, Push Groups adding and removing her, and
// the delete; then the person is assigned again under the same name.
func TestOktaLifecycle(t *testing.T) {
	s, before := start(t)
	lookup := `/Users?` + exampletest.Filter(`userName eq "jane.roe@example.com"`) + `&startIndex=1&count=100`
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 0)

	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "jane.roe@example.com",
		"name": {"givenName": "Jane", "familyName": "Roe"},
		"emails": [{"primary": true, "value": "jane.roe@example.com", "type": "work"}],
		"title": "Account Executive",
		"phoneNumbers": [{"value": "+44 20 7946 0000", "type": "work"}],
		"externalId": "00u1ab2cd3EFgh4ij5k6",
		"password": "never-stored-2024",
		"active": true}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Users: an active user as SuiteCRM makes one, without a password",
		[]string{"jane.roe@example.com | Jane | Roe | Account Executive | NULL | +44 20 7946 0000 | Active | 0 | 0 | 0 | 0 | 1 | Active | 1"}, account, id)
	s.CheckRows("POST /Users: her address and its link to the module Users",
		[]string{"jane.roe@example.com | JANE.ROE@EXAMPLE.COM | Users | 1 | 0"}, emails, id)
	s.CheckRows("POST /Users: generated char(36) keys and stamps on both rows", []string{"1 | 1"},
		`SELECT COUNT(*), SUM(LENGTH(l.id) = 36 AND LENGTH(a.id) = 36 AND l.date_created IS NOT NULL AND a.date_created IS NOT NULL)
		FROM email_addr_bean_rel l JOIN email_addresses a ON a.id = l.email_address_id WHERE l.bean_id = ?`, id)
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", lookup, ""), 1); got[0]["id"] != id {
		t.Errorf("lookup after create: %v", got)
	}
	s.Must(http.StatusConflict, "POST", "/Users", `{"userName": "JANE.ROE@example.com"}`)

	// A profile push with a new address: the old link is marked deleted,
	// the old address row stays for SuiteCRM.
	s.Must(http.StatusOK, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "jane.roe@example.com",
		"name": {"givenName": "Jane", "familyName": "Roe-Smith"},
		"emails": [{"primary": true, "value": "jane.roe-smith@example.com", "type": "work"}],
		"title": "Account Executive",
		"active": true}`)
	s.CheckRows("PUT: the new address linked, the old link marked deleted", []string{
		"jane.roe-smith@example.com | JANE.ROE-SMITH@EXAMPLE.COM | Users | 1 | 0",
		"jane.roe@example.com | JANE.ROE@EXAMPLE.COM | Users | 1 | 1",
	}, emails, id)
	if got := exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`emails.value eq "jane.roe@example.com"`), ""), 0); len(got) != 0 {
		t.Errorf("a marked link still found: %v", got)
	}
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`emails.value eq "JANE.ROE-SMITH@example.com"`), ""), 1)

	// Push Groups: she joins and leaves Sales EMEA; SuiteCRM keeps the
	// membership row, marked deleted.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+sales, exampletest.Patch(`{"op": "add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.CheckRows("Push Groups: added", []string{"jane.roe@example.com | 0", "sally | 0"}, members, sales)
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+sales, exampletest.Patch(`{"op": "remove", "path": "members[value eq \"`+id+`\"]"}`))
	s.CheckRows("Push Groups: removed, the row marked", []string{"jane.roe@example.com | 1", "sally | 0"}, members, sales)

	// Deactivation: status Inactive; nothing else changes.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "replace", "value": {"active": false}}`))
	if got := s.Value(`SELECT status FROM users WHERE id = ?`, id); got != "Inactive" {
		t.Errorf("deactivated: status %s", got)
	}

	// Unassigned and deleted in Okta: the user and her links are marked.
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.Must(http.StatusNotFound, "GET", "/Users/"+id, "")
	s.CheckRows("DELETE: the user marked deleted", []string{"1"}, `SELECT deleted FROM users WHERE id = ?`, id)
	s.CheckRows("DELETE: every link marked deleted", []string{"0"}, `SELECT COUNT(*) FROM email_addr_bean_rel WHERE bean_id = ? AND deleted = 0`, id)

	// Assigned again: SuiteCRM counts only users not deleted, so the name
	// is free, and a second row holds it.
	again := s.Must(http.StatusCreated, "POST", "/Users", `{"userName": "jane.roe@example.com", "name": {"givenName": "Jane", "familyName": "Roe"},
		"emails": [{"primary": true, "value": "jane.roe@example.com", "type": "work"}], "active": true}`)
	if again["id"] == id {
		t.Errorf("re-created under the deleted user's id")
	}
	s.CheckRows("re-created: one live row, one deleted", []string{"0", "1"}, `SELECT deleted FROM users WHERE user_name = 'jane.roe@example.com' ORDER BY deleted`)
	s.CheckRows("others untouched", before, others)
}

// TestEntraLifecycle replays Microsoft Entra ID: the match by userName,
// the create with the work address, changes through filtered paths, the
// disable with the string "False", and the delete.
func TestEntraLifecycle(t *testing.T) {
	s, before := start(t)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "AdeleV@contoso.com"`), ""), 0)
	created := s.Must(http.StatusCreated, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "AdeleV",
		"userName": "AdeleV@contoso.com",
		"active": true,
		"emails": [{"primary": true, "type": "work", "value": "AdeleV@contoso.com"}],
		"name": {"familyName": "Vance", "givenName": "Adele"},
		"title": "Retail Manager",
		"phoneNumbers": [{"type": "work", "value": "+1 425 555 0109"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Retail"}}`)
	id, _ := created["id"].(string)
	s.CheckRows("POST /Users", []string{"AdeleV@contoso.com | Adele | Vance | Retail Manager | Retail | +1 425 555 0109 | Active | 0 | 0 | 0 | 0 | 1 | Active | 1"}, account, id)
	s.CheckRows("POST /Users: the work address", []string{"AdeleV@contoso.com | ADELEV@CONTOSO.COM | Users | 1 | 0"}, emails, id)

	// Entra changes the work address through a filtered path.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(
		`{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "Adele.Vance@contoso.com"}`,
		`{"op": "Replace", "path": "title", "value": "Store Manager"}`))
	s.CheckRows("PATCH emails[type eq work].value", []string{
		"Adele.Vance@contoso.com | ADELE.VANCE@CONTOSO.COM | Users | 1 | 0",
		"AdeleV@contoso.com | ADELEV@CONTOSO.COM | Users | 1 | 1",
	}, emails, id)
	got := s.Must(http.StatusOK, "GET", "/Users/"+id, "")
	if em, _ := got["emails"].([]any); len(em) != 1 || !strings.EqualFold(em[0].(map[string]any)["value"].(string), "adele.vance@contoso.com") {
		t.Errorf("emails after PATCH: %v", got["emails"])
	}

	// Entra adds her to Sales EMEA.
	s.Must(http.StatusNoContent, "PATCH", "/Groups/"+sales, exampletest.Patch(`{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}]}`))
	s.CheckRows("PATCH /Groups: added", []string{"AdeleV@contoso.com | 0", "sally | 0"}, members, sales)

	// Disabled, then deleted.
	s.Must(http.StatusOK, "PATCH", "/Users/"+id, exampletest.Patch(`{"op": "Replace", "path": "active", "value": "False"}`))
	if st := s.Value(`SELECT status FROM users WHERE id = ?`, id); st != "Inactive" {
		t.Errorf("disabled: status %s", st)
	}
	s.Must(http.StatusNoContent, "DELETE", "/Users/"+id, "")
	s.CheckRows("DELETE: user and links marked", []string{"1 | 0"},
		`SELECT u.deleted, (SELECT COUNT(*) FROM email_addr_bean_rel WHERE bean_id = u.id AND deleted = 0) FROM users u WHERE u.id = ?`, id)
	s.CheckRows("DELETE: her membership marked deleted, as SuiteCRM keeps it", []string{"AdeleV@contoso.com | 1", "sally | 0"}, members, sales)
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Groups?"+exampletest.Filter(`members.value eq "`+id+`"`), ""), 0)
	// Sally's address, which a contact links too, is hers still.
	got = s.Must(http.StatusOK, "GET", "/Users/"+sally, "")
	if em, _ := got["emails"].([]any); len(em) != 1 {
		t.Errorf("Sally's emails: %v", got["emails"])
	}
	// The group user is no SCIM User.
	exampletest.Resources(t, s.Must(http.StatusOK, "GET", "/Users?"+exampletest.Filter(`userName eq "support"`), ""), 0)
	s.CheckRows("others untouched", before, others)
}
