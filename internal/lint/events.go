// Package lint checks a warehouse's data against funnel.toml for the
// mistakes that give wrong numbers without an error: a stage whose event
// values match no row of a day that has rows (a typo such as "purchse", or
// an event renamed upstream). plan, apply and report show what it finds.
package lint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// Warning is one finding, for one business date.
type Warning struct {
	Day     string
	Funnel  string
	Stage   string
	Message string // says what, where, and what to do
	// Fails is the node whose job of Day the rows found make fail ("" for
	// none): apply must not drop that node's table before it.
	Fails string
	// Column is the column of Fails's table whose type the rows do not fit.
	Column string
	// Funnels are the funnels the warning is of, where more than Funnel.
	Funnels []string
}

// Of reports whether the warning is of funnel name: Funnel, or one of
// Funnels; a warning of no funnel is of every one.
func (w Warning) Of(name string) bool {
	if len(w.Funnels) > 0 {
		return slices.Contains(w.Funnels, name)
	}
	return w.Funnel == "" || w.Funnel == name
}

// profile is the rows of each event value on each day.
type profile map[string]map[string]int64 // day -> event value -> rows

// Events checks the stages of every funnel against the ODS rows of the days
// from..to: a stage none of whose event values has a row on a day that has
// rows is a Warning, with the day's most frequent values no stage of the funnel counts and the
// nearest of them to the stage's values. Days without rows are not
// checked (apply skips them).
func Events(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, from, to string) ([]Warning, error) {
	return events(ctx, w, proj, cfg, nil, from, to)
}

// events is Events but for the columns of retyped, which it leaves out.
func events(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, cfg *models.Config, retyped map[string]string, from, to string) ([]Warning, error) {
	columns, _ := cfg.KnownEvents()
	var out []Warning
	for _, col := range columns {
		if why, ok := retyped[strings.ToLower(col)]; ok {
			out = append(out, Warning{Day: from, Message: fmt.Sprintf("the stages' events were not checked against the rows of %s: %s", cfg.ODS.Name, why)})
			continue
		}
		rows, err := warehouse.QueryDates(ctx, w, from, to, func(from, to string) (string, []warehouse.Setting, error) {
			q, err := proj.EventProfileQuery(col, from, to)
			return q.SQL, warehouse.Settings(q.Settings), err
		})
		if errors.Is(err, warehouse.ErrTruncated) {
			// A day of more rows than a query returns even so: the check is
			// advice, and plan goes on without it.
			out = append(out, Warning{Day: from, Message: fmt.Sprintf("count the events of %s: %v; the stages' events were not checked against the day's rows", cfg.ODS.Name, err)})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("count the events of %s: %w", cfg.ODS.Name, err)
		}
		prof, err := readProfile(rows)
		if err != nil {
			return nil, err
		}
		for i := range cfg.Funnels {
			if f := &cfg.Funnels[i]; strings.EqualFold(f.EventColumn, col) {
				out = append(out, check(f, prof)...)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Warning) int { return cmp.Compare(a.Day, b.Day) })
	return out, nil
}

func readProfile(rows *warehouse.Rows) (profile, error) {
	prof := profile{}
	if rows == nil {
		return prof, nil
	}
	for _, r := range rows.Values {
		if len(r) != 3 || r[0] == nil || r[2] == nil {
			return nil, fmt.Errorf("event profile: unexpected row %v", r)
		}
		n, err := strconv.ParseInt(*r[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("event profile: count %q: %w", *r[2], err)
		}
		day := *r[0]
		if prof[day] == nil {
			prof[day] = map[string]int64{}
		}
		if r[1] != nil { // a NULL event is no stage's and no candidate
			prof[day][*r[1]] += n
		}
	}
	return prof, nil
}

// check finds the stages of f that match no row of a day with rows.
func check(f *models.Funnel, prof profile) []Warning {
	staged := map[string]bool{}
	for _, e := range f.StageEvents() {
		staged[e] = true
	}
	var out []Warning
	for _, day := range slices.Sorted(maps.Keys(prof)) {
		counts := prof[day]
		if len(counts) == 0 {
			continue
		}
		others := otherValues(counts, staged)
		for _, s := range f.Stages {
			matched := false
			for _, e := range s.Events {
				matched = matched || counts[e] > 0
			}
			if matched {
				continue
			}
			out = append(out, Warning{Day: day, Funnel: f.Name, Stage: s.Name, Message: message(f, s, day, others)})
		}
	}
	return out
}

type valueCount struct {
	value string
	rows  int64
}

// otherValues are the day's event values that no stage of the funnel
// counts, most frequent first.
func otherValues(counts map[string]int64, staged map[string]bool) []valueCount {
	var vs []valueCount
	for v, n := range counts {
		if !staged[v] {
			vs = append(vs, valueCount{v, n})
		}
	}
	slices.SortFunc(vs, func(a, b valueCount) int {
		return cmp.Or(cmp.Compare(b.rows, a.rows), cmp.Compare(a.value, b.value))
	})
	return vs
}

func message(f *models.Funnel, s models.Stage, day string, others []valueCount) string {
	var b strings.Builder
	fmt.Fprintf(&b, "stage %s of funnel %s: no row of %s has %s %s", s.Name, f.Name, day, f.EventColumn, quoteList(s.Events))
	if len(others) == 0 {
		fmt.Fprintf(&b, ", and the day's rows are all of the funnel's other stages (or have no %s); check the stage's events in funnel.toml", f.EventColumn)
		return b.String()
	}
	var top []string
	for _, o := range others[:min(5, len(others))] {
		top = append(top, fmt.Sprintf("%q (%d %s)", o.value, o.rows, plural(o.rows, "row", "rows")))
	}
	fmt.Fprintf(&b, "; the day's most frequent values that no stage of the funnel counts: %s", strings.Join(top, ", "))
	if guess, ok := nearest(s.Events, others); ok {
		fmt.Fprintf(&b, "; did you mean %q? fix the stage's events in funnel.toml", guess)
	} else {
		b.WriteString("; check the stage's events in funnel.toml")
	}
	return b.String()
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "any of " + strings.Join(q, ", ")
}

// nearest returns the value of others closest to one of want, when close
// enough to be a typo: equal but for case, or at most a third of its
// length (and at least 1, at most 3) edits away.
func nearest(want []string, others []valueCount) (string, bool) {
	best, bestD := "", 1<<30
	for _, w := range want {
		limit := min(3, max(1, utf8.RuneCountInString(w)/3))
		for _, o := range others {
			if d, ok := models.EditDistanceWithin(strings.ToLower(w), strings.ToLower(o.value), limit); ok && d < bestD {
				best, bestD = o.value, d
			}
		}
	}
	return best, bestD < 1<<30
}
