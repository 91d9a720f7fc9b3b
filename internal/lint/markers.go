package lint

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// markerUse is a breakdown marker of a funnel: its total_marker, its
// null_marker, or its other_marker under a breakdown_limit.
type markerUse struct {
	funnel string
	key    string // "total_marker", "null_marker" or "other_marker"
	path   string // its place in funnel.toml, for Config.Pos
}

// Markers checks the breakdown columns against the ODS rows of the days
// from..to: a day with rows whose value is a breakdown marker is a Warning.
// A value equal to total_marker writes report rows that read as the day's
// total, one equal to null_marker is merged with the NULL or empty values,
// and one equal to other_marker into the row of the values beyond
// breakdown_limit, before they are written: none can be told apart in the
// RPT table afterwards, so they are better said before apply.
func Markers(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, ods *warehouse.Table, from, to string) ([]Warning, error) {
	if ods == nil {
		return nil, nil
	}
	var columns []string                        // in funnel.toml's order
	uses := map[string]map[string][]markerUse{} // column (lower case) -> marker -> uses
	for i, f := range cfg.Funnels {
		for _, b := range f.Breakdowns {
			col := strings.ToLower(b)
			if uses[col] == nil {
				columns = append(columns, b)
				uses[col] = map[string][]markerUse{}
			}
			p := fmt.Sprintf("funnels[%d].report.", i)
			uses[col][f.Report.TotalMarker] = append(uses[col][f.Report.TotalMarker], markerUse{f.Name, "total_marker", p + "total_marker"})
			uses[col][f.Report.NullMarker] = append(uses[col][f.Report.NullMarker], markerUse{f.Name, "null_marker", p + "null_marker"})
			if f.BreakdownLimit > 0 {
				uses[col][f.Report.OtherMarker] = append(uses[col][f.Report.OtherMarker], markerUse{f.Name, "other_marker", p + "other_marker"})
			}
		}
	}
	var out []Warning
	for _, b := range columns {
		// Only a column the live table has: one apply is to add has no
		// values yet (and the query would not bind).
		if !slices.ContainsFunc(ods.Columns, func(c warehouse.Column) bool { return strings.EqualFold(c.Name, b) }) {
			continue
		}
		byMarker := uses[strings.ToLower(b)]
		markers := slices.Sorted(maps.Keys(byMarker))
		q, err := proj.MarkerProfileQuery(b, markers, from, to)
		if err != nil {
			return nil, err
		}
		err = profiled(ctx, w, q, fmt.Sprintf("count the values of %s.%s that are breakdown markers", cfg.ODS.Name, b), func(day string, n int64, example *string) {
			if example == nil {
				return
			}
			// Every funnel whose marker it is reports the rows so, and has
			// its own line to change: one warning a marker key names them
			// all (report --funnel shows those of its funnels).
			var keys []string
			byKey := map[string][]markerUse{}
			for _, u := range byMarker[*example] {
				if byKey[u.key] == nil {
					keys = append(keys, u.key)
				}
				byKey[u.key] = append(byKey[u.key], u)
			}
			for _, key := range keys {
				us := byKey[key]
				effect := "its report rows would read as the day's total"
				switch key {
				case "null_marker":
					effect = fmt.Sprintf("its report rows would be merged with those of the NULL or empty %s values", b)
				case "other_marker":
					effect = "its report rows would be merged into the row of the values beyond breakdown_limit"
				}
				var funnels, lines []string
				for _, u := range us {
					funnels = append(funnels, u.funnel)
					lines = append(lines, fmt.Sprintf(":%d", cfg.Pos(u.path).Line))
				}
				whose, where := "funnel "+funnels[0], cfg.File+lines[0]
				if len(us) > 1 {
					whose = "funnels " + strings.Join(funnels, ", ")
					for i := range lines {
						lines[i] += " (" + funnels[i] + ")"
					}
					where = cfg.File + strings.Join(lines, ", ")
				}
				msg := fmt.Sprintf("%d %s of %s on %s %s %s %q, the %s of %s: %s; set %s at %s to a value %s never holds (e.g. %q)",
					n, plural(n, "row", "rows"), cfg.ODS.Name, day, plural(n, "has", "have"), b, *example, key, whose, effect, key, where, b, "("+*example+")")
				out = append(out, Warning{Day: day, Funnel: funnels[0], Funnels: funnels, Message: msg})
			}
		})
		if err != nil && ctx.Err() != nil {
			return nil, err // a signal: no check left undone to warn of
		}
		if err != nil {
			out = append(out, Warning{Day: from, Message: fmt.Sprintf("%v; without this check, a %s value equal to a breakdown marker is not told apart from the marker's row", err, b)})
		}
	}
	return out, nil
}
