// Package layers checks fgen's import graph: every package imports only
// packages of lower layers, and none imports a test harness. The graph is
// drawn in docs/architecture.md, which the test keeps current
// (go test ./internal/layers -update).
package layers

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the drawing in docs/architecture.md")

const module = "github.com/fgen-dev/fgen/"

// layers lists fgen's packages from the top down: a package may import the
// packages of the layers below its own, never those of its own or above.
var layers = []struct {
	name     string
	packages []string
}{
	{"tools", []string{"internal/bench/cmd/nodetimes", "internal/bench/cmd/nativeload"}},
	{"the command, and the benchmarks' helpers", []string{"cmd/fgen", "internal/bench"}},
	{"plan, apply, report, load", []string{"internal/plan", "internal/report", "internal/lineage", "internal/ingest"}},
	{"sample data (plain Go: DuckDB writes it through internal/ingest)", []string{"internal/sample"}},
	{"data checks", []string{"internal/lint"}},
	{"engines", []string{"internal/duckdb", "internal/maxcompute"}},
	{"rendering", []string{"generator"}},
	{"config, templates, contracts", []string{"models", "templates", "internal/warehouse", "internal/textdiff", "internal/duckdb/duckutil"}},
	{"business dates, shell words", []string{"internal/bizdate", "internal/shell"}},
}

// harness are the packages of tests: they may import anything, and nothing
// but tests imports them.
var harness = []string{"internal/funneltest", "internal/odpstest", "internal/reference", "internal/chpeer", "internal/e2e", "internal/layers", "internal/testmain"}

type pkg struct {
	ImportPath string
	Imports    []string // of its non-test files
}

func goList(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		p.ImportPath = strings.TrimPrefix(p.ImportPath, module)
		var own []string
		for _, imp := range p.Imports {
			if rest, ok := strings.CutPrefix(imp, module); ok {
				own = append(own, rest)
			}
		}
		p.Imports = own
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func layerOf(path string) int {
	for i, l := range layers {
		if slices.Contains(l.packages, path) {
			return i
		}
	}
	return -1
}

func TestImportsGoDown(t *testing.T) {
	pkgs := goList(t)
	for _, p := range pkgs {
		if slices.Contains(harness, p.ImportPath) {
			continue
		}
		from := layerOf(p.ImportPath)
		if from < 0 {
			t.Errorf("package %s is in no layer; add it to layers (or harness) in this file", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			switch to := layerOf(imp); {
			case slices.Contains(harness, imp):
				t.Errorf("%s imports the test harness %s", p.ImportPath, imp)
			case to >= 0 && to <= from:
				t.Errorf("%s (%s) imports %s (%s): an arrow that does not go down", p.ImportPath, layers[from].name, imp, layers[to].name)
			}
		}
	}
	if !t.Failed() {
		drawing(t, pkgs)
	}
}

// The check sees an import that goes up.
func TestUpwardImportFails(t *testing.T) {
	if from, to := layerOf("generator"), layerOf("internal/plan"); !(to >= 0 && to <= from) {
		t.Errorf("generator importing internal/plan would not be caught")
	}
}

// drawing renders the import graph as a Mermaid flowchart, layer by layer,
// and checks it is the one in docs/architecture.md.
func drawing(t *testing.T, pkgs []pkg) {
	var b strings.Builder
	b.WriteString("```mermaid\nflowchart TB\n")
	id := func(p string) string { return strings.NewReplacer("/", "_", ".", "_").Replace(p) }
	for i, l := range layers {
		fmt.Fprintf(&b, "    subgraph L%d [\"%s\"]\n", i, l.name)
		for _, p := range l.packages {
			if slices.ContainsFunc(pkgs, func(q pkg) bool { return q.ImportPath == p }) {
				fmt.Fprintf(&b, "        %s[%s]\n", id(p), p)
			}
		}
		b.WriteString("    end\n")
	}
	for _, p := range pkgs {
		if slices.Contains(harness, p.ImportPath) {
			continue
		}
		for _, imp := range p.Imports {
			fmt.Fprintf(&b, "    %s --> %s\n", id(p.ImportPath), id(imp))
		}
	}
	b.WriteString("```\n")

	const path = "../../docs/architecture.md"
	const begin, end = "<!-- import graph: begin -->\n", "<!-- import graph: end -->\n"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", path, strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	got := string(doc[i+len(begin) : j])
	if got == b.String() {
		return
	}
	if !*update {
		t.Errorf("the import graph in %s is out of date; run 'go test ./internal/layers -update'", path)
		return
	}
	out := append(append(append([]byte{}, doc[:i+len(begin)]...), b.String()...), doc[j:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
