package generator

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

func shippedConfig(tb testing.TB) *models.Config {
	tb.Helper()
	data, err := os.ReadFile("../funnel.toml")
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := models.Parse("funnel.toml", data)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// fgen's own templates are parsed once per dialect; templates from
// anywhere else are parsed on every Render, so a caller's edits show even
// after the shipped ones were parsed.
func TestRenderParsesOtherTemplates(t *testing.T) {
	cfg := shippedConfig(t)
	dw := func(p *Project) string {
		for _, f := range p.Files {
			if strings.HasPrefix(f.Path, "nodes/dw_") {
				return string(f.Data)
			}
		}
		t.Fatal("no DW node")
		return ""
	}
	shipped, err := Render(cfg, templates.FS(), DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	edited := fstest.MapFS{}
	err = fs.WalkDir(templates.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS(), path)
		if path == "duckdb.tmpl" {
			data = []byte(strings.Replace(string(data), "BEGIN TRANSACTION", "BEGIN TRANSACTION /* edited */", 1))
		}
		edited[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		p, err := Render(cfg, edited, DuckDB)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(dw(p), "/* edited */") {
			t.Fatalf("the edited template did not render:\n%s", dw(p))
		}
		again, err := Render(cfg, templates.FS(), DuckDB)
		if err != nil {
			t.Fatal(err)
		}
		if dw(again) != dw(shipped) {
			t.Fatalf("the shipped templates rendered\n%s\nafter\n%s", dw(again), dw(shipped))
		}
	}
}

// BenchmarkRender renders the repository's funnel.toml for DuckDB, as
// every plan and apply does.
func BenchmarkRender(b *testing.B) {
	cfg := shippedConfig(b)
	for b.Loop() {
		if _, err := Render(cfg, templates.FS(), DuckDB); err != nil {
			b.Fatal(err)
		}
	}
}

// MaxCompute, as Hive, sorts NULL first, DuckDB last: every window ORDER BY
// key that may be NULL puts NULL last itself on MaxCompute, so the copy a
// DW node keeps and the row a user's first touch takes are the same on
// both engines. A key the rows cannot hold NULL in (a column the node
// filters on, ordered mode's time) stays bare.
func TestMaxComputeSortsNullLast(t *testing.T) {
	cfg := loadConfig(t, "testdata/configs/modes.toml")
	p, err := Render(cfg, templates.FS(), MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	sql := map[string]string{}
	for _, n := range p.Nodes {
		sql[n.Name] = string(n.SQL)
	}
	for _, tc := range []struct{ node, want, not string }{
		{"dw_user_trace_data", "ORDER BY `uid`, CASE WHEN `device_brand` IS NULL THEN 1 ELSE 0 END, `device_brand`, CASE WHEN `device` IS NULL THEN 1 ELSE 0 END, `device`, CASE WHEN `system_type` IS NULL THEN 1 ELSE 0 END, `system_type`, `customize_event`, CASE WHEN `ts` IS NULL THEN 1 ELSE 0 END, `ts`,", "`uid` IS NULL"},
		{"rpt_users_by_device", "ORDER BY CASE WHEN `fgen_bit` = 1 THEN 0 ELSE 1 END, CASE WHEN `ts` IS NULL THEN 1 ELSE 0 END, `ts`, `fgen_bit`, `device_brand`, `system_type`", ""},
		{"rpt_ordered_1h", "ORDER BY CASE WHEN `fgen_stage` = 1 THEN 0 ELSE 1 END, `ts`, `fgen_stage`, `device_brand`", "`ts` IS NULL"},
	} {
		got, ok := sql[tc.node]
		if !ok {
			t.Fatalf("no node %s", tc.node)
		}
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%s: want %q and not %q in\n%s", tc.node, tc.want, tc.not, got)
		}
	}
	// The event profile behind plan's warnings cuts each day's values at
	// a rank: a NULL value ties last there too.
	q, err := p.EventProfileQuery("customize_event", "20210301", "20210302")
	if err != nil {
		t.Fatal(err)
	}
	if want := "ORDER BY `fgen_rows` DESC, CASE WHEN `customize_event` IS NULL THEN 1 ELSE 0 END, `customize_event`)"; !strings.Contains(q.SQL, want) {
		t.Errorf("event profile: want %q in\n%s", want, q.SQL)
	}
}

// On MaxCompute, TO_DATE reads a STRING time in the session's time zone: the
// DW node, which keeps the rows whose time reads, and the profiles behind
// plan's warnings read it in the column's zone, as the report nodes do, not
// in the project's.
func TestMaxComputeReadsStringTimesInTheirZone(t *testing.T) {
	cfg := loadConfig(t, "testdata/configs/times.toml")
	zone := Setting{"odps.sql.timezone", "UTC"}
	for _, d := range Dialects {
		p, err := Render(cfg, templates.FS(), d)
		if err != nil {
			t.Fatal(err)
		}
		dw := p.Nodes[0]
		tq, err := p.TimeProfileQuery(cfg.StringTimes()[0], "20210301", "20210302")
		if err != nil {
			t.Fatal(err)
		}
		rq, err := p.RangeProfileQuery("event_code", 0, 100, "20210301", "20210302")
		if err != nil {
			t.Fatal(err)
		}
		want := d == MaxCompute // DuckDB's SQL names the zone itself
		for what, settings := range map[string][]Setting{"the DW node " + dw.Name: dw.Script.Settings, "the time profile": tq.Settings, "the range profile": rq.Settings} {
			if got := slices.Contains(settings, zone); got != want {
				t.Errorf("%s: %s sets %v: %v, want %v", d, what, zone, settings, want)
			}
		}
	}
	if got := dwZone(&models.Config{}); got != "" {
		t.Errorf("dwZone of no string times = %q", got)
	}
	// STRING time columns in two zones: the DW node reads them in the
	// project's, and so does the profile of the rows it drops.
	cfg.DW.Columns = append(cfg.DW.Columns, models.Column{Name: "local_time", Type: "STRING"})
	cfg.ODS.Columns = append(cfg.ODS.Columns, models.Column{Name: "local_time", Type: "STRING"})
	f := cfg.Funnels[0]
	f.Name, f.TimeColumn = "local", models.TimeColumn{Name: "local_time", Format: "yyyy-MM-dd HH:mm:ss", Timezone: "Asia/Shanghai"}
	f.Report.Table = "rpt_local_times"
	cfg.Funnels = append(cfg.Funnels, f)
	if len(cfg.StringTimes()) != 2 {
		t.Fatalf("string times: %+v", cfg.StringTimes())
	}
	p, err := Render(cfg, templates.FS(), MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	tq, err := p.TimeProfileQuery(cfg.StringTimes()[1], "20210301", "20210302")
	if err != nil {
		t.Fatal(err)
	}
	for what, settings := range map[string][]Setting{"the DW node": p.Nodes[0].Script.Settings, "the time profile": tq.Settings} {
		if slices.ContainsFunc(settings, func(s Setting) bool { return s.Key == "odps.sql.timezone" }) {
			t.Errorf("two zones: %s sets a time zone: %v", what, settings)
		}
	}
}

// The names the report node gives a stage's aggregates are those
// models.StageAggregate knows, so that validate refuses a breakdown column
// of the same name.
func TestStageAggregateNames(t *testing.T) {
	paths, _ := filepath.Glob("testdata/configs/*.toml")
	n := 0
	for _, path := range paths {
		cfg := loadConfig(t, path)
		for i := range cfg.Funnels {
			v := newRPTView(cfg, &cfg.Funnels[i], dates{})
			check := func(name, stage string) {
				n++
				if _, got, ok := models.StageAggregate(name); !ok || got != stage {
					t.Errorf("%s: %s is not known as an aggregate of stage %s (%q, %v)", path, name, stage, got, ok)
				}
			}
			for _, s := range v.Stages {
				check(s.Count, s.Name)
				check(s.Median, s.Name)
				check(s.Avg, s.Name)
			}
			for _, a := range v.TimeAggs {
				// the stage whose times it aggregates
				stage := strings.TrimPrefix(strings.TrimPrefix(a.Col, "fgen_secs_"), "fgen_step_")
				check(a.Name, stage)
			}
		}
	}
	if n == 0 {
		t.Fatal("no names checked")
	}
}

// A table whose comments or columns, made of funnel.toml's names, pass
// MaxCompute's limits is refused when it is rendered.
func TestTableLimits(t *testing.T) {
	long := strings.Repeat("x", models.MaxCommentBytes+1)
	for _, tc := range []struct {
		tv   tableView
		want string
	}{
		{tableView{Name: "t", Columns: make([]models.Column, models.MaxColumns+1)}, "table t would have 1201 columns"},
		{tableView{Name: "t", Comment: long}, "table t: its comment would be 1025 bytes long"},
		{tableView{Name: "t", Columns: []models.Column{{Name: "stage", Comment: long}}}, "table t: the comment of column stage would be 1025 bytes long"},
		{tableView{Name: "t", Comment: long[1:], Columns: []models.Column{{Name: "stage", Comment: long[1:]}}}, ""},
	} {
		err := checkTableLimits(tc.tv)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.tv.Name, err, tc.want)
		}
	}
}

// No row of a NULL or empty user id counts (docs/funnels.md). Where drop_empty
// does not name a funnel's user column, the DW node keeps such rows, and
// every report node drops them in its one read of the DW table: NULL and
// empty users of a string column, NULL ones of another; where it names
// it, no node checks again.
func TestReportNodesDropRowsOfNoUser(t *testing.T) {
	for _, tc := range []struct {
		name      string
		edit      func(cfg *models.Config)
		want, not string
	}{
		{"dropped in DW", func(*models.Config) {}, "", "§ IS NOT NULL"},
		{"string users", func(cfg *models.Config) { cfg.DW.DropEmpty = []string{"customize_event"} }, "§ IS NOT NULL AND § <> ''", ""},
		{"integer users", func(cfg *models.Config) {
			cfg.DW.DropEmpty = []string{"customize_event"}
			for i := range cfg.DW.Columns {
				if cfg.DW.Columns[i].Name == "uid" {
					cfg.DW.Columns[i].Type = "BIGINT"
				}
			}
		}, "§ IS NOT NULL\n", "<> ''"},
	} {
		for _, d := range []Dialect{DuckDB, MaxCompute} {
			cfg := loadConfig(t, "testdata/configs/modes.toml")
			tc.edit(cfg)
			p, err := Render(cfg, templates.FS(), d)
			if err != nil {
				t.Fatal(err)
			}
			uid := d.QuoteIdent("uid")
			want, not := strings.ReplaceAll(tc.want, "§", uid), strings.ReplaceAll(tc.not, "§", uid)
			for _, n := range p.Nodes {
				if n.Layer != LayerRPT {
					continue
				}
				sql := string(n.SQL)
				reads := strings.Count(sql, "FROM "+d.QuoteIdent("dw_user_trace_data"))
				if want != "" && strings.Count(sql, want) != reads {
					t.Errorf("%s, %s: %s reads the DW table %d times, drops the rows of no user (%q) %d times:\n%s", tc.name, d, n.Name, reads, want, strings.Count(sql, want), sql)
				}
				if not != "" && strings.Contains(sql, not) {
					t.Errorf("%s, %s: %s has %q:\n%s", tc.name, d, n.Name, not, sql)
				}
			}
		}
	}
}
