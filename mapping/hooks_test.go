package mapping

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseStatement pins how a hook's text is read: named parameters
// become placeholders outside strings, identifiers and comments, and
// anything that would make the statement mean more than it reads is
// refused.
func TestParseStatement(t *testing.T) {
	for _, tc := range []struct {
		in      string
		sql     string
		params  []string
		keyword string
		err     string
	}{
		{in: "UPDATE team SET num_members = num_members + 1 WHERE id = :groupId",
			sql: "UPDATE team SET num_members = num_members + 1 WHERE id = ?", params: []string{"groupId"}, keyword: "UPDATE"},
		{in: "INSERT INTO jobs (a, b) VALUES (:id, :name.givenName);",
			sql: "INSERT INTO jobs (a, b) VALUES (?, ?)", params: []string{"id", "name.givenName"}, keyword: "INSERT"},
		{in: "  -- a comment :notParam\n  DELETE FROM t WHERE a = ':no' AND `b:c` = \"x:y\" AND c = :id /* :nope */",
			sql: "-- a comment :notParam\n  DELETE FROM t WHERE a = ':no' AND `b:c` = \"x:y\" AND c = ? /* :nope */", params: []string{"id"}, keyword: "DELETE"},
		{in: "UPDATE t SET a = 'it''s' WHERE b = :id # trailing",
			sql: "UPDATE t SET a = 'it''s' WHERE b = ? # trailing", params: []string{"id"}, keyword: "UPDATE"},
		{in: "UPDATE t SET a = (@x := 1) WHERE id = :id", sql: "UPDATE t SET a = (@x := 1) WHERE id = ?", params: []string{"id"}, keyword: "UPDATE"},
		{in: "DELETE FROM t WHERE id = :id; ", sql: "DELETE FROM t WHERE id = ?", params: []string{"id"}, keyword: "DELETE"},
		{in: "DELETE FROM t WHERE id = :id; DELETE FROM u", err: "more than one statement"},
		{in: "DELETE FROM t WHERE id = :id;-- x\n", sql: "DELETE FROM t WHERE id = ? -- x", params: []string{"id"}, keyword: "DELETE"},
		{in: "UPDATE t SET a = 'x;y' WHERE id = :id", sql: "UPDATE t SET a = 'x;y' WHERE id = ?", params: []string{"id"}, keyword: "UPDATE"},
		{in: "DELETE FROM t WHERE id = ?", err: "? placeholder"},
		{in: "DELETE FROM t WHERE a = 'x\\'; DROP TABLE t; '", err: "backslash"},
		{in: "DELETE FROM t WHERE a = 'x", err: "quoted string"},
		{in: "DELETE FROM t /* x", err: "comment"},
		{in: "/*!50000 DROP TABLE t */ DELETE FROM t", err: "executable comment"},
		{in: "DELETE FROM t WHERE a = : id", err: "names no parameter"},
		{in: "SELECT 1", sql: "SELECT 1", keyword: "SELECT"},
	} {
		ps, err := parseStatement(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseStatement(%q) = %v, want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseStatement(%q): %v", tc.in, err)
			continue
		}
		if ps.sql != tc.sql || !reflect.DeepEqual(ps.params, tc.params) || ps.keyword != tc.keyword {
			t.Errorf("parseStatement(%q) = %q %q %q, want %q %q %q", tc.in, ps.sql, ps.params, ps.keyword, tc.sql, tc.params, tc.keyword)
		}
	}
}

func TestStatementKind(t *testing.T) {
	for kw, want := range map[string]string{
		"insert": "", "UPDATE": "", "Delete": "", "REPLACE": "",
		"SELECT": "only reads", "with": "only reads", "DROP": "changes the schema",
		"COMMIT": "controls the transaction", "SET": "controls the transaction", "CALL": "not a statement a hook runs",
	} {
		got := statementKind(kw)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("statementKind(%q) = %q, want %q", kw, got, want)
		}
	}
}
