package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// hourlyFixture is a database file with the hourly table ev, partitioned by
// dt and hh, and a directory for input files.
type hourlyFixture struct {
	*loadFixture
}

func newHourlyFixture(t *testing.T) *hourlyFixture {
	t.Helper()
	dir := t.TempDir()
	// InPlace: the test's own directory, which no other process creates a
	// warehouse in (duckdb's tests cover creating one beside its path).
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, "db", "local.duckdb"), Threads: 2, InPlace: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(context.Background(), func(tx *duckdb.Tx) error {
		_, err := tx.Exec(context.Background(), `CREATE TABLE ev (id VARCHAR, dt VARCHAR NOT NULL, hh VARCHAR NOT NULL)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &hourlyFixture{&loadFixture{t: t, db: db, dir: dir}}
}

// load loads files as a load with --allow-destructive does: an hour may
// lose its rows (TestLoadHourly checks the guard once).
func (f *hourlyFixture) load(day string, appendRows bool, files ...string) error {
	return f.loadAllowing(true, day, appendRows, files...)
}

func (f *hourlyFixture) loadAllowing(shrink bool, day string, appendRows bool, files ...string) error {
	cols := []Column{{Name: "id", Type: "VARCHAR"}, {Name: "hh", Type: "VARCHAR"}}
	_, err := Load(context.Background(), f.db, Options{Table: "ev", Partition: "dt", Day: day, Columns: cols, Files: files, Append: appendRows, HourPartition: "hh", AllowShrink: shrink})
	return err
}

// query returns the rows of q, one line each, values joined by '|'.
func (f *hourlyFixture) query(q string) string {
	f.t.Helper()
	res, err := f.db.Query(context.Background(), q)
	if err != nil {
		f.t.Fatal(err)
	}
	var lines []string
	for _, row := range res.Values {
		var vals []string
		for _, v := range row {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, *v)
			}
		}
		lines = append(lines, strings.Join(vals, "|"))
	}
	return strings.Join(lines, "\n")
}

func (f *hourlyFixture) rows() string {
	return f.query(`SELECT id, dt, hh FROM ev ORDER BY id`)
}

// marked is how many partitions of ev fgen_partitions notes for day: its
// hours ("day/hh"), and the day alone.
func (f *hourlyFixture) marked(day string) (hours, days string) {
	hours = f.query(`SELECT count(*) FROM fgen_partitions WHERE table_name = 'ev' AND value LIKE '` + day + `/%'`)
	days = f.query(`SELECT count(*) FROM fgen_partitions WHERE table_name = 'ev' AND value = '` + day + `'`)
	return hours, days
}

// An hourly table: each row gives its hour; a load writes whole days, so
// each day it loads gets its 24 hour partitions, and Partition sees each;
// a row without an hour, or with one that is not 00 to 23, fails the load,
// which keeps nothing.
func TestLoadHourly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newHourlyFixture(t)
	good := f.file("good.jsonl", `{"id":"a","dt":"20261201","hh":"07"}
{"id":"b","dt":"20261201","hh":"23"}
`)
	if err := f.load("", false, good); err != nil {
		t.Fatal(err)
	}
	for _, hour := range []string{"07", "00", "23"} {
		p, err := f.db.Partition(ctx, "ev", warehouse.HourSpec("dt", "20261201", "hh", hour))
		if err != nil || !p.Exists {
			t.Errorf("hour %s: exists %v, %v; want true", hour, p.Exists, err)
		}
	}
	if p, err := f.db.Partition(ctx, "ev", warehouse.HourSpec("dt", "20261202", "hh", "07")); err != nil || p.Exists {
		t.Errorf("a day not loaded: exists %v, %v", p.Exists, err)
	}
	if hours, days := f.marked("20261201"); hours != "24" || days != "0" {
		t.Errorf("%s hour partitions of the day marked, want 24; the day itself %s times, want 0", hours, days)
	}
	const loaded = "a|20261201|07\nb|20261201|23"
	if got := f.rows(); got != loaded {
		t.Fatalf("rows:\n%s\nwant\n%s", got, loaded)
	}

	// Each bad hour is found in the table, and then at its file and line.
	const missing, notHour = `no hh value; ev is partitioned by hour: give every row its hour, 00 to 23, or load one hour's file with --bizdate yyyymmdd --hour HH`, `an hour partition value is two digits from 00 to 23`
	for _, tc := range []struct {
		name, day, rows string
		line            int
		want            string
	}{
		{"bad.jsonl", "", `{"id":"c","dt":"20261202","hh":"24"}`, 1, `hh "24"; ` + notHour},
		{"bad.jsonl", "", `{"id":"c","dt":"20261202","hh":"7"}`, 1, `hh "7"; ` + notHour},
		{"bad.jsonl", "", `{"id":"c","dt":"20261202"}`, 1, missing},
		// No day: an hourly load takes none from the time, so none is suggested.
		{"bad.jsonl", "", `{"id":"c","hh":"05"}`, 1, `no dt value; give the partition with --bizdate yyyymmdd, or a dt column in every row`},
		// Into a day: the checks run beside DuckDB's insert.
		{"bad.jsonl", "20261202", `{"id":"c","hh":"24"}`, 1, `hh "24"; ` + notHour},
		{"bad.jsonl", "20261202", `{"id":"c"}`, 1, missing},
		{"bad.jsonl", "20261202", `{"id":"c","HH":"05"}` + "\n\n" + `{"id":"d","hh":"5"}`, 3, `hh "5"; ` + notHour},
		{"bad.csv", "", "id,dt\nc,20261202", 2, missing},
		{"bad.csv", "", "id,dt,hh\nc,20261202,\"\"", 2, `hh ""; ` + notHour},
		{"bad.csv", "20261202", "id,hh\nc,05\n\"d\ne\",\n", 3, missing},
		// A day already loaded keeps its rows and hours.
		{"bad.jsonl", "20261201", `{"id":"c","hh":"-1"}`, 1, `hh "-1"; ` + notHour},
		{"bad.jsonl", "", `{"id":"c","dt":"20261201","hh":"00"}` + "\n" + `{"id":"d","dt":"20261201"}`, 2, missing},
	} {
		t.Run(tc.rows, func(t *testing.T) {
			path := f.file(tc.name, tc.rows+"\n")
			err := f.load(tc.day, false, path)
			if want := fmt.Sprintf("%s:%d: %s", path, tc.line, tc.want); err == nil || err.Error() != want {
				t.Errorf("err = %v, want %s", err, want)
			}
			if got := f.rows(); got != loaded {
				t.Errorf("a failed load changed the rows:\n%s\nwant\n%s", got, loaded)
			}
			if hours, days := f.marked("20261202"); hours != "0" || days != "0" {
				t.Errorf("a failed load kept partitions of 20261202: %s hours, %s days", hours, days)
			}
			if hours, _ := f.marked("20261201"); hours != "24" {
				t.Errorf("%s hour partitions of 20261201 marked after a failed load, want 24", hours)
			}
		})
	}

	// A Parquet file's bad hour is at its row.
	pq := filepath.Join(f.dir, "bad.parquet")
	f.exec(`COPY (SELECT * FROM (VALUES ('c', '20261202', '00'), ('d', '20261202', NULL)) AS v(id, dt, hh)) TO '` + pq + `' (FORMAT parquet)`)
	if err, want := f.load("", false, pq), pq+":2: "+missing; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}

	// Into one day, appended: the day's rows are kept and its hours marked.
	if err := f.load("20261203", false, f.file("more.csv", "id,hh\nc,00\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.load("20261203", true, f.file("more.jsonl", `{"id":"d","hh":"12"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	if hours, days := f.marked("20261203"); hours != "24" || days != "0" {
		t.Errorf("%s hour partitions of the appended day marked, want 24; the day itself %s times, want 0", hours, days)
	}
	// A row already in the day with a bad hour (written by hand) fails an
	// append to the day, which says it is the table's.
	f.exec(`INSERT INTO ev VALUES ('x', '20261203', '7')`)
	if err, want := f.load("20261203", true, f.file("fine.jsonl", `{"id":"y","hh":"05"}`+"\n")), `a row of dt=20261203 already in ev has hh "7"; `+notHour; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	f.exec(`DELETE FROM ev WHERE id = 'x'`)
	// Replacing a day replaces all its hours, whichever the rows give: a
	// load that empties hours that had rows is refused, unless allowed.
	again := f.file("again.jsonl", `{"id":"e","HH":"05"}`+"\n")
	var se *ShrinkError
	if err := f.loadAllowing(false, "20261201", false, again); !errors.As(err, &se) || se.HourPartition != "hh" ||
		!reflect.DeepEqual(se.Shrunk, []PartitionRows{{Day: "20261201", Hour: "07", Before: 1}, {Day: "20261201", Hour: "23", Before: 1}}) ||
		!strings.Contains(err.Error(), "it would replace the partitions ev/dt=20261201/hh=07 (1 row) with 0; ev/dt=20261201/hh=23 (1 row) with 0, fewer than half") {
		t.Errorf("err = %v, want a ShrinkError of hours 07 and 23", err)
	}
	if err := f.load("20261201", false, again); err != nil {
		t.Fatal(err)
	}
	want := "c|20261203|00\nd|20261203|12\ne|20261201|05"
	if got := f.rows(); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	if hours, _ := f.marked("20261201"); hours != "24" {
		t.Errorf("%s hour partitions of the replaced day marked, want 24", hours)
	}
	f.noLeftovers()
}

// An hourly table's day loses the hours its files lack; the guard refuses
// when those hours held half the day's rows (an hour's file loaded over
// the day), not a corrected day that drops an hour of a stray row.
func TestLoadHourlyShrink(t *testing.T) {
	f := newHourlyFixture(t)
	var day, corrected, hour01 strings.Builder
	for i := range 100 {
		line := fmt.Sprintf(`{"id":"a%d","hh":"10"}`+"\n", i)
		day.WriteString(line)
		corrected.WriteString(line)
		if i < 60 {
			fmt.Fprintf(&hour01, `{"id":"b%d","hh":"01"}`+"\n", i)
		}
	}
	day.WriteString(`{"id":"qa","hh":"03"}` + "\n")
	if err := f.loadAllowing(false, "20261201", false, f.file("day.jsonl", day.String())); err != nil {
		t.Fatal(err)
	}
	cols := []Column{{Name: "id", Type: "VARCHAR"}, {Name: "hh", Type: "VARCHAR"}}
	res, err := Load(context.Background(), f.db, Options{Table: "ev", Partition: "dt", Day: "20261201", Columns: cols, Files: []string{f.file("corrected.jsonl", corrected.String())}, HourPartition: "hh"})
	if err != nil || len(res.Shrunk) != 0 || !reflect.DeepEqual(res.Emptied, []PartitionRows{{Day: "20261201", Hour: "03", Before: 1}}) {
		t.Errorf("a corrected day without its stray hour: %+v, %v; want hour 03 emptied", res, err)
	}
	// Hour 01's 60 rows over the day's 100 of hour 10: more rows, but hour
	// 10 would be gone.
	var se *ShrinkError
	err = f.loadAllowing(false, "20261201", false, f.file("h01.jsonl", hour01.String()))
	if !errors.As(err, &se) || !reflect.DeepEqual(se.Shrunk, []PartitionRows{{Day: "20261201", Hour: "10", Before: 100}}) ||
		!strings.Contains(err.Error(), "a load replaces all 24 hours of every day its rows fall on (to load one hour's file into its day, give --bizdate and --hour)") {
		t.Errorf("hour 01's file over the day: err = %v", err)
	}
	if got := f.query(`SELECT count(*) FROM ev WHERE hh = '10'`); got != "100" {
		t.Errorf("hour 10 has %s rows after the refused load", got)
	}
	if err := f.loadAllowing(false, "20261201", true, f.file("h01.jsonl", hour01.String())); err != nil {
		t.Errorf("hour 01's file appended: %v", err)
	}
}
