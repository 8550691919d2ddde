package mapping

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Config is the resources section of the configuration: which table each
// SCIM resource type lives in and how its attributes map to columns.
type Config struct {
	// User maps the SCIM User resource (/Users).
	User *ResourceConfig `yaml:"User"`
	// Group maps the SCIM Group resource (/Groups), usually the
	// application's roles.
	Group *ResourceConfig `yaml:"Group"`
}

// Delete policies for DELETE /Users/{id} and /Groups/{id}.
const (
	// DeleteHard removes the row.
	DeleteHard = "hard"
	// DeleteDeactivate sets active to false and keeps the row.
	DeleteDeactivate = "deactivate"
	// DeleteRefuse answers 405 and changes nothing.
	DeleteRefuse = "refuse"
)

// The delete policies of a resource whose delete is left out.
const (
	// DefaultUserDelete is a User's: the application's accounts are
	// never removed or hidden unless the operator says how, so DELETE
	// answers 405 (and check warns that delete is not set).
	DefaultUserDelete = DeleteRefuse
	// DefaultGroupDelete is a Group's: the row and its memberships are
	// removed, in one transaction.
	DefaultGroupDelete = DeleteHard
)

// ResourceConfig maps one SCIM resource type to one table.
type ResourceConfig struct {
	// Table holding one row per resource.
	Table string `yaml:"table"`
	// ID says which column is the SCIM id and how new keys are made.
	ID IDConfig `yaml:"id"`
	// Attributes maps SCIM attribute paths (userName, name.givenName,
	// emails, urn:...:enterprise:2.0:User:department) to columns.
	Attributes map[string]AttributeConfig `yaml:"attributes"`
	// Defaults gives values for columns the application requires but SCIM
	// does not carry, written on insert.
	Defaults map[string]DefaultConfig `yaml:"defaults"`
	// Scope says which rows of the table are SCIM resources. A column
	// given a constant (tenant_id: 7, type: User) is filtered on by every
	// read and written by every insert; a column given a condition
	// ({in: [0, 1, 3]}, {notIn: [2]}, {isNull: true}, {ne: x}, {gt: 1},
	// {lt/le/ge: x}; several keys are all required) is filtered on only.
	// Rows outside the scope are invisible to every read, filter,
	// uniqueness check and membership, and are never written.
	Scope map[string]ScopeValue `yaml:"scope"`
	// Relations narrow the scope by rows of other tables that refer to
	// the resource's row: [{notExists: {table: bots, column: user_id}}]
	// leaves out every user a bots row names; [{exists: {table:
	// user_roles, column: user_id, where: {role_id: 3}}}] keeps only users
	// holding role 3. Like scope conditions they apply to every read,
	// filter, uniqueness check, membership and write. An exists relation
	// whose where holds only constants is written: creating a resource
	// inserts the related row in the same transaction, and a hard delete
	// removes it.
	Relations []RelationConfig `yaml:"relations"`
	// Delete is what DELETE does: hard (remove the row), refuse (405),
	// deactivate (set active false: not RFC 7644 behaviour, the resource
	// stays visible), or a soft delete {mark: {column, value | generate:
	// now}, release: template}. Default: DefaultUserDelete for users,
	// DefaultGroupDelete for groups.
	Delete DeleteConfig `yaml:"delete"`
	// IgnoreDeactivation accepts active: false on a User resource that
	// does not map active, leaving the account as it is. Without it such
	// a write is refused, so that an IdP never believes an account is
	// disabled while it still works.
	IgnoreDeactivation bool `yaml:"ignoreDeactivation"`
	// Members says where a Group's members are stored (Group only).
	Members *MembersConfig `yaml:"members"`
	// Values declares a Group resource whose groups are a fixed set of
	// values the membership stores, with no table of their own (Group
	// only; instead of table, id and attributes): Symfony's roles
	// ["ROLE_ADMIN"], Spring Security's authorities rows, a users.role
	// ENUM. Each is {value, displayName, id}; members says where they are
	// held (a join table, a user column, a list in one, or a list in a
	// key/value entry: WordPress's wp_capabilities). Groups are
	// listed, filtered and read, and their members changed, but never
	// created, renamed or deleted: a POST of a declared displayName
	// answers 409 uniqueness naming its id, one of another name 400
	// invalidValue, a change of displayName 400 mutability and DELETE 405.
	// Memberships of values not declared are never shown or removed.
	Values []GroupValueConfig `yaml:"values"`
	// Computed columns are written from a template of attribute values
	// whenever one of them changes: full_name: "{name.givenName}
	// {name.familyName}". A placeholder may name a transform of the
	// value, or several: maildir: "{userName|lower|domain}/{userName|lower|localpart}/".
	Computed map[string]string `yaml:"computed"`
	// MetaTable is the key/value table that attributes with meta: are
	// stored in.
	MetaTable *MetaTableConfig `yaml:"metaTable"`
	// Joined lists tables that hold one more row per resource, keyed by
	// the resource's key: a data or profile table (Drupal's
	// users_field_data beside users), or the user row of an entity row
	// (Guacamole's guacamole_user beside guacamole_entity). Attributes
	// map to their columns by table-qualified name (userName: {column:
	// users_field_data.name}). Reads load the joined row with the row (a
	// missing one reads as unassigned attributes), filters and sorting
	// work on its columns, a create inserts it after the row (with its
	// scope and defaults), an update writes its changed columns (and
	// inserts it when missing), and a hard delete removes it first, all
	// in one transaction.
	Joined []JoinedConfig `yaml:"joined"`
	// Version turns on ETags (meta.version, If-Match, If-None-Match): the
	// name of a column that changes with every write (an integer version
	// column, which scimbridge increments, or an updated-at time), or
	// "hash" for a hash of every mapped column. Default: no ETags.
	Version string `yaml:"version"`
	// Extensions declares the resource's own extension schemas.
	Extensions []ExtensionConfig `yaml:"extensions"`
	// TimeZone is the IANA zone (Europe/Berlin) in which the table's
	// DATETIME columns hold wall-clock times; default UTC. TIMESTAMP and
	// integer Unix-second columns are absolute and need none.
	TimeZone string `yaml:"timeZone"`
	// Hooks are the side effects the application performs in its own
	// code when it writes these rows (a counter, a cache column to
	// reset, dependent rows to delete, a row in its job queue), as SQL
	// statements run inside the same transaction as the write, on its
	// events. A failing hook rolls the whole write back.
	Hooks *HooksConfig `yaml:"hooks"`
}

// HooksConfig lists SQL statements by lifecycle event. Each is one
// INSERT, UPDATE, DELETE or REPLACE (no SELECT, DDL, transaction control
// or second statement), checked against the live database at start-up.
// Values come in as named parameters, each bound to a placeholder, never
// pasted into the text: :id (the row's key as stored, without id.prefix)
// and any attribute the resource maps to a column of its table, by path
// (:userName, :displayName, :externalId, :name.givenName, :active), bound
// as the column stores it; member events have :groupId and :userId (the
// keys) instead. Statements of an event run in the order given.
type HooksConfig struct {
	// AfterCreate runs after a row is inserted (and its child rows),
	// before a new group's first members are added.
	AfterCreate []string `yaml:"afterCreate"`
	// AfterUpdate runs after a write changed the row's stored
	// attributes (PUT, PATCH); a change of a group's members alone is no
	// update, and a write that changes nothing runs nothing.
	AfterUpdate []string `yaml:"afterUpdate"`
	// AfterDeactivate runs after a write turned active from true to
	// false (a PATCH of active, a PUT, delete: deactivate), after the
	// afterUpdate hooks. User only; needs active mapped.
	AfterDeactivate []string `yaml:"afterDeactivate"`
	// AfterReactivate runs after a write turned active from false to
	// true, after the afterUpdate hooks. User only; needs active mapped.
	AfterReactivate []string `yaml:"afterReactivate"`
	// BeforeDelete runs when DELETE has locked the row and before
	// anything is removed (or the row marked, with a soft delete): the
	// place to delete dependent rows a foreign key would refuse to
	// orphan.
	BeforeDelete []string `yaml:"beforeDelete"`
	// AfterDelete runs after the row is deleted (or marked deleted);
	// :id and the attributes are the row's as it was.
	AfterDelete []string `yaml:"afterDelete"`
	// AfterMemberAdd runs once per user actually added to the group
	// (not for one already a member), with :groupId and :userId. Group
	// only; needs members.
	AfterMemberAdd []string `yaml:"afterMemberAdd"`
	// AfterMemberRemove runs once per user actually removed from the
	// group, with :groupId and :userId, whichever write removes the
	// membership: a PATCH or PUT of the group, the group's deletion, or
	// the user's (not a soft delete, which keeps memberships). Group
	// only; needs members.
	AfterMemberRemove []string `yaml:"afterMemberRemove"`
}

// MembersConfig says where group membership is stored: a join table
// (table, group, user), a column of the users table (userColumn, with
// list for a list of groups), or a list in an entry of the User's
// key/value table (meta with list).
type MembersConfig struct {
	// Table is the join table with one row per membership (user_roles).
	Table string `yaml:"table"`
	// Group is the join table's column referring to the group.
	Group string `yaml:"group"`
	// User is the join table's column referring to the user's key.
	User string `yaml:"user"`
	// UserColumn is a column of the users table holding the one group a
	// user is in, instead of a join table.
	UserColumn string `yaml:"userColumn"`
	// List says that UserColumn holds a list of the groups' references
	// rather than one, encoded as a list attribute's (json, jsonObject,
	// delimited, php, phpList; see ListConfig, without values or map):
	// Symfony's roles ["ROLE_ADMIN"], Mattermost's "system_user
	// system_admin". A user is in every group whose reference the list
	// holds; adding or removing a member rewrites that user's list inside
	// its row lock, keeping every other token, and a User list attribute
	// (roles) may share the column when its values leave out the
	// groups'. Listing a group's members and filtering by members or
	// groups search the column with JSON_CONTAINS or the delimiters; a
	// jsonObject or PHP list cannot be searched, so for it and its filters
	// the lists of the users in scope are read and decoded instead.
	List *ListConfig `yaml:"list"`
	// Meta is the key of the users' key/value table entry (the User's
	// metaTable) holding the list of the groups' references, instead of a
	// join table or a users column; list says its encoding. WordPress's
	// wp_usermeta entry wp_capabilities, a:1:{s:13:"administrator";b:1;}:
	// {meta: wp_capabilities, list: php}. It reads and changes as a list
	// in userColumn does: a change rewrites the user's entry inside the
	// user row's lock, keeping every other token, inserting the entry when
	// the user has none; the last token leaving keeps the empty list
	// (a:0:{}), as the application writes it, where an entry existed. A
	// User list attribute (roles) may share the entry when its values
	// leave out the groups'.
	Meta string `yaml:"meta"`
	// WhenRemoved is written to UserColumn when a user leaves the group;
	// default NULL. Give the application's default role here.
	WhenRemoved any `yaml:"whenRemoved"`
	// References is the group column the membership stores; default the
	// group's key. Set it when the application refers to roles by name.
	// A column of a joined table of the group, qualified by its table,
	// is one too: Guacamole's memberships name a group by
	// guacamole_user_group.user_group_id, the key of the group's joined
	// row, not by its entity_id. That joined table may have no scope.
	References string `yaml:"references"`
	// UserReferences is the users column the join table's user column
	// stores; default the user's key. Set it when the application names
	// members by another unique column, such as the login (Spring
	// Security's authorities.username beside a numeric users.id): a user
	// whose value changes (a renamed userName) keeps its memberships, and
	// deleting the user removes the rows holding its value. Join table
	// only; the column must have a unique index of its own.
	UserReferences string `yaml:"userReferences"`
	// Scope says which join-table rows are memberships, as a resource's
	// scope does: constants are matched and written on add
	// (user_pending: 0), conditions only matched. Other rows (a pending
	// applicant) are the application's: never listed or removed.
	Scope map[string]ScopeValue `yaml:"scope"`
	// Defaults are written into every join-table row scimbridge adds
	// (granted_at: {generate: now}, group_leader: 0).
	Defaults map[string]DefaultConfig `yaml:"defaults"`
	// Removed marks a removed membership instead of deleting its row, for
	// applications that keep membership history (Mattermost's
	// TeamMembers.DeleteAt, a left_at time, a deleted flag): {column,
	// generate: now} or {column, value}, and restore, the value that
	// marks a membership current (default NULL for a nullable column, 0
	// for an integer one). Marked rows are no memberships; adding the
	// member again restores the mark on the same row.
	Removed *RemovedConfig `yaml:"removed"`
}

// GroupValueConfig is one group of a Group resource declared by values.
type GroupValueConfig struct {
	// Value is what the membership stores for the group (ROLE_ADMIN, an
	// ENUM's 'editor', a role number): the join table's group column, the
	// user column, or the token in the user's list. It must fit that
	// column (type, length, one of an ENUM's values).
	Value any `yaml:"value"`
	// DisplayName is the group's displayName; default the value. Unique
	// among the groups, compared case-insensitively, as the IdPs look
	// groups up by it.
	DisplayName string `yaml:"displayName"`
	// ID is the group's SCIM id; default the value where it is letters,
	// digits and -._~ only, else the value lower-cased with every other
	// run of characters made one -. Unique among the groups; changing it
	// changes the id an IdP has stored.
	ID string `yaml:"id"`
}

// RemovedConfig is how a removed membership's join row is marked.
type RemovedConfig struct {
	// Column holding the mark.
	Column string `yaml:"column"`
	// Value written to mark a membership removed (a flag 1).
	Value any `yaml:"value"`
	// Generate is "now": the time of removal, in the column's type.
	Generate string `yaml:"generate"`
	// Restore is written when the member is added again; see Removed.
	Restore any `yaml:"restore"`
	// TimeUnit is the unit of generate: now in an integer column:
	// seconds (the default) or milliseconds (Mattermost's DeleteAt).
	TimeUnit string `yaml:"timeUnit"`
}

// DeleteConfig is the delete policy. In YAML it is hard, deactivate or
// refuse, or a mapping {mark, release} for a soft delete.
type DeleteConfig struct {
	// Policy is hard, deactivate or refuse; empty with Mark set.
	Policy string `yaml:"-"`
	// Mark is how a deleted row is marked: a column and the value
	// written, or generate: now for a deleted_at time. The mark must
	// differ from anything active writes, so deleted and inactive stay
	// apart. Marked rows leave the scope: every operation on them
	// answers 404, and they are in no list.
	Mark *MarkConfig `yaml:"mark"`
	// Release renames the deleted row's userName (a Group's displayName)
	// so that a new resource can take it: {value} is the old value and
	// {id} the row's key, e.g. "{value}#deleted-{id}". When another row
	// holds that name already, -2, -3, ... is added (within the column's
	// length), so a delete is never refused for it. Without it the
	// deleted row keeps the name and creating it again answers 409.
	Release string `yaml:"release"`
	// Memberships is what a soft delete does to the user's memberships:
	// remove (the default: the identity provider considers the user gone
	// and can no longer name it to remove it from a group) or keep, for an
	// application whose trash restores a user with its groups (GLPI). A
	// kept membership's user is out of scope, so no group lists it.
	Memberships string `yaml:"memberships"`
	// UniqueAmong says which rows a unique value (userName, a Group's
	// displayName) must be unique among: all (default), so a deleted row
	// keeps its name until released, or live, the rows that are not
	// marked deleted, for applications that ignore deleted rows (SuiteCRM's
	// deleted = 1, Laravel's deleted_at) and let a new account take a
	// deleted one's name. With live, a unique index that counts deleted
	// rows is reported as a conflict with the choice.
	UniqueAmong string `yaml:"uniqueAmong"`
}

// MarkConfig is the soft-delete mark: a column and what is written to it.
type MarkConfig struct {
	// Column holding the mark.
	Column string `yaml:"column"`
	// Value written to mark a row deleted (a status 'deleted', a flag 1).
	Value any `yaml:"value"`
	// Generate is "now": the time of deletion, in the column's type;
	// NULL (or 0 in an integer column) means not deleted.
	Generate string `yaml:"generate"`
	// TimeUnit is the unit of the time in an integer column: seconds
	// (default) or milliseconds.
	TimeUnit string `yaml:"timeUnit"`
}

// UnmarshalYAML accepts a policy name or a soft-delete mapping.
func (d *DeleteConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		d.Policy = n.Value
		return nil
	}
	type plain DeleteConfig
	return n.Decode((*plain)(d))
}

// ScopeValue is one column's part of a scope: a constant, or conditions.
// In YAML a bare scalar is a constant; a mapping holds conditions.
type ScopeValue struct {
	// Const is the constant, when Constant is set.
	Const    any  `yaml:"-"`
	Constant bool `yaml:"-"`
	// In lists the values a row in scope may have.
	In []any `yaml:"in"`
	// NotIn lists values a row in scope may not have; NULL is in scope.
	NotIn []any `yaml:"notIn"`
	// IsNull is true for IS NULL, false for IS NOT NULL. (The key is not
	// "null", which YAML reads as a null key.)
	IsNull *bool `yaml:"isNull"`
	// Ne is a value a row in scope may not have; NULL is in scope.
	Ne any `yaml:"ne"`
	// Lt, Le, Gt and Ge bound the column's value (id: {gt: 1}).
	Lt any `yaml:"lt"`
	Le any `yaml:"le"`
	Gt any `yaml:"gt"`
	Ge any `yaml:"ge"`
}

// UnmarshalYAML accepts a scalar as a constant.
func (v *ScopeValue) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		v.Constant = true
		return n.Decode(&v.Const)
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a constant or conditions such as {in: [0, 1]}, {isNull: true}, {gt: 1}", n.Line)
	}
	type plain ScopeValue
	return n.Decode((*plain)(v))
}

// RelationConfig is one relation of a resource's scope: exactly one of
// Exists and NotExists.
type RelationConfig struct {
	// Exists keeps the rows that a row of the related table refers to.
	Exists *RelationTarget `yaml:"exists"`
	// NotExists keeps the rows that no row of the related table refers to.
	NotExists *RelationTarget `yaml:"notExists"`
}

// RelationTarget names the related rows of a relation.
type RelationTarget struct {
	// Table holding the related rows (bots, user_roles).
	Table string `yaml:"table"`
	// Column of Table that refers to the resource's row (user_id). Of
	// the same kind as References, or character where References is an
	// integer (or the reverse): the integer is then compared as decimal
	// text, and no index on it serves the comparison.
	Column string `yaml:"column"`
	// References is the resource's column that Column holds; default
	// the key column.
	References string `yaml:"references"`
	// Where restricts the related rows, as a scope does: constants
	// (role_id: 3) or conditions ({in: [1, 2]}, {isNull: true}, ...).
	Where map[string]ScopeValue `yaml:"where"`
}

// Key generation strategies.
const (
	// GenerateAuto lets the database assign the key (AUTO_INCREMENT).
	GenerateAuto = "auto"
	// GenerateUUID makes a random UUID for each new row.
	GenerateUUID = "uuid"
)

// IDConfig names the key column.
type IDConfig struct {
	// Column holding the key; default "id". When an attribute is mapped to
	// it (userName: username, with id.column username; or its lower-cased
	// copy in also), the key is natural: a new row's key is that
	// attribute's value as written, and generate must be left out.
	Column string `yaml:"column"`
	// Generate is how new keys are made when the key is not natural:
	// "auto" (AUTO_INCREMENT, the default), or a generator for a
	// character key: "uuid" (36 characters), "uuid-hex" (32 hex
	// digits), "ulid" (26 characters, time-ordered), or "hex", "base32"
	// or "base62" with a length. All are drawn from crypto/rand; a new
	// key that a row already has is replaced and the insert tried again.
	Generate string `yaml:"generate"`
	// Length is the number of characters of a hex, base32 or base62 key
	// (26 for Mattermost-style base32 ids, 17 for Rocket.Chat-style
	// base62 ids); check refuses one longer than the column.
	Length int `yaml:"length"`
	// Renames lets an update change a natural key (a userName that is the
	// key), which is otherwise refused with 400 mutability: the row's key
	// and every listed column holding the old key are updated in the same
	// transaction, with the mapping's own child, key/value and membership
	// rows. Give the application's further columns that refer to the key
	// ({table: alias, column: goto}); renames: [] when there are none.
	Renames []RenameConfig `yaml:"renames"`
	// Prefix is put before the key to make the SCIM id (g-7 for the role
	// with key 7), so that two resource types kept in separate tables
	// never share an id (RFC 7643 section 3.1). Letters, digits and
	// "-._~:" only. Changing it changes every id an IdP has stored.
	Prefix string `yaml:"prefix"`
}

// RenameConfig is a column of the application that holds a natural key
// and is updated with it.
type RenameConfig struct {
	// Table holding the column.
	Table string `yaml:"table"`
	// Column holding the key; every row where it equals the old key gets
	// the new one.
	Column string `yaml:"column"`
}

// AttributeConfig maps one SCIM attribute to a column. In YAML it is either
// a column name or a mapping with the fields below.
type AttributeConfig struct {
	// Column the attribute is stored in: a column of the resource's
	// table, or of one of its joined tables by table-qualified name
	// (users_field_data.name).
	Column string `yaml:"column"`
	// TrueValue and FalseValue are the stored values of a boolean attribute
	// (active) when the column is not a plain 0/1 flag, such as 'active' and
	// 'disabled'. Each must be a value the column holds exactly (an
	// integer in range, one of an ENUM's values), and they must differ.
	// A stored value other than TrueValue and TrueValues, compared as
	// integers or character for character, reads as false, as does NULL;
	// filters select by the same rule, and check counts the values stored
	// that the mapping does not name.
	TrueValue any `yaml:"trueValue"`
	// FalseValue is written for false; see TrueValue.
	FalseValue any `yaml:"falseValue"`
	// TrueValues are further stored values that read as true (several
	// statuses may mean active); TrueValue is the one written.
	TrueValues []any `yaml:"trueValues"`
	// OnTrue and OnFalse are further columns of the table written with a
	// boolean attribute (active), when it is written true or false, for an
	// application that keeps a state in more than one place: Joomla
	// clears its activation token when an account is enabled, {column:
	// block, trueValue: 0, falseValue: 1, onTrue: {activation: ''}}.
	// Each maps a column to a constant (null for NULL); the value read
	// still comes from column alone.
	OnTrue map[string]any `yaml:"onTrue"`
	// OnFalse: see OnTrue.
	OnFalse map[string]any `yaml:"onFalse"`
	// ActiveWhenNull stores a boolean as a timestamp such as deleted_at or
	// disabled_at: NULL (or 0 in an integer column, as Mattermost's
	// DeleteAt) reads as true; setting false writes the current time,
	// setting true clears it (to NULL, or 0 in an integer column).
	ActiveWhenNull bool `yaml:"activeWhenNull"`
	// TimeUnit is the unit of a time kept in an integer column (a
	// dateTime attribute, meta.created, meta.lastModified, or
	// activeWhenNull): seconds (default) or milliseconds since the Unix
	// epoch, as Mattermost's CreateAt, UpdateAt and DeleteAt are.
	TimeUnit string `yaml:"timeUnit"`
	// Type is the type label reported for a multi-valued attribute stored
	// in a single column (emails: work), or in a child table without a
	// type column, whose every row then has it; default "work".
	Type string `yaml:"type"`
	// Transform is applied to the value before it is written: lower,
	// upper, trim, or localpart and domain (the parts of an e-mail
	// address before and after its @).
	Transform string `yaml:"transform"`
	// Also lists further columns written with the same value, each with
	// its own transform: a lower-cased lookup column, a legacy copy. A
	// column with transform lower serves case-insensitive filters.
	Also []ColumnConfig `yaml:"also"`
	// Child stores a multi-valued attribute (emails, phoneNumbers) in a
	// table with one row per value, instead of Column.
	Child *ChildConfig `yaml:"child"`
	// Meta stores the attribute as the entry with this key of the
	// resource's metaTable, instead of Column. Any single-valued
	// attribute may be: a boolean with trueValue and falseValue (the
	// text the application stores, 'true'/'false' or '1'/'0'), an
	// integer, a dateTime (stored as text: 2024-01-31 12:00:00).
	Meta string `yaml:"meta"`
	// MetaScope gives further constant columns of this attribute's
	// entries, beside the metaTable's scope (which they override): the
	// application name of a setting keyed by application and name, as
	// Nextcloud keeps enabled under appid core and email under settings.
	MetaScope map[string]any `yaml:"metaScope"`
	// WhenMissing is the stored value that a missing entry of a meta
	// attribute stands for, as the application reads it: an account
	// with no 'enabled' entry is enabled (whenMissing: 'true'). Reads,
	// filters and sorting see it in place of nothing.
	WhenMissing any `yaml:"whenMissing"`
	// WhenOmitted is the SCIM value the attribute takes when a create
	// (POST) leaves it out or gives it as null, written through the same
	// value maps and checks as a value sent: active: {column: enabled,
	// whenOmitted: true} for a NOT NULL column without a database
	// default, where an IdP (OneLogin's Core template, authentik's
	// default mapping) creates users without active. The attribute is
	// then not required on create, and /Schemas says so. Only a
	// single-valued attribute in a column or meta entry, other than
	// one the SCIM schema requires (userName), takes one; check
	// refuses a value the attribute or its column cannot hold. A PUT or
	// PATCH that leaves it out is unaffected.
	WhenOmitted any `yaml:"whenOmitted"`
	// List holds a multi-valued attribute (roles, entitlements) as a
	// list encoded in its one column or meta entry: json (a JSON array
	// of strings), jsonObject (keys with true values), delimited
	// ({delimiter: " "}), php (a PHP-serialized array's keys with true
	// values, as WordPress's wp_capabilities) or phpList; see ListConfig.
	List *ListConfig `yaml:"list"`
	// Hash is how the password attribute is stored: bcrypt, argon2id,
	// pbkdf2-sha256 or salted-sha256. Required for password.
	Hash string `yaml:"hash"`
	// Cost is the bcrypt cost; default 10.
	Cost int `yaml:"cost"`
	// Iterations is the pbkdf2-sha256 iteration count; default 600000.
	Iterations int `yaml:"iterations"`
}

// ChildConfig is a table with one row per value of a multi-valued
// attribute.
type ChildConfig struct {
	// Table holding the values (user_emails).
	Table string `yaml:"table"`
	// Parent is the column referring to the resource's key (user_id).
	Parent string `yaml:"parent"`
	// Value is the column holding the value (the address).
	Value string `yaml:"value"`
	// Type is the column holding the type label (work, home); optional.
	Type string `yaml:"type"`
	// Primary is the numeric column flagging the primary value; optional.
	Primary string `yaml:"primary"`
	// Display is the column holding a display form; optional.
	Display string `yaml:"display"`
	// Also lists further columns written with the value, each with its
	// own transform (a lower-cased lower_email).
	Also []ColumnConfig `yaml:"also"`
	// Defaults are written into every row scimbridge inserts (created_on:
	// {generate: now}, is_activated: 1).
	Defaults map[string]DefaultConfig `yaml:"defaults"`
	// PrimaryColumn is a column of the resource's own table that keeps a
	// copy of the primary value (else the first), as Gitea keeps the
	// primary address in user.email beside its email_address rows; it is
	// written whenever the attribute is.
	PrimaryColumn string `yaml:"primaryColumn"`
	// PrimaryRef designates the primary value by a column of the
	// resource's own table holding the key of the primary child row, as
	// osTicket's ost_user.default_email_id names an ost_user_email.id,
	// instead of a flag in the child rows (primary). Reads mark primary
	// on the row it names; writes insert the rows, then set it to the key
	// of the primary row (else the first) in the same transaction, or to
	// none when no row is left.
	PrimaryRef *PrimaryRefConfig `yaml:"primaryRef"`
	// Key is, with link or primaryRef, the child table's key column the
	// link refers to or primaryRef.column holds
	// (email_addresses.id); default its primary key. A new row's key is
	// generated by defaults (id: {generate: uuid}) or AUTO_INCREMENT.
	Key string `yaml:"key"`
	// Link reaches the rows through a link table instead of a parent
	// column of the child table (SuiteCRM's email_addr_bean_rel between
	// users and email_addresses); parent and primary are then the link's.
	Link *LinkConfig `yaml:"link"`
}

// PrimaryRefConfig is a column of the resource's table that holds the key
// of its primary child row (child.primaryRef).
type PrimaryRefConfig struct {
	// Column of the resource's table holding the primary row's key
	// (default_email_id); of the child key's kind (integer or character).
	Column string `yaml:"column"`
	// None is what the column holds when the resource has no child row
	// (0); default NULL, so a NOT NULL column needs it.
	None any `yaml:"none"`
}

// LinkConfig is a link table between a resource and the rows of its child
// table: one row per child row, naming the resource and the child row.
// Writing the attribute marks (or deletes) the resource's links and
// inserts new child rows and links: child rows are never updated,
// reused or deleted, since the application may link one to other
// records. Deleting the resource removes its links, and a soft delete
// marks them where removed is given.
type LinkConfig struct {
	// Table holding the links (email_addr_bean_rel).
	Table string `yaml:"table"`
	// Parent is the link's column referring to the resource's key
	// (bean_id).
	Parent string `yaml:"parent"`
	// Child is the link's column referring to the child row's key
	// (email_address_id).
	Child string `yaml:"child"`
	// Scope holds constant columns of the resource's links, matched on
	// read and written on insert: the owner's type where one link table
	// serves several (bean_module: Users).
	Scope map[string]any `yaml:"scope"`
	// Primary is the link's numeric column flagging the primary value
	// (primary_address); optional.
	Primary string `yaml:"primary"`
	// Removed marks a removed link instead of deleting it ({column:
	// deleted, value: 1} or {column: deleted_at, generate: now}); marked
	// links are ignored by every read and filter, as the application
	// ignores them.
	Removed *RemovedConfig `yaml:"removed"`
	// Defaults are written into every link scimbridge inserts (id:
	// {generate: uuid}, date_created: {generate: now}).
	Defaults map[string]DefaultConfig `yaml:"defaults"`
}

// MetaTableConfig is a key/value table holding attributes as one row per
// resource and key, as WordPress's wp_usermeta does.
type MetaTableConfig struct {
	// Table holding the entries.
	Table string `yaml:"table"`
	// Parent is the column referring to the resource's key.
	Parent string `yaml:"parent"`
	// Key is the column naming the entry (meta_key).
	Key string `yaml:"key"`
	// Value is the column holding its value (meta_value).
	Value string `yaml:"value"`
	// Scope holds constant columns of the entries the mapping owns
	// (appid: settings): matched on read and written on insert.
	Scope map[string]any `yaml:"scope"`
	// Defaults are written into every entry scimbridge inserts.
	Defaults map[string]DefaultConfig `yaml:"defaults"`
	// DeleteAll makes a hard delete remove every entry of the resource,
	// of any key and scope, as WordPress and Nextcloud do when they
	// delete an account; by default only the mapped keys' entries go.
	DeleteAll bool `yaml:"deleteAll"`
}

// JoinedConfig is a table holding one row per resource, keyed by the
// resource's key.
type JoinedConfig struct {
	// Table holding the rows (users_field_data).
	Table string `yaml:"table"`
	// Key is the column holding the resource's key (uid, entity_id).
	Key string `yaml:"key"`
	// Scope holds constant columns of the joined row the mapping owns
	// (langcode: en, default_langcode: 1): matched on every read and
	// written into a new joined row.
	Scope map[string]any `yaml:"scope"`
	// Defaults are written into a new joined row for its NOT NULL columns
	// that no attribute sets (created: {generate: now}, password_hash: an
	// unusable value).
	Defaults map[string]DefaultConfig `yaml:"defaults"`
}

// ExtensionConfig declares an operator-defined extension schema, whose
// attributes are then mapped like any other by their URN-qualified names.
type ExtensionConfig struct {
	// URN of the schema, such as urn:acme:params:scim:schemas:extension:acme:2.0:User.
	URN string `yaml:"urn"`
	// Name shown in /Schemas.
	Name string `yaml:"name"`
	// Description shown in /Schemas.
	Description string `yaml:"description"`
	// Attributes of the schema, by name.
	Attributes map[string]ExtensionAttribute `yaml:"attributes"`
}

// ExtensionAttribute defines one attribute of an extension schema.
type ExtensionAttribute struct {
	// Type is string (default), boolean, integer or dateTime.
	Type string `yaml:"type"`
	// Description shown in /Schemas.
	Description string `yaml:"description"`
	// CaseExact makes filters on the attribute case-sensitive.
	CaseExact bool `yaml:"caseExact"`
	// Required attributes must be given on create and replace.
	Required bool `yaml:"required"`
}

// ColumnConfig is one more column an attribute is written to.
type ColumnConfig struct {
	// Column to write.
	Column string `yaml:"column"`
	// Transform is lower, upper, trim, localpart, domain or empty.
	Transform string `yaml:"transform"`
}

// UnmarshalYAML accepts a bare column name as shorthand for {column: name}.
func (a *AttributeConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		a.Column = n.Value
		return nil
	}
	type plain AttributeConfig
	return n.Decode((*plain)(a))
}

// Units of a time kept in an integer column (TimeUnit).
const (
	// TimeSeconds is Unix seconds, the default.
	TimeSeconds = "seconds"
	// TimeMilliseconds is Unix milliseconds.
	TimeMilliseconds = "milliseconds"
)

// Generators for DefaultConfig.Generate.
const (
	// GenerateNow writes the current time in the column's type.
	GenerateNow = "now"
	// GenerateNext writes the next number of an integer column: 1 + the
	// greatest value among the rows of the same owner, 1 for the first.
	GenerateNext = "next"
)

// DefaultConfig is a value for a column on insert: a constant, a
// generated value, the next number, or a copy of another column. In YAML a
// bare scalar is shorthand for {value: scalar}.
type DefaultConfig struct {
	// Value is a constant written as is.
	Value any `yaml:"value"`
	// Generate is "now" (the current time), a random value ("uuid",
	// "uuid-hex", "ulid", or "hex", "base32" or "base62" with a length),
	// or "next" for an integer column: 1 + the greatest value among the
	// rows of the new row's owner, 1 when there is none (a per-user
	// sortorder or position). The owner is, for a membership row, the
	// same user (or the same group, with per: group); for a child, link
	// or metaTable row, the same parent; for a resource or joined row,
	// the whole table within its scope. Every row of the owner counts,
	// removed or soft-deleted ones too, so a number is never taken twice.
	// It is computed in the inserting transaction under a lock on the
	// owner (the membership's user, a named lock as for uniqueness; the
	// parent's row), so concurrent inserts never take the same number.
	Generate string `yaml:"generate"`
	// Per says whose rows generate: next counts among in members.defaults:
	// user (the default: the user's next position) or group.
	Per string `yaml:"per"`
	// Copy writes the value of another column, as the insert writes it,
	// in the defaults of a resource, a joined table or members: a column
	// of the same row (one an attribute sets, a scope constant, another
	// default, a generated key, or a joined row's key; not an
	// AUTO_INCREMENT key, assigned after the insert), or in
	// members.defaults user.<column> or group.<column>, a column of the
	// new member's user row or of the group's (a membership row that
	// repeats the user's login). Written on insert only; a copied column
	// the insert leaves out is left to the column's own default. The
	// column must hold what it copies: a character column as long, an
	// integer column at least as wide, the same kind of time; a member's
	// nullable column only into a nullable one.
	Copy string `yaml:"copy"`
	// Length is the number of characters of a hex, base32 or base62
	// value.
	Length int `yaml:"length"`
	// TimeUnit is the unit of generate: now in an integer column:
	// seconds (default) or milliseconds.
	TimeUnit string `yaml:"timeUnit"`
}

// UnmarshalYAML accepts a bare scalar as shorthand for {value: scalar}.
func (d *DefaultConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&d.Value)
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a value or {value: ..} / {generate: now|uuid|next|..} / {copy: column}", n.Line)
	}
	type plain DefaultConfig
	return n.Decode((*plain)(d))
}
