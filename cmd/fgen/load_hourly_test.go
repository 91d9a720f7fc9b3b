package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/duckdb"
)

// fgen load on a local target of the golden hourly config: each row gives
// its hour; a bad or missing one fails the load, which keeps nothing; a
// loaded day has its 24 hour partitions, so plan runs every hour of it.
func TestLoadHourlyODS(t *testing.T) {
	dir := localProject(t, "../../generator/testdata/configs/hourly.toml")
	write := func(name, rows string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(rows), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.jsonl", `{"md5":"a","uid":"u1","event":"view","ts":1614736800,"device":"ios","dt":"20210303","hh":"10"}
{"md5":"b","uid":"u1","event":"buy","ts":1614736900,"device":"ios","dt":"20210303","hh":"10"}
`)
	write("bad.jsonl", `{"md5":"c","uid":"u2","event":"view","ts":1614736800,"dt":"20210303","hh":"24"}
`)
	write("nohour.csv", "md5,uid,event,ts\nd,u3,view,1614736800\n")
	for file, want := range map[string]string{
		"bad.jsonl":  `fgen: load: bad.jsonl:1: hh "24"; an hour partition value is two digits from 00 to 23; nothing was loaded`,
		"nohour.csv": `fgen: load: nohour.csv:2: no hh value; ods_events is partitioned by hour: give every row its hour, 00 to 23, or load one hour's file with --bizdate yyyymmdd --hour HH; nothing was loaded`,
	} {
		r := fgen(t, dir, nil, "load", "-q", "--bizdate", "20210303", file)
		if r.code != 1 || strings.TrimSpace(r.stderr) != want {
			t.Errorf("load %s: exit %d, stderr %q, want %q", file, r.code, r.stderr, want)
		}
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); !strings.Contains(r.stdout, "ods_events dt=20210303: hours 00-23 missing") {
		t.Errorf("plan after failed loads: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "good.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "loaded 2 rows") {
		t.Fatalf("load: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || !strings.Contains(r.stdout, "dw_events (hours 00-23)") {
		t.Errorf("plan after the load: %+v", r)
	}
	// Rows appended to one hour change that hour alone: its jobs run again,
	// not every hour's for "hh=00 changed".
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	write("more.jsonl", `{"md5":"e","uid":"u4","event":"view","ts":1614754800,"device":"ios","dt":"20210303","hh":"15"}
`)
	if r := fgen(t, dir, nil, "load", "--append", "more.jsonl"); r.code != 0 {
		t.Fatalf("load --append: %+v", r)
	}
	r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, "ods_events/dt=20210303/hh=15 changed after it was written") || strings.Contains(r.stdout, "hh=00") {
		t.Errorf("plan after appending to hour 15: %+v", r)
	}
	// A day appended hour by hour waits for all 24; a quiet hour, with no
	// rows, lands with --hour and an empty file.
	var day strings.Builder
	for h := range 23 {
		fmt.Fprintf(&day, `{"md5":"h%[1]d","uid":"u6","event":"view","ts":%[2]d,"device":"ios","dt":"20210309","hh":"%02[1]d"}`+"\n", h, 1615219200+h*3600)
	}
	write("hours.jsonl", day.String())
	write("empty.jsonl", "")
	if r := fgen(t, dir, nil, "load", "--append", "hours.jsonl"); r.code != 0 {
		t.Fatalf("load --append of 23 hours: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210309"); !strings.Contains(r.stdout, "ods_events dt=20210309: hour 23 missing") {
		t.Errorf("plan of a day without hour 23: %+v", r)
	}
	// A plan of no days does not name it among the days loaded to apply:
	// its apply would skip it.
	if r := fgen(t, dir, nil, "plan"); strings.Contains(r.stdout, "20210309") {
		t.Errorf("plan of no days names a day without hour 23: %+v", r)
	}
	// report says so too, not that the day has no partition at all.
	if r := fgen(t, dir, nil, "report", "--bizdate", "20210309"); r.code != 0 || !strings.Contains(r.stderr, "; 20210309 lacks hour partitions of ods_events ('fgen plan --bizdate 20210309' names them): load them first\n") {
		t.Errorf("report of a day without hour 23: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "--append", "--bizdate", "20210309", "--hour", "23", "hours.jsonl"); r.code != 1 || !strings.Contains(r.stderr, `hours.jsonl:1: hh "00", not 23: --hour 23 loads that hour alone`) {
		t.Errorf("load --hour 23 of other hours' rows: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "--hour", "23", "empty.jsonl"); r.code != 1 || !strings.Contains(r.stderr, "--hour loads one hour of a day: give --bizdate too") {
		t.Errorf("load --hour without --bizdate: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210309", "--hour", "23", "empty.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "ods_events/dt=20210309/hh=23 holds no rows: a quiet hour, as the files had none for it") || strings.Contains(r.stderr, "warning") {
		t.Fatalf("load --hour 23 of no rows: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210309"); r.code != 2 || strings.Contains(r.stdout, "missing") || !strings.Contains(r.stdout, "dw_events (hours 00-23)") {
		t.Errorf("plan after the quiet hour landed: %+v", r)
	}
	// Rows without a day or an hour (an hourly export without them) go to
	// the day and hour given, as --bizdate fills a missing day.
	write("nohour.jsonl", `{"md5":"n1","uid":"u7","event":"view","ts":1615298400,"device":"ios"}`+"\n")
	if r := fgen(t, dir, nil, "load", "--append", "--bizdate", "20210309", "--hour", "22", "nohour.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "appended to ods_events/dt=20210309/hh=22: 1 row before, 2 now") {
		t.Errorf("load --append --hour 22 of rows without an hour: %+v", r)
	}
	if got := hourRows(t, dir, "ods_events", "20210309", "22"); got != "h22 n1" {
		t.Errorf("the rows of hour 22: %s, want h22 n1", got)
	}
	// An hour's export loaded again, without --append, replaces that hour
	// alone, as often as it is loaded: --append would double its rows.
	write("hour22.jsonl", `{"md5":"r1","uid":"u7","event":"view","ts":1615298400,"device":"ios"}`+"\n"+`{"md5":"r2","uid":"u8","event":"view","ts":1615298401,"device":"ios"}`+"\n")
	for range 2 {
		if r := fgen(t, dir, nil, "load", "--bizdate", "20210309", "--hour", "22", "hour22.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "loaded 2 rows into ods_events/dt=20210309/hh=22 in ") || !strings.Contains(r.stdout, "replaced ods_events/dt=20210309/hh=22: 2 rows before, 2 now\n") {
			t.Errorf("load --hour 22 without --append: %+v", r)
		}
	}
	if got := hourRows(t, dir, "ods_events", "20210309", "22"); got != "r1 r2" {
		t.Errorf("the rows of hour 22 replaced: %s, want r1 r2", got)
	}
	if got := hourRows(t, dir, "ods_events", "20210309", "21"); got != "h21" {
		t.Errorf("the rows of hour 21 after hour 22 was replaced: %s, want h21", got)
	}
	// An hour replaced with fewer than half its rows is refused, as a day.
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210309", "--hour", "22", "empty.jsonl"); r.code != 3 || !strings.Contains(r.stderr, "it would replace the partition ods_events/dt=20210309/hh=22 (2 rows) with 0, fewer than half: a load with --hour replaces that hour (to add to it, load with --append)") {
		t.Errorf("load --hour 22 of no rows over 2: %+v", r)
	}
	if got := hourRows(t, dir, "ods_events", "20210309", "22"); got != "r1 r2" {
		t.Errorf("the rows of hour 22 after a refused load: %s, want r1 r2", got)
	}
	// The day loaded again with hours 00-14 only: six of the eight hours
	// it empties are named, the other two counted.
	var fewer strings.Builder
	for h := range 15 {
		fmt.Fprintf(&fewer, `{"md5":"f%[1]d","uid":"u6","event":"view","ts":%[2]d,"device":"ios","dt":"20210309","hh":"%02[1]d"}`+"\n", h, 1615219200+h*3600)
	}
	write("fewer.jsonl", fewer.String())
	if r := fgen(t, dir, nil, "load", "--allow-destructive", "fewer.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "emptied ods_events/dt=20210309/hh=20: 1 row before\nand 2 more hours emptied\n") {
		t.Errorf("load of fewer hours: %+v", r)
	}
}

// An hour partition added to a table that exists: plan of a day says the
// table is to be recreated (exit 3), where it once failed probing the new
// hour partitions of a table that has none ("column hh not found"), and
// apply --allow-destructive recreates it and runs the day's 24 hours.
func TestPlanHourPartitionAdded(t *testing.T) {
	dir := localProject(t, "../../generator/testdata/configs/hourly_ods.toml")
	path := filepath.Join(dir, "funnel.toml")
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("md5,uid,event,ts,dt,hh\nm1,u1,view,1,20210303,01\n"), 0o644)
	for _, args := range [][]string{{"load", "a.csv"}, {"apply", "--bizdate", "20210303"}} {
		if r := fgen(t, dir, nil, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	data, _ := os.ReadFile(path)
	hourly := strings.Replace(string(data), "name = \"dw_events\"\n", "name = \"dw_events\"\nhour_partition = \"hh\"\n", 1)
	if hourly == string(data) {
		t.Fatal("no dw_events table in the config")
	}
	os.WriteFile(path, []byte(hourly), 0o644)
	r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if r.code != 3 || !strings.Contains(r.stdout, "[partition_changed] live table is partitioned by (dt), funnel.toml says (dt, hh)") ||
		!strings.Contains(r.stdout, "dw_events hours 00-23: its table is to be recreated (--allow-destructive)\n") {
		t.Fatalf("plan: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--allow-destructive", "--yes"); r.code != 0 || !strings.Contains(r.stdout, "26 applied") {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 0 {
		t.Errorf("plan after apply: %+v", r)
	}
}

// The hour partition column of the ODS table fgen load created, renamed
// in funnel.toml: plan names the live column as the table's hour
// partition, not as a column funnel.toml dropped.
func TestPlanHourPartitionRenamed(t *testing.T) {
	dir := localProject(t, "../../generator/testdata/configs/hourly.toml")
	path := filepath.Join(dir, "funnel.toml")
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"md5":"a","uid":"u1","event":"view","ts":1614736800,"device":"ios","dt":"20210303","hh":"10"}`+"\n"), 0o644)
	if r := fgen(t, dir, nil, "load", "a.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	for range 2 { // the ODS table's, and the DW table's with it
		replaceInFile(t, path, "hour_partition = \"hh\"", "hour_partition = \"hr\"")
	}
	r := fgen(t, dir, nil, "plan")
	if !strings.Contains(r.stdout, "[partition_changed] the ODS table is partitioned by (dt, hh), funnel.toml says (dt, hr)") || strings.Contains(r.stdout, "column_dropped") {
		t.Errorf("plan: %+v", r)
	}
}

// localTarget is a config's local target, as the shipped funnel.toml has it.
const localTarget = "\n[targets.local]\nengine = \"duckdb\"\npath = \".fgen/local.duckdb\"\n"

// localProject makes a temporary directory holding the config at path
// with a local target added.
func localProject(t *testing.T, path string) string {
	t.Helper()
	dir := projectWith(t, path)
	appendToFile(t, filepath.Join(dir, "funnel.toml"), localTarget)
	return dir
}

// A cross_midnight funnel over an hourly ODS table: plan of a day says
// when the next day, which its report reads, has landed but is not
// applied, and when its ODS rows changed after the next day's DW rows were
// written, by the hour, as of a daily ODS table.
func TestHourlyODSNextDay(t *testing.T) {
	for _, tt := range []struct{ name, dw, spec string }{
		{"hourly DW", "name = \"dw_events\"\nhour_partition = \"hh\"\n", "dt=20210304/hh=00"},
		{"daily DW", "name = \"dw_events\"\n", "dt=20210304"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := localProject(t, "../../generator/testdata/configs/hourly_ods.toml")
			replaceInFile(t, filepath.Join(dir, "funnel.toml"), "name = \"dw_events\"\n", tt.dw)
			replaceInFile(t, filepath.Join(dir, "funnel.toml"), "[targets.local]", `[[funnels]]
name = "overnight"
mode = "ordered"
window = "1h"
day_boundary = "cross_midnight"
user_column = "uid"
event_column = "event"
time_column = "ts"
stages = [{ name = "visit", events = ["view"] }, { name = "buy", events = ["buy"] }]
[funnels.report]
table = "rpt_overnight"

[targets.local]`)
			write := func(name, rows string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(rows), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// A view at 23:50 and a buy at 00:10 the next day, Asia/Shanghai.
			write("days.jsonl", `{"md5":"a","uid":"u1","event":"view","ts":1614786600,"dt":"20210303","hh":"23"}
{"md5":"b","uid":"u1","event":"buy","ts":1614787800,"dt":"20210304","hh":"00"}
`)
			write("late.jsonl", `{"md5":"c","uid":"u2","event":"buy","ts":1614787900,"dt":"20210304","hh":"00"}
`)
			if r := fgen(t, dir, nil, "load", "-q", "days.jsonl"); r.code != 0 {
				t.Fatalf("load: %+v", r)
			}
			if r := fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210303"); r.code != 0 {
				t.Fatalf("apply: %+v", r)
			}
			r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
			if want := "rpt_overnight reads dw_events of the next day, which has no partition " + tt.spec + " yet though 20210304 has landed"; !strings.Contains(r.stdout+r.stderr, want) {
				t.Errorf("plan before the next day is applied: want %q in %+v", want, r)
			}
			if r := fgen(t, dir, nil, "apply", "-q", "--from", "20210303", "--to", "20210304"); r.code != 0 {
				t.Fatalf("apply: %+v", r)
			}
			if r := fgen(t, dir, nil, "load", "-q", "--append", "late.jsonl"); r.code != 0 {
				t.Fatalf("load --append: %+v", r)
			}
			r = fgen(t, dir, nil, "plan", "--bizdate", "20210303")
			if want := "rpt_overnight reads dw_events of the next day, whose ODS rows changed after its partition " + tt.spec + " was written: the day's numbers change when both days are applied ('fgen apply --from 20210303 --to 20210304')"; !strings.Contains(r.stdout+r.stderr, want) {
				t.Errorf("plan after the next day's late rows: want %q in %+v", want, r)
			}
			// apply of the next day alone, as a daily run goes, says that
			// the day before is out of date now, which it would not write.
			// A warning: a daily run's -q keeps it.
			r = fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210304")
			if want := "warning: the rows of rpt_overnight for 20210303 are out of date now (dw_events/" + tt.spec + " changed after it was written): 'fgen apply --bizdate 20210303' writes them again\n"; r.code != 0 || !strings.Contains(r.stderr, want) {
				t.Errorf("apply of the next day: want %q in %+v", want, r)
			}
			if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304"); r.code != 0 || strings.Contains(r.stderr, "out of date now") {
				t.Errorf("apply of both days: %+v", r)
			}
			if tt.name != "daily DW" {
				return
			}
			// The same of a report an earlier fgen noted, without what
			// wrote it (no fingerprint, no time).
			execLocal(t, dir, `UPDATE fgen_partitions SET fingerprint = NULL, written_at = NULL, project = NULL WHERE table_name = 'rpt_overnight'`)
			if r := fgen(t, dir, nil, "load", "-q", "--append", "late.jsonl"); r.code != 0 {
				t.Fatalf("load --append: %+v", r)
			}
			if r := fgen(t, dir, nil, "apply", "--bizdate", "20210304", "--format", "json"); r.code != 0 || !strings.Contains(r.stderr, "warning: the rows of rpt_overnight for 20210303 are out of date now (") || !json.Valid([]byte(r.stdout)) {
				t.Errorf("apply of the next day over an earlier fgen's notes: %+v", r)
			}
		})
	}
}

// plan of no days says an hourly node's hours are gone only of hours it
// wrote: not of the hours an apply that stopped part-way never wrote.
func TestPlanBehindOfAnHourlyNode(t *testing.T) {
	dir := localProject(t, "../../generator/testdata/configs/hourly.toml")
	var day strings.Builder
	for h := range 24 {
		fmt.Fprintf(&day, `{"md5":"h%[1]d","uid":"u%[1]d","event":"view","ts":%[2]d,"device":"ios","dt":"20210303","hh":"%02[1]d"}`+"\n", h, 1614700800+h*3600)
	}
	if err := os.WriteFile(filepath.Join(dir, "day.jsonl"), []byte(day.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := fgen(t, dir, nil, "load", "-q", "day.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	// Hours 12-23 as an apply that stopped after hour 11 leaves them.
	execLocal(t, dir, `DELETE FROM dw_events WHERE dt = '20210303' AND hh >= '12'`,
		`DELETE FROM fgen_partitions WHERE table_name = 'dw_events' AND value >= '20210303/12'`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "gone") {
		t.Errorf("plan after an apply that stopped: %+v", r)
	}
	// An hour it wrote, whose rows are deleted since, is gone.
	execLocal(t, dir, `DELETE FROM dw_events WHERE dt = '20210303' AND hh = '05'`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.Contains(r.stdout, "\n    dw_events  20210303: their partitions are gone\n") {
		t.Errorf("plan after an hour's rows were deleted: %+v", r)
	}
}

// hourRows is the md5 values of the rows of table in hour partition
// (day, hour) of the local warehouse of the project at dir, sorted.
func hourRows(t *testing.T, dir, table, day, hour string) string {
	t.Helper()
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb"), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(context.Background(), fmt.Sprintf(`SELECT string_agg(md5, ' ' ORDER BY md5) FROM %s WHERE dt = '%s' AND hh = '%s'`, table, day, hour))
	if err != nil || len(rows.Values) != 1 || rows.Values[0][0] == nil {
		t.Fatalf("the rows of %s/%s/%s: %v %+v", table, day, hour, err, rows)
	}
	return *rows.Values[0][0]
}

// A daily DW over an hourly ODS that a sync node fills: generate says the
// sync node needs a dependency on itself, which fgen cannot write, or
// DataWorks holds the DW of a day until the end of the next.
func TestGenerateNotesAnHourlySyncProducer(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/hourly_ods.toml")
	appendToFile(t, filepath.Join(dir, "funnel.toml"), "\n[dataworks]\nods_producer = \"shop.ods_events_sync\"\n")
	r := fgen(t, dir, nil, "generate")
	if want := "note: the daily DW node depends on shop.ods_events_sync, which fills the hourly ods_events: "; r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("generate: %+v\nwant %s...", r, want)
	}
	// Said as the workflow is written, not on every run.
	if r := fgen(t, dir, nil, "generate"); r.code != 0 || strings.Contains(r.stderr, "note:") {
		t.Errorf("generate again: %+v", r)
	}
}
