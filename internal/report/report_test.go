package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var stages3 = []string{"browse", "click", "purchase"}

// row builds a row whose rates are computed from counts.
func row(dt string, dims map[string]string, counts ...int64) Row {
	step, overall := Rates(counts)
	return Row{Dt: dt, Dims: dims, Counts: counts, StepRates: step, OverallRates: overall}
}

func timed(r Row, median, avg []*float64) Row {
	r.MedianSeconds, r.AvgSeconds = median, avg
	return r
}

func fp(v float64) *float64 { return &v }

func dims(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// cases are the reports of the golden tests, by name.
func cases() []struct {
	name string
	r    *Report
} {
	return []struct {
		name string
		r    *Report
	}{
		{"single_day", &Report{
			Funnel: "user_trace", Table: "rpt_user_trace_data", Mode: "events", Stages: stages3,
			TotalMarker: "all",
			Rows:        []Row{row("20210303", nil, 120000, 41148, 4115)},
		}},
		{"three_days", &Report{
			Funnel: "user_trace", Table: "rpt_user_trace_data", Mode: "events", Stages: stages3,
			TotalMarker: "all",
			Rows: []Row{
				row("20210301", nil, 98765, 33210, 3012),
				row("20210302", nil, 101234, 36002, 3900),
				row("20210303", nil, 120000, 41148, 4115),
			},
		}},
		{"breakdowns", &Report{
			Funnel: "user_trace_users", Table: "rpt_user_trace_users", Mode: "users", Stages: stages3,
			Breakdowns: []string{"device_brand", "system_type"}, TotalMarker: "all",
			Attribution: "users are attributed to their first browse of the day (first touch)",
			Rows: []Row{
				row("20210303", dims("device_brand", "all", "system_type", "all"), 5000, 1800, 240),
				row("20210303", dims("device_brand", "apple", "system_type", "all"), 2100, 820, 131),
				row("20210303", dims("device_brand", "huawei", "system_type", "all"), 1900, 640, 77),
				row("20210303", dims("device_brand", "unknown", "system_type", "all"), 1000, 340, 32),
				row("20210303", dims("device_brand", "all", "system_type", "android"), 2600, 880, 96),
				row("20210303", dims("device_brand", "all", "system_type", "ios"), 2100, 820, 131),
				row("20210303", dims("device_brand", "all", "system_type", "<none> & \"co\""), 300, 100, 13),
			},
		}},
		{"zero_day", &Report{
			Funnel: "user_trace", Table: "rpt_user_trace_data", Mode: "events", Stages: stages3,
			TotalMarker: "all",
			Rows: []Row{
				row("20210301", nil, 1000, 300, 30),
				row("20210302", nil, 0, 0, 0),
				row("20210303", nil, 800, 0, 0),
				row("20210304", nil, 900, 280, 33),
			},
		}},
		{"ordered", &Report{
			Funnel: "user_trace_ordered", Table: "rpt_user_trace_ordered", Mode: "ordered", Window: "1h",
			Stages: stages3, Breakdowns: []string{"system_type"}, TotalMarker: "all",
			Attribution: "users are attributed to their first browse of the day (first touch)",
			Rows: []Row{
				timed(row("20210302", dims("system_type", "all"), 4000, 1500, 300),
					[]*float64{nil, fp(42), fp(845.5)}, []*float64{nil, fp(97.25), fp(1312.125)}),
				timed(row("20210302", dims("system_type", "android"), 2500, 900, 150),
					[]*float64{nil, fp(40), fp(900)}, []*float64{nil, fp(101.5), fp(1400)}),
				timed(row("20210302", dims("system_type", "ios"), 1500, 600, 150),
					[]*float64{nil, fp(45), fp(780)}, []*float64{nil, fp(90.875), fp(1224.25)}),
				timed(row("20210303", dims("system_type", "all"), 4200, 1650, 0),
					[]*float64{nil, fp(39.5), nil}, []*float64{nil, fp(88), nil}),
				timed(row("20210303", dims("system_type", "android"), 2600, 1000, 0),
					nil, nil),
				timed(row("20210303", dims("system_type", "ios"), 1600, 650, 0),
					[]*float64{nil, fp(3725), nil}, []*float64{nil, fp(90061), nil}),
			},
		}},
		{"empty", &Report{
			Funnel: "user_trace", Table: "rpt_user_trace_data", Mode: "events", Stages: stages3,
			TotalMarker: "all",
		}},
	}
}

var extensions = map[Format]string{FormatTable: "txt", FormatJSON: "json", FormatCSV: "csv", FormatHTML: "html"}

func render(t *testing.T, r *Report, f Format) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r, f); err != nil {
		t.Fatalf("Write(%s): %v", f, err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, c := range cases() {
		for _, f := range Formats() {
			t.Run(c.name+"/"+string(f), func(t *testing.T) {
				got := render(t, c.r, f)
				if again := render(t, c.r, f); !bytes.Equal(got, again) {
					t.Fatal("two renderings differ")
				}
				path := filepath.Join("testdata", c.name+"."+extensions[f])
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/report -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the rendering; if the change is intended, run go test ./internal/report -update\ngot:\n%s", path, got)
				}
			})
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
		err  string
	}{
		{in: "table", want: FormatTable},
		{in: "json", want: FormatJSON},
		{in: "csv", want: FormatCSV},
		{in: " HTML ", want: FormatHTML},
		{in: "", err: "empty report format; use one of table, json, csv, html"},
		{in: "xml", err: `unknown report format "xml"; use one of table, json, csv, html`},
		{in: "tables", err: `unknown report format "tables"; use one of table, json, csv, html`},
	} {
		got, err := ParseFormat(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseFormat(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	ok := func() *Report {
		return &Report{Funnel: "f", Mode: "events", Stages: stages3, Rows: []Row{row("20210303", nil, 3, 2, 1)}}
	}
	for _, tc := range []struct {
		name   string
		edit   func(*Report)
		format Format
		err    string
	}{
		{"format", func(*Report) {}, "xml", `unknown report format "xml"; use one of table, json, csv, html`},
		{"mode", func(r *Report) { r.Mode = "sessions" }, FormatTable,
			`report of funnel f: mode "sessions": want events, users or ordered`},
		{"stages", func(r *Report) { r.Stages = nil }, FormatTable, "report of funnel f: no stages"},
		{"counts", func(r *Report) { r.Rows[0].Counts = []int64{3, 2} }, FormatJSON,
			"report of funnel f: row 1 (dt 20210303): 2 counts for 3 stages"},
		{"rates", func(r *Report) { r.Rows[0].OverallRates = []*float64{nil} }, FormatCSV,
			"report of funnel f: row 1 (dt 20210303): 1 overall rates for 3 stages"},
		{"timings", func(r *Report) { r.Rows[0].AvgSeconds = []*float64{nil, nil, nil, nil} }, FormatHTML,
			"report of funnel f: row 1 (dt 20210303): 4 average seconds for 3 stages"},
		{"dims", func(r *Report) { r.Breakdowns = []string{"device"} }, FormatTable,
			"report of funnel f: row 1 (dt 20210303): no value for breakdown device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok()
			tc.edit(r)
			var b bytes.Buffer
			err := Write(&b, r, tc.format)
			if err == nil || err.Error() != tc.err {
				t.Fatalf("error = %v, want %q", err, tc.err)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", b.Len())
			}
		})
	}
	if err := Write(io.Discard, nil, FormatTable); err == nil {
		t.Error("Write of a nil report: no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReturnsWriterError(t *testing.T) {
	if err := Write(failWriter{}, cases()[0].r, FormatTable); err == nil || err.Error() != "disk full" {
		t.Fatalf("error = %v, want disk full", err)
	}
}

// Rates missing from the RPT table are computed from the counts.
func TestMissingRates(t *testing.T) {
	full := cases()[3].r // zero_day
	bare := *full
	bare.Rows = nil
	for _, r := range full.Rows {
		r.StepRates, r.OverallRates = nil, nil
		bare.Rows = append(bare.Rows, r)
	}
	for _, f := range Formats() {
		if got, want := render(t, &bare, f), render(t, full, f); !bytes.Equal(got, want) {
			t.Errorf("%s: rendering without rates differs from the one with rates", f)
		}
	}
	if full.Rows[0].StepRates == nil || bare.Rows[0].StepRates != nil {
		t.Error("Write changed its input")
	}
}

func TestHTMLSelfContained(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			page := string(render(t, c.r, FormatHTML))
			lower := strings.ToLower(page)
			for _, bad := range []string{"http://", "https://", "//", "<script", "src=", "href=", "url(", "@import", "<link", "<iframe", "<img", "<object", "<embed"} {
				if strings.Contains(lower, bad) {
					t.Errorf("page contains %q", bad)
				}
			}
			if !strings.Contains(page, "<title>fgen report: "+c.r.Funnel+"</title>") {
				t.Error("no title 'fgen report: <funnel>'")
			}

			// Well-formed: the page is also XML, so every tag is closed and nested.
			d := xml.NewDecoder(strings.NewReader(page))
			svgs, depth := 0, 0
			for {
				tok, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				switch tok := tok.(type) {
				case xml.StartElement:
					if tok.Name.Local == "svg" {
						svgs++
						depth++
					}
				case xml.EndElement:
					if tok.Name.Local == "svg" {
						depth--
					}
				}
			}
			if depth != 0 || strings.Count(page, "<svg") != strings.Count(page, "</svg>") {
				t.Errorf("unbalanced <svg> tags")
			}

			days := map[string]bool{}
			for _, r := range c.r.Rows {
				days[r.Dt] = true
			}
			wantSVGs := len(days) // one funnel per day
			trend := len(days) > 1
			if trend {
				wantSVGs++
			}
			if svgs != wantSVGs {
				t.Errorf("%d svg charts, want %d", svgs, wantSVGs)
			}
			if got := strings.Contains(page, `<svg class="trend"`); got != trend {
				t.Errorf("time-series chart present = %v, want %v", got, trend)
			}
			tables := 0 // one of the day totals when there is a trend, one per day with breakdowns
			if trend {
				tables++
			}
			if len(c.r.Breakdowns) > 0 {
				tables += len(days)
			}
			if got := strings.Count(page, "<table>"); got != tables {
				t.Errorf("%d tables, want %d", got, tables)
			}
		})
	}
}

func TestHTMLEscapes(t *testing.T) {
	r := &Report{
		Funnel: `<b>"x" & y</b>`, Mode: "events", Stages: []string{"<s1>", "s2 & co"}, Breakdowns: []string{"d<"},
		TotalMarker: "all",
		Rows: []Row{
			row("20210303", dims("d<", "all"), 2, 1),
			row("20210303", dims("d<", "</svg><script>alert(1)</script>"), 2, 1),
		},
	}
	page := string(render(t, r, FormatHTML))
	for _, raw := range []string{"<b>", "<s1>", "<script", "d<"} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	if !strings.Contains(page, "&lt;s1&gt;") {
		t.Error("stage name not shown escaped")
	}
}

// jsonDoc is the documented JSON schema, for decoding in tests.
type jsonDoc struct {
	Funnel      string   `json:"funnel"`
	Table       string   `json:"table"`
	Mode        string   `json:"mode"`
	Window      string   `json:"window"`
	Stages      []string `json:"stages"`
	Breakdowns  []string `json:"breakdowns"`
	TotalMarker string   `json:"total_marker"`
	Attribution string   `json:"attribution"`
	Rows        []struct {
		Dt     string            `json:"dt"`
		Dims   map[string]string `json:"dims"`
		Total  bool              `json:"total"`
		Stages []struct {
			Name          string   `json:"name"`
			Count         int64    `json:"count"`
			StepRate      *float64 `json:"step_rate"`
			OverallRate   *float64 `json:"overall_rate"`
			MedianSeconds *float64 `json:"median_seconds"`
			AvgSeconds    *float64 `json:"avg_seconds"`
		} `json:"stages"`
	} `json:"rows"`
}

func TestJSONRoundTrip(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, c.r, FormatJSON)
			if !bytes.HasSuffix(out, []byte("}\n")) || bytes.HasSuffix(out, []byte("\n\n")) {
				t.Error("output does not end in exactly one newline")
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.DisallowUnknownFields()
			var doc jsonDoc
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			r := c.r
			if doc.Funnel != r.Funnel || doc.Table != r.Table || doc.Mode != r.Mode || doc.Window != r.Window ||
				!reflect.DeepEqual(doc.Stages, r.Stages) || len(doc.Breakdowns) != len(r.Breakdowns) ||
				doc.TotalMarker != r.TotalMarker || doc.Attribution != r.Attribution {
				t.Errorf("header fields differ: %+v", doc)
			}
			if doc.Rows == nil || len(doc.Rows) != len(r.Rows) {
				t.Fatalf("%d rows, want %d", len(doc.Rows), len(r.Rows))
			}
			for i, want := range r.Rows {
				got := doc.Rows[i]
				if got.Dt != want.Dt || got.Dims == nil || len(got.Dims) != len(want.Dims) || got.Total != r.isTotal(&want) {
					t.Errorf("row %d: %+v", i, got)
				}
				for k, v := range want.Dims {
					if got.Dims[k] != v {
						t.Errorf("row %d: dims[%s] = %q, want %q", i, k, got.Dims[k], v)
					}
				}
				if len(got.Stages) != len(r.Stages) {
					t.Fatalf("row %d: %d stages", i, len(got.Stages))
				}
				for k, s := range got.Stages {
					at := func(v []*float64) *float64 {
						if v == nil {
							return nil
						}
						return v[k]
					}
					if s.Name != r.Stages[k] || s.Count != want.Counts[k] ||
						!samePtr(s.StepRate, want.StepRates[k]) || !samePtr(s.OverallRate, want.OverallRates[k]) ||
						!samePtr(s.MedianSeconds, at(want.MedianSeconds)) || !samePtr(s.AvgSeconds, at(want.AvgSeconds)) {
						t.Errorf("row %d stage %d: %+v", i, k, s)
					}
				}
			}

			// The timing keys are there in ordered mode only.
			hasTiming := bytes.Contains(out, []byte(`"median_seconds"`)) && bytes.Contains(out, []byte(`"avg_seconds"`))
			if want := r.ordered() && len(r.Rows) > 0; hasTiming != want {
				t.Errorf("timing keys present = %v, want %v", hasTiming, want)
			}
		})
	}
}

func samePtr(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func TestCSVParses(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			recs, err := csv.NewReader(bytes.NewReader(render(t, c.r, FormatCSV))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			r := c.r
			header := append([]string{"dt"}, r.Breakdowns...)
			header = append(header, "stage", "stage_index", "count", "step_rate", "overall_rate")
			if r.ordered() {
				header = append(header, "median_seconds", "avg_seconds")
			}
			if !reflect.DeepEqual(recs[0], header) {
				t.Fatalf("header %q, want %q", recs[0], header)
			}
			if len(recs) != 1+len(r.Rows)*len(r.Stages) {
				t.Fatalf("%d records, want %d", len(recs), 1+len(r.Rows)*len(r.Stages))
			}
			col := map[string]int{}
			for i, h := range header {
				col[h] = i
			}
			num := func(s string) *float64 {
				if s == "" {
					return nil
				}
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatal(err)
				}
				return &v
			}
			for i, rec := range recs[1:] {
				want, k := r.Rows[i/len(r.Stages)], i%len(r.Stages)
				if rec[col["dt"]] != want.Dt || rec[col["stage"]] != r.Stages[k] || rec[col["stage_index"]] != strconv.Itoa(k+1) ||
					rec[col["count"]] != strconv.FormatInt(want.Counts[k], 10) ||
					!samePtr(num(rec[col["step_rate"]]), want.StepRates[k]) || !samePtr(num(rec[col["overall_rate"]]), want.OverallRates[k]) {
					t.Errorf("record %d: %q", i+1, rec)
				}
				for _, b := range r.Breakdowns {
					if rec[col[b]] != want.Dims[b] {
						t.Errorf("record %d: %s = %q, want %q", i+1, b, rec[col[b]], want.Dims[b])
					}
				}
				if r.ordered() && want.MedianSeconds != nil &&
					(!samePtr(num(rec[col["median_seconds"]]), want.MedianSeconds[k]) || !samePtr(num(rec[col["avg_seconds"]]), want.AvgSeconds[k])) {
					t.Errorf("record %d: timings %q", i+1, rec)
				}
			}
		})
	}
}

func TestFormatHelpers(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{formatCount(0), "0"},
		{formatCount(999), "999"},
		{formatCount(1000), "1,000"},
		{formatCount(-1234567), "-1,234,567"},
		{formatPercent(nil), "—"},
		{formatPercent(fp(0.342857)), "34.29%"},
		{formatPercent(fp(1)), "100.00%"},
		{formatPercent(fp(0)), "0.00%"},
		{formatPercent(fp(650.0 / 1600)), "40.63%"},
		{formatPercent(fp(0.03125)), "3.13%"},
		{formatPercent(fp(0.01005)), "1.00%"},
		{formatPercent(fp(0.00004)), "0.00%"},
		{formatPercent(fp(12.3456)), "1234.56%"},
		{formatPercent(fp(-0.5)), "-50.00%"},
		{formatSeconds(nil), "—"},
		{formatSeconds(fp(0)), "0s"},
		{formatSeconds(fp(12.54)), "12.5s"},
		{formatSeconds(fp(59.94)), "59.9s"},
		{formatSeconds(fp(59.96)), "1m00s"},
		{formatSeconds(fp(845.5)), "14m06s"},
		{formatSeconds(fp(3599.6)), "1h00m"},
		{formatSeconds(fp(3725)), "1h02m"},
		{formatSeconds(fp(86399)), "1d00h"},
		{formatSeconds(fp(90061)), "1d01h"},
		{formatDate("20210303"), "2021-03-03"},
		{formatDate("2021-03-03"), "2021-03-03"},
		{bar(0, 10), ""},
		{bar(10, 10), strings.Repeat("█", 40)},
		{bar(1, 1000), "▏"},
		{bar(5, 10), strings.Repeat("█", 20)},
		{bar(343, 1000), strings.Repeat("█", 13) + "▊"},
		{padLeft("浏览", 5), " 浏览"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestNiceScale(t *testing.T) {
	for _, tc := range []struct{ top, step, max float64 }{
		{0, 20, 100},
		{34.29, 10, 40},
		{3.43, 1, 4},
		{100, 20, 100},
		{0.4, 0.1, 0.4},
		{12, 2.5, 12.5},
	} {
		step, m := niceScale(tc.top)
		if step != tc.step || m != tc.max {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", tc.top, step, m, tc.step, tc.max)
		}
	}
}

// Over many days the tick labels thin out and the dots shrink, so nothing overlaps.
func TestTrendManyDays(t *testing.T) {
	r := &Report{Funnel: "f", Mode: "events", Stages: stages3}
	for i := 0; i < 120; i++ {
		r.Rows = append(r.Rows, row(strconv.Itoa(20210000+i), nil, 1000, int64(300+i), 30))
	}
	c := trendChart(r, r.days())
	if len(c.XTicks) < 5 || len(c.XTicks) > 13 {
		t.Errorf("%d x tick labels", len(c.XTicks))
	}
	for i := 1; i < len(c.XTicks); i++ {
		if d := c.XTicks[i].Pos - c.XTicks[i-1].Pos; d < 86 {
			t.Errorf("tick labels %v px apart", d)
		}
	}
	for _, s := range c.Series {
		if len(s.Points) != 120 || len(s.Lines) != 1 || s.R > 2 {
			t.Errorf("series %s: %d points, %d lines, radius %v", s.Name, len(s.Points), len(s.Lines), s.R)
		}
	}
}
