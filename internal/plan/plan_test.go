package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// fakeWarehouse holds table metadata and partitions, and records jobs.
type fakeWarehouse struct {
	mu         sync.Mutex
	tables     map[string]*warehouse.Table
	partitions map[string]bool // table/value
	ran        []string        // job keys in order
	fail       map[string]error
	caps       *warehouse.Capabilities // nil: MaxCompute's
	// written holds partitions with what a warehouse knows of them; Run
	// writes a node's partition here, now, with its fingerprint.
	written map[string]warehouse.Partition
	clock   time.Time // what Run takes for now; it ticks a second a job
	// described, when set, is what Describe answers after a job failed
	// (the table's state is then the engine's to tell)
	described map[string]error
	failed    bool // a job failed
}

// maxComputeCaps are the capabilities of internal/maxcompute's warehouse.
var maxComputeCaps = warehouse.Capabilities{Engine: "maxcompute", Remote: true, Lifecycle: true}

func (f *fakeWarehouse) Capabilities() warehouse.Capabilities {
	if f.caps != nil {
		return *f.caps
	}
	return maxComputeCaps
}

func (f *fakeWarehouse) Describe(_ context.Context, name string) (*warehouse.Table, error) {
	f.mu.Lock()
	err, told := f.described[name]
	told = told && f.failed
	f.mu.Unlock()
	if told {
		if err != nil {
			return nil, err
		}
		return f.tables[name], nil
	}
	if t, ok := f.tables[name]; ok {
		return t, nil
	}
	return nil, warehouse.ErrTableNotFound
}

func (f *fakeWarehouse) Partition(_ context.Context, table string, spec warehouse.PartitionSpec) (warehouse.Partition, error) {
	value := spec.Value()
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.written[table+"/"+value]; ok {
		return p, nil
	}
	return warehouse.Partition{Exists: f.partitions[table+"/"+value], Bytes: -1}, nil
}

func (f *fakeWarehouse) Run(_ context.Context, j *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	if onSubmit != nil {
		onSubmit(warehouse.Submitted{Statement: 1, Statements: len(j.Statements), InstanceID: "i-" + j.Key()})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = append(f.ran, j.Key())
	if err := f.fail[j.Key()]; err != nil {
		f.failed = true
		return err
	}
	if j.Kind == "node" {
		if f.written == nil {
			f.written = map[string]warehouse.Partition{}
		}
		f.clock = f.clock.Add(time.Second)
		f.written[j.Name+"/"+j.Written().Value()] = warehouse.Partition{Exists: true, Modified: f.clock, Bytes: -1, Fingerprint: j.Fingerprint}
	}
	return nil
}

func (f *fakeWarehouse) Query(context.Context, string, ...warehouse.Setting) (*warehouse.Rows, error) {
	return &warehouse.Rows{}, nil
}
func (f *fakeWarehouse) Close() error { return nil }

func config(t *testing.T, edit func(string) string) *models.Config {
	t.Helper()
	data, err := os.ReadFile("../../funnel.toml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	if edit != nil {
		src = edit(src)
	}
	cfg, err := models.Parse("funnel.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// liveTables returns the tables as MaxCompute would describe them after
// creating them from cfg.
func liveTables(t *testing.T, cfg *models.Config) map[string]*warehouse.Table {
	p, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*warehouse.Table{}
	for _, tb := range p.Tables {
		live := &warehouse.Table{Name: tb.Name, Comment: tb.Comment, Lifecycle: tb.Lifecycle,
			PartitionKeys: []warehouse.Column{{Name: tb.Partition, Type: "string"}}}
		if tb.HourPartition != "" {
			live.PartitionKeys = append(live.PartitionKeys, warehouse.Column{Name: tb.HourPartition, Type: "string"})
		}
		for _, c := range tb.Columns {
			live.Columns = append(live.Columns, warehouse.Column{Name: c.Name, Type: strings.ToLower(c.Type), Comment: c.Comment})
		}
		out[tb.Name] = live
	}
	return out
}

func build(t *testing.T, cfg *models.Config, w warehouse.Warehouse, days ...string) *Plan {
	t.Helper()
	proj, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(context.Background(), w, Input{Target: "prod", Config: cfg, Project: proj, Days: days})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlanCreatesMissingTables(t *testing.T) {
	cfg := config(t, nil)
	w := &fakeWarehouse{tables: map[string]*warehouse.Table{}, partitions: map[string]bool{"ods_user_trace_data/20210303": true}}
	live := liveTables(t, cfg)
	w.tables["ods_user_trace_data"] = live["ods_user_trace_data"]
	p := build(t, cfg, w, "20210303")
	got := []string{}
	for _, tc := range p.Tables {
		got = append(got, tc.Table+":"+string(tc.Action))
	}
	if want := "ods_user_trace_data:in_sync dw_user_trace_data:create rpt_user_trace_data:create"; strings.Join(got, " ") != want {
		t.Errorf("tables = %v, want %s", got, want)
	}
	if !p.HasChanges() || p.IsBlocked() {
		t.Error("want changes, not blocked")
	}
	if len(p.Days) != 1 || !p.Days[0].UpstreamReady || len(p.Days[0].Jobs) != 2 {
		t.Fatalf("days = %+v", p.Days)
	}
	if sql := p.Days[0].Jobs[0].Text(); !strings.Contains(sql, "PARTITION (`dt` = '20210303')") || strings.Contains(sql, "${") {
		t.Errorf("the business date is not substituted:\n%s", sql)
	}
}

func TestPlanEvolution(t *testing.T) {
	cfg := config(t, nil)
	tests := []struct {
		name   string
		drift  func(*warehouse.Table)
		action Action
		want   string // in SQL or a problem code
	}{
		{"in sync", func(*warehouse.Table) {}, InSync, ""},
		{"new column in config", func(tb *warehouse.Table) { tb.Columns = tb.Columns[:len(tb.Columns)-1] }, Alter,
			"ALTER TABLE `dw_user_trace_data` ADD COLUMNS (\n    `customize_event_content` STRING COMMENT 'event payload'\n);"},
		{"comment", func(tb *warehouse.Table) { tb.Comment = "old" }, Alter, "ALTER TABLE `dw_user_trace_data` SET COMMENT 'cleaned user trace events';"},
		{"lifecycle removed", func(tb *warehouse.Table) { tb.Lifecycle = 30 }, InSync, "ALTER TABLE `dw_user_trace_data` DISABLE LIFECYCLE;"},
		{"column comment", func(tb *warehouse.Table) { tb.Columns[0].Comment = "x" }, Alter, "ALTER TABLE `dw_user_trace_data` CHANGE COLUMN `uid` COMMENT 'user id';"},
		{"extra live column", func(tb *warehouse.Table) {
			tb.Columns = append(tb.Columns, warehouse.Column{Name: "legacy", Type: "string"})
		}, Blocked, CodeColumnDropped},
		{"retyped", func(tb *warehouse.Table) { tb.Columns[5].Type = "string" }, Blocked, CodeColumnRetyped},
		{"reordered", func(tb *warehouse.Table) { tb.Columns[0], tb.Columns[1] = tb.Columns[1], tb.Columns[0] }, Blocked, CodeColumnReordered},
		{"partition", func(tb *warehouse.Table) { tb.PartitionKeys[0].Name = "ds" }, Blocked, CodePartitionChanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := liveTables(t, cfg)
			tt.drift(live["dw_user_trace_data"])
			p := build(t, cfg, &fakeWarehouse{tables: live})
			tc := p.Tables[1]
			if tc.Action != tt.action {
				t.Fatalf("action = %s, want %s (%+v)", tc.Action, tt.action, tc)
			}
			switch tt.action {
			case InSync:
				if tc.SQL != "" || tc.Job != nil {
					t.Errorf("in sync, but SQL:\n%s", tc.SQL)
				}
				if tt.want != "" && (len(tc.Notes) != 1 || !strings.Contains(tc.Notes[0], tt.want)) {
					t.Errorf("notes = %q, want one that says %s", tc.Notes, tt.want)
				}
			case Alter:
				if !strings.Contains(tc.SQL, tt.want) {
					t.Errorf("SQL =\n%s\nwant it to contain\n%s", tc.SQL, tt.want)
				}
			case Blocked:
				if len(tc.Problems) == 0 || tc.Problems[0].Code != tt.want || tc.Problems[0].Fix == "" {
					t.Errorf("problems = %+v, want code %s with a fix", tc.Problems, tt.want)
				}
				if !p.IsBlocked() {
					t.Error("plan not blocked")
				}
			}
		})
	}
}

// A DW column inserted before others: the new column is not last, and
// the columns after it, which move together, are one problem.
func TestPlanDWColumnInserted(t *testing.T) {
	cfg := config(t, nil)
	live := liveTables(t, cfg)
	inserted := config(t, func(s string) string {
		return strings.Replace(s, `comment = "user id" },
  { name = "device_brand",`, `comment = "user id" },
  { name = "ip",                      type = "STRING", comment = "client ip" },
  { name = "device_brand",`, 1)
	})
	if len(inserted.DW.Columns) != len(cfg.DW.Columns)+1 {
		t.Fatal("no DW column inserted")
	}
	var got []string
	for _, pr := range build(t, inserted, &fakeWarehouse{tables: live}).Tables[1].Problems {
		got = append(got, pr.Code+": "+pr.Message)
	}
	want := []string{
		"column_reordered: new column ip is not last; ALTER TABLE ... ADD COLUMNS appends new columns at the end",
		"column_reordered: 6 columns are at other positions live than in funnel.toml (live→funnel.toml): device_brand 2→3, device 3→4, system_type 4→5, customize_event 5→6, use_time 6→7, customize_event_content 7→8",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A DW table whose live columns are the ODS table's (funnel.toml gave the
// ODS table's name to the DW table) is never dropped, even with
// --allow-destructive; a DW table with only some ODS columns still is.
func TestPlanRefusesToRecreateRawTable(t *testing.T) {
	cfg := config(t, nil)
	live := liveTables(t, cfg)
	raw := *live["ods_user_trace_data"]
	raw.Name = "dw_user_trace_data"
	live["dw_user_trace_data"] = &raw
	p := build(t, cfg, &fakeWarehouse{tables: live})
	tc := p.Tables[1]
	if tc.Table != "dw_user_trace_data" || tc.Action != Blocked || len(tc.Problems) != 1 || tc.Problems[0].Code != CodeRawTable || !tc.Refused() || tc.Job != nil {
		t.Fatalf("plan of a DW table holding the ODS columns = %+v, want only a refused %s problem and no job", tc, CodeRawTable)
	}
	if msg := tc.Problems[0].Message; !strings.Contains(msg, "md5") || !strings.Contains(msg, "raw rows") {
		t.Errorf("message %q does not name the ODS columns it found", msg)
	}
	if !p.IsRefused() {
		t.Error("the plan is not refused, so --allow-destructive would drop the table")
	}

	// A DW table with one ODS column too many, still short of the others
	// (ts, ip, status, bytes): --allow-destructive may recreate it.
	live = liveTables(t, cfg)
	live["dw_user_trace_data"].Columns = append(live["dw_user_trace_data"].Columns, warehouse.Column{Name: "md5", Type: "string"})
	p = build(t, cfg, &fakeWarehouse{tables: live})
	if tc := p.Tables[1]; tc.Refused() || tc.Action != Blocked || tc.Job == nil {
		t.Errorf("plan of a DW table with one extra column = %+v, want blocked with a recreate job, not refused", tc)
	}
}

// The plan of an apply given --allow-destructive shows the tables it
// recreates as such, in text and JSON, and is blocked only by a change fgen
// never makes, which stays blocked.
func TestPlanAllowDestructiveShowsRecreates(t *testing.T) {
	cfg := config(t, nil)
	for _, tc := range []struct {
		name    string
		raw     bool
		action  Action
		blocked bool
		summary string
	}{
		{"retyped", false, Recreate, false, "Plan: 0 to create, 0 to alter, 1 to recreate, 2 in sync, 0 blocked."},
		{"raw rows", true, Blocked, true, "Plan: 0 to create, 0 to alter, 2 in sync, 1 blocked."},
	} {
		live := liveTables(t, cfg)
		live["dw_user_trace_data"].Columns[5].Type = "string"
		if tc.raw {
			raw := *live["ods_user_trace_data"]
			raw.Name = "dw_user_trace_data"
			live["dw_user_trace_data"] = &raw
		}
		p := build(t, cfg, &fakeWarehouse{tables: live})
		p.AllowDestructive = true
		var text strings.Builder
		WriteText(&text, p)
		var doc struct {
			Blocked bool
			Tables  []struct{ Table, Action string }
		}
		b, _ := json.Marshal(p.JSON())
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		dw := doc.Tables[1]
		if got := p.ActionOf(&p.Tables[1]); got != tc.action || dw.Table != "dw_user_trace_data" || dw.Action != string(tc.action) || doc.Blocked != tc.blocked || p.Summary() != tc.summary {
			t.Errorf("%s: action %s, JSON %+v, summary %q; want %s, blocked %v, %q", tc.name, got, doc, p.Summary(), tc.action, tc.blocked, tc.summary)
		}
		if line := fmt.Sprintf("%3s DW  dw_user_trace_data  (%s", symbols[tc.action], labels[tc.action]); !strings.Contains(text.String(), line) || strings.Contains(text.String(), "fix:") != tc.blocked {
			t.Errorf("%s: want %q, and fixes only of a blocked table, in\n%s", tc.name, line, text.String())
		}
		if p.Tables[1].Action != Blocked || !p.IsBlocked() {
			t.Errorf("%s: showing the plan changed its table's action to %s", tc.name, p.Tables[1].Action)
		}
	}
}

// writersWarehouse is a fakeWarehouse whose engine notes what wrote each
// table's partitions, as the local engine does.
type writersWarehouse struct {
	*fakeWarehouse
	loaded, jobs map[string]int
	foreign      map[string]bool
}

func (w writersWarehouse) PartitionWriters(_ context.Context, tables []string) (map[string]warehouse.Writers, error) {
	out := map[string]warehouse.Writers{}
	for _, t := range tables {
		out[t] = warehouse.Writers{Loaded: w.loaded[t], Jobs: w.jobs[t], Foreign: w.foreign[t]}
	}
	return out, nil
}

// Where the engine notes what wrote a table's partitions, that decides: a
// load's partitions are raw rows, whatever the columns; a table only jobs
// wrote is derived, even with every ODS column.
func TestPlanRawTableByWriters(t *testing.T) {
	cfg := config(t, nil)
	odsCols := liveTables(t, cfg)["ods_user_trace_data"].Columns
	for _, tc := range []struct {
		name         string
		cols         []warehouse.Column
		loaded, jobs int
		foreign      bool
		refused      bool
	}{
		{"loaded, the ODS columns and one more", append(slices.Clone(odsCols), warehouse.Column{Name: "country", Type: "string"}), 1, 0, false, true},
		{"loaded and written by jobs", odsCols[:len(odsCols)-1], 2, 3, false, true},
		{"written by jobs, every ODS column", odsCols, 0, 3, false, false},
		{"no notes, every ODS column", odsCols, 0, 0, false, true},
		// the DW table's own columns, nothing to change: its node would
		// still overwrite the loaded rows
		{"loaded, in sync", nil, 1, 0, false, true},
		// rows fgen has no note of: another table under the name, whatever
		// its columns, and even in sync
		{"foreign, other columns", []warehouse.Column{{Name: "revenue", Type: "bigint"}}, 0, 0, true, true},
		{"foreign, in sync", nil, 0, 0, true, true},
		// no notes and no rows: a table fgen may recreate
		{"empty, other columns", []warehouse.Column{{Name: "revenue", Type: "bigint"}}, 0, 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live := liveTables(t, cfg)
			if tc.cols != nil {
				live["dw_user_trace_data"].Columns = tc.cols
			}
			// An engine that loads raw rows (the local one) notes them.
			loads := maxComputeCaps
			loads.LoadsODS = true
			w := writersWarehouse{&fakeWarehouse{tables: live, caps: &loads}, map[string]int{"dw_user_trace_data": tc.loaded}, map[string]int{"dw_user_trace_data": tc.jobs}, map[string]bool{"dw_user_trace_data": tc.foreign}}
			got := build(t, cfg, w).Tables[1]
			if got.Refused() != tc.refused || got.Action != Blocked || tc.refused && got.Problems[0].Code != CodeRawTable || !tc.refused && got.Job == nil {
				t.Errorf("plan = %+v, want refused %v", got, tc.refused)
			}
			// A table to recreate says how many partitions' rows that drops.
			drops := slices.ContainsFunc(got.Notes, func(n string) bool {
				return strings.HasPrefix(n, fmt.Sprintf("recreating it drops the rows of its %d partitions;", tc.jobs))
			})
			if drops != (!tc.refused && tc.jobs > 0) {
				t.Errorf("notes = %q", got.Notes)
			}
		})
	}
}

func TestApplyOrderSkipsAndPartialError(t *testing.T) {
	cfg := config(t, nil)
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{
		"ods_user_trace_data/20210301": true, "ods_user_trace_data/20210302": true, "ods_user_trace_data/20210304": true,
	}}
	w.fail = map[string]error{"dw_user_trace_data@20210302": errors.New("ODPS-0130071: boom")}
	p := build(t, cfg, w, "20210301", "20210302", "20210303", "20210304")
	res, err := Apply(context.Background(), w, p, ApplyOptions{Parallel: 1})
	var pe *PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a PartialError", err)
	}
	if got := strings.Join(w.ran, " "); got != "dw_user_trace_data@20210301 dw_user_trace_data@20210302 dw_user_trace_data@20210304 rpt_user_trace_data@20210301 rpt_user_trace_data@20210304" {
		t.Errorf("ran %s", got)
	}
	status := map[string]string{}
	for _, j := range res.Jobs {
		status[j.Name+"@"+j.Day] = j.Status
	}
	want := map[string]string{
		"dw_user_trace_data@20210301": "applied", "rpt_user_trace_data@20210301": "applied",
		"dw_user_trace_data@20210302": "failed", "rpt_user_trace_data@20210302": "skipped",
		"dw_user_trace_data@20210303": "skipped", "rpt_user_trace_data@20210303": "skipped",
		"dw_user_trace_data@20210304": "applied", "rpt_user_trace_data@20210304": "applied",
	}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("status = %v\nwant %v", status, want)
	}
	if !strings.Contains(err.Error(), "4 applied, 1 failed, 3 skipped") {
		t.Errorf("err = %v", err)
	}
}

func TestApplyRefusesBlockedPlan(t *testing.T) {
	cfg := config(t, nil)
	live := liveTables(t, cfg)
	live["dw_user_trace_data"].Columns[5].Type = "string"
	w := &fakeWarehouse{tables: live}
	p := build(t, cfg, w)
	if _, err := Apply(context.Background(), w, p, ApplyOptions{}); !errors.Is(err, ErrBlocked) {
		t.Fatalf("err = %v", err)
	}
	if len(w.ran) != 0 {
		t.Errorf("ran %v", w.ran)
	}
	if _, err := Apply(context.Background(), w, p, ApplyOptions{AllowDestructive: true}); err != nil {
		t.Fatal(err)
	}
	if len(w.ran) != 1 || w.ran[0] != "dw_user_trace_data" {
		t.Errorf("ran %v", w.ran)
	}
}

// A recreate that stopped after its DROP says the table is dropped only
// when it is: the engine may have made it all the same (an answer lost),
// or not tell.
func TestApplyRecreateStoppedAfterTheDrop(t *testing.T) {
	cfg := config(t, nil)
	for _, tc := range []struct {
		described error // what Describe answers after the failure
		want, not string
	}{
		{warehouse.ErrTableNotFound, "dw_user_trace_data is dropped and not created again", ""},
		{nil, "", "dropped"},
		{errors.New("403 Forbidden"), "dw_user_trace_data is dropped, and fgen could not tell whether it is created again (403 Forbidden): run fgen plan", "not created again"},
	} {
		live := liveTables(t, cfg)
		live["dw_user_trace_data"].Columns[5].Type = "string"
		w := &fakeWarehouse{tables: live, described: map[string]error{"dw_user_trace_data": tc.described}}
		w.fail = map[string]error{"dw_user_trace_data": &warehouse.StatementError{Statement: 2, Statements: 2, Err: errors.New("answer lost")}}
		p := build(t, cfg, w)
		_, err := Apply(context.Background(), w, p, ApplyOptions{AllowDestructive: true})
		if err == nil || tc.want != "" && !strings.Contains(err.Error(), tc.want) || tc.not != "" && strings.Contains(err.Error(), tc.not) {
			t.Errorf("Describe answering %v: apply = %v", tc.described, err)
		}
	}
}

// TestApplySerializesOnEvent runs days in parallel with an OnEvent that is
// not safe for concurrent use: Apply must never call it concurrently (go
// test -race also catches the unsynchronized append).
func TestApplySerializesOnEvent(t *testing.T) {
	cfg := config(t, nil)
	days := []string{"20210301", "20210302", "20210303", "20210304", "20210305", "20210306", "20210307", "20210308"}
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{}}
	for _, d := range days {
		w.partitions["ods_user_trace_data/"+d] = true
	}
	p := build(t, cfg, w, days...)
	var inside, overlaps atomic.Int32
	var events []EventKind // appended without a lock on purpose
	_, err := Apply(context.Background(), w, p, ApplyOptions{Parallel: 4, OnEvent: func(e Event) {
		if inside.Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(time.Millisecond)
		events = append(events, e.Kind)
		inside.Add(-1)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n := overlaps.Load(); n != 0 {
		t.Errorf("OnEvent was called concurrently %d times", n)
	}
	if want := 2 * 2 * len(days); len(events) != want { // submitted and done for 2 nodes a day
		t.Errorf("%d events, want %d", len(events), want)
	}
}

// probeCounter counts PartitionExists calls per table/value.
type probeCounter struct {
	*fakeWarehouse
	probes map[string]int
}

func (c *probeCounter) Partition(ctx context.Context, table string, spec warehouse.PartitionSpec) (warehouse.Partition, error) {
	c.probes[table+"/"+spec.Value()]++
	return c.fakeWarehouse.Partition(ctx, table, spec)
}

func TestPlanProbesEachPartitionOnce(t *testing.T) {
	overnight := func(name string) string {
		return fmt.Sprintf(`[[funnels]]
name = %[1]q
mode = "ordered"
window = "30m"
day_boundary = "cross_midnight"
user_column = "uid"
event_column = "customize_event"
time_column = "ts"
stages = [
  { name = "browse", events = ["browse"] },
  { name = "click",  events = ["click"] },
]

[funnels.report]
table = "rpt_%[1]s"

`, name)
	}
	// modes.toml has one cross_midnight funnel; add a second.
	data, err := os.ReadFile("../../generator/testdata/configs/modes.toml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), "# Where 'fgen apply' runs.", overnight("overnight_b")+"# Where 'fgen apply' runs.", 1)
	cfg, err := models.Parse("modes.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w := &probeCounter{&fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{
		"ods_user_trace_data/20210301": true, "ods_user_trace_data/20210302": true,
	}}, map[string]int{}}
	p := build(t, cfg, w, "20210301", "20210302")
	for _, k := range []string{"ods_user_trace_data/20210301", "dw_user_trace_data/20210302", "dw_user_trace_data/20210303", "rpt_ordered_overnight/20210302"} {
		if w.probes[k] != 1 {
			t.Errorf("%s probed %d times, want once", k, w.probes[k])
		}
	}
	for k, n := range w.probes {
		if n != 1 {
			t.Errorf("%s probed %d times, want once", k, n)
		}
	}
	if n := len(p.Days[1].Warnings); n != 2 {
		t.Errorf("%d warnings on the last day, want one per cross-midnight funnel: %q", n, p.Days[1].Warnings)
	}
	if n := len(p.Days[0].Warnings); n != 0 {
		t.Errorf("warnings on the first day: %q", p.Days[0].Warnings)
	}
}

// A cross-midnight node reads the next day's DW partition, and in a range
// runs after the next day's DW job. When that day's ODS partition is
// missing, its jobs do not run: the node runs anyway, as when its day is
// applied alone, provisional (plan warns on its day, not on the day that
// does not run), and apply runs what plan lists.
func TestPlanRangeEndingOnAMissingDay(t *testing.T) {
	cfg := testConfig(t, "modes.toml")
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{"ods_user_trace_data/20210301": true}}
	p := build(t, cfg, w, "20210301", "20210302")
	if p.Days[1].UpstreamReady {
		t.Fatal("20210302 is ready without its ODS partition")
	}
	var overnight *Job
	for _, j := range p.Days[0].Jobs {
		if j.Name == "rpt_ordered_overnight" {
			overnight = j
		}
	}
	if overnight == nil || !overnight.Pending || slices.Contains(overnight.Needs, warehouse.JobKey("dw_user_trace_data", "20210302")) {
		t.Fatalf("rpt_ordered_overnight for 20210301: %+v; want pending, not after the DW job of 20210302", overnight)
	}
	if want := "the day's numbers are provisional until 20210302 has landed and both days are applied ('fgen apply --from 20210301 --to 20210302')"; len(p.Days[0].Warnings) != 1 || !strings.Contains(p.Days[0].Warnings[0], want) {
		t.Errorf("20210301 warnings %q; want the provisional one, %q", p.Days[0].Warnings, want)
	}
	if len(p.Days[1].Warnings) != 0 {
		t.Errorf("20210302, which does not run, warns %q", p.Days[1].Warnings)
	}
	res, err := Apply(context.Background(), w, p, ApplyOptions{})
	if err == nil {
		t.Fatal("apply of a range with a missing day is complete")
	}
	for _, j := range res.Jobs {
		if want := map[string]string{"20210301": "applied", "20210302": "skipped"}[j.Day]; j.Kind == "node" && j.Status != want {
			t.Errorf("%s for %s: %s (%s); want %s", j.Name, j.Day, j.Status, j.Error, want)
		}
	}
}

// fgen leaves the ODS table's comments and lifecycle to the sync task that
// fills it, and says so; where fgen loads it itself (the local engine), it
// appends the new column and sets the comments too.
func TestPlanLeavesODSCommentsAndLifecycle(t *testing.T) {
	cfg := config(t, nil)
	drifted := func() map[string]*warehouse.Table {
		live := liveTables(t, cfg)
		ods := live["ods_user_trace_data"]
		ods.Comment, ods.Lifecycle, ods.Columns[0].Comment = "old", 30, "x"
		return live
	}
	tc := build(t, cfg, &fakeWarehouse{tables: drifted()}).Tables[0]
	if tc.Action != InSync || tc.SQL != "" || len(tc.Notes) != 1 || !strings.Contains(tc.Notes[0], "fgen leaves them to the sync task that fills it") {
		t.Errorf("ODS table on MaxCompute: action %s, notes %q, SQL:\n%s", tc.Action, tc.Notes, tc.SQL)
	}
	live := drifted()
	ods := live["ods_user_trace_data"]
	ods.Columns = ods.Columns[:len(ods.Columns)-1]
	local := warehouse.Capabilities{Engine: "duckdb", LoadsODS: true}
	tc = build(t, cfg, &fakeWarehouse{tables: live, caps: &local}).Tables[0]
	want := []string{"add column customize_event_content STRING", `column md5 comment "x" -> "hash of the log record"`, `comment "old" -> "raw user trace logs from Log Service"`}
	if tc.Action != Alter || !slices.Equal(tc.Changes, want) || len(tc.Notes) != 0 {
		t.Errorf("ODS table on the local engine: action %s, changes %q, notes %q; want alter with %q", tc.Action, tc.Changes, tc.Notes, want)
	}
	if strings.Contains(tc.SQL, "LIFECYCLE") || !strings.Contains(tc.SQL, "SET COMMENT") {
		t.Errorf("ODS SQL on the local engine:\n%s", tc.SQL)
	}
}

// A column the sync task appended to the ODS table, which funnel.toml does
// not list, changes no node's SQL (the DW node reads the ODS columns by
// name): the plan notes it, and the days run.
func TestPlanODSColumnAppended(t *testing.T) {
	cfg := config(t, nil)
	live := liveTables(t, cfg)
	live["ods_user_trace_data"].Columns = append(live["ods_user_trace_data"].Columns, warehouse.Column{Name: "region", Type: "string"})
	p := build(t, cfg, &fakeWarehouse{tables: live})
	tc := p.Tables[0]
	want := `the table has columns after funnel.toml's, which no node reads: to describe them, add { name = "region", type = "STRING" } last under [ods]`
	if tc.Action != InSync || len(tc.Problems) != 0 || !slices.Contains(tc.Notes, want) || p.IsBlocked() {
		t.Errorf("ODS with a column appended: %+v, want in sync with the note %q", tc, want)
	}
}

// Partitions funnel.toml cannot describe, or renamed: each fix says what to
// set back where, or what the table needs, never a value validate refuses.
func TestPlanPartitionFixes(t *testing.T) {
	cfg := config(t, nil)
	live := liveTables(t, cfg)
	ods := live["ods_user_trace_data"]
	ods.Columns, ods.PartitionKeys = append(ods.Columns, ods.PartitionKeys...), nil // dt a plain column
	live["dw_user_trace_data"].PartitionKeys = []warehouse.Column{{Name: "ds", Type: "string"}}
	p := build(t, cfg, &fakeWarehouse{tables: live}, "20210303")
	var fixes []string
	for _, tc := range p.Tables[:2] {
		for _, pr := range tc.Problems {
			fixes = append(fixes, pr.Code+": "+pr.Fix)
		}
	}
	want := []string{
		"partition_changed: fgen reads the ODS table a day at a time, by a STRING day partition column (and an hour one): have the sync task that fills it write it partitioned so, and name them under [ods] in funnel.toml; fgen never recreates the ODS table",
		`partition_changed: set partition = "ds" back under [dw] in funnel.toml, or recreate the table (--allow-destructive drops and recreates it, losing its data)`,
	}
	if !slices.Equal(fixes, want) || len(p.Tables[0].Notes) != 0 {
		t.Errorf("fixes:\n%s\nwant:\n%s\nODS notes %q", strings.Join(fixes, "\n"), strings.Join(want, "\n"), p.Tables[0].Notes)
	}
	var text strings.Builder
	WriteText(&text, p)
	if !strings.Contains(text.String(), "20210303  its upstream partition cannot be checked (below); its jobs will not run\n      warning: not checked: ods_user_trace_data is not partitioned by dt alone\n") {
		t.Errorf("plan:\n%s", text.String())
	}
}

// A column inserted before the others of the ODS table is one refusal of
// it and one of the columns it moved, not one of each column.
func TestPlanODSColumnInserted(t *testing.T) {
	cfg := config(t, nil)
	live := liveTables(t, cfg)
	live["ods_user_trace_data"].Columns = append([]warehouse.Column{{Name: "region", Type: "string"}}, live["ods_user_trace_data"].Columns...)
	tc := build(t, cfg, &fakeWarehouse{tables: live}).Tables[0]
	var codes []string
	for _, p := range tc.Problems {
		codes = append(codes, p.Code)
	}
	if want := []string{CodeColumnReordered, CodeColumnDropped}; !slices.Equal(codes, want) || !strings.HasPrefix(tc.Problems[0].Message, "12 columns are at other positions live than in funnel.toml (live→funnel.toml): md5 2→1, uid 3→2,") {
		t.Errorf("problems %+v, want %v", tc.Problems, want)
	}
}

// The ODS table belongs to the sync task that fills it: whatever its drift,
// fgen plans no statement for it, and apply refuses the plan even with
// --allow-destructive.
func TestPlanNeverChangesODS(t *testing.T) {
	cfg := config(t, nil)
	for _, tt := range []struct {
		name  string
		drift func(*warehouse.Table)
		code  string
		fix   string
	}{
		{"reordered", func(tb *warehouse.Table) { tb.Columns[0], tb.Columns[1] = tb.Columns[1], tb.Columns[0] }, CodeColumnReordered, "in the live order (uid, md5, ts,"},
		{"retyped", func(tb *warehouse.Table) { tb.Columns[2].Type = "string" }, CodeColumnRetyped, `set type = "STRING" for ts under [ods]`},
		{"extra before others", func(tb *warehouse.Table) {
			tb.Columns = append([]warehouse.Column{{Name: "region", Type: "string"}}, tb.Columns...)
		}, CodeColumnDropped, `add { name = "region", type = "STRING" } under [ods]`},
		// the columns it moved, in one problem
		{"extra before others moves them", func(tb *warehouse.Table) {
			tb.Columns = append([]warehouse.Column{{Name: "region", Type: "string"}}, tb.Columns...)
		}, CodeColumnReordered, "in the live order (region, md5, uid,"},
		// after the others, where a sync task's ADD COLUMNS puts it, of a
		// 2.0 type: the DW node would need the setting funnel.toml's
		// columns give it
		{"extra INT", func(tb *warehouse.Table) {
			tb.Columns = append(tb.Columns, warehouse.Column{Name: "region_code", Type: "int"})
		}, CodeColumnDropped, `add { name = "region_code", type = "INT" } under [ods]`},
		// of a type funnel.toml does not take: nothing to add to it
		{"extra ARRAY", func(tb *warehouse.Table) {
			tb.Columns = append(tb.Columns, warehouse.Column{Name: "tags", Type: "array<string>"})
		}, CodeColumnDropped, "tags is ARRAY<STRING>, a type funnel.toml does not take, so it cannot describe the table"},
		{"extra JSON", func(tb *warehouse.Table) {
			tb.Columns = append(tb.Columns, warehouse.Column{Name: "payload", Type: "json"})
		}, CodeColumnDropped, "payload is JSON, a type funnel.toml does not take"},
		{"missing", func(tb *warehouse.Table) { tb.Columns = tb.Columns[:len(tb.Columns)-1] }, CodeColumnMissing, "ADD COLUMNS (`customize_event_content` STRING);), or remove customize_event_content"},
		{"missing in the middle", func(tb *warehouse.Table) { tb.Columns = append(tb.Columns[:1], tb.Columns[2:]...) }, CodeColumnMissing, "or remove it from [ods]"},
		{"other partition", func(tb *warehouse.Table) { tb.PartitionKeys = []warehouse.Column{{Name: "ds", Type: "string"}} }, CodePartitionChanged, `set partition = "ds" under [ods]`},
		{"two partition keys", func(tb *warehouse.Table) {
			tb.PartitionKeys = append(tb.PartitionKeys, warehouse.Column{Name: "hh", Type: "string"})
		}, CodePartitionChanged, `set partition = "dt" and hour_partition = "hh" under [ods]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			live := liveTables(t, cfg)
			tt.drift(live["ods_user_trace_data"])
			w := &fakeWarehouse{tables: live}
			p := build(t, cfg, w)
			tc := p.Tables[0]
			if tc.Action != Blocked || tc.SQL != "" || tc.Job != nil {
				t.Fatalf("ODS: action %s, SQL %q; want blocked with no SQL", tc.Action, tc.SQL)
			}
			found := false
			for _, pr := range tc.Problems {
				if !pr.Refused {
					t.Errorf("problem %s is not refused", pr.Code)
				}
				if pr.Code == tt.code && strings.Contains(pr.Fix, tt.fix) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %+v; want %s with a fix that says %q", tc.Problems, tt.code, tt.fix)
			}
			if !p.IsBlocked() || !p.IsRefused() {
				t.Error("plan not blocked and refused")
			}
			if _, err := Apply(context.Background(), w, p, ApplyOptions{AllowDestructive: true}); !errors.Is(err, ErrBlocked) {
				t.Errorf("apply --allow-destructive: %v, want ErrBlocked", err)
			}
			if len(w.ran) != 0 {
				t.Errorf("ran %v", w.ran)
			}
		})
	}
}

// concurrencyMeter records how many jobs run at once.
type concurrencyMeter struct {
	*fakeWarehouse
	running, most atomic.Int32
}

func (c *concurrencyMeter) Run(ctx context.Context, j *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	n := c.running.Add(1)
	defer c.running.Add(-1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
	time.Sleep(2 * time.Millisecond)
	return c.fakeWarehouse.Run(ctx, j, onSubmit)
}

func TestApplyParallelDaysExceptOnDuckDB(t *testing.T) {
	cfg := config(t, nil)
	days := []string{"20210301", "20210302", "20210303", "20210304"}
	for _, tt := range []struct {
		engine      string
		least, most int32
	}{{models.EngineMaxCompute, 2, 4}, {models.EngineDuckDB, 1, 1}} {
		w := &concurrencyMeter{fakeWarehouse: &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{}}}
		for _, d := range days {
			w.partitions["ods_user_trace_data/"+d] = true
		}
		p := build(t, cfg, w.fakeWarehouse, days...)
		if tt.engine == models.EngineDuckDB {
			p.Caps.Writers = 1
		}
		if _, err := Apply(context.Background(), w, p, ApplyOptions{Parallel: 4}); err != nil {
			t.Fatal(err)
		}
		if got := w.most.Load(); got < tt.least || got > tt.most {
			t.Errorf("%s: at most %d jobs at once, want %d to %d", tt.engine, got, tt.least, tt.most)
		}
	}
}

// A plan knows what is up to date: after an apply, nothing is pending; a
// reloaded ODS partition makes its day pending (its DW job for the stale
// input, its RPT job for the upstream that runs); a change of a node's SQL
// makes its jobs pending; apply runs only pending jobs unless All.
func TestPlanKnowsWhatIsUpToDate(t *testing.T) {
	cfg := config(t, nil)
	days := []string{"20210301", "20210302"}
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{}, clock: time.Date(2021, 3, 5, 0, 0, 0, 0, time.UTC)}
	for _, d := range days {
		w.partitions["ods_user_trace_data/"+d] = true
	}
	p := build(t, cfg, w, days...)
	if !p.HasChanges() || p.Days[0].Jobs[0].Why != WhyMissing {
		t.Fatalf("first plan: changes %v, why %q", p.HasChanges(), p.Days[0].Jobs[0].Why)
	}
	if _, err := Apply(context.Background(), w, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if p := build(t, cfg, w, days...); p.HasChanges() {
		t.Errorf("after apply, the plan has changes:\n%s", planText(p))
	}

	// The sync task reloads day 2 after fgen wrote it.
	w.written["ods_user_trace_data/20210302"] = warehouse.Partition{Exists: true, Modified: w.clock.Add(time.Second / 2), Bytes: 1 << 20}
	p = build(t, cfg, w, days...)
	got := map[string]string{}
	for _, d := range p.Days {
		for _, j := range d.Jobs {
			got[j.Key()] = j.Why
		}
	}
	want := map[string]string{"dw_user_trace_data@20210301": "", "rpt_user_trace_data@20210301": "",
		"dw_user_trace_data@20210302": WhyStale, "rpt_user_trace_data@20210302": WhyUpstream}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("why = %v, want %v", got, want)
	}
	if text := planText(p); !strings.Contains(text, "= 20210301  up to date") ||
		!strings.Contains(text, "dw_user_trace_data: ods_user_trace_data/dt=20210302 changed after it was written; reads 1.0 MiB") {
		t.Errorf("plan text:\n%s", text)
	}
	w.ran = nil
	res, err := Apply(context.Background(), w, p, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.ran, " "); got != "dw_user_trace_data@20210302 rpt_user_trace_data@20210302" {
		t.Errorf("ran %s, want day 2 only", got)
	}
	if res.Count("up_to_date") != 2 {
		t.Errorf("results %+v", res.Jobs)
	}

	// funnel.toml changes the RPT node's file only in its header comments
	// (the funnel's description and name): no row changes.
	renamed := config(t, func(s string) string {
		s = strings.Replace(s, `description = "browse -> click -> purchase, events per day"`, `description = "the article's funnel"`, 1)
		return strings.Replace(s, "[[funnels]]\nname = \"user_trace\"", "[[funnels]]\nname = \"article\"", 1)
	})
	if f := renamed.Funnels[0]; f.Name != "article" || f.Description != "the article's funnel" {
		t.Fatalf("renamed funnel: %s, %q", f.Name, f.Description)
	}
	if p := build(t, renamed, w, days...); p.HasChanges() {
		t.Errorf("after a funnel's description and name changed, the plan has changes:\n%s", planText(p))
	}
	// The business date as a node parameter of its own (${bizdate}): the
	// SQL a day runs is the same.
	custom := config(t, func(s string) string {
		return strings.Replace(s, `parameters = "system"`, `parameters = "custom"`, 1)
	})
	if custom.DataWorks.Parameters != "custom" {
		t.Fatal("funnel.toml has no parameters = \"system\" to change")
	}
	if p := build(t, custom, w, days...); p.HasChanges() {
		t.Errorf("after parameters changed from system to custom, the plan has changes:\n%s", planText(p))
	}
	// funnel.toml changes the RPT node's SQL (its mode).
	changed := config(t, func(s string) string {
		return strings.Replace(s, "\nmode = \"events\"\n", "\nmode = \"users\"\n", 1)
	})
	p = build(t, changed, w, days...)
	for _, d := range p.Days {
		if dw, rpt := d.Jobs[0], d.Jobs[1]; dw.Pending || rpt.Why != WhySQLChanged {
			t.Errorf("%s: DW pending %v, RPT why %q; want only the RPT job, for its SQL", d.Day, dw.Pending, rpt.Why)
		}
	}
	w.ran = nil
	if _, err := Apply(context.Background(), w, p, ApplyOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.ran, " "); got != "rpt_user_trace_data dw_user_trace_data@20210301 dw_user_trace_data@20210302 rpt_user_trace_data@20210301 rpt_user_trace_data@20210302" {
		t.Errorf("apply All ran %s, want the report table's alter (its columns' comments) and every job", got)
	}
}

// A partition fgen wrote when a fingerprint was the whole node file's,
// comments included, is as up to date as one with the script's; one with
// neither was written by other SQL.
func TestPlanTakesFileFingerprints(t *testing.T) {
	cfg := config(t, nil)
	days := []string{"20210301"}
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{"ods_user_trace_data/20210301": true}, clock: time.Date(2021, 3, 5, 0, 0, 0, 0, time.UTC)}
	if _, err := Apply(context.Background(), w, build(t, cfg, w, days...), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	for i := range proj.Nodes {
		n := &proj.Nodes[i]
		if p := w.written[n.Name+"/20210301"]; !p.Exists || p.Fingerprint != fingerprint(n) {
			t.Fatalf("%s: %+v, want the fingerprint %s", n.Name, p, fingerprint(n))
		}
	}
	rewrite := func(fp func(n *generator.Node) string) {
		for i := range proj.Nodes {
			n := &proj.Nodes[i]
			p := w.written[n.Name+"/20210301"]
			p.Fingerprint = fp(n)
			w.written[n.Name+"/20210301"] = p
		}
	}
	rewrite(func(n *generator.Node) string { return hash8(string(n.SQL)) })
	if p := build(t, cfg, w, days...); p.HasChanges() {
		t.Errorf("partitions with the file's fingerprints: the plan has changes:\n%s", planText(p))
	}
	// Written under parameters = "custom" (the business date ${bizdate}),
	// planned under "system": the same SQL a day runs.
	custom := config(t, func(s string) string { return strings.Replace(s, `parameters = "system"`, `parameters = "custom"`, 1) })
	customProj, err := generator.Render(custom, templates.FS(), generator.MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	rewrite(func(n *generator.Node) string {
		return fingerprint(&customProj.Nodes[slices.IndexFunc(customProj.Nodes, func(m generator.Node) bool { return m.Name == n.Name })])
	})
	if p := build(t, cfg, w, days...); p.HasChanges() {
		t.Errorf("partitions written under parameters = \"custom\", planned under \"system\": the plan has changes:\n%s", planText(p))
	}
	rewrite(func(*generator.Node) string { return "0123456789abcdef" })
	for _, j := range build(t, cfg, w, days...).Days[0].Jobs {
		if j.Why != WhySQLChanged {
			t.Errorf("%s with another fingerprint: why %q, want %q", j.Key(), j.Why, WhySQLChanged)
		}
	}
}

func planText(p *Plan) string {
	var b strings.Builder
	WriteText(&b, p)
	return b.String()
}

// localTables returns the tables as the local engine describes them after
// creating them from cfg: the partition columns last among the columns,
// marked.
func localTables(t *testing.T, cfg *models.Config) map[string]*warehouse.Table {
	out := liveTables(t, cfg)
	for _, tb := range out {
		for _, k := range tb.PartitionKeys {
			k.Partition = true
			tb.Columns = append(tb.Columns, k)
		}
		tb.PartitionKeys = nil
	}
	return out
}

// Where partitions are plain columns, the engine's marks say which they are:
// a partition funnel.toml renames is a changed partition naming the live
// one, not a dropped column; a dropped column is not a partition; a table
// without marks has its partition columns by funnel.toml's names.
func TestPlanLocalPartitionColumns(t *testing.T) {
	local := warehouse.Capabilities{Engine: "duckdb", PartitionColumn: true, LoadsODS: true}
	for _, tt := range []struct {
		name  string
		edit  func(string) string
		table string
		drift func(*warehouse.Table)
		want  []string // the table's problems, as "code: message"
	}{
		{"in sync", nil, "dw_user_trace_data", func(*warehouse.Table) {}, nil},
		{"partition renamed", func(s string) string {
			return strings.Replace(s, "comment = \"daily browse/click/purchase funnel\"\npartition = \"dt\"", "comment = \"daily browse/click/purchase funnel\"\npartition = \"ds\"", 1)
		}, "rpt_user_trace_data", func(*warehouse.Table) {}, []string{"partition_changed: live table is partitioned by (dt), funnel.toml says (ds)"}},
		{"column dropped", nil, "dw_user_trace_data", func(tb *warehouse.Table) {
			tb.Columns = append(tb.Columns, warehouse.Column{Name: "legacy", Type: "VARCHAR"})
		}, []string{"column_dropped: live column legacy is not in funnel.toml"}},
		{"no marks", nil, "dw_user_trace_data", func(tb *warehouse.Table) {
			for i := range tb.Columns {
				tb.Columns[i].Partition = false
			}
		}, nil},
		// An ODS table another tool created may have NOT NULL columns that
		// are not partitions: its partition column is the one funnel.toml
		// names.
		{"ODS with a NOT NULL column", nil, "ods_user_trace_data", func(tb *warehouse.Table) {
			for i := range tb.Columns {
				tb.Columns[i].Partition = tb.Columns[i].Name == "uid"
			}
		}, nil},
		// The ODS table fgen load created, whose partition column
		// funnel.toml renames (and the DW's with it, as validate wants):
		// its mark says which it is, as the DW's does.
		{"ODS partition renamed", func(s string) string {
			s = strings.Replace(s, "partition = \"dt\"                 #", "partition = \"ds\"                 #", 1)
			return strings.Replace(s, "comment = \"cleaned user trace events\"\npartition = \"dt\"", "comment = \"cleaned user trace events\"\npartition = \"ds\"", 1)
		}, "", func(*warehouse.Table) {}, []string{
			"partition_changed: the ODS table is partitioned by (dt), funnel.toml says (ds)",
			"partition_changed: live table is partitioned by (dt), funnel.toml says (ds)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			live := localTables(t, config(t, nil))
			if tt.table != "" {
				tt.drift(live[tt.table])
			}
			p := build(t, config(t, tt.edit), &fakeWarehouse{tables: live, caps: &local})
			var got []string
			for _, tc := range p.Tables {
				for _, pr := range tc.Problems {
					got = append(got, pr.Code+": "+pr.Message)
				}
				if tt.table != "" && tc.Table != tt.table && len(tc.Problems) > 0 {
					t.Errorf("%s has problems too", tc.Table)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// The report table's columns follow its funnel, which lists none: each fix
// of a report change says which stage, breakdown or setting to keep as it
// was, or to recreate the table with --allow-destructive, its rows being
// recomputed from the DW table; none sends the user to a columns list.
func TestPlanReportFixesNameTheFunnel(t *testing.T) {
	for _, tt := range []struct {
		name, old, new string
		code, fix      string // a problem of the report table
	}{
		{"breakdown added", "mode = \"events\"\nuser_column", "mode = \"events\"\nbreakdowns = [\"device_brand\"]\nuser_column",
			CodeColumnReordered, "keep the funnel's breakdowns as they were in funnel.toml (breakdown device_brand gives column device_brand, which the live table lacks)"},
		{"stage added", `  { name = "click",    events = ["click"] },`, "  { name = \"cart\", events = [\"cart\"] },\n  { name = \"click\",    events = [\"click\"] },",
			CodeColumnReordered, "(stage cart gives column cart, which the live table lacks)"},
		{"stage removed", `  { name = "click",    events = ["click"] },`, "",
			CodeColumnDropped, "keep stage click in funnel user_trace in funnel.toml"},
		{"rate format", `rate_format = "percent"`, `rate_format = "ratio"`,
			CodeColumnRetyped, `set rate_format = "percent" back under [funnels.report] of funnel user_trace`},
		{"count type", `count_type = "STRING"`, `count_type = "BIGINT"`,
			CodeColumnRetyped, `set count_type = "STRING" back under [funnels.report] of funnel user_trace`},
		{"stages swapped", "  { name = \"click\",    events = [\"click\"] },\n  { name = \"purchase\", events = [\"purchase\"] },",
			"  { name = \"purchase\", events = [\"purchase\"] },\n  { name = \"click\",    events = [\"click\"] },",
			CodeColumnReordered, "keep the funnel's breakdowns and stages as they were in funnel.toml"},
		{"partition", "comment = \"daily browse/click/purchase funnel\"\npartition = \"dt\"", "comment = \"daily browse/click/purchase funnel\"\npartition = \"ds\"",
			CodePartitionChanged, `set partition = "dt" back under [funnels.report] of funnel user_trace`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(t, func(s string) string {
				if !strings.Contains(s, tt.old) {
					t.Fatalf("%q is not in funnel.toml", tt.old)
				}
				return strings.Replace(s, tt.old, tt.new, 1)
			})
			tc := build(t, cfg, &fakeWarehouse{tables: liveTables(t, config(t, nil))}).Tables[2]
			found := false
			for _, p := range tc.Problems {
				if p.Code == tt.code && strings.Contains(p.Fix, tt.fix) {
					found = true
				}
				if !strings.Contains(p.Fix, "or run apply with --allow-destructive to recreate rpt_user_trace_data (its rows are recomputed from dw_user_trace_data") ||
					strings.Contains(p.Fix, "columns in funnel.toml") || strings.Contains(p.Fix, "back to funnel.toml") || strings.Contains(p.Fix, "order in funnel.toml") {
					t.Errorf("%s: fix %q; want one that keeps the funnel as it was, or recreates the report table", p.Code, p.Fix)
				}
			}
			if tc.Table != "rpt_user_trace_data" || !found {
				t.Errorf("%s problems %+v; want %s with a fix that says %q", tc.Table, tc.Problems, tt.code, tt.fix)
			}
			// The columns a new breakdown or stage moves are one problem.
			moved := 0
			for _, p := range tc.Problems {
				if p.Code == CodeColumnReordered && !strings.Contains(p.Message, "is not last") {
					moved++
				}
			}
			if moved > 1 {
				t.Errorf("%d problems of moved columns: %+v", moved, tc.Problems)
			}
			if tt.name == "stages swapped" && !slices.ContainsFunc(tc.Problems, func(p Problem) bool {
				return strings.Contains(p.Message, "(live→funnel.toml): purchase 3→2, click 2→3")
			}) {
				t.Errorf("the moved columns, each with its positions: %+v", tc.Problems)
			}
		})
	}
}

// jobTablesWarehouse is a fakeWarehouse whose notes name tables a project's
// jobs wrote (warehouse.JobTables), some since dropped.
type jobTablesWarehouse struct {
	*fakeWarehouse
	noted []string
}

// JobTables returns, as the engines do, the noted tables that exist but
// for those skip says.
func (w *jobTablesWarehouse) JobTables(_ context.Context, _ string, skip func(string) bool) ([]string, error) {
	var out []string
	for _, name := range w.noted {
		if _, ok := w.tables[name]; ok && !skip(name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// Plan names the noted tables funnel.toml no longer defines that still
// exist: not the project's own, not one dropped since.
func TestPlanFormerTables(t *testing.T) {
	cfg := config(t, nil)
	w := &jobTablesWarehouse{fakeWarehouse: &fakeWarehouse{tables: liveTables(t, cfg)},
		noted: []string{"rpt_user_trace_data", "rpt_old", "rpt_dropped", "dw_user_trace_data"}}
	w.tables["rpt_old"] = &warehouse.Table{Name: "rpt_old"}
	if p := build(t, cfg, w); !slices.Equal(p.Former, []string{"rpt_old"}) {
		t.Errorf("former tables %v, want [rpt_old]", p.Former)
	}
}

// An incomplete apply names, after its first cause, every day with a job
// to apply again: failed, skipped, or not run (interrupted).
func TestPartialErrorNamesTheDays(t *testing.T) {
	jobs := []JobResult{{Name: "dw", Kind: "ddl", Status: "applied"}}
	for i, status := range []string{"applied", "failed", "skipped", "not_run", "not_run", "up_to_date", "skipped", "skipped", "skipped", "skipped"} {
		jobs = append(jobs, JobResult{Name: "rpt", Kind: "node", Day: fmt.Sprintf("202103%02d", i+1), Status: status})
	}
	err := &PartialError{Result: &Result{Jobs: jobs}, Cause: errors.New("20210302: boom")}
	want := "apply incomplete: 2 applied, 1 failed, 5 skipped, 2 not run: 20210302: boom; the days with jobs failed, skipped or not run: 20210302..20210305, 20210307..20210310"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	// A month of days skipped one in two: the first ten runs, and how many
	// days more.
	jobs = nil
	for d := 1; d <= 31; d += 2 {
		jobs = append(jobs, JobResult{Name: "rpt", Kind: "node", Day: fmt.Sprintf("202103%02d", d), Status: "skipped"})
	}
	err = &PartialError{Result: &Result{Jobs: jobs}, Cause: errors.New("20210301: no ODS")}
	if want := "20210301, 20210303, 20210305, 20210307, 20210309, 20210311, 20210313, 20210315, 20210317, 20210319 and 6 more"; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("err = %q, want it to end %q", err, want)
	}
	// One day interrupted: the cause does not name it, the error does.
	jobs = []JobResult{{Name: "dw", Kind: "node", Day: "20210402", Status: "applied"}, {Name: "rpt", Kind: "node", Day: "20210402", Status: "not_run"}}
	err = &PartialError{Result: &Result{Jobs: jobs}, Cause: errors.New("interrupted (interrupt signal received)")}
	if want := "apply incomplete: 1 applied, 0 failed, 0 skipped, 1 not run: interrupted (interrupt signal received); the day with jobs failed, skipped or not run: 20210402"; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
}

// ApplyRuns gives an apply of each run of successive days, at most three,
// and how many runs it leaves out.
func TestApplyRuns(t *testing.T) {
	for _, tc := range []struct {
		days []string
		want string
	}{
		{nil, ""},
		{[]string{"20210228", "20210301"}, "'fgen apply --from 20210228 --to 20210301'"},
		{[]string{"20210301", "20210303", "20210305", "20210306", "20210308", "20210310"},
			"'fgen apply --bizdate 20210301', 'fgen apply --bizdate 20210303', 'fgen apply --from 20210305 --to 20210306' (and 2 more runs of days)"},
	} {
		if got := ApplyRuns(tc.days, nil); got != tc.want {
			t.Errorf("ApplyRuns(%v) = %q, want %q", tc.days, got, tc.want)
		}
	}
}

// A switch of [dataworks] parameters between "system" and "custom" writes
// the business date otherwise (${bdp.system.bizdate}, ${bizdate}) and
// changes no SQL a day runs: a partition written under either is the
// node's under the other, in both dialects (the local one pads the
// column the date goes into, so the scripts differ by more than the name).
func TestFingerprintsAcrossParameters(t *testing.T) {
	for _, file := range []string{"../../funnel.toml", "../../generator/testdata/configs/modes.toml", "../../generator/testdata/configs/hourly.toml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []generator.Dialect{generator.MaxCompute, generator.DuckDB} {
			render := func(params string) (*models.Config, *generator.Project) {
				cfg, err := models.Parse(file, data)
				if err != nil {
					t.Fatal(err)
				}
				cfg.DataWorks.Parameters = params
				proj, err := generator.Render(cfg, templates.FS(), d)
				if err != nil {
					t.Fatal(err)
				}
				return cfg, proj
			}
			for _, was := range []string{"system", "custom"} {
				now := map[string]string{"system": "custom", "custom": "system"}[was]
				_, before := render(was)
				cfg, proj := render(now)
				dp := &dayPlanner{in: Input{Config: cfg, Project: proj}}
				for i := range proj.Nodes {
					n := &proj.Nodes[i]
					old := fingerprint(&before.Nodes[i])
					if !dp.fingerprints(n).wrote(old) {
						t.Errorf("%s, %s: %s written under parameters = %q is not the node's under %q", file, d, n.Name, was, now)
					}
					if dp.fingerprints(n).wrote(hash8("other SQL")) {
						t.Errorf("%s, %s: %s takes any fingerprint", file, d, n.Name)
					}
				}
			}
		}
	}
}
