package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/coltype"
)

var (
	_ adapters.Adapter = (*Adapter)(nil)
	_ adapters.Readier = (*Adapter)(nil)
)

// Adapter is an adapters.Adapter over one sqlx connection pool.
type Adapter struct {
	db     *sqlx.DB
	logger *slog.Logger
	// writer, if set, is the pool write transactions run on: its
	// connections have autocommit off, so a transaction begins with its
	// first statement instead of a BEGIN of its own, one round trip fewer
	// per write. Reads stay on db, whose connections autocommit: a read on
	// writer would leave a transaction open, holding metadata locks that
	// block the application's ALTER TABLE. Config.Open sets it; with New
	// alone, transactions start with BEGIN on db.
	writer *sqlx.DB

	// dryRun rolls back every write transaction after logging its
	// statements, for trying a mapping on a production database.
	dryRun bool
	// batches says that the pools' connections take several statements
	// in one round trip (the driver's multiStatements; Config.Open sets
	// it): on MySQL and MariaDB, a write's last statement carries its
	// COMMIT, and a user's row and groups are read together (see
	// store.batch).
	batches bool
	// readCommitted says that every connection of the pool runs at READ
	// COMMITTED already (Config.Open sets it up), so transactions need
	// not ask for the level.
	readCommitted bool
	// lockRows says that uniqueness locks are rows of LocksTable
	// (Config.UniquenessLocks "table"), not GET_LOCK.
	lockRows bool
	// readyPlain says that the server lacks what readyQuery reads, so
	// Ready asks only for read_only.
	readyPlain atomic.Bool
	// writes counts the write transactions of every store, so that a
	// store can tell whether a count it took may still be right.
	writes atomic.Uint64

	mu     sync.Mutex // guards the following fields
	tables map[adapters.Table]adapters.TableInfo
	// computed holds, for every described table, what the server may
	// write into its rows beyond what a statement sets (see computedOf).
	computed map[adapters.Table]computed
	// probed is set once the server has been identified; collates
	// reports whether its unique indexes compare values under their
	// columns' collations, returning whether it has INSERT ... RETURNING
	// (see probe).
	probed, collates, returning bool
	// wsrep says that the server is a Galera node (@@global.wsrep_on),
	// where GET_LOCK and SELECT ... FOR UPDATE hold on that node only;
	// engine names the server for check (see Engine).
	wsrep  bool
	engine string
	// kind is the engine probe found, version its VERSION().
	kind    engineKind
	version string
	// locksMissing says that lockRows is set and LocksTable does not
	// exist: stores that would lock refuse to start.
	locksMissing bool
	// database is the schema the pool uses, which named locks are
	// qualified by (GET_LOCK names are server-wide).
	database string
}

// New wraps an open pool. The DSN must set parseTime=true.
func New(db *sqlx.DB, logger *slog.Logger) *Adapter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Adapter{db: db, logger: logger, tables: map[adapters.Table]adapters.TableInfo{}, computed: map[adapters.Table]computed{}}
}

// computed is what the server itself writes into a table's rows: columns
// it computes (GENERATED, ON UPDATE CURRENT_TIMESTAMP) and whether
// triggers may change anything. A store reads a row back after an update
// unless neither can touch the columns it reads.
type computed struct {
	columns  map[adapters.Column]bool
	triggers bool
}

// DB returns the pool, for metrics on its statistics.
func (a *Adapter) DB() *sql.DB { return a.db.DB }

// Ping reports whether the database answers.
func (a *Adapter) Ping(ctx context.Context) error {
	if err := a.db.PingContext(ctx); err != nil {
		return classify(err)
	}
	return nil
}

// readyQuery asks, in one round trip, what decides whether the server
// takes writes: read_only (global: a connection with SUPER or READ_ONLY
// ADMIN, root's, is exempt from it, but the application's is not), and on
// a Galera node whether it is in the cluster and synced. MariaDB reports
// the wsrep status variables (wsrep_ready OFF) even without Galera, so
// they count only where wsrep_on is set. readyPlain is for servers without
// wsrep_on or information_schema.GLOBAL_STATUS (MySQL 8).
const (
	readyQuery = "SELECT @@global.read_only, @@global.wsrep_on," +
		" (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY')," +
		" (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE')"
	readyPlain = "SELECT @@global.read_only"
)

// wsrepSynced is wsrep_local_state of a Galera node that is synced.
const wsrepSynced = "4"

// Ready reports whether the server answers and takes writes: not while
// read_only is on, nor on a Galera node that is not ready (wsrep_ready
// OFF) or not synced (wsrep_local_state other than 4).
func (a *Adapter) Ready(ctx context.Context) error {
	var readOnly, wsrepOn, wsrepReady, wsrepState sql.NullString
	var err error
	if !a.readyPlain.Load() {
		err = a.db.QueryRowxContext(ctx, readyQuery).Scan(&readOnly, &wsrepOn, &wsrepReady, &wsrepState)
		var me *mysql.MySQLError
		if errors.As(err, &me) && classify(err) == err {
			// The server answered, but has no such variable or table:
			// not MariaDB, nor Galera.
			a.readyPlain.Store(true)
		}
	}
	if a.readyPlain.Load() {
		err = a.db.QueryRowxContext(ctx, readyPlain).Scan(&readOnly)
	}
	if err != nil {
		return classify(err)
	}
	return notReady(readOnly.String, wsrepOn.String, wsrepReady.String, wsrepState.String)
}

// notReady judges the answer of readyQuery: nil when the server takes
// writes, else why not.
func notReady(readOnly, wsrepOn, wsrepReady, wsrepState string) error {
	on := func(v string) bool { return v == "1" || strings.EqualFold(v, "ON") }
	switch {
	case on(readOnly):
		return fmt.Errorf("%w: the server is read-only (read_only=ON)", adapters.ErrUnavailable)
	case !on(wsrepOn):
		return nil
	case !on(wsrepReady):
		return fmt.Errorf("%w: the Galera node is not ready (wsrep_ready=%s)", adapters.ErrUnavailable, orNone(wsrepReady))
	case wsrepState != wsrepSynced:
		return fmt.Errorf("%w: the Galera node is not synced (wsrep_local_state=%s, 4 is synced)", adapters.ErrUnavailable, orNone(wsrepState))
	}
	return nil
}

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// WriteDB returns the pool of write transactions, for metrics on its
// statistics, or nil when writes share DB's pool.
func (a *Adapter) WriteDB() *sql.DB {
	if a.writer == nil {
		return nil
	}
	return a.writer.DB
}

// Close closes the pools.
func (a *Adapter) Close() error {
	err := a.db.Close()
	if a.writer != nil {
		err = errors.Join(err, a.writer.Close())
	}
	return err
}

type columnRow struct {
	Name      string         `db:"COLUMN_NAME"`
	DataType  string         `db:"DATA_TYPE"`
	Type      string         `db:"COLUMN_TYPE"`
	Nullable  string         `db:"IS_NULLABLE"`
	Default   sql.NullString `db:"COLUMN_DEFAULT"`
	MaxLen    sql.NullInt64  `db:"CHARACTER_MAXIMUM_LENGTH"`
	Collation sql.NullString `db:"COLLATION_NAME"`
	Charset   sql.NullString `db:"CHARACTER_SET_NAME"`
	Extra     string         `db:"EXTRA"`
}

type indexRow struct {
	Name      string `db:"INDEX_NAME"`
	NonUnique int64  `db:"NON_UNIQUE"`
	Column    string `db:"COLUMN_NAME"`
}

// probe identifies the server, once: MySQL, Percona Server and MariaDB
// compare the values of a unique index under the columns' collations, so
// that under a case-insensitive collation 'alice' and 'ALICE' are
// duplicates, and such an index enforces a case-insensitive unique
// attribute by itself. Engines that only speak the protocol may not (the
// embedded go-mysql-server of the tests does not); for them, and for any
// server this cannot identify, uniqueness keeps its named lock.
//
// MariaDB from 10.5 returns an inserted row from the INSERT itself
// (INSERT ... RETURNING), saving the statement that reads it back.
//
// It also learns the pool's database, so that uniqueness locks of two
// applications (or two scratch databases) on one server never collide.
func (a *Adapter) probe(ctx context.Context) {
	a.mu.Lock()
	done := a.probed
	a.mu.Unlock()
	if done {
		return
	}
	var version, comment, database string
	if err := a.db.QueryRowxContext(ctx, "SELECT VERSION(), @@version_comment, COALESCE(DATABASE(), '')").Scan(&version, &comment, &database); err != nil {
		return // asked again by the next Describe
	}
	mariadb := strings.Contains(version, "MariaDB")
	collates := mariadb || strings.Contains(comment, "MySQL") || strings.Contains(comment, "Percona")
	facts := engineFacts{version: version, comment: comment}
	if mariadb {
		var on sql.NullString
		if err := a.db.QueryRowxContext(ctx, "SELECT @@global.wsrep_on").Scan(&on); err == nil {
			facts.wsrep = on.String == "1" || strings.EqualFold(on.String, "ON")
		}
	} else if !strings.Contains(version, "TiDB") {
		// The variable exists only with the group_replication plugin
		// loaded; elsewhere the query fails, which says no.
		var single sql.NullString
		if err := a.db.QueryRowxContext(ctx, "SELECT @@global.group_replication_single_primary_mode").Scan(&single); err == nil && single.Valid {
			facts.groupReplication = true
			facts.singlePrimary = single.String == "1" || strings.EqualFold(single.String, "ON")
		}
	}
	kind := detectEngine(facts)
	wsrep := kind == engineGalera
	engine := version
	if comment != "" {
		engine += " (" + comment + ")"
	}
	if kind != engineOther {
		engine += ", " + kind.String()
	}
	locksMissing := false
	if a.lockRows {
		var n int
		err := a.db.QueryRowxContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", LocksTable).Scan(&n)
		locksMissing = err == nil && n == 0
	}
	a.mu.Lock()
	a.probed, a.collates, a.database = true, collates, database
	a.wsrep, a.engine, a.locksMissing = wsrep, engine, locksMissing
	a.kind, a.version = kind, version
	a.returning = mariadb && atLeast(version, 10, 5)
	a.mu.Unlock()
}

// atLeast reports whether a server version ("10.11.6-MariaDB-...")
// is major.minor or later.
func atLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// Engine names the database server and, on MariaDB, whether it is a
// Galera node, and says how unique values that no unique index keeps
// unique are locked; empty until a table has been described.
func (a *Adapter) Engine() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.probed {
		return ""
	}
	locks := "GET_LOCK (holds on one server)"
	if a.lockRows {
		locks = "rows of " + LocksTable + " (certified by every node of a cluster)"
	} else if why := a.kind.namedLocksFail(a.version); why != "" {
		locks = why + ": unique attributes need a unique index that compares as they do, or uniquenessLocks: table"
	}
	return a.engine + "; uniqueness locks: " + locks + "; reads see " + a.kind.readsSee()
}

// engineOf returns the engine probe found and its version.
func (a *Adapter) engineOf() (engineKind, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.kind, a.version
}

// locksMissingTable reports whether lock rows are asked for and their
// table does not exist.
func (a *Adapter) locksMissingTable() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.locksMissing
}

// galera reports whether the server is a Galera node.
func (a *Adapter) galera() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.wsrep
}

// indexesCollate reports whether the server's unique indexes are known to
// compare values under their columns' collations.
func (a *Adapter) indexesCollate() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.collates
}

// insertReturning reports whether the server has INSERT ... RETURNING.
func (a *Adapter) insertReturning() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.returning
}

// Describe reads the table's columns and indexes from information_schema.
func (a *Adapter) Describe(ctx context.Context, t adapters.Table) (adapters.TableInfo, error) {
	a.probe(ctx)
	var cols []columnRow
	err := a.db.SelectContext(ctx, &cols, `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,
		COLUMN_DEFAULT, CHARACTER_MAXIMUM_LENGTH, COLLATION_NAME, CHARACTER_SET_NAME, EXTRA
		FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, string(t))
	if err != nil {
		return adapters.TableInfo{}, fmt.Errorf("describing table %s: %w", t, classify(err))
	}
	if len(cols) == 0 {
		return adapters.TableInfo{}, fmt.Errorf("table %s: %w", t, adapters.ErrNotFound)
	}
	info := adapters.TableInfo{Name: t}
	comp := computed{columns: map[adapters.Column]bool{}}
	for _, c := range cols {
		// MariaDB reports a missing default of a nullable column as the
		// string "NULL"; MySQL as SQL NULL. Both mean: NULL is inserted.
		def := c.Default.Valid && c.Default.String != "NULL"
		extra := strings.ToLower(c.Extra)
		// VIRTUAL GENERATED, STORED GENERATED, PERSISTENT (MariaDB) and
		// on update CURRENT_TIMESTAMP; not MySQL's DEFAULT_GENERATED,
		// which is only a default.
		if strings.Contains(extra, "on update") || strings.Contains(extra, "virtual") ||
			strings.Contains(extra, "stored generated") || strings.Contains(extra, "persistent") {
			comp.columns[adapters.Column(c.Name)] = true
		}
		info.Columns = append(info.Columns, coltype.Classify(adapters.ColumnInfo{
			Name:          adapters.Column(c.Name),
			DataType:      strings.ToLower(c.DataType),
			ColumnType:    columnType(c.Type),
			Nullable:      c.Nullable == "YES",
			HasDefault:    def || strings.Contains(extra, "default_generated"),
			AutoIncrement: strings.Contains(extra, "auto_increment"),
			MaxLength:     c.MaxLen.Int64,
			Unsigned:      strings.Contains(strings.ToLower(c.Type), "unsigned"),
			Collation:     c.Collation.String,
			Charset:       c.Charset.String,
		}))
	}
	var idx []indexRow
	err = a.db.SelectContext(ctx, &idx, `SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME
		FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`, string(t))
	if err != nil {
		return adapters.TableInfo{}, fmt.Errorf("describing indexes of %s: %w", t, classify(err))
	}
	for _, r := range idx {
		n := len(info.Indexes)
		if n == 0 || info.Indexes[n-1].Name != r.Name {
			info.Indexes = append(info.Indexes, adapters.IndexInfo{Name: r.Name, Unique: r.NonUnique == 0})
			n++
		}
		info.Indexes[n-1].Columns = append(info.Indexes[n-1].Columns, adapters.Column(r.Column))
	}
	comp.triggers = a.hasTriggers(ctx, t)
	a.mu.Lock()
	a.tables[t] = info
	a.computed[t] = comp
	a.mu.Unlock()
	return info, nil
}

// Tables lists the tables and views of the connection's database. It
// makes the Adapter a mapping.TableLister, so that a table not found is
// reported with the tables there are.
func (a *Adapter) Tables(ctx context.Context) ([]adapters.Table, error) {
	var names []string
	if err := a.db.SelectContext(ctx, &names, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); err != nil {
		return nil, fmt.Errorf("listing tables: %w", classify(err))
	}
	out := make([]adapters.Table, len(names))
	for i, n := range names {
		out[i] = adapters.Table(n)
	}
	return out, nil
}

// hasTriggers reports whether the table has triggers, or may have: when
// the server cannot say, it is assumed to.
func (a *Adapter) hasTriggers(ctx context.Context, t adapters.Table) bool {
	var n int
	err := a.db.QueryRowxContext(ctx, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?", string(t)).Scan(&n)
	return err != nil || n > 0
}

// computedOf returns what the server computes in a described table.
func (a *Adapter) computedOf(t adapters.Table) (computed, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.computed[t]
	return c, ok
}

// Store returns a Store for spec. The table must have been described first
// (the mapping does so when it is compiled against the database).
func (a *Adapter) Store(spec adapters.TableSpec) (adapters.Store, error) {
	if spec.Values != nil {
		if spec.Members == nil {
			return nil, errors.New("groups declared by values need a membership")
		}
		m, err := newValueMembers(a, spec, *spec.Members)
		if err != nil {
			return nil, err
		}
		return valueGroups{spec: spec, m: m}, nil
	}
	a.mu.Lock()
	info, ok := a.tables[spec.Table]
	a.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("table %s has not been described", spec.Table)
	}
	s, err := newStore(a, spec, info)
	if err != nil {
		return nil, err
	}
	if spec.Members == nil {
		return s, nil
	}
	if s.members, err = newMembers(a, s, *spec.Members); err != nil {
		return nil, err
	}
	return groupStore{s}, nil
}

// errNotDescribed is returned for a column missing from the described table.
var errNotDescribed = errors.New("column not in table")

// columnType is a column's full type as information_schema gives it, with
// the type's name and attributes in lower case (int(10) unsigned) and
// what is between its parentheses as written: the values of an ENUM or
// SET keep their case (enum('USER','USER_GROUP')), which writes must.
func columnType(t string) string {
	i, j := strings.IndexByte(t, '('), strings.LastIndexByte(t, ')')
	if i < 0 || j < i {
		return strings.ToLower(t)
	}
	return strings.ToLower(t[:i]) + t[i:j+1] + strings.ToLower(t[j+1:])
}
