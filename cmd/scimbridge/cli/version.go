package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
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
}

// currentVersion describes this binary, from the -X stamped Version and
// the build information the Go toolchain embeds.
func currentVersion() versionInfo {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(Version, bi)
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
			v.Commit = s.Value
			if len(v.Commit) > 7 {
				v.Commit = v.Commit[:7]
			}
		case "vcs.time":
			v.Date = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	mv := bi.Main.Version
	if v.Version == unstamped && !fromVCS && mv != "" && mv != "(devel)" {
		v.Version = mv
	}
	return v
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
