package adapters

import (
	"bytes"
	"regexp"
	"testing"
	"time"
)

func TestGenerators(t *testing.T) {
	now := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		g    Generator
		want string
	}{
		{Generator{Kind: GenUUID}, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{Generator{Kind: GenUUIDHex}, `^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$`},
		{Generator{Kind: GenULID}, `^[0-7][0-9A-HJKMNP-TV-Z]{25}$`},
		{Generator{Kind: GenHex, Length: 7}, `^[0-9a-f]{7}$`},
		{Generator{Kind: GenBase32, Length: 26}, `^[a-z2-7]{26}$`},
		{Generator{Kind: GenBase62, Length: 17}, `^[0-9A-Za-z]{17}$`},
	} {
		re := regexp.MustCompile(tc.want)
		seen := map[string]bool{}
		for range 50 {
			v, err := tc.g.New(now)
			if err != nil {
				t.Fatal(err)
			}
			if !re.MatchString(v) || len(v) != tc.g.Size() {
				t.Errorf("%s: %q does not match %s or is not %d long", tc.g.Kind, v, tc.want, tc.g.Size())
			}
			if seen[v] {
				t.Errorf("%s: %q made twice", tc.g.Kind, v)
			}
			seen[v] = true
		}
	}
}

func TestULIDOrderAndTime(t *testing.T) {
	g := Generator{Kind: GenULID, Rand: bytes.NewReader(bytes.Repeat([]byte{0xff}, 20))}
	a, _ := g.New(time.UnixMilli(1_700_000_000_000))
	g.Rand = bytes.NewReader(make([]byte, 20))
	b, _ := g.New(time.UnixMilli(1_700_000_000_001))
	if a >= b {
		t.Errorf("ULID %s of an earlier time sorts after %s", a, b)
	}
	// The first ten characters are the time: 1700000000001 ms.
	if b[:10] != "01HF7YAT01" || b[10:] != "0000000000000000" {
		t.Errorf("ULID %s, want time 01HF7YAT01 and zero randomness", b)
	}
}
