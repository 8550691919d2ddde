package cli

import (
	"flag"
	"os"
)

// defaultConfig is the configuration file read when neither -config nor
// SCIMBRIDGE_CONFIG names one.
const defaultConfig = "scimbridge.yaml"

// defineConfigFlag adds -config to fs. Its default is empty, so that the
// help reads the same whatever the environment; configPath fills it in.
func defineConfigFlag(fs *flag.FlagSet, path *string) {
	fs.StringVar(path, "config", "", "configuration `file` (default $SCIMBRIDGE_CONFIG, else "+defaultConfig+")")
}

// configPath returns the -config value given, else $SCIMBRIDGE_CONFIG,
// else defaultConfig.
func configPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv("SCIMBRIDGE_CONFIG"); env != "" {
		return env
	}
	return defaultConfig
}

// serveOptions are the flags of serve besides -config.
type serveOptions struct {
	// dryRun rolls every write back instead of committing it.
	dryRun bool
	// overrides are the listen addresses and log settings given as flags.
	overrides overrides
}

// define adds serve's flags to fs.
func (o *serveOptions) define(fs *flag.FlagSet) {
	fs.BoolVar(&o.dryRun, "dry-run", false, "log every write and roll it back: try a mapping on a production database safely")
	o.overrides.define(fs)
}
