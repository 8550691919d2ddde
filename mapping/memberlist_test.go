package mapping

import (
	"errors"
	"slices"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
)

// TestMemberListEdit: a membership's list codec adds and removes one
// group's token, keeping every other entry (roles, the application's own
// tokens, false keys) where it was.
func TestMemberListEdit(t *testing.T) {
	col := adapters.ColumnInfo{Name: "roles", DataType: "longtext"}
	for _, tc := range []struct {
		lc          ListConfig
		stored      any
		token       string
		in          bool
		want        any
		wantTokens  []string
		unreadable  bool
		nullableCol bool
	}{
		{lc: ListConfig{Encoding: ListJSON}, stored: `["ROLE_USER","X"]`, token: "ROLE_ADMIN", in: true, want: `["ROLE_USER","X","ROLE_ADMIN"]`, wantTokens: []string{"ROLE_USER", "X"}},
		{lc: ListConfig{Encoding: ListJSON}, stored: `["ROLE_ADMIN","ROLE_USER",1]`, token: "ROLE_ADMIN", in: false, want: `["ROLE_USER",1]`, wantTokens: []string{"ROLE_ADMIN", "ROLE_USER"}},
		{lc: ListConfig{Encoding: ListJSON}, stored: `["ROLE_USER"]`, token: "ROLE_ADMIN", in: false, want: `["ROLE_USER"]`},
		{lc: ListConfig{Encoding: ListJSON}, stored: nil, token: "A", in: true, want: `["A"]`},
		{lc: ListConfig{Encoding: ListJSON}, stored: nil, token: "A", in: false, want: nil, nullableCol: true},
		{lc: ListConfig{Encoding: ListJSON}, stored: `["A"]`, token: "A", in: false, want: `[]`, nullableCol: true},
		{lc: ListConfig{Encoding: ListDelimited, Delimiter: " "}, stored: "system_user system_admin", token: "system_admin", in: false, want: "system_user", wantTokens: []string{"system_user", "system_admin"}},
		{lc: ListConfig{Encoding: ListJSONObject, TrueValue: "1", FalseValue: "0"}, stored: `{"admin":"0","reports":"1"}`, token: "admin", in: true, want: `{"admin":"1","reports":"1"}`, wantTokens: []string{"reports"}},
		{lc: ListConfig{Encoding: ListPHP}, stored: `a:1:{s:10:"subscriber";b:1;}`, token: "editor", in: true, want: `a:2:{s:10:"subscriber";b:1;s:6:"editor";b:1;}`},
		{lc: ListConfig{Encoding: ListJSON}, stored: `["A",`, token: "B", in: true, unreadable: true},
	} {
		c := compileList(tc.lc, func(sub, format string, args ...any) { t.Fatalf("compileList: %s", sub) })
		ci := col
		ci.Nullable = tc.nullableCol
		ml := memberList{c: c, col: ci}
		got, err := ml.Edit(tc.stored, tc.token, tc.in)
		if tc.unreadable {
			var sv *StoredValueError
			if !errors.As(err, &sv) {
				t.Errorf("Edit(%v): err %v, want a StoredValueError", tc.stored, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s Edit(%v, %q, %v) = %v, %v; want %v", tc.lc.Encoding, tc.stored, tc.token, tc.in, got, err, tc.want)
		}
		if tc.wantTokens != nil {
			if toks, err := ml.Tokens(tc.stored); err != nil || !slices.Equal(toks, tc.wantTokens) {
				t.Errorf("Tokens(%v) = %q, %v; want %q", tc.stored, toks, err, tc.wantTokens)
			}
		}
	}
	d := memberList{c: compileList(ListConfig{Encoding: ListDelimited, Delimiter: " "}, func(string, string, ...any) {}), col: col}
	if _, err := d.Edit("a", "two words", true); err == nil {
		t.Error("a token holding the delimiter was written")
	}
}
