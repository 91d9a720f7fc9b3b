package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/lint"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// Why a node job is pending, for Job.Why.
const (
	WhyMissing    = "missing"     // its partition does not exist
	WhySQLChanged = "sql_changed" // funnel.toml changed its SQL since the partition was written
	WhyStale      = "stale_input" // an input partition changed after it was written
	WhyUpstream   = "upstream"    // a job it reads from runs first
	WhyTable      = "table"       // its table is created, altered or recreated
	WhyAll        = "all"         // asked for (apply --all)
)

// Job is a node job of a day, and whether apply runs it.
type Job struct {
	*warehouse.Job
	// Pending: the job's partition is not up to date, for the reason Why
	// (one of the Why* codes) that Reason says in words.
	Pending bool
	Why     string
	Reason  string
	// ReadBytes is how much the job reads (its input partitions' sizes);
	// -1 when unknown.
	ReadBytes int64
}

type probe struct{ table, column, value string }

// dayPlanner plans the node jobs of each business date of a plan.
type dayPlanner struct {
	ctx    context.Context
	w      warehouse.Warehouse
	in     Input
	plan   *Plan
	probed map[probe]warehouse.Partition // each partition is probed once
	// odsKeysDiffer: the ODS table is not partitioned by the partition
	// column alone, so its partitions can be neither probed nor read.
	odsKeysDiffer bool
}

// partition probes a partition once.
func (dp *dayPlanner) partition(table, column, value string) (warehouse.Partition, error) {
	k := probe{table, column, value}
	if p, ok := dp.probed[k]; ok {
		return p, nil
	}
	p, err := dp.w.Partition(dp.ctx, table, column, value)
	if err != nil {
		return p, fmt.Errorf("check partition %s=%s of %s: %w", column, value, table, err)
	}
	dp.probed[k] = p
	return p, nil
}

// fingerprint identifies a node's SQL: the node file, whose business date
// is a parameter, so it is the same for every day.
func fingerprint(n *generator.Node) string {
	sum := sha256.Sum256(n.SQL)
	return hex.EncodeToString(sum[:8])
}

func (dp *dayPlanner) planDays() error {
	cfg := dp.in.Config
	ods := cfg.ODS
	changing := map[string]Action{} // tables whose every partition is rewritten
	for _, t := range dp.plan.Tables {
		for _, pr := range t.Problems {
			dp.odsKeysDiffer = dp.odsKeysDiffer || t.Layer == generator.LayerODS && pr.Code == CodePartitionChanged
		}
		if t.Action != InSync {
			changing[t.Table] = t.Action
		}
	}
	inRange := map[string]bool{}
	for _, x := range dp.in.Days {
		inRange[x] = true
	}
	jobs := map[string]*Job{}
	for _, day := range dp.in.Days {
		d := Day{Day: day, UpstreamReady: true}
		var src warehouse.Partition
		if dp.odsKeysDiffer {
			d.Warnings = append(d.Warnings, fmt.Sprintf("not checked: %s is not partitioned by %s alone", ods.Name, ods.Partition))
		} else {
			var err error
			if src, err = dp.partition(ods.Name, ods.Partition, day); err != nil {
				return err
			}
		}
		if !src.Exists {
			d.UpstreamReady = false
			d.Missing = append(d.Missing, fmt.Sprintf("%s/%s=%s", ods.Name, ods.Partition, day))
		}
		for i := range dp.in.Project.Nodes {
			j, err := dp.nodeJob(&d, &dp.in.Project.Nodes[i], day, inRange, changing)
			if err != nil {
				return err
			}
			jobs[j.Key()] = j
			d.Jobs = append(d.Jobs, j)
		}
		dp.plan.Days = append(dp.plan.Days, d)
	}
	if err := dp.checkEvents(); err != nil {
		return err
	}
	// A job whose upstream job runs runs after it: the partition it reads
	// changes. Jobs come in dependency order, so one pass suffices.
	for _, d := range dp.plan.Days {
		for _, j := range d.Jobs {
			for _, need := range j.Needs {
				if up := jobs[need]; up != nil && up.Pending && !j.Pending {
					j.pend(WhyUpstream, fmt.Sprintf("%s for %s runs first", up.Name, up.Day))
				}
			}
		}
	}
	return nil
}

// checkEvents warns of what the checks of the days' ODS rows find
// (lint.Check): a stage whose event values match no row of a day that has
// rows, times that do not read in their format; not when the ODS table
// cannot be read.
func (dp *dayPlanner) checkEvents() error {
	ods := dp.in.Config.ODS
	for _, t := range dp.plan.Tables {
		if t.Table == ods.Name && (t.Action == Create || dp.odsKeysDiffer) {
			return nil
		}
	}
	days := dp.in.Days
	warnings, err := lint.Check(dp.ctx, dp.w, dp.in.Project, dp.in.Config, days[0], days[len(days)-1])
	if err != nil {
		return err
	}
	for _, w := range warnings {
		for i := range dp.plan.Days {
			if d := &dp.plan.Days[i]; d.Day == w.Day {
				d.Warnings = append(d.Warnings, w.Message)
			}
		}
	}
	return nil
}

func (j *Job) pend(why, reason string) {
	j.Pending, j.Why, j.Reason = true, why, reason
}

// nodeJob plans node n for day: its job, the partitions it reads, and
// whether its own partition is up to date.
func (dp *dayPlanner) nodeJob(d *Day, n *generator.Node, day string, inRange map[string]bool, changing map[string]Action) (*Job, error) {
	proj, cfg := dp.in.Project, dp.in.Config
	script, err := proj.NodeScript(n, day)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	j := &Job{Job: scriptJob(n.Name, "node", script)}
	out, _ := proj.Table(n.Name)
	j.Day, j.Fingerprint, j.Partition = day, fingerprint(n), out.Partition
	type read struct{ table, column, day string }
	var reads []read
	for _, input := range n.Inputs {
		t, _ := proj.Table(input)
		reads = append(reads, read{input, t.Partition, day})
		if input == cfg.ODS.Name {
			continue
		}
		j.Needs = append(j.Needs, warehouse.JobKey(input, day))
		if !n.NextDay {
			continue
		}
		next := bizdate.Next(day)
		reads = append(reads, read{input, t.Partition, next})
		if inRange[next] {
			j.Needs = append(j.Needs, warehouse.JobKey(input, next))
		}
	}
	if action, ok := changing[n.Name]; ok {
		j.pend(WhyTable, fmt.Sprintf("its table is to %s", map[Action]string{Create: "be created", Alter: "be altered", Blocked: "be recreated"}[action]))
	}
	written, err := dp.partition(n.Name, out.Partition, day)
	if err != nil {
		return nil, err
	}
	switch {
	case j.Pending:
	case !written.Exists:
		j.pend(WhyMissing, fmt.Sprintf("%s/%s=%s does not exist", n.Name, out.Partition, day))
	case written.Fingerprint != "" && written.Fingerprint != j.Fingerprint:
		j.pend(WhySQLChanged, "funnel.toml changed its SQL since it was written")
	}
	j.ReadBytes = 0
	for _, r := range reads {
		if r.table == cfg.ODS.Name && dp.odsKeysDiffer {
			j.ReadBytes = -1
			continue
		}
		in, err := dp.partition(r.table, r.column, r.day)
		if err != nil {
			return nil, err
		}
		if in.Bytes < 0 || !in.Exists && r.table != cfg.ODS.Name {
			j.ReadBytes = -1 // unknown, or written by this apply
		} else if j.ReadBytes >= 0 {
			j.ReadBytes += in.Bytes
		}
		if !j.Pending && in.Exists && written.Exists && !in.Modified.IsZero() && !written.Modified.IsZero() && in.Modified.After(written.Modified) {
			j.pend(WhyStale, fmt.Sprintf("%s/%s=%s changed after it was written", r.table, r.column, r.day))
		}
		if r.day != day && !in.Exists && !inRange[r.day] {
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s reads %s of the next day, which has no partition %s yet: the day's numbers are provisional until %s is applied", n.Name, r.table, r.day, r.day))
		}
	}
	return j, nil
}
