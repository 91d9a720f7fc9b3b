package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/lint"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

type reportOptions struct {
	*globalOptions
	targetOptions
	dayOptions
	format  string
	funnels []string
	all     bool
	output  string
	// formatNote says the format an -o file without a format's extension
	// gets; said once the file is one to write.
	formatNote  string
	formatGiven bool // --format was given (else -o FILE's extension, or table, chose it)
}

func newReportCmd(g *globalOptions) *cobra.Command {
	opts := &reportOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Show funnels from their RPT tables: table, json, csv or a self-contained html page",
		Long: `Read funnels' report (RPT) tables on the target and show them.

  --format table   counts, step and overall conversion and a bar per stage (default)
  --format json    machine-readable rows (see the README for the schema)
  --format csv     one line per day, breakdown value and stage (one funnel only)
  --format html    one self-contained page (inline CSS and SVG, no script, nothing fetched,
                   readable on a phone): per funnel the whole range summed, conversion
                   and counts per day as charts, breakdowns by volume, the days' table

An ordered funnel shows the time to convert from the entry (median, average) and, when
its table has them, from the previous step. With percentiles and a histogram (the long
layout), every format shows them per stage, from the entry and from the previous step:
the table a line per stage and series, csv and json columns and keys of their own, and
html a histogram per stage and series over the days shown and the percentiles per day
as lines. A breakdown_limit's "other" row (the values beyond the top N of each day) is
labelled as such.

It reports the days given with --bizdate or --from/--to; without them, every day the
report table holds (on MaxCompute a date is required). It reports the first daily
funnel of funnel.toml, or the funnels named with --funnel
(repeat it, or separate names with commas), or every funnel with --all: the table
format shows them one after another, json writes one object per funnel (a JSON
stream, as jq reads it), html one page with a table of contents. A funnel that
reports per hour (grain = "hour") is not shown: query its table; --all leaves it out
and says so.

Days marked provisional were computed before all the data they depend on had landed (a
cross_midnight funnel's day whose next day was missing); their numbers may change. On
the local target, report warns of rows apply would write again (their SQL changed,
with funnel.toml or fgen, or their day's ODS rows were loaded again since), naming the
apply that does; on MaxCompute, 'fgen plan' for the days says it.

-o FILE writes to a file instead of standard output (never over the config, a local
warehouse or a generated project), in the format its extension names (.html, .json,
.csv), which --format, if given, must agree with; a file of another extension gets
--format, or the table. FILE is replaced whole or left as it was; a device or a pipe
(/dev/null) is written to.

` + exitStatusHelp,
		Example: `  fgen report --bizdate 20210303
  fgen report --from 20210301 --to 20210307 --format html -o funnel.html
  fgen report --from 20210301 --to 20210307 --all --format html -o funnels.html
  fgen report --funnel user_trace --format json
  fgen report --funnel user_trace --from 20210301 --to 20210307 --format csv -o user_trace.csv
  fgen report --target prod --bizdate 20210303 --format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			given := cmd.Flags().Changed("format")
			opts.formatGiven = given
			format, err := reportFormat(opts.format, given, opts.output)
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(opts.output))
			if _, named := reportExtensions[ext]; opts.output != "" && opts.output != "-" && !named && ext != ".txt" && !given && !isDevice(opts.output) {
				// Once the file is known to be one to write (runReport).
				opts.formatNote = fmt.Sprintf("note: %s: its extension names no format (.html, .json or .csv), so it gets the %s format; give --format for another", opts.output, format)
			}
			opts.format = format
			return runReport(cmd.Context(), opts, opts.output)
		},
	}
	g.addTargetFlags(cmd, &opts.targetOptions)
	opts.dayOptions.addFlags(cmd)
	cmd.Flags().StringVar(&opts.format, "format", "table", "output format: table, json, csv or html; with -o, the file's extension (.html, .json or .csv)")
	cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table", "json", "csv", "html"}, cobra.ShellCompDirectiveNoFileComp
	})
	cmd.Flags().Var(&names{&opts.funnels}, "funnel", "a funnel to report; repeat it, or separate names with commas, for several (default: the first in funnel.toml)")
	cmd.RegisterFlagCompletionFunc("funnel", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := g.loadConfig()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		// After a comma, the funnels not yet named, after those named;
		// nor those of an earlier --funnel; nor one of hours, which
		// report refuses.
		given := toComplete[:strings.LastIndex(toComplete, ",")+1]
		named := strings.Split(given, ",")
		named = append(named, opts.funnels...)
		var names []string
		for _, f := range cfg.Funnels {
			if !slices.Contains(named, f.Name) && !f.Hourly() {
				names = append(names, given+f.Name+"\t"+f.Description)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	cmd.Flags().BoolVar(&opts.all, "all", false, "report every funnel of funnel.toml")
	addOutputFlag(cmd, &opts.output, "write the report to this file instead of standard output")
	return cmd
}

// isDevice reports whether path is there and not a regular file: a device
// or a pipe, such as /dev/null (or a directory, which the write refuses).
func isDevice(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.Mode().IsRegular()
}

// reportExtensions are the formats -o FILE's extension names.
var reportExtensions = map[string]string{".html": "html", ".htm": "html", ".json": "json", ".csv": "csv"}

// reportFormat is the format a report is written in: --format when given,
// which must agree with -o FILE's extension when that names a format; else
// the one the extension names; else table.
func reportFormat(format string, given bool, output string) (string, error) {
	byExt, ok := reportExtensions[strings.ToLower(filepath.Ext(output))]
	switch {
	case !ok || output == "-":
		return format, nil
	case !given:
		return byExt, nil
	case strings.ToLower(strings.TrimSpace(format)) != byExt: // as report.ParseFormat reads it
		return "", fmt.Errorf("-o %s has the extension of the %s format, but --format is %s; leave out --format, or give the file the extension of its format", output, byExt, format)
	}
	return format, nil
}

func runReport(ctx context.Context, opts *reportOptions, output string) error {
	format, err := report.ParseFormat(opts.format)
	if err != nil {
		return err
	}
	if opts.all && len(opts.funnels) > 0 {
		return errors.New("--all reports every funnel; leave out --funnel, or name the funnels without --all")
	}
	days, err := opts.days()
	if err != nil {
		return err
	}
	cfg, err := opts.loadConfig()
	if err != nil {
		return err
	}
	fs, err := pickFunnels(cfg, opts.funnels, opts.all)
	if err != nil {
		return err
	}
	all := fs
	if fs, err = dailyFunnels(cfg, fs, opts.all); err != nil {
		return err
	}
	if len(fs) < len(all) && !opts.quiet {
		var hourly []string
		for _, f := range all {
			if f.Hourly() {
				hourly = append(hourly, fmt.Sprintf("%s (table %s, partitioned by (%s, %s))", f.Name, f.Report.Table, f.Report.Partition, f.Report.HourPartition))
			}
		}
		fmt.Fprintf(opts.stderr, "note: --all leaves out the funnels that report per hour, which fgen report does not show: %s; query their tables directly\n", strings.Join(hourly, ", "))
	}
	if format == report.FormatCSV && len(fs) > 1 {
		other := "use --format json or html"
		if _, named := reportExtensions[strings.ToLower(filepath.Ext(output))]; named {
			// -o's extension names the format, which --format must agree with.
			other = "write the report to a file named .json or .html"
			if opts.formatGiven {
				other = "give --format json or html and -o a file of that extension"
			}
		}
		return fmt.Errorf("the csv format holds one funnel's rows, not %d; name one funnel, or %s", len(fs), other)
	}
	if err := opts.checkOutputFile(cfg, output, "the report"); err != nil {
		return err
	}
	if opts.formatNote != "" {
		opts.notice("%s", opts.formatNote)
	}
	ot, err := opts.openTarget(cfg, &opts.targetOptions, readOnly)
	if err != nil {
		return err
	}
	defer ot.wh.Close()
	from, to := "", ""
	if len(days) > 0 {
		from, to = days[0], days[len(days)-1]
	} else if !ot.wh.Capabilities().ScanAll {
		return fmt.Errorf("name the business dates with --bizdate or --from/--to; target %s does not allow reading every partition", ot.name)
	}
	proj, err := generator.Render(cfg, templates.FS(), ot.dialect)
	if err != nil {
		return err
	}
	target := opts.suggest(&opts.targetOptions)
	// The apply that fills the days asked for, or without days, those loaded:
	// read from fgen's notes, where it keeps them, once a message needs them.
	var fillText, those string
	if from != "" {
		fillText, those = "'"+target.line("apply "+bizdate.Run{First: from, Last: to}.Flags())+"'", " for those days"
		if from == to {
			those = " for " + from
		}
	}
	fill := func() string {
		if fillText != "" {
			return fillText
		}
		fillText = "'" + target.line("apply --from D1 --to D2") + "', D1 and D2 the first and last days loaded"
		if np, ok := ot.wh.(warehouse.NotedPartitions); ok {
			switch noted, err := np.NotedPartitions(ctx, []string{cfg.ODS.Name}, true); {
			case err == nil && len(noted) > 0:
				fillText = "the days loaded: " + plan.ApplyRuns(warehouse.NotedDays(noted, 0), target.line)
			case err == nil:
				fillText += " (fgen has noted no load here: '" + target.line("load FILE") + "', or '" + target.line("sample --load") + "' for sample data)"
			}
		}
		return fillText
	}
	var rs []*report.Report
	first, last := "", ""
	pr := opts.newProgress(len(fs), "funnels")
	defer pr.Done()
	var tables []string
	for _, f := range fs {
		tables = append(tables, f.Report.Table)
	}
	describe, err := warehouse.DescribeAll(ctx, ot.wh, tables)
	if err != nil {
		return err
	}
	for _, f := range fs {
		live, err := describe(f.Report.Table)
		if errors.Is(err, warehouse.ErrTableNotFound) {
			return fmt.Errorf("target %s has no report table %s yet; create and fill it with %s", ot.name, f.Report.Table, fill())
		} else if err != nil {
			return err
		}
		if err := reportColumnsLive(f, live, target); err != nil {
			return err
		}
		r, err := report.Read(ctx, ot.wh, proj, f, from, to)
		if err != nil {
			return err
		}
		if n := r.MarkerValuesLeftOut; n > 0 {
			fmt.Fprintf(opts.stderr, "warning: %s has %d rows of a breakdown value that is the total marker %q, of which the long layout of %d breakdowns does not say whose they are; the report leaves them out and shows each day's total: set total_marker in funnel.toml to a value no breakdown has\n",
				f.Report.Table, n, r.TotalMarker, len(f.Breakdowns))
		}
		// Days whose rows Read left out, as another definition's, have
		// rows: they are not days without.
		missing := slices.DeleteFunc(daysWithout(r, days), func(d string) bool { return slices.Contains(r.DaysOfOtherDefinition, d) })
		r.DaysWithoutRows = missing
		if other := r.DaysOfOtherDefinition; len(other) > 0 {
			// An apply of each range: one of their span would write the
			// days between, which are as they should be. A table with
			// columns funnel.toml no longer reports (a breakdown removed)
			// is recreated first, which apply does with
			// --allow-destructive only, dropping its other days too.
			flag, recreated := "", ""
			if extraColumns(f, live) {
				flag, recreated = " --allow-destructive", " (it recreates the table first, which drops its other days: 'fgen plan' shows it)"
				r.OtherDefinitionRecreate = true
			}
			again := "'" + target.line("apply --from D1 --to D2") + "' of each of those ranges writes them again"
			if runs := bizdate.DayRuns(other); len(runs) <= 3 {
				again = target.applies(runs, flag) + " them again"
			}
			fmt.Fprintf(opts.stderr, "warning: the rows of %s for %s are an earlier definition's of funnel %s (%s: %s); the report leaves them out: %s%s\n",
				f.Report.Table, bizdate.DayRanges(other), f.Name, other[0], r.OtherDefinition[0], again, recreated)
		}
		// Of the days without rows, those apply cannot fill: without their
		// ODS partition (probed on the local target; on MaxCompute each
		// probe is a request, and plan says it).
		var noODS []string
		if !ot.wh.Capabilities().Remote {
			if noODS = withoutODS(ctx, ot.wh, cfg, missing); len(noODS) > 0 {
				r.DaysWithoutODS, r.ODS, r.ODSHourly = noODS, cfg.ODS.Name, cfg.ODS.Hourly()
			}
		}
		// What fills the days without rows (what names them): the applies
		// of those with their ODS partition (of the days asked for), and
		// for the others, a load first (of an hourly ODS, some hours may
		// have landed: plan names those missing).
		fillable := slices.DeleteFunc(slices.Clone(missing), func(d string) bool { return slices.Contains(noODS, d) })
		fillFor := func(what string) string {
			var parts []string
			switch {
			case from == "":
				parts = append(parts, "fill "+what+" with "+fill())
			case len(fillable) > 0:
				if len(fillable) < len(missing) {
					what = bizdate.DayRanges(fillable)
				}
				parts = append(parts, "fill "+what+" with "+plan.ApplySpans(fillSpans(fillable, noODS), target.line))
			}
			if len(noODS) > 0 {
				span := bizdate.Run{First: noODS[0], Last: noODS[len(noODS)-1]} // plan names the hours of each day
				parts = append(parts, report.LacksODS(bizdate.DayRanges(noODS), len(noODS), cfg.ODS.Name, cfg.ODS.Hourly(), target.line("plan "+span.Flags())))
			}
			return strings.Join(parts, "; ")
		}
		if len(r.Rows) == 0 && len(r.DaysOfOtherDefinition) == 0 {
			fmt.Fprintf(opts.stderr, "warning: %s has no rows%s; %s\n", f.Report.Table, those, fillFor("it"))
		}
		if len(r.Rows) > 0 && len(missing) > 0 {
			them := "them"
			if len(missing) == 1 {
				them = "it"
			}
			fmt.Fprintf(opts.stderr, "warning: %s has no rows for %d of the %d days: %s; the report leaves %s out (%s)\n",
				f.Report.Table, len(missing), len(days), bizdate.DayRanges(missing), them, fillFor(them))
		}
		if len(r.Rows) > 0 {
			if first == "" || r.Rows[0].Dt < first {
				first = r.Rows[0].Dt
			}
			last = max(last, r.Rows[len(r.Rows)-1].Dt)
		}
		if err := markProvisional(ctx, ot.wh, cfg, f, r); err != nil {
			return err
		}
		rs = append(rs, r)
		pr.Step()
	}
	pr.Done()
	if first != "" {
		if err := warnEvents(ctx, opts.stderr, ot.wh, proj, cfg, fs, first, last); err != nil {
			return err
		}
		if !ot.wh.Capabilities().Remote {
			// On MaxCompute the check probes each partition of the days
			// and queries fgen_partitions, a job: 295 requests and a job
			// more for 30 days against the test double, where the report
			// itself takes 13 and one. 'fgen plan' says it there.
			warnOutOfDate(ctx, opts.stderr, ot, cfg, proj, rs, target)
		}
	}
	// Interrupted during a check whose failure is only a warning: the
	// report would go out without what the check says of it.
	if err := ctx.Err(); err != nil {
		return err
	}
	info := opts.stderr
	if opts.quiet {
		info = io.Discard
	}
	return writeReport(ctx, opts.stdout, info, rs, format, output)
}

// markProvisional marks the days of a cross_midnight funnel's report that
// were computed before the next day's DW partition landed: it is missing,
// or, on a remote target, was written after the report's partition. On the
// local target, where report says which rows are out of date and why, a
// next day's partition written after them is that (it may have been there,
// and written again), not a mark of its own.
func markProvisional(ctx context.Context, wh warehouse.Warehouse, cfg *models.Config, f *models.Funnel, r *report.Report) error {
	if f.DayBoundary != models.CrossMidnight {
		return nil
	}
	remote := wh.Capabilities().Remote
	seen := map[string]bool{}
	var days []string
	for _, row := range r.Rows {
		if seen[row.Dt] {
			continue
		}
		seen[row.Dt] = true
		next, err := bizdate.Add(row.Dt, 1)
		if err != nil {
			continue
		}
		in, err := warehouse.DayPartition(ctx, wh, cfg.DW.Name, cfg.DW.Partition, cfg.DW.HourPartition, next)
		if err != nil {
			return err
		}
		if !in.Exists {
			days = append(days, row.Dt)
			continue
		}
		if !remote || in.Modified.IsZero() {
			continue
		}
		// Only then the report's own partition, for when it was written.
		out, err := wh.Partition(ctx, f.Report.Table, warehouse.DaySpec(f.Report.Partition, row.Dt))
		if err != nil {
			return err
		}
		if out.Exists && !out.Modified.IsZero() && in.Modified.After(out.Modified) {
			days = append(days, row.Dt)
		}
	}
	r.MarkProvisional(days...)
	return nil
}

// warnEvents prints what the checks of the ODS rows of the days from..to
// find (lint.Check): stages whose event values match no row of a day that
// has rows, times that do not read in their format; of the funnels, those
// reported (fs). The ODS table may be gone or elsewhere, or lack the
// partition column funnel.toml names (renamed there; 'fgen plan' says
// so): then there is nothing to check.
func warnEvents(ctx context.Context, w io.Writer, wh warehouse.Warehouse, proj *generator.Project, cfg *models.Config, fs []*models.Funnel, from, to string) error {
	ods, err := wh.Describe(ctx, cfg.ODS.Name)
	if err != nil {
		return nil
	}
	named := func(c warehouse.Column) bool { return strings.EqualFold(c.Name, cfg.ODS.Partition) }
	if !slices.ContainsFunc(ods.Columns, named) && !slices.ContainsFunc(ods.PartitionKeys, named) {
		return nil
	}
	warnings, err := lint.Check(ctx, wh, proj, cfg, ods, from, to)
	if err != nil {
		return err
	}
	for _, x := range warnings {
		if !slices.ContainsFunc(fs, func(f *models.Funnel) bool { return x.Of(f.Name) }) {
			continue
		}
		fmt.Fprintf(w, "warning: %s\n", x.Message)
	}
	return nil
}

// checkOutputFile refuses an -o file that would overwrite what fgen reads
// or writes itself: the config file, a local target's warehouse or its
// write-ahead log, or anything in a generated project (out/ beside the
// config, or any directory that holds generate's manifest, as one
// generated with --dir does, and what is below it). what names the
// output in the message ("the report"); cfg is nil where there is no
// config file. Paths are compared with symbolic links resolved
// (realPath), also where the file does not exist yet.
func (g *globalOptions) checkOutputFile(cfg *models.Config, output, what string) error {
	if output == "" || output == "-" {
		return nil
	}
	out := realPath(output)
	if out == realPath(g.configPath) {
		return fmt.Errorf("-o %s is the config file; write %s to another file", output, what)
	}
	var targets map[string]models.Target
	if cfg != nil {
		targets = cfg.Targets
	}
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		t := targets[name]
		if t.Engine != models.EngineDuckDB {
			continue
		}
		db := g.localPath(t)
		if out == realPath(db) || out == realPath(db+".wal") {
			return fmt.Errorf("-o %s is target %s's warehouse; write %s to another file", output, name, what)
		}
	}
	// out/ beside the config is the generated project's place; without a
	// config, an out/ there is anyone's.
	project := realPath(defaultProjectDir(g.configPath))
	if rel, err := filepath.Rel(project, out); cfg != nil && err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("-o %s is in %s, the generated project, which 'fgen generate' writes; write %s elsewhere", output, project, what)
	}
	for dir := filepath.Dir(out); ; dir = filepath.Dir(dir) {
		if generator.HoldsManifest(dir) {
			return fmt.Errorf("-o %s is in %s, a project 'fgen generate' wrote (it holds %s); write %s elsewhere", output, dir, generator.ManifestPath, what)
		}
		if filepath.Dir(dir) == dir {
			return nil
		}
	}
}

// writeReport renders the reports rs to path, or to stdout when path is
// empty or "-", and says on info which file it wrote. A file is replaced
// whole or not at all.
func writeReport(ctx context.Context, stdout, info io.Writer, rs []*report.Report, format report.Format, path string) error {
	var buf bytes.Buffer
	if err := report.WriteAll(&buf, rs, format); err != nil {
		return err
	}
	if path == "" || path == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := writeFileAtomic(ctx, path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(info, "wrote %s\n", path)
	return nil
}

// dailyFunnels leaves out the hourly funnels (grain = "hour") that --all
// picked, and refuses one named: the report formats show days, and an
// hourly funnel's rows are hours.
func dailyFunnels(cfg *models.Config, fs []*models.Funnel, all bool) ([]*models.Funnel, error) {
	var out []*models.Funnel
	for _, f := range fs {
		if !f.Hourly() {
			out = append(out, f)
			continue
		}
		if !all {
			return nil, fmt.Errorf("funnel %s reports per hour (grain = %q); fgen report shows daily funnels: query its table %s, partitioned by (%s, %s), directly", f.Name, models.GrainHour, f.Report.Table, f.Report.Partition, f.Report.HourPartition)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("every funnel of %s reports per hour; fgen report shows daily funnels", cfg.File)
	}
	return out, nil
}

// pickFunnels returns the funnels named, in the order named, each once;
// every funnel with all; the first daily funnel when none is named.
func pickFunnels(cfg *models.Config, names []string, all bool) ([]*models.Funnel, error) {
	var out []*models.Funnel
	if all {
		for i := range cfg.Funnels {
			out = append(out, &cfg.Funnels[i])
		}
		return out, nil
	}
	if len(names) == 0 {
		// The first that report shows: an hourly funnel's rows are hours.
		for i := range cfg.Funnels {
			if !cfg.Funnels[i].Hourly() {
				return []*models.Funnel{&cfg.Funnels[i]}, nil
			}
		}
		return []*models.Funnel{&cfg.Funnels[0]}, nil // dailyFunnels says why not
	}
	seen := map[string]bool{}
	var known []string
	for i := range cfg.Funnels {
		known = append(known, cfg.Funnels[i].Name)
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if seen[name] {
			continue
		}
		seen[name] = true
		i := slices.Index(known, name)
		if i < 0 {
			return nil, fmt.Errorf("no funnel %q in %s; funnels: %s", name, cfg.File, strings.Join(known, ", "))
		}
		out = append(out, &cfg.Funnels[i])
	}
	return out, nil
}

// withoutODS returns the days of days whose ODS partition (every hour of
// it, for an hourly ODS) does not exist; a probe that fails counts as
// there, the warning being advice.
func withoutODS(ctx context.Context, wh warehouse.Warehouse, cfg *models.Config, days []string) []string {
	var out []string
	for _, d := range days {
		p, err := warehouse.DayPartition(ctx, wh, cfg.ODS.Name, cfg.ODS.Partition, cfg.ODS.HourPartition, d)
		if err == nil && !p.Exists {
			out = append(out, d)
		}
	}
	return out
}

// applies is the apply of each of runs of days, with flag, as a message's
// subject with its verb: "'fgen apply --bizdate D' writes", "'...' and
// '...' write".
func (s suggested) applies(runs []bizdate.Run, flag string) string {
	var applies []string
	for _, run := range runs {
		applies = append(applies, "'"+s.line("apply "+run.Flags()+flag)+"'")
	}
	if len(applies) == 1 {
		return applies[0] + " writes"
	}
	return strings.Join(applies, " and ") + " write"
}

// daysWithout returns the dates of days that have no row in r.
func daysWithout(r *report.Report, days []string) []string {
	seen := map[string]bool{}
	for _, row := range r.Rows {
		seen[row.Dt] = true
	}
	return slices.DeleteFunc(slices.Clone(days), func(d string) bool { return seen[d] })
}

// extraColumns reports whether the live report table has columns funnel f
// does not report (besides its partition columns): a breakdown removed
// since, which apply recreates the table for.
func extraColumns(f *models.Funnel, live *warehouse.Table) bool {
	// (The local engine keeps the partition columns as plain columns.)
	want := map[string]bool{strings.ToLower(f.Report.Partition): true, strings.ToLower(f.Report.HourPartition): true}
	for _, c := range f.ReportColumns() {
		want[strings.ToLower(c.Name)] = true
	}
	return slices.ContainsFunc(live.Columns, func(c warehouse.Column) bool { return !want[strings.ToLower(c.Name)] })
}

// reportColumnsLive checks that the live report table has the columns
// funnel f reports: a stage renamed or a breakdown added in funnel.toml
// since the table was written is a change apply has not made yet, not an
// error of the query that reads it.
func reportColumnsLive(f *models.Funnel, live *warehouse.Table, target suggested) error {
	have := map[string]bool{}
	for _, c := range slices.Concat(live.Columns, live.PartitionKeys) {
		have[strings.ToLower(c.Name)] = true
	}
	var missing []string
	for _, c := range f.ReportColumns() {
		if !have[strings.ToLower(c.Name)] {
			missing = append(missing, c.Name)
		}
	}
	if !have[strings.ToLower(f.Report.Partition)] {
		missing = append(missing, f.Report.Partition)
	}
	if len(missing) == 0 {
		return nil
	}
	cols := "column " + missing[0]
	if len(missing) > 1 {
		cols = "columns " + strings.Join(missing, ", ")
	}
	return fmt.Errorf("report table %s has no %s, which funnel %s reports: funnel.toml changed after the table was written; '%s' shows the change and how apply makes it",
		f.Report.Table, cols, f.Name, target.line("plan"))
}

// warnOutOfDate warns of the report rows that apply would write again, as
// plan says: of a day whose report partition funnel.toml now computes
// otherwise (its SQL, or its table, changed) or whose input changed after it
// was written (a reloaded ODS day), directly or through the DW node of the
// day or, across midnight, of the next, or whose DW partition is missing
// (the DW table was recreated for other days). Rows of a day whose report
// partition is simply missing are not among them. It plans only the DW nodes and the
// reported ones, without the plan's queries of the ODS rows; a failure of
// this check is itself a warning, not the report's.
func warnOutOfDate(ctx context.Context, w io.Writer, ot *openedTarget, cfg *models.Config, proj *generator.Project, rs []*report.Report, target suggested) {
	var days []string
	reported := map[string]bool{}
	for _, r := range rs {
		reported[r.Table] = true
		for _, row := range r.Rows {
			days = append(days, row.Dt)
		}
	}
	slices.Sort(days)
	days = slices.Compact(days)
	if len(days) == 0 {
		return
	}
	only := *proj
	only.Nodes = slices.DeleteFunc(slices.Clone(proj.Nodes), func(n generator.Node) bool {
		return n.Layer == generator.LayerRPT && !reported[n.Name]
	})
	// A cross_midnight report's rows of day D read the DW rows of D+1: the
	// plan covers D+1 too, whose DW job may be out of date (its ODS rows
	// loaded again) though the report has no rows of D+1 to mark.
	rowDays := map[string]bool{}
	readsNext := map[string]bool{} // the reported tables whose rows read the next day's DW rows
	for _, d := range days {
		rowDays[d] = true
	}
	anyNext := false
	for _, n := range only.Nodes {
		readsNext[n.Name] = n.NextDay
		anyNext = anyNext || n.NextDay
	}
	if anyNext {
		for d := range rowDays {
			days = append(days, bizdate.Next(d))
		}
		slices.Sort(days)
		days = slices.Compact(days)
	}
	p, err := plan.Build(ctx, ot.wh, plan.Input{Target: ot.name, Config: cfg, Project: &only, Days: days, NoChecks: true})
	if err != nil {
		if ctx.Err() == nil { // else the report stops: see runReport
			fmt.Fprintf(w, "warning: could not check whether the report's rows are up to date: %v\n", err)
		}
		return
	}
	// Why each job's partition would change: its own reason, or that of a
	// job it reads from; none when the partition is only missing. A day's
	// jobs come in dependency order, but a cross_midnight report job reads
	// the next day's DW job too: repeat until nothing is added.
	changed := map[string]string{}
	for more := true; more; {
		more = false
		for _, d := range p.Days {
			for _, j := range d.Jobs {
				// A table to be created, altered or recreated is plan's
				// reason to run every job of it, not a change of its rows
				// (a comment, or a new column apply fills on the next
				// run): what counts is whether the rows are out of date as
				// well (DataWhy). A reported partition that is missing has
				// no rows to mark, but one the report's rows were computed
				// from is a reason when apply would compute it again from
				// the day's ODS rows (the DW table recreated for other
				// days), not when those are gone too (both past their
				// lifecycle): then nothing the rows came from changed.
				code, reason := j.Why, j.Reason
				if code == plan.WhyTable {
					code, reason = j.DataWhy, j.DataReason
				}
				// A partition missing on a day that is only the next day of
				// the rows (a cross_midnight report's) was never read: the
				// rows are provisional, which markProvisional says, and
				// apply of their day alone writes them as they are.
				if _, done := changed[j.Key()]; done || !j.Pending || code == "" ||
					code == plan.WhyMissing && (reported[j.Name] || !d.UpstreamReady || !rowDays[d.Day]) {
					continue
				}
				why := j.Name + ": " + reason
				if code == plan.WhyUpstream {
					why = ""
					for _, need := range j.Needs {
						why = cmp.Or(why, changed[need])
					}
				}
				if why != "" {
					changed[j.Key()], more = why, true
				}
			}
		}
	}
	// The days of each table and reason; apply skips a day whose ODS
	// partition is missing, and its rows stay as they are.
	type key struct{ table, reason string }
	fixable, stuck := map[key][]string{}, map[key][]string{}
	dwChanged := map[string]bool{} // the days whose DW jobs change rows reported
	for _, d := range p.Days {
		for _, j := range d.Jobs {
			why, ok := changed[j.Key()]
			if ok && j.Name == cfg.DW.Name {
				dwChanged[d.Day] = true
			}
			if !ok || !reported[j.Name] || !rowDays[d.Day] {
				continue
			}
			k := key{j.Name, why}
			if d.UpstreamReady {
				fixable[k] = append(fixable[k], d.Day)
			} else {
				stuck[k] = append(stuck[k], d.Day)
			}
		}
	}
	for _, r := range rs {
		for k, days := range fixable {
			if r.Table == k.table {
				r.MarkOutOfDate(k.reason, days...)
			}
		}
		for k, days := range stuck {
			if r.Table == k.table {
				r.MarkOutOfDate(k.reason+"; apply cannot write them again until the day's ODS partition is back", days...)
			}
		}
	}
	order := func(m map[key][]string) []key {
		return slices.SortedFunc(maps.Keys(m), func(a, b key) int {
			return cmp.Or(cmp.Compare(a.table, b.table), cmp.Compare(m[a][0], m[b][0]))
		})
	}
	for _, k := range order(fixable) {
		runs := bizdate.DayRuns(fixable[k])
		for i, run := range runs {
			if next := bizdate.Next(run.Last); readsNext[k.table] && dwChanged[next] {
				runs[i].Last = next // its DW job writes what the last day reads
			}
		}
		blocked := ""
		if p.IsBlocked() {
			blocked = ", once the table change '" + target.line("plan") + "' shows blocked is resolved"
		}
		fmt.Fprintf(w, "warning: the rows of %s for %s are out of date (%s); %s them again%s\n",
			k.table, bizdate.DayRanges(fixable[k]), k.reason, target.applies(runs, ""), blocked)
	}
	for _, k := range order(stuck) {
		fmt.Fprintf(w, "warning: the rows of %s for %s are out of date (%s), and apply cannot write them again: their ODS partitions are missing\n",
			k.table, bizdate.DayRanges(stuck[k]), k.reason)
	}
}

// fillSpans are the spans of days that fill the days (sorted): one from the
// first to the last, split where a day without its ODS partition (noODS)
// lies between two, which an apply of the span would skip, and fail. An
// apply of a span skips the days between that are up to date.
func fillSpans(days, noODS []string) []bizdate.Run {
	var spans []bizdate.Run
	for _, d := range days {
		if n := len(spans); n > 0 && !slices.ContainsFunc(noODS, func(x string) bool { return spans[n-1].Last < x && x < d }) {
			spans[n-1].Last = d
			continue
		}
		spans = append(spans, bizdate.Run{First: d, Last: d})
	}
	return spans
}
