package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
)

// Default pool settings, applied when the config leaves them zero.
const (
	// DefaultMaxOpenConns bounds the connections one sidecar opens.
	DefaultMaxOpenConns = 16
	// DefaultMaxIdleConns keeps this many connections ready between requests.
	DefaultMaxIdleConns = 8
	// DefaultConnMaxLifetime recycles connections before server-side timeouts.
	DefaultConnMaxLifetime = 5 * time.Minute
	// DefaultLockTimeout bounds the wait for a uniqueness lock (GET_LOCK).
	DefaultLockTimeout = 10 * time.Second
)

// Config says how to reach the database: either a complete DSN or its parts.
type Config struct {
	// DSN is a complete go-sql-driver DSN (user:pass@tcp(host:3306)/db).
	// Mutually exclusive with the parts below.
	DSN adapters.Secret `yaml:"dsn"`
	// Host of the server; default 127.0.0.1.
	Host string `yaml:"host"`
	// Port of the server; default 3306.
	Port int `yaml:"port"`
	// User to connect as.
	User string `yaml:"user"`
	// Password of User.
	Password adapters.Secret `yaml:"password"`
	// Database (schema) holding the application's tables.
	Database string `yaml:"database"`
	// Params are extra DSN parameters (tls, charset, ...).
	Params map[string]string `yaml:"params"`
	// MaxOpenConns bounds the connections, reads' and writes' pools
	// together (each gets half, at least one); default
	// DefaultMaxOpenConns.
	MaxOpenConns int `yaml:"maxOpenConns"`
	// MaxIdleConns bounds the idle connections of each pool; default
	// DefaultMaxIdleConns.
	MaxIdleConns int `yaml:"maxIdleConns"`
	// ConnMaxLifetime; default DefaultConnMaxLifetime.
	ConnMaxLifetime time.Duration `yaml:"connMaxLifetime"`
	// UniquenessLocks is how two sidecars (or two requests) creating or
	// renaming to one unique value (a userName) that no unique index of
	// the table keeps unique take turns: "named" (the default) takes a
	// GET_LOCK named by the value, which is server-wide on one server but
	// local to one node of a Galera cluster (or Group Replication
	// multi-primary); "table" writes a row of the table scimbridge_locks,
	// which every node certifies, in the write's own transaction. The
	// table must exist: create it with scimbridge init -locks -apply (or
	// deploy/galera/scimbridge_locks.sql). On an engine where GET_LOCK
	// cannot keep a value unique (a Galera node, Group Replication
	// multi-primary, Vitess, TiDB before 6.1) "named" is refused for a
	// column no unique index keeps unique (see docs/clusters.md).
	// A column a unique index keeps unique takes no lock either way.
	UniquenessLocks string `yaml:"uniquenessLocks"`
	// DryRun logs every write and rolls its transaction back; set by the
	// -dry-run flag, not in the file.
	DryRun bool `yaml:"-"`
	// Trace, if set, is called with every statement the pool sends, with
	// its arguments, before it runs: scimbridge explain shows them. Set
	// by the program, not in the file.
	Trace func(Statement) `yaml:"-"`
}

// The values of Config.UniquenessLocks.
const (
	LocksNamed     = "named"
	LocksTableMode = "table"
)

// Validate reports every problem with the config, each as "field: problem".
func (c *Config) Validate() []string {
	var errs []string
	if err := c.DSN.Check(); err != nil {
		errs = append(errs, "dsn: "+err.Error())
	}
	if err := c.Password.Check(); err != nil {
		errs = append(errs, "password: "+err.Error())
	}
	if c.UniquenessLocks != "" && c.UniquenessLocks != LocksNamed && c.UniquenessLocks != LocksTableMode {
		errs = append(errs, "uniquenessLocks: "+strconv.Quote(c.UniquenessLocks)+" is not a kind of lock; expected named (GET_LOCK, one server) or table (rows of "+LocksTable+", clusters)")
	}
	if !c.DSN.IsZero() {
		if c.Host != "" || c.User != "" || c.Database != "" || c.Port != 0 || !c.Password.IsZero() {
			errs = append(errs, "dsn: give either dsn or host/port/user/password/database, not both")
		}
		return errs
	}
	if c.User == "" {
		errs = append(errs, "user: missing; expected the database user to connect as (or a dsn)")
	}
	if c.Database == "" {
		errs = append(errs, "database: missing; expected the name of the application's database (or a dsn)")
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, "port: "+strconv.Itoa(c.Port)+" is not a TCP port; expected 1-65535")
	}
	return errs
}

// StrictSQLMode is the session's sql_mode unless params give one: the
// server's own modes with STRICT_TRANS_TABLES added.
const StrictSQLMode = "CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_TRANS_TABLES')"

// FormatDSN resolves the secrets and returns the DSN to connect with. The
// options scimbridge relies on (parseTime, UTC timestamps, client-side
// interpolated parameters) are always set, and multiStatements unless the
// DSN or params turn it off.
func (c *Config) FormatDSN() (string, error) {
	var cfg *mysql.Config
	batches := true
	if !c.DSN.IsZero() {
		dsn, err := c.DSN.Resolve()
		if err != nil {
			return "", fmt.Errorf("dsn: %w", err)
		}
		cfg, err = mysql.ParseDSN(dsn)
		if err != nil {
			return "", fmt.Errorf("dsn: %w", err)
		}
		batches = !saysMultiStatements(dsn) || cfg.MultiStatements
	} else {
		cfg = mysql.NewConfig()
		host, port := c.Host, c.Port
		if host == "" {
			host = "127.0.0.1"
		}
		if port == 0 {
			port = 3306
		}
		cfg.Net = "tcp"
		cfg.Addr = host + ":" + strconv.Itoa(port)
		cfg.User = c.User
		cfg.DBName = c.Database
		if !c.Password.IsZero() {
			pw, err := c.Password.Resolve()
			if err != nil {
				return "", fmt.Errorf("password: %w", err)
			}
			cfg.Passwd = pw
		}
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	for k, v := range c.Params {
		cfg.Params[k] = v
	}
	if v, ok := cfg.Params["multiStatements"]; ok {
		// Given in params rather than in the DSN: a DSN option, not a
		// session variable.
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("params: multiStatements: %q is neither true nor false", v)
		}
		batches = b
		delete(cfg.Params, "multiStatements")
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	// TIMESTAMP columns are converted by the session's time zone: UTC
	// makes what is read and written absolute instants.
	cfg.Params["time_zone"] = "'+00:00'"
	if _, set := cfg.Params["sql_mode"]; !set {
		// Strict, whatever the server's default: a value a column
		// cannot hold is an error, never silently stored as another
		// (a deactivation written as 0 to a TINYINT). Only scimbridge's
		// own sessions are changed; the modes the server gives are kept.
		cfg.Params["sql_mode"] = StrictSQLMode
	}
	cfg.InterpolateParams = true
	// Several statements in one round trip: an update's last statement
	// and its COMMIT, a user and the user's groups. The arguments are
	// interpolated by the driver, which escapes them as it does for one
	// statement; statement text comes only from the validated config. A
	// DSN or params that say multiStatements=false (for a proxy that
	// refuses them) turn it off: each statement takes its own round trip.
	cfg.MultiStatements = batches
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	// A stalled network must not hold a connection for ever: reads and
	// writes of one packet give up after a minute unless told otherwise.
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = time.Minute
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = time.Minute
	}
	if cfg.DBName == "" {
		return "", errors.New("dsn: no database named")
	}
	return cfg.FormatDSN(), nil
}

// saysMultiStatements reports whether a DSN sets the driver's
// multiStatements itself (to what, ParseDSN reads).
func saysMultiStatements(dsn string) bool {
	// As ParseDSN: the parameters follow the last slash.
	_, query, ok := strings.Cut(dsn[strings.LastIndex(dsn, "/")+1:], "?")
	if !ok {
		return false
	}
	vals, err := url.ParseQuery(query)
	return err == nil && vals.Has("multiStatements")
}

// Open connects to the database and returns the adapter. It does not fail
// when the database is down: Ping reports that, and requests get
// adapters.ErrUnavailable until it is back.
func (c *Config) Open(_ context.Context, logger *slog.Logger) (adapters.Adapter, error) {
	dsn, err := c.FormatDSN()
	if err != nil {
		return nil, err
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if logger != nil {
		// The driver's own complaints (a connection found broken) go
		// into the structured log, not as plain lines on stderr.
		cfg.Logger = driverLogger{logger}
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	// Reads and writes get a pool each, splitting MaxOpenConns between
	// them (see Adapter.writer).
	open := orDefault(c.MaxOpenConns, DefaultMaxOpenConns)
	writes := max(1, open/2)
	reads := max(1, open-writes)
	idle := orDefault(c.MaxIdleConns, DefaultMaxIdleConns)
	lt := c.ConnMaxLifetime
	if lt == 0 {
		lt = DefaultConnMaxLifetime
	}
	_, syncWaitSet := cfg.Params["wsrep_sync_wait"]
	var causal *causalReads
	if !syncWaitSet {
		causal = &causalReads{}
	}
	pool := func(autocommit bool, n int) *sqlx.DB {
		var connector driver.Connector = session{conn, autocommit, causal}
		if c.Trace != nil {
			connector = tracing{connector, c.Trace}
		}
		db := sqlx.NewDb(sql.OpenDB(connector), "mysql")
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(min(n, idle))
		db.SetConnMaxLifetime(lt)
		return db
	}
	a := New(pool(true, reads), logger)
	a.writer = pool(false, writes)
	a.dryRun = c.DryRun
	a.batches = cfg.MultiStatements
	a.readCommitted = true
	a.lockRows = c.UniquenessLocks == LocksTableMode
	return a, nil
}

// session opens connections whose session isolation level is READ
// COMMITTED, the level of every transaction scimbridge runs, so that a
// transaction need not ask for it: asking in BeginTx costs a SET
// TRANSACTION statement, one more round trip, per write. (The DSN cannot
// say it portably: the variable is tx_isolation on MariaDB before 11.1 and
// transaction_isolation on MySQL 8.) Without autocommit, the connection's
// statements form a transaction until COMMIT or ROLLBACK.
//
// On a Galera node (wsrep_on), every session waits for the cluster before
// its statements (wsrep_sync_wait, see SyncWait) unless params set
// wsrep_sync_wait themselves.
type session struct {
	driver.Connector
	autocommit bool
	causal     *causalReads // nil: wsrep_sync_wait is left as it is
}

// SyncWait is the wsrep_sync_wait of scimbridge's sessions on a Galera
// node: before a SELECT (1), an UPDATE or DELETE (2), an INSERT or REPLACE
// (4) that is the first statement of a transaction or runs on its own, the
// node applies every write set the cluster committed before the statement
// arrived. A read that decides a write (the uniqueness check, the row an
// update or delete locks, the members a PATCH removes), and a read after a
// client's own write through another node, then sees every committed
// write. A transaction's first statement may be any of the three: an
// update's SELECT ... FOR UPDATE, a membership's DELETE or INSERT ...
// SELECT. Galera waits only before the first statement of a transaction,
// so the cost is one wait per request, not per statement.
const SyncWait = 7

// syncWaitSQL sets wsrep_sync_wait on a Galera node and leaves it alone
// on a server that has the variable without wsrep (MariaDB's own builds);
// a server without it (MySQL, the embedded engine) refuses the statement.
var syncWaitSQL = "SET SESSION wsrep_sync_wait = IF(@@global.wsrep_on, " + strconv.Itoa(SyncWait) + ", @@session.wsrep_sync_wait)"

// causalReads remembers, for the pools of one Config.Open, that the
// server has no wsrep_sync_wait, so that new connections stop asking.
type causalReads struct{ absent atomic.Bool }

// set sets wsrep_sync_wait on a new connection, where the server has it.
// A server error (an unknown variable) is no error: the server is no
// Galera node.
func (c *causalReads) set(ctx context.Context, ex driver.ExecerContext) error {
	if c == nil || c.absent.Load() {
		return nil
	}
	_, err := ex.ExecContext(ctx, syncWaitSQL, nil)
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		c.absent.Store(true)
		return nil
	}
	return err
}

func (c session) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("the MySQL driver cannot execute statements on a connection")
	}
	if _, err := ex.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("setting the session isolation level: %w", err)
	}
	if err := c.causal.set(ctx, ex); err != nil {
		conn.Close()
		return nil, fmt.Errorf("setting wsrep_sync_wait: %w", err)
	}
	if !c.autocommit {
		if _, err := ex.ExecContext(ctx, "SET SESSION autocommit = 0", nil); err != nil {
			conn.Close()
			return nil, fmt.Errorf("turning autocommit off: %w", err)
		}
	}
	return conn, nil
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// driverLogger is the MySQL driver's Logger writing to slog: the lines it
// logs by itself (a connection found closed, an unexpected EOF) are
// warnings with the text in detail and the driver's source line, which it
// puts first, in at.
type driverLogger struct{ logger *slog.Logger }

// driverSource is the file:line the driver puts before what it logs.
var driverSource = regexp.MustCompile(`^[a-z_]+\.go:[0-9]+$`)

func (l driverLogger) Print(v ...any) {
	parts := make([]string, 0, len(v))
	for _, x := range v {
		if p := strings.TrimSpace(fmt.Sprint(x)); p != "" {
			parts = append(parts, p)
		}
	}
	attrs := []any{}
	if len(parts) > 1 && driverSource.MatchString(parts[0]) {
		attrs = append(attrs, "at", parts[0])
		parts = parts[1:]
	}
	l.logger.Warn("database driver", append(attrs, "detail", strings.Join(parts, " "))...)
}
