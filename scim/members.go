package scim

import (
	"net/http"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/scim/filter"
)

// splitMemberOps separates the PATCH operations on a group's members, which
// become membership changes in SQL, from those on its other attributes,
// which are applied to the document. Membership is never read to apply a
// PATCH, so its cost does not grow with the group.
func splitMemberOps(ops []patchOp) (rest []patchOp, members []adapters.MemberOp, err error) {
	for _, op := range ops {
		if op.Path == "" {
			attrs := op.Value.(map[string]any)
			other := map[string]any{}
			for k, v := range attrs {
				if !strings.EqualFold(k, "members") {
					other[k] = v
					continue
				}
				ids, err := mapping.MemberValues(v)
				if err != nil {
					return nil, nil, err
				}
				kind := adapters.MemberReplace
				if op.Op == "add" {
					kind = adapters.MemberAdd
				}
				members = append(members, adapters.MemberOp{Kind: kind, IDs: ids})
			}
			if len(other) > 0 {
				rest = append(rest, patchOp{Op: op.Op, Value: other})
			}
			continue
		}
		path, perr := filter.ParsePath(op.Path)
		if perr != nil || !strings.EqualFold(path.AttributePath.AttributeName, "members") ||
			(path.AttributePath.URIPrefix != nil && !strings.EqualFold(*path.AttributePath.URIPrefix, mapping.GroupSchema)) {
			rest = append(rest, op)
			continue
		}
		if path.AttributePath.SubAttribute != nil || path.SubAttribute != nil {
			return nil, nil, errorf(http.StatusBadRequest, "invalidPath", "members can be added, removed or replaced only as a whole, not by sub-attribute")
		}
		if path.ValueExpression != nil {
			if op.Op != "remove" {
				return nil, nil, errorf(http.StatusBadRequest, "invalidPath", "a filtered members path can only be removed; use add with a members value to add")
			}
			ids, ok := memberFilterIDs(path.ValueExpression)
			if !ok {
				return nil, nil, errorf(http.StatusBadRequest, "invalidFilter", `members filters may only select by value: members[value eq "id"]`)
			}
			members = append(members, adapters.MemberOp{Kind: adapters.MemberRemove, IDs: ids})
			continue
		}
		ids, err := mapping.MemberValues(op.Value)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case op.Op == "add":
			members = append(members, adapters.MemberOp{Kind: adapters.MemberAdd, IDs: ids})
		case op.Op == "replace":
			members = append(members, adapters.MemberOp{Kind: adapters.MemberReplace, IDs: ids})
		case op.Value != nil:
			// Remove with a value list removes only the listed members.
			members = append(members, adapters.MemberOp{Kind: adapters.MemberRemove, IDs: ids})
		default:
			members = append(members, adapters.MemberOp{Kind: adapters.MemberReplace})
		}
	}
	return rest, members, nil
}

// memberFilterIDs reads the ids of a filter of the form value eq "a" [or
// value eq "b" ...].
func memberFilterIDs(e filter.Expression) ([]string, bool) {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if !strings.EqualFold(string(x.Operator), "or") {
			return nil, false
		}
		l, ok1 := memberFilterIDs(x.Left)
		r, ok2 := memberFilterIDs(x.Right)
		return append(l, r...), ok1 && ok2
	case *filter.AttributeExpression:
		s, ok := x.CompareValue.(string)
		if !ok || !strings.EqualFold(string(x.Operator), "eq") || !strings.EqualFold(x.AttributePath.AttributeName, "value") || x.AttributePath.SubAttribute != nil {
			return nil, false
		}
		return []string{s}, true
	}
	return nil, false
}
