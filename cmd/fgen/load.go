package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

type loadOptions struct {
	*globalOptions
	targetOptions
	bizdate          string
	hour             string
	append           bool
	allowDestructive bool
	format           string
}

func newLoadCmd(g *globalOptions) *cobra.Command {
	opts := &loadOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "load [--bizdate yyyymmdd] FILE...",
		Short: "Load JSON lines, CSV or Parquet files into the ODS table, by day (local target)",
		Long: `Load exported logs or sample data into the ODS table's partitions, by business date,
on the local DuckDB target, creating the ODS table if needed. The format follows each
file's extension: .jsonl/.ndjson/.json (one flat object per line), .csv (with a header
row; an empty unquoted field is NULL, "" is the empty string) or .parquet. Every row
is checked against the ODS columns in funnel.toml, strictly: a key or header given
twice, an integer column's 1.5, 1e3 or " 12", a DECIMAL(10,2) column's 1.239, a
FLOAT's 1e39, a Parquet DOUBLE or STRUCT where the column is BIGINT, STRING or
DECIMAL, are errors, not rounded or converted. Each file named is read as that file:
[ * ? in its path and key=value directories (dt=20210304/) mean nothing. A time column
is read as the funnels read it: epoch seconds or milliseconds are integers, a DATETIME
or TIMESTAMP is text DuckDB reads as one, in UTC (a time that ends with another offset
or zone is an error: DuckDB would drop it), and a STRING time must read in its
time_column format (the error names the column, the value and the format). Without
--bizdate, each row goes to the partition its own dt column names (as 'fgen sample'
writes) or, when it has none (exported logs rarely do), the date of its time in
dataworks.timezone: the time column of the first funnel that has one, read as that
funnel reads it. A malformed row is reported as FILE:LINE: message and then nothing of
the load is kept: the partition keeps its previous rows, and a warehouse file or ODS
table the load created is removed. By default the partition is replaced, and load says
what each partition held before; --append adds to it, and load says what each
partition that had rows held before and holds now. A load that would leave a partition
fewer than half the rows it held (an empty file, a few late rows of another day) is
blocked (exit 3) unless --allow-destructive (one that leaves a day that had no rows
empty only warns: apply would report a day without events); so is one into an hourly
ODS whose hours would lose half a day's rows (a load replaces all 24 hours of each day
it loads: load one hour's file with --bizdate D --hour HH), and the hours a load
empties otherwise are listed. DuckDB's own readers parse the files, so 'fgen load'
takes regular files, not pipes.

An hourly ODS ([ods] hour_partition) takes each row's hour from the row's own hour
column, two digits from 00 to 23; a row without one fails the load, and so does one
without a dt (fgen takes no day or hour from the time), unless --bizdate and --hour
give them. A loaded day gets its 24 hour partitions, those without rows empty.
--bizdate D --hour HH replaces that one hour and keeps the day's others, so an hour's
export loaded again replaces its rows (with --append it adds to them); --append
without --hour adds to the day, and writes the hours its rows have. A day loaded hour
by hour is applied once all 24 are there, so land a quiet hour, which has no rows,
with --bizdate D --hour HH and an empty file (--hour refuses rows of other hours).

` + exitStatusHelp,
		Example: `  fgen load events.jsonl          # into the partitions its rows' dt names
  fgen load --bizdate 20210303 part-0.csv part-1.csv   # one day's files, every row of that day
  fgen load 2019-Oct.csv          # no dt column: each row's day is the date of its time`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := noFlagAsValue(cmd); err != nil {
				return err // load --bizdate -q names no file: the flag is the mistake
			}
			if len(args) == 0 {
				return fmt.Errorf("name the files to load, e.g. fgen load events.jsonl\nRun '%s --help' for usage", cmd.CommandPath())
			}
			if slices.ContainsFunc(args, func(a string) bool { return strings.TrimSpace(a) == "" }) {
				return errors.New("a file to load is named \"\" (is the variable that should hold it unset?)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runLoad(cmd.Context(), opts, args) },
	}
	g.addLocalTargetFlag(cmd, &opts.targetOptions)
	cmd.Flags().StringVar(&opts.bizdate, "bizdate", "", "the business date (ODS partition) to load into, yyyymmdd")
	cmd.Flags().BoolVar(&opts.append, "append", false, "add the rows to the partition instead of replacing it")
	cmd.Flags().StringVar(&opts.hour, "hour", "", "with --bizdate, of an hourly ODS: the one hour (00 to 23) to replace, or with --append to add to (see above)")
	cmd.Flags().BoolVar(&opts.allowDestructive, "allow-destructive", false, "replace partitions even with fewer than half the rows they hold")
	choiceFlag(cmd, &opts.format, "format", "result format (json: one document on stdout, for scripts; warnings stay on stderr)", "text", "json")
	return cmd
}

// checkFlags checks --bizdate and --hour (an hour of a day), before the
// files and the config: a usage error is said first.
func (opts *loadOptions) checkFlags() error {
	if opts.bizdate != "" {
		if _, err := bizdate.Parse(opts.bizdate); err != nil {
			return fmt.Errorf("--bizdate: %w", err)
		}
	}
	switch {
	case opts.hour == "":
	case !bizdate.ValidHour(opts.hour):
		return fmt.Errorf("--hour %q: an hour is two digits from 00 to 23", opts.hour)
	case opts.bizdate == "":
		return fmt.Errorf("--hour loads one hour of a day: give --bizdate too (fgen load --bizdate yyyymmdd --hour %s FILE)", opts.hour)
	}
	return nil
}

// checkHour checks --hour against the config: of an hourly ODS.
func (opts *loadOptions) checkHour(cfg *models.Config) error {
	if opts.hour != "" && !cfg.ODS.Hourly() {
		return fmt.Errorf("--hour: %s is not partitioned by hour ([ods] has no hour_partition); leave out --hour", cfg.ODS.Name)
	}
	return nil
}

func runLoad(ctx context.Context, opts *loadOptions, files []string) (err error) {
	if err := opts.checkFlags(); err != nil {
		return err
	}
	// Before the warehouse opens (and is created): a file that is not
	// there is a typo, not a load.
	what, err := filesSize(files)
	if err != nil {
		return fmt.Errorf("load: %w; nothing was loaded", err)
	}
	cfg, err := opts.loadConfig()
	if err != nil {
		return err
	}
	if err := opts.checkHour(cfg); err != nil {
		return err
	}
	ot, err := opts.openLocalODS(ctx, cfg, &opts.targetOptions, "fgen load writes to a local duckdb target (MaxCompute ODS is filled by your sync tasks, e.g. a DataWorks data integration node or the tunnel)")
	if err != nil {
		return err
	}
	start := time.Now()
	pr := opts.newProgress(-1, "loading "+what)
	pr.Detail("loading %s into %s ...", what, cfg.ODS.Name)
	res, err := loadODS(ctx, cfg, ot.local, odsLoad{Day: opts.bizdate, Hour: opts.hour, Files: files, Append: opts.append, AllowShrink: opts.allowDestructive})
	pr.Done()
	if cerr := ot.close(ctx, cfg, err); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	n := res.Rows
	el := time.Since(start)
	// With --format json, the lines below say nothing on stdout, which
	// holds the JSON; the warnings are said still, on stderr.
	stdout := opts.stdout
	if opts.format == "json" {
		stdout = io.Discard
		defer func() {
			if err == nil {
				err = writeJSON(opts.stdout, "load", loadJSON(ot.name, cfg, opts, res, el))
			}
		}()
	}
	into := cfg.ODS.Name + " (by each row's " + cfg.ODS.Partition + ")"
	if tc, ok := cfg.LoadDayTime(); ok {
		into = fmt.Sprintf("%s (by each row's %s, else the date of its %s in %s)", cfg.ODS.Name, cfg.ODS.Partition, tc.Name, cfg.DataWorks.Timezone)
	}
	if opts.bizdate != "" {
		into = fmt.Sprintf("%s/%s=%s", cfg.ODS.Name, cfg.ODS.Partition, opts.bizdate)
		if opts.hour != "" {
			into += fmt.Sprintf("/%s=%s", cfg.ODS.HourPartition, opts.hour)
		}
	}
	rate := "" // a rate of a load of a moment says nothing
	if el >= time.Second {
		rate = fmt.Sprintf(" (%.0f rows/s)", float64(n)/el.Seconds())
	}
	fmt.Fprintf(stdout, "loaded %s into %s in %.1fs%s\n", plural(int(n), "row"), into, el.Seconds(), rate)
	// What a replacing load deleted, or an appending one added to: each
	// day that had rows, before and after (and below, what
	// --allow-destructive let a load shrink). A day the load made with no
	// rows (the shrink guard covers a day that had some) is what an export
	// that failed leaves, which apply would report as a day without events.
	if n == 0 && opts.bizdate == "" {
		opts.warn("the files held no rows: nothing was loaded; if an export failed, load its file again once it has rows")
	}
	// An hour the files held no rows for: a quiet hour, whose partition
	// exists now (the day's other hours are still to come).
	quietHour := opts.hour != "" && n == 0
	if quietHour {
		fmt.Fprintf(stdout, "%s/%s=%s/%s=%s holds no rows: a quiet hour, as the files had none for it (if its export failed, load the hour again once it has rows)\n", cfg.ODS.Name, cfg.ODS.Partition, opts.bizdate, cfg.ODS.HourPartition, opts.hour)
	}
	spec := func(d dayRows) string {
		s := cfg.ODS.Name + "/" + cfg.ODS.Partition + "=" + d.Day
		if d.Hour != "" {
			s += "/" + cfg.ODS.HourPartition + "=" + d.Hour
		}
		return s
	}
	for _, d := range res.Days {
		switch {
		case d.Before == 0 && d.After == 0 && d.Hour == "" && !quietHour:
			opts.warn("%s has no rows: the files held none for it, and apply will report it as a day without events; if an export failed, load the day again once it has rows", spec(d))
		case d.Before == 0:
		case !opts.append:
			fmt.Fprintf(stdout, "replaced %s: %s before, %d now\n", spec(d), plural(int(d.Before), "row"), d.After)
		case d.After > d.Before:
			fmt.Fprintf(stdout, "appended to %s: %s before, %d now\n", spec(d), plural(int(d.Before), "row"), d.After)
		}
	}
	// Epoch seconds read as milliseconds land from January to April 1970,
	// days no log of today's has: the unit, not the rows, is to fix.
	if tc, ok := cfg.LoadDayTime(); ok && tc.Unit == "ms" && opts.bizdate == "" {
		var days []string
		var rows int64
		for _, d := range res.Days {
			n := d.After // what a load that replaces a day put in it
			if opts.append {
				n -= d.Before
			}
			if strings.HasPrefix(d.Day, "1970") && n > 0 {
				days, rows = append(days, d.Day), rows+n
			}
		}
		if len(days) > 0 {
			var named []string
			capped(len(days), 3, func(i int) { named = append(named, days[i]) }, func(left int) { named = append(named, fmt.Sprintf("%d more", left)) })
			opts.warn("%s went to days of 1970 (%s), as the times of %s read in milliseconds: are they in seconds? then drop unit = \"ms\" from its time_column in funnel.toml and load the files again", plural(int(rows), "row"), strings.Join(named, ", "), tc.Name)
		}
	}
	const most = 6 // lines of each kind; a day of hours would make 24
	// The days a load by each row's day added: one far from the others is
	// a time read in another unit (milliseconds as seconds: 19700117) or
	// a stray row, which the rows loaded do not show.
	if opts.bizdate == "" {
		var added []dayRows
		for _, d := range res.Days {
			if d.Before == 0 && d.After > 0 {
				added = append(added, d)
			}
		}
		capped(len(added), most, func(i int) {
			fmt.Fprintf(stdout, "added %s: %s\n", spec(added[i]), plural(int(added[i].After), "row"))
		}, func(left int) {
			fmt.Fprintf(stdout, "and %s added\n", plural(left, "more partition"))
		})
	}
	capped(len(res.Shrunk), most, func(i int) {
		d := res.Shrunk[i]
		opts.warn("replaced %s: %s before, %d now (--allow-destructive)", spec(d), plural(int(d.Before), "row"), d.After)
	}, func(left int) {
		opts.warn("and %s replaced with fewer than half their rows (--allow-destructive)", plural(left, "more partition"))
	})
	capped(len(res.Emptied), most, func(i int) {
		d := res.Emptied[i]
		fmt.Fprintf(stdout, "emptied %s: %s before\n", spec(d), plural(int(d.Before), "row"))
	}, func(left int) {
		fmt.Fprintf(stdout, "and %s emptied\n", plural(left, "more hour"))
	})
	return nil
}

// loadJSON is what 'fgen load --format json' writes of a load that
// succeeded (README lists its keys): where it loaded, how, how many rows,
// and the partitions it wrote, those --allow-destructive let it shrink
// and the hours it emptied, each a dayRows.
func loadJSON(target string, cfg *models.Config, opts *loadOptions, res loaded, el time.Duration) any {
	parts := func(ds []dayRows) []dayRows { return append([]dayRows{}, ds...) } // [], not null
	return struct {
		Target     string    `json:"target"`
		Table      string    `json:"table"`
		Bizdate    string    `json:"bizdate"`
		Hour       string    `json:"hour"`
		Append     bool      `json:"append"`
		Rows       int64     `json:"rows"`
		Seconds    float64   `json:"seconds"`
		Partitions []dayRows `json:"partitions"`
		Shrunk     []dayRows `json:"shrunk"`
		Emptied    []dayRows `json:"emptied"`
	}{target, cfg.ODS.Name, opts.bizdate, opts.hour, opts.append, res.Rows, el.Round(time.Millisecond).Seconds(), parts(res.Days), parts(res.Shrunk), parts(res.Emptied)}
}

// capped calls line for each of n items in turn, but where there are more
// than most + 1, for the first most only, and then more with how many are
// left: a list never ends in "and 1 more", which one line would say.
func capped(n, most int, line func(i int), more func(left int)) {
	for i := range n {
		if i == most && n > most+1 {
			more(n - most)
			return
		}
		line(i)
	}
}

// openLocalODS opens the target, which must be local, and creates its ODS
// table if it does not exist. why ends the message refusing another engine:
// what writes only to a local target.
func (g *globalOptions) openLocalODS(ctx context.Context, cfg *models.Config, opts *targetOptions, why string) (*odsTarget, error) {
	// Said before a remote target is opened, which would first ask for
	// its credentials.
	name, t, err := cfg.Target(opts.target)
	switch {
	case errors.Is(err, models.ErrNoLocalTarget):
		return nil, fmt.Errorf("%s has no local (duckdb) target; %s: add one, e.g. [targets.local] with engine = \"duckdb\"", cfg.File, why)
	case err != nil:
		return nil, err
	case t.Engine != models.EngineDuckDB:
		return nil, fmt.Errorf("target %s is %s; %s", name, t.Engine, why)
	}
	path := g.localPath(t)
	var o *odsTarget
	// (A dangling link at path is not "no warehouse": DuckDB would
	// create the file through it; the open says so.)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) && path != ":memory:" && path != "" {
		o, err = g.openNewLocal(name, t, path)
		if err != nil {
			return nil, err
		}
	} else {
		ot, err := g.openTarget(cfg, opts, readWrite)
		if err != nil {
			return nil, err
		}
		o = &odsTarget{openedTarget: ot}
	}
	o.createdODS, err = ensureODS(ctx, cfg, o.local, g.suggest(opts))
	if err != nil {
		o.close(ctx, cfg, err)
		return nil, err
	}
	return o, nil
}

// odsTarget is a local target opened to write its ODS table. What opening
// it created, a failed load or sample takes back: it leaves the warehouse
// as it found it, or leaves none.
type odsTarget struct {
	*openedTarget
	build      *newWarehouse // a warehouse that did not exist, built beside its path
	createdODS bool          // the ODS table did not exist
}

// newWarehouse is a warehouse being built in a staging directory beside
// path, the target's, where no warehouse was: the load or sample goes into
// it, and it is put in place only when it succeeds, whole; no other fgen
// sees it until then.
type newWarehouse struct {
	tmp, path string
	release   func() // duckutil.Build's
}

// openNewLocal opens a new warehouse for the duckdb target t, whose file
// at path does not exist, in a staging directory beside path.
func (g *globalOptions) openNewLocal(name string, t models.Target, path string) (*odsTarget, error) {
	// Said of the target's path, not of the staging file's.
	if err := duckutil.CheckPath(path); err != nil {
		return nil, fmt.Errorf("target %s: %w", name, err)
	}
	tmp, release, err := duckutil.Build(path)
	if err != nil {
		return nil, fmt.Errorf("target %s: create %s: %w", name, path, localAdvice(name, t, err))
	}
	wh, err := openLocal(localOptions{path: tmp, inPlace: true, threads: t.Threads, memoryLimit: t.MemoryLimit})
	if err != nil {
		release()
		return nil, fmt.Errorf("target %s: %w", name, err)
	}
	ot := &openedTarget{name: name, target: t, dialect: generator.DuckDB, wh: wh, local: wh}
	return &odsTarget{openedTarget: ot, build: &newWarehouse{tmp: tmp, path: path, release: release}}, nil
}

// close closes the target. A new warehouse is put in place when failed is
// nil, and else removed; an ODS table the open created in an existing
// warehouse is dropped when failed is not nil and it holds no row (a
// failure after the load committed leaves its rows). The error says that
// another fgen created the warehouse while this one built its own: nothing
// of it was kept.
func (o *odsTarget) close(ctx context.Context, cfg *models.Config, failed error) error {
	if failed != nil && o.createdODS && o.build == nil {
		// Under a context the failure may have been its cancelling.
		ctx := context.WithoutCancel(ctx)
		table := generator.DuckDB.QuoteIdent(cfg.ODS.Name)
		if rows, err := o.wh.Query(ctx, "SELECT 1 FROM "+table+" LIMIT 1"); err == nil && len(rows.Values) == 0 {
			job := &warehouse.Job{Name: cfg.ODS.Name, Kind: "ddl", Statements: []string{"DROP TABLE " + table}}
			_ = o.wh.Run(ctx, job, nil)
		}
	}
	cerr := o.wh.Close()
	b := o.build
	if b == nil {
		return nil
	}
	defer b.release()
	if failed != nil {
		return nil
	}
	if cerr != nil {
		return newWarehouseError(b.path, cerr)
	}
	err := duckutil.Install(b.tmp, b.path)
	if errors.Is(err, duckutil.ErrExists) {
		return fmt.Errorf("another fgen created %s while this one built a new warehouse there, so this one was not put in place: run this again, into that warehouse", b.path)
	}
	return err
}

// newWarehouseError says err, of closing (writing out) a new warehouse
// built for path: on a full disk DuckDB's word for it names the staging
// directory, and the .wal it would replay, which goes with it.
func newWarehouseError(path string, err error) error {
	if duckutil.DiskFull(err) {
		return fmt.Errorf("the disk is full: the new warehouse %s could not be written (no space left on device), so none was made; free space on its disk, then run the command again", path)
	}
	return fmt.Errorf("close the new warehouse: %w", err)
}

// ensureODS creates the ODS table on a local target if it does not exist,
// and otherwise checks that it has every column funnel.toml declares, of
// the type it declares: a load writes them all and checks the rows against
// funnel.toml's types, and DuckDB's binder or conversion error would not
// say what to do.
func ensureODS(ctx context.Context, cfg *models.Config, db warehouse.Warehouse, fgen suggested) (created bool, err error) {
	p, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		return false, err
	}
	ods, _ := p.Table(cfg.ODS.Name)
	live, err := db.Describe(ctx, cfg.ODS.Name)
	if errors.Is(err, warehouse.ErrTableNotFound) {
		job := &warehouse.Job{Name: ods.Name, Kind: "ddl", Statements: ods.Create.Statements}
		err := db.Run(ctx, job, nil)
		return err == nil, err
	} else if err != nil {
		return false, err
	}
	drift := plan.Drift(p, db.Capabilities(), ods, live)
	if len(drift.Missing) > 0 {
		return false, fmt.Errorf("the ODS table %s has no column %s, which funnel.toml declares; run '%s', which appends new ODS columns listed last under [ods] ('%s' says what else to change), then load again",
			cfg.ODS.Name, strings.Join(drift.Missing, ", "), fgen.line("apply"), fgen.line("plan"))
	}
	if len(drift.Retyped) > 0 {
		return false, fmt.Errorf("the ODS table %s has other column types than funnel.toml: %s; fgen never changes the ODS table's types, so set the types under [ods] to the table's ('%s' lists each change), then load again",
			cfg.ODS.Name, strings.Join(drift.Retyped, "; "), fgen.line("plan"))
	}
	return false, nil
}

// loadODS loads files into the ODS table, which exists.
func loadODS(ctx context.Context, cfg *models.Config, db localEngine, l odsLoad) (loaded, error) {
	res, err := db.LoadODS(ctx, cfg, l)
	if err != nil {
		return loaded{}, fmt.Errorf("load: %w; nothing was loaded", err)
	}
	return res, nil
}

// filesSize says how many files there are and their size, e.g. "2 files
// (1.3 GB)", or the error of the first that cannot be read, has no format
// fgen reads or is named twice.
func filesSize(files []string) (string, error) {
	var size int64
	var stats []os.FileInfo
	for _, f := range files {
		// A directory is said to be one whatever its name ("no file
		// extension" of one without); a missing file of no format, to
		// have none.
		st, err := os.Stat(f)
		if err == nil && st.IsDir() {
			ext := filepath.Ext(f)
			if _, err := sample.FormatFromPath(f); err != nil {
				ext = ".jsonl"
			}
			return "", fmt.Errorf("%s: a directory; name the files in it (e.g. %s)", f, filepath.Join(f, "*"+ext))
		}
		if err := duckutil.NotAFile(f, st); err != nil {
			return "", err
		}
		if _, err := sample.InputFormat(f); err != nil {
			return "", err
		}
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return "", fmt.Errorf("%s: %w", f, pe.Err) // not "stat f: ..."
			}
			return "", err
		}
		// Overlapping globs name a file twice, and its rows would load
		// twice.
		for j, seen := range stats {
			if os.SameFile(seen, st) {
				return "", fmt.Errorf("%s: given twice (also as %s); each file loads once, name it once", f, files[j])
			}
		}
		stats = append(stats, st)
		size += st.Size()
	}
	return fmt.Sprintf("%s (%s)", plural(len(files), "file"), plan.FormatBytes(size)), nil
}
