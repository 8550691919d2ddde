package main

import (
	"fmt"
	"time"
)

// cpuTarget is the most sidecar CPU a request of a scenario may cost, as
// issue 26 sets it: within over of the HTTP floor (the sidecar's CPU for
// GET /ServiceProviderConfig, which touches no database), or, with per
// set, over for each of the per resources a request returns, above the
// floor. The zero cpuTarget is none.
type cpuTarget struct {
	over time.Duration
	per  int
}

// describe says what the target is, for the report.
func (t cpuTarget) describe() string {
	if t.per > 0 {
		return fmt.Sprintf("<= %d µs/user", t.over/time.Microsecond)
	}
	return fmt.Sprintf("<= floor+%d", t.over/time.Microsecond)
}

// verdict compares the sidecar's CPU per request, cpu, with the target
// over the floor, and says by how much it is above the floor. Either
// figure negative (unknown: the sidecar runs in this process, or /proc
// cannot be read) gives no verdict.
func (t cpuTarget) verdict(cpu, floor time.Duration) string {
	if t.over == 0 {
		return ""
	}
	if cpu < 0 || floor < 0 {
		return t.describe() + " unknown"
	}
	above := cpu - floor
	ok := above <= t.over
	got := fmt.Sprintf("floor+%d", above/time.Microsecond)
	if t.per > 0 {
		ok = above <= t.over*time.Duration(t.per)
		got = fmt.Sprintf("%.1f µs/user", float64(above)/float64(time.Microsecond)/float64(t.per))
	}
	if ok {
		return fmt.Sprintf("%s: %s met", t.describe(), got)
	}
	return fmt.Sprintf("%s: %s NOT met", t.describe(), got)
}

// perRequestDuration is the CPU d of n requests per request, or -1 when
// it is unknown.
func perRequestDuration(d time.Duration, n int) time.Duration {
	if d < 0 || n == 0 {
		return -1
	}
	return d / time.Duration(n)
}

// beyondSQL is the sidecar's CPU per request above the floor less the raw
// client's, client: what the sidecar spends beyond sending the same kind
// of statements through the same driver, which the raw baseline spends
// too. It is "-" when a figure is unknown.
func beyondSQL(sidecar, floor, client time.Duration) string {
	if sidecar < 0 || floor < 0 || client < 0 {
		return "-"
	}
	return fmt.Sprintf("%+d", (sidecar-floor-client)/time.Microsecond)
}
