package jsonenc

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

// jsonDocs are documents of the shapes the sidecar sends, and values
// Append hands to encoding/json.
var jsonDocs = []any{
	nil, "", true, false, 0, -1, int64(math.MinInt64), uint64(math.MaxUint64),
	"plain", `quote " backslash \ slash /`, "<script>&amp;</script>", "\b\f\n\r\t\x00\x1f\x7f",
	"ünïcödé – 日本語 \u2028\u2029 😀", "bad \xff\xfe utf-8 \xe2\x82",
	map[string]any{},
	map[string]any(nil),
	[]any{},
	[]any(nil),
	[]string{"a", "<b>"},
	[]string(nil),
	map[string]any{
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": "42", "userName": "alice@example.com",
		"name":   map[string]any{"givenName": "Alice", "familyName": "O'Brien & Sons"},
		"emails": []any{map[string]any{"value": "a@b.c", "type": "work", "primary": true}},
		"active": false, "meta": map[string]any{"resourceType": "User", "created": "2024-01-01T00:00:00Z", "version": `W/"abc"`},
		"z": nil, "A": int64(7), "a": uint64(8), "_": map[string]any{"nested": []any{nil, 1.5, json.Number("12"), time.Unix(0, 0).UTC()}},
	},
	1.5, 1e21, 1e-7, float32(0.1), json.Number("3.25"), time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC),
	map[string]any{"many": map[string]any{
		"k01": 1, "k02": 2, "k03": 3, "k04": 4, "k05": 5, "k06": 6, "k07": 7, "k08": 8,
		"k09": 9, "k10": 10, "k11": 11, "k12": 12, "k13": 13, "k14": 14, "k15": 15, "k16": 16, "k17": 17, "k18": 18,
	}},
}

// TestAppendJSON checks Append against json.Marshal, byte for byte.
func TestAppendJSON(t *testing.T) {
	for _, v := range jsonDocs {
		want, werr := json.Marshal(v)
		got, err := Append([]byte("prefix:"), v)
		if (err != nil) != (werr != nil) || string(got) != "prefix:"+string(want) {
			t.Errorf("Append(%#v) = %s (%v), want prefix:%s (%v)", v, got, err, want, werr)
		}
	}
	if _, err := Append(nil, map[string]any{"nan": math.NaN()}); err == nil {
		t.Error("a NaN encoded without error")
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, v := range jsonDocs {
		if s, ok := v.(string); ok {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func BenchmarkEncodeUser(b *testing.B) {
	doc := map[string]any{
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": "42", "userName": "user0000041",
		"externalId": "00u0000041", "displayName": "First Last41", "active": true,
		"name":   map[string]any{"givenName": "First", "familyName": "Last41"},
		"emails": []any{map[string]any{"value": "user0000041@example.com", "type": "work", "primary": true}},
		"groups": []any{map[string]any{"value": "3", "display": "dept-1", "type": "direct", "$ref": "http://127.0.0.1:8080/scim/v2/Groups/3"}},
		"meta": map[string]any{
			"resourceType": "User", "created": "2024-01-01T00:00:00Z", "lastModified": "2024-01-01T00:00:00Z",
			"location": "http://127.0.0.1:8080/scim/v2/Users/42",
		},
	}
	b.Run("Append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for range b.N {
			buf, _ = Append(buf[:0], doc)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_, _ = json.Marshal(doc)
		}
	})
}

// BenchmarkAppendString writes the text of a user's document: names,
// addresses and URLs with nothing to escape.
func BenchmarkAppendString(b *testing.B) {
	texts := []string{"alice.liddell@wonderland.example", "Alice", "Liddell", "https://scim.example.com/scim/v2/Users/12345", "2024-06-04T07:00:00Z", "urn:ietf:params:scim:schemas:core:2.0:User"}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, s := range texts {
			buf = AppendString(buf, s)
		}
	}
}
