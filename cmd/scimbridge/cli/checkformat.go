package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/mapping"
)

// checkOutput holds check's flags beside -config and the overrides:
// -format, -strict and -offline.
type checkOutput struct {
	format  string
	strict  bool
	offline bool
}

func (o *checkOutput) define(fs *flag.FlagSet) {
	fs.BoolVar(&o.offline, "offline", false, "check without a database (for CI): the YAML, types and references only; what is skipped is listed")
	fs.StringVar(&o.format, "format", "text", "output `format`: text, or json for tools (one object on standard output)")
	fs.BoolVar(&o.strict, "strict", false, "fail (exit 1) on warnings too")
}

// valid reports a -format that is neither text nor json as a usage error.
func (o *checkOutput) valid(stderr io.Writer) bool {
	if o.format == "text" || o.format == "json" {
		return true
	}
	fmt.Fprintf(stderr, "check: -format %q: expected text or json\nRun 'scimbridge help check' for usage.\n", o.format)
	return false
}

// text is where the text report goes: stdout, or nowhere for -format json.
func (o *checkOutput) text(stdout io.Writer) io.Writer {
	if o.format == "json" {
		return io.Discard
	}
	return stdout
}

// checkReport is check's -format json output.
type checkReport struct {
	// Config is the configuration file checked.
	Config string `json:"config"`
	// OK is true when check exits 0.
	OK bool `json:"ok"`
	// Problems are what makes the configuration invalid, each with its
	// position and YAML path; empty when there are none.
	Problems []string `json:"problems"`
	// Warnings are what serve would run with but may not be meant.
	Warnings []string `json:"warnings"`
	// Resources describe each mapped resource, as the text output does.
	Resources []checkResource `json:"resources"`
	// Strict is true under -strict, where warnings fail the check.
	Strict bool `json:"strict"`
	// Offline is true under -offline, where nothing was checked against
	// the database; Skipped then lists what was not checked.
	Offline bool     `json:"offline"`
	Skipped []string `json:"skipped,omitempty"`
}

type checkResource struct {
	Name  string   `json:"name"`
	Table string   `json:"table"`
	Key   string   `json:"key"`
	Lines []string `json:"lines"`
}

// failed reports a configuration that did not load or compile, and
// returns the exit code.
func (o *checkOutput) failed(stdout, stderr io.Writer, path string, err error) int {
	if o.format != "json" {
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
		return exitFailure
	}
	r := checkReport{Config: path, Problems: problemList(err), Warnings: []string{}, Resources: []checkResource{}, Strict: o.strict}
	o.markOffline(&r)
	writeJSON(stdout, r)
	return exitFailure
}

// passed reports a configuration that compiled, with its warnings, and
// returns the exit code: 1 under -strict when there are warnings.
func (o *checkOutput) passed(stdout io.Writer, path string, m *mapping.Mapping, warnings []string) int {
	code := exitOK
	if o.strict && len(warnings) > 0 {
		code = exitFailure
	}
	if o.format == "json" {
		r := checkReport{Config: path, OK: code == exitOK, Problems: []string{}, Warnings: append([]string{}, warnings...), Resources: []checkResource{}, Strict: o.strict}
		o.markOffline(&r)
		for _, res := range m.Resources() {
			lines := []string{}
			if !o.offline {
				lines = append(lines, res.Describe()...)
			}
			r.Resources = append(r.Resources, checkResource{Name: res.Name, Table: string(res.Spec.Table), Key: string(res.Spec.Key), Lines: lines})
		}
		writeJSON(stdout, r)
		return code
	}
	for _, w := range warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	switch n := len(warnings); {
	case n > 0 && code != exitOK:
		fmt.Fprintf(stdout, "%s: FAILED under -strict: %d warnings\n", path, n)
	case n > 0:
		fmt.Fprintf(stdout, "%s: OK, with %d warnings\n", path, n)
	default:
		fmt.Fprintf(stdout, "%s: OK\n", path)
	}
	return code
}

// offlineSkipped is what check -offline does not check, as it says.
var offlineSkipped = []string{
	"the database connection",
	"tables, columns, their types and indexes (and what depends on them: keys, NOT NULL columns, joins, child and link tables, members)",
	"the stored values of active and integer time columns",
	"hooks' SQL",
	"secrets (token and password files and variables) and the audit file",
}

func (o *checkOutput) markOffline(r *checkReport) {
	if o.offline {
		r.Offline, r.Skipped = true, offlineSkipped
	}
}

// checkOffline is check -offline: the configuration compiled without a
// database (mapping.Offline), after the problems found loading it (err).
func checkOffline(ctx context.Context, cfg *Config, err error, o checkOutput, stdout, stderr io.Writer, path string, warnings []string) int {
	var probs []string
	var ce *invalidConfigError
	if errors.As(err, &ce) {
		probs = ce.list
	} else if err != nil {
		return o.failed(stdout, stderr, path, err)
	}
	var m *mapping.Mapping
	// As check does, the mapping once the database settings are valid
	// (they name the engine).
	if cfg.Database.adapter != nil {
		var mprobs []string
		m, mprobs = cfg.compileMapping(ctx, mapping.Offline)
		probs = append(slices.Clone(probs), mprobs...)
	}
	if len(probs) > 0 {
		if o.format != "json" {
			fmt.Fprintf(stderr, "%s: offline: %s\n", path, skippedLine())
		}
		return o.failed(stdout, stderr, path, configError(probs))
	}
	out := o.text(stdout)
	fmt.Fprintf(out, "offline: %s\n", skippedLine())
	for _, r := range m.Resources() {
		fmt.Fprintf(out, "%s -> table %s (key %s)\n", r.Name, r.Spec.Table, r.Spec.Key)
	}
	return o.passed(stdout, path, m, slices.Concat(m.Warnings, warnings))
}

func skippedLine() string {
	return "not checked without a database: " + strings.Join(offlineSkipped, "; ")
}

// problemList is the list of problems an error from loading or compiling
// a configuration carries.
func problemList(err error) []string {
	var ce *invalidConfigError
	if errors.As(err, &ce) {
		return append([]string{}, ce.list...)
	}
	return []string{err.Error()}
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
