package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// Read reads a funnel's report rows from w, for the business dates
// from..to (both empty: every date), with the report query of proj, the
// project rendered in w's dialect. Counts are parsed whether the
// table stores them as BIGINT or STRING; rates are recomputed from the counts
// at full precision (the table's own rate columns are derived from the same
// counts, rounded when written as percent strings).
func Read(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, f *models.Funnel, from, to string) (*Report, error) {
	q, err := proj.ReportQuery(f, from, to)
	if err != nil {
		return nil, err
	}
	rows, err := w.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Report.Table, err)
	}
	r := &Report{Funnel: f.Name, Description: f.Description, Table: f.Report.Table, Mode: f.Mode, Breakdowns: f.Breakdowns, TotalMarker: f.Report.TotalMarker}
	if f.Mode == models.ModeOrdered {
		r.Window = f.Window.Text
		r.DayBoundary = f.DayBoundary
	}
	for _, s := range f.Stages {
		r.Stages = append(r.Stages, s.Name)
	}
	if len(f.Breakdowns) > 0 && f.Mode != models.ModeEvents {
		r.Attribution = fmt.Sprintf("users are attributed to the %s of their first %s of the day (first touch)", strings.Join(f.Breakdowns, ", "), f.Stages[0].Name)
	}
	cols := f.ReportColumns()
	n := len(f.Stages)
	width := len(cols) + 1 // the report columns, the day
	if f.Hourly() {
		width++ // and the hour
	}
	for _, vals := range rows.Values {
		if len(vals) != width {
			return nil, fmt.Errorf("read %s: got %d columns, want %d; run 'fgen plan' to see whether the table is out of date", f.Report.Table, len(vals), width)
		}
		row := Row{Dims: map[string]string{}, Counts: make([]int64, n), Cells: map[string]*string{}}
		if vals[len(cols)] != nil {
			row.Dt = *vals[len(cols)]
		}
		if f.Hourly() && vals[len(cols)+1] != nil {
			row.Hour = *vals[len(cols)+1]
		}
		if f.Mode == models.ModeOrdered {
			row.MedianSeconds, row.AvgSeconds = make([]*float64, n), make([]*float64, n)
		}
		for i, c := range cols {
			v := vals[i]
			row.Cells[c.Name] = v
			switch c.Kind {
			case models.KindDimension:
				if v != nil {
					row.Dims[c.Dimension] = *v
				}
			case models.KindCount:
				if v == nil {
					return nil, fmt.Errorf("read %s: %s is NULL on %s", f.Report.Table, c.Name, row.Dt)
				}
				x, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("read %s: %s is %q on %s, not a count", f.Report.Table, c.Name, *v, row.Dt)
				}
				row.Counts[c.Stage] = x
			case models.KindMedianSeconds, models.KindAvgSeconds:
				if v == nil {
					continue
				}
				x, err := strconv.ParseFloat(*v, 64)
				if err != nil {
					return nil, fmt.Errorf("read %s: %s is %q on %s, not a number", f.Report.Table, c.Name, *v, row.Dt)
				}
				if c.Kind == models.KindMedianSeconds {
					row.MedianSeconds[c.Stage] = &x
				} else {
					row.AvgSeconds[c.Stage] = &x
				}
			}
		}
		row.StepRates, row.OverallRates = Rates(row.Counts)
		r.Rows = append(r.Rows, row)
	}
	// Days in order; within a day the total first, then the breakdown values
	// in order; ties keep the table's order.
	type sortable struct {
		row   Row
		total bool
		key   string // the breakdown values, NUL-separated
	}
	byDay := make([]sortable, len(r.Rows))
	for i := range r.Rows {
		row := &r.Rows[i]
		parts := make([]string, len(f.Breakdowns))
		for j, d := range f.Breakdowns {
			parts[j] = row.Dims[d]
		}
		byDay[i] = sortable{*row, r.isTotal(row), strings.Join(parts, "\x00")}
	}
	slices.SortStableFunc(byDay, func(a, b sortable) int {
		if c := strings.Compare(a.row.Dt, b.row.Dt); c != 0 {
			return c
		}
		if c := strings.Compare(a.row.Hour, b.row.Hour); c != 0 {
			return c
		}
		if a.total != b.total {
			if a.total {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	for i := range byDay {
		r.Rows[i] = byDay[i].row
	}
	return r, nil
}
