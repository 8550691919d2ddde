package scim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/scim"
)

// pathScenario is one request of cmd/scimbench's comparison, served
// in-process by the sidecar of a readBench.
type pathScenario struct {
	name string
	// request builds the i-th request's method, path and body ("" for
	// none), and status is what it must answer.
	request func(rb *readBench, i int) (method, path, body string)
	status  int
	// reset, if set, puts back what request i changed, outside the
	// measurement, so that every request does the same work.
	reset func(tb testing.TB, rb *readBench, i int)
	// allocs is the heap allocations one request makes now, as
	// TestAllocsPerRequest counts them; it allows a margin above.
	allocs float64
}

// memberGroup is the readBench group the member scenario adds to; it
// starts empty, and every request's members are removed again.
const memberGroup = "bench-members"

// pathScenarios are the requests of cmd/scimbench, on a readBench.
var pathScenarios = []pathScenario{
	{
		name: "get", status: http.StatusOK, allocs: 124,
		request: func(rb *readBench, i int) (string, string, string) {
			return "GET", "/Users/" + strconv.FormatInt(rb.first+int64(i%readUsers), 10), ""
		},
	},
	{
		name: "filter", status: http.StatusOK, allocs: 161,
		request: func(rb *readBench, i int) (string, string, string) {
			return "GET", "/Users?filter=" + url.QueryEscape(fmt.Sprintf(`userName eq "user%07d"`, i%readUsers)), ""
		},
	},
	{
		name: "create", status: http.StatusCreated, allocs: 308,
		request: func(rb *readBench, i int) (string, string, string) {
			return "POST", "/Users", newBenchUser(fmt.Sprintf("new%07d", i))
		},
		reset: func(tb testing.TB, rb *readBench, i int) {
			rb.exec(tb, "DELETE FROM users WHERE login = ?", fmt.Sprintf("new%07d", i))
		},
	},
	{
		name: "patch", status: http.StatusOK, allocs: 356,
		request: func(rb *readBench, i int) (string, string, string) {
			return "PATCH", "/Users/" + strconv.FormatInt(rb.first+int64(i%readUsers), 10),
				`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
		},
		reset: func(tb testing.TB, rb *readBench, i int) {
			rb.exec(tb, "UPDATE users SET status = 1 WHERE id = ?", rb.first+int64(i%readUsers))
		},
	},
	{
		name: "put", status: http.StatusOK, allocs: 417,
		request: func(rb *readBench, i int) (string, string, string) {
			login := fmt.Sprintf("user%07d", i%readUsers)
			return "PUT", "/Users/" + strconv.FormatInt(rb.first+int64(i%readUsers), 10),
				`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + login + `","externalId":"00u` + login +
					`","name":{"givenName":"Put","familyName":"Family ` + fmt.Sprintf("%07d", i) + `"},"displayName":"Put ` + fmt.Sprintf("%07d", i) +
					`","emails":[{"value":"` + login + `@example.org","type":"work","primary":true}],"active":true}`
		},
	},
	{
		name: "page100", status: http.StatusOK, allocs: 2867,
		request: func(rb *readBench, i int) (string, string, string) {
			return "GET", "/Users?startIndex=" + strconv.Itoa((i*pageOf)%readUsers+1) + "&count=" + strconv.Itoa(pageOf), ""
		},
	},
	{
		name: "members50", status: http.StatusNoContent, allocs: 503,
		request: func(rb *readBench, i int) (string, string, string) {
			var b strings.Builder
			b.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[`)
			from := (i * addBatch) % readUsers
			for j := range addBatch {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`{"value":"` + strconv.FormatInt(rb.first+int64(from+j), 10) + `"}`)
			}
			b.WriteString(`]}]}`)
			return "PATCH", "/Groups/" + strconv.FormatInt(rb.members, 10), b.String()
		},
		reset: func(tb testing.TB, rb *readBench, _ int) {
			rb.exec(tb, "DELETE FROM user_roles WHERE role_id = ?", rb.members)
		},
	},
}

// pageOf is the count of the page scenario.
const pageOf = 100

func newBenchUser(login string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + login + `","externalId":"00u` + login +
		`","name":{"givenName":"New","familyName":"User ` + login + `"},"displayName":"New User ` + login +
		`","emails":[{"value":"` + login + `@example.com","type":"work","primary":true}],"active":true}`
}

// exec runs a statement of a scenario's reset.
func (rb *readBench) exec(tb testing.TB, q string, args ...any) {
	tb.Helper()
	if _, err := rb.s.db.Exec(q, args...); err != nil {
		tb.Fatal(err)
	}
}

// newPathBench is a readBench with the empty group of the member
// scenario.
func newPathBench(tb testing.TB) *readBench {
	tb.Helper()
	tb.Cleanup(scim.WithoutRenderingCheck())
	rb := newReadBench(tb)
	res, err := rb.s.db.Exec("INSERT INTO roles (name, created_at) VALUES (?, '2024-01-01 00:00:00')", memberGroup)
	if err != nil {
		tb.Fatal(err)
	}
	if rb.members, err = res.LastInsertId(); err != nil {
		tb.Fatal(err)
	}
	return rb
}

// serveScenario builds and serves request i of sc, and fails unless it
// answers sc.status.
func (rb *readBench) serveScenario(tb testing.TB, sc pathScenario, i int, w *discard) {
	method, path, body := sc.request(rb, i)
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, "http://sidecar.test/scim/v2"+path, nil)
	} else {
		req = httptest.NewRequest(method, "http://sidecar.test/scim/v2"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	rb.s.h.ServeHTTP(w, req)
	if w.status != sc.status {
		tb.Fatalf("%s: %s %s: status %d, want %d", sc.name, method, path, w.status, sc.status)
	}
}

// BenchmarkRequest serves each request cmd/scimbench compares with raw
// SQL in-process (as newReadBench configures the sidecar: info logs
// formatted as JSON, audit records to the null device), its response
// written to a counting writer, and reports the allocations and the CPU
// time of this process per request: the sidecar's own cost with the
// driver's, without the database server's. A write's reset (deleting
// the user created, reactivating the user deactivated, removing the
// members added) runs with the timer stopped, and its CPU is left out.
//
//	SCIMBRIDGE_TEST_DSN='root@tcp(127.0.0.1:3306)/' go test ./scim/ -run '^$' -bench '^BenchmarkRequest$' -benchmem
func BenchmarkRequest(b *testing.B) {
	rb := newPathBench(b)
	for _, sc := range pathScenarios {
		b.Run(sc.name, func(b *testing.B) {
			var sent int64
			var resets time.Duration // CPU of the resets, left out
			b.ReportAllocs()
			start := processCPU()
			for i := range b.N {
				w := newDiscard()
				rb.serveScenario(b, sc, i, w)
				sent += w.n
				if sc.reset != nil {
					b.StopTimer()
					from := processCPU()
					sc.reset(b, rb, i)
					resets += processCPU() - from
					b.StartTimer()
				}
			}
			if end := processCPU(); start >= 0 && end >= 0 {
				b.ReportMetric(float64(end-start-resets)/float64(b.N), "cpu-ns/op")
			}
			b.ReportMetric(float64(sent)/float64(b.N), "resp-B/op")
		})
	}
}

// TestAllocsPerRequest keeps the heap allocations of each request of
// BenchmarkRequest from creeping back: it counts them (the Mallocs of
// runtime.MemStats around each request, resets outside) over a run of
// requests and fails when the mean is above the scenario's allocs.
// Allocation counts, unlike timings, do not depend on a quiet machine.
// It needs a server outside the process: the embedded engine would count
// its own allocations.
func TestAllocsPerRequest(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the embedded engine's allocations would be counted with the sidecar's")
	rb := newPathBench(t)
	const warm, runs = 5, 40
	for _, sc := range pathScenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := rb.allocsPerRequest(t, sc, warm, runs)
			limit := allocLimit(sc.allocs)
			t.Logf("%s: %.1f allocations per request (pinned %.0f, at most %.0f)", sc.name, got, sc.allocs, limit)
			if got > limit {
				t.Errorf("%s: %.1f allocations per request, want at most %.0f (%.0f pinned and a margin): see BenchmarkRequest and -memprofile for where they come from",
					sc.name, got, limit, sc.allocs)
			}
		})
	}
}

// allocLimit is the most allocations a request pinned at n may make: 2%
// and 3 more (the driver's buffers and the pool vary by an allocation or
// two), or 25% more with the race detector, which allocates for what it
// tracks.
func allocLimit(n float64) float64 {
	if raceEnabled {
		return n*1.25 + 3
	}
	return n*1.02 + 3
}

// allocsPerRequest serves warm requests of sc, then runs more, and
// returns the mean heap allocations of those.
func (rb *readBench) allocsPerRequest(t testing.TB, sc pathScenario, warm, runs int) float64 {
	var ms runtime.MemStats
	var total uint64
	for i := range warm + runs {
		w := newDiscard()
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		rb.serveScenario(t, sc, i, w)
		runtime.ReadMemStats(&ms)
		if i >= warm {
			total += ms.Mallocs - before
		}
		if sc.reset != nil {
			sc.reset(t, rb, i)
		}
	}
	return float64(total) / float64(runs)
}
