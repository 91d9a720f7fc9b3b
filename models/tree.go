package models

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

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
	str   string // string and date-time values; numbers as written
	num   int64
	b     bool
	items []*value

	// tables
	keys   []string // in document order
	fields map[string]*field
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
	// An editor that saves UTF-8 "with BOM" (Windows Notepad did by
	// default) starts the file with U+FEFF, which go-toml reads as a key.
	// It is no part of the text: skip it. Positions stay what the editor
	// shows, which does not show it.
	data = bytes.TrimPrefix(data, utf8BOM)
	// Notepad's "Unicode" is UTF-16, which TOML is not: say so, not that
	// its first byte starts no key.
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xfe\x00\x00")) || bytes.HasPrefix(data, []byte("\x00\x00\xfe\xff")):
		return nil, &Diagnostic{Pos: Position{1, 1}, Msg: "the file is UTF-32 (it starts with a UTF-32 byte-order mark); save it as UTF-8"}
	case bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")):
		return nil, &Diagnostic{Pos: Position{1, 1}, Msg: "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"}
	case bytes.IndexByte(data[:min(len(data), 64)], 0) >= 0:
		// UTF-16 or UTF-32 without a mark: ASCII text with NUL between.
		return nil, &Diagnostic{Pos: Position{1, 1}, Msg: "the file holds NUL bytes, which no UTF-8 text does: is it UTF-16 or UTF-32? save it as UTF-8"}
	}
	// A file saved with Windows line ends (CRLF) has them inside its
	// multi-line strings too, which TOML lets a parser keep and go-toml
	// keeps: a description would then hold a carriage return, which
	// validate refuses as a control character nobody typed. A line end is
	// a line end. (Positions do not move: the CR ends its line.)
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	// go-toml's decoder checks the document first and reports syntax errors
	// with a position; use it so every syntax error reads the same way. It
	// also rejects what TOML forbids beyond the syntax (a key or table
	// defined twice, a key redefined as another type, an integer out of
	// range), so the tree builder below only meets valid documents.
	lines := newLineIndex(data)
	var probe map[string]any
	if err := toml.Unmarshal(data, &probe); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, &Diagnostic{Pos: lines.position(line, col), Msg: syntaxMessage(de.Error())}
		}
		return nil, &Diagnostic{Pos: Position{1, 1}, Msg: syntaxMessage(err.Error())}
	}
	b := &treeBuilder{root: newTable(Position{1, 1}), lines: lines}
	b.current = b.root
	var p unstable.Parser
	p.Reset(data)
	b.p = &p
	for p.NextExpression() {
		b.expression(p.Expression())
	}
	return b.root, nil
}

// syntaxMessage is go-toml's message of a syntax error, on one line: it
// repeats keys as written, control characters included.
func syntaxMessage(s string) string {
	var b strings.Builder
	b.WriteString("invalid TOML: ")
	for _, r := range strings.TrimPrefix(s, "toml: ") {
		if _, bad := controlChar(string(r), false); bad {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// utf8BOM is the UTF-8 encoding of U+FEFF, the byte-order mark.
var utf8BOM = []byte("\xef\xbb\xbf")

type treeBuilder struct {
	p       *unstable.Parser
	root    *value
	current *value
	lines   lineIndex
}

// lineIndex is where each line of a document begins, to say go-toml's
// positions as an editor does: go-toml counts a column in bytes, an editor
// in characters (a Chinese comment's are three bytes each).
type lineIndex struct {
	data   []byte
	starts []int
}

func newLineIndex(data []byte) lineIndex {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{data: data, starts: starts}
}

// position is the position of byte column col (from 1) of line (from 1),
// in characters.
func (x lineIndex) position(line, col int) Position {
	if line < 1 || line > len(x.starts) || col < 1 {
		return Position{line, col}
	}
	start := x.starts[line-1]
	end := min(start+col-1, len(x.data))
	for end > start && end < len(x.data) && !utf8.RuneStart(x.data[end]) {
		end-- // a byte inside a character: the character's column
	}
	return Position{line, utf8.RuneCount(x.data[start:end]) + 1}
}

func (b *treeBuilder) pos(n *unstable.Node) Position {
	for n != nil && n.Valid() {
		if n.Raw.Length > 0 || n.Raw.Offset > 0 {
			s := b.p.Shape(n.Raw)
			return b.lines.position(s.Start.Line, s.Start.Column)
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

func (b *treeBuilder) expression(n *unstable.Node) {
	switch n.Kind {
	case unstable.KeyValue:
		b.keyValue(b.current, n)
	case unstable.Table:
		parts, poss := b.keyParts(n)
		t := b.descend(b.root, parts, poss)
		t.pos = poss[0]
		b.current = t
	case unstable.ArrayTable:
		parts, poss := b.keyParts(n)
		parent := b.descend(b.root, parts[:len(parts)-1], poss[:len(poss)-1])
		last := parts[len(parts)-1]
		f, ok := parent.fields[last]
		if !ok {
			f = &field{keyPos: poss[len(poss)-1], val: &value{kind: kindArray, pos: poss[len(poss)-1]}}
			parent.fields[last] = f
			parent.keys = append(parent.keys, last)
		}
		t := newTable(poss[0])
		f.val.items = append(f.val.items, t)
		b.current = t
	}
}

// descend walks (and creates) the tables named by parts, as a table header or
// dotted key does. In a valid document every part that exists already is a
// table, or an array of tables whose latest table a header continues.
func (b *treeBuilder) descend(t *value, parts []string, poss []Position) *value {
	for i, part := range parts {
		f, ok := t.fields[part]
		switch {
		case !ok:
			nt := newTable(poss[i])
			t.fields[part] = &field{keyPos: poss[i], val: nt}
			t.keys = append(t.keys, part)
			t = nt
		case f.val.kind == kindArray:
			t = f.val.items[len(f.val.items)-1]
		default:
			t = f.val
		}
	}
	return t
}

func (b *treeBuilder) keyValue(t *value, n *unstable.Node) {
	parts, poss := b.keyParts(n)
	parent := b.descend(t, parts[:len(parts)-1], poss[:len(poss)-1])
	last := parts[len(parts)-1]
	parent.fields[last] = &field{keyPos: poss[len(poss)-1], val: b.value(n.Value(), poss[len(poss)-1])}
	parent.keys = append(parent.keys, last)
}

func (b *treeBuilder) value(n *unstable.Node, fallback Position) *value {
	pos := b.pos(n)
	if n.Raw.Length == 0 && n.Raw.Offset == 0 {
		pos = fallback
	}
	v := &value{pos: pos}
	switch n.Kind {
	case unstable.String:
		v.kind, v.str = kindString, string(n.Data)
	case unstable.Integer:
		v.kind, v.str = kindInteger, string(n.Data)
		v.num, _ = parseTOMLInt(string(n.Data)) // in range: go-toml checked
	case unstable.Float:
		v.kind, v.str = kindFloat, string(n.Data) // as written: read as a decimal (Percentile)
	case unstable.Bool:
		v.kind, v.b = kindBool, string(n.Data) == "true"
	case unstable.DateTime, unstable.LocalDateTime, unstable.LocalDate, unstable.LocalTime:
		v.kind, v.str = kindDateTime, string(n.Data)
	case unstable.Array:
		v.kind = kindArray
		it := n.Children()
		for it.Next() {
			v.items = append(v.items, b.value(it.Node(), pos))
		}
		if len(v.items) > 0 && n.Raw.Length == 0 {
			v.pos = fallback
		}
	case unstable.InlineTable:
		v = newTable(pos)
		it := n.Children()
		for it.Next() {
			b.keyValue(v, it.Node())
		}
	}
	return v
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
