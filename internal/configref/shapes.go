package configref

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/scim"
)

// What the Go types cannot say about the configuration is written down
// here, next to the code constants it comes from wherever one exists: the
// defaults the code applies, the values a string may take, the forms of
// types that decode themselves, and an example for keys that no shipped
// configuration file sets. The tests check that every key has what the
// reference needs.

// fieldKey names one key of one struct type.
type fieldKey struct {
	t   reflect.Type
	key string
}

func key[T any](k string) fieldKey { return fieldKey{reflect.TypeFor[T](), k} }

// FieldInfo is what the hand-written tables say about one key.
type FieldInfo struct {
	// Default is the Go value the code uses when the key is left out, or
	// nil; DefaultText says it in words where one value cannot.
	Default     any
	DefaultText string
	// Const is the name of the Go constant holding Default, which doc
	// comments mention ("default DefaultListen").
	Const string
	// Enum lists the values a string key may take.
	Enum []string
	// Required keys must be given.
	Required bool
	// MapKey names the keys of a mapping-valued key (column, attribute),
	// and Sample is one, for examples.
	MapKey, Sample string
	// Example is a YAML value for the key, used when no configuration
	// file shipped with scimbridge sets it.
	Example string
}

func (f FieldInfo) mapKeyName() string {
	if f.MapKey == "" {
		return "key"
	}
	return f.MapKey
}

// fieldInfo is the table of FieldInfo by struct type and key.
var fieldInfo = map[fieldKey]FieldInfo{
	key[scim.Config]("listen"):          {Default: scim.DefaultListen, Const: "DefaultListen"},
	key[scim.Config]("basePath"):        {Default: scim.DefaultBasePath, Const: "DefaultBasePath"},
	key[scim.Config]("tokens"):          {Required: true},
	key[scim.Config]("defaultPageSize"): {Default: scim.DefaultPageSize, Const: "DefaultPageSize"},
	key[scim.Config]("maxPageSize"):     {Default: scim.DefaultMaxPageSize, Const: "DefaultMaxPageSize"},
	key[scim.Config]("maxBodyBytes"):    {Default: int64(scim.DefaultMaxBodyBytes), Const: "DefaultMaxBodyBytes"},
	key[scim.Config]("requestTimeout"):  {Default: scim.DefaultRequestTimeout, Const: "DefaultRequestTimeout"},
	key[scim.Config]("tls"):             {DefaultText: "none: plain HTTP"},
	key[scim.Config]("trustedProxies"):  {DefaultText: "none", Example: "[10.0.0.0/8, 192.0.2.7]"},

	key[scim.TokenConfig]("name"):   {Required: true},
	key[scim.TokenConfig]("sha256"): {Example: "3690a4a2ed3b26b46a696e9ab873a300d9da3ae56bc84352e2bf724885c91dfd"},
	key[scim.TokenConfig]("scope"):  {MapKey: "column", Sample: "org_id", Example: "{org_id: 42}"},

	key[scim.TLSConfig]("certFile"): {Example: "/etc/scimbridge/tls/tls.crt"},
	key[scim.TLSConfig]("keyFile"):  {Example: "/etc/scimbridge/tls/tls.key"},

	key[scim.AuthThrottleConfig]("maxFailures"): {Default: scim.DefaultAuthMaxFailures, Const: "DefaultAuthMaxFailures"},
	key[scim.AuthThrottleConfig]("window"):      {Default: scim.DefaultAuthWindow, Const: "DefaultAuthWindow"},
	key[scim.AuthThrottleConfig]("blockFor"):    {Default: scim.DefaultAuthBlockFor, Const: "DefaultAuthBlockFor"},

	key[scim.BulkConfig]("maxOperations"): {Default: scim.DefaultBulkMaxOperations, Const: "DefaultBulkMaxOperations"},

	key[mapping.Config]("User"): {Required: true},

	key[mapping.ResourceConfig]("table"):              {DefaultText: "none: required, except on a Group declared by values"},
	key[mapping.ResourceConfig]("values"):             {Example: "[{value: ROLE_ADMIN, displayName: Administrators}]"},
	key[mapping.GroupValueConfig]("value"):            {Required: true, Example: "ROLE_ADMIN"},
	key[mapping.GroupValueConfig]("displayName"):      {DefaultText: "the value", Example: "Administrators"},
	key[mapping.GroupValueConfig]("id"):               {DefaultText: "the value, made URL-safe", Example: "site-admin"},
	key[mapping.ResourceConfig]("attributes"):         {MapKey: "attribute", Sample: "userName", Example: "{userName: login, displayName: full_name, active: is_active}"},
	key[mapping.ResourceConfig]("defaults"):           {MapKey: "column", Sample: "password_hash", Example: `{password_hash: "!", created_at: {generate: now}}`},
	key[mapping.ResourceConfig]("scope"):              {MapKey: "column", Sample: "account_id"},
	key[mapping.ResourceConfig]("relations"):          {Example: "[{notExists: {table: bots, column: user_id}}]"},
	key[mapping.ResourceConfig]("delete"):             {DefaultText: mapping.DefaultUserDelete + " for User, " + mapping.DefaultGroupDelete + " for Group"},
	key[mapping.ResourceConfig]("ignoreDeactivation"): {Example: "true"},
	key[mapping.ResourceConfig]("computed"):           {MapKey: "column", Sample: "full_name", Example: `{full_name: "{name.givenName} {name.familyName}"}`},
	key[mapping.ResourceConfig]("version"):            {DefaultText: "none: no ETags", Example: "hash"},
	key[mapping.ResourceConfig]("timeZone"):           {DefaultText: "UTC"},

	key[mapping.IDConfig]("column"):   {DefaultText: "id"},
	key[mapping.IDConfig]("generate"): {DefaultText: mapping.GenerateAuto, Enum: append([]string{mapping.GenerateAuto}, adapters.GeneratorKinds...)},
	key[mapping.IDConfig]("length"):   {Example: "26"},
	key[mapping.IDConfig]("renames"):  {Example: "[{table: alias, column: goto}]"},

	key[mapping.RenameConfig]("table"):  {Required: true, Example: "alias"},
	key[mapping.RenameConfig]("column"): {Required: true, Example: "goto"},
	key[mapping.IDConfig]("prefix"):     {DefaultText: "none", Example: "g-"},

	key[mapping.AttributeConfig]("trueValues"):     {Example: "[active, trial]"},
	key[mapping.AttributeConfig]("activeWhenNull"): {Example: "true"},
	key[mapping.AttributeConfig]("onTrue"):         {MapKey: "column", Sample: "activation", Example: "{activation: ''}"},
	key[mapping.AttributeConfig]("onFalse"):        {MapKey: "column", Sample: "locked_reason", Example: "{locked_reason: idp}"},
	key[mapping.AttributeConfig]("type"):           {DefaultText: "work"},
	key[mapping.AttributeConfig]("transform"):      {Enum: mapping.Transforms, Example: "lower"},
	key[mapping.AttributeConfig]("meta"):           {Example: "first_name"},
	key[mapping.AttributeConfig]("metaScope"):      {MapKey: "column", Sample: "appid", Example: "{appid: core}"},
	key[mapping.AttributeConfig]("whenMissing"):    {DefaultText: "none: a missing entry is no value", Example: "'true'"},
	key[mapping.AttributeConfig]("whenOmitted"):    {DefaultText: "none: a create must give the attribute where its column needs a value", Example: "true"},
	key[mapping.AttributeConfig]("hash"):           {Enum: []string{mapping.HashBcrypt, mapping.HashArgon2id, mapping.HashPBKDF2, mapping.HashSaltedSHA256}, Example: "bcrypt"},
	key[mapping.AttributeConfig]("cost"):           {Default: mapping.DefaultBcryptCost, Const: "DefaultBcryptCost", Example: "12"},
	key[mapping.AttributeConfig]("iterations"):     {Default: mapping.DefaultPBKDF2Iterations, Const: "DefaultPBKDF2Iterations", Example: "600000"},

	key[mapping.ColumnConfig]("transform"): {Enum: mapping.Transforms},

	key[mapping.AttributeConfig]("list"):  {Example: "json"},
	key[mapping.ListConfig]("encoding"):   {Enum: []string{mapping.ListJSON, mapping.ListJSONObject, mapping.ListDelimited, mapping.ListPHP, mapping.ListPHPList}, DefaultText: "delimited when delimiter is given", Example: "json"},
	key[mapping.ListConfig]("delimiter"):  {Example: `" "`},
	key[mapping.ListConfig]("trueValue"):  {DefaultText: "true", Example: `"1"`},
	key[mapping.ListConfig]("falseValue"): {DefaultText: "the key is removed", Example: `"0"`},
	key[mapping.ListConfig]("values"):     {DefaultText: "any value", Example: "[ROLE_ADMIN, ROLE_EDITOR]"},
	key[mapping.ListConfig]("map"):        {MapKey: "value", Sample: "Admin", Example: "{Admin: ROLE_ADMIN}"},

	key[mapping.ChildConfig]("table"):         {Required: true},
	key[mapping.PrimaryRefConfig]("column"):   {Required: true},
	key[mapping.PrimaryRefConfig]("none"):     {DefaultText: "NULL", Example: "0"},
	key[mapping.ChildConfig]("defaults"):      {MapKey: "column", Sample: "created_on"},
	key[mapping.ChildConfig]("display"):       {Example: "address_display"},
	key[mapping.ChildConfig]("primaryColumn"): {Example: "email"},
	key[mapping.ChildConfig]("key"):           {DefaultText: "the child table's primary key", Example: "id"},

	key[mapping.LinkConfig]("table"):    {Required: true, Example: "email_addr_bean_rel"},
	key[mapping.LinkConfig]("parent"):   {Required: true, Example: "bean_id"},
	key[mapping.LinkConfig]("child"):    {Required: true, Example: "email_address_id"},
	key[mapping.LinkConfig]("scope"):    {MapKey: "column", Sample: "bean_module", Example: "{bean_module: Users}"},
	key[mapping.LinkConfig]("primary"):  {Example: "primary_address"},
	key[mapping.LinkConfig]("removed"):  {DefaultText: "none: a removal deletes the link", Example: "{column: deleted, value: 1}"},
	key[mapping.LinkConfig]("defaults"): {MapKey: "column", Sample: "date_created", Example: "{id: {generate: uuid}, date_created: {generate: now}}"},

	key[mapping.MetaTableConfig]("table"):     {Required: true},
	key[mapping.MetaTableConfig]("parent"):    {Required: true},
	key[mapping.MetaTableConfig]("key"):       {Required: true},
	key[mapping.MetaTableConfig]("value"):     {Required: true},
	key[mapping.MetaTableConfig]("scope"):     {MapKey: "column", Sample: "appid", Example: "{appid: settings}"},
	key[mapping.MetaTableConfig]("deleteAll"): {Example: "true"},
	key[mapping.MetaTableConfig]("defaults"):  {MapKey: "column", Sample: "updated_at", Example: "{updated_at: {generate: now}}"},

	key[mapping.JoinedConfig]("table"):    {Required: true, Example: "users_field_data"},
	key[mapping.JoinedConfig]("key"):      {Required: true, Example: "uid"},
	key[mapping.JoinedConfig]("scope"):    {MapKey: "column", Sample: "langcode", Example: "{langcode: en, default_langcode: 1}"},
	key[mapping.JoinedConfig]("defaults"): {MapKey: "column", Sample: "created", Example: "{created: {generate: now}, access: 0}"},

	key[mapping.MembersConfig]("userColumn"):     {Example: "role"},
	key[mapping.MembersConfig]("meta"):           {Example: "wp_capabilities"},
	key[mapping.MembersConfig]("whenRemoved"):    {DefaultText: "NULL", Example: "member"},
	key[mapping.MembersConfig]("list"):           {Example: "json"},
	key[mapping.MembersConfig]("references"):     {DefaultText: "the group's key", Example: "name"},
	key[mapping.MembersConfig]("userReferences"): {DefaultText: "the user's key", Example: "username"},
	key[mapping.MembersConfig]("scope"):          {MapKey: "column", Sample: "pending", Example: "{pending: 0}"},
	key[mapping.MembersConfig]("defaults"):       {MapKey: "column", Sample: "granted_at"},
	key[mapping.MembersConfig]("removed"):        {DefaultText: "none: a removal deletes the row", Example: "{column: DeleteAt, generate: now}"},
	key[mapping.RemovedConfig]("column"):         {Required: true, Example: "left_at"},
	key[mapping.RemovedConfig]("value"):          {Example: "1"},
	key[mapping.RemovedConfig]("generate"):       {Enum: []string{mapping.GenerateNow}, Example: "now"},
	key[mapping.RemovedConfig]("timeUnit"):       {DefaultText: mapping.TimeSeconds, Enum: []string{mapping.TimeSeconds, mapping.TimeMilliseconds}, Example: mapping.TimeMilliseconds},
	key[mapping.RemovedConfig]("restore"):        {DefaultText: "NULL, or 0 in an integer column", Example: "0"},

	key[mapping.RelationTarget]("table"):      {Required: true, Example: "bots"},
	key[mapping.RelationTarget]("column"):     {Required: true, Example: "user_id"},
	key[mapping.RelationTarget]("references"): {DefaultText: "the key column", Example: "login"},
	key[mapping.RelationTarget]("where"):      {MapKey: "column", Sample: "role_id", Example: "{role_id: 3}"},

	key[mapping.DeleteConfig]("memberships"): {DefaultText: "remove", Enum: []string{"remove", "keep"}, Example: "keep"},
	key[mapping.DeleteConfig]("release"):     {Example: `"{value}#deleted-{id}"`},
	key[mapping.DeleteConfig]("uniqueAmong"): {DefaultText: mapping.UniqueAmongAll, Enum: []string{mapping.UniqueAmongAll, mapping.UniqueAmongLive}, Example: mapping.UniqueAmongLive},
	key[mapping.MarkConfig]("column"):        {Required: true},
	key[mapping.MarkConfig]("generate"):      {Enum: []string{mapping.GenerateNow}, Example: "now"},

	key[mapping.DefaultConfig]("value"):      {Example: "member"},
	key[mapping.DefaultConfig]("generate"):   {Enum: append([]string{mapping.GenerateNow, mapping.GenerateNext}, adapters.GeneratorKinds...), Example: "now"},
	key[mapping.DefaultConfig]("per"):        {DefaultText: adapters.NextPerUser, Enum: []string{adapters.NextPerUser, adapters.NextPerGroup}, Example: adapters.NextPerGroup},
	key[mapping.DefaultConfig]("copy"):       {Example: "user.username"},
	key[mapping.DefaultConfig]("length"):     {Example: "32"},
	key[mapping.DefaultConfig]("timeUnit"):   {DefaultText: mapping.TimeSeconds, Enum: []string{mapping.TimeSeconds, mapping.TimeMilliseconds}, Example: mapping.TimeMilliseconds},
	key[mapping.MarkConfig]("timeUnit"):      {DefaultText: mapping.TimeSeconds, Enum: []string{mapping.TimeSeconds, mapping.TimeMilliseconds}, Example: mapping.TimeMilliseconds},
	key[mapping.AttributeConfig]("timeUnit"): {DefaultText: mapping.TimeSeconds, Enum: []string{mapping.TimeSeconds, mapping.TimeMilliseconds}, Example: mapping.TimeMilliseconds},

	key[mapping.ScopeValue]("in"):     {Example: "[0, 1, 3]"},
	key[mapping.ScopeValue]("notIn"):  {Example: "[2]"},
	key[mapping.ScopeValue]("isNull"): {Example: "true"},
	key[mapping.ScopeValue]("ne"):     {Example: "archived"},
	key[mapping.ScopeValue]("lt"):     {Example: "1000"},
	key[mapping.ScopeValue]("le"):     {Example: "999"},
	key[mapping.ScopeValue]("gt"):     {Example: "1"},
	key[mapping.ScopeValue]("ge"):     {Example: "2"},

	key[mapping.ExtensionConfig]("urn"):         {Required: true, Example: "urn:example:params:scim:schemas:extension:helpdesk:2.0:User"},
	key[mapping.ExtensionConfig]("name"):        {Example: "HelpdeskUser"},
	key[mapping.ExtensionConfig]("description"): {Example: "What the helpdesk keeps about its agents"},
	key[mapping.ExtensionConfig]("attributes"):  {MapKey: "name", Sample: "signature"},

	key[mapping.ExtensionAttribute]("type"):        {DefaultText: "string", Enum: []string{"string", "boolean", "integer", "dateTime"}, Example: "string"},
	key[mapping.ExtensionAttribute]("description"): {Example: "The signature under the agent's replies"},
	key[mapping.ExtensionAttribute]("caseExact"):   {Example: "true"},
	key[mapping.ExtensionAttribute]("required"):    {Example: "false"},

	key[mapping.HooksConfig]("afterCreate"):       {Example: `["INSERT INTO job_queue (kind, user_id, login) VALUES ('welcome', :id, :userName)"]`},
	key[mapping.HooksConfig]("afterUpdate"):       {Example: `["UPDATE user SET permissions_cache = NULL WHERE id = :id"]`},
	key[mapping.HooksConfig]("afterDeactivate"):   {Example: `["DELETE FROM access_token WHERE uid = :id"]`},
	key[mapping.HooksConfig]("afterReactivate"):   {Example: `["INSERT INTO job_queue (kind, user_id, login) VALUES ('reactivated', :id, :userName)"]`},
	key[mapping.HooksConfig]("beforeDelete"):      {Example: `["DELETE FROM team_admin WHERE team_id = :id"]`},
	key[mapping.HooksConfig]("afterDelete"):       {Example: `["INSERT INTO job_queue (kind, user_id, login) VALUES ('deleted', :id, :userName)"]`},
	key[mapping.HooksConfig]("afterMemberAdd"):    {Example: `["UPDATE team SET num_members = num_members + 1 WHERE id = :groupId"]`},
	key[mapping.HooksConfig]("afterMemberRemove"): {Example: `["UPDATE team SET num_members = num_members - 1 WHERE id = :groupId"]`},

	key[adapters.Secret]("value"):    {Example: "s3cr3t"},
	key[adapters.Secret]("fromEnv"):  {Example: "SCIMBRIDGE_DB_PASSWORD"},
	key[adapters.Secret]("fromFile"): {Example: "/run/secrets/db-password"},
}

// adapterConfig gives the Go type of keys that are decoded in a second
// step (database.config, by database.type), as the program says (Use).
var adapterConfig = map[fieldKey]reflect.Type{}

// configType is the type the configuration file decodes into, as the
// program says (Use).
var configType reflect.Type

// Program is what the reference needs from the program whose
// configuration it documents, given by that program's side (a test file
// of this package that imports the command, so that this package
// imports none): the type the file decodes into, what the types cannot
// say about the program's own keys, and the types of keys decoded in a
// second step (an adapter's config, by its type).
type Program struct {
	Root    reflect.Type
	Fields  map[fieldKey]FieldInfo
	Decoded map[fieldKey]reflect.Type
}

// Use documents p's configuration: it must be called before Walk or
// Generate.
func Use(p Program) {
	configType = p.Root
	for k, f := range p.Fields {
		fieldInfo[k] = f
	}
	for k, t := range p.Decoded {
		adapterConfig[k] = t
	}
}

// A Shape is what the reference and the schema say about a type that
// decodes itself from more than a mapping of its keys.
type Shape struct {
	// Summary explains the forms, in Markdown.
	Summary string
	// Scalar is the JSON Schema of the scalar form, or nil if there is
	// none (the type is a mapping only).
	Scalar map[string]any
	// OneKey says that at most one of the keys may be given.
	OneKey bool
	// Examples are YAML entries showing each form.
	Examples []string
}

var scalarTypes = []any{"string", "number", "boolean"}

// shapes are the types whose YAML is not (only) a mapping of their keys:
// each has its own UnmarshalYAML in mapping/config.go, except
// adapters.Secret, listed for its one-of-three rule.
var shapes = map[reflect.Type]*Shape{
	reflect.TypeFor[mapping.AttributeConfig](): {
		Summary: "Either a column name (`userName: login`, shorthand for `{column: login}`) or a mapping of the keys below. " +
			"Exactly one of `column`, `child` and `meta` says where the value is stored.",
		Scalar: map[string]any{"type": "string", "description": "The column holding the attribute (shorthand for {column: name})."},
		Examples: []string{
			"userName: login",
			"active: {column: status, trueValue: active, falseValue: disabled}",
			"active: {column: disabled_at, activeWhenNull: true}",
			"active: {column: block, trueValue: 0, falseValue: 1, onTrue: {activation: ''}}",
			"userName: {column: username, transform: trim, also: [{column: username_lower, transform: lower}]}",
			"emails: {child: {table: user_emails, parent: user_id, value: address, type: label, primary: is_primary}}",
			"name.givenName: {meta: first_name}",
			"active: {meta: enabled, metaScope: {appid: core}, trueValue: 'true', falseValue: 'false', whenMissing: 'true'}",
			"roles: {column: roles, list: json}",
			"password: {column: password_hash, hash: bcrypt, cost: 12}",
		},
	},
	reflect.TypeFor[mapping.ListConfig](): {
		Summary: "Either an encoding name (`list: json`, shorthand for `{encoding: json}`) or a mapping of the keys below; " +
			"`{delimiter: \" \"}` alone is a delimited list.",
		Scalar: map[string]any{"enum": []any{mapping.ListJSON, mapping.ListJSONObject, mapping.ListPHP, mapping.ListPHPList}},
		Examples: []string{
			"roles: {column: roles, list: json}",
			`roles: {column: Roles, list: {delimiter: " "}}`,
			`roles: {column: permissions, list: {encoding: jsonObject, trueValue: "1", falseValue: "0"}}`,
			"roles: {meta: wp_capabilities, list: php}",
			"roles: {column: roles, list: {encoding: json, values: [Admin, Editor], map: {Admin: ROLE_ADMIN, Editor: ROLE_EDITOR}}}",
		},
	},
	reflect.TypeFor[mapping.DeleteConfig](): {
		Summary: "Either a policy name — `hard` (delete the row), `refuse` (answer 405 and change nothing) or `deactivate` " +
			"(set `active` false and keep the row visible; not RFC 7644 behaviour, `check` warns) — or a soft delete, a mapping " +
			"with `mark` and optionally `release` or `uniqueAmong`. Left out: `" + mapping.DefaultUserDelete + "` for User (`check` warns), `" +
			mapping.DefaultGroupDelete + "` for Group.",
		Scalar: map[string]any{"enum": []any{mapping.DeleteHard, mapping.DeleteRefuse, mapping.DeleteDeactivate}},
		Examples: []string{
			"delete: hard",
			"delete: {mark: {column: status, value: deleted}}",
			`delete: {mark: {column: deleted_at, generate: now}, release: "{value}#deleted-{id}"}`,
			"delete: {mark: {column: deleted, value: 1}, uniqueAmong: live}",
		},
	},
	reflect.TypeFor[mapping.ScopeValue](): {
		Summary: "Either a constant — every read filters on it and every insert writes it — or a mapping of conditions, " +
			"which are filtered on only; several conditions on one column must all hold.",
		Scalar: map[string]any{"type": scalarTypes, "description": "A constant: filtered on by every read, written by every insert."},
		Examples: []string{
			"account_id: 1",
			"user_type: {in: [0, 1, 3]}",
			"user_type: {notIn: [2]}",
			"deleted_at: {isNull: true}",
			"id: {gt: 1}",
		},
	},
	reflect.TypeFor[mapping.DefaultConfig](): {
		Summary: "Either a constant (shorthand for `{value: constant}`) or a mapping with `value`, `generate` (`next` for a running number) or `copy`.",
		Scalar:  map[string]any{"type": append(scalarTypes, "null"), "description": "A constant (shorthand for {value: constant})."},
		Examples: []string{
			`password_hash: "!"`,
			"role: {value: member}",
			"api_key: {generate: uuid}",
			"created_at: {generate: now}",
		},
	},
	reflect.TypeFor[mapping.RelationConfig](): {
		Summary: "A mapping with one of `exists` and `notExists`: the resource's rows that a row of another table refers to " +
			"(`exists`), or that no such row refers to (`notExists`), are in scope. An `exists` relation whose `where` holds " +
			"only constants is written: a create inserts the related row in its transaction, and a hard delete removes it.",
		OneKey: true,
		Examples: []string{
			"- notExists: {table: bots, column: user_id}",
			"- exists: {table: user_roles, column: user_id, where: {role_id: 3}}",
		},
	},
	reflect.TypeFor[adapters.Secret](): {
		Summary: "A mapping with one of `value`, `fromEnv` and `fromFile`; a bare string is not accepted. " +
			"An environment variable or file that is missing or empty when scimbridge starts is an error.",
		OneKey: true,
		Examples: []string{
			"password: {fromEnv: SCIMBRIDGE_DB_PASSWORD}",
			"password: {fromFile: /run/secrets/db-password}",
			"password: {value: s3cr3t}",
		},
	},
}

// constants are the Go constants doc comments name, by name, with their
// values: each key's default, and the defaults that depend on more than
// the key.
var constants = sync.OnceValue(func() map[string]any {
	out := map[string]any{
		"DefaultUserDelete":  mapping.DefaultUserDelete,
		"DefaultGroupDelete": mapping.DefaultGroupDelete,
	}
	for _, f := range fieldInfo {
		switch {
		case f.Const == "":
		case f.Default != nil:
			out[f.Const] = f.Default
		default:
			out[f.Const] = f.DefaultText
		}
	}
	return out
})

// render formats a Go default value as it is written in YAML.
func render(v any) string {
	if d, ok := v.(time.Duration); ok {
		return duration(d)
	}
	return fmt.Sprint(v)
}

// duration formats d as a Go duration without zero units: 5m, not 5m0s.
func duration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// extraRules are JSON Schema oneOf rules of sections beyond their keys.
var extraRules = map[reflect.Type][]any{
	// A token is given as the token itself or as its hash, not both.
	reflect.TypeFor[scim.TokenConfig](): {
		map[string]any{"required": []any{"token"}},
		map[string]any{"required": []any{"sha256"}},
	},
}

// A Title names a section that appears in several places, for its
// heading, and says in a few words what its value is, for the types of
// the keys holding it.
// Prefix, if set, stands for the section's place in its keys' paths.
type Title struct{ Heading, Type, Prefix string }

var titles = map[reflect.Type]Title{
	reflect.TypeFor[mapping.ResourceConfig]():  {"Resources: `resources.User`, `resources.Group`", "mapping", ""},
	reflect.TypeFor[mapping.AttributeConfig](): {"Attributes: `resources.<User|Group>.attributes.<attribute>`", "column or mapping", ""},
	reflect.TypeFor[mapping.DefaultConfig]():   {"Defaults: `….defaults.<column>`", "constant or mapping", ""},
	reflect.TypeFor[mapping.ScopeValue]():      {"Scopes: `….scope.<column>`", "constant or conditions", ""},
	reflect.TypeFor[mapping.ColumnConfig]():    {"Further columns: `….also[]`", "mapping", ""},
	reflect.TypeFor[mapping.ListConfig]():      {"Lists in one column: `….attributes.<attribute>.list`, `….members.list`", "encoding or mapping", "….list"},
	reflect.TypeFor[mapping.DeleteConfig]():    {"Delete policy: `resources.<User|Group>.delete`", "policy or mapping", ""},
	reflect.TypeFor[adapters.Secret]():         {"Secrets", "secret", "<secret>"},
	reflect.TypeFor[mapping.RelationConfig]():  {"Relations: `resources.<User|Group>.relations[]`", "mapping", ""},
}

// pathAlias writes both resources' keys as one in paths: the keys of
// resources.User and resources.Group are the same.
var pathAlias = map[fieldKey]string{
	key[mapping.Config]("User"):  "<User|Group>",
	key[mapping.Config]("Group"): "<User|Group>",
}

// groupOnly are the sections only a Group may have (mapping.Compile
// refuses resources.User.members).
var groupOnly = map[reflect.Type]bool{reflect.TypeFor[mapping.MembersConfig](): true}
