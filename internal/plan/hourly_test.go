package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

func hourlyConfig(t *testing.T) *models.Config { return testConfig(t, "hourly.toml") }

// testConfig loads the generator's test config name (modes.toml, ...).
func testConfig(t *testing.T, name string) *models.Config {
	t.Helper()
	cfg, err := models.Load("../../generator/testdata/configs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// odsHours marks the given hours of day as present in the ODS table.
func odsHours(parts map[string]bool, day string, hours ...string) {
	for _, h := range hours {
		parts["ods_events/"+day+"/"+h] = true
	}
}

// A day of an hourly ODS table is ready only when its 24 hour partitions
// exist; the plan says which hours are missing, and apply runs nothing of
// that day.
func TestPlanHourlyUpstream(t *testing.T) {
	cfg := hourlyConfig(t)
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{}}
	odsHours(w.partitions, "20261130", bizdate.Hours...)
	var some []string
	for _, h := range bizdate.Hours {
		if h != "07" && h < "13" {
			some = append(some, h)
		}
	}
	odsHours(w.partitions, "20261201", some...)
	// 20261202: no hour at all; 20261203: every hour but the last.
	odsHours(w.partitions, "20261203", bizdate.Hours[:23]...)
	p := build(t, cfg, w, "20261130", "20261201", "20261202", "20261203")

	ready := map[string]bool{}
	for _, d := range p.Days {
		ready[d.Day] = d.UpstreamReady
	}
	if !ready["20261130"] || ready["20261201"] || ready["20261202"] || ready["20261203"] {
		t.Errorf("upstream ready = %v; want only 20261130", ready)
	}
	want := map[string]string{
		"20261201": "ods_events dt=20261201: hours 07, 13-23 missing",
		"20261202": "ods_events dt=20261202: hours 00-23 missing",
		"20261203": "ods_events dt=20261203: hour 23 missing",
	}
	for _, d := range p.Days[1:] {
		if got := d.MissingText(); got != want[d.Day] {
			t.Errorf("%s: missing %q, want %q", d.Day, got, want[d.Day])
		}
	}
	if got := p.Days[1].Missing; len(got) != 12 || got[0] != "ods_events/dt=20261201/hh=07" || got[1] != "ods_events/dt=20261201/hh=13" {
		t.Errorf("missing partitions %v", got)
	}
	var text bytes.Buffer
	WriteText(&text, p)
	if !strings.Contains(text.String(), "! 20261201  upstream partition missing: ods_events dt=20261201: hours 07, 13-23 missing; its jobs will not run") ||
		!strings.Contains(text.String(), ", 0 up to date, 3 waiting for upstream partitions, which apply skips.") {
		t.Errorf("plan text:\n%s", text.String())
	}

	res, err := Apply(context.Background(), w, p, ApplyOptions{Parallel: 1})
	var pe *PartialError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "hours 07, 13-23 missing") {
		t.Fatalf("err = %v, want a PartialError naming the missing hours", err)
	}
	for _, j := range res.Jobs {
		if j.Kind == "node" && j.Day != "20261130" && j.Status != "skipped" {
			t.Errorf("%s for %s hour %q: %s, want skipped", j.Name, j.Day, j.Hour, j.Status)
		}
	}
	if want := "day 20261201: upstream ods_events dt=20261201: hours 07, 13-23 missing; load them, then apply again"; !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "missing is missing") {
		t.Errorf("err = %v, want it to say %q", err, want)
	}
}

// With an hourly DW, a day's jobs are the DW node for each hour, the daily
// report (which needs every hour of the DW), and each hourly report for
// each hour (which needs its hour of the DW).
func TestPlanHourlyJobs(t *testing.T) {
	cfg := hourlyConfig(t)
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{}}
	odsHours(w.partitions, "20261201", bizdate.Hours...)
	p := build(t, cfg, w, "20261201")
	d := p.Days[0]
	if !d.UpstreamReady || len(d.Jobs) != 24+1+24+24 {
		t.Fatalf("ready %v, %d jobs; want 73", d.UpstreamReady, len(d.Jobs))
	}
	byKey := map[string]*Job{}
	for _, j := range d.Jobs {
		byKey[j.Key()] = j
		if !j.Pending || j.Why != WhyMissing {
			t.Errorf("%s: pending %v (%s), want missing", j.Key(), j.Pending, j.Why)
		}
	}
	dw := byKey["dw_events@20261201/07"]
	if dw == nil || dw.Hour != "07" || dw.Written().String() != "dt=20261201/hh=07" || len(dw.Needs) != 0 {
		t.Fatalf("DW job of hour 07: %+v", dw)
	}
	if sql := dw.Text(); !strings.Contains(sql, "PARTITION (`dt` = '20261201', `hh` = '07')") || !strings.Contains(sql, "WHERE `dt` = '20261201' AND `hh` = '07'") {
		t.Errorf("DW job of hour 07:\n%s", sql)
	}
	daily := byKey["rpt_daily_events@20261201"]
	var dwHours []string
	for _, h := range bizdate.Hours {
		dwHours = append(dwHours, "dw_events@20261201/"+h)
	}
	if daily == nil || !slices.Equal(daily.Needs, dwHours) {
		t.Fatalf("daily report job needs %v, want every hour of the DW", daily)
	}
	users := byKey["rpt_hourly_users@20261201/23"]
	if users == nil || !slices.Equal(users.Needs, []string{"dw_events@20261201/23"}) || users.Written().String() != "dt=20261201/hour=23" {
		t.Fatalf("hourly report job of hour 23: %+v", users)
	}
	var text bytes.Buffer
	WriteText(&text, p)
	for _, want := range []string{
		"> 20261201  dw_events (hours 00-23) -> rpt_daily_events -> rpt_hourly_ordered (hours 00-23) -> rpt_hourly_users (hours 00-23)",
		"dw_events hours 00-23: dw_events/dt=20261201/hh=00 does not exist; likewise for the 23 other hours",
		"rpt_daily_events: rpt_daily_events/dt=20261201 does not exist",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("plan text lacks %q:\n%s", want, text.String())
		}
	}
	data, err := json.Marshal(p.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"name":"dw_events","kind":"node","day":"20261201","hour":"00"`) {
		t.Errorf("plan JSON has no hour on the hourly jobs: %.400s", data)
	}

	// Apply runs the DW hours first, then the reports; a failed DW hour
	// skips the daily report and that hour's reports only.
	w.fail = map[string]error{"dw_events@20261201/05": errors.New("ODPS-0130071: boom")}
	res, err := Apply(context.Background(), w, p, ApplyOptions{Parallel: 1})
	if err == nil {
		t.Fatal("no error")
	}
	status := map[string]string{}
	for _, j := range res.Jobs {
		key := j.Name + "@" + j.Day
		if j.Hour != "" {
			key += "/" + j.Hour
		}
		status[key] = j.Status
	}
	for key, want := range map[string]string{
		"dw_events@20261201/04": "applied", "dw_events@20261201/05": "failed", "dw_events@20261201/06": "applied",
		"rpt_daily_events@20261201":    "skipped",
		"rpt_hourly_users@20261201/05": "skipped", "rpt_hourly_ordered@20261201/05": "skipped",
		"rpt_hourly_users@20261201/06": "applied", "rpt_hourly_ordered@20261201/04": "applied",
	} {
		if status[key] != want {
			t.Errorf("%s: %s, want %s", key, status[key], want)
		}
	}
	if i, j := slices.Index(w.ran, "dw_events@20261201/23"), slices.Index(w.ran, "rpt_hourly_users@20261201/00"); i < 0 || j < i {
		t.Errorf("ran %v: every DW hour should run before the reports", w.ran)
	}

	// Applied, the hours are up to date; a reloaded ODS hour makes that
	// hour's DW job stale, and the jobs that read it pending after it.
	w.fail = nil
	if _, err := Apply(context.Background(), w, build(t, cfg, w, "20261201"), ApplyOptions{Parallel: 1}); err != nil {
		t.Fatal(err)
	}
	p = build(t, cfg, w, "20261201")
	if p.HasChanges() {
		t.Fatalf("after apply, still pending:\n%s", planText(p))
	}
	w.clock = w.clock.Add(1e9)
	w.written["ods_events/20261201/09"] = warehouse.Partition{Exists: true, Modified: w.clock, Bytes: 10}
	p = build(t, cfg, w, "20261201")
	var pending []string
	for _, j := range p.Days[0].Jobs {
		if j.Pending {
			pending = append(pending, fmt.Sprintf("%s:%s", j.Key(), j.Why))
		}
	}
	want := []string{"dw_events@20261201/09:stale_input", "rpt_daily_events@20261201:upstream", "rpt_hourly_ordered@20261201/09:upstream", "rpt_hourly_users@20261201/09:upstream"}
	if !slices.Equal(pending, want) {
		t.Errorf("pending after reloading hour 09: %v\nwant %v", pending, want)
	}
}

// dayLister is a warehouse.DayLister over a fakeWarehouse: it answers
// DayPartitions from Partition, and counts its calls and Partition's.
type dayLister struct {
	*probeCounter
	lists map[string]int // table, by hour column
}

func (l *dayLister) DayPartitions(ctx context.Context, table, col, hourCol string, days []string) (map[string]warehouse.Partition, error) {
	l.lists[table+" by "+hourCol]++
	out := map[string]warehouse.Partition{}
	for _, day := range days {
		for _, s := range warehouse.DaySpecs(col, hourCol, day) {
			if p, _ := l.fakeWarehouse.Partition(ctx, table, s); p.Exists {
				out[s.Value()] = p
			}
		}
	}
	return out, nil
}

// On a warehouse that lists a table's days at once, the plan asks once per
// table (and shape of partition) instead of once per partition, 24 a day
// for an hourly table, and plans what it plans from one probe each.
func TestPlanListsDaysAtOnce(t *testing.T) {
	cfg := hourlyConfig(t)
	days := []string{"20261130", "20261201", "20261202"}
	parts := map[string]bool{}
	odsHours(parts, "20261130", bizdate.Hours...)
	odsHours(parts, "20261201", bizdate.Hours[:20]...)
	written := map[string]warehouse.Partition{
		"dw_events/20261130/05":        {Exists: true, Modified: time.Unix(1, 0), Bytes: -1, Fingerprint: "old"},
		"rpt_hourly_users/20261130/05": {Exists: true, Modified: time.Unix(2, 0), Bytes: -1},
		"rpt_daily_events/20261130":    {Exists: true, Modified: time.Unix(3, 0), Bytes: -1},
	}
	plans := map[bool]*Plan{}
	var lister *dayLister
	for _, lists := range []bool{false, true} {
		fw := &fakeWarehouse{tables: liveTables(t, cfg), partitions: parts, written: written}
		var w warehouse.Warehouse = &probeCounter{fw, map[string]int{}}
		if lists {
			lister = &dayLister{w.(*probeCounter), map[string]int{}}
			w = lister
		}
		proj, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
		if err != nil {
			t.Fatal(err)
		}
		if plans[lists], err = Build(context.Background(), w, Input{Target: "prod", Config: cfg, Project: proj, Days: days}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := json.Marshal(plans[false].Days)
	b, _ := json.Marshal(plans[true].Days)
	if !bytes.Equal(a, b) {
		t.Errorf("the plan differs with DayPartitions:\n%s\nwithout:\n%s", b, a)
	}
	for k, n := range lister.lists {
		if n != 1 {
			t.Errorf("%s listed %d times, want once", k, n)
		}
	}
	if len(lister.lists) < 4 {
		t.Errorf("listed %v, want each table listed", lister.lists)
	}
	for k, n := range lister.probes {
		if day := strings.SplitN(strings.SplitN(k, "/", 2)[1], "/", 2)[0]; slices.Contains(days, day) {
			t.Errorf("%s probed %d times, though its day was listed", k, n)
		}
	}
}

// tablesDescriber is a warehouse.TablesDescriber over a fakeWarehouse,
// which counts its calls and fails Describe.
type tablesDescriber struct {
	*fakeWarehouse
	calls int
}

func (d *tablesDescriber) Describe(context.Context, string) (*warehouse.Table, error) {
	return nil, errors.New("Describe called")
}

func (d *tablesDescriber) DescribeTables(ctx context.Context, names []string) (map[string]*warehouse.Table, error) {
	d.calls++
	out := map[string]*warehouse.Table{}
	for _, n := range names {
		if t, err := d.fakeWarehouse.Describe(ctx, n); err == nil {
			out[n] = t
		}
	}
	return out, nil
}

// On a warehouse that describes tables at once, the plan describes its
// tables in one call, and plans what it plans from Describe.
func TestPlanDescribesTablesAtOnce(t *testing.T) {
	cfg := hourlyConfig(t)
	live := liveTables(t, cfg)
	delete(live, "rpt_hourly_users") // to be created
	plain := build(t, cfg, &fakeWarehouse{tables: live, partitions: map[string]bool{}})
	d := &tablesDescriber{fakeWarehouse: &fakeWarehouse{tables: live, partitions: map[string]bool{}}}
	at := build(t, cfg, d)
	a, _ := json.Marshal(plain.Tables)
	b, _ := json.Marshal(at.Tables)
	if !bytes.Equal(a, b) || d.calls != 1 {
		t.Errorf("%d calls; the tables planned with DescribeTables:\n%s\nwith Describe:\n%s", d.calls, b, a)
	}
}

// A table's change does not hide that rows are out of date: an hourly DW
// table to be altered whose hour 05 of ODS rows was loaded again keeps
// that hour's reason apart, in the job (DataWhy) and in plan's text.
func TestTableChangeKeepsAnHoursDataReason(t *testing.T) {
	cfg := hourlyConfig(t)
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{}, clock: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}
	odsHours(w.partitions, "20261201", bizdate.Hours...)
	if _, err := Apply(context.Background(), w, build(t, cfg, w, "20261201"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	dropLastColumn(w.tables["dw_events"]) // for apply to add
	w.written["ods_events/20261201/05"] = warehouse.Partition{Exists: true, Modified: w.clock.Add(time.Second / 2), Bytes: 1 << 20}
	p := build(t, cfg, w, "20261201")
	for _, j := range p.Days[0].Jobs {
		if j.Name == "dw_events" && j.Why != WhyTable || (j.DataWhy == WhyStale) != (j.Name == "dw_events" && j.Hour == "05") {
			t.Errorf("%s: why %s, data why %q (%s)", j.Key(), j.Why, j.DataWhy, j.DataReason)
		}
	}
	if text := planText(p); !strings.Contains(text, "hour 05: its table is to be altered, and ods_events/dt=20261201/hh=05 changed after it was written") {
		t.Errorf("plan does not say hour 05 apart:\n%s", text)
	}
}

// dropLastColumn takes a live table's last column away: a column the plan
// is to add (Alter).
func dropLastColumn(t *warehouse.Table) { t.Columns = t.Columns[:len(t.Columns)-1] }

// An alter that adds no column (a comment, a lifecycle) changes no row:
// the tables are altered, and no job runs for it, where fgen knows the SQL
// that wrote the partitions.
func TestCommentChangeRunsNoJob(t *testing.T) {
	cfg := config(t, nil)
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{"ods_user_trace_data/20210301": true}, clock: time.Date(2021, 3, 5, 0, 0, 0, 0, time.UTC)}
	if _, err := Apply(context.Background(), w, build(t, cfg, w, "20210301"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	w.tables["dw_user_trace_data"].Comment = "old"
	w.tables["dw_user_trace_data"].Columns[0].Comment = "old"
	w.tables["rpt_user_trace_data"].Comment = "old"
	p := build(t, cfg, w, "20210301")
	altered := 0
	for _, tb := range p.Tables {
		if tb.Action == Alter {
			altered++
		}
	}
	if altered != 2 {
		t.Errorf("%d tables to alter, want 2:\n%s", altered, planText(p))
	}
	for _, j := range p.Days[0].Jobs {
		if j.Pending {
			t.Errorf("%s pending: %s %s", j.Key(), j.Why, j.Reason)
		}
	}
	// Partitions whose SQL fgen does not know (the DataWorks scheduler
	// wrote them): the alter may be all that shows of a change of their
	// rows (a mode changed alters the stage columns' comments), so their
	// jobs run.
	for k, wp := range w.written {
		wp.Fingerprint = ""
		w.written[k] = wp
	}
	for _, j := range build(t, cfg, w, "20210301").Days[0].Jobs {
		if !j.Pending || j.Why != WhyTable {
			t.Errorf("%s without a fingerprint: pending %v, why %s", j.Key(), j.Pending, j.Why)
		}
	}
}

// An upstream job pending only for its table's change is no reason for the
// rows of a job downstream, nor is anything for a table to be created.
func TestUpstreamTableChangeIsNoDataReason(t *testing.T) {
	cfg := config(t, nil)
	w := &fakeWarehouse{tables: liveTables(t, cfg), partitions: map[string]bool{"ods_user_trace_data/20210301": true}, clock: time.Date(2021, 3, 5, 0, 0, 0, 0, time.UTC)}
	if _, err := Apply(context.Background(), w, build(t, cfg, w, "20210301"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	dropLastColumn(w.tables["dw_user_trace_data"])
	dropLastColumn(w.tables["rpt_user_trace_data"])
	for _, drop := range []bool{false, true} {
		if drop {
			delete(w.tables, "rpt_user_trace_data")
		}
		for _, j := range build(t, cfg, w, "20210301").Days[0].Jobs {
			if j.Why != WhyTable || j.DataWhy != "" {
				t.Errorf("report table dropped %v: %s: why %s, data why %q (%s)", drop, j.Key(), j.Why, j.DataWhy, j.DataReason)
			}
		}
	}
}

// The hours of a node pending for one reason say it once ("hours 00-23:
// its table is to be created, likewise for the 23 other hours" read as if
// there were 47); hours whose reasons differ in their partition say the
// first and how many more.
func TestHourGroupReason(t *testing.T) {
	same := jobGroup{{Reason: "its table is to be created"}, {Reason: "its table is to be created"}}
	if got := same.reason(); got != "its table is to be created" {
		t.Errorf("same reasons: %q", got)
	}
	differ := jobGroup{{Reason: "dw/dt=1/hh=00 does not exist"}, {Reason: "dw/dt=1/hh=01 does not exist"}}
	if got := differ.reason(); got != "dw/dt=1/hh=00 does not exist; likewise for the other hour" {
		t.Errorf("differing reasons: %q", got)
	}
}
