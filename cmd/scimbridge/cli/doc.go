// Package cli is the composition root of the scimbridge command: flags,
// sub-commands, configuration loading, wiring of adapters, mapping and SCIM
// server, listeners and graceful shutdown.
package cli
