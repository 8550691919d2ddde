package scim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The injection corpus: values that look like SQL, LIKE wildcards,
// escapes, control characters and awkward Unicode. Each must be stored
// and read back verbatim, or refused with a 4xx — never interpreted, never
// a 5xx, and never answered with SQL text or a stack trace.
var injectionValues = []string{
	`Robert'); DROP TABLE users;--`,
	`' OR '1'='1`,
	`" OR ""="`,
	`\' OR 1=1 -- `,
	`' UNION SELECT password_hash FROM users -- `,
	`1; SELECT SLEEP(5)`,
	`/*!50000 OR 1=1*/`,
	"`login`",
	`\`, `\\`, `a\'b`, `\0`, `\n`,
	`%`, `_`, `%%`, `a%b_c`, `[a-z]*`, `.*`, `%_%`,
	`?`, `??`, `$1`, `:name`, `%s%n%x`,
	`{{7*7}}`, `${jndi:ldap://x}`, `<script>alert(1)</script>`,
	"a\x00b", "\x00", "a\nb\r\tc", "\x1b[31mred",
	"😀", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓", "ａｌｉｃｅ", "\u202egnp.exe", "\ufeffbom", "ß", "İstanbul", "Σίσυφος", "\u2028\u2029",
}

// leaks lists what a response must never contain.
var leaks = []string{"SELECT ", "INSERT ", "UPDATE ", "DELETE ", "Error 1", "Error 2", "goroutine ", ".go:", "panic", "$2y$10$", "password_hash", "sql:"}

// checkNoLeak checks that a response to request is no 5xx, that an error
// is a SCIM error holding nothing from leaks that the request did not, and
// that no response holds a password hash.
func checkNoLeak(t *testing.T, request string, r response) {
	t.Helper()
	what := request
	if len(what) > 120 {
		what = what[:120] + "…"
	}
	if r.Status >= 500 {
		t.Errorf("%s: %d %s", what, r.Status, r.Raw)
	}
	for _, l := range leaks {
		if r.Status < 400 && l != "$2y$10$" {
			continue // a 2xx holds data, which may look like anything
		}
		if strings.Contains(r.Raw, l) && !strings.Contains(request, l) {
			t.Errorf("%s: the response holds %q: %s", what, l, r.Raw)
		}
	}
	if r.Status >= 400 {
		if s, _ := r.Body["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
			t.Errorf("%s: %d is not a SCIM error: %s", what, r.Status, r.Raw)
		}
	}
}

// jsonString is s as a JSON string literal, without HTML escaping.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// needsEscape reports whether s needs a JSON escape inside a string.
func needsEscape(s string) bool { return jsonString(s) != `"`+s+`"` }

// TestInjectionValues stores each corpus value as a userName and a
// displayName, and finds it again by filter.
func TestInjectionValues(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	stored, refused := 0, 0
	for i, v := range injectionValues {
		body := `{"userName":` + jsonString(v) + `,"displayName":` + jsonString(v) + `}`
		r := s.do("POST", "/scim/v2/Users", body)
		checkNoLeak(t, "create "+jsonString(v), r)
		if r.Status != http.StatusCreated {
			if r.Status != 400 && r.Status != 409 {
				t.Errorf("create %q: %d %s", v, r.Status, r.Raw)
			}
			refused++
			t.Logf("refused %q: %d %s", v, r.Status, r.Body["detail"])
			continue
		}
		stored++
		id, _ := r.Body["id"].(string)
		if r.Body["userName"] != v || r.Body["displayName"] != v {
			t.Errorf("value %d %q came back as %q / %q", i, v, r.Body["userName"], r.Body["displayName"])
		}
		row := s.row("SELECT login, display_name FROM users WHERE id = ?", id)
		if row["login"] != v || row["display_name"] != v {
			t.Errorf("value %d %q stored as %q / %q", i, v, row["login"], row["display_name"])
		}
		if needsEscape(v) {
			// See TestFilterStringEscapes.
			continue
		}
		for _, f := range []string{`userName eq `, `displayName eq `, `userName co `, `userName sw `, `userName ew `} {
			q := f + jsonString(v)
			r := s.do("GET", "/scim/v2/Users?count=1000&filter="+url.QueryEscape(q), nil)
			checkNoLeak(t, "filter "+q, r)
			if r.Status != 200 {
				t.Errorf("filter %s: %d %s", q, r.Status, r.Raw)
				continue
			}
			list, _ := r.Body["Resources"].([]any)
			found := false
			for _, e := range list {
				u := e.(map[string]any)
				name, _ := u["userName"].(string)
				found = found || u["id"] == id
				// A value is a literal: every match holds it.
				if lv, ln := strings.ToLower(v), strings.ToLower(name); !strings.Contains(ln, lv) && !strings.Contains(strings.ToLower(u["displayName"].(string)+""), lv) {
					t.Errorf("filter %s matched %q, which does not hold the value", q, name)
				}
			}
			if !found {
				t.Errorf("filter %s did not find the user", q)
			}
		}
	}
	t.Logf("%d values stored verbatim, %d refused", stored, refused)
	if n := s.count("SELECT COUNT(*) FROM users"); n != 3+stored {
		t.Errorf("%d users, want %d", n, 3+stored)
	}
	if row := s.row("SELECT login, password_hash, theme FROM users WHERE id = 1"); row["login"] != "alice" || row["password_hash"] != "$2y$10$abcdefghijklmnopqrstuv" || row["theme"] != "dark" {
		t.Errorf("alice changed: %v", row)
	}
}

// TestInjectionNames sends hostile attribute names in filters, sortBy,
// attributes and PATCH paths: each is refused or answered as a name the
// mapping does not store, never run as SQL and never reaching an
// unmapped column.
func TestInjectionNames(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	filters := []string{
		`login eq "alice"`, `password_hash pr`, `theme eq "dark"`, `status eq "active"`,
		`id) or (1 eq 1`, `userName eq "a") or ("1" eq "1"`, `userName eq "x" or 1 eq 1`, `1 eq 1`,
		`userName; DROP TABLE users eq "x"`, "`login` eq \"alice\"", `users.login eq "alice"`, `(SELECT 1) eq 1`,
		`userName.login eq "x"`, `name.password_hash eq "x"`, `emails[login eq "x"]`, `emails[type eq "work"].login eq "x"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:login eq "alice"`, `urn:x' OR '1 eq "y"`,
		"userName\x00 eq \"alice\"", `userName eq "alice"` + "\x00" + ` or 1 eq 1`, strings.Repeat("a", 3000) + ` eq "x"`,
		strings.Repeat("(", 1000) + `userName eq "alice"` + strings.Repeat(")", 1000),
		`userName eq "alice" or ` + strings.Repeat("not (", 500) + `userName eq "x"` + strings.Repeat(")", 500),
		`userName eq "` + "\xff\xfe" + `"`, `userName gt 1`, `userName eq true`, `userName eq null`, `meta.created gt "not a date'; --"`,
		`active eq "yes' OR 1=1"`, `id eq "1 OR 1=1"`, "id eq \"\xff\"", "emails[value eq \"\xc3\"]",
	}
	for _, f := range filters {
		for _, path := range []string{
			"/scim/v2/Users?filter=" + url.QueryEscape(f),
		} {
			r := s.do("GET", path, nil)
			checkNoLeak(t, "filter "+f, r)
			if r.Status == 200 {
				// Answered: then as no row (an unassigned attribute) or
				// as the literal comparison, never as every row.
				if n, _ := r.Body["totalResults"].(float64); n > 1 {
					t.Errorf("filter %.80q matched %v users", f, n)
				}
			}
		}
		r := s.do("POST", "/scim/v2/Users/.search", `{"filter":`+jsonString(f)+`}`)
		checkNoLeak(t, ".search "+f, r)
		if n, _ := r.Body["totalResults"].(float64); r.Status == 200 && n > 1 {
			t.Errorf(".search %.80q matched %v users", f, n)
		}
	}

	for _, by := range []string{
		"login", "password_hash", "userName; DROP TABLE users", "userName desc, login", "1", "(SELECT 1)", "RAND()",
		"userName,login", "`", `emails[type eq "work"].value`, "userName\x00", "id", "meta.created", strings.Repeat("x", 5000),
	} {
		r := s.do("GET", "/scim/v2/Users?sortBy="+url.QueryEscape(by)+"&sortOrder="+url.QueryEscape("desc; DROP TABLE users"), nil)
		checkNoLeak(t, "sortBy "+by, r)
		r = s.do("GET", "/scim/v2/Users?sortBy="+url.QueryEscape(by), nil)
		checkNoLeak(t, "sortBy "+by, r)
	}

	for _, attrs := range []string{
		"password_hash", "login", "theme", "*", "userName,password_hash", "../../etc/passwd", "urn:x:y:z", "name.givenName.x",
		`emails[type eq "work"]`, "userName\x00", strings.Repeat("a,", 2000),
	} {
		for _, p := range []string{"attributes", "excludedAttributes"} {
			r := s.do("GET", "/scim/v2/Users?"+p+"="+url.QueryEscape(attrs), nil)
			checkNoLeak(t, p+"="+attrs, r)
			if strings.Contains(r.Raw, "dark") {
				t.Errorf("%s=%s returned an unmapped column: %s", p, attrs, r.Raw)
			}
		}
	}

	for _, path := range []string{
		"password_hash", "login", "theme", "status", `userName"] or 1 eq 1`, `emails[value eq "x" or 1 eq 1].value`,
		"urn:ietf:params:scim:schemas:core:2.0:User:password_hash", "name.givenName.x", "`login`", "userName\x00",
		"meta.created", "id", "groups", `emails[type eq "work"].value; DROP TABLE users`, "userName[", "]", ".", "name..givenName",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:password_hash", strings.Repeat("a.", 2000),
	} {
		for _, op := range []string{"replace", "add", "remove"} {
			r := s.do("PATCH", "/scim/v2/Users/1", patchBody(`{"op":"`+op+`","path":`+jsonString(path)+`,"value":"pwned"}`))
			checkNoLeak(t, op+" "+path, r)
		}
	}
	keys := patchBody(`{"op":"replace","value":{"password_hash":"pwned","login":"pwned","theme":"pwned"}}`)
	checkNoLeak(t, keys, s.do("PATCH", "/scim/v2/Users/1", keys))

	if n := s.count("SELECT COUNT(*) FROM users"); n != 3 {
		t.Errorf("%d users, want 3", n)
	}
	row := s.row("SELECT * FROM users WHERE id = 1")
	if row["login"] != "alice" || row["password_hash"] != "$2y$10$abcdefghijklmnopqrstuv" || row["theme"] != "dark" || row["status"] != "active" {
		t.Errorf("alice changed: %v", row)
	}
	for c, v := range row {
		if strings.Contains(v, "pwned") {
			t.Errorf("column %s = %q", c, v)
		}
	}
}

// TestInjectionIDs sends hostile ids in URLs, to an integer key and to a
// CHAR(36) key: 404 (or 400), nothing changed.
func TestInjectionIDs(t *testing.T) {
	ids := []string{
		url.PathEscape("1 OR 1=1"), url.PathEscape("1;DROP TABLE users"), url.PathEscape("1'--"), "%00", "1%00", "-1", "0",
		"1e3", "0x1", "%201", "1.0", url.PathEscape("١"), "99999999999999999999", strings.Repeat("9", 5000),
		"..%2F..%2Fetc%2Fpasswd", "%ff", "%F0%9F%98%80", "%25", "_", url.PathEscape("' OR ''='"), "%5C", url.PathEscape("1 --"),
		"00000000-0000-4000-8000-00000000000%25", url.PathEscape("00000000-0000-4000-8000-000000000001' OR '1'='1"),
	}
	for _, c := range []struct{ schema, mapping, table, endpoint, body string }{
		{legacySchema, legacyMapping, "users", "Users", `{"userName":"pwned"}`},
		{"testdata/onetable_schema.sql", "testdata/onetable_mapping.yaml", "principals", "Users", `{"userName":"pwned"}`},
		{"testdata/onetable_schema.sql", "testdata/onetable_mapping.yaml", "principals", "Groups", `{"displayName":"pwned"}`},
	} {
		t.Run(c.table+"/"+c.endpoint, func(t *testing.T) {
			s := newSidecar(t, c.schema, c.mapping)
			before := dump(t, s.db, c.table)
			for _, id := range ids {
				path := "/scim/v2/" + c.endpoint + "/" + id
				for _, req := range []struct {
					method string
					body   any
				}{
					{"GET", nil}, {"PUT", c.body}, {"DELETE", nil},
					{"PATCH", patchBody(`{"op":"replace","path":"displayName","value":"pwned"}`)},
				} {
					r := s.do(req.method, path, req.body)
					checkNoLeak(t, req.method+" "+path, r)
					if r.Status != 404 && r.Status != 400 {
						t.Errorf("%s %.80s: %d %.200s", req.method, path, r.Status, r.Raw)
					}
				}
			}
			if after := dump(t, s.db, c.table); after != before {
				t.Errorf("hostile ids changed %s:\n%s\n%s", c.table, before, after)
			}
		})
	}
}

// TestFilterStringEscapes looks users up by values that a filter can only
// carry escaped (RFC 7644 filter strings are JSON strings: \", \\, \n,
// \u00e9 and \u00E9).
func TestFilterStringEscapes(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	for _, c := range []struct{ value, literal string }{
		{`o"brien`, `"o\"brien"`},
		{`back\slash`, `"back\\slash"`},
		{"two\nlines", `"two\nlines"`},
		{"café", `"caf\u00e9"`},
		{"café", `"caf\u00E9"`},
		{"solidus/", `"solidus\/"`},
	} {
		if r := s.do("POST", "/scim/v2/Users", `{"userName":`+jsonString(c.value)+`}`); r.Status != 201 && r.Status != 409 {
			t.Fatalf("create %q: %d %s", c.value, r.Status, r.Raw)
		}
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape("userName eq "+c.literal), nil)
		if r.Status != 200 || r.Body["totalResults"] != float64(1) {
			t.Errorf("userName eq %s: %d %s", c.literal, r.Status, r.Raw)
		}
	}
	// Escapes in sw and co, and inside a value filter.
	for _, f := range []string{`userName sw "o\"bri"`, `userName co "k\\sl"`, `emails[value sw "o\"b"] or userName ew "\"brien"`} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil)
		if r.Status != 200 || r.Body["totalResults"] != float64(1) {
			t.Errorf("%s: %d %s", f, r.Status, r.Raw)
		}
	}
}

// TestFilterErrorSaysWhere checks that an invalid filter's 400 says at
// which character the filter stopped making sense and what was expected
// there, and that the invalid escapes JSON refuses are refused too.
func TestFilterErrorSaysWhere(t *testing.T) {
	s := newSidecar(t, legacySchema, legacyMapping)
	for _, c := range []struct{ filter, detail string }{
		{`userName eq alice`, "at character 12: expected a value"},
		{`userName eq "x" and`, "at character 19: expected an attribute name"},
		{`userName eq "x" or (title pr`, `at character 28: expected "and", "or" or ")"`},
		{`userName eq "a\qb"`, "at character 14: invalid escape"},
		{`userName eq "\uD83D"`, "at character 13: unpaired surrogate"},
		{`emails[type eq "work"`, `at character 21: expected "and", "or" or "]"`},
	} {
		r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(c.filter), nil)
		checkError(t, r, http.StatusBadRequest, "invalidFilter")
		if d, _ := r.Body["detail"].(string); !strings.Contains(d, c.detail) {
			t.Errorf("%s: detail %q, want it to say %q", c.filter, d, c.detail)
		}
	}
}
