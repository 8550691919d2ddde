package adapters

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Secret is a configuration value that should not have to live in the config
// file: it is given inline (value), named by an environment variable
// (fromEnv) or read from a file (fromFile; one trailing newline is trimmed).
// Exactly one of the three is set.
type Secret struct {
	// Value is the secret itself, inline in the config file; for demos
	// and tests.
	Value string `yaml:"value"`
	// FromEnv is the name of an environment variable holding the
	// secret; unset or empty is an error.
	FromEnv string `yaml:"fromEnv"`
	// FromFile is the path of a file holding the secret, such as a
	// mounted Kubernetes Secret; one trailing newline is trimmed, and a
	// missing or empty file is an error.
	FromFile string `yaml:"fromFile"`
}

// IsZero reports whether no source is set.
func (s Secret) IsZero() bool { return s.Value == "" && s.FromEnv == "" && s.FromFile == "" }

// Check reports a problem with the secret's sources without reading them.
func (s Secret) Check() error {
	n := 0
	for _, v := range []string{s.Value, s.FromEnv, s.FromFile} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return errors.New("set only one of value, fromEnv and fromFile")
	}
	return nil
}

// Resolve returns the secret's value. An empty environment variable or file
// is an error: an empty secret is never what was meant.
func (s Secret) Resolve() (string, error) {
	if err := s.Check(); err != nil {
		return "", err
	}
	switch {
	case s.Value != "":
		return s.Value, nil
	case s.FromEnv != "":
		v, ok := os.LookupEnv(s.FromEnv)
		if !ok || v == "" {
			return "", fmt.Errorf("environment variable %s is not set", s.FromEnv)
		}
		return v, nil
	case s.FromFile != "":
		b, err := os.ReadFile(s.FromFile)
		if err != nil {
			return "", fmt.Errorf("reading secret file: %w", err)
		}
		v := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if v == "" {
			return "", fmt.Errorf("secret file %s is empty", s.FromFile)
		}
		return v, nil
	}
	return "", errors.New("no value, fromEnv or fromFile given")
}
