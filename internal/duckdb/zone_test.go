package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// otherZone is a zone hours away from UTC, with no daylight saving.
const otherZone = "Asia/Shanghai"

// inOtherZone runs the test t again in a process whose TZ is otherZone
// (DuckDB's session zone comes from the process's), and reports whether
// t is that process: the caller goes on there, and returns here.
func inOtherZone(t *testing.T) bool {
	t.Helper()
	if os.Getenv("FGEN_TEST_ZONE") == otherZone {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "TZ="+otherZone, "FGEN_TEST_ZONE="+otherZone)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("in %s: %v\n%s", otherZone, err, out)
	}
	return false
}

// near fails t unless at is now, give or take a minute: a note's time
// read back as UTC, not hours off.
func near(t *testing.T, what string, at time.Time) {
	t.Helper()
	if d := time.Since(at); d < -time.Minute || d > time.Minute {
		t.Errorf("%s at %s, %s from now (%s): want UTC", what, at, d.Round(time.Second), time.Now().UTC())
	}
}

// fgen notes when it wrote a partition in UTC, whatever the zone of the
// process: notes of a load under a cron job's UTC and an apply under a
// shell's Asia/Shanghai are compared with each other (plan: is the
// day's input newer than its output?). Noted in local time, a day loaded
// again in UTC after an apply in Asia/Shanghai seemed 8 hours older than
// the apply, and plan called it up to date.
func TestNotesAreInUTC(t *testing.T) {
	if !inOtherZone(t) {
		return
	}
	ctx := context.Background()
	db, err := Open(Options{Path: filepath.Join(t.TempDir(), "w.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var zone string
	if err := db.db.QueryRow(`SELECT current_setting('TimeZone')`).Scan(&zone); err != nil || zone != otherZone {
		t.Fatalf("DuckDB's zone = %q, %v; want %s (the test would prove nothing)", zone, err, otherZone)
	}
	if err := db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TABLE t (x INTEGER, dt VARCHAR)`); err != nil {
			return err
		}
		return tx.MarkPartitions(ctx, "t", []string{"20210303"})
	}); err != nil {
		t.Fatal(err)
	}
	p, err := db.Partition(ctx, "t", warehouse.DaySpec("dt", "20210303"))
	if err != nil || !p.Exists {
		t.Fatalf("Partition = %+v, %v", p, err)
	}
	near(t, "a partition noted", p.Modified)
}

// A warehouse of an fgen from before, whose notes are in the zone it ran
// in, has them in UTC once opened to write, taking that zone to be the
// process's; counted_at stays equal to written_at (the row count still
// counts), and a second open converts nothing again.
func TestOpenMovesOldNotesToUTC(t *testing.T) {
	if !inOtherZone(t) {
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	raw, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	// As the fgen before this one left them: times of now() in the
	// session's zone, no comment.
	if _, err := raw.Exec(`CREATE TABLE t (x INTEGER, dt VARCHAR); INSERT INTO t VALUES (1, '20210303');
CREATE TABLE fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, written_at TIMESTAMP, fingerprint VARCHAR, project VARCHAR, row_count BIGINT, counted_at TIMESTAMP, PRIMARY KEY (table_name, value));
INSERT INTO fgen_partitions VALUES ('t', '20210303', now(), 'f', 'p', 1, now()), ('t', '20210302', NULL, NULL, NULL, NULL, NULL);
CREATE TABLE fgen_dropped (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, dropped_at TIMESTAMP NOT NULL, PRIMARY KEY (table_name, value));
INSERT INTO fgen_dropped VALUES ('u', '20210301', now())`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// Opened by four at once, as parallel commands of one process would:
	// converted once, not once each.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := Open(Options{Path: path})
			if err == nil {
				err = db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for open := range 2 {
		db, err := Open(Options{Path: path})
		if err != nil {
			t.Fatalf("open %d: %v", open+1, err)
		}
		p, err := db.Partition(ctx, "t", warehouse.DaySpec("dt", "20210303"))
		if err != nil || !p.Exists || p.Changed != "" {
			t.Fatalf("open %d: Partition = %+v, %v; want as noted, its row count counted when it was written", open+1, p, err)
		}
		near(t, "an old note", p.Modified)
		var dropped time.Time
		if err := db.db.QueryRow(`SELECT dropped_at FROM fgen_dropped`).Scan(&dropped); err != nil {
			t.Fatal(err)
		}
		near(t, "a dropped partition", dropped)
		if p, err := db.Partition(ctx, "t", warehouse.DaySpec("dt", "20210302")); err != nil || !p.Exists || !p.Modified.IsZero() {
			t.Errorf("open %d: a note of no time = %+v, %v; want one of no time still", open+1, p, err)
		}
		db.Close()
	}
}
