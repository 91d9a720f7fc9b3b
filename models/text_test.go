package models

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// badEdit is an edit of the shipped config (old "" appends new) and the
// diagnostics it must give, exactly.
type badEdit struct {
	name     string
	old, new string
	want     string
}

func runBadEdits(t *testing.T, tests []badEdit) {
	t.Helper()
	base := shipped(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := base + tt.new
			if tt.old != "" {
				src = edit(t, base, tt.old, tt.new)
			}
			_, err := Parse("funnel.toml", []byte(src))
			if err == nil {
				t.Fatalf("no error, want\n%s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestPlaceholderInSQLText: DataWorks replaces ${...} anywhere in a node's
// code, string literals and comments included, so no string that reaches
// generated SQL may hold "${".
func TestPlaceholderInSQLText(t *testing.T) {
	const why = `contains "${", which DataWorks replaces with a scheduling parameter anywhere in a node's code, string literals and comments included; remove it`
	runBadEdits(t, []badEdit{
		{"table comment", `comment = "cleaned user trace events"`, `comment = "cleaned ${bizdate} events"`,
			`funnel.toml:62:1: dw.comment: comment "cleaned ${bizdate} events" ` + why},
		{"column comment", `comment = "hash of the log record"`, `comment = "${x}"`,
			`funnel.toml:44:56: ods.columns[0].comment: comment "${x}" ` + why},
		{"description", `description = "browse -> click -> purchase, events per day"`, `description = "per ${bdp.system.bizdate}"`,
			`funnel.toml:82:1: funnels[0].description: description "per ${bdp.system.bizdate}" ` + why},
		{"event value", `events = ["click"]`, `events = ["click", "cl${x}"]`,
			`funnel.toml:88:43: funnels[0].stages[1].events[1]: event value "cl${x}" ` + why},
		{"report comment", `comment = "daily browse/click/purchase funnel"`, `comment = "${a"`,
			`funnel.toml:95:1: funnels[0].report.comment: comment "${a" ` + why},
		{"total marker", `partition = "dt"
count_type`, `partition = "dt"
total_marker = "${x}"
count_type`,
			`funnel.toml:97:1: funnels[0].report.total_marker: total_marker "${x}" ` + why},
		{"null marker", `partition = "dt"
count_type`, `partition = "dt"
null_marker = "n/a ${x}"
count_type`,
			`funnel.toml:97:1: funnels[0].report.null_marker: null_marker "n/a ${x}" ` + why},
	})
}

// prod is a MaxCompute target appended to the shipped config (117 lines):
// its table starts on line 118, and a key added after it is on line 122.
const prod = `[targets.prod]
engine = "maxcompute"
endpoint = "https://service.cn-hangzhou.maxcompute.aliyun.com/api"
project = "user_trace"
`

// TestControlCharacters: NUL and the other control characters are refused
// everywhere, with a position; tab and newline only in strings that reach
// SQL, where they are data (event values, markers) or folded and escaped
// (comments, descriptions).
func TestControlCharacters(t *testing.T) {
	const rm = "; remove it"
	const rmSQL = "; remove it (tab and newline are the only control characters allowed here)"
	runBadEdits(t, []badEdit{
		{"NUL in an event value", `events = ["click"]`, `events = ["cl\u0000ick"]`,
			`funnel.toml:88:34: funnels[0].stages[1].events[0]: event value "cl\x00ick" contains the control character U+0000` + rmSQL},
		{"carriage return in a marker", `partition = "dt"
count_type`, `partition = "dt"
null_marker = "n/a\r"
count_type`,
			`funnel.toml:97:1: funnels[0].report.null_marker: null_marker "n/a\r" contains the control character U+000D` + rmSQL},
		{"escape in a description", `description = "browse -> click -> purchase, events per day"`, `description = "\u001b[2Jgone"`,
			`funnel.toml:82:1: funnels[0].description: description "\x1b[2Jgone" contains the control character U+001B` + rmSQL},
		{"DEL in a column comment", `comment = "hash of the log record"`, `comment = "a\u007fb"`,
			`funnel.toml:44:56: ods.columns[0].comment: comment "a\x7fb" contains the control character U+007F` + rmSQL},
		{"C1 control in a table comment", `comment = "cleaned user trace events"`, `comment = "a\u0085b"`,
			`funnel.toml:62:1: dw.comment: comment "a\u0085b" contains the control character U+0085` + rmSQL},
		{"line separator in a report comment", `comment = "daily browse/click/purchase funnel"`, `comment = "a\u2028b"`,
			`funnel.toml:95:1: funnels[0].report.comment: comment "a\u2028b" contains the control character U+2028` + rmSQL},
		{"bidi override in an event value", `events = ["click"]`, `events = ["\u202eclick"]`,
			`funnel.toml:88:34: funnels[0].stages[1].events[0]: event value "\u202eclick" contains the control character U+202E` + rmSQL},
		{"tab in the cron", `cron = "00 30 02 * * ?"`, `cron = "00\t30 02 * * ?"`,
			`funnel.toml:31:1: dataworks.cron: cron "00\t30 02 * * ?" contains the control character U+0009` + rm},
		{"NUL in the time zone", `timezone = "Asia/Shanghai"`, `timezone = "Asia/Shanghai\u0000"`,
			`funnel.toml:32:1: dataworks.timezone: timezone "Asia/Shanghai\x00" contains the control character U+0000` + rm},
		{"newline in ods_producer", `# ods_producer = "user_trace.ods_user_trace_data"`, `ods_producer = "user_trace.ods\n"`,
			`funnel.toml:34:1: dataworks.ods_producer: ods_producer "user_trace.ods\n" contains the control character U+000A` + rm},
		{"newline in spec_version", `timezone = "Asia/Shanghai"`, `timezone = "Asia/Shanghai"
spec_version = "1.1.0\n"`,
			`funnel.toml:33:1: dataworks.spec_version: spec_version "1.1.0\n" contains the control character U+000A` + rm},
		{"newline in a path", `path = ".fgen/local.duckdb"`, `path = ".fgen/\nlocal.duckdb"`,
			`funnel.toml:109:1: targets.local.path: path ".fgen/\nlocal.duckdb" contains the control character U+000A` + rm},
		{"newline in memory_limit", `# memory_limit = "512MB"`, `memory_limit = "2\nGB"`,
			`funnel.toml:111:1: targets.local.memory_limit: memory_limit "2\nGB" is not a size like "2GB" or "512MB"`},
		{"unknown FlowSpec version", `timezone = "Asia/Shanghai"`, `timezone = "Asia/Shanghai"
spec_version = "banana"`,
			`funnel.toml:33:1: dataworks.spec_version: spec_version "banana" is not a FlowSpec version: give 1.1.0 (fgen's default), 1.0.0 or 1.2.0`},
		{"wide space in ods_producer", `# ods_producer = "user_trace.ods_user_trace_data"`, "ods_producer = \"x\u3000y\"",
			"funnel.toml:34:1: dataworks.ods_producer: ods_producer \"x\\u3000y\" contains a space; it is the output name of the node that fills the ODS table, such as \"user_trace.ods_user_trace_data\""},
		{"space in ods_producer", `# ods_producer = "user_trace.ods_user_trace_data"`, `ods_producer = "x y"`,
			`funnel.toml:34:1: dataworks.ods_producer: ods_producer "x y" contains a space; it is the output name of the node that fills the ODS table, such as "user_trace.ods_user_trace_data"`},
		// DataWorks' FlowSpec parser reads {{...}} as a reference, and fgen's
		// own outputs make a cycle (both found by aliyun/dataworks-spec).
		{"brace in ods_producer", `# ods_producer = "user_trace.ods_user_trace_data"`, `ods_producer = "{{user_trace.ods}}"`,
			`funnel.toml:34:1: dataworks.ods_producer: ods_producer "{{user_trace.ods}}" has a brace, which DataWorks' FlowSpec reads as a reference ({{id}}), not an output name; give the output name of the node that fills the ODS table, such as "user_trace.ods_user_trace_data"`},
		{"ods_producer is the DW node", `# ods_producer = "user_trace.ods_user_trace_data"`, `ods_producer = "user_trace.dw_user_trace_data"`,
			`funnel.toml:34:1: dataworks.ods_producer: ods_producer "user_trace.dw_user_trace_data" is the output of fgen's own node dw_user_trace_data: the DW node would depend on it, a cycle DataWorks never runs; give the output name of the node that fills the ODS table, such as "user_trace.ods_user_trace_data"`},
		{"ods_producer is a report node", `# ods_producer = "user_trace.ods_user_trace_data"`, `ods_producer = "USER_TRACE.rpt_user_trace_data"`,
			`funnel.toml:34:1: dataworks.ods_producer: ods_producer "USER_TRACE.rpt_user_trace_data" is the output of fgen's own node rpt_user_trace_data: the DW node would depend on it, a cycle DataWorks never runs; give the output name of the node that fills the ODS table, such as "user_trace.ods_user_trace_data"`},
		{"no memory", `# memory_limit = "512MB"`, `memory_limit = "0B"`,
			`funnel.toml:111:1: targets.local.memory_limit: memory_limit "0B" is outside what DuckDB can work in: give from 16MB to 1000TB, e.g. "2GB"`},
		{"too much memory", `# memory_limit = "512MB"`, `memory_limit = "99999999999999999999TB"`,
			`funnel.toml:111:1: targets.local.memory_limit: memory_limit "99999999999999999999TB" is outside what DuckDB can work in: give from 16MB to 1000TB, e.g. "2GB"`},
		{"a million threads", `# threads = 2`, `threads = 1000000`,
			`funnel.toml:110:1: targets.local.threads: threads = 1000000: DuckDB would start that many threads; give at most 1024, or 0 for the default`},
		{"newline in a target name", `[targets.local]`, `[targets."lo\ncal"]`,
			`funnel.toml:107:10: targets."lo\ncal": target name "lo\ncal" contains the control character U+000A` + rm},
		{"NUL in a project", "", `[targets.prod]
engine = "maxcompute"
endpoint = "https://service.cn-hangzhou.maxcompute.aliyun.com/api"
project = "user_trace\u0000"
`, `funnel.toml:121:1: targets.prod.project: project "user_trace\x00" contains the control character U+0000` + rm},
		{"tab in a schema", "", prod + `schema = "s\t"
`, `funnel.toml:122:1: targets.prod.schema: schema "s\t" contains the control character U+0009` + rm},
		{"newline in a hint", "", prod + `hints = { "odps.sql.x" = "a\nb" }
`, `funnel.toml:122:11: targets.prod.hints."odps.sql.x": hint "a\nb" contains the control character U+000A` + rm},
		{"newline in a hint name", "", prod + `hints = { "odps\n" = "true" }
`, `funnel.toml:122:11: targets.prod.hints."odps\n": hint name "odps\n" contains the control character U+000A` + rm},
	})
}

// TestTabAndNewlineInSQLText: event values and markers may hold tab and
// newline (they are data, written byte-exact), and comments and
// descriptions may too (folded in "--" comments, escaped in literals).
func TestTabAndNewlineInSQLText(t *testing.T) {
	src := edit(t, shipped(t), `events = ["click"]`, `events = ["cl\tick", "a\nb"]`)
	src = edit(t, src, `comment = "cleaned user trace events"`, `comment = "cleaned\tuser\ntrace events"`)
	src = edit(t, src, `description = "browse -> click -> purchase, events per day"`, `description = "two\nlines"`)
	src = edit(t, src, "partition = \"dt\"\ncount_type", "partition = \"dt\"\ntotal_marker = \"all\\t\"\nnull_marker = \"n/a\\n\"\ncount_type")
	if _, err := Parse("funnel.toml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

// TestCredentials: no credential can be written into funnel.toml, not in
// the endpoint URL, not as a hint; and no message repeats it.
func TestCredentials(t *testing.T) {
	const fix = "set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET in the environment, or use an odps config file (--odps-config)"
	endpoint := func(ep string) string {
		return strings.Replace(prod, "https://service.cn-hangzhou.maxcompute.aliyun.com/api", ep, 1)
	}
	hint := func(key string) string { return prod + "hints = { " + key + " = \"Sup3rS3cret\" }\n" }
	tests := []badEdit{
		{"userinfo in the endpoint", "", endpoint("http://LTAIid:Sup3rS3cret@service.cn-hangzhou.maxcompute.aliyun.com/api"),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint "http://[redacted]@service.cn-hangzhou.maxcompute.aliyun.com/api" holds credentials; remove them: credentials never go in funnel.toml; ` + fix},
		{"user only in the endpoint", "", endpoint("https://Sup3rS3cret@host/api"),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint "https://[redacted]@host/api" holds credentials; remove them: credentials never go in funnel.toml; ` + fix},
		{"query in the endpoint", "", endpoint("https://host/api?AccessKeySecret=Sup3rS3cret"),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint "https://host/api?[redacted]" must have no query (?...) or fragment (#...); write it like "https://service.cn-hangzhou.maxcompute.aliyun.com/api"`},
		{"fragment in the endpoint", "", endpoint("https://host/api#Sup3rS3cret"),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint "https://host/api#[redacted]" must have no query (?...) or fragment (#...); write it like "https://service.cn-hangzhou.maxcompute.aliyun.com/api"`},
		{"no scheme", "", endpoint("LTAIid:Sup3rS3cret@host/api"),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint "ltaiid:[redacted]" is not an http(s) URL; write it like "https://service.cn-hangzhou.maxcompute.aliyun.com/api"`},
		{"not a URL", "", endpoint("https://Sup3rS3cret@host/api%zz"),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint is not a valid URL; write it like "https://service.cn-hangzhou.maxcompute.aliyun.com/api"`},
		{"control character in the endpoint", "", endpoint(`https://Sup3rS3cret@host/api\n`),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint contains the control character U+000A; remove it`},
		{"not /api", "", endpoint("ftp://Sup3rS3cret@host/x"),
			`funnel.toml:120:1: targets.prod.endpoint: endpoint "ftp://[redacted]@host/x" holds credentials; remove them: credentials never go in funnel.toml; ` + fix},
		{"access_key hint", "", hint("access_key"),
			`funnel.toml:122:11: targets.prod.hints.access_key: hint "access_key" looks like a credential; credentials never go in funnel.toml; ` + fix},
		{"dotted hint", "", hint(`"odps.access.key"`),
			`funnel.toml:122:11: targets.prod.hints."odps.access.key": hint "odps.access.key" looks like a credential; credentials never go in funnel.toml; ` + fix},
		{"hint, other case", "", hint("AccessKeyId"),
			`funnel.toml:122:11: targets.prod.hints.AccessKeyId: hint "AccessKeyId" looks like a credential; credentials never go in funnel.toml; ` + fix},
		{"short access key hint", "", hint(`"odps.ak"`),
			`funnel.toml:122:11: targets.prod.hints."odps.ak": hint "odps.ak" looks like a credential; credentials never go in funnel.toml; ` + fix},
		{"AccessKey ID as a hint's value", "", prod + "hints = { \"odps.owner\" = \"LTAI5tAbCdEfGhIjKlMn\" }\n",
			`funnel.toml:122:11: targets.prod.hints."odps.owner": hint "odps.owner" has a value that looks like an AccessKey ID; credentials never go in funnel.toml; ` + fix},
		{"sts token hint", "", hint(`"odps.sts_token"`),
			`funnel.toml:122:11: targets.prod.hints."odps.sts_token": hint "odps.sts_token" looks like a credential; credentials never go in funnel.toml; ` + fix},
		{"password key in a target", "", prod + "Password = \"Sup3rS3cret\"\n",
			`funnel.toml:122:1: targets.prod.Password: credentials never go in funnel.toml; ` + fix},
		{"access key secret key in a target", "", prod + "accessKeySecret = \"Sup3rS3cret\"\n",
			`funnel.toml:122:1: targets.prod.accessKeySecret: credentials never go in funnel.toml; ` + fix},
	}
	runBadEdits(t, tests)
	for _, tt := range tests {
		_, err := Parse("funnel.toml", []byte(shipped(t)+tt.new))
		if err != nil && (strings.Contains(err.Error(), "Sup3rS3cret") || strings.Contains(err.Error(), "LTAIid") || strings.Contains(err.Error(), "LTAI5t")) {
			t.Errorf("%s: the message repeats the secret: %v", tt.name, err)
		}
	}
	for _, key := range []string{"secret", "password", "token", "security_token", "sts_token", "access_id", "accesskey", `"ODPS.Access.Id"`, `"fs.oss.accessKeySecret"`} {
		_, err := Parse("funnel.toml", []byte(shipped(t)+hint(key)))
		if err == nil || !strings.Contains(err.Error(), "looks like a credential") {
			t.Errorf("hint %s: %v", key, err)
		}
	}
}

// TestDurationRanges: every duration is held to a range, checked with
// overflow in mind, at its position.
func TestDurationRanges(t *testing.T) {
	ordered := func(window string) string {
		return "mode = \"ordered\"\nwindow = \"" + window + "\"\ntime_column = \"use_time\"\nuser"
	}
	runBadEdits(t, []badEdit{
		{"timeout past time.Duration", "", prod + "timeout = \"213504d\"\n",
			`funnel.toml:122:11: targets.prod.timeout: timeout "213504d" is out of range; write a duration from 1s to 7d`},
		{"http_timeout past time.Duration", "", prod + "http_timeout = \"106752d\"\n",
			`funnel.toml:122:16: targets.prod.http_timeout: http_timeout "106752d" is out of range; write a duration from 1s to 1h`},
		{"a number past int64", "", prod + "timeout = \"99999999999999999999s\"\n",
			`funnel.toml:122:11: targets.prod.timeout: timeout "99999999999999999999s" is out of range; write a duration from 1s to 7d`},
		{"a sum past time.Duration", "", prod + "timeout = \"106751d23h47m16s854ms1ms\"\n",
			`funnel.toml:122:11: targets.prod.timeout: timeout "106751d23h47m16s854ms1ms" is out of range; write a duration from 1s to 7d`},
		{"timeout too long", "", prod + "timeout = \"8d\"\n",
			`funnel.toml:122:11: targets.prod.timeout: timeout "8d" is out of range; write a duration from 1s to 7d`},
		{"empty timeout", "", prod + "timeout = \"\"\n",
			`funnel.toml:122:11: targets.prod.timeout: timeout is empty; write a duration from 1s to 7d`},
		{"poll_interval too short", "", prod + "poll_interval = \"10ms\"\n",
			`funnel.toml:122:17: targets.prod.poll_interval: poll_interval "10ms" is out of range; write a duration from 100ms to 10m`},
		{"rerun_interval too long", `timezone = "Asia/Shanghai"`, "timezone = \"Asia/Shanghai\"\nrerun_interval = \"45m\"",
			`funnel.toml:33:18: dataworks.rerun_interval: rerun_interval "45m" is out of range; write a duration from 1m to 30m`},
		{"rerun_interval not whole seconds", `timezone = "Asia/Shanghai"`, "timezone = \"Asia/Shanghai\"\nrerun_interval = \"90500ms\"",
			`funnel.toml:33:18: dataworks.rerun_interval: rerun_interval "90500ms" is not a whole number of seconds`},
		{"window past time.Duration", "mode = \"events\"\nuser", ordered("200000d"),
			`funnel.toml:84:10: funnels[0].window: window "200000d" is out of range; write a duration from 1s to 24h`},
		{"window over a day", "mode = \"events\"\nuser", ordered("7d"),
			`funnel.toml:84:10: funnels[0].window: window "7d" is out of range; write a duration from 1s to 24h`},
		{"window under a second", "mode = \"events\"\nuser", ordered("500ms"),
			`funnel.toml:84:10: funnels[0].window: window "500ms" is out of range; write a duration from 1s to 24h`},
		{"window not whole seconds", "mode = \"events\"\nuser", ordered("1h500ms"),
			`funnel.toml:84:10: funnels[0].window: window "1h500ms" is not a whole number of seconds`},
		{"window not a duration", "mode = \"events\"\nuser", ordered("1w"),
			`funnel.toml:84:10: funnels[0].window: invalid duration "1w"; units are ms, s, m, h and d`},
		{"cross_midnight window over a day", "mode = \"events\"\nuser", strings.Replace(ordered("25h"), "\nuser", "\nday_boundary = \"cross_midnight\"\nuser", 1),
			`funnel.toml:84:10: funnels[0].window: window "25h" is out of range; write a duration from 1s to 24h`},
	})
	src := edit(t, shipped(t), "mode = \"events\"\nuser", ordered("24h"))
	if _, err := Parse("funnel.toml", []byte(src+prod+"timeout = \"7d\"\npoll_interval = \"100ms\"\nhttp_timeout = \"1h\"\n")); err != nil {
		t.Errorf("the longest durations: %v", err)
	}
}

// TestTimezone: the workflow's time zone is a zone of the IANA database.
func TestTimezone(t *testing.T) {
	const fix = ` is not a time zone of the IANA database; write one such as "Asia/Shanghai" or "UTC"`
	var edits []badEdit
	for _, c := range []struct{ name, zone string }{
		{"unknown zone", "Mars/Base"}, {"the machine's zone", "Local"}, {"empty", ""}, {"a path", "../../etc/passwd"}, {"an offset", "+08:00"},
		// Files of the machine's zoneinfo that are no zones of the database.
		{"leap seconds", "right/UTC"}, {"posix copy", "posix/Asia/Shanghai"}, {"factory", "Factory"},
		{"a path to a zone", "./Asia/Shanghai"}, {"a double slash", "Asia//Shanghai"},
	} {
		edits = append(edits, badEdit{c.name, `timezone = "Asia/Shanghai"`, `timezone = "` + c.zone + `"`,
			`funnel.toml:32:1: dataworks.timezone: timezone "` + c.zone + `"` + fix})
	}
	runBadEdits(t, edits)
	for _, tz := range []string{"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT-8"} {
		if _, err := Parse("funnel.toml", []byte(edit(t, shipped(t), `timezone = "Asia/Shanghai"`, `timezone = "`+tz+`"`))); err != nil {
			t.Errorf("%s: %v", tz, err)
		}
	}
}

// TestBadTypeOnce: a column type that is not a type is reported once, at
// the column, not again by every check that reads it.
func TestBadTypeOnce(t *testing.T) {
	const odsUseTime = `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },`
	const dwUseTime = `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`
	runBadEdits(t, []badEdit{
		{"ODS", odsUseTime, strings.Replace(odsUseTime, "BIGINT", "INTEGER", 1),
			`funnel.toml:54:39: ods.columns[10].type: unknown type "INTEGER"; MaxCompute calls it INT`},
		{"ODS, no length", odsUseTime, strings.Replace(odsUseTime, "BIGINT", "varchar", 1),
			`funnel.toml:54:39: ods.columns[10].type: type VARCHAR needs a length, e.g. VARCHAR(64)`},
		{"DW", dwUseTime, strings.Replace(dwUseTime, "BIGINT", "INTEGER", 1),
			`funnel.toml:70:39: dw.columns[5].type: unknown type "INTEGER"; MaxCompute calls it INT`},
	})
	src := edit(t, shipped(t), dwUseTime, strings.Replace(dwUseTime, "BIGINT", "INTEGER", 1))
	src = edit(t, src, "mode = \"events\"\nuser", "mode = \"ordered\"\nwindow = \"1h\"\ntime_column = \"use_time\"\nuser")
	_, err := Parse("funnel.toml", []byte(src))
	want := `funnel.toml:70:39: dw.columns[5].type: unknown type "INTEGER"; MaxCompute calls it INT`
	if err == nil || err.Error() != want {
		t.Errorf("time column of a bad type: got\n%v\nwant\n%s", err, want)
	}
}

// TestOneLineMessages: every diagnostic is one line; values are quoted.
func TestOneLineMessages(t *testing.T) {
	runBadEdits(t, []badEdit{
		{"key repeated by go-toml", `version = 1`, "version = 1\n\"a\\u000a\" = 1\n\"a\\u000a\" = 2",
			`funnel.toml:23:1: invalid TOML: key a\n is already defined`},
		{"a bad DW column in the list of DW columns", `{ name = "uid",                     type = "STRING", comment = "user id" },
  { name = "device_brand",`, `{ name = "uid",                     type = "STRING", comment = "user id" },
  { name = "dev\nice", type = "STRING" },
  { name = "device_brand",`,
			`funnel.toml:66:5: dw.columns[1].name: column name "dev\nice" is not a valid name; use a letter followed by letters, digits and '_'`},
		{"a breakdown that is no column", "event_column = \"customize_event\"\nstages", "event_column = \"customize_event\"\nbreakdowns = [\"dev\\nice\"]\nstages",
			`funnel.toml:86:15: funnels[0].breakdowns[0]: breakdown "dev\nice" is not a column of the DW table "dw_user_trace_data"; did you mean "device"? Otherwise add it to [dw] columns or name one of: uid, device_brand, device, system_type, customize_event, use_time, customize_event_content`},
	})
	src := edit(t, shipped(t), `{ name = "uid",                     type = "STRING", comment = "user id" },
  { name = "device_brand",`, `{ name = "uid",                     type = "STRING", comment = "user id" },
  { name = "dev\nice", type = "STRING" },
  { name = "device_brand",`)
	src = edit(t, src, `user_column = "uid"`, `user_column = "user"`)
	_, err := Parse("funnel.toml", []byte(src))
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !strings.Contains(err.Error(), "name one of: uid, device_brand,") {
		t.Errorf("got\n%v\nwant two lines, the second listing the valid DW columns", err)
	}
}

// TestDuckDBPath: the DuckDB driver reads what follows '?' in a database
// path as connection options, what follows '#' as a fragment that hides
// fgen's own options, and '%' as an escape ('50%off' is "invalid URL
// escape"); none may stand in a target's path.
func TestDuckDBPath(t *testing.T) {
	const why = `; the DuckDB driver would read the rest as connection options: rename the file`
	runBadEdits(t, []badEdit{
		{"question mark", `path = ".fgen/local.duckdb"`, `path = ".fgen/local.duckdb?access_mode=read_only"`,
			`funnel.toml:109:1: targets.local.path: path ".fgen/local.duckdb?access_mode=read_only" contains '?'` + why},
		{"hash", `path = ".fgen/local.duckdb"`, `path = ".fgen/local#1.duckdb"`,
			`funnel.toml:109:1: targets.local.path: path ".fgen/local#1.duckdb" contains '#'` + why},
		{"percent", `path = ".fgen/local.duckdb"`, `path = ".fgen/50%off.duckdb"`,
			`funnel.toml:109:1: targets.local.path: path ".fgen/50%off.duckdb" contains '%', which the DuckDB driver reads as an escape (%XX) of its connection string: rename the file`},
		{"memory", `path = ".fgen/local.duckdb"`, `path = ":memory:"`,
			`funnel.toml:109:1: targets.local.path: path ":memory:" is no file to DuckDB: it reads ':memory:' as a database that is gone when fgen exits, and a name before ':' (file:, md:, s3:) as an extension to load: name a file, e.g. ".fgen/local.duckdb"`},
		{"extension prefix", `path = ".fgen/local.duckdb"`, `path = "file:x.duckdb"`,
			`funnel.toml:109:1: targets.local.path: path "file:x.duckdb" is no file to DuckDB: it reads ':memory:' as a database that is gone when fgen exits, and a name before ':' (file:, md:, s3:) as an extension to load: name a file, e.g. ".fgen/local.duckdb"`},
		// DuckDB expands a leading '~', and takes '\' for '/': fgen's
		// own checks of the file would look at another one.
		{"tilde", `path = ".fgen/local.duckdb"`, `path = "~/w.duckdb"`,
			`funnel.toml:109:1: targets.local.path: path "~/w.duckdb" starts with '~', which DuckDB reads as your home directory and fgen's own checks as a directory named ~; write the directory out (an absolute path), or give a path relative to funnel.toml`},
		{"backslash", `path = ".fgen/local.duckdb"`, `path = '.fgen\w.duckdb'`,
			`funnel.toml:109:1: targets.local.path: path ".fgen\\w.duckdb" contains '\', which DuckDB reads as a directory separator; write / between directories`},
		{"directory", `path = ".fgen/local.duckdb"`, `path = "warehouse/"`,
			`funnel.toml:109:1: targets.local.path: path "warehouse/" names a directory; name the database file, e.g. "warehouse/local.duckdb"`},
		{"dot", `path = ".fgen/local.duckdb"`, `path = "warehouse/."`,
			`funnel.toml:109:1: targets.local.path: path "warehouse/." names a directory; name the database file, e.g. "warehouse/local.duckdb"`},
		// out/ is generate's, and committed.
		{"inside out", `path = ".fgen/local.duckdb"`, `path = "./out/../out/w.duckdb"`,
			`funnel.toml:109:1: targets.local.path: path "./out/../out/w.duckdb" is inside out/, where fgen generate writes the project you commit by default: keep the warehouse out of it, e.g. ".fgen/local.duckdb"`},
	})
	if _, err := Parse("funnel.toml", []byte(edit(t, shipped(t), `path = ".fgen/local.duckdb"`, `path = "outside/w.duckdb"`))); err != nil {
		t.Errorf("a path beginning as out does: %v", err)
	}
	for _, path := range []string{"C:/w/local.duckdb", "dir/a:b.duckdb", "./md:x", "local.duckdb"} {
		if duckdbSpecialPath(path) {
			t.Errorf("%q read as DuckDB's special path", path)
		}
	}
	for _, path := range []string{":memory:", ":memory:x", "md:x", "s3://b/x.duckdb", "sqlite:x.db", "motherduck:x"} {
		if !duckdbSpecialPath(path) {
			t.Errorf("%q not read as DuckDB's special path", path)
		}
	}
}

// TestColumnReferenceCase: a reference to a column matches its name but for
// ASCII case, as in MaxCompute and DuckDB; Unicode folds (the long s folds to
// s, the Kelvin sign to k) would let a name pass that no engine finds.
func TestColumnReferenceCase(t *testing.T) {
	runBadEdits(t, []badEdit{
		{"long s", `event_column = "customize_event"`, `event_column = "cu\u017Ftomize_event"`,
			`funnel.toml:85:1: funnels[0].event_column: event_column "cu\u017ftomize_event" is not a column of the DW table "dw_user_trace_data"; did you mean "customize_event"? Otherwise add it to [dw] columns or name one of: uid, device_brand, device, system_type, customize_event, use_time, customize_event_content`},
		{"Kelvin sign", `dedup_by = ["md5"]`, `dedup_by = ["md5", "\u212Aey"]`,
			`funnel.toml:75:20: dw.dedup_by[1]: column "\u212aey" is not in the ODS table "ods_user_trace_data"`},
	})
	if _, err := Parse("funnel.toml", []byte(edit(t, shipped(t), `event_column = "customize_event"`, `event_column = "CUSTOMIZE_Event"`))); err != nil {
		t.Errorf("ASCII case: %v", err)
	}
}

// memory_limit takes the forms DuckDB takes.
func TestMemoryLimitForms(t *testing.T) {
	for _, m := range []string{"512MB", "2G", "512mb", "1.5GB", "4GiB", "80%", "16MB"} {
		if _, err := Parse("funnel.toml", []byte(edit(t, shipped(t), `# memory_limit = "512MB"`, `memory_limit = "`+m+`"`))); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	for _, m := range []string{"0%", "101%", "15MB", "1PB", "2 bananas"} {
		if _, err := Parse("funnel.toml", []byte(edit(t, shipped(t), `# memory_limit = "512MB"`, `memory_limit = "`+m+`"`))); err == nil {
			t.Errorf("%s: no error", m)
		}
	}
}

// A partition untouched for its lifecycle's days may be reclaimed: the
// lifecycle must outlast the time from its write to its last read. A
// cross_midnight report reads a day's DW partition a day after it was
// written; a daily report reads an hourly DW's first hours of a day, written
// early that day, after it ends (two days for a cross_midnight one, said
// of it though a funnel that needs fewer comes first); and so a daily DW
// node an hourly ODS's. Each config takes the lifecycle asked for.
func TestLifecycleOutlastsTheReads(t *testing.T) {
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	crossMidnight := edit(t, shipped(t), "mode = \"events\"\nuser", "mode = \"ordered\"\nwindow = \"1h\"\nday_boundary = \"cross_midnight\"\ntime_column = \"use_time\"\nuser")
	hourlyDW := read("../generator/testdata/configs/hourly.toml")
	overnight := hourlyDW + `
[[funnels]]
name = "overnight"
mode = "ordered"
window = "1h"
day_boundary = "cross_midnight"
time_column = "ts"
user_column = "uid"
event_column = "event"
stages = [
  { name = "visit", events = ["view"] },
  { name = "buy",  events = ["buy"] },
]

[funnels.report]
table = "rpt_overnight"
`
	const hours = "reads a day's DW hours, the first of them written early that day, after the day ends"
	const cross = "(day_boundary = \"cross_midnight\") reads a day's DW partition a day after it was written"
	for _, tc := range []struct {
		name, src, table, want string
		days                   int
	}{
		{"cross_midnight", crossMidnight, "[dw]\nname = \"dw_user_trace_data\"\n", "funnel.toml:62:1: dw.lifecycle: lifecycle = 1, but funnel user_trace " + cross, 2},
		{"hourly DW", hourlyDW, "[dw]\nname = \"dw_events\"\n", "dw.lifecycle: lifecycle = 1, but funnel daily_events " + hours, 2},
		{"hourly DW, cross_midnight", overnight, "[dw]\nname = \"dw_events\"\n", "dw.lifecycle: lifecycle = 1, but funnel overnight " + cross + ", and " + hours, 3},
		{"hourly ODS", read("../generator/testdata/configs/hourly_ods.toml"), "hour_partition = \"hh\"\n", "ods.lifecycle: lifecycle = 1, but the daily DW node reads a day's ODS hours, the first of them written early that day, after the day ends", 2},
	} {
		with := func(days int) string {
			return edit(t, tc.src, tc.table, tc.table+fmt.Sprintf("lifecycle = %d\n", days))
		}
		want := fmt.Sprintf("%s, when MaxCompute may already have reclaimed it; set a lifecycle of %d days or more", tc.want, tc.days)
		if _, err := Parse("funnel.toml", []byte(with(1))); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: got %v\nwant ...%s", tc.name, err, want)
		}
		if _, err := Parse("funnel.toml", []byte(with(tc.days))); err != nil {
			t.Errorf("%s, lifecycle = %d: %v", tc.name, tc.days, err)
		}
	}
}
