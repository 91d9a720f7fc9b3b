//go:build cgo

package e2e

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/fgen-dev/fgen/internal/funneltest"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/reference"
)

// TestSchemaEvolution edits funnel.toml between applies on one warehouse, so
// that every kind of table change fgen plans for DuckDB (comments, added,
// retyped and dropped columns, a recreated table) is run by DuckDB, and the
// reports stay equal to the reference after each step.
func TestSchemaEvolution(t *testing.T) {
	t.Parallel()
	days := []string{d1, d2, d3}
	var rows []reference.ODSRow
	for i, d := range days {
		rows = append(rows, randomDay(uint64(30+i), d)...)
	}
	e := newEnv(t, "evolve/shipped", shipped(t))
	e.load(rows, 1)
	e.mustApply(days...)
	e.checkReports(rows, days)

	rpt := "funnels[0].report"
	steps := []struct {
		name        string
		edits       []funneltest.Edit
		destructive bool
		actions     map[string]plan.Action // by table; the others in sync
	}{
		{
			name: "comments and an added rate column",
			edits: []funneltest.Edit{
				funneltest.Set(rpt+".comment", "the daily funnel; it's new"),
				funneltest.Set("dw.columns[0].comment", "the user's id"),
				funneltest.Set(rpt+".overall_rate_column", "{stage}_overall_rate"),
			},
			actions: map[string]plan.Action{"dw_user_trace_data": plan.Alter, "rpt_user_trace_data": plan.Alter},
		},
		{
			name:        "counts retyped from STRING to BIGINT",
			edits:       []funneltest.Edit{funneltest.Set(rpt+".count_type", "BIGINT")},
			destructive: true,
			actions:     map[string]plan.Action{"rpt_user_trace_data": plan.Blocked},
		},
		{
			name:        "rate columns dropped",
			edits:       []funneltest.Edit{funneltest.Set(rpt+".overall_rate_column", ""), funneltest.Set(rpt+".step_rate_column", "")},
			destructive: true,
			actions:     map[string]plan.Action{"rpt_user_trace_data": plan.Blocked},
		},
		{
			name:        "count columns renamed: the table is recreated",
			edits:       []funneltest.Edit{funneltest.Set(rpt+".count_column", "{stage}_events"), funneltest.Set(rpt+".step_rate_column", "{from}_rate")},
			destructive: true,
			actions:     map[string]plan.Action{"rpt_user_trace_data": plan.Blocked},
		},
		{
			name:    "a DW column added at the end",
			edits:   []funneltest.Edit{funneltest.Add("dw.columns", funneltest.Column("ts", "BIGINT")), funneltest.Add("dw.columns", funneltest.Column("ip", "STRING"))},
			actions: map[string]plan.Action{"dw_user_trace_data": plan.Alter},
		},
	}
	var edits []funneltest.Edit
	for _, st := range steps {
		edits = append(edits, st.edits...)
		label := "evolve/" + st.name
		e.setConfig(label, edited(t, edits...))
		p := e.plan(days)
		for _, tc := range p.Tables {
			want, ok := st.actions[tc.Table]
			if !ok {
				want = plan.InSync
			}
			if tc.Action != want {
				t.Errorf("%s: plan %s %s, want %s: %v %v", st.name, tc.Action, tc.Table, want, tc.Changes, tc.Problems)
			}
		}
		if st.destructive {
			if _, err := e.apply(days, plan.ApplyOptions{}); !errors.Is(err, plan.ErrBlocked) {
				t.Fatalf("%s: apply without AllowDestructive = %v, want ErrBlocked", st.name, err)
			}
		}
		res, err := e.apply(days, plan.ApplyOptions{AllowDestructive: st.destructive})
		if err != nil {
			t.Fatalf("%s: apply: %v", st.name, err)
		}
		// Jobs whose partitions the change leaves current need not run; the
		// checks below see that the others did.
		if n := res.Count("applied") + res.Count("up_to_date"); n != len(res.Jobs) {
			t.Fatalf("%s: %d of %d jobs applied or up to date", st.name, n, len(res.Jobs))
		}
		e.requireInSync()
		e.checkDW(rows, days)
		e.checkReports(rows, days)

		// The evolved warehouse has the schema of one built from scratch with
		// the config, which also runs the DDL files 'fgen generate' writes.
		fresh := newEnv(t, label, edited(t, edits...))
		fresh.load(rows, 1)
		fresh.mustApply(days...)
		fresh.checkReports(rows, days)
		for _, tb := range []string{e.cfg.ODS.Name, e.cfg.DW.Name, e.cfg.Funnels[0].Report.Table} {
			if got, want := schemaOf(t, e, tb), schemaOf(t, fresh, tb); !slices.Equal(got, want) {
				t.Errorf("%s: evolved %s differs from a fresh one:\n%s", st.name, tb, multisetDiff(got, want))
			}
		}
	}
}

// schemaOf describes a table as sorted lines: its comment, and each column
// with its type and comment. funneltest.Column order is not compared: on DuckDB the
// partition column is a plain column, and added columns follow it.
func schemaOf(t *testing.T, e *env, table string) []string {
	t.Helper()
	live, err := e.db.Describe(t.Context(), table)
	if err != nil {
		t.Fatalf("describe %s: %v", table, err)
	}
	out := []string{"table comment " + strconv.Quote(live.Comment)}
	for _, c := range live.Columns {
		out = append(out, fmt.Sprintf("column %s %s %q", c.Name, c.Type, c.Comment))
	}
	slices.Sort(out)
	return out
}
