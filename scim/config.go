package scim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

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
	// DefaultMaxBodyBytesInFlight bounds the request body bytes all
	// requests hold at once (503 above it).
	DefaultMaxBodyBytesInFlight = 64 << 20
	// DefaultMaxConcurrentPerToken bounds the requests one directory's
	// tokens have in progress at once (429 above it).
	DefaultMaxConcurrentPerToken = 16
	// DefaultConcurrencyWait is how long a request over
	// maxConcurrentPerToken waits for a place.
	DefaultConcurrencyWait = 5 * time.Second
	// DefaultRequestTimeout bounds one request, its database work
	// included (503 when it runs out).
	DefaultRequestTimeout = 30 * time.Second
	// DefaultAuthMaxFailures is how many failed authentications one
	// address may make within DefaultAuthWindow before it is refused.
	DefaultAuthMaxFailures = 10
	// DefaultAuthWindow is the window failures are counted in.
	DefaultAuthWindow = time.Minute
	// DefaultAuthBlockFor is how long an address is then refused (429).
	DefaultAuthBlockFor = 5 * time.Minute
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
	// MaxBodyBytesInFlight bounds the request body bytes all requests
	// together hold at once, so that many large bodies arriving together
	// cannot exhaust memory: a request whose body would take more than is
	// left gets 503 with Retry-After, before its body is read when it
	// gives its Content-Length, and as soon as the bytes read would exceed
	// it when it does not (chunked). Bodies are counted until their
	// request ends. At least maxBodyBytes; default
	// DefaultMaxBodyBytesInFlight (64 MiB); -1 turns the budget off.
	MaxBodyBytesInFlight int64 `yaml:"maxBodyBytesInFlight"`
	// MaxConcurrentPerToken bounds the requests in progress at once for
	// one directory (the tokens with one name), so that one client's
	// heavy requests cannot starve the others. A request over it waits
	// up to concurrencyWait for another of the directory's requests to
	// end, then gets 429 with Retry-After. Bulk operations run within
	// their bulk request's place. Default DefaultMaxConcurrentPerToken;
	// -1 turns the bound off.
	MaxConcurrentPerToken int `yaml:"maxConcurrentPerToken"`
	// ConcurrencyWait is how long a request over maxConcurrentPerToken
	// waits for a place; default DefaultConcurrencyWait.
	ConcurrencyWait time.Duration `yaml:"concurrencyWait"`
	// RequestTimeout bounds each request; its context, which every SQL
	// statement runs under, ends then. Default DefaultRequestTimeout.
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	// TLS, when set, serves the SCIM API over HTTPS (TLS 1.2 or later).
	TLS *TLSConfig `yaml:"tls"`
	// AuthThrottle refuses, for a while, an address that keeps failing to
	// authenticate.
	AuthThrottle AuthThrottleConfig `yaml:"authThrottle"`
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// and load balancers whose X-Forwarded-For header names the client.
	// The header of any other peer is ignored. Default none.
	TrustedProxies []string `yaml:"trustedProxies"`
	// Bulk configures POST /Bulk (RFC 7644 section 3.7).
	Bulk BulkConfig `yaml:"bulk"`
}

// DefaultBulkMaxOperations is how many operations a bulk request may
// hold unless the operator says otherwise.
const DefaultBulkMaxOperations = 100

// BulkConfig limits bulk requests; the payload is limited by
// maxBodyBytes, and /ServiceProviderConfig advertises both limits.
type BulkConfig struct {
	// MaxOperations is the most operations one bulk request may hold;
	// default DefaultBulkMaxOperations; -1 turns /Bulk off.
	MaxOperations int `yaml:"maxOperations"`
}

// TLSConfig is a certificate and key, both PEM files. The files are read
// again when they change, so a renewed certificate needs no restart.
type TLSConfig struct {
	// CertFile holds the certificate chain, leaf first.
	CertFile string `yaml:"certFile"`
	// KeyFile holds the private key.
	KeyFile string `yaml:"keyFile"`
}

// AuthThrottleConfig says when an address that fails to authenticate is
// refused: after MaxFailures failures within Window, every request from it
// without a valid token gets 429 Too Many Requests for BlockFor. A request
// with a valid token is always served, since IdPs send many tenants'
// requests from shared addresses.
type AuthThrottleConfig struct {
	// MaxFailures; default DefaultAuthMaxFailures; -1 turns the throttle
	// off.
	MaxFailures int `yaml:"maxFailures"`
	// Window; default DefaultAuthWindow.
	Window time.Duration `yaml:"window"`
	// BlockFor; default DefaultAuthBlockFor.
	BlockFor time.Duration `yaml:"blockFor"`
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
	// Scope binds the token to one directory of a multi-tenant
	// application: constant column values added to the scope of every
	// mapped table, so the token reads and writes only those rows
	// (org_id: 42). Tokens with the same name are one directory (several
	// tokens allow rotation) and must give the same scope.
	Scope map[string]any `yaml:"scope"`
	// MaxConcurrent overrides server.maxConcurrentPerToken for this
	// directory (an IdP that needs more, or fewer, requests in progress
	// at once); -1 turns the bound off for it. Tokens with the same name
	// must give the same value. Default: maxConcurrentPerToken.
	MaxConcurrent int `yaml:"maxConcurrent"`
}

// Directory is one tenant of the application as the IdP sees it: the
// tokens with one name, and their scope.
type Directory struct {
	Name  string
	Scope map[string]any
	// MaxConcurrent is its tokens' maxConcurrent (0: not given).
	MaxConcurrent int
}

// ScopedColumns lists the columns that every token's scope sets.
func (c *Config) ScopedColumns() []string {
	var out []string
	for i, t := range c.Tokens {
		for col := range t.Scope {
			all := true
			for _, o := range c.Tokens[i+1:] {
				_, ok := o.Scope[col]
				all = all && ok
			}
			if i == 0 && all {
				out = append(out, col)
			}
		}
	}
	return out
}

// Directories lists the directories the tokens form, in config order.
func (c *Config) Directories() []Directory {
	var out []Directory
	seen := map[string]bool{}
	for _, t := range c.Tokens {
		if !seen[t.Name] {
			seen[t.Name] = true
			out = append(out, Directory{Name: t.Name, Scope: t.Scope, MaxConcurrent: t.MaxConcurrent})
		}
	}
	return out
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
	if c.MaxBodyBytesInFlight == 0 {
		c.MaxBodyBytesInFlight = max(DefaultMaxBodyBytesInFlight, c.MaxBodyBytes)
	}
	if c.MaxConcurrentPerToken == 0 {
		c.MaxConcurrentPerToken = DefaultMaxConcurrentPerToken
	}
	if c.ConcurrencyWait == 0 {
		c.ConcurrencyWait = DefaultConcurrencyWait
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.AuthThrottle.MaxFailures == 0 {
		c.AuthThrottle.MaxFailures = DefaultAuthMaxFailures
	}
	if c.AuthThrottle.Window == 0 {
		c.AuthThrottle.Window = DefaultAuthWindow
	}
	if c.AuthThrottle.BlockFor == 0 {
		c.AuthThrottle.BlockFor = DefaultAuthBlockFor
	}
	if c.Bulk.MaxOperations == 0 {
		c.Bulk.MaxOperations = DefaultBulkMaxOperations
	}
}

// Validate reports every problem, each starting with its path under the
// server section.
func (c *Config) Validate() []string {
	var errs []string
	if len(c.Tokens) == 0 {
		errs = append(errs, "tokens: none given; expected at least one {name, token} for the IdP to authenticate with")
	}
	scopes := map[string]string{}
	bounds := map[string]int{}
	for i, t := range c.Tokens {
		p := fmt.Sprintf("tokens[%d]", i)
		scope := fmt.Sprint(t.Scope)
		if t.Name == "" {
			errs = append(errs, p+".name: missing; expected a name such as okta")
		} else if prev, ok := scopes[t.Name]; ok && prev != scope {
			errs = append(errs, p+".scope: differs from the scope of the other "+t.Name+" token; tokens with one name are one directory and need the same scope")
		}
		scopes[t.Name] = scope
		if t.MaxConcurrent < -1 {
			errs = append(errs, p+".maxConcurrent: expected a positive number of requests, or -1 to turn the bound off for this directory")
		} else if prev, ok := bounds[t.Name]; ok && prev != t.MaxConcurrent && t.Name != "" {
			errs = append(errs, p+".maxConcurrent: differs from that of the other "+t.Name+" token; tokens with one name are one directory and need the same maxConcurrent")
		}
		bounds[t.Name] = t.MaxConcurrent
		for col, v := range t.Scope {
			switch v.(type) {
			case string, int, int64, uint64, float64, bool:
			default:
				errs = append(errs, p+".scope."+col+": expected a scalar value (string, number or boolean)")
			}
		}
		switch {
		case t.Token.IsZero() && t.SHA256 == "":
			errs = append(errs, p+": no token; expected token (value, fromEnv or fromFile) or sha256")
		case !t.Token.IsZero() && t.SHA256 != "":
			errs = append(errs, p+": both token and sha256 given; expected one")
		case t.SHA256 != "":
			if b, err := hex.DecodeString(t.SHA256); err != nil || len(b) != sha256.Size {
				errs = append(errs, p+".sha256: "+sha256Problem(t.SHA256))
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
	if c.MaxBodyBytesInFlight != -1 && c.MaxBodyBytesInFlight < c.MaxBodyBytes {
		errs = append(errs, fmt.Sprintf("maxBodyBytesInFlight: %d is less than maxBodyBytes (%d), so that no body of the largest size could be read; expected at least maxBodyBytes, or -1 to turn the budget off", c.MaxBodyBytesInFlight, c.MaxBodyBytes))
	}
	if c.MaxConcurrentPerToken < -1 {
		errs = append(errs, "maxConcurrentPerToken: expected a positive number of requests, or -1 to turn the bound off")
	}
	if c.ConcurrencyWait < 0 {
		errs = append(errs, "concurrencyWait: expected a positive duration such as 1s")
	}
	if c.RequestTimeout < 0 {
		errs = append(errs, "requestTimeout: expected a positive duration such as 30s")
	}
	if c.AuthThrottle.MaxFailures < -1 {
		errs = append(errs, "authThrottle.maxFailures: expected a positive number, or -1 to turn the throttle off")
	}
	if c.AuthThrottle.Window < 0 {
		errs = append(errs, "authThrottle.window: expected a positive duration such as 1m")
	}
	if c.AuthThrottle.BlockFor < 0 {
		errs = append(errs, "authThrottle.blockFor: expected a positive duration such as 5m")
	}
	for i, p := range c.TrustedProxies {
		if _, err := parseProxy(p); err != nil {
			errs = append(errs, fmt.Sprintf("trustedProxies[%d]: %q is not an IP address or CIDR range; expected e.g. 10.0.0.0/8 or 192.0.2.7", i, p))
		}
	}
	if c.TLS != nil {
		errs = append(errs, c.TLS.validate()...)
	}
	return errs
}

// parseProxy parses a trusted proxy: an address or a CIDR range.
func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// token is a resolved token: its name and the SHA-256 of its value.
type token struct {
	name string
	hash [sha256.Size]byte
}

// sha256Problem says what is wrong with a tokens[].sha256 that is not 64
// hex digits, with a hint for sha256sum's output pasted whole: the digits
// followed by "  -" (or "  FILE", or " *-" in binary mode).
func sha256Problem(v string) string {
	const want = "expected 64 hex digits (sha256sum of the token)"
	if digits, rest, ok := strings.Cut(v, " "); ok && len(digits) == 2*sha256.Size {
		if _, err := hex.DecodeString(digits); err == nil {
			return fmt.Sprintf("%q is sha256sum's whole output line; %s: keep only the digits before %q (and hash the token without a newline: printf %%s \"$TOKEN\" | sha256sum)", v, want, " "+rest)
		}
	}
	return want
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
