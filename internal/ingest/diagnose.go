package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/sample"
)

// diagnose returns the first value of file fi that DuckDB does not convert
// to its column's type, of the columns whose values fgen does not check
// itself. For a Parquet file loaded into a day, it also notes the first row
// of another day.
func (l *loader) diagnose(ctx context.Context, tx *duckdb.Tx, fi int) (*RowError, error) {
	in := l.files[fi]
	src, number, err := l.diagSource(fi)
	if src == nil || err != nil {
		return nil, err
	}
	var conds, names []string
	// check is the condition for a value of column col, read as expr, that
	// does not convert, and the value as the file has it; "" for none.
	check := func(col int, expr string) (string, string) { return l.textCheck(col, expr, in.format) }
	if in.format == sample.Parquet {
		check = func(col int, expr string) (string, string) {
			name := quote(in.pq.names[col])
			if t := l.cols[col].time; t != nil && in.pq.conv[col] != convNull {
				return fmt.Sprintf("%s IS NOT NULL AND NOT %s", name, t.sqlReads("CAST("+name+" AS VARCHAR)")), name
			}
			if l.nativeTime(fi, col) {
				if in.pq.conv[col] == convUTC {
					utc := sqlUTC(name)
					return fmt.Sprintf("%s IS NOT NULL AND %s", name, sqlOutOfRangeTime(utc)), utc
				}
				return fmt.Sprintf("%s IS NOT NULL AND (TRY_CAST(%s AS %s) IS NULL OR %s)", name, name, l.cols[col].Type, sqlOutOfRangeTime(name)), name
			}
			return l.parquetCheck(fi, col)
		}
		if err := l.otherDay(ctx, tx, fi, src); err != nil {
			return nil, err
		}
	}
	var cols []int
	for _, col := range src.cols {
		if cond, raw := check(col, src.exprs[col]); cond != "" {
			conds = append(conds, cond)
			names = append(names, raw)
			cols = append(cols, col)
		}
	}
	return l.firstInvalid(ctx, tx, fi, src, number, conds, names, cols)
}

// parquetCheck is the condition for a value of column col of Parquet file
// fi that does not convert to the column's type as parquetSource reads it,
// and the value as the file has it; "" for none.
func (l *loader) parquetCheck(fi, col int) (cond, raw string) {
	in := l.files[fi]
	c := &l.cols[col]
	name := quote(in.pq.names[col])
	switch in.pq.conv[col] {
	case convCast:
		cond = fmt.Sprintf("%s IS NOT NULL AND TRY_CAST(%s AS %s) IS NULL", name, name, c.Type)
	case convStrictInt:
		cond = fmt.Sprintf("%s IS NOT NULL AND (NOT regexp_full_match(%s, '-?[0-9]+') OR TRY_CAST(%s AS %s) IS NULL)", name, name, name, c.Type)
	case convTimeText:
		cond = fmt.Sprintf("%s IS NOT NULL AND (%s OR TRY_CAST(%s AS %s) IS NULL)", name, c.sqlNotATime(name), name, c.Type)
	case convFloatText:
		cond = fmt.Sprintf("%s IS NOT NULL AND (TRY_CAST(%s AS %s) IS NULL OR %s)", name, name, c.Type, sqlNotAFloat(name, c.Type))
	case convExactDecimal:
		cond = fmt.Sprintf("NOT %s", c.sqlDecimalOK("CAST("+name+" AS VARCHAR)"))
	}
	if long := c.sqlTooLong("CAST(" + name + " AS VARCHAR)"); long != "" && in.pq.conv[col] != convNull {
		cond = orElse(cond, long)
	}
	if c.belowMin(in.pq.conv[col]) {
		cond = orElse(cond, fmt.Sprintf("%s IS NOT NULL AND TRY_CAST(%s AS %s) < %d", name, name, c.Type, minBigint))
	}
	if cond == "" {
		return "", ""
	}
	return cond, name
}

// orElse is the condition a OR b; b alone when a is "".
func orElse(a, b string) string {
	if a == "" {
		return b
	}
	return fmt.Sprintf("(%s) OR (%s)", a, b)
}

// firstInvalid returns the first row of file fi, read as src and numbered
// by number, for which one of conds holds: the value names[i] of column
// cols[i] is not valid.
func (l *loader) firstInvalid(ctx context.Context, tx *duckdb.Tx, fi int, src *source, number string, conds, names []string, cols []int) (*RowError, error) {
	if len(conds) == 0 {
		return nil, nil
	}
	var which, value strings.Builder
	for i, cond := range conds {
		fmt.Fprintf(&which, " WHEN %s THEN %d", cond, i)
		fmt.Fprintf(&value, " WHEN %s THEN CAST(%s AS VARCHAR)", cond, names[i])
	}
	q := fmt.Sprintf("SELECT fgen_row, CASE%s END, CASE%s END FROM (SELECT %s AS fgen_row, * FROM %s) WHERE %s ORDER BY fgen_row LIMIT 1",
		which.String(), value.String(), number, src.from, strings.Join(conds, " OR "))
	var row int64
	var i int
	var val string
	err := tx.QueryRow(ctx, q, nil, &row, &i, &val)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.files[fi].path, err)
	}
	return l.rowError(fi, row, l.cols[cols[i]].notValid([]byte(val)))
}

// diagSource is how DuckDB reads file fi to find a row in it: every
// column of a text file as text, a Parquet file's as they are; and the
// expression of a row's number from 1. It is nil for an empty CSV file.
func (l *loader) diagSource(fi int) (*source, string, error) {
	in := l.files[fi]
	switch in.format {
	case sample.Parquet:
		return l.parquetSource(fi, true), "file_row_number + 1", nil
	case sample.CSV:
		src, err := l.csvSource(fi, in.scan, true)
		return src, "row_number() OVER ()", err
	}
	return l.jsonSource(fi, in.scan, true), "row_number() OVER ()", nil
}

// rowError is msg at row (numbered from 1) of file fi: at the line its
// record starts on in a text file.
func (l *loader) rowError(fi int, row int64, msg string) (*RowError, error) {
	in := l.files[fi]
	line := row
	if in.format != sample.Parquet {
		var err error
		if line, err = l.recordLine(fi, row); err != nil {
			return nil, err
		}
	}
	return &RowError{File: in.path, Line: line, Msg: msg}, nil
}

// textCheck is the condition for a value of a text file, read as VARCHAR,
// that DuckDB does not convert; "" for the columns fgen checks itself (a
// timestamp's zone it checks, DuckDB the rest).
func (l *loader) textCheck(col int, expr string, f sample.Format) (cond, raw string) {
	if col < 0 {
		return "", ""
	}
	switch l.cols[col].kind {
	case kindString:
		if long := l.cols[col].sqlTooLong(expr); long != "" {
			return long, expr
		}
		return "", ""
	case kindOther, kindTimestamp, kindDate, kindFloat:
	case kindBool:
		if f == sample.JSONL {
			return "", "" // fgen's check reads it as DuckDB's JSON reader does, which SQL's cast does not ("1", "2")
		}
	default:
		return "", ""
	}
	return fmt.Sprintf("%s IS NOT NULL AND TRY_CAST(%s AS %s) IS NULL", expr, expr, l.cols[col].Type), expr
}

// otherDay notes the first row of Parquet file fi whose partition value is
// not the day loaded.
func (l *loader) otherDay(ctx context.Context, tx *duckdb.Tx, fi int, src *source) error {
	if src.checkDay == "" || l.parts.otherDay != nil {
		return nil
	}
	in := l.files[fi]
	var row int64
	var v string
	err := tx.QueryRow(ctx, fmt.Sprintf("SELECT file_row_number + 1, %s FROM %s WHERE %s IS NOT NULL AND %s <> ? ORDER BY file_row_number LIMIT 1", src.checkDay, src.from, src.checkDay, src.checkDay),
		[]any{l.opts.Day}, &row, &v)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	l.parts.otherDay = &RowError{File: in.path, Line: row, Msg: otherDayMsg(in.pq.names[-1], v, l.opts.Partition, l.opts.Day)}
	return nil
}

// recordLine returns the line that the n-th record (1-based, blank lines
// not counted) of text file fi starts on.
func (l *loader) recordLine(fi int, n int64) (int64, error) {
	in := l.files[fi]
	f, err := os.Open(in.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if in.format == sample.CSV {
		c := newCSVChecker(l, fi, f)
		if err := c.readHeader(); err != nil {
			return 0, err
		}
		for i := int64(0); i < n; {
			err := c.record()
			if err == errBlank {
				continue
			}
			if err != nil {
				return 0, fmt.Errorf("%s: record %d: %w", in.path, n, err)
			}
			i++
		}
		return c.start, nil
	}
	lr := newLineReader(f, in.size)
	for i := int64(0); i < n; {
		line, err := lr.next()
		if err == io.EOF {
			return 0, fmt.Errorf("%s: no record %d", in.path, n)
		}
		if err != nil {
			return 0, err
		}
		if !blank(trimEOL(line)) {
			i++
		}
	}
	return lr.n, nil
}
