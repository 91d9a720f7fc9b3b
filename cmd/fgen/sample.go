package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
)

type sampleOptions struct {
	*globalOptions
	targetOptions
	users, days int
	start       string
	seed        int64
	noise       bool
	load        bool
	// allowDestructive: --load may leave a day fewer than half its rows.
	allowDestructive bool
	output           string // -o FILE
	// configGiven: -c named the config file, which must then exist.
	configGiven bool
}

func newSampleCmd(g *globalOptions) *cobra.Command {
	opts := &sampleOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "sample (-o FILE | --load)",
		Short: "Generate synthetic ODS events shaped like the seed's log table",
		Long: `Generate realistic synthetic events for the ODS table: users browsing products in
sessions through the day (evening-heavy), with drop-off between the stages of the
first funnel in funnel.toml, a mix of devices, and the noise the DW node must clean:
empty or NULL user ids, unknown events, log records shipped twice, and two bots a day,
each 2,000 to 6,000 rapid first-stage rows whatever --users is (below a few thousand
users they are most of the rows; --noise=false leaves out the noise and the bots).
The same --seed gives the same events, byte for byte.

-o FILE writes JSON lines (.jsonl, .ndjson, .json), CSV (.csv) or Parquet (.parquet), with the 12 ODS
columns plus dt; 'fgen load FILE' loads it back by its dt column. FILE is replaced
whole once every event is written: an interrupted or failed run leaves what was there.
ts is written as the funnels read it: epoch seconds, epoch milliseconds (time_column =
{ name = "ts", unit = "ms" }), a DATETIME or TIMESTAMP (UTC wall time yyyy-MM-dd
HH:mm:ss.SSS), or a STRING in the time_column's format and time zone. --load writes
the days straight into the target's ODS table, replacing those partitions, and warns
of the rows it replaced (which 'fgen load' may have filled with real logs: keep a
sample in a warehouse of its own, as 'fgen demo' does, or in another target). As
'fgen load' does, it refuses (exit 3) to leave a day fewer than half the rows it
held, unless --allow-destructive. The ODS table must have the seed's 12 columns
first; columns [ods] lists after them are NULL in the sample's rows. Without a
funnel.toml, the stages are the seed's browse, click and purchase; a config file
that -c names must exist.

` + exitStatusHelp,
		Example: `  fgen sample --users 10000 --days 7 -o events.jsonl
  fgen sample --users 1000000 --start 20210303 --load`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.configGiven = cmd.Flags().Changed("config")
			return runSample(cmd.Context(), opts, opts.output)
		},
	}
	g.addLocalTargetFlag(cmd, &opts.targetOptions)
	cmd.Flags().IntVar(&opts.users, "users", sample.DefaultUsers, "users per day")
	cmd.Flags().IntVar(&opts.days, "days", 1, "number of business days")
	cmd.Flags().StringVar(&opts.start, "start", sample.DefaultStart, "first business date, yyyymmdd")
	cmd.Flags().Int64Var(&opts.seed, "seed", 1, "random seed; the same seed gives the same events")
	cmd.Flags().BoolVar(&opts.noise, "noise", true, "include dirty rows the DW node must clean (--noise=false for clean data)")
	cmd.Flags().BoolVar(&opts.load, "load", false, "load the events into the target's ODS table instead of writing a file")
	cmd.Flags().BoolVar(&opts.allowDestructive, "allow-destructive", false, "with --load, replace partitions even with fewer than half the rows they hold")
	addOutputFlag(cmd, &opts.output, "the file to write: .jsonl (.ndjson, .json), .csv or .parquet")
	return cmd
}

// sampleConfig returns the config and the event values of its first funnel's
// stages, or no config and the seed's stages when there is no funnel.toml
// (a config file -c names must exist: a mistyped path would otherwise give
// the seed's events, not the funnels').
func (o *sampleOptions) sampleConfig() (*models.Config, [][]string, error) {
	load := o.loadConfigIfAny
	if o.configGiven {
		load = o.loadConfig
	}
	cfg, err := load()
	if err != nil {
		return nil, nil, err
	}
	if cfg == nil {
		return nil, sample.DefaultStages(), nil
	}
	return cfg, cfg.Funnels[0].StageEventSets(), nil
}

// eventCodes reports whether the ODS event column of cfg's first funnel,
// whose stages the sample draws, holds integer codes.
func eventCodes(cfg *models.Config) bool {
	if cfg == nil {
		return false
	}
	col, ok := cfg.ODS.Column(cfg.Funnels[0].EventColumn)
	return ok && models.IsInteger(col.Type)
}

func runSample(ctx context.Context, opts *sampleOptions, output string) error {
	switch {
	case output != "" && opts.load:
		return errors.New("-o and --load go to different places: write the events to a file with -o FILE, or --load them into the target's ODS table, not both")
	case output == "" && !opts.load:
		return errors.New("say where the events go: -o FILE (.jsonl, .csv or .parquet), or --load into the target's ODS table")
	case opts.allowDestructive && !opts.load:
		return errors.New("--allow-destructive lets --load replace a day's rows with fewer than half as many; -o FILE replaces no rows")
	}
	if err := checkSampleFlags(opts.start, opts.days, opts.users); err != nil {
		return err
	}
	cfg, stages, err := opts.sampleConfig()
	if err != nil {
		return err
	}
	so := sample.Options{Users: opts.users, Days: opts.days, Start: opts.start, Seed: opts.seed, Stages: stages, Noise: opts.noise, EventCodes: eventCodes(cfg)}
	if cfg != nil {
		if so.Time, err = sampleTimeFormat(cfg); err != nil {
			return err
		}
	}
	pr := opts.newProgress(opts.users*opts.days, "users")
	so.Progress = sampleProgress(pr, opts.start, opts.users, opts.days)
	start := time.Now()
	var n int64
	var where string
	if opts.load {
		if cfg == nil {
			return fmt.Errorf("--load needs %s; run '%s' first", opts.configPath, opts.suggest(nil).line("init"))
		}
		n, where, err = loadSample(ctx, opts, cfg, so)
	} else {
		if err := opts.checkOutputFile(cfg, output, "the events"); err != nil {
			return err
		}
		n, err = writeSample(ctx, output, so, func() {
			// A Parquet file is written once every event is made, which
			// takes most of the time: a spinner, or a line, says so.
			pr.Done()
			pr = opts.newProgress(-1, "writing "+output)
			pr.Detail("  writing %s", output)
		})
		where = output
	}
	pr.Done()
	if err != nil {
		return err
	}
	if cfg != nil && !opts.load {
		// The file is to adapt, as --load's refusal says, not to load as
		// it is; or it lacks columns, which load leaves NULL.
		if extra, err := sampleMatchesODS(cfg, ""); errors.Is(err, errSampleNoHour) {
			opts.warn("%s has no hour: give each row its %s (00 to 23, as %s is partitioned by hour) before 'fgen load'", output, cfg.ODS.HourPartition, cfg.ODS.Name)
		} else if err != nil {
			opts.warn("%s has the seed's ODS columns (%s), and %s declares others: adapt it before 'fgen load'", output, strings.Join(sample.Columns(), ", "), cfg.ODS.Name)
		} else if !strings.EqualFold(cfg.ODS.Partition, sample.PartitionColumn) {
			opts.warn("%s gives each row's day in column %s, and %s is partitioned by %s: rename that column before 'fgen load'", output, sample.PartitionColumn, cfg.ODS.Name, cfg.ODS.Partition)
		} else if len(extra) > 0 && !opts.quiet {
			fmt.Fprintf(opts.stderr, "note: %s has no %s, which 'fgen load' leaves NULL\n", output, strings.Join(extra, ", "))
		}
	}
	if opts.quiet && !opts.load { // the file is the result; --load's is in the warehouse, as load's
		return nil
	}
	// --load's summary is a result, on stdout as load's and apply's; a
	// file's, beside the file, is a note.
	summary := opts.stderr
	if opts.load {
		summary = opts.stdout
	}
	el := time.Since(start)
	fmt.Fprintf(summary, "wrote %d events (%s from %s, %s a day, ts as %s) to %s in %.1fs, %.2fM events/s\n",
		n, plural(opts.days, "day"), opts.start, plural(opts.users, "user"), so.Time, where, el.Seconds(), float64(n)/el.Seconds()/1e6)
	return nil
}

// writeSample writes the events of so to the file at path, whole or not
// at all: a file that was there keeps its content when writing fails or
// ctx ends (Ctrl-C), which stops it within a few thousand users.
func writeSample(ctx context.Context, path string, so sample.Options, finishing func()) (int64, error) {
	if err := checkSampleFile(path); err != nil {
		return 0, err
	}
	staged, err := stageFile(path)
	if err != nil {
		return 0, err
	}
	n, err := writeSampleTo(ctx, staged.Temp, so, finishing)
	if err = staged.Commit(err); err != nil {
		named := namedAs{err, staged.Temp, path}
		if strings.Contains(named.Error(), path) {
			return 0, named // "write events.jsonl: no space left on device"
		}
		return 0, fmt.Errorf("write %s: %w", path, named)
	}
	return n, nil
}

// namedAs is err with the path from said as to in its text, and err
// itself to errors.Is and As: the writers name the file they write, the
// hidden one, and the user knows the file given.
type namedAs struct {
	err      error
	from, to string
}

func (e namedAs) Error() string { return strings.ReplaceAll(e.err.Error(), e.from, e.to) }
func (e namedAs) Unwrap() error { return e.err }

// checkSampleFile checks that path's extension names a format this fgen
// writes.
func checkSampleFile(path string) error {
	f, err := sample.FormatFromPath(path)
	if err == nil && f == sample.Parquet && !writesParquet {
		err = fmt.Errorf("%s: %w", path, sample.ErrParquet)
	}
	return err
}

// writeSampleTo writes the file; finishing, when not nil, is called once
// the events are made, before a Parquet file is written from them.
func writeSampleTo(ctx context.Context, path string, so sample.Options, finishing func()) (int64, error) {
	w, err := createSample(ctx, path, so.Time)
	if err != nil {
		return 0, err
	}
	var n int64
	err = sample.GenerateContext(ctx, so, func(e *sample.Event) error {
		n++
		return w.Write(e)
	})
	if f, _ := sample.FormatFromPath(path); err == nil && f == sample.Parquet && finishing != nil {
		finishing()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func loadSample(ctx context.Context, opts *sampleOptions, cfg *models.Config, so sample.Options) (int64, string, error) {
	extra, err := sampleMatchesODS(cfg, "write a file with -o and adapt it, or load your own data with 'fgen load'")
	if err != nil {
		return 0, "", err
	}
	if len(extra) > 0 && !opts.quiet {
		fmt.Fprintf(opts.stderr, "note: the sample's rows leave %s NULL\n", strings.Join(extra, ", "))
	}
	ot, err := opts.openLocalODS(ctx, cfg, &opts.targetOptions, "--load writes to a local duckdb target")
	if err != nil {
		return 0, "", err
	}
	res, err := replaceWithSample(ctx, ot.local, cfg, so, opts.allowDestructive)
	if cerr := ot.close(ctx, cfg, err); err == nil {
		err = cerr
	}
	if err != nil {
		// As load says it: the partitions keep their rows.
		return 0, "", fmt.Errorf("%w; nothing was loaded", err)
	}
	// The rows the sample replaced: perhaps loaded from real logs.
	for _, d := range res.Days {
		switch {
		case d.shrunk():
			opts.warn("replaced the %s of %s/%s=%s with the sample's %d (--allow-destructive)", plural(int(d.Before), "row"), cfg.ODS.Name, cfg.ODS.Partition, d.Day, d.After)
		case d.Before > 0:
			opts.warn("replaced the %s of %s/%s=%s with the sample's %d", plural(int(d.Before), "row"), cfg.ODS.Name, cfg.ODS.Partition, d.Day, d.After)
		}
	}
	return res.Rows, fmt.Sprintf("%s on target %s", cfg.ODS.Name, ot.name), nil
}

// sampleProgress counts the users generated on pr and, where pr shows no
// bar, prints a line as each of several days is done, or, for one day that
// takes more than barDelay, as each tenth of its users is.
func sampleProgress(pr *progress, start string, users, days int) func(int) {
	done, step := 0, max(users/10, 1)
	next, began := step, time.Now()
	return func(n int) {
		pr.Add(n)
		done += n
		switch {
		case days > 1 && done%users == 0:
			pr.Detail("  %s done (day %d of %d)", addDays(start, done/users-1), done/users, days)
		case days == 1 && done >= next && done < users:
			next = (done/step + 1) * step
			if time.Since(began) >= barDelay {
				pr.Detail("  %s: %d of %d users", start, done, users)
			}
		}
	}
}

// maxSampleUsers is the most users a day fgen sample makes: some 900 M
// events a day, far beyond a day one machine's warehouse is for.
const maxSampleUsers = 100_000_000

// checkSampleFlags checks the flags fgen sample and fgen demo share.
func checkSampleFlags(start string, days, users int) error {
	if _, err := bizdate.Parse(start); err != nil {
		return fmt.Errorf("--start: %w", err)
	}
	switch {
	case days < 1:
		return fmt.Errorf("--days %d: give at least 1 day", days)
	case users < 1:
		return fmt.Errorf("--users %d: give at least 1 user a day", users)
	}
	if users > maxSampleUsers {
		// A typo such as an extra zero would write until the disk fills.
		return fmt.Errorf("--users %d is more than %d a day (about %d events a day, some 9 per user); give fewer users", users, maxSampleUsers, 9*maxSampleUsers)
	}
	if days > maxRangeDays {
		// A typo such as --days 100000 would write for hours; and apply
		// and report take at most this many days at once.
		return fmt.Errorf("--days %d is more than %d, the most days apply and report take at once; give fewer days", days, maxRangeDays)
	}
	if _, err := bizdate.Parse(addDays(start, days-1)); err != nil {
		return fmt.Errorf("--start %s with --days %d would end after 99991231, the last business date a partition holds; give fewer days", start, days)
	}
	return nil
}

// sampleDays returns the n business dates from start on.
func sampleDays(start string, n int) ([]string, error) {
	return bizdate.Range(start, addDays(start, n-1))
}

// replaceWithSample replaces the ODS partitions of the sample's days with
// its events and returns the number of events and each day's rows before
// and after.
func replaceWithSample(ctx context.Context, db localEngine, cfg *models.Config, so sample.Options, allowShrink bool) (loaded, error) {
	days, err := sampleDays(so.Start, so.Days)
	if err != nil {
		return loaded{}, err
	}
	if so.Time, err = sampleTimeFormat(cfg); err != nil { // fgen demo's options have none
		return loaded{}, err
	}
	return db.ReplaceWithSample(ctx, cfg, days, so, allowShrink)
}

// shrunkDays are the days of counts left fewer than half the rows they
// held, as fgen load judges a replacement destructive.
func shrunkDays(counts []dayRows) []dayRows {
	return slices.DeleteFunc(slices.Clone(counts), func(d dayRows) bool { return !d.shrunk() })
}

// sampleShrinkError is a 'fgen sample --load' that would have left days of
// the ODS table fewer than half their rows, which may be logs 'fgen load'
// loaded: it replaced nothing.
type sampleShrinkError struct {
	table, partition string
	shrunk           []dayRows
}

func (e *sampleShrinkError) Error() string {
	var parts []string
	capped(len(e.shrunk), 6, func(i int) {
		d := e.shrunk[i]
		parts = append(parts, fmt.Sprintf("%s/%s=%s (%s) with %d", e.table, e.partition, d.Day, plural(int(d.Before), "row"), d.After))
	}, func(left int) {
		parts = append(parts, fmt.Sprintf("%d more", left))
	})
	return fmt.Sprintf("the sample would replace %s, fewer than half, and those rows may be logs 'fgen load' loaded; load the sample into a warehouse of its own (another duckdb target, or 'fgen demo'), or pass --allow-destructive to replace them anyway",
		strings.Join(parts, "; "))
}

// sampleMatchesODS checks that the ODS table has the seed's columns, which
// are what fgen sample generates, first and in order, and returns the
// columns it declares after them, which the sample's rows leave NULL (a
// file of them loads so too); its error ends with hint, what to do.
func sampleMatchesODS(cfg *models.Config, hint string) (extra []string, err error) {
	var odsCols []string
	for _, c := range cfg.ODS.Columns {
		odsCols = append(odsCols, c.Name)
	}
	seed := sample.Columns()
	if len(odsCols) < len(seed) || !slices.EqualFunc(odsCols[:len(seed)], seed, strings.EqualFold) {
		if cfg.ODS.Hourly() {
			odsCols = append(odsCols, cfg.ODS.HourPartition+" (hour_partition)")
		}
		return nil, fmt.Errorf("fgen sample makes the seed's ODS columns (%s), but %s declares %s; %s",
			strings.Join(seed, ", "), cfg.ODS.Name, strings.Join(odsCols, ", "), hint)
	}
	if cfg.ODS.Hourly() {
		return nil, fmt.Errorf("%w: %s is partitioned by hour (hour_partition = %q); %s", errSampleNoHour, cfg.ODS.Name, cfg.ODS.HourPartition, hint)
	}
	return odsCols[len(seed):], nil
}

// errSampleNoHour: the sample's rows have the ODS table's columns, but the
// table is partitioned by hour, which the sample does not give.
var errSampleNoHour = errors.New("fgen sample makes daily rows, with no hour")

// sampleTimeFormat is how the sample writes the ODS column ts of cfg: as
// the funnels read it (epoch seconds or milliseconds, a DATETIME, a STRING
// in a format and time zone).
func sampleTimeFormat(cfg *models.Config) (sample.TimeFormat, error) {
	tf, err := sample.TimeFormatOf(cfg)
	if err != nil {
		return tf, fmt.Errorf("fgen sample writes ts as the funnels read it, but: %w", err)
	}
	return tf, nil
}

func addDays(day string, n int) string {
	t, _ := bizdate.Parse(day)
	return t.AddDate(0, 0, n).Format("20060102")
}
