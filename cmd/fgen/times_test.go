package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/sample"
)

// timesProject makes a temporary directory holding modes.toml (funnels of
// every mode over a time column ts) with ts of type typ in ODS and DW and
// every funnel's time_column written as tc.
func timesProject(t *testing.T, typ, tc string) string {
	t.Helper()
	data, err := os.ReadFile("../../generator/testdata/configs/modes.toml")
	if err != nil {
		t.Fatal(err)
	}
	old := `{ name = "ts",                      type = "BIGINT", comment = "event time, epoch seconds" },`
	s := strings.ReplaceAll(string(data), old, `{ name = "ts", type = "`+typ+`", comment = "event time" },`)
	s = strings.ReplaceAll(s, `time_column = "ts"`, `time_column = `+tc)
	if s == string(data) || strings.Contains(s, old) {
		t.Fatal("modes.toml changed: no ts column to retype")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "funnel.toml"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// timeForms are the forms of a time column, with what fgen sample writes
// for each in JSON lines.
var timeForms = []struct {
	name, typ, tc string
	ts            *regexp.Regexp
	desc          string
}{
	{"seconds", "BIGINT", `"ts"`, regexp.MustCompile(`^16147[0-9]{5}$`), "epoch seconds"},
	{"milliseconds", "BIGINT", `{ name = "ts", unit = "ms" }`, regexp.MustCompile(`^16147[0-9]{8}$`), "epoch milliseconds"},
	{"datetime", "DATETIME", `"ts"`, regexp.MustCompile(`^"2021-03-0[23] [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}"$`), "UTC wall time yyyy-MM-dd HH:mm:ss.SSS"},
	{"string", "STRING", `{ name = "ts", format = "yyyy-MM-dd HH:mm:ss 'UTC'", timezone = "UTC" }`,
		regexp.MustCompile(`^"2021-03-0[23] [0-9]{2}:[0-9]{2}:[0-9]{2} UTC"$`), `"yyyy-MM-dd HH:mm:ss 'UTC'" in UTC`},
	{"string with ms", "STRING", `{ name = "ts", format = "dd/MM/yyyy HH:mm:ss,SSS", timezone = "Asia/Shanghai" }`,
		regexp.MustCompile(`^"0[34]/03/2021 [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}"$`), `"dd/MM/yyyy HH:mm:ss,SSS" in Asia/Shanghai`},
}

// fgen sample writes ts as the funnels read it.
func TestSampleWritesTimeColumn(t *testing.T) {
	for _, tf := range timeForms {
		t.Run(tf.name, func(t *testing.T) {
			dir := timesProject(t, tf.typ, tf.tc)
			r := fgen(t, dir, nil, "sample", "--users", "50", "--start", "20210303", "-o", "events.jsonl")
			if r.code != 0 || !strings.Contains(r.stderr, "ts as "+tf.desc+")") {
				t.Fatalf("sample: %+v", r)
			}
			data, _ := os.ReadFile(filepath.Join(dir, "events.jsonl"))
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			for _, line := range lines {
				var row map[string]json.RawMessage
				if err := json.Unmarshal([]byte(line), &row); err != nil {
					t.Fatal(err)
				}
				if !tf.ts.Match(row["ts"]) {
					t.Fatalf("ts %s does not match %s", row["ts"], tf.ts)
				}
			}
		})
	}
}

// A sample file of each time form (in turn JSON lines, CSV and Parquet)
// loads back whole, and the DW node reads every time (plan counts those it
// would drop).
func TestSampleFileLoadsEachTimeColumn(t *testing.T) {
	wrote := regexp.MustCompile(`wrote ([0-9]+) events`)
	for i, tf := range timeForms {
		t.Run(tf.name, func(t *testing.T) {
			dir := timesProject(t, tf.typ, tf.tc)
			file := "events." + []string{"jsonl", "csv", "parquet"}[i%3]
			r := fgen(t, dir, nil, "sample", "--users", "200", "--start", "20210303", "-o", file)
			m := wrote.FindStringSubmatch(r.stderr)
			if r.code != 0 || m == nil {
				t.Fatalf("sample: %+v", r)
			}
			if r := fgen(t, dir, nil, "load", file); r.code != 0 || !strings.Contains(r.stdout, "loaded "+m[1]+" rows") {
				t.Fatalf("load (%s events): %+v", m[1], r)
			}
			if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || strings.Contains(r.stdout, "does not read") {
				t.Errorf("plan: %+v", r)
			}
		})
	}
}

// A time that does not read in its format loads nothing, and says where.
func TestLoadRefusesUnreadableTime(t *testing.T) {
	dir := timesProject(t, "STRING", `{ name = "ts", format = "yyyy-MM-dd HH:mm:ss 'UTC'", timezone = "UTC" }`)
	os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("md5,uid,ts,customize_event,dt\n"+
		"a,u1,2021-03-03 10:00:00 UTC,browse,20210303\n"+
		"b,u1,2021-03-03T10:00:01Z,click,20210303\n"), 0o644)
	r := fgen(t, dir, nil, "load", "-q", "bad.csv")
	want := `fgen: load: bad.csv:3: column ts: "2021-03-03T10:00:01Z" does not read as "yyyy-MM-dd HH:mm:ss 'UTC'", the time_column format in funnel.toml (fix the format if the file's times are all so; else fix or remove the row, which the DW node would drop); nothing was loaded`
	if r.code != 1 || strings.TrimSpace(r.stderr) != want {
		t.Errorf("load: exit %d, stderr %q\nwant %q", r.code, r.stderr, want)
	}
}

// A value that is not of its column's type is named with funnel.toml's type
// (DATETIME), not DuckDB's (TIMESTAMP).
func TestLoadNamesDeclaredType(t *testing.T) {
	dir := timesProject(t, "DATETIME", `"ts"`)
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":"soon","customize_event":"browse","dt":"20210303"}`+"\n"), 0o644)
	r := fgen(t, dir, nil, "load", "-q", "bad.jsonl")
	want := `fgen: load: bad.jsonl:1: column ts: "soon" is not a valid DATETIME; nothing was loaded`
	if r.code != 1 || strings.TrimSpace(r.stderr) != want {
		t.Errorf("load: exit %d, stderr %q\nwant %q", r.code, r.stderr, want)
	}
}

// Rows without dt go to the date of their time in dataworks.timezone.
func TestLoadTakesDayFromTime(t *testing.T) {
	dir := timesProject(t, "STRING", `{ name = "ts", format = "yyyy-MM-dd HH:mm:ss 'UTC'", timezone = "UTC" }`)
	os.WriteFile(filepath.Join(dir, "logs.csv"), []byte("md5,uid,ts,customize_event\n"+
		"a,u1,2021-03-02 15:59:59 UTC,browse\n"+
		"b,u1,2021-03-02 16:00:00 UTC,click\n"), 0o644)
	r := fgen(t, dir, nil, "load", "logs.csv")
	if r.code != 0 || !strings.Contains(r.stdout, "loaded 2 rows into ods_user_trace_data (by each row's dt, else the date of its ts in Asia/Shanghai)") {
		t.Fatalf("load: %+v", r)
	}
	// plan warns of the stages that match no row of a day.
	for day, event := range map[string]string{"20210302": "browse", "20210303": "click"} {
		r := fgen(t, dir, nil, "plan", "--bizdate", day)
		for _, e := range []string{"browse", "click"} {
			missing := strings.Contains(r.stdout, "no row of "+day+` has customize_event "`+e+`"`)
			if missing != (e != event) {
				t.Errorf("plan %s: the %s row is not there, or another one is:\n%s", day, event, r.stdout)
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "more.csv"), []byte("md5,uid,ts,customize_event\nc,u2,,browse\n"), 0o644)
	r = fgen(t, dir, nil, "load", "-q", "more.csv")
	want := "fgen: load: more.csv:2: no dt value, and no ts to take it from; give the partition with --bizdate yyyymmdd, or a dt or ts in every row; nothing was loaded"
	if r.code != 1 || strings.TrimSpace(r.stderr) != want {
		t.Errorf("load: exit %d, stderr %q\nwant %q", r.code, r.stderr, want)
	}
}

// fgen sample -o stops when interrupted (its context ends), before it
// wrote anything or after some users, in every format, and leaves the file
// as it was: none when there was none, the earlier one whole when there
// was one, and nothing else in its directory; its error names the file
// given, not the one it wrote.
func TestSampleStopsWhenInterrupted(t *testing.T) {
	for _, ext := range []string{"jsonl", "csv", "parquet"} {
		for _, earlier := range []string{"", "earlier events\n"} {
			t.Run(fmt.Sprintf("%s/earlier=%t", ext, earlier != ""), func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				if earlier == "" {
					cancel()
				}
				dir := t.TempDir()
				path := filepath.Join(dir, "events."+ext)
				if earlier != "" {
					if err := os.WriteFile(path, []byte(earlier), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				// With an earlier file, the interrupt comes after the first
				// 4096 users.
				so := sample.Options{Users: 10000, Days: 1, Start: "20210303", Stages: sample.DefaultStages(), Noise: true, Progress: func(int) { cancel() }}
				n, err := writeSample(ctx, path, so, nil)
				if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), ".fgen-") {
					t.Errorf("writeSample = %d, %v; want %v, naming %s only", n, err, context.Canceled, path)
				}
				got, err := os.ReadFile(path)
				switch {
				case earlier == "" && !errors.Is(err, fs.ErrNotExist):
					t.Errorf("%s is there after the interrupt (%v)", path, err)
				case earlier != "" && string(got) != earlier:
					t.Errorf("%s after the interrupt: %q, %v; want the earlier %q", path, got, err, earlier)
				}
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if e.Name() != "events."+ext {
						t.Errorf("left behind: %s", e.Name())
					}
				}
			})
		}
	}
}

// A writer's error names the hidden file it wrote; sample's error names the
// file given, and is still the writer's to errors.Is.
func TestNamedAs(t *testing.T) {
	err := namedAs{fmt.Errorf("parquet .fgen-sample-1/x.parquet: %w", context.Canceled), ".fgen-sample-1/x.parquet", "x.parquet"}
	if got := err.Error(); got != "parquet x.parquet: context canceled" || !errors.Is(err, context.Canceled) {
		t.Errorf("namedAs = %q (Is canceled: %t)", got, errors.Is(err, context.Canceled))
	}
}

// Epoch seconds loaded under unit = "ms" land in 1970: the load says the
// unit is likely wrong, and what to change.
func TestLoadOfSecondsAsMilliseconds(t *testing.T) {
	dir := timesProject(t, "BIGINT", `{ name = "ts", unit = "ms" }`)
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte("md5,uid,ts,customize_event\na,u1,1614765600,browse\nb,u1,1614852000,click\n"), 0o644)
	r := fgen(t, dir, nil, "load", "s.csv")
	want := `warning: 2 rows went to days of 1970 (19700120), as the times of ts read in milliseconds: are they in seconds? then drop unit = "ms" from its time_column in funnel.toml and load the files again`
	if r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("load: %+v\nwant %q on stderr", r, want)
	}
	// Loaded again, the day replaced: said again, of all its rows.
	if r := fgen(t, dir, nil, "load", "s.csv"); r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("load again: %+v\nwant %q on stderr", r, want)
	}
	// Milliseconds as they are: no word of it.
	os.WriteFile(filepath.Join(dir, "ms.csv"), []byte("md5,uid,ts,customize_event\nc,u1,1614765600000,browse\n"), 0o644)
	if r := fgen(t, dir, nil, "load", "ms.csv"); r.code != 0 || strings.Contains(r.stderr, "1970") {
		t.Errorf("load of milliseconds: %+v", r)
	}
}
