package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fgen-dev/fgen/models"
)

// flowParamRE matches a scheduling parameter reference in node code.
var flowParamRE = regexp.MustCompile(`\$\{([^{}\s]*)\}`)

// The FlowSpec document, as read by DataWorks (github.com/aliyun/dataworks-spec).
// Structs, not maps, so the keys come out in a fixed order. No ids: an id
// makes an import update the object that has it.
type (
	flowSpec struct {
		Version string       `json:"version"`
		Kind    string       `json:"kind"`
		Spec    flowSpecBody `json:"spec"`
	}
	flowSpecBody struct {
		Workflows []specWorkflow `json:"workflows"`
	}
	specWorkflow struct {
		Name         string           `json:"name"`
		Script       specScript       `json:"script"`
		Trigger      specTrigger      `json:"trigger"`
		Nodes        []specNode       `json:"nodes"`
		Dependencies []specFlowDepend `json:"dependencies"`
	}
	specScript struct {
		Path       string          `json:"path"`
		Language   string          `json:"language,omitempty"`
		Runtime    specRuntime     `json:"runtime"`
		Content    *string         `json:"content,omitempty"`
		Parameters *[]specVariable `json:"parameters,omitempty"`
	}
	specRuntime struct {
		Command string `json:"command"`
	}
	specTrigger struct {
		Type      string `json:"type"`
		Cron      string `json:"cron"`
		StartTime string `json:"startTime"`
		EndTime   string `json:"endTime"`
		Timezone  string `json:"timezone"`
	}
	specNode struct {
		Name          string      `json:"name"`
		InstanceMode  string      `json:"instanceMode"`
		RerunMode     string      `json:"rerunMode"`
		RerunTimes    int         `json:"rerunTimes"`
		RerunInterval int64       `json:"rerunInterval"` // milliseconds
		Trigger       specTrigger `json:"trigger"`
		Script        specScript  `json:"script"`
		Outputs       specOutputs `json:"outputs"`
	}
	// specVariable is a scheduling parameter of a node: name=value.
	specVariable struct {
		Name         string `json:"name"`
		ArtifactType string `json:"artifactType"` // "Variable"
		Scope        string `json:"scope"`        // "NodeParameter"
		Type         string `json:"type"`         // "System" for date expressions, "Constant" for literals
		Value        string `json:"value"`
	}
	specOutputs struct {
		NodeOutputs []specNodeOutput `json:"nodeOutputs"`
	}
	specNodeOutput struct {
		Data         string `json:"data"`
		ArtifactType string `json:"artifactType"`
		RefTableName string `json:"refTableName"`
	}
	specFlowDepend struct {
		NodeID  string       `json:"nodeId"` // the node's name
		Depends []specDepend `json:"depends"`
	}
	specDepend struct {
		Type   string `json:"type"`
		Output string `json:"output"`
	}
)

// FlowSpecPath returns where the workflow definition of cfg is written,
// relative to the output directory.
func FlowSpecPath(cfg *models.Config) string {
	return path.Join("dataworks", cfg.DataWorks.Workflow+".json")
}

// FlowSpec renders the DataWorks workflow of a rendered project: a FlowSpec
// CycleWorkflow with one ODPS SQL node per p.Nodes entry, in order, each
// named after the table it writes and producing the output
// <workspace>.<table>. The DW node depends on the ODS producer (or the
// workspace root); every other node depends on the outputs of the tables it
// reads. The result is deterministic: fixed key order, 2-space indent, one
// trailing newline. cfg comes from models.Parse, which sees to it that the
// workspace, the workflow and the FlowSpec version are set.
func FlowSpec(cfg *models.Config, p *Project) (File, error) {
	dw := cfg.DataWorks
	ws := cfg.Project.Workspace
	trigger := specTrigger{
		Type:      "Scheduler",
		Cron:      dw.Cron,
		StartTime: "1970-01-01 00:00:00",
		EndTime:   "9999-01-01 00:00:00",
		Timezone:  dw.Timezone,
	}
	output := func(table string) string { return ws + "." + table }
	root := ws + "_root"
	odsProducer := dw.ODSProducer
	if odsProducer == "" {
		odsProducer = root
	}

	written := map[string]bool{} // tables the nodes write; a node is named after its table
	for _, n := range p.Nodes {
		if written[n.Name] {
			return File{}, fmt.Errorf("flowspec: two nodes write table %s; DataWorks wants one producer per table", n.Name)
		}
		written[n.Name] = true
	}

	wf := specWorkflow{
		Name:         dw.Workflow,
		Script:       specScript{Path: dw.Workflow, Runtime: specRuntime{Command: "WORKFLOW"}},
		Trigger:      trigger,
		Nodes:        []specNode{},
		Dependencies: []specFlowDepend{},
	}
	for _, n := range p.Nodes {
		if !utf8.Valid(n.SQL) {
			return File{}, fmt.Errorf("flowspec: node %s: SQL is not valid UTF-8", n.Name)
		}
		params, err := nodeParams(n)
		if err != nil {
			return File{}, err
		}
		content := string(n.SQL)
		wf.Nodes = append(wf.Nodes, specNode{
			Name:          n.Name,
			InstanceMode:  dw.InstanceMode,
			RerunMode:     dw.RerunMode,
			RerunTimes:    dw.RerunTimes,
			RerunInterval: dw.RerunInterval.Seconds * 1000,
			Trigger:       trigger,
			Script: specScript{
				Path:       dw.Workflow + "/" + n.Name,
				Language:   "odps-sql",
				Runtime:    specRuntime{Command: "ODPS_SQL"},
				Content:    &content,
				Parameters: &params,
			},
			Outputs: specOutputs{NodeOutputs: []specNodeOutput{{
				Data:         output(n.Name),
				ArtifactType: "NodeOutput",
				RefTableName: n.Name,
			}}},
		})

		dep := specFlowDepend{NodeID: n.Name, Depends: []specDepend{}}
		seen := map[string]bool{}
		add := func(out string) {
			if !seen[out] {
				seen[out] = true
				dep.Depends = append(dep.Depends, specDepend{Type: "Normal", Output: out})
			}
		}
		for _, in := range n.Inputs {
			switch {
			case written[in]:
				add(output(in))
			case in == cfg.ODS.Name:
				add(odsProducer)
			default:
				return File{}, fmt.Errorf("flowspec: node %s reads %s, which no node writes and which is not the ODS table %s", n.Name, in, cfg.ODS.Name)
			}
		}
		if len(dep.Depends) == 0 {
			add(root)
		}
		wf.Dependencies = append(wf.Dependencies, dep)
	}

	doc := flowSpec{Version: dw.SpecVersion, Kind: "CycleWorkflow", Spec: flowSpecBody{Workflows: []specWorkflow{wf}}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep '<', '>' and '&' of the SQL readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return File{}, fmt.Errorf("flowspec: %w", err)
	}
	return File{Path: FlowSpecPath(cfg), Data: buf.Bytes()}, nil
}

// nodeParams returns the parameter assignments a node's SQL needs: one per
// distinct ${name} it uses, sorted by name, none for ${bdp.system.*}.
func nodeParams(n Node) ([]specVariable, error) {
	names := map[string]bool{}
	for _, m := range flowParamRE.FindAllSubmatch(n.SQL, -1) {
		name := string(m[1])
		if strings.HasPrefix(name, "bdp.system.") {
			continue
		}
		if _, ok := schedulingParams[name]; !ok {
			return nil, fmt.Errorf("flowspec: node %s uses ${%s}, a scheduling parameter fgen cannot assign; known parameters: %s, or ${bdp.system.bizdate}", n.Name, name, flowKnownParams())
		}
		names[name] = true
	}
	params := []specVariable{}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		params = append(params, specVariable{
			Name:         name,
			ArtifactType: "Variable",
			Scope:        "NodeParameter",
			Type:         "System",
			Value:        schedulingParams[name].Value,
		})
	}
	return params, nil
}

func flowKnownParams() string {
	var s []string
	for _, name := range slices.Sorted(maps.Keys(schedulingParams)) {
		s = append(s, "${"+name+"}")
	}
	return strings.Join(s, ", ")
}
