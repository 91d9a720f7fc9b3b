package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
)

// sampleTimes are the forms of a time column (those of the sample
// package's own time tests), each with the epoch milliseconds of the ts
// column as DuckDB reads it (a STRING as the DW node does, with strptime in
// its zone), and ts's type.
var sampleTimes = []struct {
	name, typ string
	tc        models.TimeColumn
	ms, duck  string
}{
	{"seconds", "BIGINT", models.TimeColumn{Name: "ts"}, "ts * 1000", "BIGINT"},
	{"milliseconds", "BIGINT", models.TimeColumn{Name: "ts", Unit: "ms"}, "ts", "BIGINT"},
	{"datetime", "DATETIME", models.TimeColumn{Name: "ts"}, "epoch_ms(ts)", "TIMESTAMP"},
	{"timestamp", "TIMESTAMP", models.TimeColumn{Name: "ts"}, "epoch_ms(ts)", "TIMESTAMP"},
	{"string in UTC", "STRING", models.TimeColumn{Name: "ts", Format: "yyyy-MM-dd HH:mm:ss 'UTC'", Timezone: "UTC"},
		"epoch_ms(timezone('UTC', strptime(ts, '%Y-%m-%d %H:%M:%S UTC')))", "VARCHAR"},
	{"string with ms in Shanghai", "STRING", models.TimeColumn{Name: "ts", Format: "yyyy-MM-dd'T'HH:mm:ss.SSS", Timezone: "Asia/Shanghai"},
		"epoch_ms(timezone('Asia/Shanghai', strptime(ts, '%Y-%m-%dT%H:%M:%S.%g')))", "VARCHAR"},
	{"string without a format", "STRING", models.TimeColumn{Name: "ts"}, "ts * 1000", "BIGINT"},
}

// Every file format and AppendTo write each form of the time column so that
// DuckDB reads back the event's time, to the millisecond when the column
// has them.
func TestDuckDBReadsTimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range sampleTimes {
		t.Run(tc.name, func(t *testing.T) {
			tf, err := sample.TimeFormatFor(tc.typ, tc.tc)
			if err != nil {
				t.Fatal(err)
			}
			sel, typ := tc.ms, tc.duck
			opts := sample.Options{Users: 300, Seed: 5, Noise: true, Time: tf}
			evs := sampleEvents(t, opts)
			db, conn, dir := openDuckDBFile(t)
			read := func(t *testing.T, from string) {
				t.Helper()
				rows, err := db.QueryContext(ctx, "SELECT "+sel+", typeof(ts) FROM "+from)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				i := 0
				for ; rows.Next(); i++ {
					var ms int64
					var got string
					if err := rows.Scan(&ms, &got); err != nil {
						t.Fatal(err)
					}
					if got != typ {
						t.Fatalf("ts is %s, want %s", got, typ)
					}
					if i >= len(evs) {
						continue
					}
					if want := evs[i].TS*1000 + int64(evs[i].MS); ms != want {
						t.Fatalf("row %d: ts is %d ms, want %d", i+1, ms, want)
					}
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if i != len(evs) {
					t.Fatalf("%d rows, want %d", i, len(evs))
				}
			}
			for _, name := range []string{"ods.jsonl", "ods.csv", "ods.parquet"} {
				t.Run(name, func(t *testing.T) {
					path := filepath.Join(dir, name)
					w, err := CreateSample(context.Background(), path, tf)
					if err != nil {
						t.Fatal(err)
					}
					writeAll(t, w, evs)
					f, _ := sample.FormatFromPath(path)
					read(t, sample.DuckDBSource(f, path, tf))
				})
			}
			t.Run("AppendTo", func(t *testing.T) {
				if _, err := conn.ExecContext(ctx, sample.CreateTableSQL("ods", tf)); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(sample.CreateTableSQL("ods", tf), "ts "+typ) {
					t.Errorf("table %s", sample.CreateTableSQL("ods", tf))
				}
				if n, err := AppendSample(ctx, conn, "ods", "dt", opts); err != nil || n != int64(len(evs)) {
					t.Fatalf("AppendTo = %d, %v", n, err)
				}
				read(t, "ods")
			})
		})
	}
}
