package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fgen load on a local target of the golden hourly config: each row gives
// its hour; a bad or missing one fails the load, which keeps nothing; a
// loaded day has its 24 hour partitions, so plan runs every hour of it.
func TestLoadHourlyODS(t *testing.T) {
	data, err := os.ReadFile("../../generator/testdata/configs/hourly.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	target := "\n[targets.local]\nengine = \"duckdb\"\npath = \".fgen/local.duckdb\"\n"
	if err := os.WriteFile(filepath.Join(dir, "funnel.toml"), append(data, target...), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name, rows string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(rows), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.jsonl", `{"md5":"a","uid":"u1","event":"view","ts":1614736800,"device":"ios","dt":"20210303","hh":"10"}
{"md5":"b","uid":"u1","event":"buy","ts":1614736900,"device":"ios","dt":"20210303","hh":"10"}
`)
	write("bad.jsonl", `{"md5":"c","uid":"u2","event":"view","ts":1614736800,"dt":"20210303","hh":"24"}
`)
	write("nohour.csv", "md5,uid,event,ts\nd,u3,view,1614736800\n")
	for file, want := range map[string]string{
		"bad.jsonl":  `fgen: load: bad.jsonl:1: hh "24"; an hour partition value is two digits from 00 to 23; nothing was loaded`,
		"nohour.csv": `fgen: load: nohour.csv:2: no hh value; ods_events is partitioned by hour: give every row its hour, 00 to 23; nothing was loaded`,
	} {
		r := fgen(t, dir, nil, "load", "-q", "--bizdate", "20210303", file)
		if r.code != 1 || strings.TrimSpace(r.stderr) != want {
			t.Errorf("load %s: exit %d, stderr %q, want %q", file, r.code, r.stderr, want)
		}
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); !strings.Contains(r.stdout, "ods_events dt=20210303: hours 00-23 missing") {
		t.Errorf("plan after failed loads: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "good.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "loaded 2 rows") {
		t.Fatalf("load: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || !strings.Contains(r.stdout, "dw_events (hours 00-23)") {
		t.Errorf("plan after the load: %+v", r)
	}
}
