package scim

import (
	"strings"
)

// projection applies the attributes and excludedAttributes parameters
// (RFC 7644 section 3.4.2.5) to a resource document. id and schemas are
// always returned.
type projection struct {
	include, exclude []string // lower-case paths without the core URN
}

func newProjection(schema, attributes, excluded string) projection {
	split := func(s string) []string {
		if s == "" {
			return nil // most requests: no split, no lower-cased schema
		}
		var out []string
		for _, p := range strings.Split(s, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if p == "" {
				continue
			}
			p = strings.TrimPrefix(p, strings.ToLower(schema)+":")
			out = append(out, p)
		}
		return out
	}
	return projection{include: split(attributes), exclude: split(excluded)}
}

// none reports whether the projection leaves every attribute as it is.
func (p projection) none() bool { return len(p.include) == 0 && len(p.exclude) == 0 }

// excludes reports whether the attribute at the top-level path name would
// be left out entirely.
func (p projection) excludes(name string) bool {
	name = strings.ToLower(name)
	if len(p.include) > 0 {
		for _, i := range p.include {
			if i == name || strings.HasPrefix(i, name+".") || strings.HasPrefix(name, i+".") {
				return false
			}
		}
		return true
	}
	for _, e := range p.exclude {
		if e == name {
			return true
		}
	}
	return false
}

func (p projection) apply(doc map[string]any) map[string]any {
	if len(p.include) == 0 && len(p.exclude) == 0 {
		return doc
	}
	out := map[string]any{}
	for k, v := range doc {
		lk := strings.ToLower(k)
		if lk == "id" || lk == "schemas" {
			out[k] = v
			continue
		}
		if ext, ok := v.(map[string]any); ok && strings.HasPrefix(lk, "urn:") {
			// Extension: project its members by their URN-qualified path.
			sub := map[string]any{}
			for sk, sv := range ext {
				if p.keep(lk+":"+strings.ToLower(sk)) || p.keepWhole(lk) {
					sub[sk] = sv
				}
			}
			if len(sub) > 0 {
				out[k] = sub
			}
			continue
		}
		if inner, ok := v.(map[string]any); ok && !p.keepWhole(lk) {
			sub := map[string]any{}
			for sk, sv := range inner {
				if p.keep(lk + "." + strings.ToLower(sk)) {
					sub[sk] = sv
				}
			}
			if len(sub) > 0 {
				out[k] = sub
			}
			continue
		}
		if p.keep(lk) {
			out[k] = v
		}
	}
	return out
}

// keepWhole reports whether a complex attribute is kept with all its
// sub-attributes.
func (p projection) keepWhole(path string) bool {
	if len(p.include) > 0 {
		for _, i := range p.include {
			if i == path {
				return true
			}
		}
		return false
	}
	for _, e := range p.exclude {
		if e == path || strings.HasPrefix(e, path+".") || strings.HasPrefix(e, path+":") {
			return false
		}
	}
	return true
}

func (p projection) keep(path string) bool {
	if len(p.include) > 0 {
		for _, i := range p.include {
			if i == path || strings.HasPrefix(path, i+".") || strings.HasPrefix(path, i+":") {
				return true
			}
		}
		return false
	}
	for _, e := range p.exclude {
		if e == path || strings.HasPrefix(path, e+".") || strings.HasPrefix(path, e+":") {
			return false
		}
	}
	return true
}
