// Package mapping turns the operator's YAML description of how SCIM resources
// live in the application's tables into a compiled, validated form: column
// codecs, row scopes, defaults and filter translation, used on every request
// without further checks.
package mapping
