package lint

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// Times checks the STRING time columns of the funnels (models.Config.StringTimes)
// against the ODS rows of the days from..to: a day with values that do not
// read in the column's format is a Warning, with their number and an
// example. The DW node drops those rows, so a wrong format would otherwise
// only show as low counts.
func Times(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, from, to string) ([]Warning, error) {
	return times(ctx, w, proj, cfg, nil, from, to)
}

// times is Times but for the columns of retyped, which it leaves out.
func times(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, retyped map[string]string, from, to string) ([]Warning, error) {
	var out []Warning
	for _, t := range cfg.StringTimes() {
		if why, ok := retyped[strings.ToLower(t.Name)]; ok {
			out = append(out, Warning{Day: from, Message: fmt.Sprintf("the times of %s were not checked against the rows of %s: %s", t.Name, cfg.ODS.Name, why)})
			continue
		}
		q, err := proj.TimeProfileQuery(t, from, to)
		if err != nil {
			return nil, err
		}
		err = profiled(ctx, w, q, "count the unreadable times of "+cfg.ODS.Name, func(day string, n int64, example *string) {
			eg := ""
			if example != nil {
				eg = fmt.Sprintf(" (e.g. %q)", *example)
			}
			msg := fmt.Sprintf("%d %s of %s on %s %s a %s that does not read as %q%s; the DW node drops them: fix time_column's format in funnel.toml, or the data",
				n, plural(n, "row", "rows"), cfg.ODS.Name, day, plural(n, "has", "have"), t.Name, t.Format, eg)
			out = append(out, Warning{Day: day, Message: msg})
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// profiled runs q, a profile of the ODS rows whose rows are (day, count,
// example), and hands each to each, its example nil when NULL. what says
// what q does, for its errors.
func profiled(ctx context.Context, w warehouse.Warehouse, q generator.Query, what string, each func(day string, n int64, example *string)) error {
	rows, err := w.Query(ctx, q.SQL, warehouse.Settings(q.Settings)...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if rows == nil {
		return nil
	}
	for _, r := range rows.Values {
		if len(r) != 3 || r[0] == nil || r[1] == nil {
			return fmt.Errorf("%s: unexpected row %v", what, r)
		}
		n, err := strconv.ParseInt(*r[1], 10, 64)
		if err != nil {
			return fmt.Errorf("%s: count %q: %w", what, *r[1], err)
		}
		each(*r[0], n, r[2])
	}
	return nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Check runs every check of the ODS rows of the days from..to (Events,
// Times, Ranges, FarTimes and Markers) and returns what they find, by day. ods is the live ODS
// table, as the caller described it.
func Check(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, ods *warehouse.Table, from, to string) ([]Warning, error) {
	var retyped map[string]string
	if ods != nil {
		// The live table may have columns funnel.toml does not list (a sync
		// task added one, which plan then refuses to go on with): the
		// queries read it with the settings its types need too.
		w = withSettings{w, warehouse.Settings(proj.TypeSettings(LiveColumns(proj.Dialect, ods.Columns)))}
		retyped = retypedColumns(proj.Dialect, cfg, ods)
	}
	events, err := events(ctx, w, proj, cfg, retyped, from, to)
	if err != nil {
		return nil, err
	}
	times, err := times(ctx, w, proj, cfg, retyped, from, to)
	if err != nil {
		return nil, err
	}
	// The range and marker checks read the rows as the DW node cleans them:
	// with a column it reads missing or retyped live, they would not bind.
	var ranges, far, markers []Warning
	orderedTimes := len(cfg.OrderedEpochTimes()) > 0
	if why := dwReadsUnreadable(cfg, retyped); why != "" && (len(cfg.NarrowColumns()) > 0 || len(cfg.CharColumns()) > 0 || orderedTimes || slices.ContainsFunc(cfg.Funnels, func(f models.Funnel) bool { return len(f.Breakdowns) > 0 })) {
		what := "the breakdown values and narrowed DW columns"
		if orderedTimes {
			what = "the breakdown values, narrowed DW columns and ordered funnels' times"
		}
		ranges = []Warning{{Day: from, Message: fmt.Sprintf("%s were not checked against the rows of %s: %s", what, cfg.ODS.Name, why)}}
	} else {
		if ranges, err = Ranges(ctx, w, proj, cfg, ods, from, to); err != nil {
			return nil, err
		}
		if far, err = FarTimes(ctx, w, proj, cfg, ods, from, to); err != nil {
			return nil, err
		}
		if markers, err = Markers(ctx, w, proj, cfg, ods, from, to); err != nil {
			return nil, err
		}
	}
	out := slices.Concat(events, times, ranges, far, markers)
	slices.SortStableFunc(out, func(a, b Warning) int { return cmp.Compare(a.Day, b.Day) })
	return out, nil
}

// dwReadsUnreadable returns why, of unreadable (retypedColumns), the first
// column the DW node reads that is there, in funnel.toml's order: a DW
// column, a column it cleans or deduplicates by, an event column. A new
// ODS column no DW column copies yet (listed last, for apply to append)
// is none of them.
func dwReadsUnreadable(cfg *models.Config, unreadable map[string]string) string {
	reads := map[string]bool{}
	for _, c := range cfg.DW.Columns {
		reads[strings.ToLower(c.Name)] = true
	}
	for _, c := range slices.Concat(cfg.DW.DropEmpty, cfg.DW.DedupBy) {
		reads[strings.ToLower(c)] = true
	}
	events, _ := cfg.KnownEvents()
	for _, c := range events {
		reads[strings.ToLower(c)] = true
	}
	for _, c := range cfg.ODS.Columns {
		if why, ok := unreadable[strings.ToLower(c.Name)]; ok && reads[strings.ToLower(c.Name)] {
			return why
		}
	}
	return ""
}

// LiveColumns returns a live table's columns with their types as
// funnel.toml writes them, in dialect d.
func LiveColumns(d generator.Dialect, cols []warehouse.Column) []models.Column {
	var out []models.Column
	for _, c := range cols {
		out = append(out, models.Column{Name: c.Name, Type: d.ConfigType(c.Type)})
	}
	return out
}

// withSettings is a warehouse whose queries carry extra settings besides
// their own.
type withSettings struct {
	warehouse.Warehouse
	extra []warehouse.Setting
}

func (w withSettings) Query(ctx context.Context, statement string, settings ...warehouse.Setting) (*warehouse.Rows, error) {
	for _, e := range w.extra {
		if !slices.ContainsFunc(settings, func(s warehouse.Setting) bool { return s.Key == e.Key }) {
			settings = append(settings, e)
		}
	}
	return w.Warehouse.Query(ctx, statement, settings...)
}

// retypedColumns says, by lower-case name, which ODS columns of funnel.toml
// the live table lacks or holds with another type: the event and time
// checks would fail on them (a column renamed by the sync task; a STRING
// event column compared with funnel.toml's integer codes, whose literals and
// functions follow funnel.toml's type), and plan refuses to go on until they
// agree.
func retypedColumns(d generator.Dialect, cfg *models.Config, ods *warehouse.Table) map[string]string {
	out := map[string]string{}
	for _, c := range cfg.ODS.Columns {
		i := slices.IndexFunc(ods.Columns, func(lc warehouse.Column) bool { return strings.EqualFold(lc.Name, c.Name) })
		switch {
		case i < 0:
			out[strings.ToLower(c.Name)] = fmt.Sprintf("the live table has no column %s ('fgen plan' says how to make it agree with funnel.toml)", c.Name)
		case !d.HoldsType(ods.Columns[i].Type, c.Type):
			out[strings.ToLower(c.Name)] = fmt.Sprintf("column %s is %s live and %s in funnel.toml ('fgen plan' says how to make them agree)", c.Name, d.ConfigType(ods.Columns[i].Type), c.Type)
		}
	}
	return out
}
