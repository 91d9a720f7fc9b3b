// Package ingest reads JSON lines, CSV and Parquet files into a table of
// fgen's local DuckDB engine (internal/duckdb): strictly, all or nothing.
//
// DuckDB's own readers (read_json, read_csv, read_parquet) parse the files
// and insert the rows, with the table's column types, in one transaction of
// the engine (duckdb.DB.Update). fgen checks what those readers would take
// silently or report without a usable line: a Go scan of each text file,
// beside DuckDB's insert, checks its syntax strictly, its keys or header
// (unknown, repeated, in another case), that integers are written as
// integers, that the times of a STRING time column read in its format
// (Column.Format), the partition values and the length of lines, and gives
// each problem as FILE:LINE: message; a Parquet file's column types are
// checked against the table's before it is read, and its times as DuckDB
// reads it. Only when the load fails does fgen ask DuckDB which row it could
// not convert.
//
// A load goes into one partition, or each row into the partition its own
// partition column names or, when it names none, the date of its time
// (DayFrom): DuckDB computes those dates, once to know which partitions the
// load replaces and again as it inserts the rows, with one expression.
//
// It also moves fgen sample's rows (internal/sample, plain Go) through
// DuckDB: AppendSample appends them to a table and CreateSample writes them
// to a Parquet file, both from CSV parts that DuckDB's reader takes in bulk.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/internal/shell"
	"github.com/fgen-dev/fgen/models"
)

// Column is a column of the table being loaded, with its DuckDB type.
type Column struct {
	Name string
	Type string // DuckDB's type
	// Declared is the type as funnel.toml declares it (STRING, DATETIME),
	// which messages name; Type when empty.
	Declared string
	// Format, of a STRING time column: the format (funnel.toml's
	// time_column, models.FormatParts) that its values must read in.
	Format string
}

// typeName is the column's type as messages name it: funnel.toml's.
func (c Column) typeName() string {
	if c.Declared != "" {
		return c.Declared
	}
	return c.Type
}

// Options describe one load into a table's partitions.
type Options struct {
	Table     string
	Partition string // the partition column, e.g. dt
	Day       string // the partition value; "" to take it from each row's partition column
	Columns   []Column
	Files     []string
	Append    bool // add to the partition instead of replacing it
	// AllowShrink replaces a partition even where the load leaves it
	// fewer than half the rows it had (an empty file, a few late rows of
	// another day); without it such a load fails with a *ShrinkError.
	AllowShrink bool
	// DayFrom, for a load without a Day: how a row without a partition
	// value gets one from its time; nil: such a row is an error.
	DayFrom *DayFrom
	// HourPartition, for a table partitioned by day and hour, is its hour
	// column, which Columns must hold as VARCHAR: each row gives its hour,
	// 00 to 23. A load writes whole days: each day it loads has its 24
	// hour partitions, those without rows empty, as an hourly sync that
	// ran every hour of the day leaves them.
	HourPartition string
	// Hour, of a load of Day into an hourly table, is the one hour it
	// replaces (or, with Append, adds to): a row without an hour gets it,
	// any other hour is an error, the day's other hours stay, and its
	// partition is written even when the files have no rows (a quiet hour
	// has landed).
	Hour string
}

// DayFrom derives the partition value of a row that has none from its
// time: the date yyyymmdd of the time, as the funnels read it, in Zone. A
// row with neither is an error.
type DayFrom struct {
	// Time is the time column (a column of Options.Columns) and how it
	// reads: epoch seconds or milliseconds (Unit), a DATETIME or TIMESTAMP
	// (UTC wall time, as the local engine holds it), or a STRING in a
	// Format and Timezone.
	Time models.TimeColumn
	Kind string // models.TimeKind of the column's type
	Zone string // the time zone of the business day (dataworks.timezone)
}

// sql is the DuckDB expression of the day, yyyymmdd, of a time read as x
// (a BIGINT, a TIMESTAMP or a VARCHAR, as its kind says). An epoch time
// outside the years 0000 to 9999 (models.EpochRange) has no day: its value
// after farTime, which partitions.derived explains (DuckDB's conversion
// would fail on the largest, microseconds read as seconds, say).
func (d *DayFrom) sql(x string) string {
	var instant string // a TIMESTAMP WITH TIME ZONE
	switch {
	case d.Kind == models.TimeString:
		instant = fmt.Sprintf("timezone(%s, strptime(%s, %s))", sqlString(d.Time.Timezone), x, sqlString(generator.DuckDBTimeFormat(d.Time.Format)))
	case d.Kind == models.TimeDatetime:
		instant = fmt.Sprintf("timezone('UTC', %s)", x)
	case d.Time.Unit == "ms":
		instant = fmt.Sprintf("timezone('UTC', epoch_ms(%s))", x)
	default:
		instant = fmt.Sprintf("to_timestamp(%s)", x)
	}
	day := fmt.Sprintf("strftime(timezone(%s, %s), '%%Y%%m%%d')", sqlString(d.Zone), instant)
	if d.Kind != models.TimeEpoch {
		return day
	}
	lo, hi := models.EpochRange(d.units())
	return fmt.Sprintf("CASE WHEN %s BETWEEN %d AND %d THEN %s ELSE %s || CAST(%s AS VARCHAR) END", x, lo, hi, day, sqlString(farTime), x)
}

// units is the epoch time's units per second.
func (d *DayFrom) units() int64 {
	if d.Time.Unit == "ms" {
		return 1000
	}
	return 1
}

// farTime begins what DayFrom.sql gives for an epoch time outside the
// years 0000 to 9999, before its value.
const farTime = "far:"

// ODS returns the options of a load of files into the ODS table of cfg on
// the local engine: into day's partition, or with day "" each row into the
// partition its own partition column names or, if it names none, the date
// of its time in dataworks.timezone (models.Config.LoadDayTime). The values
// of a STRING time column of the funnels must read in its format.
func ODS(cfg *models.Config, day string, files []string, appendRows bool) Options {
	formats := map[string]string{}
	for _, tc := range cfg.StringTimes() {
		formats[strings.ToLower(tc.Name)] = tc.Format
	}
	var cols []Column
	for _, c := range cfg.ODS.Columns {
		col := Column{Name: c.Name, Type: generator.DuckDB.ColumnType(c.Type), Declared: c.Type}
		if models.IsString(c.Type) {
			col.Format = formats[strings.ToLower(c.Name)]
		}
		cols = append(cols, col)
	}
	if cfg.ODS.Hourly() {
		// Each row gives its hour; see Options.HourPartition.
		cols = append(cols, Column{Name: cfg.ODS.HourPartition, Type: "VARCHAR"})
	}
	opts := Options{Table: cfg.ODS.Name, Partition: cfg.ODS.Partition, Day: day, Columns: cols, Files: files, Append: appendRows,
		HourPartition: cfg.ODS.HourPartition}
	if tc, ok := cfg.LoadDayTime(); ok && day == "" {
		col, _ := cfg.ODS.Column(tc.Name)
		opts.DayFrom = &DayFrom{Time: tc, Kind: models.TimeKind(col.Type), Zone: cfg.DataWorks.Timezone}
	}
	return opts
}

// RowError is a malformed row: the file, its 1-based line (or row, for
// Parquet) and what is wrong. A problem of a whole Parquet file has line 0.
type RowError struct {
	File string
	Line int64
	Msg  string
}

// FileLine returns the error's file, line (0: the file as a whole) and
// message, for a machine's reading (load's --format json).
func (e *RowError) FileLine() (file string, line int64, msg string) { return e.File, e.Line, e.Msg }

func (e *RowError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Result is what a load did: the rows it loaded and, for each partition
// (day) it wrote, in order, the rows the day held before and holds now.
type Result struct {
	Rows       int64
	Partitions []PartitionRows
	// Shrunk are the partitions the load left fewer than half their rows
	// (Options.AllowShrink allowed it): days, or, of a table partitioned
	// by day and hour, hours.
	Shrunk []PartitionRows
	// Emptied are the hours of a table partitioned by day and hour that
	// had rows and have none, of days that did not shrink: a corrected
	// day without an hour of stray rows, or hours a load lacked.
	Emptied []PartitionRows
}

// PartitionRows is a day's rows before and after a load; in a ShrinkError
// of a table partitioned by day and hour, an hour's.
type PartitionRows struct {
	Day           string
	Hour          string // "" but for an hour's
	Before, After int64
}

// Counts returns each of days with the rows it held before and holds
// after, from counts by day (duckdb's PartitionRows).
func Counts(days []string, before, after map[string]int64) []PartitionRows {
	out := make([]PartitionRows, len(days))
	for i, d := range days {
		out[i] = PartitionRows{Day: d, Before: before[d], After: after[d]}
	}
	return out
}

// shrunk reports whether a load that replaced the day left it fewer than
// half its rows.
func (p PartitionRows) shrunk() bool { return p.After*2 < p.Before }

// ShrinkError is a load that would have replaced partitions with far fewer
// rows than they held (Options.AllowShrink): it loaded nothing.
type ShrinkError struct {
	Table, Partition, HourPartition string
	Hour                            string // of a load of one hour (Options.Hour)
	Shrunk                          []PartitionRows
}

func (e *ShrinkError) Error() string {
	var parts []string
	for _, p := range e.Shrunk {
		rows := "rows"
		if p.Before == 1 {
			rows = "row"
		}
		spec := fmt.Sprintf("%s/%s=%s", e.Table, e.Partition, p.Day)
		if p.Hour != "" {
			spec += fmt.Sprintf("/%s=%s", e.HourPartition, p.Hour)
		}
		parts = append(parts, fmt.Sprintf("%s (%d %s) with %d", spec, p.Before, rows, p.After))
	}
	what := "the partition"
	if len(parts) > 1 {
		what = "the partitions"
	}
	const most = 6
	if len(parts) > most+1 { // not "1 more", which the part itself would say
		parts = append(parts[:most], fmt.Sprintf("%d more", len(parts)-most))
	}
	how := "a load replaces every partition its rows fall on"
	switch {
	case e.Hour != "":
		how = "a load with --hour replaces that hour (to add to it, load with --append)"
	case e.HourPartition != "":
		how = "a load replaces all 24 hours of every day its rows fall on (to load one hour's file into its day, give --bizdate and --hour)"
	}
	return fmt.Sprintf("it would replace %s %s, fewer than half: %s. Check the files: an empty file is what a failed export leaves, and a few rows of another day are late events, to load apart with --append or leave out (a sample loaded earlier counts as rows too). --allow-destructive replaces the partitions anyway",
		what, strings.Join(parts, "; "), how)
}

// Load reads JSON lines (.jsonl, .ndjson, .json), CSV (.csv, with a header)
// or Parquet (.parquet) files into one partition of a table (or, without
// Day, into the partitions the rows name or, with DayFrom, their times fall
// on), checking every row against the table's columns. Either every row of
// every file is loaded or, on the first problem, none is and the table
// keeps the rows it had. It returns the rows loaded, and each day's before
// and after. A load that replaces a day with fewer than half the rows it
// had fails with a *ShrinkError, unless Options.AllowShrink.
//
// Errors come in this order, each the first in file and line order: a row
// that does not parse (or a Parquet file whose columns do not fit), then a
// value that does not fit its column's type, then a row whose partition
// value is missing, malformed or not the day loaded, and last, for a table
// partitioned by hour, a row without an hour or with one not 00 to 23
// (found in the table once the rows are in, then in the files).
func Load(ctx context.Context, db *duckdb.DB, opts Options) (Result, error) {
	l, err := newLoader(opts)
	if err != nil {
		return Result{}, err
	}
	// fgen load no longer stages rows, but an older one killed while it
	// did left its files beside the database.
	duckutil.RemoveStale(db.Dir())
	// With a day, the checks run beside DuckDB's insert; without, they find
	// the partitions to replace before it.
	beside := opts.Day != "" && checkBeside
	rows := l.maxRows()
	for {
		var res Result
		err := db.UpdateRows(ctx, rows, func(tx *duckdb.Tx) error {
			var err error
			res, err = l.run(ctx, tx, beside)
			return err
		})
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		if !errors.Is(err, errFailed) {
			return Result{}, err
		}
		// Rolled back: find out why, in a transaction of its own.
		err = db.UpdateRows(ctx, rows, func(tx *duckdb.Tx) error { return l.explain(ctx, tx) })
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		if !errors.Is(err, errRetry) || !beside {
			return Result{}, l.notUTF8(ctx, db, rows, err)
		}
		beside = false
		l.reset()
	}
}

// checkBeside is false for tests that run the checks before DuckDB reads
// the files in every load.
var checkBeside = true

var (
	// errFailed: the load failed; explain finds why.
	errFailed = errors.New("load failed")
	// errRetry: the load failed (or was wrong) only for what the checks
	// had not yet found when DuckDB read a file; load again.
	errRetry = errors.New("load again")
)

// input is a file of the load and what is known of it.
type input struct {
	path     string
	reader   string // path as DuckDB's readers take it (duckutil.ReaderPath)
	format   sample.Format
	size     int64
	modified time.Time // size and modified when the load began: changed, the file was written to meanwhile

	scan     *scan        // a text file's check, once done
	pq       *parquetFile // a Parquet file's columns, once read
	inserted int64        // rows DuckDB inserted, -1 before
	err      error        // DuckDB's error for the file
}

// miscounted is the error of a text file whose rows DuckDB's reader and
// fgen's check counted differently: the file written to while fgen read
// it (a log still being written), or, if it was not, a fault of fgen's.
func (in *input) miscounted() error {
	if fi, err := os.Stat(in.path); err == nil && (fi.Size() != in.size || !fi.ModTime().Equal(in.modified)) {
		return fmt.Errorf("%s: the file changed while fgen loaded it (DuckDB read %d rows, fgen's check %d): load it once nothing writes to it", in.path, in.inserted, in.scan.rows)
	}
	return fmt.Errorf("%s: DuckDB read %d rows, fgen's check %d, and the file did not change meanwhile: a fault of fgen's, which you can report with the file", in.path, in.inserted, in.scan.rows)
}

// scan is what the check of a text file found.
type scan struct {
	rows    int64     // records
	maxLine int       // bytes of the longest line (CSV: record)
	parse   *RowError // the first malformed row: the check stopped there
	value   *RowError // the first value that does not fit its column
	header  []int     // CSV: the column of each field, -1 for the partition column
	// JSON: keys that named a column (index len(cols): the partition
	// column) but are not its name, which read_json would not match.
	spellings [][]string
}

func (s *scan) respelled() bool {
	for _, sp := range s.spellings {
		if len(sp) > 0 {
			return true
		}
	}
	return false
}

type loader struct {
	opts  Options
	cols  []column
	index map[string]int // lower-case column names; -1 for the partition column
	// timeCol is the column of Options.DayFrom, noDayFrom without one
	timeCol int
	files   []*input
	parts   *partitions
	// beside: the last attempt ran the checks beside DuckDB's insert
	beside bool
	// general: check every line the general way, without the fast paths
	// for the usual line (plainObject, plainRecord); for tests that they
	// agree.
	general bool
	// badHour: the row of an hourly table without an hour, or with one
	// not 00 to 23, that the last attempt found among the days it loaded.
	badHour *badHour
}

func newLoader(opts Options) (*loader, error) {
	l := &loader{opts: opts, index: map[string]int{}}
	for i, c := range opts.Columns {
		col := newColumn(c)
		if c.Format != "" {
			if col.kind != kindString {
				return nil, fmt.Errorf("column %s is %s; a time format applies to a string column", c.Name, c.typeName())
			}
			var err error
			if col.time, err = newTimeLayout(c.Format); err != nil {
				return nil, fmt.Errorf("column %s: %w", c.Name, err)
			}
		}
		l.cols = append(l.cols, col)
		l.index[strings.ToLower(c.Name)] = i
	}
	if _, ok := l.index[strings.ToLower(opts.Partition)]; !ok {
		l.index[strings.ToLower(opts.Partition)] = -1
	}
	l.timeCol = noDayFrom
	if d := opts.DayFrom; d != nil && opts.Day == "" {
		col, ok := l.index[strings.ToLower(d.Time.Name)]
		if !ok || col < 0 {
			return nil, fmt.Errorf("the time column %s to take the day from is not a column of %s", d.Time.Name, opts.Table)
		}
		l.timeCol = col
	}
	for _, path := range opts.Files {
		in := &input{path: path, inserted: -1}
		f, err := sample.InputFormat(path)
		if err != nil {
			return nil, err
		}
		if in.reader, err = duckutil.ReaderPath(path); err != nil {
			return nil, err
		}
		in.format = f
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if err := duckutil.NotAFile(path, fi); err != nil {
			return nil, err
		}
		in.size, in.modified = fi.Size(), fi.ModTime()
		l.files = append(l.files, in)
	}
	l.reset()
	return l, nil
}

// maxRows is at most how many rows the files hold, or -1 if that is not
// known before they are read (a Parquet file): a row of a text file takes
// at least a byte, its line's end, but for the last line.
func (l *loader) maxRows() int64 {
	var n int64
	for _, in := range l.files {
		if in.format == sample.Parquet {
			return -1
		}
		n += in.size + 1
	}
	return n
}

// reset forgets what an attempt found but the checks of text files.
func (l *loader) reset() {
	l.badHour = nil
	l.parts = &partitions{opts: &l.opts, firstAt: map[string]rowPos{}}
	for _, in := range l.files {
		in.inserted, in.err, in.pq = -1, nil, nil
	}
}

// check checks the text files that are not yet, in order, and stops at the
// first malformed row, when it reports false, or when ctx ends. It looks at
// nothing but the text files' checks, which it alone writes.
func (l *loader) check(ctx context.Context) bool {
	for fi, in := range l.files {
		if in.format == sample.Parquet {
			continue
		}
		if in.scan == nil {
			f, err := os.Open(in.path)
			if err != nil {
				in.scan = &scan{parse: &RowError{File: in.path, Msg: err.Error()}}
			} else if what := notText(f, in.path, in.format); what != "" {
				in.scan = &scan{parse: &RowError{File: in.path, Msg: what}}
				f.Close()
			} else {
				if in.format == sample.JSONL {
					in.scan = l.checkJSONL(ctx, fi, f)
				} else {
					in.scan = l.checkCSV(ctx, fi, f)
				}
				f.Close()
			}
		}
		if in.scan == nil { // ctx ended
			return true
		}
		if in.scan.parse != nil {
			return false
		}
	}
	return true
}

// notText says what the file f at path, named as text of format, is instead, by
// the bytes it starts with: a compressed file, an archive (an .xlsx is a
// ZIP), or Parquet; "" for none of them. Read as text, such a file fails
// at its first line with words that point elsewhere (its NUL bytes read as
// UTF-16's).
func notText(f io.ReaderAt, path string, format sample.Format) string {
	var head [64]byte
	n, _ := f.ReadAt(head[:], 0)
	b := head[:n]
	// Text begins "BZh" or "PAR1" too (a column of that name); the
	// files do with bytes no text has after.
	binary := !utf8.Valid(b[:max(0, n-utf8.UTFMax)]) || bytes.ContainsFunc(b, func(r rune) bool {
		return r < 0x20 && r != '\t' && r != '\n' && r != '\r'
	})
	name := "CSV"
	if format == sample.JSONL {
		name = "JSON lines"
	}
	if c, fix := compressed(b, path); c != "" && binary {
		return fmt.Sprintf("the file is %s-compressed, not %s text: %s", c, name, fix)
	}
	type kind struct{ magic, what, fix string }
	kinds := []kind{
		{"PK\x03\x04", "a ZIP archive (as an .xlsx workbook is)", "save the sheet as CSV UTF-8, or unzip the file, and load the " + name + " file"},
		{"PAR1", "a Parquet file", "name it .parquet"},
	}
	for _, k := range kinds {
		if bytes.HasPrefix(b, []byte(k.magic)) && binary {
			return fmt.Sprintf("the file is %s, not %s text: %s", k.what, name, k.fix)
		}
	}
	// NULs at the start, or many: a file of them, or a binary one (a NUL
	// among text is a value's byte, read as such).
	if i := bytes.IndexByte(b, 0); i >= 0 && !isUTF16(b) && (i == 0 || 4*bytes.Count(b, []byte{0}) >= len(b)) {
		return fmt.Sprintf("the file is not %s text: its byte %d is NUL, as in a binary file, or in one its writer stopped before it wrote; load the %s file it should be", name, i+1, name)
	}
	return ""
}

// compressed says which compression (sample.Compressions) the file at
// path, which begins with head, is of, and how to decompress it into a
// file of its own: events.csv's text into events.text.csv. "" for none.
func compressed(head []byte, path string) (name, fix string) {
	ext := filepath.Ext(path)
	text := strings.TrimSuffix(path, ext) + ".text" + ext
	for _, c := range sample.Compressions {
		if bytes.HasPrefix(head, []byte(c.Magic)) {
			return c.Name, fmt.Sprintf("decompress it into a file of its own (%s %s > %s), then load that", c.Cat, shell.Quote(path), shell.Quote(text))
		}
	}
	return "", ""
}

// checkEvery is how many lines a check reads between looks at its context.
const checkEvery = 1 << 16

// run loads the files in tx. beside: the checks run while DuckDB inserts,
// which it does with what it can know of a file before its check ends.
func (l *loader) run(ctx context.Context, tx *duckdb.Tx, beside bool) (Result, error) {
	l.beside = beside
	if err := tx.Unordered(ctx); err != nil {
		return Result{}, err
	}
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if beside {
		wg.Go(func() {
			if !l.check(ictx) {
				cancel() // the load fails: stop DuckDB
			}
		})
	} else {
		l.check(ctx)
		if l.firstParse() != nil {
			return Result{}, errFailed
		}
		for fi, in := range l.files {
			if in.format == sample.Parquet {
				if err := l.parquetDays(ctx, tx, fi); err != nil {
					return Result{}, err
				}
			}
		}
		if l.firstParse() != nil || l.firstValue() != nil || l.parts.problem() {
			return Result{}, errFailed
		}
		if err := l.derivedDays(ctx, tx); err != nil {
			return Result{}, err
		}
	}
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	days := l.parts.days()
	// The rows the days, and an hourly table's hours, hold before.
	had, err := tx.PartitionRows(ctx, l.opts.Table, l.opts.Partition, "", days)
	var hadHours map[string]int64
	if err == nil && l.opts.HourPartition != "" {
		hadHours, err = tx.PartitionRows(ctx, l.opts.Table, l.opts.Partition, l.opts.HourPartition, days)
	}
	if err != nil {
		cancel()
		wg.Wait()
		return Result{}, err
	}
	switch {
	case l.opts.Hour != "" && !l.opts.Append:
		// One hour of the day replaced; the day's other hours stay.
		if err = tx.DeleteHour(ctx, l.opts.Table, l.opts.Partition, l.opts.HourPartition, l.opts.Day, l.opts.Hour); err == nil {
			err = tx.MarkPartitions(ctx, l.opts.Table, []string{l.opts.Day + "/" + l.opts.Hour})
		}
	case l.opts.HourPartition != "" && !l.opts.Append:
		if err = tx.DeletePartitions(ctx, l.opts.Table, l.opts.Partition, days); err == nil {
			err = tx.MarkPartitions(ctx, l.opts.Table, hourValues(days))
		}
	case l.opts.HourPartition != "":
		// Noted when the rows are in: see markAppendedHours.
	case l.opts.Append:
		err = tx.MarkPartitions(ctx, l.opts.Table, days)
	default:
		err = tx.ClearPartitions(ctx, l.opts.Table, l.opts.Partition, days)
	}
	if err != nil {
		cancel()
		wg.Wait()
		return Result{}, err
	}
	failed := false
	for fi, in := range l.files {
		if err := l.insert(ictx, tx, fi); err != nil {
			in.err, failed = err, true
			break
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	if failed || l.firstParse() != nil || l.firstValue() != nil || l.parts.problem() {
		return Result{}, errFailed
	}
	var n int64
	for _, in := range l.files {
		if in.misread(beside) {
			return Result{}, errFailed
		}
		n += in.inserted
	}
	bad, err := l.checkHours(ctx, tx, days)
	if err != nil {
		return Result{}, err
	}
	if bad != nil {
		l.badHour = bad
		return Result{}, errFailed
	}
	if l.opts.Hour != "" {
		if err := l.otherHour(ctx, tx); err != nil {
			return Result{}, err
		}
	}
	if l.opts.HourPartition != "" && l.opts.Append {
		if err := l.markAppendedHours(ctx, tx, days, hadHours); err != nil {
			return Result{}, err
		}
	}
	has, err := tx.PartitionRows(ctx, l.opts.Table, l.opts.Partition, "", days)
	if err != nil {
		return Result{}, err
	}
	res := Result{Rows: n, Partitions: Counts(days, had, has)}
	switch {
	case l.opts.Hour != "":
		// One hour replaced or added to: its counts, not the day's.
		hasHours, err := tx.PartitionRows(ctx, l.opts.Table, l.opts.Partition, l.opts.HourPartition, days)
		if err != nil {
			return Result{}, err
		}
		k := l.opts.Day + "/" + l.opts.Hour
		p := PartitionRows{Day: l.opts.Day, Hour: l.opts.Hour, Before: hadHours[k], After: hasHours[k]}
		res.Partitions = []PartitionRows{p}
		if !l.opts.Append && p.shrunk() {
			res.Shrunk = append(res.Shrunk, p)
		}
	case l.opts.Append: // adds rows: nothing shrinks
	case l.opts.HourPartition != "":
		hasHours, err := tx.PartitionRows(ctx, l.opts.Table, l.opts.Partition, l.opts.HourPartition, days)
		if err != nil {
			return Result{}, err
		}
		for _, p := range res.Partitions {
			shrunk, emptied := hoursShrunk(p, hadHours, hasHours)
			res.Shrunk, res.Emptied = append(res.Shrunk, shrunk...), append(res.Emptied, emptied...)
		}
	default:
		for _, p := range res.Partitions {
			if p.shrunk() {
				res.Shrunk = append(res.Shrunk, p)
			}
		}
	}
	if len(res.Shrunk) > 0 && !l.opts.AllowShrink {
		return Result{}, &ShrinkError{Table: l.opts.Table, Partition: l.opts.Partition, HourPartition: l.opts.HourPartition, Hour: l.opts.Hour, Shrunk: res.Shrunk}
	}
	return res, nil
}

// hoursShrunk judges day p of an hourly table, whose hours held had and
// hold has ("day/hour" counts). A day loses the hours its files lack (an
// hour's file loaded after another's), whatever its total: it shrinks when
// the hours that shrank lost half its rows, and then those hours are
// shrunk. Otherwise the hours it emptied are (a corrected day that drops
// an hour of a stray row).
func hoursShrunk(p PartitionRows, had, has map[string]int64) (shrunk, emptied []PartitionRows) {
	lost := int64(0)
	for h := range 24 {
		hour := fmt.Sprintf("%02d", h)
		hp := PartitionRows{Day: p.Day, Hour: hour, Before: had[p.Day+"/"+hour], After: has[p.Day+"/"+hour]}
		if hp.shrunk() {
			shrunk = append(shrunk, hp)
			lost += hp.Before - hp.After
		}
		if hp.Before > 0 && hp.After == 0 {
			emptied = append(emptied, hp)
		}
	}
	if p.shrunk() || lost > 0 && lost*2 >= p.Before {
		return shrunk, nil
	}
	return nil, emptied
}

// misread reports whether DuckDB inserted other rows than the check of a
// text file counted or, when it read the file beside the check, read it
// with keys that are not the file's.
func (in *input) misread(beside bool) bool {
	s := in.scan
	return s != nil && in.inserted >= 0 && (in.inserted != s.rows || (beside && s.respelled()))
}

// source is how the insert reads file fi; nil for an empty CSV file.
func (l *loader) source(ctx context.Context, tx *duckdb.Tx, fi int) (*source, error) {
	in := l.files[fi]
	switch in.format {
	case sample.Parquet:
		if err := l.describeParquet(ctx, tx, fi); err != nil {
			return nil, err
		}
		if in.pq.problem != nil {
			return nil, in.pq.problem
		}
		return l.parquetSource(fi, false), nil
	case sample.CSV:
		return l.csvSource(fi, l.known(fi), false)
	}
	return l.jsonSource(fi, l.known(fi), false), nil
}

// insert inserts the rows of file fi.
func (l *loader) insert(ctx context.Context, tx *duckdb.Tx, fi int) error {
	in := l.files[fi]
	src, err := l.source(ctx, tx, fi)
	if err != nil {
		return err
	}
	if src == nil {
		in.inserted = 0 // an empty file
		return nil
	}
	var names, exprs []string
	hourGiven := false
	for _, c := range src.cols {
		name, x := l.cols[c].Name, src.exprs[c]
		if l.opts.Hour != "" && strings.EqualFold(name, l.opts.HourPartition) {
			// A row without an hour is of the hour given, as a row
			// without a day is of the day given (partExpr).
			x, hourGiven = fmt.Sprintf("coalesce(%s, %s)", x, sqlString(l.opts.Hour)), true
		}
		if long := l.cols[c].sqlTooLong(x); long != "" {
			x = fmt.Sprintf("CASE WHEN %s THEN error('fgen: too long') ELSE %s END", long, x)
		}
		names = append(names, quote(name))
		exprs = append(exprs, x)
	}
	if l.opts.Hour != "" && !hourGiven {
		names = append(names, quote(l.opts.HourPartition))
		exprs = append(exprs, sqlString(l.opts.Hour))
	}
	names = append(names, quote(l.opts.Partition))
	exprs = append(exprs, l.partExpr(fi, src))
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", quote(l.opts.Table), strings.Join(names, ", "), strings.Join(exprs, ", "), src.from)
	n, err := tx.Exec(ctx, q)
	if err != nil {
		return err
	}
	in.inserted = n
	return nil
}

// known is the check of text file fi when DuckDB reads it after the check,
// else nil: the check may be running.
func (l *loader) known(fi int) *scan {
	if l.beside {
		return nil
	}
	return l.files[fi].scan
}

// partExpr is the value of the partition column of the rows of file fi,
// read as src: the day, checked against the file's value for Parquet (text
// files are checked by fgen), or the file's value, or else the date of the
// row's time (DayFrom).
func (l *loader) partExpr(fi int, src *source) string {
	if l.opts.Day == "" {
		x, ok := src.exprs[-1]
		if !l.parts.derive[fi] {
			if !ok {
				// A file without the partition column, none of whose rows
				// has a time to take the day from, has no rows (the checks
				// refuse any, before the insert): a CSV file of a header
				// alone, or a Parquet file without rows.
				return "NULL"
			}
			return x
		}
		day := l.opts.DayFrom.sql(src.exprs[l.timeCol])
		if ok {
			return fmt.Sprintf("coalesce(%s, %s)", x, day)
		}
		return day
	}
	day := sqlString(l.opts.Day)
	if src.checkDay != "" {
		return fmt.Sprintf("CASE WHEN %s IS NULL OR %s = %s THEN %s ELSE error('fgen: another day') END", src.checkDay, src.checkDay, day, day)
	}
	return day
}

// derivedDays notes the days of the rows without a partition value but
// with a time (DayFrom), file by file, as the insert computes them.
func (l *loader) derivedDays(ctx context.Context, tx *duckdb.Tx) error {
	for fi, in := range l.files {
		if !l.parts.derive[fi] {
			continue
		}
		src, err := l.source(ctx, tx, fi)
		if err != nil || src == nil {
			return err
		}
		t := src.exprs[l.timeCol]
		where := t + " IS NOT NULL"
		if x, ok := src.exprs[-1]; ok {
			where = x + " IS NULL AND " + where
		}
		rows, err := tx.Query(ctx, fmt.Sprintf("SELECT DISTINCT %s FROM %s WHERE %s", l.opts.DayFrom.sql(t), src.from, where))
		if err != nil {
			in.err = err
			return errFailed // explain finds the value DuckDB could not read
		}
		var days []string
		for rows.Next() {
			var day string
			if err := rows.Scan(&day); err != nil {
				rows.Close()
				return err
			}
			days = append(days, day)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			in.err = err
			return errFailed
		}
		slices.Sort(days)
		for _, day := range days {
			if err := l.parts.derived(l.files, fi, day); err != nil {
				return l.atFirstRow(ctx, tx, fi, src, fmt.Sprintf("%s AND %s = ?", where, l.opts.DayFrom.sql(t)), day, err)
			}
		}
	}
	return nil
}

// atFirstRow places err, a *RowError about file fi without a line, at the
// first row of the file, read as src, for which cond (on its columns, with
// one parameter, arg) holds.
func (l *loader) atFirstRow(ctx context.Context, tx *duckdb.Tx, fi int, src *source, cond string, arg any, err error) error {
	var re *RowError
	if !errors.As(err, &re) || re.Line != 0 {
		return err
	}
	var row int64
	q := fmt.Sprintf("SELECT fgen_row FROM (SELECT row_number() OVER () AS fgen_row, * FROM %s) WHERE %s ORDER BY fgen_row LIMIT 1", src.from, cond)
	if tx.QueryRow(ctx, q, []any{arg}, &row) != nil {
		return err // the message without a line
	}
	at, lerr := l.rowError(fi, row, re.Msg)
	if lerr != nil {
		return err
	}
	return at
}

// firstParse returns the first malformed row of the files, in file and line
// order, or nil.
func (l *loader) firstParse() *RowError {
	for _, in := range l.files {
		if in.scan != nil && in.scan.parse != nil {
			return in.scan.parse
		}
		if in.pq != nil && in.pq.problem != nil {
			return in.pq.problem
		}
		if in.format != sample.Parquet && in.scan == nil {
			return nil // not checked yet
		}
	}
	return nil
}

// before reports whether row error a is at a row before b's, in file and
// line order.
func (l *loader) before(a, b *RowError) bool {
	fa := slices.IndexFunc(l.files, func(in *input) bool { return in.path == a.File })
	fb := slices.IndexFunc(l.files, func(in *input) bool { return in.path == b.File })
	return fa < fb || fa == fb && a.Line < b.Line
}

// firstValue returns the first value the checks found that does not fit its
// column, or nil.
func (l *loader) firstValue() *RowError {
	for _, in := range l.files {
		if in.scan != nil && in.scan.value != nil {
			return in.scan.value
		}
	}
	return nil
}

// explain returns why a load failed, in a transaction that it rolls back.
func (l *loader) explain(ctx context.Context, tx *duckdb.Tx) error {
	l.check(ctx)
	for fi, in := range l.files {
		if in.format == sample.Parquet {
			if err := l.describeParquet(ctx, tx, fi); err != nil {
				return err
			}
		}
	}
	// A malformed row first, after which neither fgen nor DuckDB reads on,
	// with a bad value fgen's checks found before it: both are to fix
	// before the next load can say more.
	value := l.firstValue()
	if err := l.firstParse(); err != nil {
		if value != nil && l.before(value, err) {
			return &RowError{File: value.File, Line: value.Line, Msg: value.Msg + "; and " + err.Error()}
		}
		return err
	}
	// The first bad value: of those fgen checks, and of those DuckDB did
	// not convert, up to it.
	last := len(l.files) - 1
	if value != nil {
		last = slices.IndexFunc(l.files, func(in *input) bool { return in.scan != nil && in.scan.value == value })
	}
	for fi := 0; fi <= last; fi++ {
		bad, err := l.diagnose(ctx, tx, fi)
		if err != nil {
			return err
		}
		if bad != nil {
			if value == nil || !l.before(value, bad) {
				return bad
			}
			break // fgen's own check found one before it
		}
	}
	if value != nil {
		return value
	}
	if err := l.parts.error(l.files); err != nil {
		return err
	}
	if l.badHour != nil || slices.ContainsFunc(l.files, l.noHour) {
		return l.hourRow(ctx, tx)
	}
	for _, in := range l.files {
		if in.err == nil && !in.misread(l.beside) {
			continue
		}
		if l.beside {
			// DuckDB read the file before its check ended, as fgen guessed
			// it was; again, with what the check found.
			return errRetry
		}
		if duckutil.DiskFull(in.err) {
			// Of any format: a Parquet file's rows too.
			return fmt.Errorf("%s: the disk is full: %w; free space beside the warehouse (DuckDB writes the rows there before it commits), then load again", in.path, in.err)
		}
		if in.err != nil && in.format == sample.Parquet {
			return fmt.Errorf("%s: %w", in.path, in.err)
		}
		if in.err != nil {
			return fmt.Errorf("%s: DuckDB's reader failed where fgen's check did not: %w", in.path, in.err)
		}
		return in.miscounted()
	}
	return errors.New("the load failed for no reason fgen could find")
}
