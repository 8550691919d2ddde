package scim

import "testing"

func TestRewriteValuePathComparisons(t *testing.T) {
	cases := []struct{ in, want string }{
		{`emails[type eq "work"].value eq "a@b.c"`, `emails[type eq "work" and value eq "a@b.c"]`},
		{`emails[type eq "work"].value pr`, `emails[type eq "work" and value pr]`},
		{`userName eq "x" and emails[type eq "work"].value co "]."`, `userName eq "x" and emails[type eq "work" and value co "]."]`},
		{`(emails[type eq "work"].value eq "a") or active eq true`, `(emails[type eq "work" and value eq "a"]) or active eq true`},
		{`displayName eq "a[b].c eq d"`, `displayName eq "a[b].c eq d"`},
		{`emails[type eq "work"]`, `emails[type eq "work"]`},
		{`emails[type eq "work"].value`, `emails[type eq "work"].value`},
		{`emails[type eq "work"].value eq`, `emails[type eq "work"].value eq`},
		{`emails[type eq "wo\"rk"].value eq "x\"y"`, `emails[type eq "wo\"rk" and value eq "x\"y"]`},
	}
	for _, c := range cases {
		if got := rewriteValuePathComparisons(c.in); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}
