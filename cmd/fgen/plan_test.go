package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/plan"
)

// problems returns the lines of a text plan that name a problem, each with
// the fix on the line after it, as "[code] message | fix: ...".
func problems(stdout string) []string {
	lines := strings.Split(stdout, "\n")
	var out []string
	for i, l := range lines {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "[") && i+1 < len(lines) {
			out = append(out, l+" | "+strings.TrimSpace(lines[i+1]))
		}
	}
	return out
}

// On the local engine a table's partition columns are plain columns: a
// report funnel.toml partitions by another column, or by day where the
// live table is by day and hour, is a changed partition that names the
// live partition columns, not a dropped column.
func TestLocalPlanNamesLivePartition(t *testing.T) {
	hourly, err := os.ReadFile("../../generator/testdata/configs/hourly.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		config    []byte
		old, new  string // the edit of funnel.toml after apply
		want, fix string
	}{
		{"other day partition", nil,
			"comment = \"daily browse/click/purchase funnel\"\npartition = \"dt\"", "comment = \"daily browse/click/purchase funnel\"\npartition = \"ds\"",
			"[partition_changed] live table is partitioned by (dt), funnel.toml says (ds)", `set partition = "dt" back under [funnels.report] of funnel user_trace in funnel.toml, or run apply with --allow-destructive to recreate rpt_user_trace_data`},
		{"hourly report made daily", hourly,
			"name = \"hourly_users\"\ngrain = \"hour\"\n", "name = \"hourly_users\"\n",
			"[partition_changed] live table is partitioned by (dt, hour), funnel.toml says (dt)", `set grain = "hour" back in funnel hourly_users in funnel.toml, with partition = "dt" and hour_partition = "hour" under its [funnels.report], or run apply with --allow-destructive to recreate rpt_hourly_users`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := project(t)
			path := filepath.Join(dir, "funnel.toml")
			if tt.config != nil {
				if err := os.WriteFile(path, append(tt.config, localTarget...), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if r := fgen(t, dir, nil, "apply", "--yes", "-q"); r.code != 0 {
				t.Fatalf("apply: %+v", r)
			}
			replaceInFile(t, path, tt.old, tt.new)
			if tt.config != nil {
				replaceInFile(t, path, "hour_partition = \"hour\"\n", "")
			}
			r := fgen(t, dir, nil, "plan")
			got := problems(r.stdout)
			if r.code != 3 || len(got) != 1 || !strings.HasPrefix(got[0], tt.want+" | fix: ") || !strings.Contains(got[0], tt.fix) {
				t.Errorf("plan: exit %d, problems\n%s\nwant only %s with a fix that says %s\n%s", r.code, strings.Join(got, "\n"), tt.want, tt.fix, r.stdout)
			}
		})
	}
}

// TestPlanOfANewProject: plan with no days, before anything was applied,
// plans the tables to create; there are no notes of days fgen wrote to
// read (it failed with DuckDB's "Table with name fgen_partitions does not
// exist"), and plan makes no warehouse.
func TestPlanOfANewProject(t *testing.T) {
	dir := project(t)
	for _, format := range []string{"text", "json"} {
		r := fgen(t, dir, nil, "plan", "--format", format)
		if r.code != 2 || strings.Contains(r.stderr, "fgen_partitions") || !strings.Contains(r.stdout, "create") {
			t.Errorf("plan --format %s of a new project: %+v, want exit 2 and the tables to create", format, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".fgen")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("plan made the warehouse's directory: %v", err)
	}
}

// report's fill of scattered days is an apply of their span, split only
// where a day without its ODS partition lies between (which it would skip).
func TestFillSpans(t *testing.T) {
	for _, tc := range []struct {
		days, noODS []string
		want        string
	}{
		{[]string{"20210304", "20210306", "20210308", "20210310"}, []string{"20210301", "20210302"}, "'fgen apply --from 20210304 --to 20210310'"},
		{[]string{"20210303", "20210305"}, []string{"20210304"}, "'fgen apply --bizdate 20210303', 'fgen apply --bizdate 20210305'"},
		{[]string{"20210301", "20210303", "20210305", "20210307", "20210309"}, []string{"20210302", "20210304", "20210306", "20210308"}, "'fgen apply --bizdate 20210301', 'fgen apply --bizdate 20210303', 'fgen apply --bizdate 20210305' (and 2 more runs of days)"},
		{[]string{"20210301", "20210303", "20210305", "20210307"}, []string{"20210302", "20210304", "20210306"}, "'fgen apply --bizdate 20210301', 'fgen apply --bizdate 20210303', 'fgen apply --bizdate 20210305' (and 1 more run of days)"},
	} {
		if got := plan.ApplySpans(fillSpans(tc.days, tc.noODS), nil); got != tc.want {
			t.Errorf("fill of %v without %v: %s, want %s", tc.days, tc.noODS, got, tc.want)
		}
	}
}

// plan and apply note an out/ that funnel.toml no longer generates: they
// run what funnel.toml says, and DataWorks what the reviewed out/ holds.
func TestPlanNotesAnOutOfSyncOut(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "generate", "-q"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 2 || strings.Contains(r.stderr, "out of sync") {
		t.Errorf("plan with out/ in sync: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "purchase", events = ["purchase"] }`, `{ name = "purchase", events = ["purchase", "buy"] }`)
	want := "note: out is not what this fgen generates from funnel.toml (4 files differ): plan and apply run what funnel.toml says, and DataWorks what out holds; 'fgen diff' shows the difference and what to do\n"
	for _, args := range [][]string{{"plan"}, {"apply", "--dry-run"}} {
		if r := fgen(t, dir, nil, args...); !strings.Contains(r.stderr, want) {
			t.Errorf("%v with out/ out of sync: %+v\nwant %s", args, r, want)
		}
	}
	if r := fgen(t, dir, nil, "plan", "-q"); strings.Contains(r.stderr, "note:") {
		t.Errorf("plan -q: %+v", r)
	}
	// One file edited by hand, and generate back in step: "1 file differs".
	if r := fgen(t, dir, nil, "generate", "-q"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	appendToFile(t, filepath.Join(dir, "out", "nodes", "dw_user_trace_data.sql"), "-- mine\n")
	if r := fgen(t, dir, nil, "plan"); !strings.Contains(r.stderr, "(1 file differs)") {
		t.Errorf("plan with a hand edit: %+v", r)
	}
	// out/ in the DuckDB dialect, in sync: nothing to note.
	os.RemoveAll(filepath.Join(dir, "out"))
	if r := fgen(t, dir, nil, "generate", "-q", "--dialect", "duckdb", "--dir", "out"); r.code != 0 {
		t.Fatalf("generate --dialect duckdb: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); strings.Contains(r.stderr, "note:") {
		t.Errorf("plan with a DuckDB out/ in sync: %+v", r)
	}
}
