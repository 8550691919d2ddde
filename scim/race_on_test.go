//go:build race

package scim_test

// raceEnabled reports whether the tests run with the race detector, which
// allocates for the accesses it tracks.
const raceEnabled = true
