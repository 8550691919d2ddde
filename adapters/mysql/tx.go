package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
)

// maxAttempts bounds how often a transaction is run after deadlocks,
// lock-wait timeouts and certification failures (see store.write).
const maxAttempts = 8

// tx runs fn in a READ COMMITTED transaction on a pinned connection, so that
// named locks taken with lock are held until after the commit. Deadlocks and
// lock-wait timeouts run fn again, a bounded number of times.
//
// When the answer to the COMMIT is lost (the connection broke, or the
// request's deadline passed, while it was on its way), the transaction
// may or may not have committed: tx then finds out (see settle) and
// returns nil if it did, and the error, ErrUnavailable, otherwise.
func (s *store) tx(ctx context.Context, fn func(t *txn) error) error {
	var last *txn
	err := s.write(ctx, func() error {
		var err error
		last, err = s.runTx(ctx, fn)
		return err
	})
	var cu *commitUnknown
	if !errors.As(err, &cu) || last == nil {
		return err
	}
	settled := false
	switch {
	case last.check != nil:
		settled = s.settle(ctx, last.checkKey, last.check)
	case last.settleBy != nil:
		sctx, cancel := settleContext(ctx)
		settled = last.settleBy(sctx)
		cancel()
	}
	if settled {
		s.pages.writes.Add(1)
		s.logger.WarnContext(ctx, "the answer to a commit was lost; the write had committed", "table", string(s.spec.Table), "err", cu.err)
		return nil
	}
	s.logger.WarnContext(ctx, "the answer to a commit was lost; the write was not found committed, or could not be read", "table", string(s.spec.Table), "err", cu.err)
	return err
}

// settleContext is the context of finding out whether a commit whose
// answer was lost committed: the request's values, not its deadline,
// bounded by settleTimeout.
func settleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
}

// settleTimeout bounds how long settle may take, beyond the request's
// deadline when that has passed already.
const settleTimeout = 2 * time.Second

// settle finds out whether a transaction whose COMMIT got no answer
// committed. On a fresh connection, a locking read of the row with that
// key waits until the transaction has ended on the server (it holds the
// row's lock until it commits or rolls back; a server that lost its
// client rolls back) and then reads the row as committed; committed
// judges it (found reports whether the row is in scope). settle reports
// false, leaving the outcome unknown, when the read fails or does not end
// within settleTimeout.
func (s *store) settle(ctx context.Context, key any, committed func(now adapters.Record, found bool) bool) bool {
	sctx, cancel := settleContext(ctx)
	defer cancel()
	query := "SELECT " + s.list + " FROM " + s.table + " WHERE " + quote(string(s.spec.Key)) + " = ?" + s.scope + s.share
	rows, err := s.db.QueryxContext(sctx, query, append([]any{key}, s.sargs...)...)
	if err != nil {
		return false
	}
	defer rows.Close()
	var now adapters.Record
	found := rows.Next()
	if found {
		if now, err = s.scan(rows); err != nil {
			return false
		}
	}
	if rows.Err() != nil {
		return false
	}
	return committed(now, found)
}

// commitUnknown is the error of a COMMIT, or of the statement carrying
// it, that got no answer: the transaction may have committed.
type commitUnknown struct{ err error }

func (e *commitUnknown) Error() string {
	return "the outcome of the commit is unknown: " + e.err.Error()
}

func (e *commitUnknown) Unwrap() error { return e.err }

// lostAnswer reports whether err, from a statement sent to the server,
// leaves unknown whether the server ran it: the connection broke, or
// the context ended, before the answer came. An error the server sent
// is an answer.
func lostAnswer(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// Killed or shut down while it may have been committing.
		return me.Number == errConnectionKilled || me.Number == errServerShutdown || me.Number == errQueryInterrupted
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &ne)
}

// expect tells the transaction how to recognise, in the row with that
// key as committed, that it committed (see settle); the last call wins.
func (t *txn) expect(key any, committed func(now adapters.Record, found bool) bool) {
	t.checkKey, t.check = key, committed
}

// wrote is a check for expect: the row is in scope and holds, in every
// column of cols that out has, the value out has. It judges false when
// no such column can tell.
func wrote(out adapters.Record, cols []adapters.Column) func(adapters.Record, bool) bool {
	return func(now adapters.Record, found bool) bool {
		compared := false
		for _, c := range cols {
			v, ok := out[c]
			if !ok {
				continue
			}
			if w, ok := now[c]; !ok || canonical(w) != canonical(v) || (w == nil) != (v == nil) {
				return false
			}
			compared = true
		}
		return found && compared
	}
}

// write runs a write (a transaction, or one statement that autocommits)
// again after a deadlock, lock-wait timeout or a cluster's certification
// failure (see retryable), which roll the whole transaction back, a
// bounded number of times, and returns its error classified. Each run
// waits a jittered backoff first, and none starts when the backoff and a
// run would pass the request's deadline: the write then fails as it did,
// with ErrUnavailable, which a client is told to retry.
func (s *store) write(ctx context.Context, run func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = run()
		if !retryable(err) || attempt+1 >= maxAttempts {
			break
		}
		d := backoff(attempt)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+minRunTime {
			break
		}
		retries.Add(1)
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return classify(errors.Join(err, ctx.Err()))
		}
	}
	if err == nil {
		// Counts taken before may be off now.
		s.pages.writes.Add(1)
	}
	return classify(err)
}

// minRunTime is the least time left before the request's deadline for a
// write to be run again.
const minRunTime = 50 * time.Millisecond

// backoff is the wait before the run after attempt (0: the first run):
// growing from 10ms and capped at 320ms, each a random time between half
// of it and all of it, so that writes that conflicted once do not meet
// again at the same moment (on Galera, two nodes' transactions on one row).
func backoff(attempt int) time.Duration {
	d := 10 * time.Millisecond << min(attempt, 5)
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// retries counts the writes run again after a retryable failure, in every
// adapter of the process (see Retries).
var retries atomic.Uint64

// Retries returns how many times, since the process started, a write was
// run again after a deadlock, lock-wait timeout or certification failure,
// through any adapter: the scimbridge_database_write_retries_total metric,
// which a reload that opens a new adapter does not reset.
func (a *Adapter) Retries() uint64 { return retries.Load() }

// txn is one run of a transaction on its pinned connection.
type txn struct {
	// q runs the transaction's statements: the *sqlx.Tx of a BEGIN, or
	// the connection itself when the transaction is implicit (autocommit
	// off, see Adapter.writer).
	q     txQueryer
	tx    *sqlx.Tx // nil when implicit
	conn  *sqlx.Conn
	ended bool // committed or rolled back
	locks []string
	dry   *slog.Logger // set in a dry run: writes are logged and rolled back
	batch bool         // store.batch
	// check and checkKey recognise the committed transaction (expect);
	// without them, settleBy, if set, finds out by itself whether it
	// committed, on a fresh connection.
	check    func(now adapters.Record, found bool) bool
	checkKey any
	settleBy func(ctx context.Context) bool
}

// txQueryer is what *sqlx.Tx and *sqlx.Conn have in common that a
// transaction uses.
type txQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error)
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
}

func (s *store) runTx(ctx context.Context, fn func(t *txn) error) (_ *txn, err error) {
	pool := s.db
	if s.writer != nil {
		pool = s.writer
	}
	conn, err := pool.Connx(ctx)
	if err != nil {
		return nil, err
	}
	t := &txn{q: conn, conn: conn, batch: s.batch}
	defer func() {
		switch {
		case t.ended:
		case t.tx != nil:
			_ = t.tx.Rollback() // fn panicked
		default:
			// fn panicked, or a COMMIT or ROLLBACK failed: the connection
			// may hold an open transaction, so it must not go back to the
			// pool. Closing it makes the server roll back.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	if s.writer == nil {
		if t.tx, err = conn.BeginTxx(ctx, s.txOpts); err != nil {
			t.ended = true
			return t, err
		}
		t.q = t.tx
	}
	if s.dryRun != nil {
		t.dry = s.dryRun.With("table", string(s.spec.Table))
	}
	defer func() {
		for _, l := range t.locks {
			// Released on a fresh context: the request's may be done.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			_, _ = conn.ExecContext(rctx, "SELECT RELEASE_LOCK(?)", l)
			cancel()
		}
	}()
	if err := fn(t); err != nil {
		_ = t.end(ctx, false)
		return t, err
	}
	if t.dry != nil {
		t.dry.InfoContext(ctx, "dry run: rolling back")
		return t, t.end(ctx, false)
	}
	if err := t.end(ctx, true); err != nil {
		if lostAnswer(err) {
			return t, &commitUnknown{err}
		}
		return t, err
	}
	return t, nil
}

// end commits or rolls back the transaction. A rollback runs on a fresh
// context, so that a request that gave up still leaves its connection
// clean.
func (t *txn) end(ctx context.Context, commit bool) error {
	if t.ended {
		return nil // committed with its last statement (execCommit)
	}
	if t.tx != nil {
		t.ended = true
		if commit {
			return t.tx.Commit()
		}
		return t.tx.Rollback()
	}
	stmt := "COMMIT"
	if !commit {
		stmt = "ROLLBACK"
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
	}
	_, err := t.conn.ExecContext(ctx, stmt)
	t.ended = err == nil
	return err
}

// fuses reports whether the transaction's last statement can carry its
// COMMIT, in one round trip: the transaction is implicit (it began with
// its first statement; a BEGIN of database/sql ends with its Commit), the
// connection takes several statements at once, and it is no dry run.
func (t *txn) fuses() bool { return t.tx == nil && t.batch && t.dry == nil }

// execCommit runs query as the transaction's last statement and commits
// it with it, "query; COMMIT" in one round trip, where fuses allows; else
// it only runs query, and runTx commits. A failed query stops the server
// before the COMMIT, leaving the transaction open for the caller to
// explain the error in and runTx to roll back.
//
// Only updates use it. A statement that carries its COMMIT and is held up
// in the network past the request's deadline may still commit after the
// client was told 503; a client that then retries an update sets the same
// values again, but one that retries a create would make a second row (or
// get 409 for its own user). An INSERT is therefore sent without its
// COMMIT, so that a create that failed has written nothing unless its
// COMMIT itself was in flight.
func (t *txn) execCommit(ctx context.Context, query string, args ...any) error {
	if !t.fuses() {
		_, err := t.ExecContext(ctx, query, args...)
		return err
	}
	if _, err := t.q.ExecContext(ctx, query+"; COMMIT", args...); err != nil {
		if lostAnswer(err) {
			return &commitUnknown{err}
		}
		return err
	}
	t.ended = true
	return nil
}

// QueryxContext runs a query in the transaction.
func (t *txn) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	return t.q.QueryxContext(ctx, query, args...)
}

// QueryRowxContext runs a query of one row in the transaction.
func (t *txn) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	return t.q.QueryRowxContext(ctx, query, args...)
}

// ExecContext runs a write in the transaction, logging it first in a dry
// run.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.dry != nil {
		t.dry.InfoContext(ctx, "dry run: would execute", "sql", query, "args", redacted(args))
	}
	return t.q.ExecContext(ctx, query, args...)
}
