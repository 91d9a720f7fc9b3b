package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/reference"
)

// hourlyConfig is the golden hourly config: an ODS and a DW table
// partitioned by (dt, hh), a daily events funnel, and two hourly funnels
// (ordered with a breakdown and medians, users).
func hourlyConfig(t testing.TB, edits ...funneltest.Edit) []byte {
	data, err := os.ReadFile("../../generator/testdata/configs/hourly.toml")
	if err != nil {
		t.Fatal(err)
	}
	if data, err = funneltest.EditConfig(data, edits...); err != nil {
		t.Fatal(err)
	}
	return data
}

// TestHourlyMatchReference loads random rows into the hour partitions of an
// hourly ODS table, applies the days, and requires the daily report to
// equal the reference over the day's hour partitions and each hourly
// report, for every hour of every day, the reference over that hour
// partition's rows alone.
func TestHourlyMatchReference(t *testing.T) {
	// Without medians: ranking the users of each hour for them is most of
	// the ordered node's time on DuckDB, 24 times a day, and the daily
	// property tests check them.
	cfgText := hourlyConfig(t, funneltest.Set("funnels[1].report.median_seconds_column", nil))
	// An hourly day is 73 jobs (24 DW hours, the daily report, 24 hours of
	// each hourly report): a few seeds of one day each keep the suite fast.
	for seed := range max(2, seeds()/6) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "hourly", cfgText)
			r := rand.New(rand.NewPCG(uint64(seed), funneltest.Hash("hourly")))
			start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(800))
			days := []string{start.Format("20060102")}
			rows := reference.RandomRows(r, reference.RandomOptions{
				Days:        days,
				Events:      funneltest.StageEvents(e.cfg),
				OtherEvents: []string{"login", "Visit"},
				Dims:        e.lay.Dims,
				Users:       1 + r.IntN(12),
				Sessions:    20 + r.IntN(120),
				Window:      e.cfg.Funnels[1].Window.Seconds,
			})
			e.load(rows, 2)
			for _, d := range days {
				if !slices.ContainsFunc(rows, func(row reference.ODSRow) bool { return row.Dt == d }) {
					e.loadEmpty(d)
				}
			}
			e.mustApply(days...)
			e.requireInSync()

			rules, err := e.lay.Rules(e.cfg)
			if err != nil {
				t.Fatal(err)
			}
			dw := e.lay.HourlyDW(rows, rules, days)
			for i := range e.cfg.Funnels {
				f := &e.cfg.Funnels[i]
				var want []reference.Result
				if f.Hourly() {
					want = funneltest.HourlyResults(funneltest.Funnel(e.cfg, i), dw, days)
				} else {
					want = reference.Compute(funneltest.Funnel(e.cfg, i), funneltest.DayRows(dw, days), days)
				}
				got := funneltest.HourKeys(f, e.report(i))
				if f.Hourly() && len(got) < 24*len(days) {
					t.Errorf("%s: %d rows, want at least one per hour of %d days", f.Report.Table, len(got), len(days))
				}
				if d := funneltest.Diff(f, got, want); len(d) > 0 {
					t.Errorf("%s differs from the reference in %d places:\n  %s", f.Report.Table, len(d), strings.Join(firstN(d, 20), "\n  "))
				}
			}
			if t.Failed() {
				var b strings.Builder
				if err := e.lay.WriteJSONL(&b, rows); err == nil {
					t.Logf("the ODS rows of this case:\n%s", b.String())
				}
			}
		})
	}
}

// A day of an hourly ODS table is not applied until its 24 hour
// partitions have landed; the plan names the hours missing.
func TestHourlyUpstreamMissingHours(t *testing.T) {
	e := newEnv(t, "hourly", hourlyConfig(t, funneltest.Set("funnels[1].report.median_seconds_column", nil)))
	day := "20261201"
	e.ensureODS()
	// Hours 00 to 06 and 08 to 12 of the day landed (an hourly sync that
	// stopped), each marked as 'fgen load' marks the hours of a day.
	for _, h := range bizdate.Hours {
		if h == "07" || h >= "13" {
			continue
		}
		e.query(fmt.Sprintf(`INSERT INTO fgen_partitions (table_name, value, written_at) VALUES ('ods_events', '%s/%s', now())`, day, h))
	}
	p := e.plan([]string{day})
	if d := p.Days[0]; d.UpstreamReady || d.MissingText() != "ods_events dt=20261201: hours 07, 13-23 missing" {
		t.Fatalf("ready %v, missing %q", d.UpstreamReady, d.MissingText())
	}
	res, err := e.apply([]string{day}, plan.ApplyOptions{Parallel: 1})
	if err == nil || !strings.Contains(err.Error(), "hours 07, 13-23 missing") {
		t.Fatalf("apply: %v", err)
	}
	for _, j := range res.Jobs {
		if j.Kind == "node" && j.Status != "skipped" {
			t.Errorf("%s %s %s: %s", j.Name, j.Day, j.Hour, j.Status)
		}
	}
	// The missing hours land (a load of the whole day): every job is to
	// run (TestHourlyMatchReference runs them).
	e.loadEmpty(day)
	if p := e.plan([]string{day}); !p.Days[0].UpstreamReady || len(p.Days[0].Jobs) != 24+1+24+24 || len(p.Days[0].Missing) != 0 {
		t.Fatalf("after the load: ready %v, %d jobs, missing %v", p.Days[0].UpstreamReady, len(p.Days[0].Jobs), p.Days[0].Missing)
	}
}
