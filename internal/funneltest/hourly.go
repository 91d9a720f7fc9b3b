package funneltest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/reference"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/models"
)

// Hourly tables. A row's hour partition, like its day partition, is where
// the sync wrote it, not a reading of its time (reference.ODSRow.Hour).
// SpreadHours puts most rows in the hour of their time in UTC+8 rounded
// down to a multiple of 6 (00, 06, 12 or 18), so that an hour partition
// holds enough rows for chains, ties and window edges, and most of a day's
// 24 hours are empty, as hours with no logs are; some rows are written late
// into a later hour, and some records twice, into two hours.

var utc8 = time.FixedZone("UTC+8", 8*3600)

// Hour is the hour partition of an ODS row: r.Hour, or when it is not set
// the hour of its time in UTC+8 rounded down to a multiple of 6.
func (l Layout) Hour(r reference.ODSRow) string {
	if r.Hour != "" {
		return r.Hour
	}
	units := max(l.Units, 1)
	sec := r.TS / units
	if r.TS%units < 0 {
		sec-- // floor for times before 1970
	}
	h := time.Unix(sec, 0).In(utc8).Hour()
	return fmt.Sprintf("%02d", h/6*6)
}

// SpreadHours sets the hour partition of every row (Layout.Hour), then
// moves about one row in ten to a later hour of its day (the sync wrote it
// late: a chain across it is split between two hour partitions) and adds,
// for about one row in twenty, a copy of the record in a later hour (a
// replay: one record to a daily DW, which dedups the whole day, and two to
// an hourly one, which sees an hour at a time). The result depends only on
// r's state and rows.
func (l Layout) SpreadHours(r *rand.Rand, rows []reference.ODSRow) []reference.ODSRow {
	later := func(h string) string {
		n := hourNumber(h)
		if n == 23 {
			return h
		}
		return fmt.Sprintf("%02d", n+1+r.IntN(23-n))
	}
	out := make([]reference.ODSRow, 0, len(rows)+len(rows)/10)
	for _, row := range rows {
		row.Hour = l.Hour(row)
		if r.IntN(10) == 0 {
			row.Hour = later(row.Hour)
		}
		out = append(out, row)
		if r.IntN(20) == 0 {
			c := row
			c.Hour = later(row.Hour)
			out = append(out, c) // shares the pointers: rows are never modified
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func hourNumber(h string) int {
	var n int
	fmt.Sscanf(h, "%d", &n)
	return n
}

// HourlyDW returns the DW rows of an hourly DW table (cfg's [dw] has an
// hour_partition) by "day/hour": each hour partition of the ODS rows of
// days cleaned on its own, as the hourly DW node cleans it.
func (l Layout) HourlyDW(rows []reference.ODSRow, rules reference.CleanRules, days []string) map[string][]reference.Row {
	byHour := map[string][]reference.ODSRow{}
	for _, r := range rows {
		if slices.Contains(days, r.Dt) {
			k := r.Dt + "/" + l.Hour(r)
			byHour[k] = append(byHour[k], r)
		}
	}
	out := map[string][]reference.Row{}
	for k, rs := range byHour {
		out[k] = reference.Clean(rs, rules)
	}
	return out
}

// DayRows joins the hour partitions of an hourly DW's days: what a daily
// report reads.
func DayRows(dw map[string][]reference.Row, days []string) []reference.Row {
	var out []reference.Row
	for _, day := range days {
		for _, h := range bizdate.Hours {
			out = append(out, dw[day+"/"+h]...)
		}
	}
	return out
}

// HourlyResults computes an hourly funnel (grain = "hour") from the DW rows
// of each hour partition: for each day and each of its 24 hours, the
// funnel over exactly the rows of that hour partition, as a daily funnel is
// over the rows of its day (docs/funnels.md). The reference computes a day;
// here it is given one hour's rows, and each result's Dt becomes
// "day/hour", as HourKeys writes the report rows.
func HourlyResults(f reference.Funnel, dw map[string][]reference.Row, days []string) []reference.Result {
	var out []reference.Result
	for _, day := range days {
		for _, h := range bizdate.Hours {
			for _, res := range reference.Compute(f, dw[day+"/"+h], []string{day}) {
				res.Dt = day + "/" + h
				out = append(out, res)
			}
		}
	}
	return out
}

// HourKeys writes the day of each report row of an hourly funnel as
// "day/hour", for Diff against HourlyResults.
func HourKeys(f *models.Funnel, rows []report.Row) []report.Row {
	out := slices.Clone(rows)
	for i := range out {
		if f.Hourly() {
			out[i].Dt += "/" + out[i].Hour
		}
	}
	return out
}
