package reference

import "maps"

// ODSRow is one raw log row before cleaning.
type ODSRow struct {
	Dt       string  // partition, yyyymmdd
	DedupKey *string // identifies one log record; copies of a record share it; nil is NULL
	User     *string
	Event    *string
	TS       int64 // epoch time in units of the time column's precision (seconds, milliseconds, ...)
	Dims     map[string]*string
	// Hour is the row's hour partition (00 to 23) in an ODS table
	// partitioned by day and hour, where the sync wrote it; "" in a daily
	// one. Clean ignores it: copies of a record in different hours of one
	// Dt are one record to a DW built a day at a time. A DW built an hour at
	// a time sees one hour partition per run: clean each hour's rows alone.
	Hour string
}

// CleanRules are the ODS to DW cleaning options.
type CleanRules struct {
	KnownEvents map[string]bool // nil keeps every event
	Dedup       bool
}

// Clean turns ODS rows into DW rows, keeping the input order of the rows it keeps:
//
//  1. rows whose User or Event is NULL or empty are dropped;
//  2. when KnownEvents is not nil, rows whose Event is not in it are dropped;
//  3. when Dedup is set, of the rows left with one Dt and one non-NULL DedupKey only the first
//     is kept (they are copies of one log record). Rows with a NULL DedupKey are all kept, and
//     equal keys in different partitions are different records.
func Clean(rows []ODSRow, rules CleanRules) []Row {
	type key struct{ dt, dedup string }
	seen := map[key]bool{}
	var out []Row
	for _, r := range rows {
		if r.User == nil || *r.User == "" || r.Event == nil || *r.Event == "" {
			continue
		}
		if rules.KnownEvents != nil && !rules.KnownEvents[*r.Event] {
			continue
		}
		if rules.Dedup && r.DedupKey != nil {
			k := key{r.Dt, *r.DedupKey}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, Row{
			Dt:    r.Dt,
			User:  *r.User,
			TS:    r.TS,
			Event: *r.Event,
			Dims:  maps.Clone(r.Dims),
		})
	}
	return out
}
