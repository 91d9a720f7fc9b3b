package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fgen-dev/fgen/internal/shell"
	"github.com/fgen-dev/fgen/models"
)

// globalOptions are the flags every command shares, and the process's streams.
type globalOptions struct {
	configPath string
	quiet      bool // -q: no progress or information, only results, warnings and errors
	verbose    bool // -v: also each SQL job as it runs

	// ctx is the process's: a signal ends it (main). What may block
	// where no other context reaches, such as reading the config from a
	// FIFO, waits for it through interruptible.
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer // through secrets
	getenv         func(string) string
	// secrets masks the credentials a command reads in what it writes.
	secrets *redactor

	// errMu orders the lines that goroutines write to stderr: notices,
	// and the lines and bar of the progress shown (shown, while a bar is).
	errMu sync.Mutex
	shown *progress
}

// suggested writes the fgen command lines a message suggests so that,
// run as written, they act where the command that suggests them did: with
// its -c FILE, --target and --odps-config, when it was given them.
type suggested struct {
	config string // " -c FILE", before the subcommand
	flags  string // " --target T --odps-config F", after its arguments
}

// suggest is suggested for a command with the target flags t (nil for
// one that takes none).
func (g *globalOptions) suggest(t *targetOptions) suggested {
	var s suggested
	if g.configPath != defaultConfigPath {
		s.config = " -c " + shell.Quote(g.configPath)
	}
	if t != nil && t.target != "" {
		s.flags += " --target " + shell.Quote(t.target)
	}
	if t != nil && t.odpsConfig != "" && !t.local {
		s.flags += " --odps-config " + shell.Quote(t.odpsConfig)
	}
	return s
}

// line is the command line of fgen's subcommand sub with its arguments.
func (s suggested) line(sub string) string { return "fgen" + s.config + " " + sub + s.flags }

func (g *globalOptions) loadConfig() (*models.Config, error) {
	load := func() (*models.Config, error) { return models.Load(g.configPath) }
	var cfg *models.Config
	var err error
	if isFIFO(g.configPath) {
		// Opening it waits for a writer; a signal must not.
		cfg, err = interruptible(g.ctx, load)
	} else {
		cfg, err = load()
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w; run '%s' to write a starter config, or pass -c FILE", err, g.suggest(nil).line("init"))
	case err != nil && isDir(g.configPath): // what reading it failed on
		return nil, configIsDir(g.configPath, "the config file")
	}
	return cfg, err
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// configIsDir is the error for a config path that is a directory: what to
// give instead.
func configIsDir(path, what string) error {
	return fmt.Errorf("%s is a directory; give %s, e.g. -c %s", path, what, shell.Quote(filepath.Join(path, defaultConfigPath)))
}

// projectDir is the generated project's directory of generate and diff:
// the one --dir names (relative to the working directory), or out/ beside
// the config file, wherever fgen runs from, as sqlc resolves its paths.
type projectDir struct{ dir string }

func (d *projectDir) addFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.dir, "dir", "", "the generated project's directory (default: out/ beside the config file)")
	// --out and -o named it before -o meant an output file everywhere.
	cmd.Flags().StringVarP(&d.dir, "out", "o", "", "")
	cmd.Flags().MarkHidden("out")
}

// warnDeprecated says so on stderr when cmd was given -o/--out.
func (d *projectDir) warnDeprecated(cmd *cobra.Command) {
	if cmd.Flags().Changed("out") {
		fmt.Fprintf(cmd.ErrOrStderr(), "fgen: -o/--out for the project's directory is deprecated (-o names an output file); use --dir %s\n", d.dir)
	}
}

// path returns the project's directory for the config file configPath.
func (d *projectDir) path(configPath string) string {
	if d.dir != "" {
		return d.dir
	}
	return defaultProjectDir(configPath)
}

// defaultProjectDir is where generate writes without --dir: out/ beside the
// config file configPath.
func defaultProjectDir(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), models.DefaultOutDir)
}

// defaultConfigPath is the config file without -c.
const defaultConfigPath = "funnel.toml"

// addOutputFlag adds -o/--output FILE, the one meaning of -o: the file a
// command writes its output to instead of standard output.
func addOutputFlag(cmd *cobra.Command, p *string, what string) {
	cmd.Flags().StringVarP(p, "output", "o", "", what)
}

// loadConfigIfAny is loadConfig, but returns no config and no error when the
// config file does not exist.
func (g *globalOptions) loadConfigIfAny() (*models.Config, error) {
	cfg, err := g.loadConfig()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return cfg, err
}

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "fgen",
		Short: "Generate and run a conversion-funnel SQL project for MaxCompute and DataWorks",
		Long: `fgen turns a declarative funnel.toml (stages, event values, tables, targets) into a
DataWorks SQL project: DDL for the ODS, DW and RPT tables, one node per table with its
daily INSERT OVERWRITE, and the workflow definition. It shows what would change (diff,
plan) and applies it on MaxCompute or on an embedded DuckDB.

` + exitStatusHelp,
		Example: `  fgen init                      # write a commented starter funnel.toml
  fgen validate                  # check funnel.toml
  fgen generate                  # write out/
  fgen diff                      # what generate would change; exit 2 when out/ is stale`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       fgenVersion(),
	}
	// Before strictHelpAndCompletion: cobra's completion command keeps
	// the writer it finds.
	root.SetIn(g.stdin)
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	root.SetVersionTemplate(fmt.Sprintf("fgen {{.Version}} (%s, funnel.toml format %d)\n", runtime.Version(), models.FormatVersion))
	root.PersistentFlags().StringVarP(&g.configPath, "config", "c", defaultConfigPath, "the funnel config file")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print no progress, only results, warnings and errors")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "also print each SQL job as it runs")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.quiet && g.verbose {
			return fmt.Errorf("-q and -v ask for less and for more output: give one of them\nRun '%s --help' for usage", cmd.CommandPath())
		}
		return noEmptyFlags(cmd)
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return fmt.Errorf("%s%s\nRun '%s --help' for usage", plainFlagError(err), flagSuggestion(cmd, err), cmd.CommandPath())
	})
	root.AddCommand(
		newInitCmd(g),
		newValidateCmd(g),
		newGenerateCmd(g),
		newDiffCmd(g),
		newGraphCmd(g),
		newSampleCmd(g),
		newLoadCmd(g),
		newPlanCmd(g),
		newReportCmd(g),
		newDemoCmd(g),
		newApplyCmd(g),
		newVersionCmd(g),
	)
	strictHelpAndCompletion(root)
	noFileCompletion(root)
	return root
}

// pathFlags are the flags whose values are files or directories, which a
// shell completes by their names.
var pathFlags = []string{"config", "output", "odps-config", "dir", "out"}

// noFileCompletion keeps a shell from offering file names where fgen
// takes none, as gh does: for a flag's value that is no path (a date, a
// number) and for the arguments of a command that takes none. cobra's
// default for a flag or command without a completion of its own is the
// shell's file names.
func noFileCompletion(root *cobra.Command) {
	none := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Args != nil && c.ValidArgsFunction == nil && c.Name() != "load" && c.Name() != "help" {
			c.ValidArgsFunction = none
		}
		for _, fs := range []*pflag.FlagSet{c.LocalNonPersistentFlags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if _, ok := c.GetFlagCompletionFunc(f.Name); ok || f.Value.Type() == "bool" || slices.Contains(pathFlags, f.Name) {
					return
				}
				c.RegisterFlagCompletionFunc(f.Name, none)
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// noEmptyFlags refuses a flag given an empty value: no flag of fgen's
// means anything by one, and a script's '--bizdate "$DAY"' or '--target
// "$TARGET"' whose variable is unset would otherwise run as if the flag
// were left out: an apply of no day that exits 0, or one on the default
// target. (A list of names refuses an empty one itself: names.)
func noEmptyFlags(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err == nil && strings.TrimSpace(f.Value.String()) == "" {
			err = fmt.Errorf("--%s is empty: give it a value, or leave it out (is the variable that should hold it unset?)", f.Name)
		}
	})
	if err == nil {
		err = noFlagAsValue(cmd)
	}
	return err
}

// noFlagAsValue refuses a flag whose value is another flag of the command:
// 'fgen plan --bizdate --format json' gives --bizdate the value --format,
// and leaves json over as an argument, which its error would name
// instead of the flag without a value.
func noFlagAsValue(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil || f.Value.Type() == "bool" {
			return
		}
		values := []string{f.Value.String()}
		if sv, ok := f.Value.(interface{ GetSlice() []string }); ok { // --funnel a --funnel --all
			values = sv.GetSlice()
		}
		for _, v := range values {
			if !strings.HasPrefix(v, "-") {
				continue
			}
			name, _, _ := strings.Cut(strings.TrimLeft(v, "-"), "=")
			other := cmd.Flags().Lookup(name)
			if other == nil && len(name) == 1 {
				other = cmd.Flags().ShorthandLookup(name)
			}
			if other != nil {
				err = fmt.Errorf("--%s has no value: it took %q, a flag, for its value; give --%s its value\nRun '%s --help' for usage", f.Name, v, f.Name, cmd.CommandPath())
				return
			}
		}
	})
	return err
}

// strictHelpAndCompletion makes an unknown topic of cobra's help command,
// and a missing or unknown shell of its completion command, the usage
// errors they are (exit 1), where cobra prints the help and exits 0:
// 'fgen completion tcsh > file' must not write the help to the file.
func strictHelpAndCompletion(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		// cobra's commands, with the section every fgen command's help has.
		if c.Name() == "help" || c.Name() == "completion" {
			for _, sub := range append([]*cobra.Command{c}, c.Commands()...) {
				if sub.Long == "" {
					sub.Long = sub.Short
				}
				sub.Long = strings.TrimRight(sub.Long, "\n") + "\n\n" + exitStatusHelp
			}
		}
		switch c.Name() {
		case "help":
			c.Args = func(cmd *cobra.Command, args []string) error {
				if topic, rest, err := root.Find(args); err != nil || topic == nil || len(rest) > 0 {
					// As for an unknown command: 'fgen help pln' suggests plan.
					mean := ""
					if len(args) == 1 {
						if s := root.SuggestionsFor(args[0]); len(s) > 0 {
							mean = fmt.Sprintf("; did you mean %q?", s[0])
						}
					}
					return fmt.Errorf("unknown help topic %q%s\nRun '%s' for the commands", strings.Join(args, " "), mean, cmd.CommandPath())
				}
				return nil
			}
		case "completion":
			var shells []string
			for _, sh := range c.Commands() {
				shells = append(shells, sh.Name())
			}
			supported := strings.Join(shells[:len(shells)-1], ", ") + " or " + shells[len(shells)-1]
			c.Use = "completion SHELL"
			c.Example = `  fgen completion bash > /etc/bash_completion.d/fgen
  fgen completion zsh > "${fpath[1]}/_fgen"
  fgen completion fish > ~/.config/fish/completions/fgen.fish`
			c.Args = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return fmt.Errorf("%s needs a shell: %s\nRun '%s --help' for usage", cmd.Name(), supported, cmd.CommandPath())
				}
				return fmt.Errorf("%s: unknown shell %q; use %s\nRun '%s --help' for usage", cmd.Name(), args[0], supported, cmd.CommandPath())
			}
			// Runnable, so that cobra checks Args, which refuse what the
			// shells' subcommands do not take.
			c.RunE = func(*cobra.Command, []string) error { return nil }
		}
	}
}

// noArgs is cobra.NoArgs with a message that says how to fix it.
func noArgs(cmd *cobra.Command, args []string) error {
	if err := noFlagAsValue(cmd); err != nil {
		// What left the argument over.
		return err
	}
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %q\nRun '%s --help' for usage", cmd.Name(), args[0], cmd.CommandPath())
	}
	return nil
}

// plainFlagError is pflag's error of a flag's value without Go's parser
// inside it: 'invalid argument "abc" for "--parallel" flag: not a whole
// number', not '...: strconv.ParseInt: parsing "abc": invalid syntax'.
func plainFlagError(err error) string {
	msg := err.Error()
	if head, tail, ok := strings.Cut(msg, ": strconv.Parse"); ok {
		what := "not a number"
		switch {
		case strings.HasPrefix(tail, "Int") || strings.HasPrefix(tail, "Uint"):
			what = "not a whole number"
		case strings.HasPrefix(tail, "Bool"):
			what = "not true or false"
		}
		if strings.HasSuffix(tail, "value out of range") {
			what = "out of range"
		}
		return head + ": " + what
	}
	return msg
}

// flagSuggestion is "; did you mean --bizdate?" for an unknown flag near one
// of cmd's (cobra suggests commands, not flags), else "". A one-letter name
// (--v) is a shorthand given two dashes; a long name given one dash
// (-format) is that flag; else the nearest within a third of the name's
// letters, at least one, or the one flag whose name it begins (--out).
func flagSuggestion(cmd *cobra.Command, err error) string {
	var flags []*pflag.Flag
	for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.InheritedFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				flags = append(flags, f)
			}
		})
	}
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, "unknown shorthand flag: "); ok {
		// "'f' in -format"
		if _, name, ok := strings.Cut(rest, " in -"); ok {
			name, _, _ = strings.Cut(name, "=")
			for _, f := range flags {
				if f.Name == name {
					return "; did you mean --" + name + "?"
				}
			}
		}
		return ""
	}
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return ""
	}
	name, _, _ = strings.Cut(name, "=")
	name = strings.ToLower(name)
	if len(name) == 1 {
		for _, f := range flags {
			if f.Shorthand == name {
				return "; did you mean -" + name + " (--" + f.Name + ")?"
			}
		}
		return ""
	}
	var prefixed []string
	best, bestD := "", max(1, len(name)/3)+1
	for _, f := range flags {
		if strings.HasPrefix(f.Name, name) {
			prefixed = append(prefixed, f.Name)
		}
		if d := models.EditDistance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	}
	// A short name is more often a flag cut short (--fo) than a typo of
	// one; a longer one a typo (--form for --from).
	if len(prefixed) == 1 && !(bestD <= 1 && len(name) >= 4) {
		best = prefixed[0]
	}
	if best == "" {
		return ""
	}
	return "; did you mean --" + best + "?"
}
