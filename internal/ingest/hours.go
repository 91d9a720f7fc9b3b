package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/duckdb"
)

// Tables partitioned by day and hour (Options.HourPartition): the hour is a
// column of the rows, checked once they are inserted, in the load's
// transaction, so that a bad hour fails the whole load.

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
func (l *loader) hourMissing() error {
	return fmt.Errorf("a row has no %s value; %s is partitioned by hour: give every row its hour, 00 to 23", l.opts.HourPartition, l.opts.Table)
}

// checkHours finds a row of the loaded days whose hour is not two digits
// from 00 to 23.
func (l *loader) checkHours(ctx context.Context, tx *duckdb.Tx, days []string) error {
	if l.opts.HourPartition == "" || len(days) == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(days)), ", ")
	q := fmt.Sprintf(`SELECT %[1]s, %[2]s FROM %[3]s WHERE %[1]s IN (%[4]s) AND (%[2]s IS NULL OR NOT regexp_full_match(%[2]s, '[01][0-9]|2[0-3]')) LIMIT 1`,
		quote(l.opts.Partition), quote(l.opts.HourPartition), quote(l.opts.Table), marks)
	args := make([]any, len(days))
	for i, d := range days {
		args[i] = d
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		return rows.Err()
	}
	var day string
	var hour sql.NullString
	if err := rows.Scan(&day, &hour); err != nil {
		return err
	}
	if !hour.Valid {
		return fmt.Errorf("a row of %s=%s has no %s value; %s is partitioned by hour: give every row its hour, 00 to 23", l.opts.Partition, day, l.opts.HourPartition, l.opts.Table)
	}
	return fmt.Errorf("a row of %s=%s has %s %q; an hour partition value is two digits from 00 to 23", l.opts.Partition, day, l.opts.HourPartition, hour.String)
}
