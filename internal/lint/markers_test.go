package lint

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// A breakdown value equal to other_marker is merged into the other row
// before the node writes it, one equal to null_marker with the NULL and
// empty values: only the ODS rows can show it, and Markers says which
// marker, of which funnel, and where to change it.
func TestMarkers(t *testing.T) {
	cfg := shipped(t, func(s string) string {
		return strings.Replace(s, `event_column = "customize_event"`, `event_column = "customize_event"
breakdowns = ["device_brand"]
breakdown_limit = 5`, 1)
	})
	proj, q := markerProfile(t, cfg, "20210304")
	if !strings.Contains(q.SQL, `CAST("device_brand" AS STRING) IN ('all', 'other', 'unknown')`) {
		t.Errorf("marker profile:\n%s", q.SQL)
	}
	ods := &warehouse.Table{Name: "ods_user_trace_data", Columns: []warehouse.Column{{Name: "device_brand", Type: "VARCHAR"}}}
	w := profileOf(q, []string{"20210304", "3", "other"}, []string{"20210303", "1", "unknown"})
	got, err := Markers(context.Background(), w, proj, cfg, ods, "20210303", "20210304")
	if err != nil {
		t.Fatal(err)
	}
	want := `3 rows of ods_user_trace_data on 20210304 have device_brand "other", the other_marker of funnel user_trace: its report rows would be merged into the row of the values beyond breakdown_limit; set other_marker at funnel.toml:`
	if len(got) != 2 || got[0].Day != "20210304" || !strings.HasPrefix(got[0].Message, want) || !strings.HasSuffix(got[0].Message, `to a value device_brand never holds (e.g. "(other)")`) {
		t.Errorf("got %+v\nwant %s...", got, want)
	}
	want = `1 row of ods_user_trace_data on 20210303 has device_brand "unknown", the null_marker of funnel user_trace: its report rows would be merged with those of the NULL or empty device_brand values; set null_marker at funnel.toml:`
	if len(got) != 2 || got[1].Day != "20210303" || !strings.HasPrefix(got[1].Message, want) {
		t.Errorf("got %+v\nwant %s...", got, want)
	}
	// A column the live table lacks is not profiled; a profile the
	// warehouse refuses is a warning, and plan goes on.
	if got, err := Markers(context.Background(), w, proj, cfg, &warehouse.Table{Name: "ods_user_trace_data"}, "20210303", "20210304"); err != nil || got != nil {
		t.Errorf("without the column: %+v, %v", got, err)
	}
	w.query = generator.Query{SQL: "no such query"}
	got, err = Markers(context.Background(), w, proj, cfg, ods, "20210303", "20210304")
	if err != nil || len(got) != 1 || !strings.HasSuffix(got[0].Message, "without this check, a device_brand value equal to a breakdown marker is not told apart from the marker's row") {
		t.Errorf("with the query refused: %+v, %v", got, err)
	}
	// But a query a signal stopped is no check to warn of: the error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := Markers(ctx, w, proj, cfg, ods, "20210303", "20210304"); err == nil || got != nil {
		t.Errorf("with the query stopped by a signal: %+v, %v", got, err)
	}
}

// A marker value of several funnels' breakdown column is said of each, in
// one warning a day: each reports its rows so (report --funnel of any shows
// it), and each has its own line in funnel.toml to change.
func TestMarkersOfEveryFunnel(t *testing.T) {
	cfg := shipped(t, func(s string) string {
		return strings.Replace(s, `event_column = "customize_event"`, `event_column = "customize_event"
breakdowns = ["device_brand"]
breakdown_limit = 5`, 1) + `
[[funnels]]
name = "second"
mode = "events"
user_column = "uid"
event_column = "customize_event"
breakdowns = ["device_brand"]
breakdown_limit = 3
stages = [
  { name = "browse", events = ["browse"] },
  { name = "buy",    events = ["purchase"] },
]

[funnels.report]
table = "rpt_second"
partition = "dt"
`
	})
	proj, q := markerProfile(t, cfg, "20210303")
	ods := &warehouse.Table{Name: "ods_user_trace_data", Columns: []warehouse.Column{{Name: "device_brand", Type: "VARCHAR"}}}
	w := profileOf(q, []string{"20210303", "2", "other"})
	got, err := Markers(context.Background(), w, proj, cfg, ods, "20210303", "20210303")
	if err != nil {
		t.Fatal(err)
	}
	want := `2 rows of ods_user_trace_data on 20210303 have device_brand "other", the other_marker of funnels user_trace, second: its report rows would be merged into the row of the values beyond breakdown_limit; set other_marker at funnel.toml:95 (user_trace), :133 (second) to a value device_brand never holds (e.g. "(other)")`
	if len(got) != 1 || got[0].Message != want || !slices.Equal(got[0].Funnels, []string{"user_trace", "second"}) {
		t.Errorf("got %+v\nwant one warning: %s", got, want)
	}
}

// markerProfile renders cfg for DuckDB and its marker profile of device_brand from
// 20210303 to to.
func markerProfile(t *testing.T, cfg *models.Config, to string) (*generator.Project, generator.Query) {
	t.Helper()
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	q, err := proj.MarkerProfileQuery("device_brand", []string{"all", "other", "unknown"}, "20210303", to)
	if err != nil {
		t.Fatal(err)
	}
	return proj, q
}
