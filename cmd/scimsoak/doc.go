// Command scimsoak is scimbridge's soak test. It creates a scratch
// database on a MySQL or MariaDB server, loads a legacy users/roles schema
// into it (users.login has no unique index, so userName uniqueness rests
// on scimbridge's named locks), serves it with scimbridge inside this
// process on a loopback port, and drives it for -duration with -clients
// concurrent clients, each with its own connections, sending a mixed,
// Okta-like workload: user lookups by userName, creates (and creates of
// names that exist), reads, PUTs, PATCHes that deactivate and reactivate,
// paging, group membership PATCHes, group reads and deletes.
//
// It then stops the sidecar gracefully, checks the database (every
// acknowledged create stored, no duplicate userName, no membership naming
// a missing user), drops the scratch database and prints a report: the
// requests by operation and status, the 5xx count (which must be 0),
// latency percentiles, the memory high-water mark, and the goroutine
// count of the idle sidecar before and after the load (which must match:
// no leak). It exits 1 if any check fails.
//
//	make soak                                   # 3 minutes, 16 clients, MariaDB on 127.0.0.1:3306
//	go run ./cmd/scimsoak -duration 30s -clients 4 -dsn 'user:pw@tcp(db:3306)/'
//
// The load generator and the sidecar share the process, so the memory
// figures include both; the clients' share is small (no response bodies
// are kept).
package main
