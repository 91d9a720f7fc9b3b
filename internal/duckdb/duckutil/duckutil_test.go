//go:build unix

package duckutil

import (
	"strings"
	"testing"
)

func TestReaderPath(t *testing.T) {
	for _, tc := range []struct{ path, want, err string }{
		{"/data/events.csv", "/data/events.csv", ""},
		{"~/events.csv", "./~/events.csv", ""},
		{"/data/dt=20210303/part.jsonl", "/data/dt=20210303/part.jsonl", ""},
		{"/data/events[1].csv", "/data/events[[]1].csv", ""},
		{"/d[a]ta/st*r?.csv", "/d[[]a]ta/st[*]r[?].csv", ""},
		{`/data/back\slash.csv`, `/data/back\slash.csv`, ""},
		{`/data/back\slash[1].csv`, "", "rename the file or its directory"},
	} {
		got, err := ReaderPath(tc.path)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ReaderPath(%q) = %q, %v; want %q, %q", tc.path, got, err, tc.want, tc.err)
		}
	}
}
