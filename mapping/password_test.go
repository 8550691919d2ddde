package mapping

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// TestPasswordHashes checks each stored form by verifying the password
// against it the way the application would.
func TestPasswordHashes(t *testing.T) {
	const pw = "correct horse battery staple"
	verify := map[string]func(t *testing.T, h string){
		HashBcrypt: func(t *testing.T, h string) {
			if err := bcrypt.CompareHashAndPassword([]byte(h), []byte(pw)); err != nil {
				t.Error(err)
			}
		},
		HashArgon2id: func(t *testing.T, h string) {
			var v, m, ti, p int
			var salt, key string
			parts := strings.Split(h, "$")
			if len(parts) != 6 || parts[1] != "argon2id" {
				t.Fatalf("not a PHC argon2id string: %s", h)
			}
			fmt.Sscanf(parts[2], "v=%d", &v)
			fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &ti, &p)
			salt, key = parts[4], parts[5]
			s, _ := base64.RawStdEncoding.DecodeString(salt)
			want := base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte(pw), s, uint32(ti), uint32(m), uint8(p), 32))
			if v != argon2.Version || key != want {
				t.Errorf("argon2id hash does not verify: %s", h)
			}
		},
		HashPBKDF2: func(t *testing.T, h string) {
			parts := strings.Split(h, "$")
			var it int
			fmt.Sscanf(parts[1], "%d", &it)
			k, _ := pbkdf2.Key(sha256.New, pw, []byte(parts[2]), it, 32)
			if parts[0] != "pbkdf2_sha256" || parts[3] != base64.StdEncoding.EncodeToString(k) {
				t.Errorf("pbkdf2 hash does not verify: %s", h)
			}
		},
		HashSaltedSHA256: func(t *testing.T, h string) {
			parts := strings.Split(h, "$")
			sum := sha256.Sum256([]byte(parts[1] + pw))
			if parts[0] != "sha256" || parts[2] != hex.EncodeToString(sum[:]) {
				t.Errorf("salted sha256 does not verify: %s", h)
			}
		},
	}
	for kind, check := range verify {
		t.Run(kind, func(t *testing.T) {
			h := hasher{kind: kind, cost: 4, iterations: 1000}
			a, err := h.hash(pw)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := h.hash(pw)
			if a == b {
				t.Error("two hashes of one password are equal: no salt")
			}
			if strings.Contains(a, pw) {
				t.Error("hash contains the password")
			}
			check(t, a)
		})
	}
	if msg := (hasher{kind: "md5"}).valid(); msg == "" {
		t.Error("md5 accepted")
	}
}
