package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// countRequests is how many requests of each scenario, per side, the
// statement count is taken over.
const countRequests = 10

// stmtCounter is a TCP proxy between a client and the database server that
// counts the statements the client sends and the round trips they take:
// every command packet that runs SQL (COM_QUERY, COM_STMT_PREPARE,
// COM_STMT_EXECUTE) is one round trip, and a COM_QUERY holds as many
// statements as its text has, separated by semicolons (the driver's
// multiStatements). Pings and the connection handshake are not counted.
// Only the connections of the pools given its address go through it, so
// other users of the server do not disturb the count.
type stmtCounter struct {
	ln     net.Listener
	target string

	mu sync.Mutex // guards the following fields
	// trips holds the first words of the statements of each round trip,
	// in order, joined by "+" ("UPDATE+COMMIT").
	trips []string
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// MySQL protocol commands that run a statement.
const (
	comQuery       = 0x03
	comStmtPrepare = 0x16
	comStmtExecute = 0x17
)

func startCounter(target string) (*stmtCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &stmtCounter{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
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
	return p, nil
}

// dsn returns dsn with the server address replaced by the counter's.
func (p *stmtCounter) dsn(dsn string) (string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	cfg.Addr = p.ln.Addr().String()
	return cfg.FormatDSN(), nil
}

func (p *stmtCounter) handle(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, client)
		delete(p.conns, server)
		p.mu.Unlock()
		client.Close()
		server.Close()
	}()
	go func() {
		_, _ = io.Copy(client, server)
		client.Close()
	}()
	p.forward(client, server)
}

// forward copies the client's packets to the server, noting each command
// packet (sequence number 0) that runs a statement.
func (p *stmtCounter) forward(client, server net.Conn) {
	var head [4]byte
	for {
		if _, err := io.ReadFull(client, head[:]); err != nil {
			return
		}
		n := int(binary.LittleEndian.Uint32(append(head[:3:3], 0)))
		body := make([]byte, n)
		if _, err := io.ReadFull(client, body); err != nil {
			return
		}
		if head[3] == 0 && n > 0 {
			switch body[0] {
			case comQuery:
				p.note(strings.Join(firstWords(body[1:]), "+"))
			case comStmtPrepare, comStmtExecute:
				p.note("EXECUTE")
			}
		}
		if _, err := server.Write(append(head[:], body...)); err != nil {
			return
		}
	}
}

// firstWords names each statement of a query text by its first word (see
// firstWord), splitting the text at the semicolons outside quoted strings
// and identifiers: those that end a statement.
func firstWords(q []byte) []string {
	var words []string
	start := 0
	var quote byte // the quote of the string or identifier being read, or 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0 && c == '\\' && quote != '`':
			i++ // an escaped character
		case quote != 0 && c == quote:
			quote = 0 // a doubled quote closes and reopens: the same
		case quote != 0:
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == ';':
			if w := firstWord(q[start:i]); w != "" {
				words = append(words, w)
			}
			start = i + 1
		}
	}
	if w := firstWord(q[start:]); w != "" || len(words) == 0 {
		words = append(words, w)
	}
	return words
}

// firstWord names a statement by its first word, START TRANSACTION as
// BEGIN; "" for a text of blanks only.
func firstWord(q []byte) string {
	f := strings.Fields(string(q[:min(len(q), 32)]))
	if len(f) == 0 {
		return ""
	}
	w := strings.ToUpper(f[0])
	if w == "START" {
		return "BEGIN"
	}
	return w
}

func (p *stmtCounter) note(trip string) {
	p.mu.Lock()
	p.trips = append(p.trips, trip)
	p.mu.Unlock()
}

// take returns the round trips noted since the last take.
func (p *stmtCounter) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.trips
	p.trips = nil
	return out
}

func (p *stmtCounter) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// stmtCount is the statements one scenario's request sends, and the round
// trips they take, on average, for each side, and the round trips of one
// sidecar request.
type stmtCount struct {
	raw, sidecar           float64 // statements
	rawTrips, sidecarTrips float64
	sequence               []string
}

// String is "raw → sidecar", each side as statements/round trips.
func (c stmtCount) String() string {
	return fmt.Sprintf("%s → %s", perTrips(c.raw, c.rawTrips), perTrips(c.sidecar, c.sidecarTrips))
}

// perTrips is statements/round trips, as whole numbers where they are.
func perTrips(statements, trips float64) string {
	return strconv.FormatFloat(statements, 'f', -1, 64) + "/" + strconv.FormatFloat(trips, 'f', -1, 64)
}

// counts is the four averages, for comparing.
func (c stmtCount) counts() [4]float64 {
	return [4]float64{c.raw, c.rawTrips, c.sidecar, c.sidecarTrips}
}

// statementsIn counts the statements of round trips as take returns them.
func statementsIn(trips []string) int {
	n := 0
	for _, t := range trips {
		n += strings.Count(t, "+") + 1
	}
	return n
}

// startCounting starts the in-process sidecar and the baseline pool that
// statements are counted on.
func (b *bencher) startCounting(ctx context.Context) (stop func() error, err error) {
	counter, err := startCounter(b.db.addr)
	if err != nil {
		return nil, err
	}
	dsn, err := counter.dsn(b.db.dsn)
	if err != nil {
		counter.close()
		return nil, err
	}
	sc, err := startInProcess(ctx, dsn)
	if err != nil {
		counter.close()
		return nil, err
	}
	raw, err := openRaw(dsn)
	if err != nil {
		_ = sc.stop()
		counter.close()
		return nil, err
	}
	b.counter, b.countHTTP, b.countRaw = counter, newClient(sc.base, 1), raw
	return func() error {
		err := errors.Join(sc.stop(), raw.Close())
		counter.close()
		return err
	}, nil
}

// statements counts the statements a request of s sends on each side,
// over countRequests requests from one client, with the scenario's data
// reset before each side as for a timed run. The pools should have been
// used once before (see compare), so that opening a connection, whose
// set-up statements are no request's, is not counted.
func (b *bencher) statements(ctx context.Context, s scenario) (stmtCount, error) {
	var out stmtCount
	http, raw := b.http, b.raw
	b.http, b.raw = b.countHTTP, b.countRaw
	defer func() { b.http, b.raw = http, raw }()
	for side, do := range []func(context.Context, *worker, int) error{s.doRaw, s.doSidecar} {
		if s.reset != nil {
			if err := s.reset(ctx); err != nil {
				return out, fmt.Errorf("resetting: %w", err)
			}
		}
		b.counter.take()
		var seq []string
		r, err := load(ctx, 1, countRequests, time.Minute, s.limit, func(ctx context.Context, w *worker, i int) error {
			err := do(ctx, w, i)
			if seq == nil {
				seq = b.counter.take()
			}
			return err
		})
		if err != nil {
			return out, err
		}
		all := append(slices.Clone(seq), b.counter.take()...)
		stmts := float64(statementsIn(all)) / float64(r.requests)
		trips := float64(len(all)) / float64(r.requests)
		if side == 0 {
			out.raw, out.rawTrips = stmts, trips
		} else {
			out.sidecar, out.sidecarTrips, out.sequence = stmts, trips, seq
		}
	}
	if s.undo != nil {
		if err := s.undo(ctx); err != nil {
			return out, fmt.Errorf("undoing: %w", err)
		}
	}
	return out, nil
}
