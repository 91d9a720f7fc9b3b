//go:build cgo

package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/ingest"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/reference"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// modesConfig is a funnel.toml with every mode; its funnel 2 is ordered
// (browse, click, purchase, window 1h, a breakdown and timing columns) and
// funnel 3 is ordered with cross_midnight (browse, click, 30m).
const modesConfig = "../../generator/testdata/configs/modes.toml"

const (
	orderedFunnel   = 2
	overnightFunnel = 3
)

// local is fgen's pipeline on an in-memory DuckDB: the config rendered for
// DuckDB, ODS rows loaded the way 'fgen load' does, days applied the way
// 'fgen apply' does.
type local struct {
	t    testing.TB
	cfg  *models.Config
	proj *generator.Project
	lay  funneltest.Layout
	db   *duckdb.DB
	dir  string
}

func newLocal(t testing.TB, cfgText []byte) *local {
	t.Helper()
	cfg, err := models.Parse("funnel.toml", cfgText)
	if err != nil {
		t.Fatalf("%v\n%s", err, cfgText)
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	lay, err := funneltest.NewLayout(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db, err := duckdb.Open(duckdb.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// The ODS table, as 'fgen load' creates it.
	for _, tb := range proj.Tables {
		if tb.Layer == "ODS" {
			if err := db.Run(context.Background(), &warehouse.Job{Name: tb.Name, Kind: "ddl", Statements: tb.Create.Statements}, nil); err != nil {
				t.Fatalf("create ODS: %v", err)
			}
		}
	}
	return &local{t: t, cfg: cfg, proj: proj, lay: lay, db: db, dir: t.TempDir()}
}

// editedModes returns modes.toml with edits.
func editedModes(t testing.TB, edits ...funneltest.Edit) []byte {
	t.Helper()
	return configFile(t, modesConfig, edits...)
}

// run loads rows (each into the partition its Dt names), loads an empty file
// for the days without rows, and applies days.
func (l *local) run(rows []reference.ODSRow, days []string) {
	l.t.Helper()
	ctx := context.Background()
	if len(rows) > 0 {
		var buf bytes.Buffer
		if err := l.lay.WriteJSONL(&buf, rows); err != nil {
			l.t.Fatal(err)
		}
		name := filepath.Join(l.dir, "ods.jsonl")
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			l.t.Fatal(err)
		}
		if _, err := ingest.Load(ctx, l.db, ingest.ODS(l.cfg, "", []string{name}, false)); err != nil {
			l.t.Fatalf("load: %v", err)
		}
	}
	for _, day := range days {
		if slices.ContainsFunc(rows, func(r reference.ODSRow) bool { return r.Dt == day }) {
			continue
		}
		name := filepath.Join(l.dir, "empty.jsonl")
		if err := os.WriteFile(name, nil, 0o644); err != nil {
			l.t.Fatal(err)
		}
		if _, err := ingest.Load(ctx, l.db, ingest.ODS(l.cfg, day, []string{name}, false)); err != nil {
			l.t.Fatalf("load empty %s: %v", day, err)
		}
	}
	p, err := plan.Build(ctx, l.db, plan.Input{Target: "local", Config: l.cfg, Project: l.proj, Days: days})
	if err != nil {
		l.t.Fatalf("plan: %v", err)
	}
	res, err := plan.Apply(ctx, l.db, p, plan.ApplyOptions{Parallel: 1})
	if err != nil {
		l.t.Fatalf("apply: %v", err)
	}
	for _, j := range res.Jobs {
		if j.Status != "applied" {
			l.t.Fatalf("apply: job %s %s is %s: %s", j.Name, j.Day, j.Status, j.Error)
		}
	}
}

// report reads funnel i's RPT table back.
func (l *local) report(i int) []report.Row {
	l.t.Helper()
	r, err := report.Read(context.Background(), l.db, l.proj, &l.cfg.Funnels[i], "", "")
	if err != nil {
		l.t.Fatal(err)
	}
	return r.Rows
}

// totals returns funnel i's per-stage counts of the total row of each day.
func (l *local) totals(i int) map[string][]int64 {
	l.t.Helper()
	f := &l.cfg.Funnels[i]
	out := map[string][]int64{}
	for _, r := range l.report(i) {
		total := true
		for _, d := range f.Breakdowns {
			total = total && r.Dims[d] == f.Report.TotalMarker
		}
		if total {
			out[r.Dt] = r.Counts
		}
	}
	return out
}

// requireReference compares every report with reference.Compute over the
// rows the DW node keeps, for days.
func (l *local) requireReference(rows []reference.ODSRow, days []string, funnels ...int) {
	l.t.Helper()
	rules, err := l.lay.Rules(l.cfg)
	if err != nil {
		l.t.Fatal(err)
	}
	dw := reference.Clean(rows, rules)
	for _, i := range funnels {
		f := &l.cfg.Funnels[i]
		want := reference.Compute(funneltest.Funnel(l.cfg, i), dw, days)
		if d := funneltest.Diff(f, l.report(i), want); len(d) > 0 {
			l.t.Errorf("%s differs from the reference in %d places:\n  %s", f.Report.Table, len(d), strings.Join(d[:min(len(d), 20)], "\n  "))
		}
	}
}

// dwCSV returns the DW table's rows of days as CSV in the column order of
// CreateEventsTable (partition, user, event, time), and the least time.
func (l *local) dwCSV(f *models.Funnel, days []string) ([]byte, int64) {
	l.t.Helper()
	q := generator.DuckDB.QuoteIdent
	dw := l.cfg.DW
	var in []string
	for _, d := range days {
		in = append(in, generator.DuckDB.QuoteString(d))
	}
	rows, err := l.db.Query(context.Background(), fmt.Sprintf("SELECT %s, %s, %s, %s FROM %s WHERE %s IN (%s)",
		q(dw.Partition), q(f.UserColumn), q(f.EventColumn), q(f.TimeColumn.Name), q(dw.Name), q(dw.Partition), strings.Join(in, ", ")))
	if err != nil {
		l.t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	least := int64(0)
	for i, v := range rows.Values {
		rec := make([]string, len(v))
		for j, s := range v {
			if s == nil {
				l.t.Fatalf("DW row %d has a NULL in %s", i, rows.Columns[j])
			}
			rec[j] = *s
		}
		ts, err := strconv.ParseInt(rec[3], 10, 64)
		if err != nil {
			l.t.Fatal(err)
		}
		if i == 0 || ts < least {
			least = ts
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes(), least
}
