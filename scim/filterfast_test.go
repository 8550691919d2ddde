package scim

import (
	"reflect"
	"testing"

	filter "github.com/scim2/filter-parser/v2"
)

// simpleFilters are filters simpleFilter must parse itself: what Okta and
// Entra send on lookups.
var simpleFilters = []string{
	`userName eq "alice@example.com"`,
	`userName eq ""`,
	`userName Eq "ALICE"`,
	`externalId eq "00u1abcd"`,
	`displayName eq "Admins (EU) – ünïcode"`,
	`emails.value eq "a@b.c"`,
	`name.givenName sw "Al"`,
	`id eq "42"`,
	`active eq true`,
	`active eq FALSE`,
	`title eq null`,
	`title pr`,
	`title PR`,
	`userName  eq  "two spaces"`,
	`user-name_2 ne "x"`,
	`userName co "a'b%_"`,
}

// otherFilters are left to the general parser: valid, invalid, or beyond
// the subset.
var otherFilters = []string{
	``, ` `, `userName`, `userName eq`, `userName eq "x" `, ` userName eq "x"`,
	`userName eq "x" and active eq true`, `userName eq "x" or title pr`,
	`not (userName eq "x")`, `(userName eq "x")`, `emails[type eq "work"]`,
	`emails[type eq "work"].value eq "a"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`,
	`$ref eq "x"`, `userName eq "a\"b"`, `userName eq "a\\b"`, `userName eq "a\u0001b"`,
	`userName eq 'x'`, `userName eq x`, `userName eq 42`, `userName eq -1.5e3`, `userName eqx "x"`,
	`userName pr x`, `userName prx`, `userName xx "x"`, `userName eq"x"`, `userName.a.b eq "x"`,
	`userName eq "x"y"`, `userName eq "` + "\xff" + `"`, `1userName eq "x"`, `userName eq truex`,
	`userName.eq "x"`, `userName. eq "x"`, `userName eq	"tab"`,
}

// TestSimpleFilter checks that simpleFilter parses what it should, and
// that whatever it parses, it parses as filter.ParseFilter does.
func TestSimpleFilter(t *testing.T) {
	for _, f := range simpleFilters {
		if _, ok := simpleFilter(f); !ok {
			t.Errorf("simpleFilter(%q) left it to the general parser", f)
		}
		checkSimpleFilter(t, f)
	}
	for _, f := range otherFilters {
		if e, ok := simpleFilter(f); ok {
			t.Errorf("simpleFilter(%q) = %#v, want it left to the general parser", f, e)
		}
		checkSimpleFilter(t, f)
	}
}

// checkSimpleFilter fails if simpleFilter parses f otherwise than
// filter.ParseFilter.
func checkSimpleFilter(t *testing.T, f string) {
	t.Helper()
	fast, ok := simpleFilter(f)
	if !ok {
		return
	}
	want, err := filter.ParseFilter([]byte(f))
	if err != nil {
		t.Fatalf("simpleFilter(%q) = %#v, but filter.ParseFilter refuses it: %v", f, fast, err)
	}
	if !reflect.DeepEqual(fast, want) {
		t.Fatalf("simpleFilter(%q) = %#v, filter.ParseFilter = %#v", f, fast, want)
	}
}

func FuzzSimpleFilter(f *testing.F) {
	for _, s := range append(simpleFilters, otherFilters...) {
		f.Add(s)
	}
	f.Fuzz(checkSimpleFilter)
}

// paths are PATCH paths for TestParsePath and FuzzParsePath.
var paths = []string{
	"members", "active", "name.givenName", "emails", "x-y_z.a1", "userName", "Members",
	"", ".", "members.", ".members", "name.given.name", "$ref", "members[value eq \"1\"]",
	`emails[type eq "work"].value`, "urn:ietf:params:scim:schemas:core:2.0:Group:members",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "1abc", "a b", "members ",
	"name..x", "name.1x",
}

// TestParsePath checks that parsePath parses every path as
// filter.ParsePath does.
func TestParsePath(t *testing.T) {
	for _, p := range paths {
		checkPath(t, p)
	}
}

func checkPath(t *testing.T, raw string) {
	t.Helper()
	got, err := parsePath(raw)
	want, werr := filter.ParsePath([]byte(raw))
	if (err != nil) != (werr != nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("parsePath(%q) = %#v, %v; filter.ParsePath = %#v, %v", raw, got, err, want, werr)
	}
}

func FuzzParsePath(f *testing.F) {
	for _, p := range paths {
		f.Add(p)
	}
	f.Fuzz(checkPath)
}

func BenchmarkFilterEq(b *testing.B) {
	const f = `userName eq "user0001234"`
	b.Run("simple", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			simpleFilter(f)
		}
	})
	b.Run("general", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_, _ = filter.ParseFilter([]byte(f))
		}
	})
}
