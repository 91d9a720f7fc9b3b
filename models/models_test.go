package models

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func shipped(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("../funnel.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestShippedConfig(t *testing.T) {
	cfg, err := Parse("funnel.toml", []byte(shipped(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{cfg.ODS.Name, cfg.DW.Name, cfg.Funnels[0].Report.Table}; strings.Join(got, ",") != "ods_user_trace_data,dw_user_trace_data,rpt_user_trace_data" {
		t.Errorf("tables = %v", got)
	}
	var cols []string
	for _, c := range cfg.Funnels[0].ReportColumns() {
		cols = append(cols, c.Name+" "+c.Type)
	}
	if got, want := strings.Join(cols, ", "), "browse STRING, click STRING, purchase STRING, browse_rate STRING, click_rate STRING"; got != want {
		t.Errorf("report columns = %s, want %s", got, want)
	}
	name, target, err := cfg.Target("")
	if err != nil || name != "local" || target.Engine != EngineDuckDB || target.Path != DefaultLocalPath {
		t.Errorf("default target = %s %+v %v", name, target, err)
	}
}

// Without --target a command uses the only duckdb target, or of several
// the one named local; several and none named local is an error naming
// them (a target added for an archive must not take over every command).
func TestDefaultTarget(t *testing.T) {
	base := shipped(t)
	archive := "\n[targets.archive]\nengine = \"duckdb\"\npath = \"archive.duckdb\"\n"
	prod := "\n[targets.prod]\nengine = \"maxcompute\"\nendpoint = \"https://service.cn-hangzhou.maxcompute.aliyun.com/api\"\nproject = \"p\"\n"
	renamed := edit(t, base, "[targets.local]", "[targets.mine]")
	for _, c := range []struct {
		name, config, want, err string
	}{
		{"shipped", base, "local", ""},
		{"local and another", base + archive, "local", ""},
		{"one duckdb of two", renamed + prod, "mine", ""},
		{"two, none local", renamed + archive, "", "funnel.toml has 2 local (duckdb) targets and none named local, the one fgen uses when none is named: give --target archive or --target mine"},
	} {
		cfg, err := Parse("funnel.toml", []byte(c.config))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := cfg.DefaultTarget()
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("%s: DefaultTarget() = %q, %v; want %q, %q", c.name, got, err, c.want, c.err)
		}
	}
}

// A config saved "UTF-8 with BOM" reads as without, and its errors are at
// the positions an editor shows, which does not show the mark.
func TestConfigByteOrderMark(t *testing.T) {
	if _, err := Parse("funnel.toml", []byte("\ufeff"+shipped(t))); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("funnel.toml", []byte("\ufeffversion = 1\nproject = 5\n"))
	if err == nil || !strings.Contains(err.Error(), "funnel.toml:2:11: project: expected a table") {
		t.Errorf("got %v, want an error at funnel.toml:2:11", err)
	}
	_, err = Parse("funnel.toml", []byte("\ufeffversion = ?\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "funnel.toml:1:11:") {
		t.Errorf("got %v, want a syntax error at funnel.toml:1:11", err)
	}
}

// Errors are at the column an editor shows, in characters, after a
// Chinese comment or name (three bytes a character in UTF-8) as after
// ASCII: a value's and a syntax error's.
func TestConfigColumnsInCharacters(t *testing.T) {
	_, err := Parse("funnel.toml", []byte("version = 1\nproject = { name = \"中文\", x = 5 }\n"))
	if err == nil || !strings.Contains(err.Error(), "funnel.toml:2:26: ") {
		t.Errorf("got %v, want the unknown key x at funnel.toml:2:26", err)
	}
	_, err = Parse("funnel.toml", []byte("version = 1 # 版本\n[project]\nname = \"中文\" ?\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "funnel.toml:3:13:") {
		t.Errorf("got %v, want a syntax error at funnel.toml:3:13", err)
	}
	// An error go-toml places inside a character is at the character.
	_, err = Parse("funnel.toml", []byte("version = 1\nname = \"中文"))
	if err == nil || !strings.HasPrefix(err.Error(), "funnel.toml:2:10:") {
		t.Errorf("got %v, want an error at funnel.toml:2:10, the last character's column", err)
	}
}

// A config saved with Windows line ends reads as with Unix ones, its
// multi-line strings included; one saved as UTF-16 (Notepad's "Unicode")
// says so; a file far larger than any config is refused before it fills
// the memory ('-c /dev/zero').
func TestConfigEncodings(t *testing.T) {
	multi := edit(t, shipped(t), `description = "browse -> click -> purchase, events per day"`, `description = """`+"\nbrowse -> click\n-> purchase\n"+`"""`)
	want, err := Parse("funnel.toml", []byte(multi))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("funnel.toml", []byte(strings.ReplaceAll(multi, "\n", "\r\n")))
	if err != nil {
		t.Fatalf("CRLF: %v", err)
	}
	if got.Funnels[0].Description != want.Funnels[0].Description || !strings.Contains(got.Funnels[0].Description, "click\n->") {
		t.Errorf("CRLF: description %q, want %q", got.Funnels[0].Description, want.Funnels[0].Description)
	}
	var u16 []byte
	for _, r := range "\ufeffversion = 1\n" {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	if _, err := Parse("u16.toml", u16); err == nil || err.Error() != "u16.toml:1:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8" {
		t.Errorf("UTF-16: %v", err)
	}
	var u16be, u32 []byte
	for _, r := range "version = 1\n" {
		u16be = append(u16be, byte(r>>8), byte(r))
	}
	for _, r := range "\ufeffversion = 1\n" {
		u32 = append(u32, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	if _, err := Parse("u16.toml", u16be); err == nil || err.Error() != "u16.toml:1:1: the file holds NUL bytes, which no UTF-8 text does: is it UTF-16 or UTF-32? save it as UTF-8" {
		t.Errorf("UTF-16 without a byte-order mark: %v", err)
	}
	if _, err := Parse("u32.toml", u32); err == nil || err.Error() != "u32.toml:1:1: the file is UTF-32 (it starts with a UTF-32 byte-order mark); save it as UTF-8" {
		t.Errorf("UTF-32: %v", err)
	}
	if _, err := Load(os.DevNull); err == nil || strings.Contains(err.Error(), "larger") {
		t.Errorf("an empty file: %v, want the config's own error", err)
	}
	big := filepath.Join(t.TempDir(), "big.toml")
	os.WriteFile(big, bytes.Repeat([]byte("# a comment line of a log named by mistake\n"), maxConfigBytes/40), 0o644)
	if _, err := Load(big); err == nil || err.Error() != big+" is larger than 4 MiB, which no funnel.toml is: is it the config file?" {
		t.Errorf("a 4 MiB file: %v", err)
	}
}

// A report column's comment is made of names and markers validate checks
// one by one; their sum over MaxCompute's 1024 bytes is an error of
// funnel.toml, at the report, not one of generate's without a line.
func TestReportColumnCommentTooLong(t *testing.T) {
	src := edit(t, shipped(t), `event_column = "customize_event"`, `event_column = "customize_event"`+"\n"+`breakdowns = ["device_brand"]`)
	src = edit(t, src, `partition = "dt"`+"\ncount_type", `total_marker = "`+strings.Repeat("t", 1000)+`"`+"\n"+`partition = "dt"`+"\ncount_type")
	_, err := Parse("funnel.toml", []byte(src))
	want := "funnel.toml:94:10: funnels[0].report: the comment of report column device_brand would be 1063 bytes long; MaxCompute takes at most 1024: shorten the markers it names (total_marker, null_marker, other_marker)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// A report of more columns than MaxCompute takes is refused by validate,
// counted as generate counts them: 601 stages make 601 counts and 600
// step rates.
func TestReportTooManyColumns(t *testing.T) {
	var stages strings.Builder
	for i := range 601 {
		fmt.Fprintf(&stages, "  { name = \"s%d\", events = [\"e%d\"] },\n", i, i)
	}
	src := edit(t, shipped(t), `  { name = "browse",   events = ["browse"] },
  { name = "click",    events = ["click"] },
  { name = "purchase", events = ["purchase"] },
`, stages.String())
	_, err := Parse("funnel.toml", []byte(src))
	want := `funnels[0].report: report table "rpt_user_trace_data" would have 1201 columns; MaxCompute takes at most 1200: report fewer (stages, rates, percentiles, histogram buckets)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// edit returns the shipped config with old replaced by new, failing if old
// is not there exactly once.
func edit(t *testing.T, base, old, new string) string {
	t.Helper()
	if strings.Count(base, old) != 1 {
		t.Fatalf("%q occurs %d times in the config", old, strings.Count(base, old))
	}
	return strings.Replace(base, old, new, 1)
}

func TestBadConfigs(t *testing.T) {
	base := shipped(t)
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"unknown key", `drop_empty = ["uid"`, `drop_emtpy = ["uid"`,
			`funnel.toml:73:1: dw.drop_emtpy: unknown key "drop_emtpy"; did you mean "drop_empty"?`},
		{"a feature not built yet", `mode = "events"
user_column`, `mode = "events"
hold = ["device"]
user_column`,
			`funnel.toml:84:1: funnels[0].hold: held properties are not yet supported (docs/funnels.md, "Not built yet"): remove the key`},
		{"unknown top-level table", `[dataworks]`, `[dataworkz]`,
			`funnel.toml:29:2: dataworkz: unknown key "dataworkz"; did you mean "dataworks"?`},
		{"wrong type", `workspace = "user_trace"`, `workspace = 5`,
			`funnel.toml:26:13: project.workspace: expected a string, got an integer`},
		{"wrong type in array", `drop_unknown_events = true`, `drop_unknown_events = "yes"`,
			`funnel.toml:74:23: dw.drop_unknown_events: expected true or false, got a string`},
		{"stage names a missing column", `event_column = "customize_event"`, `event_column = "event"`,
			`funnel.toml:85:1: funnels[0].event_column: event_column "event" is not a column of the DW table "dw_user_trace_data"; add it to [dw] columns or name one of: uid, device_brand, device, system_type, customize_event, use_time, customize_event_content`},
		{"DW column not in ODS", `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "page",                    type = "STRING" },`,
			`funnel.toml:71:5: dw.columns[6].name: column "page" is not in the ODS table "ods_user_trace_data"; DW columns are copied from ODS columns of the same name`},
		{"DW column misspelt", `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_contnt", type = "STRING", comment = "event payload" },`,
			`funnel.toml:71:5: dw.columns[6].name: column "customize_event_contnt" is not in the ODS table "ods_user_trace_data"; DW columns are copied from ODS columns of the same name; did you mean "customize_event_content"?`},
		{"missing partition", `partition = "dt"                 # STRING`, `# STRING`,
			`funnel.toml:38:2: ods.partition: partition column is required; the seed partitions by day with partition = "dt"`},
		{"unknown type", `{ name = "status",                  type = "BIGINT"`, `{ name = "status",                  type = "INTEGER"`,
			`funnel.toml:48:39: ods.columns[4].type: unknown type "INTEGER"; MaxCompute calls it INT`},
		{"missing type", `{ name = "status",                  type = "BIGINT",`, `{ name = "status",                  `,
			`funnel.toml:48:3: ods.columns[4].type: a column needs its type; give one, e.g. type = "STRING"`},
		{"misspelt type", `{ name = "status",                  type = "BIGINT"`, `{ name = "status",                  type = "BIGNIT"`,
			`funnel.toml:48:39: ods.columns[4].type: unknown type "BIGNIT"; did you mean BIGINT?`},
		{"misspelt other type", `{ name = "status",                  type = "BIGINT"`, `{ name = "status",                  type = "INTEGR"`,
			`funnel.toml:48:39: ods.columns[4].type: unknown type "INTEGR"; did you mean INT?`},
		{"not a type", `{ name = "status",                  type = "BIGINT"`, `{ name = "status",                  type = "JSONB"`,
			`funnel.toml:48:39: ods.columns[4].type: unknown type "JSONB"; use a MaxCompute type such as STRING, BIGINT, DOUBLE, DECIMAL(18,2), DATETIME`},
		{"event longer than the DW column", `{ name = "customize_event",         type = "STRING", comment = "event" }`, `{ name = "customize_event",         type = "VARCHAR(7)", comment = "event" }`,
			`funnel.toml:89:34: funnels[0].stages[2].events[0]: event "purchase" is 8 characters long, and event_column customize_event is VARCHAR(7) in the DW table: MaxCompute holds at most 7 characters there, so no row would match it; make the column STRING, or VARCHAR(8)`},
		{"event longer than the ODS column", `{ name = "customize_event",         type = "STRING", comment = "event: browse, click, purchase, ..." }`, `{ name = "customize_event",         type = "CHAR(5)", comment = "event: browse, click, purchase, ..." }`,
			`funnel.toml:87:34: funnels[0].stages[0].events[0]: event "browse" is 6 characters long, and event_column customize_event is CHAR(5) in the ODS table: MaxCompute holds at most 5 characters there, so no row would match it; make the column STRING, or VARCHAR(6)
funnel.toml:89:34: funnels[0].stages[2].events[0]: event "purchase" is 8 characters long, and event_column customize_event is CHAR(5) in the ODS table: MaxCompute holds at most 5 characters there, so no row would match it; make the column STRING, or VARCHAR(8)`},
		{"reserved word", `name = "ods_user_trace_data"`, `name = "table"`,
			`funnel.toml:39:1: ods.name: table name "table" is a MaxCompute reserved word; choose another name (e.g. "table_value")`},
		{"fgen's own table", `table = "rpt_user_trace_data"`, `table = "fgen_partitions"`,
			`funnel.toml:94:1: funnels[0].report.table: report table "fgen_partitions" begins with "fgen_", which fgen keeps for its own tables (fgen_partitions, fgen_dropped, fgen_planned, fgen_tables, fgen_table_times) and the names in its SQL; choose another name (e.g. "my_partitions")`},
		{"fgen's own column name", `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "FGEN_copy",               type = "STRING", comment = "event payload" },`,
			`funnel.toml:71:5: dw.columns[6].name: DW column "FGEN_copy" begins with "fgen_", which fgen keeps for its own tables (fgen_partitions, fgen_dropped, fgen_planned, fgen_tables, fgen_table_times) and the names in its SQL; the DW node reads ODS columns by their names, so rename the column in the ODS table (its sync task) and in funnel.toml, or leave it out
funnel.toml:71:5: dw.columns[6].name: column "FGEN_copy" is not in the ODS table "ods_user_trace_data"; DW columns are copied from ODS columns of the same name`},
		{"parallel 0", `path = ".fgen/local.duckdb"`, `path = ".fgen/local.duckdb"
[targets.prod]
engine = "maxcompute"
endpoint = "https://service.cn-hangzhou.maxcompute.aliyun.com/api"
project = "user_trace"
parallel = 0`,
			`funnel.toml:114:1: targets.prod.parallel: parallel is the number of jobs apply runs at a time: give 1 or more, or leave it out for 1`},
		{"comment too long", `comment = "cleaned user trace events"`, `comment = "` + strings.Repeat("x", 1025) + `"`,
			`funnel.toml:62:1: dw.comment: comment is 1025 bytes long; MaxCompute takes at most 1024: shorten it`},
		{"bad identifier", `name = "ods_user_trace_data"`, `name = "ods-user-trace"`,
			`funnel.toml:39:1: ods.name: table name "ods-user-trace" is not a valid name; use a letter followed by letters, digits and '_'`},
		{"identifier too long", `name = "ods_user_trace_data"`, `name = "` + strings.Repeat("a", 129) + `"`,
			`funnel.toml:39:1: ods.name: table name "` + strings.Repeat("a", 129) + `" is 129 bytes long; MaxCompute allows at most 128`},
		{"duplicate stage", `{ name = "purchase", events = ["purchase"] },`, `{ name = "click", events = ["purchase"] },`,
			`funnel.toml:89:5: funnels[0].stages[2].name: stage "click" is defined twice
funnel.toml:99:1: funnels[0].report.count_column: report column "click" would be both count of stage 2 and count of stage 3; change the column name pattern`},
		// Once, not once per stage, and with the placeholders.
		{"placeholder in capitals", `count_column = "{stage}"`, `count_column = "{STAGE}"`,
			`funnel.toml:99:1: funnels[0].report.count_column: count_column "{STAGE}" has a brace that is no placeholder ("{STAGE}"); the placeholders are {stage}, {from} and {funnel}, in lower case`},
		{"placeholder of a column not reported", `overall_rate_column = ""`, `overall_rate_column = ""` + "\n" + `median_seconds_column = "{STAGE}_med"`,
			`funnel.toml:102:1: funnels[0].report.median_seconds_column: median_seconds_column applies only to mode = "ordered"`},
		{"count named by the stage before", `count_column = "{stage}"`, `count_column = "{from}_n"`,
			`funnel.toml:99:1: funnels[0].report.count_column: count_column "{from}_n" uses {from}, the stage before, which the first stage has none of; name the counts by {stage}`},
		{"unclosed placeholder", `count_column = "{stage}"`, `count_column = "n_{stage"`,
			`funnel.toml:99:1: funnels[0].report.count_column: count_column "n_{stage" has a brace that is no placeholder ("{"); the placeholders are {stage}, {from} and {funnel}, in lower case`},
		{"event in two stages", `{ name = "purchase", events = ["purchase"] },`, `{ name = "purchase", events = ["browse"] },`,
			`funnel.toml:89:34: funnels[0].stages[2].events[0]: event "browse" already belongs to stage "browse"; a row may count for one stage only`},
		{"empty stage list", `stages = [
  { name = "browse",   events = ["browse"] },
  { name = "click",    events = ["click"] },
  { name = "purchase", events = ["purchase"] },
]`, `stages = []`,
			`funnel.toml:86:1: funnels[0].stages: funnel "user_trace" has no stages; add [[funnels.stages]] with a name and events`},
		{"ordered needs a window and a time column", "mode = \"events\"\nuser", "mode = \"ordered\"\nuser",
			`funnel.toml:80:3: funnels[0].window: mode = "ordered" needs a window, e.g. window = "1h"
funnel.toml:80:3: funnels[0].time_column: time_column is required: mode = "ordered" orders each user's stage rows by it; name the DW column of each row's time, e.g. time_column = "ts"`},
		{"one stage", `  { name = "click",    events = ["click"] },
  { name = "purchase", events = ["purchase"] },
`, ``,
			`funnel.toml:86:1: funnels[0].stages: funnel "user_trace" has one stage; a funnel needs at least two`},
		{"window outside ordered", "mode = \"events\"\nuser", "mode = \"events\"\nwindow = \"1h\"\nuser",
			`funnel.toml:84:1: funnels[0].window: window applies only to mode = "ordered"`},
		{"breakdown not in DW", "event_column = \"customize_event\"\nstages", "event_column = \"customize_event\"\nbreakdowns = [\"city\"]\nstages",
			`funnel.toml:86:15: funnels[0].breakdowns[0]: breakdown "city" is not a column of the DW table "dw_user_trace_data"; add it to [dw] columns or name one of: uid, device_brand, device, system_type, customize_event, use_time, customize_event_content`},
		// Told once, not again as a report column that would be two.
		{"breakdown twice", "event_column = \"customize_event\"\nstages", "event_column = \"customize_event\"\nbreakdowns = [\"device\", \"device\"]\nstages",
			`funnel.toml:86:25: funnels[0].breakdowns[1]: breakdown "device" is listed twice`},
		{"breakdown limit without breakdowns", "event_column = \"customize_event\"\nstages", "event_column = \"customize_event\"\nbreakdown_limit = 10\nstages",
			`funnel.toml:86:1: funnels[0].breakdown_limit: breakdown_limit applies to breakdowns, and funnel "user_trace" has none; add breakdowns = ["..."] or remove it`},
		{"negative breakdown limit", "event_column = \"customize_event\"\nstages", "event_column = \"customize_event\"\nbreakdowns = [\"device\"]\nbreakdown_limit = -1\nstages",
			`funnel.toml:87:1: funnels[0].breakdown_limit: breakdown_limit must be a positive number of values to keep per breakdown, or 0 for no limit`},
		{"percentiles outside ordered mode", "partition = \"dt\"\ncount_type", "partition = \"dt\"\npercentiles = [50]\ncount_type",
			`funnel.toml:97:1: funnels[0].report.percentiles: percentiles applies only to mode = "ordered", which times each user's conversion`},
		{"percentile out of range", "partition = \"dt\"\ncount_type", "partition = \"dt\"\npercentiles = [50, 100.5]\ncount_type",
			`funnel.toml:97:1: funnels[0].report.percentiles: percentiles applies only to mode = "ordered", which times each user's conversion
funnel.toml:97:20: funnels[0].report.percentiles[1]: percentile 100.5: write a percent from 0.01 to 100 with at most two decimals, e.g. 50, 90 or 99.9`},
		{"percentile too fine", "partition = \"dt\"\ncount_type", "partition = \"dt\"\npercentiles = [99.999]\ncount_type",
			`funnel.toml:97:1: funnels[0].report.percentiles: percentiles applies only to mode = "ordered", which times each user's conversion
funnel.toml:97:16: funnels[0].report.percentiles[0]: percentile 99.999: write a percent from 0.01 to 100 with at most two decimals, e.g. 50, 90 or 99.9`},
		{"unknown layout", "partition = \"dt\"\ncount_type", "partition = \"dt\"\nlayout = \"tall\"\ncount_type",
			`funnel.toml:97:1: funnels[0].report.layout: "tall" is not one of "wide", "long"`},
		{"long layout with a column pattern", "partition = \"dt\"\ncount_type", "partition = \"dt\"\nlayout = \"long\"\ncount_type",
			`funnel.toml:100:1: funnels[0].report.count_column: count_column names the columns of layout = "wide"; the long layout's columns are fixed (stage, stage_index, events, step_rate, ...): remove it
funnel.toml:101:1: funnels[0].report.step_rate_column: step_rate_column names the columns of layout = "wide"; the long layout's columns are fixed (stage, stage_index, events, step_rate, ...): remove it
funnel.toml:102:1: funnels[0].report.overall_rate_column: overall_rate_column names the columns of layout = "wide"; the long layout's columns are fixed (stage, stage_index, events, step_rate, ...): remove it`},
		{"mode typo", "mode = \"events\"\nuser", "mode = \"event\"\nuser",
			`funnel.toml:83:1: funnels[0].mode: "event" is not one of "events", "users", "ordered"; did you mean "events"?`},
		{"credentials", `path = ".fgen/local.duckdb"`, `access_key = "secret"`,
			`funnel.toml:109:1: targets.local.access_key: credentials never go in funnel.toml; set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET in the environment, or use an odps config file (--odps-config)`},
		// The misspelt table is the one error, besides the missing one: the
		// funnels' columns are not checked against a DW table that is not there.
		{"misspelt table", `[dw]`, `[dws]`,
			"funnel.toml:1:1: dw: a [dw] table is required\nfunnel.toml:60:2: dws: unknown key \"dws\"; did you mean \"dw\"?"},
		{"misspelt ODS table", `[ods]`, `[odss]`,
			"funnel.toml:1:1: ods: an [ods] table is required\nfunnel.toml:38:2: odss: unknown key \"odss\"; did you mean \"ods\"?"},
		{"syntax error", `[dw]`, `[dw`,
			`funnel.toml:60:4: invalid TOML: expected ']' to close table name`},
		{"duplicate key", `comment = "cleaned user trace events"`, `comment = "cleaned user trace events"
comment = "again"`,
			`funnel.toml:63:1: invalid TOML: key comment is already defined`},
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
			var diags Diagnostics
			if !errors.As(err, &diags) {
				t.Errorf("error is %T, want Diagnostics", err)
			}
		})
	}
}

// An ODS column the DW node reads to deduplicate (or drop dirty rows)
// without copying it may not take fgen's prefix either: it sits beside the
// node's own names.
func TestDedupKeyOfFgensPrefix(t *testing.T) {
	text := strings.ReplaceAll(shipped(t), `name = "md5",`, `name = "fgen_copy",`)
	text = edit(t, text, `dedup_by = ["md5"]`, `dedup_by = ["fgen_copy"]`)
	_, err := Parse("funnel.toml", []byte(text))
	if err == nil || !strings.Contains(err.Error(), `dw.dedup_by[0]: ODS column "fgen_copy" begins with "fgen_"`) {
		t.Errorf("dedup_by fgen_copy: %v", err)
	}
	text = edit(t, text, `dedup_by = ["fgen_copy"]`, `dedup_by = []`)
	text = edit(t, text, `drop_empty = ["uid", "customize_event"]`, `drop_empty = ["uid", "customize_event", "fgen_copy"]`)
	if _, err := Parse("funnel.toml", []byte(text)); err == nil || !strings.Contains(err.Error(), `dw.drop_empty[2]: ODS column "fgen_copy" begins with "fgen_"`) {
		t.Errorf("drop_empty fgen_copy: %v", err)
	}
}

// A breakdown column named as fgen's SQL names a stage's count would be
// two columns of one name in the report node's SELECT.
func TestBreakdownNamedAsACount(t *testing.T) {
	text := strings.ReplaceAll(shipped(t), `name = "device",`, `name = "n_click",`)
	text = edit(t, text, "event_column = \"customize_event\"\nstages", "event_column = \"customize_event\"\nbreakdowns = [\"n_click\"]\nstages")
	_, err := Parse("funnel.toml", []byte(text))
	want := `funnel.toml:86:15: funnels[0].breakdowns[0]: breakdown "n_click" is a name fgen's SQL gives an aggregate of stage "click"; rename the stage`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	// The names of times are an ordered funnel's.
	ordered := edit(t, text, "mode = \"events\"\nuser", "mode = \"ordered\"\nwindow = \"1h\"\ntime_column = \"use_time\"\nuser")
	for _, name := range []string{"SP90_click", "h0_purchase", "savg_click"} {
		rename := func(text string) string { return strings.ReplaceAll(text, `"n_click"`, `"`+name+`"`) }
		if _, err := Parse("funnel.toml", []byte(rename(ordered))); err == nil || !strings.Contains(err.Error(), "breakdown \""+name+"\" is a name fgen's SQL gives") {
			t.Errorf("breakdown %s of an ordered funnel: %v", name, err)
		}
		if _, err := Parse("funnel.toml", []byte(rename(text))); err != nil {
			t.Errorf("breakdown %s of an events funnel: %v", name, err)
		}
	}
	if _, err := Parse("funnel.toml", []byte(strings.ReplaceAll(text, `"n_click"`, `"n_clicks"`))); err != nil {
		t.Errorf("breakdown n_clicks: %v", err)
	}
}

func TestTooManyStages(t *testing.T) {
	var stages strings.Builder
	for i := range MaxStages - 3 { // the shipped funnel has 3
		fmt.Fprintf(&stages, "  { name = \"s%d\", events = [\"e%d\"] },\n", i, i)
	}
	text := edit(t, shipped(t), `  { name = "purchase", events = ["purchase"] },
`, `  { name = "purchase", events = ["purchase"] },
`+stages.String())
	if _, err := Parse("funnel.toml", []byte(text)); err != nil {
		t.Fatalf("%d stages: %v", MaxStages, err)
	}
	text = edit(t, text, `  { name = "s0", events = ["e0"] },`, `  { name = "s0", events = ["e0"] },
  { name = "one_too_many", events = ["e_last"] },`)
	_, err := Parse("funnel.toml", []byte(text))
	want := `funnel.toml:86:1: funnels[0].stages: funnel "user_trace" has 33 stages; fgen counts at most 32 (a users funnel keeps a user's stages as bits of one BIGINT); split it into several funnels`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestAllErrorsAtOnceSorted(t *testing.T) {
	src := edit(t, shipped(t), `workspace = "user_trace"`, `workspace = 5`)
	src = edit(t, src, `user_column = "uid"`, `user_column = "user"`)
	src = edit(t, src, `drop_empty = ["uid"`, `drop_emtpy = ["uid"`)
	_, err := Parse("funnel.toml", []byte(src))
	var diags Diagnostics
	if !errors.As(err, &diags) || len(diags) != 3 {
		t.Fatalf("got %v", err)
	}
	for i := 1; i < len(diags); i++ {
		if diags[i].Pos.Line < diags[i-1].Pos.Line {
			t.Errorf("not sorted: %v", err)
		}
	}
}

// An unknown type's fix: another dialect's name says the MaxCompute one,
// a near typo the type it may be, and nothing is guessed from a short or
// far name.
func TestUnknownTypeFix(t *testing.T) {
	for typ, want := range map[string]string{
		"INTEGER": "MaxCompute calls it INT", "float64": "MaxCompute calls it DOUBLE", "BLOB": "MaxCompute calls it BINARY",
		"UINT32": "MaxCompute calls it BIGINT", "BIGNIT": "did you mean BIGINT?", "INTEGR": "did you mean INT?",
		"BOOLEN": "did you mean BOOLEAN?", "varchr(10)": "did you mean VARCHAR?",
		"BIT": "use a MaxCompute type such as", "INT128": "use a MaxCompute type such as", "INT8": "an 8-bit TINYINT in ClickHouse",
		"JSONB": "use a MaxCompute type such as",
	} {
		if _, err := NormalizeType(typ); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NormalizeType(%q) = %v, want %q", typ, err, want)
		}
	}
}

func TestVersionRequired(t *testing.T) {
	_, err := Parse("f.toml", []byte(strings.Replace(shipped(t), "version = 1", "", 1)))
	if err == nil || !strings.Contains(err.Error(), "version is required; add 'version = 1'") {
		t.Errorf("got %v", err)
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]int64{"30m": 1800, "1h": 3600, "7d": 604800, "90s": 90, "1h30m": 5400} {
		d, err := parseDuration(in)
		if err != nil || d.Seconds != want {
			t.Errorf("%s: %d %v, want %d", in, d.Seconds, err, want)
		}
	}
	if d, err := parseDuration("106751d23h47m16s854ms"); err != nil || d.D != math.MaxInt64/time.Millisecond*time.Millisecond {
		t.Errorf("the longest duration: %v %v", d.D, err)
	}
	for _, in := range []string{"1", "h", "1w", "-1h", "1.5h", "5us", "106752d", "99999999999999999999s", "106751d23h47m16s854ms1ms"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

// TestDurationTags: every Duration field has a duration tag, with a range
// that holds its default.
func TestDurationTags(t *testing.T) {
	var walk func(typ reflect.Type)
	walk = func(typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			sf := typ.Field(i)
			ft := sf.Type
			for ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
				ft = ft.Elem()
			}
			switch {
			case ft == reflect.TypeOf(Duration{}):
				tag, ok := sf.Tag.Lookup("duration")
				if !ok {
					t.Errorf("%s.%s has no duration tag", typ.Name(), sf.Name)
					continue
				}
				lo, hi, _ := durationRange(tag)
				if def, ok := sf.Tag.Lookup("default"); ok {
					if d, err := parseDuration(def); err != nil || d.D < lo.D || d.D > hi.D {
						t.Errorf("%s.%s: default %q is outside %s", typ.Name(), sf.Name, def, tag)
					}
				}
			case ft.Kind() == reflect.Struct:
				walk(ft)
			}
		}
	}
	walk(reflect.TypeOf(Config{}))
}

func TestNormalizeType(t *testing.T) {
	for in, want := range map[string]string{"string": "STRING", "decimal(10, 2)": "DECIMAL(10,2)", "decimal(10,\t2)": "DECIMAL(10,2)", "varchar(64)": "VARCHAR(64)", "Bigint": "BIGINT",
		"decimal": "DECIMAL", "decimal(38,38)": "DECIMAL(38,38)", "decimal(1)": "DECIMAL(1)", "varchar(65535)": "VARCHAR(65535)", "char(255)": "CHAR(255)", "char(1)": "CHAR(1)"} {
		if got, err := NormalizeType(in); err != nil || got != want {
			t.Errorf("%s: %s %v", in, got, err)
		}
	}
	for _, in := range []string{"varchar", "bigint(3)", "text", "",
		// beyond MaxCompute's (and DuckDB's) limits
		"decimal(0,0)", "decimal(39,2)", "decimal(10,20)", "decimal(99999999999999999999)",
		"varchar(0)", "varchar(65536)", "varchar(99999999999999999999)", "char(0)", "char(256)", "varchar(1,2)"} {
		if _, err := NormalizeType(in); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

// FuzzParse checks that no input makes Parse panic, and that every error is
// a positioned diagnostic on one line, free of control characters. Its seed
// corpus runs with the normal tests.
func FuzzParse(f *testing.F) {
	f.Add(shipped(f))
	f.Add("version = 1\n[project]\nname = \"x\"\n")
	f.Add("[[funnels]]\n[[funnels.stages]]\nname = 1\n")
	f.Add("a.b.c = 1\n[a]\n")
	f.Add("[targets.x]\nengine = \"maxcompute\"\nhints = { a = 1 }\n")
	f.Add("funnels = [ { stages = [ { events = [[]] } ] } ]")
	f.Add("\"a\\n\" = 1\n\"a\\n\" = 2\n")
	f.Add("[targets.\"x\\u0000\"]\nengine = \"maxcompute\"\nendpoint = \"http://u:p@h/api\"\nhints = { \"a\\tb\" = \"c\" }\n")
	f.Fuzz(func(t *testing.T, src string) {
		cfg, err := Parse("f.toml", []byte(src))
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without error")
			}
			return
		}
		var diags Diagnostics
		if !errors.As(err, &diags) || len(diags) == 0 {
			t.Fatalf("error is not Diagnostics: %v", err)
		}
		for _, d := range diags {
			if d.Pos.Line < 1 || d.Pos.Column < 1 || !strings.HasPrefix(d.Error(), "f.toml:") {
				t.Fatalf("bad diagnostic %q", d.Error())
			}
			if r, bad := controlChar(d.Error(), false); bad {
				t.Fatalf("diagnostic %q holds the control character U+%04X", d.Error(), r)
			}
		}
	})
}

func TestOtherMarkerMustDiffer(t *testing.T) {
	src := edit(t, shipped(t), "event_column = \"customize_event\"\nstages", "event_column = \"customize_event\"\nbreakdowns = [\"device\"]\nbreakdown_limit = 3\nstages")
	if _, err := Parse("funnel.toml", []byte(src)); err != nil {
		t.Fatalf("a breakdown limit with the default markers: %v", err)
	}
	src = edit(t, src, "partition = \"dt\"\ncount_type", "partition = \"dt\"\nother_marker = \"all\"\ncount_type")
	_, err := Parse("funnel.toml", []byte(src))
	want := `funnel.toml:99:1: funnels[0].report.other_marker: other_marker "all" must differ from total_marker and null_marker, or the merged values' row can not be told apart`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want\n%s", err, want)
	}
}

// TestDistributions: percentiles and a histogram need an ordered funnel in
// the long layout, and edges in increasing order at the time column's
// precision.
func TestDistributions(t *testing.T) {
	ordered := edit(t, shipped(t), "mode = \"events\"\nuser", "mode = \"ordered\"\nwindow = \"1h\"\ntime_column = \"use_time\"\nuser")
	report := func(lines string) string {
		src := edit(t, ordered, "partition = \"dt\"\ncount_type = \"STRING\"              # BIGINT, or STRING as the article's table has it\nrate_format = \"percent\"            # \"ratio\": DOUBLE 0..1; \"percent\": STRING such as '34.29%'\ncount_column = \"{stage}\"           # one count column per stage: browse, click, purchase\nstep_rate_column = \"{from}_rate\"   # count / previous count, named after the previous stage: browse_rate = click / browse\noverall_rate_column = \"\"",
			"partition = \"dt\"\n"+lines)
		return src
	}
	good, err := Parse("funnel.toml", []byte(report("layout = \"long\"\npercentiles = [50, 90, 99.9]\nhistogram = [\"10s\", \"1m\", \"1h\"]")))
	if err != nil {
		t.Fatal(err)
	}
	f := &good.Funnels[0]
	if got := f.Percentiles(); !slices.Equal(got, []int{5000, 9000, 9990}) {
		t.Errorf("percentiles in basis points = %v", got)
	}
	if got := f.HistogramEdges(1000); !slices.Equal(got, []int64{0, 10000, 60000, 3600000}) {
		t.Errorf("edges in ms = %v", got)
	}
	if got := f.BucketLabels(); !slices.Equal(got, []string{"0s_10s", "10s_1m", "1m_1h", "1h_up"}) {
		t.Errorf("bucket labels = %v", got)
	}
	var names []string
	for _, c := range f.ReportColumns() {
		names = append(names, c.Name)
	}
	for _, want := range []string{"stage", "stage_index", "users", "step_rate", "p99_9_seconds", "step_p50_seconds", "h_1h_up", "step_h_0s_10s"} {
		if !slices.Contains(names, want) {
			t.Errorf("long layout columns %v lack %s", names, want)
		}
	}
	for _, tt := range []struct{ lines, want string }{
		{"percentiles = [50]", `funnel.toml:99:1: funnels[0].report.percentiles: percentiles need layout = "long": a row per stage, with a column per percentile and per bucket, where the wide layout would need them for every stage`},
		{"layout = \"long\"\npercentiles = [50, 50.0]", `funnel.toml:100:20: funnels[0].report.percentiles[1]: percentile 50.0 is listed twice`},
		{"layout = \"long\"\nhistogram = [\"1m\", \"30s\"]", `funnel.toml:100:20: funnels[0].report.histogram[1]: histogram edge "30s" must be greater than the one before, "1m"; list the edges in increasing order`},
		{"layout = \"long\"\nhistogram = [\"1500ms\"]", `funnel.toml:100:14: funnels[0].report.histogram[0]: histogram edge "1500ms" is finer than the time column, which counts whole seconds`},
	} {
		_, err := Parse("funnel.toml", []byte(report(tt.lines)))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\ngot  %v\nwant %s", tt.lines, err, tt.want)
		}
	}
}

// TestOneFormatPerTimeColumn: the DW node drops the values of a STRING time
// column that do not read in its format, so two funnels may not read one
// column two ways.
func TestOneFormatPerTimeColumn(t *testing.T) {
	// event_time, a STRING column of both tables.
	src := strings.ReplaceAll(shipped(t), `
  { name = "customize_event_content"`, `
  { name = "event_time",              type = "STRING" },
  { name = "customize_event_content"`)
	funnel := func(name, table, format string) string {
		return fmt.Sprintf(`
[[funnels]]
name = %q
mode = "ordered"
window = "1h"
user_column = "uid"
event_column = "customize_event"
time_column = { name = "event_time", format = %q, timezone = "UTC" }
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }]
[funnels.report]
table = %q
`, name, format, table)
	}
	i := strings.Index(src, "\n# Where 'fgen apply' runs.")
	if i < 0 {
		t.Fatal("no targets section in the shipped config")
	}
	same := src[:i] + funnel("a", "rpt_a", "yyyy-MM-dd HH:mm:ss") + funnel("b", "rpt_b", "yyyy-MM-dd HH:mm:ss") + src[i:]
	cfg, err := Parse("funnel.toml", []byte(same))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.StringTimes(); len(got) != 1 || got[0].Name != "event_time" {
		t.Errorf("StringTimes = %+v, want event_time once", got)
	}
	two := src[:i] + funnel("a", "rpt_a", "yyyy-MM-dd HH:mm:ss") + funnel("b", "rpt_b", "dd/MM/yyyy HH:mm") + src[i:]
	_, err = Parse("funnel.toml", []byte(two))
	want := `funnels[2].time_column: funnel "a" reads "event_time" as "yyyy-MM-dd HH:mm:ss" in UTC, and this funnel as "dd/MM/yyyy HH:mm" in UTC; a column has one format and time zone: use the same in both`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}

	// The format reaches the SQL (its literal text too): no ${ (DataWorks
	// would replace it) and no control character.
	for format, want := range map[string]string{
		"yyyy-MM-dd HH:mm:ss '${x}'": `format "yyyy-MM-dd HH:mm:ss '${x}'" contains "${"`,
		"yyyy-MM-dd HH:mm:ss '\a'":   `format "yyyy-MM-dd HH:mm:ss '\a'" contains the control character U+0007`,
	} {
		f := strings.ReplaceAll(funnel("a", "rpt_a", format), `\a`, `\u0007`) // in TOML's escape
		_, err = Parse("funnel.toml", []byte(src[:i]+f+src[i:]))
		if err == nil || !strings.Contains(err.Error(), "funnels[1].time_column.format: "+want) {
			t.Errorf("format %q: got %v, want %s", format, err, want)
		}
	}
}

// ColumnOrigin reads back what made each wide report column from the
// comment ReportColumns gives it.
func TestColumnOrigin(t *testing.T) {
	for _, path := range []string{"../funnel.toml", "../generator/testdata/configs/modes.toml", "../generator/testdata/configs/hourly.toml"} {
		cfg, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range cfg.Funnels {
			if f.Long() {
				continue
			}
			for _, c := range f.ReportColumns() {
				breakdown, stages := ColumnOrigin(c.Name, c.Comment)
				switch {
				case c.Stage < 0 && breakdown != c.Dimension:
					t.Errorf("%s: %s (%q): breakdown %q, want %q", path, c.Name, c.Comment, breakdown, c.Dimension)
				case c.Stage >= 0 && (breakdown != "" || len(stages) == 0 || stages[0] != f.Stages[c.Stage].Name):
					t.Errorf("%s: %s (%q): breakdown %q, stages %q; want stage %s first", path, c.Name, c.Comment, breakdown, stages, f.Stages[c.Stage].Name)
				}
			}
		}
	}
	if breakdown, stages := ColumnOrigin("stage_index", "the stage's place in the funnel, from 1"); breakdown != "" || stages != nil {
		t.Errorf("origin of a long layout column: %q %q, want none", breakdown, stages)
	}
}

// An event column of integer codes takes event values that are integers of
// its type, written as its values read; the nodes compare it with them as
// integers. A column of another type holds no events.
func TestEventCodes(t *testing.T) {
	const dwEvent, odsEvent = `{ name = "customize_event",         type = "STRING", comment = "event" },`, `type = "STRING", comment = "event: browse`
	codes := func(typ string, events ...string) string {
		s := edit(t, shipped(t), dwEvent, strings.Replace(dwEvent, "STRING", typ, 1))
		s = edit(t, s, odsEvent, strings.Replace(odsEvent, "STRING", typ, 1))
		for i, old := range []string{`events = ["browse"]`, `events = ["click"]`, `events = ["purchase"]`} {
			if i < len(events) {
				s = edit(t, s, old, `events = [`+events[i]+`]`)
			}
		}
		return s
	}
	for _, tt := range []struct {
		name, config, want string
	}{
		{"names", codes("BIGINT"), `funnel.toml:87:34: funnels[0].stages[0].events[0]: event "browse" is not an integer, and event_column customize_event is BIGINT: its events are integer codes; write them as integers, e.g. events = ["1"], or make the column STRING
funnel.toml:88:34: funnels[0].stages[1].events[0]: event "click" is not an integer, and event_column customize_event is BIGINT: its events are integer codes; write them as integers, e.g. events = ["1"], or make the column STRING
funnel.toml:89:34: funnels[0].stages[2].events[0]: event "purchase" is not an integer, and event_column customize_event is BIGINT: its events are integer codes; write them as integers, e.g. events = ["1"], or make the column STRING`},
		{"not as read", codes("INT", `"1"`, `"+2"`, `"03", "4"`), `funnel.toml:88:34: funnels[0].stages[1].events[0]: event "+2" is the integer code 2 of event_column customize_event, INT; write it "2", as the column's values read
funnel.toml:89:34: funnels[0].stages[2].events[0]: event "03" is the integer code 3 of event_column customize_event, INT; write it "3", as the column's values read`},
		{"beyond the type", codes("TINYINT", `"1"`, `"128"`, `"99999999999999999999"`), `funnel.toml:88:34: funnels[0].stages[1].events[0]: event "128" is beyond the range of event_column customize_event, TINYINT (-128 to 127)
funnel.toml:89:34: funnels[0].stages[2].events[0]: event "99999999999999999999" is beyond the range of event_column customize_event, TINYINT (-128 to 127)`},
		{"beyond BIGINT", codes("BIGINT", `"1"`, `"-9223372036854775808"`, `"9223372036854775807"`), `funnel.toml:88:34: funnels[0].stages[1].events[0]: event "-9223372036854775808" is beyond the range of event_column customize_event, BIGINT (-9223372036854775807 to 9223372036854775807)`},
		{"doubles", codes("DOUBLE", `"1"`, `"2"`, `"3"`), `funnel.toml:85:1: funnels[0].event_column: event_column customize_event is DOUBLE in the DW table; an event column holds strings or integer event codes: make it STRING (or BIGINT)`},
		// A string in the DW table does not make the ODS table's codes strings.
		{"codes cast to strings", edit(t, codes("BIGINT"), `type = "BIGINT", comment = "event" },`, `type = "STRING", comment = "event" },`),
			`funnel.toml:87:34: funnels[0].stages[0].events[0]: event "browse" is not an integer, and event_column customize_event is BIGINT: its events are integer codes; write them as integers, e.g. events = ["1"], or make the column STRING
funnel.toml:88:34: funnels[0].stages[1].events[0]: event "click" is not an integer, and event_column customize_event is BIGINT: its events are integer codes; write them as integers, e.g. events = ["1"], or make the column STRING
funnel.toml:89:34: funnels[0].stages[2].events[0]: event "purchase" is not an integer, and event_column customize_event is BIGINT: its events are integer codes; write them as integers, e.g. events = ["1"], or make the column STRING`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("funnel.toml", []byte(tt.config))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
	// Codes of both tables' types, the narrower (the ODS table's, which the
	// DW node filters) bounding them.
	ok := edit(t, codes("BIGINT", `"1"`, `"2", "-4"`, `"127"`), `type = "BIGINT", comment = "event: browse`, `type = "TINYINT", comment = "event: browse`)
	if _, err := Parse("funnel.toml", []byte(ok)); err != nil {
		t.Errorf("codes of a TINYINT ODS and a BIGINT DW column: %v", err)
	}
	if _, err := Parse("funnel.toml", []byte(strings.Replace(ok, `"127"`, `"128"`, 1))); err == nil || !strings.Contains(err.Error(), `event "128" is beyond the range of event_column customize_event, TINYINT (-128 to 127)`) {
		t.Errorf("a code beyond the ODS column's TINYINT: %v", err)
	}
}

// A funnel's user, event and time columns are three columns, and a BIGINT
// time column is read in one unit by every funnel.
func TestFunnelColumnsAreDistinct(t *testing.T) {
	src := readFile(t, "../generator/testdata/configs/modes.toml")
	i := strings.Index(src, "\n[targets.local]")
	if i < 0 {
		t.Fatal("no [targets.local] in modes.toml")
	}
	funnel := func(user, event, time string) string {
		return fmt.Sprintf(`
[[funnels]]
name = "extra"
mode = "ordered"
window = "1h"
user_column = %q
event_column = %q
time_column = %s
stages = [{ name = "browse", events = ["browse"] }, { name = "click", events = ["click"] }]
[funnels.report]
table = "rpt_extra"
`, user, event, time)
	}
	for _, tc := range []struct{ funnel, want string }{
		{funnel("ts", "customize_event", `"ts"`), `time_column "ts" is also the user_column; name the DW column of each row's time`},
		{funnel("uid", "uid", `"ts"`), `event_column "uid" is also the user_column; name the DW column of each row's event`},
		{funnel("uid", "ts", `"ts"`), `time_column "ts" is also the event_column; name the DW column of each row's time`},
		{funnel("uid", "customize_event", `{ name = "ts", unit = "ms" }`), `funnel "users_by_device" reads "ts" in epoch seconds, and this funnel in epoch milliseconds; a column has one unit: use the same in both`},
	} {
		_, err := Parse("funnel.toml", []byte(src[:i]+tc.funnel+src[i:]))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v\nwant %s", err, tc.want)
		}
	}
	if _, err := Parse("funnel.toml", []byte(src[:i]+funnel("uid", "customize_event", `"ts"`)+src[i:])); err != nil {
		t.Errorf("a funnel of three columns: %v", err)
	}
}

// A breakdown is no partition column: its error says so, rather than to
// add it to the DW's columns (which the partition column may not be).
func TestBreakdownOfAPartitionColumn(t *testing.T) {
	src := strings.Replace(shipped(t), `[funnels.report]`, "breakdowns = [\"dt\"]\n[funnels.report]", 1)
	_, err := Parse("funnel.toml", []byte(src))
	if want := `breakdown "dt" is a partition column of the DW table, which holds the day or the hour, not a value of the rows`; err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "add it to [dw] columns") {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// A stage name that is no name is told once, at the stage, not again at
// the report columns named from it.
func TestBadStageNameToldOnce(t *testing.T) {
	src := strings.Replace(shipped(t), `{ name = "purchase", events = ["purchase"] }`, `{ name = "1buy", events = ["purchase"] }`, 1)
	_, err := Parse("funnel.toml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `stage name "1buy" is not a valid name`) || strings.Contains(err.Error(), "count_column") || strings.Contains(err.Error(), "rate_column") {
		t.Errorf("got %v", err)
	}
}
