package duckdb

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// An hourly table: each row gives its hour; a load writes whole days, so
// each day it loads gets its 24 hour partitions, and Partition sees each.
func TestLoadHourly(t *testing.T) {
	ctx := context.Background()
	db, err := Open(Options{Path: filepath.Join(t.TempDir(), "local.duckdb"), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().Exec(`CREATE TABLE ev (id VARCHAR, dt VARCHAR NOT NULL, hh VARCHAR NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	f := &loadFixture{t: t, db: db, dir: t.TempDir()}
	cols := []LoadColumn{{Name: "id", Type: "VARCHAR"}, {Name: "hh", Type: "VARCHAR"}}
	load := func(day string, files ...string) error {
		_, err := db.Load(ctx, LoadOptions{Table: "ev", Partition: "dt", Day: day, Columns: cols, Files: files, HourPartition: "hh"})
		return err
	}
	good := f.file("good.jsonl", `{"id":"a","dt":"20261201","hh":"07"}
{"id":"b","dt":"20261201","hh":"23"}
`)
	if err := load("", good); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		hour   string
		exists bool
	}{{"07", true}, {"00", true}, {"23", true}} {
		p, err := db.Partition(ctx, "ev", warehouse.HourSpec("dt", "20261201", "hh", tc.hour))
		if err != nil || p.Exists != tc.exists {
			t.Errorf("hour %s: exists %v, %v; want %v", tc.hour, p.Exists, err, tc.exists)
		}
	}
	if p, err := db.Partition(ctx, "ev", warehouse.HourSpec("dt", "20261202", "hh", "07")); err != nil || p.Exists {
		t.Errorf("a day not loaded: exists %v, %v", p.Exists, err)
	}
	var marked int
	db.SQL().QueryRow(`SELECT count(*) FROM fgen_partitions WHERE table_name = 'ev' AND value LIKE '20261201/%'`).Scan(&marked)
	if marked != 24 {
		t.Errorf("%d hour partitions of the day marked, want 24", marked)
	}
	for _, tc := range []struct{ rows, want string }{
		{`{"id":"c","dt":"20261202","hh":"24"}`, `a row of dt=20261202 has hh "24"; an hour partition value is two digits from 00 to 23`},
		{`{"id":"c","dt":"20261202","hh":"7"}`, `a row of dt=20261202 has hh "7"; an hour partition value is two digits from 00 to 23`},
		{`{"id":"c","dt":"20261202"}`, `a row has no hh value; ev is partitioned by hour: give every row its hour, 00 to 23`},
	} {
		err := load("", f.file("bad.jsonl", tc.rows+"\n"))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.rows, err, tc.want)
		}
	}
	var n int
	db.SQL().QueryRow(`SELECT count(*) FROM ev`).Scan(&n)
	if n != 2 || strings.Contains(f.partitions(), "20261202") {
		t.Errorf("a failed load kept rows (%d) or partitions", n)
	}
}

// A node job of an hourly node records its hour partition.
func TestRunRecordsHourPartition(t *testing.T) {
	ctx := context.Background()
	db, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().Exec(`CREATE TABLE r (n BIGINT, dt VARCHAR NOT NULL, hh VARCHAR NOT NULL)`); err != nil {
		t.Fatal(err)
	}
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
