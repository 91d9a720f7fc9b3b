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

// Ranges checks the DW columns of integer types narrower than their ODS
// columns' (models.Config.NarrowColumns) against the ODS rows of the days
// from..to: a day with values the DW type cannot hold is a Warning, with
// their number and the greatest. The DW node casts every value, and such a
// value fails it: better said before apply, with where to widen the type.
func Ranges(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, ods *warehouse.Table, from, to string) ([]Warning, error) {
	narrow := cfg.NarrowColumns()
	if len(narrow) == 0 || ods == nil {
		return nil, nil
	}
	// Only columns the live table (ods) has, of an integer type: a column
	// apply is to add, or one whose type plan refuses to change, has no
	// values to profile (and the query would not bind).
	live := ods.Columns
	var out []Warning
	for _, c := range narrow {
		i := slices.IndexFunc(live, func(lc warehouse.Column) bool { return strings.EqualFold(lc.Name, c.Name) })
		if i < 0 {
			continue
		}
		if _, _, ok := models.IntRange(proj.Dialect.ConfigType(live[i].Type)); !ok {
			continue
		}
		q, err := proj.RangeProfileQuery(c.Name, c.Lo, c.Hi, from, to)
		if err != nil {
			return nil, err
		}
		err = profiled(ctx, w, q, fmt.Sprintf("count the values of %s.%s beyond %s", cfg.ODS.Name, c.Name, c.Type), func(day string, n int64, example *string) {
			eg := "NULL" // the MAX of rows counted is not; a warehouse's row may be
			if example != nil {
				eg = *example
			}
			msg := fmt.Sprintf("%d %s of %s on %s %s a %s beyond %s's %d to %d (e.g. %s), which the DW node cannot cast: widen the DW column %s (%s, from the ODS %s) at %s:%d, or fix the data",
				n, plural(n, "row", "rows"), cfg.ODS.Name, day, plural(n, "has", "have"), c.Name, c.Type, c.Lo, c.Hi, eg,
				c.Name, c.Type, c.ODSType, cfg.File, c.Position.Line)
			out = append(out, Warning{Day: day, Message: msg, Fails: cfg.DW.Name, Column: c.Name})
		})
		if err != nil {
			// Advisory, as the warning would be: a profile the warehouse
			// refuses (on MaxCompute, a project of the 1.0 type system that
			// reads an INT column without odps.sql.type.system.odps2) says
			// so, and plan goes on.
			out = append(out, Warning{Day: from, Message: fmt.Sprintf("%v; without this check, values the DW column's %s cannot hold show only when the DW node fails on them", err, c.Type)})
		}
	}
	return out, nil
}
