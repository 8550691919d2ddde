package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// schema is a legacy application's users, roles and user_roles tables,
// with the indexes such an application has: a primary key, a unique login
// and the join table's two keys. The sidecar and the baseline use the same
// tables.
var schema = []string{
	`CREATE TABLE users (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  login VARCHAR(100) NOT NULL,
	  email VARCHAR(255) NULL,
	  first_name VARCHAR(100) NULL,
	  last_name VARCHAR(100) NULL,
	  display_name VARCHAR(200) NULL,
	  okta_id VARCHAR(64) NULL,
	  status TINYINT NOT NULL DEFAULT 1,
	  created_at DATETIME NULL,
	  updated_at DATETIME NULL,
	  UNIQUE KEY users_login (login)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`,
	`CREATE TABLE roles (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  name VARCHAR(64) NOT NULL,
	  created_at DATETIME NULL,
	  UNIQUE KEY roles_name (name)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`,
	`CREATE TABLE user_roles (
	  user_id INT NOT NULL,
	  role_id INT NOT NULL,
	  PRIMARY KEY (role_id, user_id),
	  KEY user_roles_user (user_id)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`,
}

// mappingYAML maps the schema: every users column to a User attribute,
// roles to Groups with user_roles as their members.
const mappingYAML = `
  User:
    table: users
    attributes:
      userName: login
      externalId: okta_id
      name.givenName: first_name
      name.familyName: last_name
      displayName: display_name
      emails: {column: email, type: work}
      active: status
      meta.created: created_at
      meta.lastModified: updated_at
    delete: deactivate
  Group:
    table: roles
    attributes:
      displayName: name
      meta.created: created_at
    members:
      table: user_roles
      group: role_id
      user: user_id
`

// userCols is the select list of a user row, as the sidecar reads it.
const userCols = "id, login, email, first_name, last_name, display_name, okta_id, status, created_at, updated_at"

// scratch is the database the benchmark runs in.
type scratch struct {
	admin   *sql.DB // the server, no database selected
	db      *sql.DB // the scratch database, for setup and resets
	name    string
	dsn     string // of the scratch database
	addr    string
	version string
}

// createScratch creates a uniquely named database on the server of
// serverDSN.
func createScratch(ctx context.Context, serverDSN string) (*scratch, error) {
	cfg, err := mysql.ParseDSN(serverDSN)
	if err != nil {
		return nil, fmt.Errorf("-dsn: %w", err)
	}
	if cfg.DBName != "" {
		return nil, fmt.Errorf("-dsn names database %q: give the server only; a scratch database is created on it", cfg.DBName)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	s := &scratch{admin: admin, addr: cfg.Addr}
	if err := admin.QueryRowContext(ctx, "SELECT VERSION()").Scan(&s.version); err != nil {
		admin.Close()
		return nil, fmt.Errorf("connecting to %s: %w", cfg.Addr, err)
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	s.name = "scimbench_" + hex.EncodeToString(suffix[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+s.name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("creating the scratch database: %w", err)
	}
	cfg.DBName = s.name
	cfg.ParseTime = true
	s.dsn = cfg.FormatDSN()
	if s.db, err = sql.Open("mysql", s.dsn); err != nil {
		_ = s.drop()
		return nil, err
	}
	return s, nil
}

// drop removes the scratch database, whatever happened before.
func (s *scratch) drop() error {
	if s.db != nil {
		s.db.Close()
	}
	_, err := s.admin.Exec("DROP DATABASE IF EXISTS " + s.name)
	s.admin.Close()
	if err != nil {
		return fmt.Errorf("dropping the scratch database %s: %w", s.name, err)
	}
	return nil
}

func (s *scratch) createSchema(ctx context.Context) error {
	for _, q := range schema {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("creating the schema: %w", err)
		}
	}
	return nil
}

// exec runs setup statements.
func (s *scratch) exec(ctx context.Context, queries ...string) error {
	for _, q := range queries {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
}

// analyze updates the tables' index statistics after a bulk fill, as a
// server does by itself a while later: until then, the optimizer may take
// a new table of 100,000 users for an empty one, and read a group's every
// membership to find a page's.
func (s *scratch) analyze(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "ANALYZE TABLE users, roles, user_roles")
	if err != nil {
		return fmt.Errorf("analyzing the tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// truncate empties the tables.
func (s *scratch) truncate(ctx context.Context) error {
	return s.exec(ctx, "TRUNCATE TABLE user_roles", "TRUNCATE TABLE roles", "TRUNCATE TABLE users")
}

// fillUsers adds the users numbered from to to-1, named user0000001 and so
// on, with multi-row inserts, and returns the id of the first. Ids are
// consecutive, as AUTO_INCREMENT gives them to one session's inserts; the
// count of rows is checked.
func (s *scratch) fillUsers(ctx context.Context, from, to int) (first int64, err error) {
	for start := from; start < to; start += 2000 {
		var q strings.Builder
		q.WriteString("INSERT INTO users (login, email, first_name, last_name, display_name, okta_id, status, created_at, updated_at) VALUES ")
		for i := start; i < min(to, start+2000); i++ {
			if i > start {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "('user%07d','user%07d@example.com','First','Last%d','First Last%d','00u%07d',1,'2024-01-01 00:00:00','2024-01-01 00:00:00')", i, i, i, i, i)
		}
		res, err := s.db.ExecContext(ctx, q.String())
		if err != nil {
			return 0, fmt.Errorf("inserting users: %w", err)
		}
		if start == from {
			if first, err = res.LastInsertId(); err != nil {
				return 0, err
			}
		}
	}
	var lo, hi, n int64
	if err := s.db.QueryRowContext(ctx, "SELECT MIN(id), MAX(id), COUNT(*) FROM users WHERE login >= ? AND login < ?",
		fmt.Sprintf("user%07d", from), fmt.Sprintf("user%07d", to)).Scan(&lo, &hi, &n); err != nil {
		return 0, err
	}
	if lo != first || hi-lo+1 != int64(to-from) || n != int64(to-from) {
		return 0, fmt.Errorf("users %d to %d took ids %d to %d (%d rows), not consecutive ones from %d", from, to-1, lo, hi, n, first)
	}
	return first, nil
}

// createGroups creates groups with these names and returns their ids.
func (s *scratch) createGroups(ctx context.Context, names ...string) ([]int64, error) {
	ids := make([]int64, len(names))
	for i, n := range names {
		res, err := s.db.ExecContext(ctx, "INSERT INTO roles (name, created_at) VALUES (?, '2024-01-01 00:00:00')", n)
		if err != nil {
			return nil, fmt.Errorf("creating group %s: %w", n, err)
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// addMembers makes users first to first+n-1 members of group gid.
func (s *scratch) addMembers(ctx context.Context, gid, first int64, n int) error {
	for start := 0; start < n; start += 5000 {
		var q strings.Builder
		q.WriteString("INSERT INTO user_roles (user_id, role_id) VALUES ")
		for i := start; i < min(n, start+5000); i++ {
			if i > start {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "(%d,%d)", first+int64(i), gid)
		}
		if _, err := s.db.ExecContext(ctx, q.String()); err != nil {
			return fmt.Errorf("adding members: %w", err)
		}
	}
	return nil
}
