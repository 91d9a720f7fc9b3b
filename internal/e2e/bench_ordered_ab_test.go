//go:build cgo

package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bench"
	"github.com/fgen-dev/fgen/internal/chpeer"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// BenchmarkOrderedAB compares the ordered RPT nodes two sets of templates
// render, on the same rows in one process: this checkout's templates
// ("after") and those in the directory FGEN_BENCH_BEFORE ("before", another
// commit's templates/sql). Each round runs every ordered funnel of
// funnelsConfig before and after, alternating, and then, when a ClickHouse
// server answers (as for BenchmarkFunnels), windowFunnel on the sorted
// table; b.N rounds (of the sub-benchmark "rounds", so that the rows are
// made once) follow one warm-up round. Before and after must write
// the same rows, or the benchmark fails. It logs, per funnel, the medians of
// the wall seconds and of the CPU seconds of this process (DuckDB's threads
// run in it; CPU seconds move less than wall seconds on a shared machine)
// and the ratios, with the load average of each round.
//
//	git archive <commit> templates/sql | tar -x -C /tmp/before
//	FGEN_BENCH_BEFORE=/tmp/before/templates/sql \
//	    go test -run '^$' -bench '^BenchmarkOrderedAB$' -benchtime 7x -timeout 1h ./internal/e2e
//
// The rows are BenchmarkFunnels' (FGEN_BENCH_EVENTS, FGEN_BENCH_USERS,
// FGEN_BENCH_DATA; scripts/bench_funnels.sh makes 'fgen sample' rows of
// 2,257,638 users).
func BenchmarkOrderedAB(b *testing.B) {
	before := beforeTemplates(b)
	events, users := envInt(b, "FGEN_BENCH_EVENTS", 20_000_000), envInt(b, "FGEN_BENCH_USERS", 1_000_000)
	fx := newFunnelsFixture(b, events, users)
	b.Logf("%d DW rows of %d users on %s; DuckDB %s, %s", fx.rows, users, fx.day, fx.duckdbVersion, fx.chVersion())
	var ch func() (time.Duration, error)
	if fx.peer != nil {
		local := fx.orderedCounts(b)
		ch = func() (time.Duration, error) {
			out, d, err := fx.peer.Timed(fx.ctx, fx.chQuery)
			if err != nil {
				return 0, err
			}
			got, err := chpeer.ParseCounts(out, 3)
			if err == nil && !slices.Equal(got, local) {
				err = fmt.Errorf("windowFunnel counts %v, fgen's ordered funnel %v", got, local)
			}
			return d, err
		}
	}
	b.Run("rounds", func(b *testing.B) { compareOrdered(b, fx.ctx, fx.db, fx.cfg, fx.day, before, ch) })
}

// BenchmarkOrderedABBot is BenchmarkOrderedAB on BenchmarkFunnelsBot's
// rows: one user with FGEN_BENCH_BOT_EVENTS events (default 1,000,000).
//
//	FGEN_BENCH_BEFORE=/tmp/before/templates/sql \
//	    go test -run '^$' -bench '^BenchmarkOrderedABBot$' -benchtime 3x -timeout 1h ./internal/e2e
func BenchmarkOrderedABBot(b *testing.B) {
	before := beforeTemplates(b)
	ctx := context.Background()
	n := funnelsNodes(b, "20210303")
	db, err := duckdb.Open(duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := n.CreateTables(ctx, db); err != nil {
		b.Fatal(err)
	}
	if err := bench.Exec(ctx, db, botRowsSQL(n.Config, n.Day, envInt(b, "FGEN_BENCH_BOT_EVENTS", 1_000_000))); err != nil {
		b.Fatal(err)
	}
	b.Run("rounds", func(b *testing.B) { compareOrdered(b, ctx, db, n.Config, n.Day, before, nil) })
}

func beforeTemplates(b *testing.B) string {
	dir := os.Getenv("FGEN_BENCH_BEFORE")
	if dir == "" {
		b.Skip("FGEN_BENCH_BEFORE is not set: the directory of the templates to compare with (another commit's templates/sql)")
	}
	return dir
}

// compareOrdered runs the rounds of BenchmarkOrderedAB on db and logs the
// medians; ch, when not nil, times windowFunnel once a round.
func compareOrdered(b *testing.B, ctx context.Context, db *duckdb.DB, cfg *models.Config, day, beforeDir string, ch func() (time.Duration, error)) {
	after := orderedJobs(b, cfg, day, templates.FS())
	before := orderedJobs(b, cfg, day, os.DirFS(beforeDir))
	var names []string
	funnels := map[string]*models.Funnel{}
	for i, f := range cfg.Funnels {
		if f.Mode == models.ModeOrdered {
			names = append(names, f.Name)
			funnels[f.Name] = &cfg.Funnels[i]
		}
	}
	wall, cpu := map[string][]time.Duration{}, map[string][]time.Duration{}
	b.ResetTimer()
	for round := range b.N + 1 {
		for _, name := range names {
			var written [2]string
			for i, side := range []string{"before", "after"} {
				job := map[string]*warehouse.Job{"before": before[name], "after": after[name]}[side]
				c0, t0 := processCPU(), time.Now()
				if err := db.Run(ctx, job, nil); err != nil {
					b.Fatalf("%s, %s: %v", name, side, err)
				}
				w, c := time.Since(t0), processCPU()-c0
				if round > 0 {
					wall[name+"/"+side] = append(wall[name+"/"+side], w)
					cpu[name+"/"+side] = append(cpu[name+"/"+side], c)
				}
				written[i] = reportRows(b, ctx, db, funnels[name], day)
			}
			if written[0] != written[1] {
				b.Fatalf("%s: before and after wrote different rows:\n%s\nafter:\n%s", name, written[0], written[1])
			}
		}
		if ch != nil && round > 0 {
			d, err := ch()
			if err != nil {
				b.Fatal(err)
			}
			wall["windowFunnel"] = append(wall["windowFunnel"], d)
		}
		load, _ := os.ReadFile("/proc/loadavg")
		if f := strings.Fields(string(load)); len(f) > 0 && round > 0 {
			b.Logf("round %d: 1-minute load average %s", round, f[0])
		}
	}
	b.StopTimer()
	med := func(ds []time.Duration) float64 { return bench.Summarize(ds).Median.Seconds() }
	for _, name := range names {
		wb, wa := med(wall[name+"/before"]), med(wall[name+"/after"])
		cb, ca := med(cpu[name+"/before"]), med(cpu[name+"/after"])
		line := fmt.Sprintf("%-14s wall %.3f s -> %.3f s (%.2fx), CPU %.3f s -> %.3f s (%.2fx)", name, wb, wa, wa/wb, cb, ca, ca/cb)
		if w := wall["windowFunnel"]; len(w) > 0 {
			wc := med(w)
			line += fmt.Sprintf("; windowFunnel %.3f s: %.2fx -> %.2fx", wc, wb/wc, wa/wc)
		}
		b.Log(line)
	}
}

// orderedJobs renders cfg with the templates fsys and returns its RPT nodes
// by funnel, bound to day.
func orderedJobs(b *testing.B, cfg *models.Config, day string, fsys fs.FS) map[string]*warehouse.Job {
	p, err := generator.Render(cfg, fsys, generator.DuckDB)
	if err != nil {
		b.Fatal(err)
	}
	jobs := map[string]*warehouse.Job{}
	for i := range p.Nodes {
		node := &p.Nodes[i]
		if node.Layer != "RPT" {
			continue
		}
		s, err := p.NodeScript(node, day)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := p.Table(node.Name)
		jobs[node.Funnel] = &warehouse.Job{Name: node.Name, Kind: "node", Day: day, Partition: out.Partition, Statements: s.Statements}
	}
	return jobs
}

// reportRows returns the rows the RPT node of funnel f wrote for day, as
// text in a fixed order.
func reportRows(b *testing.B, ctx context.Context, db *duckdb.DB, f *models.Funnel, day string) string {
	q := generator.DuckDB.QuoteIdent
	rows, err := db.Query(ctx, fmt.Sprintf("SELECT COLUMNS(*)::VARCHAR FROM %s WHERE %s = '%s' ORDER BY ALL", q(f.Report.Table), q(f.Report.Partition), day))
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for _, r := range rows.Values {
		for _, v := range r {
			if v == nil {
				sb.WriteString("NULL\t")
			} else {
				sb.WriteString(*v + "\t")
			}
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// processCPU returns the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
