package adapters

import (
	"context"
	"database/sql"
)

// Optional capabilities. A program asks for them with a type assertion
// on the Config (before it is opened) or the Adapter; an adapter that
// lacks one simply does not offer what it gives (check, explain, the pool
// metrics say so or leave it out). Each is declared once, here, so that a
// second adapter implements the same names.

// DryRunner is a Config whose adapter can run every write and roll it
// back, logging its statements (the -dry-run flag).
type DryRunner interface {
	// SetDryRun turns dry runs on, before the Config is opened.
	SetDryRun()
	// DryRunning reports whether SetDryRun was called.
	DryRunning() bool
}

// Statement is one statement an adapter sends to the database, as a
// Tracer sees it: the text with its placeholders and the arguments, or
// BEGIN, COMMIT or ROLLBACK.
type Statement struct {
	Query string
	Args  []any
}

// Tracer is a Config whose adapter can report every statement it sends,
// before it runs (scimbridge explain).
type Tracer interface {
	// SetTrace makes the opened adapter call fn with every statement.
	SetTrace(fn func(Statement))
}

// ConfigSecret is a secret of a Config, resolved: Key is its key in the
// Config (dsn, password), Part, if not empty, the part of the value it is
// (the password in a DSN), and What says what it should be, for a message.
type ConfigSecret struct {
	Key, Part, What string
	Value           string
}

// SecretHolder is a Config holding secrets that check refuses when they
// are placeholders (a password left as "changeme").
type SecretHolder interface {
	// Secrets returns the secrets that resolve; those that do not are
	// reported by Open.
	Secrets() []ConfigSecret
}

// Enginer is an Adapter that names the database server it reached (and
// how it keeps values unique), for check; "" until it knows.
type Enginer interface {
	Engine() string
}

// RetryCounter is an Adapter that runs a write again, whole, after a
// deadlock or a cluster's certification failure, and counts how often,
// for the write_retries_total metric.
type RetryCounter interface {
	Retries() uint64
}

// Pool is one connection pool of an Adapter, by the name its metrics
// carry (app: reads, and writes when they share it; app_writes).
type Pool struct {
	Name string
	DB   *sql.DB
}

// Pooler is an Adapter built on database/sql pools, for the go_sql_*
// metrics of their statistics.
type Pooler interface {
	Pools() []Pool
}

// ForeignKey is a column that a declared foreign key makes refer to
// another table.
type ForeignKey struct {
	Table      Table
	Column     Column
	References Table
}

// Inspector is an Adapter that can look at the database beyond the
// tables' shapes, for scimbridge init, which proposes a mapping from
// what it finds. Every method gives up quietly (no result) where the
// server does not say.
type Inspector interface {
	// ForeignKeys returns the declared foreign keys of the database.
	ForeignKeys(ctx context.Context) ([]ForeignKey, error)
	// ColumnDefault returns the column's DEFAULT as the value it stores,
	// and whether it has one that is not NULL.
	ColumnDefault(ctx context.Context, t Table, c Column) (string, bool)
	// SQL returns the pool for init's sampling queries (how many rows
	// fill a column, the values it holds), written for MySQL; nil when
	// the adapter does not speak that SQL.
	SQL() *sql.DB
}
