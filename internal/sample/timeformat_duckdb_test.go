//go:build cgo

package sample

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// instantSQL is, per case of timeCases, the epoch milliseconds of the ts
// column as DuckDB reads it (a STRING as the DW node does, with strptime in
// its zone), and ts's type.
var instantSQL = map[string][2]string{
	"seconds":                    {"ts * 1000", "BIGINT"},
	"milliseconds":               {"ts", "BIGINT"},
	"datetime":                   {"epoch_ms(ts)", "TIMESTAMP"},
	"timestamp":                  {"epoch_ms(ts)", "TIMESTAMP"},
	"string in UTC":              {"epoch_ms(timezone('UTC', strptime(ts, '%Y-%m-%d %H:%M:%S UTC')))", "VARCHAR"},
	"string with ms in Shanghai": {"epoch_ms(timezone('Asia/Shanghai', strptime(ts, '%Y-%m-%dT%H:%M:%S.%g')))", "VARCHAR"},
	"string without a format":    {"ts * 1000", "BIGINT"},
}

// Every file format and AppendTo write each form of the time column so that
// DuckDB reads back the event's time, to the millisecond when the column
// has them.
func TestDuckDBReadsTimes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range timeCases {
		t.Run(tc.name, func(t *testing.T) {
			tf, err := TimeFormatFor(tc.typ, tc.tc)
			if err != nil {
				t.Fatal(err)
			}
			sel, typ := instantSQL[tc.name][0], instantSQL[tc.name][1]
			opts := Options{Users: 300, Seed: 5, Noise: true, Time: tf}
			evs := collect(t, opts)
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
					w, err := Create(path, tf)
					if err != nil {
						t.Fatal(err)
					}
					writeAll(t, w, evs)
					f, _ := FormatFromPath(path)
					read(t, DuckDBSource(f, path, tf))
				})
			}
			t.Run("AppendTo", func(t *testing.T) {
				if _, err := conn.ExecContext(ctx, createTableSQL("ods", tf)); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(createTableSQL("ods", tf), "ts "+typ) {
					t.Errorf("table %s", createTableSQL("ods", tf))
				}
				if n, err := AppendTo(ctx, conn, "ods", opts); err != nil || n != int64(len(evs)) {
					t.Fatalf("AppendTo = %d, %v", n, err)
				}
				read(t, "ods")
			})
		})
	}
}
