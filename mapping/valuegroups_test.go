package mapping

import "testing"

// TestValueID pins the default id of a declared group: the value where it
// is URL-safe, else a lower-cased, dashed form.
func TestValueID(t *testing.T) {
	for v, want := range map[string]string{
		"ROLE_ADMIN":   "ROLE_ADMIN",
		"editor":       "editor",
		"7":            "7",
		"Site Admin":   "site-admin",
		"a:b/c":        "a-b-c",
		"  Ops & Dev ": "ops-dev",
		"..":           "",
		"Über":         "ber",
	} {
		if got := valueID(v); got != want {
			t.Errorf("valueID(%q) = %q, want %q", v, got, want)
		}
	}
}
