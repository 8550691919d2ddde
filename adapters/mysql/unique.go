package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

// lock takes a server-wide named lock for a unique value, so that two
// sidecars (or two requests) cannot both see the value as free and insert
// it, even on a table without a unique index.
//
// Two values the uniqueness check calls equal must take the same lock. On
// MySQL and MariaDB the name is therefore made by the server from the
// value's collation weight (see lockWeight), in the statement that takes
// the lock: 'bob' and 'bob ' under a PAD SPACE collation, 'σx' and 'ςx',
// 'café' composed and decomposed, 'ß' and 'ss' under utf8mb4_unicode_ci
// each share one lock, where lower-casing in Go would give them two and
// let two replicas insert both. Elsewhere (the embedded engine of the
// tests) the name is the value lower-cased in Go.
//
// With lock rows (Config.UniquenessLocks "table") the lock is instead a
// row of LocksTable, written in the transaction (see lockRow).
func (s *store) lock(ctx context.Context, t *txn, u adapters.Unique, v any) error {
	prefix := s.database + "\x00" + string(s.spec.Table) + "\x00" + string(u.Column) + "\x00"
	if s.lockRows {
		return s.lockRow(ctx, t, u, v, prefix)
	}
	timeout := int(DefaultLockTimeout / time.Second)
	var name string
	var got sql.NullInt64
	if weight, arg, ok := s.lockWeight(u, v); ok {
		q := "SELECT n, GET_LOCK(n, ?) FROM (SELECT CONCAT('scimbridge:', LEFT(SHA2(CONCAT(?, " + weight + "), 256), 48)) AS n) w"
		if err := t.conn.QueryRowxContext(ctx, q, timeout, prefix, arg).Scan(&name, &got); err != nil {
			return fmt.Errorf("taking uniqueness lock: %w", err)
		}
	} else {
		val := canonical(v)
		if u.Fold {
			val = strings.ToLower(val)
		}
		sum := sha256.Sum256([]byte(prefix + val))
		name = "scimbridge:" + hex.EncodeToString(sum[:])[:48]
		if err := t.conn.QueryRowxContext(ctx, "SELECT GET_LOCK(?, ?)", name, timeout).Scan(&got); err != nil {
			return fmt.Errorf("taking uniqueness lock: %w", err)
		}
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("%w: timed out waiting for uniqueness lock on %s", adapters.ErrUnavailable, u.Column)
	}
	t.locks = append(t.locks, name)
	return nil
}

// lockRow takes a uniqueness lock by writing the value's row of
// LocksTable in the transaction: its key is the SHA-256 of the value's
// collation weight (the name GET_LOCK would take, see lockWeight), and the
// write is a real change (uses + 1), never a no-op. Another transaction on
// the same server waits for the row's lock and then, at READ COMMITTED,
// sees the value the first one stored; on a Galera cluster two nodes'
// transactions that write one row fail certification, all but the first
// (error 1213), and run again (store.write), their first statement waiting
// for the cluster (wsrep_sync_wait), so that the uniqueness check after
// the lock sees the value stored. GET_LOCK and SELECT ... FOR UPDATE are
// local to one node; only a written row is certified cluster-wide.
func (s *store) lockRow(ctx context.Context, t *txn, u adapters.Unique, v any, prefix string) error {
	const upsert = " ON DUPLICATE KEY UPDATE uses = uses + 1"
	var err error
	if weight, arg, ok := s.lockWeight(u, v); ok {
		_, err = t.ExecContext(ctx, "INSERT INTO "+LocksTable+" (name) VALUES (UNHEX(SHA2(CONCAT(?, "+weight+"), 256)))"+upsert, prefix, arg)
	} else {
		val := canonical(v)
		if u.Fold {
			val = strings.ToLower(val)
		}
		sum := sha256.Sum256([]byte(prefix + val))
		_, err = t.ExecContext(ctx, "INSERT INTO "+LocksTable+" (name) VALUES (?)"+upsert, sum[:])
	}
	if err != nil {
		return fmt.Errorf("taking uniqueness lock row: %w", err)
	}
	return nil
}

// lockWeight returns the SQL of a lock's value, the hex of its collation
// weight compared as the uniqueness check (holds) compares it, with its
// one argument; ok is false for a column whose values are not text, and
// off MySQL and MariaDB. Trailing spaces are trimmed under a PAD SPACE
// collation, which ignores them in comparisons but (on MariaDB) not in
// WEIGHT_STRING.
func (s *store) lockWeight(u adapters.Unique, v any) (sqlText string, arg any, ok bool) {
	c, found := s.cols[u.Column]
	str, isStr := v.(string)
	if !s.weighs || !found || !isStr || !isText(c.DataType) || c.DataType == "decimal" || c.DataType == "json" ||
		!sqlName.MatchString(c.Collation) || !sqlName.MatchString(c.Charset) {
		return "", nil, false
	}
	coll := c.Collation
	operand := "CONVERT(? USING " + c.Charset + ")"
	switch {
	case u.Plain:
	case u.Fold && !c.CaseInsensitive():
		// holds compares LOWER(column) with the value lower-cased.
		operand, str = "LOWER("+operand+")", strings.ToLower(str)
	case !u.Fold && c.CaseInsensitive():
		// holds compares under the character set's _bin collation.
		m := collationRE.FindStringSubmatch(coll)
		if m == nil {
			return "", nil, false
		}
		coll = m[1] + "_bin"
	}
	if !strings.Contains(coll, "nopad") && !strings.Contains(coll, "_0900_") {
		operand = "TRIM(TRAILING ' ' FROM " + operand + ")"
	}
	return "HEX(WEIGHT_STRING(" + operand + " COLLATE " + coll + "))", str, true
}

// checkUnique locks and checks every Unique column that rec sets, excluding
// the row with key self (nil on insert). A column a unique index keeps
// unique is left to the index.
func (s *store) checkUnique(ctx context.Context, t *txn, rec adapters.Record, self any) error {
	for _, u := range s.spec.Uniques {
		v, ok := rec[u.Column]
		if !ok || v == nil || s.byIndex[u.Column] {
			continue
		}
		if err := s.lock(ctx, t, u, v); err != nil {
			return err
		}
		taken, err := s.holds(ctx, t, s.uscope, s.uargs, u, v, self)
		if err != nil {
			return err
		}
		if taken {
			return s.conflict(ctx, t, u, v, self)
		}
	}
	return nil
}

// holds reports whether a row of the table within the scope given by
// terms and args, other than the row with key self (nil: none), holds the
// unique value v.
func (s *store) holds(ctx context.Context, t *txn, terms string, args []any, u adapters.Unique, v, self any) (bool, error) {
	var b builder
	b.sql.WriteString("SELECT 1 FROM " + s.table + " WHERE 1=1" + terms + " AND ")
	b.args = append(b.args, args...)
	if err := s.expr(&b, adapters.Compare{Column: u.Column, Op: adapters.OpEq, Value: v, Fold: u.Fold, Plain: u.Plain}); err != nil {
		return false, err
	}
	if self != nil {
		b.sql.WriteString(" AND " + quote(string(s.spec.Key)) + " <> ?")
		b.args = append(b.args, self)
	}
	b.sql.WriteString(" LIMIT 1")
	var one int
	err := t.QueryRowxContext(ctx, b.sql.String(), b.args...).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("checking uniqueness of %s: %w", u.Column, err)
}

// conflict is the error for the unique value v of u being taken, saying
// by what when the holder is not a row in scope: a soft-deleted row
// (ErrHeldByDeleted), or a row the scope's conditions or a soft delete
// hide (ErrHeldOutOfScope), which the table's unique index still counts.
func (s *store) conflict(ctx context.Context, t *txn, u adapters.Unique, v, self any) error {
	plain := fmt.Errorf("%w: %s already taken", adapters.ErrConflict, u.Column)
	if len(s.spec.Conditions) == 0 && s.spec.SoftDelete == nil {
		return plain
	}
	if in, err := s.holds(ctx, t, s.scope, s.sargs, u, v, self); err != nil || in {
		return plain
	}
	if s.spec.SoftDelete != nil {
		if del, err := s.holds(ctx, t, s.uscope, s.uargs, u, v, self); err == nil && del {
			return fmt.Errorf("%w: %s: %w", adapters.ErrConflict, u.Column, adapters.ErrHeldByDeleted)
		}
	}
	return fmt.Errorf("%w: %s: %w", adapters.ErrConflict, u.Column, adapters.ErrHeldOutOfScope)
}

// duplicate explains a duplicate-key error of a write of row (a unique
// index refused it) by the first Unique value of row that some other row
// holds; other errors, and duplicates of no Unique, pass unchanged.
func (s *store) duplicate(ctx context.Context, t *txn, err error, row adapters.Record, self any) error {
	if !isDuplicate(err) || len(s.spec.Conditions) == 0 && s.spec.SoftDelete == nil {
		return err
	}
	constant, cargs := scopeTerms("", s.spec.Scope, nil, nil, s.cols)
	for _, u := range s.spec.Uniques {
		v, ok := row[u.Column]
		if !ok || v == nil {
			continue
		}
		if held, herr := s.holds(ctx, t, constant, cargs, u, v, self); herr == nil && held {
			return s.conflict(ctx, t, u, v, self)
		}
	}
	return err
}
