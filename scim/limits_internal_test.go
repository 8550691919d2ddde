package scim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

const minute = time.Minute

// clock is a settable time for the throttle tests.
type clock struct{ t time.Time }

func newClock() *clock               { return &clock{time.Unix(1e9, 0)} }
func (c *clock) get() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }

func ipv4(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }

// members is n members m0..m(n-1) of an object, and then more.
func members(n int, more string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"m%d":{"m%d":1}`, i, i)
	}
	return strings.Join(parts, ",") + more
}

func TestCheckJSONText(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	cases := []struct {
		text string
		ok   bool
	}{
		{`{"a":1}`, true},
		{deep(maxJSONDepth), true},
		{deep(maxJSONDepth + 1), false},
		{`{"a":"` + strings.Repeat("[", 100) + `"}`, true}, // brackets in strings do not count
		{`{"a":"\"[[[[","b":[]}`, true},
		{`{"a":"\\"}`, true},
		{`{"a":"\u00e9 \uD83D\uDE00"}`, true},    // é and a surrogate pair (😀)
		{`{"a":"\ud83d\ude00"}`, true},           // lower-case hex
		{`{"a":"\uD83D"}`, false},                // high surrogate alone
		{`{"a":"\uD83Dx"}`, false},               // followed by something else
		{`{"a":"\uD83D\u0041"}`, false},          // followed by a non-surrogate
		{`{"a":"\uDE00"}`, false},                // low surrogate alone
		{`{"a":"\\uDE00"}`, true},                // an escaped backslash, then text
		{`{"a":"\uZZZZ"}`, true},                 // malformed: the decoder's business
		{`{"a":"\uD83`, true},                    // truncated: the decoder's business
		{`{"a":"` + "\xef\xbf\xbd" + `"}`, true}, // U+FFFD itself is fine
		// Member names: once per object, in any case, escapes decoded.
		{`{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, true},
		{`{"a":1,"A":2}`, false},
		{`{"userName":"x","username":"y"}`, false},
		{`{"userName":"x","user\u004eame":"y"}`, false},
		{`{"a":{"b":1,"c":[{"d":1,"D":2}]}}`, false},
		{`{"a":{"b":1},"b":1}`, true},       // b of the inner object, then of the outer
		{`{"a":"b","b":"a"}`, true},         // values are not names
		{`{"k":1,"\u212a":2}`, false},       // the Kelvin sign folds to k
		{`{"ß":1,"ẞ":2}`, false},            // so does ẞ to ß
		{`["a","a",{"a":1}]`, true},         // array elements are not names
		{`{"a":1}}`, false},                 // an unmatched }
		{"{" + members(40, "") + "}", true}, // many names, checked through a map
		{"{" + members(40, ",\"M39\":1") + "}", false},
		{"{" + members(40, ",\"x\":{\"y\":1,\"Y\":2}") + "}", false},
		{"{" + members(16, "") + "}", true},
		{"{" + members(16, ",\"M3\":1") + "}", false},
		{"{" + members(17, ",\"M16\":1") + "}", false},
	}
	for _, c := range cases {
		err := checkJSONText([]byte(c.text))
		if (err == nil) != c.ok {
			t.Errorf("checkJSONText(%.60q) = %v, want ok=%v", c.text, err, c.ok)
		}
		if err != nil {
			continue
		}
		// What passes and decodes, decodes without U+FFFD it did not have.
		var v any
		if json.Unmarshal([]byte(c.text), &v) == nil {
			b, _ := json.Marshal(v)
			if strings.Contains(string(b), "\ufffd") && !strings.Contains(c.text, "\xef\xbf\xbd") {
				t.Errorf("%q passed but decodes to U+FFFD", c.text)
			}
		}
	}
}

func TestAuthThrottle(t *testing.T) {
	now := newClock()
	th := newAuthThrottle(AuthThrottleConfig{MaxFailures: 3, Window: minute, BlockFor: 5 * minute})
	th.now = now.get
	for i := 1; i <= 2; i++ {
		if blocked, n := th.fail("192.0.2.1"); blocked || n != i {
			t.Fatalf("failure %d: blocked=%v n=%d", i, blocked, n)
		}
	}
	if _, ok := th.refused("192.0.2.1"); ok {
		t.Fatal("refused after 2 of 3 failures")
	}
	// Failures outside the window start a new count.
	now.add(2 * minute)
	th.fail("192.0.2.1")
	th.fail("192.0.2.1")
	if _, ok := th.refused("192.0.2.1"); ok {
		t.Fatal("refused though the first failures were outside the window")
	}
	if blocked, _ := th.fail("192.0.2.1"); !blocked {
		t.Fatal("not blocked at the third failure in the window")
	}
	if left, ok := th.refused("192.0.2.1"); !ok || left != 5*minute {
		t.Fatalf("refused = %v, %v; want 5m", left, ok)
	}
	if _, ok := th.refused("192.0.2.2"); ok {
		t.Error("another address is refused too")
	}
	// IPv6 addresses count by /64; IPv4-mapped ones as IPv4.
	for range 3 {
		th.fail("2001:db8:1:2::1")
	}
	if _, ok := th.refused("2001:db8:1:2:ffff::9"); !ok {
		t.Error("another address of the same /64 is not refused")
	}
	if _, ok := th.refused("2001:db8:1:3::1"); ok {
		t.Error("another /64 is refused")
	}
	if _, ok := th.refused("::ffff:192.0.2.1"); !ok {
		t.Error("the IPv4-mapped form of a refused address is not refused")
	}
	now.add(5*minute + 1)
	if _, ok := th.refused("192.0.2.1"); ok {
		t.Error("still refused after blockFor")
	}
	// Off.
	off := newAuthThrottle(AuthThrottleConfig{MaxFailures: -1, Window: minute, BlockFor: minute})
	for range 100 {
		off.fail("192.0.2.9")
	}
	if _, ok := off.refused("192.0.2.9"); ok {
		t.Error("refused with the throttle off")
	}
}

func TestAuthThrottleBounded(t *testing.T) {
	now := newClock()
	th := newAuthThrottle(AuthThrottleConfig{MaxFailures: 2, Window: minute, BlockFor: minute})
	th.now = now.get
	th.fail("198.51.100.1")
	th.fail("198.51.100.1") // blocked: kept
	for i := range maxThrottled + 500 {
		th.fail(ipv4(i))
	}
	if n := len(th.addrs); n > maxThrottled {
		t.Errorf("%d addresses remembered, want at most %d", n, maxThrottled)
	}
	if _, ok := th.refused("198.51.100.1"); !ok {
		t.Error("a blocked address was forgotten to make room")
	}
}
