package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	duckdbgo "github.com/duckdb/duckdb-go/v2"

	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
)

// SampleParquet writes fgen sample's events to CSV part files in a staging directory
// beside the output, and DuckDB converts each part to Parquet with its
// parallel CSV reader while the next part is written; Close merges the
// parts, in order, into the output (an output of one part is converted
// straight to it), as AppendSample's CSV parts go to a table. It replaced
// rows appended to an in-memory table with DuckDB's appender, one core's
// work: 3 M events took 13.4 to 14.9 s that way and take 9.3 to 9.8 s this
// way, and 20 M events 61.5 s at 332 MiB of resident memory, which does not grow
// with the output (a part is streamed, and the merge reads and writes row
// groups).
type SampleParquet struct {
	ctx        context.Context // stops DuckDB's conversions and merge
	path       string
	connector  *duckdbgo.Connector
	db         *sql.DB
	tf         sample.TimeFormat
	partRows   int
	total      int64 // rows written
	tmpDir     string
	releaseTmp func() error  // removes tmpDir
	file       *os.File      // the CSV part being written, or nil
	csv        sample.Writer // writes to file
	rows       int           // rows in file
	converting chan error    // the previous part's conversion, or nil
	parts      []string      // Parquet parts, converted or converting
	failed     error         // a Write's, after which Close writes nothing
	closed     bool
}

// defaultPartRows rows make a CSV part of about 280 MB. Fewer, larger
// parts cost less to merge; the CSV parts of one output never take more
// than two parts' worth of disk at a time.
const defaultPartRows = 1 << 21

// parquetMemory bounds the in-memory database: with DuckDB's default limit,
// 80 % of the machine's memory, Close's merge of the parts grew with the
// output (1.6 GiB of resident memory for 20 M rows); with 256MB it peaked at
// 324 MiB and wrote the same bytes. What does not fit spills to the staging
// directory beside the output (DuckDB's default place for an in-memory
// database, .tmp in the working directory, is not fgen's).
const parquetMemory = "256MB"

// NewSampleParquet returns a sample.Writer whose Close writes a Parquet file
// at path with the columns of sample.Columns and then dt; the string columns are
// VARCHAR (Parquet BYTE_ARRAY UTF8), the others BIGINT (INT64), but ts as
// tf says: BIGINT, TIMESTAMP (microseconds, UTC) or VARCHAR. When ctx ends,
// DuckDB stops the conversion or merge under way, and the next Write that
// ends a part, or Close, returns ctx's error; Close then writes nothing.
func NewSampleParquet(ctx context.Context, path string, tf sample.TimeFormat) (*SampleParquet, error) {
	dir, release, err := duckutil.MakeStagingDir(filepath.Dir(path), duckutil.SamplePrefix)
	if err != nil {
		return nil, fmt.Errorf("parquet %s: %w", path, err)
	}
	dsn := url.Values{"memory_limit": {parquetMemory}, "temp_directory": {filepath.Join(dir, "spill")}}
	connector, err := duckdbgo.NewConnector("?"+dsn.Encode()+"&"+duckutil.Offline, nil)
	if err != nil {
		release()
		return nil, fmt.Errorf("parquet %s: open duckdb: %w", path, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	return &SampleParquet{ctx: ctx, path: path, connector: connector, db: db, partRows: defaultPartRows, tf: tf, tmpDir: dir, releaseTmp: release}, nil
}

// Write adds e to the current CSV part.
func (p *SampleParquet) Write(e *sample.Event) error {
	if p.closed {
		return fmt.Errorf("parquet %s: write after close", p.path)
	}
	if p.failed != nil {
		return p.failed
	}
	err := p.write(e)
	if err != nil {
		p.failed = fmt.Errorf("parquet %s: %w", p.path, err)
		return p.failed
	}
	return nil
}

func (p *SampleParquet) write(e *sample.Event) error {
	if p.file == nil {
		f, err := os.Create(filepath.Join(p.tmpDir, fmt.Sprintf("part-%06d.csv", len(p.parts))))
		if err != nil {
			return err
		}
		p.file, p.csv, p.rows = f, sample.NewCSVWriter(f, p.tf), 0
	}
	if err := p.csv.Write(e); err != nil {
		return err
	}
	p.rows++
	p.total++
	if p.rows == p.partRows {
		return p.spill()
	}
	return nil
}

// endPart closes the current CSV part and returns its path.
func (p *SampleParquet) endPart() (string, error) {
	name := p.file.Name()
	err := p.csv.Close()
	if cerr := p.file.Close(); err == nil {
		err = cerr
	}
	p.file, p.csv = nil, nil
	return name, err
}

// spill ends the current CSV part and converts it to the next Parquet part
// in the background, once the previous conversion is done.
func (p *SampleParquet) spill() error {
	csvPath, err := p.endPart()
	if err == nil {
		err = p.wait()
	}
	if err == nil {
		err = p.ctx.Err()
	}
	if err != nil {
		os.Remove(csvPath)
		return err
	}
	part := strings.TrimSuffix(csvPath, ".csv") + ".parquet"
	p.parts = append(p.parts, part)
	done := make(chan error, 1)
	p.converting = done
	rows := int64(p.rows)
	go func() {
		err := p.copyTo(sample.DuckDBSource(sample.CSV, csvPath, p.tf), part, rows)
		os.Remove(csvPath)
		done <- err
	}()
	return nil
}

// wait waits for the conversion under way, if any, and returns its error.
func (p *SampleParquet) wait() error {
	if p.converting == nil {
		return nil
	}
	err := <-p.converting
	p.converting = nil
	return err
}

// copyTo writes the rows of the table expression from, which must be rows
// in all, to a Parquet file. With preserve_insertion_order (the default)
// the rows keep their order. When p.ctx ends, DuckDB stops and copyTo
// returns its error.
func (p *SampleParquet) copyTo(from, path string, rows int64) error {
	return execRows(p.ctx, p.db, "COPY (SELECT * FROM "+from+") TO "+sqlString(path)+" (FORMAT parquet)", rows, path)
}

// Close writes the Parquet file and releases DuckDB and the part files.
// After a Write failed it writes nothing and returns that Write's error.
func (p *SampleParquet) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	if p.failed != nil {
		return errors.Join(p.failed, p.release())
	}
	err := p.finish()
	err = errors.Join(err, p.release())
	if err != nil {
		return fmt.Errorf("parquet %s: %w", p.path, err)
	}
	return nil
}

func (p *SampleParquet) finish() error {
	if len(p.parts) == 0 {
		if p.file == nil { // no rows: an empty file with the columns
			f, err := os.Create(filepath.Join(p.tmpDir, "part-000000.csv"))
			if err != nil {
				return err
			}
			p.file, p.csv = f, sample.NewCSVWriter(f, p.tf)
		}
		csvPath, err := p.endPart()
		if err != nil {
			return err
		}
		return p.copyTo(sample.DuckDBSource(sample.CSV, csvPath, p.tf), p.path, p.total)
	}
	if p.file != nil {
		if err := p.spill(); err != nil {
			return err
		}
	}
	if err := p.wait(); err != nil {
		return err
	}
	list := make([]string, len(p.parts))
	for i, part := range p.parts {
		list[i] = sqlString(duckutil.EscapeGlob(part))
	}
	return p.copyTo("read_parquet(["+strings.Join(list, ", ")+"], hive_partitioning = false)", p.path, p.total)
}

func (p *SampleParquet) release() error {
	err := p.wait()
	if p.file != nil {
		p.file.Close()
		p.file, p.csv = nil, nil
	}
	err = errors.Join(err, p.db.Close(), p.connector.Close())
	return errors.Join(err, p.releaseTmp())
}

// AppendSample generates fgen sample's events of opts and appends them to an
// existing DuckDB table on conn, which must be a connection of the duckdb-go
// driver. table is name, schema.name or catalog.schema.name (unquoted); it
// must have the 12 columns of sample.Columns, typed as in the ODS table
// (VARCHAR or BIGINT; ts as opts.Time says), and the VARCHAR column
// partition, which gets the day (sample.CreateTableSQL: dt); its other
// columns, if any, are NULL in the rows appended. It returns the number of
// rows appended, which keep the order sample.Generate emits them in. On an
// error, rows already appended stay in the table unless the caller runs
// AppendSample inside a transaction on
// conn and rolls it back. ctx is checked every few thousand users and stops DuckDB.
//
// DuckDB takes the rows in bulk: a goroutine writes them to CSV part files
// of appendPartRows rows in a temporary directory (beside the database file,
// or in os.TempDir for an in-memory database) while DuckDB reads the previous
// part with its parallel CSV reader, so generating, parsing and compressing
// overlap; a part is removed once it is in the table. Most of the time goes
// to DuckDB compressing the rows into the table, which it does on all its
// threads this way but did on one with the row-at-a-time appender: a 10 M
// event day took 10.5 to 11 s on 2 cores, against 19 s with the appender.
func AppendSample(ctx context.Context, conn *sql.Conn, table, partition string, opts sample.Options) (int64, error) {
	n, err := appendSample(ctx, conn, table, partition, opts, appendPartRows)
	if err != nil {
		return n, fmt.Errorf("write sample rows into %s: %w", table, duckutil.FirstParagraph(err))
	}
	return n, nil
}

// appendPartRows rows make a CSV part of about 280 MB; at most three parts
// exist at a time. For a 10 M-event day, parts of 2 M rows loaded in 10.5 to
// 11.3 s and 1 M rows in 11.8 to 12.3 s; parts of 256 K rows took half as
// much CPU again and twice the memory: DuckDB does better with fewer, larger
// INSERTs.
const appendPartRows = 1 << 21

func appendSample(ctx context.Context, conn *sql.Conn, table, partition string, opts sample.Options, partRows int) (int64, error) {
	target := quoteTable(table)
	// Fail before generating anything if the table is not there.
	if _, err := conn.ExecContext(ctx, "SELECT * FROM "+target+" LIMIT 0"); err != nil {
		return 0, err
	}
	dir, err := duckutil.StagingDir(ctx, conn)
	if err != nil {
		return 0, err
	}
	tmp, release, err := duckutil.MakeStagingDir(dir, duckutil.SamplePrefix)
	if err != nil {
		return 0, err
	}
	defer release()

	parts := make(chan csvPart, 1)          // one part waiting while DuckDB reads another
	genCtx, stop := context.WithCancel(ctx) // stops the generator when a part fails
	defer stop()
	genErr := make(chan error, 1)
	go func() {
		defer close(parts)
		genErr <- writeParts(genCtx, tmp, opts, partRows, parts)
	}()
	var n int64
	var err2 error
	for p := range parts {
		if err2 == nil {
			err2 = insertPart(ctx, conn, target, partition, p, opts.Time)
			if err2 == nil {
				n += p.rows
			} else {
				stop()
			}
		}
		os.Remove(p.path)
	}
	err = <-genErr
	if err2 != nil {
		return n, err2
	}
	if err != nil {
		return n, err
	}
	return n, nil
}

// csvPart is a CSV file of rows of sample.Generate, with its row count.
type csvPart struct {
	path string
	rows int64
}

// writeParts generates the events of opts into CSV files of partRows rows
// in dir and sends each one, complete, on parts. It stops when ctx ends.
func writeParts(ctx context.Context, dir string, opts sample.Options, partRows int, parts chan<- csvPart) error {
	var f *os.File
	var w sample.Writer
	var cur csvPart
	seq := 0
	finish := func() error {
		err := w.Close()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		f, w = nil, nil
		if err != nil {
			return err
		}
		if ctx.Err() == nil { // first: the select picks either when both are ready
			select {
			case parts <- cur:
				return nil
			case <-ctx.Done():
			}
		}
		os.Remove(cur.path)
		return ctx.Err()
	}
	err := sample.GenerateContext(ctx, opts, func(e *sample.Event) error {
		if w == nil {
			cur = csvPart{path: filepath.Join(dir, fmt.Sprintf("part-%06d.csv", seq))}
			seq++
			var err error
			if f, err = os.Create(cur.path); err != nil {
				return err
			}
			w = sample.NewCSVWriter(f, opts.Time)
		}
		if err := w.Write(e); err != nil {
			return err
		}
		cur.rows++
		if cur.rows == int64(partRows) {
			return finish()
		}
		return nil
	})
	if err == nil && w != nil {
		err = finish()
	}
	if f != nil {
		f.Close()
		os.Remove(cur.path)
	}
	return err
}

// insertPart inserts the rows of part p into target, by the columns' names:
// the file's dt into partition, and NULL into the table's other columns.
func insertPart(ctx context.Context, conn *sql.Conn, target, partition string, p csvPart, tf sample.TimeFormat) error {
	cols := make([]string, 0, len(sample.Columns())+1)
	for _, c := range sample.Columns() {
		cols = append(cols, quote(c))
	}
	cols = append(cols, quote(partition))
	return execRows(ctx, conn, "INSERT INTO "+target+" ("+strings.Join(cols, ", ")+") SELECT * FROM "+sample.DuckDBSource(sample.CSV, p.path, tf), p.rows, p.path)
}

// execRows runs a statement that must move rows rows, those of the file
// at path, and compares the count DuckDB reports; when ctx ends, DuckDB
// stops and execRows returns ctx's error.
func execRows(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string, rows int64, path string) error {
	res, err := db.ExecContext(ctx, query)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if got, err := res.RowsAffected(); err == nil && got != rows {
		return duckutil.RowCountError(got, rows, path)
	}
	return nil
}

// SampleTooLong checks fgen sample's rows in the partitions days of the ODS
// table against the columns it declares VARCHAR(n) or CHAR(n): the sample's
// values (a device model, an IP address, an event) are its own, not the
// user's, MaxCompute holds at most n characters there, and DuckDB's VARCHAR
// holds any length, so fgen load's check must be made here too. It names a
// value too long for its column, and is nil when every value fits.
func SampleTooLong(ctx context.Context, conn *sql.Conn, ods *models.Table, days []string) error {
	for _, c := range ods.Columns {
		// As fgen load checks its column (newColumn's maxChars).
		lc := newColumn(Column{Name: c.Name, Type: "VARCHAR", Declared: c.Type})
		tooLong := lc.sqlTooLong(quote(c.Name))
		if tooLong == "" || !slices.ContainsFunc(sample.Columns(), func(s string) bool { return strings.EqualFold(s, c.Name) }) {
			continue
		}
		col := quote(c.Name)
		q := fmt.Sprintf("SELECT %[1]s, length(%[1]s) FROM %[2]s WHERE %[3]s IN (%[4]s) AND %[5]s LIMIT 1",
			col, quoteTable(ods.Name), quote(ods.Partition), sqlList(days), tooLong)
		var v string
		var chars int
		switch err := conn.QueryRowContext(ctx, q).Scan(&v, &chars); {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return fmt.Errorf("check the lengths of %s.%s: %w", ods.Name, c.Name, duckutil.FirstParagraph(err))
		}
		return fmt.Errorf("the sample's values of %s.%s are longer than its %s, which MaxCompute holds to, e.g. %q (%d characters); declare the column longer (or STRING), or write a file with -o and adapt it",
			ods.Name, c.Name, c.Type, v, chars)
	}
	return nil
}

// quoteTable quotes a table name of one to three dotted parts for DuckDB.
func quoteTable(table string) string {
	catalog, schema, name := splitTable(table)
	target := quote(name)
	if schema != "" {
		target = quote(schema) + "." + target
	}
	if catalog != "" {
		target = quote(catalog) + "." + target
	}
	return target
}

func splitTable(t string) (catalog, schema, name string) {
	parts := strings.SplitN(t, ".", 3)
	switch len(parts) {
	case 3:
		return parts[0], parts[1], parts[2]
	case 2:
		return "", parts[0], parts[1]
	}
	return "", "", t
}

// CreateSample is sample.Create for every format: it creates (or truncates)
// the file at path and returns a sample.Writer for the format of its
// extension, ts as tf says, a Parquet file through NewSampleParquet.
func CreateSample(ctx context.Context, path string, tf sample.TimeFormat) (sample.Writer, error) {
	if f, err := sample.FormatFromPath(path); err != nil || f != sample.Parquet {
		return sample.Create(path, tf)
	}
	w, err := NewSampleParquet(ctx, path, tf)
	if err != nil {
		return nil, err
	}
	return w, nil
}
