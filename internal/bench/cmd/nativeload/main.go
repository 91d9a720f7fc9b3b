//go:build cgo

// Command nativeload loads a file into the day's ODS partition of the local
// DuckDB target of a funnel.toml with DuckDB's own reader for its format
// (read_csv, read_json or read_parquet, see bench.Nodes.NativeLoad), creating
// the project's tables if needed, and prints the rows and the time the load
// took. scripts/bench_load.sh runs it beside 'fgen load' on the same file.
//
//	nativeload -config funnel.toml -bizdate 20210303 [-unordered] events.csv
//
// With -unordered the load runs with preserve_insertion_order = false, as
// fgen load's does (duckdb.Tx.Unordered): the reader alone, with the
// setting fgen gives it, against fgen's checks beside it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/fgen-dev/fgen/internal/bench"
)

func main() {
	config := flag.String("config", "funnel.toml", "the funnel.toml")
	day := flag.String("bizdate", "20210303", "business date yyyymmdd")
	unordered := flag.Bool("unordered", false, "insert with preserve_insertion_order = false, as fgen load does")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: nativeload [-config funnel.toml] [-bizdate yyyymmdd] [-unordered] FILE")
		os.Exit(2)
	}
	if err := run(*config, *day, flag.Arg(0), *unordered); err != nil {
		fmt.Fprintln(os.Stderr, "nativeload:", err)
		os.Exit(1)
	}
}

func run(config, day, file string, unordered bool) error {
	ctx := context.Background()
	n, db, err := bench.OpenLocal(config, day)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := n.CreateTables(ctx, db); err != nil {
		return err
	}
	src, err := n.NativeSource(file)
	if err != nil {
		return err
	}
	start := time.Now()
	rows, err := n.NativeLoad(ctx, db, file, unordered)
	if err != nil {
		return err
	}
	el := time.Since(start)
	setting := ""
	if unordered {
		setting = ", preserve_insertion_order = false"
	}
	fmt.Printf("loaded %d rows in %.1fs (%.0f rows/s) with DuckDB's %s%s\n", rows, el.Seconds(), float64(rows)/el.Seconds(), src, setting)
	return nil
}
