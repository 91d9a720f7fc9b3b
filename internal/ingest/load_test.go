package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// loadCols are the columns of the test table t, one of each kind of type.
var loadCols = []Column{
	{Name: "id", Type: "VARCHAR"},
	{Name: "n", Type: "BIGINT"},
	{Name: "x", Type: "DOUBLE"},
	{Name: "ok", Type: "BOOLEAN"},
	{Name: "at", Type: "TIMESTAMP"},
	{Name: "amount", Type: "DECIMAL(10,2)"},
}

const loadTable = `CREATE TABLE t (id VARCHAR, n BIGINT, x DOUBLE, ok BOOLEAN, "at" TIMESTAMP, amount DECIMAL(10,2), dt VARCHAR NOT NULL)`

// loadFixture is a database file with the table t holding one row in each
// of the partitions 20210301 and 20210302, and a directory for input files.
type loadFixture struct {
	t   testing.TB
	db  *duckdb.DB
	dir string
}

func newLoadFixture(t testing.TB) *loadFixture {
	t.Helper()
	dir := t.TempDir()
	// InPlace: the test's own directory, which no other process creates a
	// warehouse in (duckdb's tests cover creating one beside its path).
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, "db", "local.duckdb"), Threads: 2, InPlace: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &loadFixture{t: t, db: db, dir: dir}
	f.exec(loadTable, `INSERT INTO t (id, dt) VALUES ('old1', '20210301'), ('old2', '20210302')`)
	return f
}

// exec runs statements on the fixture's database, as a job.
func (f *loadFixture) exec(stmts ...string) {
	f.t.Helper()
	if err := f.db.Run(context.Background(), &warehouse.Job{Name: "fixture", Statements: stmts}, nil); err != nil {
		f.t.Fatal(err)
	}
}

// file writes a file in the fixture's directory and returns its path.
func (f *loadFixture) file(name, data string) string {
	f.t.Helper()
	path := filepath.Join(f.dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// load loads files as a load with --allow-destructive does: a partition may
// shrink (TestLoadRefusesToShrink is the guard's test).
func (f *loadFixture) load(day string, appendRows bool, files ...string) (int64, error) {
	res, err := Load(context.Background(), f.db, Options{Table: "t", Partition: "dt", Day: day, Columns: loadCols, Files: files, Append: appendRows, AllowShrink: true})
	return res.Rows, err
}

// A load that would replace a partition with fewer than half its rows (an
// empty file, a few late rows of another day) fails and changes nothing;
// with AllowShrink it replaces. Each load says what each day held before
// and holds after.
func TestLoadRefusesToShrink(t *testing.T) {
	f := newLoadFixture(t)
	var two, four, late strings.Builder
	for i := range 4 {
		fmt.Fprintf(&four, `{"id":"a%d","dt":"20210303"}`+"\n", i)
		if i < 2 {
			fmt.Fprintf(&two, `{"id":"b%d","dt":"20210303"}`+"\n", i)
		}
		fmt.Fprintf(&late, `{"id":"c%d","dt":"20210304"}`+"\n", i)
	}
	late.WriteString(`{"id":"late","dt":"20210303"}` + "\n")
	load := func(day string, allow bool, data string) (Result, error) {
		return Load(context.Background(), f.db, Options{Table: "t", Partition: "dt", Day: day, Columns: loadCols, Files: []string{f.file("in.jsonl", data)}, AllowShrink: allow})
	}
	if res, err := load("20210303", false, four.String()); err != nil || !reflect.DeepEqual(res, Result{Rows: 4, Partitions: []PartitionRows{{Day: "20210303", Before: 0, After: 4}}}) {
		t.Fatalf("load = %+v, %v", res, err)
	}
	was := f.rows()
	for _, tc := range []struct {
		name, day, data string
		want            []PartitionRows
	}{
		{"empty file", "20210303", "", []PartitionRows{{Day: "20210303", Before: 4, After: 0}}},
		{"one row of the day in another's file", "", late.String(), []PartitionRows{{Day: "20210303", Before: 4, After: 1}}},
	} {
		res, err := load(tc.day, false, tc.data)
		var se *ShrinkError
		if !errors.As(err, &se) || !reflect.DeepEqual(se.Shrunk, tc.want) || se.Table != "t" || !strings.Contains(err.Error(), "it would replace the partition t/dt=20210303 (4 rows) with "+strconv.FormatInt(tc.want[0].After, 10)+", fewer than half") || res.Rows != 0 {
			t.Errorf("%s: load = %+v, %v; want a ShrinkError of %v", tc.name, res, err, tc.want)
		}
		if got := f.rows(); got != was {
			t.Errorf("%s: a refused load changed the table:\n%s", tc.name, got)
		}
	}
	// Half the rows is not a shrink; fewer with AllowShrink replace.
	if res, err := load("20210303", false, two.String()); err != nil || !reflect.DeepEqual(res.Partitions, []PartitionRows{{Day: "20210303", Before: 4, After: 2}}) {
		t.Errorf("load of half = %+v, %v", res, err)
	}
	if res, err := load("", true, late.String()); err != nil || !reflect.DeepEqual(res.Partitions, []PartitionRows{{Day: "20210303", Before: 2, After: 1}, {Day: "20210304", Before: 0, After: 4}}) {
		t.Errorf("load with AllowShrink = %+v, %v", res, err)
	}
}

// rows returns the table in its physical order, one line per row.
func (f *loadFixture) rows() string {
	f.t.Helper()
	res, err := f.db.Query(context.Background(), `SELECT id, n, x, ok, CAST("at" AS VARCHAR), CAST(amount AS VARCHAR), dt FROM t`)
	if err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	for _, row := range res.Values {
		for i, v := range row {
			if i > 0 {
				b.WriteString("|")
			}
			if v == nil {
				b.WriteString("NULL")
			} else {
				b.WriteString(strings.ReplaceAll(*v, "\n", `\n`))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (f *loadFixture) partitions() string {
	f.t.Helper()
	res, err := f.db.Query(context.Background(), `SELECT value FROM fgen_partitions WHERE table_name = 't' ORDER BY value`)
	if err != nil {
		f.t.Fatal(err)
	}
	var vals []string
	for _, row := range res.Values {
		vals = append(vals, *row[0])
	}
	return strings.Join(vals, ",")
}

// noLeftovers checks that a load left no temporary files beside the database.
func (f *loadFixture) noLeftovers() {
	f.t.Helper()
	entries, _ := os.ReadDir(filepath.Join(f.dir, "db"))
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "local.duckdb") {
			f.t.Errorf("left behind: %s", e.Name())
		}
	}
}

const oldRows = "old1|NULL|NULL|NULL|NULL|NULL|20210301\nold2|NULL|NULL|NULL|NULL|NULL|20210302\n"

func TestLoadJSONL(t *testing.T) {
	f := newLoadFixture(t)
	a := f.file("a.jsonl", `{"id":"a1","n":1,"x":1.5,"ok":true,"at":"2021-03-03 10:00:00","amount":"12.340"}

{"ID":"a2","n":"-7","x":"1e3","ok":"false","at":null,"amount":3}
  {"id":"es\"c\\a\/pe\n\t\u00e9\ud83d\ude00","n":null}
{"id":123,"x":-0.25,"dt":"20210303"}
{}
`)
	b := f.file("b.ndjson", `{"id":"b1","n":9223372036854775807}`)
	n, err := f.load("20210303", false, a, b)
	if err != nil || n != 6 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := "old1|NULL|NULL|NULL|NULL|NULL|20210301\n" +
		"old2|NULL|NULL|NULL|NULL|NULL|20210302\n" +
		"a1|1|1.5|true|2021-03-03 10:00:00|12.34|20210303\n" +
		"a2|-7|1000|false|NULL|3.00|20210303\n" +
		"es\"c\\a/pe\\n\t\u00e9\U0001F600|NULL|NULL|NULL|NULL|NULL|20210303\n" +
		"123|NULL|-0.25|NULL|NULL|NULL|20210303\n" +
		"NULL|NULL|NULL|NULL|NULL|NULL|20210303\n" +
		"b1|9223372036854775807|NULL|NULL|NULL|NULL|20210303\n"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	if got := f.partitions(); got != "20210303" {
		t.Errorf("partitions %s", got)
	}
	// Loading again replaces the partition.
	if n, err := f.load("20210303", false, b); err != nil || n != 1 {
		t.Fatalf("load = %d, %v", n, err)
	}
	if got := f.rows(); got != oldRows+"b1|9223372036854775807|NULL|NULL|NULL|NULL|20210303\n" {
		t.Errorf("rows after replacing:\n%s", got)
	}
	// --append adds to it.
	if n, err := f.load("20210303", true, b); err != nil || n != 1 {
		t.Fatalf("load = %d, %v", n, err)
	}
	if got := strings.Count(f.rows(), "b1|"); got != 2 {
		t.Errorf("%d b1 rows after appending, want 2", got)
	}
	f.noLeftovers()
}

func TestLoadCSV(t *testing.T) {
	f := newLoadFixture(t)
	a := f.file("a.csv", "id,N,x,ok,at,amount,dt\r\n"+
		"a1,1,1.5,true,2021-03-03 10:00:00,12.340,20210303\r\n"+
		`"",,,,,,`+"\n"+
		"\n"+
		`"multi`+"\n"+`line, ""quoted""",2,,,,,20210303`+"\n"+
		` spaced ,3,,,,,`)
	b := f.file("b.csv", "amount,id\n1,b1\n")
	n, err := f.load("20210303", false, a, b)
	if err != nil || n != 5 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := oldRows +
		"a1|1|1.5|true|2021-03-03 10:00:00|12.34|20210303\n" +
		"|NULL|NULL|NULL|NULL|NULL|20210303\n" +
		`multi\nline, "quoted"|2|NULL|NULL|NULL|NULL|20210303` + "\n" +
		" spaced |3|NULL|NULL|NULL|NULL|20210303\n" +
		"b1|NULL|NULL|NULL|NULL|1.00|20210303\n"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	// A header alone loads nothing and still replaces the partition.
	if n, err := f.load("20210303", false, f.file("empty.csv", "id,n\n")); err != nil || n != 0 {
		t.Fatalf("load = %d, %v", n, err)
	}
	if got := f.rows(); got != oldRows {
		t.Errorf("rows:\n%s", got)
	}
	f.noLeftovers()
}

// Header names are matched with surrounding spaces trimmed, the partition
// column's as well as the others'.
func TestLoadCSVSpacedHeader(t *testing.T) {
	f := newLoadFixture(t)
	n, err := f.load("", false, f.file("a.csv", " id , dt \nc1,20210302\n"))
	if err != nil || n != 1 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := "old1|NULL|NULL|NULL|NULL|NULL|20210301\n" +
		"c1|NULL|NULL|NULL|NULL|NULL|20210302\n"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	f.noLeftovers()
}

// Excel's "CSV UTF-8" starts the file with a byte-order mark; the first
// column's name is still the column's, for fgen's check and DuckDB alike.
func TestLoadCSVByteOrderMark(t *testing.T) {
	t.Parallel()
	for _, header := range []string{"id,dt", `"id","dt"`} {
		f := newLoadFixture(t)
		n, err := f.load("", false, f.file("a.csv", "\ufeff"+header+"\nc1,20210302\n"))
		if err != nil || n != 1 {
			t.Fatalf("header %s: load = %d, %v", header, n, err)
		}
		want := "old1|NULL|NULL|NULL|NULL|NULL|20210301\n" +
			"c1|NULL|NULL|NULL|NULL|NULL|20210302\n"
		if got := f.rows(); got != want {
			t.Errorf("header %s: rows:\n%s\nwant\n%s", header, got, want)
		}
	}
	// The mark alone: an empty file, no rows.
	f := newLoadFixture(t)
	if n, err := f.load("20210303", false, f.file("a.csv", "\ufeff")); err != nil || n != 0 {
		t.Errorf("a file of the mark alone: load = %d, %v", n, err)
	}
}

// Without a day, rows go to the partitions their dt names, and only those
// partitions are replaced.
func TestLoadByRowPartition(t *testing.T) {
	f := newLoadFixture(t)
	a := f.file("a.jsonl", `{"id":"a1","dt":"20210302"}
{"id":"a2","dt":"20210303"}
`)
	b := f.file("b.csv", "dt,id\n20210303,b1\n20210302,b2\n")
	n, err := f.load("", false, a, b)
	if err != nil || n != 4 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := "old1|NULL|NULL|NULL|NULL|NULL|20210301\n" +
		"a1|NULL|NULL|NULL|NULL|NULL|20210302\n" +
		"a2|NULL|NULL|NULL|NULL|NULL|20210303\n" +
		"b1|NULL|NULL|NULL|NULL|NULL|20210303\n" +
		"b2|NULL|NULL|NULL|NULL|NULL|20210302\n"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	if got := f.partitions(); got != "20210302,20210303" {
		t.Errorf("partitions %s", got)
	}
	f.noLeftovers()
}

func TestLoadParquet(t *testing.T) {
	f := newLoadFixture(t)
	p := filepath.Join(f.dir, "p.parquet")
	q := `COPY (SELECT * FROM (VALUES ('p1', 1, 2.5, '20210303'), ('p2', NULL, NULL, '20210303')) AS v(id, n, x, dt)) TO '` + p + `' (FORMAT parquet)`
	f.exec(q)
	j := f.file("j.jsonl", `{"id":"j1","dt":"20210303"}`)
	n, err := f.load("", false, j, p)
	if err != nil || n != 3 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := oldRows +
		"j1|NULL|NULL|NULL|NULL|NULL|20210303\n" +
		"p1|1|2.5|NULL|NULL|NULL|20210303\n" +
		"p2|NULL|NULL|NULL|NULL|NULL|20210303\n"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	if _, err := f.load("20210304", false, p); err == nil || err.Error() != p+`:1: dt is "20210303" but the rows are loaded into dt=20210304; to load each row into the day its dt names, leave out --bizdate (or load this file with --bizdate 20210303)` {
		t.Errorf("load into another day: %v", err)
	}
	bad := filepath.Join(f.dir, "bad.parquet")
	f.exec(`COPY (SELECT 1 AS id, 2 AS nope) TO '` + bad + `' (FORMAT parquet)`)
	if _, err := f.load("20210303", false, bad); err == nil || err.Error() != bad+`: unknown column "nope"; the table t has: id, n, x, ok, at, amount` {
		t.Errorf("unknown column: %v", err)
	}
	typ := filepath.Join(f.dir, "type.parquet")
	f.exec(`COPY (SELECT * FROM (VALUES ('1'), ('x')) AS v(n)) TO '` + typ + `' (FORMAT parquet)`)
	if _, err := f.load("20210303", false, j, typ); err == nil || err.Error() != typ+`:2: column n: "x" is not a valid BIGINT` {
		t.Errorf("bad value: %v", err)
	}
	dts := filepath.Join(f.dir, "dts.parquet")
	f.exec(`COPY (SELECT * FROM (VALUES ('a', '20210303'), ('b', 'x'), ('c', NULL), ('d', 'x')) AS v(id, dt)) TO '` + dts + `' (FORMAT parquet)`)
	if _, err := f.load("", false, dts); err == nil || err.Error() != dts+`:2: dt "x" is not a date written yyyymmdd` {
		t.Errorf("bad dt: %v", err)
	}
	if _, err := f.load("20210303", false, dts); err == nil || err.Error() != dts+`:2: dt is "x" but the rows are loaded into dt=20210303; a dt value is a day written yyyymmdd: correct the row, or leave its dt out` {
		t.Errorf("other day: %v", err)
	}
	nodt := filepath.Join(f.dir, "nodt.parquet")
	f.exec(`COPY (SELECT 'a' AS id) TO '` + nodt + `' (FORMAT parquet)`)
	if _, err := f.load("", false, j, nodt); err == nil || err.Error() != nodt+`:1: no dt value; give the partition with --bizdate yyyymmdd, a dt column in every row, or a time_column in a funnel of funnel.toml to take each row's day from` {
		t.Errorf("no dt: %v", err)
	}
	if got := f.rows(); got != want {
		t.Errorf("rows after failed loads:\n%s\nwant\n%s", got, want)
	}
	f.noLeftovers()
}

// A malformed row loads nothing: the error names the file and line, and the
// table keeps its rows.
func TestLoadErrors(t *testing.T) {
	f := newLoadFixture(t)
	good := f.file("good.jsonl", `{"id":"g1","n":1}`+"\n"+`{"id":"g2","n":2}`+"\n")
	if _, err := f.load("20210303", false, good); err != nil {
		t.Fatal(err)
	}
	want := f.rows()
	for _, tc := range []struct {
		name  string
		day   string
		files map[string]string // in order of the name
		err   string            // with FILE for the directory
	}{
		{"bad json", "20210303", map[string]string{"1.jsonl": "{\"id\":\"a\"}\n{\"id\":\"a\",}\n"},
			`FILE/1.jsonl:2: malformed JSON at column 11: expected a string`},
		{"byte-order mark", "20210303", map[string]string{"1.jsonl": "\ufeff{\"id\":\"a\"}\n"},
			`FILE/1.jsonl:1: the file starts with a UTF-8 byte-order mark (BOM), which JSON lines must not have and DuckDB's JSON reader refuses; save it as UTF-8 without BOM, or remove the mark with: tail -c +4 FILE/1.jsonl > FILE/1.jsonl.tmp && mv FILE/1.jsonl.tmp FILE/1.jsonl`},
		{"not an object", "20210303", map[string]string{"1.jsonl": "[1]\n"},
			`FILE/1.jsonl:1: malformed JSON at column 1: expected an object '{'; a JSON array is not JSON lines: write one object per line (jq -c '.[]' converts it)`},
		{"an object over several lines", "20210303", map[string]string{"1.jsonl": "{\n  \"id\": \"a\"\n}\n"},
			`FILE/1.jsonl:1: malformed JSON at column 2: the line ends after '{': JSON lines have a whole object on each line (a file of objects written over several lines converts with jq -c .; one cut short after a '{' must be written again)`},
		{"not an object after the first line", "20210303", map[string]string{"1.jsonl": "{}\n\"a\"\n"},
			`FILE/1.jsonl:2: malformed JSON at column 1: expected an object '{'`},
		{"trailing text", "20210303", map[string]string{"1.jsonl": "{} x\n"},
			`FILE/1.jsonl:1: malformed JSON at column 4: unexpected text after the object`},
		{"unterminated", "20210303", map[string]string{"1.jsonl": "{\"id\":\"a\n"},
			`FILE/1.jsonl:1: malformed JSON at column 9: unterminated string`},
		{"unknown key", "20210303", map[string]string{"1.jsonl": `{"idd":1}`},
			`FILE/1.jsonl:1: unknown column "idd"; the table t has: id, n, x, ok, at, amount`},
		{"twice", "20210303", map[string]string{"1.jsonl": `{"id":1,"ID":2}`},
			`FILE/1.jsonl:1: key "ID" appears twice`},
		{"nested", "20210303", map[string]string{"1.jsonl": `{"id":{"a":1}}`},
			`FILE/1.jsonl:1: column id: nested objects and arrays are not supported`},
		{"bad number", "20210303", map[string]string{"1.jsonl": `{"n":1-2}`},
			`FILE/1.jsonl:1: malformed JSON at column 9: bad number "1-2"`},
		{"bad bigint", "20210303", map[string]string{"1.jsonl": "{\"n\":1}\n{\"n\":\"yesterday\"}\n"},
			`FILE/1.jsonl:2: column n: "yesterday" is not a valid BIGINT`},
		{"bigint overflow", "20210303", map[string]string{"1.jsonl": `{"n":9223372036854775808}`},
			`FILE/1.jsonl:1: column n: "9223372036854775808" is not a valid BIGINT`},
		// MaxCompute's BIGINT ends at -2^63 + 1, DuckDB's at -2^63.
		{"bigint below the least of MaxCompute", "20210303", map[string]string{"1.jsonl": "{\"n\":-9223372036854775807}\n{\"n\":-9223372036854775808}\n"},
			`FILE/1.jsonl:2: column n: "-9223372036854775808" is not a valid BIGINT`},
		{"bigint below the least of MaxCompute in CSV", "20210303", map[string]string{"1.csv": "n\n-9223372036854775807\n-9223372036854775808\n"},
			`FILE/1.csv:3: column n: "-9223372036854775808" is not a valid BIGINT`},
		{"bad timestamp", "20210303", map[string]string{"1.jsonl": `{"at":"soon"}`},
			`FILE/1.jsonl:1: column at: "soon" is not a valid TIMESTAMP`},
		// DuckDB would keep the wall time, 8 hours late, another day's.
		{"timestamp with an offset", "20210303", map[string]string{"1.jsonl": "{\"at\":\"2021-03-01 23:59:59Z\"}\n{\"at\":\"2021-03-01 23:59:59+08:00\"}\n"},
			`FILE/1.jsonl:2: column at: "2021-03-01 23:59:59+08:00" ends with the time zone "+08:00", which DuckDB drops when it reads a TIMESTAMP (it would keep the wall time as UTC); write the times in UTC ("2021-03-01 15:59:59"), or declare the column STRING and its time_column format and time zone in funnel.toml`},
		{"a zone before a time DuckDB does not read", "20210303", map[string]string{"1.jsonl": "{\"at\":\"2021-03-01 10:00:00+08:00\"}\n{\"at\":\"soon\"}\n"},
			`FILE/1.jsonl:1: column at: "2021-03-01 10:00:00+08:00" ends with the time zone "+08:00", which DuckDB drops when it reads a TIMESTAMP (it would keep the wall time as UTC); write the times in UTC ("2021-03-01 02:00:00"), or declare the column STRING and its time_column format and time zone in funnel.toml`},
		{"a time DuckDB does not read before a zone", "20210303", map[string]string{"1.csv": "id,at\na,soon\nb,2021-03-01 10:00:00+08:00\n"},
			`FILE/1.csv:2: column at: "soon" is not a valid TIMESTAMP`},
		{"timestamp with a zone name in csv", "20210303", map[string]string{"1.csv": "id,at\na,2021-03-01T23:59:59.5 UTC\nb,2021-03-01T11:30:00 Asia/Shanghai\n"},
			`FILE/1.csv:3: column at: "2021-03-01T11:30:00 Asia/Shanghai" ends with the time zone "Asia/Shanghai", which DuckDB drops when it reads a TIMESTAMP (it would keep the wall time as UTC); write the times in UTC, or declare the column STRING and its time_column format and time zone in funnel.toml`},
		// DuckDB reads these as times: far away, 1970, the next day.
		{"infinity", "20210303", map[string]string{"1.jsonl": "{\"at\":\"2021-03-01 23:59:59\"}\n{\"at\":\"infinity\"}\n"},
			`FILE/1.jsonl:2: column at: "infinity" is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them`},
		{"hour 24", "20210303", map[string]string{"1.csv": "id,at\na,2021-03-03 24:00:00\n"},
			`FILE/1.csv:2: column at: "2021-03-03 24:00:00" is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them`},
		// DuckDB's JSON reader takes 2 for true, and refuses "1" without a line.
		{"boolean number", "20210303", map[string]string{"1.jsonl": "{\"ok\":1}\n{\"ok\":\"F\"}\n{\"ok\":2}\n"},
			`FILE/1.jsonl:3: column ok: the number 2 is not a BOOLEAN; write true or false (DuckDB would read any number but 0 as true)`},
		{"boolean text", "20210303", map[string]string{"1.jsonl": "{\"ok\":false}\n{\"ok\":\"1\"}\n"},
			`FILE/1.jsonl:2: column ok: "1" is not a BOOLEAN; write true or false`},
		{"semicolons", "20210303", map[string]string{"1.csv": "id;n\na;1\n"},
			`FILE/1.csv:1: unknown column "id;n" in the header; the table t has: id, n, x, ok, at, amount; the header looks separated by ";": fgen reads CSV separated by commas, so convert the file`},
		{"blank first line", "20210303", map[string]string{"1.csv": "\nid\na\n"},
			`FILE/1.csv:1: the first line is blank; a CSV file's header is its first line: remove the blank lines above it`},
		{"excel's separator line", "20210303", map[string]string{"1.csv": "sep=,\nid\na\n"},
			`FILE/1.csv:1: the first line is Excel's "sep=,", not a header: remove the line`},
		{"excel's separator line of semicolons", "20210303", map[string]string{"1.csv": "sep=;\nid;n\na;1\n"},
			`FILE/1.csv:1: the first line is Excel's "sep=;", not a header: remove the line, and convert the file: fgen reads CSV separated by commas`},
		{"header ends with a comma", "20210303", map[string]string{"1.csv": "id,n,\na,1,\n"},
			`FILE/1.csv:1: unknown column "" in the header; the table t has: id, n, x, ok, at, amount; a field of the header is empty (a comma at its start or end, or two in a row): name the column, or remove that comma from the header and from every row`},
		{"utf-16", "20210303", map[string]string{"1.csv": "\xff\xfei\x00d\x00\n\x00"},
			`FILE/1.csv:1: unknown column "\xff\xfei\x00d\x00" in the header; the table t has: id, n, x, ok, at, amount; the file is UTF-16 text: save it as UTF-8`},
		{"utf-16 json lines", "20210303", map[string]string{"1.jsonl": "\xff\xfe{\x00}\x00\n\x00"},
			`FILE/1.jsonl:1: malformed JSON at column 1: expected an object '{'; the file is UTF-16 text: save it as UTF-8`},
		{"utf-16 csv without a mark", "20210303", map[string]string{"1.csv": "i\x00d\x00\n\x00"},
			`FILE/1.csv:1: unknown column "i\x00d\x00" in the header; the table t has: id, n, x, ok, at, amount; the file is UTF-16 text: save it as UTF-8`},
		{"utf-16 csv of chinese text without a mark", "20210303", map[string]string{"1.csv": "i\x00d\x00\n\x00(u7b\n\x00"},
			`FILE/1.csv:1: unknown column "i\x00d\x00" in the header; the table t has: id, n, x, ok, at, amount; the file is UTF-16 text: save it as UTF-8`},
		{"json lines ending in CR", "20210303", map[string]string{"1.jsonl": "{\"id\":\"a\"}\r{\"id\":\"b\"}\r"},
			`FILE/1.jsonl:1: malformed JSON at column 12: unexpected text after the object: a CR; if the file's lines end with CR alone, as old Mac files do, convert them to LF`},
		{"utf-16 json lines without a mark", "20210303", map[string]string{"1.jsonl": "{\x00\"\x00i\x00d\x00\"\x00}\x00\n\x00"},
			`FILE/1.jsonl:1: malformed JSON at column 2: expected a string; the file is UTF-16 text: save it as UTF-8`},
		// SQL's cast reads these, DuckDB's JSON reader refuses them.
		{"leading zero", "20210303", map[string]string{"1.jsonl": "{\"x\":\"0.5\"}\n{\"x\":\"00.5\"}\n"},
			`FILE/1.jsonl:2: column x: "00.5" is not a DOUBLE DuckDB's JSON reader takes (it refuses a leading 0, a '+' and a '_' in a number's text); write "0.5"`},
		{"underscore", "20210303", map[string]string{"1.jsonl": "{\"n\":\"1_000\"}\n"},
			`FILE/1.jsonl:1: column n: "1_000" is not a BIGINT DuckDB's JSON reader takes (it refuses a leading 0, a '+' and a '_' in a number's text); write "1000"`},
		{"leading zeros of an integer", "20210303", map[string]string{"1.jsonl": "{\"n\":\"0012\"}\n"},
			`FILE/1.jsonl:1: column n: "0012" is not a BIGINT DuckDB's JSON reader takes (it refuses a leading 0, a '+' and a '_' in a number's text); write "12"`},
		{"plus", "20210303", map[string]string{"1.jsonl": "{\"n\":\"+7\"}\n"},
			`FILE/1.jsonl:1: column n: "+7" is not a BIGINT DuckDB's JSON reader takes (it refuses a leading 0, a '+' and a '_' in a number's text); write "7"`},
		{"json array", "20210303", map[string]string{"1.jsonl": `[{"id":"a"}]`},
			`FILE/1.jsonl:1: malformed JSON at column 1: expected an object '{'; a JSON array is not JSON lines: write one object per line (jq -c '.[]' converts it)`},
		{"bad boolean", "20210303", map[string]string{"1.jsonl": `{"ok":"maybe"}`},
			`FILE/1.jsonl:1: column ok: "maybe" is not a BOOLEAN; write true or false`},
		{"bad boolean in csv", "20210303", map[string]string{"1.csv": "ok\n1\ny\nmaybe\n"},
			`FILE/1.csv:4: column ok: "maybe" is not a BOOLEAN; write true or false`},
		{"first bad value in file order", "20210303", map[string]string{
			"1.jsonl": "{\"n\":1}\n{\"n\":1}\n{\"x\":\"x1\"}\n", "2.jsonl": "{\"n\":\"n2\"}\n"},
			`FILE/1.jsonl:3: column x: "x1" is not a valid DOUBLE`},
		{"a malformed row, and an earlier bad value", "20210303", map[string]string{
			"1.jsonl": "{\"n\":\"n1\"}\n", "2.csv": "id,n\na,1\nb\n"},
			`FILE/1.jsonl:1: column n: "n1" is not a valid BIGINT; and FILE/2.csv:3: 1 field, but the header has 2`},
		{"a malformed row wins over a later bad value", "20210303", map[string]string{
			"1.jsonl": "{\"n\":1}\n{\"idd\":1}\n{\"n\":\"x\"}\n"},
			`FILE/1.jsonl:2: unknown column "idd"; the table t has: id, n, x, ok, at, amount`},
		{"a bad value, then an unknown key", "20210303", map[string]string{
			"1.jsonl": "{\"n\":1}\n{\"n\":\"x\"}\n{\"n\":1}\n{\"idd\":1}\n{\"n\":"},
			`FILE/1.jsonl:2: column n: "x" is not a valid BIGINT; and FILE/1.jsonl:4: unknown column "idd"; the table t has: id, n, x, ok, at, amount`},
		{"other day", "20210303", map[string]string{"1.jsonl": "{\"dt\":\"20210303\"}\n{\"dt\":\"20210304\"}\n"},
			`FILE/1.jsonl:2: dt is "20210304" but the rows are loaded into dt=20210303; to load each row into the day its dt names, leave out --bizdate (or load this file with --bizdate 20210304)`},
		{"other day in csv", "20210303", map[string]string{"1.csv": "id,dt\na,20210304\n"},
			`FILE/1.csv:2: dt is "20210304" but the rows are loaded into dt=20210303; to load each row into the day its dt names, leave out --bizdate (or load this file with --bizdate 20210304)`},
		{"no dt", "", map[string]string{"1.jsonl": "{\"dt\":\"20210303\"}\n{\"id\":\"a\"}\n"},
			`FILE/1.jsonl:2: no dt value; give the partition with --bizdate yyyymmdd, a dt column in every row, or a time_column in a funnel of funnel.toml to take each row's day from`},
		{"null dt", "", map[string]string{"1.csv": "id,dt\na,20210303\nb,\n"},
			`FILE/1.csv:3: no dt value; give the partition with --bizdate yyyymmdd, a dt column in every row, or a time_column in a funnel of funnel.toml to take each row's day from`},
		{"bad dt", "", map[string]string{"1.jsonl": `{"dt":"2021-03-03"}`},
			`FILE/1.jsonl:1: dt "2021-03-03" is not a date written yyyymmdd`},
		{"no such date", "", map[string]string{"1.jsonl": `{"dt":"20210230"}`},
			`FILE/1.jsonl:1: dt "20210230" is no day of the calendar: 2021-02 has no day 30`},
		{"no such month", "", map[string]string{"1.jsonl": `{"dt":"20211301"}`},
			`FILE/1.jsonl:1: dt "20211301" is no day of the calendar: there is no month 13; write it as yyyymmdd, e.g. 20210303`},
		{"year 0000", "", map[string]string{"1.jsonl": `{"dt":"00000101"}`},
			`FILE/1.jsonl:1: dt "00000101" is no day of the calendar: there is no year 0000`},
		{"a bad value wins over an earlier bad dt", "", map[string]string{"1.jsonl": "{\"dt\":\"x\"}\n{\"dt\":\"20210303\",\"n\":\"x\"}\n"},
			`FILE/1.jsonl:2: column n: "x" is not a valid BIGINT`},
		{"bad dt in a later file", "", map[string]string{"1.jsonl": `{"dt":"20210303"}`, "2.jsonl": `{"dt":"2021"}`},
			`FILE/2.jsonl:1: dt "2021" is not a date written yyyymmdd`},
		{"csv field count", "20210303", map[string]string{"1.csv": "id,n\na,1,2\n"},
			`FILE/1.csv:2: 3 fields, but the header has 2`},
		{"csv unknown header", "20210303", map[string]string{"1.csv": "id,nn\n"},
			`FILE/1.csv:1: unknown column "nn" in the header; the table t has: id, n, x, ok, at, amount`},
		{"csv unterminated quote", "20210303", map[string]string{"1.csv": "id\n\"a\n"},
			`FILE/1.csv:2: unterminated quoted field`},
		{"csv quote inside", "20210303", map[string]string{"1.csv": "id\na\"b\n"},
			`FILE/1.csv:2: quote in the middle of an unquoted field`},
		{"csv text after quote", "20210303", map[string]string{"1.csv": "id\n\"a\"b\n"},
			`FILE/1.csv:2: text after a closing quote`},
		{"csv bad value after a multi-line field", "20210303", map[string]string{"1.csv": "id,n\n\"a\nb\",1\nc,x\n"},
			`FILE/1.csv:4: column n: "x" is not a valid BIGINT`},
		{"extension", "20210303", map[string]string{"1.txt": ""},
			`FILE/1.txt: unknown file extension ".txt"; use .jsonl, .ndjson, .json, .csv or .parquet`},

		// Duplicate keys and headers: the last value must not win, nor
		// replace another day's partition.
		{"json dt twice", "", map[string]string{"1.jsonl": `{"id":"a","dt":"20210302","dt":"20210301"}`},
			`FILE/1.jsonl:1: key "dt" appears twice`},
		{"json dt twice in two cases", "20210303", map[string]string{"1.jsonl": "{\"id\":\"a\"}\n{\"dt\":\"20210303\",\"DT\":\"20210303\"}\n"},
			`FILE/1.jsonl:2: key "DT" appears twice`},
		{"json key twice", "20210303", map[string]string{"1.jsonl": `{"id":"a","n":1,"id":"b"}`},
			`FILE/1.jsonl:1: key "id" appears twice`},
		{"csv dt twice", "", map[string]string{"1.csv": "id,dt,dt\na,20210302,20210301\n"},
			`FILE/1.csv:1: column "dt" appears twice in the header (as "dt" and "dt")`},
		{"csv column twice", "20210303", map[string]string{"1.csv": "id,n, ID \na,1,b\n"},
			`FILE/1.csv:1: column "ID" appears twice in the header (as "id" and " ID ")`},

		// Values DuckDB would coerce.
		{"json fraction into bigint", "20210303", map[string]string{"1.jsonl": `{"n":1.5}`},
			`FILE/1.jsonl:1: column n: "1.5" is not a valid BIGINT`},
		{"json exponent into bigint", "20210303", map[string]string{"1.jsonl": `{"n":1e3}`},
			`FILE/1.jsonl:1: column n: "1e3" is not a valid BIGINT`},
		{"json 1. into bigint", "20210303", map[string]string{"1.jsonl": `{"n":"1."}`},
			`FILE/1.jsonl:1: column n: "1." is not a valid BIGINT`},
		{"json leading zero", "20210303", map[string]string{"1.jsonl": `{"n":0012}`},
			`FILE/1.jsonl:1: malformed JSON at column 10: bad number "0012"`},
		{"json spaced bigint", "20210303", map[string]string{"1.jsonl": `{"n":" 12"}`},
			`FILE/1.jsonl:1: column n: " 12" is not a valid BIGINT`},
		{"json hex bigint", "20210303", map[string]string{"1.jsonl": `{"n":"0x10"}`},
			`FILE/1.jsonl:1: column n: "0x10" is not a valid BIGINT`},
		{"json boolean into bigint", "20210303", map[string]string{"1.jsonl": `{"n":true}`},
			`FILE/1.jsonl:1: column n: "true" is not a valid BIGINT`},
		{"json fraction into string", "20210303", map[string]string{"1.jsonl": `{"id":12.50}`},
			`FILE/1.jsonl:1: column id: the number 12.50 would not be stored as written; write it as a string, "12.50"`},
		{"json lone high surrogate", "20210303", map[string]string{"1.jsonl": `{"id":"a\ud800"}`},
			`FILE/1.jsonl:1: malformed JSON at column 9: \ud800 is the first half of a UTF-16 surrogate pair, without the second`},
		{"json lone low surrogate", "20210303", map[string]string{"1.jsonl": `{"id":"\udc00"}`},
			`FILE/1.jsonl:1: malformed JSON at column 8: \udc00 is the second half of a UTF-16 surrogate pair, without the first`},
		{"csv fraction into bigint", "20210303", map[string]string{"1.csv": "id,n\na,1\nb,1.5\n"},
			`FILE/1.csv:3: column n: "1.5" is not a valid BIGINT`},
		{"csv 1. into bigint", "20210303", map[string]string{"1.csv": "n\n1.\n"},
			`FILE/1.csv:2: column n: "1." is not a valid BIGINT`},
		{"csv plus into bigint", "20210303", map[string]string{"1.csv": "n\n+5\n"},
			`FILE/1.csv:2: column n: "+5" is not a valid BIGINT`},
		{"csv underscore into bigint", "20210303", map[string]string{"1.csv": "n\n1_000\n"},
			`FILE/1.csv:2: column n: "1_000" is not a valid BIGINT`},
		{"csv quoted empty into bigint", "20210303", map[string]string{"1.csv": "n\n\"\"\n"},
			`FILE/1.csv:2: column n: "" is not a valid BIGINT`},
		{"csv CR in an unquoted field", "20210303", map[string]string{"1.csv": "id\nx\ry\n"},
			`FILE/1.csv:2: a CR outside quotes that does not end the line; quote the field (or, if the file's lines end with CR alone, as old Mac files do, convert them to LF)`},
		{"csv CR at the end of the file", "20210303", map[string]string{"1.csv": "id\nx\r"},
			`FILE/1.csv:2: a CR outside quotes that does not end the line; quote the field (or, if the file's lines end with CR alone, as old Mac files do, convert them to LF)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(f.dir, strings.ReplaceAll(tc.name, " ", "_"))
			os.MkdirAll(dir, 0o755)
			var files []string
			for name, data := range tc.files {
				path := filepath.Join(dir, name)
				os.WriteFile(path, []byte(data), 0o644)
				files = append(files, path)
			}
			sortStrings(files)
			_, err := f.load(tc.day, false, files...)
			wantErr := strings.ReplaceAll(tc.err, "FILE", dir)
			if err == nil || err.Error() != wantErr {
				t.Errorf("err = %v\nwant  %s", err, wantErr)
			}
			var re *RowError
			if strings.Contains(tc.err, ".jsonl:") && !errors.As(err, &re) {
				t.Errorf("%T is not a *RowError", err)
			}
			if got := f.rows(); got != want {
				t.Errorf("rows changed:\n%s", got)
			}
		})
	}
	if _, err := f.load("20210303", false, filepath.Join(f.dir, "missing.jsonl")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	f.noLeftovers()
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Values DuckDB must get exactly as they were, through the staging files.
func TestLoadTrickyValues(t *testing.T) {
	f := newLoadFixture(t)
	long := strings.Repeat("x,\"y\"\n", 1<<20) // 6 MB, longer than DuckDB's default line limit
	j := f.file("a.jsonl", `{"id":"a\u0000b"}
{"id":"\r\n, \"\" "}
{"id":" "}
{"id":"`+strings.ReplaceAll(strings.ReplaceAll(long, `"`, `\"`), "\n", `\n`)+`"}
`)
	c := f.file("b.csv", "id\n\"a\rb\"\n\"\"\n")
	p := filepath.Join(f.dir, "p.parquet")
	q := `COPY (SELECT * FROM (VALUES (''), (NULL), ('q,"u"' || chr(10) || 'x'), (' '), ('é')) AS v(id)) TO '` + p + `' (FORMAT parquet)`
	f.exec(q)
	n, err := f.load("20210303", false, j, c, p)
	if err != nil || n != 11 {
		t.Fatalf("load = %d, %v", n, err)
	}
	res, err := f.db.Query(context.Background(), `SELECT id FROM t WHERE dt = '20210303'`)
	if err != nil {
		t.Fatal(err)
	}
	want := []*string{ptr("a\x00b"), ptr("\r\n, \"\" "), ptr(" "), ptr(long), ptr("a\rb"), ptr(""),
		ptr(""), nil, ptr("q,\"u\"\nx"), ptr(" "), ptr("é")}
	for i, row := range res.Values {
		got, w := row[0], want[i]
		if (got == nil) != (w == nil) || (got != nil && *got != *w) {
			t.Errorf("row %d: %s, want %s", i+1, show(got), show(w))
		}
	}
	f.noLeftovers()
}

func ptr(s string) *string { return &s }

func show(s *string) string {
	if s == nil {
		return "NULL"
	}
	if len(*s) > 40 {
		return strconvQuote((*s)[:40]) + "..."
	}
	return strconvQuote(*s)
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }

// Invalid UTF-8 is a malformed row (DuckDB strings are UTF-8).
func TestLoadInvalidUTF8(t *testing.T) {
	f := newLoadFixture(t)
	for _, tc := range []struct{ name, data, line string }{
		{"a.jsonl", "{\"id\":\"ok\"}\n{\"id\":\"a\xffb\"}\n", "2"},
		{"a.csv", "id\nok\nok\na\xffb\n", "4"},
	} {
		path := f.file(tc.name, tc.data)
		want := path + ":" + tc.line + `: column id: "a\xffb" is not valid UTF-8`
		if _, err := f.load("20210303", false, path); err == nil || err.Error() != want {
			t.Errorf("err = %v, want %s", err, want)
		}
	}
	if got := f.rows(); got != oldRows {
		t.Errorf("rows:\n%s", got)
	}
}

func TestLoadCanceled(t *testing.T) {
	f := newLoadFixture(t)
	path := f.file("a.jsonl", strings.Repeat(`{"id":"a"}`+"\n", 200000))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, f.db, Options{Table: "t", Partition: "dt", Day: "20210303", Columns: loadCols, Files: []string{path}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if got := f.rows(); got != oldRows {
		t.Errorf("rows:\n%s", got)
	}
	f.noLeftovers()
}

// The tests again with every check done before DuckDB reads the files (as
// loads without a day, and a second attempt, do). The tests it runs must
// not call t.Parallel: they would run after checkBeside is set back.
func TestLoadChecksFirst(t *testing.T) {
	checkBeside = false
	defer func() { checkBeside = true }()
	t.Run("JSONL", TestLoadJSONL)
	t.Run("CSV", TestLoadCSV)
	t.Run("Parquet", TestLoadParquet)
	t.Run("Errors", TestLoadErrors)
	t.Run("TrickyValues", TestLoadTrickyValues)
	t.Run("InvalidUTF8", TestLoadInvalidUTF8)
	t.Run("Times", TestLoadTimes)
	t.Run("BadTimes", TestLoadBadTimes)
}

// BenchmarkCheck measures fgen's own share of a load: the Go check of a
// file of sample events, without DuckDB. MB/cpu-s is the file's size by the
// CPU time of the process, which the machine's other jobs change less than
// the wall time of MB/s.
//
//	go test -run '^$' -bench Check -cpu 1 -count 5 ./internal/ingest
func BenchmarkCheck(b *testing.B) {
	var cols []Column
	for i, name := range sample.Columns() {
		typ := "VARCHAR"
		if i == 2 || i == 4 || i == 5 || i == 10 {
			typ = "BIGINT"
		}
		cols = append(cols, Column{Name: name, Type: typ})
	}
	for _, format := range []string{"jsonl", "csv"} {
		b.Run(format, func(b *testing.B) {
			dir := b.TempDir()
			path := filepath.Join(dir, "events."+format)
			w, err := sample.Create(path, sample.TimeFormat{})
			if err != nil {
				b.Fatal(err)
			}
			var events int64
			err = sample.Generate(sample.Options{Users: 50000, Noise: true}, func(e *sample.Event) error {
				events++
				return w.Write(e)
			})
			if err == nil {
				err = w.Close()
			}
			if err != nil {
				b.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			l, err := newLoader(Options{Table: "ods", Partition: "dt", Day: "20210303", Columns: cols, Files: []string{path}})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(info.Size())
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				l.files[0].scan = nil
				l.check(context.Background())
				if s := l.files[0].scan; s.parse != nil || s.value != nil || s.rows != events {
					b.Fatalf("check: %d rows, %v, %v", s.rows, s.parse, s.value)
				}
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			if cpu := cpuTime() - cpu; cpu > 0 {
				// On a shared machine the wall time depends on the other
				// jobs; the CPU time much less.
				b.ReportMetric(float64(info.Size())*float64(b.N)/float64(cpu)*1e3, "MB/cpu-s")
			}
		})
	}
}

// Parquet columns whose values do not fit the table's without loss.
func TestLoadParquetStrict(t *testing.T) {
	t.Parallel()
	f := newLoadFixture(t)
	for _, tc := range []struct{ name, sel, err string }{
		{"double into bigint", `SELECT * FROM (VALUES (NULL), (1.5::DOUBLE)) AS v(n)`,
			`:2: column n: DOUBLE 1.5 (row group 0) is not a valid BIGINT; a BIGINT column takes no DOUBLE values`},
		{"struct into string", `SELECT {'a': 1} AS id`,
			`:1: column id: STRUCT(a INTEGER) {'a': 1} (row group 0) is not a valid VARCHAR; a VARCHAR column takes no STRUCT(a INTEGER) values`},
		{"list into string", `SELECT [1, 2] AS id`,
			`:1: column id: INTEGER[] [1, 2] (row group 0) is not a valid VARCHAR; a VARCHAR column takes no INTEGER[] values`},
		{"list into bigint", `SELECT [1] AS n`,
			`:1: column n: INTEGER[] [1] (row group 0) is not a valid BIGINT; a BIGINT column takes no INTEGER[] values`},
		{"double into string", `SELECT 0.1::DOUBLE AS id`,
			`:1: column id: DOUBLE 0.1 (row group 0) is not a valid VARCHAR; a VARCHAR column takes no DOUBLE values`},
		{"date partition", `SELECT 'a' AS id, DATE '2021-03-03' AS dt`,
			`:1: column dt: DATE 2021-03-03 (row group 0) is not a partition value: write dt as a string yyyymmdd (or an integer) in the file, or leave it out and give --bizdate`},
		{"text fraction into bigint", `SELECT * FROM (VALUES ('1'), ('1.5')) AS v(n)`,
			`:2: column n: "1.5" is not a valid BIGINT`},
		{"text with spaces into bigint", `SELECT ' 1' AS n`,
			`:1: column n: " 1" is not a valid BIGINT`},
		// MaxCompute's BIGINT ends at -2^63 + 1, DuckDB's at -2^63.
		{"bigint below the least of MaxCompute", `SELECT * FROM (VALUES (-9223372036854775807), (-9223372036854775807 - 1)) AS v(n)`,
			`:2: column n: "-9223372036854775808" is not a valid BIGINT`},
		{"decimal below the least of MaxCompute", `SELECT (-9223372036854775808)::DECIMAL(19,0) AS n`,
			`:1: column n: "-9223372036854775808" is not a valid BIGINT`},
		{"text below the least of MaxCompute", `SELECT * FROM (VALUES ('1'), ('-9223372036854775808')) AS v(n)`,
			`:2: column n: "-9223372036854775808" is not a valid BIGINT`},
		{"overflow", `SELECT 9223372036854775808::UBIGINT AS n`,
			`:1: column n: "9223372036854775808" is not a valid BIGINT`},
		// DuckDB would keep the wall time of a text with an offset.
		{"text time with an offset", `SELECT * FROM (VALUES ('2021-03-01 23:59:59Z'), ('2021-03-01 23:59:59+08:00')) AS v("at")`,
			`:2: column at: "2021-03-01 23:59:59+08:00" ends with the time zone "+08:00", which DuckDB drops when it reads a TIMESTAMP (it would keep the wall time as UTC); write the times in UTC ("2021-03-01 15:59:59"), or declare the column STRING and its time_column format and time zone in funnel.toml`},
		{"infinite timestamp", `SELECT * FROM (VALUES ('2021-03-01 23:59:59'::TIMESTAMP), ('-infinity'::TIMESTAMP)) AS v("at")`,
			`:2: column at: "-infinity" is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them`},
		{"infinite date", `SELECT 'infinity'::DATE AS "at"`,
			`:1: column at: "infinity" is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them`},
		{"text time epoch", `SELECT * FROM (VALUES ('2021-03-01 23:59:59'), ('epoch')) AS v("at")`,
			`:2: column at: "epoch" is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(f.dir, strings.ReplaceAll(tc.name, " ", "_")+".parquet")
			f.exec(`COPY (` + tc.sel + `) TO '` + path + `' (FORMAT parquet)`)
			if _, err := f.load("20210303", false, path); err == nil || err.Error() != path+tc.err {
				t.Errorf("err = %v\nwant  %s", err, path+tc.err)
			}
			if got := f.rows(); got != oldRows {
				t.Errorf("rows changed:\n%s", got)
			}
		})
	}
	// A column of a type that does not fit, but with no value, loads as NULL.
	path := filepath.Join(f.dir, "nulls.parquet")
	f.exec(`COPY (SELECT 'p' AS id, NULL::DOUBLE AS n) TO '` + path + `' (FORMAT parquet)`)
	if n, err := f.load("20210303", false, path); err != nil || n != 1 {
		t.Fatalf("load = %d, %v", n, err)
	}
	if got := f.rows(); got != oldRows+"p|NULL|NULL|NULL|NULL|NULL|20210303\n" {
		t.Errorf("rows:\n%s", got)
	}
}

// A line longer than maxLine is an error, without reading it all; a device
// or pipe is refused.
func TestLoadLongLine(t *testing.T) {
	f := newLoadFixture(t)
	old := maxLine
	maxLine = 1 << 20
	defer func() { maxLine = old }()
	for _, tc := range []struct{ name, data, err string }{
		{"long.jsonl", "{}\n{\"id\":\"" + strings.Repeat("x", 3<<20) + "\"}\n", ":2: line longer than 1 MiB; is this a JSON lines or CSV file?"},
		{"zeros.jsonl", strings.Repeat("\x00", 3<<20), ": the file is not JSON lines text: its byte 1 is NUL, as in a binary file, or in one its writer stopped before it wrote; load the JSON lines file it should be"},
		{"long.csv", "id\n" + strings.Repeat("x", 3<<20) + "\n", ":2: line longer than 1 MiB; is this a JSON lines or CSV file?"},
		{"longquoted.csv", "id\n\"" + strings.Repeat("x\n", 1<<20) + "\"\n", ":2: a record with a quoted field runs on for more than 1 MiB: is the field's closing quote missing? (a quote inside a quoted field is written twice)"},
		{"unterminated.csv", "id\n1\n\"2\n" + strings.Repeat("3\n", 1<<20), ":3: a record with a quoted field runs on for more than 1 MiB: is the field's closing quote missing? (a quote inside a quoted field is written twice)"},
	} {
		path := f.file(tc.name, tc.data)
		if _, err := f.load("20210303", false, path); err == nil || err.Error() != path+tc.err {
			t.Errorf("%s: err = %v\nwant  %s", tc.name, err, path+tc.err)
		}
	}
	zero := filepath.Join(f.dir, "zero.jsonl")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	want := zero + ": not a regular file; fgen load reads a file twice (to check it, and to load it), so it takes files, not pipes or devices"
	if _, err := f.load("20210303", false, zero); err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	if got := f.rows(); got != oldRows {
		t.Errorf("rows changed:\n%s", got)
	}
}

// An older fgen load killed while it staged rows left a directory beside the
// database; the next load removes it.
func TestLoadRemovesStaleStaging(t *testing.T) {
	f := newLoadFixture(t)
	stale := filepath.Join(f.dir, "db", ".fgen-load-123")
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(stale, "part-000000.csv")
	os.WriteFile(part, []byte("0,1,a\n"), 0o644)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(part, old, old)
	os.Chtimes(stale, old, old)
	if _, err := f.load("20210303", false, f.file("a.jsonl", `{"id":"a"}`)); err != nil {
		t.Fatal(err)
	}
	f.noLeftovers()
}

// A CSV file of a header alone, without the partition column, loads no
// rows, as an empty file does, alone or beside files that have rows: with a
// day, without one, and without one but with a time to take it from. So
// does a Parquet file without rows or the partition column.
func TestLoadHeaderOnly(t *testing.T) {
	f := newLoadFixture(t)
	f.update(timesTable, `INSERT INTO ev (id, dt) VALUES ('old', '20190102')`)
	empty := filepath.Join(f.dir, "empty.parquet")
	f.exec(`COPY (SELECT 'a' AS id WHERE false) TO '` + empty + `' (FORMAT parquet)`)
	all := f.file("all.csv", "id,n,x,ok,at,amount\n")
	some := f.file("some.csv", "n, ID\r\n")
	rows := f.file("rows.csv", "id,dt\nr1,20210303\n")
	rowsNoDay := f.file("rows-no-day.csv", "id\nr2\n")
	for _, tc := range []struct {
		day   string
		files []string
		n     int64
	}{
		{"", []string{all}, 0},
		{"", []string{some}, 0},
		{"", []string{empty}, 0},
		{"", []string{all, rows, some, empty}, 1},
		{"20210304", []string{all, some, empty}, 0},
		{"20210304", []string{all, rowsNoDay, some}, 1},
	} {
		if n, err := f.load(tc.day, false, tc.files...); err != nil || n != tc.n {
			t.Errorf("load %q %s = %d, %v; want %d", tc.day, strings.Join(tc.files, " "), n, err, tc.n)
		}
	}
	want := oldRows +
		"r1|NULL|NULL|NULL|NULL|NULL|20210303\n" +
		"r2|NULL|NULL|NULL|NULL|NULL|20210304\n"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	utcText := DayFrom{Time: timesCols[3].timeColumn("UTC"), Kind: "string", Zone: "Asia/Shanghai"}
	for _, data := range []string{"id,event_time\n", "id\n"} {
		if n, err := f.loadDerived(utcText, "", f.file("ev.csv", data), empty); err != nil || n != 0 {
			t.Errorf("load %q with a time to take the day from = %d, %v", data, n, err)
		}
	}
	if got := f.dump(`SELECT id, dt FROM ev ORDER BY id`); got != "old|20190102\n" {
		t.Errorf("rows of ev:\n%s", got)
	}
	f.noLeftovers()
}

// A file's path is a file's, not a pattern or a partition: DuckDB's readers
// take a path with [ * ? for a glob pattern (events[1].csv would read
// events1.csv), and a directory named key=value for a hive partition whose
// value overrides the rows' own (dt=20210304/part.jsonl holding rows of
// 20210303 would load them into 20210304, and a directory region=cn would
// add a column).
func TestLoadPathIsAFile(t *testing.T) {
	f := newLoadFixture(t)
	for _, dir := range []string{"dt=20210304", "region=cn", "x[1]", "x1"} {
		if err := os.MkdirAll(filepath.Join(f.dir, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The neighbours a pattern would match.
	f.file("e1.csv", "id,dt\nwrong-csv,20210303\n")
	f.file("x1/p.parquet", "")
	f.file("qa.jsonl", `{"id":"wrong-jsonl","dt":"20210303"}`+"\n")
	f.file("sta.jsonl", `{"id":"wrong-star","dt":"20210303"}`+"\n")
	files := []string{
		f.file("e[1].csv", "id,dt\ncsv,20210303\n"),
		f.file("q?.jsonl", `{"id":"jsonl","dt":"20210303"}`+"\n"),
		f.file("st*.jsonl", `{"id":"star","dt":"20210303"}`+"\n"),
		f.file("dt=20210304/part.jsonl", `{"id":"hive-jsonl","dt":"20210303"}`+"\n"),
		f.file("dt=20210304/part.csv", "id,dt\nhive-csv,20210303\n"),
	}
	for _, p := range []struct{ name, id string }{{"dt=20210304/part.parquet", "hive-parquet"}, {"region=cn/part.parquet", "region"}, {"x[1]/p.parquet", "brackets"}} {
		path := filepath.Join(f.dir, p.name)
		f.exec(`COPY (SELECT '` + p.id + `' AS id, '20210303' AS dt) TO '` + path + `' (FORMAT parquet)`)
		files = append(files, path)
	}
	f.exec(`COPY (SELECT 'wrong-parquet' AS id, '20210303' AS dt) TO '` + filepath.Join(f.dir, "x1/p.parquet") + `' (FORMAT parquet)`)
	n, err := f.load("", false, files...)
	if err != nil || n != 8 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := oldRows
	for _, id := range []string{"csv", "jsonl", "star", "hive-jsonl", "hive-csv", "hive-parquet", "region", "brackets"} {
		want += id + "|NULL|NULL|NULL|NULL|NULL|20210303\n"
	}
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	// A path DuckDB could read only as a pattern with an escape in it.
	if _, err := f.load("", false, f.file(`back\slash[1].csv`, "id,dt\nx,20210303\n")); err == nil || !strings.Contains(err.Error(), "rename the file or its directory") {
		t.Errorf("a backslash and a bracket: %v", err)
	}
	f.noLeftovers()
}

// A number is loaded as written or not at all: DuckDB would round a decimal
// of more decimals than the column keeps (1.239 into DECIMAL(10,2) is 1.24)
// and hold a number too large for a FLOAT or DOUBLE as infinity.
func TestLoadExactNumbers(t *testing.T) {
	f := newLoadFixture(t)
	ok := f.file("ok.jsonl", `{"id":"j","amount":1.230,"x":1e-400}`+"\n")
	okCSV := f.file("ok.csv", "id,amount,x\nc,-0012.1,1e308\n")
	if n, err := f.load("20210303", false, ok, okCSV); err != nil || n != 2 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := oldRows + "j|NULL|0|NULL|NULL|1.23|20210303\n" + "c|NULL|1e+308|NULL|NULL|-12.10|20210303\n"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	rounds := `"%s" has more than 2 decimals, and DuckDB would round it to fit the DECIMAL(10,2)`
	for _, tc := range []struct{ name, data, want string }{
		{"number.jsonl", `{"id":"a"}` + "\n" + `{"amount":1.239}`, `:2: column amount: ` + fmt.Sprintf(rounds, "1.239")},
		{"string.jsonl", `{"amount":"1.235"}`, `:1: column amount: ` + fmt.Sprintf(rounds, "1.235")},
		{"decimal.csv", "amount\n1.5\n-1.005\n", `:3: column amount: ` + fmt.Sprintf(rounds, "-1.005")},
		{"wide.csv", "amount\n123456789\n", `:2: column amount: "123456789" is not a valid DECIMAL(10,2)`},
		{"inf.jsonl", `{"x":1e400}`, `:1: column x: "1e400" is too large for a DOUBLE, which would hold it as infinity`},
		{"inf.csv", "x\n-1e400\n", `:2: column x: "-1e400" is too large for a DOUBLE, which would hold it as infinity`},
		{"spaced.jsonl", `{"x":" 1.5 "}`, `:1: column x: " 1.5 " is not a valid DOUBLE`},
		{"plus.jsonl", `{"x":"+5"}`, `:1: column x: "+5" is not a DOUBLE DuckDB's JSON reader takes (it refuses a leading 0, a '+' and a '_' in a number's text); write "5"`},
	} {
		path := f.file(tc.name, tc.data)
		if _, err := f.load("20210303", false, path); err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
			t.Errorf("%s: %v\nwant %s%s", tc.name, err, path, tc.want)
		}
	}
	// Parquet: a decimal of as many decimals or fewer, or text that is one.
	for _, tc := range []struct{ name, sel, want string }{
		{"double.parquet", `SELECT 1.25::DOUBLE AS amount`, `:1: column amount: DOUBLE 1.25 (row group 0) is not a valid DECIMAL(10,2); a DECIMAL(10,2) column takes no DOUBLE values`},
		{"decimal3.parquet", `SELECT * FROM (VALUES (1.230::DECIMAL(18,3)), (1.239::DECIMAL(18,3))) AS v(amount)`, `:2: column amount: "1.239" has more than 2 decimals`},
		{"boolean.jsonl", `{"x":true}`, ""},
		{"text.parquet", `SELECT * FROM (VALUES ('1.230'), ('1.239')) AS v(amount)`, `:2: column amount: "1.239" has more than 2 decimals`},
		{"overflow.parquet", `SELECT * FROM (VALUES ('1e300'), ('inf'), ('1e400')) AS v(x)`, `:3: column x: "1e400" is too large for a DOUBLE, which would hold it as infinity`},
		{"spaced.parquet", `SELECT * FROM (VALUES ('+5'), (NULL), (' 1.5')) AS v(x)`, `:3: column x: " 1.5" is not a valid DOUBLE`},
	} {
		path := filepath.Join(f.dir, tc.name)
		if tc.want == "" { // a JSON true into a DOUBLE, which DuckDB would read as 1
			path = f.file(tc.name, tc.sel)
			tc.want = `:1: column x: "true" is not a valid DOUBLE`
		} else {
			f.exec(`COPY (` + tc.sel + `) TO '` + path + `' (FORMAT parquet)`)
		}
		if _, err := f.load("20210303", false, path); err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
			t.Errorf("%s: %v\nwant %s%s", tc.name, err, path, tc.want)
		}
	}
	if got := f.rows(); got != want {
		t.Errorf("rows after the refused loads:\n%s\nwant\n%s", got, want)
	}
	fine := filepath.Join(f.dir, "fine.parquet")
	f.exec(`COPY (SELECT '1.230' AS amount, 2.5::DECIMAL(4,1) AS x) TO '` + fine + `' (FORMAT parquet)`)
	wide := filepath.Join(f.dir, "wide.parquet") // of the column's scale or another, but exact
	f.exec(`COPY (SELECT * FROM (VALUES (1.2::DECIMAL(18,2)), (12345678.9::DECIMAL(38,1))) AS v(amount)) TO '` + wide + `' (FORMAT parquet)`)
	exact := filepath.Join(f.dir, "exact.parquet")
	f.exec(`COPY (SELECT -1.230::DECIMAL(18,3) AS amount) TO '` + exact + `' (FORMAT parquet)`)
	text := filepath.Join(f.dir, "text.parquet") // a NULL is no number to check
	f.exec(`COPY (SELECT * FROM (VALUES ('1.5'), (NULL)) AS v(x)) TO '` + text + `' (FORMAT parquet)`)
	if _, err := f.load("20210304", false, fine, wide, exact, text); err != nil {
		t.Errorf("exact Parquet decimals, and Parquet text: %v", err)
	}
	if got, want := f.rows(), want+"NULL|NULL|2.5|NULL|NULL|1.23|20210304\n"+"NULL|NULL|NULL|NULL|NULL|1.20|20210304\n"+"NULL|NULL|NULL|NULL|NULL|12345678.90|20210304\n"+"NULL|NULL|NULL|NULL|NULL|-1.23|20210304\n"+"NULL|NULL|1.5|NULL|NULL|NULL|20210304\n"+"NULL|NULL|NULL|NULL|NULL|NULL|20210304\n"; got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
}

// A JSON number with a fraction goes into a DECIMAL through a DOUBLE in
// DuckDB's JSON reader: exact up to 15 digits at the column's scale, so a
// longer one must be a string. CSV booleans are DuckDB's (1, 0, y, n too),
// on every line, quoted or not.
func TestLoadJSONDecimalsAndCSVBooleans(t *testing.T) {
	f := newLoadFixture(t)
	f.exec(`CREATE TABLE d (id VARCHAR, big DECIMAL(38,18), ok BOOLEAN, f FLOAT, dt VARCHAR NOT NULL)`)
	load := func(files ...string) error {
		_, err := Load(context.Background(), f.db, Options{Table: "d", Partition: "dt", Day: "20210303", Files: files,
			Columns: []Column{{Name: "id", Type: "VARCHAR"}, {Name: "big", Type: "DECIMAL(38,18)"}, {Name: "ok", Type: "BOOLEAN"}, {Name: "f", Type: "FLOAT"}}})
		return err
	}
	// A FLOAT too goes through a DOUBLE: rounded twice, 1.0000000596046448
	// is 1.0, where its text makes 1.0000001.
	twice := f.file("twice.jsonl", `{"f":1.5}`+"\n"+`{"f":"1.0000000596046448"}`+"\n"+`{"f":1.0000000596046448}`+"\n")
	if err := load(twice); err == nil || err.Error() != twice+`:3: column f: the number 1.0000000596046448 is not the FLOAT DuckDB's JSON reader would store (it reads a number with a fraction as a DOUBLE first); write it as a string, "1.0000000596046448", or declare the column DOUBLE` {
		t.Errorf("a JSON FLOAT rounded twice: %v", err)
	}
	long := f.file("long.jsonl", `{"big":"0.07"}`+"\n"+`{"big":12345678901234567}`+"\n"+`{"big":0.07}`+"\n")
	if err := load(long); err == nil || err.Error() != long+`:3: column big: the number 0.07 has more digits than DuckDB's JSON reader keeps exactly (it reads a number with a fraction as a DOUBLE, 15 digits at the column's scale); write it as a string, "0.07"` {
		t.Errorf("a long JSON decimal: %v", err)
	}
	bools := f.file("bools.csv", "id,big,ok\na,,1\n\"b\",,0\n\"c\",,y\n\u00e9,,n\n")
	if err := load(bools, f.file("strings.jsonl", `{"id":"s","big":"0.07","ok":"yes"}`+"\n")); err != nil {
		t.Fatalf("load: %v", err)
	}
	res, err := f.db.Query(context.Background(), `SELECT string_agg(id || ':' || coalesce(CAST(big AS VARCHAR), '') || ':' || CAST(ok AS VARCHAR), ' ' ORDER BY id) FROM d`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *res.Values[0][0], "a::true b::false c::true s:0.070000000000000000:true \u00e9::false"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
}

func TestFloatAndDecimalValues(t *testing.T) {
	for _, tc := range []struct {
		typ string
		ok  []string
		bad []string
	}{
		{"FLOAT", []string{"1.5", "3.4e38", "-1e-50", "inf", "NaN"}, []string{"1e39", "-3.5e38"}},
		{"DOUBLE", []string{"1e308", "1e-400", "-2.5", "123456789012345678901234567890.1", "+2"}, []string{"1e309", " 1.5", "1.5 ", "", "0x"}},
		{"DECIMAL(5,2)", []string{"123.45", "-0.5", ".5", "5.", "00123.450", "0"}, []string{"1234.5", "1.234", "1e2", "+1", " 1", "", ".", "-", "1.2.3"}},
		{"DECIMAL", []string{"123456789012345.123"}, []string{"1234567890123456", "0.0001"}},
		{"NUMERIC(3)", []string{"999", "7.000"}, []string{"1000", "7.5"}},
	} {
		c := newColumn(Column{Name: "v", Type: tc.typ})
		checkTakes(t, tc.typ, c.valueOK, tc.ok, tc.bad)
	}
}

// checkTakes requires takes to take each of ok and none of bad.
func checkTakes(t *testing.T, what string, takes func([]byte) bool, ok, bad []string) {
	t.Helper()
	for _, v := range ok {
		if !takes([]byte(v)) {
			t.Errorf("%s: %q refused", what, v)
		}
	}
	for _, v := range bad {
		if takes([]byte(v)) {
			t.Errorf("%s: %q taken", what, v)
		}
	}
}

// maxRows bounds the rows of text files by their bytes, before they are
// read (for UpdateRows), and does not know a Parquet file's.
func TestLoaderMaxRows(t *testing.T) {
	dir := t.TempDir()
	file := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	lines := file("a.jsonl", strings.Repeat("{}\n", 1000)+"{}")
	csv := file("b.csv", "id\n1\n2")
	pq := file("c.parquet", "")
	for _, tc := range []struct {
		files []string
		want  int64
	}{
		{[]string{lines}, 3003},
		{[]string{lines, csv}, 3003 + 7},
		{[]string{csv, pq}, -1},
		{nil, 0},
	} {
		l, err := newLoader(Options{Table: "t", Partition: "dt", Columns: loadCols, Files: tc.files})
		if err != nil {
			t.Fatal(err)
		}
		if got := l.maxRows(); got != tc.want {
			t.Errorf("maxRows of %q = %d, want %d", tc.files, got, tc.want)
		}
	}
}

// A load of a few rows leaves a small warehouse on its one thread; a
// Parquet file's rows are not known before it is read, so its load gives
// DuckDB its threads (duckdb.DB.UpdateRows).
func TestLoadThreads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		file string
		data string // the file's lines, or for Parquet the query COPY writes to it
		want string // "" for DuckDB's default threads
	}{
		{"a.jsonl", `{"id":"a","dt":"20210303"}` + "\n", "1"},
		{"a.parquet", `SELECT 'a' AS id, '20210303' AS dt`, ""},
	} {
		path := filepath.Join(dir, tc.file)
		db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, "w.duckdb")})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Run(ctx, &warehouse.Job{Name: "fixture", Statements: []string{`CREATE TABLE IF NOT EXISTS t (id VARCHAR, dt VARCHAR NOT NULL)`}}, nil); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(tc.file, ".parquet") {
			if _, err := db.Query(ctx, fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet)`, tc.data, path)); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
			t.Fatal(err)
		}
		cols := []Column{{Name: "id", Type: "VARCHAR"}}
		if _, err := Load(ctx, db, Options{Table: "t", Partition: "dt", Day: "20210303", Columns: cols, Files: []string{path}, AllowShrink: true}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(ctx, `SELECT current_setting('threads')`)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := tc.want
		if want == "" { // DuckDB's own default
			want = runtimeThreads(t)
		}
		if got := *rows.Values[0][0]; got != want {
			t.Errorf("threads after a load of %s: %s, want %s", tc.file, got, want)
		}
	}
}

// runtimeThreads is the threads DuckDB starts without the setting.
func runtimeThreads(t *testing.T) string {
	t.Helper()
	var n string
	if err := openDuckDB(t).QueryRow(`SELECT current_setting('threads')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A VARCHAR(n) or CHAR(n) column of funnel.toml holds at most n characters
// on MaxCompute; the local table's VARCHAR holds any, so the load checks
// them, in every format, counting characters (not bytes, not escapes).
func TestLoadCharLength(t *testing.T) {
	t.Parallel()
	f := newLoadFixture(t)
	f.exec(`CREATE TABLE s (code VARCHAR, tag VARCHAR, dt VARCHAR NOT NULL)`)
	cols := []Column{{Name: "code", Type: "VARCHAR", Declared: "VARCHAR(3)"}, {Name: "tag", Type: "VARCHAR", Declared: "CHAR(2)"}}
	load := func(path string) error {
		_, err := Load(context.Background(), f.db, Options{Table: "s", Partition: "dt", Day: "20210303", Columns: cols, Files: []string{path}, AllowShrink: true})
		return err
	}
	parquet := func(name, sel string) string {
		path := filepath.Join(f.dir, name)
		f.exec(`COPY (` + sel + `) TO '` + path + `' (FORMAT parquet)`)
		return path
	}
	for _, path := range []string{
		f.file("ok.jsonl", `{"code":"abc","tag":"xy"}`+"\n"+`{"code":"\u00e9t\u00e9","tag":"é"}`+"\n"+`{"code":null,"tag":""}`),
		f.file("ok.csv", "code,tag\nabc,xy\nété,é\n,\n"),
		parquet("ok.parquet", `SELECT * FROM (VALUES ('abc', 'xy'), ('été', NULL)) AS v(code, tag)`),
	} {
		if err := load(path); err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
	}
	for _, tc := range []struct{ path, err string }{
		{f.file("long.jsonl", `{"code":"abc"}`+"\n"+`{"code":"abcd"}`), `:2: column code: "abcd" is 4 characters long; MaxCompute's VARCHAR(3) holds at most 3`},
		{f.file("long.csv", "code,tag\nabc,x\nabc,xyz\n"), `:3: column tag: "xyz" is 3 characters long; MaxCompute's CHAR(2) holds at most 2`},
		{parquet("long.parquet", `SELECT * FROM (VALUES ('a', 'b'), ('é', 'été')) AS v(code, tag)`), `:2: column tag: "été" is 3 characters long; MaxCompute's CHAR(2) holds at most 2`},
		{parquet("number.parquet", `SELECT * FROM (VALUES (12, 'b'), (1234, 'c')) AS v(code, tag)`), `:2: column code: "1234" is 4 characters long; MaxCompute's VARCHAR(3) holds at most 3`},
	} {
		if err := load(tc.path); err == nil || err.Error() != tc.path+tc.err {
			t.Errorf("err = %v\nwant  %s", err, tc.path+tc.err)
		}
	}
	if got := f.dump(`SELECT count(*) FROM s`); strings.TrimSpace(got) != "2" {
		t.Errorf("rows after the failed loads: %s, want the 2 of the last good one", got)
	}
}
