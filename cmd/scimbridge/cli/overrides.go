package cli

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
)

// setting is one config value that a flag and a SCIMBRIDGE_* environment
// variable may override: the flag wins over the variable, and the variable
// over the file.
type setting struct {
	// flag is the flag's name, without the dash.
	flag string
	// env is the environment variable.
	env string
	// key is the YAML path of the value in the config file.
	key string
	// usage documents the flag; a `word` in it names the flag's value.
	usage string
	// field points at the value in cfg.
	field func(cfg *Config) *string
	// check returns what is wrong with v and what was expected, or "".
	check func(v string) string
}

// settings are the overridable values, in the order their problems are
// reported.
var settings = []setting{
	{
		flag: "listen", env: "SCIMBRIDGE_LISTEN", key: "server.listen",
		usage: "`address` of the SCIM API, such as :8080",
		field: func(c *Config) *string { return &c.Server.Listen },
		check: checkAddress,
	},
	{
		flag: "telemetry-listen", env: "SCIMBRIDGE_TELEMETRY_LISTEN", key: "telemetry.listen",
		usage: "`address` of /metrics and /healthz/*, such as :9090, or off",
		field: func(c *Config) *string { return &c.Telemetry.Listen },
		check: func(v string) string {
			if v == "off" {
				return ""
			}
			return checkAddress(v)
		},
	},
	{
		flag: "log-level", env: "SCIMBRIDGE_LOG_LEVEL", key: "log.level",
		usage: "log `level`: debug, info, warn or error",
		field: func(c *Config) *string { return &c.Log.Level },
		check: oneOf("level", "debug", "info", "warn", "error"),
	},
	{
		flag: "log-format", env: "SCIMBRIDGE_LOG_FORMAT", key: "log.format",
		usage: "log `format`: text or json",
		field: func(c *Config) *string { return &c.Log.Format },
		check: oneOf("format", "text", "json"),
	},
}

// overrides holds the override flags given on the command line. Define
// its flags on a flag set, parse, then apply it to the loaded config.
type overrides struct {
	// flags maps a setting's flag name to the value given; absent if the
	// flag was not given.
	flags map[string]string
	// getenv reads the environment; nil means os.Getenv.
	getenv func(string) string
}

// define adds a flag for every setting to fs.
func (o *overrides) define(fs *flag.FlagSet) {
	for _, s := range settings {
		fs.Func(s.flag, s.usage+" (overrides $"+s.env+" and "+s.key+")", func(v string) error {
			if o.flags == nil {
				o.flags = map[string]string{}
			}
			o.flags[s.flag] = v
			return nil
		})
	}
}

// lookup returns the value that overrides s and where it came from
// ("-listen" or "SCIMBRIDGE_LISTEN"), or ok false if nothing does. An
// empty environment variable counts as unset.
func (o *overrides) lookup(s setting) (v, from string, ok bool) {
	if v, ok := o.flags[s.flag]; ok {
		return v, "-" + s.flag, true
	}
	getenv := o.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv(s.env); v != "" {
		return v, s.env, true
	}
	return "", "", false
}

// apply overrides cfg's values from the flags and the environment, and
// returns err, from loadConfig, with every invalid override added to its
// problems, each named by the flag or variable that gave it. A nil cfg
// (the file could not be read) is left alone and err returned as it is.
func (o *overrides) apply(cfg *Config, err error) error {
	if cfg == nil {
		return err
	}
	var probs []string
	for _, s := range settings {
		v, from, ok := o.lookup(s)
		if !ok {
			continue
		}
		if p := s.check(v); p != "" {
			probs = append(probs, fmt.Sprintf("%s (overriding %s): %s", from, s.key, p))
			continue
		}
		*s.field(cfg) = v
	}
	return withProblems(err, probs)
}

// withProblems adds probs to the problems of err, an *invalidConfigError
// or nil.
func withProblems(err error, probs []string) error {
	if len(probs) == 0 {
		return err
	}
	var ce *invalidConfigError
	switch {
	case err == nil:
		return configError(probs)
	case errors.As(err, &ce):
		return configError(append(append([]string(nil), ce.list...), probs...))
	}
	return err
}

// overrideEnv documents the settings' environment variables, for help.
func overrideEnv() []envVar {
	out := make([]envVar, 0, len(settings))
	for _, s := range settings {
		out = append(out, envVar{s.env, s.key + ", unless -" + s.flag + " is given"})
	}
	return out
}

// checkAddress checks a host:port listen address.
func checkAddress(v string) string {
	const want = "expected host:port, such as :8080 or 127.0.0.1:8080"
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return fmt.Sprintf("invalid address %q: %s; %s", v, ae.Err, want)
		}
		return fmt.Sprintf("invalid address %q; %s", v, want)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Sprintf("invalid port %q in address %q; expected a number from 0 to 65535", port, v)
	}
	return ""
}

// oneOf returns a check that v is one of the allowed values; what names
// the value in the message ("unknown level").
func oneOf(what string, allowed ...string) func(string) string {
	return func(v string) string {
		for _, a := range allowed {
			if v == a {
				return ""
			}
		}
		return fmt.Sprintf("unknown %s %q; expected %s", what, v, orList(allowed))
	}
}

// orList joins a, b and c as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
