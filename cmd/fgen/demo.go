package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

type demoOptions struct {
	*globalOptions
	users, days int
	start       string
	seed        int64
	dir         string
}

func newDemoCmd(g *globalOptions) *cobra.Command {
	opts := &demoOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on sample data in a throwaway local warehouse",
		Long: `One command to see fgen work: write a week of sample events into a throwaway local
DuckDB warehouse, create the tables, run the DW and RPT nodes for every day, print the
funnel and write an HTML report. It uses funnel.toml when there is one, else the
starter config, and never touches your targets.

` + exitStatusHelp,
		Example: `  fgen demo
  fgen demo --users 200000 --days 1`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(cmd.Context(), opts) },
	}
	cmd.Flags().IntVar(&opts.users, "users", 20000, "users per day")
	cmd.Flags().IntVar(&opts.days, "days", 7, "number of days")
	cmd.Flags().StringVar(&opts.start, "start", sample.DefaultStart, "first business date, yyyymmdd")
	cmd.Flags().Int64Var(&opts.seed, "seed", 1, "random seed")
	cmd.Flags().StringVar(&opts.dir, "dir", "", "where to keep the warehouse and report (default: a new temporary directory)")
	return cmd
}

func runDemo(ctx context.Context, opts *demoOptions) error {
	if err := checkSampleFlags(opts.start, opts.days, opts.users); err != nil {
		return err
	}
	cfg, err := opts.loadConfigIfAny()
	if err != nil {
		return err
	}
	if cfg == nil {
		if cfg, err = models.Parse("funnel.toml", templates.Starter); err != nil {
			return err
		}
		fmt.Fprintf(opts.stderr, "no %s here; using the starter config ('fgen init' writes it)\n", opts.configPath)
	}
	dir := opts.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "fgen-demo-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(dir, "demo.duckdb")
	os.Remove(dbPath)
	db, err := duckdb.Open(duckdb.Options{Path: dbPath})
	if err != nil {
		return err
	}
	defer db.Close()

	step := func(format string, args ...any) func() {
		start := time.Now()
		fmt.Fprintf(opts.stderr, format, args...)
		return func() { fmt.Fprintf(opts.stderr, " %.1fs\n", time.Since(start).Seconds()) }
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		return err
	}
	days, err := sampleDays(opts.start, opts.days)
	if err != nil {
		return err
	}
	done := step("1/4 creating tables in %s ...", dbPath)
	p, err := plan.Build(ctx, db, plan.Input{Target: "demo", Config: cfg, Project: proj})
	if err == nil {
		_, err = plan.Apply(ctx, db, p, plan.ApplyOptions{})
	}
	if err != nil {
		return err
	}
	done()

	done = step("2/4 writing sample events for %d users a day, %s to %s ...", opts.users, days[0], days[len(days)-1])
	so := sample.Options{Users: opts.users, Days: opts.days, Start: opts.start, Seed: opts.seed, Stages: cfg.Funnels[0].StageEventSets(), Noise: true}
	if err := sampleMatchesODS(cfg); err != nil {
		return err
	}
	n, err := appendSample(ctx, db, cfg, so)
	if err != nil {
		return err
	}
	done()
	fmt.Fprintf(opts.stderr, "    %d events\n", n)

	done = step("3/4 running the DW and RPT nodes for %d days ...", len(days))
	p, err = plan.Build(ctx, db, plan.Input{Target: "demo", Config: cfg, Project: proj, Days: days})
	if err == nil {
		_, err = plan.Apply(ctx, db, p, plan.ApplyOptions{})
	}
	if err != nil {
		return err
	}
	done()

	done = step("4/4 reading %s ...", cfg.Funnels[0].Report.Table)
	r, err := report.Read(ctx, db, proj, &cfg.Funnels[0], days[0], days[len(days)-1])
	if err != nil {
		return err
	}
	html := filepath.Join(dir, "report.html")
	if err := writeReport(opts.stdout, io.Discard, r, report.FormatHTML, html); err != nil {
		return err
	}
	done()
	fmt.Fprintln(opts.stdout)
	if err := report.Write(opts.stdout, r, report.FormatTable); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "\nHTML report: %s\nWarehouse:   %s (open it with DuckDB to explore)\n", html, dbPath)
	return nil
}
