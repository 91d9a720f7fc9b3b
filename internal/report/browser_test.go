package report

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var screenshots = flag.String("screenshots", "", "keep the browser test's screenshots (and the page) in this directory")

// chromiumFlags keep a headless chromium to itself: no first-run work, no background
// services, no GPU, a fresh profile in dir, shared memory in /tmp (a container's /dev/shm
// may be too small), no scroll bars in screenshots.
func chromiumFlags(dir string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + dir,
	}
}

// deadProxy returns the address of a local port nothing listens on. Chromium sends every
// request there (loopback included, with --proxy-bypass-list=<-loopback>), so nothing the
// page asks for can leave the machine, and every such request fails at once.
func deadProxy(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// frameResult is what the harness page reports about one frame it loaded.
type frameResult struct {
	Width       int      `json:"width"`       // the frame's viewport, CSS px
	ScrollWidth int      `json:"scrollWidth"` // of the document element
	Overflow    []string `json:"overflow"`    // elements reaching past the viewport
	Resources   []string `json:"resources"`   // everything the frame fetched (Resource Timing)
	Sections    []struct {
		ID    string `json:"id"`
		Cards []struct {
			Class string `json:"class"`
			Text  string `json:"text"` // innerText: what is rendered, tabs between table cells
		} `json:"cards"`
	} `json:"sections"`
	TOC []string `json:"toc"` // the table of contents' link targets
}

// harnessScript runs in the harness page once every frame has loaded, and writes the
// frameResult of each frame, by frame id, as JSON into <pre id="result">, which --dump-dom
// prints. It exists only in the test: the report itself has no script.
const harnessScript = `
addEventListener("load", function () {
  function describe(el) {
    var c = el.getAttribute("class");
    return el.tagName.toLowerCase() + (c ? "." + c.split(" ").join(".") : "");
  }
  function check(w) {
    var d = w.document, vw = w.innerWidth, out = [];
    d.body.querySelectorAll("*").forEach(function (el) {
      var box = el.parentElement && el.parentElement.closest(".scroll");
      if (box) return; // inside a box that scrolls on its own
      var r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return; // not rendered
      if (r.right > vw + 0.5 || r.left < -0.5) out.push(describe(el) + " " + Math.round(r.left) + ".." + Math.round(r.right));
    });
    var sections = [];
    d.querySelectorAll("section.funnel").forEach(function (s) {
      var cards = [];
      s.querySelectorAll(".card").forEach(function (c) { cards.push({class: c.className, text: c.innerText}); });
      sections.push({id: s.id, cards: cards});
    });
    var toc = [];
    d.querySelectorAll("nav.toc a").forEach(function (a) { toc.push(a.getAttribute("href")); });
    return {
      width: vw, scrollWidth: d.documentElement.scrollWidth, overflow: out,
      resources: w.performance.getEntriesByType("resource").map(function (e) { return e.name; }),
      sections: sections, toc: toc
    };
  }
  var res = {};
  document.querySelectorAll("iframe").forEach(function (f) { res[f.id] = check(f.contentWindow); });
  var pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = JSON.stringify(res);
  document.body.appendChild(pre);
});
`

// controlPage fetches one image; the harness must see it, which shows that a fetch would be
// noticed.
const controlPage = `<!DOCTYPE html><html><body><img src="http://fgen-control.invalid/pixel.png" alt="" /></body></html>`

// harness is a page that loads page in a frame 1280 px wide (a desktop) and one 420 px wide
// (a phone), and controlPage in a third frame: a frame is a viewport of its own (its media
// queries and innerWidth are its width), whatever the window's size. (Headless chromium's
// window is at least 500 px wide, so the page cannot be checked at 420 px in a window of its
// own.) The desktop frame fills the top left corner, borderless, so a screenshot of the
// harness 1280 px wide shows the page at that width.
func harness(page []byte) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\" /><style>body { margin: 0; } iframe { display: block; border: 0; }</style></head><body>\n")
	for _, f := range []struct {
		id, w string
		doc   string
	}{{"desktop", "1280", string(page)}, {"phone", "420", string(page)}, {"control", "100", controlPage}} {
		fmt.Fprintf(&b, "<iframe id=%q width=%q height=\"2000\" srcdoc=\"%s\"></iframe>\n", f.id, f.w, html.EscapeString(f.doc))
	}
	b.WriteString("<script>" + harnessScript + "</script>\n</body></html>\n")
	return b.Bytes()
}

// TestBrowser renders the golden page of several funnels in a real browser (Debian's
// chromium, headless): the numbers of every range summary and every day are on the rendered
// page, at 420 px (a phone) and at 1280 px nothing reaches past the viewport, and the page
// fetches nothing. It also takes a screenshot at each width (-screenshots DIR keeps them).
func TestBrowser(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed, so the page is not checked in a browser; apt-get install chromium (.ci/run does)")
	}
	rs := pageReports()
	var page bytes.Buffer
	if err := WriteAll(&page, rs, FormatHTML); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reportFile := filepath.Join(dir, "report.html")
	harnessFile := filepath.Join(dir, "harness.html")
	if err := os.WriteFile(reportFile, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(harnessFile, harness(page.Bytes()), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy := deadProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run := func(name string, args ...string) ([]byte, error) {
		profile := filepath.Join(dir, "profile-"+name)
		args = append(chromiumFlags(profile), append([]string{"--proxy-server=http://" + proxy, "--proxy-bypass-list=<-loopback>"}, args...)...)
		cmd := exec.CommandContext(ctx, bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("chromium %s: %v\n%s", name, err, lastLines(stderr.String(), 10))
		}
		return stdout.Bytes(), nil
	}

	// Two browsers at once: the harness, whose DOM holds the results and whose screenshot
	// shows the page at desktop width, and the page alone in a phone-sized window.
	shots := map[string]int{"phone": 420, "desktop": 1280}
	var dom []byte
	errs := make(chan error, 2)
	go func() {
		var err error
		dom, err = run("desktop", "--window-size=1280,2000", "--screenshot="+filepath.Join(dir, "desktop.png"), "--dump-dom", "file://"+harnessFile)
		errs <- err
	}()
	go func() {
		_, err := run("phone", "--window-size=420,2000", "--screenshot="+filepath.Join(dir, "phone.png"), "file://"+reportFile)
		errs <- err
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	for name, w := range shots {
		path := filepath.Join(dir, name+".png")
		checkScreenshot(t, path, w)
		if *screenshots != "" {
			keep(t, path, filepath.Join(*screenshots, name+".png"))
		}
	}
	if *screenshots != "" {
		keep(t, reportFile, filepath.Join(*screenshots, "report.html"))
	}

	results := harnessResults(t, dom)
	if c := results["control"]; len(c.Resources) != 1 || !strings.Contains(c.Resources[0], "fgen-control.invalid") {
		t.Fatalf("the control frame's fetch was not seen (%q), so the check that the page fetches nothing proves nothing", c.Resources)
	}
	for _, frame := range []string{"phone", "desktop"} {
		t.Run(frame, func(t *testing.T) {
			res, ok := results[frame]
			if !ok {
				t.Fatalf("no result for the %s frame", frame)
			}
			if res.Width != shots[frame] {
				t.Fatalf("viewport %d px wide, want %d", res.Width, shots[frame])
			}
			if res.ScrollWidth > res.Width {
				t.Errorf("the page scrolls sideways: %d px wide in a %d px viewport", res.ScrollWidth, res.Width)
			}
			for _, o := range res.Overflow {
				t.Errorf("reaches past the %d px viewport: %s", res.Width, o)
			}
			if len(res.Resources) > 0 {
				t.Errorf("the page fetched %q", res.Resources)
			}
			checkNumbers(t, rs, res)
		})
	}
}

// checkNumbers asserts that every funnel's section shows, as rendered text, the counts and
// rates of its range summary and each day's totals.
func checkNumbers(t *testing.T, rs []*Report, res frameResult) {
	t.Helper()
	if len(res.Sections) != len(rs) {
		t.Fatalf("%d funnel sections, want %d", len(res.Sections), len(rs))
	}
	if len(res.TOC) != len(rs) {
		t.Errorf("table of contents: %q, want %d links", res.TOC, len(rs))
	}
	for i, r := range rs {
		sec := res.Sections[i]
		if i < len(res.TOC) && res.TOC[i] != "#"+sec.ID {
			t.Errorf("contents link %d is %s, section id %s", i+1, res.TOC[i], sec.ID)
		}
		card := func(class string) string {
			for _, c := range sec.Cards {
				if strings.Contains(" "+c.Class+" ", " "+class+" ") {
					return c.Text
				}
			}
			return ""
		}
		var totals []Row
		for _, row := range r.Rows {
			if r.isTotal(&row) {
				totals = append(totals, row)
			}
		}
		if len(totals) == 0 {
			if !strings.Contains(card("card"), "no rows for funnel "+r.Funnel) {
				t.Errorf("%s: no 'no rows' message", r.Funnel)
			}
			continue
		}
		// The range: the day totals added up, and the rates of the sums.
		n := len(r.Stages)
		sums := make([]int64, n)
		for _, row := range totals {
			for k, c := range row.Counts {
				sums[k] += c
			}
		}
		text := card("range")
		want := []string{}
		for k := range sums {
			want = append(want, r.Stages[k]+"\n"+formatCount(sums[k]))
			if k > 0 {
				want = append(want, "↓ "+formatPercent(sums[k], sums[k-1])+" of "+r.Stages[k-1])
			}
		}
		want = append(want, "conversion\n"+formatPercent(sums[n-1], sums[0]))
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the range summary does not show %q:\n%s", r.Funnel, w, text)
			}
		}
		if r.distributions() {
			checkDistributions(t, r, totals, card("dist"))
		}
		if r.BreakdownLimit > 0 {
			label := r.OtherMarker + " (beyond the top " + strconv.Itoa(r.BreakdownLimit) + ")"
			if text := card("breakdown"); strings.Count(text, label) != 2 { // in the chart and the table
				t.Errorf("%s: the breakdown card does not label the other row %q twice:\n%s", r.Funnel, label, text)
			}
		}
		// Every day, a line of the day table: date, counts, step rates, overall rate, timings.
		if len(totals) < 2 {
			continue
		}
		days := card("days")
		for _, row := range totals {
			cells := []string{formatDate(row.Dt)}
			switch {
			case row.Provisional && row.OutOfDate != "":
				cells[0] += " provisional, out of date"
			case row.Provisional:
				cells[0] += " provisional"
			case row.OutOfDate != "":
				cells[0] += " out of date"
			}
			for _, c := range row.Counts {
				cells = append(cells, formatCount(c))
			}
			for k := 1; k < n; k++ {
				cells = append(cells, formatPercent(row.Counts[k], row.Counts[k-1]))
			}
			if n > 2 {
				cells = append(cells, formatPercent(row.Counts[n-1], row.Counts[0]))
			}
			if r.ordered() {
				cells = append(cells, formatSeconds(at(row.MedianSeconds, n-1)), formatSeconds(at(row.AvgSeconds, n-1)))
			}
			if line := strings.Join(cells, "\t"); !strings.Contains(days, line) {
				t.Errorf("%s: the day table has no line %q:\n%s", r.Funnel, line, days)
			}
		}
	}
}

// checkDistributions asserts that the distributions' card shows, per later stage and series,
// a line of the median, the average and the percentiles (medians and percentiles from the
// smallest to the largest of the day totals', the average weighted by the users) and one of
// the users per bucket (the day totals' added up), and the bucket labels under the charts.
func checkDistributions(t *testing.T, r *Report, totals []Row, text string) {
	t.Helper()
	if text == "" {
		t.Errorf("%s: no card of the times to convert", r.Funnel)
		return
	}
	span := func(value func(*Row) *float64) string {
		var vs []float64
		for j := range totals {
			if v := value(&totals[j]); v != nil {
				vs = append(vs, *v)
			}
		}
		if len(vs) == 0 {
			return undefined
		}
		lo, hi := formatSeconds(ptr(slices.Min(vs))), formatSeconds(ptr(slices.Max(vs)))
		if lo == hi {
			return lo
		}
		return lo + "–" + hi
	}
	for k := 1; k < len(r.Stages); k++ {
		for _, step := range []bool{false, true} {
			from, median, avg := "entry ("+r.Stages[0]+")", func(row *Row) []*float64 { return row.MedianSeconds }, func(row *Row) []*float64 { return row.AvgSeconds }
			if step {
				from, median, avg = "previous ("+r.Stages[k-1]+")", func(row *Row) []*float64 { return row.StepMedianSeconds }, func(row *Row) []*float64 { return row.StepAvgSeconds }
			}
			var weighted float64
			var users int64
			for j := range totals {
				weighted += *avg(&totals[j])[k] * float64(totals[j].Counts[k])
				users += totals[j].Counts[k]
			}
			times := []string{r.Stages[k], from, span(func(row *Row) *float64 { return median(row)[k] }), formatSeconds(ptr(weighted / float64(users)))}
			for i := range r.Percentiles {
				times = append(times, span(func(row *Row) *float64 { return pct(row, step, k, i) }))
			}
			if line := strings.Join(times, "\t"); !strings.Contains(text, line) {
				t.Errorf("%s: the times' table has no line %q:\n%s", r.Funnel, line, text)
			}
			counts := []string{r.Stages[k], from}
			for b := range r.Buckets {
				var c int64
				for j := range totals {
					c += *bucket(&totals[j], step, k, b)
				}
				counts = append(counts, formatCount(c))
			}
			if line := strings.Join(counts, "\t"); !strings.Contains(text, line) {
				t.Errorf("%s: the buckets' table has no line %q:\n%s", r.Funnel, line, text)
			}
		}
	}
	if want := strings.Join(r.Buckets, "\n"); !strings.Contains(text, want) {
		t.Errorf("%s: no bucket labels %q under a histogram:\n%s", r.Funnel, want, text)
	}
}

func rate(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

func harnessResults(t *testing.T, dom []byte) map[string]frameResult {
	t.Helper()
	s := string(dom)
	i := strings.Index(s, `<pre id="result">`)
	j := strings.LastIndex(s, "</pre>")
	if i < 0 || j < i {
		t.Fatalf("the harness wrote no result; the DOM:\n%s", lastLines(s, 20))
	}
	var out map[string]frameResult
	if err := json.Unmarshal([]byte(html.UnescapeString(s[i+len(`<pre id="result">`):j])), &out); err != nil {
		t.Fatalf("the harness result: %v", err)
	}
	return out
}

// checkScreenshot asserts that path is a PNG width pixels wide that shows something.
func checkScreenshot(t *testing.T, path string, width int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() != width {
		t.Errorf("%s: %d px wide, want %d", filepath.Base(path), b.Dx(), width)
	}
	colors := map[uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y && len(colors) < 16; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colors[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	if len(colors) < 16 {
		t.Errorf("%s: only %d colours; is the page blank?", filepath.Base(path), len(colors))
	}
}

func keep(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(to), 0o755)
	}
	if err == nil {
		err = os.WriteFile(to, data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
