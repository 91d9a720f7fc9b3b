package lineage_test

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/lineage"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

func shipped(t *testing.T) (*models.Config, *generator.Project) {
	t.Helper()
	cfg, err := models.Load("../../funnel.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, p
}

func render(t *testing.T, write func(io.Writer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestShipped(t *testing.T) {
	cfg, p := shipped(t)
	g := lineage.Build(cfg, p)
	for _, tc := range []struct {
		name  string
		write func(io.Writer) error
		want  string
	}{
		{"text", g.Text, `tables:
  ODS  ods_user_trace_data  source, not written by any node
  DW   dw_user_trace_data   written by node dw_user_trace_data
  RPT  rpt_user_trace_data  written by node rpt_user_trace_data
nodes:
  dw_user_trace_data   reads ods_user_trace_data, writes dw_user_trace_data
  rpt_user_trace_data  reads dw_user_trace_data, writes rpt_user_trace_data (funnel user_trace)
`},
		{"mermaid", g.Mermaid, `flowchart LR
    ods_user_trace_data[("ods_user_trace_data (ODS)")]
    dw_user_trace_data[("dw_user_trace_data (DW)")]
    rpt_user_trace_data[("rpt_user_trace_data (RPT)")]
    ods_user_trace_data --> dw_user_trace_data
    dw_user_trace_data --> rpt_user_trace_data
`},
		{"dot", g.DOT, `digraph lineage {
    rankdir=LR;
    "table:ods_user_trace_data" [shape=cylinder, label="ods_user_trace_data\nODS table"];
    "table:dw_user_trace_data" [shape=cylinder, label="dw_user_trace_data\nDW table"];
    "table:rpt_user_trace_data" [shape=cylinder, label="rpt_user_trace_data\nRPT table"];
    "node:dw_user_trace_data" [shape=box, label="dw_user_trace_data\nDW node"];
    "node:rpt_user_trace_data" [shape=box, label="rpt_user_trace_data\nRPT node"];
    "table:ods_user_trace_data" -> "node:dw_user_trace_data";
    "node:dw_user_trace_data" -> "table:dw_user_trace_data";
    "table:dw_user_trace_data" -> "node:rpt_user_trace_data";
    "node:rpt_user_trace_data" -> "table:rpt_user_trace_data";
}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.write)
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			// Deterministic: a second build renders the same bytes.
			again := lineage.Build(cfg, p)
			var w func(io.Writer) error
			switch tc.name {
			case "text":
				w = again.Text
			case "mermaid":
				w = again.Mermaid
			default:
				w = again.DOT
			}
			if render(t, w) != got {
				t.Error("a second build renders differently")
			}
		})
	}
}

func TestEdges(t *testing.T) {
	cfg, p := shipped(t)
	table := func(n string) lineage.Vertex { return lineage.Vertex{Kind: "table", Name: n} }
	node := func(n string) lineage.Vertex { return lineage.Vertex{Kind: "node", Name: n} }
	want := []lineage.Edge{
		{From: table("ods_user_trace_data"), To: node("dw_user_trace_data")},
		{From: node("dw_user_trace_data"), To: table("dw_user_trace_data")},
		{From: table("dw_user_trace_data"), To: node("rpt_user_trace_data")},
		{From: node("rpt_user_trace_data"), To: table("rpt_user_trace_data")},
	}
	if got := lineage.Build(cfg, p).Edges(); !reflect.DeepEqual(got, want) {
		t.Errorf("edges\n%v\nwant\n%v", got, want)
	}
}

// A node reading two tables, one of them not declared in the config, and a
// funnel whose node was not rendered.
func TestUndeclaredTables(t *testing.T) {
	cfg, _ := shipped(t)
	p := &generator.Project{Nodes: []generator.Node{
		{Name: "dw_user_trace_data", Inputs: []string{"ods_user_trace_data"}, Layer: "DW"},
		{Name: "rpt_joined", Inputs: []string{"dw_user_trace_data", "dim-users"}, Layer: "RPT", Funnel: "joined"},
	}}
	g := lineage.Build(cfg, p)
	wantText := `tables:
  ODS  ods_user_trace_data  source, not written by any node
  DW   dw_user_trace_data   written by node dw_user_trace_data
  RPT  rpt_user_trace_data  source, not written by any node
       dim-users            source, not written by any node
  RPT  rpt_joined           written by node rpt_joined
nodes:
  dw_user_trace_data  reads ods_user_trace_data, writes dw_user_trace_data
  rpt_joined          reads dw_user_trace_data, dim-users, writes rpt_joined (funnel joined)
`
	if got := render(t, g.Text); got != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", got, wantText)
	}
	wantMermaid := `flowchart LR
    ods_user_trace_data[("ods_user_trace_data (ODS)")]
    dw_user_trace_data[("dw_user_trace_data (DW)")]
    rpt_user_trace_data[("rpt_user_trace_data (RPT)")]
    dim_users[("dim-users")]
    rpt_joined[("rpt_joined (RPT)")]
    ods_user_trace_data --> dw_user_trace_data
    dw_user_trace_data --> rpt_joined
    dim_users --> rpt_joined
`
	if got := render(t, g.Mermaid); got != wantMermaid {
		t.Errorf("mermaid:\n%s\nwant:\n%s", got, wantMermaid)
	}
}

// A cross_midnight funnel's node reads the next day's DW partition too, and
// an hourly node one hour's partitions: each format says so on the edge.
func TestPartitionsRead(t *testing.T) {
	for _, tc := range []struct {
		config, text, mermaid, dot string
	}{
		{"modes.toml",
			"rpt_ordered_overnight  reads dw_user_trace_data (the day and the next), writes rpt_ordered_overnight (funnel ordered_overnight)\n",
			`dw_user_trace_data -->|"the day and the next"| rpt_ordered_overnight` + "\n",
			`"table:dw_user_trace_data" -> "node:rpt_ordered_overnight" [label="the day and the next"];` + "\n"},
		{"hourly.toml",
			"rpt_hourly_users    reads dw_events (hour by hour), writes rpt_hourly_users (funnel hourly_users)\n",
			`dw_events -->|"hour by hour"| rpt_hourly_users` + "\n",
			`"table:dw_events" -> "node:rpt_hourly_users" [label="hour by hour"];` + "\n"},
	} {
		t.Run(tc.config, func(t *testing.T) {
			cfg, err := models.Load("../../generator/testdata/configs/" + tc.config)
			if err != nil {
				t.Fatal(err)
			}
			p, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
			if err != nil {
				t.Fatal(err)
			}
			g := lineage.Build(cfg, p)
			for _, c := range []struct {
				write func(io.Writer) error
				want  string
			}{{g.Text, tc.text}, {g.Mermaid, tc.mermaid}, {g.DOT, tc.dot}} {
				if got := render(t, c.write); !strings.Contains(got, c.want) {
					t.Errorf("no %q in\n%s", c.want, got)
				}
			}
			// The day's own reads carry no label.
			if got := render(t, g.Mermaid); !strings.Contains(got, " --> ") {
				t.Errorf("no unlabelled edge in\n%s", got)
			}
		})
	}
}

// A table name Mermaid reads as a keyword (style, click, end), one that
// starts with a digit, and two that make the same id get ids of their own;
// the labels keep the names.
func TestMermaidIDs(t *testing.T) {
	cfg, _ := shipped(t)
	p := &generator.Project{Nodes: []generator.Node{
		{Name: "style", Inputs: []string{"ods_user_trace_data"}, Layer: "DW"},
		{Name: "click", Inputs: []string{"style", "a-b", "a_b", "2021_dim", "End"}, Layer: "RPT"},
	}}
	want := `flowchart LR
    ods_user_trace_data[("ods_user_trace_data (ODS)")]
    dw_user_trace_data[("dw_user_trace_data (DW)")]
    rpt_user_trace_data[("rpt_user_trace_data (RPT)")]
    t_style[("style (DW)")]
    a_b[("a-b")]
    t_a_b[("a_b")]
    t_2021_dim[("2021_dim")]
    t_End[("End")]
    t_click[("click (RPT)")]
    ods_user_trace_data --> t_style
    t_style --> t_click
    a_b --> t_click
    t_a_b --> t_click
    t_2021_dim --> t_click
    t_End --> t_click
`
	if got := render(t, lineage.Build(cfg, p).Mermaid); got != want {
		t.Errorf("mermaid:\n%s\nwant:\n%s", got, want)
	}
}
