package models

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // see isTimeZone
	"unicode"
	"unicode/utf8"
)

var identRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// zoneNameRE is the form of the IANA database's zone names: Asia/Shanghai,
// America/Argentina/Buenos_Aires, Etc/GMT-8, UTC.
var zoneNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`)

// stageAggName matches the names the report node's SQL gives a stage's
// aggregates (generator's stagesView and timeAgg): the kind, then the stage.
var stageAggName = regexp.MustCompile(`^(n|s?median|s?avg|s?p[0-9]+|s?h[0-9]+)_(.+)$`)

// StageAggregate reports whether name has the form of the name the report
// node's SQL gives an aggregate of a stage: its kind (n for the count) and
// the stage's name.
func StageAggregate(name string) (kind, stage string, ok bool) {
	m := stageAggName.FindStringSubmatch(name)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// maxIdentBytes is MaxCompute's limit on table and column names.
const maxIdentBytes = 128

type validator struct {
	c     *Config
	diags Diagnostics
}

func (v *validator) errorf(path, format string, args ...any) {
	v.diags = append(v.diags, &Diagnostic{Pos: v.c.Pos(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// ident checks a table or partition column name: these may not be
// reserved words, as they appear outside SQL too (DataWorks outputs,
// partition specs of the ODPS API).
func (v *validator) ident(path, name, what string) bool {
	if !v.name(path, name, what, true) {
		return false
	}
	v.notOwn(path, name, what, "")
	return true
}

// ownPrefix begins the names fgen keeps for itself: its tables
// (fgen_partitions, fgen_dropped and fgen_planned; fgen_tables and
// fgen_table_times on MaxCompute) and the columns and aliases of the SQL it
// writes (fgen_key, fgen_copy, ...).
const ownPrefix = "fgen_"

// notOwn checks that a name the SQL fgen writes uses does not begin with
// ownPrefix: a DW column named fgen_copy once bound where the DW node meant
// its own alias, and dropped rows without an error.
// fix, when not "", says what to do instead of choosing another name.
func (v *validator) notOwn(path, name, what, fix string) {
	if len(name) >= len(ownPrefix) && strings.EqualFold(name[:len(ownPrefix)], ownPrefix) {
		if fix == "" {
			other := name[len(ownPrefix):]
			if !identRE.MatchString(other) || IsReserved(other) {
				other = "my_" + other
			}
			fix = fmt.Sprintf("choose another name (e.g. %q)", other)
		}
		v.errorf(path, "%s %q begins with %q, which fgen keeps for its own tables (fgen_partitions, fgen_dropped, fgen_planned, fgen_tables, fgen_table_times) and the names in its SQL; %s", what, name, ownPrefix, fix)
	}
}

// renameODSColumn is what to do about an ODS column the DW node reads
// whose name fgen cannot take: the DW node copies ODS columns by name.
const renameODSColumn = "the DW node reads ODS columns by their names, so rename the column in the ODS table (its sync task) and in funnel.toml, or leave it out"

// column checks the name of a table's column. A reserved word is a valid
// column name: fgen quotes every identifier in its SQL (MaxCompute takes a
// keyword quoted, and real logs name columns timestamp or view).
func (v *validator) column(path, name, what string) bool {
	return v.name(path, name, what, false)
}

// isColumn reports whether column would take name as a column name.
func isColumn(name string) bool {
	return len(name) <= maxIdentBytes && identRE.MatchString(name)
}

// name checks a name; SQL names also may not be reserved words.
func (v *validator) name(path, name, what string, sqlName bool) bool {
	switch {
	case name == "":
		v.errorf(path, "%s is required", what)
	case len(name) > maxIdentBytes:
		v.errorf(path, "%s %q is %d bytes long; MaxCompute allows at most %d", what, name, len(name), maxIdentBytes)
	case !identRE.MatchString(name):
		v.errorf(path, "%s %q is not a valid name; use a letter followed by letters, digits and '_'", what, name)
	case sqlName && IsReserved(name):
		v.errorf(path, "%s %q is a MaxCompute reserved word; choose another name (e.g. %q)", what, name, name+"_value")
	default:
		return true
	}
	return false
}

// odsProducer checks [dataworks] ods_producer, the output the DW node's
// DataWorks node depends on.
func (v *validator) odsProducer(p string) {
	const path = "dataworks.ods_producer"
	example := fmt.Sprintf("%q", v.c.Project.Workspace+"."+v.c.ODS.Name)
	switch {
	case strings.IndexFunc(p, unicode.IsSpace) >= 0:
		v.errorf(path, "ods_producer %q contains a space; it is the output name of the node that fills the ODS table, such as %s", p, example)
	case strings.ContainsAny(p, "{}"):
		// aliyun/dataworks-spec reads "{{...}}" as a reference to a spec
		// object (SpecDevUtil.parseRefId), not as an output name.
		v.errorf(path, "ods_producer %q has a brace, which DataWorks' FlowSpec reads as a reference ({{id}}), not an output name; give the output name of the node that fills the ODS table, such as %s", p, example)
	}
	// One of fgen's own outputs: the DW node would depend on itself, or on
	// a report node that depends on it, a cycle DataWorks never runs.
	tables := []string{v.c.DW.Name}
	for _, f := range v.c.Funnels {
		tables = append(tables, f.Report.Table)
	}
	for _, t := range tables {
		if t != "" && strings.EqualFold(p, v.c.Project.Workspace+"."+t) {
			v.errorf(path, "ods_producer %q is the output of fgen's own node %s: the DW node would depend on it, a cycle DataWorks never runs; give the output name of the node that fills the ODS table, such as %s", p, t, example)
			return
		}
	}
}

func (c *Config) validate() Diagnostics {
	v := &validator{c: c}
	if !c.Has("version") {
		v.errorf("version", "version is required; add 'version = %d' at the top of the file", FormatVersion)
	} else if c.Version != FormatVersion {
		v.errorf("version", "unsupported format version %d; this fgen reads version %d", c.Version, FormatVersion)
	}
	v.name("project.name", c.Project.Name, "project name", false)
	v.name("project.workspace", c.Project.Workspace, "workspace", false)
	v.dataworks()

	if !c.Has("ods") {
		v.errorf("ods", "an [ods] table is required")
	} else {
		v.table("ods", &c.ODS)
	}
	if !c.Has("dw") {
		v.errorf("dw", "a [dw] table is required")
	} else {
		v.table("dw", &c.DW.Table)
		v.dw()
	}
	tables := map[string]string{}
	for _, t := range []struct{ path, name string }{{"ods.name", c.ODS.Name}, {"dw.name", c.DW.Name}} {
		if prev, dup := tables[strings.ToLower(t.name)]; dup && t.name != "" {
			v.errorf(t.path, "table %q is already used by %s", t.name, prev)
		}
		tables[strings.ToLower(t.name)] = t.path
	}
	if len(c.Funnels) == 0 {
		v.errorf("funnels", "at least one [[funnels]] is required")
	}
	funnelNames := map[string]bool{}
	for i := range c.Funnels {
		p := fmt.Sprintf("funnels[%d]", i)
		f := &c.Funnels[i]
		if v.name(p+".name", f.Name, "funnel name", false) {
			if funnelNames[strings.ToLower(f.Name)] {
				v.errorf(p+".name", "funnel %q is defined twice", f.Name)
			}
			funnelNames[strings.ToLower(f.Name)] = true
		}
		v.funnel(p, f)
		if f.Report.Table != "" {
			if prev, dup := tables[strings.ToLower(f.Report.Table)]; dup {
				v.errorf(p+".report.table", "table %q is already used by %s; every funnel writes its own report table", f.Report.Table, strings.TrimSuffix(prev, ".name"))
			}
			tables[strings.ToLower(f.Report.Table)] = p + ".report.table"
		}
	}
	v.sqlTexts()
	for _, name := range c.TargetNames() {
		v.target(joinPath("targets", name), name, c.Targets[name])
	}
	return v.diags
}

func (v *validator) dataworks() {
	d := &v.c.DataWorks
	v.name("dataworks.workflow", d.Workflow, "workflow name", false)
	oneOf(v, "dataworks.parameters", d.Parameters, "system", "custom")
	oneOf(v, "dataworks.rerun_mode", d.RerunMode, "Allowed", "Denied", "FailureAllowed")
	oneOf(v, "dataworks.instance_mode", d.InstanceMode, "T+1", "Immediately")
	if v.lineText("dataworks.timezone", "timezone", d.Timezone) && !isTimeZone(d.Timezone) {
		v.errorf("dataworks.timezone", "timezone %q is not a time zone of the IANA database; write one such as \"Asia/Shanghai\" or \"UTC\"", d.Timezone)
	}
	// The versions of FlowSpec: aliyun/dataworks-spec's SpecVersion enum.
	if d.SpecVersion != "" && v.lineText("dataworks.spec_version", "spec_version", d.SpecVersion) && !slices.Contains([]string{"1.0.0", "1.1.0", "1.2.0"}, d.SpecVersion) {
		v.errorf("dataworks.spec_version", "spec_version %q is not a FlowSpec version: give 1.1.0 (fgen's default), 1.0.0 or 1.2.0", d.SpecVersion)
	}
	if v.lineText("dataworks.ods_producer", "ods_producer", d.ODSProducer) {
		v.odsProducer(d.ODSProducer)
	}
	if v.lineText("dataworks.cron", "cron", d.Cron) {
		if err := checkDailyCron(d.Cron); err != nil {
			v.errorf("dataworks.cron", "%v", err)
		}
	}
	if v.lineText("dataworks.hourly_cron", "hourly_cron", d.HourlyCron) {
		if err := checkHourlyCron(d.HourlyCron); err != nil {
			v.errorf("dataworks.hourly_cron", "%v", err)
		}
	}
	// A daily funnel over an hourly DW: DataWorks attaches its daily
	// instance to the hourly DW node's instance nearest before it (the
	// hourly node depends on itself; see generator.FlowSpec), which must
	// be the day's first, the run that computes hour 23 of the business
	// day, or a later one.
	if v.c.DW.Hourly() && slices.ContainsFunc(v.c.Funnels, func(f Funnel) bool { return !f.Hourly() }) && checkDailyCron(d.Cron) == nil && checkHourlyCron(d.HourlyCron) == nil {
		daily, ok1 := cronTimeOfDay(d.Cron)
		first, ok2 := cronTimeOfDay(d.HourlyCron) // its hours are every hour: from 00
		if ok1 && ok2 && daily < first {
			v.errorf("dataworks.cron", "cron %q runs the daily nodes before the hourly nodes' first run of the day (hourly_cron %q), which computes hour 23 of the business day: fgen schedules a daily node over the hourly DW at or after it, so that the hourly run it waits for is that one or a later one; e.g. \"00 30 00 * * ?\" with hourly runs at :15", d.Cron, d.HourlyCron)
		}
	}
	v.name("dataworks.datasource", d.Datasource, "data source name", false)
	if d.RerunTimes < 0 || d.RerunTimes > 10 {
		v.errorf("dataworks.rerun_times", "rerun_times must be between 0 and 10")
	}
	if d.SpecVersion == "" {
		v.errorf("dataworks.spec_version", "spec_version must not be empty")
	}
}

// isTimeZone reports whether name is a zone of the IANA time zone database.
// time.LoadLocation also takes "" (UTC) and "Local" (the machine's zone),
// which DataWorks does not know, and reads the machine's zoneinfo before
// the embedded database (time/tzdata), where it finds paths (./Asia/Shanghai,
// Asia//Shanghai) and files that are no zones of the database: the "right/"
// (leap seconds) and "posix/" copies, "posixrules", "localtime", which
// DuckDB's ICU refuses ("Unknown TimeZone 'right/UTC'"), and "Factory", a
// placeholder zone.
func isTimeZone(name string) bool {
	switch {
	case !zoneNameRE.MatchString(name),
		name == "Local" || name == "Factory" || name == "posixrules" || name == "localtime",
		strings.HasPrefix(name, "right/") || strings.HasPrefix(name, "posix/") || strings.HasPrefix(name, "SystemV/"):
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

func oneOf(v *validator, path, got string, allowed ...string) bool {
	for _, a := range allowed {
		if got == a {
			return true
		}
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = strconv.Quote(a)
	}
	msg := fmt.Sprintf("%q is not one of %s", got, strings.Join(quoted, ", "))
	if s := closest(got, allowed); s != "" && got != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	v.errorf(path, "%s", msg)
	return false
}

func (v *validator) table(p string, t *Table) {
	v.ident(p+".name", t.Name, "table name")
	if t.Lifecycle < 0 {
		v.errorf(p+".lifecycle", "lifecycle must be a positive number of days, or 0 for none")
	}
	if t.Partition == "" {
		v.errorf(p+".partition", "partition column is required; the seed partitions by day with partition = \"dt\"")
	} else {
		v.ident(p+".partition", t.Partition, "partition column")
	}
	if v.c.Has(p+".hour_partition") && v.ident(p+".hour_partition", t.HourPartition, "hour partition column") && sameName(t.HourPartition, t.Partition) {
		v.errorf(p+".hour_partition", "hour_partition %q is also the day partition column; name the STRING column holding the hour 00 to 23, e.g. hour_partition = \"hh\"", t.HourPartition)
	}
	if len(t.Columns) == 0 {
		v.errorf(p+".columns", "table %q has no columns", t.Name)
	}
	seen := map[string]bool{}
	for i := range t.Columns {
		cp := fmt.Sprintf("%s.columns[%d]", p, i)
		col := &t.Columns[i]
		if v.column(cp+".name", col.Name, "column name") {
			if p == "dw" {
				v.notOwn(cp+".name", col.Name, "DW column", renameODSColumn)
			}
			switch {
			case seen[strings.ToLower(col.Name)]:
				v.errorf(cp+".name", "column %q is defined twice in table %q", col.Name, t.Name)
			case sameName(col.Name, t.Partition):
				v.errorf(cp+".name", "column %q is the partition column; remove it from columns", col.Name)
			case t.Hourly() && sameName(col.Name, t.HourPartition):
				v.errorf(cp+".name", "column %q is the hour partition column; remove it from columns, or name the hour partition otherwise", col.Name)
			}
			seen[strings.ToLower(col.Name)] = true
		}
		// A type that is not one is reported here and cleared, so that the
		// checks that read it later (dw, funnel) stay silent.
		typ, err := NormalizeType(col.Type)
		if err != nil {
			v.errorf(cp+".type", "%v", err)
		}
		col.Type = typ
	}
}

func (v *validator) dw() {
	c := v.c
	// A partition untouched for its lifecycle's days may be reclaimed, so
	// the lifecycle must outlast the time from its write to its last read.
	// Day D's cross_midnight report runs after D+1's DW job, a day after
	// D's; an hourly DW writes D's first hours early on D, a day before a
	// daily report of D runs (and two before a cross_midnight one).
	var worst string // of the funnel that reads the DW latest, why
	need := 1
	for _, f := range c.Funnels {
		if f.Hourly() {
			continue // an hourly report reads each hour as it is written
		}
		var why []string
		if f.DayBoundary == CrossMidnight {
			why = append(why, fmt.Sprintf("(day_boundary = %q) reads a day's DW partition a day after it was written", CrossMidnight))
		}
		if c.DW.Hourly() {
			why = append(why, "reads a day's DW hours, the first of them written early that day, after the day ends")
		}
		if 1+len(why) > need {
			need, worst = 1+len(why), "funnel "+f.Name+" "+strings.Join(why, ", and ")
		}
	}
	if c.DW.Lifecycle > 0 && c.DW.Lifecycle < int64(need) {
		v.errorf("dw.lifecycle", "lifecycle = %d, but %s, when MaxCompute may already have reclaimed it; set a lifecycle of %d days or more", c.DW.Lifecycle, worst, need)
	}
	// So of an hourly ODS under a daily DW node, which runs after the day.
	if c.ODS.Hourly() && !c.DW.Hourly() && c.ODS.Lifecycle == 1 {
		v.errorf("ods.lifecycle", "lifecycle = 1, but the daily DW node reads a day's ODS hours, the first of them written early that day, after the day ends, when MaxCompute may already have reclaimed it; set a lifecycle of 2 days or more")
	}
	if !c.Has("ods") {
		return // "an [ods] table is required" says it: DW's columns come from none
	}
	for i, col := range c.DW.Columns {
		src, ok := c.ODS.Column(col.Name)
		if !ok {
			if isColumn(col.Name) { // else told by table
				v.errorf(fmt.Sprintf("dw.columns[%d].name", i), "column %+q is not in the ODS table %q; DW columns are copied from ODS columns of the same name%s", col.Name, c.ODS.Name, c.ODS.didYouMean(col.Name))
			}
			continue
		}
		if src.Type != "" && col.Type != "" && src.Type != col.Type && !castable(src.Type, col.Type) {
			v.errorf(fmt.Sprintf("dw.columns[%d].type", i), "column %q is %s in ODS and can not be cast to %s", col.Name, src.Type, col.Type)
		}
	}
	for i, name := range c.DW.DropEmpty {
		if _, ok := c.ODS.Column(name); !ok {
			v.errorf(fmt.Sprintf("dw.drop_empty[%d]", i), "column %+q is not in the ODS table %q%s", name, c.ODS.Name, c.ODS.didYouMean(name))
		} else if _, dw := c.DW.Column(name); !dw {
			v.notOwn(fmt.Sprintf("dw.drop_empty[%d]", i), name, "ODS column", renameODSColumn)
		}
	}
	for i, name := range c.DW.DedupBy {
		if _, ok := c.ODS.Column(name); !ok {
			v.errorf(fmt.Sprintf("dw.dedup_by[%d]", i), "column %+q is not in the ODS table %q%s", name, c.ODS.Name, c.ODS.didYouMean(name))
		} else if _, dw := c.DW.Column(name); !dw {
			v.notOwn(fmt.Sprintf("dw.dedup_by[%d]", i), name, "ODS column", renameODSColumn)
		}
	}
	if !sameName(c.DW.Partition, c.ODS.Partition) && c.DW.Partition != "" && c.ODS.Partition != "" {
		v.errorf("dw.partition", "DW is partitioned by %q but ODS by %q; use the same partition column", c.DW.Partition, c.ODS.Partition)
	}
	switch {
	case !c.DW.Hourly():
	case !c.ODS.Hourly():
		v.errorf("dw.hour_partition", "an hourly DW table is written an hour at a time from the ODS table's hour partitions, but [ods] is partitioned by day; set [ods] hour_partition = %q (DataWorks hourly sync), or remove dw.hour_partition", c.DW.HourPartition)
	case !sameName(c.DW.HourPartition, c.ODS.HourPartition):
		v.errorf("dw.hour_partition", "DW's hour partition is %q but ODS's %q; use the same hour partition column", c.DW.HourPartition, c.ODS.HourPartition)
	}
}

// castable reports whether a DW column may be derived from an ODS column of
// another type: a number from a number, and a string from anything.
func castable(from, to string) bool {
	return (isNumeric(from) && isNumeric(to)) || IsString(to)
}

func (v *validator) funnel(p string, f *Funnel) {
	c := v.c
	oneOf(v, p+".mode", f.Mode, ModeEvents, ModeUsers, ModeOrdered)
	if oneOf(v, p+".day_boundary", f.DayBoundary, WithinDay, CrossMidnight) && f.DayBoundary == CrossMidnight && f.Mode != ModeOrdered {
		v.errorf(p+".day_boundary", "day_boundary = %q applies only to mode = %q", CrossMidnight, ModeOrdered)
	}
	if oneOf(v, p+".grain", f.Grain, GrainDay, GrainHour) && f.Hourly() {
		if !c.DW.Hourly() && c.Has("dw") {
			v.errorf(p+".grain", "grain = %q reads the DW table one hour partition at a time, but [dw] is partitioned by day; set [dw] hour_partition = \"hh\" (and [ods] hour_partition) so the DW node runs every hour", GrainHour)
		}
		if f.DayBoundary == CrossMidnight {
			v.errorf(p+".day_boundary", "day_boundary = %q does not apply to grain = %q: an hourly report counts the chains within its hour partition; use a daily funnel to follow users across midnight", CrossMidnight, GrainHour)
		}
	}
	switch {
	case f.Mode == ModeOrdered && !c.Has(p+".window"):
		v.errorf(p+".window", "mode = %q needs a window, e.g. window = \"1h\"", ModeOrdered)
	case f.Mode != ModeOrdered && c.Has(p+".window"):
		v.errorf(p+".window", "window applies only to mode = %q", ModeOrdered)
	}
	v.dwColumn(p+".user_column", f.UserColumn, "user_column", true)
	eventType := ""
	var sized []sizedColumn
	if col, ok := v.dwColumn(p+".event_column", f.EventColumn, "event_column", true); ok && col.Type != "" {
		eventType, sized = v.eventColumn(p+".event_column", col)
	}
	needTime := ""
	switch {
	case f.Mode == ModeOrdered:
		needTime = fmt.Sprintf("mode = %q orders each user's stage rows by it", ModeOrdered)
	case f.Mode == ModeUsers && len(f.Breakdowns) > 0:
		needTime = fmt.Sprintf("mode = %q with breakdowns counts each user under the values of their first stage-1 row, first by it", ModeUsers)
	}
	if needTime != "" && f.TimeColumn.Name == "" {
		v.errorf(p+".time_column", "time_column is required: %s; name the DW column of each row's time, e.g. time_column = \"ts\"", needTime)
	}
	if col, ok := v.dwColumn(p+".time_column", f.TimeColumn.Name, "time_column", false); ok && col.Type != "" {
		v.timeColumn(p+".time_column", f.TimeColumn, col)
		v.sameTimeFormat(p+".time_column", f)
	}
	// Each column is one thing: a user's id, an event, a time. (A user
	// column that is the time column counts each time as a user.)
	switch {
	case f.UserColumn != "" && sameName(f.UserColumn, f.EventColumn):
		v.errorf(p+".event_column", "event_column %q is also the user_column; name the DW column of each row's event", f.EventColumn)
	case f.UserColumn != "" && sameName(f.UserColumn, f.TimeColumn.Name):
		v.errorf(p+".time_column", "time_column %q is also the user_column; name the DW column of each row's time", f.TimeColumn.Name)
	case f.EventColumn != "" && sameName(f.EventColumn, f.TimeColumn.Name):
		v.errorf(p+".time_column", "time_column %q is also the event_column; name the DW column of each row's time", f.TimeColumn.Name)
	}
	dims := map[string]bool{}
	for i, d := range f.Breakdowns {
		bp := fmt.Sprintf("%s.breakdowns[%d]", p, i)
		if sameName(d, c.DW.Partition) || c.DW.HourPartition != "" && sameName(d, c.DW.HourPartition) {
			v.errorf(bp, "breakdown %q is a partition column of the DW table, which holds the day or the hour, not a value of the rows; break down by a column under [dw] columns, such as device_brand", d)
			continue
		}
		if _, ok := v.dwColumn(bp, d, "breakdown", true); !ok {
			continue
		}
		if dims[strings.ToLower(d)] {
			v.errorf(bp, "breakdown %q is listed twice", d)
		}
		if sameName(d, f.UserColumn) || sameName(d, f.EventColumn) || sameName(d, f.TimeColumn.Name) {
			v.errorf(bp, "breakdown %q is the funnel's user, event or time column; break down by a dimension such as device_brand", d)
		}
		dims[strings.ToLower(d)] = true
	}
	switch {
	case f.BreakdownLimit < 0:
		v.errorf(p+".breakdown_limit", "breakdown_limit must be a positive number of values to keep per breakdown, or 0 for no limit")
	case f.BreakdownLimit > 0 && len(f.Breakdowns) == 0:
		v.errorf(p+".breakdown_limit", "breakdown_limit applies to breakdowns, and funnel %q has none; add breakdowns = [\"...\"] or remove it", f.Name)
	}
	switch len(f.Stages) {
	case 0:
		v.errorf(p+".stages", "funnel %q has no stages; add [[funnels.stages]] with a name and events", f.Name)
	case 1:
		v.errorf(p+".stages", "funnel %q has one stage; a funnel needs at least two", f.Name)
	default:
		if len(f.Stages) > MaxStages {
			v.errorf(p+".stages", "funnel %q has %d stages; fgen counts at most %d (a users funnel keeps a user's stages as bits of one BIGINT); split it into several funnels", f.Name, len(f.Stages), MaxStages)
		}
	}
	stageNames := map[string]bool{}
	events := map[string]string{}
	for i, s := range f.Stages {
		sp := fmt.Sprintf("%s.stages[%d]", p, i)
		if v.name(sp+".name", s.Name, "stage name", false) {
			if stageNames[strings.ToLower(s.Name)] {
				v.errorf(sp+".name", "stage %q is defined twice", s.Name)
			}
			stageNames[strings.ToLower(s.Name)] = true
		}
		if len(s.Events) == 0 {
			v.errorf(sp+".events", "stage %q has no event values", s.Name)
		}
		for j, e := range s.Events {
			ep := fmt.Sprintf("%s.events[%d]", sp, j)
			if e == "" {
				v.errorf(ep, "event value must not be empty; empty events are dirty rows the DW node drops")
				continue
			}
			if prev, dup := events[e]; dup {
				v.errorf(ep, "event %q already belongs to stage %q; a row may count for one stage only", e, prev)
				continue
			}
			if eventType != "" {
				v.integerEvent(ep, e, f.EventColumn, eventType)
			}
			v.eventLength(ep, e, f.EventColumn, sized)
			events[e] = s.Name
		}
	}
	// A report node counts each stage as n_<stage> (and, ordered, its
	// times as median_<stage>, avg_<stage>, p<percent>_<stage> and
	// h<bucket>_<stage>, s... for the times from the previous stage)
	// beside the breakdown columns, in one SELECT.
	for i, d := range f.Breakdowns {
		kind, stage, ok := StageAggregate(strings.ToLower(d))
		if _, col := c.DW.Column(d); !col || !ok || kind != "n" && f.Mode != ModeOrdered {
			continue // not a column: told above
		}
		for _, s := range f.Stages {
			if sameName(stage, s.Name) {
				v.errorf(fmt.Sprintf("%s.breakdowns[%d]", p, i), "breakdown %q is a name fgen's SQL gives an aggregate of stage %q; rename the stage", d, s.Name)
			}
		}
	}
	v.report(p+".report", f)
}

// namesDirectory reports whether a warehouse path names a directory by its
// last element: empty ("wh/"), "." or "..", which cleaning the path would
// turn into a file name ("wh/." into wh).
func namesDirectory(path string) bool {
	seps := "/"
	if runtime.GOOS == "windows" {
		seps = `/\`
	}
	last := path[strings.LastIndexAny(path, seps)+1:]
	return last == "" || last == "." || last == ".."
}

func (v *validator) dwColumn(path, name, what string, required bool) (Column, bool) {
	if name == "" {
		if required {
			v.errorf(path, "%s is required", what)
		}
		return Column{}, false
	}
	col, ok := v.c.DW.Column(name)
	switch {
	case ok:
	case !v.c.Has("dw"):
		// "a [dw] table is required" says it: no column is one of none.
	case len(v.c.DW.Columns) == 0:
		v.errorf(path, "%s %+q is not a column of the DW table %q, which has none; add it to [dw] columns", what, name, v.c.DW.Name)
	default:
		how := "; add it to [dw] columns or name one of: "
		if near := v.c.DW.didYouMean(name); near != "" {
			how = near + " Otherwise add it to [dw] columns or name one of: "
		}
		v.errorf(path, "%s %+q is not a column of the DW table %q%s%s", what, name, v.c.DW.Name, how, v.c.DW.columnList())
	}
	return col, ok
}

// eventColumn checks the type of a funnel's event column, in the DW table
// and the ODS table the DW node filters: a string, or an integer the event
// values are written as (an event code). It returns the integer type the
// event values must fit, the narrower of the two, or "" when they are
// strings. The nodes compare the column with the values as literals of its
// type: MaxCompute compares a BIGINT with a STRING as two DOUBLEs (exact
// only to 2^53, and NULL for a string such as "browse", which then matches
// no row), and its 2.0 type system disables the implicit conversion of a
// STRING to a BIGINT
// (https://www.alibabacloud.com/help/en/maxcompute/user-guide/type-conversions).
// It also returns the tables where the column is a VARCHAR(n) or CHAR(n),
// DW first, for eventLength.
func (v *validator) eventColumn(path string, dw Column) (string, []sizedColumn) {
	types := []string{dw.Type}
	if ods, ok := v.c.ODS.Column(dw.Name); ok && ods.Type != "" {
		types = append(types, ods.Type)
	}
	intType := ""
	var sized []sizedColumn
	for i, t := range types {
		table := "DW"
		if i == 1 {
			table = "ODS"
		}
		switch {
		case IsString(t):
			if n, ok := CharLength(t); ok {
				sized = append(sized, sizedColumn{table: table, typ: t, n: n})
			}
		case IsInteger(t):
			if intType == "" || intHi(t) < intHi(intType) {
				intType = t
			}
		default:
			v.errorf(path, "event_column %s is %s in the %s table; an event column holds strings or integer event codes: make it STRING (or BIGINT)", dw.Name, t, table)
			return "", nil
		}
	}
	return intType, sized
}

// sizedColumn is an event column of a VARCHAR(n) or CHAR(n) type (typ) in
// the DW or ODS table.
type sizedColumn struct {
	table, typ string
	n          int
}

// eventLength checks that an event value fits the VARCHAR(n) or CHAR(n)
// event column in the DW and ODS tables (sized, of eventColumn):
// MaxCompute holds at most n characters there (its data types, 2.0
// edition), so a longer value is never stored as written, and its stage
// would count no row.
func (v *validator) eventLength(path, e, column string, sized []sizedColumn) {
	chars := utf8.RuneCountInString(e)
	for _, s := range sized {
		if chars > s.n {
			v.errorf(path, "event %q is %d characters long, and event_column %s is %s in the %s table: MaxCompute holds at most %d characters there, so no row would match it; make the column STRING, or VARCHAR(%d)", e, chars, column, s.typ, s.table, s.n, chars)
			return
		}
	}
}

// intHi is the greatest value of an integer type: the narrower of two types
// has the smaller.
func intHi(t string) int64 {
	_, hi, _ := IntRange(t)
	return hi
}

// integerEvent checks an event value of an integer event column: an integer
// of the column's type, written as the column's values read (no sign +, no
// leading zeros), as the nodes compare them.
func (v *validator) integerEvent(path, e, column, typ string) {
	n, err := strconv.ParseInt(e, 10, 64)
	lo, hi, _ := IntRange(typ)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange), err == nil && (n < lo || n > hi):
		v.errorf(path, "event %q is beyond the range of event_column %s, %s (%d to %d)", e, column, typ, lo, hi)
	case err != nil:
		v.errorf(path, "event %q is not an integer, and event_column %s is %s: its events are integer codes; write them as integers, e.g. events = [\"1\"], or make the column STRING", e, column, typ)
	case strconv.FormatInt(n, 10) != e:
		v.errorf(path, "event %q is the integer code %d of event_column %s, %s; write it %q, as the column's values read", e, n, column, typ, strconv.FormatInt(n, 10))
	}
}

func (v *validator) report(p string, f *Funnel) {
	r := &f.Report
	v.ident(p+".table", r.Table, "report table")
	v.ident(p+".partition", r.Partition, "partition column")
	if r.Lifecycle < 0 {
		v.errorf(p+".lifecycle", "lifecycle must be a positive number of days, or 0 for none")
	}
	if f.Hourly() && r.HourPartition != "" {
		if v.ident(p+".hour_partition", r.HourPartition, "hour partition column") && sameName(r.HourPartition, r.Partition) {
			if v.c.Has(p + ".hour_partition") {
				v.errorf(p+".hour_partition", "hour_partition %q is also the day partition column; name the hour column, e.g. hour_partition = \"hh\"", r.HourPartition)
			} else {
				// The hour column is the DW's, by default: the day's
				// column is the one written.
				v.errorf(p+".partition", "partition %q is the report's hour partition column too (the DW's, by default); name the day column, e.g. partition = \"dt\"", r.Partition)
			}
		}
	}
	if !f.Hourly() && v.c.Has(p+".hour_partition") {
		v.errorf(p+".hour_partition", "hour_partition applies only to grain = %q; a daily report is partitioned by %s alone", GrainHour, r.Partition)
	}
	oneOf(v, p+".count_type", r.CountType, "BIGINT", "STRING")
	oneOf(v, p+".rate_format", r.RateFormat, "ratio", "percent")
	if r.CountColumn == "" {
		v.errorf(p+".count_column", "count_column must not be empty")
	}
	for _, key := range []string{"median_seconds_column", "avg_seconds_column", "step_median_seconds_column", "step_avg_seconds_column"} {
		if f.Mode != ModeOrdered && v.c.Has(p+"."+key) {
			v.errorf(p+"."+key, "%s applies only to mode = %q", key, ModeOrdered)
		}
	}
	if oneOf(v, p+".layout", r.Layout, LayoutWide, LayoutLong) && r.Layout == LayoutLong {
		for key := range r.patterns() {
			if v.c.Has(p + "." + key) {
				v.errorf(p+"."+key, "%s names the columns of layout = %q; the long layout's columns are fixed (stage, stage_index, %s, step_rate, ...): remove it", key, LayoutWide, map[bool]string{true: "events", false: "users"}[f.Mode == ModeEvents])
			}
		}
	}
	v.distribution(p, f)
	if r.TotalMarker == r.NullMarker {
		v.errorf(p+".null_marker", "null_marker must differ from total_marker, or NULL values and the total row can not be told apart")
	}
	if f.BreakdownLimit > 0 && (r.OtherMarker == r.TotalMarker || r.OtherMarker == r.NullMarker) {
		v.errorf(p+".other_marker", "other_marker %+q must differ from total_marker and null_marker, or the merged values' row can not be told apart", r.OtherMarker)
	}
	if len(f.Stages) == 0 {
		return
	}
	seen := map[string]string{strings.ToLower(r.Partition): "the partition column"}
	if f.Hourly() && r.HourPartition != "" {
		seen[strings.ToLower(r.HourPartition)] = "the hour partition column"
	}
	cols := f.ReportColumns()
	// A pattern the report uses with a brace that is no placeholder would
	// give one bad column name per stage: say it once, with the
	// placeholders.
	badPattern := map[string]bool{}
	for key, pattern := range r.patterns() {
		if !slices.ContainsFunc(cols, func(c ReportColumn) bool { return c.Pattern == key }) {
			continue // not a column of this report: said above if set
		}
		rest := placeholders("", "", "").Replace(pattern)
		if i := strings.IndexAny(rest, "{}"); i >= 0 {
			badPattern[key] = true
			v.errorf(p+"."+key, "%s %q has a brace that is no placeholder (%q); the placeholders are {stage}, {from} and {funnel}, in lower case", key, pattern, placeholderAt(rest, i))
		} else if key == "count_column" && strings.Contains(pattern, "{from}") {
			// Every stage has a count; the first has no stage before it.
			badPattern[key] = true
			v.errorf(p+"."+key, "count_column %q uses {from}, the stage before, which the first stage has none of; name the counts by {stage}", pattern)
		}
	}
	if len(cols) > MaxColumns { // as the ODS and DW tables' check, and generate's, count them
		v.errorf(p, "report table %q would have %d columns; MaxCompute takes at most %d: report fewer (stages, rates, percentiles, histogram buckets)", r.Table, len(cols), MaxColumns)
	}
	// A stage's name that is no name is told at the stage: not again at
	// each column named from it (count_column, a key never written).
	badStage := func(k int) bool { return k >= 0 && k < len(f.Stages) && !isColumn(f.Stages[k].Name) }
	for _, col := range cols {
		path := p + "." + col.Pattern
		if badPattern[col.Pattern] || badStage(col.Stage) || col.Kind != KindDimension && badStage(col.Stage-1) && strings.Contains(r.patterns()[col.Pattern], "{from}") {
			continue
		}
		// A column's comment is made of funnel.toml's names and markers,
		// each checked alone: the sum may still be too long.
		if len(col.Comment) > MaxCommentBytes {
			where, what := path, "the names it is made of"
			if col.Kind == KindDimension {
				where, what = p, "the markers it names (total_marker, null_marker, other_marker)"
			}
			v.errorf(where, "the comment of report column %s would be %d bytes long; MaxCompute takes at most %d: shorten %s", col.Name, len(col.Comment), MaxCommentBytes, what)
			continue
		}
		if col.Kind == KindDimension {
			if _, ok := v.c.DW.Column(col.Name); !ok {
				continue // told by funnel
			}
		} else if !v.column(path, col.Name, "report column") {
			continue
		}
		if prev, dup := seen[strings.ToLower(col.Name)]; dup {
			if col.Kind == KindPercentile && strings.HasPrefix(prev, "percentile") {
				continue // a percentile listed twice: told by distribution
			}
			if col.Kind == KindDimension && prev == col.Describe() {
				continue // a breakdown listed twice: told by funnel
			}
			v.errorf(path, "report column %q would be both %s and %s; change the column name pattern", col.Name, prev, col.Describe())
			continue
		}
		seen[strings.ToLower(col.Name)] = col.Describe()
	}
}

// duckdbSpecialPath reports whether DuckDB reads path as no plain file:
// ":memory:" (and ":memory:NAME"), or "NAME:..." with a name of two or more
// letters, digits, '+', '-' or '.' before the first ':' and no '/' before
// it, which it reads as a storage extension's ("md:", "s3://", "file:").
// A Windows drive ("C:") is one letter.
func duckdbSpecialPath(path string) bool {
	if strings.HasPrefix(path, ":memory:") {
		return true
	}
	i := strings.IndexByte(path, ':')
	if i < 2 || strings.ContainsAny(path[:i], `/\`) {
		return false
	}
	for _, r := range path[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// placeholderAt returns the would-be placeholder at the brace at i of s:
// from the '{' to its '}', or the brace alone.
func placeholderAt(s string, i int) string {
	if s[i] == '{' {
		if j := strings.IndexByte(s[i:], '}'); j > 0 {
			return s[i : i+j+1]
		}
	}
	return s[i : i+1]
}

func (v *validator) target(p, name string, t Target) {
	v.lineText(p, "target name", name)
	if !oneOf(v, p+".engine", t.Engine, EngineDuckDB, EngineMaxCompute) {
		return
	}
	other := map[string][]string{
		EngineDuckDB:     {"endpoint", "project", "schema", "hints", "timeout", "poll_interval", "http_timeout", "parallel"},
		EngineMaxCompute: {"path", "threads", "memory_limit"},
	}
	for _, key := range other[t.Engine] {
		if v.c.Has(p + "." + key) {
			v.errorf(p+"."+key, "%s is not a setting of engine %q", key, t.Engine)
		}
	}
	switch t.Engine {
	case EngineDuckDB:
		if v.lineText(p+".path", "path", t.Path) {
			clean := filepath.ToSlash(filepath.Clean(t.Path))
			switch {
			case strings.ContainsAny(t.Path, "?#"):
				i := strings.IndexAny(t.Path, "?#")
				v.errorf(p+".path", "path %q contains '%c'; the DuckDB driver would read the rest as connection options: rename the file", t.Path, t.Path[i])
			case duckdbSpecialPath(t.Path):
				v.errorf(p+".path", "path %q is no file to DuckDB: it reads ':memory:' as a database that is gone when fgen exits, and a name before ':' (file:, md:, s3:) as an extension to load: name a file, e.g. %q", t.Path, DefaultLocalPath)
			case strings.Contains(t.Path, "%"):
				v.errorf(p+".path", "path %q contains '%%', which the DuckDB driver reads as an escape (%%XX) of its connection string: rename the file", t.Path)
			case strings.HasPrefix(t.Path, "~"):
				v.errorf(p+".path", "path %q starts with '~', which DuckDB reads as your home directory and fgen's own checks as a directory named ~; write the directory out (an absolute path), or give a path relative to funnel.toml", t.Path)
			case runtime.GOOS != "windows" && strings.Contains(t.Path, `\`):
				v.errorf(p+".path", "path %q contains '\\', which DuckDB reads as a directory separator; write / between directories", t.Path)
			case namesDirectory(t.Path):
				v.errorf(p+".path", "path %q names a directory; name the database file, e.g. %q", t.Path, filepath.ToSlash(filepath.Join(t.Path, "local.duckdb")))
			case clean == DefaultOutDir || strings.HasPrefix(clean, DefaultOutDir+"/"):
				v.errorf(p+".path", "path %q is inside %s/, where fgen generate writes the project you commit by default: keep the warehouse out of it, e.g. %q", t.Path, DefaultOutDir, DefaultLocalPath)
			}
		}
		switch {
		case t.Threads < 0:
			v.errorf(p+".threads", "threads must be positive, or 0 (or left out) for the default: all cores, one while the warehouse is small")
		case t.Threads > maxThreads:
			v.errorf(p+".threads", "threads = %d: DuckDB would start that many threads; give at most %d, or 0 for the default", t.Threads, maxThreads)
		}
		if t.MemoryLimit != "" {
			switch n, percent, ok := memorySize(t.MemoryLimit); {
			case !ok:
				v.errorf(p+".memory_limit", "memory_limit %q is not a size like \"2GB\" or \"512MB\"", t.MemoryLimit)
			case percent && (n <= 0 || n > 100):
				v.errorf(p+".memory_limit", "memory_limit %q is not a share of the machine's memory: give more than 0%% and at most 100%%, e.g. \"80%%\"", t.MemoryLimit)
			case !percent && (n < minMemory || n > maxMemory):
				v.errorf(p+".memory_limit", "memory_limit %q is outside what DuckDB can work in: give from 16MB to 1000TB, e.g. \"2GB\"", t.MemoryLimit)
			}
		}
	case EngineMaxCompute:
		v.endpoint(p+".endpoint", t.Endpoint)
		if t.Project == "" {
			v.errorf(p+".project", "project is required: the MaxCompute project to run in")
		} else {
			v.lineText(p+".project", "project", t.Project)
		}
		v.lineText(p+".schema", "schema", t.Schema)
		for _, k := range slices.Sorted(maps.Keys(t.Hints)) {
			hp := joinPath(p+".hints", k)
			switch {
			case !v.lineText(hp, "hint name", k):
			case isCredentialKey(k):
				v.errorf(hp, "hint %q looks like a credential; %s", k, credentialsFix)
			case accessKeyID.MatchString(strings.TrimSpace(t.Hints[k])):
				v.errorf(hp, "hint %q has a value that looks like an AccessKey ID; %s", k, credentialsFix)
			case strings.EqualFold(k, "odps.sql.allow.fullscan"):
				v.errorf(hp, "fgen never allows full scans; every generated read filters its partition")
			default:
				v.lineText(hp, "hint", t.Hints[k])
			}
		}
		if v.c.Has(p+".parallel") && t.Parallel < 1 {
			v.errorf(p+".parallel", "parallel is the number of jobs apply runs at a time: give 1 or more, or leave it out for 1")
		}
	}
}

// memoryRE is a memory_limit as DuckDB reads one: a size with a unit in any
// case (KB = 1000 bytes, KiB = 1024, K = KB), or a percentage of the
// machine's memory.
var memoryRE = regexp.MustCompile(`(?i)^([0-9]+(\.[0-9]+)?) *(B|K|M|G|T|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)$`)

// The bounds of a duckdb target's settings: more threads than these only
// cost memory (one setting of a million started thousands of OS threads),
// and with less memory than this DuckDB fails the loads of a day (with
// "0B", every load).
const (
	maxThreads = 1024
	minMemory  = 16e6
	maxMemory  = 1e15
)

// memorySize reads a memory_limit as bytes, or a percentage as that.
func memorySize(s string) (n float64, percent, ok bool) {
	m := memoryRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false, false
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false, false
	}
	if m[3] == "%" {
		return n, true, true
	}
	unit := map[string]float64{"b": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}[strings.ToLower(m[3])]
	return n * unit, false, true
}

// timeColumn checks how a funnel's time column, of DW column col, is read:
// an integer in seconds or milliseconds, a DATETIME or TIMESTAMP, or a
// STRING in a format and time zone.
func (v *validator) timeColumn(p string, t TimeColumn, col Column) {
	kind := TimeKind(col.Type)
	if base := baseType(col.Type); kind == TimeDatetime && base != "DATETIME" && base != "TIMESTAMP" {
		v.errorf(p, "time column %q is %s; a time column is BIGINT epoch seconds or milliseconds, DATETIME, TIMESTAMP, or a STRING with a format", col.Name, col.Type)
		return
	}
	if t.Unit != "" && kind != TimeEpoch {
		v.errorf(p, "unit applies to an integer time column; %q is %s", col.Name, col.Type)
	}
	if kind == TimeEpoch && t.Unit != "" && t.Unit != "s" && t.Unit != "ms" {
		v.errorf(p, "unit %q: write \"s\" for epoch seconds or \"ms\" for epoch milliseconds", t.Unit)
	}
	if kind != TimeString {
		if t.Format != "" || t.Timezone != "" {
			v.errorf(p, "format and timezone apply to a STRING time column; %q is %s", col.Name, col.Type)
		}
		return
	}
	switch {
	case t.Format == "":
		v.errorf(p, "time column %q is %s; say how to read it, e.g. time_column = { name = %q, format = \"yyyy-MM-dd HH:mm:ss\", timezone = \"UTC\" }", col.Name, col.Type, col.Name)
	case v.lineText(p+".format", "format", t.Format) && v.sqlText(p+".format", "format", t.Format):
		parts, letters, err := FormatParts(t.Format)
		if err != nil {
			v.errorf(p+".format", "%v", err)
			break
		}
		have := map[string]bool{}
		for i, part := range parts {
			if letters[i] {
				if have[part] {
					v.errorf(p+".format", "format %q has %s twice", t.Format, part)
				}
				have[part] = true
			}
		}
		for _, need := range []string{"yyyy", "MM", "dd", "HH", "mm"} {
			if !have[need] {
				v.errorf(p+".format", "format %q has no %s; a time to the minute at least needs yyyy, MM, dd, HH and mm", t.Format, need)
			}
		}
	}
	switch {
	case t.Timezone == "":
		v.errorf(p, "time column %q needs the time zone its times are in, e.g. timezone = \"UTC\" or \"Asia/Shanghai\"", col.Name)
	case v.lineText(p+".timezone", "timezone", t.Timezone) && !isTimeZone(t.Timezone):
		v.errorf(p+".timezone", "timezone %q is not a time zone of the IANA database; write one such as \"Asia/Shanghai\" or \"UTC\"", t.Timezone)
	}
}

// distribution checks the percentiles and histogram of the times to convert.
func (v *validator) distribution(p string, f *Funnel) {
	r := &f.Report
	for _, key := range []string{"percentiles", "histogram"} {
		switch {
		case !v.c.Has(p + "." + key):
		case f.Mode != ModeOrdered:
			v.errorf(p+"."+key, "%s applies only to mode = %q, which times each user's conversion", key, ModeOrdered)
		case r.Layout != LayoutLong:
			v.errorf(p+"."+key, "%s need layout = %q: a row per stage, with a column per percentile and per bucket, where the wide layout would need them for every stage", key, LayoutLong)
		}
	}
	seen := map[int]bool{}
	for i, pc := range r.Percentiles {
		if seen[pc.Basis] {
			v.errorf(fmt.Sprintf("%s.percentiles[%d]", p, i), "percentile %s is listed twice", pc.Text)
		}
		seen[pc.Basis] = true
	}
	if len(r.Histogram) > MaxBuckets {
		v.errorf(p+".histogram", "histogram has %d edges; fgen allows at most %d", len(r.Histogram), MaxBuckets)
	}
	precision := time.Second
	if col, ok := v.c.DW.Column(f.TimeColumn.Name); ok && f.TimeColumn.UnitsPerSecond(col.Type) == 1000 {
		precision = time.Millisecond
	}
	for i, d := range r.Histogram {
		ip := fmt.Sprintf("%s.histogram[%d]", p, i)
		switch {
		case d.D%precision != 0:
			v.errorf(ip, "histogram edge %q is finer than the time column, which counts whole %s", d.Text, map[bool]string{true: "seconds", false: "milliseconds"}[precision == time.Second])
		case i > 0 && d.D <= r.Histogram[i-1].D:
			v.errorf(ip, "histogram edge %q must be greater than the one before, %q; list the edges in increasing order", d.Text, r.Histogram[i-1].Text)
		}
	}
}

// unitOf names the epoch unit a time column is read in.
func unitOf(t TimeColumn) string {
	if t.Unit == "ms" {
		return "milliseconds"
	}
	return "seconds"
}

// sameTimeFormat refuses a STRING time column that an earlier funnel reads
// in another format or time zone: the DW node drops the values that do not
// read, so a column has one format; and a BIGINT one read in another unit
// (one funnel's window would be a thousand times the other's).
func (v *validator) sameTimeFormat(p string, f *Funnel) {
	for i := range v.c.Funnels {
		g := &v.c.Funnels[i]
		if g == f {
			return
		}
		if !sameName(g.TimeColumn.Name, f.TimeColumn.Name) {
			continue
		}
		if (g.TimeColumn.Format != f.TimeColumn.Format || g.TimeColumn.Timezone != f.TimeColumn.Timezone) && f.TimeColumn.Format != "" && g.TimeColumn.Format != "" {
			v.errorf(p, "funnel %q reads %q as %q in %s, and this funnel as %q in %s; a column has one format and time zone: use the same in both", g.Name, f.TimeColumn.Name, g.TimeColumn.Format, g.TimeColumn.Timezone, f.TimeColumn.Format, f.TimeColumn.Timezone)
			return
		}
		if unitOf(g.TimeColumn) != unitOf(f.TimeColumn) {
			v.errorf(p, "funnel %q reads %q in epoch %s, and this funnel in epoch %s; a column has one unit: use the same in both", g.Name, f.TimeColumn.Name, unitOf(g.TimeColumn), unitOf(f.TimeColumn))
			return
		}
	}
}
