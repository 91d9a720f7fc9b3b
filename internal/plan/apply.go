package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// ErrBlocked is returned by Apply for a plan with destructive changes when
// they are not allowed, or with changes fgen never makes (Problem.Refused).
var ErrBlocked = errors.New("plan has destructive changes")

// EventKind is what happened to a job.
type EventKind string

const (
	EventSubmitted EventKind = "submitted"
	EventDone      EventKind = "done"
	EventFailed    EventKind = "failed"
	EventSkipped   EventKind = "skipped"
)

// Event reports a job's progress to the caller.
type Event struct {
	Kind EventKind
	Job  *warehouse.Job
	// Submitted, for EventSubmitted, says which statement of the job the
	// warehouse accepted.
	Submitted warehouse.Submitted
	Elapsed   time.Duration
	Err       error
	// WholeDay, for EventSkipped, says every job of the day is skipped for
	// the one reason Err gives (its upstream partitions are missing).
	WholeDay bool
	DayIndex int // 1-based position of the job's day in the range; 0 for DDL
	Days     int
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	AllowDestructive bool
	// Parallel is the number of jobs run at a time: days, and the hours of
	// an hourly node (at least 1, at most the warehouse's
	// Capabilities.Writers).
	Parallel int
	// All runs every job of the plan's days, also those whose partition is
	// up to date.
	All bool
	// OnEvent, when not nil, is called for every job event. Jobs run in
	// parallel, but Apply serializes the calls: OnEvent is never called
	// concurrently with itself, so it may write to an unsynchronized writer.
	OnEvent func(Event)
}

// JobResult is the outcome of one job.
type JobResult struct {
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	Day        string  `json:"day,omitempty"`
	Hour       string  `json:"hour,omitempty"` // of an hourly node's job
	Status     string  `json:"status"`         // applied, failed, skipped, not_run, up_to_date
	InstanceID string  `json:"instance_id,omitempty"`
	Seconds    float64 `json:"seconds"`
	// Statements is how many statements the job has, Applied how many of
	// them took effect.
	Statements int    `json:"statements"`
	Applied    int    `json:"statements_applied"`
	Error      string `json:"error,omitempty"`
}

// Result is what Apply did, job by job, in plan order.
type Result struct {
	Jobs []JobResult `json:"jobs"`
}

// Count returns how many jobs have the status.
func (r *Result) Count(status string) int {
	n := 0
	for _, j := range r.Jobs {
		if j.Status == status {
			n++
		}
	}
	return n
}

// PartialError is returned when some jobs did not apply. Result says which
// did; a later apply can pick up where this one stopped, since every node
// overwrites its partition.
type PartialError struct {
	Result *Result
	Cause  error // the first failure, or the context's error
}

func (e *PartialError) Error() string {
	msg := fmt.Sprintf("apply incomplete: %d applied, %d failed, %d skipped, %d not run: %v",
		e.Result.Count("applied"), e.Result.Count("failed"), e.Result.Count("skipped"), e.Result.Count("not_run"), e.Cause)
	// The cause is of one day: name the others that need applying again.
	days := e.Days()
	if len(days) == 1 && !strings.Contains(msg, days[0]) {
		// One day, which the cause does not name (an interrupt).
		msg += "; the day with jobs failed, skipped or not run: " + days[0]
	}
	if len(days) > 1 {
		// As runs of days (20210305..20210331), the first ten.
		more := ""
		if runs := bizdate.DayRuns(days); len(runs) > 10 {
			n := slices.Index(days, runs[9].Last) + 1
			days, more = days[:n], fmt.Sprintf(" and %d more", len(days)-n)
		}
		msg += fmt.Sprintf("; the days with jobs failed, skipped or not run: %s%s", bizdate.DayRanges(days), more)
	}
	return msg
}

func (e *PartialError) Unwrap() error { return e.Cause }

// Days returns the days, in order, with a job that failed, was skipped or
// did not run: those an apply is to write again.
func (e *PartialError) Days() []string {
	var days []string
	for _, j := range e.Result.Jobs {
		if (j.Status == "failed" || j.Status == "skipped" || j.Status == "not_run") && j.Day != "" && !slices.Contains(days, j.Day) {
			days = append(days, j.Day)
		}
	}
	slices.Sort(days)
	return days
}

// slot is a job and its place in the result.
type slot struct {
	job     *warehouse.Job
	idx     int
	day     int  // 1-based day index, 0 for table changes
	current bool // up to date: not run (its place keeps the phases aligned)
}

// applier carries out one plan: the result so far, guarded by mu, and the
// events it reports, one at a time.
type applier struct {
	ctx  context.Context
	w    warehouse.Warehouse
	p    *Plan
	opts ApplyOptions

	mu       sync.Mutex
	res      *Result
	byKey    map[string]int // job key (as in Needs) -> index in res.Jobs
	firstErr error

	emitMu sync.Mutex
}

// Apply runs the plan on w: table changes first, in order, then the node jobs
// in dependency order: the DW node for every day, then each RPT node, days
// opts.Parallel at a time. A job whose upstream job failed is skipped; other
// days go on. A failed table change or a cancelled context stops everything
// not yet started.
func Apply(ctx context.Context, w warehouse.Warehouse, p *Plan, opts ApplyOptions) (*Result, error) {
	if p.IsRefused() || p.IsBlocked() && !opts.AllowDestructive {
		return nil, ErrBlocked
	}
	if err := p.ChangeFails(opts.All); err != nil {
		return nil, err
	}
	a := &applier{ctx: ctx, w: w, p: p, opts: opts, res: &Result{}, byKey: map[string]int{}}
	tables, days := a.layout()
	for _, s := range tables {
		if ctx.Err() != nil {
			break
		}
		if err := a.run(s); err != nil {
			return a.res, &PartialError{Result: a.res, Cause: err}
		}
	}
	a.skipMissingUpstream(days)
	a.runPhases(days)
	return a.finish()
}

// layout lists every job in plan order, all "not_run" until they run: the
// table changes, and the node jobs of each day.
func (a *applier) layout() (tables []slot, days [][]slot) {
	add := func(j *warehouse.Job, day int) slot {
		s := slot{job: j, idx: len(a.res.Jobs), day: day}
		a.res.Jobs = append(a.res.Jobs, JobResult{Name: j.Name, Kind: j.Kind, Day: j.Day, Hour: j.Hour, Status: "not_run", Statements: len(j.Statements)})
		return s
	}
	for _, t := range a.p.Tables {
		if t.Action == InSync || t.Job == nil {
			continue
		}
		tables = append(tables, add(t.Job, 0))
	}
	days = make([][]slot, len(a.p.Days))
	for di, d := range a.p.Days {
		for _, j := range d.Jobs {
			if _, dup := a.byKey[j.Key()]; !dup {
				a.byKey[j.Key()] = len(a.res.Jobs)
			}
			s := add(j.Job, di+1)
			if !j.Pending && !a.opts.All {
				a.res.Jobs[s.idx].Status = "up_to_date"
				s.current = true
			}
			days[di] = append(days[di], s)
		}
	}
	return tables, days
}

func (a *applier) emit(e Event) {
	if a.opts.OnEvent == nil {
		return
	}
	e.Days = len(a.p.Days)
	a.emitMu.Lock()
	defer a.emitMu.Unlock()
	a.opts.OnEvent(e)
}

// record sets the result of a slot; err, if any, may become the first error.
func (a *applier) record(s slot, status, msg string, update func(*JobResult), err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	jr := &a.res.Jobs[s.idx]
	jr.Status, jr.Error = status, msg
	if update != nil {
		update(jr)
	}
	if err != nil && a.firstErr == nil {
		a.firstErr = err
	}
}

func (a *applier) status(key string) string {
	i, ok := a.byKey[key]
	if !ok {
		return ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.res.Jobs[i].Status
}

// run runs one job and records how it went.
func (a *applier) run(s slot) error {
	start := time.Now()
	var last warehouse.Submitted
	err := a.w.Run(a.ctx, s.job, func(sub warehouse.Submitted) {
		last = sub
		a.emit(Event{Kind: EventSubmitted, Job: s.job, Submitted: sub, DayIndex: s.day})
	})
	el := time.Since(start)
	update := func(jr *JobResult) {
		// Milliseconds, as a float64 prints them: 1.136, not the
		// 1.1360000000000001 of Duration.Seconds.
		jr.InstanceID, jr.Seconds = last.InstanceID, math.Round(el.Seconds()*1000)/1000
		jr.Applied = len(s.job.Statements)
		if err != nil {
			jr.Applied = appliedBefore(a.p.Caps, err)
		}
	}
	if err == nil {
		a.record(s, "applied", "", update, nil)
		a.emit(Event{Kind: EventDone, Job: s.job, Submitted: last, Elapsed: el, DayIndex: s.day})
		return nil
	}
	status := "failed"
	if a.ctx.Err() != nil {
		status = "not_run"
	}
	if n := appliedBefore(a.p.Caps, err); s.job.Kind == "ddl" && slices.ContainsFunc(s.job.Statements[:n], func(st string) bool { return strings.HasPrefix(st, "DROP TABLE ") }) {
		// A recreate stopped between its DROP and its CREATE, unless the
		// engine made the table all the same (its answer lost).
		ctx, cancel := context.WithTimeout(context.WithoutCancel(a.ctx), time.Minute)
		_, derr := a.w.Describe(ctx, s.job.Name)
		cancel()
		switch {
		case errors.Is(derr, warehouse.ErrTableNotFound):
			err = fmt.Errorf("%w; %s is dropped and not created again: apply it again, which creates it and fills the days it is given; until then the nodes that write or read it fail", err, s.job.Name)
		case derr != nil:
			err = fmt.Errorf("%w; %s is dropped, and fgen could not tell whether it is created again (%v): run fgen plan, and apply again", err, s.job.Name, derr)
		}
	}
	a.record(s, status, err.Error(), update, err)
	a.emit(Event{Kind: EventFailed, Job: s.job, Submitted: last, Elapsed: el, Err: err, DayIndex: s.day})
	return err
}

// appliedBefore is how many statements of a failed job took effect: those
// before the failed one, unless the engine runs a job as one transaction.
func appliedBefore(caps warehouse.Capabilities, err error) int {
	var se *warehouse.StatementError
	if caps.Atomic || !errors.As(err, &se) {
		return 0
	}
	return se.Statement - 1
}

// skipMissingUpstream skips, whole, the days whose upstream partition is
// missing.
func (a *applier) skipMissingUpstream(days [][]slot) {
	for di, d := range a.p.Days {
		if d.UpstreamReady {
			continue
		}
		err := fmt.Errorf("day %s: upstream partition %s is missing; load it, then apply again", d.Day, d.MissingText())
		if len(d.MissingHours) > 0 {
			// "ods_events dt=20210303: hours 00-23 missing"
			err = fmt.Errorf("day %s: upstream %s; load them, then apply again", d.Day, d.MissingText())
		}
		for _, s := range days[di] {
			if s.current {
				continue
			}
			a.record(s, "skipped", "upstream partition missing", nil, err)
			a.emit(Event{Kind: EventSkipped, Job: s.job, Err: err, WholeDay: true, DayIndex: s.day})
		}
	}
}

// runPhases runs the node jobs in phases, in dependency order (DW for every
// day, then each RPT node), so a node that reads the next day's partition
// finds it. A phase is a node: on every day, its one job, or, for an hourly
// node, its job of each hour, which reads only that hour's partitions. The
// jobs of a phase run Parallel at a time, at most as many as the warehouse
// takes writers.
func (a *applier) runPhases(days [][]slot) {
	parallel := max(1, a.opts.Parallel)
	if w := a.p.Caps.Writers; w > 0 {
		parallel = min(parallel, w)
	}
	byNode := make([][][]slot, len(days))
	phases := 0
	for di, slots := range days {
		byNode[di] = nodeGroups(slots)
		phases = max(phases, len(byNode[di]))
	}
	for phase := 0; phase < phases && a.ctx.Err() == nil; phase++ {
		sem := make(chan struct{}, parallel)
		var wg sync.WaitGroup
		for di := range a.p.Days {
			if !a.p.Days[di].UpstreamReady || phase >= len(byNode[di]) {
				continue
			}
			for _, s := range byNode[di][phase] {
				if s.current || a.ctx.Err() != nil {
					continue
				}
				if need := a.failedNeed(s.job); need != "" {
					err := fmt.Errorf("%s did not apply", strings.Replace(need, "@", " for ", 1))
					a.record(s, "skipped", err.Error(), nil, nil)
					a.emit(Event{Kind: EventSkipped, Job: s.job, Err: err, DayIndex: s.day})
					continue
				}
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					if a.ctx.Err() == nil {
						a.run(s)
					}
				}()
			}
		}
		wg.Wait()
	}
}

// nodeGroups splits a day's slots, in dependency order, into runs of the
// same node: one slot, or an hourly node's hours.
func nodeGroups(slots []slot) [][]slot {
	var out [][]slot
	for i, s := range slots {
		if i > 0 && s.job.Name == slots[i-1].job.Name {
			out[len(out)-1] = append(out[len(out)-1], s)
			continue
		}
		out = append(out, []slot{s})
	}
	return out
}

// failedNeed returns the first job j needs that did not apply, or "".
func (a *applier) failedNeed(j *warehouse.Job) string {
	for _, need := range j.Needs {
		if st := a.status(need); st != "" && st != "applied" && st != "up_to_date" {
			return need
		}
	}
	return ""
}

func (a *applier) finish() (*Result, error) {
	err := a.firstErr
	if a.ctx.Err() != nil {
		switch {
		case err == nil:
			err = a.ctx.Err()
		case !errors.Is(err, a.ctx.Err()):
			err = fmt.Errorf("%w (%v)", a.ctx.Err(), err)
		}
	}
	if err != nil {
		return a.res, &PartialError{Result: a.res, Cause: err}
	}
	return a.res, nil
}
