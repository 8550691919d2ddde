package mapping

import (
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/coltype"
)

// TestValueFits pins which constants a column holds exactly: integers in
// the range of their type, ENUM values as written, text within the
// length, no trailing space in a CHAR.
func TestValueFits(t *testing.T) {
	col := func(dataType, columnType string, unsigned bool, maxLen int64) adapters.ColumnInfo {
		return coltype.Classify(adapters.ColumnInfo{Name: "c", DataType: dataType, ColumnType: columnType, Unsigned: unsigned, MaxLength: maxLen, Collation: "utf8mb4_general_ci"})
	}
	tinyint, utiny := col("tinyint", "tinyint(4)", false, 0), col("tinyint", "tinyint(3) unsigned", true, 0)
	bigint, ubig := col("bigint", "bigint(20)", false, 0), col("bigint", "bigint(20) unsigned", true, 0)
	enum := col("enum", "enum('on','off','it''s')", false, 0)
	for _, c := range []struct {
		ci   adapters.ColumnInfo
		v    any
		fits bool
	}{
		{tinyint, int64(127), true}, {tinyint, int64(-128), true}, {tinyint, int64(128), false}, {tinyint, int64(-129), false},
		{tinyint, "no", false}, {tinyint, "1", true}, {tinyint, true, true}, {tinyint, 1.5, false},
		{utiny, int64(255), true}, {utiny, int64(256), false}, {utiny, int64(-1), false},
		{bigint, int64(-1 << 63), true}, {ubig, int64(-1), false}, {ubig, uint64(1 << 62), true},
		{col("bit", "bit(1)", false, 0), int64(1), true}, {col("bit", "bit(1)", false, 0), int64(2), false},
		{enum, "on", true}, {enum, "ON", false}, {enum, "it's", true}, {enum, "gone", false},
		{col("varchar", "varchar(3)", false, 3), "abc", true}, {col("varchar", "varchar(3)", false, 3), "abcd", false},
		{col("varchar", "varchar(3)", false, 3), "äöü", true},
		{col("char", "char(4)", false, 4), "ab ", false}, {col("char", "char(4)", false, 4), "ab", true},
	} {
		if got := valueFits(c.ci, c.v) == ""; got != c.fits {
			t.Errorf("%s holds %#v: %v, want %v (%s)", c.ci.ColumnType, c.v, got, c.fits, valueFits(c.ci, c.v))
		}
	}
}
