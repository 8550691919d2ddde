package mapping

import "testing"

func TestClosest(t *testing.T) {
	tables := []string{"team_users", "teams", "user_emails", "user_fields", "users"}
	for _, c := range []struct {
		name       string
		candidates []string
		want       string
		ok         bool
	}{
		{"user", tables, "users", true},
		{"Users", tables, "users", true},            // case only
		{"user_email", tables, "user_emails", true}, // one deletion
		{"uesrs", tables, "users", true},            // a swap counts one
		{"first_nme", []string{"first_name", "last_name"}, "first_name", true},
		{"people", tables, "", false},              // nothing close
		{"id", []string{"ab", "idx"}, "idx", true}, // 1 edit of 2 letters
		{"ab", []string{"xy"}, "", false},          // 2 edits of 2 letters is a guess
		{"nope", []string{"login", "theme", "id"}, "", false},
		{"users", tables, "", false}, // itself is no suggestion
	} {
		got, ok := Closest(c.name, c.candidates)
		if got != c.want || ok != c.ok {
			t.Errorf("Closest(%q) = %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"ab", "ba", 1}, {"status", "staus", 1}, {"defualts", "defaults", 1},
	} {
		if got := editDistance([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestNameList(t *testing.T) {
	var names []string
	for i := range 25 {
		names = append(names, string(rune('a'+i)))
	}
	if got, want := nameList(names[:3]), "a, b, c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := nameList(names), "a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, ... (5 more)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
