package scim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
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
	// The same e-mails again (an IdP's routine PUT): nothing is written.
	if r := s.do("PUT", "/scim/v2/Users/"+id, `{"userName":"nia","emails":[{"value":"nia@new.test","primary":true}]}`); r.Status != 200 {
		t.Fatalf("second put: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM email_addr_bean_rel WHERE bean_id = ?", id); n != 3 {
		t.Errorf("%d links after an unchanged PUT, want 3", n)
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

// TestUniqueAmongLiveRecreates: with delete.uniqueAmong: live, a deleted
// user's userName may be given to a new user (SuiteCRM counts only users
// with deleted = 0); without it, creating the name again is a 409 that
// says a deleted user holds it. A live user's name is refused either way.
func TestUniqueAmongLiveRecreates(t *testing.T) {
	mapping, err := os.ReadFile("testdata/link_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("testdata/link_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, live := range []bool{true, false} {
		t.Run(fmt.Sprintf("live=%v", live), func(t *testing.T) {
			m := string(mapping)
			if !live {
				m = strings.Replace(m, "uniqueAmong: live", "", 1)
			}
			s := newSidecarText(t, string(schema), m)
			r := s.do("POST", "/scim/v2/Users", `{"userName":"Nia"}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.Status, r.Raw)
			}
			if r := s.do("DELETE", "/scim/v2/Users/"+r.Body["id"].(string), nil); r.Status != http.StatusNoContent {
				t.Fatalf("delete: %d %s", r.Status, r.Raw)
			}
			r = s.do("POST", "/scim/v2/Users", `{"userName":"nia"}`)
			if !live {
				if r.Status != http.StatusConflict || !strings.Contains(r.Raw, "deleted") {
					t.Fatalf("re-create without uniqueAmong: %d %s, want a 409 naming the deleted user", r.Status, r.Raw)
				}
				return
			}
			if r.Status != http.StatusCreated {
				t.Fatalf("re-create: %d %s", r.Status, r.Raw)
			}
			if n := s.count("SELECT COUNT(*) FROM users WHERE LOWER(user_name) = 'nia'"); n != 2 {
				t.Errorf("%d rows named nia, want the deleted and the new one", n)
			}
			if r := s.do("POST", "/scim/v2/Users", `{"userName":"NIA"}`); r.Status != http.StatusConflict {
				t.Errorf("create of a live user's name: %d %s", r.Status, r.Raw)
			}
			if r := s.do("PATCH", "/scim/v2/Users/seed-max", patchBody(`{"op":"replace","path":"userName","value":"nia"}`)); r.Status != http.StatusConflict {
				t.Errorf("rename to a live user's name: %d %s", r.Status, r.Raw)
			}
		})
	}
}

// TestConcurrentCreatesDeletedUserName creates, 16 times at once, the
// userName of a deleted user under uniqueAmong: live, through one and two
// replicas: the deleted row does not count, but the names are still
// locked by value, so exactly one create succeeds and one live row holds
// the name.
func TestConcurrentCreatesDeletedUserName(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, concurrencySkip)
	forReplicas(t, "testdata/link_schema.sql", "testdata/link_mapping.yaml", func(t *testing.T, s []*sidecar) {
		r := s[0].do("POST", "/scim/v2/Users", `{"userName":"dup"}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Raw)
		}
		if r := s[0].do("DELETE", "/scim/v2/Users/"+r.Body["id"].(string), nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		const n = 16
		codes := make([]int, n)
		hammer(n, func(i int) {
			name := []string{"dup", "DUP", "Dup"}[i%3]
			codes[i] = s[i%len(s)].do("POST", "/scim/v2/Users", `{"userName":"`+name+`","emails":[{"value":"d@x.test"}]}`).Status
		})
		slices.Sort(codes)
		if codes[0] != 201 || codes[1] != 409 || codes[n-1] != 409 {
			t.Errorf("codes %v: want one 201 and %d 409", codes, n-1)
		}
		if got := s[0].count("SELECT COUNT(*) FROM users WHERE LOWER(user_name) = 'dup' AND deleted = 0"); got != 1 {
			t.Errorf("%d live rows for the userName, want 1", got)
		}
		if got := s[0].count("SELECT COUNT(*) FROM email_addr_bean_rel WHERE deleted = 0 AND bean_id IN (SELECT id FROM users WHERE LOWER(user_name) = 'dup')"); got != 1 {
			t.Errorf("%d live links, want the one of the created user", got)
		}
	})
}

// TestLinkedEmailsHardDelete: a hard delete removes the user's links (here
// marked, as the link says), never the address rows or other modules'
// links.
func TestLinkedEmailsHardDelete(t *testing.T) {
	mapping, err := os.ReadFile("testdata/link_mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("testdata/link_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	m := strings.Replace(string(mapping), "  delete:\n    mark: {column: deleted, value: 1}\n", "  delete: hard\n", 1)
	m = strings.Replace(m, "    uniqueAmong: live\n", "", 1)
	s := newSidecarText(t, string(schema), m)
	if r := s.do("DELETE", "/scim/v2/Users/seed-max", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM users WHERE id = 'seed-max'"); n != 0 {
		t.Errorf("user row kept by a hard delete")
	}
	if got := s.joinMembers("SELECT CONCAT(id, '/', deleted) FROM email_addr_bean_rel WHERE bean_id = ?", "seed-max"); got != "r-2/1,r-3/1,r-4/0" {
		t.Errorf("links after the delete: %s, want the Users links marked and the Accounts link as it was", got)
	}
	if n := s.count("SELECT COUNT(*) FROM email_addresses"); n != 4 {
		t.Errorf("%d address rows, want all 4 kept", n)
	}
}
