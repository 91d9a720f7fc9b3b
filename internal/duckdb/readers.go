package duckdb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// row is one parsed row: a value per column of the table and the partition
// value. A value is NULL unless its set flag is true; values point into the
// reader's buffers and are valid until the next row.
type row struct {
	vals    [][]byte
	set     []bool
	part    []byte
	partSet bool
}

func newRow(n int) *row {
	return &row{vals: make([][]byte, n), set: make([]bool, n)}
}

func (r *row) reset() {
	for i := range r.set {
		r.set[i] = false
		r.vals[i] = nil
	}
	r.part, r.partSet = nil, false
}

// rowReader reads a file's rows and calls emit with the 1-based line of each
// row and its values.
type rowReader func(r *bufio.Reader, file string, opts LoadOptions, index map[string]int, emit func(line int64, r *row) error) error

// lookup finds a column by name, case-insensitively, without allocating for
// names already in lower case.
func lookup(index map[string]int, name []byte) (int, bool) {
	if c, ok := index[string(name)]; ok {
		return c, true
	}
	c, ok := index[strings.ToLower(string(name))]
	return c, ok
}

// readJSONL reads one flat JSON object per line. Keys are column names
// (case-insensitive); a missing key or null is NULL; scalars are kept as
// their text and converted to the column type by DuckDB.
func readJSONL(br *bufio.Reader, file string, opts LoadOptions, index map[string]int, emit func(int64, *row) error) error {
	r := newRow(len(opts.Columns))
	p := &jsonScanner{opts: &opts, index: index, row: r, seen: make([]bool, len(opts.Columns))}
	var long []byte
	var line int64
	for {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: collect it whole.
			long = append(long[:0], raw...)
			for err == bufio.ErrBufferFull {
				raw, err = br.ReadSlice('\n')
				long = append(long, raw...)
			}
			raw = long
		}
		if len(raw) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		line++
		if text := bytes.TrimSpace(raw); len(text) > 0 {
			r.reset()
			if perr := p.parseObject(text); perr != nil {
				return &RowError{File: file, Line: line, Msg: perr.Error()}
			}
			if eerr := emit(line, r); eerr != nil {
				return eerr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

type jsonScanner struct {
	opts    *LoadOptions
	index   map[string]int
	row     *row
	seen    []bool // columns whose key the object had, null or not
	s       []byte
	i       int
	scratch []byte // decoded strings with escapes, for the current row

	// keys caches the column of the n-th key of the last objects (-1: the
	// partition column): lines usually list their keys in one order.
	keys []cachedKey
}

type cachedKey struct {
	name []byte
	col  int
}

// column returns the column of the n-th key of an object, or -1 for the
// partition column.
func (p *jsonScanner) column(n int, key []byte) (int, bool) {
	if n < len(p.keys) && bytes.Equal(p.keys[n].name, key) {
		return p.keys[n].col, true
	}
	col, ok := lookup(p.index, key)
	if !ok {
		if !strings.EqualFold(string(key), p.opts.Partition) {
			return 0, false
		}
		col = -1
	}
	if n < len(p.keys) {
		p.keys[n] = cachedKey{append(p.keys[n].name[:0], key...), col}
	} else if n == len(p.keys) {
		p.keys = append(p.keys, cachedKey{append([]byte(nil), key...), col})
	}
	return col, true
}

func (p *jsonScanner) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\r' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *jsonScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("malformed JSON at column %d: %s", p.i+1, fmt.Sprintf(format, args...))
}

func (p *jsonScanner) parseObject(text []byte) error {
	p.s, p.i, p.scratch = text, 0, p.scratch[:0]
	opts, r := p.opts, p.row
	for i := range p.seen {
		p.seen[i] = false
	}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return p.errorf("expected an object '{'")
	}
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return p.end()
	}
	for n := 0; ; n++ {
		p.ws()
		key, err := p.str()
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return p.errorf("expected ':' after key %q", key)
		}
		p.i++
		p.ws()
		v, null, err := p.scalar(key)
		if err != nil {
			return err
		}
		col, ok := p.column(n, key)
		switch {
		case ok && col >= 0 && p.seen[col]:
			return fmt.Errorf("key %q appears twice", key)
		case ok && col >= 0:
			p.seen[col] = true
			r.vals[col], r.set[col] = v, !null
		case ok:
			if opts.Day != "" && !null && string(v) != opts.Day {
				return errors.New(otherDayMsg(string(key), string(v), opts.Partition, opts.Day))
			}
			r.part, r.partSet = v, !null
		default:
			return fmt.Errorf("unknown column %q; the table %s has: %s", key, opts.Table, columnNames(opts.Columns))
		}
		p.ws()
		if p.i >= len(p.s) {
			return p.errorf("unexpected end of line; expected ',' or '}'")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == '}' {
			p.i++
			return p.end()
		}
		return p.errorf("expected ',' or '}'")
	}
}

func (p *jsonScanner) end() error {
	p.ws()
	if p.i != len(p.s) {
		return p.errorf("unexpected text after the object")
	}
	return nil
}

// scalar reads a value: a string, number, true, false or null.
func (p *jsonScanner) scalar(key []byte) (v []byte, null bool, err error) {
	if p.i >= len(p.s) {
		return nil, false, p.errorf("missing value for %q", key)
	}
	switch c := p.s[p.i]; {
	case c == '"':
		v, err = p.str()
		return v, false, err
	case c == '{' || c == '[':
		return nil, false, fmt.Errorf("column %s: nested objects and arrays are not supported", key)
	case c == 'n':
		return nil, true, p.word("null")
	case c == 't':
		return trueText, false, p.word("true")
	case c == 'f':
		return falseText, false, p.word("false")
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.s) && numberByte[p.s[p.i]] {
			p.i++
		}
		num := p.s[start:p.i]
		if !plainInteger(num) {
			if _, err := strconv.ParseFloat(string(num), 64); err != nil {
				return nil, false, p.errorf("bad number %q", num)
			}
		}
		return num, false, nil
	default:
		return nil, false, p.errorf("unexpected character %q", c)
	}
}

var (
	trueText  = []byte("true")
	falseText = []byte("false")
)

// numberByte marks the bytes of "+-0123456789.eE".
var numberByte = func() (t [256]bool) {
	for _, c := range []byte("+-0123456789.eE") {
		t[c] = true
	}
	return t
}()

// plainInteger reports whether b is an optional '-' and 1 to 15 digits,
// which strconv.ParseFloat always accepts.
func plainInteger(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 15 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (p *jsonScanner) word(w string) error {
	if !bytes.HasPrefix(p.s[p.i:], []byte(w)) {
		return p.errorf("unexpected text")
	}
	p.i += len(w)
	return nil
}

func (p *jsonScanner) str() ([]byte, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return nil, p.errorf("expected a string")
	}
	p.i++
	start := p.i
	// Fast path: no escapes up to the closing quote.
	if end := bytes.IndexByte(p.s[p.i:], '"'); end >= 0 {
		s := p.s[p.i : p.i+end]
		if bytes.IndexByte(s, '\\') < 0 && !hasControl(s) {
			p.i += end + 1
			return s, nil
		}
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			s := p.s[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, p.errorf("control character in string")
		}
		p.i++
	}
	b := append(p.scratch, p.s[start:p.i]...)
	from := len(p.scratch)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			p.scratch = b
			return b[from:len(b):len(b)], nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return nil, p.errorf("unterminated escape")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
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
				r, err := p.hex4()
				if err != nil {
					return nil, err
				}
				if utf16.IsSurrogate(r) && bytes.HasPrefix(p.s[p.i:], []byte(`\u`)) {
					p.i += 2
					r2, err := p.hex4()
					if err != nil {
						return nil, err
					}
					r = utf16.DecodeRune(r, r2)
				}
				b = utf8.AppendRune(b, r)
			default:
				return nil, p.errorf("bad escape \\%c", e)
			}
		case c < 0x20:
			return nil, p.errorf("control character in string")
		default:
			_, size := utf8.DecodeRune(p.s[p.i:])
			b = append(b, p.s[p.i:p.i+size]...)
			p.i += size
		}
	}
	return nil, p.errorf("unterminated string")
}

// hasControl reports whether b has a byte below 0x20, eight bytes at a time.
func hasControl(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		if (x-0x20*ones)&^x&highs != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func (p *jsonScanner) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, p.errorf("bad \\u escape")
	}
	var n rune
	for _, c := range p.s[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | rune(c-'A'+10)
		default:
			return 0, p.errorf("bad \\u escape")
		}
	}
	p.i += 4
	return n, nil
}

// readCSV reads RFC 4180 CSV with a header row naming columns. An empty
// unquoted field is NULL; a quoted empty field ("") is the empty string.
// A CR outside quotes is dropped.
func readCSV(br *bufio.Reader, file string, opts LoadOptions, index map[string]int, emit func(int64, *row) error) error {
	cr := &csvReader{r: br}
	header, _, err := cr.record()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return &RowError{File: file, Line: cr.line, Msg: err.Error()}
	}
	colOf := make([]int, len(header))
	for i, h := range header {
		name := ""
		if h.set {
			name = string(cr.field(h))
		}
		trimmed := strings.TrimSpace(name)
		c, ok := lookup(index, []byte(trimmed))
		switch {
		case ok:
			colOf[i] = c
		case strings.EqualFold(trimmed, opts.Partition):
			colOf[i] = -1
		default:
			return &RowError{File: file, Line: 1, Msg: fmt.Sprintf("unknown column %q in the header; the table %s has: %s", name, opts.Table, columnNames(opts.Columns))}
		}
	}
	r := newRow(len(opts.Columns))
	for {
		fields, start, err := cr.record()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &RowError{File: file, Line: start, Msg: err.Error()}
		}
		if len(fields) == 1 && !fields[0].set {
			continue // blank line
		}
		if len(fields) != len(header) {
			return &RowError{File: file, Line: start, Msg: fmt.Sprintf("%d fields, but the header has %d", len(fields), len(header))}
		}
		r.reset()
		for i, f := range fields {
			if !f.set {
				continue
			}
			v := cr.field(f)
			switch c := colOf[i]; {
			case c >= 0:
				r.vals[c], r.set[c] = v, true
			case opts.Day != "" && string(v) != opts.Day:
				return &RowError{File: file, Line: start, Msg: otherDayMsg(opts.Partition, string(v), opts.Partition, opts.Day)}
			default:
				r.part, r.partSet = v, true
			}
		}
		if err := emit(start, r); err != nil {
			return err
		}
	}
}

// csvField is a field of the current record: bytes [from, to) of the
// record buffer, or NULL (an unquoted empty field) when set is false.
type csvField struct {
	from, to int
	set      bool
}

type csvReader struct {
	r      *bufio.Reader
	line   int64 // lines consumed
	buf    []byte
	fields []csvField
}

func (c *csvReader) field(f csvField) []byte { return c.buf[f.from:f.to:f.to] }

// csvPlain marks the bytes an unquoted or quoted field copies as they are.
var csvPlain = func() (t [256]bool) {
	for i := range t {
		t[i] = true
	}
	t[','], t['"'], t['\r'], t['\n'] = false, false, false, false
	return t
}()

// record reads one record; fields with set false are unquoted empty ones
// (NULL). It returns the line the record starts on.
func (c *csvReader) record() ([]csvField, int64, error) {
	start := c.line + 1
	c.fields, c.buf = c.fields[:0], c.buf[:0]
	from, quoted, inQuotes, any := 0, false, false, false
	flush := func() {
		c.fields = append(c.fields, csvField{from: from, to: len(c.buf), set: any || quoted})
		from, quoted, any = len(c.buf), false, false
	}
	for {
		chunk, err := c.r.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return nil, start, err
		}
		for i := 0; i < len(chunk); i++ {
			b := chunk[i]
			if inQuotes {
				// Copy the run up to the next quote.
				j := i
				for j < len(chunk) && chunk[j] != '"' {
					if chunk[j] == '\n' {
						c.line++
					}
					j++
				}
				c.buf = append(c.buf, chunk[i:j]...)
				i = j
				if i == len(chunk) {
					break
				}
				// A quote: doubled, or the end of the quoted part.
				if i+1 < len(chunk) {
					if chunk[i+1] == '"' {
						c.buf = append(c.buf, '"')
						i++
					} else {
						inQuotes = false
					}
					continue
				}
				// The quote ends the chunk (a long line): look at the next byte.
				if next, perr := c.r.Peek(1); perr == nil && next[0] == '"' {
					c.buf = append(c.buf, '"')
					c.r.ReadByte()
				} else {
					inQuotes = false
				}
				continue
			}
			switch {
			case b == '"':
				if any {
					return nil, start, fmt.Errorf("quote in the middle of an unquoted field")
				}
				inQuotes, quoted = true, true
			case b == ',':
				flush()
			case b == '\r':
				// part of \r\n
			case b == '\n':
				c.line++
				flush()
				return c.fields, start, nil
			default:
				if quoted {
					return nil, start, fmt.Errorf("text after a closing quote")
				}
				any = true
				j := i + 1
				for j < len(chunk) && csvPlain[chunk[j]] {
					j++
				}
				c.buf = append(c.buf, chunk[i:j]...)
				i = j - 1
			}
		}
		if err == io.EOF {
			if inQuotes {
				return nil, start, fmt.Errorf("unterminated quoted field")
			}
			if len(c.fields) == 0 && !any && !quoted {
				return nil, start, io.EOF
			}
			c.line++
			flush()
			return c.fields, start, nil
		}
	}
}
