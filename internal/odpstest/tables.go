package odpstest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps/datatype"
)

// Column is a table or partition column.
type Column struct {
	Name    string
	Type    string // MaxCompute type as written, e.g. "BIGINT", "DECIMAL(10,2)", "ARRAY<STRING>"
	Comment string
}

// TableSpec describes a table the double holds.
type TableSpec struct {
	Name          string
	Comment       string
	Lifecycle     int64 // days; 0 means none (reported as -1, like the service)
	Columns       []Column
	PartitionKeys []Column
	// Created is when the table was created, the metadata's createTime
	// (to the second, as the service gives it): zero in a spec given to
	// AddTable means when it adds it. A test sets it to tell a table made
	// again apart from the one before it, as the service does a second or
	// more later.
	Created time.Time
}

type table struct {
	spec       TableSpec
	partitions []string // canonical specs, e.g. "dt='20210303'", in creation order
	written    map[string]partitionData
	rows       [][]*string // of a table that is not partitioned, stored by INSERT ... VALUES
	lastDDL    time.Time
	clock      func() time.Time // the server's (WithClock); nil: time.Now
}

// partitionData is what the double knows of a partition's data.
type partitionData struct {
	modified time.Time // when it was last written (created, or INSERTed into)
	bytes    int64
}

func clone(t TableSpec) TableSpec {
	t.Columns = slices.Clone(t.Columns)
	t.PartitionKeys = slices.Clone(t.PartitionKeys)
	return t
}

// columns returns the table's columns, then its partition keys.
func (t TableSpec) columns() []Column { return slices.Concat(t.Columns, t.PartitionKeys) }

// validateSpec rejects what would make the SDK fail or panic (an empty type panics it).
func validateSpec(t TableSpec) error {
	if t.Name == "" {
		return fmt.Errorf("table name is empty")
	}
	seen := map[string]bool{}
	for _, c := range t.columns() {
		if c.Name == "" {
			return fmt.Errorf("table %s: a column has no name", t.Name)
		}
		if seen[strings.ToLower(c.Name)] {
			return fmt.Errorf("table %s: duplicate column %s", t.Name, c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		if err := checkType(c.Type); err != nil {
			return fmt.Errorf("table %s: column %s: %v", t.Name, c.Name, err)
		}
	}
	return nil
}

// checkType reports whether the SDK can parse typ (it panics on some input).
func checkType(typ string) (err error) {
	if strings.TrimSpace(typ) == "" {
		return fmt.Errorf("empty type")
	}
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("invalid type %s", typ)
		}
	}()
	if _, err := datatype.ParseDataType(typ); err != nil {
		return fmt.Errorf("invalid type %s", typ)
	}
	return nil
}

// AddTable creates or replaces a table (partitions of a replaced table are
// dropped). It panics on a spec the SDK could not read, such as an empty type.
func (s *Server) AddTable(spec TableSpec) {
	if err := validateSpec(spec); err != nil {
		panic("odpstest: AddTable: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putTable(s.newTable(clone(spec)))
}

// DropTable drops a table, as DROP TABLE IF EXISTS does.
func (s *Server) DropTable(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropTable(name)
}

// Table returns a copy of a table's spec.
func (s *Server) Table(name string) (TableSpec, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.table(name)
	if !ok {
		return TableSpec{}, false
	}
	return clone(t.spec), true
}

// Tables returns the names of all tables, sorted.
func (s *Server) Tables() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, t := range s.tables {
		names = append(names, t.spec.Name)
	}
	slices.Sort(names)
	return names
}

// UpdateTable edits a table in place, to simulate drift (extra, missing or
// retyped columns, another comment). Partitions are kept. It panics when the
// table does not exist or the result is invalid.
func (s *Server) UpdateTable(name string, edit func(*TableSpec)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.table(name)
	if !ok {
		panic("odpstest: UpdateTable: no table " + name)
	}
	spec := clone(t.spec)
	edit(&spec)
	if err := validateSpec(spec); err != nil {
		panic("odpstest: UpdateTable: " + err.Error())
	}
	if !strings.EqualFold(spec.Name, t.spec.Name) {
		panic("odpstest: UpdateTable: cannot rename " + name)
	}
	t.spec = spec
	t.lastDDL = t.now()
}

// AddRows appends rows to a table that is not partitioned, as INSERT INTO
// ... VALUES would; a nil cell is NULL.
func (s *Server) AddRows(tableName string, rows ...[]*string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.table(tableName)
	if !ok || len(t.spec.PartitionKeys) > 0 {
		panic("odpstest: AddRows: no table " + tableName + " without partitions")
	}
	for _, r := range rows {
		if len(r) != len(t.spec.Columns) {
			panic(fmt.Sprintf("odpstest: AddRows: %d cells for %d columns", len(r), len(t.spec.Columns)))
		}
		t.rows = append(t.rows, slices.Clone(r))
	}
}

// AddPartition creates a partition, e.g. AddPartition("events", "dt='20210303'").
// The spec names every partition key (a='1',b='2' or a=1/b=2). It panics when
// the table does not exist or the spec does not match its partition keys.
func (s *Server) AddPartition(tableName, spec string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.table(tableName)
	if !ok {
		panic("odpstest: AddPartition: no table " + tableName)
	}
	canon, err := t.canonicalSpec(spec)
	if err != nil {
		panic("odpstest: AddPartition: " + err.Error())
	}
	t.addPartition(canon)
}

// Partitions returns a table's partitions as canonical specs
// ("dt='20210303'"), in creation order.
func (s *Server) Partitions(tableName string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.table(tableName)
	if !ok {
		return nil
	}
	return slices.Clone(t.partitions)
}

// The table helpers below are called with s.mu held. Tables are keyed by
// lower-case name.

// newTable returns a table of spec, created when spec says, or now by the
// server's clock, which its later changes keep time by.
func (s *Server) newTable(spec TableSpec) *table {
	t := &table{clock: s.clock}
	now := t.now()
	if spec.Created.IsZero() {
		spec.Created = now.Truncate(time.Second)
	}
	t.spec, t.lastDDL = spec, now
	return t
}

// now is the time by the server's clock (WithClock).
func (t *table) now() time.Time {
	if t.clock != nil {
		return t.clock()
	}
	return time.Now()
}

// table looks a table up by name, case-insensitively.
func (s *Server) table(name string) (*table, bool) {
	t, ok := s.tables[strings.ToLower(name)]
	return t, ok
}

// putTable stores t under its name, replacing any table of that name.
func (s *Server) putTable(t *table) { s.tables[strings.ToLower(t.spec.Name)] = t }

// dropTable removes a table; it reports whether it existed.
func (s *Server) dropTable(name string) bool {
	_, ok := s.table(name)
	delete(s.tables, strings.ToLower(name))
	return ok
}

// addPartition creates or writes a partition: its data changes now.
func (t *table) addPartition(canon string) {
	if !slices.Contains(t.partitions, canon) {
		t.partitions = append(t.partitions, canon)
	}
	if t.written == nil {
		t.written = map[string]partitionData{}
	}
	d := t.written[canon]
	d.modified = t.now()
	t.written[canon] = d
}

// SetPartitionData sets what a partition's metadata says of its data: when
// it last changed and its size in bytes. It panics when the partition does
// not exist.
func (s *Server) SetPartitionData(tableName, spec string, modified time.Time, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.table(tableName)
	if !ok {
		panic("odpstest: SetPartitionData: no table " + tableName)
	}
	canon, err := t.canonicalSpec(spec)
	if err != nil || !slices.Contains(t.partitions, canon) {
		panic("odpstest: SetPartitionData: no partition " + spec)
	}
	t.written[canon] = partitionData{modified: modified, bytes: bytes}
}

func (t *table) dropPartition(canon string) bool {
	i := slices.Index(t.partitions, canon)
	if i < 0 {
		return false
	}
	t.partitions = slices.Delete(t.partitions, i, i+1)
	return true
}

type keyValue struct{ key, value string }

// parseSpec reads "a='1',b='2'", "a=1/b=2" or "a=\"1\"".
func parseSpec(spec string) ([]keyValue, error) {
	sep := ","
	if !strings.Contains(spec, ",") && strings.Contains(spec, "/") {
		sep = "/"
	}
	var kvs []keyValue
	for _, part := range strings.Split(spec, sep) {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, fmt.Errorf("malformed partition spec %q", spec)
		}
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		kvs = append(kvs, keyValue{strings.Trim(k, "`"), v})
	}
	return kvs, nil
}

// canonicalSpec parses spec (see parseSpec) and returns it in canonical form.
func (t *table) canonicalSpec(spec string) (string, error) {
	kvs, err := parseSpec(spec)
	if err != nil {
		return "", err
	}
	return t.canonical(kvs)
}

// canonical orders kvs by the table's partition keys: "k1='v1',k2='v2'".
func (t *table) canonical(kvs []keyValue) (string, error) {
	keys := t.spec.PartitionKeys
	if len(keys) == 0 {
		return "", fmt.Errorf("table %s is not partitioned", t.spec.Name)
	}
	if len(kvs) != len(keys) {
		return "", fmt.Errorf("partition spec names %d keys, table %s has %d", len(kvs), t.spec.Name, len(keys))
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		j := slices.IndexFunc(kvs, func(kv keyValue) bool { return strings.EqualFold(kv.key, k.Name) })
		if j < 0 {
			return "", fmt.Errorf("partition spec misses key %s of table %s", k.Name, t.spec.Name)
		}
		parts[i] = fmt.Sprintf("%s='%s'", k.Name, kvs[j].value)
	}
	return strings.Join(parts, ","), nil
}

// Wire formats.

type columnJSON struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Comment    string `json:"comment"`
	IsNullable bool   `json:"isNullable"`
}

type tableJSON struct {
	TableName        string       `json:"tableName"`
	Comment          string       `json:"comment"`
	Owner            string       `json:"owner"`
	Lifecycle        int64        `json:"lifecycle"`
	Columns          []columnJSON `json:"columns"`
	PartitionKeys    []columnJSON `json:"partitionKeys"`
	CreateTime       int64        `json:"createTime"`
	LastDDLTime      int64        `json:"lastDDLTime"`
	LastModifiedTime int64        `json:"lastModifiedTime"`
	IsVirtualView    bool         `json:"isVirtualView"`
	IsExternal       bool         `json:"isExternal"`
	RecordNum        int64        `json:"recordNum"`
	Size             int64        `json:"size"`
}

type tableXML struct {
	XMLName xml.Name `xml:"Table"`
	Name    string
	TableId string
	Owner   string
	Project string
	Schema  cdata
}

func columnsJSON(cols []Column) []columnJSON {
	out := make([]columnJSON, 0, len(cols))
	for _, c := range cols {
		out = append(out, columnJSON{Name: c.Name, Type: c.Type, Comment: c.Comment, IsNullable: true})
	}
	return out
}

const owner = "ALIYUN$odpstest"

// getTable answers Table.Load and Table.LoadExtendedInfo (?extended); both
// carry the whole schema. Called with s.mu held.
func (s *Server) getTable(w *statusWriter, name string) {
	t, ok := s.table(name)
	if !ok {
		s.tableNotFound(w, name)
		return
	}
	lifecycle := t.spec.Lifecycle
	if lifecycle == 0 {
		lifecycle = -1
	}
	schema, _ := json.Marshal(tableJSON{
		TableName:        t.spec.Name,
		Comment:          t.spec.Comment,
		Owner:            owner,
		Lifecycle:        lifecycle,
		Columns:          columnsJSON(t.spec.Columns),
		PartitionKeys:    columnsJSON(t.spec.PartitionKeys),
		CreateTime:       t.spec.Created.Unix(),
		LastDDLTime:      t.lastDDL.Unix(),
		LastModifiedTime: t.lastDDL.Unix(),
		RecordNum:        -1,
	})
	writeXML(w, http.StatusOK, tableXML{
		Name:    t.spec.Name,
		TableId: fmt.Sprintf("%x", strings.ToLower(t.spec.Name)),
		Owner:   owner,
		Project: s.project,
		Schema:  cdata{string(schema)},
	})
}

func (s *Server) tableNotFound(w *statusWriter, name string) {
	s.writeError(w, http.StatusNotFound, "NoSuchObject",
		fmt.Sprintf("ODPS-0130131:Table not found - table %s.%s cannot be resolved", s.project, name))
}

type partitionXML struct {
	XMLName xml.Name `xml:"Partition"`
	Schema  cdata
}

type partitionsXML struct {
	XMLName    xml.Name `xml:"Partitions"`
	Marker     string
	MaxItems   string
	Partitions []partitionItemXML `xml:"Partition"`
}

type partitionItemXML struct {
	Name         string            `xml:",omitempty"`
	Columns      []partitionColXML `xml:"Column"`
	CreationTime int64             `xml:",omitempty"`
}

type partitionColXML struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:"Value,attr"`
}

// getPartition answers Partition.Load (?partition=spec; 404 when absent) and
// the partition lists (?partitions, with name= for values only).
// Called with s.mu held.
func (s *Server) getPartition(w *statusWriter, name string, q url.Values) {
	t, ok := s.table(name)
	if !ok {
		s.tableNotFound(w, name)
		return
	}
	if has(q, "partitions") {
		s.listPartitions(w, t, q)
		return
	}
	canon, err := t.canonicalSpec(q.Get("partition"))
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "InvalidArgument",
			"ODPS-0130071:Semantic analysis exception - "+err.Error())
		return
	}
	if !slices.Contains(t.partitions, canon) {
		s.writeError(w, http.StatusNotFound, "NoSuchPartition",
			fmt.Sprintf("ODPS-0130131:Partition not found - %s of table %s.%s", canon, s.project, t.spec.Name))
		return
	}
	data := t.written[canon]
	schema, _ := json.Marshal(map[string]any{
		"createTime": t.spec.Created.Unix(), "lastDDLTime": t.lastDDL.Unix(),
		"lastModifiedTime": data.modified.Unix(), "partitionRecordNum": -1, "partitionSize": data.bytes,
	})
	writeXML(w, http.StatusOK, partitionXML{Schema: cdata{string(schema)}})
}

func (s *Server) listPartitions(w *statusWriter, t *table, q url.Values) {
	var filter []keyValue
	if spec := q.Get("partition"); spec != "" {
		var err error
		if filter, err = parseSpec(spec); err != nil {
			s.writeError(w, http.StatusBadRequest, "InvalidArgument", "ODPS-0130071:Semantic analysis exception - "+err.Error())
			return
		}
	}
	out := partitionsXML{}
	for _, p := range t.partitions {
		kvs, _ := parseSpec(p)
		if !matches(kvs, filter) {
			continue
		}
		var item partitionItemXML
		if has(q, "name") {
			var names []string
			for _, kv := range kvs {
				names = append(names, kv.key+"="+kv.value)
			}
			item.Name = strings.Join(names, "/")
		} else {
			for _, kv := range kvs {
				item.Columns = append(item.Columns, partitionColXML{kv.key, kv.value})
			}
			item.CreationTime = t.spec.Created.Unix()
		}
		out.Partitions = append(out.Partitions, item)
	}
	writeXML(w, http.StatusOK, out)
}

func matches(kvs, filter []keyValue) bool {
	for _, f := range filter {
		if !slices.ContainsFunc(kvs, func(kv keyValue) bool { return strings.EqualFold(kv.key, f.key) && kv.value == f.value }) {
			return false
		}
	}
	return true
}
