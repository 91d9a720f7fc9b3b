package sample

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// collect returns copies of the events of opts.
func collect(t testing.TB, opts Options) []Event {
	t.Helper()
	var evs []Event
	if err := Generate(opts, func(e *Event) error {
		evs = append(evs, *e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return evs
}

func jsonl(t testing.TB, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf, TimeFormat{})
	if err := Generate(opts, w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestColumns(t *testing.T) {
	want := []string{"md5", "uid", "ts", "ip", "status", "bytes", "device_brand", "device",
		"system_type", "customize_event", "use_time", "customize_event_content"}
	if got := Columns(); !slices.Equal(got, want) {
		t.Fatalf("Columns() = %v, want %v", got, want)
	}
	Columns()[0] = "changed"
	if Columns()[0] != "md5" {
		t.Fatal("Columns returns shared storage")
	}
}

func TestDeterministic(t *testing.T) {
	opts := Options{Users: 2000, Days: 2, Seed: 7, Noise: true}
	a, b := jsonl(t, opts), jsonl(t, opts)
	if !bytes.Equal(a, b) {
		t.Fatal("same options gave different output")
	}
	opts.Seed = 8
	if c := jsonl(t, opts); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same output")
	}
}

// Generating two days at once gives the rows of two single-day runs.
func TestDaysCompose(t *testing.T) {
	both := jsonl(t, Options{Users: 500, Days: 2, Start: "20210331", Seed: 3, Noise: true})
	first := jsonl(t, Options{Users: 500, Start: "20210331", Seed: 3, Noise: true})
	second := jsonl(t, Options{Users: 500, Start: "20210401", Seed: 3, Noise: true})
	if !bytes.Equal(both, append(first, second...)) {
		t.Fatal("Days: 2 differs from two single-day runs")
	}
}

func TestDefaults(t *testing.T) {
	evs := collect(t, Options{Users: 100})
	users := map[string]bool{}
	for _, e := range evs {
		if e.Dt != DefaultStart {
			t.Fatalf("dt = %q, want %q", e.Dt, DefaultStart)
		}
		users[e.UID] = true
	}
	if len(users) != 100 {
		t.Fatalf("%d distinct users, want 100", len(users))
	}
}

// ExpectedRows is near the rows Generate emits, with few users (where the
// bots' rows are most) and many, with and without noise.
func TestExpectedRows(t *testing.T) {
	for _, opts := range []Options{
		{Users: 20},
		{Users: 200, Days: 3, Noise: true},
		{Users: 5000},
		{Users: 5000, Days: 2, Noise: true},
	} {
		var n int64
		if err := Generate(opts, func(*Event) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if want := opts.ExpectedRows(); n < want*3/4 || n > want*4/3 {
			t.Errorf("%+v: %d rows, expected about %d", opts, n, want)
		}
	}
	if got, want := (Options{}).ExpectedRows(), (Options{Users: DefaultUsers, Days: DefaultDays}).ExpectedRows(); got != want {
		t.Errorf("ExpectedRows of the defaults: %d, want %d", got, want)
	}
}

// Consecutive days share half of their users.
func TestReturningUsers(t *testing.T) {
	evs := collect(t, Options{Users: 1000, Days: 2})
	days := map[string]map[string]bool{}
	for _, e := range evs {
		if days[e.Dt] == nil {
			days[e.Dt] = map[string]bool{}
		}
		days[e.Dt][e.UID] = true
	}
	both := 0
	for u := range days["20210303"] {
		if days["20210304"][u] {
			both++
		}
	}
	if len(days["20210303"]) != 1000 || len(days["20210304"]) != 1000 || both != 500 {
		t.Fatalf("day users %d and %d, %d on both; want 1000, 1000, 500",
			len(days["20210303"]), len(days["20210304"]), both)
	}
}

func TestStageRatios(t *testing.T) {
	evs := collect(t, Options{Users: 10000, Seed: 1})
	type counts struct{ browse, click, purchase int }
	all := counts{}
	byBrand := map[string]*counts{}
	for _, e := range evs {
		c := byBrand[e.DeviceBrand]
		if c == nil {
			c = &counts{}
			byBrand[e.DeviceBrand] = c
		}
		for _, c := range []*counts{&all, c} {
			switch e.CustomizeEvent {
			case "browse":
				c.browse++
			case "click":
				c.click++
			case "purchase":
				c.purchase++
			default:
				t.Fatalf("event %q without noise", e.CustomizeEvent)
			}
		}
	}
	check := func(name string, c counts, slack float64) {
		click := float64(c.click) / float64(c.browse)
		buy := float64(c.purchase) / float64(c.click)
		t.Logf("%-8s browse %6d click %5d (%.1f %%) purchase %5d (%.1f %%)",
			name, c.browse, c.click, 100*click, c.purchase, 100*buy)
		if click < 0.30-slack || click > 0.40+slack || buy < 0.20-slack || buy > 0.35+slack {
			t.Errorf("%s: click/browse %.3f, purchase/click %.3f out of range", name, click, buy)
		}
	}
	check("all", all, 0)
	if all.browse < 40000 {
		t.Errorf("%d browse rows for 10000 users, want several per user", all.browse)
	}
	lo, hi := 1.0, 0.0
	for brand, c := range byBrand {
		check(brand, *c, 0.03)
		r := float64(c.click) / float64(c.browse)
		lo, hi = min(lo, r), max(hi, r)
	}
	if hi-lo < 0.02 {
		t.Errorf("click rates by brand between %.3f and %.3f, want them to vary", lo, hi)
	}
}

// Several values in a stage are all used; more stages work.
func TestStagesWithSeveralValues(t *testing.T) {
	stages := [][]string{{"view", "view_detail"}, {"add_cart"}, {"order"}, {"pay"}}
	seen := map[string]int{}
	for _, e := range collect(t, Options{Users: 3000, Stages: stages, Noise: true}) {
		seen[e.CustomizeEvent]++
	}
	for _, st := range stages {
		for _, v := range st {
			if seen[v] == 0 {
				t.Errorf("no %q rows", v)
			}
		}
	}
	if seen["add_cart"] == 0 || seen["pay"] >= seen["order"] || seen["order"] >= seen["add_cart"] {
		t.Errorf("counts %v do not narrow down the funnel", seen)
	}
}

func TestTimeWindow(t *testing.T) {
	evs := collect(t, Options{Users: 10000, Days: 2, Seed: 5, Noise: true})
	var late, sameSecond int
	var hours [24]int
	for i, e := range evs {
		day, err := time.Parse("20060102", e.Dt)
		if err != nil {
			t.Fatal(err)
		}
		start := day.Unix() - 8*3600
		end := start + 86400
		if e.TS < start || e.TS >= end+int64(LateSpill/time.Second) {
			t.Fatalf("row %d: ts %d outside [%d, %d + LateSpill) of dt %s", i, e.TS, start, end, e.Dt)
		}
		if e.TS >= end {
			late++
		} else {
			hours[(e.TS-start)/3600]++
		}
		if i > 0 && evs[i-1].UID == e.UID && evs[i-1].TS == e.TS && evs[i-1].MD5 != e.MD5 {
			sameSecond++
		}
	}
	t.Logf("%d rows, %d late, %d in the same second as the previous, by hour %v", len(evs), late, sameSecond, hours)
	if late == 0 || late*200 > len(evs) {
		t.Errorf("%d late rows of %d, want a few (under 0.5 %%)", late, len(evs))
	}
	if sameSecond*100 < len(evs) {
		t.Errorf("%d rows in the same second as the previous, want over 1 %%", sameSecond)
	}
	if hours[20] < 5*hours[4] || hours[20] < hours[10] {
		t.Errorf("no evening peak: %v", hours)
	}
}

func TestNoise(t *testing.T) {
	for _, noise := range []bool{false, true} {
		t.Run(fmt.Sprint("noise=", noise), func(t *testing.T) {
			evs := collect(t, Options{Users: 10000, Seed: 11, Noise: noise})
			var nullUID, emptyUID, unknown, dups int
			perUser := map[string]int{}
			md5s := map[string]Event{}
			for _, e := range evs {
				switch {
				case e.UIDNull:
					nullUID++
					if e.UID != "" {
						t.Fatalf("NULL uid with value %q", e.UID)
					}
				case e.UID == "":
					emptyUID++
				}
				switch e.CustomizeEvent {
				case "browse", "click", "purchase":
				default:
					unknown++
				}
				perUser[e.UID]++
				if prev, ok := md5s[e.MD5]; ok {
					if prev != e {
						t.Fatalf("md5 %s on different rows:\n%+v\n%+v", e.MD5, prev, e)
					}
					dups++
				}
				md5s[e.MD5] = e
				if len(e.MD5) != 32 || strings.Trim(e.MD5, "0123456789abcdef") != "" {
					t.Fatalf("md5 %q is not 32 lower-case hex digits", e.MD5)
				}
			}
			bots := 0
			for u, n := range perUser {
				if n >= 2000 && u != "" {
					bots++
				}
			}
			n := float64(len(evs))
			t.Logf("%d rows: NULL uid %d, empty uid %d, unknown event %d, duplicates %d, bots %d",
				len(evs), nullUID, emptyUID, unknown, dups, bots)
			if !noise {
				if nullUID+emptyUID+unknown+dups+bots != 0 {
					t.Fatal("noise without Noise")
				}
				return
			}
			for name, c := range map[string]int{"NULL uid": nullUID, "empty uid": emptyUID, "unknown event": unknown, "duplicate": dups} {
				if f := float64(c) / n; f < 0.003 || f > 0.02 {
					t.Errorf("%s rows: %.2f %%, want 0.3 to 2 %%", name, 100*f)
				}
			}
			if bots != 2 {
				t.Errorf("%d users with >= 2000 rows, want 2 bots", bots)
			}
		})
	}
}

func TestPlausibleValues(t *testing.T) {
	for _, e := range collect(t, Options{Users: 2000, Noise: true}) {
		if e.Status != 200 && e.Status != 304 && e.Status != 302 && e.Status != 404 && e.Status != 500 {
			t.Fatalf("status %d", e.Status)
		}
		if e.Bytes < 0 || e.Bytes > 200000 || e.UseTime < 0 || e.UseTime > 300000 {
			t.Fatalf("bytes %d, use_time %d", e.Bytes, e.UseTime)
		}
		if e.DeviceBrand == "" || e.Device == "" || e.SystemType == "" || e.IP == "" {
			t.Fatalf("empty device or ip: %+v", e)
		}
		if len(e.CustomizeEventContent) != 12 {
			t.Fatalf("content %q", e.CustomizeEventContent)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"users", Options{Users: -1}, "sample options: users must not be negative, got -1"},
		{"days", Options{Days: -2}, "sample options: days must not be negative, got -2"},
		{"start", Options{Start: "2021-03-03"}, `sample options: start "2021-03-03" is not a date yyyymmdd`},
		{"start day", Options{Start: "20210230"}, `sample options: start "20210230" is not a date yyyymmdd`},
		{"empty stage", Options{Stages: [][]string{{"a"}, {}}}, "sample options: stage 2 has no event values"},
		{"empty value", Options{Stages: [][]string{{"a", ""}}}, "sample options: stage 1 has an empty event value"},
		{"twice", Options{Stages: [][]string{{"a"}, {"b", "a"}}}, `sample options: event value "a" is in more than one stage`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Generate(tc.opts, func(*Event) error { return nil })
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestEmitErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Generate(Options{Users: 100}, func(*Event) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Fatalf("err %v after %d rows, want stop after 10", err, n)
	}
}

func TestFormatFromPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want Format
		err  string
	}{
		{"a.jsonl", JSONL, ""},
		{"dir.x/a.NDJSON", JSONL, ""},
		{"a.json", JSONL, ""},
		{"a.csv", CSV, ""},
		{"a.Parquet", Parquet, ""},
		{"a.tsv", 0, `a.tsv: unknown file extension ".tsv"; use .jsonl, .ndjson, .json, .csv or .parquet`},
		{"out", 0, "out: no file extension; use .jsonl, .ndjson, .json, .csv or .parquet"},
		// A load's input: a compressed file of a format says to decompress it.
		{"in:a.csv.gz", 0, "a.csv.gz: a compressed .csv file, which fgen does not read; decompress it first (gzip -dc a.csv.gz > a.csv), then load a.csv"},
		{"in:d/a.JSONL.zst", 0, "d/a.JSONL.zst: a compressed .JSONL file, which fgen does not read; decompress it first (zstd -dc d/a.JSONL.zst > d/a.JSONL), then load d/a.JSONL"},
		{"in:my events.csv.gz", 0, "my events.csv.gz: a compressed .csv file, which fgen does not read; decompress it first (gzip -dc \"my events.csv.gz\" > \"my events.csv\"), then load my events.csv"},
		{"in:a.tsv.gz", 0, `a.tsv.gz: unknown file extension ".gz"; use .jsonl, .ndjson, .json, .csv or .parquet`},
		{"in:a.csv", CSV, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			read := FormatFromPath
			if p, ok := strings.CutPrefix(tc.path, "in:"); ok {
				tc.path, read = p, InputFormat
			}
			f, err := read(tc.path)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || f != tc.want {
				t.Fatalf("FormatFromPath = %v, %v; want %v", f, err, tc.want)
			}
		})
	}
}

// GenerateContext stops with ctx's error: before the first user when ctx
// has ended, and within progressEvery users when it ends on the way.
func TestGenerateContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	err := GenerateContext(ctx, Options{Users: 100}, func(*Event) error { n++; return nil })
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("ended context: %d events, %v; want none, %v", n, err, context.Canceled)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	users := 0
	opts := Options{Users: 5 * progressEvery, Progress: func(u int) { users += u; cancel() }}
	err = GenerateContext(ctx, opts, func(*Event) error { return nil })
	if !errors.Is(err, context.Canceled) || users != progressEvery {
		t.Errorf("canceled after %d users: %v; want %v after %d", users, err, context.Canceled, progressEvery)
	}
}
