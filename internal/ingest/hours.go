package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/duckdb"
)

// Tables partitioned by day and hour (Options.HourPartition): the hour is a
// column of the rows, checked once they are inserted, in the load's
// transaction, so that a bad hour fails the whole load; then hourRow finds
// the file and line of the first bad hour.

// hourValues are the partitions a load of days writes in an hourly table:
// each hour of each day, "day/hour" as the engine names them.
func hourValues(days []string) []string {
	var out []string
	for _, day := range days {
		for _, h := range bizdate.Hours {
			out = append(out, day+"/"+h)
		}
	}
	return out
}

// noHour reports whether DuckDB refused to insert the rows of in because
// one has no hour (the table's hour column is NOT NULL), and read the file
// with its own keys: when it read a JSON file beside its check, a key that
// names the hour column in another case reads as no hour, and the load
// runs again.
func (l *loader) noHour(in *input) bool {
	if l.opts.HourPartition == "" || in.err == nil || (l.beside && in.scan != nil && in.scan.respelled()) {
		return false
	}
	return strings.Contains(in.err.Error(), "NOT NULL constraint failed: "+l.opts.Table+"."+l.opts.HourPartition)
}

// hourMissing is the error of a row without an hour.
func (l *loader) hourMissing() string {
	return fmt.Sprintf("no %s value; %s is partitioned by hour: give every row its hour, 00 to 23, or load one hour's file with --bizdate yyyymmdd --hour HH", l.opts.HourPartition, l.opts.Table)
}

// hourMsg is the error of a row whose hour, NULL or not, is not 00 to 23.
func (l *loader) hourMsg(hour sql.NullString) string {
	if !hour.Valid {
		return l.hourMissing()
	}
	return fmt.Sprintf("%s %q; an hour partition value is two digits from 00 to 23", l.opts.HourPartition, hour.String)
}

// isHour is the SQL condition that expr, a VARCHAR, is an hour partition
// value.
func isHour(expr string) string {
	return fmt.Sprintf("regexp_full_match(%s, '[01][0-9]|2[0-3]')", expr)
}

// hourRow finds the first row of the files, in file and line order, with
// no hour or one not 00 to 23: where the bad hour that checkHours or
// DuckDB's NOT NULL found in the table came from. When none is, it returns
// the row checkHours found, without a file or line.
func (l *loader) hourRow(ctx context.Context, tx *duckdb.Tx) error {
	bad := func(hour string) string { return hour + " IS NULL OR NOT " + isHour(hour) }
	if err := l.firstHourRow(ctx, tx, bad, l.hourMsg); err != nil {
		return err
	}
	// None in the files: the row was in the table before a load that
	// appends to its day.
	if l.badHour == nil {
		return errors.New("a row has " + l.hourMissing())
	}
	return fmt.Errorf("a row of %s=%s already in %s has %s", l.opts.Partition, l.badHour.day, l.opts.Table, l.hourMsg(l.badHour.hour))
}

// otherHour is the error of the first row of the files, in file and line
// order, whose hour is not Options.Hour; nil when every row's is, or is
// missing (the insert gives such a row Options.Hour).
func (l *loader) otherHour(ctx context.Context, tx *duckdb.Tx) error {
	bad := func(hour string) string { return hour + " <> " + sqlString(l.opts.Hour) }
	return l.firstHourRow(ctx, tx, bad, func(h sql.NullString) string {
		return fmt.Sprintf("%s %q, not %s: --hour %s loads that hour alone (load each hour's rows with its own --hour)", l.opts.HourPartition, h.String, l.opts.Hour, l.opts.Hour)
	})
}

// firstHourRow is the error, msg of its hour, of the first row of the
// files, in file and line order, whose hour (NULL in a file without the
// hour column), as VARCHAR, bad (an SQL condition of it) holds of; nil when
// no row's does.
func (l *loader) firstHourRow(ctx context.Context, tx *duckdb.Tx, bad func(hour string) string, msg func(sql.NullString) string) error {
	col := slices.IndexFunc(l.cols, func(c column) bool { return strings.EqualFold(c.Name, l.opts.HourPartition) })
	for fi, in := range l.files {
		src, number, err := l.diagSource(fi)
		if err != nil {
			return err
		}
		if src == nil {
			continue
		}
		hour := "NULL"
		if expr, ok := src.exprs[col]; col >= 0 && ok {
			hour = fmt.Sprintf("CAST(%s AS VARCHAR)", expr)
		}
		q := fmt.Sprintf("SELECT fgen_row, fgen_hour FROM (SELECT %s AS fgen_row, %s AS fgen_hour FROM %s) WHERE %s ORDER BY fgen_row LIMIT 1",
			number, hour, src.from, bad("fgen_hour"))
		var row int64
		var h sql.NullString
		err = tx.QueryRow(ctx, q, nil, &row, &h)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.path, err)
		}
		rerr, err := l.rowError(fi, row, msg(h))
		if err != nil {
			return err
		}
		return rerr
	}
	return nil
}

// badHour is a row of an hourly table, in the table, without an hour or
// with one not 00 to 23: its day, and its hour.
type badHour struct {
	day  string
	hour sql.NullString
}

// checkHours finds a row of the loaded days, in the table, without an hour
// or with one not two digits from 00 to 23; nil when every row has one.
func (l *loader) checkHours(ctx context.Context, tx *duckdb.Tx, days []string) (*badHour, error) {
	if l.opts.HourPartition == "" || len(days) == 0 {
		return nil, nil
	}
	q := fmt.Sprintf(`SELECT %[1]s, %[2]s FROM %[3]s WHERE %[1]s IN (%[4]s) AND (%[2]s IS NULL OR NOT %[5]s) LIMIT 1`,
		quote(l.opts.Partition), quote(l.opts.HourPartition), quote(l.opts.Table), sqlList(days), isHour(quote(l.opts.HourPartition)))
	var bad badHour
	switch err := tx.QueryRow(ctx, q, nil, &bad.day, &bad.hour); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &bad, nil
}

// markAppendedHours notes as written the hours of days that an appending
// load added rows to, which have more rows than before it: the others did
// not change, and plan should not say they did (marking all 24 made every
// hour's DW job pending, "hh=00 changed after it was written", for rows
// appended to hour 15).
func (l *loader) markAppendedHours(ctx context.Context, tx *duckdb.Tx, days []string, before map[string]int64) error {
	if l.opts.Hour != "" {
		// The hour has landed, rows or none: its partition exists now.
		if err := tx.AddPartitions(ctx, l.opts.Table, []string{l.opts.Day + "/" + l.opts.Hour}); err != nil {
			return err
		}
	}
	after, err := tx.PartitionRows(ctx, l.opts.Table, l.opts.Partition, l.opts.HourPartition, days)
	if err != nil {
		return err
	}
	var changed []string
	for _, k := range hourValues(days) {
		if after[k] != before[k] {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return tx.MarkPartitions(ctx, l.opts.Table, changed)
}
