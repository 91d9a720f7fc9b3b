package odpstest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fgen-dev/fgen/models"
)

// This file applies the DDL of a successful job to the double's tables. It
// understands, case-insensitively and with `backquoted` identifiers:
//
//	CREATE TABLE [IF NOT EXISTS] t (col type [NOT NULL] [COMMENT '...'], ...)
//	    [COMMENT '...'] [PARTITIONED BY (col type [COMMENT '...'], ...)] [LIFECYCLE n]
//	CREATE TABLE [IF NOT EXISTS] t LIKE other
//	ALTER TABLE t ADD COLUMNS [IF NOT EXISTS] (col type [COMMENT '...'], ...)
//	ALTER TABLE t SET COMMENT '...' | SET LIFECYCLE n
//	ALTER TABLE t CHANGE [COLUMN] c COMMENT '...' | CHANGE [COLUMN] c new type [COMMENT '...']
//	ALTER TABLE t DROP COLUMNS (c, ...) | RENAME TO u
//	ALTER TABLE t ADD [IF NOT EXISTS] PARTITION (k='v', ...) [PARTITION (...)]
//	ALTER TABLE t DROP [IF EXISTS] PARTITION (k='v', ...) [, PARTITION (...)]
//	DROP TABLE [IF EXISTS] t
//	INSERT {OVERWRITE|INTO} TABLE t PARTITION (k='v', ...) ...  (anywhere in a statement)
//
// Statements are separated by semicolons; anything else (SELECT, SET, CTAS,
// dynamic partitions, unknown clauses) is ignored. Errors read like the
// service's: "ODPS-0130071:[line,col] Semantic analysis exception - ...".
// As docs/MAXCOMPUTE.md of the brief says of the service, it refuses an
// unquoted keyword as an identifier, a lifecycle that is not positive, and,
// unless the project allows schema evolution (WithSchemaEvolution),
// dropping, retyping or renaming a column.

type tokKind int

const (
	tkWord   tokKind = iota // bare word or number
	tkIdent                 // `backquoted` identifier
	tkString                // 'string' or "string", unescaped
	tkPunct                 // one character
)

type token struct {
	kind      tokKind
	text      string
	line, col int
}

// is reports whether t is the bare keyword kw (case-insensitive).
func (t token) is(kw string) bool { return t.kind == tkWord && strings.EqualFold(t.text, kw) }

func (t token) punct(p string) bool { return t.kind == tkPunct && t.text == p }

type sqlError struct {
	code, kind string
	line, col  int
	msg        string
}

func (e *sqlError) Error() string {
	return fmt.Sprintf("%s:[%d,%d] %s - %s", e.code, e.line, e.col, e.kind, e.msg)
}

func parseErr(t token, format string, a ...any) error {
	return &sqlError{"ODPS-0130161", "Parse exception", t.line, t.col, fmt.Sprintf(format, a...)}
}

func semanticErr(t token, format string, a ...any) error {
	return &sqlError{"ODPS-0130071", "Semantic analysis exception", t.line, t.col, fmt.Sprintf(format, a...)}
}

// tokenize splits SQL into tokens, dropping comments.
func tokenize(sql string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	rs := []rune(sql)
	adv := func(n int) {
		for i := 0; i < n; i++ {
			if rs[0] == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			rs = rs[1:]
		}
	}
	for len(rs) > 0 {
		c := rs[0]
		start := token{line: line, col: col}
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			adv(1)
		case c == '-' && len(rs) > 1 && rs[1] == '-':
			for len(rs) > 0 && rs[0] != '\n' {
				adv(1)
			}
		case c == '/' && len(rs) > 1 && rs[1] == '*':
			// Only "--" comments: block comments are not in the
			// grammar (its lexer has the rule commented out); "/*+ ...
			// */" hints are. "/*" in a string literal is text.
			if len(rs) < 3 || rs[2] != '+' {
				return nil, parseErr(start, "invalid token '/', block comments are not supported; use --")
			}
			adv(2)
			for len(rs) > 0 && !(rs[0] == '*' && len(rs) > 1 && rs[1] == '/') {
				adv(1)
			}
			if len(rs) == 0 {
				return nil, parseErr(start, "unterminated comment")
			}
			adv(2)
		case c == '`' || c == '\'' || c == '"':
			q := quotingOf(c)
			adv(1)
			var b strings.Builder
			for {
				if len(rs) == 0 {
					return nil, parseErr(start, "unterminated %s", q.noun)
				}
				if len(rs) > 1 {
					if r, ok := q.escape(rs[0], rs[1]); ok {
						b.WriteRune(r)
						adv(2)
						continue
					}
				}
				if rs[0] == c {
					adv(1)
					break
				}
				b.WriteRune(rs[0])
				adv(1)
			}
			start.kind, start.text = q.kind, b.String()
			toks = append(toks, start)
		case isWordRune(c):
			n := 0
			for n < len(rs) && isWordRune(rs[n]) {
				n++
			}
			start.kind, start.text = tkWord, string(rs[:n])
			adv(n)
			toks = append(toks, start)
		default:
			start.kind, start.text = tkPunct, string(c)
			adv(1)
			toks = append(toks, start)
		}
	}
	return toks, nil
}

// quoting is how a token quoted with some character reads: its kind, the
// noun of its "unterminated ..." error, and its escape, two runes that
// stand for one.
type quoting struct {
	kind   tokKind
	noun   string
	escape func(a, b rune) (rune, bool)
}

// quotingOf returns the quoting of q, a backquote, quote or double quote.
// In a `backquoted` identifier, a doubled backquote stands for one; in a
// string literal, a backslash escapes the next character (\n and \t are
// newline and tab).
func quotingOf(q rune) quoting {
	if q == '`' {
		return quoting{tkIdent, "quoted identifier", func(a, b rune) (rune, bool) {
			return '`', a == '`' && b == '`'
		}}
	}
	return quoting{tkString, "string literal", func(a, b rune) (rune, bool) {
		switch {
		case a != '\\':
			return 0, false
		case b == 'n':
			return '\n', true
		case b == 't':
			return '\t', true
		}
		return b, true
	}}
}

func isWordRune(c rune) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c > 127
}

// parser walks the tokens of one statement.
type parser struct {
	toks []token
	i    int
	end  token // position reported at end of statement
}

func (p *parser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return p.end
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

// accept consumes the keyword sequence kws if it is next.
func (p *parser) accept(kws ...string) bool {
	for j, kw := range kws {
		if p.i+j >= len(p.toks) || !p.toks[p.i+j].is(kw) {
			return false
		}
	}
	p.i += len(kws)
	return true
}

func (p *parser) expect(kws ...string) error {
	if !p.accept(kws...) {
		return parseErr(p.peek(), "expected %s near '%s'", strings.ToUpper(strings.Join(kws, " ")), p.peek().text)
	}
	return nil
}

func (p *parser) expectPunct(s string) error {
	if !p.peek().punct(s) {
		return parseErr(p.peek(), "expected '%s' near '%s'", s, p.peek().text)
	}
	p.i++
	return nil
}

func (p *parser) ident() (token, error) {
	t := p.next()
	if t.kind != tkWord && t.kind != tkIdent {
		return t, parseErr(t, "expected an identifier near '%s'", t.text)
	}
	// A keyword is an identifier only quoted (docs/MAXCOMPUTE.md of the
	// brief; the list: models.IsReserved, from Alibaba Cloud's "Reserved
	// words and keywords").
	if t.kind == tkWord && models.IsReserved(t.text) {
		return t, parseErr(t, "invalid identifier '%s': a keyword is an identifier only quoted, as `%s`", t.text, t.text)
	}
	return t, nil
}

// WithSchemaEvolution makes the double's project one that allows dropping,
// retyping and renaming columns (the project setting
// odps.schema.evolution.enable); without it the double refuses them, as
// docs/MAXCOMPUTE.md of the brief says the service does.
func WithSchemaEvolution() Option {
	return func(s *Server) { s.schemaEvolution = true }
}

// evolution refuses a change to columns that needs schema evolution.
func (s *Server) evolution(t token, what string) error {
	if s.schemaEvolution {
		return nil
	}
	return semanticErr(t, "%s needs schema evolution, which this project does not allow (odps.schema.evolution.enable)", what)
}

// tableName reads [project.]name and returns the name.
func (p *parser) tableName() (token, error) {
	t, err := p.ident()
	for err == nil && p.peek().punct(".") {
		p.i++
		t, err = p.ident()
	}
	return t, err
}

func (p *parser) stringLit() (string, error) {
	t := p.next()
	if t.kind != tkString {
		return "", parseErr(t, "expected a string literal near '%s'", t.text)
	}
	return t.text, nil
}

func (p *parser) integer() (int64, error) {
	t := p.next()
	n, err := strconv.ParseInt(t.text, 10, 64)
	if t.kind != tkWord || err != nil {
		return 0, parseErr(t, "expected an integer near '%s'", t.text)
	}
	return n, nil
}

// columns reads "(col type [NOT NULL] [DEFAULT x] [COMMENT '...'], ...)".
func (p *parser) columns() ([]Column, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var cols []Column
	for {
		if p.peek().is("primary") { // PRIMARY KEY (...): skip to the next top-level comma
			p.skipToListEnd()
		} else {
			c, err := p.column()
			if err != nil {
				return nil, err
			}
			cols = append(cols, c)
		}
		t := p.next()
		switch {
		case t.punct(","):
			continue
		case t.punct(")"):
			return cols, nil
		default:
			return nil, parseErr(t, "expected ',' or ')' near '%s'", t.text)
		}
	}
}

func (p *parser) column() (Column, error) {
	name, err := p.ident()
	if err != nil {
		return Column{}, err
	}
	typeStart := p.peek()
	var typ strings.Builder
	depth := 0
	for !p.done() {
		t := p.peek()
		if depth == 0 && (t.punct(",") || t.punct(")") || t.is("comment") || t.is("not") || t.is("null") || t.is("default")) {
			break
		}
		switch {
		case t.punct("(") || t.punct("<"):
			depth++
		case t.punct(")") || t.punct(">"):
			depth--
		}
		typ.WriteString(strings.ToUpper(t.text))
		p.i++
	}
	c := Column{Name: name.text, Type: typ.String()}
	if err := checkType(c.Type); err != nil {
		return Column{}, semanticErr(typeStart, "column %s: %v", c.Name, err)
	}
	for {
		switch {
		case p.accept("not", "null"), p.accept("null"):
		case p.accept("default"):
			p.next()
		case p.accept("comment"):
			if c.Comment, err = p.stringLit(); err != nil {
				return Column{}, err
			}
		default:
			return c, nil
		}
	}
}

// skipToListEnd skips to the next ',' or ')' at the current nesting level.
func (p *parser) skipToListEnd() {
	depth := 0
	for !p.done() {
		t := p.peek()
		if depth == 0 && (t.punct(",") || t.punct(")")) {
			return
		}
		if t.punct("(") {
			depth++
		} else if t.punct(")") {
			depth--
		}
		p.i++
	}
}

// partitionSpec reads "(k='v', ...)"; dynamic reports a key without a value.
func (p *parser) partitionSpec() (kvs []keyValue, dynamic bool, err error) {
	if err := p.expectPunct("("); err != nil {
		return nil, false, err
	}
	for {
		k, err := p.ident()
		if err != nil {
			return nil, false, err
		}
		if p.peek().punct("=") {
			p.i++
			v := p.next()
			if v.kind != tkString && v.kind != tkWord {
				return nil, false, parseErr(v, "expected a partition value near '%s'", v.text)
			}
			kvs = append(kvs, keyValue{k.text, v.text})
		} else {
			dynamic = true
		}
		t := p.next()
		switch {
		case t.punct(","):
		case t.punct(")"):
			return kvs, dynamic, nil
		default:
			return nil, false, parseErr(t, "expected ',' or ')' near '%s'", t.text)
		}
	}
}

// applySQL applies every statement of sql it understands, in order, and
// stops at the first error. Called with s.mu held.
func (s *Server) applySQL(sql string) error {
	toks, err := tokenize(sql)
	if err != nil {
		return err
	}
	var stmt []token
	for i, t := range append(toks, token{kind: tkPunct, text: ";"}) {
		if !t.punct(";") {
			stmt = append(stmt, t)
			continue
		}
		if len(stmt) > 0 {
			end := t
			if i == len(toks) { // the synthetic terminator: point after the last token
				last := stmt[len(stmt)-1]
				end = token{line: last.line, col: last.col + len(last.text)}
			}
			if err := s.applyStatement(&parser{toks: stmt, end: end}); err != nil {
				return err
			}
		}
		stmt = nil
	}
	return nil
}

func (s *Server) applyStatement(p *parser) error {
	switch {
	case p.accept("create", "table"):
		return s.createTable(p)
	case p.accept("alter", "table"):
		return s.alterTable(p)
	case p.accept("drop", "table"):
		ifExists := p.accept("if", "exists")
		name, err := p.tableName()
		if err != nil {
			return err
		}
		if !s.dropTable(name.text) && !ifExists {
			return s.tableNotFoundErr(name)
		}
		return nil
	}
	return s.inserts(p)
}

func (s *Server) tableNotFoundErr(name token) error {
	return &sqlError{"ODPS-0130131", "Table not found", name.line, name.col,
		fmt.Sprintf("table %s.%s cannot be resolved", s.project, name.text)}
}

func (s *Server) lookup(name token) (*table, error) {
	t, ok := s.table(name.text)
	if !ok {
		return nil, s.tableNotFoundErr(name)
	}
	return t, nil
}

func (s *Server) createTable(p *parser) error {
	ifNotExists := p.accept("if", "not", "exists")
	name, err := p.tableName()
	if err != nil {
		return err
	}
	spec := TableSpec{Name: name.text}
	switch {
	case p.accept("like"):
		src, err := p.tableName()
		if err != nil {
			return err
		}
		from, err := s.lookup(src)
		if err != nil {
			return err
		}
		spec.Columns, spec.PartitionKeys = slices.Clone(from.spec.Columns), slices.Clone(from.spec.PartitionKeys)
	case p.peek().is("as"):
		return nil // CTAS: the schema would come from the query; not modelled
	default:
		if spec.Columns, err = p.columns(); err != nil {
			return err
		}
	}
	for !p.done() {
		switch {
		case p.accept("comment"):
			if spec.Comment, err = p.stringLit(); err != nil {
				return err
			}
		case p.accept("partitioned", "by"):
			if spec.PartitionKeys, err = p.columns(); err != nil {
				return err
			}
		case p.accept("lifecycle"):
			days := p.peek()
			if spec.Lifecycle, err = p.integer(); err != nil {
				return err
			}
			if spec.Lifecycle <= 0 {
				return semanticErr(days, "invalid lifecycle %d: a lifecycle is a positive number of days; leave LIFECYCLE out to keep the table's partitions", spec.Lifecycle)
			}
		default:
			p.next() // STORED AS, TBLPROPERTIES, ...: ignored
		}
	}
	if _, ok := s.table(spec.Name); ok {
		if ifNotExists {
			return nil // changes nothing, whatever the schema
		}
		return semanticErr(name, "Table or view already exists - %s.%s", s.project, spec.Name)
	}
	if err := validateSpec(spec); err != nil {
		return semanticErr(name, "%v", err)
	}
	s.putTable(s.newTable(spec))
	return nil
}

func (s *Server) alterTable(p *parser) error {
	name, err := p.tableName()
	if err != nil {
		return err
	}
	t, err := s.lookup(name)
	if err != nil {
		return err
	}
	spec := clone(t.spec)
	at := p.peek()
	switch {
	case p.accept("add", "columns"):
		ifNotExists := p.accept("if", "not", "exists")
		cols, err := p.columns()
		if err != nil {
			return err
		}
		for _, c := range cols {
			if columnIndex(spec.columns(), c.Name) >= 0 {
				if ifNotExists {
					continue
				}
				return semanticErr(at, "column %s already exists in table %s", c.Name, spec.Name)
			}
			spec.Columns = append(spec.Columns, c)
		}
	case p.accept("drop", "columns"):
		if err := s.evolution(at, "dropping a column"); err != nil {
			return err
		}
		if err := p.expectPunct("("); err != nil {
			return err
		}
		for {
			c, err := p.ident()
			if err != nil {
				return err
			}
			i := columnIndex(spec.Columns, c.text)
			if i < 0 {
				return semanticErr(c, "column %s not found in table %s", c.text, spec.Name)
			}
			spec.Columns = slices.Delete(spec.Columns, i, i+1)
			if p.next().punct(")") {
				break
			}
		}
	case p.accept("set", "comment"):
		if spec.Comment, err = p.stringLit(); err != nil {
			return err
		}
	case p.accept("set", "lifecycle"):
		days := p.peek()
		if spec.Lifecycle, err = p.integer(); err != nil {
			return err
		}
		if spec.Lifecycle <= 0 {
			return semanticErr(days, "invalid lifecycle %d: a lifecycle is a positive number of days; use ALTER TABLE %s DISABLE LIFECYCLE to stop reclaiming", spec.Lifecycle, spec.Name)
		}
	case p.accept("change"):
		p.accept("column")
		old, err := p.ident()
		if err != nil {
			return err
		}
		i := columnIndex(spec.Columns, old.text)
		if i < 0 {
			return semanticErr(old, "column %s not found in table %s", old.text, spec.Name)
		}
		if p.accept("comment") {
			if spec.Columns[i].Comment, err = p.stringLit(); err != nil {
				return err
			}
			break
		}
		c, err := p.column()
		if err != nil {
			return err
		}
		if !strings.EqualFold(c.Name, spec.Columns[i].Name) || c.Type != spec.Columns[i].Type {
			if err := s.evolution(old, "renaming or retyping a column"); err != nil {
				return err
			}
		}
		if c.Comment == "" {
			c.Comment = spec.Columns[i].Comment
		}
		spec.Columns[i] = c
	case p.accept("rename", "to"):
		to, err := p.tableName()
		if err != nil {
			return err
		}
		if _, ok := s.table(to.text); ok {
			return semanticErr(to, "Table or view already exists - %s.%s", s.project, to.text)
		}
		s.dropTable(t.spec.Name)
		t.spec.Name = to.text
		s.putTable(t)
		return nil
	case p.accept("add"):
		p.accept("if", "not", "exists")
		for p.accept("partition") {
			canon, err := s.staticSpec(p, t)
			if err != nil {
				return err
			}
			t.addPartition(canon)
		}
		return nil
	case p.accept("drop"):
		ifExists := p.accept("if", "exists")
		for p.accept("partition") {
			at := p.peek()
			canon, err := s.staticSpec(p, t)
			if err != nil {
				return err
			}
			if !t.dropPartition(canon) && !ifExists {
				return semanticErr(at, "partition %s of table %s does not exist", canon, spec.Name)
			}
			if p.peek().punct(",") {
				p.i++
			}
		}
		return nil
	default:
		return nil // other ALTERs are not modelled
	}
	if err := validateSpec(spec); err != nil {
		return semanticErr(at, "%v", err)
	}
	for i, row := range t.rows { // the rows of new columns are NULL
		for len(row) < len(spec.Columns) {
			row = append(row, nil)
		}
		t.rows[i] = row
	}
	t.spec, t.lastDDL = spec, t.now()
	return nil
}

// columnIndex returns the index of the column named name
// (case-insensitively) in cols, or -1.
func columnIndex(cols []Column, name string) int {
	return slices.IndexFunc(cols, func(c Column) bool { return strings.EqualFold(c.Name, name) })
}

// partition reads a partition spec for t. A dynamic spec (a key without a
// value) gives dynamic and no canon.
func (s *Server) partition(p *parser, t *table) (canon string, dynamic bool, err error) {
	at := p.peek()
	kvs, dynamic, err := p.partitionSpec()
	if err != nil || dynamic {
		return "", dynamic, err
	}
	if canon, err = t.canonical(kvs); err != nil {
		return "", false, semanticErr(at, "%v", err)
	}
	return canon, false, nil
}

// staticSpec reads a fully static partition spec for t.
func (s *Server) staticSpec(p *parser, t *table) (string, error) {
	at := p.peek()
	canon, dynamic, err := s.partition(p, t)
	if err == nil && dynamic {
		err = semanticErr(at, "partition spec must name a value for every key")
	}
	return canon, err
}

// inserts creates the static partitions every INSERT in the statement writes.
func (s *Server) inserts(p *parser) error {
	for !p.done() {
		if !p.accept("insert") {
			p.next()
			continue
		}
		if !p.accept("overwrite") && !p.accept("into") {
			continue
		}
		p.accept("table")
		name, err := p.tableName()
		if err != nil {
			return err
		}
		t, err := s.lookup(name)
		if err != nil {
			return err
		}
		if !p.accept("partition") {
			if len(t.spec.PartitionKeys) > 0 {
				return semanticErr(name, "partitioned table %s requires a partition spec", t.spec.Name)
			}
			if p.accept("values") {
				if err := s.insertValues(p, t); err != nil {
					return err
				}
			}
			continue
		}
		canon, dynamic, err := s.partition(p, t)
		if err != nil {
			return err
		}
		if !dynamic { // dynamic partitions depend on the data
			t.addPartition(canon)
		}
	}
	return nil
}

// insertValues stores the rows of INSERT INTO t VALUES (...), (...) in a
// table that is not partitioned, for query to read back.
func (s *Server) insertValues(p *parser, t *table) error {
	for {
		if err := p.expectPunct("("); err != nil {
			return err
		}
		var row []*string
		for {
			v := p.next()
			switch {
			case v.kind == tkString, v.kind == tkWord && !v.is("null"):
				text := v.text
				row = append(row, &text)
			case v.is("null"):
				row = append(row, nil)
			default:
				return parseErr(v, "expected a literal near '%s'", v.text)
			}
			if sep := p.next(); sep.punct(")") {
				break
			} else if !sep.punct(",") {
				return parseErr(sep, "expected ',' or ')' near '%s'", sep.text)
			}
		}
		if len(row) != len(t.spec.Columns) {
			return semanticErr(p.end, "table %s has %d columns, VALUES gives %d", t.spec.Name, len(t.spec.Columns), len(row))
		}
		t.rows = append(t.rows, row)
		if p.done() || !p.peek().punct(",") {
			return nil
		}
		p.next()
	}
}

// ResultLimit is the most rows the service returns of a query, cutting the
// rest silently: the limits of MaxCompute SQL
// (https://help.aliyun.com/knowledge_detail/51823.html) put a SELECT's
// displayed output at 10,000 rows.
const ResultLimit = 10000

// query answers "SELECT [DISTINCT] item, ... FROM t [WHERE c = 'v' [AND d
// >= 'w' ...]] [GROUP BY c, ...];", where an item is a column, COUNT(*) or
// MAX(c) of a STRING or integer column, with an optional AS alias (=, <,
// <=, >, >= compare strings; MAX compares an integer column as numbers), over the rows stored by
// INSERT ... VALUES (or AddRows), as MaxCompute's CSV result: a header,
// then a line per row (per group, in the order of their first rows), NULL
// as \N, at most ResultLimit rows. A column outside the GROUP BY of a
// query that aggregates is an error, as on the service. ok is false for any
// other statement, whose result a test scripts.
func (s *Server) query(sql string) (result string, ok bool, err error) {
	toks, err := tokenize(sql)
	if err != nil {
		return "", false, err
	}
	p := &parser{toks: toks}
	if !p.accept("select") {
		return "", false, nil
	}
	distinct := p.accept("distinct")
	type item struct {
		col  token  // the column, of a plain item or MAX
		agg  string // "", "count" or "max"
		name string // its header
	}
	var items []item
	aggregates := false
	for {
		var it item
		if (p.peek().is("count") || p.peek().is("max")) && p.i+1 < len(p.toks) && p.toks[p.i+1].punct("(") {
			it.agg = strings.ToLower(p.next().text)
			p.next()
			if it.agg == "count" {
				if !p.peek().punct("*") {
					return "", false, nil
				}
				p.next()
			} else if it.col, err = p.ident(); err != nil {
				return "", false, nil
			}
			if !p.peek().punct(")") {
				return "", false, nil
			}
			p.next()
			it.name = fmt.Sprintf("_c%d", len(items))
			aggregates = true
		} else {
			if it.col, err = p.ident(); err != nil {
				return "", false, nil
			}
			it.name = it.col.text
		}
		if p.accept("as") {
			alias, err := p.ident()
			if err != nil {
				return "", false, nil
			}
			it.name = alias.text
		}
		items = append(items, it)
		if p.done() || !p.peek().punct(",") {
			break
		}
		p.next()
	}
	if !p.accept("from") {
		return "", false, nil
	}
	name, err := p.tableName()
	if err != nil {
		return "", false, nil
	}
	t, ok := s.table(name.text)
	if !ok || t.rows == nil && len(t.spec.PartitionKeys) > 0 {
		return "", false, nil
	}
	type cond struct {
		col  token
		op   string // =, <, <=, >, >=: string comparison
		want string
	}
	var where []cond
	if p.accept("where") {
		for {
			w, err := p.ident()
			if err != nil {
				return "", false, nil
			}
			op := p.next().text
			if (op == "<" || op == ">") && p.peek().punct("=") {
				op += p.next().text
			}
			if !slices.Contains([]string{"=", "<", "<=", ">", ">="}, op) {
				return "", false, nil
			}
			want, err := p.stringLit()
			if err != nil {
				return "", false, nil
			}
			where = append(where, cond{w, op, want})
			if !p.accept("and") {
				break
			}
		}
	}
	var groupBy []token
	if p.accept("group", "by") {
		for {
			c, err := p.ident()
			if err != nil {
				return "", false, nil
			}
			groupBy = append(groupBy, c)
			if p.done() || !p.peek().punct(",") {
				break
			}
			p.next()
		}
	}
	// Anything else (OR, HAVING, ORDER BY, LIMIT) is past what the double
	// answers: a test scripts the result.
	if p.peek().punct(";") {
		p.next()
	}
	if !p.done() {
		return "", false, nil
	}
	holds := func(v string, c cond) bool {
		switch n := strings.Compare(v, c.want); c.op {
		case "<":
			return n < 0
		case "<=":
			return n <= 0
		case ">":
			return n > 0
		case ">=":
			return n >= 0
		default:
			return n == 0
		}
	}
	idx := func(c token) (int, error) {
		if i := columnIndex(t.spec.Columns, c.text); i >= 0 {
			return i, nil
		}
		return 0, semanticErr(c, "column %s cannot be resolved", c.text)
	}
	grouped := aggregates || len(groupBy) > 0
	var keys []int // the GROUP BY columns
	for _, c := range groupBy {
		i, err := idx(c)
		if err != nil {
			return "", true, err
		}
		keys = append(keys, i)
	}
	integer := func(typ string) bool {
		return slices.Contains([]string{"BIGINT", "INT", "SMALLINT", "TINYINT"}, strings.ToUpper(typ))
	}
	var b strings.Builder
	for i, it := range items {
		if it.agg == "max" {
			// MAX of a STRING or an integer column; of any other type,
			// past what the double answers.
			if j := columnIndex(t.spec.Columns, it.col.text); j >= 0 && !integer(t.spec.Columns[j].Type) && !strings.EqualFold(t.spec.Columns[j].Type, "STRING") {
				return "", false, nil
			}
		}
		if it.agg != "count" {
			j, err := idx(it.col)
			if err != nil {
				return "", true, err
			}
			if grouped && it.agg == "" && !slices.Contains(keys, j) {
				return "", true, semanticErr(it.col, "expression not in GROUP BY key : %s", it.col.text)
			}
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(it.name)
	}
	b.WriteByte('\n')
	var matched [][]*string
rows:
	for _, row := range t.rows {
		for _, c := range where {
			i, err := idx(c.col)
			if err != nil {
				return "", true, err
			}
			if row[i] == nil || !holds(*row[i], c) {
				continue rows
			}
		}
		matched = append(matched, row)
	}
	cell := func(v *string) string {
		if v == nil {
			return `\N`
		}
		return *v
	}
	var lines []string
	if !grouped {
		for _, row := range matched {
			var line []string
			for _, it := range items {
				i, _ := idx(it.col)
				line = append(line, cell(row[i]))
			}
			lines = append(lines, strings.Join(line, ","))
		}
	} else {
		// The rows of each group, in the order of their first rows; a
		// query that aggregates with no GROUP BY is one group, even of
		// no rows.
		var order []string
		groups := map[string][][]*string{}
		if len(keys) == 0 {
			order, groups[""] = []string{""}, matched
		} else {
			for _, row := range matched {
				var key []string
				for _, k := range keys {
					key = append(key, cell(row[k]))
				}
				k := strings.Join(key, "\x00")
				if _, seen := groups[k]; !seen {
					order = append(order, k)
				}
				groups[k] = append(groups[k], row)
			}
		}
		for _, k := range order {
			rows := groups[k]
			var line []string
			for _, it := range items {
				switch it.agg {
				case "count":
					line = append(line, strconv.Itoa(len(rows)))
				case "max":
					i, _ := idx(it.col)
					line = append(line, cell(maxOf(rows, i, integer(t.spec.Columns[i].Type))))
				default:
					i, _ := idx(it.col)
					line = append(line, cell(rows[0][i]))
				}
			}
			lines = append(lines, strings.Join(line, ","))
		}
	}
	n := 0
	seen := map[string]bool{} // the lines of a SELECT DISTINCT
	for _, line := range lines {
		if distinct {
			if seen[line] {
				continue
			}
			seen[line] = true
		}
		if n++; n > ResultLimit {
			break
		}
		b.WriteString(line + "\n")
	}
	return b.String(), true, nil
}

// maxOf is the largest non-NULL value of column i of rows, compared as
// integers when numeric, else as strings; nil when every one is NULL.
func maxOf(rows [][]*string, i int, numeric bool) *string {
	var best *string
	for _, row := range rows {
		switch v := row[i]; {
		case v == nil:
		case best == nil:
			best = v
		case numeric:
			a, _ := strconv.ParseInt(*v, 10, 64)
			b, _ := strconv.ParseInt(*best, 10, 64)
			if a > b {
				best = v
			}
		case *v > *best:
			best = v
		}
	}
	return best
}
