//go:build cgo

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// DuckDB scans each table of a node no more often than the node's SQL
// reads it: the one scan of the day's rows that a report node was written
// for stays one scan in the plan DuckDB runs (the DW node reads the ODS
// rows three times by design, and its plan three times). DuckDB 2.0's
// window_self_join optimizer broke this: it rewrote the window that ranks
// breakdown values by their entries (a funnel's breakdown_limit) into a
// join of the grouped subquery with itself, so that DuckDB scanned the
// day's DW rows, and grouped and folded each user's rows, twice.
// duckdb.Open turns it off.
func TestNodePlansAddNoScans(t *testing.T) {
	t.Parallel()
	t.Run("modes", func(t *testing.T) {
		e := newEnv(t, "modes", configFile(t, modesConfig))
		rows, days := randomRows(e, 3600, 1, 0)
		e.load(rows, 1)
		e.mustApply(days...)
		checkPlanScans(t, e, days[0])
	})
	// Funnels over string, millisecond and DATETIME times, and event codes,
	// which the harness's rows do not model.
	t.Run("times", func(t *testing.T) {
		e := newEnvWithoutReference(t, "times", readFile(t, "../../generator/testdata/configs/times.toml"))
		e.exec(`INSERT INTO "ods_shop_events" ("user_id", "event_type", "event_time", "ts_ms", "created", "category", "event_code", "dt")
SELECT 'u' || (i % 40), (['view', 'cart', 'purchase', 'login'])[1 + i % 4],
       strftime(TIMESTAMP '2024-02-29 00:00:00' + INTERVAL (i * 7) SECOND, '%Y-%m-%d %H:%M:%S UTC'),
       1709164800000 + i * 7000, TIMESTAMP '2024-02-29 00:00:00' + INTERVAL (i * 7) SECOND,
       'c' || (i % 5), 1 + i % 12, '` + d1 + `'
FROM range(2000) r(i)`)
		e.mustApply(d1)
		checkPlanScans(t, e, d1)
	})
	// Four stages, a millisecond time, several events per stage, and a
	// cross_midnight funnel with a breakdown, which reads the next day's
	// DW rows too (in the same scan).
	t.Run("counts", func(t *testing.T) {
		e := newEnvWithoutReference(t, "counts", readFile(t, "../../generator/testdata/configs/counts.toml"))
		e.exec(`INSERT INTO "ods_events" ("uid", "event", "ts", "ts_ms", "device", "dt")
SELECT 'u' || (i % 40), (['home', 'view', 'cart', 'buy', 'login'])[1 + i % 5], 1709136000 + 7 * i, (1709136000 + 7 * i) * 1000,
       'd' || (i % 3), CASE WHEN 7 * i < 86400 THEN '` + d1 + `' ELSE '` + d2 + `' END
FROM range(14000) r(i)`)
		e.mustApply(d1, d2)
		checkPlanScans(t, e, d1)
	})
	// Event values with quotes and backslashes, keywords as column names, a
	// DECIMAL column cast to DOUBLE, and an events funnel with a breakdown.
	t.Run("escaping", func(t *testing.T) {
		e := newEnvWithoutReference(t, "escaping", readFile(t, "../../generator/testdata/configs/escaping.toml"))
		e.exec(`INSERT INTO "ods_events" ("event_id", "user_id", "event", "amount", "ts", "order", "dt")
SELECT 'e' || i, 'u' || (i % 40), (['view', 'view_item', 'add to cart', 'it''s "quoted"', 'back\slash', 'login'])[1 + i % 6],
       i / 100, 1709136000 + 7 * i, 'o' || (i % 4), '` + d1 + `'
FROM range(2000) r(i)`)
		e.mustApply(d1)
		checkPlanScans(t, e, d1)
	})
	// Hourly nodes, an hourly ordered report with a breakdown_limit among
	// them. The rows go straight into the ODS and DW tables: an applied
	// hourly day is 73 jobs.
	t.Run("hourly", func(t *testing.T) {
		var edits []funneltest.Edit
		for _, v := range hourlyVariants {
			if v.name == "hourly/long" {
				edits = v.edits
			}
		}
		e := newEnv(t, "hourly/long", hourlyConfig(t, edits...))
		for _, tb := range e.proj.Tables {
			if err := e.wh.Run(context.Background(), &warehouse.Job{Name: tb.Name, Kind: "ddl", Statements: tb.Create.Statements}, nil); err != nil {
				t.Fatal(err)
			}
		}
		rows := `SELECT 'm' || i, 'u' || (i % 40), (['view', 'cart', 'buy', 'login'])[1 + i % 4], 1709136000 + 7 * i, 'd' || (i % 5), '` + d1 + `', '07' FROM range(2000) r(i)`
		e.exec(`INSERT INTO "ods_events" ("md5", "uid", "event", "ts", "device", "dt", "hh") ` + rows)
		e.exec(`INSERT INTO "dw_events" ("uid", "event", "ts", "device", "dt", "hh") SELECT * EXCLUDE (md5) FROM (` + strings.Replace(rows, "'m' || i", "'m' || i AS md5", 1) + `)`)
		checkPlanScans(t, e, d1)
	})
}

// checkPlanScans requires DuckDB's plan of each INSERT of each of e's nodes
// for day (an hourly node's for the hour of the day's most DW rows) to scan
// each table at most as often as the statement reads it (FROM the table),
// and at least once if it reads it at all: a plan of no scan, which DuckDB
// makes of a table it knows to hold no matching rows, would check nothing.
func checkPlanScans(t *testing.T, e *env, day string) {
	t.Helper()
	for _, n := range e.proj.Nodes {
		var s generator.Script
		var err error
		if n.Hourly {
			dw := generator.DuckDB.QuoteIdent
			hour := e.query(fmt.Sprintf(`SELECT %s FROM %s WHERE %s = '%s' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
				dw(e.cfg.DW.HourPartition), dw(e.cfg.DW.Name), dw(e.cfg.DW.Partition), day))
			if len(hour.Values) == 0 {
				t.Fatalf("%s: no DW rows on %s", n.Name, day)
			}
			s, err = e.proj.NodeHourScript(&n, day, *hour.Values[0][0])
		} else {
			s, err = e.proj.NodeScript(&n, day)
		}
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, st := range s.Statements {
			if !strings.HasPrefix(st, "INSERT INTO") {
				continue
			}
			checked++
			scans := planScans(t, e, st)
			for _, tb := range e.proj.Tables {
				named := strings.Count(st, "FROM "+generator.DuckDB.QuoteIdent(tb.Name))
				if scans[tb.Name] > named || named > 0 && scans[tb.Name] == 0 {
					t.Errorf("%s: DuckDB's plan scans %s %d times; the statement reads it %d times", n.Name, tb.Name, scans[tb.Name], named)
				}
				delete(scans, tb.Name)
			}
			if len(scans) > 0 {
				t.Errorf("%s: DuckDB's plan scans tables that are not the project's: %v", n.Name, scans)
			}
		}
		if checked == 0 {
			t.Errorf("%s: no INSERT among its statements to check", n.Name)
		}
	}
}

// planScans returns how many times DuckDB's physical plan of statement
// scans each table, by the table's name.
func planScans(t *testing.T, e *env, statement string) map[string]int {
	t.Helper()
	out, err := e.db.Query(context.Background(), "EXPLAIN (FORMAT JSON) "+statement)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, r := range out.Values {
		text.WriteString(*r[len(r)-1])
	}
	type op struct {
		Name      string          `json:"name"`
		Children  json.RawMessage `json:"children"`
		ExtraInfo struct {
			Table string `json:"Table"`
		} `json:"extra_info"`
	}
	scans := map[string]int{}
	var walk func(raw json.RawMessage) error
	walk = func(raw json.RawMessage) error {
		var ops []op
		if err := json.Unmarshal(raw, &ops); err != nil {
			return err
		}
		for _, o := range ops {
			if o.ExtraInfo.Table != "" {
				name := o.ExtraInfo.Table[strings.LastIndex(o.ExtraInfo.Table, ".")+1:]
				scans[name]++
			}
			if len(o.Children) > 0 {
				if err := walk(o.Children); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(json.RawMessage(text.String())); err != nil {
		t.Fatalf("the plan as JSON: %v\n%s", err, fmt.Sprint(text.String()))
	}
	return scans
}
