package scim

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
)

// ContentType is the media type of every SCIM response.
const ContentType = "application/scim+json"

// Server serves the SCIM API. Create it with NewServer.
type Server struct {
	cfg       Config
	tokens    []token
	logger    *slog.Logger
	resources []*resource // one directory's, for routes and discovery
	// dirs holds each directory's resources (its stores carry the
	// directory's scope), by directory and resource name.
	dirs    map[string]map[string]*resource
	engine  *gin.Engine
	metrics *httpMetrics
	audit   *slog.Logger // nil: no audit records
	// throttle refuses addresses that keep failing to authenticate.
	throttle *authThrottle
	// slots bounds each directory's requests in progress; budget the
	// request body bytes in flight (see admit).
	slots  map[string]chan struct{}
	budget bodyBudget
}

// resource is one mapped resource type and the store holding it.
type resource struct {
	res   *mapping.Resource
	store adapters.Store
	// groups is the membership capability of a group store.
	groups adapters.Groups
	// groupsOf, on the User resource, is the group resource whose
	// memberships fill the read-only groups attribute.
	groupsOf *resource
}

// NewServer builds the SCIM handler for a compiled mapping. dirs holds, for
// every directory (a token name, see Config.Directories), one Store per
// mapped resource by resource name (User, Group); each directory's stores
// carry its scope. Metrics are registered on reg.
func NewServer(cfg Config, m *mapping.Mapping, dirs map[string]map[string]adapters.Store, logger *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Server, error) {
	cfg.ApplyDefaults()
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	tokens, err := cfg.resolveTokens()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, tokens: tokens, logger: logger, dirs: map[string]map[string]*resource{}, throttle: newAuthThrottle(cfg.AuthThrottle),
		slots: newSlots(cfg.MaxConcurrentPerToken, cfg.Directories())}
	s.budget.max = cfg.MaxBodyBytesInFlight
	for _, o := range opts {
		o(s)
	}
	for _, d := range cfg.Directories() {
		stores, ok := dirs[d.Name]
		if !ok {
			return nil, fmt.Errorf("no stores for directory %s", d.Name)
		}
		set, err := resourceSet(m, stores)
		if err != nil {
			return nil, fmt.Errorf("directory %s: %w", d.Name, err)
		}
		recordChanges(set)
		s.dirs[d.Name] = map[string]*resource{}
		for _, r := range set {
			s.dirs[d.Name][r.res.Name] = r
		}
		if s.resources == nil {
			s.resources = set
		}
	}
	if s.metrics, err = newHTTPMetrics(reg, cfg.Directories()); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	// Routes match the path as sent, so that an id holding an escaped
	// "/" (a/b as a%2Fb) is one segment; unescapeParams then decodes the
	// ids, as paths (gin's own decoding would read "+" as a space).
	e.UseEscapedPath = true
	e.UnescapePathValues = false
	// The client address (for the auth throttle) comes from
	// X-Forwarded-For only when the peer is a configured proxy.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trustedProxies: %w", err)
	}
	e.Use(unescapeParams, s.observe, s.recover)
	e.NoRoute(func(c *gin.Context) { s.fail(c, errorf(http.StatusNotFound, "", "no such endpoint")) })
	e.NoMethod(func(c *gin.Context) { s.fail(c, errorf(http.StatusMethodNotAllowed, "", "method not allowed")) })
	g := e.Group(cfg.BasePath, s.deadline, s.auth, s.admit, s.track, s.validText)
	g.GET("/ServiceProviderConfig", s.serviceProviderConfig)
	g.GET("/ResourceTypes", s.resourceTypes)
	g.GET("/ResourceTypes/:name", s.resourceType)
	g.GET("/Schemas", s.schemas)
	g.GET("/Schemas/:id", s.schema)
	g.POST("/.search", s.rootSearch)
	if s.cfg.Bulk.MaxOperations > 0 {
		g.POST("/Bulk", s.bulk)
	}
	for _, r := range s.resources {
		r := r
		g.GET(r.res.Endpoint, s.list(r))
		g.POST(r.res.Endpoint, s.create(r))
		g.GET(r.res.Endpoint+"/:id", s.get(r))
		g.PUT(r.res.Endpoint+"/:id", s.replace(r))
		g.PATCH(r.res.Endpoint+"/:id", s.patch(r))
		g.DELETE(r.res.Endpoint+"/:id", s.delete(r))
		g.POST(r.res.Endpoint+"/:id", s.search(r)) // /.search
	}
	s.engine = e
	return s, nil
}

// unescapeParams decodes the percent-escapes of the path parameters (the
// ids), which the routes match escaped.
func unescapeParams(c *gin.Context) {
	for i, p := range c.Params {
		if strings.IndexByte(p.Value, '%') < 0 {
			continue
		}
		if v, err := url.PathUnescape(p.Value); err == nil {
			c.Params[i].Value = v
		}
	}
}

// resourceSet pairs each mapped resource with its store.
func resourceSet(m *mapping.Mapping, stores map[string]adapters.Store) ([]*resource, error) {
	var set []*resource
	for _, r := range m.Resources() {
		st, ok := stores[r.Name]
		if !ok {
			return nil, fmt.Errorf("no store for resource %s", r.Name)
		}
		rs := &resource{res: r, store: st}
		if r.HasMembers() {
			g, ok := st.(adapters.Groups)
			if !ok {
				return nil, fmt.Errorf("the store for %s does not support group membership", r.Name)
			}
			rs.groups = g
		}
		set = append(set, rs)
	}
	for _, u := range set {
		if u.res.HasGroups() {
			for _, g := range set {
				if g.groups != nil {
					u.groupsOf = g
				}
			}
		}
	}
	return set, nil
}

// in returns the request's directory's instance of resource r: the same
// mapping over stores scoped to the directory of the token that
// authenticated the request.
func (s *Server) in(c *gin.Context, r *resource) *resource {
	if d, ok := s.dirs[c.GetString("directory")]; ok {
		if dr, ok := d[r.res.Name]; ok {
			return dr
		}
	}
	// Unreachable after auth: every token names a configured directory.
	panic("scim: no directory for an authenticated request")
}

// ServeHTTP serves the SCIM API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

type ctxKey int

const directoryKey ctxKey = iota

// auth checks the bearer token against every configured token in constant
// time and records which one matched. A request with a valid token is
// never throttled: IdPs such as Okta and Entra send many tenants' requests
// from shared addresses, and one tenant's (or an attacker's) failures
// there must not lock the others out. Only failed attempts from an
// address refused for failing too often get 429 instead of 401.
func (s *Server) auth(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	name := ""
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.hash[:]) == 1 && name == "" {
			name = t.name
		}
	}
	if !strings.EqualFold(scheme, "Bearer") || name == "" {
		if s.throttled(c) {
			return
		}
		c.Header("WWW-Authenticate", `Bearer realm="scimbridge"`)
		s.metrics.authFailures.Inc()
		s.authFailed(c, authFailure(h, scheme))
		s.fail(c, errorf(http.StatusUnauthorized, "", "missing or invalid bearer token"))
		return
	}
	c.Set("directory", name)
	c.Next()
}

// recover turns a panic into a SCIM 500; the stack goes to the log only.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(c.Request.Context(), "panic serving request", "panic", fmt.Sprint(v), "path", c.FullPath())
			s.fail(c, errorf(http.StatusInternalServerError, "", "internal error"))
		}
	}()
	c.Next()
}

// observe sets the request id, logs the request and records metrics.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	rid := c.GetHeader("X-Request-Id")
	if rid == "" || len(rid) > 128 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		rid = hex.EncodeToString(b[:])
	}
	c.Header("X-Request-Id", rid)
	c.Set("requestID", rid)
	c.Request = c.Request.WithContext(WithRequestID(c.Request.Context(), rid))
	// Deferred, so that a response cut short (an http.ErrAbortHandler
	// panic) is counted and logged too.
	defer func() {
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		d := time.Since(start)
		s.metrics.observe(route, c.Request.Method, status, d, c.GetString("directory"), start.Add(d))
		s.logger.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("request_id", rid), slog.String("method", c.Request.Method),
			slog.String("route", route), slog.Int("status", status),
			slog.Duration("duration", d), slog.String("directory", c.GetString("directory")))
	}()
	c.Next()
}

// write sends a SCIM JSON response.
func (s *Server) write(c *gin.Context, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(status, ContentType, b)
}

// fail sends err as a SCIM error and stops the handler chain.
func (s *Server) fail(c *gin.Context, err error) {
	s.failFor(c, err, "resource")
}

func (s *Server) failFor(c *gin.Context, err error, resource string) {
	e, internal := toSCIM(err, resource)
	if internal {
		s.logger.ErrorContext(c.Request.Context(), "request failed", "request_id", c.GetString("requestID"),
			"route", c.FullPath(), "status", e.Status, "err", err)
	}
	if e.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	b, _ := json.Marshal(e.body())
	c.Abort()
	c.Data(e.Status, ContentType, b)
}

// readBody decodes a JSON object body, with numbers kept exact.
func (s *Server) readBody(c *gin.Context) (map[string]any, error) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
		if mt != "application/scim+json" && mt != "application/json" {
			return nil, errorf(http.StatusUnsupportedMediaType, "invalidSyntax", "expected Content-Type application/scim+json or application/json")
		}
	}
	tooBig := errorf(http.StatusRequestEntityTooLarge, "", "request body larger than %d bytes", s.cfg.MaxBodyBytes)
	n := c.Request.ContentLength
	if n > s.cfg.MaxBodyBytes {
		return nil, tooBig // unread
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	var data []byte
	var err error
	if n > 0 {
		// The length is known (and admit reserved it): one buffer of
		// that size, not the doublings of io.ReadAll.
		data = make([]byte, n)
		_, err = io.ReadFull(body, data)
	} else {
		data, err = io.ReadAll(body)
	}
	if err != nil {
		var over *http.MaxBytesError
		switch {
		case errors.As(err, &over):
			return nil, tooBig
		case errors.Is(err, errBudget):
			return nil, errBusy()
		}
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "the request body could not be read")
	}
	// encoding/json would turn invalid UTF-8 into U+FFFD: refuse it
	// rather than store something the client did not send.
	if !utf8.Valid(data) {
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "request body is not valid UTF-8")
	}
	if err := checkJSONText(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errorf(http.StatusBadRequest, "invalidSyntax", "empty request body; expected a JSON object")
		}
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "request body is not a JSON object")
	}
	// Only white space may follow the object: not a second value, and
	// not a stray } or ], which Decoder.More would not see.
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "trailing data after the JSON object")
	}
	if doc == nil {
		return nil, errorf(http.StatusBadRequest, "invalidSyntax", "expected a JSON object")
	}
	return doc, nil
}

// baseURL is the absolute URL of the SCIM base path as the client sees it.
func (s *Server) baseURL(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	if p := c.GetHeader("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + c.Request.Host + s.cfg.BasePath
}
