package scim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func decodeJSON(s string) map[string]any {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		panic(err)
	}
	return m
}

func patchDoc(doc, body string) (string, error) {
	d := decodeJSON(doc)
	ops, err := parsePatch(decodeJSON(body))
	if err != nil {
		return "", err
	}
	if err := (patcher{schema: "urn:ietf:params:scim:schemas:core:2.0:User"}).apply(d, ops); err != nil {
		return "", err
	}
	out, _ := json.Marshal(d)
	return string(out), nil
}

// Okta deactivates a user with a no-path replace.
func Example_patchOktaDeactivate() {
	out, _ := patchDoc(`{"userName":"a","active":true}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	fmt.Println(out)
	// Output: {"active":false,"userName":"a"}
}

// Entra capitalises ops, sends dotted and URN-qualified keys without a path,
// and targets an e-mail through a value filter.
func Example_patchEntraDialect() {
	out, _ := patchDoc(`{"userName":"a","name":{"givenName":"A","familyName":"B"},"emails":[{"type":"work","value":"old@x"}]}`,
		`{"Operations":[
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@x"},
			{"op":"Add","value":{"name.givenName":"Z","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}}]}`)
	fmt.Println(out)
	// Output: {"emails":[{"type":"work","value":"new@x"}],"name":{"familyName":"B","givenName":"Z"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"},"userName":"a"}
}

// An add to a filtered path whose element does not exist creates it, once.
func Example_patchAddCreatesOnce() {
	op := `{"op":"add","path":"emails[type eq \"home\"].value","value":"h@x"}`
	out, _ := patchDoc(`{"userName":"a"}`, `{"Operations":[`+op+`,`+op+`]}`)
	fmt.Println(out)
	// Output: {"emails":[{"type":"home","value":"h@x"}],"userName":"a"}
}

// Removing with a value list removes only the listed values.
func Example_patchRemoveListed() {
	out, _ := patchDoc(`{"emails":[{"value":"a@x"},{"value":"b@x"},{"value":"c@x"}]}`,
		`{"Operations":[{"op":"Remove","path":"emails","value":[{"$ref":null,"value":"b@x"}]}]}`)
	fmt.Println(out)
	// Output: {"emails":[{"value":"a@x"},{"value":"c@x"}]}
}

func TestPatchErrors(t *testing.T) {
	cases := []struct{ body, scimType string }{
		{`{}`, "invalidSyntax"},
		{`{"Operations":{}}`, "invalidSyntax"},
		{`{"Operations":[1]}`, "invalidSyntax"},
		{`{"Operations":[{"op":"copy","path":"a"}]}`, "invalidSyntax"},
		{`{"Operations":[{"op":"remove"}]}`, "noTarget"},
		{`{"Operations":[{"op":"replace","value":"x"}]}`, "invalidValue"},
		{`{"Operations":[{"op":"replace","path":7,"value":"x"}]}`, "invalidPath"},
		{`{"Operations":[{"op":"replace","path":"a[b eq","value":"x"}]}`, "invalidPath"},
		{`{"Operations":[{"op":"replace","path":"meta.created","value":"x"}]}`, "mutability"},
		{`{"Operations":[{"op":"add","path":"userName[value eq \"x\"]","value":"x"}]}`, "invalidPath"},
	}
	for _, c := range cases {
		_, err := patchDoc(`{"userName":"a"}`, c.body)
		e, ok := err.(*Error)
		if !ok || e.ScimType != c.scimType || e.Status != 400 {
			t.Errorf("%s: err = %v, want 400 %s", c.body, err, c.scimType)
		}
	}
}

func decodeInto(s string, v any) error {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	return d.Decode(v)
}
