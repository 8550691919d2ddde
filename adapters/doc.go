// Package adapters is the storage port of scimbridge: the interfaces, records,
// queries and sentinel errors that every storage implementation provides and
// that the mapping and SCIM layers program against. It imports only the
// standard library.
//
// Where a change goes: a method every Store needs goes on Store or Groups
// (adapters.go, groups.go); something only some backends can do is an
// optional capability, declared once in capabilities.go (or groupsread.go)
// and found by a type assertion. What a call did comes back in its results
// (GroupsRead, Written), never through the context.
package adapters
