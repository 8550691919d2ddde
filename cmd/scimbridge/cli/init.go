package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql"
	"github.com/scimbridge/scimbridge/mapping"
)

// runInit introspects the database and writes a commented starting
// configuration, guessing the obvious columns and marking every guess.
func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", os.Getenv("SCIMBRIDGE_DSN"), "go-sql-driver DSN of the application's database (default $SCIMBRIDGE_DSN)")
	users := fs.String("users-table", "users", "the table with one row per user")
	groups := fs.String("groups-table", "", "the table with one row per group or role (optional)")
	out := fs.String("o", "", "write the configuration to this file instead of standard output")
	locks := fs.Bool("locks", false, "print the statement that creates the uniqueness lock table (for database.config.uniquenessLocks: table) instead of a configuration")
	apply := fs.Bool("apply", false, "with -locks, run the statement in the DSN's database instead of printing it")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *locks || *apply {
		return initLocks(ctx, *dsn, *locks, *apply, stdout, stderr)
	}
	if *dsn == "" {
		fmt.Fprintln(stderr, "scimbridge init: -dsn is required (or set SCIMBRIDGE_DSN)")
		return exitUsage
	}
	cfg := &mysql.Config{DSN: adapters.Secret{Value: *dsn}}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ad, err := cfg.Open(ctx, nil)
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge init: %v\n", err)
		return exitFailure
	}
	defer ad.Close()
	opts := initOptions{users: *users, groups: *groups, now: time.Now()}
	fs.Visit(func(f *flag.Flag) { opts.usersGiven = opts.usersGiven || f.Name == "users-table" })
	text, err := initConfig(ctx, ad, opts)
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge init: %v\n", err)
		return exitFailure
	}
	w := stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			fmt.Fprintf(stderr, "scimbridge init: %v (it will not overwrite a file)\n", err)
			return exitFailure
		}
		defer f.Close()
		w = f
	}
	fmt.Fprint(w, text)
	for _, l := range initCounts(ctx, ad, text) {
		fmt.Fprintln(stderr, l)
	}
	if *out != "" {
		fmt.Fprintf(stderr, "wrote %s: review every line marked GUESS, then run scimbridge check -config %s\n", *out, *out)
	}
	return exitOK
}

// initLocks prints LocksTableSQL, or with apply runs it in the DSN's
// database: the one migration uniquenessLocks: table needs.
func initLocks(ctx context.Context, dsn string, locks, apply bool, stdout, stderr io.Writer) int {
	if !locks {
		fmt.Fprintln(stderr, "scimbridge init: -apply goes with -locks")
		return exitUsage
	}
	if !apply {
		fmt.Fprintf(stdout, "-- The uniqueness lock rows of scimbridge, for database.config.uniquenessLocks: table.\n"+
			"-- Run once in the application's database; scimbridge's user needs INSERT and UPDATE on it.\n%s;\n", mysql.LocksTableSQL)
		return exitOK
	}
	if dsn == "" {
		fmt.Fprintln(stderr, "scimbridge init: -locks -apply needs -dsn (or SCIMBRIDGE_DSN)")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ad, err := (&mysql.Config{DSN: adapters.Secret{Value: dsn}}).Open(ctx, nil)
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge init: %v\n", err)
		return exitFailure
	}
	defer ad.Close()
	db := ad.(*mysql.Adapter).DB()
	var name string
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(DATABASE(), '')").Scan(&name); err != nil || name == "" {
		fmt.Fprintf(stderr, "scimbridge init: the DSN names no database to create %s in (%v)\n", mysql.LocksTable, err)
		return exitFailure
	}
	if _, err := db.ExecContext(ctx, mysql.LocksTableSQL); err != nil {
		fmt.Fprintf(stderr, "scimbridge init: creating %s in %s: %v\n", mysql.LocksTable, name, err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "%s is in database %s: set database.config.uniquenessLocks: table, and give scimbridge's user INSERT and UPDATE on it\n", mysql.LocksTable, name)
	return exitOK
}

// initOptions are what init is asked for.
type initOptions struct {
	// users and groups are the tables of users and of groups ("" for
	// none).
	users, groups string
	// usersGiven says -users-table was given; if not, and there is no
	// users table, init looks for the table of users.
	usersGiven bool
	// now dates the file.
	now time.Time
}

// initHeader opens the file init writes.
const initHeader = `# Starting configuration written by "scimbridge init" on %s.
# Every line marked GUESS is a guess from a column's name, type or values:
# check it against what the application means by the column, then run
#   scimbridge check -config <this file>
# which checks the whole mapping against the database. config.example.yaml
# documents every key.

server:
  tokens:
    # Generate a token (openssl rand -base64 32) and give it to the
    # identity provider; keep it out of this file.
    - name: okta
      token: {fromEnv: SCIMBRIDGE_OKTA_TOKEN}

database:
  type: mysql
  config:
    dsn: {fromEnv: SCIMBRIDGE_DSN}

resources:
`

// initConfig reads the database's tables and writes the starting
// configuration for the users table and, if given, the groups table.
func initConfig(ctx context.Context, ad adapters.Adapter, opts initOptions) (string, error) {
	s, err := readSchema(ctx, ad)
	if err != nil {
		return "", err
	}
	guessed := ""
	if !opts.usersGiven {
		if n := guessUsersTable(s, opts.users); n != opts.users {
			guessed = fmt.Sprintf("there is no table %s; %s looks like the table of users (or run init with -users-table TABLE).", opts.users, n)
			opts.users = n
		}
	}
	u, err := s.table(ctx, opts.users)
	if err != nil {
		return "", fmt.Errorf("reading table %s: %w%s", opts.users, err, tableHint(s, userTableRE))
	}
	var b strings.Builder
	fmt.Fprintf(&b, initHeader, opts.now.UTC().Format(time.DateOnly))
	exclude := map[string]bool{}
	var g adapters.TableInfo
	groupGuess := ""
	if opts.groups == "" {
		// No -groups-table: a table of groups (roles, teams) with a
		// membership table between it and the users, found by the
		// names of its columns even without foreign keys, is mapped.
		var best *joinTable
		for _, n := range tablesLike(s, groupTableRE) {
			gt, err := s.table(ctx, n)
			if err != nil || n == opts.users || !hasNameColumn(gt) {
				// A table with no character column holds no group's
				// name (Guacamole's user groups name themselves in
				// another table): init would only leave a placeholder.
				continue
			}
			if j := findJoin(s, u, gt, exclude); j != nil && (best == nil || j.score > best.score) {
				best, opts.groups = j, n
			}
		}
		if best != nil {
			groupGuess = fmt.Sprintf("%s looks like the table of groups: %s holds memberships between it and %s (run init with -groups-table TABLE for another).", opts.groups, best.t.Name, u.Name)
		}
	}
	if opts.groups != "" {
		if g, err = s.table(ctx, opts.groups); err != nil {
			return "", fmt.Errorf("reading table %s: %w%s", opts.groups, err, tableHint(s, groupTableRE))
		}
	}
	var join *joinTable
	if opts.groups != "" {
		if join = findJoin(s, u, g, exclude); join != nil {
			exclude[string(join.t.Name)] = true
		}
	}
	user := planUser(ctx, s, u, opts.groups == opts.users, exclude)
	userEntries := user.entries(user.idEntry(""))
	userEntries[0].guess = guessed
	writeEntries(&b, 2, []entry{{key: "User", block: userEntries}})
	writeNotes(&b, user.notes)
	if opts.groups == "" {
		if found := tablesLike(s, groupTableRE); len(found) > 0 {
			writeComment(&b, "  ", "", "No Group resource: run init again with -groups-table TABLE to map the application's groups or roles (tables that look like them: "+strings.Join(found, ", ")+").")
		}
		return b.String(), nil
	}
	group := planGroup(ctx, s, u, g, user, join)
	prefix := ""
	if g.Name != u.Name && !keyedByUUID(u) && !keyedByUUID(g) {
		prefix = "g-"
	}
	groupEntries := group.entries(group.idEntry(prefix))
	groupEntries[0].guess = groupGuess
	writeEntries(&b, 2, []entry{{key: "Group", block: groupEntries}})
	writeNotes(&b, group.notes)
	return b.String(), nil
}

// writeNotes writes a resource's closing remarks.
func writeNotes(b *strings.Builder, notes []string) {
	for _, n := range notes {
		lead := ""
		if rest, ok := strings.CutPrefix(n, "GUESS: "); ok {
			lead, n = "GUESS: ", rest
		}
		writeComment(b, "    ", lead, n)
	}
}

// planUser guesses the User resource on table t. shared says groups live
// in the same table.
func planUser(ctx context.Context, s *initSchema, t adapters.TableInfo, shared bool, exclude map[string]bool) *planner {
	p := newPlanner(ctx, s, t, "User")
	if shared {
		p.shareTable("User")
	}
	p.pickUserName()
	p.pickEmails(exclude)
	p.applyRules(userRules)
	p.pickJoined(exclude)
	p.pickActive()
	p.pickMeta(exclude)
	p.pickDelete()
	p.fillDefaults()
	if !shared {
		p.typeNote()
	}
	p.builtInNote(p.userName, systemUserNames, "rows that look like the application's own accounts")
	if !p.mapped["active"] {
		p.notes = append(p.notes, "No status column recognised: active: false is refused (400) until active is mapped, or ignoreDeactivation says the application has no way to disable an account.")
	}
	return p
}

// planGroup guesses the Group resource on table g, whose members are in
// join (nil if none was found).
func planGroup(ctx context.Context, s *initSchema, u, g adapters.TableInfo, user *planner, join *joinTable) *planner {
	p := newPlanner(ctx, s, g, "Group")
	if u.Name == g.Name {
		p.shareTable("Group")
		p.pickSharedGroupName()
	}
	p.applyRules(groupRules)
	if !p.mapped["displayName"] {
		p.pickGroupName()
	}
	p.fillDefaults()
	for c, a := range p.used {
		if a == "displayName" {
			p.builtInNote(c, builtInGroupName, "rows that look like the application's built-in groups")
		}
	}
	var members []entry
	var why string
	if join != nil {
		members, why = join.entries(), join.why
	} else {
		var name adapters.Column
		for c, a := range p.used {
			if a == "displayName" {
				name = c
			}
		}
		members, why = userColumnMembers(ctx, s, u, g, name, user.free)
	}
	if members == nil {
		p.notes = append(p.notes, "GUESS: no membership table found (a table with a column referring to the group and one referring to the user): add members: {table, group, user}, or userColumn for a users column holding each user's one group. Without members, groups are served without them.")
	} else {
		p.extra = append(p.extra, entry{key: "members", guess: why, block: members})
	}
	p.extra = append(p.extra, entry{key: "delete", value: "hard", comment: "DELETE removes the group's memberships and its row; refuse keeps groups the application must keep."})
	return p
}

// pickGroupName maps displayName when no column has a name's name: the
// first unique character column, else the first NOT NULL one.
func (p *planner) pickGroupName() {
	for _, strict := range []bool{true, false} {
		for _, c := range p.t.Columns {
			if !p.free(c.Name) || !isInitString(c) || (strict && !uniqueAlone(p.t, c.Name, true)) || (!strict && c.Nullable) {
				continue
			}
			p.mapAttr("displayName", c.Name, yamlKey(string(c.Name)),
				fmt.Sprintf("no name column recognised; %s (%s) is the first %s character column: Okta and Entra match groups by displayName, so name the column holding the group's name.", c.Name, c.ColumnType, map[bool]string{true: "unique", false: "NOT NULL"}[strict]))
			return
		}
	}
	p.attrs = append(p.attrs, entry{key: "displayName", value: "CHANGE_ME", guess: "no name column recognised: name the column holding the group's name (check refuses CHANGE_ME)."})
}

// pickSharedGroupName maps displayName in a table of users and groups
// from what the group rows hold. Such a table has the users' columns
// (login, firstname, lastname), and the application keeps a group's
// name in whichever suits it (Redmine: lastname), leaving the others
// empty on group rows; so the name is the character column that every
// group row fills in, with a value of its own. Among several, a column
// named like a name is taken first, then the first in the table.
func (p *planner) pickSharedGroupName() {
	if p.s.db == nil || len(p.rowsOf) == 0 {
		return
	}
	w, args := p.where()
	var found []adapters.ColumnInfo
	for _, c := range p.t.Columns {
		if !p.free(c.Name) || !isInitString(c) || passwordNames.MatchString(strings.ToLower(string(c.Name))) {
			continue
		}
		q := quoteIdent(string(c.Name))
		var rows, filled, distinct int64
		err := p.s.db.QueryRowContext(p.ctx, fmt.Sprintf("SELECT COUNT(*), COUNT(NULLIF(%s, '')), COUNT(DISTINCT NULLIF(%s, '')) FROM %s WHERE %s", q, q, quoteIdent(string(p.t.Name)), w), args...).Scan(&rows, &filled, &distinct)
		if err == nil && rows > 0 && filled == rows && distinct == rows {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return
	}
	pick := found[0]
	for _, c := range found {
		if nameIs(groupNames, c.Name, p.base) || nameIs(fullNames, c.Name, p.base) || nameIs(familyNames, c.Name, p.base) {
			pick = c
			break
		}
	}
	g := fmt.Sprintf("users and groups share this table, and %s (%s) is the character column every group row fills in, each with its own value: it looks like the group's name. Okta and Entra match groups by displayName.", pick.Name, pick.ColumnType)
	if len(found) > 1 {
		var others []string
		for _, c := range found {
			if c.Name != pick.Name {
				others = append(others, string(c.Name))
			}
		}
		g += fmt.Sprintf(" Also filled in: %s.", strings.Join(others, ", "))
	}
	p.mapAttr("displayName", pick.Name, yamlKey(string(pick.Name)), g)
}

// shareTable scopes a resource whose table holds users and groups to its
// own rows, by the column telling them apart.
func (p *planner) shareTable(name string) {
	col, uv, gv, seen := p.discriminator()
	if col == "" {
		p.notes = append(p.notes, "GUESS: users and groups share this table, but no column telling them apart was recognised: give User and Group each a scope that selects its rows.")
		return
	}
	v := uv
	if name == "Group" {
		v = gv
	}
	p.scoped[col] = true
	p.rowsOf = map[adapters.Column]string{col: v}
	p.scope = append(p.scope, entry{key: string(col), value: yamlString(v),
		guess: fmt.Sprintf("%s tells users from groups; it holds %s. Rows with %q are the %ss, and new ones get it.", col, describeValues(seen), v, strings.ToLower(name))})
}

// keyedByUUID reports whether a table's key is a character column, whose
// values do not collide with another table's counted keys.
func keyedByUUID(t adapters.TableInfo) bool {
	ci, ok := t.Column(t.PrimaryKey())
	return ok && isInitString(ci)
}

// Table names that look like tables of users and of groups.
var (
	userTableRE  = regexp.MustCompile(`(?i)(^|_)(users?|accounts?|members?|people|persons?|principals?|employees?|customers?)$`)
	groupTableRE = regexp.MustCompile(`(?i)(^|_)(groups?|roles?|teams?|cohorts?|organi[sz]ations?|orgs?|departments?)$`)
)

// guessUsersTable returns name if the table exists, else the widest
// table whose name looks like a table of users (join tables such as
// team_user are narrow), else name.
func guessUsersTable(s *initSchema, name string) string {
	if _, ok := s.tables[name]; ok || s.db == nil {
		return name
	}
	best := name
	for _, n := range tablesLike(s, userTableRE) {
		if b, ok := s.tables[best]; !ok || len(s.tables[n].Columns) > len(b.Columns) {
			best = n
		}
	}
	return best
}

// tablesLike lists the tables whose names match re.
func tablesLike(s *initSchema, re *regexp.Regexp) []string {
	var found []string
	for _, n := range s.names {
		if re.MatchString(n) {
			found = append(found, n)
		}
	}
	slices.Sort(found)
	return found
}

// tableHint lists the tables whose names match re, for an error.
func tableHint(s *initSchema, re *regexp.Regexp) string {
	if found := tablesLike(s, re); len(found) > 0 {
		return "; tables that look like it: " + strings.Join(found, ", ")
	}
	return ""
}

// singular is a table name's singular: roles is role, categories
// category.
func singular(t string) string {
	switch {
	case strings.HasSuffix(t, "ies"):
		return strings.TrimSuffix(t, "ies") + "y"
	case strings.HasSuffix(t, "sses"):
		return strings.TrimSuffix(t, "es")
	case strings.HasSuffix(t, "s") && !strings.HasSuffix(t, "ss"):
		return strings.TrimSuffix(t, "s")
	}
	return t
}

// initCounts compiles the mapping init wrote and says, per resource, how
// many rows are in its scope and how many of them read as active with
// it, so that a guess that reads most accounts as inactive shows at once.
// A mapping that does not compile as written (a CHANGE_ME) gets no count.
func initCounts(ctx context.Context, ad adapters.Adapter, text string) []string {
	var cfg struct {
		Resources mapping.Config `yaml:"resources"`
	}
	if yaml.Unmarshal([]byte(text), &cfg) != nil {
		return nil
	}
	m, err := mapping.Compile(ctx, cfg.Resources, ad, "resources")
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range m.Resources() {
		st, err := ad.Store(r.Spec)
		if err != nil {
			continue
		}
		page, err := st.List(ctx, adapters.Query{})
		if err != nil {
			continue
		}
		l := fmt.Sprintf("%s: %d %s in scope", r.Name, page.Total, plural(int64(page.Total), "row", "rows"))
		if info, _ := activeData(ctx, ad, r); info != "" {
			l += "; " + strings.TrimPrefix(info, r.Name+".")
		}
		out = append(out, l)
	}
	return out
}

// hasNameColumn reports whether a table has a character column, where a
// group's name could be.
func hasNameColumn(t adapters.TableInfo) bool {
	for _, c := range t.Columns {
		if c.IsFreeText() {
			return true
		}
	}
	return false
}
