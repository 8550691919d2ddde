package scim

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
)

// ErrorSchema is the schema URN of SCIM error responses.
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// Error is a SCIM error response (RFC 7644 section 3.12).
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.ScimType, e.Detail) }

func errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// body renders the error as RFC 7644 wants it: status as a string.
func (e *Error) body() map[string]any {
	b := map[string]any{"schemas": []string{ErrorSchema}, "status": strconv.Itoa(e.Status)}
	if e.ScimType != "" {
		b["scimType"] = e.ScimType
	}
	if e.Detail != "" {
		b["detail"] = e.Detail
	}
	return b
}

// toSCIM turns any error from below into the SCIM error the client sees.
// This is the one place where domain errors become wire errors; anything
// unrecognised is a 500 whose detail says nothing about the cause (the log
// has it).
func toSCIM(err error, resource string) (e *Error, internal bool) {
	var se *Error
	var fe *mapping.FieldError
	var sv *mapping.StoredValueError
	var fg *adapters.FixedGroupError
	switch {
	case errors.As(err, &fg):
		return fixedGroupError(fg), false
	case errors.As(err, &se):
		return se, false
	case errors.As(err, &fe):
		return &Error{Status: http.StatusBadRequest, ScimType: fe.ScimType, Detail: fe.Error()}, false
	case errors.As(err, &sv):
		// The application's data, not the request, is at fault: a 500
		// that says so, and is logged for the operator.
		return errorf(http.StatusInternalServerError, "", "%s", sv.Error()), true
	case errors.Is(err, adapters.ErrRefused):
		return errorf(http.StatusBadRequest, mapping.ScimMutability, "the application depends on this %s as it is: %s", resource, strings.TrimPrefix(err.Error(), adapters.ErrRefused.Error()+": ")), false
	case errors.Is(err, adapters.ErrUnknownReference):
		return errorf(http.StatusBadRequest, mapping.ScimInvalidValue, "a reference (such as manager) names no %s; nothing was changed", resource), false
	case errors.Is(err, adapters.ErrUnknownMember):
		// The adapter names the ids, quoted, after the sentinel's text.
		if _, ids, ok := strings.Cut(err.Error(), adapters.ErrUnknownMember.Error()+": "); ok && strings.HasPrefix(ids, `"`) {
			return errorf(http.StatusBadRequest, mapping.ScimInvalidValue, "no user has the member id %s; nothing was changed", ids), false
		}
		return errorf(http.StatusBadRequest, mapping.ScimInvalidValue, "a member id names no user; nothing was changed"), false
	case errors.Is(err, adapters.ErrNotFound):
		return errorf(http.StatusNotFound, "", "%s not found", resource), false
	case errors.Is(err, adapters.ErrHeldByDeleted):
		return errorf(http.StatusConflict, "uniqueness", "a deleted %s still holds that %s: the application keeps deleted rows, and this mapping neither releases their names (delete.release) nor counts only rows not deleted (delete.uniqueAmong: live)", resource, uniqueName(resource)), false
	case errors.Is(err, adapters.ErrHeldOutOfScope):
		return errorf(http.StatusConflict, "uniqueness", "that %s is taken by an account of the application that is not provisioned as a SCIM %s (outside the mapping's scope)", uniqueName(resource), resource), false
	case errors.Is(err, adapters.ErrReferenced):
		// A foreign key of the application, not a taken value: RFC 7644
		// has no scimType for it.
		return errorf(http.StatusConflict, "", "rows of the application still refer to this %s (a foreign key), so it was not changed; remove them in the application first", resource), false
	case errors.Is(err, adapters.ErrNoReferencedRow):
		return errorf(http.StatusBadRequest, mapping.ScimInvalidValue, "a value names a row that does not exist in the application (a foreign key refused it); nothing was changed"), false
	case errors.Is(err, adapters.ErrNeedsValue):
		return errorf(http.StatusBadRequest, mapping.ScimInvalidValue, "the application needs a value this request did not give (a column without a default); nothing was written"), false
	case errors.Is(err, adapters.ErrConflict):
		return errorf(http.StatusConflict, "uniqueness", "a %s with that value already exists", resource), false
	case errors.Is(err, adapters.ErrUnavailable):
		return errorf(http.StatusServiceUnavailable, "", "the application's database is unavailable; retry later"), true
	case errors.Is(err, adapters.ErrNotStored):
		return errorf(http.StatusInternalServerError, "", "the application's database did not keep what this request wrote (a trigger or a conversion changed it, so the %s would not be what was asked); nothing was changed", resource), true
	case errors.Is(err, adapters.ErrOutOfScope):
		return errorf(http.StatusInternalServerError, "", "the mapping would create a %s outside its own scope; nothing was stored (the operator's mapping needs a default for the scope's columns)", resource), true
	case hookFailed(err) != "":
		// The operator's statement failed, not the request: its text
		// and the database's error are for the log only.
		return errorf(http.StatusInternalServerError, "", "the application's hook %s failed, so nothing was written; the log says why", hookFailed(err)), true
	case errors.Is(err, adapters.ErrInvalid):
		return errorf(http.StatusBadRequest, mapping.ScimInvalidValue, "the application's database refused a value"), false
	}
	return errorf(http.StatusInternalServerError, "", "internal error"), true
}

// fixedGroupError is the answer to a write that would create, rename or
// delete a group of a Group declared by values. A new group of a declared
// displayName is a 409 uniqueness (RFC 7644 section 3.3: the name is
// taken) naming the group's id, so that a client can link to it, as Okta
// and Entra do after looking it up by displayName; another name is a 400
// invalidValue (the value is outside the declared set, not a taken one, so
// retrying cannot help); a rename a 400 mutability (the declared name is
// read-only, section 3.12); a delete a 405, as a delete policy of refuse.
func fixedGroupError(e *adapters.FixedGroupError) *Error {
	switch {
	case e.Declared:
		return errorf(http.StatusConflict, "uniqueness", "group %q exists: it is declared by the mapping with id %q (GET /Groups/%s, or filter=displayName eq %q); change its members with PATCH", e.DisplayName, e.ID, e.ID, e.DisplayName)
	case e.Op == "rename":
		return errorf(http.StatusBadRequest, mapping.ScimMutability, "group %q is declared by the mapping, and its displayName cannot change; only its members can", e.DisplayName)
	case e.Op == "delete":
		return errorf(http.StatusMethodNotAllowed, "", "group %q is declared by the mapping and cannot be deleted; remove its members instead", e.DisplayName)
	}
	return errorf(http.StatusBadRequest, mapping.ScimInvalidValue, "this application's groups are a fixed set declared by the mapping (%s); no group %q can be created", strings.Join(e.Names, ", "), e.DisplayName)
}

// uniqueName is the attribute that must be unique for a resource type.
func uniqueName(resource string) string {
	if resource == "Group" {
		return "displayName"
	}
	return "userName"
}

// hookFailed returns the name of the hook whose failure err is, or "".
func hookFailed(err error) string {
	var he *adapters.HookError
	if errors.As(err, &he) {
		return he.Hook
	}
	return ""
}
