package duckdb

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
)

// LoadColumn is a column of the table being loaded, with its DuckDB type.
type LoadColumn struct {
	Name string
	Type string
}

// LoadOptions describe one load into a partition.
type LoadOptions struct {
	Table     string
	Partition string // the partition column, e.g. dt
	Day       string // the partition value; "" to take it from each row's partition column
	Columns   []LoadColumn
	Files     []string
	Append    bool // add to the partition instead of replacing it
	// HourPartition, for a table partitioned by day and hour, is its hour
	// column, which Columns must hold as VARCHAR: each row gives its hour,
	// 00 to 23. A load writes whole days: each day it loads has its 24
	// hour partitions, those without rows empty, as an hourly sync that
	// ran every hour of the day leaves them.
	HourPartition string
}

// RowError is a malformed row: the file, its 1-based line (or row, for
// Parquet) and what is wrong.
type RowError struct {
	File string
	Line int64
	Msg  string
}

func (e *RowError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Load reads JSON lines (.jsonl, .ndjson, .json), CSV (.csv, with a header)
// or Parquet (.parquet) files into one partition of a table, checking every
// row against the table's columns. Either every row of every file is loaded
// or, on the first malformed row, none is and the partition keeps its
// previous rows. It returns the number of rows loaded.
//
// Errors come in this order, each the first in file and line order: a row
// that does not parse (or a Parquet file with an unknown column), then a
// value that does not convert to its column's type, then a row whose
// partition value is missing, malformed or (Parquet) not the day loaded.
//
// fgen parses JSON lines and CSV itself and writes the rows, with their file
// and line, to staging CSV files of up to loadPartRows rows in a temporary
// directory beside the database (DuckDB reads Parquet files directly).
// While it stages the next part, DuckDB reads the previous one with its
// parallel CSV reader and converts and inserts its rows, all in one
// transaction; a part is removed once it is in. Only when an INSERT fails, or
// a partition value is wrong, does Load scan the staged rows for the first
// bad value, and then it rolls everything back.
func (d *DB) Load(ctx context.Context, opts LoadOptions) (int64, error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	dir, err := duckutil.StagingDir(ctx, conn)
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp(dir, ".fgen-load-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)

	var sel, names []string
	for _, c := range opts.Columns {
		names = append(names, quote(c.Name))
		if c.Type == "VARCHAR" {
			sel = append(sel, quote(c.Name))
		} else {
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s)", quote(c.Name), c.Type))
		}
	}
	part, args := "fgen_part", []any(nil)
	if opts.Day != "" {
		part, args = "?", []any{opts.Day}
	}
	insert := fmt.Sprintf(`INSERT INTO %s (%s, %s) SELECT %s, %s FROM `,
		quote(opts.Table), strings.Join(names, ", "), quote(opts.Partition), strings.Join(sel, ", "), part)
	deleteDays := func(tx *sql.Tx, days []string) error {
		if opts.Append {
			return nil
		}
		return deletePartitions(ctx, tx, opts.Table, opts.Partition, days)
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if opts.Day != "" {
		if err := deleteDays(tx, []string{opts.Day}); err != nil {
			return 0, cleanError(err)
		}
	}

	// Stage on a goroutine; insert each part as it comes.
	st := &stager{opts: opts, dir: tmp, firstAt: map[string]rowPos{}, partRows: loadPartRows}
	partc := make(chan stagedPart, 1)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		defer close(partc)
		done <- st.stageAll(ctx, d, partc, stop)
	}()
	var pending []stagedPart // parts not inserted, where a bad value may be
	var n int64
	var insertErr error
	stopped := false
	for p := range partc {
		if insertErr != nil || p.problem {
			pending = append(pending, p)
			continue // the load fails: only the error is left to find
		}
		err := deleteDays(tx, p.newDays)
		var res sql.Result
		if err == nil {
			src := p.insert
			if src == "" {
				src = source(opts, []stagedPart{p})
			}
			res, err = tx.ExecContext(ctx, insert+src, args...)
		}
		var got int64
		if err == nil {
			if got, _ = res.RowsAffected(); p.parquet == "" && got != p.rows {
				err = duckutil.RowCountError(got, p.rows, p.path)
			}
		}
		if err != nil {
			insertErr = err
			pending = append(pending, p)
			if ctx.Err() != nil && !stopped {
				close(stop)
				stopped = true
			}
			continue
		}
		n += got
		if p.parquet == "" {
			os.Remove(p.path)
		}
	}
	if err := <-done; err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	perr := st.partitionError()
	if insertErr != nil || perr != nil {
		tx.Rollback()
		if err := checkTypes(ctx, conn, source(opts, pending), opts); err != nil {
			return 0, err
		}
		if perr != nil {
			return 0, perr
		}
		if opts.HourPartition != "" && strings.Contains(insertErr.Error(), "NOT NULL constraint failed: "+opts.Table+"."+opts.HourPartition) {
			return 0, fmt.Errorf("a row has no %s value; %s is partitioned by hour: give every row its hour, 00 to 23", opts.HourPartition, opts.Table)
		}
		return 0, cleanError(insertErr)
	}
	if opts.HourPartition != "" {
		if err := checkHours(ctx, tx, opts, st.days()); err != nil {
			return 0, err
		}
	}
	for _, day := range st.days() {
		if opts.HourPartition == "" {
			if err := markPartition(ctx, tx, opts.Table, day); err != nil {
				return 0, err
			}
			continue
		}
		for h := range 24 {
			if err := markPartition(ctx, tx, opts.Table, fmt.Sprintf("%s/%02d", day, h)); err != nil {
				return 0, err
			}
		}
	}
	return n, tx.Commit()
}

// checkHours finds a row of the loaded days whose hour partition value is
// not two digits from 00 to 23.
func checkHours(ctx context.Context, tx *sql.Tx, opts LoadOptions, days []string) error {
	if len(days) == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(days)), ", ")
	q := fmt.Sprintf(`SELECT %[1]s, %[2]s FROM %[3]s WHERE %[1]s IN (%[4]s) AND (%[2]s IS NULL OR NOT regexp_full_match(%[2]s, '[01][0-9]|2[0-3]')) LIMIT 1`,
		quote(opts.Partition), quote(opts.HourPartition), quote(opts.Table), marks)
	var day string
	var hour sql.NullString
	err := tx.QueryRowContext(ctx, q, anys(days)...).Scan(&day, &hour)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return cleanError(err)
	case !hour.Valid:
		return fmt.Errorf("a row of %s=%s has no %s value; %s is partitioned by hour: give every row its hour, 00 to 23", opts.Partition, day, opts.HourPartition, opts.Table)
	}
	return fmt.Errorf("a row of %s=%s has %s %q; an hour partition value is two digits from 00 to 23", opts.Partition, day, opts.HourPartition, hour.String)
}

// loadPartRows is the most rows of one staging file: DuckDB inserts fewer,
// larger parts with less work, but the first part is inserted only once it
// is written. For a 10 M-row file on 2 cores, parts of 2 M rows loaded JSON
// lines in 13.5 to 14 s and CSV in 12.2 s, one part of all rows in 15.5 s
// and 12.8 s. A variable for tests.
var loadPartRows int64 = 2 << 20

func anys(s []string) []any {
	a := make([]any, len(s))
	for i, v := range s {
		a[i] = v
	}
	return a
}

// rowPos is a row's place: the index of its file in LoadOptions.Files and
// its line.
type rowPos struct {
	file int
	line int64
}

func (a rowPos) before(b rowPos) bool {
	return a.file < b.file || (a.file == b.file && a.line < b.line)
}

// stagedPart is a staging CSV file: per row the index of its input file,
// its line, the columns (all as text) and the partition value; or a Parquet
// file, read as the same columns.
type stagedPart struct {
	path    string
	parquet string   // for a Parquet part: its rows as the staged columns
	insert  string   // for a Parquet part: the same without line numbers, to insert
	rows    int64    // for a CSV part: its rows
	maxLine int      // bytes of the longest row
	newDays []string // without a day: partition values no earlier part had
	problem bool     // a partition value was wrong in this part or an earlier one
}

// stager stages the input files.
type stager struct {
	opts     LoadOptions
	dir      string
	partRows int64
	seq      int

	// Without a day: the first row of each partition value, and the first
	// row without one.
	firstAt   map[string]rowPos
	firstNull *rowPos
	invalid   bool // some partition value is not a date
	// With a day: the first Parquet row of another day.
	otherDay *RowError
}

func (st *stager) problem() bool { return st.firstNull != nil || st.invalid || st.otherDay != nil }

// stageAll stages every file and sends the parts on partc, until stop.
func (st *stager) stageAll(ctx context.Context, d *DB, partc chan<- stagedPart, stop <-chan struct{}) error {
	send := func(p stagedPart) error {
		select {
		case partc <- p:
			return nil
		case <-stop:
			return context.Canceled
		}
	}
	index := map[string]int{}
	for i, c := range st.opts.Columns {
		index[strings.ToLower(c.Name)] = i
	}
	for fi, file := range st.opts.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		switch strings.ToLower(filepath.Ext(file)) {
		case ".jsonl", ".ndjson", ".json":
			err = st.stageText(ctx, fi, file, index, readJSONL, send)
		case ".csv":
			err = st.stageText(ctx, fi, file, index, readCSV, send)
		case ".parquet":
			err = st.stageParquet(ctx, d, fi, file, index, send)
		default:
			err = fmt.Errorf("%s: unknown file type %q; use .jsonl, .csv or .parquet", file, filepath.Ext(file))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// partWriter writes one staging file.
type partWriter struct {
	f    *os.File
	w    *bufio.Writer
	part stagedPart
}

func (st *stager) newPart() (*partWriter, error) {
	path := filepath.Join(st.dir, fmt.Sprintf("part-%06d.csv", st.seq))
	st.seq++
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &partWriter{f: f, w: bufio.NewWriterSize(f, 1<<20), part: stagedPart{path: path}}, nil
}

func (pw *partWriter) close() error {
	err := pw.w.Flush()
	if cerr := pw.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// stageText stages a JSON lines or CSV file, parsed by read.
func (st *stager) stageText(ctx context.Context, fi int, file string, index map[string]int, read rowReader, send func(stagedPart) error) error {
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	var pw *partWriter
	defer func() {
		if pw != nil {
			pw.f.Close()
		}
	}()
	finish := func() error {
		err := pw.close()
		p := pw.part
		pw = nil
		if err != nil {
			return err
		}
		p.problem = st.problem()
		return send(p)
	}
	buf := make([]byte, 0, 1024)
	err = read(bufio.NewReaderSize(in, 1<<20), file, st.opts, index, func(line int64, r *row) error {
		if pw == nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			if pw, err = st.newPart(); err != nil {
				return err
			}
		}
		buf = strconv.AppendInt(buf[:0], int64(fi), 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, line, 10)
		var ok bool
		for i, v := range r.vals {
			buf = append(buf, ',')
			if !r.set[i] {
				continue
			}
			if buf, ok = appendField(buf, v); !ok {
				return &RowError{File: file, Line: line, Msg: fmt.Sprintf("column %s: %q is not valid UTF-8", st.opts.Columns[i].Name, v)}
			}
		}
		buf = append(buf, ',')
		if r.partSet {
			if buf, ok = appendField(buf, r.part); !ok {
				return &RowError{File: file, Line: line, Msg: fmt.Sprintf("%s %q is not valid UTF-8", st.opts.Partition, r.part)}
			}
		}
		buf = append(buf, '\n')
		if st.opts.Day == "" {
			st.sawPartition(&pw.part, r.part, r.partSet, rowPos{fi, line})
		}
		pw.part.maxLine = max(pw.part.maxLine, len(buf))
		pw.part.rows++
		if _, err := pw.w.Write(buf); err != nil {
			return err
		}
		if pw.part.rows == st.partRows {
			return finish()
		}
		return nil
	})
	if err == nil && pw != nil {
		err = finish()
	}
	return err
}

// sawPartition notes a row's partition value, for loads without a day.
func (st *stager) sawPartition(p *stagedPart, v []byte, set bool, at rowPos) {
	if !set {
		if st.firstNull == nil {
			first := at // a copy, so that at stays on the stack for every other row
			st.firstNull = &first
		}
		return
	}
	if _, ok := st.firstAt[string(v)]; !ok {
		day := string(v)
		st.firstAt[day] = at
		p.newDays = append(p.newDays, day)
		if !validDay(day) {
			st.invalid = true
		}
	}
}

// appendField appends v to a staging row as a CSV field: as it is when
// plainField, else quoted. ok is false, and b unchanged, if v is not UTF-8.
func appendField(b, v []byte) (_ []byte, ok bool) {
	if plainField(v) {
		return append(b, v...), true
	}
	if !utf8.Valid(v) {
		return b, false
	}
	return appendQuoted(b, v), true
}

// plainField reports whether v can be written to a staging file as it is:
// not empty (an unquoted empty field is NULL), all ASCII, and no comma,
// quote, CR or LF. Other values are quoted, after checking they are UTF-8.
func plainField(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if !stagePlain[c] {
			return false
		}
	}
	return true
}

var stagePlain = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = c != ',' && c != '"' && c != '\r' && c != '\n'
	}
	return t
}()

// appendQuoted appends v as a quoted CSV field.
func appendQuoted(b, v []byte) []byte {
	b = append(b, '"')
	for {
		i := slices.Index(v, '"')
		if i < 0 {
			break
		}
		b = append(b, v[:i+1]...)
		b = append(b, '"')
		v = v[i+1:]
	}
	b = append(b, v...)
	return append(b, '"')
}

// source is the DuckDB table expression of the rows of staged parts, "" if
// none: the staged columns fgen_file, fgen_line, the table's columns as
// VARCHAR and fgen_part.
func source(opts LoadOptions, parts []stagedPart) string {
	var srcs []string
	for i := 0; i < len(parts); {
		if parts[i].parquet != "" {
			srcs = append(srcs, parts[i].parquet)
			i++
			continue
		}
		j := i
		for j < len(parts) && parts[j].parquet == "" {
			j++
		}
		srcs = append(srcs, csvSource(opts, parts[i:j]))
		i = j
	}
	switch len(srcs) {
	case 0:
		return ""
	case 1:
		return srcs[0]
	}
	var b strings.Builder
	b.WriteString("(")
	for i, src := range srcs {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT * FROM ")
		b.WriteString(src)
	}
	b.WriteString(")")
	return b.String()
}

// csvSource reads staging CSV files.
func csvSource(opts LoadOptions, parts []stagedPart) string {
	var files, cols []string
	maxLine := 0
	for _, p := range parts {
		files = append(files, sqlString(p.path))
		maxLine = max(maxLine, p.maxLine)
	}
	cols = append(cols, "'fgen_file': 'INTEGER'", "'fgen_line': 'BIGINT'")
	for _, c := range opts.Columns {
		cols = append(cols, sqlString(c.Name)+": 'VARCHAR'")
	}
	cols = append(cols, "'fgen_part': 'VARCHAR'")
	// DuckDB refuses rows longer than max_line_size (2 MB by default), and
	// its buffers must hold two of them.
	maxLine = max(2<<20, maxLine+1)
	return fmt.Sprintf("read_csv([%s], header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', new_line = '\\n', allow_quoted_nulls = false, max_line_size = %d, buffer_size = %d, columns = {%s})",
		strings.Join(files, ", "), maxLine, max(32<<20, 2*maxLine), strings.Join(cols, ", "))
}

// partitionError returns the first row, in file and line order, whose
// partition value is missing or not a date (loads without a day) or, for
// Parquet rows, not the day loaded.
func (st *stager) partitionError() error {
	if st.opts.Day != "" {
		if st.otherDay != nil {
			return st.otherDay
		}
		return nil
	}
	var bad *rowPos
	var val string
	if st.firstNull != nil {
		bad = st.firstNull
	}
	for v, at := range st.firstAt {
		if validDay(v) || (bad != nil && !at.before(*bad)) {
			continue
		}
		bad, val = &at, v
	}
	if bad == nil {
		return nil
	}
	file := st.opts.Files[bad.file]
	if bad == st.firstNull {
		return &RowError{File: file, Line: bad.line, Msg: fmt.Sprintf("no %s value; give the partition with --bizdate yyyymmdd, or a %s column in every row", st.opts.Partition, st.opts.Partition)}
	}
	return &RowError{File: file, Line: bad.line, Msg: fmt.Sprintf("%s %q is not a date written yyyymmdd", st.opts.Partition, val)}
}

// validDay reports whether v is a date written yyyymmdd, as DuckDB's
// regexp_full_match(v, '[0-9]{8}') AND try_strptime(v, '%Y%m%d') IS NOT NULL.
func validDay(v string) bool {
	if len(v) != 8 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	_, err := time.Parse("20060102", v)
	return err == nil
}

// days returns the partitions the load writes, sorted.
func (st *stager) days() []string {
	if st.opts.Day != "" {
		return []string{st.opts.Day}
	}
	days := make([]string, 0, len(st.firstAt))
	for v := range st.firstAt {
		days = append(days, v)
	}
	slices.Sort(days)
	return days
}

// checkTypes finds the first value, in file and line order, of the staged
// rows src that does not convert to its column's type.
func checkTypes(ctx context.Context, conn *sql.Conn, src string, opts LoadOptions) error {
	if src == "" {
		return nil
	}
	var bad, cases []string
	for _, c := range opts.Columns {
		if c.Type == "VARCHAR" {
			continue
		}
		cond := fmt.Sprintf("(%s IS NOT NULL AND TRY_CAST(%s AS %s) IS NULL)", quote(c.Name), quote(c.Name), c.Type)
		bad = append(bad, cond)
		cases = append(cases, fmt.Sprintf("WHEN %s THEN %s", cond, sqlString(c.Name)))
	}
	if len(bad) == 0 {
		return nil
	}
	q := fmt.Sprintf(`SELECT fgen_file, fgen_line, CASE %s END FROM %s WHERE %s ORDER BY fgen_file, fgen_line LIMIT 1`,
		strings.Join(cases, " "), src, strings.Join(bad, " OR "))
	var fi int
	var line int64
	var col string
	err := conn.QueryRowContext(ctx, q).Scan(&fi, &line, &col)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return cleanError(err)
	}
	var val, typ string
	for _, c := range opts.Columns {
		if c.Name == col {
			typ = c.Type
		}
	}
	conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE fgen_file = ? AND fgen_line = ?`, quote(col), src), fi, line).Scan(&val)
	return &RowError{File: opts.Files[fi], Line: line, Msg: fmt.Sprintf("column %s: %q is not a valid %s", col, val, typ)}
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// stageParquet checks a Parquet file's columns against the table's and
// passes it on as a part that DuckDB reads directly, its rows numbered in
// file order. It runs on a connection of its own, as the load's connection
// may be inserting the previous part.
func (st *stager) stageParquet(ctx context.Context, d *DB, fi int, file string, index map[string]int, send func(stagedPart) error) error {
	if _, err := os.Stat(file); err != nil {
		return err
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	opts := st.opts
	rows, err := conn.QueryContext(ctx, `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(?))`, file)
	if err != nil {
		return fmt.Errorf("%s: %w", file, cleanError(err))
	}
	var present []string
	partCol := ""
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		if _, ok := index[strings.ToLower(name)]; !ok {
			if strings.EqualFold(name, opts.Partition) {
				partCol = name
				continue
			}
			rows.Close()
			return fmt.Errorf("%s: unknown column %q; the table %s has: %s", file, name, opts.Table, columnNames(opts.Columns))
		}
		present = append(present, name)
	}
	rows.Close()
	cols := make([]string, len(opts.Columns))
	for i, c := range opts.Columns {
		cols[i] = "CAST(NULL AS VARCHAR) AS " + quote(c.Name)
	}
	for _, name := range present {
		i := index[strings.ToLower(name)]
		cols[i] = fmt.Sprintf("CAST(%s AS VARCHAR) AS %s", quote(name), quote(opts.Columns[i].Name))
	}
	partExpr := "CAST(NULL AS VARCHAR)"
	if partCol != "" {
		partExpr = fmt.Sprintf("CAST(%s AS VARCHAR)", quote(partCol))
	}
	const parquetRows = `(SELECT %d AS fgen_file, %s AS fgen_line, %s, %s AS fgen_part FROM read_parquet(%s))`
	p := stagedPart{
		parquet: fmt.Sprintf(parquetRows, fi, "row_number() OVER ()", strings.Join(cols, ", "), partExpr, sqlString(file)),
		insert:  fmt.Sprintf(parquetRows, fi, "CAST(NULL AS BIGINT)", strings.Join(cols, ", "), partExpr, sqlString(file))}
	// The partition values; the first row of each one that is wrong.
	var vals []sql.NullString
	if partCol != "" {
		prow, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT %s FROM read_parquet(?)`, partExpr), file)
		if err != nil {
			return fmt.Errorf("%s: %w", file, cleanError(err))
		}
		for prow.Next() {
			var v sql.NullString
			if err := prow.Scan(&v); err != nil {
				prow.Close()
				return err
			}
			vals = append(vals, v)
		}
		prow.Close()
		if err := prow.Err(); err != nil {
			return err
		}
	} else {
		var n int64
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM read_parquet(?)`, file).Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", file, cleanError(err))
		}
		if n > 0 {
			vals = append(vals, sql.NullString{})
		}
	}
	firstRow := func(v sql.NullString) (int64, error) {
		if partCol == "" {
			return 1, nil
		}
		cond, args := "IS NULL", []any{file}
		if v.Valid {
			cond, args = "= ?", []any{file, v.String}
		}
		var line int64
		err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT min(fgen_line) FROM (SELECT %s AS fgen_part, row_number() OVER () AS fgen_line FROM read_parquet(?)) WHERE fgen_part %s`, partExpr, cond), args...).Scan(&line)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", file, cleanError(err))
		}
		return line, nil
	}
	slices.SortFunc(vals, func(a, b sql.NullString) int { return strings.Compare(a.String, b.String) })
	for _, v := range vals {
		switch {
		case opts.Day == "" && v.Valid && validDay(v.String):
			st.sawPartition(&p, []byte(v.String), true, rowPos{fi, 0}) // its row only matters when it is wrong
		case opts.Day == "":
			line, err := firstRow(v)
			if err != nil {
				return err
			}
			st.sawPartition(&p, []byte(v.String), v.Valid, rowPos{fi, line})
		case v.Valid && v.String != opts.Day:
			line, err := firstRow(v)
			if err != nil {
				return err
			}
			if st.otherDay == nil || line < st.otherDay.Line && st.otherDay.File == file {
				st.otherDay = &RowError{File: file, Line: line, Msg: otherDayMsg(opts.Partition, v.String, opts.Partition, opts.Day)}
			}
		}
	}
	p.problem = st.problem()
	return send(p)
}

// otherDayMsg is the error for a row whose partition value v is not day, the
// day loaded into the partition column partition; col is that column's name
// as the file writes it.
func otherDayMsg(col, v, partition, day string) string {
	return fmt.Sprintf("%s is %q but the rows are loaded into %s=%s; load them with --bizdate %s", col, v, partition, day, v)
}

func columnNames(cols []LoadColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
