// Package scim is the HTTP face of scimbridge: the SCIM 2.0 protocol of
// RFC 7644 (routes, bearer-token auth, JSON in and out, filters, PATCH,
// errors, discovery endpoints and HTTP metrics) over a compiled mapping and
// its stores.
//
// Where a change goes: routes and handlers are in server.go and
// handlers.go, rendering in render.go, PATCH in patch.go, the audit record
// and its store decorator in audit.go. A handler asks its store for an
// optional capability of package adapters (adapters.GroupsReader) by type
// assertion, and takes what a write did from its results
// (adapters.Written).
package scim
