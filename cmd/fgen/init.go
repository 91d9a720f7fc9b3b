package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/templates"
)

type initOptions struct {
	*globalOptions
	force bool
}

func newInitCmd(g *globalOptions) *cobra.Command {
	opts := &initOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter funnel.toml",
		Long: `Write a commented starter funnel.toml that reproduces the article's pipeline
(ods_user_trace_data -> dw_user_trace_data -> rpt_user_trace_data). It refuses to
overwrite an existing file unless --force is given.

` + exitStatusHelp,
		Example: `  fgen init
  mkdir shop && fgen init -c shop/funnel.toml
  fgen init --force`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runInit(opts) },
	}
	cmd.Flags().BoolVarP(&opts.force, "force", "f", false, "overwrite an existing config file")
	return cmd
}

func runInit(opts *initOptions) error {
	if fi, err := os.Stat(opts.configPath); err == nil && fi.IsDir() {
		return configIsDir(opts.configPath, "the file to write")
	} else if err == nil && !opts.force {
		return fmt.Errorf("%s already exists; use --force to overwrite it", opts.configPath)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeFileAtomic(opts.ctx, opts.configPath, templates.Starter, 0o644); err != nil {
		return err
	}
	if !opts.quiet {
		next := opts.suggest(nil)
		fmt.Fprintf(opts.stdout, "wrote %s; next: %s && %s\n", opts.configPath, next.line("validate"), next.line("generate"))
		// The starter's local target keeps its warehouse there: data, not
		// code a review reads, as funnel.toml and out/ are.
		fmt.Fprintf(opts.stdout, "commit %s and the out/ generate writes beside it; add .fgen/, where the local warehouse goes, to .gitignore\n", filepath.Base(opts.configPath))
	}
	return nil
}
