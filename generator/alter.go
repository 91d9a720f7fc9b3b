package generator

import (
	"fmt"

	"github.com/fgen-dev/fgen/models"
)

// Alter describes how to evolve a live table toward its definition.
type Alter struct {
	Table          string
	AddColumns     []models.Column // appended last, in order
	SetComment     bool
	Comment        string
	SetLifecycle   bool
	Lifecycle      int64           // positive
	ColumnComments []models.Column // columns whose comment changes
	// Live are the live table's columns, with their types as funnel.toml
	// writes them (Dialect.ConfigType): a statement on a table with a
	// column of a 2.0 type needs the 2.0 type system, even one that only
	// sets a comment.
	Live []models.Column
}

// RenderAlter renders the statements of a in the project's dialect, from the
// templates the project was rendered from; none when a changes nothing the
// dialect can express.
func (p *Project) RenderAlter(a Alter) (Script, error) {
	if p.tmpl == nil {
		return Script{}, fmt.Errorf("render alter %s: the project was not made by Render", a.Table)
	}
	if a.SetLifecycle && a.Lifecycle <= 0 {
		return Script{}, fmt.Errorf("render alter %s: lifecycle %d; MaxCompute takes a positive number of days", a.Table, a.Lifecycle)
	}
	stmts, err := p.statements("alter.sql.tmpl", a)
	if err != nil {
		return Script{}, fmt.Errorf("render alter %s: %w", a.Table, err)
	}
	var want []models.Column
	if t, ok := p.Table(a.Table); ok {
		want = t.Columns
	}
	return Script{Settings: p.typeSettings(false, a.Live, a.AddColumns, want), Statements: stmts}, nil
}

// RecreateScript renders the statements that drop table t and create it
// again, empty: the destructive change of a derived table.
func (p *Project) RecreateScript(t Table) (Script, error) {
	drop, err := p.statements("drop_table", t.Name)
	if err != nil {
		return Script{}, err
	}
	return Script{Settings: t.Create.Settings, Statements: append(drop, t.Create.Statements...)}, nil
}
