package maxcompute_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/maxcompute"
	"github.com/fgen-dev/fgen/internal/odpstest"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// reportSpec is a report table as fgen's DDL makes it.
func reportSpec() odpstest.TableSpec {
	return odpstest.TableSpec{Name: "rpt", Columns: []odpstest.Column{{Name: "n", Type: "BIGINT"}}, PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}}
}

// createJob is fgen's DDL job of reportSpec for project p.
func createJob() *warehouse.Job {
	return &warehouse.Job{Name: "rpt", Kind: "ddl", Project: "p", Statements: []string{"CREATE TABLE IF NOT EXISTS `rpt` (`n` BIGINT) PARTITIONED BY (`dt` STRING);"}}
}

// noted returns the rows of fgen's notes of created tables.
func noted(srv *odpstest.Server) (times, projects int) {
	for _, j := range srv.Submitted() {
		switch {
		case strings.HasPrefix(j.SQL, "INSERT INTO TABLE `"+maxcompute.TimesTable+"`"):
			times++
		case strings.HasPrefix(j.SQL, "INSERT INTO TABLE `"+maxcompute.ProjectsTable+"`"):
			projects++
		}
	}
	return times, projects
}

// A DDL job notes the table it created; one whose CREATE TABLE IF NOT
// EXISTS found a table (made outside fgen since plan saw none) notes
// nothing: that table is not fgen's.
func TestRunNotesOnlyATableItCreated(t *testing.T) {
	ctx := context.Background()
	srv := odpstest.New(t)
	w := maxcompute.NewWarehouse(newClient(t, srv), 0)
	if err := w.Run(ctx, createJob(), nil); err != nil {
		t.Fatal(err)
	}
	if times, projects := noted(srv); times != 1 || projects != 1 {
		t.Errorf("after a job that created the table: %d and %d notes, want 1 and 1", times, projects)
	}
	// JobTables: the table, unless the caller skips it (then not even
	// loaded), or it is dropped since.
	if tables, err := w.JobTables(ctx, "p", nil); err != nil || len(tables) != 1 || tables[0] != "rpt" {
		t.Errorf("JobTables = %v, %v, want [rpt]", tables, err)
	}
	loads := srv.Count(odpstest.OpTable)
	if tables, err := w.JobTables(ctx, "p", func(string) bool { return true }); err != nil || len(tables) != 0 || srv.Count(odpstest.OpTable) != loads {
		t.Errorf("JobTables skipping every table = %v, %v, and %d table loads", tables, err, srv.Count(odpstest.OpTable)-loads)
	}
	srv.DropTable("rpt")
	if tables, err := w.JobTables(ctx, "p", nil); err != nil || len(tables) != 0 {
		t.Errorf("JobTables after a drop = %v, %v, want none", tables, err)
	}

	srv = odpstest.New(t)
	srv.AddTable(reportSpec())
	w = maxcompute.NewWarehouse(newClient(t, srv), 0)
	if err := w.Run(ctx, createJob(), nil); err != nil {
		t.Fatal(err)
	}
	if times, projects := noted(srv); times != 0 || projects != 0 {
		t.Errorf("after a job that found the table: %d and %d notes, want none", times, projects)
	}
	if tables, err := w.JobTables(ctx, "p", nil); err != nil || len(tables) != 0 {
		t.Errorf("JobTables = %v, %v, want none", tables, err)
	}
}

// The notes of a created table are taken even when the apply is
// interrupted as they start: without them, fgen would take its own table
// for one made outside fgen.
func TestRunNotesThoughInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Interrupted as the first note is submitted, the table created.
	srv := odpstest.New(t, odpstest.WithResponder(func(j odpstest.Job) odpstest.Outcome {
		if strings.Contains(j.SQL, maxcompute.TimesTable) {
			cancel()
		}
		return odpstest.DefaultResponder(j)
	}))
	w := maxcompute.NewWarehouse(newClient(t, srv), 0)
	if err := w.Run(ctx, createJob(), nil); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() == nil {
		t.Fatal("not interrupted")
	}
	if times, projects := noted(srv); times != 1 || projects != 1 {
		t.Errorf("%d and %d notes, want 1 and 1", times, projects)
	}
}

// A DDL job whose answers were lost after the service created the table
// fails, and still notes the table it made.
func TestRunNotesATableMadeThoughTheJobFailed(t *testing.T) {
	srv := odpstest.New(t)
	srv.On("CREATE TABLE IF NOT EXISTS `rpt`", odpstest.Outcome{}) // done at its first poll
	// That poll, and the client's retries of it, handled and then failed.
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTaskStatus, Status: 503, AfterCreate: true, Times: 4})
	w := maxcompute.NewWarehouse(newClient(t, srv), 0)
	err := w.Run(context.Background(), createJob(), nil)
	if _, ok := srv.Table("rpt"); err == nil || !ok {
		t.Fatalf("Run = %v, table made: %v; want an error, and the table", err, ok)
	}
	if times, projects := noted(srv); times != 1 || projects != 1 {
		t.Errorf("%d and %d notes, want 1 and 1 (Run: %v)", times, projects, err)
	}
}

// A table fgen did not create, made after fgen's last write under its name,
// is not the table fgen wrote: found by the name fgen wrote it under, in
// any case, and when its records are more than a query returns.
func TestPartitionWritersOfATableMadeSinceFgenWrote(t *testing.T) {
	srv := odpstest.New(t)
	wrote := time.Date(2021, 3, 4, 1, 0, 0, 0, time.UTC)
	srv.AddTable(odpstest.TableSpec{Name: maxcompute.BooksTable, Columns: []odpstest.Column{
		{Name: "table_name", Type: "STRING"}, {Name: "partition_value", Type: "STRING"}, {Name: "fingerprint", Type: "STRING"}, {Name: "modified", Type: "BIGINT"}}})
	var rows [][]*string
	for i := range odpstest.ResultLimit {
		name, value, fp, at := "rpt", fmt.Sprintf("d%05d", i), "f", strconv.FormatInt(wrote.Unix(), 10)
		rows = append(rows, []*string{&name, &value, &fp, &at})
	}
	srv.AddRows(maxcompute.BooksTable, rows...)
	for _, tc := range []struct {
		created time.Time
		want    bool // Replaced
	}{{wrote.Add(-time.Hour), false}, {wrote, false}, {wrote.Add(time.Hour), true}} {
		spec := reportSpec()
		spec.Name, spec.Created = "RPT", tc.created
		srv.AddTable(spec)
		srv.AddPartition("RPT", "dt='20210303'")
		w := maxcompute.NewWarehouse(newClient(t, srv), 0)
		got, err := w.PartitionWriters(context.Background(), []string{"rpt"})
		if err != nil {
			t.Fatal(err)
		}
		if wr := got["rpt"]; (wr.Replaced != "") != tc.want || !tc.want && wr.Jobs != 1 {
			t.Errorf("table made at %v, fgen's last write at %v: %+v", tc.created, wrote, wr)
		}
	}
}

// A recreate whose CREATE the service failed made no table: one there
// after it (made meanwhile by someone else) is not noted as fgen's.
func TestRunNotesNothingAfterAFailedCreate(t *testing.T) {
	var at atomic.Int64
	at.Store(time.Date(2021, 3, 3, 8, 0, 0, 0, time.UTC).Unix())
	srv := odpstest.New(t, odpstest.WithClock(func() time.Time { return time.Unix(at.Load(), 0) }))
	srv.AddTable(reportSpec())
	srv.On("CREATE TABLE IF NOT EXISTS `rpt`", odpstest.Outcome{Error: "ODPS-0110061:Failed to run ddltask - quota exceeded"})
	job := createJob()
	job.Statements = append([]string{"DROP TABLE IF EXISTS `rpt`;"}, job.Statements...)
	w := maxcompute.NewWarehouse(newClient(t, srv), 0)
	err := w.Run(context.Background(), job, func(s warehouse.Submitted) {
		if s.Statement == 2 { // someone makes a table under the name
			at.Add(60)
			srv.AddTable(reportSpec())
		}
	})
	if err == nil || !strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("Run = %v, want the CREATE's error", err)
	}
	if times, projects := noted(srv); times != 0 || projects != 0 {
		t.Errorf("%d and %d notes, want none", times, projects)
	}
}

// A CREATE the service refused outright (a 403) made no table: one made
// meanwhile by someone else is not noted as fgen's.
func TestRunNotesNothingAfterARefusedCreate(t *testing.T) {
	var at atomic.Int64
	at.Store(time.Date(2021, 3, 3, 8, 0, 0, 0, time.UTC).Unix())
	srv := odpstest.New(t, odpstest.WithClock(func() time.Time { return time.Unix(at.Load(), 0) }))
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: 403, Delay: 300 * time.Millisecond})
	made := make(chan struct{})
	go func() { // someone makes a table under the name, once Run has looked, as the submission waits
		defer close(made)
		for srv.Count(odpstest.OpTable) == 0 {
			time.Sleep(time.Millisecond)
		}
		at.Add(60)
		srv.AddTable(reportSpec())
	}()
	w := maxcompute.NewWarehouse(newClient(t, srv), 0)
	err := w.Run(context.Background(), createJob(), nil)
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("Run = %v, want the refusal", err)
	}
	<-made
	if times, projects := noted(srv); times != 0 || projects != 0 {
		t.Errorf("%d and %d notes, want none", times, projects)
	}
}

// A job that runs past the target's job timeout is terminated, and the
// error says so, where the timeout is set and what to do: it said
// "terminated: context deadline exceeded".
func TestJobTimeoutSaysWhereItIsSet(t *testing.T) {
	srv := odpstest.New(t)
	srv.On("forever", odpstest.Outcome{Forever: true})
	w := maxcompute.NewWarehouse(newClient(t, srv), 50*time.Millisecond)
	w.TimeoutSetting = "timeout under [targets.prod] in funnel.toml"
	err := w.Run(context.Background(), &warehouse.Job{Name: "q", Kind: "query", Statements: []string{"SELECT 'forever';"}}, nil)
	if want := "terminated: it ran past the job timeout of 50ms (timeout under [targets.prod] in funnel.toml); if the job is only slow, raise the timeout"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Run = %v, want %q in it", err, want)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run = %v, not a context.DeadlineExceeded", err)
	}
	if len(srv.Terminated()) != 1 {
		t.Errorf("terminated jobs: %v, want the one", srv.Terminated())
	}
}

// The same of a job timeout that passes while the job is submitted (a
// slow answer): the error says so, not "context deadline exceeded".
func TestJobTimeoutDuringSubmit(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: http.StatusServiceUnavailable, Delay: 200 * time.Millisecond, Times: -1})
	w := maxcompute.NewWarehouse(newClient(t, srv), 50*time.Millisecond)
	w.TimeoutSetting = "timeout under [targets.prod] in funnel.toml"
	err := w.Run(context.Background(), &warehouse.Job{Name: "q", Kind: "query", Statements: []string{"SELECT 1;"}}, nil)
	if want := "it ran past the job timeout of 50ms (timeout under [targets.prod] in funnel.toml)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Run = %v, want %q in it", err, want)
	}
}
