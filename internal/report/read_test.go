package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// longConfig has an ordered funnel in the long layout with percentiles, a histogram in
// milliseconds and a breakdown limit.
const longConfig = `version = 1

[project]
name = "p"
workspace = "p"

[ods]
name = "ods_events"
partition = "dt"
columns = [
  { name = "uid", type = "STRING" },
  { name = "ts", type = "BIGINT" },
  { name = "device", type = "STRING" },
  { name = "event", type = "STRING" },
]

[dw]
name = "dw_events"
partition = "dt"
columns = [
  { name = "uid", type = "STRING" },
  { name = "ts", type = "BIGINT" },
  { name = "device", type = "STRING" },
  { name = "event", type = "STRING" },
]

[[funnels]]
name = "long"
mode = "ordered"
window = "1h"
user_column = "uid"
event_column = "event"
time_column = { name = "ts", unit = "ms" }
breakdowns = ["device"]
breakdown_limit = 1
stages = [
  { name = "browse", events = ["browse"] },
  { name = "buy", events = ["buy"] },
]

[funnels.report]
table = "rpt_long"
layout = "long"
percentiles = [50, 99.95]
histogram = ["1500ms", "1m"]
other_marker = "Other"
`

// tableRows answers every query with its rows.
type tableRows struct {
	warehouse.Warehouse
	rows *warehouse.Rows
}

func (t tableRows) Query(context.Context, string, ...warehouse.Setting) (*warehouse.Rows, error) {
	return t.rows, nil
}

// Read gathers the long layout's table rows (one per stage) into a row per day and value,
// with the percentiles' and buckets' labels, the step times, and the limit's other row
// after the other values, whatever its marker sorts as.
func TestReadLong(t *testing.T) {
	cfg, err := models.Parse("funnel.toml", []byte(longConfig))
	if err != nil {
		t.Fatal(err)
	}
	f := &cfg.Funnels[0]
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	// A table row per value and stage: the value's first-stage users, then its times.
	rows := &warehouse.Rows{}
	for i, device := range []string{"all", "Other", "a"} {
		for k := 1; k <= 2; k++ {
			var vals []*string
			for _, c := range f.ReportColumns() {
				var v *string
				s := func(x string) { v = &x }
				switch {
				case c.Kind == models.KindDimension:
					s(device)
				case c.Kind == models.KindStage:
					s(f.Stages[k-1].Name)
				case c.Kind == models.KindStageIndex:
					s(strconv.Itoa(k))
				case c.Kind == models.KindCount:
					s(strconv.Itoa(k * (3 - i)))
				case k == 1:
				case c.Kind == models.KindBucket:
					s(strconv.Itoa(10*c.Bucket + i + map[bool]int{true: 100}[c.Step]))
				default: // the times to convert
					s(strconv.Itoa(1000*i + c.Percentile + map[bool]int{true: 7}[c.Step]))
				}
				vals = append(vals, v)
			}
			dt := "20210303"
			vals = append(vals, &dt)
			rows.Values = append(rows.Values, vals)
		}
	}
	r, err := Read(context.Background(), tableRows{rows: rows}, proj, f, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !r.StepTimes || !reflect.DeepEqual(r.Percentiles, []string{"p50", "p99.95"}) ||
		!reflect.DeepEqual(r.Buckets, []string{"0s–1500ms", "1500ms–1m", "1m+"}) || !reflect.DeepEqual(r.BucketEdges, []float64{0, 1.5, 60}) ||
		r.BreakdownLimit != 1 || r.OtherMarker != "Other" {
		t.Errorf("report %+v", r)
	}
	var order []string
	for _, row := range r.Rows {
		order = append(order, row.Dims["device"])
	}
	if !reflect.DeepEqual(order, []string{"all", "a", "Other"}) {
		t.Fatalf("rows %v", order)
	}
	other := r.Rows[2] // i = 1
	if !r.isOther(&other) || r.isOther(&r.Rows[1]) {
		t.Error("the other row is not told apart")
	}
	if !reflect.DeepEqual(other.Counts, []int64{2, 4}) || *other.MedianSeconds[1] != 1000 || *other.StepMedianSeconds[1] != 1007 ||
		*other.Percentiles[1][0] != 6000 || *other.StepPercentiles[1][1] != 11002 ||
		!reflect.DeepEqual(other.Histogram[1], []int64{1, 11, 21}) || !reflect.DeepEqual(other.StepHistogram[1], []int64{101, 111, 121}) {
		t.Errorf("other row %+v", other)
	}
	if err := r.Validate(); err != nil {
		t.Error(err)
	}
}

// daysWarehouse answers a report query with a row per date of its range,
// but, as MaxCompute cuts a result at 10,000 rows, refuses a range of more
// than most dates.
type daysWarehouse struct {
	warehouse.Warehouse
	f       *models.Funnel
	most    int
	queries int
}

func (d *daysWarehouse) Query(_ context.Context, q string, _ ...warehouse.Setting) (*warehouse.Rows, error) {
	d.queries++
	dates := regexp.MustCompile(`'(\d{8})'`).FindAllStringSubmatch(q, -1)
	if len(dates) != 2 {
		return nil, fmt.Errorf("no range in %s", q)
	}
	days, err := bizdate.Range(dates[0][1], dates[1][1])
	if err != nil {
		return nil, err
	}
	if len(days) > d.most {
		return nil, fmt.Errorf("job 1 returned %d rows: %w", d.most, warehouse.ErrTruncated)
	}
	rows := &warehouse.Rows{}
	for _, day := range days {
		var vals []*string
		for _, c := range d.f.ReportColumns() {
			n := "1"
			if c.Kind != models.KindCount {
				vals = append(vals, nil)
				continue
			}
			vals = append(vals, &n)
		}
		vals = append(vals, &day)
		rows.Values = append(rows.Values, vals)
	}
	return rows, nil
}

// A report of more rows than the warehouse returns at once is read in
// parts, every date once.
func TestReadSplitsCutResults(t *testing.T) {
	data, err := os.ReadFile("../../funnel.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := models.Parse("funnel.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	w := &daysWarehouse{f: &cfg.Funnels[0], most: 3}
	r, err := Read(context.Background(), w, proj, &cfg.Funnels[0], "20210301", "20210310")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range r.Rows {
		got = append(got, row.Dt)
	}
	want, _ := bizdate.Range("20210301", "20210310")
	if !slices.Equal(got, want) || w.queries < 5 {
		t.Errorf("dates %v after %d queries, want %v", got, w.queries, want)
	}
	// One date of too many rows cannot be split.
	w = &daysWarehouse{f: &cfg.Funnels[0], most: 0}
	if _, err := Read(context.Background(), w, proj, &cfg.Funnels[0], "20210301", "20210302"); !errors.Is(err, warehouse.ErrTruncated) {
		t.Errorf("a cut result of one date: %v", err)
	}
}

// Each breakdown's rows stay together, in the order of breakdowns, with its
// other row last: sorting by the values alone put the lowercase device
// values after every system value, and device's other row after system's.
func TestSortRowsKeepsBreakdownsTogether(t *testing.T) {
	f := &models.Funnel{Breakdowns: []string{"device", "system"}}
	r := &Report{Breakdowns: f.Breakdowns, TotalMarker: "all", BreakdownLimit: 2, OtherMarker: "other"}
	for _, d := range [][2]string{
		{"all", "other"}, {"xiaomi", "all"}, {"all", "android"}, {"other", "all"}, {"all", "all"},
		{"apple", "all"}, {"all", "Ios"},
	} {
		r.Rows = append(r.Rows, Row{Dt: "20210303", Dims: map[string]string{"device": d[0], "system": d[1]}})
	}
	r.sortRows(f)
	var got []string
	for _, row := range r.Rows {
		got = append(got, row.Dims["device"]+"/"+row.Dims["system"])
	}
	want := []string{"all/all", "apple/all", "xiaomi/all", "other/all", "all/Ios", "all/android", "all/other"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows in the order\n%v, want\n%v", got, want)
	}
}

// A report knows, of its funnel, which times its table has: the html format shows
// those alone (timeKinds).
func TestNewReportKnowsTheTimesTheTableHas(t *testing.T) {
	cfg, err := models.Parse("times.toml", mustRead(t, "../../generator/testdata/configs/times.toml"))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cfg.Funnels, func(f models.Funnel) bool { return f.Name == "milliseconds" }) // a median from the entry, a step average
	if i < 0 {
		t.Fatal("times.toml has no funnel milliseconds")
	}
	r := newReport(&cfg.Funnels[i])
	if got, want := r.timeKinds(), []timeKind{{}, {step: true, avg: true}}; !slices.Equal(got, want) {
		t.Errorf("times of funnel milliseconds: %+v, want %+v", got, want)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Rows that an earlier definition of the funnel wrote, in a shape the
// funnel's SQL does not write, are left out of the report, day by day, with
// why: read as this definition's they would be mislabelled or counted
// twice. The days of this definition's shape stay.
func TestReadLeavesOutAnEarlierDefinition(t *testing.T) {
	withBreakdown, err := models.Parse("funnel.toml", []byte(longConfig))
	if err != nil {
		t.Fatal(err)
	}
	// The same funnel without its breakdown.
	noBreakdown, err := models.Parse("funnel.toml", []byte(strings.NewReplacer("breakdowns = [\"device\"]\n", "", "breakdown_limit = 1\n", "").Replace(longConfig)))
	if err != nil {
		t.Fatal(err)
	}
	// row is a table row of the long layout: a day, a device, a stage's
	// index and name, and a count.
	type row struct {
		dt, device string
		k          int
		stage      string
		n          int
	}
	current := []row{{"20210303", "all", 1, "browse", 5}, {"20210303", "all", 2, "buy", 2}, {"20210303", "a", 1, "browse", 5}, {"20210303", "a", 2, "buy", 2}}
	for _, tc := range []struct {
		name  string
		cfg   *models.Config
		rows  []row
		why   string // of 20210302's rows, left out; "" when kept
		total int64  // 20210303's browse count
	}{
		{"this definition's", withBreakdown, []row{{"20210302", "all", 1, "browse", 3}, {"20210302", "all", 2, "buy", 1}}, "", 5},
		{"a stage added since", withBreakdown, []row{{"20210302", "all", 1, "browse", 3}, {"20210302", "a", 1, "browse", 3}}, "it has 1 of funnel.toml's 2 stages", 5},
		{"stages moved", withBreakdown, []row{{"20210302", "all", 1, "buy", 3}, {"20210302", "all", 2, "browse", 1}}, `its stage 1 is "buy", funnel.toml's "browse"`, 5},
		{"a stage removed since", withBreakdown, []row{{"20210302", "all", 1, "browse", 3}, {"20210302", "all", 2, "cart", 1}, {"20210302", "all", 3, "buy", 1}}, `its stage 2 is "cart", funnel.toml's "buy"`, 5},
		{"a third stage", withBreakdown, []row{{"20210302", "all", 3, "pay", 1}}, `it has a stage 3, "pay", and funnel.toml has 2 stages`, 5},
		{"another total marker", withBreakdown, []row{{"20210302", "(all)", 1, "browse", 3}, {"20210302", "(all)", 2, "buy", 1}, {"20210302", "a", 1, "browse", 3}, {"20210302", "a", 2, "buy", 1}}, `none of its rows is a total row, whose device is "all"`, 5},
		// The value's rows before the total's: the total is the larger.
		{"a value that is the total marker", withBreakdown, []row{{"20210302", "all", 1, "browse", 1}, {"20210302", "all", 2, "buy", 1}, {"20210302", "all", 1, "browse", 3}, {"20210302", "all", 2, "buy", 1}}, "", 5},
		{"one of two breakdowns removed since", withBreakdown, []row{{"20210302", "all", 1, "browse", 3}, {"20210302", "all", 2, "buy", 1}, {"20210302", "all", 1, "browse", 2}, {"20210302", "all", 2, "buy", 1}, {"20210302", "all", 1, "browse", 1}, {"20210302", "all", 2, "buy", 0}, {"20210302", "a", 1, "browse", 3}, {"20210302", "a", 2, "buy", 1}}, `it has 3 total rows (whose device is "all"), and funnel.toml's funnel writes one (and a value that is the marker one more per breakdown)`, 5},
		{"a breakdown removed since", noBreakdown, []row{{"20210302", "all", 1, "browse", 3}, {"20210302", "all", 2, "buy", 1}, {"20210302", "a", 1, "browse", 3}, {"20210302", "a", 2, "buy", 1}}, "it has 4 rows, and funnel.toml's funnel, of no breakdown, writes one per stage", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &tc.cfg.Funnels[0]
			proj, err := generator.Render(tc.cfg, templates.FS(), generator.DuckDB)
			if err != nil {
				t.Fatal(err)
			}
			rows := &warehouse.Rows{}
			today := current
			if len(f.Breakdowns) == 0 {
				today = current[:2] // the total's
			}
			for _, r := range slices.Concat(tc.rows, today) {
				rows.Values = append(rows.Values, reportTableRow(f, r.dt, r.device, r.k, r.stage, func(models.ReportColumn) int64 { return int64(r.n) }))
			}
			rep, err := Read(context.Background(), tableRows{rows: rows}, proj, f, "", "")
			if err != nil {
				t.Fatal(err)
			}
			var days []string
			for _, d := range rep.days() {
				days = append(days, d.Dt)
			}
			switch {
			case tc.why == "" && (!reflect.DeepEqual(days, []string{"20210302", "20210303"}) || len(rep.DaysOfOtherDefinition) > 0):
				t.Errorf("days %v, left out %v (%v)", days, rep.DaysOfOtherDefinition, rep.OtherDefinition)
			case tc.why != "" && (!reflect.DeepEqual(days, []string{"20210303"}) || !reflect.DeepEqual(rep.DaysOfOtherDefinition, []string{"20210302"}) || !reflect.DeepEqual(rep.OtherDefinition, []string{tc.why})):
				t.Errorf("days %v, left out %v (%q), want 20210302 left out (%q)", days, rep.DaysOfOtherDefinition, rep.OtherDefinition, tc.why)
			}
			if d := rep.days(); d[len(d)-1].Total == nil || d[len(d)-1].Total.Counts[0] != tc.total {
				t.Errorf("20210303's total %+v, want browse %d", d[len(d)-1].Total, tc.total)
			}
			if tc.name == "a value that is the total marker" {
				// Two rows, neither lost: the total, and the value.
				d := rep.days()[0]
				if len(d.Rows) != 2 || d.Total == nil || d.Total.Counts[0] != 3 || d.Total.Counts[1] != 1 {
					t.Fatalf("20210302: total %+v of rows %+v, want browse 3, buy 1", d.Total, d.Rows)
				}
				for _, row := range d.Rows {
					if row != d.Total && (row.Counts[0] != 1 || rep.label(row) != "device=all") {
						t.Errorf("20210302's value all: %+v, labelled %q", row, rep.label(row))
					}
				}
			}
		})
	}
}

// A breakdown value that is the total marker has rows of the total's day
// and breakdown values, which are not the day's total, whatever the table's
// order: the total's counts are the larger (in the users mode at a later
// stage, when a value ties it at the first). In the long layout of two
// breakdowns the values' table rows do not say whose they are: left out.
// The HTML page, whose breakdown cards group the values, shows them.
func TestReadValueThatIsTheTotalMarker(t *testing.T) {
	src := string(mustRead(t, "../../generator/testdata/configs/modes.toml"))
	long := strings.Replace(src, `table = "rpt_users_by_device"`+"\noverall_rate_column = \"{stage}_overall_rate\"", `table = "rpt_users_by_device"`+"\nlayout = \"long\"", 1)
	for _, tc := range []struct {
		name, cfg, funnel string
		rows              [][]int64 // a day's rows of breakdown values all the marker, the total's among them
		total             []int64
		values            int // the value rows read
		label             string
	}{
		{"one breakdown", src, "ordered_1h", [][]int64{{3, 1, 1}, {10, 1, 1}}, []int64{10, 1, 1}, 1, "device_brand=all"},
		{"a tie at the first stage", src, "users_by_device", [][]int64{{5, 1, 0}, {5, 3, 1}}, []int64{5, 3, 1}, 1, "device_brand or system_type=all"},
		{"the long layout of two breakdowns", long, "users_by_device", [][]int64{{6, 4, 1}, {7, 2, 2}, {10, 5, 2}}, []int64{10, 5, 2}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := models.Parse("modes.toml", []byte(tc.cfg))
			if err != nil {
				t.Fatal(err)
			}
			var f *models.Funnel
			for i := range cfg.Funnels {
				if cfg.Funnels[i].Name == tc.funnel {
					f = &cfg.Funnels[i]
				}
			}
			proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
			if err != nil {
				t.Fatal(err)
			}
			for _, reversed := range []bool{false, true} {
				rows := &warehouse.Rows{}
				// A value of its own beside them: the page's breakdown
				// card then has two values to sort.
				apple := []int64{1, 1, 0}
				for i, counts := range append(slices.Clone(tc.rows), apple) {
					value := "all"
					if i == len(tc.rows) {
						value = "apple"
					}
					if f.Long() {
						for k, st := range f.Stages {
							rows.Values = append(rows.Values, reportTableRow(f, "20210303", value, k+1, st.Name, func(models.ReportColumn) int64 { return counts[k] }))
						}
					} else {
						rows.Values = append(rows.Values, reportTableRow(f, "20210303", value, 0, "", func(c models.ReportColumn) int64 { return counts[c.Stage] }))
					}
				}
				if reversed {
					slices.Reverse(rows.Values)
				}
				r, err := Read(context.Background(), tableRows{rows: rows}, proj, f, "", "")
				if err != nil {
					t.Fatal(err)
				}
				d := r.days()
				if len(d) > 0 && d[0].Rows[0] != d[0].Total {
					t.Errorf("reversed %v: the day's first row is not its total: %+v", reversed, d[0].Rows[0])
				}
				if len(d) != 1 || len(d[0].Rows) != 2+tc.values || d[0].Total == nil || !slices.Equal(d[0].Total.Counts, tc.total) || len(r.DaysOfOtherDefinition) > 0 {
					t.Fatalf("reversed %v: days %+v, total %+v, left out %v", reversed, d, d[0].Total, r.OtherDefinition)
				}
				for _, row := range d[0].Rows {
					if row != d[0].Total && row.Dims[f.Breakdowns[0]] == "all" && (r.isTotal(row) || r.label(row) != tc.label) {
						t.Errorf("reversed %v: the value's row %+v is a total or labelled %q", reversed, row, r.label(row))
					}
				}
				if left := len(tc.rows) - 1 - tc.values; f.Long() && r.MarkerValuesLeftOut != left*len(f.Stages) {
					t.Errorf("reversed %v: %d table rows left out, want %d", reversed, r.MarkerValuesLeftOut, left*len(f.Stages))
				}
				var b bytes.Buffer
				if err := Write(&b, r, FormatHTML); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// reportTableRow is a row of f's report table on day dt: value for every
// breakdown, in the long layout stage k (1-based) named stage, a count
// column's value count(column), and NULL in the others.
func reportTableRow(f *models.Funnel, dt, value string, k int, stage string, count func(models.ReportColumn) int64) []*string {
	var vals []*string
	for _, c := range f.ReportColumns() {
		var v *string
		s := func(x string) { v = &x }
		switch c.Kind {
		case models.KindDimension:
			s(value)
		case models.KindStage:
			s(stage)
		case models.KindStageIndex:
			s(strconv.Itoa(k))
		case models.KindCount:
			s(strconv.FormatInt(count(c), 10))
		}
		vals = append(vals, v)
	}
	return append(vals, &dt)
}

// In the wide layout too: a breakdown's rows, which a funnel without it
// does not write, are not taken for more totals of their day.
func TestReadLeavesOutABreakdownsRowsInTheWideLayout(t *testing.T) {
	cfg, err := models.Parse("funnel.toml", mustRead(t, "../../funnel.toml"))
	if err != nil {
		t.Fatal(err)
	}
	f := &cfg.Funnels[0]
	if len(f.Breakdowns) > 0 || f.Long() {
		t.Fatalf("funnel.toml's first funnel has breakdowns or the long layout")
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	rows := &warehouse.Rows{}
	for _, day := range []string{"20210302", "20210302", "20210302", "20210303"} {
		var vals []*string
		for _, c := range f.ReportColumns() {
			n := "7"
			if c.Kind != models.KindCount {
				vals = append(vals, nil)
				continue
			}
			vals = append(vals, &n)
		}
		rows.Values = append(rows.Values, append(vals, &day))
	}
	r, err := Read(context.Background(), tableRows{rows: rows}, proj, f, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || r.Rows[0].Dt != "20210303" || !reflect.DeepEqual(r.DaysOfOtherDefinition, []string{"20210302"}) ||
		!reflect.DeepEqual(r.OtherDefinition, []string{"it has 3 rows, and funnel.toml's funnel, of no breakdown, writes one"}) {
		t.Errorf("rows %+v, left out %v %v", r.Rows, r.DaysOfOtherDefinition, r.OtherDefinition)
	}
}

// The attribution note says the users mode's rule whole: a user of no
// first-stage row counts under the values of their first stage row.
func TestAttributionOfTheUsersMode(t *testing.T) {
	cfg, err := models.Parse("modes.toml", mustRead(t, "../../generator/testdata/configs/modes.toml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range cfg.Funnels {
		f := &cfg.Funnels[i]
		if len(f.Breakdowns) == 0 || f.Mode == models.ModeEvents {
			continue
		}
		seen[f.Mode] = true
		got := newReport(f).Attribution
		fallback := strings.Contains(got, ", or of their first stage row when they have no "+f.Stages[0].Name)
		if !strings.HasPrefix(got, "users are attributed to the ") || fallback != (f.Mode == models.ModeUsers) {
			t.Errorf("%s (%s mode): %q", f.Name, f.Mode, got)
		}
	}
	if !seen[models.ModeUsers] || !seen[models.ModeOrdered] {
		t.Errorf("modes.toml has funnels with breakdowns of modes %v, want users and ordered", seen)
	}
}

// Days are written as runs of successive days, not one by one (a review
// found 45 days of an earlier definition listed each).
func TestFormatDayRuns(t *testing.T) {
	got := formatDayRuns([]string{"20210228", "20210301", "20210302", "20210305", "20211231", "20220101"})
	if want := "2021-02-28..2021-03-02, 2021-03-05, 2021-12-31..2022-01-01"; got != want {
		t.Errorf("formatDayRuns: %q, want %q", got, want)
	}
}
