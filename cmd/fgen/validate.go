package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check funnel.toml",
		Long: `Check funnel.toml: syntax, unknown keys, types, names, columns, stages and targets.
Every problem is reported at once as FILE:LINE:COL: path: message.

` + exitStatusHelp,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: ok (%d tables, %d funnels, targets: %v)\n", g.configPath, 2+len(cfg.Funnels), len(cfg.Funnels), cfg.TargetNames())
			return nil
		},
	}
}
