package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

type generateOptions struct {
	*globalOptions
	dialect string
}

func newGenerateCmd(g *globalOptions) *cobra.Command {
	opts := &generateOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write the DataWorks SQL project into out/",
		Long: `Write the generated project into the output directory: ddl/<table>.sql for every
table and nodes/<table>.sql for every node. Files that did not change are not
touched; files fgen generated earlier and no longer renders are removed, unless
they were edited by hand since (those are kept, and no longer tracked); files fgen
did not generate are never overwritten or removed. If funnel.toml has an error,
nothing is written; if writing fails part-way (a full disk), out/ is left as it
was.

--dialect duckdb renders the SQL the local engine runs, for reading; the committed
out/ is MaxCompute SQL.

` + exitStatusHelp,
		Example: `  fgen generate
  fgen generate -o /tmp/review
  fgen generate --dialect duckdb -o /tmp/local-sql`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.dialect != string(generator.MaxCompute) && !cmd.Flags().Changed("out") {
				return fmt.Errorf("%s/ holds the MaxCompute project; write the %s dialect elsewhere with -o DIR", opts.outDir, opts.dialect)
			}
			return runGenerate(opts)
		},
	}
	cmd.Flags().StringVar(&opts.dialect, "dialect", string(generator.MaxCompute), "SQL dialect: maxcompute or duckdb")
	cmd.RegisterFlagCompletionFunc("dialect", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"maxcompute", "duckdb"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// render loads the config and renders the project in the given dialect.
func (g *globalOptions) render(dialect string) (*models.Config, *generator.Project, error) {
	d, err := generator.ParseDialect(dialect)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	p, err := generator.Render(cfg, templates.FS(), d)
	if err != nil {
		return nil, nil, err
	}
	return cfg, p, nil
}

func runGenerate(opts *generateOptions) error {
	_, p, err := opts.render(opts.dialect)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.outDir, 0o755); err != nil {
		return err
	}
	res, err := generator.Write(opts.outDir, p.Files)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	for _, f := range res.Written {
		fmt.Fprintf(opts.stdout, "wrote   %s\n", filepath.Join(opts.outDir, f))
	}
	for _, f := range res.Removed {
		fmt.Fprintf(opts.stdout, "removed %s\n", filepath.Join(opts.outDir, f))
	}
	for _, f := range res.Kept {
		fmt.Fprintf(opts.stdout, "kept    %s: no longer generated, but edited by hand; fgen no longer tracks it, delete it if you do not need it\n", filepath.Join(opts.outDir, f))
	}
	fmt.Fprintf(opts.stdout, "%s: %d written, %d unchanged, %d removed", opts.outDir, len(res.Written), len(res.Unchanged), len(res.Removed))
	if len(res.Kept) > 0 {
		fmt.Fprintf(opts.stdout, ", %d kept", len(res.Kept))
	}
	fmt.Fprintln(opts.stdout)
	return nil
}
