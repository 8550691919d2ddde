package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

// Computed defaults (adapters.DefaultNext, adapters.DefaultCopy) depend on
// the row being written or on the rows already stored, so they are filled
// in the inserting transaction, after the plain defaults.
//
// A next number is 1 + MAX of the column among the owner's rows, read at
// READ COMMITTED after taking a lock that every writer of the owner's
// rows takes first: then the previous holder's row has committed and is
// counted, and no two inserts take one number. The lock is the owner's
// named lock (ownerLock), as uniqueness locks are: a GET_LOCK or, with
// uniquenessLocks: table, a row of LocksTable, so that it holds across
// replicas and Galera nodes; for a child, link or key/value row, whose
// owner is the parent row, the parent's row lock, which every write of
// the parent takes (FOR UPDATE, or the insert of a new row) before it
// writes child rows.

// ownerLock takes the named lock of the owner of next numbers: table and
// column, and the owner's value (a user's key), held until the
// transaction ends.
func (s *store) ownerLock(ctx context.Context, t *txn, table adapters.Table, col adapters.Column, owner any) error {
	sum := sha256.Sum256([]byte(s.database + "\x00next\x00" + string(table) + "\x00" + string(col) + "\x00" + canonical(owner)))
	if s.lockRows {
		if _, err := t.ExecContext(ctx, "INSERT INTO "+LocksTable+" (name) VALUES (?) ON DUPLICATE KEY UPDATE uses = uses + 1", sum[:]); err != nil {
			return fmt.Errorf("taking the lock of %s.%s numbers: %w", table, col, err)
		}
		return nil
	}
	name := "scimbridge:" + hex.EncodeToString(sum[:])[:48]
	var got sql.NullInt64
	if err := t.conn.QueryRowxContext(ctx, "SELECT GET_LOCK(?, ?)", name, int(DefaultLockTimeout/time.Second)).Scan(&got); err != nil {
		return fmt.Errorf("taking the lock of %s.%s numbers: %w", table, col, err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("%w: timed out waiting for the lock of %s.%s numbers", adapters.ErrUnavailable, table, col)
	}
	t.locks = append(t.locks, name)
	return nil
}

// maxPlusOne returns 1 + the greatest value of col (quoted) in table
// (quoted) among the rows where holds (SQL terms "AND ..." or "" after
// WHERE 1=1, with args), 1 when there is none.
func maxPlusOne(ctx context.Context, t *txn, table, col, where string, args []any) (int64, error) {
	var n int64
	q := "SELECT COALESCE(MAX(" + col + "), 0) + 1 FROM " + table + " WHERE 1=1" + where
	if err := t.QueryRowxContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("reading the next %s of %s: %w", col, table, err)
	}
	return n, nil
}

// computeDefaults fills the computed defaults of a new row of the store's
// own table that row leaves unset: next numbers counted over the whole
// table within its scope (soft-deleted rows included, which keep theirs),
// under the table's lock; copies of the row's other columns.
func (s *store) computeDefaults(ctx context.Context, t *txn, row adapters.Record) error {
	return fillComputed(ctx, t, row, s.spec.Defaults, func(d adapters.Default) (int64, error) {
		if err := s.ownerLock(ctx, t, s.spec.Table, d.Column, nil); err != nil {
			return 0, err
		}
		return maxPlusOne(ctx, t, s.table, quote(string(d.Column)), s.uscope, s.uargs)
	})
}

// fillComputed fills the computed defaults of defs that row leaves unset:
// next numbers from next, then copies of the row's columns (after every
// other value is in place). A copy of a column the row does not write is
// left out, to the column's own default.
func fillComputed(ctx context.Context, t *txn, row adapters.Record, defs []adapters.Default, next func(adapters.Default) (int64, error)) error {
	for _, d := range defs {
		if _, set := row[d.Column]; set || d.Kind != adapters.DefaultNext {
			continue
		}
		n, err := next(d)
		if err != nil {
			return err
		}
		row[d.Column] = n
	}
	for _, d := range defs {
		if _, set := row[d.Column]; set || d.Kind != adapters.DefaultCopy || d.FromRow != adapters.CopyRow {
			continue
		}
		if v, ok := row[d.From]; ok {
			row[d.Column] = v
		}
	}
	return nil
}

// copiesKey reports whether column c of a new row is a copy of its
// generated key (a default copy: of the key column).
func (s *store) copiesKey(c adapters.Column) bool {
	for _, d := range s.spec.Defaults {
		if d.Column == c && d.Kind == adapters.DefaultCopy && d.FromRow == adapters.CopyRow && d.From == s.spec.Key {
			return true
		}
	}
	return false
}
