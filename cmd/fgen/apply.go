package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

type applyOptions struct {
	*globalOptions
	targetOptions
	dayOptions
	dryRun           bool
	yes              bool
	allowDestructive bool
	parallel         int
	parallelSet      bool
	all              bool
	format           string
}

func newApplyCmd(g *globalOptions) *cobra.Command {
	opts := &applyOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Create or evolve the tables and run the daily jobs for a date or a range",
		Long: `Carry out the plan on the target: create missing tables and evolve changed ones
(ALTERs), then run the DW node for each business date and then every RPT node for
each, in dependency order, with the date substituted for the scheduling parameter (without
--bizdate or --from/--to it only creates and evolves the tables). A day whose upstream
ODS partition is missing is skipped and reported, and apply then exits 1 ("apply
incomplete"): load the partition, or wait for the sync task, and apply again. Every
node overwrites its day's partition, so re-running is idempotent, and a failed job
leaves that partition's previous contents in place; after a failure or Ctrl-C, apply
again to pick up where it stopped.

On a MaxCompute target, and on any target when it drops and recreates tables, apply
asks for confirmation on a terminal and needs --yes otherwise. --dry-run prints the SQL
it would run (with --format json, the plan as 'fgen plan --format json' gives it) and
changes nothing; it plans against the target's tables, so a MaxCompute target needs its
credentials ('fgen generate' writes the SQL without them). Destructive changes (see 'fgen
plan') need --allow-destructive.

` + exitStatusHelp,
		Example: `  fgen apply --bizdate 20210303
  fgen apply --from 20210301 --to 20210307
  fgen apply --target prod --bizdate 20210303 --yes
  fgen apply --bizdate 20210303 --dry-run`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.parallelSet = cmd.Flags().Changed("parallel")
			return runApply(cmd.Context(), opts)
		},
	}
	g.addTargetFlags(cmd, &opts.targetOptions)
	opts.dayOptions.addFlags(cmd)
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "print the SQL apply would run, and run nothing")
	cmd.Flags().BoolVarP(&opts.yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.allowDestructive, "allow-destructive", false, "allow changes that drop, retype or recreate columns or tables")
	cmd.Flags().IntVar(&opts.parallel, "parallel", 0, "jobs to run at a time on MaxCompute: days, and the hours of an hourly node (default: the target's parallel setting, or 1); the local target runs one at a time, each on all its threads")
	cmd.Flags().BoolVar(&opts.all, "all", false, "run every day's jobs, also those whose partitions are up to date")
	choiceFlag(cmd, &opts.format, "format", "summary format", "text", "json")
	return cmd
}

func runApply(ctx context.Context, opts *applyOptions) error {
	if opts.parallel < 0 || opts.parallelSet && opts.parallel == 0 {
		return fmt.Errorf("--parallel %d: give the number of jobs to run at a time, 1 or more", opts.parallel)
	}
	access := readWrite
	if opts.dryRun {
		access = readOnly
	}
	ot, p, in, err := opts.buildPlan(ctx, &opts.targetOptions, &opts.dayOptions, access, false)
	if err != nil {
		return err
	}
	defer ot.wh.Close()
	p.AllowDestructive = opts.allowDestructive // its plan shows the recreates

	// What apply refuses to run, as it would before it runs anything:
	// exit 3 when blocked, 1 for a change it cannot take back that the
	// days' jobs would fail on (plan.ChangeFails).
	refused := blocked(opts, p)
	if refused == nil {
		refused = p.ChangeFails(opts.all)
	}
	if refused == nil {
		refused = heldDaysFail(ctx, ot, p, in)
	}
	if opts.dryRun && opts.format != "json" {
		printDryRun(opts, p)
		return refused // a day apply would skip is printed, and not an error here
	}
	if opts.dryRun {
		// What 'fgen plan --format json' prints, the SQL of every change and
		// job, as one JSON document: a blocked plan says so in it, so the
		// exit status is all the error adds.
		if err := writeJSON(opts.stdout, "apply", p.JSON()); err != nil {
			return err
		}
		if refused != nil {
			return &quietError{code: exitCode(refused)}
		}
		return nil
	}
	if err := refused; err != nil && opts.format == "json" {
		return writeRefused(ctx, opts, p, err)
	}
	if refused != nil {
		plan.WriteText(opts.stderr, p)
		return refused
	}
	for _, d := range p.Days {
		for _, w := range d.Warnings {
			fmt.Fprintf(opts.stderr, "warning: %s: %s\n", d.Day, w)
		}
	}
	if !p.HasChanges() && !(opts.all && len(p.Days) > 0) {
		if len(p.Days) == 0 {
			fmt.Fprintln(opts.stderr, "nothing to apply: the tables are in sync (without --bizdate or --from/--to, apply creates and changes the tables only)")
			// A cron line without days: the days it leaves behind (late
			// rows loaded, funnel.toml edited) are said, as plan says them.
			opts.noteBehind(ctx, ot, in, false)
		} else {
			fmt.Fprintln(opts.stderr, "nothing to apply: the tables are in sync and every day is up to date (apply --all runs the days anyway)")
		}
		if opts.format == "json" {
			// Every table is in sync and no job pending, so Apply runs
			// nothing: it lists the jobs as up to date, as a run would.
			res, err := plan.Apply(ctx, ot.wh, p, plan.ApplyOptions{})
			return writeApplySummary(ctx, opts, p, res, err)
		}
		return nil
	}
	// Destructive changes ask first, as anything on a remote warehouse does.
	if (p.Caps.Remote || p.IsBlocked()) && !opts.yes {
		if err := opts.confirm(ctx, p); err != nil {
			if opts.format == "json" {
				return writeRefused(ctx, opts, p, err)
			}
			return err
		}
	}
	parallel := opts.parallel // plan.Apply runs at least 1, and 1 on DuckDB
	if parallel == 0 {
		parallel = ot.target.Parallel
	}
	if w := p.Caps.Writers; w > 0 && opts.parallel > w {
		opts.notice("note: target %s runs %s at a time; --parallel %d changes nothing", ot.name, plural(w, "job"), opts.parallel)
	}
	if err := notePlanned(ctx, ot.wh, p, opts.all); err != nil {
		return fmt.Errorf("apply: note the partitions it is to write: %w; nothing was applied", err)
	}
	pr := opts.newProgress(jobsToRun(p, opts.all), "jobs")
	res, err := plan.Apply(ctx, ot.wh, p, plan.ApplyOptions{
		AllowDestructive: opts.allowDestructive,
		Parallel:         parallel,
		All:              opts.all,
		OnEvent:          applyProgress(pr, p.Caps, opts.verbose),
	})
	pr.Done()
	if err == nil && !p.Caps.Remote {
		// Warnings, on stderr: a daily run (-q, --format json) sees them.
		if nerr := opts.noteDaysBefore(ctx, ot, in, p, res); nerr != nil {
			opts.warn("could not tell whether the days before those applied are out of date now: %v", nerr)
		}
	}
	var partial *plan.PartialError
	finished := err == nil || errors.As(err, &partial) // every job ran, or apply stopped part-way (a job failed or skipped, a signal)
	if days := partialDays(partial); len(days) > 0 {
		err = fmt.Errorf("%w; %s", err, opts.resumeHint(days))
	}
	if r := recreated(p, res); !p.Caps.Remote && (err == nil && len(p.Days) == 0 || r && finished) {
		// Of no days, what the tables just made or changed are still
		// to be given (the days loaded, on a new warehouse); of a
		// recreate, whether the apply then finished or not (a day
		// skipped, a signal), the days the table held that the apply
		// did not write again, which are gone: a warning, said now, as
		// the plan before it said it would drop them, within a few
		// seconds of a signal.
		nctx := ctx
		if ctx.Err() != nil {
			var cancel context.CancelFunc
			nctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
		}
		opts.noteBehind(nctx, ot, in, r)
	}
	return writeApplySummary(ctx, opts, p, res, err)
}

// partialDays returns the days an apply stopped part-way did not finish,
// none when its only unfinished jobs were skipped, for an upstream
// partition that is missing: the error says to load it, then apply again.
func partialDays(partial *plan.PartialError) []string {
	if partial == nil || partial.Result.Count("failed")+partial.Result.Count("not_run") == 0 {
		return nil
	}
	return partial.Days()
}

// resumeHint says the applies that finish an apply that did not finish
// days: "'fgen apply --from D1 --to D2' finishes the apply".
func (opts *applyOptions) resumeHint(days []string) string {
	var applies []string
	for _, run := range resumeRuns(days, opts.all) {
		applies = append(applies, "'"+opts.suggest(&opts.targetOptions).line("apply "+run.Flags()+allFlag(opts.all))+"'")
	}
	verb := "finish"
	if len(applies) == 1 {
		verb = "finishes"
	}
	return strings.Join(applies, " and ") + " " + verb + " the apply"
}

// resumeRuns returns the runs of days an apply that did not finish days
// is to run again to finish them: one span from the first to the last,
// whose days that did finish are up to date and so not run again; with
// --all, which runs those too, each run of days, but for more than three.
func resumeRuns(days []string, all bool) []bizdate.Run {
	if runs := bizdate.DayRuns(days); all && len(runs) <= 3 {
		return runs
	}
	return []bizdate.Run{{First: days[0], Last: days[len(days)-1]}}
}

// allFlag is " --all" when all is set.
func allFlag(all bool) string {
	if all {
		return " --all"
	}
	return ""
}

// noteBehind notes (warns, with warn, which -q keeps) the days a plan of
// no days of in would name (Plan.BehindNote): the days fgen wrote that
// apply would write again, and those loaded that apply has not finished.
func (opts *applyOptions) noteBehind(ctx context.Context, ot *openedTarget, in plan.Input, warn bool) {
	in.Days, in.Behind = nil, true
	bp, err := plan.Build(ctx, ot.wh, in)
	switch {
	case err != nil || bp.BehindNote() == "":
	case warn:
		opts.warn("%s", bp.BehindNote())
	default:
		opts.notice("note: %s", bp.BehindNote())
	}
}

// notePlanned notes, where the warehouse keeps fgen's notes (the local
// target), the partitions the apply sets out to write, the node jobs to
// run of its ready days (all of them with all): after an apply stopped or
// failed part-way, a plan of no days names the days it did not finish.
func notePlanned(ctx context.Context, w warehouse.Warehouse, p *plan.Plan, all bool) error {
	np, ok := w.(warehouse.NotedPartitions)
	if !ok {
		return nil
	}
	planned := map[string][]string{}
	for _, d := range p.Days {
		if !d.UpstreamReady {
			continue
		}
		for _, j := range d.Jobs {
			if j.Kind == "node" && (j.Pending || all) {
				planned[j.Name] = append(planned[j.Name], j.Written().Value())
			}
		}
	}
	return np.NotePlanned(ctx, planned)
}

// recreated says whether the apply, of result res (nil when it ran
// nothing), made one of p's tables again (--allow-destructive), dropping
// its partitions.
func recreated(p *plan.Plan, res *plan.Result) bool {
	if res == nil {
		return false
	}
	for _, t := range p.Tables {
		if t.Action != plan.Blocked || t.Job == nil {
			continue
		}
		for _, j := range res.Jobs {
			if j.Name == t.Job.Name && j.Kind == t.Job.Kind && j.Status == "applied" {
				return true
			}
		}
	}
	return false
}

// noteDaysBefore notes, after an apply, the rows of the day before an
// applied day that it put out of date: those of a cross_midnight funnel,
// which read the next day's DW rows, when the apply wrote those and not the
// day before (apply --bizdate of each new day, as a daily run goes): plan
// and report say so too, but a daily run would not look back. in is what
// the apply planned from.
func (opts *applyOptions) noteDaysBefore(ctx context.Context, ot *openedTarget, in plan.Input, p *plan.Plan, res *plan.Result) error {
	cross := map[string]bool{}
	var tables []string
	for _, f := range in.Config.Funnels {
		if f.DayBoundary == models.CrossMidnight {
			cross[strings.ToLower(f.Report.Table)] = true
			tables = append(tables, f.Report.Table)
		}
	}
	if len(tables) == 0 {
		return nil
	}
	applied := map[string]bool{}
	for _, d := range p.Days {
		applied[d.Day] = true
	}
	var before []string
	for _, j := range res.Jobs {
		if prev := addDays(j.Day, -1); j.Kind == "node" && j.Status == "applied" && j.Day != "" && !applied[prev] && !slices.Contains(before, prev) {
			before = append(before, prev)
		}
	}
	// Of those days, the ones fgen noted a cross_midnight report of (by a
	// job, or by an earlier fgen's): a plan of the others would find
	// nothing (one query, where the warehouse lists them, not a plan).
	if np, ok := ot.wh.(warehouse.NotedPartitions); ok && len(before) > 0 {
		noted, err := np.NotedPartitions(ctx, tables, true)
		if err != nil {
			return err
		}
		days := warehouse.NotedDays(noted, 0) // in order
		before = slices.DeleteFunc(before, func(day string) bool {
			_, ok := slices.BinarySearch(days, day)
			return !ok
		})
	}
	if len(before) == 0 {
		return nil
	}
	slices.Sort(before)
	in.Days, in.NoChecks, in.Behind = before, true, false
	pb, err := plan.Build(ctx, ot.wh, in)
	if err != nil {
		return err
	}
	for _, d := range pb.Days {
		for _, j := range d.Jobs {
			// Its day's rows exist (written before) and read the next day's.
			if j.Pending && (j.Why == plan.WhyStale || j.Why == plan.WhyChanged) && cross[strings.ToLower(j.Name)] {
				opts.warn("the rows of %s for %s are out of date now (%s): '%s' writes them again", j.Name, d.Day, j.Reason, opts.suggest(&opts.targetOptions).line("apply --bizdate "+d.Day))
			}
		}
	}
	return nil
}

// jobsToRun counts the jobs apply runs: table changes, and the pending jobs
// of ready days (every job with all).
func jobsToRun(p *plan.Plan, all bool) int {
	n := 0
	for _, t := range p.Tables {
		if t.Action != plan.InSync && t.Job != nil {
			n++
		}
	}
	for _, d := range p.Days {
		for _, j := range d.Jobs {
			if d.UpstreamReady && (j.Pending || all) {
				n++
			}
		}
	}
	return n
}

// blocked returns the error apply stops with before it changes anything:
// a change fgen never makes, or a destructive one not allowed.
func blocked(opts *applyOptions, p *plan.Plan) error {
	switch {
	case p.IsRefused():
		for _, tc := range p.Tables {
			if tc.Refused() && tc.Layer != generator.LayerODS {
				return &codeError{code: exitBlocked, err: fmt.Errorf("%s may hold raw rows, which fgen never drops, even with --allow-destructive; check funnel.toml's table names, or drop the table yourself if its rows are derived (see the fix above)", tc.Table)}
			}
		}
		if p.Caps.LoadsODS {
			return &codeError{code: exitBlocked, err: errors.New("the ODS table differs from funnel.toml in a way fgen never changes (it holds the rows fgen load loaded; fgen only adds columns and comments to it); change funnel.toml, or load your files into a new warehouse, as the fixes above say")}
		}
		return &codeError{code: exitBlocked, err: errors.New("the ODS table differs from funnel.toml in a way fgen never changes (it belongs to the sync task that fills it); change funnel.toml or the sync task as suggested")}
	case p.IsBlocked() && !opts.allowDestructive:
		return &codeError{code: exitBlocked, err: errors.New("the plan has destructive changes; change funnel.toml as suggested, or re-run with --allow-destructive")}
	}
	return nil
}

func printDryRun(opts *applyOptions, p *plan.Plan) {
	w := opts.stdout
	for _, t := range p.Tables {
		if t.Action == plan.InSync || t.SQL == "" {
			continue
		}
		fmt.Fprintf(w, "-- %s table %s\n%s\n", p.ActionOf(&t), t.Table, strings.TrimRight(t.SQL, "\n"))
	}
	for _, d := range p.Days {
		if !d.UpstreamReady {
			fmt.Fprintf(w, "-- day %s: upstream partition missing (%s); would not run\n", d.Day, d.MissingText())
			continue
		}
		for _, j := range d.Jobs {
			if !j.Pending && !opts.all {
				continue
			}
			node := j.Name
			if j.Hour != "" {
				node += " hour " + j.Hour
			}
			fmt.Fprintf(w, "-- day %s: node %s (%s)\n%s\n", d.Day, node, cmp.Or(j.Reason, "up to date; --all"), strings.TrimRight(j.Text(), "\n"))
		}
	}
	rerun := ""
	if n := jobsToRun(p, true) - jobsToRun(p, false); opts.all && n > 0 {
		rerun = fmt.Sprintf(" With --all, apply would also run the %s up to date.", plural(n, "job"))
	}
	fmt.Fprintf(opts.stderr, "dry run: %s%s Nothing was run.\n", p.Summary(), rerun)
}

// writeRefused writes, for --format json, the plan apply refused to run,
// with its problems, and why: as 'apply --dry-run --format json' writes it,
// with the error.
func writeRefused(ctx context.Context, opts *applyOptions, p *plan.Plan, err error) error {
	if werr := writeJSON(opts.stdout, "apply", withError(p.JSON(), errorBody(err, errorText(ctx, err), exitCode(err)))); werr != nil {
		return werr
	}
	return &jsonWritten{err}
}

// confirm asks on a terminal; elsewhere --yes is required. A signal (Ctrl-C)
// at the prompt ends the wait.
func (opts *applyOptions) confirm(ctx context.Context, p *plan.Plan) error {
	f, ok := opts.stdin.(*os.File)
	if !ok || !stdinIsTerminal(f) {
		// What apply asks to confirm (a remote warehouse, a recreate, or
		// both), and the plan that shows it.
		days := opts.dayOptions.flags()
		what, see := "changes a remote warehouse", "plan"+days
		if p.IsBlocked() {
			const recreates = "drops and recreates tables (--allow-destructive)"
			what = recreates
			if p.Caps.Remote {
				what = "changes a remote warehouse and " + recreates
			}
			if opts.all {
				days += " --all"
			}
			see = "apply" + days + " --allow-destructive --dry-run" // its plan, with the recreates
		}
		return fmt.Errorf("apply %s; re-run with --yes to confirm (see the plan with '%s')", what, opts.suggest(&opts.targetOptions).line(see))
	}
	plan.WriteText(opts.stderr, p)
	fmt.Fprintf(opts.stderr, "\nApply this plan to %s? Only 'yes' is accepted: ", p.Target)
	// A read of a terminal cannot be interrupted: it goes on after a
	// signal, until fgen exits.
	answer, err := interruptible(ctx, func() (string, error) { return bufio.NewReader(f).ReadString('\n') })
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(opts.stderr) // the prompt's line ends
		return fmt.Errorf("apply cancelled: %w; nothing was applied", ctx.Err())
	case err != nil:
		fmt.Fprintln(opts.stderr) // end of input (Ctrl-D): the prompt's line ends
	}
	if strings.TrimSpace(answer) != "yes" {
		return errors.New("apply cancelled")
	}
	return nil
}

// stdinIsTerminal is isTerminal; tests replace it to answer the prompt.
var stdinIsTerminal = isTerminal

// isTerminal reports whether f is a terminal: not merely a character
// device, which /dev/null (a cron job's or nohup's stdin) is too.
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

// applyProgress reports job events: on a terminal a bar of the jobs (a
// line per failure, skip or remote submission), elsewhere a line per event;
// a run of skips for one reason (a day without upstream data, a job's hours)
// is one line.
func applyProgress(pr *progress, caps warehouse.Capabilities, verbose bool) func(plan.Event) {
	lastSkip := ""
	return func(e plan.Event) {
		where := e.Job.Name
		if e.Job.Day != "" {
			where = fmt.Sprintf("[%d/%d] %s %s", e.DayIndex, e.Days, e.Job.Day, e.Job.Name)
			if e.Job.Hour != "" {
				where += " hour " + e.Job.Hour
			}
		}
		switch e.Kind {
		case plan.EventSubmitted:
			step := ""
			if sub := e.Submitted; sub.Statements > 1 {
				step = fmt.Sprintf(" statement %d of %d", sub.Statement, sub.Statements)
			}
			if verbose && e.Submitted.Statement >= 1 && e.Submitted.Statement <= len(e.Job.Statements) {
				pr.Line("%s:%s\n%s", where, step, e.Job.Statements[e.Submitted.Statement-1])
			}
			if caps.Remote {
				pr.Line("%s:%s submitted, instance %s\n  logview: %s", where, step, e.Submitted.InstanceID, e.Submitted.LogView)
			}
		case plan.EventDone:
			pr.Step()
			pr.Detail("%s: done in %.1fs", where, e.Elapsed.Seconds())
		case plan.EventFailed:
			pr.Step()
			if errors.Is(e.Err, context.Canceled) {
				// Counted as not run, as the summary says.
				pr.Problem("%s: interrupted after %.1fs; not run", where, e.Elapsed.Seconds())
			} else {
				pr.Problem("%s: FAILED after %.1fs: %v", where, e.Elapsed.Seconds(), e.Err)
			}
			var se *warehouse.StatementError
			if !caps.Atomic && errors.As(e.Err, &se) && se.Statement > 1 {
				pr.Problem("  applied before it:")
				for _, st := range e.Job.Statements[:se.Statement-1] {
					first, _, _ := strings.Cut(st, "\n")
					pr.Problem("    %s", first)
				}
			}
		case plan.EventSkipped:
			pr.Step()
			// A day whose upstream is missing skips all its jobs for one
			// reason (an hourly day, dozens): say it once, of the day; the
			// summary counts them. A job skipped because one it reads
			// failed is named, once for its hours skipped for one reason.
			skip := e.Job.Name + "\x00" + e.Err.Error()
			if e.WholeDay {
				skip, where = e.Err.Error(), fmt.Sprintf("[%d/%d] %s (every job to run)", e.DayIndex, e.Days, e.Job.Day)
			}
			if skip != lastSkip {
				lastSkip = skip
				pr.Problem("%s: skipped: %v", where, e.Err)
			}
		}
	}
}

// writeApplySummary writes what apply did, when it did anything, and
// returns err. Under --format json the summary is the command's one JSON
// document, with the error apply ends with, if any, in its "error" field.
func writeApplySummary(ctx context.Context, opts *applyOptions, p *plan.Plan, res *plan.Result, err error) error {
	if res == nil {
		return err
	}
	if opts.format == "json" {
		// Where it ran, as plan's JSON says it, then what ran.
		out := struct {
			Target   string           `json:"target"`
			Engine   string           `json:"engine"`
			Location string           `json:"location"`
			Applied  int              `json:"applied"`
			Failed   int              `json:"failed"`
			Skipped  int              `json:"skipped"`
			NotRun   int              `json:"not_run"`
			UpToDate int              `json:"up_to_date"`
			Jobs     []plan.JobResult `json:"jobs"`
			Error    *jsonErrorBody   `json:"error,omitempty"`
		}{p.Target, p.Engine, p.Location, res.Count("applied"), res.Count("failed"), res.Count("skipped"), res.Count("not_run"), res.Count("up_to_date"), append([]plan.JobResult{}, res.Jobs...), nil}
		// A job cut short by a signal says so, as the summary's error does,
		// also where the warehouse wrapped the cancellation (MaxCompute's
		// "...: statement 1 of 2: context canceled").
		for i, j := range out.Jobs {
			out.Jobs[i].Error = strings.Replace(j.Error, context.Canceled.Error(), errorText(ctx, context.Canceled), 1)
		}
		if err != nil {
			body := errorBody(err, errorText(ctx, err), exitCode(err))
			out.Error = &body
			err = &jsonWritten{err}
		}
		writeJSON(opts.stdout, "apply", out)
		return err
	}
	current := ""
	if n := res.Count("up_to_date"); n > 0 {
		current = fmt.Sprintf(", %d up to date", n)
	}
	fmt.Fprintf(opts.stdout, "apply: %d applied, %d failed, %d skipped, %d not run%s\n",
		res.Count("applied"), res.Count("failed"), res.Count("skipped"), res.Count("not_run"), current)
	return err
}

// heldDaysFail is ChangeFails, for an apply that gives a table new
// columns, of the days the table holds beyond those apply runs: their jobs
// run again later, and a column once added keeps its type, so a column too
// narrow for their rows would leave every one of them failing, with a
// recreate the only way out (an apply of no days, or of a day whose rows
// fit, added it). The jobs of the days fgen wrote to such a table (the
// latest maxRangeDays, on a target that lists them: a local one) are
// checked as an apply of those days checks them.
func heldDaysFail(ctx context.Context, ot *openedTarget, p *plan.Plan, in plan.Input) error {
	tables := p.AddingColumns()
	np, ok := ot.wh.(warehouse.NotedPartitions)
	if len(tables) == 0 || !ok {
		return nil
	}
	noted, err := np.NotedPartitions(ctx, tables, false)
	if err != nil {
		return err
	}
	if in.Days = warehouse.NotedDays(noted, maxRangeDays); len(in.Days) == 0 {
		return nil
	}
	held, err := plan.Build(ctx, ot.wh, in)
	if err != nil {
		return fmt.Errorf("plan %s of the days %s holds: %w", ot.name, strings.Join(tables, ", "), err)
	}
	return held.ChangeFails(true)
}
