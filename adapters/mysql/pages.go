package mysql

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits of a store's page cache.
const (
	// countMaxAge is how long a count of a query's rows answers for
	// the pages after the first: a client paging through a big table
	// gets its totalResults without the table being counted on every
	// page. Writes through the adapter make it stale at once; writes
	// made by others show within this time, as they would on the next
	// page.
	countMaxAge = 5 * time.Second
	// endMaxAge is how long the end of a page served is remembered as
	// where the next one starts.
	endMaxAge = time.Minute
	// maxQueries bounds the queries remembered by one store, maxEnds the
	// page ends remembered for one query.
	maxQueries = 256
	maxEnds    = 1024
)

// pages remembers, for the list queries a store answered lately, where
// their pages ended and how many rows they matched, so that paging
// through a table costs the same on page 1,000 as on page 1: the next page
// is read from the key the last one ended at (WHERE key > ? rather than
// OFFSET, which reads and drops every row before the page), and the count
// is taken on the first page rather than on every page.
//
// RFC 7644 section 3.4.2.4 lets the results of a paged list change
// between requests. A page read from a remembered end holds the rows
// after the last row of the page before, which is what a client paging
// through wants even when rows were added or removed before it meanwhile
// (where OFFSET would repeat or skip rows).
type pages struct {
	writes *atomic.Uint64 // the adapter's count of write transactions

	mu      sync.Mutex // guards the following fields
	queries map[string]*query
}

// query is what is remembered of one query (its WHERE clause and
// arguments).
type query struct {
	used time.Time
	// ends are the page ends served, sorted by offset.
	ends []pageEnd
	// total is the number of matching rows counted at counted, when the
	// adapter had made writes transactions.
	total   int
	counted time.Time
	writes  uint64
}

// pageEnd says that the first offset rows of the query, ordered by key,
// are those with keys up to key.
type pageEnd struct {
	offset int
	key    any
	at     time.Time
}

func newPages(writes *atomic.Uint64) *pages {
	return &pages{writes: writes, queries: map[string]*query{}}
}

// signature identifies a query by its SQL text and arguments.
func signature(text string, args []any) string {
	var b strings.Builder
	b.WriteString(text)
	for _, a := range args {
		v := canonical(a)
		b.WriteString("\x00" + strconv.Itoa(len(v)) + ":" + v)
	}
	return b.String()
}

// end returns the remembered page end closest before offset.
func (p *pages) end(sig string, offset int) (pageEnd, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queries[sig]
	if q == nil {
		return pageEnd{}, false
	}
	now := time.Now()
	for i := len(q.ends) - 1; i >= 0; i-- {
		e := q.ends[i]
		if e.offset <= offset && now.Sub(e.at) < endMaxAge {
			q.used = now
			return e, true
		}
	}
	return pageEnd{}, false
}

// total returns the query's count if it is recent and no write has been
// made through the adapter since.
func (p *pages) total(sig string) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queries[sig]
	if q == nil || q.counted.IsZero() || q.writes != p.writes.Load() || time.Since(q.counted) >= countMaxAge {
		return 0, false
	}
	return q.total, true
}

// counted remembers a count of the query's rows, taken when the adapter
// had made writes transactions.
func (p *pages) counted(sig string, total int, writes uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.get(sig)
	q.total, q.counted, q.writes = total, time.Now(), writes
}

// ended remembers that the first offset rows end with key.
func (p *pages) ended(sig string, offset int, key any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.get(sig)
	now := time.Now()
	i := len(q.ends)
	for i > 0 && q.ends[i-1].offset >= offset {
		i--
	}
	if i < len(q.ends) && q.ends[i].offset == offset {
		q.ends[i] = pageEnd{offset, key, now}
		return
	}
	if len(q.ends) >= maxEnds {
		// Drop the oldest end: a client that made it has moved on.
		old := 0
		for j, e := range q.ends {
			if e.at.Before(q.ends[old].at) {
				old = j
			}
		}
		q.ends = append(q.ends[:old], q.ends[old+1:]...)
		if old < i {
			i--
		}
	}
	q.ends = append(q.ends, pageEnd{})
	copy(q.ends[i+1:], q.ends[i:])
	q.ends[i] = pageEnd{offset, key, now}
}

// get returns the entry of a query, making room for it if it is new.
func (p *pages) get(sig string) *query {
	now := time.Now()
	if q := p.queries[sig]; q != nil {
		q.used = now
		return q
	}
	if len(p.queries) >= maxQueries {
		var lru string
		for s, q := range p.queries {
			if now.Sub(q.used) > endMaxAge {
				delete(p.queries, s)
				continue
			}
			if lru == "" || q.used.Before(p.queries[lru].used) {
				lru = s
			}
		}
		if len(p.queries) >= maxQueries {
			delete(p.queries, lru)
		}
	}
	q := &query{used: now}
	p.queries[sig] = q
	return q
}
