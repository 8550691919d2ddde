package mysql

import (
	"errors"
	"strings"
	"testing"
)

// TestDetectEngine tells engines apart by what they say of themselves.
func TestDetectEngine(t *testing.T) {
	for _, c := range []struct {
		facts engineFacts
		want  engineKind
	}{
		{engineFacts{version: "10.11.6-MariaDB-0+deb12u1", comment: "Debian 12", wsrep: true}, engineGalera},
		{engineFacts{version: "10.11.6-MariaDB-0+deb12u1", comment: "Debian 12"}, engineMariaDB},
		{engineFacts{version: "8.0.36", comment: "MySQL Community Server - GPL"}, engineMySQL},
		{engineFacts{version: "8.0.36", comment: "MySQL Community Server - GPL", groupReplication: true, singlePrimary: true}, engineGRSingle},
		{engineFacts{version: "8.0.36", comment: "MySQL Community Server - GPL", groupReplication: true}, engineGRMulti},
		{engineFacts{version: "8.0.35-27", comment: "Percona Server (GPL), Release 27"}, engineMySQL},
		{engineFacts{version: "8.0.11-TiDB-v7.5.0", comment: "TiDB Server (Apache License 2.0) Community Edition, MySQL 8.0 compatible"}, engineTiDB},
		{engineFacts{version: "8.0.30-Vitess", comment: "Vitess (Apache License 2.0)"}, engineVitess},
		{engineFacts{version: "8.0.31"}, engineOther},
	} {
		if got := detectEngine(c.facts); got != c.want {
			t.Errorf("detectEngine(%+v) = %v, want %v", c.facts, got, c.want)
		}
	}
}

// TestUniquenessDecision is the decision table of check and Store: a
// unique index that compares as the attribute does, or lock rows, hold on
// every engine; GET_LOCK holds where one server (or one primary) takes
// every write, and is refused, naming what to add, where it does not.
func TestUniquenessDecision(t *testing.T) {
	engines := []struct {
		kind    engineKind
		version string
		named   bool // GET_LOCK keeps values unique there
	}{
		{engineOther, "8.0.31", true},
		{engineMySQL, "8.0.36", true},
		{engineMariaDB, "10.11.6-MariaDB", true},
		{engineGRSingle, "8.0.36", true},
		{engineGalera, "10.11.6-MariaDB", false},
		{engineGRMulti, "8.0.36", false},
		{engineVitess, "8.0.30-Vitess", false},
		{engineTiDB, "5.7.25-TiDB-v6.0.0", false},
		{engineTiDB, "8.0.11-TiDB-v6.1.0", true},
		{engineTiDB, "8.0.11-TiDB-v7.5.0", true},
	}
	for _, e := range engines {
		for _, c := range []struct {
			byIndex, lockRows bool
			want              string
		}{
			{true, false, "a unique index"},
			{true, true, "a unique index"},
			{false, true, "rows of " + LocksTable},
			{false, false, "GET_LOCK"},
		} {
			got, err := uniqueness(e.kind, e.version, c.byIndex, c.lockRows)
			refuse := !c.byIndex && !c.lockRows && !e.named
			switch {
			case refuse && !errors.Is(err, ErrClusterUniqueness):
				t.Errorf("%v %s, index %v, lock rows %v: %q, %v; want ErrClusterUniqueness", e.kind, e.version, c.byIndex, c.lockRows, got, err)
			case refuse && !strings.Contains(err.Error(), "uniquenessLocks: table"):
				t.Errorf("%v %s: %v does not say what to add", e.kind, e.version, err)
			case !refuse && (err != nil || got != c.want):
				t.Errorf("%v %s, index %v, lock rows %v: %q, %v; want %q", e.kind, e.version, c.byIndex, c.lockRows, got, err, c.want)
			}
		}
	}
}

// TestShareLockByEngine: TiDB refuses LOCK IN SHARE MODE by default, so
// its reads lock FOR UPDATE; every other engine keeps the shared lock.
func TestShareLockByEngine(t *testing.T) {
	for k := engineOther; k <= engineVitess; k++ {
		want := " LOCK IN SHARE MODE"
		if k == engineTiDB {
			want = " FOR UPDATE"
		}
		if got := k.shareLock(); got != want {
			t.Errorf("%v: %q, want %q", k, got, want)
		}
	}
}

// TestCountsOverByEngine: the window-function form of AddMembers' check is
// MariaDB's from 10.2 (a Galera node's too); every other engine, and an
// older MariaDB, keeps the COUNT subquery.
func TestCountsOverByEngine(t *testing.T) {
	for _, c := range []struct {
		kind    engineKind
		version string
		want    bool
	}{
		{engineMariaDB, "10.11.6-MariaDB-0+deb12u1", true},
		{engineMariaDB, "10.2.44-MariaDB", true},
		{engineMariaDB, "10.1.48-MariaDB", false},
		{engineMariaDB, "5.5.68-MariaDB", false},
		{engineGalera, "10.6.16-MariaDB-log", true},
		{engineMySQL, "8.0.36", false},
		{engineMySQL, "5.7.44", false},
		{engineGRSingle, "8.0.36", false},
		{engineTiDB, "8.0.11-TiDB-v7.5.0", false},
		{engineVitess, "8.0.30-Vitess", false},
		{engineOther, "8.0.31", false},
	} {
		if got := c.kind.countsOver(c.version); got != c.want {
			t.Errorf("%v %s: countsOver %v, want %v", c.kind, c.version, got, c.want)
		}
	}
}
