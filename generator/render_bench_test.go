package generator

import (
	"os"
	"testing"

	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// BenchmarkRender renders the repository's funnel.toml for DuckDB, as
// every plan and apply does.
func BenchmarkRender(b *testing.B) {
	data, err := os.ReadFile("../funnel.toml")
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := models.Parse("funnel.toml", data)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Render(cfg, templates.FS(), DuckDB); err != nil {
			b.Fatal(err)
		}
	}
}
