package main

import (
	"context"
	"database/sql"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat (USER_HZ,
// 100 on every Linux architecture Go supports).
const clockTick = 10 * time.Millisecond

// cpuMeter reads the CPU time used so far by the database server, the
// sidecar and this process, where it can: on Linux, with the database on
// this machine and the sidecar a child process.
type cpuMeter struct {
	dbPID, sidecarPID int // 0: unknown
}

// cpuTimes is a reading of a cpuMeter; -1 for what is unknown.
type cpuTimes struct{ db, sidecar, self time.Duration }

// newCPUMeter finds the database server's process from its pid file when
// the server listens on a loopback address.
func newCPUMeter(ctx context.Context, admin *sql.DB, addr string, sidecarPID int) *cpuMeter {
	m := &cpuMeter{sidecarPID: sidecarPID}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return m
	}
	var pidFile sql.NullString
	if admin.QueryRowContext(ctx, "SELECT @@pid_file").Scan(&pidFile) != nil || !pidFile.Valid {
		return m
	}
	b, err := os.ReadFile(pidFile.String)
	if err != nil {
		return m
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && procCPU(pid) >= 0 {
		m.dbPID = pid
	}
	return m
}

func (m *cpuMeter) read() cpuTimes {
	t := cpuTimes{db: -1, sidecar: -1, self: -1}
	if m.dbPID != 0 {
		t.db = procCPU(m.dbPID)
	}
	if m.sidecarPID != 0 && m.sidecarPID != os.Getpid() {
		t.sidecar = procCPU(m.sidecarPID)
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return t
}

// since returns the CPU used since an earlier reading.
func (t cpuTimes) since(before cpuTimes) cpuTimes {
	d := func(a, b time.Duration) time.Duration {
		if a < 0 || b < 0 {
			return -1
		}
		return a - b
	}
	return cpuTimes{db: d(t.db, before.db), sidecar: d(t.sidecar, before.sidecar), self: d(t.self, before.self)}
}

// procCPU returns the user and system CPU time of a process, or -1.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name, in parentheses, may hold spaces: count fields
	// from after it. utime and stime are fields 14 and 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(u+st) * clockTick
}

// perRequest formats CPU time per request in microseconds, or "-".
func perRequest(d time.Duration, n int) string {
	if d < 0 || n == 0 {
		return "-"
	}
	return strconv.FormatInt(int64(d/time.Microsecond)/int64(n), 10)
}
