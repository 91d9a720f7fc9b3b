package models

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// Position is a 1-based line and column in the config file.
type Position struct {
	Line, Column int
}

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// valueKind is the TOML type of a value, named the way users read it.
type valueKind int

const (
	kindTable valueKind = iota
	kindArray
	kindString
	kindInteger
	kindFloat
	kindBool
	kindDateTime
)

func (k valueKind) String() string {
	return [...]string{"a table", "an array", "a string", "an integer", "a float", "a boolean", "a date-time"}[k]
}

// value is a decoded TOML value that remembers where it came from.
type value struct {
	kind  valueKind
	pos   Position
	str   string // string and date-time values
	num   int64
	float float64
	b     bool
	items []*value

	// tables
	keys   []string // in document order
	fields map[string]*field
	// header marks a table opened by [name] or [[name]], which may not be reopened.
	header bool
	// closed marks an inline table, which can not be extended later.
	closed bool
}

type field struct {
	keyPos Position
	val    *value
}

func newTable(pos Position) *value {
	return &value{kind: kindTable, pos: pos, fields: map[string]*field{}}
}

// parseTree parses TOML into a tree of values with positions.
func parseTree(data []byte) (*value, error) {
	// go-toml's decoder reports syntax errors with a position; use it first so
	// every syntax error reads the same way.
	var probe map[string]any
	if err := toml.Unmarshal(data, &probe); err != nil {
		var de *toml.DecodeError
		if asDecodeError(err, &de) {
			line, col := de.Position()
			return nil, &Diagnostic{Pos: Position{line, col}, Msg: syntaxMessage(de.Error())}
		}
		return nil, &Diagnostic{Pos: Position{1, 1}, Msg: syntaxMessage(err.Error())}
	}
	b := &treeBuilder{root: newTable(Position{1, 1})}
	b.current = b.root
	var p unstable.Parser
	p.Reset(data)
	b.p = &p
	for p.NextExpression() {
		if err := b.expression(p.Expression()); err != nil {
			return nil, err
		}
	}
	if err := p.Error(); err != nil {
		return nil, &Diagnostic{Pos: Position{1, 1}, Msg: syntaxMessage(err.Error())}
	}
	return b.root, nil
}

func asDecodeError(err error, target **toml.DecodeError) bool {
	de, ok := err.(*toml.DecodeError)
	if ok {
		*target = de
	}
	return ok
}

func syntaxMessage(s string) string {
	s = strings.TrimPrefix(s, "toml: ")
	return "invalid TOML: " + s
}

type treeBuilder struct {
	p       *unstable.Parser
	root    *value
	current *value
}

func (b *treeBuilder) pos(n *unstable.Node) Position {
	for n != nil && n.Valid() {
		if n.Raw.Length > 0 || n.Raw.Offset > 0 {
			s := b.p.Shape(n.Raw)
			return Position{s.Start.Line, s.Start.Column}
		}
		n = n.Child()
	}
	return Position{1, 1}
}

func (b *treeBuilder) keyParts(n *unstable.Node) ([]string, []Position) {
	var parts []string
	var poss []Position
	it := n.Key()
	for it.Next() {
		k := it.Node()
		parts = append(parts, string(k.Data))
		poss = append(poss, b.pos(k))
	}
	return parts, poss
}

func (b *treeBuilder) expression(n *unstable.Node) error {
	switch n.Kind {
	case unstable.KeyValue:
		return b.keyValue(b.current, n)
	case unstable.Table:
		parts, poss := b.keyParts(n)
		t, err := b.descend(b.root, parts, poss, true)
		if err != nil {
			return err
		}
		if t.header {
			return &Diagnostic{Pos: poss[len(poss)-1], Msg: fmt.Sprintf("table [%s] is defined twice", strings.Join(parts, "."))}
		}
		t.header = true
		t.pos = poss[0]
		b.current = t
	case unstable.ArrayTable:
		parts, poss := b.keyParts(n)
		parent, err := b.descend(b.root, parts[:len(parts)-1], poss[:len(poss)-1], true)
		if err != nil {
			return err
		}
		last := parts[len(parts)-1]
		f, ok := parent.fields[last]
		if !ok {
			f = &field{keyPos: poss[len(poss)-1], val: &value{kind: kindArray, pos: poss[len(poss)-1]}}
			parent.fields[last] = f
			parent.keys = append(parent.keys, last)
		} else if f.val.kind != kindArray || f.val.closed {
			return &Diagnostic{Pos: poss[len(poss)-1], Msg: fmt.Sprintf("key %q is already defined as %s", last, f.val.kind)}
		}
		t := newTable(poss[0])
		t.header = true
		f.val.items = append(f.val.items, t)
		b.current = t
	}
	return nil
}

// descend walks (and creates) the tables named by parts, as a table header or
// dotted key does.
func (b *treeBuilder) descend(t *value, parts []string, poss []Position, header bool) (*value, error) {
	for i, part := range parts {
		f, ok := t.fields[part]
		if !ok {
			nt := newTable(poss[i])
			t.fields[part] = &field{keyPos: poss[i], val: nt}
			t.keys = append(t.keys, part)
			t = nt
			continue
		}
		switch {
		case f.val.kind == kindTable && !f.val.closed:
			t = f.val
		case f.val.kind == kindArray && header && len(f.val.items) > 0 && !f.val.closed:
			t = f.val.items[len(f.val.items)-1]
		default:
			return nil, &Diagnostic{Pos: poss[i], Msg: fmt.Sprintf("key %q is already defined as %s", part, f.val.kind)}
		}
	}
	return t, nil
}

func (b *treeBuilder) keyValue(t *value, n *unstable.Node) error {
	parts, poss := b.keyParts(n)
	parent, err := b.descend(t, parts[:len(parts)-1], poss[:len(poss)-1], false)
	if err != nil {
		return err
	}
	last := parts[len(parts)-1]
	if _, dup := parent.fields[last]; dup {
		return &Diagnostic{Pos: poss[len(poss)-1], Msg: fmt.Sprintf("key %q is defined twice", last)}
	}
	v, err := b.value(n.Value(), poss[len(poss)-1])
	if err != nil {
		return err
	}
	parent.fields[last] = &field{keyPos: poss[len(poss)-1], val: v}
	parent.keys = append(parent.keys, last)
	return nil
}

func (b *treeBuilder) value(n *unstable.Node, fallback Position) (*value, error) {
	pos := b.pos(n)
	if n.Raw.Length == 0 && n.Raw.Offset == 0 {
		pos = fallback
	}
	v := &value{pos: pos}
	switch n.Kind {
	case unstable.String:
		v.kind, v.str = kindString, string(n.Data)
	case unstable.Integer:
		v.kind = kindInteger
		i, err := parseTOMLInt(string(n.Data))
		if err != nil {
			return nil, &Diagnostic{Pos: pos, Msg: "integer out of range"}
		}
		v.num = i
	case unstable.Float:
		v.kind = kindFloat
		f, err := strconv.ParseFloat(strings.ReplaceAll(string(n.Data), "_", ""), 64)
		if err != nil {
			v.float = 0
		}
		v.float = f
	case unstable.Bool:
		v.kind, v.b = kindBool, string(n.Data) == "true"
	case unstable.DateTime, unstable.LocalDateTime, unstable.LocalDate, unstable.LocalTime:
		v.kind, v.str = kindDateTime, string(n.Data)
	case unstable.Array:
		v.kind = kindArray
		v.closed = true
		it := n.Children()
		for it.Next() {
			item, err := b.value(it.Node(), pos)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
		if len(v.items) > 0 && n.Raw.Length == 0 {
			v.pos = fallback
		}
	case unstable.InlineTable:
		v = newTable(pos)
		it := n.Children()
		for it.Next() {
			if err := b.keyValue(v, it.Node()); err != nil {
				return nil, err
			}
		}
		v.closed = true
	default:
		return nil, &Diagnostic{Pos: pos, Msg: fmt.Sprintf("unsupported TOML value %s", n.Kind)}
	}
	return v, nil
}

func parseTOMLInt(s string) (int64, error) {
	s = strings.ReplaceAll(s, "_", "")
	switch {
	case strings.HasPrefix(s, "0x"):
		return strconv.ParseInt(s[2:], 16, 64)
	case strings.HasPrefix(s, "0o"):
		return strconv.ParseInt(s[2:], 8, 64)
	case strings.HasPrefix(s, "0b"):
		return strconv.ParseInt(s[2:], 2, 64)
	}
	return strconv.ParseInt(s, 10, 64)
}
