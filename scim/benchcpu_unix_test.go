//go:build unix

package scim_test

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time this process has used,
// or -1 if it is unknown.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
