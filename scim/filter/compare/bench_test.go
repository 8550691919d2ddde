package compare

import (
	"testing"

	lib "github.com/scim2/filter-parser/v2"

	"github.com/scimbridge/scimbridge/scim/filter"
)

// BenchmarkOneComparison: the lookup Okta and Entra send before every
// create, parsed by scim/filter, by the fast path it replaced and by the
// library that path sat beside.
func BenchmarkOneComparison(b *testing.B) {
	const f = `userName eq "alice@example.com"`
	b.Run("scim-filter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := filter.ParseFilter(f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("old-fast-path", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := simpleFilter(f); !ok {
				b.Fatal("not on the fast path")
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := lib.ParseFilter([]byte(f)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// compound are filters the fast path left to the library.
var compound = map[string]string{
	"and-or":     `userName eq "bjensen" and (title pr or userType eq "Intern")`,
	"value-path": `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
	"not-urn":    `userType ne "Employee" and not (urn:ietf:params:scim:schemas:core:2.0:User:emails co "example.com")`,
	"members":    `members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
}

// BenchmarkCompound: compound filters, scim/filter against the library.
func BenchmarkCompound(b *testing.B) {
	for name, f := range compound {
		b.Run(name+"/scim-filter", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := filter.ParseFilter(f); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/library", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lib.ParseFilter([]byte(f)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPath: PATCH paths, plain and with a value filter.
func BenchmarkPath(b *testing.B) {
	for name, p := range map[string]string{
		"plain":      "name.givenName",
		"value-path": `emails[type eq "work"].value`,
	} {
		b.Run(name+"/scim-filter", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := filter.ParsePath(p); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/library", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lib.ParsePath([]byte(p)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
