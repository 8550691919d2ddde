package scim_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// newSidecarText is newSidecar with the schema and the resources section
// given as text.
func newSidecarText(t testing.TB, schema, mapping string, serverExtra ...string) *sidecar {
	t.Helper()
	dir := t.TempDir()
	sf, mf := filepath.Join(dir, "schema.sql"), filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(sf, []byte(schema), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mf, []byte(mapping), 0o600); err != nil {
		t.Fatal(err)
	}
	return newSidecar(t, sf, mf, serverExtra...)
}

// listUsers returns the userNames a filter selects, sorted, and the
// active value of each as listed.
func (s *sidecar) listUsers(filter string) ([]string, map[string]any) {
	s.t.Helper()
	path := "/scim/v2/Users?count=1000"
	if filter != "" {
		path += "&filter=" + url.QueryEscape(filter)
	}
	r := s.do("GET", path, nil)
	if r.Status != 200 {
		s.t.Fatalf("GET %s: %d %s", path, r.Status, r.Raw)
	}
	var names []string
	active := map[string]any{}
	list, _ := r.Body["Resources"].([]any)
	for _, e := range list {
		u := e.(map[string]any)
		n := fmt.Sprint(u["userName"])
		names = append(names, n)
		active[n] = u["active"]
	}
	slices.Sort(names)
	return names, active
}

// TestActiveFilterAgreesWithRead stores every kind of value in a status
// column (the trueValue, another trueValue, the falseValue, a value the
// mapping does not name, NULL, the trueValue in another case and with a
// trailing space) and requires the filters on active to select exactly the
// users each read shows with that active value: an IdP that asks for the
// active users gets those it is shown as active, and no other.
func TestActiveFilterAgreesWithRead(t *testing.T) {
	for _, tc := range []struct {
		name, column, values, active string
	}{
		{"status ci", "status VARCHAR(16) COLLATE utf8mb4_general_ci NULL",
			"('a', 'active'), ('b', 'staff'), ('c', 'disabled'), ('d', 'pending'), ('e', NULL), ('f', 'Active'), ('g', 'active '), ('h', 'STAFF')",
			"{column: status, trueValue: active, trueValues: [staff], falseValue: disabled}"},
		{"status bin", "status VARCHAR(16) COLLATE utf8mb4_bin NULL",
			"('a', 'active'), ('b', 'staff'), ('c', 'disabled'), ('d', 'pending'), ('e', NULL), ('f', 'Active'), ('g', 'active ')",
			"{column: status, trueValue: active, trueValues: [staff], falseValue: disabled}"},
		{"flag", "status TINYINT NULL",
			"('a', 1), ('b', 2), ('c', 0), ('d', -1), ('e', NULL)",
			"status"},
		{"codes", "status TINYINT NULL",
			"('a', 1), ('b', 2), ('c', 0), ('d', 3), ('e', NULL)",
			"{column: status, trueValues: [1, 2], falseValue: 0}"},
		{"enum", "status ENUM('on','off','gone') NULL",
			"('a', 'on'), ('c', 'off'), ('d', 'gone'), ('e', NULL)",
			"{column: status, trueValue: 'on', falseValue: 'off'}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema := "CREATE TABLE accounts (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(60) NOT NULL, " +
				tc.column + ") DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\nINSERT INTO accounts (login, status) VALUES " + tc.values + ";\n"
			mapping := "User:\n  table: accounts\n  attributes:\n    userName: login\n    active: " + tc.active + "\n  delete: hard\n"
			s := newSidecarText(t, schema, mapping)
			all, read := s.listUsers("")
			var wantTrue, wantFalse []string
			for _, n := range all {
				switch read[n] {
				case true:
					wantTrue = append(wantTrue, n)
				case false:
					wantFalse = append(wantFalse, n)
				default:
					t.Errorf("%s reads active %v; want true or false for every row", n, read[n])
				}
			}
			for filter, want := range map[string][]string{
				"active eq true":       wantTrue,
				"active eq false":      wantFalse,
				"active ne true":       wantFalse,
				"active ne false":      wantTrue,
				"not (active eq true)": wantFalse,
				"active pr":            all,
			} {
				got, _ := s.listUsers(filter)
				if !slices.Equal(got, want) {
					t.Errorf("filter %s selects %v; the reads say %v (read: %v)", filter, got, want, read)
				}
			}
		})
	}
}
