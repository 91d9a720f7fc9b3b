package ingest

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/models"
)

// The fast paths for the usual line (plainObject, plainRecord) must find
// what the general checks find: the same rows, errors and partition values.

var fastCols = []Column{
	{Name: "id", Type: "VARCHAR"},
	{Name: "n", Type: "BIGINT"},
	{Name: "small", Type: "SMALLINT"},
	{Name: "x", Type: "DOUBLE"},
	{Name: "ts", Type: "BIGINT"},
	{Name: "at", Type: "VARCHAR", Format: "yyyy-MM-dd HH:mm:ss"},
	{Name: "when", Type: "TIMESTAMP"},
	{Name: "ok", Type: "BOOLEAN"},
	{Name: "amt", Type: "DECIMAL(10,2)"},
}

// fastOptions are loads with a day, and by each row's dt or else its time
// (an epoch column, a STRING one).
var fastOptions = map[string]Options{
	"day": {Table: "t", Partition: "dt", Day: "20210303", Columns: fastCols},
	"rows by ts": {Table: "t", Partition: "dt", Columns: fastCols,
		DayFrom: &DayFrom{Time: models.TimeColumn{Name: "ts"}, Kind: models.TimeEpoch, Zone: "UTC"}},
	"rows by at": {Table: "t", Partition: "dt", Columns: fastCols,
		DayFrom: &DayFrom{Time: models.TimeColumn{Name: "at", Format: "yyyy-MM-dd HH:mm:ss", Timezone: "UTC"}, Kind: models.TimeString, Zone: "UTC"}},
	"rows": {Table: "t", Partition: "dt", Columns: fastCols},
}

const fastJSON = `{"id":"a1b2c3d4e5f6a7b8c9d0","n":1614731976,"small":-7,"x":15,"ts":1614731976,"at":"2021-03-03 10:00:00","when":"2021-03-03 10:00:00","ok":true,"amt":12,"dt":"20210303"}`

// fastValues are values, each in fastJSON for its key, that the fast path
// may get wrong.
var fastValues = map[string][]string{
	"id": {`-0`, `0`, `-12`, `012`, `1.5`, `1e5`, `1E5`, `1.`, `-`, `null`, `true`, `""`, `"-0"`, `{}`, `[]`, `nul`, `nullx`, `"a\"b"`, `"a\u0041"`,
		`"é"`, "\"\xff\"", "\"a\x01b\"", "\"a\tb\"", "\"a\x7fb\"", `"a"b"`, `"a`, ` "a"`, `"a" `},
	"n": {`9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `-9223372036854775809`, `123456789012345678`,
		`1234567890123456789`, `"12"`, `"1.5"`, `"-0"`, `" 1"`, `null`, `true`, `-0`, `00`, `0`, `-`, `1.5`},
	"small": {`32767`, `32768`, `-32768`, `-32769`, `9999`, `99999`, `-9999`, `-99999`, `"-5"`, `"32768"`, `"9999"`},
	"x":     {`1.5`, `"abc"`, `-0`, `null`, `1e5`, `"1e5"`},
	"ts":    {`null`, `"161"`, `-1`, `0`, `"x"`},
	"at":    {`"2021-02-29 10:00:00"`, `"2020-02-29 10:00:00"`, `20210303`, `-0`, `0`, `null`, `"2021-03-03 10:00:0"`, `"2021-03-03 24:00:00"`},
	"when":  {`"2021-03-03 10:00:00+08:00"`, `"2021-03-03T10:00:00\u002B08:00"`, `"2021-03-03 10:00:00Z"`, `"2021-03-03 10:00:00 UTC"`, `"2021-03-03 10:00:00 Asia/Shanghai"`, `1614731976`, `null`, `true`, `"soon"`},
	"ok":    {`1`, `0`, `2`, `-1`, `1.0`, `"1"`, `"t"`, `"No"`, `"y"`, `false`, `null`},
	"amt":   {`1.25`, `1.255`, `12345678`, `123456789`, `"1.2"`, `"1.239"`, `-0.5`, `1e2`, `true`},
	"dt":    {`null`, `"20210304"`, `20210303`, `20210304`, `"2021"`, `-0`, `"20211303"`, `"20210303 "`},
}

// fastJSONLines are other lines, each between two usual ones, that the fast
// path may get wrong.
var fastJSONLines = []string{
	fastJSON, `{"id":"a"}`, `{"dt":"20210304"}`, `{"ts":1}`,
	`{"ID":"a"}`, `{"id":"a","id":"b"}`, `{"i\u0064":"a"}`, `{"zz":1}`, `{"n":1,"id":"a"}`, `{ "id":"a"}`, `{"id" :"a"}`, `{"id": "a"}`,
	`{"id":"a"} `, `{"id":"a"}}`, `{"id":"a"}x`, `{"id":"a",}`, `{}`, `{"id":"a"`, `"id"`, `[]`, `{"id"}`, `{"id":}`,
	`{"dt":"20210303","DT":"20210303"}`, `{"dt":"20210303","dt":"20210303"}`, `{"id":"a","dt":"20210303"`,
	`{"id":"a","n":1,"small":2,"x":3,"ts":4,"at":"2021-03-03 10:00:00","dt":"20210303","zz":1}`,
	`{"id":"a","n":1,"small":2,"x":3,"ts":4,"at":"2021-03-03 10:00:00"}`,
	`{"id":"a","n":1,"small":2,"x":3,"ts":4,"at":"2021-03-03 10:00:00","dt":"20210303","id":"b"}`,
	`{"id":"a","n":1,"small":2,"x":3,"ts":4,"at":"2021-03-03 10:00:00","dt":"20210303","dt":"20210303"}`,
}

const fastCSVHeader = "id,n,small,x,ts,at,dt"
const fastCSV = "a1b2c3d4e5f6a7b8c9d0,1614731976,-7,1.5,1614731976,2021-03-03 10:00:00,20210303"

var fastCSVLines = []string{
	fastCSV,
	",,,,,,", "a,,,,,,", "a,1,2,3,4,2021-03-03 10:00:00,", ",,,,,,20210304", ",,,,,,2021", ",,,,,,-0",
	"a,-0,,,,,", "a,+5,,,,,", "a,1.5,,,,,", "a,1.,,,,,", "a, 1,,,,,", "a,9223372036854775808,,,,,", "a,-9223372036854775808,,,,,",
	"a,,32768,,,,", "a,,-32768,,,,", "a,,99999,,,,", "a,,,x,,,", "a,,,,,2021-02-29 10:00:00,", "a,,,,,soon,", "a,,,,1,,", "a,,,,,2021-03-03 10:00:00,",
	"a,,,,,,,", "a,,,,,", "a", `"a",,,,,,`, `"a""b",,,,,,`, `a"b,,,,,,`, `"a"b,,,,,,`, "a\r,,,,,,", "a\rb,,,,,,", `"a`, "\"a\nb\",,,,,,",
	"é,,,,,,", "\xff,,,,,,", "a\x01,,,,,,", "a\tb,,,,,,", " a ,,,,,,", "", "   ",
}

// checkBoth checks data, as file name, with and without the fast paths,
// with each of fastOptions, and fails if they differ.
func checkBoth(t *testing.T, dir, name, data string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	for oname, opts := range fastOptions {
		var got [2]string
		for i, fast := range []bool{true, false} {
			opts.Files = []string{path}
			l, err := newLoader(opts)
			if err != nil {
				t.Fatal(err)
			}
			l.general = !fast
			l.check(context.Background())
			p := l.parts
			s := l.files[0].scan
			got[i] = fmt.Sprintf("rows %d, longest %d, header %v, spellings %q\nparse %v\nvalue %v\nfirstAt %v invalid %v derive %v",
				s.rows, s.maxLine, s.header, s.spellings, s.parse, s.value, p.firstAt, p.invalid, p.derive)
			if p.firstNull != nil {
				got[i] += fmt.Sprintf(" firstNull %v", *p.firstNull)
			}
		}
		if got[0] != got[1] {
			t.Fatalf("%s, %s: %q\nfast:\n%s\ngeneral:\n%s", name, oname, data, got[0], got[1])
		}
	}
}

func TestFastPathsAgree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for key, vals := range fastValues {
		for _, v := range vals {
			line := regexp.MustCompile(`"`+key+`":("[^"]*"|[^,}]*)`).ReplaceAllLiteralString(fastJSON, `"`+key+`":`+v)
			checkBoth(t, dir, "f.jsonl", fastJSON+"\n"+line+"\n"+fastJSON+"\n")
		}
	}
	for _, line := range fastJSONLines {
		checkBoth(t, dir, "f.jsonl", fastJSON+"\n"+line+"\n"+fastJSON+"\n")
		checkBoth(t, dir, "f.jsonl", line+"\r\n"+line+"\n"+fastJSON)
	}
	for _, line := range fastCSVLines {
		checkBoth(t, dir, "f.csv", fastCSVHeader+"\n"+fastCSV+"\n"+line+"\n"+fastCSV+"\n")
		checkBoth(t, dir, "f.csv", fastCSVHeader+"\r\n"+line+"\r\n"+line)
	}
	// A byte that ends a plain string, at every place of a long one.
	for _, b := range []string{`"`, `\\`, `\"`, "\t", "\x00", "\x7f", "é", "\xff", ",", "}"} {
		for at := range 20 {
			s := strings.Repeat("a", at) + b + strings.Repeat("b", 20-at)
			checkBoth(t, dir, "f.jsonl", fastJSON+"\n"+strings.Replace(fastJSON, "a1b2c3d4e5f6a7b8c9d0", s, 1)+"\n")
			checkBoth(t, dir, "f.jsonl", fastJSON+"\n"+strings.Replace(fastJSON, "20210303", s, 1)+"\n")
			checkBoth(t, dir, "f.csv", fastCSVHeader+"\n"+strings.Replace(fastCSV, "a1b2c3d4e5f6a7b8c9d0", s, 1)+"\n")
		}
	}
}

var fastEdits = flag.Int("fast.edits", 0, "TestFastPathsAgreeRandom: files of edited lines to check")

// Random edits of usual lines.
func TestFastPathsAgreeRandom(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(13, 1))
	n := 300 // -run FastPathsAgreeRandom -fast.edits 100000 for a deep run
	if *fastEdits > 0 {
		n = *fastEdits
	}
	bytes := []string{`"`, `\`, "{", "}", ",", ":", "0", "1", "9", "-", ".", "e", "n", "u", "l", " ", "\t", "\r", "\x00", "\x7f", "é", "\xff", "a", "A", "D", "T"}
	edit := func(s string) string {
		for range 1 + r.IntN(3) {
			i := r.IntN(len(s) + 1)
			b := bytes[r.IntN(len(bytes))]
			switch r.IntN(3) {
			case 0: // insert
				s = s[:i] + b + s[i:]
			case 1: // replace
				if i < len(s) {
					s = s[:i] + b + s[i+1:]
				}
			default: // delete
				if i < len(s) {
					s = s[:i] + s[i+1:]
				}
			}
		}
		return s
	}
	for range n {
		var js, cs strings.Builder
		cs.WriteString(fastCSVHeader + "\n")
		for range 1 + r.IntN(4) {
			line, row := fastJSON, fastCSV
			if r.IntN(2) == 0 {
				line, row = edit(line), edit(row)
			}
			js.WriteString(line + "\n")
			cs.WriteString(row + "\n")
		}
		checkBoth(t, dir, "f.jsonl", js.String())
		checkBoth(t, dir, "f.csv", cs.String())
	}
}
