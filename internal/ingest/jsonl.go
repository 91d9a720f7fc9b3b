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

	"github.com/fgen-dev/fgen/internal/shell"
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
	lr := newLineReader(r, l.files[fi].size)
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
		if lr.n == 1 && bytes.HasPrefix(raw, utf8BOM) {
			res.parse = &RowError{File: c.file, Line: 1, Msg: bomMsg(c.file)}
			return res
		}
		res.maxLine = max(res.maxLine, len(raw))
		c.line, c.lineNo = trimEOL(raw), lr.n
		if blank(c.line) {
			continue
		}
		res.rows++
		if !l.general && c.plainObject() {
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

// utf8BOM is the UTF-8 encoding of U+FEFF, the byte-order mark.
var utf8BOM = []byte("\xef\xbb\xbf")

// bomMsg says that JSON lines file starts with a byte-order mark, which
// DuckDB's read_json refuses ("byte order mark (BOM) is not supported"),
// and how to remove it with POSIX tail (GNU and BSD sed differ on -i).
func bomMsg(file string) string {
	f := shell.Quote(file)
	return fmt.Sprintf(`the file starts with a UTF-8 byte-order mark (BOM), which JSON lines must not have and DuckDB's JSON reader refuses; save it as UTF-8 without BOM, or remove the mark with: tail -c +4 %s > %s.tmp && mv %s.tmp %s`, f, f, f, f)
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
	// plain are the keys as plainObject reads them; plainStale: keys
	// changed since.
	plain      []plainKey
	plainStale bool
	fast       fastFinds
}

type cachedKey struct {
	name []byte
	col  int
}

func (p *jsonChecker) errorf(format string, args ...any) error {
	hint := ""
	if p.lineNo == 1 && isUTF16(p.line) {
		hint = "; the file is UTF-16 text: save it as UTF-8"
	}
	return fmt.Errorf("malformed JSON at column %d: %s%s", p.i+1, fmt.Sprintf(format, args...), hint)
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
// keys in the order of the lines before (p.plain), no space between tokens,
// ASCII strings without escapes or control characters, integers and nulls.
// It reports false, having noted nothing, for any other line, which object
// then checks.
//
// It reads each byte once: the keys as the words of their text, the
// strings up to their quote and the numbers eight bytes at a time. What it
// does not read as a key, a string, a number, null, ',' or the final '}'
// makes it give up, so a line it takes is one that object takes, with the
// same columns, values and partition value.
func (p *jsonChecker) plainObject() bool {
	if p.plainStale {
		p.plainKeys()
	}
	line := p.line
	if len(line) < 2 || line[len(line)-1] != '}' {
		return false
	}
	// What the loop finds but rarely: in p, so that it keeps its few
	// variables in registers.
	p.fast = fastFinds{}
	// Every token below ends before the final '}', so i < len(line).
	i := 0
	for n := range p.plain {
		k := &p.plain[n]
		// The key's text, word by word; k.at where the line is too short.
		if len(line)-i >= 8*len(k.words) {
			w := 0
			for ; w < len(k.words)-1; w++ {
				if binary.LittleEndian.Uint64(line[i+8*w:]) != k.words[w] {
					return false
				}
			}
			if binary.LittleEndian.Uint64(line[i+8*w:])&k.mask != k.words[w] {
				return false
			}
		} else if !k.at(line, i) {
			return false
		}
		i += len(k.text)
		switch b := line[i]; {
		case b == '"':
			// plainEnd, inlined where eight bytes follow.
			j := i + 1
			for {
				if j+8 > len(line) {
					j = plainEnd(line, j)
					break
				}
				if m := plainStops(binary.LittleEndian.Uint64(line[j:])); m != 0 {
					j += bits.TrailingZeros64(m) >> 3
					break
				}
				j += 8
			}
			if j >= len(line) || line[j] != '"' {
				return false
			}
			if k.note {
				p.fast.value(k, line[i+1:j])
			}
			i = j + 1
		case b >= '0' && b <= '9' || b == '-':
			start := i
			if b == '-' {
				start++
			}
			j := digitsEnd(line, start)
			if j == start || (line[start] == '0' && j-start > 1) || numberByte[line[j]] {
				return false // a fraction, exponent, leading zero or no digit
			}
			if (j-start > k.digits || b == '-') && !p.fast.number(k, line[i:j]) {
				return false
			}
			i = j
		case b == 'n' && string(line[i:min(i+4, len(line))]) == "null":
			i += 4
		default:
			return false
		}
		if line[i] == '}' {
			if i != len(line)-1 {
				return false
			}
			return p.plainDone()
		}
		// The next key's text starts with its comma.
	}
	return false
}

// fastFinds is what plainObject found in a line but its keys and its
// values' syntax.
type fastFinds struct {
	part    []byte
	partSet bool
	timed   bool        // a value in the column of DayFrom
	valErr  *valueError // the first value that does not fit its column
}

// value notes string or integer v of key k, which plainKey.note marks.
func (f *fastFinds) value(k *plainKey, v []byte) {
	c := k.c
	switch {
	case c == nil:
		f.part, f.partSet = v, true
		return
	case k.check && f.valErr == nil && !c.jsonStringOK(v): // an integer is a string's text too
		f.valErr = &valueError{c.jsonNotValid(v)}
	}
	if k.timed {
		f.timed = true
	}
}

// number notes integer v of key k, or reports false for one that object
// words: -0 in a string column.
func (f *fastFinds) number(k *plainKey, v []byte) bool {
	switch c := k.c; {
	case c != nil && c.textual() && string(v) == "-0":
		return false
	case c != nil && c.kind == kindBool:
		return string(v) == "0" || string(v) == "1" // object words any other
	}
	f.value(k, v)
	return true
}

// plainDone ends a line that plainObject read: its partition value and its
// first value error, if any.
func (p *jsonChecker) plainDone() bool {
	f := &p.fast
	if err := p.l.parts.saw(p.fi, p.lineNo, p.l.opts.Partition, f.part, f.partSet, f.timed); err != nil {
		return false // object words the error
	}
	if f.valErr != nil && p.res.value == nil {
		p.res.value = &RowError{File: p.file, Line: p.lineNo, Msg: f.valErr.msg}
	}
	return true
}

// plainKey is a key of p.keys as plainObject reads it.
type plainKey struct {
	// text is `{"name":` for the first key, `,"name":` for the others;
	// words its bytes eight at a time, the last masked by mask.
	text  []byte
	words []uint64
	mask  uint64
	c     *column // nil: the partition column
	timed bool    // the column of DayFrom
	check bool    // valueOK checks the column's values
	// note: fastFinds.value must see the key's strings (the partition
	// column, DayFrom's, or valueOK checks them)
	note bool
	// digits: plainObject takes the key's integers of this many digits or
	// fewer, without a sign, as they are: -1 for the partition column and
	// DayFrom's, the most that fit for an integer column, and any for
	// other columns but a time's.
	digits int
}

// at reports whether b[i:] starts with k.text.
func (k *plainKey) at(b []byte, i int) bool {
	last := len(k.words) - 1
	if len(b)-i < 8*len(k.words) {
		return len(b)-i >= len(k.text) && string(b[i:i+len(k.text)]) == string(k.text)
	}
	b = b[i:]
	for w := range last {
		if binary.LittleEndian.Uint64(b[8*w:]) != k.words[w] {
			return false
		}
	}
	return binary.LittleEndian.Uint64(b[8*last:])&k.mask == k.words[last]
}

// plainKeys sets p.plain from p.keys: up to the first key that repeats a
// column or is not plain ASCII text, which plainObject leaves to object.
func (p *jsonChecker) plainKeys() {
	p.plain, p.plainStale = p.plain[:0], false
	seen := map[int]bool{}
	for n, key := range p.keys {
		if seen[key.col] || !plainName(key.name) {
			return
		}
		seen[key.col] = true
		sep := byte(',')
		if n == 0 {
			sep = '{'
		}
		k := plainKey{text: append(append([]byte{sep, '"'}, key.name...), '"', ':'), timed: key.col == p.l.timeCol}
		padded := append(append([]byte(nil), k.text...), make([]byte, 7)...)
		for w := 0; w < len(k.text); w += 8 {
			k.words = append(k.words, binary.LittleEndian.Uint64(padded[w:]))
		}
		k.mask = ^uint64(0)
		if r := len(k.text) % 8; r != 0 {
			k.mask = 1<<(8*r) - 1
		}
		k.digits = maxLine // any
		if key.col >= 0 {
			k.c = &p.l.cols[key.col]
			k.check = k.c.checked() || k.c.kind == kindBool
			switch {
			case k.c.kind == kindInt:
				k.digits = k.c.digits
			case k.check:
				k.digits = -1
			}
		}
		k.note = k.c == nil || k.timed || k.check
		if k.c == nil || k.timed {
			k.digits = -1
		}
		p.plain = append(p.plain, k)
	}
}

// plainName reports whether a key is ASCII without a quote, a backslash or
// a control character: in a line, it is the same text unescaped.
func plainName(name []byte) bool {
	for _, c := range name {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// digitsEnd returns the index of the first byte at or after i that is not
// a decimal digit, or len(b); eight bytes at a time.
func digitsEnd(b []byte, i int) int {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		// Digits become 0 to 9; any other byte sets its high bit.
		x := binary.LittleEndian.Uint64(b[i:]) ^ ('0' * ones)
		if m := ((x&lows + (0x80-10)*ones) | x) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(b) && b[i]-'0' <= 9 {
		i++
	}
	return i
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
		if p.lineNo == 1 && p.i < len(p.line) && p.line[p.i] == '[' {
			return p.errorf("expected an object '{'; a JSON array is not JSON lines: write one object per line (jq -c '.[]' converts it)")
		}
		return p.errorf("expected an object '{'")
	}
	p.i++
	p.ws()
	if p.i >= len(p.line) {
		return p.errorf("the line ends after '{': JSON lines have a whole object on each line (a file of objects written over several lines converts with jq -c .; one cut short after a '{' must be written again)")
	}
	if p.line[p.i] == '}' {
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
		if bytes.IndexByte(p.line[:p.i], '\r') >= 0 { // whitespace: JSON strings escape a CR
			return p.errorf("unexpected text after the object: a CR; if the file's lines end with CR alone, as old Mac files do, convert them to LF")
		}
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
			return 0, nil, fmt.Errorf("unknown column %q; the table %s has: %s", clip(string(key)), p.l.opts.Table, columnNames(p.l.cols))
		}
		p.spelling(col, key)
		p.plainStale = true
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
		if c != nil && !c.checked() && c.kind != kindBool {
			return nil
		}
		v := raw
		if esc {
			v = p.decode(raw)
		}
		if c != nil {
			if !c.jsonStringOK(v) {
				p.valueErr(c.jsonNotValid(v))
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
		if c.kind == kindInt || c.kind == kindFloat || c.kind == kindDecimal || c.time != nil {
			p.valueErr(c.notValid([]byte(w))) // DuckDB would read true as 1
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
		case c.kind == kindBool && string(num) != "0" && string(num) != "1":
			p.valueErr(fmt.Sprintf("column %s: the number %s is not a BOOLEAN; write true or false (DuckDB would read any number but 0 as true)", c.Name, num))
		case c.kind == kindBool:
		case c.kind == kindFloat && c.bits == 32 && !integer && c.floatOK(num) && !float32Exact(num):
			p.valueErr(fmt.Sprintf("column %s: the number %s is not the FLOAT DuckDB's JSON reader would store (it reads a number with a fraction as a DOUBLE first); write it as a string, \"%s\", or declare the column DOUBLE", c.Name, num, num))
		case c.kind == kindDecimal && !integer && c.decimalOK(num) && c.unscaledDigits(num) > 15:
			p.valueErr(fmt.Sprintf("column %s: the number %s has more digits than DuckDB's JSON reader keeps exactly (it reads a number with a fraction as a DOUBLE, 15 digits at the column's scale); write it as a string, \"%s\"", c.Name, num, num))
		case c.textual() && (!integer || string(num) == "-0"):
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
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := plainStops(x); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	if len(b) >= 8 && i < len(b) {
		// The last bytes, read as the high bytes of the last eight.
		x := binary.LittleEndian.Uint64(b[len(b)-8:]) >> (8 * (i + 8 - len(b)))
		if m := plainStops(x) & (1<<(8*(len(b)-i)) - 1); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		return len(b)
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return i
}

// plainStops returns the high bits of the bytes of x that are a quote, a
// backslash, a control character or not ASCII, and maybe of later bytes:
// its lowest bit is exact.
func plainStops(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ ('"' * ones)
	s := x ^ ('\\' * ones)
	return ((q-ones)&^q | (s-ones)&^s | (x-0x20*ones)&^x | x) & highs
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
