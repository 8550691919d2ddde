// Command release packs the binaries `make release` cross-built into
// versioned archives, a CycloneDX SBOM per binary and SHA256SUMS. It uses
// nothing but the Go standard library: no release tool is downloaded, and
// nothing is published.
//
//	go run ./internal/release -version v1.2.3 -commit SHA -date 2026-12-04T10:00:00Z \
//	    -dist dist linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
//
// For each target OS/ARCH it reads DIST/bin/OS_ARCH/scimbridge (checking
// that its build information names that platform) and writes into DIST:
//
//	scimbridge_VERSION_OS_ARCH.tar.gz        the binary, LICENSE, README.md, CHANGELOG.md, config.example.yaml
//	scimbridge_VERSION_OS_ARCH.cdx.json      the binary's SBOM (CycloneDX 1.5 JSON, from its debug/buildinfo)
//	SHA256SUMS                               the SHA-256 of every archive and SBOM, as sha256sum prints them
//
// VERSION is the version without a leading "v". The archives are
// reproducible: their entries are in a fixed order, owned by root, with
// the commit's date as their time.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// extraFiles go into every archive beside the binary, from the repository root.
var extraFiles = []string{"LICENSE", "README.md", "CHANGELOG.md", "config.example.yaml"}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	version := fs.String("version", "", "the release, e.g. v1.2.3 (required)")
	commit := fs.String("commit", "", "the commit built (required)")
	date := fs.String("date", "", "the commit's time, RFC 3339 (required)")
	dist := fs.String("dist", "dist", "the output directory; binaries are read from DIST/bin/OS_ARCH/scimbridge")
	root := fs.String("root", ".", "the repository root, where "+strings.Join(extraFiles, ", ")+" are")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version == "" || *commit == "" || *date == "" {
		return fmt.Errorf("-version, -commit and -date are required")
	}
	t, err := time.Parse(time.RFC3339, *date)
	if err != nil {
		return fmt.Errorf("-date %q: %v", *date, err)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("name at least one target, such as linux/amd64")
	}
	r := release{Version: *version, Commit: *commit, Date: t.UTC(), Dist: *dist, Root: *root}
	var outputs []string
	for _, target := range fs.Args() {
		goos, goarch, ok := strings.Cut(target, "/")
		if !ok || goos == "" || goarch == "" {
			return fmt.Errorf("target %q: want OS/ARCH, such as linux/amd64", target)
		}
		files, err := r.pack(goos, goarch)
		if err != nil {
			return fmt.Errorf("%s: %v", target, err)
		}
		outputs = append(outputs, files...)
	}
	if err := writeSums(*dist, outputs); err != nil {
		return err
	}
	for _, f := range append(outputs, "SHA256SUMS") {
		fmt.Println(filepath.Join(*dist, f))
	}
	return os.RemoveAll(filepath.Join(*dist, "bin"))
}
