package duckdb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// A node job and its partition mark commit together: whenever ctx ends,
// Run returns nil exactly when the partition holds the new rows and fgen's
// bookkeeping says it was written, and an error when neither happened. (A
// mark written after COMMIT, with the cancelled context, once left written
// partitions reported as not run and unmarked.)
func TestRunCommitsPartitionAndMarkTogether(t *testing.T) {
	db, err := Open(Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Run(ctx, &warehouse.Job{Name: "t", Kind: "ddl", Statements: []string{`CREATE TABLE t (x BIGINT, dt VARCHAR);`}}, nil); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	committed, rolledBack := 0, 0
	for i := range 40 {
		day := fmt.Sprintf("2021%04d", 101+i)
		job := &warehouse.Job{Name: "t", Kind: "node", Day: day, Statements: []string{
			fmt.Sprintf(`DELETE FROM t WHERE dt = '%s';`, day),
			fmt.Sprintf(`INSERT INTO t SELECT range, '%s' FROM range(%d);`, day, 200000+r.IntN(200000)),
		}}
		cctx, cancel := context.WithTimeout(ctx, time.Duration(r.IntN(60000))*time.Microsecond)
		runErr := db.Run(cctx, job, nil)
		cancel()
		rows, err := db.Query(ctx, fmt.Sprintf(`SELECT count(*) FROM t WHERE dt = '%s';`, day))
		if err != nil {
			t.Fatalf("iteration %d after Run returned %v: %v", i, runErr, err)
		}
		var marked bool
		if err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM fgen_partitions WHERE table_name = 't' AND value = ?)`, day).Scan(&marked); err != nil {
			t.Fatal(err)
		}
		written := *rows.Values[0][0] != "0"
		switch {
		case runErr == nil && written && marked:
			committed++
		case runErr != nil && !written && !marked:
			rolledBack++
			if !errors.Is(runErr, context.DeadlineExceeded) {
				t.Errorf("%s: %v, want the context's error", day, runErr)
			}
		default:
			t.Errorf("%s: Run returned %v, but rows written %v and marked %v", day, runErr, written, marked)
		}
	}
	t.Logf("%d committed, %d rolled back", committed, rolledBack)
}
