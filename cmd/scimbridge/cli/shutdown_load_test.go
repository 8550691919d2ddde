package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestGracefulShutdownUnderLoad stops a sidecar while 16 clients create
// users and add them to a group as fast as they can: every write that was
// acknowledged (201, 204) is in the database afterwards, no request gets a
// 5xx, and Serve returns.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	mysqltest.SkipIfEmbedded(t, "the embedded engine loses concurrent writes to one table")
	text := telemetryConfig(t, "audit: {output: off}\nlog: {level: error}\n")
	text = []byte(strings.Replace(string(text), "log: {format: json, level: info}\n", "", 1))
	m := regexp.MustCompile(`dsn: \{value: "([^"]+)"\}`).FindSubmatch(text)
	if m == nil {
		t.Fatal("no DSN in the test config")
	}
	db, err := sql.Open("mysql", string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg, err := ParseConfig(text)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Listen, cfg.Telemetry.Listen = "127.0.0.1:0", "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan string, 1)
	served := make(chan error, 1)
	logs := new(syncBuffer)
	go func() { served <- Serve(ctx, cfg, logs, func(a, _ string) { addrs <- a }) }()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a + "/scim/v2"
	case err := <-served:
		t.Fatalf("Serve: %v\n%s", err, logs)
	}

	type ack struct {
		user, id string
		member   bool // also acknowledged as a member of group 3
	}
	var (
		mu      sync.Mutex
		acked   []ack
		codes   = map[int]int{}
		stopped atomic.Bool
	)
	const clients = 16
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 30 * time.Second}
			send := func(method, path, body string) (int, map[string]any, error) {
				req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+oktaToken)
				req.Header.Set("Content-Type", "application/scim+json")
				resp, err := hc.Do(req)
				if err != nil {
					return 0, nil, err
				}
				defer resp.Body.Close()
				data, _ := io.ReadAll(resp.Body)
				var doc map[string]any
				_ = json.Unmarshal(data, &doc)
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
				return resp.StatusCode, doc, nil
			}
			for n := 0; ; n++ {
				user := fmt.Sprintf("load-%02d-%04d@example.com", c, n)
				code, doc, err := send("POST", "/Users", `{"userName":"`+user+`"}`)
				if err != nil {
					if stopped.Load() {
						return
					}
					t.Errorf("client %d before the stop: %v", c, err)
					return
				}
				if code != 201 {
					continue
				}
				id, _ := doc["id"].(string)
				a := ack{user: user, id: id}
				code, _, err = send("PATCH", "/Groups/3", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"`+id+`"}]}]}`)
				a.member = err == nil && code == 204
				mu.Lock()
				acked = append(acked, a)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	stopped.Store(true)
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not return after the stop")
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(acked) < clients {
		t.Fatalf("only %d writes acknowledged before the stop", len(acked))
	}
	for code, n := range codes {
		if code >= 500 {
			t.Errorf("%d responses with status %d", n, code)
		}
	}
	members := map[string]bool{}
	rows, err := db.Query("SELECT user_id FROM user_roles WHERE role_id = 3")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		members[strconv.FormatInt(id, 10)] = true
	}
	rows.Close()
	lost, lostMembers, memberAcks := 0, 0, 0
	for _, a := range acked {
		var login string
		if err := db.QueryRow("SELECT login FROM users WHERE id = ?", a.id).Scan(&login); err != nil || login != a.user {
			lost++
			t.Errorf("acknowledged user %s (id %s) is not stored: %q %v", a.user, a.id, login, err)
		}
		if a.member {
			memberAcks++
			if !members[a.id] {
				lostMembers++
				t.Errorf("acknowledged membership of %s is not stored", a.id)
			}
		}
	}
	t.Logf("%d creates and %d membership adds acknowledged, responses by status %v; lost: %d users, %d memberships", len(acked), memberAcks, codes, lost, lostMembers)
}
