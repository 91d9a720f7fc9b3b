package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/models"
)

func TestTimeLayoutReads(t *testing.T) {
	for _, tc := range []struct {
		format string
		ok     []string
		bad    []string
	}{
		{"yyyy-MM-dd HH:mm:ss 'UTC'",
			[]string{"2019-10-01 00:00:07 UTC", "2024-02-29 23:59:59 UTC", "0001-01-01 00:00:00 UTC", "9999-12-31 23:59:59 UTC"},
			[]string{"", "2019-10-01 00:00:07", "2019-10-01 00:00:07 utc", "2019-10-01 00:00:07 UTC ", " 2019-10-01 00:00:07 UTC",
				"2019-10-01T00:00:07 UTC", "2019-1-01 00:00:07 UTC", "2019-10-01 0:00:07 UTC", "0000-01-01 00:00:00 UTC",
				"2019-02-29 00:00:00 UTC", "2019-04-31 00:00:00 UTC", "2019-13-01 00:00:00 UTC", "2019-00-01 00:00:00 UTC",
				"2019-10-00 00:00:00 UTC", "2019-10-01 24:00:00 UTC", "2019-10-01 00:60:00 UTC", "2019-10-01 00:00:60 UTC",
				"+019-10-01 00:00:07 UTC", "2019-10-01 00:00:07.123 UTC", "１９-10-01 00:00:07 UTC"}},
		{"yyyy-MM-dd'T'HH:mm:ss.SSS",
			[]string{"2019-10-01T00:00:07.000", "2019-10-01T00:00:07.999"},
			[]string{"2019-10-01T00:00:07", "2019-10-01T00:00:07.1", "2019-10-01T00:00:07.1234", "2019-10-01 00:00:07.123"}},
		{"dd/MM/yyyy HH:mm",
			[]string{"01/10/2019 00:07", "29/02/2000 12:00"},
			[]string{"29/02/1900 12:00", "1/10/2019 00:07", "01/10/2019 00:07:00"}},
		{"yyyyMMddHHmmss",
			[]string{"20191001000007"},
			[]string{"2019100100000", "201910010000070"}},
	} {
		l, err := newTimeLayout(tc.format)
		if err != nil {
			t.Fatal(err)
		}
		checkTakes(t, tc.format, l.reads, tc.ok, tc.bad)
	}
}

// The Go check, its SQL form (for Parquet) and DuckDB's try_strptime, as
// the DW node reads a STRING time, agree: what fgen load takes, the DW node
// keeps.
func TestTimeLayoutAgrees(t *testing.T) {
	f := newLoadFixture(t)
	values := []string{"2019-10-01 00:00:07 UTC", "2019-10-01 00:00:07", "2019-10-01 00:00:07 UTC ", "2019-1-1 0:0:7 UTC",
		"0000-01-01 00:00:00 UTC", "0001-01-01 00:00:00 UTC", "9999-12-31 23:59:59 UTC", "2019-02-29 00:00:00 UTC",
		"2020-02-29 00:00:00 UTC", "2100-02-29 00:00:00 UTC", "2000-02-29 00:00:00 UTC", "2019-06-31 00:00:00 UTC",
		"2019-10-01 23:59:60 UTC", "2019-10-01 24:00:00 UTC", "2019-10-01 00:00:07 UTC", "%Y-10-01 00:00:07 UTC", ""}
	for d := 0; d < 400; d += 7 {
		values = append(values, fmt.Sprintf("2019-%02d-%02d %02d:%02d:%02d UTC", 1+d%13, d%33, d%25, d%61, (d*7)%61))
	}
	for _, format := range []string{"yyyy-MM-dd HH:mm:ss 'UTC'", "yyyy-MM-dd HH:mm:ss '%Y'"} {
		l, err := newTimeLayout(format)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, v := range values {
			if strings.HasSuffix(format, "'%Y'") {
				v = strings.Replace(v, "UTC", "%Y", 1)
			}
			rows = append(rows, "("+sqlString(v)+")")
		}
		q := fmt.Sprintf("SELECT v, %s, try_strptime(v, %s) IS NOT NULL FROM (VALUES %s) AS t(v)",
			l.sqlReads("v"), sqlString(generator.DuckDBTimeFormat(format)), strings.Join(rows, ", "))
		res, err := f.db.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Values {
			v, sqlOK, strptime := *r[0], *r[1] == "true", *r[2] == "true"
			if goOK := l.reads([]byte(v)); goOK != sqlOK || (goOK && !strptime) {
				t.Errorf("%s: %q reads in Go %v, in SQL %v, with try_strptime %v", format, v, goOK, sqlOK, strptime)
			}
		}
	}
}

// timesTable is a table with a column of each kind of time.
const timesTable = `CREATE TABLE ev (id VARCHAR, "timestamp" BIGINT, "at" TIMESTAMP, event_time VARCHAR, dt VARCHAR NOT NULL)`

var timesCols = []Column{
	{Name: "id", Type: "VARCHAR"},
	{Name: "timestamp", Type: "BIGINT"},
	{Name: "at", Type: "TIMESTAMP"},
	{Name: "event_time", Type: "VARCHAR", Format: "yyyy-MM-dd HH:mm:ss 'UTC'"},
}

// update runs statements in a transaction of the fixture's database.
func (f *loadFixture) update(stmts ...string) {
	f.t.Helper()
	err := f.db.Update(context.Background(), func(tx *duckdb.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(context.Background(), s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// dump returns the rows of a query, one line each, NULL as NULL.
func (f *loadFixture) dump(q string) string {
	f.t.Helper()
	res, err := f.db.Query(context.Background(), q)
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
				b.WriteString(*v)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (f *loadFixture) loadTimes(day string, files ...string) (int64, error) {
	res, err := Load(context.Background(), f.db, Options{Table: "ev", Partition: "dt", Day: day, Columns: timesCols, Files: files})
	return res.Rows, err
}

const dumpTimes = `SELECT id, "timestamp", CAST("at" AS VARCHAR), event_time, dt FROM ev ORDER BY id`

// Each kind of time loads: epoch milliseconds as BIGINT, a TIMESTAMP as
// DuckDB reads it, a STRING time as written when it reads in its format.
func TestLoadTimes(t *testing.T) {
	f := newLoadFixture(t)
	f.update(timesTable)
	j := f.file("a.jsonl", `{"id":"j1","timestamp":1569888007123,"at":"2019-10-01 00:00:07.123","event_time":"2019-10-01 00:00:07 UTC"}
{"id":"j2","timestamp":"1569888007124","at":null,"event_time":null}
`)
	c := f.file("b.csv", "id,timestamp,at,event_time\n"+
		"c1,1569888007125,2019-10-01 00:00:07,2019-10-01 00:00:07 UTC\n"+
		"c2,,,\n"+
		`"c3",1,"2019-10-01 00:00:07.5","2019-10-01 00:00:08 UTC"`+"\n")
	p := filepath.Join(f.dir, "c.parquet")
	f.update(`COPY (SELECT * FROM (VALUES ('p1', 1569888007126, TIMESTAMP '2019-10-01 00:00:07.126', '2019-10-01 00:00:09 UTC'), ('p2', NULL, NULL, NULL)) AS v(id, "timestamp", "at", event_time)) TO '` + p + `' (FORMAT parquet)`)
	n, err := f.loadTimes("20191001", j, c, p)
	if err != nil || n != 7 {
		t.Fatalf("load = %d, %v", n, err)
	}
	want := "c1|1569888007125|2019-10-01 00:00:07|2019-10-01 00:00:07 UTC|20191001\n" +
		"c2|NULL|NULL|NULL|20191001\n" +
		"c3|1|2019-10-01 00:00:07.5|2019-10-01 00:00:08 UTC|20191001\n" +
		"j1|1569888007123|2019-10-01 00:00:07.123|2019-10-01 00:00:07 UTC|20191001\n" +
		"j2|1569888007124|NULL|NULL|20191001\n" +
		"p1|1569888007126|2019-10-01 00:00:07.126|2019-10-01 00:00:09 UTC|20191001\n" +
		"p2|NULL|NULL|NULL|20191001\n"
	if got := f.dump(dumpTimes); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
}

// A time that does not read is a FILE:LINE error naming the column, the
// value and the format, and nothing is loaded.
func TestLoadBadTimes(t *testing.T) {
	f := newLoadFixture(t)
	f.update(timesTable, `INSERT INTO ev (id, dt) VALUES ('old', '20191001')`)
	before := f.dump(dumpTimes)
	good := `{"id":"g","event_time":"2019-10-01 00:00:07 UTC"}` + "\n"
	const format = `does not read as "yyyy-MM-dd HH:mm:ss 'UTC'", the time_column format in funnel.toml (fix the format if the file's times are all so; else fix or remove the row, which the DW node would drop)`
	for _, tc := range []struct {
		name, file, data string
		err              string
	}{
		{"json without the suffix", "1.jsonl", good + `{"id":"b","event_time":"2019-10-01 00:00:07"}` + "\n",
			`:2: column event_time: "2019-10-01 00:00:07" ` + format},
		{"json with escapes", "1.jsonl", good + good + `{"id":"b","event_time":"2019-10-01T00:00:07\u0020UTC"}` + "\n",
			`:3: column event_time: "2019-10-01T00:00:07 UTC" ` + format},
		{"json spaced", "1.jsonl", `{ "event_time" : "2019-10-01 00:00:07 UTC " }`,
			`:1: column event_time: "2019-10-01 00:00:07 UTC " ` + format},
		{"json empty", "1.jsonl", `{"event_time":""}`, `:1: column event_time: "" ` + format},
		{"json number", "1.jsonl", `{"event_time":20191001}`, `:1: column event_time: "20191001" ` + format},
		{"json boolean", "1.jsonl", `{"event_time":true}`, `:1: column event_time: "true" ` + format},
		{"json no such day", "1.jsonl", `{"event_time":"2019-02-29 00:00:00 UTC"}`, `:1: column event_time: "2019-02-29 00:00:00 UTC" ` + format},
		{"csv", "1.csv", "id,event_time\na,2019-10-01 00:00:07 UTC\nb,2019-10-01 00:00:07 CEST\n",
			`:3: column event_time: "2019-10-01 00:00:07 CEST" ` + format},
		{"csv quoted", "1.csv", "id,event_time\n\"a\",\"2019-10-01 25:00:07 UTC\"\n",
			`:2: column event_time: "2019-10-01 25:00:07 UTC" ` + format},
		{"csv quoted empty", "1.csv", "event_time\n\"\"\n", `:2: column event_time: "" ` + format},
		{"bad millisecond", "1.jsonl", `{"timestamp":1569888007123.5}`, `:1: column timestamp: "1569888007123.5" is not a valid BIGINT`},
		{"bad timestamp", "1.csv", "id,at\na,2019-10-01 00:00:07\nb,2019-10-32 00:00:07\n", `:3: column at: "2019-10-32 00:00:07" is not a valid TIMESTAMP`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := f.file(strings.ReplaceAll(tc.name, " ", "_")+"-"+tc.file, tc.data)
			ok := f.file("ok.jsonl", good)
			if _, err := f.loadTimes("20191001", ok, path); err == nil || err.Error() != path+tc.err {
				t.Errorf("err = %v\nwant  %s", err, path+tc.err)
			}
			if got := f.dump(dumpTimes); got != before {
				t.Errorf("rows changed:\n%s", got)
			}
		})
	}
	t.Run("parquet", func(t *testing.T) {
		for _, tc := range []struct{ name, sel, err string }{
			{"text", `SELECT * FROM (VALUES ('2019-10-01 00:00:07 UTC'), (NULL), ('2019-10-01 00:00:07')) AS v(event_time)`,
				`:3: column event_time: "2019-10-01 00:00:07" ` + format},
			{"integer", `SELECT 20191001 AS event_time`, `:1: column event_time: "20191001" ` + format},
			{"timestamp", `SELECT TIMESTAMP '2019-10-01 00:00:07' AS event_time`, `:1: column event_time: "2019-10-01 00:00:07" ` + format},
		} {
			path := filepath.Join(f.dir, tc.name+".parquet")
			f.update(`COPY (` + tc.sel + `) TO '` + path + `' (FORMAT parquet)`)
			if _, err := f.loadTimes("20191001", path); err == nil || err.Error() != path+tc.err {
				t.Errorf("%s: err = %v\nwant  %s", tc.name, err, path+tc.err)
			}
		}
		if got := f.dump(dumpTimes); got != before {
			t.Errorf("rows changed:\n%s", got)
		}
	})
}

// A time format applies to a string column, and must be one fgen reads.
func TestLoadTimeFormatErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.jsonl")
	os.WriteFile(path, nil, 0o644)
	for _, tc := range []struct {
		col Column
		err string
	}{
		{Column{Name: "ts", Type: "BIGINT", Format: "yyyy"}, "column ts is BIGINT; a time format applies to a string column"},
		{Column{Name: "ts", Type: "VARCHAR", Format: "yyyy-MM-ddTHH"}, `column ts: format "yyyy-MM-ddTHH": "T" at 11 is no pattern fgen reads`},
	} {
		_, err := newLoader(Options{Table: "t", Partition: "dt", Columns: []Column{tc.col}, Files: []string{path}})
		if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%+v: %v, want %s", tc.col, err, tc.err)
		}
	}
}

func (f *loadFixture) loadDerived(d DayFrom, day string, files ...string) (int64, error) {
	res, err := Load(context.Background(), f.db, Options{Table: "ev", Partition: "dt", Day: day, Columns: timesCols, Files: files, DayFrom: &d})
	return res.Rows, err
}

// Without a day, a row without a partition value goes to the date of its
// time in the zone of the business day; a row's own value wins, and only
// the partitions of the load are replaced.
func TestLoadDayFromTime(t *testing.T) {
	t.Parallel()
	utcText := DayFrom{Time: timesCols[3].timeColumn("UTC"), Kind: "string", Zone: "Asia/Shanghai"}
	for _, tc := range []struct {
		name  string
		from  DayFrom
		files map[string]string // name: contents; a .parquet's is a SELECT
		want  string            // id|dt, by id
		parts string
	}{
		{"string", utcText, map[string]string{
			"a.jsonl": `{"id":"j1","event_time":"2019-09-30 15:59:59 UTC"}
{"id":"j2","event_time":"2019-09-30 16:00:00 UTC"}
{"id":"j3","event_time":"2019-09-30 16:00:00 UTC","dt":"20190101"}
{ "id" : "j4", "event_time" : "2019-10-01 16:00:00 UTC", "dt": null }
`,
			"b.csv":     "id,event_time\nc1,2019-09-30 15:59:59 UTC\n\"c2\",\"2019-10-01 00:00:00 UTC\"\n",
			"c.parquet": `SELECT * FROM (VALUES ('p1', '2019-10-01 15:59:59 UTC', NULL), ('p2', NULL, '20190101')) AS v(id, event_time, dt)`,
		}, "c1|20190930\nc2|20191001\nj1|20190930\nj2|20191001\nj3|20190101\nj4|20191002\nold1|20190102\np1|20191001\np2|20190101\n",
			"20190101,20190930,20191001,20191002"},
		{"milliseconds", DayFrom{Time: timesCols[1].timeColumn("ms"), Kind: "epoch", Zone: "UTC"}, map[string]string{
			"a.jsonl":   `{"id":"j1","timestamp":1569887999999}` + "\n" + `{"id":"j2","timestamp":"1569888000000"}`,
			"b.csv":     "id,dt,timestamp\nc1,,1569888000000\nc2,20190101,\n",
			"c.parquet": `SELECT 'p1' AS id, 1569887999999 AS "timestamp"`,
		}, "c1|20191001\nc2|20190101\nj1|20190930\nj2|20191001\nold1|20190102\np1|20190930\n",
			"20190101,20190930,20191001"},
		{"seconds", DayFrom{Time: timesCols[1].timeColumn("s"), Kind: "epoch", Zone: "Asia/Shanghai"}, map[string]string{
			"a.csv": "id,timestamp\nc1,1569859199\nc2,1569859200\n",
		}, "c1|20190930\nc2|20191001\nold1|20190102\n", "20190930,20191001"},
		{"timestamp", DayFrom{Time: timesCols[2].timeColumn(""), Kind: "datetime", Zone: "America/New_York"}, map[string]string{
			"a.jsonl":   `{"id":"j1","at":"2019-10-01 03:59:59.999"}` + "\n" + `{"id":"j2","at":"2019-10-01 04:00:00"}`,
			"c.parquet": `SELECT 'p1' AS id, TIMESTAMP '2019-10-01 04:00:00' AS "at"`,
		}, "j1|20190930\nj2|20191001\nold1|20190102\np1|20191001\n", "20190930,20191001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLoadFixture(t)
			f.update(timesTable, `INSERT INTO ev (id, dt) VALUES ('old1', '20190102'), ('old2', '20190930'), ('old3', '20191001')`)
			var files []string
			for name, data := range tc.files {
				path := filepath.Join(f.dir, name)
				if strings.HasSuffix(name, ".parquet") {
					f.update(`COPY (` + data + `) TO '` + path + `' (FORMAT parquet)`)
				} else {
					f.file(name, data)
				}
				files = append(files, path)
			}
			sortStrings(files)
			if _, err := f.loadDerived(tc.from, "", files...); err != nil {
				t.Fatal(err)
			}
			if got := f.dump(`SELECT id, dt FROM ev ORDER BY id`); got != tc.want {
				t.Errorf("rows:\n%s\nwant\n%s", got, tc.want)
			}
			if got := f.dump(`SELECT string_agg(value, ',' ORDER BY value) FROM fgen_partitions WHERE table_name = 'ev'`); strings.TrimSpace(got) != tc.parts {
				t.Errorf("partitions %s, want %s", got, tc.parts)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		f := newLoadFixture(t)
		f.update(timesTable, `INSERT INTO ev (id, dt) VALUES ('old', '20190102')`)
		before := f.dump(dumpTimes)
		const none = `no dt value, and no event_time to take it from; give the partition with --bizdate yyyymmdd, or a dt or event_time in every row`
		nullTime := filepath.Join(f.dir, "null.parquet")
		f.update(`COPY (SELECT * FROM (VALUES ('p1', '2019-10-01 00:00:00 UTC'), ('p2', NULL)) AS v(id, event_time)) TO '` + nullTime + `' (FORMAT parquet)`)
		for _, tc := range []struct {
			from       DayFrom
			name, data string
			err        string
		}{
			{utcText, "1.jsonl", `{"id":"a","event_time":"2019-10-01 00:00:00 UTC"}` + "\n" + `{"id":"b","event_time":null}`, ":2: " + none},
			{utcText, "2.csv", "id,event_time\na,2019-10-01 00:00:00 UTC\nb,\n", ":3: " + none},
			{utcText, "3.csv", "id\na\n", ":2: " + none},
			{utcText, "null.parquet", "", ":2: " + none},
			{utcText, "4.jsonl", `{"id":"a","event_time":"2019-10-01 00:00:00"}`, `:1: column event_time: "2019-10-01 00:00:00" does not read as "yyyy-MM-dd HH:mm:ss 'UTC'", the time_column format in funnel.toml (fix the format if the file's times are all so; else fix or remove the row, which the DW node would drop)`},
			{DayFrom{Time: timesCols[2].timeColumn(""), Kind: "datetime", Zone: "UTC"}, "5.csv", "id,at\na,2019-10-01 00:00:00\nb,2019-10-32 00:00:00\n",
				`:3: column at: "2019-10-32 00:00:00" is not a valid TIMESTAMP`},
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6.jsonl", `{"id":"a","timestamp":1569888000}` + "\n\n" + `{"id":"b","timestamp":253402300800}`,
				`:3: a row without dt has a timestamp of 253402300800, past the year 9999 in epoch seconds (are its times in milliseconds? say so with time_column = { name = "timestamp", unit = "ms" } in funnel.toml)`},
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6b.jsonl", `{"id":"a","timestamp":-99999999999}`,
				`:1: a row without dt has a timestamp of -99999999999, before the year 0000 in epoch seconds`},
			{DayFrom{Time: timesCols[1].timeColumn("ms"), Kind: "epoch", Zone: "UTC"}, "6c.jsonl", `{"id":"a","timestamp":253402300800000}`,
				`:1: a row without dt has a timestamp of 253402300800000, past the year 9999 in epoch milliseconds (are its times in microseconds? divide them by 1000 to milliseconds)`},
			// Within the years 0000 to 9999 in UTC, but not in UTC+14.
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "Pacific/Kiritimati"}, "6d.jsonl", `{"id":"a","timestamp":253402300799}`,
				`:1: a row without dt has a timestamp whose date in Pacific/Kiritimati, "100000101", is past the year 9999, which no business date is; correct the time, or give the row a dt`},
			{DayFrom{Time: timesCols[2].timeColumn(""), Kind: "datetime", Zone: "Asia/Shanghai"}, "6k.csv", "id,at\na,9999-12-31 23:00:00\n",
				`:2: a row without dt has a at whose date in Asia/Shanghai, "100000101", is past the year 9999, which no business date is; correct the time, or give the row a dt`},
			// In the year 0000 (-62167219200 is 0000-01-01 UTC), which
			// DuckDB and the range take, and no business date is.
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6j.jsonl", `{"id":"a","timestamp":-62167219200}`,
				`:1: a row without dt has a timestamp whose date, "00000101", is no business date: there is no year 0000; correct the time, or give the row a dt`},
			// Past DuckDB's times (the year 294247) in seconds, which its
			// conversion refuses: microseconds and nanoseconds since 1970.
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6e.jsonl", `{"id":"a","timestamp":1569888000}` + "\n" + `{"id":"b","timestamp":1614761107000000}`,
				`:2: a row without dt has a timestamp of 1614761107000000, past the year 9999 in epoch seconds (are its times in microseconds? divide them by 1000 to milliseconds, and say so with time_column = { name = "timestamp", unit = "ms" } in funnel.toml)`},
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6f.jsonl", `{"id":"a","timestamp":1614761107000000000}`,
				`:1: a row without dt has a timestamp of 1614761107000000000, past the year 9999 in epoch seconds (are its times in nanoseconds? divide them by 1000000 to milliseconds, and say so with time_column = { name = "timestamp", unit = "ms" } in funnel.toml)`},
			{DayFrom{Time: timesCols[1].timeColumn("ms"), Kind: "epoch", Zone: "UTC"}, "6g.jsonl", `{"id":"a","timestamp":1614761107000000}`,
				`:1: a row without dt has a timestamp of 1614761107000000, past the year 9999 in epoch milliseconds (are its times in microseconds? divide them by 1000 to milliseconds)`},
			{DayFrom{Time: timesCols[1].timeColumn("ms"), Kind: "epoch", Zone: "UTC"}, "6h.jsonl", `{"id":"a","timestamp":9223372036854775807}`,
				`:1: a row without dt has a timestamp of 9223372036854775807, past the year 9999 in epoch milliseconds`},
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6i.jsonl", `{"id":"a","timestamp":-9223372036854775807}`,
				`:1: a row without dt has a timestamp of -9223372036854775807, before the year 0000 in epoch seconds`},
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6.csv", "id,timestamp\na,1569888000\nb,1569888000\nc,253402300800\n",
				`:4: a row without dt has a timestamp of 253402300800, past the year 9999 in epoch seconds (are its times in milliseconds? say so with time_column = { name = "timestamp", unit = "ms" } in funnel.toml)`},
			{DayFrom{Time: timesCols[1].timeColumn(""), Kind: "epoch", Zone: "UTC"}, "6b.csv", "id,timestamp\na,1569888000\nb,1614761107000000\n",
				`:3: a row without dt has a timestamp of 1614761107000000, past the year 9999 in epoch seconds (are its times in microseconds? divide them by 1000 to milliseconds, and say so with time_column = { name = "timestamp", unit = "ms" } in funnel.toml)`},
		} {
			path := filepath.Join(f.dir, tc.name)
			if tc.data != "" {
				f.file(tc.name, tc.data)
			}
			if _, err := f.loadDerived(tc.from, "", path); err == nil || err.Error() != path+tc.err {
				t.Errorf("%s: err = %v\nwant  %s", tc.name, err, path+tc.err)
			}
		}
		if got := f.dump(dumpTimes); got != before {
			t.Errorf("rows changed:\n%s", got)
		}
		// With a day, every row goes to it, whatever its time.
		if n, err := f.loadDerived(utcText, "20190102", f.file("7.jsonl", `{"id":"a","event_time":"2019-10-01 00:00:00 UTC"}`+"\n"+`{"id":"b"}`)); err != nil || n != 2 {
			t.Fatalf("load into a day = %d, %v", n, err)
		}
		if got := f.dump(`SELECT id, dt FROM ev ORDER BY id`); got != "a|20190102\nb|20190102\n" {
			t.Errorf("rows:\n%s", got)
		}
	})
}

// timeColumn is the column as a funnel's time column: a STRING one in its
// format and zone, an integer one in unit.
func (c Column) timeColumn(zoneOrUnit string) models.TimeColumn {
	if c.Format != "" {
		return models.TimeColumn{Name: c.Name, Format: c.Format, Timezone: zoneOrUnit}
	}
	return models.TimeColumn{Name: c.Name, Unit: zoneOrUnit}
}

// A DATE or DATETIME value that DuckDB reads but MaxCompute's types do not
// hold (a year after 9999 or BC), or a word DuckDB reads as a date
// (infinity, epoch), is an error at its line in every format, and the
// table keeps its rows; the years 0000 to 9999 load.
func TestLoadDatesInRange(t *testing.T) {
	f := newLoadFixture(t)
	f.update(`CREATE TABLE d (id VARCHAR, "day" DATE, "at" TIMESTAMP, dt VARCHAR NOT NULL)`, `INSERT INTO d (id, dt) VALUES ('old', '20210303')`)
	cols := []Column{{Name: "id", Type: "VARCHAR"}, {Name: "day", Type: "DATE"}, {Name: "at", Type: "TIMESTAMP", Declared: "DATETIME"}}
	load := func(files ...string) error {
		_, err := Load(context.Background(), f.db, Options{Table: "d", Partition: "dt", Day: "20210303", Columns: cols, Files: files, AllowShrink: true})
		return err
	}
	const dump = `SELECT id, CAST("day" AS VARCHAR), CAST("at" AS VARCHAR), dt FROM d ORDER BY id`
	before := f.dump(dump)
	const words = `is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them`
	years := func(col, v, typ string) string {
		return fmt.Sprintf(`column %s: %q is outside the years 0000 to 9999 that MaxCompute's %s holds (DuckDB reads later years and BC); correct the value`, col, v, typ)
	}
	for _, tc := range []struct{ name, file, data, err string }{
		{"csv date infinity", "1.csv", "id,day\na,2021-03-03\nb,infinity\n", `:3: column day: "infinity" ` + words},
		{"csv date epoch", "1.csv", "id,day\na,epoch\n", `:2: column day: "epoch" ` + words},
		{"csv date year 10000", "1.csv", "id,day\na,10000-01-01\n", ":2: " + years("day", "10000-01-01", "DATE")},
		{"csv date bc", "1.csv", "id,day\na,2021-03-03 (BC)\n", ":2: " + years("day", "2021-03-03 (BC)", "DATE")},
		{"json date infinity", "1.jsonl", `{"day":"-infinity"}`, `:1: column day: "-infinity" ` + words},
		{"json date negative year", "1.jsonl", "{\"day\":\"2021-03-03\"}\n{\"day\":\"-0044-03-15\"}\n", ":2: " + years("day", "-0044-03-15", "DATE")},
		{"csv time year 10000", "1.csv", "id,at\na,10000-01-01 00:00:00\n", ":2: " + years("at", "10000-01-01 00:00:00", "DATETIME")},
		{"json time bc", "1.jsonl", `{"at":"2021-03-03 10:00:00 BC"}`, ":1: " + years("at", "2021-03-03 10:00:00 BC", "DATETIME")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := f.file(strings.ReplaceAll(tc.name, " ", "_")+"-"+tc.file, tc.data)
			if err := load(path); err == nil || err.Error() != path+tc.err {
				t.Errorf("err = %v\nwant  %s", err, path+tc.err)
			}
			if got := f.dump(dump); got != before {
				t.Errorf("rows changed:\n%s", got)
			}
		})
	}
	for _, tc := range []struct{ name, sel, err string }{
		{"native date infinity", `SELECT * FROM (VALUES ('2021-03-03'::DATE), ('infinity'::DATE)) AS v("day")`, `:2: column day: "infinity" ` + words},
		{"native date year 10000", `SELECT '10000-01-01'::DATE AS "day"`, ":1: " + years("day", "10000-01-01", "DATE")},
		{"native time bc", `SELECT '2021-03-03 (BC) 10:00:00'::TIMESTAMP AS "at"`, ":1: " + years("at", "2021-03-03 (BC) 10:00:00", "DATETIME")},
		{"native date into time", `SELECT '10000-01-01'::DATE AS "at"`, ":1: " + years("at", "10000-01-01", "DATETIME")},
		{"text date", `SELECT * FROM (VALUES ('2021-03-03'), ('10000-01-01')) AS v("day")`, ":2: " + years("day", "10000-01-01", "DATE")},
		{"text date epoch", `SELECT 'epoch' AS "day"`, `:1: column day: "epoch" ` + words},
	} {
		t.Run("parquet "+tc.name, func(t *testing.T) {
			path := filepath.Join(f.dir, strings.ReplaceAll(tc.name, " ", "_")+".parquet")
			f.update(`COPY (` + tc.sel + `) TO '` + path + `' (FORMAT parquet)`)
			if err := load(path); err == nil || err.Error() != path+tc.err {
				t.Errorf("err = %v\nwant  %s", err, path+tc.err)
			}
			if got := f.dump(dump); got != before {
				t.Errorf("rows changed:\n%s", got)
			}
		})
	}
	csv := f.file("ok.csv", "id,day,at\na,0000-01-01,9999-12-31 23:59:59\nb,2021-03-03,2021-03-03 10:00:00\n")
	pq := filepath.Join(f.dir, "ok.parquet")
	f.update(`COPY (SELECT 'c' AS id, '9999-12-31'::DATE AS "day", '0000-01-01 00:00:00'::TIMESTAMP AS "at") TO '` + pq + `' (FORMAT parquet)`)
	if err := load(csv, pq); err != nil {
		t.Fatal(err)
	}
	want := "a|0001-01-01 (BC)|9999-12-31 23:59:59|20210303\nb|2021-03-03|2021-03-03 10:00:00|20210303\nc|9999-12-31|0001-01-01 (BC) 00:00:00|20210303\n"
	if got := f.dump(dump); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
}

// A Parquet TIMESTAMP WITH TIME ZONE, what Spark and pandas write for a
// time with a zone, is an instant: it loads into a DATETIME as its UTC wall
// time, whatever DuckDB's session zone (the machine's), a row's day from it
// is the day of the instant in the business day's zone, and its range is
// checked as a TIMESTAMP's.
func TestLoadParquetInstants(t *testing.T) {
	f := newLoadFixture(t)
	f.update(timesTable, `SET GLOBAL TimeZone = 'Asia/Shanghai'`)
	path := filepath.Join(f.dir, "tz.parquet")
	f.update(`COPY (SELECT * FROM (VALUES ('p1', TIMESTAMPTZ '2019-10-01 03:59:59.5+00'), ('p2', TIMESTAMPTZ '2019-10-01 12:00:00+08')) AS v(id, "at")) TO '` + path + `' (FORMAT parquet)`)
	from := DayFrom{Time: timesCols[2].timeColumn(""), Kind: "datetime", Zone: "America/New_York"}
	if _, err := f.loadDerived(from, "", path); err != nil {
		t.Fatal(err)
	}
	want := "p1|NULL|2019-10-01 03:59:59.5|NULL|20190930\np2|NULL|2019-10-01 04:00:00|NULL|20191001\n"
	if got := f.dump(dumpTimes); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	for _, tc := range []struct{ sel, err string }{
		{`SELECT * FROM (VALUES (TIMESTAMPTZ '2019-10-01 00:00:00+00'), (NULL), (TIMESTAMPTZ 'infinity')) AS v("at")`,
			`:3: column at: "infinity" is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them`},
		{`SELECT TIMESTAMPTZ '10000-01-01 00:00:00+00' AS "at"`,
			`:1: column at: "10000-01-01 00:00:00" is outside the years 0000 to 9999 that MaxCompute's TIMESTAMP holds (DuckDB reads later years and BC); correct the value`},
	} {
		bad := filepath.Join(f.dir, "bad.parquet")
		f.update(`COPY (` + tc.sel + `) TO '` + bad + `' (FORMAT parquet)`)
		if _, err := f.loadTimes("20191001", bad); err == nil || err.Error() != bad+tc.err {
			t.Errorf("err = %v\nwant  %s", err, bad+tc.err)
		}
		if got := f.dump(dumpTimes); got != want {
			t.Errorf("rows after a refused load:\n%s\nwant\n%s", got, want)
		}
	}
}

// A Parquet TIMESTAMP_NS loads to the microsecond at or before it, as the
// same time's text does: DuckDB's CAST rounds, which would move the last
// instant of a day into the next day, and a time before 1970 up.
func TestLoadParquetNanoseconds(t *testing.T) {
	f := newLoadFixture(t)
	f.update(timesTable)
	times := []string{"2021-03-03 15:59:59.9999996", "1960-03-03 15:59:59.9999996", "2021-03-03 10:00:00.0000004", "1969-12-31 23:59:59.999999999"}
	// infinity is refused, as a TIMESTAMP's is.
	inf := filepath.Join(f.dir, "inf.parquet")
	f.update(`COPY (SELECT 'p0' AS id, 'infinity'::TIMESTAMP_NS AS "at") TO '` + inf + `' (FORMAT parquet)`)
	if _, err := f.loadTimes("20210303", inf); err == nil || !strings.Contains(err.Error(), `column at: "infinity" is not a time a log writes`) {
		t.Errorf("infinity: %v", err)
	}
	var rows []string
	var text strings.Builder
	text.WriteString("id,at\n")
	for i, at := range times {
		rows = append(rows, fmt.Sprintf("('p%d', TIMESTAMP_NS '%s')", i, at))
		fmt.Fprintf(&text, "c%d,%s\n", i, at)
	}
	pq := filepath.Join(f.dir, "ns.parquet")
	f.update(`COPY (SELECT * FROM (VALUES ` + strings.Join(rows, ", ") + `) AS v(id, "at")) TO '` + pq + `' (FORMAT parquet)`)
	csv := filepath.Join(f.dir, "ns.csv")
	if err := os.WriteFile(csv, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	from := DayFrom{Time: timesCols[2].timeColumn(""), Kind: "datetime", Zone: "Asia/Shanghai"}
	if _, err := f.loadDerived(from, "", pq, csv); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"c0|NULL|2021-03-03 15:59:59.999999|NULL|20210303\n" +
		"c1|NULL|1960-03-03 15:59:59.999999|NULL|19600303\n" +
		"c2|NULL|2021-03-03 10:00:00|NULL|20210303\n" +
		"c3|NULL|1969-12-31 23:59:59.999999|NULL|19700101\n" +
		"p0|NULL|2021-03-03 15:59:59.999999|NULL|20210303\n" +
		"p1|NULL|1960-03-03 15:59:59.999999|NULL|19600303\n" +
		"p2|NULL|2021-03-03 10:00:00|NULL|20210303\n" +
		"p3|NULL|1969-12-31 23:59:59.999999|NULL|19700101\n"
	if got := f.dump(dumpTimes); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
}

// A Parquet string that is not UTF-8: DuckDB's reader names the value, not
// its column, which the error adds.
func TestLoadParquetNotUTF8(t *testing.T) {
	f := newLoadFixture(t)
	f.update(timesTable)
	src := filepath.Join(f.dir, "src.parquet")
	f.update(`COPY (SELECT 'fine' AS id, 'aQQQb' AS event_time) TO '` + src + `' (FORMAT parquet, COMPRESSION uncompressed)`)
	data, err := os.ReadFile(src)
	if err != nil || !strings.Contains(string(data), "aQQQb") {
		t.Fatalf("no value aQQQb in the file (%v)", err)
	}
	bad := filepath.Join(f.dir, "bad.parquet")
	if err := os.WriteFile(bad, []byte(strings.ReplaceAll(string(data), "QQQ", "\xff\xfe\xfd")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = f.loadTimes("20210303", bad)
	if want := bad + ": column event_time holds a string that is not UTF-8, which DuckDB's Parquet reader refuses ("; err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "); write the file's strings as UTF-8") {
		t.Errorf("err = %v\nwant %s...", err, want)
	}
}
