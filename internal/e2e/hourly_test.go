package e2e

import (
	"fmt"
	"math/rand/v2"
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
	return editedFile(t, "../../generator/testdata/configs/hourly.toml", edits...)
}

// hourlyVariants are hourly configs, as edits of the golden hourly config.
var hourlyVariants = []struct {
	name  string
	edits []funneltest.Edit
}{
	// An hourly ODS and DW, a daily events report over the DW's hours, an
	// hourly ordered report with a breakdown and an hourly users report.
	// Without medians: ranking the users of each hour for them is most of
	// the ordered node's time on DuckDB, 24 times a day; hourly/long has
	// times to convert.
	{"hourly", []funneltest.Edit{funneltest.Set("funnels[1].report.median_seconds_column", nil)}},
	// The hourly ordered report in the long layout, with a breakdown limit,
	// step times, percentiles and a histogram.
	{"hourly/long", []funneltest.Edit{
		funneltest.Set("funnels[1].report.median_seconds_column", nil),
		funneltest.Set("funnels[1].report.layout", "long"),
		funneltest.Set("funnels[1].report.percentiles", []any{50, 99.9}),
		funneltest.Set("funnels[1].report.histogram", []string{"10s", "10m"}),
		funneltest.Set("funnels[1].breakdown_limit", 2),
	}},
	// An hourly ODS under a daily DW: the DW node reads the day's 24 hour
	// partitions at once (copies of a record in two hours are one record),
	// and every report is daily.
	{"hourly_ods", []funneltest.Edit{
		funneltest.Set("dw.hour_partition", nil),
		funneltest.Set("funnels[1].grain", nil),
		funneltest.Set("funnels[2].grain", nil),
		funneltest.Set("funnels[2].report.hour_partition", nil),
	}},
}

// TestHourlyMatchReference loads random rows into the hour partitions of an
// hourly ODS table (funneltest.SpreadHours: rows written late into a later
// hour, records written into two hours), applies the days, and requires
// each daily report to equal the reference over the day's rows (on an
// hourly DW, the day's hour partitions each cleaned alone), and each
// hourly report, for every hour of every day, the reference over that hour
// partition's rows alone.
func TestHourlyMatchReference(t *testing.T) {
	t.Parallel()
	for _, v := range hourlyVariants {
		t.Run(v.name, func(t *testing.T) {
			cfgText := hourlyConfig(t, v.edits...)
			// An hourly day is up to 73 jobs (24 DW hours, the daily report,
			// 24 hours of each hourly report): a sixth of the seeds of a
			// day or two keep the suite fast.
			for seed := range max(1, seeds()/6) {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					t.Parallel()
					runHourlyCase(t, v.name, cfgText, uint64(seed))
				})
			}
		})
	}
}

func runHourlyCase(t *testing.T, label string, cfgText []byte, seed uint64) {
	e := newEnv(t, label, cfgText)
	r := rand.New(rand.NewPCG(seed, funneltest.Hash(label)))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(800))
	days := []string{start.Format("20060102")}
	if r.IntN(2) == 0 {
		days = append(days, start.AddDate(0, 0, 1).Format("20060102")) // late rows: their dt is the next day
	}
	window := int64(3600)
	for _, f := range e.cfg.Funnels {
		if f.Window.Seconds > 0 {
			window = f.Window.Seconds
		}
	}
	opts := reference.RandomOptions{
		Days:        days,
		Events:      funneltest.StageEvents(e.cfg),
		OtherEvents: []string{"login", "Visit"},
		Dims:        e.lay.Dims,
		Users:       1 + r.IntN(12),
		Sessions:    20 + r.IntN(120),
		Window:      window * e.lay.Units,
	}
	if limited(e.cfg) {
		opts.DimValues = 2 + r.IntN(6)
	}
	rows := e.lay.SpreadHours(r, reference.RandomRows(r, opts))
	e.loadDays(rows, 2, days)
	e.mustApply(days...)
	e.requireInSync()

	rules, err := e.lay.Rules(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var dw map[string][]reference.Row // an hourly DW's rows by "day/hour"
	if e.cfg.DW.Hourly() {
		dw = e.lay.HourlyDW(rows, rules, days)
	} else {
		e.checkDW(rows, days)
	}
	for i := range e.cfg.Funnels {
		f := &e.cfg.Funnels[i]
		var want []reference.Result
		switch {
		case f.Hourly():
			want = funneltest.HourlyResults(funneltest.Funnel(e.cfg, i), dw, days)
		case dw != nil:
			want = reference.Compute(funneltest.Funnel(e.cfg, i), funneltest.DayRows(dw, days), days)
		default:
			want = reference.Compute(funneltest.Funnel(e.cfg, i), reference.Clean(rows, rules), days)
		}
		got := funneltest.HourKeys(f, e.report(i))
		if f.Hourly() && len(got) < 24*len(days) {
			t.Errorf("%s: %d rows, want at least one per hour of %d days", f.Report.Table, len(got), len(days))
		}
		if d := funneltest.Diff(f, got, want); len(d) > 0 {
			t.Errorf("%s: %s differs from the reference in %d places:\n  %s", label, f.Report.Table, len(d), strings.Join(firstN(d, 20), "\n  "))
		}
	}
	if t.Failed() {
		var b strings.Builder
		if err := e.lay.WriteJSONL(&b, rows); err == nil {
			t.Logf("the ODS rows of this case:\n%s", b.String())
		}
	}
}

// A day of an hourly ODS table is not applied until its 24 hour
// partitions have landed; the plan names the hours missing.
func TestHourlyUpstreamMissingHours(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "hourly", hourlyConfig(t, funneltest.Set("funnels[1].report.median_seconds_column", nil)))
	day := "20261201"
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
