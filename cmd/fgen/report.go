package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/lint"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

type reportOptions struct {
	*globalOptions
	targetOptions
	dayOptions
	format string
	funnel string
}

func newReportCmd(g *globalOptions) *cobra.Command {
	opts := &reportOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Show the funnel from the RPT table: table, json, csv or a self-contained html page",
		Long: `Read a funnel's report (RPT) table on the target and show it.

  --format table   counts, step and overall conversion and a bar per stage (default)
  --format json    machine-readable rows (see the README for the schema)
  --format csv     one line per day and stage
  --format html    one self-contained page (inline SVG, no network): a funnel chart per
                   day and, for a range, conversion over time

-o FILE writes to a file instead of standard output. Without dates, the local target
reports every day it has; a MaxCompute target needs --bizdate or --from/--to.

` + exitStatusHelp,
		Example: `  fgen report --bizdate 20210303
  fgen report --from 20210301 --to 20210307 --format html -o funnel.html
  fgen report --target prod --bizdate 20210303 --format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), opts, opts.outputFile(cmd))
		},
	}
	g.addTargetFlags(cmd, &opts.targetOptions)
	opts.dayOptions.addFlags(cmd)
	cmd.Flags().StringVar(&opts.format, "format", "table", "output format: table, json, csv or html")
	cmd.Flags().StringVar(&opts.funnel, "funnel", "", "the funnel to report (default: the first in funnel.toml)")
	return cmd
}

func runReport(ctx context.Context, opts *reportOptions, output string) error {
	format, err := report.ParseFormat(opts.format)
	if err != nil {
		return err
	}
	days, err := opts.days()
	if err != nil {
		return err
	}
	cfg, err := opts.loadConfig()
	if err != nil {
		return err
	}
	f, err := pickFunnel(cfg, opts.funnel)
	if err != nil {
		return err
	}
	ot, err := opts.openTarget(cfg, &opts.targetOptions, readOnly)
	if err != nil {
		return err
	}
	defer ot.wh.Close()
	from, to := "", ""
	if len(days) > 0 {
		from, to = days[0], days[len(days)-1]
	} else if !ot.wh.Capabilities().ScanAll {
		return fmt.Errorf("name the business dates with --bizdate or --from/--to; target %s does not allow reading every partition", ot.name)
	}
	proj, err := generator.Render(cfg, templates.FS(), ot.dialect)
	if err != nil {
		return err
	}
	fill := "fgen apply --from FIRST --to LAST"
	if from != "" {
		fill = fmt.Sprintf("fgen apply --from %s --to %s", from, to)
	}
	if def, err := cfg.DefaultTarget(); err != nil || def != ot.name {
		fill += " --target " + ot.name
	}
	if _, err := ot.wh.Describe(ctx, f.Report.Table); errors.Is(err, warehouse.ErrTableNotFound) {
		return fmt.Errorf("target %s has no report table %s yet; create and fill it with '%s'", ot.name, f.Report.Table, fill)
	} else if err != nil {
		return err
	}
	r, err := report.Read(ctx, ot.wh, proj, f, from, to)
	if err != nil {
		return err
	}
	if len(r.Rows) == 0 {
		fmt.Fprintf(opts.stderr, "warning: %s has no rows for those days; fill them with '%s'\n", f.Report.Table, fill)
	} else if err := warnEvents(ctx, opts.stderr, ot.wh, proj, cfg, r.Rows[0].Dt, r.Rows[len(r.Rows)-1].Dt); err != nil {
		return err
	}
	return writeReport(opts.stdout, opts.stderr, r, format, output)
}

// warnEvents prints the stages whose event values match no ODS row of a day
// from..to that has rows (lint.Events). The ODS table may be gone or
// elsewhere: then there is nothing to check.
func warnEvents(ctx context.Context, w io.Writer, wh warehouse.Warehouse, proj *generator.Project, cfg *models.Config, from, to string) error {
	if _, err := wh.Describe(ctx, cfg.ODS.Name); err != nil {
		return nil
	}
	warnings, err := lint.Events(ctx, wh, proj, cfg, from, to)
	if err != nil {
		return err
	}
	for _, x := range warnings {
		fmt.Fprintf(w, "warning: %s\n", x.Message)
	}
	return nil
}

// writeReport renders r to path, or to stdout when path is empty or "-",
// and says on stderr which file it wrote.
func writeReport(stdout, stderr io.Writer, r *report.Report, format report.Format, path string) error {
	var buf bytes.Buffer
	if err := report.Write(&buf, r, format); err != nil {
		return err
	}
	if path == "" || path == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", path)
	return nil
}

func pickFunnel(cfg *models.Config, name string) (*models.Funnel, error) {
	if name == "" {
		return &cfg.Funnels[0], nil
	}
	var names []string
	for i := range cfg.Funnels {
		if cfg.Funnels[i].Name == name {
			return &cfg.Funnels[i], nil
		}
		names = append(names, cfg.Funnels[i].Name)
	}
	return nil, fmt.Errorf("no funnel %q in %s; funnels: %s", name, cfg.File, strings.Join(names, ", "))
}
