package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/sample"
)

// parquetFile is how a Parquet file's columns go into the table's.
type parquetFile struct {
	names   map[int]string // the file's column for each of the table's (-1: the partition column)
	types   map[int]string // its DuckDB type
	conv    map[int]conv
	problem *RowError // a column that does not fit, with the first row that has a value in it
}

// conv is how a Parquet column's values become the table column's.
type conv int

const (
	convSame         conv = iota // the same type
	convCast                     // CAST, which fails on a value that does not fit
	convStrictInt                // text into an integer column: digits, then CAST
	convNull                     // a type that does not fit, but only NULLs in the file
	convTimeText                 // text into a timestamp or date column: CAST, if it is a time (column.sqlNotATime)
	convExactDecimal             // text, or a decimal of more decimals, into a decimal column: CAST, if it does not round (decimalOK)
	convFloatText                // text into a FLOAT or DOUBLE: CAST, if floatOK takes it (sqlNotAFloat)
	convUTC                      // a TIMESTAMP WITH TIME ZONE (an instant) into a timestamp column: its UTC wall time
	convFloorMicros              // a TIMESTAMP_NS into a timestamp column: to the microsecond below (sqlFloorMicros)
	convEncode                   // text into a BLOB column: the text's bytes (kindBinary)
)

// describeParquet reads the columns of Parquet file fi and checks them
// against the table's.
func (l *loader) describeParquet(ctx context.Context, tx *duckdb.Tx, fi int) error {
	in := l.files[fi]
	if in.pq != nil {
		return nil
	}
	if what := notParquet(in.path); what != "" {
		in.pq = &parquetFile{problem: &RowError{File: in.path, Msg: what}}
		return nil
	}
	written, err := parquetNames(ctx, tx, in.reader)
	if err != nil {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	rows, err := tx.Query(ctx, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = false))`, in.reader)
	if err != nil {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	var names, types []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		names, types = append(names, name), append(types, typ)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	if len(written) != len(names) {
		written = names
	}
	pq := &parquetFile{names: map[int]string{}, types: map[int]string{}, conv: map[int]conv{}}
	var order []int
	seen := map[int]string{}
	for k, name := range names {
		// DuckDB renames a name the file repeats (uid, uid_1, or UID_1 of
		// UID): the file's own names say which columns they are.
		col, ok := l.lookup([]byte(written[k]))
		switch {
		case !ok && pq.problem == nil:
			pq.problem = &RowError{File: in.path, Msg: fmt.Sprintf("unknown column %q; the table %s has: %s", clip(written[k]), l.opts.Table, columnNames(l.cols))}
		case ok && seen[col] != "" && pq.problem == nil:
			pq.problem = &RowError{File: in.path, Msg: fmt.Sprintf("column %q appears twice (as %q and %q)", written[k], seen[col], written[k])}
		case ok:
			seen[col] = written[k]
			pq.names[col], pq.types[col] = name, types[k]
			order = append(order, col)
		}
	}
	in.pq = pq
	if pq.problem != nil {
		return nil
	}
	for _, col := range order {
		c, ok := l.fits(pq.types[col], col)
		if ok {
			pq.conv[col] = c
			continue
		}
		// No value of the column fits: an error if it has one.
		q := fmt.Sprintf(`SELECT file_row_number, CAST(%s AS VARCHAR) FROM read_parquet(?, file_row_number = true, hive_partitioning = false) WHERE %s IS NOT NULL ORDER BY file_row_number LIMIT 1`, quote(pq.names[col]), quote(pq.names[col]))
		var row int64
		var val string
		err := tx.QueryRow(ctx, q, []any{in.reader}, &row, &val)
		if err == sql.ErrNoRows {
			pq.conv[col] = convNull
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.path, err)
		}
		group, err := rowGroup(ctx, tx, in.reader, row)
		if err != nil {
			return err
		}
		if len(val) > 40 {
			val = val[:40] + "..."
		}
		if col < 0 {
			// The partition column, a string yyyymmdd in funnel.toml.
			pq.problem = &RowError{File: in.path, Line: row + 1, Msg: fmt.Sprintf("column %s: %s %s (row group %d) is not a partition value: write %s as a string yyyymmdd (or an integer) in the file, or leave it out and give --bizdate",
				l.opts.Partition, pq.types[col], val, group, l.opts.Partition)}
			return nil
		}
		typ := l.cols[col].typeName()
		pq.problem = &RowError{File: in.path, Line: row + 1, Msg: fmt.Sprintf("column %s: %s %s (row group %d) is not a valid %s; a %s column takes no %s values",
			l.cols[col].Name, pq.types[col], val, group, typ, typ, pq.types[col])}
		return nil
	}
	return nil
}

// parquetNames returns the names of the top-level columns of the Parquet
// file reader names, as the file writes them, in order (DESCRIBE gives
// DuckDB's, which renames a repeated one); nil for a file without columns.
// parquet_schema lists the schema's elements depth first, each group with
// its number of children, the root first.
func parquetNames(ctx context.Context, tx *duckdb.Tx, reader string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT name, coalesce(num_children, 0) FROM parquet_schema(?)`, reader)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type element struct {
		name     string
		children int64
	}
	var elems []element
	for rows.Next() {
		var e element
		if err := rows.Scan(&e.name, &e.children); err != nil {
			return nil, err
		}
		elems = append(elems, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var names []string
	i := 1 // past the root
	var skip func()
	skip = func() { // the element at i and its descendants
		n := elems[i].children
		for i++; n > 0 && i < len(elems); n-- {
			skip()
		}
	}
	for i < len(elems) {
		names = append(names, elems[i].name)
		skip()
	}
	return names, nil
}

// notUTF8 is err, why a load failed, with the column named when DuckDB's
// Parquet reader refused a string that is not UTF-8: its error names the
// file and the value, not the column, nor a row. The column is the first
// string column of the file that DuckDB cannot read alone: each is read in
// turn, in a transaction of their own (the load's has failed), until one
// fails, which ends it.
func (l *loader) notUTF8(ctx context.Context, db *duckdb.DB, rows int64, err error) error {
	if err == nil || !strings.Contains(err.Error(), "is not valid UTF8") {
		return err
	}
	for _, in := range l.files {
		if in.format != sample.Parquet || in.pq == nil || !strings.Contains(err.Error(), in.reader) {
			continue
		}
		var cols []int
		for col := range in.pq.names {
			if strings.EqualFold(in.pq.types[col], "VARCHAR") {
				cols = append(cols, col)
			}
		}
		slices.Sort(cols)
		var bad string
		db.UpdateRows(ctx, rows, func(tx *duckdb.Tx) error {
			for _, col := range cols {
				var n int64
				q := fmt.Sprintf(`SELECT count(length(%s)) FROM read_parquet(?, hive_partitioning = false)`, quote(in.pq.names[col]))
				if tx.QueryRow(ctx, q, []any{in.reader}, &n) != nil {
					bad = in.pq.names[col]
					return nil
				}
			}
			return nil
		})
		if bad != "" {
			return fmt.Errorf("%s: column %s holds a string that is not UTF-8, which DuckDB's Parquet reader refuses (%s); write the file's strings as UTF-8",
				in.path, bad, strings.TrimPrefix(err.Error(), in.path+": "))
		}
	}
	return err
}

// notParquet says what the file at path, named .parquet, is instead, when
// it does not begin and end as a Parquet file does (its magic, PAR1), where
// DuckDB would say "No magic bytes found at end of file"; "" for a file
// that does, or that cannot be read (DuckDB's error then says why).
func notParquet(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	var head [8]byte
	var tail [4]byte
	n, _ := f.ReadAt(head[:], 0)
	m, _ := f.ReadAt(tail[:], max(0, fi.Size()-4))
	switch {
	case n >= 4 && m == 4 && string(head[:4]) == "PAR1" && string(tail[:]) == "PAR1":
		return ""
	case n >= 4 && string(head[:4]) == "PAR1":
		return "the file is not a whole Parquet file: it begins as one, but does not end with Parquet's footer (cut short as it was written or copied?); write or copy it again"
	case n == 0:
		return "the file is empty, not Parquet: a Parquet file has at least its header and footer"
	}
	if c, fix := compressed(head[:n], path); c != "" {
		return fmt.Sprintf("the file is %s-compressed, not Parquet: %s", c, fix)
	}
	return "the file is not Parquet (it does not begin and end with Parquet's PAR1): if it is CSV or JSON lines, name it .csv or .jsonl"
}

// fits returns how a Parquet column of type src goes into column col (-1:
// the partition column), and false if no value of src does without loss.
func (l *loader) fits(src string, col int) (conv, bool) {
	src = strings.ToUpper(src)
	if nested(src) {
		return 0, false
	}
	if col < 0 {
		if src == "VARCHAR" {
			return convSame, true
		}
		return convCast, integerType(src)
	}
	c := &l.cols[col]
	dst := strings.ToUpper(c.Type)
	switch {
	case src == dst:
		return convSame, true
	case src == "VARCHAR" && c.kind == kindInt:
		return convStrictInt, true
	case src == "VARCHAR" && (c.kind == kindTimestamp || c.kind == kindDate):
		return convTimeText, true
	case src == "VARCHAR" && c.kind == kindFloat:
		return convFloatText, true
	case src == "VARCHAR" && c.kind == kindBinary:
		return convEncode, true
	case src == "VARCHAR" && c.kind != kindDecimal:
		return convCast, true
	case c.kind == kindString:
		// Any scalar but floating point (whose text is not what was
		// written) and bytes (which need not be UTF-8).
		return convCast, !floatType(src) && src != "BLOB"
	case c.kind == kindInt:
		return convCast, integerType(src) || (strings.HasPrefix(src, "DECIMAL(") && strings.HasSuffix(src, ",0)"))
	}
	if c.kind == kindDecimal {
		// Exactly, or not at all: a floating-point value is not the
		// decimal written, and DuckDB rounds a decimal of more decimals
		// (1.239 into DECIMAL(10,2) is 1.24) or text (convExactDecimal).
		_, s, ok := decimalType(src)
		switch {
		case src == "VARCHAR" || ok && s > c.scale:
			return convExactDecimal, true
		case ok:
			return convCast, true // a value too large for the column fails the cast
		}
		return convCast, integerType(src)
	}
	switch base, _, _ := strings.Cut(dst, "("); base {
	case "DOUBLE", "FLOAT", "REAL":
		return convCast, integerType(src) || floatType(src) || strings.HasPrefix(src, "DECIMAL")
	case "TIMESTAMP":
		if src == "TIMESTAMP WITH TIME ZONE" {
			// What Spark and pandas write for a time with a zone: an
			// instant, whose UTC wall time is what the column holds
			// (as a text time's zone, but one that DuckDB keeps).
			return convUTC, true
		}
		if src == "TIMESTAMP_NS" {
			return convFloorMicros, true
		}
		return convCast, src == "DATE" || strings.HasPrefix(src, "TIMESTAMP")
	}
	return 0, false
}

// belowMin reports whether a Parquet column converted by conv into the
// integer column c may hold a value below c's least, which DuckDB's type
// holds: -2^63 into a BIGINT (minBigint).
func (c *column) belowMin(conv conv) bool {
	return c.kind == kindInt && c.min == minBigint && conv != convNull
}

func nested(t string) bool {
	return strings.HasSuffix(t, "]") || strings.HasPrefix(t, "STRUCT") || strings.HasPrefix(t, "MAP") || strings.HasPrefix(t, "UNION")
}

func integerType(t string) bool {
	return slices.Contains([]string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}, t)
}

func floatType(t string) bool { return t == "FLOAT" || t == "DOUBLE" }

// rowGroup returns the row group of a file's row (both 0-based).
func rowGroup(ctx context.Context, tx *duckdb.Tx, file string, row int64) (int64, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(?) ORDER BY row_group_id`, file)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	defer rows.Close()
	var end int64
	for rows.Next() {
		var group, n int64
		if err := rows.Scan(&group, &n); err != nil {
			return 0, err
		}
		if end += n; row < end {
			return group, nil
		}
	}
	return 0, rows.Err()
}

// sqlNotAFloat is whether the text x is a number that floatOK refuses for
// the floating-point type typ (kindFloat), though CAST reads it: one with
// spaces around it, which CAST drops, or too large, which CAST reads as
// infinity (not written as one). NULL is none.
func sqlNotAFloat(x, typ string) string {
	return fmt.Sprintf("coalesce(%s <> %s OR isinf(TRY_CAST(%s AS %s)) AND NOT contains(lower(%s), 'inf'), false)", x, sqlTrim(x), x, typ, x)
}

// nativeTime reports whether column col of Parquet file fi is a date or
// time (not text) going into a timestamp or date column. DuckDB's
// infinity and -infinity are values of those types, which no log's event
// has, and so are years MaxCompute's DATE and DATETIME do not hold
// (outOfRange): sqlOutOfRangeTime finds them.
func (l *loader) nativeTime(fi, col int) bool {
	t := strings.ToUpper(l.files[fi].pq.types[col])
	k := l.cols[col].kind
	conv := l.files[fi].pq.conv[col]
	return (k == kindTimestamp || k == kindDate) && (t == "DATE" || strings.HasPrefix(t, "TIMESTAMP")) && (conv == convSame || conv == convCast || conv == convUTC || conv == convFloorMicros)
}

// sqlUTC is the UTC wall time, a TIMESTAMP, of the TIMESTAMP WITH TIME
// ZONE x: CAST would take the session's time zone, the machine's.
func sqlUTC(x string) string {
	return fmt.Sprintf("timezone('UTC', %s)", x)
}

// sqlFloorMicros is the TIMESTAMP_NS x as a TIMESTAMP, to the microsecond
// at or before it: CAST rounds (2021-03-03 23:59:59.9999996 to the next
// day), where a text time's digits beyond the microseconds are dropped.
// DuckDB's // truncates towards zero, which for times before 1970 is up.
// infinity and -infinity, which epoch_ns makes NULL, are CAST, for
// sqlOutOfRangeTime to refuse.
func sqlFloorMicros(x string) string {
	return fmt.Sprintf("CASE WHEN isinf(%s) THEN CAST(%s AS TIMESTAMP) ELSE make_timestamp(epoch_ns(%s) // 1000 - CAST(epoch_ns(%s) %% 1000 < 0 AS BIGINT)) END", x, x, x, x)
}

// sqlOutOfRangeTime is whether the date or time x (not text) is infinite or
// outside the years 0000 to 9999.
func sqlOutOfRangeTime(x string) string {
	return fmt.Sprintf("(isinf(%s) OR year(%s) NOT BETWEEN 0 AND 9999)", x, x)
}

// parquetSource reads Parquet file fi, whose columns describeParquet read.
func (l *loader) parquetSource(fi int, diag bool) *source {
	in := l.files[fi]
	pq := in.pq
	src := &source{}
	for col := range l.cols {
		name, ok := pq.names[col]
		if !ok {
			continue
		}
		x, typ := quote(name), l.cols[col].Type
		switch pq.conv[col] {
		case convSame:
			src.add(col, x)
		case convCast:
			src.add(col, fmt.Sprintf("CAST(%s AS %s)", x, typ))
		case convUTC:
			src.add(col, sqlUTC(x))
		case convFloorMicros:
			src.add(col, sqlFloorMicros(x))
		case convEncode:
			src.add(col, "encode("+x+")")
		case convStrictInt:
			src.add(col, fmt.Sprintf("CAST(CASE WHEN %s IS NULL OR regexp_full_match(%s, '-?[0-9]+') THEN %s ELSE error('fgen: not an integer') END AS %s)", x, x, x, typ))
		case convTimeText:
			src.add(col, fmt.Sprintf("CAST(CASE WHEN %s IS NULL OR NOT %s THEN %s ELSE error('fgen: not a time') END AS %s)", x, l.cols[col].sqlNotATime(x), x, typ))
		case convExactDecimal:
			src.add(col, fmt.Sprintf("CAST(CASE WHEN %s THEN %s ELSE error('fgen: a decimal that rounds') END AS %s)", l.cols[col].sqlDecimalOK("CAST("+x+" AS VARCHAR)"), x, typ))
		case convFloatText:
			src.add(col, fmt.Sprintf("CAST(CASE WHEN NOT %s THEN %s ELSE error('fgen: not a float') END AS %s)", sqlNotAFloat(x, typ), x, typ))
		}
		if l.cols[col].belowMin(pq.conv[col]) {
			x := src.exprs[col]
			src.add(col, fmt.Sprintf("CASE WHEN %s < %d THEN error('fgen: out of range') ELSE %s END", x, minBigint, x))
		}
		if l.nativeTime(fi, col) {
			x := src.exprs[col]
			src.add(col, fmt.Sprintf("CASE WHEN %s THEN error('fgen: out of range') ELSE %s END", sqlOutOfRangeTime(x), x))
		}
		if t := l.cols[col].time; t != nil && !diag && pq.conv[col] != convNull {
			x := src.exprs[col]
			src.add(col, fmt.Sprintf("CASE WHEN %s IS NULL OR %s THEN %s ELSE error('fgen: not a time in its format') END", x, t.sqlReads(x), x))
		}
	}
	if name, ok := pq.names[-1]; ok {
		x := fmt.Sprintf("CAST(%s AS VARCHAR)", quote(name))
		src.add(-1, x)
		if l.opts.Day != "" {
			src.checkDay = x
		}
	}
	opts := ""
	if diag {
		opts = ", file_row_number = true"
	}
	src.from = fmt.Sprintf("read_parquet(%s, hive_partitioning = false%s)", sqlString(in.reader), opts)
	return src
}

// parquetDays notes the partition values of Parquet file fi, for a load
// without a day, each at the first row that has it if it is not a date.
func (l *loader) parquetDays(ctx context.Context, tx *duckdb.Tx, fi int) error {
	if l.opts.Day != "" {
		return nil
	}
	if err := l.describeParquet(ctx, tx, fi); err != nil {
		return err
	}
	in := l.files[fi]
	if in.pq.problem != nil {
		return nil
	}
	name, ok := in.pq.names[-1]
	if !ok {
		return l.parquetNoDay(ctx, tx, fi, "true")
	}
	x := fmt.Sprintf("CAST(%s AS VARCHAR)", quote(name))
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT DISTINCT %s FROM read_parquet(?, hive_partitioning = false)`, x), in.reader)
	if err != nil {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	var vals []sql.NullString
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		vals = append(vals, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	slices.SortFunc(vals, func(a, b sql.NullString) int { return strings.Compare(a.String, b.String) })
	for _, v := range vals {
		if v.Valid && validDay(v.String) {
			l.parts.saw(fi, 0, name, []byte(v.String), true, false) // its row only matters when it is wrong
			continue
		}
		if !v.Valid {
			if err := l.parquetNoDay(ctx, tx, fi, x+" IS NULL"); err != nil {
				return err
			}
			continue
		}
		var row int64
		if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT min(file_row_number) FROM read_parquet(?, file_row_number = true, hive_partitioning = false) WHERE %s = ?`, x), []any{in.reader, v.String}, &row); err != nil {
			return fmt.Errorf("%s: %w", in.path, err)
		}
		l.parts.saw(fi, row+1, name, []byte(v.String), true, false)
	}
	return nil
}

// parquetNoDay notes the rows of Parquet file fi without a partition value,
// those where cond holds: the first that has no time to take the day from
// either (DayFrom), and whether some has one.
func (l *loader) parquetNoDay(ctx context.Context, tx *duckdb.Tx, fi int, cond string) error {
	in := l.files[fi]
	timed := "false"
	if name, ok := in.pq.names[l.timeCol]; ok && l.timeCol >= 0 && in.pq.conv[l.timeCol] != convNull {
		timed = quote(name) + " IS NOT NULL"
	}
	var first sql.NullInt64
	var some bool
	q := fmt.Sprintf(`SELECT min(file_row_number) FILTER (WHERE NOT %s), coalesce(bool_or(%s), false) FROM read_parquet(?, file_row_number = true, hive_partitioning = false) WHERE %s`, timed, timed, cond)
	if err := tx.QueryRow(ctx, q, []any{in.reader}, &first, &some); err != nil {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	if some {
		l.parts.saw(fi, 0, l.opts.Partition, nil, false, true)
	}
	if first.Valid {
		l.parts.saw(fi, first.Int64+1, l.opts.Partition, nil, false, false)
	}
	return nil
}
