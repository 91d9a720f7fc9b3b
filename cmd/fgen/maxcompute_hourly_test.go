package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/maxcompute"
	"github.com/fgen-dev/fgen/internal/odpstest"
)

// hourlyProject is a project dir with the golden hourly config (an ODS and
// a DW table partitioned by (dt, hh), a daily and two hourly reports) and
// a target "mc" on a fresh double holding the ODS table, partitioned by
// (dt, hh) as an hourly sync writes it, with the hour partitions of
// 20210303 but missing.
func hourlyProject(t *testing.T, missing ...string) (string, *odpstest.Server, map[string]string) {
	t.Helper()
	srv := odpstest.New(t, odpstest.WithTypeSystem1())
	ods := odpstest.TableSpec{Name: "ods_events", Comment: "raw events, synced every hour", Lifecycle: 30,
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING", Comment: "business date, yyyymmdd"}, {Name: "hh", Type: "STRING", Comment: "hour, 00 to 23"}}}
	for _, c := range []string{"md5 STRING", "uid STRING", "event STRING", "ts BIGINT", "device STRING"} {
		name, typ, _ := strings.Cut(c, " ")
		ods.Columns = append(ods.Columns, odpstest.Column{Name: name, Type: typ})
	}
	srv.AddTable(ods)
	for _, h := range bizdate.Hours {
		if !slices.Contains(missing, h) {
			srv.AddPartition("ods_events", "dt='20210303',hh='"+h+"'")
		}
	}
	data, err := os.ReadFile("../../generator/testdata/configs/hourly.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	target := "\n[targets.mc]\nengine = \"maxcompute\"\nendpoint = \"" + srv.Endpoint() + "\"\nproject = \"" + srv.Project() + "\"\npoll_interval = \"100ms\"\nparallel = 8\ntimeout = \"20s\"\n"
	if err := os.WriteFile(filepath.Join(dir, "funnel.toml"), append(data, target...), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": srv.AccessID(), "ALIBABA_CLOUD_ACCESS_KEY_SECRET": srv.AccessKey()}
	return dir, srv, env
}

// An hourly config on MaxCompute, through the ODPS SDK against the double:
// a day whose ODS hours have not all landed is not applied, and plan names
// the hours missing; once they have, apply writes every hour partition of
// the hourly tables (dt, hh) and the daily report's day, records each
// hour's SQL in fgen_partitions, and plan then finds every hour up to date.
func TestMaxComputeHourly(t *testing.T) {
	dir, srv, env := hourlyProject(t, "07", "22", "23")
	r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	for _, want := range []string{
		"! 20210303  upstream partition missing: ods_events dt=20210303: hours 07, 22-23 missing; its jobs will not run",
		"create table with 4 columns, partitioned by (dt, hh)", "create table with 3 columns, partitioned by (dt, hour)",
		"create table with 5 columns, partitioned by dt\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan with missing hours lacks %q: %+v", want, r)
		}
	}
	r = fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "hours 07, 22-23 missing") {
		t.Fatalf("apply with missing hours: %+v", r)
	}
	for _, j := range writes(srv) {
		if strings.HasPrefix(j.SQL, "INSERT") {
			t.Fatalf("apply ran a node on a day with missing hours:\n%s", j.SQL)
		}
	}

	for _, h := range []string{"07", "22", "23"} {
		srv.AddPartition("ods_events", "dt='20210303',hh='"+h+"'")
	}
	if r = fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	inserts := 0
	for _, j := range writes(srv) {
		if strings.HasPrefix(j.SQL, "INSERT OVERWRITE") {
			inserts++
			if err := odpstest.Compile(j.SQL, j.Hints); err != nil {
				t.Errorf("%v\n%s", err, j.SQL)
			}
		}
	}
	if inserts != 24+1+24+24 {
		t.Errorf("%d node jobs, want 73 (24 DW hours, the daily report, 24 hours of each hourly report)", inserts)
	}
	for table, col := range map[string]string{"dw_events": "hh", "rpt_hourly_ordered": "hh", "rpt_hourly_users": "hour"} {
		var hours []string
		for _, h := range bizdate.Hours {
			hours = append(hours, "dt='20210303',"+col+"='"+h+"'")
		}
		// The hours of a node run in parallel (parallel = 8), so they land in any order.
		if got := srv.Partitions(table); !slices.Equal(slices.Sorted(slices.Values(got)), hours) {
			t.Errorf("%s partitions %v, want the 24 hours of the day", table, got)
		}
	}
	if got := srv.Partitions("rpt_daily_events"); !slices.Equal(got, []string{"dt='20210303'"}) {
		t.Errorf("rpt_daily_events partitions %v", got)
	}
	spec, _ := srv.Table("rpt_hourly_users")
	if len(spec.PartitionKeys) != 2 || spec.PartitionKeys[1].Name != "hour" {
		t.Errorf("rpt_hourly_users partition keys %v, want dt and its hour_partition, hour", spec.PartitionKeys)
	}
	r = fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303", "--format", "json")
	if r.code != 0 || strings.Contains(r.stdout, `"pending": true`) {
		t.Errorf("plan after apply: every hour should be up to date: %+v", r)
	}

	// A year and more of hours later, each table has more records than a
	// query returns: plan reads those of a month of days at once, not a
	// query per hour.
	oldRecords(srv, "2019%04d/00", "dw_events", "rpt_daily_events", "rpt_hourly_ordered", "rpt_hourly_users")
	before := len(srv.Submitted())
	r = fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303", "--format", "json")
	if r.code != 0 || strings.Contains(r.stdout, `"pending": true`) {
		t.Errorf("plan with a year of records: every hour should be up to date: %+v", r)
	}
	reads := 0
	for _, j := range srv.Submitted()[before:] {
		if strings.Contains(j.SQL, "FROM `"+maxcompute.BooksTable+"`") {
			reads++
		}
	}
	// The ODS table's records, of which there are none, once; and twice
	// for each of the four others: whole, which is cut short, and a month
	// of days.
	if reads != 9 {
		t.Errorf("plan read the records %d times, want 9", reads)
	}
}
