package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// unstamped is the value of Version when no -ldflags -X stamped one.
const unstamped = "dev"

// versionInfo describes the running binary.
type versionInfo struct {
	// Version is the release, e.g. v1.2.3, or "dev".
	Version string
	// Commit is the VCS revision, shortened; "" if unknown.
	Commit string
	// Modified reports whether the work tree had uncommitted changes.
	Modified bool
	// Date is the commit time (RFC 3339); "" if unknown.
	Date string
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string
	// fullCommit is the revision as recorded, unshortened.
	fullCommit string
}

// currentVersion describes this binary, from the -X stamped Version and
// the build information the Go toolchain embeds.
func currentVersion() versionInfo {
	bi, _ := debug.ReadBuildInfo()
	v := versionFrom(Version, bi)
	return v.stamp(Commit, Date)
}

// stamp puts a commit and date stamped with -ldflags -X in place of those
// read from the build information; empty values change nothing. A build
// whose context has no .git (the Dockerfile's) knows its commit only this
// way.
func (v versionInfo) stamp(commit, date string) versionInfo {
	if commit != "" {
		if commit != v.fullCommit {
			v.Modified = false // vcs.modified describes another commit
		}
		v.fullCommit = commit
		v.Commit = shortCommit(commit)
	}
	if date != "" {
		v.Date = date
	}
	return v
}

// shortCommit shortens a revision to the 7 characters git shows.
func shortCommit(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}

// versionFrom works out the version: a Version stamped with -ldflags -X
// wins; otherwise the module version that `go install module@version`
// records. A build from a checkout records only a pseudo-version derived
// from the commit (or, with a tag on HEAD, that tag, even when the build
// stamped "dev"), so it reports "dev" and the commit instead. bi may be
// nil.
func versionFrom(stamped string, bi *debug.BuildInfo) versionInfo {
	v := versionInfo{Version: stamped, GoVersion: runtime.Version()}
	if v.Version == "" {
		v.Version = unstamped
	}
	if bi == nil {
		return v
	}
	if bi.GoVersion != "" {
		v.GoVersion = bi.GoVersion
	}
	fromVCS := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			fromVCS = true
			v.fullCommit = s.Value
			v.Commit = shortCommit(s.Value)
		case "vcs.time":
			v.Date = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	mv := bi.Main.Version
	if v.Version == unstamped && !fromVCS && mv != "" && mv != "(devel)" {
		v.Version = mv
		// go install module@<commit or branch> records a pseudo-version,
		// which names the commit and its time; a tag names its commit
		// itself, and the toolchain records no more.
		if commit, date, ok := pseudoVersion(mv); ok {
			v.fullCommit, v.Commit, v.Date = commit, shortCommit(commit), date
		}
	}
	return v
}

// pseudoVersion reads the commit and its time (RFC 3339, UTC) from a Go
// pseudo-version such as v0.0.0-20261130100000-abc1234def56 or
// v1.2.4-0.20261130100000-abc1234def56 (with an optional +incompatible).
func pseudoVersion(v string) (commit, date string, ok bool) {
	v, _, _ = strings.Cut(v, "+")
	i := strings.LastIndexByte(v, '-')
	if i < 0 || len(v)-i-1 != 12 {
		return "", "", false
	}
	commit, rest := v[i+1:], v[:i]
	if len(rest) < 14 {
		return "", "", false
	}
	stamp := rest[len(rest)-14:]
	if sep := rest[:len(rest)-14]; !strings.HasSuffix(sep, "-") && !strings.HasSuffix(sep, ".") {
		return "", "", false
	}
	t, err := time.Parse("20060102150405", stamp)
	if err != nil {
		return "", "", false
	}
	for _, c := range commit {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return "", "", false
		}
	}
	return commit, t.UTC().Format(time.RFC3339), true
}

// String formats v as "scimbridge v1.2.3 (commit abc1234, 2026-11-30T10:00:00Z, go1.26.8)",
// leaving out what is unknown.
func (v versionInfo) String() string {
	var parts []string
	if v.Commit != "" {
		c := "commit " + v.Commit
		if v.Modified {
			c += "+dirty"
		}
		parts = append(parts, c)
	}
	if v.Date != "" {
		parts = append(parts, v.Date)
	}
	parts = append(parts, v.GoVersion)
	return fmt.Sprintf("scimbridge %s (%s)", v.Version, strings.Join(parts, ", "))
}

// runVersion prints the version line.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version")
	if !parseFlags(fs, args, stderr) {
		return exitUsage
	}
	fmt.Fprintln(stdout, currentVersion())
	return exitOK
}
