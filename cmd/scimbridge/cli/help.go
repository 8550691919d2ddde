package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one sub-command of scimbridge. The table in commands drives
// dispatch, `scimbridge help` and every command's -h, so a new command is
// one more entry there.
type command struct {
	// name is what follows "scimbridge" on the command line.
	name string
	// summary is one line for the list of commands.
	summary string
	// args is the synopsis after "scimbridge NAME".
	args string
	// doc says what the command does, in paragraphs of at most 76 columns.
	doc string
	// flags defines the command's flags on fs, for its help; nil if it has
	// none. Commands whose flags are defined here also parse with it, so
	// that help and parser cannot disagree.
	flags func(fs *flag.FlagSet)
	// env lists the environment variables the command reads.
	env []envVar
	// help, if set, is the command's whole help text, printed as it is
	// instead of the one made from args, doc, flags and env.
	help string
	// run runs the command with the arguments after its name and returns
	// the exit code.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// envVar is an environment variable a command reads, for its help.
type envVar struct{ name, doc string }

// commands is the command table, in the order `scimbridge help` lists
// them. It is a function rather than a variable because help's run reads
// the table.
func commands() []command {
	return []command{
		{
			name:    "serve",
			summary: "run the SCIM API and the telemetry listener (the default command)",
			args:    "[flags]",
			doc: `Serve loads the configuration, checks the mapping against the live
database, and serves the SCIM API and, on a second listener, /metrics,
/healthz/live and /healthz/ready until it receives SIGINT or SIGTERM. It
then fails /healthz/ready, lets requests in flight finish, and exits.
It refuses to start on any problem that check would report. Editing the
configuration file reloads it without a restart.

Flags and SCIMBRIDGE_* variables override the file: a flag wins over its
variable, and the variable over the file.`,
			flags: func(fs *flag.FlagSet) {
				defineConfigFlag(fs, new(string))
				new(serveOptions).define(fs)
			},
			env: append([]envVar{configEnv}, overrideEnv()...),
			run: func(ctx context.Context, args []string, _, stderr io.Writer) int {
				return runServe(ctx, args, stderr, nil)
			},
		},
		{
			name:    "check",
			summary: "validate the config and its mapping against the live database",
			args:    "[flags]",
			doc: `Check reports every problem in the configuration at once, each with
its YAML path, what is wrong and what was expected, and checks the mapping
against the database's information_schema. It listens on the listen
addresses as serve would, and closes them again: an address in use is a
warning, since a scimbridge serving this configuration holds it, and
any other failure a problem. On success it prints what each attribute
maps to. It exits 0 when the configuration is valid, 1 if not (or,
with -strict, when there are warnings). -format json prints one JSON
object (config, ok, problems, warnings, resources) on standard output
instead, for tools.

-offline checks without a database, for CI pipelines: the YAML, keys,
types, values, SCIM attribute names and the references between them,
but not the tables, columns, types and indexes, the stored data, hooks'
SQL, secrets or the audit file; it says what it skipped (offline and
skipped in JSON), gives no warnings about the mapping, and exits as
check does. Run check with the database before deploying.`,
			flags: func(fs *flag.FlagSet) {
				defineConfigFlag(fs, new(string))
				new(overrides).define(fs)
				new(checkOutput).define(fs)
			},
			env: append([]envVar{configEnv}, overrideEnv()...),
			run: runCheck,
		},
		{
			name:    "init",
			summary: "write a starting config from the database's tables",
			args:    "-dsn DSN [flags]",
			doc: `Init reads the tables of the application's database and writes a
commented starting configuration, guessing which column holds each SCIM
attribute and marking every guess. Review it, then run check. With -locks
it prints (with -apply, runs) the statement creating the lock table that
database.config.uniquenessLocks: table needs on a cluster.`,
			flags: initFlags,
			env:   []envVar{{"SCIMBRIDGE_DSN", "the DSN, when -dsn is not given"}},
			run:   runInit,
		},
		{
			name:    "explain",
			summary: "print the SQL one SCIM request would run, writes rolled back",
			help:    explainUsage,
			run:     runExplain,
		},
		{
			name:    "healthcheck",
			summary: "probe a running sidecar's readiness (for container health checks)",
			args:    "[flags]",
			doc: `Healthcheck GETs the readiness endpoint of a running scimbridge and exits
0 if it answers 200 OK, 1 otherwise, with the reason on standard error.
It needs no shell or curl, so a distroless image can use it:

    HEALTHCHECK CMD ["/scimbridge", "healthcheck"]

Without -url it probes /healthz/ready on the telemetry address: that of
SCIMBRIDGE_TELEMETRY_LISTEN, else telemetry.listen of the -config file
if one is given, else 127.0.0.1:9090. An unspecified host (":9090",
"0.0.0.0:9090") is probed on the loopback interface.`,
			flags: func(fs *flag.FlagSet) { new(healthcheckOptions).define(fs) },
			env: []envVar{
				{"SCIMBRIDGE_CONFIG", "the configuration file, when -config is not given"},
				{"SCIMBRIDGE_TELEMETRY_LISTEN", "the telemetry address to probe, when -url is not given"},
			},
			run: runHealthcheck,
		},
		{
			name:    "version",
			summary: "print the version, commit and build date",
			doc: `Version prints the release (stamped at build time with -ldflags -X,
else the module version that go install recorded), the commit and its
date, and the Go version. scimbridge -version does the same.`,
			run: runVersion,
		},
		{
			name:    "help",
			summary: "show help for scimbridge or one command",
			args:    "[command]",
			doc:     `Help prints the list of commands, or with a command's name, its help.`,
			run:     runHelp,
		},
	}
}

// configEnv documents SCIMBRIDGE_CONFIG.
var configEnv = envVar{"SCIMBRIDGE_CONFIG", "the configuration file, when -config is not given"}

// initFlags documents the flags of init, which runInit defines itself.
func initFlags(fs *flag.FlagSet) {
	fs.String("dsn", "", "go-sql-driver `DSN` of the application's database (default $SCIMBRIDGE_DSN)")
	fs.String("users-table", "users", "the `table` with one row per user")
	fs.String("groups-table", "", "the `table` with one row per group or role (optional)")
	fs.String("o", "", "write the configuration to this `file` instead of standard output")
	fs.Bool("locks", false, "print the statement that creates the uniqueness lock table (for database.config.uniquenessLocks: table) instead of a configuration")
	fs.Bool("apply", false, "with -locks, run the statement in the DSN's database instead of printing it")
}

// lookupCommand finds a command by name.
func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// wantsHelp reports whether args ask for help: -h, -help or --help
// anywhere before a "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// usage prints the overview: the commands and the global flags.
func usage(w io.Writer) {
	fmt.Fprint(w, `scimbridge provisions users and groups from identity providers (SCIM 2.0)
into an application's own MySQL or MariaDB tables.

Usage:
  scimbridge <command> [flags]
  scimbridge [serve flags]       serve is the default command

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Flags:
  -h, -help, --help        show help; after a command, that command's help
  -version, --version      print the version, as the version command does

Exit codes: 0 success; 1 a problem (an invalid configuration, a failed
check, a sidecar that is not ready); 2 bad usage.

Run 'scimbridge help <command>' for a command's flags.
`)
}

// printHelp prints c's help: synopsis, description, flags, environment.
func (c command) printHelp(w io.Writer) {
	if c.help != "" {
		fmt.Fprint(w, c.help)
		return
	}
	fmt.Fprintf(w, "Usage: scimbridge %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), c.doc)
	if c.flags != nil {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	if len(c.env) > 0 {
		fmt.Fprint(w, "\nEnvironment:\n")
		for _, e := range c.env {
			fmt.Fprintf(w, "  %-28s %s\n", e.name, e.doc)
		}
	}
}

// runHelp prints the overview, or the help of the command named in args.
func runHelp(_ context.Context, args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		usage(stdout)
		return exitOK
	case 1:
		c, ok := lookupCommand(args[0])
		if !ok {
			return unknownCommand(args[0], stderr)
		}
		c.printHelp(stdout)
		return exitOK
	}
	return usageError("help", stderr, "too many arguments %q; expected at most one command", args)
}

// unknownCommand reports a command that is not in the table.
func unknownCommand(name string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "scimbridge: unknown command %q\nRun 'scimbridge help' for usage.\n", name)
	return exitUsage
}

// usageError reports a usage problem of command name in one line, with a
// pointer to its help, and returns exitUsage.
func usageError(name string, stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "scimbridge %s: %s\nRun 'scimbridge help %s' for usage.\n", name, fmt.Sprintf(format, a...), name)
	return exitUsage
}

// newFlagSet returns a flag set for command name that prints nothing
// itself: parseFlags reports its errors.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args into fs, which takes no positional arguments.
// It reports a bad flag or an extra argument in one line on stderr, with
// a pointer to the command's help, and then returns false.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usageError(fs.Name(), stderr, "help requested")
		return false
	case err != nil:
		usageError(fs.Name(), stderr, "%v", err)
		return false
	case fs.NArg() > 0:
		usageError(fs.Name(), stderr, "unexpected argument %q", fs.Arg(0))
		return false
	}
	return true
}
