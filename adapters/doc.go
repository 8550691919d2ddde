// Package adapters is the storage port of scimbridge: the interfaces, records,
// queries and sentinel errors that every storage implementation provides and
// that the mapping and SCIM layers program against. It imports only the
// standard library.
//
// Where a change goes: a method every Store needs goes on Store or Groups
// (adapters.go, groups.go); something only some backends can do is an
// optional capability, declared once in capabilities.go (or groupsread.go)
// and found by a type assertion. What a call did comes back in its results
// (GroupsRead, Written), never through the context.
//
// Columns are described neutrally: an adapter's Describe reports each
// column's ColumnKind (text, integer, decimal, float, time, date, JSON,
// binary, bit, enum, set), whether a time is kept as local wall-clock
// time, an integer's range, the members of an enum or set, whether
// comparisons fold case and whether stored text loses trailing spaces
// (ColumnInfo). The mapping layer decides by these fields only; the
// backend's own type, collation and character set names (DataType,
// ColumnType, Collation, Charset) are for messages and for the backend
// itself. A new backend classifies its type names in its own package, as
// adapters/mysql/coltype does for MySQL and MariaDB.
package adapters
