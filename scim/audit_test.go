package scim

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func doc(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestChangedAttributes(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, c := range []struct {
		name, before, after string
		want                []string
	}{
		{
			"create lists every attribute", "",
			`{"id":"1","schemas":["x"],"meta":{"created":"t"},"userName":"a","name":{"givenName":"A","familyName":"B"},
			"emails":[{"value":"a@x"}],"active":true,"password":"p","groups":[{"value":"g"}],"` + ent + `":{"department":"D","manager":{"value":"2"}}}`,
			[]string{"active", "emails", "name.familyName", "name.givenName", ent + ":department", ent + ":manager.value", "userName"},
		},
		{"nothing changed", `{"id":"1","userName":"a","meta":{"lastModified":"1"}}`, `{"id":"1","userName":"a","meta":{"lastModified":"2"}}`, nil},
		{
			"changed, added and removed", `{"userName":"a","displayName":"A","name":{"givenName":"A"}}`, `{"userName":"b","title":"T","name":{"givenName":"A"}}`,
			[]string{"displayName", "title", "userName"},
		},
		{"deactivated", `{"userName":"a","active":true}`, `{"userName":"a","active":false}`, []string{"active"}},
		{
			"an extension attribute", `{"` + ent + `":{"department":"A"}}`, `{"` + ent + `":{"department":"B","costCenter":"C"}}`,
			[]string{ent + ":costCenter", ent + ":department"},
		},
		{"a password never", `{"password":"a"}`, `{"password":"b","` + ent + `":{"password":"c"}}`, nil},
		{"no result", `{"userName":"a"}`, "", nil},
	} {
		if got := changedAttributes(doc(t, c.before), doc(t, c.after)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestOperation(t *testing.T) {
	for _, c := range []struct {
		op, before, intended, want string
	}{
		{opPatch, `{"active":true}`, `{"active":false}`, opDeactivate},
		{opReplace, `{"active":true}`, `{"active":false}`, opDeactivate},
		{opPatch, `{"active":false}`, `{"active":true}`, opReactivate},
		{opPatch, `{"active":true}`, `{"active":true,"title":"x"}`, opPatch},
		{opReplace, `{"active":false}`, `{"active":false}`, opReplace},
		{opPatch, "", "", opPatch}, // not found: the update never ran
		{opPatch, `{"title":"x"}`, `{"title":"y"}`, opPatch},
		{opDelete, `{"active":true}`, `{"active":false}`, opDelete}, // delete: deactivate
		{opCreate, "", `{"active":false}`, opCreate},
	} {
		ch := &change{op: c.op, before: doc(t, c.before), intended: doc(t, c.intended)}
		if got := ch.operation(); got != c.want {
			t.Errorf("%s %s → %s: %s, want %s", c.op, c.before, c.intended, got, c.want)
		}
	}
}

func TestOutcome(t *testing.T) {
	for status, want := range map[int]string{
		200: outcomeSuccess, 201: outcomeSuccess, 204: outcomeSuccess, 400: outcomeInvalid, 413: outcomeInvalid,
		415: outcomeInvalid, 404: outcomeNotFound, 405: outcomeRefused, 409: outcomeConflict, 412: outcomeConflict,
		500: outcomeError, 503: outcomeUnavailable, 401: outcomeInvalid,
	} {
		if got := outcome(status); got != want {
			t.Errorf("outcome(%d) = %s, want %s", status, got, want)
		}
	}
}

// TestMetricsTakenOverOnReload checks that a server built again on the
// same registry (a reload) goes on counting in the same series, and that
// a directory the reload adds starts at zero.
func TestMetricsTakenOverOnReload(t *testing.T) {
	reg := prometheus.NewRegistry()
	first, err := newHTTPMetrics(reg, []Directory{{Name: "okta"}})
	if err != nil {
		t.Fatal(err)
	}
	first.provisioned("okta", "User", opCreate, outcomeSuccess, 2, 0, time.Now())
	second, err := newHTTPMetrics(reg, []Directory{{Name: "okta"}, {Name: "entra"}})
	if err != nil {
		t.Fatal(err)
	}
	second.provisioned("okta", "User", opCreate, outcomeSuccess, 1, 0, time.Now())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += " " + l.GetValue()
			}
			got[key] = m.GetCounter().GetValue()
		}
	}
	for key, want := range map[string]float64{
		"scimbridge_provisioning_operations_total okta create success User": 2,
		"scimbridge_group_members_added_total okta":                         3,
		"scimbridge_group_members_added_total entra":                        0,
		"scimbridge_group_members_removed_total entra":                      0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
}
