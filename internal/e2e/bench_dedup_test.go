//go:build cgo

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bench"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/models"
)

// The DuckDB DW node dedups with a hash aggregate and ROW_NUMBER over the
// rows whose key hash repeats only. It must keep exactly the rows of the plain
// ROW_NUMBER form that MaxCompute runs: per non-NULL key, the first row by the
// DW columns in declared order (ASC, NULLS LAST, DuckDB's default), and every
// row with a NULL key. Random ODS rows with few distinct values make many
// copies that differ in NULLs and ties.
func TestDWDedupMatchesRowNumber(t *testing.T) {
	text := string(shipped(t))
	dwAt := strings.Index(text, "\n[dw]")
	twoKeys := text[:dwAt] + strings.NewReplacer(
		`dedup_by = ["md5"]`, `dedup_by = ["md5", "device"]`,
		`{ name = "use_time",                type = "BIGINT"`, `{ name = "use_time",                type = "DOUBLE"`,
	).Replace(text[dwAt:])
	for _, tc := range []struct{ name, toml string }{
		{"shipped", text},
		{"two keys and a cast", twoKeys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := models.Parse("funnel.toml", []byte(tc.toml))
			if err != nil {
				t.Fatal(err)
			}
			if tc.name != "shipped" && (len(cfg.DW.DedupBy) != 2 || !strings.Contains(tc.toml, `"DOUBLE"`)) {
				t.Fatal("the variant's edits did not apply")
			}
			checkDedup(t, cfg)
		})
	}
}

func checkDedup(t *testing.T, cfg *models.Config) {
	ctx := context.Background()
	const day = "20210303"
	n, err := bench.Render(cfg, day)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n.DW.Text(), "fgen_dup_keys") {
		t.Fatal("the DuckDB DW node does not use the hash split")
	}
	db, err := duckdb.Open(duckdb.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := n.CreateTables(ctx, db); err != nil {
		t.Fatal(err)
	}
	// 4,000 rows of few distinct values, generated in SQL: each column picks
	// one of its values by a hash of the row number (a VALUES list of as many
	// rows took DuckDB most of a second to parse and bind).
	col := 0
	pick := func(vals ...string) string {
		col++
		return fmt.Sprintf("[%s][1 + (hash(i, %d) %% %d)::BIGINT]", strings.Join(vals, ", "), col, len(vals))
	}
	ods := generator.DuckDB.QuoteIdent(cfg.ODS.Name)
	rows := fmt.Sprintf(`INSERT INTO %s
SELECT %s, %s, %s, '1.2.3.4', 200, 10, %s, %s, %s, %s, %s, %s,
       -- every tenth row is of another day: never read, never deduped with the day
       CASE WHEN i %% 10 = 9 THEN '20210304' ELSE '%s' END
FROM range(4000) AS r(i)`,
		ods,
		pick("NULL", "'m1'", "'m2'", "'m3'", "'u' || i", "'u' || (i // 2)"),
		pick("NULL", "''", "'a'", "'b'", "'b'"),
		pick("0", "1", "2"),
		pick("NULL", "'Apple'", "'Apple'", "'Huawei'"),
		pick("NULL", "''", "'X'", "'Y'"),
		pick("NULL", "'iOS'"),
		pick("NULL", "''", "'browse'", "'click'", "'purchase'", "'share'"),
		pick("NULL", "1", "2", "-1"),
		pick("NULL", "'item_1'", "'item_2'"),
		day)
	if err := bench.Exec(ctx, db, rows); err != nil {
		t.Fatal(err)
	}
	if err := db.Run(ctx, n.DW, nil); err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range cfg.DW.Columns {
		cols = append(cols, generator.DuckDB.QuoteIdent(c.Name))
	}
	list := strings.Join(cols, ", ")
	got := queryRows(t, db, fmt.Sprintf(`SELECT %s FROM %s WHERE "dt" = '%s'`, list, generator.DuckDB.QuoteIdent(cfg.DW.Name), day))
	want := queryRows(t, db, rowNumberForm(cfg, day))
	if len(got) < 300 || len(got) == len(queryRows(t, db, fmt.Sprintf(`SELECT %s FROM %s WHERE "dt" = '%s' AND "uid" <> '' AND "customize_event" IN ('browse', 'click', 'purchase')`, list, ods, day))) {
		t.Fatalf("%d rows kept: the data does not exercise the dedup", len(got))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the DW node kept %d rows, the ROW_NUMBER form %d; first differences (- only in the node, + only in ROW_NUMBER):\n%s", len(got), len(want), multisetDiff(got, want))
	}
}

// rowNumberForm is the dedup as fgen emitted it for DuckDB before the hash
// split, and still emits it for MaxCompute, with the DW columns cast to
// their DW types.
func rowNumberForm(cfg *models.Config, day string) string {
	q := generator.DuckDB.QuoteIdent
	var sel, order, keys, nulls []string
	for _, c := range cfg.DW.Columns {
		src, _ := cfg.ODS.Column(c.Name)
		order = append(order, q(c.Name))
		if src.Type != c.Type {
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", q(c.Name), generator.DuckDB.ColumnType(c.Type), q(c.Name)))
		} else {
			sel = append(sel, q(c.Name))
		}
	}
	for _, k := range cfg.DW.DedupBy {
		keys = append(keys, q(k))
		nulls = append(nulls, q(k)+" IS NULL")
	}
	return fmt.Sprintf(`SELECT %s FROM (
    SELECT %s, %s, ROW_NUMBER() OVER (PARTITION BY %s ORDER BY %s) AS "fgen_copy"
    FROM %s
    WHERE "dt" = '%s' AND "uid" IS NOT NULL AND "uid" <> '' AND "customize_event" IN ('browse', 'click', 'purchase')
) WHERE "fgen_copy" = 1 OR %s`,
		strings.Join(order, ", "), strings.Join(sel, ", "), strings.Join(keys, ", "), strings.Join(keys, ", "),
		strings.Join(order, ", "), q(cfg.ODS.Name), day, strings.Join(nulls, " OR "))
}

// queryRows returns the rows of a query as sorted text lines (keyOf).
func queryRows(t *testing.T, db *duckdb.DB, query string) []string {
	t.Helper()
	res, err := db.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	lines := make([]string, len(res.Values))
	for i, row := range res.Values {
		lines[i] = keyOf(row)
	}
	slices.Sort(lines)
	return lines
}
