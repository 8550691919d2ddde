package mysql

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/scimbridge/scimbridge/adapters"
)

// Statement is one statement sent to the database, as Config.Trace sees
// it: the SQL with its ? placeholders and the arguments, or BEGIN, COMMIT
// or ROLLBACK.
type Statement = adapters.Statement

// tracing is a connector whose connections report every statement to
// trace before running it. The connections keep every capability of the
// driver's (context queries, sessions reset, value checks), so the pool
// behaves as it does without tracing: the same statements, in the same
// order.
type tracing struct {
	driver.Connector
	trace func(Statement)
}

func (c tracing) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	tc, ok := conn.(tracedDriverConn)
	if !ok {
		conn.Close()
		return nil, errors.New("the MySQL driver's connection lacks a capability tracing needs")
	}
	return &tracedConn{tc, c.trace}, nil
}

// tracedDriverConn is what the go-sql-driver connection implements and
// database/sql uses.
type tracedDriverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnPrepareContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

type tracedConn struct {
	tracedDriverConn
	trace func(Statement)
}

func args(nv []driver.NamedValue) []any {
	out := make([]any, len(nv))
	for i, v := range nv {
		out[i] = v.Value
	}
	return out
}

func (c *tracedConn) ExecContext(ctx context.Context, query string, nv []driver.NamedValue) (driver.Result, error) {
	c.trace(Statement{Query: query, Args: args(nv)})
	return c.tracedDriverConn.ExecContext(ctx, query, nv)
}

func (c *tracedConn) QueryContext(ctx context.Context, query string, nv []driver.NamedValue) (driver.Rows, error) {
	c.trace(Statement{Query: query, Args: args(nv)})
	return c.tracedDriverConn.QueryContext(ctx, query, nv)
}

func (c *tracedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.trace(Statement{Query: "PREPARE " + query})
	return c.tracedDriverConn.PrepareContext(ctx, query)
}

func (c *tracedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.trace(Statement{Query: "BEGIN"})
	tx, err := c.tracedDriverConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return tracedTx{tx, c.trace}, nil
}

type tracedTx struct {
	driver.Tx
	trace func(Statement)
}

func (t tracedTx) Commit() error {
	t.trace(Statement{Query: "COMMIT"})
	return t.Tx.Commit()
}

func (t tracedTx) Rollback() error {
	t.trace(Statement{Query: "ROLLBACK"})
	return t.Tx.Rollback()
}
