// Package instrument decorates the storage port with Prometheus metrics:
// how long each store call against the application's database takes, and
// its errors by kind, labelled only by resource type and store method.
package instrument
