package mapping

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
)

// Describer reports what the database holds about a table; an
// adapters.Adapter is one.
type Describer interface {
	Describe(ctx context.Context, t adapters.Table) (adapters.TableInfo, error)
}

// TableLister is a Describer that can also list the database's tables.
// Compile uses it, when db has it, to name the tables there are (and the
// one probably meant) when a configured table is not found.
type TableLister interface {
	Tables(ctx context.Context) ([]adapters.Table, error)
}

// Offline is a Describer without a database, for scimbridge check
// -offline: it knows no table, and Compile given it checks only what the
// configuration shows by itself (SCIM attribute names and types, value
// maps, transforms, filters and scopes as written, references between
// resources), leaving out every check of the tables, their columns, types
// and indexes. The Mapping it returns is for reporting, not for serving.
var Offline Describer = offline{}

type offline struct{}

var errOffline = errors.New("no database (offline)")

func (offline) Describe(context.Context, adapters.Table) (adapters.TableInfo, error) {
	return adapters.TableInfo{}, errOffline
}

// Mapping is a compiled, validated mapping.
type Mapping struct {
	// User is the compiled User resource; nil if not mapped.
	User *Resource
	// Group is the compiled Group resource; nil if not mapped.
	Group *Resource
	// Warnings are things an operator should know that do not stop the
	// mapping from working (a membership lookup without an index). None
	// offline, where they cannot be told.
	Warnings []string
	// offline is set when compiled against Offline.
	offline bool
}

// Resources lists the mapped resource types.
func (m *Mapping) Resources() []*Resource {
	var out []*Resource
	if m.User != nil {
		out = append(out, m.User)
	}
	if m.Group != nil {
		out = append(out, m.Group)
	}
	return out
}

// attrKind says how a mapped attribute is stored.
type attrKind int

const (
	kindSimple   attrKind = iota // one value, one column
	kindSingle                   // a multi-valued attribute held as one value in one column
	kindMeta                     // meta.created / meta.lastModified, written by the store
	kindPassword                 // write-only, hashed
	kindManager                  // the key of another row of the same table
	kindChild                    // a multi-valued attribute in a child table
	kindKV                       // an entry of the key/value table
	kindList                     // a multi-valued attribute as a list encoded in one column
)

// attr is one compiled attribute mapping.
type attr struct {
	path     string   // canonical path: userName, name.givenName, emails, urn:...:department
	schema   string   // URN of the schema defining it
	parent   *AttrDef // the complex attribute holding it, or nil
	def      *AttrDef
	kind     attrKind
	col      adapters.ColumnInfo
	trueV    any // boolean stored as a value map; nil for a 0/1 flag
	falseV   any
	mapped   bool  // trueV/falseV given
	trueVs   []any // further stored values read as true
	nullTrue bool  // a timestamp: NULL (or 0 in an integer column) is true, false writes now
	ms       bool  // a time in an integer column is in Unix milliseconds
	loc      *time.Location
	xform    string     // transform of the primary column
	extra    []extraCol // further columns written with the value
	lookup   *extraCol  // a lower-cased copy that serves folded filters
	hash     hasher     // for a password
	child    *childCols // for kindChild
	kvKey    string     // for kindKV
	list     *listCodec // a list held in the column (or entry); see ListConfig
	// single is set on a kindKV attribute that is one value of a
	// multi-valued attribute (emails[type eq "work"].value), as kindSingle
	// is for a column: it reads and renders as that attribute's one entry.
	single bool
	typ    string
	// typValue is typ as the interface value its documents hold, boxed
	// once rather than on every row rendered.
	typValue any
	// strictType: the one value stored is the entry of type typ (a path
	// emails[type eq "work"].value), never another entry.
	strictType bool
	// shared lists the other attributes stored in the same column
	// (userName and emails[type eq "work"].value on one email column).
	shared []*attr
	// idPrefix is the resource's id prefix, for a manager's id.
	idPrefix string
	required bool // must be given on create: NOT NULL column with no default
	// omitted is the value a create that leaves the attribute out
	// gives it (AttributeConfig.WhenOmitted), as a SCIM JSON value;
	// omittedAt is the YAML path it was configured at, "" for none.
	omitted   any
	omittedAt string
	index     string // "unique", "index" or "" for the column's best index
	// onTrue and onFalse are further columns written with a boolean
	// when it is written true or false (AttributeConfig.OnTrue).
	onTrue, onFalse []constCol
}

// extraCol is a further column an attribute is written to.
type extraCol struct {
	col   adapters.ColumnInfo
	xform string
}

// computed is a column written from a template of attribute values.
type computed struct {
	col    adapters.ColumnInfo
	parts  []string // literal text at even indexes, attribute paths at odd
	attrs  []*attr
	xforms []string // the transforms of each attribute's value ({userName|lower|localpart}), "|" between
}

// Resource is one compiled resource type.
type Resource struct {
	// Name is the resource type name (User).
	Name string
	// Endpoint is its path under the base URL (/Users).
	Endpoint string
	// Schema is its core schema URN.
	Schema string
	// Spec is the table description handed to the storage adapter.
	Spec adapters.TableSpec
	// Delete is the DELETE policy.
	Delete string

	// nameValue and schemaValue are Name and Schema as the interface
	// values a document holds, boxed once rather than for every row
	// rendered.
	nameValue, schemaValue any

	// groups is set on the User resource when groups have members: users
	// then carry the read-only groups attribute.
	groups bool
	// version is the column meta.version comes from, "" for a hash of
	// the mapped columns; versioned says ETags are on.
	version   adapters.Column
	versioned bool

	key adapters.ColumnInfo
	// natural is the attribute whose value is the key (userName on a
	// VARCHAR key holding the login), or nil; naturalPath is its path
	// as configured, found before the attributes are compiled.
	natural     *attr
	naturalPath string
	info        adapters.TableInfo
	kvInfo      adapters.TableInfo
	// metaCfg is the resource's metaTable as configured, for a
	// membership held in one of its entries.
	metaCfg *MetaTableConfig
	// joined are the joined tables, in the order configured.
	joined  []*joinedTable
	schemas *schemaSet
	// ignoreDeactivation accepts active: false without an active column.
	ignoreDeactivation bool
	attrs              []*attr
	computed           []*computed
	byPath             map[string]*attr // lower-case path → attr
	// given holds the lower-case paths of the attributes the config maps,
	// compiled or not: one whose column is wrong is reported as that,
	// and not also as missing.
	given map[string]bool
	// offlineNames are the attributes given, compiled offline, where
	// those whose column is not known are left out of attrs.
	offlineNames []string
	active       *attr
	conds        []scopeCond // the scope's conditions, with their columns
	// memberHooks are a group's member hooks until Compile puts them in
	// its membership; hookText shows every hook, for Describe.
	memberHooks adapters.Hooks
	hookText    []string
	// memberEvents are the member events the config gives hooks for.
	memberEvents []adapters.HookEvent
	// valueAt is, for a Group declared by values, the index in the
	// config's values of each of Spec.Values, for problems' paths.
	valueAt []int
	// docLayout is the document AppendDocument writes, made on first
	// use (layoutOnce).
	layoutOnce sync.Once
	docLayout  *docLayout
}

// HasMembers reports whether the resource is a group with a membership
// mapping; its store then implements adapters.Groups.
func (r *Resource) HasMembers() bool { return r.Spec.Members != nil }

// HasGroups reports whether users carry the read-only groups attribute.
func (r *Resource) HasGroups() bool { return r.groups }

// Maps reports whether the resource stores the attribute with that path.
func (r *Resource) Maps(path string) bool {
	_, ok := r.byPath[strings.ToLower(path)]
	return ok
}

// HasManager reports whether the resource maps the enterprise manager.
func (r *Resource) HasManager() bool {
	a, ok := r.byPath[strings.ToLower(EnterpriseSchema+":manager")]
	return ok && a.kind == kindManager
}

type compiler struct {
	ctx    context.Context
	db     Describer
	probs  ProblemsError
	warn   []string
	loc    *time.Location // time zone of the resource being compiled
	scoped []string       // columns every directory's scope sets

	// tableNames caches the database's tables for tableNotFound; listed
	// says it was asked.
	tableNames []string
	listed     bool
	// failedTables are tables already reported missing, so that each is
	// reported once.
	failedTables map[string]bool
	// hooksUnchecked is set once the database said it cannot check
	// statements, so it is not asked again.
	hooksUnchecked bool
	// offline is set when db is Offline: a table that cannot be
	// described is not a problem, only not checked.
	offline bool
}

func (c *compiler) add(path, format string, args ...any) {
	p := Problem{Path: path, Message: fmt.Sprintf(format, args...)}
	if slices.Contains(c.probs, p) {
		// The same mistake reached twice (a table two attributes use).
		return
	}
	c.probs = append(c.probs, p)
}

// tableNotFound reports that table, configured at path, is not in the
// database: with the closest table name if one is close, and the tables
// there are when the database can list them.
func (c *compiler) tableNotFound(path, table string) {
	if c.offline {
		return
	}
	if c.failedTables == nil {
		c.failedTables = map[string]bool{}
	}
	c.failedTables[table] = true
	names := c.tables()
	switch {
	case names == nil:
		c.add(path, "table %q not found in the database", table)
	case len(names) == 0:
		c.add(path, "table %q not found in the database, which has no tables; expected the application's database in database.config", table)
	default:
		c.add(path, "table %q not found in the database%s (tables: %s)", table, DidYouMean(table, names), nameList(names))
	}
}

// unreadable reports a table the database could not describe, unless
// compiling offline, where no table is.
func (c *compiler) unreadable(path string, err error) {
	if !c.offline {
		c.add(path, "cannot read the table's columns from the database: %v", err)
	}
}

// tables lists the database's tables, sorted, or nil if db cannot.
func (c *compiler) tables() []string {
	if c.listed {
		return c.tableNames
	}
	c.listed = true
	tl, ok := c.db.(TableLister)
	if !ok {
		return nil
	}
	ts, err := tl.Tables(c.ctx)
	if err != nil {
		return nil
	}
	c.tableNames = make([]string, 0, len(ts))
	for _, t := range ts {
		c.tableNames = append(c.tableNames, string(t))
	}
	slices.Sort(c.tableNames)
	return c.tableNames
}

// notInTable is the problem of a column that table lacks: the closest
// column if one is close, else every column of the table.
func notInTable(col, table string, info adapters.TableInfo) string {
	names := columnNames(info)
	if col == placeholderColumn {
		return fmt.Sprintf("%s is a placeholder (scimbridge init writes it where it found no column); expected one of the columns of %s: %s", col, table, nameList(names))
	}
	if hint := DidYouMean(col, names); hint != "" {
		return fmt.Sprintf("column %q not in table %s%s", col, table, hint)
	}
	return fmt.Sprintf("column %q not in table %s; expected one of %s", col, table, nameList(names))
}

// placeholderColumn is what scimbridge init writes for a column it could
// not guess.
const placeholderColumn = "CHANGE_ME"

// Compile validates cfg, checks it against the live schema through db, and
// returns the compiled mapping. Every problem found is returned at once as
// ProblemsError, each starting with its YAML path under prefix (e.g. "resources").
//
// scoped names columns that every directory's token scope sets (see
// Specs): they count as written for the NOT NULL check.
func Compile(ctx context.Context, cfg Config, db Describer, prefix string, scoped ...string) (*Mapping, error) {
	c := &compiler{ctx: ctx, db: db, scoped: scoped, offline: db == Offline}
	m := &Mapping{}
	if cfg.User == nil {
		c.add(prefix, "no User resource; expected resources.User with a table and attributes")
	} else {
		m.User = c.resource(prefix+".User", "User", "/Users", UserSchema, *cfg.User)
		c.hooks(prefix+".User.hooks", m.User, cfg.User.Hooks)
		if cfg.User.Members != nil {
			c.add(prefix+".User.members", "only a Group has members; move this under resources.Group")
		}
		if cfg.User.Values != nil {
			c.add(prefix+".User.values", "only a Group is declared by values; move this under resources.Group")
		}
	}
	if cfg.Group != nil && cfg.Group.Values != nil && cfg.Group.Table != "" {
		c.add(prefix+".Group.values", "declares the groups, and table %q holds them; expected one of table and values", cfg.Group.Table)
	} else if cfg.Group != nil && cfg.Group.Values != nil {
		m.Group = c.valueGroups(prefix+".Group", *cfg.Group)
		if cfg.Group.Members != nil && m.User != nil {
			c.members(prefix+".Group.members", m.Group, m.User, *cfg.Group.Members)
		}
	} else if cfg.Group != nil {
		m.Group = c.resource(prefix+".Group", "Group", "/Groups", GroupSchema, *cfg.Group)
		c.hooks(prefix+".Group.hooks", m.Group, cfg.Group.Hooks)
		if cfg.Group.Members != nil && m.User != nil {
			c.members(prefix+".Group.members", m.Group, m.User, *cfg.Group.Members)
		}
		if !c.offline || cfg.Group.Members == nil {
			// Offline, a members mapping is not compiled (its tables
			// are not known), and its hooks are not checked.
			c.memberHooksTo(prefix+".Group.hooks", m.Group, m.User)
		}
	}
	if m.User != nil {
		c.keyRefs(prefix+".User.id.renames", m.User, cfg.User.ID.Renames)
	}
	if m.Group != nil {
		c.keyRefs(prefix+".Group.id.renames", m.Group, cfg.Group.ID.Renames)
	}
	if m.User != nil && m.Group != nil && len(c.probs) == 0 {
		if why := idsOverlap(m.User, m.Group); why != "" && m.Group.IsFixed() {
			c.warn = append(c.warn, fmt.Sprintf("%s.Group.values: %s, and RFC 7643 section 3.1 wants ids unique across resource types; expected id.prefix on the User, or another id for the group", prefix, why))
		} else if why != "" {
			c.warn = append(c.warn, fmt.Sprintf("%s.Group.id: %s, so GET /Users/7 and GET /Groups/7 name different rows, and RFC 7643 section 3.1 wants ids unique across resource types; expected id.prefix on one of them (such as prefix: g-)", prefix, why))
		}
	}
	if len(c.probs) > 0 {
		return nil, c.probs
	}
	m.offline = c.offline
	if !c.offline {
		// Offline, columns are not known, and what is said about them
		// would be wrong.
		m.Warnings = c.warn
	}
	return m, nil
}

// newResource is an empty resource of that name, endpoint and core schema:
// every resource starts here, so that the values a document holds for them
// are boxed once.
func newResource(name, endpoint, schema string) *Resource {
	return &Resource{Name: name, Endpoint: endpoint, Schema: schema, nameValue: name, schemaValue: schema,
		byPath: map[string]*attr{}, given: map[string]bool{}, schemas: newSchemaSet(schema)}
}

func (c *compiler) resource(path, name, endpoint, schema string, rc ResourceConfig) *Resource {
	r := newResource(name, endpoint, schema)
	r.metaCfg = rc.MetaTable
	c.extensions(path, r, rc.Extensions)
	var info adapters.TableInfo
	described := false
	if rc.Table == "" {
		c.add(path+".table", "missing; expected the name of the table holding one row per %s", name)
	} else {
		var err error
		info, err = c.db.Describe(c.ctx, adapters.Table(rc.Table))
		switch {
		case errors.Is(err, adapters.ErrNotFound):
			c.tableNotFound(path+".table", rc.Table)
		case err != nil:
			c.unreadable(path+".table", err)
		default:
			described = true
			r.info = info
		}
	}
	r.Spec.Table = adapters.Table(rc.Table)
	c.loc = time.UTC
	if rc.TimeZone != "" {
		loc, err := time.LoadLocation(rc.TimeZone)
		if err != nil {
			c.add(path+".timeZone", "unknown time zone %q; expected an IANA name such as Europe/Berlin", rc.TimeZone)
		} else {
			c.loc = loc
		}
	}
	r.Spec.Location = c.loc
	// meant holds the columns that misspelt ones were probably meant to be
	// (logn for login): the NOT NULL check below does not report them as
	// written by nothing, which only follows from the misspelling.
	meant := map[adapters.Column]bool{}
	column := func(p, col string) (adapters.ColumnInfo, bool) {
		if col == "" {
			c.add(p, "no column given; expected a column of table %s", rc.Table)
			return adapters.ColumnInfo{}, false
		}
		if !described {
			return adapters.ColumnInfo{}, false
		}
		ci, ok := info.Column(adapters.Column(col))
		if !ok {
			c.add(p, "%s", notInTable(col, rc.Table, info))
			if m, close := Closest(col, columnNames(info)); close {
				meant[adapters.Column(m)] = true
			}
		}
		return ci, ok
	}

	// Key.
	keyCol := rc.ID.Column
	if keyCol == "" {
		keyCol = "id"
	}
	r.Spec.Key = adapters.Column(keyCol)
	natural := naturalKeyAttr(rc, keyCol)
	if ci, ok := column(path+".id.column", keyCol); ok {
		r.key = ci
		switch {
		case natural != "" && rc.ID.Generate != "":
			c.add(path+".id.generate", "%q makes keys, but the key column %q is where %s is stored, so every new row's %s would be the generated value; expected generate left out (the key is the %s given), or another key column", rc.ID.Generate, keyCol, natural, natural, natural)
		case natural != "":
			r.Spec.KeyKind = adapters.KeyProvided
			r.naturalPath = natural
		}
		switch rc.ID.Generate {
		case "", GenerateAuto:
			if rc.ID.Length != 0 {
				c.add(path+".id.length", "applies only to hex, base32 and base62 keys")
			}
			if natural != "" {
				break
			}
			r.Spec.KeyKind = adapters.KeyAutoIncrement
			if !ci.AutoIncrement {
				c.add(path+".id.generate", "column %q is not AUTO_INCREMENT; expected an AUTO_INCREMENT key or generate: uuid", keyCol)
			}
		case GenerateUUID:
			r.Spec.KeyKind = adapters.KeyUUID
			if !isStringColumn(ci) || (ci.MaxLength > 0 && ci.MaxLength < 36) {
				c.add(path+".id.generate", "uuid keys need a character column of at least 36 characters; %q is %s", keyCol, ci.DataType)
			}
			if rc.ID.Length != 0 {
				c.add(path+".id.length", "uuid values have 36 characters; expected no length")
			}
		default:
			if natural != "" {
				break
			}
			if g, ok := c.generator(path+".id", adapters.Generator{Kind: rc.ID.Generate, Length: rc.ID.Length}, ci, true, "auto, "); ok {
				r.Spec.KeyKind, r.Spec.KeyGen = adapters.KeyGenerated, g
			}
		}
	}
	r.Spec.Columns = append(r.Spec.Columns, r.Spec.Key)
	if p := rc.ID.Prefix; p != "" {
		if !idPrefixRE.MatchString(p) {
			c.add(path+".id.prefix", "%q cannot start an id in a URL; expected letters, digits and -._~: only (such as g-)", p)
		}
		r.Spec.IDPrefix = p
	}
	r.ignoreDeactivation = rc.IgnoreDeactivation
	if rc.IgnoreDeactivation && name != "User" {
		c.add(path+".ignoreDeactivation", "applies only to the User resource")
	}

	// Columns the scope fixes, which may lead an index.
	var fixed []adapters.Column
	for col, v := range rc.Scope {
		if v.Constant {
			fixed = append(fixed, adapters.Column(col))
		}
	}
	for _, col := range c.scoped {
		fixed = append(fixed, adapters.Column(col))
	}
	// Attributes, in a stable order so problems come out the same way.
	written := map[adapters.Column]string{}
	c.joinedTables(path, r, rc.Joined, written)
	paths := slices.Sorted(maps.Keys(rc.Attributes))
	byCol := map[adapters.Column]*attr{}
	for _, p := range paths {
		ac := rc.Attributes[p]
		ap := path + ".attributes[" + strconv.Quote(p) + "]"
		strictType := ""
		if m := typedValueRE.FindStringSubmatch(p); m != nil {
			// emails[type eq "work"].value: the entry of that type.
			p, strictType = m[1], m[2]
			if ac.Type != "" && ac.Type != strictType {
				c.add(ap+".type", "the path says type %q; expected no other type", strictType)
			}
			ac.Type = strictType
		}
		urn, parent, def, ok := r.schemas.lookup(p)
		if !ok {
			if hint := DidYouMean(p, r.schemas.paths()); hint != "" {
				c.add(ap, "unknown SCIM attribute %q%s", p, hint)
			} else {
				c.add(ap, "unknown SCIM attribute %q; expected a %s attribute such as userName, name.givenName, emails or %s:department", p, name, EnterpriseSchema)
			}
			continue
		}
		if def == managerAttr || (parent == managerAttr && def.Name == "value") {
			def, parent = managerAttr, nil
		}
		r.given[strings.ToLower(canonicalPath(urn, schema, parent, def))] = true
		if c.offline {
			r.offlineNames = append(r.offlineNames, canonicalPath(urn, schema, parent, def))
		}
		if def.Type == Complex && !def.MultiValued && def != managerAttr {
			c.add(ap, "%s is complex; expected one of its sub-attributes (%s.%s)", def.Name, def.Name, def.Sub[0].Name)
			continue
		}
		if def.Name == "members" && parent == nil && urn == GroupSchema || parent != nil && parent.Name == "members" {
			c.add(ap, "members are not a column; expected them under resources.Group.members (a join table or a user column)")
			continue
		}
		if parent != nil && parent.MultiValued {
			c.add(ap, "sub-attributes of %s cannot be mapped yet; expected %s itself, stored in one column", parent.Name, parent.Name)
			continue
		}
		if parent == managerAttr {
			c.add(ap, "map the manager itself (its id is stored); expected %s:manager", EnterpriseSchema)
			continue
		}
		a := &attr{path: canonicalPath(urn, schema, parent, def), schema: urn, parent: parent, def: def}
		if ac.WhenOmitted != nil {
			a.omitted, a.omittedAt = ac.WhenOmitted, ap+".whenOmitted"
		}
		if _, dup := r.byPath[strings.ToLower(a.path)]; dup {
			c.add(ap, "%s is mapped twice; expected one mapping per attribute", a.path)
			continue
		}
		if strictType != "" && (!def.MultiValued || parent != nil) {
			c.add(ap, "only a multi-valued attribute (emails, phoneNumbers) is chosen by type; expected such as emails[type eq \"work\"].value")
			continue
		}
		if ac.List != nil {
			lp := ap + ".list"
			if !def.MultiValued || parent != nil {
				c.add(lp, "%s is single-valued; a list holds a multi-valued attribute such as roles or entitlements", a.path)
				continue
			}
			if strictType != "" || ac.Type != "" || ac.Transform != "" || len(ac.Also) > 0 || ac.Child != nil {
				c.add(lp, "a list is the whole attribute in one column or meta entry; expected no type, transform, also or child with it")
				continue
			}
			a.list = compileList(*ac.List, func(sub, format string, args ...any) { c.add(lp+sub, format, args...) })
			if a.list == nil {
				continue
			}
		}
		switch {
		case a.list != nil:
			a.kind = kindList
		case def.MultiValued:
			a.kind = kindSingle
			a.strictType = strictType != ""
			a.typ = ac.Type
			if a.typ == "" {
				a.typ = "work"
			}
			a.typValue = a.typ
		case parent != nil && parent.Name == "meta":
			a.kind = kindMeta
		case def == managerAttr:
			a.kind = kindManager
			a.idPrefix = rc.ID.Prefix
		case def.Name == "password" && urn == UserSchema:
			a.kind = kindPassword
			a.hash = hasher{kind: ac.Hash, cost: ac.Cost, iterations: ac.Iterations}
			if ac.Hash == "" {
				c.add(ap+".hash", "missing; expected how the application stores passwords: bcrypt, argon2id, pbkdf2-sha256 or salted-sha256 (or leave password unmapped to drop it)")
			} else if msg := a.hash.valid(); msg != "" {
				c.add(ap+".hash", "%s", msg)
			}
		}
		if a.kind != kindPassword && (ac.Hash != "" || ac.Cost != 0 || ac.Iterations != 0) {
			c.add(ap, "hash, cost and iterations apply only to password")
		}
		if ac.Type != "" && a.kind != kindSingle {
			c.add(ap+".type", "only multi-valued attributes (emails, phoneNumbers) take a type label")
		}
		if (ac.TrueValue != nil || ac.FalseValue != nil || len(ac.TrueValues) > 0 || ac.ActiveWhenNull) && def.Type != Boolean {
			c.add(ap, "trueValue, trueValues, falseValue and activeWhenNull apply only to boolean attributes such as active")
		}
		if !validTransform(ac.Transform) {
			c.add(ap+".transform", "unknown transform %q; expected %s", ac.Transform, transformNames())
		}
		if (ac.Transform != "" || len(ac.Also) > 0) && def.Type != String && def.Type != Reference && !def.MultiValued {
			c.add(ap, "transform and also apply only to string attributes")
		}
		if ac.Meta == "" && (len(ac.MetaScope) > 0 || ac.WhenMissing != nil) {
			c.add(ap, "metaScope and whenMissing apply only to an attribute stored with meta")
		}
		if ac.Child != nil || ac.Meta != "" {
			if ac.Column != "" || (ac.Child != nil && ac.Meta != "") {
				c.add(ap, "give one of column, child and meta")
				continue
			}
			if ac.Child != nil && !c.child(ap+".child", r, a, *ac.Child) {
				continue
			}
			if ac.Child != nil && ac.Child.PrimaryColumn != "" {
				pp := ap + ".child.primaryColumn"
				ci, ok := column(pp, ac.Child.PrimaryColumn)
				switch {
				case !ok:
					continue
				case !isStringColumn(ci):
					c.add(pp, "column %q is %s; expected a character column for the primary value", ci.Name, ci.ColumnType)
					continue
				}
				if prev, dup := written[ci.Name]; dup {
					c.add(pp, "column %q is already mapped by %s; expected a column only this copy writes", ci.Name, prev)
					continue
				}
				written[ci.Name] = a.path
				a.child.copy = &extraCol{col: ci}
			}
			if ac.Child != nil && ac.Child.PrimaryRef != nil {
				pp := ap + ".child.primaryRef"
				ci, ok := column(pp+".column", ac.Child.PrimaryRef.Column)
				if !ok || !c.pointerColumn(pp, a.child.pointer, ci, ac.Child.PrimaryRef.None) {
					continue
				}
				if prev, dup := written[ci.Name]; dup {
					c.add(pp+".column", "column %q is already mapped by %s; expected a column only this pointer writes", ci.Name, prev)
					continue
				}
				if ci.Name == r.Spec.Key {
					c.add(pp+".column", "column %q is the resource's key; expected the column holding the primary row's key", ci.Name)
					continue
				}
				written[ci.Name] = a.path
			}
			if ac.Meta != "" && (!c.metaAttr(ap+".meta", path, r, a, ac.Meta, rc.MetaTable) || !c.kvAttr(ap, r, a, ac)) {
				continue
			}
			if ac.Meta != "" && def.Name == "active" && parent == nil && urn == schema {
				r.active = a
			}
			a.loc = c.loc
			r.attrs = append(r.attrs, a)
			r.byPath[strings.ToLower(a.path)] = a
			continue
		}
		ci, ok := c.attrColumn(r, ap+".column", ac.Column, column)
		if !ok {
			continue
		}
		a.col = ci
		if prev, dup := written[ci.Name]; dup {
			other := byCol[ci.Name]
			if other == nil || !shareable(a) || !shareable(other) {
				c.add(ap+".column", "column %q is already mapped by %s; expected each column to be written by one attribute (only string attributes such as userName, displayName and emails may share one)", ci.Name, prev)
				continue
			}
			if ac.Transform != other.xform {
				c.add(ap+".transform", "column %q is shared with %s, whose transform is %q; expected the same transform", ci.Name, other.path, other.xform)
				continue
			}
			if len(ac.Also) > 0 && slices.ContainsFunc(append([]*attr{other}, other.shared...), func(o *attr) bool { return len(o.extra) > 0 }) {
				c.add(ap+".also", "column %q is shared with %s, which gives its further columns already; expected them given once", ci.Name, other.path)
				continue
			}
			for _, o := range append([]*attr{other}, other.shared...) {
				o.shared = append(o.shared, a)
				a.shared = append(a.shared, o)
			}
		}
		written[ci.Name] = a.path
		if byCol[ci.Name] == nil {
			byCol[ci.Name] = a
		}
		if isJoinedColumn(ci) && (a.kind == kindMeta || a.kind == kindManager) {
			c.add(ap+".column", "%s is written by scimbridge as a column of %s; expected a column of %s, not of a joined table", a.path, r.Spec.Table, r.Spec.Table)
			continue
		}
		if msg := c.fits(a, ac); msg != "" {
			c.add(ap+".column", "%s", msg)
			continue
		}
		if def.Type == Boolean && ac.ActiveWhenNull {
			if ac.TrueValue != nil || ac.FalseValue != nil || len(ac.TrueValues) > 0 {
				c.add(ap, "activeWhenNull stores a timestamp; expected no trueValue, trueValues or falseValue with it")
				continue
			}
			if !isIntColumn(ci) && (!ci.Nullable || !isTimeColumn(ci)) {
				c.add(ap+".column", "activeWhenNull needs a nullable DATETIME or TIMESTAMP column, or an integer column (0 or NULL is active); %q is %s%s", ci.Name, ci.ColumnType, notNullNote(ci))
				continue
			}
			a.nullTrue = true
		} else if def.Type == Boolean && (ac.TrueValue != nil || ac.FalseValue != nil || len(ac.TrueValues) > 0) {
			trueFromList := false
			if ac.TrueValue == nil && len(ac.TrueValues) > 0 {
				ac.TrueValue, ac.TrueValues = ac.TrueValues[0], ac.TrueValues[1:]
				trueFromList = true
			}
			if ac.TrueValue == nil || ac.FalseValue == nil {
				c.add(ap, "give trueValue (or trueValues) and falseValue")
				continue
			}
			a.trueV, a.falseV, a.mapped = scalar(ac.TrueValue), scalar(ac.FalseValue), true
			if a.trueV == nil || a.falseV == nil {
				c.add(ap, "trueValue and falseValue must be scalars (string, number or boolean)")
				continue
			}
			if !c.boolValues(ap, a, ac, trueFromList) {
				continue
			}
		}
		if len(ac.OnTrue)+len(ac.OnFalse) > 0 {
			if def.Type != Boolean {
				c.add(ap, "onTrue and onFalse apply only to boolean attributes such as active")
			} else {
				a.onTrue = c.constCols(ap+".onTrue", a, ac.OnTrue, column, written)
				a.onFalse = c.constCols(ap+".onFalse", a, ac.OnFalse, column, written)
				// Read with the row, so that a write that would not
				// change them leaves them alone, and the write's check
				// sees them as stored.
				for _, x := range append(slices.Clone(a.onTrue), a.onFalse...) {
					if !slices.Contains(r.Spec.Columns, x.col.Name) {
						r.Spec.Columns = append(r.Spec.Columns, x.col.Name)
					}
				}
			}
		}
		a.loc = c.loc
		a.xform = ac.Transform
		if ac.TimeUnit != "" {
			if def.Type != DateTime && !(def.Type == Boolean && ac.ActiveWhenNull) {
				c.add(ap+".timeUnit", "applies only to a time: a dateTime attribute or activeWhenNull")
			} else {
				a.ms = c.timeUnit(ap+".timeUnit", ac.TimeUnit, ci, true)
			}
			if a.ms && a.kind == kindMeta {
				r.Spec.Milliseconds = append(r.Spec.Milliseconds, ci.Name)
			}
		}
		for i, x := range ac.Also {
			xp := fmt.Sprintf("%s.also[%d]", ap, i)
			if !validTransform(x.Transform) {
				c.add(xp+".transform", "unknown transform %q; expected %s", x.Transform, transformNames())
			}
			xc, ok := c.attrColumn(r, xp+".column", x.Column, column)
			if !ok {
				continue
			}
			if isJoinedColumn(xc) != isJoinedColumn(ci) || isJoinedColumn(xc) && !strings.HasPrefix(x.Column, strings.SplitN(ac.Column, ".", 2)[0]+".") {
				c.add(xp+".column", "column %q is not in the table of %q; expected a column of the same table", x.Column, ac.Column)
				continue
			}
			if prev, dup := written[xc.Name]; dup {
				c.add(xp+".column", "column %q is already mapped by %s; expected each column to be written by one attribute", xc.Name, prev)
				continue
			}
			if !isStringColumn(xc) {
				c.add(xp+".column", "column %q is %s; expected a character column", xc.Name, xc.ColumnType)
				continue
			}
			written[xc.Name] = a.path
			a.extra = append(a.extra, extraCol{col: xc, xform: x.Transform})
			if x.Transform == "lower" && a.lookup == nil {
				a.lookup = &a.extra[len(a.extra)-1]
			}
		}
		// A list not given is written empty, so its column needs nothing.
		a.required = !ci.Nullable && !ci.HasDefault && a.kind != kindMeta && a.kind != kindList
		a.index = leadingIndex(info, ci.Name, fixed...)
		if isJoinedColumn(ci) {
			a.index = r.joinedIndex(ci)
		}
		if first := byCol[ci.Name]; first != a && (a.def.Required || first.def.Required) {
			// A column one of them always gives is required of none of
			// the others.
			a.required, first.required = false, false
		}
		r.attrs = append(r.attrs, a)
		r.byPath[strings.ToLower(a.path)] = a
		switch a.kind {
		case kindPassword:
			// Never read back: it is write-only, and never required (a
			// NOT NULL column needs a default; see below).
			a.required = false
		case kindManager:
			if !isIntColumn(ci) && !isStringColumn(ci) || (isIntColumn(ci) != isIntColumn(r.key)) {
				c.add(ap+".column", "column %q is %s but the key %q is %s; expected a column of the key's type", ci.Name, ci.ColumnType, r.key.Name, r.key.ColumnType)
			}
			r.Spec.SelfReferences = append(r.Spec.SelfReferences, ci.Name)
			r.Spec.Columns = append(r.Spec.Columns, ci.Name)
		default:
			if !slices.Contains(r.Spec.Columns, ci.Name) {
				r.Spec.Columns = append(r.Spec.Columns, ci.Name)
			}
		}
		switch {
		case a.kind == kindMeta && def.Name == "created":
			r.Spec.Created = append(r.Spec.Created, ci.Name)
		case a.kind == kindMeta:
			r.Spec.Touch = append(r.Spec.Touch, ci.Name)
		case def.Name == "active" && parent == nil && urn == schema:
			r.active = a
		case def.Uniqueness == "server" && a.lookup != nil && !def.CaseExact:
			r.Spec.Uniques = append(r.Spec.Uniques, adapters.Unique{Column: a.lookup.col.Name, Plain: true})
		case def.Uniqueness == "server":
			r.Spec.Uniques = append(r.Spec.Uniques, adapters.Unique{Column: ci.Name, Fold: !def.CaseExact})
		}
		if a.lookup != nil {
			a.index = leadingIndex(info, a.lookup.col.Name, fixed...)
			if isJoinedColumn(a.lookup.col) {
				a.index = r.joinedIndex(a.lookup.col)
			}
		}
	}
	if r.naturalPath != "" {
		c.naturalKey(path, r)
	}
	c.shareExtras(r, info, fixed)
	c.computeds(path, r, rc, column, written)
	if _, ok := r.byPath["username"]; !ok && name == "User" && !r.given["username"] {
		c.add(path+".attributes", "userName is not mapped; expected userName: <column> (Okta and Entra match users by it)")
	}
	if a, ok := r.byPath["displayname"]; ok && name == "Group" && isJoinedColumn(a.col) {
		c.add(path+".attributes[\"displayName\"]", "a group's displayName is read with its memberships; expected a column of %s, not of a joined table", rc.Table)
	} else if ok && name == "Group" {
		r.Spec.Display = a.col.Name
	} else if name == "Group" && !r.given["displayname"] {
		c.add(path+".attributes", "displayName is not mapped; expected displayName: <column> (Okta and Entra match groups by it)")
	}

	// Defaults.
	var defaulted map[adapters.Column]bool
	r.Spec.Defaults, defaulted = c.tableDefaults(path+".defaults", rc.Defaults, column, defaultRules{copy: c.copyOwn(rc.Defaults, column)})

	// Scope.
	c.resourceScope(path, r, rc, column, written, byCol)
	finishKV(r.Spec.KV)
	c.checkDefaultsInScope(path, r)

	c.omittedValues(r)

	// A required attribute is not required if a default covers it.
	for _, a := range r.attrs {
		if defaulted[a.col.Name] {
			a.required = false
		}
		if a.kind == kindPassword && !a.col.Nullable && !a.col.HasDefault && !defaulted[a.col.Name] {
			c.add(path+".defaults", "column %q holds passwords and is NOT NULL without a default; expected defaults.%s with an unusable-password marker (such as \"!\") for users created without a password", a.col.Name, a.col.Name)
		}
	}

	// NOT NULL columns nothing writes.
	if described {
		for _, ci := range info.Columns {
			if ci.Nullable || ci.HasDefault || ci.AutoIncrement {
				continue
			}
			n := ci.Name
			if _, ok := written[n]; ok || defaulted[n] || meant[n] || n == r.Spec.Key {
				continue
			}
			if _, ok := r.Spec.Scope[n]; ok || slices.Contains(c.scoped, string(n)) {
				continue
			}
			c.add(path+".defaults", "column %q is NOT NULL without a default and nothing writes it; expected an attribute mapped to it, defaults.%s, or a scope setting it", n, n)
		}
	}
	c.finishJoined(r, written)

	switch rc.Version {
	case "":
	case "hash":
		r.versioned = true
	default:
		if ci, ok := column(path+".version", rc.Version); ok {
			switch {
			case isIntColumn(ci):
				r.Spec.Increment = append(r.Spec.Increment, ci.Name)
			case isTimeColumn(ci):
				if !slices.Contains(r.Spec.Touch, ci.Name) {
					c.add(path+".version", "column %q is a time scimbridge does not set; expected the column mapped to meta.lastModified, an integer version column, or hash", rc.Version)
				}
			default:
				c.add(path+".version", "column %q is %s; expected an integer version column, the meta.lastModified column, or hash", rc.Version, ci.ColumnType)
			}
			r.version, r.versioned = ci.Name, true
			if !slices.Contains(r.Spec.Columns, ci.Name) {
				r.Spec.Columns = append(r.Spec.Columns, ci.Name)
			}
		}
	}

	c.deletePolicy(path, r, rc, column, byCol)
	r.Spec.Verify = r.verifyStored()
	if len(r.conds) > 0 {
		covered := maps.Clone(defaulted)
		for col := range written {
			covered[col] = true
		}
		r.Spec.VerifyInsert = !r.insertProven(covered)
	}
	c.relations(path, r, rc, column)
	if name == "User" && r.active == nil {
		if rc.IgnoreDeactivation {
			c.warn = append(c.warn, fmt.Sprintf("%s.ignoreDeactivation: active is not mapped, and active: false is accepted and ignored: a user the IdP deactivates can still sign in", path))
		} else {
			c.warn = append(c.warn, fmt.Sprintf("%s.attributes: active is not mapped, so deactivating a user (active: false) is refused with 400; map active to the application's status, or set ignoreDeactivation if the application has none", path))
		}
	}
	return r
}

// constCol is a column written with a constant.
type constCol struct {
	col   adapters.ColumnInfo
	value any // nil for NULL
}

// constCols compiles the further columns a boolean writes (onTrue,
// onFalse): each a column of the table no attribute maps, given a value it
// holds exactly. They are marked written for attribute a.
func (c *compiler) constCols(path string, a *attr, cfg map[string]any, column func(p, col string) (adapters.ColumnInfo, bool), written map[adapters.Column]string) []constCol {
	var out []constCol
	for _, name := range slices.Sorted(maps.Keys(cfg)) {
		p := path + "." + name
		ci, ok := column(p, name)
		if !ok {
			continue
		}
		if prev, dup := written[ci.Name]; dup && prev != a.path || ci.Name == a.col.Name {
			if ci.Name == a.col.Name {
				prev = a.path
			}
			c.add(p, "column %q is mapped by %s; expected a column only %s writes here", ci.Name, prev, a.path)
			continue
		}
		v := cfg[name]
		sv := scalar(v)
		switch {
		case v == nil && !ci.Nullable:
			c.add(p, "column %q is NOT NULL; expected a value, not null", ci.Name)
			continue
		case v != nil && sv == nil:
			c.add(p, "expected a scalar value (string, number or boolean) or null")
			continue
		case sv != nil:
			if msg := valueFits(ci, sv); msg != "" {
				c.add(p, "%s", msg)
				continue
			}
			if isIntColumn(ci) || ci.Kind == adapters.KindBit {
				sv, _ = intValue(sv)
			}
		}
		written[ci.Name] = a.path
		out = append(out, constCol{col: ci, value: sv})
	}
	return out
}

// boolValues checks and normalises the stored values of a boolean
// attribute (trueValue, trueValues, falseValue) against its column: each
// must be stored exactly as given (a TINYINT cannot hold 'no', an ENUM
// only its own values), and no value may read as both true and false. It
// reports false when a problem was found.
func (c *compiler) boolValues(ap string, a *attr, ac AttributeConfig, trueFromList bool) bool {
	ok := true
	norm := func(p string, v any) any {
		if msg := valueFits(a.col, v); msg != "" {
			c.add(p, "%s; a value the column cannot hold would be stored as another, and active would not be what the IdP set", msg)
			ok = false
			return v
		}
		if isIntColumn(a.col) || a.col.Kind == adapters.KindBit {
			n, _ := intValue(v)
			return n
		}
		return v
	}
	tp, first := ap+".trueValue", 0
	if trueFromList {
		// trueValues[0] is the one written.
		tp, first = ap+".trueValues[0]", 1
	}
	a.trueV = norm(tp, a.trueV)
	a.falseV = norm(ap+".falseValue", a.falseV)
	for i, v := range ac.TrueValues {
		p := fmt.Sprintf("%s.trueValues[%d]", ap, i+first)
		sv := scalar(v)
		if sv == nil {
			c.add(p, "expected a scalar (string, number or boolean)")
			ok = false
			continue
		}
		sv = norm(p, sv)
		if a.storedEqual(sv, a.falseV) {
			c.add(p, "%v is also the falseValue; expected the values that read as true and the one written for false to differ", sv)
			ok = false
			continue
		}
		if !a.storedEqual(sv, a.trueV) {
			a.trueVs = append(a.trueVs, sv)
		}
	}
	if ok && a.storedEqual(a.trueV, a.falseV) {
		c.add(ap+".falseValue", "%v is also the trueValue (as column %q compares them); expected different values for true and false", a.falseV, a.col.Name)
		ok = false
	}
	if ok && (!a.readsTrue(a.trueV) || a.readsTrue(a.falseV)) {
		// Cannot happen with the checks above; kept so that a change to
		// readsTrue cannot make writes and reads disagree unnoticed.
		c.add(ap, "the value written for true does not read back as true, or the one for false as false")
		ok = false
	}
	return ok
}

// fits reports why column ci cannot hold attribute a, or "".
func (c *compiler) fits(a *attr, ac AttributeConfig) string {
	ci := a.col
	if a.list != nil {
		if ci.Kind == adapters.KindJSON || ci.IsFreeText() {
			return ""
		}
		return fmt.Sprintf("%s is a list but column %q is %s; expected a character, TEXT or JSON column to hold %s", a.path, ci.Name, ci.ColumnType, a.list.name())
	}
	switch a.def.Type {
	case String, Reference, Complex, Integer:
		// Complex here is a multi-valued attribute held as one string.
		if !isStringColumn(ci) && !isIntColumn(ci) {
			return fmt.Sprintf("%s is a string but column %q is %s; expected a character or integer column", a.path, ci.Name, ci.ColumnType)
		}
	case DateTime:
		if !isTimeColumn(ci) && !isIntColumn(ci) {
			return fmt.Sprintf("%s is a dateTime but column %q is %s; expected DATETIME, TIMESTAMP or integer Unix seconds", a.path, ci.Name, ci.ColumnType)
		}
	case Boolean:
		if ac.TrueValue == nil && len(ac.TrueValues) == 0 && !ac.ActiveWhenNull && !isIntColumn(ci) && ci.Kind != adapters.KindBit {
			return fmt.Sprintf("%s is a boolean but column %q is %s; expected a numeric flag, or trueValue and falseValue for the stored values", a.path, ci.Name, ci.ColumnType)
		}
	}
	return ""
}

// columnNames lists the table's columns in table order.
func columnNames(info adapters.TableInfo) []string {
	names := make([]string, len(info.Columns))
	for i, c := range info.Columns {
		names[i] = string(c.Name)
	}
	return names
}

func isStringColumn(c adapters.ColumnInfo) bool { return c.IsText() }

func isIntColumn(c adapters.ColumnInfo) bool { return c.Kind == adapters.KindInteger }

func isTimeColumn(c adapters.ColumnInfo) bool { return c.IsTime() }

// scalar normalises a YAML scalar to a column value, or returns nil.
func scalar(v any) any {
	switch x := v.(type) {
	case string, bool, int64, uint64, float64:
		return x
	case int:
		return int64(x)
	}
	return nil
}

// leadingIndex reports the best index that starts with column c: "unique",
// "index", or "" when a filter on c would scan the table.
//
// Index columns that the scope fixes (a tenant or type column) may come
// first: UNIQUE (type, name) serves a filter on name within type = 'User'.
func leadingIndex(info adapters.TableInfo, c adapters.Column, fixed ...adapters.Column) string {
	best := ""
	for _, ix := range info.Indexes {
		cols := ix.Columns
		for len(cols) > 0 && slices.Contains(fixed, cols[0]) {
			cols = cols[1:]
		}
		if len(cols) == 0 || cols[0] != c {
			continue
		}
		if ix.Unique && len(cols) == 1 {
			return "unique"
		}
		best = "index"
	}
	return best
}

// describe returns the described table, if the database could describe it.
func (c *compiler) describe(t adapters.Table) (adapters.TableInfo, bool) {
	info, err := c.db.Describe(c.ctx, t)
	return info, err == nil
}

// validTransforms checks a chain of transforms (lower|localpart),
// returning the first unknown one.
func validTransforms(chain string) (string, bool) {
	for _, x := range strings.Split(chain, "|") {
		if !validTransform(x) {
			return x, false
		}
	}
	return "", true
}

func validTransform(t string) bool {
	return t == "" || slices.Contains(Transforms, t)
}

func notNullNote(ci adapters.ColumnInfo) string {
	if !ci.Nullable {
		return " NOT NULL"
	}
	return ""
}

var placeholderRE = regexp.MustCompile(`\{([^{}]+)\}`)

// computeds compiles the computed columns: templates over attribute paths.
func (c *compiler) computeds(path string, r *Resource, rc ResourceConfig, column func(p, col string) (adapters.ColumnInfo, bool), written map[adapters.Column]string) {
	cols := slices.Sorted(maps.Keys(rc.Computed))
	for _, col := range cols {
		tmpl := rc.Computed[col]
		cp := path + ".computed." + col
		ci, ok := column(cp, col)
		if !ok {
			continue
		}
		if prev, dup := written[ci.Name]; dup {
			c.add(cp, "column %q is already mapped by %s; expected each column to be written by one attribute", col, prev)
			continue
		}
		if !isStringColumn(ci) {
			c.add(cp, "column %q is %s; expected a character column for a template", col, ci.ColumnType)
			continue
		}
		cm := &computed{col: ci}
		last := 0
		bad := false
		for _, m := range placeholderRE.FindAllStringSubmatchIndex(tmpl, -1) {
			p, xform, _ := strings.Cut(tmpl[m[2]:m[3]], "|")
			if x, ok := validTransforms(xform); !ok {
				c.add(cp, "unknown transform %q in {%s}; expected %s, or several such as {userName|lower|localpart}", x, tmpl[m[2]:m[3]], transformNames())
				bad = true
				continue
			}
			a, ok := r.byPath[strings.ToLower(p)]
			if !ok && r.given[strings.ToLower(p)] {
				// Its own mistake is reported.
				bad = true
				continue
			}
			if !ok {
				c.add(cp, "template names %q, which is not a mapped attribute of %s; expected mapped attributes such as {name.givenName}", p, r.Name)
				bad = true
				continue
			}
			cm.parts = append(cm.parts, tmpl[last:m[0]], p)
			cm.attrs = append(cm.attrs, a)
			cm.xforms = append(cm.xforms, xform)
			last = m[1]
		}
		cm.parts = append(cm.parts, tmpl[last:])
		if len(cm.attrs) == 0 && !bad {
			c.add(cp, "template %q names no attribute; expected placeholders such as {name.givenName} (use defaults for constants)", tmpl)
			continue
		}
		if bad {
			continue
		}
		written[ci.Name] = "computed"
		r.computed = append(r.computed, cm)
	}
}

// Specs returns the table specs of every resource with extra scope columns
// added, for one directory of a multi-tenant application (a token's
// scope). Problems name each scope column that a mapped table lacks or
// that conflicts with the resource's own scope.
func (m *Mapping) Specs(extra map[string]any) (map[string]adapters.TableSpec, []string) {
	var probs []string
	specs := map[string]adapters.TableSpec{}
	cols := slices.Sorted(maps.Keys(extra))
	scoped := func(r *Resource, base map[adapters.Column]any) map[adapters.Column]any {
		out := make(map[adapters.Column]any, len(base)+len(extra))
		for c, v := range base {
			out[c] = v
		}
		for _, c := range cols {
			v := scalar(extra[c])
			if _, ok := r.info.Column(adapters.Column(c)); !ok && !m.offline {
				probs = append(probs, fmt.Sprintf("%s: column %q not in table %s, so the %s resource cannot be scoped by it%s", c, c, r.Spec.Table, r.Name, DidYouMean(c, columnNames(r.info))))
				continue
			}
			if prev, ok := base[adapters.Column(c)]; ok && !sameValue(prev, v) {
				probs = append(probs, fmt.Sprintf("%s: the %s resource already scopes %s to %v", c, r.Name, c, prev))
				continue
			}
			for _, a := range r.attrs {
				if a.col.Name == adapters.Column(c) {
					probs = append(probs, fmt.Sprintf("%s: column %q is mapped by %s.%s; a scope column is fixed", c, c, r.Name, a.path))
				}
			}
			out[adapters.Column(c)] = v
		}
		return out
	}
	for _, r := range m.Resources() {
		spec := r.Spec
		if !r.IsFixed() {
			// A Group declared by values has no rows to scope: its
			// members are scoped as the users are.
			spec.Scope = scoped(r, r.Spec.Scope)
		}
		if r.Spec.Members != nil && m.User != nil {
			ms := *r.Spec.Members
			ms.Users.Scope = specsScope(m.User, extra, cols)
			spec.Members = &ms
		}
		if r.Spec.MemberOf != nil && m.Group != nil {
			l := *r.Spec.MemberOf
			l.Groups.Scope = specsScope(m.Group, extra, cols)
			l.Membership.Users.Scope = specsScope(m.User, extra, cols)
			spec.MemberOf = &l
		}
		specs[r.Name] = spec
	}
	return specs, probs
}

// specsScope is the user table's scope for a directory (checked by Specs
// when it scopes the User resource itself).
func specsScope(u *Resource, extra map[string]any, cols []string) map[adapters.Column]any {
	out := make(map[adapters.Column]any, len(u.Spec.Scope)+len(extra))
	for c, v := range u.Spec.Scope {
		out[c] = v
	}
	for _, c := range cols {
		if _, ok := u.info.Column(adapters.Column(c)); ok {
			out[adapters.Column(c)] = scalar(extra[c])
		}
	}
	return out
}

var attrNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// SchemaURN returns the registered spelling of a schema URN the resource
// knows (its core schema or one of its extensions, mapped or not),
// matched case-insensitively, and reports whether it knows it.
func (r *Resource) SchemaURN(urn string) (string, bool) {
	return r.schemas.canonical(urn)
}

// childCols are the compiled columns of a child table.
type childCols struct {
	name                         adapters.Column
	value, typ, primary, display *adapters.ColumnInfo
	also                         []extraCol // further columns written with the value
	copy                         *extraCol  // a column of the parent row holding the primary value
	// pointer is child.primaryRef: primary is then pointerFlag, and the
	// parent's column holds the primary row's key.
	pointer *childPointer
}

// Versioned reports whether the resource has ETags (meta.version).
func (r *Resource) Versioned() bool { return r.versioned }

// Version returns the ETag of a row, a weak entity tag such as W/"3a7bd3e2",
// or "" when the resource has no ETags.
func (r *Resource) Version(rec adapters.Record) string {
	if !r.versioned {
		return ""
	}
	h := sha256.New()
	if r.version != "" {
		h.Write([]byte(canonicalString(rec[r.version])))
	} else {
		for _, c := range r.Spec.Columns {
			h.Write([]byte(canonicalString(rec[c])))
			h.Write([]byte{0})
		}
		for _, a := range r.attrs {
			if a.kind == kindChild || a.kind == kindKV {
				fmt.Fprint(h, rec[a.col.Name])
				h.Write([]byte{0})
			}
		}
	}
	return `W/"` + hex.EncodeToString(h.Sum(nil)[:8]) + `"`
}
