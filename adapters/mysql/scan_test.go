package mysql

import (
	"context"
	"reflect"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestScanRows reads rows whose text columns (NULL, empty, multi-byte,
// between columns of other types) share one string per row, on a page
// whose scan destinations serve every row: each row holds its own values,
// unchanged by the rows read after it.
func TestScanRows(t *testing.T) {
	db, _ := openRecording(t)
	for _, q := range []string{
		"CREATE TABLE people (id INT NOT NULL PRIMARY KEY, a VARCHAR(20) NULL, n INT NULL, b TEXT NULL, c CHAR(3) NULL) COLLATE=utf8mb4_general_ci",
		"INSERT INTO people VALUES (1, 'ann', 7, 'déjà vu', 'xyz'), (2, NULL, NULL, '', NULL), (3, '', 9, NULL, 'ü'), (4, 'ßtraße', 0, 'long text', '')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	a := New(db, nil)
	ctx := context.Background()
	if _, err := a.Describe(ctx, "people"); err != nil {
		t.Fatal(err)
	}
	st, err := a.Store(adapters.TableSpec{Table: "people", Key: "id", Columns: []adapters.Column{"id", "a", "n", "b", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []adapters.Record{
		{"id": int64(1), "a": "ann", "n": int64(7), "b": "déjà vu", "c": "xyz"},
		{"id": int64(2), "a": nil, "n": nil, "b": "", "c": nil},
		{"id": int64(3), "a": "", "n": int64(9), "b": nil, "c": "ü"},
		{"id": int64(4), "a": "ßtraße", "n": int64(0), "b": "long text", "c": ""},
	}
	page, err := st.List(ctx, adapters.Query{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(page.Records, want) {
		t.Errorf("List read\n%v\nwant\n%v", page.Records, want)
	}
	for _, w := range want {
		got, err := st.Get(ctx, canonical(w["id"]))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("Get %v read %v, want %v", w["id"], got, w)
		}
	}
}
