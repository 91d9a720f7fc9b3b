package generator

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// update rewrites the golden files under testdata instead of comparing with them.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// flowspecConfig parses the repository's funnel.toml, after replacing old
// with new in its text (when old is not empty).
func flowspecConfig(t *testing.T, old, new string) *models.Config {
	t.Helper()
	if old == "" {
		cfg, err := models.Load("../funnel.toml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	data, err := os.ReadFile("../funnel.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("funnel.toml has no %q to replace", old)
	}
	cfg, err := models.Parse("funnel.toml", bytes.Replace(data, []byte(old), []byte(new), 1))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func flowspecRender(t *testing.T, cfg *models.Config) (*Project, File) {
	t.Helper()
	p, err := Render(cfg, templates.FS(), MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	f, err := FlowSpec(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	return p, f
}

// The parts of a FlowSpec document the tests look at.
type flowspecDoc struct {
	Version string `json:"version"`
	Kind    string `json:"kind"`
	Spec    struct {
		Workflows []struct {
			Name   string `json:"name"`
			Script struct {
				Path    string `json:"path"`
				Runtime struct {
					Command string `json:"command"`
				} `json:"runtime"`
			} `json:"script"`
			Trigger map[string]string `json:"trigger"`
			Nodes   []struct {
				Name          string            `json:"name"`
				InstanceMode  string            `json:"instanceMode"`
				RerunMode     string            `json:"rerunMode"`
				RerunTimes    int               `json:"rerunTimes"`
				RerunInterval int64             `json:"rerunInterval"`
				Trigger       map[string]string `json:"trigger"`
				Script        struct {
					Path     string `json:"path"`
					Language string `json:"language"`
					Runtime  struct {
						Command string `json:"command"`
					} `json:"runtime"`
					Content    *string             `json:"content"`
					Parameters []map[string]string `json:"parameters"`
				} `json:"script"`
				Outputs struct {
					NodeOutputs []map[string]string `json:"nodeOutputs"`
				} `json:"outputs"`
			} `json:"nodes"`
			Dependencies []struct {
				NodeID  string              `json:"nodeId"`
				Depends []map[string]string `json:"depends"`
			} `json:"dependencies"`
		} `json:"workflows"`
	} `json:"spec"`
}

func parseFlowspecDoc(t *testing.T, data []byte) flowspecDoc {
	t.Helper()
	var s flowspecDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("FlowSpec does not parse: %v", err)
	}
	if len(s.Spec.Workflows) != 1 {
		t.Fatalf("got %d workflows, want 1", len(s.Spec.Workflows))
	}
	return s
}

// flowspecDepends returns, per node name, the outputs it depends on.
func flowspecDepends(s flowspecDoc) map[string][]string {
	m := map[string][]string{}
	for _, d := range s.Spec.Workflows[0].Dependencies {
		for _, dep := range d.Depends {
			m[d.NodeID] = append(m[d.NodeID], dep["output"])
		}
	}
	return m
}

func TestFlowSpecShipped(t *testing.T) {
	cfg := flowspecConfig(t, "", "")
	p, f := flowspecRender(t, cfg)
	ws := cfg.Project.Workspace

	t.Run("path", func(t *testing.T) {
		if want := "dataworks/" + cfg.DataWorks.Workflow + ".json"; f.Path != want {
			t.Errorf("path %q, want %q", f.Path, want)
		}
	})
	t.Run("format", func(t *testing.T) {
		if !bytes.HasSuffix(f.Data, []byte("}\n")) || bytes.HasSuffix(f.Data, []byte("\n\n")) {
			t.Error("want exactly one trailing newline")
		}
		if !bytes.HasPrefix(f.Data, []byte("{\n  \"version\": ")) {
			t.Errorf("want 2-space indent and version first, got %.40q", f.Data)
		}
		var again bytes.Buffer
		if err := json.Indent(&again, f.Data, "", "  "); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), f.Data) {
			t.Error("not in canonical 2-space indented form")
		}
		_, f2 := flowspecRender(t, cfg)
		if !bytes.Equal(f.Data, f2.Data) {
			t.Error("two renders differ")
		}
	})

	s := parseFlowspecDoc(t, f.Data)
	wf := s.Spec.Workflows[0]
	t.Run("workflow", func(t *testing.T) {
		if s.Version != "1.1.0" || s.Kind != "CycleWorkflow" {
			t.Errorf("version %q kind %q", s.Version, s.Kind)
		}
		if wf.Name != cfg.DataWorks.Workflow || wf.Script.Path != cfg.DataWorks.Workflow || wf.Script.Runtime.Command != "WORKFLOW" {
			t.Errorf("workflow name %q script %+v", wf.Name, wf.Script)
		}
		want := map[string]string{"type": "Scheduler", "cron": "00 30 02 * * ?", "startTime": "1970-01-01 00:00:00", "endTime": "9999-01-01 00:00:00", "timezone": "Asia/Shanghai"}
		if !reflect.DeepEqual(wf.Trigger, want) {
			t.Errorf("trigger %v, want %v", wf.Trigger, want)
		}
	})

	t.Run("nodes", func(t *testing.T) {
		if len(wf.Nodes) != len(p.Nodes) {
			t.Fatalf("%d nodes, want %d", len(wf.Nodes), len(p.Nodes))
		}
		for i, n := range wf.Nodes {
			pn := p.Nodes[i]
			if n.Name != pn.Name {
				t.Errorf("node %d is %q, want %q (the table it writes)", i, n.Name, pn.Name)
			}
			out := n.Outputs.NodeOutputs
			wantOut := []map[string]string{{"data": ws + "." + pn.Name, "artifactType": "NodeOutput", "refTableName": pn.Name}}
			if !reflect.DeepEqual(out, wantOut) {
				t.Errorf("node %s outputs %v, want %v", n.Name, out, wantOut)
			}
			if n.Script.Path != cfg.DataWorks.Workflow+"/"+pn.Name || n.Script.Language != "odps-sql" || n.Script.Runtime.Command != "ODPS_SQL" {
				t.Errorf("node %s script path %q language %q command %q", n.Name, n.Script.Path, n.Script.Language, n.Script.Runtime.Command)
			}
			if n.Script.Content == nil || *n.Script.Content != string(pn.SQL) {
				t.Errorf("node %s content differs from the rendered SQL", n.Name)
			}
			disk, err := os.ReadFile(filepath.Join("..", "out", "nodes", pn.Name+".sql"))
			if err != nil {
				t.Error(err)
			} else if n.Script.Content == nil || *n.Script.Content != string(disk) {
				t.Errorf("node %s content differs from out/nodes/%s.sql; run 'fgen generate'?", n.Name, pn.Name)
			}
			if n.Script.Parameters == nil || len(n.Script.Parameters) != 0 {
				t.Errorf("node %s parameters %v, want [] with ${bdp.system.bizdate}", n.Name, n.Script.Parameters)
			}
			if n.InstanceMode != "T+1" || n.RerunMode != "Allowed" || n.RerunTimes != 3 || n.RerunInterval != 120000 {
				t.Errorf("node %s instanceMode %q rerunMode %q rerunTimes %d rerunInterval %d", n.Name, n.InstanceMode, n.RerunMode, n.RerunTimes, n.RerunInterval)
			}
			if !reflect.DeepEqual(n.Trigger, wf.Trigger) {
				t.Errorf("node %s trigger %v, want the workflow's %v", n.Name, n.Trigger, wf.Trigger)
			}
		}
	})

	t.Run("dependencies", func(t *testing.T) {
		outputs := map[string]bool{ws + "_root": true}
		names := map[string]bool{}
		for _, n := range wf.Nodes {
			names[n.Name] = true
			for _, o := range n.Outputs.NodeOutputs {
				outputs[o["data"]] = true
			}
		}
		if len(wf.Dependencies) != len(wf.Nodes) {
			t.Errorf("%d dependency entries for %d nodes", len(wf.Dependencies), len(wf.Nodes))
		}
		for _, d := range wf.Dependencies {
			if !names[d.NodeID] {
				t.Errorf("dependency of unknown node %q", d.NodeID)
			}
			if len(d.Depends) == 0 {
				t.Errorf("node %s depends on nothing", d.NodeID)
			}
			for _, dep := range d.Depends {
				if dep["type"] != "Normal" || !outputs[dep["output"]] {
					t.Errorf("node %s depends on %v: not Normal or not an output of any node nor the root", d.NodeID, dep)
				}
			}
		}
		deps := flowspecDepends(s)
		if want := []string{ws + "_root"}; !reflect.DeepEqual(deps[cfg.DW.Name], want) {
			t.Errorf("DW node depends on %v, want %v", deps[cfg.DW.Name], want)
		}
		for _, f := range cfg.Funnels {
			if want := []string{ws + "." + cfg.DW.Name}; !reflect.DeepEqual(deps[f.Report.Table], want) {
				t.Errorf("RPT node %s depends on %v, want %v", f.Report.Table, deps[f.Report.Table], want)
			}
		}
	})

	t.Run("no ids", func(t *testing.T) {
		var doc any
		if err := json.Unmarshal(f.Data, &doc); err != nil {
			t.Fatal(err)
		}
		flowspecWalk(doc, "", func(path, key string, v any) {
			k := strings.ToLower(key)
			if k == "id" || k == "uuid" || strings.HasSuffix(k, "id") && k != "nodeid" {
				t.Errorf("%s: key %q looks like an id", path, key)
			}
			if k == "nodeid" {
				if _, ok := v.(string); !ok {
					t.Errorf("%s: nodeId %v is not a node name", path, v)
				}
			}
			if n, ok := v.(float64); ok && key != "rerunTimes" && key != "rerunInterval" {
				t.Errorf("%s: unexpected number %v", path, n)
			}
		})
	})

	t.Run("golden", func(t *testing.T) {
		golden := filepath.Join("testdata", "flowspec", cfg.DataWorks.Workflow+".json")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v; run 'go test ./generator -run TestFlowSpec -update'", err)
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("FlowSpec differs from %s; if the change is intended, run 'go test ./generator -run TestFlowSpec -update'\ngot:\n%s", golden, f.Data)
		}
	})
}

// flowspecWalk calls fn for every object member of a decoded JSON document.
func flowspecWalk(v any, path string, fn func(path, key string, v any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := path + "." + k
			fn(p, k, e)
			flowspecWalk(e, p, fn)
		}
	case []any:
		for i, e := range v {
			flowspecWalk(e, path+"["+strconv.Itoa(i)+"]", fn)
		}
	}
}

func TestFlowSpecCustomParameters(t *testing.T) {
	cfg := flowspecConfig(t, `parameters = "system"`, `parameters = "custom"`)
	p, f := flowspecRender(t, cfg)
	s := parseFlowspecDoc(t, f.Data)
	want := []map[string]string{{"name": "bizdate", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$bizdate"}}
	for i, n := range s.Spec.Workflows[0].Nodes {
		sql := string(p.Nodes[i].SQL)
		if !strings.Contains(sql, "${bizdate}") || strings.Contains(sql, "${bdp.system.bizdate}") {
			t.Errorf("node %s: custom style should render ${bizdate} only", n.Name)
		}
		if !reflect.DeepEqual(n.Script.Parameters, want) {
			t.Errorf("node %s parameters %v, want %v", n.Name, n.Script.Parameters, want)
		}
		if n.Script.Content == nil || *n.Script.Content != sql {
			t.Errorf("node %s content differs from its SQL", n.Name)
		}
	}
}

func TestFlowSpecODSProducer(t *testing.T) {
	cfg := flowspecConfig(t, `# ods_producer = "user_trace.ods_user_trace_data"`, `ods_producer = "user_trace.ods_user_trace_data"`)
	_, f := flowspecRender(t, cfg)
	deps := flowspecDepends(parseFlowspecDoc(t, f.Data))
	if want := []string{"user_trace.ods_user_trace_data"}; !reflect.DeepEqual(deps[cfg.DW.Name], want) {
		t.Errorf("DW node depends on %v, want %v", deps[cfg.DW.Name], want)
	}
	if want := []string{"user_trace." + cfg.DW.Name}; !reflect.DeepEqual(deps["rpt_user_trace_data"], want) {
		t.Errorf("RPT node depends on %v, want %v", deps["rpt_user_trace_data"], want)
	}
}

// flowspecProject is a project whose RPT node runs the given SQL.
func flowspecProject(cfg *models.Config, rptSQL string) *Project {
	return &Project{Nodes: []Node{
		{Name: cfg.DW.Name, Inputs: []string{cfg.ODS.Name}, Layer: "DW", SQL: []byte("SELECT '${bdp.system.bizdate}';\n")},
		{Name: "rpt_x", Inputs: []string{cfg.DW.Name}, Layer: "RPT", SQL: []byte(rptSQL)},
	}}
}

func TestFlowSpecParameters(t *testing.T) {
	cfg := flowspecConfig(t, "", "")
	for _, tc := range []struct {
		name, sql string
		want      []map[string]string
	}{
		{"system only", "SELECT '${bdp.system.bizdate}', '${bdp.system.cyctime}';\n", []map[string]string{}},
		{"bizdate", "SELECT '${bizdate}', '${bizdate}';\n", []map[string]string{
			{"name": "bizdate", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$bizdate"},
		}},
		{"next day, sorted by name", "SELECT '${next_bizdate}', '${bizdate}';\n", []map[string]string{
			{"name": "bizdate", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$bizdate"},
			{"name": "next_bizdate", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$[yyyymmdd]"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FlowSpec(cfg, flowspecProject(cfg, tc.sql))
			if err != nil {
				t.Fatal(err)
			}
			got := parseFlowspecDoc(t, f.Data).Spec.Workflows[0].Nodes[1].Script.Parameters
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parameters %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFlowSpecErrors(t *testing.T) {
	cfg := flowspecConfig(t, "", "")
	for _, tc := range []struct {
		name string
		p    *Project
		want string
	}{
		{"unknown placeholder", flowspecProject(cfg, "SELECT '${yyyymmdd-1}';\n"),
			"flowspec: node rpt_x uses ${yyyymmdd-1}, a scheduling parameter fgen cannot assign; known parameters: ${bizdate}, ${final_bizdate}, ${final_next_bizdate}, ${next_bizdate}, or ${bdp.system.bizdate}"},
		{"input nobody writes", &Project{Nodes: []Node{{Name: "rpt_y", Inputs: []string{"dim_z"}, SQL: []byte("SELECT 1;\n")}}},
			"flowspec: node rpt_y reads dim_z, which no node writes and which is not the ODS table ods_user_trace_data"},
		{"two producers", &Project{Nodes: []Node{{Name: "t", SQL: []byte("SELECT 1;\n")}, {Name: "t", SQL: []byte("SELECT 2;\n")}}},
			"flowspec: two nodes write table t; DataWorks wants one producer per table"},
		{"invalid UTF-8", flowspecProject(cfg, "SELECT '\xff';\n"),
			"flowspec: node rpt_x: SQL is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FlowSpec(cfg, tc.p)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v\nwant      %s", err, tc.want)
			}
		})
	}
}
