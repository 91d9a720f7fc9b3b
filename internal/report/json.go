package report

import (
	"bytes"
	"encoding/json"
)

// writeJSON renders the machine-readable format: one JSON object, indented by two spaces, keys
// in the order below, one trailing newline. Every key is always present except the per-stage
// timing keys, which appear in ordered mode only (null where undefined), the step times only
// when the table has them, and the percentiles and histogram only when the funnel declares
// them. Keys are only ever added ("provisional", "breakdown_limit" and after, "out_of_date",
// "days_without_rows" and "days_of_another_definition" were).
//
//	{
//	  "format_version": 1,                 // the shape every fgen --format json output shares
//	  "command": "report",
//	  "funnel": "user_trace",              // funnel name
//	  "table": "rpt_user_trace_data",      // RPT table the rows were read from
//	  "mode": "events",                    // "events", "users" or "ordered"
//	  "window": "",                        // ordered mode's window, e.g. "1h"; "" otherwise
//	  "stages": ["browse", "click", "purchase"],
//	  "breakdowns": ["device_brand"],      // dimension names; [] when none
//	  "total_marker": "all",               // the value every dimension has on a total row
//	  "attribution": "",                   // how users are attributed to values; "" when not said
//	  "breakdown_limit": 0,                // per day and breakdown, the values beyond the top N
//	  "other_marker": "",                  // share one row carrying this value; 0 and "" if none
//	  "step_times": false,                 // ordered: the table has the times from the previous stage
//	  "percentiles": [],                   // ordered: the percentiles' labels, e.g. ["p50", "p99.9"]
//	  "histogram_buckets": [],             // ordered: the buckets' labels, e.g. ["0s–10s", "10s–1m", "1m+"]
//	  "histogram_edges_seconds": [],       // their lower edges: [0, 10, 60]; the last bucket is open
//	  "rows": [                            // by dt, the total row first within a day; [] when none
//	    {
//	      "dt": "20210303",                // the business day, yyyymmdd
//	      "dims": {"device_brand": "all"}, // breakdown -> value, keys sorted; {} without breakdowns
//	      "total": true,                   // whether this is the day's total row
//	      "provisional": false,            // computed before all its data had landed; may change
//	      "out_of_date": null,             // why apply would write the row again (funnel.toml or
//	                                       // the day's input changed since); null when current
//	      "other": false,                  // the row of the values beyond the breakdown limit
//	      "stages": [                      // one per stage, in stage order
//	        {
//	          "name": "browse",
//	          "count": 120000,             // integer, never null
//	          "step_rate": null,           // count / previous stage's count, a ratio (0.3429, not
//	                                       // 34.29); null for the first stage and when undefined
//	          "overall_rate": null,        // count / first stage's count; null likewise
//	          "median_seconds": null,      // ordered mode only: median and mean seconds from the
//	          "avg_seconds": null,         // entry to this stage; null for the first stage
//	                                       // and when no user reached it
//	          "step_median_seconds": null, // with step_times: the same from the previous stage
//	          "step_avg_seconds": null,
//	          "percentile_seconds": null,  // with percentiles: one per label, from the entry
//	          "step_percentile_seconds": null, //  and from the previous stage; null for the
//	                                       // first stage, an element null when no user reached it
//	          "histogram": null,           // with histogram_buckets: users per bucket, from the
//	          "step_histogram": null       // entry and from the previous stage; null for the first stage
//	        }
//	      ]
//	    }
//	  ],
//	  "days_without_rows": [],             // the days asked for that the table has no rows of
//	  "days_of_another_definition": [      // days whose rows an earlier definition of the funnel
//	    {"dt": "20210303", "why": "..."}   // wrote, in a shape funnel.toml's does not write (a
//	  ]                                    // breakdown or stage since removed, or added): left out
//	}
//
// Rates and timings carry full float64 precision.
func writeJSON(b *bytes.Buffer, r *Report) error {
	out := jsonReport{
		FormatVersion:  1,
		Command:        "report",
		Funnel:         r.Funnel,
		Table:          r.Table,
		Mode:           r.Mode,
		Window:         r.Window,
		Stages:         nonNil(r.Stages),
		Breakdowns:     nonNil(r.Breakdowns),
		TotalMarker:    r.TotalMarker,
		Attribution:    r.Attribution,
		BreakdownLimit: r.BreakdownLimit,
		OtherMarker:    r.OtherMarker,
		StepTimes:      r.ordered() && r.StepTimes,
		Percentiles:    nonNil(r.Percentiles),
		Buckets:        nonNil(r.Buckets),
		BucketEdges:    r.BucketEdges,
		Rows:           make([]jsonRow, len(r.Rows)),
		Missing:        nonNil(r.DaysWithoutRows),
		Other:          []jsonDay{},
	}
	for i, dt := range r.DaysOfOtherDefinition {
		out.Other = append(out.Other, jsonDay{Dt: dt, Why: r.OtherDefinition[i]})
	}
	if out.BucketEdges == nil {
		out.BucketEdges = []float64{}
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		jr := jsonRow{Dt: row.Dt, Dims: map[string]string{}, Total: r.isTotal(row), Provisional: row.Provisional, OutOfDate: nonEmpty(row.OutOfDate), Other: r.isOther(row)}
		for k, v := range row.Dims {
			jr.Dims[k] = v
		}
		plain := make([]jsonStage, len(r.Stages))
		for k, name := range r.Stages {
			plain[k] = jsonStage{Name: name, Count: row.Counts[k], StepRate: row.StepRates[k], OverallRate: row.OverallRates[k]}
		}
		if r.ordered() {
			timed := make([]jsonTimedStage, len(plain))
			for k := range plain {
				t := jsonTimedStage{jsonStage: plain[k], MedianSeconds: row.MedianSeconds[k], AvgSeconds: row.AvgSeconds[k]}
				if r.StepTimes {
					t.StepMedianSeconds, t.StepAvgSeconds = some(row.StepMedianSeconds[k]), some(row.StepAvgSeconds[k])
				}
				if len(r.Percentiles) > 0 {
					t.Percentiles = some(jsonPercentiles(r, row, false, k))
					if r.StepTimes {
						t.StepPercentiles = some(jsonPercentiles(r, row, true, k))
					}
				}
				if len(r.Buckets) > 0 {
					t.Histogram = some(jsonHistogram(r, row, false, k))
					if r.StepTimes {
						t.StepHistogram = some(jsonHistogram(r, row, true, k))
					}
				}
				timed[k] = t
			}
			jr.Stages = timed
		} else {
			jr.Stages = plain
		}
		out.Rows[i] = jr
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// jsonPercentiles is stage k's percentiles of one series, nil for the first stage.
func jsonPercentiles(r *Report, row *Row, step bool, k int) []*float64 {
	if k == 0 {
		return nil
	}
	out := make([]*float64, len(r.Percentiles))
	for i := range out {
		out[i] = pct(row, step, k, i)
	}
	return out
}

// jsonHistogram is stage k's histogram of one series, nil for the first stage and when the
// row has none.
func jsonHistogram(r *Report, row *Row, step bool, k int) []int64 {
	if k == 0 {
		return nil
	}
	out := make([]int64, len(r.Buckets))
	for b := range out {
		c := bucket(row, step, k, b)
		if c == nil {
			return nil
		}
		out[b] = *c
	}
	return out
}

// optional is a JSON value that may be left out (omitzero) or be null.
type optional[T any] struct {
	set bool
	v   T
}

func some[T any](v T) optional[T] { return optional[T]{true, v} }

// nonEmpty is s, or nil (null) for "".
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (o optional[T]) IsZero() bool { return !o.set }

func (o optional[T]) MarshalJSON() ([]byte, error) { return json.Marshal(o.v) }

type jsonReport struct {
	// The shape every fgen --format json output shares: its version, and
	// the command (docs: README, "Machine-readable output").
	FormatVersion  int       `json:"format_version"`
	Command        string    `json:"command"`
	Funnel         string    `json:"funnel"`
	Table          string    `json:"table"`
	Mode           string    `json:"mode"`
	Window         string    `json:"window"`
	Stages         []string  `json:"stages"`
	Breakdowns     []string  `json:"breakdowns"`
	TotalMarker    string    `json:"total_marker"`
	Attribution    string    `json:"attribution"`
	BreakdownLimit int       `json:"breakdown_limit"`
	OtherMarker    string    `json:"other_marker"`
	StepTimes      bool      `json:"step_times"`
	Percentiles    []string  `json:"percentiles"`
	Buckets        []string  `json:"histogram_buckets"`
	BucketEdges    []float64 `json:"histogram_edges_seconds"`
	Rows           []jsonRow `json:"rows"`
	Missing        []string  `json:"days_without_rows"`
	Other          []jsonDay `json:"days_of_another_definition"`
}

// jsonDay is a day left out of the report, and why.
type jsonDay struct {
	Dt  string `json:"dt"`
	Why string `json:"why"`
}

type jsonRow struct {
	Dt          string            `json:"dt"`
	Dims        map[string]string `json:"dims"` // encoding/json sorts map keys
	Total       bool              `json:"total"`
	Provisional bool              `json:"provisional"`
	OutOfDate   *string           `json:"out_of_date"` // why apply would write the row again; null when current
	Other       bool              `json:"other"`
	Stages      any               `json:"stages"` // []jsonStage, or []jsonTimedStage in ordered mode
}

type jsonStage struct {
	Name        string   `json:"name"`
	Count       int64    `json:"count"`
	StepRate    *float64 `json:"step_rate"`
	OverallRate *float64 `json:"overall_rate"`
}

type jsonTimedStage struct {
	jsonStage
	MedianSeconds     *float64             `json:"median_seconds"`
	AvgSeconds        *float64             `json:"avg_seconds"`
	StepMedianSeconds optional[*float64]   `json:"step_median_seconds,omitzero"`
	StepAvgSeconds    optional[*float64]   `json:"step_avg_seconds,omitzero"`
	Percentiles       optional[[]*float64] `json:"percentile_seconds,omitzero"`
	StepPercentiles   optional[[]*float64] `json:"step_percentile_seconds,omitzero"`
	Histogram         optional[[]int64]    `json:"histogram,omitzero"`
	StepHistogram     optional[[]int64]    `json:"step_histogram,omitzero"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
