package duckdb

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// memDB opens an in-memory database for the test and runs stmts in it.
func memDB(t testing.TB, stmts ...string) *DB {
	t.Helper()
	db, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range stmts {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// A node job of an hourly node records its hour partition.
func TestRunRecordsHourPartition(t *testing.T) {
	ctx := context.Background()
	db := memDB(t, `CREATE TABLE r (n BIGINT, dt VARCHAR NOT NULL, hh VARCHAR NOT NULL)`)
	job := &warehouse.Job{Name: "r", Kind: "node", Day: "20261201", Hour: "13", Partition: "dt", HourPartition: "hh", Fingerprint: "f1",
		Statements: []string{`INSERT INTO r VALUES (1, '20261201', '13')`}}
	if err := db.Run(ctx, job, nil); err != nil {
		t.Fatal(err)
	}
	p, err := db.Partition(ctx, "r", warehouse.HourSpec("dt", "20261201", "hh", "13"))
	if err != nil || !p.Exists || p.Fingerprint != "f1" {
		t.Errorf("hour 13: %+v, %v", p, err)
	}
	if p, _ := db.Partition(ctx, "r", warehouse.HourSpec("dt", "20261201", "hh", "12")); p.Exists {
		t.Errorf("hour 12 exists")
	}
}

// DayPartitions says of every partition of the days what Partition says of
// it: partitions written by a node (noted, with their fingerprint), rows
// no node wrote (un-noted), a note of a table's other shape (a day noted
// before the table was hourly), NULL keys, days with nothing, a table that
// does not exist, an hour column of integers (whose 3 is hour '03' to
// Partition's "=" and '3' is no hour), and every hour noted but one, which
// has rows, beside a note of a value no hour has ("20261201/9").
func TestDayPartitionsAgreeWithPartition(t *testing.T) {
	ctx := context.Background()
	days := []string{"20261130", "20261201", "20261202", "20261203"}
	db := memDB(t,
		`CREATE TABLE h (n BIGINT, dt VARCHAR, hh VARCHAR)`,
		`CREATE TABLE d (n BIGINT, dt VARCHAR)`,
		`CREATE TABLE i (n BIGINT, dt BIGINT, hh INTEGER)`,
		`CREATE TABLE s (n BIGINT, dt VARCHAR, hh VARCHAR)`,
		`INSERT INTO h VALUES (1, '20261201', '03'), (2, '20261201', NULL), (3, NULL, '04'), (4, '20261203', '23'), (5, '20261203', '7')`,
		`INSERT INTO d VALUES (1, '20261202'), (2, NULL)`,
		`INSERT INTO i VALUES (1, 20261201, 3), (2, 20261202, 23)`,
		`INSERT INTO s VALUES (1, '20261201', '09')`,
		`INSERT INTO fgen_partitions (table_name, value, written_at)
		   SELECT 's', d || '/' || lpad(CAST(h AS VARCHAR), 2, '0'), now() FROM (VALUES ('20261130'), ('20261201'), ('20261202'), ('20261203')) x(d), range(24) r(h)
		   WHERE NOT (d = '20261201' AND h = 9)`,
		`INSERT INTO fgen_partitions (table_name, value, written_at) VALUES ('s', '20261201/9', now())`)
	run := func(table, day, hour, hourCol, fp string) {
		job := &warehouse.Job{Name: table, Kind: "node", Day: day, Hour: hour, Partition: "dt", HourPartition: hourCol, Fingerprint: fp}
		if err := db.Run(ctx, job, nil); err != nil {
			t.Fatal(err)
		}
	}
	run("h", "20261201", "05", "hh", "f1") // noted, without rows
	run("h", "20261201", "03", "hh", "f2") // noted, with rows
	run("h", "20261202", "", "", "f3")     // a note of the daily shape
	run("d", "20261201", "", "", "")       // noted, without a fingerprint
	for _, tc := range []struct{ table, hourCol string }{{"h", "hh"}, {"d", ""}, {"h", ""}, {"gone", "hh"}, {"gone", ""}, {"i", "hh"}, {"i", ""}, {"s", "hh"}} {
		got, err := db.DayPartitions(ctx, tc.table, "dt", tc.hourCol, days)
		if err != nil {
			t.Fatalf("%s by %q: %v", tc.table, tc.hourCol, err)
		}
		seen := 0
		for _, day := range days {
			for _, s := range warehouse.DaySpecs("dt", tc.hourCol, day) {
				want, err := db.Partition(ctx, tc.table, s)
				if err != nil {
					t.Fatal(err)
				}
				p, ok := got[s.Value()]
				if !ok {
					p = warehouse.Partition{Bytes: -1}
				} else {
					seen++
				}
				if p != want {
					t.Errorf("%s %s: DayPartitions says %+v, Partition %+v", tc.table, s, p, want)
				}
			}
		}
		if seen != len(got) {
			t.Errorf("%s by %q: %d partitions listed, %d of them on the days: %v", tc.table, tc.hourCol, len(got), seen, got)
		}
	}
}

// DescribeTables describes the tables that exist, each with its comment
// and its columns in order, the partition columns (NOT NULL, as fgen
// declares them) marked, and leaves out the others; a temporary table of
// the same name is not the table.
func TestDescribeTables(t *testing.T) {
	ctx := context.Background()
	db := memDB(t,
		`CREATE TABLE b (z VARCHAR, a BIGINT, dt VARCHAR NOT NULL)`,
		`COMMENT ON TABLE b IS 'table b'`,
		`COMMENT ON COLUMN b.a IS 'column a'`,
		`CREATE TABLE c (x DOUBLE)`,
		`CREATE TEMP TABLE c (y VARCHAR)`)
	got, err := db.DescribeTables(ctx, []string{"c", "b", "gone"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*warehouse.Table{
		"b": {Name: "b", Comment: "table b", Columns: []warehouse.Column{{Name: "z", Type: "VARCHAR"}, {Name: "a", Type: "BIGINT", Comment: "column a"}, {Name: "dt", Type: "VARCHAR", Partition: true}}},
		"c": {Name: "c", Columns: []warehouse.Column{{Name: "x", Type: "DOUBLE"}}},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("DescribeTables = %s, want %s", g, w)
	}
	if _, err := db.Describe(ctx, "gone"); !errors.Is(err, warehouse.ErrTableNotFound) {
		t.Errorf("Describe of a missing table: %v", err)
	}
	if b, err := db.Describe(ctx, "b"); err != nil || !reflect.DeepEqual(b, want["b"]) {
		t.Errorf("Describe(b) = %v, %v", b, err)
	}
}
