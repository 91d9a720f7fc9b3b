package ingest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// checkJSONL checks a JSON lines file: one flat object per line, whose keys
// are the table's columns or the partition column (case-insensitive, each
// at most once), with scalar values; blank lines are skipped. A value must
// fit its column (valueOK). It stops at the first malformed row.
//
// DuckDB's read_json then reads the same file; what it would take silently
// (an unknown key, a key in another case, a number with a leading zero or
// a lone surrogate escape, a nested value in a string column, 1.5 in a
// BIGINT column) is an error here.
// It returns nil if ctx ends first.
func (l *loader) checkJSONL(ctx context.Context, fi int, r io.Reader) *scan {
	res := &scan{spellings: make([][]string, len(l.cols)+1)}
	c := &jsonChecker{l: l, fi: fi, file: l.files[fi].path, res: res, seen: make([]uint32, len(l.cols))}
	lr := newLineReader(r)
	for {
		raw, err := lr.next()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.parse = &RowError{File: c.file, Line: lr.n, Msg: rowMsg(err)}
			return res
		}
		if lr.n%checkEvery == 0 && ctx.Err() != nil {
			return nil
		}
		res.maxLine = max(res.maxLine, len(raw))
		c.line, c.lineNo = trimEOL(raw), lr.n
		if blank(c.line) {
			continue
		}
		res.rows++
		if c.plainObject() {
			continue
		}
		if err := c.object(); err != nil {
			var ve *valueError
			if errors.As(err, &ve) {
				if res.value == nil {
					res.value = &RowError{File: c.file, Line: c.lineNo, Msg: ve.msg}
				}
				continue
			}
			res.parse = &RowError{File: c.file, Line: c.lineNo, Msg: err.Error()}
			return res
		}
	}
}

// valueError is a value that does not fit its column, in a row that is
// otherwise well formed.
type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

type jsonChecker struct {
	l      *loader
	fi     int
	file   string
	res    *scan
	line   []byte // the current line, without its end
	lineNo int64
	i      int

	// seen[c] == gen when the current object had a key for column c.
	seen        []uint32
	seenPart    uint32
	gen         uint32
	firstValErr *valueError // the first value error of the current object
	partKey     []byte      // the current object's partition key and value
	part        []byte
	partSet     bool
	timeSet     bool // the current object has a value for the column of DayFrom

	// keys caches the column of the n-th key of the last objects (-1: the
	// partition column): lines usually list their keys in one order.
	keys    []cachedKey
	scratch []byte
}

type cachedKey struct {
	name []byte
	col  int
}

func (p *jsonChecker) errorf(format string, args ...any) error {
	return fmt.Errorf("malformed JSON at column %d: %s", p.i+1, fmt.Sprintf(format, args...))
}

func (p *jsonChecker) ws() {
	for p.i < len(p.line) {
		switch p.line[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// plainObject checks the current line the fast way, for the usual line:
// ASCII without escapes or control characters, no space between tokens,
// keys in the order of the line before, strings, integers and nulls. It
// reports false, having noted nothing, for any other line, which object
// then checks.
func (p *jsonChecker) plainObject() bool {
	line := p.line
	if !plainLine(line) || len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return false
	}
	p.gen++
	if p.gen == 0 {
		return false // object resets the marks
	}
	partSet, timed := false, false
	var part []byte
	var valErr *valueError
	i := 1
	if line[i] == '}' {
		i++
	}
	for n := 0; i < len(line); n++ {
		if n >= len(p.keys) {
			return false
		}
		k := &p.keys[n]
		// The key, quoted, and its colon.
		if len(line) < i+len(k.name)+3 || line[i] != '"' || string(line[i+1:i+1+len(k.name)]) != string(k.name) ||
			line[i+1+len(k.name)] != '"' || line[i+2+len(k.name)] != ':' {
			return false
		}
		i += len(k.name) + 3
		var c *column
		if k.col >= 0 {
			if p.seen[k.col] == p.gen {
				return false
			}
			p.seen[k.col] = p.gen
			c = &p.l.cols[k.col]
		} else {
			if p.seenPart == p.gen {
				return false
			}
			p.seenPart = p.gen
		}
		if i >= len(line) {
			return false
		}
		if k.col == p.l.timeCol && line[i] != 'n' {
			timed = true
		}
		switch b := line[i]; {
		case b == '"':
			j := quoteAt(line, i+1)
			if j < 0 {
				return false
			}
			v := line[i+1 : j]
			i = j + 1
			switch {
			case c == nil:
				part, partSet = v, true
			case !c.valueOK(v) && valErr == nil:
				valErr = &valueError{c.notValid(v)}
			}
		case b >= '0' && b <= '9' || b == '-':
			j := i
			if b == '-' {
				j++
			}
			start := j
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == start || (line[start] == '0' && j-start > 1) || (j < len(line) && numberByte[line[j]]) {
				return false // a fraction, exponent, leading zero or no digit
			}
			v := line[i:j]
			i = j
			switch {
			case c == nil:
				part, partSet = v, true
			case c.kind == kindString && string(v) == "-0":
				return false
			case !c.valueOK(v) && valErr == nil:
				valErr = &valueError{c.notValid(v)}
			}
		case b == 'n' && bytes.HasPrefix(line[i:], []byte("null")):
			i += 4
		default:
			return false
		}
		if i >= len(line) {
			return false
		}
		switch line[i] {
		case ',':
			i++
		case '}':
			if i != len(line)-1 {
				return false
			}
			i++
		default:
			return false
		}
	}
	if err := p.l.parts.saw(p.fi, p.lineNo, p.l.opts.Partition, part, partSet, timed); err != nil {
		return false // object words the error
	}
	if valErr != nil {
		if p.res.value == nil {
			p.res.value = &RowError{File: p.file, Line: p.lineNo, Msg: valErr.msg}
		}
	}
	return true
}

// quoteAt returns the index of the first quote in b at or after i, or -1;
// eight bytes at a time.
func quoteAt(b []byte, i int) int {
	const ones = 0x0101010101010101
	for ; i+8 <= len(b); i += 8 {
		if m := zeroBytes(binary.LittleEndian.Uint64(b[i:]) ^ ('"' * ones)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' {
			return i
		}
	}
	return -1
}

// plainLine reports whether b has no backslash, control character or
// non-ASCII byte; eight bytes at a time.
func plainLine(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		s := x ^ ('\\' * ones)
		if ((s-ones)&^s|(x-0x20*ones)&^x|x)&highs != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '\\' || c < 0x20 || c >= 0x80 {
			return false
		}
	}
	return true
}

// object checks the current line, one object.
func (p *jsonChecker) object() error {
	p.i = 0
	p.gen++
	if p.gen == 0 { // wrapped: forget every mark
		clear(p.seen)
		p.seenPart, p.gen = 0, 1
	}
	p.firstValErr, p.partSet, p.timeSet = nil, false, false
	p.partKey = append(p.partKey[:0], p.l.opts.Partition...)
	p.ws()
	if p.i >= len(p.line) || p.line[p.i] != '{' {
		return p.errorf("expected an object '{'")
	}
	p.i++
	p.ws()
	if p.i < len(p.line) && p.line[p.i] == '}' {
		p.i++
		return p.end()
	}
	for n := 0; ; n++ {
		p.ws()
		col, key, err := p.key(n)
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.line) || p.line[p.i] != ':' {
			return p.errorf("expected ':' after key %q", key)
		}
		p.i++
		p.ws()
		if col == p.l.timeCol && p.i < len(p.line) && p.line[p.i] != 'n' {
			p.timeSet = true
		}
		if err := p.value(col, key); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.line) {
			return p.errorf("unexpected end of line; expected ',' or '}'")
		}
		if p.line[p.i] == ',' {
			p.i++
			continue
		}
		if p.line[p.i] == '}' {
			p.i++
			return p.end()
		}
		return p.errorf("expected ',' or '}'")
	}
}

func (p *jsonChecker) end() error {
	p.ws()
	if p.i != len(p.line) {
		return p.errorf("unexpected text after the object")
	}
	if err := p.l.parts.saw(p.fi, p.lineNo, string(p.partKey), p.part, p.partSet, p.timeSet); err != nil {
		return err
	}
	if p.firstValErr != nil {
		return p.firstValErr
	}
	return nil
}

// key reads the n-th key of the object and returns its column (-1 for the
// partition column), checking it is known and not seen before.
func (p *jsonChecker) key(n int) (int, []byte, error) {
	raw, esc, err := p.str()
	if errors.Is(err, errNotUTF8) {
		return 0, nil, fmt.Errorf("key %q is not valid UTF-8", raw)
	}
	if err != nil {
		return 0, nil, err
	}
	key := raw
	if esc {
		key = p.decode(raw)
	}
	col := 0
	if n < len(p.keys) && bytes.Equal(p.keys[n].name, key) {
		col = p.keys[n].col
	} else {
		var ok bool
		if col, ok = p.l.lookup(key); !ok {
			return 0, nil, fmt.Errorf("unknown column %q; the table %s has: %s", key, p.l.opts.Table, columnNames(p.l.cols))
		}
		p.spelling(col, key)
		if n < len(p.keys) {
			p.keys[n] = cachedKey{append(p.keys[n].name[:0], key...), col}
		} else if n == len(p.keys) {
			p.keys = append(p.keys, cachedKey{append([]byte(nil), key...), col})
		}
	}
	if col < 0 {
		if p.seenPart == p.gen {
			return 0, nil, fmt.Errorf("key %q appears twice", key)
		}
		p.seenPart = p.gen
	} else {
		if p.seen[col] == p.gen {
			return 0, nil, fmt.Errorf("key %q appears twice", key)
		}
		p.seen[col] = p.gen
	}
	return col, key, nil
}

// spelling notes a key that names column col (-1: the partition column)
// when it is not the column's own name, which read_json would not match.
func (p *jsonChecker) spelling(col int, key []byte) {
	name, slot := p.l.opts.Partition, len(p.l.cols)
	if col >= 0 {
		name, slot = p.l.cols[col].Name, col
	}
	if string(key) == name {
		return
	}
	for _, s := range p.res.spellings[slot] {
		if s == string(key) {
			return
		}
	}
	p.res.spellings[slot] = append(p.res.spellings[slot], string(key))
}

// value reads the value of a key of column col (-1: the partition column).
func (p *jsonChecker) value(col int, key []byte) error {
	if p.i >= len(p.line) {
		return p.errorf("missing value for %q", key)
	}
	var c *column
	if col >= 0 {
		c = &p.l.cols[col]
	}
	switch b := p.line[p.i]; {
	case b == '"':
		raw, esc, err := p.str()
		if err != nil {
			if errors.Is(err, errNotUTF8) {
				name := p.l.opts.Partition
				if c != nil {
					name = c.Name
				}
				return fmt.Errorf("column %s: %q is not valid UTF-8", name, raw)
			}
			return err
		}
		if c != nil && c.kind != kindInt && c.time == nil {
			return nil
		}
		v := raw
		if esc {
			v = p.decode(raw)
		}
		if c != nil {
			if !c.valueOK(v) {
				p.valueErr(c.notValid(v))
			}
			return nil
		}
		return p.partition(key, v, true)
	case b == '{' || b == '[':
		name := string(key)
		if c != nil {
			name = c.Name
		}
		return fmt.Errorf("column %s: nested objects and arrays are not supported", name)
	case b == 'n':
		if c == nil {
			p.partition(key, nil, false)
		}
		return p.word("null")
	case b == 't' || b == 'f':
		w := "true"
		if b == 'f' {
			w = "false"
		}
		if err := p.word(w); err != nil {
			return err
		}
		if c == nil {
			return p.partition(key, []byte(w), true)
		}
		if c.kind == kindInt || c.time != nil {
			p.valueErr(c.notValid([]byte(w)))
		}
		return nil
	case b == '-' || (b >= '0' && b <= '9'):
		start := p.i
		for p.i < len(p.line) && numberByte[p.line[p.i]] {
			p.i++
		}
		num := p.line[start:p.i]
		integer, ok := jsonNumber(num)
		if !ok {
			return p.errorf("bad number %q", num)
		}
		switch {
		case c == nil:
			return p.partition(key, num, true)
		case c.kind == kindInt && !(integer && c.intOK(num)):
			p.valueErr(c.notValid(num))
		case c.kind == kindString && (!integer || string(num) == "-0"):
			p.valueErr(fmt.Sprintf("column %s: the number %s would not be stored as written; write it as a string, \"%s\"", c.Name, num, num))
		case !c.valueOK(num):
			p.valueErr(c.notValid(num))
		}
		return nil
	default:
		return p.errorf("unexpected character %q", b)
	}
}

// valueErr notes the first value of the object that does not fit its column.
func (p *jsonChecker) valueErr(msg string) {
	if p.firstValErr == nil {
		p.firstValErr = &valueError{msg}
	}
}

// partition notes the object's partition value, which end checks.
func (p *jsonChecker) partition(key, v []byte, set bool) error {
	p.partKey = append(p.partKey[:0], key...)
	p.part, p.partSet = append(p.part[:0], v...), set
	return nil
}

func (p *jsonChecker) word(w string) error {
	if !bytes.HasPrefix(p.line[p.i:], []byte(w)) {
		return p.errorf("unexpected text")
	}
	p.i += len(w)
	return nil
}

// numberByte marks the bytes of "+-0123456789.eE".
var numberByte = func() (t [256]bool) {
	for _, c := range []byte("+-0123456789.eE") {
		t[c] = true
	}
	return t
}()

// jsonNumber reports whether b is a JSON number,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and whether it is an
// integer (no fraction or exponent).
func jsonNumber(b []byte) (integer, ok bool) {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false, false
		}
		integer = false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false, false
		}
		integer = false
	}
	return integer, i == len(b)
}

var errNotUTF8 = errors.New("not valid UTF-8")

// str reads a string at p.i and returns its raw bytes between the quotes
// and whether it has escapes, which it checks (a \u escape of half a
// surrogate pair is an error). A string that is not UTF-8 returns its raw
// bytes, up to its end, and errNotUTF8.
func (p *jsonChecker) str() (raw []byte, escaped bool, err error) {
	if p.i >= len(p.line) || p.line[p.i] != '"' {
		return nil, false, p.errorf("expected a string")
	}
	p.i++
	start := p.i
	utf := true
	for {
		p.i = plainEnd(p.line, p.i)
		if p.i >= len(p.line) {
			return nil, false, p.errorf("unterminated string")
		}
		switch c := p.line[p.i]; {
		case c == '"':
			raw = p.line[start:p.i]
			p.i++
			if !utf {
				return raw, escaped, errNotUTF8
			}
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			if err := p.escape(); err != nil {
				return nil, false, err
			}
		case c < 0x20:
			return nil, false, p.errorf("control character in string")
		default: // c >= 0x80
			r, size := utf8.DecodeRune(p.line[p.i:])
			if r == utf8.RuneError && size == 1 {
				utf = false
			}
			p.i += size
		}
	}
}

// escape checks the escape at p.i and moves past it.
func (p *jsonChecker) escape() error {
	if p.i+1 >= len(p.line) {
		return p.errorf("unterminated escape")
	}
	switch p.line[p.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i += 2
		return nil
	case 'u':
		r, ok := hex4(p.line[p.i+2:])
		if !ok {
			return p.errorf("bad \\u escape")
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return p.errorf("\\u%04x is the second half of a UTF-16 surrogate pair, without the first", r)
		case r >= 0xD800 && r <= 0xDBFF:
			lo, ok := rune(0), false
			if bytes.HasPrefix(p.line[p.i+6:], []byte(`\u`)) {
				lo, ok = hex4(p.line[p.i+8:])
			}
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return p.errorf("\\u%04x is the first half of a UTF-16 surrogate pair, without the second", r)
			}
			p.i += 12
		default:
			p.i += 6
		}
		return nil
	}
	return p.errorf("bad escape \\%c", p.line[p.i+1])
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var n rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}

// decode returns the text of a string's raw bytes, whose escapes str
// checked, in p.scratch (valid until the next call).
func (p *jsonChecker) decode(raw []byte) []byte {
	b := p.scratch[:0]
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		e := raw[i+1]
		i += 2
		switch e {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, _ := hex4(raw[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2, _ := hex4(raw[i+2:])
				i += 6
				r = utf16.DecodeRune(r, r2)
			}
			b = utf8.AppendRune(b, r)
		default: // '"', '\\', '/'
			b = append(b, e)
		}
	}
	p.scratch = b
	return b
}

// plainEnd returns the index of the first byte at or after i that is a
// quote, a backslash, a control character or not ASCII, or len(b); eight
// bytes at a time.
func plainEnd(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ ('"' * ones)
		s := x ^ ('\\' * ones)
		if ((q-ones)&^q|(s-ones)&^s|(x-0x20*ones)&^x|x)&highs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return i
}

// lookup finds a column by name, case-insensitively: -1 for the partition
// column.
func (l *loader) lookup(name []byte) (int, bool) {
	if c, ok := l.index[string(name)]; ok {
		return c, true
	}
	c, ok := l.index[strings.ToLower(string(name))]
	return c, ok
}
