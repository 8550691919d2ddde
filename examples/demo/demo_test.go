package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// demo is a running demo started by startDemo.
type demo struct {
	endpoints
	// banner is what the demo printed once it was ready.
	banner string
	// stop cancels the demo and returns what run returned.
	stop func() error
}

// startDemo runs the demo on a free port and waits until it is ready. The
// demo is stopped at the end of the test if the test has not stopped it.
func startDemo(t *testing.T) *demo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	readyc := make(chan endpoints, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, "127.0.0.1:0", &out, t.Output(), func(e endpoints) { readyc <- e })
	}()
	var once sync.Once
	var stopErr error
	d := &demo{stop: func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("run did not return within 30s of cancellation")
			}
		})
		return stopErr
	}}
	t.Cleanup(func() { d.stop() })
	select {
	case d.endpoints = <-readyc:
	case err := <-done:
		t.Fatalf("run returned before the demo was ready: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("demo not ready within 30s")
	}
	// printBanner wrote out before ready was called, and nothing writes it
	// afterwards.
	d.banner = out.String()
	return d
}

// listResponse is the part of a SCIM ListResponse the tests look at.
type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	Resources    []user   `json:"Resources"`
}

type user struct {
	ID       string `json:"id"`
	UserName string `json:"userName"`
	Active   bool   `json:"active"`
	Name     struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Emails     []email    `json:"emails"`
	Enterprise enterprise `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	Meta       struct {
		Created      string `json:"created"`
		LastModified string `json:"lastModified"`
		Location     string `json:"location"`
		Version      string `json:"version"`
	} `json:"meta"`
}

type email struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// enterprise is the enterprise extension of a user, with the manager's
// id only.
type enterprise struct {
	EmployeeNumber string `json:"employeeNumber"`
	Department     string `json:"department"`
	Manager        struct {
		Value string `json:"value"`
	} `json:"manager"`
}

// groupList is the part of a SCIM ListResponse of groups the tests look at.
type groupList struct {
	TotalResults int     `json:"totalResults"`
	Resources    []group `json:"Resources"`
}

type group struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Members     []struct {
		Value   string `json:"value"`
		Display string `json:"display"`
	} `json:"members"`
}

// memberNames returns the display names of a group's members, sorted.
func memberNames(g group) []string {
	var names []string
	for _, m := range g.Members {
		names = append(names, m.Display)
	}
	slices.Sort(names)
	return names
}

// rows runs a query on the demo's database and returns one string per row,
// its columns separated by " | " and NULL as NULL.
func rows(t *testing.T, dsn, query string, args ...any) []string {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		f := make([]string, len(cols))
		for i, v := range vals {
			f[i] = "NULL"
			if v.Valid {
				f[i] = v.String
			}
		}
		out = append(out, strings.Join(f, " | "))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// userRoles reads the legacy user_roles table as "role:login" pairs.
func userRoles(t *testing.T, dsn string) []string {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT r.name, u.login FROM user_roles ur
		JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id ORDER BY r.name, u.login`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var role, login string
		if err := rows.Scan(&role, &login); err != nil {
			t.Fatal(err)
		}
		out = append(out, role+":"+login)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func userNames(l listResponse) []string {
	var names []string
	for _, u := range l.Resources {
		names = append(names, u.UserName)
	}
	slices.Sort(names)
	return names
}

// do sends a request with the demo token and decodes a JSON response into
// v (if not nil), returning the response.
func do(t *testing.T, method, url, body string, v any) *http.Response {
	t.Helper()
	return doHeaders(t, method, url, body, nil, v)
}

// doHeaders is do with further request headers.
func doHeaders(t *testing.T, method, url, body string, headers map[string]string, v any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %d %s: decoding body: %v", method, url, resp.StatusCode, b, err)
		}
	}
	return resp
}

// TestDemo does what the banner tells a reader to do, with net/http, and
// checks the results in the SCIM responses and in the legacy table.
func TestDemo(t *testing.T) {
	d := startDemo(t)

	for _, want := range []string{d.Base, "Bearer token:   " + token, d.Metrics, "curl "} {
		if !strings.Contains(d.banner, want) {
			t.Errorf("banner does not show %q:\n%s", want, d.banner)
		}
	}

	// List: the three users the application created itself.
	var all listResponse
	if resp := do(t, "GET", d.Base+"/Users", "", &all); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /Users: status %d, want 200", resp.StatusCode)
	}
	if got, want := userNames(all), []string{"alice", "bob", "carol"}; all.TotalResults != 3 || !slices.Equal(got, want) {
		t.Fatalf("GET /Users: totalResults %d, userNames %v; want 3, %v", all.TotalResults, got, want)
	}
	wantEmails := map[string][]email{
		"alice": {{"alice@example.com", "work", true}, {"alice.archer@home.example", "home", false}},
		"bob":   {{"bob@example.com", "work", true}},
		"carol": {{"carol@example.com", "work", true}},
	}
	wantHR := map[string]string{"alice": "E-1001 Engineering ", "bob": "E-1002 Engineering 1", "carol": "E-0917 Support 1"}
	for _, u := range all.Resources {
		wantActive := u.UserName != "carol" // status 'disabled'
		if u.Active != wantActive {
			t.Errorf("%s: active %v, want %v", u.UserName, u.Active, wantActive)
		}
		if !slices.Equal(u.Emails, wantEmails[u.UserName]) {
			t.Errorf("%s: emails %+v, want %+v (from user_emails)", u.UserName, u.Emails, wantEmails[u.UserName])
		}
		if e := u.Enterprise; e.EmployeeNumber+" "+e.Department+" "+e.Manager.Value != wantHR[u.UserName] {
			t.Errorf("%s: enterprise %+v, want employee number, department and manager %q", u.UserName, e, wantHR[u.UserName])
		}
		if u.Meta.Created == "" || u.Meta.LastModified == "" || !strings.HasPrefix(u.Meta.Version, `W/"`) {
			t.Errorf("%s: meta %+v lacks created, lastModified or version", u.UserName, u.Meta)
		}
	}

	// Groups: the application's three roles, with the users holding them.
	var groups groupList
	if resp := do(t, "GET", d.Base+"/Groups", "", &groups); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /Groups: status %d, want 200", resp.StatusCode)
	}
	wantMembers := map[string][]string{
		"Administrators": {"Alice Archer"},
		"Editors":        {"Alice Archer", "Bob Baker"},
		"Read-only":      {"Carol Cruz"},
	}
	if groups.TotalResults != len(wantMembers) || len(groups.Resources) != len(wantMembers) {
		t.Errorf("GET /Groups: totalResults %d, %d resources; want %d", groups.TotalResults, len(groups.Resources), len(wantMembers))
	}
	for _, g := range groups.Resources {
		want, ok := wantMembers[g.DisplayName]
		if got := memberNames(g); !ok || !slices.Equal(got, want) {
			t.Errorf("group %q: members %v, want %v", g.DisplayName, got, want)
		}
		if g.DisplayName == "Administrators" && g.ID != adminsGroup {
			t.Errorf("Administrators has id %s; the printed PATCH command uses %s", g.ID, adminsGroup)
		}
	}

	// Lookup, as Okta does before creating a user.
	_, lookupURL := userURLs(d.Base)
	var found listResponse
	if resp := do(t, "GET", lookupURL, "", &found); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", lookupURL, resp.StatusCode)
	}
	if found.TotalResults != 1 || len(found.Resources) != 1 || found.Resources[0].UserName != "alice" ||
		found.Resources[0].Name.GivenName != "Alice" || found.Resources[0].Name.FamilyName != "Archer" {
		t.Fatalf("GET %s: %+v; want only alice (Alice Archer)", lookupURL, found)
	}

	// Create.
	var created user
	resp := do(t, "POST", d.Base+"/Users", createBody, &created)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /Users: status %d, want 201", resp.StatusCode)
	}
	if created.ID == "" || created.UserName != "dave" || !created.Active || created.Name.GivenName != "Dave" ||
		created.Enterprise.Manager.Value != "1" || len(created.Emails) != 2 || created.Meta.Version == "" {
		t.Errorf("POST /Users: %+v; want an id, userName dave, active, givenName Dave, manager 1, two emails and a version", created)
	}
	if loc := resp.Header.Get("Location"); loc != d.Base+"/Users/"+created.ID || created.Meta.Location != loc {
		t.Errorf("POST /Users: Location %q, meta.location %q; want %s/Users/%s", loc, created.Meta.Location, d.Base, created.ID)
	}
	var again user
	if resp := do(t, "GET", d.Base+"/Users/"+created.ID, "", &again); resp.StatusCode != http.StatusOK || again.UserName != "dave" {
		t.Errorf("GET /Users/%s: status %d, userName %q; want 200, dave", created.ID, resp.StatusCode, again.UserName)
	}
	if resp := do(t, "POST", d.Base+"/Users", createBody, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("POST /Users with dave again: status %d, want 409", resp.StatusCode)
	}

	// The application sees an ordinary row: its own columns filled by the
	// mapping's defaults and by the database.
	db, err := sql.Open("mysql", d.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var login, status, hash, theme string
	var first, last, empNo, dept sql.NullString
	var manager sql.NullInt64
	var version int
	var createdAt, updatedAt sql.NullTime
	err = db.QueryRow(`SELECT login, first_name, last_name, status, password_hash, theme, employee_no, department, manager_id, lock_version,
		created_at, updated_at FROM users WHERE id = ?`, created.ID).Scan(&login, &first, &last, &status, &hash, &theme,
		&empNo, &dept, &manager, &version, &createdAt, &updatedAt)
	if err != nil {
		t.Fatalf("reading the new row: %v", err)
	}
	if login != "dave" || first.String != "Dave" || last.String != "Diaz" || status != "active" || hash != "!" || theme != "light" ||
		empNo.String != "E-1042" || dept.String != "Engineering" || manager.Int64 != 1 || version != 0 || !createdAt.Valid || !updatedAt.Valid {
		t.Errorf("new row: login %q name %q %q status %q password_hash %q theme %q employee_no %q department %q manager_id %v "+
			"lock_version %d created_at %v updated_at %v; want dave, Dave Diaz, active, !, light, E-1042, Engineering, 1, 0 and both timestamps set",
			login, first.String, last.String, status, hash, theme, empNo.String, dept.String, manager, version, createdAt, updatedAt)
	}
	wantRows := []string{"dave@example.com | work | 1", "dave.diaz@home.example | home | 0"}
	if got := rows(t, d.DSN, `SELECT address, label, is_primary FROM user_emails WHERE user_id = ? ORDER BY is_primary DESC`, created.ID); !slices.Equal(got, wantRows) {
		t.Errorf("user_emails of the new user: %q, want %q", got, wantRows)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil || n != 4 {
		t.Errorf("users has %d rows (err %v), want 4", n, err)
	}

	// Without the token nothing is served.
	if resp, err := http.Get(d.Base + "/Users"); err != nil {
		t.Error(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /Users without a token: status %d, want 401", resp.StatusCode)
		}
	}

	// Metrics.
	mresp, err := http.Get(d.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	for _, want := range []string{"scimbridge_build_info", "scimbridge_database_up 1", `route="/scim/v2/Users"`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("%s does not contain %q", d.Metrics, want)
		}
	}

	// Clean shutdown: run returns nil and the port is released.
	if err := d.stop(); err != nil {
		t.Fatalf("run after cancel: %v, want nil", err)
	}
	host := strings.TrimPrefix(strings.TrimSuffix(d.Base, "/scim/v2"), "http://")
	if c, err := net.DialTimeout("tcp", host, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after shutdown", host)
	}
}

// TestETagsAndManager checks the users' versions, which come from
// lock_version, and the enterprise manager, which is manager_id: a GET
// with the current version is 304; a write with a stale If-Match is 412
// and writes nothing; every write, including one that changes only
// user_emails, bumps lock_version; a manager is set by id (as Okta and
// Entra send it), must exist, and can be removed.
func TestETagsAndManager(t *testing.T) {
	d := startDemo(t)
	const bobURL = "/Users/2"
	row := func() string {
		t.Helper()
		return rows(t, d.DSN, `SELECT department, COALESCE(manager_id, 'NULL'), lock_version FROM users WHERE id = 2`)[0]
	}
	patch := func(ops ...string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
	}
	if got := row(); got != "Engineering | 1 | 2" {
		t.Fatalf("bob in schema.sql: %s", got)
	}

	var bob user
	resp := do(t, "GET", d.Base+bobURL, "", &bob)
	v1 := resp.Header.Get("ETag")
	if v1 == "" || v1 != bob.Meta.Version {
		t.Fatalf("GET %s: ETag %q, meta.version %q; want them equal and set", bobURL, v1, bob.Meta.Version)
	}
	if resp := doHeaders(t, "GET", d.Base+bobURL, "", map[string]string{"If-None-Match": v1}, nil); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match of the current version: %d, want 304", resp.StatusCode)
	}

	// A write with the current version succeeds and bumps lock_version.
	var changed user
	resp = doHeaders(t, "PATCH", d.Base+bobURL, patch(`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Platform"}`),
		map[string]string{"If-Match": v1}, &changed)
	v2 := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || v2 == "" || v2 == v1 || changed.Meta.Version != v2 {
		t.Fatalf("PATCH with If-Match of the current version: %d, ETag %q (was %q), meta.version %q", resp.StatusCode, v2, v1, changed.Meta.Version)
	}
	if got := row(); got != "Platform | 1 | 3" {
		t.Errorf("after the PATCH: %s, want Platform | 1 | 3", got)
	}
	// Writes with the old version are refused and change nothing.
	for _, req := range []struct{ method, body string }{
		{"PATCH", patch(`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Lost update"}`)},
		{"PUT", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob","active":false}`},
		{"DELETE", ""},
	} {
		if resp := doHeaders(t, req.method, d.Base+bobURL, req.body, map[string]string{"If-Match": v1}, nil); resp.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("%s with a stale If-Match: %d, want 412", req.method, resp.StatusCode)
		}
	}
	if got := row(); got != "Platform | 1 | 3" {
		t.Errorf("after the refused writes: %s, want Platform | 1 | 3", got)
	}
	if resp := doHeaders(t, "GET", d.Base+bobURL, "", map[string]string{"If-None-Match": v1}, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET with If-None-Match of the old version: %d, want 200", resp.StatusCode)
	}

	// A change to the addresses alone is a write too.
	resp = do(t, "PATCH", d.Base+bobURL, patch(`{"op":"add","path":"emails","value":[{"value":"bob@home.example","type":"home"}]}`), nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == v2 {
		t.Errorf("PATCH add emails: %d, ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), v2)
	}
	wantEmails := []string{"bob@example.com | work | 1", "bob@home.example | home | 0"}
	if got := rows(t, d.DSN, `SELECT address, label, is_primary FROM user_emails WHERE user_id = 2 ORDER BY is_primary DESC`); !slices.Equal(got, wantEmails) {
		t.Errorf("bob's user_emails: %q, want %q", got, wantEmails)
	}
	if got := row(); got != "Platform | 1 | 4" {
		t.Errorf("after adding an address: %s, want Platform | 1 | 4", got)
	}

	// The manager: Okta sends {"value": id}, Entra a bare id; a user who
	// does not exist is refused.
	const managerPath = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
	if resp := do(t, "PATCH", d.Base+bobURL, patch(`{"op":"replace","path":"`+managerPath+`","value":{"value":"3"}}`), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("PATCH manager carol: %d", resp.StatusCode)
	}
	if got := row(); got != "Platform | 3 | 5" {
		t.Errorf("after making carol bob's manager: %s, want Platform | 3 | 5", got)
	}
	if resp := do(t, "PATCH", d.Base+bobURL, patch(`{"op":"Replace","path":"`+managerPath+`","value":"99"}`), nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("PATCH manager 99, who does not exist: %d, want 400", resp.StatusCode)
	}
	if resp := do(t, "PATCH", d.Base+bobURL, patch(`{"op":"Replace","path":"`+managerPath+`","value":"1"}`), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("PATCH manager alice as a bare id: %d", resp.StatusCode)
	}
	if got := row(); got != "Platform | 1 | 6" {
		t.Errorf("after making alice bob's manager again: %s, want Platform | 1 | 6", got)
	}
	var reports listResponse
	do(t, "GET", d.Base+"/Users?filter="+queryEscape(managerPath+`.value eq "1"`), "", &reports)
	if got := userNames(reports); !slices.Equal(got, []string{"bob", "carol"}) {
		t.Errorf("users managed by alice: %v, want bob and carol", got)
	}
	if resp := do(t, "PATCH", d.Base+bobURL, patch(`{"op":"remove","path":"`+managerPath+`"}`), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("PATCH remove manager: %d", resp.StatusCode)
	}
	if got := row(); got != "Platform | NULL | 7" {
		t.Errorf("after removing bob's manager: %s, want Platform | NULL | 7", got)
	}
}

// TestPrintedCommands runs the banner's curl commands through a shell,
// exactly as printed, so that copying them from the terminal works.
func TestPrintedCommands(t *testing.T) {
	for _, tool := range []string{"sh", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	d := startDemo(t)
	var cmds []string
	for line := range strings.Lines(d.banner) {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "curl ") {
			cmds = append(cmds, l)
		}
	}
	if len(cmds) != 4 {
		t.Fatalf("banner shows %d curl commands, want 4 (list, lookup, create, add a group member):\n%s", len(cmds), d.banner)
	}
	sh := func(cmd string, v any) {
		t.Helper()
		out, err := exec.Command("sh", "-c", cmd).Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("%s: printed %q: %v", cmd, out, err)
		}
	}

	var list listResponse
	sh(cmds[0], &list)
	if got := userNames(list); !slices.Equal(got, []string{"alice", "bob", "carol"}) {
		t.Errorf("%s: userNames %v, want alice, bob, carol", cmds[0], got)
	}
	var lookup listResponse
	sh(cmds[1], &lookup)
	if got := userNames(lookup); !slices.Equal(got, []string{"alice"}) {
		t.Errorf("%s: userNames %v, want alice", cmds[1], got)
	}
	var created user
	sh(cmds[2], &created)
	if created.ID == "" || created.UserName != "dave" || created.Enterprise.Manager.Value != "1" {
		t.Errorf("%s: got %+v, want a new user dave managed by alice", cmds[2], created)
	}
	wantRows := []string{"dave@example.com | work | 1", "dave.diaz@home.example | home | 0"}
	if got := rows(t, d.DSN, `SELECT address, label, is_primary FROM user_emails WHERE user_id = ? ORDER BY is_primary DESC`, created.ID); !slices.Equal(got, wantRows) {
		t.Errorf("%s: user_emails %q, want %q", cmds[2], got, wantRows)
	}
	sh(cmds[0], &list)
	if got := userNames(list); !slices.Equal(got, []string{"alice", "bob", "carol", "dave"}) {
		t.Errorf("after creating: userNames %v, want alice, bob, carol, dave", got)
	}

	before := []string{"Administrators:alice", "Editors:alice", "Editors:bob", "Read-only:carol"}
	if got := userRoles(t, d.DSN); !slices.Equal(got, before) {
		t.Fatalf("user_roles before adding a member: %v, want %v", got, before)
	}
	after := []string{"Administrators:alice", "Administrators:bob", "Editors:alice", "Editors:bob", "Read-only:carol"}
	// Twice: adding a member who is already in changes nothing.
	for range 2 {
		var admins group
		sh(cmds[3], &admins)
		if got := memberNames(admins); admins.DisplayName != "Administrators" || !slices.Equal(got, []string{"Alice Archer", "Bob Baker"}) {
			t.Errorf("%s: group %q with members %v, want Administrators with Alice Archer and Bob Baker", cmds[3], admins.DisplayName, got)
		}
		if got := userRoles(t, d.DSN); !slices.Equal(got, after) {
			t.Errorf("user_roles after adding bob to Administrators: %v, want %v", got, after)
		}
	}
}

// TestPortBusy checks that a taken -listen address is reported as such.
func TestPortBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, ln.Addr().String(), io.Discard, t.Output(), func(endpoints) {
		t.Error("ready called although the port is taken")
	})
	if err == nil || !strings.Contains(err.Error(), "busy") || !strings.Contains(err.Error(), "-listen") {
		t.Fatalf("run on a taken port: %v; want an error saying the port is busy and naming -listen", err)
	}
}

// TestDefaultPortBusy checks that without -listen the demo takes a free
// port when the default one is busy, says so, and prints the port it took.
func TestDefaultPortBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	saved := defaultListen
	defaultListen = ln.Addr().String()
	defer func() { defaultListen = saved }()
	_, busyPort, _ := net.SplitHostPort(ln.Addr().String())

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	readyc := make(chan endpoints, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, "", &out, t.Output(), func(e endpoints) { readyc <- e }) }()
	select {
	case e := <-readyc:
		u, err := url.Parse(e.Base)
		if err != nil || u.Port() == "" || u.Port() == busyPort || u.Hostname() != "127.0.0.1" {
			t.Errorf("serving on %q with port %s busy; want another port on 127.0.0.1", e.Base, busyPort)
		}
		resp, err := http.Get(e.Base + "/ServiceProviderConfig")
		if err != nil {
			t.Errorf("GET %s/ServiceProviderConfig: %v", e.Base, err)
		} else {
			resp.Body.Close()
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		printed := out.String()
		if !strings.Contains(printed, "Port "+busyPort+" is busy") || !strings.Contains(printed, "SCIM base URL:  "+e.Base) {
			t.Errorf("the demo printed:\n%s\nwant a note that port %s is busy and the base URL %s", printed, busyPort, e.Base)
		}
	case err := <-done:
		t.Fatalf("run returned before it was ready: %v", err)
	}
}

// TestDeleteMeansGone: DELETE keeps carol's row for the application,
// marked deleted and renamed, while SCIM answers 404 for her from then
// on, lists her nowhere, and lets a new user take her name.
func TestDeleteMeansGone(t *testing.T) {
	d := startDemo(t)
	if resp := do(t, "DELETE", d.Base+"/Users/3", "", nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE /Users/3: %d, want 204", resp.StatusCode)
	}
	if got := rows(t, d.DSN, `SELECT login, status FROM users WHERE id = 3`); !slices.Equal(got, []string{"carol#deleted-3 | deleted"}) {
		t.Errorf("carol's row after DELETE: %q, want it kept, renamed and marked deleted", got)
	}
	for _, method := range []string{"GET", "DELETE"} {
		if resp := do(t, method, d.Base+"/Users/3", "", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s /Users/3 after DELETE: %d, want 404", method, resp.StatusCode)
		}
	}
	reactivate := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`
	if resp := do(t, "PATCH", d.Base+"/Users/3", reactivate, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("PATCH /Users/3 after DELETE: %d, want 404", resp.StatusCode)
	}
	var all listResponse
	do(t, "GET", d.Base+"/Users", "", &all)
	if slices.Contains(userNames(all), "carol") || all.TotalResults != 2 {
		t.Errorf("GET /Users after DELETE: %v", userNames(all))
	}
	var readOnly group
	do(t, "GET", d.Base+"/Groups/g-3", "", &readOnly)
	if len(readOnly.Members) != 0 {
		t.Errorf("Read-only still lists carol: %v", memberNames(readOnly))
	}
	if resp := do(t, "POST", d.Base+"/Users", `{"userName":"carol","name":{"givenName":"Carol","familyName":"Cole"},"active":true}`, nil); resp.StatusCode != http.StatusCreated {
		t.Errorf("POST carol again: %d, want 201 (the name was released)", resp.StatusCode)
	}
}

// TestAuditNotOnStdout checks that the demo's standard output holds the
// banner only: a request's audit record goes to standard error, with the
// log, and never lands in (or between the lines of) the banner.
func TestAuditNotOnStdout(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	drained := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		drained <- string(b)
	}()
	restore := func() string {
		os.Stdout = stdout
		w.Close()
		return <-drained
	}
	d := startDemo(t)
	if resp := do(t, "POST", d.Base+"/Users", createBody, nil); resp.StatusCode != http.StatusCreated {
		t.Errorf("create: %d", resp.StatusCode)
	}
	if err := d.stop(); err != nil {
		t.Error(err)
	}
	if got := restore(); strings.Contains(got, `"msg":"audit"`) {
		t.Errorf("audit records on standard output, beside the banner:\n%s", got)
	}
	if !strings.HasPrefix(d.banner, "\nscimbridge demo is running") || !strings.HasSuffix(d.banner, "goes with it.\n\n") {
		t.Errorf("banner not whole:\n%s", d.banner)
	}
}
