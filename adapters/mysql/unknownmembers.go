package mysql

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// maxNamedMembers bounds how many unknown member ids an error names.
const maxNamedMembers = 5

// unknownMembers makes the ErrUnknownMember error of a membership change
// whose users were counted short: it reads which of keys name a user in
// scope and names the ids of the others, so that the client sees which
// member is unknown. It runs only on that failure path.
func (m *members) unknownMembers(ctx context.Context, q queryer, keys []any) error {
	u := m.users
	found := map[string]bool{}
	id := func(k any) string { return strings.ToLower(u.idOf(k)) } // a key may match under a case-insensitive collation
	for part := range slices.Chunk(keys, chunk) {
		query := "SELECT " + quote(string(u.spec.Key)) + " FROM " + u.table + " WHERE " + quote(string(u.spec.Key)) + " IN (" + marks(len(part)) + ")" + u.scope
		rows, err := q.QueryxContext(ctx, query, append(slices.Clone(part), u.sargs...)...)
		if err != nil {
			return classify(fmt.Errorf("finding the unknown members: %w", err))
		}
		for rows.Next() {
			var k any
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return classify(fmt.Errorf("finding the unknown members: %w", err))
			}
			found[id(k)] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return classify(fmt.Errorf("finding the unknown members: %w", err))
		}
	}
	var missing []string
	for _, k := range keys {
		if !found[id(k)] {
			missing = append(missing, strconv.Quote(u.idOf(k)))
		}
	}
	switch {
	case len(missing) == 0:
		// Deleted meanwhile and back, or otherwise gone from the count
		// only: say what is known.
		return fmt.Errorf("%w: %d of %d ids name no user", adapters.ErrUnknownMember, 0, len(keys))
	case len(missing) > maxNamedMembers:
		return fmt.Errorf("%w: %s and %d more", adapters.ErrUnknownMember, strings.Join(missing[:maxNamedMembers], ", "), len(missing)-maxNamedMembers)
	}
	return fmt.Errorf("%w: %s", adapters.ErrUnknownMember, strings.Join(missing, ", "))
}
