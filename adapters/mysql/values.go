package mysql

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/adapters"
)

// generate makes a value of g, a ULID with the time to the millisecond.
// crypto/rand does not fail (the program stops if it does); a test's
// source that runs dry panics.
func generate(g adapters.Generator) string {
	v, err := g.New(time.Now())
	if err != nil {
		panic(fmt.Sprintf("generating a %s value: %v", g.Kind, err))
	}
	return v
}

// storedValue returns v as a read of a column of that type returns it
// after v was written (normalized, as scan makes it), for the values the
// server stores unchanged: integers in range, valid UTF-8 text that fits
// a utf8mb4 VARCHAR or TEXT column, whole-second DATETIMEs, and NULL in a
// nullable column. It reports false for anything the server might
// convert, round, pad, truncate or refuse.
func storedValue(ci adapters.ColumnInfo, v any) (any, bool) {
	if v == nil {
		return nil, ci.Nullable
	}
	switch ci.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		n, ok := integerValue(v)
		if !ok {
			return nil, false
		}
		bits := map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}[ci.DataType]
		if ci.Unsigned {
			if n < 0 || bits < 64 && uint64(n) >= 1<<bits {
				return nil, false
			}
			return uint64(n), true
		}
		if bits < 64 && (n < -(1<<(bits-1)) || n >= 1<<(bits-1)) {
			return nil, false
		}
		return n, true
	case "varchar", "tinytext", "text", "mediumtext", "longtext":
		str, ok := v.(string)
		if !ok || ci.Charset != "utf8mb4" || !utf8.ValidString(str) || ci.MaxLength > 0 && int64(len(str)) > ci.MaxLength {
			return nil, false
		}
		return str, true
	case "datetime":
		t, ok := v.(time.Time)
		if !ok || t.Nanosecond() != 0 || t.Year() < 1000 || t.Year() > 9999 {
			return nil, false
		}
		return t.UTC(), true
	}
	return nil, false
}

// integerValue returns an integer Go value (or a bool, stored as 0 or 1)
// as an int64.
func integerValue(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint64:
		return int64(x), x <= 1<<63-1
	case uint32:
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// timeValue converts t to what column c stores: a time for DATETIME and
// TIMESTAMP, Unix seconds for integer columns.
func (s *store) timeValue(c adapters.Column, t time.Time) any {
	if ci := s.cols[c]; isInteger(ci.DataType) && slices.Contains(s.spec.Milliseconds, c) {
		return t.UnixMilli()
	}
	return timeIn(s.cols[c], s.spec.Location, t)
}

// timeIn converts t to what a column of that type stores: Unix seconds in
// an integer column, wall-clock time in loc (nil: UTC) in a DATETIME,
// the instant in a TIMESTAMP.
func timeIn(ci adapters.ColumnInfo, loc *time.Location, t time.Time) any {
	switch {
	case isInteger(ci.DataType):
		return t.Unix()
	case ci.DataType == "datetime" && loc != nil:
		w := t.In(loc)
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	default:
		return t.UTC()
	}
}

// defaultValue is the value a Default writes into a column of that type.
func defaultValue(d adapters.Default, ci adapters.ColumnInfo, loc *time.Location, now time.Time) any {
	switch d.Kind {
	case adapters.DefaultNow:
		if d.Milliseconds && isInteger(ci.DataType) {
			return now.UnixMilli()
		}
		return timeIn(ci, loc, now)
	case adapters.DefaultUUID:
		return newUUID()
	case adapters.DefaultGenerated:
		return generate(d.Gen)
	default:
		return d.Value
	}
}

func cloneRecord(r adapters.Record) adapters.Record {
	out := make(adapters.Record, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func isInteger(dataType string) bool {
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		return true
	}
	return false
}

func isText(dataType string) bool {
	switch dataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json", "decimal":
		return true
	}
	return false
}

// normalize turns what the driver scanned into the Go type the Record
// contract promises for the column.
func normalize(c adapters.ColumnInfo, v any) any {
	switch x := v.(type) {
	case []byte:
		switch {
		case isText(c.DataType):
			return string(x)
		case isInteger(c.DataType):
			if c.Unsigned {
				if n, err := strconv.ParseUint(string(x), 10, 64); err == nil {
					return n
				}
			}
			if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return n
			}
		case c.DataType == "bit":
			var n int64
			for _, b := range x {
				n = n<<8 | int64(b)
			}
			return n
		case c.DataType == "float" || c.DataType == "double":
			if f, err := strconv.ParseFloat(string(x), 64); err == nil {
				return f
			}
		}
		return slices.Clone(x)
	case int32:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int:
		return int64(x)
	case uint32:
		return uint64(x)
	case time.Time:
		if x.Location() == time.UTC {
			return v // as it is, not boxed again
		}
		return x.UTC()
	}
	return v
}

// canonical renders a column value for equality tests across the Go types a
// value may arrive in (int vs int64, bool vs 1, []byte vs string).
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		return x
	case int64:
		// Keys, as ids are made of them on every read: as fmt.Sprint
		// writes them, without its reflection.
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	}
	return fmt.Sprint(v)
}

var collationRE = regexp.MustCompile(`^([a-z0-9]+)_[a-z0-9_]+$`)

// sameRecord reports whether two reads of a row are equal.
func sameRecord(a, b adapters.Record) bool {
	if len(a) != len(b) {
		return false
	}
	for c, v := range a {
		if !sameRelated(v, b[c]) {
			return false
		}
	}
	return true
}
