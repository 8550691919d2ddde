// Package faultproxy is a TCP proxy for tests that puts faults between a
// client and a database server: it can drop every connection at once,
// refuse new ones as a server that is down or restarting does, stall
// traffic as a network cut does, and cut or stall the one connection whose
// client sends a given statement (COMMIT, say), so that a test can fail a
// transaction at an exact point. It can also speak for the server: answer a
// statement with a MySQL error packet (a read-only server refusing an
// INSERT), or turn new connections away with one (too many connections),
// as the server itself would. It is for tests only and is never linked
// into the scimbridge binary.
package faultproxy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"time"
)

// Proxy forwards TCP connections from its own address to a target.
type Proxy struct {
	target string
	addr   string

	mu       sync.Mutex
	ln       net.Listener // nil while down
	links    map[*link]struct{}
	gate     chan struct{} // closed: traffic flows; open: stalled
	rules    []*rule
	counts   map[string]int
	counting []string
	refusal  []byte // set by RefuseWith: the packet new connections get
	rewrites [][2][]byte
	closed   bool
	wg       sync.WaitGroup
}

// Action is what a rule does to the connection that matches it.
type Action int

const (
	// Cut resets the connection at once, on both sides, without
	// forwarding the data that matched: the server sees its client vanish
	// and the client sees the connection reset.
	Cut Action = iota
	// Stall holds the data that matched and every byte after it, in both
	// directions, until Resume. The client sees a server that does not
	// answer. If the client gives up and closes the connection meanwhile,
	// the held data is dropped, never delivered.
	Stall
	// LoseAnswer forwards the data that matched, then resets the client's
	// side of the connection at once, and the server's once the server
	// has answered (or gone): the server runs the statement (a COMMIT
	// commits) and the client never hears how it went.
	LoseAnswer
	// fail answers the matched data with an error packet in the server's
	// place, without forwarding it (see OnError).
	fail
)

type rule struct {
	pattern []byte
	action  Action
	hit     chan struct{}
	packet  []byte // for fail
}

// ServerError is an error as a MySQL or MariaDB server sends it, in an ERR
// packet: its number, SQLSTATE and message.
type ServerError struct {
	Number   uint16
	SQLState string // five characters, such as "HY000"
	Message  string
}

// packet encodes e as an ERR packet with sequence number seq.
func (e ServerError) packet(seq byte) []byte {
	state := (e.SQLState + "HY000")[:5]
	payload := []byte{0xff, 0, 0}
	binary.LittleEndian.PutUint16(payload[1:], e.Number)
	payload = append(append(append(payload, '#'), state...), e.Message...)
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

// Start listens on a free loopback port and forwards every connection to
// target (host:port).
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	open := make(chan struct{})
	close(open)
	p := &Proxy{target: target, addr: ln.Addr().String(), ln: ln, links: map[*link]struct{}{}, gate: open, counts: map[string]int{}}
	p.serve(ln)
	return p, nil
}

// Addr is the proxy's address (127.0.0.1:port): give it to the client in
// place of the target's. It stays the same across Down and Up.
func (p *Proxy) Addr() string { return p.addr }

func (p *Proxy) serve(ln net.Listener) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.handle(c)
			}()
		}
	}()
}

// link is one proxied connection.
type link struct {
	client, server net.Conn
	done           chan struct{}
	once           sync.Once
	stalled        chan struct{} // set by a Stall rule: closed on Resume
}

func (l *link) reset() {
	l.once.Do(func() {
		close(l.done)
		for _, c := range []net.Conn{l.client, l.server} {
			if c == nil {
				continue
			}
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // an RST, not an orderly FIN
			}
			_ = c.Close()
		}
	})
}

func (p *Proxy) handle(client net.Conn) {
	p.mu.Lock()
	refusal := p.refusal
	p.mu.Unlock()
	if refusal != nil {
		// In place of the server's greeting, as a server that turns a
		// client away does; then the server closes the connection.
		_, _ = client.Write(refusal)
		_ = client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	l := &link{client: client, server: server, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed || p.ln == nil {
		p.mu.Unlock()
		l.reset()
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
		l.reset()
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(l, client, server, true) }()
	go func() { defer wg.Done(); p.pipe(l, server, client, false) }()
	wg.Wait()
}

// pipe copies src to dst until either side fails; upstream is the client's
// direction, where rules apply.
func (p *Proxy) pipe(l *link, src, dst net.Conn, upstream bool) {
	defer l.reset()
	buf := make([]byte, 64<<10)
	var tail []byte // the end of the previous chunk, for patterns split across reads
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if upstream {
				window := append(append([]byte(nil), tail...), chunk...)
				cut, answered, lose := p.match(l, window, len(tail))
				if cut {
					return
				}
				tail = window[max(0, len(window)-256):]
				if answered {
					continue // the server never sees it
				}
				chunk = p.rewrite(chunk)
				if lose {
					p.lose(l, dst, chunk)
					return
				}
			}
			if !p.wait(l) {
				return
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// contains reports whether pattern occurs in data ending after its first
// old bytes, which were seen (and matched) with the previous chunk.
func contains(data []byte, old int, pattern []byte) bool {
	from := max(0, old-len(pattern)+1)
	return bytes.Contains(data[from:], pattern)
}

// match applies the first rule whose pattern data contains, and reports
// whether the link was cut, or the data answered in the server's place
// (and so not to be forwarded). The first old bytes of data were seen
// before.
func (p *Proxy) match(l *link, data []byte, old int) (cut, answered, lose bool) {
	p.mu.Lock()
	for _, pat := range p.counting {
		if contains(data, old, []byte(pat)) {
			p.counts[pat]++
		}
	}
	var r *rule
	for i, x := range p.rules {
		if contains(data, old, x.pattern) {
			r = x
			p.rules = append(p.rules[:i:i], p.rules[i+1:]...)
			break
		}
	}
	if r != nil && r.action == Stall && l.stalled == nil {
		l.stalled = make(chan struct{})
	}
	p.mu.Unlock()
	if r == nil {
		return false, false, false
	}
	switch r.action {
	case Cut:
		close(r.hit)
		l.reset()
		return true, false, false
	case fail:
		// Reported before the client can see the answer, so that a
		// client that has it knows the rule has fired.
		close(r.hit)
		if _, err := l.client.Write(r.packet); err != nil {
			l.reset()
			return true, false, false
		}
		return false, true, false
	case LoseAnswer:
		close(r.hit)
		return false, false, true
	}
	close(r.hit)
	return false, false, false
}

// lose forwards data to the server and resets the client's side of l,
// keeping the server's open until the server has answered (the pipe from
// it then fails to write to the client and resets the link) or a while
// has passed.
func (p *Proxy) lose(l *link, server net.Conn, data []byte) {
	if !p.wait(l) {
		return
	}
	// The client's side goes first: once the data is on its way the
	// server may answer at once, and the answer must find no one.
	if tc, ok := l.client.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = l.client.Close()
	if _, err := server.Write(data); err != nil {
		l.reset()
		return
	}
	select {
	case <-l.done:
	case <-time.After(loseWait):
		l.reset()
	}
}

// loseWait bounds how long LoseAnswer keeps the server's side open for
// its answer.
const loseWait = 10 * time.Second

// wait blocks while the proxy or the link is stalled, and reports false if
// the link went away meanwhile.
func (p *Proxy) wait(l *link) bool {
	p.mu.Lock()
	own := l.stalled
	p.mu.Unlock()
	if own != nil {
		select {
		case <-own:
		case <-l.done:
			return false
		}
	}
	p.mu.Lock()
	gate := p.gate
	p.mu.Unlock()
	select {
	case <-gate:
		select {
		case <-l.done:
			return false
		default:
			return true
		}
	case <-l.done:
		return false
	}
}

// On arms a one-shot rule: the first connection whose client sends data
// containing pattern (a statement such as "COMMIT", which a MySQL client
// sends as plain text) is cut or stalled before that data is forwarded. The
// returned channel is closed when the rule fires.
func (p *Proxy) On(pattern string, a Action) <-chan struct{} {
	r := &rule{pattern: []byte(pattern), action: a, hit: make(chan struct{})}
	p.mu.Lock()
	p.rules = append(p.rules, r)
	p.mu.Unlock()
	return r.hit
}

// OnError arms a one-shot rule that answers, in the server's place, the
// first command whose data contains pattern with the error e, as the server
// refuses a statement (1290 for an INSERT on a read-only server, say). The
// command is not forwarded: the server never runs it, and the connection
// stays open, in the state it was in before (a transaction begun stays
// open). The pattern must be in a command the client sends in one packet
// (any statement up to 16 MiB), whose answer starts with sequence number 1.
// The returned channel is closed when the rule fires.
func (p *Proxy) OnError(pattern string, e ServerError) <-chan struct{} {
	r := &rule{pattern: []byte(pattern), action: fail, hit: make(chan struct{}), packet: e.packet(1)}
	p.mu.Lock()
	p.rules = append(p.rules, r)
	p.mu.Unlock()
	return r.hit
}

// RefuseWith answers every new connection with e in place of the server's
// greeting and closes it, as a server turning clients away does (1040, too
// many connections; 1047 from a Galera node that is not synced), until
// Accept. Open connections are left as they are.
func (p *Proxy) RefuseWith(e ServerError) {
	p.mu.Lock()
	p.refusal = e.packet(0)
	p.mu.Unlock()
}

// Accept lets new connections through to the server again after
// RefuseWith.
func (p *Proxy) Accept() {
	p.mu.Lock()
	p.refusal = nil
	p.mu.Unlock()
}

// Rewrite replaces from with to in everything clients send from now on
// (and for as long as the proxy runs), so that the server runs a statement
// a little different from the client's: a variable in a SELECT list
// replaced by a constant, say, to have the server report a state it is
// not in. from and to must have the same length, which keeps the MySQL
// packets' lengths right, and from must not span two reads.
func (p *Proxy) Rewrite(from, to string) {
	if len(from) != len(to) {
		panic("faultproxy: Rewrite needs from and to of the same length")
	}
	p.mu.Lock()
	p.rewrites = append(p.rewrites, [2][]byte{[]byte(from), []byte(to)})
	p.mu.Unlock()
}

// rewrite applies the Rewrites to data.
func (p *Proxy) rewrite(data []byte) []byte {
	p.mu.Lock()
	rw := p.rewrites
	p.mu.Unlock()
	for _, r := range rw {
		if bytes.Contains(data, r[0]) {
			data = bytes.ReplaceAll(data, r[0], r[1])
		}
	}
	return data
}

// Count starts counting the chunks clients send that contain pattern.
func (p *Proxy) Count(pattern string) {
	p.mu.Lock()
	p.counting = append(p.counting, pattern)
	p.mu.Unlock()
}

// Counted returns how many chunks containing pattern clients have sent
// since Count.
func (p *Proxy) Counted(pattern string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[pattern]
}

// ClearRules drops the rules that have not fired.
func (p *Proxy) ClearRules() {
	p.mu.Lock()
	p.rules = nil
	p.mu.Unlock()
}

// CutAll resets every open connection, as a server crash or a killed
// network path does, and returns how many there were. New connections
// are still accepted.
func (p *Proxy) CutAll() int {
	p.mu.Lock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		l.reset()
	}
	return len(links)
}

// Down stops listening, so that new connections are refused
// (ECONNREFUSED), and resets every open one: the server is down.
func (p *Proxy) Down() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	p.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	p.CutAll()
}

// Up listens again on the same address after Down: the server is back.
func (p *Proxy) Up() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("faultproxy: closed")
	}
	if p.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return err
	}
	p.ln = ln
	p.serve(ln)
	return nil
}

// StallAll holds every byte in both directions, on open and new
// connections, until Resume: a network cut that neither side notices.
func (p *Proxy) StallAll() {
	p.mu.Lock()
	select {
	case <-p.gate:
		p.gate = make(chan struct{})
	default:
	}
	p.mu.Unlock()
}

// Resume lets traffic flow again after StallAll and on connections a Stall
// rule held.
func (p *Proxy) Resume() {
	p.mu.Lock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
	for l := range p.links {
		if l.stalled != nil {
			select {
			case <-l.stalled:
			default:
				close(l.stalled)
			}
		}
	}
	p.mu.Unlock()
}

// Close stops the proxy and resets every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.Resume()
	p.Down()
	p.wg.Wait()
	return nil
}
