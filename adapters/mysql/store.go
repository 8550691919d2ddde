package mysql

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	mrand "math/rand/v2"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
)

var _ adapters.Store = (*store)(nil)

// releaseTimeout bounds the release of a uniqueness lock after the
// transaction, which the request may have outlived; the server releases
// the lock anyway when the connection goes.
const releaseTimeout = 2 * time.Second

// maxAttempts bounds how often a transaction is run after deadlocks,
// lock-wait timeouts and certification failures (see store.write).
const maxAttempts = 8

// store implements adapters.Store for one TableSpec. Everything that can be
// computed from the spec is computed once here.
type store struct {
	db *sqlx.DB
	// writer is the pool of write transactions that begin with their
	// first statement, or nil: they begin with BEGIN on db (Adapter.writer).
	writer *sqlx.DB
	// database qualifies the names of uniqueness locks (Adapter.database).
	database string
	spec     adapters.TableSpec
	cols     map[adapters.Column]adapters.ColumnInfo
	key      adapters.ColumnInfo
	table    string // quoted
	list     string // quoted select list
	// prefix qualifies columns in expressions ("`_c`."), by column; nil
	// for a single table's store.
	prefix map[adapters.Column]string
	// exprs are columns computed by an expression rather than read (the
	// primary flag of a child whose parent points at its primary row).
	exprs map[adapters.Column]string
	// mcols are the columns of the Memberships' join tables that mark
	// removed memberships, by table.
	mcols map[adapters.Table]map[adapters.Column]adapters.ColumnInfo
	// scope is the table's scope as " AND ..." terms (constants,
	// conditions, not soft-deleted), sargs their arguments; scopeU and
	// scopeG are the same terms for the table aliased u and g.
	scope          string
	sargs          []any
	scopeU, scopeG string
	// relations are the scope's terms over other tables, already part
	// of the scopes above.
	relations []*relation
	// lockedScope and lockedArgs are scope without the relations' terms,
	// for a statement on a row already read in scope under lock.
	lockedScope string
	lockedArgs  []any
	// uscope is the scope uniqueness is checked in, with uargs: that of
	// reads, but counting soft-deleted rows, which keep their values.
	uscope string
	uargs  []any
	scopeC []adapters.Column // the constant scope's columns, sorted
	// byIndex holds the Unique columns a unique index of the table keeps
	// unique by itself, comparing as the Unique asks: writes rely on the
	// index (a duplicate fails with ErrConflict) and take no named lock.
	byIndex map[adapters.Column]bool
	// returning says that an INSERT can return the row it inserted.
	returning bool
	// exact says that the server writes nothing into the columns read
	// beyond what an UPDATE sets (no computed column, no trigger), so an
	// update can know the row it leaves (see known); scoping holds the
	// columns whose values decide whether a row is in scope.
	exact   bool
	scoping map[adapters.Column]bool
	// batch says that several statements may go in one round trip: the
	// connections take them (Adapter.batches) and the server is MySQL or
	// MariaDB, not the embedded engine of the tests.
	batch bool
	// galera says that the server is a Galera node (Adapter.galera).
	galera bool
	// share is the clause that share-locks the rows a read reads
	// (engineKind.shareLock).
	share string
	// lockRows says that uniqueness locks are rows of LocksTable, written
	// in the transaction, rather than GET_LOCK (Adapter.lockRows).
	lockRows bool
	// weighs says that the server is MySQL or MariaDB, whose
	// WEIGHT_STRING names uniqueness locks by the column's collation
	// (see lock).
	weighs bool

	logger   *slog.Logger   // the adapter's
	dryRun   *slog.Logger   // set in a dry run
	txOpts   *sql.TxOptions // nil when the session is READ COMMITTED already
	members  *members       // set for a group table (spec.Members)
	pages    *pages         // recent list pages and counts
	children map[adapters.Column]*related
	kv       *related
	// joins are the joined tables (spec.Joined); joinCols finds a joined
	// column's table by its Record key.
	joins    []*joined
	joinCols map[adapters.Column]joinRef
	// groupsOf is the membership of the groups this table's users are
	// in (spec.MemberOf), for MemberOf filters.
	groupsOf *members
	// hooks are the table's own (spec.Hooks).
	hooks hookSet
}

func newStore(a *Adapter, spec adapters.TableSpec, info adapters.TableInfo) (*store, error) {
	s := &store{db: a.db, writer: a.writer, logger: a.logger, spec: spec, cols: map[adapters.Column]adapters.ColumnInfo{}, table: quote(string(spec.Table)), pages: newPages(&a.writes), hooks: newHookSet(spec.Hooks)}
	if a.dryRun {
		s.dryRun = a.logger
	}
	a.mu.Lock()
	s.database = a.database
	a.mu.Unlock()
	if !a.readCommitted {
		s.txOpts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	for _, c := range info.Columns {
		s.cols[c.Name] = c
	}
	var ok bool
	if s.key, ok = s.cols[spec.Key]; !ok {
		return nil, fmt.Errorf("key column %s: %w", spec.Key, errNotDescribed)
	}
	// The joined tables' columns are read with them (loadJoined).
	cols := slices.DeleteFunc(slices.Clone(spec.Columns), isJoined)
	if !slices.Contains(cols, spec.Key) {
		cols = append([]adapters.Column{spec.Key}, cols...)
	}
	s.spec.Columns = cols
	q := make([]string, len(cols))
	for i, c := range cols {
		if _, ok := s.cols[c]; !ok {
			return nil, fmt.Errorf("column %s: %w", c, errNotDescribed)
		}
		q[i] = quote(string(c))
	}
	s.list = strings.Join(q, ", ")
	s.scopeC = slices.Sorted(maps.Keys(spec.Scope))
	for _, c := range spec.Conditions {
		if _, ok := s.cols[c.Column]; !ok {
			return nil, fmt.Errorf("scope column %s: %w", c.Column, errNotDescribed)
		}
	}
	s.scope, s.sargs = scopeTerms("", spec.Scope, spec.Conditions, spec.SoftDelete, s.cols)
	s.scopeU, _ = scopeTerms("u.", spec.Scope, spec.Conditions, spec.SoftDelete, s.cols)
	s.scopeG, _ = scopeTerms("g.", spec.Scope, spec.Conditions, spec.SoftDelete, s.cols)
	var live *adapters.SoftDelete
	if sd := spec.SoftDelete; sd != nil && sd.UniqueAmongLive {
		// Deleted rows do not count: uniqueness is that of reads.
		live = sd
	}
	s.uscope, s.uargs = scopeTerms("", spec.Scope, spec.Conditions, live, s.cols)
	s.lockedScope, s.lockedArgs = s.scope, s.sargs
	if err := s.initRelations(a); err != nil {
		return nil, err
	}
	s.returning = a.insertReturning()
	s.batch = a.batches && a.indexesCollate()
	s.weighs = a.indexesCollate()
	s.lockRows = a.lockRows
	s.galera = a.galera()
	kind, version := a.engineOf()
	s.share = kind.shareLock()
	if comp, ok := a.computedOf(spec.Table); ok && !comp.triggers {
		s.exact = !slices.ContainsFunc(cols, func(c adapters.Column) bool { return comp.columns[c] })
	}
	s.scoping = map[adapters.Column]bool{}
	for _, c := range spec.Conditions {
		s.scoping[c.Column] = true
	}
	if sd := spec.SoftDelete; sd != nil {
		s.scoping[sd.Column] = true
	}
	if a.indexesCollate() && live == nil {
		// (A unique index counts deleted rows too: with UniqueAmongLive
		// it cannot be what keeps the values unique.)
		for _, u := range spec.Uniques {
			if s.uniqueIndex(info, u) {
				if s.byIndex == nil {
					s.byIndex = map[adapters.Column]bool{}
				}
				s.byIndex[u.Column] = true
			}
		}
	}
	if a.lockRows && a.locksMissingTable() && slices.ContainsFunc(spec.Uniques, func(u adapters.Unique) bool { return !s.byIndex[u.Column] }) {
		return nil, fmt.Errorf("table %s: database.config.uniquenessLocks is table, but the table %s does not exist: create it with deploy/galera/scimbridge_locks.sql", spec.Table, LocksTable)
	}
	if !a.lockRows {
		// GET_LOCK is local to one Galera node (or Group Replication
		// member, or Vitess shard), and missing on TiDB before 6.1:
		// two sidecars on two nodes would both find a value free and
		// both store it.
		var cols []string
		for _, u := range spec.Uniques {
			if !s.byIndex[u.Column] {
				cols = append(cols, string(u.Column))
			}
		}
		if len(cols) > 0 {
			if _, err := uniqueness(kind, version, false, false); err != nil {
				return nil, fmt.Errorf("table %s: the uniqueness of %s: %w", spec.Table, strings.Join(cols, ", "), err)
			}
		}
	}
	if err := s.initRelated(a); err != nil {
		return nil, err
	}
	for _, m := range spec.Memberships {
		if m.Removed == nil {
			continue
		}
		jinfo, ok := a.described(m.Table)
		if !ok {
			return nil, fmt.Errorf("table %s has not been described", m.Table)
		}
		if s.mcols == nil {
			s.mcols = map[adapters.Table]map[adapters.Column]adapters.ColumnInfo{}
		}
		s.mcols[m.Table] = map[adapters.Column]adapters.ColumnInfo{}
		for _, ci := range jinfo.Columns {
			s.mcols[m.Table][ci.Name] = ci
		}
	}
	if err := s.initJoined(a); err != nil {
		return nil, err
	}
	if l := spec.MemberOf; l != nil && l.Groups.Values != nil {
		ms := l.Membership
		ms.Users = spec
		ms.Users.MemberOf = nil
		var err error
		if s.groupsOf, err = newValueMembers(a, l.Groups, ms); err != nil {
			return nil, err
		}
	} else if l != nil {
		ginfo, ok := a.described(l.Groups.Table)
		if !ok {
			return nil, fmt.Errorf("table %s has not been described", l.Groups.Table)
		}
		gspec := l.Groups
		gspec.Members, gspec.MemberOf = nil, nil
		g, err := newStore(a, gspec, ginfo)
		if err != nil {
			return nil, err
		}
		ms := l.Membership
		ms.Users = spec
		ms.Users.MemberOf = nil
		if s.groupsOf, err = newMembers(a, g, ms); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// uniqueIndex reports whether a unique index of the table rejects every
// value that the check of u would find taken: an index on u's column and
// scope columns only (so at least as strict as unique within the scope),
// under a collation at least as strict as u's comparison. Only a
// case-insensitive comparison on a case-sensitive column (which the check
// makes on LOWER(column)) is beyond every index.
func (s *store) uniqueIndex(info adapters.TableInfo, u adapters.Unique) bool {
	c, ok := s.cols[u.Column]
	if !ok || (u.Fold && !u.Plain && isText(c.DataType) && !c.CaseInsensitive()) {
		return false
	}
	for _, ix := range info.Indexes {
		if !ix.Unique || !slices.Contains(ix.Columns, u.Column) {
			continue
		}
		if !slices.ContainsFunc(ix.Columns, func(col adapters.Column) bool {
			return col != u.Column && !slices.Contains(s.scopeC, col)
		}) {
			return true
		}
	}
	return false
}

// quote quotes an identifier. Identifiers come only from validated
// configuration; quoting keeps reserved words and odd names working.
func quote(id string) string { return "`" + strings.ReplaceAll(id, "`", "``") + "`" }

// keyArg converts a SCIM id to a key value, or reports that no row can have
// it: an id without the spec's IDPrefix, or, for an integer key, an id that
// is not the key as idOf renders it (not a number, which must not compare
// equal to 0, or another spelling of one: "01", "+1", " 1"), so that only
// the id the server renders names a row.
func (s *store) keyArg(id string) (any, bool) {
	if p := s.spec.IDPrefix; p != "" {
		rest, ok := strings.CutPrefix(id, p)
		if !ok {
			return nil, false
		}
		id = rest
	}
	if isInteger(s.key.DataType) {
		var buf [20]byte // the comparisons below allocate nothing
		if s.key.Unsigned {
			v, err := strconv.ParseUint(id, 10, 64)
			return v, err == nil && string(strconv.AppendUint(buf[:0], v, 10)) == id
		}
		v, err := strconv.ParseInt(id, 10, 64)
		return v, err == nil && string(strconv.AppendInt(buf[:0], v, 10)) == id
	}
	if id == "" {
		return nil, false
	}
	return id, true
}

// idOf is the SCIM id of a key value as the driver scanned it.
func (s *store) idOf(key any) string {
	return s.spec.IDPrefix + canonical(normalize(s.key, key))
}

func (s *store) Get(ctx context.Context, id string) (adapters.Record, error) {
	k, ok := s.keyArg(id)
	if !ok {
		return nil, adapters.ErrNotFound
	}
	rec, err := s.getOne(ctx, s.db, k, false, nil)
	return rec, classify(err)
}

// GetWithGroups is Get that reads the user's groups with the row, in
// the same round trip where statements can be batched (see getRow).
func (s *store) GetWithGroups(ctx context.Context, id string) (adapters.Record, adapters.GroupsRead, error) {
	var groups adapters.GroupsRead
	k, ok := s.keyArg(id)
	if !ok {
		return nil, groups, adapters.ErrNotFound
	}
	rec, err := s.getOne(ctx, s.db, k, false, &groups)
	if err != nil {
		return nil, adapters.GroupsRead{}, classify(err)
	}
	return rec, groups, nil
}

type queryer interface {
	QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error)
}

// getOne reads the row with that key in scope, with its child and
// key/value rows, and the user's groups into groups (see getRow).
func (s *store) getOne(ctx context.Context, q queryer, key any, forUpdate bool, groups *adapters.GroupsRead) (adapters.Record, error) {
	rec, err := s.getRow(ctx, q, key, forUpdate, groups)
	if err != nil {
		return nil, err
	}
	if err := s.loadRelated(ctx, q, []adapters.Record{rec}); err != nil {
		return nil, err
	}
	return rec, nil
}

// getRow reads the table's own columns of the row with that key. When
// groups is not nil and the table's users are in groups, it reads the
// user's groups into it in the same round trip, where statements can be
// batched (store.batch), and leaves it as it is otherwise.
func (s *store) getRow(ctx context.Context, q queryer, key any, forUpdate bool, groups *adapters.GroupsRead) (adapters.Record, error) {
	query := "SELECT " + s.list + " FROM " + s.table + " WHERE " + quote(string(s.spec.Key)) + " = ?" + s.scope
	if forUpdate {
		query += " FOR UPDATE"
	}
	args := append([]any{key}, s.sargs...)
	batch := groups != nil && s.groupsOf != nil && s.groupsOf.spec.List == nil && s.groupsOf.values == nil && s.batch
	if batch {
		gq, gargs := s.groupsOf.groupsQuery([]any{key})
		query += "; " + gq
		args = append(args, gargs...)
	}
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, adapters.ErrNotFound
	}
	rec, err := s.scan(rows)
	if err != nil || !batch {
		return rec, err
	}
	if !rows.NextResultSet() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("reading a user's groups: no result")
	}
	// Every row is of this user.
	var gs []adapters.Member
	if err := s.groupsOf.scanGroups(rows.Rows, func(_ any, g adapters.Member) { gs = append(gs, g) }); err != nil {
		return nil, err
	}
	groups.Done, groups.Groups = true, gs
	return rec, nil
}

func (s *store) scan(rows *sqlx.Rows) (adapters.Record, error) {
	return s.newScanner().scan(rows)
}

// scanner reads rows of the table's own columns into Records, its
// destinations made once and reused across the rows of a query.
type scanner struct {
	s    *store
	vals []any
	// Text columns are scanned as the driver's own bytes and copied
	// once, into the string the Record holds, rather than copied into
	// a []byte first; the text columns of a row share one string.
	raws []sql.RawBytes
	text []bool
	ptrs []any
}

func (s *store) newScanner() *scanner {
	n := len(s.spec.Columns)
	sc := &scanner{s: s, vals: make([]any, n), raws: make([]sql.RawBytes, n), text: make([]bool, n), ptrs: make([]any, n)}
	for i, c := range s.spec.Columns {
		if sc.text[i] = isText(s.cols[c].DataType); sc.text[i] {
			sc.ptrs[i] = &sc.raws[i]
		} else {
			sc.ptrs[i] = &sc.vals[i]
		}
	}
	return sc
}

// scan reads the row rows is at.
func (sc *scanner) scan(rows *sqlx.Rows) (adapters.Record, error) {
	s := sc.s
	if err := rows.Scan(sc.ptrs...); err != nil {
		return nil, fmt.Errorf("scanning row: %w", err)
	}
	// One string holds the text of every text column of the row, each
	// column's value a part of it.
	size := 0
	for i, raw := range sc.raws {
		if sc.text[i] {
			size += len(raw)
		}
	}
	var all strings.Builder
	all.Grow(size)
	for i, raw := range sc.raws {
		if sc.text[i] {
			all.Write(raw)
		}
	}
	text := all.String()
	rec := make(adapters.Record, len(sc.vals))
	at := 0
	for i, c := range s.spec.Columns {
		switch raw := sc.raws[i]; {
		case sc.text[i] && raw == nil:
			rec[c] = nil // NULL
		case sc.text[i]:
			rec[c] = text[at : at+len(raw)]
			at += len(raw)
		default:
			rec[c] = normalize(s.cols[c], sc.vals[i])
		}
	}
	return rec, nil
}

// List reads one page in one round trip where it can. It asks for one row
// more than the page: a page that is not full ends the list, and its
// total is the rows before it plus its own, with no count. Otherwise the
// rows are counted, on the first page of a list, and on the pages after
// it only when the count is older than countMaxAge or the adapter has
// written since (see pages). Pages in key order after the first start
// from where a page served before ended, when one is remembered.
func (s *store) List(ctx context.Context, q adapters.Query) (adapters.Page, error) {
	b := builder{ctx: ctx, q: s.db}
	// Room for a lookup's condition: the text is not regrown as it is
	// built.
	b.sql.Grow(96 + len(s.table) + len(s.scope))
	b.sql.WriteString(" FROM ")
	b.sql.WriteString(s.table)
	b.sql.WriteString(" WHERE 1=1")
	b.sql.WriteString(s.scope)
	b.args = append(b.args, s.sargs...)
	if q.Where != nil {
		b.sql.WriteString(" AND ")
		if err := s.expr(&b, q.Where); err != nil {
			return adapters.Page{}, err
		}
	}
	where, args := b.sql.String(), b.args
	// The query's signature, for the page cache, is made only if needed:
	// a lookup (a filter matching a few rows) never needs it.
	sig := ""
	signed := func() string {
		if sig == "" {
			sig = signature(where, args)
		}
		return sig
	}
	var page adapters.Page
	if q.Limit <= 0 {
		var err error
		page.Total, err = s.count(ctx, signed(), where, args)
		return page, err
	}
	var order strings.Builder
	var oargs []any
	order.Grow(64)
	order.WriteString(" ORDER BY ")
	for _, o := range q.Order {
		if ref, ok := s.joinCols[o.Column]; ok {
			expr, a := s.joinedOrder(ref, o.Fold)
			order.WriteString(expr)
			oargs = append(oargs, a...)
			if o.Descending {
				order.WriteString(" DESC")
			}
			order.WriteString(", ")
			continue
		}
		if expr, a, ok := s.relatedOrder(o); ok {
			order.WriteString(expr)
			oargs = append(oargs, a...)
			if o.Descending {
				order.WriteString(" DESC")
			}
			order.WriteString(", ")
			continue
		}
		c, ok := s.cols[o.Column]
		if !ok {
			return page, fmt.Errorf("sorting by %s: %w", o.Column, errNotDescribed)
		}
		order.WriteString(s.operand(c, o.Fold))
		if o.Descending {
			order.WriteString(" DESC")
		}
		order.WriteString(", ")
	}
	key := quote(string(s.spec.Key))
	order.WriteString(key + " LIMIT ? OFFSET ?")
	// In key order, a page can start after the key a page before it
	// ended with, skipping only the rows between the two.
	byKey := len(q.Order) == 0
	cond, qargs, skip := where, slices.Clone(args), q.Offset
	if byKey && q.Offset > 0 {
		if e, ok := s.pages.end(signed(), q.Offset); ok {
			cond += " AND " + key + " > ?"
			qargs = append(qargs, e.key)
			skip = q.Offset - e.offset
		}
	}
	qargs = append(append(qargs, oargs...), q.Limit+1, skip)
	var err error
	if page.Records, err = s.rows(ctx, "SELECT "+s.list+cond+order.String(), qargs); err != nil {
		return page, classify(fmt.Errorf("listing rows: %w", err))
	}
	more := len(page.Records) > q.Limit
	if more {
		page.Records = page.Records[:q.Limit]
	}
	total, cached := 0, false
	if more && q.Offset > 0 {
		total, cached = s.pages.total(signed())
	}
	switch {
	case !more && (len(page.Records) > 0 || q.Offset == 0):
		page.Total = q.Offset + len(page.Records)
	case cached:
		page.Total = total
	default:
		if page.Total, err = s.count(ctx, signed(), where, args); err != nil {
			return page, err
		}
	}
	if more {
		// Never fewer than the rows seen, whatever happened since the
		// count.
		page.Total = max(page.Total, q.Offset+q.Limit+1)
		if byKey {
			s.pages.ended(signed(), q.Offset+q.Limit, page.Records[q.Limit-1][s.spec.Key])
		}
	}
	return page, classify(s.loadRelated(ctx, s.db, page.Records))
}

// rows reads the rows a query of the table's own columns returns.
func (s *store) rows(ctx context.Context, query string, args []any) ([]adapters.Record, error) {
	rows, err := s.db.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []adapters.Record
	sc := s.newScanner()
	for rows.Next() {
		rec, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// count counts the rows of a query and remembers the count.
func (s *store) count(ctx context.Context, sig, where string, args []any) (int, error) {
	writes := s.pages.writes.Load()
	var n int
	if err := s.db.QueryRowxContext(ctx, "SELECT COUNT(*)"+where, args...).Scan(&n); err != nil {
		return 0, classify(fmt.Errorf("counting rows: %w", err))
	}
	s.pages.counted(sig, n, writes)
	return n, nil
}

// tx runs fn in a READ COMMITTED transaction on a pinned connection, so that
// named locks taken with lock are held until after the commit. Deadlocks and
// lock-wait timeouts run fn again, a bounded number of times.
//
// When the answer to the COMMIT is lost (the connection broke, or the
// request's deadline passed, while it was on its way), the transaction
// may or may not have committed: tx then finds out (see settle) and
// returns nil if it did, and the error, ErrUnavailable, otherwise.
func (s *store) tx(ctx context.Context, fn func(t *txn) error) error {
	var last *txn
	err := s.write(ctx, func() error {
		var err error
		last, err = s.runTx(ctx, fn)
		return err
	})
	var cu *commitUnknown
	if !errors.As(err, &cu) || last == nil {
		return err
	}
	settled := false
	switch {
	case last.check != nil:
		settled = s.settle(ctx, last.checkKey, last.check)
	case last.settleBy != nil:
		sctx, cancel := settleContext(ctx)
		settled = last.settleBy(sctx)
		cancel()
	}
	if settled {
		s.pages.writes.Add(1)
		s.logger.WarnContext(ctx, "the answer to a commit was lost; the write had committed", "table", string(s.spec.Table), "err", cu.err)
		return nil
	}
	s.logger.WarnContext(ctx, "the answer to a commit was lost; the write was not found committed, or could not be read", "table", string(s.spec.Table), "err", cu.err)
	return err
}

// settleContext is the context of finding out whether a commit whose
// answer was lost committed: the request's values, not its deadline,
// bounded by settleTimeout.
func settleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
}

// settleTimeout bounds how long settle may take, beyond the request's
// deadline when that has passed already.
const settleTimeout = 2 * time.Second

// settle finds out whether a transaction whose COMMIT got no answer
// committed. On a fresh connection, a locking read of the row with that
// key waits until the transaction has ended on the server (it holds the
// row's lock until it commits or rolls back; a server that lost its
// client rolls back) and then reads the row as committed; committed
// judges it (found reports whether the row is in scope). settle reports
// false, leaving the outcome unknown, when the read fails or does not end
// within settleTimeout.
func (s *store) settle(ctx context.Context, key any, committed func(now adapters.Record, found bool) bool) bool {
	sctx, cancel := settleContext(ctx)
	defer cancel()
	query := "SELECT " + s.list + " FROM " + s.table + " WHERE " + quote(string(s.spec.Key)) + " = ?" + s.scope + s.share
	rows, err := s.db.QueryxContext(sctx, query, append([]any{key}, s.sargs...)...)
	if err != nil {
		return false
	}
	defer rows.Close()
	var now adapters.Record
	found := rows.Next()
	if found {
		if now, err = s.scan(rows); err != nil {
			return false
		}
	}
	if rows.Err() != nil {
		return false
	}
	return committed(now, found)
}

// commitUnknown is the error of a COMMIT, or of the statement carrying
// it, that got no answer: the transaction may have committed.
type commitUnknown struct{ err error }

func (e *commitUnknown) Error() string {
	return "the outcome of the commit is unknown: " + e.err.Error()
}

func (e *commitUnknown) Unwrap() error { return e.err }

// lostAnswer reports whether err, from a statement sent to the server,
// leaves unknown whether the server ran it: the connection broke, or
// the context ended, before the answer came. An error the server sent
// is an answer.
func lostAnswer(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// Killed or shut down while it may have been committing.
		return me.Number == errConnectionKilled || me.Number == errServerShutdown || me.Number == errQueryInterrupted
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &ne)
}

// expect tells the transaction how to recognise, in the row with that
// key as committed, that it committed (see settle); the last call wins.
func (t *txn) expect(key any, committed func(now adapters.Record, found bool) bool) {
	t.checkKey, t.check = key, committed
}

// wrote is a check for expect: the row is in scope and holds, in every
// column of cols that out has, the value out has. It judges false when
// no such column can tell.
func wrote(out adapters.Record, cols []adapters.Column) func(adapters.Record, bool) bool {
	return func(now adapters.Record, found bool) bool {
		compared := false
		for _, c := range cols {
			v, ok := out[c]
			if !ok {
				continue
			}
			if w, ok := now[c]; !ok || canonical(w) != canonical(v) || (w == nil) != (v == nil) {
				return false
			}
			compared = true
		}
		return found && compared
	}
}

// write runs a write (a transaction, or one statement that autocommits)
// again after a deadlock, lock-wait timeout or a cluster's certification
// failure (see retryable), which roll the whole transaction back, a
// bounded number of times, and returns its error classified. Each run
// waits a jittered backoff first, and none starts when the backoff and a
// run would pass the request's deadline: the write then fails as it did,
// with ErrUnavailable, which a client is told to retry.
func (s *store) write(ctx context.Context, run func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = run()
		if !retryable(err) || attempt+1 >= maxAttempts {
			break
		}
		d := backoff(attempt)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+minRunTime {
			break
		}
		retries.Add(1)
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return classify(errors.Join(err, ctx.Err()))
		}
	}
	if err == nil {
		// Counts taken before may be off now.
		s.pages.writes.Add(1)
	}
	return classify(err)
}

// minRunTime is the least time left before the request's deadline for a
// write to be run again.
const minRunTime = 50 * time.Millisecond

// backoff is the wait before the run after attempt (0: the first run):
// growing from 10ms and capped at 320ms, each a random time between half
// of it and all of it, so that writes that conflicted once do not meet
// again at the same moment (on Galera, two nodes' transactions on one row).
func backoff(attempt int) time.Duration {
	d := 10 * time.Millisecond << min(attempt, 5)
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// retries counts the writes run again after a retryable failure, in every
// adapter of the process (see Retries).
var retries atomic.Uint64

// Retries returns how many times, since the process started, a write was
// run again after a deadlock, lock-wait timeout or certification failure,
// through any adapter: the scimbridge_database_write_retries_total metric,
// which a reload that opens a new adapter does not reset.
func (a *Adapter) Retries() uint64 { return retries.Load() }

// txn is one run of a transaction on its pinned connection.
type txn struct {
	// q runs the transaction's statements: the *sqlx.Tx of a BEGIN, or
	// the connection itself when the transaction is implicit (autocommit
	// off, see Adapter.writer).
	q     txQueryer
	tx    *sqlx.Tx // nil when implicit
	conn  *sqlx.Conn
	ended bool // committed or rolled back
	locks []string
	dry   *slog.Logger // set in a dry run: writes are logged and rolled back
	batch bool         // store.batch
	// check and checkKey recognise the committed transaction (expect);
	// without them, settleBy, if set, finds out by itself whether it
	// committed, on a fresh connection.
	check    func(now adapters.Record, found bool) bool
	checkKey any
	settleBy func(ctx context.Context) bool
}

// txQueryer is what *sqlx.Tx and *sqlx.Conn have in common that a
// transaction uses.
type txQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error)
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
}

func (s *store) runTx(ctx context.Context, fn func(t *txn) error) (_ *txn, err error) {
	pool := s.db
	if s.writer != nil {
		pool = s.writer
	}
	conn, err := pool.Connx(ctx)
	if err != nil {
		return nil, err
	}
	t := &txn{q: conn, conn: conn, batch: s.batch}
	defer func() {
		switch {
		case t.ended:
		case t.tx != nil:
			_ = t.tx.Rollback() // fn panicked
		default:
			// fn panicked, or a COMMIT or ROLLBACK failed: the connection
			// may hold an open transaction, so it must not go back to the
			// pool. Closing it makes the server roll back.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	if s.writer == nil {
		if t.tx, err = conn.BeginTxx(ctx, s.txOpts); err != nil {
			t.ended = true
			return t, err
		}
		t.q = t.tx
	}
	if s.dryRun != nil {
		t.dry = s.dryRun.With("table", string(s.spec.Table))
	}
	defer func() {
		for _, l := range t.locks {
			// Released on a fresh context: the request's may be done.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			_, _ = conn.ExecContext(rctx, "SELECT RELEASE_LOCK(?)", l)
			cancel()
		}
	}()
	if err := fn(t); err != nil {
		_ = t.end(ctx, false)
		return t, err
	}
	if t.dry != nil {
		t.dry.InfoContext(ctx, "dry run: rolling back")
		return t, t.end(ctx, false)
	}
	if err := t.end(ctx, true); err != nil {
		if lostAnswer(err) {
			return t, &commitUnknown{err}
		}
		return t, err
	}
	return t, nil
}

// end commits or rolls back the transaction. A rollback runs on a fresh
// context, so that a request that gave up still leaves its connection
// clean.
func (t *txn) end(ctx context.Context, commit bool) error {
	if t.ended {
		return nil // committed with its last statement (execCommit)
	}
	if t.tx != nil {
		t.ended = true
		if commit {
			return t.tx.Commit()
		}
		return t.tx.Rollback()
	}
	stmt := "COMMIT"
	if !commit {
		stmt = "ROLLBACK"
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
	}
	_, err := t.conn.ExecContext(ctx, stmt)
	t.ended = err == nil
	return err
}

// fuses reports whether the transaction's last statement can carry its
// COMMIT, in one round trip: the transaction is implicit (it began with
// its first statement; a BEGIN of database/sql ends with its Commit), the
// connection takes several statements at once, and it is no dry run.
func (t *txn) fuses() bool { return t.tx == nil && t.batch && t.dry == nil }

// execCommit runs query as the transaction's last statement and commits
// it with it, "query; COMMIT" in one round trip, where fuses allows; else
// it only runs query, and runTx commits. A failed query stops the server
// before the COMMIT, leaving the transaction open for the caller to
// explain the error in and runTx to roll back.
//
// Only updates use it. A statement that carries its COMMIT and is held up
// in the network past the request's deadline may still commit after the
// client was told 503; a client that then retries an update sets the same
// values again, but one that retries a create would make a second row (or
// get 409 for its own user). An INSERT is therefore sent without its
// COMMIT, so that a create that failed has written nothing unless its
// COMMIT itself was in flight.
func (t *txn) execCommit(ctx context.Context, query string, args ...any) error {
	if !t.fuses() {
		_, err := t.ExecContext(ctx, query, args...)
		return err
	}
	if _, err := t.q.ExecContext(ctx, query+"; COMMIT", args...); err != nil {
		if lostAnswer(err) {
			return &commitUnknown{err}
		}
		return err
	}
	t.ended = true
	return nil
}

// QueryxContext runs a query in the transaction.
func (t *txn) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	return t.q.QueryxContext(ctx, query, args...)
}

// QueryRowxContext runs a query of one row in the transaction.
func (t *txn) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	return t.q.QueryRowxContext(ctx, query, args...)
}

// ExecContext runs a write in the transaction, logging it first in a dry
// run.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.dry != nil {
		t.dry.InfoContext(ctx, "dry run: would execute", "sql", query, "args", redacted(args))
	}
	return t.q.ExecContext(ctx, query, args...)
}

// lock takes a server-wide named lock for a unique value, so that two
// sidecars (or two requests) cannot both see the value as free and insert
// it, even on a table without a unique index.
//
// Two values the uniqueness check calls equal must take the same lock. On
// MySQL and MariaDB the name is therefore made by the server from the
// value's collation weight (see lockWeight), in the statement that takes
// the lock: 'bob' and 'bob ' under a PAD SPACE collation, 'σx' and 'ςx',
// 'café' composed and decomposed, 'ß' and 'ss' under utf8mb4_unicode_ci
// each share one lock, where lower-casing in Go would give them two and
// let two replicas insert both. Elsewhere (the embedded engine of the
// tests) the name is the value lower-cased in Go.
//
// With lock rows (Config.UniquenessLocks "table") the lock is instead a
// row of LocksTable, written in the transaction (see lockRow).
func (s *store) lock(ctx context.Context, t *txn, u adapters.Unique, v any) error {
	prefix := s.database + "\x00" + string(s.spec.Table) + "\x00" + string(u.Column) + "\x00"
	if s.lockRows {
		return s.lockRow(ctx, t, u, v, prefix)
	}
	timeout := int(DefaultLockTimeout / time.Second)
	var name string
	var got sql.NullInt64
	if weight, arg, ok := s.lockWeight(u, v); ok {
		q := "SELECT n, GET_LOCK(n, ?) FROM (SELECT CONCAT('scimbridge:', LEFT(SHA2(CONCAT(?, " + weight + "), 256), 48)) AS n) w"
		if err := t.conn.QueryRowxContext(ctx, q, timeout, prefix, arg).Scan(&name, &got); err != nil {
			return fmt.Errorf("taking uniqueness lock: %w", err)
		}
	} else {
		val := canonical(v)
		if u.Fold {
			val = strings.ToLower(val)
		}
		sum := sha256.Sum256([]byte(prefix + val))
		name = "scimbridge:" + hex.EncodeToString(sum[:])[:48]
		if err := t.conn.QueryRowxContext(ctx, "SELECT GET_LOCK(?, ?)", name, timeout).Scan(&got); err != nil {
			return fmt.Errorf("taking uniqueness lock: %w", err)
		}
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("%w: timed out waiting for uniqueness lock on %s", adapters.ErrUnavailable, u.Column)
	}
	t.locks = append(t.locks, name)
	return nil
}

// lockRow takes a uniqueness lock by writing the value's row of
// LocksTable in the transaction: its key is the SHA-256 of the value's
// collation weight (the name GET_LOCK would take, see lockWeight), and the
// write is a real change (uses + 1), never a no-op. Another transaction on
// the same server waits for the row's lock and then, at READ COMMITTED,
// sees the value the first one stored; on a Galera cluster two nodes'
// transactions that write one row fail certification, all but the first
// (error 1213), and run again (store.write), their first statement waiting
// for the cluster (wsrep_sync_wait), so that the uniqueness check after
// the lock sees the value stored. GET_LOCK and SELECT ... FOR UPDATE are
// local to one node; only a written row is certified cluster-wide.
func (s *store) lockRow(ctx context.Context, t *txn, u adapters.Unique, v any, prefix string) error {
	const upsert = " ON DUPLICATE KEY UPDATE uses = uses + 1"
	var err error
	if weight, arg, ok := s.lockWeight(u, v); ok {
		_, err = t.ExecContext(ctx, "INSERT INTO "+LocksTable+" (name) VALUES (UNHEX(SHA2(CONCAT(?, "+weight+"), 256)))"+upsert, prefix, arg)
	} else {
		val := canonical(v)
		if u.Fold {
			val = strings.ToLower(val)
		}
		sum := sha256.Sum256([]byte(prefix + val))
		_, err = t.ExecContext(ctx, "INSERT INTO "+LocksTable+" (name) VALUES (?)"+upsert, sum[:])
	}
	if err != nil {
		return fmt.Errorf("taking uniqueness lock row: %w", err)
	}
	return nil
}

// ErrClusterUniqueness is the error of a store on an engine where GET_LOCK
// cannot keep values unique (a Galera node, a multi-primary Group
// Replication member, Vitess, TiDB before 6.1) whose unique values no
// unique index keeps unique while uniqueness locks are GET_LOCK.
var ErrClusterUniqueness = errors.New("uniqueness cannot hold on this cluster")

// LocksTable is the table of uniqueness lock rows, which scimbridge owns
// in the application's database when Config.UniquenessLocks is "table";
// LocksTableSQL creates it.
const LocksTable = "scimbridge_locks"

// LocksTableSQL creates LocksTable: one row per unique value (per table,
// column and scope database) ever created or renamed through scimbridge,
// keyed by the SHA-256 of its collation weight; uses counts the writes
// that took it. Rows are never deleted by scimbridge: a lock row only
// serialises writes of one value, it holds no data.
const LocksTableSQL = "CREATE TABLE IF NOT EXISTS " + LocksTable + " (\n" +
	"  name VARBINARY(32) NOT NULL PRIMARY KEY,\n" +
	"  uses BIGINT UNSIGNED NOT NULL DEFAULT 1\n" +
	") ENGINE=InnoDB"

// sqlName matches collation and character set names, which lockWeight
// puts into SQL text.
var sqlName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// lockWeight returns the SQL of a lock's value, the hex of its collation
// weight compared as the uniqueness check (holds) compares it, with its
// one argument; ok is false for a column whose values are not text, and
// off MySQL and MariaDB. Trailing spaces are trimmed under a PAD SPACE
// collation, which ignores them in comparisons but (on MariaDB) not in
// WEIGHT_STRING.
func (s *store) lockWeight(u adapters.Unique, v any) (sqlText string, arg any, ok bool) {
	c, found := s.cols[u.Column]
	str, isStr := v.(string)
	if !s.weighs || !found || !isStr || !isText(c.DataType) || c.DataType == "decimal" || c.DataType == "json" ||
		!sqlName.MatchString(c.Collation) || !sqlName.MatchString(c.Charset) {
		return "", nil, false
	}
	coll := c.Collation
	operand := "CONVERT(? USING " + c.Charset + ")"
	switch {
	case u.Plain:
	case u.Fold && !c.CaseInsensitive():
		// holds compares LOWER(column) with the value lower-cased.
		operand, str = "LOWER("+operand+")", strings.ToLower(str)
	case !u.Fold && c.CaseInsensitive():
		// holds compares under the character set's _bin collation.
		m := collationRE.FindStringSubmatch(coll)
		if m == nil {
			return "", nil, false
		}
		coll = m[1] + "_bin"
	}
	if !strings.Contains(coll, "nopad") && !strings.Contains(coll, "_0900_") {
		operand = "TRIM(TRAILING ' ' FROM " + operand + ")"
	}
	return "HEX(WEIGHT_STRING(" + operand + " COLLATE " + coll + "))", str, true
}

// checkUnique locks and checks every Unique column that rec sets, excluding
// the row with key self (nil on insert). A column a unique index keeps
// unique is left to the index.
func (s *store) checkUnique(ctx context.Context, t *txn, rec adapters.Record, self any) error {
	for _, u := range s.spec.Uniques {
		v, ok := rec[u.Column]
		if !ok || v == nil || s.byIndex[u.Column] {
			continue
		}
		if err := s.lock(ctx, t, u, v); err != nil {
			return err
		}
		taken, err := s.holds(ctx, t, s.uscope, s.uargs, u, v, self)
		if err != nil {
			return err
		}
		if taken {
			return s.conflict(ctx, t, u, v, self)
		}
	}
	return nil
}

// holds reports whether a row of the table within the scope given by
// terms and args, other than the row with key self (nil: none), holds the
// unique value v.
func (s *store) holds(ctx context.Context, t *txn, terms string, args []any, u adapters.Unique, v, self any) (bool, error) {
	var b builder
	b.sql.WriteString("SELECT 1 FROM " + s.table + " WHERE 1=1" + terms + " AND ")
	b.args = append(b.args, args...)
	if err := s.expr(&b, adapters.Compare{Column: u.Column, Op: adapters.OpEq, Value: v, Fold: u.Fold, Plain: u.Plain}); err != nil {
		return false, err
	}
	if self != nil {
		b.sql.WriteString(" AND " + quote(string(s.spec.Key)) + " <> ?")
		b.args = append(b.args, self)
	}
	b.sql.WriteString(" LIMIT 1")
	var one int
	err := t.QueryRowxContext(ctx, b.sql.String(), b.args...).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("checking uniqueness of %s: %w", u.Column, err)
}

// conflict is the error for the unique value v of u being taken, saying
// by what when the holder is not a row in scope: a soft-deleted row
// (ErrHeldByDeleted), or a row the scope's conditions or a soft delete
// hide (ErrHeldOutOfScope), which the table's unique index still counts.
func (s *store) conflict(ctx context.Context, t *txn, u adapters.Unique, v, self any) error {
	plain := fmt.Errorf("%w: %s already taken", adapters.ErrConflict, u.Column)
	if len(s.spec.Conditions) == 0 && s.spec.SoftDelete == nil {
		return plain
	}
	if in, err := s.holds(ctx, t, s.scope, s.sargs, u, v, self); err != nil || in {
		return plain
	}
	if s.spec.SoftDelete != nil {
		if del, err := s.holds(ctx, t, s.uscope, s.uargs, u, v, self); err == nil && del {
			return fmt.Errorf("%w: %s: %w", adapters.ErrConflict, u.Column, adapters.ErrHeldByDeleted)
		}
	}
	return fmt.Errorf("%w: %s: %w", adapters.ErrConflict, u.Column, adapters.ErrHeldOutOfScope)
}

// duplicate explains a duplicate-key error of a write of row (a unique
// index refused it) by the first Unique value of row that some other row
// holds; other errors, and duplicates of no Unique, pass unchanged.
func (s *store) duplicate(ctx context.Context, t *txn, err error, row adapters.Record, self any) error {
	if !isDuplicate(err) || len(s.spec.Conditions) == 0 && s.spec.SoftDelete == nil {
		return err
	}
	constant, cargs := scopeTerms("", s.spec.Scope, nil, nil, s.cols)
	for _, u := range s.spec.Uniques {
		v, ok := row[u.Column]
		if !ok || v == nil {
			continue
		}
		if held, herr := s.holds(ctx, t, constant, cargs, u, v, self); herr == nil && held {
			return s.conflict(ctx, t, u, v, self)
		}
	}
	return err
}

// checkReferences fails with ErrUnknownReference when a self-reference
// column of rec names no row of the table in scope.
func (s *store) checkReferences(ctx context.Context, t *txn, rec adapters.Record) error {
	for _, c := range s.spec.SelfReferences {
		v, ok := rec[c]
		if !ok || v == nil {
			continue
		}
		var one int
		err := t.QueryRowxContext(ctx, "SELECT 1 FROM "+s.table+" WHERE "+quote(string(s.spec.Key))+" = ?"+s.scope+" LIMIT 1", append([]any{v}, s.sargs...)...).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%w: %s", adapters.ErrUnknownReference, c)
		case err != nil:
			return fmt.Errorf("checking %s: %w", c, err)
		}
	}
	return nil
}

func (s *store) Create(ctx context.Context, rec adapters.Record) (adapters.Record, error) {
	var out adapters.Record
	err := s.tx(ctx, func(t *txn) (err error) {
		if out, err = s.insertRow(ctx, t, rec); err != nil {
			return err
		}
		out, err = s.afterCreate(ctx, t, out)
		return err
	})
	if err == nil && s.galera && s.dryRun == nil && !s.settle(ctx, out[s.spec.Key], s.created(out)) {
		// On the Galera test cluster, one of a few hundred racing
		// creates was answered COMMIT OK while the cluster kept
		// another node's row instead. The row is read back, after the
		// cluster has applied everything (wsrep_sync_wait): a create
		// the cluster did not keep is a 503, which the client
		// retries, never a 201.
		s.logger.WarnContext(ctx, "a create committed on this Galera node is not in the cluster", "table", string(s.spec.Table))
		return nil, fmt.Errorf("%w: the cluster did not keep the created row", adapters.ErrUnavailable)
	}
	return out, err
}

// insertRow inserts rec with the scope, defaults and timestamps, and
// returns the row as read back. Its COMMIT goes on its own (see
// txn.execCommit for why).
func (s *store) insertRow(ctx context.Context, t *txn, rec adapters.Record) (adapters.Record, error) {
	row, rel := splitRelated(rec)
	join := s.splitJoined(rel)
	now := adapters.Now()
	for _, d := range s.spec.Defaults {
		if _, set := row[d.Column]; set || d.Computed() {
			continue
		}
		row[d.Column] = defaultValue(d, s.cols[d.Column], s.spec.Location, now)
	}
	for _, c := range append(slices.Clone(s.spec.Created), s.spec.Touch...) {
		row[c] = s.timeValue(c, now)
	}
	for c, v := range s.spec.Scope {
		row[c] = v
	}
	var key any
	switch s.spec.KeyKind {
	case adapters.KeyAutoIncrement:
		delete(row, s.spec.Key)
	case adapters.KeyUUID, adapters.KeyGenerated:
		key = s.newKey()
		row[s.spec.Key] = key
	case adapters.KeyProvided:
		key = row[s.spec.Key]
	}
	if err := s.computeDefaults(ctx, t, row); err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, t, s.withJoined(row, join), nil); err != nil {
		return nil, err
	}
	if err := s.checkReferences(ctx, t, row); err != nil {
		return nil, err
	}
	cols := make([]adapters.Column, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	args := make([]any, len(cols))
	keyArg := -1
	// keyCopies are the arguments of columns that copy the key (copy:
	// of the key column), which a replaced key replaces too.
	var keyCopies []int
	for i, c := range cols {
		names[i], marks[i], args[i] = quote(string(c)), "?", row[c]
		if c == s.spec.Key {
			keyArg = i
		}
		if key != nil && s.copiesKey(c) && canonical(row[c]) == canonical(key) {
			keyCopies = append(keyCopies, i)
		}
	}
	insert := "INSERT INTO " + s.table + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	// again replaces a generated key that a row already has, reporting
	// whether the insert should be tried again with the new one.
	attempts := 0
	again := func(err error) bool {
		if keyArg < 0 || !isDuplicate(err) || attempts >= maxKeyAttempts || !s.keyTaken(ctx, t, key) {
			return false
		}
		attempts++
		key = s.newKey()
		row[s.spec.Key], args[keyArg] = key, key
		for _, i := range keyCopies {
			row[cols[i]], args[i] = key, key
		}
		return true
	}
	if s.returning {
		// The row comes back from the INSERT itself, as it was stored:
		// no statement to read it back.
		out, err := s.insertReturning(ctx, t, insert, args)
		for err != nil && again(err) {
			out, err = s.insertReturning(ctx, t, insert, args)
		}
		if err != nil {
			return nil, s.duplicate(ctx, t, err, row, nil)
		}
		if err := s.writeJoined(ctx, t, out[s.spec.Key], join, nil, nil); err != nil {
			return nil, err
		}
		if err := s.writeRelations(ctx, t, out[s.spec.Key]); err != nil {
			return nil, err
		}
		if s.spec.VerifyInsert {
			if err := s.inScope(ctx, t, out[s.spec.Key]); err != nil {
				return nil, err
			}
		}
		if err := s.writeRelated(ctx, t, out[s.spec.Key], rel, true); err != nil {
			return nil, err
		}
		if err := s.loadRelated(ctx, t, []adapters.Record{out}); err != nil {
			return nil, fmt.Errorf("reading back new row: %w", err)
		}
		if err := s.verify(s.withJoined(row, join), out); err != nil {
			return nil, err
		}
		t.expect(out[s.spec.Key], s.created(out))
		return out, nil
	}
	res, err := t.ExecContext(ctx, insert, args...)
	for err != nil && again(err) {
		res, err = t.ExecContext(ctx, insert, args...)
	}
	if err != nil {
		return nil, s.duplicate(ctx, t, fmt.Errorf("inserting row: %w", err), row, nil)
	}
	if s.spec.KeyKind == adapters.KeyAutoIncrement {
		id, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("reading new key: %w", err)
		}
		key = id
	}
	if err := s.writeJoined(ctx, t, key, join, nil, nil); err != nil {
		return nil, err
	}
	if err := s.writeRelations(ctx, t, key); err != nil {
		return nil, err
	}
	if err := s.writeRelated(ctx, t, key, rel, true); err != nil {
		return nil, err
	}
	out, err := s.getOne(ctx, t, key, false, nil)
	if errors.Is(err, adapters.ErrNotFound) {
		// Read back in scope: a row outside it would be lost to SCIM.
		return nil, adapters.ErrOutOfScope
	}
	if err != nil {
		return nil, fmt.Errorf("reading back new row: %w", err)
	}
	if err := s.verify(s.withJoined(row, join), out); err != nil {
		return nil, err
	}
	t.expect(key, s.created(out))
	return out, nil
}

// created is the check (see txn.expect) that the new row out committed:
// the row with its key is in scope, holding its values of the columns
// that must be unique (a key the database reuses after a rollback and a
// restart names another row).
func (s *store) created(out adapters.Record) func(adapters.Record, bool) bool {
	cols := []adapters.Column{s.spec.Key}
	for _, u := range s.spec.Uniques {
		cols = append(cols, u.Column)
	}
	return wrote(out, cols)
}

// verify runs the spec's Verify on a write, inside its transaction.
func (s *store) verify(written, stored adapters.Record) error {
	if s.spec.Verify == nil {
		return nil
	}
	if err := s.spec.Verify(written, stored); err != nil {
		if !errors.Is(err, adapters.ErrNotStored) {
			err = fmt.Errorf("%w: %w", adapters.ErrNotStored, err)
		}
		return err
	}
	return nil
}

// maxKeyAttempts bounds how often a generated key that a row already has
// is replaced by a new one: twice is already beyond belief for random
// keys of any sensible length, and shorter ones fail with ErrConflict.
const maxKeyAttempts = 5

// newKey makes the key of a new row: a UUID or the spec's generator's.
func (s *store) newKey() string {
	if s.spec.KeyKind == adapters.KeyGenerated {
		return generate(s.spec.KeyGen)
	}
	return newUUID()
}

// keyTaken reports whether a row of the table, in scope or not, has the
// key.
func (s *store) keyTaken(ctx context.Context, t *txn, key any) bool {
	if s.spec.KeyKind != adapters.KeyUUID && s.spec.KeyKind != adapters.KeyGenerated {
		return false
	}
	var one int
	err := t.QueryRowxContext(ctx, "SELECT 1 FROM "+s.table+" WHERE "+quote(string(s.spec.Key))+" = ? LIMIT 1", key).Scan(&one)
	return err == nil
}

// generate makes a value of g, a ULID with the time to the millisecond.
// crypto/rand does not fail (the program stops if it does); a test's
// source that runs dry panics.
func generate(g adapters.Generator) string {
	v, err := g.New(time.Now())
	if err != nil {
		panic(fmt.Sprintf("generating a %s value: %v", g.Kind, err))
	}
	return v
}

// inScope fails with ErrOutOfScope unless the row with that key is in
// scope.
func (s *store) inScope(ctx context.Context, t *txn, key any) error {
	var one int
	err := t.QueryRowxContext(ctx, "SELECT 1 FROM "+s.table+" WHERE "+quote(string(s.spec.Key))+" = ?"+s.scope, append([]any{key}, s.sargs...)...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return adapters.ErrOutOfScope
	case err != nil:
		return fmt.Errorf("checking the new row is in scope: %w", err)
	}
	return nil
}

// insertReturning runs an INSERT of one row with RETURNING and returns
// the table's own columns of the row.
func (s *store) insertReturning(ctx context.Context, t *txn, insert string, args []any) (adapters.Record, error) {
	if t.dry != nil {
		t.dry.InfoContext(ctx, "dry run: would execute", "sql", insert, "args", redacted(args))
	}
	rows, err := t.QueryxContext(ctx, insert+" RETURNING "+s.list, args...)
	if err != nil {
		return nil, fmt.Errorf("inserting row: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("inserting row: %w", err)
		}
		return nil, errors.New("inserting row: INSERT ... RETURNING returned no row")
	}
	out, err := s.scan(rows)
	if err != nil {
		return nil, err
	}
	return out, rows.Err()
}

func (s *store) Update(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, error) {
	key, ok := s.keyArg(id)
	if !ok {
		return nil, adapters.ErrNotFound
	}
	var out adapters.Record
	err := s.tx(ctx, func(t *txn) (err error) {
		_, out, err = s.updateRow(ctx, t, key, fn, true, nil)
		return err
	})
	return out, err
}

// UpdateWithGroups is Update that reads the user's groups with the row
// it locks, unless the update moves the user to another group (see
// writeRow).
func (s *store) UpdateWithGroups(ctx context.Context, id string, fn func(adapters.Record) (adapters.Record, error)) (adapters.Record, adapters.GroupsRead, error) {
	key, ok := s.keyArg(id)
	if !ok {
		return nil, adapters.GroupsRead{}, adapters.ErrNotFound
	}
	var out adapters.Record
	var groups adapters.GroupsRead
	err := s.tx(ctx, func(t *txn) (err error) {
		groups = adapters.GroupsRead{}
		_, out, err = s.updateRow(ctx, t, key, fn, true, &groups)
		return err
	})
	if err != nil {
		return out, adapters.GroupsRead{}, err
	}
	return out, groups, nil
}

// writeRow locks the row, lets fn compute the new values and writes the
// columns that changed. It returns the row before and after. last says
// that nothing follows in the transaction: an UPDATE that leaves the row
// known, with nothing to read back, then carries the COMMIT.
func (s *store) writeRow(ctx context.Context, t *txn, key any, fn func(adapters.Record) (adapters.Record, error), last bool, groups *adapters.GroupsRead) (cur, out adapters.Record, err error) {
	cur, err = s.getOne(ctx, t, key, true, groups)
	if err != nil {
		return nil, nil, err
	}
	next, err := fn(cloneRecord(cur))
	if err != nil {
		return nil, nil, err
	}
	nextRow, nextRel := splitRelated(next)
	changed := adapters.Record{}
	var renamed any // the new key, when the update renames the row
	for c, v := range nextRow {
		if c == s.spec.Key {
			if s.spec.RenameKey && v != nil && canonical(v) != canonical(cur[c]) {
				renamed = v
				changed[c] = v
			}
			continue
		}
		if _, scoped := s.spec.Scope[c]; scoped {
			continue
		}
		if old, ok := cur[c]; ok && v != adapters.DBDefault && canonical(old) == canonical(v) && (old == nil) == (v == nil) {
			continue
		}
		changed[c] = v
	}
	rel := adapters.Record{}
	for c, v := range nextRel {
		if !sameRelated(cur[c], v) {
			rel[c] = v
		}
	}
	if len(changed) == 0 && len(rel) == 0 {
		return cur, cur, nil
	}
	if m := s.groupsOf; groups != nil && m != nil && m.ucol != "" {
		if _, moved := changed[m.spec.UserColumn]; moved {
			groups.Done = false // read with the row, they are those it leaves
		}
	}
	join := s.splitJoined(maps.Clone(rel))
	if err := s.checkUnique(ctx, t, s.withJoined(changed, join), key); err != nil {
		return nil, nil, err
	}
	if err := s.writeJoined(ctx, t, key, join, cur, next); err != nil {
		return nil, nil, err
	}
	if err := s.writeRelated(ctx, t, key, withoutJoined(rel), false); err != nil {
		return nil, nil, err
	}
	if err := s.checkReferences(ctx, t, changed); err != nil {
		return nil, nil, err
	}
	now := adapters.Now()
	for _, c := range s.spec.Touch {
		changed[c] = s.timeValue(c, now)
	}
	for _, c := range s.spec.Increment {
		// The row is locked: reading and adding one is safe.
		n, _ := strconv.ParseInt(canonical(cur[c]), 10, 64)
		changed[c] = n + 1
	}
	cols := make([]adapters.Column, 0, len(changed))
	for c := range changed {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	sets := make([]string, len(cols))
	args := make([]any, 0, len(cols)+1+len(s.sargs))
	for i, c := range cols {
		if changed[c] == adapters.DBDefault {
			sets[i] = quote(string(c)) + " = DEFAULT"
			continue
		}
		sets[i] = quote(string(c)) + " = ?"
		args = append(args, changed[c])
	}
	// The row was read in scope under lock (cur): the relations need no
	// second look.
	args = append(append(args, key), s.lockedArgs...)
	out, known := s.known(cur, changed, rel)
	if renamed != nil {
		// The referring columns follow, and the row is read back by its
		// new key.
		known, last = false, false
	}
	if known {
		// What the UPDATE stores is known before it runs.
		if err := s.verify(changed, out); err != nil {
			return nil, nil, err
		}
		if len(cols) > 0 {
			t.expect(key, wrote(out, cols))
		}
	}
	// Before the row's UPDATE, which may carry the COMMIT.
	if err := s.moveMemberships(ctx, t, cur, changed); err != nil {
		return nil, nil, err
	}
	if len(cols) > 0 {
		update := "UPDATE " + s.table + " SET " + strings.Join(sets, ", ") + " WHERE " + quote(string(s.spec.Key)) + " = ?" + s.lockedScope
		if last && known {
			err = t.execCommit(ctx, update, args...)
		} else {
			_, err = t.ExecContext(ctx, update, args...)
		}
		if err != nil {
			return nil, nil, s.duplicate(ctx, t, fmt.Errorf("updating row: %w", err), changed, key)
		}
	}
	if known {
		return cur, out, nil
	}
	if renamed != nil {
		if err := s.renameRefs(ctx, t, key, renamed); err != nil {
			return nil, nil, err
		}
		key = renamed
	}
	out, err = s.getOne(ctx, t, key, false, nil)
	if err != nil {
		return nil, nil, err
	}
	if err := s.verify(s.withJoined(changed, join), out); err != nil {
		return nil, nil, err
	}
	if len(cols) > 0 {
		t.expect(key, wrote(out, cols))
	}
	return cur, out, nil
}

// membershipValue is the value a membership's join rows hold for the
// row with that key: the key, or the row's column the membership names
// users by (MembershipRef.Ref).
func membershipValue(m adapters.MembershipRef, key any, row adapters.Record) any {
	if m.Ref == "" {
		return key
	}
	return row[m.Ref]
}

// moveMemberships moves the join rows of the memberships that name users
// by a column of theirs (MembershipRef.Ref, a login) that the update
// changed to the new value, as the application would find its user by
// it.
func (s *store) moveMemberships(ctx context.Context, t *txn, cur, changed adapters.Record) error {
	for _, m := range s.spec.Memberships {
		if m.Ref == "" {
			continue
		}
		v, ok := changed[m.Ref]
		if !ok || cur[m.Ref] == nil || canonical(cur[m.Ref]) == canonical(v) {
			continue
		}
		c := quote(string(m.Column))
		if _, err := t.ExecContext(ctx, "UPDATE "+quote(string(m.Table))+" SET "+c+" = ? WHERE "+c+" = ?", v, cur[m.Ref]); err != nil {
			return fmt.Errorf("moving memberships to the user's new %s: %w", m.Ref, err)
		}
	}
	return nil
}

// renameRefs moves every column of KeyRefs holding the key from to the
// key to, after the row itself was renamed.
func (s *store) renameRefs(ctx context.Context, t *txn, from, to any) error {
	for _, r := range s.spec.KeyRefs {
		c := quote(string(r.Column))
		if _, err := t.ExecContext(ctx, "UPDATE "+quote(string(r.Table))+" SET "+c+" = ? WHERE "+c+" = ?", to, from); err != nil {
			return fmt.Errorf("renaming the key in %s.%s: %w", r.Table, r.Column, err)
		}
	}
	return nil
}

// known returns the row as an update of the locked row cur leaves it,
// without reading it back, when that is certain: cur with the changed
// columns replaced by the values the server stores for them (see
// storedValue). It reports false when the server may store something
// else (a value it converts, a column it computes, a trigger), when
// child rows or key/value entries changed (rel), and when a column that
// decides the scope changed, for the read-back to find that the row left
// the scope (which fails the update).
func (s *store) known(cur, changed, rel adapters.Record) (adapters.Record, bool) {
	if !s.exact || len(rel) > 0 {
		return nil, false
	}
	out := cloneRecord(cur)
	for c, v := range changed {
		if s.scoping[c] {
			return nil, false
		}
		if _, read := cur[c]; !read {
			continue // written, never read (a lookup column)
		}
		stored, ok := storedValue(s.cols[c], v)
		if !ok {
			return nil, false
		}
		out[c] = stored
	}
	return out, true
}

// storedValue returns v as a read of a column of that type returns it
// after v was written (normalized, as scan makes it), for the values the
// server stores unchanged: integers in range, valid UTF-8 text that fits
// a utf8mb4 VARCHAR or TEXT column, whole-second DATETIMEs, and NULL in a
// nullable column. It reports false for anything the server might
// convert, round, pad, truncate or refuse.
func storedValue(ci adapters.ColumnInfo, v any) (any, bool) {
	if v == nil {
		return nil, ci.Nullable
	}
	switch ci.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		n, ok := integerValue(v)
		if !ok {
			return nil, false
		}
		bits := map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}[ci.DataType]
		if ci.Unsigned {
			if n < 0 || bits < 64 && uint64(n) >= 1<<bits {
				return nil, false
			}
			return uint64(n), true
		}
		if bits < 64 && (n < -(1<<(bits-1)) || n >= 1<<(bits-1)) {
			return nil, false
		}
		return n, true
	case "varchar", "tinytext", "text", "mediumtext", "longtext":
		str, ok := v.(string)
		if !ok || ci.Charset != "utf8mb4" || !utf8.ValidString(str) || ci.MaxLength > 0 && int64(len(str)) > ci.MaxLength {
			return nil, false
		}
		return str, true
	case "datetime":
		t, ok := v.(time.Time)
		if !ok || t.Nanosecond() != 0 || t.Year() < 1000 || t.Year() > 9999 {
			return nil, false
		}
		return t.UTC(), true
	}
	return nil, false
}

// integerValue returns an integer Go value (or a bool, stored as 0 or 1)
// as an int64.
func integerValue(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint64:
		return int64(x), x <= 1<<63-1
	case uint32:
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

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

// touch sets the row's modified-time columns and returns it read back.
func (s *store) touch(ctx context.Context, t *txn, key any) (adapters.Record, error) {
	now := adapters.Now()
	sets := make([]string, 0, len(s.spec.Touch)+len(s.spec.Increment))
	args := make([]any, 0, cap(sets)+1+len(s.sargs))
	for _, c := range s.spec.Touch {
		sets = append(sets, quote(string(c))+" = ?")
		args = append(args, s.timeValue(c, now))
	}
	for _, c := range s.spec.Increment {
		sets = append(sets, quote(string(c))+" = "+quote(string(c))+" + 1")
	}
	args = append(append(args, key), s.sargs...)
	if _, err := t.ExecContext(ctx, "UPDATE "+s.table+" SET "+strings.Join(sets, ", ")+" WHERE "+quote(string(s.spec.Key))+" = ?"+s.scope, args...); err != nil {
		return nil, fmt.Errorf("updating modified time: %w", err)
	}
	out, err := s.getOne(ctx, t, key, false, nil)
	if err == nil {
		t.expect(key, wrote(out, s.spec.Touch))
	}
	return out, err
}

// timeValue converts t to what column c stores: a time for DATETIME and
// TIMESTAMP, Unix seconds for integer columns.
func (s *store) timeValue(c adapters.Column, t time.Time) any {
	if ci := s.cols[c]; isInteger(ci.DataType) && slices.Contains(s.spec.Milliseconds, c) {
		return t.UnixMilli()
	}
	return timeIn(s.cols[c], s.spec.Location, t)
}

// timeIn converts t to what a column of that type stores: Unix seconds in
// an integer column, wall-clock time in loc (nil: UTC) in a DATETIME,
// the instant in a TIMESTAMP.
func timeIn(ci adapters.ColumnInfo, loc *time.Location, t time.Time) any {
	switch {
	case isInteger(ci.DataType):
		return t.Unix()
	case ci.DataType == "datetime" && loc != nil:
		w := t.In(loc)
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	default:
		return t.UTC()
	}
}

// defaultValue is the value a Default writes into a column of that type.
func defaultValue(d adapters.Default, ci adapters.ColumnInfo, loc *time.Location, now time.Time) any {
	switch d.Kind {
	case adapters.DefaultNow:
		if d.Milliseconds && isInteger(ci.DataType) {
			return now.UnixMilli()
		}
		return timeIn(ci, loc, now)
	case adapters.DefaultUUID:
		return newUUID()
	case adapters.DefaultGenerated:
		return generate(d.Gen)
	default:
		return d.Value
	}
}

func cloneRecord(r adapters.Record) adapters.Record {
	out := make(adapters.Record, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func isInteger(dataType string) bool {
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		return true
	}
	return false
}

func isText(dataType string) bool {
	switch dataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json", "decimal":
		return true
	}
	return false
}

// normalize turns what the driver scanned into the Go type the Record
// contract promises for the column.
func normalize(c adapters.ColumnInfo, v any) any {
	switch x := v.(type) {
	case []byte:
		switch {
		case isText(c.DataType):
			return string(x)
		case isInteger(c.DataType):
			if c.Unsigned {
				if n, err := strconv.ParseUint(string(x), 10, 64); err == nil {
					return n
				}
			}
			if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return n
			}
		case c.DataType == "bit":
			var n int64
			for _, b := range x {
				n = n<<8 | int64(b)
			}
			return n
		case c.DataType == "float" || c.DataType == "double":
			if f, err := strconv.ParseFloat(string(x), 64); err == nil {
				return f
			}
		}
		return slices.Clone(x)
	case int32:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int:
		return int64(x)
	case uint32:
		return uint64(x)
	case time.Time:
		if x.Location() == time.UTC {
			return v // as it is, not boxed again
		}
		return x.UTC()
	}
	return v
}

// canonical renders a column value for equality tests across the Go types a
// value may arrive in (int vs int64, bool vs 1, []byte vs string).
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		return x
	case int64:
		// Keys, as ids are made of them on every read: as fmt.Sprint
		// writes them, without its reflection.
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	}
	return fmt.Sprint(v)
}

var collationRE = regexp.MustCompile(`^([a-z0-9]+)_[a-z0-9_]+$`)

// sameRecord reports whether two reads of a row are equal.
func sameRecord(a, b adapters.Record) bool {
	if len(a) != len(b) {
		return false
	}
	for c, v := range a {
		if !sameRelated(v, b[c]) {
			return false
		}
	}
	return true
}

var _ adapters.ValueCounter = (*store)(nil)

var _ adapters.IntRanger = (*store)(nil)

// IntRange reads the least non-zero and the greatest value of integer
// column c over the rows in scope, in one aggregate query.
func (s *store) IntRange(ctx context.Context, c adapters.Column) (int64, int64, bool, error) {
	if _, ok := s.cols[c]; !ok {
		return 0, 0, false, fmt.Errorf("reading the range of %s: %w", c, errNotDescribed)
	}
	q := quote(string(c))
	var least, greatest sql.NullInt64
	err := s.db.QueryRowxContext(ctx, "SELECT MIN(NULLIF("+q+", 0)), MAX(NULLIF("+q+", 0)) FROM "+s.table+" WHERE 1=1"+s.scope, s.sargs...).Scan(&least, &greatest)
	if err != nil {
		return 0, 0, false, classify(fmt.Errorf("reading the range of %s: %w", c, err))
	}
	if !least.Valid || !greatest.Valid {
		return 0, 0, false, nil
	}
	return least.Int64, greatest.Int64, true, nil
}

// maxCountedValues bounds the groups CountValues reads: a column of
// statuses has a handful.
const maxCountedValues = 10000

// CountValues counts the rows in scope by the value of column c, in one
// grouped query; values beyond the limit are summed into more (of the
// first maxCountedValues values only).
func (s *store) CountValues(ctx context.Context, c adapters.Column, limit int) ([]adapters.ValueCount, int64, error) {
	ci, ok := s.cols[c]
	if !ok {
		return nil, 0, fmt.Errorf("counting values of %s: %w", c, errNotDescribed)
	}
	q := quote(string(c))
	sel, group := q, q
	if isText(ci.DataType) {
		// Values told apart byte for byte, as the mapping reads them:
		// the collation would put 'Active' and 'active ' with 'active'.
		sel, group = "MIN("+q+")", "CAST("+q+" AS BINARY)"
	}
	rows, err := s.db.QueryxContext(ctx, "SELECT "+sel+", COUNT(*) FROM "+s.table+" WHERE 1=1"+s.scope+" GROUP BY "+group+" ORDER BY COUNT(*) DESC, "+group+" LIMIT "+strconv.Itoa(maxCountedValues), s.sargs...)
	if err != nil {
		return nil, 0, classify(fmt.Errorf("counting values of %s: %w", c, err))
	}
	defer rows.Close()
	var out []adapters.ValueCount
	var more int64
	for rows.Next() {
		var v any
		var n int64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, 0, fmt.Errorf("counting values of %s: %w", c, err)
		}
		if len(out) >= limit {
			more += n
			continue
		}
		out = append(out, adapters.ValueCount{Value: normalize(ci, v), Rows: n})
	}
	return out, more, rows.Err()
}
