// Package adapters is the storage port of scimbridge: the interfaces, records,
// queries and sentinel errors that every storage implementation provides and
// that the mapping and SCIM layers program against. It imports only the
// standard library.
package adapters
