package sample

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// tricky are events with every value a writer must escape or quote.
var tricky = []Event{
	{MD5: "00000000000000000000000000000001", UID: "", UIDNull: true, TS: -1, IP: "", Status: 0, Bytes: 1 << 62,
		DeviceBrand: `a,b`, Device: `say "hi"`, SystemType: "line\nbreak\r\n", CustomizeEvent: "",
		UseTime: -9223372036854775808, CustomizeEventContent: " leading space", Dt: "20210303"},
	{MD5: "x", UID: "", TS: 1, IP: "\x00\x01\x1f\\/", DeviceBrand: "华为", Device: "tab\there",
		SystemType: "\u2028\u2029", CustomizeEvent: "bad \xff utf8", CustomizeEventContent: `\"`, Dt: "NULL"},
}

// fields returns the values of e as a JSON decoder sees them (uid NULL as nil,
// invalid UTF-8 replaced).
func fields(e *Event) []any {
	var uid any = e.UID
	if e.UIDNull {
		uid = nil
	}
	s := strings.ToValidUTF8
	return []any{s(e.MD5, "\uFFFD"), uid, float64(e.TS), s(e.IP, "\uFFFD"), float64(e.Status), float64(e.Bytes),
		s(e.DeviceBrand, "\uFFFD"), s(e.Device, "\uFFFD"), s(e.SystemType, "\uFFFD"), s(e.CustomizeEvent, "\uFFFD"),
		float64(e.UseTime), s(e.CustomizeEventContent, "\uFFFD"), s(e.Dt, "\uFFFD")}
}

func writeAll(t *testing.T, w Writer, evs []Event) {
	t.Helper()
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestJSONL(t *testing.T) {
	evs := append(collect(t, Options{Users: 1000, Noise: true}), tricky...)
	var buf bytes.Buffer
	writeAll(t, NewJSONLWriter(&buf, TimeFormat{}), evs)
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	i := 0
	for ; sc.Scan(); i++ {
		line := sc.Bytes()
		// Keys in column order.
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var keys []string
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("line %d: %v: %s", i+1, err, line)
			}
		}
		if !slices.Equal(keys, fileColumns()) {
			t.Fatalf("line %d: keys %v", i+1, keys)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		got := make([]any, len(keys))
		for j, k := range keys {
			got[j] = m[k]
		}
		if i >= len(evs) {
			t.Fatalf("more lines than events")
		}
		if want := fields(&evs[i]); !slices.Equal(got, want) {
			t.Fatalf("line %d: %s\ngot  %#v\nwant %#v", i+1, line, got, want)
		}
	}
	if i != len(evs) {
		t.Fatalf("%d lines, want %d", i, len(evs))
	}
}

// Integers are written exactly, beyond float64 precision.
func TestJSONLExactIntegers(t *testing.T) {
	var buf bytes.Buffer
	writeAll(t, NewJSONLWriter(&buf, TimeFormat{}), tricky[:1])
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if raw["bytes"].(json.Number) != json.Number(strconv.FormatInt(1<<62, 10)) ||
		raw["use_time"].(json.Number) != "-9223372036854775808" {
		t.Fatalf("integers %v %v", raw["bytes"], raw["use_time"])
	}
}

func TestCSV(t *testing.T) {
	evs := append(collect(t, Options{Users: 1000, Noise: true}), tricky...)
	var buf bytes.Buffer
	writeAll(t, NewCSVWriter(&buf, TimeFormat{}), evs)
	r := csv.NewReader(&buf)
	header, err := r.Read()
	if err != nil || !slices.Equal(header, fileColumns()) {
		t.Fatalf("header %v, %v", header, err)
	}
	for i := range evs {
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		e := &evs[i]
		want := []string{e.MD5, e.UID, strconv.FormatInt(e.TS, 10), e.IP, strconv.FormatInt(e.Status, 10),
			strconv.FormatInt(e.Bytes, 10), e.DeviceBrand, e.Device, e.SystemType, e.CustomizeEvent,
			strconv.FormatInt(e.UseTime, 10), e.CustomizeEventContent, e.Dt}
		// encoding/csv turns \r\n inside quoted fields into \n.
		want[8] = strings.ReplaceAll(want[8], "\r\n", "\n")
		if !slices.Equal(rec, want) {
			t.Fatalf("row %d:\ngot  %q\nwant %q", i+1, rec, want)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("after the last row: %v", err)
	}
}

// NULL is an empty field, the empty string a quoted one.
func TestCSVNull(t *testing.T) {
	var buf bytes.Buffer
	evs := []Event{{UIDNull: true, MD5: "a"}, {MD5: "b"}}
	writeAll(t, NewCSVWriter(&buf, TimeFormat{}), evs)
	lines := strings.Split(buf.String(), "\n")
	if want := `a,,0,"",0,0,"","","","",0,"",""`; lines[1] != want {
		t.Errorf("NULL uid row %s, want %s", lines[1], want)
	}
	if want := `b,"",0,"",0,0,"","","","",0,"",""`; lines[2] != want {
		t.Errorf("empty uid row %s, want %s", lines[2], want)
	}
}

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jsonl", "a.csv"} {
		path := filepath.Join(dir, name)
		w, err := Create(path, TimeFormat{})
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, tricky)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte("\n")); n < 2 {
			t.Errorf("%s: %d lines", name, n)
		}
	}
	if _, err := Create(filepath.Join(dir, "a.txt"), TimeFormat{}); err == nil {
		t.Error("Create(a.txt) succeeded")
	}
}

// appendJSONString writes what encoding/json writes without HTML escaping.
func FuzzAppendJSONString(f *testing.F) {
	for _, e := range tricky {
		for _, s := range []string{e.DeviceBrand, e.Device, e.SystemType, e.CustomizeEvent, e.IP, e.CustomizeEventContent} {
			f.Add(s)
		}
	}
	f.Add("\b\f\x7f<>&\u2029 plain text longer than eight bytes")
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := appendJSONString([]byte("x"), s)
		if string(got[1:]) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got[1:], want.String())
		}
	})
}

// Any string survives a CSV round trip through encoding/csv, except that it
// turns CR LF into LF.
func FuzzAppendCSVString(f *testing.F) {
	for _, e := range tricky {
		f.Add(e.SystemType)
		f.Add(e.Device)
	}
	f.Add(`"`)
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "\r") || !utf8.ValidString(s) {
			t.Skip()
		}
		line := append(appendCSVString(nil, s), ",x\n"...)
		rec, err := csv.NewReader(bytes.NewReader(line)).Read()
		if err != nil || len(rec) != 2 || rec[0] != s {
			t.Fatalf("%q written as %q read back as %q, %v", s, line, rec, err)
		}
	})
}

// Parquet is DuckDB's to write (ingest.CreateSample): Create refuses it and
// creates no file.
func TestCreateRefusesParquet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ods.parquet")
	if w, err := Create(path, TimeFormat{}); !errors.Is(err, ErrParquet) || w != nil {
		t.Fatalf("Create(%s) = %v, %v; want ErrParquet", path, w, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Create left %s: %v", path, err)
	}
}
