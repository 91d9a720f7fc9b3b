package lint

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// Ranges checks the DW columns of types narrower than their ODS columns'
// against the ODS rows of the days from..to, and warns of each day with
// values the DW type cannot hold, with their number, an example and where
// to widen the type:
//
//   - an integer type (models.Config.NarrowColumns): the DW node casts every
//     value, and one beyond the type's range fails it, better said before
//     apply;
//   - a VARCHAR(n) or CHAR(n) (models.Config.CharColumns): MaxCompute holds
//     at most n characters there, where the local engine keeps the whole
//     value, so the two targets would report such a value differently.
func Ranges(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, ods *warehouse.Table, from, to string) ([]Warning, error) {
	var checks []profileCheck
	for _, c := range cfg.NarrowColumns() {
		checks = append(checks, profileCheck{
			column: c.Name, isType: models.IsInteger,
			query:     func() (generator.Query, error) { return proj.RangeProfileQuery(c.Name, c.Lo, c.Hi, from, to) },
			what:      fmt.Sprintf("count the values of %s.%s beyond %s", cfg.ODS.Name, c.Name, c.Type),
			unchecked: fmt.Sprintf("values the DW column's %s cannot hold show only when the DW node fails on them", c.Type),
			warn: func(day string, n int64, eg string) Warning {
				return Warning{Day: day, Fails: cfg.DW.Name, Column: c.Name, Message: fmt.Sprintf("%d %s of %s on %s %s a %s beyond %s's %d to %d (e.g. %s), which the DW node cannot cast: widen the DW column %s (%s, from the ODS %s) at %s:%d, or fix the data",
					n, plural(n, "row", "rows"), cfg.ODS.Name, day, plural(n, "has", "have"), c.Name, c.Type, c.Lo, c.Hi, eg,
					c.Name, c.Type, c.ODSType, cfg.File, c.Position.Line)}
			},
		})
	}
	for _, c := range cfg.CharColumns() {
		checks = append(checks, profileCheck{
			column: c.Name, isType: models.IsString,
			query:     func() (generator.Query, error) { return proj.LengthProfileQuery(c.Name, c.Hi, from, to) },
			what:      fmt.Sprintf("count the values of %s.%s longer than %s", cfg.ODS.Name, c.Name, c.Type),
			unchecked: fmt.Sprintf("values longer than the DW column's %s show only on MaxCompute", c.Type),
			warn: func(day string, n int64, eg string) Warning {
				return Warning{Day: day, Column: c.Name, Message: fmt.Sprintf("%d %s of %s on %s %s a %s longer than %s's %d characters (e.g. %q), which MaxCompute does not hold as written, where the local engine keeps the whole value: widen the DW column %s (%s, from the ODS %s) at %s:%d, or fix the data",
					n, plural(n, "row", "rows"), cfg.ODS.Name, day, plural(n, "has", "have"), c.Name, c.Type, c.Hi, eg,
					c.Name, c.Type, c.ODSType, cfg.File, c.Position.Line)}
			},
		})
	}
	return runProfiles(ctx, w, proj, ods, from, checks)
}

// FarTimes checks the epoch time columns of the ordered funnels
// (models.Config.OrderedEpochTimes) against the ODS rows of the days
// from..to: a day with times outside the years 0000 to 9999, which the
// ordered funnels skip as rows without a time (a sentinel such as the
// greatest BIGINT for "unknown", or times in a finer unit than declared),
// is a Warning, with their number and the greatest.
func FarTimes(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, ods *warehouse.Table, from, to string) ([]Warning, error) {
	var checks []profileCheck
	for _, t := range cfg.OrderedEpochTimes() {
		lo, hi := models.EpochRange(t.Units)
		funnels := strings.Join(t.Funnels, ", ")
		checks = append(checks, profileCheck{
			column: t.Name, isType: models.IsInteger,
			query:     func() (generator.Query, error) { return proj.RangeProfileQuery(t.Name, lo, hi, from, to) },
			what:      fmt.Sprintf("count the times of %s.%s outside the years 0000 to 9999", cfg.ODS.Name, t.Name),
			unchecked: fmt.Sprintf("rows of no time show only as fewer users in the ordered funnels %s", funnels),
			warn: func(day string, n int64, eg string) Warning {
				return Warning{Day: day, Funnel: t.Funnels[0], Funnels: t.Funnels, Message: fmt.Sprintf("%d %s of %s on %s %s a %s outside the years 0000 to 9999 in epoch %s (e.g. %s), which the ordered funnels %s skip as rows without a time: fix the data, or, if they are in a finer unit, the time_column",
					n, plural(n, "row", "rows"), cfg.ODS.Name, day, plural(n, "has", "have"), t.Name, models.EpochUnit(t.Units), eg, funnels)}
			},
		})
	}
	return runProfiles(ctx, w, proj, ods, from, checks)
}

// profileCheck is one profile of an ODS column the DW node reads: the
// column, the types (as funnel.toml declares them) it profiles, its query,
// what it counts, what goes unchecked when the warehouse refuses it, and
// the warning of a day it finds rows on (with the example as SQL shows it).
type profileCheck struct {
	column          string
	isType          func(string) bool
	query           func() (generator.Query, error)
	what, unchecked string
	warn            func(day string, n int64, eg string) Warning
}

// runProfiles runs checks against the live table ods (nil: none yet),
// those of its columns of their type only: a column apply is to add, or
// one whose type plan refuses to change, has no values to profile (and the
// query would not bind). A profile the warehouse refuses (on MaxCompute, a
// project of the 1.0 type system that reads an INT column without
// odps.sql.type.system.odps2) is a warning of from, advisory as the others
// would be, saying what goes unchecked, and plan goes on.
func runProfiles(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, ods *warehouse.Table, from string, checks []profileCheck) ([]Warning, error) {
	if ods == nil {
		return nil, nil
	}
	var out []Warning
	for _, c := range checks {
		if !liveOf(proj, ods, c.column, c.isType) {
			continue
		}
		q, err := c.query()
		if err != nil {
			return nil, err
		}
		err = profiled(ctx, w, q, c.what, func(day string, n int64, example *string) {
			eg := "NULL" // the MAX of rows counted is not; a warehouse's row may be
			if example != nil {
				eg = *example
			}
			out = append(out, c.warn(day, n, eg))
		})
		if err != nil && ctx.Err() != nil {
			return nil, err // a signal: no check left undone to warn of
		}
		if err != nil {
			out = append(out, Warning{Day: from, Message: fmt.Sprintf("%v; without this check, %s", err, c.unchecked)})
		}
	}
	return out, nil
}

// liveOf reports whether the live table ods has the column name, of a type
// (as funnel.toml would declare it) that ok takes.
func liveOf(proj *generator.Project, ods *warehouse.Table, name string, ok func(string) bool) bool {
	i := slices.IndexFunc(ods.Columns, func(lc warehouse.Column) bool { return strings.EqualFold(lc.Name, name) })
	return i >= 0 && ok(proj.Dialect.ConfigType(ods.Columns[i].Type))
}
