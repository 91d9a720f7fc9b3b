package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
)

// writeCSV renders one record per row and stage, under the header
//
//	dt,<breakdowns...>,stage,stage_index,count,step_rate,overall_rate[,median_seconds,avg_seconds],provisional
//	  [,step_median_seconds,step_avg_seconds][,p50_seconds,...][,step_p50_seconds,...][,h_0s_10s,...][,step_h_0s_10s,...],out_of_date
//
// stage_index counts from 1; rates are ratios (0.3429, not 34.29) and timings seconds, both
// with full float64 precision (strconv 'g', -1) and empty when NULL. The timing columns appear
// in ordered mode only: the median and average from the entry always, the rest when the
// report has them: the step times (from the previous stage), a column per percentile and
// per histogram bucket (users), from the entry and (with the step times) from the previous stage, named as in the
// long layout's RPT table (p99.9 is p99_9_seconds, the bucket 1h+ is h_1h_up), empty on
// the first stage. provisional is true or false (see Row.Provisional); it was added after the
// columns before it, and columns are only ever added at the end (the timing columns that
// follow it are a funnel's own, which no report of another funnel has): out_of_date, why
// apply would write the row again (see Row.OutOfDate), empty when the row is current, last. The breakdown limit's other
// row is the one whose breakdown holds Report.OtherMarker. A breakdown column named as
// another column of the header (a breakdown by a DW column stage or count) is named
// breakdown_<name> instead: a CSV reader keys fields by name. Records end in LF; fields are
// quoted only when they need it (RFC 4180).
func writeCSV(b *bytes.Buffer, r *Report) error {
	w := csv.NewWriter(b)
	header := []string{"dt"}
	header = append(header, "stage", "stage_index", "count", "step_rate", "overall_rate")
	if r.ordered() {
		header = append(header, "median_seconds", "avg_seconds")
	}
	header = append(header, "provisional")
	if r.ordered() && r.StepTimes {
		header = append(header, "step_median_seconds", "step_avg_seconds")
	}
	prefix := map[bool]string{false: "", true: "step_"}
	for _, step := range r.series() {
		for _, p := range r.Percentiles {
			header = append(header, prefix[step]+percentileColumn(p))
		}
	}
	for _, step := range r.series() {
		for _, l := range r.Buckets {
			header = append(header, prefix[step]+bucketColumn(l))
		}
	}
	header = append(header, "out_of_date")
	header = slices.Insert(header, 1, breakdownColumns(r.Breakdowns, header)...)
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
			if r.ordered() && r.StepTimes {
				rec = append(rec, csvFloat(row.StepMedianSeconds[k]), csvFloat(row.StepAvgSeconds[k]))
			}
			for _, step := range r.series() {
				for j := range r.Percentiles {
					rec = append(rec, csvFloat(pct(row, step, k, j)))
				}
			}
			for _, step := range r.series() {
				for j := range r.Buckets {
					c := ""
					if v := bucket(row, step, k, j); v != nil && k > 0 {
						c = strconv.FormatInt(*v, 10)
					}
					rec = append(rec, c)
				}
			}
			rec = append(rec, row.OutOfDate)
			if err := w.Write(rec); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

// percentileColumn and bucketColumn name a percentile ("p99.9") and a histogram bucket
// ("0s–10s", "1h+") as the long layout's RPT table does: p99_9_seconds, h_0s_10s, h_1h_up.
func percentileColumn(label string) string {
	return strings.ReplaceAll(label, ".", "_") + "_seconds"
}

func bucketColumn(label string) string {
	if lo, ok := strings.CutSuffix(label, "+"); ok {
		return "h_" + lo + "_up"
	}
	return "h_" + strings.ReplaceAll(label, "–", "_")
}

func csvFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// breakdownColumns names the breakdowns' columns in a header of the other
// columns: a breakdown's name, or breakdown_ before it where that is one of
// them (in any case, as a reader may fold it).
func breakdownColumns(breakdowns, others []string) []string {
	taken := map[string]bool{}
	for _, c := range others {
		taken[strings.ToLower(c)] = true
	}
	out := make([]string, len(breakdowns))
	for i, d := range breakdowns {
		for taken[strings.ToLower(d)] {
			d = "breakdown_" + d
		}
		taken[strings.ToLower(d)] = true
		out[i] = d
	}
	return out
}
