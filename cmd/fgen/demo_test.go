package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
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
	if err := sampleMatchesODS(cfg); err != nil {
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
	for _, want := range []string{"events", "users", "ordered", "cross_midnight", "ordered with a breakdown and times"} {
		if !has[want] {
			t.Errorf("the demo config has no %s funnel", want)
		}
	}
}

// The demo runs every funnel of its config and writes one page of them all; the sample gives
// every funnel something to count on every day. 'fgen report' then reads several funnels.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	r := fgen(t, dir, nil, "demo", "--users", "400", "--days", "3", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	for _, want := range []string{
		"user_trace  20210303  (events mode)\n",
		"user_trace  20210303..20210305  (events mode)  sum of 3 days\n",
		"HTML report of 4 funnels: " + filepath.Join(dir, "report.html"),
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
			}
		}
		if len(days) != 3 {
			t.Errorf("%s: %d days", f.Name, len(days))
		}
		for _, b := range f.Breakdowns {
			if len(values[b]) < 2 {
				t.Errorf("%s: breakdown %s has values %v", f.Name, b, values[b])
			}
		}
	}
	db.Close()

	// fgen report on the demo's warehouse: several funnels, or all of them.
	config := string(demoConfig) + "\n[targets.local]\nengine = \"duckdb\"\npath = \"demo.duckdb\"\n"
	if err := os.WriteFile(filepath.Join(dir, "funnel.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	all := fgen(t, dir, nil, "report", "--all", "--format", "html")
	if all.code != 0 || strings.Count(all.stdout, `<section class="funnel"`) != 4 || !strings.Contains(all.stdout, "<title>fgen report: 4 funnels</title>") {
		t.Errorf("report --all: exit %d, %.300s", all.code, all.stdout)
	}
	two := fgen(t, dir, nil, "report", "--funnel", "ordered_1h", "--funnel", "users_by_system,ordered_1h", "--format", "json")
	if two.code != 0 || strings.Count(two.stdout, `"funnel": `) != 2 || strings.Index(two.stdout, `"funnel": "ordered_1h"`) > strings.Index(two.stdout, `"funnel": "users_by_system"`) {
		t.Errorf("report --funnel twice: exit %d, %.300s", two.code, two.stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--all", "--format", "csv"}, "fgen: the csv format holds one funnel's rows, not 4; name one funnel, or use --format json or html"},
		{[]string{"--all", "--funnel", "user_trace"}, "fgen: --all reports every funnel; leave out --funnel, or name the funnels without --all"},
		{[]string{"--funnel", "nope"}, `fgen: no funnel "nope" in funnel.toml; funnels: user_trace, users_by_system, ordered_1h, ordered_overnight`},
	} {
		r := fgen(t, dir, nil, append([]string{"report"}, tc.args...)...)
		if r.code != 1 || strings.TrimSpace(r.stderr) != tc.want {
			t.Errorf("report %v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
