package main

import (
	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/lineage"
)

type graphOptions struct {
	*globalOptions
	format string
}

func newGraphCmd(g *globalOptions) *cobra.Command {
	opts := &graphOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Print the lineage of tables and nodes as text, Mermaid or DOT",
		Long: `Print the data lineage funnel.toml describes: the ODS, DW and RPT tables, the
node that writes each table (a node bears the name of its table), and the tables
every node reads. A node of a cross_midnight funnel reads the business day's and
the next day's partitions ("the day and the next"), an hourly node one hour's
partitions at a time ("hour by hour"); the others read the business day's. Needs
no warehouse and writes no file.

  --format text      a listing for the terminal (the default)
  --format mermaid   a Mermaid flowchart of the tables, e.g. for a README
  --format dot       Graphviz DOT of tables and nodes

` + exitStatusHelp,
		Example: `  fgen graph
  fgen graph --format mermaid
  fgen graph --format dot | dot -Tsvg -o lineage.svg`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runGraph(opts) },
	}
	choiceFlag(cmd, &opts.format, "format", "output format", "text", "mermaid", "dot")
	return cmd
}

func runGraph(opts *graphOptions) error {
	cfg, p, err := opts.render(string(generator.MaxCompute))
	if err != nil {
		return err
	}
	g := lineage.Build(cfg, p)
	switch opts.format {
	case "mermaid":
		return g.Mermaid(opts.stdout)
	case "dot":
		return g.DOT(opts.stdout)
	default:
		return g.Text(opts.stdout)
	}
}
