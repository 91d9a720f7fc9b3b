//go:build cgo

// Package e2e tests fgen end to end on the local engine: a funnel.toml is
// rendered for DuckDB, raw rows are loaded into the ODS table the way
// 'fgen load' does, a plan is built and applied the way 'fgen apply' does, and
// the report (RPT) tables are read back the way 'fgen report' does and
// compared with internal/reference (through internal/funneltest).
package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/ingest"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/reference"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/internal/testmain"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// shippedPath is the repository's own funnel.toml.
const shippedPath = "../../funnel.toml"

func shipped(t testing.TB) []byte {
	t.Helper()
	return readFile(t, shippedPath)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// edited returns the shipped funnel.toml with the edits applied.
func edited(t testing.TB, edits ...funneltest.Edit) []byte {
	t.Helper()
	return editedFile(t, shippedPath, edits...)
}

// configFile is the config file at path as it is when there are no
// edits, else editedFile.
func configFile(t testing.TB, path string, edits ...funneltest.Edit) []byte {
	t.Helper()
	if len(edits) == 0 {
		return readFile(t, path)
	}
	return editedFile(t, path, edits...)
}

// editedFile is the config file at path with edits applied (re-encoded by
// funneltest.EditConfig even when there are none).
func editedFile(t testing.TB, path string, edits ...funneltest.Edit) []byte {
	t.Helper()
	data, err := funneltest.EditConfig(readFile(t, path), edits...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ---- Which SQL ran -------------------------------------------------------

// sqlCoverage records every SQL statement fgen emitted for DuckDB in these
// tests (the statements of rendered tables and nodes, and of the table
// changes of plans) and whether DuckDB ran it successfully; TestMain fails
// the run when one never ran. A node's statements are recorded by node and
// position and count as run when a job ran them for some day.
var sqlCoverage = struct {
	sync.Mutex
	emitted map[string]string // SQL -> where it came from
	ran     map[string]bool
}{emitted: map[string]string{}, ran: map[string]bool{}}

func emitted(sql, from string) {
	sqlCoverage.Lock()
	defer sqlCoverage.Unlock()
	if _, ok := sqlCoverage.emitted[sql]; !ok {
		sqlCoverage.emitted[sql] = from
	}
}

func ran(sql string) {
	sqlCoverage.Lock()
	defer sqlCoverage.Unlock()
	sqlCoverage.ran[sql] = true
}

func TestMain(m *testing.M) {
	flag.Parse()
	debug.SetGCPercent(testmain.GCPercent) // as testmain.Run, which exits before the check below
	code := m.Run()
	filtered := flag.Lookup("test.run").Value.String() != "" || flag.Lookup("test.skip").Value.String() != ""
	if code == 0 && !filtered {
		var missing []string
		for sql, from := range sqlCoverage.emitted {
			if !sqlCoverage.ran[sql] {
				missing = append(missing, from)
			}
		}
		sort.Strings(missing)
		if len(sqlCoverage.emitted) == 0 {
			fmt.Fprintln(os.Stderr, "FAIL: no SQL was emitted; the coverage check of generated SQL saw nothing")
			code = 1
		} else if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d of %d SQL scripts fgen emitted for DuckDB never ran on DuckDB in these tests:\n  %s\n",
				len(missing), len(sqlCoverage.emitted), strings.Join(missing, "\n  "))
			code = 1
		}
		if missing := missingShapes(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: the random cases missed shapes of data they must include (property_test.go: caseShapes):\n  %s\n", strings.Join(missing, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// ---- The environment: one in-memory warehouse and one config -------------

// env is a local warehouse (an in-memory DuckDB) with a config rendered for it.
type env struct {
	t     testing.TB
	label string // names the config in messages
	cfg   *models.Config
	proj  *generator.Project
	lay   funneltest.Layout
	db    *duckdb.DB
	wh    *tracker
	dir   string
	files int
	// as is the dialect whose methods the SQL computes with
	// (generator.RenderComputingAs): DuckDB's, or MaxCompute's, which
	// runCase checks too.
	as generator.Dialect
	// noReference is set for a config the harness's layout cannot model
	// (funnels over more than one event column): such a test runs its own
	// statements and queries, and loads no rows and checks no reference.
	noReference bool
	// checked holds the RPT tables whose columns report checked since the
	// last config or statement that could have changed what they should be
	// or are (setConfig, DDL jobs, exec, query): a check is a catalog
	// query, and cases read each report several times between applies.
	checked map[string]bool
}

// newEnv parses and renders cfgText and opens an empty in-memory warehouse
// with the ODS table, as 'fgen load' creates it. It skips the test when the
// config uses a feature fgen does not support yet.
func newEnv(t testing.TB, label string, cfgText []byte) *env {
	t.Helper()
	return openEnv(t, label, cfgText, false)
}

// newEnvWithoutReference is newEnv for a config the harness's reference
// cannot model: see env.noReference.
func newEnvWithoutReference(t testing.TB, label string, cfgText []byte) *env {
	t.Helper()
	return openEnv(t, label, cfgText, true)
}

func openEnv(t testing.TB, label string, cfgText []byte, noReference bool) *env {
	t.Helper()
	db := openDB(t)
	e := &env{t: t, db: db, dir: t.TempDir(), checked: map[string]bool{}, noReference: noReference, as: generator.DuckDB}
	e.wh = &tracker{Warehouse: db, env: e}
	e.setConfig(label, cfgText)
	e.ensureODS()
	return e
}

// freeDBs are in-memory warehouses of tests that passed, emptied for the
// next test: opening a DuckDB database costs as much CPU as a few dozen
// small statements, and the suite has over a hundred environments.
var freeDBs = struct {
	sync.Mutex
	dbs []*duckdb.DB
}{}

// openDB returns an empty in-memory warehouse, as duckdb.Open leaves it
// (fgen's bookkeeping table and nothing else), for the rest of the test.
func openDB(t testing.TB) *duckdb.DB {
	t.Helper()
	freeDBs.Lock()
	var db *duckdb.DB
	if n := len(freeDBs.dbs); n > 0 {
		db, freeDBs.dbs = freeDBs.dbs[n-1], freeDBs.dbs[:n-1]
	}
	freeDBs.Unlock()
	if db == nil {
		var err error
		if db, err = duckdb.Open(duckdb.Options{Threads: 1}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() || emptyDB(db) != nil {
			db.Close() // as the test left it, in case it is why the test failed
			return
		}
		freeDBs.Lock()
		freeDBs.dbs = append(freeDBs.dbs, db)
		freeDBs.Unlock()
	})
	return db
}

// emptyDB drops every table of db but fgen_partitions, and empties that.
func emptyDB(db *duckdb.DB) error {
	ctx := context.Background()
	rows, err := db.Query(ctx, `SELECT table_name, temporary FROM duckdb_tables() WHERE table_name <> 'fgen_partitions' OR schema_name <> 'main'`)
	if err != nil {
		return err
	}
	stmts := []string{"DELETE FROM fgen_partitions"}
	for _, r := range rows.Values {
		if *r[1] == "true" {
			return errors.New("a temporary table is left") // on one connection of the pool: close the database
		}
		stmts = append(stmts, "DROP TABLE "+generator.DuckDB.QuoteIdent(*r[0]))
	}
	if err := db.Run(ctx, &warehouse.Job{Name: "empty", Statements: stmts}, nil); err != nil {
		return err
	}
	rows, err = db.Query(ctx, `SELECT count(*) FROM duckdb_tables() UNION ALL SELECT count(*) FROM duckdb_views() WHERE NOT internal`)
	if err != nil {
		return err
	}
	if *rows.Values[0][0] != "1" || *rows.Values[1][0] != "0" {
		return fmt.Errorf("%s tables and %s views are left", *rows.Values[0][0], *rows.Values[1][0])
	}
	return nil
}

// skipUnsupported skips the test when cfgText uses a feature fgen does not
// support yet, so that the test starts running the day it is supported.
func skipUnsupported(t testing.TB, label string, cfgText []byte) {
	t.Helper()
	parseConfig(t, label, cfgText)
}

// parseConfig parses cfgText and renders it for DuckDB. It skips the test
// when either step says the config uses a feature fgen does not support
// yet, and fails it on any other error.
func parseConfig(t testing.TB, label string, cfgText []byte) (*models.Config, *generator.Project) {
	t.Helper()
	return parseConfigAs(t, label, cfgText, generator.DuckDB)
}

// parseConfigAs is parseConfig with the methods of dialect as.
func parseConfigAs(t testing.TB, label string, cfgText []byte, as generator.Dialect) (*models.Config, *generator.Project) {
	t.Helper()
	cfg, err := models.Parse("funnel.toml", cfgText)
	if funneltest.UnsupportedError(err) {
		t.Skipf("%s: models.Parse rejects the config as not yet supported; this test runs once it is supported:\n%v", label, err)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", label, err, cfgText)
	}
	proj, err := generator.RenderComputingAs(cfg, templates.FS(), generator.DuckDB, as)
	if funneltest.UnsupportedError(err) {
		t.Skipf("%s: generator.Render says not yet supported; this test runs once it is: %v", label, err)
	}
	if err != nil {
		t.Fatalf("%s: render: %v", label, err)
	}
	return cfg, proj
}

// setConfig parses and renders a config for the warehouse, as a user edits
// funnel.toml between applies.
func (e *env) setConfig(label string, cfgText []byte) {
	t := e.t
	t.Helper()
	cfg, proj := parseConfigAs(t, label, cfgText, e.as)
	lay, err := funneltest.NewLayout(cfg)
	if err != nil && !e.noReference {
		t.Fatalf("%s: %v", label, err)
	}
	for _, tb := range proj.Tables {
		for _, st := range tb.Create.Statements {
			emitted(st, label+": "+tb.DDL.Path)
		}
	}
	for _, n := range proj.Nodes {
		for i := range n.Script.Statements {
			emitted(nodeStatement(n.Name, i), fmt.Sprintf("%s: %s statement %d", label, n.Path, i+1))
		}
	}
	e.label, e.cfg, e.proj, e.lay = label, cfg, proj, lay
	clear(e.checked)
}

// ensureODS creates the ODS table if it is missing, as 'fgen load' does:
// with its DDL, CREATE TABLE IF NOT EXISTS (without first asking DuckDB's
// catalog whether it is there, which costs more than the DDL).
func (e *env) ensureODS() {
	e.t.Helper()
	for _, tb := range e.proj.Tables {
		if tb.Layer == "ODS" {
			if err := e.wh.Run(context.Background(), &warehouse.Job{Name: tb.Name, Kind: "ddl", Statements: tb.Create.Statements}, nil); err != nil {
				e.t.Fatalf("create ODS: %v", err)
			}
		}
	}
}

func (e *env) nextFile() string {
	e.files++
	return filepath.Join(e.dir, fmt.Sprintf("ods-%03d.jsonl", e.files))
}

// loadFiles loads files into the ODS table as 'fgen load --allow-destructive'
// does: into day's partition, or with day "" each row into the partition its
// own dt names.
func (e *env) loadFiles(day string, files ...string) (int64, error) {
	opts := ingest.ODS(e.cfg, day, files, false)
	opts.AllowShrink = true
	res, err := ingest.Load(context.Background(), e.db, opts)
	return res.Rows, err
}

// load writes rows to JSON lines, split into parts files, and loads them in
// one load with no business date: each row goes to the partition its own dt
// names, replacing those partitions.
func (e *env) load(rows []reference.ODSRow, parts int) {
	e.t.Helper()
	if len(rows) == 0 {
		return
	}
	parts = max(1, min(parts, len(rows)))
	var files []string
	for p := range parts {
		chunk := rows[p*len(rows)/parts : (p+1)*len(rows)/parts]
		var buf bytes.Buffer
		if err := e.lay.WriteJSONL(&buf, chunk); err != nil {
			e.t.Fatal(err)
		}
		name := e.nextFile()
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			e.t.Fatal(err)
		}
		files = append(files, name)
	}
	n, err := e.loadFiles("", files...)
	if err != nil {
		e.t.Fatalf("load: %v", err)
	}
	if n != int64(len(rows)) {
		e.t.Fatalf("load: %d rows loaded, want %d", n, len(rows))
	}
}

// loadDays loads rows as load does, and an empty file into each of days
// that none of them names.
func (e *env) loadDays(rows []reference.ODSRow, parts int, days []string) {
	e.t.Helper()
	e.load(rows, parts)
	for _, d := range days {
		if !slices.ContainsFunc(rows, func(row reference.ODSRow) bool { return row.Dt == d }) {
			e.loadEmpty(d)
		}
	}
}

// loadEmpty loads an empty file into each day's partition: the day's logs
// landed and there were none.
func (e *env) loadEmpty(days ...string) {
	e.t.Helper()
	for _, day := range days {
		name := e.nextFile()
		if err := os.WriteFile(name, nil, 0o644); err != nil {
			e.t.Fatal(err)
		}
		n, err := e.loadFiles(day, name)
		if err != nil || n != 0 {
			e.t.Fatalf("load empty %s: %d rows, %v", day, n, err)
		}
	}
}

// plan builds the plan for days, as 'fgen plan' does.
func (e *env) plan(days []string) *plan.Plan {
	e.t.Helper()
	p, err := plan.Build(context.Background(), e.wh, plan.Input{Target: "local", Config: e.cfg, Project: e.proj, Days: days})
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	for _, tc := range p.Tables {
		if tc.Job != nil && tc.Action != plan.InSync {
			for _, st := range tc.Job.Statements {
				emitted(st, fmt.Sprintf("%s: plan %s %s", e.label, tc.Action, tc.Table))
			}
		}
	}
	return p
}

// apply plans and applies days, as 'fgen apply' does on a local target.
func (e *env) apply(days []string, opts plan.ApplyOptions) (*plan.Result, error) {
	e.t.Helper()
	return plan.Apply(context.Background(), e.wh, e.plan(days), opts)
}

// mustApply applies days and requires every job to succeed.
func (e *env) mustApply(days ...string) *plan.Result {
	e.t.Helper()
	return e.mustApplyWith(plan.ApplyOptions{Parallel: 1, All: true}, days...)
}

// mustApplyWith applies days with opts and requires every job to succeed,
// or, unless opts.All, to be up to date.
func (e *env) mustApplyWith(opts plan.ApplyOptions, days ...string) *plan.Result {
	e.t.Helper()
	res, err := e.apply(days, opts)
	if err != nil {
		e.t.Fatalf("apply %v: %v", days, err)
	}
	for _, j := range res.Jobs {
		if j.Status != "applied" && (opts.All || j.Status != "up_to_date") {
			e.t.Fatalf("apply %v: job %s %s is %s: %s", days, j.Name, j.Day, j.Status, j.Error)
		}
	}
	return res
}

// requireInSync requires a fresh plan to find every table in sync with the
// config: what apply created or altered reads back as what fgen renders.
func (e *env) requireInSync() {
	e.t.Helper()
	for _, tc := range e.plan(nil).Tables {
		if tc.Action != plan.InSync {
			e.t.Errorf("%s: after apply, plan says %s %s: %v %v\n%s", e.label, tc.Action, tc.Table, tc.Changes, tc.Problems, tc.SQL)
		}
	}
}

// snapshot returns every row of table, sorted, as text.
func (e *env) snapshot(table string) []string {
	e.t.Helper()
	rows := e.query("SELECT * FROM " + generator.DuckDB.QuoteIdent(table) + " ORDER BY ALL")
	out := make([]string, len(rows.Values))
	for i, v := range rows.Values {
		out[i] = keyOf(v)
	}
	return out
}

// query runs q and fails the test on an error.
func (e *env) query(q string) *warehouse.Rows {
	e.t.Helper()
	clear(e.checked)
	rows, err := e.db.Query(context.Background(), q)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return rows
}

// report reads the RPT table of funnel i back, after checking its column
// types against the DDL fgen renders (once until the columns could change).
func (e *env) report(i int) []report.Row {
	e.t.Helper()
	f := &e.cfg.Funnels[i]
	if e.checked[f.Report.Table] {
		return e.readReport(i)
	}
	live, err := e.db.Describe(context.Background(), f.Report.Table)
	if err != nil {
		e.t.Fatalf("describe %s: %v", f.Report.Table, err)
	}
	// The report columns in order; the partition column is a plain column
	// somewhere (last when created, before the columns added later).
	var want []string
	for _, c := range f.ReportColumns() {
		want = append(want, c.Name+" "+generator.DuckDB.ColumnType(c.Type))
	}
	var got []string
	part := 0
	for _, c := range live.Columns {
		if c.Name == f.Report.Partition || f.Hourly() && c.Name == f.Report.HourPartition {
			part++
			if c.Type != "VARCHAR" {
				e.t.Errorf("%s: partition column %s is %s, want VARCHAR", f.Report.Table, c.Name, c.Type)
			}
			continue
		}
		got = append(got, c.Name+" "+c.Type)
	}
	if !slices.Equal(got, want) || part != 1 && !f.Hourly() || part != 2 && f.Hourly() {
		e.t.Fatalf("%s columns:\n got %v\nwant %v", f.Report.Table, got, want)
	}
	e.checked[f.Report.Table] = true
	return e.readReport(i)
}

// readReport reads the RPT table of funnel i back, as 'fgen report' does.
func (e *env) readReport(i int) []report.Row {
	e.t.Helper()
	r, err := report.Read(context.Background(), e.wh, e.proj, &e.cfg.Funnels[i], "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Rows
}

// checkReports compares every funnel's RPT rows (report, its columns
// checked) with the reference computed from the raw rows, for days.
func (e *env) checkReports(rows []reference.ODSRow, days []string) {
	e.t.Helper()
	all := make([]int, len(e.cfg.Funnels))
	for i := range all {
		all[i] = i
	}
	e.compareReports(rows, days, e.report, all)
}

// requireReference compares the RPT rows of funnels (readReport) with the
// reference computed from the raw rows, for days.
func (e *env) requireReference(rows []reference.ODSRow, days []string, funnels ...int) {
	e.t.Helper()
	e.compareReports(rows, days, e.readReport, funnels)
}

func (e *env) compareReports(rows []reference.ODSRow, days []string, read func(int) []report.Row, funnels []int) {
	e.t.Helper()
	rules, err := e.lay.Rules(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	dw := reference.Clean(rows, rules)
	for _, i := range funnels {
		f := &e.cfg.Funnels[i]
		want := reference.Compute(funneltest.Funnel(e.cfg, i), dw, days)
		got := read(i)
		if d := funneltest.Diff(f, got, want); len(d) > 0 {
			e.t.Errorf("%s: %s differs from the reference in %d places:\n  %s", e.label, f.Report.Table, len(d), strings.Join(firstN(d, 20), "\n  "))
		}
	}
}

// checkDW compares the DW table's rows on days, as a multiset of the columns
// the harness knows (user, event, time, dimensions), with the ODS rows the
// config's cleaning rules keep (Layout.CleanAsConfigured).
func (e *env) checkDW(rows []reference.ODSRow, days []string) {
	e.t.Helper()
	var cols []string
	for _, c := range e.cfg.DW.Columns {
		if c.Name == e.lay.User || c.Name == e.lay.Event || c.Name == e.lay.Time || slices.Contains(e.lay.Dims, c.Name) {
			cols = append(cols, c.Name)
		}
	}
	q := generator.DuckDB.QuoteIdent
	sel := []string{q(e.cfg.DW.Partition)}
	for _, c := range cols {
		if c == e.lay.Time && models.TimeKind(e.lay.Types[c]) == models.TimeDatetime {
			sel = append(sel, "CAST(epoch_ms("+q(c)+") AS VARCHAR)") // the reference's units
			continue
		}
		sel = append(sel, "CAST("+q(c)+" AS VARCHAR)")
	}
	live := e.query(fmt.Sprintf("SELECT %s FROM %s", strings.Join(sel, ", "), q(e.cfg.DW.Name)))
	var got []string
	for _, v := range live.Values {
		if slices.Contains(days, *v[0]) {
			got = append(got, keyOf(v))
		}
	}
	var want []string
	for _, r := range e.lay.CleanAsConfigured(e.cfg, rows) {
		if !slices.Contains(days, r.Dt) {
			continue
		}
		ts := fmt.Sprint(r.TS)
		if models.TimeKind(e.lay.Types[e.lay.Time]) == models.TimeString {
			ts = fmt.Sprint(e.lay.TimeText(r.TS))
		}
		v := []*string{&r.Dt}
		for _, c := range cols {
			switch {
			case c == e.lay.User:
				v = append(v, r.User)
			case c == e.lay.Event:
				v = append(v, r.Event)
			case c == e.lay.Time:
				v = append(v, &ts)
			default:
				v = append(v, r.Dims[c])
			}
		}
		want = append(want, keyOf(v))
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		e.t.Errorf("%s: DW %s rows (%s, %s) differ from the cleaning rules: %d rows, want %d\n%s", e.label, e.cfg.DW.Name,
			e.cfg.DW.Partition, strings.Join(cols, ", "), len(got), len(want), multisetDiff(got, want))
	}
}

func keyOf(v []*string) string {
	parts := make([]string, len(v))
	for i, p := range v {
		parts[i] = show(p)
	}
	return strings.Join(parts, " ")
}

// multisetDiff lists up to 10 lines only in got (-) or only in want (+); both sorted.
func multisetDiff(got, want []string) string {
	var out []string
	i, j := 0, 0
	for (i < len(got) || j < len(want)) && len(out) < 10 {
		switch {
		case j >= len(want) || (i < len(got) && got[i] < want[j]):
			out = append(out, "  - "+got[i])
			i++
		case i >= len(got) || want[j] < got[i]:
			out = append(out, "  + "+want[j])
			j++
		default:
			i++
			j++
		}
	}
	return strings.Join(out, "\n")
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("... and %d more", len(s)-n))
}

// ---- The warehouse double -------------------------------------------------

// tracker is the warehouse plan.Apply sees: it records which emitted SQL ran
// successfully, and can rewrite a job before it runs, to inject a failure.
type tracker struct {
	warehouse.Warehouse
	env     *env
	rewrite func(*warehouse.Job) *warehouse.Job // nil, or returning nil: run the job as is
}

// DescribeTables and DayPartitions are the DuckDB warehouse's: plans
// describe tables and list a table's days at once here as they do in fgen.
func (tr *tracker) DescribeTables(ctx context.Context, names []string) (map[string]*warehouse.Table, error) {
	return tr.Warehouse.(warehouse.TablesDescriber).DescribeTables(ctx, names)
}

func (tr *tracker) DayPartitions(ctx context.Context, table, col, hourCol string, days []string) (map[string]warehouse.Partition, error) {
	return tr.Warehouse.(warehouse.DayLister).DayPartitions(ctx, table, col, hourCol, days)
}

func (tr *tracker) Run(ctx context.Context, job *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	if job.Kind != "node" {
		clear(tr.env.checked)
	}
	run := job
	if tr.rewrite != nil {
		if j := tr.rewrite(job); j != nil {
			run = j
		}
	}
	if err := tr.Warehouse.Run(ctx, run, onSubmit); err != nil {
		return err
	}
	if run != job {
		return nil
	}
	if job.Kind != "node" {
		for _, st := range job.Statements {
			ran(st)
		}
		return nil
	}
	for i := range tr.env.proj.Nodes {
		n := &tr.env.proj.Nodes[i]
		if n.Name != job.Name {
			continue
		}
		var s generator.Script
		var err error
		if n.Hourly {
			s, err = tr.env.proj.NodeHourScript(n, job.Day, job.Hour)
		} else {
			s, err = tr.env.proj.NodeScript(n, job.Day)
		}
		if err == nil && slices.Equal(s.Statements, job.Statements) {
			for i := range s.Statements {
				ran(nodeStatement(n.Name, i))
			}
		}
	}
	return nil
}

// nodeStatement names statement i of a node for sqlCoverage.
func nodeStatement(node string, i int) string {
	return fmt.Sprintf("node %s statement %d", node, i+1)
}

// failAfterInsert returns a rewrite that makes the named node fail on day,
// after its DELETE and INSERT ran and before they commit: the worst moment.
func failAfterInsert(name, day string) func(*warehouse.Job) *warehouse.Job {
	return func(j *warehouse.Job) *warehouse.Job {
		if j.Kind != "node" || j.Name != name || j.Day != day {
			return nil
		}
		c := *j
		c.Statements = append(slices.Clone(j.Statements), "SELECT CAST('injected failure' AS INTEGER);")
		return &c
	}
}

// exec runs statements on the local warehouse in one transaction, as a
// job.
func (e *env) exec(stmts ...string) {
	e.t.Helper()
	clear(e.checked)
	if err := e.db.Run(context.Background(), &warehouse.Job{Name: "test", Statements: stmts}, nil); err != nil {
		e.t.Fatal(err)
	}
}

// rerunOnShuffledDW rewrites the DW table's rows in an order drawn from salt
// and runs every RPT node of days again. The DW node writes a day's rows by
// user and time, and the ordered fold sorts a user's keys only when they
// arrive out of order: on shuffled rows every users and ordered node must
// still count what the reference counts. The nodes run in one transaction,
// without the per-job bookkeeping of apply, which TestMain's coverage
// check does not need again.
func (e *env) rerunOnShuffledDW(salt uint32, days []string) {
	e.t.Helper()
	dw := generator.DuckDB.QuoteIdent(e.cfg.DW.Name)
	stmts := []string{
		fmt.Sprintf("CREATE TEMP TABLE fgen_shuffled AS SELECT * FROM %s ORDER BY hash(rowid, %d)", dw, salt),
		"DELETE FROM " + dw,
		"INSERT INTO " + dw + " SELECT * FROM fgen_shuffled",
		"DROP TABLE fgen_shuffled",
	}
	from := make([]string, len(stmts)) // which node and day each statement is of
	for _, n := range e.proj.Nodes {
		if n.Layer != "RPT" {
			continue
		}
		for _, day := range days {
			s, err := e.proj.NodeScript(&n, day)
			if err != nil {
				e.t.Fatal(err)
			}
			stmts = append(stmts, s.Statements...)
			for i := range s.Statements {
				from = append(from, fmt.Sprintf("%s on %s, statement %d", n.Name, day, i+1))
			}
		}
	}
	err := e.db.Run(context.Background(), &warehouse.Job{Name: "RPT nodes over shuffled DW rows", Statements: stmts}, nil)
	var se *warehouse.StatementError
	if errors.As(err, &se) && se.Statement > 4 {
		e.t.Fatalf("%s over shuffled DW rows: %v", from[se.Statement-1], err)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// show quotes a value for messages; nil is NULL.
func show(p *string) string {
	if p == nil {
		return "NULL"
	}
	return strconv.Quote(*p)
}
