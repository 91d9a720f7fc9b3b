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
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for v, zoned := range map[string]bool{
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
	} {
		if got := zoneOf([]byte(v)) != nil; got != zoned {
			t.Errorf("zoneOf(%q) = %q, want a zone: %v", v, zoneOf([]byte(v)), zoned)
		}
		var inSQL bool
		if err := db.QueryRow("SELECT "+sqlZoned("v")+" FROM (SELECT ?::VARCHAR AS v)", v).Scan(&inSQL); err != nil {
			t.Fatal(err)
		}
		if inSQL != zoned {
			t.Errorf("sqlZoned(%q) = %v, want %v", v, inSQL, zoned)
		}
		// Where it finds one, DuckDB's TIMESTAMP cast takes the text, and
		// would keep its wall time: refusing it is the check's job.
		if zoned {
			var ts sql.NullString
			if err := db.QueryRow("SELECT TRY_CAST(?::VARCHAR AS TIMESTAMP)::VARCHAR", v).Scan(&ts); err != nil || !ts.Valid {
				t.Errorf("DuckDB does not read %q as a TIMESTAMP (%v): no need to refuse it", v, err)
			}
		}
	}
}

// notATime and sqlNotATime agree, on the words and the hour 24 that
// DuckDB's TIMESTAMP cast reads as times a log does not mean.
func TestNotATime(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for v, bad := range map[string]bool{
		"infinity":             true,
		" -Infinity ":          true,
		"epoch":                true,
		"2021-03-03 24:00:00":  true,
		"2021-03-03T24:00:00":  true,
		"2021-03-03 23:59:59":  false,
		"2024-03-03 00:00:00":  false,
		"2021-03-24 10:00:00":  false,
		"2021-03-03 14:24:00":  false,
		"2021-03-03 124:00:00": false, // DuckDB refuses it itself
		"not a time, infinity": false,
		"2021-03-03":           false,
	} {
		if got := notATime([]byte(v)); got != bad {
			t.Errorf("notATime(%q) = %v, want %v", v, got, bad)
		}
		var inSQL bool
		if err := db.QueryRow("SELECT "+sqlNotATime("v")+" FROM (SELECT ?::VARCHAR AS v)", v).Scan(&inSQL); err != nil {
			t.Fatal(err)
		}
		if inSQL != bad {
			t.Errorf("sqlNotATime(%q) = %v, want %v", v, inSQL, bad)
		}
		// DuckDB reads each as a time: refusing it is the check's job.
		if bad {
			var ts sql.NullString
			if err := db.QueryRow("SELECT TRY_CAST(?::VARCHAR AS TIMESTAMP)::VARCHAR", v).Scan(&ts); err != nil || !ts.Valid {
				t.Errorf("DuckDB does not read %q as a TIMESTAMP (%v): no need to refuse it", v, err)
			}
		}
	}
}
