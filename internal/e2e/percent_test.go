//go:build cgo

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/reference"
)

// TestPercentTies runs the shipped RPT node (percent rates) on days whose
// click / browse ratio is a decimal tie at two decimals of a percent, such
// as 1/32 = 3.125 %, and compares the text with reference.Percent.
//
// Below denominators of 4,000, DuckDB's ROUND(x * 100, 2) and
// reference.Percent agree on every a/b (checked outside these tests: on
// DuckDB itself for a, b < 3,000, and for b < 4,000, a <= 3b on a float64
// model of DuckDB's ROUND, round(fl(x * 100) * 100) / 100, which matched
// DuckDB on 3.4 million pairs). From 4,000 on they part on ties whose float64
// is just below the decimal: 3/4000 * 100 is 0.07499999999999999722 in binary;
// DuckDB computes round(0.0749999... * 100) = round(7.5) = 8 and writes
// "0.08%", the reference rounds the binary value and writes "0.07%". Which
// one is the contract is not decided yet, so that subtest reports the
// difference as a skip instead of failing.
func TestPercentTies(t *testing.T) {
	type ratio struct{ num, den int64 }
	groups := []struct {
		name    string
		ratios  []ratio
		decided bool
	}{
		{"below 4000", []ratio{{1, 32}, {3, 32}, {1, 160}, {7, 800}, {1, 3}, {2, 3}, {1, 8}, {4, 3200}, {3996, 3200}, {5, 1}}, true},
		{"4000 and above", []ratio{{3, 4000}, {37, 4000}, {1, 4000}, {4001, 4000}}, false},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			e := newEnv(t, "shipped", shipped(t))
			start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			var rows []reference.ODSRow
			var days []string
			want := map[string]ratio{}
			for i, r := range g.ratios {
				day := start.AddDate(0, 0, i).Format("20060102")
				days = append(days, day)
				want[day] = r
				for j := range r.den {
					rows = append(rows, ods(day, fmt.Sprintf("b%d", j), "u", "browse", atSec(day, j%86400)))
				}
				for j := range r.num {
					rows = append(rows, ods(day, fmt.Sprintf("c%d", j), "u", "click", atSec(day, j%86400)))
				}
			}
			e.load(rows, 1)
			e.mustApply(days...)
			var diffs []string
			for _, row := range e.report(0) {
				r := want[row.Dt]
				x := float64(r.num) / float64(r.den)
				got, exp := row.Text["browse_rate"], reference.Percent(&x)
				if show(got) != show(exp) {
					diffs = append(diffs, fmt.Sprintf("click %d / browse %d: DuckDB writes %s, reference.Percent %s (x * 100 = %s in float64)",
						r.num, r.den, show(got), show(exp), strconv.FormatFloat(x*100, 'g', 21, 64)))
				}
			}
			switch {
			case len(diffs) == 0:
			case g.decided:
				t.Errorf("percent rates differ from reference.Percent:\n  %s", strings.Join(diffs, "\n  "))
			default:
				t.Skipf("undecided: DuckDB's ROUND and reference.Percent disagree on these ties:\n  %s", strings.Join(diffs, "\n  "))
			}
		})
	}
}
