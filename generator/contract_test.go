package generator

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/templates"
)

var defineRE = regexp.MustCompile(`\{\{-?\s*define\s+"([^"]+)"`)

// dialectDefines returns the templates a dialect file defines.
func dialectDefines(t *testing.T, src string) []string {
	t.Helper()
	var names []string
	for _, m := range defineRE.FindAllStringSubmatch(src, -1) {
		names = append(names, m[1])
	}
	return names
}

// contractProblems says how the templates a dialect file defines differ
// from the contract: a template missing, or one that is neither in the
// contract nor the dialect's own helper.
// A template of templates.FlaggedContract is required of the dialects with
// its flag and refused of the others.
func contractProblems(dialect string, flags dialectFlags, defined []string) []string {
	var problems []string
	for _, c := range templates.DialectContract {
		if !slices.Contains(defined, c.Name) {
			problems = append(problems, "lacks "+c.Name+": "+c.Means)
		}
	}
	for _, c := range templates.FlaggedContract {
		switch has := slices.Contains(defined, c.Name); {
		case flags.Has(c.Flag) && !has:
			problems = append(problems, "lacks "+c.Name+" (flag "+c.Flag+"): "+c.Means)
		case !flags.Has(c.Flag) && has:
			problems = append(problems, "defines "+c.Name+", which only dialects with the flag "+c.Flag+" define")
		}
	}
	for _, name := range defined {
		private := strings.HasPrefix(name, dialect+"_")
		contract := slices.ContainsFunc(templates.DialectContract, func(c templates.DialectTemplate) bool { return c.Name == name }) ||
			slices.ContainsFunc(templates.FlaggedContract, func(c templates.FlaggedTemplate) bool { return c.Name == name })
		if !private && !contract {
			problems = append(problems, "defines "+name+", which is not in templates.DialectContract and not named "+dialect+"_...")
		}
	}
	return problems
}

func TestDialectsKeepTheContract(t *testing.T) {
	for _, d := range Dialects {
		src, err := fs.ReadFile(templates.FS(), string(d)+".tmpl")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range contractProblems(string(d), d.info().flags, dialectDefines(t, string(src))) {
			t.Errorf("%s.tmpl %s", d, p)
		}
	}
}

// The check catches a dialect without a template of the contract, and one
// with a template of its own that is not named as its own.
func TestContractCheckFails(t *testing.T) {
	src, err := fs.ReadFile(templates.FS(), "duckdb.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	without := strings.Replace(string(src), `define "shr"`, `define "shift_right"`, 1)
	problems := contractProblems("duckdb", DuckDB.info().flags, dialectDefines(t, without))
	if len(problems) != 2 || !strings.HasPrefix(problems[0], "lacks shr") || !strings.HasPrefix(problems[1], "defines shift_right") {
		t.Errorf("problems %q", problems)
	}
}

// A flagged template is required with its flag and refused without it.
func TestFlaggedContractCheckFails(t *testing.T) {
	src, err := fs.ReadFile(templates.FS(), "duckdb.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	defined := dialectDefines(t, string(src))
	if problems := contractProblems("duckdb", dialectFlags{FoldStarts: true}, defined); len(problems) != len(templates.FlaggedContract) || !strings.HasPrefix(problems[0], "defines list_len") {
		t.Errorf("without the flag: problems %q", problems)
	}
	without := strings.Replace(string(src), `define "list_let"`, `define "duckdb_let"`, 1)
	if problems := contractProblems("duckdb", DuckDB.info().flags, dialectDefines(t, without)); len(problems) != 1 || !strings.HasPrefix(problems[0], "lacks list_let") {
		t.Errorf("problems %q", problems)
	}
}
