package duckdb

import (
	"context"
	"testing"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// A node job of an hourly node records its hour partition.
func TestRunRecordsHourPartition(t *testing.T) {
	ctx := context.Background()
	db, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.db.Exec(`CREATE TABLE r (n BIGINT, dt VARCHAR NOT NULL, hh VARCHAR NOT NULL)`); err != nil {
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
