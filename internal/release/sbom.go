package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"time"
)

// The CycloneDX 1.5 JSON document, as much of it as an SBOM of a Go binary
// fills in (https://cyclonedx.org/docs/1.5/json/).
type (
	bom struct {
		BOMFormat    string       `json:"bomFormat"`
		SpecVersion  string       `json:"specVersion"`
		SerialNumber string       `json:"serialNumber"`
		Version      int          `json:"version"`
		Metadata     bomMetadata  `json:"metadata"`
		Components   []component  `json:"components"`
		Dependencies []dependency `json:"dependencies"`
	}
	bomMetadata struct {
		Timestamp string    `json:"timestamp"`
		Tools     bomTools  `json:"tools"`
		Component component `json:"component"`
	}
	bomTools struct {
		Components []component `json:"components"`
	}
	component struct {
		Type       string     `json:"type"`
		BOMRef     string     `json:"bom-ref,omitempty"`
		Name       string     `json:"name"`
		Version    string     `json:"version,omitempty"`
		Purl       string     `json:"purl,omitempty"`
		Hashes     []hash     `json:"hashes,omitempty"`
		Licenses   []license  `json:"licenses,omitempty"`
		Properties []property `json:"properties,omitempty"`
	}
	hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	license struct {
		License struct {
			ID string `json:"id"`
		} `json:"license"`
	}
	property struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	dependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	}
)

// cycloneDX describes one binary from its build information: the binary
// (version, commit, SHA-256, build settings), the Go standard library, and
// every module linked into it, with the go.sum hash as a property (its h1:
// format is not one of CycloneDX's hash algorithms). The document is
// deterministic: its serial number derives from the binary's hash and its
// timestamp is the commit's time.
func cycloneDX(bi *debug.BuildInfo, r release, goos, goarch string, binSum [32]byte) ([]byte, error) {
	mainRef := purl(bi.Main.Path, r.Version)
	main := component{
		Type: "application", BOMRef: mainRef, Name: "scimbridge", Version: r.Version, Purl: mainRef,
		Hashes: []hash{{Alg: "SHA-256", Content: hex.EncodeToString(binSum[:])}},
		Properties: []property{
			{"scimbridge:commit", r.Commit},
			{"scimbridge:date", r.Date.Format(time.RFC3339)},
			{"scimbridge:target", goos + "/" + goarch},
			{"go:version", bi.GoVersion},
			{"go:module", bi.Main.Path},
		},
	}
	var l license
	l.License.ID = "Apache-2.0"
	main.Licenses = []license{l}
	for _, s := range bi.Settings {
		main.Properties = append(main.Properties, property{"go:build:" + s.Key, s.Value})
	}
	stdRef := purl("stdlib", bi.GoVersion)
	comps := []component{{Type: "library", BOMRef: stdRef, Name: "stdlib", Version: bi.GoVersion, Purl: stdRef}}
	deps := []string{stdRef}
	for _, m := range bi.Deps {
		c := component{Type: "library", Name: m.Path, Version: m.Version}
		if m.Sum != "" {
			c.Properties = append(c.Properties, property{"go:module:sum", m.Sum})
		}
		if m.Replace != nil {
			c.Properties = append(c.Properties, property{"go:module:replacedBy", m.Replace.Path + "@" + m.Replace.Version})
			if m.Replace.Sum != "" {
				c.Properties = append(c.Properties, property{"go:module:replacement:sum", m.Replace.Sum})
			}
		}
		c.Purl = purl(m.Path, m.Version)
		c.BOMRef = c.Purl
		comps = append(comps, c)
		deps = append(deps, c.BOMRef)
	}
	doc := bom{
		BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1,
		SerialNumber: "urn:uuid:" + uuidFrom(binSum),
		Metadata: bomMetadata{
			Timestamp: r.Date.Format(time.RFC3339),
			Tools: bomTools{Components: []component{{
				Type: "application", Name: "scimbridge internal/release", Version: r.Version,
			}}},
			Component: main,
		},
		Components:   comps,
		Dependencies: []dependency{{Ref: mainRef, DependsOn: deps}},
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// purl is the package URL of a Go module version.
func purl(path, version string) string {
	return fmt.Sprintf("pkg:golang/%s@%s", path, version)
}

// uuidFrom makes a version-4-shaped UUID from a hash, so that the same
// binary always gets the same serial number.
func uuidFrom(sum [32]byte) string {
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
