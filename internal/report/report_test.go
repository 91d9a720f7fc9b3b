package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
		{"week", weekReport()},
		{"cross_midnight", crossMidnightReport()},
		{"distributions", distributionsReport()},
		{"distributions_day", distributionsDay()},
		{"other_definition", &Report{
			Funnel: "user_trace", Table: "rpt_user_trace_data", Mode: "events", Stages: stages3,
			TotalMarker:           "all",
			Rows:                  []Row{row("20210303", nil, 120000, 41148, 4115)},
			DaysOfOtherDefinition: []string{"20210302"},
			OtherDefinition:       []string{"it has 1 of funnel.toml's 3 stages"},
		}},
	}
}

// distributionsDay is the first day of distributionsReport: histograms and no chart of
// percentiles per day.
func distributionsDay() *Report {
	r := distributionsReport()
	r.Rows = slices.DeleteFunc(r.Rows, func(row Row) bool { return row.Dt != "20210303" })
	return r
}

// distributionsReport is an ordered funnel of the long layout over two days, with step times,
// percentiles and a histogram of both series, by device with a breakdown limit of 2: the
// other devices share the row "other". On the second day nobody in "other" purchased.
func distributionsReport() *Report {
	r := &Report{
		Funnel: "ordered_long", Table: "rpt_ordered_long", Mode: "ordered", Window: "1h",
		Description: "browse, click, purchase within an hour, a row per stage, by device",
		Stages:      stages3, Breakdowns: []string{"device"}, TotalMarker: "all",
		Attribution:    "users are attributed to the device of their first browse of the day (first touch)",
		BreakdownLimit: 2, OtherMarker: "other",
		StepTimes:   true,
		Percentiles: []string{"p50", "p90", "p99.9"},
		Buckets:     []string{"0s–10s", "10s–1m", "1m–10m", "10m–1h", "1h+"},
		BucketEdges: []float64{0, 10, 60, 600, 3600},
	}
	// Shares of a stage's users per bucket, per mille, the last bucket taking the rest: from
	// the entry (within the window, so few at 1h or more) and from the previous stage (which
	// can exceed it).
	entryShares := []int64{180, 400, 280, 70}
	stepShares := []int64{120, 360, 300, 110}
	hist := func(c int64, shares []int64, seed int64) []int64 {
		h := make([]int64, 5)
		rest := c
		for b, sh := range shares {
			h[b] = c * (sh + seed) / 1000
			rest -= h[b]
		}
		h[4] = rest
		return h
	}
	for d, dt := range []string{"20210303", "20210304"} {
		for j, v := range []struct {
			device string
			counts []int64
		}{
			{"all", []int64{9000, 3300, 620}},
			{"iPhone 12", []int64{4100, 1580, 330}},
			{"Mate 40 Pro", []int64{3000, 1100, 210}},
			{"other", []int64{1900, 620, 80}},
		} {
			seed := int64(7*d + 3*j)
			counts := append([]int64(nil), v.counts...)
			for k := range counts {
				counts[k] += seed * int64(k+1) * 11
			}
			if d == 1 && v.device == "other" {
				counts[2] = 0
			}
			rw := row(dt, dims("device", v.device), counts...)
			n := len(counts)
			rw.MedianSeconds, rw.AvgSeconds = make([]*float64, n), make([]*float64, n)
			rw.StepMedianSeconds, rw.StepAvgSeconds = make([]*float64, n), make([]*float64, n)
			rw.Percentiles, rw.StepPercentiles = make([][]*float64, n), make([][]*float64, n)
			rw.Histogram, rw.StepHistogram = make([][]int64, n), make([][]int64, n)
			for k := 1; k < n; k++ {
				base := float64(35 + 600*(k-1) + int(seed))
				rw.Histogram[k] = hist(counts[k], entryShares, seed)
				rw.StepHistogram[k] = hist(counts[k], stepShares, seed+int64(k))
				rw.Percentiles[k], rw.StepPercentiles[k] = make([]*float64, 3), make([]*float64, 3)
				if counts[k] == 0 {
					continue
				}
				rw.MedianSeconds[k], rw.AvgSeconds[k] = fp(base+0.5), fp(base*2.25)
				rw.StepMedianSeconds[k], rw.StepAvgSeconds[k] = fp(base*0.75+float64(k)), fp(base*1.5+float64(k))
				for i, f := range []float64{1, 6, 40} {
					rw.Percentiles[k][i] = fp(math.Min(3600, base*f))
					rw.StepPercentiles[k][i] = fp(base*f*1.25 + 1)
				}
			}
			r.Rows = append(r.Rows, rw)
		}
	}
	return r
}

// weekReport is a users funnel over a week with two breakdowns, one of them with more values
// than the charts name (so some are merged into "other").
func weekReport() *Report {
	r := &Report{
		Funnel: "users_by_device", Table: "rpt_users_by_device", Mode: "users", Stages: stages3,
		Description: "distinct users per stage, by device brand and system",
		Breakdowns:  []string{"device_brand", "system_type"}, TotalMarker: "all",
		Attribution: "users are attributed to the device_brand, system_type of their first browse of the day (first touch)",
	}
	brands := []struct {
		name  string
		share int64 // per mille of the day's users
	}{
		{"huawei", 231}, {"apple", 204}, {"xiaomi", 160}, {"oppo", 118}, {"vivo", 101}, {"honor", 62},
		{"samsung", 41}, {"oneplus", 29}, {"realme", 21}, {"meizu", 14}, {"unknown", 12}, {"zte", 7},
	}
	systems := []struct {
		name  string
		share int64
	}{{"android", 784}, {"ios", 204}, {"unknown", 12}}
	for d := int64(0); d < 7; d++ {
		dt := strconv.FormatInt(20210303+d, 10)
		users := 20000 + 900*d - 150*d*d
		counts := func(share int64, k int64) []int64 {
			u := users * share / 1000
			c := u * (330 + 7*d + k) / 1000
			return []int64{u, c, c * (95 + 3*d - k) / 1000}
		}
		sumB := make([]int64, 3)
		var rows []Row
		for i, b := range brands {
			c := counts(b.share, int64(i%4))
			for k := range c {
				sumB[k] += c[k]
			}
			rows = append(rows, row(dt, dims("device_brand", b.name, "system_type", "all"), c...))
		}
		// The systems split the total, the last one taking the rest, so that the values
		// partition the users.
		rest := append([]int64(nil), sumB...)
		for i, sy := range systems {
			c := make([]int64, 3)
			for k := range c {
				c[k] = sumB[k] * (sy.share - int64(2*i*k)) / 1000
				if i == len(systems)-1 {
					c[k] = rest[k]
				}
				rest[k] -= c[k]
			}
			rows = append(rows, row(dt, dims("device_brand", "all", "system_type", sy.name), c...))
		}
		r.Rows = append(r.Rows, row(dt, dims("device_brand", "all", "system_type", "all"), sumB...))
		r.Rows = append(r.Rows, rows...)
	}
	return r
}

// crossMidnightReport is an ordered funnel across midnight whose last day is provisional: the
// day after it had not landed.
func crossMidnightReport() *Report {
	r := &Report{
		Funnel: "ordered_overnight", Table: "rpt_ordered_overnight", Mode: "ordered", Window: "30m",
		DayBoundary: "cross_midnight", Stages: []string{"browse", "click"}, TotalMarker: "all",
	}
	for d, c := range [][2]int64{{15210, 4820}, {15890, 5121}, {16304, 5003}, {15960, 5288}, {16650, 5190}} {
		dt := strconv.FormatInt(20210303+int64(d), 10)
		r.Rows = append(r.Rows, timed(row(dt, nil, c[0], c[1]),
			[]*float64{nil, fp(float64(38 + 2*d))}, []*float64{nil, fp(float64(131 + 9*d))}))
	}
	r.MarkProvisional("20210307")
	// The ODS rows of 20210305 loaded again after apply: the DW rows of that day changed
	// under the reports of 20210304 (across midnight) and 20210305. 20210308 was asked for
	// and has no rows.
	r.MarkOutOfDate("dw_user_trace_data: ods_user_trace_data/dt=20210305 changed after it was written", "20210304", "20210305")
	r.DaysWithoutRows = []string{"20210308"}
	return r
}

// pageReports are the reports of the golden page of several funnels.
func pageReports() []*Report {
	byName := map[string]*Report{}
	for _, c := range cases() {
		byName[c.name] = c.r
	}
	return []*Report{byName["three_days"], byName["week"], byName["ordered"], byName["cross_midnight"], byName["distributions"], byName["empty"]}
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

// checkSelfContained asserts that page needs nothing from elsewhere (its only links point
// into the page) and is well-formed XML, and returns the number of svg charts in it.
func checkSelfContained(t *testing.T, page string) int {
	t.Helper()
	lower := strings.ToLower(page)
	// ZgotmplZ is what html/template writes for a value it refuses in an attribute or CSS.
	for _, bad := range []string{"http://", "https://", "//", "<script", "src=", "url(", "@import", "<link", "<iframe", "<img", "<object", "<embed", "zgotmplz"} {
		if strings.Contains(lower, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for rest := lower; strings.Contains(rest, "href="); {
		i := strings.Index(rest, "href=")
		rest = rest[i+len("href="):]
		if !strings.HasPrefix(rest, `"#`) {
			t.Errorf("a link out of the page: href=%.40s", rest)
		}
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
	return svgs
}

// wantCharts returns the svg charts and tables the page of r should have: a rate panel, in
// ordered mode a panel of times when some day has one, and a count panel per stage when two
// or more days have a total row; a table per breakdown, one of the day totals when there are
// several days, and one per day with breakdowns; and the distributions' charts and table.
func wantCharts(r *Report) (svgs, tables int) {
	days := r.days()
	withTotal := 0
	for _, d := range days {
		if d.Total != nil {
			withTotal++
		}
	}
	if withTotal > 1 {
		svgs = len(r.Stages)
		if len(r.Stages) > 1 {
			svgs++
		}
		times := false
		for _, row := range r.Rows {
			last := len(r.Stages) - 1
			times = times || r.ordered() && r.isTotal(&row) && (at(row.MedianSeconds, last) != nil || at(row.AvgSeconds, last) != nil)
		}
		if times {
			svgs++
		}
	}
	if len(days) > 1 {
		tables++
	}
	if len(r.Breakdowns) > 0 {
		tables += len(r.groups(days)) + len(days)
	}
	// The distributions: per later stage and series a histogram, and a chart of the
	// percentiles when two or more days have a total; a table of times, and one of buckets.
	if r.distributions() && withTotal > 0 {
		per := 0
		if len(r.Buckets) > 0 {
			per++
		}
		if len(r.Percentiles) > 0 && withTotal > 1 {
			per++
		}
		svgs += per * (len(r.Stages) - 1) * len(r.series())
		tables++
		if len(r.Buckets) > 0 {
			tables++
		}
	}
	return svgs, tables
}

func TestHTMLSelfContained(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			page := string(render(t, c.r, FormatHTML))
			if !strings.Contains(page, "<title>fgen report: "+c.r.Funnel+"</title>") {
				t.Error("no title 'fgen report: <funnel>'")
			}
			svgs := checkSelfContained(t, page)
			wantSVGs, wantTables := wantCharts(c.r)
			if svgs != wantSVGs {
				t.Errorf("%d svg charts, want %d", svgs, wantSVGs)
			}
			if got := strings.Count(page, "<table>"); got != wantTables {
				t.Errorf("%d tables, want %d", got, wantTables)
			}
			if got, want := strings.Count(page, `<section class="funnel"`), 1; got != want {
				t.Errorf("%d funnel sections, want %d", got, want)
			}
			if strings.Contains(page, `<nav class="card toc"`) {
				t.Error("a table of contents on the page of one funnel")
			}
		})
	}
}

// The golden page of several funnels, in every format but csv, which holds one funnel.
func TestPage(t *testing.T) {
	rs := pageReports()
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			err := WriteAll(&b, rs, f)
			if f == FormatCSV {
				if want := "the csv format holds one funnel's rows, not 6; name one funnel, or use json or html"; err == nil || err.Error() != want {
					t.Fatalf("error = %v, want %q", err, want)
				}
				if b.Len() != 0 {
					t.Error("wrote something despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := b.Bytes()
			path := filepath.Join("testdata", "page."+extensions[f])
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendering (%v); if the change is intended, run go test ./internal/report -update", path, err)
			}
			// Each report's part is what Write writes of it alone, but for the html page.
			if f == FormatHTML {
				page := string(got)
				svgs, tables := 0, 0
				for _, r := range rs {
					s, tb := wantCharts(r)
					svgs, tables = svgs+s, tables+tb
				}
				if got := checkSelfContained(t, page); got != svgs {
					t.Errorf("%d svg charts, want %d", got, svgs)
				}
				if got := strings.Count(page, "<table>"); got != tables {
					t.Errorf("%d tables, want %d", got, tables)
				}
				if got := strings.Count(page, `<section class="funnel"`); got != len(rs) {
					t.Errorf("%d funnel sections, want %d", got, len(rs))
				}
				if got := strings.Count(page, `<li><a href="#f`); got != len(rs) {
					t.Errorf("%d entries in the table of contents, want %d", got, len(rs))
				}
				if !strings.Contains(page, "<title>fgen report: 6 funnels</title>") {
					t.Error("no title 'fgen report: 6 funnels'")
				}
				return
			}
			var parts []string
			for _, r := range rs {
				parts = append(parts, string(render(t, r, f)))
			}
			sep := map[Format]string{FormatTable: "\n" + strings.Repeat("─", 72) + "\n\n", FormatJSON: ""}[f]
			if want := strings.Join(parts, sep); string(got) != want {
				t.Errorf("the %s of several reports is not theirs one after another (a rule between tables)", f)
			}
		})
	}
	// The JSON of several reports is a stream of the single objects.
	var b bytes.Buffer
	if err := WriteAll(&b, rs, FormatJSON); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&b)
	for i := 0; ; i++ {
		var doc jsonDoc
		if err := dec.Decode(&doc); err == io.EOF {
			if i != len(rs) {
				t.Errorf("%d JSON objects, want %d", i, len(rs))
			}
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if i < len(rs) && doc.Funnel != rs[i].Funnel {
			t.Errorf("object %d is funnel %s, want %s", i, doc.Funnel, rs[i].Funnel)
		}
	}
	for _, bad := range [][]*Report{nil, {rs[0], nil}} {
		if err := WriteAll(io.Discard, bad, FormatHTML); err == nil || err.Error() != "no report to write" {
			t.Errorf("WriteAll(%d reports) error = %v", len(bad), err)
		}
	}
}

// The table format shows every number of an ordered funnel with distributions: per row and
// stage the times from the entry and the step times, then per later stage and series a line
// of percentiles and histogram buckets; the range's percentiles as the daily ranges and its
// buckets added up. The breakdown limit and its other row are said.
func TestTableDistributions(t *testing.T) {
	r := distributionsReport()
	out := string(render(t, r, FormatTable))
	var stageLines, distLines [][]string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 2 && slices.Contains(r.Stages, f[0]) && (f[1] == "entry" || f[1] == "previous"):
			distLines = append(distLines, f)
		case len(f) >= 8 && slices.Contains(r.Stages, f[0]):
			stageLines = append(stageLines, f[:8])
		}
	}
	var wantStage, wantDist [][]string
	series := []struct {
		name string
		step bool
	}{{"entry", false}, {"previous", true}}
	for i := range r.Rows {
		row := &r.Rows[i]
		for k, name := range r.Stages {
			wantStage = append(wantStage, []string{name, formatCount(row.Counts[k]), stepPercent(row.Counts, k), overallPercent(row.Counts, k),
				formatSeconds(row.MedianSeconds[k]), formatSeconds(row.AvgSeconds[k]), formatSeconds(row.StepMedianSeconds[k]), formatSeconds(row.StepAvgSeconds[k])})
		}
		for k := 1; k < len(r.Stages); k++ {
			for _, s := range series {
				ps, hs := row.Percentiles[k], row.Histogram[k]
				if s.step {
					ps, hs = row.StepPercentiles[k], row.StepHistogram[k]
				}
				l := []string{r.Stages[k], s.name}
				for _, p := range ps {
					l = append(l, formatSeconds(p))
				}
				for _, h := range hs {
					l = append(l, formatCount(h))
				}
				wantDist = append(wantDist, l)
			}
		}
	}
	// The range: percentiles from the smallest to the largest of the day totals', buckets
	// added up.
	var totals []*Row
	for i := range r.Rows {
		if r.isTotal(&r.Rows[i]) {
			totals = append(totals, &r.Rows[i])
		}
	}
	for k := 1; k < len(r.Stages); k++ {
		for _, s := range series {
			l := []string{r.Stages[k], s.name}
			for i := range r.Percentiles {
				var vs []float64
				for _, row := range totals {
					vs = append(vs, *pct(row, s.step, k, i))
				}
				lo, hi := formatSeconds(fp(slices.Min(vs))), formatSeconds(fp(slices.Max(vs)))
				if lo == hi {
					l = append(l, lo)
				} else {
					l = append(l, lo+"–"+hi)
				}
			}
			for b := range r.Buckets {
				var c int64
				for _, row := range totals {
					c += *bucket(row, s.step, k, b)
				}
				l = append(l, formatCount(c))
			}
			wantDist = append(wantDist, l)
		}
	}
	if !reflect.DeepEqual(distLines, wantDist) {
		t.Errorf("distribution lines\n%q\nwant\n%q", distLines, wantDist)
	}
	if len(stageLines) < len(wantStage) || !reflect.DeepEqual(stageLines[:len(wantStage)], wantStage) {
		t.Errorf("stage lines\n%q\nwant\n%q", stageLines, wantStage)
	}
	heads := strings.Count(out, "    time to   from")
	if want := len(r.Rows); heads != want {
		t.Errorf("%d distribution headers, want one per row, %d", heads, want)
	}
	for _, want := range []string{
		"stage      count    step  overall    median time  avg time  step median  step avg\n",
		"p50          p90          p99.9  0s–10s  10s–1m  1m–10m  10m–1h  1h+\n",
		"note: per day, the 2 values of device with the most browse users keep their rows; the others\n      share the row \"other\"\n",
		"\n  device=other  (the values beyond the top 2)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table has no %q:\n%s", want, out)
		}
	}
	if got := strings.Count(out, "device=other"); got != 2 {
		t.Errorf("%d other rows, want 2 (one a day)", got)
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
	Limit         int       `json:"breakdown_limit"`
	OtherMarker   string    `json:"other_marker"`
	StepTimes     bool      `json:"step_times"`
	Percentiles   []string  `json:"percentiles"`
	Buckets       []string  `json:"histogram_buckets"`
	BucketEdges   []float64 `json:"histogram_edges_seconds"`
	Missing       []string  `json:"days_without_rows"`
	Other         []struct {
		Dt  string `json:"dt"`
		Why string `json:"why"`
	} `json:"days_of_another_definition"`
	Rows []struct {
		Dt          string            `json:"dt"`
		Dims        map[string]string `json:"dims"`
		Total       bool              `json:"total"`
		Provisional bool              `json:"provisional"`
		OutOfDate   *string           `json:"out_of_date"`
		Other       bool              `json:"other"`
		Stages      []struct {
			Name              string     `json:"name"`
			Count             int64      `json:"count"`
			StepRate          *float64   `json:"step_rate"`
			OverallRate       *float64   `json:"overall_rate"`
			MedianSeconds     *float64   `json:"median_seconds"`
			AvgSeconds        *float64   `json:"avg_seconds"`
			StepMedianSeconds *float64   `json:"step_median_seconds"`
			StepAvgSeconds    *float64   `json:"step_avg_seconds"`
			Percentiles       []*float64 `json:"percentile_seconds"`
			StepPercentiles   []*float64 `json:"step_percentile_seconds"`
			Histogram         []int64    `json:"histogram"`
			StepHistogram     []int64    `json:"step_histogram"`
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
			if doc.FormatVersion != 1 || doc.Command != "report" {
				t.Errorf("format_version %d, command %q", doc.FormatVersion, doc.Command)
			}
			if doc.Funnel != r.Funnel || doc.Table != r.Table || doc.Mode != r.Mode || doc.Window != r.Window ||
				!reflect.DeepEqual(doc.Stages, r.Stages) || len(doc.Breakdowns) != len(r.Breakdowns) ||
				doc.TotalMarker != r.TotalMarker || doc.Attribution != r.Attribution ||
				doc.Limit != r.BreakdownLimit || doc.OtherMarker != r.OtherMarker || doc.StepTimes != r.StepTimes ||
				doc.Percentiles == nil || doc.Buckets == nil || doc.BucketEdges == nil ||
				len(doc.Percentiles)+len(r.Percentiles) > 0 && !reflect.DeepEqual(doc.Percentiles, r.Percentiles) ||
				len(doc.Buckets)+len(r.Buckets) > 0 && !reflect.DeepEqual(doc.Buckets, r.Buckets) ||
				len(doc.BucketEdges)+len(r.BucketEdges) > 0 && !reflect.DeepEqual(doc.BucketEdges, r.BucketEdges) ||
				doc.Missing == nil || len(doc.Missing)+len(r.DaysWithoutRows) > 0 && !reflect.DeepEqual(doc.Missing, r.DaysWithoutRows) ||
				doc.Other == nil || len(doc.Other) != len(r.DaysOfOtherDefinition) {
				t.Errorf("header fields differ: %+v", doc)
			}
			for i, o := range doc.Other {
				if o.Dt != r.DaysOfOtherDefinition[i] || o.Why != r.OtherDefinition[i] {
					t.Errorf("days_of_another_definition[%d] = %+v, want %s (%s)", i, o, r.DaysOfOtherDefinition[i], r.OtherDefinition[i])
				}
			}
			if doc.Rows == nil || len(doc.Rows) != len(r.Rows) {
				t.Fatalf("%d rows, want %d", len(doc.Rows), len(r.Rows))
			}
			for i, want := range r.Rows {
				got := doc.Rows[i]
				if got.Dt != want.Dt || got.Dims == nil || len(got.Dims) != len(want.Dims) || got.Total != r.isTotal(&want) || got.Provisional != want.Provisional ||
					(got.OutOfDate == nil) != (want.OutOfDate == "") || got.OutOfDate != nil && *got.OutOfDate != want.OutOfDate ||
					got.Other != (r.BreakdownLimit > 0 && want.Dims[r.Breakdowns[0]] == r.OtherMarker) {
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
						!samePtr(s.MedianSeconds, at(want.MedianSeconds)) || !samePtr(s.AvgSeconds, at(want.AvgSeconds)) ||
						!samePtr(s.StepMedianSeconds, at(want.StepMedianSeconds)) || !samePtr(s.StepAvgSeconds, at(want.StepAvgSeconds)) {
						t.Errorf("row %d stage %d: %+v", i, k, s)
					}
					// Percentiles and histograms: null on the first stage, else the row's.
					if k == 0 {
						if s.Percentiles != nil || s.StepPercentiles != nil || s.Histogram != nil || s.StepHistogram != nil {
							t.Errorf("row %d: a distribution of the first stage: %+v", i, s)
						}
						continue
					}
					for _, d := range []struct {
						got  []*float64
						want [][]*float64
					}{{s.Percentiles, want.Percentiles}, {s.StepPercentiles, want.StepPercentiles}} {
						if d.want == nil {
							continue
						}
						if len(d.got) != len(d.want[k]) {
							t.Errorf("row %d stage %d: percentiles %v, want %v", i, k, d.got, d.want[k])
							continue
						}
						for j := range d.got {
							if !samePtr(d.got[j], d.want[k][j]) {
								t.Errorf("row %d stage %d: percentile %d is %v", i, k, j, d.got[j])
							}
						}
					}
					if want.Histogram != nil && (!reflect.DeepEqual(s.Histogram, want.Histogram[k]) || !reflect.DeepEqual(s.StepHistogram, want.StepHistogram[k])) {
						t.Errorf("row %d stage %d: histograms %v, %v", i, k, s.Histogram, s.StepHistogram)
					}
				}
			}

			// The timing keys are there in ordered mode only; the step times, percentiles and
			// histograms when the report has them.
			for _, c := range []struct {
				keys []string
				want bool
			}{
				{[]string{"median_seconds", "avg_seconds"}, r.ordered()},
				{[]string{"step_median_seconds", "step_avg_seconds"}, r.ordered() && r.StepTimes},
				{[]string{"percentile_seconds", "step_percentile_seconds"}, r.ordered() && len(r.Percentiles) > 0},
				{[]string{"histogram", "step_histogram"}, r.ordered() && len(r.Buckets) > 0},
			} {
				for _, key := range c.keys {
					if has := bytes.Contains(out, []byte(`"`+key+`"`)); has != (c.want && len(r.Rows) > 0) {
						t.Errorf("key %s present = %v, want %v", key, has, c.want)
					}
				}
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
			header = append(header, "provisional")
			if r.StepTimes {
				header = append(header, "step_median_seconds", "step_avg_seconds")
			}
			for _, prefix := range []string{"", "step_"} {
				for _, p := range r.Percentiles {
					header = append(header, prefix+strings.ReplaceAll(p, ".", "_")+"_seconds")
				}
			}
			for _, prefix := range []string{"", "step_"} {
				for _, b := range r.Buckets {
					header = append(header, prefix+"h_"+strings.NewReplacer("–", "_", "+", "_up").Replace(b))
				}
			}
			header = append(header, "out_of_date")
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
				if rec[col["dt"]] != want.Dt || rec[col["provisional"]] != strconv.FormatBool(want.Provisional) || rec[col["out_of_date"]] != want.OutOfDate || rec[col["stage"]] != r.Stages[k] || rec[col["stage_index"]] != strconv.Itoa(k+1) ||
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
				if r.StepTimes && (!samePtr(num(rec[col["step_median_seconds"]]), want.StepMedianSeconds[k]) || !samePtr(num(rec[col["step_avg_seconds"]]), want.StepAvgSeconds[k])) {
					t.Errorf("record %d: step timings %q", i+1, rec)
				}
				for j, p := range r.Percentiles {
					c := strings.ReplaceAll(p, ".", "_") + "_seconds"
					var entry, step *float64
					if k > 0 {
						entry, step = want.Percentiles[k][j], want.StepPercentiles[k][j]
					}
					if !samePtr(num(rec[col[c]]), entry) || !samePtr(num(rec[col["step_"+c]]), step) {
						t.Errorf("record %d: %s %q", i+1, c, rec)
					}
				}
				for j, b := range r.Buckets {
					c := "h_" + strings.NewReplacer("–", "_", "+", "_up").Replace(b)
					entry, step := "", ""
					if k > 0 {
						entry, step = strconv.FormatInt(want.Histogram[k][j], 10), strconv.FormatInt(want.StepHistogram[k][j], 10)
					}
					if rec[col[c]] != entry || rec[col["step_"+c]] != step {
						t.Errorf("record %d: %s %q", i+1, c, rec)
					}
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
		{formatPercent(0, 0), "—"},
		{formatPercent(12, 35), "34.29%"},
		{formatPercent(1, 1), "100.00%"},
		{formatPercent(0, 5), "0.00%"},
		{formatPercent(650, 1600), "40.63%"},
		{formatPercent(1, 32), "3.13%"},
		// Ties of the exact ratio round up, as the RPT table's ROUND(a * 10000 / b) / 100
		// does, where the float64 of the ratio times 100 falls below them.
		{formatPercent(23, 160), "14.38%"},
		{formatPercent(41, 160), "25.63%"},
		{formatPercent(201, 20000), "1.01%"},
		{formatPercent(1, 25000), "0.00%"},
		{formatPercent(1234560, 100000), "1234.56%"},
		{formatPercent(-1, 2), "-50.00%"},
		{formatPercent(-23, 160), "-14.38%"},
		{formatPercent(1<<62, 3), "153722867280912930133.33%"},
		{formatSeconds(nil), "—"},
		{formatSeconds(fp(0)), "0s"},
		{formatSeconds(fp(0.04)), "0.04s"},
		{formatSeconds(fp(0.1234)), "0.123s"},
		{formatSeconds(fp(0.0004)), "0s"},
		{formatSeconds(fp(0.96)), "1s"},
		{formatSeconds(fp(12.54)), "12.5s"},
		{formatSeconds(fp(59.94)), "59.9s"},
		{formatSeconds(fp(59.96)), "1m00s"},
		{formatSeconds(fp(845.5)), "14m06s"},
		{formatSeconds(fp(3599.6)), "1h00m"},
		{formatSeconds(fp(3725)), "1h02m"},
		{formatSeconds(fp(86399)), "1d00h"},
		{formatSeconds(fp(90061)), "1d01h"},
		{durationTick(0), "0s"},
		{durationTick(30), "30s"},
		{durationTick(1500), "25m"},
		{durationTick(90), "1m30s"},
		{durationTick(21600), "6h"},
		{durationTick(172800), "2d"},
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

func TestNiceSeconds(t *testing.T) {
	for _, tc := range []struct{ top, step, max float64 }{
		{0, 60, 300},
		{3, 1, 3},
		{46, 10, 50},
		{167, 60, 180},
		{1312, 300, 1500},
		{5000, 1800, 5400},
		{90061, 21600, 108000},
		{10 * 86400, 2 * 86400, 10 * 86400},
	} {
		step, m := niceSeconds(tc.top)
		if step != tc.step || m != tc.max {
			t.Errorf("niceSeconds(%v) = %v, %v; want %v, %v", tc.top, step, m, tc.step, tc.max)
		}
	}
}

// A histogram's bars are the users per bucket on a round scale, titled with the count and
// share; with many buckets the labels thin out, the narrow set within the wide one.
func TestHistogram(t *testing.T) {
	r := &Report{Buckets: []string{"0s–10s", "10s–1m", "1m+"}}
	h := histogram(r, []int64{0, 5, 10}, "#000", "time from a to b")
	var heights []float64
	for _, b := range h.Bars {
		heights = append(heights, b.H)
	}
	if !reflect.DeepEqual(heights, []float64{0, 50, 100}) || h.Empty != "" {
		t.Errorf("heights %v, empty %q", heights, h.Empty)
	}
	if got := h.Bars[1].Title; got != "10s–1m: 5 users (33.33%)" {
		t.Errorf("title %q", got)
	}
	// Over several days, the days' users added up: user-days, as the
	// tiles say; one is one.
	days := &Report{Buckets: r.Buckets, Rows: []Row{{Dt: "20210303"}, {Dt: "20210304"}}}
	if h := histogram(days, []int64{1, 5, 10}, "#000", ""); h.Bars[0].Title != "0s–10s: 1 user-day (6.25%)" || h.Bars[1].Title != "10s–1m: 5 user-days (31.25%)" || h.Note != "user-days" {
		t.Errorf("over two days: %q, %q, note %q", h.Bars[0].Title, h.Bars[1].Title, h.Note)
	}
	var ticks []string
	for _, l := range h.YLabels {
		ticks = append(ticks, l.Text)
	}
	if !reflect.DeepEqual(ticks, []string{"0", "2", "4", "6", "8", "10"}) {
		t.Errorf("y ticks %v", ticks)
	}
	if h := histogram(r, []int64{0, 0, 0}, "#000", ""); h.Empty != "no user reached the stage" || len(h.Bars) != 3 {
		t.Errorf("empty histogram: %q, %d bars", h.Empty, len(h.Bars))
	}
	if h := histogram(r, nil, "#000", ""); h.Empty != "no histogram" || len(h.Bars) != 0 {
		t.Errorf("no histogram: %q, %d bars", h.Empty, len(h.Bars))
	}
	r.Buckets = make([]string, 24)
	for i := range r.Buckets {
		r.Buckets[i] = strconv.Itoa(i)
	}
	h = histogram(r, make([]int64, 24), "#000", "")
	narrow := 0
	for _, l := range h.XLabels {
		if l.Narrow {
			narrow++
		}
	}
	if len(h.XLabels) != 12 || narrow != 6 || h.XLabels[0].Text != "0" || !h.XLabels[0].Narrow {
		t.Errorf("%d labels, %d narrow: %+v", len(h.XLabels), narrow, h.XLabels)
	}
}

// A log axis of seconds spans the marks around the values, at least two; values below 1s lie
// on the first mark, which says so.
func TestLogSeconds(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{35, 1800, []string{"10s", "1m", "10m", "1h"}},
		{0, 30, []string{"≤1s", "10s", "1m"}},
		{40, 50, []string{"10s", "1m"}},
		{60, 60, []string{"1m", "10m"}},
		{3600, 90000, []string{"1h", "6h", "1d", "7d"}},
		{1e9, 2e9, []string{"7d", "30d"}},
	} {
		ticks, labels, frac := logSeconds(tc.lo, tc.hi)
		if !reflect.DeepEqual(labels, tc.want) {
			t.Errorf("logSeconds(%v, %v) labels %v, want %v", tc.lo, tc.hi, labels, tc.want)
		}
		if frac(ticks[0]) != 0 || frac(ticks[len(ticks)-1]) != 1 || frac(0) != 0 {
			t.Errorf("logSeconds(%v, %v): ends at %v and %v", tc.lo, tc.hi, frac(ticks[0]), frac(ticks[len(ticks)-1]))
		}
	}
	_, _, frac := logSeconds(10, 1000)
	if got := frac(100); math.Abs(got-math.Log(10)/math.Log(360)) > 1e-12 {
		t.Errorf("100s at %v", got)
	}
}

// Over many days the day labels thin out (the last day always has one, the narrow set is a
// subset of the wide one) and the points are no longer marked.
func TestTrendManyDays(t *testing.T) {
	r := &Report{Funnel: "f", Mode: "events", Stages: stages3}
	for i := 0; i < 120; i++ {
		r.Rows = append(r.Rows, row(strconv.Itoa(20210000+i), nil, 1000, int64(300+i), 30))
	}
	c := buildTrend(r, r.days())
	if len(c.XLabels) < 5 || len(c.XLabels) > labelsWide {
		t.Errorf("%d day labels", len(c.XLabels))
	}
	narrow := 0
	for _, l := range c.XLabels {
		if l.Narrow {
			narrow++
		}
	}
	if narrow < 3 || narrow > labelsNarrow {
		t.Errorf("%d day labels on a narrow screen", narrow)
	}
	if last := c.XLabels[len(c.XLabels)-1]; last.Text != shortDate(r.Rows[119].Dt) || !last.Narrow {
		t.Errorf("the last day's label is %+v", last)
	}
	for _, l := range c.Rates.Lines {
		if strings.Count(l.Points, ",") != 120 {
			t.Errorf("series %s: %d points", l.Class, strings.Count(l.Points, ","))
		}
	}
	if len(c.Rates.Dots) != 0 {
		t.Errorf("%d dots over 120 days", len(c.Rates.Dots))
	}
	if len(c.Counts) != 3 || len(c.Counts[0].Bars) != 120 {
		t.Errorf("%d count panels", len(c.Counts))
	}
}

// The range adds up the day totals; an average time is weighted by the users who reached the
// stage, and the medians give a range.
func TestRangeSum(t *testing.T) {
	r := crossMidnightReport().normalized()
	s, missing := r.rangeSum(r.days())
	if len(missing) != 0 || s.Rows != 5 {
		t.Fatalf("%d rows summed, %v missing", s.Rows, missing)
	}
	if want := []int64{80014, 25422}; !reflect.DeepEqual(s.Counts, want) {
		t.Errorf("counts %v, want %v", s.Counts, want)
	}
	var weighted float64
	for d, c := range []float64{4820, 5121, 5003, 5288, 5190} {
		weighted += c * float64(131+9*d)
	}
	if got, want := *s.AvgSeconds[1], weighted/25422; math.Abs(got-want) > 1e-9 {
		t.Errorf("average %v, want %v", got, want)
	}
	if *s.MedianLo[1] != 38 || *s.MedianHi[1] != 46 || medianText(s.MedianLo, s.MedianHi, 1) != "38s–46s" {
		t.Errorf("medians %v..%v", *s.MedianLo[1], *s.MedianHi[1])
	}
	if *s.StepRates[1] != 25422.0/80014 || s.StepRates[0] != nil {
		t.Errorf("step rates %v", s.StepRates)
	}

	// A row with users at a stage but no average leaves the range without one.
	r.Rows[2].AvgSeconds = []*float64{nil, nil}
	if s, _ := r.rangeSum(r.days()); s.AvgSeconds[1] != nil {
		t.Errorf("average %v with a day unknown", *s.AvgSeconds[1])
	}
	// A day without a total row is left out, and said.
	r = cases()[2].r.normalized() // breakdowns
	r.Rows = r.Rows[1:]
	if s, missing := r.rangeSum(r.days()); s != nil || !reflect.DeepEqual(missing, []string{"20210303"}) {
		t.Errorf("sum %v, missing %v", s, missing)
	}
}

// Breakdown values are summed over the days and ordered by volume; beyond breakdownTop the
// rest are merged into "other", and the values still add up to the total.
func TestGroups(t *testing.T) {
	r := weekReport().normalized()
	gs := r.groups(r.days())
	if len(gs) != 2 || !reflect.DeepEqual(gs[0].Dims, []string{"device_brand"}) || !reflect.DeepEqual(gs[1].Dims, []string{"system_type"}) {
		t.Fatalf("groups %+v", gs)
	}
	for _, g := range gs {
		sum := make([]int64, len(r.Stages))
		for i, v := range g.Values {
			for k, c := range v.Sum.Counts {
				sum[k] += c
			}
			if i > 0 && v.Merged == 0 && v.Sum.Counts[0] > g.Values[i-1].Sum.Counts[0] {
				t.Errorf("%v: %s before %s", g.Dims, g.Values[i-1].Label, v.Label)
			}
		}
		if !reflect.DeepEqual(sum, g.Total.Counts) {
			t.Errorf("%v: values add up to %v, total %v", g.Dims, sum, g.Total.Counts)
		}
	}
	brands := gs[0].Values
	if len(brands) != breakdownTop+1 || brands[0].Label != "huawei" || brands[breakdownTop].Label != "other" || brands[breakdownTop].Merged != 4 {
		t.Errorf("brands: %d values, first %s, last %+v", len(brands), brands[0].Label, brands[len(brands)-1])
	}
	if len(gs[1].Values) != 3 || gs[1].Values[0].Label != "android" {
		t.Errorf("systems: %+v", gs[1].Values)
	}
	// One value more than the top keeps its own row rather than an "other" of one.
	r.Rows = slices.DeleteFunc(r.Rows, func(row Row) bool {
		return row.Dims["device_brand"] == "zte" || row.Dims["device_brand"] == "meizu" || row.Dims["device_brand"] == "unknown"
	})
	if vs := r.groups(r.days())[0].Values; len(vs) != breakdownTop+1 || vs[breakdownTop].Merged != 0 {
		t.Errorf("%d values, the last %+v", len(vs), vs[len(vs)-1])
	}
}

func TestMarkProvisional(t *testing.T) {
	r := weekReport()
	r.MarkProvisional("20210308", "20210309", "20990101")
	for _, row := range r.Rows {
		if want := row.Dt >= "20210308"; row.Provisional != want {
			t.Fatalf("%s provisional = %v", row.Dt, row.Provisional)
		}
	}
	days := r.days()
	if got := provisionalDays(days); !reflect.DeepEqual(got, []string{"2021-03-08", "2021-03-09"}) {
		t.Errorf("provisional days %v", got)
	}
}

// A breakdown value with a newline or a tab keeps the table's lines whole:
// it is written quoted, with the character escaped.
func TestTableQuotesControlCharacters(t *testing.T) {
	r := &Report{
		Funnel: "f", Mode: "events", Stages: []string{"s1", "s2"}, Breakdowns: []string{"d"}, TotalMarker: "all",
		Rows: []Row{
			row("20210303", dims("d", "all"), 2, 1),
			row("20210303", dims("d", "two\nlines"), 1, 1),
			row("20210303", dims("d", "plain é"), 1, 0),
		},
	}
	table := string(render(t, r, FormatTable))
	if !strings.Contains(table, "  d=\"two\\nlines\"\n") || !strings.Contains(table, "  d=plain é\n") || strings.Contains(table, "two\nlines") {
		t.Errorf("table:\n%s", table)
	}
}

// An ordered funnel whose report table has no time columns shows none in
// the table format and the HTML page, rather than columns of "—".
func TestTableWithoutTimes(t *testing.T) {
	r := &Report{Funnel: "f", Mode: "ordered", Window: "1h", Stages: stages3, TotalMarker: "all", NoTimes: true,
		Rows: []Row{row("20210303", nil, 10, 5, 1), row("20210304", nil, 8, 4, 2)}}
	table := string(render(t, r, FormatTable))
	if strings.Contains(table, "median") || strings.Contains(table, "avg time") || !strings.Contains(table, "  stage     count    step  overall\n") {
		t.Errorf("table:\n%s", table)
	}
	if page := string(render(t, r, FormatHTML)); strings.Contains(page, "median") || strings.Contains(page, "average time") {
		t.Error("the HTML page shows times the report table does not have")
	}
}

// A breakdown by a column named as one of the CSV's own (stage, count) is
// written as breakdown_<name>: every column name in the header is one
// column's, as a reader keyed by name needs.
func TestCSVBreakdownNamedAsAColumn(t *testing.T) {
	r := &Report{Funnel: "f", Table: "rpt_f", Mode: "events", Stages: stages3,
		Breakdowns: []string{"stage", "Count", "device"}, TotalMarker: "all",
		Rows: []Row{row("20210303", dims("stage", "beta", "Count", "3", "device", "ios"), 10, 5, 1)}}
	recs, err := csv.NewReader(bytes.NewReader(render(t, r, FormatCSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "dt,breakdown_stage,breakdown_Count,device,stage,stage_index,count,step_rate,overall_rate,provisional,out_of_date"
	if got := strings.Join(recs[0], ","); got != want {
		t.Errorf("header %s\nwant   %s", got, want)
	}
	if got := strings.Join(recs[1][:7], ","); got != "20210303,beta,3,ios,browse,1,10" {
		t.Errorf("first record %s", got)
	}
}

// The html page and the table format show the times to the last stage the report
// table has columns of, and only those: a funnel with an entry median and a step average (no entry average)
// shows no "avg to" column of dashes, which would read as no one converting.
func TestHTMLShowsTheTimesTheTableHas(t *testing.T) {
	r := distributionsReport()
	r.NoAvg, r.NoStepMedian = true, true
	page := string(render(t, r, FormatHTML))
	for _, want := range []string{`">median to purchase</th>`, `">step avg to purchase</th>`, `<div class="tile-label">median time</div>`, `<div class="tile-label">average step time</div>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	for _, unwanted := range []string{`">avg to purchase</th>`, `">step median to purchase</th>`, `<div class="tile-label">average time</div>`, `<div class="tile-label">median step time</div>`} {
		if strings.Contains(page, unwanted) {
			t.Errorf("the page has %s, a column the table lacks", unwanted)
		}
	}
	// The table format too (its header: stage, count, step, overall, then the times).
	text := string(render(t, r, FormatTable))
	if !regexp.MustCompile(`overall +median time +step avg\n`).MatchString(text) || strings.Contains(text, "avg time") || strings.Contains(text, "step median") {
		t.Errorf("the table format's times are not those the table has:\n%s", text)
	}
	// Step times alone (no entry times): shown, and said to be step times.
	r = distributionsReport()
	r.NoTimes, r.NoMedian, r.NoAvg = true, true, true
	page = string(render(t, r, FormatHTML))
	if !strings.Contains(page, `">step median to purchase</th>`) || strings.Contains(page, `">median to purchase</th>`) || !strings.Contains(page, "Step times run from reaching the previous stage to the stage") {
		t.Error("a funnel with step times alone: its page does not show them as step times")
	}
}

// A day of the range without a total row keeps its slot on the trend's axis, shaded and
// labelled, with no bar and a gap in the lines: its neighbours are not drawn together
// across it. The days between the first and the last are filled in when the report does
// not name them (no range asked for), and DaysWithoutRows extend the axis to the end of
// the range asked for.
func TestTrendKeepsDaysWithoutNumbers(t *testing.T) {
	r := &Report{Funnel: "f", Mode: "events", Stages: stages3, Breakdowns: []string{"os"}, TotalMarker: "all"}
	for _, dt := range []string{"20210301", "20210302", "20210304", "20210306"} {
		r.Rows = append(r.Rows, row(dt, dims("os", "all"), 1000, 300, 30))
	}
	// 20210305 has a row of a breakdown value, and no total row; it is provisional too,
	// and left out all the same.
	r.Rows = append(r.Rows, row("20210305", dims("os", "ios"), 10, 3, 1))
	slices.SortStableFunc(r.Rows, func(a, b Row) int { return strings.Compare(a.Dt, b.Dt) })
	r.MarkProvisional("20210305")
	r.DaysWithoutRows = []string{"20210307"}
	c := buildTrend(r, r.days())
	var got []string
	for _, l := range c.XLabels {
		got = append(got, l.Text+" "+l.Title)
	}
	want := []string{
		"03-01 2021-03-01", "03-02 2021-03-02", "03-03 2021-03-03 (no rows)", "03-04 2021-03-04",
		"03-05 2021-03-05 (no total row)", "03-06 2021-03-06", "03-07 2021-03-07 (no rows)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("day labels\n%q, want\n%q", got, want)
	}
	for _, l := range c.XLabels {
		if l.Prov || l.NoTotal != strings.Contains(l.Title, "(no ") {
			t.Errorf("day label %+v: a day without a total row is left out, not provisional", l)
		}
	}
	if !c.Missing || c.Provisional || c.Gaps {
		t.Errorf("Missing %v, Provisional %v, Gaps %v: want the days left out, none provisional, no gap of a day with numbers", c.Missing, c.Provisional, c.Gaps)
	}
	slot := plotW / 7
	var bands []float64
	for _, b := range c.Rates.Bands {
		if !b.NoTotal {
			t.Errorf("a provisional band at %v", b.X)
		}
		bands = append(bands, b.X/slot)
	}
	if !slices.Equal(bands, []float64{2, 4, 6}) {
		t.Errorf("bands at slots %v, want 2, 4, 6", bands)
	}
	if !c.Rates.NoTotalLegend || c.Rates.BandLegend {
		t.Errorf("the rates' legend: left out %v, provisional %v", c.Rates.NoTotalLegend, c.Rates.BandLegend)
	}
	// Each rate's line runs over the first two days only (slots 0 and 1): it stops at the
	// day without rows, and does not join the lone days with numbers across the others.
	if len(c.Rates.Lines) != 3 {
		t.Errorf("%d lines, want one per rate series (the overall and two steps)", len(c.Rates.Lines))
	}
	for _, l := range c.Rates.Lines {
		var xs []string
		for _, pt := range strings.Fields(l.Points) {
			xs = append(xs, strings.Split(pt, ",")[0])
		}
		if want := []string{svgNum(slot / 2), svgNum(slot * 1.5)}; !slices.Equal(xs, want) {
			t.Errorf("series %s: points at x %v, want %v", l.Class, xs, want)
		}
	}
	for _, p := range c.Counts {
		if len(p.Bars) != 4 {
			t.Errorf("%s: %d bars, want one per day with a total row", p.Title, len(p.Bars))
		}
		for _, b := range p.Bars {
			if i := int((b.X + b.W/2) / slot); i == 2 || i == 4 || i == 6 {
				t.Errorf("%s: a bar in the slot of a day without a total row: %+v", p.Title, b)
			}
		}
	}
	// With no range named (DaysWithoutRows nil) the days between the report's first and
	// last are on the axis, and none after.
	r.DaysWithoutRows = nil
	if c := buildTrend(r, r.days()); len(c.XLabels) != 6 {
		t.Errorf("%d day labels without DaysWithoutRows, want 6", len(c.XLabels))
	}
	// Days a week apart keep an axis of their own: no weeks of empty slots.
	sparse := &Report{Funnel: "f", Mode: "events", Stages: stages3}
	for w := range 10 {
		sparse.Rows = append(sparse.Rows, row(time.Date(2021, 3, 1+7*w, 0, 0, 0, 0, time.UTC).Format("20060102"), nil, 1000, 300, 30))
	}
	if c := buildTrend(sparse, sparse.days()); len(c.XLabels) != 10 || c.Missing || len(c.Counts[0].Bars) != 10 {
		t.Errorf("weekly days: %d labels, Missing %v, %d bars; want the 10 days alone", len(c.XLabels), c.Missing, len(c.Counts[0].Bars))
	}
}

// An ordered funnel's report renders with days without numbers anywhere on its axis:
// before its first day with rows, between, or a first day of breakdown rows only, with
// times or without (the time panel skips such days as the rates do).
func TestOrderedTrendWithDaysWithoutNumbers(t *testing.T) {
	base := func() *Report {
		return &Report{Funnel: "o", Table: "rpt_o", Mode: "ordered", Window: "1h", Stages: []string{"browse", "click"}, Breakdowns: []string{"os"}, TotalMarker: "all"}
	}
	timedRow := func(dt string, d map[string]string) Row {
		return timed(row(dt, d, 1000, 300), []*float64{nil, fp(40)}, []*float64{nil, fp(90)})
	}
	for name, r := range map[string]*Report{
		"a day between, no times": func() *Report {
			r := base()
			r.NoTimes = true
			for _, dt := range []string{"20210301", "20210302", "20210304"} {
				r.Rows = append(r.Rows, row(dt, dims("os", "all"), 1000, 300))
			}
			return r
		}(),
		"a day before the first": func() *Report {
			r := base()
			for _, dt := range []string{"20210302", "20210303"} {
				r.Rows = append(r.Rows, timedRow(dt, dims("os", "all")))
			}
			r.DaysWithoutRows = []string{"20210301"}
			return r
		}(),
		"a first day of breakdown rows": func() *Report {
			r := base()
			r.Rows = append(r.Rows, timedRow("20210301", dims("os", "ios")))
			for _, dt := range []string{"20210302", "20210303"} {
				r.Rows = append(r.Rows, timedRow(dt, dims("os", "all")))
			}
			return r
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, r, FormatHTML); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), `class="band none"`) || !strings.Contains(b.String(), "A grey day is left out") {
				t.Errorf("no grey day in the page")
			}
			c := buildTrend(r.normalized(), r.normalized().days())
			if !r.NoTimes && (c.Times == nil || len(c.Times.Bands) != 1 || !c.Times.Bands[0].NoTotal) {
				t.Errorf("time panel %+v: want one with the grey day's band", c.Times)
			}
		})
	}
}

// The percentiles per day share the trend's axis: a day of the range without rows keeps
// its slot there too.
func TestDistKeepsDaysWithoutNumbers(t *testing.T) {
	r := distributionsReport().normalized()
	r.DaysWithoutRows = []string{"20210305"}
	days := r.days()
	whole, _ := r.rangeSum(days)
	v := buildDist(r, days, whole)
	if v == nil || len(v.Stages) == 0 || len(v.Stages[0].Series) == 0 || v.Stages[0].Series[0].Trend == nil {
		t.Fatalf("no percentiles per day: %+v", v)
	}
	se := v.Stages[0].Series[0]
	var got []string
	for _, l := range se.Days {
		got = append(got, l.Title)
	}
	if want := []string{"2021-03-03", "2021-03-04", "2021-03-05 (no rows)"}; !slices.Equal(got, want) {
		t.Errorf("day labels %q, want %q", got, want)
	}
	if len(se.Trend.Bands) != 1 || !se.Trend.Bands[0].NoTotal || !se.Trend.NoTotalLegend || se.Trend.BandLegend {
		t.Errorf("bands %+v, legend: left out %v, provisional %v", se.Trend.Bands, se.Trend.NoTotalLegend, se.Trend.BandLegend)
	}
	if !strings.Contains(v.Sub, "2 days") {
		t.Errorf("the card's range says %q: it adds up the 2 days that have numbers", v.Sub)
	}
}

// The HTML page's note of days without rows says why apply cannot fill
// them: no ODS partition, or, of an ODS partitioned by hour too, hours
// missing (some may have landed).
func TestHTMLNotesDaysWithoutODS(t *testing.T) {
	for _, tc := range []struct {
		hourly bool
		want   string
	}{
		{false, "Not in the report: 2021-03-04, which the table has no rows for (apply has not written it; it has no ods_events partition: load it first)."},
		{true, "Not in the report: 2021-03-04, which the table has no rows for (apply has not written it; it lacks hour partitions of ods_events (&#39;fgen plan&#39; names them): load them first)."},
	} {
		r := &Report{Funnel: "f", Table: "rpt_f", Mode: "events", Stages: stages3, TotalMarker: "all",
			Rows:            []Row{row("20210303", nil, 10, 5, 1)},
			DaysWithoutRows: []string{"20210304"}, DaysWithoutODS: []string{"20210304"}, ODS: "ods_events", ODSHourly: tc.hourly}
		if page := string(render(t, r, FormatHTML)); !strings.Contains(page, tc.want) {
			t.Errorf("hourly %v: the page lacks %q", tc.hourly, tc.want)
		}
		// A page of no rows at all names the days too.
		r.Rows = nil
		if page := string(render(t, r, FormatHTML)); !strings.Contains(page, tc.want) || !strings.Contains(page, "no rows for funnel f in rpt_f") {
			t.Errorf("hourly %v, no rows: the page lacks %q", tc.hourly, tc.want)
		}
	}
}

// The table's note of a range speaks of the times the table has: of an
// ordered funnel with medians and no averages, of medians alone.
func TestTableRangeNoteOfTheTimesShown(t *testing.T) {
	var r *Report
	for _, c := range cases() {
		if c.name == "ordered" {
			r = c.r
		}
	}
	if r == nil || len(r.days()) < 2 {
		t.Fatal("no ordered case of several days")
	}
	out := string(render(t, r, FormatTable))
	if !strings.Contains(out, "Medians cannot be added up") || !strings.Contains(out, "the average is over all users") {
		t.Fatalf("with medians and averages:\n%s", out)
	}
	r.NoAvg, r.NoStepAvg = true, true
	out = string(render(t, r, FormatTable))
	if !strings.Contains(out, "Medians cannot be added up") || strings.Contains(out, "average is over") {
		t.Errorf("without averages:\n%s", out)
	}
}

// The table and the page print a rate as the RPT table's percent string
// holds it, rounded once from the counts: 23 of 160 is 14.375 %, 14.38%,
// where the float64 ratio times 100 (14.37499...) printed 14.37%.
func TestPercentOfATieAsTheTable(t *testing.T) {
	r := &Report{Funnel: "f", Mode: "events", Stages: []string{"browse", "click"}, TotalMarker: "all",
		Rows: []Row{row("20210303", nil, 160, 23)}}
	for _, f := range []Format{FormatTable, FormatHTML} {
		if out := string(render(t, r, f)); !strings.Contains(out, "14.38%") || strings.Contains(out, "14.37%") {
			t.Errorf("%v prints 23/160 otherwise than 14.38%%:\n%s", f, out)
		}
	}
}

// The breakdown limit's note agrees in number with the values it keeps.
func TestLimitTextOfOneValue(t *testing.T) {
	r := &Report{Funnel: "f", Mode: "users", Stages: stages3, Breakdowns: []string{"device"}, BreakdownLimit: 1, OtherMarker: "other"}
	if got, want := r.limitText(), `per day, the 1 value of device with the most browse users keeps its row; the others share the row "other"`; got != want {
		t.Errorf("limitText = %q, want %q", got, want)
	}
}

// The time panel draws the times the table has: of a table without a median
// column, the average alone, and no gap for the missing column.
func TestTrendTimesTheTableHas(t *testing.T) {
	for _, noMedian := range []bool{true, false} {
		r := &Report{Funnel: "o", Table: "rpt_o", Mode: "ordered", Window: "1h", Stages: []string{"browse", "click"}, NoMedian: noMedian, NoAvg: !noMedian}
		for _, dt := range []string{"20210302", "20210303"} {
			median, avg := []*float64{nil, fp(40)}, []*float64{nil, fp(90)}
			if noMedian {
				median = []*float64{nil, nil}
			} else {
				avg = []*float64{nil, nil}
			}
			r.Rows = append(r.Rows, timed(row(dt, nil, 1000, 300), median, avg))
		}
		c := buildTrend(r.normalized(), r.normalized().days())
		want := "average"
		if !noMedian {
			want = "median"
		}
		if c.Times == nil || len(c.Times.Legend) != 1 || c.Times.Legend[0].Name != want || c.Gaps {
			t.Errorf("NoMedian %v: time panel %+v, gaps %v; want the %s alone, no gap", noMedian, c.Times, c.Gaps, want)
		}
	}
}

// A percentile panel of days on which nobody reached the stage is left
// out: it would draw nothing on a made-up axis.
func TestDistWithoutPercentiles(t *testing.T) {
	r := distributionsReport().normalized()
	for i := range r.Rows {
		for k := range r.Rows[i].Percentiles {
			for j := range r.Rows[i].Percentiles[k] {
				r.Rows[i].Percentiles[k][j] = nil
			}
		}
	}
	days := r.days()
	whole, _ := r.rangeSum(days)
	v := buildDist(r, days, whole)
	if v == nil || len(v.Stages) == 0 || len(v.Stages[0].Series) == 0 {
		t.Fatalf("no distributions: %+v", v)
	}
	if se := v.Stages[0].Series[0]; se.Trend != nil {
		t.Errorf("a percentile panel without a value: %+v", se.Trend)
	}
}
