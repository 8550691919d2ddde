package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// pointerSchema has a primary address named by a nullable char(36) column
// of the users table, child keys generated as UUIDs, and column names the
// two tables share (id, address, created), which the join that computes the
// primary flag must keep apart.
const pointerSchema = `
CREATE TABLE accounts (
  id char(36) NOT NULL,
  login varchar(60) NOT NULL,
  address varchar(200) DEFAULT NULL,
  created datetime DEFAULT NULL,
  main_mail char(36) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY login (login)
);
CREATE TABLE mails (
  id char(36) NOT NULL,
  account_id char(36) NOT NULL,
  address varchar(200) NOT NULL,
  kind varchar(10) DEFAULT NULL,
  created datetime NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY address (address),
  KEY account_id (account_id)
);
INSERT INTO accounts VALUES ('a1', 'ann', 'Postal 1', NULL, 'm2'), ('a2', 'ben', NULL, NULL, NULL);
INSERT INTO mails VALUES ('m1', 'a1', 'ann@home.test', 'home', NOW()), ('m2', 'a1', 'ann@work.test', 'work', NOW());
`

const pointerMapping = `
User:
  table: accounts
  id: {column: id, generate: uuid}
  attributes:
    userName: login
    displayName: address
    emails:
      child:
        table: mails
        parent: account_id
        value: address
        type: kind
        primaryRef: {column: main_mail}
        defaults:
          id: {generate: uuid}
          created: {generate: now}
  delete: hard
`

// TestPointerUUIDKeys: child.primaryRef with generated character keys and a
// nullable pointer: reads, filters and sorting follow the pointer; writes
// point it at the new key of the primary row, move it when the primary
// goes, and clear it to NULL with the last address.
func TestPointerUUIDKeys(t *testing.T) {
	s := newSidecarText(t, pointerSchema, pointerMapping)
	primary := func(id string) string {
		return s.joinMembers("SELECT m.address FROM accounts a JOIN mails m ON m.id = a.main_mail WHERE a.id = ?", id)
	}

	r := s.do("GET", "/scim/v2/Users/a1", nil)
	em, _ := r.Body["emails"].([]any)
	if r.Status != 200 || len(em) != 2 || em[0].(map[string]any)["value"] != "ann@work.test" || em[0].(map[string]any)["primary"] != true || em[1].(map[string]any)["primary"] != nil {
		t.Errorf("GET a1: %d %v (want the pointed row first and primary)", r.Status, r.Body["emails"])
	}
	for f, want := range map[string]string{
		`emails[primary eq true].value eq "ann@work.test"`: "ann",
		`emails[primary eq true].value eq "ann@home.test"`: "",
		`emails[type eq "home"].value pr`:                  "ann",
	} {
		if got, _ := s.listUsers(f); strings.Join(got, ",") != want {
			t.Errorf("%s: %v, want %q", f, got, want)
		}
	}
	if r := s.do("GET", "/scim/v2/Users?sortBy=emails&filter="+url.QueryEscape(`userName pr`), nil); r.Status != 200 {
		t.Errorf("sort by emails: %d %s", r.Status, r.Raw)
	}

	r = s.do("POST", "/scim/v2/Users", `{"userName":"cy","emails":[{"value":"cy@a.test","type":"home"},{"value":"cy@b.test","type":"work","primary":true}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.Body["id"].(string)
	if got := primary(id); got != "cy@b.test" {
		t.Errorf("after create the pointer names %q, want cy@b.test", got)
	}
	if n := s.count("SELECT COUNT(*) FROM mails WHERE account_id = ? AND CHAR_LENGTH(id) = 36", id); n != 2 {
		t.Errorf("%d rows with generated keys, want 2", n)
	}

	// The primary removed: the pointer moves to the one left.
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[value eq \"cy@b.test\"]"}]}`
	if r := s.do("PATCH", "/scim/v2/Users/"+id, patch); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if got := primary(id); got != "cy@a.test" {
		t.Errorf("after removing the primary the pointer names %q, want cy@a.test", got)
	}
	// The last one removed: NULL, the nullable column's none.
	patch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails"}]}`
	if r := s.do("PATCH", "/scim/v2/Users/"+id, patch); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM accounts WHERE id = ? AND main_mail IS NULL", id); n != 1 {
		t.Errorf("main_mail not NULL with no address left")
	}
	// A clash with another user's address writes nothing, pointer included.
	r = s.do("PUT", "/scim/v2/Users/a2", `{"userName":"ben","emails":[{"value":"ann@home.test","primary":true}]}`)
	if r.Status != http.StatusConflict {
		t.Errorf("duplicate address: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM accounts WHERE id = 'a2' AND main_mail IS NULL"); n != 1 {
		t.Errorf("a refused write moved ben's pointer")
	}
	if got := primary("a1"); got != "ann@work.test" {
		t.Errorf("ann's pointer %q", got)
	}
}
