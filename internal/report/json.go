package report

import (
	"bytes"
	"encoding/json"
)

// writeJSON renders the machine-readable format: one JSON object, indented by two spaces, keys
// in the order below, one trailing newline. Every key is always present except the per-stage
// timing keys, which appear in ordered mode only (null where undefined). Keys are only ever
// added ("provisional" was).
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
//	  "rows": [                            // by dt, the total row first within a day; [] when none
//	    {
//	      "dt": "20210303",                // the business day, yyyymmdd
//	      "dims": {"device_brand": "all"}, // breakdown -> value, keys sorted; {} without breakdowns
//	      "total": true,                   // whether this is the day's total row
//	      "provisional": false,            // computed before all its data had landed; may change
//	      "stages": [                      // one per stage, in stage order
//	        {
//	          "name": "browse",
//	          "count": 120000,             // integer, never null
//	          "step_rate": null,           // count / previous stage's count, a ratio (0.3429, not
//	                                       // 34.29); null for the first stage and when undefined
//	          "overall_rate": null,        // count / first stage's count; null likewise
//	          "median_seconds": null,      // ordered mode only: median and mean seconds from the
//	          "avg_seconds": null          // first stage to this one; null for the first stage
//	        }                              // and when no user reached it
//	      ]
//	    }
//	  ]
//	}
//
// Rates and timings carry full float64 precision.
func writeJSON(b *bytes.Buffer, r *Report) error {
	out := jsonReport{
		FormatVersion: 1,
		Command:       "report",
		Funnel:        r.Funnel,
		Table:         r.Table,
		Mode:          r.Mode,
		Window:        r.Window,
		Stages:        nonNil(r.Stages),
		Breakdowns:    nonNil(r.Breakdowns),
		TotalMarker:   r.TotalMarker,
		Attribution:   r.Attribution,
		Rows:          make([]jsonRow, len(r.Rows)),
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		jr := jsonRow{Dt: row.Dt, Dims: map[string]string{}, Total: r.isTotal(row), Provisional: row.Provisional}
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
				timed[k] = jsonTimedStage{plain[k], row.MedianSeconds[k], row.AvgSeconds[k]}
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

type jsonReport struct {
	// The shape every fgen --format json output shares: its version, and
	// the command (docs: README, "Machine-readable output").
	FormatVersion int       `json:"format_version"`
	Command       string    `json:"command"`
	Funnel        string    `json:"funnel"`
	Table         string    `json:"table"`
	Mode          string    `json:"mode"`
	Window        string    `json:"window"`
	Stages        []string  `json:"stages"`
	Breakdowns    []string  `json:"breakdowns"`
	TotalMarker   string    `json:"total_marker"`
	Attribution   string    `json:"attribution"`
	Rows          []jsonRow `json:"rows"`
}

type jsonRow struct {
	Dt          string            `json:"dt"`
	Dims        map[string]string `json:"dims"` // encoding/json sorts map keys
	Total       bool              `json:"total"`
	Provisional bool              `json:"provisional"`
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
	MedianSeconds *float64 `json:"median_seconds"`
	AvgSeconds    *float64 `json:"avg_seconds"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
