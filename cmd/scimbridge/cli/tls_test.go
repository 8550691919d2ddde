package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// to certFile and keyFile, and returns the certificate.
func selfSigned(t *testing.T, certFile, keyFile string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "scimbridge test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// Written to temporary names and renamed, as cert-manager does.
	for _, f := range []struct {
		path, typ string
		der       []byte
	}{{keyFile, "PRIVATE KEY", kder}, {certFile, "CERTIFICATE", der}} {
		tmp := f.path + ".tmp"
		if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, f.path); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestTLSListener serves the SCIM API over TLS with a generated
// certificate: TLS 1.2 and 1.3 work, older versions, non-AEAD ciphers and
// plain HTTP do not, URLs say https, and a renewed certificate is served
// without a restart.
func TestTLSListener(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	first := selfSigned(t, certFile, keyFile, 1)

	// A bad pair is a configuration problem, reported at start-up.
	bad := strings.Replace(string(telemetryConfig(t, "")), "server:\n", "server:\n  tls: {certFile: "+filepath.Join(dir, "missing.crt")+", keyFile: "+keyFile+"}\n", 1)
	if _, err := ParseConfig([]byte(bad)); err == nil || !strings.Contains(err.Error(), "server.tls: cannot load the certificate and key") {
		t.Errorf("a missing certificate file: %v", err)
	}
	good := strings.Replace(string(telemetryConfig(t, "audit: {output: off}\n")), "server:\n", "server:\n  tls: {certFile: "+certFile+", keyFile: "+keyFile+"}\n", 1)
	cfg, err := ParseConfig([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Listen, cfg.Telemetry.Listen = "127.0.0.1:0", "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	served := make(chan error, 1)
	logs := new(syncBuffer)
	go func() { served <- Serve(ctx, cfg, logs, func(scimAddr, _ string) { addrs <- scimAddr }) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-served:
		t.Fatalf("Serve: %v\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), `"tls":true`) {
		t.Errorf("the start-up log does not say TLS is on:\n%s", logs)
	}

	client := func(tc *tls.Config) *http.Client {
		if tc.RootCAs == nil {
			tc.RootCAs = x509.NewCertPool()
			tc.RootCAs.AddCert(first)
		}
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}
	}
	get := func(c *http.Client) (*http.Response, error) {
		req, _ := http.NewRequest("GET", "https://"+addr+"/scim/v2/Users?count=1", nil)
		req.Header.Set("Authorization", "Bearer "+oktaToken)
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return resp, err
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		resp, err := get(client(&tls.Config{MinVersion: v, MaxVersion: v}))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", tls.VersionName(v), resp, err)
		}
		if resp.TLS.Version != v {
			t.Errorf("negotiated %s, want %s", tls.VersionName(resp.TLS.Version), tls.VersionName(v))
		}
	}
	if _, err := get(client(&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})); err == nil {
		t.Error("a TLS 1.1 client was served")
	}
	if _, err := get(client(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}})); err == nil {
		t.Error("a TLS 1.2 client offering only a CBC cipher was served")
	}
	if resp, err := http.Get("http://" + addr + "/scim/v2/Users"); err == nil && resp.StatusCode == 200 {
		t.Error("plain HTTP was served on the TLS listener")
	}

	// Locations name https.
	req, _ := http.NewRequest("POST", "https://"+addr+"/scim/v2/Users", strings.NewReader(`{"userName":"tls@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+oktaToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := client(&tls.Config{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 201 || !strings.HasPrefix(loc, "https://"+addr+"/scim/v2/Users/") {
		t.Errorf("create over TLS: %d, Location %q", resp.StatusCode, loc)
	}

	// A renewed certificate is served once the files change.
	time.Sleep(1100 * time.Millisecond)
	second := selfSigned(t, certFile, keyFile, 2)
	pool := x509.NewCertPool()
	pool.AddCert(second)
	var served2 *x509.Certificate
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := get(client(&tls.Config{RootCAs: pool}))
		if err == nil && resp.StatusCode == 200 {
			served2 = resp.TLS.PeerCertificates[0]
			break
		}
	}
	if served2 == nil || served2.SerialNumber.Int64() != 2 {
		t.Errorf("the renewed certificate was not served: %v", served2)
	}
}
