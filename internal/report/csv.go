package report

import (
	"bytes"
	"encoding/csv"
	"strconv"
)

// writeCSV renders one record per row and stage, under the header
//
//	dt,<breakdowns...>,stage,stage_index,count,step_rate,overall_rate[,median_seconds,avg_seconds],provisional
//
// stage_index counts from 1; rates are ratios (0.3429, not 34.29) and timings seconds, both
// with full float64 precision (strconv 'g', -1) and empty when NULL. The timing columns appear
// in ordered mode only. provisional is true or false (see Row.Provisional); it came last, after
// the other columns, and columns are only ever added at the end. Records end in LF; fields
// are quoted only when they need it (RFC 4180).
func writeCSV(b *bytes.Buffer, r *Report) error {
	w := csv.NewWriter(b)
	header := append([]string{"dt"}, r.Breakdowns...)
	header = append(header, "stage", "stage_index", "count", "step_rate", "overall_rate")
	if r.ordered() {
		header = append(header, "median_seconds", "avg_seconds")
	}
	header = append(header, "provisional")
	if err := w.Write(header); err != nil {
		return err
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		for k, name := range r.Stages {
			rec := make([]string, 0, len(header))
			rec = append(rec, row.Dt)
			for _, d := range r.Breakdowns {
				rec = append(rec, row.Dims[d])
			}
			rec = append(rec, name, strconv.Itoa(k+1), strconv.FormatInt(row.Counts[k], 10),
				csvFloat(row.StepRates[k]), csvFloat(row.OverallRates[k]))
			if r.ordered() {
				rec = append(rec, csvFloat(row.MedianSeconds[k]), csvFloat(row.AvgSeconds[k]))
			}
			rec = append(rec, strconv.FormatBool(row.Provisional))
			if err := w.Write(rec); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

func csvFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}
