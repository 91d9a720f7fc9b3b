package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/shell"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

type generateOptions struct {
	*globalOptions
	projectDir
	dialect string
	force   bool
}

func newGenerateCmd(g *globalOptions) *cobra.Command {
	opts := &generateOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write the DataWorks SQL project into out/",
		Long: `Write the generated project into its directory (out/ beside funnel.toml, or --dir):
ddl/<table>.sql for every table, nodes/<table>.sql for every node,
dataworks/<workflow>.json (the FlowSpec workflow) and manifest.json (what fgen
wrote, with hashes). Files that did not change are not touched; files fgen
generated earlier and no longer renders are removed, unless they were edited by
hand since (those are kept, and no longer tracked); files fgen did not generate
are never overwritten or removed. If funnel.toml has an error, nothing is
written; if writing fails part-way (a full disk), out/ is left as it was. While
generate writes, it holds out/.fgen.lock (an flock, on unix), and a second
generate into the same directory fails rather than mixing its files in. A
generate that was killed leaves the lock, which the next takes over (without
flock, it names it for you to delete), and the journal of the files it was
replacing, out/.fgen.journal: the next generate puts them back first, then
writes. Until then 'fgen diff' says out/ is part-written (exit 1).

Ctrl-C (or SIGTERM) stops generate before it writes, with out/ as it was (exit 130);
the write takes milliseconds and, once begun, ends whole: a signal during it is said
after it, exit 130 too, with out/ written.

generate never writes into a file system root or your home directory, and writes
into a directory that has files but no fgen manifest (manifest.json) only with
--force.

--dialect duckdb renders the SQL the local engine runs, for reading; the committed
out/ is MaxCompute SQL.

` + exitStatusHelp,
		Example: `  fgen generate
  fgen generate --dir /tmp/review
  fgen generate --dialect duckdb --dir /tmp/local-sql
  fgen generate --dir sql --force   # add the project to a directory of your own`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.warnDeprecated(cmd)
			if opts.dialect != string(generator.MaxCompute) && opts.dir == "" {
				return fmt.Errorf("%s holds the MaxCompute project; write the %s dialect elsewhere with --dir DIR", opts.path(opts.configPath), opts.dialect)
			}
			return runGenerate(cmd.Context(), opts)
		},
	}
	choiceFlag(cmd, &opts.dialect, "dialect", "SQL dialect", string(generator.MaxCompute), string(generator.DuckDB))
	opts.projectDir.addFlag(cmd)
	cmd.Flags().BoolVar(&opts.force, "force", false, "write into a non-empty directory that holds no fgen manifest (files fgen did not generate are still never overwritten)")
	return cmd
}

// again is the command line of this generate, to run once more: its
// config, directory, dialect and --force.
func (opts *generateOptions) again() string {
	return opts.generateLine(opts.dir, opts.dialect, opts.force)
}

// generateLine is the command line of a generate of the config into dir
// (the default when ""), in dialect, with --force if force.
func (g *globalOptions) generateLine(dir, dialect string, force bool) string {
	gen := "generate"
	if dir != "" {
		gen += " --dir " + shell.Quote(dir)
	}
	if dialect != string(generator.MaxCompute) {
		gen += " --dialect " + dialect
	}
	if force {
		gen += " --force"
	}
	return g.suggest(nil).line(gen)
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

func runGenerate(ctx context.Context, opts *generateOptions) error {
	cfg, p, err := opts.render(opts.dialect)
	if err != nil {
		return err
	}
	dir := opts.path(opts.configPath)
	// The warehouse first: a directory that holds it is not to be
	// forced.
	if err := opts.checkWarehouseOutside(cfg, p, dir); err != nil {
		return err
	}
	if err := checkOutDir(dir, homeDir(opts.getenv), opts.force); err != nil {
		return err
	}
	if other := inOtherDialect(cfg, dir, opts.dialect); other != "" && !opts.quiet {
		fmt.Fprintf(opts.stderr, "note: %s held the project in the %s dialect; generate writes it in the %s one (--dialect %s keeps the %s one)\n", dir, other, opts.dialect, other, other)
	}
	// Ctrl-C stops generate before it writes; the write, whole or not at
	// all (its journal), takes milliseconds, and once begun it ends.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("generate: %w; %s is as it was", err, dir)
	}
	res, err := generator.Write(dir, p.Files)
	if foreign := (*generator.ForeignFilesError)(nil); errors.As(err, &foreign) {
		return fmt.Errorf("generate: %s", foreign.Explain("run '"+opts.again()+"'"))
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	// A signal during the write: what it wrote is said, then that it was
	// interrupted (exit 130), though the write ended whole.
	interrupted := ctx.Err()
	if res.Recovered != "" {
		fmt.Fprintf(opts.stderr, "note: %s (%s)\n", res.Recovered, filepath.Join(dir, generator.JournalPath))
	}
	// -q: only what needs the user, the files kept as they were edited.
	if !opts.quiet {
		for _, f := range res.Written {
			fmt.Fprintf(opts.stdout, "wrote   %s\n", filepath.Join(dir, f))
		}
		for _, f := range res.Removed {
			fmt.Fprintf(opts.stdout, "removed %s\n", filepath.Join(dir, f))
		}
	}
	for _, f := range res.Restored {
		opts.warn("%s had been edited by hand; generate replaced the edit with what %s renders (change %[2]s to change the SQL; '%s' shows such an edit before a generate)", filepath.Join(dir, f), opts.configPath, opts.suggest(nil).line("diff"))
	}
	for _, f := range res.Kept {
		fmt.Fprintf(opts.stdout, "kept    %s: no longer generated, but edited by hand; fgen no longer tracks it, delete it if you do not need it\n", filepath.Join(dir, f))
	}
	if !opts.quiet && cfg.DataWorks.ODSProducer == "" && slices.Contains(res.Written, generator.FlowSpecPath(cfg)) {
		// Said as the workflow is written, not on every run.
		fmt.Fprintf(opts.stderr, "note: the DW node waits for no sync task ([dataworks] ods_producer is not set): DataWorks runs it at its time whether or not the day's %s partition has landed, and reads one that has not as empty; set ods_producer to the output of the node that fills %s\n", cfg.ODS.Name, cfg.ODS.Name)
	}
	if !opts.quiet && cfg.DataWorks.ODSProducer != "" && cfg.ODS.Hourly() && !cfg.DW.Hourly() && slices.Contains(res.Written, generator.FlowSpecPath(cfg)) {
		// DataWorks ties a daily node to an hourly one's instances of
		// its run day, all 24 of them, unless the hourly one depends on
		// itself; fgen gives its own hourly DW that dependency, and
		// cannot give it to a sync node it does not write.
		fmt.Fprintf(opts.stderr, "note: the daily DW node depends on %s, which fills the hourly %s: DataWorks makes a daily node wait for every instance of an hourly node on its run day, so the DW of a day would wait until the end of the next day, unless that node depends on itself (a cross-cycle dependency on its own previous cycle): give it one in DataWorks\n", cfg.DataWorks.ODSProducer, cfg.ODS.Name)
	}
	if !opts.quiet {
		fmt.Fprintf(opts.stdout, "%s: %d written, %d unchanged, %d removed", dir, len(res.Written), len(res.Unchanged), len(res.Removed))
		if len(res.Kept) > 0 {
			fmt.Fprintf(opts.stdout, ", %d kept", len(res.Kept))
		}
		fmt.Fprintln(opts.stdout)
	}
	if interrupted != nil {
		return fmt.Errorf("generate: %w while it wrote %s, which it finished: a write is whole or none", interrupted, dir)
	}
	return nil
}

// checkOutDir refuses an output directory generate must not write into: a
// file system root or the home directory, whatever force says, and a
// directory that has files but no fgen manifest, unless force.
func checkOutDir(dir, home string, force bool) error {
	abs := realPath(dir)
	if filepath.Dir(abs) == abs {
		return fmt.Errorf("%s is the root of a file system; generate into a directory of its own, e.g. --dir out", dir)
	}
	if home != "" && abs == realPath(home) {
		return fmt.Errorf("%s is your home directory; generate into a directory of its own, e.g. --dir out", dir)
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory; name a directory with --dir", dir)
	}
	if force {
		return nil
	}
	if foreign, err := foreignDir(dir); err != nil || !foreign {
		return err
	}
	return fmt.Errorf("%s is not empty and holds no fgen manifest (%s); generate into a new or empty directory, or pass --force to add the generated files to it", dir, generator.ManifestPath)
}

// checkWarehouseOutside refuses to generate into dir when a local target's
// warehouse is at a path generate writes there (a file of p, the manifest,
// the lock or the journal), which would replace it or be taken for it; or
// anywhere inside out/ beside funnel.toml, the directory one commits (validate
// says so of a relative path; this catches an absolute one). Elsewhere
// inside --dir (the project's root) it is the user's choice.
func (opts *globalOptions) checkWarehouseOutside(cfg *models.Config, p *generator.Project, dir string) error {
	owned := map[string]bool{generator.ManifestPath: true, generator.LockPath: true, generator.JournalPath: true}
	for _, f := range p.Files {
		owned[f.Path] = true
	}
	defaultDir := realPath(dir) == realPath(defaultProjectDir(opts.configPath))
	for _, name := range slices.Sorted(maps.Keys(cfg.Targets)) {
		t := cfg.Targets[name]
		if t.Engine != models.EngineDuckDB || t.Path == ":memory:" {
			continue
		}
		rel, err := filepath.Rel(realPath(dir), realPath(opts.localPath(t)))
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		var msg string
		switch {
		case owned[filepath.ToSlash(rel)]:
			msg = fmt.Sprintf("the warehouse of target %s (%s) is at %s, a file generate writes in %s; set [targets.%s] path to a file outside %s", name, opts.localPath(t), filepath.ToSlash(rel), dir, name, dir)
		case defaultDir:
			msg = fmt.Sprintf("the warehouse of target %s (%s) is inside %s, where generate writes the project you commit; set [targets.%s] path to a file outside it, or generate elsewhere with --dir", name, opts.localPath(t), dir, name)
		default:
			continue
		}
		// A problem of funnel.toml's path key, placed as validate places
		// the others (and listed in a JSON error's problems).
		path := "targets." + name + ".path"
		return models.Diagnostics{{File: cfg.File, Pos: cfg.Pos(path), Path: path, Msg: msg}}
	}
	return nil
}

// foreignDir reports whether dir holds files but no manifest of fgen's
// (nor the lock of a generate writing its first one): generate writes into
// it only with --force.
func foreignDir(dir string) (bool, error) {
	if _, err := os.Lstat(filepath.Join(dir, generator.ManifestPath)); err == nil {
		return false, nil
	}
	for _, name := range []string{generator.LockPath, generator.JournalPath} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			// Another generate is writing its first manifest here (Write's
			// lock says so, and which process), or stopped part-way
			// through it (Write puts back what its journal lists).
			return false, nil
		}
	}
	// Empty folders hold nothing to lose (a hand-written node moved out
	// of out/nodes leaves one).
	hasFile := false
	// The directory itself, through a link to it: WalkDir does not follow
	// a linked root, and would take the link for a file. The temporary
	// files of a generate that was killed before its journal was in place
	// are fgen's.
	err := filepath.WalkDir(realPath(dir), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !generator.IsTemporary(d.Name()) {
			hasFile = true
			return fs.SkipAll
		}
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return hasFile, err
}

// realPath is p made absolute with every symbolic link along it followed,
// dangling ones too, as far as the path exists: two names of one file or
// directory compare equal, also before it exists.
func realPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	parts := strings.Split(abs, string(filepath.Separator))
	cur := string(filepath.Separator)
	for hops := 0; len(parts) > 0; {
		part := parts[0]
		parts = parts[1:]
		if part == "" {
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if err != nil {
			return filepath.Join(append([]string{next}, parts...)...)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		target, err := os.Readlink(next)
		if hops++; err != nil || hops > 40 {
			return filepath.Join(append([]string{next}, parts...)...)
		}
		if filepath.IsAbs(target) {
			cur = string(filepath.Separator)
		}
		parts = append(strings.Split(target, string(filepath.Separator)), parts...)
	}
	return filepath.Clean(cur)
}

// homeDir is the user's home directory from the environment, or "".
func homeDir(getenv func(string) string) string {
	if runtime.GOOS == "windows" {
		return getenv("USERPROFILE")
	}
	return getenv("HOME")
}
