package scim_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
)

// TestTokenHashes configures tokens only by their SHA-256, two under one
// name (rotation): both tokens are accepted, and the hash itself, which is
// all the config holds, is not a token.
func TestTokenHashes(t *testing.T) {
	hash := func(tok string) string { sum := sha256.Sum256([]byte(tok)); return hex.EncodeToString(sum[:]) }
	s := newSidecarServer(t, legacySchema, legacyMapping, `server:
  tokens:
    - {name: okta, sha256: `+hash("old-okta-token")+`}
    - {name: okta, sha256: `+hash("new-okta-token")+`}
`)
	for _, tok := range []string{"old-okta-token", "new-okta-token"} {
		if r := s.doAuth("GET", "/scim/v2/Users", nil, "Bearer "+tok); r.Status != http.StatusOK {
			t.Errorf("token %s: %d %s", tok, r.Status, r.Raw)
		}
	}
	for _, tok := range []string{hash("old-okta-token"), "Old-okta-token", "old-okta-toke", ""} {
		checkError(t, s.doAuth("GET", "/scim/v2/Users", nil, "Bearer "+tok), http.StatusUnauthorized, "")
	}
}
