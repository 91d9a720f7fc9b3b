package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// ErrBlocked is returned by Apply for a plan with destructive changes when
// they are not allowed.
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
	Kind      EventKind
	Job       *warehouse.Job
	Submitted warehouse.Submitted
	Elapsed   time.Duration
	Err       error
	DayIndex  int // 1-based position of the job's day in the range; 0 for DDL
	Days      int
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	AllowDestructive bool
	// Parallel is the number of days run at a time (at least 1); on DuckDB
	// (Plan.Engine) Apply runs one at a time whatever it says.
	Parallel int
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
	Status     string  `json:"status"` // applied, failed, skipped, not_run
	InstanceID string  `json:"instance_id,omitempty"`
	Seconds    float64 `json:"seconds"`
	Error      string  `json:"error,omitempty"`
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
	return fmt.Sprintf("apply incomplete: %d applied, %d failed, %d skipped, %d not run: %v",
		e.Result.Count("applied"), e.Result.Count("failed"), e.Result.Count("skipped"), e.Result.Count("not_run"), e.Cause)
}

func (e *PartialError) Unwrap() error { return e.Cause }

// Apply runs the plan on w: table changes first, in order, then the node jobs
// in dependency order: the DW node for every day, then each RPT node, days
// opts.Parallel at a time. A job whose upstream job failed is skipped; other
// days go on. A failed table change or a cancelled context stops everything
// not yet started.
func Apply(ctx context.Context, w warehouse.Warehouse, p *Plan, opts ApplyOptions) (*Result, error) {
	if p.IsBlocked() && !opts.AllowDestructive {
		return nil, ErrBlocked
	}
	var emitMu sync.Mutex
	emit := func(e Event) {
		if opts.OnEvent != nil {
			emitMu.Lock()
			defer emitMu.Unlock()
			opts.OnEvent(e)
		}
	}
	res := &Result{}
	var mu sync.Mutex
	var firstErr error
	record := func(i int, jr JobResult, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Jobs[i] = jr
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	run := func(i int, job *warehouse.Job, dayIdx int) error {
		start := time.Now()
		var sub warehouse.Submitted
		err := w.Run(ctx, job, func(s warehouse.Submitted) {
			sub = s
			emit(Event{Kind: EventSubmitted, Job: job, Submitted: s, DayIndex: dayIdx, Days: len(p.Days)})
		})
		el := time.Since(start)
		jr := JobResult{Name: job.Name, Kind: job.Kind, Day: job.Day, InstanceID: sub.InstanceID, Seconds: el.Round(time.Millisecond).Seconds()}
		if err != nil {
			jr.Status, jr.Error = "failed", err.Error()
			if ctx.Err() != nil {
				jr.Status = "not_run"
			}
			emit(Event{Kind: EventFailed, Job: job, Submitted: sub, Elapsed: el, Err: err, DayIndex: dayIdx, Days: len(p.Days)})
		} else {
			jr.Status = "applied"
			emit(Event{Kind: EventDone, Job: job, Submitted: sub, Elapsed: el, DayIndex: dayIdx, Days: len(p.Days)})
		}
		record(i, jr, err)
		return err
	}

	// Lay out every job in plan order, all "not_run" until they run.
	type slot struct {
		job *warehouse.Job
		idx int
	}
	var tableJobs []slot
	for _, t := range p.Tables {
		if t.Action == InSync || t.SQL == "" {
			continue
		}
		kind := "ddl"
		if t.Action != Create {
			kind = "alter"
		}
		j := &warehouse.Job{Name: t.Table, Kind: kind, SQL: t.SQL}
		tableJobs = append(tableJobs, slot{j, len(res.Jobs)})
		res.Jobs = append(res.Jobs, JobResult{Name: j.Name, Kind: j.Kind, Status: "not_run"})
	}
	daySlots := make([][]slot, len(p.Days))
	byKey := map[string]int{} // job key (as in Needs) -> index in res.Jobs
	for di, d := range p.Days {
		for _, j := range d.Jobs {
			if _, dup := byKey[j.Key()]; !dup {
				byKey[j.Key()] = len(res.Jobs)
			}
			daySlots[di] = append(daySlots[di], slot{j, len(res.Jobs)})
			res.Jobs = append(res.Jobs, JobResult{Name: j.Name, Kind: j.Kind, Day: j.Day, Status: "not_run"})
		}
	}

	for _, s := range tableJobs {
		if ctx.Err() != nil {
			break
		}
		if err := run(s.idx, s.job, 0); err != nil {
			return res, &PartialError{Result: res, Cause: err}
		}
	}

	// Days whose upstream partition is missing are skipped whole.
	for di, d := range p.Days {
		if d.UpstreamReady {
			continue
		}
		err := fmt.Errorf("day %s: upstream partition %s is missing; load it, then apply again", d.Day, strings.Join(d.Missing, ", "))
		for _, s := range daySlots[di] {
			record(s.idx, JobResult{Name: s.job.Name, Kind: s.job.Kind, Day: s.job.Day, Status: "skipped", Error: "upstream partition missing"}, err)
			emit(Event{Kind: EventSkipped, Job: s.job, Err: err, DayIndex: di + 1, Days: len(p.Days)})
		}
	}

	// Nodes run in phases, in dependency order (DW for every day, then each
	// RPT node), so a node that reads the next day's partition finds it;
	// within a phase, days run opts.Parallel at a time.
	status := func(key string) string {
		i, ok := byKey[key]
		if !ok {
			return ""
		}
		mu.Lock()
		defer mu.Unlock()
		return res.Jobs[i].Status
	}
	parallel := max(1, opts.Parallel)
	if p.Engine == models.EngineDuckDB {
		parallel = 1 // one writer
	}
	phases := 0
	for _, slots := range daySlots {
		phases = max(phases, len(slots))
	}
	var wg sync.WaitGroup
	for phase := 0; phase < phases && ctx.Err() == nil; phase++ {
		sem := make(chan struct{}, parallel)
		for di := range p.Days {
			if !p.Days[di].UpstreamReady || phase >= len(daySlots[di]) || ctx.Err() != nil {
				continue
			}
			s := daySlots[di][phase]
			blocked := ""
			for _, need := range s.job.Needs {
				if st := status(need); st != "" && st != "applied" {
					blocked = need
					break
				}
			}
			if blocked != "" {
				err := fmt.Errorf("%s did not apply", strings.Replace(blocked, "@", " for ", 1))
				record(s.idx, JobResult{Name: s.job.Name, Kind: s.job.Kind, Day: s.job.Day, Status: "skipped", Error: err.Error()}, nil)
				emit(Event{Kind: EventSkipped, Job: s.job, Err: err, DayIndex: di + 1, Days: len(p.Days)})
				continue
			}
			sem <- struct{}{}
			wg.Add(1)
			go func(di int, s slot) {
				defer wg.Done()
				defer func() { <-sem }()
				if ctx.Err() == nil {
					run(s.idx, s.job, di+1)
				}
			}(di, s)
		}
		wg.Wait()
	}
	if ctx.Err() != nil && firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		if ctx.Err() != nil {
			firstErr = fmt.Errorf("%w (%v)", ctx.Err(), firstErr)
		}
		return res, &PartialError{Result: res, Cause: firstErr}
	}
	return res, nil
}
