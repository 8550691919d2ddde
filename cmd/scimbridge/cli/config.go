package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/scim"
)

// Config is the whole configuration file.
type Config struct {
	// Server is the SCIM API: listener, base path, tokens, limits.
	Server scim.Config `yaml:"server"`
	// Telemetry is the listener for /metrics and health checks.
	Telemetry TelemetryConfig `yaml:"telemetry"`
	// Log selects the log format and level.
	Log LogConfig `yaml:"log"`
	// Audit says where the audit records of provisioning writes go.
	Audit AuditConfig `yaml:"audit"`
	// Database is the application's database.
	Database DatabaseConfig `yaml:"database"`
	// Resources maps SCIM resources to the application's tables.
	Resources mapping.Config `yaml:"resources"`

	// hash identifies the file's bytes, for scimbridge_config_info.
	hash string
	// path is the file it was read from, for reloads and problem
	// positions; "" if none.
	path string
	// doc is the parsed document, for the line and column of problems.
	doc *yaml.Node
	// typos are the paths of keys that are given misspelt (the path of
	// defaults where defualts was written): the mapping's problems
	// under them are consequences of the misspelling and not reported.
	typos []string
}

// DefaultTelemetryListen keeps metrics and health checks off the public
// interface unless the operator says otherwise.
const DefaultTelemetryListen = "127.0.0.1:9090"

// TelemetryConfig is the second listener, for Prometheus and probes.
type TelemetryConfig struct {
	// Listen address; default DefaultTelemetryListen. "off" disables it.
	Listen string `yaml:"listen"`
}

// LogConfig selects how logs are written to standard error.
type LogConfig struct {
	// Format is text (default) or json.
	Format string `yaml:"format"`
	// Level is debug, info (default), warn or error.
	Level string `yaml:"level"`
}

// DatabaseConfig selects a storage adapter by type and holds its config.
type DatabaseConfig struct {
	// Type is the adapter type; only mysql (MySQL and MariaDB) exists.
	Type string `yaml:"type"`
	// Config is the adapter's own configuration, decoded by type.
	Config yaml.Node `yaml:"config"`

	adapter adapters.Config
}

// validator is implemented by adapter configs that can check themselves.
type validator interface{ Validate() []string }

// loadConfig reads, strictly decodes and validates a config file, and
// resolves what serve needs from outside it (see startupProblems): the
// commands that run from a file (check, serve) refuse the same configs.
// Every problem found is returned together, each with its position and
// YAML path.
func loadConfig(path string) (*Config, error) {
	return readConfig(path, true)
}

// readConfig is loadConfig, without resolving secrets and checking the
// audit file when startup is false (check -offline, which runs where
// neither is at hand).
func readConfig(path string, startup bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading config: %w; name the configuration file with -config FILE or the SCIMBRIDGE_CONFIG variable (scimbridge init -dsn DSN writes a starting one)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := parseConfig(path, data)
	if cfg == nil || !startup {
		return cfg, err
	}
	if sp := startupProblems(cfg); len(sp) > 0 {
		var ce *invalidConfigError
		if errors.As(err, &ce) {
			return cfg, &invalidConfigError{append(ce.list, cfg.locate(sp)...)}
		}
		return cfg, &invalidConfigError{cfg.locate(sp)}
	}
	return cfg, err
}

// ParseConfig strictly decodes and validates a configuration document
// without touching the database. On problems it returns them all, and also
// the config as far as it could be decoded, so that the mapping can still be
// checked against the database and its problems reported with the rest.
func ParseConfig(data []byte) (*Config, error) {
	return parseConfig("", data)
}

// parseConfig is ParseConfig for the document read from file, which
// problems then name with the line and column they are at.
func parseConfig(file string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n  %s", syntaxProblem(file, data, err))
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("invalid configuration:\n  %sthe file is empty; expected server, database and resources sections", orFile(file))
	}
	var probs []string
	probs = append(probs, strictKeys(root.Content[0], reflect.TypeOf(Config{}), "")...)
	cfg := Config{hash: configHash(data), path: file, doc: root.Content[0], typos: typoPaths(probs)}
	if err := root.Content[0].Decode(&cfg); err != nil {
		probs = append(probs, typeErrors(err, root.Content[0], "")...)
	}
	probs = append(probs, cfg.validate()...)
	if len(probs) > 0 {
		return &cfg, &invalidConfigError{cfg.locate(probs)}
	}
	return &cfg, nil
}

// invalidConfigError is every problem found in a config file.
type invalidConfigError struct{ list []string }

func (e *invalidConfigError) Error() string {
	n := fmt.Sprintf("%d problems", len(e.list))
	if len(e.list) == 1 {
		n = "1 problem"
	}
	return fmt.Sprintf("invalid configuration (%s):\n  %s", n, strings.Join(e.list, "\n  "))
}

func configError(probs []string) error { return &invalidConfigError{probs} }

// databaseDown is the error of compiling a config that has no problem
// found without the database, against a database that is unavailable
// (adapters.ErrUnavailable): its message is the config error's, as check
// prints it; serve waits for the database instead.
type databaseDown struct {
	config error
	cause  error
}

func (e *databaseDown) Error() string   { return e.config.Error() }
func (e *databaseDown) Unwrap() []error { return []error{e.config, e.cause} }

// validate checks everything that does not need the database.
func (c *Config) validate() []string {
	var probs []string
	c.Server.ApplyDefaults()
	for _, e := range c.Server.Validate() {
		probs = append(probs, "server."+e)
	}
	if c.Telemetry.Listen == "" {
		c.Telemetry.Listen = DefaultTelemetryListen
	}
	switch c.Log.Format {
	case "", "text", "json":
	default:
		probs = append(probs, fmt.Sprintf("log.format: unknown format %q; expected text or json", c.Log.Format))
	}
	switch c.Log.Level {
	case "", "debug", "info", "warn", "error":
	default:
		probs = append(probs, fmt.Sprintf("log.level: unknown level %q; expected debug, info, warn or error", c.Log.Level))
	}
	probs = append(probs, c.Audit.validate()...)
	newCfg, ok := adapterTypes[c.Database.Type]
	switch {
	case c.Database.Type == "":
		probs = append(probs, "database.type: missing; expected mysql")
	case !ok:
		probs = append(probs, fmt.Sprintf("database.type: unknown adapter type %q; expected mysql", c.Database.Type))
	case c.Database.Config.Kind == 0:
		probs = append(probs, "database.config: missing; expected the connection settings (dsn, or host, user, password, database)")
	default:
		ac := newCfg()
		node := &c.Database.Config
		ks := strictKeys(node, reflect.TypeOf(ac).Elem(), "database.config")
		probs = append(probs, ks...)
		if err := node.Decode(ac); err != nil {
			probs = append(probs, typeErrors(err, node, "database.config")...)
		} else {
			if v, ok := ac.(validator); ok {
				for _, e := range v.Validate() {
					probs = append(probs, "database.config."+e)
				}
			}
			if len(ks) == 0 {
				c.Database.adapter = ac
			}
		}
	}
	return probs
}

// compile opens the database and compiles the mapping against it. Problems
// found earlier (parseErr, from ParseConfig) are reported together with the
// mapping's, so an operator sees every mistake in one run. The returned
// adapter is open; the caller closes it.
func (c *Config) compile(ctx context.Context, parseErr error, open func(adapters.Config) (adapters.Adapter, error)) (adapters.Adapter, *mapping.Mapping, error) {
	var probs []string
	var cp *invalidConfigError
	if errors.As(parseErr, &cp) {
		probs = cp.list
	} else if parseErr != nil {
		return nil, nil, parseErr
	}
	if c.Database.adapter == nil {
		return nil, nil, configError(probs)
	}
	ad, err := open(c.Database.adapter)
	if err != nil {
		return nil, nil, configError(append(probs, c.at("database.config."+err.Error())))
	}
	if err := ad.Ping(ctx); err != nil {
		ad.Close()
		cerr := configError(append(probs, c.at("database: cannot connect, so the mapping was not checked: "+err.Error())))
		if len(probs) == 0 && errors.Is(err, adapters.ErrUnavailable) {
			// Nothing wrong with the config that can be seen without
			// the database, which is down, restarting or refusing
			// connections: serve waits for it (check does not).
			return nil, nil, &databaseDown{config: cerr, cause: err}
		}
		return nil, nil, cerr
	}
	m, mprobs := c.compileMapping(ctx, ad)
	probs = append(probs, mprobs...)
	if len(probs) > 0 {
		ad.Close()
		return nil, nil, configError(probs)
	}
	return ad, m, nil
}

// compileMapping compiles the resources against db (the database, or
// mapping.Offline) and checks the tokens' scopes against them, returning
// the problems with their positions.
func (c *Config) compileMapping(ctx context.Context, db mapping.Describer) (*mapping.Mapping, []string) {
	var mprobs []string
	m, err := mapping.Compile(ctx, c.Resources, db, "resources", c.Server.ScopedColumns()...)
	var ps mapping.ProblemsError
	switch {
	case errors.As(err, &ps):
		for _, p := range ps {
			mprobs = append(mprobs, p.String())
		}
	case err != nil:
		mprobs = append(mprobs, err.Error())
	default:
		for i, t := range c.Server.Tokens {
			if _, sp := m.Specs(t.Scope); len(sp) > 0 {
				for _, p := range sp {
					mprobs = append(mprobs, fmt.Sprintf("server.tokens[%d].scope.%s", i, p))
				}
			}
		}
	}
	return m, c.locate(c.withoutTypos(mprobs))
}

// strictKeys reports every mapping key in n that the Go type t does not
// have, with its YAML path and the keys that were expected, recursing into
// structs, maps and slices. Types that decode themselves from scalars are
// checked only when given as mappings.
func strictKeys(n *yaml.Node, t reflect.Type, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	var probs []string
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(yaml.Node{}) || n.Kind != yaml.MappingNode {
			return nil
		}
		fields := map[string]reflect.StructField{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if !f.IsExported() || tag == "-" || tag == "" {
				continue
			}
			fields[tag] = f
			names = append(names, tag)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			f, ok := fields[k]
			if !ok {
				probs = append(probs, unknownKey(orRoot(join(path, k)), k, names))
				continue
			}
			probs = append(probs, strictKeys(v, f.Type, join(path, k))...)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			p := path + "." + k
			if strings.ContainsAny(k, ".:[] ") {
				p = path + "[" + strconv.Quote(k) + "]"
			}
			probs = append(probs, strictKeys(n.Content[i+1], t.Elem(), p)...)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, e := range n.Content {
			probs = append(probs, strictKeys(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	default:
		// Scalars: the decoder checks their types.
	}
	return probs
}

// unknownKey is the problem of key k at path, which is none of names: the
// closest name if one is close, else all of them.
func unknownKey(path, k string, names []string) string {
	if hint := mapping.DidYouMean(k, names); hint != "" {
		return fmt.Sprintf("%s: unknown key %q%s", path, k, hint)
	}
	return fmt.Sprintf("%s: unknown key %q; expected one of %s", path, k, strings.Join(names, ", "))
}

var typoRE = regexp.MustCompile(`^(.*)\.[^.\[\]]+: unknown key "[^"]*"; did you mean "([^"]+)"\?$`)

// typoPaths returns, for each unknown key that unknownKey found a close
// name for, the path the key was meant to have.
func typoPaths(probs []string) []string {
	var out []string
	for _, p := range probs {
		if m := typoRE.FindStringSubmatch(p); m != nil {
			out = append(out, m[1]+"."+m[2])
		}
	}
	return out
}

// withoutTypos drops the problems under a misspelt key's meant path: with
// defualts written, "defaults: column x ... nothing writes it" follows
// from the misspelling, which is reported.
func (c *Config) withoutTypos(probs []string) []string {
	if len(c.typos) == 0 {
		return probs
	}
	under := func(path, t string) bool {
		return path == t || strings.HasPrefix(path, t+".") || strings.HasPrefix(path, t+"[")
	}
	var out []string
	for _, p := range probs {
		path, _ := splitProblem(p)
		if !slices.ContainsFunc(c.typos, func(t string) bool {
			// Without its attributes, a resource's every other
			// problem (NOT NULL columns nothing writes) is noise.
			return under(path, t) || strings.HasSuffix(t, ".attributes") && under(path, strings.TrimSuffix(t, ".attributes"))
		}) {
			out = append(out, p)
		}
	}
	return out
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// typeErrors turns yaml decoding errors ("line 7: cannot unmarshal !!str
// `abc` into int") into messages that start with the YAML path of line 7.
func typeErrors(err error, root *yaml.Node, prefix string) []string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []string{yamlError(err)}
	}
	paths := map[int]string{}
	indexLines(root, prefix, paths)
	out := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		m := lineRE.FindStringSubmatch(e)
		if m == nil {
			out = append(out, e)
			continue
		}
		line, _ := strconv.Atoi(m[1])
		msg := friendlyTypeError(m[2])
		if p, ok := paths[line]; ok {
			out = append(out, fmt.Sprintf("%s: %s", p, msg))
		} else {
			out = append(out, fmt.Sprintf("line %d: %s", line, msg))
		}
	}
	sort.Strings(out)
	return out
}

// indexLines records the YAML path of the value on each line.
func indexLines(n *yaml.Node, path string, out map[int]string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			if strings.ContainsAny(k.Value, ".:[] ") {
				p = path + "[" + strconv.Quote(k.Value) + "]"
			}
			if _, ok := out[v.Line]; !ok || v.Kind == yaml.ScalarNode {
				out[v.Line] = p
			}
			indexLines(v, p, out)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if _, ok := out[e.Line]; !ok {
				out[e.Line] = p
			}
			indexLines(e, p, out)
		}
	default:
		// Scalars and aliases hold no further lines.
	}
}

func yamlError(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

var (
	unmarshalRE = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `([^`]*)`)? into (.+)$")
	yamlKinds   = map[string]string{"!!seq": "a list", "!!map": "a mapping", "!!str": "the string", "!!int": "the number", "!!bool": "the boolean", "!!float": "the number", "!!null": "null"}
)

// friendlyTypeError rewrites "cannot unmarshal !!str `abc` into int" as
// `got the string "abc"; expected an integer`.
func friendlyTypeError(msg string) string {
	m := unmarshalRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got := yamlKinds[m[1]]
	if got == "" {
		got = m[1]
	}
	if m[2] != "" {
		got += " " + strconv.Quote(m[2])
	}
	want := "a value of type " + m[3]
	switch t := m[3]; {
	case strings.HasPrefix(t, "map["), strings.Contains(t, "Config"):
		want = "a mapping of keys to values"
	case strings.HasPrefix(t, "[]"):
		want = "a list"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		want = "an integer"
	case t == "string":
		want = "a string"
	case t == "bool":
		want = "true or false"
	case t == "time.Duration":
		want = "a duration such as 30s or 5m"
	}
	return "got " + got + "; expected " + want
}

// setDryRun makes every write transaction log its statements and roll
// back, for adapters that support it (adapters.DryRunner).
func (c *Config) setDryRun() error {
	d, ok := c.Database.adapter.(adapters.DryRunner)
	if !ok {
		return fmt.Errorf("-dry-run: the %s adapter does not support it", c.Database.Type)
	}
	d.SetDryRun()
	return nil
}

// dryRun reports whether setDryRun turned dry runs on.
func (c *Config) dryRun() bool {
	d, ok := c.Database.adapter.(adapters.DryRunner)
	return ok && d.DryRunning()
}

// allProblems adds the mapping's problems to those ParseConfig found, when
// the config got far enough to check the mapping against the database, so
// that every problem is reported at once.
func allProblems(ctx context.Context, cfg *Config, parseErr error) error {
	if cfg == nil {
		return parseErr
	}
	ad, _, err := cfg.compile(ctx, parseErr, openAdapter(ctx, nil))
	if err != nil {
		return err
	}
	_ = ad.Close()
	return parseErr
}
