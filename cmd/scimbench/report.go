package main

import (
	"fmt"
)

// Limits the issues set for the sidecar process: memory and start-up as
// issue 14 tightened them.
const (
	maxRSS     = 48 << 20
	maxBinary  = 40e6
	maxStartup = 50e6 // nanoseconds
)

// resources reports the sidecar's memory, size and start-up.
func (b *bencher) resources(sc *sidecar) {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Fprintf(b.out, "sidecar process (load average now %s)\n", loadAverage())
	peak, cur, err := memory(sc.pid)
	switch {
	case err != nil:
		fmt.Fprintf(b.out, "  resident memory: unknown (%v)\n", err)
	case sc.binary == "":
		fmt.Fprintf(b.out, "  resident memory: peak %.1f MiB, now %.1f MiB, of this whole process (load generator and baseline included: run without -inprocess to measure the sidecar alone)\n",
			float64(peak)/(1<<20), float64(cur)/(1<<20))
	default:
		fmt.Fprintf(b.out, "  resident memory: peak %.1f MiB, now %.1f MiB (target < 48 MiB: %s)\n",
			float64(peak)/(1<<20), float64(cur)/(1<<20), verdict(peak < maxRSS))
	}
	if sc.binary != "" {
		fmt.Fprintf(b.out, "  binary size:     %.1f MB (target < 40 MB: %s)\n", float64(sc.size)/1e6, verdict(float64(sc.size) < maxBinary))
		fmt.Fprintf(b.out, "  start-up:        %v from exec to /healthz/ready answering 200 (target < 50ms: %s)\n", sc.startup.Round(100_000), verdict(sc.startup < maxStartup))
		if n, first := logErrors(sc.logPath); n > 0 {
			fmt.Fprintf(b.out, "  the sidecar logged %d errors; the first:\n  %s\n", n, first)
		}
	} else {
		fmt.Fprintf(b.out, "  start-up:        %v from cli.Build to listening, in-process\n", sc.startup.Round(100_000))
	}
}
