package main

import (
	"fmt"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/textdiff"
)

type diffOptions struct {
	*globalOptions
	dialect  string
	nameOnly bool
}

func newDiffCmd(g *globalOptions) *cobra.Command {
	opts := &diffOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what generate would change in out/ (exit 2 when out of sync)",
		Long: `Render the project and compare it with the output directory, without writing.
Prints a unified diff of every file generate would create, change or remove, and
says which differences are hand edits of generated files. Exits 0 when out/ is in
sync, 2 when it is not, 1 on error.

` + exitStatusHelp,
		Example: `  fgen diff
  fgen diff --name-only`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDiff(opts) },
	}
	cmd.Flags().StringVar(&opts.dialect, "dialect", string(generator.MaxCompute), "SQL dialect: maxcompute or duckdb")
	cmd.Flags().BoolVar(&opts.nameOnly, "name-only", false, "print only the paths and kinds of changed files")
	return cmd
}

func runDiff(opts *diffOptions) error {
	p, err := opts.render(opts.dialect)
	if err != nil {
		return err
	}
	changes, err := generator.Compare(opts.outDir, p.Files)
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		fmt.Fprintf(opts.stderr, "%s is in sync with %s\n", opts.outDir, opts.configPath)
		return nil
	}
	counts := map[generator.ChangeKind]int{}
	for _, c := range changes {
		counts[c.Kind]++
		name := path.Join(opts.outDir, c.Path)
		if opts.nameOnly {
			fmt.Fprintf(opts.stdout, "%-14s %s\n", c.Kind, name)
			continue
		}
		oldName, newName := "a/"+name, "b/"+name
		switch c.Kind {
		case generator.Missing:
			oldName = "/dev/null"
		case generator.Stale:
			newName = "/dev/null"
		case generator.EditedByHand:
			fmt.Fprintf(opts.stdout, "# %s was edited by hand; generate will restore it\n", name)
		}
		fmt.Fprint(opts.stdout, textdiff.Unified(oldName, newName, string(c.Old), string(c.New)))
	}
	var parts []string
	for _, k := range []generator.ChangeKind{generator.Changed, generator.EditedByHand, generator.Missing, generator.Stale} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	fmt.Fprintf(opts.stderr, "%s is out of sync with %s (%s); run 'fgen generate'\n", opts.outDir, opts.configPath, strings.Join(parts, ", "))
	return &quietError{code: exitChanges}
}
