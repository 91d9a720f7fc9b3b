//go:build cgo

package e2e

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/reference"
	"github.com/fgen-dev/fgen/models"
)

var seedsFlag = flag.Int("e2e.seeds", 0, "random cases per config variant (default 1); e.g. 50 for a deep run")

// seeds returns the number of random cases per variant. Each case is a
// DuckDB database, a load and an apply of one to four days: about half a
// second of CPU, most of it DuckDB preparing the nodes' SQL. One per
// variant keeps 'go test ./...' within a minute on two cores; every variant
// draws other cases (its seed is mixed with its name), TestMain requires
// the cases of each mode to include the shapes of data in caseShapes, and
// -e2e.seeds runs more (README: Development).
func seeds() int {
	if *seedsFlag > 0 {
		return *seedsFlag
	}
	return 1
}

// variant is a funnel.toml: the shipped one with edits, or another file.
type variant struct {
	name  string
	edits []funneltest.Edit
	file  string // instead of the shipped funnel.toml with edits
}

func (v variant) config(t testing.TB) []byte {
	t.Helper()
	if v.file == "" {
		return edited(t, v.edits...)
	}
	return configFile(t, v.file, v.edits...)
}

const f0 = "funnels[0]"

// eventVariants vary what the events mode's SQL depends on: count and rate
// types, rate columns, stage sets, the DW cleaning rules, several funnels and
// the scheduling parameter.
var eventVariants = []variant{
	{name: "shipped"},
	{name: "bigint-ratio-overall", edits: []funneltest.Edit{
		funneltest.Set(f0+".report.count_type", "BIGINT"),
		funneltest.Set(f0+".report.rate_format", "ratio"),
		funneltest.Set(f0+".report.overall_rate_column", "{stage}_overall_rate"),
	}},
	{name: "string-ratio-renamed", edits: []funneltest.Edit{
		funneltest.Set(f0+".report.rate_format", "ratio"),
		funneltest.Set(f0+".report.step_rate_column", "{from}_to_{stage}_rate"),
		funneltest.Set(f0+".report.count_column", "{stage}_n"),
	}},
	{name: "bigint-percent-overall", edits: []funneltest.Edit{
		funneltest.Set(f0+".report.count_type", "BIGINT"),
		funneltest.Set(f0+".report.overall_rate_column", "{stage}_of_{funnel}"),
	}},
	{name: "overall-only", edits: []funneltest.Edit{
		funneltest.Set(f0+".report.step_rate_column", ""),
		funneltest.Set(f0+".report.overall_rate_column", "{stage}_overall"),
	}},
	{name: "no-dedup", edits: []funneltest.Edit{funneltest.Set("dw.dedup_by", []string{})}},
	{name: "keep-unknown-events", edits: []funneltest.Edit{funneltest.Set("dw.drop_unknown_events", false)}},
	// NULL and empty users kept in DW: the report node drops them.
	{name: "keep-empty-users", edits: []funneltest.Edit{funneltest.Set("dw.drop_empty", []string{"customize_event"})}},
	{name: "no-dedup-keep-unknown", edits: []funneltest.Edit{
		funneltest.Set("dw.dedup_by", []string{}),
		funneltest.Set("dw.drop_unknown_events", false),
		funneltest.Set(f0+".report.rate_format", "ratio"),
	}},
	{name: "several-events-per-stage", edits: []funneltest.Edit{
		funneltest.Set(f0+".stages", []any{
			funneltest.Stage("browse", "browse", "view"),
			funneltest.Stage("click", "click", "tap", "add to cart"),
			funneltest.Stage("purchase", "purchase", "购买"),
		}),
		funneltest.Set(f0+".report.overall_rate_column", "{stage}_overall"),
	}},
	{name: "quoted-events", edits: []funneltest.Edit{
		funneltest.Set(f0+".stages", []any{
			funneltest.Stage("browse", "browse", `it's`),
			funneltest.Stage("click", `say "hi"`, `back\slash`),
			funneltest.Stage("purchase", "a;b", "-- not a comment"),
		}),
		funneltest.Set(f0+".report.rate_format", "ratio"),
	}},
	{name: "two-stages", edits: []funneltest.Edit{
		funneltest.Set(f0+".stages", []any{funneltest.Stage("browse", "browse"), funneltest.Stage("purchase", "purchase")}),
		funneltest.Set(f0+".report.overall_rate_column", "{stage}_overall"),
	}},
	{name: "four-stages", edits: []funneltest.Edit{
		funneltest.Set(f0+".stages", []any{funneltest.Stage("browse", "browse"), funneltest.Stage("click", "click"), funneltest.Stage("cart", "add_cart"), funneltest.Stage("purchase", "purchase")}),
		funneltest.Set(f0+".report.count_type", "BIGINT"),
	}},
	{name: "two-funnels", edits: []funneltest.Edit{
		funneltest.Add("funnels", map[string]any{
			"name": "checkout", "mode": "events", "user_column": "uid", "event_column": "customize_event",
			"stages": []any{funneltest.Stage("cart", "add_cart"), funneltest.Stage("purchase", "purchase")},
			"report": map[string]any{"table": "rpt_checkout", "overall_rate_column": "{stage}_overall"},
		}),
	}},
	{name: "custom-parameters", edits: []funneltest.Edit{funneltest.Set("dataworks.parameters", "custom")}},
	{name: "escaping", file: "../../generator/testdata/configs/escaping.toml"},
}

// The users and ordered modes and breakdowns. A variant skips, saying so,
// while models.Parse or generator.Render reject it as not yet supported, and
// runs as soon as the feature lands.
var (
	withTime = []funneltest.Edit{funneltest.Add("dw.columns", funneltest.Column("ts", "BIGINT")), funneltest.Set(f0+".time_column", "ts")}
	// timeOf makes the ODS and DW column ts of type typ.
	timeOf = func(typ string) []funneltest.Edit {
		return []funneltest.Edit{funneltest.Set("ods.columns[2].type", typ), funneltest.Add("dw.columns", funneltest.Column("ts", typ))}
	}
	// long makes the report's layout long, without the wide layout's
	// column names the shipped config sets.
	long = []funneltest.Edit{
		funneltest.Set(f0+".report.layout", "long"),
		funneltest.Set(f0+".report.count_column", nil), funneltest.Set(f0+".report.step_rate_column", nil),
		funneltest.Set(f0+".report.overall_rate_column", nil),
	}
	durations = []funneltest.Edit{
		funneltest.Set(f0+".report.median_seconds_column", "{stage}_median_seconds"),
		funneltest.Set(f0+".report.avg_seconds_column", "{stage}_avg_seconds"),
	}
)

var usersVariants = []variant{
	{name: "users", edits: []funneltest.Edit{funneltest.Set(f0+".mode", "users")}},
	{name: "users-keep-empty-users", edits: []funneltest.Edit{funneltest.Set(f0+".mode", "users"), funneltest.Set("dw.drop_empty", []string{})}},
	{name: "users-several-quoted-events", edits: []funneltest.Edit{
		funneltest.Set(f0+".mode", "users"),
		funneltest.Set(f0+".stages", []any{
			funneltest.Stage("browse", "browse", "view", `it's`),
			funneltest.Stage("click", "click", `say "hi"`),
			funneltest.Stage("purchase", "purchase", "购买"),
		}),
	}},
	{name: "users-bigint-ratio", edits: []funneltest.Edit{
		funneltest.Set(f0+".mode", "users"),
		funneltest.Set(f0+".report.count_type", "BIGINT"),
		funneltest.Set(f0+".report.rate_format", "ratio"),
		funneltest.Set(f0+".report.overall_rate_column", "{stage}_overall"),
	}},
}

var orderedVariants = []variant{
	{name: "ordered-1h", edits: concat(withTime, durations, []funneltest.Edit{funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h")})},
	{name: "ordered-keep-empty-users", edits: concat(withTime, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"), funneltest.Set("dw.drop_empty", []string{"customize_event"}),
	})},
	{name: "ordered-1s-ratio", edits: concat(withTime, durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1s"), funneltest.Set(f0+".report.rate_format", "ratio"),
	})},
	{name: "ordered-several-events", edits: concat(withTime, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "30m"),
		funneltest.Set(f0+".stages", []any{funneltest.Stage("browse", "browse", "view"), funneltest.Stage("click", "click", "tap"), funneltest.Stage("purchase", "purchase")}),
	})},
	// Time columns other than epoch seconds: windows, ties and times at the
	// column's precision.
	{name: "ordered-milliseconds", edits: concat(withTime, durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "10s"), funneltest.Set(f0+".time_column", map[string]any{"name": "ts", "unit": "ms"}),
	})},
	{name: "ordered-datetime", edits: concat(timeOf("DATETIME"), durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1m"), funneltest.Set(f0+".time_column", "ts"),
	})},
	{name: "ordered-string-ms-shanghai", edits: concat(timeOf("STRING"), durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "30s"), funneltest.Set(f0+".day_boundary", "cross_midnight"),
		funneltest.Set(f0+".time_column", map[string]any{"name": "ts", "format": "yyyy-MM-dd HH:mm:ss.SSS", "timezone": "Asia/Shanghai"}),
	})},
	{name: "users-breakdowns-string-seconds", edits: concat(timeOf("STRING"), []funneltest.Edit{
		funneltest.Set(f0+".mode", "users"), funneltest.Set(f0+".breakdowns", []string{"device_brand"}),
		funneltest.Set(f0+".time_column", map[string]any{"name": "ts", "format": "yyyy/MM/dd'T'HH:mm:ss", "timezone": "America/New_York"}),
	})},
	// Step times (from the previous stage) in the wide layout, and the long
	// layout with percentiles and histograms of both series, in seconds and
	// in milliseconds.
	{name: "ordered-step-times", edits: concat(withTime, durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "20m"),
		funneltest.Set(f0+".report.step_median_seconds_column", "{from}_{stage}_median"),
		funneltest.Set(f0+".report.step_avg_seconds_column", "{from}_{stage}_avg"),
	})},
	{name: "ordered-long-distributions", edits: concat(withTime, long, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"), funneltest.Set(f0+".breakdowns", []string{"device_brand"}),
		funneltest.Set(f0+".report.rate_format", "ratio"),
		funneltest.Set(f0+".report.percentiles", []any{1, 25, 50, 90, 99.9, 100}),
		funneltest.Set(f0+".report.histogram", []string{"1s", "30s", "5m", "1h"}),
	})},
	{name: "ordered-long-milliseconds-cross-midnight", edits: concat(withTime, long, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "10s"), funneltest.Set(f0+".day_boundary", "cross_midnight"),
		funneltest.Set(f0+".time_column", map[string]any{"name": "ts", "unit": "ms"}),
		funneltest.Set(f0+".report.percentiles", []any{50, 95}), funneltest.Set(f0+".report.histogram", []string{"0s", "500ms", "2s", "10s"}),
	})},
	{name: "ordered-cross-midnight", edits: concat(withTime, durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"), funneltest.Set(f0+".day_boundary", "cross_midnight"),
	})},
}

var breakdownVariants = []variant{
	{name: "events-breakdowns", edits: []funneltest.Edit{
		funneltest.Set(f0+".breakdowns", []string{"device_brand", "device", "system_type"}),
		funneltest.Set(f0+".report.rate_format", "ratio"),
	}},
	{name: "events-one-breakdown-percent", edits: []funneltest.Edit{funneltest.Set(f0+".breakdowns", []string{"device_brand"})}},
	// Rows of no stage reach the report node: a value with only such rows
	// has no row.
	{name: "events-breakdown-keep-unknown-events", edits: []funneltest.Edit{
		funneltest.Set(f0+".breakdowns", []string{"device"}), funneltest.Set("dw.drop_unknown_events", false),
	}},
	{name: "users-breakdowns", edits: concat(withTime, []funneltest.Edit{
		funneltest.Set(f0+".mode", "users"), funneltest.Set(f0+".breakdowns", []string{"device_brand", "system_type"}),
		funneltest.Set(f0+".report.total_marker", "ALL"), funneltest.Set(f0+".report.null_marker", "(none)"),
	})},
	{name: "ordered-breakdowns", edits: concat(withTime, durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"), funneltest.Set(f0+".breakdowns", []string{"device_brand"}),
	})},
	// A breakdown limit: the top values by stage-1 count keep their rows,
	// the others share one, whose times are over all its users; the marker
	// "a" is also a value of the data, whose row it then is.
	{name: "events-long", edits: concat(long, []funneltest.Edit{funneltest.Set(f0+".breakdowns", []string{"device_brand"})})},
	{name: "users-long-limit", edits: concat(withTime, long, []funneltest.Edit{
		funneltest.Set(f0+".mode", "users"), funneltest.Set(f0+".breakdowns", []string{"system_type"}), funneltest.Set(f0+".breakdown_limit", 1),
		funneltest.Set(f0+".report.count_type", "STRING"),
	})},
	{name: "events-breakdown-limit", edits: []funneltest.Edit{
		funneltest.Set(f0+".breakdowns", []string{"device_brand", "system_type"}), funneltest.Set(f0+".breakdown_limit", 3),
	}},
	{name: "users-breakdown-limit-marker-in-data", edits: concat(withTime, []funneltest.Edit{
		funneltest.Set(f0+".mode", "users"), funneltest.Set(f0+".breakdowns", []string{"device_brand"}),
		funneltest.Set(f0+".breakdown_limit", 2), funneltest.Set(f0+".report.other_marker", "a"),
	})},
	{name: "ordered-breakdown-limit-timing", edits: concat(withTime, durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "10m"),
		funneltest.Set(f0+".breakdowns", []string{"device_brand", "system_type"}), funneltest.Set(f0+".breakdown_limit", 4),
	})},
	// Medians come from ranks within each report row: two breakdowns rank
	// each user three times per stage.
	{name: "ordered-two-breakdowns-timing", edits: concat(withTime, durations, []funneltest.Edit{
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "10m"), funneltest.Set(f0+".breakdowns", []string{"device_brand", "system_type"}),
	})},
}

// nasty are event values and markers that must reach the SQL byte for byte
// in both dialects: quotes, a backslash, a line break, a tab, comment and
// statement syntax, non-ASCII text and an emoji.
var nasty = []funneltest.Edit{
	funneltest.Set(f0+".stages", []any{
		funneltest.Stage("browse", "br\nowse", `it's`, `back\slash`),
		funneltest.Stage("click", "cl\tick", "-- not a comment", "a;b"),
		funneltest.Stage("purchase", "/* x */", "购买", "🛒 buy"),
	}),
}

var nastyVariants = []variant{
	{name: "events-nasty", edits: nasty},
	{name: "users-nasty", edits: concat(nasty, []funneltest.Edit{funneltest.Set(f0+".mode", "users")})},
	{name: "ordered-nasty", edits: concat(withTime, nasty, []funneltest.Edit{funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h")})},
	{name: "users-breakdowns-nasty-markers", edits: concat(withTime, nasty, []funneltest.Edit{
		funneltest.Set(f0+".mode", "users"), funneltest.Set(f0+".breakdowns", []string{"device_brand"}),
		funneltest.Set(f0+".report.total_marker", "all\nof them"), funneltest.Set(f0+".report.null_marker", "it's\tunknown"),
	})},
}

// perUser reports whether some funnel counts users (users or ordered mode).
func perUser(cfg *models.Config) bool {
	for _, f := range cfg.Funnels {
		if f.Mode != models.ModeEvents {
			return true
		}
	}
	return false
}

// computesOtherwise reports whether MaxCompute's SQL computes some funnel
// of cfg by other methods than DuckDB's: an ordered funnel (the fold), or
// a users funnel with breakdowns (first touch).
func computesOtherwise(cfg *models.Config) bool {
	return slices.ContainsFunc(cfg.Funnels, func(f models.Funnel) bool {
		return f.Mode == models.ModeOrdered || f.Mode == models.ModeUsers && len(f.Breakdowns) > 0
	})
}

// limited reports whether some funnel has a breakdown limit.
func limited(cfg *models.Config) bool {
	for _, f := range cfg.Funnels {
		if f.BreakdownLimit > 0 {
			return true
		}
	}
	return false
}

func concat(edits ...[]funneltest.Edit) []funneltest.Edit {
	var out []funneltest.Edit
	for _, e := range edits {
		out = append(out, e...)
	}
	return out
}

func TestEventsMatchReference(t *testing.T) {
	t.Parallel()
	runVariants(t, eventVariants)
}
func TestNastyLiteralsMatchReference(t *testing.T) {
	t.Parallel()
	runVariants(t, nastyVariants)
}
func TestUsersMatchReference(t *testing.T) {
	t.Parallel()
	runVariants(t, usersVariants)
}
func TestOrderedMatchReference(t *testing.T) {
	t.Parallel()
	runVariants(t, orderedVariants)
}
func TestBreakdownsMatchReference(t *testing.T) {
	t.Parallel()
	runVariants(t, breakdownVariants)
}

func runVariants(t *testing.T, vs []variant) {
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			cfg := v.config(t)
			skipUnsupported(t, v.name, cfg)
			for seed := range seeds() {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					t.Parallel()
					runCase(t, v.name, cfg, uint64(seed), nil)
				})
			}
		})
	}
}

// TestOrderedLongHistories runs the ordered variants on one or two users
// with many sessions, so that most users' days hold more stage rows than the
// DuckDB fold takes row by row (generator's longList, 64): the fold of long
// lists in whole-list operations must give what the reference gives.
func TestOrderedLongHistories(t *testing.T) {
	t.Parallel()
	for _, v := range slices.Concat(orderedVariants, breakdownVariants) {
		if !strings.HasPrefix(v.name, "ordered") {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			cfg := v.config(t)
			skipUnsupported(t, v.name, cfg)
			// Long histories are slow cases: half as many seeds.
			for seed := range max(1, seeds()/2) {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					t.Parallel()
					// One user with 150 sessions or two with 250, alternating
					// over the variants and seeds.
					k := (seed + int(funneltest.Hash(v.name)%2)) % 2
					runCase(t, v.name+"/long", cfg, uint64(seed), func(o *reference.RandomOptions) {
						o.Users, o.Sessions, o.BotEvents = 1+k, 150+100*k, 0
					})
				})
			}
		})
	}
}

// otherEvents are event values that are no stage of the shipped funnel, some
// of them confusable with one.
var otherEvents = []string{"login", "evt_unknown", "Browse", "browse ", "click\t"}

// runCase loads random ODS rows (reference.RandomRows: ties, repeats, NULL
// and empty users and events, unknown events, copies sharing a dedup key,
// late rows, empty days, bots) over one to four consecutive days, applies the
// range in one apply, and requires the DW rows to equal reference.Clean and
// every RPT table to equal reference.Compute. A day without rows gets an
// empty partition, and must still have its RPT row. adjust, when not nil,
// changes the options of the rows last.
func runCase(t *testing.T, label string, cfgText []byte, seed uint64, adjust func(*reference.RandomOptions)) {
	e := newEnv(t, label, cfgText)
	r := rand.New(rand.NewPCG(seed, funneltest.Hash(label)))

	crossMidnight := false
	window := int64(3600) * e.lay.Units
	for _, f := range e.cfg.Funnels {
		crossMidnight = crossMidnight || f.DayBoundary == models.CrossMidnight
		if f.Window.Seconds > 0 {
			window = f.Window.Seconds * e.lay.Units
		}
	}
	n := 1 + r.IntN(4)
	if crossMidnight {
		n = max(n, 2)
	}
	// From 2024-01-01 over 800 days: leap day and year ends included.
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(800))
	days := make([]string, n)
	for i := range days {
		days[i] = start.AddDate(0, 0, i).Format("20060102")
	}
	stageEvents := funneltest.StageEvents(e.cfg)
	var others []string
	for _, o := range otherEvents {
		if !slices.Contains(stageEvents, o) {
			others = append(others, o)
		}
	}
	opts := reference.RandomOptions{
		Days:           days,
		Events:         stageEvents,
		OtherEvents:    others,
		Dims:           e.lay.Dims,
		Users:          1 + r.IntN(25),
		Sessions:       1 + r.IntN(150),
		Window:         window,
		UnitsPerSecond: e.lay.Units,
	}
	if limited(e.cfg) || (!e.cfg.DW.DropUnknownEvents && len(e.lay.Dims) > 0) {
		// More values than the limit, many with equal stage-1 counts, and
		// values whose only rows are of no stage.
		opts.DimValues = 2 + r.IntN(12)
		opts.Users += r.IntN(40)
	}
	// Every case offers RandomRows a bot, which it adds to about one case
	// in four.
	opts.BotEvents = 200 + r.IntN(800)
	opts.FarTimes = farTimesFit(e.lay)
	if adjust != nil {
		adjust(&opts)
	}
	rows := reference.RandomRows(r, opts)
	sawCase(e.cfg, rows, days)

	e.loadDays(rows, 1+r.IntN(3), days)
	// One apply: with cross_midnight, day D's report reads D+1's DW rows, so
	// apply must build every day's DW before the reports (the last day's
	// D+1 has no rows here, for the reference as for the SQL).
	e.mustApply(days...)
	e.requireInSync()
	e.checkDW(rows, days)
	e.checkReports(rows, days)
	if perUser(e.cfg) && !t.Failed() {
		// Row order is no day's own: the day with the most rows is rerun.
		e.rerunOnShuffledDW(r.Uint32(), []string{busiest(rows, days)})
		e.checkReports(rows, days)
	}
	if computesOtherwise(e.cfg) && !t.Failed() {
		// MaxCompute's SQL computes these numbers another way than
		// DuckDB's (the ordered fold in packed BIGINT words, first touch
		// by ROW_NUMBER: the dialect flags), and no MaxCompute runs here:
		// the report nodes rendered with its methods, in DuckDB's syntax
		// (generator.RenderComputingAs), over the same DW rows, every day.
		e.as = generator.MaxCompute
		e.setConfig(label+"/maxcompute-methods", cfgText)
		e.rerunOnShuffledDW(r.Uint32(), days)
		e.checkReports(rows, days)
	}
	if t.Failed() {
		dump := filepath.Join(os.TempDir(), fmt.Sprintf("fgen-e2e-%s-seed%d.jsonl", strings.ReplaceAll(label, "/", "_"), seed))
		var b strings.Builder
		if err := e.lay.WriteJSONL(&b, rows); err == nil && os.WriteFile(dump, []byte(b.String()), 0o644) == nil {
			t.Logf("the ODS rows of this case are in %s; the config:\n%s", dump, cfgText)
		}
	}
}

// farTimesFit reports whether the ODS rows of lay can carry RandomRows'
// FarTimes: the time column holds epoch units, which any BIGINT is, and no
// hour partition or other time column is computed from them.
func farTimesFit(lay funneltest.Layout) bool {
	if lay.Time == "" || lay.HourPartition != "" || models.TimeKind(lay.Types[lay.Time]) != models.TimeEpoch {
		return false
	}
	for _, c := range lay.Columns {
		if base, _, _ := strings.Cut(strings.ToUpper(lay.Types[c]), "("); base == "DATETIME" || base == "TIMESTAMP" || base == "DATE" {
			return false
		}
	}
	return true
}

// busiest is the day of days with the most rows.
func busiest(rows []reference.ODSRow, days []string) string {
	n := map[string]int{}
	for _, row := range rows {
		n[row.Dt]++
	}
	best := days[0]
	for _, d := range days[1:] {
		if n[d] > n[best] {
			best = d
		}
	}
	return best
}

// caseShapes are the shapes of random data that the cases of each funnel
// mode must include, so that fewer seeds cannot quietly drop one: a bot
// (hundreds of events of one user), a day without rows, a case without
// any rows, one day, several days.
var caseShapes = []string{"a bot", "an empty day", "no rows at all", "one day", "several days"}

// seenShapes records, by funnel mode, the shapes of the cases that ran.
var seenShapes = struct {
	sync.Mutex
	m map[string]map[string]bool
}{m: map[string]map[string]bool{}}

// sawCase records the shapes of a case's rows on days.
func sawCase(cfg *models.Config, rows []reference.ODSRow, days []string) {
	has := map[string]bool{}
	bot := false
	for _, row := range rows {
		has[row.Dt] = true
		bot = bot || row.User != nil && strings.HasPrefix(*row.User, "bot")
	}
	shapes := map[string]bool{
		"a bot":          bot,
		"an empty day":   slices.ContainsFunc(days, func(d string) bool { return !has[d] }),
		"no rows at all": len(rows) == 0,
		"one day":        len(days) == 1,
		"several days":   len(days) > 1,
	}
	seenShapes.Lock()
	defer seenShapes.Unlock()
	for _, f := range cfg.Funnels {
		if seenShapes.m[f.Mode] == nil {
			seenShapes.m[f.Mode] = map[string]bool{}
		}
		for s, ok := range shapes {
			seenShapes.m[f.Mode][s] = seenShapes.m[f.Mode][s] || ok
		}
	}
}

// missingShapes lists, for each funnel mode, the caseShapes no case of
// that mode had.
func missingShapes() []string {
	var out []string
	for _, mode := range []string{models.ModeEvents, models.ModeUsers, models.ModeOrdered} {
		for _, s := range caseShapes {
			if !seenShapes.m[mode][s] {
				out = append(out, fmt.Sprintf("no %s case had %s", mode, s))
			}
		}
	}
	return out
}
