package mysql

import (
	"fmt"
	"strings"
)

// engineKind is the kind of MySQL-protocol server a pool reaches, as far
// as it changes what scimbridge may rely on (see docs/clusters.md).
type engineKind int

const (
	// engineOther speaks the protocol but is not identified (the
	// embedded engine of the tests): unique indexes are not trusted to
	// compare under their collations, GET_LOCK is used.
	engineOther engineKind = iota
	engineMySQL
	engineMariaDB
	// engineGalera is a MariaDB Galera Cluster node (wsrep_on).
	engineGalera
	// engineGRSingle and engineGRMulti are members of a MySQL Group
	// Replication group (InnoDB Cluster) in single- and multi-primary mode.
	engineGRSingle
	engineGRMulti
	engineTiDB
	// engineVitess is vtgate (Vitess, PlanetScale).
	engineVitess
)

// engineFacts is what probe reads to tell the engine.
type engineFacts struct {
	version, comment string // VERSION(), @@version_comment
	wsrep            bool   // @@global.wsrep_on (MariaDB)
	// groupReplication says the group_replication plugin is loaded
	// (@@global.group_replication_single_primary_mode exists);
	// singlePrimary is that variable.
	groupReplication, singlePrimary bool
}

// detectEngine tells the engine from what the server says of itself.
func detectEngine(f engineFacts) engineKind {
	comment := strings.ToLower(f.comment)
	switch {
	case strings.Contains(f.version, "TiDB"):
		return engineTiDB
	case strings.Contains(comment, "vitess") || strings.Contains(f.version, "Vitess"):
		return engineVitess
	case strings.Contains(f.version, "MariaDB"):
		if f.wsrep {
			return engineGalera
		}
		return engineMariaDB
	case f.groupReplication && f.singlePrimary:
		return engineGRSingle
	case f.groupReplication:
		return engineGRMulti
	case strings.Contains(comment, "mysql") || strings.Contains(comment, "percona"):
		return engineMySQL
	}
	return engineOther
}

// String names the engine for check.
func (k engineKind) String() string {
	switch k {
	case engineMySQL:
		return "MySQL, one server"
	case engineMariaDB:
		return "wsrep_on=OFF (one server, no Galera)"
	case engineGalera:
		return "a Galera cluster node (wsrep_on=ON)"
	case engineGRSingle:
		return "a MySQL Group Replication member, single-primary"
	case engineGRMulti:
		return "a MySQL Group Replication member, multi-primary"
	case engineTiDB:
		return "TiDB"
	case engineVitess:
		return "Vitess (vtgate)"
	}
	return "an engine speaking the MySQL protocol, not identified"
}

// tidbVersion is the TiDB release in a TiDB VERSION() such as
// "8.0.11-TiDB-v7.5.0", or "" when there is none.
func tidbVersion(version string) string {
	_, v, ok := strings.Cut(version, "-TiDB-v")
	if !ok {
		return ""
	}
	return v
}

// namedLocksFail says why GET_LOCK cannot keep a value unique on the
// engine, or "" where it can (one server, or one primary taking every
// write).
func (k engineKind) namedLocksFail(version string) string {
	switch k {
	case engineGalera:
		return "GET_LOCK, which holds on one Galera node only"
	case engineGRMulti:
		return "GET_LOCK, which holds on one Group Replication member only (multi-primary)"
	case engineVitess:
		return "GET_LOCK, which holds within one shard only, on a reserved connection"
	case engineTiDB:
		if v := tidbVersion(version); v == "" || !atLeast(v, 6, 1) {
			return "GET_LOCK, which TiDB has only since 6.1"
		}
	}
	return ""
}

// readsSee says what a read sees on the engine, and what the operator
// must add for reads to see every committed write (the read that decides
// a write, the read after a client's own write through another node).
func (k engineKind) readsSee() string {
	switch k {
	case engineGalera:
		return "every committed write (scimbridge sets wsrep_sync_wait)"
	case engineGRSingle:
		return "every committed write on the primary; point the DSN at the primary (MySQL Router's read-write port), never a secondary"
	case engineGRMulti:
		return "this member's writes only: add group_replication_consistency: BEFORE to database.config.params"
	case engineTiDB:
		return "every committed write (one logical database)"
	case engineVitess:
		return "every committed write on the primary tablet; never target @replica or @rdonly"
	}
	return "every committed write (one server); behind a proxy, send every statement to the writer"
}

// uniqueness decides how a unique attribute stays unique on the engine:
// by a unique index that compares as it does (byIndex), by lock rows
// (lockRows), or by GET_LOCK where it holds. It returns what holds, or
// an error naming what the operator must add.
func uniqueness(k engineKind, version string, byIndex, lockRows bool) (string, error) {
	switch {
	case byIndex:
		return "a unique index", nil
	case lockRows:
		return "rows of " + LocksTable, nil
	}
	if why := k.namedLocksFail(version); why != "" {
		return "", fmt.Errorf("%w: it would rely on %s; set database.config.uniquenessLocks: table (after creating %s with scimbridge init -locks or deploy/galera/scimbridge_locks.sql), or add a unique index that compares as the attribute does", ErrClusterUniqueness, why, LocksTable)
	}
	return "GET_LOCK", nil
}

// shareLock is the clause of a read that share-locks the rows it reads
// until the transaction ends. TiDB refuses LOCK IN SHARE MODE (or, with
// tidb_enable_noop_functions, ignores it): there the rows are locked
// exclusively, which orders the same writes and blocks more.
func (k engineKind) shareLock() string {
	if k == engineTiDB {
		return " FOR UPDATE"
	}
	return " LOCK IN SHARE MODE"
}

// countsOver says whether the engine counts the rows of a derived table
// that share-locks what it reads with COUNT(*) OVER (): MariaDB from 10.2,
// where AddMembers checks that every key named a user over the one join
// it inserts from (see addSQL). MySQL 8 has window functions too, but the
// statement has been measured on MariaDB only; MySQL 5.7, TiDB, Vitess and
// the engines probe cannot tell keep the COUNT subquery.
func (k engineKind) countsOver(version string) bool {
	return (k == engineMariaDB || k == engineGalera) && atLeast(version, 10, 2)
}
