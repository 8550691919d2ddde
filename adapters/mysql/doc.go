// Package mysql implements the adapters storage port on MySQL and MariaDB
// through go-sql-driver/mysql and sqlx: parameterised SQL over the tables the
// compiled mapping names, one transaction per write, and schema introspection
// through information_schema.
//
// Where a change goes: the SQL of reads and writes is in store.go (groups.go
// for memberships, kv.go, joined.go, related.go, pointed.go for side
// tables); transactions, retries and settling a lost COMMIT are tx.go;
// uniqueness locks unique.go; DELETE and soft delete delete.go; converting
// values between Go and the column types values.go and coltype/; the
// optional capabilities of package adapters it has (dry run, trace,
// secrets, pool statistics, init's schema inspection) are in
// capabilities.go. Only the files that construct the adapter import this
// package (see adapters/deps_test.go).
package mysql
