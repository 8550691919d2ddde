// Command scimbench measures what scimbridge costs on top of the SQL a
// provisioning request needs. For each scenario (create a user, get one by
// id, filter by userName, PATCH it inactive, PUT it, add 50 members to a
// group in one PATCH, remove 50 in one PATCH, page through every user, and
// an Okta-style import:
// look a user up by userName, create it, push it into a group) it runs a
// raw-SQL baseline through go-sql-driver, with the same pool settings, on
// the same rows and indexes at the same concurrency, and then the real
// sidecar over HTTP on loopback, and prints both, with their ratio and the
// statements a request of each side sends and the round trips they take
// (the sidecar sends some together: a write's last statement with its
// COMMIT, a user's row with the user's groups), counted on the wire by a
// proxy in front of a second, in-process sidecar and a second
// baseline pool, so the timed runs are not slowed by the count. It then
// measures how the cost of a filter, a list page and a membership change
// grows with the number of users, and reports the sidecar's resident
// memory, binary size and start-up time.
//
// Everything happens in a scratch database that scimbench creates on the
// server -dsn names and drops when it ends. By default the sidecar is the
// production binary, built as `make build` builds it (or given with
// -binary) and run as a child process, so that its memory, start-up and
// size are those of what ships; -inprocess runs it inside scimbench
// instead (for -cpuprofile, whose sidecar samples carry the label
// component=sidecar).
//
// Usage:
//
//	scimbench [-dsn 'root@tcp(127.0.0.1:3306)/'] [-c 8] [-n 3000] [-d 10s]
//	          [-users 20000] [-sizes 1000,100000] [-binary bin/scimbridge | -inprocess]
//
// `make bench` runs it against the local MariaDB.
package main
