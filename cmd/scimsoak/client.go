package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// user is one the client created and the sidecar acknowledged.
type user struct{ id, name string }

// stats are one operation's results.
type stats struct {
	statuses   map[int]int
	unexpected int
	transport  int
	latencies  []time.Duration
	example    string // the first unexpected answer
}

// client is one IdP connection: its own HTTP transport, its own random
// choices, and the users it created.
type client struct {
	id            int
	base          string
	tr            *http.Transport
	hc            *http.Client
	r             *mrand.Rand
	users, groups int

	created []user // acknowledged, active as far as this client knows
	deleted []user // acknowledged deletes (deactivations)
	n       int    // creates attempted
	ops     map[string]*stats
	count   atomic.Int64
}

func newClient(id int, base string, users, groups int) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: 90 * time.Second}
	return &client{
		id: id, base: base, tr: tr, hc: &http.Client{Transport: tr, Timeout: 60 * time.Second},
		r: mrand.New(mrand.NewPCG(uint64(id), uint64(time.Now().UnixNano()))), users: users, groups: groups,
		ops: map[string]*stats{},
	}
}

func (c *client) close() { c.tr.CloseIdleConnections() }

// do sends one request and decodes a JSON answer into into, if given.
func (c *client) do(ctx context.Context, method, path, body string, into *map[string]any) (int, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/scim+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if into != nil && len(data) > 0 {
		if err := json.Unmarshal(data, into); err != nil {
			return resp.StatusCode, fmt.Errorf("decoding the answer: %w", err)
		}
	} else if into != nil {
		*into = nil
	}
	if resp.StatusCode >= 400 && into == nil {
		m := map[string]any{}
		_ = json.Unmarshal(data, &m)
		if d, ok := m["detail"].(string); ok {
			return resp.StatusCode, &answer{d}
		}
	}
	return resp.StatusCode, nil
}

// answer is the detail of an error response, for the report.
type answer struct{ detail string }

func (a *answer) Error() string { return a.detail }

// op is one kind of request of the workload.
type op struct {
	name   string
	weight int
	// run sends the request; want lists the statuses it expects.
	run func(c *client, ctx context.Context) (status int, want []int, err error)
}

// workload is the mix, by weight (they add up to 100), of what Okta sends
// to a provisioning app: mostly lookups by userName and reads, creates,
// profile pushes (PUT), deactivations and reactivations (PATCH active),
// imports (paging), and group pushes (membership PATCHes).
var workload = []op{
	{"lookup userName", 25, (*client).lookup},
	{"create", 12, (*client).create},
	{"create existing", 4, (*client).createExisting},
	{"get user", 15, (*client).getUser},
	{"put user", 8, (*client).putUser},
	{"patch active", 10, (*client).patchActive},
	{"patch profile", 5, (*client).patchProfile},
	{"list page", 4, (*client).listPage},
	{"patch members", 10, (*client).patchMembers},
	{"get group", 4, (*client).getGroup},
	{"delete user", 3, (*client).deleteUser},
}

// loop sends requests until stop ends; the requests themselves run under
// ctx, which the end of the run does not cancel.
func (c *client) loop(stop, ctx context.Context) {
	total := 0
	for _, o := range workload {
		total += o.weight
	}
	for stop.Err() == nil {
		pick := c.r.IntN(total)
		var o op
		for _, o = range workload {
			if pick < o.weight {
				break
			}
			pick -= o.weight
		}
		start := time.Now()
		status, want, err := o.run(c, ctx)
		d := time.Since(start)
		c.count.Add(1)
		st := c.ops[o.name]
		if st == nil {
			st = &stats{statuses: map[int]int{}}
			c.ops[o.name] = st
		}
		st.latencies = append(st.latencies, d)
		if status == 0 {
			st.transport++
			if st.example == "" {
				st.example = fmt.Sprint(err)
			}
			continue
		}
		st.statuses[status]++
		ok := false
		for _, w := range want {
			ok = ok || w == status
		}
		if !ok {
			st.unexpected++
			if st.example == "" {
				st.example = fmt.Sprintf("%d %v", status, err)
			}
		}
	}
}

// appUser returns the id and userName of one of the users the
// application had before the load (ids 1..users in insertion order).
func (c *client) appUser() user {
	i := c.r.IntN(c.users)
	return user{strconv.Itoa(i + 1), fmt.Sprintf("app.user%05d@example.com", i)}
}

// someUser picks one of the client's own users or an application user.
func (c *client) someUser() user {
	if len(c.created) > 0 && c.r.IntN(2) == 0 {
		return c.created[c.r.IntN(len(c.created))]
	}
	return c.appUser()
}

func (c *client) group() string { return strconv.Itoa(1 + c.r.IntN(c.groups)) }

func q(s string) string { return url.QueryEscape(s) }

func oktaUser(name, given, family string, active bool) string {
	b, _ := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    name,
		"name":        map[string]any{"givenName": given, "familyName": family},
		"emails":      []any{map[string]any{"primary": true, "value": name, "type": "work"}},
		"displayName": given + " " + family,
		"externalId":  "00u" + strconv.FormatUint(uint64(len(name))*7919+uint64(len(given)), 36),
		"locale":      "en-US",
		"active":      active,
	})
	return string(b)
}

func (c *client) lookup(ctx context.Context) (int, []int, error) {
	var name string
	switch c.r.IntN(3) {
	case 0:
		name = c.someUser().name
	case 1:
		name = strings.ToUpper(c.appUser().name)
	default:
		name = fmt.Sprintf("nobody-%d-%d@example.com", c.id, c.r.IntN(1e6))
	}
	var doc map[string]any
	s, err := c.do(ctx, "GET", "/Users?filter="+q(`userName eq "`+name+`"`)+"&startIndex=1&count=100", "", &doc)
	return s, []int{200}, err
}

func (c *client) create(ctx context.Context) (int, []int, error) {
	c.n++
	name := fmt.Sprintf("soak-c%02d-%06d@example.com", c.id, c.n)
	var doc map[string]any
	s, err := c.do(ctx, "POST", "/Users", oktaUser(name, "Soak", fmt.Sprintf("Client %d", c.id), true), &doc)
	if s == 201 {
		id, _ := doc["id"].(string)
		c.created = append(c.created, user{id, name})
	}
	return s, []int{201}, err
}

func (c *client) createExisting(ctx context.Context) (int, []int, error) {
	u := c.appUser()
	name := u.name
	if c.r.IntN(2) == 0 {
		name = strings.ToUpper(name)
	}
	s, err := c.do(ctx, "POST", "/Users", oktaUser(name, "Dup", "Licate", true), nil)
	return s, []int{409}, err
}

func (c *client) getUser(ctx context.Context) (int, []int, error) {
	var doc map[string]any
	s, err := c.do(ctx, "GET", "/Users/"+c.someUser().id, "", &doc)
	return s, []int{200}, err
}

func (c *client) putUser(ctx context.Context) (int, []int, error) {
	u := c.someUser()
	var doc map[string]any
	s, err := c.do(ctx, "PUT", "/Users/"+u.id, oktaUser(u.name, "Put", fmt.Sprintf("Family %d", c.r.IntN(1000)), true), &doc)
	return s, []int{200}, err
}

func (c *client) patchActive(ctx context.Context) (int, []int, error) {
	u := c.someUser()
	var doc map[string]any
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":%v}}]}`, c.r.IntN(2) == 0)
	s, err := c.do(ctx, "PATCH", "/Users/"+u.id, body, &doc)
	return s, []int{200}, err
}

func (c *client) patchProfile(ctx context.Context) (int, []int, error) {
	u := c.someUser()
	var doc map[string]any
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name.givenName","value":"G%d"},{"op":"replace","path":"displayName","value":"D%d"}]}`, c.r.IntN(1000), c.r.IntN(1000))
	s, err := c.do(ctx, "PATCH", "/Users/"+u.id, body, &doc)
	return s, []int{200}, err
}

func (c *client) listPage(ctx context.Context) (int, []int, error) {
	var doc map[string]any
	s, err := c.do(ctx, "GET", fmt.Sprintf("/Users?startIndex=%d&count=100", 1+c.r.IntN(c.users)), "", &doc)
	return s, []int{200}, err
}

func (c *client) patchMembers(ctx context.Context) (int, []int, error) {
	var add, ops []string
	for range 1 + c.r.IntN(5) {
		add = append(add, `{"value":"`+c.someUser().id+`"}`)
	}
	ops = append(ops, `{"op":"add","path":"members","value":[`+strings.Join(add, ",")+`]}`)
	if c.r.IntN(2) == 0 {
		ops = append(ops, `{"op":"remove","path":"members[value eq \"`+c.someUser().id+`\"]"}`)
	}
	s, err := c.do(ctx, "PATCH", "/Groups/"+c.group(), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+strings.Join(ops, ",")+`]}`, nil)
	return s, []int{204}, err
}

func (c *client) getGroup(ctx context.Context) (int, []int, error) {
	var doc map[string]any
	if c.r.IntN(2) == 0 {
		s, err := c.do(ctx, "GET", "/Groups/"+c.group()+"?excludedAttributes=members", "", &doc)
		return s, []int{200}, err
	}
	s, err := c.do(ctx, "GET", "/Groups?filter="+q(fmt.Sprintf(`displayName eq "role-%02d"`, c.r.IntN(c.groups)))+"&excludedAttributes=members", "", &doc)
	return s, []int{200}, err
}

func (c *client) deleteUser(ctx context.Context) (int, []int, error) {
	if len(c.created) == 0 {
		return c.lookup(ctx)
	}
	i := c.r.IntN(len(c.created))
	u := c.created[i]
	s, err := c.do(ctx, "DELETE", "/Users/"+u.id, "", nil)
	if s == 204 {
		c.created = append(c.created[:i], c.created[i+1:]...)
		c.deleted = append(c.deleted, u)
	}
	return s, []int{204}, err
}
