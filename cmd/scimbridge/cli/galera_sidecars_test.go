package cli

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
	scimmysql "github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/scim"
)

// galeraToken is the bearer token of the Galera tests' sidecars.
const galeraToken = "galera-token"

// galeraTestNodes returns the nodes of SCIMBRIDGE_TEST_GALERA, in the
// order deploy/galera/cluster.sh numbers them, or skips t.
func galeraTestNodes(t *testing.T) []string {
	t.Helper()
	v := os.Getenv("SCIMBRIDGE_TEST_GALERA")
	if v == "" {
		t.Skipf("%s: skipped: no Galera cluster; start one with deploy/galera/cluster.sh start and set SCIMBRIDGE_TEST_GALERA", t.Name())
	}
	nodes := strings.Split(v, ",")
	if len(nodes) < 2 {
		t.Fatalf("SCIMBRIDGE_TEST_GALERA=%q: want at least two nodes", v)
	}
	return nodes
}

// galeraClassic creates a database on the cluster holding the classic
// example's schema and the lock table, dropped when t ends, and returns a
// DSN of it for each node and an administrative pool on the first.
func galeraClassic(t *testing.T, nodes []string) ([]string, *sql.DB) {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sbgalera_" + hex.EncodeToString(b[:])
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.MultiStatements = "tcp", nodes[0], "root", true
	admin, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + name) })
	schema, err := os.ReadFile(filepath.Join(exampleRoot, "examples", "classic", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("USE " + name + "; " + string(schema) + "\n" + scimmysql.LocksTableSQL); err != nil {
		t.Fatal(err)
	}
	dsns := make([]string, len(nodes))
	for i, n := range nodes {
		c := mysql.NewConfig()
		c.Net, c.Addr, c.User, c.DBName = "tcp", n, "root", name
		dsns[i] = c.FormatDSN()
	}
	return dsns, admin
}

// galeraSidecar is a sidecar of the classic example's mapping, in
// process, with its pools on one Galera node and lock rows for
// uniqueness.
type galeraSidecar struct {
	t         *testing.T
	name      string
	scim, tel *httptest.Server
	base      string
}

func newGaleraSidecar(t *testing.T, name, dsn string) *galeraSidecar {
	t.Helper()
	cfg := parseExample(t, filepath.Join(exampleRoot, "examples", "classic", "scimbridge.yaml"))
	cfg.Database.adapter = &scimmysql.Config{DSN: adapters.Secret{Value: dsn}, UniquenessLocks: scimmysql.LocksTableMode}
	cfg.Server.Tokens = []scim.TokenConfig{{Name: "test", Token: adapters.Secret{Value: galeraToken}}}
	cfg.Audit.Output = "off"
	sc, err := Build(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("sidecar %s: %v", name, err)
	}
	s := &galeraSidecar{t: t, name: name, scim: httptest.NewServer(sc.Handler), tel: httptest.NewServer(sc.Telemetry)}
	s.base = s.scim.URL + cfg.Server.BasePath
	t.Cleanup(func() {
		s.scim.Close()
		s.tel.Close()
		sc.Close()
	})
	return s
}

// galeraAnswer is what a sidecar answered.
type galeraAnswer struct {
	status     int
	retryAfter string
	body       []byte
}

// do sends a SCIM request; a transport error fails the test.
func (s *galeraSidecar) do(method, path, body string) galeraAnswer {
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+galeraToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := s.scim.Client().Do(req)
	if err != nil {
		s.t.Errorf("sidecar %s: %s %s: %v", s.name, method, path, err)
		return galeraAnswer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return galeraAnswer{resp.StatusCode, resp.Header.Get("Retry-After"), b}
}

// ready returns the status of the sidecar's /healthz/ready.
func (s *galeraSidecar) ready() int {
	resp, err := s.tel.Client().Get(s.tel.URL + readyPath)
	if err != nil {
		s.t.Errorf("sidecar %s: readiness: %v", s.name, err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// galeraTally counts a sidecar's answers by status, and keeps the
// answers no client should see: 5xx other than 503 with Retry-After.
type galeraTally struct {
	mu     sync.Mutex
	counts map[string]map[int]int
	bad    []string
}

func (g *galeraTally) add(s *galeraSidecar, what string, a galeraAnswer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.counts == nil {
		g.counts = map[string]map[int]int{}
	}
	if g.counts[s.name] == nil {
		g.counts[s.name] = map[int]int{}
	}
	g.counts[s.name][a.status]++
	if a.status >= 500 && (a.status != http.StatusServiceUnavailable || a.retryAfter == "") {
		g.bad = append(g.bad, fmt.Sprintf("sidecar %s: %s: %d (Retry-After %q): %s", s.name, what, a.status, a.retryAfter, a.body))
	}
}

// until sends a request until the sidecar answers anything but 503 (as
// an IdP retries after Retry-After), for at most a minute, and returns
// the last answer.
func (g *galeraTally) until(s *galeraSidecar, method, path, body string) galeraAnswer {
	deadline := time.Now().Add(time.Minute)
	for {
		a := s.do(method, path, body)
		g.add(s, method+" "+path, a)
		if a.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			return a
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// createUser creates a user through s, retrying 503s, and returns its id.
func (g *galeraTally) createUser(t *testing.T, s *galeraSidecar, login string) string {
	t.Helper()
	a := g.until(s, http.MethodPost, "/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"name":{"givenName":"G","familyName":"F"},"emails":[{"value":%q,"type":"work","primary":true}]}`, login, login+"@example.com"))
	if a.status != http.StatusCreated {
		t.Fatalf("sidecar %s: creating user %s: %d %s", s.name, login, a.status, a.body)
	}
	return idOf(t, a.body)
}

// dbName is the database a DSN names.
func dbName(t *testing.T, dsn string) string {
	t.Helper()
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return c.DBName
}

func idOf(t *testing.T, body []byte) string {
	t.Helper()
	var doc struct{ ID string }
	if err := json.Unmarshal(body, &doc); err != nil || doc.ID == "" {
		t.Fatalf("no id in %s: %v", body, err)
	}
	return doc.ID
}

// TestGaleraMembershipTwoSidecars adds and removes members of the same
// four groups through two sidecars on two Galera nodes at once, as two
// replicas of scimbridge behind a load balancer do when an IdP pushes
// group changes: every user's membership of a group is added through one
// sidecar, then (for two thirds of them) removed through the other, and
// (for half of those) added again through the first. Every addition also
// names the first user, a member throughout, so that both nodes write the
// same membership row at once and certification fails now and then. The groups'
// memberships must end as those steps say, read through both sidecars
// and in the table, and no request may answer 500 (503 with Retry-After
// is retried, as IdPs do).
func TestGaleraMembershipTwoSidecars(t *testing.T) {
	nodes := galeraTestNodes(t)
	dsns, admin := galeraClassic(t, nodes[:2])
	sides := []*galeraSidecar{newGaleraSidecar(t, "node1", dsns[0]), newGaleraSidecar(t, "node2", dsns[1])}
	var tally galeraTally
	const nUsers, nGroups = 16, 4
	users := make([]string, nUsers)
	for i := range users {
		users[i] = tally.createUser(t, sides[i%2], fmt.Sprintf("member%02d", i))
	}
	groups := make([]string, nGroups)
	for i := range groups {
		a := tally.until(sides[(i+1)%2], http.MethodPost, "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Team %d"}`, i))
		if a.status != http.StatusCreated {
			t.Fatalf("creating group %d: %d %s", i, a.status, a.body)
		}
		groups[i] = idOf(t, a.body)
	}
	type pair struct{ g, u int }
	// steps: 0 add; 1 add, remove; 2 add, remove, add.
	steps := func(p pair) int {
		if p.u == 0 {
			return 0
		}
		return (p.g*7 + p.u) % 3
	}
	var pairs []pair
	for g := range nGroups {
		for u := range nUsers {
			pairs = append(pairs, pair{g, u})
		}
	}
	// Shuffled, so that both sidecars change every group at once.
	for i := len(pairs) - 1; i > 0; i-- {
		j, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		pairs[i], pairs[j.Int64()] = pairs[j.Int64()], pairs[i]
	}
	add := func(p pair) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":%q},{"value":%q}]}]}`, users[0], users[p.u])
	}
	remove := func(p pair) string {
		if p.u%2 == 0 { // Okta's form
			return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, users[p.u])
		}
		// Entra's form
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":%q}]}]}`, users[p.u])
	}
	changes := 0
	for _, p := range pairs {
		changes += 1 + steps(p)
	}
	jobs := make(chan pair)
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				first, other := sides[(p.g+p.u)%2], sides[(p.g+p.u+1)%2]
				path := "/Groups/" + groups[p.g]
				ops := []struct {
					s    *galeraSidecar
					body string
				}{{first, add(p)}}
				if steps(p) >= 1 {
					ops = append(ops, struct {
						s    *galeraSidecar
						body string
					}{other, remove(p)})
				}
				if steps(p) == 2 {
					ops = append(ops, struct {
						s    *galeraSidecar
						body string
					}{first, add(p)})
				}
				for _, op := range ops {
					a := tally.until(op.s, http.MethodPatch, path, op.body)
					if a.status != http.StatusOK && a.status != http.StatusNoContent {
						t.Errorf("sidecar %s: PATCH group %d user %d: %d %s", op.s.name, p.g, p.u, a.status, a.body)
					}
				}
			}
		}()
	}
	for _, p := range pairs {
		jobs <- p
	}
	close(jobs)
	wg.Wait()

	for g := range nGroups {
		var want []string
		for u := range nUsers {
			if steps(pair{g, u}) != 1 {
				want = append(want, users[u])
			}
		}
		slices.Sort(want)
		for _, s := range sides {
			a := tally.until(s, http.MethodGet, "/Groups/"+groups[g], "")
			var doc struct{ Members []struct{ Value string } }
			if err := json.Unmarshal(a.body, &doc); a.status != http.StatusOK || err != nil {
				t.Fatalf("sidecar %s: reading group %d: %d %s", s.name, g, a.status, a.body)
			}
			var got []string
			for _, m := range doc.Members {
				got = append(got, m.Value)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("group %d read through sidecar %s: members %v, want %v", g, s.name, got, want)
			}
		}
		var n int
		if err := admin.QueryRow("SELECT COUNT(*) FROM "+dbName(t, dsns[0])+".user_roles WHERE role_id = ?", groups[g]).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(want) {
			t.Errorf("group %d has %d rows in user_roles, want %d", g, n, len(want))
		}
	}
	t.Logf("%d membership changes of %d groups through 2 sidecars on 2 nodes: answers %v", changes, nGroups, tally.counts)
	for _, b := range tally.bad {
		t.Error(b)
	}
}

// galeraScript runs deploy/galera/cluster.sh with args, in the
// environment of the test (SCIMBRIDGE_GALERA_DIR, SCIMBRIDGE_GALERA_PORT
// name the cluster SCIMBRIDGE_TEST_GALERA is).
func galeraScript(args ...string) error {
	out, err := exec.Command(filepath.Join(exampleRoot, "deploy", "galera", "cluster.sh"), args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cluster.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// galeraState returns wsrep_local_state of the node at addr, or "down"
// when it does not answer.
func galeraState(addr string) string {
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.Timeout = "tcp", addr, "root", 2*time.Second
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		return "down"
	}
	defer db.Close()
	var name, v string
	if err := db.QueryRow("SHOW STATUS LIKE 'wsrep_local_state'").Scan(&name, &v); err != nil {
		return "down"
	}
	return v
}

// TestGaleraNodeKillRejoin creates users through two sidecars, on nodes 1
// and 2, without pause, while node 2's mariadbd is killed (kill -9) and
// started again, rejoining by IST or SST: every create answered 201 must
// be in the table on every node once the cluster is whole again, no
// request may answer 500 (503 with Retry-After is what a node that is
// down or joining is worth), and node 2's sidecar must not say it is
// ready while node 2 is not synced. It kills a node of the cluster
// deploy/galera/cluster.sh runs (the second of SCIMBRIDGE_TEST_GALERA is
// its node 2), so SCIMBRIDGE_GALERA_DIR and SCIMBRIDGE_GALERA_PORT must
// be those the cluster was started with.
func TestGaleraNodeKillRejoin(t *testing.T) {
	nodes := galeraTestNodes(t)
	if len(nodes) < 3 {
		t.Skipf("%s: needs 3 nodes, so that 2 keep the quorum", t.Name())
	}
	dsns, admin := galeraClassic(t, nodes[:2])
	sides := []*galeraSidecar{newGaleraSidecar(t, "node1", dsns[0]), newGaleraSidecar(t, "node2", dsns[1])}
	var tally galeraTally
	type acked struct{ id, login string }
	var mu sync.Mutex
	var created []acked
	perSide := make([]int, 2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := sides[w%2]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				login := fmt.Sprintf("kill%d-%04d", w, i)
				a := s.do(http.MethodPost, "/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q}`, login))
				tally.add(s, "POST /Users "+login, a)
				switch a.status {
				case http.StatusCreated:
					var doc struct{ ID string }
					_ = json.Unmarshal(a.body, &doc)
					mu.Lock()
					created = append(created, acked{doc.ID, login})
					perSide[w%2]++
					mu.Unlock()
				case http.StatusServiceUnavailable:
					time.Sleep(20 * time.Millisecond)
				case 0:
					return // the transport failed, reported
				default:
					t.Errorf("sidecar %s: creating %s: %d %s", s.name, login, a.status, a.body)
				}
			}
		}()
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()
	// waitFor polls cond until it holds, failing the test after a
	// generous deadline.
	waitFor := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("waited %v for %s", d, what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	createdOn := func(side, n int) func() bool {
		mu.Lock()
		from := perSide[side]
		mu.Unlock()
		return func() bool {
			mu.Lock()
			defer mu.Unlock()
			return perSide[side] >= from+n
		}
	}
	first, second := createdOn(0, 20), createdOn(1, 20)
	waitFor("20 creates through each sidecar", time.Minute, func() bool { return first() && second() })
	if err := galeraScript("kill", "2"); err != nil {
		t.Fatal(err)
	}
	waitFor("node 2's sidecar to report not ready", time.Minute, func() bool { return sides[1].ready() != http.StatusOK })
	more := createdOn(0, 20)
	waitFor("20 creates through node 1's sidecar with node 2 down", time.Minute, more)

	// Start node 2 again; until it is synced, its sidecar must not say
	// it is ready. A probe counts against it only when the node was not
	// synced both before and after it.
	rejoined := make(chan error, 1)
	go func() { rejoined <- galeraScript("rejoin", "2") }()
	probes, early := 0, 0
	var rejoinErr error
wait:
	for {
		select {
		case rejoinErr = <-rejoined:
			break wait
		default:
		}
		before := galeraState(nodes[1])
		code := sides[1].ready()
		after := galeraState(nodes[1])
		probes++
		if code == http.StatusOK && before != "4" && after != "4" {
			early++
			t.Errorf("node 2's sidecar ready while node 2 was not synced (wsrep_local_state %s, then %s)", before, after)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if rejoinErr != nil {
		t.Fatal(rejoinErr)
	}
	waitFor("node 2's sidecar to be ready again", time.Minute, func() bool { return sides[1].ready() == http.StatusOK })
	after := createdOn(1, 20)
	waitFor("20 creates through node 2's sidecar after the rejoin", time.Minute, after)
	close(stop)
	wg.Wait()

	// Every acknowledged create is on every node.
	db := dbName(t, dsns[0])
	lost := 0
	for _, n := range nodes {
		c := mysql.NewConfig()
		c.Net, c.Addr, c.User = "tcp", n, "root"
		c.Params = map[string]string{"wsrep_sync_wait": "1"}
		ndb, err := sql.Open("mysql", c.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		defer ndb.Close()
		have := map[string]string{}
		rows, err := ndb.Query("SELECT id, username FROM " + db + ".users")
		if err != nil {
			t.Fatalf("node %s: %v", n, err)
		}
		for rows.Next() {
			var id, login string
			if err := rows.Scan(&id, &login); err != nil {
				t.Fatal(err)
			}
			have[id] = login
		}
		rows.Close()
		for _, a := range created {
			if have[a.id] != a.login {
				lost++
				t.Errorf("node %s: user %s (%s) answered 201, row holds %q", n, a.id, a.login, have[a.id])
			}
		}
	}
	var rows int
	if err := admin.QueryRow("SELECT COUNT(*) FROM " + db + ".users WHERE username LIKE 'kill%'").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d creates answered 201 (%d through node 1, %d through node 2), %d rows; %d acknowledged creates missing on some node; answers %v; %d readiness probes while node 2 rejoined, %d ready too early",
		len(created), perSide[0], perSide[1], rows, lost, tally.counts, probes, early)
	for _, b := range tally.bad {
		t.Error(b)
	}
}
