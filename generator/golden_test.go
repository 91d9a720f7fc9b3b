package generator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// update (-update) is declared in flowspec_test.go.

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run 'go test ./generator -update' to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run 'go test ./generator -update' if the change is intended\n--- got\n%s", path, got)
	}
}

func loadConfig(t *testing.T, path string) *models.Config {
	t.Helper()
	cfg, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// configs are the configs with golden output: the shipped funnel.toml and
// the variants under testdata/configs.
func configs(t *testing.T) map[string]string {
	paths := map[string]string{"shipped": "../funnel.toml"}
	more, _ := filepath.Glob("testdata/configs/*.toml")
	for _, p := range more {
		paths[strings.TrimSuffix(filepath.Base(p), ".toml")] = p
	}
	return paths
}

func TestGolden(t *testing.T) {
	for name, path := range configs(t) {
		cfg := loadConfig(t, path)
		for _, d := range Dialects {
			t.Run(name+"/"+string(d), func(t *testing.T) {
				p, err := Render(cfg, templates.FS(), d)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range p.Files {
					golden(t, filepath.Join("testdata", "golden", name, string(d), f.Path), f.Data)
				}
			})
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	cfg := loadConfig(t, "../funnel.toml")
	a, err := Render(cfg, templates.FS(), MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		b, err := Render(loadConfig(t, "../funnel.toml"), templates.FS(), MaxCompute)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Files) != len(b.Files) {
			t.Fatal("file count differs between runs")
		}
		for j := range a.Files {
			if a.Files[j].Path != b.Files[j].Path || !bytes.Equal(a.Files[j].Data, b.Files[j].Data) {
				t.Fatalf("%s differs between runs", a.Files[j].Path)
			}
		}
	}
}

// The committed out/ must be exactly what the shipped funnel.toml renders.
func TestCommittedOutIsInSync(t *testing.T) {
	p, err := Render(loadConfig(t, "../funnel.toml"), templates.FS(), MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := Compare("../out", p.Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		t.Errorf("out/%s is %s; run 'go run ./cmd/fgen generate' and commit", c.Path, c.Kind)
	}
}

func TestGeneratedFilesFollowConventions(t *testing.T) {
	for name, path := range configs(t) {
		cfg := loadConfig(t, path)
		for _, d := range Dialects {
			p, err := Render(cfg, templates.FS(), d)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range p.Files {
				if !strings.HasSuffix(f.Path, ".sql") {
					continue
				}
				s := string(f.Data)
				where := name + "/" + string(d) + "/" + f.Path
				if !strings.HasPrefix(s, Header+"\n") {
					t.Errorf("%s: does not start with the generated-code header", where)
				}
				if !strings.HasSuffix(s, ";\n") || strings.HasSuffix(s, "\n\n") {
					t.Errorf("%s: must end with one statement terminator and one newline", where)
				}
				if strings.Contains(s, "\r") || strings.Contains(s, "\t") || strings.Contains(s, alignMark) {
					t.Errorf("%s: contains CR, tab or an alignment mark", where)
				}
				for i, line := range strings.Split(s, "\n") {
					if strings.TrimRight(line, " ") != line {
						t.Errorf("%s:%d: trailing space", where, i+1)
					}
				}
			}
		}
	}
}

// The RPT node reads the DW table once, filtered to the business date.
func TestReportNodeScansDWOnce(t *testing.T) {
	for name, path := range configs(t) {
		cfg := loadConfig(t, path)
		p, err := Render(cfg, templates.FS(), MaxCompute)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range p.Nodes {
			if n.Layer != "RPT" {
				continue
			}
			sql := string(n.SQL)
			dw := "`" + cfg.DW.Name + "`"
			if got := strings.Count(sql, "FROM "+dw); got != 1 {
				t.Errorf("%s/%s: reads %s %d times, want once", name, n.Name, dw, got)
			}
			day := "WHERE `" + cfg.DW.Partition + "` = '" + n.Params[0].Placeholder() + "'"
			twoDays := "WHERE `" + cfg.DW.Partition + "` IN ('${final_bizdate}', '${final_next_bizdate}')"
			if n.Hourly {
				// bizhour_day and bizhour: the hour partition of the day.
				day = "WHERE `" + cfg.DW.Partition + "` = '${bizhour_day}' AND `" + cfg.DW.HourPartition + "` = '${bizhour}'"
			}
			if !strings.Contains(sql, day) && !strings.Contains(sql, twoDays) {
				t.Errorf("%s/%s: no quoted partition filter on the business date", name, n.Name)
			}
			if strings.Contains(sql, "JOIN") {
				t.Errorf("%s/%s: joins; the funnel needs one scan", name, n.Name)
			}
		}
	}
}
