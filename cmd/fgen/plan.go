package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

type planOptions struct {
	*globalOptions
	targetOptions
	dayOptions
	format string
}

func newPlanCmd(g *globalOptions) *cobra.Command {
	opts := &planOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would change in the warehouse (read-only)",
		Long: `Compare the tables funnel.toml defines with the target's live tables and list what
apply would do: create tables, add columns (appended last), change comments or
lifecycles, or refuse a destructive change (a dropped, retyped or reordered column, a
changed partition key) with a stable code and a suggested way forward. With
--bizdate or --from/--to it also lists the jobs apply would run for each day, with
the business date substituted, and whether each day's upstream ODS partition exists.
A day with jobs to run whose ODS partition is missing waits: it counts as a pending
change (exit 2), and apply skips it, and exits 1, until the partition is loaded (a day
whose partitions are up to date has nothing to wait for). plan never changes anything.

--format text (terraform-style symbols: + create, ~ alter, ! blocked), markdown (a
pull-request comment) or json (a stable contract; see the README). As terraform plan
-detailed-exitcode does, plan exits 2 when there are changes: a CI step under set -e
that only shows the plan allows it ('|| [ $? -eq 2 ]').

` + exitStatusHelp,
		Example: `  fgen plan
  fgen plan --target prod --bizdate 20210303
  fgen plan --target prod --from 20210301 --to 20210307 --format markdown > plan.md || [ $? -eq 2 ]`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPlan(cmd.Context(), opts) },
	}
	g.addTargetFlags(cmd, &opts.targetOptions)
	opts.dayOptions.addFlags(cmd)
	choiceFlag(cmd, &opts.format, "format", "output format", "text", "markdown", "json")
	return cmd
}

// buildPlan loads the config, opens the target and plans funnel.toml's
// changes and the days d names; with behind, a plan of no days notes the
// days fgen wrote that apply would write again (fgen plan's; apply of no
// days writes none). It returns what it planned from too (the config, the
// project rendered for the target), for plans of other days.
func (g *globalOptions) buildPlan(ctx context.Context, t *targetOptions, d *dayOptions, access access, behind bool) (*openedTarget, *plan.Plan, plan.Input, error) {
	days, err := d.days()
	if err != nil {
		return nil, nil, plan.Input{}, err
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, plan.Input{}, err
	}
	ot, err := g.openTarget(cfg, t, access)
	if err != nil {
		return nil, nil, plan.Input{}, err
	}
	proj, err := generator.Render(cfg, templates.FS(), ot.dialect)
	if err != nil {
		ot.wh.Close()
		return nil, nil, plan.Input{}, err
	}
	in := plan.Input{Target: ot.name, Location: ot.location, Config: cfg, Project: proj, Days: days, Behind: behind, Command: g.suggest(t).line}
	p, err := plan.Build(ctx, ot.wh, in)
	if err != nil {
		ot.wh.Close()
		return nil, nil, plan.Input{}, fmt.Errorf("plan %s: %w", ot.name, err)
	}
	g.noteOutOfSync(cfg, proj)
	return ot, p, in, nil
}

// noteOutOfSync notes, where out/ beside the config holds a generated
// project that differs from what this fgen generates from cfg (proj, in
// the target's dialect), that it does: plan and apply run what funnel.toml
// says, and DataWorks what out/ holds, which a review approved. Nothing is
// said where out/ is not there, is in sync in either dialect, or cannot
// be read; diff says which files differ and why (funnel.toml, an fgen of
// another version, a hand edit).
func (g *globalOptions) noteOutOfSync(cfg *models.Config, proj *generator.Project) {
	dir := defaultProjectDir(g.configPath)
	if g.quiet || !generator.HoldsManifest(dir) {
		return
	}
	mc := proj
	if proj.Dialect != generator.MaxCompute {
		var err error
		if mc, err = generator.Render(cfg, templates.FS(), generator.MaxCompute); err != nil {
			return
		}
	}
	changes, err := generator.Compare(dir, mc.Files)
	if err != nil || len(changes) == 0 || inOtherDialect(cfg, dir, string(generator.MaxCompute)) != "" {
		return
	}
	differ := "differ"
	if len(changes) == 1 {
		differ = "differs"
	}
	g.notice("note: %s is not what this fgen generates from %s (%s %s): plan and apply run what %s says, and DataWorks what %s holds; '%s' shows the difference and what to do", dir, g.configPath, plural(len(changes), "file"), differ, g.configPath, dir, g.suggest(nil).line("diff"))
}

func runPlan(ctx context.Context, opts *planOptions) error {
	ot, p, in, err := opts.buildPlan(ctx, &opts.targetOptions, &opts.dayOptions, readOnly, true)
	if err != nil {
		return err
	}
	defer ot.wh.Close()
	// A change apply would refuse though nothing blocks it (a column its
	// jobs would fail on): said here, as apply would say it.
	refuse := p.ChangeFails(false)
	if refuse == nil {
		refuse = heldDaysFail(ctx, ot, p, in)
	}
	if refuse != nil && !p.IsBlocked() {
		fmt.Fprintf(opts.stderr, "warning: apply would change nothing and exit 1: %v\n", refuse)
	}
	switch opts.format {
	case "json":
		if err := writeJSON(opts.stdout, "plan", p.JSON()); err != nil {
			return err
		}
	case "markdown":
		plan.WriteMarkdown(opts.stdout, p)
	default:
		plan.WriteText(opts.stdout, p)
	}
	switch {
	case p.IsBlocked():
		return &quietError{code: exitBlocked}
	case p.HasChanges():
		return &quietError{code: exitChanges}
	}
	return nil
}
