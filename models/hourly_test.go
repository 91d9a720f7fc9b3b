package models

import (
	"os"
	"strings"
	"testing"
)

// hourlyBase is the hourly config of the generator's golden tests: an ODS
// and a DW table partitioned by (dt, hh), a daily and two hourly funnels.
func hourlyBase(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../generator/testdata/configs/hourly.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestHourlyConfig(t *testing.T) {
	cfg, err := Parse("funnel.toml", []byte(hourlyBase(t)))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.ODS.Hourly() || cfg.ODS.HourPartition != "hh" || !cfg.DW.Hourly() {
		t.Errorf("ODS and DW should be partitioned by (dt, hh): %+v %+v", cfg.ODS, cfg.DW.Table)
	}
	want := []struct {
		grain, hour string
	}{{GrainDay, ""}, {GrainHour, "hh"}, {GrainHour, "hour"}}
	for i, w := range want {
		f := cfg.Funnels[i]
		if f.Grain != w.grain || f.Report.HourPartition != w.hour || f.Hourly() != (w.grain == GrainHour) {
			t.Errorf("funnel %s: grain %q, hour partition %q; want %q, %q", f.Name, f.Grain, f.Report.HourPartition, w.grain, w.hour)
		}
	}
	if cfg.DataWorks.HourlyCron != "00 15 00-23/1 * * ?" {
		t.Errorf("hourly_cron = %q", cfg.DataWorks.HourlyCron)
	}
	shippedCfg, err := Parse("funnel.toml", []byte(shipped(t)))
	if err != nil {
		t.Fatal(err)
	}
	if shippedCfg.ODS.Hourly() || shippedCfg.Funnels[0].Grain != GrainDay || shippedCfg.DataWorks.HourlyCron != "00 10 00-23/1 * * ?" {
		t.Errorf("defaults: ODS hourly %v, grain %q, hourly_cron %q", shippedCfg.ODS.Hourly(), shippedCfg.Funnels[0].Grain, shippedCfg.DataWorks.HourlyCron)
	}
}

func TestBadHourlyConfigs(t *testing.T) {
	base := hourlyBase(t)
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"hour partition is the day partition", "partition = \"dt\"\nhour_partition = \"hh\"\nlifecycle", "partition = \"dt\"\nhour_partition = \"dt\"\nlifecycle",
			`funnel.toml:17:1: ods.hour_partition: hour_partition "dt" is also the day partition column; name the STRING column holding the hour 00 to 23, e.g. hour_partition = "hh"
funnel.toml:30:1: dw.hour_partition: DW's hour partition is "hh" but ODS's "dt"; use the same hour partition column`},
		{"hour partition is a column", `{ name = "device", type = "STRING" },
]

[dw]`, `{ name = "device", type = "STRING" },
  { name = "hh", type = "STRING" },
]

[dw]`,
			`funnel.toml:25:5: ods.columns[5].name: column "hh" is the hour partition column; remove it from columns, or name the hour partition otherwise`},
		{"hour partition is a reserved word", "partition = \"dt\"\nhour_partition = \"hh\"\nlifecycle", "partition = \"dt\"\nhour_partition = \"order\"\nlifecycle",
			`funnel.toml:17:1: ods.hour_partition: hour partition column "order" is a MaxCompute reserved word; choose another name (e.g. "order_value")
funnel.toml:30:1: dw.hour_partition: DW's hour partition is "hh" but ODS's "order"; use the same hour partition column`},
		{"hourly DW from a daily ODS", "partition = \"dt\"\nhour_partition = \"hh\"\nlifecycle", "partition = \"dt\"\nlifecycle",
			`funnel.toml:29:1: dw.hour_partition: an hourly DW table is written an hour at a time from the ODS table's hour partitions, but [ods] is partitioned by day; set [ods] hour_partition = "hh" (DataWorks hourly sync), or remove dw.hour_partition`},
		{"hourly funnel from a daily DW", "partition = \"dt\"\nhour_partition = \"hh\"\ncolumns = [\n  { name = \"uid\",", "partition = \"dt\"\ncolumns = [\n  { name = \"uid\",",
			`funnel.toml:57:1: funnels[1].grain: grain = "hour" reads the DW table one hour partition at a time, but [dw] is partitioned by day; set [dw] hour_partition = "hh" (and [ods] hour_partition) so the DW node runs every hour
funnel.toml:76:1: funnels[2].grain: grain = "hour" reads the DW table one hour partition at a time, but [dw] is partitioned by day; set [dw] hour_partition = "hh" (and [ods] hour_partition) so the DW node runs every hour`},
		{"grain typo", `grain = "hour"
mode = "ordered"`, `grain = "hourly"
mode = "ordered"`,
			`funnel.toml:58:1: funnels[1].grain: "hourly" is not one of "day", "hour"; did you mean "hour"?`},
		{"cross midnight per hour", `window = "30m"`, `window = "30m"
day_boundary = "cross_midnight"`,
			`funnel.toml:61:1: funnels[1].day_boundary: day_boundary = "cross_midnight" does not apply to grain = "hour": an hourly report counts the chains within its hour partition; use a daily funnel to follow users across midnight`},
		{"report hour partition on a daily funnel", `table = "rpt_daily_events"`, `table = "rpt_daily_events"
hour_partition = "hh"`,
			`funnel.toml:54:1: funnels[0].report.hour_partition: hour_partition applies only to grain = "hour"; a daily report is partitioned by dt alone`},
		{"report hour partition clashes with a column", `hour_partition = "hour"`, `hour_partition = "visit"`,
			`funnel.toml:86:10: funnels[2].report.count_column: report column "visit" would be both the hour partition column and count of stage 1; change the column name pattern`},
		{"hourly cron at one hour", `hourly_cron = "00 15 00-23/1 * * ?"`, `hourly_cron = "00 15 02 * * ?"`,
			`funnel.toml:11:1: dataworks.hourly_cron: hourly_cron "00 15 02 * * ?" does not fire once in every hour: hourly nodes each compute the hour before their run; write the second and the minute as numbers and the hours as 00-23/1, e.g. "00 10 00-23/1 * * ?" for 10 minutes past every hour`},
		{"hourly cron every 2 hours", `hourly_cron = "00 15 00-23/1 * * ?"`, `hourly_cron = "00 15 00-23/2 * * ?"`,
			`funnel.toml:11:1: dataworks.hourly_cron: hourly_cron "00 15 00-23/2 * * ?" does not fire once in every hour: hourly nodes each compute the hour before their run; write the second and the minute as numbers and the hours as 00-23/1, e.g. "00 10 00-23/1 * * ?" for 10 minutes past every hour`},
		{"hourly cron not a cron", `hourly_cron = "00 15 00-23/1 * * ?"`, `hourly_cron = "15 * * * *"`,
			`funnel.toml:11:1: dataworks.hourly_cron: cron "15 * * * *" has 5 fields; DataWorks takes a Quartz cron of 6 (seconds minutes hours day-of-month month day-of-week), e.g. "00 30 02 * * ?" for 02:30 every day`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("funnel.toml", []byte(edit(t, base, tt.old, tt.new)))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestHourlyCron(t *testing.T) {
	for _, ok := range []string{"00 10 00-23/1 * * ?", "0 0 * * * ?", "00 59 0/1 * * ?", "30 05 0-23 ? * *"} {
		if err := checkHourlyCron(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"00 10 01-23/1 * * ?", "00 */5 * * * ?", "00 10 * * * MON", "00 10 * 1 * ?", "0 0 8-20 * * ?"} {
		if err := checkHourlyCron(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// A daily funnel over an hourly DW runs after the hourly nodes' first run
// of the day, which computes the business day's last hour.
func TestDailyCronAfterFirstHourlyRun(t *testing.T) {
	for _, tc := range []struct {
		cron string
		ok   bool
	}{
		{"00 30 02 * * ?", true},
		{"00 15 00 * * ?", true}, // with the hourly run at 00:15, as DataWorks attaches it
		{"00 14 00 * * ?", false},
		{"00 00 00 * * ?", false},
		{"0 30 2 ? * *", true},
	} {
		text := strings.Replace(hourlyBase(t), "\nhourly_cron = ", "\ncron = \""+tc.cron+"\"\nhourly_cron = ", 1)
		if !strings.Contains(text, tc.cron) {
			t.Fatal("the edit of hourly.toml did not apply")
		}
		_, err := Parse("funnel.toml", []byte(text))
		if (err == nil) != tc.ok || err != nil && !strings.Contains(err.Error(), "runs the daily nodes before the hourly nodes' first run of the day") {
			t.Errorf("cron %q: err = %v, want ok %v", tc.cron, err, tc.ok)
		}
	}
}

// An hourly report whose day partition is named as the DW's hour column,
// which the report's hour column is by default: the error is at the key
// written, partition.
func TestHourlyReportPartitionIsTheHour(t *testing.T) {
	data, err := os.ReadFile("../generator/testdata/configs/hourly.toml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), `table = "rpt_hourly_ordered"`, `table = "rpt_hourly_ordered"`+"\npartition = \"hh\"", 1)
	_, err = Parse("funnel.toml", []byte(src))
	if want := `report.partition: partition "hh" is the report's hour partition column too (the DW's, by default); name the day column, e.g. partition = "dt"`; err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "report.hour_partition") {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
