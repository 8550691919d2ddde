package mysql

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestAddMembersStatement checks each form of AddMembers' statement (see
// addSQL) on the server: one user, checked by the join alone; a few,
// counted by a second read; many, counted over the join where the engine
// has window functions, by a second read where it has not. Each adds all
// or nothing.
func TestAddMembersStatement(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "AddMembers declines on the embedded engine (see members.upsert)")
	ctx := context.Background()
	f := newGroupFixture(t, 200)
	f.exec("INSERT INTO roles (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')")
	m := f.groups.(groupStore).members
	over := m.countOver
	var version string
	if err := f.db.QueryRow("SELECT VERSION()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(version, "MariaDB") && !over {
		t.Errorf("%s: the users are not counted over a window", version)
	}
	memberships := func(gid int) int {
		t.Helper()
		var n int
		if err := f.db.QueryRow("SELECT COUNT(*) FROM user_roles WHERE role_id = ?", gid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const (
		joinAlone = "joined only"
		counted   = "a second read"
		window    = "a window"
	)
	form := func(q string) string {
		switch {
		case strings.Contains(q, "COUNT(*) OVER ()") && !strings.Contains(q, "SELECT COUNT(*)"):
			return window
		case strings.Contains(q, "SELECT COUNT(*)"):
			return counted
		}
		return joinAlone
	}
	many := counted
	if over {
		many = window
	}
	for _, c := range []struct {
		name    string
		group   string
		ids     []string
		form    string
		err     error
		added   int64
		members int // of the group after
		gid     int
	}{
		{"one new member", "1", []string{"1"}, joinAlone, nil, 1, 1, 1},
		{"one member already", "1", []string{"1"}, joinAlone, nil, 0, 1, 1},
		{"one unknown user", "1", []string{"999"}, joinAlone, adapters.ErrUnknownMember, 0, 1, 1},
		{"one user, a group that does not exist", "9", []string{"2"}, joinAlone, adapters.ErrNotFound, 0, 0, 9},
		{"a few", "2", ids(0, 10), counted, nil, 10, 10, 2},
		{"a few, one unknown", "3", append(ids(10, 19), "999"), counted, adapters.ErrUnknownMember, 0, 0, 3},
		{"many", "2", ids(0, 60), many, nil, 50, 60, 2},
		{"many, one unknown", "3", append(ids(100, 159), "999"), many, adapters.ErrUnknownMember, 0, 0, 3},
		{"many, a group that does not exist", "9", ids(100, 160), many, adapters.ErrNotFound, 0, 0, 9},
		{"many, members already", "2", ids(0, 60), many, nil, 0, 60, 2},
		{"many, one twice", "3", append(ids(100, 160), "101"), many, nil, 60, 60, 3},
	} {
		f.count.execs()
		done, w, err := f.groups.AddMembers(ctx, c.group, c.ids)
		if !done {
			t.Errorf("%s: AddMembers declined", c.name)
			continue
		}
		sent := f.count.execs()
		if len(sent) == 0 || form(sent[0]) != c.form {
			t.Errorf("%s: statements %q, want the users checked by %s", c.name, sent, c.form)
		}
		if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.err)
		}
		if w.MembersAdded != c.added {
			t.Errorf("%s: %d members added, want %d", c.name, w.MembersAdded, c.added)
		}
		if n := memberships(c.gid); n != c.members {
			t.Errorf("%s: group %d has %d members, want %d", c.name, c.gid, n, c.members)
		}
	}
	if !over {
		return
	}
	// Where the engine has no window functions, many users are counted by
	// a second read, all or nothing still.
	m.countOver = false
	defer func() { m.countOver = true }()
	for _, c := range []struct {
		name    string
		ids     []string
		err     error
		members int
	}{
		{"many, one unknown, counted by a second read", append(ids(0, 59), "999"), adapters.ErrUnknownMember, 0},
		{"many, counted by a second read", ids(0, 60), nil, 60},
	} {
		f.count.execs()
		done, _, err := f.groups.AddMembers(ctx, "4", c.ids)
		if sent := f.count.execs(); !done || len(sent) == 0 || form(sent[0]) != counted {
			t.Errorf("%s: done %v, statements %q; want the users counted by a second read", c.name, done, sent)
		}
		if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.err)
		}
		if n := memberships(4); n != c.members {
			t.Errorf("%s: group 4 has %d members, want %d", c.name, n, c.members)
		}
	}
}

// TestAddMembersLocks checks that every form of AddMembers' statement
// reads the group and the users under shared locks at READ COMMITTED, the
// sidecar's level: while another transaction deletes a user or the group,
// it waits for that transaction, and then, the row gone, adds no
// membership of it, where a plain read would have added one. The wait is
// seen in information_schema, never timed. A deleted group adds nothing;
// a deleted user nothing, or, where the users were counted before the
// join waited (the COUNT subquery), the others, as if added just before
// the delete.
func TestAddMembersLocks(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "AddMembers declines on the embedded engine (see members.upsert)")
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	// The sidecar's sessions are READ COMMITTED (see session), where an
	// INSERT ... SELECT reads without locks unless asked to.
	cfg.Params = map[string]string{"tx_isolation": "'READ-COMMITTED'"}
	f := newGroupFixtureOn(t, cfg.FormatDSN(), 200)
	f.exec("INSERT INTO roles (id, name) VALUES (1, 'a')")
	var level string
	if err := f.db.QueryRow("SELECT @@tx_isolation").Scan(&level); err != nil || level != "READ-COMMITTED" {
		t.Fatalf("isolation level %q (%v), want READ-COMMITTED", level, err)
	}
	for _, c := range []struct {
		name   string
		ids    []string
		delete string // the row the other transaction deletes
		err    error
	}{
		{"one user, deleted", []string{"5"}, "DELETE FROM users WHERE id = 5", adapters.ErrUnknownMember},
		{"a few, one deleted", ids(0, 10), "DELETE FROM users WHERE id = 5", adapters.ErrUnknownMember},
		{"many, one deleted", ids(0, 60), "DELETE FROM users WHERE id = 5", adapters.ErrUnknownMember},
		{"one user, the group deleted", []string{"5"}, "DELETE FROM roles WHERE id = 1", adapters.ErrNotFound},
		{"a few, the group deleted", ids(0, 10), "DELETE FROM roles WHERE id = 1", adapters.ErrNotFound},
		{"many, the group deleted", ids(0, 60), "DELETE FROM roles WHERE id = 1", adapters.ErrNotFound},
	} {
		userDeleted := strings.Contains(c.delete, "users")
		t.Run(c.name, func(t *testing.T) {
			// No memberships, and every row.
			f.exec("DELETE FROM user_roles")
			f.exec("INSERT IGNORE INTO users (id, login) VALUES (5, 'u4')")
			f.exec("INSERT IGNORE INTO roles (id, name) VALUES (1, 'a')")
			// A connection of its own: the lock waits InnoDB reports may
			// be up to 0.1 s old, those of the last case's.
			deleter, err := f.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer deleter.Close()
			var deleterID int64
			if err := deleter.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&deleterID); err != nil {
				t.Fatal(err)
			}
			if _, err := deleter.ExecContext(ctx, "BEGIN"); err != nil {
				t.Fatal(err)
			}
			if _, err := deleter.ExecContext(ctx, c.delete); err != nil {
				t.Fatal(err)
			}
			type result struct {
				done bool
				err  error
			}
			res := make(chan result, 1)
			go func() {
				done, _, err := f.groups.AddMembers(ctx, "1", c.ids)
				res <- result{done, err}
			}()
			waited := false
			for deadline := time.Now().Add(time.Minute); !waited && time.Now().Before(deadline); {
				select {
				case r := <-res:
					_, _ = deleter.ExecContext(ctx, "ROLLBACK")
					t.Fatalf("AddMembers returned (done %v, err %v) while another transaction held the deleted row's lock: it read without a shared lock", r.done, r.err)
				default:
				}
				var n int
				err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS w
					JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id WHERE b.trx_mysql_thread_id = ?`, deleterID).Scan(&n)
				if err != nil {
					t.Fatal(err)
				}
				waited = n > 0
				if !waited {
					// InnoDB refreshes these tables only when they have
					// not been read for 0.1 s.
					time.Sleep(150 * time.Millisecond)
				}
			}
			if _, err := deleter.ExecContext(ctx, "COMMIT"); err != nil {
				t.Fatal(err)
			}
			if !waited {
				t.Fatal("AddMembers never waited for the deleting transaction")
			}
			r := <-res
			var n, orphans int
			if err := f.db.QueryRow("SELECT COUNT(*), COUNT(CASE WHEN user_id = 5 OR role_id NOT IN (SELECT id FROM roles) THEN 1 END) FROM user_roles").Scan(&n, &orphans); err != nil {
				t.Fatal(err)
			}
			if orphans > 0 {
				t.Errorf("%d memberships of the deleted row", orphans)
			}
			switch {
			case !r.done:
				t.Error("AddMembers declined")
			case errors.Is(r.err, c.err) && n == 0:
			case userDeleted && r.err == nil && n == len(c.ids)-1:
			default:
				t.Errorf("err %v, %d memberships; want %v and none", r.err, n, c.err)
			}
		})
	}
}
