package cli

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
)

// tableLister adds mapping.TableLister to an adapter that exposes its
// database, so that a table not found is reported with the tables there
// are.
type tableLister struct {
	adapters.Adapter
	db *sql.DB
}

// listingTables returns ad, able to list its tables if it exposes its
// *sql.DB (the MySQL adapter does).
func listingTables(ad adapters.Adapter) mapping.Describer {
	if d, ok := ad.(interface{ DB() *sql.DB }); ok {
		return tableLister{ad, d.DB()}
	}
	return ad
}

// Tables lists the tables and views of the connection's database.
func (t tableLister) Tables(ctx context.Context) ([]adapters.Table, error) {
	rows, err := t.db.QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	defer rows.Close()
	var out []adapters.Table
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("listing tables: %w", err)
		}
		out = append(out, adapters.Table(name))
	}
	return out, rows.Err()
}
