package scim

import (
	"strings"
	"testing"
)

// TestTokenSHA256Hint checks that a tokens[].sha256 pasted as sha256sum's
// whole output line ("<digits>  -") is refused with a hint to keep only
// the digits, and that other wrong values get the plain message.
func TestTokenSHA256Hint(t *testing.T) {
	const digits = "3690a4c8f3b1e2d4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"
	for _, c := range []struct {
		value, want string
	}{
		{digits + "  -", `tokens[0].sha256: "` + digits + `  -" is sha256sum's whole output line; expected 64 hex digits (sha256sum of the token): keep only the digits before "  -"`},
		{digits + " *-", `keep only the digits before " *-"`},
		{digits + "  token.txt", `keep only the digits before "  token.txt"`},
		{"not-hex", `tokens[0].sha256: expected 64 hex digits (sha256sum of the token)`},
		{digits[:63] + "  -", `tokens[0].sha256: expected 64 hex digits (sha256sum of the token)`},
	} {
		c2 := Config{Tokens: []TokenConfig{{Name: "okta", SHA256: c.value}}}
		c2.ApplyDefaults()
		got := strings.Join(c2.Validate(), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("sha256 %q: problems\n%s\nwant one containing %s", c.value, got, c.want)
		}
	}
	c := Config{Tokens: []TokenConfig{{Name: "okta", SHA256: digits}}}
	c.ApplyDefaults()
	if got := strings.Join(c.Validate(), "\n"); strings.Contains(got, "sha256") {
		t.Errorf("a good sha256 refused: %s", got)
	}
}
