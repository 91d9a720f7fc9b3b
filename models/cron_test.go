package models

import "testing"

func TestCron(t *testing.T) {
	base := shipped(t)
	for _, tc := range []struct{ cron, want string }{
		{"00 30 02 * * ?", ""},
		{"0 5 2 ? * *", ""},
		// Once a day, written otherwise.
		{"00 30 02 */1 * ?", ""},
		{"00 30 02 1/1 * ?", ""},
		{"00 30 02 * 1-12 ?", ""},
		{"00 30 02 ? * 1-7", ""},
		{"00 30 02 ? * SUN-SAT", ""},
		{"00 30 02-02 * * ?", ""},
		{"0 0/30 8-20 ? * MON-FRI", `funnel.toml:31:1: dataworks.cron: cron "0 0/30 8-20 ? * MON-FRI" does not fire once every day: its minutes field "0/30" gives 2 values, and a second run of a day computes it again; give one, e.g. "00 30 02 * * ?" for 02:30 every day`},
		{"00 30 02 ? * MON", `funnel.toml:31:1: dataworks.cron: cron "00 30 02 ? * MON" does not fire once every day: its day of week field "MON" skips days, whose business day is then never computed; write * or ?, e.g. "00 30 02 * * ?" for 02:30 every day`},
		{"00 */5 * * * ?", `funnel.toml:31:1: dataworks.cron: cron "00 */5 * * * ?" does not fire once every day: its minutes field "*/5" gives 12 values, and a second run of a day computes it again; give one, e.g. "00 30 02 * * ?" for 02:30 every day`},
		{"00 30 02 31 2 ?", `funnel.toml:31:1: dataworks.cron: cron "00 30 02 31 2 ?" does not fire once every day: its day of month field "31" skips days, whose business day is then never computed; write * or ?, e.g. "00 30 02 * * ?" for 02:30 every day`},
		{"00 30 02 ? * FRI-MON", `funnel.toml:31:1: dataworks.cron: cron "00 30 02 ? * FRI-MON" does not fire once every day: its day of week field "FRI-MON" skips days, whose business day is then never computed; write * or ?, e.g. "00 30 02 * * ?" for 02:30 every day`},
		{"0 15 10 L * ?", `funnel.toml:31:1: dataworks.cron: cron "0 15 10 L * ?": day of month field "L": "L" is not a value from 1 to 31`},
		{"0 30 2 * * ? 2026", `funnel.toml:31:1: dataworks.cron: cron "0 30 2 * * ? 2026" has 7 fields; DataWorks takes a Quartz cron of 6 (seconds minutes hours day-of-month month day-of-week), e.g. "00 30 02 * * ?" for 02:30 every day`},
		{"30 2 * * *", `funnel.toml:31:1: dataworks.cron: cron "30 2 * * *" has 5 fields; DataWorks takes a Quartz cron of 6 (seconds minutes hours day-of-month month day-of-week), e.g. "00 30 02 * * ?" for 02:30 every day`},
		{"00 30 25 * * ?", `funnel.toml:31:1: dataworks.cron: cron "00 30 25 * * ?": hours field "25": "25" is not a value from 0 to 23`},
		{"00 61 02 * * ?", `funnel.toml:31:1: dataworks.cron: cron "00 61 02 * * ?": minutes field "61": "61" is not a value from 0 to 59`},
		// Quartz takes digits alone, no sign.
		{"00 30 +2 * * ?", `funnel.toml:31:1: dataworks.cron: cron "00 30 +2 * * ?": hours field "+2": "+2" is not a value from 0 to 23`},
		{"00 0/+30 02 * * ?", `funnel.toml:31:1: dataworks.cron: cron "00 0/+30 02 * * ?": minutes field "0/+30": step "+30" is not a number from 1 to 59`},
		{"00 30 02 * * *", `funnel.toml:31:1: dataworks.cron: cron "00 30 02 * * *": give "?" in exactly one of day of month and day of week, e.g. "00 30 02 * * ?"`},
		{"? 30 02 * * ?", `funnel.toml:31:1: dataworks.cron: cron "? 30 02 * * ?": seconds field "?": "?" is only for day of month or day of week`},
		{"00 30/0 02 * * ?", `funnel.toml:31:1: dataworks.cron: cron "00 30/0 02 * * ?": minutes field "30/0": step "0" is not a number from 1 to 59`},
	} {
		t.Run(tc.cron, func(t *testing.T) {
			_, err := Parse("funnel.toml", []byte(edit(t, base, `cron = "00 30 02 * * ?"`, `cron = "`+tc.cron+`"`)))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
