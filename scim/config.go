package scim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// Defaults for Config fields left zero.
const (
	// DefaultListen is where the SCIM API listens.
	DefaultListen = ":8080"
	// DefaultBasePath is the SCIM base URL path; Okta's Base URL is
	// https://host<BasePath>.
	DefaultBasePath = "/scim/v2"
	// DefaultPageSize is the page size when a list request gives no count.
	DefaultPageSize = 100
	// DefaultMaxPageSize caps count, and is advertised as
	// filter.maxResults in /ServiceProviderConfig.
	DefaultMaxPageSize = 1000
	// DefaultMaxBodyBytes caps a request body (413 above it).
	DefaultMaxBodyBytes = 1 << 20
)

// Config is the server section of the configuration.
type Config struct {
	// Listen is the SCIM API's address; default DefaultListen.
	Listen string `yaml:"listen"`
	// BasePath prefixes every SCIM route; default DefaultBasePath.
	BasePath string `yaml:"basePath"`
	// Tokens are the bearer tokens IdPs authenticate with; at least one.
	Tokens []TokenConfig `yaml:"tokens"`
	// DefaultPageSize; default DefaultPageSize.
	DefaultPageSize int `yaml:"defaultPageSize"`
	// MaxPageSize; default DefaultMaxPageSize.
	MaxPageSize int `yaml:"maxPageSize"`
	// MaxBodyBytes; default DefaultMaxBodyBytes.
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
}

// TokenConfig is one named bearer token. Give the token itself (as a
// secret: value, fromEnv or fromFile) or only its SHA-256 hash in hex, so
// that the config holds nothing usable.
type TokenConfig struct {
	// Name identifies the client (okta, entra) in logs and metrics.
	Name string `yaml:"name"`
	// Token is the bearer token.
	Token adapters.Secret `yaml:"token"`
	// SHA256 is the hex SHA-256 of the bearer token, instead of Token.
	SHA256 string `yaml:"sha256"`
}

// ApplyDefaults fills zero fields with their defaults.
func (c *Config) ApplyDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.BasePath == "" {
		c.BasePath = DefaultBasePath
	}
	c.BasePath = "/" + strings.Trim(c.BasePath, "/")
	if c.DefaultPageSize == 0 {
		c.DefaultPageSize = DefaultPageSize
	}
	if c.MaxPageSize == 0 {
		c.MaxPageSize = DefaultMaxPageSize
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
}

// Validate reports every problem, each starting with its path under the
// server section.
func (c *Config) Validate() []string {
	var errs []string
	if len(c.Tokens) == 0 {
		errs = append(errs, "tokens: none given; expected at least one {name, token} for the IdP to authenticate with")
	}
	names := map[string]bool{}
	for i, t := range c.Tokens {
		p := fmt.Sprintf("tokens[%d]", i)
		if t.Name == "" {
			errs = append(errs, p+".name: missing; expected a name such as okta")
		} else if names[t.Name] {
			errs = append(errs, p+".name: "+t.Name+" used twice; expected unique names")
		}
		names[t.Name] = true
		switch {
		case t.Token.IsZero() && t.SHA256 == "":
			errs = append(errs, p+": no token; expected token (value, fromEnv or fromFile) or sha256")
		case !t.Token.IsZero() && t.SHA256 != "":
			errs = append(errs, p+": both token and sha256 given; expected one")
		case t.SHA256 != "":
			if b, err := hex.DecodeString(t.SHA256); err != nil || len(b) != sha256.Size {
				errs = append(errs, p+".sha256: expected 64 hex digits (sha256sum of the token)")
			}
		default:
			if err := t.Token.Check(); err != nil {
				errs = append(errs, p+".token: "+err.Error())
			}
		}
	}
	if c.DefaultPageSize < 0 || c.MaxPageSize < 0 || c.DefaultPageSize > c.MaxPageSize {
		errs = append(errs, "defaultPageSize: expected 0 < defaultPageSize <= maxPageSize")
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, "maxBodyBytes: expected a positive number of bytes")
	}
	return errs
}

// token is a resolved token: its name and the SHA-256 of its value.
type token struct {
	name string
	hash [sha256.Size]byte
}

func (c *Config) resolveTokens() ([]token, error) {
	out := make([]token, 0, len(c.Tokens))
	for i, t := range c.Tokens {
		var tk token
		tk.name = t.Name
		if t.SHA256 != "" {
			b, err := hex.DecodeString(t.SHA256)
			if err != nil || len(b) != sha256.Size {
				return nil, fmt.Errorf("tokens[%d].sha256: expected 64 hex digits", i)
			}
			copy(tk.hash[:], b)
		} else {
			v, err := t.Token.Resolve()
			if err != nil {
				return nil, fmt.Errorf("tokens[%d].token: %w", i, err)
			}
			tk.hash = sha256.Sum256([]byte(v))
		}
		out = append(out, tk)
	}
	return out, nil
}
