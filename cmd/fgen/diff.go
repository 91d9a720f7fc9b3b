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
	projectDir
	outDir   string // resolved from projectDir by runDiff
	dialect  string
	nameOnly bool
	format   string
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
  fgen diff --name-only
  fgen diff --format markdown > diff.md   # a PR comment`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.warnDeprecated(cmd)
			return runDiff(opts)
		},
	}
	choiceFlag(cmd, &opts.dialect, "dialect", "SQL dialect", string(generator.MaxCompute), string(generator.DuckDB))
	cmd.Flags().BoolVar(&opts.nameOnly, "name-only", false, "print only the paths and kinds of changed files")
	choiceFlag(cmd, &opts.format, "format", "output format, a unified diff or a pull-request comment", "text", "markdown")
	opts.projectDir.addFlag(cmd)
	return cmd
}

func runDiff(opts *diffOptions) error {
	_, p, err := opts.render(opts.dialect)
	if err != nil {
		return err
	}
	opts.outDir = opts.path(opts.configPath)
	changes, err := generator.Compare(opts.outDir, p.Files)
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		fmt.Fprintf(opts.stderr, "%s is in sync with %s\n", opts.outDir, opts.configPath)
		return nil
	}
	if opts.format == "markdown" {
		writeDiffMarkdown(opts, changes)
		return &quietError{code: exitChanges}
	}
	counts := map[generator.ChangeKind]int{}
	for _, c := range changes {
		counts[c.Kind]++
		name := path.Join(opts.outDir, c.Path)
		if opts.nameOnly {
			fmt.Fprintf(opts.stdout, "%-14s %s\n", c.Kind, name)
			continue
		}
		oldName, newName := diffNames(opts.outDir, c)
		switch c.Kind {
		case generator.EditedByHand:
			fmt.Fprintf(opts.stdout, "# %s was edited by hand; generate will restore it\n", name)
		case generator.Orphaned:
			fmt.Fprintf(opts.stdout, "# %s is no longer generated but was edited by hand; generate will keep it and stop tracking it\n", name)
			continue
		}
		fmt.Fprint(opts.stdout, textdiff.Unified(oldName, newName, string(c.Old), string(c.New)))
	}
	var parts []string
	for _, k := range []generator.ChangeKind{generator.Changed, generator.EditedByHand, generator.Missing, generator.Stale, generator.Orphaned} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	fmt.Fprintf(opts.stderr, "%s is out of sync with %s (%s); run 'fgen generate'\n", opts.outDir, opts.configPath, strings.Join(parts, ", "))
	return &quietError{code: exitChanges}
}

// diffNames returns the unified diff's file names for a change.
func diffNames(outDir string, c generator.Change) (string, string) {
	name := path.Join(outDir, c.Path)
	oldName, newName := "a/"+name, "b/"+name
	switch c.Kind {
	case generator.Missing:
		oldName = "/dev/null"
	case generator.Stale:
		newName = "/dev/null"
	}
	return oldName, newName
}

// writeDiffMarkdown writes the changes as a pull-request comment: a summary
// table, then one collapsible diff per file.
func writeDiffMarkdown(opts *diffOptions, changes []generator.Change) {
	w := opts.stdout
	what := map[generator.ChangeKind]string{
		generator.Missing: "added", generator.Changed: "changed",
		generator.EditedByHand: "edited by hand (generate restores it)", generator.Stale: "removed (stale)",
		generator.Orphaned: "no longer generated, edited by hand (generate keeps it)",
	}
	fmt.Fprintf(w, "### fgen diff: %d generated file(s) would change\n\n| file | change |\n|---|---|\n", len(changes))
	for _, c := range changes {
		fmt.Fprintf(w, "| `%s` | %s |\n", path.Join(opts.outDir, c.Path), what[c.Kind])
	}
	for _, c := range changes {
		if c.Kind == generator.Orphaned {
			continue
		}
		oldName, newName := diffNames(opts.outDir, c)
		fmt.Fprintf(w, "\n<details><summary><code>%s</code> (%s)</summary>\n\n```diff\n%s```\n\n</details>\n",
			path.Join(opts.outDir, c.Path), what[c.Kind], textdiff.Unified(oldName, newName, string(c.Old), string(c.New)))
	}
}
