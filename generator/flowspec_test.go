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
			ID      string            `json:"id"`
			Nodes   []struct {
				ID            string            `json:"id"`
				Name          string            `json:"name"`
				Recurrence    string            `json:"recurrence"`
				Datasource    map[string]string `json:"datasource"`
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
				Inputs struct {
					NodeOutputs []map[string]any `json:"nodeOutputs"`
				} `json:"inputs"`
				Outputs struct {
					NodeOutputs []map[string]any `json:"nodeOutputs"`
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

// flowspecDepends returns, per node name, the outputs its dependency entry
// names (the entry names the node by id).
func flowspecDepends(s flowspecDoc) map[string][]string {
	names := map[string]string{}
	for _, n := range s.Spec.Workflows[0].Nodes {
		names[n.ID] = n.Name
	}
	m := map[string][]string{}
	for _, d := range s.Spec.Workflows[0].Dependencies {
		for _, dep := range d.Depends {
			m[names[d.NodeID]] = append(m[names[d.NodeID]], dep["output"])
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
			wantOut := []map[string]any{{"data": ws + "." + pn.Name, "artifactType": "NodeOutput", "refTableName": pn.Name, "isDefault": true}}
			if !reflect.DeepEqual(out, wantOut) {
				t.Errorf("node %s outputs %v, want %v", n.Name, out, wantOut)
			}
			if want := FlowSpecID(cfg, pn.Name); n.ID != want {
				t.Errorf("node %s id %q, want %q", n.Name, n.ID, want)
			}
			if n.Recurrence != "Normal" {
				t.Errorf("node %s recurrence %q, want Normal", n.Name, n.Recurrence)
			}
			if want := map[string]string{"name": "odps_first", "type": "odps"}; !reflect.DeepEqual(n.Datasource, want) {
				t.Errorf("node %s datasource %v, want %v", n.Name, n.Datasource, want)
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
		for _, n := range wf.Nodes {
			for _, o := range n.Outputs.NodeOutputs {
				outputs[o["data"].(string)] = true
			}
		}
		if len(wf.Dependencies) != len(wf.Nodes) {
			t.Errorf("%d dependency entries for %d nodes", len(wf.Dependencies), len(wf.Nodes))
		}
		ids := map[string]bool{}
		for _, n := range wf.Nodes {
			ids[n.ID] = true
		}
		for _, d := range wf.Dependencies {
			if !ids[d.NodeID] {
				t.Errorf("dependency of unknown node id %q", d.NodeID)
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

	t.Run("ids", func(t *testing.T) {
		// Stable across generations (the golden file holds them), distinct,
		// and not numbers: DataWorks' own ids are, and an imported id that
		// exists updates that node.
		seen := map[string]bool{wf.ID: true}
		for _, n := range wf.Nodes {
			if seen[n.ID] {
				t.Errorf("id %q used twice", n.ID)
			}
			seen[n.ID] = true
			if _, err := strconv.ParseInt(n.ID, 10, 64); err == nil || !strings.HasPrefix(n.ID, "fgen.") {
				t.Errorf("node %s id %q: want a non-numeric fgen.<workspace>.<workflow>.<node>", n.Name, n.ID)
			}
		}
		other := flowspecConfig(t, `workflow = "user_trace_funnel"`, `workflow = "other_funnel"`)
		if FlowSpecID(other, cfg.DW.Name) == FlowSpecID(cfg, cfg.DW.Name) {
			t.Error("two workflows give their DW node the same id")
		}
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

// A cron written with more spaces than one between its fields, which
// validate reads field by field, goes to DataWorks in its usual form.
func TestFlowSpecCronSpaces(t *testing.T) {
	cfg := flowspecConfig(t, `cron = "00 30 02 * * ?"`, `cron = " 00  30 02 * * ? "`)
	_, f := flowspecRender(t, cfg)
	if !strings.Contains(string(f.Data), `"cron": "00 30 02 * * ?"`) {
		t.Errorf("FlowSpec:\n%s", f.Data)
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

// flowspecProject is a project whose RPT node uses the given parameters.
func flowspecProject(cfg *models.Config, params ...Param) *Project {
	return &Project{Nodes: []Node{
		{Name: cfg.DW.Name, Inputs: []string{cfg.ODS.Name}, Layer: "DW", Params: []Param{paramSystemBizdate}, SQL: []byte("SELECT '${bdp.system.bizdate}';\n")},
		{Name: "rpt_x", Inputs: []string{cfg.DW.Name}, Layer: "RPT", Params: params, SQL: []byte("SELECT 1;\n")},
	}}
}

func TestFlowSpecParameters(t *testing.T) {
	cfg := flowspecConfig(t, "", "")
	for _, tc := range []struct {
		name   string
		params []Param
		want   []map[string]string
	}{
		{"system only", []Param{paramSystemBizdate}, []map[string]string{}},
		{"bizdate", []Param{paramBizdate}, []map[string]string{
			{"name": "bizdate", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$bizdate"},
		}},
		{"cross_midnight", []Param{paramFinal, paramFinalNext}, []map[string]string{
			{"name": "final_bizdate", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$[yyyymmdd-2]"},
			{"name": "final_next_bizdate", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$[yyyymmdd-1]"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FlowSpec(cfg, flowspecProject(cfg, tc.params...))
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
		{"input nobody writes", &Project{Nodes: []Node{{Name: "rpt_y", Inputs: []string{"dim_z"}, SQL: []byte("SELECT 1;\n")}}},
			"flowspec: node rpt_y reads dim_z, which no node writes and which is not the ODS table ods_user_trace_data"},
		{"two producers", &Project{Nodes: []Node{{Name: "t", SQL: []byte("SELECT 1;\n")}, {Name: "t", SQL: []byte("SELECT 2;\n")}}},
			"flowspec: two nodes write table t; DataWorks wants one producer per table"},
		{"invalid UTF-8", &Project{Nodes: []Node{{Name: "rpt_x", SQL: []byte("SELECT '\xff';\n")}}},
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

// Hourly nodes (an hourly DW, hourly reports) run on the hourly cron, each
// run computing the hour before it; daily nodes keep the daily cron, also
// when they read an hourly table.
func TestFlowSpecHourlyNodes(t *testing.T) {
	cfg := loadConfig(t, "testdata/configs/hourly.toml")
	p, f := flowspecRender(t, cfg)
	s := parseFlowspecDoc(t, f.Data)
	hourly := []map[string]string{
		{"name": "bizhour", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$[hh24-1/24]"},
		{"name": "bizhour_day", "artifactType": "Variable", "scope": "NodeParameter", "type": "System", "value": "$[yyyymmdd-1/24]"},
	}
	want := map[string]bool{"dw_events": true, "rpt_daily_events": false, "rpt_hourly_ordered": true, "rpt_hourly_users": true}
	for i, n := range s.Spec.Workflows[0].Nodes {
		if p.Nodes[i].Hourly != want[n.Name] {
			t.Errorf("node %s: Hourly = %v, want %v", n.Name, p.Nodes[i].Hourly, want[n.Name])
		}
		sql := string(p.Nodes[i].SQL)
		if want[n.Name] {
			if n.Trigger["cron"] != "00 15 00-23/1 * * ?" {
				t.Errorf("hourly node %s: cron %q, want hourly_cron", n.Name, n.Trigger["cron"])
			}
			if !reflect.DeepEqual(n.Script.Parameters, hourly) {
				t.Errorf("hourly node %s: parameters %v, want %v", n.Name, n.Script.Parameters, hourly)
			}
			if !strings.Contains(sql, "= '${bizhour_day}' AND `hh` = '${bizhour}'") {
				t.Errorf("hourly node %s reads no hour partition:\n%s", n.Name, sql)
			}
			continue
		}
		if n.Trigger["cron"] != cfg.DataWorks.Cron || strings.Contains(sql, "bizhour") {
			t.Errorf("daily node %s: cron %q, or an hour parameter in its SQL", n.Name, n.Trigger["cron"])
		}
		if !strings.Contains(sql, "WHERE `dt` = '${bizdate}'\n") {
			t.Errorf("daily node %s should read every hour of its day of the hourly DW:\n%s", n.Name, sql)
		}
	}
	if got := s.Spec.Workflows[0].Trigger["cron"]; got != cfg.DataWorks.Cron {
		t.Errorf("workflow cron %q, want the daily cron", got)
	}
}
