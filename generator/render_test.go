package generator

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

func shippedConfig(tb testing.TB) *models.Config {
	tb.Helper()
	data, err := os.ReadFile("../funnel.toml")
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := models.Parse("funnel.toml", data)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// fgen's own templates are parsed once per dialect; templates from
// anywhere else are parsed on every Render, so a caller's edits show even
// after the shipped ones were parsed.
func TestRenderParsesOtherTemplates(t *testing.T) {
	cfg := shippedConfig(t)
	dw := func(p *Project) string {
		for _, f := range p.Files {
			if strings.HasPrefix(f.Path, "nodes/dw_") {
				return string(f.Data)
			}
		}
		t.Fatal("no DW node")
		return ""
	}
	shipped, err := Render(cfg, templates.FS(), DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	edited := fstest.MapFS{}
	err = fs.WalkDir(templates.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS(), path)
		if path == "duckdb.tmpl" {
			data = []byte(strings.Replace(string(data), "BEGIN TRANSACTION", "BEGIN TRANSACTION /* edited */", 1))
		}
		edited[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		p, err := Render(cfg, edited, DuckDB)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(dw(p), "/* edited */") {
			t.Fatalf("the edited template did not render:\n%s", dw(p))
		}
		again, err := Render(cfg, templates.FS(), DuckDB)
		if err != nil {
			t.Fatal(err)
		}
		if dw(again) != dw(shipped) {
			t.Fatalf("the shipped templates rendered\n%s\nafter\n%s", dw(again), dw(shipped))
		}
	}
}

// BenchmarkRender renders the repository's funnel.toml for DuckDB, as
// every plan and apply does.
func BenchmarkRender(b *testing.B) {
	cfg := shippedConfig(b)
	for b.Loop() {
		if _, err := Render(cfg, templates.FS(), DuckDB); err != nil {
			b.Fatal(err)
		}
	}
}
