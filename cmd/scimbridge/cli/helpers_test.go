package cli

import (
	"database/sql"

	_ "github.com/go-sql-driver/mysql"
)

func execSQL(dsn, script string) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(script)
	return err
}
