package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// bytesCols are the columns of the table b: a BINARY (DuckDB's BLOB) and
// a DATE.
var bytesCols = []Column{{Name: "id", Type: "VARCHAR"}, {Name: "b", Type: "BLOB"}, {Name: "d", Type: "DATE"}}

// openBytes is a database with the table b, empty.
func openBytes(t *testing.T) (*duckdb.DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, "local.duckdb"), Threads: 1, InPlace: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Run(context.Background(), &warehouse.Job{Name: "fixture", Statements: []string{`CREATE TABLE b (id VARCHAR, b BLOB, d DATE, dt VARCHAR NOT NULL)`}}, nil); err != nil {
		t.Fatal(err)
	}
	return db, dir
}

// A BINARY column holds the bytes of its text as the file writes it, in
// every format: DuckDB's cast of text to BLOB reads \x41 as "A" (and
// refuses "C:\path"), where its JSON reader keeps the six bytes, so the
// same text was other bytes in CSV than in JSON lines.
func TestBinaryIsTheTextsBytes(t *testing.T) {
	db, dir := openBytes(t)
	ctx := context.Background()
	files := map[string]string{
		"1.csv":   "id,b\ncsv,a\\x41b\ncsv2,C:\\path\\x\n",
		"2.jsonl": `{"id":"json","b":"a\\x41b"}` + "\n" + `{"id":"json2","b":"C:\\path\\x"}` + "\n",
	}
	var paths []string
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	pq := filepath.Join(dir, "3.parquet")
	if err := db.Run(ctx, &warehouse.Job{Name: "parquet", Statements: []string{`COPY (SELECT * FROM (VALUES ('parquet', 'a\x41b'), ('parquet2', 'C:\path\x')) AS v(id, b)) TO '` + pq + `' (FORMAT parquet)`}}, nil); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, pq)
	if _, err := Load(ctx, db, Options{Table: "b", Partition: "dt", Day: "20210303", Columns: bytesCols, Files: paths}); err != nil {
		t.Fatal(err)
	}
	res, err := db.Query(ctx, `SELECT id, octet_length(b), CAST(b AS VARCHAR) FROM b ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Values {
		got = append(got, *r[0]+" "+*r[1]+" "+*r[2])
	}
	want := []string{`csv 6 a\x5Cx41b`, `csv2 9 C:\x5Cpath\x5Cx`, `json 6 a\x5Cx41b`, `json2 9 C:\x5Cpath\x5Cx`, `parquet 6 a\x5Cx41b`, `parquet2 9 C:\x5Cpath\x5Cx`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("BINARY values:\n%s\nwant (the text's bytes in each format):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A DATE's text with a time of day is refused, as a Parquet TIMESTAMP is:
// DuckDB would drop the time. Midnight, which a spreadsheet writes after
// every date, loses nothing and loads.
func TestDateWithATimeOfDay(t *testing.T) {
	db, dir := openBytes(t)
	ctx := context.Background()
	const msg = `column d: "2021-03-03 10:00:00" has a time of day, 10:00:00, which a DATE does not hold (DuckDB would drop it); declare the column DATETIME in funnel.toml, or write the date alone`
	for _, tc := range []struct{ name, data, err string }{
		{"1.csv", "id,d\na,2021-03-03 00:00:00\nb,2021-03-03 10:00:00\n", "1.csv:3: " + msg},
		{"2.jsonl", `{"id":"a","d":"2021-03-03T00:00:00.000"}` + "\n" + `{"id":"b","d":"2021-03-03 10:00:00"}` + "\n", "2.jsonl:2: " + msg},
		{"3.csv", "id,d\na,2021-03-03\nb,2021-03-03T00:00\n", ""},
	} {
		p := filepath.Join(dir, tc.name)
		if err := os.WriteFile(p, []byte(tc.data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(ctx, db, Options{Table: "b", Partition: "dt", Day: "20210303", Columns: bytesCols, Files: []string{p}, Append: true})
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.HasSuffix(err.Error(), tc.err)):
			t.Errorf("%s: %v\nwant ...%s", tc.name, err, tc.err)
		}
	}
	// The same text in a Parquet VARCHAR column.
	pq := filepath.Join(dir, "4.parquet")
	if err := db.Run(ctx, &warehouse.Job{Name: "parquet", Statements: []string{`COPY (SELECT * FROM (VALUES ('a', '2021-03-03 00:00:00'), ('b', '2021-03-03 10:00:00')) AS v(id, d)) TO '` + pq + `' (FORMAT parquet)`}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, db, Options{Table: "b", Partition: "dt", Day: "20210303", Columns: bytesCols, Files: []string{pq}, Append: true}); err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("Parquet: %v\nwant ...%s", err, msg)
	}
	res, err := db.Query(ctx, `SELECT count(*) FROM b`)
	if err != nil || *res.Values[0][0] != "2" {
		t.Errorf("rows = %v, %v; want the two of 3.csv alone", res, err)
	}
}

// A file named as text that is not (compressed, an archive, Parquet) is
// said to be what it is, with what to do, before any of it is read as
// text: its NUL bytes read as UTF-16's, and its first line as a header.
func TestLoadOfAFileThatIsNotText(t *testing.T) {
	db, dir := openBytes(t)
	for _, tc := range []struct{ name, data, want string }{
		{"gz.csv", "\x1f\x8b\x08\x00rest", "gz.csv: the file is gzip-compressed, not CSV text: decompress it into a file of its own (gzip -dc DIR/gz.csv > DIR/gz.text.csv), then load that"},
		{"book.csv", "PK\x03\x04rest", "book.csv: the file is a ZIP archive (as an .xlsx workbook is), not CSV text: save the sheet as CSV UTF-8, or unzip the file, and load the CSV file"},
		{"pq.jsonl", "PAR1\x15\x04\x15rest", "pq.jsonl: the file is a Parquet file, not JSON lines text: name it .parquet"},
		{"zst.jsonl", "\x28\xb5\x2f\xfdrest", "zst.jsonl: the file is zstd-compressed, not JSON lines text: decompress it into a file of its own (zstd -dc DIR/zst.jsonl > DIR/zst.text.jsonl), then load that"},
		{"bz.csv", "BZh91AY&SY\x8a\x01\x00rest", "bz.csv: the file is bzip2-compressed, not CSV text: decompress it into a file of its own (bzip2 -dc DIR/bz.csv > DIR/bz.text.csv), then load that"},
		{"my gz.csv", "\x1f\x8b\x08\x00rest", "my gz.csv: the file is gzip-compressed, not CSV text: decompress it into a file of its own (gzip -dc \"DIR/my gz.csv\" > \"DIR/my gz.text.csv\"), then load that"},
		// NUL bytes that are not UTF-16's: what a writer that stopped
		// leaves, or a binary file; not the header, quoted whole.
		{"zeros.csv", strings.Repeat("\x00", 1<<20), "zeros.csv: the file is not CSV text: its byte 1 is NUL, as in a binary file, or in one its writer stopped before it wrote; load the CSV file it should be"},
		{"elf.jsonl", "\x7fELF\x02\x01\x01" + strings.Repeat("\x00", 40), "elf.jsonl: the file is not JSON lines text: its byte 8 is NUL, as in a binary file, or in one its writer stopped before it wrote; load the JSON lines file it should be"},
		// Named .parquet, not Parquet: said before DuckDB's "No magic
		// bytes found at end of file".
		{"csv.parquet", "id,b\na,1\n", "csv.parquet: the file is not Parquet (it does not begin and end with Parquet's PAR1): if it is CSV or JSON lines, name it .csv or .jsonl"},
		{"cut.parquet", "PAR1\x15\x04\x15rest", "cut.parquet: the file is not a whole Parquet file: it begins as one, but does not end with Parquet's footer (cut short as it was written or copied?); write or copy it again"},
		{"empty.parquet", "", "empty.parquet: the file is empty, not Parquet: a Parquet file has at least its header and footer"},
		{"gz.parquet", "\x1f\x8b\x08\x00rest", "gz.parquet: the file is gzip-compressed, not Parquet: decompress it into a file of its own (gzip -dc DIR/gz.parquet > DIR/gz.text.parquet), then load that"},
		// A header's field is quoted to its first 60 bytes.
		{"wide.csv", strings.Repeat("x", 100_000) + "\n", `wide.csv:1: unknown column "` + strings.Repeat("x", 60) + `..." in the header; the table b has: id, b, d`},
		// Text that begins as those files do is read as text.
		{"text.csv", "PAR1,BZh\nx,y\n", `text.csv:1: unknown column "PAR1" in the header; the table b has: id, b, d`},
	} {
		p := filepath.Join(dir, tc.name)
		if err := os.WriteFile(p, []byte(tc.data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(context.Background(), db, Options{Table: "b", Partition: "dt", Day: "20210303", Columns: bytesCols, Files: []string{p}})
		if want := filepath.Join(dir, strings.ReplaceAll(tc.want, "DIR", dir)); err == nil || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", tc.name, err, want)
		}
	}
	// A NUL among text is a value's byte: the file loads, as DuckDB reads it.
	p := filepath.Join(dir, "nul.csv")
	if err := os.WriteFile(p, []byte("id\na\x00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), db, Options{Table: "b", Partition: "dt", Day: "20210303", Columns: bytesCols, Files: []string{p}}); err != nil {
		t.Errorf("a NUL in a value: %v", err)
	}
}

// Rows counted differently by DuckDB's reader and fgen's check are said
// to be of a file written to during the load when it was (its size or
// time changed since the load began), else a fault of fgen's.
func TestMiscountedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "grow.csv")
	if err := os.WriteFile(p, []byte("id\na\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	in := &input{path: p, size: fi.Size(), modified: fi.ModTime(), inserted: 3, scan: &scan{rows: 2}}
	if err := in.miscounted(); err == nil || !strings.Contains(err.Error(), "and the file did not change meanwhile: a fault of fgen's") {
		t.Errorf("a file as it was: %v", err)
	}
	if err := os.WriteFile(p, []byte("id\na\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := in.miscounted(); err == nil || err.Error() != p+": the file changed while fgen loaded it (DuckDB read 3 rows, fgen's check 2): load it once nothing writes to it" {
		t.Errorf("a file written to: %v", err)
	}
}

// timeOfDay, which checks text files, and sqlTimeOfDay, which checks
// Parquet strings, agree, and find a time where a DATE would drop one:
// not in midnight in UTC, with or without its zone, after any separator
// DuckDB takes between a date and its time.
func TestTimeOfDayTwins(t *testing.T) {
	db, _ := openBytes(t)
	for _, tc := range []struct {
		v    string
		time bool
	}{
		{"2021-03-03", false}, {"20210303", false}, {" 2021-03-03 ", false},
		{"2021-03-03 00:00:00", false}, {"2021-03-03T00:00", false}, {"2021-03-03 00:00:00.000", false},
		{"2021-03-03T00:00:00Z", false}, {"2021-03-03T00:00:00.000Z", false}, {"2021-03-03 00:00:00+00:00", false}, {"2021-03-03 00:00:00 UTC", false},
		{"10:00:00", false}, // no date: DuckDB reads no DATE of it either
		{"2021-03-03 10:00:00", true}, {"2021-03-03T10:00:00Z", true}, {"2021-03-03\t10:00:00", true}, {"2021-03-03\n00:00:01", true},
		{"2021-03-03 00:00:00.001", true}, {"2021-03-03 00:00:00+08:00", true}, {"2021-03-03 00:00:00 Asia/Shanghai", true},
	} {
		res, err := db.Query(context.Background(), `SELECT `+sqlTimeOfDay(sqlString(tc.v)))
		if err != nil {
			t.Fatal(err)
		}
		got, sql := timeOfDay([]byte(tc.v)) != nil, *res.Values[0][0] == "true"
		if got != tc.time || sql != tc.time {
			t.Errorf("%q: timeOfDay %v (%q), sqlTimeOfDay %v; want %v", tc.v, got, timeOfDay([]byte(tc.v)), sql, tc.time)
		}
	}
}

// A Parquet file that repeats a column's name (as writers other than
// DuckDB's may) is said to, by the names it writes: DuckDB renames the
// second (id_1, or ID_1 of ID), which no column of the table has. A nested
// column after them counts as one.
func TestLoadParquetRepeatedColumn(t *testing.T) {
	db, dir := openBytes(t)
	src := filepath.Join(dir, "src.parquet")
	if err := db.Run(context.Background(), &warehouse.Job{Name: "parquet", Statements: []string{`COPY (SELECT 'a' AS id, 'b' AS zq, {'x': 1, 'y': 2} AS s) TO '` + src + `' (FORMAT parquet)`}}, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("zq")); n == 0 {
		t.Fatal("no column name zq in the file")
	}
	for _, repeat := range []string{"id", "ID"} {
		p := filepath.Join(dir, repeat+".parquet")
		if err := os.WriteFile(p, bytes.ReplaceAll(data, []byte("zq"), []byte(repeat)), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(context.Background(), db, Options{Table: "b", Partition: "dt", Day: "20210303", Columns: bytesCols, Files: []string{p}})
		if want := fmt.Sprintf("%s: column %q appears twice (as %q and %q)", p, repeat, "id", repeat); err == nil || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", repeat, err, want)
		}
	}
}
