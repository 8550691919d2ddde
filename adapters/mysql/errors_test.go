package mysql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestClassifyRefusals checks that the errors of a server that cannot take
// the work now (read-only, too many connections, a Galera node not ready,
// shutting down) are ErrUnavailable, through every wrap the stores add, and
// still carry the server's error for logs.
func TestClassifyRefusals(t *testing.T) {
	for _, n := range []uint16{
		1290, // ER_OPTION_PREVENTS_STATEMENT: --read-only, read_only=1
		1836, // ER_READ_ONLY_MODE
		1792, // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
		1040, // ER_CON_COUNT_ERROR: too many connections
		1203, // ER_TOO_MANY_USER_CONNECTIONS
		1226, // ER_USER_LIMIT_REACHED: the account's MAX_USER_CONNECTIONS
		1047, // ER_UNKNOWN_COM_ERROR: WSREP has not yet prepared node for application use
		1053, // ER_SERVER_SHUTDOWN
		1927, // ER_CONNECTION_KILLED
	} {
		me := &mysql.MySQLError{Number: n, Message: "refused"}
		err := fmt.Errorf("creating group: %w", classify(fmt.Errorf("inserting row: %w", me)))
		if !errors.Is(err, adapters.ErrUnavailable) {
			t.Errorf("error %d: %v is not ErrUnavailable", n, err)
		}
		var got *mysql.MySQLError
		if !errors.As(err, &got) || got.Number != n {
			t.Errorf("error %d: the server's error is lost from %v", n, err)
		}
		if again := classify(err); !errors.Is(again, adapters.ErrUnavailable) {
			t.Errorf("error %d: classified twice: %v", n, again)
		}
	}
	// Errors of a request, not of the server, are not.
	for _, n := range []uint16{1064, 1146, 1054} {
		if err := classify(&mysql.MySQLError{Number: n}); errors.Is(err, adapters.ErrUnavailable) {
			t.Errorf("error %d classified unavailable", n)
		}
	}
}

// TestReadyJudges checks what Ready makes of the server's answer.
func TestReadyJudges(t *testing.T) {
	for _, c := range []struct {
		readOnly, wsrepOn, wsrepReady, wsrepState string
		why                                       string // "" for ready
	}{
		{"0", "0", "OFF", "", ""}, // MariaDB without Galera reports wsrep_ready OFF
		{"0", "", "", "", ""},     // MySQL: read_only alone
		{"1", "0", "OFF", "", "read-only"},
		{"1", "", "", "", "read-only"},
		{"0", "1", "ON", "4", ""},
		{"0", "ON", "ON", "4", ""},
		{"0", "1", "OFF", "4", "wsrep_ready=OFF"},
		{"0", "1", "ON", "2", "wsrep_local_state=2"},
		{"0", "1", "ON", "", "wsrep_local_state=none"},
		{"1", "1", "ON", "4", "read-only"},
	} {
		err := notReady(c.readOnly, c.wsrepOn, c.wsrepReady, c.wsrepState)
		switch {
		case c.why == "" && err != nil:
			t.Errorf("%+v: %v, want ready", c, err)
		case c.why != "" && (err == nil || !errors.Is(err, adapters.ErrUnavailable) || !strings.Contains(err.Error(), c.why)):
			t.Errorf("%+v: %v, want ErrUnavailable saying %q", c, err, c.why)
		}
	}
}

// TestLostAnswer checks which errors of a COMMIT leave its outcome
// unknown: those where the server's answer never came, not those the
// server sent.
func TestLostAnswer(t *testing.T) {
	for _, c := range []struct {
		err  error
		lost bool
	}{
		{mysql.ErrInvalidConn, true},
		{fmt.Errorf("committing: %w", io.EOF), true},
		{io.ErrUnexpectedEOF, true},
		{syscall.ECONNRESET, true},
		{syscall.EPIPE, true},
		{context.DeadlineExceeded, true},
		{&mysql.MySQLError{Number: 1927}, true}, // killed while committing
		{&mysql.MySQLError{Number: 1062}, false},
		{&mysql.MySQLError{Number: 1290}, false}, // refused: not run
		{errors.New("other"), false},
	} {
		if got := lostAnswer(classify(c.err)); got != c.lost {
			t.Errorf("lostAnswer(%v) = %v, want %v", c.err, got, c.lost)
		}
	}
}
