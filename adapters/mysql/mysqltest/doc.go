// Package mysqltest gives tests a real MySQL-protocol server: the one named by SCIMBRIDGE_TEST_DSN, or else an embedded in-memory go-mysql-server started once per test binary.
package mysqltest
