package scim_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestBulk: POST /Bulk (RFC 7644 section 3.7) creates users and a group
// whose members are those users by bulkId, in dependency order whatever
// the request's order, keeps the request's order in the response, runs
// each operation in its own transaction (a failed one leaves the others),
// stops after failOnErrors, refuses unresolvable and circular
// references with 409, and enforces maxOperations and maxPayloadSize with
// 413, as /ServiceProviderConfig advertises them.
func TestBulk(t *testing.T) {
	s := newSidecar(t, scopedSchema, scopedMapping, "bulk: {maxOperations: 5}", "maxBodyBytes: 4000")
	spc := s.do("GET", "/scim/v2/ServiceProviderConfig", nil)
	if b, _ := spc.Body["bulk"].(map[string]any); b["supported"] != true || b["maxOperations"] != float64(5) || b["maxPayloadSize"] != float64(4000) {
		t.Errorf("ServiceProviderConfig bulk: %v", spc.Body["bulk"])
	}
	// The group comes first but refers to the users after it.
	r := s.do("POST", "/scim/v2/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
		{"method":"POST","path":"/Groups","bulkId":"g1","data":{"displayName":"Night shift","members":[{"value":"bulkId:u1"},{"value":"bulkId:u2"},{"value":"3"}]}},
		{"method":"POST","path":"/Users","bulkId":"u1","data":{"userName":"ivy@example.com"}},
		{"method":"POST","path":"/Users","bulkId":"u2","data":{"userName":"jo@example.com"}},
		{"method":"PATCH","path":"/Users/bulkId:u1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Ivy"}]}},
		{"method":"DELETE","path":"/Users/999"}]}`)
	if r.Status != http.StatusOK {
		t.Fatalf("bulk: %d %s", r.Status, r.Raw)
	}
	ops, _ := r.Body["Operations"].([]any)
	if len(ops) != 5 {
		t.Fatalf("%d results, want 5: %s", len(ops), r.Raw)
	}
	res := func(i int) map[string]any { return ops[i].(map[string]any) }
	for i, want := range []string{"201", "201", "201", "200", "404"} {
		if res(i)["status"] != want {
			t.Errorf("operation %d: status %v, want %s: %v", i, res(i)["status"], want, res(i))
		}
	}
	if res(0)["bulkId"] != "g1" || !strings.Contains(res(0)["location"].(string), "/Groups/g-") || res(4)["response"] == nil {
		t.Errorf("results: %s", r.Raw)
	}
	gid := res(0)["location"].(string)[strings.LastIndex(res(0)["location"].(string), "/")+1:]
	ivy := s.row("SELECT account_id, real_name FROM accounts WHERE email = 'ivy@example.com'")
	if ivy["real_name"] != "Ivy" {
		t.Errorf("ivy after the PATCH by bulkId: %v", ivy)
	}
	members := memberValues(s.do("GET", "/scim/v2/Groups/"+gid, nil).Body, "members")
	jo := s.row("SELECT account_id FROM accounts WHERE email = 'jo@example.com'")["account_id"]
	if want := []string{"3", ivy["account_id"], jo}; !slices.Equal(members, sorted(want)) {
		t.Errorf("the group's members %v, want %v", members, sorted(want))
	}

	// failOnErrors: 1 stops after the first failure; the one before it
	// stays done, the ones after it are not run.
	r = s.do("POST", "/scim/v2/Bulk", `{"failOnErrors":1,"Operations":[
		{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"kai@example.com"}},
		{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"kai@example.com"}},
		{"method":"POST","path":"/Users","bulkId":"c","data":{"userName":"lee@example.com"}}]}`)
	ops, _ = r.Body["Operations"].([]any)
	if r.Status != http.StatusOK || len(ops) != 2 || res(0)["status"] != "201" || res(1)["status"] != "409" {
		t.Errorf("failOnErrors: %d %s", r.Status, r.Raw)
	}
	if n := s.count("SELECT COUNT(*) FROM accounts WHERE email = 'lee@example.com'"); n != 0 {
		t.Errorf("an operation after failOnErrors ran")
	}

	// References that cannot be resolved: to a failed create, to nothing,
	// and in a circle.
	r = s.do("POST", "/scim/v2/Bulk", `{"Operations":[
		{"method":"POST","path":"/Users","bulkId":"bad","data":{"userName":""}},
		{"method":"POST","path":"/Groups","bulkId":"x","data":{"displayName":"X","members":[{"value":"bulkId:bad"}]}},
		{"method":"POST","path":"/Groups","bulkId":"y","data":{"displayName":"Y","members":[{"value":"bulkId:nowhere"}]}},
		{"method":"POST","path":"/Groups","bulkId":"p","data":{"displayName":"P","members":[{"value":"bulkId:q"}]}},
		{"method":"POST","path":"/Groups","bulkId":"q","data":{"displayName":"Q","members":[{"value":"bulkId:p"}]}}]}`)
	ops, _ = r.Body["Operations"].([]any)
	if len(ops) != 5 {
		t.Fatalf("unresolvable references: %s", r.Raw)
	}
	for i, want := range []string{"400", "409", "409", "409", "409"} {
		if res(i)["status"] != want {
			t.Errorf("operation %d: %v, want %s", i, res(i), want)
		}
	}
	if n := s.count("SELECT COUNT(*) FROM teams WHERE team_name IN ('X', 'Y', 'P', 'Q')"); n != 0 {
		t.Errorf("%d groups created from unresolvable references", n)
	}

	// Limits.
	six := strings.Repeat(`{"method":"DELETE","path":"/Users/999"},`, 6)
	checkError(t, s.do("POST", "/scim/v2/Bulk", `{"Operations":[`+strings.TrimSuffix(six, ",")+`]}`), http.StatusRequestEntityTooLarge, "")
	big := `{"Operations":[{"method":"POST","path":"/Users","bulkId":"z","data":{"userName":"` + strings.Repeat("z", 5000) + `"}}]}`
	checkError(t, s.do("POST", "/scim/v2/Bulk", big), http.StatusRequestEntityTooLarge, "")
	checkError(t, s.do("POST", "/scim/v2/Bulk", `{"Operations":[{"method":"POST","path":"/Users","data":{"userName":"nobulkid"}}]}`), http.StatusBadRequest, "invalidSyntax")
	checkError(t, s.do("POST", "/scim/v2/Bulk", `{"Operations":[{"method":"GET","path":"/Users"}]}`), http.StatusBadRequest, "invalidSyntax")
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
