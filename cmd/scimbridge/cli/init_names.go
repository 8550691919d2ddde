package cli

import (
	"regexp"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// canon is a name as init compares it: lower case, without underscores
// and dashes, so that first_name, firstName and firstname are one name.
func canon(s string) string {
	return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
}

// tableBase is what a table's rows are called: mdl_user, phpbb_users and
// wp_users are all "user", principals is "principal".
func tableBase(table string) string {
	t := strings.ToLower(table)
	if i := strings.LastIndex(t, "_"); i >= 0 && len(t)-i > 3 {
		t = t[i+1:]
	}
	return singular(t)
}

// nameForms returns the forms of a column's name that init matches: the
// name itself and, for user_email or group_name in a table of users or
// groups, the name without the prefix (email, name).
func nameForms(col adapters.Column, base string) []string {
	l := strings.ToLower(string(col))
	forms := []string{canon(l)}
	for _, p := range []string{base + "_", "user_", "usr_", "u_", "account_", "member_"} {
		if rest, ok := strings.CutPrefix(l, p); ok && rest != "" && rest != "id" {
			forms = append(forms, canon(rest))
		}
	}
	return forms
}

// nameIs reports whether one of the column's name forms matches re.
func nameIs(re *regexp.Regexp, col adapters.Column, base string) bool {
	for _, f := range nameForms(col, base) {
		if re.MatchString(f) {
			return true
		}
	}
	return false
}

// words compiles an anchored alternation of canonical names.
func words(alts string) *regexp.Regexp { return regexp.MustCompile(`^(` + alts + `)$`) }

// What a column holds, as init tells it from its type.
const (
	holdsText = iota // a character or integer column
	holdsTime        // DATETIME, TIMESTAMP or integer Unix seconds
)

// attrRule says which column names hold a SCIM attribute.
type attrRule struct {
	attr  string
	re    *regexp.Regexp
	why   string
	holds int
}

// The column names of the attributes legacy applications commonly have,
// in canonical form (see canon).
var (
	loginNames   = words(`login|username|uname|handle|loginid|accountname`)
	emailNames   = words(`e?mail|emailaddress|mailaddress|primaryemail|emailaddr`)
	familyNames  = words(`last|lname|lastname|surname|family|familyname`)
	givenNames   = words(`first|fname|firstname|given|givenname|forename|forenames`)
	fullNames    = words(`fullname|name|realname|commonname|cn`)
	groupNames   = words(`name|displayname|title|role|rolename|label|groupname|teamname|cohortname|fullname`)
	createdNames = words(`createdat|created|createdon|datecreated|creationdate|createdate|createtime|createdtime|registered|regdate|registeredat|registrationdate|registerdate|registerdatetime|datecreation|createat|creationtime|datecreate|dateregistered|createdunix|timecreated|insertdate|datejoined|joinedat|signupdate|signedupat`)
	updatedNames = words(`updatedat|updated|updateat|datemod|updatedon|modified|modifiedat|modifiedon|lastmodified|changed|changedat|updatedunix|timemodified|datemodified|modifydate|updatetime|updatedtime|lastupdate|lastupdated|mtime`)
)

// userRules are the User attributes init maps from a column of the users
// table, in order; userName, emails and active are chosen apart.
var userRules = []attrRule{
	{"externalId", words(`externalid|extid|oktaid|oktauid|azureid|azureobjectid|aadid|objectid|ssoid|ssosubject|ssouid|idpid|idpsubject|scimid|samlid|guid|ldapguid`), "an identity provider's id for the user", holdsText},
	{"name.givenName", givenNames, "the first name", holdsText},
	{"name.familyName", familyNames, "the last name", holdsText},
	{"name.middleName", words(`middle|middlename|mname`), "a middle name", holdsText},
	{"displayName", words(`displayname|screenname|publicname`), "the name to show", holdsText},
	{"nickName", words(`nickname|nick`), "a nickname", holdsText},
	{"name.formatted", fullNames, "the full name", holdsText},
	{"phoneNumbers", words(`phone\d*|phonenumber|mobile|mobilephone|mobilenumber|cell|cellphone|telephone|tel|workphone`), "a phone number", holdsText},
	{"title", words(`title|jobtitle`), "a job title", holdsText},
	{"locale", words(`locale`), "a locale", holdsText},
	{"preferredLanguage", words(`lang|language|languagecode|preferredlanguage`), "the preferred language", holdsText},
	{"timezone", words(`timezone|tz|tzname`), "a time zone", holdsText},
	{"profileUrl", words(`url|website|homepage|profileurl`), "a web page of the user's", holdsText},
	{"meta.created", createdNames, "the creation time", holdsTime},
	{"meta.lastModified", updatedNames, "the time of the last change", holdsTime},
	{enterprise + "employeeNumber", words(`employeeno|employeenumber|employeeid|empno|staffno|staffnumber|personnelnumber|idnumber`), "the employee number", holdsText},
	{enterprise + "department", words(`department|dept`), "the department", holdsText},
	{enterprise + "organization", words(`organization|organisation|company|institution`), "the organization", holdsText},
	{enterprise + "costCenter", words(`costcenter|costcentre`), "the cost center", holdsText},
}

// enterprise is the prefix of the enterprise extension's attributes.
const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"

// groupRules are the Group attributes init maps.
var groupRules = []attrRule{
	{"displayName", groupNames, "the group's name", holdsText},
	{"externalId", words(`externalid|oktaid|azureid|objectid|ssoid|ssogroupid|idpid|scimid|guid|idnumber`), "an identity provider's id for the group", holdsText},
	{"meta.created", createdNames, "the creation time", holdsTime},
	{"meta.lastModified", updatedNames, "the time of the last change", holdsTime},
}

// Column names of the account state.
var (
	activeFlagNames   = words(`active|isactive|enabled|isenabled|accountenabled|canlogin|loginallowed|allowlogin`)
	blockedFlagNames  = words(`disabled|isdisabled|block|locked|islocked|suspended|issuspended|blocked|isblocked|banned|isbanned|deactivated|isdeactivated|prohibitlogin|logindisabled|accountlocked|accountdisabled`)
	inactiveFlagNames = words(`inactive|isinactive`)
	inactiveTimeNames = words(`disabledat|disabledon|deactivatedat|deactivatedon|suspendedat|lockedat|lockedon|blockedat|bannedat`)
	statusNames       = words(`status|state|accountstatus|accountstate|userstatus|userstate`)
	typeNames         = words(`type|kind|accounttype|usertype|class`)
	deletedFlagNames  = words(`deleted|isdeleted|removed|isremoved|deletedflag|del`)
	deletedTimeNames  = words(`deletedat|deletedon|removedat|removedon|datedeleted|deleteddate|deletedtime|deletedunix`)
	passwordNames     = regexp.MustCompile(`pass|pwd|secret|hash`)
	timeLikeNames     = regexp.MustCompile(`time|date|unix|stamp|(_at|_on)$|^(created|modified|changed|updated|registered)|lastmark|passchg`)
	// Columns set when an account is deactivated, saying why or when
	// (phpBB's user_inactive_reason and user_inactive_time).
	deactivationNames = words(`(inactive|disabled|deactivated|deactivation|locked|lock|lockout|suspended|suspension|blocked|banned|ban)(reason|time|at|on|date|since|until|unix)`)
	// Columns set when an account signs in.
	signInNames = words(`lastlogin|lastloginat|lastloginon|lastlogintime|lastloginunix|lastlogindate|lastvisit|lastvisitat|lastvisittime|lastseen|lastseenat|lastsignin|lastsigninat|lastsignedinat|currentsigninat|lastaccess|lastaccessat|lastaccessed|lastactive|lastactivity|lastactiveat`)
)

// Stored values that mean an account is active, inactive or deleted.
var (
	activeValues   = words(`active|enabled|ok|normal|approved|live|current|valid|on|yes|y|true|a|confirmed|verified`)
	inactiveValues = words(`inactive|disabled|suspended|locked|blocked|banned|deactivated|off|no|n|false|closed|archived|expired|frozen|i|s|l`)
	deletedValues  = words(`deleted|removed|d|purged|erased`)
)
