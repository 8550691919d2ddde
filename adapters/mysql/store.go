package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/scimbridge/scimbridge/adapters"
)

var _ adapters.Store = (*store)(nil)

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
