package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/lint"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// Why a node job is pending, for Job.Why.
const (
	WhyMissing    = "missing"         // its partition does not exist
	WhySQLChanged = "sql_changed"     // its SQL changed since the partition was written (funnel.toml, or fgen)
	WhyStale      = "stale_input"     // an input partition changed after it was written
	WhyChanged    = "changed_outside" // its partition is not as fgen wrote it: its rows changed outside fgen
	WhyUpstream   = "upstream"        // a job it reads from runs first
	WhyTable      = "table"           // its table is created, recreated, or altered (but for comments alone, where the SQL that wrote it is known)
	WhyAll        = "all"             // asked for (apply --all)
)

// Job is a node job of a day, and whether apply runs it.
type Job struct {
	*warehouse.Job
	// Pending: the job's partition is not up to date, for the reason Why
	// (one of the Why* codes) that Reason says in words.
	Pending bool
	Why     string
	Reason  string
	// DataWhy and DataReason, for a job pending because its table
	// changes (WhyTable): whether its partition's rows are out of date as
	// well, and why (WhyMissing, WhyStale, WhyChanged, WhySQLChanged when the table is
	// recreated, WhyUpstream when a job it reads from has such a reason);
	// "" when they are not. A report's rows are out of date for that
	// reason, not for the table's change (a comment, or a column apply
	// fills, which changes the node's SQL too).
	DataWhy    string
	DataReason string
	// ReadBytes is how much the job reads (its input partitions' sizes);
	// -1 when unknown.
	ReadBytes int64
	// holds: the job's table holds its partition now (or may: a table
	// whose partition keys change is not probed).
	holds bool
	// failsOn: the warnings of the checks of the day's ODS rows that say
	// the job will fail (lint.Warning.Fails), each of a column whose type
	// the rows do not fit.
	failsOn []lint.Warning
}

// failure says why the job will fail, as the first of failsOn; "" when the
// checks found nothing.
func (j *Job) failure() string {
	if len(j.failsOn) == 0 {
		return ""
	}
	return j.failsOn[0].Message
}

type probe struct{ table, value string }

// dayPlanner plans the node jobs of each business date of a plan.
type dayPlanner struct {
	ctx    context.Context
	w      warehouse.Warehouse
	in     Input
	plan   *Plan
	probed map[probe]warehouse.Partition // each partition is probed once
	// listed: the tables whose partitions on the plan's days a
	// warehouse.DayLister described.
	listed map[string]bool
	// keysDiffer: the live tables partitioned otherwise than funnel.toml
	// says (CodePartitionChanged), whose partitions of the new shape cannot
	// be probed: an hour partition added to the DW table once failed plan
	// with the warehouse's "column hh not found". Of the ODS table, its
	// partitions can be neither probed nor read (odsKeysDiffer).
	keysDiffer map[string]bool
	// ods is the live ODS table Build described; nil when it is to be
	// created.
	ods *warehouse.Table
	// live: the tables of the project that exist, as Build described them.
	live map[string]*warehouse.Table
	// altered: onlyColumnsAdded's knowledge of each node whose table is to
	// be altered, found once a plan.
	altered map[string]alteredNode
	// prints: each node's fingerprints, found once a plan (nodeJob needs
	// them for every day).
	prints map[string]fingerprints
	// other: the project rendered with the other [dataworks] parameters
	// (otherParamsPrint), once otherDone.
	other     *generator.Project
	otherDone bool
}

// refusedChange marks, among the tables a day's jobs wait on, one whose
// change fgen refuses: apply runs nothing, and the plan says why.
const refusedChange Action = "refused"

// partition probes a partition once. On a warehouse.DayLister the first
// probe of a table describes its partitions of that shape (a day, or a day
// and an hour) on every day of the plan, in one call; a partition it did
// not describe (of another day, or shape) is probed alone.
func (dp *dayPlanner) partition(table string, spec warehouse.PartitionSpec) (warehouse.Partition, error) {
	k := probe{table, spec.String()}
	if p, ok := dp.probed[k]; ok {
		return p, nil
	}
	if l, ok := dp.w.(warehouse.DayLister); ok && !dp.listed[table] && (len(spec) == 1 || len(spec) == 2) {
		dp.listed[table] = true
		if err := dp.list(l, table, spec); err != nil {
			return warehouse.Partition{}, err
		}
		if p, ok := dp.probed[k]; ok {
			return p, nil
		}
	}
	p, err := dp.w.Partition(dp.ctx, table, spec)
	if err != nil {
		return p, fmt.Errorf("check partition %s of %s: %w", spec, table, err)
	}
	dp.probed[k] = p
	return p, nil
}

// list notes what l says of the partitions of table, shaped as spec (a day,
// or a day and an hour), on the plan's days.
func (dp *dayPlanner) list(l warehouse.DayLister, table string, spec warehouse.PartitionSpec) error {
	days := dp.in.Days
	col, hourCol := spec[0].Column, ""
	if len(spec) == 2 {
		hourCol = spec[1].Column
	}
	got, err := l.DayPartitions(dp.ctx, table, col, hourCol, days)
	if err != nil {
		return fmt.Errorf("check partitions of %s: %w", table, err)
	}
	for _, day := range days {
		for _, s := range warehouse.DaySpecs(col, hourCol, day) {
			p, ok := got[s.Value()]
			if !ok {
				p = warehouse.Partition{Bytes: -1}
			}
			dp.probed[probe{table, s.String()}] = p
		}
	}
	return nil
}

// odsKeysDiffer: the ODS table is not partitioned by the partition column
// alone, so its partitions can be neither probed nor read.
func (dp *dayPlanner) odsKeysDiffer() bool { return dp.keysDiffer[dp.in.Config.ODS.Name] }

// fingerprint identifies what a node runs: its script, the settings and
// statements, whose business date is a parameter, so it is the same for
// every day. The node file's header comments are not in it: a funnel's
// description or name, which only they hold, changes no row.
func fingerprint(n *generator.Node) string { return hash8(n.Script.Text()) }

// fingerprints are a node's fingerprint, its whole file's, which fgen
// recorded before 2026-12-06, and, found when first asked, its script's
// with the other [dataworks] parameters ("system" or "custom": the
// business date written ${bdp.system.bizdate} or ${bizdate}, the same SQL
// a day runs): the partitions they wrote are as up to date.
type fingerprints struct {
	script, file string
	other        func() string
}

// wrote reports whether fp, a partition's fingerprint, is the node's.
func (f fingerprints) wrote(fp string) bool {
	return fp == f.script || fp == f.file || f.other != nil && fp == f.other()
}

// fingerprints returns node n's fingerprints, found once a plan.
func (dp *dayPlanner) fingerprints(n *generator.Node) fingerprints {
	if dp.prints == nil {
		dp.prints = map[string]fingerprints{}
	}
	f, ok := dp.prints[n.Name]
	if !ok {
		name := n.Name
		f = fingerprints{script: fingerprint(n), file: hash8(string(n.SQL)), other: func() string { return dp.otherParamsPrint(name) }}
		dp.prints[n.Name] = f
	}
	return f
}

// otherParamsPrint is the fingerprint of node name's script rendered with
// the other [dataworks] parameters, "" if it cannot be: the project is
// rendered so once a plan, when a partition's fingerprint is not the
// node's (rare: a switch of the parameters, or SQL that changed).
func (dp *dayPlanner) otherParamsPrint(name string) string {
	if !dp.otherDone {
		dp.otherDone = true
		cfg := *dp.in.Config
		cfg.DataWorks.Parameters = map[string]string{"system": "custom", "custom": "system"}[cfg.DataWorks.Parameters]
		if cfg.DataWorks.Parameters != "" {
			dp.other, _ = dp.in.Project.Rerender(&cfg)
		}
	}
	if dp.other == nil {
		return ""
	}
	for i := range dp.other.Nodes {
		if n := &dp.other.Nodes[i]; n.Name == name {
			return fingerprint(n)
		}
	}
	return ""
}

func hash8(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

func (dp *dayPlanner) planDays() error {
	cfg := dp.in.Config
	ods := cfg.ODS
	changing := map[string]Action{} // tables to be changed: their jobs run, but for an alter of comments alone
	dp.keysDiffer = map[string]bool{}
	for _, t := range dp.plan.Tables {
		if t.keysDiffer {
			dp.keysDiffer[t.Table] = true
		}
		if t.Refused() {
			changing[t.Table] = refusedChange
		} else if t.Action != InSync {
			changing[t.Table] = t.Action
		}
	}
	// The days whose jobs run: those of the range whose upstream partitions
	// exist. A node that reads the next day's partition runs after the next
	// day's job only when that job runs; else it reads the partition as it
	// is, and its numbers are provisional, as when its day is applied alone.
	days := make([]Day, len(dp.in.Days))
	runs := map[string]bool{}
	for i, day := range dp.in.Days {
		d := Day{Day: day, UpstreamReady: true}
		if dp.odsKeysDiffer() {
			d.UpstreamReady, d.unchecked = false, true
			d.Missing = append(d.Missing, fmt.Sprintf("%s/%s=%s", ods.Name, ods.Partition, day))
			alone := " alone"
			if ods.Hourly() {
				alone = ""
			}
			d.Warnings = append(d.Warnings, fmt.Sprintf("not checked: %s is not partitioned by %s%s", ods.Name, partitionColumns(&ods), alone))
		} else if err := dp.checkUpstream(&d); err != nil {
			return err
		}
		days[i], runs[day] = d, d.UpstreamReady
	}
	jobs := map[string]*Job{}
	for _, d := range days {
		day := d.Day
		for i := range dp.in.Project.Nodes {
			n := &dp.in.Project.Nodes[i]
			hours := []string{""}
			if n.Hourly {
				hours = bizdate.Hours
			}
			for _, hour := range hours {
				j, err := dp.nodeJob(&d, n, day, hour, runs, changing)
				if err != nil {
					return err
				}
				jobs[j.Key()] = j
				d.Jobs = append(d.Jobs, j)
			}
		}
		dp.plan.Days = append(dp.plan.Days, d)
	}
	if !dp.in.NoChecks {
		if err := dp.checkEvents(); err != nil {
			return err
		}
	}
	// A job whose upstream job runs runs after it: the partition it reads
	// changes. Jobs come in dependency order, so one pass suffices.
	for _, d := range dp.plan.Days {
		for _, j := range d.Jobs {
			for _, need := range j.Needs {
				if up := jobs[need]; up != nil && up.Pending {
					reason := fmt.Sprintf("%s for %s runs first", up.Name, jobWhen(up.Job))
					switch {
					case !j.Pending:
						j.pend(WhyUpstream, reason)
					case j.Why == WhyTable && j.DataWhy == "" && changing[j.Name] != Create && (up.Why != WhyTable || up.DataWhy != ""):
						j.DataWhy, j.DataReason = WhyUpstream, reason
					}
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
	if dp.ods == nil || dp.odsKeysDiffer() { // to be created, or not by day alone
		return nil
	}
	days := dp.in.Days
	warnings, err := lint.Check(dp.ctx, dp.w, dp.in.Project, dp.in.Config, dp.ods, days[0], days[len(days)-1])
	if err != nil {
		return err
	}
	for _, w := range warnings {
		for i := range dp.plan.Days {
			if d := &dp.plan.Days[i]; d.Day == w.Day {
				d.Warnings = append(d.Warnings, w.Message)
				for _, j := range d.Jobs {
					if w.Fails != "" && j.Name == w.Fails {
						j.failsOn = append(j.failsOn, w)
					}
				}
			}
		}
	}
	return nil
}

func (j *Job) pend(why, reason string) {
	j.Pending, j.Why, j.Reason = true, why, reason
}

// nodeJob plans node n for day (and hour, for an hourly node): its job,
// the partitions it reads, and whether its own partition is up to date.
func (dp *dayPlanner) nodeJob(d *Day, n *generator.Node, day, hour string, runs map[string]bool, changing map[string]Action) (*Job, error) {
	proj, cfg := dp.in.Project, dp.in.Config
	var script generator.Script
	var err error
	if n.Hourly {
		script, err = proj.NodeHourScript(n, day, hour)
	} else {
		script, err = proj.NodeScript(n, day)
	}
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	j := &Job{Job: scriptJob(n.Name, "node", script)}
	j.Project = dp.in.Config.Project.Name
	out, _ := proj.Table(n.Name)
	prints := dp.fingerprints(n)
	j.Day, j.Fingerprint, j.Partition = day, prints.script, out.Partition
	if n.Hourly {
		j.Hour, j.HourPartition = hour, out.HourPartition
	}
	type read struct {
		table string
		spec  warehouse.PartitionSpec
		day   string
	}
	var reads []read
	// readDay reads input t's partition of day: the same hour for an hourly
	// node, every hour of the day of an hourly table, else the day; and
	// the jobs that write them, when fgen writes t.
	readDay := func(t generator.Table, day string, needs bool) {
		hours := []string{""}
		switch {
		case n.Hourly:
			hours = []string{hour}
		case t.HourPartition != "":
			hours = bizdate.Hours
		}
		for _, h := range hours {
			if h == "" {
				reads = append(reads, read{t.Name, warehouse.DaySpec(t.Partition, day), day})
				if needs {
					j.Needs = append(j.Needs, warehouse.JobKey(t.Name, day))
				}
				continue
			}
			reads = append(reads, read{t.Name, warehouse.HourSpec(t.Partition, day, t.HourPartition, h), day})
			if needs {
				j.Needs = append(j.Needs, warehouse.HourJobKey(t.Name, day, h))
			}
		}
	}
	for _, input := range n.Inputs {
		t, _ := proj.Table(input)
		ods := input == cfg.ODS.Name
		readDay(t, day, !ods)
		if ods || !n.NextDay {
			continue
		}
		next := bizdate.Next(day)
		readDay(t, next, runs[next])
	}
	// Why the partition's rows are out of date, if they are; the
	// table's change, if any, comes first in the plan.
	var dataWhy, dataReason string
	written := warehouse.Partition{Bytes: -1} // none of the new shape in a table to be recreated
	j.holds = dp.keysDiffer[n.Name]
	if !dp.keysDiffer[n.Name] {
		var err error
		if written, err = dp.partition(n.Name, j.Written()); err != nil {
			return nil, err
		}
		j.holds = written.Exists
		switch {
		case !written.Exists:
			dataWhy, dataReason = WhyMissing, fmt.Sprintf("%s/%s does not exist", n.Name, j.Written())
		case written.Changed != "":
			dataWhy, dataReason = WhyChanged, fmt.Sprintf("%s/%s is not as fgen wrote it (%s)", n.Name, j.Written(), written.Changed)
		case written.Fingerprint != "" && !prints.wrote(written.Fingerprint) && !dp.onlyColumnsAdded(n, changing[n.Name], written.Fingerprint):
			dataWhy, dataReason = WhySQLChanged, "its SQL changed since it was written (funnel.toml or fgen changed it)"
		}
	}
	j.ReadBytes = 0
	var nextDay nextDayReads
	for _, r := range reads {
		if dp.keysDiffer[r.table] {
			j.ReadBytes = -1
			continue
		}
		in, err := dp.partition(r.table, r.spec)
		if err != nil {
			return nil, err
		}
		if in.Bytes < 0 || !in.Exists && r.table != cfg.ODS.Name {
			j.ReadBytes = -1 // unknown, or written by this apply
		} else if j.ReadBytes >= 0 {
			j.ReadBytes += in.Bytes
		}
		// A partition noted with no time was written before fgen kept
		// times (its first version): an input noted with one changed after.
		if dataWhy == "" && in.Exists && written.Exists && !in.Modified.IsZero() && (written.Modified.IsZero() || in.Modified.After(written.Modified)) {
			dataWhy, dataReason = WhyStale, fmt.Sprintf("%s/%s changed after it was written", r.table, r.spec)
		}
		if d.UpstreamReady && r.day != day && !runs[r.day] {
			if err := nextDay.add(dp, r.table, r.spec, r.day, in, changing); err != nil {
				return nil, err
			}
		}
	}
	d.Warnings = append(d.Warnings, nextDay.warnings(dp, n.Name, day)...)
	action, ok := changing[n.Name]
	if ok && action == Alter && !dp.alteration(n).adds && written.Fingerprint != "" {
		// An alter that adds no column (a comment, a lifecycle) changes no
		// row: not a reason to write the day again, where the SQL that
		// wrote it is known and judged above. (A mode changed alters the
		// stage columns' comments; without the fingerprint, as for a
		// partition the DataWorks scheduler wrote, that alter is all plan
		// sees of it.)
		ok = false
	}
	if ok {
		// A Blocked table is recreated by apply --allow-destructive only,
		// which the reason names: it is written before the plan knows
		// whether the flag is given.
		reason := fmt.Sprintf("its table is to %s", map[Action]string{Create: "be created", Alter: "be altered", Blocked: "be recreated (--allow-destructive)", refusedChange: "be changed in a way fgen refuses (above)"}[action])
		// A table to be created has no rows to be out of date.
		if action != Create && dataWhy != "" {
			j.DataWhy, j.DataReason = dataWhy, dataReason
			reason += ", and " + dataReason
		}
		j.pend(WhyTable, reason)
	} else if dataWhy != "" {
		j.pend(dataWhy, dataReason)
	}
	return j, nil
}

// nextDayReads is what a node that reads the next day (cross_midnight)
// finds of it, by input table and day, in the order read, when that day is
// not applied too: its partitions of the day missing, or written before
// the ODS rows they come from changed.
type nextDayReads []nextDayRead

type nextDayRead struct {
	table, day     string
	missing, stale string // the first such partition of the table
	otherSQL       string // the first written by SQL other than the node's now, or in a table to be recreated
	landed         bool   // the day's ODS partitions all exist
}

// add notes the partition spec of table on day (a partition of the next
// day), described by in.
func (reads *nextDayReads) add(dp *dayPlanner, table string, spec warehouse.PartitionSpec, day string, in warehouse.Partition, changing map[string]Action) error {
	i := slices.IndexFunc(*reads, func(r nextDayRead) bool { return r.table == table && r.day == day })
	ods := dp.in.Config.ODS
	if i < 0 {
		// The day has landed when its ODS partitions all have, which that
		// day's DW job reads: the day's, or its 24 hours'.
		landed := false
		if table != ods.Name {
			p, err := dp.odsDay(day)
			if err != nil {
				return err
			}
			landed = p.Exists
		}
		*reads = append(*reads, nextDayRead{table: table, day: day, landed: landed})
		i = len(*reads) - 1
	}
	r := &(*reads)[i]
	if !in.Exists {
		if r.missing == "" {
			r.missing = spec.String()
		}
		return nil
	}
	if table != ods.Name && r.otherSQL == "" {
		// The node of the day's partition, were it applied, would write
		// it again: its SQL changed (as the day's own job would say), or
		// its table is to be recreated.
		if i := slices.IndexFunc(dp.in.Project.Nodes, func(m generator.Node) bool { return m.Name == table }); i >= 0 {
			m := &dp.in.Project.Nodes[i]
			if changing[table] == Blocked || in.Fingerprint != "" && !dp.fingerprints(m).wrote(in.Fingerprint) && !dp.onlyColumnsAdded(m, changing[table], in.Fingerprint) {
				r.otherSQL = spec.String()
			}
		}
	}
	if table == ods.Name || r.stale != "" || in.Modified.IsZero() {
		return nil
	}
	// The ODS rows the partition comes from: the same hour's, of an hourly
	// partition of an hourly ODS table, else all of the day's (modified
	// when the latest that exists was: an hour yet to land changes nothing
	// written).
	var src warehouse.Partition
	var err error
	if ods.Hourly() && len(spec) == 2 {
		src, err = dp.partition(ods.Name, warehouse.HourSpec(ods.Partition, day, ods.HourPartition, spec[1].Value))
	} else {
		src, err = dp.odsDay(day)
	}
	if err != nil {
		return err
	}
	if !src.Modified.IsZero() && src.Modified.After(in.Modified) {
		r.stale = spec.String()
	}
	return nil
}

// odsDay describes the ODS table's partitions of day together
// (warehouse.DayPartition), as the plan's probes found them.
func (dp *dayPlanner) odsDay(day string) (warehouse.Partition, error) {
	ods := dp.in.Config.ODS
	return warehouse.DayPartitionBy(ods.Partition, ods.HourPartition, day, func(s warehouse.PartitionSpec) (warehouse.Partition, error) { return dp.partition(ods.Name, s) })
}

// warnings says, of node, which reads the next day of day, why the day's
// numbers are provisional.
func (reads nextDayReads) warnings(dp *dayPlanner, node, day string) []string {
	var out []string
	for _, r := range reads {
		both := "'" + dp.in.command(fmt.Sprintf("apply --from %s --to %s", day, r.day)) + "'"
		switch {
		case r.missing != "" && r.landed:
			out = append(out, fmt.Sprintf("%s reads %s of the next day, which has no partition %s yet though %s has landed: the day's numbers are provisional until both days are applied (%s)", node, r.table, r.missing, r.day, both))
		case r.missing != "":
			out = append(out, fmt.Sprintf("%s reads %s of the next day, which has no partition %s yet: the day's numbers are provisional until %s has landed and both days are applied (%s)", node, r.table, r.missing, r.day, both))
		case r.stale != "":
			out = append(out, fmt.Sprintf("%s reads %s of the next day, whose ODS rows changed after its partition %s was written: the day's numbers change when both days are applied (%s)", node, r.table, r.stale, both))
		case r.otherSQL != "":
			out = append(out, fmt.Sprintf("%s reads %s of the next day, whose partition %s is of SQL that funnel.toml or fgen changed since: the day's numbers may change when both days are applied (%s)", node, r.table, r.otherSQL, both))
		}
	}
	return out
}

// onlyColumnsAdded reports whether the SQL of node n, whose table is to be
// altered (action), differs from the SQL that wrote a partition (its
// fingerprint was) only by the columns the alter adds: a column apply fills
// on the next run, which changes no row a report read. An alter that adds
// no column (a comment, a lifecycle) leaves the SQL's change a change of
// the rows. For the DW table plan renders the node as funnel.toml would be
// with only the live table's columns, once a plan; a report table's new
// column is one the report reads, and report refuses a table that lacks
// it, so its rows are never shown as they were.
func (dp *dayPlanner) onlyColumnsAdded(n *generator.Node, action Action, was string) bool {
	if action != Alter {
		return false
	}
	a := dp.alteration(n)
	switch {
	case !a.adds:
		return false
	case n.Layer != generator.LayerDW:
		return true
	}
	return a.live != nil && a.live.wrote(was)
}

// alteration returns what dp knows of node n, whose table is to be altered
// (alteredNode), found once a plan.
func (dp *dayPlanner) alteration(n *generator.Node) alteredNode {
	if dp.altered == nil {
		dp.altered = map[string]alteredNode{}
	}
	a, ok := dp.altered[n.Name]
	if !ok {
		a = dp.alteredNode(n)
		dp.altered[n.Name] = a
	}
	return a
}

// alteredNode is what onlyColumnsAdded knows of a node whose table is to
// be altered: whether the alter adds columns, and the fingerprints of the
// node rendered with only the live table's columns (nil when unknown).
type alteredNode struct {
	adds bool
	live *fingerprints
}

func (dp *dayPlanner) alteredNode(n *generator.Node) alteredNode {
	live := dp.live[n.Name]
	if live == nil {
		return alteredNode{adds: true} // unknown: as before the alter's columns were known
	}
	has := func(c models.Column) bool {
		return slices.ContainsFunc(live.Columns, func(l warehouse.Column) bool { return strings.EqualFold(l.Name, c.Name) })
	}
	out, _ := dp.in.Project.Table(n.Name)
	if !slices.ContainsFunc(out.Columns, func(c models.Column) bool { return !has(c) }) {
		return alteredNode{}
	}
	a := alteredNode{adds: true}
	if n.Layer != generator.LayerDW {
		return a
	}
	cfg := *dp.in.Config
	cfg.DW.Columns = slices.DeleteFunc(slices.Clone(cfg.DW.Columns), func(c models.Column) bool { return !has(c) })
	if p, err := dp.in.Project.Rerender(&cfg); err == nil {
		for i := range p.Nodes {
			if p.Nodes[i].Name == n.Name {
				live := fingerprints{script: fingerprint(&p.Nodes[i]), file: hash8(string(p.Nodes[i].SQL))}
				a.live = &live
			}
		}
	}
	return a
}

// checkUpstream checks the day's ODS partition, or with an hourly ODS its
// 24 hour partitions: the day is ready only when every one exists. Missing
// lists each missing partition; MissingHours says which hours, in runs.
func (dp *dayPlanner) checkUpstream(d *Day) error {
	ods := dp.in.Config.ODS
	if !ods.Hourly() {
		src, err := dp.partition(ods.Name, warehouse.DaySpec(ods.Partition, d.Day))
		if err != nil {
			return err
		}
		if !src.Exists {
			d.UpstreamReady = false
			d.Missing = append(d.Missing, fmt.Sprintf("%s/%s=%s", ods.Name, ods.Partition, d.Day))
		}
		return nil
	}
	var missing []string
	for _, h := range bizdate.Hours {
		spec := warehouse.HourSpec(ods.Partition, d.Day, ods.HourPartition, h)
		src, err := dp.partition(ods.Name, spec)
		if err != nil {
			return err
		}
		if !src.Exists {
			missing = append(missing, h)
			d.Missing = append(d.Missing, ods.Name+"/"+spec.String())
		}
	}
	if len(missing) > 0 {
		d.UpstreamReady = false
		d.MissingHours = append(d.MissingHours, fmt.Sprintf("%s %s=%s: %s %s missing", ods.Name, ods.Partition, d.Day,
			map[bool]string{true: "hour", false: "hours"}[len(missing) == 1], bizdate.HourRanges(missing)))
	}
	return nil
}

// partitionColumns names a table's partition columns as funnel.toml
// declares them: "dt" or "dt, hh".
func partitionColumns(t *models.Table) string {
	if t.Hourly() {
		return t.Partition + ", " + t.HourPartition
	}
	return t.Partition
}

// jobWhen says which day, or hour of a day, a node job computes: "20210303"
// or "20210303 hour 07".
func jobWhen(j *warehouse.Job) string {
	if j.Hour != "" {
		return j.Day + " hour " + j.Hour
	}
	return j.Day
}
