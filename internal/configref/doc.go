// Package configref generates the configuration reference
// (docs/config-reference.md) and the configuration's JSON Schema
// (docs/scimbridge.schema.json) from the Go types the configuration file
// is decoded into, their yaml tags and their doc comments.
//
// Both files are checked in; regenerate them after changing a config type:
//
//	go test ./internal/configref -run 'TestReference|TestSchema' -update
package configref

//go:generate go test . -run TestReference|TestSchema -update
