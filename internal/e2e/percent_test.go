//go:build cgo

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/reference"
)

// TestPercentTies runs the shipped RPT node (percent rates) on days whose
// click / browse ratio is a decimal tie at two decimals of a percent, such
// as 1/32 = 3.125 % or 3/4000 = 0.075 %, and compares the text with
// reference.PercentOf, which rounds the exact ratio. The node computes
// ROUND(num * 10000 / den) / 100: one correctly rounded division, so an exact
// tie k + 0.5 is exact in float64 and rounds away from zero, where the
// seed's ROUND(num / den * 100, 2) rounds twice-inexact products.
func TestPercentTies(t *testing.T) {
	t.Parallel()
	type ratio struct{ num, den int64 }
	groups := []struct {
		name   string
		ratios []ratio
	}{
		{"below 4000", []ratio{{1, 32}, {3, 32}, {1, 160}, {7, 800}, {1, 3}, {2, 3}, {1, 8}, {4, 3200}, {3996, 3200}, {5, 1}}},
		{"4000 and above", []ratio{{3, 4000}, {37, 4000}, {1, 4000}, {4001, 4000}, {5, 8000}, {12345, 400000}}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "shipped", shipped(t))
			start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			var days []string
			want := map[string]ratio{}
			for i, r := range g.ratios {
				day := start.AddDate(0, 0, i).Format("20060102")
				days = append(days, day)
				want[day] = r
				// den browse rows and num click rows of distinct records,
				// made where they are (the load is tested elsewhere).
				e.exec(fmt.Sprintf(`INSERT INTO "ods_user_trace_data" ("md5", "uid", "ts", "customize_event", "dt")
SELECT e || i, 'u', %d + i %% 86400, e, '%s'
FROM (SELECT 'browse' AS e, range AS i FROM range(%d) UNION ALL SELECT 'click', range FROM range(%d))`, atSec(day, 0), day, r.den, r.num))
			}
			e.mustApply(days...)
			var diffs []string
			for _, row := range e.report(0) {
				r := want[row.Dt]
				got, exp := row.Cells["browse_rate"], reference.PercentOf(r.num, r.den)
				if show(got) != show(exp) {
					diffs = append(diffs, fmt.Sprintf("click %d / browse %d: DuckDB writes %s, reference.PercentOf %s", r.num, r.den, show(got), show(exp)))
				}
			}
			if len(diffs) > 0 {
				t.Errorf("percent rates differ from the exact rounding:\n  %s", strings.Join(diffs, "\n  "))
			}
		})
	}
}
