package springsecurity_test

import (
	"os"
	"testing"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestMain reports, after the tests, those skipped on the embedded engine
// and why.
func TestMain(m *testing.M) { os.Exit(mysqltest.Main(m)) }
