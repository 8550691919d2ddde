// Command scimbridge is a SCIM 2.0 service provider (RFC 7643, RFC 7644)
// that runs beside a legacy application and provisions its users straight
// into the application's own MySQL or MariaDB tables, as described by a YAML
// mapping. Okta, Microsoft Entra ID and other identity providers talk SCIM
// to it; the application sees rows appear, change and be deactivated.
//
// Usage:
//
//	scimbridge serve -config scimbridge.yaml   run the sidecar
//	scimbridge check -config scimbridge.yaml   validate the config against the database
//	scimbridge version                         print the version
//
// Exit codes: 0 success, 1 an invalid configuration or a failed check,
// 2 bad usage.
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
