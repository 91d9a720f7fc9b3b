package sample

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/models"
)

// timeCases are the forms of a time column, each with how the event
// timeEvent writes.
var timeCases = []struct {
	name, typ string
	tc        models.TimeColumn
	desc      string
	value     string // the ts field as a JSON value
}{
	{"seconds", "BIGINT", models.TimeColumn{Name: "ts"}, "epoch seconds", `1569859207`},
	{"milliseconds", "BIGINT", models.TimeColumn{Name: "ts", Unit: "ms"}, "epoch milliseconds", `1569859207045`},
	{"datetime", "DATETIME", models.TimeColumn{Name: "ts"}, "UTC wall time yyyy-MM-dd HH:mm:ss.SSS", `"2019-09-30 16:00:07.045"`},
	{"timestamp", "TIMESTAMP", models.TimeColumn{Name: "ts"}, "UTC wall time yyyy-MM-dd HH:mm:ss.SSS", `"2019-09-30 16:00:07.045"`},
	{"string in UTC", "STRING", models.TimeColumn{Name: "ts", Format: "yyyy-MM-dd HH:mm:ss 'UTC'", Timezone: "UTC"},
		`"yyyy-MM-dd HH:mm:ss 'UTC'" in UTC`, `"2019-09-30 16:00:07 UTC"`},
	{"string with ms in Shanghai", "STRING", models.TimeColumn{Name: "ts", Format: "yyyy-MM-dd'T'HH:mm:ss.SSS", Timezone: "Asia/Shanghai"},
		`"yyyy-MM-dd'T'HH:mm:ss.SSS" in Asia/Shanghai`, `"2019-10-01T00:00:07.045"`},
	{"string without a format", "STRING", models.TimeColumn{Name: "ts"}, "epoch seconds", `1569859207`},
}

// timeEvent is 2019-09-30 16:00:07.045 UTC, 2019-10-01 00:00:07.045 in
// Asia/Shanghai.
var timeEvent = Event{MD5: "m", UID: "u", TS: 1569859207, MS: 45, Dt: "20191001"}

// The writers write ts as the time column holds it: a number, or text in
// the column's format and zone.
func TestTimeFormats(t *testing.T) {
	for _, tc := range timeCases {
		t.Run(tc.name, func(t *testing.T) {
			tf, err := TimeFormatFor(tc.typ, tc.tc)
			if err != nil {
				t.Fatal(err)
			}
			if got := tf.String(); got != tc.desc {
				t.Errorf("String() = %q, want %q", got, tc.desc)
			}
			e := timeEvent
			if !tf.Millis() {
				e.MS = 0
			}
			var buf bytes.Buffer
			writeAll(t, NewJSONLWriter(&buf, tf), []Event{e})
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
				t.Fatalf("%v: %s", err, buf.Bytes())
			}
			if got := string(raw["ts"]); got != tc.value {
				t.Errorf("JSONL ts %s, want %s", got, tc.value)
			}
			buf.Reset()
			writeAll(t, NewCSVWriter(&buf, tf), []Event{e})
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil || len(recs) != 2 {
				t.Fatalf("CSV: %v, %q", err, recs)
			}
			if got, want := recs[1][2], strings.Trim(tc.value, `"`); got != want {
				t.Errorf("CSV ts %s, want %s", got, want)
			}
		})
	}
}

func TestTimeFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		tc  models.TimeColumn
		err string
	}{
		{models.TimeColumn{Format: "yyyyMMddHHmmssSSS", Timezone: "UTC"}, "writes SSS only after '.' or ','"},
		{models.TimeColumn{Format: "yyyy-MM-dd HH:mm 'Jan'", Timezone: "UTC"}, "reads some of its literal text as a layout element"},
		{models.TimeColumn{Format: "yyyy-MM-dd HH:mm", Timezone: "Mars/Olympus"}, `time zone "Mars/Olympus"`},
	} {
		if _, err := TimeFormatFor("STRING", tc.tc); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: %v, want an error with %q", tc.tc, err, tc.err)
		}
	}
}

// TimeFormatOf reads ts as the first funnel whose time column it is.
func TestTimeFormatOf(t *testing.T) {
	cfg := &models.Config{
		ODS:     models.Table{Columns: []models.Column{{Name: "uid", Type: "STRING"}, {Name: "ts", Type: "BIGINT"}}},
		Funnels: []models.Funnel{{Name: "a"}, {Name: "b", TimeColumn: models.TimeColumn{Name: "TS", Unit: "ms"}}},
	}
	if tf, err := TimeFormatOf(cfg); err != nil || tf.String() != "epoch milliseconds" {
		t.Errorf("TimeFormatOf = %v, %v; want epoch milliseconds", tf, err)
	}
	cfg.Funnels = cfg.Funnels[:1]
	if tf, err := TimeFormatOf(cfg); err != nil || tf.String() != "epoch seconds" {
		t.Errorf("without a funnel's time column: %v, %v; want epoch seconds", tf, err)
	}
	cfg.ODS.Columns[1].Type = "DATETIME"
	if tf, err := TimeFormatOf(cfg); err != nil || !strings.HasPrefix(tf.String(), "UTC wall time") {
		t.Errorf("a DATETIME ts: %v, %v", tf, err)
	}
}

// With millisecond precision every event gets a millisecond, drawn apart
// from the other values (the rows are those of epoch seconds), and events of
// one second keep the order they are emitted in.
func TestMilliseconds(t *testing.T) {
	opts := Options{Users: 2000, Days: 2, Seed: 3, Noise: true}
	secs := collect(t, opts)
	opts.Time, _ = TimeFormatFor("BIGINT", models.TimeColumn{Name: "ts", Unit: "ms"})
	ms := collect(t, opts)
	if len(ms) != len(secs) {
		t.Fatalf("%d events with milliseconds, %d without", len(ms), len(secs))
	}
	distinct := map[int]bool{}
	for i := range ms {
		if secs[i].MS != 0 {
			t.Fatalf("event %d has a millisecond without millisecond precision", i)
		}
		e := ms[i]
		if e.MS < 0 || e.MS > 999 {
			t.Fatalf("event %d: millisecond %d", i, e.MS)
		}
		distinct[e.MS] = true
		e.MS = 0
		if e != secs[i] {
			t.Fatalf("event %d differs beyond its millisecond:\n%+v\n%+v", i, ms[i], secs[i])
		}
		if i > 0 && ms[i-1].TS == e.TS && ms[i-1].MS > ms[i].MS {
			t.Fatalf("events %d and %d of one second out of order: %d ms, then %d ms", i, i+1, ms[i-1].MS, ms[i].MS)
		}
	}
	if len(distinct) < 900 {
		t.Errorf("only %d distinct milliseconds", len(distinct))
	}
}
