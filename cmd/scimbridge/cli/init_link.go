package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// emailLink is a table of e-mail addresses reached from the users through
// a link table (SuiteCRM's email_addresses and email_addr_bean_rel): the
// address rows refer to no user; each link row names the user and the
// address, and may carry the owner's type, the primary flag and a
// deleted flag of its own.
type emailLink struct {
	addr                                adapters.TableInfo
	value                               adapters.Column
	link                                adapters.TableInfo
	parent, child, primary, removed, tp adapters.Column
	tpValue                             string
}

var (
	linkParentNames  = words(`beanid|parentid|ownerid|objectid|recordid|entityid`)
	linkTypeNames    = words(`.*(module|type|kind)`)
	linkRemovedNames = words(`deleted|isdeleted|removed`)
	linkPrimaryNames = words(`isprimary|primary|isdefault|default|preferred|primaryaddress|primaryemail`)
)

// findEmailLink finds e-mail addresses reached through a link table: a
// table whose name says mail with an address column and no column
// referring to the users, and another table with a column referring to
// its key and one referring to the users' key (by name, foreign key, or a
// polymorphic owner column such as bean_id beside a module column).
func findEmailLink(ctx context.Context, s *initSchema, users adapters.TableInfo, exclude map[string]bool) *emailLink {
	ukey, _ := users.Column(users.PrimaryKey())
	for _, an := range s.names {
		a := s.tables[an]
		akey, _ := a.Column(a.PrimaryKey())
		if an == string(users.Name) || exclude[an] || akey.Name == "" || !strings.Contains(canon(an), "mail") {
			continue
		}
		el := &emailLink{addr: a}
		for _, c := range a.Columns {
			if _, _, ok := refersTo(s, a, c, users, userRefNames(users)); ok && c.Name != akey.Name {
				el.value = ""
				break
			}
			if el.value == "" && isInitString(c) && c.Name != akey.Name && emailValueNames.MatchString(canon(string(c.Name))) {
				el.value = c.Name
			}
		}
		if el.value == "" {
			continue
		}
		childNames := []string{canon(tableBase(an)) + "id", canon(strings.TrimSuffix(tableBase(an), "es")) + "id", canon(strings.TrimSuffix(tableBase(an), "s")) + "id", "emailid", "emailaddressid", "addressid"}
		for _, ln := range s.names {
			l := s.tables[ln]
			if ln == an || ln == string(users.Name) || exclude[ln] {
				continue
			}
			el.link, el.parent, el.child, el.primary, el.removed, el.tp = l, "", "", "", "", ""
			for _, c := range l.Columns {
				if c.Name == l.PrimaryKey() {
					continue
				}
				cn := canon(string(c.Name))
				switch {
				case el.child == "" && (s.references(ln, c.Name) == an || slices.Contains(childNames, cn)) && isInitString(c) == isInitString(akey):
					el.child = c.Name
				case el.parent == "" && ukey.Name != "" && isInitString(c) == isInitString(ukey) && isInitInt(c) == isInitInt(ukey) &&
					(s.references(ln, c.Name) == string(users.Name) || slices.Contains(userRefNames(users), cn) || linkParentNames.MatchString(cn)):
					el.parent = c.Name
				case el.primary == "" && isFlag(c) && linkPrimaryNames.MatchString(cn):
					el.primary = c.Name
				case el.removed == "" && isFlag(c) && linkRemovedNames.MatchString(cn):
					el.removed = c.Name
				case el.tp == "" && isInitString(c) && linkTypeNames.MatchString(cn):
					el.tp = c.Name
				}
			}
			if el.child == "" || el.parent == "" {
				continue
			}
			if el.tp != "" {
				// The owner's type: the value naming the users' table.
				want := canon(tableBase(string(users.Name)))
				for _, v := range s.sample(ctx, ln, el.tp, maxSampled) {
					if !v.null && strings.Contains(canon(v.value), strings.TrimSuffix(want, "s")) {
						el.tpValue = v.value
						break
					}
				}
				if el.tpValue == "" {
					el.tp = "" // no row says which type users are: not a scope init can tell
				}
			}
			return el
		}
	}
	return nil
}

// keyDefault is the default of a table's own character key that the
// database does not number: a random UUID each.
func keyDefault(t adapters.TableInfo) []entry {
	k, ok := t.Column(t.PrimaryKey())
	if !ok || k.AutoIncrement || !isInitString(k) {
		return nil
	}
	return []entry{{key: string(k.Name), value: flow("generate", "uuid"), guess: fmt.Sprintf("%s (%s) is the key, not numbered by the database: a random UUID per new row.", k.Name, k.ColumnType)}}
}

// entries writes the child's mapping, with its link.
func (el *emailLink) entries() []entry {
	out := []entry{{key: "table", value: yamlKey(string(el.addr.Name))}, {key: "value", value: yamlKey(string(el.value))}}
	written := []adapters.Column{el.value, el.addr.PrimaryKey()}
	d := keyDefault(el.addr)
	d = append(d, tableDefaults(el.addr, written)...)
	if len(d) > 0 {
		out = append(out, entry{key: "defaults", comment: notNullNote, block: d})
	}
	link := []entry{{key: "table", value: yamlKey(string(el.link.Name))}, {key: "parent", value: yamlKey(string(el.parent))}, {key: "child", value: yamlKey(string(el.child))}}
	lw := []adapters.Column{el.parent, el.child, el.link.PrimaryKey()}
	if el.tp != "" {
		link = append(link, entry{key: "scope", value: flow(yamlKey(string(el.tp)), yamlString(el.tpValue)),
			guess: fmt.Sprintf("%s names the owner's type; %q looks like the users'.", el.tp, el.tpValue)})
		lw = append(lw, el.tp)
	}
	if el.primary != "" {
		link = append(link, entry{key: "primary", value: yamlKey(string(el.primary)), guess: fmt.Sprintf("%s looks like the flag of the primary address.", el.primary)})
		lw = append(lw, el.primary)
	}
	if el.removed != "" {
		link = append(link, entry{key: "removed", value: flow("column", yamlKey(string(el.removed)), "value", "1", "restore", "0"),
			guess: fmt.Sprintf("%s looks like the link's own deleted flag: a removed address's link is marked, as the application does.", el.removed)})
		lw = append(lw, el.removed)
	}
	ld := keyDefault(el.link)
	ld = append(ld, tableDefaults(el.link, lw)...)
	if len(ld) > 0 {
		link = append(link, entry{key: "defaults", comment: notNullNote, block: ld})
	}
	return append(out, entry{key: "link", block: link})
}
