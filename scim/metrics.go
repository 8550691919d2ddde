package scim

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Namespace prefixes every metric scimbridge exports.
const Namespace = "scimbridge"

// httpMetrics are the metrics of the SCIM listener: requests, and the
// provisioning they do. Labels are bounded: route templates, methods,
// status codes, directories (the configured token names), resource types,
// operations and outcomes from fixed lists — never an id, a user name or
// an e-mail address.
type httpMetrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	authFailures prometheus.Counter

	// operations counts write requests by directory, resource, operation
	// and outcome.
	operations *prometheus.CounterVec
	// lastSuccess is the time of each directory's last successful write.
	lastSuccess *prometheus.GaugeVec
	// lastRequest is the time of each directory's last authenticated
	// request of any kind: reads too, so that a quiet directory whose IdP
	// still polls is seen in contact.
	lastRequest *prometheus.GaugeVec
	// membersAdded and membersRemoved count membership rows, by directory.
	membersAdded, membersRemoved *prometheus.CounterVec
}

// Provisioning operations: the operation label of
// scimbridge_provisioning_operations_total and of audit records.
const (
	opCreate     = "create"     // POST
	opReplace    = "replace"    // PUT that does not change active
	opPatch      = "patch"      // PATCH that does not change active
	opDelete     = "delete"     // DELETE, whatever the delete policy makes of it
	opDeactivate = "deactivate" // PUT or PATCH turning active from true to false
	opReactivate = "reactivate" // PUT or PATCH turning active from false to true
)

// Outcomes of a provisioning operation, from its response status.
const (
	outcomeSuccess     = "success"     // 2xx
	outcomeInvalid     = "invalid"     // 400, 413, 415 and other 4xx: the request was refused
	outcomeNotFound    = "not_found"   // 404
	outcomeConflict    = "conflict"    // 409: a unique value is taken; 412: If-Match names an older version
	outcomeRefused     = "refused"     // 405: the mapping does not allow it (delete: refuse)
	outcomeUnavailable = "unavailable" // 503: the database is down or timed out
	outcomeError       = "error"       // other 5xx
	// outcomeIgnored: 2xx, but nothing the request asked to change was
	// changed (a deactivation the mapping ignores, a value the
	// application cannot store).
	outcomeIgnored = "ignored"
)

// outcome classifies a response status.
func outcome(status int) string {
	switch {
	case status >= 200 && status < 300:
		return outcomeSuccess
	case status == 404:
		return outcomeNotFound
	case status == 409, status == 412:
		return outcomeConflict
	case status == 405:
		return outcomeRefused
	case status == 503:
		return outcomeUnavailable
	case status >= 500:
		return outcomeError
	}
	return outcomeInvalid
}

// newHTTPMetrics creates the SCIM listener's metrics and registers them on
// reg (when not nil). The membership counters of every directory start at
// zero, so that rates are defined before the first change.
func newHTTPMetrics(reg prometheus.Registerer, dirs []Directory) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_total",
			Help: "SCIM HTTP requests by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer SCIM HTTP requests, by route template and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "auth_failures_total",
			Help: "SCIM requests refused for a missing or unknown bearer token.",
		}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "provisioning", Name: "operations_total",
			Help: "Provisioning writes (create, replace, patch, delete, deactivate, reactivate) by directory, resource type, operation and outcome.",
		}, []string{"directory", "resource", "operation", "outcome"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "provisioning", Name: "last_success_timestamp_seconds",
			Help: "Unix time of the directory's last successful provisioning write (the last sync); absent until the first since start-up.",
		}, []string{"directory"}),
		lastRequest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "provisioning", Name: "last_request_timestamp_seconds",
			Help: "Unix time of the directory's last authenticated SCIM request of any kind, reads included (the last contact); absent until the first since start-up.",
		}, []string{"directory"}),
		membersAdded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "group", Name: "members_added_total",
			Help: "Group membership rows added, by directory.",
		}, []string{"directory"}),
		membersRemoved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "group", Name: "members_removed_total",
			Help: "Group membership rows removed (including with a deleted group or user), by directory.",
		}, []string{"directory"}),
	}
	if reg != nil {
		if err := m.registerOn(reg); err != nil {
			return nil, err
		}
	}
	// After registering: a reload's new directories start at zero on the
	// counters taken over.
	for _, d := range dirs {
		m.membersAdded.WithLabelValues(d.Name)
		m.membersRemoved.WithLabelValues(d.Name)
	}
	return m, nil
}

// registerOn registers the metrics on reg, taking over those already there.
func (m *httpMetrics) registerOn(reg prometheus.Registerer) error {
	// A server built again on the same registry (a configuration reload)
	// takes over the series already there, so they go on rather than
	// restart.
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return err
	}
	if m.authFailures, err = register(reg, m.authFailures); err != nil {
		return err
	}
	if m.operations, err = register(reg, m.operations); err != nil {
		return err
	}
	if m.lastSuccess, err = register(reg, m.lastSuccess); err != nil {
		return err
	}
	if m.lastRequest, err = register(reg, m.lastRequest); err != nil {
		return err
	}
	if m.membersAdded, err = register(reg, m.membersAdded); err != nil {
		return err
	}
	if m.membersRemoved, err = register(reg, m.membersRemoved); err != nil {
		return err
	}
	return nil
}

// register registers c, or returns the equal collector registered before.
func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	return c, err
}

// observe records one request; directory is the token's name, or "" for
// a request not authenticated.
func (m *httpMetrics) observe(route, method string, status int, d time.Duration, directory string, at time.Time) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
	if directory != "" {
		m.lastRequest.WithLabelValues(directory).Set(float64(at.UnixNano()) / 1e9)
	}
}

// provisioned records one write request of a directory.
func (m *httpMetrics) provisioned(directory, resource, op, outcome string, added, removed int64, at time.Time) {
	m.operations.WithLabelValues(directory, resource, op, outcome).Inc()
	if outcome == outcomeSuccess {
		m.lastSuccess.WithLabelValues(directory).Set(float64(at.UnixNano()) / 1e9)
	}
	if added > 0 {
		m.membersAdded.WithLabelValues(directory).Add(float64(added))
	}
	if removed > 0 {
		m.membersRemoved.WithLabelValues(directory).Add(float64(removed))
	}
}
