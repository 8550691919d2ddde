package mysql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
)

// MySQL and MariaDB server error numbers that change how a failure is
// reported.
const (
	errDupEntry         = 1062
	errLockWaitTimeout  = 1205
	errDeadlock         = 1213
	errBadNull          = 1048
	errDataTooLong      = 1406
	errTruncatedValue   = 1366
	errOutOfRange       = 1264
	errTruncatedWrong   = 1292
	errDataTruncated    = 1265
	errRowIsReferenced  = 1451
	errRowIsReferenced2 = 1452
	errNoDefault        = 1364 // a NOT NULL column without a default that the INSERT left out
	errServerGone       = 2006
	errServerLost       = 2013
	errQueryInterrupted = 1317

	// The server refuses writes: started with --read-only, or SET GLOBAL
	// read_only (ER_OPTION_PREVENTS_STATEMENT), a MySQL server in
	// read-only mode (ER_READ_ONLY_MODE), a read-only transaction forced
	// on the session (ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, a replica
	// or an Aurora reader after a failover).
	errOptionPrevents   = 1290
	errReadOnlyMode     = 1836
	errReadOnlyTx       = 1792
	errTooManyConns     = 1040 // max_connections reached
	errTooManyUserConns = 1203 // the server's max_user_connections reached
	// An account's resource limit reached: MAX_USER_CONNECTIONS,
	// MAX_QUERIES_PER_HOUR and the like (ER_USER_LIMIT_REACHED).
	errUserLimit        = 1226
	errServerShutdown   = 1053
	errConnectionKilled = 1927 // MariaDB: KILL CONNECTION of this session
	errWsrepNotPrepared = 1047 // Galera: node not synced (WSREP has not yet prepared node)

	// Serialization failures of clustered engines, after which the
	// transaction was rolled back and may be run again: Galera reports a
	// certification failure as errDeadlock; MySQL Group Replication's
	// ER_TRANSACTION_ROLLBACK_DURING_COMMIT; TiDB's write conflicts.
	errGroupReplRollback = 3101
	errTiDBWriteConflict = 9007
	errTiDBForUpdate     = 8002
)

// retryable reports whether err, anywhere in its chain, is a deadlock, a
// lock-wait timeout or a cluster's certification failure, after which the
// server has rolled the whole transaction back and it may be run again.
func retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case errDeadlock, errLockWaitTimeout, errGroupReplRollback, errTiDBWriteConflict, errTiDBForUpdate:
			return true
		}
	}
	return false
}

// isDuplicate reports whether err is a duplicate-key error of a unique
// index.
func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == errDupEntry
}

// classify wraps err with the adapters sentinel that describes it, keeping
// the original for logs. Errors already classified pass unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{adapters.ErrNotFound, adapters.ErrConflict, adapters.ErrUnavailable, adapters.ErrInvalid, adapters.ErrUnknownMember, adapters.ErrUnknownReference, adapters.ErrRefused, adapters.ErrOutOfScope, adapters.ErrNotStored} {
		if errors.Is(err, s) {
			return err
		}
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case errDupEntry:
			return fmt.Errorf("%w: %v", adapters.ErrConflict, err)
		case errRowIsReferenced:
			return fmt.Errorf("%w: %w: %v", adapters.ErrConflict, adapters.ErrReferenced, err)
		case errRowIsReferenced2:
			return fmt.Errorf("%w: %w: %v", adapters.ErrInvalid, adapters.ErrNoReferencedRow, err)
		case errNoDefault:
			return fmt.Errorf("%w: %w: %v", adapters.ErrInvalid, adapters.ErrNeedsValue, err)
		case errBadNull, errDataTooLong, errTruncatedValue, errOutOfRange, errTruncatedWrong, errDataTruncated:
			return fmt.Errorf("%w: %v", adapters.ErrInvalid, err)
		case errServerGone, errServerLost, errQueryInterrupted, errLockWaitTimeout, errDeadlock,
			errOptionPrevents, errReadOnlyMode, errReadOnlyTx, errTooManyConns, errTooManyUserConns, errUserLimit,
			errServerShutdown, errConnectionKilled, errWsrepNotPrepared,
			errGroupReplRollback, errTiDBWriteConflict, errTiDBForUpdate:
			// The server cannot take the request now; another moment
			// (or another node) may. The original stays in the chain
			// for logs and errors.As.
			return fmt.Errorf("%w: %w", adapters.ErrUnavailable, err)
		}
		return err
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, mysql.ErrInvalidConn),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.As(err, &ne):
		return fmt.Errorf("%w: %w", adapters.ErrUnavailable, err)
	}
	return err
}
