package mysqltest

import (
	"bytes"
	"testing"
)

// TestSkipReport checks the summary Main prints: grouped by reason, with
// the count, the tests and how to run them; nothing when none was skipped.
func TestSkipReport(t *testing.T) {
	skipsMu.Lock()
	saved := skips
	skips = nil
	skipsMu.Unlock()
	t.Cleanup(func() {
		skipsMu.Lock()
		skips = saved
		skipsMu.Unlock()
	})

	var b bytes.Buffer
	SkipReport(&b)
	if b.Len() != 0 {
		t.Errorf("report with no skips: %q", b.String())
	}
	recordSkip("TestA", "no row locks")
	recordSkip("TestB", "loses concurrent writes")
	recordSkip("TestC/sub", "no row locks")
	SkipReport(&b)
	want := "mysqltest: 3 tests skipped on the embedded go-mysql-server engine (set SCIMBRIDGE_TEST_DSN='root@tcp(127.0.0.1:3306)/' to run them on MySQL or MariaDB):\n" +
		"  2: no row locks (TestA, TestC/sub)\n" +
		"  1: loses concurrent writes (TestB)\n"
	if b.String() != want {
		t.Errorf("got:\n%swant:\n%s", b.String(), want)
	}
}
