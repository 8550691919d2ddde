// Package cli is the composition root of the scimbridge command: flags,
// sub-commands, configuration loading, wiring of adapters, mapping and SCIM
// server, listeners and graceful shutdown.
//
// Where a change goes: a storage adapter is named once, in adapters.go;
// everything else asks the adapter for the optional capabilities package
// adapters declares (dry run, trace, secrets, engine, retries, pools,
// inspection), never for a concrete type.
package cli
