package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fgen-dev/fgen/models"
)

// The FlowSpec document, as read by DataWorks (github.com/aliyun/dataworks-spec).
// Structs, not maps, so the keys come out in a fixed order.
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
		ID           string           `json:"id"`
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
	specDatasource struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	specNode struct {
		ID            string         `json:"id"`
		Name          string         `json:"name"`
		Recurrence    string         `json:"recurrence"`
		InstanceMode  string         `json:"instanceMode"`
		RerunMode     string         `json:"rerunMode"`
		RerunTimes    int            `json:"rerunTimes"`
		RerunInterval int64          `json:"rerunInterval"` // milliseconds
		Datasource    specDatasource `json:"datasource"`
		Trigger       specTrigger    `json:"trigger"`
		Script        specScript     `json:"script"`
		Inputs        specOutputs    `json:"inputs"`
		Outputs       specOutputs    `json:"outputs"`
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
		RefTableName string `json:"refTableName,omitempty"`
		IsDefault    bool   `json:"isDefault,omitempty"`
	}
	specFlowDepend struct {
		NodeID  string       `json:"nodeId"` // the node's id
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

// DataWorksFiles checks every node of a rendered project against the
// DataWorks node-code rules and returns the files DataWorks imports: the
// workflow definition.
func DataWorksFiles(cfg *models.Config, p *Project) ([]File, error) {
	for _, n := range p.Nodes {
		if len(n.SQL) > MaxNodeBytes {
			// Not the templates' doing: the node holds what funnel.toml
			// lists (a stage's event values are written in its SQL).
			return nil, tooLarge(cfg, n)
		}
		if err := CheckNode(n.Name, n.SQL); err != nil {
			return nil, fmt.Errorf("generated node breaks a DataWorks rule (a bug in fgen's templates): %w", err)
		}
	}
	wf, err := FlowSpec(cfg, p)
	if err != nil {
		return nil, err
	}
	return []File{wf}, nil
}

// FlowSpecID is the id of a workflow, or of one of its nodes, in the
// FlowSpec: DataWorks links a dependency to a node by id, and an import of
// an id the workspace already has updates that object. So an id is stable
// across generations (it derives from names, not from content or time),
// distinct across workspaces and workflows, and not a number, which
// DataWorks' own ids are: it cannot take over a node fgen did not write.
func FlowSpecID(cfg *models.Config, node string) string {
	id := "fgen." + cfg.Project.Workspace + "." + cfg.DataWorks.Workflow
	if node != "" {
		id += "." + node
	}
	return id
}

// FlowSpec renders the DataWorks workflow of a rendered project: a FlowSpec
// CycleWorkflow with one ODPS SQL node per p.Nodes entry, in order, each
// named after the table it writes and producing the output
// <workspace>.<table>. The DW node depends on the ODS producer (or the
// workspace root); every other node depends on the outputs of the tables it
// reads. Each node declares those upstream outputs as its inputs, and the
// workflow's dependencies name them by node id, the two ways DataWorks'
// parser links a node to its upstream. The result is deterministic: fixed
// key order, 2-space indent, one trailing newline. cfg comes from
// models.Parse, which sees to it that the workspace, the workflow, the
// FlowSpec version and the data source are set.
func FlowSpec(cfg *models.Config, p *Project) (File, error) {
	dw := cfg.DataWorks
	ws := cfg.Project.Workspace
	trigger := specTrigger{
		Type:      "Scheduler",
		Cron:      cronText(dw.Cron),
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

	written := map[string]bool{}    // tables the nodes write; a node is named after its table
	hourly := map[string]bool{}     // tables a node writes every hour
	dailyReads := map[string]bool{} // tables a node that runs once a day reads
	for _, n := range p.Nodes {
		if written[n.Name] {
			return File{}, fmt.Errorf("flowspec: two nodes write table %s; DataWorks wants one producer per table", n.Name)
		}
		written[n.Name] = true
		hourly[n.Name] = n.Hourly
		if !n.Hourly {
			for _, in := range n.Inputs {
				dailyReads[in] = true
			}
		}
	}

	wf := specWorkflow{
		ID:           FlowSpecID(cfg, ""),
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
		var upstream []string
		seen := map[string]bool{}
		add := func(out string) {
			if !seen[out] {
				seen[out] = true
				upstream = append(upstream, out)
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
		if len(upstream) == 0 {
			add(root)
		}
		id := FlowSpecID(cfg, n.Name)
		dep := specFlowDepend{NodeID: id, Depends: []specDepend{}}
		inputs := specOutputs{NodeOutputs: []specNodeOutput{}}
		for _, out := range upstream {
			dep.Depends = append(dep.Depends, specDepend{Type: "Normal", Output: out})
			inputs.NodeOutputs = append(inputs.NodeOutputs, specNodeOutput{Data: out, ArtifactType: "NodeOutput"})
		}
		if n.Hourly && dailyReads[n.Name] {
			// A daily node that depends on an hourly one waits, in
			// DataWorks, for all the hourly node's instances of its own
			// cycle day: the report of day D, run on D+1, for the hourly
			// runs of D+1 until 23:15, which compute D+1's hours. With the
			// hourly node depending on its own previous instance, DataWorks
			// attaches the daily instance to the hourly instance nearest
			// before its time instead, which on D+1 from 00:15 on has
			// computed all of D's hours before it (DataWorks, "Principles
			// and samples of scheduling configurations in complex
			// dependency scenarios"; "天任务依赖小时任务": 自依赖, 就近原则).
			dep.Depends = append(dep.Depends, specDepend{Type: "CrossCycleDependsOnSelf", Output: output(n.Name)})
		}
		if n.NextDay {
			// A cross_midnight report runs a day behind (dayParams): the
			// instance of business date B computes day B-1 from the
			// partitions of B-1 and B. Its Normal dependency waits for the
			// input's instance of B; the partition of B-1 is the input's
			// instance of the cycle before, which a cross-cycle dependency
			// waits for, so that a day whose DW run failed or is late is
			// not counted without its rows. (An hourly input needs none:
			// it depends on itself, so its instance of B follows all of
			// B-1's.)
			for _, in := range n.Inputs {
				if written[in] && !hourly[in] {
					dep.Depends = append(dep.Depends, specDepend{Type: "CrossCycleDependsOnOtherNode", Output: output(in)})
				}
			}
		}
		content := string(n.SQL)
		params := nodeParams(n)
		nodeTrigger := trigger
		if n.Hourly {
			// Every hour, computing the hour before (see hourParams).
			nodeTrigger.Cron = cronText(dw.HourlyCron)
		}
		wf.Nodes = append(wf.Nodes, specNode{
			ID:            id,
			Name:          n.Name,
			Recurrence:    "Normal",
			InstanceMode:  dw.InstanceMode,
			RerunMode:     dw.RerunMode,
			RerunTimes:    dw.RerunTimes,
			RerunInterval: dw.RerunInterval.Seconds * 1000,
			Datasource:    specDatasource{Name: dw.Datasource, Type: "odps"},
			Trigger:       nodeTrigger,
			Script: specScript{
				Path:       dw.Workflow + "/" + n.Name,
				Language:   "odps-sql",
				Runtime:    specRuntime{Command: "ODPS_SQL"},
				Content:    &content,
				Parameters: &params,
			},
			Inputs: inputs,
			Outputs: specOutputs{NodeOutputs: []specNodeOutput{{
				Data:         output(n.Name),
				ArtifactType: "NodeOutput",
				RefTableName: n.Name,
				IsDefault:    true,
			}}},
		})
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

// nodeParams returns the assignments of a node's scheduling parameters, by
// name; system parameters need none.
func nodeParams(n Node) []specVariable {
	params := []specVariable{}
	for _, p := range n.Params {
		if p.Value == "" {
			continue
		}
		params = append(params, specVariable{
			Name:         p.Name,
			ArtifactType: "Variable",
			Scope:        "NodeParameter",
			Type:         "System",
			Value:        p.Value,
		})
	}
	return params
}

// tooLarge says that node n is more than DataWorks holds, and what of
// funnel.toml makes it so, at its place: a models.Diagnostics, as
// validate reports the config's problems. The DW node writes the event
// values of all the funnels; a funnel's node writes its stages (in the
// fold, and in the columns of their counts, rates, times and
// distributions) and its event values, and either can be the most of it.
func tooLarge(cfg *models.Config, n Node) error {
	msg := fmt.Sprintf("node %s would be %d bytes, more than the %d (128 KB) DataWorks holds in a node: ", n.Name, len(n.SQL), MaxNodeBytes)
	if i := slices.IndexFunc(cfg.Funnels, func(f models.Funnel) bool { return f.Name == n.Funnel }); i >= 0 && n.Layer != LayerDW {
		f := cfg.Funnels[i]
		var per []string
		r := f.Report
		if r.MedianSecondsColumn != "" || r.AvgSecondsColumn != "" || r.StepMedianSecondsColumn != "" || r.StepAvgSecondsColumn != "" {
			per = append(per, "times to convert")
		}
		if len(r.Percentiles) > 0 {
			per = append(per, "percentiles")
		}
		if len(r.Histogram) > 0 {
			per = append(per, "a histogram")
		}
		each := "its counts and rates"
		if len(per) > 0 {
			each += " and " + strings.Join(per, ", ")
		}
		msg += fmt.Sprintf("funnel %s has %d stages, each written in the node's SQL with %s, and lists %d event values, each written there too; give it fewer stages (a funnel of the first few, another of the rest), fewer of those columns, or fewer event values (map the many to a few in the ODS or DW data, and name those)",
			f.Name, len(f.Stages), each, len(f.StageEvents()))
		path := fmt.Sprintf("funnels[%d].stages", i)
		return models.Diagnostics{{File: cfg.File, Pos: cfg.Pos(path), Path: path, Msg: msg}}
	}
	values := 0
	for _, f := range cfg.Funnels {
		values += len(f.StageEvents())
	}
	msg += fmt.Sprintf("the DW node, for all the funnels, lists %d event values in its stages, and each is written in the node's SQL; list fewer (map the many values to a few in the ODS or DW data, and name those)", values)
	return models.Diagnostics{{File: cfg.File, Pos: cfg.Pos("dw"), Path: "dw", Msg: msg}}
}

// cronText is a cron expression as DataWorks shows it: its fields apart by
// one space, as validate reads them (funnel.toml may have more).
func cronText(cron string) string { return strings.Join(strings.Fields(cron), " ") }
