//go:build cgo

package e2e

import (
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/reference"
)

var shanghai = time.FixedZone("UTC+8", 8*3600)

// atSec is second s of day (yyyymmdd) in Asia/Shanghai, as epoch seconds.
func atSec(day string, s int64) int64 {
	t, err := time.ParseInLocation("20060102", day, shanghai)
	if err != nil {
		panic(err)
	}
	return t.Unix() + s
}

// ods is a raw row; "<nil>" stands for NULL.
func ods(dt, key, user, event string, ts int64) reference.ODSRow {
	p := func(s string) *string {
		if s == "<nil>" {
			return nil
		}
		return &s
	}
	return reference.ODSRow{Dt: dt, DedupKey: p(key), User: p(user), Event: p(event), TS: ts,
		Dims: map[string]*string{"device_brand": p("HUAWEI"), "device": p("P40"), "system_type": p("android")}}
}

const (
	d1 = "20240229" // a leap day
	d2 = "20240301" // no rows: an empty partition
	d3 = "20240302" // no browse at all
)

// pitfallRows are the pitfalls of FUNNELS.md for the events mode, by hand.
var pitfallRows = []reference.ODSRow{
	ods(d1, "k1", "u1", "browse", atSec(d1, 100)),
	ods(d1, "k1", "u1", "browse", atSec(d1, 100)),   // the same log record twice
	ods(d1, "k2", "u1", "browse", atSec(d1, 100)),   // another record in the same second
	ods(d1, "k3", "u2", "browse", atSec(d1, 86399)), // the last second of the day
	ods(d1, "k10", "u4", "browse", atSec(d1, 0)),    // the first one
	ods(d1, "k4", "<nil>", "browse", atSec(d1, 5)),  // NULL user
	ods(d1, "k5", "", "browse", atSec(d1, 5)),       // empty user
	ods(d1, "k6", "u2", "Browse", atSec(d1, 5)),     // unknown: event values are case-sensitive
	ods(d1, "k7", "u2", "login", atSec(d1, 5)),      // unknown
	ods(d1, "k8", "u2", "<nil>", atSec(d1, 5)),      // NULL event
	ods(d1, "k9", "u2", "", atSec(d1, 5)),           // empty event
	ods(d1, "<nil>", "u3", "click", atSec(d1, 7)),   // NULL keys are never copies of each other
	ods(d1, "<nil>", "u3", "click", atSec(d1, 7)),
	ods(d1, "k4", "u3", "click", atSec(d1, 8)), // shares k4 with a dropped row: the dedup sees only clean rows
	// d2 has no rows.
	ods(d3, "k20", "u1", "click", atSec(d3, 0)),
	ods(d3, "k21", "u1", "purchase", atSec(d2, 86399)), // a late row: counted on the day its dt names
	ods(d3, "k21", "u1", "purchase", atSec(d2, 86399)),
	ods(d3, "k1", "u1", "purchase", atSec(d3, 60)), // k1 again, in another partition: another record
}

// TestPitfalls checks hand-made rows against numbers worked out by hand for
// the shipped config, and against the reference for every variant: copies,
// NULL and empty users and events, unknown events, a day with no rows, a day
// without the first stage, a late row, all in one apply over three days.
func TestPitfalls(t *testing.T) {
	t.Parallel()
	days := []string{d1, d2, d3}
	e := newEnv(t, "shipped", shipped(t))
	e.load(pitfallRows, 2)
	e.loadEmpty(d2)
	e.mustApply(days...)

	s := func(v string) *string { return &v }
	want := map[string][]*string{ // browse, click, purchase, browse_rate, click_rate
		d1: {s("4"), s("3"), s("0"), s("75.0%"), s("0.0%")},
		d2: {s("0"), s("0"), s("0"), nil, nil},
		d3: {s("0"), s("1"), s("2"), nil, s("200.0%")},
	}
	rows := e.query(`SELECT "browse", "click", "purchase", "browse_rate", "click_rate", "dt" FROM "rpt_user_trace_data" ORDER BY "dt"`)
	if len(rows.Values) != len(want) {
		t.Fatalf("%d RPT rows, want %d", len(rows.Values), len(want))
	}
	for _, v := range rows.Values {
		if w := want[*v[5]]; keyOf(v[:5]) != keyOf(w) {
			t.Errorf("dt=%s: got %s, want %s", *v[5], keyOf(v[:5]), keyOf(w))
		}
	}
	e.checkDW(pitfallRows, days)
	e.checkReports(pitfallRows, days)

	// The same rows through every variant, against the reference.
	for _, v := range slices.Concat(eventVariants, usersVariants, orderedVariants, breakdownVariants) {
		t.Run(v.name, func(t *testing.T) {
			cfg := v.config(t)
			skipUnsupported(t, v.name, cfg)
			t.Parallel()
			e := newEnv(t, v.name, cfg)
			e.load(pitfallRows, 1)
			e.loadEmpty(d2)
			e.mustApply(days...)
			e.checkDW(pitfallRows, days)
			e.checkReports(pitfallRows, days)
		})
	}
}

// TestMissingPartition: a day whose ODS partition never landed is skipped,
// reported, and gets no RPT row, while the other days of the range run; once
// the (empty) partition is loaded, applying the day gives it a zero row.
func TestMissingPartition(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "shipped", shipped(t))
	e.load(pitfallRows, 1) // d1 and d3 only
	_, err := e.apply([]string{d1, d2, d3}, plan.ApplyOptions{})
	var pe *plan.PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("apply = %v, want a *plan.PartialError", err)
	}
	for _, j := range pe.Result.Jobs {
		want := "applied"
		if j.Day == d2 {
			want = "skipped"
		}
		if j.Status != want {
			t.Errorf("job %s %s: %s, want %s", j.Name, j.Day, j.Status, want)
		}
	}
	e.checkReports(pitfallRows, []string{d1, d3})

	e.loadEmpty(d2)
	e.mustApply(d2)
	e.checkReports(pitfallRows, []string{d1, d2, d3})
}

// randomDay returns random rows, all on day, for seed; never none.
func randomDay(seed uint64, day string) []reference.ODSRow {
	for ; ; seed += 1000 {
		r := rand.New(rand.NewPCG(seed, 99))
		rows := reference.RandomRows(r, reference.RandomOptions{Days: []string{day}, Dims: funneltest.DimCandidates, Users: 12, Sessions: 60})
		if len(rows) > 0 {
			return rows
		}
	}
}

// replaceDay returns rows with the rows of day replaced by repl.
func replaceDay(rows []reference.ODSRow, day string, repl []reference.ODSRow) []reference.ODSRow {
	out := slices.DeleteFunc(slices.Clone(rows), func(r reference.ODSRow) bool { return r.Dt == day })
	return append(out, repl...)
}

// TestApplyIsIdempotent: applying the same days again leaves every table
// exactly as it was, and plans no table change.
func TestApplyIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, v := range []variant{eventVariants[0], eventVariants[1]} {
		t.Run(v.name, func(t *testing.T) {
			e := newEnv(t, v.name, v.config(t))
			var rows []reference.ODSRow
			for i, d := range []string{d1, d2, d3} {
				rows = append(rows, randomDay(uint64(i), d)...)
			}
			e.load(rows, 3)
			e.mustApply(d1, d2, d3)
			e.checkReports(rows, []string{d1, d2, d3})
			tables := []string{e.cfg.ODS.Name, e.cfg.DW.Name, e.cfg.Funnels[0].Report.Table}
			before := map[string][]string{}
			for _, tb := range tables {
				before[tb] = e.snapshot(tb)
			}
			e.requireInSync()
			if res := e.mustApplyWith(plan.ApplyOptions{}, d1, d2, d3); res.Count("applied") != 0 {
				t.Errorf("a second apply ran %d jobs, want none: every partition is up to date", res.Count("applied"))
			}
			e.mustApply(d1, d2, d3) // every job again (apply --all)
			e.mustApply(d2)
			for _, tb := range tables {
				if after := e.snapshot(tb); !slices.Equal(after, before[tb]) {
					t.Errorf("%s changed on the second apply:\n%s", tb, multisetDiff(after, before[tb]))
				}
			}
		})
	}
}

// TestFailedNodeKeepsPartition: a node that fails after it deleted and
// re-inserted its day's rows (just before COMMIT) leaves that partition as it
// was, reports the failure, skips the nodes downstream of it, and does not
// stop the other days; the next apply repairs the day.
func TestFailedNodeKeepsPartition(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "shipped", shipped(t))
	days := []string{d1, d2, d3}
	rpt := e.cfg.Funnels[0].Report.Table
	dw := e.cfg.DW.Name
	var a []reference.ODSRow
	for i, d := range days {
		a = append(a, randomDay(uint64(i), d)...)
	}
	e.load(a, 1)
	e.mustApply(days...)
	e.checkReports(a, days)
	rptA := e.snapshot(rpt)

	// New logs for d2; the RPT node fails for d2.
	b := replaceDay(a, d2, randomDay(10, d2))
	e.load(b, 1)
	e.wh.rewrite = failAfterInsert(rpt, d2)
	res, err := e.apply(days, plan.ApplyOptions{})
	e.wh.rewrite = nil
	requireStatuses(t, res, err, map[string]string{dw + " " + d2: "applied", rpt + " " + d2: "failed"})
	if got := e.snapshot(rpt); !slices.Equal(got, rptA) {
		t.Errorf("%s changed although its node failed:\n%s", rpt, multisetDiff(got, rptA))
	}
	e.checkDW(b, days) // the DW node of d2 did run

	// Newer logs for d2; now the DW node fails for d2, so the RPT node of d2 is skipped.
	c := replaceDay(a, d2, randomDay(20, d2))
	e.load(c, 1)
	dwB := e.snapshot(dw)
	e.wh.rewrite = failAfterInsert(dw, d2)
	res, err = e.apply(days, plan.ApplyOptions{})
	e.wh.rewrite = nil
	requireStatuses(t, res, err, map[string]string{dw + " " + d2: "failed", rpt + " " + d2: "skipped"})
	if got := e.snapshot(dw); !slices.Equal(got, dwB) {
		t.Errorf("%s changed although its node failed:\n%s", dw, multisetDiff(got, dwB))
	}
	if got := e.snapshot(rpt); !slices.Equal(got, rptA) {
		t.Errorf("%s changed although its upstream node failed:\n%s", rpt, multisetDiff(got, rptA))
	}

	// A plain apply of the day repairs it.
	e.mustApply(d2)
	e.checkDW(c, days)
	e.checkReports(c, days)
}

// requireStatuses requires a *plan.PartialError and the given job statuses
// ("name day"); every other job must have applied.
func requireStatuses(t *testing.T, res *plan.Result, err error, want map[string]string) {
	t.Helper()
	var pe *plan.PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("apply = %v, want a *plan.PartialError", err)
	}
	if !strings.Contains(err.Error(), "injected failure") {
		t.Errorf("apply error %q does not carry the node's error", err)
	}
	for _, j := range res.Jobs {
		w, ok := want[j.Name+" "+j.Day]
		if !ok {
			w = "applied"
		}
		if j.Status != w {
			t.Errorf("job %s %s: %s, want %s (%s)", j.Name, j.Day, j.Status, w, j.Error)
		}
	}
}

// TestIntegerEventColumn: an event column of BIGINT codes, with the stages'
// event values written as strings in funnel.toml, as for any column, and
// compared with the column as integers. Every mode must bind on DuckDB and
// count what the reference counts.
func TestIntegerEventColumn(t *testing.T) {
	t.Parallel()
	codes := []any{funneltest.Stage("browse", "1"), funneltest.Stage("click", "2", "4"), funneltest.Stage("purchase", "3")}
	base := []funneltest.Edit{
		funneltest.Set("ods.columns[9].type", "BIGINT"),
		funneltest.Set("dw.columns[4].type", "BIGINT"),
		funneltest.Set(f0+".stages", codes),
	}
	var rows []reference.ODSRow
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 400 {
		ev := []string{"1", "2", "3", "4", "5"}[r.IntN(5)]
		rows = append(rows, ods(d1, "k"+strconv.Itoa(i), "u"+strconv.Itoa(r.IntN(30)), ev, atSec(d1, int64(r.IntN(7200)))))
	}
	for _, v := range []variant{
		{name: "events", edits: base},
		{name: "users", edits: concat(base, []funneltest.Edit{funneltest.Set(f0+".mode", "users")})},
		{name: "users-breakdown", edits: concat(base, withTime, []funneltest.Edit{funneltest.Set(f0+".mode", "users"), funneltest.Set(f0+".breakdowns", []string{"device_brand"})})},
		{name: "ordered", edits: concat(base, withTime, []funneltest.Edit{funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "30m")})},
	} {
		t.Run(v.name, func(t *testing.T) {
			e := newEnv(t, "int-events-"+v.name, v.config(t))
			e.load(rows, 1)
			e.mustApply(d1)
			e.checkReports(rows, []string{d1})
		})
	}
}

// TestOrderedFarTimes: an ordered funnel without times to convert folds a
// user's starts packed into one BIGINT when the user's times lie within
// the packed fields' range (from two days before the business date's midnight
// UTC, 2^21 - 2 s or 2^31 - 2 ms long; DuckDB, generator.foldPacked), and
// into a struct otherwise. Users with times on both sides of that range,
// or far from it, with chains that do and do not fit the window, count as
// the reference counts, in seconds and in milliseconds.
func TestOrderedFarTimes(t *testing.T) {
	t.Parallel()
	const day = 86400
	var rows []reference.ODSRow
	add := func(user string, evs ...any) {
		for i := 0; i < len(evs); i += 2 {
			rows = append(rows, ods(d1, user+"-"+strconv.Itoa(i), user, evs[i].(string), atSec(d1, int64(evs[i+1].(int)))))
		}
	}
	add("near", "browse", 100, "click", 200, "purchase", 300)
	add("edge-before", "browse", -2*day+8*3600, "click", -2*day+8*3600+10, "purchase", 100) // the origin is midnight UTC, 08:00 here
	add("before", "browse", -2*day+8*3600-1, "click", -2*day+8*3600+10, "purchase", -2*day+8*3600+20)
	add("far-before", "browse", -400*day, "click", -400*day+3600, "purchase", -400*day+3601)
	add("spread", "browse", 100, "click", 30*day, "browse", 30*day+5, "purchase", 30*day+10)
	add("far-after", "browse", 40*day, "click", 40*day+1, "purchase", 40*day+3*3600)
	add("epoch", "browse", -int(atSec(d1, 0)), "click", -int(atSec(d1, 0))+1)
	// The last entry time a packed field holds, 2^21 - 2 s after the origin
	// (3 stages in seconds), and the first it does not, which would spill
	// into the next field and read as a click.
	const origin, mask = -2*day + 8*3600, 1<<21 - 1
	add("edge-after", "browse", origin+mask-1, "click", origin+mask-1)
	add("after", "browse", origin+mask)
	for i := range 50 { // users of a chunk beside them
		u := "u" + strconv.Itoa(i)
		add(u, "browse", 1000*i, "click", 1000*i+50*i, "purchase", 1000*i+100*i)
	}
	ms := []funneltest.Edit{funneltest.Set("ods.columns[2].type", "BIGINT"), funneltest.Add("dw.columns", funneltest.Column("ts", "BIGINT")),
		funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"), funneltest.Set(f0+".time_column", map[string]any{"name": "ts", "unit": "ms"}),
		funneltest.Set(f0+".stages", []any{funneltest.Stage("browse", "browse"), funneltest.Stage("purchase", "purchase")})}
	for _, v := range []variant{
		{name: "seconds", edits: concat(withTime, []funneltest.Edit{funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h")})},
		{name: "seconds-breakdown-cross-midnight", edits: concat(withTime, []funneltest.Edit{funneltest.Set(f0+".mode", "ordered"), funneltest.Set(f0+".window", "1h"),
			funneltest.Set(f0+".breakdowns", []string{"device"}), funneltest.Set(f0+".day_boundary", "cross_midnight")})},
		{name: "milliseconds", edits: ms},
	} {
		t.Run(v.name, func(t *testing.T) {
			rows := rows
			if v.name == "milliseconds" {
				rows = slices.Clone(rows)
				for i := range rows {
					rows[i].TS *= 1000
				}
				// The edges of 2 stages in milliseconds: 2^31 - 2 ms after the origin.
				at := func(ms int64) int64 { return atSec(d1, origin)*1000 + ms }
				const mask = 1<<31 - 1
				rows = append(rows, ods(d1, "e1", "ms-edge", "browse", at(mask-1)), ods(d1, "e2", "ms-edge", "purchase", at(mask-1)),
					ods(d1, "e3", "ms-after", "browse", at(mask)))
			}
			e := newEnv(t, "far-times-"+v.name, v.config(t))
			e.load(rows, 1)
			e.mustApply(d1)
			e.checkReports(rows, []string{d1})
		})
	}
}

// TestDropEmptyAmongEventColumns: with funnels over two event columns, a row
// passes the known-event filter on either (generator/testdata/configs/
// times.toml: event_type or event_code), so a NULL or empty event_type
// does not stop it there. drop_empty lists event_type: the DW node drops
// those rows as it says it does, and keeps the rows of a known code whose
// event_type is another value.
func TestDropEmptyAmongEventColumns(t *testing.T) {
	t.Parallel()
	cfg, err := os.ReadFile("../../generator/testdata/configs/times.toml")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWithoutReference(t, "two-event-columns", cfg)
	e.exec(`INSERT INTO "ods_shop_events" ("user_id", "event_type", "event_time", "event_code", "dt") VALUES
		('u1', 'view', '2024-02-29 10:00:00 UTC', NULL, '` + d1 + `'),
		('u2', NULL, '2024-02-29 10:00:00 UTC', 2, '` + d1 + `'),
		('u3', '', '2024-02-29 10:00:00 UTC', 3, '` + d1 + `'),
		('u4', 'login', '2024-02-29 10:00:00 UTC', 11, '` + d1 + `'),
		('u5', 'login', '2024-02-29 10:00:00 UTC', 99, '` + d1 + `')`)
	e.mustApply(d1)
	var got []string
	for _, r := range e.query(`SELECT "user_id" FROM "dw_shop_events" ORDER BY 1`).Values {
		got = append(got, *r[0])
	}
	if want := []string{"u1", "u4"}; !slices.Equal(got, want) {
		t.Errorf("DW users %v, want %v: drop_empty drops a NULL or empty event_type, the event filter a row of no known value", got, want)
	}
}
