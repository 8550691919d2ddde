package scim

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// validate reports problems with the TLS settings, loading the pair once
// so that a wrong path or a key that does not match fails at start-up.
func (c *TLSConfig) validate() []string {
	var errs []string
	if c.CertFile == "" {
		errs = append(errs, "tls.certFile: missing; expected the PEM certificate chain")
	}
	if c.KeyFile == "" {
		errs = append(errs, "tls.keyFile: missing; expected the PEM private key")
	}
	if len(errs) > 0 {
		return errs
	}
	if _, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile); err != nil {
		errs = append(errs, "tls: cannot load the certificate and key: "+err.Error())
	}
	return errs
}

// ServerConfig returns the crypto/tls configuration of the SCIM listener:
// TLS 1.3, or TLS 1.2 with ECDHE key exchange and AEAD ciphers only (the
// Mozilla "intermediate" profile), HTTP/1.1, and the certificate read
// from CertFile and KeyFile, again whenever either file changes.
func (c *TLSConfig) ServerConfig() (*tls.Config, error) {
	r := &certReloader{cert: c.CertFile, key: c.KeyFile}
	if _, err := r.get(nil); err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// TLS 1.2 only; TLS 1.3's suites are all modern and not
		// configurable.
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		GetCertificate: r.get,
		NextProtos:     []string{"http/1.1"},
	}, nil
}

// certReloader serves a certificate pair and loads it again when either
// file's modification time or size changes, so that renewing a certificate
// (cert-manager, certbot) needs no restart. A pair that fails to load
// keeps the previous one serving.
type certReloader struct {
	cert, key string

	mu      sync.Mutex
	current *tls.Certificate
	stamp   string
	checked time.Time
}

// get is tls.Config.GetCertificate. It looks at the files at most once a
// second.
func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil && time.Since(r.checked) < time.Second {
		return r.current, nil
	}
	r.checked = time.Now()
	stamp := fileStamp(r.cert) + "|" + fileStamp(r.key)
	if r.current != nil && stamp == r.stamp {
		return r.current, nil
	}
	pair, err := tls.LoadX509KeyPair(r.cert, r.key)
	if err != nil {
		if r.current != nil {
			return r.current, nil
		}
		return nil, fmt.Errorf("loading TLS certificate: %w", err)
	}
	r.current, r.stamp = &pair, stamp
	return r.current, nil
}

func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%d/%d", fi.ModTime().UnixNano(), fi.Size())
}
