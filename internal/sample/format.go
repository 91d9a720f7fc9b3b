package sample

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/shell"
)

// Format is an output file format.
type Format int

// The output formats.
const (
	JSONL Format = iota + 1
	CSV
	Parquet
)

func (f Format) String() string {
	switch f {
	case JSONL:
		return "jsonl"
	case CSV:
		return "csv"
	case Parquet:
		return "parquet"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatFromPath chooses the format from the file extension (any case):
// .jsonl, .ndjson and .json are JSON Lines, .csv is CSV, .parquet is Parquet.
func FormatFromPath(path string) (Format, error) {
	ext := filepath.Ext(path)
	switch strings.ToLower(ext) {
	case ".jsonl", ".ndjson", ".json":
		return JSONL, nil
	case ".csv":
		return CSV, nil
	case ".parquet":
		return Parquet, nil
	case "":
		return 0, fmt.Errorf("%s: no file extension; use .jsonl, .ndjson, .json, .csv or .parquet", path)
	}
	return 0, fmt.Errorf("%s: unknown file extension %q; use .jsonl, .ndjson, .json, .csv or .parquet", path, ext)
}

// InputFormat is the format of the file a load reads at path, by its
// extension (FormatFromPath); of a compressed file of a format
// (events.csv.gz), the error says to decompress it.
func InputFormat(path string) (Format, error) {
	f, err := FormatFromPath(path)
	if err == nil {
		return f, nil
	}
	ext := filepath.Ext(path)
	inner := strings.TrimSuffix(path, ext)
	for _, c := range Compressions {
		if strings.EqualFold(ext, c.Ext) {
			if _, ierr := FormatFromPath(inner); ierr == nil {
				return 0, fmt.Errorf("%s: a compressed %s file, which fgen does not read; decompress it first (%s %s > %s), then load %s", path, filepath.Ext(inner), c.Cat, shell.Quote(path), shell.Quote(inner), inner)
			}
		}
	}
	return 0, err
}

// Compression is a kind of compressed file that a load tells from text, by
// its extension and by the bytes it starts with, and the command that
// writes its text to standard output.
type Compression struct {
	Name, Ext, Magic, Cat string
}

// Compressions are the compressed files a load names.
var Compressions = []Compression{
	{"gzip", ".gz", "\x1f\x8b", "gzip -dc"},
	{"zstd", ".zst", "\x28\xb5\x2f\xfd", "zstd -dc"},
	{"bzip2", ".bz2", "BZh", "bzip2 -dc"},
	{"xz", ".xz", "\xfd7zXZ\x00", "xz -dc"},
}

// Writer receives events, typically as Generate(opts, w.Write), and must be
// closed to flush them. Write does not keep the Event.
type Writer interface {
	Write(e *Event) error
	// Close flushes what was written. It does not close an io.Writer
	// passed to NewJSONLWriter or NewCSVWriter.
	Close() error
}

// ErrParquet is Create's error for a Parquet file, which DuckDB writes
// (ingest.CreateSample): this package is plain Go, and a build of fgen
// without cgo has no DuckDB.
var ErrParquet = errors.New("writing Parquet takes DuckDB, and this fgen was built without cgo (CGO_ENABLED=0), so it has none; " +
	"write .jsonl or .csv, or build fgen with cgo (CGO_ENABLED=1 and a C compiler)")

// Create creates (or truncates) the file at path and returns a Writer for the
// format FormatFromPath chooses, writing ts as tf says; Close also closes
// the file. On an error the caller should remove the partial file. For a
// Parquet file it returns ErrParquet.
func Create(path string, tf TimeFormat) (Writer, error) {
	f, err := FormatFromPath(path)
	if err != nil {
		return nil, err
	}
	if f == Parquet {
		return nil, fmt.Errorf("%s: %w", path, ErrParquet)
	}
	file, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if f == CSV {
		return fileWriter{NewCSVWriter(file, tf), file}, nil
	}
	return fileWriter{NewJSONLWriter(file, tf), file}, nil
}

type fileWriter struct {
	Writer
	f *os.File
}

func (w fileWriter) Close() error {
	err := w.Writer.Close()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// DuckDBSource returns a DuckDB table expression that reads a file this
// package wrote in format f, ts as tf says, with the column types of the
// ODS table plus dt and, for CSV, NULL and the empty string kept apart:
//
//	SELECT count(*) FROM read_csv('out.csv', header = true, ...)
//
// Auto-detection would read the numeric uids of a CSV file as BIGINT.
func DuckDBSource(f Format, path string, tf TimeFormat) string {
	path = duckutil.EscapeGlob(path) // a file, not a pattern; hive_partitioning = false: its rows' dt, not a directory's
	var b strings.Builder
	switch f {
	case JSONL:
		b.WriteString("read_json(")
		b.WriteString(sqlString(path))
		b.WriteString(", format = 'newline_delimited', hive_partitioning = false, columns = ")
		writeColumnStruct(&b, tf)
		b.WriteString(")")
	case CSV:
		b.WriteString("read_csv(")
		b.WriteString(sqlString(path))
		b.WriteString(", header = true, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, hive_partitioning = false, columns = ")
		writeColumnStruct(&b, tf)
		b.WriteString(")")
	default:
		b.WriteString("read_parquet(")
		b.WriteString(sqlString(path))
		b.WriteString(", hive_partitioning = false)")
	}
	return b.String()
}

func writeColumnStruct(b *strings.Builder, tf TimeFormat) {
	b.WriteString("{")
	for i, c := range fileColumns() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "'%s': '%s'", c, columnType(i, tf))
	}
	b.WriteString("}")
}

// fileColumns are Columns and dt.
func fileColumns() []string { return append(Columns(), PartitionColumn) }

// columnType is the DuckDB type of column i of fileColumns, ts as tf says.
func columnType(i int, tf TimeFormat) string {
	if i == tsColumn {
		return tf.duckType()
	}
	return columnTypes[i]
}

// tsColumn is the index of ts in Columns.
const tsColumn = 2

// CreateTableSQL is the DuckDB DDL of a table for the rows of this package,
// ts as tf says.
func CreateTableSQL(table string, tf TimeFormat) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(table)
	b.WriteString(" (")
	for i, c := range fileColumns() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c)
		b.WriteString(" ")
		b.WriteString(columnType(i, tf))
	}
	b.WriteString(")")
	return b.String()
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
