package models

import (
	"os"
	"testing"
)

// LoadDayTime is the first funnel's time column that the ODS table has, as
// the funnel reads it; none for a STRING without a format, none without a
// time column, none for an hourly ODS.
func TestLoadDayTime(t *testing.T) {
	parse := func(name, text string) *Config {
		t.Helper()
		cfg, err := Parse(name, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	for _, tc := range []struct {
		name string
		cfg  *Config
		want TimeColumn
		ok   bool
	}{
		{"milliseconds", parse("modes.toml", withTime(t, "BIGINT", `{ name = "TS", unit = "ms" }`)), TimeColumn{Name: "ts", Unit: "ms"}, true},
		{"string", parse("modes.toml", withTime(t, "STRING", `{ name = "ts", format = "yyyy-MM-dd HH:mm:ss", timezone = "UTC" }`)),
			TimeColumn{Name: "ts", Format: "yyyy-MM-dd HH:mm:ss", Timezone: "UTC"}, true},
		{"datetime", parse("modes.toml", withTime(t, "DATETIME", `"ts"`)), TimeColumn{Name: "ts"}, true},
		{"no time column", parse("funnel.toml", readFile(t, "../funnel.toml")), TimeColumn{}, false},
		{"hourly", parse("hourly.toml", readFile(t, "../generator/testdata/configs/hourly.toml")), TimeColumn{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.cfg.LoadDayTime()
			if got != tc.want || ok != tc.ok {
				t.Errorf("LoadDayTime() = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
