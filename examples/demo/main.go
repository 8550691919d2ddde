// Demo runs scimbridge against a legacy application's database without
// anything installed but Go.
//
// It starts an embedded MySQL-compatible engine (go-mysql-server) holding a
// database named legacy, creates the tables of an application that was
// never designed for SCIM (schema.sql): users with three people already in
// it, their e-mail addresses in user_emails, and roles with a user_roles
// join table saying who holds which. It serves the SCIM 2.0 API over them
// as scimbridge.yaml maps them: users as SCIM Users, with the enterprise
// extension (employee number, department, manager), e-mails with their
// types, and ETags from the users' lock_version; roles as SCIM Groups. Once
// the sidecar is up it prints the SCIM base URL, the bearer token, the
// metrics URL and curl commands to try; Ctrl-C stops it.
//
// Usage:
//
//	go run ./examples/demo [-listen 127.0.0.1:8080]
//
// Without -listen it serves on 127.0.0.1:8080, or on a free port when 8080
// is busy, and says so; the banner shows the address either way.
//
// The database lives in memory and is gone when the demo stops.
package main

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/sirupsen/logrus"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/cmd/scimbridge/cli"
)

// schema creates the legacy tables: users with its three pre-existing
// users, user_emails with their addresses, and roles and user_roles with
// three roles and who holds them.
//
//go:embed schema.sql
var schema string

// config is the sidecar's configuration; its database DSN is read from
// dsnEnv, which run sets to the embedded engine's DSN.
//
//go:embed scimbridge.yaml
var config []byte

const (
	// dsnEnv is the environment variable scimbridge.yaml takes the DSN from.
	dsnEnv = "SCIMBRIDGE_DEMO_DSN"
	// token is the demo's bearer token, as given in scimbridge.yaml.
	token = "demo-token-not-a-secret"
	// listFilter finds one user the way Okta and Entra look a user up
	// before creating it.
	listFilter = `userName eq "alice"`
	// createBody is the user the printed curl command creates: with two
	// e-mail addresses, and enterprise attributes naming alice (users.id
	// 1) as the manager.
	createBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"userName":"dave","name":{"givenName":"Dave","familyName":"Diaz"},"displayName":"Dave Diaz",` +
		`"emails":[{"value":"dave@example.com","type":"work","primary":true},{"value":"dave.diaz@home.example","type":"home"}],"active":true,` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E-1042","department":"Engineering","manager":{"value":"1"}}}`
	// adminsGroup is the SCIM id of the Administrators role (roles.id 1,
	// with the groups' id prefix g-).
	adminsGroup = "g-1"
	// addMemberBody adds bob (users.id 2) to adminsGroup the way Okta
	// pushes a group membership: a PATCH adding members, without a type.
	addMemberBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"2","display":"bob"}]}]}`
)

// defaultListen is where the SCIM API listens unless -listen says
// otherwise; when it is busy the demo takes a free port instead. A
// variable for the tests.
var defaultListen = "127.0.0.1:8080"

func main() {
	listen := flag.String("listen", "", "`address` of the SCIM API (default "+defaultListen+", or a free port when that one is busy)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./examples/demo [-listen address]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *listen, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		stop()
		os.Exit(1)
	}
}

// endpoints is what a running demo serves.
type endpoints struct {
	// Base is the SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2.
	Base string
	// Metrics is the Prometheus metrics URL.
	Metrics string
	// DSN reaches the embedded database (user root, no password).
	DSN string
}

// run starts the embedded database and the sidecar, prints how to reach
// them to out once both are ready, calls ready (if not nil) and serves until
// ctx is cancelled. The sidecar's logs go to logw. It returns nil after a
// clean shutdown. An empty listen means defaultListen, or a free port on
// its host when that port is busy.
func run(ctx context.Context, listen string, out, logw io.Writer, ready func(endpoints)) error {
	if listen == "" {
		listen = defaultListen
		if busy(listen) {
			host, port, _ := net.SplitHostPort(defaultListen)
			listen = net.JoinHostPort(host, "0")
			fmt.Fprintf(out, "Port %s is busy (another demo or scimbridge?): serving on a free port instead, shown below; -listen chooses one.\n", port)
		}
	}
	// go-mysql-server logs every connection through the standard logrus
	// logger; the sidecar's own log is the one worth reading.
	logrus.SetOutput(io.Discard)

	dsn, stopDB, err := mysqltest.StartEmbedded("127.0.0.1:0", "legacy")
	if err != nil {
		return fmt.Errorf("starting the embedded database: %w", err)
	}
	defer stopDB()
	if err := load(ctx, dsn); err != nil {
		return err
	}

	if err := os.Setenv(dsnEnv, dsn); err != nil {
		return err
	}
	cfg, err := cli.ParseConfig(config)
	if err != nil {
		return fmt.Errorf("scimbridge.yaml: %w", err)
	}
	cfg.Server.Listen = listen
	// Standard output is the banner's: the audit records (stdout by
	// default) go to standard error with the sidecar's log, so that they
	// never mix with it.
	if cfg.Audit.Output == "" || cfg.Audit.Output == "stdout" {
		cfg.Audit.Output = "stderr"
	}

	var onReady cli.Ready = func(scimAddr, telemetryAddr string) {
		e := endpoints{
			Base:    "http://" + dialable(scimAddr) + cfg.Server.BasePath,
			Metrics: "http://" + dialable(telemetryAddr) + "/metrics",
			DSN:     dsn,
		}
		printBanner(out, e)
		if ready != nil {
			ready(e)
		}
	}
	err = cli.Serve(ctx, cfg, logw, onReady)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot listen on %s: the port is busy (is another demo or scimbridge running?); choose another with -listen, e.g. -listen 127.0.0.1:8081", listen)
	}
	return err
}

// busy reports whether addr cannot be listened on because something else
// holds it.
func busy(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.Is(err, syscall.EADDRINUSE)
	}
	ln.Close()
	return false
}

// load creates the legacy schema and its rows.
func load(ctx context.Context, dsn string) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return fmt.Errorf("opening the embedded database: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("loading schema.sql: %w", err)
	}
	return nil
}

// dialable turns a listener address into one a client can connect to:
// a wildcard host (":8080", "[::]:8080") becomes 127.0.0.1.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// userURLs returns the URLs that list every user and look one up by
// listFilter.
func userURLs(base string) (list, lookup string) {
	return base + "/Users", base + "/Users?filter=" + queryEscape(listFilter)
}

// commands returns the curl commands printBanner shows, as shell lines.
func commands(base string) (list, lookup, create, addMember string) {
	auth := shellQuote("Authorization: Bearer " + token)
	listURL, lookupURL := userURLs(base)
	list = "curl -s -H " + auth + " " + shellQuote(listURL)
	lookup = "curl -s -H " + auth + " " + shellQuote(lookupURL)
	create = "curl -s -H " + auth + " -H 'Content-Type: application/scim+json' -d " +
		shellQuote(createBody) + " " + shellQuote(base+"/Users")
	addMember = "curl -s -X PATCH -H " + auth + " -H 'Content-Type: application/scim+json' -d " +
		shellQuote(addMemberBody) + " " + shellQuote(base+"/Groups/"+adminsGroup+"?attributes=displayName,members")
	return list, lookup, create, addMember
}

func printBanner(w io.Writer, e endpoints) {
	list, lookup, create, addMember := commands(e.Base)
	mysqlCmd := ""
	if c, err := gomysql.ParseDSN(e.DSN); err == nil {
		if host, port, err := net.SplitHostPort(c.Addr); err == nil {
			mysqlCmd = fmt.Sprintf("mysql -h %s -P %s -u root %s", host, port, c.DBName)
		}
	}
	fmt.Fprintf(w, `
scimbridge demo is running over the legacy app's tables: users (3 users
already in it, with their addresses in user_emails) and roles (3 roles,
served as SCIM Groups).

  SCIM base URL:  %s
  Bearer token:   %s
  Metrics:        %s
  App database:   %s

List every user, including the ones the app created itself:

  %s

Look a user up the way Okta does before provisioning (meta.version is an
ETag from users.lock_version: send it in If-Match to change a user only if
nobody else has since):

  %s

Create a user (the app sees a new row in users, with status 'active',
password_hash '!', department Engineering and manager_id 1, alice; and a
work and a home address in user_emails):

  %s

Add bob to the Administrators group, as Okta does when it pushes a group
membership (the app sees a new row in user_roles):

  %s

Press Ctrl-C to stop; the database lives in memory and goes with it.

`, e.Base, token, e.Metrics, mysqlCmd, list, lookup, create, addMember)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// queryEscape escapes a query parameter value, with %20 for spaces rather
// than the "+" some servers do not read as one.
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
