package mysql

import (
	"context"
	"database/sql"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/scimbridge/scimbridge/adapters"
)

// The optional capabilities of adapters this adapter has.
var (
	_ adapters.DryRunner    = (*Config)(nil)
	_ adapters.Tracer       = (*Config)(nil)
	_ adapters.SecretHolder = (*Config)(nil)
	_ adapters.Enginer      = (*Adapter)(nil)
	_ adapters.RetryCounter = (*Adapter)(nil)
	_ adapters.Pooler       = (*Adapter)(nil)
	_ adapters.Inspector    = (*Adapter)(nil)
	_ adapters.GroupsReader = (*store)(nil)
)

// SetDryRun sets DryRun.
func (c *Config) SetDryRun() { c.DryRun = true }

// DryRunning reports DryRun.
func (c *Config) DryRunning() bool { return c.DryRun }

// SetTrace sets Trace.
func (c *Config) SetTrace(fn func(adapters.Statement)) { c.Trace = fn }

// dbPassword says what a database password should be.
const dbPassword = "the database user's password"

// Secrets returns the database password, given as password or in the
// DSN, where it resolves.
func (c *Config) Secrets() []adapters.ConfigSecret {
	switch {
	case !c.DSN.IsZero():
		dsn, err := c.DSN.Resolve()
		if err != nil {
			return nil
		}
		dc, err := mysql.ParseDSN(dsn)
		if err != nil || dc.Passwd == "" {
			return nil
		}
		return []adapters.ConfigSecret{{Key: "dsn", Part: "the password in it", What: dbPassword, Value: dc.Passwd}}
	case !c.Password.IsZero():
		pw, err := c.Password.Resolve()
		if err != nil {
			return nil
		}
		return []adapters.ConfigSecret{{Key: "password", What: dbPassword, Value: pw}}
	}
	return nil
}

// Pools returns the pool of reads (app) and, when writes have their own,
// that of write transactions (app_writes).
func (a *Adapter) Pools() []adapters.Pool {
	ps := []adapters.Pool{{Name: "app", DB: a.DB()}}
	if w := a.WriteDB(); w != nil {
		ps = append(ps, adapters.Pool{Name: "app_writes", DB: w})
	}
	return ps
}

// ForeignKeys returns the foreign keys information_schema reports for the
// connection's database.
func (a *Adapter) ForeignKeys(ctx context.Context) ([]adapters.ForeignKey, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME
		FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fks []adapters.ForeignKey
	for rows.Next() {
		var t, c, ref string
		if rows.Scan(&t, &c, &ref) == nil {
			fks = append(fks, adapters.ForeignKey{Table: adapters.Table(t), Column: adapters.Column(c), References: adapters.Table(ref)})
		}
	}
	return fks, rows.Err()
}

// ColumnDefault returns the column's DEFAULT as the value it stores, and
// whether it has one that is not NULL. MariaDB reports string defaults
// quoted ('viewer') and a NULL default as NULL; MySQL reports them bare.
func (a *Adapter) ColumnDefault(ctx context.Context, t adapters.Table, c adapters.Column) (string, bool) {
	var d sql.NullString
	err := a.db.QueryRowContext(ctx, `SELECT COLUMN_DEFAULT FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`, string(t), string(c)).Scan(&d)
	if err != nil || !d.Valid || d.String == "NULL" {
		return "", false
	}
	v := d.String
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	return v, true
}

// SQL returns the pool, for init's sampling queries.
func (a *Adapter) SQL() *sql.DB { return a.DB() }
