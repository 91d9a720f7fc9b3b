//go:build cgo

package e2e

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fgen-dev/fgen/internal/reference"
	"github.com/fgen-dev/fgen/internal/sample"
)

var sampleUsers = flag.Int("e2e.sample-users", 2000, "users a day of TestSampleCounts's sample; e.g. 20000 for a deep run")

// TestSampleCounts does what a user would do to trust the numbers: generate
// a sample with noise ('fgen sample'), load it by its dt column ('fgen
// load'), apply the days ('fgen apply'), and recount the funnel in plain Go
// from the same JSON lines: rows with a NULL or empty uid, an event that is
// no stage, or an md5 already seen that day are dropped; the rest are
// counted per event per dt. The rates must be those counts' ratios.
func TestSampleCounts(t *testing.T) {
	t.Parallel()
	days := 2
	if testing.Short() {
		days = 1
	}
	opts := sample.Options{Users: *sampleUsers, Days: days, Start: "20240229", Seed: 7, Noise: true}
	path := filepath.Join(t.TempDir(), "sample.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := sample.NewJSONLWriter(f, sample.TimeFormat{})
	if err := sample.Generate(opts, w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// The plain Go count.
	stages := []string{"browse", "click", "purchase"}
	type key struct{ dt, md5 string }
	seen := map[key]bool{}
	counts := map[string][]int64{}
	var lines, dirty int
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines++
		var r struct {
			MD5   *string `json:"md5"`
			UID   *string `json:"uid"`
			Event *string `json:"customize_event"`
			Dt    string  `json:"dt"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		if counts[r.Dt] == nil {
			counts[r.Dt] = make([]int64, len(stages))
		}
		k := slices.Index(stages, deref(r.Event))
		if r.UID == nil || *r.UID == "" || k < 0 || (r.MD5 != nil && seen[key{r.Dt, *r.MD5}]) {
			dirty++
			continue
		}
		if r.MD5 != nil {
			seen[key{r.Dt, *r.MD5}] = true
		}
		counts[r.Dt][k]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(counts) != days || dirty == 0 {
		t.Fatalf("the sample has %d days and %d dirty rows of %d; want %d days and some dirty rows", len(counts), dirty, lines, days)
	}

	e := newEnv(t, "shipped", shipped(t))
	n, err := e.loadFiles("", path)
	if err != nil || n != int64(lines) {
		t.Fatalf("load: %d rows, %v; want %d rows", n, err, lines)
	}
	var dts []string
	for dt := range counts {
		dts = append(dts, dt)
	}
	slices.Sort(dts)
	e.mustApply(dts...)

	got := e.report(0)
	t.Logf("%d rows in the file, %d dropped", lines, dirty)
	if len(got) != len(dts) {
		t.Fatalf("%d RPT rows, want %d", len(got), len(dts))
	}
	for i, r := range got {
		c := counts[dts[i]]
		if r.Dt != dts[i] || !slices.Equal(r.Counts, c) {
			t.Errorf("dt=%s: counts %v, want dt=%s %v", r.Dt, r.Counts, dts[i], c)
		}
		for k := 1; k < len(stages); k++ {
			col := stages[k-1] + "_rate"
			if g, w := r.Cells[col], reference.PercentOf(c[k], c[k-1]); show(g) != show(w) {
				t.Errorf("dt=%s: %s = %s, want %s (%d / %d)", r.Dt, col, show(g), show(w), c[k], c[k-1])
			}
		}
		t.Logf("dt=%s: browse %d, click %d, purchase %d", r.Dt, c[0], c[1], c[2])
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
