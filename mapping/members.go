package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// membersText describes where a group's members are stored.
func (r *Resource) membersText() []string {
	var out []string
	if ms := r.Spec.Members; ms != nil && ms.JoinTable != "" {
		user := "the user"
		if ms.UserRef != "" {
			user = "the user's " + string(ms.UserRef)
		}
		line := fmt.Sprintf("members: rows of %s (%s -> %s, %s -> %s)", ms.JoinTable, ms.JoinGroup, strings.TrimPrefix(string(ms.GroupRef), "@j:"), ms.JoinUser, user)
		if s := conditionText(ms.JoinScope, ms.JoinConditions, false); s != "" {
			line += "; memberships are the rows with " + s
		}
		for _, d := range ms.JoinDefaults {
			line += fmt.Sprintf("; default %s on add", d.Column)
		}
		out = append(out, line)
	}
	if ms := r.Spec.Members; ms != nil && ms.List != nil {
		if l, ok := ms.List.(memberList); ok {
			d := l.c.describe()
			if kind, _ := ms.List.Search(); kind == adapters.ListOpaque {
				d = l.c.name() + "; members and filters decode every user's list"
			}
			if ms.MetaKey != "" {
				out = append(out, fmt.Sprintf("members: users whose %s entry %q, %s, holds the group's %s", ms.Users.KV.Table, ms.MetaKey, d, ms.GroupRef))
			} else {
				out = append(out, fmt.Sprintf("members: users whose %s.%s, %s, holds the group's %s", ms.Users.Table, ms.UserColumn, d, ms.GroupRef))
			}
		}
	}
	return out
}

// memberMeta compiles a membership held as a list of group references in
// an entry of the users' key/value table (members: {meta, list}),
// reporting whether it can be served.
func (c *compiler) memberMeta(path string, g, u *Resource, spec *adapters.MembershipSpec, mc MembersConfig) bool {
	ok := true
	if mc.Group != "" || mc.User != "" || len(mc.Scope) > 0 || len(mc.Defaults) > 0 || mc.Removed != nil || mc.UserReferences != "" {
		c.add(path, "group, user, scope, defaults, removed and userReferences describe join-table rows; with meta expected none of them")
		ok = false
	}
	if mc.WhenRemoved != nil {
		c.add(path+".whenRemoved", "applies to a column holding one group; a list loses the group's token on removal, expected no whenRemoved")
		ok = false
	}
	if mc.List == nil {
		c.add(path+".list", "missing; expected the encoding of the list the entry %q holds (json, jsonObject, delimited, php, phpList)", mc.Meta)
		ok = false
	}
	var codec *listCodec
	lp := path + ".list"
	if mc.List != nil {
		lc := *mc.List
		if len(lc.Values) > 0 || len(lc.Map) > 0 {
			c.add(lp, "values and map restrict a list attribute; a membership's tokens are the groups' references, expected neither")
			lc.Values, lc.Map = nil, nil
		}
		codec = compileList(lc, func(sub, format string, args ...any) { c.add(lp+sub, format, args...) })
	}
	if u.metaCfg == nil {
		c.add(path+".meta", "the User resource has no metaTable; expected resources.User.metaTable {table, parent, key, value} for the entry %q", mc.Meta)
		return false
	}
	if !c.metaTable("resources.User", u, u.metaCfg) {
		return false
	}
	kc, _ := u.kvInfo.Column(u.Spec.KV.Key)
	if kc.MaxLength > 0 && int64(len(mc.Meta)) > kc.MaxLength {
		c.add(path+".meta", "meta key %q is longer than the %d characters of %s", mc.Meta, kc.MaxLength, kc.Name)
		ok = false
	}
	if _, scoped := u.Spec.KV.KeyScope[mc.Meta]; scoped {
		c.add(path+".meta", "the entry %q has further scope columns (metaScope) on the User attribute sharing it; expected an entry of the metaTable's own scope", mc.Meta)
		ok = false
	}
	if codec == nil {
		return false
	}
	key := adapters.KVColumn(mc.Meta)
	shared := false
	for _, a := range u.attrs {
		if a.kind != kindKV || a.col.Name != key {
			continue
		}
		shared = true
		switch {
		case a.list == nil:
			c.add(path+".meta", "the entry %q is also mapped by the User attribute %s, which is no list; expected an entry only membership writes, or a list attribute beside it", mc.Meta, a.path)
			ok = false
		case !a.list.restricted:
			c.add(path+".meta", "the entry %q is also the list of the User attribute %s, which owns every value in it; expected values (or map) on %s so that the groups' tokens stay the membership's", mc.Meta, a.path, a.path)
			ok = false
		case a.list.enc != codec.enc || a.list.delim != codec.delim:
			c.add(lp, "the User attribute %s reads the entry %q as %s; expected the same encoding", a.path, mc.Meta, a.list.name())
			ok = false
		}
	}
	if !shared {
		// A hard delete of the user removes the entry with the others.
		u.Spec.KV.Keys = append(u.Spec.KV.Keys, mc.Meta)
	}
	if g.IsFixed() {
		c.valueTokens(strings.TrimSuffix(path, ".members"), g, u, key, codec)
	}
	if !ok {
		return false
	}
	col, _ := u.kvInfo.Column(u.Spec.KV.Value)
	col.Nullable = true // a missing entry
	spec.Users = u.Spec
	spec.MetaKey = mc.Meta
	spec.List = memberList{c: codec, col: col}
	return true
}

// memberList compiles a membership held as a list of group references in
// a column of the users table (members: {userColumn, list}).
func (c *compiler) memberList(path string, g, u *Resource, spec *adapters.MembershipSpec, mc MembersConfig, uinfo adapters.TableInfo, uok bool) {
	lp := path + ".list"
	lc := *mc.List
	if len(lc.Values) > 0 || len(lc.Map) > 0 {
		c.add(lp, "values and map restrict a list attribute; a membership's tokens are the groups' references, expected neither")
		lc.Values, lc.Map = nil, nil
	}
	if mc.WhenRemoved != nil {
		c.add(path+".whenRemoved", "applies to a column holding one group; a list loses the group's token on removal, expected no whenRemoved")
	}
	spec.Cleared = nil
	codec := compileList(lc, func(sub, format string, args ...any) { c.add(lp+sub, format, args...) })
	if !uok {
		return
	}
	ci, ok := uinfo.Column(spec.UserColumn)
	if !ok {
		c.add(path+".userColumn", "column %q not in table %s%s; expected the users column holding the list of groups", mc.UserColumn, u.Spec.Table, DidYouMean(mc.UserColumn, columnNames(uinfo)))
		return
	}
	if codec == nil {
		return
	}
	if !(ci.Kind == adapters.KindJSON || ci.IsFreeText()) {
		c.add(path+".userColumn", "column %q is %s; expected a character, TEXT or JSON column to hold %s", ci.Name, ci.ColumnType, codec.name())
		return
	}
	for _, a := range u.attrs {
		if a.col.Name != spec.UserColumn || a.kind == kindKV {
			continue
		}
		// A list attribute may share the column when it owns only its
		// own values: each then keeps the other's tokens.
		switch {
		case a.list == nil:
			c.add(path+".userColumn", "column %q is also mapped by the User attribute %s, which is no list; expected a column only membership writes, or a list attribute beside it", mc.UserColumn, a.path)
		case !a.list.restricted:
			c.add(path+".userColumn", "column %q is also the list of the User attribute %s, which owns every value in it; expected values (or map) on %s so that the groups' tokens stay the membership's", mc.UserColumn, a.path, a.path)
		case a.list.enc != codec.enc || a.list.delim != codec.delim:
			c.add(path+".list", "the User attribute %s reads column %q as %s; expected the same encoding", a.path, mc.UserColumn, a.list.name())
		}
	}
	if g.IsFixed() {
		c.valueTokens(strings.TrimSuffix(path, ".members"), g, u, ci.Name, codec)
	}
	spec.List = memberList{c: codec, col: ci}
}

// members compiles where a group's members are stored.
func (c *compiler) members(path string, g, u *Resource, mc MembersConfig) {
	// A group declared by values has no table to describe.
	var ginfo adapters.TableInfo
	gok := false
	if !g.IsFixed() {
		ginfo, gok = c.describe(g.Spec.Table)
	}
	uinfo, uok := c.describe(u.Spec.Table)
	// The user column the join rows hold (the key, or userReferences),
	// resolved first: it joins the columns the users' reads load.
	uref, urefOK := u.key, u.key.Name != ""
	if mc.UserReferences != "" {
		if mc.Table == "" {
			c.add(path+".userReferences", "names the users column a join table's user column stores; expected it only with a join table (table, group, user)")
			urefOK = false
		} else {
			uref, urefOK = c.memberUserRef(path+".userReferences", u, mc.UserReferences, uinfo, uok)
		}
	}
	spec := &adapters.MembershipSpec{Users: u.Spec, GroupRef: g.Spec.Key}
	if g.IsFixed() {
		spec.GroupRef = valueGroupValue
	}
	if urefOK && uref.Name != u.Spec.Key {
		spec.UserRef = uref.Name
	}
	// The members' display: a column of the users' own table (a joined
	// table's is not in the membership's queries), else the key.
	spec.Display = u.Spec.Key
	if a, ok := u.byPath["displayname"]; ok && !isJoinedColumn(a.col) {
		spec.Display = a.col.Name
	} else if a, ok := u.byPath["username"]; ok && !isJoinedColumn(a.col) {
		spec.Display = a.col.Name
	}
	var gref adapters.ColumnInfo
	grefOK := false
	if gok {
		gref, grefOK = ginfo.Column(g.Spec.Key)
	}
	if mc.References != "" {
		gref, grefOK = c.memberGroupRef(path+".references", g, mc.References, ginfo, gok)
		spec.GroupRef = adapters.Column(mc.References)
		if grefOK {
			spec.GroupRef = gref.Name
		}
	}
	switch {
	case mc.Table != "" && mc.UserColumn != "" || mc.Meta != "" && (mc.Table != "" || mc.UserColumn != ""):
		c.add(path, "more than one of a join table, userColumn and meta given; expected one of them")
		return
	case mc.Meta != "":
		if !c.memberMeta(path, g, u, spec, mc) {
			return
		}
	case mc.Table != "":
		if mc.WhenRemoved != nil {
			c.add(path+".whenRemoved", "applies only to userColumn; a join table row is deleted on removal")
		}
		spec.JoinTable, spec.JoinGroup, spec.JoinUser = adapters.Table(mc.Table), adapters.Column(mc.Group), adapters.Column(mc.User)
		jinfo, err := c.db.Describe(c.ctx, spec.JoinTable)
		if err != nil {
			c.tableNotFound(path+".table", mc.Table)
			return
		}
		jcols := map[string]adapters.ColumnInfo{}
		for _, f := range []struct{ key, col string }{{"group", mc.Group}, {"user", mc.User}} {
			if f.col == "" {
				c.add(path+"."+f.key, "missing; expected the column of %s referring to the %s", mc.Table, f.key)
			} else if ci, ok := jinfo.Column(adapters.Column(f.col)); !ok {
				c.add(path+"."+f.key, "%s", notInTable(f.col, mc.Table, jinfo))
			} else {
				jcols[f.key] = ci
			}
		}
		jcolumn := func(p, name string) (adapters.ColumnInfo, bool) {
			ci, ok := jinfo.Column(adapters.Column(name))
			if !ok {
				c.add(p, "%s", notInTable(name, mc.Table, jinfo))
			}
			return ci, ok
		}
		spec.JoinScope = map[adapters.Column]any{}
		for _, col := range slices.Sorted(maps.Keys(mc.Scope)) {
			v := mc.Scope[col]
			sp := path + ".scope." + col
			ci, ok := jcolumn(sp, col)
			if !ok {
				continue
			}
			if ci.Name == spec.JoinGroup || ci.Name == spec.JoinUser {
				c.add(sp, "column %q is the group or user column; expected another column of %s", col, mc.Table)
				continue
			}
			if v.Constant {
				sv := scalar(v.Const)
				if sv == nil {
					c.add(sp, "expected a scalar value (string, number or boolean), or conditions such as {in: [0, 1]}")
					continue
				}
				if msg := valueFits(ci, sv); msg != "" {
					c.add(sp, "%s", msg)
					continue
				}
				spec.JoinScope[ci.Name] = sv
				continue
			}
			for _, sc := range c.conditions(sp, ci, v) {
				spec.JoinConditions = append(spec.JoinConditions, sc.Condition)
			}
		}
		var covered map[adapters.Column]bool
		spec.JoinDefaults, covered = c.tableDefaults(path+".defaults", mc.Defaults, jcolumn, defaultRules{
			pers: []string{adapters.NextPerUser, adapters.NextPerGroup},
			copy: c.copyMember(uinfo, uok, ginfo, gok),
		})
		for _, d := range spec.JoinDefaults {
			if d.Column == spec.JoinGroup || d.Column == spec.JoinUser {
				c.add(path+".defaults."+string(d.Column), "column %q is the group or user column; expected a default only for another column", d.Column)
			}
			if _, scoped := spec.JoinScope[d.Column]; scoped {
				c.add(path+".defaults."+string(d.Column), "column %q is set by the scope; expected it in one of scope and defaults", d.Column)
			}
			for _, cond := range spec.JoinConditions {
				jc, _ := jinfo.Column(cond.Column)
				if cond.Column == d.Column && d.Kind == adapters.DefaultConstant && !holds(cond, jc, d.Value) {
					c.add(path+".defaults."+string(d.Column), "%v is outside the scope's condition on %s, so every membership added would be invisible; expected a value in scope", d.Value, d.Column)
				}
			}
		}
		for _, ci := range jinfo.Columns {
			n := ci.Name
			if ci.Nullable || ci.HasDefault || ci.AutoIncrement || n == spec.JoinGroup || n == spec.JoinUser || covered[n] {
				continue
			}
			if _, scoped := spec.JoinScope[n]; scoped {
				continue
			}
			c.add(path+".defaults", "column %q of %s is NOT NULL without a default and nothing writes it; expected defaults.%s (a constant, {generate: now} or {generate: uuid}) or a scope setting it", n, mc.Table, n)
		}
		spec.Location = g.Spec.Location
		if mc.Removed != nil {
			c.membershipRemoved(path+".removed", spec, jinfo, *mc.Removed)
		}
		if gc, ok := jcols["group"]; ok && g.IsFixed() {
			c.valueFitsMembership(strings.TrimSuffix(path, ".members"), g, gc, "the membership's group column "+mc.Group)
		} else if ok && grefOK {
			rc, rt := bareName(gref), g.Spec.Table
			if isJoinedColumn(gref) {
				rt = adapters.Table(strings.TrimPrefix(strings.TrimSuffix(string(gref.Name), "."+string(rc.Name)), "@j:"))
			}
			if msg := joinable(gc, rc); msg != "" {
				c.add(path+".group", "%s", msg)
			} else {
				c.joinWarnings(path+".group", "the membership's group column", gc, rc, spec.JoinTable, rt)
			}
		}
		if uc, ok := jcols["user"]; ok && urefOK {
			if msg := joinable(uc, uref); msg != "" {
				c.add(path+".user", "%s", msg)
			} else {
				c.joinWarnings(path+".user", "the membership's user column", uc, uref, spec.JoinTable, u.Spec.Table)
			}
		}
		if leadingIndex(jinfo, spec.JoinGroup) == "" {
			c.warn = append(c.warn, fmt.Sprintf("%s: %s has no index starting with %s: listing a group's members scans the table", path, mc.Table, mc.Group))
		}
		u.Spec.Memberships = append(u.Spec.Memberships, adapters.MembershipRef{Table: spec.JoinTable, Column: spec.JoinUser, Ref: spec.UserRef, Scope: spec.JoinScope, Conditions: spec.JoinConditions, Removed: spec.Removed, Location: spec.Location, RemovedMillis: spec.RemovedMillis})
	case mc.UserColumn != "":
		if mc.Group != "" || mc.User != "" {
			c.add(path, "group and user name join-table columns; with userColumn expected neither")
		}
		if len(mc.Scope) > 0 || len(mc.Defaults) > 0 {
			c.add(path, "scope and defaults describe join-table rows; with userColumn expected neither")
		}
		spec.UserColumn = adapters.Column(mc.UserColumn)
		spec.Cleared = scalar(mc.WhenRemoved)
		if mc.List != nil {
			c.memberList(path, g, u, spec, mc, uinfo, uok)
			break
		}
		if uok {
			if ci, ok := uinfo.Column(spec.UserColumn); !ok {
				c.add(path+".userColumn", "column %q not in table %s%s; expected the users column holding the group", mc.UserColumn, u.Spec.Table, DidYouMean(mc.UserColumn, columnNames(uinfo)))
			} else {
				if spec.Cleared == nil && !ci.Nullable {
					c.add(path+".whenRemoved", "column %q is NOT NULL; expected the value to write when a user leaves the group (the default role)", mc.UserColumn)
				}
				if g.IsFixed() {
					c.valueFitsMembership(strings.TrimSuffix(path, ".members"), g, ci, "the users column "+mc.UserColumn)
				}
			}
		}
		for _, a := range u.attrs {
			if a.col.Name == spec.UserColumn {
				c.add(path+".userColumn", "column %q is also mapped by the User attribute %s; expected a column only membership writes", mc.UserColumn, a.path)
			}
		}
	case mc.List != nil:
		c.add(path+".list", "a list needs the users column holding it; expected userColumn beside list")
		return
	default:
		c.add(path, "no storage; expected {table, group, user} for a join table, {userColumn} for a column of the users table or {meta, list} for an entry of its metaTable")
		return
	}
	g.Spec.Members = spec
	u.groups = true
	gs := g.Spec
	gs.Members = nil
	u.Spec.MemberOf = &adapters.GroupLink{Groups: gs, Membership: *spec}
	if g.versioned && g.version == "" && len(g.Spec.Touch) == 0 {
		c.add(strings.TrimSuffix(path, ".members")+".version", "a hash of the group's columns does not change when only its members do; expected meta.lastModified mapped (stamped on membership changes) or an integer version column")
	}
}
