// Package scim is the HTTP face of scimbridge: the SCIM 2.0 protocol of
// RFC 7644 (routes, bearer-token auth, JSON in and out, filters, PATCH,
// errors, discovery endpoints and HTTP metrics) over a compiled mapping and
// its stores.
package scim
