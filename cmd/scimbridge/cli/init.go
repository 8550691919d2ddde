package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/adapters/mysql"
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
	if err := fs.Parse(args); err != nil {
		return exitUsage
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
	text, err := initConfig(ctx, ad, *users, *groups)
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
	if *out != "" {
		fmt.Fprintf(stderr, "wrote %s: review every line marked GUESS, then run scimbridge check -config %s\n", *out, *out)
	}
	return exitOK
}

// guess is one attribute → column guess, tried in order.
type guess struct {
	attr string
	re   *regexp.Regexp
	why  string
}

// userGuesses are the column names legacy applications commonly use.
var userGuesses = []guess{
	{"userName", regexp.MustCompile(`^(user_?name|login|username|user_login|handle|email|mail|email_address)$`), "the login"},
	{"externalId", regexp.MustCompile(`^(external_?id|okta_?id|idp_?id|sso_?(id|subject)|azure_?id|object_?id)$`), "an identity provider's id"},
	{"name.givenName", regexp.MustCompile(`^(first_?name|given_?name|fname|firstname|forename)$`), "the first name"},
	{"name.familyName", regexp.MustCompile(`^(last_?name|family_?name|surname|lname|lastname)$`), "the last name"},
	{"name.formatted", regexp.MustCompile(`^(full_?name|name)$`), "the full name"},
	{"displayName", regexp.MustCompile(`^(display_?name|nick_?name|screen_?name)$`), "a display name"},
	{"emails", regexp.MustCompile(`^(email|mail|email_address|user_email)$`), "the e-mail address"},
	{"phoneNumbers", regexp.MustCompile(`^(phone|phone_?number|mobile|telephone)$`), "a phone number"},
	{"title", regexp.MustCompile(`^(title|job_?title)$`), "a job title"},
	{"active", regexp.MustCompile(`^(active|is_?active|enabled|is_?enabled|status|state|user_status)$`), "the status"},
	{"active", regexp.MustCompile(`^(deleted_?at|disabled_?at|deactivated_?at)$`), "a soft-delete time"},
	{"meta.created", regexp.MustCompile(`^(created_?at|created|date_?created|created_?on|registered|user_registered|insert_?date)$`), "the creation time"},
	{"meta.lastModified", regexp.MustCompile(`^(updated_?at|modified_?at|updated|modified|last_?modified|changed|updated_?on)$`), "the last change"},
}

func initConfig(ctx context.Context, ad adapters.Adapter, usersTable, groupsTable string) (string, error) {
	u, err := ad.Describe(ctx, adapters.Table(usersTable))
	if err != nil {
		return "", fmt.Errorf("reading table %s: %w", usersTable, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Starting configuration written by "scimbridge init" on %s.
# Every line marked GUESS is a guess from a column's name: check it against
# what the application means by the column, then run
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
`, time.Now().UTC().Format(time.DateOnly))
	writeResource(&b, "User", u, userGuesses, "")
	if groupsTable != "" {
		g, err := ad.Describe(ctx, adapters.Table(groupsTable))
		if err != nil {
			return "", fmt.Errorf("reading table %s: %w", groupsTable, err)
		}
		// Ids must be unique across resource types (RFC 7643 section
		// 3.1): the keys of two tables that count up both have a 7.
		prefix := ""
		if groupsTable != usersTable && !uuidKeyed(u) && !uuidKeyed(g) {
			prefix = "g-"
		}
		writeResource(&b, "Group", g, []guess{
			{"displayName", regexp.MustCompile(`^(name|display_?name|title|role|role_?name|label|group_?name)$`), "the group's name"},
			{"externalId", regexp.MustCompile(`^(external_?id|okta_?id|idp_?id|sso_?group_?id|object_?id)$`), "an identity provider's id"},
			{"meta.created", regexp.MustCompile(`^(created_?at|created)$`), "the creation time"},
			{"meta.lastModified", regexp.MustCompile(`^(updated_?at|modified_?at|updated)$`), "the last change"},
		}, prefix)
		b.WriteString(`    # GUESS: where memberships live. A join table, or a column of the users
    # table holding the user's one group (then use userColumn instead).
    members:
      table: ` + guessJoin(usersTable, groupsTable) + `
      group: ` + singular(groupsTable) + `_id
      user: ` + singular(usersTable) + `_id
`)
	}
	return b.String(), nil
}

// uuidKeyed reports whether a table's primary key is a character column
// long enough for a UUID, which init then has scimbridge generate.
func uuidKeyed(t adapters.TableInfo) bool {
	for _, ix := range t.Indexes {
		if ix.Name == "PRIMARY" && len(ix.Columns) == 1 {
			ci, _ := t.Column(ix.Columns[0])
			return !ci.AutoIncrement
		}
	}
	return false
}

// softDeleteRE matches the columns legacy applications mark deleted rows
// with.
var softDeleteRE = regexp.MustCompile(`^(deleted|is_?deleted|deleted_?at|deleted_?on|removed_?at)$`)

func writeResource(b *strings.Builder, name string, t adapters.TableInfo, guesses []guess, prefix string) {
	key := ""
	for _, ix := range t.Indexes {
		if ix.Name == "PRIMARY" && len(ix.Columns) == 1 {
			key = string(ix.Columns[0])
		}
	}
	fmt.Fprintf(b, "  %s:\n    table: %s\n", name, t.Name)
	if key == "" {
		fmt.Fprintf(b, "    # No single-column primary key found: name the key column.\n    id: {column: id}\n")
	} else {
		ci, _ := t.Column(adapters.Column(key))
		gen := "auto"
		if !ci.AutoIncrement {
			gen = "uuid"
		}
		if prefix != "" {
			fmt.Fprintf(b, "    # The users' keys count up too: the prefix keeps group %s apart\n    # from user %s (ids are unique across resource types).\n", prefix+"7", "7")
			fmt.Fprintf(b, "    id: {column: %s, generate: %s, prefix: %s}\n", key, gen, prefix)
		} else {
			fmt.Fprintf(b, "    id: {column: %s, generate: %s}\n", key, gen)
		}
	}
	b.WriteString("    attributes:\n")
	used := map[adapters.Column]bool{adapters.Column(key): true}
	mapped := map[string]bool{}
	for _, g := range guesses {
		if mapped[g.attr] {
			continue
		}
		for _, c := range t.Columns {
			if used[c.Name] || !g.re.MatchString(strings.ToLower(string(c.Name))) {
				continue
			}
			used[c.Name], mapped[g.attr] = true, true
			fmt.Fprintf(b, "      # GUESS: %s looks like %s (%s).\n", c.Name, g.why, c.ColumnType)
			fmt.Fprintf(b, "      %s", g.attr)
			switch {
			case g.attr == "active" && strings.Contains(string(c.Name), "_at"):
				fmt.Fprintf(b, ": {column: %s, activeWhenNull: true}\n", c.Name)
			case g.attr == "active" && !strings.HasPrefix(c.DataType, "tinyint") && c.DataType != "bit" && c.DataType != "int":
				fmt.Fprintf(b, ":\n        column: %s\n        # GUESS: the stored values for active and inactive.\n        trueValue: active\n        falseValue: disabled\n", c.Name)
			default:
				fmt.Fprintf(b, ": %s\n", c.Name)
			}
			break
		}
	}
	if !mapped["userName"] && name == "User" {
		b.WriteString("      # No login column recognised: name the column Okta matches users by.\n      userName: CHANGE_ME\n")
	}
	if !mapped["displayName"] && name == "Group" {
		b.WriteString("      # No name column recognised.\n      displayName: CHANGE_ME\n")
	}
	var needs []string
	for _, c := range t.Columns {
		if !c.Nullable && !c.HasDefault && !c.AutoIncrement && !used[c.Name] {
			needs = append(needs, string(c.Name))
		}
	}
	sort.Strings(needs)
	if len(needs) > 0 {
		b.WriteString("    # These columns are NOT NULL without a default and nothing above\n    # writes them: give each a value the application accepts.\n    defaults:\n")
		for _, n := range needs {
			ci, _ := t.Column(adapters.Column(n))
			switch {
			case strings.Contains(n, "password"):
				fmt.Fprintf(b, "      # An unusable password: users sign in through the identity provider.\n      %s: \"!\"\n", n)
			case ci.DataType == "datetime" || ci.DataType == "timestamp":
				fmt.Fprintf(b, "      %s: {generate: now}\n", n)
			default:
				fmt.Fprintf(b, "      %s: CHANGE_ME  # %s\n", n, ci.ColumnType)
			}
		}
	}
	if name != "User" {
		return
	}
	for _, c := range t.Columns {
		if used[c.Name] || !softDeleteRE.MatchString(strings.ToLower(string(c.Name))) {
			continue
		}
		switch {
		case (c.DataType == "datetime" || c.DataType == "timestamp") && c.Nullable:
			fmt.Fprintf(b, "    # GUESS: %s marks deleted rows. DELETE sets it: the row stays for the\n    # application, and SCIM answers 404 for it from then on.\n", c.Name)
			fmt.Fprintf(b, "    delete:\n      mark: {column: %s, generate: now}\n", c.Name)
			return
		case strings.HasPrefix(c.DataType, "tinyint") || c.DataType == "bit":
			fmt.Fprintf(b, "    # GUESS: %s marks deleted rows. DELETE sets it: the row stays for the\n    # application, and SCIM answers 404 for it from then on.\n", c.Name)
			fmt.Fprintf(b, "    delete:\n      mark: {column: %s, value: 1}\n", c.Name)
			return
		}
	}
	b.WriteString("    # DELETE is refused (405) rather than removing the application's rows;\n    # Okta and Entra deprovision by PATCH active: false. Use hard, or a\n    # soft delete {mark: {column, value}}, when the application allows it.\n    delete: refuse\n")
	if !mapped["active"] {
		b.WriteString("    # No status column recognised: active: false is refused (400) until\n    # active is mapped, or ignoreDeactivation says the application has no\n    # way to disable an account.\n")
	}
}

func singular(t string) string {
	switch {
	case strings.HasSuffix(t, "ies"):
		return strings.TrimSuffix(t, "ies") + "y"
	case strings.HasSuffix(t, "s"):
		return strings.TrimSuffix(t, "s")
	}
	return t
}

func guessJoin(users, groups string) string { return singular(users) + "_" + groups }
