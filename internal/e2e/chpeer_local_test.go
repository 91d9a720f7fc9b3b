//go:build cgo

package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/models"
)

// modesConfig is a funnel.toml with every mode; its funnel 2 is ordered
// (browse, click, purchase, window 1h, a breakdown and timing columns) and
// funnel 3 is ordered with cross_midnight (browse, click, 30m).
const modesConfig = "../../generator/testdata/configs/modes.toml"

const (
	orderedFunnel   = 2
	overnightFunnel = 3
)

// editedModes returns modes.toml with edits.
func editedModes(t testing.TB, edits ...funneltest.Edit) []byte {
	t.Helper()
	return configFile(t, modesConfig, edits...)
}

// totals returns funnel i's per-stage counts of the total row of each day.
func (e *env) totals(i int) map[string][]int64 {
	e.t.Helper()
	f := &e.cfg.Funnels[i]
	out := map[string][]int64{}
	for _, r := range e.readReport(i) {
		total := true
		for _, d := range f.Breakdowns {
			total = total && r.Dims[d] == f.Report.TotalMarker
		}
		if total {
			out[r.Dt] = r.Counts
		}
	}
	return out
}

// dwCSV returns the DW table's rows of days as CSV in the column order of
// CreateEventsTable (partition, user, event, time), and the least time.
func (e *env) dwCSV(f *models.Funnel, days []string) ([]byte, int64) {
	e.t.Helper()
	q := generator.DuckDB.QuoteIdent
	dw := e.cfg.DW
	var in []string
	for _, d := range days {
		in = append(in, generator.DuckDB.QuoteString(d))
	}
	rows, err := e.db.Query(context.Background(), fmt.Sprintf("SELECT %s, %s, %s, %s FROM %s WHERE %s IN (%s)",
		q(dw.Partition), q(f.UserColumn), q(f.EventColumn), q(f.TimeColumn.Name), q(dw.Name), q(dw.Partition), strings.Join(in, ", ")))
	if err != nil {
		e.t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	least := int64(0)
	for i, v := range rows.Values {
		rec := make([]string, len(v))
		for j, s := range v {
			if s == nil {
				e.t.Fatalf("DW row %d has a NULL in %s", i, rows.Columns[j])
			}
			rec[j] = *s
		}
		ts, err := strconv.ParseInt(rec[3], 10, 64)
		if err != nil {
			e.t.Fatal(err)
		}
		if i == 0 || ts < least {
			least = ts
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes(), least
}
