package mapping

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/internal/jsonenc"
)

// TestAppendDocumentAsFromRecord writes rows of random values, NULLs,
// zero times and text JSON escapes through AppendDocument and checks each
// document byte for byte against FromRecord's, with meta.location and
// groups set as the sidecar sets them.
func TestAppendDocumentAsFromRecord(t *testing.T) {
	configs := map[string]map[string]AttributeConfig{
		"core, extension, meta, single email": {
			"userName":                           {Column: "login"},
			"name.givenName":                     {Column: "first_name"},
			"active":                             {Column: "status", TrueValue: "on", FalseValue: "off"},
			"emails":                             {Column: "email", Type: "home"},
			EnterpriseSchema + ":employeeNumber": {Column: "emp_no"},
			"meta.lastModified":                  {Column: "updated"},
		},
		"one column under two names": {
			"userName":     {Column: "login"},
			"displayName":  {Column: "login"},
			"externalId":   {Column: "emp_no"},
			"active":       {Column: "locked", TrueValue: 0, FalseValue: 1},
			"meta.created": {Column: "hired"},
		},
	}
	rnd := rand.New(rand.NewPCG(1, 26))
	texts := []string{"", "alice", `quote " and \ back`, "<b>&amp;</b>", "ünï 日本 \u2028", "bad \xff utf-8", "on", "off"}
	for name, attrs := range configs {
		r := compileUsers(t, attrs)
		if !r.CanAppendDocument() {
			t.Fatalf("%s: CanAppendDocument false", name)
		}
		var x Rendered
		x.Location = func(dst []byte, id string) []byte { return jsonenc.AppendString(dst, "https://h/scim/v2/Users/"+id) }
		x.GroupRef = func(dst []byte, id string) []byte { return jsonenc.AppendString(dst, "https://h/scim/v2/Groups/"+id) }
		for n := range 500 {
			rec := adapters.Record{"id": int64(n)}
			for _, c := range usersTable.Columns[1:] {
				switch v := rnd.IntN(5); {
				case v == 0:
					rec[c.Name] = nil
				case c.DataType == "datetime" && v == 1:
					rec[c.Name] = time.Time{}
				case c.DataType == "datetime":
					rec[c.Name] = time.Unix(rnd.Int64N(4e9), 0).UTC()
				case c.DataType == "int" || c.DataType == "tinyint":
					rec[c.Name] = rnd.Int64N(3) - 1
				default:
					rec[c.Name] = texts[rnd.IntN(len(texts))]
				}
			}
			x.Groups = nil
			for g := range rnd.IntN(3) {
				x.Groups = append(x.Groups, adapters.Member{ID: texts[rnd.IntN(len(texts))] + string(rune('a'+g)), Display: texts[rnd.IntN(len(texts))]})
			}
			got, err := r.AppendDocument(nil, rec, &x)
			if err != nil {
				t.Fatal(err)
			}
			doc := r.FromRecord(rec)
			doc["meta"].(map[string]any)["location"] = "https://h/scim/v2/Users/" + r.ID(rec)
			if len(x.Groups) > 0 {
				var gs []any
				for _, g := range x.Groups {
					e := map[string]any{"value": g.ID, "type": "direct", "$ref": "https://h/scim/v2/Groups/" + g.ID}
					if g.Display != "" {
						e["display"] = g.Display
					}
					gs = append(gs, e)
				}
				doc["groups"] = gs
			}
			want, err := jsonenc.Append(nil, doc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, row %v:\nAppendDocument %s\nFromRecord     %s", name, rec, got, want)
			}
		}
	}
}

// TestAppendDocumentDeclines checks that a mapping whose documents need
// more than their row (a manager, completed from the manager's row) is
// left to FromRecord.
func TestAppendDocumentDeclines(t *testing.T) {
	r := compileUsers(t, map[string]AttributeConfig{
		"userName":                    {Column: "login"},
		EnterpriseSchema + ":manager": {Column: "emp_no"},
	})
	if r.CanAppendDocument() {
		t.Error("CanAppendDocument true for a mapping with a manager")
	}
}
