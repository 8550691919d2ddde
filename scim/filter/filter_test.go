package filter

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Helpers building expected trees.

func str(s string) *string { return &s }

// a is the attribute path name, name.sub or, with a uri, uri:name[.sub].
// A name holding a ":" is a whole-schema URN, kept as one AttributeName.
func a(name string) AttributePath {
	if strings.Contains(name, ":") {
		return AttributePath{AttributeName: name}
	}
	if n, sub, ok := strings.Cut(name, "."); ok {
		return AttributePath{AttributeName: n, SubAttribute: str(sub)}
	}
	return AttributePath{AttributeName: name}
}

func au(uri, name string) AttributePath {
	p := a(name)
	p.URIPrefix = str(uri)
	return p
}

func cmp(p AttributePath, op CompareOperator, v any) Expression {
	return &AttributeExpression{AttributePath: p, Operator: op, CompareValue: v}
}

func eq(name string, v any) Expression { return cmp(a(name), EQ, v) }
func pr(name string) Expression        { return cmp(a(name), PR, nil) }
func and(l, r Expression) Expression {
	return &LogicalExpression{Left: l, Right: r, Operator: AND}
}
func or(l, r Expression) Expression { return &LogicalExpression{Left: l, Right: r, Operator: OR} }
func not(e Expression) Expression   { return &NotExpression{Expression: e} }
func vp(p AttributePath, f Expression) Expression {
	return &ValuePath{AttributePath: p, ValueFilter: f}
}

const (
	coreUser   = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

var filterTests = []struct {
	in   string
	want Expression
}{
	// attrExp, every operator
	{`userName eq "bjensen"`, eq("userName", "bjensen")},
	{`userName ne "bjensen"`, cmp(a("userName"), NE, "bjensen")},
	{`name.familyName co "O'Malley"`, cmp(a("name.familyName"), CO, "O'Malley")},
	{`userName sw "J"`, cmp(a("userName"), SW, "J")},
	{`userName ew "n"`, cmp(a("userName"), EW, "n")},
	{`meta.lastModified gt "2011-05-13T04:42:34Z"`, cmp(a("meta.lastModified"), GT, "2011-05-13T04:42:34Z")},
	{`meta.lastModified ge "2011-05-13T04:42:34Z"`, cmp(a("meta.lastModified"), GE, "2011-05-13T04:42:34Z")},
	{`meta.lastModified lt "2011-05-13T04:42:34Z"`, cmp(a("meta.lastModified"), LT, "2011-05-13T04:42:34Z")},
	{`meta.lastModified le "2011-05-13T04:42:34Z"`, cmp(a("meta.lastModified"), LE, "2011-05-13T04:42:34Z")},
	{`title pr`, pr("title")},
	{`user-name_2 ne "x"`, cmp(a("user-name_2"), NE, "x")},
	{`x1.y-2_z eq "x"`, eq("x1.y-2_z", "x")},
	{`userName eq ""`, eq("userName", "")},
	{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, eq("schemas", enterprise)},

	// $ref
	{`$ref eq "x"`, eq("$ref", "x")},
	{`manager.$ref pr`, pr("manager.$ref")},
	{`manager.$Ref pr`, pr("manager.$Ref")},
	{`members[$ref eq "x"]`, vp(a("members"), eq("$ref", "x"))},

	// URIs
	{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, cmp(au(coreUser, "userName"), SW, "J")},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, cmp(au(enterprise, "employeeNumber"), EQ, "701984")},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"`, cmp(au(enterprise, "manager.value"), EQ, "26118915")},
	{`urn:example:scim:schemas:extension:my-custom_ext:1.0:User:badge ge 3`, cmp(au("urn:example:scim:schemas:extension:my-custom_ext:1.0:User", "badge"), GE, 3)},
	{`urn:scim:schemas:extension:enterprise:1.0:employeeNumber pr`, cmp(au("urn:scim:schemas:extension:enterprise:1.0", "employeeNumber"), PR, nil)},
	{`a:b eq 1`, cmp(au("a", "b"), EQ, 1)},
	{`URN:X:Y pr`, cmp(au("URN:X", "Y"), PR, nil)},
	// whole-schema URNs
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User pr`, pr(enterprise)},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager pr`, cmp(AttributePath{AttributeName: enterprise, SubAttribute: str("manager")}, PR, nil)},
	{`urn:scim:schemas:extension:enterprise:1.0 pr`, pr("urn:scim:schemas:extension:enterprise:1.0")},

	// logExp, precedence and associativity
	{`title pr and userType eq "Employee"`, and(pr("title"), eq("userType", "Employee"))},
	{`title pr or userType eq "Intern"`, or(pr("title"), eq("userType", "Intern"))},
	{`a pr or b pr and c pr`, or(pr("a"), and(pr("b"), pr("c")))},
	{`a pr and b pr or c pr`, or(and(pr("a"), pr("b")), pr("c"))},
	{`a pr and b pr and c pr`, and(and(pr("a"), pr("b")), pr("c"))},
	{`a pr or b pr or c pr`, or(or(pr("a"), pr("b")), pr("c"))},
	{`a pr or b pr and c pr or d pr`, or(or(pr("a"), and(pr("b"), pr("c"))), pr("d"))},
	{`(a pr or b pr) and c pr`, and(or(pr("a"), pr("b")), pr("c"))},
	{`a pr and (b pr or c pr)`, and(pr("a"), or(pr("b"), pr("c")))},
	{`a pr and (b pr and c pr)`, and(pr("a"), and(pr("b"), pr("c")))},
	{`((a pr))`, pr("a")},
	{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		and(eq("userType", "Employee"), or(cmp(a("emails"), CO, "example.com"), cmp(a("emails.value"), CO, "example.org")))},
	{`userType eq "Employee" and (emails.type eq "work")`, and(eq("userType", "Employee"), eq("emails.type", "work"))},

	// not
	{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
		and(cmp(a("userType"), NE, "Employee"), not(or(cmp(a("emails"), CO, "example.com"), cmp(a("emails.value"), CO, "example.org"))))},
	{`not (a pr) and b pr`, and(not(pr("a")), pr("b"))},
	{`not (a pr and b pr)`, not(and(pr("a"), pr("b")))},
	{`not (not (a pr))`, not(not(pr("a")))},
	{`not(a pr)`, not(pr("a"))},
	{`a pr or not (b pr) and c pr`, or(pr("a"), and(not(pr("b")), pr("c")))},
	// "not" not followed by "(" is an attribute
	{`not pr`, pr("not")},
	{`not eq "x"`, eq("not", "x")},
	{`not.x pr`, pr("not.x")},
	{`not[x pr]`, vp(a("not"), pr("x"))},
	{`and pr and or pr`, and(pr("and"), pr("or"))},

	// case-insensitivity
	{`userName EQ "x"`, eq("userName", "x")},
	{`userName Eq "x"`, eq("userName", "x")},
	{`title PR`, pr("title")},
	{`a pr AND b pr Or c pr`, or(and(pr("a"), pr("b")), pr("c"))},
	{`NOT (a pr)`, not(pr("a"))},
	{`Not(a pr)`, not(pr("a"))},
	{`x eq TRUE`, eq("x", true)},
	{`x eq False`, eq("x", false)},
	{`x eq NULL`, eq("x", nil)},
	{`x eq nUlL`, eq("x", nil)},
	{`x eq true`, eq("x", true)},
	{`x eq false`, eq("x", false)},
	{`x eq null`, eq("x", nil)},

	// whitespace
	{`userName  eq  "x"`, eq("userName", "x")},
	{"userName\teq\t\"x\"", eq("userName", "x")},
	{` userName eq "x" `, eq("userName", "x")},
	{`( a pr )`, pr("a")},
	{`not  ( a pr )`, not(pr("a"))},
	{`(a pr)and(b pr)`, and(pr("a"), pr("b"))},
	{`a pr and(b pr)`, and(pr("a"), pr("b"))},
	{`(a pr)or b pr`, or(pr("a"), pr("b"))},
	{"a pr\nand\r\nb pr", and(pr("a"), pr("b"))},
	{`a pr  or  b pr`, or(pr("a"), pr("b"))},
	{`emails[ type eq "work" ]`, vp(a("emails"), eq("type", "work"))},
	{`emails [type eq "work"]`, vp(a("emails"), eq("type", "work"))},
	{`emails[type eq "work"]and a pr`, and(vp(a("emails"), eq("type", "work")), pr("a"))},

	// valuePath
	{`emails[type eq "work"]`, vp(a("emails"), eq("type", "work"))},
	{`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
		and(eq("userType", "Employee"), vp(a("emails"), and(eq("type", "work"), cmp(a("value"), CO, "@example.com"))))},
	{`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		or(vp(a("emails"), and(eq("type", "work"), cmp(a("value"), CO, "@example.com"))),
			vp(a("ims"), and(eq("type", "xmpp"), cmp(a("value"), CO, "@foo.com"))))},
	{`emails[type eq "work" or (type eq "home" and value ew "@example.com")]`,
		vp(a("emails"), or(eq("type", "work"), and(eq("type", "home"), cmp(a("value"), EW, "@example.com"))))},
	{`emails[type eq "work" and value co "x" and primary eq true]`,
		vp(a("emails"), and(and(eq("type", "work"), cmp(a("value"), CO, "x")), eq("primary", true)))},
	{`emails[not (type eq "work")]`, vp(a("emails"), not(eq("type", "work")))},
	{`emails[(type eq "work")]`, vp(a("emails"), eq("type", "work"))},
	{`members[value eq "2819c223-7f76-453a-919d-413861904646"]`, vp(a("members"), eq("value", "2819c223-7f76-453a-919d-413861904646"))},
	{`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]`, vp(au(coreUser, "emails"), eq("type", "work"))},
	{`name.x[a pr]`, vp(a("name.x"), pr("a"))},
	{`not (emails[type eq "work"])`, not(vp(a("emails"), eq("type", "work")))},

	// Entra's attr[filter].sub op value
	{`emails[type eq "work"].value eq "a@b"`, vp(a("emails"), and(eq("type", "work"), eq("value", "a@b")))},
	{`emails[type eq "work"].value pr`, vp(a("emails"), and(eq("type", "work"), pr("value")))},
	{`emails[Type eq "work"].Value CO "@x"`, vp(a("emails"), and(eq("Type", "work"), cmp(a("Value"), CO, "@x")))},
	{`emails[type eq "work" or type eq "home"].value eq "a@b"`,
		vp(a("emails"), and(or(eq("type", "work"), eq("type", "home")), eq("value", "a@b")))},
	{`emails[type eq "work"].value eq "a" and userName pr`,
		and(vp(a("emails"), and(eq("type", "work"), eq("value", "a"))), pr("userName"))},
	{`not (emails[type eq "work"].value co "x")`, not(vp(a("emails"), and(eq("type", "work"), cmp(a("value"), CO, "x"))))},
	{`(emails[type eq "work"].value eq "a") or active eq true`,
		or(vp(a("emails"), and(eq("type", "work"), eq("value", "a"))), eq("active", true))},
	{`userName eq "x" and emails[type eq "work"].value co "]."`,
		and(eq("userName", "x"), vp(a("emails"), and(eq("type", "work"), cmp(a("value"), CO, "]."))))},
	{`addresses[type eq "work"].$ref eq "x"`, vp(a("addresses"), and(eq("type", "work"), eq("$ref", "x")))},
	{`emails[type eq "work"].value  eq  "a"`, vp(a("emails"), and(eq("type", "work"), eq("value", "a")))},

	// strings: escapes and UTF-8
	{`userName eq "o\"brien"`, eq("userName", `o"brien`)},
	{`userName eq "A\\B"`, eq("userName", `A\B`)},
	{`userName eq "\u00e9"`, eq("userName", "é")},
	{`userName eq "\u00E9"`, eq("userName", "é")},
	{`userName sw "O\"Bri"`, cmp(a("userName"), SW, `O"Bri`)},
	{`x eq "\" \\ \/ \b \f \n \r \t"`, eq("x", "\" \\ / \b \f \n \r \t")},
	{`x eq "\u0041\u00e9\u20AC\u0000"`, eq("x", "Aé€\x00")},
	{`x eq "\uD83D\uDE00"`, eq("x", "😀")},
	{`x eq "\ud83d\ude00!"`, eq("x", "😀!")},
	{`x eq "a\uD834\uDD1Eb"`, eq("x", "a𝄞b")},
	{`x eq "W/\"990-6468886345120203448\""`, eq("x", `W/"990-6468886345120203448"`)},
	{`x eq "Admins (EU) – ünïcode 😀"`, eq("x", "Admins (EU) – ünïcode 😀")},
	{`x eq "a) or (b pr"`, eq("x", "a) or (b pr")},
	{`x eq "é\n"`, eq("x", "é\n")},
	{"x eq \"\x7f\"", eq("x", "\x7f")},

	// numbers
	{`x gt 5`, cmp(a("x"), GT, 5)},
	{`x gt 5.5`, cmp(a("x"), GT, 5.5)},
	{`x gt -5`, cmp(a("x"), GT, -5)},
	{`x gt 0`, cmp(a("x"), GT, 0)},
	{`x gt -0`, cmp(a("x"), GT, 0)},
	{`x gt 0.0`, cmp(a("x"), GT, 0.0)},
	{`x gt 1e3`, cmp(a("x"), GT, 1000.0)},
	{`x gt 1E+3`, cmp(a("x"), GT, 1000.0)},
	{`x gt 1.5e-3`, cmp(a("x"), GT, 0.0015)},
	{`x gt 10.0e+01`, cmp(a("x"), GT, 100.0)},
	{`x gt 9223372036854775807`, cmp(a("x"), GT, 9223372036854775807)},
	{`x gt -9223372036854775808`, cmp(a("x"), GT, -9223372036854775808)},
	{`x gt 9223372036854775808`, cmp(a("x"), GT, 9223372036854775808.0)},
	{`x gt 9007199254740993`, cmp(a("x"), GT, 9007199254740993)},
	{`(x gt 5)`, cmp(a("x"), GT, 5)},
	{`x[y gt 5]`, vp(a("x"), cmp(a("y"), GT, 5))},
}

func TestParseFilter(t *testing.T) {
	for _, tt := range filterTests {
		got, err := ParseFilter(tt.in)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseFilter(%q)\n got %s\nwant %s", tt.in, dump(got), dump(tt.want))
		}
	}
}

// TestNumberTypes pins the Go types of numbers: int for integers that
// fit, float64 for the rest, as github.com/scim2/filter-parser/v2 does.
func TestNumberTypes(t *testing.T) {
	for in, want := range map[string]string{
		"5": "int", "-5": "int", "5.5": "float64", "5.0": "float64", "5e0": "float64",
		"99999999999999999999": "float64",
	} {
		e, err := ParseFilter("x gt " + in)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%T", e.(*AttributeExpression).CompareValue); got != want {
			t.Errorf("x gt %s: CompareValue is %s, want %s", in, got, want)
		}
	}
}

var deep = strings.Repeat("(", maxNesting) + "a pr" + strings.Repeat(")", maxNesting)

func TestNesting(t *testing.T) {
	if _, err := ParseFilter(deep); err != nil {
		t.Errorf("%d levels: %v", maxNesting, err)
	}
	if _, err := ParseFilter(strings.Repeat("not (", maxNesting/2) + "x[y pr]" + strings.Repeat(")", maxNesting/2)); err != nil {
		t.Errorf("not and brackets: %v", err)
	}
}

var filterErrors = []struct {
	in     string
	offset int
	msg    string
}{
	{``, 0, msgStart},
	{`   `, 3, msgStart},
	{`"x" eq 1`, 0, msgStart},
	{`)`, 0, msgStart},
	{`()`, 1, msgStart},
	{`userName`, 8, msgOperator},
	{`userName `, 9, msgOperator},
	{`userName"x"`, 8, msgOperator},
	{`userName xx "x"`, 9, msgOperator},
	{`userName eqx "x"`, 9, msgOperator},
	{`userName e "x"`, 9, msgOperator},
	{`userName prx`, 9, msgOperator},
	{`name.givenName "x"`, 15, msgOperator},
	{`not a pr`, 4, msgOperator},
	{`userName eq`, 11, msgValue},
	{`userName eq `, 12, msgValue},
	{`userName eq"x"`, 11, "expected a space after eq"},
	{`userName eq x`, 12, msgValue},
	{`userName eq 'x'`, 12, msgValue},
	{`userName eq truex`, 12, msgValue},
	{`userName eq true1`, 12, msgValue},
	{`userName eq +1`, 12, msgValue},
	{`userName eq .5`, 12, msgValue},
	{`userName eq "x" y`, 16, msgEnd},
	{`userName eq "x"y`, 15, msgEnd},
	{`title pr "x"`, 9, msgEnd},
	{`a pr)`, 4, msgEnd},
	{`a pr andb pr`, 5, msgEnd},
	{`a pr and`, 8, msgStart},
	{`a pr and `, 9, msgStart},
	{`a pr or`, 7, msgStart},
	{`a pr and)`, 8, msgStart},
	{`a pr and and b pr`, 13, msgOperator},
	{`a eq "x"and b pr`, 8, `expected a space before "and"`},
	{`a eq "x"or b pr`, 8, `expected a space before "or"`},
	{`a eq 1and b pr`, 5, msgNumber},
	{`(a pr`, 5, msgClose},
	{`(a pr]`, 5, msgClose},
	{`((a pr)`, 7, msgClose},
	{`not (a pr`, 9, msgClose},
	{`not ()`, 5, msgStart},

	// attribute paths
	{`1userName eq "x"`, 0, msgName},
	{`$foo eq "x"`, 0, msgName},
	{`$refx eq "x"`, 0, msgName},
	{`userName. eq "x"`, 9, msgSubName},
	{`userName.1 eq "x"`, 9, msgSubName},
	{`userName.a.b eq "x"`, 10, msgTwoSubs},
	{`user$name eq 1`, 4, `unexpected '$' in attribute path`},
	{`urn::x eq 1`, 4, msgEmptySeg},
	{`:x eq 1`, 0, msgEmptySeg},
	{`urn:x: eq 1`, 6, msgName},
	{`urn:$x:y eq 1`, 4, `unexpected "$" in schema URI`},
	{`urn:x:1y eq 1`, 6, msgName},

	// value paths
	{`emails[`, 7, msgStart},
	{`emails[]`, 7, msgStart},
	{`emails[type eq "work"`, 21, msgBracket},
	{`emails[type eq "work")`, 21, msgBracket},
	{`emails[x[y pr]]`, 8, msgNested},
	{`emails[x pr and y[z pr]]`, 17, msgNested},
	{`emails[(x[y pr])]`, 9, msgNested},
	{`emails[type eq "work"][x pr]`, 22, msgEnd},
	{`emails[type eq "work"].`, 23, msgSubName},
	{`emails[type eq "work"].value`, 28, msgOperator},
	{`emails[type eq "work"].value.x eq 1`, 28, msgTwoSubs},
	{`emails[type eq "work"].value eq`, 31, msgValue},
	{`emails[type eq "work"].value"x"`, 28, msgOperator},
	{`emails[type eq "work"].value eq "a" extra`, 36, msgEnd},

	// strings
	{`userName eq "x`, 12, msgUnclosed},
	{`userName eq "x\`, 12, msgUnclosed},
	{`userName eq "x\"`, 12, msgUnclosed},
	{`userName eq "a\qb"`, 14, msgEscape},
	{`userName eq "a\'b"`, 14, msgEscape},
	{`userName eq "\u00g9"`, 13, msgHexEscape},
	{`userName eq "\u00"`, 13, msgHexEscape},
	{`userName eq "\U00E9"`, 13, msgEscape},
	{`userName eq "\uD83D"`, 13, `unpaired surrogate \uD83D in string`},
	{`userName eq "\uDE00"`, 13, `unpaired surrogate \uDE00 in string`},
	{`userName eq "\uD83Dx"`, 13, `unpaired surrogate \uD83D in string`},
	{`userName eq "\uD83D\u0041"`, 13, `unpaired surrogate \uD83D in string`},
	{`userName eq "\uD83D\uD83D"`, 13, `unpaired surrogate \uD83D in string`},
	{`userName eq "ok\n\uD83D"`, 17, `unpaired surrogate \uD83D in string`},
	{"userName eq \"a\x01b\"", 14, "unescaped control character U+0001 in string"},
	{"userName eq \"a\tb\"", 14, "unescaped control character U+0009 in string"},
	{"userName eq \"\\n\x1f\"", 15, "unescaped control character U+001F in string"},
	{"userName eq \"\xff\"", 13, msgUTF8},
	{"userName eq \"é\xc3\"", 15, msgUTF8},
	{"userName eq \"\\t\xed\xa0\x80\"", 15, msgUTF8}, // an encoded surrogate

	// numbers
	{`x gt 01`, 5, msgNumber},
	{`x gt 1.`, 5, msgNumber},
	{`x gt 1.e5`, 5, msgNumber},
	{`x gt 1e`, 5, msgNumber},
	{`x gt 1e+`, 5, msgNumber},
	{`x gt -`, 5, msgNumber},
	{`x gt -x`, 5, msgNumber},
	{`x gt 1.5.3`, 5, msgNumber},
	{`x gt 5x`, 5, msgNumber},
	{`x gt 5"`, 5, msgNumber},
	{`x gt 1e400`, 5, msgRange},
	{`x gt -1e400`, 5, msgRange},

	// nesting
	{"(" + deep + ")", maxNesting, msgDeep},
	{strings.Repeat("not (", maxNesting) + "x[y pr]" + strings.Repeat(")", maxNesting), 5*maxNesting + 1, msgDeep},
}

func TestParseFilterErrors(t *testing.T) {
	for _, tt := range filterErrors {
		e, err := ParseFilter(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseFilter(%q) = %v, %v; want a *SyntaxError", tt.in, e, err)
			continue
		}
		if e != nil {
			t.Errorf("ParseFilter(%q) returned %v with its error", tt.in, e)
		}
		if se.Offset != tt.offset || se.Message != tt.msg {
			t.Errorf("ParseFilter(%q): %d %q, want %d %q", tt.in, se.Offset, se.Message, tt.offset, tt.msg)
		}
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := ParseFilter(`name.givenName ~ "x"`)
	want := "at character 15: expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

var pathTests = []struct {
	in   string
	want Path
}{
	{`members`, Path{AttributePath: a("members")}},
	{`Members`, Path{AttributePath: a("Members")}},
	{`name.givenName`, Path{AttributePath: a("name.givenName")}},
	{`x-y_z.a1`, Path{AttributePath: a("x-y_z.a1")}},
	{`$ref`, Path{AttributePath: a("$ref")}},
	{`manager.$ref`, Path{AttributePath: a("manager.$ref")}},
	{`  members  `, Path{AttributePath: a("members")}},
	{`emails[type eq "work"]`, Path{AttributePath: a("emails"), ValueExpression: eq("type", "work")}},
	{`emails [ type eq "work" ]`, Path{AttributePath: a("emails"), ValueExpression: eq("type", "work")}},
	{`emails[type eq "work"].value`, Path{AttributePath: a("emails"), ValueExpression: eq("type", "work"), SubAttribute: str("value")}},
	{`members[value eq "2819c223"]`, Path{AttributePath: a("members"), ValueExpression: eq("value", "2819c223")}},
	{`members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName`,
		Path{AttributePath: a("members"), ValueExpression: eq("value", "2819c223-7f76-453a-919d-413861904646"), SubAttribute: str("displayName")}},
	{`members[value eq "a" or value eq "b"]`, Path{AttributePath: a("members"), ValueExpression: or(eq("value", "a"), eq("value", "b"))}},
	{`emails[type eq "work" and primary eq true].value`,
		Path{AttributePath: a("emails"), ValueExpression: and(eq("type", "work"), eq("primary", true)), SubAttribute: str("value")}},
	{`emails[not (type eq "work")]`, Path{AttributePath: a("emails"), ValueExpression: not(eq("type", "work"))}},
	{`emails[value eq "o\"brien@x"]`, Path{AttributePath: a("emails"), ValueExpression: eq("value", `o"brien@x`)}},
	{`addresses[type eq "work"].$ref`, Path{AttributePath: a("addresses"), ValueExpression: eq("type", "work"), SubAttribute: str("$ref")}},
	{`urn:ietf:params:scim:schemas:core:2.0:User:userName`, Path{AttributePath: au(coreUser, "userName")}},
	{`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName`, Path{AttributePath: au(coreUser, "name.givenName")}},
	{`urn:ietf:params:scim:schemas:core:2.0:Group:members`, Path{AttributePath: au("urn:ietf:params:scim:schemas:core:2.0:Group", "members")}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, Path{AttributePath: au(enterprise, "manager")}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, Path{AttributePath: au(enterprise, "manager.value")}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`, Path{AttributePath: au(enterprise, "employeeNumber")}},
	{`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`,
		Path{AttributePath: au(coreUser, "emails"), ValueExpression: eq("type", "work"), SubAttribute: str("value")}},
	// whole schemas
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, Path{AttributePath: a(enterprise)}},
	{`urn:ietf:params:scim:schemas:core:2.0:User`, Path{AttributePath: a(coreUser)}},
	{`URN:IETF:params:scim:schemas:core:2.0:Group`, Path{AttributePath: a("URN:IETF:params:scim:schemas:core:2.0:Group")}},
	{`urn:acme:params:scim:schemas:extension:acme:2.0:User`, Path{AttributePath: a("urn:acme:params:scim:schemas:extension:acme:2.0:User")}},
	{`urn:example:ext:1.0:EnterpriseUser`, Path{AttributePath: a("urn:example:ext:1.0:EnterpriseUser")}},
	{`urn:scim:schemas:extension:enterprise:1.0`, Path{AttributePath: a("urn:scim:schemas:extension:enterprise:1.0")}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager`,
		Path{AttributePath: AttributePath{AttributeName: enterprise, SubAttribute: str("manager")}}},
	// not whole schemas: a lower-case name, no version before it, no urn:
	{`urn:scim:schemas:extension:enterprise:1.0:department`, Path{AttributePath: au("urn:scim:schemas:extension:enterprise:1.0", "department")}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:Manager`, Path{AttributePath: au(enterprise, "Manager")}},
	{`x:2.0:User`, Path{AttributePath: au("x:2.0", "User")}},
}

func TestParsePath(t *testing.T) {
	for _, tt := range pathTests {
		got, err := ParsePath(tt.in)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePath(%q)\n got %s\nwant %s", tt.in, dumpP(got), dumpP(tt.want))
		}
	}
}

var pathErrors = []struct {
	in     string
	offset int
	msg    string
}{
	{``, 0, msgName},
	{`  `, 2, msgName},
	{`.`, 0, msgName},
	{`.members`, 0, msgName},
	{`1abc`, 0, msgName},
	{`[x pr]`, 0, msgName},
	{`members.`, 8, msgSubName},
	{`name..x`, 5, msgSubName},
	{`name.1x`, 5, msgSubName},
	{`name.given.name`, 10, msgTwoSubs},
	{`a b`, 2, msgPathOpen},
	{`a pr`, 2, msgPathOpen},
	{`members eq "x"`, 8, msgPathOpen},
	{`emails[`, 7, msgStart},
	{`emails[type eq "work"`, 21, msgBracket},
	{`emails[type eq "work"].`, 23, msgSubName},
	{`emails[type eq "work"].value.x`, 28, msgPathEnd},
	{`emails[type eq "work"] x`, 23, msgPathEnd},
	{`emails[type eq "work"] .value`, 23, msgPathEnd},
	{`emails[type eq "work"].value eq "x"`, 29, msgPathEnd},
	{`emails[type eq "work"][x pr]`, 22, msgPathEnd},
	{`emails[x[y pr]]`, 8, msgNested},
	{`emails[type eq "\q"]`, 16, msgEscape},
	{`urn:x:`, 6, msgName},
	{`urn::x`, 4, msgEmptySeg},
}

func TestParsePathErrors(t *testing.T) {
	for _, tt := range pathErrors {
		p, err := ParsePath(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParsePath(%q) = %s, %v; want a *SyntaxError", tt.in, dumpP(p), err)
			continue
		}
		if !reflect.DeepEqual(p, Path{}) {
			t.Errorf("ParsePath(%q) returned %s with its error", tt.in, dumpP(p))
		}
		if se.Offset != tt.offset || se.Message != tt.msg {
			t.Errorf("ParsePath(%q): %d %q, want %d %q", tt.in, se.Offset, se.Message, tt.offset, tt.msg)
		}
	}
}

var stringTests = []struct{ in, want string }{
	{`userName eq "bjensen"`, `userName eq "bjensen"`},
	{`userName EQ "x"`, `userName eq "x"`},
	{`title PR`, `title pr`},
	{`a pr or b pr and c pr`, `a pr or b pr and c pr`},
	{`(a pr or b pr) and c pr`, `(a pr or b pr) and c pr`},
	{`a pr and (b pr and c pr)`, `a pr and (b pr and c pr)`},
	{`a pr or (b pr or c pr)`, `a pr or (b pr or c pr)`},
	{`(a pr and b pr) or c pr`, `a pr and b pr or c pr`},
	{`NOT(a pr)`, `not (a pr)`},
	{`emails[type eq "work"].value eq "a@b"`, `emails[type eq "work" and value eq "a@b"]`},
	{`emails[type eq "work" or type eq "home"].value pr`, `emails[(type eq "work" or type eq "home") and value pr]`},
	{`x eq "o\"brien \\ \/ \u00e9 \uD83D\uDE00 \b\f\n\r\t\u0001"`, `x eq "o\"brien \\ / é 😀 \b\f\n\r\t\u0001"`},
	{`x gt 5`, `x gt 5`},
	{`x gt 5.5`, `x gt 5.5`},
	{`x gt 5.0`, `x gt 5.0`},
	{`x gt 1e3`, `x gt 1000.0`},
	{`x gt 1e21`, `x gt 1e+21`},
	{`x gt 1e-7`, `x gt 1e-7`},
	{`x gt -0.0`, `x gt -0.0`},
	{`x eq TRUE`, `x eq true`},
	{`x eq Null`, `x eq null`},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User pr`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User pr`},
}

func TestString(t *testing.T) {
	for _, tt := range stringTests {
		e, err := ParseFilter(tt.in)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.in, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("ParseFilter(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
	p, _ := ParsePath(`members[value eq "x"].displayName`)
	if got, want := p.String(), `members[value eq "x"].displayName`; got != want {
		t.Errorf("Path.String() = %q, want %q", got, want)
	}
	if got, want := au(enterprise, "manager.value").String(), enterprise+":manager.value"; got != want {
		t.Errorf("AttributePath.String() = %q, want %q", got, want)
	}
	// Trees built by hand render too, even odd ones.
	for _, tt := range []struct {
		e    Expression
		want string
	}{
		{cmp(a("x"), EQ, int64(7)), `x eq 7`},
		{cmp(a("x"), EQ, float32(1.5)), `x eq 1.5`},
		{cmp(a("x"), EQ, "bad\xffutf8"), `x eq "bad\ufffdutf8"`},
		{cmp(a("x"), EQ, []int{1}), `x eq [1]`},
		{and(nil, (*AttributeExpression)(nil)), `<nil> and <nil>`},
		{not(nil), `not (<nil>)`},
	} {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestRoundTrip checks that every tree ParseFilter and ParsePath return
// renders as text that parses back into an equal tree.
func TestRoundTrip(t *testing.T) {
	for _, tt := range filterTests {
		checkFilterRoundTrip(t, tt.in)
	}
	for _, tt := range pathTests {
		checkPathRoundTrip(t, tt.in)
	}
}

func TestPathAccessors(t *testing.T) {
	p, err := ParsePath(`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`)
	if err != nil {
		t.Fatal(err)
	}
	if p.AttributePath.URI() != coreUser || p.AttributePath.SubAttributeName() != "" || p.SubAttributeName() != "value" {
		t.Errorf("accessors: %q %q %q", p.AttributePath.URI(), p.AttributePath.SubAttributeName(), p.SubAttributeName())
	}
	var empty Path
	if empty.AttributePath.URI() != "" || empty.SubAttributeName() != "" {
		t.Error("accessors of an empty path")
	}
	ap := a("name.givenName")
	if ap.SubAttributeName() != "givenName" {
		t.Error("SubAttributeName")
	}
}

// TestAllocs pins the allocations of the common cases.
func TestAllocs(t *testing.T) {
	for in, want := range map[string]float64{
		`userName eq "bjensen@example.com"`: 2, // the node and the string in CompareValue
		`title pr`:                          1,
		`active eq true`:                    1,
		`name.givenName eq "x"`:             2,
	} {
		if got := testing.AllocsPerRun(100, func() { _, _ = ParseFilter(in) }); got != want {
			t.Errorf("ParseFilter(%q): %v allocations, want %v", in, got, want)
		}
	}
	if got := testing.AllocsPerRun(100, func() { _, _ = ParsePath("members") }); got != 0 {
		t.Errorf("ParsePath(members): %v allocations, want 0", got)
	}
}

func dumpP(p Path) string {
	return fmt.Sprintf("Path{%s [%s] sub=%s}", dumpPath(p.AttributePath), dump(p.ValueExpression), ptr(p.SubAttribute))
}

func ptr(p *string) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", *p)
}

func dumpPath(p AttributePath) string {
	return fmt.Sprintf("(uri=%s name=%q sub=%s)", ptr(p.URIPrefix), p.AttributeName, ptr(p.SubAttribute))
}

// dump shows a tree with its Go types, which String does not.
func dump(e Expression) string {
	switch x := e.(type) {
	case *AttributeExpression:
		return fmt.Sprintf("Attr%s %s %#v", dumpPath(x.AttributePath), x.Operator, x.CompareValue)
	case *LogicalExpression:
		return fmt.Sprintf("%s(%s, %s)", x.Operator, dump(x.Left), dump(x.Right))
	case *NotExpression:
		return fmt.Sprintf("not(%s)", dump(x.Expression))
	case *ValuePath:
		return fmt.Sprintf("VP%s[%s]", dumpPath(x.AttributePath), dump(x.ValueFilter))
	}
	return "nil"
}
