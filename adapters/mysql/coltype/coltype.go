// Package coltype classifies MySQL and MariaDB column types into the
// neutral column kinds of the adapters port (adapters.ColumnKind, integer
// ranges, ENUM members, case folding). The adapter's Describe fills every
// column through Classify; tests that describe tables without a server
// call it too, so that the MySQL type names live in this package only.
package coltype

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// Classify fills the neutral fields of c (Kind, LocalTime, IntMin,
// IntMax, Members, FoldsCase, DropsTrailingSpaces) from its MySQL
// DataType, ColumnType, Unsigned and Collation, and returns it.
func Classify(c adapters.ColumnInfo) adapters.ColumnInfo {
	c.Kind, c.LocalTime, c.DropsTrailingSpaces = kind(c.DataType), c.DataType == "datetime", c.DataType == "char"
	c.IntMin, c.IntMax, _ = intRange(c)
	c.Members = nil
	if c.Kind == adapters.KindEnum || c.Kind == adapters.KindSet {
		c.Members = enumValues(c.ColumnType)
	}
	c.FoldsCase = strings.HasSuffix(c.Collation, "_ci") && len(c.Collation) > 3
	return c
}

// ClassifyTable classifies every column of info in place and returns it.
func ClassifyTable(info adapters.TableInfo) adapters.TableInfo {
	cols := make([]adapters.ColumnInfo, len(info.Columns))
	for i, c := range info.Columns {
		cols[i] = Classify(c)
	}
	info.Columns = cols
	return info
}

// kind is the column kind of a lower-case DATA_TYPE.
func kind(dataType string) adapters.ColumnKind {
	switch dataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return adapters.KindText
	case "enum":
		return adapters.KindEnum
	case "set":
		return adapters.KindSet
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return adapters.KindInteger
	case "decimal":
		return adapters.KindDecimal
	case "float", "double":
		return adapters.KindFloat
	case "datetime", "timestamp":
		return adapters.KindTime
	case "date":
		return adapters.KindDate
	case "json":
		return adapters.KindJSON
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return adapters.KindBinary
	case "bit":
		return adapters.KindBit
	}
	return adapters.KindOther
}

// intRange returns the smallest and largest value an integer or BIT
// column holds; ok is false when the type is not known.
func intRange(ci adapters.ColumnInfo) (lo int64, hi uint64, ok bool) {
	if ci.DataType == "bit" {
		n := 1
		if m := bitWidthRE.FindStringSubmatch(ci.ColumnType); m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		if n < 1 || n > 64 {
			return 0, 0, false
		}
		if n == 64 {
			return 0, 1<<64 - 1, true
		}
		return 0, 1<<uint(n) - 1, true
	}
	bits, ok := map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}[ci.DataType]
	switch {
	case !ok:
		return 0, 0, false
	case ci.Unsigned && bits == 64:
		return 0, 1<<64 - 1, true
	case ci.Unsigned:
		return 0, 1<<bits - 1, true
	case bits == 64:
		return -1 << 63, 1<<63 - 1, true
	}
	return -1 << (bits - 1), 1<<(bits-1) - 1, true
}

var bitWidthRE = regexp.MustCompile(`^bit\((\d+)\)`)

// enumValues lists the values of an ENUM or SET column type, as
// information_schema writes it: enum('a','b'), a quote doubled.
func enumValues(columnType string) []string {
	open := strings.IndexByte(columnType, '(')
	if open < 0 || !strings.HasSuffix(columnType, ")") {
		return nil
	}
	body := columnType[open+1 : len(columnType)-1]
	var out []string
	for i := 0; i < len(body); {
		if body[i] != '\'' {
			i++
			continue
		}
		var b strings.Builder
		j := i + 1
		for j < len(body) {
			if body[j] == '\'' {
				if j+1 < len(body) && body[j+1] == '\'' {
					b.WriteByte('\'')
					j += 2
					continue
				}
				break
			}
			if body[j] == '\\' && j+1 < len(body) {
				j++
			}
			b.WriteByte(body[j])
			j++
		}
		out = append(out, b.String())
		i = j + 1
	}
	return out
}
