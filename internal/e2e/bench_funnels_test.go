//go:build cgo

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bench"
	"github.com/fgen-dev/fgen/internal/chpeer"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// BenchmarkFunnels times, on one day of FGEN_BENCH_EVENTS events (default
// 20,000,000) of FGEN_BENCH_USERS users (default 1,000,000):
//
//	duckdb/dw            the DW node: the day's ODS rows cleaned into the DW table, written
//	                     by (uid, ts, stage) for the ordered funnel
//	duckdb/ref_ctas      CREATE TABLE AS SELECT of the same columns and rows in the same
//	                     order (Nodes.CTAS: the DW node without its dedup), then dropped
//	duckdb/bare          SELECT customize_event, count(*) ... GROUP BY 1 over the day's DW rows
//	duckdb/events        the RPT node of an events funnel (the seed's)
//	duckdb/users         the RPT node of a users funnel, no breakdown
//	duckdb/ordered       the RPT node of an ordered funnel: browse -> click -> purchase, 1h
//	duckdb/ordered_full  the same with a breakdown and time-to-stage columns
//	duckdb/ref_events_from_groups    the events funnel's counts summed from the bare count's groups
//	duckdb/ref_count_distinct_users  SELECT count(DISTINCT uid) over the day's DW rows
//	duckdb/ref_users_by_event        SELECT customize_event, count(DISTINCT uid) ... GROUP BY 1:
//	                                 what the users node counts, written by hand; the users
//	                                 node's counts must equal it
//	clickhouse/windowFunnel           windowFunnel(W * 8 + 7) over the same DW rows in a
//	                                  MergeTree table (dt, uid, customize_event, ts)
//	                                  ordered by (uid, ts): stage and ts' computed in the query
//	clickhouse/windowFunnel_unsorted  the same over a table with no sort key (ORDER BY
//	                                  tuple()) holding the rows in random order
//	clickhouse/windowFunnel_prepared  windowFunnel over a table that already holds
//	                                  (uid, ts', stage), ordered by (uid, ts')
//
// The ClickHouse steps run when a server answers (chpeer.Connect: the one on
// FGEN_CLICKHOUSE_PORT, or a private one with FGEN_CLICKHOUSE=1). Each step
// reports s/query: the median of the node's or query's own times (for
// ClickHouse, what clickhouse-client --time reports, without starting the
// client). The two sides of a goal's ratio (dw and ref_ctas, events and
// bare, users and ref_count_distinct_users) run alternately in one
// sub-benchmark, which reports each side as s/query:<step>. The
// ordered counts must equal windowFunnel's, or the benchmark fails.
//
// The rows come from SQL, not 'fgen sample', whose users make 8.9 events a
// day: 5-event sessions, 4 per user (browse first, then browse 40 %, click
// 35 %, purchase 25 %), starting anywhere in the day, events 0 to 109 s into
// the session, so equal seconds are common. With FGEN_BENCH_DATA=sample they
// come from 'fgen sample' instead (FGEN_BENCH_USERS users, about 8.9 events
// each, FGEN_BENCH_EVENTS ignored): sessions with drop-off between the
// stages, dirty rows and bots. Either way they go into the ODS table and
// through the DW node, as 'fgen apply' would run them; the DW node writes
// them by (uid, ts, stage), as ClickHouse's sorted table keeps them. With
// FGEN_BENCH_DW_ORDER=shuffled the DW rows are then rewritten in random
// order, as a DW table that fgen's DW node did not write might hold them.
//
//	FGEN_BENCH_EVENTS=20000000 FGEN_BENCH_USERS=1000000 \
//	    go test -run '^$' -bench Funnels -benchtime 3x -timeout 1h ./internal/e2e
//
// scripts/bench_funnels.sh runs this and prints the times and ratios.
func BenchmarkFunnels(b *testing.B) {
	events, users := envInt(b, "FGEN_BENCH_EVENTS", 20_000_000), envInt(b, "FGEN_BENCH_USERS", 1_000_000)
	fx := newFunnelsFixture(b, events, users)
	b.Logf("%d DW rows of %d users on %s; DuckDB %s, %s", fx.rows, users, fx.day, fx.duckdbVersion, fx.chVersion())

	// Each goal's two sides run alternately, one run of each in turn, so
	// that what the machine does meanwhile (the disk writing back a run's
	// rows, another process) falls on both: the DW node against a CREATE
	// TABLE AS of the same columns and rows in the same order, first (the
	// shuffle below rewrites the DW rows), then the events and users nodes
	// against their bare counts.
	b.Run("duckdb/dw,ref_ctas", func(b *testing.B) {
		alternate(b,
			timedStep{"dw", func() (time.Duration, error) { return bench.Run(fx.ctx, fx.db, fx.dw) }},
			timedStep{"ref_ctas", func() (time.Duration, error) {
				start := time.Now()
				if err := bench.Exec(fx.ctx, fx.db, fx.ctas); err != nil {
					return 0, err
				}
				d := time.Since(start)
				var n int64
				if err := bench.QueryRow(fx.ctx, fx.db, "SELECT count(*) FROM fgen_bench_ctas", &n); err != nil {
					return 0, err
				}
				if n < fx.rows {
					b.Fatalf("the CTAS wrote %d rows, the DW node %d", n, fx.rows)
				}
				err := bench.Exec(fx.ctx, fx.db, "DROP TABLE fgen_bench_ctas")
				return d, err
			}})
	})
	fx.shuffle(b)
	node := func(name string) timedStep {
		return timedStep{name, func() (time.Duration, error) { return bench.Run(fx.ctx, fx.db, fx.nodes[name]) }}
	}
	b.Run("duckdb/events,bare", func(b *testing.B) {
		alternate(b, node("events"), timedStep{"bare", func() (time.Duration, error) {
			n, d, err := bench.Count(fx.ctx, fx.db, fx.bare)
			if err != nil {
				return 0, err
			}
			if n != fx.rows {
				b.Fatalf("bare count %d, want %d", n, fx.rows)
			}
			return d, nil
		}})
	})
	b.Run("duckdb/users,ref_count_distinct_users", func(b *testing.B) {
		alternate(b, node("users"), timedStep{"ref_count_distinct_users", fx.timedQuery(b, "ref_count_distinct_users", fx.distinctUsers)})
	})
	for _, name := range []string{"ordered", "ordered_full"} {
		b.Run("duckdb/"+name, func(b *testing.B) { perQuery(b, node(name).run) })
	}
	fx.checkUsers(b)
	// Reference queries for the events and users modes: the events counted
	// from the bare count's groups, and the users counted per event value.
	for _, ref := range []struct{ name, query string }{
		{"ref_events_from_groups", fx.eventsFromGroups},
		{"ref_users_by_event", fx.usersByEvent},
	} {
		b.Run("duckdb/"+ref.name, func(b *testing.B) { perQuery(b, fx.timedQuery(b, ref.name, ref.query)) })
	}
	local := fx.orderedCounts(b)
	if fx.peer == nil {
		b.Logf("ClickHouse steps skipped: %s", fx.skip)
		return
	}
	timeCH := func(query string) func(b *testing.B) {
		return func(b *testing.B) {
			perQuery(b, func() (time.Duration, error) {
				out, d, err := fx.peer.Timed(fx.ctx, query)
				if err != nil {
					return 0, err
				}
				got, err := chpeer.ParseCounts(out, 3)
				if err != nil {
					return 0, err
				}
				if !slices.Equal(got, local) {
					b.Fatalf("windowFunnel counts %v, fgen's ordered funnel %v", got, local)
				}
				return d, nil
			})
		}
	}
	b.Run("clickhouse/windowFunnel", timeCH(fx.chQuery))
	b.Run("clickhouse/windowFunnel_unsorted", timeCH(fx.chUnsorted))
	b.Run("clickhouse/windowFunnel_prepared", timeCH(fx.chPrepared))
}

// funnelsConfig is modes.toml's ODS and DW with the benchmark's funnels.
const funnelsConfig = `
[[funnels]]
name = "events"
mode = "events"
user_column = "uid"
event_column = "customize_event"
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }, { name = "purchase", events = ["purchase"] }]
[funnels.report]
table = "rpt_events"
count_type = "STRING"
rate_format = "percent"
count_column = "{stage}"
step_rate_column = "{from}_rate"
overall_rate_column = ""

[[funnels]]
name = "users"
mode = "users"
user_column = "uid"
event_column = "customize_event"
time_column = "ts"
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }, { name = "purchase", events = ["purchase"] }]
[funnels.report]
table = "rpt_users"

[[funnels]]
name = "ordered"
mode = "ordered"
window = "1h"
user_column = "uid"
event_column = "customize_event"
time_column = "ts"
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }, { name = "purchase", events = ["purchase"] }]
[funnels.report]
table = "rpt_ordered"

[[funnels]]
name = "ordered_full"
mode = "ordered"
window = "1h"
user_column = "uid"
event_column = "customize_event"
time_column = "ts"
breakdowns = ["device_brand"]
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }, { name = "purchase", events = ["purchase"] }]
[funnels.report]
table = "rpt_ordered_full"
overall_rate_column = "{stage}_overall_rate"
median_seconds_column = "{stage}_median_seconds"
avg_seconds_column = "{stage}_avg_seconds"

[[funnels]]
name = "ordered_steps"
mode = "ordered"
window = "1h"
user_column = "uid"
event_column = "customize_event"
time_column = "ts"
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }, { name = "purchase", events = ["purchase"] }]
[funnels.report]
table = "rpt_ordered_steps"
median_seconds_column = "{stage}_median_seconds"
step_median_seconds_column = "{stage}_step_median_seconds"
`

type funnelsFixture struct {
	ctx           context.Context
	cfg           *models.Config
	db            *duckdb.DB
	day           string
	rows          int64
	nodes         map[string]*warehouse.Job // RPT nodes by funnel name
	dw            *warehouse.Job            // the DW node
	ctas          string                    // Nodes.CTAS: the DW node's bare reference
	bare          string                    // Nodes.BareDW
	duckdbVersion string

	eventsFromGroups, distinctUsers, usersByEvent string // reference queries

	peer       *chpeer.Peer
	skip       string
	chQuery    string
	chUnsorted string
	chPrepared string
}

func (fx *funnelsFixture) chVersion() string {
	if fx.peer == nil {
		return "no ClickHouse"
	}
	return "ClickHouse " + fx.peer.Version
}

// funnelsNodes returns modes.toml's ODS and DW with the benchmark's funnels
// (funnelsConfig), rendered for DuckDB and bound to day.
func funnelsNodes(b *testing.B, day string) *bench.Nodes {
	b.Helper()
	text := string(readFile(b, modesConfig))
	text = text[:strings.Index(text, "\n[[funnels]]")] + funnelsConfig + text[strings.Index(text, "\n[targets.local]"):]
	cfg, err := models.Parse("funnel.toml", []byte(text))
	if err != nil {
		b.Fatalf("%v\n%s", err, text)
	}
	n, err := bench.Render(cfg, day)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func newFunnelsFixture(b *testing.B, events, users int) *funnelsFixture {
	ctx := context.Background()
	n := funnelsNodes(b, "20210303")
	cfg := n.Config
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(b.TempDir(), "bench.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	fx := &funnelsFixture{ctx: ctx, cfg: cfg, db: db, day: n.Day, nodes: n.Reports, dw: n.DW, bare: n.BareDW()}
	if err := bench.QueryRow(ctx, db, "SELECT version()", &fx.duckdbVersion); err != nil {
		b.Fatal(err)
	}
	if err := n.CreateTables(ctx, db); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	switch data := os.Getenv("FGEN_BENCH_DATA"); data {
	case "", "sql":
		if err := bench.Exec(ctx, db, odsRowsSQL(cfg.ODS.Name, fx.day, events, users)); err != nil {
			b.Fatal(err)
		}
	case "sample":
		// The events funnel's stages: browse, click, purchase.
		loaded, err := n.LoadSample(ctx, db, users)
		if err != nil {
			b.Fatal(err)
		}
		events = int(loaded)
	default:
		b.Fatalf("FGEN_BENCH_DATA=%q: want sql or sample", data)
	}
	if _, err := bench.Run(ctx, db, n.DW); err != nil {
		b.Fatal(err)
	}
	q := generator.DuckDB.QuoteIdent
	if order := os.Getenv("FGEN_BENCH_DW_ORDER"); order != "" && order != "shuffled" {
		b.Fatalf("FGEN_BENCH_DW_ORDER=%q: want empty or shuffled", order)
	}
	if fx.ctas, err = n.CTAS("fgen_bench_ctas"); err != nil {
		b.Fatal(err)
	}
	if err := bench.QueryRow(ctx, db, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s = '%s'", q(cfg.DW.Name), q(cfg.DW.Partition), fx.day), &fx.rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d ODS rows and ran the DW node in %.1fs", events, time.Since(start).Seconds())
	ev := q("customize_event")
	fx.eventsFromGroups = fmt.Sprintf("SELECT CAST(SUM(CASE WHEN %[1]s = 'browse' THEN n ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN %[1]s = 'click' THEN n ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN %[1]s = 'purchase' THEN n ELSE 0 END) AS BIGINT) FROM (%[2]s) AS g(%[1]s, n)", ev, fx.bare)
	fx.distinctUsers = fmt.Sprintf("SELECT count(DISTINCT %s) FROM %s WHERE %s = '%s'", q("uid"), q(cfg.DW.Name), q(cfg.DW.Partition), fx.day)
	fx.usersByEvent = fmt.Sprintf("SELECT %s, count(DISTINCT %s) FROM %s WHERE %s = '%s' GROUP BY %s", ev, q("uid"), q(cfg.DW.Name), q(cfg.DW.Partition), fx.day, ev)

	fx.peer, fx.skip, err = chpeer.Connect(ctx, "../../scripts/clickhouse.sh", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if fx.peer != nil {
		b.Cleanup(func() { fx.peer.Close() })
		fx.loadClickHouse(b)
	}
	return fx
}

// shuffle rewrites the DW rows in random order with FGEN_BENCH_DW_ORDER=shuffled,
// as a DW table fgen's DW node did not write might hold them: the ordered
// fold must then sort every user.
func (fx *funnelsFixture) shuffle(b *testing.B) {
	if os.Getenv("FGEN_BENCH_DW_ORDER") != "shuffled" {
		b.Logf("DW rows in the order the DW node wrote them: by (uid, ts, stage)")
		return
	}
	dwt := generator.DuckDB.QuoteIdent(fx.cfg.DW.Name)
	for _, stmt := range []string{
		"CREATE TABLE fgen_dw_shuffled AS SELECT * FROM " + dwt + " ORDER BY hash(rowid)",
		"DELETE FROM " + dwt,
		"INSERT INTO " + dwt + " SELECT * FROM fgen_dw_shuffled",
		"DROP TABLE fgen_dw_shuffled",
		"CHECKPOINT",
	} {
		if err := bench.Exec(fx.ctx, fx.db, stmt); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("DW rows shuffled")
}

// odsRowsSQL inserts events rows of users users on day into the ODS table,
// in 5-event sessions (see BenchmarkFunnels). h is a cheap integer hash.
func odsRowsSQL(ods, day string, events, users int) string {
	t, err := time.ParseInLocation("20060102", day, time.FixedZone("UTC+8", 8*3600))
	if err != nil {
		panic(err)
	}
	// Knuth's multiplicative hash, its upper 24 bits.
	h := func(x string) string { return fmt.Sprintf("((%s) * 2654435761 %% 4294967296 // 256)", x) }
	return fmt.Sprintf(`INSERT INTO %s
SELECT 'r' || i AS md5,
       'u' || (i // 5 %% %d) AS uid,
       %d + %s %% 86100 + (i %% 5) * 20 + %s %% 30 AS ts,
       '10.0.0.1' AS ip,
       200 AS status,
       1000 AS bytes,
       (['Apple', 'Huawei', 'Xiaomi', 'OPPO', 'vivo', 'Honor', 'Samsung', 'OnePlus'])[1 + %s %% 8] AS device_brand,
       'model' AS device,
       'Android' AS system_type,
       CASE WHEN i %% 5 = 0 OR %s %% 100 < 40 THEN 'browse' WHEN %s %% 100 < 75 THEN 'click' ELSE 'purchase' END AS customize_event,
       1000 AS use_time,
       'item_1' AS customize_event_content,
       '%s' AS dt
FROM range(%d) t(i)`,
		generator.DuckDB.QuoteIdent(ods), users, t.Unix(), h("i // 5 + 1"), h("i + 7"),
		h("i // 5 % "+strconv.Itoa(users)+" + 3"), h("i * 7 + 1"), h("i * 7 + 1"), day, events)
}

// loadClickHouse copies the day's DW rows into ClickHouse, in both layouts.
func (fx *funnelsFixture) loadClickHouse(b *testing.B) {
	ctx := fx.ctx
	q := generator.DuckDB.QuoteIdent
	f := fx.cfg.Funnels[2]
	dw := fx.cfg.DW
	file := filepath.Join(b.TempDir(), "dw.csv")
	if err := bench.Exec(ctx, fx.db, fmt.Sprintf("COPY (SELECT %s, %s, %s, %s FROM %s WHERE %s = '%s') TO '%s' (FORMAT csv, HEADER false)",
		q(dw.Partition), q(f.UserColumn), q(f.EventColumn), q(f.TimeColumn.Name), q(dw.Name), q(dw.Partition), fx.day, file)); err != nil {
		b.Fatal(err)
	}
	var least int64
	if err := bench.QueryRow(ctx, fx.db, fmt.Sprintf("SELECT min(%s) FROM %s WHERE %s = '%s'", q(f.TimeColumn.Name), q(dw.Name), q(dw.Partition), fx.day), &least); err != nil {
		b.Fatal(err)
	}
	cf := chpeer.Funnel{Table: "fgen_bench_dw", Day: fx.day, Base: least, Window: f.Window.Seconds,
		Partition: dw.Partition, User: f.UserColumn, Event: f.EventColumn, Time: f.TimeColumn.Name}
	for _, s := range f.Stages {
		cf.Stages = append(cf.Stages, s.Events)
	}
	// The unsorted table gets the rows in no order, as they would arrive
	// from the logs of many users at once.
	shuffled := filepath.Join(b.TempDir(), "dw_shuffled.csv")
	if err := bench.Exec(ctx, fx.db, fmt.Sprintf("COPY (SELECT %s, %s, %s, %s FROM %s WHERE %s = '%s' ORDER BY hash(rowid)) TO '%s' (FORMAT csv, HEADER false)",
		q(dw.Partition), q(f.UserColumn), q(f.EventColumn), q(f.TimeColumn.Name), q(dw.Name), q(dw.Partition), fx.day, shuffled)); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	unsorted := cf
	unsorted.Table = "fgen_bench_dw_unsorted"
	for _, t := range []struct {
		f      chpeer.Funnel
		sorted bool
		file   string
	}{{cf, true, file}, {unsorted, false, shuffled}} {
		if err := fx.peer.CreateEventsTable(ctx, t.f, t.sorted); err != nil {
			b.Fatal(err)
		}
		in, err := os.Open(t.file)
		if err != nil {
			b.Fatal(err)
		}
		err = fx.peer.InsertCSV(ctx, t.f.Table, in)
		in.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := fx.peer.Prepare(ctx, cf, "fgen_bench_prepared"); err != nil {
		b.Fatal(err)
	}
	var err error
	if fx.chQuery, err = chpeer.WindowFunnelSQL(cf); err != nil {
		b.Fatal(err)
	}
	if fx.chUnsorted, err = chpeer.WindowFunnelSQL(unsorted); err != nil {
		b.Fatal(err)
	}
	fx.chPrepared = chpeer.PreparedSQL(cf, "fgen_bench_prepared")
	// Merge the parts, as a table loaded long ago would be.
	for _, t := range []string{cf.Table, unsorted.Table, "fgen_bench_prepared"} {
		if _, err := fx.peer.Query(ctx, "OPTIMIZE TABLE `"+t+"` FINAL", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded the DW rows into ClickHouse in %.1fs", time.Since(start).Seconds())
}

// checkUsers requires the users node's counts to equal count(DISTINCT uid)
// per event value (each stage of the benchmark's funnel is one value).
func (fx *funnelsFixture) checkUsers(b *testing.B) {
	q := generator.DuckDB.QuoteIdent
	if _, err := bench.Run(fx.ctx, fx.db, fx.nodes["users"]); err != nil {
		b.Fatal(err)
	}
	rows, err := fx.db.Query(fx.ctx, fmt.Sprintf("SELECT e, n, CASE e WHEN 'browse' THEN %[1]s WHEN 'click' THEN %[2]s WHEN 'purchase' THEN %[3]s END FROM (%[4]s) AS d(e, n), %[5]s WHERE %[6]s = '%[7]s'",
		q("browse"), q("click"), q("purchase"), fx.usersByEvent, q("rpt_users"), q("dt"), fx.day))
	if err != nil {
		b.Fatal(err)
	}
	if len(rows.Values) != 3 {
		b.Fatalf("users check: %d event values, want 3", len(rows.Values))
	}
	for _, r := range rows.Values {
		if r[1] == nil || r[2] == nil || *r[1] != *r[2] {
			b.Fatalf("users node counts %v users of %v, count(DISTINCT uid) %v", r[2], r[0], r[1])
		}
	}
}

// orderedCounts returns the per-stage counts the ordered node wrote.
func (fx *funnelsFixture) orderedCounts(b *testing.B) []int64 {
	q := generator.DuckDB.QuoteIdent
	if _, err := bench.Run(fx.ctx, fx.db, fx.nodes["ordered"]); err != nil {
		b.Fatal(err)
	}
	var counts [3]int64
	if err := bench.QueryRow(fx.ctx, fx.db, fmt.Sprintf("SELECT %s, %s, %s FROM %s WHERE %s = '%s'",
		q("browse"), q("click"), q("purchase"), q("rpt_ordered"), q("dt"), fx.day), &counts[0], &counts[1], &counts[2]); err != nil {
		b.Fatal(err)
	}
	return counts[:]
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// BenchmarkFunnelsBot times the ordered node on one user with
// FGEN_BENCH_BOT_EVENTS events (default 1,000,000) in a day, a bot: the fold
// walks one long list on one thread, so its cost per event is what a large
// per-user history costs (linear, not quadratic).
//
//	go test -run '^$' -bench FunnelsBot -benchtime 3x ./internal/e2e
func BenchmarkFunnelsBot(b *testing.B) {
	events := envInt(b, "FGEN_BENCH_BOT_EVENTS", 1_000_000)
	ctx := context.Background()
	const day = "20210303"
	n := funnelsNodes(b, day)
	cfg := n.Config
	db, err := duckdb.Open(duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := n.CreateTables(ctx, db); err != nil {
		b.Fatal(err)
	}
	if err := bench.Exec(ctx, db, botRowsSQL(cfg, day, events)); err != nil {
		b.Fatal(err)
	}
	job := n.Reports["ordered"]
	b.ResetTimer()
	perQuery(b, func() (time.Duration, error) { return bench.Run(ctx, db, job) })
}

// botRowsSQL inserts the DW rows of one user, 'bot', with events events on
// day, in no order: mostly entries, clicks and purchases now and then, all
// over the day.
func botRowsSQL(cfg *models.Config, day string, events int) string {
	return fmt.Sprintf(`INSERT INTO %s (uid, customize_event, ts, dt)
SELECT 'bot', (['browse', 'browse', 'browse', 'click', 'purchase'])[1 + i %% 5], 1614700800 + (i * 2654435761 %% 4294967296 // 256) %% 86400, '%s'
FROM range(%d) t(i)`, generator.DuckDB.QuoteIdent(cfg.DW.Name), day, events)
}

// perQuery runs step b.N times and reports the median of the times it
// returns as s/query: the node's or query's own time, without the step's
// checks. An error fails the benchmark.
func perQuery(b *testing.B, step func() (time.Duration, error)) {
	b.Helper()
	var ds []time.Duration
	for range b.N {
		d, err := step()
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, d)
	}
	b.ReportMetric(bench.Summarize(ds).Median.Seconds(), "s/query")
}

// timedStep is one step of alternate: its name and a run of it.
type timedStep struct {
	name string
	run  func() (time.Duration, error)
}

// alternate runs steps in turn b.N times, each round starting one step
// later than the one before, and reports the median of each step's times
// as its own metric: s/query:<name>, which scripts/bench_funnels.sh reads
// as the step <group>/<name> (duckdb/dw from duckdb/dw,ref_ctas). Short
// steps, whose times move most with the machine, get more rounds: when b.N
// rounds (b.N > 1: not the warm-up) took less than 5 s, rounds go on until
// there are minRounds or they took 5 s.
func alternate(b *testing.B, steps ...timedStep) {
	b.Helper()
	const minRounds = 11
	ds := make([][]time.Duration, len(steps))
	start := time.Now()
	for i := 0; i < b.N || b.N > 1 && i < minRounds && time.Since(start) < 5*time.Second; i++ {
		for j := range steps {
			k := (i + j) % len(steps)
			d, err := steps[k].run()
			if err != nil {
				b.Fatalf("%s: %v", steps[k].name, err)
			}
			ds[k] = append(ds[k], d)
		}
	}
	for k, st := range steps {
		b.ReportMetric(bench.Summarize(ds[k]).Median.Seconds(), "s/query:"+st.name)
	}
}

// timedQuery times a query that must return rows, with reading its result
// (a row or a few).
func (fx *funnelsFixture) timedQuery(b *testing.B, name, query string) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		start := time.Now()
		rows, err := fx.db.Query(fx.ctx, query)
		if err != nil {
			return 0, err
		}
		d := time.Since(start)
		if len(rows.Values) == 0 {
			b.Fatalf("%s: no rows", name)
		}
		return d, nil
	}
}
