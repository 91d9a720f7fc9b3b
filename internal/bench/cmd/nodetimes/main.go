//go:build cgo

// Command nodetimes times, on the local DuckDB target of a funnel.toml that
// 'fgen sample --load' and 'fgen apply' have filled, the bare count of the
// day's ODS rows per event, the DW node, the bare count of the day's DW rows
// per event and the RPT node, each -runs times in that order, and prints the
// best and median times and the ratios of the nodes to the bare counts.
// scripts/bench.sh runs it; it re-runs the nodes, which overwrite the day's
// DW and RPT partitions with the same rows.
//
//	nodetimes -config funnel.toml -bizdate 20210303 -runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/fgen-dev/fgen/internal/bench"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

func main() {
	config := flag.String("config", "funnel.toml", "the funnel.toml")
	day := flag.String("bizdate", "20210303", "business date yyyymmdd")
	runs := flag.Int("runs", 3, "runs of each step")
	flag.Parse()
	if err := run(*config, *day, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "nodetimes:", err)
		os.Exit(1)
	}
}

func run(config, day string, runs int) error {
	ctx := context.Background()
	n, db, err := bench.OpenLocal(config, day)
	if err != nil {
		return err
	}
	defer db.Close()
	count := func(query string) func() (int64, time.Duration, error) {
		return func() (int64, time.Duration, error) { return bench.Count(ctx, db, query) }
	}
	node := func(job *warehouse.Job) func() (int64, time.Duration, error) {
		return func() (int64, time.Duration, error) {
			d, err := bench.Run(ctx, db, job)
			return 0, d, err
		}
	}
	odsRows, bareODS, err := repeat(runs, count(n.BareODS()))
	if err != nil {
		return err
	}
	_, dw, err := repeat(runs, node(n.DW))
	if err != nil {
		return err
	}
	dwRows, bareDW, err := repeat(runs, count(n.BareDW()))
	if err != nil {
		return err
	}
	_, rpt, err := repeat(runs, node(n.RPT))
	if err != nil {
		return err
	}
	sODS, sDW, sDWNode, sRPT := bench.Summarize(bareODS), bench.Summarize(bareDW), bench.Summarize(dw), bench.Summarize(rpt)
	fmt.Printf("bare count by event, ODS (%d rows): %s\n", odsRows, sODS)
	fmt.Printf("DW node:                             %s\n", sDWNode)
	fmt.Printf("bare count by event, DW  (%d rows): %s\n", dwRows, sDW)
	fmt.Printf("RPT node:                            %s\n", sRPT)
	ratio := func(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }
	fmt.Printf("ratio DW+RPT / bare ODS count: %.1fx (medians), %.1fx (bests)\n",
		ratio(sDWNode.Median+sRPT.Median, sODS.Median), ratio(sDWNode.Best+sRPT.Best, sODS.Best))
	fmt.Printf("ratio RPT / bare DW count:     %.1fx (medians), %.1fx (bests)\n",
		ratio(sRPT.Median, sDW.Median), ratio(sRPT.Best, sDW.Best))
	return nil
}

// repeat runs step runs times and returns the rows its last run counted and
// the time of each run; it stops at the first error.
func repeat(runs int, step func() (int64, time.Duration, error)) (int64, []time.Duration, error) {
	var rows int64
	var ds []time.Duration
	for range runs {
		c, d, err := step()
		if err != nil {
			return 0, nil, err
		}
		rows, ds = c, append(ds, d)
	}
	return rows, ds, nil
}
