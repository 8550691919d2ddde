package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// client sends SCIM requests to the sidecar over keep-alive connections.
type client struct {
	base string
	hc   *http.Client
}

func newClient(base string, conc int) *client {
	tr := &http.Transport{MaxIdleConns: conc * 2, MaxIdleConnsPerHost: conc * 2, IdleConnTimeout: time.Minute}
	return &client{base: base, hc: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// do sends one request and fails unless the status is want. It returns the
// body when keep is set; otherwise the body is read and dropped.
func (c *client) do(ctx context.Context, method, path string, body []byte, want int, keep bool) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out []byte
	if keep || res.StatusCode != want {
		out, err = io.ReadAll(res.Body)
	} else {
		_, err = io.Copy(io.Discard, res.Body)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", method, path, err)
	}
	if res.StatusCode != want {
		return nil, fmt.Errorf("%s %s: status %d, want %d: %.300s", method, path, res.StatusCode, want, out)
	}
	return out, nil
}

// jsonInt reads the integer member name of a JSON object written by the
// sidecar (top-level members such as totalResults), without decoding the
// whole document.
func jsonInt(doc []byte, name string) (int, bool) {
	i := bytes.Index(doc, []byte(`"`+name+`":`))
	if i < 0 {
		return 0, false
	}
	rest := doc[i+len(name)+3:]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(rest[:j]))
	return n, err == nil
}

// worker is one of the concurrent clients of a run.
type worker struct {
	id int // 0 to c-1
	k  int // requests this worker has sent in the run
	// state a scenario keeps from one request to the next (a cursor).
	state int64
}

// result is what one run measured.
type result struct {
	requests int
	elapsed  time.Duration
	lat      []time.Duration // sorted
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// quantile returns the q-quantile of the latencies (nearest rank).
func (r result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.lat))+0.999999) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

func (r result) mean() time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range r.lat {
		sum += d
	}
	return sum / time.Duration(len(r.lat))
}

// load runs op with conc workers until n requests have been sent in all,
// d has passed, or a worker has sent perWorker requests (0: no limit).
// Request i (0 to n-1) is handed to whichever worker is free. The first
// error stops the run.
func load(ctx context.Context, conc, n int, d time.Duration, perWorker int, op func(ctx context.Context, w *worker, i int) error) (result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	lats := make([][]time.Duration, conc)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for id := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{id: id}
			for ctx.Err() == nil && (perWorker == 0 || w.k < perWorker) {
				i := int(next.Add(1) - 1)
				if i >= n || time.Now().After(deadline) {
					return
				}
				t := time.Now()
				if err := op(ctx, w, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				lats[id] = append(lats[id], time.Since(t))
				w.k++
			}
		}()
	}
	wg.Wait()
	r := result{elapsed: time.Since(start)}
	for _, l := range lats {
		r.lat = append(r.lat, l...)
	}
	r.requests = len(r.lat)
	slices.Sort(r.lat)
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return r, firstErr
}
