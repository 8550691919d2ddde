// Package mapping turns the operator's YAML description of how SCIM resources
// live in the application's tables into a compiled, validated form: column
// codecs, row scopes, defaults and filter translation, used on every request
// without further checks.
//
// Where a change goes: a configuration key is a field of a type in
// config.go, documented in its comment (the reference is generated from
// it); its checks, with the YAML path and what was expected, and its
// compilation into an adapters.TableSpec are in compile.go for a
// resource's attributes, with a file per part: members.go (group
// membership), children.go (child tables and key/value entries),
// keys.go (natural keys), schemas.go (SCIM schemas and extensions),
// scope.go, kv.go, link.go, joined.go, relation.go, pointer.go,
// valuegroups.go; what check prints is describe.go. Reading and writing
// values is codec.go; documents become records in document.go; SCIM
// filters and sorting become adapters expressions in filters.go and
// list.go. Mapping speaks to storage only through package adapters.
package mapping
