package filter

import (
	"bufio"
	"os"
	"reflect"
	"strconv"
	"testing"
)

// checkFilterRoundTrip parses s and, if it is a filter, checks that the
// tree's String parses back into an equal tree.
func checkFilterRoundTrip(t *testing.T, s string) {
	t.Helper()
	e, err := ParseFilter(s)
	if err != nil {
		if _, ok := err.(*SyntaxError); !ok {
			t.Fatalf("ParseFilter(%q): error %T, want *SyntaxError", s, err)
		}
		return
	}
	text := e.String()
	back, err := ParseFilter(text)
	if err != nil {
		t.Fatalf("ParseFilter(%q) = %s, which does not parse: %v", s, text, err)
	}
	if !reflect.DeepEqual(e, back) {
		t.Fatalf("ParseFilter(%q) = %s, which parses back as %s", s, dump(e), dump(back))
	}
}

// checkPathRoundTrip is checkFilterRoundTrip for PATCH paths.
func checkPathRoundTrip(t *testing.T, s string) {
	t.Helper()
	p, err := ParsePath(s)
	if err != nil {
		if _, ok := err.(*SyntaxError); !ok {
			t.Fatalf("ParsePath(%q): error %T, want *SyntaxError", s, err)
		}
		return
	}
	text := p.String()
	back, err := ParsePath(text)
	if err != nil {
		t.Fatalf("ParsePath(%q) = %s, which does not parse: %v", s, text, err)
	}
	if !reflect.DeepEqual(p, back) {
		t.Fatalf("ParsePath(%q) = %s, which parses back as %s", s, dumpP(p), dumpP(back))
	}
}

// corpus reads testdata/corpus.txt: the filters and PATCH paths found in
// the repository's tests and fixtures, RFC 7644's examples and those Okta
// and Entra send, one Go-quoted string per line.
func corpus(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/corpus.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := strconv.Unquote(line)
		if err != nil {
			tb.Fatalf("testdata/corpus.txt: %q: %v", line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestCorpusRoundTrip runs the fuzz property over the whole corpus, so that
// a plain go test checks it too.
func TestCorpusRoundTrip(t *testing.T) {
	c := corpus(t)
	if len(c) < 100 {
		t.Fatalf("testdata/corpus.txt holds %d strings; it should hold the whole corpus", len(c))
	}
	for _, s := range c {
		checkFilterRoundTrip(t, s)
		checkPathRoundTrip(t, s)
	}
}

// FuzzParseFilter checks that ParseFilter never panics, fails only with a
// *SyntaxError whose offset lies within the input, and returns trees that
// print as text which parses back into the same tree.
func FuzzParseFilter(f *testing.F) {
	for _, s := range corpus(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseFilter(s); err != nil {
			checkOffset(t, s, err)
		}
		checkFilterRoundTrip(t, s)
	})
}

// FuzzParsePath is FuzzParseFilter for PATCH paths.
func FuzzParsePath(f *testing.F) {
	for _, s := range corpus(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParsePath(s); err != nil {
			checkOffset(t, s, err)
		}
		checkPathRoundTrip(t, s)
	})
}

func checkOffset(t *testing.T, s string, err error) {
	t.Helper()
	se, ok := err.(*SyntaxError)
	if !ok {
		t.Fatalf("%q: error %T, want *SyntaxError", s, err)
	}
	if se.Offset < 0 || se.Offset > len(s) {
		t.Fatalf("%q: offset %d outside the input", s, se.Offset)
	}
}
