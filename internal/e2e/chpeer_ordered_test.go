//go:build cgo

package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/chpeer"
	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/reference"
)

// orderedCase is a variant of modes.toml and the random rows to run it on.
type orderedCase struct {
	name   string
	edits  []funneltest.Edit
	window int64 // of funnel 2, for the W and W + 1 edges of the random rows
	seeds  int   // random cases of a deep run (-chpeer.deep)
}

var deep = flag.Bool("chpeer.deep", false, "run every random case of each ordered shape, not one, each with a bot of 50,000 events, not 10,000")

// cases returns the number of random cases of tc: one, as every case has a
// bot that takes seconds, or tc.seeds with -chpeer.deep.
func (tc orderedCase) cases() int {
	if *deep {
		return tc.seeds
	}
	return 1
}

// botEvents is the size of each case's bot: 10,000 events, far more than
// a list the fold takes row by row and than a DuckDB vector (2,048 rows),
// or 50,000 with -chpeer.deep.
func botEvents() int {
	if *deep {
		return 50_000
	}
	return 10_000
}

var fo = fmt.Sprintf("funnels[%d]", orderedFunnel)

var orderedCases = []orderedCase{
	// browse -> click -> purchase within 1h, a breakdown, timing columns; and
	// the cross_midnight funnel browse -> click within 30m
	{name: "modes", window: 3600, seeds: 3},
	{name: "window-1s", window: 1, seeds: 2, edits: []funneltest.Edit{funneltest.Set(fo+".window", "1s")}},
	{name: "two-stages", window: 600, seeds: 2, edits: []funneltest.Edit{
		funneltest.Set(fo+".window", "10m"),
		funneltest.Set(fo+".stages", []any{funneltest.Stage("browse", "browse"), funneltest.Stage("buy", "click", "purchase")}),
	}},
	// seven stages and the longest window, a day: the fold state takes two
	// words
	{name: "seven-stages-24h", window: 86400, seeds: 1, edits: []funneltest.Edit{
		funneltest.Set(fo+".window", "24h"),
		funneltest.Set(fo+".stages", []any{
			funneltest.Stage("s1", "browse"), funneltest.Stage("s2", "click"), funneltest.Stage("s3", "purchase"), funneltest.Stage("s4", "share"),
			funneltest.Stage("s5", "favorite", "like"), funneltest.Stage("s6", "cart"), funneltest.Stage("s7", "pay"),
		}),
	}},
}

// TestOrderedMatchesReference runs fgen's ordered funnels on random rows
// (reference.RandomRows: equal timestamps across stages, equal (ts, stage)
// copies, repeated entries, gaps of W - 1, W and W + 1, chains across
// midnight, users with only later stages, late rows, dirty rows) plus a bot
// with 10,000 events (50,000 with -chpeer.deep) on one day, and requires
// every report value to equal reference.Compute.
func TestOrderedMatchesReference(t *testing.T) {
	for _, tc := range orderedCases {
		t.Run(tc.name, func(t *testing.T) {
			cfgText := editedModes(t, tc.edits...)
			for seed := range tc.cases() {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					t.Parallel()
					e := newEnv(t, tc.name, cfgText)
					rows, days := randomRows(e, tc.window, uint64(seed), botEvents())
					e.loadDays(rows, 1, days)
					e.mustApply(days...)
					e.requireReference(rows, days, orderedFunnel, overnightFunnel)
				})
			}
		})
	}
}

// randomRows returns random ODS rows on two or three consecutive days for
// e's config, with a bot of bot events on one of them, and the days.
func randomRows(e *env, window int64, seed uint64, bot int) ([]reference.ODSRow, []string) {
	r := rand.New(rand.NewPCG(seed, 0x0f6e))
	start := time.Date(2024, 2, 27, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(30))
	days := make([]string, 2+r.IntN(2))
	for i := range days {
		days[i] = start.AddDate(0, 0, i).Format("20060102")
	}
	rows := reference.RandomRows(r, reference.RandomOptions{
		Days:        days,
		Events:      funneltest.StageEvents(e.cfg),
		OtherEvents: []string{"login", "evt_unknown", "Browse"},
		Dims:        e.lay.Dims,
		Users:       2 + r.IntN(30),
		Sessions:    20 + r.IntN(200),
		Window:      window,
	})
	if bot > 0 {
		rows = append(rows, botRows(r, days[r.IntN(len(days))], bot, window, funneltest.StageEvents(e.cfg))...)
	}
	return rows, days
}

// botRows returns n events of one user on day: mostly entries, in bursts of
// equal timestamps, with later stages now and then, some exactly W or W + 1
// after a burst.
func botRows(r *rand.Rand, day string, n int, window int64, events []string) []reference.ODSRow {
	t0, err := time.ParseInLocation("20060102", day, time.FixedZone("UTC+8", 8*3600))
	if err != nil {
		panic(err)
	}
	user := "bot"
	rows := make([]reference.ODSRow, 0, n)
	ts := t0.Unix() + r.Int64N(3600)
	base := ts
	for i := range n {
		switch k := r.IntN(100); {
		case k < 40: // same second
		case k < 45:
			ts = base + window
		case k < 50:
			ts = base + window + 1
		case k < 55:
			base = t0.Unix() + r.Int64N(86400-1)
			ts = base
		default:
			ts += r.Int64N(3)
		}
		ts = min(ts, t0.Unix()+86400-1)
		ev := events[0]
		if k := r.IntN(10); k >= 7 {
			ev = events[r.IntN(len(events))]
		}
		key := fmt.Sprintf("bot-%d", i)
		rows = append(rows, reference.ODSRow{Dt: day, DedupKey: &key, User: &user, Event: &ev, TS: ts})
	}
	return rows
}

// TestOrderedEdges pins the cases FUNNELS.md lists, one user each, on one day
// with the 1h funnel (3600 s): equal timestamps, exactly W and W + 1, a later
// entry that fits where an earlier one does not, later stages before any
// entry, copies, and times near zero and below it.
func TestOrderedEdges(t *testing.T) {
	const day = "20240301"
	d0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.FixedZone("UTC+8", 8*3600)).Unix()
	type ev struct {
		name string
		at   int64
	}
	users := map[string][]ev{
		"ties":          {{"purchase", 100}, {"click", 100}, {"browse", 100}},
		"exactly-w":     {{"browse", 0}, {"click", 1800}, {"purchase", 3600}},
		"w-plus-one":    {{"browse", 0}, {"click", 1800}, {"purchase", 3601}},
		"later-entry":   {{"browse", 0}, {"click", 10}, {"browse", 4000}, {"click", 5000}, {"purchase", 7000}},
		"only-later":    {{"click", 5}, {"purchase", 6}},
		"before-entry":  {{"click", 5}, {"purchase", 6}, {"browse", 7}, {"purchase", 8}},
		"copies":        {{"browse", 50}, {"browse", 50}, {"click", 50}, {"click", 50}},
		"two-chains":    {{"browse", 0}, {"browse", 3000}, {"click", 3500}, {"purchase", 6500}, {"purchase", 6601}},
		"stale-click":   {{"browse", 0}, {"click", 100}, {"browse", 5000}, {"purchase", 5001}},
		"entry-only":    {{"browse", 86399}},
		"last-second":   {{"browse", 86399}, {"click", 86399}, {"purchase", 86399}},
		"click-refresh": {{"browse", 0}, {"click", 3000}, {"browse", 3500}, {"click", 3600}, {"purchase", 7000}},
	}
	var rows []reference.ODSRow
	n := 0
	for u, evs := range users {
		for _, e := range evs {
			n++
			key, user, event := fmt.Sprintf("k%d", n), u, e.name
			rows = append(rows, reference.ODSRow{Dt: day, DedupKey: &key, User: &user, Event: &event, TS: d0 + e.at})
		}
	}
	// Times near and below zero, on another day: the fold's "no entry yet"
	// time must stay out of every window.
	for i, at := range []int64{-7200, -3600, 0, 1, 3601} {
		key, user, event := fmt.Sprintf("z%d", i), "epoch", []string{"browse", "click", "purchase", "click", "purchase"}[i]
		rows = append(rows, reference.ODSRow{Dt: "19700101", DedupKey: &key, User: &user, Event: &event, TS: at})
	}
	e := newEnv(t, "edges", editedModes(t))
	days := []string{"19700101", day}
	e.loadDays(rows, 1, days)
	e.mustApply(days...)
	e.requireReference(rows, days, orderedFunnel, overnightFunnel)
	got := e.totals(orderedFunnel)[day]
	// browse: every user but only-later. click: ties, exactly-w, w-plus-one,
	// later-entry, copies, two-chains, stale-click, last-second and
	// click-refresh (before-entry's click precedes its entry). purchase: ties,
	// exactly-w, later-entry, two-chains, last-second, click-refresh.
	if want := []int64{11, 9, 6}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: counts %v, want %v", day, got, want)
	}
}

// TestOrderedMatchesWindowFunnel loads the rows of TestOrderedMatchesReference
// into ClickHouse as well, straight from fgen's DW table, and requires the
// ordered funnels' per-stage user counts to equal windowFunnel's, day by day.
// It runs when a ClickHouse server answers (see Connect).
func TestOrderedMatchesWindowFunnel(t *testing.T) {
	ctx := context.Background()
	peer, skip, err := chpeer.Connect(ctx, "../../scripts/clickhouse.sh", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if peer == nil {
		t.Skip(skip)
	}
	t.Cleanup(func() { peer.Close() })
	t.Logf("ClickHouse %s on %s", peer.Version, peer.Client)
	for _, tc := range orderedCases {
		t.Run(tc.name, func(t *testing.T) {
			cfgText := editedModes(t, tc.edits...)
			for seed := range tc.cases() {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					e := newEnv(t, tc.name, cfgText)
					rows, days := randomRows(e, tc.window, uint64(seed), 5_000)
					e.loadDays(rows, 1, days)
					e.mustApply(days...)
					for _, i := range []int{orderedFunnel, overnightFunnel} {
						f := &e.cfg.Funnels[i]
						if len(f.Stages) > chpeer.MaxStages {
							t.Fatalf("%s has %d stages", f.Name, len(f.Stages))
						}
						data, least := e.dwCSV(f, days)
						cf := chpeer.Funnel{Table: fmt.Sprintf("fgen_chpeer_%s_%d", tc.name, seed), Base: least, Window: f.Window.Seconds,
							Partition: e.cfg.DW.Partition, User: f.UserColumn, Event: f.EventColumn, Time: f.TimeColumn.Name}
						cf.Table = sanitize(cf.Table)
						for _, s := range f.Stages {
							cf.Stages = append(cf.Stages, s.Events)
						}
						if err := peer.CreateEventsTable(ctx, cf, seed%2 == 0); err != nil {
							t.Fatal(err)
						}
						if err := peer.InsertCSV(ctx, cf.Table, bytes.NewReader(data)); err != nil {
							t.Fatal(err)
						}
						local := e.totals(i)
						for _, day := range days {
							cf.Day, cf.Next = day, ""
							if f.DayBoundary == "cross_midnight" {
								cf.Next = bizdate.Next(day)
							}
							want, err := peer.Counts(ctx, cf)
							if err != nil {
								t.Fatal(err)
							}
							if fmt.Sprint(local[day]) != fmt.Sprint(want) {
								t.Errorf("%s %s: fgen counts %v, windowFunnel %v", f.Name, day, local[day], want)
							}
							// The prepared layout the benchmarks also time counts the same.
							prepared := cf.Table + "_prepared"
							if err := peer.Prepare(ctx, cf, prepared); err != nil {
								t.Fatal(err)
							}
							out, err := peer.Query(ctx, chpeer.PreparedSQL(cf, prepared), nil)
							if err != nil {
								t.Fatal(err)
							}
							if got, err := chpeer.ParseCounts(out, len(cf.Stages)); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
								t.Errorf("%s %s: windowFunnel over the prepared table %v (%v), over the rows %v", f.Name, day, got, err, want)
							}
							peer.DropTable(ctx, prepared)
						}
						peer.DropTable(ctx, cf.Table)
					}
				})
			}
		})
	}
}

// sanitize makes a ClickHouse table name of s.
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
