package scim_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// TestLinkedEmails: e-mail addresses in a table of their own, tied to
// users by SuiteCRM's polymorphic link table (bean_module names the
// owner's type, with its own primary and deleted flags). Reads, filters,
// writes and deletes go through the link; links of other modules and
// marked links are no e-mails of the user.
func TestLinkedEmails(t *testing.T) {
	s := newSidecar(t, "testdata/link_schema.sql", "testdata/link_mapping.yaml")
	// links lists a user's links as address/CAPS/primary/deleted.
	links := func(id string) string {
		return s.joinMembers("SELECT CONCAT(a.email_address, '/', a.email_address_caps, '/', l.primary_address, '/', l.deleted) FROM email_addr_bean_rel l JOIN email_addresses a ON a.id = l.email_address_id WHERE l.bean_id = ? AND l.bean_module = 'Users'", id)
	}

	// The seeded user: the marked link and the Accounts link are not his.
	r := s.do("GET", "/scim/v2/Users/seed-max", nil)
	if r.Status != 200 {
		t.Fatalf("get: %d %s", r.Status, r.Raw)
	}
	if em, _ := r.Body["emails"].([]any); len(em) != 1 || em[0].(map[string]any)["value"] != "max@example.com" || em[0].(map[string]any)["primary"] != true {
		t.Errorf("seeded emails: %v", r.Body["emails"])
	}

	r = s.do("POST", "/scim/v2/Users", `{"userName":"nia","name":{"givenName":"Nia"},"emails":[{"value":"nia@x.test","primary":true},{"value":"N@y.test"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	if got := links(id); got != "N@y.test/N@Y.TEST/0/0,nia@x.test/NIA@X.TEST/1/0" {
		t.Errorf("rows after create: %s", got)
	}
	for _, q := range []string{
		"SELECT l.id FROM email_addr_bean_rel l WHERE l.bean_id = ?",
		"SELECT a.id FROM email_addr_bean_rel l JOIN email_addresses a ON a.id = l.email_address_id WHERE l.bean_id = ?",
	} {
		for _, k := range strings.Split(s.joinMembers(q, id), ",") {
			if !uuidRE.MatchString(k) {
				t.Errorf("%s: key %q is no generated char(36) id", q, k)
			}
		}
	}
	if n := s.count("SELECT COUNT(*) FROM email_addr_bean_rel WHERE bean_id = ? AND (date_created IS NULL OR date_modified IS NULL)", id); n != 0 {
		t.Errorf("%d links without their defaults", n)
	}
	em := r.Body["emails"].([]any)
	if len(em) != 2 || em[0].(map[string]any)["value"] != "nia@x.test" || em[0].(map[string]any)["primary"] != true {
		t.Errorf("created emails (primary first): %v", em)
	}

	// Filters go through the link: only live links of Users count.
	for f, want := range map[string]string{
		`emails.value eq "nia@x.test"`:                "nia",
		`emails.value eq "n@y.test"`:                  "nia",
		`emails[primary eq true].value eq "n@y.test"`: "",
		`emails.value eq "max.old@example.com"`:       "", // a marked link
		`emails.value eq "acct@example.com"`:          "", // an Accounts link
		`emails.value ew "example.com"`:               "admin,max",
	} {
		if got, _ := s.listUsers(f); strings.Join(got, ",") != want {
			t.Errorf("%s: %v, want %q", f, got, want)
		}
	}
	r = s.do("GET", "/scim/v2/Users?sortBy=emails&filter="+url.QueryEscape(`userName pr`), nil)
	if r.Status != 200 {
		t.Errorf("sort by emails: %d %s", r.Status, r.Raw)
	}

	// PUT replacing the e-mails: the old links are marked, new ones added.
	r = s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"nia","emails":[{"value":"nia@new.test","primary":true}]}`)
	if r.Status != 200 {
		t.Fatalf("put: %d %s", r.Status, r.Raw)
	}
	if got := links(id); got != "N@y.test/N@Y.TEST/0/1,nia@new.test/NIA@NEW.TEST/1/0,nia@x.test/NIA@X.TEST/1/1" {
		t.Errorf("rows after PUT: %s", got)
	}
	if em := r.Body["emails"].([]any); len(em) != 1 || em[0].(map[string]any)["value"] != "nia@new.test" {
		t.Errorf("emails after PUT: %v", em)
	}
	// The Accounts link of the seeded user survives a replacement of
	// his e-mails.
	if r := s.do("PATCH", "/scim/v2/Users/seed-max", patchBody(`{"op":"replace","path":"emails","value":[{"value":"m@x.test"}]}`)); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM email_addr_bean_rel WHERE id = 'r-4' AND deleted = 0"); n != 1 {
		t.Errorf("the Accounts link was touched")
	}

	// DELETE: the user is marked, and so are its links.
	if r := s.do("DELETE", "/scim/v2/Users/"+id, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM users WHERE id = ? AND deleted = 1", id); n != 1 {
		t.Errorf("user row not marked deleted")
	}
	if n := s.count("SELECT COUNT(*) FROM email_addr_bean_rel WHERE bean_id = ? AND deleted = 0", id); n != 0 {
		t.Errorf("%d links of the deleted user left live", n)
	}
}
