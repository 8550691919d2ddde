package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
)

// TestGroupsReadWithUser checks that a user's GetWithGroups, and the
// locked read of its UpdateWithGroups, read the user's groups,
// as GroupsOf reads them, scope included: on MySQL and MariaDB in the
// same round trip as the row; on the embedded engine not at all, leaving
// the caller to ask GroupsOf.
func TestGroupsReadWithUser(t *testing.T) {
	t.Run("multiStatements", func(t *testing.T) { testGroupsRead(t, "", !mysqltest.Embedded()) })
	// A DSN that turns the driver's multiStatements off (a proxy that
	// refuses them) gets every statement in a round trip of its own.
	t.Run("multiStatements=false", func(t *testing.T) { testGroupsRead(t, "multiStatements=false", false) })
	t.Run("params", func(t *testing.T) { testGroupsRead(t, "params", false) })
}

// testGroupsRead runs the checks on a database reached with the DSN
// parameter param ("params": multiStatements=false in Config.Params).
func testGroupsRead(t *testing.T, param string, batched bool) {
	ctx := context.Background()
	cfg := &Config{DSN: adapters.Secret{Value: mysqltest.NewDatabase(t)}}
	switch param {
	case "":
	case "params":
		cfg.Params = map[string]string{"multiStatements": "false"}
	default:
		sep := "?"
		if strings.Contains(cfg.DSN.Value[strings.LastIndex(cfg.DSN.Value, "/"):], "?") {
			sep = "&"
		}
		cfg.DSN.Value += sep + param
	}
	a := openSchema(t, cfg, []adapters.Table{"users", "roles", "user_roles"},
		"CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL)",
		"CREATE TABLE roles (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, app VARCHAR(10) NOT NULL)",
		"CREATE TABLE user_roles (user_id INT NOT NULL, role_id INT NOT NULL, PRIMARY KEY (role_id, user_id))",
		"INSERT INTO users (login) VALUES ('ann'), ('bob')",
		// Role 2 belongs to another application: out of scope.
		"INSERT INTO roles (name, app) VALUES ('writers', 'scim'), ('hidden', 'other'), ('admins', 'scim')",
		"INSERT INTO user_roles VALUES (1, 3), (1, 2), (1, 1)",
	)
	if a.batches != batched && !mysqltest.Embedded() {
		t.Errorf("batches = %v, want %v", a.batches, batched)
	}
	userSpec := adapters.TableSpec{Table: "users", Key: "id", Columns: []adapters.Column{"id", "login"}}
	roleSpec := adapters.TableSpec{Table: "roles", Key: "id", Columns: []adapters.Column{"id", "name"}, Display: "name", Scope: map[adapters.Column]any{"app": "scim"}}
	membership := adapters.MembershipSpec{Users: userSpec, Display: "login", JoinTable: "user_roles", JoinGroup: "role_id", JoinUser: "user_id", GroupRef: "id"}
	gspec := roleSpec
	gspec.Members = &membership
	gs, err := a.Store(gspec)
	if err != nil {
		t.Fatal(err)
	}
	uspec := userSpec
	uspec.MemberOf = &adapters.GroupLink{Groups: roleSpec, Membership: membership}
	users, err := a.Store(uspec)
	if err != nil {
		t.Fatal(err)
	}
	of, err := gs.(adapters.Groups).GroupsOf(ctx, []string{"1", "2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(of["1"]); got != "[{1 writers} {3 admins}]" {
		t.Fatalf("GroupsOf ann = %s", got)
	}
	reader := users.(adapters.GroupsReader)
	reads := map[string]func(ctx context.Context, id string) (adapters.Record, adapters.GroupsRead, error){
		"Get": reader.GetWithGroups,
		"Update": func(ctx context.Context, id string) (adapters.Record, adapters.GroupsRead, error) {
			return reader.UpdateWithGroups(ctx, id, func(r adapters.Record) (adapters.Record, error) {
				r["login"] = fmt.Sprint(r["login"], "!")
				return r, nil
			})
		},
	}
	for name, read := range reads {
		for _, id := range []string{"1", "2"} {
			rec, gr, err := read(ctx, id)
			if err != nil {
				t.Fatalf("%s %s: %v", name, id, err)
			}
			if fmt.Sprint(rec["id"]) != id {
				t.Errorf("%s %s read %v", name, id, rec)
			}
			if gr.Done != batched {
				t.Errorf("%s %s: groups read %v, want %v", name, id, gr.Done, batched)
			}
			if gr.Done && fmt.Sprint(gr.Groups) != fmt.Sprint(of[id]) {
				t.Errorf("%s %s: groups %v, GroupsOf %v", name, id, gr.Groups, of[id])
			}
		}
		if _, _, err := read(ctx, "99"); !errors.Is(err, adapters.ErrNotFound) {
			t.Errorf("%s of no user: %v, want ErrNotFound", name, err)
		}
	}
	var login string
	if err := a.db.QueryRow("SELECT login FROM users WHERE id = 1").Scan(&login); err != nil || login != "ann!" {
		t.Errorf("after the update: login %q, %v", login, err)
	}
}

// TestGroupsReadAfterMove checks, where a user's group is a column of its
// own row, that an update changing that column does not answer with the
// groups read with the row before it: the store says it has not read them
// (GroupsRead.Done false), and the caller asks GroupsOf after the change.
func TestGroupsReadAfterMove(t *testing.T) {
	ctx := context.Background()
	a := openSchema(t, &Config{DSN: adapters.Secret{Value: mysqltest.NewDatabase(t)}}, []adapters.Table{"users", "roles"},
		"CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL, role VARCHAR(64) NULL)",
		"CREATE TABLE roles (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL)",
		"INSERT INTO roles (name) VALUES ('writers'), ('admins')",
		"INSERT INTO users (login, role) VALUES ('ann', 'admins')",
	)
	userSpec := adapters.TableSpec{Table: "users", Key: "id", Columns: []adapters.Column{"id", "login", "role"}}
	roleSpec := adapters.TableSpec{Table: "roles", Key: "id", Columns: []adapters.Column{"id", "name"}, Display: "name"}
	uspec := userSpec
	uspec.MemberOf = &adapters.GroupLink{Groups: roleSpec, Membership: adapters.MembershipSpec{Users: userSpec, Display: "login", UserColumn: "role", GroupRef: "name"}}
	users, err := a.Store(uspec)
	if err != nil {
		t.Fatal(err)
	}
	reader := users.(adapters.GroupsReader)
	_, gr, err := reader.GetWithGroups(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if gr.Done && fmt.Sprint(gr.Groups) != "[{2 admins}]" {
		t.Errorf("groups read with ann: %v, want admins", gr.Groups)
	}
	_, gr, err = reader.UpdateWithGroups(ctx, "1", func(r adapters.Record) (adapters.Record, error) {
		r["role"] = "writers"
		return r, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if gr.Done {
		t.Errorf("after moving ann to writers, the groups read before the move (%v) were given as hers", gr.Groups)
	}
}

// openSchema opens the adapter cfg describes, closed when the test ends,
// runs the statements on it and describes the tables.
func openSchema(t *testing.T, cfg *Config, tables []adapters.Table, stmts ...string) *Adapter {
	t.Helper()
	ctx := context.Background()
	ad, err := cfg.Open(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ad.Close() })
	a := ad.(*Adapter)
	for _, q := range stmts {
		if _, err := a.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, tb := range tables {
		if _, err := a.Describe(ctx, tb); err != nil {
			t.Fatal(err)
		}
	}
	return a
}
