package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// demoConfig is the config 'fgen demo' runs unless -c names another: one
// funnel per way of counting, and one with the distributions of the time to
// convert and a breakdown limit, on the sample data's events.
//
//go:embed demo.toml
var demoConfig []byte

type demoOptions struct {
	*globalOptions
	users, days int
	start       string
	seed        int64
	dir         string
	ownConfig   bool // -c was given: run the demo on that config
}

func newDemoCmd(g *globalOptions) *cobra.Command {
	opts := &demoOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on sample data in a throwaway local warehouse",
		Long: `One command to see fgen work: write a week of sample events into a throwaway local
DuckDB warehouse, create the tables, run the DW and RPT nodes for every day, print the
first funnel and write one HTML report of every funnel.

It runs a built-in config with one funnel per way of counting: the article's events
funnel, distinct users by operating system, an ordered funnel within an hour by device
brand with the time to convert, and an ordered funnel across midnight (whose last day
is provisional: the day after it has no data); and an ordered funnel in the long
layout (a table row per stage) with the percentiles and histograms of the time to
convert, from the entry and from the previous step, by device model: each day the five
models with the most users entering the funnel, and the rest as "other" (breakdown_limit). With -c FILE it runs that
config instead (without -c, it reads no funnel.toml). It never touches your targets.

` + exitStatusHelp,
		Example: `  fgen demo
  fgen demo --users 200000 --days 1`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ownConfig = cmd.Flags().Changed("config")
			return runDemo(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.users, "users", 20000, "users per day")
	cmd.Flags().IntVar(&opts.days, "days", 7, "number of days")
	cmd.Flags().StringVar(&opts.start, "start", sample.DefaultStart, "first business date, yyyymmdd")
	cmd.Flags().Int64Var(&opts.seed, "seed", 1, "random seed")
	cmd.Flags().StringVar(&opts.dir, "dir", "", "where to keep the warehouse and report: a new or empty directory, or an earlier demo's (default: a new temporary directory)")
	return cmd
}

func runDemo(ctx context.Context, opts *demoOptions) (err error) {
	if err := checkSampleFlags(opts.start, opts.days, opts.users); err != nil {
		return err
	}
	cfg, err := opts.demoConfig()
	if err != nil {
		return err
	}
	if _, err := sampleMatchesODS(cfg, "the demo runs on sample data, so give it a config whose [ods] columns are the seed's (as 'fgen init' writes them), or run your own pipeline on your data with 'fgen load' and 'fgen apply'"); err != nil {
		return err
	}
	dir := opts.dir
	if dir == "" {
		removeStoppedDemos(os.TempDir())
		if dir, err = os.MkdirTemp("", demoPrefix); err != nil {
			return err
		}
		// The directory is the demo's own: one that fails (no local
		// engine, an interrupt) leaves nothing of it behind. The deferred
		// db.Close below runs first.
		defer func() {
			if err != nil {
				os.RemoveAll(dir)
			}
		}()
	} else if err := demoDir(dir); err != nil {
		return err
	}
	// One demo at a time builds in dir: two would remove each other's
	// building files and put one's warehouse beside the other's report.
	// The lock comes before the mark, which removeStoppedDemos goes by.
	unlock, ok, err := duckutil.LockFile(filepath.Join(dir, demoLock))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("another fgen demo is running in %s; wait for it to finish, or give --dir another directory", dir)
	}
	defer unlock()
	if err := os.WriteFile(filepath.Join(dir, demoMark), []byte("made by fgen demo: it replaces demo.duckdb and report.html here\n"), 0o644); err != nil {
		return err
	}
	if opts.dir == "" {
		if err := os.WriteFile(filepath.Join(dir, demoTemporary), []byte("made by fgen demo in the temporary directory: a later demo removes it if this one stopped part-way\n"), 0o644); err != nil {
			return err
		}
	}
	// The demo builds its warehouse and report under names of their own
	// and puts them in place at the end: a demo that stops leaves the
	// earlier demo's as they were.
	dbPath, html := filepath.Join(dir, "demo.duckdb"), filepath.Join(dir, "report.html")
	building, buildingHTML := filepath.Join(dir, demoBuilding), filepath.Join(dir, demoBuildingHTML)
	if err := checkDemoDB(dbPath); err != nil {
		return err
	}
	if err := removeBuilding(building, buildingHTML); err != nil {
		return err
	}
	db, err := openLocal(localOptions{path: building})
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
		if err != nil {
			removeBuilding(building, buildingHTML)
		}
	}()

	// A step's line ends when it is done, or, when it fails, before the
	// error, which says what the stop left.
	open := false
	step := func(format string, args ...any) func() {
		start := time.Now()
		if opts.quiet {
			return func() {}
		}
		fmt.Fprintf(opts.stderr, format, args...)
		open = true
		return func() {
			fmt.Fprintf(opts.stderr, " %.1fs\n", time.Since(start).Seconds())
			open = false
		}
	}
	replacing := false // once the demo puts its files in place, it cannot say they are as before
	defer func() {
		if err == nil {
			return
		}
		if open {
			fmt.Fprintln(opts.stderr)
		}
		switch {
		case opts.dir == "":
			err = fmt.Errorf("%w; the demo removes its directory %s", err, dir)
		case replacing:
			err = fmt.Errorf("%w; %s may hold the new warehouse beside the earlier report: run the demo again", err, dir)
		default:
			err = fmt.Errorf("%w; %s holds what it held before the demo", err, dir)
		}
	}()
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
	so := sample.Options{Users: opts.users, Days: opts.days, Start: opts.start, Seed: opts.seed, Stages: cfg.Funnels[0].StageEventSets(), Noise: true, EventCodes: eventCodes(cfg)}
	res, err := replaceWithSample(ctx, db, cfg, so, true) // the demo's own warehouse
	if err != nil {
		return err
	}
	n := res.Rows
	done()
	if !opts.quiet {
		fmt.Fprintf(opts.stderr, "    %d events\n", n)
	}

	done = step("3/4 running the DW and RPT nodes for %s ...", plural(len(days), "day"))
	p, err = plan.Build(ctx, db, plan.Input{Target: "demo", Config: cfg, Project: proj, Days: days})
	if err == nil {
		_, err = plan.Apply(ctx, db, p, plan.ApplyOptions{})
	}
	if err != nil {
		return err
	}
	done()

	done = step("4/4 reading the %s and writing the report ...", plural(len(cfg.Funnels), "RPT table"))
	var rs []*report.Report
	for i := range cfg.Funnels {
		f := &cfg.Funnels[i]
		r, err := report.Read(ctx, db, proj, f, days[0], days[len(days)-1])
		if err != nil {
			return err
		}
		// The day after the last has no data: a funnel that reads the next
		// day's partition computed its last day without it.
		if err := markProvisional(ctx, db, cfg, f, r); err != nil {
			return err
		}
		rs = append(rs, r)
	}
	if err := writeReport(ctx, opts.stdout, io.Discard, rs, report.FormatHTML, buildingHTML); err != nil {
		return err
	}
	closed = true
	if err := db.Close(); err != nil {
		return err
	}
	replacing = true
	if err := replaceDemo(building, dbPath, buildingHTML, html); err != nil {
		return err
	}
	done()
	fmt.Fprintln(opts.stdout)
	if err := report.Write(opts.stdout, rs[0], report.FormatTable); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "\nHTML report of %s: %s\nWarehouse:   %s (open it with DuckDB to explore)\n", plural(len(rs), "funnel"), html, dbPath)
	return nil
}

// demoConfig is the config -c names, or the built-in demo config.
func (opts *demoOptions) demoConfig() (*models.Config, error) {
	if opts.ownConfig {
		return opts.loadConfig()
	}
	return models.Parse("demo.toml", demoConfig)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// demoMark is the file fgen demo leaves in its directory: a later demo
// replaces the warehouse and report there only when it finds it.
const demoMark = ".fgen-demo"

// demoLock is the file in the demo's directory that a demo locks while it
// runs.
const demoLock = ".fgen-demo.lock"

// demoPrefix begins the name of the temporary directory a demo without
// --dir makes.
const demoPrefix = "fgen-demo-"

// demoTemporary is the file, beside demoMark, that tells the temporary
// directory a demo without --dir made from a --dir, which is its user's
// even when its name begins with demoPrefix.
const demoTemporary = ".fgen-demo-temporary"

// removeStoppedDemos removes from tmp the directories of demos without
// --dir that a kill stopped (SIGKILL, a machine that went down; any other
// stop removes its own): one a demo made (demoPrefix, with demoMark and
// demoTemporary, which it writes once it holds its lock) whose lock no demo
// holds, that holds no demo.duckdb and what the demo was building: its
// warehouse (a demo renames it to demo.duckdb as it finishes), or the new
// file's staging directory, and nothing but what a demo writes. A finished
// demo's directory is its user's, and stays, whatever they did in it
// since; so does a --dir, whatever its name. It looks again under the
// lock, which a demo holds until it has finished, and ignores errors.
func removeStoppedDemos(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, demoPrefix+"*"))
	for _, dir := range dirs {
		if !stoppedDemo(dir) {
			continue // not one to lock: a demo starting has no mark yet
		}
		if unlock, ok := duckutil.TryLock(filepath.Join(dir, demoLock)); ok {
			if stoppedDemo(dir) {
				os.RemoveAll(dir)
			}
			unlock()
		}
	}
}

// stoppedDemo reports whether the directory dir holds what a demo that
// stopped before it finished leaves (see removeStoppedDemos).
func stoppedDemo(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	marks, building := 0, false
	for _, e := range entries {
		switch name := e.Name(); {
		case name == demoMark || name == demoTemporary:
			if !e.Type().IsRegular() {
				return false
			}
			marks++
		case name == demoBuilding:
			building = building || e.Type().IsRegular()
		case strings.HasPrefix(name, duckutil.BuildPrefix): // the new warehouse's staging
			building = true
		case name == demoLock || name == demoBuilding+".wal" || name == demoBuilding+".tmp" /* its spill directory, duckdb.TempDir */ || name == demoBuildingHTML:
		case strings.HasPrefix(name, duckutil.SamplePrefix): // the sample's staging
		default:
			return false // a file of someone else's, or the finished demo's demo.duckdb
		}
	}
	return marks == 2 && building
}

// demoBuilding and demoBuildingHTML are the warehouse and report a demo
// builds, beside the ones it replaces.
const (
	demoBuilding     = ".demo-building.duckdb"
	demoBuildingHTML = ".report-building.html"
)

// demoDir makes --dir DIR, or checks that an existing one is empty or an
// earlier demo's: the demo replaces demo.duckdb and report.html there.
func demoDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("--dir %s is a file, not a directory; give a new or empty directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	} else if err != nil {
		return err
	}
	// A demo killed between its lock and its mark left the lock alone.
	if len(entries) == 0 || len(entries) == 1 && entries[0].Name() == demoLock {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, demoMark)); err != nil {
		return fmt.Errorf("--dir %s holds files, and no earlier fgen demo made it (no %s); give a new or empty directory", dir, demoMark)
	}
	return nil
}

// checkDemoDB refuses a file at path, where the demo puts its warehouse,
// that is not a DuckDB database an earlier demo left: --dir may name a
// directory that holds other things.
func checkDemoDB(path string) error {
	_, database, err := duckutil.Header(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if !database {
		return fmt.Errorf("%s is not a DuckDB database that an earlier demo left; move it, or give --dir another directory", path)
	}
	return nil
}

// removeBuilding removes what a demo that stopped left of the warehouse
// and report it was building, with the warehouse's write-ahead log.
func removeBuilding(db, html string) error {
	for _, p := range []string{db, db + ".wal", html} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// replaceDemo puts the closed warehouse built at db in place of the earlier
// demo's at dbPath (checked by checkDemoDB), and the report built at html
// in place of htmlPath. A closed DuckDB database is one file: its
// write-ahead log, checkpointed, is gone (and if it is not, the demo fails
// rather than move half a warehouse).
func replaceDemo(db, dbPath, html, htmlPath string) error {
	if err := os.Remove(dbPath + ".wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if _, err := os.Stat(db + ".wal"); err == nil {
		return fmt.Errorf("%s.wal: the demo's warehouse kept a write-ahead log after it closed", db)
	}
	if err := os.Rename(db, dbPath); err != nil {
		return err
	}
	return os.Rename(html, htmlPath)
}
