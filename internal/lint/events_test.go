package lint

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

func shipped(t *testing.T, edit func(string) string) *models.Config {
	t.Helper()
	data, err := os.ReadFile("../../funnel.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := models.Parse("funnel.toml", []byte(edit(string(data))))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func rows(vals ...[3]string) *warehouse.Rows {
	r := &warehouse.Rows{Columns: []string{"dt", "customize_event", "fgen_rows"}}
	for _, v := range vals {
		row := make([]*string, 3)
		for i := range v {
			if v[i] != "NULL" {
				s := v[i]
				row[i] = &s
			}
		}
		r.Values = append(r.Values, row)
	}
	return r
}

func TestStageMatchingNoRow(t *testing.T) {
	cfg := shipped(t, func(s string) string {
		return strings.Replace(s, `{ name = "purchase", events = ["purchase"] }`, `{ name = "purchase", events = ["purchse"] }`, 1)
	})
	prof, err := readProfile(rows(
		[3]string{"20210303", "browse", "900"}, [3]string{"20210303", "click", "300"},
		[3]string{"20210303", "purchase", "37"}, [3]string{"20210303", "login", "50"}, [3]string{"20210303", "NULL", "4"},
		[3]string{"20210304", "browse", "10"}, [3]string{"20210304", "click", "2"}, [3]string{"20210304", "purchse", "1"},
	))
	if err != nil {
		t.Fatal(err)
	}
	got := check(&cfg.Funnels[0], prof)
	if len(got) != 1 {
		t.Fatalf("warnings %+v, want one, for 20210303 (20210304 has a purchse row)", got)
	}
	want := `stage purchase of funnel user_trace: no row of 20210303 has customize_event "purchse"; the day's most frequent values that no stage of the funnel counts: "login" (50 rows), "purchase" (37 rows); did you mean "purchase"? fix the stage's events in funnel.toml`
	if got[0].Day != "20210303" || got[0].Stage != "purchase" || got[0].Message != want {
		t.Errorf("got  %+v\nwant %s", got[0], want)
	}
	// A day of the other stages' rows only: not "no row of any other value",
	// which read as if the day were empty.
	prof, err = readProfile(rows([3]string{"20210305", "browse", "10"}, [3]string{"20210305", "click", "2"}, [3]string{"20210305", "NULL", "4"}))
	if err != nil {
		t.Fatal(err)
	}
	got = check(&cfg.Funnels[0], prof)
	want = `stage purchase of funnel user_trace: no row of 20210305 has customize_event "purchse", and the day's rows are all of the funnel's other stages (or have no customize_event); check the stage's events in funnel.toml`
	if len(got) != 1 || got[0].Message != want {
		t.Errorf("got  %+v\nwant %s", got, want)
	}
}

func TestNearest(t *testing.T) {
	others := []valueCount{{"Browse", 5}, {"clicked", 4}, {"pay", 3}}
	for _, tc := range []struct {
		want  []string
		guess string
	}{
		{[]string{"browse"}, "Browse"},   // case
		{[]string{"click"}, ""},          // two edits in five letters: not a typo
		{[]string{"payment"}, ""},        // far
		{[]string{"cart", "pya"}, "pay"}, // any of the values; a transposition is one edit
	} {
		got, ok := nearest(tc.want, others)
		if got != tc.guess || ok != (tc.guess != "") {
			t.Errorf("nearest(%v) = %q, %v; want %q", tc.want, got, ok, tc.guess)
		}
	}
}

// A DW column of an integer type narrower than its ODS column's: the days
// with values it cannot hold are warned of, with where to widen it.
func TestRanges(t *testing.T) {
	cfg := shipped(t, func(s string) string {
		return strings.Replace(s, `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
]`, `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
  { name = "bytes", type = "SMALLINT" },
  { name = "status", type = "BIGINT" },
]`, 1)
	})
	narrow := cfg.NarrowColumns()
	if len(narrow) != 1 || narrow[0].Name != "bytes" || narrow[0].Lo != -32768 || narrow[0].Hi != 32767 || narrow[0].Position.Line == 0 {
		t.Fatalf("NarrowColumns = %+v, want bytes SMALLINT only (status keeps BIGINT)", narrow)
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := proj.RangeProfileQuery("bytes", -32768, 32767, "20210303", "20210304")
	ods := &warehouse.Table{Name: "ods_user_trace_data", Columns: []warehouse.Column{{Name: "bytes", Type: "BIGINT"}, {Name: "status", Type: "BIGINT"}}}
	w := profileOf(q, []string{"20210304", "2", "70000"})
	got, err := Ranges(context.Background(), w, proj, cfg, ods, "20210303", "20210304")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("2 rows of ods_user_trace_data on 20210304 have a bytes beyond SMALLINT's -32768 to 32767 (e.g. 70000), which the DW node cannot cast: widen the DW column bytes (SMALLINT, from the ODS BIGINT) at funnel.toml:%d, or fix the data", narrow[0].Position.Line)
	if len(got) != 1 || got[0].Day != "20210304" || got[0].Message != want {
		t.Errorf("got %+v\nwant %s", got, want)
	}
	if !w.asked {
		t.Errorf("Ranges did not run %s", q.SQL)
	}
	// A profile the warehouse refuses is a warning too: plan goes on.
	w.query = generator.Query{SQL: "no such query"}
	got, err = Ranges(context.Background(), w, proj, cfg, ods, "20210303", "20210304")
	if err != nil || len(got) != 1 || !strings.HasPrefix(got[0].Message, "count the values of ods_user_trace_data.bytes beyond SMALLINT: unexpected query") || !strings.HasSuffix(got[0].Message, "values the DW column's SMALLINT cannot hold show only when the DW node fails on them") {
		t.Errorf("Ranges with the query refused: %+v, %v", got, err)
	}
	// But a query a signal stopped is no check to warn of: the error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := Ranges(ctx, w, proj, cfg, ods, "20210303", "20210304"); err == nil || got != nil {
		t.Errorf("Ranges with the query stopped by a signal: %+v, %v", got, err)
	}
}

// A DW column of VARCHAR(n) or CHAR(n) from a longer ODS string column
// only: CharColumns, and the warning of each day with longer values.
func TestRangesOfStrings(t *testing.T) {
	cfg := shipped(t, func(s string) string {
		s = strings.Replace(s, `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },`, `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },
  { name = "a", type = "VARCHAR(10)" },
  { name = "b", type = "VARCHAR(3)" },
  { name = "c", type = "BIGINT" },
  { name = "d", type = "CHAR(4)" },`, 1)
		return strings.Replace(s, `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
]`, `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
  { name = "a", type = "CHAR(5)" },
  { name = "b", type = "VARCHAR(5)" },
  { name = "c", type = "STRING" },
  { name = "d", type = "VARCHAR(4)" },
]`, 1)
	})
	short := cfg.CharColumns()
	if len(short) != 1 || short[0].Name != "a" || short[0].Hi != 5 || short[0].ODSType != "VARCHAR(10)" || short[0].Position.Line == 0 {
		t.Fatalf("CharColumns = %+v, want a CHAR(5) from VARCHAR(10) only", short)
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := proj.LengthProfileQuery("a", 5, "20210303", "20210304")
	ods := &warehouse.Table{Name: "ods_user_trace_data", Columns: []warehouse.Column{{Name: "a", Type: "VARCHAR"}}}
	w := profileOf(q, []string{"20210303", "3", "abcdef"})
	got, err := Ranges(context.Background(), w, proj, cfg, ods, "20210303", "20210304")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`3 rows of ods_user_trace_data on 20210303 have a a longer than CHAR(5)'s 5 characters (e.g. "abcdef"), which MaxCompute does not hold as written, where the local engine keeps the whole value: widen the DW column a (CHAR(5), from the ODS VARCHAR(10)) at funnel.toml:%d, or fix the data`, short[0].Position.Line)
	if len(got) != 1 || got[0].Day != "20210303" || got[0].Message != want || got[0].Fails != "" {
		t.Errorf("got %+v\nwant %s, failing no node", got, want)
	}
	if !w.asked || !strings.Contains(q.SQL, `LENGTH("a") > 5`) {
		t.Errorf("Ranges did not run %s", q.SQL)
	}
}

func ptr(s string) *string { return &s }

// profileWarehouse answers one query with rows.
// The ordered funnels' epoch time columns, by column and unit: a day with
// times outside the years 0000 to 9999 is warned of, with the funnels that
// skip them.
func TestFarTimes(t *testing.T) {
	cfg := shipped(t, func(s string) string {
		return strings.Replace(strings.Replace(s, `mode = "events"
user_column = "uid"`, `mode = "ordered"
user_column = "uid"
time_column = "ts"
window = "1h"`, 1), `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
]`, `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
  { name = "ts", type = "BIGINT" },
]`, 1) + `
[[funnels]]
name = "second"
mode = "ordered"
user_column = "uid"
event_column = "customize_event"
time_column = "ts"
window = "10m"
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }]

[funnels.report]
table = "rpt_second"
partition = "dt"
`
	})
	times := cfg.OrderedEpochTimes()
	if len(times) != 1 || times[0].Name != "ts" || times[0].Units != 1 || !slices.Equal(times[0].Funnels, []string{"user_trace", "second"}) {
		t.Fatalf("OrderedEpochTimes = %+v, want ts in seconds of user_trace and second", times)
	}
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := models.EpochRange(1)
	q, _ := proj.RangeProfileQuery("ts", lo, hi, "20210303", "20210304")
	ods := &warehouse.Table{Name: "ods_user_trace_data", Columns: []warehouse.Column{{Name: "ts", Type: "BIGINT"}}}
	w := profileOf(q, []string{"20210304", "2", "9223372036854775807"})
	got, err := FarTimes(context.Background(), w, proj, cfg, ods, "20210303", "20210304")
	if err != nil {
		t.Fatal(err)
	}
	want := "2 rows of ods_user_trace_data on 20210304 have a ts outside the years 0000 to 9999 in epoch seconds (e.g. 9223372036854775807), which the ordered funnels user_trace, second skip as rows without a time: fix the data, or, if they are in a finer unit, the time_column"
	if len(got) != 1 || got[0].Day != "20210304" || got[0].Message != want || !slices.Equal(got[0].Funnels, []string{"user_trace", "second"}) || !w.asked {
		t.Errorf("got %+v\nwant %s", got, want)
	}
}

// profileOf is a profileWarehouse answering the query q with rows of
// (day, count, example).
func profileOf(q generator.Query, rows ...[]string) *profileWarehouse {
	r := &warehouse.Rows{Columns: []string{"dt", "fgen_rows", "fgen_example"}}
	for _, row := range rows {
		var vals []*string
		for _, v := range row {
			vals = append(vals, ptr(v))
		}
		r.Values = append(r.Values, vals)
	}
	return &profileWarehouse{query: q, rows: r}
}

type profileWarehouse struct {
	warehouse.Warehouse
	query generator.Query
	rows  *warehouse.Rows
	asked bool
}

func (w *profileWarehouse) Query(_ context.Context, q string, settings ...warehouse.Setting) (*warehouse.Rows, error) {
	if q != w.query.SQL || !slices.Equal(settings, warehouse.Settings(w.query.Settings)) {
		return nil, fmt.Errorf("unexpected query %v %s", settings, q)
	}
	w.asked = true
	return w.rows, nil
}

// cutWarehouse answers every query with a result cut short.
type cutWarehouse struct{ warehouse.Warehouse }

func (cutWarehouse) Query(context.Context, string, ...warehouse.Setting) (*warehouse.Rows, error) {
	return nil, fmt.Errorf("job 1 returned 10000 rows: %w", warehouse.ErrTruncated)
}

// A profile cut short even for one day is a warning: plan goes on.
func TestEventsCutShortWarns(t *testing.T) {
	cfg := shipped(t, func(s string) string { return s })
	proj, err := generator.Render(cfg, templates.FS(), generator.MaxCompute)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Events(context.Background(), cutWarehouse{}, proj, cfg, "20210303", "20210303")
	if err != nil || len(got) != 1 || !strings.HasSuffix(got[0].Message, "the stages' events were not checked against the day's rows") {
		t.Errorf("Events = %+v, %v", got, err)
	}
}
