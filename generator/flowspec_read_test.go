package generator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/models"
)

// dataworksRead reads a FlowSpec document the way DataWorks does on import,
// and returns, per node name, the upstream outputs it would get, or the
// problems that make DataWorks lose or refuse part of the workflow. It
// follows the official parser, github.com/aliyun/dataworks-spec (module
// spec, paths under src/main/java/com/aliyun/dataworks/common/spec/), as
// read and run on 2026-12-03:
//
//   - Enum fields must be one of their labels, or the parser throws
//     (utils/SpecDevUtil.java, domain/enums/*): recurrence, instanceMode,
//     rerunMode, trigger.type, depends[].type, artifactType.
//   - A node is registered by its id, and only when it has one
//     (utils/SpecDevUtil.java, "SpecNode#"+id). A dependency's nodeId is
//     resolved against those ids, never names; one that matches no id is
//     silently attached to a detached stub node (parser/ToDomainRootParser.java).
//   - The node adapter's inputs are the node's declared inputs.nodeOutputs,
//     then every Normal depend's output (domain/dw/nodemodel/
//     DataWorksNodeInputOutputAdapter.java getInputList), and its node type
//     needs recurrence, unless the trigger is Manual ("not support node
//     type", domain/dw/nodemodel/DataWorksNodeAdapter.java getNodeType).
//   - The data source is a node field {name, type} (domain/ref/SpecNode.java,
//     SpecDatasource.java); the script has none.
//   - A trigger's cron is a plain string to the parser (domain/ref/
//     SpecTrigger.java): run on 2026-12-03, it took 5- and 7-field crons and
//     "every hour" alike, so a node's schedule (a daily node's cron, an
//     hourly node's hourly_cron) is checked by models (checkCron,
//     checkHourlyCron), not here. Each node has its own trigger: DataWorks
//     schedules it by its own cron, and a daily node that depends on an
//     hourly one waits for that node's instances of the day.
//
// And what DataWorks needs of a workflow beyond parsing it: every output a
// node depends on is some node's output, the workspace root, or one of
// external, outputs of nodes elsewhere in the workspace (an ODS sync node).
func dataworksRead(data []byte, workspace string, external ...string) (map[string][]string, []string) {
	var doc struct {
		Kind string `json:"kind"`
		Spec struct {
			Workflows []struct {
				Trigger struct {
					Type string `json:"type"`
				} `json:"trigger"`
				Nodes []struct {
					ID           *string `json:"id"`
					Name         string  `json:"name"`
					Recurrence   *string `json:"recurrence"`
					InstanceMode string  `json:"instanceMode"`
					RerunMode    string  `json:"rerunMode"`
					Datasource   *struct {
						Name string `json:"name"`
						Type string `json:"type"`
					} `json:"datasource"`
					Trigger struct {
						Type string `json:"type"`
					} `json:"trigger"`
					Inputs struct {
						NodeOutputs []struct {
							Data         string `json:"data"`
							ArtifactType string `json:"artifactType"`
						} `json:"nodeOutputs"`
					} `json:"inputs"`
					Outputs struct {
						NodeOutputs []struct {
							Data         string `json:"data"`
							ArtifactType string `json:"artifactType"`
						} `json:"nodeOutputs"`
					} `json:"outputs"`
				} `json:"nodes"`
				Dependencies []struct {
					NodeID  string `json:"nodeId"`
					Depends []struct {
						Type   string `json:"type"`
						Output string `json:"output"`
					} `json:"depends"`
				} `json:"dependencies"`
			} `json:"workflows"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, []string{"not JSON: " + err.Error()}
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	label := func(what, got string, labels ...string) {
		for _, l := range labels {
			if strings.EqualFold(got, l) {
				return
			}
		}
		bad("%s %q: Enum not found (want one of %v)", what, got, labels)
	}
	if doc.Kind != "CycleWorkflow" {
		bad("kind %q", doc.Kind)
	}
	inputs := map[string][]string{}
	for _, wf := range doc.Spec.Workflows {
		byID := map[string]int{}
		outputs := map[string]bool{workspace + "_root": true}
		for _, o := range external {
			outputs[o] = true
		}
		for i, n := range wf.Nodes {
			for _, o := range n.Outputs.NodeOutputs {
				outputs[o.Data] = true
				label("output artifactType", o.ArtifactType, "NodeOutput", "Table", "Variable", "File")
			}
			if n.ID == nil || *n.ID == "" {
				bad("node %s has no id: no dependency can reach it", n.Name)
				continue
			}
			if _, dup := byID[strings.ToLower(*n.ID)]; dup {
				bad("node id %q used twice", *n.ID)
			}
			byID[strings.ToLower(*n.ID)] = i
		}
		for _, n := range wf.Nodes {
			switch {
			case n.Recurrence == nil && !strings.EqualFold(n.Trigger.Type, "Manual"):
				bad("node %s: not support node type (no recurrence)", n.Name)
			case n.Recurrence != nil:
				label("node "+n.Name+" recurrence", *n.Recurrence, "Normal", "Pause", "Skip")
			}
			label("node "+n.Name+" instanceMode", n.InstanceMode, "T+1", "Immediately")
			label("node "+n.Name+" rerunMode", n.RerunMode, "Allowed", "Denied", "FailureAllowed")
			label("node "+n.Name+" trigger.type", n.Trigger.Type, "Scheduler", "Manual", "Streaming")
			if n.Datasource == nil || n.Datasource.Name == "" || n.Datasource.Type != "odps" {
				bad("node %s: no odps data source", n.Name)
			}
			for _, in := range n.Inputs.NodeOutputs {
				label("input artifactType", in.ArtifactType, "NodeOutput", "Table", "Variable", "File")
				inputs[n.Name] = append(inputs[n.Name], in.Data)
				if !outputs[in.Data] {
					bad("node %s: input %s is no node's output nor the root", n.Name, in.Data)
				}
			}
		}
		for _, d := range wf.Dependencies {
			i, ok := byID[strings.ToLower(d.NodeID)]
			if !ok {
				bad("dependency of nodeId %q: no node has that id, so DataWorks drops it", d.NodeID)
				continue
			}
			name := wf.Nodes[i].Name
			for _, dep := range d.Depends {
				label("depends type", dep.Type, "Normal", "CrossCycleDependsOnSelf", "CrossCycleDependsOnChildren", "CrossCycleDependsOnOtherNode")
				if !outputs[dep.Output] {
					bad("node %s depends on %s, no node's output nor the root", name, dep.Output)
				}
				if strings.EqualFold(dep.Type, "Normal") {
					inputs[name] = append(inputs[name], dep.Output)
				}
			}
		}
	}
	return inputs, problems
}

// The double above rejects what DataWorks' parser loses: the FlowSpec fgen
// wrote before node ids (dependencies naming nodes by name) fails it.
func TestDataWorksReadRejectsNameLinks(t *testing.T) {
	old := `{"kind": "CycleWorkflow", "spec": {"workflows": [{"trigger": {"type": "Scheduler"},
	  "nodes": [{"name": "dw", "instanceMode": "T+1", "rerunMode": "Allowed", "trigger": {"type": "Scheduler"},
	             "outputs": {"nodeOutputs": [{"data": "ws.dw", "artifactType": "NodeOutput"}]}}],
	  "dependencies": [{"nodeId": "dw", "depends": [{"type": "Normal", "output": "ws_root"}]}]}]}}`
	_, problems := dataworksRead([]byte(old), "ws")
	unknown := strings.NewReplacer(`"ws_root"`, `"ws.ods"`, `"nodeId": "dw"`, `"nodeId": "n1"`, `{"name": "dw",`, `{"id": "n1", "name": "dw",`).Replace(old)
	if _, problems := dataworksRead([]byte(unknown), "ws"); !slices.ContainsFunc(problems, func(p string) bool {
		return strings.Contains(p, "depends on ws.ods, no node's output")
	}) {
		t.Errorf("an output nothing produces passes: %q", problems)
	}
	for _, want := range []string{"node dw has no id", "not support node type", "no odps data source", `nodeId "dw": no node has that id`} {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("problems %q lack %q", problems, want)
		}
	}
}

// Every FlowSpec fgen renders reads back whole: each dependency reaches its
// node, and each node gets exactly the upstream outputs of the tables it
// reads, declared and depended on.
func TestFlowSpecReadsBackAsDataWorks(t *testing.T) {
	variants := map[string]*models.Config{}
	for name, path := range configs(t) {
		variants[name] = loadConfig(t, path)
	}
	variants["shipped/custom"] = flowspecConfig(t, `parameters = "system"`, `parameters = "custom"`)
	variants["shipped/ods_producer"] = flowspecConfig(t, `# ods_producer = "user_trace.ods_user_trace_data"`, `ods_producer = "user_trace.ods_user_trace_data"`)
	// A daily DW node on an hourly sync node elsewhere in the workspace.
	hourlyODS := loadConfig(t, "testdata/configs/hourly_ods.toml")
	hourlyODS.DataWorks.ODSProducer = "shop.ods_events"
	variants["hourly_ods/ods_producer"] = hourlyODS
	for name, cfg := range variants {
		t.Run(name, func(t *testing.T) {
			p, f := flowspecRender(t, cfg)
			var external []string
			if cfg.DataWorks.ODSProducer != "" {
				external = append(external, cfg.DataWorks.ODSProducer)
			}
			inputs, problems := dataworksRead(f.Data, cfg.Project.Workspace, external...)
			for _, pr := range problems {
				t.Error(pr)
			}
			ws := cfg.Project.Workspace
			for _, n := range p.Nodes {
				var want []string
				for _, in := range n.Inputs {
					switch {
					case in == cfg.ODS.Name && cfg.DataWorks.ODSProducer != "":
						want = append(want, cfg.DataWorks.ODSProducer)
					case in == cfg.ODS.Name:
						want = append(want, ws+"_root")
					default:
						want = append(want, ws+"."+in)
					}
				}
				// Declared once as inputs, once as dependencies.
				want = append(want, want...)
				if !slices.Equal(inputs[n.Name], want) {
					t.Errorf("node %s gets upstream %v, want %v", n.Name, inputs[n.Name], want)
				}
			}
		})
	}
}
