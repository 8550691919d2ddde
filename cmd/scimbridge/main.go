// Command scimbridge is a SCIM 2.0 service provider (RFC 7643, RFC 7644)
// that runs beside a legacy application and provisions its users straight
// into the application's own MySQL or MariaDB tables, as described by a YAML
// mapping. Okta, Microsoft Entra ID and other identity providers talk SCIM
// to it; the application sees rows appear, change and be deactivated.
//
// Usage:
//
//	scimbridge serve -config scimbridge.yaml   run the sidecar (the default command)
//	scimbridge check -config scimbridge.yaml   validate the config against the database
//	scimbridge init -dsn DSN                   write a starting config from the database's tables
//	scimbridge explain METHOD PATH [BODY]      print the SQL one SCIM request would run
//	scimbridge healthcheck                     probe a running sidecar's /healthz/ready
//	scimbridge version                         print the version, commit and build date
//	scimbridge help [command]                  show help; so does -h after any command
//
// serve and check take -listen, -telemetry-listen, -log-level and
// -log-format, and the same settings from SCIMBRIDGE_LISTEN,
// SCIMBRIDGE_TELEMETRY_LISTEN, SCIMBRIDGE_LOG_LEVEL and
// SCIMBRIDGE_LOG_FORMAT: a flag wins over its variable, the variable over
// the configuration file. SCIMBRIDGE_CONFIG names the file when -config
// does not.
//
// Help goes to standard output. Exit codes: 0 success; 1 a problem (an
// invalid configuration, a failed check, a sidecar that is not ready);
// 2 bad usage (an unknown command or flag, reported in one line on
// standard error with a pointer to scimbridge help).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
