package mysql

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestWriteRunsAgainAfterCertificationFailure: a write that fails with a
// serialization failure (Galera's certification failure is error 1213,
// Group Replication's 3101, TiDB's 9007), however wrapped, is run again
// whole, and counted; one that keeps failing stops after maxAttempts, and
// one with no time left before the request's deadline is not run again;
// both answer ErrUnavailable.
func TestWriteRunsAgainAfterCertificationFailure(t *testing.T) {
	s := &store{pages: newPages(new(atomic.Uint64))}
	ctx := context.Background()
	for _, n := range []uint16{errDeadlock, errLockWaitTimeout, errGroupReplRollback, errTiDBWriteConflict} {
		cert := &mysql.MySQLError{Number: n, Message: "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction"}
		wraps := []func(error) error{
			func(e error) error { return e },
			func(e error) error { return fmt.Errorf("updating users: %w", fmt.Errorf("commit: %w", e)) },
			func(e error) error { return errors.Join(errors.New("rolling back"), e) },
			func(e error) error { return classify(e) },
		}
		for i, wrap := range wraps {
			runs := 0
			before := retries.Load()
			err := s.write(ctx, func() error {
				runs++
				if runs < 3 {
					return wrap(cert)
				}
				return nil
			})
			if err != nil || runs != 3 {
				t.Errorf("error %d, wrap %d: %d runs, %v; want 3 runs and success", n, i, runs, err)
			}
			if got := retries.Load() - before; got != 2 {
				t.Errorf("error %d, wrap %d: %d retries counted, want 2", n, i, got)
			}
		}
	}
	cert := &mysql.MySQLError{Number: errDeadlock, Message: "Deadlock found when trying to get lock; try restarting transaction"}
	runs := 0
	err := s.write(ctx, func() error { runs++; return cert })
	if runs != maxAttempts || !errors.Is(err, adapters.ErrUnavailable) {
		t.Errorf("always failing: %d runs, %v; want %d runs and ErrUnavailable", runs, err, maxAttempts)
	}
	dctx, cancel := context.WithTimeout(ctx, minRunTime/2)
	defer cancel()
	runs = 0
	err = s.write(dctx, func() error { runs++; return cert })
	if runs != 1 || !errors.Is(err, adapters.ErrUnavailable) {
		t.Errorf("no time left: %d runs, %v; want 1 run and ErrUnavailable", runs, err)
	}
	// Other failures are not run again.
	runs = 0
	dup := &mysql.MySQLError{Number: errDupEntry, Message: "Duplicate entry"}
	if err := s.write(ctx, func() error { runs++; return dup }); runs != 1 || !errors.Is(err, adapters.ErrConflict) {
		t.Errorf("duplicate: %d runs, %v; want 1 run and ErrConflict", runs, err)
	}
}

// TestBackoffJittered: the waits grow, stay within half and all of their
// step, are capped, and differ between runs.
func TestBackoffJittered(t *testing.T) {
	seen := map[time.Duration]bool{}
	for attempt := range 10 {
		step := 10 * time.Millisecond << min(attempt, 5)
		for range 50 {
			d := backoff(attempt)
			if d < step/2 || d > step {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, step/2, step)
			}
			seen[d] = true
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d distinct waits in 500: not jittered", len(seen))
	}
}
