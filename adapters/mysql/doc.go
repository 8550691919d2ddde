// Package mysql implements the adapters storage port on MySQL and MariaDB
// through go-sql-driver/mysql and sqlx: parameterised SQL over the tables the
// compiled mapping names, one transaction per write, and schema introspection
// through information_schema.
package mysql
