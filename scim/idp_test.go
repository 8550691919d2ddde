package scim_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// replay is a recorded IdP conversation: requests to send and the parts of
// each response that must match.
type replay struct {
	Description string `json:"description"`
	// Schema and Mapping name the database schema and the resources
	// mapping to run on, relative to testdata; they default to the legacy
	// users schema.
	Schema  string `json:"schema"`
	Mapping string `json:"mapping"`
	Steps   []struct {
		Name    string `json:"name"`
		Request struct {
			Method string `json:"method"`
			Path   string `json:"path"`
			// Headers are sent as the IdP sends them (Content-Type,
			// Accept); the body's Content-Type is
			// application/scim+json unless they name another.
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"request"`
		Response struct {
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    map[string]any    `json:"body"`
			// Absent lists members the response must not have. A dotted
			// path reaches into objects, and into every element of an
			// array: "Resources.members" means no resource has members.
			Absent []string `json:"absent"`
		} `json:"response"`
		// Rows are queries on the database after the step, each with
		// the rows it must return, in order: column values as text,
		// null for NULL. Args may use saved values ("{{id}}").
		Rows []struct {
			Query string           `json:"query"`
			Args  []string         `json:"args"`
			Want  []map[string]any `json:"want"`
		} `json:"rows"`
	} `json:"steps"`
}

// TestIdPReplay drives every recorded IdP sequence in testdata/idp through
// the sidecar, on the schema and mapping the file names (the legacy users
// schema unless it names others). Expected bodies are subsets: every
// member given must be in the response with that value; "{{any}}" matches
// any value, "{{save:x}}" records it, and "{{x}}" in later steps stands for
// the recorded value.
func TestIdPReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/idp/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no replay files: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(f, "testdata/idp/"), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var r replay
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			schema, mapping := cmp.Or(r.Schema, "legacy_schema.sql"), cmp.Or(r.Mapping, "legacy_mapping.yaml")
			s := newSidecar(t, filepath.Join("testdata", schema), filepath.Join("testdata", mapping))
			vars := map[string]string{}
			subst := func(in string) string {
				for k, v := range vars {
					in = strings.ReplaceAll(in, "{{"+k+"}}", v)
				}
				return in
			}
			for i, st := range r.Steps {
				var body any
				if len(st.Request.Body) > 0 {
					body = subst(string(st.Request.Body))
				}
				res := s.doHeaders(st.Request.Method, subst(st.Request.Path), body, st.Request.Headers)
				where := fmt.Sprintf("step %d (%s): %s %s", i+1, st.Name, st.Request.Method, st.Request.Path)
				if res.Status != st.Response.Status {
					t.Fatalf("%s: status %d, want %d\n%s", where, res.Status, st.Response.Status, res.Raw)
				}
				if err := match(st.Response.Body, res.Body, "", vars); err != nil {
					t.Fatalf("%s: %v\n%s", where, err, res.Raw)
				}
				for h, want := range st.Response.Headers {
					if got := res.Header.Get(h); got != subst(want) {
						t.Fatalf("%s: header %s = %q, want %q", where, h, got, subst(want))
					}
				}
				for _, a := range st.Response.Absent {
					if present(res.Body, a) {
						t.Fatalf("%s: %s present, want it left out\n%s", where, a, res.Raw)
					}
				}
				for _, q := range st.Rows {
					args := make([]any, len(q.Args))
					for i, a := range q.Args {
						args[i] = subst(a)
					}
					got := s.rows(q.Query, args...)
					want := make([]map[string]any, len(q.Want))
					for i, w := range q.Want {
						want[i] = map[string]any{}
						for k, v := range w {
							if str, ok := v.(string); ok {
								v = subst(str)
							}
							want[i][k] = v
						}
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: %s %v:\n got  %v\n want %v", where, q.Query, args, got, want)
					}
				}
			}
		})
	}
}

// present reports whether the dotted path names a member of v. A key that
// itself contains dots (a schema URN) is matched whole before it is split;
// on an array the path is looked for in every element.
func present(v any, path string) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if present(e, path) {
				return true
			}
		}
	case map[string]any:
		if _, ok := x[path]; ok {
			return true
		}
		for i := range len(path) {
			if path[i] != '.' {
				continue
			}
			if sub, ok := x[path[:i]]; ok && present(sub, path[i+1:]) {
				return true
			}
		}
	}
	return false
}

// match checks that want is a subset of got.
func match(want, got any, path string, vars map[string]string) error {
	if ws, ok := want.(string); ok {
		switch {
		case ws == "{{any}}":
			if got == nil {
				return fmt.Errorf("%s: missing", path)
			}
			return nil
		case strings.HasPrefix(ws, "{{save:"):
			gs, ok := got.(string)
			if !ok || gs == "" {
				return fmt.Errorf("%s: want a string to save, got %#v", path, got)
			}
			vars[strings.TrimSuffix(strings.TrimPrefix(ws, "{{save:"), "}}")] = gs
			return nil
		}
		for k, v := range vars {
			ws = strings.ReplaceAll(ws, "{{"+k+"}}", v)
		}
		want = ws
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %#v", path, got)
		}
		// Saves first, so that later members may use what they record.
		keys := make([]string, 0, len(w))
		for k, wv := range w {
			if ws, ok := wv.(string); ok && strings.HasPrefix(ws, "{{save:") {
				keys = append([]string{k}, keys...)
			} else {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			wv := w[k]
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", path, k)
			}
			if err := match(wv, gv, path+"."+k, vars); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: want %d elements, got %#v", path, len(w), got)
		}
		for i := range w {
			if err := match(w[i], g[i], fmt.Sprintf("%s[%d]", path, i), vars); err != nil {
				return err
			}
		}
		return nil
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("%s: got %#v, want %#v", path, got, want)
	}
	return nil
}

func TestReplayAbsentPaths(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(`{"id":"1","Resources":[{"id":"2"},{"id":"3","members":[]}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"x"}}`), &doc); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"id": true, "members": false, "Resources": true, "Resources.members": true, "Resources.displayName": false,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":            true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager":    false,
	} {
		if got := present(doc, path); got != want {
			t.Errorf("present(%q) = %v, want %v", path, got, want)
		}
	}
}

// rows runs a query and returns its rows as maps of column to text, nil
// for NULL.
func (s *sidecar) rows(query string, args ...any) []map[string]any {
	s.t.Helper()
	cols, rows := s.query(query, args...)
	out := []map[string]any{}
	for _, vals := range rows {
		m := map[string]any{}
		for i, c := range cols {
			m[c] = nil
			if vals[i].Valid {
				m[c] = vals[i].String
			}
		}
		out = append(out, m)
	}
	return out
}
