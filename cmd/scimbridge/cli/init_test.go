package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/mapping"
)

// runInitOn runs init on the database at dsn with args, writing to a file
// it returns with its text.
func runInitOn(t *testing.T, dsn string, args ...string) (path, text string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "scimbridge.yaml")
	var stdout, stderr bytes.Buffer
	args = append([]string{"init", "-dsn", dsn, "-o", path}, args...)
	if code := Main(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("init %v exited %d: %s", args, code, stderr.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, string(data)
}

// wantLines fails the test for each of wants that text lacks, printing
// text once.
func wantLines(t *testing.T, text string, wants ...string) {
	t.Helper()
	missing := 0
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("init output lacks %q", w)
			missing++
		}
	}
	if missing > 0 {
		t.Logf("the init output:\n%s", text)
	}
}

// commentText is the text of the comments of init's output, joined by
// single spaces, so that a note can be found however it is wrapped.
func commentText(text string) string {
	var words []string
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, "# "); i >= 0 {
			words = append(words, strings.Fields(l[i+2:])...)
		}
	}
	return strings.Join(words, " ")
}

// checkInitOutput runs check on init's output as it is, with the
// environment the output takes its secrets from, and fails the test unless
// check accepts it.
func checkInitOutput(t *testing.T, dsn, path, text string) string {
	t.Helper()
	t.Setenv("SCIMBRIDGE_DSN", dsn)
	t.Setenv("SCIMBRIDGE_OKTA_TOKEN", "init-test-token")
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"check", "-config", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("check of the init output exited %d:\n%s\n--- the init output:\n%s", code, stderr.String(), text)
	}
	return stdout.String()
}

// TestInitWritesAMappingThatChecks runs init on the legacy schema and
// checks that the configuration it writes passes check as it is, with every
// guess marked.
func TestInitWritesAMappingThatChecks(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/schema.sql")
	out, text := runInitOn(t, dsn, "-users-table", "users")
	wantLines(t, text,
		"      userName: login\n", "      externalId: okta_id\n", "      name.givenName: first_name\n",
		"      name.familyName: last_name\n", "      displayName: display_name\n",
		// The addresses are rows of user_emails; users.email keeps the
		// primary one.
		"          table: user_emails\n", "          parent: user_id\n", "          value: address\n",
		"          primary: is_default\n", "          primaryColumn: email\n", "            created_on: {generate: now}\n",
		"        column: status\n", "        trueValue: active\n", "        falseValue: disabled\n",
		"      meta.created: created_at\n", "      meta.lastModified: updated_at\n",
		"      password_hash: \"!\"\n", "    delete: refuse\n")
	// The status's values, read from the data, are in its note.
	if !strings.Contains(commentText(text), `GUESS: status (varchar(16)) looks like the account's status. It holds "active" (2 rows), "disabled" (1 row).`) {
		t.Errorf("the status note does not list the values stored:\n%s", text)
	}
	if n := strings.Count(text, "GUESS"); n < 9 {
		t.Errorf("only %d guesses marked", n)
	}
	if strings.Contains(text, dsn) {
		t.Error("the DSN was written into the file")
	}
	checkInitOutput(t, dsn, out, text)

	// Groups in a table of their own, keyed by AUTO_INCREMENT like the
	// users: their ids get a prefix. team_users refers to users by login,
	// not by key, so it is no membership table init can map.
	groupsOut, groupsText := runInitOn(t, dsn, "-users-table", "users", "-groups-table", "teams")
	if !strings.Contains(groupsText, "    id: {column: id, generate: auto, prefix: g-}\n") {
		t.Errorf("init gives the groups no id prefix:\n%s", groupsText)
	}
	if !strings.Contains(groupsText, "no membership table found") || strings.Contains(groupsText, "    members:") {
		t.Errorf("init maps members it cannot have found:\n%s", groupsText)
	}
	checkInitOutput(t, dsn, groupsOut, groupsText)

	// Refuses to overwrite.
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"init", "-dsn", dsn, "-o", out}, &stdout, &stderr); code != 1 {
		t.Errorf("init over an existing file exited %d, want 1", code)
	}
	// A users table that does not exist is reported with the tables that
	// look like one.
	stderr.Reset()
	if code := Main(context.Background(), []string{"init", "-dsn", dsn, "-users-table", "members"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "tables that look like it: team_users, users") {
		t.Errorf("init on a missing table exited %d: %s", code, stderr.String())
	}
}

// exampleTables are the tables an example's mapping uses for users and
// groups, read from its scimbridge.yaml.
func exampleTables(t *testing.T, cfgFile string) (users, groups string) {
	t.Helper()
	data, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Resources struct {
			User *struct {
				Table string `yaml:"table"`
			} `yaml:"User"`
			Group *struct {
				Table string `yaml:"table"`
			} `yaml:"Group"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%s: %v", cfgFile, err)
	}
	if cfg.Resources.User == nil {
		t.Fatalf("%s maps no User", cfgFile)
	}
	if cfg.Resources.Group != nil {
		groups = cfg.Resources.Group.Table
	}
	return cfg.Resources.User.Table, groups
}

// TestInitOnEveryExample runs init on the schema of every example under
// examples/ (whichever exist when the test runs), for the tables the
// example's own mapping uses, and requires check to accept the output
// unchanged: every guess init makes compiles against the schema.
func TestInitOnEveryExample(t *testing.T) {
	schemas, err := filepath.Glob(filepath.Join(exampleRoot, "examples", "*", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(schemas) < 8 {
		t.Fatalf("found %d examples/*/schema.sql, want the moodle, phpbb, redmine, roles, rolecolumn, principals, saas, cms and classic ones at least", len(schemas))
	}
	for _, schema := range schemas {
		dir := filepath.Dir(schema)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			users, groups := exampleTables(t, filepath.Join(dir, "scimbridge.yaml"))
			dsn := loadExampleSchema(t, schema)
			args := []string{"-users-table", users}
			if groups != "" {
				args = append(args, "-groups-table", groups)
			}
			path, text := runInitOn(t, dsn, args...)
			if col, ok := initPlaceholders[filepath.Base(dir)]; ok {
				// The placeholder is where it is expected, and only there;
				// filled, the rest must check.
				if strings.Count(text, ": CHANGE_ME") != 1 || !strings.Contains(text, "userName: CHANGE_ME\n") {
					t.Errorf("init's placeholders moved; want one, at userName:\n%s", text)
				}
				text = strings.Replace(text, "userName: CHANGE_ME\n", "userName: "+col+"\n", 1)
				if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			} else if strings.Contains(text, "CHANGE_ME") {
				t.Errorf("init left a placeholder:\n%s", text)
			}
			if strings.Contains(text, ": CHANGE_ME") {
				t.Errorf("init left a placeholder:\n%s", text)
			}
			checked := checkInitOutput(t, dsn, path, text)
			if !strings.Contains(checked, "User -> table "+users) {
				t.Errorf("check did not compile the User resource:\n%s", checked)
			}
			if groups != "" && !strings.Contains(checked, "Group -> table "+groups) {
				t.Errorf("check did not compile the Group resource:\n%s", checked)
			}
			agreeWithExample(t, filepath.Join(dir, "scimbridge.yaml"), text, initDisagrees[filepath.Base(dir)])
		})
	}
}

// TestInitPrimaryRef: an address table without a primary flag, beside a
// users column named like default_email_id, gets child.primaryRef (with
// none for a NOT NULL column), and the column no default of its own.
func TestInitPrimaryRef(t *testing.T) {
	dsn := loadExampleSchema(t, filepath.Join(exampleRoot, "examples", "osticket", "schema.sql"))
	_, text := runInitOn(t, dsn, "-users-table", "ost_user")
	wantLines(t, text, "          table: ost_user_email\n", "          primaryRef: {column: default_email_id, none: 0}\n")
	if strings.Contains(text, "default_email_id: 0") {
		t.Errorf("default_email_id is given a default besides the pointer:\n%s", text)
	}
}

// resourceAttributes are the attributes of each resource of a
// configuration.
type resourceAttributes struct {
	Resources map[string]struct {
		Attributes map[string]mapping.AttributeConfig `yaml:"attributes"`
	} `yaml:"resources"`
}

// initDisagrees are the attributes ("User.active"), by example, on which
// init's guess is known to differ from the hand-written mapping.
var initDisagrees = map[string][]string{
	// Snipe-IT's users.state is the address's state or province, a
	// VARCHAR init takes for an account status (active/disabled); the
	// flag is activated.
	"snipeit": {"User.active"},
	// init reads the users table alone; Guacamole's active is the
	// disabled flag of the joined guacamole_user row.
	"guacamole": {"User.active"},
	// osTicket's login and account status are in the joined
	// ost_user_account, which init does not read; ost_user.status, which
	// init takes for active, holds other flags.
	"osticket": {"User.active", "User.userName"},
}

// initPlaceholders are the examples whose login is in a table init does not
// read, by the column of the users table the test puts in init's userName
// placeholder to check the rest of the output.
var initPlaceholders = map[string]string{
	// ost_user_account.username.
	"osticket": "name",
}

// agreeWithExample compares init's output with the example's hand-written
// mapping: every attribute both map is stored in the same place (column,
// child table or meta key), active reads and writes the same values, and
// init maps the User's active and the Group's name wherever the example
// does; except the attributes (Resource.attribute) of known, which must
// differ. Refinements (transforms, lookup copies, types, defaults) are
// the operator's and not compared.
func agreeWithExample(t *testing.T, cfgFile, text string, known []string) {
	t.Helper()
	var got, want resourceAttributes
	if err := yaml.Unmarshal([]byte(text), &got); err != nil {
		t.Fatalf("init output: %v", err)
	}
	data, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", cfgFile, err)
	}
	for res, w := range want.Resources {
		for attr, wa := range w.Attributes {
			var diffs []string
			ga, ok := got.Resources[res].Attributes[attr]
			switch {
			case !ok && (res == "User" && attr == "active" || res == "Group" && attr == "displayName"):
				diffs = append(diffs, fmt.Sprintf("%s maps it to %s, init does not map it", cfgFile, storedAt(wa)))
			case !ok:
			default:
				if g, w := storedAt(ga), storedAt(wa); g != w {
					diffs = append(diffs, fmt.Sprintf("init maps it to %s, %s to %s", g, cfgFile, w))
				}
				if g, w := activeMap(ga), activeMap(wa); attr == "active" && g != w {
					diffs = append(diffs, fmt.Sprintf("init %s, %s %s", g, cfgFile, w))
				}
			}
			name := res + "." + attr
			switch isKnown := slices.Contains(known, name); {
			case isKnown && len(diffs) == 0:
				t.Errorf("%s: init now agrees with %s; take it out of initDisagrees", name, cfgFile)
			case !isKnown:
				for _, d := range diffs {
					t.Errorf("%s: %s", name, d)
				}
			}
		}
	}
}

// storedAt says where an attribute is stored.
func storedAt(a mapping.AttributeConfig) string {
	switch {
	case a.Child != nil:
		return "child table " + a.Child.Table + "." + a.Child.Value
	case a.Meta != "":
		return "meta key " + a.Meta
	}
	return "column " + a.Column
}

// activeMap says how active reads and writes its column: the value
// written for true, every value read as true, the value written for
// false; or a timestamp that is NULL when active.
func activeMap(a mapping.AttributeConfig) string {
	if a.ActiveWhenNull {
		return "NULL when active"
	}
	if a.TrueValue == nil && len(a.TrueValues) == 0 && a.FalseValue == nil {
		return "a flag, non-zero when active"
	}
	written := a.TrueValue
	if written == nil && len(a.TrueValues) > 0 {
		written = a.TrueValues[0]
	}
	trues := []string{fmt.Sprint(written)}
	for _, v := range a.TrueValues {
		if s := fmt.Sprint(v); !slices.Contains(trues, s) {
			trues = append(trues, s)
		}
	}
	slices.Sort(trues[1:])
	return fmt.Sprintf("writes %v for true and %v for false, reads %s as true", written, a.FalseValue, strings.Join(trues, ", "))
}

// initGuesses are what init must find in examples whose shapes the
// observed failures came from, as lines of its output.
var initGuesses = map[string][]string{
	// Moodle: suspended is the inverted flag, deleted the soft delete,
	// times are Unix seconds, memberships in mdl_cohort_members.
	"moodle": {"      name.givenName: firstname\n", "      name.familyName: lastname\n",
		"      active: {column: suspended, trueValue: 0, falseValue: 1}\n", "      mark: {column: deleted, value: 1}\n",
		"      meta.created: timecreated\n", "      table: mdl_cohort_members\n", "      group: cohortid\n", "      user: userid\n"},
	// phpBB: the lower-cased copy, pending memberships.
	"phpbb": {"      userName: {column: username, also: [{column: username_clean, transform: lower}]}\n",
		"        user_pending: 0\n", "      table: phpbb_user_group\n"},
	// Redmine: users and groups in one table by type, e-mail rows.
	"redmine": {"      type: User\n", "      type: Group\n", "          table: email_addresses\n",
		"      table: groups_users\n", "      group: group_id\n", "      user: user_id\n"},
	// A users column holding the role's name.
	"rolecolumn": {"      userColumn: role\n", "      references: name\n", "      whenRemoved: viewer\n"},
	// Principals: one table, UUID keys, a join table of declared foreign
	// keys.
	"principals": {"      type: User\n", "      type: Group\n", "    id: {column: id, generate: uuid}\n",
		"      user: member_id\n", "          table: principal_emails\n"},
	// A deactivation time.
	"saas": {"      active: {column: deactivated_at, activeWhenNull: true}\n", "      table: team_members\n"},
	// WordPress: names as meta rows, Unix times.
	"cms": {"      name.givenName: {meta: first_name}\n", "      name.familyName: {meta: last_name}\n",
		"      table: wp_usermeta\n", "      meta.created: user_registered\n"},
	// An ENUM status.
	"classic": {"        column: status\n", "        trueValue: active\n", "        falseValue: suspended\n",
		"      table: user_roles\n"},
}

// TestInitGuessesExamples checks init's guesses on the example schemas
// against what their hand-written mappings say.
func TestInitGuessesExamples(t *testing.T) {
	for name, wants := range initGuesses {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(exampleRoot, "examples", name)
			users, groups := exampleTables(t, filepath.Join(dir, "scimbridge.yaml"))
			dsn := loadExampleSchema(t, filepath.Join(dir, "schema.sql"))
			args := []string{"-users-table", users}
			if groups != "" {
				args = append(args, "-groups-table", groups)
			}
			_, text := runInitOn(t, dsn, args...)
			wantLines(t, text, wants...)
		})
	}
}

// TestInitFindsTheUsersTable runs init without -users-table on schemas
// without a users table: it takes the widest table named like one (Moodle's
// mdl_user, not mdl_cohort_members) and says so.
func TestInitFindsTheUsersTable(t *testing.T) {
	for name, table := range map[string]string{"moodle": "mdl_user", "cms": "wp_users"} {
		t.Run(name, func(t *testing.T) {
			dsn := loadExampleSchema(t, filepath.Join(exampleRoot, "examples", name, "schema.sql"))
			path, text := runInitOn(t, dsn)
			wantLines(t, text, "    table: "+table+"\n")
			if !strings.Contains(commentText(text), "GUESS: there is no table users; "+table+" looks like the table of users") {
				t.Errorf("init does not say which table it took:\n%s", text)
			}
			checkInitOutput(t, dsn, path, text)
		})
	}
}

// TestInitLegacyFlags runs init on a users table with first, last and a
// disabled TINYINT, the shape whose starting mapping once had no active:
// the output maps both names and active as the inverted flag, and the
// sidecar built from it, unchanged, deactivates a user with Okta's PATCH.
func TestInitLegacyFlags(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/init/flags.sql")
	path, text := runInitOn(t, dsn)
	wantLines(t, text,
		"      name.givenName: first\n", "      name.familyName: last\n", "      userName: uname\n", "      emails: mail\n",
		"      active: {column: disabled, trueValue: 0, falseValue: 1}\n",
		"      meta.created: created_unix\n", "      meta.lastModified: updated_unix\n",
		"      mark: {column: deleted_at, generate: now}\n")
	if !strings.Contains(commentText(text), "GUESS: disabled (tinyint(1)) looks like an inverted flag") {
		t.Errorf("the inverted flag carries no GUESS note:\n%s", text)
	}
	checkInitOutput(t, dsn, path, text)

	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Audit.Output = auditOff
	sc, err := Build(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	req := httptest.NewRequest(http.MethodPatch, "/scim/v2/Users/2", strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`))
	req.Header.Set("Authorization", "Bearer init-test-token")
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	sc.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH active false answered %d: %s", rec.Code, rec.Body.String())
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var disabled int
	if err := db.QueryRow("SELECT disabled FROM users WHERE id = 2").Scan(&disabled); err != nil {
		t.Fatal(err)
	}
	if disabled != 1 {
		t.Errorf("after PATCH active false, disabled = %d, want 1", disabled)
	}
}

// TestInitStatusEnum runs init on a table with an ENUM status and a
// deleted_at column: the status's note lists the values found in the data
// and what init assumed, and DELETE is proposed as a soft delete.
func TestInitStatusEnum(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/init/status.sql")
	path, text := runInitOn(t, dsn, "-users-table", "accounts")
	wantLines(t, text, "        trueValue: active\n", "        falseValue: inactive\n",
		"      mark: {column: deleted_at, generate: now}\n", "      release: '{value}#deleted-{id}'\n")
	notes := commentText(text)
	for _, want := range []string{
		`It holds "active" (3 rows), "pending" (2 rows), "inactive" (1 row); the column allows "pending", "active", "inactive", "banned".`,
		`Assumed: "active" reads as active, "inactive" is written on deactivation`,
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("the status note lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "# GUESS: deleted_at") {
		t.Errorf("the soft delete carries no GUESS note:\n%s", text)
	}
	checkInitOutput(t, dsn, path, text)
}

// TestInitTypeIsNoState runs init on a users table whose integer
// user_type is a kind of account: without a column showing which code is
// the deactivated state, init leaves active unmapped and points at the
// type for a scope instead.
func TestInitTypeIsNoState(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/init/kind.sql")
	_, text := runInitOn(t, dsn)
	if strings.Contains(text, "      active:") {
		t.Errorf("init maps active to a kind of account:\n%s", text)
	}
	notes := commentText(text)
	for _, want := range []string{"GUESS: user_type holds", "No status column recognised"} {
		if !strings.Contains(notes, want) {
			t.Errorf("init output lacks %q:\n%s", want, text)
		}
	}
}

// TestInitGolden compares init's whole output on two schemas with the
// golden files in testdata/init; go test -run InitGolden -update rewrites
// them.
func TestInitGolden(t *testing.T) {
	for _, c := range []struct{ name, schema, users, groups string }{
		{"flags", "testdata/init/flags.sql", "users", ""},
		{"status", "testdata/init/status.sql", "accounts", "account_groups"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mysqltest.SkipIfEmbedded(t, "the golden files show column types as MariaDB and MySQL spell them (int(10) unsigned), the embedded engine without display widths")
			dsn := newSchemaDB(t, c.schema)
			ctx := context.Background()
			ad, err := (&mysql.Config{DSN: adapters.Secret{Value: dsn}}).Open(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ad.Close()
			got, err := initConfig(ctx, ad, initOptions{users: c.users, groups: c.groups, usersGiven: true, now: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "init", c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -run InitGolden -update writes it)", err)
			}
			if got != string(want) {
				t.Errorf("init output differs from %s (go test -run InitGolden -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

// TestInitReadsTheData runs init on a users table whose types alone
// mislead: the login-named column is an integer (userName goes to the
// e-mail address instead), and the times are integers whose values are
// epoch milliseconds (timeUnit: milliseconds); Joomla's block is the
// inverted flag; roles is found as the groups table through user_roles,
// whose columns are named for both keys; check accepts the output.
func TestInitReadsTheData(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/init/datashapes.sql")
	path, text := runInitOn(t, dsn)
	wantLines(t, text, "      userName: email\n",
		"      meta.created: {column: CreateAt, timeUnit: milliseconds}\n",
		"      meta.lastModified: {column: UpdateAt, timeUnit: milliseconds}\n",
		"      active: {column: block, trueValue: 0, falseValue: 1}\n",
		// Without -groups-table, roles is found through user_roles.
		"    table: roles\n", "      table: user_roles\n", "      group: role_id\n", "      user: user_id\n")
	if !strings.Contains(commentText(text), "GUESS: roles looks like the table of groups: user_roles holds memberships between it and users") {
		t.Errorf("the groups table found carries no note:\n%s", text)
	}
	// The system account and the built-in group are hints, not scopes.
	for _, want := range []string{
		`GUESS: rows that look like the application's own accounts: id 4 (email "system@example.com"). If the application keeps them to itself, keep them out of provisioning with a scope (not added here): scope: {email: {notIn: [system@example.com]}}.`,
		`GUESS: rows that look like the application's built-in groups: id 3 (name "Everyone").`,
	} {
		if !strings.Contains(commentText(text), want) {
			t.Errorf("init output lacks the note %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\n    scope:") {
		t.Errorf("init wrote an active scope:\n%s", text)
	}
	if strings.Contains(text, "userName: login_id") {
		t.Errorf("init maps userName to an integer:\n%s", text)
	}
	if !strings.Contains(commentText(text), "in milliseconds since the epoch: it holds values up to 1720000000000") {
		t.Errorf("the millisecond times carry no note:\n%s", text)
	}
	checkInitOutput(t, dsn, path, text)

	// init says how many rows the mapping it wrote sees, and how many
	// read as active (bob is blocked).
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"init", "-dsn", dsn}, &stdout, &stderr); code != 0 {
		t.Fatalf("init exited %d: %s", code, stderr.String())
	}
	for _, want := range []string{"User: 4 rows in scope; active: 3 rows read as active, 1 as inactive\n", "Group: 3 rows in scope\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("init's report lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestInitLocks: init -locks prints the lock table's statement, and with
// -apply creates the table in the DSN's database (again without harm).
func TestInitLocks(t *testing.T) {
	var out, errw bytes.Buffer
	if code := Main(context.Background(), []string{"init", "-locks"}, &out, &errw); code != exitOK || !strings.Contains(out.String(), mysql.LocksTableSQL+";") {
		t.Fatalf("init -locks: exit %d\n%s%s\nwant the statement %s", code, out.String(), errw.String(), mysql.LocksTableSQL)
	}
	dsn := newSchemaDB(t, "testdata/schema.sql")
	for range 2 {
		out.Reset()
		errw.Reset()
		if code := Main(context.Background(), []string{"init", "-locks", "-apply", "-dsn", dsn}, &out, &errw); code != exitOK || !strings.Contains(errw.String(), "scimbridge_locks is in database") {
			t.Fatalf("init -locks -apply: exit %d\n%s%s", code, out.String(), errw.String())
		}
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", mysql.LocksTable).Scan(&n); err != nil || n != 1 {
		t.Errorf("after init -locks -apply: %d tables %s, %v", n, mysql.LocksTable, err)
	}
	if code := Main(context.Background(), []string{"init", "-apply", "-dsn", dsn}, &out, &errw); code != exitUsage {
		t.Errorf("init -apply without -locks: exit %d, want %d", code, exitUsage)
	}
}

// TestInitProposesJoined: a table holding one row per user by a unique
// column referring to the users' key (osTicket's ost_user_account by its
// user_id, Guacamole's guacamole_user by its entity_id) becomes a joined
// table whose columns map what the users table lacks, and the output
// checks; a table with no attribute in it (a group's row) is left out.
func TestInitProposesJoined(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/init/osticket.sql")
	path, text := runInitOn(t, dsn, "-users-table", "ost_user")
	wantLines(t, text, "\n    joined:\n", "\n      - table: ost_user_account\n        key: user_id\n",
		"      userName: ost_user_account.username\n", "      timezone: ost_user_account.timezone\n", "table: ost_user_email")
	if strings.Contains(text, "CHANGE_ME") {
		t.Errorf("init left a placeholder:\n%s", text)
	}
	checkInitOutput(t, dsn, path, text)

	dsn = loadExampleSchema(t, filepath.Join(exampleRoot, "examples", "guacamole", "schema.sql"))
	path, text = runInitOn(t, dsn, "-users-table", "guacamole_entity")
	wantLines(t, text, "      - table: guacamole_user\n        key: entity_id\n", "      emails: guacamole_user.email_address\n", "guacamole_user.full_name")
	if strings.Contains(text, "table: guacamole_user_group\n") {
		t.Errorf("init joins a group's row to the users:\n%s", text)
	}
	checkInitOutput(t, dsn, path, text)
}

// TestInitProposesLink: e-mail addresses in a table of their own, tied to
// the users by a link table carrying the owner's module, the primary flag
// and a deleted flag (SuiteCRM's email_addresses and
// email_addr_bean_rel), become a child with its link, and the output
// checks.
func TestInitProposesLink(t *testing.T) {
	dsn := loadExampleSchema(t, filepath.Join(exampleRoot, "examples", "suitecrm", "schema.sql"))
	path, text := runInitOn(t, dsn, "-users-table", "users")
	wantLines(t, text, "          table: email_addresses\n          value: email_address\n",
		"          link:\n            table: email_addr_bean_rel\n            parent: bean_id\n            child: email_address_id\n",
		"            scope: {bean_module: Users}\n", "            primary: primary_address\n", "            removed: {column: deleted, value: 1, restore: 0}\n",
		"              id: {generate: uuid}\n")
	checkInitOutput(t, dsn, path, text)
}

// TestInitActiveWhenOmitted: an active column that is NOT NULL without a
// default gets whenOmitted: true, so that a create without active
// (OneLogin's and authentik's defaults) makes an active account instead
// of being refused; the output checks.
func TestInitActiveWhenOmitted(t *testing.T) {
	dsn := newSchemaDB(t, "testdata/init/nodefault.sql")
	path, text := runInitOn(t, dsn, "-users-table", "users")
	wantLines(t, text, "      active: {column: enabled, whenOmitted: true}\n")
	checkInitOutput(t, dsn, path, text)
}
