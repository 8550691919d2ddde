package adapters

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// Generator kinds: how a new key or default value is made. Every kind
// draws on crypto/rand.
const (
	// GenUUID is a random (version 4) UUID, 36 characters with dashes.
	GenUUID = "uuid"
	// GenUUIDHex is a random UUID without dashes: 32 hex digits.
	GenUUIDHex = "uuid-hex"
	// GenULID is a ULID: 26 characters of Crockford base32, a millisecond
	// time then 80 random bits, so that newer values sort after older.
	GenULID = "ulid"
	// GenHex is Length random lower-case hex digits.
	GenHex = "hex"
	// GenBase32 is Length random characters of lower-case RFC 4648
	// base32 (a-z, 2-7), as Mattermost's 26-character ids are.
	GenBase32 = "base32"
	// GenBase62 is Length random characters of 0-9, A-Z and a-z, as
	// Rocket.Chat's 17-character ids are.
	GenBase62 = "base62"
)

// Generator makes random values for keys and defaults.
type Generator struct {
	// Kind is one of the Gen constants.
	Kind string
	// Length is the number of characters of hex, base32 and base62.
	Length int
	// Rand is the source of randomness; nil means crypto/rand. Tests
	// set it to make values repeat.
	Rand io.Reader
}

// GeneratorKinds lists the kinds, for messages.
var GeneratorKinds = []string{GenUUID, GenUUIDHex, GenULID, GenHex, GenBase32, GenBase62}

// Sized reports whether the kind takes a Length.
func (g Generator) Sized() bool {
	return g.Kind == GenHex || g.Kind == GenBase32 || g.Kind == GenBase62
}

// Size returns the number of characters of every value g makes, or 0 for
// an unknown kind.
func (g Generator) Size() int {
	switch g.Kind {
	case GenUUID:
		return 36
	case GenUUIDHex:
		return 32
	case GenULID:
		return 26
	case GenHex, GenBase32, GenBase62:
		return g.Length
	}
	return 0
}

const (
	base32Alphabet    = "abcdefghijklmnopqrstuvwxyz234567"
	base62Alphabet    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	crockfordAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// New returns a new value, at time now (for a ULID).
func (g Generator) New(now time.Time) (string, error) {
	src := g.Rand
	if src == nil {
		src = rand.Reader
	}
	switch g.Kind {
	case GenUUID, GenUUIDHex:
		var b [16]byte
		if _, err := io.ReadFull(src, b[:]); err != nil {
			return "", err
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b[:])
		if g.Kind == GenUUIDHex {
			return h, nil
		}
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
	case GenULID:
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16) //nolint:gosec // times after 1970
		if _, err := io.ReadFull(src, b[6:]); err != nil {
			return "", err
		}
		// 128 bits as 26 characters of 5 bits, the first holding 3.
		out := make([]byte, 26)
		hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
		for i := 25; i >= 0; i-- {
			out[i] = crockfordAlphabet[lo&31]
			lo = lo>>5 | hi<<59
			hi >>= 5
		}
		return string(out), nil
	case GenHex:
		b := make([]byte, (g.Length+1)/2)
		if _, err := io.ReadFull(src, b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b)[:g.Length], nil
	case GenBase32:
		return pick(src, base32Alphabet, g.Length)
	case GenBase62:
		return pick(src, base62Alphabet, g.Length)
	}
	return "", fmt.Errorf("unknown generator %q", g.Kind)
}

// pick returns n characters drawn uniformly from alphabet (of at most 256
// characters), rejecting the bytes that would bias the draw.
func pick(src io.Reader, alphabet string, n int) (string, error) {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		if _, err := io.ReadFull(src, buf); err != nil {
			return "", err
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}
