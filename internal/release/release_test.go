package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

var testDate = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

// readTarGz lists an archive's headers and contents.
func readTarGz(t *testing.T, data []byte) ([]*tar.Header, map[string][]byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var hdrs []*tar.Header
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		hdrs = append(hdrs, h)
		b, _ := io.ReadAll(tr)
		files[h.Name] = b
	}
	return hdrs, files
}

// TestTarGz checks that an archive holds its files under one directory,
// owned by root, with the commit's time and their modes, and that packing
// the same files twice gives the same bytes.
func TestTarGz(t *testing.T) {
	entries := []archiveEntry{{Name: "scimbridge", Mode: 0o755, Data: []byte("ELF")}, {Name: "LICENSE", Mode: 0o644, Data: []byte("Apache")}}
	a, err := tarGz("scimbridge_1.2.3_linux_amd64", testDate, entries)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tarGz("scimbridge_1.2.3_linux_amd64", testDate, entries)
	if !bytes.Equal(a, b) {
		t.Error("two packings of the same files differ")
	}
	hdrs, files := readTarGz(t, a)
	want := []string{"scimbridge_1.2.3_linux_amd64/", "scimbridge_1.2.3_linux_amd64/scimbridge", "scimbridge_1.2.3_linux_amd64/LICENSE"}
	if len(hdrs) != len(want) {
		t.Fatalf("%d entries, want %v", len(hdrs), want)
	}
	for i, h := range hdrs {
		if h.Name != want[i] || !h.ModTime.Equal(testDate) || h.Uid != 0 || h.Gid != 0 || h.Uname != "root" {
			t.Errorf("entry %d: %s %v uid %d gid %d %s; want %s at %v owned by root", i, h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, want[i], testDate)
		}
	}
	if hdrs[1].Mode != 0o755 || hdrs[2].Mode != 0o644 || string(files[want[1]]) != "ELF" {
		t.Errorf("modes %o %o, binary %q", hdrs[1].Mode, hdrs[2].Mode, files[want[1]])
	}
}

// TestSums checks that SHA256SUMS is what sha256sum prints, sorted by name.
func TestSums(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"b.tar.gz": "bee", "a.cdx.json": "ay"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeSums(dir, []string{"b.tar.gz", "a.cdx.json"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum("ay") + "  a.cdx.json\n" + sum("bee") + "  b.tar.gz\n"
	if string(got) != want {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", got, want)
	}
}

// TestCycloneDX checks the SBOM made from build information: the binary
// with its version, commit, hash and build settings, the standard library,
// every module with its go.sum hash, and replacements.
func TestCycloneDX(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Path:      "github.com/scimbridge/scimbridge/cmd/scimbridge",
		Main:      debug.Module{Path: "github.com/scimbridge/scimbridge", Version: "(devel)"},
		Deps: []*debug.Module{
			{Path: "github.com/go-sql-driver/mysql", Version: "v1.9.3", Sum: "h1:abc="},
			{Path: "example.com/old", Version: "v1.0.0", Sum: "h1:old=", Replace: &debug.Module{Path: "example.com/new", Version: "v1.0.1", Sum: "h1:new="}},
		},
		Settings: []debug.BuildSetting{{Key: "CGO_ENABLED", Value: "0"}, {Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}},
	}
	r := release{Version: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Date: testDate}
	binSum := sha256.Sum256([]byte("binary"))
	out, err := cycloneDX(bi, r, "linux", "arm64", binSum)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := cycloneDX(bi, r, "linux", "arm64", binSum)
	if !bytes.Equal(out, again) {
		t.Error("the SBOM of the same binary differs between runs")
	}
	var doc bom
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.BOMFormat != "CycloneDX" || doc.SpecVersion != "1.5" || doc.Metadata.Timestamp != "2026-12-01T09:30:00Z" ||
		!strings.HasPrefix(doc.SerialNumber, "urn:uuid:") || len(doc.SerialNumber) != len("urn:uuid:")+36 {
		t.Errorf("header: %s %s %s %s", doc.BOMFormat, doc.SpecVersion, doc.Metadata.Timestamp, doc.SerialNumber)
	}
	m := doc.Metadata.Component
	props := map[string]string{}
	for _, p := range m.Properties {
		props[p.Name] = p.Value
	}
	if m.Version != "v1.2.3" || m.Purl != "pkg:golang/github.com/scimbridge/scimbridge@v1.2.3" ||
		m.Hashes[0].Content != hex.EncodeToString(binSum[:]) || m.Licenses[0].License.ID != "Apache-2.0" ||
		props["scimbridge:commit"] != r.Commit || props["scimbridge:date"] != "2026-12-01T09:30:00Z" ||
		props["go:build:GOARCH"] != "arm64" || props["go:build:CGO_ENABLED"] != "0" || props["scimbridge:target"] != "linux/arm64" {
		t.Errorf("the binary's component: %+v", m)
	}
	var purls []string
	for _, c := range doc.Components {
		purls = append(purls, c.Purl)
	}
	wantPurls := "pkg:golang/stdlib@go1.26.8 pkg:golang/github.com/go-sql-driver/mysql@v1.9.3 pkg:golang/example.com/old@v1.0.0"
	if strings.Join(purls, " ") != wantPurls {
		t.Errorf("components %v, want %s", purls, wantPurls)
	}
	if p := doc.Components[2].Properties; len(p) != 3 || p[1].Value != "example.com/new@v1.0.1" || p[0].Value != "h1:old=" {
		t.Errorf("the replaced module's properties: %+v", p)
	}
	if len(doc.Dependencies) != 1 || doc.Dependencies[0].Ref != m.BOMRef || len(doc.Dependencies[0].DependsOn) != 3 {
		t.Errorf("dependencies: %+v", doc.Dependencies)
	}
}

// TestRun packs a real Go binary (this test's, stamped by appending the
// version and commit) the way make release does, and checks what it
// refuses: a binary built for another platform, or not stamped.
func TestRun(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	// Made at run time, so that the test binary itself does not hold them.
	n := time.Now().UnixNano()
	version, commit := fmt.Sprintf("v9.8.7-rc.%d", n), fmt.Sprintf("%040x", n)
	root := t.TempDir()
	for _, f := range extraFiles {
		if err := os.WriteFile(filepath.Join(root, f), []byte("the "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	host := runtime.GOOS + "/" + runtime.GOARCH
	setup := func(stamped []byte) string {
		dist := t.TempDir()
		dir := filepath.Join(dist, "bin", runtime.GOOS+"_"+runtime.GOARCH)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "scimbridge"), stamped, 0o755); err != nil {
			t.Fatal(err)
		}
		return dist
	}
	args := func(dist string, targets ...string) []string {
		return append([]string{"-version", version, "-commit", commit, "-date", "2026-12-01T09:30:00Z", "-dist", dist, "-root", root}, targets...)
	}
	stamped := append(append([]byte(nil), bin...), []byte(version+" "+commit)...)

	dist := setup(stamped)
	if err := run(args(dist, host)); err != nil {
		t.Fatal(err)
	}
	base := strings.TrimPrefix(version, "v") + "_" + runtime.GOOS
	base = "scimbridge_" + base + "_" + runtime.GOARCH
	tgz, err := os.ReadFile(filepath.Join(dist, base+".tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	_, files := readTarGz(t, tgz)
	if !bytes.Equal(files[base+"/scimbridge"], stamped) || string(files[base+"/CHANGELOG.md"]) != "the CHANGELOG.md" || len(files) != 6 {
		t.Errorf("the archive holds %d entries", len(files))
	}
	sums, _ := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if lines := strings.Split(strings.TrimSpace(string(sums)), "\n"); len(lines) != 2 ||
		!strings.HasSuffix(lines[0], "  "+base+".cdx.json") || !strings.HasSuffix(lines[1], "  "+base+".tar.gz") {
		t.Errorf("SHA256SUMS:\n%s", sums)
	}
	if _, err := os.Stat(filepath.Join(dist, "bin")); !os.IsNotExist(err) {
		t.Errorf("dist/bin is left behind: %v", err)
	}
	var doc bom
	sbom, _ := os.ReadFile(filepath.Join(dist, base+".cdx.json"))
	if err := json.Unmarshal(sbom, &doc); err != nil || doc.Metadata.Component.Version != version || len(doc.Components) < 1 || doc.Components[0].Name != "stdlib" {
		t.Errorf("SBOM: %v %+v", err, doc.Metadata.Component)
	}

	other := "linux/arm64"
	if host == other {
		other = "linux/amd64"
	}
	dist = setup(stamped)
	os.Rename(filepath.Join(dist, "bin", runtime.GOOS+"_"+runtime.GOARCH), filepath.Join(dist, "bin", strings.ReplaceAll(other, "/", "_")))
	if err := run(args(dist, other)); err == nil || !strings.Contains(err.Error(), "was built for "+host) {
		t.Errorf("a %s binary packed as %s: %v", host, other, err)
	}
	if err := run(args(setup(bin), host)); err == nil || !strings.Contains(err.Error(), "not stamped") {
		t.Errorf("an unstamped binary: %v", err)
	}
	if err := run(args(setup(stamped), "linux")); err == nil {
		t.Error("a target without an architecture was accepted")
	}
}
