//go:build cgo

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/funneltest"
)

// TestUnreadableTimesAreDropped: rows whose STRING time does not read in
// its format reach the ODS (a sync task writes what it gets), the DW node
// drops them, the reports equal the reference of the other rows, and plan
// counts them per day with an example.
func TestUnreadableTimesAreDropped(t *testing.T) {
	t.Parallel()
	cfg, err := funneltest.EditConfig(shipped(t), concat(timeOf("STRING"), durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"),
		funneltest.Set(f0+".time_column", map[string]any{"name": "ts", "format": "yyyy-MM-dd HH:mm:ss", "timezone": "UTC"}),
	})...)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, "unreadable-times", cfg)
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
