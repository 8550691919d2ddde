// Package configref generates the configuration reference
// (docs/config-reference.md) and the configuration's JSON Schema
// (docs/scimbridge.schema.json) from the Go types the configuration file
// is decoded into, their yaml tags and their doc comments.
//
// It imports no command: the command's side (its configuration type, its
// own keys' defaults and allowed values, the adapter config decoded by
// database.type) is given with Use by program_test.go, and the other
// packages' keys are described in shapes.go, from their exported
// constants and lists (mapping.Transforms).
//
// Both files are checked in; regenerate them after changing a config type:
//
//	go test ./internal/configref -run 'TestReference|TestSchema' -update
package configref

//go:generate go test . -run TestReference|TestSchema -update
