package plan

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/odpstest"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// dump (-dump DIR) writes every statement TestEveryMaxComputeStatement
// checks to DIR, one file each, for checking them with other tools, such as
// the official MaxCompute grammar.
var dump = flag.String("dump", "", "write every MaxCompute statement fgen generates or submits to this directory")

// maxComputeVariants are configs that between them use every template:
// the golden configs, and the shipped one with custom parameters.
func maxComputeVariants(t *testing.T) map[string]*models.Config {
	t.Helper()
	paths := map[string]string{"shipped": "../../funnel.toml"}
	more, err := filepath.Glob("../../generator/testdata/configs/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range more {
		paths[strings.TrimSuffix(filepath.Base(p), ".toml")] = p
	}
	out := map[string]*models.Config{}
	for name, p := range paths {
		cfg, err := models.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = cfg
	}
	out["custom"] = config(t, func(s string) string { return strings.Replace(s, `parameters = "system"`, `parameters = "custom"`, 1) })
	return out
}

// tableSpec is a generated table as the MaxCompute double holds it.
func tableSpec(tb generator.Table) odpstest.TableSpec {
	spec := odpstest.TableSpec{Name: tb.Name, PartitionKeys: []odpstest.Column{{Name: tb.Partition, Type: "STRING"}}}
	if tb.HourPartition != "" {
		spec.PartitionKeys = append(spec.PartitionKeys, odpstest.Column{Name: tb.HourPartition, Type: "STRING"})
	}
	for _, c := range tb.Columns {
		spec.Columns = append(spec.Columns, odpstest.Column{Name: c.Name, Type: c.Type})
	}
	return spec
}

// Every statement fgen generates or submits to MaxCompute, for every
// variant: the DDL, each node for a day, every kind of ALTER, the drop and
// create of a derived table, and the report read-back, passes what
// MaxCompute checks before it runs a statement (odpstest's Check, in a
// project of the 1.0 data type edition holding the project's tables), with
// the settings it is submitted with.
func TestEveryMaxComputeStatement(t *testing.T) {
	n := 0
	for name, cfg := range maxComputeVariants(t) {
		proj, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
		if err != nil {
			t.Fatal(err)
		}
		// A project of the 1.0 data type edition that holds the tables.
		srv := odpstest.NewServer(odpstest.WithTypeSystem1())
		defer srv.Close()
		for _, tb := range proj.Tables {
			srv.AddTable(tableSpec(tb))
		}
		check := func(what string, s generator.Script) {
			t.Helper()
			if len(s.Statements) == 0 {
				t.Errorf("%s/%s: no statements", name, what)
			}
			hints := map[string]string{}
			for _, st := range s.Settings {
				hints[st.Key] = st.Value
			}
			for i, st := range s.Statements {
				n++
				if err := srv.Check(st, hints); err != nil {
					t.Errorf("%s/%s statement %d: %v\n%s", name, what, i+1, err, st)
				} else if err := srv.CheckApply(st); err != nil {
					t.Errorf("%s/%s statement %d does not apply to the tables: %v\n%s", name, what, i+1, err, st)
				}
				if *dump != "" {
					file := filepath.Join(*dump, fmt.Sprintf("%s.%s.%d.sql", name, strings.ReplaceAll(what, "/", "."), i+1))
					one := generator.Script{Settings: s.Settings, Statements: []string{st}}
					if err := os.WriteFile(file, []byte(one.Text()), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		for _, tb := range proj.Tables {
			check("create/"+tb.Name, tb.Create)
			if tb.Layer != generator.LayerODS {
				s, err := proj.RecreateScript(tb)
				if err != nil {
					t.Fatal(err)
				}
				check("recreate/"+tb.Name, s)
			}
			// A new column of the last one's type and comment.
			added := tb.Columns[len(tb.Columns)-1]
			added.Name = "fgen_added"
			s, err := proj.RenderAlter(generator.Alter{Table: tb.Name, AddColumns: []models.Column{added},
				SetComment: true, Comment: "it's a \\ comment", SetLifecycle: true, Lifecycle: 30, ColumnComments: tb.Columns[:1]})
			if err != nil {
				t.Fatal(err)
			}
			check("alter/"+tb.Name, s)
		}
		for i := range proj.Nodes {
			nodeScript := proj.NodeScript
			if proj.Nodes[i].Hourly {
				nodeScript = func(n *generator.Node, day string) (generator.Script, error) {
					return proj.NodeHourScript(n, day, "07")
				}
			}
			s, err := nodeScript(&proj.Nodes[i], "20210303")
			if err != nil {
				t.Fatal(err)
			}
			check("node/"+proj.Nodes[i].Name, s)
		}
		for i := range cfg.Funnels {
			q, err := proj.ReportQuery(&cfg.Funnels[i], "20210301", "20210307")
			if err != nil {
				t.Fatal(err)
			}
			check("report/"+cfg.Funnels[i].Name, generator.Script{Settings: q.Settings, Statements: []string{q.SQL}})
		}
		// What plan, apply and report check the ODS rows with (internal/lint).
		columns, _ := cfg.KnownEvents()
		for _, col := range columns {
			q, err := proj.EventProfileQuery(col, "20210301", "20210307")
			if err != nil {
				t.Fatal(err)
			}
			check("profile/"+col, generator.Script{Settings: q.Settings, Statements: []string{q.SQL}})
		}
		for _, tc := range cfg.StringTimes() {
			q, err := proj.TimeProfileQuery(tc, "20210301", "20210307")
			if err != nil {
				t.Fatal(err)
			}
			check("times/"+tc.Name, generator.Script{Settings: q.Settings, Statements: []string{q.SQL}})
		}
		// The range profile of a DW column narrower than its ODS column's,
		// on every integer ODS column, with the widest bounds a narrower
		// type has (INT's) and the narrowest (TINYINT's).
		for _, c := range cfg.ODS.Columns {
			if _, _, ok := models.IntRange(c.Type); !ok {
				continue
			}
			for _, bounds := range [][2]int64{{math.MinInt32, math.MaxInt32}, {math.MinInt8, math.MaxInt8}} {
				q, err := proj.RangeProfileQuery(c.Name, bounds[0], bounds[1], "20210301", "20210307")
				if err != nil {
					t.Fatal(err)
				}
				check(fmt.Sprintf("ranges/%s_%d", c.Name, bounds[1]), generator.Script{Settings: q.Settings, Statements: []string{q.SQL}})
			}
		}
		// The marker profile of every breakdown column.
		for _, f := range cfg.Funnels {
			for _, b := range f.Breakdowns {
				q, err := proj.MarkerProfileQuery(b, []string{f.Report.TotalMarker, f.Report.OtherMarker}, "20210301", "20210307")
				if err != nil {
					t.Fatal(err)
				}
				check("markers/"+f.Name+"_"+b, generator.Script{Settings: q.Settings, Statements: []string{q.SQL}})
			}
		}
	}
	if n < 50 {
		t.Errorf("checked only %d statements", n)
	}
}
