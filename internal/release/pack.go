package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// release is one version's packing.
type release struct {
	Version string    // as given, e.g. v1.2.3
	Commit  string    // the full revision
	Date    time.Time // the commit's time, UTC
	Dist    string    // output directory
	Root    string    // the repository root
}

// base is the name archives and SBOMs share: scimbridge_1.2.3_linux_amd64.
func (r release) base(goos, goarch string) string {
	return fmt.Sprintf("scimbridge_%s_%s_%s", strings.TrimPrefix(r.Version, "v"), goos, goarch)
}

// pack writes the archive and the SBOM of one target, and returns their
// names in Dist.
func (r release) pack(goos, goarch string) ([]string, error) {
	binPath := filepath.Join(r.Dist, "bin", goos+"_"+goarch, "scimbridge")
	bin, err := os.ReadFile(binPath)
	if err != nil {
		return nil, err
	}
	bi, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		return nil, fmt.Errorf("%s: no Go build information: %v", binPath, err)
	}
	if got := setting(bi.Settings, "GOOS") + "/" + setting(bi.Settings, "GOARCH"); got != goos+"/"+goarch {
		return nil, fmt.Errorf("%s was built for %s", binPath, got)
	}
	if !bytes.Contains(bin, []byte(r.Version)) || !bytes.Contains(bin, []byte(r.Commit)) {
		return nil, fmt.Errorf("%s is not stamped with version %s and commit %s (build it with make build VERSION=… COMMIT=…)", binPath, r.Version, r.Commit)
	}
	base := r.base(goos, goarch)
	entries := []archiveEntry{{Name: "scimbridge", Mode: 0o755, Data: bin}}
	for _, f := range extraFiles {
		data, err := os.ReadFile(filepath.Join(r.Root, f))
		if err != nil {
			return nil, err
		}
		entries = append(entries, archiveEntry{Name: f, Mode: 0o644, Data: data})
	}
	tgz, err := tarGz(base, r.Date, entries)
	if err != nil {
		return nil, err
	}
	sbom, err := cycloneDX(bi, r, goos, goarch, sha256.Sum256(bin))
	if err != nil {
		return nil, err
	}
	names := []string{base + ".tar.gz", base + ".cdx.json"}
	if err := os.WriteFile(filepath.Join(r.Dist, names[0]), tgz, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(r.Dist, names[1]), sbom, 0o644); err != nil {
		return nil, err
	}
	return names, nil
}

// setting returns the value of one build setting, or "".
func setting(settings []debug.BuildSetting, key string) string {
	for _, s := range settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// archiveEntry is one file of an archive.
type archiveEntry struct {
	Name string
	Mode int64
	Data []byte
}

// tarGz makes a reproducible .tar.gz whose files are under dir/: entries in
// the order given, owned by root, all with time t, and no gzip name or time.
func tarGz(dir string, t time.Time, entries []archiveEntry) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	hdr := func(name string, mode int64, typ byte, size int64) *tar.Header {
		return &tar.Header{Name: name, Mode: mode, Typeflag: typ, Size: size, ModTime: t,
			Uname: "root", Gname: "root", Format: tar.FormatPAX}
	}
	if err := tw.WriteHeader(hdr(dir+"/", 0o755, tar.TypeDir, 0)); err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := tw.WriteHeader(hdr(dir+"/"+e.Name, e.Mode, tar.TypeReg, int64(len(e.Data)))); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.Data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeSums writes dir/SHA256SUMS for the named files in dir, sorted by
// name, in sha256sum's format ("<hex>  <name>"), so that
// `sha256sum -c SHA256SUMS` checks them.
func writeSums(dir string, names []string) error {
	names = slices.Sorted(slices.Values(names))
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644)
}
