//go:build cgo

package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/bench"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/ingest"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// The benchmarks of the local engine, at one day of about 1 M and 10 M
// sample events (the noise and bot rows make it slightly more):
//
//	go test -run '^$' -bench 'Sample|Load|Apply' -benchtime 1x -timeout 1h ./internal/e2e
//
// Each reports events (or rows) per second; BenchmarkApply also the DW and
// RPT nodes' and the bare counts' seconds and their ratios. DuckDB runs with
// its defaults (all cores, 80 % of RAM).

var sizes = []struct {
	name   string
	events int
}{{"1M", 1_000_000}, {"10M", 10_000_000}}

const benchDay = "20210303"

// shippedNodes renders the starter funnel.toml for benchDay.
func shippedNodes(b *testing.B) *bench.Nodes {
	b.Helper()
	cfg, err := models.Parse("funnel.toml", templates.Starter)
	if err != nil {
		b.Fatal(err)
	}
	n, err := bench.Render(cfg, benchDay)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// openBench opens a database file in a fresh directory with the project's
// tables.
func openBench(b *testing.B, n *bench.Nodes) *duckdb.DB {
	b.Helper()
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(b.TempDir(), "local.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := n.CreateTables(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	return db
}

func perSecond(b *testing.B, rows int64, unit string) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), unit)
}

// BenchmarkSample generates the events (gen), writes them as CSV (csv, to a
// file) and loads them into the ODS table as 'fgen sample --load' does (load).
func BenchmarkSample(b *testing.B) {
	for _, size := range sizes {
		b.Run("gen/"+size.name, func(b *testing.B) {
			n := shippedNodes(b)
			var events int64
			for b.Loop() {
				events = 0
				if err := sample.Generate(n.SampleOptions(bench.UsersFor(size.events)), func(*sample.Event) error { events++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			perSecond(b, events, "events/s")
		})
		b.Run("csv/"+size.name, func(b *testing.B) {
			n := shippedNodes(b)
			path := filepath.Join(b.TempDir(), "events.csv")
			var events int64
			for b.Loop() {
				w, err := sample.Create(path, sample.TimeFormat{})
				if err != nil {
					b.Fatal(err)
				}
				events = 0
				err = sample.Generate(n.SampleOptions(bench.UsersFor(size.events)), func(e *sample.Event) error { events++; return w.Write(e) })
				if cerr := w.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			perSecond(b, events, "events/s")
		})
		b.Run("load/"+size.name, func(b *testing.B) {
			n := shippedNodes(b)
			db := openBench(b, n)
			var events int64
			var err error
			for b.Loop() {
				if events, err = n.LoadSample(context.Background(), db, bench.UsersFor(size.events)); err != nil {
					b.Fatal(err)
				}
			}
			perSecond(b, events, "events/s")
		})
	}
}

// BenchmarkLoad loads a file of sample events with 'fgen load' into the
// day's ODS partition, replacing it, and then once with DuckDB's own reader
// (NativeLoad): native-s is that load's seconds and load/native the ratio.
// Parquet only at 1 M: writing the file runs at about 0.3 M events/s.
func BenchmarkLoad(b *testing.B) {
	for _, format := range []string{"jsonl", "csv", "parquet"} {
		for _, size := range sizes {
			if format == "parquet" && size.events > 1_000_000 {
				continue
			}
			b.Run(format+"/"+size.name, func(b *testing.B) {
				ctx := context.Background()
				n := shippedNodes(b)
				path := filepath.Join(b.TempDir(), "events."+format)
				w, err := ingest.CreateSample(context.Background(), path, sample.TimeFormat{})
				if err != nil {
					b.Fatal(err)
				}
				err = sample.Generate(n.SampleOptions(bench.UsersFor(size.events)), w.Write)
				if cerr := w.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					b.Fatal(err)
				}
				db := openBench(b, n)
				opts := ingest.ODS(n.Config, benchDay, []string{path}, false)
				var res ingest.Result
				for b.Loop() {
					if res, err = ingest.Load(ctx, db, opts); err != nil {
						b.Fatal(err)
					}
				}
				perSecond(b, res.Rows, "rows/s")
				b.StopTimer()
				// DuckDB's own reader of the same file into the same
				// table, what the load is measured against.
				start := time.Now()
				native, err := n.NativeLoad(ctx, db, path, false)
				if err != nil {
					b.Fatal(err)
				}
				if native != res.Rows {
					b.Fatalf("DuckDB's reader loaded %d rows, fgen load %d", native, res.Rows)
				}
				b.ReportMetric(time.Since(start).Seconds(), "native-s")
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/time.Since(start).Seconds(), "load/native")
			})
		}
	}
}

// BenchmarkApply runs the day's DW node and then its RPT node on a day of
// sample events, as 'fgen apply' does after the first time (the nodes
// replace their partitions), and the bare DuckDB count by event over the
// same ODS rows and over the DW rows. ns/op is all four; the metrics are
// the mean seconds of each and the ratios DW+RPT / bare ODS count and RPT /
// bare DW count.
func BenchmarkApply(b *testing.B) {
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			ctx := context.Background()
			n := shippedNodes(b)
			db := openBench(b, n)
			events, err := n.LoadSample(ctx, db, bench.UsersFor(size.events))
			if err != nil {
				b.Fatal(err)
			}
			// The first apply, untimed: it creates the DW partition.
			if _, err := bench.Run(ctx, db, n.DW); err != nil {
				b.Fatal(err)
			}
			var bareODS, dw, bareDW, rpt time.Duration
			for b.Loop() {
				_, d, err := bench.Count(ctx, db, n.BareODS())
				if err != nil {
					b.Fatal(err)
				}
				bareODS += d
				if d, err = bench.Run(ctx, db, n.DW); err != nil {
					b.Fatal(err)
				}
				dw += d
				if _, d, err = bench.Count(ctx, db, n.BareDW()); err != nil {
					b.Fatal(err)
				}
				bareDW += d
				if d, err = bench.Run(ctx, db, n.RPT); err != nil {
					b.Fatal(err)
				}
				rpt += d
			}
			mean := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
			b.ReportMetric(float64(events), "events")
			b.ReportMetric(mean(dw), "dw-s")
			b.ReportMetric(mean(rpt), "rpt-s")
			b.ReportMetric(mean(bareODS), "bare-ods-s")
			b.ReportMetric(mean(bareDW), "bare-dw-s")
			b.ReportMetric((dw+rpt).Seconds()/bareODS.Seconds(), "apply/bare")
			b.ReportMetric(rpt.Seconds()/bareDW.Seconds(), "rpt/bare")
		})
	}
}
