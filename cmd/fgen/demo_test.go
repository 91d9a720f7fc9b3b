package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// The demo config is valid, shows every way of counting, and asks only for what the sample
// data has: its event values, and its columns for users, times and breakdowns.
func TestDemoConfig(t *testing.T) {
	cfg, err := models.Parse("demo.toml", demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sampleMatchesODS(cfg, ""); err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	var events []string
	for _, st := range cfg.Funnels[0].StageEventSets() { // what the demo's sample generates
		events = append(events, st...)
	}
	for _, f := range cfg.Funnels {
		has[f.Mode] = true
		if f.DayBoundary == models.CrossMidnight {
			has["cross_midnight"] = true
		}
		if f.Mode == models.ModeOrdered && len(f.Breakdowns) > 0 && f.Report.MedianSecondsColumn != "" && f.Report.AvgSecondsColumn != "" {
			has["ordered with a breakdown and times"] = true
		}
		if f.Mode == models.ModeOrdered && f.Long() && len(f.Percentiles()) > 0 && len(f.BucketLabels()) > 0 && f.BreakdownLimit > 0 {
			has["ordered long-layout with distributions and a breakdown limit"] = true
		}
		for _, e := range f.StageEvents() {
			if !slices.Contains(events, e) {
				t.Errorf("funnel %s counts event %q, which the sample does not generate", f.Name, e)
			}
		}
		for _, c := range append([]string{f.UserColumn, f.EventColumn, f.TimeColumn.Name}, f.Breakdowns...) {
			if c != "" && !slices.Contains(sample.Columns(), c) {
				t.Errorf("funnel %s reads column %s, which the sample does not have", f.Name, c)
			}
		}
	}
	for _, want := range []string{"events", "users", "ordered", "cross_midnight", "ordered with a breakdown and times", "ordered long-layout with distributions and a breakdown limit"} {
		if !has[want] {
			t.Errorf("the demo config has no %s funnel", want)
		}
	}
}

// The demo runs every funnel of its config and writes one page of them all; the sample gives
// every funnel something to count on every day. 'fgen report' then reads several funnels.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	r := fgen(t, dir, nil, "-q", "demo", "--users", "400", "--days", "3", "--dir", dir)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("demo -q: %+v, want no progress on stderr", r)
	}
	for _, want := range []string{
		"user_trace  20210303  (events mode)\n",
		"user_trace  20210303..20210305  (events mode)  sum of 3 days\n",
		"HTML report of 5 funnels: " + filepath.Join(dir, "report.html"),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout has no %q:\n%s", want, r.stdout)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := models.Parse("demo.toml", demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfg.Funnels {
		if !strings.Contains(string(page), "<h2>"+f.Name+"</h2>") {
			t.Errorf("the page has no section of funnel %s", f.Name)
		}
	}
	if !strings.Contains(string(page), "Provisional: 2021-03-05") {
		t.Error("the page does not say that the cross-midnight funnel's last day is provisional")
	}
	for _, want := range []string{"<h3>Time to convert<", "Percentiles per day", "other (beyond the top 5)"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page has no %q", want)
		}
	}

	// What the sample gave each funnel: counts at every stage on every day, two or more
	// values of every breakdown, and times in ordered mode.
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, "demo.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Funnels {
		f := &cfg.Funnels[i]
		rep, err := report.Read(context.Background(), db, proj, f, "", "")
		if err != nil {
			t.Fatal(err)
		}
		days := map[string]bool{}
		values := map[string]map[string]bool{}
		for _, row := range rep.Rows {
			days[row.Dt] = true
			total := true
			for _, b := range f.Breakdowns {
				if v := row.Dims[b]; v != f.Report.TotalMarker {
					total = false
					if values[b] == nil {
						values[b] = map[string]bool{}
					}
					values[b][v] = true
				}
			}
			if !total {
				continue
			}
			for k, c := range row.Counts {
				if c == 0 {
					t.Errorf("%s %s: no %s", f.Name, row.Dt, f.Stages[k].Name)
				}
			}
			if f.Mode == models.ModeOrdered {
				last := len(f.Stages) - 1
				if row.MedianSeconds[last] == nil || row.AvgSeconds[last] == nil {
					t.Errorf("%s %s: no time to %s", f.Name, row.Dt, f.Stages[last].Name)
				}
				if rep.StepTimes && (row.StepMedianSeconds[last] == nil || row.StepAvgSeconds[last] == nil) {
					t.Errorf("%s %s: no step time to %s", f.Name, row.Dt, f.Stages[last].Name)
				}
				if len(rep.Percentiles) > 0 && slices.Contains(row.Percentiles[last], nil) {
					t.Errorf("%s %s: percentiles to %s %v", f.Name, row.Dt, f.Stages[last].Name, row.Percentiles[last])
				}
				if len(rep.Buckets) > 0 {
					var users int64
					for _, c := range row.StepHistogram[last] {
						users += c
					}
					if users != row.Counts[last] {
						t.Errorf("%s %s: the step histogram to %s holds %d users, not %d", f.Name, row.Dt, f.Stages[last].Name, users, row.Counts[last])
					}
				}
			}
		}
		if len(days) != 3 {
			t.Errorf("%s: %d days", f.Name, len(days))
		}
		for _, b := range f.Breakdowns {
			if len(values[b]) < 2 {
				t.Errorf("%s: breakdown %s has values %v", f.Name, b, values[b])
			}
			if f.BreakdownLimit > 0 && (!values[b][f.Report.OtherMarker] || len(values[b]) < f.BreakdownLimit+1) {
				t.Errorf("%s: breakdown %s has no row %q beyond its top %d: %v", f.Name, b, f.Report.OtherMarker, f.BreakdownLimit, values[b])
			}
		}
		if len(f.Report.Percentiles) > 0 && (len(rep.Percentiles) != len(f.Report.Percentiles) || len(rep.Buckets) != len(f.BucketLabels())) {
			t.Errorf("%s: report percentiles %v, buckets %v", f.Name, rep.Percentiles, rep.Buckets)
		}
	}
	db.Close()

	// fgen report on the demo's warehouse: several funnels, or all of them.
	config := string(demoConfig) + "\n[targets.local]\nengine = \"duckdb\"\npath = \"demo.duckdb\"\n"
	if err := os.WriteFile(filepath.Join(dir, "funnel.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	all := fgen(t, dir, nil, "report", "--all", "--format", "html")
	if all.code != 0 || strings.Count(all.stdout, `<section class="funnel"`) != 5 || !strings.Contains(all.stdout, "<title>fgen report: 5 funnels</title>") {
		t.Errorf("report --all: exit %d, %.300s", all.code, all.stdout)
	}
	// -o FILE without --format: the format its extension names; one that
	// names none gets the table format, and says so (r.jsonl looked like
	// JSON).
	for file, head := range map[string]string{"r.html": "<!DOCTYPE html>", "r.json": "{", "r.csv": "dt,stage,", "r.jsonl": "user_trace"} {
		r := fgen(t, dir, nil, "report", "-o", file)
		data, _ := os.ReadFile(filepath.Join(dir, file))
		if r.code != 0 || !strings.HasPrefix(string(data), head) {
			t.Errorf("report -o %s: exit %d (%s), file begins %.40q, want %q", file, r.code, r.stderr, data, head)
		}
		if noted := strings.Contains(r.stderr, "note: "+file+": its extension names no format (.html, .json or .csv), so it gets the table format; give --format for another"); noted != (file == "r.jsonl") {
			t.Errorf("report -o %s: stderr %q", file, r.stderr)
		}
	}
	if r := fgen(t, dir, nil, "report", "-q", "-o", "r.html"); r.code != 0 || r.stderr != "" {
		t.Errorf("report -q -o r.html: %+v", r)
	}
	// A device is written to, not replaced.
	if r := fgen(t, dir, nil, "report", "-o", os.DevNull); r.code != 0 {
		t.Errorf("report -o %s: %+v", os.DevNull, r)
	}
	if r := fgen(t, dir, nil, "report", "--format", "csv", "-o", "r2.html"); r.code != 1 || !strings.Contains(r.stderr, "-o r2.html has the extension of the html format, but --format is csv") {
		t.Errorf("report --format csv -o r2.html: %+v", r)
	}
	two := fgen(t, dir, nil, "report", "--funnel", "ordered_1h", "--funnel", "users_by_system,ordered_1h", "--format", "json")
	if two.code != 0 || strings.Count(two.stdout, `"funnel": `) != 2 || strings.Index(two.stdout, `"funnel": "ordered_1h"`) > strings.Index(two.stdout, `"funnel": "users_by_system"`) {
		t.Errorf("report --funnel twice: exit %d, %.300s", two.code, two.stdout)
	}
	// The long-layout funnel's distributions and other row, in the table and the csv.
	long := fgen(t, dir, nil, "report", "--funnel", "ordered_long")
	for _, want := range []string{"step median  step avg", "  time to   from  ", "  purchase  previous  ", "0s–10s", "30m+", "  device=other  (the values beyond the top 5)\n"} {
		if long.code != 0 || !strings.Contains(long.stdout, want) {
			t.Errorf("report --funnel ordered_long: exit %d, no %q in\n%.2000s", long.code, want, long.stdout)
		}
	}
	csv := fgen(t, dir, nil, "report", "--funnel", "ordered_long", "--format", "csv")
	if head, _, _ := strings.Cut(csv.stdout, "\n"); csv.code != 0 || !strings.HasSuffix(head, ",provisional,step_median_seconds,step_avg_seconds,p50_seconds,p90_seconds,p99_seconds,step_p50_seconds,step_p90_seconds,step_p99_seconds,h_0s_10s,h_10s_30s,h_30s_1m,h_1m_2m,h_2m_5m,h_5m_30m,h_30m_up,step_h_0s_10s,step_h_10s_30s,step_h_30s_1m,step_h_1m_2m,step_h_2m_5m,step_h_5m_30m,step_h_30m_up,out_of_date") {
		t.Errorf("report --funnel ordered_long --format csv: exit %d, header %q", csv.code, head)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--all", "--format", "csv"}, "fgen: the csv format holds one funnel's rows, not 5; name one funnel, or use --format json or html"},
		// The format from -o's extension: --format json would clash with it.
		{[]string{"--all", "-o", "all.csv"}, "fgen: the csv format holds one funnel's rows, not 5; name one funnel, or write the report to a file named .json or .html"},
		{[]string{"--all", "--format", "csv", "-o", "all.csv"}, "fgen: the csv format holds one funnel's rows, not 5; name one funnel, or give --format json or html and -o a file of that extension"},
		{[]string{"--all", "--funnel", "user_trace"}, "fgen: --all reports every funnel; leave out --funnel, or name the funnels without --all"},
		{[]string{"--funnel", "nope"}, `fgen: no funnel "nope" in funnel.toml; funnels: user_trace, users_by_system, ordered_1h, ordered_overnight, ordered_long`},
	} {
		r := fgen(t, dir, nil, append([]string{"report"}, tc.args...)...)
		if r.code != 1 || strings.TrimSpace(r.stderr) != tc.want {
			t.Errorf("report %v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// A demo that stops (here its context has ended before it starts) removes
// the temporary directory it made for its warehouse and report. What a
// killed one left (its directory, unfinished and unlocked), the next
// removes; not a finished demo's directory, nor a running one's, nor
// another directory of the name.
func TestDemoStoppedLeavesNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock, and TMPDIR does not set the temporary directory")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	left := map[string][]string{
		"fgen-demo-killed":  {demoMark, demoTemporary, demoLock, ".demo-building.duckdb", ".demo-building.duckdb.wal", ".report-building.html"},
		"fgen-demo-sampled": {demoMark, demoTemporary, demoLock, ".demo-building.duckdb", ".demo-building.duckdb.tmp/spill", ".fgen-sample-7/x.duckdb"}, // killed as it wrote the sample
		"fgen-demo-staged":  {demoMark, demoTemporary, demoLock, ".fgen-build-1/local.duckdb"},                                                          // killed as it made the warehouse
		"fgen-demo-start":   {demoLock},                                                                                                                 // not marked yet: perhaps starting
		"fgen-demo-done":    {demoMark, demoTemporary, demoLock, "demo.duckdb", "report.html"},
		"fgen-demo-moved":   {demoMark, demoTemporary, demoLock, "report.html"}, // its warehouse moved away
		"fgen-demo-running": {demoMark, demoTemporary, demoLock, ".demo-building.duckdb"},
		"fgen-demo-notes":   {"notes.txt"},
		// A --dir of the user's, named as a temporary one, whose first
		// demo was killed: theirs, not the demo's.
		"fgen-demo-mine": {demoMark, demoLock, ".demo-building.duckdb", "notes.txt"},
		// A stopped demo's directory where its user put a file.
		"fgen-demo-used": {demoMark, demoTemporary, demoLock, ".demo-building.duckdb", "notes.txt"},
	}
	for dir, files := range left {
		os.Mkdir(filepath.Join(tmp, dir), 0o755)
		for _, f := range files {
			os.MkdirAll(filepath.Dir(filepath.Join(tmp, dir, f)), 0o755)
			os.WriteFile(filepath.Join(tmp, dir, f), nil, 0o644)
		}
	}
	unlock, ok, err := duckutil.LockFile(filepath.Join(tmp, "fgen-demo-running", demoLock))
	if err != nil || !ok {
		t.Fatalf("lock: %v", err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"demo", "--users", "50", "--days", "1"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code == 0 {
		t.Fatalf("demo with an ended context: exit 0\n%s", out.String())
	}
	entries, _ := os.ReadDir(tmp)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"fgen-demo-done", "fgen-demo-mine", "fgen-demo-moved", "fgen-demo-notes", "fgen-demo-running", "fgen-demo-start", "fgen-demo-used"}; !slices.Equal(names, want) {
		t.Errorf("the temporary directory holds %v after a stopped demo (exit %d: %s), want %v", names, code, errb.String(), want)
	}
	// The step under way ends its line, and the error says what is left.
	if msg := errb.String(); !strings.Contains(msg, " ...\nfgen: ") || !regexp.MustCompile(`; the demo removes its directory \S+fgen-demo-\d+\n$`).MatchString(msg) {
		t.Errorf("a stopped demo says %q", msg)
	}
}

// A demo --dir that stops leaves the earlier demo's warehouse and report as
// they were, and nothing of its own.
func TestDemoDirStoppedKeepsEarlierDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if r := fgen(t, t.TempDir(), nil, "-q", "demo", "--users", "50", "--days", "1", "--dir", dir); r.code != 0 {
		t.Fatalf("demo --dir: %+v", r)
	}
	before := readTree(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"-q", "demo", "--users", "60", "--days", "1", "--dir", dir}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code == 0 {
		t.Fatalf("demo with an ended context: exit 0\n%s", out.String())
	}
	if msg := errb.String(); !strings.HasSuffix(msg, "; "+dir+" holds what it held before the demo\n") {
		t.Errorf("a stopped demo --dir says %q", msg)
	}
	after := readTree(t, dir)
	if len(after) != len(before) {
		t.Errorf("the stopped demo left %d files in --dir, the earlier demo %d", len(after), len(before))
	}
	for name, data := range before {
		if after[name] != data {
			t.Errorf("the stopped demo changed %s", name)
		}
	}
}

// A --dir that holds the lock alone, of a demo killed before it marked the
// directory, is the demo's, not one of other files.
func TestDemoDirOfALoneLock(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, demoLock), nil, 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"-q", "demo", "--users", "50", "--days", "1", "--dir", dir}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code != exitInterrupted || strings.Contains(errb.String(), "holds files") {
		t.Errorf("demo --dir of a lone lock, stopped: exit %d, %s", code, errb.String())
	}
}

// fgen demo --dir replaces the warehouse and report an earlier demo left
// there, and writes into no other directory that holds files.
func TestDemoDirKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"demo.duckdb", "report.html"} {
		os.WriteFile(filepath.Join(dir, name), []byte("my notes\n"), 0o644)
	}
	r := fgen(t, dir, nil, "-q", "demo", "--users", "50", "--days", "1", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "holds files, and no earlier fgen demo made it") {
		t.Errorf("demo --dir into a directory of other files: %+v", r)
	}
	for _, name := range []string{"demo.duckdb", "report.html"} {
		if data, _ := os.ReadFile(filepath.Join(dir, name)); string(data) != "my notes\n" {
			t.Errorf("the demo replaced %s, which it did not write", name)
		}
	}
	// A file is named as one.
	file := filepath.Join(dir, "report.html")
	if r := fgen(t, dir, nil, "-q", "demo", "--users", "50", "--days", "1", "--dir", file); r.code != 1 || !strings.Contains(r.stderr, "--dir "+file+" is a file, not a directory; give a new or empty directory") {
		t.Errorf("demo --dir of a file: %+v", r)
	}
	demo := filepath.Join(t.TempDir(), "demo")
	for range 2 { // the second replaces the first's warehouse and report
		if r := fgen(t, dir, nil, "-q", "demo", "--users", "50", "--days", "1", "--dir", demo); r.code != 0 {
			t.Fatalf("demo --dir: %+v", r)
		}
	}
	// While another demo runs there (holds its lock), a demo changes
	// nothing and says so.
	if unlock, ok, err := duckutil.LockFile(filepath.Join(demo, demoLock)); err == nil && ok && runtime.GOOS != "windows" {
		before, _ := os.ReadFile(filepath.Join(demo, "report.html"))
		r := fgen(t, dir, nil, "-q", "demo", "--users", "50", "--days", "1", "--dir", demo)
		unlock()
		if r.code != 1 || !strings.Contains(r.stderr, "another fgen demo is running in "+demo) {
			t.Errorf("demo --dir while another demo runs there: %+v", r)
		}
		if after, _ := os.ReadFile(filepath.Join(demo, "report.html")); string(after) != string(before) {
			t.Error("a demo refused for another's lock replaced the report")
		}
	}
	// A file named demo.duckdb in an earlier demo's directory that is not a
	// database is not the demo's either.
	os.WriteFile(filepath.Join(demo, "demo.duckdb"), []byte("my notes\n"), 0o644)
	if r := fgen(t, dir, nil, "-q", "demo", "--users", "50", "--days", "1", "--dir", demo); r.code != 1 || !strings.Contains(r.stderr, "is not a DuckDB database") {
		t.Errorf("demo --dir over another file named demo.duckdb: %+v", r)
	}
}

// fgen demo -c with a config whose ODS columns are not the seed's (the
// seed's first, then others, would do) says what the demo needs, and
// makes no directory.
func TestDemoOwnConfigOtherODS(t *testing.T) {
	dir := project(t)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "ip",                      type = "STRING", comment = "client ip" },`, `{ name = "client_ip",               type = "STRING", comment = "client ip" },`)
	demo := filepath.Join(t.TempDir(), "demo")
	r := fgen(t, dir, nil, "-q", "demo", "-c", "funnel.toml", "--users", "50", "--days", "1", "--dir", demo)
	if r.code != 1 || !strings.Contains(r.stderr, "declares md5, uid, ts, client_ip, status,") || !strings.Contains(r.stderr, "the demo runs on sample data, so give it a config whose [ods] columns are the seed's") || strings.Contains(r.stderr, "-o") {
		t.Errorf("demo -c with other ODS columns: %+v", r)
	}
	if _, err := os.Stat(demo); !os.IsNotExist(err) {
		t.Errorf("the demo made %s: %v", demo, err)
	}
}
