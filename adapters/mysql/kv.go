package mysql

import (
	"maps"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapters"
)

// kvKeyTerms renders " AND (...)" selecting the entries of keys over the
// key/value table's unprefixed columns, and its arguments in order: keys
// with no further scope in one IN list, then one term per key with the
// further constant columns KeyScope gives it.
func (r *related) kvKeyTerms(keys []string) (string, []any) {
	kv := r.kv
	kc := quote(string(kv.Key))
	var plain, args []any
	var terms []string
	for _, k := range keys {
		extra := kv.KeyScope[k]
		if len(extra) == 0 {
			plain = append(plain, k)
			continue
		}
		var b strings.Builder
		b.WriteString("(" + kc + " = ?")
		args = append(args, k)
		for _, c := range slices.Sorted(maps.Keys(extra)) {
			b.WriteString(" AND " + quote(string(c)) + " = ?")
			args = append(args, extra[c])
		}
		b.WriteString(")")
		terms = append(terms, b.String())
	}
	if len(plain) > 0 {
		terms = append([]string{kc + " IN (" + marks(len(plain)) + ")"}, terms...)
		args = append(plain, args...)
	}
	if len(terms) == 0 {
		return " AND 1=0", nil
	}
	return " AND (" + strings.Join(terms, " OR ") + ")", args
}

// kvExtra returns the further constant columns of key's entries, as
// ", `c`" text, and their values.
func (r *related) kvExtra(key string) (string, []any) {
	extra := r.kv.KeyScope[key]
	var cols strings.Builder
	vals := make([]any, 0, len(extra))
	for _, c := range slices.Sorted(maps.Keys(extra)) {
		cols.WriteString(", " + quote(string(c)))
		vals = append(vals, extra[c])
	}
	return cols.String(), vals
}

// fillMissing gives each record the stored value its missing entries
// stand for.
func (r *related) fillMissing(recs []adapters.Record) {
	if len(r.kv.Missing) == 0 {
		return
	}
	for _, rec := range recs {
		for k, v := range r.kv.Missing {
			// NULL or empty, as a filter's pr sees it.
			if c := adapters.KVColumn(k); rec[c] == nil || rec[c] == "" {
				rec[c] = v
			}
		}
	}
}
