package scim_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// entitySchema is shaped like Apache Guacamole's: users and groups are
// entity rows, a group has a 1:1 row of its own with its own key, and a
// membership names the group by that key and the member by its entity.
// Its foreign keys do not cascade (Guacamole's do), so that a deletion
// that left a membership behind fails.
const entitySchema = `
CREATE TABLE entity (entity_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(128) NOT NULL,
  type ENUM('USER', 'USER_GROUP') NOT NULL, UNIQUE KEY entity_name (type, name));
CREATE TABLE team (team_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, entity_id INT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT 0, UNIQUE KEY team_entity (entity_id),
  FOREIGN KEY (entity_id) REFERENCES entity (entity_id) ON DELETE CASCADE);
CREATE TABLE team_member (team_id INT NOT NULL, member_entity_id INT NOT NULL, PRIMARY KEY (team_id, member_entity_id),
  FOREIGN KEY (team_id) REFERENCES team (team_id),
  FOREIGN KEY (member_entity_id) REFERENCES entity (entity_id));
INSERT INTO entity VALUES (1, 'ann', 'USER'), (2, 'bob', 'USER'), (3, 'ops', 'USER_GROUP'), (4, 'dev', 'USER_GROUP'), (5, 'cyd', 'USER');
-- The teams' keys differ from their entities': team 20 is entity 3.
INSERT INTO team VALUES (20, 3, 0), (10, 4, 0);
-- ann is in ops, bob in dev, and the group dev is itself a member of ops.
INSERT INTO team_member VALUES (20, 1), (10, 2), (20, 4);
`

const entityMapping = `
User:
  table: entity
  id: {column: entity_id}
  scope: {type: USER}
  attributes:
    userName: name
  ignoreDeactivation: true
  delete: hard
Group:
  table: entity
  id: {column: entity_id}
  scope: {type: USER_GROUP}
  joined:
    - table: team
      key: entity_id
  attributes:
    displayName: name
  members:
    table: team_member
    group: team_id
    user: member_entity_id
    references: team.team_id
`

// TestMembersJoinedGroupRef: a membership that names the group by a
// joined table's column (team.team_id), not by the group's id: reads,
// filters, a user's groups, adds, removes, replaces, and the deletions of
// a group and a user, by the team's key throughout.
func TestMembersJoinedGroupRef(t *testing.T) {
	s := newSidecarText(t, entitySchema, entityMapping)
	memberships := func() string {
		return strings.Join(s.Rows("SELECT CONCAT(team_id, ':', member_entity_id) FROM team_member ORDER BY team_id, member_entity_id"), " ")
	}
	r := s.do("GET", "/scim/v2/Groups/3", nil)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("GET ops: %d %s", r.Status, r.Raw)
	}
	if got := userGroups(t, s, "/scim/v2/Users/2"); !slices.Equal(got, []string{"4"}) {
		t.Errorf("groups of bob: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "2"`), nil)); !slices.Equal(got, []string{"4"}) {
		t.Errorf("groups with member bob: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "3"`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("users in ops: %q", got)
	}

	// Adding bob to ops writes ops's team key, 20.
	r = s.do("PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"add","path":"members","value":[{"value":"2"}]}`))
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("add: %d %s", r.Status, r.Raw)
	}
	if got := memberships(); got != "10:2 20:1 20:2 20:4" {
		t.Errorf("after adding bob to ops: %s", got)
	}
	// An unknown member: 400, nothing written.
	r = s.do("PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"add","path":"members","value":[{"value":"5"},{"value":"99"}]}`))
	if r.Status != http.StatusBadRequest || memberships() != "10:2 20:1 20:2 20:4" {
		t.Errorf("unknown member: %d %s; %s", r.Status, r.Raw, memberships())
	}
	// Removing ann by a filtered path.
	r = s.do("PATCH", "/scim/v2/Groups/3", patchBody(`{"op":"remove","path":"members[value eq \"1\"]"}`))
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("remove: %d %s", r.Status, r.Raw)
	}
	// A replace keeps the nested group dev, which is no user.
	r = s.do("PUT", "/scim/v2/Groups/3", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ops","members":[{"value":"5"}]}`)
	if r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if got := memberships(); got != "10:2 20:4 20:5" {
		t.Errorf("after the replace: %s", got)
	}

	// A new group: its team row is made, and its members refer to it.
	r = s.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"qa","members":[{"value":"1"},{"value":"2"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST: %d %s", r.Status, r.Raw)
	}
	qa, _ := r.Body["id"].(string)
	team := s.Rows("SELECT team_id FROM team WHERE entity_id = ?", qa)
	if len(team) != 1 || strings.Join(memberIDs(t, r.Body), ",") != "1,2" {
		t.Fatalf("new group %s: teams %q, %s", qa, team, r.Raw)
	}
	if got := memberships(); got != "10:2 20:4 20:5 "+team[0]+":1 "+team[0]+":2" {
		t.Errorf("after creating qa: %s", got)
	}

	// Deleting a user removes its memberships; deleting a group, its own.
	if r := s.do("DELETE", "/scim/v2/Users/2", nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE bob: %d %s", r.Status, r.Raw)
	}
	if r := s.do("DELETE", "/scim/v2/Groups/"+qa, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE qa: %d %s", r.Status, r.Raw)
	}
	if got := memberships(); got != "20:4 20:5" {
		t.Errorf("after the deletes: %s", got)
	}
	if got := s.Rows("SELECT COUNT(*) FROM team WHERE team_id = ?", team[0]); got[0] != "0" {
		t.Errorf("qa's team row left: %q", got)
	}
}

// loginSchema is shaped like Spring Security's group tables beside a
// users table with a numeric key: group_members names a member by its
// username, and has no unique key on (username, group_id).
const loginSchema = `
CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, username VARCHAR(50) NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT 1, UNIQUE KEY users_username (username));
CREATE TABLE ` + "`groups`" + ` (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, group_name VARCHAR(50) NOT NULL);
CREATE TABLE group_members (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, username VARCHAR(50) NOT NULL, group_id BIGINT NOT NULL);
INSERT INTO users (id, username) VALUES (1, 'ann'), (2, 'bob'), (3, 'cyd');
INSERT INTO ` + "`groups`" + ` VALUES (1, 'admins'), (2, 'staff');
-- ghost is no user: a row the application keeps.
INSERT INTO group_members (username, group_id) VALUES ('ann', 1), ('bob', 2), ('ghost', 1);
`

const loginMapping = `
User:
  table: users
  attributes:
    userName: username
    active: enabled
  delete: hard
Group:
  table: groups
  id: {prefix: g-}
  attributes:
    displayName: group_name
  members:
    table: group_members
    group: group_id
    user: username
    userReferences: username
`

// TestMembersUserRef: a membership that names members by their login
// (userReferences), not by their key: reads, filters, adds (once),
// removes, replaces, a renamed userName, and a user's deletion, by the
// login throughout.
func TestMembersUserRef(t *testing.T) {
	s := newSidecarText(t, loginSchema, loginMapping)
	memberships := func() string {
		return strings.Join(s.Rows("SELECT CONCAT(group_id, ':', username) FROM group_members ORDER BY group_id, username"), " ")
	}
	r := s.do("GET", "/scim/v2/Groups/g-1", nil)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("GET admins: %d %s", r.Status, r.Raw)
	}
	if got := userGroups(t, s, "/scim/v2/Users/2"); !slices.Equal(got, []string{"g-2"}) {
		t.Errorf("groups of bob: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "2"`), nil)); !slices.Equal(got, []string{"g-2"}) {
		t.Errorf("groups with member bob: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "g-1"`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("users in admins: %q", got)
	}

	// Adding cyd, and ann again: one row for cyd, none more for ann.
	for i := 0; i < 2; i++ {
		r = s.do("PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"add","path":"members","value":[{"value":"3"},{"value":"1"}]}`))
		if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
			t.Fatalf("add: %d %s", r.Status, r.Raw)
		}
	}
	if got := memberships(); got != "1:ann 1:cyd 1:ghost 2:bob" {
		t.Errorf("after adding cyd: %s", got)
	}
	r = s.do("PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"add","path":"members","value":[{"value":"2"},{"value":"9"}]}`))
	if r.Status != http.StatusBadRequest || memberships() != "1:ann 1:cyd 1:ghost 2:bob" {
		t.Errorf("unknown member: %d %s; %s", r.Status, r.Raw, memberships())
	}
	r = s.do("PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"remove","path":"members[value eq \"1\"]"}`))
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("remove: %d %s", r.Status, r.Raw)
	}
	if got := memberships(); got != "1:cyd 1:ghost 2:bob" {
		t.Errorf("after removing ann: %s", got)
	}
	// A replace removes every other member (ghost too: with no scope
	// on the users, every row is a membership, as with a key).
	r = s.do("PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"replace","path":"members","value":[{"value":"2"}]}`))
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("replace: %d %s", r.Status, r.Raw)
	}
	if got := memberships(); got != "1:bob 2:bob" {
		t.Errorf("after the replace: %s", got)
	}

	// bob renamed keeps his groups, under the new login.
	r = s.do("PATCH", "/scim/v2/Users/2", patchBody(`{"op":"replace","path":"userName","value":"robert"}`))
	if r.Status != http.StatusOK {
		t.Fatalf("rename: %d %s", r.Status, r.Raw)
	}
	if got := memberships(); got != "1:robert 2:robert" {
		t.Errorf("after the rename: %s", got)
	}
	if got := userGroups(t, s, "/scim/v2/Users/2"); !slices.Equal(got, []string{"g-1", "g-2"}) {
		t.Errorf("groups of robert: %q", got)
	}
	// Deleting him removes his rows, and only his.
	s.Rows("INSERT INTO group_members (username, group_id) VALUES ('ann', 2)")
	if r := s.do("DELETE", "/scim/v2/Users/2", nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Raw)
	}
	if got := memberships(); got != "2:ann" {
		t.Errorf("after the delete: %s", got)
	}
}

// TestMembersUserRefHooks: member hooks of a membership naming users by
// their login get the users' keys, for the members a change adds or
// removes and for the groups a deleted user leaves.
func TestMembersUserRefHooks(t *testing.T) {
	schema := loginSchema + `CREATE TABLE member_log (n INT NOT NULL AUTO_INCREMENT PRIMARY KEY, ev VARCHAR(8) NOT NULL, group_id BIGINT NOT NULL, user_id INT NOT NULL);`
	mapping := loginMapping + `  hooks:
    afterMemberAdd: ["INSERT INTO member_log (ev, group_id, user_id) VALUES ('add', :groupId, :userId)"]
    afterMemberRemove: ["INSERT INTO member_log (ev, group_id, user_id) VALUES ('remove', :groupId, :userId)"]
`
	s := newSidecarText(t, schema, mapping)
	log := func() string {
		return strings.Join(s.Rows("SELECT CONCAT(ev, ' ', group_id, ' ', user_id) FROM member_log ORDER BY n"), ", ")
	}
	for _, op := range []string{
		`{"op":"add","path":"members","value":[{"value":"3"},{"value":"1"}]}`,
		`{"op":"remove","path":"members[value eq \"1\"]"}`,
		`{"op":"replace","path":"members","value":[{"value":"2"}]}`,
	} {
		if r := s.do("PATCH", "/scim/v2/Groups/g-1", patchBody(op)); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", op, r.Status, r.Raw)
		}
	}
	if got := log(); got != "add 1 3, remove 1 1, remove 1 3, add 1 2" {
		t.Errorf("member hooks: %s", got)
	}
	if got := strings.Join(s.Rows("SELECT CONCAT(group_id, ':', username) FROM group_members ORDER BY group_id, username"), " "); got != "1:bob 2:bob" {
		t.Errorf("memberships: %s", got)
	}
	if r := s.do("DELETE", "/scim/v2/Users/2", nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Raw)
	}
	// The groups a deleted user leaves come in no particular order.
	if got := strings.Join(s.Rows("SELECT CONCAT(ev, ' ', group_id, ' ', user_id) FROM member_log WHERE n > 4 ORDER BY group_id"), ", "); got != "remove 1 2, remove 2 2" {
		t.Errorf("member hooks after the user's delete: %s", got)
	}
}

// TestMembersUserColumnJoinedRef: a users column holding each user's one
// group by a joined table's key (the group's info row), read, filtered,
// written and cleared through it.
func TestMembersUserColumnJoinedRef(t *testing.T) {
	schema := `
CREATE TABLE teams (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE);
CREATE TABLE team_info (info_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, team_id INT NOT NULL UNIQUE);
CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, login VARCHAR(64) NOT NULL UNIQUE, info_id INT NULL);
INSERT INTO teams VALUES (1, 'red'), (2, 'blue');
INSERT INTO team_info VALUES (20, 1), (10, 2);
INSERT INTO users VALUES (1, 'ann', 20), (2, 'bob', 10), (3, 'cyd', NULL);
`
	mapping := `
User:
  table: users
  attributes:
    userName: login
  ignoreDeactivation: true
  delete: hard
Group:
  table: teams
  id: {prefix: g-}
  joined:
    - table: team_info
      key: team_id
  attributes:
    displayName: name
  members: {userColumn: info_id, references: team_info.info_id}
`
	s := newSidecarText(t, schema, mapping)
	col := func() string {
		return strings.Join(s.Rows("SELECT CONCAT(login, ':', COALESCE(info_id, '-')) FROM users ORDER BY id"), " ")
	}
	r := s.do("GET", "/scim/v2/Groups/g-1", nil)
	if r.Status != 200 || strings.Join(memberIDs(t, r.Body), ",") != "1" {
		t.Fatalf("GET red: %d %s", r.Status, r.Raw)
	}
	if got := userGroups(t, s, "/scim/v2/Users/2"); !slices.Equal(got, []string{"g-2"}) {
		t.Errorf("groups of bob: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members.value eq "2"`), nil)); !slices.Equal(got, []string{"g-2"}) {
		t.Errorf("groups with member bob: %q", got)
	}
	if got := groupIDs(t, s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`groups.value eq "g-1"`), nil)); !slices.Equal(got, []string{"1"}) {
		t.Errorf("users in red: %q", got)
	}
	r = s.do("PATCH", "/scim/v2/Groups/g-1", patchBody(`{"op":"add","path":"members","value":[{"value":"3"}]}`,
		`{"op":"remove","path":"members","value":[{"value":"1"}]}`))
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.Status, r.Raw)
	}
	if got := col(); got != "ann:- bob:10 cyd:20" {
		t.Errorf("after the PATCH: %s", got)
	}
	if r := s.do("DELETE", "/scim/v2/Groups/g-2", nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Raw)
	}
	if got := col(); got != "ann:- bob:- cyd:20" {
		t.Errorf("after deleting blue: %s", got)
	}
}
