package scim_test

import (
	"strings"
	"testing"
)

// refSchema has a groups table that an application table (tickets) refers
// to without ON DELETE CASCADE, a users table whose org_id must name an
// existing organisation, and a title column that is NOT NULL without a
// default.
const refSchema = `
CREATE TABLE orgs (id INT NOT NULL PRIMARY KEY);
INSERT INTO orgs VALUES (1);
CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(64) NOT NULL UNIQUE,
  title VARCHAR(64) NOT NULL, org_id INT NOT NULL DEFAULT 1, FOREIGN KEY (org_id) REFERENCES orgs (id));
CREATE TABLE teams (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE);
CREATE TABLE tickets (id INT NOT NULL PRIMARY KEY, team_id INT NOT NULL, FOREIGN KEY (team_id) REFERENCES teams (id));
`

const refMapping = `
User:
  table: users
  id: {column: id}
  attributes:
    userName: login
    title: title
    urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization: org_id
  ignoreDeactivation: true
  delete: hard
Group:
  table: teams
  id: {column: id}
  attributes:
    displayName: name
  delete: hard
`

// TestDatabaseRefusalsAreNamed: what the application's own constraints
// refuse is told as what it is, never as a taken name and never as a 500:
// a group that rows of the application still refer to is not deleted
// (409 without scimType uniqueness), a value that names no row of the
// table a foreign key points at is a 400 invalidValue, and a create that
// leaves out a column the table needs is a 400 invalidValue. Nothing is
// written by any of them.
func TestDatabaseRefusalsAreNamed(t *testing.T) {
	s := newSidecarText(t, refSchema, refMapping)
	r := s.do("POST", "/scim/v2/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "ops"})
	if r.Status != 201 {
		t.Fatalf("POST group: %d %s", r.Status, r.Raw)
	}
	id, _ := r.Body["id"].(string)
	if _, err := s.db.Exec("INSERT INTO tickets VALUES (1, ?)", id); err != nil {
		t.Fatal(err)
	}
	r = s.do("DELETE", "/scim/v2/Groups/"+id, nil)
	if r.Status != 409 || r.Body["scimType"] == "uniqueness" || !strings.Contains(r.Raw, "refer") {
		t.Errorf("DELETE of a group tickets refer to: %d %s; want 409 saying that rows refer to it", r.Status, r.Raw)
	}
	if n := s.Rows("SELECT name FROM teams"); len(n) != 1 {
		t.Errorf("teams after the refused delete: %q", n)
	}

	user := func(extra map[string]any) map[string]any {
		doc := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "kim"}
		for k, v := range extra {
			doc[k] = v
		}
		return doc
	}
	r = s.do("POST", "/scim/v2/Users", user(map[string]any{"title": "Engineer",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"organization": "7"}}))
	if r.Status != 400 || r.Body["scimType"] != "invalidValue" || !strings.Contains(r.Raw, "exist") {
		t.Errorf("POST naming an organisation that does not exist: %d %s; want 400 invalidValue", r.Status, r.Raw)
	}
	r = s.do("POST", "/scim/v2/Users", user(nil))
	if r.Status != 400 || r.Body["scimType"] != "invalidValue" || !strings.Contains(r.Raw, "title") {
		t.Errorf("POST without the title the table needs: %d %s; want 400 invalidValue", r.Status, r.Raw)
	}
	if strings.Contains(r.Raw, "Field") || strings.Contains(r.Raw, "default value") {
		t.Errorf("the database's own text reached the client: %s", r.Raw)
	}
	if n := s.Rows("SELECT login FROM users"); len(n) != 0 {
		t.Errorf("users after refused creates: %q", n)
	}
}
