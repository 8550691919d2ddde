package faultproxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// echo serves a line-echo server and returns its address.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := io.WriteString(c, line); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func start(t *testing.T) *Proxy {
	t.Helper()
	p, err := Start(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// roundTrip sends a line and reads the echo, with a deadline.
func roundTrip(c net.Conn, r *bufio.Reader, line string, wait time.Duration) (string, error) {
	_ = c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := r.ReadString('\n')
	return strings.TrimSuffix(got, "\n"), err
}

func dial(t *testing.T, p *Proxy) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func TestForwardsAndCuts(t *testing.T) {
	p := start(t)
	c, r := dial(t, p)
	if got, err := roundTrip(c, r, "hello", 2*time.Second); err != nil || got != "hello" {
		t.Fatalf("echo: %q, %v", got, err)
	}
	if n := p.CutAll(); n != 1 {
		t.Errorf("CutAll cut %d connections, want 1", n)
	}
	if _, err := roundTrip(c, r, "again", 2*time.Second); err == nil {
		t.Error("the connection still works after CutAll")
	}
	c2, r2 := dial(t, p)
	if got, err := roundTrip(c2, r2, "new", 2*time.Second); err != nil || got != "new" {
		t.Fatalf("a new connection after CutAll: %q, %v", got, err)
	}
}

func TestDownRefusesAndUpAccepts(t *testing.T) {
	p := start(t)
	p.Down()
	_, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while down: %v, want connection refused", err)
	}
	if err := p.Up(); err != nil {
		t.Fatal(err)
	}
	c, r := dial(t, p)
	if got, err := roundTrip(c, r, "back", 2*time.Second); err != nil || got != "back" {
		t.Fatalf("after Up: %q, %v", got, err)
	}
}

func TestStallAllAndResume(t *testing.T) {
	p := start(t)
	c, r := dial(t, p)
	p.StallAll()
	if _, err := roundTrip(c, r, "held", 300*time.Millisecond); err == nil {
		t.Fatal("an answer came through a stalled proxy")
	}
	p.Resume()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if got, err := r.ReadString('\n'); err != nil || got != "held\n" {
		t.Fatalf("after Resume: %q, %v", got, err)
	}
}

func TestRules(t *testing.T) {
	p := start(t)
	p.Count("COMMIT")
	hit := p.On("COMMIT", Cut)
	c, r := dial(t, p)
	if got, err := roundTrip(c, r, "SELECT 1", 2*time.Second); err != nil || got != "SELECT 1" {
		t.Fatalf("before the rule: %q, %v", got, err)
	}
	if _, err := roundTrip(c, r, "COMMIT", 2*time.Second); err == nil {
		t.Fatal("COMMIT went through a Cut rule")
	}
	select {
	case <-hit:
	default:
		t.Error("the rule did not report its hit")
	}
	// One-shot: the next COMMIT passes.
	c2, r2 := dial(t, p)
	if got, err := roundTrip(c2, r2, "COMMIT", 2*time.Second); err != nil || got != "COMMIT" {
		t.Fatalf("second COMMIT: %q, %v", got, err)
	}
	if n := p.Counted("COMMIT"); n != 2 {
		t.Errorf("counted %d COMMITs, want 2", n)
	}

	p.On("ROLLBACK", Stall)
	if _, err := roundTrip(c2, r2, "ROLLBACK", 300*time.Millisecond); err == nil {
		t.Fatal("ROLLBACK went through a Stall rule")
	}
	// Other connections are not stalled.
	c3, r3 := dial(t, p)
	if got, err := roundTrip(c3, r3, "other", 2*time.Second); err != nil || got != "other" {
		t.Fatalf("another connection during a Stall rule: %q, %v", got, err)
	}
	p.Resume()
	_ = c2.SetDeadline(time.Now().Add(2 * time.Second))
	if got, err := r2.ReadString('\n'); err != nil || got != "ROLLBACK\n" {
		t.Fatalf("after Resume: %q, %v", got, err)
	}
}

// readErrPacket reads one MySQL packet from r and checks that it is an ERR
// packet with sequence number seq carrying e.
func readErrPacket(t *testing.T, c net.Conn, r *bufio.Reader, seq byte, e ServerError) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	head := make([]byte, 4)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatalf("reading the packet header: %v", err)
	}
	n := int(head[0]) | int(head[1])<<8 | int(head[2])<<16
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		t.Fatalf("reading the packet: %v", err)
	}
	want := string([]byte{0xff, byte(e.Number), byte(e.Number >> 8)}) + "#" + e.SQLState + e.Message
	if head[3] != seq || string(body) != want {
		t.Fatalf("packet seq %d %q, want seq %d %q", head[3], body, seq, want)
	}
}

func TestRulesAnswerWithError(t *testing.T) {
	p := start(t)
	readOnly := ServerError{Number: 1290, SQLState: "HY000", Message: "The MariaDB server is running with the --read-only option"}
	hit := p.OnError("INSERT", readOnly)
	c, r := dial(t, p)
	if _, err := io.WriteString(c, "\x10\x00\x00\x00\x03INSERT INTO t\n"); err != nil {
		t.Fatal(err)
	}
	readErrPacket(t, c, r, 1, readOnly)
	select {
	case <-hit:
	default:
		t.Error("the rule did not report its hit")
	}
	// The server never saw the INSERT, and the connection goes on.
	if got, err := roundTrip(c, r, "SELECT 1", 2*time.Second); err != nil || got != "SELECT 1" {
		t.Fatalf("after the error: %q, %v", got, err)
	}
}

func TestRulesRefuseWithAndAccept(t *testing.T) {
	p := start(t)
	open, ro := dial(t, p)
	// Through the proxy before it refuses: a dial returns once the kernel
	// has the connection, before the proxy has taken it.
	if got, err := roundTrip(open, ro, "before", 2*time.Second); err != nil || got != "before" {
		t.Fatalf("an open connection before refusing: %q, %v", got, err)
	}
	tooMany := ServerError{Number: 1040, SQLState: "08004", Message: "Too many connections"}
	p.RefuseWith(tooMany)
	c, r := dial(t, p)
	readErrPacket(t, c, r, 0, tooMany)
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("after the refusal: %v, want the connection closed", err)
	}
	// Connections already open are left as they are.
	if got, err := roundTrip(open, ro, "still", 2*time.Second); err != nil || got != "still" {
		t.Fatalf("an open connection while refusing: %q, %v", got, err)
	}
	p.Accept()
	c2, r2 := dial(t, p)
	if got, err := roundTrip(c2, r2, "in", 2*time.Second); err != nil || got != "in" {
		t.Fatalf("after Accept: %q, %v", got, err)
	}
}

func TestRulesRewrite(t *testing.T) {
	p := start(t)
	p.Rewrite("@@read_only", "1 /*ro*/   ")
	c, r := dial(t, p)
	if got, err := roundTrip(c, r, "SELECT @@read_only, 2", 2*time.Second); err != nil || got != "SELECT 1 /*ro*/   , 2" {
		t.Fatalf("rewritten: %q, %v", got, err)
	}
	if got, err := roundTrip(c, r, "SELECT 3", 2*time.Second); err != nil || got != "SELECT 3" {
		t.Fatalf("not matching: %q, %v", got, err)
	}
}

func TestRulesLoseAnswer(t *testing.T) {
	// A server that records what it receives and answers each line.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					got <- line
					if _, err := io.WriteString(c, "ok "+line); err != nil {
						return
					}
				}
			}()
		}
	}()
	p, err := Start(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	hit := p.On("COMMIT", LoseAnswer)
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, "COMMIT", 2*time.Second); err == nil {
		t.Fatal("the answer came through a LoseAnswer rule")
	}
	<-hit
	select {
	case line := <-got:
		if line != "COMMIT\n" {
			t.Fatalf("the server received %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server never received the statement")
	}
}
