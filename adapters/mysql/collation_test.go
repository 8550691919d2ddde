package mysql

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// collationSchema keys users and groups by CHAR(36) strings, as a legacy
// application with UUID keys does, in utf8mb4_unicode_ci; the join table
// holds the user key in utf8mb4_general_ci and the group key in latin1,
// and the phone numbers are a latin1 table: every join crosses a
// collation, which MySQL and MariaDB refuse ("Illegal mix of collations")
// or answer without the index unless the SQL converts one side.
const collationSchema = `
CREATE TABLE people (
	id CHAR(36) NOT NULL PRIMARY KEY,
	login VARCHAR(64) NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE crews (
	id CHAR(36) NOT NULL PRIMARY KEY,
	name VARCHAR(64) NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE crew_people (
	crew_id CHAR(36) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL,
	person_id CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
	PRIMARY KEY (crew_id, person_id),
	KEY crew_people_person (person_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE person_phones (
	id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	person_id CHAR(36) NOT NULL,
	number VARCHAR(32) NOT NULL,
	KEY person_phones_person (person_id)
) DEFAULT CHARSET=latin1;
`

func collationFixture(t *testing.T) (groupStore, *store, *sqlx.DB) {
	t.Helper()
	db, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(collationSchema); err != nil {
		t.Fatal(err)
	}
	// Enough rows that the optimizer prefers an index to a scan where
	// it can use one.
	var people, crews, links, phones []string
	for i := range 400 {
		people = append(people, fmt.Sprintf("('00000000-0000-4000-8000-%012d', 'user%d')", i, i))
		phones = append(phones, fmt.Sprintf("('00000000-0000-4000-8000-%012d', '+1 555 %04d')", i, i))
		links = append(links, fmt.Sprintf("('10000000-0000-4000-8000-%012d', '00000000-0000-4000-8000-%012d')", i%40, i))
	}
	for i := range 40 {
		crews = append(crews, fmt.Sprintf("('10000000-0000-4000-8000-%012d', 'crew%d')", i, i))
	}
	for _, q := range []string{
		"INSERT INTO people (id, login) VALUES " + strings.Join(people, ","),
		"INSERT INTO crews (id, name) VALUES " + strings.Join(crews, ","),
		"INSERT INTO crew_people (crew_id, person_id) VALUES " + strings.Join(links, ","),
		"INSERT INTO person_phones (person_id, number) VALUES " + strings.Join(phones, ","),
		"ANALYZE TABLE people, crews, crew_people, person_phones",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	a := New(db, nil)
	for _, tb := range []adapters.Table{"people", "crews", "crew_people", "person_phones"} {
		if _, err := a.Describe(context.Background(), tb); err != nil {
			t.Fatal(err)
		}
	}
	users := adapters.TableSpec{Table: "people", Key: "id", KeyKind: adapters.KeyUUID, Columns: []adapters.Column{"id", "login"},
		Children: []adapters.ChildSpec{{Name: "@phones", Table: "person_phones", Parent: "person_id", Columns: []adapters.Column{"number"}}}}
	us, err := a.Store(users)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := a.Store(adapters.TableSpec{
		Table: "crews", Key: "id", KeyKind: adapters.KeyUUID, Columns: []adapters.Column{"id", "name"}, Display: "name",
		Members: &adapters.MembershipSpec{Users: users, Display: "login", JoinTable: "crew_people", JoinGroup: "crew_id", JoinUser: "person_id", GroupRef: "id"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return gs.(groupStore), us.(*store), db
}

// explainKeys returns, for each table alias EXPLAIN lists, the index it
// says the query uses ("" for none).
func explainKeys(t *testing.T, db *sqlx.DB, query string, args ...any) map[string]string {
	t.Helper()
	rows, err := db.Queryx("EXPLAIN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			t.Fatal(err)
		}
		table, _ := m["table"].([]byte)
		key, _ := m["key"].([]byte)
		out[string(table)] = string(key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestJoinsAcrossCollations: memberships, a user's groups and filters on
// child rows work although every join crosses a collation or character
// set, and EXPLAIN shows each lookup served by its index.
func TestJoinsAcrossCollations(t *testing.T) {
	g, users, db := collationFixture(t)
	ctx := context.Background()
	const crew0 = "10000000-0000-4000-8000-000000000000"
	const person0, person40 = "00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000040"

	// Unconverted, the server refuses the join outright.
	if _, err := db.Exec("SELECT u.id FROM crew_people j JOIN people u ON u.id = j.person_id WHERE j.crew_id = ?", crew0); err == nil && !mysqltest.Embedded() {
		t.Error("the plain join of utf8mb4_unicode_ci and utf8mb4_general_ci columns worked; this test no longer shows the problem")
	}

	var got []string
	if err := g.EachMember(ctx, crew0, func(m adapters.Member) error { got = append(got, m.ID); return nil }); err != nil {
		t.Fatalf("members: %v", err)
	}
	want := []string{}
	for i := 0; i < 400; i += 40 {
		want = append(want, fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
	}
	if !slices.Equal(got, want) {
		t.Errorf("members of crew0: %v, want %v", got, want)
	}
	of, err := g.GroupsOf(ctx, []string{person0, person40})
	if err != nil {
		t.Fatalf("groups of users: %v", err)
	}
	if len(of[person0]) != 1 || of[person0][0].ID != crew0 || of[person0][0].Display != "crew0" || len(of[person40]) != 1 {
		t.Errorf("groups of users: %v", of)
	}
	_, _, err = g.UpdateGroup(ctx, "10000000-0000-4000-8000-000000000001", func(r adapters.Record) (adapters.Record, []adapters.MemberOp, error) {
		return r, []adapters.MemberOp{{Kind: adapters.MemberAdd, IDs: []string{person0}}, {Kind: adapters.MemberRemove, IDs: []string{"00000000-0000-4000-8000-000000000001"}}}, nil
	})
	if err != nil {
		t.Fatalf("changing members: %v", err)
	}
	page, err := users.List(ctx, adapters.Query{Limit: 10, Where: adapters.Exists{Child: "@phones", Where: adapters.Compare{Column: "number", Op: adapters.OpEq, Value: "+1 555 0007"}}})
	if err != nil || len(page.Records) != 1 || page.Records[0]["login"] != "user7" {
		t.Fatalf("filter on a child: %v %v", page.Records, err)
	}

	mysqltest.SkipIfEmbedded(t, "go-mysql-server's EXPLAIN output has another shape")
	q, args := g.members.membersQuery(crew0)
	if keys := explainKeys(t, db, q, args...); keys["j"] != "PRIMARY" || keys["u"] != "PRIMARY" {
		t.Errorf("members query uses %v, want the join table's and the users' PRIMARY keys\n%s", keys, q)
	}
	q, args = g.members.groupsQuery([]any{person0, person40})
	if keys := explainKeys(t, db, q, args...); keys["j"] != "crew_people_person" || keys["g"] != "PRIMARY" {
		t.Errorf("groups query uses %v, want crew_people_person and the groups' PRIMARY key\n%s", keys, q)
	}
	// A child filter on a user found by key looks the child rows up by
	// their parent column's index.
	var b builder
	b.sql.WriteString("SELECT id FROM people WHERE id = ? AND ")
	b.args = append(b.args, person40)
	if err := users.expr(&b, adapters.Exists{Child: "@phones", Where: adapters.Compare{Column: "number", Op: adapters.OpEq, Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	if keys := explainKeys(t, db, b.sql.String(), b.args...); keys["person_phones"] != "person_phones_person" {
		t.Errorf("filter on a child uses %v, want person_phones_person\n%s", keys, b.sql.String())
	}
}
