package mysql

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/adapters"
)

// releaseTimeout bounds the release of a uniqueness lock after the
// transaction, which the request may have outlived; the server releases
// the lock anyway when the connection goes.
const releaseTimeout = 2 * time.Second

func (s *store) Delete(ctx context.Context, id string, check func(adapters.Record) error) (adapters.Written, error) {
	key, ok := s.keyArg(id)
	if !ok {
		return adapters.Written{}, adapters.ErrNotFound
	}
	var removed int64 // membership rows, reported in the Written
	err := s.tx(ctx, func(t *txn) error {
		removed = 0
		// Lock the row first, so memberships are removed only for a row
		// that exists in scope, and no one adds any meanwhile.
		row, err := s.getRow(ctx, t, key, true, nil)
		if err != nil {
			return err
		}
		// Committed, the row is gone from the scope.
		t.expect(key, func(_ adapters.Record, found bool) bool { return !found })
		if check != nil || s.members != nil && s.members.gjoin != nil {
			// With the related rows, as a read would give them (and
			// the joined column the memberships name the group by).
			if err := s.loadRelated(ctx, t, []adapters.Record{row}); err != nil {
				return err
			}
		}
		if check != nil {
			if err := check(cloneRecord(row)); err != nil {
				return err
			}
		}
		if err := s.runRow(ctx, t, adapters.BeforeDelete, key, row); err != nil {
			return err
		}
		// Memberships the deletion removes, for their hooks: the
		// group's members, or the user's groups.
		var members, groups []any
		if m := s.members; m != nil && m.hooks.has(adapters.AfterMemberRemove) {
			if members, err = m.among(ctx, t, row[m.spec.GroupRef], nil, false); err != nil {
				return err
			}
		}
		if m := s.groupsOf; m != nil && m.hooks.has(adapters.AfterMemberRemove) {
			if groups, err = m.groupsOfUser(ctx, t, key); err != nil {
				return err
			}
		}
		if s.spec.SoftDelete != nil {
			// The row stays for the application, with its child rows,
			// but leaves the scope; its memberships go, as the IdP
			// considers the user gone and can no longer remove them
			// (a member who is out of scope is no member it can name).
			if s.spec.SoftDelete.KeepMemberships {
				groups = nil
			}
			for _, m := range s.spec.Memberships {
				if s.spec.SoftDelete.KeepMemberships {
					break
				}
				head, hargs := "DELETE FROM "+quote(string(m.Table)), []any(nil)
				if r := m.Removed; r != nil {
					// Marked, as the membership's removal marks rows.
					head, hargs = "UPDATE "+quote(string(m.Table))+" SET "+quote(string(r.Column))+" = ?", []any{r.Value}
					if r.Now {
						d := adapters.Default{Column: r.Column, Kind: adapters.DefaultNow, Milliseconds: m.RemovedMillis}
						hargs[0] = defaultValue(d, s.mcols[m.Table][r.Column], m.Location, adapters.Now())
					}
				}
				terms, args := scopeTerms("", m.Scope, m.Conditions, m.Removed, s.mcols[m.Table])
				res, err := t.ExecContext(ctx, head+" WHERE "+quote(string(m.Column))+" = ?"+terms, append(append(hargs, membershipValue(m, key, row)), args...)...)
				if err != nil {
					return fmt.Errorf("deleting memberships: %w", err)
				}
				removed += rowsAffected(res)
			}
			if err := s.softDelete(ctx, t, key, row); err != nil {
				return err
			}
			if err := s.markLinks(ctx, t, key); err != nil {
				return err
			}
			return s.deleted(ctx, t, key, row, groups, 1)
		}
		if s.members != nil {
			if removed, err = s.members.dropGroup(ctx, t, row[s.members.spec.GroupRef]); err != nil {
				return err
			}
			if err := s.members.runMembers(ctx, t, adapters.AfterMemberRemove, key, members); err != nil {
				return err
			}
			if err := s.members.removedTo(ctx, t, members); err != nil {
				return err
			}
		}
		if err := s.dropRelated(ctx, t, key); err != nil {
			return err
		}
		for _, m := range s.spec.Memberships {
			res, err := t.ExecContext(ctx, "DELETE FROM "+quote(string(m.Table))+" WHERE "+quote(string(m.Column))+" = ?", membershipValue(m, key, row))
			if err != nil {
				return fmt.Errorf("deleting memberships: %w", err)
			}
			removed += rowsAffected(res)
		}
		refs, err := s.relationRefs(ctx, t, key, row)
		if err != nil {
			return err
		}
		// The row was read in scope under lock: the relations need no
		// second look (and a DELETE with a correlated subquery is beyond
		// some MySQL-compatible engines).
		res, err := t.ExecContext(ctx, "DELETE FROM "+s.table+" WHERE "+quote(string(s.spec.Key))+" = ?"+s.lockedScope, append([]any{key}, s.lockedArgs...)...)
		if err != nil {
			return fmt.Errorf("deleting row: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if err := s.deleted(ctx, t, key, row, groups, n); err != nil {
			return err
		}
		if n == 0 {
			return adapters.ErrNotFound
		}
		return s.dropRelations(ctx, t, refs)
	})
	if err != nil {
		return adapters.Written{}, err
	}
	return adapters.Written{MembersRemoved: removed}, nil
}

// softDelete marks the locked row as deleted, renaming the columns the
// spec releases, and stamps its modified-time columns.
func (s *store) softDelete(ctx context.Context, t *txn, key any, row adapters.Record) error {
	sd := s.spec.SoftDelete
	now := adapters.Now()
	var sets []string
	var args []any
	if sd.Now {
		sets, args = append(sets, quote(string(sd.Column))+" = ?"), append(args, s.timeValue(sd.Column, now))
	} else {
		sets, args = append(sets, quote(string(sd.Column))+" = ?"), append(args, sd.Value)
	}
	names, err := s.releaseNames(ctx, t, key, row)
	if err != nil {
		return err
	}
	for _, r := range sd.Release {
		if v, ok := names[r.Column]; ok {
			sets, args = append(sets, quote(string(r.Column))+" = ?"), append(args, v)
		}
	}
	if mo := s.spec.MemberOf; mo != nil && mo.Membership.UserColumn != "" && mo.Membership.List == nil && !sd.KeepMemberships {
		// The group held in the user's own row is left, as join-table
		// memberships are (see Delete).
		c := mo.Membership.UserColumn
		sets, args = append(sets, quote(string(c))+" = ?"), append(args, mo.Membership.Cleared)
	}
	if m := s.groupsOf; m != nil && m.spec.List != nil && !sd.KeepMemberships {
		// The groups in the user's own list are left, keeping the rest.
		next, changed, err := m.withoutGroups(ctx, t, key)
		if err != nil {
			return err
		}
		if changed && m.meta != nil {
			if err := m.writeList(ctx, t, key, next); err != nil {
				return err
			}
		} else if changed {
			sets, args = append(sets, m.ucol+" = ?"), append(args, next)
		}
	}
	for _, c := range s.spec.Touch {
		sets, args = append(sets, quote(string(c))+" = ?"), append(args, s.timeValue(c, now))
	}
	for _, c := range s.spec.Increment {
		sets = append(sets, quote(string(c))+" = "+quote(string(c))+" + 1")
	}
	// The row was read in scope under lock (Delete): the relations need
	// no second look, and an UPDATE with a correlated subquery is beyond
	// some MySQL-compatible engines.
	args = append(append(args, key), s.lockedArgs...)
	res, err := t.ExecContext(ctx, "UPDATE "+s.table+" SET "+strings.Join(sets, ", ")+" WHERE "+quote(string(s.spec.Key))+" = ?"+s.lockedScope, args...)
	if err != nil {
		return fmt.Errorf("marking the row deleted: %w", err)
	}
	if rowsAffected(res) == 0 {
		return adapters.ErrNotFound
	}
	return nil
}

// maxReleaseTries bounds the names releaseNames tries for a deleted row.
const maxReleaseTries = 50

// releaseNames returns the new values of the release columns of the row
// with key key being soft-deleted: each its template rendered, and when a
// row of the table (in scope or not: a unique index counts them all)
// holds such a value already, the template with -2, -3, ... after it,
// until every column's name is free. Each name is locked as the
// uniqueness check locks values, so no concurrent write takes it before
// the commit. A delete is never refused for want of a free name.
func (s *store) releaseNames(ctx context.Context, t *txn, key any, row adapters.Record) (map[adapters.Column]string, error) {
	sd := s.spec.SoftDelete
	id := canonical(key)
	values := map[adapters.Column]string{}
	for _, r := range sd.Release {
		v, ok := row[r.Column]
		if !ok {
			// Not read: ask for it (a lookup column the mapping only writes).
			if err := t.QueryRowxContext(ctx, "SELECT "+quote(string(r.Column))+" FROM "+s.table+" WHERE "+quote(string(s.spec.Key))+" = ?", key).Scan(&v); err != nil {
				return nil, fmt.Errorf("reading %s to release it: %w", r.Column, err)
			}
			v = normalize(s.cols[r.Column], v)
		}
		if v != nil {
			values[r.Column] = canonical(v)
		}
	}
	for try := 1; ; try++ {
		suffix := ""
		switch {
		case try > maxReleaseTries:
			return nil, fmt.Errorf("no free name to release %s after %d tries", s.spec.Table, maxReleaseTries)
		case try > maxReleaseTries-10:
			// Names with numbers all taken: a random one.
			suffix = "-" + newUUID()[:8]
		case try > 1:
			suffix = "-" + strconv.Itoa(try)
		}
		out := map[adapters.Column]string{}
		free := true
		for _, r := range sd.Release {
			v, ok := values[r.Column]
			if !ok {
				continue
			}
			name := releasedWith(r, v, id, suffix)
			out[r.Column] = name
			u := adapters.Unique{Column: r.Column, Fold: true}
			if i := slices.IndexFunc(s.spec.Uniques, func(x adapters.Unique) bool { return x.Column == r.Column }); i >= 0 {
				u = s.spec.Uniques[i]
			}
			if err := s.lock(ctx, t, u, name); err != nil {
				return nil, err
			}
			taken, err := s.holds(ctx, t, "", nil, u, name, key)
			if err != nil {
				return nil, err
			}
			if taken {
				free = false
				break
			}
		}
		if free {
			return out, nil
		}
	}
}

// released renders a Release for a value of the row with key id, cutting
// the value (never the id) so that the result fits the column.
func released(r adapters.Release, value, id string) string {
	return releasedWith(r, value, id, "")
}

// releasedWith is released with a suffix after the rendered template,
// which is kept whole as the id is.
func releasedWith(r adapters.Release, value, id, suffix string) string {
	render := func(v string) string {
		out := strings.ReplaceAll(strings.ReplaceAll(r.Template, "{value}", v), "{id}", id) + suffix
		if r.Transform != nil {
			out = r.Transform(out)
		}
		return out
	}
	out := render(value)
	if r.MaxLength <= 0 {
		return out
	}
	runes := []rune(value)
	for int64(utf8.RuneCountInString(out)) > r.MaxLength && len(runes) > 0 {
		over := int(int64(utf8.RuneCountInString(out)) - r.MaxLength)
		runes = runes[:max(0, len(runes)-over)]
		out = render(string(runes))
	}
	return out
}
