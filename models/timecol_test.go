package models

import (
	"os"
	"strings"
	"testing"
)

// modes is generator/testdata/configs/modes.toml: ordered funnels with a
// BIGINT time column ts.
func modes(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../generator/testdata/configs/modes.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// withTime returns modes.toml with the ODS and DW column ts of type typ
// and every funnel's time_column written as tc.
func withTime(t *testing.T, typ, tc string) string {
	t.Helper()
	s := strings.ReplaceAll(modes(t), `{ name = "ts",                      type = "BIGINT", comment = "event time, epoch seconds" },`,
		`{ name = "ts",                      type = "`+typ+`", comment = "event time" },`)
	return strings.ReplaceAll(s, `time_column = "ts"`, `time_column = `+tc)
}

func TestTimeColumns(t *testing.T) {
	for _, tc := range []struct {
		name, typ, tc, want string
		ups                 int64
	}{
		{"seconds", "BIGINT", `"ts"`, "", 1},
		{"seconds, table form", "BIGINT", `{ name = "ts", unit = "s" }`, "", 1},
		{"milliseconds", "BIGINT", `{ name = "ts", unit = "ms" }`, "", 1000},
		{"datetime", "DATETIME", `"ts"`, "", 1000},
		{"timestamp", "TIMESTAMP", `"ts"`, "", 1000},
		{"string", "STRING", `{ name = "ts", format = "yyyy-MM-dd HH:mm:ss", timezone = "UTC" }`, "", 1},
		{"string with ms and a quoted T", "STRING", `{ name = "ts", format = "yyyy-MM-dd'T'HH:mm:ss.SSS", timezone = "Asia/Shanghai" }`, "", 1000},
		{"bad unit", "BIGINT", `{ name = "ts", unit = "us" }`, `unit "us": write "s" for epoch seconds or "ms" for epoch milliseconds`, 0},
		{"unit of a datetime", "DATETIME", `{ name = "ts", unit = "ms" }`, `unit applies to an integer time column; "ts" is DATETIME`, 0},
		{"format of an integer", "BIGINT", `{ name = "ts", format = "yyyy" }`, `format and timezone apply to a STRING time column; "ts" is BIGINT`, 0},
		{"string without format", "STRING", `"ts"`, `time column "ts" is STRING; say how to read it, e.g. time_column = { name = "ts", format = "yyyy-MM-dd HH:mm:ss", timezone = "UTC" }`, 0},
		{"string without zone", "STRING", `{ name = "ts", format = "yyyy-MM-dd HH:mm:ss" }`, `time column "ts" needs the time zone its times are in`, 0},
		{"bad zone", "STRING", `{ name = "ts", format = "yyyy-MM-dd HH:mm:ss", timezone = "Mars/Olympus" }`, `timezone "Mars/Olympus" is not a time zone of the IANA database`, 0},
		{"unknown letter", "STRING", `{ name = "ts", format = "yyyy-MM-ddTHH:mm:ss", timezone = "UTC" }`, `"T" at 11 is no pattern fgen reads; use yyyy, MM, dd, HH, mm, ss and SSS, and quote other letters, as in yyyy-MM-dd'T'HH:mm:ss`, 0},
		{"no minutes", "STRING", `{ name = "ts", format = "yyyy-MM-dd HH", timezone = "UTC" }`, `format "yyyy-MM-dd HH" has no mm; a time to the minute at least needs yyyy, MM, dd, HH and mm`, 0},
		{"a date is no time", "DATE", `"ts"`, `time column "ts" is DATE; a time column is BIGINT epoch seconds or milliseconds, DATETIME, TIMESTAMP, or a STRING with a format`, 0},
		{"unknown key", "BIGINT", `{ name = "ts", units = "ms" }`, `unknown key "units"; did you mean "unit"?`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("modes.toml", []byte(withTime(t, tc.typ, tc.tc)))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				f := cfg.Funnels[2]
				col, _ := cfg.DW.Column(f.TimeColumn.Name)
				if got := f.TimeColumn.UnitsPerSecond(col.Type); got != tc.ups {
					t.Errorf("units per second %d, want %d", got, tc.ups)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant one with %s", err, tc.want)
			}
		})
	}
}
