package ingest

import (
	"fmt"
	"os"
	"strings"
)

// source is how DuckDB reads a file: a table function, and per column of
// the table that the file has, the expression of its value.
type source struct {
	from  string
	cols  []int          // the table's columns the file has, in order
	exprs map[int]string // per column (-1: the partition column)
	// Parquet with a day: the file's partition value, which must be the
	// day or NULL.
	checkDay string
}

func (s *source) add(col int, expr string) {
	if s.exprs == nil {
		s.exprs = map[int]string{}
	}
	if _, ok := s.exprs[col]; !ok && col >= 0 {
		s.cols = append(s.cols, col)
	}
	s.exprs[col] = expr
}

// readType is the type DuckDB reads column col (-1: the partition column)
// of a text file as: its own, but VARCHAR for a string column, or for every
// column when diagnosing (to find the values that do not convert).
func (l *loader) readType(col int, diag bool) string {
	if diag || col < 0 || l.cols[col].textual() {
		return "VARCHAR"
	}
	return l.cols[col].Type
}

// readValue is the value of column col (-1: the partition column) of a
// text file, read as readType says, x: its text's bytes for a BLOB
// (kindBinary), else x.
func (l *loader) readValue(col int, x string) string {
	if col >= 0 && l.cols[col].kind == kindBinary {
		return "encode(" + x + ")"
	}
	return x
}

// csvSource reads CSV file fi with read_csv, with what its check found if
// known is not nil. It is nil for an empty file.
func (l *loader) csvSource(fi int, known *scan, diag bool) (*source, error) {
	in := l.files[fi]
	var header []int
	if known != nil {
		header = known.header
	} else {
		f, err := os.Open(in.path)
		if err != nil {
			return nil, err
		}
		header, err = l.csvHeader(fi, f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if header == nil {
		return nil, nil
	}
	src := &source{}
	var cols []string
	for f, col := range header {
		name := fmt.Sprintf("c%d", f)
		cols = append(cols, fmt.Sprintf("'%s': '%s'", name, l.readType(col, diag)))
		src.add(col, l.readValue(col, name))
	}
	// The dialect but the line end, which DuckDB must find itself (told
	// '\n', it takes the CR of a CRLF for a line end of its own in a file of
	// one column). fgen's check is strict, so DuckDB need not be: its strict
	// mode refuses a file that mixes LF and CRLF line ends.
	opts := ""
	if known != nil && known.maxLine >= 1<<20 {
		// DuckDB refuses longer lines than max_line_size (2 MB by
		// default), and its buffers must hold two of them.
		size := known.maxLine + 1
		opts = fmt.Sprintf(", max_line_size = %d, buffer_size = %d", size, max(32<<20, 2*size))
	}
	src.from = fmt.Sprintf(`read_csv(%s, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', strict_mode = false, allow_quoted_nulls = false, hive_partitioning = false, columns = {%s}%s)`,
		sqlString(in.reader), strings.Join(cols, ", "), opts)
	return src, nil
}

// jsonSource reads JSON lines file fi with read_json, with what its check
// found if known is not nil.
func (l *loader) jsonSource(fi int, known *scan, diag bool) *source {
	in := l.files[fi]
	opts := ""
	if known != nil && known.maxLine >= 16<<20 {
		opts = fmt.Sprintf(", maximum_object_size = %d", known.maxLine+1)
	}
	src := &source{}
	if known != nil && known.respelled() {
		// Some key is not its column's name, so read_json would not match
		// it: take each line as an object and its values by every key that
		// named the column.
		add := func(col int, name string, spellings []string) {
			var vals []string
			for _, k := range append([]string{name}, spellings...) {
				vals = append(vals, fmt.Sprintf(`json_extract_string(json, %s)`, sqlString(`$."`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(k)+`"`)))
			}
			src.add(col, l.readValue(col, fmt.Sprintf("CAST(coalesce(%s) AS %s)", strings.Join(vals, ", "), l.readType(col, diag))))
		}
		for c, col := range l.cols {
			add(c, col.Name, known.spellings[c])
		}
		add(-1, l.opts.Partition, known.spellings[len(l.cols)])
		src.from = fmt.Sprintf("read_ndjson_objects(%s, hive_partitioning = false%s)", sqlString(in.reader), opts)
		return src
	}
	var cols []string
	for c, col := range l.cols {
		cols = append(cols, fmt.Sprintf("%s: '%s'", sqlString(col.Name), l.readType(c, diag)))
		src.add(c, l.readValue(c, quote(col.Name)))
	}
	if l.opts.Day == "" {
		cols = append(cols, fmt.Sprintf("%s: 'VARCHAR'", sqlString(l.opts.Partition)))
		src.add(-1, quote(l.opts.Partition))
	}
	src.from = fmt.Sprintf("read_json(%s, format = 'newline_delimited', records = true, hive_partitioning = false, columns = {%s}%s)",
		sqlString(in.reader), strings.Join(cols, ", "), opts)
	return src
}
