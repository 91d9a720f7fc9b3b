package generator

import (
	"fmt"
	"strings"

	"github.com/fgen-dev/fgen/models"
)

// Alter describes how to evolve a live table toward its definition.
type Alter struct {
	Table          string
	AddColumns     []models.Column // appended last, in order
	SetComment     bool
	Comment        string
	SetLifecycle   bool
	Lifecycle      int64
	ColumnComments []models.Column // columns whose comment changes
	DropColumns    []models.Column // destructive
	Retype         []models.Column // destructive: columns with their new type
}

// RenderAlter renders the statements of a in the project's dialect, from the
// templates the project was rendered from, one per line group; empty when a
// changes nothing the dialect can express.
func (p *Project) RenderAlter(a Alter) (string, error) {
	if p.tmpl == nil {
		return "", fmt.Errorf("render alter %s: the project was not made by Render", a.Table)
	}
	s, err := execute(p.tmpl, "alter.sql.tmpl", a)
	if err != nil {
		return "", fmt.Errorf("render alter %s: %w", a.Table, err)
	}
	return strings.TrimSpace(s), nil
}
