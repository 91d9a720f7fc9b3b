package models_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// nastyStrings replace string values: TOML basic-string contents, escapes
// and all.
var nastyStrings = []string{
	``, `${x}`, `a${bizdate}`, `$`, `{`, `\u0000`, `a\tb`, `a\nb`, `a\rb`, `\u001b[2J`, `\u007f`, `\u0085`,
	`\u2028`, `\u202e`, `ſ`, `\u212Aey`, `é`, `'`, `\\`, `\"`, `;`, `--`, `/*`, `?`, `#`, `%zz`,
	`0`, `-1`, `1w`, `500ms`, `1h500ms`, `31d`, `32d`, `213504d`, `99999999999999999999s`,
	`Local`, `Mars/Base`, `UTC`, `http://u:p@h/api`, `https://h/api?k=v`, `x.duckdb?access_mode=read_only`,
	`../../outside.duckdb`, `ordered`, `users`, `cross_midnight`, `maxcompute`, `STRING`, `VARCHAR`, `DECIMAL(10,\t2)`,
	`{stage}`, `{from}_{stage}`, `order`, `uid`, `ts`, `dt`, `customize_event`, `` + strings.Repeat("a", 129),
}

// nastyValues replace a whole value, of any type.
var nastyValues = []string{
	`9223372036854775807`, `-9223372036854775808`, `-1`, `0`, `4294967296`, `1.5`, `true`, `[]`, `{}`,
	`["a", 1]`, `1979-05-27`, `"x"`, `[""]`, `{ a = 1 }`,
}

// addedLines are keys a mutation inserts, to reach more of validate and the
// generator from the shipped configs.
var addedLines = []string{
	`mode = "ordered"`, `mode = "users"`, `window = "1h"`, `window = "31d"`, `day_boundary = "cross_midnight"`,
	`time_column = "ts"`, `time_column = "use_time"`, `breakdowns = ["device_brand"]`, `breakdowns = ["device", "device"]`,
	`median_seconds_column = "{stage}_median"`, `overall_rate_column = "{stage}_overall"`, `total_marker = "a\tb"`,
	`null_marker = "n\nb"`, `engine = "maxcompute"`, `endpoint = "https://h/api"`, `project = "p"`,
	`hints = { "odps.sql.allow.fullscan" = "true" }`, `hints = { access_key = "k" }`, `timeout = "7d"`,
	`poll_interval = "10ms"`, `[targets.prod]`, `[targets."a b"]`, `lifecycle = 9223372036854775807`,
	`threads = -1`, `parameters = "custom"`, `drop_unknown_events = false`, `dedup_by = []`,
	`grain = "hour"`, `hour_partition = "hh"`, `hourly_cron = "0 0 * * * ?"`,
}

var (
	stringRE     = regexp.MustCompile(`("(?:[^"\\\n]|\\.)*")`)
	valueRE      = regexp.MustCompile(`= *("(?:[^"\\\n]|\\.)*"|-?[0-9][0-9_]*|true|false|\[[^\]\n]*\])`)
	diagnosticRE = regexp.MustCompile(`^funnel\.toml:[0-9]+:[0-9]+: `)
	placeholder  = regexp.MustCompile(`\$\{[^}]*\}?`)
)

// mutate changes one thing in lines, chosen by r, and says what.
func mutate(r *rand.Rand, lines []string) ([]string, string) {
	i := r.IntN(len(lines))
	line := lines[i]
	out := append([]string(nil), lines...)
	k := r.IntN(8)
	if k == 3 && !strings.HasPrefix(line, "# ") {
		k = 4
	}
	switch k {
	case 0:
		return append(out[:i], out[i+1:]...), fmt.Sprintf("delete line %d", i+1)
	case 1:
		return append(out[:i+1], out[i:]...), fmt.Sprintf("duplicate line %d", i+1)
	case 2:
		j := r.IntN(len(lines))
		out[i], out[j] = out[j], out[i]
		return out, fmt.Sprintf("swap lines %d and %d", i+1, j+1)
	case 3:
		out[i] = strings.TrimPrefix(line, "# ")
		return out, fmt.Sprintf("uncomment line %d", i+1)
	case 4, 5:
		// Replace a string (4) or any value (5), group 1 of the pattern.
		re, v := stringRE, `"`+nastyStrings[r.IntN(len(nastyStrings))]+`"`
		if k == 5 {
			re, v = valueRE, nastyValues[r.IntN(len(nastyValues))]
		}
		locs := re.FindAllStringSubmatchIndex(line, -1)
		if len(locs) == 0 {
			break
		}
		l := locs[r.IntN(len(locs))]
		out[i] = line[:l[2]] + v + line[l[3]:]
		return out, fmt.Sprintf("line %d: %s -> %s", i+1, line[l[2]:l[3]], v)
	}
	add := addedLines[r.IntN(len(addedLines))]
	out = append(out[:i+1], out[i:]...)
	out[i] = add
	return out, fmt.Sprintf("insert %q before line %d", add, i+1)
}

// TestMutatedConfigs edits the shipped and the test configs at random, with
// a fixed seed, and checks what holds for any input: Parse does not panic;
// its error is diagnostics, each on one line and in the form
// funnel.toml:LINE:COL: ...; and a config it takes renders in both dialects
// into files with no control character but tab and newline and no "${"
// other than a business date placeholder.
func TestMutatedConfigs(t *testing.T) {
	paths, _ := filepath.Glob("../generator/testdata/configs/*.toml")
	paths = append([]string{"../funnel.toml"}, paths...)
	const perConfig = 250
	r := rand.New(rand.NewPCG(12, 2024))
	valid := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.Split(string(data), "\n")
		for n := 0; n < perConfig; n++ {
			lines, what := base, []string{}
			for k := r.IntN(3); k >= 0; k-- {
				var w string
				lines, w = mutate(r, lines)
				what = append(what, w)
			}
			src := strings.Join(lines, "\n")
			if checkMutant(t, src) {
				valid++
			}
			if t.Failed() {
				t.Fatalf("%s, mutated by %s:\n%s", path, strings.Join(what, "; "), src)
			}
		}
	}
	if valid == 0 {
		t.Error("no mutated config was valid: the test renders nothing")
	}
	t.Logf("%d of %d mutated configs valid", valid, len(paths)*perConfig)
}

// checkMutant checks the invariants for one config and reports whether it
// was valid.
func checkMutant(t *testing.T, src string) (valid bool) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("panic: %v", p)
		}
	}()
	cfg, err := models.Parse("funnel.toml", []byte(src))
	if err != nil {
		var diags models.Diagnostics
		if !errors.As(err, &diags) {
			t.Errorf("error is not diagnostics: %v", err)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !diagnosticRE.MatchString(line) || hasControl(line, "") {
				t.Errorf("diagnostic not in the form funnel.toml:LINE:COL: ... on one line: %q", line)
			}
		}
		return false
	}
	for _, d := range generator.Dialects {
		p, err := generator.Render(cfg, templates.FS(), d)
		if err != nil {
			t.Errorf("valid config does not render in %s: %v", d, err)
			continue
		}
		for _, f := range p.Files {
			checkRendered(t, f)
		}
	}
	return true
}

// hasControl reports whether s holds an ASCII control character not in allowed.
func hasControl(s, allowed string) bool {
	for _, c := range s {
		if (c < 0x20 || c == 0x7f) && !strings.ContainsRune(allowed, c) {
			return true
		}
	}
	return false
}

func checkRendered(t *testing.T, f generator.File) {
	t.Helper()
	if hasControl(string(f.Data), "\t\n") {
		t.Errorf("%s holds a control character other than tab and newline", f.Path)
	}
	for _, m := range placeholder.FindAllString(string(f.Data), -1) {
		switch m {
		case "${bdp.system.bizdate}", "${bizdate}", "${final_bizdate}", "${final_next_bizdate}", "${bizhour_day}", "${bizhour}":
		default:
			t.Errorf("%s holds %s, which DataWorks would replace", f.Path, m)
			return
		}
	}
}
