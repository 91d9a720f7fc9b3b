package generator

import (
	"encoding/json"
	"fmt"
	"regexp"
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
//     hourly one waits for that node's instances of the day. Run on
//     2026-12-03, the parser gave each node of the hourly golden workflow
//     its own cron (the hourly nodes "00 15 00-23/1 * * ?", the daily one
//     the workflow's), not the workflow's.
//   - A script parameter needs a scope and a type among their labels, or
//     the parser throws ("invalid value Node for field scope of variable",
//     "invalid variable type Sys": parser/impl/SpecVariableParser.java,
//     domain/enums/VariableScopeType.java, VariableType.java); a missing
//     name reads as "unnamed". What the node runs with is the adapter's
//     parameter value (DataWorksNodeAdapter getParaValue): for an ODPS SQL
//     node, name=value of every parameter in document order, joined by
//     spaces ("bizhour=$[hh24-1/24] bizhour_day=$[yyyymmdd-1/24]" for an
//     hourly node, run on 2026-12-03), unless a parameter has the type
//     NoKvVariableExpression, whose value is then the whole of it.
//     DataWorks replaces each ${name} of the code with the value of name
//     there; ${bdp.system.*} needs no parameter.
//
// And what DataWorks needs of a workflow beyond parsing it: every output a
// node depends on is some node's output, the workspace root, or one of
// external, outputs of nodes elsewhere in the workspace (an ODS sync node).
func dataworksRead(data []byte, workspace string, external ...string) (map[string]*readNode, []string) {
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
						Cron string `json:"cron"`
					} `json:"trigger"`
					Script struct {
						Content    string `json:"content"`
						Parameters []struct {
							Name  *string `json:"name"`
							Scope string  `json:"scope"`
							Type  string  `json:"type"`
							Value string  `json:"value"`
						} `json:"parameters"`
					} `json:"script"`
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
	read := map[string]*readNode{}
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
			rn := &readNode{Cron: n.Trigger.Cron, Code: n.Script.Content}
			read[n.Name] = rn
			var kv []string
			for _, p := range n.Script.Parameters {
				name := "unnamed"
				if p.Name != nil {
					name = *p.Name
				}
				if p.Scope == "" || p.Type == "" {
					bad("node %s: parameter %s: scope and type are required", n.Name, name)
					continue
				}
				label("node "+n.Name+" parameter "+name+" scope", p.Scope, "Tenant", "Workspace", "Workflow", "NodeParameter", "NodeContext")
				label("node "+n.Name+" parameter "+name+" type", p.Type, "NoKvVariableExpression", "System", "Constant", "NodeOutput", "PassThrough")
				if strings.EqualFold(p.Type, "NoKvVariableExpression") {
					bad("node %s: parameter %s is a NoKvVariableExpression: the node's parameters would be its value alone", n.Name, name)
				}
				kv = append(kv, name+"="+p.Value)
			}
			rn.Params = strings.Join(kv, " ")
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
				rn.Inputs = append(rn.Inputs, in.Data)
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
			children := false
			for _, dep := range d.Depends {
				label("depends type", dep.Type, "Normal", "CrossCycleDependsOnSelf", "CrossCycleDependsOnChildren", "CrossCycleDependsOnOtherNode")
				if !outputs[dep.Output] {
					bad("node %s depends on %s, no node's output nor the root", name, dep.Output)
				}
				switch {
				case strings.EqualFold(dep.Type, "Normal"):
					read[name].Inputs = append(read[name].Inputs, dep.Output)
				case strings.EqualFold(dep.Type, "CrossCycleDependsOnSelf"):
					// DataWorks reads a self-dependency whatever it names
					// (DataWorksNodeAdapter.getDependentType); fgen names
					// the node's own output.
					if dep.Output != wf.Nodes[i].Outputs.NodeOutputs[0].Data {
						bad("node %s depends on its previous cycle as %s, not its own output", name, dep.Output)
					}
					read[name].SelfDependent = true
				case strings.EqualFold(dep.Type, "CrossCycleDependsOnOtherNode"):
					// The adapter's USER_DEFINE dependent type, with these
					// outputs (DataWorksNodeAdapter.getDependentType; run
					// on 2026-12-06, it gave the cross_midnight report of
					// the modes golden dependentType 1 and the DW output).
					read[name].PreviousCycle = append(read[name].PreviousCycle, dep.Output)
				case strings.EqualFold(dep.Type, "CrossCycleDependsOnChildren"):
					children = true
				}
			}
			if read[name].PreviousCycle != nil && children {
				bad("node %s: invalid cross cycle depend, violation between cross cycle depends on children and custom other nodes", name)
			}
		}
	}
	return read, problems
}

// readNode is a node as DataWorks reads it.
type readNode struct {
	// SelfDependent: each instance waits for the node's instance of the
	// cycle before (CrossCycleDependsOnSelf).
	SelfDependent bool
	// PreviousCycle: each instance waits for the instances of the cycle
	// before of the nodes with these outputs (CrossCycleDependsOnOtherNode).
	PreviousCycle []string
	Inputs        []string // the upstream outputs: declared, then depended on
	Cron          string   // the node's own trigger's cron
	Params        string   // the parameter value it runs with: name=value ...
	Code          string
}

// Assigned returns the value the node's parameters give name, and whether
// they give it one (the last assignment wins, as in a shell).
func (n *readNode) Assigned(name string) (string, bool) {
	value, ok := "", false
	for _, kv := range strings.Fields(n.Params) {
		if k, v, found := strings.Cut(kv, "="); found && k == name {
			value, ok = v, true
		}
	}
	return value, ok
}

// placeholderRE finds the ${name} placeholders DataWorks replaces in code.
var placeholderRE = regexp.MustCompile(`\$\{([^}]*)\}`)

// unassigned returns the placeholders of the node's code that its
// parameters do not assign: DataWorks would leave them as they are, or
// fail the run. ${bdp.system.*} needs no parameter.
func (n *readNode) unassigned() []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(n.Code, -1) {
		if _, ok := n.Assigned(m[1]); !ok && !strings.HasPrefix(m[1], "bdp.system.") && !slices.Contains(out, m[0]) {
			out = append(out, m[0])
		}
	}
	return out
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
			read, problems := dataworksRead(f.Data, cfg.Project.Workspace, external...)
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
				rn := read[n.Name]
				if rn == nil {
					t.Errorf("node %s: not read", n.Name)
					continue
				}
				if !slices.Equal(rn.Inputs, want) {
					t.Errorf("node %s gets upstream %v, want %v", n.Name, rn.Inputs, want)
				}
				if u := rn.unassigned(); len(u) > 0 {
					t.Errorf("node %s: its parameters %q assign none of %v", n.Name, rn.Params, u)
				}
			}
		})
	}
}

// The double reads parameters as the official parser does (checked on
// 2026-12-03 with the parser on the hourly golden workflow, edited): a
// scope or type outside their labels throws, and a placeholder no
// parameter assigns is found.
func TestDataWorksReadParameters(t *testing.T) {
	_, f := flowspecRender(t, loadConfig(t, "testdata/configs/hourly.toml"))
	doc := string(f.Data)
	for _, tc := range []struct{ old, new, want string }{
		{`"scope": "NodeParameter"`, `"scope": "Node"`, `scope "Node": Enum not found`},
		{`"type": "System"`, `"type": "Sys"`, `type "Sys": Enum not found`},
		{`"scope": "NodeParameter",`, ``, `scope and type are required`},
	} {
		_, problems := dataworksRead([]byte(strings.ReplaceAll(doc, tc.old, tc.new)), "shop")
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
			t.Errorf("%s -> %s: problems %q lack %q", tc.old, tc.new, problems, tc.want)
		}
	}
	read, problems := dataworksRead([]byte(strings.ReplaceAll(doc, `"name": "bizhour",`, `"name": "hour",`)), "shop")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	n := read["rpt_hourly_users"]
	if n.Params != "hour=$[hh24-1/24] bizhour_day=$[yyyymmdd-1/24]" || !slices.Equal(n.unassigned(), []string{"${bizhour}"}) {
		t.Errorf("parameters %q, unassigned %v", n.Params, n.unassigned())
	}
}
