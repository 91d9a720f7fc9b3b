package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The fuzz targets load arbitrary bytes as a JSON lines or CSV file into
// the test table. Whatever the bytes: no panic; an error is a *RowError
// with the file and a line, or says that the file is not one fgen reads; a
// failed load leaves the table as it was; a load that succeeds inserts as
// many rows as fgen's check counted. The seeds run in every 'go test':
//
//	go test -run '^$' -fuzz FuzzLoadJSONL -fuzztime 1m ./internal/ingest
//	go test -run '^$' -fuzz FuzzLoadCSV -fuzztime 1m ./internal/ingest

var jsonSeeds = []string{
	"",
	"\n\n",
	`{"id":"a1","n":1,"x":1.5,"ok":true,"at":"2021-03-03 10:00:00","amount":"12.345"}`,
	"{\"ID\":\"a2\",\"n\":\"-7\"}\r\n{}\n  {\"id\":null}\n",
	`{"id":"es\"c\\a\/pe\n\t\u00e9\ud83d\ude00"}`,
	`{"id":"a\u0000b","dt":"20210303"}`,
	`{"id":"a","id":"b"}`,
	`{"dt":"20210303","DT":"20210304"}`,
	`{"n":1.5}`,
	`{"n":0012}`,
	`{"n":9223372036854775808}`,
	`{"id":12.50}`,
	`{"id":"\ud800"}`,
	`{"id":{"a":1}}`,
	`{"at":"soon"}`,
	`{"ok":"maybe","x":"1e3"}`,
	`{"id":"a",}`,
	"{\"id\":\"a\xffb\"}",
	"[1]\n{} x\n",
	`{"i\u0064":"escaped key"}`,
}

var csvSeeds = []string{
	"",
	"id\n",
	"id,N,x,ok,at,amount,dt\r\na1,1,1.5,true,2021-03-03 10:00:00,12.345,20210303\r\n\"\",,,,,,\n\n",
	"id,n\n\"multi\nline, \"\"quoted\"\"\",2\n spaced ,3\n",
	"id,dt,dt\na,20210303,20210304\n",
	"n\n1.5\n1.\n+5\n\"\"\n",
	"id\nx\ry\n",
	"id\n\"a\rb\"\n",
	"id,n\na,1,2\n",
	"id\na\"b\n",
	"id\n\"a\"b\n",
	"id\n\"a\n",
	"at,ok\nsoon,maybe\n",
	"id\na\xffb\n",
	" id , dt \nc1,20210303\n",
	"nn\n",
}

func FuzzLoadJSONL(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	fuzzLoad(f, "in.jsonl")
}

func FuzzLoadCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add(s)
	}
	fuzzLoad(f, "in.csv")
}

// notAFile are the errors a load may give without a line: about the file as
// a whole.
var notAFile = regexp.MustCompile(`^(unknown file extension|no file extension|not a regular file)`)

func fuzzLoad(f *testing.F, name string) {
	fx := newLoadFixture(f)
	path := filepath.Join(fx.dir, name)
	fx.t = nil // f's helpers must not be called from the fuzz function
	f.Fuzz(func(t *testing.T, data string) {
		fx.t = t
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		before := fx.rows()
		n, err := fx.load("20210303", false, path)
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) || re.File != path || (re.Line < 1 && !notAFile.MatchString(re.Msg)) {
				t.Fatalf("error without FILE:LINE: %v", err)
			}
			if got := fx.rows(); got != before {
				t.Fatalf("a failed load changed the table:\n%s\nwas\n%s", got, before)
			}
			return
		}
		if got := int64(strings.Count(fx.rows(), "|20210303\n")); got != n {
			t.Fatalf("load reported %d rows, the partition has %d", n, got)
		}
	})
}
