package cli

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that serve raises the garbage collector's target to
// servedGCPercent, and leaves it to GOGC when that is set.
func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	if got := tuneGC(env(nil)); got != servedGCPercent {
		t.Errorf("without GOGC: tuneGC = %d, want %d", got, servedGCPercent)
	}
	if now := debug.SetGCPercent(100); now != servedGCPercent {
		t.Errorf("without GOGC: the target is %d, want %d", now, servedGCPercent)
	}
	if got := tuneGC(env(map[string]string{"GOGC": "50"})); got != 0 {
		t.Errorf("with GOGC=50: tuneGC = %d, want 0 (left to GOGC)", got)
	}
	if now := debug.SetGCPercent(100); now != 100 {
		t.Errorf("with GOGC=50: the target was changed to %d", now)
	}
}
