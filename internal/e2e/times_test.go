//go:build cgo

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/funneltest"
)

// stringTimesConfig is the shipped config with an ordered funnel (1h) over
// ts as a STRING "yyyy-MM-dd HH:mm:ss" in zone.
func stringTimesConfig(t *testing.T, zone string) []byte {
	t.Helper()
	cfg, err := funneltest.EditConfig(shipped(t), concat(timeOf("STRING"), durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"),
		funneltest.Set(f0+".time_column", map[string]any{"name": "ts", "format": "yyyy-MM-dd HH:mm:ss", "timezone": zone}),
	})...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestUnreadableTimesAreDropped: rows whose STRING time does not read in
// its format reach the ODS (a sync task writes what it gets), the DW node
// drops them, the reports equal the reference of the other rows, and plan
// counts them per day with an example.
func TestUnreadableTimesAreDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "unreadable-times", stringTimesConfig(t, "UTC"))
	rows := randomDay(71, d1)
	e.load(rows, 1)
	// Stage rows of a known user, each of which would change the counts.
	bad := []string{"2024-02-29T10:00:00", "2024-02-30 10:00:00", "yesterday", "2024-02-29 25:00:00"}
	for i, ts := range bad {
		stmt := fmt.Sprintf(`INSERT INTO "ods_user_trace_data" ("md5", "uid", "ts", "customize_event", "dt") VALUES ('bad%d', 'u1', '%s', '%s', '%s')`,
			i, ts, []string{"browse", "click", "purchase", "browse"}[i], d1)
		e.exec(stmt)
	}
	p := e.plan([]string{d1})
	want := fmt.Sprintf(`4 rows of ods_user_trace_data on %s have a ts that does not read as "yyyy-MM-dd HH:mm:ss" (e.g. "2024-02-29 25:00:00")`, d1)
	found := false
	for _, d := range p.Days {
		for _, w := range d.Warnings {
			found = found || strings.HasPrefix(w, want)
		}
	}
	if !found {
		t.Errorf("plan warnings lack %q: %+v", want, p.Days)
	}
	e.mustApply(d1)
	e.checkDW(rows, []string{d1})
	e.checkReports(rows, []string{d1})
}

// TestStringTimesAcrossDaylightSaving pins how the local engine reads a
// STRING wall time that its zone skips or repeats (docs/funnels.md): as
// DuckDB's timezone() (ICU) does, with the zone's standard-time offset, so
// a skipped 02:30 is 03:30 daylight time and a repeated 01:30 is the later
// instant. Such a time loads: it exists on the calendar, and the DW node
// keeps its row.
func TestStringTimesAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "dst", stringTimesConfig(t, "America/New_York"))
	const spring, fall = "20210314", "20211107"
	for i, r := range []struct{ uid, ts, event, day string }{
		// 01:59 EST to the skipped 02:30 (03:30 EDT): 31 minutes.
		{"s1", "2021-03-14 01:59:00", "browse", spring},
		{"s1", "2021-03-14 02:30:00", "click", spring},
		// The skipped 02:30 (07:30 UTC) comes after 03:10 EDT (07:10 UTC).
		{"s2", "2021-03-14 02:30:00", "browse", spring},
		{"s2", "2021-03-14 03:10:00", "click", spring},
		// 00:59 EDT to the repeated 01:30 read as EST: 91 minutes, over the window.
		{"f1", "2021-11-07 00:59:00", "browse", fall},
		{"f1", "2021-11-07 01:30:00", "click", fall},
	} {
		e.exec(fmt.Sprintf(`INSERT INTO "ods_user_trace_data" ("md5", "uid", "ts", "customize_event", "dt") VALUES ('m%d', '%s', '%s', '%s', '%s')`, i, r.uid, r.ts, r.event, r.day))
	}
	e.mustApply(spring, fall)
	got := map[string]string{}
	for _, row := range e.report(0) {
		median := "-"
		if m := row.MedianSeconds[1]; m != nil {
			median = fmt.Sprint(*m)
		}
		got[row.Dt] = fmt.Sprintf("%v median %s", row.Counts, median)
	}
	want := map[string]string{spring: "[2 1 0] median 1860", fall: "[1 0 0] median -"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reports %v, want %v", got, want)
	}
}

// TestSubMillisecondTimesAreCut: a TIMESTAMP's digits under the millisecond
// are cut, not rounded (docs/funnels.md: rows tie only when their
// milliseconds are equal), as MaxCompute's TO_MILLIS cuts them: DuckDB's
// epoch_ms rounds them, which made a tie of two rows in one millisecond an
// order, and a chain of 10.0004 s one of 10.001 s, over a 10 s window.
func TestSubMillisecondTimesAreCut(t *testing.T) {
	t.Parallel()
	cfg, err := funneltest.EditConfig(shipped(t), concat(timeOf("TIMESTAMP"), durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "10s"), funneltest.Set(f0+".time_column", "ts"),
	})...)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, "sub-ms", cfg)
	for i, r := range []struct{ uid, ts, event string }{
		// In one millisecond: a tie, which the stage's order breaks (0 s).
		{"t1", "2021-03-15 12:00:00.0009", "browse"},
		{"t1", "2021-03-15 12:00:00.0001", "click"},
		// 10.0004 s is 10.000 s: on the window's edge, which counts.
		{"t2", "2021-03-15 12:00:00.000", "browse"},
		{"t2", "2021-03-15 12:00:10.0004", "click"},
	} {
		e.exec(fmt.Sprintf(`INSERT INTO "ods_user_trace_data" ("md5", "uid", "ts", "customize_event", "dt") VALUES ('m%d', '%s', TIMESTAMP '%s', '%s', '20210315')`, i, r.uid, r.ts, r.event))
	}
	e.mustApply("20210315")
	rows := e.report(0)
	if len(rows) != 1 {
		t.Fatalf("report rows %+v, want one", rows)
	}
	median := "-"
	if m := rows[0].MedianSeconds[1]; m != nil {
		median = fmt.Sprint(*m)
	}
	if got, want := fmt.Sprintf("%v median %s", rows[0].Counts, median), "[2 2 0] median 5"; got != want {
		t.Errorf("report %s, want %s", got, want)
	}
}
