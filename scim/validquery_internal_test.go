package scim

import (
	"net/url"
	"testing"
	"unicode/utf8"
)

// parsedValid is what validQuery must answer: whether every name and value
// url.ParseQuery decodes is UTF-8.
func parsedValid(raw string) bool {
	q, _ := url.ParseQuery(raw)
	for k, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

var queryCorpus = []string{
	"", "filter=userName+eq+%22a%22", "filter=userName%20eq%20%22%C3%A9%22", "a=%ff", "%ff=a", "a=%c3",
	"a=%c3%a9", "a=%", "a=%f", "a=%zz&b=%ff", "a=%ff;b", "a;%ff=1", "a=\xff", "a=\xff;", "&&a=1&&",
	"a=%3D%ff", "a%3D%ff=", "count=10&startIndex=1", "x=%E2%82%AC&y=%e2%82", "%=%", "a=b=%c3%a9",
	"attributes=userName,emails&excludedAttributes=groups",
}

func TestValidQueryAsParseQuery(t *testing.T) {
	for _, raw := range queryCorpus {
		if got, want := validQuery(raw), parsedValid(raw); got != want {
			t.Errorf("validQuery(%q) = %v, want %v", raw, got, want)
		}
	}
}

func FuzzValidQuery(f *testing.F) {
	for _, raw := range queryCorpus {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if got, want := validQuery(raw), parsedValid(raw); got != want {
			t.Errorf("validQuery(%q) = %v, want %v", raw, got, want)
		}
	})
}
