package mapping

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Password hash formats the mapping can write, in the application's own
// format. The cleartext is never stored, returned or logged.
const (
	// HashBcrypt writes $2a$<cost>$… (PHP password_hash, Rails, Spring).
	HashBcrypt = "bcrypt"
	// HashArgon2id writes the PHC string $argon2id$v=19$m=…,t=…,p=…$salt$hash.
	HashArgon2id = "argon2id"
	// HashPBKDF2 writes Django's pbkdf2_sha256$<iterations>$<salt>$<hash>.
	HashPBKDF2 = "pbkdf2-sha256"
	// HashSaltedSHA256 writes sha256$<salt>$<hex sha256(salt+password)>,
	// the salted-digest form of older applications.
	HashSaltedSHA256 = "salted-sha256"
)

// Defaults of the hash parameters.
const (
	// DefaultBcryptCost is bcrypt's own default cost.
	DefaultBcryptCost = bcrypt.DefaultCost
	// DefaultPBKDF2Iterations is Django 4.2's iteration count.
	DefaultPBKDF2Iterations = 600000
	// Argon2id parameters as OWASP recommends for a 19 MiB budget.
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
)

// hasher turns a cleartext password into the stored form.
type hasher struct {
	kind       string
	cost       int
	iterations int
}

func (h hasher) valid() string {
	switch h.kind {
	case HashBcrypt:
		if h.cost != 0 && (h.cost < bcrypt.MinCost || h.cost > bcrypt.MaxCost) {
			return fmt.Sprintf("bcrypt cost %d out of range; expected %d-%d", h.cost, bcrypt.MinCost, bcrypt.MaxCost)
		}
	case HashPBKDF2:
		if h.iterations < 0 {
			return "iterations must be positive"
		}
	case HashArgon2id, HashSaltedSHA256:
	default:
		return fmt.Sprintf("unknown hash %q; expected bcrypt, argon2id, pbkdf2-sha256 or salted-sha256", h.kind)
	}
	return ""
}

func salt(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func (h hasher) hash(password string) (string, error) {
	switch h.kind {
	case HashBcrypt:
		cost := h.cost
		if cost == 0 {
			cost = DefaultBcryptCost
		}
		if len(password) > 72 {
			return "", fieldErr("password", ScimInvalidValue, "longer than the 72 bytes bcrypt can hash")
		}
		b, err := bcrypt.GenerateFromPassword([]byte(password), cost)
		return string(b), err
	case HashArgon2id:
		s := salt(16)
		k := argon2.IDKey([]byte(password), s, argonTime, argonMemoryKiB, argonThreads, 32)
		enc := base64.RawStdEncoding
		return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads, enc.EncodeToString(s), enc.EncodeToString(k)), nil
	case HashPBKDF2:
		it := h.iterations
		if it == 0 {
			it = DefaultPBKDF2Iterations
		}
		s := hex.EncodeToString(salt(12))
		k, err := pbkdf2.Key(sha256.New, password, []byte(s), it, 32)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("pbkdf2_sha256$%d$%s$%s", it, s, base64.StdEncoding.EncodeToString(k)), nil
	default: // HashSaltedSHA256
		s := hex.EncodeToString(salt(8))
		sum := sha256.Sum256([]byte(s + password))
		return "sha256$" + s + "$" + hex.EncodeToString(sum[:]), nil
	}
}
