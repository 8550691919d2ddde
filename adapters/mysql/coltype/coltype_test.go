package coltype

import (
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestClassify pins the kinds, ranges and members derived from MySQL
// type names.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		in       adapters.ColumnInfo
		kind     adapters.ColumnKind
		lo       int64
		hi       uint64
		local    bool
		fold     bool
		trailing bool
	}{
		{adapters.ColumnInfo{DataType: "tinyint", ColumnType: "tinyint(4)"}, adapters.KindInteger, -128, 127, false, false, false},
		{adapters.ColumnInfo{DataType: "mediumint", ColumnType: "mediumint(8) unsigned", Unsigned: true}, adapters.KindInteger, 0, 1<<24 - 1, false, false, false},
		{adapters.ColumnInfo{DataType: "bigint", ColumnType: "bigint(20) unsigned", Unsigned: true}, adapters.KindInteger, 0, 1<<64 - 1, false, false, false},
		{adapters.ColumnInfo{DataType: "bit", ColumnType: "bit(3)"}, adapters.KindBit, 0, 7, false, false, false},
		{adapters.ColumnInfo{DataType: "bit", ColumnType: "bit"}, adapters.KindBit, 0, 1, false, false, false},
		{adapters.ColumnInfo{DataType: "datetime", ColumnType: "datetime"}, adapters.KindTime, 0, 0, true, false, false},
		{adapters.ColumnInfo{DataType: "timestamp", ColumnType: "timestamp"}, adapters.KindTime, 0, 0, false, false, false},
		{adapters.ColumnInfo{DataType: "date", ColumnType: "date"}, adapters.KindDate, 0, 0, false, false, false},
		{adapters.ColumnInfo{DataType: "char", ColumnType: "char(4)", Collation: "utf8mb4_general_ci"}, adapters.KindText, 0, 0, false, true, true},
		{adapters.ColumnInfo{DataType: "longtext", ColumnType: "longtext", Collation: "utf8mb4_bin"}, adapters.KindText, 0, 0, false, false, false},
		{adapters.ColumnInfo{DataType: "json", ColumnType: "json"}, adapters.KindJSON, 0, 0, false, false, false},
		{adapters.ColumnInfo{DataType: "geometry", ColumnType: "geometry"}, adapters.KindOther, 0, 0, false, false, false},
	} {
		got := Classify(c.in)
		if got.Kind != c.kind || got.IntMin != c.lo || got.IntMax != c.hi || got.LocalTime != c.local || got.FoldsCase != c.fold || got.DropsTrailingSpaces != c.trailing {
			t.Errorf("Classify(%s) = kind %q range %d..%d local %v fold %v trailing %v", c.in.ColumnType, got.Kind, got.IntMin, got.IntMax, got.LocalTime, got.FoldsCase, got.DropsTrailingSpaces)
		}
	}
	e := Classify(adapters.ColumnInfo{DataType: "enum", ColumnType: "enum('a','b''c','')"})
	if e.Kind != adapters.KindEnum || !slices.Equal(e.Members, []string{"a", "b'c", ""}) {
		t.Errorf("enum: kind %q members %q", e.Kind, e.Members)
	}
	if s := Classify(adapters.ColumnInfo{DataType: "set", ColumnType: "set('x','y')"}); s.Kind != adapters.KindSet || !slices.Equal(s.Members, []string{"x", "y"}) {
		t.Errorf("set: kind %q members %q", s.Kind, s.Members)
	}
}
