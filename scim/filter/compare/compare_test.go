package compare

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	lib "github.com/scim2/filter-parser/v2"

	"github.com/scimbridge/scimbridge/scim/filter"
)

// The differential tests hold scim/filter to what the library accepted:
// wherever the library parsed a filter or path, scim/filter parses it into
// the same tree, except where the library was wrong or lax on purpose-free
// points. Those exceptions are the known divergences below, each one a
// decision (see the scim/filter package documentation):
//
//   - string escapes: the library keeps \" \\ \u00e9 as written;
//     scim/filter decodes them (RFC 7644 strings are JSON strings), so the
//     library's strings are compared after JSON-decoding them;
//   - invalid UTF-8 and lone surrogates in a string: the library takes
//     them, scim/filter answers a syntax error;
//   - "work"and without a space: the RFC's grammar wants SP before and and
//     or; scim/filter accepts it only next to a parenthesis;
//   - and or or with no space after it (x eq "" andName pr): the grammar
//     wants SP after them too; the library reads the operator and goes on;
//   - names beginning with $ other than $ref ($foo, $ref0): not attribute names;
//   - a whole-schema URN (…:2.0:User): the library splits it at the last
//     ":", scim/filter keeps it whole (compared after splitting);
//   - integers of 19 digits or more: the library wraps them around
//     (9223372036854775808 becomes a negative number); other numbers are
//     compared by value, since which of int and float64 a large integer
//     becomes differs;
//   - parentheses and brackets nested deeper than 32 levels: the library
//     has no limit, scim/filter refuses them (the README's limit).
func divergent(s string) bool {
	if !utf8.ValidString(s) || strings.Contains(s, `\uD`) || strings.Contains(s, `\ud`) {
		return true
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			if depth++; depth > 32 {
				return true
			}
		case ')', ']':
			depth--
		}
	}
	if strings.Contains(s, `"and`) || strings.Contains(s, `"or`) || strings.Contains(s, `"AND`) || strings.Contains(s, `"OR`) {
		return true
	}
	lower := strings.ToLower(s)
	for _, op := range []string{" and", " or"} {
		for i := strings.Index(lower, op); i >= 0; {
			if next := i + len(op); next < len(lower) && lower[next] != ' ' && lower[next] != '(' {
				return true
			}
			j := strings.Index(lower[i+1:], op)
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && !isRef(s[i:]) && (i == 0 || s[i-1] == ' ' || s[i-1] == '.' || s[i-1] == '[' || s[i-1] == '(') {
			return true
		}
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if digits++; digits >= 19 {
				return true
			}
		} else {
			digits = 0
		}
	}
	return false
}

// isRef reports whether s begins with the name $ref alone ($ref0 and
// $refs are other names).
func isRef(s string) bool {
	if !strings.HasPrefix(strings.ToLower(s), "$ref") {
		return false
	}
	if len(s) == 4 {
		return true
	}
	c := s[4]
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '$')
}

// TestAgainstLibrary runs the differential check over the corpus the fuzz
// targets of scim/filter start from, and reports how the two compare.
func TestAgainstLibrary(t *testing.T) {
	counts := map[string]int{}
	for _, s := range corpus(t) {
		counts["filter: "+checkFilter(t, s)]++
		counts["path: "+checkPath(t, s)]++
	}
	t.Logf("%d corpus strings: %v", len(corpus(t)), counts)
	if counts["filter: both accept, same tree"] < 200 || counts["path: both accept, same tree"] < 200 {
		t.Errorf("too few agreements to mean anything: %v", counts)
	}
}

// FuzzAgainstLibrary is TestAgainstLibrary for any input.
func FuzzAgainstLibrary(f *testing.F) {
	for _, s := range corpus(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkFilter(t, s)
		checkPath(t, s)
	})
}

func checkFilter(t *testing.T, s string) string {
	t.Helper()
	mine, merr := filter.ParseFilter(s)
	le, lerr := lib.ParseFilter([]byte(s))
	switch {
	case lerr != nil && merr != nil:
		return "both refuse"
	case lerr != nil:
		return "only scim/filter accepts"
	case merr != nil:
		if !divergent(s) {
			t.Errorf("ParseFilter(%q): %v, but the library accepted it as %s", s, merr, dumpLib(le))
		}
		return "only the library accepts"
	}
	want := fromLib(le)
	if got := normalize(mine); !reflect.DeepEqual(got, want) {
		if !divergent(s) {
			t.Errorf("ParseFilter(%q)\n got %s\nwant %s (the library's, normalised)", s, dump(got), dump(want))
		}
		return "both accept, trees differ"
	}
	return "both accept, same tree"
}

func checkPath(t *testing.T, s string) string {
	t.Helper()
	mine, merr := filter.ParsePath(s)
	lp, lerr := lib.ParsePath([]byte(s))
	switch {
	case lerr != nil && merr != nil:
		return "both refuse"
	case lerr != nil:
		return "only scim/filter accepts"
	case merr != nil:
		if !divergent(s) {
			t.Errorf("ParsePath(%q): %v, but the library accepted it", s, merr)
		}
		return "only the library accepts"
	}
	want := filter.Path{AttributePath: libPath(lp.AttributePath), ValueExpression: fromLib(lp.ValueExpression), SubAttribute: lp.SubAttribute}
	got := filter.Path{AttributePath: split(mine.AttributePath), ValueExpression: normalize(mine.ValueExpression), SubAttribute: mine.SubAttribute}
	if !reflect.DeepEqual(got, want) {
		if !divergent(s) {
			t.Errorf("ParsePath(%q)\n got %s [%s] .%v\nwant %s [%s] .%v", s,
				got.AttributePath.String(), dump(got.ValueExpression), got.SubAttribute,
				want.AttributePath.String(), dump(want.ValueExpression), want.SubAttribute)
		}
		return "both accept, trees differ"
	}
	return "both accept, same tree"
}

func libPath(p lib.AttributePath) filter.AttributePath {
	return filter.AttributePath{URIPrefix: p.URIPrefix, AttributeName: p.AttributeName, SubAttribute: p.SubAttribute}
}

// fromLib converts the library's tree, JSON-decoding its strings (which it
// leaves escaped) and turning numbers into float64.
func fromLib(e lib.Expression) filter.Expression {
	switch x := e.(type) {
	case *lib.AttributeExpression:
		v := x.CompareValue
		if s, ok := v.(string); ok {
			var d string
			if json.Unmarshal([]byte(`"`+s+`"`), &d) == nil {
				v = d
			}
		}
		return &filter.AttributeExpression{AttributePath: libPath(x.AttributePath), Operator: filter.CompareOperator(x.Operator), CompareValue: number(v)}
	case *lib.LogicalExpression:
		return &filter.LogicalExpression{Left: fromLib(x.Left), Right: fromLib(x.Right), Operator: filter.LogicalOperator(x.Operator)}
	case *lib.NotExpression:
		return &filter.NotExpression{Expression: fromLib(x.Expression)}
	case *lib.ValuePath:
		return &filter.ValuePath{AttributePath: libPath(x.AttributePath), ValueFilter: fromLib(x.ValueFilter)}
	}
	return nil
}

// normalize gives scim/filter's tree the library's conventions: numbers as
// float64, whole-schema URNs split at the last ":".
func normalize(e filter.Expression) filter.Expression {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		return &filter.AttributeExpression{AttributePath: split(x.AttributePath), Operator: x.Operator, CompareValue: number(x.CompareValue)}
	case *filter.LogicalExpression:
		return &filter.LogicalExpression{Left: normalize(x.Left), Right: normalize(x.Right), Operator: x.Operator}
	case *filter.NotExpression:
		return &filter.NotExpression{Expression: normalize(x.Expression)}
	case *filter.ValuePath:
		return &filter.ValuePath{AttributePath: split(x.AttributePath), ValueFilter: normalize(x.ValueFilter)}
	}
	return nil
}

func split(p filter.AttributePath) filter.AttributePath {
	if p.URIPrefix == nil {
		if i := strings.LastIndexByte(p.AttributeName, ':'); i >= 0 {
			u := p.AttributeName[:i]
			p.URIPrefix, p.AttributeName = &u, p.AttributeName[i+1:]
		}
	}
	return p
}

func number(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int64:
		return float64(n)
	}
	return v
}

func dump(e filter.Expression) string {
	if e == nil {
		return "nil"
	}
	return e.String()
}

func dumpLib(e lib.Expression) string { return fmt.Sprintf("%#v", e) }

// corpus reads scim/filter's seed corpus.
func corpus(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("../testdata/corpus.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && line[0] != '#' {
			s, err := strconv.Unquote(line)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, s)
		}
	}
	return out
}
