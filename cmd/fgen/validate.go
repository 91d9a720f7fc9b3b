package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/templates"
)

func newValidateCmd(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check funnel.toml",
		Long: `Check funnel.toml: syntax, unknown keys, types, names, columns, stages and targets,
and that the project generate would write from it fits DataWorks (a node at most
128 KB and 200 statements). Every problem is reported at once as
FILE:LINE:COL: path: message.

` + exitStatusHelp,
		Example: `  fgen validate
  fgen validate -c shop/funnel.toml
  fgen validate --format json    # problems in "error": {"problems": [{"file", "line", "column", "path", "message"}]}`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			// What generate would refuse of it: a node DataWorks cannot
			// hold, say.
			p, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
			if err != nil {
				return err
			}
			// A warehouse inside out/ by an absolute path, which the
			// config's own checks cannot place.
			if err := g.checkWarehouseOutside(cfg, p, defaultProjectDir(g.configPath)); err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(g.stdout, "validate", struct {
					Config  string   `json:"config"`
					Tables  int      `json:"tables"`
					Funnels int      `json:"funnels"`
					Targets []string `json:"targets"`
				}{g.configPath, 2 + len(cfg.Funnels), len(cfg.Funnels), cfg.TargetNames()})
			}
			fmt.Fprintf(g.stdout, "%s: ok (%s, %s, targets: %v)\n", g.configPath, plural(2+len(cfg.Funnels), "table"), plural(len(cfg.Funnels), "funnel"), cfg.TargetNames())
			return nil
		},
	}
	choiceFlag(cmd, &format, "format", "output format; under json, problems come as JSON too", "text", "json")
	return cmd
}
