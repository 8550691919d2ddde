package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// What serve needs from the world when it starts, beyond the file itself:
// the tokens' secrets, the database's, the audit log file. Config.compile
// checks them (through the same adapters.Secret.Resolve that serve uses),
// so that check refuses what serve would, and says it with the YAML path.
// The database DSN is resolved by opening the adapter (adapters.Config.Open),
// which compile does for both; the TLS pair is loaded by server.tls's
// validation, which ParseConfig runs for both.

// startupProblems resolves every secret and file serve would, and reports
// each that cannot be had, or that is a placeholder, as "path: problem".
func startupProblems(c *Config) []string {
	var probs []string
	for i, t := range c.Server.Tokens {
		p := fmt.Sprintf("server.tokens[%d]", i)
		switch {
		case t.SHA256 != "" && t.Token.IsZero():
			if why := placeholderHash(t.SHA256); why != "" {
				probs = append(probs, p+".sha256: "+why)
			}
		case t.SHA256 == "" && !t.Token.IsZero() && t.Token.Check() == nil:
			v, err := t.Token.Resolve()
			if err != nil {
				probs = append(probs, p+".token: "+err.Error())
			} else if why := placeholder(v, "a random secret (openssl rand -hex 32)"); why != "" {
				probs = append(probs, p+".token: "+why)
			}
		default:
			// Missing or doubly given: server's validation reports it.
		}
	}
	if sh, ok := c.Database.adapter.(adapters.SecretHolder); ok {
		probs = append(probs, databaseSecrets(sh)...)
	}
	if err := auditWritable(c.Audit); err != nil {
		probs = append(probs, err.Error())
	}
	return probs
}

// databaseSecrets reports the database's secrets (a password, given as
// password or in the DSN) that are placeholders. Secrets that cannot be
// resolved are reported by opening the adapter.
func databaseSecrets(sh adapters.SecretHolder) []string {
	var probs []string
	for _, s := range sh.Secrets() {
		why := placeholder(s.Value, s.What)
		if why == "" {
			continue
		}
		if s.Part != "" {
			why = s.Part + ": " + why
		}
		probs = append(probs, "database.config."+s.Key+": "+why)
	}
	return probs
}

// auditWritable reports whether serve could open the audit log file for
// appending, without changing it: an existing file is opened for
// appending and closed, a missing one must be creatable in its directory.
func auditWritable(a AuditConfig) error {
	switch a.Output {
	case "", auditStdout, auditStderr, auditOff:
		return nil
	}
	f, err := os.OpenFile(a.Output, os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("audit.output: opening the audit log: %w", err)
	}
	probe, err := os.CreateTemp(filepath.Dir(a.Output), ".scimbridge-check-*")
	if err != nil {
		return fmt.Errorf("audit.output: cannot create %s: %w", a.Output, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// exampleToken is the token config.example.yaml hashes; its hash is
// public, so a config with it lets anyone in.
const exampleToken = "example-token-do-not-use"

var placeholderRE = regexp.MustCompile(`(?i)^(change[-_ ]?(me|it|this)|secret|token|password|replace[-_ ]?(me|this)|todo|tbd|fixme|x{3,}|\*{3,}|\.{3}|…|<[^<>]*>|your[-_ ]?(own[-_ ]?)?(token|secret|password)([-_ ]?here)?|(token|secret|password)[-_ ]?here|` + exampleToken + `)$`)

var unexpandedRE = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$`)

// placeholder says why secret v is a placeholder and what was expected
// instead (want), or "". Placeholders are public, so the message may
// quote them; a real secret is never quoted.
func placeholder(v, want string) string {
	t := strings.TrimSpace(v)
	switch {
	case t == exampleToken:
		return fmt.Sprintf("%q is the example token of config.example.yaml, which anyone can read; expected %s", t, want)
	case unexpandedRE.MatchString(t):
		return fmt.Sprintf("%q names an environment variable, but nothing expands it here; expected {fromEnv: %s}", t, strings.Trim(t, "${}"))
	case placeholderRE.MatchString(t):
		return fmt.Sprintf("%q is a placeholder; expected %s", t, want)
	}
	return ""
}

// placeholderHashes are the SHA-256 of well-known placeholder tokens.
var placeholderHashes = func() map[string]string {
	m := map[string]string{}
	for _, w := range []string{exampleToken, "changeme", "CHANGE_ME", "change-me", "CHANGEME", "todo", "TODO", "xxx", "secret", "token", "password", ""} {
		sum := sha256.Sum256([]byte(w))
		m[hex.EncodeToString(sum[:])] = w
	}
	return m
}()

// placeholderHash says why a token's hex SHA-256 is that of a
// placeholder, or "".
func placeholderHash(h string) string {
	w, ok := placeholderHashes[strings.ToLower(h)]
	switch {
	case !ok:
		return ""
	case w == exampleToken:
		return fmt.Sprintf("the hash of the example token of config.example.yaml (%q), which anyone can read; expected the hash of your own token", w)
	case w == "":
		return "the hash of an empty token; expected the hash of your own token"
	}
	return fmt.Sprintf("the hash of the placeholder %q; expected the hash of a random token", w)
}
