//go:build cgo

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/lint"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// lint's event profile, run on DuckDB: here rather than in internal/lint,
// whose tests then need no DuckDB (a test binary that links it takes
// seconds more to build and start).

// The event profile of a column of many values returns, of each day, the
// stages' values and the most frequent others only (EventProfileTop), so
// that it fits what MaxCompute returns of a query, and the check still
// names the most frequent others.
func TestLintEventProfileOfManyValues(t *testing.T) {
	cfg := profileConfig(t, func(s string) string { return s })
	proj, db := profileDB(t, cfg)
	ctx := context.Background()
	// 20210303: one browse, one click, no purchase, and 300 other values,
	// v000 once ... v299 300 times; 20210304: browse and purchase, no
	// click.
	insert := `INSERT INTO ods_user_trace_data (md5, uid, customize_event, dt)
SELECT 'm' || range, 'u', ev, dt FROM (
    SELECT 'v' || lpad(i::VARCHAR, 3, '0') AS ev, '20210303' AS dt, i FROM range(300) t(i), range(i + 1) r(j)
    UNION ALL SELECT 'browse', '20210303', 0 UNION ALL SELECT 'click', '20210303', 0
    UNION ALL SELECT 'browse', '20210304', 0 UNION ALL SELECT 'purchase', '20210304', 0
) x, range(1);`
	if err := db.Run(ctx, &warehouse.Job{Name: cfg.ODS.Name, Kind: "load", Statements: []string{insert}}, nil); err != nil {
		t.Fatal(err)
	}
	q, err := proj.EventProfileQuery("customize_event", "20210303", "20210304")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Query(ctx, q.SQL)
	if err != nil {
		t.Fatal(err)
	}
	perDay := map[string]int{}
	for _, r := range got.Values {
		perDay[*r[0]]++
	}
	if perDay["20210303"] != generator.EventProfileTop+2 || perDay["20210304"] != 2 {
		t.Errorf("rows per day %v, want %d and 2", perDay, generator.EventProfileTop+2)
	}
	warnings, err := lint.Events(ctx, db, proj, cfg, "20210303", "20210304")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range warnings {
		msgs = append(msgs, w.Day+": "+w.Message)
	}
	want := `20210303: stage purchase of funnel user_trace: no row of 20210303 has customize_event "purchase"; the day's most frequent values that no stage of the funnel counts: "v299" (300 rows), "v298" (299 rows)`
	if len(msgs) != 2 || !strings.HasPrefix(msgs[0], want) || !strings.HasPrefix(msgs[1], "20210304: stage click of funnel user_trace") {
		t.Errorf("warnings:\n%s\nwant one that begins\n%s", strings.Join(msgs, "\n"), want)
	}
}

// A stage's typo whose right value is rarer than the day's 100 most
// frequent others still gets its "did you mean": the values that begin as
// a stage value does, of a length a typo may have, are ranked apart.
func TestLintEventProfileKeepsTheNearValues(t *testing.T) {
	cfg := profileConfig(t, func(s string) string {
		return strings.Replace(s, `events = ["purchase"]`, `events = ["purchse"]`, 1)
	})
	proj, db := profileDB(t, cfg)
	ctx := context.Background()
	insert := `INSERT INTO ods_user_trace_data (md5, uid, customize_event, dt)
SELECT 'm', 'u', ev, '20210303' FROM (
    SELECT 'page/' || lpad(i::VARCHAR, 3, '0') AS ev FROM range(200) t(i), range(3) r(j)
    UNION ALL SELECT 'browse' UNION ALL SELECT 'click' UNION ALL SELECT 'purchase'
) x;`
	if err := db.Run(ctx, &warehouse.Job{Name: cfg.ODS.Name, Kind: "load", Statements: []string{insert}}, nil); err != nil {
		t.Fatal(err)
	}
	warnings, err := lint.Events(ctx, db, proj, cfg, "20210303", "20210303")
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Message, `did you mean "purchase"?`) {
		t.Errorf("warnings: %+v", warnings)
	}
}

// profileConfig is the shipped funnel.toml, edited.
func profileConfig(t *testing.T, edit func(string) string) *models.Config {
	t.Helper()
	cfg, err := models.Parse("funnel.toml", []byte(edit(string(shipped(t)))))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// profileDB renders cfg for DuckDB and returns an empty in-memory warehouse
// that holds its ODS table, empty.
func profileDB(t *testing.T, cfg *models.Config) (*generator.Project, *duckdb.DB) {
	t.Helper()
	proj, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	ods, _ := proj.Table(cfg.ODS.Name)
	if err := db.Run(context.Background(), &warehouse.Job{Name: ods.Name, Kind: "ddl", Statements: ods.Create.Statements}, nil); err != nil {
		t.Fatal(err)
	}
	return proj, db
}
