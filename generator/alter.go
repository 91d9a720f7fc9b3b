package generator

import (
	"bytes"
	"fmt"
	"io/fs"
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

// RenderAlter renders the statements of a in dialect d, one per line group;
// empty when a changes nothing the dialect can express.
func RenderAlter(fsys fs.FS, d Dialect, a Alter) (string, error) {
	t, err := parse(fsys, d)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "alter.sql.tmpl", a); err != nil {
		return "", fmt.Errorf("render alter %s: %w", a.Table, err)
	}
	return strings.TrimSpace(align(buf.String())), nil
}

type alterPair struct {
	T Alter
	C models.Column
}
