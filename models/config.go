// Package models defines funnel.toml: its types, strict parsing with
// positions, defaults and validation. funnel.toml is written in MaxCompute's
// terms, so models knows MaxCompute's identifier rules, reserved words and
// column types, and the engine names a target takes; it renders no SQL and
// talks to no engine.
package models

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FormatVersion is the funnel.toml format this package reads.
const FormatVersion = 1

// Config is a parsed and validated funnel.toml.
type Config struct {
	Version   int               `toml:"version"`
	Project   Project           `toml:"project"`
	DataWorks DataWorks         `toml:"dataworks"`
	ODS       Table             `toml:"ods"`
	DW        DW                `toml:"dw"`
	Funnels   []Funnel          `toml:"funnels"`
	Targets   map[string]Target `toml:"targets"`

	// File is the name used in diagnostics, e.g. "funnel.toml".
	File string `toml:"-"`
	pos  map[string]Position
}

// Project names the data project.
type Project struct {
	Name string `toml:"name"`
	// Workspace is the DataWorks workspace; node outputs are <workspace>.<table>.
	Workspace string `toml:"workspace"`
}

// DataWorks holds how the workflow is scheduled in DataWorks.
type DataWorks struct {
	Workflow      string   `toml:"workflow"`
	SpecVersion   string   `toml:"spec_version" default:"1.1.0"`
	Cron          string   `toml:"cron" default:"00 30 02 * * ?"`
	Timezone      string   `toml:"timezone" default:"Asia/Shanghai"`
	InstanceMode  string   `toml:"instance_mode" default:"T+1"`
	RerunMode     string   `toml:"rerun_mode" default:"Allowed"`
	RerunTimes    int      `toml:"rerun_times" default:"3"`
	RerunInterval Duration `toml:"rerun_interval" default:"2m" duration:"1m..30m,seconds"` // DataWorks offers 1 to 30 minutes
	// Parameters is "system" (${bdp.system.bizdate}) or "custom" (${bizdate} with bizdate=$bizdate).
	Parameters string `toml:"parameters" default:"system"`
	// ODSProducer is the DataWorks output that produces the ODS table (e.g. a
	// sync node's "<workspace>.ods_user_trace_data"); empty means the workspace root.
	ODSProducer string `toml:"ods_producer"`
	// Datasource is the workspace's MaxCompute data source the nodes run
	// on, as named in DataWorks (odps_first is a workspace's default).
	Datasource string `toml:"datasource" default:"odps_first"`
	// HourlyCron is when the hourly nodes run (an hourly DW, the reports of
	// funnels with grain = "hour"): a Quartz cron that fires once an hour,
	// each run computing the hour before it.
	HourlyCron string `toml:"hourly_cron" default:"00 10 00-23/1 * * ?"`
}

// Column is a table column.
type Column struct {
	Name    string `toml:"name"`
	Type    string `toml:"type"`
	Comment string `toml:"comment"`
}

// Table is a partitioned table of the ODS or DW layer.
type Table struct {
	Name      string `toml:"name"`
	Comment   string `toml:"comment"`
	Partition string `toml:"partition"`
	// HourPartition, when set, makes the table partitioned by day and hour:
	// (Partition, HourPartition), the hour a STRING "00" to "23", as a
	// DataWorks hourly sync writes it.
	HourPartition string   `toml:"hour_partition"`
	Lifecycle     int64    `toml:"lifecycle"`
	Columns       []Column `toml:"columns"`
}

// Hourly reports whether the table is partitioned by day and hour.
func (t *Table) Hourly() bool { return t.HourPartition != "" }

// DW is the cleaned layer, derived from ODS one partition at a time.
type DW struct {
	Table
	// DropEmpty lists ODS columns whose NULL or empty rows are dirty and dropped.
	DropEmpty []string `toml:"drop_empty"`
	// DropUnknownEvents drops rows whose event is no stage of any funnel.
	DropUnknownEvents bool `toml:"drop_unknown_events"`
	// DedupBy lists ODS columns identifying a log record; copies are dropped.
	DedupBy []string `toml:"dedup_by"`
}

// Modes of counting, see FUNNELS.md.
const (
	ModeEvents  = "events"
	ModeUsers   = "users"
	ModeOrdered = "ordered"
)

// MaxStages is the most stages a funnel may have: a users funnel keeps the
// stages a user reached as the bits of one BIGINT.
const MaxStages = 32

// Day boundary policies.
const (
	WithinDay     = "within_day"
	CrossMidnight = "cross_midnight"
)

// Grains of a funnel's report: a row set per day, or per hour.
const (
	GrainDay  = "day"
	GrainHour = "hour"
)

// HoursPerDay is how many hour partitions a day of an hourly table has.
const HoursPerDay = 24

// Funnel is one funnel and its report table.
type Funnel struct {
	Name        string `toml:"name"`
	Description string `toml:"description"`
	Mode        string `toml:"mode" default:"events"`
	// Grain is "day" (a report per business date) or "hour" (a report per
	// hour partition, from an hourly DW; see docs/funnels.md).
	Grain       string     `toml:"grain" default:"day"`
	Window      Duration   `toml:"window" duration:"1s..24h,seconds"` // see Duration
	DayBoundary string     `toml:"day_boundary" default:"within_day"`
	UserColumn  string     `toml:"user_column"`
	EventColumn string     `toml:"event_column"`
	TimeColumn  TimeColumn `toml:"time_column"`
	Breakdowns  []string   `toml:"breakdowns"`
	// BreakdownLimit, when positive, keeps per day and breakdown the rows of
	// the values with the largest stage-1 counts and merges the rest into one
	// row (Report.OtherMarker).
	BreakdownLimit int     `toml:"breakdown_limit"`
	Stages         []Stage `toml:"stages"`
	Report         Report  `toml:"report"`
}

// Hourly reports whether the funnel reports per hour (grain = "hour").
func (f *Funnel) Hourly() bool { return f.Grain == GrainHour }

// Stage is one step of a funnel: the event values that count as it.
type Stage struct {
	Name   string   `toml:"name"`
	Events []string `toml:"events"`
}

// Report is the RPT table a funnel writes and how its columns are named and typed.
type Report struct {
	Table     string `toml:"table"`
	Comment   string `toml:"comment"`
	Partition string `toml:"partition" default:"dt"`
	// HourPartition is the hour partition column of an hourly report
	// (grain = "hour"); the report table is partitioned by (Partition,
	// HourPartition). Empty for a daily report.
	HourPartition string `toml:"hour_partition"`
	Lifecycle     int64  `toml:"lifecycle"`
	// CountType is BIGINT or STRING (the seed writes counts into STRING columns).
	CountType string `toml:"count_type" default:"BIGINT"`
	// RateFormat is "ratio" (DOUBLE in [0,1]) or "percent" (STRING like '34.29%', the seed).
	RateFormat string `toml:"rate_format" default:"ratio"`
	// Column name patterns: {stage} is the stage, {from} the stage before
	// it, {funnel} the funnel's name.
	CountColumn         string `toml:"count_column" default:"{stage}"`
	StepRateColumn      string `toml:"step_rate_column" default:"{from}_to_{stage}_rate"`
	OverallRateColumn   string `toml:"overall_rate_column" default:""`
	MedianSecondsColumn string `toml:"median_seconds_column" default:""`
	AvgSecondsColumn    string `toml:"avg_seconds_column" default:""`
	// The same of the step times: from reaching the previous stage.
	StepMedianSecondsColumn string `toml:"step_median_seconds_column" default:""`
	StepAvgSecondsColumn    string `toml:"step_avg_seconds_column" default:""`
	// Layout is LayoutWide (columns per stage, named by the patterns above)
	// or LayoutLong (a row per stage, fixed column names).
	Layout string `toml:"layout" default:"wide"`
	// Percentiles and Histogram (bucket edges) of the times to convert:
	// ordered mode, long layout.
	Percentiles []Percentile `toml:"percentiles"`
	Histogram   []Duration   `toml:"histogram" duration:"0s..31d"`
	// Breakdown markers: the total row, and NULL or empty dimension values.
	TotalMarker string `toml:"total_marker" default:"all"`
	NullMarker  string `toml:"null_marker" default:"unknown"`
	// OtherMarker is the value of the row of the breakdown values beyond
	// Funnel.BreakdownLimit.
	OtherMarker string `toml:"other_marker" default:"other"`
}

// Engines a target can run on.
const (
	EngineDuckDB     = "duckdb"
	EngineMaxCompute = "maxcompute"
)

// Target is a warehouse fgen plans and applies against. It never holds credentials.
type Target struct {
	Engine string `toml:"engine"`

	// duckdb
	Path        string `toml:"path"`
	Threads     int    `toml:"threads"`
	MemoryLimit string `toml:"memory_limit"`

	// maxcompute
	Endpoint     string            `toml:"endpoint"`
	Project      string            `toml:"project"`
	Schema       string            `toml:"schema"`
	Hints        map[string]string `toml:"hints"`
	Timeout      Duration          `toml:"timeout" duration:"1s..7d"`           // per job, waiting included
	PollInterval Duration          `toml:"poll_interval" duration:"100ms..10m"` // between job status polls
	HTTPTimeout  Duration          `toml:"http_timeout" duration:"1s..1h"`      // per HTTP request
	Parallel     int               `toml:"parallel"`
}

// DefaultLocalPath is where the implicit local target keeps its database.
const DefaultLocalPath = ".fgen/local.duckdb"

// DefaultOutDir is where fgen generate writes, beside funnel.toml, unless
// --dir says otherwise.
const DefaultOutDir = "out"

// Load reads and validates a config file.
func Load(path string) (*Config, error) {
	data, err := readConfig(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &notFoundError{path: path, err: err}
		}
		return nil, err
	}
	return Parse(path, data) // messages name the file as the user did: bad/funnel.toml:3:1
}

// maxConfigBytes is the most of a config file fgen reads: a funnel.toml is
// a few kilobytes, and '-c /dev/zero' (or a log named by mistake) must not
// fill the memory.
const maxConfigBytes = 4 << 20

// readConfig reads the config file at path, refusing one over
// maxConfigBytes.
func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB, which no funnel.toml is: is it the config file?", path, maxConfigBytes>>20)
	}
	return data, nil
}

// notFoundError says the config file does not exist (the command line
// says how to write one). It unwraps to the error of reading it, so
// errors.Is(err, fs.ErrNotExist) holds.
type notFoundError struct {
	path string
	err  error
}

func (e *notFoundError) Error() string { return e.path + " not found" }

func (e *notFoundError) Unwrap() error { return e.err }

// Parse decodes and validates a config. name is used in diagnostics. The
// error, if any, is Diagnostics: every problem found, sorted by position.
func Parse(name string, data []byte) (*Config, error) {
	tree, err := parseTree(data)
	if err != nil {
		var d *Diagnostic
		if errors.As(err, &d) {
			d.File = name
			return nil, Diagnostics{d}
		}
		return nil, err
	}
	dec := &decoder{pos: map[string]Position{}}
	cfg := &Config{File: name}
	dec.decode(tree, reflect.ValueOf(cfg).Elem(), "", "")
	cfg.pos = dec.pos
	// Validate even when decoding failed, so every mistake shows at once, but
	// drop what follows from a value that could not be decoded.
	diags := dec.diags
	cfg.applyDerivedDefaults()
	for _, d := range cfg.validate() {
		if !coveredBy(d.Path, dec.diags) {
			diags = append(diags, d)
		}
	}
	if len(diags) > 0 {
		for _, d := range diags {
			d.File = name
		}
		diags.sort()
		return nil, diags
	}
	return cfg, nil
}

func coveredBy(path string, decodeErrors Diagnostics) bool {
	for _, e := range decodeErrors {
		if path == e.Path || strings.HasPrefix(path, e.Path+".") || strings.HasPrefix(path, e.Path+"[") {
			return true
		}
	}
	return false
}

// Has reports whether path (e.g. "funnels[0].window") was set in the file.
func (c *Config) Has(path string) bool {
	_, ok := c.pos[path]
	return ok
}

// Pos returns the position of path, or of its nearest enclosing key that was
// written in the file.
func (c *Config) Pos(path string) Position {
	for path != "" {
		if p, ok := c.pos[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return Position{1, 1}
}

func (c *Config) applyDerivedDefaults() {
	if c.DataWorks.Workflow == "" {
		c.DataWorks.Workflow = c.Project.Name
	}
	if c.Project.Workspace == "" {
		c.Project.Workspace = c.Project.Name
	}
	for i := range c.Funnels {
		if r := &c.Funnels[i].Report; c.Funnels[i].Grain == GrainHour && r.HourPartition == "" {
			r.HourPartition = c.DW.HourPartition
		}
	}
	if len(c.Targets) == 0 {
		c.Targets = map[string]Target{LocalTargetName: {Engine: EngineDuckDB}}
	}
	for name, t := range c.Targets {
		if t.Engine == EngineDuckDB && t.Path == "" {
			t.Path = DefaultLocalPath
			c.Targets[name] = t
		}
	}
}

// TargetNames returns the target names, sorted.
func (c *Config) TargetNames() []string {
	return slices.Sorted(maps.Keys(c.Targets))
}

// LocalTargetName is the name of the implicit local target, and of the
// DuckDB target a command without --target uses when there are several.
const LocalTargetName = "local"

// DefaultTarget is the target used when none is named: the only DuckDB
// target, or of several the one named local; with several and none named
// local, naming one is required (a target added for an archive must not
// take over every command typed without --target). A remote warehouse is
// used only when named, even when it is the only target: a command typed
// without --target never reaches production.
func (c *Config) DefaultTarget() (string, error) {
	names := c.TargetNames()
	var local []string
	for _, n := range names {
		if c.Targets[n].Engine == EngineDuckDB {
			local = append(local, n)
		}
	}
	switch {
	case len(local) == 1:
		return local[0], nil
	case slices.Contains(local, LocalTargetName):
		return LocalTargetName, nil
	case len(local) > 1:
		return "", fmt.Errorf("%s has %d local (duckdb) targets and none named %s, the one fgen uses when none is named: give --target %s", c.File, len(local), LocalTargetName, strings.Join(local, " or --target "))
	}
	return "", fmt.Errorf("%s has %w, which fgen uses when none is named, and uses a remote warehouse only when named: give --target %s", c.File, ErrNoLocalTarget, strings.Join(names, " or --target "))
}

// ErrNoLocalTarget is DefaultTarget's error for a config without a duckdb
// target.
var ErrNoLocalTarget = errors.New("no local (duckdb) target")

// Target returns the named target, or the default one when name is empty.
func (c *Config) Target(name string) (string, Target, error) {
	if name == "" {
		n, err := c.DefaultTarget()
		if err != nil {
			return "", Target{}, err
		}
		name = n
	}
	t, ok := c.Targets[name]
	if !ok {
		return "", Target{}, fmt.Errorf("unknown target %q; %s defines: %s", name, c.File, strings.Join(c.TargetNames(), ", "))
	}
	return name, t, nil
}

// Duration is a length of time written as "30m", "1h", "7d", "90s" or
// "500ms", or a sum such as "1h30m". Every Duration field of the config has
// a `duration:"MIN..MAX"` tag, with ",seconds" when it takes whole seconds
// only: the range the decoder holds it to. A funnel's window is at most a
// day: a daily report reads one day's rows (within_day), or two
// (cross_midnight, whose steps after the next day would be lost), and
// FUNNELS.md's windows of several days are not built yet; a longer one
// read as the day's chains under a window that said more. (The ordered
// fold packs window+1 into bit fields of a BIGINT, and would take windows
// of millions of years.)
type Duration struct {
	D       time.Duration
	Seconds int64 // D in whole seconds, rounded down
	Text    string
}

// errDurationRange says a duration is longer than a time.Duration holds
// (about 292 years).
var errDurationRange = errors.New("duration out of range")

func parseDuration(s string) (Duration, error) {
	if s == "" {
		return Duration{}, nil
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return Duration{}, fmt.Errorf("invalid duration %q; write a whole number and a unit ms, s, m, h or d, e.g. \"30m\" or \"1h\"", s)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return Duration{}, errDurationRange // digits only: too many of them
		}
		rest = rest[i:]
		var unit time.Duration
		switch {
		case strings.HasPrefix(rest, "ms"):
			unit, rest = time.Millisecond, rest[2:]
		case rest[0] == 's':
			unit, rest = time.Second, rest[1:]
		case rest[0] == 'm':
			unit, rest = time.Minute, rest[1:]
		case rest[0] == 'h':
			unit, rest = time.Hour, rest[1:]
		case rest[0] == 'd':
			unit, rest = 24*time.Hour, rest[1:]
		default:
			return Duration{}, fmt.Errorf("invalid duration %q; units are ms, s, m, h and d", s)
		}
		if n > int64(math.MaxInt64/unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return Duration{}, errDurationRange
		}
		total += time.Duration(n) * unit
	}
	return Duration{D: total, Seconds: int64(total / time.Second), Text: s}, nil
}

// durationRange reads a `duration:"MIN..MAX[,seconds]"` tag.
func durationRange(tag string) (lo, hi Duration, seconds bool) {
	spec, flag, _ := strings.Cut(tag, ",")
	from, to, ok := strings.Cut(spec, "..")
	lo, err1 := parseDuration(from)
	hi, err2 := parseDuration(to)
	if !ok || err1 != nil || err2 != nil || (flag != "" && flag != "seconds") {
		panic(fmt.Sprintf("models: bad duration tag %q", tag))
	}
	return lo, hi, flag == "seconds"
}

func (d Duration) String() string { return d.Text }
