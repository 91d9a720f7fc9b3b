// Package lineage is the data lineage of a rendered project: the tables of
// the ODS, DW and RPT layers, the nodes that write them, and the edges
// table -> node -> table. It renders the graph as text, as a Mermaid
// flowchart and as Graphviz DOT, deterministically.
package lineage

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/models"
)

// Layers of the tables.
const (
	ODS = "ODS"
	DW  = "DW"
	RPT = "RPT"
)

// Table is a table of the project.
type Table struct {
	Name  string
	Layer string // ODS, DW or RPT; empty for a table the config does not declare
	// Writer is the node that writes the table, empty for a source table
	// filled outside fgen (the ODS table).
	Writer string
}

// Node is a DataWorks node: it reads its input tables and writes one table,
// whose name it bears (Name is also the table it writes).
type Node struct {
	Name   string
	Layer  string
	Funnel string // for RPT nodes
	Inputs []string
	// NextDay: the node's run for a business day also reads its inputs'
	// partitions of the next day (a cross_midnight funnel), so it waits for
	// the next day's run of the nodes that write them.
	NextDay bool
	// Hourly: the node runs every hour, each run reading and writing one
	// hour's partitions.
	Hourly bool
}

// reads says which partitions of its inputs a run of the node reads, ""
// when the run's own (the business day's).
func (n Node) reads() string {
	switch {
	case n.NextDay:
		return "the day and the next"
	case n.Hourly:
		return "hour by hour"
	}
	return ""
}

// Vertex is a table or a node of the graph.
type Vertex struct {
	Kind string // "table" or "node"
	Name string
}

// Edge goes from a table to a node that reads it, or from a node to the
// table it writes.
type Edge struct {
	From, To Vertex
	// Label, on an edge from a table, says which of its partitions a run of
	// the node reads when not only the business day's: "the day and the
	// next", "hour by hour".
	Label string
}

// Graph is the lineage of a project.
type Graph struct {
	Tables []Table // ODS, DW, then the RPT tables in funnel order
	Nodes  []Node  // in dependency order, as rendered
}

// Build returns the lineage of project p rendered from cfg.
func Build(cfg *models.Config, p *generator.Project) *Graph {
	g := &Graph{}
	index := map[string]int{}
	addTable := func(name, layer string) int {
		if i, ok := index[name]; ok {
			if g.Tables[i].Layer == "" {
				g.Tables[i].Layer = layer
			}
			return i
		}
		index[name] = len(g.Tables)
		g.Tables = append(g.Tables, Table{Name: name, Layer: layer})
		return len(g.Tables) - 1
	}
	addTable(cfg.ODS.Name, ODS)
	addTable(cfg.DW.Name, DW)
	for _, f := range cfg.Funnels {
		addTable(f.Report.Table, RPT)
	}
	for _, n := range p.Nodes {
		for _, in := range n.Inputs {
			addTable(in, "")
		}
		g.Tables[addTable(n.Name, n.Layer)].Writer = n.Name
		g.Nodes = append(g.Nodes, Node{
			Name:    n.Name,
			Layer:   n.Layer,
			Funnel:  n.Funnel,
			Inputs:  append([]string(nil), n.Inputs...),
			NextDay: n.NextDay,
			Hourly:  n.Hourly,
		})
	}
	return g
}

// Edges returns the edges node by node: its inputs, then its output.
func (g *Graph) Edges() []Edge {
	var edges []Edge
	for _, n := range g.Nodes {
		node := Vertex{"node", n.Name}
		for _, in := range n.Inputs {
			edges = append(edges, Edge{Vertex{"table", in}, node, n.reads()})
		}
		edges = append(edges, Edge{node, Vertex{"table", n.Name}, ""})
	}
	return edges
}

// Text writes the graph for a terminal: the tables with their layers and
// writers, then the nodes with what they read and write.
func (g *Graph) Text(w io.Writer) error {
	var b strings.Builder
	layerW, nameW := 0, 0
	for _, t := range g.Tables {
		layerW = max(layerW, len(t.Layer))
		nameW = max(nameW, len(t.Name))
	}
	b.WriteString("tables:\n")
	for _, t := range g.Tables {
		desc := "source, not written by any node"
		if t.Writer != "" {
			desc = "written by node " + t.Writer
		}
		fmt.Fprintf(&b, "  %-*s  %-*s  %s\n", layerW, t.Layer, nameW, t.Name, desc)
	}
	nodeW := 0
	for _, n := range g.Nodes {
		nodeW = max(nodeW, len(n.Name))
	}
	b.WriteString("nodes:\n")
	for _, n := range g.Nodes {
		desc := "reads " + strings.Join(n.Inputs, ", ")
		if r := n.reads(); r != "" {
			desc += " (" + r + ")"
		}
		desc += ", writes " + n.Name
		if len(n.Inputs) == 0 {
			desc = "writes " + n.Name
		}
		if n.Funnel != "" {
			desc += " (funnel " + n.Funnel + ")"
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", nodeW, n.Name, desc)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Mermaid writes a Mermaid flowchart of the tables, left to right. A node
// bears the name of the table it writes, so the node reading A and writing
// B is drawn as the edge A --> B.
func (g *Graph) Mermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	ids := map[string]string{} // table name -> node id
	taken := map[string]bool{}
	mermaidID := func(name string) string {
		id, ok := ids[name]
		if !ok {
			id = newMermaidID(name, taken)
			ids[name] = id
		}
		return id
	}
	for _, t := range g.Tables {
		label := t.Name
		if t.Layer != "" {
			label += " (" + t.Layer + ")"
		}
		fmt.Fprintf(&b, "    %s[(\"%s\")]\n", mermaidID(t.Name), strings.ReplaceAll(label, `"`, "#quot;"))
	}
	seen := map[string]bool{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			e := mermaidID(in) + " --> " + mermaidID(n.Name)
			if r := n.reads(); r != "" {
				e = mermaidID(in) + ` -->|"` + r + `"| ` + mermaidID(n.Name)
			}
			if !seen[e] {
				seen[e] = true
				fmt.Fprintf(&b, "    %s\n", e)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidKeywords are the words Mermaid's flowchart grammar reads as its
// own, in lower case: a node id that is one (a table named style, click
// or end) does not parse.
var mermaidKeywords = []string{"graph", "flowchart", "subgraph", "end", "style", "classdef", "class", "click", "linkstyle",
	"call", "href", "default", "interpolate", "direction", "acctitle", "accdescr", "_self", "_blank", "_parent", "_top"}

// newMermaidID makes a table name a Mermaid node id not among taken, and
// takes it: the name with other characters than letters, digits and _
// as _, or, for a keyword, a name starting with a digit or an id taken
// (a-b and a_b), t_ before it and a number after it as needed. The label
// keeps the name.
func newMermaidID(name string, taken map[string]bool) string {
	id := strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
	if id == "" || id[0] >= '0' && id[0] <= '9' || slices.Contains(mermaidKeywords, strings.ToLower(id)) || taken[id] {
		id = "t_" + id
	}
	for base, n := id, 2; taken[id]; n++ {
		id = fmt.Sprintf("%s_%d", base, n)
	}
	taken[id] = true
	return id
}

// DOT writes the graph in Graphviz DOT, left to right: tables as cylinders,
// nodes as boxes.
func (g *Graph) DOT(w io.Writer) error {
	var b strings.Builder
	b.WriteString("digraph lineage {\n    rankdir=LR;\n")
	for _, t := range g.Tables {
		label := t.Name
		if t.Layer != "" {
			label += `\n` + t.Layer + " table"
		}
		fmt.Fprintf(&b, "    %s [shape=cylinder, label=%s];\n", dotID(Vertex{"table", t.Name}), dotString(label))
	}
	for _, n := range g.Nodes {
		label := n.Name + `\n` + strings.TrimSpace(n.Layer+" node")
		fmt.Fprintf(&b, "    %s [shape=box, label=%s];\n", dotID(Vertex{"node", n.Name}), dotString(label))
	}
	for _, e := range g.Edges() {
		if e.Label != "" {
			fmt.Fprintf(&b, "    %s -> %s [label=%s];\n", dotID(e.From), dotID(e.To), dotString(e.Label))
			continue
		}
		fmt.Fprintf(&b, "    %s -> %s;\n", dotID(e.From), dotID(e.To))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// dotID names a vertex in DOT; tables and nodes share names, so the kind
// is part of the id.
func dotID(v Vertex) string {
	return dotString(v.Kind + ":" + v.Name)
}

// dotString quotes s for DOT, keeping the \n line breaks of labels.
func dotString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
