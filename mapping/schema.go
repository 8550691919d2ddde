package mapping

import "strings"

// Schema URNs of RFC 7643.
const (
	UserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// Type is a SCIM attribute data type (RFC 7643 section 2.3).
type Type string

// SCIM attribute data types.
const (
	String    Type = "string"
	Boolean   Type = "boolean"
	DateTime  Type = "dateTime"
	Integer   Type = "integer"
	Reference Type = "reference"
	Complex   Type = "complex"
)

// Mutability values of RFC 7643 section 7.
const (
	ReadWrite = "readWrite"
	ReadOnly  = "readOnly"
	Immutable = "immutable"
	WriteOnly = "writeOnly"
)

// AttrDef defines one SCIM attribute as RFC 7643 section 7 describes it.
type AttrDef struct {
	Name          string
	Type          Type
	MultiValued   bool
	Required      bool
	CaseExact     bool
	Mutability    string
	Returned      string
	Uniqueness    string
	Description   string
	Sub           []*AttrDef
	ReferenceType []string
}

// sub returns the sub-attribute with that name, matched case-insensitively.
func (d *AttrDef) sub(name string) *AttrDef {
	for _, s := range d.Sub {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

func str(name, desc string) *AttrDef {
	return &AttrDef{Name: name, Type: String, Mutability: ReadWrite, Returned: "default", Uniqueness: "none", Description: desc}
}

// multi is a multi-valued complex attribute with the usual value, display,
// type and primary sub-attributes.
func multi(name, desc string) *AttrDef {
	return &AttrDef{Name: name, Type: Complex, MultiValued: true, Mutability: ReadWrite, Returned: "default", Uniqueness: "none", Description: desc, Sub: []*AttrDef{
		str("value", "The value of the "+name+" entry."),
		str("display", "A human-readable name, primarily used for display purposes."),
		str("type", "A label indicating the attribute's function."),
		{Name: "primary", Type: Boolean, Mutability: ReadWrite, Returned: "default", Description: "Indicates the primary value."},
	}}
}

// userSchema is the core User schema (RFC 7643 section 4.1) as far as a
// mapping can store it. Attributes not listed here are still recognised by
// name (see knownUnmapped) so that IdPs sending them get no error.
var userSchema = []*AttrDef{
	{
		Name: "userName", Type: String, Required: true, Mutability: ReadWrite, Returned: "default", Uniqueness: "server",
		Description: "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.",
	},
	{Name: "name", Type: Complex, Mutability: ReadWrite, Returned: "default", Description: "The components of the user's real name.", Sub: []*AttrDef{
		str("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
		str("familyName", "The family name of the User."),
		str("givenName", "The given name of the User."),
		str("middleName", "The middle name(s) of the User."),
		str("honorificPrefix", "The honorific prefix(es) of the User."),
		str("honorificSuffix", "The honorific suffix(es) of the User."),
	}},
	str("displayName", "The name of the User, suitable for display to end-users."),
	str("nickName", "The casual way to address the user in real life."),
	{Name: "profileUrl", Type: Reference, ReferenceType: []string{"external"}, Mutability: ReadWrite, Returned: "default", Description: "A fully qualified URL pointing to a page representing the User's online profile."},
	str("title", "The user's title, such as \"Vice President\"."),
	str("userType", "Used to identify the relationship between the organization and the user."),
	str("preferredLanguage", "Indicates the User's preferred written or spoken language."),
	str("locale", "Used to indicate the User's default location for purposes of localizing items."),
	str("timezone", "The User's time zone in the 'Olson' time zone database format."),
	{Name: "active", Type: Boolean, Mutability: ReadWrite, Returned: "default", Description: "A Boolean value indicating the User's administrative status."},
	{Name: "password", Type: String, Mutability: WriteOnly, Returned: "never", Description: "The User's cleartext password."},
	multi("emails", "Email addresses for the user."),
	multi("phoneNumbers", "Phone numbers for the User."),
	multi("entitlements", "A list of entitlements for the User that represent a thing the User has."),
	multi("roles", "A list of roles for the User that collectively represent who the User is."),
}

// managerAttr is the enterprise manager: a reference to another User row.
var managerAttr = &AttrDef{
	Name: "manager", Type: Complex, Mutability: ReadWrite, Returned: "default", Uniqueness: "none",
	Description: "The User's manager.", Sub: []*AttrDef{
		{Name: "value", Type: String, Mutability: ReadWrite, Returned: "default", Uniqueness: "none", Description: "The id of the SCIM resource representing the User's manager."},
		{Name: "$ref", Type: Reference, ReferenceType: []string{"User"}, Mutability: ReadWrite, Returned: "default", Uniqueness: "none", Description: "The URI of the SCIM resource representing the User's manager."},
		{Name: "displayName", Type: String, Mutability: ReadOnly, Returned: "default", Uniqueness: "none", Description: "The displayName of the User's manager."},
	},
}

// enterpriseSchema is the enterprise User extension (RFC 7643 section 4.3).
var enterpriseSchema = []*AttrDef{
	str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
	str("costCenter", "Identifies the name of a cost center."),
	str("organization", "Identifies the name of an organization."),
	str("division", "Identifies the name of a division."),
	str("department", "Identifies the name of a department."),
	managerAttr,
}

// groupSchema is the core Group schema (RFC 7643 section 4.2). members is
// served from the membership mapping, not from a column.
var groupSchema = []*AttrDef{
	{
		Name: "displayName", Type: String, Required: true, Mutability: ReadWrite, Returned: "default", Uniqueness: "server",
		Description: "A human-readable name for the Group.",
	},
	{
		Name: "members", Type: Complex, MultiValued: true, Mutability: ReadWrite, Returned: "default", Uniqueness: "none",
		Description: "A list of members of the Group.", Sub: []*AttrDef{
			{Name: "value", Type: String, Mutability: Immutable, Returned: "default", Uniqueness: "none", Description: "Identifier of the member of this Group."},
			{Name: "display", Type: String, Mutability: ReadOnly, Returned: "default", Uniqueness: "none", Description: "A human-readable name of the member."},
			{Name: "$ref", Type: Reference, ReferenceType: []string{"User"}, Mutability: Immutable, Returned: "default", Uniqueness: "none", Description: "The URI of the member resource."},
			{Name: "type", Type: String, Mutability: Immutable, Returned: "default", Uniqueness: "none", Description: "The type of the member: User."},
		},
	},
}

// userGroupsAttr is the read-only User attribute listing the user's groups,
// present when groups have a membership mapping.
var userGroupsAttr = &AttrDef{
	Name: "groups", Type: Complex, MultiValued: true, Mutability: ReadOnly, Returned: "default", Uniqueness: "none",
	Description: "A list of groups to which the user belongs.", Sub: []*AttrDef{
		{Name: "value", Type: String, Mutability: ReadOnly, Returned: "default", Description: "The identifier of the User's group."},
		{Name: "display", Type: String, Mutability: ReadOnly, Returned: "default", Description: "A human-readable name of the group."},
		{Name: "$ref", Type: Reference, ReferenceType: []string{"Group"}, Mutability: ReadOnly, Returned: "default", Description: "The URI of the corresponding Group resource."},
		{Name: "type", Type: String, Mutability: ReadOnly, Returned: "default", Description: "direct"},
	},
}

// commonAttrs are the attributes every resource has (RFC 7643 section 3.1).
var commonAttrs = []*AttrDef{
	{Name: "externalId", Type: String, CaseExact: true, Mutability: ReadWrite, Returned: "default", Description: "An identifier for the resource as defined by the provisioning client."},
	{Name: "meta", Type: Complex, Mutability: ReadOnly, Returned: "default", Sub: []*AttrDef{
		{Name: "created", Type: DateTime, Mutability: ReadOnly, Returned: "default"},
		{Name: "lastModified", Type: DateTime, Mutability: ReadOnly, Returned: "default"},
	}},
}

// knownUnmapped lists core User attributes that scimbridge recognises but
// cannot store yet; values sent for them are ignored rather than refused.
var knownUnmapped = map[string]bool{
	"addresses": true, "ims": true, "photos": true, "entitlements": true,
	"roles": true, "x509certificates": true, "groups": true,
}
