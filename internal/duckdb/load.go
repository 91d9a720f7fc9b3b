package duckdb

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
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
func (d *DB) Load(ctx context.Context, opts LoadOptions) (int64, error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	stage := "fgen_stage"
	var cols []string
	for _, c := range opts.Columns {
		cols = append(cols, quote(c.Name)+" VARCHAR")
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s (fgen_file INTEGER, fgen_line BIGINT, %s, fgen_part VARCHAR)`, stage, strings.Join(cols, ", "))); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+stage)

	index := map[string]int{}
	for i, c := range opts.Columns {
		index[strings.ToLower(c.Name)] = i
	}
	for fi, file := range opts.Files {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		switch strings.ToLower(filepath.Ext(file)) {
		case ".jsonl", ".ndjson", ".json":
			err = conn.Raw(func(dc any) error {
				return appendFile(dc.(driver.Conn), stage, fi, file, opts, index, readJSONL)
			})
		case ".csv":
			err = conn.Raw(func(dc any) error {
				return appendFile(dc.(driver.Conn), stage, fi, file, opts, index, readCSV)
			})
		case ".parquet":
			err = d.stageParquet(ctx, conn, stage, fi, file, opts, index)
		default:
			err = fmt.Errorf("%s: unknown file type %q; use .jsonl, .csv or .parquet", file, filepath.Ext(file))
		}
		if err != nil {
			return 0, err
		}
	}
	if err := checkTypes(ctx, conn, stage, opts); err != nil {
		return 0, err
	}
	part := "?"
	args := []any{opts.Day}
	if opts.Day != "" {
		var fi int
		var line int64
		var val string
		err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT fgen_file, fgen_line, fgen_part FROM temp.%s WHERE fgen_part <> ? ORDER BY fgen_file, fgen_line LIMIT 1`, stage), opts.Day).Scan(&fi, &line, &val)
		if err == nil {
			return 0, &RowError{File: opts.Files[fi], Line: line, Msg: fmt.Sprintf("%s is %q but the rows are loaded into %s=%s; load them with --bizdate %s", opts.Partition, val, opts.Partition, opts.Day, val)}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, cleanError(err)
		}
	} else {
		if err := checkPartitions(ctx, conn, stage, opts); err != nil {
			return 0, err
		}
		part, args = "fgen_part", nil
	}

	var sel []string
	var names []string
	for _, c := range opts.Columns {
		names = append(names, quote(c.Name))
		if c.Type == "VARCHAR" {
			sel = append(sel, quote(c.Name))
		} else {
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s)", quote(c.Name), c.Type))
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	parts := fmt.Sprintf(`SELECT DISTINCT %s FROM temp.%s`, part, stage)
	if opts.Day != "" {
		parts = "SELECT ?"
	}
	if !opts.Append {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s IN (%s)`, quote(opts.Table), quote(opts.Partition), parts), args...); err != nil {
			return 0, cleanError(err)
		}
	}
	res, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (%s, %s) SELECT %s, %s FROM temp.%s ORDER BY fgen_file, fgen_line`,
		quote(opts.Table), strings.Join(names, ", "), quote(opts.Partition), strings.Join(sel, ", "), part, stage), args...)
	if err != nil {
		return 0, cleanError(err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO fgen_partitions SELECT ?, p FROM (%s) AS t(p) ON CONFLICT DO NOTHING`, parts), append([]any{opts.Table}, args...)...); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// rowReader reads a file's rows and calls emit with the 1-based line of each
// row and its values in column order (nil for NULL).
type rowReader func(r io.Reader, file string, opts LoadOptions, index map[string]int, emit func(line int64, vals []driver.Value) error) error

func appendFile(conn driver.Conn, stage string, fi int, file string, opts LoadOptions, index map[string]int, read rowReader) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	app, err := duckdb.NewAppender(conn, "temp", "", stage)
	if err != nil {
		return err
	}
	row := make([]driver.Value, len(opts.Columns)+3)
	err = read(bufio.NewReaderSize(f, 1<<20), file, opts, index, func(line int64, vals []driver.Value) error {
		row[0], row[1] = int32(fi), line
		copy(row[2:], vals)
		return app.AppendRow(row...)
	})
	if cerr := app.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// checkTypes finds the first value, in file and line order, that does not
// convert to its column's type.
func checkTypes(ctx context.Context, conn *sql.Conn, stage string, opts LoadOptions) error {
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
	q := fmt.Sprintf(`SELECT fgen_file, fgen_line, CASE %s END FROM temp.%s WHERE %s ORDER BY fgen_file, fgen_line LIMIT 1`,
		strings.Join(cases, " "), stage, strings.Join(bad, " OR "))
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
	conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %s FROM temp.%s WHERE fgen_file = ? AND fgen_line = ?`, quote(col), stage), fi, line).Scan(&val)
	return &RowError{File: opts.Files[fi], Line: line, Msg: fmt.Sprintf("column %s: %q is not a valid %s", col, val, typ)}
}

// checkPartitions requires every row to name a valid partition value when
// the load takes partitions from the rows.
func checkPartitions(ctx context.Context, conn *sql.Conn, stage string, opts LoadOptions) error {
	var fi int
	var line int64
	var val sql.NullString
	err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT fgen_file, fgen_line, fgen_part FROM temp.%s
		WHERE fgen_part IS NULL OR NOT regexp_full_match(fgen_part, '[0-9]{8}') OR try_strptime(fgen_part, '%%Y%%m%%d') IS NULL
		ORDER BY fgen_file, fgen_line LIMIT 1`, stage)).Scan(&fi, &line, &val)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return cleanError(err)
	}
	if !val.Valid {
		return &RowError{File: opts.Files[fi], Line: line, Msg: fmt.Sprintf("no %s value; give the partition with --bizdate yyyymmdd, or a %s column in every row", opts.Partition, opts.Partition)}
	}
	return &RowError{File: opts.Files[fi], Line: line, Msg: fmt.Sprintf("%s %q is not a date written yyyymmdd", opts.Partition, val.String)}
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// stageParquet copies a Parquet file into the stage, after checking its
// columns against the table's.
func (d *DB) stageParquet(ctx context.Context, conn *sql.Conn, stage string, fi int, file string, opts LoadOptions, index map[string]int) error {
	if _, err := os.Stat(file); err != nil {
		return err
	}
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
	var sel, names []string
	for _, name := range present {
		names = append(names, quote(opts.Columns[index[strings.ToLower(name)]].Name))
		sel = append(sel, fmt.Sprintf("CAST(%s AS VARCHAR)", quote(name)))
	}
	if partCol != "" {
		names = append(names, "fgen_part")
		sel = append(sel, fmt.Sprintf("CAST(%s AS VARCHAR)", quote(partCol)))
	}
	q := fmt.Sprintf(`INSERT INTO temp.%s (fgen_file, fgen_line, %s) SELECT %d, row_number() OVER (), %s FROM read_parquet(?)`,
		stage, strings.Join(names, ", "), fi, strings.Join(sel, ", "))
	if _, err := conn.ExecContext(ctx, q, file); err != nil {
		return fmt.Errorf("%s: %w", file, cleanError(err))
	}
	return nil
}

func columnNames(cols []LoadColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
