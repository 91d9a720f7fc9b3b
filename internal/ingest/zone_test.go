package ingest

import (
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// zoneOf, which checks text files, and sqlZoned, its SQL for Parquet text,
// agree; and they find the zones DuckDB's TIMESTAMP cast drops (it keeps
// the wall time) but not UTC's, nor a zone in a text without a time.
func TestZoneOf(t *testing.T) {
	checkWithSQL(t, "a zone", func(v []byte) bool { return zoneOf(v) != nil }, sqlZoned, map[string]bool{
		"2021-03-01 23:59:59+08:00":         true,
		"2021-03-01T11:30:00-05":            true,
		"2021-03-01 23:59:59.5+0800":        true,
		"2021-03-01 23:59:59 Asia/Shanghai": true,
		"2021-03-01 23:59:59+08:00\n":       true, // DuckDB skips the newline
		"\n2021-03-01 23:59:59+08":          true,
		"2021-03-01 10:00:00 PM":            true, // DuckDB keeps 10:00
		"2021-03-01 23:59:59Z":              false,
		"2021-03-01 23:59:59 UTC":           false,
		"2021-03-01 23:59:59+00:00":         false,
		"2021-03-01 23:59:59 Etc/GMT+0":     false,
		"2021-03-01 23:59:59 zulu":          false,
		"2021-03-01":                        false,
		"2021-03-01 23:59":                  false,
		"2021-03-01T23:59:59.123456":        false,
		" 2021-03-01 23:59:59 ":             false,
		"12021-03-01 10:00:00":              false,
		"-2021-03-01 23:59:59":              false,
		"2021-03-01  23:59:59":              false,
		"2021-03-01 (BC) 23:59:59":          false,
		"infinity":                          false,
		"not a time at all":                 false,
	})
}

// notATime and sqlSpecialTime agree, on the words and the hour 24 that
// DuckDB's TIMESTAMP cast reads as times a log does not mean.
func TestNotATime(t *testing.T) {
	checkWithSQL(t, "not a time", notATime, sqlSpecialTime, map[string]bool{
		"infinity":             true,
		" -Infinity ":          true,
		"epoch":                true,
		"inf":                  true,
		"-INF":                 true,
		"\tinfinity":           true,
		"epoch\n":              true,
		"\vinfinity":           true,
		"-epoch":               true,
		"2021-03-03 24:00:00":  true,
		"2021-03-03T24:00:00":  true,
		"2021-03-03 23:59:59":  false,
		"2024-03-03 00:00:00":  false,
		"2021-03-24 10:00:00":  false,
		"2021-03-03 14:24:00":  false,
		"2021-03-03 124:00:00": false, // DuckDB refuses it itself
		"not a time, infinity": false,
		"2021-03-03":           false,
	})
}

// outOfRange and sqlOutOfRange agree, on the years DuckDB's DATE and
// TIMESTAMP casts read that MaxCompute's DATE and DATETIME do not hold.
func TestOutOfRange(t *testing.T) {
	checkWithSQL(t, "out of range", outOfRange, sqlOutOfRange, map[string]bool{
		"10000-01-01":                true,
		"10000-01-01 00:00:00":       true,
		" 294247-01-01 ":             true,
		"02021/03/01 ":               false, // year 2021
		"00010000-01-01":             true,
		"-0044-03-15":                true,
		" -2021-03-01 10:00:00":      true,
		"2021-03-01 (BC)":            true,
		"2021-03-01 (bc) 12:00:00":   true,
		"2021-03-01 12:00:00 BC":     true, // DuckDB drops the BC
		"0000-01-01":                 false,
		"9999-12-31 23:59:59.999999": false,
		"2021-03-01 12:00:00":        false,
		"-infinity":                  false, // notATime's
		"infinity":                   false,
		"20210301":                   false, // DuckDB refuses it itself
		"12:00:00":                   false,
		"-soon":                      false, // DuckDB refuses it itself
		`10000\01\01`:                true,
		"\v10000-01-01":              true,
	})
}

// checkWithSQL requires check (Go, of text files) and sqlCheck (SQL, of
// Parquet text) to find what of cases is true; and DuckDB's TIMESTAMP cast
// to read each such value: refusing it is the check's job.
func checkWithSQL(t *testing.T, what string, check func([]byte) bool, sqlCheck func(string) string, cases map[string]bool) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for v, want := range cases {
		if got := check([]byte(v)); got != want {
			t.Errorf("%s: %q = %v, want %v", what, v, got, want)
		}
		var inSQL bool
		if err := db.QueryRow("SELECT "+sqlCheck("v")+" FROM (SELECT ?::VARCHAR AS v)", v).Scan(&inSQL); err != nil {
			t.Fatal(err)
		}
		if inSQL != want {
			t.Errorf("%s in SQL: %q = %v, want %v", what, v, inSQL, want)
		}
		if want {
			var ts sql.NullString
			if err := db.QueryRow("SELECT coalesce(TRY_CAST(?::VARCHAR AS TIMESTAMP)::VARCHAR, TRY_CAST(?::VARCHAR AS DATE)::VARCHAR)", v, v).Scan(&ts); err != nil || !ts.Valid {
				t.Errorf("DuckDB does not read %q as a TIMESTAMP or DATE (%v): no need to refuse it", v, err)
			}
		}
	}
}
