package scim_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// bigGroupSize is the size of the group that must be sent streamed.
const bigGroupSize = 100_000

// heapSampler tracks the largest heap seen while a response is written.
// Every few writes it collects garbage and reads the heap, so that what it
// records is what the handler holds on to, not garbage awaiting a GC; in
// between it reads the heap objects, garbage included, without a GC.
type heapSampler struct {
	writes    int
	samples   []metrics.Sample
	maxLive   uint64 // after a forced GC
	maxObject uint64 // garbage included
	gcs       int    // GCs forced
}

func newHeapSampler() *heapSampler {
	return &heapSampler{samples: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

// base records the heap before the request, after a GC.
func (h *heapSampler) base() {
	runtime.GC()
	metrics.Read(h.samples)
	h.maxLive, h.maxObject = h.samples[0].Value.Uint64(), h.samples[0].Value.Uint64()
}

func (h *heapSampler) sample() {
	h.writes++
	if h.writes%16 == 0 {
		runtime.GC()
		h.gcs++
		metrics.Read(h.samples)
		h.maxLive = max(h.maxLive, h.samples[0].Value.Uint64())
		return
	}
	metrics.Read(h.samples)
	h.maxObject = max(h.maxObject, h.samples[0].Value.Uint64())
}

// pipeWriter is a ResponseWriter that passes the body on to a reader
// without keeping it, counts it, and samples the heap at every write.
type pipeWriter struct {
	header http.Header
	status int
	n      int64
	w      *io.PipeWriter
	heap   *heapSampler
}

func (p *pipeWriter) Header() http.Header { return p.header }

func (p *pipeWriter) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func (p *pipeWriter) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	p.heap.sample()
	n, err := p.w.Write(b)
	p.n += int64(n)
	return n, err
}

// groupStream is what a streaming decode of a group document found.
type groupStream struct {
	id, displayName string
	members         int
	firstMember     int64
	lastMember      int64
}

// decodeGroup reads one group document token by token, without keeping
// it: members are counted and must be users first to first+n-1 in
// ascending order; any other member of the document is skipped.
func decodeGroup(r io.Reader, first int64) (groupStream, error) {
	var g groupStream
	dec := json.NewDecoder(r)
	delim := func(want json.Delim) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); !ok || d != want {
			return fmt.Errorf("got %v, want %v", tok, want)
		}
		return nil
	}
	if err := delim('{'); err != nil {
		return g, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return g, err
		}
		switch key := tok.(string); key {
		case "members":
			if err := delim('['); err != nil {
				return g, err
			}
			for dec.More() {
				if err := delim('{'); err != nil {
					return g, err
				}
				var value string
				for dec.More() {
					k, err := dec.Token()
					if err != nil {
						return g, err
					}
					v, err := dec.Token()
					if err != nil {
						return g, err
					}
					if _, ok := v.(json.Delim); ok {
						return g, fmt.Errorf("member %d: %s is not a string", g.members, k)
					}
					if k == "value" {
						value, _ = v.(string)
					}
				}
				if err := delim('}'); err != nil {
					return g, err
				}
				id, err := strconv.ParseInt(value, 10, 64)
				if err != nil || id != first+int64(g.members) {
					return g, fmt.Errorf("member %d has value %q, want %d", g.members, value, first+int64(g.members))
				}
				if g.members == 0 {
					g.firstMember = id
				}
				g.lastMember = id
				g.members++
			}
			if err := delim(']'); err != nil {
				return g, err
			}
		case "id", "displayName":
			v, err := dec.Token()
			if err != nil {
				return g, err
			}
			s, _ := v.(string)
			if key == "id" {
				g.id = s
			} else {
				g.displayName = s
			}
		default:
			var skip json.RawMessage // a small member: schemas, meta
			if err := dec.Decode(&skip); err != nil {
				return g, err
			}
		}
	}
	if err := delim('}'); err != nil {
		return g, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return g, fmt.Errorf("data after the document: %v", err)
	}
	return g, nil
}

// TestBigGroupStreamed reads a group of 100,000 members through the
// handler and checks that it arrives whole, as valid JSON, while the heap
// the sidecar holds during the request stays far below the response's
// size: members are streamed from the database to the client, not
// gathered first. It also checks that excluding members makes the same
// group cheap to read, as Entra reads groups.
func TestBigGroupStreamed(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "a group of 100,000 members on the in-memory engine is too slow for a unit test")
	g := newBenchGroup(t, bigGroupSize)
	path := fmt.Sprintf("/scim/v2/Groups/%d", g.gid)

	pr, pw := io.Pipe()
	type result struct {
		g   groupStream
		err error
	}
	done := make(chan result, 1)
	go func() {
		gs, err := decodeGroup(pr, g.first)
		// Drain whatever a failed decode left, so the handler can finish.
		_, _ = io.Copy(io.Discard, pr)
		done <- result{gs, err}
	}()
	w := &pipeWriter{header: http.Header{}, w: pw, heap: newHeapSampler()}
	req := httptest.NewRequest("GET", "http://sidecar.test"+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w.heap.base()
	baseLive, baseObjects := w.heap.maxLive, w.heap.maxObject
	start := time.Now()
	g.s.h.ServeHTTP(w, req)
	pw.Close()
	elapsed := time.Since(start)
	res := <-done
	runtime.ReadMemStats(&after)
	runtime.GC()
	var retained runtime.MemStats
	runtime.ReadMemStats(&retained)

	if w.status != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, w.status)
	}
	if ct := w.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		t.Errorf("Content-Type %q", ct)
	}
	if res.err != nil {
		t.Fatalf("GET %s: the response (%d bytes) is not a whole group document: %v", path, w.n, res.err)
	}
	if res.g.members != bigGroupSize || res.g.id != strconv.FormatInt(g.gid, 10) || res.g.displayName != fmt.Sprintf("bench-%d", bigGroupSize) {
		t.Fatalf("got group %q (%q) with %d members, want %d with %d members", res.g.id, res.g.displayName, res.g.members, g.gid, bigGroupSize)
	}

	liveGrowth := int64(w.heap.maxLive) - int64(baseLive)
	objectGrowth := int64(w.heap.maxObject) - int64(baseObjects)
	t.Logf("GET of %d members: %d bytes in %v (%d bytes allocated in total); heap growth: at most %+d bytes live (%d GCs forced while writing), "+
		"at most %+d bytes with garbage, %+d bytes retained afterwards",
		res.g.members, w.n, elapsed.Round(time.Millisecond), after.TotalAlloc-before.TotalAlloc,
		liveGrowth, w.heap.gcs, objectGrowth, int64(retained.HeapAlloc)-int64(before.HeapAlloc))
	if w.heap.gcs < 5 {
		t.Errorf("only %d heap samples after a GC during the GET", w.heap.gcs)
	}
	// A buffered response would hold all of it at once.
	if limit := w.n / 10; liveGrowth > limit {
		t.Errorf("the live heap grew by %d bytes while sending %d; want under %d: the response is being held in memory", liveGrowth, w.n, limit)
	}

	// Without members the same group is one row away.
	for _, p := range []string{
		path + "?excludedAttributes=members",
		"/scim/v2/Groups?excludedAttributes=members&filter=" + url.QueryEscape(fmt.Sprintf("displayName eq %q", fmt.Sprintf("bench-%d", bigGroupSize))),
	} {
		start := time.Now()
		r := g.s.do("GET", p, nil)
		took := time.Since(start)
		if r.Status != http.StatusOK || strings.Contains(r.Raw, `"members"`) || len(r.Raw) > 2000 {
			t.Errorf("GET %s: %d, %d bytes: %.300s", p, r.Status, len(r.Raw), r.Raw)
		}
		t.Logf("GET %s: %d bytes in %v", p, len(r.Raw), took.Round(time.Microsecond))
		if took > elapsed/4 && took > 50*time.Millisecond {
			t.Errorf("GET %s took %v, not much less than the %v of the whole group", p, took, elapsed)
		}
	}
}
