package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// targetOptions are the flags of commands that talk to a warehouse.
type targetOptions struct {
	target     string
	odpsConfig string
	local      bool // the command writes local targets only: odpsConfig does nothing
}

// addTargetFlags adds the flags of t to cmd.
func (g *globalOptions) addTargetFlags(cmd *cobra.Command, t *targetOptions) {
	g.addTargetFlag(cmd, t, "the target in funnel.toml to use (default: the local duckdb target)", func(models.Target) bool { return true })
	cmd.Flags().StringVar(&t.odpsConfig, "odps-config", "", "odps config ini with access_id and access_key (default: $FGEN_ODPS_CONFIG)")
}

// addLocalTargetFlag adds --target to cmd, a command that writes local
// (duckdb) targets only, which need no --odps-config: it is taken, as
// earlier fgen listed it, hidden, and said on stderr to do nothing (not
// with cobra's deprecation, which prints on stdout, where JSON goes).
func (g *globalOptions) addLocalTargetFlag(cmd *cobra.Command, t *targetOptions) {
	g.addTargetFlag(cmd, t, "the local (duckdb) target in funnel.toml to write (default: the local duckdb target)", func(t models.Target) bool { return t.Engine == "duckdb" })
	t.local = true
	cmd.Flags().StringVar(&t.odpsConfig, "odps-config", "", "")
	cmd.Flags().MarkHidden("odps-config")
	cmd.PreRun = func(cmd *cobra.Command, _ []string) {
		if cmd.Flags().Changed("odps-config") {
			g.warn("--odps-config does nothing: %s writes local targets only, which need no credentials; leave it out", cmd.Name())
		}
	}
}

// addTargetFlag adds --target, whose completion offers the targets of
// funnel.toml that offer says the command takes.
func (g *globalOptions) addTargetFlag(cmd *cobra.Command, t *targetOptions, usage string, offer func(models.Target) bool) {
	cmd.Flags().StringVarP(&t.target, "target", "t", "", usage)
	cmd.RegisterFlagCompletionFunc("target", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := g.loadConfig()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, name := range cfg.TargetNames() {
			if offer(cfg.Targets[name]) {
				names = append(names, name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// dayOptions are --bizdate, --from and --to.
type dayOptions struct {
	bizdate, from, to string
}

func (d *dayOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.bizdate, "bizdate", "", "business date yyyymmdd (the DataWorks ${bdp.system.bizdate})")
	cmd.Flags().StringVar(&d.from, "from", "", "first business date of a range, yyyymmdd")
	cmd.Flags().StringVar(&d.to, "to", "", "last business date of a range, yyyymmdd (inclusive; a range is at most 3660 days)")
}

// flags are the day flags as given, for a command line fgen suggests:
// " --bizdate D", " --from D1 --to D2", or "".
func (d *dayOptions) flags() string {
	switch {
	case d.bizdate != "":
		return " --bizdate " + d.bizdate
	case d.from != "":
		return " --from " + d.from + " --to " + d.to
	}
	return ""
}

// maxRangeDays is the longest --from/--to range a command takes, ten years:
// plan, apply and report hold a few tens of KB per day (the nodes' SQL, the
// warehouse's notes), so a typo in the year (--to 99991231) would otherwise
// run until the machine runs out of memory.
const maxRangeDays = 3660

// days returns the business dates the flags name; none when no flag is set.
func (d *dayOptions) days() ([]string, error) {
	switch {
	case d.bizdate != "" && (d.from != "" || d.to != ""):
		return nil, fmt.Errorf("use either --bizdate or --from/--to, not both")
	case d.bizdate != "":
		if _, err := bizdate.Parse(d.bizdate); err != nil {
			return nil, fmt.Errorf("--bizdate: %w", err)
		}
		return []string{d.bizdate}, nil
	case d.from != "" && d.to != "":
		for flag, v := range map[string]string{"--from": d.from, "--to": d.to} {
			if _, err := bizdate.Parse(v); err != nil {
				return nil, fmt.Errorf("%s: %w", flag, err)
			}
		}
		if d.to < d.from {
			return nil, fmt.Errorf("--to %s is before --from %s", d.to, d.from)
		}
		if n := bizdate.Span(d.from, d.to); n > maxRangeDays {
			return nil, fmt.Errorf("--from %s --to %s is %d days, more than the %d (ten years) one command takes: check the year, or split the range", d.from, d.to, n, maxRangeDays)
		}
		return bizdate.Range(d.from, d.to)
	case d.from != "" || d.to != "":
		return nil, fmt.Errorf("--from and --to go together")
	}
	return nil, nil
}

// access is how a command uses a target: plan and report only read it,
// and must not create or change anything (not even a local database file).
type access int

const (
	readOnly access = iota
	readWrite
)

// openedTarget is a resolved target and its warehouse.
type openedTarget struct {
	name    string
	target  models.Target
	dialect generator.Dialect
	wh      warehouse.Warehouse
	local   localEngine // set for a local target: its ODS takes files and samples
	// location is where its tables are: a MaxCompute project and
	// endpoint, a database file.
	location string
}

// localPath resolves a duckdb target's path relative to the config file.
func (g *globalOptions) localPath(t models.Target) string {
	if filepath.IsAbs(t.Path) {
		return t.Path
	}
	return filepath.Join(filepath.Dir(g.configPath), t.Path)
}

// openers opens a target's warehouse, by engine, and says where its tables
// are: the one place cmd tells engines apart. Clients are only built here,
// so commands that don't need a warehouse never need credentials.
var openers = map[string]func(g *globalOptions, cfg *models.Config, name string, t models.Target, opts *targetOptions, access access) (warehouse.Warehouse, string, error){
	models.EngineDuckDB: func(g *globalOptions, _ *models.Config, _ string, t models.Target, _ *targetOptions, access access) (warehouse.Warehouse, string, error) {
		wh, err := g.openLocalTarget(t, access)
		return wh, g.localPath(t), err
	},
	models.EngineMaxCompute: func(g *globalOptions, cfg *models.Config, name string, t models.Target, opts *targetOptions, _ access) (warehouse.Warehouse, string, error) {
		wh, err := g.openMaxCompute(name, t, opts, cfg.Project.Name)
		return wh, fmt.Sprintf("project %s at %s", t.Project, strings.TrimRight(t.Endpoint, "/")), err
	},
}

// openTarget resolves and opens a target.
func (g *globalOptions) openTarget(cfg *models.Config, opts *targetOptions, access access) (*openedTarget, error) {
	name, t, err := cfg.Target(opts.target)
	if err != nil {
		return nil, err
	}
	d, err := generator.DialectOf(t.Engine)
	if err != nil {
		return nil, err
	}
	open, ok := openers[t.Engine]
	if !ok {
		return nil, fmt.Errorf("target %s: engine %q has no warehouse", name, t.Engine)
	}
	wh, location, err := open(g, cfg, name, t, opts, access)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", name, localAdvice(name, t, err))
	}
	ot := &openedTarget{name: name, target: t, dialect: d, wh: wh, location: location}
	ot.local, _ = wh.(localEngine)
	return ot, nil
}

// localAdvice adds to an error of opening the local target name what to
// do where the system's words do not say: a directory fgen may not write
// in.
func localAdvice(name string, t models.Target, err error) error {
	if t.Engine != "duckdb" || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	dir := "the warehouse's directory"
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		dir = filepath.Dir(pe.Path) // mkdir .fgen: . refused it
	}
	return fmt.Errorf("%w; make %s writable, or give [targets.%s] a path where fgen may write", err, dir, name)
}
