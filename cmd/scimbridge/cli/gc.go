package cli

import (
	"os"
	"runtime/debug"
)

// servedGCPercent is the garbage collector's target that serve runs with
// unless GOGC is set: a request allocates its documents afresh and the
// live heap of the sidecar is small (about 10 MiB), so the runtime's 100
// collects often for little. In make bench (three paired runs, 5,000
// users, on 2 busy cores) 200 took the sidecar's mean CPU per request from
// 1,389 to 1,151 µs for a page of 100 users, 171 to 139 µs for a filter
// and 317 to 217 µs for adding 50 members (get, PATCH, PUT and the Okta
// import within the noise, 3-12% lower), for a peak resident memory of
// 33-36 MiB against 28-29 MiB, under the 48 MiB make bench holds it to. GOMEMLIMIT, which the Go
// runtime reads itself, caps the heap softly: set it in a container with
// a memory limit (to about 80% of it), and the collector works harder
// near the cap rather than letting the heap grow to three times what is
// live.
const servedGCPercent = 200

// tuneGC sets the garbage collector's target to servedGCPercent unless the
// environment sets GOGC, and reports the target set (0 when it left the
// runtime's as it was).
func tuneGC(lookupEnv func(string) (string, bool)) int {
	if _, set := lookupEnv("GOGC"); set {
		return 0
	}
	debug.SetGCPercent(servedGCPercent)
	return servedGCPercent
}

// tuneServedGC is tuneGC on the process's environment.
func tuneServedGC() int { return tuneGC(os.LookupEnv) }
