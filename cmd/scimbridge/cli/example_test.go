package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/adapters/mysql/mysqltest"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/scim"
)

// exampleRoot is the repository root, relative to this package.
const exampleRoot = "../../.."

// exampleEnv holds the environment variables the example configs take
// secrets from, set as an operator would before starting scimbridge.
// ParseConfig does not read them; they are set so that the configs are
// loaded exactly as deployed.
var exampleEnv = map[string]string{
	"SCIMBRIDGE_OKTA_TOKEN":  "okta-token",
	"SCIMBRIDGE_DB_PASSWORD": "db-password",
	"SCIMBRIDGE_TOKEN":       "token",
	"SCIMBRIDGE_DSN":         "root@tcp(127.0.0.1:3306)/classic",
	"SCIMBRIDGE_DEMO_DSN":    "root@tcp(127.0.0.1:3306)/legacy",
}

// exampleConfigs returns config.example.yaml and every
// examples/*/scimbridge.yaml.
func exampleConfigs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(exampleRoot, "examples", "*", "scimbridge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d examples/*/scimbridge.yaml, want at least demo and classic", len(files))
	}
	return append([]string{filepath.Join(exampleRoot, "config.example.yaml")}, files...)
}

// exampleName is path relative to the repository root.
func exampleName(path string) string {
	if rel, err := filepath.Rel(exampleRoot, path); err == nil {
		return filepath.ToSlash(rel)
	}
	return path
}

func parseExample(t *testing.T, path string) *Config {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg
}

// envRE finds the environment variables a config names.
var envRE = regexp.MustCompile(`fromEnv:\s*([A-Za-z_][A-Za-z0-9_]*)`)

// TestExampleConfigsParse loads every example config as scimbridge does and
// checks that each environment variable it names is one exampleEnv sets.
func TestExampleConfigsParse(t *testing.T) {
	for k, v := range exampleEnv {
		t.Setenv(k, v)
	}
	for _, path := range exampleConfigs(t) {
		t.Run(exampleName(path), func(t *testing.T) {
			cfg := parseExample(t, path)
			if cfg.Resources.User == nil {
				t.Errorf("%s maps no User resource", path)
			}
			data, _ := os.ReadFile(path)
			for _, m := range envRE.FindAllSubmatch(data, -1) {
				if _, ok := exampleEnv[string(m[1])]; !ok {
					t.Errorf("%s takes a secret from $%s; add it to exampleEnv", path, m[1])
				}
			}
		})
	}
}

// TestConfigExampleDocumentsEveryKey checks that config.example.yaml sets
// or mentions every key of the configuration, found from the config types
// (and every adapter type's config), and the forms of values it promises.
func TestConfigExampleDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(exampleRoot, "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || rt == reflect.TypeOf(yaml.Node{}) {
			return
		}
		for f := range rt.Fields() {
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if !f.IsExported() || tag == "" || tag == "-" {
				continue
			}
			keys[tag] = true
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(Config{}))
	for _, newCfg := range adapterTypes {
		walk(reflect.TypeOf(newCfg()))
	}
	var missing []string
	for k := range keys {
		if !strings.Contains(string(data), k+":") {
			missing = append(missing, k)
		}
	}
	for _, form := range []string{
		"generate: now", "generate: uuid", "generate: auto", "meta.created:", "meta.lastModified:",
		"name.givenName:", "emails:", "type: work", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:",
	} {
		if !strings.Contains(string(data), form) {
			missing = append(missing, form)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("config.example.yaml does not show %s", strings.Join(missing, ", "))
	}
}

// exampleMappings pairs each config with the schema it maps.
func exampleMappings(t *testing.T) map[string]string {
	t.Helper()
	cases := map[string]string{
		filepath.Join(exampleRoot, "config.example.yaml"): filepath.Join(exampleRoot, "examples", "classic", "schema.sql"),
	}
	for _, path := range exampleConfigs(t)[1:] {
		schema := filepath.Join(filepath.Dir(path), "schema.sql")
		if _, err := os.Stat(schema); err != nil {
			t.Errorf("%s has no schema.sql beside it: %v", path, err)
			continue
		}
		cases[path] = schema
	}
	return cases
}

// loadExampleSchema creates a fresh database holding the schema file and returns
// its DSN.
func loadExampleSchema(t *testing.T, schemaFile string) string {
	t.Helper()
	schema, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	dsn := mysqltest.NewDatabase(t)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	return dsn
}

// useExampleDatabase replaces the config's database settings with dsn.
func useExampleDatabase(cfg *Config, dsn string) {
	cfg.Database.adapter = &mysql.Config{DSN: adapters.Secret{Value: dsn}}
}

// TestExampleMappingsCompile compiles the resources of every example config
// against its schema on a real MySQL-protocol server, as scimbridge check
// does.
func TestExampleMappingsCompile(t *testing.T) {
	for cfgFile, schemaFile := range exampleMappings(t) {
		t.Run(exampleName(cfgFile), func(t *testing.T) {
			cfg := parseExample(t, cfgFile)
			dsn := loadExampleSchema(t, schemaFile)
			ctx := context.Background()
			ad, err := (&mysql.Config{DSN: adapters.Secret{Value: dsn}}).Open(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ad.Close()
			m, err := mapping.Compile(ctx, cfg.Resources, ad, "resources", cfg.Server.ScopedColumns()...)
			if err != nil {
				t.Fatalf("%s against %s:\n%v", cfgFile, schemaFile, err)
			}
			if m.User == nil || len(m.User.Spec.Columns) < 2 {
				t.Fatalf("%s: compiled no User attributes", cfgFile)
			}
			if cfg.Resources.Group != nil && (m.Group == nil || (cfg.Resources.Group.Members != nil && !m.Group.HasMembers())) {
				t.Fatalf("%s: maps Group but compiled no Group with members", cfgFile)
			}
		})
	}
}

// TestConfigExampleServes runs config.example.yaml's mapping over the
// classic schema and checks that what its comments promise happens in the
// table: defaults, generated values, the scope and the delete policy.
func TestConfigExampleServes(t *testing.T) {
	cfg := parseExample(t, filepath.Join(exampleRoot, "config.example.yaml"))
	useExampleDatabase(cfg, loadExampleSchema(t, filepath.Join(exampleRoot, "examples", "classic", "schema.sql")))
	const token = "test-token"
	cfg.Server.Tokens = []scim.TokenConfig{{Name: "test", Token: adapters.Secret{Value: token}}}
	sc, err := Build(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	srv := httptest.NewServer(sc.Handler)
	defer srv.Close()
	base := srv.URL + cfg.Server.BasePath

	call := func(method, path, body string, want int) map[string]any {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/scim+json")
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		var doc map[string]any
		if len(b) > 0 {
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, b)
			}
		}
		return doc
	}
	userNames := func(list map[string]any) []string {
		var names []string
		rs, _ := list["Resources"].([]any)
		for _, r := range rs {
			names = append(names, r.(map[string]any)["userName"].(string))
		}
		slices.Sort(names)
		return names
	}

	// The scope hides account 2's user.
	if got := userNames(call("GET", "/Users", "", 200)); !slices.Equal(got, []string{"jsmith", "mlopez"}) {
		t.Errorf("GET /Users: %v, want jsmith and mlopez (account 1 only)", got)
	}
	if got := userNames(call("GET", "/Users?filter="+url.QueryEscape(`userName eq "other.tenant"`), "", 200)); len(got) != 0 {
		t.Errorf("filter on account 2's user found %v, want nothing", got)
	}
	call("GET", "/Users/3", "", 404) // other.tenant, in account 2

	created := call("POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName": "akim@example.com",
		"externalId": "00u1a2b3c4",
		"name": {"givenName": "Ana", "familyName": "Kim"},
		"emails": [{"value": "akim@example.com", "type": "work", "primary": true}],
		"phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E-1042", "department": "Support"}
	}`, 201)
	id, _ := created["id"].(string)

	db := sc.Adapter.(interface{ DB() *sql.DB }).DB()
	row := db.QueryRow(`SELECT account_id, username, status, password_hash, role, api_key,
		password_changed_at IS NOT NULL, created_at IS NOT NULL, sso_subject, employee_no, phone FROM users WHERE id = ?`, id)
	var account int
	var login, status, hash, role, apiKey, subject, empNo, phone string
	var changedSet, createdSet bool
	if err := row.Scan(&account, &login, &status, &hash, &role, &apiKey, &changedSet, &createdSet, &subject, &empNo, &phone); err != nil {
		t.Fatalf("reading user %s: %v", id, err)
	}
	if account != 1 || login != "akim@example.com" || status != "active" || hash != "!" || role != "member" ||
		!regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(apiKey) ||
		!changedSet || !createdSet || subject != "00u1a2b3c4" || empNo != "E-1042" || phone != "+1 555 0100" {
		t.Errorf("new row: account_id %d username %q status %q password_hash %q role %q api_key %q password_changed_at set %v created_at set %v sso_subject %q employee_no %q phone %q",
			account, login, status, hash, role, apiKey, changedSet, createdSet, subject, empNo, phone)
	}

	// Groups are account 1's roles; the scope hides account 2's Agents.
	groupNames := func(list map[string]any) []string {
		var names []string
		rs, _ := list["Resources"].([]any)
		for _, r := range rs {
			names = append(names, r.(map[string]any)["displayName"].(string))
		}
		slices.Sort(names)
		return names
	}
	if got := groupNames(call("GET", "/Groups", "", 200)); !slices.Equal(got, []string{"Agents", "Knowledge Base Editors", "Supervisors"}) {
		t.Errorf("GET /Groups: %v, want account 1's three roles", got)
	}
	call("GET", "/Groups/4", "", 404) // account 2's Agents
	call("POST", "/Groups", `{"displayName": "agents"}`, 409)
	group := call("POST", "/Groups", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Escalations",
		"externalId": "00g1a2b3c4",
		"members": [{"value": "1"}, {"value": "`+id+`"}]
	}`, 201)
	gid, _ := group["id"].(string)
	// Groups have the id prefix g-: role 7 is g-7.
	key, ok := strings.CutPrefix(gid, "g-")
	if !ok {
		t.Fatalf("group id %q, want the prefix g-", gid)
	}
	grants := func() string {
		t.Helper()
		rows, err := db.Query("SELECT user_id FROM user_roles WHERE role_id = ? ORDER BY user_id", key)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return strings.Join(ids, ",")
	}
	var gAccount int
	var gName, gRef string
	if err := db.QueryRow("SELECT account_id, name, sso_group_id FROM roles WHERE id = ?", key).Scan(&gAccount, &gName, &gRef); err != nil ||
		gAccount != 1 || gName != "Escalations" || gRef != "00g1a2b3c4" {
		t.Errorf("new role: account_id %d name %q sso_group_id %q (err %v); want 1, Escalations, 00g1a2b3c4", gAccount, gName, gRef, err)
	}
	if got := grants(); got != "1,"+id {
		t.Errorf("user_roles of the new role: %s, want 1,%s", got, id)
	}
	// A member must be a user in scope: account 2's user is refused.
	call("PATCH", "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "add", "path": "members", "value": [{"value": "3"}]}]}`, 400)
	call("PATCH", "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "remove", "path": "members[value eq \"1\"]"}]}`, 204)
	if got := grants(); got != id {
		t.Errorf("user_roles after removing jsmith: %s, want %s", got, id)
	}
	// delete: hard removes the role and its grants.
	call("DELETE", "/Groups/"+gid, "", 204)
	if got := grants(); got != "" {
		t.Errorf("user_roles after DELETE: %s, want none", got)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM roles WHERE id = ?", key).Scan(&n); err != nil || n != 0 {
		t.Errorf("role row after DELETE: %d (err %v), want none", n, err)
	}

	// delete: deactivate keeps the row and suspends it.
	call("DELETE", "/Users/"+id, "", 204)
	if got := call("GET", "/Users/"+id, "", 200)["active"]; got != false {
		t.Errorf("after DELETE: active %v, want false", got)
	}
	if err := db.QueryRow("SELECT status FROM users WHERE id = ?", id).Scan(&status); err != nil || status != "suspended" {
		t.Errorf("after DELETE: status %q (err %v), want suspended", status, err)
	}
}
